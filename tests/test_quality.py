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

    known = (set(FEATURES) | set(quality.STRUCTURAL) | set(quality.POSITION_FEATURES) | set(quality.DEP_ORDER_FEATURES)
             | {"log_tokens"})
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


def test_a_repeated_headline_is_judged_once():
    text = "Hit by the coalition militias have not coordinated with Russia\n\nHit by the coalition militias have not coordinated with Russia\n\nThe ministry said so on Monday."
    doc = _doc_with_scores(text, [0.01, 0.01, 0.9])
    assert [s.kind for s in doc.sentences] == ["title", "heading", "body"]
    findings = list(syntax_quality.check(doc, _context()))
    assert [(f.code, f.start) for f in findings] == [("X203", 0)]


def test_a_russian_sentence_is_left_to_the_language_rules():
    text = "Министерство обороны России заявило об ударе по позициям. The ministry said so on Monday."
    doc = _doc_with_scores(text, [0.0, 0.9])
    assert list(syntax_quality.check(doc, _context())) == []
    assert syntax_quality.is_not_english(doc.sentences[0].text)
    # one Russian word in an English sentence is still English to judge (and L101 reports the word)
    assert not syntax_quality.is_not_english("The head of Минобороны said on Monday that the strike was over.")


def test_a_finding_points_at_the_worst_window_and_grades_the_damage():
    t = quality.thresholds()["body"]
    doc = _doc_with_scores(TEXT, [0.9, t * 0.1, t * 0.4, quality.thresholds()["quote"] * 0.9, 0.9, 0.9])
    bad = doc.sentences[1]
    a = bad.text.index("coalition")
    bad.scores["window"] = [a, a + len("coalition forces aircraft")]
    findings = list(syntax_quality.check(doc, _context()))
    assert [f.code for f in findings] == ["X201", "X201", "X202"]
    first = findings[0]
    assert first.text == "coalition forces aircraft" and first.start == bad.start + a
    assert first.data["sentence_start"] == bad.start and first.data["sentence_end"] == bad.end
    assert first.data["quality"] == pytest.approx(t * 0.1)  # the whole sentence's score stays
    assert [f.data["damage"] for f in findings] == ["critical", "major", "minor"]
    assert "critical" in first.message and "coalition forces aircraft" in first.message
    # a sentence without a window is reported whole
    assert findings[1].text == doc.sentences[2].text
    # a window that does not fit the sentence is ignored rather than trusted
    bad.scores["window"] = [0, len(bad.text) + 50]
    assert list(syntax_quality.check(doc, _context()))[0].text == bad.text
    assert syntax_quality.damage_grade(t * 0.99, t) == "minor"


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
    # same sentence, same score, whatever it is batched with (exactly so on CTranslate2, which
    # batches without padding; torch pads: rounding only)
    alone = quality.score_texts([docs[0].sentences[2].text])[0]
    tol = 0.0 if fluency.load().backend == "ctranslate2" else 2e-3
    assert alone == pytest.approx(docs[0].sentences[2].scores["quality"], abs=tol)
    assert quality.score_texts(["", "   "]) == [0.0, 0.0]


@pytest.mark.slow
def test_scanner_flags_a_damaged_sentence_and_not_a_fluent_one():
    from mtcheck.engine import Scanner
    from mtcheck.settings import Settings

    scanner = Scanner(Settings(config=Config(), neural=True, parse=False))
    doc = scanner.scan_text("By Russia supported forces in Deir ezzor to those US support came close. "
                            "The ministry said on Monday that the strike had killed three people.")
    x2 = [f for f in doc.findings if f.code.startswith("X2")]
    assert [doc.sentence_at(f.start).index for f in x2] == [0]
    assert 0 in doc.flagged_sentences() and 1 not in doc.flagged_sentences()


# -- named false alarms and misses (issue 16), with the real model ------------------------------
# Professional copy the scorer once called broken: fluent short sentences and name-dense ones.
FLUENT_PROFESSIONAL = [
    "Both officials then resigned.",
    "Krychowiak was enchanted by Kamchatka's beauty.",
    "The press service of the RF embassy in Yerevan announced this on Sunday, July 26.",
]


@pytest.mark.slow
@pytest.mark.parametrize("sentence", FLUENT_PROFESSIONAL)
def test_fluent_professional_sentences_are_not_flagged(sentence):
    from mtcheck.engine import Scanner
    from mtcheck.settings import Settings

    scanner = Scanner(Settings(config=Config(), neural=True, parse=False))
    doc = scanner.scan_text("The ministry said on Monday that the talks would go on.\n\n" + sentence)
    assert not [f for f in doc.findings if f.code.startswith("X2")], doc.sentences[-1].scores
    # and not merely scraping past: clearly above the body threshold
    assert doc.sentences[-1].scores["quality"] >= 1.5 * quality.thresholds()["body"]


@pytest.mark.slow
def test_a_finding_from_the_real_model_points_inside_its_sentence():
    from mtcheck.engine import Scanner
    from mtcheck.settings import Settings

    scanner = Scanner(Settings(config=Config(), neural=True, parse=False))
    doc = scanner.scan_text("By Russia supported forces in Deir ezzor to those US support came close.")
    (s,) = doc.sentences
    a, b = s.scores["window"]
    assert 0 <= a < b <= len(s.text) and (a, b) != (0, len(s.text))  # a window, not the whole sentence
    assert s.text[a:b].strip() == s.text[a:b]  # whole words, no padding
    # a seed sentence the scorer flags: the span reported is the window; the sentence's score
    # and span stay in the data
    (x2,) = [f for f in doc.findings if f.code == "X201"]
    assert (x2.start, x2.end) == (s.start + a, s.start + b)
    assert x2.data["quality"] == s.scores["quality"]
    assert (x2.data["sentence_start"], x2.data["sentence_end"]) == (s.start, s.end)


# Damage the issue names that the scorer does not catch yet (long sentences with one or two
# damaged places): strict, so the day one is caught the test says so and becomes a plain test.
KNOWN_MISSES = [
    "Syrian militias, came under attack in the American coalition, not coordinated their operation with the "
    "Russian military, said the defense Ministry.",
    "15 September was held the sixth round of negotiations, which failed to agree on the boundaries of all four "
    "zones, where you must sign a ceasefire.",
    "Moscow is responsible, that pre-warns US about the impending attacks, which are directed only against ISIL.",
]


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="issue 16: long sentences with local damage still score above the threshold")
@pytest.mark.parametrize("sentence", KNOWN_MISSES)
def test_named_misses_are_flagged(sentence):
    assert quality.score_texts([sentence])[0] < quality.thresholds()["body"]


def test_title_case_headlines_are_scored_in_sentence_case():
    assert quality.sentence_case("Parliament Does Not Support Amendment Freeing Tymoshenko") == \
        "Parliament does not support amendment Freeing Tymoshenko"
    # all-capital words (acronyms) keep their capitals; lengths never change (offsets stay valid)
    t = "Rajchl Promises That under Him, the FAČR Will Start Working Hard"
    assert quality.sentence_case(t) == "Rajchl promises that under him, the FAČR will start working hard"
    # an ordinary sentence-case headline or sentence is left as it is
    for text in ("Russia denies striking SDF militia in Deir Ezzor", "Hit by the US coalition of Syrian militias", ""):
        assert quality.sentence_case(text) == text


# -- dependency order (issue 16) ----------------------------------------------------------------
def _parse(texts):
    from mtcheck.neural import parse

    try:
        return parse.parse_texts(texts)
    except parse.ParseUnavailable as e:
        pytest.skip(str(e))


def test_the_features_own_parse_skips_the_attribute_ruler_and_reads_the_same_orders():
    from mtcheck.neural import parse

    texts = ["Police detained two suspects.", "15 September was held the sixth round of talks in Astana.",
             "Russian soldiers in the area of Deir ez-Zor no.", "In the SDS said that the LIH fighters left the city."]
    full = _parse(texts)
    lite = parse.parse_for_dependency_order(texts)
    assert [quality.dependency_sequences(d) for d in lite] == [quality.dependency_sequences(d) for d in full]
    assert [quality.dep_order_features(d) for d in lite] == [quality.dep_order_features(d) for d in full]
    # the component left out really did not run: no coarse POS, which the syntax rules' parse has
    assert all(t.pos_ == "" for d in lite for t in d) and any(t.pos_ == "VERB" for d in full for t in d)


def test_dependency_sequences_list_each_heads_dependents_in_order():
    (sdoc,) = _parse(["Police detained two suspects."])
    seqs = quality.dependency_sequences(sdoc)
    assert ["H=VBD", "nsubj", "*", "dobj", "p."] in seqs
    assert ["H=NNS", "nummod", "*"] in seqs
    assert len(seqs) == 2  # words without dependents have no sequence


# English order, and the same sentence in the Russian order machine translation leaves behind
RUSSIAN_ORDER = [
    ("The sixth round of negotiations was held on 15 September.", "On 15 September was held the sixth round of negotiations."),
    ("The defence ministry said this on Monday.", "This said on Monday the defence ministry."),
    ("The militants did not coordinate their operation with the Russian military.",
     "The militants their operation with the Russian military not coordinated."),
    ("Police detained two suspects in the city centre.", "In the city centre were detained by police two suspects."),
]


@pytest.mark.parametrize("english, russian", RUSSIAN_ORDER)
def test_russian_word_order_is_more_surprising_to_the_dependency_order_model(english, russian):
    good, bad = (quality.dep_order_features(d) for d in _parse([english, russian]))
    assert bad["dep_order_mean"] > good["dep_order_mean"]
    assert bad["dep_order_top3"] > good["dep_order_top3"]
    assert bad["dep_order_win3"] > good["dep_order_win3"]


def test_remembered_surprisals_are_the_computed_ones(monkeypatch):
    counts = {1: {("nsubj",): 3, ("*",): 4, ("dobj",): 2, ("</s>",): 4},
              2: {("H=VBD", "nsubj"): 3, ("nsubj", "*"): 3, ("*", "dobj"): 2, ("dobj", "</s>"): 2, ("*", "</s>"): 2}}
    om = quality.DependencyOrderModel(2, 0.75, counts)
    seq = ["H=VBD", "nsubj", "*", "dobj"]
    first = om.surprisals(seq)
    first.append(99.0)  # the caller's list is its own: the memo keeps what was computed
    assert om.surprisals(seq) == first[:-1] == quality.DependencyOrderModel(2, 0.75, counts).surprisals(seq)
    assert om.surprisals(["H=VBD", "*", "nsubj"]) != first[:-1]  # another sequence, other bits
    monkeypatch.setattr(quality, "SCORED_SEQUENCES", 0)  # a full memo: still computed, not stored
    fresh = quality.DependencyOrderModel(2, 0.75, counts)
    assert fresh.surprisals(seq) == first[:-1] and not fresh._scored


def test_the_dependency_order_model_is_the_one_the_quality_model_was_fitted_with():
    import hashlib

    spec = _artifact()["dep_order"]
    path = registry.artifact_path("quality").parent / spec["file"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == spec["sha256"]
    om = quality.dep_order_model()
    assert om.order >= 3 and om.vocabulary_size > 50
    # a probability distribution over the next label: what it gives the symbols it knows, and
    # the share left for unseen ones, add up to one
    known = {gram[0] for gram in om.counts[1]}
    context = ("<s>",) * (om.order - 2) + ("H=VBD",)
    total = sum(om.probability(context, sym) for sym in known) + om.probability(context, "never-seen-label")
    assert total == pytest.approx(1.0, abs=1e-6)


def test_a_rebuilt_dependency_order_model_is_a_one_line_error(tmp_path, monkeypatch):
    data = _artifact()
    (tmp_path / "quality.json").write_text(json.dumps(data))
    (tmp_path / data["dep_order"]["file"]).write_text("{}")
    monkeypatch.setattr(registry, "artifact_path", lambda role: tmp_path / "quality.json")
    quality.model.cache_clear()
    quality.dep_order_model.cache_clear()
    try:
        with pytest.raises(quality.QualityModelError, match="sha256 differs"):
            quality.dep_order_model()
    finally:
        monkeypatch.undo()
        quality.model.cache_clear()
        quality.dep_order_model.cache_clear()


def test_without_a_parser_the_dependency_order_features_take_their_training_mean(monkeypatch):
    from mtcheck.neural import parse

    def unavailable(texts, batch_size=0, disable=()):
        raise parse.ParseUnavailable("no spaCy here")

    monkeypatch.setattr(parse, "parse_texts", unavailable)
    (row,) = quality.features(["Police detained two suspects."], [None], dep_order=True)
    qm = quality.model()
    means = dict(zip(qm.features, qm.mean))
    for name in quality.DEP_ORDER_FEATURES:
        assert row[name] == pytest.approx(means.get(name, 0.0))
