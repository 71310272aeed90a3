"""``--format json``: the machine-readable contract (version 1).

Offsets are code points into the decoded file text: ``text == decoded[start:end]``.
"""

from __future__ import annotations

import itertools
import json
import sys
from typing import BinaryIO, Callable, Sequence

from mtcheck import baseline, codec
from mtcheck.collector import pausing
from mtcheck.document import Document
from mtcheck.engine import FileResult
from mtcheck.findings import Applicability, Edit, Finding, Fix, Severity
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
    append = out.append
    for s in doc.sentences:  # 200,000 of them in a story of short lines: no call that can be saved
        rec = {"start": s.start, "end": s.end, "text": s.text, "flagged": s.index in flagged, "kind": s.kind}
        quality = s.scores.get("quality")  # Sentence.quality
        if quality is not None:
            rec["quality"] = quality
        if s.rewrite is not None:
            rec["rewrite"] = s.rewrite
        append(rec)
    return out


class _SentenceRecords:
    """``sentence_records(doc)`` as ``render`` asks for it: written by ``dumps`` straight from
    the sentences, without a dict per sentence (200,000 of them in a story of short lines)."""

    def __init__(self, doc: Document):
        self.doc = doc


class _FindingRecords:
    """The records of ``doc.findings`` (``finding_record`` with its fingerprint) as ``render``
    asks for them: written by ``dumps`` straight from the findings, without the dicts (47,000
    of them, each with a fix and its edits, in a story of short lines)."""

    def __init__(self, doc: Document, prints: dict[int, str]):
        self.doc = doc
        self.prints = prints

    def record(self, f: Finding) -> dict:
        rec = finding_record(self.doc, f)
        rec["fingerprint"] = self.prints[id(f)]
        return rec


def file_record(r: FileResult, _sentences=sentence_records) -> dict:
    doc = r.document
    assert doc is not None
    prints = baseline.fingerprint_map(doc)  # stable across edits elsewhere in the story
    if _sentences is _SentenceRecords:  # render: dumps writes both from the document
        findings = _FindingRecords(doc, prints)
    else:
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
        "sentences": _sentences(doc),
        # What suppressions took out (mtcheck.suppress, --baseline), each with what took it out.
        "suppressed": [dict(finding_record(doc, f), fingerprint=prints[id(f)], suppressed_by=by) for f, by in hidden],
    }
    if doc.source is not None:  # a wire story: its format and the parts the reader took
        rec["source"] = doc.source.record()
    rec.update(r.extras.get("json", {}))
    return rec


def report(results: Sequence[FileResult], signature: dict | None = None, _sentences=sentence_records) -> dict:
    return {
        "version": SCHEMA_VERSION,
        "files": [file_record(r, _sentences) for r in results if r.document is not None],
        "errors": [{"path": r.path, "kind": r.error.kind, "message": r.error.message} for r in results if r.error],
        "summary": summarize(results),
        "signature": signature or {},
    }


@pausing
def render(results: Sequence[FileResult], signature: dict | None = None, **_) -> str:
    return dumps(report(results, signature, _SentenceRecords), end="\n")


@pausing
def write_report(fh: BinaryIO, results: Sequence[FileResult], signature: dict | None = None, *,
                 encoding: str = "utf-8", errors: str = "strict") -> None:
    """``render``'s text, encoded, written to the binary file ``fh`` chunk by chunk as it is
    produced: the report of 200,000 short lines (60 MB) is never one string, nor one bytes
    object (each would be fresh memory, page faults that cost more than the writing)."""
    dumps(report(results, signature, _SentenceRecords), end="\n",
          write=lambda text: fh.write(text.encode(encoding, errors)))


# -- the text -------------------------------------------------------------------------------------
# ``json.dumps(obj, ensure_ascii=False, indent=1)``, character for character, two to three times
# faster. With an indent the standard library's encoder is pure Python and every token climbs a
# chain of generators, one per nesting level: 5 s for the 60 MB report of 200,000 short lines,
# more than the rules took. Here each container is one call that appends to one list, strings go
# through the C escaper the standard library uses, and a dict key is escaped once per run.
_escape = json.encoder.encode_basestring  # the C function where there is one, as json.dumps uses
_INFINITY = float("inf")
# Containers holding scalars only (most of a long report: the sentence records, a finding's
# edits) are written by the standard library's C encoder, which writes one item separator
# everywhere and no indent: given the separator of their level it writes exactly the indented
# text. A list of such dicts is one call: its items are joined by a control character (which
# the encoder escapes inside strings, so it occurs nowhere else), and the joints between the
# dicts ("}" SEP "{": inside a dict a separator is always followed by a quoted key) get the
# outer level's separator. Exact types only: a subclass takes the general path.
_SCALARS = frozenset((str, int, float, bool, type(None)))
_JOINT = "\x1e"
_c_make_encoder = json.encoder.c_make_encoder
_chain = itertools.chain.from_iterable
_CHUNK_PIECES = 2048  # pieces of text dumps gathers before handing them to its ``write``


def _float_text(v: float) -> str:
    if v != v:
        return "NaN"
    if v == _INFINITY:
        return "Infinity"
    if v == -_INFINITY:
        return "-Infinity"
    return float.__repr__(v)


def dumps(obj, indent: int = 1, *, end: str = "", write: Callable[[str], object] | None = None) -> str | None:
    """``json.dumps(obj, ensure_ascii=False, indent=indent)``, the same text (tests compare),
    followed by ``end``: joined with the rest, not appended to a copy (a report of 200,000
    short lines is 60 MB of text, copied again for its final line break).

    With ``write``, the text is handed to it in chunks as it is produced (a few thousand
    pieces, up to a few megabytes, each) and None is returned: the pieces of a chunk are
    freed before the next is written, so a long report is never held whole, joined or
    encoded."""
    out: list[str] = []
    append = out.append
    # The long loops (sentences, findings, any list) hand what they have to ``write`` past
    # this many pieces. The last piece stays: it may be a separator that the loop's end
    # turns into the close.
    chunk_pieces = _CHUNK_PIECES if write is not None else sys.maxsize

    def flush() -> None:
        last = out.pop()
        write("".join(out))
        out.clear()
        append(last)
    escape = _escape
    int_text = int.__repr__
    newlines: list[str] = []  # "\n" and the indent of each level
    keys: dict[str, str] = {}  # a string key -> its escaped text and ": "

    def newline(level: int) -> str:
        while len(newlines) <= level:
            newlines.append("\n" + " " * (indent * len(newlines)))
        return newlines[level]

    encoders: dict[str, object] = {}  # item separator -> the C encoder writing it

    def flat(obj, separator: str) -> str:
        encoder = encoders.get(separator)
        if encoder is None:
            encoder = encoders[separator] = _c_make_encoder(
                None, _refuse, escape, None, ": ", separator, False, False, True)
        return "".join(encoder(obj, 0))

    def flat_dicts(items, level: int) -> bool:
        """A non-empty list of non-empty dicts of scalars, written in one call; False otherwise."""
        if _c_make_encoder is None or set(map(type, items)) != {dict} or not all(items):
            return False
        if not _SCALARS.issuperset(map(type, _chain(map(dict.values, items)))):
            return False
        outer, inner = newline(level + 1), newline(level + 2)
        body = flat(items, _JOINT)[2:-2]
        body = body.replace("}" + _JOINT + "{", outer + "}," + outer + "{" + inner).replace(_JOINT, "," + inner)
        append("[" + outer + "{" + inner + body + outer + "}" + newline(level) + "]")
        return True

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
        elif t is _SentenceRecords:
            sentences(v.doc, level)
        elif t is _FindingRecords:
            findings(v, level)
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

    def sentences(doc: Document, level: int) -> None:
        """What ``sequence(sentence_records(doc), level)`` writes. A record of the usual shape
        (plain ints and strings, no score, no rewrite) is one f-string of constant parts and
        values (faster than a %-format), its separator included; any other is built and
        written the general way."""
        if not doc.sentences:
            append("[]")
            return
        flagged = doc.flagged_sentences()
        outer, inner = newline(level + 1), newline(level + 2)
        separator = "," + outer
        start_key, end_key, text_key = "{" + inner + '"start": ', "," + inner + '"end": ', "," + inner + '"text": '
        flagged_key, kind_key, close = "," + inner + '"flagged": ', "," + inner + '"kind": ', outer + "}" + separator
        kinds: dict[str, str] = {}  # "body", "title", "heading": each escaped once
        append("[" + outer)
        for s in doc.sentences:
            start, end, text, kind = s.start, s.end, s.text, s.kind
            if (s.rewrite is None and (not s.scores or s.scores.get("quality") is None) and type(start) is int
                    and type(end) is int and type(text) is str and type(kind) is str):
                kind_text = kinds.get(kind)
                if kind_text is None:
                    kind_text = kinds[kind] = escape(kind)
                append(f"{start_key}{start}{end_key}{end}{text_key}{escape(text)}{flagged_key}"
                       f"{'true' if s.index in flagged else 'false'}{kind_key}{kind_text}{close}")
            else:
                rec = {"start": start, "end": end, "text": text, "flagged": s.index in flagged, "kind": kind}
                quality = s.scores.get("quality")
                if quality is not None:
                    rec["quality"] = quality
                if s.rewrite is not None:
                    rec["rewrite"] = s.rewrite
                value(rec, level + 1)
                append(separator)
            if len(out) > chunk_pieces:
                flush()
        out[-1] = out[-1][:-len(separator)] + newline(level) + "]"  # the last separator becomes the close

    def findings(records: _FindingRecords, level: int) -> None:
        """What ``sequence([records.record(f) for f in doc.findings], level)`` writes. A finding of
        the usual types (strings, plain ints, a fix of plain edits) is written field by field;
        any other is built as a dict and written the general way."""
        doc = records.doc
        if not doc.findings:
            append("[]")
            return
        prints = records.prints
        wire = doc.source is not None
        outer, k = newline(level + 1), "," + newline(level + 2)  # each record; each of its keys
        fk, ek = "," + newline(level + 3), newline(level + 4)  # the fix's keys; its edits
        edit_key = "," + newline(level + 5)  # an edit's keys
        head = ("{" + newline(level + 2) + '"rule": %s' + k + '"category": %s' + k + '"severity": %s' + k
                + '"start": %d' + k + '"end": %d' + k + '"text": %s' + k + '"message": %s' + k
                + '"suggestion": %s' + k + '"safe_fix": %s')
        fix_head = k + '"fix": {' + fk[1:] + '"applicability": %s' + fk + '"source": %s' + fk + '"score": %s' + fk + '"edits": '
        edit = "{" + edit_key[1:] + '"start": %d' + edit_key + '"end": %d' + edit_key + '"replacement": %s' + ek + "}"
        edit_separator = "," + ek
        edits_close = newline(level + 3) + "]" + newline(level + 2) + "}"
        tail = k + '"line": %d' + k + '"col": %d' + k + '"end_line": %d' + k + '"end_col": %d'
        separator = "," + outer
        severity_text = codec._SEVERITY_TEXT
        # A finding of a plain-text story with the usual types (strings, plain ints, no fix or
        # a fix of plain edits) is one f-string of these constant parts and its values (two
        # with its data between them): faster than %-formats, and 47,000 of them in a story of
        # short lines. Each key comes with the separator before it; the record with the one after.
        rule_key, category_key, severity_key = "{" + k[1:] + '"rule": ', k + '"category": ', k + '"severity": '
        start_key, end_key, text_key, message_key = k + '"start": ', k + '"end": ', k + '"text": ', k + '"message": '
        suggestion_key, safe_key, data_key = k + '"suggestion": ', k + '"safe_fix": ', k + '"data": '
        applicability_key = k + '"fix": {' + fk[1:] + '"applicability": '
        source_key, score_key, edits_key = fk + '"source": ', fk + '"score": ', fk + '"edits": '
        edit_start_key, edit_end_key = "{" + edit_key[1:] + '"start": ', edit_key + '"end": '
        replacement_key, edit_close = edit_key + '"replacement": ', ek + "}"
        no_edits = "[]" + newline(level + 2) + "}"
        line_key, col_key, end_line_key, end_col_key = k + '"line": ', k + '"col": ', k + '"end_line": ', k + '"end_col": '
        fingerprint_key, close = k + '"fingerprint": ', outer + "}" + separator
        safe = Applicability.SAFE
        line_col = doc.text_line_col  # finding_lines of a story that is no wire story

        def fix_text(fix) -> str | None:
            """The record's "safe_fix" and "fix" members of a fix of the usual types; None for any other."""
            if fix is None:
                return safe_key + "false"
            if type(fix) is not Fix:
                return None
            edits, applicability, source, score = fix.edits, fix.applicability, fix.source, fix.score
            if not (type(applicability) is str and type(source) is str and type(edits) in (tuple, list)):
                return None
            if score is None:
                score_text = "null"
            elif type(score) is float:
                score_text = _float_text(score)
            elif type(score) is int:
                score_text = int_text(score)
            else:
                return None
            if len(edits) == 1:  # the usual rule fix
                e = edits[0]
                if not (type(e) is Edit and type(e.start) is int and type(e.end) is int and type(e.replacement) is str):
                    return None
                edits_text = (f"[{ek}{edit_start_key}{e.start}{edit_end_key}{e.end}{replacement_key}"
                              f"{escape(e.replacement)}{edit_close}{edits_close}")
            elif not edits:
                edits_text = no_edits
            elif not all(type(e) is Edit and type(e.start) is int and type(e.end) is int and type(e.replacement) is str
                         for e in edits):
                return None
            else:
                edits_text = "[" + ek + edit_separator.join(
                    [f"{edit_start_key}{e.start}{edit_end_key}{e.end}{replacement_key}{escape(e.replacement)}{edit_close}"
                     for e in edits]) + edits_close
            return (f"{safe_key}{'true' if applicability == safe else 'false'}{applicability_key}{escape(applicability)}"
                    f"{source_key}{escape(source)}{score_key}{score_text}{edits_key}{edits_text}")

        append("[" + outer)
        for f in doc.findings:
            code, category, severity, start, end, text, message, suggestion, fix = (
                f.code, f.category, f.severity, f.start, f.end, f.text, f.message, f.suggestion, f.fix)
            if (not wire and type(f) is Finding and type(code) is str and type(category) is str and type(severity) is Severity
                    and type(start) is int and type(end) is int and type(text) is str and type(message) is str
                    and (suggestion is None or type(suggestion) is str)):
                fixed = fix_text(fix)
                if fixed is not None:
                    line, col = line_col(start)
                    end_line, end_col = line_col(end)
                    opening = (f"{rule_key}{escape(code)}{category_key}{escape(category)}{severity_key}"
                            f"{escape(severity_text[severity])}{start_key}{start}{end_key}{end}{text_key}{escape(text)}"
                            f"{message_key}{escape(message)}{suggestion_key}"
                            f"{'null' if suggestion is None else escape(suggestion)}{fixed}")
                    closing = (f"{line_key}{line}{col_key}{col}{end_line_key}{end_line}{end_col_key}{end_col}"
                            f"{fingerprint_key}{escape(prints[id(f)])}{close}")
                    data = f.data
                    if data:
                        append(opening + data_key)
                        value(data, level + 2)
                        append(closing)
                    else:
                        append(opening + closing)
                    if len(out) > chunk_pieces:
                        flush()
                    continue
            lines = doc.finding_lines(f)
            place = doc.source.finding_place(f) if wire else None
            if not (type(code) is str and type(category) is str and type(severity) is Severity and type(start) is int
                    and type(end) is int and type(text) is str and type(message) is str
                    and (suggestion is None or type(suggestion) is str) and all(type(n) is int for n in lines)
                    and (place is None or all(type(place[b]) is int or place[b] is None for b in ("byte", "end_byte")))
                    and (fix is None or _plain_fix(fix))):
                value(records.record(f), level + 1)
                append(separator)
                if len(out) > chunk_pieces:
                    flush()
                continue
            parts = [head % (escape(code), escape(category), escape(severity_text[severity]), start, end, escape(text),
                             escape(message), "null" if suggestion is None else escape(suggestion),
                             "true" if f.safe_fix else "false")]
            if fix is not None:
                score = fix.score
                score_text = "null" if score is None else (_float_text(score) if type(score) is float else int_text(score))
                parts.append(fix_head % (escape(fix.applicability), escape(fix.source), score_text))
                if fix.edits:
                    parts.append("[" + ek + edit_separator.join(
                        [edit % (e.start, e.end, escape(e.replacement)) for e in fix.edits]) + edits_close)
                else:
                    parts.append("[]" + newline(level + 2) + "}")
            if f.data:
                parts.append(k + '"data": ')
                append("".join(parts))
                value(f.data, level + 2)
                parts = []
            parts.append(tail % lines)
            if place is not None:
                parts.append(k + '"byte": ' + _scalar_text(place["byte"]) + k + '"end_byte": ' + _scalar_text(place["end_byte"]))
            parts.append(k + '"fingerprint": ' + escape(prints[id(f)]) + outer + "}")
            append("".join(parts))
            append(separator)
            if len(out) > chunk_pieces:
                flush()
        out[-1] = out[-1][:-len(separator)] + newline(level) + "]"  # the last separator becomes the close

    def sequence(items, level: int) -> None:
        if not items:
            append("[]")
            return
        if type(items) is list and len(items) > 1:
            kinds = set(map(type, items))
            if kinds <= _SCALARS and _c_make_encoder is not None:
                append("[" + newline(level + 1) + flat(items, "," + newline(level + 1))[1:-1] + newline(level) + "]")
                return
            if kinds == {dict} and flat_dicts(items, level):
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
            if len(out) > chunk_pieces:
                flush()
        out[-1] = newline(level) + "]"  # the last separator becomes the close

    def mapping(d: dict, level: int) -> None:
        if not d:
            append("{}")
            return
        if type(d) is dict and _c_make_encoder is not None and _SCALARS.issuperset(map(type, d.values())):
            append("{" + newline(level + 1) + flat(d, "," + newline(level + 1))[1:-1] + newline(level) + "}")
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
    if end:
        append(end)
    text = "".join(out)
    if write is not None:
        out.clear()
        write(text)
        return None
    # The writers above refer to one another through their closures, a cycle that holds ``out``
    # (the pieces of a 60 MB report) until the cyclic collector finds it: emptied, the pieces
    # are freed as soon as they are joined.
    out.clear()
    return text


def _scalar_text(v: int | None) -> str:
    return "null" if v is None else int.__repr__(v)


def _plain_fix(fix) -> bool:
    """A fix ``dumps`` writes field by field: strings, a plain number or None, plain edits."""
    score = fix.score
    return (type(fix.applicability) is str and type(fix.source) is str
            and (score is None or type(score) is float or type(score) is int)
            and type(fix.edits) in (tuple, list)
            and all(type(e) is Edit and type(e.start) is int and type(e.end) is int and type(e.replacement) is str
                    for e in fix.edits))


def _refuse(v):
    raise TypeError(f"Object of type {v.__class__.__name__} is not JSON serializable")


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
