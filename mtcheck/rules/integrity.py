"""integrity rules (prefix I): the text is not the text that was written.

Bytes that are not valid in the file's encoding, NULs and control characters, a code page
that was a guess, and degenerate text (one sentence repeated thousands of times, a story
made of escape sequences) are not translation problems but damage, and must reach an
editor instead of passing the gate as good English. The reader records what it could not
decode (``Document.decode_issues``); the rest is found in the text. Every check is one
linear pass.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from functools import lru_cache
from typing import Iterable, Iterator

from mtcheck.document import Document
from mtcheck.findings import Finding, Severity, replacement_fix
from mtcheck.rules.base import Context, Family, Rule, finditer_from

INVALID_BYTES = Rule(
    code="I101",
    name="invalid-bytes",
    category="integrity",
    severity=Severity.ERROR,
    summary="Bytes that are not valid in the file's encoding (a stray latin-1 byte in UTF-8), shown as U+FFFD",
    why="A byte pasted from another encoding cannot be read; the file is read as UTF-8 all the same "
    "(re-reading it in a single-byte code page would garble every other line) and the byte is reported "
    "where it is. Its fix reads it in Windows-1252 (Latin context) or Windows-1251 (Cyrillic context); "
    "safe when that gives a letter or typographic punctuation.",
    example="caf\\xe9 (byte 0xE9 in UTF-8) → café",
    fix="safe",
)
NUL_BYTES = Rule(
    code="I102",
    name="nul-bytes",
    category="integrity",
    severity=Severity.ERROR,
    summary="NUL bytes in the text",
    why="NULs are not text: the file was damaged in transfer or written by a broken tool. Deleting them "
    "is safe; a file with more than 1% of them is refused as corrupt.",
    example="the talks\\0\\0\\0 ended → the talks ended",
    fix="safe",
)
CONTROL_CHARACTERS = Rule(
    code="I103",
    name="control-characters",
    category="integrity",
    severity=Severity.WARNING,
    summary="Control characters other than tab and line breaks (terminal escapes, form feeds, C1 controls)",
    why="Invisible in an editor, they break rendering and search downstream. The fix deletes them "
    "(a form feed or vertical tab becomes a line break); a file with more than 1% of them is refused as corrupt.",
    example="\\x1b[1mMoscow\\x1b[0m → Moscow",
    fix="safe",
)
UNCERTAIN_ENCODING = Rule(
    code="I104",
    name="uncertain-encoding",
    category="integrity",
    severity=Severity.WARNING,
    summary="The single-byte code page was a close call (cp1251, koi8-r, mac-cyrillic read equally well)",
    why="Short Cyrillic texts read as plausible Russian in more than one code page; the reading chosen "
    "may be the wrong one. Check the text, or convert the file to UTF-8 at the source.",
    example="ЧП (cp1251) / во (koi8-r)",
)
REPEATED_TEXT = Rule(
    code="I105",
    name="repeated-text",
    category="integrity",
    severity=Severity.ERROR,
    summary="Degenerate text: one sentence repeated many times, or text that repeats itself",
    why="A translation system stuck in a loop, or a broken export, produces the same sentence over and "
    "over; the words are English, so the language and fluency checks pass it.",
    example="The army advanced. The army advanced. The army advanced. ... (15,000 times)",
)
ESCAPE_SEQUENCES = Rule(
    code="I106",
    name="escape-sequences",
    category="integrity",
    severity=Severity.ERROR,
    summary="Text dominated by escape sequences (\\u041c\\u043e..., &#1052;..., %D0%9C...)",
    why="The story was exported escaped (JSON, HTML entities, URL encoding) and never decoded: "
    "what the reader gets is code, not text.",
    example="\\u041c\\u043e\\u0441\\u043a\\u0432\\u0430 → Москва (decode at the source)",
)

RULES = (INVALID_BYTES, NUL_BYTES, CONTROL_CHARACTERS, UNCERTAIN_ENCODING, REPEATED_TEXT, ESCAPE_SEQUENCES)

# A terminal escape (CSI sequence) is reported and deleted whole, not just its ESC.
_CONTROL_RUN = re.compile("(?:\x1b\\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f])+")
_BREAKS = frozenset("\x0b\x0c\x1c\x1d\x1e")  # vertical tab, form feed, separators: line breaks
# The characters of _CONTROL_RUN's class (a CSI sequence starts with one, ESC): a text holding
# none of them has no run, which 62 ``in`` tests (memchr, in C) tell faster than the regex.
_CONTROL_CHARS = tuple(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)))
_REPLACEMENT_RUN = re.compile("\ufffd+")
_ESCAPE = re.compile(
    r"\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|\\x[0-9a-fA-F]{2}|\\[0-7]{3}|\\[nrt\\\"'/]"
    r"|&#[xX][0-9a-fA-F]+;|&#[0-9]+;|&[a-zA-Z]{2,8};|%[0-9A-Fa-f]{2}"
)
_ESCAPE_STARTS = ("\\", "&", "%")  # what every match of _ESCAPE starts with (finditer_from)
# Typographic punctuation a stray Windows-1252 byte usually is: quotes, dashes, ellipsis.
_PUNCTUATION = frozenset("‘’“”„–—…«»°€")

# Degenerate text limits: a normalized sentence seen more than this many times, or covering
# more than this share of the text (at least _MIN_REPEATS times)...
_MAX_REPEATS = 20
_MIN_REPEATS = 4
_MAX_SHARE = 0.5
# ...or a longer text that compresses this well (English prose compresses to about 35-45%
# with zlib; text that repeats itself to a few per cent).
_COMPRESS_MIN_CHARS = 2000
_COMPRESS_RATIO = 0.1
# Escapes: this share of the non-space characters, and at least this many sequences.
_ESCAPE_SHARE = 0.2
_ESCAPE_MIN = 10


def check(doc: Document, ctx: Context) -> Iterable[Finding]:
    if not any(ctx.on(rule.code) for rule in RULES):
        return []
    findings: list[Finding] = []
    if ctx.on(INVALID_BYTES.code):
        findings += _invalid_bytes(doc)
    if ctx.on(NUL_BYTES.code) or ctx.on(CONTROL_CHARACTERS.code):
        findings += [f for f in _controls(doc) if ctx.on(f.code)]
    if ctx.on(UNCERTAIN_ENCODING.code):
        findings += _uncertain(doc)
    if ctx.on(REPEATED_TEXT.code):
        findings += _repeated(doc)
    if ctx.on(ESCAPE_SEQUENCES.code):
        findings += _escapes(doc)
    return findings


# -- bytes the reader could not decode ---------------------------------------------------


def _invalid_bytes(doc: Document) -> Iterator[Finding]:
    covered: set[int] = set()
    for issue in doc.decode_issues:
        if issue.get("kind") != "invalid-bytes":
            continue
        start, end = issue["start"], issue["end"]
        covered.update(range(start, end))
        bad = bytes.fromhex(issue["bytes"])
        hexed = " ".join(f"0x{b:02X}" for b in bad)
        noun = "byte" if len(bad) == 1 else "bytes"
        message = f"{noun} {hexed} at byte offset {issue['offset']} not valid {issue['encoding']} (shown as U+FFFD)"
        suggestion, safe, reading = _reading(doc.text, start, end, bad, issue["encoding"])
        if suggestion is not None:
            message += f"; read as {reading} it is '{suggestion}'"
        finding = INVALID_BYTES.finding(doc, start, end, message, data={"offset": issue["offset"], "bytes": issue["bytes"]})
        if suggestion is not None:
            finding.suggestion = suggestion
            finding.fix = replacement_fix(start, end, suggestion, safe=safe)
        yield finding
    # U+FFFD the reader did not put there: the text was damaged before it was written.
    if "\ufffd" not in doc.text:
        return
    for m in _REPLACEMENT_RUN.finditer(doc.text):
        if m.start() in covered:
            continue
        n = len(m.group())
        yield INVALID_BYTES.finding(
            doc, m.start(), m.end(),
            f"{n} replacement character{'s' * (n != 1)} U+FFFD: text was lost before this file was written")


def _reading(text: str, start: int, end: int, bad: bytes, encoding: str) -> tuple[str | None, bool, str]:
    """What stray bytes in a UTF-8 file most likely were: Windows-1251 between Cyrillic
    letters, Windows-1252 otherwise. Safe only when the neighbourhood says which, and the
    reading is a letter of that script or typographic punctuation."""
    if not encoding.startswith("utf-8"):
        return None, False, ""  # a byte undefined in a single-byte code page: nothing to guess
    around = text[max(0, start - 12):start] + text[end:end + 12]
    cyrillic = sum(1 for c in around if "\u0400" <= c <= "\u04ff")
    latin = sum(1 for c in around if c.isascii() and c.isalpha())
    codec, name = ("cp1251", "Windows-1251") if cyrillic > latin else ("cp1252", "Windows-1252")
    try:
        reading = bad.decode(codec)
    except UnicodeDecodeError:
        return None, False, ""
    if not all(c.isprintable() for c in reading):
        return None, False, ""
    if codec == "cp1251":
        fits = all("\u0400" <= c <= "\u04ff" or c in _PUNCTUATION for c in reading)
        clear = cyrillic >= 3 and latin == 0
    else:
        fits = all(("\u00c0" <= c <= "\u024f" and c.isalpha()) or c in _PUNCTUATION for c in reading)
        clear = latin >= 3 and cyrillic == 0
    return reading, fits and clear, name


def _uncertain(doc: Document) -> Iterator[Finding]:
    for issue in doc.decode_issues:
        if issue.get("kind") != "uncertain-encoding":
            continue
        start, end = issue["start"], issue["end"]
        yield UNCERTAIN_ENCODING.finding(
            doc, start, end,
            f"encoding uncertain: read as {issue['encoding']}, but {issue['alternative']} reads almost as well "
            f"('{issue['alternative_text']}' here); check the text",
            data={"encoding": issue["encoding"], "alternative": issue["alternative"]})


# -- NULs and control characters ---------------------------------------------------------


def _controls(doc: Document) -> Iterator[Finding]:
    text = doc.text
    if not any(c in text for c in _CONTROL_CHARS):
        return
    for m in _CONTROL_RUN.finditer(text):
        run = m.group()
        nuls = run.count("\x00")
        rule = NUL_BYTES if nuls else CONTROL_CHARACTERS
        if nuls and nuls == len(run):
            what = f"{nuls} NUL byte{'s' * (nuls != 1)}"
        else:
            names = ", ".join(dict.fromkeys(_name(c) for c in run if c < " " or "\x7f" <= c <= "\x9f"))
            what = f"{len(run)} control character{'s' * (len(run) != 1)} ({names})"
        breaks = any(c in _BREAKS for c in run) and not (text[m.start() - 1:m.start()].isspace() or text[m.end():m.end() + 1].isspace())
        replacement = "\n" if breaks else ""
        message = f"{what}: not text; deleted by the fix" if not replacement else f"{what}: not text; the fix makes it a line break"
        yield rule.finding(doc, m.start(), m.end(), message, suggestion=replacement, safe=True)


def _name(c: str) -> str:
    return {"\x00": "NUL", "\x1b": "ESC", "\x0c": "form feed", "\x0b": "vertical tab", "\x7f": "DEL"}.get(c, f"U+{ord(c):04X}")


# -- degenerate text ---------------------------------------------------------------------

# A sentence's key: its words (\w runs), lower-cased, one space apart; the same string as
# ``re.sub(r"\W+", " ", text).strip()`` (no \w character is a space), built faster.
_WORDS = re.compile(r"\w+")
_ASCII_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "


@lru_cache(maxsize=1)
def _spaces() -> str:
    """Every character ``str.isspace`` knows (all of them below U+10000)."""
    return "".join(c for c in map(chr, range(0x10000)) if c.isspace())


def _non_space_count(doc: Document) -> int:
    """``sum(1 for c in text if not c.isspace())``, counted in C, once per document."""
    count = doc.user_data.get("integrity.non_space")
    if count is None:
        text = doc.text
        # Counted in C in two passes, not one per space character (25 of them): the ASCII
        # spaces (a byte each in UTF-8) deleted from the encoded text by one ``bytes.translate``,
        # the others (in a text that is not plain ASCII) found by one regex class.
        raw = text.encode("utf-8", "surrogatepass")
        spaces = len(raw) - len(raw.translate(None, _ASCII_SPACE_BYTES))
        if len(raw) != len(text):
            spaces += len(_non_ascii_space().findall(text))
        count = len(text) - spaces
        doc.user_data["integrity.non_space"] = count
    return count


_ASCII_SPACE_BYTES = _ASCII_SPACES.encode("ascii")


@lru_cache(maxsize=1)
def _non_ascii_space() -> re.Pattern:
    """A space character of ``_spaces`` outside ASCII."""
    return re.compile("[" + "".join(re.escape(c) for c in _spaces() if not c.isascii()) + "]")


# Bytes one of which joins the sentences ``_could_repeat`` reads together: the first
# that none of them holds.
_JOINERS = tuple(range(32))
# ASCII \w: the bytes a sentence's key is made of.
_ASCII_WORD_BYTES = b"0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _could_repeat(doc: Document, letters: int) -> bool:
    """False when no sentence key (``_repeated``) can be frequent enough for a finding; True
    when one may be (then the keys are counted exactly). Bounded from above in C: each
    sentence's key without its spaces (its word characters, lower-cased: coarser than the key,
    so a key's count is at most its class's) for the plain-ASCII sentences made in one pass of
    ``bytes.translate`` over them all, and a sentence's non-space characters by its length."""
    texts = [s.text for s in doc.sentences]
    if not texts:
        return False
    whole_ascii = doc.text.isascii()  # (then so is every sentence: none is asked)
    plain = texts if whole_ascii else [t for t in texts if t.isascii()]
    classes: Counter[str] = Counter()
    if plain:
        for joiner in _JOINERS:
            mark = chr(joiner)
            joined = mark.join(plain)
            if joined.count(mark) == len(plain) - 1:  # (no sentence holds it)
                break
        else:
            return True
        delete = bytes(b for b in range(256) if b not in _ASCII_WORD_BYTES and b != joiner)
        classes.update(joined.lower().encode("ascii").translate(None, delete).decode("ascii").split(mark))
    if not whole_ascii:
        findall = _WORDS.findall
        classes.update("".join(findall(t.lower())) for t in texts if not t.isascii())
    classes.pop("", None)  # (a sentence without a word has no key)
    if not classes:
        return False
    most = max(classes.values())
    return most > _MAX_REPEATS or (most >= _MIN_REPEATS and most * max(map(len, texts)) > _MAX_SHARE * letters)


def _repeated(doc: Document) -> Iterator[Finding]:
    text = doc.text
    letters = _non_space_count(doc) or 1
    repeated = _repeated_sentence(doc, letters) if _could_repeat(doc, letters) else None
    if repeated is not None:
        yield repeated
        return
    if len(text) >= _COMPRESS_MIN_CHARS:
        raw = text.encode("utf-8", errors="replace")
        # (past this size the ratio is over the limit whatever the rounding: compression may stop)
        size = _compressed_size(raw, stop_above=_COMPRESS_RATIO * len(raw) * 1.01 + 16)
        ratio = size / len(raw) if size is not None else None
        if ratio is not None and ratio < _COMPRESS_RATIO:
            span = doc.sentences[0] if doc.sentences else None
            start, end = (span.start, span.end) if span else (0, min(len(text), 80))
            yield REPEATED_TEXT.finding(
                doc, start, end,
                f"degenerate text: the text repeats itself (it compresses to {ratio:.0%} of its size; prose does not go below 30%)",
                data={"compression": round(ratio, 4)})


# Bytes one of which joins the sentences ``_sentence_keys`` reads together: control
# characters that are no space (``str.split`` keeps them).
_KEY_JOINERS = tuple(b for b in range(32) if not chr(b).isspace())


def _sentence_keys(texts: list[str]) -> list[str]:
    """Each text's key, ``" ".join(_WORDS.findall(text.lower()))``: the plain-ASCII texts
    keyed together, joined by a byte none holds, every byte but the word characters made a
    space by ``bytes.translate`` and the pieces' words re-spaced by ``str.split`` (in C; no
    regex per sentence)."""
    findall, join = _WORDS.findall, " ".join
    out = [""] * len(texts)
    plain = []
    for i, t in enumerate(texts):
        if t.isascii():
            plain.append(i)
        else:
            out[i] = join(findall(t.lower()))
    if not plain:
        return out
    for joiner in _KEY_JOINERS:
        mark = chr(joiner)
        joined = mark.join(texts[i] for i in plain)
        if joined.count(mark) == len(plain) - 1:  # (no text holds it)
            break
    else:
        for i in plain:
            out[i] = join(findall(texts[i].lower()))
        return out
    pieces = joined.lower().encode("ascii").translate(_key_table(joiner)).decode("ascii").split(mark)
    for i, piece in zip(plain, pieces):
        out[i] = join(piece.split())
    return out


@lru_cache(maxsize=None)
def _key_table(joiner: int) -> bytes:
    """A ``bytes.translate`` table keeping the ASCII word characters and ``joiner``, every other
    byte a space."""
    return bytes(b if b in _ASCII_WORD_BYTES or b == joiner else 32 for b in range(256))


def _repeated_sentence(doc: Document, letters: int) -> Finding | None:
    """I105 for one sentence said too many times: the first sentence of the most frequent key."""
    # Each distinct sentence is keyed once (degenerate text is the same sentence over and over);
    # keys are counted in the order their first sentence comes, as one pass over the sentences
    # would count them (most_common breaks ties by that order).
    # Counter(texts) counts in C and keeps the texts in the order they first come.
    texts = [s.text for s in doc.sentences]
    raw_counts: Counter[str] = Counter(texts)
    counts: Counter[str] = Counter()
    keys = _sentence_keys(list(raw_counts))
    for (raw, n), key in zip(raw_counts.items(), keys):
        if key:
            counts[key] += n
    if not counts:
        return None
    key, n = counts.most_common(1)[0]
    # The first sentence with that key: the first of the texts (in order) that give it.
    raw = next(r for r, k in zip(raw_counts, keys) if k == key)
    sentence = doc.sentences[texts.index(raw)]
    covered = n * sum(1 for c in sentence.text if not c.isspace())
    if n > _MAX_REPEATS or (n >= _MIN_REPEATS and covered > _MAX_SHARE * letters):
        shown = sentence.text if len(sentence.text) <= 60 else sentence.text[:57] + "..."
        return REPEATED_TEXT.finding(
            doc, sentence.start, sentence.end,
            f"degenerate text: the sentence '{shown}' appears {n:,} times ({min(1.0, covered / letters):.0%} of the text)",
            data={"repeats": n})
    return None


_COMPRESS_CHUNK = 1 << 16


def _compressed_size(raw: bytes, stop_above: float) -> int | None:
    """``len(zlib.compress(raw, 6))``, or None once it is sure to exceed ``stop_above``. The
    stream is fed in chunks and compressing stops when the output so far passes the bound
    (for prose, about a quarter of the way through); deflate's output does not depend on how
    its input is split, so a size returned is that of the one-shot call."""
    compressor = zlib.compressobj(6)
    size = 0
    for i in range(0, len(raw), _COMPRESS_CHUNK):
        size += len(compressor.compress(raw[i:i + _COMPRESS_CHUNK]))
        if size > stop_above:
            return None
    return size + len(compressor.flush())


def _escapes(doc: Document) -> Iterator[Finding]:
    text = doc.text
    matches = list(finditer_from(_ESCAPE, text, _ESCAPE_STARTS))
    if len(matches) < _ESCAPE_MIN:
        return
    escaped = sum(m.end() - m.start() for m in matches)
    visible = _non_space_count(doc) or 1
    if escaped <= _ESCAPE_SHARE * visible:
        return
    # The first unbroken run of escapes is the span: exact characters, never the whole text.
    start, end = matches[0].span()
    for m in matches[1:]:
        if m.start() != end:
            break
        end = m.end()
    yield ESCAPE_SEQUENCES.finding(
        doc, start, end,
        f"text is escaped, not decoded: {len(matches):,} escape sequences make up {escaped / visible:.0%} of it",
        data={"escapes": len(matches)})


FAMILY = Family(name="integrity", prefix="I", rules=RULES, check=check)
