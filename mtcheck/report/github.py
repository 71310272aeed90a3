"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

    ::error file=stories/a.txt,line=3,col=236,endLine=3,endColumn=239,title=E101 error [entity]::"LIH" looks like ...

Per GitHub's workflow-command syntax, the message escapes ``%``, CR and LF (``%25``, ``%0D``,
``%0A``) and a property value also ``:`` and ``,`` (``%3A``, ``%2C``). Severities map to the
three annotation levels: error, warning, notice (info). Columns count code points, as the
other formats do. Nothing else is printed: the step's log shows the annotations.
"""

from __future__ import annotations

from typing import Sequence

from mtcheck.engine import FileResult
from mtcheck.fsutil import printable
from mtcheck.report import repo_path

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def message(f) -> str:
    text = f.message
    if f.suggestion is not None:
        text += " (suggestion: " + ("delete" if f.suggestion == "" else repr(f.suggestion)) + ("" if f.safe_fix else ", unsafe") + ")"
    return text


def render(results: Sequence[FileResult], signature: dict | None = None, **_) -> str:
    lines = []
    for r in results:
        if r.document is None:
            continue
        doc = r.document
        path = repo_path(r.path)
        for f in doc.findings:
            line, col, end_line, end_col = doc.finding_lines(f)
            props = {
                "file": path, "line": line, "col": col, "endLine": end_line, "endColumn": end_col,
                "title": f"{f.code} {f.severity} [{f.category}]",
            }
            head = ",".join(f"{k}={escape_property(printable(str(v)))}" for k, v in props.items())
            # printable: a control character of the wire text must not reach the runner's log raw.
            lines.append(f"::{LEVEL[str(f.severity)]} {head}::{escape_data(printable(message(f)))}")
    return "".join(line + "\n" for line in lines)
