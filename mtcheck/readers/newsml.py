"""NewsML-G2: a ``newsItem`` (``contentMeta`` headline, subheadline, by, dateline; its
``contentSet``: NITF or XHTML in ``inlineXML``, or text in ``inlineData``), a ``newsMessage``
(one story per news item of its ``itemSet``), and the ``contentSet``/``contentMeta`` fragments
IPTC's guidelines show on their own."""

from __future__ import annotations

from mtcheck.readers import NOTE_MARK, Story, WireError
from mtcheck.readers.markup import Located, MarkupError, Node, emit_plain, parse_xml, plain_paragraphs
from mtcheck.readers.nitf import Lines, _flat, add_nitf, norm
from mtcheck.sourcemap import TextBuilder, rendering


def read(source: str, file: str, encoding: str) -> list[Story]:
    try:
        root = parse_xml(source)
    except MarkupError as e:
        raise WireError("malformed", str(e)) from None
    if root.name == "newsMessage":
        items = list(root.iter("newsItem"))
        if not items:
            raise WireError("empty", "news message without a news item")
        stories = [_story(item, source, file, encoding, n) for n, item in enumerate(items, 1)]
        for st in stories:
            if st.source is not None:
                st.source.meta["items"] = len(items)
        return stories
    return [_story(root, source, file, encoding, None)]


def _story(item: Node, source: str, file: str, encoding: str, number: int | None) -> Story:
    b = TextBuilder()
    where = Located(source, ctx="xml")
    lines = Lines(b, where)
    meta_node = item if item.name == "contentMeta" else item.first("contentMeta")
    headline = None
    if meta_node is not None:
        heads = meta_node.elements("headline")
        main = next((h for h in heads if "main" in h.attrs.get("role", "")), heads[0] if heads else None)
        if main is not None and norm(main.text()):
            headline = main.text()
            lines.block("headline", "contentMeta/headline", main, _flat(main))
        for sub in meta_node.elements("subheadline"):
            lines.block("subheadline", "contentMeta/subheadline", sub, _flat(sub))
        for by in meta_node.elements("by"):
            lines.block("byline", "contentMeta/by", by, _flat(by))
        for dl in meta_node.elements("dateline"):
            lines.block("dateline", "contentMeta/dateline", dl, _flat(dl))
    content = item if item.name == "contentSet" else item.first("contentSet")
    renderings = []
    if content is not None:
        # One rendering of the content is checked (the first that holds text); the others
        # (the same story as inlineData beside inlineXML, ...) get its fixes written in.
        checked = False
        for c in content.elements("inlineXML", "inlineData"):
            if not c.text().strip():
                continue
            if not checked:
                _add_content(lines, c, headline, renderings)
                checked = True
            else:
                alt = TextBuilder()
                _add_content(Lines(alt, where), c, headline, None)
                renderings.append(rendering(alt, "body", f"contentSet/{c.name}"))
    meta = {"root": item.name}
    if renderings:
        meta["renderings"] = renderings
    item_meta = item.first("itemMeta")
    if item_meta is not None:
        meta["itemMeta"] = [item_meta.start, item_meta.inner_start, item_meta.inner_end, item_meta.end]
        meta["itemMeta_children"] = [[c.name, c.tag, c.start, c.end] for c in item_meta.elements()]
    # The story's language: contentMeta/language, else the item's xml:lang.
    lang = (item, "xml:lang") if item.attrs.get("xml:lang") else None
    if meta_node is not None:
        ln = meta_node.first("language")
        if ln is not None and ln.attrs.get("tag"):
            lang = (ln, "tag")
    if lang is not None:
        node, attr = lang
        meta["language"] = node.attrs[attr].strip()
        meta["language_span"] = attr_span(source, node, attr)
    text, smap = b.build("newsml", file, source, encoding, item=number, meta=meta)
    if not any(ch.isalpha() for ch in text):
        what = "news item" + (f" {number}" if number else "")
        return Story(None, smap, WireError("empty", f"{what} holds no story text (no headline, no body)"))
    return Story(text, smap)


def attr_span(source: str, node: Node, attr: str) -> list[int]:
    """Where the value of attribute ``attr`` of ``node`` lies in the file (the whole start
    tag when it cannot be told)."""
    tag = source[node.start:node.inner_start]
    at = tag.find(attr)
    while at >= 0:
        rest = tag[at + len(attr):].lstrip()
        if rest.startswith("=") and (at == 0 or tag[at - 1].isspace()):
            q = rest[1:].lstrip()
            if q[:1] in ("'", '"'):
                k = node.start + len(tag) - len(q) + 1
                end = source.find(q[0], k)
                if end >= 0:
                    return [k, end]
        at = tag.find(attr, at + 1)
    return [node.start, node.inner_start]


def _add_content(lines: Lines, c: Node, headline: str | None, renderings: list | None) -> None:
    """The parts of one rendering of the content (``inlineXML`` or ``inlineData``). A NITF
    headline (hl1) repeating the item's headline is not checked again; ``renderings``, when
    given, gets it as another rendering of the headline, so a fix of the headline reaches it."""
    b = lines.b
    if c.name == "inlineData":
        text = c.text()
        # The data's own characters map straight into the file when it is one run.
        pieces = [p for p in c.children if not isinstance(p, Node)]
        if len(pieces) == 1 and len(pieces[0].text) == pieces[0].k1 - pieces[0].k0:
            loc = Located(pieces[0].text, base=pieces[0].k0, ctx="xml")
            for k0, k1 in plain_paragraphs(loc.text):
                if b.length:
                    b.separate("\n\n", loc.span(k0, k0)[0])
                b.begin_part("body", "contentSet/inlineData", loc.span(k0, k0)[0])
                emit_plain(b, loc, k0, k1, "xml")
                b.end_part(loc.span(k1, k1)[0])
        elif text.strip():
            lines.block("body", "contentSet/inlineData", c)
        return
    for child in c.elements():
        if child.name == "nitf":
            add_nitf(lines, child, skip_headline=headline)
            hl1 = _hl1(child)
            if renderings is not None and hl1 is not None and norm(headline or "") and norm(hl1.text()):
                alt = TextBuilder()
                Lines(alt, lines.where).block("headline", "nitf body.head/hedline/hl1", hl1)
                renderings.append(rendering(alt, "headline", "nitf body.head/hedline/hl1"))
        elif child.name == "html":
            body = child.first("body") or child
            lines.block("body", "contentSet/inlineXML/html", body)
        else:
            lines.block("body", f"contentSet/inlineXML/{child.name}", child)


def _hl1(nitf: Node) -> Node | None:
    node = nitf.first("body") or nitf
    for name in ("body.head", "hedline", "hl1"):
        node = node.first(name) if node is not None else None
    return node


# The order of itemMeta's children in the NewsML-G2 schema, up to edNote: a new pubStatus or
# edNote goes after the last element that has to precede it, so the item stays valid.
_ITEM_META_ORDER = ("itemClass", "provider", "versionCreated", "firstCreated", "embargoed", "availableAt", "pubStatus", "role",
                    "fileName", "generator", "profile", "service", "title", "edNote")


def record_verdict(smap, source: str, verdict: str, note: str | None) -> str | None:
    """``source`` with the item's ``pubStatus`` set from the verdict and, when ``note`` is
    given, an ``edNote`` added to its ``itemMeta``, each where the schema's order puts it and
    indented like its siblings; every other byte stays as it was."""
    from html import escape

    spans = smap.meta.get("itemMeta")
    if spans is None:
        return None
    children = smap.meta.get("itemMeta_children", [])
    prefix = ""
    if children:
        tag = children[0][1]
        prefix = tag.rpartition(":")[0] + ":" if ":" in tag else ""
    status = {"accepted": "stat:usable", "review": "stat:withheld", "rejected": "stat:withheld"}.get(verdict, "stat:withheld")
    replacements = []
    existing = [c for c in children if c[0] == "pubStatus"]
    element = f'<{prefix}pubStatus qcode="{status}"/>'
    if existing:
        replacements.append((existing[0][2], existing[0][3], element))
    else:
        at = _insert_at(children, "pubStatus", spans)
        replacements.append((at, None, _indent(source, children, at) + element))
    if note:
        element = f"<{prefix}edNote>{escape(note, quote=False)}</{prefix}edNote>"
        # A note an earlier gate run wrote is replaced, so re-gating an item never piles up
        # notes; a provider's own notes stay.
        ours = [c for c in children if c[0] == "edNote" and _gate_note(source, c)]
        if ours:
            replacements.append((ours[0][2], ours[0][3], element))
        else:
            at = _insert_at(children, "edNote", spans)
            replacements.append((at, None, _indent(source, children, at) + element))
    out, pos = [], 0
    for s0, s1, rep in sorted(replacements, key=lambda r: (r[0], r[1] is None)):
        out.append(source[pos:s0])
        out.append(rep)
        pos = s0 if s1 is None else s1
    out.append(source[pos:])
    return "".join(out)


def _gate_note(source: str, child) -> bool:
    """Whether an ``edNote`` child is one the gate wrote (its text starts with the mark)."""
    element = source[child[2]:child[3]]
    return element.partition(">")[2].lstrip().startswith(NOTE_MARK)


def _indent(source: str, children, at: int) -> str:
    """The line break and indentation before the ``itemMeta`` child an insertion at ``at``
    follows (empty when the children share a line)."""
    if not children:
        return ""
    start = children[0][2]
    for c in children:
        if c[3] <= at:
            start = c[2]
    before = source[:start]
    gap = before[len(before.rstrip(" \t\r\n")):]
    return ("\n" + gap.rpartition("\n")[2]) if "\n" in gap else ""
def _insert_at(children, name: str, spans) -> int:
    rank = _ITEM_META_ORDER.index(name)
    at = spans[1]  # just inside <itemMeta>
    for c in children:
        if c[0] in _ITEM_META_ORDER and _ITEM_META_ORDER.index(c[0]) <= rank:
            at = c[3]
    return at
