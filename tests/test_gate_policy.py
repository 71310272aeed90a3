"""The gate policy: each verdict from each kind of limit, loading and validation.

Findings are built directly on real documents so each limit is exercised on its own,
independent of what the rule families report on a given text.
"""

from __future__ import annotations

import textwrap

import pytest

from mtcheck.config import load_config
from mtcheck.document import Document
from mtcheck.findings import Finding, Severity
from mtcheck.gate.policy import (
    CONFIG_TYPES,
    KEYS,
    PolicyError,
    build_policy,
    default_policy,
    evaluate,
    explain,
    input_error_decision,
)

ENGLISH = (
    "Talks resume in Geneva\n\n"
    "Delegations from both countries met in Geneva on Monday. "
    "The talks focused on the exchange of prisoners. "
    "Officials said the next round would take place in March. "
    "Neither side gave details of the agenda. "
    "A joint statement is expected later this week. "
    "Observers welcomed the resumption of contacts. "
    "The previous round ended without agreement in January. "
    "Both delegations will report to their governments. "
    "The mediators declined to comment.\n"
)
CYRILLIC_SENTENCE = "Министр обороны заявил, что переговоры продолжатся в следующем месяце."
RUSSIAN = "Переговоры в Женеве\n\nДелегации двух стран встретились в понедельник. Переговоры продолжатся в марте.\n"


def doc_with(text: str, findings=()) -> Document:
    doc = Document.from_text(text, path="story.txt")
    doc.findings = list(findings)
    return doc


def finding(doc: Document, sentence: int, category: str, severity: Severity, code: str = "X101") -> Finding:
    s = doc.sentences[sentence]
    return Finding(code=code, category=category, severity=severity, start=s.start, end=s.start + 3,
                   text=doc.text[s.start:s.start + 3], message="test finding")


def with_findings(text: str, spec) -> Document:
    doc = doc_with(text)
    doc.findings = [finding(doc, i, cat, sev) for i, cat, sev in spec]
    return doc


def policy(**overrides):
    table = {k.replace("_", "-"): v for k, v in overrides.items()}
    return build_policy(table, None, None)


# -- verdicts ---------------------------------------------------------------------------------

def test_clean_english_story_is_accepted_by_the_defaults():
    d = evaluate(doc_with(ENGLISH), default_policy(), neural=False)
    assert d.verdict == "accepted"
    assert d.decided_by is None and d.reasons == []


def test_an_error_finding_sends_to_review_by_default():
    doc = with_findings(ENGLISH, [(2, "entity", Severity.ERROR)])
    d = evaluate(doc, default_policy(), neural=False)
    assert d.verdict == "review"
    assert d.decided_by.rule == "review-errors"
    assert d.decided_by.value == 1 and d.decided_by.limit == 0


def test_warnings_up_to_the_limit_pass_and_one_more_reviews():
    three = with_findings(ENGLISH, [(i, "style", Severity.WARNING) for i in (1, 2, 3)])
    four = with_findings(ENGLISH, [(i, "style", Severity.WARNING) for i in (1, 2, 3, 4)])
    assert evaluate(three, default_policy(), neural=False).verdict == "accepted"
    d = evaluate(four, default_policy(), neural=False)
    assert d.verdict == "review" and d.decided_by.rule == "review-warnings"


def test_flagged_share_reviews_then_rejects():
    # 10 sentences (title + 9). Two flagged: 20% > 10% -> review; six flagged: 60% > 50% -> rejected.
    few = with_findings(ENGLISH, [(i, "syntax", Severity.INFO) for i in (1, 2)])
    many = with_findings(ENGLISH, [(i, "syntax", Severity.INFO) for i in range(1, 7)])
    d = evaluate(few, default_policy(), neural=False)
    assert d.verdict == "review" and d.decided_by.rule == "review-flagged-share"
    d = evaluate(many, default_policy(), neural=False)
    assert d.verdict == "rejected" and d.decided_by.rule == "max-flagged-share"
    assert d.decided_by.value == pytest.approx(0.6)
    # The softer limit is reported too, as a reason, not as the decider.
    assert {r["rule"] for r in d.reason_records()} >= {"max-flagged-share", "review-flagged-share"}


def test_russian_story_is_rejected_as_untranslated_even_without_language_findings():
    d = evaluate(doc_with(RUSSIAN), default_policy(), neural=False)
    assert d.verdict == "rejected"
    assert d.decided_by.rule == "require-english"
    assert "untranslated" in d.decided_by.detail and "Cyrillic" in d.decided_by.detail


def test_one_untranslated_sentence_sends_to_review():
    text = ENGLISH + "\n" + CYRILLIC_SENTENCE + "\n"
    d = evaluate(doc_with(text), default_policy(), neural=False)
    assert d.verdict == "review"
    assert d.decided_by.rule == "review-foreign-share"
    assert 0.02 < d.metrics.cyrillic_letter_share < 0.25


def test_language_findings_in_most_sentences_reject_a_latin_script_story():
    # Latin-script text that the language rules call not English (e.g. German).
    german = ("Gespräche in Genf\n\nDie Delegationen trafen sich am Montag. Die Gespräche werden im März fortgesetzt. "
              "Beide Seiten äußerten sich nicht. Eine Erklärung wird erwartet.\n")
    doc = doc_with(german)
    doc.findings = [finding(doc, i, "language", Severity.WARNING, "L102") for i in range(len(doc.sentences))]
    d = evaluate(doc, default_policy(), neural=False)
    assert d.verdict == "rejected" and d.decided_by.rule == "require-english"
    assert "language findings" in d.decided_by.detail
    # Without the language requirement the same findings still flag every sentence.
    d = evaluate(doc, policy(require_english=False), neural=False)
    assert d.verdict == "rejected" and d.decided_by.rule == "max-flagged-share"


def test_require_english_off_lets_the_other_limits_decide():
    d = evaluate(doc_with(RUSSIAN), policy(require_english=False, review_foreign_share=1.0), neural=False)
    assert d.verdict == "accepted"
    assert d.checks[0].outcome == "off"


def test_text_without_letters_is_rejected():
    d = evaluate(doc_with("12 34 56\n78 90\n"), default_policy(), neural=False)
    assert d.verdict == "rejected" and d.decided_by.rule == "require-english"


def test_reject_and_review_categories():
    doc = with_findings(ENGLISH, [(3, "boilerplate", Severity.INFO)])
    # Page furniture (B1xx) is for an editor to cut: review by default, even as an info.
    d = evaluate(doc, default_policy(), neural=False)
    assert d.verdict == "review" and d.decided_by.rule == "review-categories"
    assert evaluate(doc, policy(review_categories=["language"]), neural=False).verdict == "accepted"
    d = evaluate(doc, policy(review_categories=["boilerplate"]), neural=False)
    assert d.verdict == "review" and d.decided_by.rule == "review-categories"
    d = evaluate(doc, policy(reject_categories=["boilerplate"]), neural=False)
    assert d.verdict == "rejected" and d.decided_by.rule == "reject-categories"
    assert d.decided_by.value == {"boilerplate": 1}


def test_per_category_limits():
    doc = with_findings(ENGLISH, [(i, "entity", Severity.INFO) for i in (1, 2, 3)])
    p = policy(review_category={"entity": 2}, max_category={"entity": 5})
    d = evaluate(doc, p, neural=False)
    assert d.verdict == "review" and d.decided_by.rule == "review-category.entity"
    d = evaluate(doc, policy(max_category={"entity": 2}), neural=False)
    assert d.verdict == "rejected" and d.decided_by.rule == "max-category.entity"


def test_hard_error_limit_and_no_limit():
    doc = with_findings(ENGLISH, [(i, "entity", Severity.ERROR) for i in (1, 2, 3)])
    d = evaluate(doc, policy(max_errors=2), neural=False)
    assert d.verdict == "rejected" and d.decided_by.rule == "max-errors"
    d = evaluate(doc, policy(review_errors=-1), neural=False)
    assert d.verdict == "accepted"
    assert next(c for c in d.checks if c.rule == "review-errors").outcome == "off"


def _scored(qualities) -> Document:
    doc = doc_with(ENGLISH)
    for s, q in zip(doc.body_sentences(), qualities, strict=True):
        s.scores["quality"] = q
    return doc


def test_document_quality_reviews_and_rejects_on_the_neural_path():
    limits = default_policy()
    between = (limits["min-quality"] + limits["review-quality"]) / 2
    good, middling, bad = _scored([0.9] * 9), _scored([between] * 9), _scored([0.1] * 9)
    assert evaluate(good, default_policy(), neural=True).verdict == "accepted"
    d = evaluate(middling, default_policy(), neural=True)
    assert d.verdict == "review" and d.decided_by.rule == "review-quality"
    assert d.metrics.quality == pytest.approx(between) and d.metrics.quality_scored == 9
    d = evaluate(bad, default_policy(), neural=True)
    assert d.verdict == "rejected" and d.decided_by.rule == "min-quality"


def test_quality_limits_do_not_apply_rules_only_and_the_record_says_so():
    d = evaluate(_scored([0.1] * 9), default_policy(), neural=False)
    assert d.verdict == "accepted"
    assert {c.rule: c.outcome for c in d.checks}["min-quality"] == "skipped"
    assert any("--no-neural" in n for n in d.notes)


def test_quality_aggregate_changes_the_verdict():
    # Eight good sentences and one very bad one: the mean passes, the minimum does not.
    doc = _scored([0.9] * 8 + [0.05])
    assert evaluate(doc, default_policy(), neural=True).verdict == "accepted"
    d = evaluate(doc, policy(quality_aggregate="min"), neural=True)
    assert d.verdict == "rejected" and d.decided_by.rule == "min-quality"


def test_decider_is_the_first_limit_crossed_in_the_worst_tier():
    doc = with_findings(ENGLISH, [(1, "entity", Severity.ERROR)] + [(i, "syntax", Severity.WARNING) for i in range(2, 8)])
    d = evaluate(doc, policy(max_warnings=3), neural=False)
    assert d.verdict == "rejected"
    assert d.decided_by.rule == "max-warnings"  # comes before max-flagged-share in KEYS order
    rules = [r["rule"] for r in d.reason_records()]
    assert rules.index("max-warnings") < rules.index("max-flagged-share") < rules.index("review-errors")


def test_bad_input_is_rejected_with_its_kind():
    d = input_error_decision("binary", "binary file, not text; skipped")
    assert d.verdict == "rejected" and d.decided_by.rule == "input"
    assert "binary" in d.summary()


def test_explain_names_the_deciding_rule_and_every_check():
    doc = with_findings(ENGLISH, [(1, "entity", Severity.ERROR)])
    p = default_policy()
    text = explain("story.txt", evaluate(doc, p, neural=False), p)
    assert text.splitlines()[0] == "story.txt: REVIEW"
    assert "decided by review-errors: 1 error finding, more than 0 allowed" in text
    for key in ("require-english", "max-flagged-share", "min-quality", "review-quality"):
        assert key in text
    assert "policy: defaults" in text


# -- loading and validation ---------------------------------------------------------------------

def test_config_section_lists_exactly_the_policy_keys():
    from mtcheck.gate.policy import CONFIG

    assert CONFIG.name == "gate" and set(CONFIG.keys) == {k.name for k in KEYS}
    for k in KEYS:
        assert CONFIG.keys[k.name] == CONFIG_TYPES[k.kind], k.name


def test_policy_from_pyproject_and_policy_file_override_in_order(tmp_path):
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [tool.mtcheck.gate]
        review-warnings = 10
        max-flagged-share = 0.4
        audit-log = "logs/gate.jsonl"
    """))
    cfg = load_config(tmp_path / "pyproject.toml")
    policy_file = tmp_path / "strict.toml"
    policy_file.write_text("[gate]\nmax-flagged-share = 0.2\nreject-categories = ['language']\n")
    p = build_policy(cfg.section("gate"), cfg.path, policy_file)
    assert p["review-warnings"] == 10  # from config
    assert p["max-flagged-share"] == 0.2  # policy file wins
    assert p["reject-categories"] == ["language"]
    assert p["review-errors"] == 0  # default
    assert p["audit-log"] == str(tmp_path / "logs" / "gate.jsonl")  # relative to the config file
    assert p.sources[0] == "defaults" and p.sources[-1] == str(policy_file)


def test_policy_file_with_top_level_keys(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text("min-quality = 0.2\nreview-quality = 0.7\n")
    p = build_policy({}, None, f)
    assert (p["min-quality"], p["review-quality"]) == (0.2, 0.7)


@pytest.mark.parametrize("content, message", [
    ("max-errors = [", "malformed TOML"),
    ("max-eror = 3", "unknown policy key 'max-eror'"),
    ("max-errors = 'three'", "'max-errors' must be a whole number"),
    ("max-errors = -5", "'max-errors' must be a whole number"),
    ("max-flagged-share = 1.5", "between 0 and 1"),
    ("review-quality = true", "got a boolean"),
    ("require-english = 1", "must be true or false"),
    ("reject-categories = ['grammar']", "unknown category 'grammar'"),
    ("max-category = {entity = -1}", "max-category.entity"),
    ("quality-aggregate = 'mode'", "must be one of mean, median"),
    ("gate = 3", "'gate' must be a table"),
    ("max-errors = 1\n[gate]\nmax-warnings = 2", "both at the top level and under [gate]"),
])
def test_malformed_policy_files_give_one_line_errors(tmp_path, content, message):
    f = tmp_path / "policy.toml"
    f.write_text(content + "\n")
    with pytest.raises(PolicyError) as e:
        build_policy({}, None, f)
    assert message in str(e.value)
    assert str(f) in str(e.value) and "\n" not in str(e.value)


def test_missing_policy_file(tmp_path):
    with pytest.raises(PolicyError, match="cannot read policy"):
        build_policy({}, None, tmp_path / "nope.toml")


def test_unknown_gate_key_in_config_is_a_config_error(tmp_path):
    from mtcheck.config import ConfigError

    (tmp_path / "mtcheck.toml").write_text("[gate]\nmax-errrors = 1\n")
    from mtcheck.cli.common import config_sections

    with pytest.raises(ConfigError, match="unknown setting 'gate.max-errrors'"):
        load_config(tmp_path / "mtcheck.toml", config_sections())
