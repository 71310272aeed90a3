"""The offline repairs (mtcheck/rewrite/repairs/): every transform's own examples, the checks
that keep a repair from changing a name, number, date or negation, and the way repairs travel
through annotate_rewrites into suggestions, `fix`, the text report and `--diff`.

The transforms read the spaCy parse (en_core_web_sm, a dependency); nothing here loads torch.
"""

from __future__ import annotations

import pytest

from mtcheck.changes import fix_story, suggestions
from mtcheck.config import Config
from mtcheck.data import DataError, validate
from mtcheck.document import Document
from mtcheck.findings import Finding, Severity
from mtcheck.rewrite import annotate_rewrites, protect
from mtcheck.rewrite.repairs import apply_one, propose, transforms
from mtcheck.rewrite.repairs import data as repair_data

EXAMPLES = [(t.name, before, after) for t in transforms() for before, after in t.examples]


@pytest.fixture(scope="module")
def nlp(spacy_pipeline):
    return spacy_pipeline


def flag(doc: Document, index: int) -> Finding:
    s = doc.sentences[index]
    return Finding(code="X999", category="syntax", severity=Severity.WARNING, start=s.start, end=s.end,
                   text=s.text, message="likely machine-translation damage")


def test_every_transform_is_named_described_and_has_both_kinds_of_example():
    names = [t.name for t in transforms()]
    assert len(names) == len(set(names)) >= 8
    for t in transforms():
        assert t.name == t.name.lower() and " " not in t.name and t.description
        assert any(after is not None for _, after in t.examples), f"{t.name}: no example of a repair"
        assert any(after is None for _, after in t.examples), f"{t.name}: no example of text left alone"
        if t.joins_previous:
            assert all("\n" in before for before, _ in t.examples), f"{t.name}: a join example needs the sentence before"


@pytest.mark.parametrize("name,before,after", EXAMPLES, ids=[f"{n}:{b[:30]}" for n, b, _ in EXAMPLES])
def test_transform_examples(nlp, name, before, after):
    t = next(t for t in transforms() if t.name == name)
    previous = None
    if t.joins_previous:
        previous, before = before.split("\n")
    assert apply_one(t, before, previous) == after


def test_propose_composes_transforms_and_names_them(nlp):
    text = "Was decided to send the Russian military police to guard the embassy of US."
    (repairs,) = propose([text])
    by_names = {r.transforms: r.text for r in repairs}
    assert by_names[("impersonal-passive",)] == "It was decided to send the Russian military police to guard the embassy of US."
    assert by_names[("name-article",)] == "Was decided to send the Russian military police to guard the embassy of the US."
    assert by_names[("impersonal-passive", "name-article")] == (
        "It was decided to send the Russian military police to guard the embassy of the US.")


def test_good_text_gets_no_repair(nlp):
    fair = [
        "The Russian Defense Ministry said on Tuesday that its forces had not been in the area.",
        "On 15 September, the sixth round of negotiations was held in Astana.",
        "It was decided to send the military police.",
        "There are no Russian soldiers in the province, the ministry said.",
        "“We will respond,” said the spokesman of the US State Department.",
        "The ministry accused the United States of passing information to the militants.",
    ]
    assert propose(fair) == [[] for _ in fair]


# -- what a repair must keep -------------------------------------------------------------------
def test_negation_moved_by_the_bare_negation_repair_is_kept_but_a_dropped_one_is_not():
    expected = "Russian soldiers in the area of Deir ez-Zor no."
    assert protect.violations("There are no Russian soldiers in the area of Deir ez-Zor.", expected, []) == []
    assert protect.violations("Russian soldiers are in the area of Deir ez-Zor.", expected, []) == ["negation dropped or added"]
    assert protect.violations("It was not decided.", "It was decided.", []) == ["negation dropped or added"]


def test_a_quotation_keeps_its_words_when_the_comma_moves_inside_it():
    expected = "“The strikes will continue”, — said the ministry."
    quote = [protect.Protected(0, 26, "“The strikes will continue”", "quote")]
    assert protect.violations("“The strikes will continue,” said the ministry.", expected, quote) == []
    assert protect.violations("“The strikes will stop,” said the ministry.", expected, quote)


def test_a_repair_that_changes_a_number_or_a_date_is_rejected(nlp, monkeypatch):
    from mtcheck.rewrite import repairs as repairs_pkg

    real = repairs_pkg.propose

    def tampering(texts, previous=None):  # a transform gone wrong: it rewrites the number
        out = real(texts, previous)
        return [[repairs_pkg.Repair(r.text.replace("25", "26"), r.transforms) for r in rs] for rs in out]

    monkeypatch.setattr(repairs_pkg, "propose", tampering)
    doc = Document.from_text("Was decided to send 25 military police officers.\n")
    doc.findings = [flag(doc, 0)]
    annotate_rewrites([doc], Config(sections={"rewrite": {"threshold": 0.0}}), neural=False, notify=lambda m: None)
    rw = doc.sentences[0].rewrite
    (cand,) = [c for c in rw["candidates"] if c["source"] == "repairs"]
    assert cand["transforms"] == ["impersonal-passive"] and "26" in cand["text"]
    assert cand["components"]["rejected"].startswith("number")
    assert not rw["accepted"]  # never accepted, whatever the bar
    assert not [s for s in suggestions(doc) if s.kind == "rewrite"]


# -- through annotate_rewrites, suggestions, fix, the reports ----------------------------------
def _scan(text: str, flagged: list[int], threshold: float | None = 0.0) -> Document:
    doc = Document.from_text(text, path="story.txt")
    doc.findings = [flag(doc, i) for i in flagged]
    sections = {"rewrite": {"threshold": threshold}} if threshold is not None else {}
    annotate_rewrites([doc], Config(sections=sections), neural=False, notify=lambda m: None)
    return doc


def test_a_flagged_sentence_gets_a_repair_that_records_its_transforms(nlp):
    from mtcheck.rewrite import REPAIRS_BAR

    # The committed fix-score model, lexical formula: it must not object to a textbook repair.
    doc = _scan("The ministry met on Monday.\n\nWas decided to send the Russian military police.\n", [1], threshold=None)
    rw = doc.sentences[1].rewrite
    assert rw["source"] == "repairs" and rw["transforms"] == ["impersonal-passive"]
    assert rw["text"] == "It was decided to send the Russian military police."
    assert rw["components"]["bar"] == "repairs" and rw["components"]["threshold"] == REPAIRS_BAR
    assert rw["accepted"] == (rw["fix_score"] >= REPAIRS_BAR) and rw["accepted"]
    (s,) = [s for s in suggestions(doc) if s.kind == "rewrite"]
    assert s.transforms == ("impersonal-passive",) and s.to_json()["transforms"] == ["impersonal-passive"]
    story = fix_story(doc)
    assert story.text.endswith("It was decided to send the Russian military police.\n")
    assert story.transforms == ["impersonal-passive"]


def test_unflagged_sentences_get_no_repair(nlp):
    doc = _scan("Was decided to send the Russian military police.\n", [])
    assert doc.sentences[0].rewrite is None


def test_the_bar_a_repair_must_clear():
    from mtcheck.rewrite import REPAIRS_BAR, _bar, _vetoed
    from mtcheck.rewrite.candidates import Candidate

    class T:  # the part of a Target the bar reads: the rule findings folded into the text
        def __init__(self, safe: bool):
            fix = type("Fix", (), {"safe": safe})()
            self.rule_findings = [type("F", (), {"fix": fix})()]

    repair = Candidate("It was decided.", "repairs", transforms=("impersonal-passive",))
    assert _bar(T(True), repair, 0.86) == (REPAIRS_BAR, "repairs")
    assert _bar(T(False), repair, 0.86) == (0.86, "calibrated")  # unsafe rule fixes inside it
    assert _bar(T(True), Candidate("x", "backtranslation"), 0.86) == (0.86, "calibrated")
    repair.components = {"fluency_gain": -0.01}
    assert _vetoed(repair)  # the language model finds it no more fluent
    repair.components = {"fluency_gain": 0.2}
    assert not _vetoed(repair) and not _vetoed(Candidate("x", "rules", components={"fluency_gain": -1.0}))


def test_a_join_replaces_both_sentences(nlp):
    text = "Police sent special forces, who broke through the encirclement. Injuring three commandos.\n"
    doc = _scan(text, [1])
    rw = doc.sentences[1].rewrite
    assert rw["transforms"] == ["participle-fragment"] and rw["joins_previous"] == 0
    assert rw["span"] == [doc.sentences[0].start, doc.sentences[1].end]
    (s,) = [s for s in suggestions(doc) if s.kind == "rewrite"]
    assert s.start == doc.sentences[0].start and s.original == text.strip()
    assert fix_story(doc).text == "Police sent special forces, who broke through the encirclement, injuring three commandos.\n"


def test_a_join_yields_to_the_previous_sentences_own_repair(nlp):
    text = "Was decided to send the special forces. Injuring three commandos.\n"
    doc = _scan(text, [0, 1])
    assert doc.sentences[0].rewrite["accepted"] and doc.sentences[0].rewrite["transforms"] == ["impersonal-passive"]
    rw = doc.sentences[1].rewrite
    joins = [c for c in rw["candidates"] if c["transforms"] == ["participle-fragment"]]
    assert joins and joins[0]["components"]["rejected"] == "the previous sentence has its own rewrite"
    assert fix_story(doc).text.startswith("It was decided to send the special forces.")


def test_reports_say_which_transforms_made_a_repair(nlp, tmp_path):
    from mtcheck.engine import FileResult
    from mtcheck.report import diff, text

    path = tmp_path / "story.txt"
    path.write_text("The ministry met on Monday.\n\nWas decided to send the Russian military police.\n", encoding="utf-8")
    doc = _scan(path.read_text(encoding="utf-8"), [1])
    doc.path = str(path)
    result = FileResult(path=str(path), document=doc)
    shown = text.render([result])
    assert "rewrite (repairs; transforms: impersonal-passive, fix score" in shown
    patch = diff.render([result])
    assert "# mtcheck: " in patch and ":3: rewrite by impersonal-passive\n" in patch
    assert patch.index("# mtcheck") < patch.index("diff --git")
    assert "+It was decided to send the Russian military police." in patch
    from mtcheck.report import json as json_report

    record = json_report.report([result])["files"][0]["sentences"][1]["rewrite"]
    assert record["transforms"] == ["impersonal-passive"] and record["source"] == "repairs"
    assert all("transforms" in c for c in record["candidates"])


def test_repairs_off_when_asked(nlp):
    doc = Document.from_text("Was decided to send the Russian military police.\n")
    doc.findings = [flag(doc, 0)]
    run = annotate_rewrites([doc], Config(sections={"rewrite": {"threshold": 0.0}}), neural=False,
                            notify=lambda m: None, repairs=False)
    assert not run.repairs and doc.sentences[0].rewrite is None


# -- the word lists ----------------------------------------------------------------------------
def test_repair_data_loads_and_rejects_malformed_tables():
    data = repair_data.repair_data()
    assert data["government"]["accuse"] == {"in": "of"}
    assert "ministry" in data["lists"]["institution_heads"]
    with pytest.raises(DataError, match="accuse"):
        validate({"accuse": {"in": "in"}}, repair_data.SCHEMA["government"], "repairs.toml: government")
    with pytest.raises(DataError, match="unknown key"):
        validate({**{k: sorted(v) for k, v in data["lists"].items()}, "extra": []}, repair_data.SCHEMA["lists"],
                 "repairs.toml: lists")
