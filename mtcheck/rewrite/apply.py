"""The changes ``mtcheck fix`` makes to one scanned story, and the cleaned text.

The changes are those of ``mtcheck.review.suggestions`` (the same ones ``scan --diff`` and the
review app apply by default): accepted rewrites, and safe rule fixes; with ``unsafe`` also the
rule fixes marked unsafe. An accepted rewrite wins over the rule fixes inside its sentence (it
already folds them in); other overlaps: the earlier change wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mtcheck.engine import FileResult
from mtcheck.findings import Finding
from mtcheck.review.suggestions import (
    REWRITE,
    RULE_FIX,
    Change,
    apply_changes,
    default_changes,
    plan,
    suggestions_from_record,
)


@dataclass
class FixedStory:
    path: str
    original: str
    text: str  # the cleaned text
    rewrites: int = 0
    rule_fixes: int = 0
    dropped: list[tuple[Change, str]] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)  # findings no applied change covers

    @property
    def changed(self) -> bool:
        return self.text != self.original


def fix_story(result: FileResult, unsafe: bool = False) -> FixedStory:
    from mtcheck.report.json import file_record

    doc = result.document
    assert doc is not None
    record = file_record(result)
    suggestions = suggestions_from_record(record, doc.text)
    changes = default_changes(suggestions)
    if unsafe:
        unsafe_spans = {
            (f["start"], f["end"], f["rule"]) for f in record["findings"]
            if (f.get("fix") or {}).get("applicability") == "unsafe"
        }
        changes += [
            Change(s.start, s.end, s.original, s.proposed, s.kind, s) for s in suggestions
            if s.kind == RULE_FIX and not s.safe and any(
                code == s.code and a <= s.start and s.end <= b for a, b, code in unsafe_spans
            )
        ]
    kept, dropped = plan(doc.text, changes)
    text = apply_changes(doc.text, kept)
    remaining = [f for f in doc.findings if not any(_covers(c, f) for c in kept)]
    # A rewrite made of rule fixes only (source "rules") counts as those rule fixes.
    rewrites = [c for c in kept if c.kind == REWRITE and getattr(c.ref, "source", "") != "rules"]
    rule_fixes = sum(c.kind == RULE_FIX for c in kept) + sum(
        sum(1 for f in doc.findings if f.fix is not None and _covers(c, f))
        for c in kept if c.kind == REWRITE and getattr(c.ref, "source", "") == "rules"
    )
    return FixedStory(
        path=result.path, original=doc.text, text=text, rewrites=len(rewrites), rule_fixes=rule_fixes,
        dropped=dropped, remaining=remaining,
    )


def _covers(change: Change, f: Finding) -> bool:
    if change.kind == REWRITE:
        return change.start <= f.start and f.end <= change.end
    # A rule fix replaced this span: the findings inside it that offered a fix are addressed
    # (two rules proposing the same change share one suggestion).
    return change.start <= f.start and f.end <= change.end and f.fix is not None
