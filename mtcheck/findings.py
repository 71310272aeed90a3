"""What a rule reports: a Finding, optionally carrying a Fix.

Offsets are half-open, in code points, over the exact decoded text of the document,
so ``doc.text[f.start:f.end] == f.text`` always holds. Line and column are derived at
output time from the document, never stored relative to a line.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import Callable, Iterable

CATEGORIES = ("entity", "style", "boilerplate", "syntax", "language", "integrity", "suppression")


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, name: str) -> "Severity":
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {name!r} (expected error, warning or info)") from None

    def __str__(self) -> str:  # "error", "warning", "info" in every output format
        return self.name.lower()


class Applicability:
    """How far a fix may be trusted, as in ruff: only safe fixes are applied by default."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY = "display"  # shown to the editor, never applied automatically


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str

    def __init__(self, start: int, end: int, replacement: str):
        # The generated initialiser of a frozen dataclass sets each field through
        # object.__setattr__, three calls per edit: a tenth of the cost of a finding, and a
        # story of short lines has tens of thousands. The fields go into __dict__ directly.
        self.__dict__.update(start=start, end=end, replacement=replacement)


@dataclass
class Fix:
    edits: tuple[Edit, ...]
    applicability: str = Applicability.SAFE
    source: str = "rules"  # "rules" | "backtranslation" | "both"
    score: float | None = None

    @property
    def safe(self) -> bool:
        return self.applicability == Applicability.SAFE

    def applies(self, unsafe: bool = False) -> bool:
        """Whether this fix is applied automatically: a safe one always, an unsafe one with
        ``--unsafe-fixes``, one for display never."""
        return self.safe or (unsafe and self.applicability == Applicability.UNSAFE)


@dataclass
class Finding:
    code: str
    category: str
    severity: Severity
    start: int
    end: int
    text: str
    message: str
    suggestion: str | None = None
    fix: Fix | None = None
    data: dict = field(default_factory=dict)  # rule-specific details (e.g. the gazetteer entry)

    @property
    def safe_fix(self) -> bool:
        return self.fix is not None and self.fix.safe

    def sort_key(self) -> tuple:
        return (self.start, self.end, self.code)


def replacement_fix(start: int, end: int, replacement: str, safe: bool = True) -> Fix:
    """The common case: replace one span with one string."""
    # Fix(edits=..., applicability=..., source="rules") with its fields set straight into a
    # new one's __dict__ (the generated initialiser costs more: a finding in most have one).
    fix = _new_fix(Fix)
    fix.__dict__ = {"edits": (Edit(start, end, replacement),),
                    "applicability": Applicability.SAFE if safe else Applicability.UNSAFE, "source": "rules", "score": None}
    return fix


def require_fields(cls: type, names: tuple[str, ...], builder: str) -> None:
    """Fail at import unless dataclass ``cls`` has exactly the fields ``names``, in order.
    For a ``builder`` that sets them straight into a new instance's ``__dict__`` (the generated
    initialiser costs more than the work where hundreds of thousands are made): a field added
    later must not be silently left out."""
    if tuple(f.name for f in fields(cls)) != names:
        raise RuntimeError(f"{builder} sets a {cls.__name__}'s fields itself: give it the new field too")


_new_fix = Fix.__new__
require_fields(Fix, ("edits", "applicability", "source", "score"), "replacement_fix")


def apply_edits(text: str, edits: Iterable[Edit], expected: dict[tuple[int, int], str] | None = None) -> str:
    """Apply non-overlapping edits left to right, tracking the shift.

    An edit overlapping one already applied is skipped (the first one, by position, wins),
    as is one whose span no longer holds the text it was computed for (``expected``).
    """
    return apply_edits_mapped(text, edits, expected)[0]


def apply_edits_mapped(
    text: str, edits: Iterable[Edit], expected: dict[tuple[int, int], str] | None = None
) -> tuple[str, list[tuple[Edit, int]], Callable[[int], int]]:
    """``apply_edits``, also returning the edits applied (each with its start in the new text)
    and a function mapping an offset of ``text`` that no edit touched to the new text. The one
    edit applier: every cleaned text mtcheck produces goes through here."""
    out: list[str] = []
    applied: list[tuple[Edit, int]] = []
    shifts: list[tuple[int, int]] = []  # (original end, total shift after it)
    pos = delta = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < pos:
            continue
        if expected is not None:
            want = expected.get((edit.start, edit.end))
            if want is not None and text[edit.start:edit.end] != want:
                continue
        out.append(text[pos:edit.start])
        out.append(edit.replacement)
        applied.append((edit, edit.start + delta))
        delta += len(edit.replacement) - (edit.end - edit.start)
        shifts.append((edit.end, delta))
        pos = edit.end
    out.append(text[pos:])

    ends = [end for end, _ in shifts]  # built once: ``moved`` is asked once per protected span

    def moved(offset: int) -> int:
        i = bisect.bisect_right(ends, offset) - 1
        return offset + (shifts[i][1] if i >= 0 else 0)

    return "".join(out), applied, moved
