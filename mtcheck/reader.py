"""Finding and reading wire stories: discovery, encoding detection, decoding.

Every failure a user's file can cause becomes an ``InputError`` with a one-line message;
callers report it and move on.
"""

from __future__ import annotations

import fnmatch
import math
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from mtcheck.document import Document

# What a story is, for every command that looks in folders (scan, fix, review, the gate):
# plain text and Markdown, and the formats wire copy arrives in (see ``mtcheck.readers``).
# A .json or .xml file that turns out not to be a story format is skipped with its reason.
DEFAULT_INCLUDE = ("*.txt", "*.md", "*.json", "*.xml", "*.nitf", "*.rss", "*.atom", "*.html", "*.htm")
# mtcheck's own reports beside stories (the gate writes <story>.mtcheck.json): never stories.
REPORT_SUFFIX = ".mtcheck.json"
# Names whose content is sniffed in discovery: a NewsML-G2 news message or a feed holds
# several stories (one per item), a .json/.xml that is no story format is skipped.
_SNIFFED = (".json", ".xml", ".nitf", ".rss", ".atom", ".rdf")
MAX_BYTES = 20 * 1024 * 1024  # a wire story is kilobytes; anything this big is not one

# Encodings we decide between when the bytes are not valid UTF-8. Wire copy from Russian
# sources arrives in these; charset-normalizer ranks them.
_CANDIDATES = ["cp1251", "koi8_r", "mac_cyrillic", "latin_1", "utf_16"]
# The single-byte Cyrillic code pages: every byte string decodes in each, so the detector's
# ranking is settled by how Russian the words look (``_cyrillic_score``).
_CYRILLIC = ("cp1251", "koi8-r", "mac-cyrillic")
_CANONICAL = {
    "utf_8": "utf-8",
    "utf_8_sig": "utf-8-sig",
    "utf_16": "utf-16",
    "utf_16_le": "utf-16-le",
    "utf_16_be": "utf-16-be",
    "cp1251": "cp1251",
    "windows_1251": "cp1251",
    "koi8_r": "koi8-r",
    "mac_cyrillic": "mac-cyrillic",
    "latin_1": "latin-1",
    "iso8859_1": "latin-1",
    "cp1252": "cp1252",
    "ascii": "utf-8",
}


class InputError(Exception):
    """A file that cannot be analysed; ``kind`` is one of unreadable, binary, corrupt, empty,
    too-large, undecodable."""

    def __init__(self, path: str, kind: str, message: str):
        super().__init__(message)
        self.path = path
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class EncodingError(ValueError):
    """Text that the encoding it is to be written in cannot represent; the message is one line."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    # What decoding could not do cleanly, for the integrity rules (dicts, see ``_lenient``):
    # bytes replaced by U+FFFD, an encoding that was a close call.
    issues: tuple = ()


def _matches(name: str, rel: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns)


def _unreadable(path: str, e: OSError) -> InputError:
    return InputError(path, "unreadable", f"cannot read: {e.strerror or e}")


def discover(
    paths: Iterable[str | os.PathLike],
    include: Iterable[str] = DEFAULT_INCLUDE,
    exclude: Iterable[str] = (),
    skipped: list | None = None,
    stories: bool = True,
) -> Iterator[tuple[str, InputError | None]]:
    """Yield (name, error) for every story under ``paths`` in a stable, sorted order.

    A file named explicitly is always taken (the user asked for it); inside folders only
    files matching ``include`` and not ``exclude`` are, and hidden folders are skipped.
    A folder that cannot be listed is an error of its own (the stories in it would otherwise
    vanish from the run without a word). A file holding several stories (a NewsML-G2 news
    message, a feed) yields one name per story, ``file#item-N``. ``skipped``, when given,
    gets (path, reason) for each file inside the folders that was not taken. ``stories=False``
    lists files, not stories (the gate moves files).
    """
    for name, error in _discover_files(paths, include, exclude, skipped):
        if stories and error is None and name.lower().endswith(_SNIFFED):
            yield from ((n, None) for n in story_names(name))
        else:
            yield name, error


def skipped_files(paths: Iterable[str | os.PathLike], include: Iterable[str] = DEFAULT_INCLUDE,
                  exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(path, reason) for every file under the folders in ``paths`` that is not a story."""
    out: list[tuple[str, str]] = []
    for _ in _discover_files(paths, include, exclude, out):
        pass
    return out


def _discover_files(paths, include, exclude, skipped):
    include, exclude = tuple(include), tuple(exclude)
    for raw in paths:
        p = Path(raw)
        try:
            st = os.stat(p)
        except FileNotFoundError:
            from mtcheck.readers import split_name

            base, item = split_name(str(p))
            if p.is_symlink():  # dangling: read_bytes says so when it is read
                yield str(p), None
            elif item is not None and os.path.isfile(base):  # one story of a file holding several
                yield str(p), None
            else:
                yield str(p), InputError(str(p), "unreadable", "no such file or directory")
            continue
        except OSError as e:  # e.g. a path inside a folder without the x bit
            yield str(p), _unreadable(str(p), e)
            continue
        if not stat.S_ISDIR(st.st_mode):
            yield str(p), None
            continue
        found: list[tuple[str, InputError | None]] = []

        def walk_error(e: OSError) -> None:
            where = e.filename if e.filename is not None else str(p)
            found.append((str(where), _unreadable(str(where), e)))

        for root, dirs, files in os.walk(p, onerror=walk_error):
            if skipped is not None:
                skipped.extend((str(Path(root) / d), "hidden folder") for d in dirs if d.startswith("."))
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in files:
                full = Path(root) / f
                rel = full.relative_to(p).as_posix()
                why = _not_taken(f, rel, str(full), include, exclude)
                if why is None:
                    found.append((str(full), None))
                elif skipped is not None:
                    skipped.append((str(full), why))
        yield from sorted(found, key=lambda item: item[0])


def _not_taken(name: str, rel: str, full: str, include, exclude) -> str | None:
    """Why a file inside a folder is not a story (None: it is taken)."""
    if name.endswith(REPORT_SUFFIX):
        return "an mtcheck report"
    if not _matches(name, rel, include):
        ext = os.path.splitext(name)[1]
        return f"not a story type ({'*' + ext if ext else 'no extension'}; --include adds patterns)"
    if _matches(name, rel, exclude):
        return "excluded (--exclude)"
    if name.lower().endswith((".json", ".xml")):
        try:
            with open(full, "rb") as fh:
                head = fh.read(65536 if name.lower().endswith(".json") else 4096)
        except OSError:
            return None  # reported when it is read
        from mtcheck import readers

        text = head.decode("utf-8", errors="replace")
        if name.lower().endswith(".json") and len(head) == 65536:
            return None  # a large JSON file: judged when read
        return readers.not_a_story(text, name)
    return None


# The stories of the multi-story files read last (discovery reads each to name its items,
# then each item is read in turn, after the whole folder is discovered): kept so a file is
# parsed once per use, not once for its name and once per item. Bounded by the files' size.
_MEMO: "dict[tuple, tuple[list, int]]" = {}
MEMO_CHARS = 32 * 1024 * 1024


def file_format(path: str) -> str | None:
    """The format of a file by its first 4 KB (``readers.sniff``); None if it cannot be
    opened (reading it later says why)."""
    from mtcheck import readers

    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    return readers.sniff(head.decode("utf-8", errors="replace"), path)


def story_names(path: str) -> list[str]:
    """The names of the stories a file holds: ``[path]``, or ``path#item-1`` ... for a news
    message or a feed with several items. A file that cannot be read or parsed keeps its
    name; reading it reports why."""
    from mtcheck import readers

    fmt = file_format(path)
    if fmt is None or fmt not in readers.MULTI:
        return [path]
    try:
        stories = _wire_stories(path)
    except InputError:
        return [path]
    if len(stories) == 1 and stories[0].source is not None and stories[0].source.item is None:
        return [path]
    return [readers.item_name(path, n) for n in range(1, len(stories) + 1)]


def _wire_stories(path: str, data: bytes | None = None) -> list:
    """The stories of a wire file (memoised for the file as it is on disk now)."""
    from mtcheck import readers

    try:
        st = os.stat(path)
        key = (os.path.realpath(path), st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    entry = _MEMO.pop(key, None) if key is not None else None
    if entry is not None:
        _MEMO[key] = entry  # now the most recently used
        return entry[0]
    if data is None:
        data = read_bytes(path)
    decoded = decode(data, path)
    fmt = readers.sniff(decoded.text, path)
    try:
        stories = readers.read_stories(decoded.text, path, decoded.encoding, fmt)
    except readers.WireError as e:
        raise InputError(path, e.kind, e.message) from None
    if key is not None:
        _MEMO[key] = (stories, len(decoded.text))
        while len(_MEMO) > 1 and sum(size for _, size in _MEMO.values()) > MEMO_CHARS:
            del _MEMO[next(iter(_MEMO))]  # the least recently used
    return stories


# -- decoding -------------------------------------------------------------------------------

# A story in which more than this share of the characters are NULs or control characters is
# not a story that lost a few bytes but a damaged file: refused whole, never "fixed".
CORRUPT_SHARE = 0.01
CORRUPT_MIN = 8
# NULs and control characters: all of C0 but tab, line feed and carriage return; DEL; C1.
_CONTROL = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")
_ESCAPED = re.compile("[\udc80-\udcff]+")


def decode(data: bytes, path: str = "<bytes>") -> Decoded:
    """Decode story bytes: BOMs first, then UTF-8 (strict, then with a few bad bytes
    replaced and reported), then a ranked detector for the single-byte code pages."""
    if not data:
        raise InputError(path, "empty", "empty file, skipped")
    decoded = _decode(data, path)
    _refuse_corrupt(decoded.text, path)
    return decoded


def _decode(data: bytes, path: str) -> Decoded:
    if data.startswith(b"\xef\xbb\xbf"):
        # The BOM says UTF-8; bytes that are not are reported, never a reason to guess again.
        text, issues = _lenient(data[3:], "utf-8", base=3)
        if issues and not _mostly_utf8(data[3:]):
            raise InputError(path, "undecodable", "has a UTF-8 byte-order mark but most of it is not UTF-8; convert the file to UTF-8")
        return Decoded(text, "utf-8-sig", issues)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        little = data.startswith(b"\xff\xfe")
        try:
            text = data[2:].decode("utf-16-le" if little else "utf-16-be")
        except UnicodeDecodeError:
            raise InputError(path, "undecodable", "has a UTF-16 byte-order mark but is not valid UTF-16") from None
        # "utf-16" is what Python writes (BOM, little-endian); a big-endian file keeps its order.
        return Decoded(text, "utf-16" if little else "utf-16-be-bom")
    enc = _utf16_without_bom(data)
    if enc is not None:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            text = None
        if text is not None and _printable(text[:4096]):
            return Decoded(text, enc)
    if _control_ratio(data[:8192]) > 0.05:
        raise InputError(path, "binary", "binary file, not text; skipped")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        text, issues = _lenient(data, "utf-8")
        return Decoded(text, "utf-8", issues)
    return _detect_legacy(data, path)


def _refuse_corrupt(text: str, path: str) -> None:
    bad = len(_CONTROL.findall(text))
    # A short story with one stray control character is a finding, not a damaged file.
    if bad > max(CORRUPT_MIN, CORRUPT_SHARE * len(text)):
        nuls = text.count("\x00")
        what = f"{nuls} NUL byte{'s' * (nuls != 1)}" if nuls else "control characters"
        if nuls and bad > nuls:
            what += " and other control characters"
        raise InputError(path, "corrupt",
                         f"damaged file: {what} make up {bad / len(text):.0%} of the text (over {CORRUPT_SHARE:.0%}); skipped")


def _mostly_utf8(data: bytes) -> bool:
    """True when bytes that are not valid UTF-8 are stray ones in a UTF-8 file, not the text
    of a single-byte code page. A cp1251 or latin-1 file forms valid multi-byte sequences only
    by accident (cp1251 "В" + no-break space is one), a handful for every hundred invalid
    bytes; a UTF-8 file with a pasted byte or two has at least as many valid ones."""
    text = data.decode("utf-8", errors="surrogateescape")
    invalid = sum(len(m.group()) for m in _ESCAPED.finditer(text))
    valid = sum(1 for c in text if c >= "\x80") - invalid
    return valid >= 1 and 4 * valid >= invalid


def _lenient(data: bytes, codec: str, base: int = 0) -> tuple[str, tuple]:
    """Decode, putting one U+FFFD for every byte ``codec`` cannot decode, and say where each
    run of them lies: in the text (start, end) and in the file (byte offset, bytes as hex).
    Linear: the surrogate escapes Python leaves for bad bytes are found with one regex pass."""
    raw = data.decode(codec, errors="surrogateescape")
    if not _ESCAPED.search(raw):
        return raw, ()
    single_byte = codec != "utf-8"
    out: list[str] = []
    issues = []
    pos = 0
    byte = base
    for m in _ESCAPED.finditer(raw):
        before = raw[pos:m.start()]
        byte += len(before) if single_byte else len(before.encode("utf-8"))
        bad = bytes(ord(c) - 0xDC00 for c in m.group())
        out.append(before)
        start = m.start()  # one U+FFFD per escaped byte: offsets in raw are offsets in the text
        out.append("\ufffd" * len(bad))
        issues.append({"kind": "invalid-bytes", "start": start, "end": start + len(bad), "offset": byte,
                       "bytes": bad.hex(), "encoding": _CANONICAL.get(codec.replace("-", "_"), codec)})
        byte += len(bad)
        pos = m.end()
    out.append(raw[pos:])
    return "".join(out), tuple(issues)


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


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _control_ratio(sample: bytes) -> float:
    if not sample:
        return 0.0
    bad = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # counted in C
    return bad / len(sample)


def _detect_legacy(data: bytes, path: str) -> Decoded:
    from charset_normalizer import from_bytes  # imported here: only non-UTF-8 input pays for it

    results = from_bytes(data, cp_isolation=_CANDIDATES + ["cp1252"])
    best = results.best()
    if best is None:
        raise InputError(path, "undecodable", "could not detect the text encoding; convert the file to UTF-8")
    enc = _CANONICAL.get(best.encoding, best.encoding)
    if enc == "utf-16":
        enc = "utf-16-le"  # no BOM (that case is settled before): Python read it little-endian
    if enc == "cp1252" and not any(0x80 <= b <= 0x9F for b in data):
        # cp1252 differs from ISO-8859-1 only in 0x80-0x9F; without those bytes the file is
        # plain latin-1, and that is what it is reported as.
        enc = "latin-1"
    issues: tuple = ()
    if enc in _CYRILLIC:
        enc, issues = _pick_cyrillic(data, [_CANONICAL.get(r.encoding, r.encoding) for r in results])
    # cp1251 leaves one byte (0x98) undefined: it becomes U+FFFD, reported, rather than the
    # story being refused.
    if enc not in _CYRILLIC + ("latin-1", "cp1252"):
        return Decoded(data.decode(_CODECS.get(enc, enc), errors="replace"), enc, issues)
    text, bad = _lenient(data, _CODECS[enc])
    return Decoded(text, enc, issues + bad)


# -- the Cyrillic code pages ----------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_RUSSIAN = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў")
# A symbol glued inside a word ("объявл€ет": mac-cyrillic read for cp1251's "я") or right
# before a lower-case letter ("„ейр": cp1251 read for mac-cyrillic's "Д").
_GLUED = re.compile(r"(?<=[^\W\d_])[^\w\s.,;:!?'\"()\[\]\-/](?=[^\W\d_])"
                    r"|(?<![^\W\d_])[\u2010-\u22ff\u0080-\u00aa\u00ac-\u00ba\u00bc-\u00bf](?=[а-яё])")


# Russian letter frequencies (per cent of letters in running text): a reading in the wrong
# code page is made of the wrong letters, even where its case pattern is plausible (a
# headline in capitals read in koi8-r for cp1251 comes out in lower case).
_FREQ = dict(zip("оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё", (
    10.97, 8.45, 8.01, 7.35, 6.70, 6.26, 5.47, 4.73, 4.54, 4.40, 3.49, 3.21, 2.98, 2.81, 2.62, 2.01, 1.90,
    1.74, 1.70, 1.65, 1.59, 1.44, 1.21, 0.97, 0.94, 0.73, 0.64, 0.48, 0.36, 0.32, 0.26, 0.04, 0.04)))
_WEIGHT = {c: max(-3.0, min(2.0, math.log2(f / 3.0))) for c, f in _FREQ.items()}


# Box drawing and mathematical signs: koi8-r and mac-cyrillic put them where the other code
# pages have letters; no news story is written in them.
_NOT_TEXT = re.compile("[\u2200-\u22ff\u2320-\u2321\u2500-\u25ff\u00f7\u0192\u00ac]")


def _cyrillic_score(text: str) -> float:
    """How Russian the words of ``text`` look: common letters in well-formed words count for,
    rare letters and malformed words against. Misread code pages swap case (koi8-r for
    cp1251), turn capitals into Serbian letters or punctuation (cp1251 for mac-cyrillic:
    "Џривет"), glue symbols into words and use the wrong letters; real text does not."""
    score = 0.0
    for m in _WORD.finditer(text):
        w = m.group()
        if not any("\u0400" <= c <= "\u04ff" for c in w):
            continue
        low = w.lower()
        if any(c not in _RUSSIAN for c in low):  # Latin mixed in, or Ђ Љ Њ Ћ Џ ...
            score -= 2 * len(w)
        elif w == low or (w[0].isupper() and w[1:] == low[1:]):
            score += len(w) + sum(_WEIGHT.get(c, 0.0) for c in low)
        elif w.isupper():
            # Headlines and acronyms are set in capitals, but misread lower case is too.
            score += len(w) / 2 + sum(_WEIGHT.get(c, 0.0) for c in low)
        else:
            score -= 2 * len(w)  # "мИНИСТЕРСТВО", "заЯвил"
    score -= 5 * len(_GLUED.findall(text)) + 3 * len(_NOT_TEXT.findall(text))
    return score


def _pick_cyrillic(data: bytes, ranked: list[str]) -> tuple[str, tuple]:
    """The Cyrillic code page whose reading looks most Russian; ``ranked`` (the detector's
    order) settles ties. A close call between readings that differ is reported."""
    readings = {enc: data.decode(_CODECS[enc], errors="replace") for enc in _CYRILLIC}
    order = {enc: (ranked.index(enc) if enc in ranked else len(ranked)) for enc in _CYRILLIC}
    scores = {enc: _cyrillic_score(t) for enc, t in readings.items()}
    best, *others = sorted(_CYRILLIC, key=lambda e: (-scores[e], order[e]))
    # The runner-up that reads differently (cp1251 and mac-cyrillic share most lower case).
    second = next((e for e in others if readings[e] != readings[best]), None)
    if second is None:
        return best, ()
    cyrillic = sum(1 for c in readings[best] if "\u0400" <= c <= "\u04ff")
    # A few short words can read as Russian in two code pages ("ЧП" in cp1251 is "во" in
    # koi8-r): below this margin the choice is reported as a guess.
    if scores[best] - scores[second] >= max(8.0, 0.15 * cyrillic):
        return best, ()
    start, end = _first_difference(readings[best], readings[second])
    return best, ({"kind": "uncertain-encoding", "start": start, "end": end, "encoding": best,
                   "alternative": second, "alternative_text": readings[second][start:end]},)


def _first_difference(a: str, b: str) -> tuple[int, int]:
    """The word of ``a`` holding the first character where ``a`` and ``b`` differ (the two
    are readings of the same single-byte file, so their offsets line up)."""
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), 0)
    start, end = i, i + 1
    while start > 0 and a[start - 1].isalpha():
        start -= 1
    while end < len(a) and a[end].isalpha():
        end += 1
    return start, end


# -- writing a story back -------------------------------------------------------------------

_CODECS = {
    "utf-8": "utf-8",
    "utf-16-le": "utf-16-le",
    "utf-16-be": "utf-16-be",
    "cp1251": "cp1251",
    "koi8-r": "koi8_r",
    "mac-cyrillic": "mac_cyrillic",
    "latin-1": "latin_1",
    "cp1252": "cp1252",
}
_BOMS = {"utf-8-sig": (b"\xef\xbb\xbf", "utf-8"), "utf-16": (b"\xff\xfe", "utf-16-le"),
         "utf-16-be-bom": (b"\xfe\xff", "utf-16-be")}


def encode_story(text: str, encoding: str) -> bytes:
    """The bytes of ``text`` in ``encoding`` exactly as the reader reports it (BOM and byte
    order included), so ``encode_story(decode(b).text, decode(b).encoding) == b``. Raises
    ``EncodingError`` when the text holds a character the encoding lacks."""
    if encoding in _BOMS:
        bom, codec = _BOMS[encoding]
    elif encoding in _CODECS:
        bom, codec = b"", _CODECS[encoding]
    else:
        raise EncodingError(f"unknown encoding '{encoding}'")
    try:
        return bom + text.encode(codec)
    except UnicodeEncodeError as e:
        bad = e.object[e.start:e.end]
        what = ", ".join(f"'{c}' (U+{ord(c):04X})" if c.isprintable() else f"U+{ord(c):04X}" for c in dict.fromkeys(bad))
        raise EncodingError(f"the text no longer fits {encoding}: {what} at character {e.start} cannot be written in it") from None


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


def read_document(path: str, fmt: str | None = None) -> Document:
    """The story at ``path``: a file, or ``file#item-N`` for one story of a file that holds
    several. The format is sniffed from the content (``fmt`` forces one: ``scan -
    --stdin-format``); a wire story's ``Document.source`` maps its text back to the file."""
    from mtcheck import readers

    file, item = path, None
    if not os.path.lexists(path):
        base, number = readers.split_name(path)
        if number is not None and os.path.lexists(base):
            file, item = base, number
    data = read_bytes(file)
    return document_from_bytes(data, path, file=file, item=item, fmt=fmt)


def _blank(text: str) -> bool:
    """``not text.strip()``, without the stripped copy of the whole story: isspace stops at the
    first character that is not whitespace."""
    return not text or text.isspace()


def document_from_bytes(data: bytes, path: str, file: str | None = None, item: int | None = None,
                        fmt: str | None = None) -> Document:
    """The story ``data`` holds (``item``: the N-th of a file holding several), named ``path``."""
    from mtcheck import readers

    file = file or path
    decoded = decode(data, path)
    if _blank(decoded.text):
        raise InputError(path, "empty", "file holds only whitespace, skipped")
    fmt = fmt or readers.sniff(decoded.text, file)
    if fmt == readers.PLAIN:
        if item is not None:
            raise InputError(path, "unreadable", f"no item {item}: the file holds one story")
        doc = Document.from_text(decoded.text, path=path, encoding=decoded.encoding)
        doc.decode_issues = list(decoded.issues)
        return doc
    if item is None and fmt not in readers.MULTI:
        try:
            stories = readers.read_stories(decoded.text, file, decoded.encoding, fmt)
        except readers.WireError as e:
            raise InputError(path, e.kind, e.message) from None
    else:
        stories = _wire_stories(file, data) if file != "-" else readers.read_stories(decoded.text, file, decoded.encoding, fmt)
    if item is None:
        if len(stories) > 1:
            raise InputError(path, "multi", f"holds {len(stories)} stories: name one as {readers.item_name(path, 1)}")
        story = stories[0]
    elif 1 <= item <= len(stories):
        story = stories[item - 1]
    else:
        raise InputError(path, "unreadable", f"no item {item}: the file holds {len(stories)}")
    if story.error is not None:
        raise InputError(path, story.error.kind, story.error.message)
    doc = Document.from_text(story.text, path=path, encoding=decoded.encoding)
    doc.source = story.source
    # Decoding issues are positions in the file text, not in the story's text: kept only
    # where the two are the same file (plain text); a wire file's bad bytes are a warning.
    return doc


# -- a story on standard input (``scan -``) ----------------------------------------------------

# ``--stdin-format`` names -> reader formats (None: sniffed from the content, as a file is).
STDIN_FORMATS = {"auto": None, "plain": "plain", "markdown": "plain", "ninjs": "ninjs", "newsml": "newsml",
                 "nitf": "nitf", "rss": "feed", "atom": "feed", "feed": "feed", "html": "html"}


def stdin_documents(data: bytes, name: str, fmt: str | None = None) -> list[tuple[str, Document | None, InputError | None]]:
    """The stories of ``data`` read from standard input, as (name, document, error): named
    ``name`` (``--stdin-filename``; ``name#item-N`` for each item of a feed or news message of
    several) and read exactly as the same bytes in a file of that name would be. ``fmt``
    forces a reader format (None: sniffed). Input that holds no story (empty, binary,
    malformed) raises ``InputError`` with a one-line message; an item of a feed that cannot
    be read is that item's error, the other items are still read."""
    from mtcheck import readers

    if not data:
        raise InputError(name, "empty", "standard input is empty: no story to check")
    if len(data) > MAX_BYTES:
        raise InputError(name, "too-large", f"standard input holds over {MAX_BYTES // (1024 * 1024)} MiB; not a story")
    decoded = decode(data, name)
    if _blank(decoded.text):
        raise InputError(name, "empty", "standard input holds only whitespace")
    fmt = fmt or readers.sniff(decoded.text, name)
    if fmt not in readers.MULTI:
        # One story, read as a file is (never through the memo of multi-story files: a file
        # of this name, if there is one, is not what was read).
        return [(name, document_from_bytes(data, name, file=name, fmt=fmt), None)]
    try:
        stories = readers.read_stories(decoded.text, name, decoded.encoding, fmt)
    except readers.WireError as e:
        raise InputError(name, e.kind, e.message) from None
    out: list[tuple[str, Document | None, InputError | None]] = []
    whole = len(stories) == 1 and stories[0].source is not None and stories[0].source.item is None  # as story_names
    for n, story in enumerate(stories, 1):
        path = name if whole else readers.item_name(name, n)
        if story.error is not None:
            out.append((path, None, InputError(path, story.error.kind, story.error.message)))
            continue
        doc = Document.from_text(story.text, path=path, encoding=decoded.encoding)
        doc.source = story.source
        out.append((path, doc, None))
    return out
