"""The rule model: a Rule is one code with its documentation; a Family groups the rules one
module checks, with the function that checks them.

As in ruff, each rule carries its own documentation (what it does, why it matters, an
example, fix safety); ``mtcheck rules`` and the README's rule table are generated from it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from mtcheck import collector
from mtcheck.config import Config
from mtcheck.document import Document
from mtcheck.findings import Applicability, Edit, Finding, Fix, Severity, require_fields


@dataclass(frozen=True)
class Rule:
    code: str  # family prefix + digits, stable once published
    name: str  # kebab-case, e.g. "transliterated-acronym"
    category: str  # entity | style | boilerplate | syntax | language
    severity: Severity  # default; config may override per code
    summary: str  # one line, for `mtcheck rules`
    why: str = ""  # why it is bad, for editors
    example: str = ""  # "bad → good"
    fix: str = "none"  # safe | unsafe | none: what kind of fix the rule offers
    needs: frozenset[str] = frozenset()  # model resources: "parse", "fluency"
    # A preview rule (as in ruff) runs only when its own code is selected (``--extend-select E108``):
    # it works, but its false-alarm rate on professional copy is still above the project's bar.
    preview: bool = False

    def finding(
        self,
        doc: Document,
        start: int,
        end: int,
        message: str,
        suggestion: str | None = None,
        safe: bool | None = None,
        data: dict | None = None,
    ) -> Finding:
        """A finding for doc.text[start:end]; a suggestion becomes a replacement fix whose
        safety defaults to the rule's."""
        fix: Fix | None = None
        if suggestion is not None:
            is_safe = (self.fix == Applicability.SAFE) if safe is None else safe
            # replacement_fix(start, end, suggestion, safe=is_safe), built here: one call less
            # for each of a story's findings.
            edit = _new_edit(Edit)
            edit.__dict__.update(start=start, end=end, replacement=suggestion)  # (Edit is frozen)
            fix = _new_fix(Fix)
            fix.__dict__ = {"edits": (edit,), "applicability": Applicability.SAFE if is_safe else Applicability.UNSAFE,
                            "source": "rules", "score": None}
        # Finding(code=..., ...) with its fields set straight into a new one's __dict__: the
        # generated initialiser (keyword arguments, a default per field) was a tenth of the cost
        # of a finding, and a story of short lines makes tens of thousands.
        finding = _new_finding(Finding)
        finding.__dict__ = {"code": self.code, "category": self.category, "severity": self.severity, "start": start,
                            "end": end, "text": doc.text[start:end], "message": message, "suggestion": suggestion,
                            "fix": fix, "data": data or {}}
        return finding

    def replacement_finder(self) -> Callable[[str, int, int, str, str], Finding]:
        """``finding`` for a rule that makes thousands: a function of (the span's text, start,
        end, message, suggestion) making what ``finding(doc, start, end, message,
        suggestion=suggestion)`` makes, a replacement fix of the rule's safety included, with
        the rule's fields looked up once and the finding, fix and edit built in one call (a
        story of short lines has tens of thousands of glued words and lower-case months, and
        three calls per finding were a third of their cost). The caller passes the span's
        text, ``doc.text[start:end]``, which it usually holds already."""
        code, category, severity = self.code, self.category, self.severity
        applicability = Applicability.SAFE if self.fix == Applicability.SAFE else Applicability.UNSAFE
        new_finding, new_fix, new_edit = _new_finding, _new_fix, _new_edit

        def make(text: str, start: int, end: int, message: str, suggestion: str) -> Finding:
            edit = new_edit(Edit)
            edit.__dict__.update(start=start, end=end, replacement=suggestion)  # (Edit is frozen)
            fix = new_fix(Fix)
            fix.__dict__ = {"edits": (edit,), "applicability": applicability, "source": "rules", "score": None}
            finding = new_finding(Finding)
            finding.__dict__ = {"code": code, "category": category, "severity": severity, "start": start, "end": end,
                                "text": text, "message": message, "suggestion": suggestion, "fix": fix, "data": {}}
            return finding

        return make


_new_finding, _new_fix, _new_edit = Finding.__new__, Fix.__new__, Edit.__new__
require_fields(Fix, ("edits", "applicability", "source", "score"), "Rule.replacement_finder")
require_fields(Edit, ("start", "end", "replacement"), "Rule.replacement_finder")
require_fields(Finding, ("code", "category", "severity", "start", "end", "text", "message", "suggestion", "fix", "data"),
               "Rule.finding")


@dataclass
class Context:
    """What a family's check function may use besides the document."""

    config: Config
    enabled: frozenset[str]  # rule codes selected for this run
    resources: frozenset[str] = frozenset()  # model resources allowed in this run ("parse", "fluency")
    extras: dict = field(default_factory=dict)  # shared per-run state (e.g. a loaded gazetteer)

    def on(self, code: str) -> bool:
        return code in self.enabled


@dataclass(frozen=True)
class Family:
    name: str  # same as the category of its rules
    prefix: str  # code prefix; never the start of another family's prefix
    rules: tuple[Rule, ...]
    check: Callable[[Document, Context], Iterable[Finding]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "check", _collector_paused(self.check))

    @property
    def needs(self) -> frozenset[str]:
        out: set[str] = set()
        for r in self.rules:
            out |= r.needs
        return frozenset(out)


def _collector_paused(check: Callable[[Document, Context], Iterable[Finding]]) -> Callable[[Document, Context], list[Finding]]:
    """``check`` run to the end (a list of its findings) with the cyclic garbage collector
    paused. Why: a family makes tens of thousands of small objects on a big story (findings,
    fixes, mentions, spans), none of which refers back to itself, while the story's sentences
    stay alive; the collector, run every 700 new objects, walked them all again and again
    (about a tenth of the rules' time on a 5 MB story). Reference counting frees them as
    before; a collector already paused by the caller stays paused."""
    if getattr(check, "collector_paused", False):
        return check

    @functools.wraps(check)
    def run(doc: Document, ctx: Context) -> list[Finding]:
        with collector.paused():
            return list(check(doc, ctx))

    run.collector_paused = True  # type: ignore[attr-defined]
    return run


def literal_positions(text: str, literals: Iterable[str]) -> list[int]:
    """Every offset at which one of ``literals`` (non-empty strings) starts in ``text``,
    ascending, overlapping occurrences included: found by ``str.find`` in C."""
    find = text.find
    starts: set[int] = set()
    for literal in set(literals):
        if not literal:
            raise ValueError("literal_positions: an empty literal would stand everywhere")
        i = find(literal)
        while i >= 0:
            starts.add(i)
            i = find(literal, i + 1)
    return sorted(starts)


def finditer_from(pattern: re.Pattern, text: str, literals: Iterable[str] | None) -> Iterator[re.Match]:
    """Exactly what ``pattern.finditer(text)`` yields, for a pattern whose every match starts
    with one of ``literals`` (non-empty strings) and is never empty; ``literals=None`` (none
    known) takes ``finditer`` itself.

    Why: a pattern led by a lookbehind or an alternation gives the regex engine no prefix to
    skip to, so it tries the pattern at every character of the text; ``str.find`` skips to
    the literals in C, and the pattern is tried only there (``match`` at a position sees the
    text before it, so lookbehinds and ``\\b`` behave as in ``finditer``). The matches of
    ``finditer`` are the leftmost match at or after the end of the previous one: each is the
    first of the ascending candidate positions at which the pattern matches."""
    if literals is None:
        yield from pattern.finditer(text)
        return
    yield from matches_from(pattern, text, literal_positions(text, literals))


def matches_from(pattern: re.Pattern, text: str, candidates: Iterable[int]) -> Iterator[re.Match]:
    """``finditer_from`` given the candidate positions themselves (ascending): every position
    at which a match of ``pattern`` may start, and maybe more."""
    match = pattern.match
    pos = 0
    for p in candidates:
        if p < pos:
            continue
        m = match(text, p)
        if m is not None:
            if m.end() == p:
                raise ValueError(f"finditer_from: {pattern.pattern[:40]!r} matched the empty string")
            yield m
            pos = m.end()


def _sre_constants():
    try:
        from re import _constants  # Python 3.11 on
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_constants as _constants
    return _constants


def _parse(pattern: re.Pattern):
    """The parse tree of ``pattern`` (the regex module's own), None where it has flags the
    readers below do not follow or does not parse."""
    try:
        from re import _parser as parser  # Python 3.11 on
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as parser
    if pattern.flags & (re.LOCALE | re.ASCII) or not isinstance(pattern.pattern, str):
        return None
    try:
        return parser.parse(pattern.pattern, pattern.flags & ~re.UNICODE)
    except re.error:
        return None


def required_literals(pattern: re.Pattern) -> tuple[tuple[str, bool], ...] | None:
    """Literals one of which every match of ``pattern`` contains, each with whether it is
    matched ignoring case (then given in lower case: look for it in the lower-cased text),
    read off the pattern's parse tree; None where the pattern requires no literal (it starts
    with ``.*`` and has no fixed word, say) or uses flags this reading does not follow.

    Why: a text (or a line) holding none of them cannot match, and ``str.find`` says so in C,
    where trying the pattern costs a regex match per line. A literal matched ignoring case
    holds only ASCII characters; in a text holding one of ``CASE_FOLDS_TO_ASCII`` (letters a
    case-insensitive pattern takes for an ASCII letter, "ſ" for "s") the lower-cased search
    proves nothing."""
    tree = _parse(pattern)
    if tree is None:
        return None
    sre = _sre_constants()
    ignore_case = bool(tree.state.flags & re.IGNORECASE)

    def best(candidates: list[list[tuple[str, bool]]]) -> list[tuple[str, bool]] | None:
        # The requirement whose shortest literal is longest: the fewest lines pass it.
        return max(candidates, key=lambda c: (min(len(s) for s, _ in c), -len(c)), default=None)

    def required(items, icase: bool) -> list[tuple[str, bool]] | None:
        candidates: list[list[tuple[str, bool]]] = []
        run: list[str] = []

        def flush() -> None:
            if run:
                literal = "".join(run)
                candidates.append([(literal.lower() if icase else literal, icase)])
                run.clear()

        for op, av in items:
            if op is sre.LITERAL:
                ch = chr(av)
                if icase and not ch.isascii():
                    flush()  # (non-ASCII case equivalents are not lower-casing's)
                else:
                    run.append(ch)
                continue
            flush()
            found = None
            if op is sre.SUBPATTERN:
                _group, add, remove, sub = av
                sub_icase = (icase or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
                found = required(sub, sub_icase)
            elif op is getattr(sre, "ATOMIC_GROUP", None):
                found = required(av, icase)
            elif op is sre.BRANCH:
                branches = [required(b, icase) for b in av[1]]
                if all(branches):
                    found = [lit for b in branches for lit in b]
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
                low, _high, sub = av
                found = required(sub, icase) if low >= 1 else None
            # Anything else (a class, ANY, a look-around, an anchor, a back-reference) requires
            # no literal of its own.
            if found:
                candidates.append(found)
        flush()
        return best(candidates)

    found = required(tree, ignore_case)
    return tuple(dict.fromkeys(found)) if found else None


# More leading literals than this are not spelled out (a pattern of many alternations).
MAX_LEADING_LITERALS = 500


def leading_literals(pattern: re.Pattern) -> tuple[str, ...] | None:
    """ASCII literals, in lower case, one of which every match of ``pattern`` starts with once
    lower-cased (whether the pattern ignores case or not); None where the pattern starts with
    no literal (a class, ``.*``, an optional part), read off its parse tree. A text that lower-
    cased starts with none of them does not match at its start (``re.match``, ``fullmatch``),
    provided it holds none of ``CASE_FOLDS_TO_ASCII``."""
    tree = _parse(pattern)
    if tree is None:
        return None
    sre = _sre_constants()

    def lead(items) -> tuple[list[str], bool]:
        """(the starts of the item sequence's matches, whether they are its whole matches)."""
        out = [""]
        for op, av in items:
            if op is sre.LITERAL and chr(av).isascii():
                out = [start + chr(av).lower() for start in out]
                continue
            if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
                continue  # zero-width: the characters on either side are adjacent
            if op is sre.SUBPATTERN or op is getattr(sre, "ATOMIC_GROUP", None):
                subs, whole = lead(av[3] if op is sre.SUBPATTERN else av)
            elif op is sre.BRANCH:
                branches = [lead(b) for b in av[1]]
                subs, whole = [s for b, _ in branches for s in b], all(w for _, w in branches)
            else:
                return out, False
            if len(out) * len(subs) > MAX_LEADING_LITERALS:
                return out, False
            out = [start + s for start in out for s in subs]
            if not whole:
                return out, False
        return out, True

    starts, _ = lead(tree)
    return tuple(sorted(set(starts))) if all(starts) else None


# The letters outside ASCII that a case-insensitive pattern matches for an ASCII letter
# (tests/test_rule_prefilters.py checks the list against every code point).
CASE_FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"
