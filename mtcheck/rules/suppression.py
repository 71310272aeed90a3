"""suppression rules (prefix M): the suppressions themselves, as ruff's RUF100 is.

A story may switch rules off with directive comments (``<!-- mtcheck-disable E101 -->``, see
``mtcheck.suppress``). A directive that suppresses nothing is dead weight that hides the next
real problem in its range, and a directive naming an unknown rule is a typo that suppresses
nothing: both are reported. The findings are made by ``mtcheck.suppress`` after the other
families have run (whether a directive is used depends on their findings), so this family's
check finds nothing by itself; it is here so that the rule is listed, selected and ignored like
every other one.
"""

from __future__ import annotations

from typing import Iterable

from mtcheck.document import Document
from mtcheck.findings import Finding, Severity
from mtcheck.rules.base import Context, Family, Rule

UNUSED_SUPPRESSION = Rule(
    code="M101",
    name="unused-suppression",
    category="suppression",
    severity=Severity.WARNING,
    summary="Suppression comment that suppresses nothing, or names an unknown rule",
    why="A directive left behind after the text was fixed (or naming a rule that is not reported "
    "there) would silence the next real problem in its range without anyone noticing. The fix "
    "removes the unused codes, or the whole comment. Only rules that ran count: a directive for a "
    "neural rule is not reported by a --no-neural scan.",
    example="<!-- mtcheck-disable-next-line S105 --> above a line without a shouted word → (comment removed)",
    fix="safe",
)

RULES = (UNUSED_SUPPRESSION,)


def check(doc: Document, ctx: Context) -> Iterable[Finding]:
    return ()  # mtcheck.suppress reports M101 once the other families' findings are known


FAMILY = Family(name="suppression", prefix="M", rules=RULES, check=check)
