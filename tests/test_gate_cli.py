"""``mtcheck gate`` from the command line: moves, reports, audit log, bad input, --check,
--explain, exit codes and usage errors. Rules-only (--no-neural) throughout."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from pathlib import Path

import pytest

ENGLISH = (
    "Talks resume in Geneva\n\n"
    "Delegations from both countries met in Geneva on Monday. "
    "The talks focused on the exchange of prisoners. "
    "Officials said the next round would take place in March.\n"
)
MORE = (
    "\nNeither side gave details of the agenda. A joint statement is expected later this week. "
    "Observers welcomed the resumption of contacts after the previous round ended without agreement.\n"
)
CYRILLIC_SENTENCE = "Министр обороны заявил, что переговоры продолжатся в следующем месяце."
RUSSIAN = "Переговоры в Женеве\n\nДелегации двух стран встретились в понедельник. Переговоры продолжатся в марте.\n"

# Limits that depend on what the rule families find are switched off, so these tests decide
# by language share and input only and do not drift as the rules grow.
LANGUAGE_ONLY = """\
review-errors = -1
review-warnings = -1
review-categories = []
review-flagged-share = 1.0
max-flagged-share = 1.0
"""


def sha(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def gate(cli):
    """``gate(args...)``: ``mtcheck gate`` in-process (the suite's ``cli`` fixture)."""
    return lambda *args: cli("gate", *args)


@pytest.fixture
def layout(tmp_path, gate):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    out = {v: tmp_path / "out" / v for v in ("accepted", "review", "rejected")}
    policy = tmp_path / "policy.toml"
    policy.write_text(LANGUAGE_ONLY)

    def run(*extra):
        return gate(inbox, "--accepted", out["accepted"], "--review", out["review"], "--rejected", out["rejected"],
                    "--no-neural", "--policy", policy, *extra)

    return inbox, out, run


def audit_records(inbox: Path) -> list[dict]:
    log = inbox / ".mtcheck-gate" / "gate.log.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()]


def stories_in(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and not p.name.endswith(".mtcheck.json") and not p.name.startswith(".")
                  and ".mtcheck-gate" not in p.parts)


def test_each_story_goes_to_its_verdict_folder_with_report_and_audit_record(layout):
    inbox, out, run = layout
    (inbox / "en.txt").write_text(ENGLISH)
    (inbox / "partly.txt").write_text(ENGLISH + MORE + "\n" + CYRILLIC_SENTENCE + "\n")
    (inbox / "ru.txt").write_text(RUSSIAN)
    (inbox / "desk").mkdir()
    (inbox / "desk" / "en2.md").write_text(ENGLISH.replace("Monday", "Tuesday"))
    hashes = {p.relative_to(inbox).as_posix(): sha(p) for p in inbox.rglob("*") if p.is_file()}

    r = run()
    assert r.exit_code == 1, r.output  # some stories not accepted
    assert stories_in(out["accepted"]) == ["desk/en2.md", "en.txt"]  # subfolders are kept
    assert stories_in(out["review"]) == ["partly.txt"]
    assert stories_in(out["rejected"]) == ["ru.txt"]
    assert stories_in(inbox) == []

    # The bytes arrived unchanged.
    assert sha(out["accepted"] / "en.txt") == hashes["en.txt"]
    # Reports beside the stories not accepted, and only those.
    assert not list(out["accepted"].rglob("*.mtcheck.json"))
    for verdict, name in (("review", "partly.txt"), ("rejected", "ru.txt")):
        report = json.loads((out[verdict] / f"{name}.mtcheck.json").read_text())
        assert report["verdict"] == verdict
        assert report["hash"] == hashes[name]
        assert report["reasons"] and report["reasons"][0]["rule"] == report["decided_by"]
        assert report["moved_to"] == str((out[verdict] / name).resolve())
        assert {"findings", "sentences", "encoding", "signature"} <= set(report)  # the scan JSON, plus
        assert report["signature"]["mtcheck"]
    rejected = json.loads((out["rejected"] / "ru.txt.mtcheck.json").read_text())
    assert rejected["decided_by"] == "require-english"
    assert "untranslated" in rejected["reasons"][0]["message"]

    records = audit_records(inbox)
    assert sorted(r["source"] for r in records) == sorted(hashes)
    for rec in records:
        assert rec["hash"] == hashes[rec["source"]]
        assert rec["verdict"] in ("accepted", "review", "rejected")
        assert rec["time"].endswith("Z") and rec["mtcheck"] and "models" in rec and rec["id"]
        assert rec["neural"] is False
    assert not list((inbox / ".mtcheck-gate" / "journal").iterdir())


def test_all_accepted_exits_0_and_json_summary(layout):
    inbox, out, run = layout
    (inbox / "a.txt").write_text(ENGLISH)
    (inbox / "b.txt").write_text(ENGLISH.replace("Geneva", "Vienna"))
    r = run("--format", "json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["counts"] == {"accepted": 2, "review": 0, "rejected": 0, "errors": 0}
    assert [s["source"] for s in summary["stories"]] == ["a.txt", "b.txt"]
    assert all(Path(s["dest"]).is_file() for s in summary["stories"])
    assert summary["audit_log"].endswith("gate.log.jsonl") and summary["neural"] is False
    assert summary["policy"]["review-errors"] == -1


def test_bad_input_is_rejected_with_a_reason_never_a_crash(layout):
    inbox, out, run = layout
    (inbox / "photo.jpg").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "blank.txt").write_text("  \n\n\t\n")
    (inbox / "bad-utf16.txt").write_bytes(b"\xff\xfe\x00\xd8a\x00")  # BOM, then a lone surrogate
    os.symlink(inbox / "gone.txt", inbox / "dangling.txt")  # unreadable: points nowhere
    os.mkfifo(inbox / "pipe.txt")  # not a regular file: reading it would block
    expected = {"photo.jpg": "binary", "empty.txt": "empty", "blank.txt": "empty", "bad-utf16.txt": "undecodable",
                "dangling.txt": "unreadable", "pipe.txt": "unreadable"}

    r = run()
    assert r.exit_code == 1, r.output  # rejected stories, not errors
    assert "Traceback" not in r.output
    for name, kind in expected.items():
        assert os.path.lexists(out["rejected"] / name), name
        report = json.loads((out["rejected"] / f"{name}.mtcheck.json").read_text())
        assert report["verdict"] == "rejected" and report["decided_by"] == "input"
        assert report["error"]["kind"] == kind, name
    assert not [p for p in inbox.iterdir() if p.name != ".mtcheck-gate"]
    records = {r["source"]: r for r in audit_records(inbox)}
    assert set(records) == set(expected)
    assert records["dangling.txt"]["hash"] is None  # nothing to hash
    assert records["empty.txt"]["hash"] == "sha256:" + hashlib.sha256(b"").hexdigest()


def test_a_story_decided_before_is_not_decided_again(layout):
    inbox, out, run = layout
    (inbox / "en.txt").write_text(ENGLISH)
    assert run().exit_code == 0
    (inbox / "en-resent.txt").write_text(ENGLISH)  # the same bytes arrive again
    r = run()
    assert r.exit_code == 1
    report = json.loads((out["rejected"] / "en-resent.txt.mtcheck.json").read_text())
    assert report["decided_by"] == "duplicate"
    assert report["duplicate_of"]["verdict"] == "accepted" and report["duplicate_of"]["source"] == "en.txt"
    first, second = audit_records(inbox)
    assert second["hash"] == first["hash"] and second["duplicate_of"] == first["id"]
    assert second["metrics"] is None  # not scanned again


def test_name_taken_in_the_verdict_folder(layout):
    inbox, out, run = layout
    out["accepted"].mkdir(parents=True)
    (out["accepted"] / "en.txt").write_text("an earlier story\n")
    (inbox / "en.txt").write_text(ENGLISH)
    assert run().exit_code == 0
    assert (out["accepted"] / "en.txt").read_text() == "an earlier story\n"
    assert (out["accepted"] / "en.2.txt").read_text() == ENGLISH
    assert audit_records(inbox)[0]["dest"] == str((out["accepted"] / "en.2.txt").resolve())


def test_temporary_and_hidden_files_stay_in_the_inbox(layout):
    inbox, out, run = layout
    for name in ("story.txt.part", "story.tmp", "story.txt~", ".hidden.txt"):
        (inbox / name).write_text(ENGLISH)
    (inbox / "ready.txt").write_text(ENGLISH)
    assert run().exit_code == 0
    assert stories_in(out["accepted"]) == ["ready.txt"]
    assert sorted(p.name for p in inbox.iterdir() if p.name != ".mtcheck-gate") == [
        ".hidden.txt", "story.tmp", "story.txt.part", "story.txt~"]


def test_verdict_folders_inside_the_inbox_are_not_gated_again(tmp_path, gate):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "en.txt").write_text(ENGLISH)
    (inbox / "ru.txt").write_text(RUSSIAN)
    args = [inbox, "--accepted", inbox / "ok", "--review", inbox / "review", "--rejected", inbox / "no", "--no-neural"]
    assert gate(*args).exit_code == 1
    r = gate(*args, "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["stories"] == []
    assert (inbox / "ok" / "en.txt").is_file() and (inbox / "no" / "ru.txt").is_file()


def test_audit_log_location_from_flag(layout, tmp_path):
    inbox, out, run = layout
    (inbox / "en.txt").write_text(ENGLISH)
    log = tmp_path / "logs" / "audit.jsonl"
    assert run("--audit-log", log).exit_code == 0
    assert [json.loads(x)["source"] for x in log.read_text().splitlines()] == ["en.txt"]
    assert not (inbox / ".mtcheck-gate" / "gate.log.jsonl").exists()


def test_move_across_filesystems(tmp_path, gate):
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs a second filesystem (/dev/shm)")
    import tempfile

    with tempfile.TemporaryDirectory(dir=shm) as d:
        inbox = Path(d) / "inbox"
        inbox.mkdir()
        (inbox / "en.txt").write_text(ENGLISH)
        (inbox / "ru.txt").write_text(RUSSIAN)
        want = {"en.txt": sha(inbox / "en.txt"), "ru.txt": sha(inbox / "ru.txt")}
        out = tmp_path / "out"
        r = gate(inbox, "--accepted", out / "a", "--review", out / "v", "--rejected", out / "r", "--no-neural")
        assert r.exit_code == 1, r.output
        assert sha(out / "a" / "en.txt") == want["en.txt"] and sha(out / "r" / "ru.txt") == want["ru.txt"]
        assert (out / "r" / "ru.txt.mtcheck.json").is_file()
        assert not (inbox / "en.txt").exists() and not (inbox / "ru.txt").exists()
        assert not [p for p in out.rglob("*") if p.name.startswith(".")]  # no temporaries left


def test_check_decides_in_place_and_moves_nothing(tmp_path, gate):
    (tmp_path / "en.txt").write_text(ENGLISH)
    policy = tmp_path / "p.toml"
    policy.write_text(LANGUAGE_ONLY)
    r = gate("--check", tmp_path / "en.txt", "--no-neural", "--policy", policy)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("accepted")
    (tmp_path / "ru.txt").write_text(RUSSIAN)
    r = gate("--check", tmp_path, "--no-neural", "--policy", policy, "--format", "json")
    assert r.exit_code == 1
    rows = {Path(s["path"]).name: s for s in json.loads(r.stdout)["stories"]}
    assert rows["en.txt"]["verdict"] == "accepted" and rows["ru.txt"]["verdict"] == "rejected"
    assert (tmp_path / "ru.txt").read_text() == RUSSIAN  # untouched, in place
    assert not (tmp_path / ".mtcheck-gate").exists()
    r = gate("--check", tmp_path / "missing.txt", "--no-neural")
    assert r.exit_code == 2 and "no such file" in r.stderr


def test_explain_prints_the_deciding_rule(tmp_path, gate):
    (tmp_path / "ru.txt").write_text(RUSSIAN)
    r = gate("--explain", tmp_path / "ru.txt", "--no-neural")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0] == f"{tmp_path / 'ru.txt'}: REJECTED"
    assert lines[1].startswith("  decided by require-english: not English (untranslated)")
    assert "min-quality" in r.stdout and "--no-neural" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["{inbox}", "--accepted", "{t}/a", "--rejected", "{t}/r"], "missing --review"),
    (["{inbox}", "--accepted", "{t}/a", "--review", "{t}/a", "--rejected", "{t}/r"], "three different folders"),
    (["{t}/nope", "--accepted", "{t}/a", "--review", "{t}/v", "--rejected", "{t}/r"], "inbox is not a folder"),
    (["{inbox}", "--accepted", "{inbox}", "--review", "{t}/v", "--rejected", "{t}/r"], "cannot be the inbox"),
    (["--check", "{inbox}", "--accepted", "{t}/a"], "decide files in place"),
    (["{inbox}", "--accepted", "{t}/a", "--review", "{t}/v", "--rejected", "{t}/r", "--policy", "{t}/bad.toml"],
     "malformed TOML"),
    ([], "give an INBOX"),
])
def test_usage_errors_exit_2_with_one_line(tmp_path, gate, args, message):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "en.txt").write_text(ENGLISH)
    (tmp_path / "bad.toml").write_text("max-errors = [\n")
    r = gate(*[a.format(inbox=inbox, t=tmp_path) for a in args], "--no-neural")
    assert r.exit_code == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert (inbox / "en.txt").exists()  # nothing moved


def test_a_locked_inbox_waits_then_times_out(layout):
    inbox, out, run = layout
    (inbox / "en.txt").write_text(ENGLISH)
    state = inbox / ".mtcheck-gate"
    state.mkdir()
    fd = os.open(state / "lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        r = run("--lock-timeout", "0.3")
        assert r.exit_code == 2 and "locked by another gate" in r.stderr
        assert (inbox / "en.txt").exists()
    finally:
        os.close(fd)
    assert run("--lock-timeout", "0.3").exit_code == 0
    assert stories_in(out["accepted"]) == ["en.txt"]


@pytest.mark.slow
def test_neural_gate_uses_document_quality(tmp_path, gate, seeds_dir):
    quality = pytest.importorskip("mtcheck.quality", reason="the neural quality score is not installed")
    try:
        quality.model()
    except Exception as e:  # noqa: BLE001 - the trained artifact is another issue's deliverable
        pytest.skip(f"the quality model is not available: {e}")
    fair, broken = seeds_dir / "001_6dfbf46b29b8d6d9.txt", seeds_dir / "002_4226bccabad467d5.txt"
    strict = tmp_path / "strict.toml"
    strict.write_text(LANGUAGE_ONLY + "min-quality = 0.0\nreview-quality = 1.0\n")
    r = gate("--check", fair, broken, "--policy", strict, "--format", "json")
    assert r.exit_code == 1, r.output
    summary = json.loads(r.stdout)
    assert summary["neural"] is True
    rows = {Path(s["path"]).name: s for s in summary["stories"]}
    q = {name: row["metrics"]["quality"] for name, row in rows.items()}
    assert all(0.0 <= v <= 1.0 for v in q.values()), q
    assert q[broken.name] < q[fair.name]  # badly machine-translated copy scores lower as a whole
    for row in rows.values():
        # No sentence-quality-free story here: every verdict came from the quality limit.
        assert row["verdict"] == "review" and row["decided_by"] == "review-quality"
        assert row["notes"] == [] and row["metrics"]["quality_scored"] > 0


def test_links_and_pipes_across_filesystems(layout, monkeypatch):
    """Across filesystems a link is re-created as a link; a FIFO cannot be copied (opening it
    would block), so it stays in the inbox and the run reports an error (exit 2)."""
    inbox, out, run = layout
    monkeypatch.setenv("MTCHECK_GATE_FORCE_COPY", "1")
    (inbox / "en.txt").write_text(ENGLISH)
    os.symlink("nowhere.txt", inbox / "dangling.txt")
    os.mkfifo(inbox / "pipe.txt")
    r = run()
    assert r.exit_code == 2, r.output
    assert "pipe.txt: cannot move (kept in the inbox)" in r.stdout
    assert (inbox / "pipe.txt").exists() and not (out["rejected"] / "pipe.txt").exists()
    assert not (out["rejected"] / "pipe.txt.mtcheck.json").exists()  # the report went with the failed move
    assert os.readlink(out["rejected"] / "dangling.txt") == "nowhere.txt"
    assert (out["accepted"] / "en.txt").read_text() == ENGLISH and not (inbox / "en.txt").exists()
    records = {r["source"]: r for r in audit_records(inbox)}
    assert sorted(records) == ["dangling.txt", "en.txt", "pipe.txt"]
    # The pipe kept in the inbox is on the record too, with why, and with no verdict.
    assert records["pipe.txt"]["verdict"] is None and records["pipe.txt"]["kept"] == "inbox"
    assert "cannot move" in records["pipe.txt"]["error"]


def test_unwritable_audit_log_stops_before_moving_anything(layout, tmp_path):
    inbox, out, run = layout
    (inbox / "en.txt").write_text(ENGLISH)
    (tmp_path / "file").write_text("")
    r = run("--audit-log", tmp_path / "file" / "log.jsonl")  # a folder that is a file
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    assert (inbox / "en.txt").exists()


def test_a_story_that_breaks_the_scanner_stays_in_the_inbox(layout, monkeypatch):
    """Fault injection: one rule family raises on one story. That story is an error (kept in
    the inbox with an audit record saying why, exit 2); the stories around it are decided as usual."""
    import dataclasses

    import mtcheck.pipeline  # where the rule families run, since the engine refactor
    from mtcheck.rules import families

    def check_or_crash(check):
        def wrapped(doc, ctx):
            if "EXPLODE" in doc.text:
                raise RuntimeError("rule crashed")
            return check(doc, ctx)
        return wrapped

    broken = tuple(dataclasses.replace(f, check=check_or_crash(f.check)) if f.name == "style" else f for f in families())
    monkeypatch.setattr(mtcheck.pipeline, "families", lambda: broken)
    inbox, out, run = layout
    (inbox / "a.txt").write_text(ENGLISH)
    (inbox / "b.txt").write_text(ENGLISH + "EXPLODE\n")
    (inbox / "c.txt").write_text(ENGLISH + MORE)
    r = run()
    assert r.exit_code == 2
    assert "b.txt: analysis failed: RuntimeError: rule crashed" in r.stdout
    assert stories_in(out["accepted"]) == ["a.txt", "c.txt"]
    assert (inbox / "b.txt").exists()
    records = audit_records(inbox)
    assert [rec["source"] for rec in records] == ["a.txt", "b.txt", "c.txt"]
    assert records[1]["verdict"] is None and "rule crashed" in records[1]["error"]  # kept, with why
