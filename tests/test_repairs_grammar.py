"""The grammar repairs (mtcheck/rewrite/repairs/grammar.py) and the clause repairs added with
them, beyond their own examples (tests/test_repairs.py runs those): verb forms, what a repair
must keep, and the sentences a fair translation has that they must leave alone."""

from __future__ import annotations

import pytest

from mtcheck.rewrite import protect
from mtcheck.rewrite.repairs import apply_one, propose, transform_by_name
from mtcheck.rewrite.repairs.data import word_list
from mtcheck.rewrite.repairs.grammar import third_person


@pytest.fixture(scope="module")
def nlp(spacy_pipeline):
    return spacy_pipeline


@pytest.mark.parametrize("base,form", [("continue", "continues"), ("go", "goes"), ("have", "has"), ("be", "is"),
                                       ("try", "tries"), ("play", "plays"), ("push", "pushes"), ("fix", "fixes"),
                                       ("do", "does"), ("reach", "reaches")])
def test_third_person(base, form):
    assert third_person(base) == form


def test_the_word_lists_load():
    assert {"police", "pair", "news"} <= word_list("number_neutral_nouns")
    assert {"doctor", "witness"} <= word_list("person_nouns")


@pytest.mark.parametrize("name,text", [
    ("can-not", "He had several operations, he can walk, but can not do sports."),
    ("future-in-condition", "If they will not pay, the court will decide."),
    ("subject-verb-agreement", "My second passion were animals, so I went to the veterinary institute."),
])
def test_repairs_keep_negations_numbers_and_names(nlp, name, text):
    out = apply_one(transform_by_name(name), text)
    if out is not None:
        assert protect.violations(out, text, []) == []


def test_the_grammar_repairs_make_one_edit_each_and_compose(nlp):
    text = "If the state will continue to meet its goals, the second-hand textbooks is a good option."
    (repairs,) = propose([text])
    by_names = {r.transforms: r.text for r in repairs}
    assert by_names[("future-in-condition",)] == (
        "If the state continues to meet its goals, the second-hand textbooks is a good option.")
    assert by_names[("subject-verb-agreement",)] == (
        "If the state will continue to meet its goals, the second-hand textbooks are a good option.")
    assert by_names[("subject-verb-agreement", "future-in-condition")] == (
        "If the state continues to meet its goals, the second-hand textbooks are a good option.")


def test_fair_english_is_left_alone(nlp):
    fair = [
        "The police are searching the area, and the pair were seen leaving at noon.",
        "If the talks fail, the war will continue; nobody knows when they will resume.",
        "The report, which was published on Monday, names the doctor who treated him.",
        "The plan can not only cut costs but also save lives, officials said.",
        "While the army advanced, the militants fled.",
        "The ministry reported that the talks had failed.",
        "Renting textbooks is on the rise, and a new generation of students are choosing it.",
    ]
    assert propose(fair) == [[] for _ in fair]


def test_a_repair_that_lays_bare_another_pattern_is_followed_up(nlp):
    # "In the military" hides the subject from while-fragment; once prepositional-subject has
    # put it back, while-fragment sees a "While ..." sentence with no main clause.
    text = "While in the military pointed out that the air force continues its strikes."
    (repairs,) = propose([text])
    by_names = {r.transforms: r.text for r in repairs}
    assert by_names[("prepositional-subject",)] == "While the military pointed out that the air force continues its strikes."
    assert by_names[("prepositional-subject", "while-fragment")] == (
        "Meanwhile, the military pointed out that the air force continues its strikes.")
    assert ("while-fragment",) not in by_names
