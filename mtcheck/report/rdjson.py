"""``--format rdjson``: reviewdog's diagnostic format (``reviewdog -f=rdjson``), one
``DiagnosticResult`` with a diagnostic per finding and each fix as suggestions (replacement
ranges with their text; an empty text deletes).

As reviewdog's proto specifies, lines start at 1 and columns count UTF-8 bytes from 1 (so a
Cyrillic letter before the span moves it by two). Severity: ERROR, WARNING, INFO.
"""

from __future__ import annotations

import json
from typing import Sequence

from mtcheck.document import Document
from mtcheck.engine import FileResult
from mtcheck.report import repo_path
from mtcheck.report.github import message

SOURCE = {"name": "mtcheck", "url": "https://example.invalid/mtcheck"}
SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}


def position(doc: Document, offset: int) -> dict:
    line, col = doc.line_col(offset)
    line_start = offset - (col - 1)
    return {"line": line, "column": len(doc.text[line_start:offset].encode("utf-8", "surrogatepass")) + 1}


def span(doc: Document, start: int, end: int) -> dict:
    return {"start": position(doc, start), "end": position(doc, end)}


def report(results: Sequence[FileResult]) -> dict:
    diagnostics = []
    for r in results:
        if r.document is None:
            continue
        doc = r.document
        path = repo_path(r.path)
        for f in doc.findings:
            d = {
                "message": message(f),
                "location": {"path": path, "range": span(doc, f.start, f.end)},
                "severity": SEVERITY[str(f.severity)],
                "source": SOURCE,
                "code": {"value": f.code},
            }
            if f.fix is not None and f.fix.edits:
                d["suggestions"] = [{"range": span(doc, e.start, e.end), "text": e.replacement} for e in f.fix.edits]
            diagnostics.append(d)
    return {"source": SOURCE, "diagnostics": diagnostics}


def render(results: Sequence[FileResult], signature: dict | None = None, **_) -> str:
    return json.dumps(report(results), ensure_ascii=False, indent=1) + "\n"
