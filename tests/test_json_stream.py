"""The JSON report written as it is produced: ``dumps(..., write=...)`` hands its text over in
chunks whose concatenation is exactly what it returns otherwise; ``write_report`` writes the
encoded ``render`` text; ``scan --format json`` writes the same bytes to standard output and to
``-o`` (through ``fsutil.atomic_writer``, all or nothing)."""

from __future__ import annotations

import io
import json
import os
import random
import stat

import pytest

from mtcheck.report import json as json_report
from mtcheck.report.json import dumps, render, write_report

_TRICKY = ["}", "{", "}\x1e{", "\x1e", '"}', "},{", "a\nb", "\u2028", "é", "", "\\", "]", "[{"]


def _chunks(obj, **kwargs) -> list[str]:
    got: list[str] = []
    assert dumps(obj, write=got.append, **kwargs) is None
    return got


def _report_results(n_sentences: int = 80):
    from mtcheck.document import Document
    from mtcheck.engine import FileResult
    from mtcheck.findings import Edit, Finding, Fix, Severity, replacement_fix

    text = "Title \"quoted\" \\ here\n\n" + " ".join(
        f"Sentence {i} says\u2028 {_TRICKY[i % len(_TRICKY)]}." for i in range(n_sentences)) + "\n"
    doc = Document.from_text(text, path="x.txt")
    doc.sentences[3].scores = {"quality": 0.25}
    doc.sentences[5].rewrite = {"text": "Rewritten.", "accepted": False, "components": {"chrf": 0.5}}
    rng = random.Random(7)
    findings = []
    for i in range(60):
        start = rng.randrange(len(text) - 1)
        end = min(len(text), start + rng.randint(0, 6))
        if i % 2:  # the usual rule fix of one edit, and the other shapes
            fix = replacement_fix(start, end, rng.choice(_TRICKY), safe=bool(i % 3))
        else:
            edits = tuple(Edit(start + k, min(end, start + k + 1), rng.choice(_TRICKY)) for k in range(rng.randint(0, 3)))
            fix = rng.choice([None, Fix(edits, "unsafe", "rules", rng.choice([None, 0.25, 1]))])
        findings.append(Finding(rng.choice(["E101", "S104", "L101"]), rng.choice(["entity", "style", "syntax"]),
                                rng.choice(list(Severity)), start, end, text[start:end], rng.choice(_TRICKY),
                                suggestion=rng.choice([None, "Meduza"]), fix=fix,
                                data=rng.choice([{}, {}, {"ru": "Медуза", "also": ["a", {"b": None}]}])))
    doc.findings = sorted(findings, key=Finding.sort_key)
    other = Document.from_text("One more. And another.\n", path="y.txt")
    return [FileResult(path="x.txt", document=doc), FileResult(path="y.txt", document=other)]


@pytest.mark.parametrize("pieces", [1, 2, 7, 2048])
def test_chunks_join_to_the_text_dumps_returns(monkeypatch, pieces):
    monkeypatch.setattr(json_report, "_CHUNK_PIECES", pieces)
    rng = random.Random(pieces)
    shapes = [  # (value, whether it is written piece by piece: a list of flat dicts is one piece)
        ([{"a": rng.choice(_TRICKY), "n": i} for i in range(50)], False),
        ({"files": [{"x": [1, 2, {"y": _TRICKY}], "z": {}}, [], [[1], {"k": [None, True, 2.5]}]], "e": _TRICKY}, True),
        ([[i, str(i), {"i": [i] * (i % 3)}] for i in range(40)], True),
    ]
    for v, in_pieces in shapes:
        got = _chunks(v, end="\n")
        assert "".join(got) == dumps(v, end="\n") == json.dumps(v, ensure_ascii=False, indent=1) + "\n"
        if pieces < 10 and in_pieces:  # written as it was produced, not once at the end
            assert len(got) > 3


@pytest.mark.parametrize("pieces", [1, 5, 2048])
def test_the_report_written_in_chunks_is_the_rendered_report(monkeypatch, pieces):
    monkeypatch.setattr(json_report, "_CHUNK_PIECES", pieces)
    results = _report_results()
    text = render(results, signature={"s": 1})
    assert text == json.dumps(json_report.report(results, {"s": 1}), ensure_ascii=False, indent=1) + "\n"
    chunks = _chunks(json_report.report(results, {"s": 1}, json_report._SentenceRecords), end="\n")
    assert "".join(chunks) == text
    if pieces == 1:
        assert len(chunks) > 100  # every sentence and finding handed over as it came
    fh = io.BytesIO()
    write_report(fh, results, {"s": 1})
    assert fh.getvalue() == text.encode("utf-8")
    fh = io.BytesIO()
    write_report(fh, results, {"s": 1}, encoding="utf-16-le")
    assert fh.getvalue() == text.encode("utf-16-le")


def test_an_error_while_writing_stops_the_report(monkeypatch):
    monkeypatch.setattr(json_report, "_CHUNK_PIECES", 1)
    written: list[str] = []

    def write(text: str) -> None:
        if len(written) == 5:
            raise OSError(28, "No space left on device")
        written.append(text)

    with pytest.raises(OSError):
        dumps(json_report.report(_report_results(), {}, json_report._SentenceRecords), write=write)
    assert len(written) == 5


def _story(tmp_path) -> str:
    path = tmp_path / "story.txt"
    path.write_text("The LIH said that the Medusa reported it.\n\nRussian soldiers in the area no.\n"
                    "He saidthat the defense Ministry agreed.\n", encoding="utf-8")
    return str(path)


def test_scan_writes_the_same_bytes_to_stdout_and_to_an_output_file(cli, tmp_path):
    story = _story(tmp_path)
    shown = cli("scan", story, "--no-neural", "--format", "json", "--fail-on", "never")
    out = tmp_path / "reports" / "scan.json"
    written = cli("scan", story, "--no-neural", "--format", "json", "--fail-on", "never", "-o", out)
    assert shown.exit_code == written.exit_code == 0 and written.stdout == ""
    assert out.read_bytes() == shown.stdout_bytes
    report = json.loads(shown.stdout)
    assert report["files"][0]["findings"] and report["files"][0]["sentences"]
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_scan_output_file_keeps_its_mode_and_follows_a_symlink(cli, tmp_path):
    story = _story(tmp_path)
    target = tmp_path / "real.json"
    target.write_text("old")
    os.chmod(target, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert cli("scan", story, "--no-neural", "--format", "json", "--fail-on", "never", "-o", link).exit_code == 0
    assert link.is_symlink() and json.loads(target.read_text())["version"] == 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_atomic_writer_leaves_nothing_when_the_block_fails(tmp_path):
    from mtcheck.fsutil import atomic_writer

    target = tmp_path / "out.json"
    target.write_bytes(b"before")
    with pytest.raises(RuntimeError):
        with atomic_writer(target) as fh:
            fh.write(b"half of it")
            raise RuntimeError("rendering failed")
    assert target.read_bytes() == b"before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
    with atomic_writer(target) as fh:
        fh.write(b"one ")
        fh.write(b"two")
    assert target.read_bytes() == b"one two"
    with pytest.raises(IsADirectoryError):
        with atomic_writer(tmp_path):
            pass


def test_findings_of_every_shape_are_written_as_their_records():
    # The fast path takes plain findings with no fix or a fix of any number of edits (tuple or
    # list), with or without data; a subclass, or an edit of another type, goes the general way.
    from dataclasses import dataclass

    from mtcheck.findings import Edit, Finding, Fix, Severity

    @dataclass
    class Marked(Finding):
        mark: str = "x"

    class OtherEdit(Edit):
        pass

    results = _report_results()
    doc = results[0].document
    text = doc.text
    shapes = [
        Finding("S104", "style", Severity.INFO, 0, 5, text[0:5], "m"),
        Finding("S104", "style", Severity.INFO, 1, 5, text[1:5], "m", fix=Fix([Edit(1, 2, "a"), Edit(3, 4, "b")])),
        Finding("S104", "style", Severity.INFO, 2, 5, text[2:5], "m", fix=Fix((), "display", "both", 0.5),
                data={"spellings": ["a", "b"], "n": {"deep": [1, None]}}),
        Finding("S104", "style", Severity.INFO, 3, 5, text[3:5], "m", fix=Fix((Edit(3, 4, "c"),), "safe", "rules", True)),
        Finding("S104", "style", Severity.INFO, 4, 5, text[4:5], "m", fix=Fix((OtherEdit(4, 5, "c"),))),
        Marked("S104", "style", Severity.INFO, 5, 9, text[5:9], "m", suggestion="s", data={"k": 1}),
    ]
    doc.findings = sorted([*doc.findings, *shapes], key=Finding.sort_key)
    expected = json.dumps(json_report.report(results, {}), ensure_ascii=False, indent=1) + "\n"
    assert render(results) == expected
    assert '"safe_fix": true' in expected and '"data": {' in expected
