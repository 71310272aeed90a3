"""Moving a story so that it is never in two places and never missing.

On one filesystem a move is a single ``rename``. Across filesystems it is copy to a hidden
temporary name beside the destination, fsync, rename into place, then unlink the source:
a crash between the rename and the unlink leaves the story in both folders for a moment,
which the journal's recovery pass resolves (the copy is verified by hash, the source is
removed). Directory entries are fsynced so a completed step survives a power cut.

``MTCHECK_GATE_CRASH_AFTER=N`` (testing only) makes the process SIGKILL itself at its Nth
durable step, so the crash tests can stop a real gate at every point of a move.
``MTCHECK_GATE_FORCE_COPY=1`` (testing only) takes the cross-filesystem path everywhere.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import stat
from pathlib import Path

from mtcheck.fsutil import fsync_dir, write_all
from mtcheck.gate.files import fit_name

CRASH_ENV = "MTCHECK_GATE_CRASH_AFTER"
FORCE_COPY_ENV = "MTCHECK_GATE_FORCE_COPY"
REPORT_SUFFIX = ".mtcheck.json"
PART_SUFFIX = ".mtcheck-part"

_crash_after = int(os.environ.get(CRASH_ENV, "0") or 0)
_steps_done = 0


def crash_point(step: str) -> None:
    """Mark a durable step done; under the testing hook, die here like a power cut."""
    global _steps_done
    if not _crash_after:
        return
    _steps_done += 1
    if _steps_done == _crash_after:
        os.write(2, f"mtcheck: {CRASH_ENV}: SIGKILL at step {_steps_done} ({step})\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)


def content_hash(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def file_hash(path: str | os.PathLike) -> str | None:
    """Hash of a regular file's bytes; None for anything else (opening a FIFO would block)."""
    h = hashlib.sha256()
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return "sha256:" + h.hexdigest()


def report_path(dest: Path) -> Path:
    """Where the report of a story goes: beside it, ``<name>.mtcheck.json`` (for a name too
    long to take the suffix, a shortened name with a hash of the full one: ``fit_name``)."""
    return dest.with_name(fit_name(dest.name, REPORT_SUFFIX))


def part_path(dest: Path, intent_id: str) -> Path:
    """The hidden temporary name a cross-filesystem copy is written under."""
    return dest.with_name(fit_name(dest.name, f".{intent_id[:12]}{PART_SUFFIX}", prefix="."))


def free_destination(folder: Path, relative: Path, with_report: bool) -> Path:
    """``folder/relative``, or ``name.2.ext``, ``name.3.ext`` ... when that is taken."""
    candidate = folder / relative
    n = 1
    while candidate.exists() or candidate.is_symlink() or (with_report and report_path(candidate).exists()):
        n += 1
        stem, suffix = relative.stem, relative.suffix
        if len(os.fsencode(suffix)) > 32:  # not an extension: a long name with a dot in it
            stem, suffix = relative.name, ""
        candidate = folder / relative.with_name(fit_name(stem, f".{n}{suffix}"))
    return candidate


def move(src: Path, dest: Path, intent_id: str) -> str:
    """Move ``src`` to ``dest`` (which must not exist); returns "rename" or "copy"."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(dest):
        raise FileExistsError(errno.EEXIST, "destination exists", str(dest))
    if not os.environ.get(FORCE_COPY_ENV):
        try:
            os.rename(src, dest)
        except OSError as e:
            if e.errno != errno.EXDEV:
                raise
        else:
            fsync_dir(dest.parent)
            if src.parent != dest.parent:
                fsync_dir(src.parent)
            crash_point("renamed")
            return "rename"
    copy_across(src, dest, part_path(dest, intent_id))
    return "copy"


def copy_across(src: Path, dest: Path, part: Path) -> None:
    mode = os.lstat(src).st_mode
    if stat.S_ISLNK(mode):
        os.symlink(os.readlink(src), part)  # a link is moved as a link, even a dangling one
    elif stat.S_ISREG(mode):
        with open(src, "rb") as fin, open(part, "wb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
            fout.flush()
            os.fsync(fout.fileno())
        try:
            shutil.copystat(src, part)  # keep the wire's timestamps
        except OSError:
            pass
    else:  # a FIFO, socket or device: opening it could block, and it is no story to copy
        raise OSError(errno.EXDEV, "not a regular file: cannot be moved to another filesystem", str(src))
    _place_part(part, src, dest)


def _place_part(part: Path, src: Path, dest: Path) -> None:
    """The last steps of a copy: the complete part file renamed into place, then the source
    removed, each made durable, with the crash points the crash test kills at."""
    crash_point("copied")
    os.rename(part, dest)
    fsync_dir(dest.parent)
    crash_point("copy-placed")
    os.unlink(src)
    fsync_dir(src.parent)
    crash_point("source-removed")


def place_bytes(src: Path, dest: Path, data: bytes, intent_id: str) -> None:
    """Put ``data`` (the story with its verdict written in: ``gate.stamp``) at ``dest`` in
    place of moving ``src`` there, then remove ``src``: written under a hidden temporary name
    beside ``dest``, fsynced, given the source's mode and times, renamed into place. The
    inbox file is never written. The same crash points as a copy across filesystems."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(dest):
        raise FileExistsError(errno.EEXIST, "destination exists", str(dest))
    part = part_path(dest, intent_id)
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        shutil.copystat(src, part)  # the wire file's mode and timestamps, as a move keeps them
    except OSError:
        pass
    _place_part(part, src, dest)


def remove_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
