"""Web pages: the article as ``trafilatura`` (a maintained main-content extractor) finds it,
every paragraph it keeps located in the page so that each character maps to the page's
source (entities decoded, markup left out). The page's other blocks (navigation, cookie
banners, "More news", comment prompts) are not checked; the JSON report lists them under
``source.dropped`` so the extractor's choice can be seen."""

from __future__ import annotations

from mtcheck.readers import Story, WireError
from mtcheck.readers.markup import Located, blocks, emit_block, parse_html
from mtcheck.sourcemap import SourceMap, TextBuilder

MAX_DROPPED = 50


def _copy(builder: TextBuilder, smap: SourceMap, a: int, b: int) -> None:
    """Copy checked text ``[a, b)`` of ``smap`` (the whole page's text) into ``builder``."""
    for t0, t1, s0, s1, ctx in smap.segments:
        if t1 <= a or t0 >= b:
            continue
        lo, hi = max(t0, a), min(t1, b)
        chunk = "".join(builder_chars_of(smap, lo, hi))
        if not ctx:
            builder.separate(chunk, s0)
        elif t1 - t0 == s1 - s0:
            builder.add(chunk, s0 + (lo - t0), s0 + (hi - t0), ctx)
        else:
            builder.add(chunk, s0, s1, ctx)


def builder_chars_of(smap: SourceMap, lo: int, hi: int):
    return smap.meta["_text"][lo:hi]


def read(source: str, file: str, encoding: str) -> list[Story]:
    import trafilatura

    tree = parse_html(source)
    page = TextBuilder()
    spans = []
    where = Located(source, ctx="html")
    for block in blocks(tree):
        if page.length:
            page.separate("\n\n", block[0].k0 if hasattr(block[0], "k0") else 0)
        start = page.length
        emit_block(page, block, where, "html")
        spans.append((start, page.length))
    page_text, page_map = page.build("html", file, source, encoding)
    page_map.meta["_text"] = page_text
    extracted = trafilatura.bare_extraction(source, include_comments=False, include_tables=False, with_metadata=True)
    body = (getattr(extracted, "text", None) or "") if extracted is not None else ""
    if not body.strip():
        raise WireError("no-article", "web page with no article text the extractor could find")
    title = (getattr(extracted, "title", None) or "").strip()
    b = TextBuilder()
    taken: list[tuple[int, int]] = []
    pos = 0
    if title:
        at = page_text.find(title)
        if at >= 0:
            b.begin_part("headline", "page title (h1)", page_map.source_offset(at))
            _copy(b, page_map, at, at + len(title))
            b.end_part(page_map.source_end(at + len(title)))
            taken.append((at, at + len(title)))
            pos = at + len(title)
    missing = 0
    for line in body.split("\n"):
        line = " ".join(line.split())
        if not line or (title and line == title and taken):
            continue
        at = page_text.find(line, pos)
        if at < 0:
            at = page_text.find(line)
        if at < 0:
            missing += 1
            continue
        if b.length:
            b.separate("\n\n", page_map.source_offset(at))
        b.begin_part("body", "article paragraph", page_map.source_offset(at))
        _copy(b, page_map, at, at + len(line))
        b.end_part(page_map.source_end(at + len(line)))
        taken.append((at, at + len(line)))
        pos = at + len(line)
    if not b.length:
        raise WireError("no-article", "web page whose article text could not be located in the page")
    dropped = []
    for a, z in spans:
        if not any(a < tz and ta < z for ta, tz in taken):
            line, col = page_map.original_line_col(a)
            dropped.append({"text": page_text[a:z][:80], "line": line, "col": col})
    meta = {"dropped": dropped[:MAX_DROPPED], "dropped_blocks": len(dropped), "not_located": missing}
    text, smap = b.build("html", file, source, encoding, meta=meta)
    return [Story(text, smap)]
