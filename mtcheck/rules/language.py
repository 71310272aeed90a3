"""language rules (prefix L): text that is not English.

L101 reports every run of untranslated Cyrillic; L103 a Cyrillic letter hiding inside a Latin
word (a homoglyph, with a safe fix); L102 a segment the language detector does not call
English (transliterated Russian, a paragraph left in another language); L104 a run of letters
too long to be any word (lost spaces, encoded data), once, however long it is.

L102 uses langdetect, seeded so results are reproducible. Loading its profiles costs about
0.4 s, so the detector is consulted only for segments that do not already look like English
(plain ASCII letters, and English function words common or nearly every common word in the
English lexicon, ``mtcheck.lexicon``); an ordinary English story never loads it. A story
with more than ``MAX_DETECTOR_CALLS`` uncertain segments is judged on an evenly spaced sample
of them (the findings say so), so the rule stays linear in the story's size.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from itertools import compress
from operator import attrgetter, not_
from typing import Iterable, Iterator

from mtcheck.document import Document
from mtcheck.english_words import word_lists
from mtcheck.findings import Finding, Severity
from mtcheck.rules.base import Context, Family, Rule

UNTRANSLATED_CYRILLIC = Rule(
    code="L101",
    name="untranslated-cyrillic",
    category="language",
    severity=Severity.ERROR,
    summary="Untranslated Cyrillic text",
    why="Russian words left in the English copy: the translation skipped them (unknown words, "
    "names, quotes) and an English reader cannot read them.",
    example="the head of Минобороны → the head of the Defence Ministry",
    fix="none",
)
NOT_ENGLISH = Rule(
    code="L102",
    name="not-english",
    category="language",
    severity=Severity.WARNING,
    summary="Segment that is not English (language detector)",
    why="A sentence or paragraph in another language or in transliterated Russian "
    "('Minoborony soobshchilo ...') was not translated.",
    example="Ministerstvo oborony soobshchilo ob udare. → The Defence Ministry reported a strike.",
    fix="none",
)
MIXED_SCRIPT = Rule(
    code="L103",
    name="mixed-script-word",
    category="language",
    severity=Severity.WARNING,
    summary="Cyrillic look-alike letter inside a Latin word",
    why="A Cyrillic 'о' or 'с' inside an English word looks right but breaks search, spell "
    "checking and name matching; it comes from copy-editing in a Russian keyboard layout.",
    example="Mоscow (Cyrillic о) → Moscow",
    fix="safe",
)
OVERLONG_WORD = Rule(
    code="L104",
    name="overlong-word",
    category="language",
    severity=Severity.WARNING,
    summary="Run of letters too long to be a word (over 50 letters without a space)",
    why="No English word, and no two glued together, is this long: the copy lost its spaces (a PDF or "
    "web page converted badly) or holds something that is not prose (encoded data, a keyboard "
    "mash). The other word rules do not search it; an editor must look.",
    example="Thetroopsenteredthecityatdawnandtookthebridgewithoutresistance → The troops entered the city at dawn ...",
    fix="none",
)
DECLARED_NOT_ENGLISH = Rule(
    code="L105",
    name="declared-not-english",
    category="language",
    severity=Severity.WARNING,
    summary="Wire story declared in another language (ninjs language, NewsML-G2 xml:lang, HTML lang, feed language)",
    why="The item's own metadata says it is not English: it belongs to another desk, and judging it as English "
    "would bury it in findings. It is reported once, with the declared value, and not checked further.",
    example='"language": "de" → route the item to the German desk',
    fix="none",
)
DECLARED_LANGUAGE_MISMATCH = Rule(
    code="L106",
    name="declared-language-mismatch",
    category="language",
    severity=Severity.WARNING,
    summary="Wire story declared English whose text reads as another language",
    why="The metadata says English but the text is not (an untranslated item, a wrong language tag): either "
    "the translation is missing or the metadata is wrong.",
    example='xml:lang="en" on a story in Russian → translate it, or correct the language tag',
    fix="none",
)
RULES = (UNTRANSLATED_CYRILLIC, NOT_ENGLISH, MIXED_SCRIPT, OVERLONG_WORD, DECLARED_NOT_ENGLISH, DECLARED_LANGUAGE_MISMATCH)
# The rule families that still run on a story declared in another language: it is not judged
# as English, only reported as such (and checked for damaged bytes and stray directives).
FAMILIES_WHEN_NOT_ENGLISH = frozenset({"language", "integrity", "suppression"})
# Language tags that declare no particular language (BCP 47 / ISO 639-2 special codes).
_UNDETERMINED = frozenset({"", "und", "mul", "zxx", "mis", "x"})

# More Latin letters in a row than this is no word (the style rules search no longer token).
MAX_WORD_LETTERS = 50
_LATIN_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_LONG_RUN = re.compile(rf"(?<![{_LATIN_LETTER}])[{_LATIN_LETTER}]{{{MAX_WORD_LETTERS + 1},}}")
# The UTF-8 bytes a letter of _LATIN_LETTER may be made of (ASCII letters; U+00C0-U+024F are
# a lead byte 0xC3-0xC9 and a continuation byte) as "a", every other byte as " ": a run of
# _LONG_RUN's letters is a run at least as long of "a" bytes, so a text without one has none.
_LETTER_BYTES = bytes.maketrans(
    bytes(range(256)),
    bytes(ord("a") if chr(b).isascii() and chr(b).isalpha() or 0x80 <= b <= 0xBF or 0xC3 <= b <= 0xC9 else ord(" ")
          for b in range(256)))
_LONG_RUN_BYTES = b"a" * (MAX_WORD_LETTERS + 1)

_CYR = "\u0400-\u052f"
# Cyrillic words and what joins them on one line (spaces, punctuation, digits).
_CYRILLIC_RUN = re.compile(rf"[{_CYR}]+(?:[ \t\u00a0\-‐–—,.:;'’\"«»()0-9]*[{_CYR}]+)*")
_LATIN = "A-Za-z"
# A word mixing Latin letters or digits with Cyrillic letters ("Mоscow", "885М"), or a lone
# Cyrillic letter among Latin text ("+17º С"): the Cyrillic letters are look-alikes to replace.
_MIXED_WORD = re.compile(rf"(?<![\w])(?=[{_LATIN}{_CYR}0-9]*[{_LATIN}0-9])(?=[{_LATIN}{_CYR}0-9]*[{_CYR}])[{_LATIN}{_CYR}0-9]+(?![\w])")
_CYRILLIC_WORD = re.compile(rf"[{_CYR}]{{2,}}")
_LONE_LETTER = re.compile(rf"(?<![\w])[{_CYR}](?![\w])")
_HOMOGLYPHS = str.maketrans(
    "АВЕКМНОРСТХаеорсухіјѕІЈЅ",
    "ABEKMHOPCTXaeopcyxijsIJS",
)
_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_TEXT_WORD = re.compile(r"[A-Za-z]+")

MIN_LETTERS = 40  # shorter segments are too short for the detector to judge
ENGLISH_FUNCTION_SHARE = 0.2  # at least this share of English function words: English, no detector
MAX_NON_ASCII_SHARE = 0.02
ENGLISH_LEXICON_SHARE = 0.85  # ... or this share of its common words in the English lexicon
MIN_COMMON_WORDS = 4
MAX_ENGLISH_PROB = 0.1  # flag when the detector gives English at most this probability


def declared_language(doc: Document) -> str | None:
    """The language a wire story's metadata declares (as written), None when it declares
    none (plain text, or a tag such as "und")."""
    source = doc.source
    lang = source.meta.get("language") if source is not None else None
    if not isinstance(lang, str) or _primary(lang) in _UNDETERMINED:
        return None
    return lang.strip()


def _primary(tag: str) -> str:
    return tag.strip().replace("_", "-").split("-")[0].lower()


def declared_not_english(doc: Document) -> str | None:
    """The declared language of a wire story declared in a language other than English."""
    lang = declared_language(doc)
    return lang if lang is not None and _primary(lang) != "en" else None


def _declaration(doc: Document) -> dict:
    """``data["outside"]`` of a finding about the declaration: where its value is in the file."""
    span = doc.source.meta.get("language_span") if doc.source is not None else None
    if isinstance(span, list) and len(span) == 2:
        return {"outside": {"start": int(span[0]), "end": int(span[1]), "text": doc.source.source[span[0]:span[1]]}}
    return {}


def check(doc: Document, ctx: Context) -> Iterable[Finding]:
    out: list[Finding] = []
    foreign = declared_not_english(doc)
    if foreign is not None:
        # Not judged as English: one finding, where the file declares the language.
        if ctx.on("L105"):
            out.append(DECLARED_NOT_ENGLISH.finding(
                doc, 0, 0,
                f"the {doc.source.format} item declares its language as '{foreign}', not English: not checked as "
                "an English story (route it to its own desk)",
                data={"declared": foreign, **_declaration(doc)}))
        return out
    mismatch = list(_declared_mismatch(doc)) if ctx.on("L106") and declared_language(doc) is not None else []
    # The story as a whole reads as another language: reported once, with what it declares and
    # what it reads as, in place of a not-English finding per segment.
    skip_l102 = bool(mismatch)
    out.extend(mismatch)
    # (the story's UTF-8 bytes: L101/L103 and L104 each look at them first)
    encoded = doc.text.encode("utf-8", "surrogatepass") if ctx.on("L101") or ctx.on("L103") or ctx.on("L104") else b""
    if ctx.on("L101") or ctx.on("L103"):
        out.extend(_cyrillic(doc, ctx, encoded))
    if ctx.on("L102") and not skip_l102:
        out.extend(_not_english(doc))
    if ctx.on("L104"):
        out.extend(_overlong_words(doc, encoded))
    out.sort(key=Finding.sort_key)
    return out


_ANY_CYRILLIC = re.compile(rf"[{_CYR}]")


# Every byte but the lead bytes of the UTF-8 characters U+0400-U+053F (0xD0-0xD4): a text
# whose bytes are all deleted by it holds no letter of _CYR.
_NOT_CYRILLIC_LEAD = bytes(b for b in range(256) if not 0xD0 <= b <= 0xD4)


def _cyrillic(doc: Document, ctx: Context, encoded: bytes) -> Iterator[Finding]:
    # Every pattern below needs a Cyrillic letter: one pass of bytes.translate over the UTF-8
    # bytes says there is none (a few times faster than the regex scan of the text after it).
    if doc.text.isascii() or not encoded.translate(None, _NOT_CYRILLIC_LEAD) or not _ANY_CYRILLIC.search(doc.text):
        return
    lookalikes: list[tuple[int, int]] = []
    for m in _homoglyph_words(doc.text):
        lookalikes.append(m.span())
        if ctx.on("L103"):
            word = m.group()
            yield MIXED_SCRIPT.finding(
                doc, m.start(), m.end(),
                f"'{word}' has Cyrillic look-alike letters among Latin ones",
                suggestion=word.translate(_HOMOGLYPHS), safe=True,
            )
    if not ctx.on("L101"):
        return
    for m in _CYRILLIC_RUN.finditer(doc.text):
        if any(a <= m.start() and m.end() <= b for a, b in lookalikes):
            continue
        yield UNTRANSLATED_CYRILLIC.finding(
            doc, m.start(), m.end(),
            f"Untranslated Cyrillic text '{_clip(m.group())}'",
        )


def _homoglyph_words(text: str) -> Iterator[re.Match]:
    for m in _MIXED_WORD.finditer(text):
        word = m.group()
        cyrillic = sum(1 for c in word if "\u0400" <= c <= "\u052f")
        # Mostly Latin (or digits), and every Cyrillic letter has a Latin twin.
        if cyrillic <= len(word) - cyrillic and word.translate(_HOMOGLYPHS).isascii():
            yield m
    for m in _LONE_LETTER.finditer(text):
        # A lone letter is a look-alike only in Latin text: no Cyrillic word near it.
        near = text[max(0, m.start() - 40): m.end() + 40]
        if m.group().translate(_HOMOGLYPHS).isascii() and not _CYRILLIC_WORD.search(near):
            yield m


def _overlong_words(doc: Document, encoded: bytes) -> Iterator[Finding]:
    """L104: one finding per run of more than ``MAX_WORD_LETTERS`` Latin letters, whatever its
    length (outside URLs, addresses and hashtags)."""
    from mtcheck.rules.style import _in_link

    if _LONG_RUN_BYTES not in encoded.translate(_LETTER_BYTES):
        return  # no run that long: said in C, without the regex trying every character
    for m in _LONG_RUN.finditer(doc.text):
        if _in_link(doc, m.start(), m.end()):
            continue
        yield OVERLONG_WORD.finding(
            doc, m.start(), m.end(),
            f"'{_clip(m.group())}' is {m.end() - m.start()} letters without a space: no word is this long "
            "(lost spaces, or not prose)",
            data={"letters": m.end() - m.start()},
        )


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- L102 -----------------------------------------------------------------------------------

def _segments(doc: Document) -> tuple[list, list[str]]:
    """Sentences long enough to judge; a paragraph of short sentences is judged whole: the
    segments (``Sentence`` and ``Paragraph`` objects: their ``start`` and ``end``) in text
    order, and their texts."""
    sentences = doc.sentences
    # (a text shorter than MIN_LETTERS characters has fewer letters: not counted)
    wide = [s for s in sentences if s.end - s.start >= MIN_LETTERS]
    # The long sentences and their paragraphs, picked and read in C (compress, attrgetter): a
    # story of short lines has 200,000 sentences. (A sentence's text is the document's text
    # over its span: not sliced again.)
    wide_texts = list(map(_TEXT, wide))
    is_long = list(map(MIN_LETTERS.__le__, _letters_many(wide_texts)))
    long, long_texts = list(compress(wide, is_long)), list(compress(wide_texts, is_long))
    long_paragraphs = set(map(_PARAGRAPH, long))
    # The paragraphs of short sentences, in order (the sentences come paragraph by paragraph).
    short = [p for p in dict.fromkeys(map(_PARAGRAPH, sentences)) if p not in long_paragraphs]
    text, paragraphs = doc.text, doc.paragraphs
    wide_paragraphs = [paragraphs[p] for p in short if paragraphs[p].end - paragraphs[p].start >= MIN_LETTERS]
    paragraph_texts = [text[para.start:para.end] for para in wide_paragraphs]
    is_judged = list(map(MIN_LETTERS.__le__, _letters_many(paragraph_texts)))
    judged, judged_texts = list(compress(wide_paragraphs, is_judged)), list(compress(paragraph_texts, is_judged))
    if not judged:
        return long, long_texts
    # Paragraph by paragraph, the long sentences of one or the other whole: the two lists are
    # each in text order and no span of one overlaps one of the other (nor shares its start),
    # so in text order together by their starts (one merge by ``sorted``, keyed in C).
    segments, texts = long + judged, long_texts + judged_texts
    order = sorted(range(len(segments)), key=list(map(_START, segments)).__getitem__)
    return list(map(segments.__getitem__, order)), list(map(texts.__getitem__, order))


_TEXT, _PARAGRAPH, _START = attrgetter("text"), attrgetter("paragraph"), attrgetter("start")


def _letters_many(texts: list[str]) -> list[int]:
    """``[_letters(t) for t in texts]``: the plain-ASCII texts counted together, joined by a
    byte none holds, every other byte deleted by ``bytes.translate`` and the rest split (in C)."""
    out = [0] * len(texts)
    # (which texts are plain ASCII, asked by a C-level map: a story of short lines has 100,000)
    is_plain = list(map(str.isascii, texts))
    plain = list(compress(range(len(texts)), is_plain))
    if len(plain) < len(texts):
        for i in compress(range(len(texts)), map(not_, is_plain)):
            out[i] = _letters(texts[i])
    if not plain:
        return out
    free = _free_join(texts if len(plain) == len(texts) else list(map(texts.__getitem__, plain)))
    if free is None:
        for i in plain:
            out[i] = _letters(texts[i])
        return out
    joiner, joined = free
    kept = joined.encode("ascii").translate(None, _not_letters(joiner)).split(bytes([joiner]))
    if len(plain) == len(texts):
        return list(map(len, kept))  # (every text plain ASCII, the common case)
    for i, letters in zip(plain, map(len, kept)):
        out[i] = letters
    return out


def _free_join(parts: list[str], trailing: bool = False) -> tuple[int, str] | None:
    """``parts`` joined by the first of ``_JOINERS`` that none of them holds (and ended by it
    too with ``trailing``), with that joiner; None if every joiner stands in some part."""
    for joiner in _JOINERS:
        mark = chr(joiner)
        joined = mark.join(parts) + (mark if trailing else "")
        if joined.count(mark) == len(parts) - 1 + trailing:  # (no part holds it)
            return joiner, joined
    return None


@lru_cache(maxsize=None)
def _not_letters(joiner: int) -> bytes:
    """Every byte but the ASCII letters and ``joiner`` (what ``bytes.translate`` deletes)."""
    return bytes(b for b in range(256) if b != joiner and b not in _ASCII_LETTER_BYTES)


_ASCII_LETTER_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _ascii_letters(encoded: bytes) -> int:
    """The ASCII letters of a text, counted on its UTF-8 bytes in C (a multi-byte character
    has no byte under 128)."""
    return len(encoded) - len(encoded.translate(None, _ASCII_LETTER_BYTES))


def _non_ascii_letters(text: str) -> list[str]:
    """The letters of ``text`` outside ASCII, in order: the non-ASCII runs found in C first
    (news in English has a few curly quotes and accented names, not a character loop's worth)."""
    return [c for c in "".join(_NON_ASCII_RUN.findall(text)) if c.isalpha()]


def _letters(text: str) -> int:
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) == len(text):  # plain ASCII, the common case, counted in C
        return _ascii_letters(encoded)
    return _ascii_letters(encoded) + len(_non_ascii_letters(text))


def looks_english(text: str) -> bool | None:
    """True when the text plainly reads as English (or holds too few common words to judge)
    without the detector; None when the detector must decide; False when it is mostly
    Cyrillic (reported by L101).

    Plainly English: plain ASCII letters and either common English function words or common
    words that are nearly all in the English lexicon (headlines have few function words)."""
    if not text.isascii():  # (plain ASCII has no Cyrillic; without letters it has no words below)
        non_ascii_letters = _non_ascii_letters(text)
        letters = _ascii_letters(text.encode("utf-8", "surrogatepass")) + len(non_ascii_letters)
        if not letters:
            return None
        cyrillic = sum(1 for c in non_ascii_letters if "\u0400" <= c <= "\u052f")
        if cyrillic > 0.3 * letters:
            return False
        if len(non_ascii_letters) > MAX_NON_ASCII_SHARE * letters:
            return None
    low = text.lower()
    words = _ASCII_WORD.findall(low.replace("’", "'") if "’" in low else low)
    if not words:
        return None
    function = word_lists()["function_words"]
    if sum(map(function.__contains__, words)) >= ENGLISH_FUNCTION_SHARE * len(words):
        return True
    # Names are capitalised; judge the other words (lower case, or shouted in capitals): each
    # word's class looked up in C, judged once per process (a story repeats its words).
    classes = list(map(_WORD_CLASSES.__getitem__, _TEXT_WORD.findall(text)))
    common = len(classes) - classes.count(_NOT_COMMON)
    if common < MIN_COMMON_WORDS:
        return True  # mostly names and numbers (a line-up, a list): nothing to judge
    if classes.count(_KNOWN) >= ENGLISH_LEXICON_SHARE * common:
        return True
    return None


# A word's class (``looks_english`` counts each; ``looks_english_many`` weighs them, see
# ``_WordWeights``).
_NOT_COMMON, _UNKNOWN, _KNOWN = 0, 1, 1 + (1 << 32)
WORD_CLASS_MEMO_SIZE = 200_000  # words judged (a long-running server empties the memo when full)


class _WordClasses(dict):
    """A word of ``looks_english`` (ASCII letters) → _NOT_COMMON (a name, a short word),
    _UNKNOWN (a common word the English lexicon lacks) or _KNOWN; filled on first lookup."""

    def __missing__(self, word: str) -> int:
        if len(word) > 2 and (word.islower() or (word.isupper() and len(word) > 3)):
            from mtcheck.lexicon import lexicon

            answer = _KNOWN if lexicon().known(word.lower()) else _UNKNOWN
        else:
            answer = _NOT_COMMON
        if len(self) >= WORD_CLASS_MEMO_SIZE:
            self.clear()
        self[word] = answer
        return answer


_WORD_CLASSES = _WordClasses()


# Bytes one of which joins the texts ``looks_english_many`` judges together: the first that
# none of them holds (control characters that are no space: ``str.split`` keeps them).
_JOINERS = tuple(b for b in range(32) if not chr(b).isspace())
_ASCII_LOWER = b"abcdefghijklmnopqrstuvwxyz"
_ASCII_ALPHA = _ASCII_LOWER + _ASCII_LOWER.upper()


@lru_cache(maxsize=None)
def _run_table(keep: bytes, joiner: int) -> bytes:
    """A ``bytes.translate`` table keeping ``keep`` and ``joiner``, every other byte a space."""
    return bytes(b if b in keep or b == joiner else 32 for b in range(256))


def _word_runs(encoded: bytes, keep: bytes, joiner: int) -> list[str]:
    """The runs of the bytes ``keep`` in ``encoded`` (ASCII), and each ``joiner`` byte as a
    run of its own, in order: the other bytes made spaces and the rest split, in C."""
    sep = bytes([joiner])
    return encoded.replace(sep, b" " + sep + b" ").translate(_run_table(keep, joiner)).decode("ascii").split()


def looks_english_many(texts: list[str]) -> list[bool | None]:
    """``[looks_english(t) for t in texts]``, with the texts of plain ASCII letters and no
    apostrophe (most of a story, and those past ASCII by marks only) judged together: joined
    by a byte none holds, their words split out in C (the other bytes made spaces by
    ``bytes.translate``, then ``str.split``: without an apostrophe, _ASCII_WORD's words are the
    runs of letters) and counted by one sum per text, so a story of many short sentences costs
    a few passes over its text, not a dozen calls per sentence. Both tests read the same words
    (lower-casing ASCII keeps the runs of letters where they are): one split and, per text, one
    sum of its words' ``_WORD_WEIGHTS`` count the function words, the common words and the
    known ones at once."""
    out: list[bool | None] = [None] * len(texts)
    plain = []
    plain_texts = []
    for i, text in enumerate(texts):
        if text.isascii():
            if "'" not in text:
                plain.append(i)
                plain_texts.append(text)
                continue
        elif "'" not in text and "’" not in text and not _non_ascii_letters(text):
            # Past ASCII by marks only, no letter (curly quotes, dashes: a tenth of a story's
            # sentences): ``looks_english`` reads the same words in it as in the text with those
            # marks made spaces (no such mark lower-cases to an ASCII letter), a plain text.
            plain.append(i)
            plain_texts.append(_NON_ASCII_RUN.sub(" ", text))
            continue
        out[i] = looks_english(text)
    if not plain:
        return out
    free = _free_join(plain_texts, trailing=True)
    if free is None:
        for i in plain:
            out[i] = looks_english(texts[i])
        return out
    joiner, joined = free
    mark = chr(joiner)
    runs = _word_runs(joined.encode("ascii"), _ASCII_ALPHA, joiner)
    # (the joiner is no word: weight 0, and dropped from the memo again)
    weights = list(map(_WORD_WEIGHTS.__getitem__, runs))
    _WORD_WEIGHTS.pop(mark, None)
    _WORD_CLASSES.pop(mark, None)
    index = runs.index
    previous = -1
    for i in plain:
        end = index(mark, previous + 1)
        words = end - previous - 1
        if words:
            if words <= MAX_PACKED_WORDS:
                # (the counts of fewer words than a field holds do not mix; ``sum`` adds
                # machine-size integers in C)
                total = sum(weights[previous + 1:end])
                function, known, common = total >> _FUNCTION_WEIGHT_SHIFT, total >> _WEIGHT_BITS & _FIELD_MASK, \
                    total & _FIELD_MASK
            else:
                function, known, common = _weight_counts(weights[previous + 1:end])
            if function >= ENGLISH_FUNCTION_SHARE * words or common < MIN_COMMON_WORDS \
                    or known >= ENGLISH_LEXICON_SHARE * common:
                out[i] = True  # (else the lexicon test failed: the detector decides)
        previous = end
    return out


# A word's weight in ``looks_english_many``: three counts in one small integer, each in a field
# of ``_WEIGHT_BITS`` bits: 1 if it is a common word, 1 (in the field above) if it is a known one
# (``_WORD_CLASSES``), 1 (in the top field) if it is a function word once lower-cased. The sum of
# a text's weights holds its three counts while they fit a field (up to ``MAX_PACKED_WORDS``
# words); its integers stay under 2**63, which Python's ``sum`` adds in C.
_WEIGHT_BITS = 21
_FIELD_MASK = (1 << _WEIGHT_BITS) - 1
_FUNCTION_WEIGHT_SHIFT = 2 * _WEIGHT_BITS
MAX_PACKED_WORDS = _FIELD_MASK  # a text of more words (10 MB of one segment) is counted field by field


def _weight_counts(weights: list[int]) -> tuple[int, int, int]:
    """The function, known and common words among these weights, counted field by field."""
    return (sum(w >> _FUNCTION_WEIGHT_SHIFT for w in weights), sum(w >> _WEIGHT_BITS & _FIELD_MASK for w in weights),
            sum(w & _FIELD_MASK for w in weights))


class _WordWeights(dict):
    """A word as written (ASCII letters) → its ``looks_english_many`` weight; filled on first lookup."""

    def __missing__(self, word: str) -> int:
        word_class = _WORD_CLASSES[word]
        answer = ((word_class != _NOT_COMMON) + ((word_class == _KNOWN) << _WEIGHT_BITS)
                  + ((word.lower() in word_lists()["function_words"]) << _FUNCTION_WEIGHT_SHIFT))
        if len(self) >= WORD_CLASS_MEMO_SIZE:
            self.clear()
        self[word] = answer
        return answer


_WORD_WEIGHTS = _WordWeights()


def _not_english(doc: Document) -> Iterator[Finding]:
    segments, texts = _segments(doc)
    judged_english = looks_english_many(texts)
    uncertain = [(seg.start, seg.end) for seg, english in zip(segments, judged_english) if english is None]
    judged = _sample(uncertain, MAX_DETECTOR_CALLS)
    sampled = len(judged) < len(uncertain)
    for start, end in judged:
        text = doc.text[start:end]
        probs = detect_languages(text)
        if not probs:
            continue
        english = dict(probs).get("en", 0.0)
        lang, prob = probs[0]
        if english <= MAX_ENGLISH_PROB:
            message = f"This text does not read as English (language detector: '{lang}', p={prob:.2f})"
            data = {"language": lang, "probability": round(prob, 3)}
            if sampled:
                message += (f"; the detector judged a sample of {len(judged):,} of this story's "
                            f"{len(uncertain):,} uncertain segments: others may be so too")
                data["sampled"] = [len(judged), len(uncertain)]
            yield NOT_ENGLISH.finding(doc, start, end, message, data=data)


# How much of a story the detector reads to judge the story as a whole (it samples anyway).
MISMATCH_SAMPLE = 5000


def _declared_mismatch(doc: Document) -> Iterator[Finding]:
    """L106: a story declared English whose text, taken whole, reads as another language."""
    text = doc.text[:MISMATCH_SAMPLE]
    if _letters(text) < MIN_LETTERS or looks_english(text):
        return
    probs = detect_languages(text)
    if not probs:
        return
    lang, prob = probs[0]
    if lang == "en" or dict(probs).get("en", 0.0) > MAX_ENGLISH_PROB:
        return
    declared = declared_language(doc)
    yield DECLARED_LANGUAGE_MISMATCH.finding(
        doc, 0, 0,
        f"the {doc.source.format} item declares its language as '{declared}' but its text reads as '{lang}' "
        f"(language detector, p={prob:.2f}): translate it, or correct the language tag",
        data={"declared": declared, "detected": lang, "probability": round(prob, 3), **_declaration(doc)})


# The most segments one document sends to the detector (about 6 ms each): a story with more
# uncertain segments than this (a 20 MB dump, thousands of word lists) is judged on an evenly
# spaced sample of them, and each finding says so. Ordinary stories have a few.
MAX_DETECTOR_CALLS = 100


def _sample(items: list, limit: int) -> list:
    """``limit`` items spread evenly over ``items`` (all of them when there are no more), the
    same every run: the first, then every (len/limit)-th."""
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(k * step)] for k in range(limit)]


_factory = None
_factory_lock = threading.Lock()


def _detector_factory():
    """langdetect's profiles, loaded once, with a fixed seed (its sampling is random)."""
    global _factory
    if _factory is None:
        with _factory_lock:
            if _factory is None:
                from langdetect.detector_factory import PROFILES_DIRECTORY

                factory = _lazy_factory_class()()
                factory.load_profile(PROFILES_DIRECTORY)
                factory.set_seed(0)
                _factory = factory
    return _factory


class LazyProbabilities:
    """langdetect's ``word_lang_prob_map`` (an n-gram -> its probability in each language, by
    the language's index), each n-gram's list made the first time the detector looks it up.
    Why: the profiles hold 184,000 n-gram counts, and making every list up front was most of
    the cost of loading them (about 0.5 s); a detector call looks up a few hundred. Each list
    is the one ``DetectorFactory.add_profile`` makes, by the same arithmetic."""

    def __init__(self, profiles: list, langsize: int):
        self._profiles = profiles  # (index, LangProfile), in the order they were added
        self._langsize = langsize
        self._keys = set().union(*(profile.freq for _, profile in profiles))
        self._made: dict[str, list[float]] = {}

    def __contains__(self, word) -> bool:
        return word in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, word: str) -> list[float]:
        probs = self._made.get(word)
        if probs is None:
            if word not in self._keys:
                raise KeyError(word)
            probs = [0.0] * self._langsize
            length = len(word)
            if 1 <= length <= 3:
                for index, profile in self._profiles:
                    count = profile.freq.get(word)
                    if count is not None:  # (add_profile sets the languages whose profile has it)
                        probs[index] = 1.0 * count / profile.n_words[length - 1]
            self._made[word] = probs
        return probs

    def rows(self, words: Iterable[str]) -> list[list[float]]:
        """``[self[word] for word in words]`` (distinct n-grams of the profiles), the lists not
        made yet made together: each profile's counts of them looked up by one C-level map, and
        divided in numpy by the profile's total of n-grams of each one's length (the quotient
        ``add_profile`` computes, ``1.0 * count / n_words``: an IEEE division of the same two
        floats). Why: a list made alone takes a Python step per language (55 per n-gram); a
        story's 100 detector calls meet about 2,000 n-grams for the first time."""
        words = list(words)
        made = self._made
        missing = [word for word in words if word not in made]
        if missing:
            import numpy as np

            for word in missing:
                if word not in self._keys:
                    raise KeyError(word)
            lengths = np.fromiter(map(len, missing), dtype=np.intp, count=len(missing))
            counts = np.zeros((self._langsize, len(missing)), dtype=np.float64)
            totals = np.ones((self._langsize, len(missing)), dtype=np.float64)
            absent = [0] * len(missing)
            columns = np.minimum(lengths, 3) - 1  # (n_words holds the totals of lengths 1 to 3)
            for index, profile in self._profiles:
                counts[index] = list(map(profile.freq.get, missing, absent))
                totals[index] = np.asarray(profile.n_words[:3], dtype=np.float64)[columns]
            counts[:, (lengths < 1) | (lengths > 3)] = 0.0  # (add_profile sets only lengths 1 to 3)
            probs = np.divide(counts, totals, out=np.zeros_like(counts), where=counts != 0.0)
            made.update(zip(missing, probs.T.tolist()))
        return [made[word] for word in words]


@lru_cache(maxsize=1)
def _lazy_factory_class():
    """langdetect's DetectorFactory (which reads the profile files as ever) with its
    probability table a ``LazyProbabilities``. Defined on first use: langdetect is imported
    only when a segment needs it."""
    from langdetect.detector_factory import DetectorFactory
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException

    class LazyDetectorFactory(DetectorFactory):
        def load_profile(self, profile_directory):
            self._profiles: list = []
            self._langsize = 0
            super().load_profile(profile_directory)
            self.word_lang_prob_map = LazyProbabilities(self._profiles, self._langsize)

        def add_profile(self, profile, index, langsize):
            if profile.name in self.langlist:
                raise LangDetectException(ErrorCode.DuplicateLangError, "Duplicate the same language profile.")
            self.langlist.append(profile.name)
            self._profiles.append((index, profile))
            self._langsize = langsize

        def _create_detector(self):
            if not self.langlist:
                raise LangDetectException(ErrorCode.NeedLoadProfileError, "Need to load profiles.")
            return _fast_detector_class()(self)

    return LazyDetectorFactory


@lru_cache(maxsize=1)
def _fast_detector_class():
    """langdetect's Detector with its trials (``_detect_block``) done on numpy rows: the same
    random draws, and every probability the same float by the same arithmetic in the same
    order (elementwise products and quotients are IEEE operations in numpy as in Python; the
    sum is Python's own, left to right). Why: a trial multiplies the 55 languages'
    probabilities by an n-gram's, one Python-level step per language, hundreds of times; a
    story of many uncertain segments sends the detector 100 of them (most of L102's time)."""
    import numpy as np
    from langdetect.detector import Detector
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException

    class FastDetector(Detector):
        def _detect_block(self):
            self.cleaning_text()
            ngrams = self._extract_ngrams()
            if not ngrams:
                raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
            # Each distinct n-gram's probabilities once, as a row; the draws pick row numbers
            # (``choice`` of a list draws the same position whatever the list holds).
            rows = {word: k for k, word in enumerate(dict.fromkeys(ngrams))}
            table = np.array(self.word_lang_prob_map.rows(rows), dtype=np.float64)
            drawn = [rows[word] for word in ngrams]
            n_trial = self.n_trial
            langprob = [0.0] * len(self.langlist)
            rnd = self.random
            rnd.seed(self.seed)
            # ``rnd.choice(drawn)`` is ``drawn[r]`` for the first ``getrandbits(k)`` below
            # ``len(drawn)`` (CPython's Random._randbelow): drawn here without its two Python
            # calls per step, where this Python's ``choice`` is checked to draw so.
            size = len(drawn)
            bits = size.bit_length()
            getrandbits = rnd.getrandbits
            inline = _choice_is_getrandbits()
            choice = rnd.choice
            maximum = np.maximum.reduce  # (``ndarray.max`` without its Python-level wrapper)
            for _ in range(n_trial):
                prob = np.array(self._init_probability(), dtype=np.float64)
                alpha = self.alpha + rnd.gauss(0.0, 1.0) * self.ALPHA_WIDTH
                # _update_lang_prob's factors (weight + p), a view of each row made once per
                # trial: indexing the array made one per draw
                factors = list((alpha / self.BASE_FREQ) + table)
                i = 0
                while True:
                    if inline:
                        r = getrandbits(bits)
                        while r >= size:
                            r = getrandbits(bits)
                        prob *= factors[drawn[r]]
                    else:
                        prob *= factors[choice(drawn)]
                    if i % 5 == 0:
                        # _normalize_prob: the probabilities over their sum, and the largest
                        prob /= sum(prob.tolist())
                        if maximum(prob) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                            break
                    i += 1
                langprob = [total + p / n_trial for total, p in zip(langprob, prob.tolist())]
            self.langprob = langprob

    return FastDetector


@lru_cache(maxsize=1)
def _choice_is_getrandbits() -> bool:
    """Whether ``random.Random.choice(seq)`` is ``seq[r]`` for the first ``getrandbits(k)``
    (k the bits of ``len(seq)``) below ``len(seq)``, as in CPython 3.x: checked on draws from
    two generators seeded alike (a Python that draws otherwise keeps ``choice``)."""
    import random

    by_choice, by_bits = random.Random(0), random.Random(0)
    for size in (1, 2, 3, 5, 7, 100, 255, 256, 257, 1000, 4097):
        bits = size.bit_length()
        for _ in range(50):
            r = by_bits.getrandbits(bits)
            while r >= size:
                r = by_bits.getrandbits(bits)
            if by_choice.choice(range(size)) != r:
                return False
    return True


def detect_languages(text: str) -> list[tuple[str, float]]:
    """[(language code, probability)], most probable first; [] when undecidable."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _detector_factory().create()
    detector.append(text)
    try:
        return [(p.lang, p.prob) for p in detector.get_probabilities()]
    except LangDetectException:
        return []


FAMILY = Family(name="language", prefix="L", rules=RULES, check=check)
