"""Wire copy from the command line: ``scan -`` (a story on standard input), the summary of
files ``scan`` left out, ``gate --write-verdict`` (the verdict recorded inside ninjs and
NewsML-G2 items), and files of several stories judged item by item."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WIRE = ROOT / "tests" / "data" / "wire"
SCHEMAS = ROOT.parent / "shared" / "data" / "wire-examples" / "ninjs" / "schema"
SEED = "003_ffa3510338295b69"


def _mtcheck(*args, stdin: bytes | None = None, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "mtcheck", *map(str, args)], input=stdin, capture_output=True, cwd=cwd,
                          env={**os.environ, **(env or {})})


def _findings(stdout: bytes) -> list:
    report = json.loads(stdout)
    return [(f["path"], sorted((x["rule"], x["start"], x["end"], x["line"], x["col"], x.get("byte")) for x in f["findings"]))
            for f in report["files"]]


# -- scan - ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,stdin_format", [("ninjs3.json", "ninjs"), ("ninjs2.json", "auto"), ("newsml.xml", "newsml"),
                                              ("nitf.xml", "nitf"), ("rss.xml", "rss"), ("atom.xml", "atom"),
                                              ("page.html", "html")])
def test_a_wire_story_on_stdin_gives_the_findings_of_the_file(fmt, stdin_format):
    path = WIRE / f"{SEED}.{fmt}"
    from_file = _mtcheck("scan", "--no-neural", "--format", "json", path)
    from_stdin = _mtcheck("scan", "--no-neural", "--format", "json", "-", "--stdin-format", stdin_format,
                          "--stdin-filename", path, stdin=path.read_bytes())
    assert from_stdin.returncode == from_file.returncode, from_stdin.stderr
    found = _findings(from_stdin.stdout)
    assert found == _findings(from_file.stdout)
    assert found[0][1], "the seed has findings: the comparison must not be of two empty lists"


def test_plain_text_on_stdin_is_reported_as_a_file_would_be(tmp_path):
    seed = next((ROOT / "seeds").glob(f"{SEED}*.txt"))
    from_file = _mtcheck("scan", "--no-neural", seed)
    from_stdin = _mtcheck("scan", "--no-neural", "-", "--stdin-format", "plain", stdin=seed.read_bytes())
    assert from_stdin.returncode == from_file.returncode == 1
    lines = from_stdin.stdout.decode().splitlines()
    assert lines and all(line.startswith("-:") for line in lines[:-2] if line.strip() and ":" in line[:3])
    # The same findings, only the name differs.
    assert from_stdin.stdout.decode().replace("-:", "@:") == from_file.stdout.decode().replace(f"{seed}:", "@:")


@pytest.mark.parametrize("data,fmt,message", [
    (b"", "auto", "standard input is empty"),
    (bytes(range(256)) * 4, "auto", "binary"),
    (b'{"uri": "x", "headlines": [', "auto", "malformed JSON"),
    (b"just words", "ninjs", "malformed JSON"),
    (b"<newsItem><contentMeta>", "newsml", "malformed XML"),
])
def test_bad_stdin_is_one_line_and_exit_2(data, fmt, message):
    r = _mtcheck("scan", "--no-neural", "-", "--stdin-format", fmt, stdin=data)
    err = r.stderr.decode()
    assert r.returncode == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_stdin_options_need_the_dash_and_the_dash_stands_alone(tmp_path):
    assert _mtcheck("scan", "--stdin-format", "ninjs", WIRE).returncode == 2
    r = _mtcheck("scan", "-", WIRE, stdin=b"text")
    assert r.returncode == 2 and b"cannot be combined" in r.stderr


# -- files scan left out -----------------------------------------------------------------------

def _folder(tmp_path: Path) -> Path:
    wire = tmp_path / "wire"
    (wire / ".git").mkdir(parents=True)
    for p in WIRE.glob(f"{SEED}.*"):
        (wire / p.name).write_bytes(p.read_bytes())
    (wire / "settings.json").write_text('{"theme": "dark"}')
    (wire / "catalog.xml").write_text('<?xml version="1.0"?><catalog/>')
    (wire / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (wire / "story.txt.mtcheck.json").write_text("{}")
    return wire


def test_scan_says_how_many_files_it_skipped_and_why(tmp_path):
    wire = _folder(tmp_path)
    r = _mtcheck("scan", "--no-neural", "--fail-on", "never", wire)
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stderr.decode().splitlines() if "skipped" in line]
    assert lines == [f"mtcheck: 4 files skipped under {wire} (2 not a story format, 1 mtcheck report, "
                     f"1 not a story type); --verbose lists them"]
    report = _mtcheck("scan", "--no-neural", "--format", "json", wire)
    assert len(json.loads(report.stdout)["files"]) == 7  # the seed in each format, nothing else


def test_verbose_lists_each_skipped_file_with_its_reason(tmp_path):
    wire = _folder(tmp_path)
    r = _mtcheck("scan", "--no-neural", "--fail-on", "never", "--verbose", wire)
    listed = {line.split(": ", 2)[1].removeprefix("skipped "): line.split(": ", 2)[2]
              for line in r.stderr.decode().splitlines() if line.startswith("mtcheck: skipped ")}
    assert set(listed) == {str(wire / n) for n in ("settings.json", "catalog.xml", "photo.jpg", "story.txt.mtcheck.json", ".git")}
    assert "ninjs" in listed[str(wire / "settings.json")]
    assert "<catalog>" in listed[str(wire / "catalog.xml")]
    assert "*.jpg" in listed[str(wire / "photo.jpg")]
    assert listed[str(wire / ".git")] == "hidden folder"


def test_nothing_skipped_says_nothing(tmp_path):
    wire = tmp_path / "w"
    wire.mkdir()
    (wire / "a.ninjs.json").write_bytes((WIRE / f"{SEED}.ninjs3.json").read_bytes())
    r = _mtcheck("scan", "--no-neural", "--fail-on", "never", wire)
    assert b"skipped" not in r.stderr


# -- gate --write-verdict ---------------------------------------------------------------------

def _gate(root: Path, *extra, env=None):
    return _mtcheck("gate", "--no-neural", "--ignore", "entity", root / "inbox", "--accepted", root / "a", "--review",
                    root / "v", "--rejected", root / "r", "--format", "json", *extra, env=env)


def _inserted_only(before: str, after: str) -> list[str]:
    """The text ``after`` adds to ``before``; fails if anything of ``before`` was replaced
    other than a pubStatus value."""
    import re

    statuses = [m.span() for m in re.finditer(r"usable|withheld|canceled", before)]
    added = []
    sm = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "insert":
            added.append(after[j1:j2])
        elif op != "equal":
            assert any(s0 <= i1 and i2 <= s1 for s0, s1 in statuses), (op, before[i1:i2], after[j1:j2])
            added.append(after[j1:j2])
    return added


@pytest.mark.parametrize("fmt,status_key,note_key", [("ninjs3.json", "pubStatus", "edNote"),
                                                     ("ninjs2.json", "pubstatus", "ednote")])
def test_write_verdict_into_ninjs_changes_nothing_else_and_validates(tmp_path, fmt, status_key, note_key):
    (tmp_path / "inbox").mkdir()
    src = WIRE / f"{SEED}.{fmt}"
    (tmp_path / "inbox" / src.name).write_bytes(src.read_bytes())
    os.chmod(tmp_path / "inbox" / src.name, 0o640)
    r = _gate(tmp_path, "--write-verdict")
    assert r.returncode == 1, r.stderr
    story = json.loads(r.stdout)["stories"][0]
    placed = Path(story["dest"])
    assert story["verdict"] == "review" and placed.parent.name == "v"
    before, after = src.read_text(encoding="utf-8"), placed.read_text(encoding="utf-8")
    added = "".join(_inserted_only(before, after))
    assert f'"{status_key}": "withheld"' in added and f'"{note_key}": "mtcheck gate: review: ' in added
    data = json.loads(after)
    assert data[status_key] == "withheld" and data[note_key].startswith("mtcheck gate: review: ")
    assert {k: v for k, v in data.items() if k not in (status_key, note_key)} == json.loads(before)
    assert (placed.stat().st_mode & 0o777) == 0o640  # the file's mode kept
    rec = json.loads((tmp_path / "inbox" / ".mtcheck-gate" / "gate.log.jsonl").read_text())
    assert rec["hash"] == "sha256:" + hashlib.sha256(src.read_bytes()).hexdigest()  # the inbox bytes judged
    assert rec["placed_hash"] == "sha256:" + hashlib.sha256(placed.read_bytes()).hexdigest()
    if SCHEMAS.is_dir():
        import jsonschema

        schema = json.loads((SCHEMAS / ("ninjs-schema_3.1.json" if fmt == "ninjs3.json" else "ninjs-schema_2.2.json"))
                            .read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)


def test_write_verdict_into_newsml_keeps_schema_order_and_is_well_formed(tmp_path):
    from lxml import etree

    (tmp_path / "inbox").mkdir()
    src = WIRE / f"{SEED}.newsml.xml"
    (tmp_path / "inbox" / src.name).write_bytes(src.read_bytes())
    r = _gate(tmp_path, "--write-verdict")
    placed = Path(json.loads(r.stdout)["stories"][0]["dest"])
    before, after = src.read_text(encoding="utf-8"), placed.read_text(encoding="utf-8")
    _inserted_only(before, after)  # nothing but the status value replaced
    assert after.replace("stat:withheld", "stat:usable").replace(_ednote(after), "") == before
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    root = etree.fromstring(after.encode("utf-8"), parser)
    meta = next(e for e in root.iter() if etree.QName(e).localname == "itemMeta")
    names = [etree.QName(c).localname for c in meta if isinstance(c.tag, str)]
    from mtcheck.readers.newsml import _ITEM_META_ORDER

    ranks = [_ITEM_META_ORDER.index(n) for n in names if n in _ITEM_META_ORDER]
    assert ranks == sorted(ranks), names
    status = [c for c in meta if etree.QName(c).localname == "pubStatus"]
    assert len(status) == 1 and status[0].get("qcode") == "stat:withheld"


def _ednote(text: str) -> str:
    """The edNote element the gate inserted, with the line break and indentation before it."""
    start = text.index("<edNote>mtcheck gate: review: ")
    start = text.rindex("\n", 0, start)
    return text[start:text.index("</edNote>", start) + len("</edNote>")]


def test_an_accepted_item_is_marked_usable_without_a_note(tmp_path):
    from mtcheck.gate.stamp import stamped_bytes

    src = (WIRE / f"{SEED}.ninjs3.json").read_bytes()
    out = json.loads(stamped_bytes(src, "x.json", [[None, "accepted", None]]))
    assert out["pubStatus"] == "usable" and "edNote" not in out
    # A provider's note is kept; a second verdict replaces the gate's own note, not the provider's.
    data = json.loads(src)
    data["edNote"] = "Embargoed until 10:00."
    with_note = json.dumps(data, indent=2).encode()
    once = stamped_bytes(with_note, "x.json", [[None, "review", "mtcheck gate: review: a"]])
    twice = json.loads(stamped_bytes(once, "x.json", [[None, "rejected", "mtcheck gate: rejected: b"]]))
    assert twice["edNote"] == "Embargoed until 10:00.\nmtcheck gate: rejected: b"


def test_a_second_verdict_replaces_the_gates_newsml_note_and_keeps_the_providers():
    from lxml import etree

    from mtcheck.gate.stamp import stamped_bytes

    src = (WIRE / f"{SEED}.newsml.xml").read_text(encoding="utf-8")
    meta_end = src.index("</itemMeta>")
    with_note = (src[:meta_end] + "<edNote>Embargoed until 10:00.</edNote>" + src[meta_end:]).encode("utf-8")
    once = stamped_bytes(with_note, "x.xml", [[None, "review", "mtcheck gate: review: a"]])
    twice = stamped_bytes(once, "x.xml", [[None, "rejected", "mtcheck gate: rejected: b"]])
    root = etree.fromstring(twice, etree.XMLParser(resolve_entities=False, no_network=True))
    notes = [e.text for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "edNote"]
    assert notes == ["Embargoed until 10:00.", "mtcheck gate: rejected: b"]
    # stamping the same verdict again changes nothing
    assert stamped_bytes(twice, "x.xml", [[None, "rejected", "mtcheck gate: rejected: b"]]) == twice


def test_write_verdict_leaves_plain_text_and_other_formats_as_they_are(tmp_path):
    (tmp_path / "inbox").mkdir()
    for fmt in ("nitf.xml", "rss.xml", "page.html"):
        (tmp_path / "inbox" / f"{SEED}.{fmt}").write_bytes((WIRE / f"{SEED}.{fmt}").read_bytes())
    r = _gate(tmp_path, "--write-verdict")
    for story in json.loads(r.stdout)["stories"]:
        name = Path(story["dest"]).name
        assert Path(story["dest"]).read_bytes() == (WIRE / name).read_bytes()


# -- files of several stories -------------------------------------------------------------------

def _feed(path: Path, seeds: list[str]) -> None:
    """An RSS feed holding the item of each seed's RSS fixture."""
    items = []
    for s in seeds:
        t = (WIRE / f"{s}.rss.xml").read_text(encoding="utf-8")
        items.append(t[t.index("<item>"):t.index("</item>") + len("</item>")])
    t = (WIRE / f"{seeds[0]}.rss.xml").read_text(encoding="utf-8")
    path.write_text(t[:t.index("<item>")] + "\n".join(items) + t[t.index("</item>") + len("</item>"):], encoding="utf-8")


def _news_message(path: Path, seeds: list[str]) -> None:
    """A NewsML-G2 newsMessage conveying the news item of each seed's NewsML fixture."""
    items = []
    for s in seeds:
        t = (WIRE / f"{s}.newsml.xml").read_text(encoding="utf-8")
        t = t[t.index("<newsItem"):]
        items.append(t[:t.rindex("</newsItem>") + len("</newsItem>")])
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">\n'
                    "  <header><sent>2018-02-14T10:00:00Z</sent></header>\n  <itemSet>\n" + "\n".join(items)
                    + "\n  </itemSet>\n</newsMessage>\n", encoding="utf-8")


CLEAN = "Talks in Geneva\n\nThe delegations met in Geneva on Monday. The talks will continue in March.\n"


def test_check_judges_each_item_of_a_feed_and_a_news_message(tmp_path):
    _feed(tmp_path / "feed.rss", ["000_b789fdac0961f31d", SEED])
    _news_message(tmp_path / "message.xml", ["001_6dfbf46b29b8d6d9", SEED])
    r = _mtcheck("gate", "--no-neural", "--check", "--format", "json", tmp_path)
    rows = {s["path"]: s for s in json.loads(r.stdout)["stories"]}
    assert sorted(rows) == sorted([f"{tmp_path}/feed.rss#item-1", f"{tmp_path}/feed.rss#item-2",
                                   f"{tmp_path}/message.xml#item-1", f"{tmp_path}/message.xml#item-2"])
    for name, row in rows.items():
        assert row["verdict"] in ("review", "rejected") and row["reasons"], row  # the seeds are damaged
    # Each item judged on its own text: the same verdict as the same seed in its own file.
    single = _mtcheck("gate", "--no-neural", "--check", "--format", "json", WIRE / f"{SEED}.rss.xml")
    assert rows[f"{tmp_path}/feed.rss#item-2"]["verdict"] == json.loads(single.stdout)["stories"][0]["verdict"]


def test_the_inbox_gate_places_a_file_of_several_once_by_its_worst_item(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _feed(inbox / "feed.rss", ["000_b789fdac0961f31d", SEED])
    _news_message(inbox / "message.xml", ["001_6dfbf46b29b8d6d9", SEED])
    r = _gate(tmp_path, "--write-verdict")
    assert "Traceback" not in r.stderr.decode()
    stories = {s["source"]: s for s in json.loads(r.stdout)["stories"]}
    assert sorted(stories) == ["feed.rss", "message.xml"]
    audit = [json.loads(line) for line in (inbox / ".mtcheck-gate" / "gate.log.jsonl").read_text().splitlines()]
    assert Counter(rec["source"] for rec in audit) == Counter({"feed.rss": 1, "message.xml": 1})
    severity = {"accepted": 0, "review": 1, "rejected": 2}
    for rec in audit:
        assert [i["item"] for i in rec["items"]] == [1, 2]
        assert rec["verdict"] == max((i["verdict"] for i in rec["items"]), key=severity.get)
        assert [i["name"] for i in rec["items"]] == [f"{rec['source']}#item-1", f"{rec['source']}#item-2"]
        report = json.loads(Path(rec["report"]).read_text())
        assert [i["verdict"] for i in report["items"]] == [i["verdict"] for i in rec["items"]]
        assert all(i["findings"] for i in report["items"])
    placed = sorted(p.name for p in tmp_path.rglob("*") if p.is_file() and ".mtcheck" not in p.name and "inbox" not in p.parts)
    assert placed == ["feed.rss", "message.xml"]
    # Each news item of the message carries its own verdict.
    from lxml import etree

    message = Path(stories["message.xml"]["dest"])
    root = etree.fromstring(message.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
    ns = {"g": "http://iptc.org/std/nar/2006-10-01/"}
    items = root.findall(".//g:newsItem", ns)
    by_item = {i["item"]: i["verdict"] for i in next(rec for rec in audit if rec["source"] == "message.xml")["items"]}
    for n, item in enumerate(items, 1):
        status = item.findall("g:itemMeta/g:pubStatus", ns)
        assert len(status) == 1 and status[0].get("qcode") == ("stat:usable" if by_item[n] == "accepted" else "stat:withheld")
        notes = [e.text for e in item.findall("g:itemMeta/g:edNote", ns)]
        assert any(t.startswith(f"mtcheck gate: {by_item[n]}") for t in notes)


def test_a_killed_write_verdict_gate_places_every_wire_file_once(tmp_path):
    """SIGKILLed at each step of placing stamped files, then run again: every file in one
    folder, one audit record each, the placed bytes those the record names."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for fmt in ("ninjs3.json", "ninjs2.json", "newsml.xml", "rss.xml"):
        for s in ("000_b789fdac0961f31d", "001_6dfbf46b29b8d6d9"):
            (inbox / f"{s}.{fmt}").write_bytes((WIRE / f"{s}.{fmt}").read_bytes())
    _feed(inbox / "feed.rss", ["000_b789fdac0961f31d", SEED])
    names = sorted(p.name for p in inbox.iterdir())
    steps = []
    for point in (3, 1, 4, 2, 5, 6, 7):
        r = _gate(tmp_path, "--write-verdict", env={"MTCHECK_GATE_CRASH_AFTER": str(point)})
        if r.returncode == -signal.SIGKILL:
            steps.append(r.stderr.decode().rsplit("(", 1)[-1].strip(" )\n"))
        found = [p.name for p in tmp_path.rglob("*") if p.is_file() and not p.name.startswith(".")
                 and ".mtcheck" not in p.name and ".mtcheck-gate" not in p.parts]
        assert sorted(set(found)) == names and len(found) <= len(names) + 1, found  # at most one in two places mid-copy
    assert {"copied", "copy-placed", "source-removed"} <= set(steps), steps
    r = _gate(tmp_path, "--write-verdict")
    assert r.returncode == 1, r.stderr
    audit = [json.loads(line) for line in (inbox / ".mtcheck-gate" / "gate.log.jsonl").read_text().splitlines()]
    assert Counter(rec["source"] for rec in audit) == Counter({n: 1 for n in names})
    assert not [p for p in inbox.iterdir() if p.name != ".mtcheck-gate"]
    for rec in audit:
        placed = Path(rec["dest"])
        digest = "sha256:" + hashlib.sha256(placed.read_bytes()).hexdigest()
        assert digest == rec.get("placed_hash", rec["hash"]), rec["source"]
        if rec["source"].endswith(".json"):
            assert "placed_hash" in rec and digest != rec["hash"]  # the verdict was written in
    assert not [p for p in tmp_path.rglob(".*") if ".mtcheck-gate" not in p.parts and p.name != ".mtcheck-gate"]


EXAMPLES = ROOT.parent / "shared" / "data" / "wire-examples" / "ninjs"


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="../shared/data/wire-examples is absent")
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")) if EXAMPLES.is_dir() else [], ids=lambda p: p.name)
def test_every_iptc_ninjs_example_with_a_verdict_still_validates(path):
    import jsonschema

    from mtcheck.gate.stamp import stamped_bytes

    version = {"1": "1.6", "2": "2.2", "3": "3.1"}[path.name.split("-")[1][0]]
    schema = json.loads((EXAMPLES / "schema" / f"ninjs-schema_{version}.json").read_text(encoding="utf-8"))
    before = json.loads(path.read_bytes())
    for verdict, note in (("review", "mtcheck gate: review: 4 warning findings"), ("accepted", None)):
        after = json.loads(stamped_bytes(path.read_bytes(), str(path), [[None, verdict, note]]))
        jsonschema.validate(after, schema)
        status = after.get("pubStatus", after.get("pubstatus"))
        assert status == ("withheld" if note else "usable")
        assert {k: v for k, v in after.items() if k.lower() not in ("pubstatus", "ednote")} == \
            {k: v for k, v in before.items() if k.lower() not in ("pubstatus", "ednote")}
