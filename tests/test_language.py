"""Language rules (L1xx): untranslated Cyrillic, look-alike letters, text that is not English."""

from __future__ import annotations

import pytest

from mtcheck.config import Config
from mtcheck.engine import Scanner
from mtcheck.findings import Severity
from mtcheck.reader import read_document
from mtcheck.rules import language
from mtcheck.settings import Settings


def scan(text: str, select=("language",)):
    return Scanner(Settings(config=Config(select=list(select)), neural=False, parse=False)).scan_text(text)


def found(doc) -> list[tuple[str, str]]:
    for f in doc.findings:
        assert doc.text[f.start:f.end] == f.text
        assert f.category == "language"
    return [(f.code, f.text) for f in doc.findings]


# -- L101 untranslated Cyrillic -------------------------------------------------------------

@pytest.mark.parametrize("text, run", [
    ("The agency quoted the head of Минобороны as saying the strikes would continue.", "Минобороны"),
    ("The newspaper «Новая газета» reported the deaths on Tuesday.", "Новая газета"),
    ("He said: Он сказал, что все хорошо. The talks ended.", "Он сказал, что все хорошо"),
])
def test_untranslated_cyrillic_span_is_the_cyrillic_run(text, run):
    doc = scan(text)
    assert found(doc) == [("L101", run)]
    f = doc.findings[0]
    assert f.severity == Severity.ERROR
    assert f.suggestion is None
    assert run[:20] in f.message


def test_cyrillic_runs_are_reported_separately_with_their_line_and_column():
    line = "First Москва, then the rest of it, and later Сирия too."
    doc = scan(f"Title line\n\n{line}\n")
    assert found(doc) == [("L101", "Москва"), ("L101", "Сирия")]
    assert doc.line_col(doc.findings[1].start) == (3, line.index("Сирия") + 1)


# -- L103 look-alike letters ----------------------------------------------------------------

@pytest.mark.parametrize("text, word, fixed", [
    ("Talks in Mоscow ended on Monday.", "Mоscow", "Moscow"),  # Cyrillic о
    ("The submarine of project 885М is based in the north.", "885М", "885M"),  # Cyrillic М
    ("At night the temperature will drop to +9...+14º С in the region.", "С", "C"),  # lone Cyrillic С
])
def test_lookalike_letters_get_a_safe_fix(text, word, fixed):
    doc = scan(text)
    assert found(doc) == [("L103", word)]
    f = doc.findings[0]
    assert f.suggestion == fixed and f.safe_fix
    assert f.fix.edits[0].replacement == fixed


def test_a_cyrillic_initial_in_russian_text_is_not_a_lookalike():
    doc = scan("В Москве С. Петров заявил об этом.")
    assert [c for c, _ in found(doc)] == ["L101"]


# -- L102 not English -----------------------------------------------------------------------

@pytest.mark.parametrize("text, lang", [
    ("Die Bundesregierung hat am Dienstag beschlossen, dass die Truppen in Syrien bleiben sollen.", "de"),
    ("Le ministère de la Défense a annoncé mardi que les troupes resteraient en Syrie.", "fr"),
    ("El ministerio de defensa ruso dijo que los ataques fueron dirigidos contra los terroristas.", "es"),
])
def test_foreign_segments_are_not_english(text, lang):
    doc = scan("The ministry published its statement on Monday. " + text)
    assert [c for c, _ in found(doc)] == ["L102"]
    f = doc.findings[0]
    assert f.text == text and f.data["language"] == lang
    assert f.severity == Severity.WARNING


def test_transliterated_russian_is_not_english():
    text = "Voennye zayavili, chto boeviki obstrelyali pozitsii siriyskoy armii v rayone aeroporta."
    assert [c for c, _ in found(scan(text))] == ["L102"]


@pytest.mark.parametrize("text", [
    "BREAKING: Russia denies striking SDF militia in Deir Ezzor",  # headline, few function words
    "Zenit: Lunev, Neto, Smolnikov, Ivanovich, Nabiullin (Zabolotny, 83), Erokhin, Shatov, Dzyuba.",
    "Jordi Alba: \"Cristiano Ronaldo can't compare to Messi\".",
    "Russia's military has said it had nothing to do with the attack and the USA accepted the claim.",
    "Kurz.",  # too short to judge
])
def test_english_and_unjudgeable_segments_are_left_alone(text):
    assert found(scan(text)) == []


def test_detection_is_reproducible():
    text = "Voennye zayavili, chto boeviki obstrelyali pozitsii siriyskoy armii v rayone aeroporta."
    first = language.detect_languages(text)
    assert first and all(language.detect_languages(text) == first for _ in range(3))


@pytest.mark.parametrize("text", [
    "Voennye zayavili, chto boeviki obstrelyali pozitsii siriyskoy armii v rayone aeroporta.",
    "Die Bundesregierung hat am Dienstag beschlossen, dass die Truppen in Syrien bleiben sollen.",
    "Министерство обороны сообщило об ударе по позициям боевиков в районе аэропорта.",
    "Stallion Vulnerable blossoms Reconcile prostitution Sanctuary Ramirez",
    "The ministry said the strike hit a depot near the airport on Tuesday night.",
])
def test_the_detector_gives_langdetects_own_probabilities(text):
    """The detector's trials, done on numpy rows, give every probability exactly as langdetect's
    own Detector computes it (the same draws, the same floats)."""
    from langdetect.detector import Detector

    factory = language._detector_factory()
    fast = factory.create()
    assert type(fast) is not Detector  # (the faster one is the one in use)
    plain = Detector(factory)
    for detector in (fast, plain):
        detector.append(text)
    assert [(p.lang, p.prob) for p in fast.get_probabilities()] == [(p.lang, p.prob) for p in plain.get_probabilities()]
    assert fast.langprob == plain.langprob  # every language's, not only those reported


def test_the_detector_draws_its_ngrams_without_random_choice():
    """The trials draw an n-gram as ``random.Random.choice`` would, by getrandbits (this
    Python's choice is checked to draw so): the probabilities test above then covers that path."""
    assert language._choice_is_getrandbits()


def test_the_detectors_ngram_rows_made_together_are_add_profiles_lists():
    """``LazyProbabilities.rows`` makes the lists of the n-grams it has not made yet together
    (numpy), each the list made alone (``add_profile``'s arithmetic), whichever were made before."""
    factory = language._detector_factory()
    profiles, size = factory.word_lang_prob_map._profiles, factory.word_lang_prob_map._langsize
    words = sorted(factory.word_lang_prob_map._keys)[::997] + ["a", "e", "th", " t", "the", "ин", "ся "]
    words = [w for w in dict.fromkeys(words) if w in factory.word_lang_prob_map]
    together, alone = language.LazyProbabilities(profiles, size), language.LazyProbabilities(profiles, size)
    assert together.rows(words[:3]) == [alone[w] for w in words[:3]]
    assert together.rows(words) == [alone[w] for w in words]  # (some made before, most not)
    assert any(0.0 < p < 1.0 for row in together.rows(words) for p in row)
    with pytest.raises(KeyError):
        together.rows(["not an n-gram"])


def test_looks_english_many_counts_a_text_of_more_words_than_a_weight_field_holds(monkeypatch):
    """A text of more words than ``MAX_PACKED_WORDS`` has its counts summed field by field (the
    packed sum would carry one count into the next): judged as ``looks_english`` judges it."""
    texts = [
        "The ministry said on Tuesday that the strike hit a depot near the airport",
        "Stallion Vulnerable blossoms Reconcile prostitution Sanctuary Ramirez depot",
        "Voennye zayavili chto boeviki obstrelyali pozitsii siriyskoy armii v rayone aeroporta",
        "Moscow Kremlin Putin",
        "strike depot airport ministry tuesday night",
    ]
    expected = [language.looks_english(t) for t in texts]
    assert expected.count(True) >= 2 and None in expected  # (both outcomes are exercised)
    assert language.looks_english_many(texts) == expected
    monkeypatch.setattr(language, "MAX_PACKED_WORDS", 3)
    assert language.looks_english_many(texts) == expected


@pytest.mark.parametrize("text", [
    "“The ministry said on Tuesday that the strike hit a depot — near the airport”",
    "Stallion Vulnerable blossoms — Reconcile prostitution Sanctuary Ramirez «depot»",
    "Voennye zayavili — chto boeviki obstrelyali pozitsii siriyskoy armii v rayone aeroporta…",
    "“Moscow” – “Kremlin” – “Putin”",
    "“It’s the ministry’s depot,” the officials said on Tuesday near the airport",
    "Erdoğan said the strike hit a depot near the airport on Tuesday — officials",
    "— … —",
])
def test_looks_english_many_judges_text_past_ascii_by_marks_as_looks_english(text):
    """A text past ASCII by marks only (curly quotes, dashes; no letter, no apostrophe) is
    judged with the plain texts, its marks made spaces: as ``looks_english`` judges it."""
    texts = [text, "The ministry said the strike hit a depot near the airport on Tuesday night."]
    assert language.looks_english_many(texts) == [language.looks_english(t) for t in texts]


def test_plain_english_never_consults_the_detector(seeds_dir, monkeypatch):
    def refuse():
        raise AssertionError("langdetect loaded for plain English")

    monkeypatch.setattr(language, "_detector_factory", refuse)
    scanner = Scanner(Settings(config=Config(select=["language"]), neural=False, parse=False))
    docs = [read_document(str(p)) for p in sorted(seeds_dir.glob("*.txt"))]
    scanner.pipeline.run(docs)
    assert sum(len(d.findings) for d in docs) == 0


def test_mostly_cyrillic_text_is_l101_only():
    doc = scan("Министерство обороны России сообщило об ударе по позициям боевиков в провинции.")
    assert [c for c, _ in found(doc)] == ["L101"]


def test_rules_can_be_selected_one_by_one():
    text = "Talks in Mоscow and in Минобороны. Le ministère de la Défense a annoncé mardi que les troupes resteraient en Syrie."
    assert {c for c, _ in found(scan(text))} == {"L101", "L102", "L103"}
    assert {c for c, _ in found(scan(text, select=("L103",)))} == {"L103"}
    assert {c for c, _ in found(scan(text, select=("L101", "L102")))} == {"L101", "L102"}


def test_a_cyrillic_run_stays_on_its_line():
    doc = scan("Он сказал:\n\nМосква, 5 мая.")
    assert found(doc) == [("L101", "Он сказал"), ("L101", "Москва, 5 мая")]


@pytest.mark.parametrize("run", ["a" * 51, "é" * 51, "Ǿ" * 51, "x" * 30 + "ß" * 21])
def test_overlong_runs_of_any_latin_letter_are_found(run):
    # L104 looks for runs on the text's UTF-8 bytes before the regex: accented letters are two
    # bytes each, and must still count.
    hits = [(f.code, f.text) for f in scan(f"The report said {run} and more.", select=("L104",)).findings]
    assert hits == [("L104", run)]
    assert scan(f"The report said {run[:50]} and more.", select=("L104",)).findings == []
