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
    line, col, end_line, end_col = doc.finding_lines(f)
    rec.update(line=line, col=col, end_line=end_line, end_col=end_col)
    if doc.source is not None:  # a wire story: where the finding lies in the original file's bytes
        place = doc.source.finding_place(f)
        rec.update(byte=place["byte"], end_byte=place["end_byte"])
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
    findings = [dict(finding_record(doc, f), fingerprint=prints[id(f)]) for f in doc.findings]
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
    return json.dumps(report(results, signature), ensure_ascii=False, indent=1) + "\n"
