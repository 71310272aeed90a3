"""The text formats, as ruff has them.

``--format concise`` (also ``text``, its old name): one line per finding,

    path:line:col: CODE severity [category] message (suggestion: ...)

the severity spelled out (a CI log has no colour; on a terminal it is coloured too).
``--format full``: the same line, then the sentence the finding is in with the span underlined.
A suppressed finding (``--show-suppressed``) ends in ``[suppressed: inline|per-file-ignores|baseline]``.
"""

from __future__ import annotations

import unicodedata
from typing import Sequence

from mtcheck.codec import suppressed
from mtcheck.document import Document
from mtcheck.engine import FileResult
from mtcheck.findings import Finding
from mtcheck.fsutil import printable
from mtcheck.report import style as ansi_style
from mtcheck.report import summarize

_SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "cyan"}
# How much of a long sentence ``full`` shows either side of the span (in characters).
CONTEXT = 60


def render(results: Sequence[FileResult], signature: dict | None = None, color: bool = False, show_rewrites: bool = True,
           full: bool = False, show_suppressed: bool = False, **_) -> str:
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
        shown: list[tuple[Finding, str | None]] = [(f, None) for f in doc.findings]
        if show_suppressed:
            shown += [(f, by) for f, by in suppressed(doc)]
            shown.sort(key=lambda e: e[0].sort_key())
        for f, by in shown:
            line, col = doc.finding_lines(f)[:2]
            sev = str(f.severity)
            head = (f"{style(shown_path, bold=True)}:{line}:{col}: {style(f.code, fg=_SEVERITY_COLOUR[sev], bold=True)} "
                    f"{style(sev, fg=_SEVERITY_COLOUR[sev])} [{f.category}] {printable(f.message)}")
            if f.suggestion is not None:
                marker = "" if f.safe_fix else ", unsafe"
                suggestion = "delete" if f.suggestion == "" else printable(repr(f.suggestion))
                head += f" (suggestion: {suggestion}{marker})"
            if by is not None:
                head += f" [suppressed: {by}]"
            if full:
                head += "\n" + snippet(doc, f, style)
            entries.append((f.start, 0, head))
        if show_rewrites:
            for s in doc.sentences:
                rw = s.rewrite
                if not rw:
                    continue
                anchor = max((f.start for f in doc.findings if s.start <= f.start < s.end), default=s.start)
                line, col = doc.line_col(s.start)
                if rw.get("accepted"):
                    text = f"rewrite ({rw['source']}{made_by(rw)}, fix score {rw['fix_score']:.2f}): {rw['text']}"
                else:
                    text = f"no confident fix (best fix score {rw.get('fix_score', 0):.2f})"
                entries.append((anchor, 1, f"{shown_path}:{line}:{col}: {text}"))
        lines.extend(line for _, _, line in sorted(entries, key=lambda e: (e[0], e[1])))
    lines.append(style(summary_line(summarize(results)), bold=True))
    return "\n".join(lines) + "\n"


def made_by(rw: dict) -> str:
    """'; transforms: a, b' for a rewrite the offline repairs made (and whether it joins the
    sentence before), '' for any other."""
    names = rw.get("transforms") or []
    if not names:
        return ""
    joined = "; joins the previous sentence" if "joins_previous" in rw else ""
    return f"; transforms: {', '.join(names)}{joined}"


def summary_line(s: dict) -> str:
    parts = [f"{s['findings']} finding{'s' if s['findings'] != 1 else ''}"]
    if s["by_category"]:
        parts.append(", ".join(f"{n} {c}" for c, n in s["by_category"].items()))
    if s.get("suppressed"):
        parts.append(f"{s['suppressed']} suppressed (" + ", ".join(f"{n} {by}" for by, n in s["suppressed_by"].items()) + ")")
    parts.append(f"{s['files_scanned']} file{'s' if s['files_scanned'] != 1 else ''} scanned")
    if s["files_skipped"]:
        parts.append(f"{s['files_skipped']} skipped")
    parts.append(f"{s['flagged_sentences']}/{s['sentences']} sentences flagged")
    return "; ".join(parts) + "."


def _width(ch: str) -> int:
    """Terminal columns of one character: wide East Asian letters take two, combining marks none."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def snippet(doc: Document, f: Finding, style=lambda t, **kw: t) -> str:
    """The sentence holding ``f`` on one line (line breaks shown as spaces, a long one cut to
    ``CONTEXT`` characters either side of the span) with the span underlined by carets."""
    s = doc.sentence_at(f.start)
    if s is not None:
        a, b = s.start, s.end
    else:  # outside every sentence (a blank stretch): the finding's own line
        _, col = doc.text_line_col(f.start)  # in the checked text (a wire story's line_col is the file's)
        a = f.start - (col - 1)
        b = f.end
        while b < len(doc.text) and doc.text[b] not in "\r\n":
            b += 1
    start, end = max(a, f.start), max(max(a, f.start), min(b, f.end))
    lead = trail = ""
    if start - a > CONTEXT:
        a, lead = start - CONTEXT, "…"
    if b - end > CONTEXT:
        b, trail = end + CONTEXT, "…"
    if end - start > 3 * CONTEXT:  # a huge span (a whole paragraph of junk): show its start
        b, end, trail = start + 3 * CONTEXT, start + 3 * CONTEXT, "…"

    def flat(text: str) -> str:
        return printable("".join(" " if c in "\r\n\t\f\v\u2028\u2029" else c for c in text))

    before, inside, after = flat(doc.text[a:start]), flat(doc.text[start:end]), flat(doc.text[end:b])
    line_no = str(doc.line_col(a)[0])
    gutter = " " * len(line_no)
    pad = sum(_width(c) for c in lead + before)
    carets = "^" * max(1, sum(_width(c) for c in inside))
    return "\n".join((
        f"{gutter} |",
        f"{line_no} | {lead}{before}{style(inside, bold=True)}{after}{trail}",
        f"{gutter} | {' ' * pad}{style(carets, fg='red')}",
    ))
