"""The rule model: a Rule is one code with its documentation; a Family groups the rules one
module checks, with the function that checks them.

As in ruff, each rule carries its own documentation (what it does, why it matters, an
example, fix safety); ``mtcheck rules`` and the README's rule table are generated from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from mtcheck.config import Config
from mtcheck.document import Document
from mtcheck.findings import Applicability, Finding, Fix, Severity, replacement_fix


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
    # A preview rule (as in ruff) runs only when its own code is selected (``--extend-select E106``):
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
            fix = replacement_fix(start, end, suggestion, safe=is_safe)
        return Finding(
            code=self.code,
            category=self.category,
            severity=self.severity,
            start=start,
            end=end,
            text=doc.text[start:end],
            message=message,
            suggestion=suggestion,
            fix=fix,
            data=data or {},
        )


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

    @property
    def needs(self) -> frozenset[str]:
        out: set[str] = set()
        for r in self.rules:
            out |= r.needs
        return frozenset(out)


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
    match = pattern.match
    pos = 0
    for p in literal_positions(text, literals):
        if p < pos:
            continue
        m = match(text, p)
        if m is not None:
            if m.end() == p:
                raise ValueError(f"finditer_from: {pattern.pattern[:40]!r} matched the empty string")
            yield m
            pos = m.end()
