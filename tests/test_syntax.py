"""Syntax rules (X1xx): broken sentence structure, from patterns and the spaCy parse."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from mtcheck.config import Config
from mtcheck.engine import Scanner
from mtcheck.reader import read_document
from mtcheck.rules import syntax, syntax_quality
from mtcheck.settings import Settings


def scan(text: str, parse: bool = True, select=("syntax",)):
    scanner = Scanner(Settings(config=Config(select=list(select)), neural=False, parse=parse))
    return scanner.scan_text(text)


def codes(doc) -> list[str]:
    return [f.code for f in doc.findings]


def findings_in(doc, fragment: str) -> list[str]:
    """Codes of the findings inside the sentence that contains ``fragment``."""
    s = next(s for s in doc.sentences if fragment in s.text)
    return [f.code for f in doc.findings if s.start <= f.start < s.end]


# -- the family -----------------------------------------------------------------------------

def test_family_includes_the_quality_rules_and_codes_are_unique():
    codes_ = [r.code for r in syntax.RULES]
    assert len(codes_) == len(set(codes_))
    assert all(c.startswith("X1") for c in codes_[: len(codes_) - len(syntax_quality.RULES)])
    assert set(r.code for r in syntax_quality.RULES) <= set(codes_)
    assert all(r.category == "syntax" for r in syntax.RULES)
    parse_rules = {r.code for r in syntax.RULES if "parse" in r.needs}
    assert {"X101", "X103", "X104", "X105", "X106"} <= parse_rules
    assert "X102" not in parse_rules  # the bare negation is a pattern


# -- X102: bare negation (no parse) ---------------------------------------------------------

def test_bare_negation_found_without_the_parse():
    doc = scan("The defense Ministry said that the shelling was 25 wounded Syrian militias. "
               "Russian soldiers in the area of the Syrian province of Deir ez-Zor no.", parse=False)
    assert codes(doc) == ["X102"]
    f = doc.findings[0]
    assert doc.text[f.start:f.end] == f.text == "Russian soldiers in the area of the Syrian province of Deir ez-Zor no."
    assert f.suggestion == "There are no Russian soldiers in the area of the Syrian province of Deir ez-Zor."
    assert not f.safe_fix
    assert "machine-translation" in f.message
    assert "parse" not in doc.user_data


@pytest.mark.parametrize("text", [
    "Asked whether the troops would stay, the minister said no.",
    "The parliament voted no.",
    "The answer to that question was no.",
    "Do the rebels control the city? The spokesman said the answer is simply no.",
    "Russian soldiers in the area no",  # a heading: no final punctuation
    "Why not?",
])
def test_bare_negation_negatives(text):
    assert "X102" not in codes(scan(text, parse=False))


def test_bare_negation_lowercases_a_common_first_word():
    doc = scan("The minister met the press on Monday. Casualties among civilians in the city no.", parse=False)
    assert doc.findings[0].suggestion == "There are no casualties among civilians in the city."


# -- parse-based rules ----------------------------------------------------------------------



@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
@pytest.mark.parametrize("text, code", [
    ("Police sent special forces to the village. Injuring three commandos.", "X104"),
    ("The army advanced. As the Syrian army and the SDS declare their intention to retake the city from ISIS.", "X104"),
    ("The rebels retreated. While in the military pointed out that the air force continues to strike the militants.", "X104"),
    ("The talks failed. Was decided to send the Russian military police.", "X105"),
    ("“The cause of the incident were inconsistent with the command of the operational group”, said the ministry.", "X103"),
    ("The reports about the air strikes is not true, the ministry said.", "X103"),
    ("Moscow expressed its concern and demanded that the United States full and detailed explanation.", "X106"),
    ("The delegation at the long talks in the capital city of the republic without any result in the end.", "X101"),
])
def test_broken_sentences_are_found(text, code):
    doc = scan(text)
    assert code in codes(doc), [(f.code, f.text) for f in doc.findings]
    for f in doc.findings:
        assert doc.text[f.start:f.end] == f.text
        assert f.category == "syntax"


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
@pytest.mark.parametrize("text", [
    "Police sent special forces to the village, injuring three commandos.",
    "As the Syrian army advanced, the rebels withdrew from the city.",
    "While in Moscow, the minister met his Russian counterpart.",
    "It was decided to send the Russian military police.",
    "The cause of the incidents was not established.",
    "The number of attacks has risen sharply this year.",
    "A number of civilians were killed in the strike.",
    "The government are expected to respond on Monday.",
    "The reports of the attack are not true, the ministry said.",
    "Moscow demanded that the United States provide a full explanation.",
    "Speaking in Moscow on Monday, the minister said the strikes would continue.",
    "Russian Military Contractors Killed in US-Led Attack in Syria",  # a headline
    "“Absolutely not,” he said.",
    "Moscow.",  # a dateline
    "In the Baltic Sea city of Kaliningrad, a local Cossack group also reported losing one of its own.",
    "Reuters reported earlier citing US-backed Syrian militias that Russian warplanes struck their positions.",
])
def test_clean_sentences_are_left_alone(text):
    doc = scan(text)
    assert codes(doc) == [], [(f.code, f.text, f.message) for f in doc.findings]


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_quotes_are_judged_leniently():
    # A reported fragment is speech; the same words outside quotes are damage.
    assert "X104" not in codes(scan("“As if they cared about the people of the city.”"))
    assert "X104" in codes(scan("As if they cared about the people of the city."))


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_one_structural_finding_per_sentence():
    doc = scan("The talks failed. Injuring three commandos.")
    assert codes(doc) == ["X104"]  # not also X101 (no finite verb)
    doc = Scanner(Settings(config=Config(select=["X101"]), neural=False, parse=True)).scan_text(
        "The talks failed in the end. Injuring three commandos of the special forces in the city.")
    assert codes(doc) == ["X101"]  # with X104 off, the no-verb rule reports it


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_agreement_suggestion_swaps_the_verb_form():
    doc = scan("The cause of the incident were not established by the commission.")
    (f,) = doc.findings
    assert (f.code, f.text, f.suggestion, f.safe_fix) == ("X103", "were", "was", False)
    assert f.data["subject"] == "cause"


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_fair_tass_text_has_no_syntax_findings_on_body_sentences(seeds_dir):
    doc = read_document(str(seeds_dir / "001_6dfbf46b29b8d6d9.txt"))
    Scanner(Settings(config=Config(select=["syntax"]), neural=False, parse=True)).pipeline.run([doc])
    body = [s for s in doc.body_sentences()]
    assert len(body) >= 6
    hits = [(f.code, f.text) for f in doc.findings if any(s.start <= f.start < s.end for s in body)]
    assert hits == []


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
@pytest.mark.parametrize("seed, fragment, expected", [
    ("000_b789fdac0961f31d.txt", "Russian soldiers in the area of the Syrian province of Deir ez-Zor no.", "X102"),
    ("000_b789fdac0961f31d.txt", "The cause of the incident were inconsistent", "X103"),
    ("002_4226bccabad467d5.txt", "Was decided to send the Russian military police.", "X105"),
    ("002_4226bccabad467d5.txt", "Injuring three commandos.", "X104"),
    ("002_4226bccabad467d5.txt", "As the Syrian army and the SDS declare their intention", "X104"),
    ("003_ffa3510338295b69.txt", "While in the military pointed out", "X104"),
    ("003_ffa3510338295b69.txt", "demanded that the United States full and detailed explanation", "X106"),
])
def test_broken_seed_sentences_are_found(seeds_dir, seed, fragment, expected):
    doc = read_document(str(seeds_dir / seed))
    Scanner(Settings(config=Config(select=["syntax"]), neural=False, parse=True)).pipeline.run([doc])
    assert expected in findings_in(doc, fragment)


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_parse_is_attached_once_per_document():
    from mtcheck.neural.parse import attach_parse, document_parse

    doc = scan("The talks failed. Injuring three commandos.")
    parses = doc.user_data["parse"]
    assert set(parses) == {s.index for s in doc.sentences}
    assert [t.text for t in parses[1]][:1] == ["Injuring"]
    attach_parse([doc])
    assert document_parse(doc) is parses  # not parsed again


def test_parse_rules_do_not_run_without_the_parse_resource():
    doc = scan("The talks failed. Was decided to send the Russian military police.", parse=False)
    assert codes(doc) == []
    assert "parse" not in doc.user_data


@pytest.mark.slow
def test_spacy_import_keeps_torch_out_and_torch_still_works(python):
    """In a fresh process: spaCy and the pipeline come up without importing torch, and torch
    imports and computes afterwards in the same process."""
    code = textwrap.dedent("""
        import sys, time
        from mtcheck.neural import parse
        t = time.perf_counter()
        nlp = parse.load_pipeline()
        loaded = time.perf_counter() - t
        assert "torch" not in sys.modules, "spaCy pulled torch in"
        doc = nlp("Was decided to send the Russian military police.")
        assert [t.dep_ for t in doc][:2] == ["auxpass", "ROOT"], [t.dep_ for t in doc]
        import torch
        assert float(torch.ones(3).sum()) == 3.0
        assert nlp("The army advanced.")[1].tag_ == "NN"
        print(f"ok {loaded:.2f}")
    """)
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("ok")


@pytest.mark.slow
def test_spacy_imported_normally_when_torch_is_already_loaded(python):
    code = textwrap.dedent("""
        import torch
        from mtcheck.neural import parse
        nlp = parse.load_pipeline()
        import thinc.compat
        assert thinc.compat.has_torch
        print(nlp("Injuring three commandos.")[0].tag_)
    """)
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "VBG"
