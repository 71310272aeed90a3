"""Baselines (mtcheck.baseline): fingerprints that survive edits elsewhere in a story, and
`scan --write-baseline` / `scan --baseline` adopting an archive so that only new problems show."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from mtcheck.baseline import fingerprints
from mtcheck.pipeline import Pipeline
from mtcheck.settings import Settings

SHARED_WMT = Path(__file__).resolve().parents[2] / "shared" / "data" / "wmt21-ru-en"
RAID = "The RAID on the town was reported by officials on Monday."
LIH = "Militants of the LIH attacked the town at dawn."
PROBLEM = "Fighters of the LIH staged a RAID on the village of Hatla."


def check(text: str, path: str = "a.txt"):
    return Pipeline(Settings.defaults(neural=False, parse=False)).check_text(text, path=path)


def prints(text: str) -> dict[str, str]:
    doc = check(text)
    return {f"{f.code}:{f.text}": fp for f, (fp, _) in zip(doc.findings, fingerprints(doc))}


def test_fingerprints_survive_edits_elsewhere_but_not_in_their_sentence():
    before = prints(f"Talks\n\n{RAID}\n\n{LIH}\n")
    # A paragraph added above, a sentence appended, the other paragraph re-wrapped: same prints.
    wrapped = LIH.replace(" at dawn", "\n  at dawn")
    moved = prints(f"Talks\n\nThe talks ended on Monday.\n\n{RAID} Then they left.\n\n{wrapped}\n")
    assert moved == before and len(before) == 2
    # Editing the sentence the finding is in makes it a different finding.
    edited = prints(f"Talks\n\n{RAID.replace('Monday', 'Tuesday')}\n\n{LIH}\n")
    assert edited["S105:RAID"] != before["S105:RAID"] and edited["E101:LIH"] == before["E101:LIH"]


def test_identical_findings_are_counted_by_occurrence():
    doc = check(f"Talks\n\n{RAID}\n\n{RAID}\n")
    (a, i), (b, j) = fingerprints(doc)
    assert a == b and (i, j) == (0, 1)


def scan(cli, *args):
    result = cli("scan", *args, "--no-neural", "--format", "json")
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else None


def test_write_baseline_then_only_new_findings_are_reported(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "a.txt").write_text(f"Talks\n\n{RAID}\n\n{LIH}\n")
    written = cli("scan", "stories", "--no-neural", "--write-baseline", "mtcheck-baseline.json")
    assert written.exit_code == 0 and written.stdout == ""
    assert "baseline: 2 findings in 1 file written to mtcheck-baseline.json" in written.stderr
    data = json.loads((tmp_path / "mtcheck-baseline.json").read_text())
    assert list(data["files"]) == ["stories/a.txt"] and data["findings"] == 2
    # Nothing new: exit 0 (nothing at or above --fail-on), both counted as suppressed by the baseline.
    code, report = scan(cli, "stories", "--baseline", "mtcheck-baseline.json")
    assert code == 0 and report["files"][0]["findings"] == []
    assert report["summary"]["suppressed_by"] == {"baseline": 2}
    # A third RAID sentence (the same sentence again) and an edit above: one new finding.
    (tmp_path / "stories" / "a.txt").write_text(f"Talks\n\nThe talks ended.\n\n{RAID}\n\n{LIH}\n\n{RAID}\n")
    code, report = scan(cli, "stories", "--baseline", "mtcheck-baseline.json")
    assert [(f["rule"], f["line"]) for f in report["files"][0]["findings"]] == [("S105", 9)]
    # From another folder the baseline still names the same file (paths are relative to it).
    monkeypatch.chdir(tmp_path / "stories")
    code, report = scan(cli, ".", "--baseline", "../mtcheck-baseline.json")
    assert [(f["rule"], f["line"]) for f in report["files"][0]["findings"]] == [("S105", 9)]
    text = cli("scan", ".", "--no-neural", "--baseline", "../mtcheck-baseline.json").stdout
    assert "2 suppressed (2 baseline)" in text.splitlines()[-1]


def test_a_bad_baseline_file_is_a_one_line_error(cli, tmp_path):
    story = tmp_path / "a.txt"
    story.write_text(f"Talks\n\n{RAID}\n")
    cases = {"missing.json": None, "garbage.json": b"{not json", "binary.json": b"\xff\xfe\x00\x01",
             "other.json": b'{"version": 1, "files": []}', "old.json": b'{"tool": "mtcheck", "version": 99, "files": {}}',
             "entries.json": b'{"tool": "mtcheck", "version": 1, "files": {"a.txt": [{"count": "x"}]}}'}
    for name, content in cases.items():
        if content is not None:
            (tmp_path / name).write_bytes(content)
        result = cli("scan", story, "--no-neural", "--baseline", tmp_path / name)
        assert result.exit_code == 2, name
        assert result.stderr.startswith("mtcheck: error: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.output
    folder = tmp_path / "folder.json"
    folder.mkdir()
    assert cli("scan", story, "--no-neural", "--write-baseline", folder).exit_code == 2


def test_sarif_carries_the_fingerprints(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text(f"Talks\n\n{RAID}\n\n{RAID}\n")
    log = json.loads(cli("scan", "a.txt", "--no-neural", "--format", "sarif").stdout)
    parts = [r["partialFingerprints"]["mtcheck/v1"] for r in log["runs"][0]["results"]]
    assert len(parts) == 2 and parts[0].split(":")[0] == parts[1].split(":")[0]
    assert [p.split(":")[1] for p in parts] == ["0", "1"]
    report = json.loads(cli("scan", "a.txt", "--no-neural", "--format", "json").stdout)
    assert [f["fingerprint"] for f in report["files"][0]["findings"]] == parts


# -- a 1,000-story archive ---------------------------------------------------------------------------
def archive_sentences(seeds_dir: Path) -> tuple[list[str], str]:
    """Body lines for the archive: WMT21 MT output when ../shared has it, else sentences made
    here; and the seeds' paragraphs (real damage) either way."""
    lines: list[str] = []
    if SHARED_WMT.is_dir():
        for path in sorted(SHARED_WMT.glob("newstest2021.ru-en.hyp.*.en")):
            lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        where = "wmt21"
    else:
        rng = random.Random(7)
        subjects = ["The ministry", "Officials", "The governor", "Residents", "The committee", "Observers"]
        verbs = ["said", "reported", "confirmed", "denied", "announced", "noted"]
        objects = ["the talks would resume", "the plan was approved", "the road was closed",
                   "the budget had grown", "the vote was postponed", "prices rose in March"]
        lines = [f"{rng.choice(subjects)} {rng.choice(verbs)} that {rng.choice(objects)} on day {i}." for i in range(4000)]
        where = "synthetic"
    return lines, where


def build_archive(root: Path, seeds_dir: Path, n: int = 1000) -> None:
    lines, _ = archive_sentences(seeds_dir)
    seed_paragraphs = [p.strip() for s in sorted(seeds_dir.glob("*.txt"))
                       for p in s.read_text(encoding="utf-8").split("\n\n")[1:] if len(p.strip()) > 80]
    rng = random.Random(1000)
    for i in range(n):
        body = [" ".join(rng.sample(lines, 3)) for _ in range(3)] + [rng.choice(seed_paragraphs)]
        rng.shuffle(body)
        text = "\n\n".join([f"Story {i}: {rng.choice(lines)[:60].rstrip('.')}"] + body) + "\n"
        (root / f"{i // 100:02d}" / f"story{i:04d}.txt").write_text(text, encoding="utf-8")


def test_archive_adopted_with_a_baseline_reports_exactly_the_new_findings(cli, tmp_path, seeds_dir, monkeypatch):
    root = tmp_path / "archive"
    for d in range(10):
        (root / f"{d:02d}").mkdir(parents=True)
    build_archive(root, seeds_dir)
    monkeypatch.chdir(tmp_path)
    written = cli("scan", "archive", "--no-neural", "--write-baseline", "baseline.json")
    assert written.exit_code == 0, written.output
    baseline = json.loads(Path("baseline.json").read_text())
    assert baseline["findings"] > 1000  # the seeds' damage is in every story

    # Ten stories edited: a paragraph added above (every offset moves), a problem sentence added,
    # and in two of them an existing damaged sentence repeated (a second occurrence is new too).
    # (Repeated: a sentence with a finding of a sentence-local rule; E103 compares spellings
    # across the story, so a repeat could change its findings elsewhere.)
    local = ("E101", "S101", "S105", "S106")
    rng = random.Random(10)
    order = rng.sample(range(1000), 1000)
    repeatable = [i for i in order
                  if any(e["rule"] in local for e in baseline["files"].get(f"archive/{i // 100:02d}/story{i:04d}.txt", []))]
    edited = repeatable[:2] + [i for i in order if i not in repeatable[:2]][:8]
    added: dict[str, list[tuple[int, int]]] = {}
    for k, i in enumerate(edited):
        path = Path("archive") / f"{i // 100:02d}" / f"story{i:04d}.txt"
        text = path.read_text(encoding="utf-8")
        title, rest = text.split("\n\n", 1)
        head = f"{title}\n\nThe talks ended on Monday without an agreement.\n\n"
        if k < 2:
            doc = check(text, path=path.as_posix())
            first = next(f for f in doc.findings if f.code in local)
            extra = f"\n\n{doc.sentence_at(first.start).text}\n"
        else:
            extra = f"\n\n{PROBLEM}\n"
        new_text = head + rest.rstrip("\n") + extra
        path.write_text(new_text, encoding="utf-8")
        start = len(new_text) - len(extra) + 2
        added[path.as_posix()] = [(start, len(new_text))]

    code, everything = scan(cli, "archive")
    expected = sorted((f_["path"], f["rule"], f["start"]) for f_ in everything["files"] for f in f_["findings"]
                      if any(a <= f["start"] < b for a, b in added.get(f_["path"], [])))
    code, report = scan(cli, "archive", "--baseline", "baseline.json")
    reported = sorted((f_["path"], f["rule"], f["start"]) for f_ in report["files"] for f in f_["findings"])
    assert reported == expected
    assert len(expected) >= 10 + 2  # PROBLEM has an E101 and an S105; each repeat at least one
    assert {p for p, _, _ in reported} == set(added)
    assert report["summary"]["suppressed_by"] == {"baseline": everything["summary"]["findings"] - len(expected)}
    assert code == 1  # E101 in the new sentences is an error


@pytest.mark.skipif(not SHARED_WMT.is_dir(), reason="../shared/data/wmt21-ru-en is absent: the archive test used synthetic sentences")
def test_archive_sentences_come_from_wmt21_when_shared_is_there(seeds_dir):
    lines, where = archive_sentences(seeds_dir)
    assert where == "wmt21" and len(lines) > 5000
