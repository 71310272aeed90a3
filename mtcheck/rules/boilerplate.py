"""boilerplate rules (prefix B): page furniture that is not the story.

Copy scraped from a web page carries the page with it: cookie banners, share prompts, bot
checks, links to other stories, bylines and date stamps, a title printed twice, a paragraph
the page cut off. Each finding spans the whole junk line (or the cut-off sentence) and its fix
deletes it, with the line break and blank lines after it, so the story closes up. The line
patterns are data (``mtcheck/data/boilerplate.toml``), compiled and validated once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, groupby, islice
from operator import and_, attrgetter, eq, itemgetter, methodcaller, not_, or_
from typing import Iterable, Iterator

from mtcheck.data import load_toml, regex, words
from mtcheck.document import _TRIMMED_LINE, Document, line_spans, split_line_starts
from mtcheck.findings import Applicability, Edit, Finding, Fix, Severity
from mtcheck.lexicon import lexicon
from mtcheck.rules.base import CASE_FOLDS_TO_ASCII, Context, Family, Rule, leading_literals, required_literals

COOKIE_BANNER = Rule(
    code="B101",
    name="cookie-banner",
    category="boilerplate",
    severity=Severity.WARNING,
    summary="Cookie or consent banner (\"This website uses cookies ... Accept Read More\")",
    why="The page's consent banner was copied with the story; it is not part of it.",
    example="This website uses cookies to improve your experience. ... Accept Read More → (deleted)",
    fix="safe",
)
SHARE_PROMPT = Rule(
    code="B102",
    name="share-prompt",
    category="boilerplate",
    severity=Severity.WARNING,
    summary="Share, like or comment prompt (\"Like this:\", \"Leave a comment\", \"You might also like\")",
    why="Buttons and prompts of the page's social widgets, not text of the story.",
    example="Leave a comment → (deleted)",
    fix="safe",
)
CAPTCHA = Rule(
    code="B103",
    name="captcha",
    category="boilerplate",
    severity=Severity.WARNING,
    summary="Bot check text (\"Confirm that you are not a bot\")",
    why="The page's captcha was copied with the story.",
    example="Confirm that you are not a bot - select a man with raised hand: → (deleted)",
    fix="safe",
)
TEASER = Rule(
    code="B104",
    name="teaser",
    category="boilerplate",
    severity=Severity.WARNING,
    summary="Link to another story (\"More news: ...\", \"Read more: ...\")",
    why="A headline of another story, put in by the page between paragraphs.",
    example="More news: Pak Taliban commander killed in U.S. drone strike → (deleted)",
    fix="safe",
)
BYLINE = Rule(
    code="B105",
    name="page-byline",
    category="boilerplate",
    severity=Severity.INFO,
    summary="Byline or date stamp printed by the page (\"Published: Wed, February 14, 2018\", \"World | By ...\")",
    why="The page's section label, author line and time stamp are page chrome; the desk sets its own. "
    "Deleting is unsafe: the desk may keep a credit.",
    example="World | By Melba Underwood → (deleted)",
    fix="unsafe",
)
REPEATED_TITLE = Rule(
    code="B106",
    name="repeated-title",
    category="boilerplate",
    severity=Severity.WARNING,
    summary="Title repeated as the next line",
    why="The page printed the headline twice (once as the page title, once above the story).",
    example="Russia and USA are very close ... (twice) → the second one deleted",
    fix="safe",
)
TRUNCATED = Rule(
    code="B107",
    name="truncated-text",
    category="boilerplate",
    severity=Severity.WARNING,
    summary="Paragraph cut off mid-sentence or mid-word (\"The Syrian military shelled the increasingly\")",
    why="The page or the copy cut the text off: the sentence ends on a word that cannot end one. "
    "Deleting it is unsafe: the desk may prefer to restore it from the source.",
    example="The Syrian military shelled the increasingly → restore from the source, or delete",
    fix="unsafe",
)

RULES = (COOKIE_BANNER, SHARE_PROMPT, CAPTCHA, TEASER, BYLINE, REPEATED_TITLE, TRUNCATED)

# Rules whose lines are recognised by patterns, in the order they are tried on a line.
_PATTERN_RULES = (CAPTCHA, COOKIE_BANNER, TEASER, SHARE_PROMPT, BYLINE)

_TERMINAL = ".!?…:;\"'”’»)]"
_TERMINAL_SET = frozenset(_TERMINAL)
_DATA_KEY = {COOKIE_BANNER: "cookie-banner", SHARE_PROMPT: "share-prompt", CAPTCHA: "captcha", TEASER: "teaser", BYLINE: "byline"}
_SCHEMA = {
    **{key: {"patterns": [regex()]} for key in _DATA_KEY.values()},
    "truncation": {"min_words": int, "dangling_words": words},
}


@dataclass(frozen=True)
class _BoilerplateData:
    patterns: tuple[tuple[Rule, tuple[re.Pattern, ...]], ...]
    min_words: int
    dangling_words: frozenset[str]


def _load(name: str = "boilerplate.toml") -> _BoilerplateData:
    raw = load_toml(name, _SCHEMA)
    return _BoilerplateData(
        patterns=tuple((rule, tuple(raw[_DATA_KEY[rule]]["patterns"])) for rule in _PATTERN_RULES),
        min_words=raw["truncation"]["min_words"],
        dangling_words=raw["truncation"]["dangling_words"],
    )


@lru_cache(maxsize=1)
def boilerplate_data() -> _BoilerplateData:
    return _load()


# -- helpers ------------------------------------------------------------------------------


def deletion_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span to delete to remove the line(s) holding [start, end): from the start of its
    line through the line break and any blank lines after it, so the next line moves up."""
    a = start
    while a > 0 and text[a - 1] in " \t\u00a0":
        a -= 1
    b = end
    while b < len(text) and text[b].isspace():
        b += 1
    while b < len(text) and b > end and text[b - 1] in " \t\u00a0":
        b -= 1  # keep the next line's own indentation
    return a, b


def _deletion(rule: Rule, doc: Document, start: int, end: int, message: str, safe: bool, data: dict | None = None,
              delete: tuple[int, int] | None = None) -> Finding:
    finding = rule.finding(doc, start, end, message, data=data)
    a, b = delete or deletion_span(doc.text, start, end)
    finding.suggestion = ""
    finding.fix = Fix(edits=(Edit(a, b, ""),), applicability=Applicability.SAFE if safe else Applicability.UNSAFE)
    return finding


# -- B101-B105: junk lines recognised by their patterns -------------------------------------


# The longest line B101-B105 try their patterns on: a consent banner runs to a few hundred
# characters; a pattern with two ".*" costs the square of the line's length.
MAX_PATTERN_LINE = 2000


@lru_cache(maxsize=4)
def _any_pattern(patterns: tuple[re.Pattern, ...]) -> re.Pattern | None:
    """One pattern that fully matches a line when one of ``patterns`` does (an alternation, each
    pattern's leading (?i) scoped to its own branch): a line of prose is turned away in one
    match instead of one per pattern. None where the patterns cannot be joined so (other
    flags, back-references): then each is tried."""
    branches = []
    for p in patterns:
        source = p.pattern
        inline = re.IGNORECASE if source.startswith("(?i)") else 0  # (p.flags holds the inline flag too)
        if p.flags != re.UNICODE | inline or re.search(r"\\[1-9]|\(\?P=", source) or re.match(r"\(\?[a-zA-Z]+\)", source) and not source.startswith("(?i)"):
            return None
        branches.append("(?i:" + source[4:] + ")" if source.startswith("(?i)") else "(?:" + source + ")")
    try:
        return re.compile("|".join(branches))
    except re.error:
        return None


# A pattern's leading literals are used (rather than a literal it holds anywhere) when the
# shortest is at least this long: "i" starts too many lines to sort any out ...
MIN_LEADING_LITERAL = 3


# ... unless its literals found anywhere are few and long ("site uses cookies" rather than
# lines starting "this " or "our "): each costs a pass over the text, but sorts out more lines.
MIN_SELECTIVE_LITERAL = 8


@lru_cache(maxsize=256)
def _requirement(pattern: re.Pattern) -> tuple[str, tuple] | None:
    """What a line must have to match ``pattern``: ("starts", lower-cased literals it starts
    with) or ("holds", (literal, ignoring case) one of which it holds); None: nothing known
    (``base.leading_literals``, ``base.required_literals``)."""
    starts, holds = leading_literals(pattern), required_literals(pattern)
    shortest_start = min(map(len, starts)) if starts else 0
    if holds and len(holds) <= 2 and min(len(s) for s, _ in holds) >= max(MIN_SELECTIVE_LITERAL, shortest_start + 1):
        return "holds", holds
    if starts and (shortest_start >= MIN_LEADING_LITERAL or holds is None):
        return "starts", starts
    if holds:
        return "holds", holds
    return None


@lru_cache(maxsize=4)
def _line_requirements(patterns: tuple[re.Pattern, ...]) -> tuple[tuple[str, ...], tuple[tuple[str, bool], ...]] | None:
    """What a line must have to match one of ``patterns`` (each pattern's ``_requirement``):
    (lower-cased literals it may start with, literals it may hold anywhere); None when some
    pattern requires nothing known."""
    leading: dict[str, None] = {}
    anywhere: dict[tuple[str, bool], None] = {}
    for p in patterns:
        need = _requirement(p)
        if need is None:
            return None
        (leading if need[0] == "starts" else anywhere).update(dict.fromkeys(need[1]))
    return tuple(leading), tuple(anywhere)


def _lowering_keeps_offsets(text: str, lowered: str | None = None) -> bool:
    """Whether ``text.lower()`` (``lowered``, when known) can stand in for what a
    case-insensitive pattern matches, offset for offset: no letter it takes for an ASCII one,
    none lower-casing to two."""
    return not any(c in text for c in CASE_FOLDS_TO_ASCII) and len(text.lower() if lowered is None else lowered) == len(text)


def _candidate_lines(text: str, needs: tuple[tuple[str, ...], tuple[tuple[str, bool], ...]] | None,
                     lowered: str | None = None) -> Iterator[tuple[int, int]]:
    """The trimmed lines of ``text`` (as ``line_spans``, in order) that start with one of the
    leading literals of ``needs`` or hold one of its other literals (every line when ``needs``
    is None): the only lines the patterns it was made from can match. Found in C: one regex
    over the lower-cased text finds the lines that start with a leading literal, each other
    literal is found with ``str.find``, so no regex is tried on a line of ordinary prose and
    the text is not split into its lines (a story of short lines has 200,000)."""
    if lowered is None:
        lowered = text.lower()
    if needs is None or not _lowering_keeps_offsets(text, lowered):
        yield from line_spans(text)
        return
    leading, anywhere = needs
    # Line breaks as line_spans sees them (\n, \r\n or a lone \r), all as \n: the same lines
    # (a \r\n gives an extra empty one) at the same offsets.
    if "\r" in text:
        lowered = lowered.replace("\r", "\n")
    find, rfind, size = lowered.find, lowered.rfind, len(lowered)
    chosen: set[int] = set()  # the starts of the lines chosen
    if leading:
        # The lines that start (after their spaces) with one of the literals: at a line break
        # (one put before the text stands for its start), the spaces the line starts with (all
        # of them, ``[^\S\n]*+``: what ``lstrip`` strips from it), then one of the literals.
        # (Each match starts at the line break before its line, in the text with one put first:
        # at the line's own start in the text.)
        chosen.update(map(re.Match.start, _line_leads(frozenset(leading)).finditer("\n" + lowered)))
    for literal, icase in _searched(anywhere):
        search = (lowered if icase else text).find
        i = search(literal)
        while i >= 0:
            chosen.add(rfind("\n", 0, i) + 1)
            end = find("\n", i)
            if end < 0:
                break
            i = search(literal, end)  # on from the end of its line
    for start in sorted(chosen):
        end = find("\n", start)
        m = _TRIMMED_LINE.search(text, start, end if end >= 0 else size)
        if m is not None:
            yield m.span()


@lru_cache(maxsize=4)
def _searched(anywhere: tuple[tuple[str, bool], ...]) -> tuple[tuple[str, bool], ...]:
    """The literals of ``anywhere`` that hold no other one found ignoring case (each search is a
    pass over the text): a line holding "site uses cookies" holds "cookie", and is chosen for it."""
    def held(literal: str, icase: bool) -> bool:
        return "\n" not in literal and any(
            other_icase and other != literal and other in literal.lower() and "\n" not in other
            for other, other_icase in anywhere)
    return tuple((literal, icase) for literal, icase in anywhere if not held(literal, icase))


@lru_cache(maxsize=4)
def _line_leads(literals: frozenset[str]) -> re.Pattern:
    """A line break, all the spaces after it, and one of ``literals`` (one holding a line break
    starts no line's stripped text, and would let a match run into the next line). The literals
    are spelled as a tree of their letters (``_letter_tree``): where the line starts with none,
    the engine tries a branch per first letter, not one per literal."""
    return re.compile(r"\n[^\S\n]*+" + _letter_tree(sorted(w for w in literals if "\n" not in w)))


def _letter_tree(words: list[str]) -> str:
    """A regex that matches where one of ``words`` (sorted) starts: a group per first letter,
    holding the tree of what follows it ("(?:a(?:bc|x)|b)" for abc, ax, b)."""
    if not words:
        return "(?!)"  # (none: matches nowhere)
    if "" in words:
        return ""  # (a word ends here: what may follow does not matter to where a match starts)
    branches = []
    for letter, group in groupby(words, key=itemgetter(0)):
        rests = [w[1:] for w in group]
        rest = rests[0] if len(rests) == 1 else _letter_tree(rests)
        branches.append(re.escape(letter) + (re.escape(rest) if len(rests) == 1 else rest))
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _pattern_lines(doc: Document, data: _BoilerplateData, ctx: Context, taken: set[int]) -> Iterator[Finding]:
    text = doc.text
    enabled = tuple(p for rule, patterns in data.patterns if ctx.on(rule.code) for p in patterns)
    prefilter = _any_pattern(enabled)
    lowered = doc.lowered()
    # Each line is screened by what each pattern requires (``_pattern_screens``), where the
    # lower-cased text can stand in for the line (as in ``_candidate_lines``).
    screens = _pattern_screens(enabled) if _lowering_keeps_offsets(text, lowered) else None
    if screens is not None:
        rules = [rule for rule, patterns in data.patterns if ctx.on(rule.code) for _ in patterns]
    for a, b in _candidate_lines(text, _line_requirements(enabled), lowered):
        if b - a > MAX_PATTERN_LINE:
            continue  # a paragraph, not page furniture (and ".*x.*" patterns would crawl over it)
        if screens is None:
            hit = _junk_line(text[a:b], data, ctx, prefilter)
        else:
            line = text[a:b]
            hit = next(((rules[i], enabled[i]) for i in _screened(line, lowered[a:b], screens)
                        if enabled[i].fullmatch(line)), None)
        if hit is None:
            continue
        rule, pattern = hit
        taken.add(a)
        yield _deletion(
            rule, doc, a, b,
            f"{_WHAT[rule.code]}, not part of the story: delete the line",
            safe=rule.fix == Applicability.SAFE,
            data={"pattern": pattern.pattern},
        )


@lru_cache(maxsize=4)
def _pattern_screens(patterns: tuple[re.Pattern, ...]) -> tuple[dict, tuple] | None:
    """What a line must have to match each of ``patterns`` (``_requirement``), arranged to screen
    one line: (the patterns a line may match by how it starts, by the first character of their
    literals: {character: ((place in ``patterns``, lower-cased literals), ...)}; each literal a
    line must hold somewhere: ((literal, ignoring case, places of the patterns needing it), ...)).
    None: some pattern requires nothing known."""
    by_first: dict[str, list] = {}
    holders: dict[tuple[str, bool], list[int]] = {}
    for i, p in enumerate(patterns):
        need = _requirement(p)
        if need is None:
            return None
        kind, literals = need
        if kind == "starts":
            for first in sorted({w[:1] for w in literals}):
                by_first.setdefault(first, []).append((i, literals))
        else:
            for literal in literals:
                holders.setdefault(literal, []).append(i)
    return ({first: tuple(entries) for first, entries in by_first.items()},
            tuple((literal, icase, tuple(places)) for (literal, icase), places in holders.items()))


def _screened(line: str, lowered: str, screens: tuple[dict, tuple]) -> list[int]:
    """The places (in order) of the patterns of ``screens`` that ``line`` (trimmed; ``lowered``:
    it lower-cased, offset for offset) has what they require for: the only ones it may match.
    Why: trying the others cost a match each (those starting ".*" a pass over the line)."""
    by_first, holders = screens
    places = set()
    for i, literals in chain(by_first.get(lowered[:1], ()), by_first.get("", ())):
        if lowered.startswith(literals):
            places.add(i)
    for literal, icase, needing in holders:
        if literal in (lowered if icase else line):
            places.update(needing)
    return sorted(places)


def _junk_line(line: str, data: _BoilerplateData, ctx: Context, prefilter: re.Pattern | None) -> tuple[Rule, re.Pattern] | None:
    """The first enabled rule of B101-B105 (and its pattern) that recognises ``line``."""
    if prefilter is not None and prefilter.fullmatch(line) is None:
        return None
    for rule, patterns in data.patterns:
        if not ctx.on(rule.code):
            continue
        pattern = next((p for p in patterns if p.fullmatch(line)), None)
        if pattern is not None:
            return rule, pattern
    return None


_WHAT = {
    "B101": "cookie or consent banner",
    "B102": "share, like or comment prompt of the web page",
    "B103": "bot check (captcha) of the web page",
    "B104": "link to another story",
    "B105": "byline or date stamp printed by the web page",
}


# -- B101-B105 on a web page: furniture the extractor left out of the story ------------------


def _page_furniture(doc: Document, data: _BoilerplateData, ctx: Context) -> Iterator[Finding]:
    """The blocks of the story area of a web page that the extractor did not take
    (``readers.html``: ``source.meta["furniture"]``) and that B101-B105 recognise. They are not
    in the checked text, so the finding has a zero-width span where the block sat (after the
    part before it) and points at the block in the page (``data["outside"]``); it has no fix
    (there is nothing to delete from the checked text, the page is the CMS's)."""
    source = doc.source
    blocks = source.meta.get("furniture") if source is not None else None
    if not blocks:
        return
    prefilter = _any_pattern(tuple(p for rule, patterns in data.patterns if ctx.on(rule.code) for p in patterns))
    for block in blocks:
        line = " ".join(str(block.get("text", "")).split())
        hit = _junk_line(line, data, ctx, prefilter) if line and len(line) <= MAX_PATTERN_LINE else None
        if hit is None:
            continue
        rule, pattern = hit
        at = min(max(int(block.get("at", 0)), 0), len(doc.text))
        shown = line if len(line) <= 60 else line[:59] + "…"
        page_line, _ = source.source_line_col(int(block["start"]))
        yield rule.finding(
            doc, at, at,
            f"{_WHAT[rule.code]} in the story area, left out of the checked text by the extractor (page line "
            f"{page_line}: '{shown}'): make sure it is not imported with the story",
            data={"pattern": pattern.pattern, "outside": {"start": int(block["start"]), "end": int(block["end"]),
                                                          "text": line}},
        )


# -- B106: a title printed twice ----------------------------------------------------------


_TITLE_STOPS = ".!?:;…"  # what _normalised strips from a line's end


def _normalised(line: str) -> str:
    return " ".join(line.casefold().rstrip(_TITLE_STOPS).split())


def _repeat_candidates(text: str) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """The pairs of consecutive trimmed lines of ``text`` (as ``line_spans``, in order) that
    might be one title twice: every pair whose first line ends in no sentence end (``_TITLE_ENDS``:
    B106 reports no other) and whose ``_normalised`` forms are equal is among them. Each
    such first line's ``_normalised`` form without its spaces is compared with the next
    line's: made with a few string methods per line, each ``map``ped over the lines at once (the
    regex of ``line_spans`` is not run over all of a text of short lines, nor a Python function
    per line), and only the lines compared are case-folded (a story of paragraphs has few lines
    without a full stop at the end)."""
    # (\r\n, a lone \r and \n all end a line, as in line_spans: all made \n; \r\n gives an
    # empty line more, which holds no trimmed line.)
    breaks = text.replace("\r", "\n") if "\r" in text else text
    raw = breaks.split("\n")
    # The lines line_spans yields: those holding a non-space (strip knows the spaces the regex
    # \s knows). (Each step below is a list at a time, in C: no Python call per line.)
    trimmed_ends = list(map(str.rstrip, raw))
    full = list(compress(range(len(raw)), trimmed_ends))
    # The pairs whose first line ends in no sentence end, and the keys of their two lines.
    # Case folding turns no character into a space, nor a space into anything else: a line's
    # key is its fold trimmed, without the stops at its end and without spaces.
    open_first = map(not_, map(_TITLE_END_SET.__contains__, map(itemgetter(-1), compress(trimmed_ends, trimmed_ends))))
    # A key starts with the fold's first character of the line's first non-space, unless it is
    # empty (a line of stops): only pairs whose lines start so alike, or with a stop, are keyed
    # (making a key splits the line into its words, most of the cost on a story of short lines).
    heads = list(map(itemgetter(0), map(str.casefold, map(itemgetter(0), map(str.lstrip, compress(raw, trimmed_ends))))))
    stop_heads = list(map(_TITLE_STOP_SET.__contains__, heads))
    alike = map(or_, map(or_, map(eq, heads, islice(heads, 1, None)), stop_heads), islice(stop_heads, 1, None))
    paired = list(map(and_, open_first, alike))  # (the last line starts no pair: alike is one shorter)
    firsts = compress(map(raw.__getitem__, full), paired)
    nexts = compress(map(raw.__getitem__, islice(full, 1, None)), paired)
    same = list(map(eq, _repeat_keys(firsts), _repeat_keys(nexts)))
    if not any(same):
        return
    seconds = list(compress(compress(range(1, len(full)), paired), same))  # (indices in full)
    starts = split_line_starts(raw)

    def span(i: int) -> tuple[int, int]:
        line = raw[i]
        return starts[i] + len(line) - len(line.lstrip()), starts[i] + len(line.rstrip())

    for k in seconds:
        yield span(full[k - 1]), span(full[k])


# What ends a line that is no title (B106 looks for a title printed twice, and a title has no
# sentence end): the last character of its first copy.
_TITLE_ENDS = ".!?…\"”»"


_TITLE_END_SET = frozenset(_TITLE_ENDS)
_TITLE_STOP_SET = frozenset(_TITLE_STOPS)


def _repeat_key(line: str) -> str:
    """``_normalised(line)`` without its spaces."""
    return "".join(line.casefold().strip().rstrip(_TITLE_STOPS).split())


def _repeat_keys(lines: Iterable[str]) -> Iterator[str]:
    """``map(_repeat_key, lines)``, each step a ``map`` of a string method (no Python call per line)."""
    return map("".join, map(str.split, map(methodcaller("rstrip", _TITLE_STOPS), map(str.strip, map(str.casefold, lines)))))


def _repeated_titles(doc: Document, taken: set[int]) -> Iterator[Finding]:
    text = doc.text
    for (pa, pb), (a, b) in _repeat_candidates(text):
        if a in taken:
            continue
        earlier = text[pa:pb]
        heading_like = earlier.rstrip()[-1:] not in _TITLE_ENDS
        if heading_like and len(earlier.split()) >= 2 and _normalised(earlier) == _normalised(text[a:b]):
            taken.add(a)
            line, _ = doc.line_col(pa)
            yield _deletion(
                REPEATED_TITLE, doc, a, b,
                f"repeats the title on line {line}: the page printed the headline twice; delete this copy",
                safe=True,
                data={"first": [pa, pb]},
            )


# -- B107: text cut off -------------------------------------------------------------------

_LAST_WORD = re.compile(r"(?<![\w'’-])([A-Za-z]+)$")
_ASCII_LETTER_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ASCII_LETTERS = frozenset(_ASCII_LETTER_CHARS)
_LAST_WORD_TAIL = 32  # (longer than most words)


def _last_word(text: str, start: int, end: int) -> str | None:
    """``_LAST_WORD.search(text[start:end])``'s word (None: no match) for a span that ends in
    no line break, read backwards from its end: the only match can be the whole run of ASCII
    letters that ends the span (a later start has a letter before it), and only when no word
    character, apostrophe or hyphen stands before the run. (``search`` tried every position
    of the paragraph.) The run is stripped off the span's last characters in C, read one by one
    only past them."""
    tail = text[max(start, end - _LAST_WORD_TAIL):end]
    j = end - (len(tail) - len(tail.rstrip(_ASCII_LETTER_CHARS)))
    if j == end - len(tail):  # (the run may go on before the tail)
        while j > start and text[j - 1] in _ASCII_LETTERS:
            j -= 1
    if j == end:
        return None
    if j > start and (text[j - 1].isalnum() or text[j - 1] in "_'’-"):  # (?<![\w'’-]); \w: alphanumeric or _
        return None
    return text[j:end]
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])[.!?…][\"”’»)]*\s+(?=[\"“«(]?[A-Z0-9])")


def _truncated(doc: Document, data: _BoilerplateData, taken: set[int]) -> Iterator[Finding]:
    text = doc.text
    lex = None
    # The cheapest test first, for all paragraphs at once (in C): most end in a full stop.
    lasts = list(map(text.__getitem__, map((-1).__add__, map(attrgetter("end"), doc.paragraphs))))
    open_ends = map(not_, map(or_, map(_TERMINAL_SET.__contains__, lasts), map(str.isdigit, lasts)))
    for para in compress(doc.paragraphs, open_ends):
        last_line_start = max(text.rfind("\n", para.start, para.end) + 1, para.start)
        if last_line_start in taken:
            continue
        word = _last_word(text, para.start, para.end)
        if word is None:
            continue  # ends in a symbol, a number or a compound, not a plain word
        if not word.islower():
            continue  # a name or an acronym may end a heading
        line_words = text[last_line_start:para.end].split()
        if len(line_words) < data.min_words:
            continue
        if word in data.dangling_words:
            how, completion = f"stops on '{word}', a word that cannot end a sentence", None
        else:
            lex = lex or lexicon()
            completion = lex.completes(word) if len(word) >= 3 and not lex.known(word) else None
            if completion is None:
                continue
            how = f"stops on '{word}', part of a word ('{completion}'?)"
        # the cut-off sentence: the last one in the paragraph (the document's segmentation keeps
        # an unterminated line whole, as a heading, so the boundary is looked for here)
        boundaries = list(_SENTENCE_END.finditer(text, para.start, para.end))
        start = boundaries[-1].end() if boundaries else para.start
        if start == para.start:
            delete = None  # the whole paragraph goes, with the blank lines after it
        else:
            delete = (start, para.end)
            while delete[0] > para.start and text[delete[0] - 1] in " \t":
                delete = (delete[0] - 1, delete[1])
        yield _deletion(
            TRUNCATED, doc, start, para.end,
            f"text cut off: the paragraph {how}; restore the rest from the source or delete it",
            safe=False,
            data={"last_word": word, **({"completion": completion} if completion else {})},
            delete=delete,
        )


# -- the family ---------------------------------------------------------------------------


def check(doc: Document, ctx: Context) -> Iterable[Finding]:
    if not any(ctx.on(rule.code) for rule in RULES):
        return []
    data = boilerplate_data()
    taken: set[int] = set()  # line starts already reported: one finding per line
    findings = list(_pattern_lines(doc, data, ctx, taken))
    furniture = list(_page_furniture(doc, data, ctx))
    if ctx.on(REPEATED_TITLE.code):
        findings += _repeated_titles(doc, taken)
    if ctx.on(TRUNCATED.code):
        findings += _truncated(doc, data, taken)
    return _without_overlaps(findings, doc.text) + furniture


def _without_overlaps(findings: list[Finding], text: str) -> list[Finding]:
    """Make the deletions fit together: no two claim the same characters, and junk at the very
    end of the text takes the blank lines before it, so the story ends on its last line."""
    findings.sort(key=Finding.sort_key)
    claimed = 0
    for f in findings:
        edit = f.fix.edits[0]
        if edit.start < claimed <= f.start:
            f.fix.edits = (Edit(claimed, edit.end, ""),)
        claimed = max(claimed, f.fix.edits[0].end)
    # the run of back-to-back deletions that reaches the end of the text
    end, first = len(text), None
    for i in range(len(findings) - 1, -1, -1):
        edit = findings[i].fix.edits[0]
        if edit.end != end:
            break
        end, first = edit.start, i
    if first is not None:
        floor = findings[first - 1].fix.edits[0].end if first > 0 else 0
        a = end
        while a > floor and text[a - 1].isspace():
            a -= 1
        edit = findings[first].fix.edits[0]
        # a file that ended with a line break still does
        newline = re.search(r"(?:\r\n|\r|\n)$", text)
        findings[first].fix.edits = (Edit(a, edit.end, newline.group() if newline and a > 0 else ""),)
    return findings


FAMILY = Family(name="boilerplate", prefix="B", rules=RULES, check=check)
