"""``mtcheck gate`` against a hostile or careless inbox (issue 10, "Nothing lost, nothing
stalled"): names at the length limit or not UTF-8, links out of the inbox, writers that
pause or go on writing after the take, re-sent copies, page furniture, a FIFO as policy
and a negative ``jobs``. Each case is run from the command line as a user would, and every
story must end up in exactly one place with exactly one audit record."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest
from gate_support import PARAGRAPH, RULES, VERDICTS, audit, found, running_gate, stop, wait_for

ENGLISH = (
    "Talks resume in Geneva\n\n"
    "Delegations from both countries met in Geneva on Monday. "
    "The talks focused on the exchange of prisoners. "
    "Officials said the next round would take place in March.\n"
)
PARTLY = ENGLISH + "\nМинистр обороны заявил, что переговоры продолжатся.\n"  # review: an untranslated sentence
COOKIES = "We use cookies to improve your experience. By continuing to browse you agree to our use of cookies.\n"


def story(n: int, text: str = ENGLISH) -> str:
    """``text`` made unique (no two stories share a hash unless a test wants them to)."""
    return text + f"\nThe desk filed update {n} of this story.\n"


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def layout(tmp_path, cli):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    out = {v: tmp_path / "out" / v for v in VERDICTS}

    def run(*extra):
        args = [inbox]
        for v in VERDICTS:
            args += [f"--{v}", out[v]]
        return cli("gate", *args, *RULES, *extra)

    return inbox, out, run


def audit_records(inbox: Path) -> list[dict]:
    raw = (inbox / ".mtcheck-gate" / "gate.log.jsonl").read_bytes()
    return [json.loads(line) for line in raw.decode("utf-8").splitlines()]  # always valid UTF-8


def placements(out: dict[str, Path], inbox: Path) -> dict[bytes, list[str]]:
    """story name (bytes) -> every folder holding a story of that name (links included)."""
    where: dict[bytes, list[str]] = {}
    for label, folder in [("inbox", inbox), *out.items()]:
        if not folder.exists():
            continue
        for entry in os.scandir(os.fsencode(folder)):
            name = entry.name
            if name.startswith(b".") or name.endswith(b".mtcheck.json"):
                continue
            where.setdefault(name, []).append(label)
    return where


def one_line_error(stderr: str) -> bool:
    lines = stderr.strip().splitlines()
    return len(lines) == 1 and lines[0].startswith("mtcheck: error:") and "Traceback" not in stderr


# -- item 6: names at the length limit, and names that are not UTF-8 -------------------------

def test_long_and_undecodable_names_are_gated_and_the_run_goes_on(layout):
    inbox, out, run = layout
    raw = os.fsencode(inbox)
    names = {
        b"a.txt": story(1),
        b"l" * 238 + b".txt": story(2, PARTLY),  # 242 bytes: ".NAME.mtcheck.json.XXXXXXXX.tmp" would be 274
        b"m" * 251 + b".txt": story(3, PARTLY),  # 255: no room even for NAME.mtcheck.json
        "я".encode() * 125 + b".txt": story(4, PARTLY),  # 254 bytes of two-byte characters
        b"caf\xe9 \xff.txt": story(5, PARTLY),  # latin-1 bytes: not UTF-8
        b"z.txt": story(6),
    }
    for name, text in names.items():
        with open(raw + b"/" + name, "w", encoding="utf-8") as fh:
            fh.write(text)
    # The 255-byte name is taken in review already: the free name "NAME.2.txt" must fit too.
    out["review"].mkdir(parents=True)
    with open(os.fsencode(out["review"]) + b"/" + b"m" * 251 + b".txt", "w") as fh:
        fh.write("an earlier story\n")

    r = run("--format", "json")
    assert r.exit_code == 1, r.output  # stories sent to review; no error
    assert "Traceback" not in r.output and r.stderr == ""
    # The JSON summary is UTF-8 and escapes the undecodable name; it reads back to the bytes.
    assert "\\udce9" in r.stdout and "\\udcff" in r.stdout
    summary = json.loads(r.stdout)
    assert summary["counts"] == {"accepted": 2, "review": 4, "rejected": 0, "errors": 0}
    assert sorted(os.fsencode(s["source"]) for s in summary["stories"]) == sorted(names)

    where = placements(out, inbox)
    assert not [n for n, w in where.items() if "inbox" in w] and all(len(w) == 1 for w in where.values())
    records = audit_records(inbox)
    assert sorted(os.fsencode(rec["source"]) for rec in records) == sorted(names)  # one record each
    for rec in records:
        data = names[os.fsencode(rec["source"])]
        assert rec["hash"] == sha(data.encode())
        assert open(os.fsencode(rec["dest"]), encoding="utf-8").read() == data  # the bytes, in place
        if rec["verdict"] == "review":
            report = json.loads(Path(os.fsdecode(os.fsencode(rec["report"]))).read_text(encoding="utf-8"))
            assert report["moved_to"] == rec["dest"] and report["verdict"] == "review"
            assert len(os.fsencode(os.path.basename(rec["report"]))) <= 255
            assert rec["report"].endswith(".mtcheck.json")
    # Long reports get a cut name with a hash of the full one, so two never collide.
    reports = [e.name for e in os.scandir(os.fsencode(out["review"])) if e.name.endswith(b".mtcheck.json")]
    assert len(reports) == len(set(reports)) == 4
    assert not [e for e in os.scandir(os.fsencode(out["review"])) if e.name.startswith(b".")]  # no temporaries
    taken = next(rec for rec in records if rec["source"] == "m" * 251 + ".txt")
    assert taken["dest"].endswith(".2.txt") and len(os.fsencode(os.path.basename(taken["dest"]))) <= 255

    # Text output shows the undecodable name with \\x escapes instead of failing.
    with open(raw + b"/caf\xe9-2.txt", "w") as fh:
        fh.write(story(7))
    r = run()
    assert "caf\\xe9-2.txt" in r.stdout and "Traceback" not in r.output


def test_a_story_that_fails_to_be_placed_stays_with_a_reason_and_the_rest_go_on(layout, monkeypatch):
    """Fault injection in the move: the failing story stays in the inbox with an audit record
    saying why; every story after it is gated (exit 2 for the error, one line for it)."""
    from mtcheck.gate import mover

    real_move = mover.move

    def move(src, dest, intent_id):
        if "poison" in Path(src).name:
            raise RuntimeError("injected failure")
        return real_move(src, dest, intent_id)

    monkeypatch.setattr(mover, "move", move)
    inbox, out, run = layout
    for i, name in enumerate(("a.txt", "b-poison.txt", "c.txt", "d.txt")):
        (inbox / name).write_text(story(i))
    r = run()
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert [ln for ln in r.stdout.splitlines() if ln.startswith("error")] == [
        "error     b-poison.txt: cannot move (kept in the inbox): RuntimeError: injected failure"]
    assert placements(out, inbox) == {b"a.txt": ["accepted"], b"b-poison.txt": ["inbox"],
                                      b"c.txt": ["accepted"], b"d.txt": ["accepted"]}
    records = {rec["source"]: rec for rec in audit_records(inbox)}
    assert sorted(records) == ["a.txt", "b-poison.txt", "c.txt", "d.txt"]
    kept = records["b-poison.txt"]
    assert kept["verdict"] is None and kept["kept"] == "inbox" and "injected failure" in kept["error"]
    assert not list(out["accepted"].glob("b-poison*")) and not list((inbox / ".mtcheck-gate" / "journal").iterdir())

    # The kept story is not its own duplicate next time: once the fault is gone it is gated.
    monkeypatch.setattr(mover, "move", real_move)
    assert run().exit_code == 0
    assert placements(out, inbox)[b"b-poison.txt"] == ["accepted"]


# -- item 7: links out of the inbox ---------------------------------------------------------

def test_links_out_of_the_inbox_are_rejected_and_never_read(layout, tmp_path):
    inbox, out, run = layout
    marker = "PRIVATE-3141592"
    private = tmp_path / "private.txt"
    private.write_text(ENGLISH.replace("Monday", marker))
    private.chmod(0o600)
    (inbox / "inside.txt").write_text(story(1))
    os.symlink(private, inbox / "absolute.txt")  # an absolute link out
    os.symlink("../private.txt", inbox / "relative.txt")  # a relative one
    os.symlink("relative.txt", inbox / "chained.txt")  # a link to a link out
    os.symlink("inside.txt", inbox / "alias.txt")  # into the inbox: read as usual
    (inbox / "desk").mkdir()
    os.symlink("../../private.txt", inbox / "desk" / "deep.txt")
    # The link a chain goes through arrives first, so it is moved first: the chain must still
    # be judged a link out, not a dangling link inside the inbox.
    now_ns = time.time_ns()
    os.utime(inbox / "relative.txt", ns=(now_ns - 2 * 10**9, now_ns - 2 * 10**9), follow_symlinks=False)
    os.utime(inbox / "chained.txt", ns=(now_ns - 10**9, now_ns - 10**9), follow_symlinks=False)
    outside = {"absolute.txt", "relative.txt", "chained.txt", "desk/deep.txt"}

    r = run("--format", "json")
    assert r.exit_code == 1, r.output
    summary = {s["source"]: s for s in json.loads(r.stdout)["stories"]}
    records = {rec["source"]: rec for rec in audit_records(inbox)}
    assert set(records) == outside | {"inside.txt", "alias.txt"}  # one record each
    for name in outside:
        rec = records[name]
        assert rec["verdict"] == "rejected" and rec["decided_by"] == "input", name
        assert rec["reasons"][0]["value"] == "outside-link"
        assert "outside the inbox: not followed, not read" in rec["reasons"][0]["message"]
        assert rec["hash"] is None  # not even hashed
        dest = out["rejected"] / name
        assert dest.is_symlink()  # moved as the link it is, target untouched
        report = json.loads((out["rejected"] / f"{name}.mtcheck.json").read_text())
        assert report["error"]["kind"] == "outside-link" and "sentences" not in report
        assert summary[name]["verdict"] == "rejected"
    assert records["alias.txt"]["verdict"] == "accepted"  # a link within the inbox is fine
    # Nothing of the private file was read into any report or record.
    for p in [*(tmp_path / "out").rglob("*.mtcheck.json"), inbox / ".mtcheck-gate" / "gate.log.jsonl"]:
        assert marker not in p.read_text(), p
    assert marker not in r.stdout
    assert private.read_text() == ENGLISH.replace("Monday", marker) and private.stat().st_mode & 0o777 == 0o600


# -- item 11: duplicates by arrival; page furniture goes to review ---------------------------

def test_the_first_to_arrive_is_kept_and_the_resent_copy_rejected(layout):
    inbox, out, run = layout
    text = story(1)
    now = time.time()
    (inbox / "zz-original.txt").write_text(text)
    os.utime(inbox / "zz-original.txt", (now - 600, now - 600))  # arrived ten minutes ago
    (inbox / "aa-resent.txt").write_text(text)  # sorts first by name, arrived later
    # Same arrival time: the name decides.
    for name in ("m2.txt", "m1.txt"):
        (inbox / name).write_text(story(2))
        os.utime(inbox / name, (now - 300, now - 300))
    r = run()
    assert r.exit_code == 1, r.output
    assert placements(out, inbox) == {b"zz-original.txt": ["accepted"], b"aa-resent.txt": ["rejected"],
                                      b"m1.txt": ["accepted"], b"m2.txt": ["rejected"]}
    report = json.loads((out["rejected"] / "aa-resent.txt.mtcheck.json").read_text())
    assert report["decided_by"] == "duplicate" and report["duplicate_of"]["source"] == "zz-original.txt"
    assert [rec["source"] for rec in audit_records(inbox)] == ["zz-original.txt", "m1.txt", "m2.txt", "aa-resent.txt"]


def test_page_furniture_goes_to_review_by_default(layout):
    inbox, out, run = layout
    (inbox / "clean.txt").write_text(story(1))
    (inbox / "furniture.txt").write_text(story(2) + COOKIES)
    r = run()  # no policy file: the defaults decide
    assert r.exit_code == 1, r.output
    assert placements(out, inbox) == {b"clean.txt": ["accepted"], b"furniture.txt": ["review"]}
    report = json.loads((out["review"] / "furniture.txt.mtcheck.json").read_text())
    assert report["decided_by"] == "review-categories"
    assert report["reasons"][0]["value"] == {"boilerplate": 1}
    assert [f["rule"] for f in report["findings"] if f["rule"].startswith("B1")] == ["B101"]
    assert report["policy"]["review-categories"] == ["language", "boilerplate"]


# -- item 13: a FIFO as --policy, and jobs = -1 ----------------------------------------------

def test_a_fifo_as_policy_is_refused_at_once(tmp_path, python, subprocess_env):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(story(1))
    os.mkfifo(tmp_path / "policy.toml")
    cmd = [python, "-m", "mtcheck", "gate", str(inbox), *RULES, "--policy", str(tmp_path / "policy.toml")]
    for v in VERDICTS:
        cmd += [f"--{v}", str(tmp_path / "out" / v)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=subprocess_env)  # a hang fails here
    assert r.returncode == 2
    assert one_line_error(r.stderr) and "policy.toml: cannot read policy: not a regular file" in r.stderr
    assert (inbox / "a.txt").exists()


def test_negative_jobs_in_config_is_refused(layout, tmp_path):
    inbox, out, run = layout
    (inbox / "a.txt").write_text(story(1))
    config = tmp_path / "mtcheck.toml"
    config.write_text("jobs = -1\n")
    r = run("--config", config)
    assert r.exit_code == 2
    assert one_line_error(r.stderr) and "'jobs'" in r.stderr and "-1" in r.stderr
    assert (inbox / "a.txt").exists() and not (inbox / ".mtcheck-gate" / "gate.log.jsonl").exists()


# -- item 10 (and 6 under --watch): writers that pause, rename, or go on writing ------------

def _when(rec: dict) -> float:
    return datetime.fromisoformat(rec["time"].replace("Z", "+00:00")).timestamp()


def test_watch_settles_pausing_writers_takes_renames_and_reports_late_writes(tmp_path):
    """Polls 0.4 s apart, so the default settle time is 2 s (five intervals)."""
    root = tmp_path
    inbox = root / "inbox"
    inbox.mkdir()
    with running_gate(root, "--watch", "--interval", "0.4", "--format", "json") as proc:
        lock = inbox / ".mtcheck-gate" / "lock"
        wait_for(lambda: lock.exists() and lock.read_text().strip() == str(proc.pid), what="the gate to start")

        # 1. Appended in place with pauses of two poll intervals: one story, whole.
        paused = inbox / "paused.txt"
        content = "Talks resume in Geneva\n\n" + PARAGRAPH * 8
        chunks = [content[i:i + len(content) // 4 + 1] for i in range(0, len(content), len(content) // 4 + 1)]
        with open(paused, "w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(chunk)
                fh.flush()
                time.sleep(0.8)
                assert found(root, "paused.txt") is None, "taken during a pause: cut into fragments"
        wait_for(lambda: found(root, "paused.txt"), what="the paused story")
        assert found(root, "paused.txt").read_text(encoding="utf-8") == content

        # 2. Renamed in from a temporary name the gate has seen: taken at the next poll, while a
        # story written in place at the same moment still waits out its settle time.
        part = inbox / "renamed.txt.part"
        part.write_text(story(1), encoding="utf-8")
        time.sleep(1.0)  # the gate sees the .part file under its temporary name
        written_at = time.time()
        (inbox / "inplace.txt").write_text(story(2), encoding="utf-8")
        os.rename(part, inbox / "renamed.txt")
        # (The audit record comes a moment after the move: wait for the records themselves.)
        wait_for(lambda: {"renamed.txt", "inplace.txt"} <= {r["source"] for r in audit(root)},
                  what="the renamed story and the one written in place")
        recs = {r["source"]: r for r in audit(root)}
        assert _when(recs["inplace.txt"]) >= written_at + 2.0 - 0.05  # not before it settled
        assert _when(recs["renamed.txt"]) < _when(recs["inplace.txt"])  # the rename did not wait

        # 3. Written to after the take, through the open file (it moved with the rename): reported.
        with open(inbox / "held.txt", "w", encoding="utf-8") as fh:
            fh.write(story(3))
            fh.flush()
            wait_for(lambda: found(root, "held.txt"), what="the held story")
            fh.write("A late paragraph.\n")
            fh.flush()
        # 4. Appended to by name after the take: the rest is a fragment, rejected with a reason.
        with open(inbox / "reopened.txt", "w", encoding="utf-8") as fh:
            fh.write(story(4))
        wait_for(lambda: found(root, "reopened.txt"), what="the reopened story")
        with open(inbox / "reopened.txt", "a", encoding="utf-8") as fh:
            fh.write("A late paragraph.\n")
        wait_for(lambda: os.path.exists(root / "out" / "rejected" / "reopened.txt.mtcheck.json")
                  and not (inbox / "reopened.txt").exists(), what="the fragment")

        # 6 under --watch: a name that is not UTF-8 and one of 255 bytes do not stop the watch.
        with open(os.fsencode(inbox) + b"/caf\xe9.txt", "w") as fh:
            fh.write(story(5))
        (inbox / ("n" * 251 + ".txt")).write_text(story(6, PARTLY), encoding="utf-8")
        (inbox / "after.txt").write_text(story(7), encoding="utf-8")
        wait_for(lambda: found(root, "after.txt") and found(root, "n" * 251 + ".txt"), what="the last stories")
        assert proc.poll() is None, "the watch stopped"

        stdout, stderr = stop(proc, signal.SIGTERM)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "held.txt: written to after the gate took it" in stderr
    records = audit(root)
    sources = [r["source"] for r in records]
    assert sorted(sources) == sorted(["paused.txt", "renamed.txt", "inplace.txt", "held.txt", "reopened.txt",
                                      "reopened.txt", "caf\udce9.txt", "n" * 251 + ".txt", "after.txt"])
    fragment = [r for r in records if r["source"] == "reopened.txt"][1]
    assert fragment["verdict"] == "rejected" and fragment["decided_by"] == "fragment"
    assert fragment["fragment_of"] == [r for r in records if r["source"] == "reopened.txt"][0]["id"]
    assert "appended to after the gate took it" in fragment["reasons"][0]["message"]
    assert (root / "out" / "rejected" / "reopened.txt").read_text() == "A late paragraph.\n"
    assert sorted(s["source"] for s in json.loads(stdout)["stories"]) == sorted(sources)
    assert [p.name for p in inbox.iterdir()] == [".mtcheck-gate"]  # nothing left behind
