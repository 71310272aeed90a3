"""What an editor decides on: suggestions, and how chosen changes are applied to a story.

A suggestion is one proposed change to one span of the original text, of one of two kinds:

- ``rule-fix``: the fix (or bare suggestion) of a rule finding, e.g. "LIH" → "ISIL";
- ``rewrite``: the scored rewrite of a flagged sentence (``sentence.scores["rewrite"]``),
  offered only when it cleared the acceptance bar.

Both come from the JSON scan record of a file (``mtcheck.report.json.file_record``), so the
review app (which caches those records), the HTML report and ``scan --diff`` see the same
suggestions. Where changes overlap, an accepted rewrite wins over rule fixes inside its
sentence (rewrites already fold the safe rule fixes in); otherwise the earlier one wins.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from mtcheck.findings import Edit, apply_edits

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

    def to_json(self) -> dict:
        return {
            "id": self.id, "kind": self.kind, "start": self.start, "end": self.end,
            "original": self.original, "proposed": self.proposed, "safe": self.safe,
            "score": self.score, "source": self.source, "code": self.code,
            "category": self.category, "message": self.message,
            "components": self.components, "candidates": list(self.candidates),
        }


def suggestion_id(kind: str, start: int, end: int, original: str, proposed: str) -> str:
    """Stable across re-scans of the same text, so a decision finds its suggestion again."""
    key = "\x1f".join((kind, str(start), str(end), original, proposed))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def suggestions_from_record(record: dict, text: str) -> list[Suggestion]:
    """Every suggestion in one file's JSON scan record, in text order."""
    out: list[Suggestion] = []
    seen: dict[tuple, int] = {}
    for f in record.get("findings", []):
        s = _rule_fix(f, text)
        if s is None:
            continue
        key = (s.start, s.end, s.proposed)
        if key in seen:  # two rules proposing the same change: one suggestion, both messages
            i = seen[key]
            prev = out[i]
            out[i] = replace(prev, message=f"{prev.message}; {s.message}", safe=prev.safe and s.safe)
            continue
        seen[key] = len(out)
        out.append(s)
    for sent in record.get("sentences", []):
        s = _rewrite(sent, text)
        if s is not None:
            out.append(s)
    out.sort(key=lambda s: (s.start, s.kind != REWRITE, s.end, s.id))
    return out


def _rule_fix(f: dict, text: str) -> Suggestion | None:
    fix = f.get("fix")
    if fix and fix.get("edits"):
        edits = [Edit(e["start"], e["end"], e["replacement"]) for e in fix["edits"]]
        safe = fix.get("applicability") == "safe"
        score = fix.get("score")
        source = fix.get("source", "rules")
    elif f.get("suggestion") is not None:
        edits = [Edit(f["start"], f["end"], f["suggestion"])]
        safe, score, source = False, None, "rules"
    else:
        return None
    start = min(e.start for e in edits)
    end = max(e.end for e in edits)
    if not (0 <= start <= end <= len(text)):
        return None
    original = text[start:end]
    proposed = apply_edits(original, [Edit(e.start - start, e.end - start, e.replacement) for e in edits])
    if proposed == original:
        return None
    return Suggestion(
        id=suggestion_id(RULE_FIX, start, end, original, proposed),
        kind=RULE_FIX, start=start, end=end, original=original, proposed=proposed,
        safe=safe, score=score, source=source, code=f.get("rule"), category=f.get("category"),
        message=f.get("message", ""),
    )


def _rewrite(sent: dict, text: str) -> Suggestion | None:
    rw = sent.get("rewrite")
    if not rw or not rw.get("accepted") or not rw.get("text"):
        return None
    start, end = sent["start"], sent["end"]
    original = text[start:end]
    if original != sent.get("text", original) or rw["text"] == original:
        return None
    candidates = tuple(
        c for c in rw.get("candidates", []) if isinstance(c, dict) and c.get("text") and c["text"] not in (rw["text"], original)
    )
    return Suggestion(
        id=suggestion_id(REWRITE, start, end, original, rw["text"]),
        kind=REWRITE, start=start, end=end, original=original, proposed=rw["text"],
        safe=False, score=rw.get("fix_score"), source=rw.get("source", "backtranslation"),
        code=None, category="rewrite", message=f"rewrite of a flagged sentence ({rw.get('source', 'backtranslation')})",
        components=dict(rw.get("components") or {}), candidates=candidates,
    )


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


def _overlaps(a: Change, b: Change) -> bool:
    if a.start == a.end or b.start == b.end:
        return a.start == b.start or (a.start < b.end and b.start < a.end)
    return a.start < b.end and b.start < a.end


def plan(text: str, changes: Iterable[Change]) -> tuple[list[Change], list[tuple[Change, str]]]:
    """Pick the changes that can be applied together: ones whose span no longer holds their
    original text are dropped ("text changed"), rewrites are placed before rule fixes, then
    earlier before later; a change overlapping one already placed is dropped ("superseded").
    Returns (kept in text order, [(dropped, reason)])."""
    kept: list[Change] = []
    dropped: list[tuple[Change, str]] = []
    ordered = sorted(changes, key=lambda c: (c.kind != REWRITE, c.start, c.end))
    for c in ordered:
        if not (0 <= c.start <= c.end <= len(text)) or text[c.start:c.end] != c.original:
            dropped.append((c, "text changed"))
        elif any(_overlaps(c, k) for k in kept):
            dropped.append((c, "superseded"))
        else:
            kept.append(c)
    kept.sort(key=lambda c: (c.start, c.end))
    return kept, dropped


def apply_changes(text: str, kept: Sequence[Change]) -> str:
    """Apply changes chosen by ``plan`` (non-overlapping, verified)."""
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
