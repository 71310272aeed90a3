"""ninjs (IPTC's JSON news format), 1.x (``headline``/``headline_main``, ``body_text``/
``body_main``, ``body_html``/``body_richtext``, lower-case keys) and 2.x/3.x (``headlines[]``,
``bodies[]`` with ``role``/``contentType``; 3.x camelCase keys).

The JSON is parsed with the standard library's decoder, its string scanner wrapped so that
every string value keeps its span in the file; each character of a value is then mapped to
its escape sequence. One body is checked when several renderings exist: the plain-text one,
else the HTML one (parsed, so markup and entities never reach the rules).
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner

from mtcheck.readers import NOTE_MARK, Story, WireError
from mtcheck.readers.markup import Located, blocks, emit_block, emit_plain, parse_html, plain_paragraphs
from mtcheck.sourcemap import TextBuilder, rendering


class _Str(str):
    """A string value with its span in the JSON text (the quotes included)."""

    start: int
    end: int


def _scanstring(s, end, strict=True):
    value, new_end = json.decoder.scanstring(s, end, strict)
    v = _Str(value)
    v.start, v.end = end - 1, new_end
    return v, new_end


def parse(text: str):
    decoder = json.JSONDecoder()
    decoder.parse_string = _scanstring
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    start = len(text) - len(text.lstrip("\ufeff \t\r\n"))
    try:
        value, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as e:
        raise WireError("malformed", f"malformed JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    except RecursionError:
        raise WireError("malformed", "malformed JSON: nested too deeply") from None
    if text[end:].strip():
        raise WireError("malformed", "malformed JSON: extra data after the object")
    return value, start


def located(value: _Str, source: str) -> Located:
    """Where each character of a JSON string value lies in the file."""
    raw_start = value.start + 1
    raw = source[raw_start:value.end - 1]
    if "\\" not in raw:
        return Located(str(value), base=raw_start, ctx="json")
    starts, ends = [], []
    i = 0
    n = len(raw)
    while i < n:
        if raw[i] == "\\":
            if raw[i + 1] == "u":
                width = 6
                code = int(raw[i + 2:i + 6], 16)
                if 0xD800 <= code < 0xDC00 and raw[i + 6:i + 8] == "\\u":
                    width = 12
            else:
                width = 2
        else:
            width = 1
        starts.append(raw_start + i)
        ends.append(raw_start + i + width)
        i += width
    if len(starts) != len(value):  # cannot happen for a string the decoder accepted
        raise WireError("malformed", "malformed JSON string")
    return Located(str(value), starts=starts, ends=ends, ctx="json")


_HEADLINE_KEYS = ("headline", "headline_main")
_PLAIN_BODY_KEYS = ("body_text", "body_main")
_HTML_BODY_KEYS = ("body_html", "body_richtext", "body_xhtml")


def _is_html(content_type: str) -> bool:
    return "html" in content_type.lower() or "xml" in content_type.lower()


def _pick(items, roles=("main",)):
    items = [x for x in items if isinstance(x, dict) and isinstance(x.get("value"), str)]
    for x in items:
        if str(x.get("role", "")).lower() in roles:
            return x
    return items[0] if items else None


def read(source: str, file: str, encoding: str) -> list[Story]:
    data, obj_start = parse(source)
    if not isinstance(data, dict):
        raise WireError("not-a-story", "JSON that is not a ninjs object")
    # 3.x spells its keys in camelCase, 1.x and 2.x in lower case: any key with a capital is 3.x.
    version = "3" if any(isinstance(k, str) and k != k.lower() for k in data) else (
        "2" if any(k in data for k in ("headlines", "bodies")) else "1")
    headline = subheadline = None
    body = None  # (value, html?)
    others: list[tuple] = []  # the body's other renderings: (value, html?, where)
    where_head = where_body = ""
    if isinstance(data.get("headlines"), list):
        h = _pick(data["headlines"])
        if h is not None:
            headline, where_head = h["value"], f"headlines[role={h.get('role', '')}]"
        sub = [x for x in data["headlines"] if isinstance(x, dict) and str(x.get("role", "")).lower() in ("sub", "subheadline", "subtitle")]
        if sub and isinstance(sub[0].get("value"), str):
            subheadline = sub[0]["value"]
    else:
        for k in _HEADLINE_KEYS:
            if isinstance(data.get(k), str):
                headline, where_head = data[k], k
                break
    if isinstance(data.get("bodies"), list):
        main = [b for b in data["bodies"] if isinstance(b, dict) and isinstance(b.get("value"), str)]
        roles = {str(b.get("role", "main")).lower() for b in main}
        role = "main" if "main" in roles else (main[0].get("role", "") if main else "")
        same = [b for b in main if str(b.get("role", "main")).lower() == str(role).lower()] or main
        plain = [b for b in same if not _is_html(str(b.get("contentType", b.get("contenttype", "text/plain"))))]
        html = [b for b in main if _is_html(str(b.get("contentType", b.get("contenttype", ""))))]
        chosen = plain[0] if plain else (html[0] if html else None)
        if chosen is not None:
            ct = str(chosen.get("contentType", chosen.get("contenttype", "text/plain")))
            body = (chosen["value"], _is_html(ct))
            where_body = f"bodies[role={chosen.get('role', '')}, {ct}]"
            for other in same:
                oct_ = str(other.get("contentType", other.get("contenttype", "text/plain")))
                if other is not chosen and isinstance(other["value"], _Str):
                    others.append((other["value"], _is_html(oct_), f"bodies[role={other.get('role', '')}, {oct_}]"))
    else:
        for k in _PLAIN_BODY_KEYS:
            if isinstance(data.get(k), str):
                body, where_body = (data[k], False), k
                break
        else:
            for k in _HTML_BODY_KEYS:
                if isinstance(data.get(k), str):
                    body, where_body = (data[k], True), k
                    break
        for k in _PLAIN_BODY_KEYS + _HTML_BODY_KEYS:
            if k != where_body and body is not None and isinstance(data.get(k), _Str):
                others.append((data[k], k in _HTML_BODY_KEYS, k))
    byline = data.get("by", data.get("byline"))
    if headline is None and body is None:
        raise WireError("not-a-story", "ninjs item without a headline or a body")

    b = TextBuilder()
    first = True

    def gap(at: int) -> None:
        nonlocal first
        if not first:
            b.separate("\n\n", at)
        first = False

    def line(kind: str, value, where: str) -> None:
        if not isinstance(value, _Str) or not value.strip():
            return
        loc = located(value, source)
        gap(value.start)
        b.begin_part(kind, where, value.start + 1)
        for k0, k1 in plain_paragraphs(loc.text):
            emit_plain(b, loc, k0, k1, "json")
            if k1 < len(loc.text):
                b.separate(" ", loc.span(k1, k1)[0])
        while b.chars and b.chars[-1] == " ":  # the joins of a multi-line headline
            b.chars.pop()
            b.segments.pop()
        b.end_part(value.end - 1)

    line("headline", headline, where_head)
    line("subheadline", subheadline, "headlines[role=sub]")
    line("byline", byline, "by" if "by" in data else "byline")
    if body is not None and isinstance(body[0], _Str):
        _add_body(b, body[0], body[1], where_body, source, gap)
    meta = {"version": version, "object_start": obj_start}
    # The other renderings of the checked body (body_html beside body_text, a text/html body
    # beside the text/plain one): not checked again, but fixes are written into them too.
    renderings = []
    for value, is_html, where in others:
        alt = TextBuilder()
        _add_body(alt, value, is_html, where, source, None)
        renderings.append(rendering(alt, "body", where))
    if renderings:
        meta["renderings"] = renderings
    lang = data.get("language")
    if isinstance(lang, _Str):
        meta["language"], meta["language_span"] = str(lang), [lang.start + 1, lang.end - 1]
    for key in ("pubstatus", "pubStatus", "ednote", "edNote"):
        v = data.get(key)
        if isinstance(v, _Str):
            meta[key] = [v.start, v.end]
    text, smap = b.build("ninjs", file, source, encoding, meta=meta)
    if not text.strip():
        raise WireError("empty", "ninjs item whose headline and body are empty")
    return [Story(text, smap)]


def _add_body(b: TextBuilder, value: "_Str", is_html: bool, where: str, source: str, gap) -> None:
    """The paragraphs of a body value (an HTML one parsed), each a part of kind body;
    ``gap(at)`` puts the blank line between parts (None: this builder's own paragraphs)."""
    loc = located(value, source)

    def sep(at: int) -> None:
        if gap is not None:
            gap(at)
        elif b.length:
            b.separate("\n\n", at)

    if is_html:
        for block in blocks(parse_html(loc.text)):
            sep(loc.span(0, 0)[0])
            b.begin_part("body", where, loc.span(0, 0)[0])
            emit_block(b, block, loc, "json+html")
            b.end_part(value.end - 1)
    else:
        for k0, k1 in plain_paragraphs(loc.text):
            sep(loc.span(k0, k0)[0])
            b.begin_part("body", where, loc.span(k0, k0)[0])
            emit_plain(b, loc, k0, k1, "json")
            b.end_part(loc.span(k1, k1)[0] if k1 < len(loc.text) else value.end - 1)


def record_verdict(smap, source: str, verdict: str, note: str | None) -> str:
    """``source`` with the verdict as the item's publication status and, when ``note`` is
    given, an editorial note: an existing value is replaced in place (a provider's note is
    kept, the gate's note after it), a missing key inserted at the start of the object in
    the file's own spelling (camelCase for ninjs 3.x); nothing else changes."""
    camel = smap.meta.get("version") == "3"
    status_key, note_key = ("pubStatus", "edNote") if camel else ("pubstatus", "ednote")
    status = {"accepted": "usable", "review": "withheld", "rejected": "withheld"}.get(verdict, "withheld")
    replacements = []
    inserts = []
    wanted = [(status_key, status)] + ([(note_key, note)] if note else [])
    for key, value in wanted:
        span = smap.meta.get(key)
        if span is None:
            # The other spelling of the key, if the file used it.
            other = key.lower() if camel else {"pubstatus": "pubStatus", "ednote": "edNote"}[key]
            span = smap.meta.get(other)
        if span is not None and key == note_key:
            old = json.loads(source[span[0]:span[1]])
            kept = old.split(NOTE_MARK)[0].rstrip() if isinstance(old, str) else ""
            value = f"{kept}\n{value}" if kept else value
        literal = json.dumps(value, ensure_ascii=False)
        if span is not None:
            replacements.append((span[0], span[1], literal))
        else:
            inserts.append(f"{json.dumps(key)}: {literal}")
    at = smap.meta["object_start"] + 1
    if inserts:
        rest = source[at:].lstrip()
        sep = "," if not rest.startswith("}") else ""
        # The indentation of the object's first key, so the file still reads the same way.
        gap = source[at:len(source) - len(rest)]
        indent = ("\n" + gap.rpartition("\n")[2]) if "\n" in gap else " "
        text = "".join(f"{indent}{item}," for item in inserts[:-1]) + f"{indent}{inserts[-1]}{sep}"
        replacements.append((at, at, text))
    out = []
    pos = 0
    for s0, s1, rep in sorted(replacements):
        out.append(source[pos:s0])
        out.append(rep)
        pos = s1
    out.append(source[pos:])
    return "".join(out)
