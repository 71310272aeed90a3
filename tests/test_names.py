"""Names and words no gazetteer lists: E106 (Latin that reads as Russian), E107 (Arabic names
through Russian), acronym evidence from a loose spelling-out, and the scheme-blind keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtcheck import gazetteer as gz
from mtcheck import russian_lexicon as rl
from mtcheck import translit
from mtcheck.config import Config
from mtcheck.data import DataError
from mtcheck.engine import Scanner
from mtcheck.rules import entity
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

def test_seed_001_correct_names_have_no_entity_findings():
    text = (SEEDS / "001_6dfbf46b29b8d6d9.txt").read_text(encoding="utf-8")
    assert [(f.code, f.text) for f in scan(text) if f.code.startswith("E")] == []


def test_seed_000_village_written_the_russian_way():
    # Мазлум: Russian у for the Arabic long u; English news writes Mazloum.
    text = (SEEDS / "000_b789fdac0961f31d.txt").read_text(encoding="utf-8")
    assert ("Mazlum", "Mazloum") in codes(text, "E102")
    assert codes("Mazlum Abdi, the SDF commander, spoke in Syria.", "E102") == []  # the given name: no cue


# -- the data files ------------------------------------------------------------------------------

def test_lexicon_keys_match_the_current_skeleton():
    lexicon = rl.load()
    sample = [r for r in lexicon.rows[::200] if r[2] != "acronym"]
    assert sample and all(translit.skeleton_cyrillic(r[0]) == r[4] for r in sample), \
        "russian.tsv is stale: run scripts/build_russian_lexicon.py"


def test_the_russian_side_is_read_only_when_a_word_is_looked_up():
    fresh = rl.load.__wrapped__()  # (not the process's cached one, which other tests used)
    assert "_russian" not in fresh.__dict__ and fresh.english  # the default rules need the English side only
    key = rl.load().rows[0][4]
    assert fresh.lookup(key) == rl.load().lookup(key) is not None
    assert "_russian" in fresh.__dict__ and fresh.keys == rl.load().keys


@pytest.fixture
def lexicon_cache(tmp_path):
    """A cache base folder of the test's own."""
    from mtcheck import locations

    locations.configure(tmp_path / "cache")
    yield tmp_path / "cache" / rl.LEXICON_CACHE_FOLDER
    locations.configure(None)


def test_english_side_is_stored_and_read_back_as_built(lexicon_cache, monkeypatch):
    built = rl._english_side.__wrapped__()
    assert [p.suffix for p in lexicon_cache.iterdir()] == [".english"] and tuple(built) == rl.ENGLISH_LISTS

    def no_build():
        raise AssertionError("built again: the stored side was not used")

    monkeypatch.setattr(rl, "_english_side_data", no_build)
    stored = rl._english_side.__wrapped__()
    assert stored == built and stored["english"] == rl.load().english and stored["names"] == rl.english_names()


def test_stored_lexicon_side_follows_its_sources_and_survives_damage(lexicon_cache, tmp_path):
    source = tmp_path / "words.tsv"
    source.write_text("alpha\n", encoding="utf-8")

    def build():
        return {"words": source.read_text(encoding="utf-8").split()}

    lists = ("words",)
    assert rl._cached("test", (source,), build, lists) == {"words": ["alpha"]}
    source.write_text("beta\n", encoding="utf-8")  # another content: another file, not the old one
    assert rl._cached("test", (source,), build, lists) == {"words": ["beta"]}
    assert len(list(lexicon_cache.glob("*.test"))) == 2
    for stored in lexicon_cache.glob("*.test"):  # a damaged file is built over, never trusted
        stored.write_bytes(b"not a lexicon")
    assert rl._cached("test", (source,), build, lists) == {"words": ["beta"]}
    assert rl._cached("test", (source,), dict, lists) == {"words": ["beta"]}  # (the rebuilt one, read back)
    # a stored file of other lists (as another build made them) is built over too
    assert rl._cached("test", (source,), lambda: {"words": [], "more": []}, ("words", "more")) == {"words": [], "more": []}
    source.unlink()  # a source that cannot be read: built (and the build says why), nothing stored
    assert rl._cached("test", (source,), lambda: {"words": []}, lists) == {"words": []}


def test_malformed_lexicon_is_a_data_error(tmp_path):
    bad = tmp_path / "russian.tsv"
    bad.write_text("# comment\nслово\tmany\tword\t\tslovo\n", encoding="utf-8")
    with pytest.raises(DataError, match="russian.tsv"):
        rl._table(bad, 5)
    bad.write_text("слово\t3\tverb\t\tslovo\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown kind 'verb'"):
        rl._check_kinds(bad, rl._table(bad, 5), rl.KINDS)


def test_malformed_letter_model_is_a_data_error(tmp_path, monkeypatch):
    bad = tmp_path / "rendering_trigrams.tsv"
    bad.write_text("# comment\n^rj\tmany\n", encoding="utf-8")
    monkeypatch.setattr(rl, "RENDERING_FILE", bad)
    rl.rendering_weights.cache_clear()
    try:
        with pytest.raises(DataError, match="rendering_trigrams.tsv"):
            rl.rendering_weights()
    finally:
        rl.rendering_weights.cache_clear()


# -- names in no gazetteer: Russian endings and GOST's letters (E106) ---------------------------

@pytest.mark.parametrize("text, word, english", [
    ("The fire broke out in the Taganskij district.", "Taganskij", "Tagansky"),
    ("The court in Udalyy village ruled.", "Udalyy", "Udaly"),
    ("Residents near the Semipalatinskogo site complained.", "Semipalatinskogo", None),
    ("The coach spoke with Kravtsovym after the game.", "Kravtsovym", "Kravtsov"),
    ("The artist Pejkina opened the show.", "Pejkina", "Peykina"),
])
def test_russian_endings_and_letters_read_as_russian(text, word, english):
    found = [f for f in scan(text) if f.code == "E106" and f.text == word]
    assert len(found) == 1, scan(text)
    f = found[0]
    assert f.suggestion == english
    assert translit.is_cyrillic(f.data["ru"]) and f.data["ru"].lower() in f.message.lower()
    assert f.data["rendering"] in f.message


@pytest.mark.parametrize("text", [
    "Ukraine's Serhiy Kyslytsya and Volodymyr Zelenskiy met Ibrahim and Hakim.",  # Ukrainian -iy, Arabic -im
    "Shamil Tarpishev and Alexander Scherbakov commented.",  # щ as sh, sch: both in English news
    "The Extremadura Open and Aldous Huxley's novel, Sanxia dam and Skopje.",
])
def test_english_news_spellings_have_no_russian_ending(text):
    assert codes(text, "E106") == []


@pytest.mark.parametrize("text", [
    "Taxpayers will be notified on the official website, nalog.ru, and on zakon.kz.",
    "'Davlet' (to exert pressure) or 'dovlet' (to loom over): the word 'davlet' does not exist.",
    "The meeting is at 36 Oruzheynyy pereulok, Tula, and at 77 Stavropolskaya ulitsa.",
    "He took the batteries from a VAZ-2106 and a VAZ-2107.",
    "We are roly-polies. This is one of the main conditions for the development of the okrug.",
])
def test_russian_kept_on_purpose_is_not_reported(text):
    assert codes(text, "E106") == []


def test_untranslated_word_is_still_reported_outside_those_places():
    assert [t for t, _ in codes("Those who signed up on nalog will receive notices.", "E106")] == ["nalog"]


def test_name_in_an_oblique_case_is_russian_in_any_spelling():
    found = {f.text: f for f in scan("Supporters of Navalnogo protested; Naval'nogo was detained.") if f.code == "E106"}
    assert set(found) == {"Navalnogo", "Naval'nogo"}
    assert found["Navalnogo"].suggestion == "Navalny"


# -- the mined gazetteer ------------------------------------------------------------------------

def mined_entries() -> list:
    return [e for e in gz.load().entries if gz.is_mined(e)]


def test_mined_gazetteer_is_loaded_under_the_hand_made_files():
    mined = mined_entries()
    assert mined, "mtcheck/data/gazetteer/mined.tsv is missing: run scripts/mine_gazetteer.py"
    hand = [e for e in gz.load().entries if not gz.is_mined(e)]
    hand_ru = {f.lower() for e in hand for f in e.ru}
    hand_en = {translit.normalize_latin(t) for e in hand for t in (e.en, *e.also, *e.expansion)}
    assert not any(gz._overridden(e, hand_ru, hand_en) for e in mined)


def test_hand_made_entry_overrides_a_mined_one():
    entry = gz.Entry(ru=("Шойгу",), en="Shoygu", type="person", source=f"{gz.MINED_FILE}:9")
    assert gz.is_mined(entry)
    assert gz._overridden(entry, {"шойгу"}, set())
    assert gz._overridden(entry, set(), {"shoygu"})
    assert not gz._overridden(entry, {"навальный"}, {"navalny"})


def test_mined_header_counts_its_entries():
    text = gz.MINED_FILE.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("# Entries:"))
    mined = gz.read_tsv(gz.MINED_FILE, gz.load_cue_groups(), [])
    assert f"{len(mined)} in all" in line
    for kind in {e.type for e in mined}:
        assert f"{kind} {sum(e.type == kind for e in mined)}" in line


def test_gost_rendering_of_a_mined_name_gets_its_english_form():
    # Data-driven: every mined person whose GOST rendering differs from how news writes it.
    checked = 0
    for entry in mined_entries():
        if entry.type != "person" or len(entry.ru[0]) < 5:
            continue
        gost = translit.transliterate(entry.ru[0], "gost-b").replace("`", "'")
        key = translit.normalize_latin(gost)
        if key in translit.news_keys(entry.ru[0]) or key in rl.load().english:
            continue
        found = codes(f"Yesterday {gost} said so.", "E102")
        assert found == [(gost, entry.en)], (entry, found)
        checked += 1
        if checked == 20:
            break
    assert checked >= 10


def test_news_renderings_of_mined_names_are_not_reported():
    for entry in mined_entries()[:200]:
        if entry.type == "acronym":
            continue
        news = sorted(translit.news_keys(entry.ru[0]))[0]
        surface = news[:1].upper() + news[1:]
        assert [f for f in scan(f"Yesterday {surface} said so.") if f.code in ("E102", "E103", "E104")] == [], entry


# -- the name test set (scripts/eval_names.py) ----------------------------------------------------

NEWSTEST = Path(__file__).resolve().parents[2] / "shared" / "data" / "newstest-ru-en"


@pytest.mark.skipif(not NEWSTEST.exists(), reason="../shared/data/newstest-ru-en not present")
def test_name_test_set_is_held_out_and_outside_the_hand_made_gazetteer():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import eval_names
    import mine_gazetteer

    english_words = {r[0] for r in rl._table(rl.ENGLISH_FILE, 3) if r[2] == "word"}
    cases, _ = eval_names.build_cases(NEWSTEST.parent, english_words)
    assert all(c["where"].startswith(("newstest2019", "newstest2020")) for c in cases)
    assert len({c["name"] for c in cases}) >= 30
    hand_ru, hand_en = mine_gazetteer.hand_made()
    assert not any(c["ru"].lower() in hand_ru or translit.normalize_latin(c["en"]) in hand_en for c in cases)
    for c in cases[:50]:
        assert c["text"][c["start"]:c["end"]] == c["rendering"]


def test_gost_cz_counts_only_beside_a_letter_polish_does_not_write():
    assert [t for t, _ in codes("The artist Czvetina and the village of Chirczova.", "E106")] == ["Czvetina", "Chirczova"]
    assert codes("Jarosław Kaczynski and Lenkiewicz met Czarnecki.", "E106") == []


def test_x_for_kh_between_vowels_needs_a_russian_ending():
    assert [t for t, _ in codes("The forward Eroxin scored.", "E106")] == ["Eroxin"]
    assert codes("Alexandar Vucic and Diego Laxalt spoke.", "E106") == []


# -- names in no list: the letters of a rendering as a whole (E106, rendering_trigrams.tsv) -------

def test_letter_model_tells_renderings_from_english_spelling():
    # Learnt from the training years' lists: a j-glide rendering of Russian scores high, English
    # news spelling (of English and of Russian names) low.
    for rendering in ("rjabkov", "merjuchin", "kurjanovich"):
        assert rl.rendering_score(rendering) >= entity.RENDERING_SCORE, rendering
    for english in ("jackson", "johnson", "ryabkov", "kuryanovich", "jacobs"):
        assert rl.rendering_score(english) < entity.RENDERING_SCORE, english


@pytest.mark.parametrize("text, word, english", [
    ("The deputy minister Kurjanovich said so.", "Kurjanovich", "Kuryanovich"),  # j-glide: the letter model
    ("Residents of Merjuchin village protested.", "Merjuchin", "Meryuchin"),
    ("The forward Mironec scored.", "Mironec", "Mironets"),  # -ец as -ec
    ("A statement by Kaplija was read out.", "Kaplija", "Kapliya"),  # -ия as -ija
    ("The talks with Gorshkoj ended.", "Gorshkoj", "Gorshkoy"),  # -ой as -oj
    ("The plant in Bol'sherechensk closed.", "Bol'sherechensk", "Bolsherechensk"),  # GOST's ь
])
def test_letter_by_letter_renderings_of_unlisted_names(text, word, english):
    found = [f for f in scan(text) if f.code == "E106" and f.text == word]
    assert [(f.text, f.suggestion) for f in found] == [(word, english)], scan(text)
    assert translit.is_cyrillic(found[0].data["ru"])


def test_letters_alone_are_no_evidence_where_the_local_alphabet_writes_them():
    # Serbian, Croatian, Czech, Baltic and Finnic Latin write j, c and h as the mixture does.
    assert codes("The striker Bajurov scored twice.", "E106") == [("Bajurov", "Bayurov")]
    assert codes("The striker Bajurov scored twice for the Serbian club.", "E106") == []
    assert codes("A statement by Kaplija was read out in Zagreb.", "E106") == []


def test_camel_case_and_polish_are_not_renderings():
    assert codes("Fans posted #SaveMerjuchin and #JetXbrains.", "E106") == []
    assert codes("Jarosław Kaczynski met Leszczynski and Szczecin officials.", "E106") == []


def test_russian_acronym_list_keeps_a_single_sighting_only_where_a_translator_replaced_it():
    import sys
    from collections import Counter

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import build_russian_lexicon as build

    total = Counter({"СНБО": 1, "ЛНА": 1, "ТПС": 3, "ФСБ": 5})
    kept = Counter({"ТПС": 2})  # the translators wrote TPS: the same letters in English
    replaced = Counter({"СНБО": 1, "ТПС": 1, "ФСБ": 4})
    out = build.kinds(total, Counter(), Counter(), 2, (kept, replaced))
    assert {w for w, (_, k) in out.items() if k == "acronym"} == {"СНБО", "ФСБ"}  # ЛНА: once, no pair


# -- acronyms in a Russian case form, kept addresses, quoted titles (E106) ----------------------

@pytest.mark.parametrize("text, word, russian, english", [
    ("Officers of the FSBom detained him.", "FSBom", "ФСБом", "FSB"),  # the English acronym is the stem
    ("The director of MKhATe spoke to Oleg Tabakov.", "MKhATe", "МХАТе", None),  # beside a name: still Russian
    ("The press office of GUVDa confirmed it.", "GUVDa", "ГУВДа", None),
])
def test_acronym_in_a_russian_case_form_is_russian(text, word, russian, english):
    found = [f for f in scan(text) if f.code == "E106"]
    assert [(f.text, f.data["ru"], f.suggestion) for f in found] == [(word, russian, english)], scan(text)
    assert f"{russian}" in found[0].message


@pytest.mark.parametrize("text", [
    "NGOs and CEOs met the MPs.",  # English plurals
    "THe report was late.",  # a typo of an English word
    "The RFa and the FBI.",  # two capitals: too short to tell
])
def test_english_acronym_shapes_are_not_case_forms(text):
    assert codes(text, "E106") == []


def test_address_word_excuses_only_the_spelling_signs_use():
    # BGN/PCGN as the street sign has it is kept; GOST's y'j is nobody's spelling of a street.
    assert codes("The meeting is at 36 Oruzheynyy pereulok, Tula.", "E106") == []
    assert [t for t, _ in codes("The meeting is at 36 Oruzhejnyj pereulok, Tula.", "E106")] == ["Oruzhejnyj"]


def test_typographic_apostrophe_is_a_soft_sign():
    assert [t for t, _ in codes("The plant in Bol’sherechensk closed.", "E106")] == ["Bol’sherechensk"]


def test_quoted_russian_title_is_kept_as_it_is_called():
    assert codes("The clash was shown by “Vechernjaja programma” on Monday.", "E106") == []
    # Outside quotation marks the same words are reported.
    assert [t for t, _ in codes("The clash was shown by Vechernjaja programma on Monday.", "E106")] == ["Vechernjaja"]


def test_gost_marks_need_less_support_from_the_letter_model():
    # x between vowels, j before a consonant, a j-glide: the letters are rarer in English than
    # the model's usual evidence, so a lower score is enough; Dutch ij and Basque x are not marks.
    assert entity.MARKED_RENDERING_SCORE < entity.RENDERING_SCORE
    for word in ("proxor", "bajda", "brjus"):
        assert entity._STRONG_MARK.search(word), word
    assert not entity._STRONG_MARK.search("bruijne")
    assert codes("Alexandar Vucic and Diego Laxalt spoke.", "E106") == []


@pytest.mark.parametrize("word, english", [
    ("Proxor", "Prokhor"),  # GOST's x is х: the guess and the English form say so
    ("Bajda", "Bayda"),
    ("Brjus", "Bryus"),
    ("Gridcin", "Gridtsin"),  # GOST's c for ц after a stop
    ("Shevcenko", "Shevtsenko"),  # two schemes in one word: sh beside c for ц
    ("Luzhecke", "Luzhetske"),  # zh beside c for ц before k
])
def test_short_and_mixed_renderings_of_unlisted_names(word, english):
    found = [f for f in scan(f"The report named {word} on Monday.") if f.code == "E106"]
    assert [(f.text, f.suggestion) for f in found] == [(word, english)]
    assert translit.is_cyrillic(found[0].data["ru"])


@pytest.mark.parametrize("word", ["Chicky", "Chickering", "Schicke", "Cyberchallenge", "Hydrometcenter"])
def test_english_spellings_and_compounds_are_not_mixed_renderings(word):
    # English ch with ck, German sch, and two English words run together.
    assert codes(f"The report named {word} on Monday.", "E106") == []


@pytest.mark.parametrize("text, word, english", [
    ("The talks with Ivanovoj ended.", "Ivanovoj", "Ivanova"),  # a woman's surname: her nominative
    ("The coach spoke with Kokljaevim after the game.", "Kokljaevim", "Koklyayev"),  # news spelling
    ("The singer Zavadskaja arrived.", "Zavadskaja", "Zavadskaya"),  # -ая, not -айа
])
def test_suggestion_is_the_nominative_in_news_spelling(text, word, english):
    assert codes(text, "E106") == [(word, english)]


# -- evidence that a spelling is not Russian; acronyms no list has ----------------------------

def test_place_word_no_russian_region_takes_excuses_the_letters():
    # A j-glide after a consonant is the letters' only sign: beside "County" it is a local spelling.
    assert codes("Two cars collided in Tarju yesterday.", "E106")
    assert codes("Two cars collided in Tarju County yesterday.", "E106") == []


def test_first_name_before_a_surname_english_news_writes_is_its_bearers_spelling():
    assert codes("The deputy mayor Artjom said nothing.", "E106")
    assert codes("The deputy mayor, Artjom Suvorov, said nothing.", "E106") == []
    # A rendered surname after a plain first name is still MT's reading of Russian.
    assert codes("Sergei Pojarkov said nothing.", "E106")


def test_a_glide_written_two_ways_is_no_russian_scheme():
    # я as "ja" beside ия as "ia": no scheme writes both (the letter model alone passes the word).
    assert rl.rendering_score("vajaria") >= entity.RENDERING_SCORE
    assert codes("The village of Vajaria lies east.", "E106") == []
    assert codes("The village of Vajarija lies east.", "E106")


def test_english_acronym_read_back_through_russian():
    read_back = entity._english_acronyms_read_back()
    assert read_back.get("BMV") == "BMW"  # БМВ
    assert all(not set("WQX") & set(k) for k in read_back)  # the image has Russia's letters only
    assert "VHAT" not in read_back  # capitals of an English word are no acronym
    assert codes("He drove a BMV to work.", "E106") == [("BMV", "BMW")]


def test_gost_cz_for_ts_in_an_acronym():
    found = [f for f in scan("The CZPK opened a case.") if f.code == "E106"]
    assert [(f.text, f.data["ru"]) for f in found] == [("CZPK", "ЦПК")]
    assert codes("Prices are quoted in CZK.", "E106") == []


@pytest.mark.parametrize("text, acronym, russian", [
    ("The MXPR opened a case.", "MXPR", "МХПР"),
    ("He joined the VNXT last year.", "VNXT", "ВНХТ"),
    ("The XAMT said so.", "XAMT", "ХАМТ"),
])
def test_gost_x_for_kh_in_an_acronym(text, acronym, russian):
    found = [f for f in scan(text) if f.code == "E106"]
    assert [(f.text, f.data["ru"], f.data["rendering"]) for f in found] == [(acronym, russian, "GOST 7.79-B")]


@pytest.mark.parametrize("text", [
    "Prices on the TSX fell.",  # English acronyms put X last, doubled or first before a consonant
    "It was broadcast on FXX.",
    "The XFL season starts.",
    "Louis XIV ruled.",  # a Roman numeral
    "The MXCW opened a case.",  # letters GOST's capitals do not write
])
def test_english_shapes_of_x_in_an_acronym_are_not_russian(text):
    assert codes(text, "E106") == []


def test_mans_surname_in_a_russian_case_after_his_first_name():
    # Пелкунова after a man's first name is his surname's genitive: English writes "Pelkunov".
    found = [f for f in scan("Igor Pelkunova said nothing.") if f.code == "E106"]
    assert [(f.text, f.data["ru"], f.suggestion) for f in found] == [("Pelkunova", "Пелкунова", "Pelkunov")]
    assert codes("Oleg Zarudina left.", "E106") == [("Zarudina", "Zarudin")]
    # A woman's first name (in -а, or Любовь), a foreign one, or a surname in the nominative: no case form.
    for text in ("Olga Pelkunova said nothing.", "Lyubov Pelkunova said nothing.",
                 "Alessandro Pelkunova said nothing.", "Sergei Pelkunov said nothing."):
        assert codes(text, "E106") == [], text


def test_acronym_and_word_joined_either_way_is_an_accepted_spelling():
    assert gz.joined_variants("RIA Novosti") == ("RIA-Novosti",)
    assert gz.joined_variants("al-Qaida") == ("al Qaida",)
    assert gz.joined_variants("UN Security Council") == ()
    assert gz.joined_variants("Bashar al-Assad") == ()
    assert codes("RIA-Novosti quotes him as saying.", "E104") == []
    # Within one story the two spellings are still two.
    assert codes("RIA Novosti and RIA-Novosti both said so.", "E103")


def test_russian_legal_form_before_a_company_name():
    # Beside a capitalised name an acronym with no English form passes for a brand ("SMP Racing");
    # a legal form is Russian grammar of company names, and English has its own acronym.
    assert codes("PAO Tverneft raised its dividend.", "E106") == [("PAO", "PJSC")]
    assert rl.legal_forms()["FGUP"].en == "FSUE"


@pytest.mark.parametrize("text, acronym, english", [
    ("Officials of the Baltic Shipping Union (BSS) met on Monday.", "BSS", "BSU"),
    ("There are problems in the nuclear fuel complex (YATK) this year.", "YATK", "NFC"),
])
def test_acronym_that_does_not_abbreviate_its_english_name(text, acronym, english):
    found = codes(text, "E106")
    assert found == [(acronym, english)]


@pytest.mark.parametrize("text", [
    "Shares of Japan Airlines (JAL) rose.",  # a word's initial and more of its letters
    "The Securities and Exchange Commission (SEC) said so.",
    "The Nano- Bio- Info- Cognitive and Social sciences (NBICS) centre opened.",
    "The Czech Football Association (FAČR) met.",  # not the letters of a Russian rendering
])
def test_acronym_that_abbreviates_its_name_or_is_not_russian(text):
    assert codes(text, "E106") == []


def test_acronym_defined_otherwise_is_reported_wherever_the_story_uses_it():
    text = "The Baltic Shipping Union (BSS) met. Later the BSS issued a statement."
    assert [a for a, _ in codes(text, "E106")] == ["BSS", "BSS"]


@pytest.mark.parametrize("text, word, english", [
    ("Judge Kuzmicenko ruled.", "Kuzmicenko", "Kuzmitsenko"),  # c for ц in -ценко
    ("Ruben Gurgenjan said so.", "Gurgenjan", "Gurgenyan"),  # a j-glide in -ян
    ("Officials at Xrolovka denied it.", "Xrolovka", "Khrolovka"),  # GOST's x for х at the start
    ("A letter went to Barsovu yesterday.", "Barsovu", None),  # a surname's dative
    ("He wrote to Vasiliju Petrov.", "Vasiliju", None),  # a dative: Russian grammar, not a bearer's spelling
])
def test_endings_only_a_rendering_has(text, word, english):
    assert codes(text, "E106") == [(word, english)]


# -- a foreign person's own spelling: a reading no Russian ends like, beside a non-Russian name --

@pytest.mark.parametrize("alone, with_partner", [
    ("The defender Trevajal scored.", "The defender Tani Trevajal scored."),  # Spanish j: Царваял-like
    ("Mojtech said so.", "Mojtech Holan said so."),  # Czech ch: -теч ends no Russian word
    ("Trevajal said so.", "Trevajal Holan said so."),  # the partner after the name
])
def test_unrussian_reading_beside_an_unrussian_name_is_its_bearers_spelling(alone, with_partner):
    assert codes(alone, "E106")
    assert codes(with_partner, "E106") == []


@pytest.mark.parametrize("text, word", [
    ("The defender Sergei Trevajal scored.", "Trevajal"),  # the partner is a Russian first name
    ("Mojtech Holanov said so.", "Mojtech"),  # the partner ends as a Russian surname
    ("The spokeswoman Amelija Brisse said so.", "Amelija"),  # -лия ends Russian words: MT's reading
])
def test_a_russian_partner_or_a_russian_ending_keeps_the_reading(text, word):
    assert [w for w, _ in codes(text, "E106")] == [word]


def test_reading_endings_come_from_the_vocabulary():
    endings = entity._russian_endings()
    assert "ова" in endings and "ский"[-3:] in endings
    assert "теч" not in endings and "аял" not in endings


@pytest.mark.parametrize("text, word, english", [
    ("Sheikh Hamad Al Txani said so.", "Txani", "Tkhani"),  # x after a consonant: GOST's х
    ("He met Povx yesterday.", "Povx", "Povkh"),  # four letters are enough for it
    ("They flew to Ol'xon island.", "Ol'xon", "Olkhon"),  # after the soft sign's apostrophe
])
def test_gost_x_after_a_consonant_in_a_short_word(text, word, english):
    assert codes(text, "E106") == [(word, english)]


@pytest.mark.parametrize("text", ["The Lynx and Styx bands played.", "Karl Marx wrote it.",
                                  "Flights to Sanxia resumed."])
def test_english_and_pinyin_x_after_a_consonant_is_not_gost(text):
    assert codes(text, "E106") == []


def test_first_name_in_a_russian_case_form_is_no_bearers_spelling():
    # Юрия, the genitive of Юрий: Russian grammar, though the surname is written as English news writes it.
    assert entity._case_of_first_name("юрия") and entity._case_of_first_name("сергея")
    assert not entity._case_of_first_name("артём")
    assert [w for w, _ in codes("A bust of Jurija Suvorov was unveiled.", "E106")] == ["Jurija"]
    assert codes("The deputy mayor, Artjom Suvorov, said nothing.", "E106") == []


# -- names known elsewhere: the English twin, another case, a Russian first name ---------------

def test_english_twin_gives_the_name_english_news_writes(monkeypatch):
    text = "The reporters met Juganta on Monday."
    assert codes(text, "E106") == []  # j for я alone is no evidence: many alphabets write it
    # Once English news is known to write the name with y (Юганта → Yuganta), the j is a rendering.
    monkeypatch.setattr(rl, "english_names", lambda: frozenset({"yuganta"}))
    assert codes(text, "E106") == [("Juganta", "Yuganta")]
    assert codes("The reporters met Jugantu on Monday.", "E106") == [("Jugantu", "Yuganta")]  # another case (Юганту)
    assert codes("The reporters met Yuganta on Monday.", "E106") == []  # the news spelling itself
    assert codes("In Zagreb, the reporters met Juganta.", "E106") == []  # Croatian writes j so
    monkeypatch.setattr(rl, "english_names", lambda: frozenset({"yelganta"}))
    assert codes("The reporters met Jelganta on Monday.", "E106") == []  # Serbian and Latvian Je-, no scheme's


def test_case_form_of_a_name_the_vocabulary_has_in_another_case():
    assert rl.load().lookup(translit.skeleton_cyrillic("якуб")) is not None
    assert codes("The reporters met Jakubom on Monday.", "E106") == [("Jakubom", "Yakubom")]  # Якубом


@pytest.mark.parametrize("text, word, english", [
    ("Officials said Mojra would come.", "Mojra", "Moyra"),  # GOST's й before a consonant, five letters
    ("A letter from Juzov arrived.", "Juzov", "Yuzov"),  # a j-glide before a surname ending, five letters
    ("He thanked Fedor Kirsanovichu for it.", "Kirsanovichu", None),  # a patronymic declined
])
def test_short_words_and_declined_patronymics(text, word, english):
    assert codes(text, "E106") == [(word, english)]


@pytest.mark.parametrize("text, word, english", [
    ("Sergei Pelih said so.", "Pelih", "Pelikh"),  # -их as -ih
    ("Oleg Ruxma said so.", "Ruxma", "Rukhma"),  # GOST's x
])
def test_surname_after_a_russian_first_name(text, word, english):
    assert codes(text, "E106") == [(word, english)]
    assert codes(text.replace(text.split()[0], "Fatih"), "E106") == []  # after no Russian first name


@pytest.mark.parametrize("text", [
    "Dani Ceballos scored.",  # Spanish c: not a mark
    "Novak Djokovic won.",  # South Slavic dj and -ic
    "In Prague, Pavel Smicer scored.",  # a story set where the local alphabet writes such letters
    "Anna Lehmann said so.",  # German h
])
def test_foreign_surname_after_a_name_russian_shares(text):
    assert codes(text, "E106") == []


def test_acronym_letters_from_inside_a_word_are_no_english_abbreviation():
    # Kazan gives K but not Z: English takes a word's next letters or a compound's second part (JAL).
    assert codes("The Kazan Press Service (KZS) said so.", "E106") == [("KZS", "KPS")]
    assert entity._abbreviates("JAL", ["Japan", "Airlines"])
    assert entity._abbreviates("HKEX", ["Hong", "Kong", "Exchanges"])
    assert not entity._abbreviates("KZS", ["Kazan", "Press", "Service"])
