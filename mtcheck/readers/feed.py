"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: one story per item/entry, its title and its
content (``content:encoded``/Atom ``content``, else ``description``/``summary``), the HTML
those hold parsed out. ``feedparser`` names the feed's version and counts its entries; the
text and its positions come from the position-keeping XML tree (``markup.parse_xml``)."""

from __future__ import annotations

from mtcheck.readers import Story, WireError
from mtcheck.readers.markup import Located, MarkupError, Node, Piece, blocks, emit_block, parse_html, parse_xml
from mtcheck.sourcemap import TextBuilder


def _located(node: Node) -> tuple[Located, str]:
    """The text of ``node`` (entity references decoded) with each character's file span."""
    chars, starts, ends = [], [], []
    cdata = False
    for p in node.children:
        if not isinstance(p, Piece):
            continue
        cdata = cdata or p.cdata
        if len(p.text) == p.k1 - p.k0:
            chars.append(p.text)
            starts.extend(range(p.k0, p.k1))
            ends.extend(range(p.k0 + 1, p.k1 + 1))
        else:
            chars.append(p.text)
            starts.extend([p.k0] * len(p.text))
            ends.extend([p.k1] * len(p.text))
    return Located("".join(chars), starts=starts, ends=ends), ("cdata+html" if cdata else "xml+html")


def read(source: str, file: str, encoding: str) -> list[Story]:
    import feedparser

    try:
        root = parse_xml(source)
    except MarkupError as e:
        raise WireError("malformed", str(e)) from None
    # Only the feed's version and its entry count are taken from feedparser: its HTML
    # sanitising and link resolving (most of its time) are not needed for that.
    parsed = feedparser.parse(source, sanitize_html=False, resolve_relative_uris=False)
    if root.name == "feed":
        items = root.elements("entry")
    elif root.name == "rss":
        channel = root.first("channel")
        items = channel.elements("item") if channel is not None else []
    else:  # RDF
        items = root.elements("item")
    if not items:
        raise WireError("empty", "feed without items")
    if len(parsed.entries) != len(items):
        raise WireError("malformed", f"feed with {len(items)} items of which feedparser reads {len(parsed.entries)}")
    version = parsed.get("version") or root.name
    stories = [_story(item, n, source, file, encoding, version) for n, item in enumerate(items, 1)]
    channel = root.first("channel") if root.name == "rss" else root
    for item, st in zip(items, stories):
        if st.source is not None:
            st.source.meta["items"] = len(items)
            lang = _language(item, channel, source)
            if lang is not None:
                st.source.meta["language"], st.source.meta["language_span"] = lang
    return stories


def _language(item: Node, channel: Node | None, source: str) -> tuple[str, list[int]] | None:
    """The declared language of a feed item: its own (Atom ``xml:lang``, ``dc:language``),
    else the feed's (RSS ``<language>``, Atom ``xml:lang`` on the feed)."""
    from mtcheck.readers.newsml import attr_span

    for node in (item, channel):
        if node is None:
            continue
        if node.attrs.get("xml:lang", "").strip():
            return node.attrs["xml:lang"].strip(), attr_span(source, node, "xml:lang")
        el = node.first("language")
        if el is not None and el.text().strip():
            return el.text().strip(), [el.inner_start, el.inner_end]
    return None


def _story(item: Node, number: int, source: str, file: str, encoding: str, version: str) -> Story:
    b = TextBuilder()
    title = item.first("title")
    content = item.first("encoded") or (item.first("content") if item.first("content") is not None else None)
    if content is None or not content.text().strip():
        content = item.first("description") or item.first("summary")
    parts = []
    if title is not None and title.text().strip():
        parts.append(("headline", "title", title))
    if content is not None and content.text().strip():
        parts.append(("body", content.tag, content))
    if not parts:
        return Story(None, None, WireError("empty", f"feed item {number} has neither a title nor a description"))
    for kind, origin, node in parts:
        loc, ctx = _located(node)
        is_html = kind == "body" or node.attrs.get("type") in ("html", "xhtml", "text/html")
        paragraphs = blocks(parse_html(loc.text)) if is_html else [
            [Piece(loc.text, 0, len(loc.text))]]
        for block in paragraphs:
            if b.length:
                b.separate("\n\n", node.start)
            b.begin_part(kind, origin, node.inner_start)
            emit_block(b, block, loc, ctx if is_html else "xml")
            b.end_part(node.inner_end)
    text, smap = b.build("feed", file, source, encoding, item=number, meta={"version": version})
    if not text.strip():
        return Story(None, smap, WireError("empty", f"feed item {number} holds no text"))
    return Story(text, smap)
