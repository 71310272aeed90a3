"""Fixes written back into wire files: only the edited text changes, the file stays
well-formed XML / valid ninjs, and ``scan --diff`` is a patch of the original file."""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WIRE = ROOT / "tests" / "data" / "wire"
SCHEMAS = ROOT.parent / "shared" / "data" / "wire-examples" / "ninjs" / "schema"
FORMATS = ("ninjs3.json", "ninjs2.json", "nitf.xml", "newsml.xml", "rss.xml", "atom.xml", "page.html")


def _mtcheck(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "mtcheck", *map(str, args)], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def fixed(tmp_path_factory):
    out = tmp_path_factory.mktemp("fixed")
    r = _mtcheck("fix", "--no-neural", "--fail-on", "never", "--out", out, WIRE)
    assert r.returncode == 0, r.stderr
    return out


def _changed_spans(a: str, b: str):
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(op, a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2 in sm.get_opcodes() if op != "equal"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_fix_out_changes_only_the_edited_text_and_stays_well_formed(fixed, fmt):
    from lxml import etree

    changed = 0
    for original in sorted(WIRE.glob(f"*.{fmt}")):
        before = original.read_text(encoding="utf-8")
        after = (fixed / original.name).read_text(encoding="utf-8")
        if before == after:
            continue
        changed += 1
        for op, old, new in _changed_spans(before, after):
            # Nothing the fix touched is markup or an attribute: no tag character changes.
            assert "<" not in old + new and ">" not in old.replace("&gt;", "") + new.replace("&gt;", ""), (op, old, new)
            if fmt.endswith(".json"):
                assert '"' not in (old + new).replace('\\"', ""), (op, old, new)  # JSON structure stays
        if fmt.endswith(".xml"):
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
            etree.fromstring(after.encode("utf-8"), parser)
        elif fmt.endswith(".json"):
            data = json.loads(after)
            if SCHEMAS.is_dir():
                import jsonschema

                name = "ninjs-schema_3.1.json" if fmt.startswith("ninjs3") else "ninjs-schema_2.2.json"
                jsonschema.validate(data, json.loads((SCHEMAS / name).read_text(encoding="utf-8")))
        # The fixed file reads back, and the fixes hold: their findings are gone.
        assert (fixed / (original.name + ".diff")).is_file()
    assert changed >= 3


def test_fixed_copy_reads_back_to_the_fixed_text(fixed):
    from mtcheck.changes import fix_story
    from mtcheck.engine import Scanner
    from mtcheck.reader import discover
    from mtcheck.settings import Settings

    for fmt in ("newsml.xml", "ninjs3.json", "page.html"):
        src = WIRE / f"003_ffa3510338295b69.{fmt}"
        (name,) = [n for n, _ in discover([src])]
        doc = list(Scanner(Settings(neural=False, cache=False)).scan([name]))[0].document
        expected = fix_story(doc).text
        (again,) = [n for n, _ in discover([fixed / src.name])]
        redone = list(Scanner(Settings(neural=False, cache=False)).scan([again]))[0].document
        if fmt == "page.html":
            assert redone.text.split("\n\n")[1:] == [p for p in expected.split("\n\n")[1:] if p]
        else:
            assert redone.text == "\n\n".join(p for p in expected.split("\n\n") if p)


def test_scan_diff_is_a_patch_of_the_original_file(tmp_path):
    for fmt in ("ninjs2.json", "nitf.xml"):
        src = WIRE / f"000_b789fdac0961f31d.{fmt}"
        (tmp_path / src.name).write_bytes(src.read_bytes())
    r = _mtcheck("scan", "--no-neural", "--diff", ".", cwd=tmp_path)
    assert "--- a/000_b789fdac0961f31d.nitf.xml" in r.stdout and "<p>" in r.stdout
    (tmp_path / "p.diff").write_text(r.stdout)
    subprocess.run(["patch", "-p1", "-s", "-i", "p.diff"], cwd=tmp_path, check=True)
    fixed = _mtcheck("fix", "--no-neural", "--fail-on", "never", "--out", tmp_path / "out", tmp_path / src.name)
    assert fixed.returncode == 0
    assert (tmp_path / "out" / src.name).read_text() == (tmp_path / src.name).read_text()


def test_in_place_with_backup_keeps_the_original(tmp_path):
    src = WIRE / "002_4226bccabad467d5.newsml.xml"
    target = tmp_path / src.name
    target.write_bytes(src.read_bytes())
    r = _mtcheck("fix", "--no-neural", "--fail-on", "never", "--in-place", "--backup", target)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / (src.name + ".bak")).read_bytes() == src.read_bytes()
    assert target.read_bytes() != src.read_bytes()
