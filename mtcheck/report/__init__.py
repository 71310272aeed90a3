"""Reporters: one module per output format, each turning scan results into text.

``summarize`` is shared so every format counts the same way.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from mtcheck.engine import FileResult, flagged_sentences

FORMATS = ("text", "json", "sarif", "html")


def summarize(results: Sequence[FileResult]) -> dict:
    by_category: Counter = Counter()
    by_severity: Counter = Counter()
    by_rule: Counter = Counter()
    sentences = flagged = 0
    for r in results:
        if r.document is None:
            continue
        sentences += len(r.document.sentences)
        flagged += len(flagged_sentences(r.document))
        for f in r.findings:
            by_category[f.category] += 1
            by_severity[str(f.severity)] += 1
            by_rule[f.code] += 1
    return {
        "files": len(results),
        "files_scanned": sum(1 for r in results if r.document is not None),
        "files_skipped": sum(1 for r in results if r.error is not None),
        "findings": sum(by_rule.values()),
        "by_category": dict(sorted(by_category.items())),
        "by_severity": dict(sorted(by_severity.items())),
        "by_rule": dict(sorted(by_rule.items())),
        "sentences": sentences,
        "flagged_sentences": flagged,
    }
