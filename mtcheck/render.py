"""The one renderer of a reviewed story: the highlighted document, word-level diffs and
suggestion cards, shared by the review web app, the HTML report and the terminal diff.

It builds a *view tree* — nested lists ``[tag, {attr: value}, child, ...]`` whose leaves are
plain strings — from JSON scan records (``mtcheck.report.json.file_record``). Two small
serializers turn the same tree into output, so what is highlighted and how a diff is split
is decided once, here:

- ``to_html`` (this module) writes HTML for the static report, escaping every string with
  ``html.escape``;
- ``build`` in ``review/static/app.js`` makes DOM nodes for the web app with
  ``createElement``/``createTextNode``, never ``innerHTML``.

Both accept only the tags and attributes listed below, so story text can never become
markup, a script or an event handler.
"""

from __future__ import annotations

import difflib
import html
import re
from typing import Iterable, Sequence

from mtcheck.findings import CATEGORIES

Node = list  # [tag, attrs, *children]; children are Nodes or str

TAGS = frozenset(
    "div span mark del ins p h2 h3 h4 table thead tbody tr th td ul ol li small strong em code "
    "section header details summary kbd".split()
)
ATTRS = frozenset("class id title tabindex role lang aria-label aria-hidden".split())
_DATA_ATTR = re.compile(r"data-[a-z][a-z0-9-]*\Z")

CATEGORY_ORDER = CATEGORIES  # the order chips and counts are shown in
_SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}


def h(tag: str, attrs: dict | None = None, *children) -> Node:
    """A tree node; None children are dropped, lists of nodes are spliced."""
    out: Node = [tag, attrs or {}]
    for child in children:
        if child is None or child == "":
            continue
        if isinstance(child, tuple):
            out.extend(c for c in child if c is not None and c != "")
        else:
            out.append(child)
    return out


def attr_allowed(name: str) -> bool:
    return name in ATTRS or bool(_DATA_ATTR.match(name))


def to_html(node: Node | str) -> str:
    """Serialize a view tree; every text and attribute value is escaped."""
    if isinstance(node, str):
        return html.escape(node, quote=False)
    tag, attrs, *children = node
    if tag not in TAGS:
        raise ValueError(f"tag not allowed in a view tree: {tag!r}")
    parts = [f"<{tag}"]
    for name, value in attrs.items():
        if not attr_allowed(name):
            raise ValueError(f"attribute not allowed in a view tree: {name!r}")
        parts.append(f' {name}="{html.escape(str(value), quote=True)}"')
    parts.append(">")
    parts.extend(to_html(c) for c in children)
    parts.append(f"</{tag}>")
    return "".join(parts)


def text_of(node: Node | str) -> str:
    """The visible text of a tree (what a reader would see), for tests and plain output."""
    if isinstance(node, str):
        return node
    return "".join(text_of(c) for c in node[2:])


# -- word-level diff ------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|\s+|[^\w\s]")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff as ``(op, text)`` with op ``=`` (kept), ``-`` (deleted), ``+`` (inserted).

    Concatenating the ``=`` and ``-`` pieces gives ``old``; the ``=`` and ``+`` pieces give
    ``new``. Whitespace alone between two changes is folded into them, so a rewritten phrase
    reads as one deletion and one insertion rather than a word salad.
    """
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("+", "".join(b[j1:j2])))
    ops = _fold_whitespace(ops)
    return _merge(ops)


def _fold_whitespace(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for i, (op, text) in enumerate(ops):
        between_changes = (
            op == "=" and text.isspace() and 0 < i < len(ops) - 1
            and ops[i - 1][0] != "=" and ops[i + 1][0] != "="
        )
        if between_changes:
            out.append(("-", text))
            out.append(("+", text))
        else:
            out.append((op, text))
    # Regroup each run of changes as all deletions, then all insertions.
    grouped: list[tuple[str, str]] = []
    run: list[tuple[str, str]] = []
    for item in out + [("=", "")]:
        if item[0] == "=":
            grouped.extend(x for x in run if x[0] == "-")
            grouped.extend(x for x in run if x[0] == "+")
            run = []
            grouped.append(item)
        else:
            run.append(item)
    return grouped


def _merge(ops: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for op, text in ops:
        if not text:
            continue
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))
    return out


def diff_tree(old: str, new: str) -> Node:
    """Both diff layouts in one node; CSS shows one (``.view-inline`` / ``.view-sbs``)."""
    ops = word_diff(old, new)
    inline = h("div", {"class": "d-inline"}, *(_op_node(op, t) for op, t in ops))
    left = h("div", {"class": "d-old", "aria-label": "original"}, *(_op_node(op, t) for op, t in ops if op != "+"))
    right = h("div", {"class": "d-new", "aria-label": "proposed"}, *(_op_node(op, t) for op, t in ops if op != "-"))
    return h("div", {"class": "diff"}, inline, h("div", {"class": "d-sbs"}, left, right))


def _op_node(op: str, text: str) -> Node | str:
    if op == "-":
        return h("del", {}, text)
    if op == "+":
        return h("ins", {}, text)
    return text


# -- the highlighted document ---------------------------------------------------------------

def finding_message(f: dict) -> str:
    msg = f"{f['rule']} [{f['category']}] {f['message']}"
    if f.get("suggestion") is not None:
        msg += f" → {f['suggestion']}"
    return msg


def document_tree(text: str, findings: Sequence[dict], suggestions: Sequence = (), sentences: Sequence[dict] = ()) -> Node:
    """The story verbatim, every finding marked by category with its message (``data-msg``,
    shown on hover and focus), suggestion spans tagged ``data-s`` and flagged sentences
    shaded. ``findings`` are JSON finding records; ``suggestions`` have start/end/id."""
    cuts = {0, len(text)}
    spans = []
    for i, f in enumerate(findings):
        if 0 <= f["start"] <= f["end"] <= len(text):
            cuts.update((f["start"], f["end"]))
            spans.append(("f", i, f["start"], f["end"]))
    for s in suggestions:
        cuts.update((s.start, s.end))
        spans.append(("s", s.id, s.start, s.end))
    for s in sentences:
        if s.get("flagged"):
            cuts.update((s["start"], s["end"]))
            spans.append(("q", s, s["start"], s["end"]))
    cuts = sorted(c for c in cuts if 0 <= c <= len(text))

    children: list = []
    seen_findings: set[int] = set()
    # Zero-width findings (an insertion point) get an empty marker at their offset.
    zero_width = {f["start"]: i for i, f in enumerate(findings) if f["start"] == f["end"]}
    for a, b in zip(cuts, cuts[1:] + [None]):
        if a in zero_width:
            f = findings[zero_width.pop(a)]
            children.append(h("mark", {"class": f"f zw cat-{f['category']} sev-{f['severity']}",
                                       "data-msg": finding_message(f), "tabindex": "0"}))
        if b is None or b <= a:
            continue
        cover_f = [i for kind, i, s, e in spans if kind == "f" and s <= a and e >= b and s < e]
        cover_s = [i for kind, i, s, e in spans if kind == "s" and s <= a and e >= b and s < e]
        cover_q = [q for kind, q, s, e in spans if kind == "q" and s <= a and e >= b]
        piece = text[a:b]
        if cover_f:
            worst = max(cover_f, key=lambda i: (_SEVERITY_RANK.get(findings[i]["severity"], 0), -i))
            f = findings[worst]
            attrs = {
                "class": f"f cat-{f['category']} sev-{f['severity']}" + (" sg" if cover_s else "") + (" flag" if cover_q else ""),
                "data-f": " ".join(f"f{i}" for i in cover_f),
                "data-msg": "\n".join(finding_message(findings[i]) for i in cover_f),
                "aria-label": "; ".join(finding_message(findings[i]) for i in cover_f),
            }
            if cover_s:
                attrs["data-s"] = " ".join(cover_s)
            if any(i not in seen_findings for i in cover_f):
                attrs["tabindex"] = "0"  # one tab stop per finding, at its first piece
                seen_findings.update(cover_f)
            children.append(h("mark", attrs, piece))
        elif cover_s or cover_q:
            attrs = {"class": ("sg" if cover_s else "") + (" flag" if cover_q else "")}
            attrs["class"] = attrs["class"].strip()
            if cover_s:
                attrs["data-s"] = " ".join(cover_s)
            if cover_q and cover_q[0].get("quality") is not None:
                attrs["title"] = f"sentence quality {cover_q[0]['quality']:.2f}"
            children.append(h("span", attrs, piece))
        else:
            children.append(piece)
    return h("div", {"class": "doc", "lang": "en"}, *children)


def category_counts(findings: Sequence[dict]) -> dict[str, int]:
    counts = {c: 0 for c in CATEGORY_ORDER}
    for f in findings:
        counts[f["category"]] = counts.get(f["category"], 0) + 1
    return {c: n for c, n in counts.items() if n}


def counts_tree(counts: dict[str, int]) -> Node:
    return h("span", {"class": "counts"}, *(
        h("span", {"class": f"chip cat-{c}", "title": f"{n} {c} finding{'s' if n != 1 else ''}"}, f"{c} {n}")
        for c, n in counts.items()
    ))


def findings_table(findings: Sequence[dict]) -> Node:
    rows = [
        h("tr", {"class": f"cat-{f['category']}", "data-f": f"f{i}"},
          h("td", {}, f"{f.get('line', '')}:{f.get('col', '')}"),
          h("td", {}, h("code", {}, f["rule"])),
          h("td", {}, h("span", {"class": f"chip cat-{f['category']}"}, f["category"])),
          h("td", {"class": f"sev-{f['severity']}"}, f["severity"]),
          h("td", {}, h("span", {"class": "quote"}, f["text"])),
          h("td", {}, f["message"]),
          h("td", {}, f.get("suggestion") if f.get("suggestion") is not None else ""))
        for i, f in enumerate(findings)
    ]
    head = h("tr", {}, *(h("th", {}, t) for t in ("line:col", "rule", "category", "severity", "text", "message", "suggestion")))
    return h("table", {"class": "findings"}, h("thead", {}, head), h("tbody", {}, *rows))


# -- suggestion cards -----------------------------------------------------------------------

STATE_LABELS = {
    "pending": "pending",
    "accept": "accepted",
    "reject": "rejected",
    "edit": "edited",
    "stale": "stale",
    "superseded": "superseded by an accepted rewrite",
}


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def suggestion_card(s, state: str = "pending", text: str | None = None, line: int | None = None,
                    note: str | None = None) -> Node:
    """One suggestion: what it changes (word diff), why, its score and components, and the
    other candidates. ``text`` replaces the proposal when the editor wrote their own; the
    empty ``.actions`` div is where the web app puts its buttons."""
    final = s.proposed if text is None else text
    head = h(
        "div", {"class": "card-head"},
        h("span", {"class": f"kind kind-{s.kind}"}, "rewrite" if s.kind == "rewrite" else "rule fix"),
        h("code", {"class": "code"}, s.code) if s.code else None,
        h("span", {"class": f"chip cat-{s.category}"}, s.category) if s.category and s.kind != "rewrite" else None,
        h("span", {"class": "badge safe", "title": "safe fix: applied by 'accept all safe fixes'"}, "safe") if s.safe else None,
        h("span", {"class": "score", "title": "fix score"}, f"fix score {s.score:.2f}") if s.score is not None else None,
        h("span", {"class": "where"}, f"line {line}") if line else None,
        h("span", {"class": f"state state-{state}"}, STATE_LABELS.get(state, state)),
    )
    body = [head, h("div", {"class": "msg"}, s.message) if s.message else None]
    if note:
        body.append(h("div", {"class": "note"}, note))
    body.append(diff_tree(s.original, final))
    if text is not None and text != s.proposed:
        body.append(h("div", {"class": "was"}, "proposed: ", h("span", {"class": "quote"}, s.proposed)))
    if s.components:
        body.append(h("table", {"class": "components", "aria-label": "fix score components"}, h("tbody", {}, *(
            h("tr", {}, h("th", {}, name), h("td", {}, _fmt(value))) for name, value in s.components.items()
        ))))
    if s.candidates:
        items = []
        for i, c in enumerate(s.candidates):
            score = c.get("fix_score")
            items.append(h(
                "li", {"data-cand": str(i)},
                h("span", {"class": "score"}, f"{score:.2f}") if isinstance(score, (int, float)) else None,
                h("span", {"class": "src"}, c.get("source", "")),
                h("div", {"class": "cand-text"}, *(_op_node(op, t) for op, t in word_diff(s.original, c.get("text", "")))),
            ))
        body.append(h("details", {"class": "candidates"},
                      h("summary", {}, f"{len(s.candidates)} other candidate{'s' if len(s.candidates) != 1 else ''}"),
                      h("ol", {}, *items)))
    body.append(h("div", {"class": "actions"}))
    cat = f" cat-{s.category}" if s.category else ""
    return h("div", {"class": f"card kind-{s.kind}{cat} st-{state}", "data-id": s.id, "id": f"card-{s.id}"}, *body)
