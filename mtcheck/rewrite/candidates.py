"""Rewrite candidates for one sentence: its rule fixes, and back-translations of it.

A ``Target`` is a sentence that gets a proposal: a flagged sentence, or one holding a rule fix.
Its ``fixed`` text has the rule fixes applied (names in their standard English form); that is
what back-translation and the offline repairs (``mtcheck.rewrite.repairs``) start from, so their
candidates carry the rule fixes too (source "both", or "repairs"). Candidates are checked
against ``fixed`` (``protect.violations``). A repair that joins a fragment to the sentence
before it replaces both: it records where it starts (``start``) and is scored and checked
against both sentences.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Callable, Sequence

from mtcheck.document import Document, Sentence
from mtcheck.findings import Applicability, Edit, Finding, Fix, apply_edits_mapped
from mtcheck.rewrite import protect
from mtcheck.rewrite.protect import Protected

# Fixes from these families are whole-line deletions of page junk, not sentence repairs:
# `mtcheck fix` applies them to the document, a sentence rewrite never contains them.
NOT_SENTENCE_FIXES = ("boilerplate",)


def normalize_space(text: str) -> str:
    """Runs of whitespace as one space, none at the ends. (``str.split`` and the regex ``\\s``
    agree on what whitespace is; the split is three times faster, and rewrites call this a few
    times per sentence.)"""
    return " ".join(text.split())


@dataclass
class Candidate:
    text: str
    source: str  # "rules" | "backtranslation" | "both" | "repairs"
    rejected: str | None = None  # why it cannot be a rewrite (a protected item was lost)
    translation_score: float | None = None  # summed log-probabilities of the two translations
    fix_score: float = 0.0
    components: dict = field(default_factory=dict)
    transforms: tuple[str, ...] = ()  # the offline repairs that made it, in order
    # A repair joining this sentence to the one before: the previous sentence (what the
    # candidate replaces besides this one) and the texts it is scored against.
    joins: Sentence | None = None
    joined_original: str | None = None
    joined_expected: str | None = None


class _computed_once:
    """``functools.cached_property`` without its lock (Python 3.11 takes one on every first
    access, a sixth of the rewrite stage's own time on 44,000 targets): the value is stored in
    the instance's ``__dict__``, which later lookups find first."""

    def __init__(self, func):
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


@dataclass
class Target:
    doc: Document
    sentence: Sentence
    flagged: bool
    fixed: str  # sentence text with the rule fixes applied
    rule_findings: list[Finding]  # the findings whose fixes made `fixed`
    # Finds the spans of `fixed` a rewrite must keep verbatim (``protected``), when first asked:
    # only back-translation and the repairs ask, and only for flagged sentences; most targets of
    # a long story are sentences holding a rule fix alone.
    find_protected: Callable[[], list[Protected]] = field(repr=False, compare=False, default=list)
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def original(self) -> str:
        return self.sentence.text

    @_computed_once
    def protected(self) -> list[Protected]:
        """Spans of ``fixed`` a rewrite must keep verbatim."""
        return self.find_protected()

    # Normalised once: candidates are built from and scored against them.
    @_computed_once
    def original_normalized(self) -> str:
        return normalize_space(self.sentence.text)

    @_computed_once
    def fixed_normalized(self) -> str:
        return normalize_space(self.fixed)


def fix_applies(f: Finding, unsafe: bool) -> bool:
    fix = f.fix
    if type(fix) is Fix:  # Fix.applies in line: asked of every finding of every target
        applicability = fix.applicability
        return applicability == Applicability.SAFE or (unsafe and applicability == Applicability.UNSAFE)
    return fix is not None and fix.applies(unsafe)


def findings_by_sentence(doc: Document) -> dict[int, list[Finding]]:
    """Sentence index -> the findings that start in that sentence and end inside it (one pass
    over the findings, kept in ``doc.user_data`` until the findings change)."""
    index = doc.user_data.get(_FINDINGS_INDEX)
    if index is None or index[0] is not doc.findings or index[1] != len(doc.findings):
        starts = [x.start for x in doc.sentences]
        by_sentence: dict[int, list[Finding]] = {}
        for f in doc.findings:
            i = bisect.bisect_right(starts, f.start) - 1
            if i >= 0 and f.end <= doc.sentences[i].end:
                by_sentence.setdefault(doc.sentences[i].index, []).append(f)
        index = doc.user_data[_FINDINGS_INDEX] = (doc.findings, len(doc.findings), by_sentence)
    return index[2]


def sentence_findings(doc: Document, s: Sentence) -> list[Finding]:
    """The findings inside sentence ``s``, from the per-document index (a lookup per sentence:
    linear in the story's size)."""
    inside = findings_by_sentence(doc).get(s.index, [])
    return [f for f in inside if s.start <= f.start and f.end <= s.end]


_FINDINGS_INDEX = "findings-by-sentence"


def rule_fixed(s: Sentence, findings: list[Finding], unsafe: bool = False) -> tuple:
    """The sentence's rule fixes applied (left to right, skipping overlaps): (fixed text, the
    findings whose fixes made it, in text order, and for ``build_target``: the edits applied,
    each with its start in the fixed text, the map of untouched offsets, every edit tried and
    the finding each fixes, by ``id`` of the edit). ``findings``: the sentence's findings."""
    edits: list[Edit] = []  # sentence-relative
    owner: dict[int, Finding] = {}  # id(edit) -> the finding it fixes
    for f in findings:
        if f.category in NOT_SENTENCE_FIXES or not fix_applies(f, unsafe):
            continue
        if any(e.start < s.start or e.end > s.end for e in f.fix.edits):
            continue
        for e in f.fix.edits:
            edit = Edit(e.start - s.start, e.end - s.start, e.replacement)
            edits.append(edit)
            owner[id(edit)] = f

    text = s.text
    if len(edits) == 1:  # the common case (44,000 times on a story of short lines): one splice
        edit = edits[0]
        fixed = text[:edit.start] + edit.replacement + text[edit.end:]
        done = [(edit, edit.start)]
        end, delta = edit.end, len(edit.replacement) - (edit.end - edit.start)

        def moved(offset: int) -> int:  # as apply_edits_mapped's: shifted from the edit's end on
            return offset + delta if offset >= end else offset

        return fixed, [owner[id(edit)]], done, moved, edits, owner
    fixed, done, moved = apply_edits_mapped(text, edits)
    applied: list[Finding] = []
    for edit, _ in done:
        f = owner[id(edit)]
        if f not in applied:
            applied.append(f)
    return fixed, applied, done, moved, edits, owner


def rule_fixed_text(s: Sentence, findings: list[Finding], unsafe: bool = False) -> tuple[str, list[Finding]]:
    """``rule_fixed(s, findings, unsafe)[:2]``: the fixed text and the findings whose fixes made
    it, without what only ``build_target`` reads (the edits moved into the sentence, the offset
    map, the owners). The common case, one fix of one edit (44,000 sentences of a story of short
    lines, where the rule-only rewrites need nothing more), is one splice; any other is
    ``rule_fixed`` itself."""
    only = None
    start, end = s.start, s.end
    for f in findings:
        if f.category in NOT_SENTENCE_FIXES or not fix_applies(f, unsafe):
            continue
        edits = f.fix.edits
        if len(edits) != 1 or only is not None:
            return rule_fixed(s, findings, unsafe)[:2]
        edit = edits[0]
        if edit.start < start or edit.end > end:
            continue
        only = f
    if only is None:
        return s.text, []
    edit = only.fix.edits[0]
    text = s.text
    return text[:edit.start - start] + edit.replacement + text[edit.end - start:], [only]


def build_target(doc: Document, s: Sentence, flagged: bool, unsafe: bool = False,
                 findings: list[Finding] | None = None) -> Target:
    """Apply the sentence's rule fixes (``rule_fixed``) and find what a rewrite must keep:
    resolved names in standard form, unresolved entity names verbatim, quoted material.
    ``findings``: the sentence's findings (``sentence_findings``), when the caller has them
    already."""
    if findings is None:
        findings = sentence_findings(doc, s)
    fixed, applied, done, moved, edits, owner = rule_fixed(s, findings, unsafe)
    text = s.text

    def find_protected() -> list[Protected]:
        names: list[Protected] = []
        for edit, new_start in done:
            if owner[id(edit)].category == "entity" and edit.replacement.strip():
                names.append(Protected(new_start, new_start + len(edit.replacement), edit.replacement, "name"))
        applied_spans = [(e.start, e.end) for e in edits]
        for f in findings:
            # An entity the rules found but did not resolve safely: keep it as the story has it.
            if f.category != "entity" or f in applied:
                continue
            a, b = f.start - s.start, f.end - s.start
            if any(x < b and a < y for x, y in applied_spans):
                continue
            names.append(Protected(moved(a), moved(b), text[a:b], "name"))
        return protect.merge_protected(names, fixed)

    return Target(doc=doc, sentence=s, flagged=flagged, fixed=fixed, rule_findings=applied, find_protected=find_protected)


def rule_candidate(target: Target) -> Candidate | None:
    if not target.rule_findings or target.fixed_normalized == target.original_normalized:
        return None
    return Candidate(target.fixed, "rules")


def backtranslation_candidates(targets: Sequence[Target], en_ru, ru_en, num_candidates: int, beam_size: int) -> list[list[Candidate]]:
    """English -> Russian -> English n-best round trips, batched across all targets.

    Each target goes through two routes when it has protected spans: masked (placeholders for
    names and quotes, restored afterwards) and plain (names already in standard form, checked
    afterwards); whichever keeps everything survives validation. Returns, per target, distinct
    candidates best first (by summed translation log-probability), rejected ones included.
    """
    inputs: list[tuple[int, str, dict[str, str]]] = []  # (target index, English text, placeholder map)
    for i, t in enumerate(targets):
        masked, mapping = protect.mask(t.fixed, t.protected)
        inputs.append((i, normalize_space(masked), mapping))
        if mapping:
            inputs.append((i, normalize_space(t.fixed), {}))
    russian_per_input = 2 if num_candidates > 1 else 1
    russian = en_ru.translate([text for _, text, _ in inputs], num_return=russian_per_input, beam_size=beam_size)
    flat = [(k, h) for k, hyps in enumerate(russian) for h in hyps if h.text]
    english = ru_en.translate([h.text for _, h in flat], num_return=num_candidates, beam_size=beam_size)

    pooled: list[dict[str, Candidate]] = [{} for _ in targets]
    for (k, ru_hyp), en_hyps in zip(flat, english):
        i, _, mapping = inputs[k]
        t = targets[i]
        source = "both" if normalize_space(t.fixed) != normalize_space(t.original) else "backtranslation"
        for h in en_hyps:
            score = ru_hyp.score + h.score
            text, problem = (h.text, None) if not mapping else protect.unmask(h.text, mapping)
            if text is None:
                text = h.text  # shown with its placeholders: the editor sees what went wrong
            text = normalize_space(text)
            if not text or text == normalize_space(t.original):
                continue
            if problem is None:
                found = protect.violations(text, normalize_space(t.fixed), _normalized(t))
                problem = found[0] if found else None
            known = pooled[i].get(text)
            if known is None or (known.rejected and not problem) or (
                bool(known.rejected) == bool(problem) and score > (known.translation_score or -1e9)
            ):
                pooled[i][text] = Candidate(text, source, problem, score)
    out = []
    for pool in pooled:
        ranked = sorted(pool.values(), key=lambda c: (c.rejected is not None, -(c.translation_score or 0.0)))
        out.append(ranked)
    return out


def repair_candidates(targets: Sequence[Target], fixed: dict[tuple[int, int], str] | None = None) -> list[list[Candidate]]:
    """The offline repairs of each target's ``fixed`` text (parsed here, batched), checked
    against it; a join with the previous sentence (same paragraph; its rule-fixed text from
    ``fixed``, keyed by (id of the document, sentence index), where it has one) is checked
    against both. Rejected candidates are kept, with the reason, as back-translations are."""
    from mtcheck.rewrite.repairs import propose

    fixed = fixed or {}
    previous = [_previous_sentence(t) for t in targets]
    prev_fixed = [None if p is None else fixed.get((id(t.doc), p.index), p.text) for t, p in zip(targets, previous)]
    proposals = propose([normalize_space(t.fixed) for t in targets],
                        [normalize_space(p) if p is not None else None for p in prev_fixed])
    out = []
    for t, prev, prev_text, repairs in zip(targets, previous, prev_fixed, proposals):
        cands = []
        for r in repairs:
            text = normalize_space(r.text)
            if r.joins_previous and prev is not None:
                original = normalize_space(prev.text + " " + t.original)
                expected = normalize_space(prev_text + " " + t.fixed)
                found = protect.violations(text, expected, _normalized(t))
                cands.append(Candidate(text, "repairs", found[0] if found else None, transforms=r.transforms,
                                       joins=prev, joined_original=original, joined_expected=expected))
                continue
            if text == normalize_space(t.original):
                continue
            found = protect.violations(text, normalize_space(t.fixed), _normalized(t))
            cands.append(Candidate(text, "repairs", found[0] if found else None, transforms=r.transforms))
        out.append(cands)
    return out


def _previous_sentence(t: Target) -> Sentence | None:
    """The sentence before ``t``'s, when it is body text of the same paragraph."""
    sentences = t.doc.sentences
    i = t.sentence.index
    if not (0 <= i < len(sentences) and sentences[i] is t.sentence):
        i = next((k for k, s in enumerate(sentences) if s is t.sentence), 0)
    if i == 0:
        return None
    prev = sentences[i - 1]
    if prev.paragraph != t.sentence.paragraph or prev.is_heading or t.sentence.is_heading:
        return None
    return prev


def _normalized(t: Target) -> list[Protected]:
    """Protected spans as text only (whitespace normalised), for checking a candidate."""
    return [Protected(0, 0, normalize_space(p.text), p.kind) for p in t.protected]
