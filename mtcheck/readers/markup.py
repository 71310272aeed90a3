"""Position-keeping XML and HTML trees, and the story text of their block elements.

lxml builds good trees but does not say where a piece of text lies in the file (only an
element's line), and every reader here has to map each character it checks back to the file.
So XML is parsed with expat (the standard library's parser, which reports the byte index of
every event) hardened as ``defusedxml`` hardens it: no DTD entity declarations, no external
entities or DTDs, no parameter entities, so no network and no entity expansion; HTML with the
standard library's ``html.parser`` (tolerant, reports line and column of every event). Both
build the same small tree of ``Node``s whose text ``Piece``s know their span.

A ``Located`` string is text whose characters each came from a span of the file (the value of
a JSON string, the HTML held in an RSS description): markup parsed out of it maps back through
it to the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

from mtcheck.sourcemap import TextBuilder


class MarkupError(ValueError):
    """Malformed XML (the message is one line: what and where)."""


@dataclass
class Located:
    """``text`` and where each of its characters lies in the file: ``base + i`` when
    ``starts`` is None, else ``[starts[i], ends[i])``; ``ctx`` is how the file escapes it."""

    text: str
    base: int = 0
    starts: list[int] | None = None
    ends: list[int] | None = None
    ctx: str = "text"

    def span(self, k0: int, k1: int) -> tuple[int, int]:
        if self.starts is None:
            return self.base + k0, self.base + k1
        if k1 <= k0:
            p = self.starts[k0] if k0 < len(self.starts) else (self.ends[-1] if self.ends else self.base)
            return p, p
        return self.starts[k0], self.ends[k1 - 1]

    def emit(self, builder: TextBuilder, k0: int, k1: int, ctx: str, text: str | None = None) -> None:
        """Add the characters ``[k0, k1)`` (or ``text``, one character standing for them)."""
        if text is not None and text != self.text[k0:k1]:
            s0, s1 = self.span(k0, k1)
            builder.add(text, s0, s1, ctx)
            return
        if self.starts is None:
            builder.add(self.text[k0:k1], self.base + k0, self.base + k1, ctx)
            return
        starts, ends, text = self.starts, self.ends, self.text
        k = k0
        while k < k1:
            # A run of characters each one character wide in the file, side by side: one add.
            j = k
            while j < k1 and ends[j] - starts[j] == 1 and (j == k or starts[j] == ends[j - 1]):
                j += 1
            if j > k:
                builder.add(text[k:j], starts[k], ends[j - 1], ctx)
                k = j
            else:
                builder.add(text[k], starts[k], ends[k], ctx)
                k += 1


@dataclass
class Piece:
    """Text of the parsed string at ``[k0, k1)``: copied when ``len(text) == k1 - k0``, else a
    reference (entity, character reference, CRLF) standing for the whole span."""

    text: str
    k0: int
    k1: int
    cdata: bool = False


@dataclass
class Node:
    tag: str  # as written (with its prefix); ``name`` is the local name, lower-cased for HTML
    attrs: dict
    start: int  # the '<' of the start tag, in the parsed string
    inner_start: int = 0
    inner_end: int = 0
    end: int = 0
    children: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.tag.rpartition(":")[2]

    def elements(self, *names: str):
        return [c for c in self.children if isinstance(c, Node) and (not names or c.name in names)]

    def first(self, *names: str) -> "Node | None":
        for c in self.children:
            if isinstance(c, Node) and c.name in names:
                return c
        return None

    def iter(self, *names: str):
        for c in self.children:
            if isinstance(c, Node):
                if not names or c.name in names:
                    yield c
                yield from c.iter(*names)

    def text(self) -> str:
        out = []
        for c in self.children:
            out.append(c.text() if isinstance(c, Node) else c.text)
        return "".join(out)


# -- XML --------------------------------------------------------------------------------------
def _forbid(what: str):
    def handler(*_args):
        raise MarkupError(f"{what} are not allowed (external entities and entity expansion are refused)")
    return handler


def parse_xml(text: str) -> Node:
    """The tree of an XML document given as decoded text. Raises ``MarkupError``."""
    data = text.encode("utf-8", errors="surrogatepass")
    if text.isascii():
        def to_char(b: int) -> int:
            return b
    else:
        # expat reports byte indexes, in increasing order: each is turned into a character
        # index by decoding only the bytes since the one before (linear in the file, in C).
        last = [0, 0]

        def to_char(b: int) -> int:
            b0, c0 = last
            if b < b0:  # not in order after all: from the start
                b0 = c0 = 0
            c = c0 + len(data[b0:b].decode("utf-8", errors="surrogatepass"))
            last[0], last[1] = b, c
            return c

    parser = expat.ParserCreate(encoding="UTF-8")  # the text was decoded already: its bytes are UTF-8 now
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _forbid("entity declarations")
    parser.UnparsedEntityDeclHandler = _forbid("unparsed entities")
    parser.ExternalEntityRefHandler = _forbid("external entities")
    events: list[tuple] = []
    add = events.append

    parser.StartElementHandler = lambda tag, attrs: add(("start", parser.CurrentByteIndex, tag, attrs))
    parser.EndElementHandler = lambda tag: add(("end", parser.CurrentByteIndex, tag))
    parser.CharacterDataHandler = lambda data: add(("data", parser.CurrentByteIndex, data))
    parser.StartCdataSectionHandler = lambda: add(("cdata", parser.CurrentByteIndex))
    parser.EndCdataSectionHandler = lambda: add(("/cdata", parser.CurrentByteIndex))
    parser.CommentHandler = lambda data: add(("other", parser.CurrentByteIndex))
    parser.ProcessingInstructionHandler = lambda target, data: add(("other", parser.CurrentByteIndex))
    parser.StartDoctypeDeclHandler = lambda *a: add(("other", parser.CurrentByteIndex))
    parser.EndDoctypeDeclHandler = lambda: add(("other", parser.CurrentByteIndex))
    parser.XmlDeclHandler = lambda *a: add(("other", parser.CurrentByteIndex))
    parser.ordered_attributes = False
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:
        raise MarkupError(f"malformed XML: {expat.ErrorString(e.code)} at line {e.lineno}, column {e.offset + 1}") from None
    except RecursionError:
        raise MarkupError("malformed XML: nested too deeply") from None
    end_of_data = len(data)
    root: Node | None = None
    stack: list[Node] = []
    in_cdata = False
    for n, ev in enumerate(events):
        kind, b = ev[0], ev[1]
        nxt = events[n + 1][1] if n + 1 < len(events) else end_of_data
        c, c_next = to_char(b), to_char(nxt)
        if kind == "start":
            node = Node(ev[2], ev[3], c, inner_start=c_next)
            if stack:
                stack[-1].children.append(node)
            elif root is None:
                root = node
            stack.append(node)
        elif kind == "end":
            node = stack.pop()
            if c == node.start:  # <empty/>: expat reports its end where it starts
                node.inner_end = node.end = node.inner_start
            else:
                node.inner_end, node.end = c, c_next
        elif kind == "cdata":
            in_cdata = True
        elif kind == "/cdata":
            in_cdata = False
        elif kind == "data" and stack:
            stack[-1].children.extend(_pieces(ev[2], text, c, c_next, in_cdata))
    if root is None:
        raise MarkupError("malformed XML: no root element")
    return root


def _pieces(data: str, text: str, c0: int, c1: int, cdata: bool) -> list[Piece]:
    """The characters expat reported at ``text[c0:c1]``: a reference, or literal text in which
    a CRLF (and a lone CR) became one line feed."""
    raw = text[c0:c1]
    if not cdata and raw.startswith("&"):
        semi = raw.find(";")
        return [Piece(data, c0, c0 + semi + 1 if semi >= 0 else c1)]
    if raw.startswith(data):
        return [Piece(data, c0, c0 + len(data), cdata)]
    out: list[Piece] = []
    i = c0
    run_start, run = i, []
    for ch in data:
        if ch == "\n" and text.startswith("\r\n", i):
            if run:
                out.append(Piece("".join(run), run_start, i, cdata))
            out.append(Piece("\n", i, i + 2, cdata))
            i += 2
            run_start, run = i, []
        elif ch == "\n" and text.startswith("\r", i):
            if run:
                out.append(Piece("".join(run), run_start, i, cdata))
            out.append(Piece("\n", i, i + 1, cdata))
            i += 1
            run_start, run = i, []
        else:
            run.append(ch)
            i += 1
    if run:
        out.append(Piece("".join(run), run_start, i, cdata))
    return out


# -- HTML -------------------------------------------------------------------------------------
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Starting one of these closes an open <p> (HTML's implied end tags, the common cases).
_CLOSES_P = frozenset("address article aside blockquote div dl fieldset footer form h1 h2 h3 h4 h5 h6 header hr "
                      "li main nav ol p pre section table ul figure figcaption".split())


def parse_html(text: str) -> Node:
    """A tolerant tree of an HTML document or fragment (``text`` decoded). Never raises for
    bad HTML: what cannot be matched is left where it is."""
    from html import unescape
    from html.parser import HTMLParser

    line_starts = [0]
    i = text.find("\n")
    while i >= 0:
        line_starts.append(i + 1)
        i = text.find("\n", i + 1)

    def offset(pos: tuple[int, int]) -> int:
        return line_starts[pos[0] - 1] + pos[1]

    root = Node("#document", {}, 0, 0, len(text), len(text))
    stack = [root]
    pending: list[tuple[str, int, object]] = []  # text events, their raw end known at the next event

    class _Parser(HTMLParser):
        def _flush(self, upto: int) -> None:
            while pending:
                kind, at, value = pending.pop(0)
                if kind == "data":
                    stack[-1].children.append(Piece(value, at, at + len(value)))
                else:
                    end = upto
                    raw = text[at:upto]
                    semi = raw.find(";")
                    if semi >= 0:
                        end = at + semi + 1
                    decoded = unescape(text[at:end])
                    if decoded == text[at:end]:  # not a reference after all: literal text
                        stack[-1].children.append(Piece(decoded, at, end))
                    else:
                        stack[-1].children.append(Piece(decoded, at, end))

        def handle_starttag(self, tag, attrs):
            at = offset(self.getpos())
            self._flush(at)
            raw = self.get_starttag_text() or ""
            if tag == "p" or tag in _CLOSES_P:
                self._close("p", implied=True)
            if tag == "li":
                self._close("li", implied=True)
            node = Node(tag, dict(attrs), at, inner_start=at + len(raw))
            stack[-1].children.append(node)
            if tag in VOID or raw.endswith("/>"):
                node.inner_end = node.end = node.inner_start
            else:
                stack.append(node)

        def handle_startendtag(self, tag, attrs):
            at = offset(self.getpos())
            self._flush(at)
            raw = self.get_starttag_text() or ""
            node = Node(tag, dict(attrs), at, at + len(raw), at + len(raw), at + len(raw))
            stack[-1].children.append(node)

        def _close(self, tag, implied=False, at=None, end=None):
            for k in range(len(stack) - 1, 0, -1):
                if stack[k].tag == tag:
                    if implied and any(n.tag in ("div", "td", "th", "blockquote", "section", "article") for n in stack[k + 1:]):
                        return
                    for n in stack[k:]:
                        n.inner_end = n.end = at if at is not None else offset(self.getpos())
                    if end is not None:
                        stack[k].end = end
                    del stack[k:]
                    return

        def handle_endtag(self, tag):
            at = offset(self.getpos())
            self._flush(at)
            close = text.find(">", at)
            self._close(tag, at=at, end=close + 1 if close >= 0 else len(text))

        def handle_data(self, data):
            pending.append(("data", offset(self.getpos()), data))

        def handle_entityref(self, name):
            pending.append(("ref", offset(self.getpos()), name))

        def handle_charref(self, name):
            pending.append(("ref", offset(self.getpos()), name))

        def handle_comment(self, data):
            self._flush(offset(self.getpos()))

        def handle_decl(self, decl):
            self._flush(offset(self.getpos()))

        def handle_pi(self, data):
            self._flush(offset(self.getpos()))

        def unknown_decl(self, data):
            self._flush(offset(self.getpos()))

    p = _Parser(convert_charrefs=False)
    p.feed(text)
    p.close()
    p._flush(len(text))
    for n in stack[1:]:
        n.inner_end = n.end = len(text)
    return root


# -- story text of block elements ------------------------------------------------------------
BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6 hl1 hl2 li blockquote pre dd dt td th caption figcaption div section "
                   "article header footer main aside address tagline block".split())
SKIP = frozenset("script style noscript template head iframe svg object".split())
_BREAK = object()  # a <br>: a line break inside the paragraph


def blocks(node: Node, skip: frozenset = SKIP, owners: list | None = None) -> list[list]:
    """The paragraphs under ``node``: each a list of ``Piece``s (and line-break markers), in
    document order. Inline markup joins its text into the paragraph around it. ``owners``,
    when given, gets for each paragraph the elements it lies in (outermost first), so a
    reader can tell where on a page a paragraph sits."""
    out: list[list] = []
    current: list = []
    stack: list[Node] = []
    first_owner: tuple = ()

    def flush() -> None:
        nonlocal current
        if any(isinstance(x, Piece) and x.text.strip() for x in current):
            out.append(current)
            if owners is not None:
                owners.append(first_owner)
        current = []

    def walk(n: Node) -> None:
        nonlocal first_owner
        stack.append(n)
        for c in n.children:
            if isinstance(c, Piece):
                if not current:
                    first_owner = tuple(stack)
                current.append(c)
                continue
            name = c.name.lower()
            if name in skip:
                continue
            if name == "br":
                current.append((_BREAK, c.start))
            elif name in BLOCKS:
                flush()
                walk(c)
                flush()
            else:
                walk(c)
        stack.pop()

    walk(node)
    flush()
    return out


_RUNS = re.compile(r"\s+|\S+")
_ODD_SPACE = re.compile(r"[^\S ]| {2}")  # whitespace other than single spaces


def emit_block(builder: TextBuilder, pieces: list, where: Located, ctx: str) -> None:
    """Add one paragraph: whitespace runs become one space (mapped to the whole run), a <br>
    a line break, the ends trimmed; everything else copied with its span. Works on runs of
    text, not characters: a paragraph costs a few calls per word."""
    # Tokens (kind, text, k0, k1) in ``where`` coordinates: "lit" copied text, "ref" one
    # character standing for its span (an entity), "ws" whitespace, "br" a line break.
    toks: list[tuple[str, str, int, int]] = []
    for x in pieces:
        if isinstance(x, tuple):
            toks.append(("br", "\n", x[1], x[1]))
        elif len(x.text) == x.k1 - x.k0:
            text, k0 = x.text, x.k0
            if not _ODD_SPACE.search(text):
                # Words and single spaces only (the common case): one copied run, its edge
                # spaces apart (they may join whitespace of the pieces around it).
                a = 1 if text.startswith(" ") else 0
                b = len(text) - 1 if len(text) > a and text.endswith(" ") else len(text)
                if a:
                    toks.append(("ws", " ", k0, k0 + 1))
                if b > a:
                    toks.append(("lit", text[a:b], k0 + a, k0 + b))
                if b < len(text) and b >= a and len(text) > a:
                    toks.append(("ws", " ", k0 + b, k0 + b + 1))
                continue
            for m in _RUNS.finditer(text):
                i, j = m.span()
                toks.append(("ws" if text[i].isspace() else "lit", m.group(), k0 + i, k0 + j))
        else:
            toks.append(("ws" if x.text.isspace() else "ref", x.text, x.k0, x.k1))
    out: list[tuple[str, str, int, int]] = []
    n = len(toks)
    i = 0
    while i < n:
        kind = toks[i][0]
        if kind not in ("ws", "br"):
            out.append(toks[i])
            i += 1
            continue
        j = i
        while j < n and toks[j][0] in ("ws", "br"):
            j += 1
        breaks = [t for t in toks[i:j] if t[0] == "br"]
        if breaks:  # the line breaks stay (two make a blank line), the spaces around them go
            out.extend(breaks)
        elif j - i == 1 and toks[i][1] == " " and toks[i][3] - toks[i][2] == 1:
            out.append(("lit", " ", toks[i][2], toks[i][3]))
        else:
            out.append(("space", " ", toks[i][2], toks[j - 1][3]))
        i = j
    lo, hi = 0, len(out)
    while lo < hi and (out[lo][0] in ("br", "space") or out[lo][1] == " "):
        lo += 1
    while hi > lo and (out[hi - 1][0] in ("br", "space") or out[hi - 1][1] == " "):
        hi -= 1
    k = lo
    while k < hi:
        kind, text, k0, k1 = out[k]
        if kind == "br":
            builder.separate("\n", where.span(k0, k0)[0])
        elif kind == "lit":
            # Copied runs that follow on in the parsed text go in as one.
            end = k1
            while k + 1 < hi and out[k + 1][0] == "lit" and out[k + 1][2] == end:
                k += 1
                end = out[k][3]
            where.emit(builder, k0, end, ctx)
        else:
            where.emit(builder, k0, k1, ctx, text=text)
        k += 1


def emit_plain(builder: TextBuilder, where: Located, k0: int, k1: int, ctx: str) -> None:
    """Add plain text ``where.text[k0:k1]`` as it stands (line breaks kept), ends trimmed."""
    text = where.text
    while k0 < k1 and text[k0].isspace():
        k0 += 1
    while k1 > k0 and text[k1 - 1].isspace():
        k1 -= 1
    if k1 > k0:
        where.emit(builder, k0, k1, ctx)


def plain_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the paragraphs (runs of non-blank lines) of plain text."""
    out = []
    pos = 0
    n = len(text)
    while pos < n:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            break
        end = pos
        while True:
            nl = text.find("\n", end)
            if nl < 0:
                end = n
                break
            nxt = nl + 1
            j = nxt
            while j < n and text[j] in " \t\r":
                j += 1
            if j >= n or text[j] == "\n":
                end = nl
                break
            end = nxt
        out.append((pos, end))
        pos = end
    return out
