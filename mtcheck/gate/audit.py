"""The append-only audit log: one JSON line per story the gate decided.

A record is appended (O_APPEND, under an flock, fsynced) only after the story has reached
its folder, so the log never claims a move that did not happen. Each record carries the
id of the journal intent it completes: crash recovery appends a record only if that id is
absent, so a story never gets two. The log is also the gate's memory of what it decided:
the content hashes in it are never decided again.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from mtcheck.gate.files import dumps


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AuditLog:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.ids: set[str] = set()
        self.by_hash: dict[str, dict] = {}  # content hash -> its first record
        self._loaded = False

    def load(self) -> "AuditLog":
        """Read what was decided before (a torn last line from a crash is skipped)."""
        self.ids.clear()
        self.by_hash.clear()
        for rec in self.records():
            self._remember(rec)
        self._loaded = True
        return self

    def records(self) -> Iterator[dict]:
        try:
            fh = open(self.path, "rb")
        except FileNotFoundError:
            return
        with fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue  # a torn line left by a kill mid-write; its story is re-recorded
                if isinstance(rec, dict):
                    yield rec

    def _remember(self, rec: dict) -> None:
        if rec.get("id"):
            self.ids.add(rec["id"])
        h = rec.get("hash")
        # Only decisions are remembered: a story kept in the inbox by an error (verdict None)
        # must be decided when it comes round again, not rejected as its own duplicate.
        if h and h not in self.by_hash and rec.get("verdict"):
            self.by_hash[h] = rec

    def decided(self, content_hash: str | None) -> dict | None:
        return self.by_hash.get(content_hash) if content_hash else None

    def append(self, record: dict) -> None:
        line = dumps(record) + "\n"  # valid UTF-8 even for a story name that is not
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # the log may be shared by gates on other inboxes
            size = os.fstat(fd).st_size
            if size:
                # Never glue a record onto a torn line a crash left behind.
                with open(self.path, "rb") as fh:
                    fh.seek(size - 1)
                    if fh.read(1) != b"\n":
                        line = "\n" + line
            data = line.encode("utf-8")
            while data:  # a regular-file write is whole in practice; be exact anyway
                data = data[os.write(fd, data):]
            os.fsync(fd)
        finally:
            os.close(fd)  # closing releases the flock
        self._remember(record)
