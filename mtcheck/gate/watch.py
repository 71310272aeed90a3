"""Knowing when a story has finished arriving, and stopping cleanly.

A file is taken when it has been unchanged (size, modification time, inode) for the settle
time (``--settle``, default five poll intervals), so a writer that appends in place with
pauses longer than a poll interval is not cut into fragments; or at once when it was renamed
in from a temporary name the gate saw at an earlier poll (its inode was there under that
name): a writer that renames a finished file is done. A file never is taken while it has a
temporary name (hidden, ``.part``, ``.tmp``, ``~`` ...).
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

TEMPORARY_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp", "~")
SETTLE_INTERVALS = 5  # the default settle time, in poll intervals


def is_temporary(name: str) -> bool:
    """Names of files still being written (or not stories at all: our own reports)."""
    return name.startswith(".") or name.endswith(TEMPORARY_SUFFIXES) or name.endswith(".mtcheck.json")


def _stat(path: Path) -> os.stat_result | None:
    try:
        # lstat: a link is judged as a link (the gate never follows one out of the inbox),
        # and a dangling link or an unreadable entry still counts as arrived.
        return os.lstat(path)
    except OSError:
        return None


def _signature(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_size, st.st_mtime_ns, st.st_dev, st.st_ino


@dataclass
class _Seen:
    signature: tuple[int, int, int, int]
    since: float  # monotonic time the signature was first seen
    renamed_in: bool  # its inode sat under a temporary name at an earlier poll


class Settled:
    """Tracks files across polls; ``ready`` returns those that have finished arriving."""

    def __init__(self, settle: float = 0.0, clock=time.monotonic) -> None:
        self.settle = settle
        self._clock = clock
        self._seen: dict[Path, _Seen] = {}
        self._failed: dict[Path, tuple] = {}  # not retried until they change
        self._temporaries: set[tuple[int, int]] = set()  # (dev, ino) under temporary names, last poll

    def ready(self, paths: Iterable[Path], temporaries: Iterable[os.stat_result] = ()) -> list[Path]:
        """``paths``: the candidates of this poll; ``temporaries``: the stat of each file
        under a temporary name in the inbox at this poll (for rename detection)."""
        out = []
        now = self._clock()
        seen: dict[Path, _Seen] = {}
        for p in paths:
            st = _stat(p)
            if st is None:
                continue
            sig = _signature(st)
            prev = self._seen.get(p)
            if prev is None or prev.signature != sig:
                renamed = prev is None and (st.st_dev, st.st_ino) in self._temporaries
                prev = _Seen(sig, now, renamed)
            seen[p] = prev
            if self._failed.get(p) == sig:
                continue
            if prev.renamed_in or now - prev.since >= self.settle:
                out.append(p)
        self._seen = seen
        self._failed = {p: s for p, s in self._failed.items() if p in seen}
        self._temporaries = {(st.st_dev, st.st_ino) for st in temporaries}
        return out

    def failed(self, path: Path) -> None:
        st = _stat(path)
        if st is not None:
            self._failed[path] = _signature(st)


class StopSignal:
    """SIGINT/SIGTERM ask the gate to stop after the story in hand; a second one stops at once."""

    def __init__(self, on_request=None) -> None:
        self.requested = False
        self._on_request = on_request
        self._previous = {}

    def install(self) -> "StopSignal":
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        if self._on_request is not None:
            self._on_request(signal.Signals(signum).name)

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def __call__(self) -> bool:
        return self.requested
