"""Wire formats in: IPTC's own examples read with their headline and body, the seed stories
in every format giving the plain seed's findings at the right places of the original file."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

from mtcheck import readers
from mtcheck.engine import Scanner
from mtcheck.reader import InputError, discover, read_document, skipped_files
from mtcheck.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
WIRE = ROOT / "tests" / "data" / "wire"
EXAMPLES = ROOT.parent / "shared" / "data" / "wire-examples"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
FORMATS = ("ninjs3.json", "ninjs2.json", "nitf.xml", "newsml.xml", "rss.xml", "atom.xml", "page.html")

needs_examples = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="../shared/data/wire-examples is absent")


def _examples(sub: str) -> list[Path]:
    return sorted((EXAMPLES / sub).glob("*.json" if sub == "ninjs" else "*.xml")) if EXAMPLES.is_dir() else []


def _check(docs, tmp_path):
    scanner = Scanner(Settings(neural=False, cache=False))
    return [scanner.scan_text(d.text, path=str(tmp_path / "plain.txt")) for d in docs]


# What each IPTC example holds: the headline and the start of the body (None: it has none).
EXPECTED = {
    "ninjs-1.6-001_simple_example.json": ("Captain of wrecked cruise ship on trial in Italy", "GROSSETO, Italy (AP)"),
    "ninjs-2.1-dpa_text.json": ("Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?", "Für Lucien Favre war"),
    "LISTING_1_A_NewsML-G2_News_Item.xml": ('Fed to halt QE to avert "bubble"', None),
    "LISTING_2_NewsML-G2_Text_Document.xml": ('Fed to halt QE to avert "bubble"', "(New York, NY - October 21)"),
    "LISTING_22_Sports_story_in_NewsML-G2NITF.xml": ("Preview: Arizona Diamondbacks (29-23) at Philadelphia Phillies",
                                                     "(Sports Network) - A pair of teams"),
    "LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml": ("Arizona Diamondbacks (29-23) at Philadelphia",
                                                                       "(Sports Network) - With the Philadelphia"),
    "LISTING_28_Illustrating_Located_Subject_and_Dateline.xml": ("MOSCOW, Monday (Reuters)", None),
}


@needs_examples
@pytest.mark.parametrize("path", _examples("ninjs") + _examples("newsml-g2"), ids=lambda p: p.name)
def test_every_iptc_example_is_read_with_its_headline_and_body(path, tmp_path):
    if path.name.startswith("LISTING_24"):
        # The news message's four items are placeholders ("....."): one clear error each.
        names = [n for n, _ in discover([path])]
        assert names == [f"{path}#item-{i}" for i in range(1, 5)]
        for n in names:
            with pytest.raises(InputError, match="holds no story text"):
                read_document(n)
        return
    doc = read_document(str(path))
    assert doc.source is not None and doc.source.format in ("ninjs", "newsml")
    head, body = EXPECTED.get(path.name, EXPECTED["ninjs-1.6-001_simple_example.json"] if path.suffix == ".json" else (None, None))
    parts = {p["kind"]: doc.text[p["start"]:p["end"]] for p in reversed(doc.source.parts)}
    assert doc.text.split("\n\n")[0].startswith(head)
    if body is not None:
        assert any(p["kind"] == "body" and doc.text[p["start"]:].startswith(body) for p in doc.source.parts), parts
    # No markup, no entity, no JSON escape ever reaches the checked text.
    assert "<" not in doc.text and "&quot;" not in doc.text and "\\n" not in doc.text
    # Every part points at its own text in the original file.
    original = path.read_text(encoding="utf-8")
    for p in doc.source.parts:
        s0 = doc.source.source_offset(p["start"])
        first_word = doc.text[p["start"]:p["end"]].split()[0]
        assert unescape(original[s0:s0 + len(first_word) + 10]).startswith(first_word)
    # No more findings than the same text as plain text.
    wire = Scanner(Settings(neural=False, cache=False))
    checked = list(wire.scan([str(path)]))[0].document
    (tmp_path / "same.txt").write_text(doc.text, encoding="utf-8")
    plain = list(wire.scan([str(tmp_path / "same.txt")]))[0].document
    assert len(checked.findings) <= len(plain.findings)
    assert not any(f.code == "X203" for f in checked.findings)


def _findings(path: str) -> collections.Counter:
    """The findings of a story by rule and text, those about page furniture the extractor left
    out of the checked text (no plain seed has them) apart: see the furniture tests."""
    result = list(Scanner(Settings(neural=False, cache=False)).scan([path]))
    assert len(result) == 1 and result[0].error is None, result[0].error
    return collections.Counter((f.code, " ".join(f.text.split())) for f in result[0].document.findings
                               if "outside" not in f.data)


def _names(path: Path) -> list[str]:
    return [n for n, _ in discover([path])]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_each_seed_in_each_format_gives_the_plain_seeds_findings(seed, fmt):
    path = WIRE / f"{seed.stem}.{fmt}"
    (name,) = _names(path)
    wire, plain = _findings(name), _findings(str(seed))
    if fmt == "page.html":
        # The extractor drops a headline printed twice on the page (it is page furniture):
        # the duplicate-title finding goes with it, nothing else may.
        assert not wire - plain
        assert set((plain - wire).keys()) <= {k for k in plain if k[0] == "B106"}
    else:
        assert wire == plain


@pytest.mark.parametrize("fmt", FORMATS)
def test_positions_point_at_the_findings_text_in_the_original_file(fmt):
    checked = 0
    for seed in SEEDS:
        path = WIRE / f"{seed.stem}.{fmt}"
        (name,) = _names(path)
        doc = list(Scanner(Settings(neural=False, cache=False)).scan([name]))[0].document
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        lines = text.splitlines(keepends=True)
        for f in doc.findings:
            if "\n\n" in doc.text[f.start:f.end] or not f.text.strip():
                continue  # spans two parts: no single place in the file
            byte = doc.source.original_byte(f.start)
            end_byte = doc.source.original_byte(f.end) if f.end > f.start else byte
            original = raw[byte:max(end_byte, doc.source.original_byte(f.end - 1) + 1)].decode("utf-8", errors="replace")
            if fmt.endswith("json"):
                original = json.loads(f'"{original}"') if original.count('"') == original.count('\\"') else original
            original = unescape(unescape(original))
            assert " ".join(original.split()).startswith(" ".join(f.text.split())[:20]), (f.code, f.text, original)
            line, col = doc.line_col(f.start)
            assert "".join(lines[line - 1:])[col - 1:].encode("utf-8")[:1] == raw[byte:byte + 1]
            checked += 1
    assert checked > 20


def test_content_decides_the_format_not_the_name(tmp_path):
    page = tmp_path / "story.txt"
    page.write_bytes((WIRE / f"{SEEDS[0].stem}.page.html").read_bytes())
    item = tmp_path / "item.xml"
    item.write_bytes((WIRE / f"{SEEDS[0].stem}.newsml.xml").read_bytes())
    assert read_document(str(page)).source.format == "html"
    assert read_document(str(item)).source.format == "newsml"
    assert "cookies" not in read_document(str(page)).text


def test_a_feed_yields_one_story_per_item_named_by_number(tmp_path):
    items = "".join(f"<item><title>Story {i} about the defense Ministry</title><description>&lt;p&gt;The SDS fighters "
                    f"attacked {i}.&lt;/p&gt;</description></item>" for i in range(1, 4))
    feed = tmp_path / "feed.rss"
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>')
    names = _names(feed)
    assert names == [f"{feed}#item-{i}" for i in range(1, 4)]
    docs = [read_document(n) for n in names]
    assert [d.text.split("\n\n")[0] for d in docs] == [f"Story {i} about the defense Ministry" for i in range(1, 4)]
    assert docs[1].text.endswith("The SDS fighters attacked 2.")


@pytest.mark.parametrize("content, fmt_name, problem", [
    ('{"uri": "x", "headlines": [{"value": "A"}', "bad.json", "malformed JSON"),
    ('<?xml version="1.0"?><newsItem><contentMeta><headline>A</headline></contentMeta>', "bad.xml", "malformed XML"),
    ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><nitf><body>&e;</body></nitf>',
     "xxe.xml", "not allowed"),
    ("<!DOCTYPE html><html><head><title>News</title></head><body><script>var a = 1;</script></body></html>",
     "empty.html", "no article"),
    ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><link>http://x</link></item></channel></rss>',
     "broken.rss", "neither a title nor a description"),
])
def test_bad_wire_input_is_one_clear_error(tmp_path, content, fmt_name, problem):
    path = tmp_path / fmt_name
    path.write_text(content)
    (name,) = _names(path)
    with pytest.raises(InputError) as e:
        read_document(name)
    assert problem in e.value.message and "\n" not in e.value.message
    # From the CLI: one line for the file, exit 2, the other file still checked.
    good = tmp_path / "good.txt"
    good.write_text("The delegations met in Geneva on Monday.\n")
    r = subprocess.run([sys.executable, "-m", "mtcheck", "scan", "--no-neural", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2
    assert problem in r.stderr and "Traceback" not in r.stderr
    assert "1 file scanned; 1 skipped" in r.stdout  # the good one; the bad one is the error


def test_folders_skip_what_is_no_story_and_say_why(tmp_path):
    (tmp_path / "a.json").write_text('{"name": "a config, not a story"}')
    (tmp_path / "b.xml").write_text('<?xml version="1.0"?><project><x/></project>')
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    (tmp_path / "d.txt.mtcheck.json").write_text("{}")
    (tmp_path / "story.json").write_bytes((WIRE / f"{SEEDS[1].stem}.ninjs3.json").read_bytes())
    assert _names(tmp_path) == [str(tmp_path / "story.json")]
    why = dict((Path(p).name, r) for p, r in skipped_files([tmp_path]))
    assert why["a.json"].startswith("JSON") and "root <project>" in why["b.xml"]
    assert "not a story type" in why["c.pdf"] and why["d.txt.mtcheck.json"] == "an mtcheck report"


def test_json_report_says_what_was_taken_and_where(tmp_path):
    path = WIRE / f"{SEEDS[0].stem}.page.html"
    r = subprocess.run([sys.executable, "-m", "mtcheck", "scan", "--no-neural", "--format", "json", str(path)],
                       capture_output=True, text=True)
    rec = json.loads(r.stdout)["files"][0]
    assert rec["source"]["format"] == "html"
    kinds = [p["kind"] for p in rec["source"]["parts"]]
    assert kinds[0] == "headline" and set(kinds[1:]) == {"body"}
    assert any("cookies" in d["text"] for d in rec["source"]["dropped"])
    raw = path.read_bytes()
    for f in rec["findings"]:
        if "outside" in f.get("data", {}):  # page furniture: its own text (and markup) in the page
            import lxml.html

            held = lxml.html.fragment_fromstring(raw[f["byte"]:f["end_byte"]].decode("utf-8"), create_parent=True)
            assert " ".join(held.text_content().split()) == f["data"]["outside"]["text"]
            continue
        assert raw[f["byte"]:f["end_byte"]].decode("utf-8")[:1] in (f["text"][:1], "&")


def test_wire_readers_stay_out_of_a_plain_scan():
    code = ("import sys; from mtcheck.reader import read_document; read_document(sys.argv[1]); "
            "print(sorted(m for m in sys.modules if m.startswith(('mtcheck.readers.', 'trafilatura', 'feedparser', 'lxml'))))")
    out = subprocess.run([sys.executable, "-c", code, str(SEEDS[0])], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_escape_contexts():
    assert readers.escape('a "b" & <c>', "json+html") == 'a \\"b\\" &amp; &lt;c&gt;'
    assert readers.escape("x & y", "xml") == "x &amp; y"
    assert readers.escape("a]]>b", "cdata") == "a]]]]><![CDATA[>b"
    assert readers.escape("a]]>b", "cdata+html") == "a]]&gt;b"  # HTML escaping already breaks the CDATA end
