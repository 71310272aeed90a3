"""The change model: what can be changed in a checked story, which changes go together, and
the one place edits are applied.

A suggestion is one proposed change to one span of the original text, of one of two kinds:

- ``rule-fix``: the fix (or bare suggestion) of a rule finding, e.g. "LIH" → "ISIL";
- ``rewrite``: the scored rewrite of a flagged sentence (``Sentence.rewrite``), offered only
  when it cleared the acceptance bar.

Suggestions are built from a checked ``Document`` (``suggestions(doc)``), so ``mtcheck fix``,
``scan --diff``, the HTML report and the review app (which restores its documents from the
review database through ``mtcheck.codec``) see the same suggestions. Where changes overlap,
an accepted rewrite wins over rule fixes inside its sentence (rewrites already fold the safe
rule fixes in); otherwise the earlier one wins. ``plan`` picks changes that go together,
``apply_changes`` applies them: every cleaned text mtcheck writes goes through it.
"""

from __future__ import annotations

import bisect
import hashlib
import operator
from dataclasses import dataclass, field, fields, replace
from typing import Iterable, Sequence

from mtcheck.collector import pausing
from mtcheck.document import Document, Sentence
from mtcheck.findings import Applicability, Edit, Finding, Fix, apply_edits, require_fields

RULE_FIX = "rule-fix"
REWRITE = "rewrite"


@dataclass(frozen=True)
class Suggestion:
    id: str
    kind: str  # RULE_FIX | REWRITE
    start: int  # span in the original text (code points, half-open)
    end: int
    original: str
    proposed: str
    safe: bool = False  # a safe rule fix: applied by "accept all safe fixes" and by default
    score: float | None = None  # fix score, when one was computed
    source: str = "rules"  # rules | backtranslation | both
    code: str | None = None  # rule code of a rule fix
    category: str | None = None
    message: str = ""
    components: dict = field(default_factory=dict)
    candidates: tuple = ()
    applicability: str | None = None  # of the rule's fix ("safe", "unsafe"); None for a bare suggestion
    transforms: tuple = ()  # the offline repairs (mtcheck.rewrite.repairs) that made a rewrite

    def to_json(self) -> dict:
        return {
            "id": self.id, "kind": self.kind, "start": self.start, "end": self.end,
            "original": self.original, "proposed": self.proposed, "safe": self.safe,
            "score": self.score, "source": self.source, "code": self.code,
            "category": self.category, "message": self.message,
            "components": self.components, "candidates": list(self.candidates),
            "transforms": list(self.transforms),
        }


def suggestion_id(kind: str, start: int, end: int, original: str, proposed: str) -> str:
    """Stable across re-scans of the same text, so a decision finds its suggestion again."""
    key = f"{kind}\x1f{start}\x1f{end}\x1f{original}\x1f{proposed}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


# Every field of a Suggestion with its default, in field order (components: a fresh dict each).
_SUGGESTION_DEFAULTS = {f.name: f.default for f in fields(Suggestion)}


def _new_suggestion(**values) -> Suggestion:
    """``Suggestion(**values)`` without the frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field: a third of ``suggestions`` on a story with 90,000 of
    them); the same fields, in the same order, with the same defaults."""
    state = dict(_SUGGESTION_DEFAULTS)
    state["components"] = {}
    state.update(values)
    obj = object.__new__(Suggestion)
    obj.__dict__.update(state)
    return obj


def suggestions(doc: Document) -> list[Suggestion]:
    """Every suggestion in a checked document, in text order."""
    out: list[Suggestion] = []
    seen: dict[tuple, int] = {}
    for f in doc.findings:
        s = _rule_fix(f, doc.text)
        if s is None:
            continue
        key = (s.start, s.end, s.proposed)
        if key in seen:  # two rules proposing the same change: one suggestion, both messages
            i = seen[key]
            prev = out[i]
            both = {prev.applicability, s.applicability}
            applicability = "safe" if both == {"safe"} else ("unsafe" if "unsafe" in both else None)
            out[i] = replace(prev, message=f"{prev.message}; {s.message}", safe=prev.safe and s.safe,
                             applicability=applicability)
            continue
        seen[key] = len(out)
        out.append(s)
    for sent in doc.sentences:
        if not sent.rewrite:  # most sentences of a long story have no proposal
            continue
        s = _rewrite(sent, doc.text)
        if s is not None:
            out.append(s)
    out.sort(key=lambda s: (s.start, s.kind != REWRITE, s.end, s.id))
    return out


def _rule_fix(f: Finding, text: str) -> Suggestion | None:
    span = _rule_fix_span(f, text)
    if span is None:
        return None
    start, end, original, proposed, safe, score, source, applicability = span
    return _new_suggestion(
        id=suggestion_id(RULE_FIX, start, end, original, proposed),
        kind=RULE_FIX, start=start, end=end, original=original, proposed=proposed,
        safe=safe, score=score, source=source, code=f.code, category=f.category,
        message=f.message, applicability=applicability,
    )


def _rule_fix_span(f: Finding, text: str) -> tuple | None:
    """(start, end, original, proposed, safe, score, source, applicability) of the rule fix
    (or bare suggestion) of ``f``; None when it has none or changes nothing."""
    fix = f.fix
    if fix is not None and fix.edits:
        edits = fix.edits
        safe, score, source, applicability = fix.safe, fix.score, fix.source, fix.applicability
    elif f.suggestion is not None:
        edits = (Edit(f.start, f.end, f.suggestion),)
        safe, score, source, applicability = False, None, "rules", None
    else:
        return None
    if len(edits) == 1:  # the common case (a story of short lines has 47,000 of them)
        start, end = edits[0].start, edits[0].end
    else:
        start = min(e.start for e in edits)
        end = max(e.end for e in edits)
    if not (0 <= start <= end <= len(text)):
        return None
    original = text[start:end]
    if len(edits) == 1:  # the common case: the one edit spans the suggestion, and is what it proposes
        proposed = edits[0].replacement
    else:
        proposed = apply_edits(original, [Edit(e.start - start, e.end - start, e.replacement) for e in edits])
    if proposed == original:
        return None
    return start, end, original, proposed, safe, score, source, applicability


def _rewrite(sent: Sentence, text: str) -> Suggestion | None:
    span = _rewrite_span(sent, text)
    if span is None:
        return None
    start, end, original = span
    rw = sent.rewrite
    candidates = tuple(
        c for c in rw.get("candidates", []) if isinstance(c, dict) and c.get("text") and c["text"] not in (rw["text"], original)
    )
    return _new_suggestion(
        id=suggestion_id(REWRITE, start, end, original, rw["text"]),
        kind=REWRITE, start=start, end=end, original=original, proposed=rw["text"],
        safe=False, score=rw.get("fix_score"), source=rw.get("source", "backtranslation"),
        code=None, category="rewrite", message=f"rewrite of a flagged sentence ({rw.get('source', 'backtranslation')})",
        components=dict(rw.get("components") or {}), candidates=candidates,
        transforms=tuple(rw.get("transforms") or ()),
    )


def _rewrite_span(sent: Sentence, text: str) -> tuple[int, int, str] | None:
    """(start, end, original) of the accepted rewrite of ``sent`` (``rewrite["text"]`` replaces
    it); None when it has none."""
    rw = sent.rewrite
    if not rw or not rw.get("accepted") or not rw.get("text"):
        return None
    start, end = sent.start, sent.end
    joined = rw.get("span")  # a repair joining this sentence to the one before replaces both
    if isinstance(joined, list) and len(joined) == 2 and joined[1] == end and 0 <= joined[0] < start:
        start = joined[0]
    original = text[start:end]
    if not original.endswith(sent.text) or rw["text"] == original:
        return None
    return start, end, original


# -- applying chosen changes ----------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """A change an editor (or the default policy) chose: replace original[start:end]."""

    start: int
    end: int
    original: str
    replacement: str
    kind: str
    ref: object = None  # what it came from (a Suggestion, a decision row)


def plan(text: str, changes: Iterable[Change]) -> tuple[list[Change], list[tuple[Change, str]]]:
    """Pick the changes that can be applied together: ones whose span no longer holds their
    original text are dropped ("text changed"), rewrites are placed before rule fixes, then
    earlier before later; a change overlapping one already placed is dropped ("superseded").
    Returns (kept in text order, [(dropped, reason)])."""
    return _plan_ordered(text, sorted(changes, key=lambda c: (c.kind != REWRITE, c.start, c.end)))


def _plan_ordered(text: str, ordered: Iterable[Change]) -> tuple[list[Change], list[tuple[Change, str]]]:
    """``plan`` of changes already in its order (rewrites first, then by start and end)."""
    kept: list[Change] = []  # non-overlapping, in text order (``starts`` beside it)
    starts: list[int] = []
    ends: list[int] = []  # (beside them: the kept changes' ends)
    dropped: list[tuple[Change, str]] = []
    n = 0  # len(kept)
    size = len(text)
    bisect_left, bisect_right = bisect.bisect_left, bisect.bisect_right
    for c in ordered:
        start, end = c.start, c.end
        if not (0 <= start <= end <= size) or text[start:end] != c.original:
            dropped.append((c, "text changed"))
            continue
        # Whether c overlaps a kept change (non-overlapping, sorted by start), in line (90,000
        # changes in a story of short lines): only the one starting last before c and those
        # starting inside it can (linear time overall).
        j = bisect_left(starts, start)
        if j:
            j -= 1
        while j < n and starts[j] <= end:
            other_start, other_end = starts[j], ends[j]
            # _overlaps: spans that intersect, or an empty one at the other's start
            if (start < other_end and other_start < end) or (start == other_start and (start == end or other_start == other_end)):
                dropped.append((c, "superseded"))
                break
            j += 1
        else:
            i = bisect_right(starts, start)
            starts.insert(i, start)
            ends.insert(i, end)
            kept.insert(i, c)
            n += 1
    return kept, dropped


def apply_changes(text: str, kept: Sequence[Change]) -> str:
    """Apply changes chosen by ``plan`` (non-overlapping, verified)."""
    # What ``plan`` hands over (in text order, each span after the last, holding its original)
    # is spliced in directly: ``apply_edits`` would sort them, find none to skip and join the
    # same pieces, after an Edit and an entry of ``expected`` per change (44,000 in a story of
    # short lines). Anything else goes through ``apply_edits``, which decides what to skip.
    pieces: list[str] = []
    append = pieces.append
    pos = prev_start = prev_end = 0
    first = True
    for c in kept:
        start, end, original = c.start, c.end, c.original
        if start < pos or not (first or (start, end) > (prev_start, prev_end)) or end < start:
            break
        if original is not None and text[start:end] != original:
            break
        append(text[pos:start])
        append(c.replacement)
        pos, prev_start, prev_end, first = end, start, end, False
    else:
        append(text[pos:])
        return "".join(pieces)
    return apply_edits(
        text,
        [Edit(c.start, c.end, c.replacement) for c in kept],
        expected={(c.start, c.end): c.original for c in kept},
    )


def default_changes(suggestions: Iterable[Suggestion]) -> list[Change]:
    """What mtcheck applies without an editor: accepted rewrites and safe rule fixes."""
    return [
        Change(s.start, s.end, s.original, s.proposed, s.kind, s)
        for s in suggestions
        if s.kind == REWRITE or s.safe
    ]


# -- what `mtcheck fix` and `scan --diff` apply ------------------------------------------------
@dataclass
class FixedStory:
    """The default changes applied to one checked story."""

    path: str
    original: str
    text: str  # the cleaned text
    rewrites: int = 0
    rule_fixes: int = 0
    dropped: list[tuple[Change, str]] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)  # findings no applied change covers
    applied: list = field(default_factory=list)  # the changes applied, in text order (wire write-back maps them)

    @property
    def changed(self) -> bool:
        return self.text != self.original

    @property
    def transforms(self) -> list[str]:
        """The offline repairs behind the applied rewrites, each name once, in text order."""
        return list(dict.fromkeys(t for c in self.applied for t in getattr(c.ref, "transforms", ())))


@pausing
def fix_story(doc: Document, unsafe: bool = False) -> FixedStory:
    """Accepted rewrites and safe rule fixes (``unsafe``: also the rule fixes marked unsafe)
    applied to ``doc``. An accepted rewrite wins over the rule fixes inside its sentence (it
    already folds them in); other overlaps: the earlier change wins."""
    kept, dropped = _plan_ordered(doc.text, _story_changes(doc, unsafe))
    text = apply_changes(doc.text, kept)
    starts = [c.start for c in kept]
    remaining: list[Finding] = []
    rule_fixes = sum(c.kind == RULE_FIX for c in kept)
    bisect_right = bisect.bisect_right
    safe_kind, unsafe_kind = Applicability.SAFE, Applicability.UNSAFE
    for f in doc.findings:
        # The applied change that addresses f, if any (in line: 47,000 findings in a story of
        # short lines). The kept changes do not overlap, so only the last ones starting at or
        # before the finding can hold it, the latest first. Their origins are ChangeOrigins
        # (_story_changes), which have a source.
        fstart, fend, ffix = f.start, f.end, f.fix
        i = bisect_right(starts, fstart)
        cover = None
        for c in kept[max(0, i - 3):i][::-1]:
            if not (c.start <= fstart and fend <= c.end):
                continue
            if c.kind == REWRITE:
                # A rewrite made of the sentence's rule fixes addresses only the findings whose
                # fix it folded in: those applied automatically (safe ones; unsafe ones too with
                # --unsafe-fixes), not an unsafe fix left out, nor one `unfixable` turned off.
                # Another rewrite rewrites the whole sentence.
                if c.ref.source == "rules":
                    if ffix is None:
                        continue
                    if type(ffix) is Fix:  # Fix.applies, in line
                        applicability = ffix.applicability
                        if not (applicability == safe_kind or (unsafe and applicability == unsafe_kind)):
                            continue
                    elif not ffix.applies(unsafe):
                        continue
                    rule_fixes += 1  # a rewrite made of rule fixes only counts as those rule fixes
            elif ffix is None:
                # A rule fix replaced this span: the findings inside it that offered a fix are
                # addressed (two rules proposing the same change share one suggestion).
                continue
            cover = c
            break
        if cover is None:
            remaining.append(f)
    rewrites = [c for c in kept if c.kind == REWRITE and c.ref.source != "rules"]
    return FixedStory(
        path=doc.path, original=doc.text, text=text, rewrites=len(rewrites), rule_fixes=rule_fixes,
        dropped=dropped, remaining=remaining, applied=kept,
    )


class ChangeOrigin:
    """What a change ``fix_story`` applied came from: the fields of its ``Suggestion`` that the
    counts and the repair notes read. Building every suggestion, each with its hashed id, was a
    third of what ``fix`` adds to the rules on a story of short lines."""

    __slots__ = ("kind", "source", "transforms", "code")

    def __init__(self, kind: str, source: str, transforms: tuple, code: str | None):
        self.kind, self.source, self.transforms, self.code = kind, source, transforms, code


def _story_changes(doc: Document, unsafe: bool) -> list[Change]:
    """``default_changes(suggestions(doc))`` (and, with ``unsafe``, the unsafe rule fixes after
    them) in the order ``plan`` sorts them into: the same changes, without the suggestions.
    A suggestion's id only breaks ties (same kind and span), so it is computed for those alone."""
    text = doc.text
    rules: list[list] = []  # [start, end, original, proposed, safe, applicability, source, code]
    seen: dict[tuple, int] = {}
    size = len(text)
    for f in doc.findings:
        fix = f.fix
        edits = fix.edits if type(fix) is Fix else None
        if edits is not None and len(edits) == 1:  # _rule_fix_span of one edit, in line (47,000 a story)
            edit = edits[0]
            start, end, proposed = edit.start, edit.end, edit.replacement
            if not (0 <= start <= end <= size):
                continue
            original = text[start:end]
            if proposed == original:
                continue
            applicability, source = fix.applicability, fix.source
            safe = applicability == Applicability.SAFE  # Fix.safe
        else:
            span = _rule_fix_span(f, text)
            if span is None:
                continue
            start, end, original, proposed, safe, _, source, applicability = span
        key = (start, end, proposed)
        i = seen.get(key)
        if i is not None:  # two rules proposing the same change: one suggestion (see suggestions)
            prev = rules[i]
            both = {prev[5], applicability}
            prev[5] = "safe" if both == {"safe"} else ("unsafe" if "unsafe" in both else None)
            prev[4] = prev[4] and safe
            continue
        seen[key] = len(rules)
        rules.append([start, end, original, proposed, safe, applicability, source, f.code])
    # Each change with its place in ``plan``'s order, (not a rewrite, start, end, unsafe group),
    # as one int (every span lies inside the text, so each part is below its radix): sorted
    # and compared in C, without a tuple per change.
    radix = size + 1
    changes: list[Change] = []
    places: list[int] = []
    add_change, add_place = changes.append, places.append
    new = object.__new__
    # One origin per distinct (kind, source, transforms, code), shared by the changes it
    # describes: nothing changes an origin once made (90,000 changes, a few dozen origins).
    origins: dict[tuple, ChangeOrigin] = {}
    for sent in doc.sentences:
        if not sent.rewrite:  # most sentences of a long story have no proposal
            continue
        span = _rewrite_span(sent, text)
        if span is not None:
            start, end, original = span
            rw = sent.rewrite
            key = (REWRITE, rw.get("source", "backtranslation"), tuple(rw.get("transforms") or ()), None)
            origin = origins.get(key)
            if origin is None:
                origin = origins[key] = ChangeOrigin(*key)
            # Change(...) without the frozen dataclass's __init__ (90,000 changes in a story of short lines)
            change = new(Change)
            state = change.__dict__
            state["start"], state["end"], state["original"] = start, end, original
            state["replacement"], state["kind"], state["ref"] = rw["text"], REWRITE, origin
            add_change(change)
            add_place((start * radix + end) * 2)
    rule_origins: dict[tuple, ChangeOrigin] = {}  # by (source, code)
    for start, end, original, proposed, safe, applicability, source, code in rules:
        if safe:
            group = 0
        elif unsafe and applicability == "unsafe":
            group = 1  # appended after the default changes
        else:
            continue
        origin = rule_origins.get((source, code))
        if origin is None:
            key = (RULE_FIX, source, (), code)
            origin = origins.get(key)
            if origin is None:
                origin = origins[key] = ChangeOrigin(*key)
            rule_origins[(source, code)] = origin
        change = new(Change)
        state = change.__dict__
        state["start"], state["end"], state["original"] = start, end, original
        state["replacement"], state["kind"], state["ref"] = proposed, RULE_FIX, origin
        add_change(change)
        add_place(((radix + start) * radix + end) * 2 + group)
    order = sorted(range(len(places)), key=places.__getitem__)  # stable, as sorting the changes by place
    ordered = list(map(changes.__getitem__, order))
    # Ties in (kind, span, group): suggestions() puts them in the order of their ids. Looked
    # for in C first: a long story seldom has any.
    keys = list(map(places.__getitem__, order))
    if not any(map(operator.eq, keys, keys[1:])):
        return ordered
    i, n = 0, len(ordered)
    while i < n:
        j = i + 1
        while j < n and keys[j] == keys[i]:
            j += 1
        if j - i > 1:
            ordered[i:j] = sorted(ordered[i:j], key=lambda c: suggestion_id(c.kind, c.start, c.end, c.original, c.replacement))
        i = j
    return ordered


require_fields(Change, ("start", "end", "original", "replacement", "kind", "ref"), "_story_changes")
