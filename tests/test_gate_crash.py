"""Crash safety and concurrency of the real ``mtcheck gate`` process.

The gate is SIGKILLed at many different internal steps (the ``MTCHECK_GATE_CRASH_AFTER=N``
hook kills the process at its Nth durable step: journal written, report written, file
renamed or copied, source removed, audit appended, journal entry removed), re-run, and at
the end every story must be in exactly one folder, none lost or duplicated, each with one
audit record and the verdict an uninterrupted run gives it.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path

from gate_support import VERDICTS, gate_command

RUSSIAN = "Переговоры в Женеве\n\nДелегации двух стран встретились в понедельник. Переговоры продолжатся в марте.\n"


def make_inbox(inbox: Path, n: int, seeds_dir: Path) -> dict[str, str]:
    """``n`` stories from the seeds, each varied so every content hash differs, plus an
    untranslated story and a binary file (rejected, with reports). Returns hash -> name."""
    seeds = sorted(seeds_dir.glob("*.txt"))
    assert seeds, "the repository's seeds/ are missing"
    inbox.mkdir(parents=True)
    for i in range(n):
        text = seeds[i % len(seeds)].read_text(encoding="utf-8")
        (inbox / f"story{i:02d}.txt").write_text(
            text + f"\nUpdate {i}: the desk filed this version at {i} minutes past the hour.\n", encoding="utf-8")
    (inbox / "untranslated.txt").write_text(RUSSIAN, encoding="utf-8")
    (inbox / "image.bin").write_bytes(bytes(range(256)) * 4)
    return {digest(p): p.name for p in inbox.iterdir()}


def digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def run_gate(root: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    cmd = gate_command(root, "--format", "json")
    return subprocess.run(cmd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout)


def placed(root: Path) -> dict[str, list[str]]:
    """content hash -> every place a story file with that content is (inbox or a verdict)."""
    where: dict[str, list[str]] = {}
    folders = [("inbox", root / "inbox")] + [(v, root / "out" / v) for v in VERDICTS]
    for label, folder in folders:
        if not folder.exists():
            continue
        for p in folder.rglob("*"):
            if ".mtcheck-gate" in p.parts or p.name.startswith(".") or p.name.endswith(".mtcheck.json"):
                continue
            if p.is_file():
                where.setdefault(digest(p), []).append(label)
    return where


def pending_hashes(root: Path) -> set[str]:
    folder = root / "inbox" / ".mtcheck-gate" / "journal"
    if not folder.exists():
        return set()
    return {json.loads(p.read_text())["hash"] for p in folder.glob("*.json")}


def audit(root: Path) -> list[dict]:
    log = root / "inbox" / ".mtcheck-gate" / "gate.log.jsonl"
    if not log.exists():
        return []
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass  # a torn line is not a record
    return out


def reference_verdicts(tmp_path: Path, n: int, seeds_dir: Path) -> dict[str, str]:
    """What an uninterrupted rules-only gate decides for each story (in-process, same code)."""
    from mtcheck.config import Config
    from mtcheck.engine import Scanner
    from mtcheck.gate.policy import default_policy
    from mtcheck.gate.run import check_in_place
    from mtcheck.settings import Settings

    inbox = tmp_path / "reference"
    make_inbox(inbox, n, seeds_dir)
    cfg = Config(neural=False, parse=False, ignore=["entity"])  # as RULES
    scanner = Scanner(Settings(config=cfg, neural=False, parse=False, include=("*",)))
    out = {}
    for _, story, decision in check_in_place([str(inbox)], scanner, default_policy(), neural=False):
        out[story.hash] = decision.verdict
    return out


def killed_at(r: subprocess.CompletedProcess) -> str:
    """The step the hook killed the gate at, from its last word on stderr."""
    m = re.search(r"SIGKILL at step \d+ \(([\w-]+)\)", r.stderr)
    assert r.returncode == -signal.SIGKILL and m, f"the run did not die at the hook: {r.returncode} {r.stderr}"
    return m.group(1)


def check_final(root: Path, stories: dict[str, str], reference: dict[str, str]) -> list[dict]:
    where = placed(root)
    assert set(where) == set(stories), "a story was lost or an unknown file appeared"
    for h, places in where.items():
        assert len(places) == 1 and places[0] in VERDICTS, (stories[h], places)
    records = audit(root)
    counts = Counter(r["hash"] for r in records)
    assert counts == Counter({h: 1 for h in stories}), "not exactly one audit record per story"
    for rec in records:
        assert rec["verdict"] == reference[rec["hash"]] == where[rec["hash"]][0], stories[rec["hash"]]
        dest = Path(rec["dest"])
        assert digest(dest) == rec["hash"]
        report = dest.with_name(dest.name + ".mtcheck.json")
        if rec["verdict"] == "accepted":
            assert not report.exists()
        else:
            assert json.loads(report.read_text())["hash"] == rec["hash"]
    assert not pending_hashes(root) and not list((root / "inbox" / ".mtcheck-gate" / "journal").iterdir())
    leftovers = [p for p in (root / "out").rglob(".*")]
    assert not leftovers, leftovers  # no temporary copies or half-written reports
    return records


def test_sigkill_at_every_kind_of_step_then_rerun(tmp_path, seeds_dir):
    n = 40
    reference = reference_verdicts(tmp_path, n, seeds_dir)
    root = tmp_path / "crash"
    stories = make_inbox(root / "inbox", n, seeds_dir)
    # At least 16 kills, at different step counts, and until every kind of step has been hit
    # (which step the Nth is depends on the verdicts: only stories not accepted get a report).
    points = list(range(1, 17)) + list(range(17, 8, -1))
    random.Random(6).shuffle(points)
    kinds = {"journal", "report", "renamed", "audit", "journal-removed"}
    steps: list[str] = []
    for point in points:
        if len(steps) >= 16 and set(steps) >= kinds:
            break
        r = run_gate(root, {"MTCHECK_GATE_CRASH_AFTER": str(point)})
        steps.append(killed_at(r))
        # Renames are atomic: even right after a kill, every story is in exactly one place.
        where = placed(root)
        assert set(where) == set(stories)
        assert all(len(p) == 1 for p in where.values()), {stories[h]: p for h, p in where.items() if len(p) != 1}
    assert set(steps) == kinds and len(steps) >= 16, steps
    r = run_gate(root)
    assert r.returncode == 1, r.stderr
    records = check_final(root, stories, reference)
    assert any(rec.get("recovered") for rec in records), "no run had to recover an interrupted story"
    summary = json.loads(r.stdout)
    assert summary["counts"]["errors"] == 0


def test_sigkill_during_copies_across_filesystems(tmp_path, seeds_dir):
    n = 10
    reference = reference_verdicts(tmp_path, n, seeds_dir)
    root = tmp_path / "copy"
    stories = make_inbox(root / "inbox", n, seeds_dir)
    env = {"MTCHECK_GATE_FORCE_COPY": "1"}  # copy + fsync + rename + unlink, as across filesystems
    kinds = {"copied", "copy-placed", "source-removed"}
    steps: list[str] = []
    # Which step the Nth is depends on the verdicts and the order of arrival; the list runs
    # on until every kind has been hit.
    for point in (5, 3, 1, 6, 2, 4, 7, 3, 5, 2, 6, 4, 1, 2, 3, 8, 2, 3, 1, 4, 2, 5, 3):
        if len(steps) >= 6 and set(steps) >= kinds:
            break
        r = run_gate(root, {**env, "MTCHECK_GATE_CRASH_AFTER": str(point)})
        steps.append(killed_at(r))
        where = placed(root)
        assert set(where) == set(stories), "a story went missing"
        pending = pending_hashes(root)
        for h, places in where.items():
            # In two places only between a placed copy and the source's removal, with the
            # journal entry that lets the next run finish the job.
            assert len(places) == 1 or (len(places) == 2 and h in pending), (stories[h], places)
    assert set(steps) >= kinds, steps
    r = run_gate(root, env)
    assert r.returncode == 1, r.stderr
    check_final(root, stories, reference)


def test_two_gates_on_one_inbox_do_not_both_take_a_story(tmp_path, seeds_dir):
    root = tmp_path / "pair"
    stories = make_inbox(root / "inbox", 30, seeds_dir)
    procs = [subprocess.Popen(gate_command(root, "--format", "json"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    summaries = [json.loads(out) for out, _ in results]
    assert all(p.returncode in (0, 1) for p in procs), [err for _, err in results]
    taken = [s["source"] for summary in summaries for s in summary["stories"]]
    assert sorted(taken) == sorted(stories.values()), "a story was taken twice or not at all"
    assert all(summary["counts"]["errors"] == 0 for summary in summaries)
    where = placed(root)
    assert set(where) == set(stories) and all(len(p) == 1 and p[0] in VERDICTS for p in where.values())
    assert Counter(r["hash"] for r in audit(root)) == Counter({h: 1 for h in stories})


def test_the_lock_does_not_outlive_a_killed_gate(tmp_path, seeds_dir):
    """A SIGKILLed gate holds the lock only while it lives: the next run does not wait."""
    root = tmp_path / "relock"
    stories = make_inbox(root / "inbox", 3, seeds_dir)
    assert killed_at(run_gate(root, {"MTCHECK_GATE_CRASH_AFTER": "2"})) == "report"
    r = subprocess.run(gate_command(root, "--lock-timeout", "5"), capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    assert "recovered" in r.stdout  # it finished the story the killed run had in hand
    assert len(audit(root)) == len(stories)
    shutil.rmtree(root)
