"""The analysis of a checked document as plain data, and back.

A checked ``Document`` is its text (which the reader can always reproduce) plus what the
analysis added: findings (with their fixes) and per-sentence scores. Only the additions
travel: to the result cache, to ``--jobs`` worker processes and to Dask workers. The
receiving side re-segments the same text (segmentation is deterministic) and puts the
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

FORMAT_VERSION = 1


def finding_to_dict(f: Finding) -> dict:
    rec: dict[str, Any] = {
        "code": f.code,
        "category": f.category,
        "severity": f.severity.name,
        "start": f.start,
        "end": f.end,
        "text": f.text,
        "message": f.message,
        "suggestion": f.suggestion,
        "data": f.data,
    }
    if f.fix is not None:
        rec["fix"] = {
            "edits": [[e.start, e.end, e.replacement] for e in f.fix.edits],
            "applicability": f.fix.applicability,
            "source": f.fix.source,
            "score": f.fix.score,
        }
    return rec


def finding_from_dict(rec: dict) -> Finding:
    fix = None
    if rec.get("fix") is not None:
        fx = rec["fix"]
        fix = Fix(
            edits=tuple(Edit(int(a), int(b), r) for a, b, r in fx["edits"]),
            applicability=fx["applicability"],
            source=fx["source"],
            score=fx["score"],
        )
    return Finding(
        code=rec["code"],
        category=rec["category"],
        severity=Severity[rec["severity"]],
        start=rec["start"],
        end=rec["end"],
        text=rec["text"],
        message=rec["message"],
        suggestion=rec["suggestion"],
        fix=fix,
        data=rec["data"],
    )


def annotations(doc: Document, extras: dict | None = None) -> dict:
    """What the analysis added to ``doc`` (and its FileResult's ``extras``), as plain data."""
    return {
        "v": FORMAT_VERSION,
        "sentences": len(doc.sentences),
        "findings": [finding_to_dict(f) for f in doc.findings],
        "scores": [s.scores for s in doc.sentences],
        "extras": extras or {},
    }


class MismatchError(ValueError):
    """The annotations were made for a different segmentation of the text."""


def apply_annotations(doc: Document, payload: dict) -> dict:
    """Put ``payload`` back onto a freshly segmented ``doc``; return the extras."""
    if payload.get("v") != FORMAT_VERSION or payload["sentences"] != len(doc.sentences):
        raise MismatchError(f"{doc.path}: annotations do not fit this document")
    doc.findings = [finding_from_dict(r) for r in payload["findings"]]
    for sentence, scores in zip(doc.sentences, payload["scores"]):
        sentence.scores = scores
    return payload["extras"]


def ship(doc: Document) -> tuple:
    """A document with its neural scores, for a worker (``--jobs``, Dask) that runs the rules."""
    return (doc.path, doc.text, doc.encoding, [s.scores for s in doc.sentences])


def unship(shipped: tuple) -> Document:
    """The document ``ship`` packed, re-segmented, its sentences' scores put back."""
    path, text, encoding, scores = shipped
    doc = Document.from_text(text, path=path, encoding=encoding)
    for sentence, s in zip(doc.sentences, scores):
        sentence.scores = s
    return doc


def _plain(value: Any) -> Any:
    # numpy scalars and arrays a scorer may leave in ``scores``: store their Python value.
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot store a {type(value).__name__} in the result cache")


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
    result is not cached (it is still reported), so a cached result always renders exactly
    like a fresh one."""
    try:
        blob = encode(payload)
        return blob if decode(blob) == payload else None
    except (TypeError, ValueError, RecursionError):
        return None
