"""entity rules (prefix E): names mistranslated from Russian.

Every Latin rendering of every gazetteer name (``mtcheck.gazetteer``) is indexed by its
matching key; the story's word n-grams are looked up in that index (longest match first), and
each match becomes a *mention*: a standard form, an acronym spelled letter by letter, a
transliteration, or a known word-for-word mistranslation. The rules judge the mentions:

- E101 an acronym rendered letter by letter ("LIH" for ЛИГ → "ISIL"),
- E102 a name transliterated or translated as words ("Medusa" → "Meduza"),
- E103 one name spelled several ways in one story ("Deir ezzor" beside "Deir ez-Zor"),
- E104 a name spelled differently from its standard form ("Deir Ezzor"),
- E105 a lower-cased acronym ("strikes on is militants" → "IS"),
- E106 a Latin word that reads as Russian no gazetteer lists ("Sledkom" ← Следком), found
  in a vocabulary of Russian news (``mtcheck.russian_lexicon``),
- E107 an Arabic name written the Russian way ("El ISBA" ← Эль-Исба → "al-Isba").

Names that are also ordinary English words are reported only with context (cue words near
the mention or in the story, quotation marks, the acronym's expansion); see the gazetteer's
README for how entries declare them.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property, lru_cache
from itertools import accumulate, compress
from operator import attrgetter, not_
from typing import Iterable, Iterator, NamedTuple

from mtcheck import gazetteer as gz
from mtcheck import russian_lexicon as rl
from mtcheck import translit
from mtcheck.document import FAST_SPLIT_MIN_CHARS as FAST_SPLIT_MIN_CHARS  # (the word split's threshold, for tests)
from mtcheck.document import Document, Sentence, _bmp_letter_run_split, letter_run_split
from mtcheck.findings import Finding, Severity
from mtcheck.rules.base import Context, Family, Rule, finditer_from, literal_positions
from mtcheck.translit import fold_ascii, normalize_latin

CATEGORY = "entity"

TRANSLITERATED_ACRONYM = Rule(
    code="E101",
    name="transliterated-acronym",
    category=CATEGORY,
    severity=Severity.ERROR,
    summary="Russian acronym rendered letter by letter instead of its English form",
    why="MT spells a Russian acronym in Latin letters (ЛИГ → \"LIH\", СДС → \"SDS\"); English readers "
    "know the organisation only by its English acronym, so the name is lost.",
    example="\"Islamic state\" (LIH) → \"Islamic state\" (ISIL)",
    fix="unsafe",  # safe where the story spells the name out (the acronym cannot mean anything else)
)
TRANSLITERATED_NAME = Rule(
    code="E102",
    name="transliterated-name",
    category=CATEGORY,
    severity=Severity.WARNING,
    summary="Name transliterated or translated word for word instead of its standard English form",
    why="A name that has an established English form (Jabhat al-Nusra, Meduza, Kharkiv) must use it; a "
    "transliteration (\"Dzhebkhat an-Nusra\") or a translation of the words (\"Medusa\") hides it.",
    example="Medusa presented a chronicle → Meduza presented a chronicle",
    fix="safe",  # unsafe where the match needed context cues or is ambiguous
)
INCONSISTENT_SPELLING = Rule(
    code="E103",
    name="inconsistent-spelling",
    category=CATEGORY,
    severity=Severity.WARNING,
    summary="The same name spelled several ways in one story",
    why="Readers (and search) take \"Deir ezzor\" and \"Deir ez-Zor\" for two places; a story spells a name one way.",
    example="In Deir ezzor ... the city of Deir ez-Zor → In Deir ez-Zor ... the city of Deir ez-Zor",
    fix="safe",  # the gazetteer's standard form; unsafe when only the story's majority spelling is known
)
NONSTANDARD_SPELLING = Rule(
    code="E104",
    name="nonstandard-spelling",
    category=CATEGORY,
    severity=Severity.INFO,
    summary="Name spaced or hyphenated differently from its standard English form",
    why="House style spells a name one way (\"Deir ez-Zor\"); variants in spacing and hyphenation "
    "(\"Deir Ezzor\") make copy inconsistent across stories.",
    example="Deir Ezzor → Deir ez-Zor",
    fix="safe",
)
LOWERCASE_ACRONYM = Rule(
    code="E105",
    name="lowercase-acronym",
    category=CATEGORY,
    severity=Severity.WARNING,
    summary="Acronym written in lower case (\"on is militants\")",
    why="MT lower-cases acronyms that look like English words; \"strikes on is militants\" reads as the verb \"is\".",
    example="strikes on is militants → strikes on IS militants",
    fix="safe",
)

RUSSIAN_RENDERING = Rule(
    code="E106",
    name="russian-rendering",
    category=CATEGORY,
    severity=Severity.WARNING,
    summary="Latin word that reads as a Russian word, clipped compound, acronym or name (no gazetteer entry needed)",
    why="MT leaves Russian it does not know in Latin letters (Следком → \"Sledkom\", врио → \"Vrio\", "
    "допмер → \"dopmer\"); English readers cannot read it. The word is looked up in a vocabulary of "
    "Russian news (mtcheck/data/russian/), under every transliteration scheme, and reported when "
    "English news does not write it that way.",
    example="the Sledkom opened a case → the Investigative Committee opened a case",
    fix="unsafe",  # the English form is what translators used for the word; grammar may need a hand
    # About 0.08 findings per 1,000 newstest English sentences (2: "KPRF" twice, which
    # translators write otherwise as CPRF), 0.99 on WMT21 reference A (1: "Harju Country", a
    # typo for County) and 0 on B (scripts/eval_rules_fp.py): with the other entity rules' 0.92
    # the family stays within its 1.0 per 1,000 sentences on each, so the rule is a default.
)
ARABIC_ARTICLE = Rule(
    code="E107",
    name="arabic-article",
    category=CATEGORY,
    severity=Severity.WARNING,
    summary="Arabic name written the Russian way (\"El-\"/\"Эль-\" for al-, \"Abd-el\", -ija)",
    why="Russian writes the Arabic article as Эль-/аль- and MT carries it over (\"El ISBA\", "
    "\"FL-Tabiya\"); English news writes al- (\"al-Isba\", \"al-Tabiya\") and Abd al-.",
    example="near El ISBA → near al-Isba",
    fix="unsafe",
)

RULES = (TRANSLITERATED_ACRONYM, TRANSLITERATED_NAME, INCONSISTENT_SPELLING, NONSTANDARD_SPELLING, LOWERCASE_ACRONYM,
         RUSSIAN_RENDERING, ARABIC_ARTICLE)

# -- explanations -------------------------------------------------------------------------
# Every entity finding says in one line which Russian form is behind the Latin, which
# rendering produced it, and the English form: the editor can judge it without the source.

LETTER_BY_LETTER = "letter by letter"
WORD_FOR_WORD = "word-for-word translation"
SPACING = "spacing or hyphenation variant"


def explain(surface: str, russian: str, what: str, rendering: str, english: str, quoted: bool = True) -> str:
    """'"Sledkom" reads as Следком (Russian clipped compound; BGN/PCGN); English: "Investigative
    Committee"'. ``english`` empty: no English form known; ``quoted=False``: already quoted."""
    shown = (f'"{english}"' if quoted else english) if english else ""
    tail = f"; English: {shown}" if shown else "; no English form known"
    return f'"{surface}" reads as {russian} ({what}; {rendering}){tail}'


def spelling_rendering(surface: str, entry: gz.Entry) -> str:
    """What produced a spelling of a gazetteer name that is not its English form: a
    transliteration scheme of one of its Russian forms, else a spacing variant."""
    key = normalize_latin(surface)
    for ru in entry.ru:
        if key in translit.variant_keys(ru):
            return translit.scheme_of(surface, ru)
    return SPACING


# -- tokens and mentions ------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
# What may join the words of one name: a space, a hyphen, a line break (hard-wrapped copy).
_JOINERS = frozenset(" \u00a0-‐‑\n")
_OPEN_QUOTES = "\"“«‘'„"
_CLOSE_QUOTES = "\"”»’'“"
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "\u00a0": " ", "‐": "-", "‑": "-"})
EXPANSION_WINDOW = 250  # characters either side of an acronym where its expansion counts as "nearby"


class Token(NamedTuple):
    start: int
    end: int
    key: str  # normalize_latin of the word


@dataclass
class Mention:
    start: int
    end: int
    surface: str
    key: str
    kind: str  # "canonical" | gz.ACRONYM | gz.VARIANT | gz.WRONG
    forms: list[gz.Form]
    sentence: Sentence | None
    confirmed: bool = False  # context judged enough to report it (set by the rules)

    @cached_property
    def entries(self) -> list[gz.Entry]:
        # Asked for often, per rule: computed once, then an attribute of the instance (read
        # without a call; ``find_mentions`` sets it for the mentions of one spelling at once).
        return _entries_of(self.forms)


def _entries_of(forms: list[gz.Form]) -> list[gz.Entry]:
    """The entries of some forms, each once, in order."""
    seen: dict[int, gz.Entry] = {}
    for f in forms:
        seen.setdefault(id(f.entry), f.entry)
    return list(seen.values())


class Tokens(Sequence):
    """The story's word tokens, stored by column (starts, ends, keys): a story has a word every
    six characters, and a tuple per word costs more than finding the words. Indexing gives a
    ``Token``; the rules' scans over every token read the columns, in C-level maps."""

    __slots__ = ("starts", "ends", "keys")

    def __init__(self, starts: list[int], ends: list[int], keys: list[str]):
        self.starts, self.ends, self.keys = starts, ends, keys

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return Token(self.starts[i], self.ends[i], self.keys[i])

    def where(self, flags: Iterable) -> list[int]:
        """The indices whose flag (one per token, in order) is true."""
        return list(compress(range(len(self.starts)), flags))


# _WORD as the separator of a split: the pieces alternate gap, word, gap, ..., and their
# running lengths are the words' offsets (strings only, no match object per word).
_WORD_SPLIT = re.compile("(" + _WORD.pattern + ")")


@lru_cache(maxsize=1)
def _bmp_word_split() -> re.Pattern:
    r"""_WORD_SPLIT for a text without characters past U+FFFF, its letter class spelled out as
    the ranges of letters it matches there (``document._bmp_letter_run_split``'s), its repeats
    possessive (a run of letters is never given back: what follows it is no letter)."""
    letters = _bmp_letter_run_split().pattern[2:-4]  # ("([" + class + "]++)")
    return re.compile(f"([{letters}]++(?:['’ʼ][{letters}]++)*+)")


# The apostrophes that join two runs of letters into one word ("rock'n'roll", "O’Neil").
_WORD_APOSTROPHES = ("'", "’", "ʼ")


def _split_words(text: str) -> list[str]:
    """``_WORD_SPLIT.split(text)``."""
    parts = letter_run_split(text)
    return _join_apostrophes(text, parts, list(accumulate(map(len, parts))))[0]


def _join_apostrophes(text: str, parts: list[str], offsets: list[int]) -> tuple[list[str], list[int]]:
    """The pieces of ``letter_run_split(text)`` and their end offsets as _WORD_SPLIT cuts the
    text: two runs of letters with one apostrophe between them are one word. Why: the runs of
    letters are split once per document and shared (``Document.letter_runs``); a story has a
    few hundred such apostrophes, found by ``str.find`` in C."""
    last = len(parts) - 1
    joins = []  # the indices of the gaps that are one apostrophe between two runs
    for at in literal_positions(text, _WORD_APOSTROPHES):
        i = bisect.bisect_right(offsets, at)  # the piece holding the apostrophe
        if 0 < i < last and offsets[i] == at + 1 and offsets[i - 1] == at:  # (a gap: runs hold no apostrophe)
            joins.append(i)
    if not joins:
        return parts, offsets
    out: list[str] = []
    out_offsets: list[int] = []
    pos = 0  # the first piece not yet copied
    k = 0
    while k < len(joins):
        first = last_join = joins[k]
        while k + 1 < len(joins) and joins[k + 1] == last_join + 2:  # "rock'n'roll": one word
            k += 1
            last_join = joins[k]
        k += 1
        out.extend(parts[pos:first - 1])
        out.append("".join(parts[first - 1:last_join + 2]))
        out_offsets.extend(offsets[pos:first - 1])
        out_offsets.append(offsets[last_join + 1])
        pos = last_join + 2
    out.extend(parts[pos:])
    out_offsets.extend(offsets[pos:])
    return out, out_offsets


# A possessive's apostrophe and s (found by ``str.find``, in C: a story has a few hundred, and a
# word every six characters; a regex would try each character).
_APOSTROPHE_S = ("'s", "’s")


class _Keys(dict):
    """Spelling → its matching key (``normalize_latin``), made on first sight. Mapping every
    word of a story through ``__getitem__`` probes in C and computes a key once per spelling
    (a story repeats its words), without a pass collecting the distinct words first; the keys
    of the dict are then the story's distinct spellings."""

    __slots__ = ()

    def __missing__(self, word: str) -> str:
        key = self[word] = normalize_latin(word)
        return key


class _Split(NamedTuple):
    tokens: Tokens
    gaps: list[str]  # the text between each token and the next, as the split cut it
    possessive: list[int]  # the indices of the words that lost an 's
    spellings: _Keys  # each distinct spelling's key
    words: list[str]  # each token's text


def _tokenize(text: str, runs: tuple[list[str], list[int]] | None = None) -> _Split:
    """The tokens, the text between each token and the next (as the split cut it, before a
    possessive's 's is taken off its word), the indices of the words that lost an 's, each
    distinct spelling's key and each token's text. ``runs``: the text's
    ``Document.letter_runs``, when a document has them."""
    if runs is None:
        pieces = letter_run_split(text)
        runs = pieces, list(accumulate(map(len, pieces)))
    parts, offsets = _join_apostrophes(text, *runs)
    starts = offsets[0:-1:2]
    ends = offsets[1::2]
    words = parts[1::2]
    # _POSSESSIVE: the words that end in 's (an 's whose end is a word's end), then their length
    possessive = []
    for at in literal_positions(text, _APOSTROPHE_S):
        i = bisect.bisect_left(ends, at + 2)
        if i < len(ends) and ends[i] == at + 2 and starts[i] <= at and len(words[i]) > 3:
            possessive.append(i)
    for i in possessive:
        ends[i] -= 2
        words[i] = words[i][:-2]
    spellings = _Keys()
    return _Split(Tokens(starts, ends, list(map(spellings.__getitem__, words))), parts[2:-1:2], possessive, spellings,
                  words)


def tokenize(text: str) -> Tokens:
    return _tokenize(text)[0]


class _Joins(Sequence):
    """For each token, whether the next token continues one name (``_joined``): one joiner
    character alone between them (a space, a hyphen, a line break; the gaps are the split's
    pieces between words), or the dot gap after an abbreviation ("St. Petersburg"), never
    after a word that lost its 's (the 's follows it). Judged when asked: the rules ask it of
    the tokens that may start a name, and a flag per token cost a pass over every gap."""

    __slots__ = ("gaps", "breaks", "dots", "n")

    def __init__(self, gaps: list[str], breaks: frozenset[int], dots: frozenset[int], n: int):
        self.gaps = gaps  # (one per token: the last token's is "", no joiner)
        self.breaks = breaks  # the words that lost an 's
        self.dots = dots  # the abbreviations before a dot gap (none of them in ``breaks``)
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self.n))]
        if not -self.n <= i < self.n:
            raise IndexError(i)
        i %= self.n
        return i in self.dots or self.gaps[i] in _JOINERS and i not in self.breaks

    def plain(self, i: int) -> bool:
        """Whether one joiner character alone separates token ``i`` from the next (without
        the "St. " case)."""
        return self.gaps[i] in _JOINERS and i not in self.breaks


def _analysis(doc: Document) -> tuple[Tokens, _Joins]:
    """The story's word tokens and, for each, whether the next token continues one name;
    computed once per document."""
    cached = doc.user_data.get("entity.tokens")
    if cached is None:
        tokens, gaps, possessive, spellings, words = _tokenize(doc.text, doc.letter_runs())
        doc.user_data["entity.spellings"] = spellings
        doc.user_data["entity.surfaces"] = words
        if tokens:
            gaps.append("")  # (after the last token: joined to nothing)
        # A dot gap joins an abbreviation to the next word ("St. Petersburg"): each spelling
        # of one is looked for before a dot gap in the text (a few ``str.find`` scans, in C),
        # instead of comparing every gap with ". ".
        starts = tokens.starts
        dots = set()
        for spelling in [w for w, key in spellings.items() if key in _ABBREVIATED]:
            for at in literal_positions(doc.text, (spelling + _DOT_GAP,)):
                i = bisect.bisect_left(starts, at)
                if i < len(tokens) - 1 and starts[i] == at and words[i] == spelling and gaps[i] == _DOT_GAP:
                    dots.add(i)
        breaks = frozenset(possessive)
        cached = doc.user_data["entity.tokens"] = (tokens, _Joins(gaps, breaks, frozenset(dots - breaks), len(tokens)))
    return cached


_ABBREVIATED = frozenset(("st", "mt", "ft"))  # "St. Petersburg" is one name
_DOT_GAP = ". "  # (a lone "." is one character: not a joiner)


def _joined(text: str, left: Token, right: Token) -> bool:
    gap = text[left.end:right.start]
    if len(gap) == 1:
        return gap in _JOINERS
    return gap in (". ", ".") and left.key in _ABBREVIATED


def _short(text: str, token: Token) -> bool:
    return token.end - token.start < 2


def _letters(s: str) -> list[str]:
    return [c for c in s if c.isalpha()]


@lru_cache(maxsize=65536)
def _is_all_caps(s: str) -> bool:
    if s.isalpha():  # the common case: one word, no apostrophe
        return len(s) >= 2 and s.isupper()
    letters = _letters(s)
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@lru_cache(maxsize=65536)
def _acronym_like(s: str) -> bool:
    """"SDS", "SB OON", "MChS", "TsAKhAL": capitals carry the word."""
    letters = _letters(s)
    if len(letters) < 2 or not letters[0].isupper():
        return False
    upper = sum(c.isupper() for c in letters)
    return upper >= 2 and upper * 2 >= len(letters)


def _viable(form: gz.Form, surface: str) -> bool:
    """Whether ``surface`` can be ``form`` given its capitals (keys ignore case)."""
    if form.kind == gz.ACRONYM:
        return _acronym_like(surface)
    if surface == surface.lower():  # no capital at all
        return False
    if form.kind == gz.WRONG:
        return _same_spelling(surface, form.text) or surface.upper() == form.text.upper() and _is_all_caps(surface)
    if form.kind == gz.VARIANT:
        # A capitalised short word is more likely an English acronym than a transliterated name.
        return not (_is_all_caps(surface) and len(_letters(surface)) <= 4)
    if _is_all_caps(form.text):
        return _is_all_caps(surface)
    return True


@lru_cache(maxsize=65536)
def _spelling(s: str) -> str:
    """A surface as compared for spelling: typographic variants and diacritics unified
    ("Erdoğan" is "Erdogan"), first letter capital (sentence-initial capitals are not a spelling)."""
    s = fold_ascii(s.translate(_APOSTROPHES)).replace(".", "")  # "St. Petersburg" is "St Petersburg"
    return s[:1].upper() + s[1:]


def _same_spelling(a: str, b: str) -> bool:
    return _spelling(a) == _spelling(b)


def find_mentions(doc: Document, gaz: gz.Gazetteer) -> list[Mention]:
    """Gazetteer names in ``doc``, leftmost-longest, with what kind of rendering each is."""
    text = doc.text
    tokens, joined = _analysis(doc)
    index, prefixes = gaz.index, gaz.prefixes
    words = doc.user_data["entity.surfaces"]
    mentions: list[Mention] = []
    n = len(tokens)
    t_starts, t_ends, t_keys = tokens.starts, tokens.ends, tokens.keys
    # Only a token that is a name itself, or whose key joined to the next token's starts some
    # indexed key, can start a name: one set probe a token in a C map, then two for the tokens
    # that start some key ("the", "in", "to" do, but rarely with the next word).
    # (``joined[i]`` written out here and below: asked of every such token, and of each token
    # of a longer candidate)
    gaps, breaks, dots = joined.gaps, joined.breaks, joined.dots
    firsts = [i for i in tokens.where(map(prefixes.__contains__, t_keys))
              if t_keys[i] in index or (i in dots or gaps[i] in _JOINERS and i not in breaks)
              and t_keys[i] + t_keys[i + 1] in prefixes]
    resume = 0  # the token after the last mention: mentions do not overlap
    # (key, surface) -> (kind, forms) of a mention, or None: a story repeats its names, so each
    # spelling is judged once.
    judged: dict[tuple[str, str], tuple[str, list[gz.Form], list[gz.Entry]] | None] = {}
    max_tokens = gaz.max_tokens
    # The sentence of the last mention and the offsets for which ``doc.sentence_at`` gives it:
    # the next mention is mostly in the same sentence.
    here, here_from, here_to = None, 0, 0
    for i in firsts:
        if i < resume:
            continue
        key = t_keys[i]
        if not (i in dots or gaps[i] in _JOINERS and i not in breaks) or key + t_keys[i + 1] not in prefixes:
            # One word that is a name itself (the common case): no longer candidate; its
            # surface is its spelling.
            surface = words[i]
            verdict = judged.get((key, surface), False)
            if verdict is False:
                verdict = judged[(key, surface)] = _mention_kind(index[key], surface)
            if verdict is None:
                continue
            j, start, end = i, t_starts[i], t_ends[i]
        else:
            key = ""
            candidates = []
            for j in range(i, min(n, i + max_tokens)):
                if j > i and not (j - 1 in dots or gaps[j - 1] in _JOINERS and j - 1 not in breaks):
                    break  # (``joined[j - 1]`` written out)
                key += t_keys[j]
                if key in index:
                    candidates.append((j, key))
                if key not in prefixes:
                    break
            chosen = None
            for j, key in reversed(candidates):
                if j > i and (t_ends[i] - t_starts[i] < 2 or t_ends[j] - t_starts[j] < 2):  # _short
                    continue  # "A sad" is not "Asad"
                start, end = t_starts[i], t_ends[j]
                surface = text[start:end]
                verdict = judged.get((key, surface), False)
                if verdict is False:
                    verdict = judged[(key, surface)] = _mention_kind(index[key], surface)
                if verdict is not None:
                    chosen = (j, key, start, end, surface, verdict)
                    break
            if chosen is None:
                continue
            j, key, start, end, surface, verdict = chosen
        kind, forms, entries = verdict
        if not here_from <= start < here_to:
            here, here_from, here_to = _sentence_span(doc, _sentence_starts(doc), start)
        # The mentions of one spelling share its (read-only) forms and entries.
        mention = Mention(start, end, surface, key, kind, forms, here)
        mention.__dict__["entries"] = entries  # (``Mention.entries``)
        mentions.append(mention)
        resume = j + 1
    return mentions


def _mention_kind(forms: list[gz.Form], surface: str) -> tuple[str, list[gz.Form], list[gz.Entry]] | None:
    """What a surface matching these gazetteer forms is a rendering of: (kind, the forms of
    that kind, their entries), the canonical ones first; None when its capitals fit none."""
    forms = [f for f in forms if _viable(f, surface)]
    if not forms:
        return None
    canonical = [f for f in forms if f.kind in gz.CANONICAL_KINDS]
    if canonical:
        return "canonical", canonical, _entries_of(canonical)
    for kind in (gz.ACRONYM, gz.VARIANT, gz.WRONG):
        picked = [f for f in forms if f.kind == kind]
        if picked:
            return kind, picked, _entries_of(picked)
    return gz.WRONG, forms, _entries_of(forms)  # (no form of a known kind: where the search ended)


def _sentence_starts(doc: Document) -> list[int]:
    """The sentences' start offsets, listed once per document."""
    starts = doc.user_data.get("entity.sentence_starts")
    if starts is None:
        starts = doc.user_data["entity.sentence_starts"] = list(map(attrgetter("start"), doc.sentences))
    return starts


def _sentence_span(doc: Document, starts: list[int], offset: int) -> tuple[Sentence | None, int, int]:
    """``doc.sentence_at(offset)``, from the sentence starts listed once per document, and the
    offsets ``[lo, hi)`` around ``offset`` for which it gives the same answer (one sentence's,
    or none), so that a caller walking up the text asks again only past ``hi``."""
    i = bisect.bisect_right(starts, offset) - 1
    hi = starts[i + 1] if i + 1 < len(starts) else len(doc.text) + 1
    if i < 0:
        return None, 0, hi
    s = doc.sentences[i]
    end = max(s.end, s.start + 1)
    if offset < end:
        return s, starts[i], min(end, hi)
    return None, end, hi


# -- context ------------------------------------------------------------------------------

@lru_cache(maxsize=2048)
def _phrase_regex(words: tuple[str, ...]) -> re.Pattern | None:
    if not words:
        return None
    parts = []
    for w in sorted(words, key=len, reverse=True):
        pieces = [re.escape(p) for p in re.split(r"[\s\-]+", w.strip()) if p]
        parts.append(r"[\s\-]+".join(pieces))
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)


# Letters that re.IGNORECASE matches to an ASCII letter of another case than str.lower() gives
# (long s, Kelvin sign, dotted and dotless i): where one occurs, only the regex can tell.
_CASE_FOLD_ODDITIES = ("\u017f", "\u212a", "\u0130", "\u0131")


@lru_cache(maxsize=2048)
def _phrase_pieces(words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(p.lower() for p in re.split(r"[\s\-]+", w.strip()) if p) for w in words)


def _may_contain(doc: Document, text: str, words: tuple[str, ...]) -> bool:
    """False only where ``_phrase_regex(words)`` cannot match ``text``: no phrase has all its
    pieces in the lower-cased text. The regex's alternation with look-arounds takes 0.15 s per
    MB where nothing matches, and most stories hold none of a cue group's words. In the whole
    story a piece of letters only is looked up in its set of words (``_story_words``): the
    phrase's look-arounds and joiners are no word characters, so such a piece matches only a
    whole run of letters; another piece ("19" of "COVID-19") is a substring probe, in C."""
    whole = text is doc.text
    odd = doc.user_data.get("entity.case-fold-oddities") if whole else None
    if odd is None:
        odd = any(c in text for c in _CASE_FOLD_ODDITIES)
        if whole:
            doc.user_data["entity.case-fold-oddities"] = odd
    if odd:
        return True
    if whole:
        story_words = _story_words(doc)
        return any(pieces and all(p in story_words if p.isalpha() else p in doc.lowered() for p in pieces)
                   for pieces in _phrase_pieces(words))
    low = text.lower()
    return any(pieces and all(p in low for p in pieces) for pieces in _phrase_pieces(words))


def _story_words(doc: Document) -> frozenset[str]:
    """Every run of letters of the story, lower-cased, each once (and a few more): its distinct
    words, the runs the word split joined at an apostrophe ("o", "neil" of "O'Neil") and the
    "s" a possessive lost. Made from the distinct spellings the tokens were keyed by, not from
    another pass over the story's words."""
    found = doc.user_data.get("entity.words")
    if found is None:
        _analysis(doc)
        lowered = {w.lower() for w in doc.user_data["entity.spellings"]}
        joined = {piece for w in lowered if "'" in w or "’" in w for piece in re.split("['’]", w)}
        found = doc.user_data["entity.words"] = frozenset(lowered | joined | {"s"})
    return found


def _contains(text: str, words: tuple[str, ...], skip: tuple[int, int] | None = None, offset: int = 0) -> bool:
    rx = _phrase_regex(words)
    if rx is None:
        return False
    for m in rx.finditer(text):
        if skip and offset + m.start() < skip[1] and offset + m.end() > skip[0]:
            continue
        return True
    return False


def _contains_cached(doc: Document, where: tuple, text: str, words: tuple[str, ...],
                     skip: tuple[int, int] | None = None, offset: int = 0) -> bool:
    """``_contains(text, words, skip, offset)`` for a text searched for many mentions (the whole
    story, a sentence: ``where`` names it): its matches are found once per document and each
    mention asks only whether one of them lies outside its own span."""
    rx = _phrase_regex(words)
    if rx is None:
        return False
    cache = doc.user_data.setdefault("entity.hits", {})
    hits = cache.get((where, words))
    if hits is None and not skip:  # any match at all: the first one answers
        found = cache.get((where, words, "any"))
        if found is None:
            found = cache[(where, words, "any")] = _may_contain(doc, text, words) and rx.search(text) is not None
        return found
    if hits is None:
        spans = [m.span() for m in rx.finditer(text)]
        hits = cache[(where, words)] = ([offset + a for a, _ in spans], [offset + b for _, b in spans])
    starts, ends = hits
    if not skip:
        return bool(starts)
    # The matches do not overlap one another, so those overlapping ``skip`` are consecutive.
    overlapping = bisect.bisect_left(starts, skip[1]) - bisect.bisect_right(ends, skip[0])
    return len(starts) > max(0, overlapping)


def _quoted(text: str, m: Mention) -> bool:
    before = text[m.start - 1] if m.start > 0 else ""
    after = text[m.end] if m.end < len(text) else ""
    return before in _OPEN_QUOTES and after in _CLOSE_QUOTES


def _near_cue(doc: Document, m: Mention, entry: gz.Entry) -> bool:
    if not entry.cues.near:
        return False
    if m.sentence is not None:
        return _contains_cached(doc, ("sentence", m.sentence.index), m.sentence.text, entry.cues.near, (m.start, m.end), m.sentence.start)
    lo, hi = max(0, m.start - 150), min(len(doc.text), m.end + 150)
    return _contains(doc.text[lo:hi], entry.cues.near, (m.start, m.end), lo)


def _document_cue(doc: Document, m: Mention, entry: gz.Entry) -> bool:
    return bool(entry.cues.document) and _contains_cached(doc, ("document",), doc.text, entry.cues.document, (m.start, m.end))


def _long_forms(entry: gz.Entry) -> tuple[str, ...]:
    forms = [*entry.expansion, entry.en, *entry.also]
    return tuple(f for f in forms if len(f.split()) >= 2)


_PARENTHESIS = re.compile(r"\(([^()]*)\)")


def _parenthesised(doc: Document) -> dict[str, list[int]]:
    """Where each text stands alone in brackets, "(SDS)", by the text (surrounding spaces
    trimmed): one pass over the story, once per document."""
    index = doc.user_data.get("entity.parens")
    if index is None:
        index = {}
        for hit in _PARENTHESIS.finditer(doc.text):
            index.setdefault(hit.group(1).strip(), []).append(hit.start())
        doc.user_data["entity.parens"] = index
    return index


def _defined_as_other(doc: Document, m: Mention, entry: gz.Entry) -> bool:
    """The story spells the acronym out as something else: "Students for a Democratic Society
    (SDS)", "the Media-Communications Union (MKS)". A Russian acronym after its own expansion
    ("Syrian democratic forces" (SDS)) is not suppressed. Judged once per surface and entry."""
    cache = doc.user_data.setdefault("entity.defined", {})
    key = (m.surface, id(entry))
    if key not in cache:
        cache[key] = _defined_as_other_uncached(doc, m, entry)
    return cache[key]


def _defined_as_other_uncached(doc: Document, m: Mention, entry: gz.Entry) -> bool:
    long_forms = _long_forms(entry)
    # r"\(\s*" + re.escape(m.surface) + r"\s*\)" (a surface has no brackets and no spaces
    # at its ends), from the index
    for start in _parenthesised(doc).get(m.surface, ()):
        before = doc.text[max(0, start - 120):start].rstrip(" \"”»’'")
        if any(before.lower().endswith(f.lower()) for f in long_forms) or _spelled_out_before(before, entry):
            continue
        words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", before)[-4:]
        capitals = [w for w in words if w[0].isupper()]
        if len(capitals) >= 2 and words and words[-1][0].isupper():
            return True
    return False


_STEM = 5  # letters of a word compared in a loose expansion match ("Syria" / "Syrian")


def _spelled_out_before(before: str, entry: gz.Entry) -> bool:
    """The words before "(SDS)" spell the entry out, loosely: each word of one of its long
    forms matched on its first letters ("Syria Democratic Forces" for Syrian Democratic
    Forces), or capitalised words whose initials are its English acronym (S-D-F)."""
    words = re.findall(r"[^\W\d_]+", before)
    for form in _long_forms(entry):
        want = re.findall(r"[^\W\d_]+", form)
        got = words[-len(want):]
        if len(got) == len(want) and all(a[:_STEM].lower() == b[:_STEM].lower() for a, b in zip(got, want)):
            return True
    acronym = entry.en if _is_all_caps(entry.en) and " " not in entry.en else ""
    if len(acronym) >= 2:
        capitals = [w for w in words if w[0].isupper() and w.lower() not in ("of", "the", "and", "for")]
        tail = capitals[-len(acronym):]
        if len(tail) == len(acronym) and "".join(w[0] for w in tail) == acronym.upper():
            return True
    return False


def _acronym_evidence(doc: Document, m: Mention, entry: gz.Entry) -> bool:
    """Evidence enough that an acronym is the Russian one without a context cue: it stands in
    brackets after a (loose) spelling-out of the name, or the story also uses the standard
    English acronym ("SDS" in a story that says "SDF" elsewhere)."""
    for start in _parenthesised(doc).get(m.surface, ()):
        if _spelled_out_before(doc.text[max(0, start - 120):start].rstrip(" \"”»’'"), entry):
            return True
    if _is_all_caps(entry.en) and " " not in entry.en and entry.en != m.surface and len(entry.en) >= 3:
        return _contains_cached(doc, ("document",), doc.text, (entry.en,), (m.start, m.end))
    return False


def _english_as_written(m: Mention, entry: gz.Entry) -> bool:
    """A mined entry (no curator gave it cues) is not reported where English news writes the
    rendering itself: a word, a name or an acronym of the English vocabulary (``Barak`` is
    another name, ``VMA`` an English acronym). Hand-made entries say so with cues instead."""
    if not gz.is_mined(entry):
        return False
    lexicon = rl.load()
    if _acronym_like(m.surface):
        return m.surface in lexicon.english_acronyms
    # A rendering news accepts for a Russian name is no mistake ("Dmitriy" beside the
    # translators' "Dmitry"): only the others are (GOST's j and x, ISO's diacritics, ...).
    # The English form and one more vowel is as often another name ("Igora Drive", "Ivana") as
    # a case form left in: the curated entries, with cues, may say which.
    english_key = normalize_latin(entry.en)
    if m.key[:-1] == english_key and m.key[-1:] in ("a", "e", "i", "u", "y"):
        return True
    # The Ukrainian-style y for и ("Iryna" for Ирина/Iryna) is a rendering too.
    return m.key in lexicon.english or any(k in translit.news_keys(ru) for ru in entry.ru
                                           for k in (m.key, m.key.replace("y", "i")))


# -- the rules ----------------------------------------------------------------------------

def _acronym_findings(doc: Document, ctx: Context, mentions: list[Mention]) -> Iterator[Finding]:
    accepted_surfaces: set[str] = set()
    pending: list[tuple[Mention, gz.Entry, gz.Form, bool]] = []
    for m in mentions:
        if m.kind != gz.ACRONYM:
            continue
        entry, form = m.entries[0], m.forms[0]
        if _defined_as_other(doc, m, entry) or _english_as_written(m, entry):
            continue
        text = doc.text
        lo, hi = max(0, m.start - EXPANSION_WINDOW), min(len(text), m.end + EXPANSION_WINDOW)
        long_forms = _long_forms(entry)
        near_expansion = _contains(text[lo:hi], long_forms)
        doc_expansion = near_expansion or _contains_cached(doc, ("document",), text, long_forms) or _acronym_evidence(doc, m, entry)
        if len(_letters(m.surface)) <= 2:
            ok = near_expansion or _near_cue(doc, m, entry)
        else:
            ok = doc_expansion or not entry.cues or _near_cue(doc, m, entry) or _document_cue(doc, m, entry)
        if ok:
            accepted_surfaces.add(m.surface)
        pending.append((m, entry, form, doc_expansion))
    for m, entry, form, doc_expansion in pending:
        if m.surface not in accepted_surfaces:
            continue
        m.confirmed = True
        ambiguous = len({e.en for e in m.entries}) > 1
        if ambiguous:
            names = " or ".join(f'"{e.en}"' for e in m.entries)
            russian = "/".join(dict.fromkeys(f.text for f in m.forms))
            yield TRANSLITERATED_ACRONYM.finding(
                doc, m.start, m.end,
                explain(m.surface, russian, "acronym", LETTER_BY_LETTER, names, quoted=False),
                data={"ru": [f.text for f in m.forms], "candidates": [e.en for e in m.entries],
                      "rendering": LETTER_BY_LETTER, "english": ""},
            )
            continue
        yield TRANSLITERATED_ACRONYM.finding(
            doc, m.start, m.end,
            explain(m.surface, form.text, entry.kind_name, LETTER_BY_LETTER, entry.en),
            suggestion=entry.en,
            # Safe where nothing else is possible: the story spells the name out, or the
            # rendering needs no context (no English acronym looks like it).
            safe=doc_expansion or not entry.cues,
            data={"ru": form.text, "type": entry.type, "gazetteer": entry.source,
                  "rendering": LETTER_BY_LETTER, "english": entry.en},
        )


def _name_findings(doc: Document, ctx: Context, mentions: list[Mention]) -> Iterator[Finding]:
    named: set[int] = set()
    read_lists: set[int] = set()  # (the mentions of one spelling share one list of entries: each is read once)
    for m in mentions:
        if m.kind == "canonical":
            entries = m.entries
            if id(entries) not in read_lists:
                read_lists.add(id(entries))
                named.update(map(id, entries))
    pending: list[Mention] = []
    cue_met: set[int] = set()
    for m in mentions:
        if m.kind not in (gz.VARIANT, gz.WRONG):
            continue
        pending.append(m)
        for e in m.entries:
            if _english_as_written(m, e):
                continue
            if not e.cues or _quoted(doc.text, m) or _near_cue(doc, m, e) or _document_cue(doc, m, e) or id(e) in named:
                cue_met.add(id(e))
    for m in pending:
        entries = [e for e in m.entries if id(e) in cue_met]
        if not entries:
            continue
        m.confirmed = True
        forms = [f for f in m.forms if f.entry in entries]
        form = forms[0]
        source = form.text if m.kind == gz.VARIANT else "/".join(form.entry.ru[:1])
        how = translit.scheme_of(m.surface, source) if m.kind == gz.VARIANT else WORD_FOR_WORD
        if len({e.en for e in entries}) > 1:
            names = " or ".join(f'"{e.en}"' for e in entries)
            russian = "/".join(dict.fromkeys(f.text if m.kind == gz.VARIANT else f.entry.ru[0] for f in forms))
            yield TRANSLITERATED_NAME.finding(
                doc, m.start, m.end, explain(m.surface, russian, "name", how, names, quoted=False),
                data={"ru": russian, "candidates": [e.en for e in entries], "rendering": how, "english": ""},
            )
            continue
        entry = entries[0]
        yield TRANSLITERATED_NAME.finding(
            doc, m.start, m.end,
            explain(m.surface, source, entry.kind_name, how, entry.en),
            suggestion=entry.en,
            safe=not entry.cues,
            data={"ru": source, "type": entry.type, "gazetteer": entry.source, "rendering": how, "english": entry.en},
        )


def _spelling_mentions(mentions: list[Mention]) -> dict[int, tuple[gz.Entry, list[Mention]]]:
    """Mentions that are spellings of one entry's name (acronyms and expansions excluded)."""
    groups: dict[int, tuple[gz.Entry, list[Mention]]] = {}
    # (surface, kind, the forms' list) -> the mentions of the one curated entry it spells, or
    # None: judged once per spelling (the mentions of one spelling share their forms; the list
    # outlives the call).
    spells: dict[tuple[str, str, int], list[Mention] | None] = {}
    for m in mentions:
        if m.kind == "canonical":
            if m.sentence is not None and m.sentence.kind in _HEADING_KINDS:  # (``is_heading``)
                # A headline in an accepted spelling ("Deir Ezzor" over a body's "Deir ez-Zor")
                # follows the headline desk's style; the body is what must be consistent.
                continue
        elif not (m.kind == gz.VARIANT and m.confirmed):
            continue
        memo = (m.surface, m.kind, id(m.forms))
        members = spells.get(memo, False)
        if members is False:
            entry = _spelled_entry(m)
            members = spells[memo] = None if entry is None else groups.setdefault(id(entry), (entry, []))[1]
        if members is not None:
            members.append(m)
    return groups


def _spelled_entry(m: Mention) -> gz.Entry | None:
    """The one curated entry whose name a (canonical or confirmed variant) mention spells, or None."""
    if _acronym_like(m.surface):
        return None
    forms = [f for f in m.forms if f.kind in (gz.STANDARD, gz.ALSO)] if m.kind == "canonical" else m.forms
    entries = {id(f.entry): f.entry for f in forms}
    if len(entries) != 1:
        return None
    entry = next(iter(entries.values()))
    if gz.is_mined(entry):
        return None  # spelling consistency is house style: judged on curated entries only
    return entry


_ARTICLE = re.compile(r"^(?:al|el|ad|an|ar|as|at|ash|az|ez|the)(?=\w{3})")


def similar_spellings(a: str, b: str) -> bool:
    """Whether two forms spell the same name ("Kiev"/"Kyiv", "Deir ezzor"/"Deir al-Zor") rather
    than being different names for one thing ("Nusra Front"/"al-Nusra", "Defence Ministry"/
    "Ministry of Defence")."""
    return _similar_keys(normalize_latin(a), normalize_latin(b))


@lru_cache(maxsize=65536)
def _similar_keys(ka: str, kb: str) -> bool:
    if ka == kb:
        return True
    ka, kb = _ARTICLE.sub("", ka), _ARTICLE.sub("", kb)
    if min(len(ka), len(kb)) < 0.75 * max(len(ka), len(kb)):
        return False
    return SequenceMatcher(None, ka, kb).ratio() >= 0.7


# A place's or person's accepted forms are spellings of one name by curation (Kyiv/Kiev,
# Mykolaiv/Nikolaev); an organisation's may be different names for it.
_SPELLING_TYPES = frozenset(("place", "person"))


def _clusters(entry: gz.Entry, group: list[Mention]) -> list[list[Mention]]:
    """Single-link clusters of mentions whose spellings are similar: the connected components
    of the similarity graph, in the order incremental single-link clustering leaves them
    (by their last mention). Similarity depends only on a mention's key, so the graph is built
    on the story's distinct keys (a few per name), not on every pair of mentions."""
    if entry.type in _SPELLING_TYPES:
        return [sorted(group, key=lambda x: x.start)]
    key_of: dict[str, str] = {}  # surface -> its key, made once per spelling
    keys = [key_of.get(m.surface) or key_of.setdefault(m.surface, normalize_latin(m.surface)) for m in group]
    first: dict[str, int] = {}
    final: dict[str, int] = {}
    for position, k in enumerate(keys):
        first.setdefault(k, position)
        final[k] = position
    distinct = list(first)
    parent = {k: k for k in distinct}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, a in enumerate(distinct):
        for b in distinct[:i]:
            # A mention is compared with the earlier ones, later spelling first (the ratio is
            # not symmetric): a-after-b pairs ask (a, b), b-after-a pairs (b, a).
            if (final[a] > first[b] and _similar_keys(a, b)) or (final[b] > first[a] and _similar_keys(b, a)):
                parent[root(a)] = root(b)
    members: dict[str, list[Mention]] = {}
    last: dict[str, int] = {}
    for position, (m, k) in enumerate(zip(group, keys)):
        r = root(k)
        members.setdefault(r, []).append(m)
        last[r] = position
    clusters = [sorted(members[r], key=lambda x: x.start) for r in sorted(members, key=last.__getitem__)]
    return clusters


def _target_spelling(entry: gz.Entry, cluster: list[Mention]) -> tuple[str, bool]:
    """The spelling a cluster should use: the gazetteer's standard form where it spells this
    name, else the story's majority spelling (first seen on a tie), which is only a guess."""
    if entry.type in _SPELLING_TYPES or any(similar_spellings(entry.en, k) for k in dict.fromkeys(m.surface for m in cluster)):
        return entry.en, True
    spelled = [_spelling(m.surface) for m in cluster]
    counts = Counter(spelled)
    best = max(counts.values())
    return next(s for s in spelled if counts[s] == best), False


def _consistency_findings(doc: Document, ctx: Context, mentions: list[Mention]) -> Iterator[Finding]:
    reported: set[int] = set()
    renderings: dict[tuple[str, int], str] = {}  # (surface, entry) -> spelling_rendering, once each
    for entry, group in _spelling_mentions(mentions).values():
        for cluster in _clusters(entry, group):
            spelled = [_spelling(m.surface) for m in cluster]
            if len({s.casefold() for s in spelled}) < 2:
                continue
            target, safe = _target_spelling(entry, cluster)
            every_spelling = set(spelled)
            surfaces = sorted({x.surface for x in cluster})
            for m, spelling in zip(cluster, spelled):
                if spelling.casefold() == target.casefold():
                    continue
                reported.add(id(m))
                if m.kind != "canonical":
                    continue  # E102 reports it already, with the same suggestion
                others = sorted(every_spelling - {spelling})
                how = renderings.get((m.surface, id(entry)))
                if how is None:
                    how = renderings[(m.surface, id(entry))] = spelling_rendering(m.surface, entry)
                yield INCONSISTENT_SPELLING.finding(
                    doc, m.start, m.end,
                    f'"{m.surface}" ({entry.ru[0]}, {entry.kind_name}; {how}) is spelled differently elsewhere '
                    f'in this story ({", ".join(repr(o) for o in others)}); use one spelling: "{target}"',
                    suggestion=target,
                    safe=safe,
                    data={"spellings": list(surfaces), "gazetteer": entry.source,
                          "ru": entry.ru[0], "rendering": how, "english": target},
                )
    # (surface, the forms' list) -> (entry, target, standing, rendering) of a canonical
    # mention spaced unlike its standard form, or None: judged once per spelling.
    nonstandard: dict[tuple[str, int], tuple | None] = {}
    for m in mentions:
        if m.kind != "canonical" or id(m) in reported:
            continue
        memo = (m.surface, id(m.forms))
        if memo not in nonstandard:
            nonstandard[memo] = _nonstandard(m)
        if nonstandard[memo] is None:
            continue
        entry, target, standing, how = nonstandard[memo]
        yield NONSTANDARD_SPELLING.finding(
            doc, m.start, m.end,
            f'"{m.surface}" ({entry.ru[0]}, {entry.kind_name}; {how}) is spaced or hyphenated differently '
            f'from the {standing} English form "{target}"',
            suggestion=target,
            data={"gazetteer": entry.source, "ru": entry.ru[0], "rendering": how, "english": target},
        )


def _nonstandard(m: Mention) -> tuple[gz.Entry, str, str, str] | None:
    """(entry, standard form, "standard"/"accepted", rendering) when a canonical mention of a
    curated name is spaced or hyphenated unlike all its accepted forms; else None."""
    if _acronym_like(m.surface) or len(m.entries) != 1:
        return None
    if gz.is_mined(m.entries[0]):
        return None  # the translators' one spelling, not a house style
    entry = m.entries[0]
    spellings = [f.text for f in m.forms if f.kind in (gz.STANDARD, gz.ALSO)]
    if not spellings or any(_spelling(m.surface).casefold() == _spelling(a).casefold() for a in spellings):
        return None
    target = spellings[0]
    standing = "standard" if target == entry.en else "accepted"
    return entry, target, standing, spelling_rendering(m.surface, entry)


def _generic_findings(doc: Document, mentions: list[Mention]) -> Iterator[Finding]:
    """E103 for names outside the gazetteer: capitalised word groups that differ only in
    spacing or hyphenation ("Al Tanf" / "Al-Tanf"). The majority spelling is suggested
    (unsafe: nothing says which spelling is standard)."""
    text = doc.text
    tokens, joined = _analysis(doc)
    t_starts, t_ends, t_keys = tokens.starts, tokens.ends, tokens.keys
    n = len(t_starts)
    # Every capitalised word group (up to three words, the first and last capitalised, joined by
    # one joiner character each) by key. Only a key written at least two ways, with a space or
    # hyphen in one, can be reported, and a spelling with a space or hyphen is a group of two or
    # three words: those are found first, and only then the one-word groups of their keys (a
    # big story has tens of thousands of capitalised words, a handful of such keys).
    capitals = _capitals(doc)
    plain = joined.plain
    wide: set[str] = set()  # keys of groups with a space or hyphen
    longer: list[tuple[int, int, str]] = []  # (i, j, key) of every group of two or three words
    # The capitalised words followed by a capitalised word, next or after one: found by a regex
    # over the capitals, in C (most capitalised words start no group); then joined by one
    # joiner character each.
    for hit in _CAPITAL_PAIR.finditer(capitals):
        i = hit.start()
        if not plain(i):
            continue
        capital_after = capitals[i + 1]
        three = i + 2 < n and capitals[i + 2] and plain(i + 1)
        if not (three or capital_after):
            continue
        key = t_keys[i] + t_keys[i + 1]
        spaced = text[t_ends[i]] in " -"  # (the lone joiner character after word i)
        if capital_after and len(key) >= 4:
            longer.append((i, i + 1, key))
            if spaced:
                wide.add(key)
        if three:
            key += t_keys[i + 2]
            if len(key) >= 4:
                longer.append((i, i + 2, key))
                if spaced or text[t_ends[i + 1]] in " -":
                    wide.add(key)
    if not wide:
        return
    found = [group for group in longer if group[2] in wide]
    # The capitalised one-word spellings of those keys, from the distinct spellings: their
    # tokens are looked for only where there is one (a pass over every word otherwise).
    one_word = {w for w, key in doc.user_data["entity.spellings"].items() if key in wide and w[0].isupper()}
    if one_word:
        words = doc.user_data["entity.surfaces"]
        found.extend((i, i, t_keys[i]) for i in compress(range(n), map(one_word.__contains__, words)))
    found.sort()
    candidates: dict[str, list[tuple[int, int]]] = {}
    for i, j, key in found:
        candidates.setdefault(key, []).append((i, j))
    spelled_two_ways = []
    for key, pairs in candidates.items():
        surfaces = {text[t_starts[i]:t_ends[j]] for i, j in pairs}
        if len(surfaces) >= 2 and any(" " in x or "-" in x for x in surfaces):
            spelled_two_ways.append((key, pairs))
    if not spelled_two_ways:
        return
    taken = [(m.start, m.end) for m in mentions]
    taken_starts = [a for a, _ in taken]
    # (the sentences' columns by C-level maps: a big story has tens of thousands of sentences)
    sentence_starts = _sentence_starts(doc)
    body_mask = list(map(not_, map(_HEADING_KINDS.__contains__, map(attrgetter("kind"), doc.sentences))))
    body = list(zip(compress(sentence_starts, body_mask), compress(map(attrgetter("end"), doc.sentences), body_mask)))
    body_starts = list(compress(sentence_starts, body_mask))

    def sentence_first_word(offset: int) -> bool:
        """Whether a sentence's first word starts at ``offset`` (it is capitalised anyway: "In
        New York" is not one name): asked of the sentences around it, not of every sentence."""
        k = bisect.bisect_right(sentence_starts, offset) - 1
        while k >= 0 and doc.sentences[k].end >= offset:  # (sentences do not overlap)
            s = doc.sentences[k]
            if s.start + len(s.text) - len(s.text.lstrip(_OPEN_QUOTES + " ")) == offset:
                return True
            k -= 1
        return False

    groups: dict[str, list[tuple[int, int]]] = {}
    for key, pairs in spelled_two_ways:
        for i, j in pairs:
            start, end = t_starts[i], t_ends[j]
            left_joined = _joined_capital(text, tokens, i - 1, i, i - 1)
            if left_joined and (not sentence_first_word(t_starts[i - 1]) or text[t_ends[i - 1]] != " ") or _joined_capital(
                text, tokens, j, j + 1, j + 1
            ):
                continue  # only whole names: not "Paris Saint" out of "Paris Saint-Germain"
            if _overlaps(taken, taken_starts, start, end) or not _inside(body, body_starts, start, end):
                continue
            groups.setdefault(key, []).append((start, end))
    for key, spans in groups.items():
        if len(spans) < 2 or len({text[a:b] for a, b in spans}) < 2:
            continue  # one surface: one spelling (the test below, without spelling each)
        spellings = Counter(_spelling(text[a:b]).casefold() for a, b in spans)
        if len(spellings) < 2 or not any(" " in text[a:b] or "-" in text[a:b] for a, b in spans):
            continue
        if len({_spelling(text[a:b]) for a, b in spans}) < 2:
            continue
        best = max(spellings.values())
        target = next(_spelling(text[a:b]) for a, b in spans if spellings[_spelling(text[a:b]).casefold()] == best)
        others = sorted({_spelling(text[a:b]) for a, b in spans})
        for a, b in spans:
            if _spelling(text[a:b]).casefold() == target.casefold():
                continue
            yield INCONSISTENT_SPELLING.finding(
                doc, a, b,
                f'"{text[a:b]}" (no gazetteer entry: Russian form not known; spacing or hyphenation variant) is '
                f'spelled differently elsewhere in this story '
                f'({", ".join(repr(o) for o in others if o != _spelling(text[a:b]))}); use one spelling: "{target}"',
                suggestion=target,
                safe=False,
                data={"spellings": others, "ru": "", "rendering": SPACING, "english": target},
            )


_HEADING_KINDS = frozenset(("title", "heading"))  # (``Sentence.is_heading``)

# A capitalised token (``_capitals``) followed by a capitalised one, next or after one.
_CAPITAL_PAIR = re.compile(rb"\x01(?=\x01|[\x00\x01]\x01)")


def _capitals(doc: Document) -> bytes:
    """One byte per token: 1 where it is capitalised, else 0. Why bytes: a regex then finds the
    few tokens that may start a capitalised word group in C, where a loop over every
    capitalised word took a tenth of a second on a 5 MB story. Judged once per spelling."""
    words = doc.user_data["entity.surfaces"]
    capitalised = {w for w in doc.user_data["entity.spellings"] if w[0].isupper()}
    return bytes(list(map(capitalised.__contains__, words)))


def _overlaps(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    k = bisect.bisect_left(starts, end)
    return any(spans[x][1] > start for x in range(max(0, k - 3), k))


def _inside(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    k = bisect.bisect_right(starts, start) - 1
    return k >= 0 and spans[k][1] >= end


def _joined_capital(text: str, tokens: Tokens, a: int, b: int, capital: int) -> bool:
    """Whether tokens a and b exist, are joined as one name, and token ``capital`` (a or b)
    is capitalised: the name goes on past the span."""
    starts = tokens.starts
    if a < 0 or b >= len(starts):
        return False
    gap = text[tokens.ends[a]:starts[b]]
    return len(gap) == 1 and gap in _JOINERS and text[starts[capital]].isupper()


# E105: "on is militants". "is" between a preposition or article and a noun that only an
# armed group has cannot be the verb.
# Matched from the acronym on (a literal start: the regex engine skips to each "is" in C),
# the word before it checked after ("on is militants": the pattern once began with it, and
# tried every position of a big story).
_LOWER_ACRONYM = re.compile(
    r"(is(?:is|il)?)\s+"
    r"(?=(?:militants?|fighters?|terrorists?|jihadists?|positions?|group|members?|units?|strongholds?|"
    r"cells?|targets?|leaders?|commanders?|bases?|insurgents?|extremists?|gunmen|detachments?|"
    r"formations?|emirs?|caliphate|suicide|snipers?|mortars?)\b)"
)
_BEFORE_LOWER_ACRONYM = re.compile(
    r"\b(?:on|against|of|by|with|from|for|at|the|among|between|versus|whom)\s+$")


_LOWER_RUSSIAN = {"is": "ИГ", "isis": "ИГИЛ", "isil": "ИГИЛ"}


def _lowercase_findings(doc: Document, ctx: Context) -> Iterator[Finding]:
    text = doc.text
    for m in _LOWER_ACRONYM.finditer(text):
        start, end = m.start(1), m.end(1)
        if text[start - 1:start].isalnum() or not _BEFORE_LOWER_ACRONYM.search(text, max(0, start - 20), start):
            continue
        word = m.group(1)
        yield LOWERCASE_ACRONYM.finding(
            doc, start, end,
            f'"{word}" here is the acronym of the Islamic State ({_LOWER_RUSSIAN.get(word.lower(), "ИГ")}, '
            f'lower-cased), not the English word; English: "{word.upper()}"',
            suggestion=word.upper(),
            data={"ru": _LOWER_RUSSIAN.get(word.lower(), "ИГ"), "rendering": "lower-cased acronym", "english": word.upper()},
        )


# -- E106: Russian that no gazetteer lists -------------------------------------------------

MIN_WORD_LETTERS = 5  # shorter Latin words are too often something else ("Vrio" is clipped: 4 is enough there)
MIN_CLIPPED_LETTERS = 4
MIN_ACRONYM_LETTERS = 3  # two-letter acronyms (RF, SK) need the gazetteer and its cues
MIN_NAME_COUNT_FOR_EXONYM = 5  # a translators' English form that is not a transliteration: seen often enough


def _rendering_findings(doc: Document, mentions: list[Mention]) -> Iterator[Finding]:
    lexicon = rl.load()
    english, english_acronyms = lexicon.english, lexicon.english_acronyms
    text = doc.text
    tokens, _ = _analysis(doc)
    # One set probe per token, in C: only words English news does not write are looked at
    # (judged per distinct key: a story repeats its words).
    keys = tokens.keys
    legal = _legal_form_keys()  # (English vocabulary has "ooo", "pao")
    taken: list[tuple[int, int]] = []
    taken_starts: list[int] = []

    def own_latin() -> bool:  # asked only for a word that only its letters give away (rare)
        return _contains_cached(doc, ("document",), text, _own_latin_words())

    # surface -> _read_as_russian (its key is the surface's): each spelling is read once, and
    # only a word read as Russian is placed (most are not).
    readings: dict[str, tuple | None] = {}
    t_starts, t_ends = tokens.starts, tokens.ends

    def read(surface: str) -> tuple | None:
        found = readings.get(surface, False)
        if found is False:
            found = readings[surface] = _read_as_russian(lexicon, surface, normalize_latin(surface), english_acronyms,
                                                         own_latin)
        return found

    # Only words English news does not write are looked at, and of those only the spellings
    # that read as Russian or may by their context (an acronym defined otherwise, a surname
    # after a first name: ``_contextual_shape``): all judged once per distinct spelling, then
    # their tokens found in one pass ("saidthat" 28,000 times in 200,000 short lines is none).
    looked_at = set()
    for surface, key in doc.user_data["entity.spellings"].items():
        if len(key) >= MIN_ACRONYM_LETTERS and (key not in english or key in legal) and (
                read(surface) is not None or _contextual_shape(surface, key, english_acronyms)):
            looked_at.add(surface)
    if not looked_at:
        return
    unknown = tokens.where(map(looked_at.__contains__, doc.user_data["entity.surfaces"]))
    defined = _acronyms_defined_otherwise(text, tokens, unknown, english_acronyms)
    for i in unknown:
        surface = text[t_starts[i]:t_ends[i]]
        found = readings[surface]
        if found is None:
            found = (defined.get(surface) or _surname_after_russian_name(text, t_starts[i], surface, keys[i], own_latin)
                     or _mans_surname_in_case(text, t_starts[i], surface, keys[i]))
            if found is None:
                continue
        if not taken and mentions:  # (made for the first word read as Russian: most stories have none)
            taken = sorted(zip(map(attrgetter("start"), mentions), map(attrgetter("end"), mentions)))
            taken_starts = [a for a, _ in taken]
        t = tokens[i]
        if _overlaps(taken, taken_starts, t.start, t.end) or _kept_on_purpose(text, t, surface, *found):
            continue
        if _letters_only(surface, found[0]) and (_beside_foreign_name(text, t, found[0], read)
                                                 or _foreign_person(text, t, found[0], read)):
            continue
        form, how, english_form = found
        shown = form.ru if form.kind == "acronym" else (form.ru[:1].upper() + form.ru[1:] if surface[:1].isupper() else form.ru)
        message = explain(surface, shown, f"Russian {form.kind_name}", how, english_form)
        yield RUSSIAN_RENDERING.finding(
            doc, t.start, t.end, message,
            suggestion=english_form or None,
            safe=False,
            data={"ru": form.ru, "kind": form.kind, "rendering": how, "english": english_form},
        )


# A surname after a Russian first name as English news writes it ("Nikita Belih", "Aleksandr
# Chuxraya"): MT that renders the surname letter by letter or by GOST shows it with letters
# English news writes otherwise: x for х (not in ex-, nor xx), h for the х of the surnames in
# -ых/-их ("Belih": English news writes -ykh, -ikh), a j-glide after a consonant (as
# ``_GOST_MARKS``: not South Slavic dj, gj, lj, nj, nor Polish zj) or й before a consonant (not
# Dutch ij). Of the first name and surname pairs of newstest's English side, the WMT21
# references and the MLQE-PE post-edits whose surname no vocabulary has, none has these letters
# (c for ц would meet Spanish and Italian surnames: "Dani Ceballos"). Not in a story set where
# the local alphabet writes them (``own-latin``), nor a South Slavic -ic.
_SURNAME_MARK = re.compile(r"(?<![ex])x(?!x)|[iy]h$|[bfkmprtv]j[aou]|[aeou]j[bcdfghklmnprstvz]")
_FIRST_NAME_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][a-z]+)[ \u00a0]$")


def _surname_shape(surface: str, key: str) -> bool:
    """Whether a word's own letters let it be such a surname (above): capitalised, ASCII, with
    a rendering's letters."""
    low = surface.lower()
    return not (len(key) < MIN_RENDERING_LETTERS or not surface[:1].isupper() or not key.isalpha()
                or not surface.isascii() or "w" in low or low.endswith("ic") or _is_all_caps(surface)
                or _SURNAME_MARK.search(low) is None)


def _surname_after_russian_name(text: str, start: int, surface: str, key: str, own_latin):
    """(Russian form, rendering, English form) for a capitalised word in no vocabulary, with a
    rendering's letters (above), after a Russian first name; None otherwise."""
    if not _surname_shape(surface, key):
        return None
    low = surface.lower()
    first = _first_name_before(text, start)
    if first is None or not _russian_first_name(first) or own_latin():
        return None
    guess = translit.cyrillic_guess(surface.replace("x", "kh"))  # (the mark's x is х: "Ruxma")
    english = translit.news_spelling(guess)
    return (rl.RussianForm(guess, 0, "name"), translit.scheme_of(surface, guess),
            english if english.lower() != low else "")


# A man's Russian first name as English news writes it, then a surname in -ova, -eva, -ina, -yna
# that no vocabulary has ("Roman Latipova", "Max Malisheva"): the surname is a man's in the
# genitive or accusative (Латыпова), which English does not decline. A woman's first name ends
# in -а or -я, or -ь (Любовь, Айгуль); a man's in a consonant, -й or -рь (Игорь). Of the pairs of
# newstest's English side, the WMT21 references and MT output and the MLQE-PE post-edits, one
# has a first name of the vocabulary before an unknown surname so ("Alessandro Safina": a foreign
# first name, which Russian ends otherwise, with -о).
_MANS_SURNAME_IN_CASE = re.compile(r"(?:ov|ev|in|yn)a$")
MIN_SURNAME_IN_CASE = 6


def _mans_surname_shape(surface: str, key: str) -> bool:
    """Whether a word's own letters let it be such a surname (above)."""
    return not (len(key) < MIN_SURNAME_IN_CASE or not surface[:1].isupper() or not surface[1:].islower()
                or not surface.isascii() or not key.isalpha() or _MANS_SURNAME_IN_CASE.search(key) is None)


def _mans_surname_in_case(text: str, start: int, surface: str, key: str):
    """(Russian form, rendering, English form) for a man's surname in a Russian case after his
    first name (above); None otherwise."""
    if not _mans_surname_shape(surface, key):
        return None
    first = _first_name_before(text, start)
    if first is None or not _mans_first_name(first):
        return None
    guess = translit.cyrillic_guess(surface)
    english = translit.news_spelling(guess[:-1])
    return rl.RussianForm(guess, 0, "name"), translit.scheme_of(surface, guess), english


def _first_name_before(text: str, start: int) -> str | None:
    """The capitalised word just before ``start``, with one space between (a first name's place)."""
    before = _FIRST_NAME_BEFORE.search(text, max(0, start - 30), start)
    return before.group(1) if before else None


@lru_cache(maxsize=4096)
def _vocabulary_names(word: str) -> tuple[str, ...]:
    """The Russian names of the vocabulary that English news writes as this capitalised word."""
    key = normalize_latin(word)
    lexicon = rl.load()
    forms = (lexicon.lookup(skeleton) for skeleton in translit.skeletons_latin(key))
    return tuple(f.ru for f in forms if f is not None and f.kind == "name" and key in translit.news_keys(f.ru))


def _mans_first_name(word: str) -> bool:
    """Whether a capitalised word is, in this news spelling, a name of the vocabulary that ends
    as a Russian man's first name does (above)."""
    return any(ru[-1:] not in "аяоеиыуюьэ" or ru.endswith("рь") for ru in _vocabulary_names(word))


@lru_cache(maxsize=4096)
def _russian_first_name(word: str) -> bool:
    """Whether a capitalised word is a Russian name as English news writes it: the vocabulary has
    it as a name in this news spelling, or has the name in another case (Никиты for "Nikita")."""
    return bool(_vocabulary_names(word)) or _case_sibling(translit.cyrillic_guess(word).lower())


@lru_cache(maxsize=1)
def _legal_form_keys() -> frozenset[str]:
    return frozenset(normalize_latin(latin) for latin in rl.legal_forms())


# An acronym in parentheses after the English name it stands for, whose letters that name does
# not give ("the World Anti-Doping Agency (VADA)", "the Presidential Human Rights Council
# (SPCH)"): the translator wrote the name in English and left the Russian acronym (ВАДА, СПЧ)
# letter by letter. English abbreviates with a word's initial and maybe more of its letters
# ("Japan Airlines (JAL)", "Securities and Exchange Commission (SEC)"); the acronym is then
# reported wherever the story uses it. The name's initials are suggested (unsafe: translators
# may abbreviate otherwise).
_EXPANSION_BEFORE = re.compile(r"((?:[A-Za-z][\w'’]*(?:-[A-Za-z][\w'’]*)*-?\s+){2,12})\($")
_EXPANSION_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_FUNCTION_WORDS = frozenset(("of", "for", "and", "the", "on", "in", "at", "to", "a", "an", "by", "with", "from", "The",
                             "A", "An"))


MIN_ABBREVIATED_PART = 3  # "Air|lines"


def _part_starts(word: str) -> list[int]:
    """Where the parts of a word that is two English words run together start ("airlines": 0, 3)."""
    english = rl.english_running_words()  # (not wordfreq's bare strings: "soc", "ial")
    return [0] + [j for j in range(MIN_ABBREVIATED_PART, len(word) - MIN_ABBREVIATED_PART + 1)
                  if word[:j] in english and word[j:] in english]


def _abbreviates(acronym: str, words: list[str]) -> bool:
    """Whether the acronym's letters are, in order, the initials of some of the words, each
    initial maybe followed by the next letters of its word ("HKEX": Hong Kong EXchanges) or by
    the initial of its second part where the word is two English words ("JAL": Japan AirLines).
    Not any later letter: "Russian Union of Travel Industry (RST)" takes its S from no part of
    "Russian", as a Russian acronym left letter by letter (РСТ) would."""
    letters = acronym.lower()

    @lru_cache(maxsize=None)
    def match(a: int, w: int) -> bool:
        if a == len(letters):
            return True
        for k in range(w, len(words)):
            word = words[k].lower()
            if word[0] != letters[a]:
                continue
            starts = _part_starts(word) if len(word) >= 2 * MIN_ABBREVIATED_PART else [0]
            for first, start in enumerate(starts):
                if first and word[start] != letters[a + 1:a + 2]:
                    continue
                # the word gives letters[a] (and its part's initial), then maybe the next letters
                b, j = (a + 1, 1) if not first else (a + 2, start + 1)
                if match(b, k + 1):
                    return True
                while b < len(letters) and j < len(word) and word[j] == letters[b]:
                    b, j = b + 1, j + 1
                    if match(b, k + 1):
                        return True
        return False

    return match(0, 0)


def _contextual_shape(surface: str, key: str, english_acronyms: frozenset[str]) -> bool:
    """Whether a word that does not read as Russian alone may by its context, as its own letters
    tell: an acronym a story may define otherwise (below), a surname after a first name."""
    return (_undefined_acronym_shape(surface, english_acronyms) or _surname_shape(surface, key)
            or _mans_surname_shape(surface, key))


def _undefined_acronym_shape(surface: str, english_acronyms: frozenset[str]) -> bool:
    """An all-capitals word in no list, of three to six ASCII letters, none a W or Q (Russian
    letter by letter writes no W or Q, nor another alphabet's letters: "FAČR")."""
    return (_is_all_caps(surface) and MIN_ACRONYM_LETTERS <= len(surface) <= 6 and surface not in english_acronyms
            and surface.isalpha() and surface.isascii() and not set(surface) & set("WQ"))


def _acronyms_defined_otherwise(text: str, tokens: Tokens, unknown, english_acronyms: frozenset[str]) -> dict:
    """Surface → reading for each all-capitals word in no list that the story puts in
    parentheses after an English name it does not abbreviate."""
    out: dict[str, tuple] = {}
    for i in unknown:
        start, end = tokens.starts[i], tokens.ends[i]
        if text[end:end + 1] != ")" or text[start - 1:start] != "(":
            continue
        surface = text[start:end]
        if surface in out or not _undefined_acronym_shape(surface, english_acronyms):
            continue
        before = _EXPANSION_BEFORE.search(text, max(0, start - 160), start)
        if before is None:
            continue
        words = [w for part in _EXPANSION_WORD.findall(before.group(1)) for w in part.split("-") if w]
        if _abbreviates(surface, words):
            continue
        content = [w for w in words if w not in _FUNCTION_WORDS]
        named = next((k for k, w in enumerate(reversed(content)) if not w[0].isupper()), len(content))
        ru = _acronym_in_cyrillic(surface)
        # The initials of as many words before the parenthesis as the Russian acronym has letters
        # (fewer where the capitalised name is shorter): "Presidential Human Rights Council (SPCH)",
        # СПЧ → HRC, as the translators wrote it.
        english = "".join(w[0] for w in content[-(min(named, len(ru)) if named >= 2 else len(ru)):]).upper()
        out[surface] = (rl.RussianForm(ru, 0, "acronym", english), LETTER_BY_LETTER, english)
    return out


_DOMAIN_AFTER = re.compile(r"\.[a-z]{2,6}\b")
_MODEL_NUMBER = re.compile(r"[-\u2010\u2011 ]?\d")


def _kept_on_purpose(text: str, t: Token, surface: str, form: rl.RussianForm, how: str, english_form: str) -> bool:
    """Russian a translator keeps on purpose, in the places English copy keeps it: a web
    address ("nalog.ru", "zakon.kz"), a word cited in quotation marks ("the word 'davlet'"),
    the street or river word of a transliterated name in the spelling signs and news use
    ("36 Oruzheynyy pereulok", "ulitsa Selezneva"; not GOST's "Oruzhejnyj"), and an acronym
    with no English form that names a make or a model ("VAZ-2107") or a brand ("SMP Racing",
    "UMVD Russia")."""
    before = text[max(0, t.start - 1):t.start]
    after = text[t.end:t.end + 8]
    if before in ("." , "/", "@") or _DOMAIN_AFTER.match(after):
        return True
    if _hyphen_compound(text, t):
        return True
    if surface[:1].islower():
        if _in_quotes(text, t.start, t.end):
            return True
        return _beside_capitalised(text, t)
    if form.kind == "acronym" and not english_form and not surface[-1].islower():  # (a case form is Russian)
        return bool(_MODEL_NUMBER.match(after)) or _beside_capitalised(text, t)
    if _quoted_russian_title(text, t):
        return True
    return how in _ADDRESS_SCHEMES and _beside_address_word(text, t)


def _quoted_russian_title(text: str, t: Token) -> bool:
    """A capitalised word opening a quoted Russian phrase, the next word a lower-case Russian
    word of the vocabulary: the title of a programme or a paper, kept as it is called ("“Aktual'naya
    kamera” reported")."""
    nxt = _WORD.match(text, t.end + 1) if text[t.end:t.end + 1] == " " else None
    if nxt is None or not nxt.group()[:1].islower() or not _in_quotes(text, t.start, nxt.end()):
        return False
    lexicon = rl.load()
    key = normalize_latin(nxt.group())
    return key not in lexicon.english and any(lexicon.lookup(k) is not None for k in translit.skeletons_latin(key))


# A name part whose only Russian sign is its letters (a j-glide, h or c, the letter model), not
# a Russian ending: the letters are also the own spelling of other Latin alphabets (Estonian
# "Harju", Czech "Vojtech", Spanish "Carvajal"), told apart by the rest of the name.
_RUSSIAN_ONLY_SIGNS = re.compile(r"['’`]|shh")  # the soft sign's apostrophe, GOST's e` and shh


def _letters_only(surface: str, form: rl.RussianForm) -> bool:
    """Whether a reading rests on the word's letters alone (``_russian_ending``'s letter
    evidence), not on a vocabulary, a Russian ending or GOST's own signs."""
    if form.kind != "name" or form.count or _RUSSIAN_ONLY_SIGNS.search(surface):
        return False
    key = normalize_latin(surface)
    return not (_NOMINATIVE_ENDING.search(key) or _OBLIQUE_ENDING.search(key) or _SURNAME_CASE.search(key)
                or _OBLIQUE_LETTERS.search(key) or _NOMINATIVE_LETTERS.search(key))


_NAME_PART_AFTER = re.compile(r"[ \u00a0-]([A-Z][a-z]+)(?![\w'’-])")


def _beside_foreign_name(text: str, t: Token, form: rl.RussianForm, read) -> bool:
    """Whether the word after shows the name's own Latin spelling, not MT's reading of Russian:
    a place word no Russian region takes ("Harju County"), or a surname as English news writes
    it ("Artjom Suvorov": MT that knows the surname knows the first name, so a first name
    spelled otherwise is its bearer's own spelling, as Russians in Estonia, Latvia or Germany
    write theirs). A first name before a rendered surname is no such evidence ("Sergei Pojarkov":
    MT knows common first names, not rare surnames). A first name in a Russian case form is
    Russian grammar, nobody's own spelling ("a bust of Jurija Gagarin": Юрия)."""
    after = _NAME_PART_AFTER.match(text, t.end, t.end + 40)
    if after is None:
        return False
    word = after.group(1)
    key = normalize_latin(word)
    if key in rl.foreign_place_words():
        return True
    return key in rl.english_names() and read(word) is None and not _case_of_first_name(form.ru.lower())


# Case endings of a first name (Юрия, Юрию, Юрием: Юрий; Ивана, Ивану, Иваном: Иван)
_CASE_OF_NAME_IN_J = ("ия", "ию", "ием", "ея", "ею", "еем", "ая", "аю")
_CASE_OF_NAME = ("а", "у", "ом", "е")


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """The vocabulary's names that end as Russian men's first names do in the nominative (-й or a
    consonant): the stems a case form of a first name is built on."""
    return frozenset(r[0] for r in rl.load().rows if r[2] == "name" and not r[0].endswith(("а", "я", "о", "е", "и", "ы", "у", "ю")))


def _case_of_first_name(ru: str) -> bool:
    names = _first_names()
    for ending in _CASE_OF_NAME_IN_J:
        if ru.endswith(ending) and ru[:-len(ending)] + ending[0] + "й" in names:
            return True
    return any(ru.endswith(e) and len(ru) - len(e) >= MIN_PARTNER_LETTERS and ru[:-len(e)] in names
               for e in _CASE_OF_NAME)


# A person's name whose letters alone read as Russian, but which is nobody's Russian name
# ("Dani Carvajal", "Vojtech Polak"): the reading ends as no Russian word or name of the
# vocabulary does (Царваял, Войтеч: a rendering of a real Russian form ends as Russian ends),
# and the other part of the name reads as nothing Russian either (no English word, no
# rendering of a Russian word or name, no ending of a Russian surname). Each alone is weak
# (MT renders a foreign name from its Russian form: "Amelija Chasse"; the vocabulary misses
# rare endings: "Llojd"); together they are the bearer's own spelling, Spanish, Czech or other.
_NAME_PART_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][a-z]+)[ \u00a0]$")
# News spelling of Russian surnames and patronymics: a partner ending so may be a Russian name
# the vocabulary has not seen ("Shargunov").
_RUSSIAN_NAME_ENDING = re.compile(r"(?:ov|ev|in|yn|sky|ski|skiy|enko|uk|yuk|ich|vna|ova|eva|ina|yna|aya|ykh|ikh)$")
MIN_PARTNER_LETTERS = 3
RUSSIAN_ENDING_LETTERS = 3


@lru_cache(maxsize=1)
def _russian_endings() -> frozenset[str]:
    """The last ``RUSSIAN_ENDING_LETTERS`` letters of every Russian word and name of the vocabulary."""
    return frozenset(r[0][-RUSSIAN_ENDING_LETTERS:] for r in rl.load().rows if r[2] != "acronym")


def _foreign_person(text: str, t: Token, form: rl.RussianForm, read) -> bool:
    if form.ru.lower()[-RUSSIAN_ENDING_LETTERS:] in _russian_endings():
        return False
    after = _NAME_PART_AFTER.match(text, t.end, t.end + 40)
    if after is not None and _no_russian_reading(after.group(1), read):
        return True
    before = _NAME_PART_BEFORE.search(text, max(0, t.start - 40), t.start)
    return before is not None and _inside_sentence(text, before.start(1)) and _no_russian_reading(before.group(1), read)


def _no_russian_reading(word: str, read) -> bool:
    """Whether a name part reads as nothing Russian: not a rendering, not the news spelling of a
    Russian word or name of the vocabulary, not ending as Russian surnames do, not English."""
    key = normalize_latin(word)
    if (len(key) < MIN_PARTNER_LETTERS or not key.isalpha() or _RUSSIAN_NAME_ENDING.search(key)
            or read(word) is not None):
        return False
    lexicon = rl.load()
    if key in lexicon.english:
        return False  # an English word ("Street") or a name English news writes (Russian ones too)
    for skeleton in translit.skeletons_latin(key):
        found = lexicon.lookup(skeleton)
        if found is not None and (key in translit.news_keys(found.ru) or key in translit.variant_keys(found.ru)):
            return False  # a rendering of a Russian word or name
    return True


def _inside_sentence(text: str, start: int) -> bool:
    """Whether a word at ``start`` follows other words of its sentence (a sentence's first word
    is capitalised whatever it is)."""
    head = text[:start].rstrip()
    return bool(head) and head[-1] not in ".!?:\"“«"


_HYPHENS = "-\u2010\u2011"
# The renderings a kept address is written in (news spelling is not reported at all); GOST's
# and ISO's letters and MT's mixtures are nobody's spelling of a street.
_ADDRESS_SCHEMES = frozenset(("BGN/PCGN", "ICAO"))


def _hyphen_compound(text: str, t: Token) -> bool:
    """Joined by a hyphen to an English word or to a lower-case word: one compound ("roly-polies",
    "SMP-class"), not a Russian word on its own."""
    lexicon = rl.load()
    # A capitalised neighbour is another part of the same name ("Kirovo-Chepecke"), not English.
    if t.end < len(text) and text[t.end] in _HYPHENS:
        m = _WORD.match(text, t.end + 1)
        if m and (m.group()[:1].islower() or normalize_latin(m.group()) in lexicon.english
                  and not (m.group()[:1].isupper() and text[t.start:t.start + 1].isupper())):
            return True
    if t.start > 0 and text[t.start - 1] in _HYPHENS:
        m = re.search(_WORD.pattern + "$", text[max(0, t.start - 41):t.start - 1])
        if m and normalize_latin(m.group()) in lexicon.english and not (m.group()[:1].isupper()
                                                                        and text[t.start:t.start + 1].isupper()):
            return True
    return False


def _beside_address_word(text: str, t: Token) -> bool:
    """Next to the street word of a transliterated address ("36 Oruzheynyy pereulok"): the
    translator kept the address as the sign writes it."""
    words = rl.address_words()
    after = _WORD.match(text, t.end + 1) if text[t.end:t.end + 1] == " " else None
    before = re.search(_WORD.pattern + " $", text[max(0, t.start - 41):t.start])
    return bool(after and normalize_latin(after.group()) in words
                or before and normalize_latin(before.group().strip()) in words)


def _in_quotes(text: str, start: int, end: int) -> bool:
    """Whether a word stands inside a short quotation of its sentence ("'davlet' (to loom)")."""
    left, right = text[max(0, start - 40):start], text[end:end + 40]
    opened = max(left.rfind(q) for q in _OPEN_QUOTES)
    closes = [i for i in (right.find(q) for q in _CLOSE_QUOTES) if i >= 0]
    if opened < 0 or not closes:
        return False
    inside = left[opened + 1:] + right[:min(closes)].rstrip(".!?,")  # "Kak tebe takoe?"
    return not any(c in inside for c in ".!?;\n")


def _beside_capitalised(text: str, t: Token) -> bool:
    """A capitalised word right before or after (one space or hyphen between): the word is part
    of a name ("Stavropolskaya ulitsa", "SMP Racing"). A sentence's first word does not count."""
    after = re.match(r"[ \u00a0-]([A-Z][\w’'-]*)", text[t.end:t.end + 40])
    if after:
        return True
    before = re.search(r"([A-Z][\w’'-]*)[ \u00a0-]$", text[max(0, t.start - 40):t.start])
    if not before:
        return False
    head = text[:t.start - len(before.group(0))].rstrip()
    return bool(head) and head[-1] not in ".!?:\"“«"


_ENGLISH_ENDINGS = ("ed", "d", "ing", "es", "s", "ly", "er", "ers")
# (With the typographic apostrophes that copy writes for the soft sign: "Susal’nyy".)
_SCHEME_DIACRITICS = frozenset("čšžëèŝûâĭėʹʺćśźČŠŽËÈŜÛÂĬĖĆŚŹ’ʼ")


# Endings only an oblique case has (not a nominative: Ярослава, Толстой, Благовещенский are).
MIN_OBLIQUE_LETTERS = 6  # a stem of three letters at least before the ending ("Кими", "Трами" are names)
_OBLIQUE_ENDINGS = ("ого", "его", "ому", "ему", "ым", "ими", "ыми", "ую", "ами", "ями")


def _russian_letters(surface: str) -> bool:
    """Whether a word's letters can come from a romanisation of Russian: ASCII, or the
    diacritics of ISO 9 and the scholarly system (not Czech "Paclík", German "Jürgens")."""
    return surface.isascii() or all(c.isascii() or c in _SCHEME_DIACRITICS for c in surface)


# An acronym with a Russian case ending in lower case ("MXATa", "FSBom", "MKhATe": МХАТа, ФСБом):
# English does not decline acronyms, so the word is Russian grammar whatever the acronym is.
# (An English plural or possessive ends in s; of the capitalised words no vocabulary has in the
# training years' English side, the MLQE-PE post-edits and the WMT21 MT output, none has this shape.)
_INFLECTED_ACRONYM = re.compile(r"([A-Z](?:[A-Z]|[KZCS]h)*[A-Z])(a|u|om|e|y|ov|ami|akh)")
_CASE_ENDINGS = {"a": "а", "u": "у", "om": "ом", "e": "е", "y": "ы", "ov": "ов", "ami": "ами", "akh": "ах"}
# Latin letters (and digraphs) of a letter-by-letter acronym → the Cyrillic letter behind them.
_ACRONYM_LETTERS = (("KH", "Х"), ("ZH", "Ж"), ("CH", "Ч"), ("SH", "Ш"), ("YA", "Я"), ("YU", "Ю"), ("X", "Х"), ("H", "Х"),
                    ("C", "Ц"), ("J", "Й"), ("Y", "Ы"), ("Q", "К"), ("W", "В"))
_LATIN_CAPITALS = str.maketrans(dict(zip("ABDEFGIKLMNOPRSTUVZ", "АБДЕФГИКЛМНОПРСТУВЗ")))


def _inflected_acronym(lexicon: rl.Lexicon, stem: str, ending: str, english_acronyms: frozenset[str]):
    """(Russian form, rendering, English form) for an acronym in a Russian case form; the English
    form is the acronym itself where English writes it so ("FSBom" → FSB)."""
    letters = stem.upper()
    if len(letters) - sum(letters.count(d) for d, _ in _ACRONYM_LETTERS[:4]) < MIN_ACRONYM_LETTERS:
        return None
    known = lexicon.acronyms.get(letters)
    if known is not None:
        ru, english = known.ru, known.en
    else:
        for latin, cyrillic in _ACRONYM_LETTERS:
            letters = letters.replace(latin, cyrillic)
        ru, english = letters.translate(_LATIN_CAPITALS), stem if stem in english_acronyms else ""
    return rl.RussianForm(ru + _CASE_ENDINGS[ending], 0, "acronym", english), LETTER_BY_LETTER, english


# Russian case endings as a rendering spells them: a Russian word that is an English one with
# one of these (порта, "porta") is the English word's case form, which MT would have translated.
_LATIN_CASE_ENDINGS = ("a", "u", "om", "e", "y", "i", "ov", "ami", "akh", "ah")


def _y_for_i(key: str) -> str:
    return key.replace("y", "i")


def _read_as_russian(lexicon: rl.Lexicon, surface: str, key: str, english_acronyms: frozenset[str],
                     own_latin=lambda: False):
    """(Russian form, rendering, English form) for a Latin word that reads as Russian, or None."""
    if _is_all_caps(surface) and "'" not in surface and "’" not in surface:
        if len(surface) < MIN_ACRONYM_LETTERS or len(surface) > 6 or surface in english_acronyms:
            return None
        legal = rl.legal_forms().get(surface)
        if legal is not None:  # before a company's name: not part of a brand ("PAO Sberbank")
            return legal, LETTER_BY_LETTER, legal.en
        form = lexicon.acronyms.get(surface)
        if form is None:
            return _unknown_acronym(surface)
        return form, "letter by letter", form.en if form.en and form.en.upper() != surface else ""
    if (inflected := _INFLECTED_ACRONYM.fullmatch(surface)) is not None:
        return _inflected_acronym(lexicon, *inflected.groups(), english_acronyms)
    if len(key) < MIN_CLIPPED_LETTERS or not _russian_letters(surface):
        return None
    form = None
    if any(key.endswith(e) and key[: -len(e)] in lexicon.english for e in _ENGLISH_ENDINGS):
        return None  # an English word with an ending ("peered")
    for candidate in (key, key[:-1] if key.endswith("s") and len(key) > MIN_WORD_LETTERS else ""):
        if not candidate:
            continue
        for skeleton in translit.skeletons_latin(candidate):
            form = lexicon.lookup(skeleton)
            if form is not None:
                break
        if form is not None:
            break
    if form is None:
        return _russian_ending(surface, key, lexicon, own_latin)
    if form.kind == "acronym":
        return None
    if form.kind == "word" and surface[:1].isupper() and len(key) >= MIN_WORD_LETTERS:
        # A capitalised Russian word in English copy is mostly the proper name of a village,
        # a firm or an outlet ("Zolotaya Balka", "Strana.ua"): in news spelling it is how
        # English writes the name; in another rendering ("Sibirskij") it is not.
        news = translit.news_keys(form.ru)
        if (key in lexicon.english or key in news or _y_for_i(key) in {_y_for_i(n) for n in news}
                or _y_for_i(key.replace("c", "ts")) in {_y_for_i(n) for n in news}
                or key not in translit.variant_keys(form.ru)):
            # c for ц is Czech, Polish, Croatian and Romanian spelling too ("Ulici"); English
            # news writes ы and its -ые as y or i ("Novye", "Noviye").
            # Not this word's rendering (the skeleton met another word: "Udalyy"/удали).
            return None if key in lexicon.english else _russian_ending(surface, key, lexicon, own_latin)
        return (rl.RussianForm(form.ru, form.count, "name", form.en), translit.scheme_of(surface, form.ru),
                translit.news_spelling(form.ru))
    if form.kind == "word" and (len(key) < MIN_WORD_LETTERS or surface[:1].isupper()):
        return None  # lower case and short: too often something else
    how = translit.scheme_of(surface, form.ru)
    if form.kind == "clipped":
        return form, how, form.en if normalize_latin(form.en) != key else None
    if form.kind == "word":
        if any(key.endswith(e) and len(key) - len(e) >= MIN_CLIPPED_LETTERS and key[:-len(e)] in lexicon.english
               for e in _LATIN_CASE_ENDINGS):
            return None  # an English word in a Russian case form ("porta": порта, "port"): MT knows the word
        return form, how, ""
    # A name: transliterating it is how English writes it, unless the rendering is not one
    # English news uses (GOST's j and x, ISO's diacritics) or English has its own form (Moscow).
    news = translit.news_keys(form.ru)
    gloss = normalize_latin(form.en) if form.en else ""
    # An exonym sounds like the name (Moscow/Москва): the first letters agree, which keeps
    # out what a translator wrote beside the name instead of it.
    exonym = (gloss and gloss != key and gloss not in news and key not in news and gloss in lexicon.english
              and form.count >= MIN_NAME_COUNT_FOR_EXONYM and form.en[:1].isalpha()
              and " " not in form.en and gloss[:3] == key[:3] and form.ru == form.ru.lower()
              and not _similar_keys(gloss, key))
    if exonym:
        return form, how, form.en[:1].upper() + form.en[1:]
    # Otherwise a rendering news accepts is how English writes the name; another one (GOST's j
    # and x, ISO's c, BGN's -yy, MT's letter-by-letter mixtures: "Naval'nyj", "Navalnyy") is not,
    # when it is one of the name's renderings (not merely its skeleton), English news has not
    # written it, and it is not the Ukrainian-style y for и ("Iryna", "Tymoshenko").
    # A case form in news spelling ("Navalnogo") is Russian too where the translators wrote
    # the name otherwise for it ("Navalny": not a rendering of this form, but like it).
    # A name in an oblique case ("Navalnogo", "Kokorinym") is Russian however it is spelled.
    inflected = (len(form.ru) >= MIN_OBLIQUE_LETTERS and form.ru.endswith(_OBLIQUE_ENDINGS)
                 and key in translit.variant_keys(form.ru))
    if not surface[:1].isupper() or key in lexicon.english:
        return None
    if not inflected and (key in news or key.replace("y", "i") in news):
        return None
    if not inflected and key not in translit.variant_keys(form.ru):
        # Only the skeleton met this name ("Natalija": наталия, whose renderings spell -iya):
        # the letters may still give it away.
        return _russian_ending(surface, key, lexicon, own_latin)
    if form.en and gloss != key and gloss[:3] == key[:3] and (gloss in news or _similar_keys(gloss, key)):
        english_form = form.en[:1].upper() + form.en[1:]  # the translators' form of this name
    else:
        english_form = "" if inflected else translit.news_spelling(form.ru)
    return form, how, english_form if normalize_latin(english_form) != key else ""


# An acronym no vocabulary lists can still be Russian by its letters:
# - an English acronym as Russian writes it, read back letter by letter: Russian spells the
#   Latin letters it lacks with its own (W as В, Q as К, X as КС), so WADA is ВАДА, "VADA" (an
#   English acronym professional translators wrote at least twice, ``Lexicon.kept_acronyms``,
#   and not an English word in capitals; the word itself in no English list). Not C: its К and
#   С are also English acronyms' own letters (CIA and KIA, CBS and KBS);
# - GOST's cz for ц, which no English acronym has but a country code ("CZSN" ← ЦСН; not CZK, CZE).
# - GOST's x for х ("NXL" ← НХЛ, "XASSP" ← ХАССП, "MXAT" ← МХАТ): English acronyms seldom have X,
#   and those they have are in the English lists (of the all-capitals words with X of newstest's
#   English side, the WMT21 references and MT output and the MLQE-PE post-edits and MT output,
#   every one is: MICEX, NXP, FLEX, CODEX, FXX, or a Roman numeral); Russian's many acronyms with
#   Х have no other GOST letter for it. Not where English acronyms put their X (exchange, express,
#   cross, extreme): last, doubled, or first before a consonant ("TSX", "FXX", "XFL"); not a Roman
#   numeral ("XIV"), nor with a letter GOST's capitals do not write (W, Q, a C outside CZ and CH,
#   an H outside ZH, CH and SH).
_RUSSIAN_READING_OF_LATIN = (("W", ("V",)), ("Q", ("K",)), ("X", ("KS",)))
_GOST_TS = re.compile(r"CZ(?![EK])")
_ROMAN_NUMERAL = re.compile(r"M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_NOT_GOST_CAPITALS = re.compile(r"[WQ]|C(?![ZH])|(?<![ZCS])H")
_GOST_KH = re.compile(r"^X[AEIOUY]|(?<=[A-Z])X(?=[A-Z])")


@lru_cache(maxsize=1)
def _english_acronyms_read_back() -> dict[str, str]:
    """Letter-by-letter rendering of the Russian spelling of an English acronym → the acronym."""
    out: dict[str, str] = {}
    for acronym in sorted(rl.load().kept_acronyms):
        if not acronym.isalpha() or not any(latin in acronym for latin, _ in _RUSSIAN_READING_OF_LATIN):
            continue
        if normalize_latin(acronym) in rl.english_running_words():
            continue  # a shouted word ("WHAT", "NEWS"), not an acronym
        images = {""}
        for letter in acronym:
            spelled = dict(_RUSSIAN_READING_OF_LATIN).get(letter, (letter,))
            images = {image + s for image in images for s in spelled}
        for image in images - {acronym}:
            out.setdefault(image, acronym)
    return out


def _acronym_in_cyrillic(letters: str) -> str:
    letters = letters.replace("CZ", "Ц")
    for latin, cyrillic in _ACRONYM_LETTERS:
        letters = letters.replace(latin, cyrillic)
    return letters.translate(_LATIN_CAPITALS)


def _unknown_acronym(surface: str):
    """(Russian form, rendering, English form) for an all-capitals word in no list that reads
    as a Russian acronym by its letters (see above), or None."""
    english = _english_acronyms_read_back().get(surface)
    if english is not None:
        ru = _acronym_in_cyrillic(surface.replace("KS", "X"))
        return rl.RussianForm(ru, 0, "acronym", english), LETTER_BY_LETTER, english
    if _GOST_TS.search(surface):
        return rl.RussianForm(_acronym_in_cyrillic(surface), 0, "acronym"), "GOST 7.79-B", ""
    if (_GOST_KH.search(surface) and "XX" not in surface and not _ROMAN_NUMERAL.fullmatch(surface)
            and not _NOT_GOST_CAPITALS.search(surface)):
        return rl.RussianForm(_acronym_in_cyrillic(surface), 0, "acronym"), "GOST 7.79-B", ""
    return None


# Endings only a transliteration of Russian has (English news writes -sky, -ov, and names do
# not decline in English): adjectives in GOST/BGN/letter-by-letter spelling ("Taganskij",
# "Udalyy", "Sibirskii"), oblique cases of adjectives ("Semipalatinskogo") and of surnames
# ("Kravtsovym", "Kokorinym"). A Ukrainian -iy ("Serhiy", "Zelenskiy") is English news's own.
_NOMINATIVE_ENDING = re.compile(r"[bcdfghklmnprstvzx](?:ij|yj|yy)$|sk(?:ii|yi)$|(?:sk|ck|ov|ev|in)aja$")
# (A patronymic or surname in -ovich/-evich declined, "Jakovlevicha": English declines neither,
# and of the words no vocabulary has in newstest's English side, the WMT21 references and the
# MLQE-PE post-edits, none ends so.)
_OBLIQUE_ENDING = re.compile(r"[bcdfghklmnprstvzx](?:ogo|omu|emu)$|[bcdfghklmnprstvz]ego$|[oe]vich(?:a|u|em|om)$")
_SURNAME_CASE = re.compile(r"(?:ov|ev|yov|in|yn)(ym|im|oj)$")
# Endings in the letters of a non-news rendering, which no English spelling has: of the
# capitalised words no vocabulary has in the English side of newstest 2012-2020, the WMT21
# references and the MLQE-PE post-edits (1,882), none meets one; they were chosen on the
# renderings of the training years' names that E106 missed with each name taken out of its
# vocabulary (a check set of 251 sentences from newstest 2016-2018). The dative of a surname in
# -ov/-ev and of a name in -ий/-ия ("Gucerievu", "Dmitriju"), GOST's x for х before an
# instrumental ending ("Allaxom"); c for ц in -ценко/-цко ("Docenko", "Procko") and a j-glide
# in the Armenian -ян ("Tosunjan").
_OBLIQUE_LETTERS = re.compile(r"[a-z](?:ov|ev)u$|iju$|[aeiouy]x(?:om|oj|ym)$")
_NOMINATIVE_LETTERS = re.compile(r"cenko$|[aeiou]cko$|[bcdfghklmnprstvz]jan$")
# Letters of GOST/ISO (and MT's mixtures) that English spellings of Russian never use: y' and
# shh; й as j beside a vowel before a consonant ("Pejkina", "Najshtat"); a j-glide after a
# consonant ("Matjunin", "Kozhemjako"; not dj/lj/nj/gj, which South Slavic languages write, nor
# zj/sj/cj, Polish's "-zja"); х as x after a consonant, or at the start before a
# vowel or a consonant but h ("Balxash", "Xabarovsk", "Xrunov"; not pinyin's nx, nor English's
# ex-, nor Albanian's xh), and between vowels in a word
# with a Russian ending ("Eroxin"; not "Alexandar", "Laxalt").
_GOST_MARKS = re.compile(r"y'|shh|e`|[aeiou]j[bcdfghklmnprstvwxz]|[bfkmprtvx]j[aou]|[bcdfhklmprstvz]x|^x[aeo]|"
                         r"^x[bcdfgklmnprstvz]|"
                         r"[aeiouy]x(?=[aeiouy]).*(?:ov|ev|in|yn|ova|eva|ina|sk|ska|sky)$")
# A j-glide (я, ю, ё as ja, ju, jo) or c for ц in a word with a Russian surname or place ending
# ("Biljaletdinova", "Jakina", "Solncevo"): South Slavic and Czech names have the letters but end
# otherwise (-ic, -ovic, -ek); Polish ones write w ("Jakubowska").
_GLIDE_WITH_ENDING = re.compile(r"(?:[bcdfgklmnprstvz]j[aou]|^j[aou]).*(?:ov|ev|in|yn|ova|eva|ina|sk|ska|sky|enko|vich)$")
_C_FOR_TS = re.compile(r"[aeiouylnr]c(?:ov|ev|ova|eva|evo|ovo|yn|ina)$")
# GOST's cz for ц is also Polish's cz for ч: it counts beside a letter Polish does not write.
_GOST_CZ = re.compile(r"cz.*(?:v|x|zh|kh)|(?:v|x|zh|kh).*cz")
# The letter-by-letter mixture's endings and clusters English news spelling does not have: of the
# capitalised words of the training years' English side that no list has (seen once), only two
# meet one (c before a consonant: "Necn", and Polish "Lenkiewicz", whose w rules it out); of the
# renderings of the Russian names of those years, 0.3-11% meet each. -ец as -ec, ц as c before a
# consonant ("Cvetina"), -ия as -ija ("Natalija": South Slavic spelling too, hence ``own_latin``),
# -ой as -oj ("Nicoj"), and GOST's c for ц after a stop before e, i, y ("Gridcin": дц; of
# the capitalised words no vocabulary has in the training years' English side, the MLQE-PE
# post-edits and the WMT21 MT output, none has it but for t, "Hydrometcenter").
_LETTER_BY_LETTER = re.compile(r"[bcdfghklmnprstvz]ec$|(?<!^m)c[bdfgmnpv]|[bcdfgklmnprstvz]ij[aeu]$"
                               r"|[bcdfghklmnprstvxz]oj$|[bdgkpv]c[eiy]")
# Two schemes in one word: an English-style digraph (zh, kh, sh, ch, ts) beside the Central
# European c for ц before e, i or y ("Shevcenko"), or before k beside a digraph English does not
# write ("Luzhecke": English has "Chick", German "Schicke"). No alphabet mixes them: Czech, Slovak
# and Croatian write ž, š, č where English writes the digraphs. Of the capitalised words no
# vocabulary has in the training years' English side, the MLQE-PE post-edits and the WMT21 MT
# output (45,000 lines), one has it (Czech "Cech", too short to be read here).
_MIXED_SCHEMES = re.compile(r"^(?!.*sch)(?:(?=.*(?:zh|kh|sh|ch|ts)).*(?<![sz])c[eiy]|(?=.*(?:zh|kh|ts)).*(?<![sz])ck)")
# GOST's and BGN's apostrophe for ь between consonants ("Ul'yanovsk"), not a possessive's 's.
_SOFT_SIGN = re.compile(r"[bcdfghklmnprstvxz]['’][bcdfghjklmnprstvxyz][a-z]")
MIN_ENDING_LETTERS = 6
_CAMEL_CASE = re.compile(r"[a-z][A-Z]")


# The letters of a rendering that English news spelling of Russian never uses (j, x, c and cz
# for ц, h for х), in a word whose letters as a whole read as such a rendering, not as English
# news spelling (``rl.rendering_score``, a letter model learnt from the training years by
# scripts/build_rendering_model.py): "Pojarkov", "Dzjuba", "Kvjat". Polish (w, ``_POLISH``) and the
# diacritics of Serbian, Croatian and Czech ("Nebojša") are left out, and so is a story set
# where such an alphabet is the local one (the cue group ``own-latin``: "Kosovo and Metohija").
_RENDERING_MARK = re.compile(r"j|x|c(?![hk])|(?<![kszcg])h")
# Polish spelling: its cz comes with sz, rz, czy or an ending in -ski/-cki ("Kaczynski", "Czarnecki").
_POLISH = re.compile(r"sz|rz|czy|[sc]ki$|[sc]ka$")
# Log-odds x 100. On the capitalised words of the training years' English side that no list
# has (seen once), 1 in 470 passes 600 (and 4 pass 400); on the training years' renderings of
# Russian names, 64% do.
RENDERING_SCORE = 600
MIN_RENDERING_LETTERS = 5
# GOST's x for х between vowels and its j for й before a consonant ("Proxor", "Bajda"; not Dutch
# ij): of the capitalised words no vocabulary has in the training years' English side, the
# MLQE-PE post-edits and the WMT21 MT output (45,000 lines), three have the x (Basque "Laxalt",
# once in a Russian case form, and a German street; none scores 400) and two the j with such a
# score (Sanskrit "Vajrapani", and MT's "Gajdis" for Гайдис), so the letters need less support
# from the letter model. A j-glide after a consonant ("Brjus") is GOST's too: of those words,
# one five-letter word has it (Estonian "Harju", which the letter model passes anyway).
_STRONG_MARK = re.compile(r"[aeiouy]x[aeiouy]|[aeou]j[bcdfghklmnprstvxz]|[bfkmprtvx]j[aou]")
MARKED_RENDERING_SCORE = 400


# A glide written both ways in one word: j for я/ю/ё and a bare vowel after i (ия as "ia"),
# which no scheme does (the scheme that writes "ja" writes "-ija": "Natalija"): "Kajaria" is
# some other language's spelling.
_TWO_GLIDES = re.compile(r"(?=.*j[aeou])(?=.*i[aou])")


def _rendering_letters(surface: str, low: str, key: str, own_latin) -> bool:
    if not (len(key) >= MIN_RENDERING_LETTERS and surface.isascii() and "w" not in low
            and _RENDERING_MARK.search(low) is not None and not _POLISH.search(low)
            and not _TWO_GLIDES.match(low)):
        return False
    needed = MARKED_RENDERING_SCORE if _STRONG_MARK.search(low) else RENDERING_SCORE
    return rl.rendering_score(key) >= needed and not own_latin()


@lru_cache(maxsize=1)
def _own_latin_words() -> tuple[str, ...]:
    group = gz.load_cue_groups().get("own-latin")
    return group.words if group else ()


MIN_COMPOUND_PART = 4
_X_BETWEEN_VOWELS = re.compile(r"(?<=[aeiouyAEIOUY])x(?=[aeiouy])")
_X_BEFORE_CONSONANT = re.compile(r"^X(?=[bcdfgklmnprstvz])")
# GOST's x for х after a consonant or the soft sign's apostrophe, in a word of any length
# ("Txani", "Povx", "Ol'xon"): English spelling has x after a vowel (or after n, y and x:
# "Lynx", "Styx", "Baxxter"; pinyin's "Sanxia"); of the capitalised words no vocabulary has in
# the training years' English side, the WMT21 references and the MLQE-PE post-edits, none has it.
_GOST_X_AFTER_CONSONANT = re.compile(r"[bcdfhklmprstvz]['’]?x|['’]x")
_X_AFTER_CONSONANT = re.compile(r"(?<=[bcdfhklmprstvzBCDFHKLMPRSTVZ'’])x")


def _english_compound(key: str, english: frozenset[str]) -> bool:
    """Whether a word is two English words run together ("Cyberchallenge", "Hydrometcenter"):
    English coins such compounds, and their letters meet as no single word's do."""
    return any(key[:i] in english and key[i:] in english
               for i in range(MIN_COMPOUND_PART, len(key) - MIN_COMPOUND_PART + 1))


# The English twin: a capitalised word in no vocabulary whose letters a rendering of Russian
# writes where English news writes others (j, x, c, h: ``_TWIN_MARK``), read back to Cyrillic,
# has a news spelling that English news writes as a name ("Jakov" → Яков → Yakov, "Maxela" →
# Махела → Mahela), maybe in another case ("Jaroslava" → Ярослав-а → Yaroslav, "Chuhraja" →
# Чухра-я → Чухрай → Chukhrai): the word is that name the Russian way, and English's spelling is
# known. Of the capitalised words no vocabulary has in newstest's English side (2012-2020), the
# WMT21 references and the MLQE-PE post-edits, one has a twin ("Artjom", beside a surname as
# English writes it: the bearer's own spelling, ``_beside_foreign_name``).
_TWIN_MARK = re.compile(r"j|x|c(?![hkz])|(?<![kszcgt])h")
_TWIN_CASE_ENDINGS = ("", "а", "у", "е", "ом", "ой", "ы", "и", "ым", "ю", "я", "ем", "ей")
MIN_TWIN_STEM = 4  # Cyrillic letters left once the case ending is off
_TWIN_NOMINATIVES = ("", "а", "я", "й", "ь")  # what the stem's nominative ends with (Ярослав, Юганта, Чухрай)
_X_AT_END = re.compile(r"(?<=[aeiouy])x$")


def _gost_x_as_kh(surface: str) -> str:
    """GOST's x for х spelled kh, for reading the word back to Cyrillic ("Maxela" → "Makhela")."""
    return _X_AT_END.sub("kh", _X_BEFORE_CONSONANT.sub("Kh", _X_BETWEEN_VOWELS.sub(
        "kh", _X_AFTER_CONSONANT.sub("kh", surface))))


def _english_twin(guess: str, key: str) -> str | None:
    """The English news form of a word whose English twin is known (see above); ``guess``: the
    word read back to Cyrillic."""
    low_guess = guess.lower()
    names = rl.english_names()
    for ending in _TWIN_CASE_ENDINGS:
        if ending and not low_guess.endswith(ending):
            continue
        stem = low_guess[:len(low_guess) - len(ending)]
        if len(stem) < MIN_TWIN_STEM:
            continue
        for nominative in _TWIN_NOMINATIVES if ending else ("",):
            twin = next((k for k in sorted(translit.news_keys(stem + nominative)) if k in names and k != key), None)
            if twin is not None:
                return twin[:1].upper() + twin[1:]
    return None


def _short_glide(low: str, own_latin) -> bool:
    """A five-letter word with a j-glide or c for ц before a Russian surname ending ("Jakov",
    "Licov"; ``_GLIDE_WITH_ENDING``, ``_C_FOR_TS``): none of the capitalised five-letter words no
    vocabulary has in newstest's English side, the WMT21 references and the MLQE-PE post-edits
    has them (Croatian and Czech spell some names so: where the story is set there, the
    cue group ``own-latin`` says so)."""
    return "w" not in low and (_GLIDE_WITH_ENDING.search(low) is not None or _C_FOR_TS.search(low) is not None) \
        and not own_latin()


# A case form of a name the vocabulary has in another case: the word read back to Cyrillic
# ("Jaroslava" → Ярослава) is in no vocabulary, but its stem with another case ending is a name
# there (Ярослав). Endings of nouns and surnames; the stem keeps ``MIN_TWIN_STEM`` letters.
_CASE_FORM_ENDINGS = ("", "а", "я", "у", "ю", "ом", "ем", "ой", "ей", "е", "ы", "и", "ым", "им", "ых", "их", "ов", "ев",
                      "ую", "й", "ь")


@lru_cache(maxsize=1)
def _name_forms() -> frozenset[str]:
    return frozenset(r[0] for r in rl.load().rows if r[2] == "name")


def _case_sibling(low_guess: str) -> bool:
    lexicon = rl.load()
    keys, rows, names = lexicon.keys, lexicon.rows, _name_forms()
    for ending in _CASE_FORM_ENDINGS:
        if not low_guess.endswith(ending) or len(low_guess) - len(ending) < MIN_TWIN_STEM:
            continue
        stem = low_guess[:len(low_guess) - len(ending)]
        for other in _CASE_FORM_ENDINGS:
            form = stem + other
            if form == low_guess or form not in names:
                continue  # (then through the keys, as the vocabulary stands now)
            i = keys.get(translit.skeleton_cyrillic(form))
            if i is not None and rows[i][0] == form and rows[i][2] == "name":
                return True
    return False


def _twin_reading(surface: str, key: str, low: str, own_latin):
    """(Russian form, rendering, English form) for a word with a rendering's letters whose name
    is known in English (its English twin) or in Russian in another case; None otherwise. Not
    an initial "Je", which no rendering of Russian writes for Е (GOST's is Йе) but the Latin
    alphabets of Serbia, Croatia and Latvia do ("Jelena", "Jekaterina"), nor in a story set where
    such an alphabet is the local one (``own-latin``: Croatian "Jakov")."""
    if "w" in low or low.startswith("je") or not _TWIN_MARK.search(low) or own_latin():
        return None
    guess = translit.cyrillic_guess(_gost_x_as_kh(surface))
    english = _english_twin(guess, key)
    if english is None:
        if key in translit.news_keys(guess) or not _case_sibling(guess.lower()):
            return None
        english = translit.news_spelling(guess)
    return rl.RussianForm(guess, 0, "name"), translit.scheme_of(surface, guess), english


def _russian_ending(surface: str, key: str, lexicon: rl.Lexicon, own_latin=lambda: False):
    """(Russian form, rendering, English form) for a capitalised word in no vocabulary whose
    ending (or GOST's y' and shh, or its letters as a whole) only a rendering of Russian has;
    None otherwise. ``own_latin()``: whether the story is set where the local Latin alphabet
    writes j, c and h as these renderings do (then the letters alone are no evidence)."""
    low = surface.lower()
    x_after_consonant = len(key) >= MIN_CLIPPED_LETTERS and _GOST_X_AFTER_CONSONANT.search(low) is not None
    # GOST's own letters count in a short word too ("Muxin", "Ajrat", "Ejmo"): of the capitalised
    # words of four or five letters no vocabulary has in newstest's English side, the WMT21
    # references and the MLQE-PE post-edits, one has them (Estonian "Harju", which the letter
    # model reads as a rendering anyway). Not an initial x: short names have it ("Xena", "Xabi").
    gost_letters = (len(key) >= MIN_CLIPPED_LETTERS and low[:1] != "x" and _GOST_MARKS.search(low) is not None)
    if (not surface[:1].isupper() or len(key) < MIN_RENDERING_LETTERS and not (x_after_consonant or gost_letters)
            or key in lexicon.english
            or _is_all_caps(surface) or not key.isalpha() or _CAMEL_CASE.search(surface)):
        return None  # camel case is a hashtag or a brand ("ByronMacDonald"), not a rendering
    if _english_compound(key, lexicon.english):
        return None
    # GOST's x is х ("Eroxin": Ерохин, not Ероксин; "Xrunov": Хрунов; "Povx": Повх)
    spelled = _X_BEFORE_CONSONANT.sub("Kh", _X_BETWEEN_VOWELS.sub("kh", _X_AFTER_CONSONANT.sub("kh", surface)))
    english = ""
    if len(key) < MIN_ENDING_LETTERS:
        if not (x_after_consonant or gost_letters or _short_glide(low, own_latin)
                or _rendering_letters(surface, low, key, own_latin)):
            return _twin_reading(surface, key, low, own_latin)
        guess = translit.cyrillic_guess(spelled)
        english = translit.news_spelling(guess)
    elif _NOMINATIVE_ENDING.search(key):
        guess = translit.cyrillic_guess(spelled)
        english = translit.news_spelling(guess)
    elif _OBLIQUE_ENDING.search(key) or _OBLIQUE_LETTERS.search(key):
        guess = translit.cyrillic_guess(spelled)
    elif "w" not in low and _NOMINATIVE_LETTERS.search(key):
        guess = translit.cyrillic_guess(spelled)
        english = translit.news_spelling(guess)
    elif (hit := _SURNAME_CASE.search(key)) is not None:
        guess = translit.cyrillic_guess(spelled)
        # The nominative in news spelling: "Kravtsovym" → "Kravtsov", "Kokljaevim" → "Koklyayev",
        # "Ivanovoj" (Ивановой, a woman's) → "Ivanova"; each ending is two Cyrillic letters too.
        english = translit.news_spelling(guess[:-2] + ("а" if hit.group(1) == "oj" else ""))
    elif (_GOST_MARKS.search(low) or _GOST_CZ.search(low)
          or "w" not in low and (_GLIDE_WITH_ENDING.search(low) or _C_FOR_TS.search(low))
          or _SOFT_SIGN.search(low)
          # The new, weaker letter evidence gives way where the story is set in a country whose
          # own Latin alphabet writes it ("Kosovo and Metohija").
          or "w" not in low and (_LETTER_BY_LETTER.search(low) or "cz" in low and not _POLISH.search(low)
                                 or _MIXED_SCHEMES.search(low))
          and not own_latin()
          or _rendering_letters(surface, low, key, own_latin)):
        guess = translit.cyrillic_guess(spelled)
        english = translit.news_spelling(guess)
    else:
        return _twin_reading(surface, key, low, own_latin)
    if english.lower() == surface.lower():  # not the key: "Bol'sherechensk" → "Bolsherechensk" is a fix
        english = ""
    return rl.RussianForm(guess, 0, "name"), translit.scheme_of(surface, guess), english


# -- E107: Arabic names through Russian -----------------------------------------------------

# "El-"/"FL-"/"Эль-" (MT's readings of Russian Эль-) before a capitalised name; "Abd-el"/"Abd el-".
# Starts with its letters (not the look-behind, tested after): the regex engine then skips in C
# to the next E, F or Э, instead of trying every position of a big story.
_RUSSIAN_ARTICLE = re.compile(r"(El|EL|FL|Эль|эль|Ель)[-\u2010\u2011 ]([A-Z][a-z]{2,}|[A-Z]{3,})(?![\w-])")
# What every _RUSSIAN_ARTICLE match starts with: the regex engine tests the alternation at each
# E, F, Э and э of the story; ``finditer_from`` skips to these by ``str.find`` (twice as fast).
_RUSSIAN_ARTICLE_STARTS = ("El", "EL", "FL", "Эль", "эль", "Ель")
_ABD_EL = re.compile(r"(?<![\w-])(Abd|Abdel|Абд)[-\u2010\u2011 ]?(el|El|эль|аль)[-\u2010\u2011 ](?=[A-Z])")
# What every _ABD_EL match starts with: its look-behind gives the regex engine no prefix to
# skip to, so ``finditer_from`` tries it only where one of these stands.
_ABD_EL_STARTS = ("Abd", "Абд")
_IJA = re.compile(r"ija$")


_LATIN_TO_CYRILLIC = str.maketrans({
    "a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и", "j": "й",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р", "s": "с", "t": "т",
    "u": "у", "v": "в", "w": "в", "x": "кс", "y": "ы", "z": "з",
})


def _cyrillic_guess(name: str) -> str:
    """The Russian spelling a Latin name behind Эль- most likely had ("Tabiya" → "Табия"):
    shown in the explanation, so the letters' origin is visible."""
    low = name.lower().replace("iya", "ия").replace("ija", "ия").replace("ya", "я").replace("sh", "ш").replace("kh", "х")
    out = low.translate(_LATIN_TO_CYRILLIC)
    return out[:1].upper() + out[1:]


def _arabic_context(doc: Document, gaz: gz.Gazetteer) -> bool:
    group = gaz.cue_groups.get("syria")
    words = group.words if group else ("Syria", "Syrian", "Iraq")
    return _contains_cached(doc, ("document",), doc.text, tuple(words))


def _arabic_findings(doc: Document, gaz: gz.Gazetteer, mentions: list[Mention]) -> Iterator[Finding]:
    text = doc.text
    if "l" not in text and "ль" not in text or not _arabic_context(doc, gaz):
        return
    taken: list[tuple[int, int]] | None = None  # (made at the first article: most stories have none)
    taken_starts: list[int] = []
    for hit in finditer_from(_RUSSIAN_ARTICLE, text, _RUSSIAN_ARTICLE_STARTS):
        before = text[hit.start() - 1:hit.start()]
        if before and (before.isalnum() or before in "_-"):
            continue  # (?<![\w-]) before the article
        if taken is None:
            taken = sorted((m.start, m.end) for m in mentions if m.kind == "canonical")
            taken_starts = [a for a, _ in taken]
        if _overlaps(taken, taken_starts, hit.start(), hit.end()):
            continue
        name = hit.group(2)
        fixed = _IJA.sub("iya", name.capitalize() if name.isupper() else name)
        suggestion = f"al-{fixed}"
        yield ARABIC_ARTICLE.finding(
            doc, hit.start(), hit.end(),
            explain(hit.group(), f"Эль-{_cyrillic_guess(name)}", "Arabic name through Russian",
                    "the article Эль- spelled letter by letter", suggestion),
            suggestion=suggestion, safe=False,
            data={"ru": f"Эль-{_cyrillic_guess(name)}", "rendering": LETTER_BY_LETTER, "english": suggestion},
        )
    for hit in finditer_from(_ABD_EL, text, _ABD_EL_STARTS):
        yield ARABIC_ARTICLE.finding(
            doc, hit.start(), hit.end(),
            explain(hit.group().strip(), "Абд эль-", "Arabic name through Russian",
                    "the article эль- spelled letter by letter", "Abd al-"),
            suggestion="Abd al-", safe=False,
            data={"ru": "Абд эль-", "rendering": LETTER_BY_LETTER, "english": "Abd al-"},
        )


# -- E108: Russian acronyms professional translators keep ---------------------------------

KEPT_ACRONYM = Rule(
    code="E108",
    name="kept-russian-acronym",
    category=CATEGORY,
    severity=Severity.INFO,
    summary="Russian acronym spelled letter by letter as professional translators sometimes keep it (RF, MVD)",
    why="Some Russian acronyms reach professional English copy letter by letter (\"the RF Criminal Code\", "
    "\"the MVD\", \"RBK\"): readers of Russia coverage may know them, but house style usually prefers the "
    "English form. E101 leaves these to this rule: an acronym the English side of the training years "
    "(mtcheck/data/russian/english.tsv) shows at least twice.",
    example="the RF Criminal Code → the Russian Federation Criminal Code",
    fix="unsafe",
    # A style choice more than a mistake: opt-in, like the desks that want it.
    preview=True,
)
RULES = (*RULES, KEPT_ACRONYM)


def _kept_by_translators(findings: list[Finding]) -> list[Finding]:
    """E101 findings on an acronym professional translators write themselves, as E108."""
    if not any(f.code == TRANSLITERATED_ACRONYM.code for f in findings):
        return findings  # the Russian vocabulary is not loaded for nothing
    kept = rl.load().kept_acronyms
    out = []
    for f in findings:
        if f.code == TRANSLITERATED_ACRONYM.code and f.text in kept:
            english = f.data.get("english") or ""
            f = dataclasses.replace(
                f, code=KEPT_ACRONYM.code, severity=KEPT_ACRONYM.severity,
                message=f"{f.message} (professional translators also keep \"{f.text}\"; house style may prefer the English form)"
                if english else f.message,
                data={**f.data, "kept_by_translators": True})
        out.append(f)
    return out


# -- the family ---------------------------------------------------------------------------

def load_gazetteer(ctx: Context) -> gz.Gazetteer:
    """The gazetteer for this run (built-in + the config's files), loaded once per process.
    Raises ``ConfigError`` for a malformed user file."""
    gaz = ctx.extras.get("gazetteer")
    if gaz is None:
        gaz = gz.load(ctx.config.gazetteer)
        ctx.extras["gazetteer"] = gaz
    return gaz


def check(doc: Document, ctx: Context) -> Iterable[Finding]:
    findings: list[Finding] = []
    mentions: list[Mention] = []
    if any(ctx.on(code) for code in ("E101", "E102", "E103", "E104", "E106", "E107", "E108")):
        mentions = find_mentions(doc, load_gazetteer(ctx))
        # Order matters: E103/E104 leave alone what E101/E102 confirmed.
        findings.extend(_acronym_findings(doc, ctx, mentions))
        findings.extend(_name_findings(doc, ctx, mentions))
        findings.extend(_consistency_findings(doc, ctx, mentions))
        if ctx.on("E103"):
            findings.extend(_generic_findings(doc, mentions))
    if ctx.on("E105"):
        findings.extend(_lowercase_findings(doc, ctx))
    if ctx.on("E106"):
        findings.extend(_rendering_findings(doc, mentions))
    if ctx.on("E107"):
        findings.extend(_arabic_findings(doc, load_gazetteer(ctx), mentions))
    return [f for f in _kept_by_translators(findings) if ctx.on(f.code)]


FAMILY = Family(name="entity", prefix="E", rules=RULES, check=check)
