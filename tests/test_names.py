"""Names and words no gazetteer lists: E106 (Latin that reads as Russian), E107 (Arabic names
through Russian), acronym evidence from a loose spelling-out, and the scheme-blind keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtcheck import russian_lexicon as rl
from mtcheck import translit
from mtcheck.config import Config
from mtcheck.data import DataError
from mtcheck.engine import Scanner
from mtcheck.settings import Settings

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def scan(text: str) -> list:
    scanner = Scanner(Settings(config=Config(select=["entity", "E106"]), neural=False, parse=False))
    doc = scanner.scan_text(text)
    for f in doc.findings:
        assert doc.text[f.start:f.end] == f.text, f
    return doc.findings


def codes(text: str, code: str) -> list[tuple[str, str | None]]:
    return [(f.text, f.suggestion) for f in scan(text) if f.code == code]


# -- scheme-blind keys -----------------------------------------------------------------------

@pytest.mark.parametrize("latin, cyrillic", [
    ("Sledkom", "Следком"), ("Shojgu", "Шойгу"), ("Shoigu", "Шойгу"), ("Šojgu", "Шойгу"),
    ("Yeltsin", "Ельцин"), ("El'cin", "Ельцин"), ("Rossija", "Россия"), ("Rossiya", "Россия"),
    ("Aleksej", "Алексей"), ("Xabarovsk", "Хабаровск"), ("Khabarovsk", "Хабаровск"),
])
def test_every_scheme_gives_the_cyrillic_skeleton(latin, cyrillic):
    assert translit.skeleton_cyrillic(cyrillic) in translit.skeletons_latin(latin)


def test_skeletons_keep_different_words_apart():
    assert translit.skeleton_cyrillic("Следком") not in translit.skeletons_latin("Sledcom")
    assert translit.skeletons_latin("x" * 41) == ()  # too long to be a word: not looked up


def test_scheme_of_names_the_rendering():
    assert translit.scheme_of("Aleksej", "Алексей") == "GOST 7.79-B"
    assert translit.scheme_of("Aleksey", "Алексей") == "BGN/PCGN"
    assert translit.scheme_of("Alexei", "Алексей") == "letter by letter"


def test_news_keys_are_the_renderings_news_accepts():
    keys = translit.news_keys("Алексей")
    assert {"aleksey", "alexei", "aleksei"} <= keys
    assert "aleksej" not in keys


# -- E106 --------------------------------------------------------------------------------------

def test_clipped_compounds_read_as_russian_with_their_english_form():
    found = {f.text: f for f in scan("The Sledkom opened a case; the Sovbez met, and the dopmer was adopted.")
             if f.code == "E106"}
    assert set(found) == {"Sledkom", "Sovbez", "dopmer"}
    assert found["Sledkom"].suggestion == "Investigative Committee"
    assert found["Sledkom"].data["ru"] == "следком"
    assert "Следком" in found["Sledkom"].message and "clipped compound" in found["Sledkom"].message
    assert found["Sovbez"].suggestion == "Security Council"


def test_vrio_is_acting():
    assert codes("Vrio governor Mikhail Degtyarev met the protesters.", "E106") == [("Vrio", "acting")]


def test_lower_case_russian_word_without_english_form():
    found = [f for f in scan("Those who signed up on nalog will receive notices.") if f.code == "E106"]
    assert [(f.text, f.data["ru"], f.suggestion) for f in found] == [("nalog", "налог", None)]
    assert "no English form known" in found[0].message


def test_english_words_and_names_as_english_writes_them_are_left_alone():
    text = ("Moscow said the Kremlin and the State Duma met in Khabarovsk; Sergei Shoigu and "
            "Roskomnadzor commented. The committee opened a case.")
    assert [f for f in scan(text) if f.code == "E106"] == []


def test_foreign_names_with_other_diacritics_are_not_russian():
    assert codes("Tomáš Paclík and Jürgens spoke.", "E106") == []


def test_capitalised_common_word_is_a_proper_name_not_a_rendering():
    # "Zolotaya Balka" is a company: a capitalised Russian word in English copy is a name.
    assert codes("The festival is put on by the Zolotaya Balka company.", "E106") == []


def test_acronym_letter_by_letter_from_the_lexicon():
    found = [f for f in scan("Deputies of the KPRF faction submitted a bill.") if f.code == "E106"]
    assert [(f.text, f.data["ru"], f.data["rendering"]) for f in found] == [("KPRF", "КПРФ", "letter by letter")]
    assert found[0].suggestion == "CPRF"


def test_english_acronyms_are_not_russian():
    assert codes("NATO, the FBI and the UEFA said the GDP grew.", "E106") == []


def test_linear_in_input_size():
    # A long story of unknown words: one probe per word, no quadratic step.
    text = " ".join(["Sledkom qwrtz"] * 5000)
    findings = [f for f in scan(text) if f.code == "E106"]
    assert len(findings) == 5000


# -- E107 --------------------------------------------------------------------------------------

def test_seed_000_syrian_places():
    text = (SEEDS / "000_b789fdac0961f31d.txt").read_text(encoding="utf-8")
    found = codes(text, "E107")
    assert ("FL-Tabiya", "al-Tabiya") in found
    assert ("El ISBA", "al-Isba") in found


def test_arabic_article_needs_the_context():
    assert codes("Syrian troops entered El-Tabija.", "E107") == [("El-Tabija", "al-Tabiya")]
    assert codes("He flew to El Paso and then to El Salvador.", "E107") == []


def test_abd_el():
    assert codes("In Syria, Abd-el-Karim said so.", "E107") == [("Abd-el-", "Abd al-")]


# -- acronym evidence --------------------------------------------------------------------------

def test_loose_spelling_out_is_evidence_for_the_acronym():
    found = codes("The Syria Democratic Forces (SDS) were now sweeping the city.", "E101")
    assert found == [("SDS", "SDF")]


def test_other_definition_still_suppresses():
    assert codes("Students for a Democratic Society (SDS) marched in Syria.", "E101") == []


def test_standard_acronym_in_the_story_is_evidence():
    text = "The SDF entered the town. Later the SDS withdrew from it."
    assert ("SDS", "SDF") in codes(text, "E101")


# -- seeds --------------------------------------------------------------------------------------

def test_seed_001_correct_names_have_no_new_findings():
    text = (SEEDS / "001_6dfbf46b29b8d6d9.txt").read_text(encoding="utf-8")
    assert [f for f in scan(text) if f.code in ("E106", "E107")] == []


# -- the data files ------------------------------------------------------------------------------

def test_lexicon_keys_match_the_current_skeleton():
    lexicon = rl.load()
    sample = [r for r in lexicon.rows[::200] if r[2] != "acronym"]
    assert sample and all(translit.skeleton_cyrillic(r[0]) == r[4] for r in sample), \
        "russian.tsv is stale: run scripts/build_russian_lexicon.py"


def test_malformed_lexicon_is_a_data_error(tmp_path):
    bad = tmp_path / "russian.tsv"
    bad.write_text("# comment\nслово\tmany\tword\t\tslovo\n", encoding="utf-8")
    with pytest.raises(DataError, match="russian.tsv"):
        rl._table(bad, 5)
    bad.write_text("слово\t3\tverb\t\tslovo\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown kind 'verb'"):
        rl._check_kinds(bad, rl._table(bad, 5), rl.KINDS)
