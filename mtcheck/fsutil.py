"""File access shared by every module: writes that never leave a half-written file behind,
and TOML reads that fail with one line naming the file.

``atomic_write`` writes a temporary file beside the target (``.NAME.XXXXXXXX.tmp``), fsyncs
it and renames it over the target. A new file gets the usual mode for the process's umask
(0644 under umask 022); a replaced file keeps its mode and, where permitted, its owner and
group. A symlink is written through: its target is replaced, the link stays. Temporaries
that a killed process left behind (exactly that name pattern, a regular file of ours, more
than an hour old) are removed on the next write into the same folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import time
from pathlib import Path
from typing import BinaryIO, Iterator

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_TOML_BYTES = 16 << 20  # a settings or data file; anything bigger is not one
STALE_TEMP_SECONDS = 3600
_TEMP_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"  # as tempfile's names, so old leftovers match
_TEMP_RE = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
_cleaned: set[str] = set()  # folders already swept by this process

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """``text`` safe for a terminal: control characters (escape sequences, carriage returns,
    bidirectional overrides) are shown as ``\\xNN``/``\\uNNNN`` instead of acted on."""
    s = str(text)
    if not _CONTROL_RE.search(s):
        return s
    return _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", s)


def read_toml(path: str | os.PathLike, error: type[Exception], what: str = "") -> dict:
    """Parse a TOML file; an unreadable or malformed one raises ``error`` with a one-line
    message naming the file (``what`` says what the file was meant to hold). Only regular
    files are read: a FIFO or a device would block or never end."""
    label = f" {what}" if what else ""
    shown = printable(path)
    try:
        data = read_regular(path, MAX_TOML_BYTES)
    except _NotRegular as e:
        raise error(f"{shown}: cannot read{label}: {e}") from None
    except OSError as e:
        raise error(f"{shown}: cannot read{label}: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise error(f"{shown}: not UTF-8 text{label and ' (' + what + ')'}: byte 0x{data[e.start]:02x} at offset {e.start}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise error(f"{shown}: malformed TOML{label and ' in' + label}: {printable(e)}") from None
    except RecursionError:
        raise error(f"{shown}: malformed TOML{label and ' in' + label}: nested too deeply") from None


class _NotRegular(OSError):
    pass


def read_regular(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The bytes of a regular file. Raises OSError (``_NotRegular`` for a FIFO, device,
    socket or folder, or a file over ``limit`` bytes) instead of blocking."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise _NotRegular("is a folder")
        if not stat.S_ISREG(st.st_mode):
            raise _NotRegular("not a regular file")
        if limit is not None and st.st_size > limit:
            raise _NotRegular(f"too large ({st.st_size} bytes; at most {limit})")
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if limit is not None and total > limit:
                raise _NotRegular(f"too large (more than {limit} bytes)")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_target(path: str | os.PathLike) -> Path:
    """Where a write to ``path`` lands: a symlink (or a chain of them) is followed to its
    target, so that the link survives; anything else is ``path`` itself."""
    path = Path(path)
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


def atomic_write(path: str | os.PathLike, data: str | bytes, encoding: str = "utf-8", *,
                 like: os.stat_result | None = None, keep_times: bool = False,
                 exclusive: bool = False, keep_links: bool = False, replace_links: bool = False) -> Path:
    """Write ``data`` to ``path`` all or nothing; return the file actually written.

    The temporary file is created with the umask applied; when ``path`` exists (or ``like``
    is given: the stat of another file, e.g. the original of a backup) its permission bits
    and, where permitted, its owner and group are copied. ``keep_times`` also copies the
    access and modification times of ``like``. ``exclusive``: never replace an existing
    file (FileExistsError). ``keep_links``: a file with more than one hard link is
    rewritten in place, so that every name keeps seeing it (not atomic: for callers that
    have a backup on disk first); otherwise the rename gives this name a new file.
    ``replace_links``: a symlink at ``path`` is replaced by the new file, never written
    through (for files mtcheck owns, such as the gate's reports, where a planted link must
    not redirect the write).
    """
    # A backup's name must be free in every sense: a symlink there (even a dangling one) is
    # not followed but counts as taken.
    target = Path(path) if exclusive or replace_links else write_target(path)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    payload = data.encode(encoding) if isinstance(data, str) else data
    _clean_stale_temps(folder)
    if exclusive and os.path.lexists(target):
        raise FileExistsError(17, "File exists", str(path))
    try:
        current = os.lstat(target) if replace_links else os.stat(target)
    except FileNotFoundError:
        current = None
    if current is not None and stat.S_ISLNK(current.st_mode):
        current = None  # replace_links: the link is replaced by a new file, not imitated
    if current is not None and stat.S_ISDIR(current.st_mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    meta = like if like is not None else current
    if keep_links and current is not None and current.st_nlink > 1 and stat.S_ISREG(current.st_mode):
        _write_through(target, payload)
        return target

    with _replacing(folder, target, meta, times_of=like if keep_times else None, exclusive=exclusive) as fh:
        fh.write(payload)
    return target


@contextlib.contextmanager
def _replacing(folder: Path, target: Path, meta: os.stat_result | None, *, times_of: os.stat_result | None = None,
               exclusive: bool = False) -> Iterator[BinaryIO]:
    """A temporary file in ``folder`` to write to, put in place at ``target`` when the block
    ends (mode and owner of ``meta``, times of ``times_of``, fsynced, renamed, or linked where
    ``exclusive``), and removed if the block raises."""
    fd, tmp = _create_temp(folder, target.name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if meta is not None:
                _copy_meta(fh.fileno(), meta)
            os.fsync(fh.fileno())
        if times_of is not None:
            os.utime(tmp, ns=(times_of.st_atime_ns, times_of.st_mtime_ns))
        if exclusive:
            _link_exclusive(tmp, target)
        else:
            os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(folder)


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """``atomic_write(path, data)`` (no options) for data written in pieces: a binary file to
    write them to, put in place when the block ends (fsynced and renamed over ``path``), and
    removed if the block raises. For output too long to hold whole (the JSON report of a
    story of 200,000 short lines is 60 MB): the same rules, a symlink written through, an
    existing file's mode and owner kept."""
    target = write_target(path)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    _clean_stale_temps(folder)
    try:
        current = os.stat(target)
    except FileNotFoundError:
        current = None
    if current is not None and stat.S_ISDIR(current.st_mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    with _replacing(folder, target, current) as fh:
        yield fh


def _temp_stem(name: str) -> str:
    """``name`` cut so that ``.NAME.XXXXXXXX.tmp`` fits in a folder entry (255 bytes): a story
    name near the limit (the gate takes whatever the inbox holds) must still be writable.
    Cut on a character boundary of the name's bytes, which may be undecodable."""
    raw = os.fsencode(name)
    room = 255 - len(".") - len(".XXXXXXXX.tmp")
    if len(raw) <= room:
        return name
    cut = raw[:room]
    while cut:
        try:
            cut.decode("utf-8")
            break
        except UnicodeDecodeError as e:
            if e.start < len(cut) - 3:  # undecodable in the middle: bytes, not a cut character
                break
            cut = cut[:-1]
    return os.fsdecode(cut)


def write_all(fd: int, payload: bytes) -> None:
    """Write every byte of ``payload`` to ``fd`` (os.write may write fewer)."""
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _create_temp(folder: Path, name: str) -> tuple[int, str]:
    import secrets  # (with hmac and random: imports only a write needs)

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    stem = _temp_stem(name)
    for _ in range(100):
        suffix = "".join(secrets.choice(_TEMP_CHARS) for _ in range(8))
        tmp = os.path.join(folder, f".{stem}.{suffix}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp  # 0o666 & ~umask, as any new file
        except FileExistsError:
            continue
    raise FileExistsError(17, "no free temporary name", str(folder))


def _copy_meta(fd: int, st: os.stat_result) -> None:
    """Owner and group where permitted (chown first: it clears set-id bits), then mode."""
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
    except (PermissionError, AttributeError):
        try:
            os.fchown(fd, -1, st.st_gid)  # a group we belong to
        except (PermissionError, AttributeError):
            pass
    except OSError:
        pass
    os.fchmod(fd, stat.S_IMODE(st.st_mode))


def _link_exclusive(tmp: str, target: Path) -> None:
    """Rename ``tmp`` to ``target`` unless ``target`` exists (atomically, via a hard link)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links on this filesystem
        if os.path.lexists(target):
            raise FileExistsError(17, "File exists", str(target)) from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)


def _write_through(target: Path, payload: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        write_all(fd, payload)
        os.ftruncate(fd, len(payload))
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: str | os.PathLike) -> None:
    """Make a rename inside ``folder`` durable (best effort: some filesystems refuse)."""
    try:
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _clean_stale_temps(folder: Path) -> None:
    """Remove ``.NAME.XXXXXXXX.tmp`` files of ours older than an hour: what a kill between
    create and rename leaves. Once per folder per process."""
    key = os.path.abspath(folder)
    if key in _cleaned:
        return
    _cleaned.add(key)
    cutoff = time.time() - STALE_TEMP_SECONDS
    me = os.geteuid() if hasattr(os, "geteuid") else None
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(".tmp") and _TEMP_RE.fullmatch(entry.name)):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or st.st_mtime > cutoff or (me is not None and st.st_uid != me):
                continue
            os.unlink(entry.path)
        except OSError:
            continue
