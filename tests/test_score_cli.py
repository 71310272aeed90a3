"""``mtcheck score``: JSONL records, one per input line, in order."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mtcheck.cli import cli
from mtcheck.cli.score import line_document, split_lines

INPUT = ("Police detained the suspect near the station on Tuesday evening.\n"
         "\n"
         "The Russian defense Ministry said that the LIH fighters attacked. It was bad.\n"
         "   \n"
         "By Russia supported forces in Deir ezzor to those US support came close.\n")


def _run(args, input_bytes):
    result = CliRunner().invoke(cli, args, input=input_bytes)
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result, records


def test_split_lines_numbers_lines_like_an_editor():
    assert split_lines("a\r\nb\rc\n") == ["a", "b", "c"]
    assert split_lines("a\n\n") == ["a", ""]
    assert split_lines("a") == ["a"]


def test_a_line_keeps_its_sentences_apart():
    doc = line_document("First sentence here. Second one follows.", "x:1")
    assert [s.text for s in doc.sentences] == ["First sentence here.", "Second one follows."]


def test_a_line_with_several_sentences_gets_them_listed_with_their_own_findings():
    line = "Russian soldiers in the area of Deir ez-Zor no. The ministry said so on Monday. Injured no."
    result, (rec,) = _run(["score", "--no-neural"], (line + "\n").encode())
    assert result.exit_code == 0, result.output
    assert [s["text"] for s in rec["sentences"]] == [
        "Russian soldiers in the area of Deir ez-Zor no.", "The ministry said so on Monday.", "Injured no."]
    for s in rec["sentences"]:
        assert line[s["start"]:s["end"]] == s["text"]
        for f in s["findings"]:  # every fix stays inside the sentence it was found in
            assert s["start"] <= f["start"] < f["end"] <= s["end"]
            for e in (f.get("fix") or {}).get("edits", []):
                assert s["start"] <= e["start"] <= e["end"] <= s["end"]
    first, middle, _ = rec["sentences"]
    assert any(f["rule"] == "X102" for f in first["findings"]) and first["flagged"]
    assert middle["findings"] == [] and not middle["flagged"]
    # the line's findings are the sentences' findings, in order
    assert rec["findings"] == [f for s in rec["sentences"] for f in s["findings"]]


def test_records_rules_only(tmp_path):
    result, records = _run(["score", "--no-neural"], INPUT.encode())
    assert result.exit_code == 0, result.output
    assert [r["line"] for r in records] == [1, 2, 3, 4, 5]
    assert [r["text"] for r in records] == INPUT.split("\n")[:5]
    for r in records:
        assert set(r) >= {"line", "text", "quality", "flagged", "findings"}
        assert r["quality"] is None  # --no-neural: rules only
    assert records[1] == {"line": 2, "text": "", "quality": None, "flagged": False, "findings": [], "sentences": []}
    assert records[3]["findings"] == [] and records[3]["quality"] is None
    # finding offsets index the line's own text
    for r in records:
        for f in r["findings"]:
            assert r["text"][f["start"]:f["end"]] == f["text"]
    style = [f for f in records[2]["findings"] if f["category"] == "style"]
    assert any(f["text"] == "defense Ministry" or "Ministry" in f["text"] for f in style)


def test_file_argument_and_legacy_encoding(tmp_path):
    path = tmp_path / "mt.txt"
    path.write_bytes("Москва заявила о провокации.\nThe ministry said so.\n".encode("cp1251"))
    result, records = _run(["score", "--no-neural", str(path)], None)
    assert result.exit_code == 1, result.output  # untranslated Russian is an error-severity finding
    assert records[0]["text"] == "Москва заявила о провокации."
    assert records[0]["flagged"] is True  # untranslated Russian: a language finding
    assert any(f["category"] == "language" for f in records[0]["findings"])


def test_output_file_and_fail_on(tmp_path):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["score", "--no-neural", "--fail-on", "info", "-o", str(out)], input=INPUT.encode())
    assert result.exit_code == 1  # line 3 has findings
    assert result.stdout == ""
    assert len(out.read_text().splitlines()) == 5
    result = CliRunner().invoke(cli, ["score", "--no-neural", "--fail-on", "never"], input=INPUT.encode())
    assert result.exit_code == 0


@pytest.mark.parametrize("data, message", [(b"", "empty"), (b"\x00\x01\x02binary\x00" * 50, "binary")])
def test_bad_input_is_one_line_and_exit_2(data, message):
    result = CliRunner().invoke(cli, ["score", "--no-neural"], input=data)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_file_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["score", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2 and "no such file" in result.stderr


@pytest.mark.slow
def test_records_with_quality():
    result, records = _run(["score", "--batch-size", "2"], INPUT.encode())
    assert result.exit_code == 0, result.output
    assert [r["line"] for r in records] == [1, 2, 3, 4, 5]
    assert records[1]["quality"] is None and records[3]["quality"] is None
    for i in (0, 2, 4):
        assert 0.0 <= records[i]["quality"] <= 1.0
    fluent, damaged = records[0], records[4]
    assert fluent["quality"] > damaged["quality"]
    # a line's quality is the lowest of its sentences' (stated in --help)
    two = records[2]
    assert len(two["sentences"]) == 2
    assert two["quality"] == min(s["quality"] for s in two["sentences"])
    assert damaged["flagged"] is True and any(f["rule"].startswith("X2") for f in damaged["findings"])
    assert fluent["flagged"] is False
