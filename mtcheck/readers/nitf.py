"""NITF (``hedline``/``hl1``, ``hl2``, ``byline``, ``dateline``, ``body.content``), on its
own or inside a NewsML-G2 ``inlineXML``. The ``abstract`` is the item's summary, not its text,
and is left out."""

from __future__ import annotations

from mtcheck.readers import Story, WireError
from mtcheck.readers.markup import Located, MarkupError, Node, blocks, emit_block, parse_xml
from mtcheck.sourcemap import TextBuilder


def norm(text: str) -> str:
    return " ".join(text.split())


class Lines:
    """Adds the parts of a story to a builder, a blank line between parts."""

    def __init__(self, builder: TextBuilder, where: Located, ctx: str = "xml"):
        self.b, self.where, self.ctx = builder, where, ctx

    def block(self, kind: str, origin: str, node: Node, pieces=None) -> None:
        for piece_list in ([pieces] if pieces is not None else blocks(node)):
            if self.b.length:
                self.b.separate("\n\n", node.start)
            self.b.begin_part(kind, origin, node.inner_start)
            emit_block(self.b, piece_list, self.where, self.ctx)
            self.b.end_part(node.inner_end)


def add_nitf(lines: Lines, nitf: Node, skip_headline: str | None = None) -> None:
    """The parts of an NITF document: headline (unless it repeats ``skip_headline``),
    subheadline, byline, dateline, then the body paragraphs."""
    body = nitf.first("body") or nitf
    head = body.first("body.head")
    if head is not None:
        hed = head.first("hedline")
        if hed is not None:
            hl1 = hed.first("hl1")
            # Inside a NewsML-G2 item that has its own headline, hl1 is another rendering of
            # it: checking both would report every headline problem twice.
            if hl1 is not None and norm(hl1.text()) and not norm(skip_headline or ""):
                lines.block("headline", "nitf body.head/hedline/hl1", hl1)
            for hl2 in hed.elements("hl2"):
                lines.block("subheadline", "nitf body.head/hedline/hl2", hl2)
        for by in head.elements("byline"):
            lines.block("byline", "nitf body.head/byline", by, _flat(by))
        for dl in head.elements("dateline"):
            lines.block("dateline", "nitf body.head/dateline", dl, _flat(dl))
    content = body.first("body.content")
    if content is not None:
        lines.block("body", "nitf body.content", content)


def _flat(node: Node) -> list:
    """All the text under ``node`` as one line (a byline's <byttl> runs on after the name)."""
    out: list = []

    def walk(n: Node) -> None:
        for c in n.children:
            if isinstance(c, Node):
                walk(c)
            else:
                out.append(c)
    walk(node)
    return out


def read(source: str, file: str, encoding: str) -> list[Story]:
    try:
        root = parse_xml(source)
    except MarkupError as e:
        raise WireError("malformed", str(e)) from None
    b = TextBuilder()
    add_nitf(Lines(b, Located(source, ctx="xml")), root)
    text, smap = b.build("nitf", file, source, encoding)
    if not text.strip():
        raise WireError("empty", "NITF document with no headline and no body text")
    return [Story(text, smap)]
