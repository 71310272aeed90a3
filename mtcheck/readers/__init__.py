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


def apply_to_original(source_map: SourceMap, edits, source: str | None = None, notes: list | None = None,
                      checked: str | None = None) -> str:
    """The file text with ``edits`` (objects with ``start``, ``end``, ``replacement`` in the
    checked text) written into it: each edit replaces only the source text its span came
    from, escaped as the format needs; where a span crosses markup (two paragraphs, an inline
    element), the replacement goes into the first run of text and the rest of the span's text
    is removed, the markup between kept. The other renderings of the edited text in the file
    (``meta["renderings"]``) get the same edits where they map (``checked``: the checked
    text the edits are of); one that they do not map into is left as it is, and ``notes``
    gets a line saying so. Raises ValueError for overlapping edits."""
    text = source_map.source if source is None else source
    return splice(text, replacements(source_map, edits, notes, checked))


def replacements(source_map: SourceMap, edits, notes: list | None = None,
                 checked: str | None = None) -> list[tuple[int, int, str]]:
    """The (source start, source end, escaped text) replacements that write ``edits`` of the
    checked text into the file, the other renderings' included."""
    edits = sorted(edits, key=lambda e: (e.start, e.end))
    out = _replacements(source_map, edits)
    for r in source_map.meta.get("renderings") or ():
        mapped = _map_into_rendering(source_map, r, edits, checked) if checked is not None else None
        if mapped is None:
            if notes is not None:
                what = f"item {source_map.item}: " if source_map.item is not None else ""
                notes.append(f"{what}{r['from']} holds the {r['kind']} again in a form the fixes cannot be "
                             "mapped into (its text differs); left unchanged: mend it by hand")
            continue
        out.extend(_replacements(source_map.rendering_map(r), mapped))
    return out


def _replacements(source_map: SourceMap, edits) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for e in edits:
        pieces = source_map.source_pieces(e.start, e.end)
        for n, (s0, s1, ctx) in enumerate(pieces):
            out.append((s0, s1, escape(e.replacement, ctx or "text") if n == 0 else ""))
    return out


def splice(text: str, replacements: list[tuple[int, int, str]]) -> str:
    out = []
    pos = 0
    for s0, s1, rep in sorted(replacements):
        if s0 < pos:
            raise ValueError("overlapping edits")
        out.append(text[pos:s0])
        out.append(rep)
        pos = s1
    out.append(text[pos:])
    return "".join(out)


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    replacement: str


def _align(x: str, y: str) -> list[int] | None:
    """For texts equal but for their whitespace (a line break in one, a space in the other),
    where each offset of ``x`` (0..len) lies in ``y``; None when they differ otherwise."""
    out: list[int] = []
    i = j = 0
    nx, ny = len(x), len(y)
    while i < nx:
        if x[i].isspace():
            if j >= ny or not y[j].isspace():
                return None
            j0 = j
            while j < ny and y[j].isspace():
                j += 1
            while i < nx and x[i].isspace():
                out.append(j0)
                i += 1
            continue
        if j >= ny or x[i] != y[j]:
            return None
        out.append(j)
        i += 1
        j += 1
    if j != ny:
        return None
    out.append(ny)
    return out


def _map_into_rendering(source_map: SourceMap, r: dict, edits, text: str) -> list | None:
    """``edits`` of the checked text that fall in its ``r["kind"]`` parts, as edits of the
    rendering ``r``'s text: the parts and the rendering's paragraphs taken pair by pair, equal
    but for whitespace. None when they do not pair up so, or an edit does not map."""
    alt = r["text"]
    parts = [(p["start"], p["end"]) for p in source_map.parts if p["kind"] == r["kind"]]
    paras = [tuple(p) for p in r["paragraphs"]]
    if not parts:
        return []
    relevant = [e for e in edits if e.end > parts[0][0] and e.start < parts[-1][1]]
    if not relevant:
        return []
    if len(parts) != len(paras):
        return None
    maps = []
    for (a, b), (c, d) in zip(parts, paras):
        m = _align(text[a:b], alt[c:d])
        if m is None:
            return None
        maps.append(m)

    def point(t: int) -> int | None:
        for k, (a, b) in enumerate(parts):
            if a <= t <= b:
                return paras[k][0] + maps[k][t - a]
            if t < a:
                return paras[k - 1][1] if k else None  # between parts: the end of the one before
        return paras[-1][1] if t <= len(text) else None

    out = []
    for e in relevant:
        if e.start < parts[0][0] or e.end > len(text):
            return None
        a0, a1 = point(e.start), point(e.end)
        if a0 is None or a1 is None or a1 < a0 or " ".join(alt[a0:a1].split()) != " ".join(text[e.start:e.end].split()):
            return None
        out.append(_Edit(a0, a1, e.replacement))
    return out


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


def written_back(story, source_map: SourceMap, notes: list | None = None):
    """A ``changes.FixedStory`` of a wire story as the whole file: its original and fixed
    text are the file's, the applied changes written into the original (and into the other
    renderings of the edited text, ``notes`` told of any that cannot take them). A story
    of a file holding several (a feed, a news message) gives that file with only its own
    item's fixes: ``written_back_all`` writes every item's. Raises WireError."""
    return written_back_all([(story, source_map)], notes)


def written_back_all(stories, notes: list | None = None):
    """One ``changes.FixedStory`` for a file from ``(fixed story, source map)`` of stories of
    it (each item of a feed or news message, or the one story): every story's applied changes
    written into the one file text, each touching only its own item's text. Raises
    WireError when the result would not parse."""
    import dataclasses

    first_story, first_map = stories[0]
    text = first_map.source
    edits: list[tuple[int, int, str]] = []
    for story, smap in stories:
        if story.applied:
            edits.extend(replacements(smap, story.applied, notes, story.original))
    if edits:
        try:
            text = splice(text, edits)
        except ValueError:
            raise WireError("malformed", "fixes of two items overlap in the file; not written") from None
    why = check_written(first_map.format, text) if text != first_map.source else None
    if why is not None:
        raise WireError("malformed", why)
    return dataclasses.replace(
        first_story, path=first_map.file, original=first_map.source, text=text,
        rewrites=sum(s.rewrites for s, _ in stories), rule_fixes=sum(s.rule_fixes for s, _ in stories),
        dropped=[d for s, _ in stories for d in s.dropped], remaining=[f for s, _ in stories for f in s.remaining],
        applied=[c for s, _ in stories for c in s.applied])


# How every editorial note the gate writes begins: a second verdict replaces a note that
# starts so, and leaves a provider's own notes alone.
NOTE_MARK = "mtcheck gate:"


def record_verdict(source_map: SourceMap, source: str, verdict: str, note: str) -> str | None:
    """The file text with the gate's verdict recorded inside the item (ninjs, NewsML-G2), or
    None for a format that has no place for it."""
    if source_map.format not in ("ninjs", "newsml"):
        return None
    module = importlib.import_module(f"mtcheck.readers.{source_map.format}")
    return module.record_verdict(source_map, source, verdict, note)
