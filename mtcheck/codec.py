"""The one plain-data form of a checked document, and back.

A checked ``Document`` is its text (which the reader can always reproduce) plus what the
pipeline added: findings (with their fixes), per-sentence neural scores and rewrites. The
same plain data serves every place a checked document leaves the process or is written down:
the result store, the ``--jobs`` and Dask worker hand-off, the review database and the JSON
report (which adds line and column numbers to each finding, see ``mtcheck.report.json``).
The receiving side re-segments the same text (segmentation is deterministic) and puts the
annotations back, so a restored document renders exactly like the one that was analysed.

``doc.user_data`` (the spaCy parse and other lazily attached analyses) does not travel: it
is derived data, recomputed on demand where it is needed.
"""

from __future__ import annotations

import io
import operator
import pickle
import zlib
from itertools import chain, compress, repeat
from typing import Any

from mtcheck.document import Document
from mtcheck.findings import Edit, Finding, Fix, Severity, require_fields

FORMAT_VERSION = 3  # 3: suppressed findings travel too

# Where the rules stage keeps the findings a suppression took out of ``doc.findings`` (inline
# directives, per-file-ignores; ``scan --baseline`` adds its own): a list of (finding, what
# suppressed it). See ``mtcheck.suppress``.
SUPPRESSED = "suppressed"


def suppressed(doc: Document) -> list[tuple[Finding, str]]:
    """The findings suppressions took out of ``doc.findings``, each with what suppressed it."""
    return doc.user_data.get(SUPPRESSED) or []


# -- findings -------------------------------------------------------------------------------------
# str(Severity.X), looked up: the enum's name property is slow, and every report asks it of
# every finding (47,000 in a story of short lines).
_SEVERITY_TEXT = {s: str(s) for s in Severity}


def finding_data(f: Finding) -> dict:
    """A finding as plain data; the JSON report's record without line and column."""
    severity = f.severity
    rec: dict[str, Any] = {
        "rule": f.code,
        "category": f.category,
        "severity": _SEVERITY_TEXT[severity] if type(severity) is Severity else str(severity),
        "start": f.start,
        "end": f.end,
        "text": f.text,
        "message": f.message,
        "suggestion": f.suggestion,
        "safe_fix": f.safe_fix,
    }
    if f.fix is not None:
        rec["fix"] = {
            "applicability": f.fix.applicability,
            "source": f.fix.source,
            "score": f.fix.score,
            "edits": [{"start": e.start, "end": e.end, "replacement": e.replacement} for e in f.fix.edits],
        }
    if f.data:
        rec["data"] = f.data
    return rec


def finding_from_data(rec: dict) -> Finding:
    fix = None
    if rec.get("fix") is not None:
        fx = rec["fix"]
        fix = Fix(
            edits=tuple(Edit(int(e["start"]), int(e["end"]), e["replacement"]) for e in fx["edits"]),
            applicability=fx["applicability"],
            source=fx["source"],
            score=fx["score"],
        )
    return Finding(
        code=rec["rule"],
        category=rec["category"],
        severity=Severity.parse(rec["severity"]),
        start=int(rec["start"]),
        end=int(rec["end"]),
        text=rec["text"],
        message=rec["message"],
        suggestion=rec["suggestion"],
        fix=fix,
        data=rec.get("data") or {},
    )


# -- documents ------------------------------------------------------------------------------------
def annotations(doc: Document, extras: dict | None = None) -> dict:
    """What the pipeline added to ``doc`` (and its FileResult's ``extras``), as plain data."""
    return {
        "v": FORMAT_VERSION,
        "sentences": len(doc.sentences),
        "findings": [finding_data(f) for f in doc.findings],
        "suppressed": [dict(finding_data(f), suppressed_by=by) for f, by in suppressed(doc)],
        "scores": [s.scores for s in doc.sentences],
        "rewrites": [s.rewrite for s in doc.sentences],
        "extras": extras or {},
    }


class MismatchError(ValueError):
    """The annotations were made for a different segmentation of the text."""


def apply_annotations(doc: Document, payload: dict) -> dict:
    """Put ``payload`` back onto a freshly segmented ``doc``; return the extras."""
    if payload.get("v") != FORMAT_VERSION or payload["sentences"] != len(doc.sentences):
        raise MismatchError(f"{doc.path}: annotations do not fit this document")
    doc.findings = [finding_from_data(r) for r in payload["findings"]]
    doc.user_data[SUPPRESSED] = [(finding_from_data(r), r["suppressed_by"]) for r in payload.get("suppressed", [])]
    for sentence, scores, rewrite in zip(doc.sentences, payload["scores"], payload["rewrites"]):
        sentence.scores = scores
        sentence.rewrite = rewrite
    return payload["extras"]


# -- the result store's form ----------------------------------------------------------------------
# ``annotations`` in columns, for ``mtcheck.cache``: the findings as one tuple per field (a story
# of short lines has 47,000 findings: a dict each, its keys written out each time, made most of
# the bytes to pickle and compress, and building a Finding from each dict most of the restore),
# and only the sentences that hold scores or a rewrite. ``apply_stored`` puts back what
# ``apply_annotations`` puts back for ``annotations``: equal findings, scores and rewrites, of
# the same types, each empty score dict its own.
STORED_FORM = "columns-1"


def stored_annotations(doc: Document, extras: dict | None = None) -> dict:
    """``annotations(doc, extras)`` in the result store's form (``apply_stored`` reads it)."""
    sentences = doc.sentences
    scores = [(i, s.scores) for i, s in enumerate(sentences) if s.scores or type(s.scores) is not dict]
    rewrites = [(i, s.rewrite) for i, s in enumerate(sentences) if s.rewrite is not None]
    return {
        "v": FORMAT_VERSION,
        "form": STORED_FORM,
        "sentences": len(doc.sentences),
        "findings": _finding_columns(doc.findings),
        "suppressed": [dict(finding_data(f), suppressed_by=by) for f, by in suppressed(doc)],
        "scores": scores,
        "rewrites": rewrites,
        "extras": extras or {},
    }


def apply_stored(doc: Document, payload: dict) -> dict:
    """Put a ``stored_annotations`` payload back onto a freshly segmented ``doc``; return the extras."""
    if payload.get("v") != FORMAT_VERSION or payload.get("form") != STORED_FORM or payload["sentences"] != len(doc.sentences):
        raise MismatchError(f"{doc.path}: annotations do not fit this document")
    findings = _findings_from_columns(payload["findings"])
    suppressed_pairs = [(finding_from_data(r), r["suppressed_by"]) for r in payload["suppressed"]]
    sentences = doc.sentences
    for sentence in sentences:
        sentence.scores = {}
        sentence.rewrite = None
    for i, scores in payload["scores"]:
        sentences[i].scores = scores
    for i, rewrite in payload["rewrites"]:
        sentences[i].rewrite = rewrite
    doc.findings = findings
    doc.user_data[SUPPRESSED] = suppressed_pairs
    return payload["extras"]


def _severity_texts(severities: list) -> list:
    if set(map(type, severities)) == {Severity}:
        return list(map(_SEVERITY_TEXT.__getitem__, severities))
    return [_SEVERITY_TEXT[s] if type(s) is Severity else str(s) for s in severities]  # as finding_data


def _finding_columns(findings: list[Finding]) -> dict:
    """The fields ``finding_data`` records, a tuple each; the fixes' fields for the findings
    with a fix, and their edits' fields one tuple for all. Each object is read once, its fields
    together (``attrgetter``), and the rows turned into columns in C: a pass in Python over the
    findings per field would cost more than all of ``finding_data``."""
    rows = list(map(_FINDING_FIELDS, findings))
    code, category, severity, start, end, text, message, suggestion, fix, data = zip(*rows) if rows else ((),) * 10
    has_fix = list(map(operator.is_not, fix, repeat(None)))
    fix_rows = list(map(_FIX_FIELDS, compress(fix, has_fix)))
    edit_lists, applicability, source, score = zip(*fix_rows) if fix_rows else ((),) * 4
    edit_rows = list(map(_EDIT_FIELDS, chain.from_iterable(edit_lists)))
    edit_start, edit_end, replacement = zip(*edit_rows) if edit_rows else ((),) * 3
    return {
        "n": len(findings),
        "rule": code,
        "category": category,
        "severity": _severity_texts(severity),
        "start": start,
        "end": end,
        "text": text,
        "message": message,
        "suggestion": suggestion,
        "data": [d or None for d in data],  # finding_data records a data that is not empty
        "fix": has_fix,
        "edits": list(map(len, edit_lists)),  # how many of the edits each fix has, in turn
        "applicability": applicability,
        "source": source,
        "score": score,
        "edit_start": edit_start,
        "edit_end": edit_end,
        "replacement": replacement,
    }


_FINDING_FIELDS = operator.attrgetter("code", "category", "severity", "start", "end", "text", "message", "suggestion", "fix", "data")
_FIX_FIELDS = operator.attrgetter("edits", "applicability", "source", "score")
_EDIT_FIELDS = operator.attrgetter("start", "end", "replacement")


def _findings_from_columns(columns: dict) -> list[Finding]:
    """The findings ``finding_from_data`` makes of each record, from ``_finding_columns``."""
    n = columns["n"]
    parse = {}  # severity text -> Severity.parse of it (raises ValueError as it does)
    severities = columns["severity"]
    for text in dict.fromkeys(severities):
        parse[text] = Severity.parse(text)
    fields = [columns["rule"], columns["category"], list(map(parse.__getitem__, severities)),
              list(map(int, columns["start"])), list(map(int, columns["end"])), columns["text"],
              columns["message"], columns["suggestion"], columns["data"]]
    has_fix, edit_counts = columns["fix"], columns["edits"]
    if any(len(f) != n for f in fields) or len(has_fix) != n:
        raise ValueError("stored findings: columns of different lengths")
    applicability, source, score = columns["applicability"], columns["source"], columns["score"]
    edits = list(map(Edit, map(int, columns["edit_start"]), map(int, columns["edit_end"]), columns["replacement"]))
    if not (sum(has_fix) == len(edit_counts) == len(applicability) == len(source) == len(score)) or sum(edit_counts) != len(edits):
        raise ValueError("stored findings: fixes and edits do not add up")
    fixes = []
    e = 0  # the next fix's first edit
    for count, fix_applicability, fix_source, fix_score in zip(edit_counts, applicability, source, score):
        fix = _new_fix(Fix)
        fix.__dict__ = {"edits": tuple(edits[e:e + count]), "applicability": fix_applicability, "source": fix_source, "score": fix_score}
        fixes.append(fix)
        e += count
    next_fix = iter(fixes).__next__
    out = []
    new = _new_finding
    for code, category, severity, start, end, text, message, suggestion, data, with_fix in zip(*fields, has_fix):
        f = new(Finding)
        f.__dict__ = {"code": code, "category": category, "severity": severity, "start": start, "end": end, "text": text,
                      "message": message, "suggestion": suggestion, "fix": next_fix() if with_fix else None, "data": data or {}}
        out.append(f)
    return out


_new_fix, _new_finding = Fix.__new__, Finding.__new__
require_fields(Fix, ("edits", "applicability", "source", "score"), "codec._findings_from_columns")
require_fields(Finding, ("code", "category", "severity", "start", "end", "text", "message", "suggestion", "fix", "data"),
               "codec._findings_from_columns")


def restore(text: str, payload: dict, path: str = "<text>", encoding: str = "utf-8") -> tuple[Document, dict]:
    """A checked document from its text and ``annotations``; returns (document, extras)."""
    doc = Document.from_text(text, path=path, encoding=encoding)
    return doc, apply_annotations(doc, payload)


def ship(doc: Document) -> tuple:
    """A document in the middle of the pipeline, for a worker (``--jobs``, Dask): its text and
    whatever the stages before the worker's added."""
    # What the reader saw in the bytes (invalid UTF-8 and the like) is not in the text: it
    # travels too, for the rules that report it.
    # A wire story's map back to its file travels too: a worker cannot re-read the file.
    source = doc.source.to_data() if doc.source is not None else None  # issue 12: source map
    return (doc.path, doc.text, doc.encoding, list(doc.decode_issues), annotations(doc), source)


def unship(shipped: tuple) -> Document:
    """The document ``ship`` packed, re-segmented, its annotations put back."""
    path, text, encoding, decode_issues, payload, source = shipped
    doc = restore(text, payload, path=path, encoding=encoding)[0]
    doc.decode_issues = list(decode_issues)
    if source is not None:  # issue 12: source map
        from mtcheck.sourcemap import SourceMap

        doc.source = SourceMap.from_data(source)
    return doc


# -- bytes ----------------------------------------------------------------------------------------
# The stored form is a pickle restricted to Python's own plain types, compressed. Restricted both
# ways: the pickler refuses every object that is not exactly None, bool, int, float, str, bytes,
# bytearray, tuple, list, dict, set or frozenset (no subclass, no numpy scalar), and the unpickler
# refuses every global, so loading a stored result can build nothing but such values and runs no
# code. Those types come back exactly (tuples as tuples, int keys as int keys, shared and cyclic
# containers as they were; with ``keep_sharing=False``, shared ones as equal copies and cyclic
# ones refused), so a stored result renders like a fresh one without decoding it again to
# compare: JSON gave tuples back as lists, so every payload had to be walked, or decoded and
# compared, besides being encoded (2.6 s of the 2.8 s that storing the result of 200,000 short
# lines took).
_PICKLE_PROTOCOL = 5
_ZLIB_LEVEL = 1  # level 3 made the blob a tenth smaller for a third more time


class _PlainPickler(pickle.Pickler):
    # Called only for objects that are not of the types the pickler writes itself.
    def reducer_override(self, obj):
        raise TypeError(f"cannot store a {type(obj).__name__}")


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"a stored result names {module}.{name}")


def encode(payload: dict, *, keep_sharing: bool = True) -> bytes:
    """Compact bytes for storage. Raises TypeError/ValueError for data other than Python's
    plain types (see above), RecursionError for data nested too deep.

    ``keep_sharing=False``: the pickler's fast mode, without its memo. An object referred to
    twice is written twice and comes back as two equal objects, and a cycle is refused
    (ValueError); the memo (an entry for every string and container) was half the time of
    storing the result of 200,000 short lines (a million objects, none of them shared)."""
    buffer = io.BytesIO()
    try:
        pickler = _PlainPickler(buffer, protocol=_PICKLE_PROTOCOL)
        pickler.fast = not keep_sharing
        pickler.dump(payload)
    except pickle.PicklingError as e:
        raise ValueError(str(e)) from None
    return zlib.compress(buffer.getvalue(), _ZLIB_LEVEL)


def decode(blob: bytes) -> dict:
    """The dict ``encode`` stored. Raises ValueError for bytes it did not produce."""
    try:
        payload = _PlainUnpickler(io.BytesIO(zlib.decompress(blob))).load()
    except (zlib.error, pickle.UnpicklingError, EOFError, TypeError, ValueError, IndexError, KeyError,
            AttributeError, MemoryError, OverflowError, UnicodeDecodeError) as e:
        raise ValueError(f"not a stored result: {type(e).__name__}: {e}") from None
    if type(payload) is not dict:
        raise ValueError(f"not a stored result: a {type(payload).__name__}")
    return payload


def encode_faithful(payload: dict, *, keep_sharing: bool = True) -> bytes | None:
    """``encode(payload, keep_sharing=...)`` when it comes back as it is (equal, of the same
    types), else None.

    Every value ``encode`` accepts comes back exactly (a NaN as a NaN), so only what it
    refuses is left out:
    custom objects, subclasses, numpy values in ``data`` or ``scores``, data nested too deep.
    Such a result is not stored (it is still reported), so a stored result always renders
    exactly like a fresh one."""
    try:
        return encode(payload, keep_sharing=keep_sharing)
    except (TypeError, ValueError, RecursionError):
        return None
