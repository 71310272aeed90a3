"""A mixed inbox of wire files through the gate: every file placed once, with one audit
record; malformed ones rejected with the reason naming the problem."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIRE = ROOT / "tests" / "data" / "wire"

MALFORMED = {
    "bad-json.json": ('{"uri": "x", "headlines": [', "malformed JSON"),
    "bad-xml.xml": ('<?xml version="1.0"?><newsItem><contentMeta><headline>A</headline>', "malformed XML"),
    "xxe.xml": ('<?xml version="1.0"?><!DOCTYPE n [<!ENTITY e SYSTEM "file:///etc/passwd">]><nitf><body>&e;</body></nitf>',
                "not allowed"),
    "no-article.html": ("<!DOCTYPE html><html><head><title>x</title></head><body><script>1</script></body></html>", "no article"),
    "broken-item.rss": ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><link>http://x</link></item>'
                        "</channel></rss>", "neither a title nor a description"),
}


def test_a_mixed_inbox_of_200_wire_files(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sources = sorted(WIRE.iterdir()) + sorted((ROOT / "seeds").glob("*.txt"))
    names = []
    for n in range(200 - len(MALFORMED)):
        src = sources[n % len(sources)]
        name = f"{n:03d}-{src.name}"
        (inbox / name).write_bytes(src.read_bytes())
        names.append(name)
    for name, (content, _) in MALFORMED.items():
        (inbox / name).write_text(content)
        names.append(name)
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "mtcheck", "gate", "--no-neural", str(inbox), "--accepted", str(out / "a"),
                        "--review", str(out / "v"), "--rejected", str(out / "r")], capture_output=True, text=True)
    assert "Traceback" not in r.stderr
    audit = [json.loads(line) for line in (inbox / ".mtcheck-gate" / "gate.log.jsonl").read_text().splitlines()]
    by_source = {}
    for rec in audit:
        assert rec["source"] not in by_source, f"{rec['source']} recorded twice"
        by_source[rec["source"]] = rec
    assert sorted(by_source) == sorted(names)
    placed = sorted(p.name for p in out.rglob("*") if p.is_file() and not p.name.endswith(".mtcheck.json"))
    assert placed == sorted(names)  # each once, nothing left behind or copied twice
    assert not [p for p in inbox.iterdir() if p.name != ".mtcheck-gate"]
    for name, (_, problem) in MALFORMED.items():
        rec = by_source[name]
        assert rec["verdict"] == "rejected", rec
        assert any(problem in reason.get("message", "") for reason in rec["reasons"]), rec["reasons"]
    # Wire items are judged on their text, not their markup: the first copy of the fair seed
    # (001) in every format gets the plain seed's verdict (later copies are duplicates).
    first = [by_source[n] for n in names[:len(sources)] if "001_6dfbf46b29b8d6d9" in n]
    plain = next(r for r in first if r["source"].endswith(".txt"))
    assert len(first) == 8 and {r["verdict"] for r in first} == {plain["verdict"]}, [(r["source"], r["verdict"]) for r in first]
    assert sum(r["decided_by"] == "duplicate" for r in audit) >= 100


def test_killed_gate_with_wire_files_and_verdicts_written_in_places_each_once(tmp_path):
    """The gate's crash hook (``MTCHECK_GATE_CRASH_AFTER=N``: SIGKILL at the Nth durable step)
    with wire files in the inbox and ``--write-verdict``: after every kill each file is in one
    place, and after a clean re-run each has one audit record and its stamped item parses
    (ninjs valid against its schema)."""
    import random
    import signal

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    seeds = sorted((ROOT / "seeds").glob("*.txt"))[:2]
    names = []
    for seed in seeds:
        for fmt in ("ninjs3.json", "ninjs2.json", "newsml.xml", "nitf.xml", "rss.xml", "page.html"):
            src = WIRE / f"{seed.stem}.{fmt}"
            (inbox / src.name).write_bytes(src.read_bytes())
            names.append(src.name)
    (inbox / "bad.json").write_text('{"uri": "x", "headlines": [')
    names.append("bad.json")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "mtcheck", "gate", "--no-neural", "--ignore", "entity", "--write-verdict", str(inbox)]
    for v in ("accepted", "review", "rejected"):
        cmd += [f"--{v}", str(out / v)]

    def places() -> dict[str, list[str]]:
        where: dict[str, list[str]] = {}
        for folder in [inbox, *(out / v for v in ("accepted", "review", "rejected"))]:
            if folder.exists():
                for p in folder.iterdir():
                    if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".mtcheck.json"):
                        where.setdefault(p.name, []).append(folder.name)
        return where

    points = list(range(1, 13))
    random.Random(12).shuffle(points)
    for point in points[:6]:
        r = subprocess.run(cmd, env={**os.environ, "MTCHECK_GATE_CRASH_AFTER": str(point)},
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == -signal.SIGKILL, (r.returncode, r.stderr[-500:])
        where = places()
        assert sorted(where) == sorted(names) and all(len(p) == 1 for p in where.values()), where
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in r.stderr
    where = places()
    assert sorted(where) == sorted(names) and all(p[0] in ("accepted", "review", "rejected") for p in where.values()), where
    audit = [json.loads(line) for line in (inbox / ".mtcheck-gate" / "gate.log.jsonl").read_text().splitlines() if line.strip()]
    assert sorted(rec["source"] for rec in audit) == sorted(names)
    assert where["bad.json"] == ["rejected"]
    import jsonschema
    from lxml import etree

    schemas = ROOT.parent / "shared" / "data" / "wire-examples" / "ninjs" / "schema"
    for name, (verdict,) in where.items():
        placed = out / verdict / name
        if name.endswith(".ninjs3.json") or name.endswith(".ninjs2.json"):
            data = json.loads(placed.read_text(encoding="utf-8"))
            assert data.get("pubStatus", data.get("pubstatus")) in ("usable", "withheld")
            if schemas.is_dir():
                schema = "ninjs-schema_3.1.json" if name.endswith("ninjs3.json") else "ninjs-schema_2.2.json"
                jsonschema.validate(data, json.loads((schemas / schema).read_text(encoding="utf-8")))
        elif name.endswith(".xml"):
            etree.fromstring(placed.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
