"""What a rewrite must keep: resolved names, numbers, dates and quoted material.

Before back-translation the protected spans of a sentence (names the entity rules resolved,
in their standard English form; quoted material, verbatim) are replaced by placeholders
(``XZ1``, ``XZ2``...), which the models copy through, and put back afterwards. Whatever the
route, a candidate is then checked: a placeholder or protected span that went missing, a
number or month that changed, a negation dropped or added, is a rejected candidate, never a
rewrite.

Everything here is plain string work (no models), shared by the rewrite annotator and the
fix-score features.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# A letters-and-digit token with no meaning in either language: Marian models tend to copy
# such codes through unchanged (as they do product and unit codes).
PLACEHOLDER = "XZ{}"
_PLACEHOLDER_RE = re.compile(r"XZ(\d+)")

# Opening -> closing quotation marks for quoted material inside a sentence. Single quotes are
# left out: the apostrophe is the same character.
_QUOTE_PAIRS = {"“": "”", "«": "»", "„": "“", '"': '"'}
_ALL_QUOTES = set(_QUOTE_PAIRS) | set(_QUOTE_PAIRS.values())
_ANY_QUOTE_RE = re.compile("[" + re.escape("".join(sorted(_ALL_QUOTES))) + "]")

_NUMBER_RE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:\.\d+)?")
_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH_RE = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE)
_NEGATION_RE = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|nowhere|neither|nor|without|cannot)\b|n[’']t\b", re.IGNORECASE
)
_WORD_RE = re.compile(r"[^\W\d_][\w’'\-]*", re.UNICODE)


@dataclass(frozen=True)
class Protected:
    start: int  # offsets into the (rule-fixed) sentence text the rewrite starts from
    end: int
    text: str  # what the rewrite must contain verbatim
    kind: str  # "name" | "quote"


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of quoted material, quote marks included. An opening mark with no closing one in
    the sentence quotes to its end (a quotation running over several sentences); a closing mark
    with no opening one quotes from the start."""
    spans: list[tuple[int, int]] = []
    # From quote mark to quote mark (a regex search), not character by character: most
    # sentences hold none, and a story of 200,000 short lines has 44,000 to look at.
    m = _ANY_QUOTE_RE.search(text)
    while m is not None:
        i = m.start()
        ch = text[i]
        nxt = i + 1
        if ch == '"' and _inside_word(text, i):  # inches, not a quotation: 5"3
            pass
        elif ch in _QUOTE_PAIRS:
            close = text.find(_QUOTE_PAIRS[ch], i + 1)
            if close == -1:
                spans.append((i, len(text)))
                break
            spans.append((i, close + 1))
            nxt = close + 1
        elif not spans:
            spans.append((0, i + 1))  # closes a quotation opened in an earlier sentence
        m = _ANY_QUOTE_RE.search(text, nxt)
    return [(a, b) for a, b in spans if b - a > 2]


def _inside_word(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def merge_protected(names: list[Protected], text: str) -> list[Protected]:
    """Names plus quoted material, without overlaps (a quote swallows the names inside it)."""
    quotes = [Protected(a, b, text[a:b], "quote") for a, b in quoted_spans(text)]
    out = list(quotes)
    for n in names:
        if not any(q.start <= n.start and n.end <= q.end for q in quotes) and not any(
            o.start < n.end and n.start < o.end for o in out
        ):
            out.append(n)
    return sorted(out, key=lambda p: p.start)


def mask(text: str, items: list[Protected]) -> tuple[str, dict[str, str]]:
    """Replace each protected span by a numbered placeholder; returns the masked text and the
    placeholder -> text mapping. Text that already holds a placeholder-like token is never
    masked (it could not be told apart on the way back)."""
    if not items or _PLACEHOLDER_RE.search(text):
        return text, {}
    out, mapping, pos = [], {}, 0
    for n, item in enumerate(sorted(items, key=lambda p: p.start), start=1):
        token = PLACEHOLDER.format(n)
        out.append(text[pos:item.start])
        out.append(token)
        mapping[token] = item.text
        pos = item.end
    out.append(text[pos:])
    return "".join(out), mapping


def unmask(text: str, mapping: dict[str, str]) -> tuple[str | None, str | None]:
    """Put protected text back. Returns (text, None), or (None, reason) when a placeholder
    was dropped, repeated or invented."""
    found = Counter(m.group(0) for m in _PLACEHOLDER_RE.finditer(text))
    for token, original in mapping.items():
        if found[token] == 0:
            return None, f"dropped {original!r}"
        if found[token] > 1:
            return None, f"repeated {original!r}"
    extra = set(found) - set(mapping)
    if extra:
        return None, f"invented placeholder {sorted(extra)[0]}"
    return _PLACEHOLDER_RE.sub(lambda m: mapping[m.group(0)], text), None


def numbers(text: str) -> Counter:
    """Numbers as digit strings, thousands separators removed ("4,576" == "4576")."""
    out: Counter = Counter()
    for m in _NUMBER_RE.finditer(text):
        raw = m.group(0).rstrip(".,")
        if re.fullmatch(r"\d{1,3}(?:[,\u00a0 ]\d{3})+", raw):
            raw = re.sub(r"\D", "", raw)
        out[raw] += 1
    return out


def months(text: str) -> Counter:
    return Counter(_MONTHS[m.group(1).lower()] for m in _MONTH_RE.finditer(text) if _month_word(m))


def _month_word(m: re.Match) -> bool:
    word = m.group(1)
    # "may" and "march" are also verbs: count them only capitalised.
    return word.lower() not in ("may", "march") or word[0].isupper()


def negations(text: str) -> int:
    return len(_NEGATION_RE.findall(text))


def word_tokens(text: str) -> list[str]:
    """Words as ``name_tokens`` sees them (possessive "'s" removed)."""
    return [w for w in (re.sub(r"[’']s$", "", m.group(0)).strip("’'-") for m in _WORD_RE.finditer(text)) if w]


def name_tokens(text: str) -> Counter:
    """Capitalised words after the first word, and acronyms anywhere: a cheap stand-in for the
    names a sentence mentions, used identically at training and at run time."""
    out: Counter = Counter()
    for i, m in enumerate(_WORD_RE.finditer(text)):
        w = re.sub(r"[’']s$", "", m.group(0)).strip("’'-")  # "Moscow's" names Moscow
        if len(w) < 2:
            continue
        if w.isupper() or (i > 0 and w[0].isupper()):
            out[w] += 1
    return out


def kept_share(expected: Counter, got: Counter) -> float:
    """Share of ``expected`` (a multiset) found in ``got``; 1.0 when nothing is expected."""
    total = sum(expected.values())
    if total == 0:
        return 1.0
    return sum((expected & got).values()) / total


def _count_kept(candidate: str, p: Protected) -> int:
    """How often ``candidate`` holds ``p``. A quotation also counts with a comma or full stop
    moved inside its closing mark ('“...”,' -> '“...,”'): English punctuation, same words."""
    n = candidate.count(p.text)
    if p.kind == "quote" and len(p.text) > 2 and p.text[-1] in _ALL_QUOTES and p.text[-2] not in ",.":
        n += sum(candidate.count(p.text[:-1] + mark + p.text[-1]) for mark in ",.")
    return n


def violations(candidate: str, expected: str, protected: list[Protected]) -> list[str]:
    """Why ``candidate`` cannot stand in for ``expected`` (empty: it keeps everything).

    ``expected`` is the sentence with its resolved names in standard form; ``protected`` the
    spans of it that must come back verbatim.
    """
    problems = []
    for p in protected:
        if _count_kept(candidate, p) < expected.count(p.text):
            problems.append(f"{'quoted material' if p.kind == 'quote' else 'name'} {p.text!r} not kept")
    want, got = numbers(expected), numbers(candidate)
    if want != got:
        lost = want - got
        added = got - want
        if lost:
            problems.append(f"number {sorted(lost)[0]} dropped or changed")
        elif added:
            problems.append(f"number {sorted(added)[0]} added")
    if months(expected) != months(candidate):
        problems.append("date changed")
    # As many negations as before: "Russian soldiers in the area no." -> "There are no Russian
    # soldiers in the area." keeps its one "no"; a candidate that drops or adds one does not.
    if negations(expected) != negations(candidate):
        problems.append("negation dropped or added")
    return problems
