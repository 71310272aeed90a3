"""The review session without the web layer: the scan cache, decisions in SQLite, undo,
stale detection and the export (cleaned copies, diffs, decisions.json)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_support import SEED_003, copy_seeds, rules_only_scanner

from mtcheck.cli import cli
from mtcheck.review.export import ExportError, export
from mtcheck.review.session import ReviewSession, discover_files, options_key
from mtcheck.review.store import Store, StoreError


def open_session(folder: Path, db: Path, reviewer: str = "ed") -> ReviewSession:
    scanner = rules_only_scanner()
    root, files = discover_files(folder, ("*.txt", "*.md"), ())
    return ReviewSession(root, files, Store(db), reviewer, scanner=scanner, options_key=options_key(scanner))


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.txt"))}


@pytest.fixture()
def folder(tmp_path):
    return copy_seeds(tmp_path / "stories")


def test_scans_are_cached_by_content_and_rescanned_when_changed(folder, tmp_path):
    db = tmp_path / "review.sqlite"
    first = open_session(folder, db)
    assert first.load() == (0, 5)
    first.store.close()
    again = open_session(folder, db)
    assert again.load() == (5, 0)  # nothing changed: all from the review database
    (folder / SEED_003).write_text((folder / SEED_003).read_text() + "\nOne more line about LIH.\n")
    third = open_session(folder, db)
    assert third.load() == (4, 1)
    view = third.view(SEED_003)
    assert view["doc"] and any(s["original"] == "LIH" for s in view["suggestions"])


def test_decisions_undo_and_the_queue(folder, tmp_path):
    session = open_session(folder, tmp_path / "r.sqlite")
    session.load()
    queue = session.queue()
    assert len(queue) == 5 and {q["path"] for q in queue} == set(digest(folder))
    from mtcheck.review.session import _NEEDS_RANK

    ranks = [_NEEDS_RANK[q["needs"]] for q in queue]
    assert ranks == sorted(ranks) and queue[0]["needs"] in ("rejected", "review")  # most in need first
    view = session.view(SEED_003)
    sha, items = view["sha256"], view["suggestions"]
    lih = next(s for s in items if s["original"] == "LIH")
    other = next(s for s in items if s["original"] != "LIH")
    state = session.decide(SEED_003, sha, lih["id"], "accept")
    assert next(s for s in state["suggestions"] if s["id"] == lih["id"])["state"] == "accept"
    state = session.decide(SEED_003, sha, other["id"], "edit", "my own words")
    edited = next(s for s in state["suggestions"] if s["id"] == other["id"])
    assert edited["state"] == "edit" and edited["text"] == "my own words"
    state = session.undo(SEED_003, sha)
    assert state["undone"] == 1
    assert next(s for s in state["suggestions"] if s["id"] == other["id"])["state"] == "pending"
    assert next(s for s in state["suggestions"] if s["id"] == lih["id"])["state"] == "accept"
    state = session.accept_safe(SEED_003, sha)
    safe_pending = [s for s in items if s["safe"] and s["id"] != lih["id"]]
    assert state["accepted"] == len(safe_pending) > 0
    assert all(s["state"] == "accept" for s in state["suggestions"] if s["safe"])
    assert session.undo(SEED_003, sha)["undone"] == len(safe_pending)  # one batch, one undo
    item = next(q for q in session.queue() if q["path"] == SEED_003)
    assert item["decided"] == 1 and item["pending"] == len(items) - 1
    with pytest.raises(Exception, match="changed on disk"):
        session.decide(SEED_003, "0" * 64, lih["id"], "reject")


def test_stale_decisions_are_shown_and_not_applied(folder, tmp_path):
    session = open_session(folder, tmp_path / "r.sqlite")
    session.load()
    view = session.view(SEED_003)
    lih = next(s for s in view["suggestions"] if s["original"] == "LIH")
    session.decide(SEED_003, view["sha256"], lih["id"], "accept")
    story = folder / SEED_003
    story.write_text(story.read_text(encoding="utf-8").replace("Moscow expressed", "Moscow has expressed"), encoding="utf-8")
    view = session.view(SEED_003)
    assert len(view["stale"]) == 1 and view["stale"][0]["action"] == "accept"
    assert all(s["state"] == "pending" for s in view["suggestions"])  # the new version is undecided
    summary = export(session.root, [e.file for e in session.entries.values()], session.store, tmp_path / "out", "ed")
    assert summary["stale"] == 1 and summary["applied"] == 0
    assert (tmp_path / "out" / SEED_003).read_text(encoding="utf-8") == story.read_text(encoding="utf-8")
    record = json.loads((tmp_path / "out" / "decisions.json").read_text())
    assert [d["status"] for d in record["decisions"]] == ["stale"]


def test_export_applies_decisions_and_never_touches_originals(folder, tmp_path):
    before = digest(folder)
    session = open_session(folder, tmp_path / "r.sqlite", reviewer="Jane Editor")
    session.load()
    view = session.view(SEED_003)
    sha, items = view["sha256"], view["suggestions"]
    lih = [s for s in items if s["original"] == "LIH"]
    security = next(s for s in items if s["original"] == "UN security Council")
    raid = next(s for s in items if s["original"] == "RAID")
    for s in lih:
        session.decide(SEED_003, sha, s["id"], "accept")
    session.decide(SEED_003, sha, security["id"], "reject")
    session.decide(SEED_003, sha, raid["id"], "edit", "air raid")
    session.decide(SEED_003, sha, raid["id"], "edit", "strike")  # the later decision wins
    out = tmp_path / "export"
    summary = session.export(out)
    assert summary["files"] == 5 and summary["changed"] == 1 and summary["applied"] == len(lih) + 1
    assert digest(folder) == before  # originals untouched
    original = (folder / SEED_003).read_text(encoding="utf-8")
    cleaned = (out / SEED_003).read_text(encoding="utf-8")
    assert cleaned.count("ISIL") == original.count("ISIL") + len(lih) and "(LIH," not in cleaned
    assert original[security["start"]:security["end"]] == "UN security Council"
    assert cleaned.count("UN security Council") == original.count("UN security Council")
    assert "a strike by coalition aircraft" in cleaned
    # Unchanged stories are copied as they are, without a diff.
    assert (out / "001_6dfbf46b29b8d6d9.txt").read_bytes() == (folder / "001_6dfbf46b29b8d6d9.txt").read_bytes()
    assert sorted(p.name for p in out.glob("*.diff")) == [SEED_003 + ".diff"]
    patch = (out / (SEED_003 + ".diff")).read_text(encoding="utf-8")
    assert f"--- a/{SEED_003}" in patch and "-" in patch and "+" in patch
    if shutil.which("git"):
        work = tmp_path / "apply"
        work.mkdir()
        shutil.copy(folder / SEED_003, work / SEED_003)
        done = subprocess.run(["git", "apply", "--whitespace=nowarn", str(out / (SEED_003 + ".diff"))], cwd=work, capture_output=True)
        assert done.returncode == 0, done.stderr.decode()
        assert (work / SEED_003).read_text(encoding="utf-8") == cleaned
    record = json.loads((out / "decisions.json").read_text(encoding="utf-8"))
    statuses = [(d["original"], d["action"], d["status"]) for d in record["decisions"]]
    assert statuses.count(("LIH", "accept", "applied")) == len(lih)
    assert ("UN security Council", "reject", "rejected") in statuses
    assert ("RAID", "edit", "replaced") in statuses and ("RAID", "edit", "applied") in statuses
    assert all(d["reviewer"] == "Jane Editor" and d["at"] and d["sha256"] == sha for d in record["decisions"])
    with pytest.raises(ExportError, match="reviewed folder"):
        session.export(folder)


def test_store_survives_reopen_and_refuses_foreign_files(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable review database"):
        Store(junk)
    db = tmp_path / "r.sqlite"
    Store(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value='99' WHERE key='schema'")
    with pytest.raises(StoreError, match="schema 99"):
        Store(db)


def test_cli_export_and_its_errors(folder, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["review", str(folder), "--export", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no review database" in result.output
    session = open_session(folder, folder / ".mtcheck" / "review.sqlite")
    session.load()
    view = session.view(SEED_003)
    lih = next(s for s in view["suggestions"] if s["original"] == "LIH")
    session.decide(SEED_003, view["sha256"], lih["id"], "accept")
    session.store.close()
    result = runner.invoke(cli, ["review", str(folder), "--export", str(tmp_path / "out"), "--reviewer", "cli-ed"])
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output
    record = json.loads((tmp_path / "out" / "decisions.json").read_text())
    assert record["exported_by"] == "cli-ed" and record["decisions"][0]["status"] == "applied"
    result = runner.invoke(cli, ["review", str(folder), "--export", str(folder)])
    assert result.exit_code == 2 and "must not be the reviewed folder" in result.output
    result = runner.invoke(cli, ["review", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "no such file" in result.output
