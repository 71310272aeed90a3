"""``--format text``: ``path:line:col: CODE [category] message (suggestion: ...)``."""

from __future__ import annotations

from typing import Sequence

from mtcheck.engine import FileResult
from mtcheck.fsutil import printable
from mtcheck.report import style as ansi_style
from mtcheck.report import summarize

_SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "cyan"}


def render(results: Sequence[FileResult], signature: dict | None = None, color: bool = False, show_rewrites: bool = True, **_) -> str:
    def style(text: str, **kw) -> str:
        return ansi_style(text, **kw) if color else text

    lines: list[str] = []
    for r in results:
        if r.error is not None:
            continue  # input errors go to stderr, one line each, from the CLI
        doc = r.document
        shown_path = printable(r.path)  # a file name may carry escape sequences: never send them raw
        # Each sentence's rewrite goes right under the last finding inside that sentence (or
        # where the sentence starts, when none does), so the fix reads with what it fixes.
        entries: list[tuple[int, int, str]] = []
        for f in doc.findings:
            line, col = doc.line_col(f.start)
            sev = str(f.severity)
            head = f"{style(shown_path, bold=True)}:{line}:{col}: {style(f.code, fg=_SEVERITY_COLOUR[sev], bold=True)} [{f.category}] {f.message}"
            if f.suggestion is not None:
                marker = "" if f.safe_fix else ", unsafe"
                shown = "delete" if f.suggestion == "" else repr(f.suggestion)
                head += f" (suggestion: {shown}{marker})"
            entries.append((f.start, 0, head))
        if show_rewrites:
            for s in doc.sentences:
                rw = s.rewrite
                if not rw:
                    continue
                anchor = max((f.start for f in doc.findings if s.start <= f.start < s.end), default=s.start)
                line, col = doc.line_col(s.start)
                if rw.get("accepted"):
                    text = f"rewrite ({rw['source']}, fix score {rw['fix_score']:.2f}): {rw['text']}"
                else:
                    text = f"no confident fix (best fix score {rw.get('fix_score', 0):.2f})"
                entries.append((anchor, 1, f"{shown_path}:{line}:{col}: {text}"))
        lines.extend(line for _, _, line in sorted(entries, key=lambda e: (e[0], e[1])))
    s = summarize(results)
    parts = [f"{s['findings']} finding{'s' if s['findings'] != 1 else ''}"]
    if s["by_category"]:
        parts.append(", ".join(f"{n} {c}" for c, n in s["by_category"].items()))
    parts.append(f"{s['files_scanned']} file{'s' if s['files_scanned'] != 1 else ''} scanned")
    if s["files_skipped"]:
        parts.append(f"{s['files_skipped']} skipped")
    parts.append(f"{s['flagged_sentences']}/{s['sentences']} sentences flagged")
    lines.append(style("; ".join(parts) + ".", bold=True))
    return "\n".join(lines) + "\n"
