"""The repair examples the fix scorer is fitted on (scripts/repair_examples.py): each synthetic
damage class is damage its transform repairs (damage a clean sentence, repair it, get the clean
sentence back), how a repair is labelled against the human version, and that the training
parts of the data sets stay apart from the parts the evaluation scripts hold out.

The damage classes and harvest read the spaCy parse (en_core_web_sm, a dependency); nothing here
loads torch.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import repair_examples as rx  # noqa: E402

from mtcheck.rewrite.repairs import apply_one, transform_by_name, transforms  # noqa: E402

# A clean sentence per damage class: the damage must show, and the transform of the same name
# must undo it exactly.
CLEAN = {
    "impersonal-passive": "It was decided to send the military police.",
    "subjectless-report": "It was reported that the talks failed.",
    "fronted-passive": "On 15 September, the sixth round of negotiations was held.",
    "prepositional-subject": "The Kremlin said that the talks had failed.",
    "bare-negation": "There are no Russian soldiers in the area.",
    "calqued-preposition": "The ministry accused the United States of the transfer of data.",
    "missing-preposition": "The spokesman refused to comment on the situation in the city.",
    "can-not": "Rescuers cannot yet reach the region.",
    "subject-verb-agreement": "The new rules have been in force since May.",
    "future-in-condition": "If the state continues to meet its goals, the law could cut taxes.",
    "which-for-person": "The police questioned a witness, who saw the attack from the bridge.",
    "institution-article": "The representative of the Russian Foreign Ministry said that the talks failed.",
    "name-article": "Forces supported by Russia came close to those who support the US.",
    "comma-before-that": "The ministry said that the strikes had stopped.",
    "quote-attribution": '"The strikes will continue," said the Russian Defense Ministry.',
    "participle-fragment": "Special forces broke through the encirclement, injuring three commandos.",
    "subordinate-fragment": "The ministry said the operation had ended, as the Syrian army declared its intention to retake the city.",
    "while-fragment": "Meanwhile, the Russian Foreign Ministry pointed out that the United States had warned Russia.",
}


@pytest.fixture(scope="module")
def nlp(spacy_pipeline):
    return spacy_pipeline


def damage(name: str, text: str, nlp) -> str | None:
    fn = rx.CORRUPTIONS[name]
    doc = nlp(text)
    return fn(text, doc, random.Random(0)) if name == "calqued-preposition" else fn(text, doc)


def test_every_damage_class_is_a_transform_and_every_transform_has_damage():
    names = {t.name for t in transforms()}
    assert set(rx.CORRUPTIONS) == names == set(CLEAN)


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_damage_is_undone_by_the_transform_of_its_class(name, nlp):
    clean = CLEAN[name]
    damaged = damage(name, clean, nlp)
    assert damaged and damaged != clean
    t = transform_by_name(name)
    if t.joins_previous:  # the fragment stands after the sentence it belongs to
        previous, fragment = damaged.split(". ", 1)
        repaired = apply_one(t, fragment, previous + ".")
    else:
        repaired = apply_one(t, damaged)
    assert repaired == clean


@pytest.mark.parametrize("name, text", [
    ("impersonal-passive", "It was raining when the talks began."),
    ("bare-negation", "There is a problem in the area."),
    ("fronted-passive", "On Monday, the minister said the talks had failed."),
    ("can-not", "Rescuers can reach the region."),
    ("future-in-condition", "If the state will not pay, the law fails."),
    ("while-fragment", "While the army advanced, the militants fled."),
])
def test_damage_abstains_where_its_pattern_is_absent(name, text, nlp):
    assert damage(name, text, nlp) is None


def test_a_nationality_keeps_its_capital_when_a_fronted_word_goes(nlp):
    damaged = damage("while-fragment", "Meanwhile, Hungarian Foreign Minister Peter Szijjarto said the fence is ready.", nlp)
    assert damaged == "While Hungarian Foreign Minister Peter Szijjarto said the fence is ready."


@pytest.mark.parametrize("d_chrf, d_ter, synthetic, verdict", [
    (5.0, -3.0, False, True),     # toward the human version on both measures
    (rx.GOOD_CHRF, 0.0, False, True),
    (0.0, -9.5, False, True),     # "can not" -> "cannot": chrF does not see the space, TER does
    (0.5, 0.0, False, None),      # too little change to call
    (3.0, 2.0, False, None),      # chrF up, TER worse: neither
    (-0.5, 4.0, False, False),    # TER worse, chrF not better
    (-2.0, 0.0, False, False),    # chrF down, TER not better
    (0.5, 0.0, True, False),      # synthetic: not moving toward the clean line is a miss
    (3.0, 2.0, True, False),
])
def test_judge_labels_moves_toward_and_away_from_the_human_version(d_chrf, d_ter, synthetic, verdict):
    assert rx.judge(d_chrf, d_ter, synthetic) is verdict


def test_movement_measures_the_line_against_its_reference():
    ref = "It was decided to send the Russian military police."
    d_chrf, d_ter = rx.movement("Was decided to send the Russian military police.", ref, ref)
    assert d_chrf > rx.GOOD_CHRF and d_ter < 0
    assert rx.movement(ref, ref, ref) == (0.0, 0.0)


def _write_lines(path: Path, n: int, tag: str) -> list[str]:
    lines = [f"{tag} line {i}." for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def test_newstest_training_lines_leave_out_what_the_evaluations_hold_out(tmp_path):
    files = {}
    for year in (*rx.NEWSTEST_YEARS, 2015, *rx.HELD_OUT_NEWSTEST_YEARS):
        files[year] = _write_lines(tmp_path / f"newstest{year}.en", 48, str(year))
    train = rx.newstest_lines(tmp_path)
    held = rx.newstest_lines(tmp_path, held_out=True)
    assert not any(t.startswith(("2015", "2019", "2020")) for t in train)
    for year in rx.NEWSTEST_YEARS:
        lines = files[year]
        assert set(lines[len(lines) // 2:]).isdisjoint(train)  # eval_repairs.py --half heldout
        assert set(lines[::rx.QUALITY_SAMPLE_EVERY]).isdisjoint(train)  # eval_quality.py's sample
        assert lines[1] in train
    assert held == files[2019] + files[2020]


def test_wmt21_training_lines_are_even_stories_of_the_first_half(tmp_path):
    from quality_data import STORY_LINES

    n = 8 * STORY_LINES
    ref = _write_lines(tmp_path / "newstest2021.ru-en.ref.A.en", n, "ref")
    _write_lines(tmp_path / "newstest2021.ru-en.hyp.SysA.en", n, "sysA")
    _write_lines(tmp_path / "newstest2021.ru-en.hyp.SysB.en", n, "sysB")
    mt, refs, ref_lines, line_no = rx.wmt21_lines(tmp_path)
    assert all(k < n // 2 and (k // STORY_LINES) % 2 == 0 for k in line_no)
    assert ref_lines == [ref[k] for k in line_no] and len(mt) == len(refs) == 2 * len(line_no)
    assert mt[0] == f"sysA line {line_no[0]}." and refs[len(line_no)] == ref[line_no[0]]
    held = rx.wmt21_lines(tmp_path, held_out=True)[3]
    assert held == list(range(n // 2, n)) and set(held).isdisjoint(line_no)


def test_harvest_gives_run_time_repairs_with_both_versions_of_the_line(nlp):
    lines = ["Was decided to send the Russian military police.", "The talks went well."]
    found, rejected = rx.harvest(lines)
    assert rejected == 0
    mine = [c for c in found if c.line == 0 and "impersonal-passive" in c.transforms]
    assert mine and mine[0].candidate == "It was decided to send the Russian military police."
    assert mine[0].before == mine[0].expected == mine[0].original == lines[0]
    assert mine[0].after == mine[0].candidate
    assert not [c for c in found if c.line == 1]
