"""Finding and reading wire stories: discovery, encoding detection, decoding.

Every failure a user's file can cause becomes an ``InputError`` with a one-line message;
callers report it and move on.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from mtcheck.document import Document

DEFAULT_INCLUDE = ("*.txt", "*.md")
MAX_BYTES = 20 * 1024 * 1024  # a wire story is kilobytes; anything this big is not one

# Encodings we decide between when the bytes are not valid UTF-8. Wire copy from Russian
# sources arrives in these; charset-normalizer ranks them.
_CANDIDATES = ["cp1251", "koi8_r", "latin_1", "utf_16"]
_CANONICAL = {
    "utf_8": "utf-8",
    "utf_8_sig": "utf-8-sig",
    "utf_16": "utf-16",
    "utf_16_le": "utf-16-le",
    "utf_16_be": "utf-16-be",
    "cp1251": "cp1251",
    "windows_1251": "cp1251",
    "koi8_r": "koi8-r",
    "latin_1": "latin-1",
    "iso8859_1": "latin-1",
    "cp1252": "cp1252",
    "ascii": "utf-8",
}


class InputError(Exception):
    """A file that cannot be analysed; ``kind`` is one of unreadable, binary, empty, too-large, undecodable."""

    def __init__(self, path: str, kind: str, message: str):
        super().__init__(message)
        self.path = path
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def _matches(name: str, rel: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns)


def discover(
    paths: Iterable[str | os.PathLike],
    include: Iterable[str] = DEFAULT_INCLUDE,
    exclude: Iterable[str] = (),
) -> Iterator[tuple[str, InputError | None]]:
    """Yield (path, error) for every story under ``paths`` in a stable, sorted order.

    A file named explicitly is always taken (the user asked for it); inside folders only
    files matching ``include`` and not ``exclude`` are, and hidden folders are skipped.
    """
    include, exclude = tuple(include), tuple(exclude)
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = []
            for root, dirs, files in os.walk(p, onerror=None):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in files:
                    full = Path(root) / f
                    rel = full.relative_to(p).as_posix()
                    if _matches(f, rel, include) and not _matches(f, rel, exclude):
                        found.append(str(full))
            yield from ((f, None) for f in sorted(found))
        elif p.exists() or p.is_symlink():
            yield str(p), None
        else:
            yield str(p), InputError(str(p), "unreadable", "no such file or directory")


def decode(data: bytes, path: str = "<bytes>") -> Decoded:
    """Decode story bytes: BOMs first, then strict UTF-8, then a ranked detector."""
    if not data:
        raise InputError(path, "empty", "empty file, skipped")
    if data.startswith(b"\xef\xbb\xbf"):
        return Decoded(data[3:].decode("utf-8", errors="strict"), "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            raise InputError(path, "undecodable", "has a UTF-16 byte-order mark but is not valid UTF-16") from None
    enc = _utf16_without_bom(data)
    if enc is not None:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            text = None
        if text is not None and _printable(text[:4096]):
            return Decoded(text, enc)
    if b"\x00" in data[:8192] or _control_ratio(data[:8192]) > 0.05:
        raise InputError(path, "binary", "binary file, not text; skipped")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    return _detect_legacy(data, path)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the bytes look like UTF-16 text without a BOM: one byte
    lane (the high bytes) nearly constant at 0x00 (Latin), 0x01 (Latin Extended) or 0x04
    (Cyrillic, which has no zero bytes at all), the other lane varied."""
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    half = len(sample) // 2
    lanes = {"utf-16-le": (sample[1::2], sample[0::2]), "utf-16-be": (sample[0::2], sample[1::2])}
    for enc, (high, low) in lanes.items():
        for value in (0x00, 0x01, 0x04):
            if high.count(value) > 0.6 * half and max(low.count(b) for b in set(low)) < 0.6 * half:
                return enc
    return None


def _printable(text: str) -> bool:
    """Text, not numbers that happen to look like UTF-16: almost no control characters."""
    bad = sum(1 for c in text if (c < " " and c not in "\t\n\r\f") or "\x7f" <= c < "\xa0")
    return bad <= 0.02 * max(1, len(text))


def _control_ratio(sample: bytes) -> float:
    if not sample:
        return 0.0
    bad = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return bad / len(sample)


def _detect_legacy(data: bytes, path: str) -> Decoded:
    from charset_normalizer import from_bytes  # imported here: only non-UTF-8 input pays for it

    results = from_bytes(data, cp_isolation=_CANDIDATES + ["cp1252"])
    best = results.best()
    if best is None:
        raise InputError(path, "undecodable", "could not detect the text encoding; convert the file to UTF-8")
    enc = _CANONICAL.get(best.encoding, best.encoding)
    if enc == "cp1252" and not any(0x80 <= b <= 0x9F for b in data):
        # cp1252 differs from ISO-8859-1 only in 0x80-0x9F; without those bytes the file is
        # plain latin-1, and that is what it is reported as.
        enc = "latin-1"
    # cp1251 and koi8-r both decode any byte string; charset-normalizer ranks them by how
    # Russian the result looks, but short texts can tie. Prefer the one whose Cyrillic has
    # more lower-case letters (koi8-r read as cp1251 and vice versa swaps the cases).
    if enc in ("cp1251", "koi8-r"):
        enc = max(("cp1251", "koi8-r"), key=lambda e: _cyrillic_lower_share(data.decode(e, errors="replace")))
    # cp1251 leaves one byte (0x98) undefined: replace it rather than refuse the story.
    return Decoded(data.decode(enc, errors="replace"), enc)


def _cyrillic_lower_share(text: str) -> float:
    cyr = [c for c in text if "\u0400" <= c <= "\u04ff"]
    if not cyr:
        return 0.0
    return sum(c.islower() for c in cyr) / len(cyr)


def read_bytes(path: str) -> bytes:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, "unreadable", "no such file or directory") from None
    except OSError as e:
        raise InputError(path, "unreadable", f"cannot read: {e.strerror or e}") from None
    if not os.path.isfile(path):
        raise InputError(path, "unreadable", "not a regular file")
    if st.st_size > MAX_BYTES:
        raise InputError(path, "too-large", f"file is {st.st_size // (1024 * 1024)} MiB, over the {MAX_BYTES // (1024 * 1024)} MiB limit; skipped")
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise InputError(path, "unreadable", f"cannot read: {e.strerror or e}") from None


def read_document(path: str) -> Document:
    decoded = decode(read_bytes(path), path)
    if not decoded.text.strip():
        raise InputError(path, "empty", "file holds only whitespace, skipped")
    return Document.from_text(decoded.text, path=path, encoding=decoded.encoding)
