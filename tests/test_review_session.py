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
from mtcheck.review.session import Forbidden, ReviewSession, discover_files, options_key
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
    assert view["doc"] and any("LIH" in s["original"] and s["best"] for s in view["suggestions"])


def card_with(view: dict, text: str) -> dict:
    return next(c for c in view["suggestions"] if text in c["original"])


def test_one_card_per_sentence_covering_every_finding(folder, tmp_path):
    session = open_session(folder, tmp_path / "r.sqlite")
    session.load()
    for entry in session.entries.values():
        cards = entry.cards
        spans = sorted((c.start, c.end) for c in cards)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), f"{entry.rel}: cards overlap"
        for f in entry.record["findings"]:
            holders = [c for c in cards if c.start <= f["start"] and f["end"] <= c.end]
            assert len(holders) == 1, (entry.rel, f["rule"], f["text"])
        for s in entry.suggestions:  # every rule fix went into exactly one card's proposal
            holders = [c for c in cards if c.start <= s.start and s.end <= c.end]
            assert len(holders) == 1 and holders[0].best is not None
    entry = session.entries[SEED_003]
    # Seed 003 has sentences with several findings: one card each, fewer cards than findings.
    assert len(entry.cards) < len(entry.record["findings"])
    view = session.view(SEED_003)
    busy = next(c for c in view["suggestions"] if len(c["codes"]) >= 3)
    assert busy["best"] == "rules" and {o["key"] for o in busy["options"]} >= {"rules", "fix-1", "fix-2"}
    best = busy["options"][0]
    assert best["key"] == "rules" and best["words"].startswith("fix score ") and ": " in best["words"]
    assert best["keeps"] == "keeps all names, numbers and negations"


def test_a_rewrite_made_of_the_rule_fixes_is_one_option_not_a_second_card(folder, tmp_path):
    from mtcheck.changes import suggestions
    from mtcheck.engine import FileResult
    from mtcheck.report.json import file_record
    from mtcheck.review.cards import build_cards

    result = next(iter(rules_only_scanner().scan([str(folder / SEED_003)])))
    doc = result.document
    found = suggestions(doc)
    record = file_record(FileResult(path=SEED_003, document=doc))
    plain = build_cards(doc.text, record, found)
    target = next(c for c in plain if len(c.options) > 1)
    sentence = next(s for s in doc.sentences if s.start <= target.start < s.end)
    rules_text = target.option("rules").text
    sentence.rewrite = {"text": rules_text[sentence.start - target.start:len(rules_text) - (target.end - sentence.end)],
                        "source": "rules", "fix_score": 0.91, "accepted": True,
                        "components": {"chrf": 0.97, "bar": "safe rule fixes"}, "candidates": [],
                        "transforms": ["acronym", "capitals"]}
    record = file_record(FileResult(path=SEED_003, document=doc))
    cards = build_cards(doc.text, record, found)
    assert len(cards) == len(plain)  # no "REWRITE (rules)" card beside the rule fixes
    merged = next(c for c in cards if c.id == target.id)
    assert [o.key for o in merged.options].count("rules") == 1 and merged.best.key == "rules"
    assert merged.best.score == 0.91 and merged.best.transforms == ["acronym", "capitals"]
    assert len(merged.options) == len(target.options)


def test_a_repair_joining_two_sentences_makes_one_card_over_both():
    from mtcheck.review.cards import build_cards

    text = "The army took the town. Injuring three commandos.\n"
    first, second = (0, 23), (24, 49)
    joined = "The army took the town, injuring three commandos."
    record = {"findings": [{"rule": "X104", "category": "syntax", "severity": "warning", "start": 24, "end": 49,
                            "message": "fragment", "text": text[24:49]}],
              "sentences": [{"start": first[0], "end": first[1], "text": text[slice(*first)], "flagged": False},
                            {"start": second[0], "end": second[1], "text": text[slice(*second)], "flagged": True,
                             "rewrite": {"text": joined, "source": "repairs", "fix_score": 0.9, "accepted": True,
                                         "span": [0, 49], "transforms": ["subordinate-fragment"],
                                         "candidates": [{"text": "Three commandos were injured.", "source": "rules"},
                                                        {"text": "The army took the town and injured three commandos.",
                                                         "source": "repairs"}]}}]}
    [card] = build_cards(text, record, [])
    assert (card.start, card.end) == (0, 49) and card.best.text == joined and card.best.transforms == ["subordinate-fragment"]
    # A candidate of the join records no span: one for the fragment alone replaces only it.
    assert card.option("cand-1").text == "The army took the town. Three commandos were injured."
    assert card.option("cand-2").text == "The army took the town and injured three commandos."
    record["sentences"][1]["rewrite"]["span"] = [30, 49]  # not holding its sentence: ignored
    [card] = build_cards(text, record, [])
    assert (card.start, card.end) == second and card.best.text == joined


def test_decisions_undo_redo_and_the_queue(folder, tmp_path):
    session = open_session(folder, tmp_path / "r.sqlite")
    session.load()
    queue = session.queue()
    assert len(queue) == 5 and {q["path"] for q in queue} == set(digest(folder))
    from mtcheck.review.session import _NEEDS_RANK

    ranks = [_NEEDS_RANK[q["needs"]] for q in queue]
    assert ranks == sorted(ranks) and queue[0]["needs"] in ("rejected", "review")  # most in need first
    item = next(q for q in queue if q["path"] == SEED_003)
    assert item["headline"].startswith("Moscow called for a meeting")
    assert item["severity"]["error"] == item["errors"] > 0 and sum(item["severity"].values()) == item["findings"]
    view = session.view(SEED_003)
    sha, cards = view["sha256"], view["suggestions"]
    lih = card_with(view, "pandering LIH")
    other = next(c for c in cards if c["id"] != lih["id"])
    state = session.decide(SEED_003, sha, lih["id"], "accept")
    assert next(c for c in state["suggestions"] if c["id"] == lih["id"])["state"] == "accept"
    state = session.decide(SEED_003, sha, other["id"], "edit", "my own words")
    edited = next(c for c in state["suggestions"] if c["id"] == other["id"])
    assert edited["state"] == "edit" and edited["text"] == "my own words"
    state = session.undo(SEED_003, sha)
    assert state["undone"] == 1 and state["can_redo"]
    assert next(c for c in state["suggestions"] if c["id"] == other["id"])["state"] == "pending"
    assert next(c for c in state["suggestions"] if c["id"] == lih["id"])["state"] == "accept"
    state = session.redo(SEED_003, sha)
    assert state["redone"] == 1 and next(c for c in state["suggestions"] if c["id"] == other["id"])["state"] == "edit"
    session.undo(SEED_003, sha)

    # Accept all safe fixes: one batch, but each of its decisions can be undone on its own.
    state = session.accept_safe(SEED_003, sha)
    safe_pending = [c for c in cards if c["safe"] and c["id"] != lih["id"]]
    assert state["accepted"] == len(safe_pending) >= 3
    assert all(c["state"] == "accept" for c in state["suggestions"] if c["safe"])
    state = session.undo(SEED_003, sha)
    assert state["undone"] == 1
    assert sum(c["state"] == "pending" for c in state["suggestions"] if c["safe"]) == 1
    state = session.undo(SEED_003, sha, card_id=safe_pending[0]["id"])  # that card's own decision
    assert next(c for c in state["suggestions"] if c["id"] == safe_pending[0]["id"])["state"] == "pending"
    state = session.undo(SEED_003, sha, whole_batch=True)  # the rest of the batch in one step
    assert state["undone"] == len(safe_pending) - 2
    assert all(c["state"] == "pending" for c in state["suggestions"] if c["id"] != lih["id"])
    state = session.redo(SEED_003, sha)  # the batch step comes back as one step
    assert state["redone"] == len(safe_pending) - 2
    session.undo(SEED_003, sha, whole_batch=True)
    item = next(q for q in session.queue() if q["path"] == SEED_003)
    assert item["decided"] == 1 and item["pending"] == len(cards) - 1
    session.decide(SEED_003, sha, other["id"], "reject")
    assert not session.view(SEED_003)["can_redo"]  # a new decision ends what could be redone
    with pytest.raises(Exception, match="changed on disk"):
        session.decide(SEED_003, "0" * 64, lih["id"], "reject")


def test_a_sentence_without_a_proposal_is_edited_and_fix_scored(tmp_path):
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "ru.txt").write_text(
        "Strike near Deir ez-Zor\n\nThe coalition said 62 soldiers of the LIH were not hurt.\n\n"
        "Официальный представитель сказал, что удар нанесли по ошибке.\n", encoding="utf-8")
    session = open_session(folder, tmp_path / "r.sqlite")
    session.load()
    view = session.view("ru.txt")
    card = card_with(view, "Официальный")
    assert card["best"] is None and card["options"] == [] and card["codes"] == ["L101"]
    assert card["damaged"] and card["original"][slice(*card["damaged"][0])].startswith("Официальный")
    with pytest.raises(ValueError, match="no proposal"):
        session.decide("ru.txt", view["sha256"], card["id"], "accept")
    good = session.fix_score("ru.txt", view["sha256"], card["id"], "An official said the strike was a mistake.")
    assert 0.0 <= good["score"] <= 1.0 and good["words"].startswith(f"fix score {good['score']:.2f}: ")
    plain = card_with(view, "62 soldiers")
    keeps = session.fix_score("ru.txt", view["sha256"], plain["id"], "The coalition said 62 soldiers of ISIL were not hurt.")
    assert keeps["problems"] == [] and keeps["keeps"] == "keeps all names, numbers and negations"
    lost = session.fix_score("ru.txt", view["sha256"], plain["id"], "The alliance said 26 soldiers were hurt.")
    assert any("number 62" in p for p in lost["problems"]) and any("negation" in p for p in lost["problems"])
    assert any("name ISIL" in p for p in lost["problems"])  # neither LIH nor its fix is left
    assert lost["keeps"].startswith("warning: ") and lost["score"] < keeps["score"]
    state = session.decide("ru.txt", view["sha256"], card["id"], "edit", "An official said the strike was a mistake.")
    done = next(c for c in state["suggestions"] if c["id"] == card["id"])
    assert done["state"] == "edit"
    d = session.store.decisions()[-1]
    assert d.action == "edit" and d.score == good["score"] and d.option == "edit"
    summary = session.export(tmp_path / "out")
    assert summary["applied"] == 1
    assert "An official said the strike was a mistake." in (tmp_path / "out" / "ru.txt").read_text(encoding="utf-8")


def test_stale_decisions_are_shown_dismissed_or_reapplied(folder, tmp_path):
    session = open_session(folder, tmp_path / "r.sqlite")
    session.load()
    view = session.view(SEED_003)
    lih = card_with(view, "pandering LIH")
    raid = card_with(view, "during the RAID")
    session.decide(SEED_003, view["sha256"], lih["id"], "accept")
    session.decide(SEED_003, view["sha256"], raid["id"], "reject")
    story = folder / SEED_003
    story.write_text(story.read_text(encoding="utf-8").replace("Moscow expressed", "Moscow has expressed"), encoding="utf-8")
    view = session.view(SEED_003)
    assert sorted(s["action"] for s in view["stale"]) == ["accept", "reject"]
    assert all(s["reapplicable"] for s in view["stale"])  # their sentences are still there, unchanged
    assert all(c["state"] == "pending" for c in view["suggestions"])  # the new version is undecided
    summary = export(session.root, [e.file for e in session.entries.values()], session.store, tmp_path / "out", "ed")
    assert summary["stale"] == 2 and summary["applied"] == 0
    assert (tmp_path / "out" / SEED_003).read_text(encoding="utf-8") == story.read_text(encoding="utf-8")
    record = json.loads((tmp_path / "out" / "decisions.json").read_text())
    assert [d["status"] for d in record["decisions"]] == ["stale", "stale"]

    accepted = next(s for s in view["stale"] if s["action"] == "accept")
    rejected = next(s for s in view["stale"] if s["action"] == "reject")
    state = session.reapply(SEED_003, view["sha256"], [accepted["decision"]])
    assert state["reapplied"] == 1 and [s["action"] for s in state["stale"]] == ["reject"]
    again = card_with(state, "pandering LIH")
    # The same sentence, moved by the words added before it: the decision found it again.
    assert again["state"] == "accept" and again["original"] == lih["original"] and again["start"] > lih["start"]
    state = session.dismiss(SEED_003, view["sha256"], [rejected["decision"]])
    assert state["dismissed"] == 1 and state["stale"] == []
    with pytest.raises(Exception, match="not a stale decision"):
        session.dismiss(SEED_003, view["sha256"], [rejected["decision"]])
    item = next(q for q in session.queue() if q["path"] == SEED_003)
    assert item["stale"] == 0 and item["decided"] == 1
    summary = session.export(tmp_path / "out2")
    assert summary["stale"] == 0 and summary["applied"] == 1
    statuses = sorted(d["status"] for d in json.loads((tmp_path / "out2" / "decisions.json").read_text())["decisions"])
    assert statuses == ["applied", "dismissed", "dismissed"]


def test_export_applies_decisions_and_never_touches_originals(folder, tmp_path):
    before = digest(folder)
    session = open_session(folder, tmp_path / "r.sqlite", reviewer="Jane Editor")
    session.load()
    view = session.view(SEED_003)
    sha, cards = view["sha256"], view["suggestions"]
    lih = [c for c in cards if "LIH" in c["original"]]
    security = card_with(view, "Moscow called for a meeting")
    raid = card_with(view, "during the RAID")
    for c in lih:
        session.decide(SEED_003, sha, c["id"], "accept")
    session.decide(SEED_003, sha, security["id"], "reject")
    session.decide(SEED_003, sha, raid["id"], "edit", raid["original"].replace("RAID", "air raid"))
    session.decide(SEED_003, sha, raid["id"], "edit", raid["original"].replace("RAID", "strike"))  # the later one wins
    out = tmp_path / "export"
    summary = session.export(out)
    assert summary["files"] == 5 and summary["changed"] == 1 and summary["applied"] == len(lih) + 1
    assert digest(folder) == before  # originals untouched
    original = (folder / SEED_003).read_text(encoding="utf-8")
    cleaned = (out / SEED_003).read_text(encoding="utf-8")
    assert "LIH" not in cleaned and cleaned.count("ISIL") > original.count("ISIL")
    assert original[security["start"]:security["end"]] == security["original"]
    assert security["original"] in cleaned  # rejected: as it was
    assert "during the strike, coalition" in cleaned
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
    statuses = [(d["suggestion"], d["action"], d["status"]) for d in record["decisions"]]
    assert sum(1 for c in lih if (c["id"], "accept", "applied") in statuses) == len(lih)
    assert (security["id"], "reject", "rejected") in statuses
    assert (raid["id"], "edit", "replaced") in statuses and (raid["id"], "edit", "applied") in statuses
    assert all(d["reviewer"] == "Jane Editor" and d["at"] and d["sha256"] == sha for d in record["decisions"])
    with pytest.raises(ExportError, match="reviewed folder"):
        session.export(folder)


def test_export_keeps_each_storys_encoding_and_line_endings(tmp_path):
    folder = tmp_path / "stories"
    folder.mkdir()
    story = "Strike in Syria\r\n\r\nThe LIH militants attacked the town, the defense Ministry said.\r\n"
    (folder / "wide.txt").write_bytes(b"\xff\xfe" + story.encode("utf-16-le"))
    (folder / "cyr.txt").write_bytes((story + "Источник: ТАСС.\r\n").encode("cp1251"))
    (folder / "be.txt").write_bytes(b"\xfe\xff" + story.encode("utf-16-be"))
    session = open_session(folder, tmp_path / "r.sqlite")
    session.load()
    for name in ("wide.txt", "cyr.txt", "be.txt"):
        view = session.view(name)
        card = card_with(view, "LIH")
        session.decide(name, view["sha256"], card["id"], "accept")
    summary = session.export(tmp_path / "out")
    assert summary["changed"] == 3
    fixed = "The ISIL militants attacked the town, the Defense Ministry said.\r\n"
    wide = (tmp_path / "out" / "wide.txt").read_bytes()
    assert wide.startswith(b"\xff\xfe") and fixed in wide[2:].decode("utf-16-le")
    be = (tmp_path / "out" / "be.txt").read_bytes()
    assert be.startswith(b"\xfe\xff") and fixed in be[2:].decode("utf-16-be")
    cyr = (tmp_path / "out" / "cyr.txt").read_bytes()
    assert fixed in cyr.decode("cp1251") and "Источник: ТАСС.\r\n" in cyr.decode("cp1251")
    for data in (wide[2:].decode("utf-16-le"), cyr.decode("cp1251")):
        assert data.count("\r\n") == data.count("\n")  # every line ending is still CRLF
    record = json.loads((tmp_path / "out" / "decisions.json").read_text(encoding="utf-8"))
    assert {f["path"]: f["encoding"] for f in record["files"]} == {"be.txt": "utf-16-be-bom", "cyr.txt": "cp1251", "wide.txt": "utf-16"}


def test_stats_count_each_decision_for_the_rules_behind_it(folder, tmp_path):
    from mtcheck.review.stats import compute, render_text

    session = open_session(folder, tmp_path / "r.sqlite")
    session.load()
    view = session.view(SEED_003)
    sha = view["sha256"]
    s101 = [c for c in view["suggestions"] if c["codes"] == ["S101"]]
    assert len(s101) >= 4
    for c in s101[:3]:
        session.decide(SEED_003, sha, c["id"], "reject")
    session.decide(SEED_003, sha, s101[3]["id"], "accept")
    lih = card_with(view, "pandering LIH")
    session.decide(SEED_003, sha, lih["id"], "edit", lih["original"].replace("LIH", "Islamic State"))
    session.decide(SEED_003, sha, lih["id"], "accept")  # replaces the edit: only this one counts
    session.decide(SEED_003, sha, s101[2]["id"], "accept")
    session.undo(SEED_003, sha)  # undone: the rejection before it is in force again
    stats = compute(session.store.decisions())
    rows = {r["code"]: r for r in stats["rules"]}
    assert (rows["S101"]["reject"], rows["S101"]["accept"], rows["S101"]["decided"]) == (3, 1, 4)
    assert rows["S101"]["acceptance"] == 0.25 and rows["S101"]["flagged"]
    assert rows["S101"]["advice"] == ['severity = { S101 = "info" }  # still reported and fixed, as info',
                                      'unfixable = ["S101"]  # still reported, its fix no longer proposed',
                                      'ignore = ["S101"]  # not checked at all']
    assert (rows["E101"]["accept"], rows["E101"]["edit"], rows["E101"]["flagged"]) == (1, 0, False)
    assert stats["rules"][0]["code"] == "S101"  # the rules to look at come first
    text = render_text(stats)
    assert "S101: editors rejected 75% of its 4 proposals" in text and 'severity = { S101 = "info" }' in text
    assert '    unfixable = ["S101"]' in text
    assert compute(session.store.decisions(), threshold=0.8)["rules"][0]["flagged"] is False
    session.store.close()

    db = tmp_path / "r.sqlite"
    runner = CliRunner()
    result = runner.invoke(cli, ["review", str(folder), "--db", str(db), "--stats", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rules"][0]["code"] == "S101"
    result = runner.invoke(cli, ["review", str(folder), "--db", str(db), "--stats"])
    assert result.exit_code == 0 and "S101: editors rejected 75%" in result.output
    result = runner.invoke(cli, ["review", str(folder), "--db", str(tmp_path / "none.sqlite"), "--stats"])
    assert result.exit_code == 2 and "no review database" in result.output


def test_a_schema_1_database_is_upgraded_in_place(tmp_path):
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as conn:
        conn.executescript(OLD_SCHEMA)
        conn.execute("INSERT INTO meta VALUES ('schema', '1')")
        conn.execute("INSERT INTO decisions (batch, path, sha256, suggestion, kind, code, start, \"end\", original, proposed,"
                     " action, text, reviewer, at) VALUES (1, 'a.txt', 'x', 's1', 'rule-fix', 'E101', 0, 3, 'LIH', 'ISIL',"
                     " 'accept', NULL, 'ed', '2026-01-01T00:00:00+00:00')")
    store = Store(db)
    [d] = store.decisions()
    assert (d.action, d.codes, d.score, d.dismissed_at) == ("accept", None, None, None)
    assert store.undo("a.txt", "x")[0].undo_step == 1 and store.redo("a.txt", "x")[0].undone_at is None
    store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()[0] == "2"


OLD_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE scans (sha256 TEXT NOT NULL, options TEXT NOT NULL, path TEXT NOT NULL, scanned_at TEXT NOT NULL,
    record TEXT NOT NULL, PRIMARY KEY (sha256, options));
CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, batch INTEGER NOT NULL, path TEXT NOT NULL,
    sha256 TEXT NOT NULL, suggestion TEXT NOT NULL, kind TEXT NOT NULL, code TEXT, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, original TEXT NOT NULL, proposed TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('accept', 'reject', 'edit')), text TEXT, reviewer TEXT NOT NULL,
    at TEXT NOT NULL, undone_at TEXT);
"""


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
    lih = card_with(view, "pandering LIH")
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


WIRE = Path(__file__).parent / "data" / "wire"
# A feed of two items in windows-1251 with CRLF line endings: each item is a story of its own.
TWO_ITEM_FEED = (
    '<?xml version="1.0" encoding="windows-1251"?>\r\n'
    '<rss version="2.0">\r\n<channel>\r\n<title>Лента новостей</title>\r\n<link>http://example.com/</link>\r\n'
    '<description>Wire</description>\r\n'
    '<item>\r\n<title>Talks on Syria resume</title>\r\n<guid>urn:test:1</guid>\r\n'
    '<description>The ministry saidthat the convoy left Aleppo on Monday.</description>\r\n</item>\r\n'
    '<item>\r\n<title>Attack near Deir ez-Zor</title>\r\n<guid>urn:test:2</guid>\r\n'
    '<description>Militants of LIH attacked the town, Smith &amp; Jones reported.</description>\r\n</item>\r\n'
    '</channel>\r\n</rss>\r\n')


def open_wire_session(folder: Path, db: Path) -> ReviewSession:
    scanner = rules_only_scanner()
    root, files = discover_files(folder, ("*.txt", "*.json", "*.xml", "*.html"), ())
    return ReviewSession(root, files, Store(db), "ed", scanner=scanner, options_key=options_key(scanner))


def accept_one_fix(session: ReviewSession, rel: str, code: str, word: str) -> tuple[str, str]:
    """Accept, on the card holding ``word``, the proposal made of ``code``'s fix alone;
    (the card's sentence, the sentence as accepted)."""
    view = session.view(rel)
    entry = session.entries[rel]
    card = next(c for c in entry.cards if word in c.original)
    option = next(o for o in card.options if o.codes == [code])
    assert entry.text[card.start:card.end] == card.original  # offsets are into the checked text
    session.decide(rel, view["sha256"], card.id, "accept", option=option.key)
    return card.original, option.text


def test_wire_stories_are_reviewed_and_exported_in_their_format(tmp_path):
    from mtcheck.reader import read_document

    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(WIRE / "002_4226bccabad467d5.ninjs3.json", folder / "story.json")
    shutil.copy(WIRE / "002_4226bccabad467d5.newsml.xml", folder / "item.xml")
    (folder / "feed.xml").write_bytes(TWO_ITEM_FEED.encode("cp1251"))
    (folder / "plain.txt").write_text("Talks resume in Geneva\n\nThe ministry saidthat talks resume.\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    session = open_wire_session(folder, tmp_path / "r.sqlite")
    session.load()
    assert sorted(session.entries) == ["feed.xml#item-1", "feed.xml#item-2", "item.xml", "plain.txt", "story.json"]
    assert all(e.error is None and e.record is not None for e in session.entries.values())
    for rel, entry in session.entries.items():  # the desk shows the text the reader extracts
        assert entry.text == read_document(str(folder / rel)).text
    assert session.view("story.json")["format"] == "ninjs" and session.view("feed.xml#item-2")["format"] == "feed"
    assert session.view("plain.txt")["format"] == "plain"
    headlines = {q["path"]: q.get("headline") for q in session.queue()}
    assert headlines["feed.xml#item-1"] == "Talks on Syria resume" and headlines["feed.xml#item-2"] == "Attack near Deir ez-Zor"

    fixes = {
        "story.json": accept_one_fix(session, "story.json", "S104", "saidthat"),
        "item.xml": accept_one_fix(session, "item.xml", "S104", "saidthat"),
        "feed.xml#item-1": accept_one_fix(session, "feed.xml#item-1", "S104", "saidthat"),
        "feed.xml#item-2": accept_one_fix(session, "feed.xml#item-2", "E101", "LIH"),
        "plain.txt": accept_one_fix(session, "plain.txt", "S104", "saidthat"),
    }
    out = tmp_path / "out"
    summary = session.export(out)
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before  # originals untouched
    assert summary["skipped"] == [] and summary["applied"] == 5
    # Each file is its original with the accepted sentences replaced, nothing else: markup,
    # XML declaration, encoding, line endings and the other renderings of the body as they were.
    for name, enc in (("story.json", "utf-8"), ("item.xml", "utf-8")):
        original = before[name].decode(enc)
        sentence, fixed = fixes[name]
        assert original.count(sentence) >= 1
        assert (out / name).read_bytes().decode(enc) == original.replace(sentence, fixed)
    feed = TWO_ITEM_FEED
    for rel in ("feed.xml#item-1", "feed.xml#item-2"):  # the checked text's "&" is "&amp;" in the XML
        sentence, fixed = fixes[rel]
        assert feed.count(sentence.replace("&", "&amp;")) == 1
        feed = feed.replace(sentence.replace("&", "&amp;"), fixed.replace("&", "&amp;"))
    assert (out / "feed.xml").read_bytes() == feed.encode("cp1251")
    assert "said that the convoy" in feed and "Militants of ISIL attacked" in feed and "Smith &amp; Jones" in feed
    # Read back by mtcheck's own readers, each story holds its fix.
    for rel, (sentence, fixed) in fixes.items():
        text = read_document(str(out / rel)).text
        assert fixed in text and sentence not in text
    assert json.loads((out / "story.json").read_text(encoding="utf-8"))["uri"] == "urn:mtcheck:test:002_4226bccabad467d5"
    record = json.loads((out / "decisions.json").read_text(encoding="utf-8"))
    files = {f["path"]: f for f in record["files"]}
    assert files["feed.xml#item-2"]["output"] == "feed.xml" and files["feed.xml#item-2"]["encoding"] == "cp1251"
    assert files["story.json"]["format"] == "ninjs" and (out / "story.json.diff").exists()
    assert {d["status"] for d in record["decisions"]} == {"applied"}


def test_a_wire_decision_goes_stale_when_its_file_changes(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "feed.xml").write_bytes(TWO_ITEM_FEED.encode("cp1251"))
    session = open_wire_session(folder, tmp_path / "r.sqlite")
    session.load()
    accept_one_fix(session, "feed.xml#item-2", "E101", "LIH")
    (folder / "feed.xml").write_bytes(TWO_ITEM_FEED.replace("Monday", "Tuesday").encode("cp1251"))
    view = session.view("feed.xml#item-2")
    assert len(view["stale"]) == 1
    summary = session.export(tmp_path / "out")
    assert summary["stale"] == 1 and (tmp_path / "out" / "feed.xml").read_bytes() == (folder / "feed.xml").read_bytes()


def test_a_wire_file_linking_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "feed.xml").write_bytes(TWO_ITEM_FEED.encode("cp1251"))
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "feed.xml").symlink_to(outside / "feed.xml")
    session = open_wire_session(folder, tmp_path / "r.sqlite")
    session.load()
    assert set(session.entries) == {"feed.xml#item-1", "feed.xml#item-2"}
    for rel, entry in session.entries.items():
        assert "outside" in entry.error and entry.text is None
        with pytest.raises(Forbidden):
            session.view(rel)



def test_a_rule_whose_fix_is_off_gets_a_card_to_edit_without_a_proposal(tmp_path):
    """``unfixable = ["E101"]``: the finding still makes a card, which has no proposal to
    accept (the editor types the fix); the other rule's fix is still proposed."""
    from mtcheck.config import Config
    from mtcheck.engine import Scanner
    from mtcheck.settings import Settings

    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "s.txt").write_text("Strike in Syria\n\nThe LIH militants attacked the town.\n\n"
                                  "The defense Ministry said so.\n", encoding="utf-8")
    views = {}
    for name, cfg in (("off", Config(unfixable=["E1"], neural=False, parse=False)),
                      ("on", Config(neural=False, parse=False))):
        scanner = Scanner(Settings(config=cfg, neural=False, parse=False))
        root, files = discover_files(folder, ("*.txt",), ())
        session = ReviewSession(root, files, Store(tmp_path / f"{name}.sqlite"), "ed", scanner=scanner,
                                options_key=options_key(scanner))
        session.load()
        views[name] = session.view("s.txt")
    lih = card_with(views["off"], "LIH")
    assert lih["codes"] == ["E101"] and lih["best"] is None and lih["options"] == []
    assert card_with(views["off"], "defense Ministry")["best"] == "rules"
    assert card_with(views["on"], "LIH")["best"] is not None  # the same card, with the fix on


def test_findings_outside_a_wire_storys_text_are_listed_not_made_cards(tmp_path):
    """A language declaration or page furniture the reader left out of the checked text has
    nothing in the sentences to edit: the view lists it (with its line in the file), and no
    card is made of it, nor of the sentence it would otherwise flag."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    ninjs = json.loads((WIRE / "002_4226bccabad467d5.ninjs3.json").read_text(encoding="utf-8"))
    ninjs["language"] = "de"
    (folder / "de.json").write_text(json.dumps(ninjs, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.copy(WIRE / "002_4226bccabad467d5.page.html", folder / "page.html")
    session = open_wire_session(folder, tmp_path / "r.sqlite")
    session.load()
    german = session.view("de.json")
    assert [f["rule"] for f in german["outside"]] == ["L105"] and german["outside"][0]["line"] > 1
    assert german["suggestions"] == []  # not judged as English, and nothing in its text to edit
    page = session.view("page.html")
    assert "B101" in {f["rule"] for f in page["outside"]}  # the cookie banner, left out of the text
    assert all("B101" not in c["codes"] for c in page["suggestions"]) and page["suggestions"]
    entry = session.entries["page.html"]
    for f in entry.record["findings"]:  # every finding in the text is still on exactly one card
        if not f.get("data", {}).get("outside"):
            assert len([c for c in entry.cards if c.start <= f["start"] and f["end"] <= c.end]) == 1


@pytest.mark.parametrize("before, after", [
    ("Militants of LIH attacked the town, Smith & Jones said.", "Militants of ISIL attacked the town, Smith & Jones said."),
    ("The ministry saidthat talks resume.", "The ministry said that talks resume."),
    ("Talks resume.", "New talks resume today."),  # insertions at the start and before the end
    ("The the talks resume.", "The talks resume."),  # a deletion
    ("Talks resume.", ""),  # the whole sentence removed
    ("", "Talks resume."),
])
def test_a_decision_is_written_back_as_the_words_it_changes(before, after):
    """What the export writes into a wire file's markup: the edits of the words that changed,
    which together make exactly the editor's sentence."""
    from mtcheck.changes import Change, apply_changes
    from mtcheck.review.export import narrowed

    text = f"Headline\n\n{before}\n\nMore text.\n"
    change = Change(10, 10 + len(before), before, after, "rule-fix")
    pieces = narrowed(change)
    assert apply_changes(text, pieces) == apply_changes(text, [change]) == text[:10] + after + text[10 + len(before):]
    assert all(p.original == text[p.start:p.end] for p in pieces)
    if before and after:
        assert sum(p.end - p.start for p in pieces) < len(before)  # never the whole sentence
