"""Readers of the formats wire copy arrives in, chosen by content as well as by name.

Each format has its module (``plain``, ``ninjs``, ``newsml``, ``nitf``, ``feed``, ``html``),
imported only when a file of that format is read, so a plain-text scan pays for none of them.
A reader turns the decoded file text into ``Story`` objects: the text mtcheck checks (a
headline line, then dateline/byline lines, then body paragraphs, separated by blank lines) and
its ``SourceMap`` back to the file; a file holding several stories (a NewsML-G2 news message,
a feed) gives one per item, named ``file#item-N`` in reports.

``apply_to_original`` writes edits of the checked text back into the file text, escaped as
the format needs, touching nothing else.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass

from mtcheck.sourcemap import SourceMap

PLAIN = "plain"
FORMATS = ("plain", "ninjs", "newsml", "nitf", "feed", "html")
# Formats whose file may hold several stories.
MULTI = ("newsml", "feed")
ITEM_MARK = "#item-"


class WireError(ValueError):
    """A wire file (or one item of it) that cannot be read; ``kind`` is the InputError kind
    (malformed, no-article, empty, not-a-story) and the message one line."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class Story:
    text: str | None
    source: SourceMap | None
    error: WireError | None = None


def _head(text: str) -> str:
    return text.lstrip("\ufeff \t\r\n")[:4096]


def sniff(text: str, name: str = "") -> str:
    """The format of a decoded file: by what it holds (a NewsML-G2 item named .xml, a web
    page saved as .txt), the name deciding only between formats the content leaves open."""
    head = _head(text)
    lower = name.lower()
    if head.startswith("{") and (lower.endswith(".json") or _looks_ninjs(head)):
        return "ninjs"
    if head.startswith("<"):
        root = root_name(head)
        if root is not None:
            local = root.rpartition(":")[2]
            if local in ("newsItem", "newsMessage", "contentSet", "contentMeta", "packageItem"):
                return "newsml"
            if local == "nitf":
                return "nitf"
            if local in ("rss", "feed", "RDF"):
                return "feed"
            if local.lower() == "html":
                return "html"
        low = head[:2048].lower()
        if low.startswith("<!doctype html") or low.startswith("<html") or lower.endswith((".html", ".htm", ".xhtml")) or (
                root is None and ("<body" in low or "<head" in low or "<p>" in low or "<div" in low)):
            return "html"
    return PLAIN


def _looks_ninjs(head: str) -> bool:
    keys = ('"uri"', '"headline', '"headlines"', '"body', '"bodies"', '"versioncreated"', '"versionCreated"')
    return any(k in head for k in keys)


def root_name(head: str) -> str | None:
    """The name of the root element of the XML that ``head`` begins (parsed, not searched),
    or None when it is not XML."""
    from xml.parsers import expat

    found: list[str] = []
    parser = expat.ParserCreate(encoding="UTF-8")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def start(tag, attrs):
        found.append(tag)
        raise StopIteration

    parser.StartElementHandler = start
    try:
        parser.Parse(head.encode("utf-8"), False)
    except StopIteration:
        pass
    except expat.ExpatError:
        return None
    return found[0] if found else None


def not_a_story(text: str, name: str) -> str | None:
    """Why a .json/.xml file found in a folder is not a story (None when it is one)."""
    lower = name.lower()
    fmt = sniff(text, name)
    if lower.endswith(".json"):
        if fmt != "ninjs":
            return "JSON that is not a ninjs item"
        try:
            data = json.loads(text)
        except ValueError:
            return None  # malformed ninjs: read, and reported as such
        if not isinstance(data, dict) or not any(k in data for k in ("headline", "headline_main", "headlines", "body_text",
                                                                     "body_html", "body_main", "body_richtext", "bodies")):
            return "JSON without a headline or body: not a ninjs text item"
        return None
    if lower.endswith((".xml", ".rss", ".atom", ".rdf")) and fmt == PLAIN:
        head = _head(text)
        root = root_name(head)
        if head.startswith("<") and root is not None:
            return f"XML whose root <{root}> is not a story format (NewsML-G2, NITF, RSS, Atom)"
    return None


def read_stories(source: str, file: str, encoding: str, fmt: str | None = None) -> list[Story]:
    """The stories of a decoded file in format ``fmt`` (sniffed when None)."""
    fmt = fmt or sniff(source, file)
    module = importlib.import_module(f"mtcheck.readers.{fmt}")
    return module.read(source, file, encoding)


def split_name(name: str) -> tuple[str, int | None]:
    """``feed.xml#item-3`` -> ("feed.xml", 3); a plain path -> (path, None)."""
    base, mark, num = name.rpartition(ITEM_MARK)
    if mark and num.isdigit() and base:
        return base, int(num)
    return name, None


def item_name(file: str, item: int) -> str:
    return f"{file}{ITEM_MARK}{item}"


# -- writing back ------------------------------------------------------------------------------
def escape(text: str, ctx: str) -> str:
    """``text`` as it has to be written where ``ctx`` says the file holds it."""
    from html import escape as html_escape

    out = text
    layers = ctx.split("+")
    for layer in reversed(layers):  # the innermost escaping first: json+html = HTML inside JSON
        if layer == "html":
            out = html_escape(out, quote=False)
        elif layer == "xml":
            out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        elif layer == "cdata":
            out = out.replace("]]>", "]]]]><![CDATA[>")
        elif layer == "json":
            out = json.dumps(out, ensure_ascii=False)[1:-1]
    return out


def apply_to_original(source_map: SourceMap, edits, source: str | None = None) -> str:
    """The file text with ``edits`` (objects with ``start``, ``end``, ``replacement`` in the
    checked text) written into it: each edit replaces only the source text its span came
    from, escaped as the format needs; where a span crosses markup (two paragraphs, an inline
    element), the replacement goes into the first run of text and the rest of the span's text
    is removed, the markup between kept. Raises ValueError for overlapping edits."""
    text = source_map.source if source is None else source
    replacements: list[tuple[int, int, str]] = []
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        pieces = source_map.source_pieces(e.start, e.end)
        if not pieces:
            continue
        first = True
        for s0, s1, ctx in pieces:
            if first:
                replacements.append((s0, s1, escape(e.replacement, ctx or "text")))
                first = False
            else:
                replacements.append((s0, s1, ""))
    replacements.sort()
    out = []
    pos = 0
    for s0, s1, rep in replacements:
        if s0 < pos:
            raise ValueError("overlapping edits")
        out.append(text[pos:s0])
        out.append(rep)
        pos = s1
    out.append(text[pos:])
    return "".join(out)


def check_written(fmt: str, text: str) -> str | None:
    """Why ``text`` written back in ``fmt`` is broken (None when it parses as before): XML is
    checked with lxml's hardened parser, ninjs with the JSON decoder."""
    if fmt in ("newsml", "nitf", "feed"):
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
        try:
            etree.fromstring(text.encode("utf-8"), parser)
        except etree.XMLSyntaxError as e:
            return f"the fixed XML would not be well-formed ({e}); not written"
    elif fmt == "ninjs":
        try:
            json.loads(text)
        except ValueError as e:
            return f"the fixed JSON would not parse ({e}); not written"
    return None


def written_back(story, source_map: SourceMap):
    """A ``changes.FixedStory`` of a wire story as the whole file: its original and fixed
    text are the file's, the applied changes written into the original. Raises WireError."""
    import dataclasses

    if source_map.item is not None and source_map.meta.get("items", 1) > 1:
        raise WireError("unsupported", "fixes are not written back into a file holding several stories yet; "
                                       "use scan --format json for the positions")
    text = apply_to_original(source_map, story.applied) if story.applied else source_map.source
    why = check_written(source_map.format, text) if text != source_map.source else None
    if why is not None:
        raise WireError("malformed", why)
    return dataclasses.replace(story, path=source_map.file, original=source_map.source, text=text)


def record_verdict(source_map: SourceMap, source: str, verdict: str, note: str) -> str | None:
    """The file text with the gate's verdict recorded inside the item (ninjs, NewsML-G2), or
    None for a format that has no place for it."""
    if source_map.format not in ("ninjs", "newsml"):
        return None
    module = importlib.import_module(f"mtcheck.readers.{source_map.format}")
    return module.record_verdict(source_map, source, verdict, note)
