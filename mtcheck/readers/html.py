"""Web pages: the article as ``trafilatura`` (a maintained main-content extractor) finds it,
every paragraph it keeps located in the page so that each character maps to the page's
source (entities decoded, markup left out). The page's other blocks (navigation, cookie
banners, "More news", comment prompts) are not checked; the JSON report lists them under
``source.dropped`` so the extractor's choice can be seen.

The dropped blocks in the story area are kept as ``meta["furniture"]`` for the boilerplate
rules, which report the ones that are page furniture (a consent banner, a share bar, "Leave a
comment", "More news: ...") where they are in the page: the story area is the element that
holds every body paragraph the extractor took (the article), and the elements right before
and after it; site navigation and a page header or footer outside the article are not."""

from __future__ import annotations

from mtcheck.readers import Story, WireError
from mtcheck.readers.markup import Located, blocks, emit_block, parse_html
from mtcheck.sourcemap import SourceMap, TextBuilder

MAX_DROPPED = 50
# The most story-area blocks kept for the boilerplate rules, and the most of each one's text
# (a consent banner runs to a few hundred characters; a long block is no furniture).
MAX_FURNITURE = 50
MAX_FURNITURE_TEXT = 2000


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
    owners: list[tuple] = []
    where = Located(source, ctx="html")
    for block in blocks(tree, owners=owners):
        if page.length:
            page.separate("\n\n", block[0].k0 if hasattr(block[0], "k0") else 0)
        start = page.length
        emit_block(page, block, where, "html")
        spans.append((start, page.length))
    page_text, page_map = page.build("html", file, source, encoding)
    page_map.meta["_text"] = page_text
    # The title as trafilatura's metadata finds it, without the rest of its metadata pass
    # (dates, authors, categories: half its time, and nothing mtcheck checks).
    from trafilatura.metadata import extract_title
    from trafilatura.utils import load_html

    loaded = load_html(source)
    title = ((extract_title(loaded) if loaded is not None else None) or "").strip()
    extracted = trafilatura.bare_extraction(loaded if loaded is not None else source, include_comments=False,
                                            include_tables=False, with_metadata=False)
    body = (getattr(extracted, "text", None) or "") if extracted is not None else ""
    if not body.strip():
        raise WireError("no-article", "web page with no article text the extractor could find")
    b = TextBuilder()
    taken: list[tuple[int, int]] = []
    # Where each taken part starts and ends, in the page text and in the story text.
    placed: list[tuple[int, int, int]] = []  # (page start, page end, story end)
    body_blocks: list[int] = []  # indices of the page's blocks the body was taken from
    pos = 0
    if title:
        at = page_text.find(title)
        if at >= 0:
            b.begin_part("headline", "page title (h1)", page_map.source_offset(at))
            _copy(b, page_map, at, at + len(title))
            b.end_part(page_map.source_end(at + len(title)))
            taken.append((at, at + len(title)))
            placed.append((at, at + len(title), b.length))
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
        placed.append((at, at + len(line), b.length))
        body_blocks.extend(i for i, (a, z) in enumerate(spans) if a < at + len(line) and at < z)
        pos = at + len(line)
    if not b.length:
        raise WireError("no-article", "web page whose article text could not be located in the page")
    area = _story_area(owners, body_blocks)
    dropped = []
    furniture = []
    placed.sort()
    for i, (a, z) in enumerate(spans):
        if any(a < tz and ta < z for ta, tz in taken):
            continue
        line, col = page_map.original_line_col(a)
        in_area = area(owners[i])
        dropped.append({"text": page_text[a:z][:80], "line": line, "col": col, "story_area": in_area})
        if in_area and len(furniture) < MAX_FURNITURE:
            # Its place in the story text: after the last part taken before it on the page.
            at = max((t for pa, _pz, t in placed if pa < a), default=0)
            furniture.append({"text": page_text[a:z][:MAX_FURNITURE_TEXT], "start": page_map.source_offset(a),
                              "end": page_map.source_end(z), "at": at})
    meta = {"dropped": dropped[:MAX_DROPPED], "dropped_blocks": len(dropped), "not_located": missing,
            "furniture": furniture}
    lang = _page_language(tree, source)
    if lang is not None:
        meta["language"], meta["language_span"] = lang
    text, smap = b.build("html", file, source, encoding, meta=meta)
    return [Story(text, smap)]


# Landmarks that are the site's, not the story's.
_SITE_ROLES = frozenset({"navigation", "banner", "contentinfo", "search"})


def _story_area(owners: list[tuple], body_blocks: list[int]):
    """A test of a block's owners: True when the block lies in the story area, the innermost
    element holding every taken body paragraph (the article) or an element beside it, and
    not in site navigation or a page header or footer outside the article."""
    chains = [owners[i] for i in dict.fromkeys(body_blocks)]
    if not chains:
        return lambda chain: False
    common = list(chains[0][:-1]) if len(chains) == 1 else list(chains[0])
    for chain in chains[1:]:
        k = 0
        while k < len(common) and k < len(chain) and chain[k] is common[k]:
            k += 1
        del common[k:]
    container = common[-1] if common else None
    if container is None:
        return lambda chain: False
    depth = len(common) - 1
    parent = common[-2] if len(common) > 1 else None
    beside: set[int] = set()
    if parent is not None:
        siblings = parent.elements()
        k = next((j for j, c in enumerate(siblings) if c is container), -1)
        beside = {id(siblings[j]) for j in (k - 1, k + 1) if k >= 0 and 0 <= j < len(siblings)}

    def test(chain: tuple) -> bool:
        inside = len(chain) > depth and chain[depth] is container
        if not inside and not (len(chain) > depth and id(chain[depth]) in beside):
            return False
        for k, node in enumerate(chain):
            name = node.name.lower()
            if name == "nav" or str(node.attrs.get("role") or "").lower() in _SITE_ROLES:
                return False
            if name in ("header", "footer") and not any(n.name.lower() in ("article", "main") for n in chain[:k]):
                return False
        return True

    return test


def _page_language(tree, source: str) -> tuple[str, list[int]] | None:
    """The page's declared language (``<html lang>``) and where its value lies in the file."""
    html = next((n for n in tree.elements() if n.name.lower() == "html"), None)
    if html is None:
        return None
    value = html.attrs.get("lang") or html.attrs.get("xml:lang")
    if not value:
        return None
    tag = source[html.start:html.inner_start]
    at = tag.lower().find("lang=")
    k = tag.find(value, at) if at >= 0 else -1
    span = [html.start + k, html.start + k + len(value)] if k >= 0 else [html.start, html.inner_start]
    return value.strip(), span
