"""``--format gitlab``: a GitLab code-quality report (``artifacts: reports: codequality``).

A JSON array of issues, each with GitLab's fields: ``description``, ``check_name`` (the rule
code), ``fingerprint`` (the finding's baseline fingerprint with its occurrence: stable when
other sentences change, so GitLab tells new issues from old ones between branches),
``severity`` (info, minor, major, critical, blocker: mtcheck's error, warning and info are
major, minor and info) and ``location.path`` / ``location.lines.begin``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Sequence

from mtcheck.baseline import fingerprint_map
from mtcheck.engine import FileResult
from mtcheck.report import repo_path
from mtcheck.report.github import message

SEVERITY = {"error": "major", "warning": "minor", "info": "info"}
# GitLab's categories (the Code Climate spec's): translation damage reads as Style or Clarity.
CATEGORY = {"style": "Style", "boilerplate": "Style", "integrity": "Bug Risk", "suppression": "Style"}


def report(results: Sequence[FileResult]) -> list[dict]:
    issues = []
    for r in results:
        if r.document is None:
            continue
        doc = r.document
        path = repo_path(r.path)
        prints = fingerprint_map(doc)
        for f in doc.findings:
            line, _, end_line, _ = doc.finding_lines(f)
            issues.append({
                "type": "issue",
                "description": f"{f.code} {message(f)}",
                "check_name": f.code,
                "fingerprint": hashlib.sha256(f"{path}\0{prints[id(f)]}".encode("utf-8", "surrogatepass")).hexdigest()[:32],
                "severity": SEVERITY[str(f.severity)],
                "categories": [CATEGORY.get(f.category, "Clarity")],
                "location": {"path": path, "lines": {"begin": line, "end": end_line}},
            })
    return issues


def render(results: Sequence[FileResult], signature: dict | None = None, **_) -> str:
    return json.dumps(report(results), ensure_ascii=False, indent=1) + "\n"
