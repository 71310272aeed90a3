"""``--format rdjson``: reviewdog's diagnostic format (``reviewdog -f=rdjson``), one
``DiagnosticResult`` with a diagnostic per finding and each fix as suggestions (replacement
ranges with their text; an empty text deletes).

As reviewdog's proto specifies, lines start at 1 and columns count UTF-8 bytes from 1 (so a
Cyrillic letter before the span moves it by two). Severity: ERROR, WARNING, INFO.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Sequence

from mtcheck.document import Document
from mtcheck.engine import FileResult
from mtcheck.report import repo_path
from mtcheck.report.github import message
from mtcheck.sourcemap import outside

SOURCE = {"name": "mtcheck", "url": "https://example.invalid/mtcheck"}
SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}


class _Lines:
    """reviewdog positions in one text: 1-based lines, 1-based UTF-8 byte columns."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def position(self, offset: int) -> dict:
        i = bisect.bisect_right(self.starts, offset) - 1
        column = len(self.text[self.starts[i]:offset].encode("utf-8", "surrogatepass")) + 1
        return {"line": i + 1, "column": column}


def spans(doc: Document):
    """reviewdog's range of ``doc.text[start:end]``: in the original file for a wire story.
    ``span(start, end, finding)``: a finding about text the reader left out of the checked
    text (page furniture, a language declaration) points at that text in the file."""
    if doc.source is not None:
        src = doc.source
        lines = _Lines(src.source)

        def span(start: int, end: int, finding=None) -> dict:
            out = outside(finding) if finding is not None else None
            s0, s1 = out if out is not None else (src.source_offset(start), src.source_end(end))
            return {"start": lines.position(s0), "end": lines.position(s1)}
        return span
    lines = _Lines(doc.text)
    return lambda start, end, finding=None: {"start": lines.position(start), "end": lines.position(end)}


def report(results: Sequence[FileResult]) -> dict:
    diagnostics = []
    for r in results:
        if r.document is None:
            continue
        doc = r.document
        path = repo_path(r.path)
        span = spans(doc)
        for f in doc.findings:
            d = {
                "message": message(f),
                "location": {"path": path, "range": span(f.start, f.end, f)},
                "severity": SEVERITY[str(f.severity)],
                "source": SOURCE,
                "code": {"value": f.code},
            }
            # A wire story's replacement text would need the format's escaping (XML, JSON) to be
            # pasted into the file: reviewdog gets suggestions for plain stories only.
            if f.fix is not None and f.fix.edits and doc.source is None:
                d["suggestions"] = [{"range": span(e.start, e.end), "text": e.replacement} for e in f.fix.edits]
            diagnostics.append(d)
    return {"source": SOURCE, "diagnostics": diagnostics}


def render(results: Sequence[FileResult], signature: dict | None = None, **_) -> str:
    return json.dumps(report(results), ensure_ascii=False, indent=1) + "\n"
