"""Syntax findings from the neural sentence-quality score (X2xx); part of the syntax family.

Placeholder: being written (issue "sentence quality"). Reads ``sentence.scores["quality"]``,
set by ``mtcheck.quality.annotate_quality`` before the rules run; never imports torch.
"""

from __future__ import annotations

from typing import Iterable

from mtcheck.document import Document
from mtcheck.findings import Finding
from mtcheck.rules.base import Context

RULES = ()


def check(doc: Document, ctx: Context) -> Iterable[Finding]:
    return ()
