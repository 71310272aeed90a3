"""Where each character of a wire story's checked text came from in the original file.

A reader of a structured format (ninjs, NewsML-G2, NITF, feeds, web pages) checks the story's
text, not the file: headline, dateline and byline lines and body paragraphs, entities decoded,
markup left out. ``SourceMap`` ties every character of that text back to its span in the
decoded file text (code points; ``source`` holds that text), so findings can point at the
original line, column and byte, and fixes can be written back into the original file with
nothing outside the edited text touched.

Spans are held as segments ``(t0, t1, s0, s1, ctx)``: checked text ``[t0, t1)`` came from
source ``[s0, s1)``. A segment with ``t1 - t0 == s1 - s0`` is copied character for character;
any other covers exactly one checked character (an entity, an escape, a collapsed run of
whitespace) or none of the source (``s0 == s1``: a separator the reader put between parts).
``ctx`` names how text is escaped there (``json``, ``xml``, ``html``, ``json+html``,
``xml+html``, ``cdata+html``, ``text``) so a replacement is written back escaped the same way;
a separator has ``ctx`` "".
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

SEPARATOR = ""
# The reader's encodings that start with a byte-order mark: (its length, the codec after it).
_BOMS = {"utf-8-sig": (3, "utf-8"), "utf-16": (2, "utf-16-le"), "utf-16-be-bom": (2, "utf-16-be")}


@dataclass
class SourceMap:
    format: str  # ninjs | newsml | nitf | feed | html
    file: str  # the file on disk (a document of a multi-story file is named file#item-N)
    source: str  # the decoded text of the whole file
    encoding: str
    segments: list[tuple[int, int, int, int, str]]
    # What the reader took: [{"kind": "headline"|"byline"|"dateline"|"subheadline"|"body", "start",
    # "end" (checked text), "src_start", "src_end" (source), "from": "where in the format"}].
    parts: list[dict] = field(default_factory=list)
    item: int | None = None  # 1-based story number in a file that holds several
    # Extra facts a format keeps for writing back a verdict (ninjs version, element offsets).
    meta: dict = field(default_factory=dict)
    _starts: list[int] = field(default_factory=list, repr=False)
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._starts = [s[0] for s in self.segments]
        starts = [0]
        src = self.source
        i = 0
        n = len(src)
        while True:
            j = src.find("\n", i)
            k = src.find("\r", i)
            if j < 0 and k < 0:
                break
            if k >= 0 and (j < 0 or k < j):
                i = k + 2 if src.startswith("\r\n", k) else k + 1
            else:
                i = j + 1
            if i > n:
                break
            starts.append(i)
        self._line_starts = starts

    # -- lookups ---------------------------------------------------------------------------
    def _segment(self, offset: int) -> tuple[int, int, int, int, str] | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0:
            seg = self.segments[i]
            if seg[0] <= offset < seg[1] or (seg[0] == seg[1] == offset):
                return seg
            if offset >= seg[1]:
                return None
            i -= 1
        return None

    def source_offset(self, offset: int) -> int:
        """Where the checked character at ``offset`` starts in the source (an offset at the
        end of the text: where the last character ends)."""
        if not self.segments:
            return 0
        if offset >= self.segments[-1][1]:
            return self.segments[-1][3]
        seg = self._segment(offset)
        if seg is None:  # inside nothing (cannot happen for a map the builder made)
            return 0
        t0, t1, s0, s1, _ = seg
        return s0 + (offset - t0) if t1 - t0 == s1 - s0 else s0

    def source_end(self, offset: int) -> int:
        """Where the checked text ``[..., offset)`` ends in the source."""
        if offset <= 0 or not self.segments:
            return self.source_offset(0)
        seg = self._segment(offset - 1)
        if seg is None:
            return self.source_offset(offset)
        t0, t1, s0, s1, _ = seg
        return s0 + (offset - t0) if t1 - t0 == s1 - s0 else s1

    def original_line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (code points) in the original file of a checked offset."""
        s = self.source_offset(offset)
        line = bisect.bisect_right(self._line_starts, s) - 1
        return line + 1, s - self._line_starts[line] + 1

    def original_byte(self, offset: int) -> int:
        """The byte offset in the original file (BOM included) of a checked offset."""
        return self._byte_of_source(self.source_offset(offset))

    def source_line_col(self, s: int) -> tuple[int, int]:
        """1-based line and column (code points) of source offset ``s``."""
        line = bisect.bisect_right(self._line_starts, s) - 1
        return line + 1, s - self._line_starts[line] + 1

    def finding_place(self, finding) -> dict:
        """Where a finding lies in the original file: line, col, end_line, end_col, byte,
        end_byte. A finding about text the reader left out of the checked text (page
        furniture the extractor dropped, a language declaration) has a zero-width span in
        the checked text, at the part boundary nearest that text, and names the text's own
        span in the file as ``data["outside"] = {"start", "end"}`` (source offsets): it
        points there."""
        out = outside(finding)
        if out is not None:
            s0, s1 = out
        else:
            s0, s1 = self.source_offset(finding.start), self.source_offset(finding.end)
        line, col = self.source_line_col(s0)
        end_line, end_col = self.source_line_col(s1)
        return {"line": line, "col": col, "end_line": end_line, "end_col": end_col,
                "byte": self._byte_of_source(s0), "end_byte": self._byte_of_source(s1)}

    # -- write-back ------------------------------------------------------------------------
    def source_pieces(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """The source spans the checked text ``[start, end)`` came from, as runs
        ``(s0, s1, ctx)`` each contiguous in the source and in one escaping context;
        separators the reader added are left out. An empty span gives the point where an
        insertion goes."""
        if start >= end:
            s = self.source_end(start) if start > 0 else self.source_offset(0)
            seg = self._segment(start - 1) if start > 0 else self._segment(0)
            ctx = seg[4] if seg is not None else ""
            if not ctx and start < (self.segments[-1][1] if self.segments else 0):
                nxt = self._segment(start)
                if nxt is not None and nxt[4]:
                    return [(self.source_offset(start),) * 2 + (nxt[4],)]
            return [(s, s, ctx)]
        runs: list[list] = []
        i = bisect.bisect_right(self._starts, start) - 1
        i = max(i, 0)
        while i < len(self.segments) and self.segments[i][0] < end:
            t0, t1, s0, s1, ctx = self.segments[i]
            i += 1
            if t1 <= start or not ctx:
                continue
            a, b = max(t0, start), min(t1, end)
            if t1 - t0 == s1 - s0:
                a_src, b_src = s0 + (a - t0), s0 + (b - t0)
            else:
                a_src, b_src = s0, s1
            if runs and runs[-1][1] == a_src and runs[-1][2] == ctx:
                runs[-1][1] = b_src
            else:
                runs.append([a_src, b_src, ctx])
        return [tuple(r) for r in runs]

    def rendering_map(self, r: dict) -> "SourceMap":
        """The map of one of ``meta["renderings"]`` (same file, same source text)."""
        return SourceMap(format=self.format, file=self.file, source=self.source, encoding=self.encoding,
                         segments=[tuple(x) for x in r["segments"]], item=self.item)

    # -- plain data ------------------------------------------------------------------------
    def to_data(self) -> dict:
        return {"format": self.format, "file": self.file, "source": self.source, "encoding": self.encoding,
                "segments": [list(s) for s in self.segments], "parts": self.parts, "item": self.item,
                "meta": self.meta}

    @classmethod
    def from_data(cls, data: dict) -> "SourceMap":
        return cls(format=data["format"], file=data["file"], source=data["source"], encoding=data["encoding"],
                   segments=[tuple(s) for s in data["segments"]], parts=list(data.get("parts") or []),
                   item=data.get("item"), meta=dict(data.get("meta") or {}))

    def record(self) -> dict:
        """What ``--format json`` says about the extraction: the format and the parts taken,
        each with its span in the checked text and in the original file (line, col, byte)."""
        parts = []
        for p in self.parts:
            line, col = self.original_line_col(p["start"])
            parts.append({"kind": p["kind"], "from": p.get("from", ""), "start": p["start"], "end": p["end"],
                          "line": line, "col": col, "byte": self.original_byte(p["start"]),
                          "end_byte": self._byte_of_source(p["src_end"])})
        out = {"format": self.format, "file": self.file, "parts": parts}
        if self.item is not None:
            out["item"] = self.item
        dropped = self.meta.get("dropped")
        if dropped:
            out["dropped"] = dropped
        return out

    def _byte_of_source(self, s: int) -> int:
        bom, codec = _BOMS.get(self.encoding, (0, self.encoding))
        try:
            return bom + len(self.source[:s].encode(codec))
        except (LookupError, UnicodeEncodeError):
            return bom + len(self.source[:s].encode("utf-8", errors="surrogatepass"))


def rendering(builder: "TextBuilder", kind: str, where: str) -> dict:
    """Another rendering in the same file of the checked ``kind`` parts (a ninjs body_html
    beside the body_text checked, a NITF hl1 beside the NewsML-G2 headline): its text, its
    segments into the file and its paragraphs, kept in ``SourceMap.meta["renderings"]`` so
    fixes are written into it as well (``readers.apply_to_original``)."""
    return {"kind": kind, "from": where, "text": builder.text(), "segments": [list(x) for x in builder.segments],
            "paragraphs": [[p["start"], p["end"]] for p in builder.parts if p["kind"] == kind]}


def outside(finding) -> tuple[int, int] | None:
    """The source span of a finding about text outside the checked text (None for others)."""
    data = finding.data.get("outside") if finding.data else None
    if isinstance(data, dict) and isinstance(data.get("start"), int) and isinstance(data.get("end"), int):
        return data["start"], data["end"]
    return None


class TextBuilder:
    """Builds a checked text and its ``SourceMap`` segments, one piece at a time."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.segments: list[list] = []
        self.parts: list[dict] = []
        self._part: dict | None = None

    @property
    def length(self) -> int:
        return len(self.chars)

    def add(self, text: str, s0: int, s1: int, ctx: str) -> None:
        """Append ``text`` taken from source ``[s0, s1)``: copied verbatim when the lengths
        match, else ``text`` must be one character standing for the whole span."""
        if not text:
            return
        t0 = len(self.chars)
        self.chars.extend(text)
        t1 = len(self.chars)
        last = self.segments[-1] if self.segments else None
        verbatim = t1 - t0 == s1 - s0
        if (verbatim and last is not None and last[4] == ctx and ctx and last[1] == t0 and last[3] == s0
                and last[1] - last[0] == last[3] - last[2]):
            last[1], last[3] = t1, s1
        else:
            assert verbatim or t1 - t0 == 1, "a span that is not copied stands for one character"
            self.segments.append([t0, t1, s0, s1, ctx])

    def separate(self, text: str, at: int) -> None:
        """Characters the reader puts between parts (line breaks): no source of their own."""
        for ch in text:
            t0 = len(self.chars)
            self.chars.append(ch)
            self.segments.append([t0, t0 + 1, at, at, SEPARATOR])

    def begin_part(self, kind: str, where: str, src_start: int) -> None:
        self._part = {"kind": kind, "from": where, "start": len(self.chars), "src_start": src_start}

    def end_part(self, src_end: int) -> None:
        p, self._part = self._part, None
        if p is not None and len(self.chars) > p["start"]:
            p["end"] = len(self.chars)
            p["src_end"] = src_end
            self.parts.append(p)

    def text(self) -> str:
        return "".join(self.chars)

    def build(self, fmt: str, file: str, source: str, encoding: str, item: int | None = None,
              meta: dict | None = None) -> tuple[str, SourceMap]:
        return self.text(), SourceMap(format=fmt, file=file, source=source, encoding=encoding,
                                      segments=[tuple(s) for s in self.segments], parts=self.parts, item=item,
                                      meta=meta or {})
