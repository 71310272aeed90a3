"""``--format json``: the machine-readable contract (version 1).

Offsets are code points into the decoded file text: ``text == decoded[start:end]``.
"""

from __future__ import annotations

import json
from typing import Sequence

from mtcheck import baseline, codec
from mtcheck.document import Document
from mtcheck.engine import FileResult
from mtcheck.findings import Finding
from mtcheck.report import summarize

SCHEMA_VERSION = 1


def finding_record(doc: Document, f: Finding) -> dict:
    """The codec's finding with its line and column in the document."""
    rec = codec.finding_data(f)
    rec["line"], rec["col"], rec["end_line"], rec["end_col"] = doc.finding_lines(f)
    if doc.source is not None:  # a wire story: where the finding lies in the original file's bytes
        place = doc.source.finding_place(f)
        rec["byte"], rec["end_byte"] = place["byte"], place["end_byte"]
    return rec


def sentence_records(doc: Document) -> list[dict]:
    flagged = doc.flagged_sentences()
    out = []
    for s in doc.sentences:
        rec = {"start": s.start, "end": s.end, "text": s.text, "flagged": s.index in flagged, "kind": s.kind}
        if s.quality is not None:
            rec["quality"] = s.quality
        if s.rewrite is not None:
            rec["rewrite"] = s.rewrite
        out.append(rec)
    return out


def file_record(r: FileResult) -> dict:
    doc = r.document
    assert doc is not None
    prints = baseline.fingerprint_map(doc)  # stable across edits elsewhere in the story
    findings = []
    for f in doc.findings:
        found = finding_record(doc, f)
        found["fingerprint"] = prints[id(f)]
        findings.append(found)
    hidden = codec.suppressed(doc)
    rec = {
        "path": r.path,
        "encoding": doc.encoding,
        "findings": findings,
        "sentences": sentence_records(doc),
        # What suppressions took out (mtcheck.suppress, --baseline), each with what took it out.
        "suppressed": [dict(finding_record(doc, f), fingerprint=prints[id(f)], suppressed_by=by) for f, by in hidden],
    }
    if doc.source is not None:  # a wire story: its format and the parts the reader took
        rec["source"] = doc.source.record()
    rec.update(r.extras.get("json", {}))
    return rec


def report(results: Sequence[FileResult], signature: dict | None = None) -> dict:
    return {
        "version": SCHEMA_VERSION,
        "files": [file_record(r) for r in results if r.document is not None],
        "errors": [{"path": r.path, "kind": r.error.kind, "message": r.error.message} for r in results if r.error],
        "summary": summarize(results),
        "signature": signature or {},
    }


def render(results: Sequence[FileResult], signature: dict | None = None, **_) -> str:
    return dumps(report(results, signature)) + "\n"


# -- the text -------------------------------------------------------------------------------------
# ``json.dumps(obj, ensure_ascii=False, indent=1)``, character for character, two to three times
# faster. With an indent the standard library's encoder is pure Python and every token climbs a
# chain of generators, one per nesting level: 5 s for the 60 MB report of 200,000 short lines,
# more than the rules took. Here each container is one call that appends to one list, strings go
# through the C escaper the standard library uses, and a dict key is escaped once per run.
_escape = json.encoder.encode_basestring  # the C function where there is one, as json.dumps uses
_INFINITY = float("inf")


def _float_text(v: float) -> str:
    if v != v:
        return "NaN"
    if v == _INFINITY:
        return "Infinity"
    if v == -_INFINITY:
        return "-Infinity"
    return float.__repr__(v)


def dumps(obj, indent: int = 1) -> str:
    """``json.dumps(obj, ensure_ascii=False, indent=indent)``, the same text (tests compare)."""
    out: list[str] = []
    append = out.append
    escape = _escape
    int_text = int.__repr__
    newlines: list[str] = []  # "\n" and the indent of each level
    keys: dict[str, str] = {}  # a string key -> its escaped text and ": "

    def newline(level: int) -> str:
        while len(newlines) <= level:
            newlines.append("\n" + " " * (indent * len(newlines)))
        return newlines[level]

    def value(v, level: int) -> None:
        t = type(v)
        if t is str:
            append(escape(v))
        elif t is int:
            append(int_text(v))
        elif t is dict:
            mapping(v, level)
        elif t is list:
            sequence(v, level)
        elif v is None:
            append("null")
        elif v is True:
            append("true")
        elif v is False:
            append("false")
        elif t is float:
            append(_float_text(v))
        elif isinstance(v, str):  # subclasses, in the order json.dumps tries them
            append(escape(v))
        elif isinstance(v, int):
            append(int_text(v))
        elif isinstance(v, float):
            append(_float_text(v))
        elif isinstance(v, (list, tuple)):
            sequence(v, level)
        elif isinstance(v, dict):
            mapping(v, level)
        else:
            raise TypeError(f"Object of type {v.__class__.__name__} is not JSON serializable")

    def sequence(items, level: int) -> None:
        if not items:
            append("[]")
            return
        inner = newline(level + 1)
        separator = "," + inner
        append("[" + inner)
        for v in items:
            if type(v) is str:
                append(escape(v))
            else:
                value(v, level + 1)
            append(separator)
        out[-1] = newline(level) + "]"  # the last separator becomes the close

    def mapping(d: dict, level: int) -> None:
        if not d:
            append("{}")
            return
        inner = newline(level + 1)
        separator = "," + inner
        append("{" + inner)
        for k, v in d.items():
            key = keys.get(k) if type(k) is str else None
            if key is None:
                key = _key_text(k) + ": "
                if type(k) is str:
                    keys[k] = key
            append(key)
            t = type(v)
            if t is str:
                append(escape(v))
            elif t is int:
                append(int_text(v))
            else:
                value(v, level + 1)
            append(separator)
        out[-1] = newline(level) + "}"

    value(obj, 0)
    return "".join(out)


def _key_text(k) -> str:
    """A dict key as json.dumps writes it: a string, or the text of a number, bool or null."""
    if isinstance(k, str):
        text = k
    elif isinstance(k, float):
        text = _float_text(k)
    elif k is True:
        text = "true"
    elif k is False:
        text = "false"
    elif k is None:
        text = "null"
    elif isinstance(k, int):
        text = int.__repr__(k)
    else:
        raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")
    return _escape(text)
