"""Where mtcheck keeps what it computes: the cache base folder shared by the result store
(``results.sqlite``) and the prepared models (``models/``).

The folder is chosen once per process from the run's settings (``configure``, called when a
pipeline is built, in the main process and in every worker); a library caller that never
configures one gets ``$MTCHECK_CACHE_DIR``, else the user cache folder (platformdirs).
Nothing else in mtcheck decides this, and no module passes it through the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "MTCHECK_CACHE_DIR"
_configured: Path | None = None


def configure(folder: str | os.PathLike | None) -> None:
    """Use ``folder`` as the cache base for the rest of this process (None: the default)."""
    global _configured
    _configured = Path(folder).expanduser() if folder else None


def cache_base() -> Path:
    if _configured is not None:
        return _configured
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mtcheck", appauthor=False))


# -- files built from data and kept ----------------------------------------------------------
# What mtcheck builds from its data files once and keeps (the gazetteer's index, the lexicon's
# English side) lies in a folder of the cache base, one file per set of sources, named by a
# hash of everything it is built from: so a changed source is never answered by an old file.
# A file that is missing, unreadable, not a regular file or too large is ignored (built again);
# a folder that cannot be written only costs the next process the build.


def sources_digest(header: str, paths) -> str | None:
    """The SHA-256 of ``header`` and each path's name, size and bytes; None when one cannot be
    read (the build then says why)."""
    import hashlib

    digest = hashlib.sha256(header.encode())
    for path in map(Path, paths):
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest.update(f"{path}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def read_kept(path: Path, max_bytes: int):
    """A kept file's plain payload (``mtcheck.codec``: loading builds values and runs no code),
    marked as recently used; None when it is not a regular file of at most ``max_bytes`` or
    cannot be decoded. The caller checks the payload's own format and key."""
    import stat

    from mtcheck import codec

    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        payload = codec.decode(path.read_bytes())
    except (OSError, ValueError):
        return None
    try:
        os.utime(path)  # (recently used: kept by the pruning)
    except OSError:
        pass
    return payload


def write_kept(path: Path, payload, keep: int, pattern: str) -> None:
    """Store ``payload`` at ``path`` (atomically), then remove all but the ``keep`` most
    recently used files matching ``pattern`` in its folder; failures are silent."""
    from mtcheck import codec
    from mtcheck.fsutil import atomic_write

    try:
        atomic_write(path, codec.encode(payload), replace_links=True)
        stored = sorted(path.parent.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in stored[keep:]:
            old.unlink()
    except (OSError, ValueError, TypeError):
        pass
