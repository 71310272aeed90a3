"""Write-ahead journal: how a story decided by the gate always ends in exactly one place.

For each story the gate writes an intent (content hash, source, destination, verdict, the
report and the audit record it will write), fsynced, *before* touching anything. Then:
report beside the destination, move, audit record, intent removed. A gate killed at any
point leaves the intent behind; the next gate (holding the inbox lock, so the killed one is
really gone) replays it: completes or redoes the move, rewrites a missing report, appends
the audit record unless a record with the intent's id is already there, and drops the
intent. The journaled verdict is kept: an interrupted story is not decided again.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from mtcheck.gate import mover
from mtcheck.gate.audit import AuditLog
from mtcheck.gate.files import dumps, write_atomic


@dataclass
class Intent:
    id: str
    hash: str | None
    source: str
    dest: str
    verdict: str
    record: dict  # the audit record to append once the story is in place
    report: str | None = None  # where the report goes (stories not accepted)
    report_body: dict | None = None
    # --write-verdict: {"verdicts": [[item, verdict, note], ...], "hash": hash of the stamped
    # bytes}; the story is placed with its verdict written in (``gate.stamp``), not moved.
    stamp: dict | None = None

    @classmethod
    def new(cls, **kw) -> "Intent":
        return cls(id=uuid.uuid4().hex, **kw)

    def to_json(self) -> str:
        return dumps(asdict(self))  # an undecodable story name round-trips as \udcXX


@dataclass
class Replayed:
    intent: Intent
    action: str  # what recovery had to do: "moved", "finished-copy", "recorded", "cleaned", "lost"
    warning: str | None = None
    steps: list[str] = field(default_factory=list)


class Journal:
    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def _path(self, intent: Intent) -> Path:
        return self.folder / f"{intent.id}.json"

    def write(self, intent: Intent) -> None:
        write_atomic(self._path(intent), intent.to_json())  # fsyncs the file and the folder

    def remove(self, intent: Intent) -> None:
        # No fsync: an intent that reappears after a power cut replays as a no-op (the story is
        # in place and its audit record carries the intent's id).
        mover.remove_quietly(self._path(intent))

    def pending(self) -> Iterator[Intent]:
        if not self.folder.is_dir():
            return
        for p in sorted(self.folder.iterdir(), key=lambda p: (p.stat().st_mtime_ns, p.name)):
            if p.name.startswith("."):  # write_atomic's temporary left by a kill: never became an intent
                mover.remove_quietly(p)
                continue
            if p.suffix != ".json":
                continue
            try:
                yield Intent(**json.loads(p.read_text(encoding="utf-8")))
            except (ValueError, TypeError, OSError):
                # write_atomic renames only complete files, so this is not ours to interpret.
                raise JournalError(f"{p}: unreadable journal entry; inspect it and remove it by hand") from None


class JournalError(Exception):
    pass


def complete(intent: Intent, journal: Journal, audit: AuditLog, write_report: Callable[[Path, dict], None],
             recovered: bool) -> Replayed:
    """Finish ``intent`` from wherever it stopped. Idempotent: safe to run again after a
    kill inside it. Used both for the normal path and for recovery."""
    src, dest = Path(intent.source), Path(intent.dest)
    part = mover.part_path(dest, intent.id)
    action = "moved"
    warning = None
    src_there, dest_there = os.path.lexists(src), os.path.lexists(dest)

    placed_hashes = {intent.hash} | ({intent.stamp.get("hash")} if intent.stamp else set())
    if dest_there and src_there:
        if intent.hash is not None and mover.file_hash(dest) in placed_hashes:
            # A copy across filesystems was placed but the source not yet removed.
            os.unlink(src)
            mover.fsync_dir(src.parent)
            action = "finished-copy"
        else:
            # Something else took the name meanwhile: go to a free one instead.
            dest = _relocate(intent, journal)
            part = mover.part_path(dest, intent.id)
            dest_there = False
    if src_there and not dest_there:
        mover.remove_quietly(part)  # a copy cut short
        if intent.report_body is not None:
            write_report(Path(intent.report), intent.report_body)
            mover.crash_point("report")
        stamped = _stamped(src, intent) if intent.stamp else None
        if stamped is not None:
            mover.place_bytes(src, dest, stamped, intent.id)
        else:
            mover.move(src, dest, intent.id)
    elif not src_there and not dest_there:
        action = "lost"
        warning = f"{src}: vanished from the inbox before it was moved (removed by hand?); nothing to record"
        journal.remove(intent)
        return Replayed(intent, action, warning)
    elif not src_there:
        action = "recorded"  # the move had happened; what follows may not have

    if intent.report_body is not None and not Path(intent.report).exists():
        write_report(Path(intent.report), intent.report_body)
        mover.crash_point("report")
    mover.remove_quietly(part)
    if intent.id not in audit.ids:
        record = dict(intent.record)
        if recovered:
            record["recovered"] = True
        audit.append(record)
        mover.crash_point("audit")
    elif recovered:
        action = "cleaned"
    journal.remove(intent)
    mover.crash_point("journal-removed")
    return Replayed(intent, action, warning)


def _stamped(src: Path, intent: Intent) -> bytes | None:
    """The story's bytes with its verdicts written in, made again from the inbox file: the
    same bytes the decision's hash names, else None (the file is moved as it is)."""
    from mtcheck.gate.stamp import stamped_bytes

    try:
        data = src.read_bytes()
    except OSError:
        return None
    if mover.content_hash(data) != intent.hash:
        return None  # not the bytes the verdict was given on
    out = stamped_bytes(data, str(src), intent.stamp.get("verdicts", []))
    if out is None or mover.content_hash(out) != intent.stamp.get("hash"):
        return None
    return out


def abandon(intent: Intent, journal: Journal) -> bool:
    """Undo an intent whose move failed (unreadable across filesystems, permissions, disk
    full): the story stays in the inbox, untouched. False if it had already been moved, in
    which case the intent stays for the next run's recovery to finish."""
    src, dest = Path(intent.source), Path(intent.dest)
    if not os.path.lexists(src):
        return False
    placed = {intent.hash} | ({intent.stamp.get("hash")} if intent.stamp else set())
    if os.path.lexists(dest) and intent.hash is not None and mover.file_hash(dest) in placed:
        mover.remove_quietly(dest)  # our copy; the source is still in the inbox
    if intent.report is not None:
        mover.remove_quietly(Path(intent.report))
    mover.remove_quietly(mover.part_path(dest, intent.id))
    journal.remove(intent)
    return True


def _relocate(intent: Intent, journal: Journal) -> Path:
    dest = Path(intent.dest)
    new = mover.free_destination(dest.parent, Path(dest.name), with_report=intent.report is not None)
    intent.dest = str(new)
    intent.record["dest"] = str(new)
    if intent.report is not None:
        intent.report = str(mover.report_path(new))
        intent.record["report"] = intent.report
        if intent.report_body is not None:
            intent.report_body["moved_to"] = str(new)
    journal.write(intent)
    return new
