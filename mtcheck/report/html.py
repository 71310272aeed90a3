"""``--format html``: one self-contained page (inline CSS and JS, no network) for sharing.

The highlighted documents, diffs and suggestion cards come from ``mtcheck.render``, the
same renderer as the review app, serialized with ``to_html`` (every string escaped). A
Content-Security-Policy that allows only the page's own inline style and script (by hash)
keeps it from loading anything, even if opened from a mail client's cache.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Sequence

from mtcheck.engine import FileResult
from mtcheck.render import (
    category_counts,
    counts_tree,
    document_tree,
    findings_table,
    h,
    suggestion_card,
    to_html,
)
from mtcheck.report import summarize

STATIC = Path(__file__).resolve().parent.parent / "review" / "static"

# Toggles the diff layout; the only script on the page.
_SCRIPT = """
document.getElementById('toggle-view').addEventListener('click', function () {
  var b = document.body, sbs = b.classList.toggle('view-sbs');
  b.classList.toggle('view-inline', !sbs);
  this.textContent = sbs ? 'Inline diffs' : 'Side-by-side diffs';
});
"""


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode() + "'"


def file_section(index: int, result: FileResult) -> list:
    from mtcheck.changes import REWRITE
    from mtcheck.changes import suggestions as all_suggestions
    from mtcheck.report.json import file_record

    doc = result.document
    record = file_record(result)
    findings = record["findings"]
    suggestions = all_suggestions(doc)
    cards = [
        suggestion_card(s, state="proposed", line=doc.line_col(s.start)[0],
                        note=None if (s.kind == REWRITE or s.safe) else "not applied automatically: needs an editor")
        for s in suggestions
    ]
    for sent in record["sentences"]:
        rw = sent.get("rewrite")
        if rw and not rw.get("accepted"):
            score = rw.get("fix_score")
            cards.append(h("div", {"class": "card nofix"},
                           f"line {doc.line_col(sent['start'])[0]}: no confident fix"
                           + (f" (best fix score {score:.2f})" if isinstance(score, (int, float)) else "")))
    header = h("header", {"class": "file-head"},
               h("h2", {}, result.path),
               h("small", {"class": "enc"}, doc.encoding),
               counts_tree(category_counts(findings)),
               h("small", {}, f"{len(findings)} finding{'s' if len(findings) != 1 else ''}, "
                              f"{len(suggestions)} suggestion{'s' if len(suggestions) != 1 else ''}"))
    return h("section", {"class": "file", "id": f"file-{index}"},
             header,
             h("div", {"class": "panes"},
               h("div", {"class": "pane-doc"}, document_tree(doc.text, findings, suggestions, record["sentences"])),
               h("div", {"class": "pane-cards"}, *cards) if cards else h("div", {"class": "pane-cards empty"}, "No suggestions.")),
             h("details", {"class": "findings-list"},
               h("summary", {}, f"All findings ({len(findings)})"),
               findings_table(findings)) if findings else None)


def render(results: Sequence[FileResult], signature: dict | None = None, **_) -> str:
    results = list(results)
    summary = summarize(results)
    scanned = [r for r in results if r.document is not None]
    toc = h("ul", {"class": "toc"}, *(
        h("li", {}, h("span", {"class": "toc-path"}, r.path), " ", counts_tree(category_counts(
            [{"category": f.category} for f in r.findings])))
        for r in scanned
    ))
    errors = [r for r in results if r.error is not None]
    body = h(
        "div", {"class": "report"},
        h("header", {"class": "top"},
          h("h2", {}, "mtcheck report"),
          h("p", {"class": "summary"},
            f"{summary['findings']} findings in {summary['files_scanned']} file(s); "
            f"{summary['flagged_sentences']}/{summary['sentences']} sentences flagged",
            " ", counts_tree(summary["by_category"]))),
        toc,
        h("section", {"class": "errors"}, h("h3", {}, "Skipped files"),
          h("ul", {}, *(h("li", {}, f"{r.path}: {r.error.message}") for r in errors))) if errors else None,
        *(file_section(i, r) for i, r in enumerate(scanned)),
        h("details", {"class": "signature"}, h("summary", {}, "Scan signature"),
          h("code", {}, json.dumps(signature or {}, ensure_ascii=False, sort_keys=True))),
    )
    css = (STATIC / "review.css").read_text(encoding="utf-8")
    csp = f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(_SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>mtcheck report</title>\n"
        f"<style>{css}</style>\n</head>\n<body class=\"view-inline static-report\">\n"
        "<div class=\"toolbar\"><button type=\"button\" id=\"toggle-view\">Side-by-side diffs</button></div>\n"
        f"{to_html(body)}\n<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
