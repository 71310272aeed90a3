"""The document object every component annotates, and its segmentation.

A ``Document`` holds the decoded text verbatim; paragraphs and sentences are spans
(half-open code-point offsets) into it. Rule families add ``Finding``s, the neural layer
adds per-sentence scores in ``Sentence.scores``, the spaCy parse is attached lazily in
``Document.user_data`` — nothing ever copies or rewrites the text.
"""

from __future__ import annotations

import bisect
import heapq
import operator
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, chain, compress, islice, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from mtcheck import collector
from mtcheck.findings import Finding

if TYPE_CHECKING:
    from mtcheck.sourcemap import SourceMap

# Finding categories that mark a sentence as damaged (a rewrite target), not just a word.
FLAGGING_CATEGORIES = ("syntax", "language")

# Characters that close a sentence, and what may trail them ("... end.” Next").
_TERMINAL = ".!?…"
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
# Abbreviations after which a period does not end a sentence: data, in
# mtcheck/data/abbreviations.toml (read once, on the first split).
ABBREVIATIONS_FILE = Path(__file__).resolve().parent / "data" / "abbreviations.toml"
_ABBREVIATION_KINDS = ("capitalised", "any_case", "before_number")


class AbbreviationsError(ValueError):
    """mtcheck/data/abbreviations.toml is unreadable or malformed; the message says which key."""


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, frozenset[str]]:
    """The splitter's abbreviation lists by kind (lower-case, without the final dot)."""
    from mtcheck.fsutil import read_toml

    raw = read_toml(ABBREVIATIONS_FILE, AbbreviationsError, "the sentence splitter's abbreviations")
    if set(raw) != set(_ABBREVIATION_KINDS):
        raise AbbreviationsError(f"{ABBREVIATIONS_FILE}: expected exactly the keys {', '.join(_ABBREVIATION_KINDS)}, "
                                 f"got {', '.join(sorted(raw)) or 'none'}")
    out = {}
    for kind in _ABBREVIATION_KINDS:
        words = raw[kind]
        if not isinstance(words, list) or not all(isinstance(w, str) and w == w.lower() and w for w in words):
            raise AbbreviationsError(f"{ABBREVIATIONS_FILE}: {kind}: expected a list of lower-case words")
        out[kind] = frozenset(words)
    return out


def _holds_sentence_together(word: str, next_text: str) -> bool:
    """Whether the period after ``word`` (as written, without that period) is an
    abbreviation's, not a sentence end, given the text that follows the break."""
    token = word.lower()
    lists = abbreviations()
    if token in lists["any_case"] or (word[:1].isupper() and token in lists["capitalised"]):
        return True
    if token in lists["before_number"]:
        return next_text.lstrip(_OPENERS)[:1].isdigit()
    # "U.S." / "e.g." (dotted acronyms) and "F." (an initial) have the shape of an abbreviation.
    return (len(token) == 1 and token.isalpha()) or "." in token and _DOTTED.fullmatch(token) is not None


_DOTTED = re.compile(r"(\w\.)+\w")


# A boundary starts at the first of a run of terminals: a match inside the run would end
# where the run's does (the lookbehind keeps "......" linear, not quadratic).
# The pattern starts with the terminal itself, the look-behind after it ("not two terminals
# in a row here"), so that the regex engine skips in C to the next terminal instead of trying
# the look-behind at every character.
# The spaces after it stay on its line: a boundary whose spaces hold a line break ends a line
# that ends a sentence, and so its unit (``_units``); such a boundary is never inside a unit,
# and matching none spares one match per line of a story of short lines.
_SENT_BOUNDARY = re.compile(
    r"([" + re.escape(_TERMINAL) + r"](?<![" + re.escape(_TERMINAL) + r"]{2})[" + re.escape(_TERMINAL) + r"]*"
    r"[" + re.escape(_CLOSERS) + r"]*)([^\S\r\n]+)(?=[" + re.escape(_OPENERS) + r"]?[\w\"“«(\-—–])"
)
_ELLIPSIS = "…"


@lru_cache(maxsize=4)
def _without_ellipsis(pattern: re.Pattern) -> re.Pattern:
    """``pattern`` with "…" left out of its character classes: the same matches in a text that
    holds no "…" (most write "..."). Why: with it, the terminals' class, which the engine tests
    at every character of the story, is a big-charset table; without it, a bitmap, about 10
    instructions a character fewer (2% of segmenting a story of short lines)."""
    return re.compile(pattern.pattern.replace(_ELLIPSIS, ""), pattern.flags)


def _boundaries(text: str) -> list[re.Match]:
    """``_SENT_BOUNDARY.finditer(text)``, as a list: the matches of one pattern per terminal
    character (``_by_terminal``), merged by their starts. Why: a pattern that starts with a
    literal character is searched for with a C loop over the text that compares characters
    (a couple of instructions each); one that starts with a class tests the class at every
    character (about 60 instructions each). Merging gives the same matches: no match holds the
    start of another (after its run of terminals, each following a terminal, it holds only
    closers and spaces), so the one-pattern search, which goes on from where its last match
    ended, finds a match at every place one starts, as each terminal's search does for its own."""
    pattern = _SENT_BOUNDARY if _ELLIPSIS in text else _without_ellipsis(_SENT_BOUNDARY)
    found = [list(p.finditer(text)) for terminal, p in _by_terminal(pattern) if terminal in text]
    if len(found) == 1:
        return found[0]
    return list(heapq.merge(*found, key=re.Match.start))


@lru_cache(maxsize=4)
def _by_terminal(pattern: re.Pattern) -> tuple[tuple[str, re.Pattern], ...]:
    """``_SENT_BOUNDARY`` (``pattern``: it, or it without "…") split into one pattern per
    terminal character it starts with, each starting with that character itself: (the
    character, its pattern)."""
    source = pattern.pattern
    assert source.startswith("([") and source.index("]") < source.index("(?<!")  # (the shape split here)
    terminals = re.findall(r"\\?(.)", source[2:source.index("]")])
    rest = source[source.index("(?<!"):]
    return tuple((c, re.compile("(" + re.escape(c) + rest, pattern.flags)) for c in terminals)


# The word before a boundary, matched on the reversed unit (a run of word characters and dots
# ending there), so that finding it costs its own length, not the sentence's.
_WORD_RUN = re.compile(r"[\w.]*")


@dataclass
class Paragraph:
    start: int
    end: int


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    text: str
    paragraph: int
    kind: str = "body"  # "title" | "heading" | "body"
    is_quote: bool = False  # opens with a quotation mark: reported speech, judged leniently
    # The neural stage's numbers, and only those: {"quality": 0.42, "lm_logprob": -3.1, "slor": 0.2}.
    scores: dict = field(default_factory=dict)
    # The rewrite stage's proposal (``mtcheck.rewrite``): {"text", "source", "fix_score",
    # "accepted", "components", "candidates"}; None when the sentence got none.
    rewrite: dict | None = None

    @property
    def quality(self) -> float | None:
        return self.scores.get("quality")

    @property
    def is_heading(self) -> bool:
        return self.kind in ("title", "heading")


@dataclass
class Document:
    path: str
    text: str
    encoding: str = "utf-8"
    paragraphs: list[Paragraph] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    user_data: dict = field(default_factory=dict)  # lazily attached analyses (spaCy Doc, ...)
    # What the reader could not decode cleanly (bytes replaced by U+FFFD, an uncertain code
    # page), as plain dicts; the integrity rules report them. See mtcheck.reader._lenient.
    decode_issues: list = field(default_factory=list)
    # For a story read from a wire format (ninjs, NewsML-G2, NITF, a feed, a web page): the
    # map from each character of ``text`` back to the original file (``mtcheck.sourcemap``);
    # None for plain text, where the text is the file.
    source: "SourceMap | None" = None
    _line_starts: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def from_text(cls, text: str, path: str = "<text>", encoding: str = "utf-8") -> "Document":
        doc = cls(path=path, text=text, encoding=encoding)
        # Segmenting makes a sentence per line of a story of short lines, hundreds of thousands
        # of objects none of which refers back: the cyclic collector, run every 700 of them,
        # walked them all again and again (a third of the time on 200,000 lines). Paused here;
        # reference counting frees what is dropped.
        with collector.paused():
            if "\r" in text:  # (\r\n or a lone \r ends a line too: the general passes)
                doc._line_starts = _line_starts(text)
                doc.paragraphs = list(_paragraphs(text))
                doc.sentences = list(_sentences(text, doc.paragraphs))
            else:
                lines = text.split("\n")
                doc._line_starts = split_line_starts(lines)
                doc.paragraphs, doc.sentences = _segment_lines(text, lines, doc._line_starts)
        return doc

    @property
    def title(self) -> Sentence | None:
        for s in self.sentences:
            return s if s.kind == "title" else None
        return None

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in code points) of a character offset: in the original
        file for a wire story (its source map says where), in the text otherwise."""
        if self.source is not None:
            return self.source.original_line_col(offset)
        return self.text_line_col(offset)

    def finding_lines(self, f) -> tuple[int, int, int, int]:
        """(line, col, end_line, end_col) of a finding: ``line_col`` of its start and end, or,
        for a wire story's finding about text the reader left out of the checked text (page
        furniture, a language declaration; ``sourcemap.SourceMap.finding_place``), that
        text's place in the original file."""
        if self.source is not None:
            p = self.source.finding_place(f)
            return p["line"], p["col"], p["end_line"], p["end_col"]
        return self.line_col(f.start) + self.line_col(f.end)

    def byte_offset(self, offset: int) -> int | None:
        """The byte offset in the original file of a wire story's character (None for plain
        text, whose JSON offsets are already the file's)."""
        return self.source.original_byte(offset) if self.source is not None else None

    def text_line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in code points) of an offset in ``text`` itself."""
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def sentence_at(self, offset: int) -> Sentence | None:
        starts = [s.start for s in self.sentences]
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and self.sentences[i].start <= offset < max(self.sentences[i].end, self.sentences[i].start + 1):
            return self.sentences[i]
        return None

    def letter_runs(self) -> tuple[list[str], list[int]]:
        """The text cut into its maximal runs of letters (``LETTER_RUN``): the pieces alternate
        gap, run, gap, ..., run, gap (``letter_run_split``), with each piece's end offset (their
        running lengths). Computed once per document and shared: the entity, style and other
        word-level rules read their words off it instead of each splitting the text again (a
        story has a word every six characters). Read-only."""
        cached = self.user_data.get(_LETTER_RUNS)
        if cached is None:
            parts = letter_run_split(self.text)
            cached = self.user_data[_LETTER_RUNS] = (parts, list(accumulate(map(len, parts))))
        return cached

    def lowered(self) -> str:
        """``text.lower()``, computed once per document (several rules search the lower-cased
        story; each lowering is a pass over it)."""
        cached = self.user_data.get(_LOWERED)
        if cached is None:
            cached = self.user_data[_LOWERED] = self.text.lower()
        return cached

    def body_sentences(self) -> Iterator[Sentence]:
        return (s for s in self.sentences if s.kind == "body")

    def flagged_sentences(self) -> set[int]:
        """Indices of sentences holding a syntax or language finding (what rewrites target)."""
        out: set[int] = set()
        starts = [s.start for s in self.sentences]
        for f in self.findings:
            if f.category not in FLAGGING_CATEGORIES:
                continue
            # The sentence the finding starts in, and every sentence starting inside its span.
            i = bisect.bisect_right(starts, f.start) - 1
            if i >= 0 and self.sentences[i].start <= f.start < self.sentences[i].end:
                out.add(self.sentences[i].index)
            j = bisect.bisect_left(starts, f.start)
            while j < len(starts) and starts[j] < f.end:
                out.add(self.sentences[j].index)
                j += 1
        return out


_LETTER_RUNS = "document.letter_runs"  # (the user_data keys of Document.letter_runs, .lowered)
_LOWERED = "document.lowered"

# A letter, as the word rules read words: a word character that is no digit and no underscore.
LETTER_RUN = re.compile(r"[^\W\d_]+")
_LETTER_RUN_SPLIT = re.compile(r"([^\W\d_]+)")


@lru_cache(maxsize=1)
def _bmp_letter_run_split() -> re.Pattern:
    r"""_LETTER_RUN_SPLIT for a text without characters past U+FFFF (almost every text), its
    letter class ``[^\W\d_]`` spelled out as the ranges of letters it matches there: the regex
    engine tests such a class on a bitmap, about twice as fast as the Unicode categories.
    Built once per process (about 20 ms), from the categories themselves."""
    bmp = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))
    letters = "".join(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}"
                      for run in LETTER_RUN.findall(bmp))  # (letters: nothing to escape)
    return re.compile(f"([{letters}]++)")


# The shortest text worth building the spelled-out class for (it saves about 0.05 s a million
# characters); once built, every text takes it.
FAST_SPLIT_MIN_CHARS = 400_000


def letter_run_split(text: str) -> list[str]:
    """``_LETTER_RUN_SPLIT.split(text)``: gap, run, gap, ..., run, gap (the first and last gap
    may be empty, no other piece is)."""
    if (len(text) < FAST_SPLIT_MIN_CHARS and not _bmp_letter_run_split.cache_info().currsize
            or not is_bmp(text)):
        return _LETTER_RUN_SPLIT.split(text)
    return _bmp_letter_run_split().split(text)


def is_bmp(text: str) -> bool:
    """Whether ``text`` has no character past U+FFFF (none takes a surrogate pair)."""
    return text.isascii() or len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text)


def _line_starts(text: str) -> list[int]:
    """The offset of every line's first character (a line ends at \n, \r\n or a lone \r)."""
    if "\r" in text:
        return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    return split_line_starts(text.split("\n"))  # (only \n)


def split_line_starts(lines: list[str]) -> list[int]:
    """The offset of each of ``lines`` in the text they were split from at one-character line
    breaks (``text.split("\\n")``): each starts one past the lengths of the lines before it,
    summed in C (no Python step per line)."""
    lengths = list(map(len, lines))
    return [0, *map(operator.add, accumulate(lengths[:-1]), range(1, len(lengths)))]


_NON_SPACE = re.compile(r"\S")
_BLANK_LINE = re.compile(r"\n[^\S\n]*(?=\n|\Z)")


def _paragraphs(text: str) -> Iterator[Paragraph]:
    """Maximal runs of non-blank lines, trimmed of surrounding whitespace. (One forward pass:
    a paragraph starts at the next non-space character and ends at the next blank line.)"""
    pos = 0
    while True:
        first = _NON_SPACE.search(text, pos)
        if first is None:
            return
        blank = _BLANK_LINE.search(text, first.start())
        end = blank.start() if blank else len(text)
        start = first.start()
        while end > start and text[end - 1].isspace():
            end -= 1
        yield Paragraph(start, end)
        if blank is None:
            return
        pos = blank.end()


# A line trimmed of its surrounding whitespace: from its first non-space character to its last.
_TRIMMED_LINE = re.compile(r"\S(?:[^\r\n]*\S)?")


def line_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Every non-blank line inside [start, end) as a trimmed span (start, end). A line ends at
    \n, \r\n or a lone \r, as in the line numbers findings report."""
    for m in _TRIMMED_LINE.finditer(text, start, len(text) if end is None else end):
        yield m.span()


def _ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS + " ")[-1:] in _TERMINAL or line.rstrip()[-1:] in ":;"


_ENDS_AT_ONCE = frozenset(_TERMINAL + ":;")


def _span_ends_sentence(text: str, a: int, b: int) -> bool:
    """``_ends_sentence(text[a:b])`` without copying the span: only its end is read."""
    last = text[b - 1] if b > a else ""
    # The common cases at once: a terminal (or colon) last, or a letter or digit last.
    if last in _ENDS_AT_ONCE or not last:
        return True  # (an empty span strips to "", which `in` counts as terminal)
    if last not in _CLOSERS and not last.isspace():
        return False
    j = b
    while j > a and (text[j - 1] in _CLOSERS or text[j - 1] == " "):
        j -= 1
    if j == a or text[j - 1] in _TERMINAL:
        return True  # (an all-closers span strips to "", which `in` counts as terminal)
    j = b
    while j > a and text[j - 1].isspace():
        j -= 1
    return j == a or text[j - 1] in ":;"


def _units(text: str, para: Paragraph) -> Iterator[tuple[int, int, bool]]:
    """Split a paragraph into line groups: a line break ends a unit unless the line is a
    hard-wrapped continuation (no terminal punctuation and the next line starts lower-case).
    Yields (start, end, standalone_line_without_terminal)."""
    lines = [m.span() for m in _TRIMMED_LINE.finditer(text, para.start, para.end)]
    # Whether each line ends a sentence, judged on the line alone: a line joined to the one
    # before starts lower-case, so reading back from its end never reaches the line before.
    ends = [_span_ends_sentence(text, a, b) for a, b in lines]
    i, count = 0, len(lines)
    while i < count:
        a = lines[i][0]
        while i + 1 < count and not ends[i] and text[lines[i + 1][0]].islower():
            i += 1
        yield a, lines[i][1], not ends[i]
        i += 1


class _Splitter:
    """Sentence boundaries of a whole story, found in one pass of ``_SENT_BOUNDARY`` over its
    text and handed out unit by unit, in order. A unit is a trimmed line group and every
    non-space character lies in one, so a match inside a unit is the match a search of that
    unit alone finds; a match that starts before the unit (in a heading line not split, or one
    reaching past its own unit's end) is no unit's."""

    def __init__(self, text: str, matches: list[re.Match] | None = None):
        """``matches``: those of ``_SENT_BOUNDARY`` in ``text``, when already found."""
        self.text = text
        self.matches = iter(_boundaries(text) if matches is None else matches)
        self.match = next(self.matches, None)

    def skip_to(self, start: int) -> None:
        """Drop the boundaries that start before ``start``."""
        while self.match is not None and self.match.start() < start:
            self.match = next(self.matches, None)

    def split(self, start: int, end: int) -> list[tuple[int, int]]:
        """The sentences of the unit text[start:end]; units are asked for in text order."""
        self.skip_to(start)
        m = self.match
        if m is None or m.end() > end:
            return [(start, end)]  # no boundary inside (one sentence: the common case)
        text = self.text
        reverse = None  # the unit reversed, made at the first boundary that needs it
        pieces = []
        pos = start
        while m is not None and m.end() <= end:
            after = m.end()
            self.match = next(self.matches, None)
            if text[after:after + 2].lstrip(_OPENERS)[:1].islower():
                # A sentence does not start lower-case: '"Is it?" was the headline', '7 mln. roubles',
                # '(D-Mass.), along with', '... and ordered people to vote'.
                m = self.match
                continue
            first, cut = m.span(1)
            if text[first] == ".":  # (only a period may be an abbreviation's)
                # The run of word characters and dots that ends with the boundary's first
                # character, not reaching back before the sentence's start.
                if reverse is None:
                    reverse = text[start:end][::-1]
                stop = first + 1  # the run ends here
                run = _WORD_RUN.match(reverse, end - stop, end - pos)
                length = run.end() - run.start()
                token = text[stop - length:stop].rstrip(".") if length else ""
                if token and _holds_sentence_together(token, text[after:after + 3]):
                    m = self.match
                    continue
            pieces.append((pos, cut))
            pos = after
            m = self.match
        if pos < end:
            pieces.append((pos, end))
        return pieces


def _sentences(text: str, paragraphs: list[Paragraph]) -> Iterator[Sentence]:
    # ``_units`` and ``_Splitter.split`` written out in one loop, with the common cases (a unit
    # of one line, a unit no boundary falls inside) taken at once: a story of 200,000 short
    # lines makes a sentence per line, and the calls per line were most of its cost.
    index = 0
    seen_title = False
    splitter = _Splitter(text)
    finditer = _TRIMMED_LINE.finditer
    ends_at_once, closers = _ENDS_AT_ONCE, _CLOSERS
    for p_index, para in enumerate(paragraphs):
        lines = [m.span() for m in finditer(text, para.start, para.end)]
        count = len(lines)
        i = 0
        while i < count:
            first = i
            u_start, b = lines[i]
            # Whether the line ends a sentence (``_span_ends_sentence``, its common cases first; a
            # trimmed line ends in no space); a line that does not is joined to the next when
            # that one starts lower-case.
            while True:
                last = text[b - 1]
                if last in ends_at_once:
                    ends = True
                elif last not in closers:
                    ends = False
                else:
                    ends = _span_ends_sentence(text, lines[i][0], b)
                if ends or i + 1 >= count or not text[lines[i + 1][0]].islower():
                    break
                i += 1
                b = lines[i][1]
            joined = i > first
            i += 1
            u_end = b
            # A unit that is one sentence whole (the common case) is a trimmed line group: it
            # starts and ends with no space, and is not empty. A line without a terminal, and a
            # group of lines without a \n between them (joined at lone \r), is a heading.
            if not ends and (not joined or text.find("\n", u_start, u_end) < 0):
                body = text[u_start:u_end]
                # (positional: index, start, end, text, paragraph, kind, is_quote)
                yield Sentence(index, u_start, u_end, body, p_index, "title" if not seen_title and index == 0 else "heading",
                               body[:1] in "\"“«'‘")
                seen_title = True
                index += 1
                continue
            # (``split`` itself when a boundary may fall inside the unit)
            m = splitter.match
            while m is not None and m.start() < u_start:
                m = next(splitter.matches, None)
            splitter.match = m
            if m is None or m.end() > u_end:  # no boundary inside: one sentence
                body = text[u_start:u_end]
                yield Sentence(index, u_start, u_end, body, p_index, "body", body[:1] in "\"“«'‘")
                seen_title = True
                index += 1
                continue
            for a, b in splitter.split(u_start, u_end):
                while b > a and text[b - 1].isspace():
                    b -= 1
                if b <= a:
                    continue
                seen_title = True
                body = text[a:b]
                yield Sentence(index, a, b, body, p_index, "body", body[:1] in "\"“«'‘")
                index += 1


_QUOTE_OPENERS = frozenset("\"“«'‘")  # (what makes ``Sentence.is_quote``: the first character)
_CLOSER_SET = frozenset(_CLOSERS)
_KIND_BY_ENDS = ("heading", "body")  # (indexed by whether the line ends a sentence)


def _segment_lines(text: str, lines: list[str], line_starts: list[int]) -> tuple[list[Paragraph], list[Sentence]]:
    """``_paragraphs`` and ``_sentences`` of a text whose lines end at \\n alone (no \\r), from
    its lines (``text.split("\\n")``) and their offsets: the same paragraphs and sentences,
    field for field. Why: the general passes step through the text line by line in Python
    (about 4 us a line: most of segmenting a story of 200,000 short lines); here the lines'
    trimmed spans, paragraphs, ends and first letters are worked out a list at a time in C
    (``map``, ``compress``), and the sentences of the lines that are one sentence whole (all
    but the lines joined to a neighbour or cut by a boundary) are made in one ``map``. Only
    those other lines take a step in Python each.

    The shapes it relies on: a blank line is one of only whitespace (``str.strip`` knows the
    spaces the regex ``\\s`` knows), so a paragraph is a run of non-blank lines, from the first
    one's first non-space to the last one's last; a sentence boundary (``_SENT_BOUNDARY``) starts
    on a terminal and ends before a non-space of the same line, so it lies in one trimmed line."""
    rlens = list(map(len, map(str.rstrip, lines)))  # 0: a blank line
    numbers = list(compress(range(len(lines)), rlens))  # the non-blank lines' numbers
    count = len(numbers)
    if not count:
        return [], []
    # The trimmed lines (``strip`` hands back a line with no space at either end itself, not a
    # copy: the common case), and their spans [A, B) in the text.
    bodies = list(map(str.strip, compress(lines, rlens)))
    B = list(map(operator.add, compress(line_starts, rlens), compress(rlens, rlens)))
    A = list(map(operator.sub, B, map(len, bodies)))
    # A paragraph starts at the first non-blank line and at each one after a blank line.
    firsts = [0, *compress(range(1, count), map((1).__ne__, map(operator.sub, islice(numbers, 1, None), numbers)))]
    lasts = [*map((-1).__add__, islice(firsts, 1, None)), count - 1]
    paragraphs = list(map(Paragraph, map(A.__getitem__, firsts), map(B.__getitem__, lasts)))
    para_of = list(chain.from_iterable(map(repeat, range(len(firsts)), map(operator.sub, map((1).__add__, lasts), firsts))))
    first_chars = list(map(operator.itemgetter(0), bodies))
    last_chars = list(map(operator.itemgetter(-1), bodies))
    # Whether each line ends a sentence (``_span_ends_sentence``: at once unless it ends in a closer).
    ends = list(map(_ENDS_AT_ONCE.__contains__, last_chars))
    for k in compress(range(count), map(_CLOSER_SET.__contains__, last_chars)):
        ends[k] = _span_ends_sentence(text, A[k], B[k])
    # A line that ends no sentence is joined to the next one of its paragraph that starts lower-case.
    starts_paragraph = set(firsts)
    joined = [k for k in compress(range(count - 1), map(operator.and_, map(operator.not_, ends),
                                                         map(str.islower, islice(first_chars, 1, None))))
              if k + 1 not in starts_paragraph]
    matches = _boundaries(text)
    # (line number + 1 of each boundary: ``bisect_right`` of its start among the line starts)
    cut = set(map(bisect.bisect_right, repeat(A), map(re.Match.start, matches)))
    # The lines not one sentence whole: those joined to a neighbour, and those that end a
    # sentence and hold a boundary (a line that ends none is a heading, boundaries or not).
    special = set(joined)
    special.update(map((1).__add__, joined))
    special.update(k - 1 for k in cut if ends[k - 1])
    kinds = list(map(_KIND_BY_ENDS.__getitem__, ends))
    if not ends[0] and 0 not in special:
        kinds[0] = "title"
    columns = (range(count), A, B, bodies, para_of, kinds,
               map(_QUOTE_OPENERS.__contains__, first_chars))
    if not special:
        return paragraphs, list(map(Sentence, *columns))
    keep = [True] * count
    for k in special:
        keep[k] = False
    # The lines kept, made one by one as the others' sentences are put between them; each is
    # numbered by its line until a unit makes more or fewer sentences than it has lines.
    whole = map(Sentence, *(compress(column, keep) for column in columns))
    sentences: list[Sentence] = []
    splitter = _Splitter(text, matches)
    join_next = set(joined)
    renumber = None  # the first sentence of a kept line whose index is not its line's number
    done = 0  # the lines handled
    for k in sorted(special):
        if k < done:
            continue  # (a later line of a unit already handled)
        if k > done:
            sentences.extend(islice(whole, k - done))
        last = k
        while last in join_next:
            last += 1
        done = last + 1
        u_start, u_end = A[k], B[last]
        if not (k + 1 in cut if last == k else any(j + 1 in cut for j in range(k, done))):  # no boundary inside: one sentence
            sentences.append(Sentence(len(sentences), u_start, u_end, text[u_start:u_end], para_of[k], "body",
                                      first_chars[k] in _QUOTE_OPENERS))
        else:
            for a, b in splitter.split(u_start, u_end):
                while b > a and text[b - 1].isspace():
                    b -= 1
                if b > a:
                    sentences.append(Sentence(len(sentences), a, b, text[a:b], para_of[k], "body",
                                              text[a] in _QUOTE_OPENERS))
        if renumber is None and len(sentences) != done:
            renumber = len(sentences)
    sentences.extend(whole)
    if renumber is not None:
        for i in range(renumber, len(sentences)):
            sentences[i].index = i
    return paragraphs, sentences
