"""Fix scoring: the committed artifact, its validation, the lexical components, and (slow) the
real scorers' behaviour: the post-edit of a garbled MT sentence scores above a damaged version
of it (negation dropped, number altered, name changed, words shuffled, clause deleted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mtcheck.rewrite import fixscore
from mtcheck.rewrite.fixscore import FixScoreModelError, Pair


def artifact() -> dict:
    return json.loads(fixscore.default_path().read_text(encoding="utf-8"))


def test_committed_artifact_loads_and_documents_itself():
    model = fixscore.load_model()
    for name, feats in (("neural", fixscore.NEURAL_FEATURES), ("lexical", fixscore.LEXICAL_FEATURES)):
        f = model.formula(name == "neural")
        assert set(f.features) == set(feats)
        assert 0.5 <= f.threshold < 1.0
    # fitted with the sentence-quality models in use (refit after mtcheck/data/models/quality.json changes)
    assert not model.stale_quality(), "mtcheck/data/models/fix_score.json predates mtcheck/data/models/quality.json: run scripts/train_fix_score.py"
    a = artifact()
    assert a["created_by"].startswith("scripts/train_fix_score.py")
    assert "MLQE-PE" in a["data"]["source"] and a["figures"]["neural"]["cv_auroc_by_kind"]


def test_committed_artifact_was_fitted_with_repair_candidates():
    """The offline repairs are in the training data (scripts/repair_examples.py), and the
    artifact says how each kind of repair example fares at the repairs' bar."""
    a = artifact()
    kinds = a["data"]["examples"]
    assert kinds.get("repair_restores", 0) > 0 and kinds.get("repair_on_clean", 0) + kinds.get("repair_misses", 0) > 0
    assert "--no-repairs" not in a["created_by"] and a["data"]["repairs"]
    for name in ("neural", "lexical"):
        by_kind = a["figures"][name]["cv_repairs_by_kind"]
        assert {"repair_restores", "repair_misses"} <= set(by_kind)
        assert all(v["n"] == kinds[k] and 0.0 <= v["accepted"] <= 1.0 for k, v in by_kind.items())


def _example(sid, hter, kind, source="mlqe"):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import fixscore_data as fd

    return fd.Example(sid, hter, "a", "b", kind, source=source)


def test_threshold_is_calibrated_on_mlqe_hter0_sentences_only():
    """Repair examples (their own bar) never move the calibrated threshold, even on an
    HTER = 0 line of MLQE-PE."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import train_fix_score as tfs

    zero = [_example(i, 0.0, "unrelated") for i in range(100)]
    scores = [0.6] * 99 + [0.7]
    base = tfs.calibrate(scores, zero, 0.01)
    assert sum(s >= base for s in scores) <= 1
    repairs = [_example(1000 + i, 0.0, "repair_on_clean", source="repairs") for i in range(50)]
    assert tfs.calibrate(scores + [0.99] * 50, zero + repairs, 0.01) == base
    assert _example(1, None, "repair_restores", "repairs").label == 1 and repairs[0].label == 0


@pytest.mark.parametrize("mutate, message", [
    (lambda a: a.update(extra=1), "unknown key 'extra'"),
    (lambda a: a["formulas"].pop("lexical"), "formulas.lexical is missing"),
    (lambda a: a["formulas"]["neural"]["features"].pop(), "expected features"),
    (lambda a: a["formulas"]["neural"].update(threshold=1.5), "threshold must lie in"),
    (lambda a: a["formulas"]["neural"].pop("coef"), "missing or malformed"),
    (lambda a: a["formulas"]["neural"].update(bias=0), "unknown key 'bias'"),
])
def test_malformed_artifact_is_a_clear_error(tmp_path, mutate, message):
    a = artifact()
    mutate(a)
    path = tmp_path / "fix_score.json"
    path.write_text(json.dumps(a))
    with pytest.raises(FixScoreModelError, match=message) as info:
        fixscore.load_model(str(path))
    assert str(path) in str(info.value)
    path.write_text("{not json")
    with pytest.raises(FixScoreModelError, match="malformed JSON"):
        fixscore.load_model.__wrapped__(str(path))


def test_lexical_components():
    original = "On 8 Feb. ISIL said 25 soldiers were not wounded."
    same, = fixscore.lexical_components([Pair(original, original)])
    assert same == {"chrf": 1.0, "entity_kept": 1.0, "number_kept": 1.0, "negation_kept": 1.0, "length_dev": 0.0}
    changed, = fixscore.lexical_components([Pair(original, "On 9 March, IS said 35 soldiers were wounded.")])
    assert changed["number_kept"] == 0.0  # 8 -> 9, 25 -> 35, Feb -> March
    assert changed["entity_kept"] == 0.0 and changed["negation_kept"] == 0.0 and changed["chrf"] < 0.8
    added, = fixscore.lexical_components([Pair("He saw 3 tanks.", "He saw 3 tanks and 4 trucks.")])
    assert added["number_kept"] == 0.5  # an added number costs like a dropped one
    # names are checked against the expected (rule-fixed) sentence, not the original
    fixed, = fixscore.lexical_components([Pair("LIH fighters attacked.", "ISIL fighters attacked.", "ISIL fighters attacked.")])
    assert fixed["entity_kept"] == 1.0


def test_lexical_scoring_needs_no_torch():
    code = (
        "import sys\n"
        "from mtcheck.rewrite.fixscore import Pair, score_pairs\n"
        "[(s, c)] = score_pairs([Pair('LIH fighters attacked.', 'ISIL fighters attacked.', 'ISIL fighters attacked.')], neural=False)\n"
        "assert 0 <= s <= 1, s\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_bad_rewrite_settings_are_usage_errors(tmp_path):
    from click.testing import CliRunner

    from mtcheck.cli import cli

    story = tmp_path / "s.txt"
    story.write_text("Militants of LIH attacked.\n")
    cfg = tmp_path / "mtcheck.toml"
    cfg.write_text("[rewrite]\nthreshold = 1.5\n")
    res = CliRunner().invoke(cli, ["scan", "--rewrite", "--no-neural", "--no-cache", "--config", str(cfg), str(story)])
    assert res.exit_code == 2 and "threshold must lie in [0, 1]" in res.stderr and "Traceback" not in res.output
    cfg.write_text(f'[rewrite]\nmodel = "{tmp_path / "missing.json"}"\n')
    res = CliRunner().invoke(cli, ["scan", "--rewrite", "--no-neural", "--no-cache", "--config", str(cfg), str(story)])
    assert res.exit_code == 2 and "cannot read the fix-score model" in res.stderr


# (garbled MT, human-style post-edit, damaged versions of the post-edit)
CASES = [
    ("Syrian militias, came under attack in the American coalition, not coordinated their operation with the Russian military.",
     "The Syrian militias that came under attack by the American coalition had not coordinated their operation with the Russian military.",
     {"negation_dropped": "The Syrian militias that came under attack by the American coalition had coordinated their operation with the Russian military.",
      "name_changed": "The Syrian militias that came under attack by the American coalition had not coordinated their operation with the Turkish military.",
      "clause_deleted": "The Syrian militias had not coordinated."}),
    ("Russian soldiers in the area of the Syrian province of Deir ez-Zor no.",
     "There are no Russian soldiers in the area of the Syrian province of Deir ez-Zor.",
     {"negation_dropped": "There are Russian soldiers in the area of the Syrian province of Deir ez-Zor.",
      "name_changed": "There are no Russian soldiers in the area of the Syrian province of Raqqa.",
      "words_shuffled": "There are no Russian province in the area of the Syrian soldiers of Deir ez-Zor."}),
    ("The defense Ministry said that the shelling was 25 wounded Syrian militias.",
     "The Defense Ministry said 25 Syrian militiamen were wounded in the shelling.",
     {"number_altered": "The Defense Ministry said 35 Syrian militiamen were wounded in the shelling.",
      "words_shuffled": "The Defense Ministry said 25 wounded were Syrian militiamen in the shelling.",
      "unrelated": "Stocks in Tokyo closed higher on Friday after a week of losses."}),
    ("More than 100 fighters of Pro-government forces in Syria were victims of retaliatory strike the US-led coalition.",
     "More than 100 pro-government fighters in Syria were killed in a retaliatory strike by the US-led coalition.",
     {"number_altered": "More than 300 pro-government fighters in Syria were killed in a retaliatory strike by the US-led coalition.",
      "negation_dropped": None,
      "clause_deleted": "More than 100 pro-government fighters in Syria were killed."}),
]


@pytest.mark.slow
def test_post_edit_scores_above_damaged_versions():
    pairs, where = [], []
    for mt, pe, bad in CASES:
        pairs.append(Pair(mt, pe))
        where.append((mt, "good"))
        for kind, text in bad.items():
            if text:
                pairs.append(Pair(mt, text))
                where.append((mt, kind))
    scored = fixscore.score_pairs(pairs, neural=True)
    threshold = fixscore.load_model().formula(True).threshold
    good = {mt: s for (mt, kind), (s, _) in zip(where, scored) if kind == "good"}
    for (mt, kind), (s, comps) in zip(where, scored):
        assert 0.0 <= s <= 1.0
        if kind != "good":
            assert s < good[mt], (kind, s, good[mt], comps)
            # A changed name is refused before scoring (protect.violations, tests/test_rewrite.py);
            # the formula need only rank it below the post-edit. Every other damage must also
            # stay under the bar on its own.
            if kind != "name_changed":
                assert s < threshold, (kind, s, comps)
    # the fluent post-edits read as more fluent than the garbled MT, to the LM scorer
    gains = [c["fluency_gain"] for (mt, kind), (_, c) in zip(where, scored) if kind == "good"]
    assert sum(g > 0 for g in gains) >= 3, gains


# -- the fast paths give the general path's numbers ------------------------------------------


def _sentences_for_speed_checks() -> list[str]:
    """Sentences of the seed stories (names, numbers, months, negations, quotes) and the cases
    above, plus texts at the edges of chrF's n-gram orders (empty, a few letters, spaces only)."""
    from pathlib import Path

    from mtcheck.document import Document

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    texts = [s.text for p in sorted(seeds.glob("*.txt")) for s in Document.from_text(p.read_text(encoding="utf-8")).sentences]
    texts += [t for mt, pe, bad in CASES for t in (mt, pe, *bad.values()) if t]
    texts += ["", " ", "a", "ab c", "IS", "ISIL's ISIL", "  On 9 May, 2017  no  ", "Moscow's Moscow 's -Kremlin- U.S. US"]
    return texts


def test_an_unchanged_candidate_scores_as_the_general_formulas_say():
    texts = _sentences_for_speed_checks()
    assert len(texts) > 100
    for text in texts:
        fast, = fixscore.lexical_components([Pair(text + " (original)", text, text)])
        assert fast == fixscore._general_components(Pair(text + " (original)", text, text)), text


def test_lexical_components_of_a_batch_are_those_of_each_pair():
    # repeated texts (cached per text) and changed candidates (the general path) in one batch
    texts = _sentences_for_speed_checks()
    pairs = [Pair(a, b, e) for a, b, e in zip(texts, texts[1:] + texts[:1], texts[2:] + texts[:2])]
    pairs += [Pair(t, t) for t in texts] + pairs[:40]
    assert fixscore.lexical_components(pairs) == [fixscore._general_components(p) for p in pairs]


def test_unchanged_lexical_scores_are_those_of_score_pairs():
    # texts with the same number of letters share one scoring: each must still be its own pair's
    texts = _sentences_for_speed_checks()
    texts += ["ab cd", "abcd", "a bcd", "On 9 May", "On9May"]
    want = fixscore.score_pairs([Pair(t + " (original)", t, t) for t in texts], neural=False)
    assert fixscore.unchanged_lexical_scores(texts) == want
