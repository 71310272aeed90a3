"""entity rules (prefix E). Placeholder: being written."""

from __future__ import annotations

from typing import Iterable

from mtcheck.document import Document
from mtcheck.findings import Finding
from mtcheck.rules.base import Context, Family

RULES = ()


def check(doc: Document, ctx: Context) -> Iterable[Finding]:
    return ()


FAMILY = Family(name="entity", prefix="E", rules=RULES, check=check)
