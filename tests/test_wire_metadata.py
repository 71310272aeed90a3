"""What a wire file says beside the story: page furniture the extractor dropped from the story
area (boilerplate findings pointing into the page) and the declared language (a story
declared in another language is reported as such and not judged as English)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mtcheck.engine import Scanner
from mtcheck.gate.policy import REVIEW, default_policy, evaluate
from mtcheck.reader import discover
from mtcheck.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
WIRE = ROOT / "tests" / "data" / "wire"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def _mtcheck(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "mtcheck", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def _docs(path):
    return [r.document for r in Scanner(Settings(neural=False, cache=False)).scan([n for n, _ in discover([path])])]


# -- page furniture ---------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><title>Talks resume | News</title></head>
<body>
<nav><p>Share this story</p><a href="/">Home</a></nav>
<main>
  <div class="consent">This website uses cookies to improve your experience. Accept Read More</div>
  <article>
    <h1>Talks resume in Geneva after a pause of two weeks</h1>
    <p>The delegations of the two countries met in Geneva on Monday to resume the talks on the exchange of prisoners.</p>
    <div class="share-bar"><a>Share</a> | <a>Tweet</a> | <a>Email</a></div>
    <p>The sides agreed to meet again next week, a spokesman for the foreign ministry told reporters after the meeting.</p>
    <p>Both delegations described the atmosphere of the meeting as constructive and businesslike, he added on Monday.</p>
  </article>
  <div class="more">Read also: Ceasefire holds in the east for a third day</div>
</main>
<footer><p>Leave a comment</p><p>Follow us on Twitter for the latest news</p></footer>
</body>
</html>
"""


def test_furniture_in_the_story_area_is_reported_where_it_is_in_the_page(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    r = _mtcheck("scan", "--no-neural", "--format", "json", page)
    rec = json.loads(r.stdout)["files"][0]
    furniture = {f["rule"]: f for f in rec["findings"] if "outside" in f.get("data", {})}
    # The consent banner before the article, the share bar inside it, the teaser after it;
    # not the navigation's "Share this story", nor the site footer's prompts.
    assert sorted(furniture) == ["B101", "B102", "B104"], [f["message"] for f in rec["findings"]]
    raw = PAGE.encode("utf-8")
    lines = PAGE.splitlines()
    for f in furniture.values():
        assert f["start"] == f["end"] and f["text"] == "" and f.get("fix") is None  # nothing to delete from the text
        held = raw[f["byte"]:f["end_byte"]].decode("utf-8")
        assert held.startswith(f["data"]["outside"]["text"].split()[0])
        assert lines[f["line"] - 1][f["col"] - 1:].startswith(held.splitlines()[0])
    assert furniture["B102"]["line"] == 11 and furniture["B101"]["line"] == 7 and furniture["B104"]["line"] == 15
    # The checked text is the article alone, and each finding sits where its block was.
    doc = _docs(page)[0]
    assert "cookies" not in doc.text and "Share" not in doc.text
    b102 = next(f for f in doc.findings if f.code == "B102")
    assert doc.text[:b102.start].endswith("exchange of prisoners.")
    # Text and SARIF point at the page's lines too; fix leaves the page alone there.
    text = _mtcheck("scan", "--no-neural", page).stdout
    assert f"{page}:7:" in text and f"{page}:11:" in text
    sarif = json.loads(_mtcheck("scan", "--no-neural", "--format", "sarif", page).stdout)
    regions = {res["ruleId"]: res["locations"][0]["physicalLocation"]["region"] for res in sarif["runs"][0]["results"]}
    assert regions["B104"]["startLine"] == 15
    rdjson = json.loads(_mtcheck("scan", "--no-neural", "--format", "rdjson", page).stdout)
    ranges = {d["code"]["value"]: d["location"]["range"] for d in rdjson["diagnostics"]}
    assert {c: ranges[c]["start"]["line"] for c in ("B101", "B102", "B104")} == {"B101": 7, "B102": 11, "B104": 15}
    fixed = _mtcheck("fix", "--no-neural", "--fail-on", "never", "--out", tmp_path / "out", page)
    assert fixed.returncode == 0, fixed.stderr
    assert (tmp_path / "out" / "page.html").read_text(encoding="utf-8") == PAGE


def test_furniture_findings_follow_per_file_ignores(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    (tmp_path / "mtcheck.toml").write_text('[per-file-ignores]\n"*.html" = ["B101"]\n')
    r = _mtcheck("scan", "--no-neural", "--format", "json", "page.html", cwd=tmp_path)
    codes = {f["rule"] for f in json.loads(r.stdout)["files"][0]["findings"]}
    assert "B101" not in codes and "B104" in codes


# -- declared language ------------------------------------------------------------------------

def _ninjs(language: str, seed: Path = SEEDS[1]) -> str:
    data = json.loads((WIRE / f"{seed.stem}.ninjs3.json").read_text(encoding="utf-8"))
    data["language"] = language
    return json.dumps(data, ensure_ascii=False, indent=2)


GERMAN = ("Die Delegationen der beiden Länder trafen sich am Montag in Genf, um die Gespräche über den "
          "Austausch von Gefangenen wieder aufzunehmen. Beide Seiten bezeichneten die Atmosphäre als konstruktiv "
          "und sachlich, sagte ein Sprecher des Außenministeriums nach dem Treffen vor Journalisten.")


@pytest.mark.parametrize("name, content, declared", [
    ("story.json", _ninjs("de-DE"), "de-DE"),
    ("item.xml", (WIRE / f"{SEEDS[1].stem}.newsml.xml").read_text(encoding="utf-8").replace('xml:lang="en"', 'xml:lang="ru"'), "ru"),
    ("page.html", PAGE.replace('lang="en"', 'lang="fr"'), "fr"),
    ("feed.rss", (WIRE / f"{SEEDS[1].stem}.rss.xml").read_text(encoding="utf-8").replace(
        "<link>", "<language>es</language>\n    <link>", 1), "es"),
])
def test_a_story_declared_in_another_language_is_reported_once_and_sent_to_review(tmp_path, name, content, declared):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    (doc,) = _docs(path)
    # Not judged as English: the one finding says what the file declares, and where.
    assert [f.code for f in doc.findings] == ["L105"]
    f = doc.findings[0]
    assert f.data["declared"] == declared and f"'{declared}'" in f.message
    s0, s1 = f.data["outside"]["start"], f.data["outside"]["end"]
    assert content[s0:s1] == declared
    line, col, _, _ = doc.finding_lines(f)
    assert content.splitlines()[line - 1][col - 1:].startswith(declared)
    decision = evaluate(doc, default_policy(), neural=False)
    assert decision.verdict == REVIEW and declared in decision.summary()


def test_english_declared_and_other_tags_are_judged_as_english(tmp_path):
    for tag in ("en-GB", "EN_us", "und"):
        path = tmp_path / "story.json"
        path.write_text(_ninjs(tag), encoding="utf-8")
        plain = _docs(SEEDS[1])[0]
        (doc,) = _docs(path)
        assert not any(f.code in ("L105", "L106") for f in doc.findings)
        assert sorted(f.code for f in doc.findings) == sorted(f.code for f in plain.findings)


def test_a_story_declared_english_that_is_not_is_reported_with_both(tmp_path):
    data = json.loads(_ninjs("en"))
    data["bodies"] = [{"role": "main", "contentType": "text/plain", "value": GERMAN}]
    path = tmp_path / "story.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (doc,) = _docs(path)
    mismatch = [f for f in doc.findings if f.code == "L106"]
    assert len(mismatch) == 1 and mismatch[0].data["declared"] == "en" and mismatch[0].data["detected"] == "de"
    assert "'en'" in mismatch[0].message and "'de'" in mismatch[0].message
    assert not any(f.code == "L102" for f in doc.findings)  # once for the story, not per sentence
    # The same text undeclared (plain text) is judged per segment.
    (tmp_path / "same.txt").write_text(doc.text, encoding="utf-8")
    assert any(f.code == "L102" for f in _docs(tmp_path / "same.txt")[0].findings)
