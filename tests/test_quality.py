"""The calibrated quality model, its thresholds, and the X2xx findings it drives."""

from __future__ import annotations

import json

import pytest

from mtcheck import quality
from mtcheck.config import Config
from mtcheck.document import Document
from mtcheck.neural import registry
from mtcheck.rules import rule_by_code, select_rules, syntax_quality
from mtcheck.rules.base import Context


def _artifact() -> dict:
    return json.loads(registry.artifact_path("quality").read_text())


# -- the artifact ------------------------------------------------------------------------------
def test_committed_model_is_consistent_and_documented():
    data = _artifact()
    qm = quality.model_from_dict(data)
    assert len(qm.features) == len(qm.coef) >= 5
    # every feature the model uses is one that mtcheck.quality.features computes
    from mtcheck.neural.fluency import FEATURES

    known = set(FEATURES) | set(quality.STRUCTURAL) | {"log_tokens"}
    assert set(qm.features) <= known
    assert 0.0 < qm.heading_threshold <= qm.quote_threshold <= qm.threshold < 0.5
    assert data["figures"]["daseg_cv_pearson"] > 0.4
    assert "daseg" in data["training"]["data"]


def test_malformed_model_is_a_one_line_error():
    data = _artifact()
    data["linear"]["coef"] = data["linear"]["coef"][:-1]
    with pytest.raises(quality.QualityModelError, match="lengths differ"):
        quality.model_from_dict(data, "x.json")
    del data["thresholds"]
    with pytest.raises(quality.QualityModelError, match="x.json: malformed"):
        quality.model_from_dict(data, "x.json")


def test_quality_is_monotone_in_the_prediction_and_bounded():
    qm = quality.model()
    base = {name: m for name, m in zip(qm.features, qm.mean)}
    assert qm.quality(base) == pytest.approx(
        0.5 * (1 + __import__("math").erf((qm.intercept - qm.pred_mean) / qm.pred_std / 2 ** 0.5)))
    lp = "lp_content" if "lp_content" in qm.features else qm.features[0]
    i = qm.features.index(lp)
    better = dict(base, **{lp: base[lp] + qm.scale[i] * (1 if qm.coef[i] > 0 else -1)})
    assert qm.quality(better) > qm.quality(base)
    extreme = dict(base, **{lp: base[lp] + 1e6 * (1 if qm.coef[i] > 0 else -1)})
    assert qm.quality(extreme) <= 1.0


def test_threshold_override_from_config_scales_heading_and_quote():
    qm = quality.model()
    assert quality.flag_threshold() == qm.threshold
    cfg = Config(sections={"quality": {"threshold": qm.threshold / 2}})
    assert quality.flag_threshold(cfg) == pytest.approx(qm.threshold / 2)
    t = quality.thresholds(cfg)
    assert t["heading"] == pytest.approx(qm.heading_threshold / 2)
    assert t["quote"] == pytest.approx(qm.quote_threshold / 2)


def test_structural_signals():
    f = quality.structural_features("The Russian defense Ministry said that vypravili грехов , and so on")
    assert f["cyrillic"] == 1.0
    assert f["unknown_share"] > 0  # "vypravili"
    assert f["case_calques"] >= 1  # "defense Ministry"
    assert f["punct_anomalies"] >= 1  # " ,"
    clean = quality.structural_features("The Russian Defense Ministry said on Monday that it had not been involved.")
    assert clean["cyrillic"] == clean["unknown_share"] == clean["case_calques"] == clean["punct_anomalies"] == 0.0
    assert quality.structural_features("SURE YOU IN THE HANDS NOT")["caps_share"] == 1.0


# -- X2xx findings from scores (the rule reads scores; no model needed) -------------------------
def _context(**sections) -> Context:
    return Context(config=Config(sections=sections), enabled=select_rules(), resources=frozenset({"fluency"}))


def _doc_with_scores(text: str, scores: list[float]) -> Document:
    doc = Document.from_text(text)
    assert len(doc.sentences) == len(scores), [s.text for s in doc.sentences]
    for s, q in zip(doc.sentences, scores):
        s.scores["quality"] = q
    return doc


TEXT = ("Moscow called for a meeting after the attack\n\n"
        "They reported that during the RAID, coalition forces aircraft of Russian air force in this area. "
        "The ministry said the strike had killed three people. "
        "“We did not say that the army was in the area at all.” "
        "Moscow. Short.")


def test_low_quality_body_sentence_is_a_syntax_finding():
    t = quality.thresholds()
    doc = _doc_with_scores(TEXT, [0.9, t["body"] - 0.05, t["body"] + 0.05, 0.9, 0.0, 0.0])
    findings = list(syntax_quality.check(doc, _context()))
    assert [f.code for f in findings] == ["X201"]
    f = findings[0]
    assert f.category == "syntax" and doc.text[f.start:f.end] == f.text == doc.sentences[1].text
    assert "machine-translation damage" in f.message and f"threshold {t['body']:.2f}" in f.message
    assert f.data["quality"] == pytest.approx(t["body"] - 0.05)


def test_headings_and_quotes_are_judged_leniently():
    t = quality.thresholds()
    between_heading = (t["heading"] + t["body"]) / 2  # low for a body sentence, fine for a headline
    between_quote = (t["quote"] + t["body"]) / 2
    doc = _doc_with_scores(TEXT, [between_heading, 0.9, 0.9, between_quote, 0.9, 0.9])
    assert list(syntax_quality.check(doc, _context())) == []
    doc = _doc_with_scores(TEXT, [t["heading"] / 2, 0.9, 0.9, t["quote"] / 2, 0.9, 0.9])
    codes = [f.code for f in syntax_quality.check(doc, _context())]
    assert codes == ["X203", "X202"]
    assert doc.sentences[0].kind == "title" and doc.sentences[3].is_quote


def test_short_segments_and_unscored_documents_are_left_alone():
    doc = _doc_with_scores(TEXT, [0.9, 0.9, 0.9, 0.9, 0.0, 0.0])  # "Moscow." and "Short." score 0
    assert list(syntax_quality.check(doc, _context())) == []
    assert list(syntax_quality.check(Document.from_text(TEXT), _context())) == []  # --no-neural: no scores


def test_rules_are_registered_in_the_syntax_family_and_need_the_model():
    for code in ("X201", "X202", "X203"):
        rule = rule_by_code(code)
        assert rule is not None and rule.category == "syntax" and "fluency" in rule.needs


def test_config_threshold_changes_what_is_flagged():
    doc = _doc_with_scores(TEXT, [0.9, 0.3, 0.9, 0.9, 0.9, 0.9])
    assert [f.code for f in syntax_quality.check(doc, _context(quality={"threshold": 0.35}))] == ["X201"]
    assert list(syntax_quality.check(doc, _context(quality={"threshold": 0.25}))) == []


# -- end to end with the real model -------------------------------------------------------------
@pytest.mark.slow
def test_annotate_quality_scores_every_sentence_in_one_pass():
    from mtcheck.neural import fluency

    docs = [Document.from_text(TEXT, path="a"), Document.from_text("Police detained the suspect on Tuesday.", path="b")]
    fluency.load()
    loads = fluency.LOAD_COUNT["load"]
    quality.annotate_quality(docs)
    assert fluency.LOAD_COUNT["load"] == loads
    for doc in docs:
        for s in doc.sentences:
            assert 0.0 <= s.scores["quality"] <= 1.0
            assert s.scores["lm_logprob"] < 0
            assert "slor" in s.scores
    # same sentence, same score, whatever it is batched with
    alone = quality.score_texts([docs[0].sentences[2].text])[0]
    assert alone == pytest.approx(docs[0].sentences[2].scores["quality"], abs=2e-3)
    assert quality.score_texts(["", "   "]) == [0.0, 0.0]


@pytest.mark.slow
def test_scanner_flags_a_damaged_sentence_and_not_a_fluent_one():
    from mtcheck.engine import Scanner
    from mtcheck.settings import Settings

    scanner = Scanner(Settings(config=Config(), neural=True, parse=False))
    doc = scanner.scan_text("In Deir ezzor forces supported by Russia came close to those who support US. "
                            "The ministry said on Monday that the strike had killed three people.")
    x2 = [f for f in doc.findings if f.code.startswith("X2")]
    assert [doc.sentence_at(f.start).index for f in x2] == [0]
    assert 0 in doc.flagged_sentences() and 1 not in doc.flagged_sentences()
