"""The stories of one review: which files under the reviewed folder are stories, and reading
one (its hash, text and encoding). Shared by the session and the export."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass
class StoryFile:
    rel: str  # posix path relative to the reviewed folder: the story's only name on the wire
    path: Path  # absolute
    error: str | None = None  # why it cannot be reviewed (outside the folder, unreadable, ...)


def discover_files(root: Path, include, exclude) -> tuple[Path, list[StoryFile]]:
    """The stories under ``root`` (a folder, or one file whose folder becomes the root)."""
    from mtcheck.reader import discover

    root = root.resolve()
    base = root if root.is_dir() else root.parent
    out: list[StoryFile] = []
    for path, error in discover([str(root)], include, exclude):
        p = Path(path)
        rel = p.relative_to(base).as_posix() if p.is_absolute() else Path(path).as_posix()
        sf = StoryFile(rel=rel, path=p)
        try:
            real = p.resolve()
        except OSError as e:
            sf.error = f"cannot resolve: {e}"
        else:
            if not real.is_relative_to(base):
                sf.error = "links outside the reviewed folder; skipped"
        if error is not None:
            sf.error = error.message
        elif sf.error is None:
            sf.error = _wire_format(p)
        out.append(sf)
    return base, out


def _wire_format(path: Path) -> str | None:
    """Why a wire file (ninjs, NewsML-G2, NITF, a feed, a web page) is not reviewed here: the
    desk shows, edits and exports a story's text as it is on disk, and offsets into a wire
    file's checked text would land in its markup. None for plain text and Markdown."""
    from mtcheck import readers
    from mtcheck.reader import file_format

    fmt = file_format(str(path))
    if fmt is None or fmt == readers.PLAIN:
        return None
    return (f"{fmt} wire file: the review desk takes plain text and Markdown; "
            "check it with `mtcheck scan`, fix it with `mtcheck fix`")


def read_story(path: Path) -> tuple[str, str, str]:
    """(sha256 of the bytes, decoded text, encoding); raises ``InputError``."""
    from mtcheck.reader import InputError, decode, read_bytes

    data = read_bytes(str(path))
    decoded = decode(data, str(path))
    if not decoded.text.strip():
        raise InputError(str(path), "empty", "file holds only whitespace, skipped")
    return hashlib.sha256(data).hexdigest(), decoded.text, decoded.encoding
