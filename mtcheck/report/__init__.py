"""Reporters: one module per output format, each turning scan results into text.

``summarize`` is shared so every format counts the same way.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from mtcheck.engine import FileResult

FORMATS = ("text", "json", "sarif", "html")

# ANSI colours of the terminal formats (the same escapes click.style writes).
_ANSI_FG = {"red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36}


def style(text: str, fg: str | None = None, bold: bool | None = None, reverse: bool | None = None) -> str:
    bits = []
    if fg:
        bits.append(f"\033[{_ANSI_FG[fg]}m")
    if bold is not None:
        bits.append(f"\033[{1 if bold else 22}m")
    if reverse is not None:
        bits.append(f"\033[{7 if reverse else 27}m")
    return "".join(bits) + text + "\033[0m"


def summarize(results: Sequence[FileResult]) -> dict:
    by_category: Counter = Counter()
    by_severity: Counter = Counter()
    by_rule: Counter = Counter()
    sentences = flagged = 0
    for r in results:
        if r.document is None:
            continue
        sentences += len(r.document.sentences)
        flagged += len(r.document.flagged_sentences())
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
