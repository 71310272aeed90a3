"""The stories of one review: which files under the reviewed folder are stories, and reading
one (its version hash, checked text and encoding). Shared by the session and the export.

A plain-text or Markdown story is its file's text. A wire file (ninjs, NewsML-G2, NITF, a
feed, a web page) is read by its reader (``mtcheck.readers``): the desk shows, decides on and
exports the story text the reader extracts (the checked text, the one ``mtcheck scan``
judges), and each item of a feed or news message is a story of its own, named
``file#item-N`` as in reports. Card offsets are into that checked text; the export writes
the decisions back into the file in its own format (``readers.written_back_all``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from mtcheck.sourcemap import SourceMap


@dataclass
class StoryFile:
    rel: str  # posix path relative to the reviewed folder (file#item-N for an item): the story's only name on the wire
    path: Path  # absolute: the file, or file#item-N for one story of a file that holds several
    error: str | None = None  # why it cannot be reviewed (outside the folder, unreadable, ...)
    item: int | None = None  # N of file#item-N

    @property
    def disk(self) -> Path:
        """The file on disk the story is read from (and every confinement check resolves)."""
        if self.item is None:
            return self.path
        return self.path.with_name(self.path.name.rpartition("#")[0])

    @property
    def file_rel(self) -> str:
        """The file's name relative to the reviewed folder: where the export writes it."""
        return self.rel if self.item is None else self.rel.rpartition("#")[0]


@dataclass
class StoryText:
    sha256: str  # the version decisions are made on: of the file's bytes (and the item number)
    text: str  # the checked text: the file's text, or a wire story's extracted text
    encoding: str
    source: SourceMap | None = None  # a wire story's map back to its file


def discover_files(root: Path, include, exclude) -> tuple[Path, list[StoryFile]]:
    """The stories under ``root`` (a folder, or one file whose folder becomes the root)."""
    import os

    from mtcheck.reader import discover
    from mtcheck.readers import split_name

    root = root.resolve()
    base = root if root.is_dir() else root.parent
    out: list[StoryFile] = []
    for path, error in discover([str(root)], include, exclude):
        p = Path(path)
        item = None
        if not os.path.lexists(p):  # one story of a feed or news message: file#item-N
            file, number = split_name(path)
            if number is not None and os.path.lexists(file):
                item = number
        rel = p.relative_to(base).as_posix() if p.is_absolute() else Path(path).as_posix()
        sf = StoryFile(rel=rel, path=p, item=item)
        try:
            real = sf.disk.resolve()
        except OSError as e:
            sf.error = f"cannot resolve: {e}"
        else:
            if not real.is_relative_to(base):
                sf.error = "links outside the reviewed folder; skipped"
        if error is not None:
            sf.error = error.message
        out.append(sf)
    return base, out


def load_story(sf: StoryFile) -> StoryText:
    """The story as the scanner reads it; raises ``InputError``."""
    from mtcheck import readers
    from mtcheck.reader import InputError, decode, document_from_bytes, read_bytes

    data = read_bytes(str(sf.disk))
    digest = hashlib.sha256(data)
    if sf.item is not None:
        # The items of one file share its bytes: each is its own version (and scan).
        digest.update(readers.item_name("", sf.item).encode())
    decoded = decode(data, str(sf.path))
    if not decoded.text.strip():
        raise InputError(str(sf.path), "empty", "file holds only whitespace, skipped")
    if sf.item is None and readers.sniff(decoded.text, str(sf.disk)) == readers.PLAIN:
        return StoryText(digest.hexdigest(), decoded.text, decoded.encoding)
    doc = document_from_bytes(data, str(sf.path), file=str(sf.disk), item=sf.item)
    return StoryText(digest.hexdigest(), doc.text, decoded.encoding, doc.source)


def read_story(path: Path, item: int | None = None) -> tuple[str, str, str]:
    """(version hash, checked text, encoding) of the story at ``path`` (``item``: the N-th
    story of a file holding several); raises ``InputError``."""
    from mtcheck.readers import item_name

    if item is not None:
        path = Path(item_name(str(path), item))
    story = load_story(StoryFile(rel=path.name, path=path, item=item))
    return story.sha256, story.text, story.encoding
