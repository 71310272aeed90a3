"""``--format sarif``: SARIF 2.1.0, one run, every rule described in tool.driver.rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from mtcheck import __version__
from mtcheck.baseline import FINGERPRINT_KEY, fingerprint_map
from mtcheck.codec import suppressed
from mtcheck.engine import FileResult
from mtcheck.rules import all_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
# SARIF's suppression kinds: a comment in the file, or something outside it (config, baseline).
_SUPPRESSION_KIND = {"inline": "inSource", "directive": "inSource"}


def _uri(path: str) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return p.resolve().as_uri()


def report(results: Sequence[FileResult], signature: dict | None = None, show_suppressed: bool = False) -> dict:
    rules = list(all_rules())
    index = {r.code: i for i, r in enumerate(rules)}
    sarif_results = []
    for r in results:
        if r.document is None:
            continue
        doc = r.document
        prints = fingerprint_map(doc)
        shown = [(f, None) for f in doc.findings]
        if show_suppressed:  # SARIF's own way: the result, with how it was suppressed
            shown = sorted(shown + list(suppressed(doc)), key=lambda e: e[0].sort_key())
        for f, by in shown:
            line, col, end_line, end_col = doc.finding_lines(f)
            res = {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": _LEVEL[str(f.severity)],
                "message": {"text": f.message + (f" (suggestion: {f.suggestion})" if f.suggestion else " (suggestion: delete)" if f.suggestion == "" else "")},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(r.path)},
                        "region": {
                            "startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col,
                            "charOffset": f.start, "charLength": f.end - f.start,
                            "snippet": {"text": f.text},
                        },
                    }
                }],
                "partialFingerprints": {FINGERPRINT_KEY: prints[id(f)]},
                "properties": {"category": f.category},
            }
            if by is not None:
                res["suppressions"] = [{"kind": _SUPPRESSION_KIND.get(by, "external"), "justification": by}]
            if f.fix is not None and f.suggestion is not None:
                res["fixes"] = [{
                    "description": {"text": (f"Replace with '{f.suggestion}'" if f.suggestion else "Delete") + ("" if f.safe_fix else " (unsafe)")},
                    "artifactChanges": [{
                        "artifactLocation": {"uri": _uri(r.path)},
                        "replacements": [{
                            "deletedRegion": {"charOffset": e.start, "charLength": e.end - e.start},
                            "insertedContent": {"text": e.replacement},
                        } for e in f.fix.edits],
                    }],
                }]
            sarif_results.append(res)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mtcheck",
                "version": __version__,
                "informationUri": "https://example.invalid/mtcheck",
                "rules": [{
                    "id": r.code,
                    "name": r.name,
                    "shortDescription": {"text": r.summary},
                    "fullDescription": {"text": r.why or r.summary},
                    "defaultConfiguration": {"level": _LEVEL[str(r.severity)]},
                    "properties": {"category": r.category, "fix": r.fix},
                } for r in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": sarif_results,
            "properties": {"signature": signature or {}},
        }],
    }


def render(results: Sequence[FileResult], signature: dict | None = None, show_suppressed: bool = False, **_) -> str:
    return json.dumps(report(results, signature, show_suppressed=show_suppressed), ensure_ascii=False, indent=1) + "\n"
