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

import json
import zlib
from typing import Any

from mtcheck.document import Document
from mtcheck.findings import Edit, Finding, Fix, Severity

FORMAT_VERSION = 3  # 3: suppressed findings travel too

# Where the rules stage keeps the findings a suppression took out of ``doc.findings`` (inline
# directives, per-file-ignores; ``scan --baseline`` adds its own): a list of (finding, what
# suppressed it). See ``mtcheck.suppress``.
SUPPRESSED = "suppressed"


def suppressed(doc: Document) -> list[tuple[Finding, str]]:
    """The findings suppressions took out of ``doc.findings``, each with what suppressed it."""
    return doc.user_data.get(SUPPRESSED) or []


# -- findings -------------------------------------------------------------------------------------
def finding_data(f: Finding) -> dict:
    """A finding as plain data; the JSON report's record without line and column."""
    rec: dict[str, Any] = {
        "rule": f.code,
        "category": f.category,
        "severity": str(f.severity),
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
def _plain(value: Any) -> Any:
    # numpy scalars and arrays a scorer may leave in ``scores``: store their Python value.
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot store a {type(value).__name__}")


def encode(payload: dict) -> bytes:
    """Compact bytes for storage. Raises TypeError/ValueError for data JSON cannot hold."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return zlib.compress(text.encode("utf-8"), 3)


def decode(blob: bytes) -> dict:
    """Raises ValueError for bytes ``encode`` did not produce."""
    try:
        return json.loads(zlib.decompress(blob).decode("utf-8"))
    except zlib.error as e:
        raise ValueError(f"not a stored result: {e}") from None


def encode_faithful(payload: dict) -> bytes | None:
    """``encode(payload)`` when it survives the trip back unchanged, else None.

    Tuples, sets, non-string keys or custom objects in ``data`` or ``scores`` do not: such a
    result is not stored (it is still reported), so a stored result always renders exactly
    like a fresh one. Plain data (``_plain_json``) always does: only other data is decoded
    again and compared (decoding a long story's result costs more than encoding it)."""
    try:
        blob = encode(payload)
        return blob if _plain_json(payload) or decode(blob) == payload else None
    except (TypeError, ValueError, RecursionError):
        return None


def _plain_json(value: Any) -> bool:
    """Whether ``value`` holds only what JSON gives back equal: dicts with str keys, lists,
    str, int, bool, None and floats other than NaN, each of exactly that type (a subclass may
    compare or encode otherwise). False means "not sure": the caller compares the round trip.
    One pass without recursion; a container met twice (shared, or a cycle, which ``encode``
    has already refused) is looked at once."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        v = stack.pop()
        t = type(v)
        if t is str or t is int or t is bool or v is None:
            continue
        if t is float:
            if v != v:  # NaN: not equal to itself after the trip
                return False
            continue
        if t is dict or t is list:
            if id(v) in seen:
                continue
            seen.add(id(v))
            if t is dict:
                for k in v:
                    if type(k) is not str:
                        return False
                stack.extend(v.values())
            else:
                stack.extend(v)
            continue
        return False
    return True
