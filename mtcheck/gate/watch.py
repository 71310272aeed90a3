"""Knowing when a story has finished arriving, and stopping cleanly.

A file is taken only when its size and modification time are the same at two polls in a
row, and never while it has a temporary name (hidden, ``.part``, ``.tmp``, ``~`` ...):
writers that rename a finished file into the inbox are picked up at once and safely;
writers that append in place are picked up once they have been quiet for a poll interval.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

TEMPORARY_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp", "~")


def is_temporary(name: str) -> bool:
    """Names of files still being written (or not stories at all: our own reports)."""
    return name.startswith(".") or name.endswith(TEMPORARY_SUFFIXES) or name.endswith(".mtcheck.json")


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        try:
            st = os.lstat(path)  # a dangling link or an unreadable entry still counts as arrived
        except OSError:
            return None
    return st.st_size, st.st_mtime_ns


class Settled:
    """Tracks files across polls; ``ready`` returns those unchanged since the last poll."""

    def __init__(self) -> None:
        self._seen: dict[Path, tuple[int, int]] = {}
        self._failed: dict[Path, tuple[int, int]] = {}  # not retried until they change

    def ready(self, paths: list[Path]) -> list[Path]:
        out = []
        now: dict[Path, tuple[int, int]] = {}
        for p in paths:
            sig = _signature(p)
            if sig is None:
                continue
            now[p] = sig
            if self._seen.get(p) == sig and self._failed.get(p) != sig:
                out.append(p)
        self._seen = now
        self._failed = {p: s for p, s in self._failed.items() if p in now}
        return out

    def failed(self, path: Path) -> None:
        sig = _signature(path)
        if sig is not None:
            self._failed[path] = sig


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
