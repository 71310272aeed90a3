"""style rules (prefix S): news-style slips machine translation from Russian makes.

Capitalisation calqued from Russian ("defense Ministry"), lower-case month names ("in may of
2017"), words glued together ("saidthat"), common words in capitals ("RAID"), and lower-case
acronyms ("the us command"). Every finding carries a safe replacement. The words, names and
lists are data (``mtcheck/data/style.toml``, ``mtcheck/data/wordfreq.tsv``), loaded and
compiled once per process, at the first check.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress
from typing import Iterable, Iterator

from mtcheck.data import load_toml, words
from mtcheck.document import LETTER_RUN, Document, Sentence, is_bmp, letter_run_split
from mtcheck.findings import Finding, Severity
from mtcheck.lexicon import lexicon
from mtcheck.rules.base import Context, Family, Rule, finditer_from, literal_positions, matches_from

CALQUED_CAPITALS = Rule(
    code="S101",
    name="calqued-capitalisation",
    category="style",
    severity=Severity.WARNING,
    summary="Institution name with Russian-style capitals (\"defense Ministry\", \"UN security Council\")",
    why="Russian capitalises only the first word of a name, and machine translation keeps that: English "
    "capitalises every main word of a name, or writes a generic use all in lower case.",
    example="the Russian defense Ministry → the Russian Defense Ministry",
    fix="safe",
)
CAPITALISED_PREFIX = Rule(
    code="S102",
    name="capitalised-prefix",
    category="style",
    severity=Severity.WARNING,
    summary="\"Pro-\"/\"Anti-\" capitalised in mid-sentence (\"Pro-government forces\", \"Pro-Kremlin media\")",
    why="A prefixed adjective is lower case unless it starts a sentence or a name (\"Anti-Corruption Foundation\").",
    example="fighters of Pro-government forces → fighters of pro-government forces",
    fix="safe",
)
LOWERCASE_MONTH = Rule(
    code="S103",
    name="lowercase-month",
    category="style",
    severity=Severity.WARNING,
    summary="Month name in lower case (\"in may of 2017\")",
    why="Russian writes months in lower case; English capitalises them. \"may\", \"march\" and \"august\" are "
    "reported only next to a date (a year, a day, \"in may.\"), never the verb.",
    example="in may of 2017 → in May 2017",
    fix="safe",
)
GLUED_WORDS = Rule(
    code="S104",
    name="glued-words",
    category="style",
    severity=Severity.ERROR,
    summary="Two words run together (\"saidthat\")",
    why="A token that is no English word but splits into two common ones is a lost space, left by "
    "conversion from a web page or PDF; readers stumble on it and search misses it.",
    example="The Pentagon has already saidthat → The Pentagon has already said that",
    fix="safe",
)
SHOUTED_WORD = Rule(
    code="S105",
    name="shouted-word",
    category="style",
    severity=Severity.WARNING,
    summary="Common word in capitals (\"a RAID by coalition aircraft\", \"THIS is the moment\")",
    why="Capitals are for acronyms; a common word in capitals is a tabloid or source-page habit, or an "
    "acronym the translator mistook (РЕЙД). Acronyms that are also words (US, WHO, IT) are kept.",
    example="in connection with a RAID by coalition aircraft → in connection with a raid by coalition aircraft",
    fix="safe",
)
LOWERCASE_ACRONYM = Rule(
    code="S106",
    name="lowercase-us",
    category="style",
    severity=Severity.WARNING,
    summary="Acronym in lower case read as a word (\"the us command\", \"us-led\")",
    why="\"us\" is an English word: in lower case the acronym US reads as the pronoun.",
    example="Earlier, the us command reported → Earlier, the US command reported",
    fix="safe",
)
USA_ADJECTIVE = Rule(
    code="S107",
    name="usa-adjective",
    category="style",
    severity=Severity.INFO,
    summary="\"USA\" as an adjective (\"USA officials\")",
    why="News style uses \"US\" as the adjective (\"US officials\"); \"USA\" without \"the\" reads as a calque of \"США\".",
    example="other USA officials said → other US officials said",
    fix="safe",
)

RULES = (CALQUED_CAPITALS, CAPITALISED_PREFIX, LOWERCASE_MONTH, GLUED_WORDS, SHOUTED_WORD, LOWERCASE_ACRONYM, USA_ADJECTIVE)

_OPENERS = "\"'“‘«([—–-"
_CLOSERS = "\"'”’»)]"
_WORD = re.compile(r"[\w'’]+")


# -- data ---------------------------------------------------------------------------------

_SCHEMA = {
    "capitalisation": {"names": [str], "quoted_only": [str], "minor_words": words},
    "prefixes": {"words": words},
    "months": {"always": words, "ambiguous": words, "before": words},
    "glued": {
        "min_length": int,
        "min_count": int,
        "common_count": int,
        "function_words": words,
        "trailing": words,
        "leading": words,
    },
    "shouting": {"min_count": int, "acronyms": words, "labels": words, "name_before": words, "name_after": words},
    "lowercase_acronym": [
        {
            "word": str,
            "acronym": str,
            "after_article": bool,
            "hyphenated": bool,
            "not_hyphenated": words,
            "nouns": words,
            "before": words,
        }
    ],
    "usa_adjective": {"word": str, "acronym": str},
}


@dataclass(frozen=True)
class _Acronym:
    word: str
    acronym: str
    pattern: re.Pattern  # "us" + noun, "the us", "us-led": which one matched is in the groups
    not_hyphenated: frozenset[str]
    before: frozenset[str]
    starts: tuple[str, ...] | None = None  # literals every match starts with (finditer_from); None: unknown


@dataclass(frozen=True)
class _StyleData:
    names: re.Pattern
    names_lower: re.Pattern  # the same names lower-cased, case-sensitive, without the lookbehind: see _name_spans
    canonical: dict[str, str]  # lower-cased, single-spaced name -> name as English writes it
    quoted_only: frozenset[str]
    minor_words: frozenset[str]
    prefix: re.Pattern
    months_always: re.Pattern
    months_ambiguous: re.Pattern
    month_before: re.Pattern
    glued: dict
    shouting: dict
    acronyms: tuple[_Acronym, ...]
    usa: re.Pattern
    usa_acronym: str
    # The literals every match of a pattern starts with, for ``finditer_from`` (None where a
    # data word is no plain literal: the pattern is then run over the whole text).
    names_lower_starts: tuple[str, ...] | None = None
    prefix_starts: tuple[str, ...] | None = None
    months_always_starts: tuple[str, ...] | None = None
    months_ambiguous_starts: tuple[str, ...] | None = None
    usa_starts: tuple[str, ...] | None = None
    # The month words of months_always and months_ambiguous, when every one is a run of letters
    # (then each match is one of the story's runs: see _month_hits); None otherwise.
    months_always_words: frozenset[str] | None = None
    months_ambiguous_words: frozenset[str] | None = None


def _alternation(items: Iterable[str], lower: bool = False) -> str:
    """Longest first, so "UN Security Council" wins over "Security Council"."""
    parts = []
    for item in sorted(set(items), key=len, reverse=True):
        if lower:
            item = item.lower()
        escaped = re.escape(item).replace(r"\ ", r"\s+").replace("'", "['’]")
        parts.append(escaped)
    return "|".join(parts)


def _leading_literal(item: str) -> str:
    """The start of ``item`` that ``_alternation`` turns into plain characters: up to its
    first space (``\\s+``) or apostrophe (``['’]``)."""
    cut = [i for i in (item.find(" "), item.find("'")) if i >= 0]
    return item[:min(cut)] if cut else item


def _name_starts(names: Iterable[str]) -> tuple[str, ...] | None:
    """The leading literals of ``names_lower``'s alternatives (None when one has none)."""
    starts = tuple(_leading_literal(n.lower()) for n in names)
    return starts if starts and all(starts) else None


def _literals(words: Iterable[str]) -> tuple[str, ...] | None:
    """``words`` when each is a non-empty plain literal (a regex of itself), else None."""
    words = tuple(words)
    return words if all(w and re.escape(w) == w for w in words) else None


def _load(name: str = "style.toml") -> _StyleData:
    raw = load_toml(name, _SCHEMA)
    caps = raw["capitalisation"]
    canonical = {" ".join(n.lower().split()).replace("’", "'"): n for n in caps["names"] + caps["quoted_only"]}
    months = raw["months"]
    acronyms = []
    for entry in raw["lowercase_acronym"]:
        word = re.escape(entry["word"])
        nouns = _alternation(entry["nouns"])
        alternatives = []
        if entry["after_article"]:  # first: "the us command" is the article case, not the noun case
            after_article = "|".join(rf"(?<=\b{a}\s)" for a in ("the", "The", "THE", "an", "An", "a", "A"))
            alternatives.append(rf"(?:{after_article})(?P<article>{word})(?![\w-])")
        alternatives.append(rf"(?P<noun>{word}|{word.capitalize()})(?=\s+(?:{nouns})(?![\w-]))")
        if entry["hyphenated"]:
            alternatives.append(rf"(?P<hyphen>{word})(?=-(?P<next>[a-z]+))")
        acronyms.append(
            _Acronym(
                word=entry["word"],
                acronym=entry["acronym"],
                pattern=re.compile(r"(?<![\w@#/.-])(?:" + "|".join(alternatives) + ")"),
                not_hyphenated=entry["not_hyphenated"],
                before=entry["before"],
                # every alternative starts with the word, or (noun case) with it capitalised
                starts=_literals((entry["word"], entry["word"].capitalize())),
            )
        )
    us_nouns = next((a for a in raw["lowercase_acronym"] if a["acronym"] == raw["usa_adjective"]["acronym"]), None)
    usa_nouns = _alternation(us_nouns["nouns"]) if us_nouns else r"(?!)"
    return _StyleData(
        names=re.compile(r"(?<![\w-])(?:" + _alternation(canonical.values()) + r")(?![\w-])", re.IGNORECASE),
        names_lower=re.compile(r"(?:" + _alternation(canonical.values(), lower=True) + r")(?![\w-])"),
        canonical=canonical,
        quoted_only=frozenset(n.lower() for n in caps["quoted_only"]),
        minor_words=caps["minor_words"],
        prefix=re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(raw["prefixes"]["words"]))) + r")-(?P<stem>[A-Za-z][\w-]*)"),
        months_always=re.compile(r"(?<![\w@#/.-])(?:" + "|".join(sorted(months["always"])) + r")(?![\w/@-])"),
        months_ambiguous=re.compile(r"(?<![\w@#/.-])(?:" + "|".join(sorted(months["ambiguous"])) + r")(?![\w/@-])"),
        month_before=re.compile(r"(?:^|[^\w-])(?:" + "|".join(sorted(months["before"])) + r")\s+$", re.IGNORECASE),
        glued=raw["glued"],
        shouting=raw["shouting"],
        acronyms=tuple(acronyms),
        usa=re.compile(rf"(?<![\w-]){re.escape(raw['usa_adjective']['word'])}(?=\s+(?:{usa_nouns})(?![\w-]))"),
        usa_acronym=raw["usa_adjective"]["acronym"],
        names_lower_starts=_name_starts(canonical.values()),
        prefix_starts=tuple(f"{w}-" for w in raw["prefixes"]["words"]) or None,
        months_always_starts=_literals(months["always"]) if months["always"] else None,
        months_ambiguous_starts=_literals(months["ambiguous"]) if months["ambiguous"] else None,
        usa_starts=_literals([raw["usa_adjective"]["word"]]),
        **_month_words(months["always"], months["ambiguous"]),
    )


def _month_words(always: Iterable[str], ambiguous: Iterable[str]) -> dict:
    """``months_always_words`` and ``months_ambiguous_words`` for _StyleData: set only when both
    lists are non-empty and every word is a run of letters."""
    always, ambiguous = frozenset(always), frozenset(ambiguous)
    if not always or not ambiguous or not all(LETTER_RUN.fullmatch(w) for w in always | ambiguous):
        return {}
    return {"months_always_words": always, "months_ambiguous_words": ambiguous}


@lru_cache(maxsize=1)
def style_data() -> _StyleData:
    return _load()


# -- shared helpers -----------------------------------------------------------------------


def _is_initial(text: str, pos: int) -> bool:
    """Whether ``pos`` starts a sentence, line or clause whose first word may be capitalised
    whatever it is: after a line break, a full stop, a colon, an opening quote or a dash."""
    j = pos
    while j > 0 and (text[j - 1] in _OPENERS or text[j - 1] in " \t\u00a0"):
        j -= 1
    if j == 0 or text[j - 1] in "\r\n":
        return True
    while j > 0 and text[j - 1] in _CLOSERS:
        j -= 1
    return j > 0 and text[j - 1] in ".!?…:;"


_LINK_MARK = re.compile(r"[/@#_=\\]|www\.|\.[a-z]{2,}\b")
_LINK_MARK_STARTS = ("/", "@", "#", "_", "=", "\\", "www.", ".")  # what its matches start with (finditer_from)
# Where a match can start, found in C: one of its literals but the full stop (found by
# ``str.find``), or a full stop before two lower-case letters (by this pattern, which the regex
# engine skips to). Every sentence of a story ends in a full stop; few are a domain's.
_LINK_MARK_LITERALS = ("/", "@", "#", "_", "=", "\\", "www.")
_DOMAIN_DOT = re.compile(r"\.(?=[a-z]{2})")


def _link_marks(text: str) -> Iterator[re.Match]:
    """``_LINK_MARK.finditer(text)``, tried only where a match can start."""
    candidates = set(literal_positions(text, _LINK_MARK_LITERALS))
    candidates.update(m.start() for m in _DOMAIN_DOT.finditer(text))
    return matches_from(_LINK_MARK, text, sorted(candidates))
_LAST_SPACE = re.compile(r".*\s", re.DOTALL)
_NON_SPACES = re.compile(r"\S*")


def _link_chunks(doc: Document) -> tuple[list[int], list[int]]:
    """The whitespace-delimited chunks of the text that hold a URL, address, handle or hashtag
    mark, as sorted (starts, ends); found in one pass over the text, once per document."""
    cached = doc.user_data.get("style.links")
    if cached is None:
        text = doc.text
        starts: list[int] = []
        ends: list[int] = []
        pos = 0  # the end of the last chunk found: marks before it are inside it
        for m in _link_marks(text):
            if m.start() < pos:
                continue
            space = _LAST_SPACE.match(text, pos, m.start())
            starts.append(space.end() if space else pos)
            pos = _NON_SPACES.match(text, m.end()).end()
            ends.append(pos)
        cached = doc.user_data["style.links"] = (starts, ends)
    return cached


def _in_link(doc: Document, start: int, end: int) -> bool:
    """Whether the whitespace-delimited chunk around [start, end) (a span without whitespace)
    is a URL, address, handle or hashtag."""
    starts, ends = _link_chunks(doc)
    i = bisect.bisect_right(starts, start) - 1
    return i >= 0 and ends[i] >= end


def _quoted(text: str, start: int, end: int, brackets: bool = False) -> bool:
    """Whether [start, end) stands alone between quotation marks (or brackets): “Islamic state”,
    "GLOW," (a comma may sit inside the closing quote)."""
    opening, closing = ("\"“«'‘(", "\"”»'’)") if brackets else ("\"“«'‘", "\"”»'’")
    return start > 0 and text[start - 1] in opening and bool(re.match(rf"[.,!?]?[{closing}]", text[end:end + 2]))


def _capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]


_Runs = tuple[list[str], list[int], set[str]]


def _runs(doc: Document) -> _Runs:
    """The story's runs of letters (``Document.letter_runs``), their starts, and the distinct
    runs; once per document. S101 and S104 look for their words among these (a story repeats
    its words: each distinct one is judged once) instead of searching the text again."""
    cached = doc.user_data.get("style.runs")
    if cached is None:
        cached = doc.user_data["style.runs"] = _runs_of(*doc.letter_runs())
    return cached


def _runs_of(parts: list[str], offsets: list[int]) -> _Runs:
    runs = parts[1::2]
    return runs, offsets[0:-1:2], set(runs)


def _run_starts(runs: _Runs, wanted: set[str]) -> list[int]:
    """The starts of the runs of letters (``_runs``) that are one of ``wanted``, ascending."""
    words, starts, _ = runs
    return [starts[k] for k in compress(range(len(words)), map(wanted.__contains__, words))]


# -- S101 calqued capitalisation ----------------------------------------------------------


@lru_cache(maxsize=1)
def _case_trap_characters() -> str:
    """Characters on which lower-casing the text and matching case-sensitively is not what
    re.IGNORECASE does: non-ASCII characters that IGNORECASE matches with an ASCII letter
    ("ſ", the Kelvin sign), that lower-case to ASCII, or whose lower case changes length
    ("İ") or whether it is a word character."""
    # Built once per process, over every code point: the regex engine picks out the letters it
    # takes for ASCII ones; the other three tests can only hold for a character that lower-
    # casing changes (a non-ASCII one that it keeps stays non-ASCII, one long, as alphanumeric),
    # and those few (a thousand of 65,000) are compared with their lower case one by one.
    chars = "".join(map(chr, range(128, 0x10000)))
    folds_to_ascii = set(re.findall(r"[a-z]", chars, re.IGNORECASE))
    changed = {c: low for c, low in zip(chars, map(str.lower, chars)) if low != c}
    return "".join(c for c in sorted(folds_to_ascii | changed.keys()) if c in folds_to_ascii or (
        len(changed[c]) != 1 or changed[c].isascii() or changed[c].isalnum() != c.isalnum()))


@lru_cache(maxsize=1)
def _case_traps() -> re.Pattern:
    """A character of ``_case_trap_characters``."""
    return re.compile("[" + "".join(map(re.escape, _case_trap_characters())) + "]")


def _holds_case_trap(doc: Document) -> bool:
    """Whether the story holds a character of ``_case_traps``: looked for in its distinct runs
    of letters (``_runs``, a few thousand words) when every such character is a letter (they
    are: "İıſK"), in the whole text otherwise."""
    if LETTER_RUN.fullmatch(_case_trap_characters()):
        return _case_traps().search("".join(_runs(doc)[2])) is not None
    return _case_traps().search(doc.text) is not None


def _name_spans(doc: Document, data: _StyleData) -> Iterator[tuple[int, int]]:
    """The spans of ``data.names.finditer(doc.text)``, found faster: the case-insensitive
    pattern, led by a lookbehind, tries every name at every position; the same names
    lower-cased, on the lower-cased text, let the regex engine skip to where a name can start
    (the lookbehind is checked here, at each candidate, with the same effect). Text holding a
    character where the two differ (``_case_traps``) takes the plain pattern."""
    text = doc.text
    low = doc.lowered()
    if len(low) != len(text) or _holds_case_trap(doc):
        for m in data.names.finditer(text):
            yield m.span()
        return
    if data.names_lower_starts is None:
        search = data.names_lower.search
        pos = 0
        while True:
            m = search(low, pos)
            if m is None:
                return
            p = m.start()
            if p > 0 and (text[p - 1].isalnum() or text[p - 1] in "_-"):  # (?<![\w-])
                pos = p + 1
                continue
            yield p, m.end()
            pos = m.end()
    # The same, tried only where a name's leading literal stands: the leftmost candidate at or
    # after the last name's end that passes the lookbehind and matches is what the search
    # above finds.
    literals = set(data.names_lower_starts)
    if all(w.isascii() and w.isalpha() and w.islower() for w in literals) and is_bmp(text):
        # Each literal is a whole word (after it the name goes on with a space or apostrophe, or
        # ends before no word character) and the lookbehind wants no word character before it:
        # it is a whole run of letters, of ASCII ones (no character of ``_case_traps``
        # lower-cases to ASCII). So the candidates are the runs that lower-case to a literal.
        runs = _runs(doc)
        starts = _run_starts(runs, {w for w in runs[2] if w.lower() in literals})
    else:  # (str.find skips to each literal in C)
        find = low.find
        found: set[int] = set()
        for literal in literals:
            i = find(literal)
            while i >= 0:
                found.add(i)
                i = find(literal, i + 1)
        starts = sorted(found)
    match = data.names_lower.match
    pos = 0
    for p in starts:
        if p < pos or (p > 0 and (text[p - 1].isalnum() or text[p - 1] in "_-")):  # (?<![\w-])
            continue
        m = match(low, p)
        if m is not None:
            yield p, m.end()
            pos = m.end()


def _calqued_capitals(doc: Document, data: _StyleData) -> Iterator[Finding]:
    text = doc.text
    # (name as written, whether it opens a sentence) -> the suggestion, or None: a story repeats
    # its names, and each way of writing one is judged once.
    judged: dict[tuple[str, bool], str | None] = {}
    for start, end in _name_spans(doc, data):
        surface = text[start:end]
        key = " ".join(surface.lower().split()).replace("’", "'")
        name = data.canonical.get(key)
        if name is None:
            continue
        if key in data.quoted_only and not _quoted(text, start, end):
            continue
        initial = _is_initial(text, start)
        suggestion = judged.get((surface, initial), False)
        if suggestion is False:
            suggestion = judged[(surface, initial)] = _calqued_suggestion(surface, name, initial, data.minor_words)
        if suggestion is None:
            continue
        yield CALQUED_CAPITALS.finding(
            doc, start, end,
            f"name capitalised Russian-style, only some of its words: write '{suggestion}'",
            suggestion=suggestion,
            data={"name": name},
        )


def _calqued_suggestion(surface: str, name: str, initial: bool, minor_words: frozenset[str]) -> str | None:
    """``surface`` (a name of the list, as written) with its words capitalised as ``name``
    capitalises them, when only some of its words that tell are capitalised; None otherwise."""
    found = list(_WORD.finditer(surface))
    wanted = _WORD.findall(name)
    if len(found) != len(wanted):
        return None
    cases = []
    for i, (w, want) in enumerate(zip(found, wanted)):
        if want.lower() in minor_words or want.isupper() or (i == 0 and initial):
            continue  # case tells nothing: a small word, an acronym, a sentence's first word
        cases.append(w.group()[0].isupper())
    if not cases or all(cases) or not any(cases):
        return None
    out, pos = [], 0
    for w, want in zip(found, wanted):
        out.append(surface[pos:w.start()])
        word = w.group()
        if want.isupper():
            word = word.upper()
        elif want.lower() in minor_words:
            word = word.lower()
        elif want[0].isupper():
            word = _capitalise(word)
        out.append(word)
        pos = w.end()
    return "".join(out) + surface[pos:]


# -- S102 capitalised prefix --------------------------------------------------------------


def _capitalised_prefix(doc: Document, data: _StyleData) -> Iterator[Finding]:
    text = doc.text
    for m in finditer_from(data.prefix, text, data.prefix_starts):
        if _is_initial(text, m.start()):
            continue
        stem = m.group("stem")
        if stem[0].isupper():
            # "Pro-Kremlin", "Anti-American": a proper noun after the hyphen. "Anti-Corruption
            # Foundation", "Anti-Doping Agency": a capitalised common word, part of a name.
            if lexicon().count(stem.lower()) or re.match(r"\s+[A-Z]", text[m.end():m.end() + 2]):
                continue
        suggestion = m.group()[0].lower() + m.group()[1:]
        yield CAPITALISED_PREFIX.finding(
            doc, m.start(), m.end(),
            f"'{m.group()}' is capitalised in mid-sentence: write '{suggestion}'",
            suggestion=suggestion,
        )


# -- S103 lower-case month ----------------------------------------------------------------

_YEAR_AFTER = re.compile(r"\s+(?:of\s+)?(?:1[89]|20)\d\d(?!\d)")
_OF_YEAR = re.compile(r"\s+of\s+((?:1[89]|20)\d\d)(?![\d\w])")
_DAY_BEFORE = re.compile(r"(?<![\w.,])\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?$")
_DAY_AFTER = re.compile(r"\s+\d{1,2}(?:st|nd|rd|th)?(?!\d)")
_DATE_END = re.compile(r"\s*(?:[.,;:)!?]|$|\s(?:and|to|till|until|through)\s|\s(?:this|last|next) year\b)")


def _month_context(text: str, start: int, end: int, data: _StyleData) -> bool:
    """Whether an ambiguous month word ("may") stands in a date, not as a verb or noun."""
    after = text[end:end + 40]
    if _YEAR_AFTER.match(after):
        return True
    before = text[max(0, start - 40):start]
    after_prep = bool(data.month_before.search(before))
    day = _DAY_BEFORE.search(before)
    if day and (data.month_before.search(before[:day.start()]) or _DATE_END.match(after)):
        return True  # "on 9 may", "9 may."
    day = _DAY_AFTER.match(after)
    if day:
        if after_prep or re.match(r"\s*(?:,\s*(?:1[89]|20)\d\d|[.;:)]|$)", after[day.end():]):
            return True
    return after_prep and bool(_DATE_END.match(after))


def _month_hits(doc: Document, data: _StyleData) -> list[tuple[re.Match, bool]]:
    """The matches of ``months_always`` and ``months_ambiguous`` in text order, each with
    whether it is of the first."""
    text = doc.text
    always_words, ambiguous_words = data.months_always_words, data.months_ambiguous_words
    if always_words is None or ambiguous_words is None:
        hits = [(m, True) for m in finditer_from(data.months_always, text, data.months_always_starts)]
        hits += [(m, False) for m in finditer_from(data.months_ambiguous, text, data.months_ambiguous_starts)]
        return sorted(hits, key=lambda h: h[0].start())
    # A match has no word character on either side and its month word is letters: it is a
    # whole run of letters, the match at the start of a run that is a month word (if any). So
    # the runs (``_runs``, shared with S101/S104) are tested in C, not the text searched for
    # each month with str.find (a story of short lines has 18,000 of them); the two patterns'
    # matches never share a start, and the runs are in text order.
    words, starts, _ = _runs(doc)
    month_words = always_words | ambiguous_words
    match_always, match_ambiguous = data.months_always.match, data.months_ambiguous.match
    hits = []
    for k in compress(range(len(words)), map(month_words.__contains__, words)):
        always = words[k] in always_words
        m = (match_always if always else match_ambiguous)(text, starts[k])
        if m is not None:
            hits.append((m, always))
    return hits


def _lowercase_months(doc: Document, data: _StyleData) -> Iterator[Finding]:
    text = doc.text
    link_starts, link_ends = _link_chunks(doc)  # (_in_link, inlined: one test per month)
    bisect_right = bisect.bisect_right
    make = LOWERCASE_MONTH.replacement_finder()
    of_year_match = _OF_YEAR.match
    messages: dict[str, str] = {}  # by suggestion: a story writes the same months again
    for m, always in _month_hits(doc, data):
        start, end = m.span()
        i = bisect_right(link_starts, start) - 1
        if i >= 0 and link_ends[i] >= end:
            continue
        if not always and not _month_context(text, start, end, data):
            continue
        word = m.group()
        of_year = of_year_match(text, end)
        if of_year:
            # News style: "in May 2017", not "in May of 2017".
            end, suggestion = of_year.end(), f"{_capitalise(word)} {of_year.group(1)}"
            word = text[start:end]
        else:
            suggestion = _capitalise(word)
        message = messages.get(suggestion)
        if message is None:
            message = messages[suggestion] = f"month name in lower case: write '{suggestion}'"
        yield make(word, start, end, message, suggestion)


# -- S104 glued words ---------------------------------------------------------------------

# The longest token searched for a split: two long English words ("counterterrorism" +
# "operations") stay well under it; a longer run of letters is no lost space but a lost
# text (language rule L104 reports it, once, without this search).
MAX_GLUED_LENGTH = 50
_GLUED_CANDIDATE = re.compile(r"(?<![\w@#/.'’-])(?:[a-z]+|[a-z]{2,}[A-Z][a-z]{2,})(?![\w/@'’-])")


def _split_glued(token: str, glued: dict) -> tuple[str, str] | None:
    """The best split of ``token`` into two words, or None when it is a word or is no plain glue."""
    lex = lexicon()
    low = token.lower()
    if lex.known(low):
        return None
    function = glued["function_words"]
    best, best_score = None, 0
    for i in range(2, len(token) - 1):
        a, b = token[:i], token[i:]
        la, lb = a, b.lower()
        if b[0].isupper():
            # camel-case glue, "inSyria": a function word before a capitalised word the list knows
            if a in function and lb in lex and b[1:].islower():
                return a, b
            continue
        if token != low:
            continue
        ca, cb = lex.count(la), lex.count(lb)
        if la in function and lb in function:
            score = min(ca, cb) + glued["common_count"]  # "inthe", "ofthe": the plainest glue
        elif lb in glued["trailing"] and ca >= glued["min_count"]:
            score = ca
        elif la in glued["leading"] and cb >= glued["min_count"]:
            score = cb
        elif min(ca, cb) >= glued["common_count"]:
            score = min(ca, cb)
        else:
            continue
        if score > best_score:
            best, best_score = (a, b), score
    return best


# _GLUED_CANDIDATE's words without their context: what a run of letters must be to be one of
# its matches.
_GLUED_SHAPE = re.compile(r"[a-z]+|[a-z]{2,}[A-Z][a-z]{2,}")


def _glued_occurrences(text: str, splits: dict[str, tuple[str, str]], runs: _Runs | None = None) -> Iterator[re.Match]:
    """The matches of ``_GLUED_CANDIDATE`` in ``text`` that are one of the tokens of
    ``splits``, in text order; ``runs``: the text's ``_runs``, when a document has them. (A
    match is a whole run of letters: no word character on either side. So each is the match
    at the start of a run that is one of the tokens.)"""
    if runs is None:
        parts = letter_run_split(text)
        runs = _runs_of(parts, list(accumulate(map(len, parts))))
    match = _GLUED_CANDIDATE.match
    for start in _run_starts(runs, set(splits)):
        m = match(text, start)
        if m is not None:
            yield m


def _glued_words(doc: Document, data: _StyleData) -> Iterator[Finding]:
    glued = data.glued
    text = doc.text
    low, high = glued["min_length"], MAX_GLUED_LENGTH
    # A story repeats its words: each distinct token is split once, and only the tokens that
    # split are looked for again. The tokens are runs of letters (``_glued_occurrences``): the
    # distinct runs of their shape are split (one that is never a match is split for nothing,
    # and not found again).
    runs = _runs(doc)
    splits: dict[str, tuple[str, str]] = {}
    shape = _GLUED_SHAPE.fullmatch
    for token in runs[2]:
        # (a token longer than two words is no glue: L104 reports it, once)
        if low <= len(token) <= high and token.isascii() and shape(token):
            split = _split_glued(token, glued)
            if split is not None:
                splits[token] = split
    if not splits:
        return
    link_starts, link_ends = _link_chunks(doc)  # (_in_link, inlined: one test per token)
    bisect_right = bisect.bisect_right
    # Each token's message and suggestion, made once (a story glues the same words again).
    said: dict[str, tuple[str, str]] = {}
    for token, (a, b) in splits.items():
        suggestion = f"{a} {b}"
        said[token] = f"'{token}' is not a word: a missing space? Write '{suggestion}'", suggestion
    make = GLUED_WORDS.replacement_finder()
    for m in _glued_occurrences(text, splits, runs):
        start, end = m.span()
        i = bisect_right(link_starts, start) - 1
        if i >= 0 and link_ends[i] >= end:
            continue
        token = m.group()
        message, suggestion = said[token]
        yield make(token, start, end, message, suggestion)


# -- S105 shouted words -------------------------------------------------------------------

_CAPS_WORD = re.compile(r"(?<![\w'’&-])[A-Z]{3,}(?![\w'’&]|-\d|-[A-Z])")
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_CAPS_NEIGHBOUR_BEFORE = re.compile(r"[A-Z]{2,}[\s&]+$")
_CAPS_NEIGHBOUR_AFTER = re.compile(r"[\s&]+[A-Z]{2,}\b")
# What every match of _CAPS_WORD holds: a cheap test (the regex engine skips to a capital) that
# passes over the sentences without one, before the lookbehind-led pattern tries every character.
# (Spelled [A-Z][A-Z]{2}, the same three capitals: a pattern that starts with a plain class,
# not a repeat of one, lets the regex engine skip to the next capital in a tight loop: twice
# as fast over a story.)
_THREE_CAPITALS = re.compile(r"[A-Z][A-Z]{2}")


def _shouting_sentence(text: str) -> bool:
    """A sentence mostly in capitals (a shouted headline): its words are not reported one by one."""
    letters = list(filter(str.isalpha, text))  # (filter and map step through the characters in C)
    return bool(letters) and sum(map(str.isupper, letters)) / len(letters) > 0.5


def _looks_like_name(text: str, start: int, end: int, cfg: dict) -> bool:
    """Context that makes a capitalised word a name or an acronym: quoted or bracketed, one of a
    run of capitalised words, or next to a cue ("told TIME", "LOVE magazine")."""
    before = text[max(0, start - 30):start]
    after = text[end:end + 30]
    if _quoted(text, start, end, brackets=True):
        return True
    if re.match(r"\s*\d", after):
        return True
    if _CAPS_NEIGHBOUR_BEFORE.search(before) or _CAPS_NEIGHBOUR_AFTER.match(after):
        return True
    previous = re.search(r"([A-Za-z]+)\s+$", before)
    following = re.match(r"\s+([A-Za-z]+)", after)
    return bool(previous and previous.group(1).lower() in cfg["name_before"]) or bool(
        following and following.group(1).lower() in cfg["name_after"]
    )


def _sentences_with_three_capitals(doc: Document) -> Iterator[Sentence]:
    """The sentences holding ``_THREE_CAPITALS``, in order: those holding a match of it in the
    whole text (one search, not one per sentence: a story of short lines has 200,000). A run of
    capitals never crosses a sentence's start (a sentence starts after a space or a line
    break), so the first three letters of every run of three or more are such a match."""
    sentences = doc.sentences
    sentence_starts = [s.start for s in sentences]
    found = dict.fromkeys(bisect.bisect_right(sentence_starts, m.start()) - 1 for m in _THREE_CAPITALS.finditer(doc.text))
    for k in found:
        if k >= 0 and _THREE_CAPITALS.search(sentences[k].text) is not None:
            yield sentences[k]


def _shouted_words(doc: Document, data: _StyleData) -> Iterator[Finding]:
    text = doc.text
    cfg = data.shouting
    lex = lexicon()
    for sentence in _sentences_with_three_capitals(doc):
        shouting = None
        for m in _CAPS_WORD.finditer(sentence.text):
            word = m.group()
            if word in cfg["acronyms"] or _ROMAN.fullmatch(word):
                continue
            low = word.lower()
            if lex.inflected_count(low) < cfg["min_count"]:
                continue
            start, end = sentence.start + m.start(), sentence.start + m.end()
            if word in cfg["labels"] and re.match(r"\s*[:|—–-]", text[end:end + 3]):
                continue
            if _looks_like_name(text, start, end, cfg) or _in_link(doc, start, end):
                continue
            if shouting is None:
                shouting = _shouting_sentence(sentence.text)
            if shouting:
                break
            suggestion = _capitalise(low) if _is_initial(text, start) else low
            yield SHOUTED_WORD.finding(
                doc, start, end,
                f"'{word}' is a common word in capitals, not an acronym: write '{suggestion}'",
                suggestion=suggestion,
            )


# -- S106 lower-case acronyms, S107 "USA" as an adjective ---------------------------------


def _previous_word(text: str, pos: int) -> tuple[str, str]:
    """The word before ``pos`` (lower-cased) and the character between (punctuation or space)."""
    j = pos
    while j > 0 and text[j - 1] in " \t\u00a0":
        j -= 1
    if j == 0:
        return "", "\n"
    if not (text[j - 1].isalnum() or text[j - 1] in "'’"):
        return "", text[j - 1]
    k = j
    while k > 0 and (text[k - 1].isalnum() or text[k - 1] in "'’-"):
        k -= 1
    return text[k:j].lower(), " "


def _lowercase_acronyms(doc: Document, data: _StyleData) -> Iterator[Finding]:
    text = doc.text
    seen: set[int] = set()
    for acr in data.acronyms:
        for m in finditer_from(acr.pattern, text, acr.starts):
            if m.group("noun") is not None:
                start, end = m.span("noun")
                word, between = _previous_word(text, start)
                initial = _is_initial(text, start)
                if m.group("noun") != acr.word and not initial:
                    continue  # "Us" is reported only where a capital is due anyway
                if not (initial or between in ",;(" and not word or word in acr.before):
                    continue
            elif m.groupdict().get("article") is not None:
                start, end = m.span("article")
            else:
                start, end = m.span("hyphen")
                if m.group("next") in acr.not_hyphenated:
                    continue
            if start in seen:
                continue
            seen.add(start)
            yield LOWERCASE_ACRONYM.finding(
                doc, start, end,
                f"'{text[start:end]}' here means {acr.acronym}, not the English word: write '{acr.acronym}'",
                suggestion=acr.acronym,
            )


def _usa_adjective(doc: Document, data: _StyleData) -> Iterator[Finding]:
    for m in finditer_from(data.usa, doc.text, data.usa_starts):
        yield USA_ADJECTIVE.finding(
            doc, m.start(), m.end(),
            f"'{m.group()}' used as an adjective: news style writes '{data.usa_acronym}' ('US officials')",
            suggestion=data.usa_acronym,
        )


# -- the family ---------------------------------------------------------------------------

_CHECKS = (
    (CALQUED_CAPITALS, _calqued_capitals),
    (CAPITALISED_PREFIX, _capitalised_prefix),
    (LOWERCASE_MONTH, _lowercase_months),
    (GLUED_WORDS, _glued_words),
    (SHOUTED_WORD, _shouted_words),
    (LOWERCASE_ACRONYM, _lowercase_acronyms),
    (USA_ADJECTIVE, _usa_adjective),
)


def check(doc: Document, ctx: Context) -> Iterable[Finding]:
    if not any(ctx.on(rule.code) for rule, _ in _CHECKS):
        return
    data = style_data()
    for rule, run in _CHECKS:
        if ctx.on(rule.code):
            yield from run(doc, data)


FAMILY = Family(name="style", prefix="S", rules=RULES, check=check)
