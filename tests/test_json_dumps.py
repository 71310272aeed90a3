"""The JSON report's writer on the shapes its fast paths take (lists of dicts of scalars, dicts
and lists of scalars) gives json.dumps's text, at every level and indent."""

from __future__ import annotations

import enum
import json
import random

import pytest

from mtcheck.report.json import dumps


class _Int(enum.IntEnum):
    X = 3


_TRICKY = ["}", "{", "}\x1e{", "\x1e", '"}', "},{", "a\nb", "\u2028", "é", "", "\\", "]", "[{"]


def _scalar(rng: random.Random):
    return rng.choice(_TRICKY + [0, -1, 2.5, float("nan"), float("inf"), None, True, False, 10**20, -0.0])


def _flat_dict(rng: random.Random) -> dict:
    keys = _TRICKY + ["start", "end", 1, 2.5, None, True]
    return {rng.choice(keys): _scalar(rng) for _ in range(rng.randint(0, 5))}


def _shape(rng: random.Random, depth: int = 0):
    r = rng.random()
    if depth > 3 or r < 0.2:
        return [_flat_dict(rng) for _ in range(rng.randint(1, 6))]
    if r < 0.35:
        return [_scalar(rng) for _ in range(rng.randint(0, 5))]
    if r < 0.5:
        return _flat_dict(rng)
    if r < 0.6:  # a list of flat dicts with a nested one, or a subclass value, among them
        items = [_flat_dict(rng) for _ in range(rng.randint(1, 4))]
        items.insert(rng.randint(0, len(items)), rng.choice([{"x": _Int.X}, {"x": [1]}, {"x": {"y": 1}}, {}, [1]]))
        return items
    return {rng.choice(["files", "findings", "}", 7]): _shape(rng, depth + 1) for _ in range(rng.randint(1, 3))}


@pytest.mark.parametrize("indent", [1, 2, 0, 4])
def test_flat_shapes_are_written_as_json_dumps_writes_them(indent):
    rng = random.Random(indent)
    for _ in range(1500):
        v = _shape(rng)
        assert dumps(v, indent) == json.dumps(v, ensure_ascii=False, indent=indent), v


def test_a_long_list_of_sentence_records_is_the_standard_encoding():
    rng = random.Random(5)
    records = [{"start": i, "end": i + 3, "text": rng.choice(_TRICKY), "flagged": bool(i % 2), "kind": "body"}
               for i in range(5000)]
    report = {"version": 1, "files": [{"path": "x", "sentences": records, "findings": [{"fix": {"edits": records[:3]}}]}]}
    assert dumps(report) == json.dumps(report, ensure_ascii=False, indent=1)


def test_flat_shapes_refuse_what_json_dumps_refuses():
    for bad in ([{"a": 1}, {(1,): 2}], {(1,): 2}, [{"a": 1}, {"b": object()}]):
        with pytest.raises(TypeError):
            json.dumps(bad, indent=1)
        with pytest.raises(TypeError):
            dumps(bad)


def test_the_report_written_from_the_sentences_is_json_dumps_of_the_report():
    from mtcheck.document import Document
    from mtcheck.engine import FileResult
    from mtcheck.report.json import render, report

    text = "Title \"quoted\" \\ here\n\n" + " ".join(f"Sentence {i} says\u2028 {_TRICKY[i % len(_TRICKY)]}." for i in range(60)) + "\n"
    doc = Document.from_text(text, path="x.txt")
    empty = Document.from_text("", path="empty.txt")
    doc.sentences[3].scores = {"quality": 0.25}
    doc.sentences[5].rewrite = {"text": "Rewritten.", "accepted": False, "components": {"chrf": 0.5}}
    doc.sentences[7].scores = {"lm_logprob": -3.0}  # scores without a quality: the usual record
    results = [FileResult(path="x.txt", document=doc), FileResult(path="empty.txt", document=empty)]
    assert len(doc.sentences) > 20
    assert render(results, signature={"s": 1}) == json.dumps(report(results, {"s": 1}), ensure_ascii=False, indent=1) + "\n"


def test_the_findings_written_from_the_document_are_json_dumps_of_their_records():
    # render writes each finding field by field (no dict per finding); every shape a finding
    # takes must give report()'s text: fixes of one, several and no edits, scores of each type,
    # nested data, no suggestion, and values of unusual types (written the general way).
    from mtcheck.document import Document
    from mtcheck.engine import FileResult
    from mtcheck.findings import Edit, Finding, Fix, Severity
    from mtcheck.report.json import render, report

    text = "The LIH said \"no\" \\ here.\u2028 Medusa and Deir Ezzor.\n\nSecond paragraph é.\n"
    doc = Document.from_text(text, path="x.txt")
    rng = random.Random(3)
    findings = []
    for i in range(80):
        start = rng.randrange(len(text) - 1)
        end = min(len(text), start + rng.randint(0, 6))
        edits = tuple(Edit(start + k, min(end, start + k + 1), rng.choice(_TRICKY)) for k in range(rng.randint(0, 3)))
        fix = rng.choice([None, Fix(edits, rng.choice(["safe", "unsafe", "display"]), "rules",
                                    rng.choice([None, 0.25, 1, float("nan"), _Int.X]))])
        findings.append(Finding(rng.choice(["E101", "S104"]), rng.choice(["entity", "style"]),
                                rng.choice(list(Severity) + [_Int.X]) if i % 9 == 0 else rng.choice(list(Severity)),
                                start, _Int.X if i % 17 == 0 else end, text[start:end], rng.choice(_TRICKY),
                                suggestion=rng.choice([None, "Meduza", "\x1e"]), fix=fix,
                                data=rng.choice([{}, {"ru": "Медуза", "also": ["a", {"b": None}]}, {"n": 2.5}])))
    doc.findings = findings
    results = [FileResult(path="x.txt", document=doc)]
    assert render(results, signature={"s": 1}) == json.dumps(report(results, {"s": 1}), ensure_ascii=False, indent=1) + "\n"
