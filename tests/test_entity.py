"""Entity rules (E101-E105), the gazetteer format and the user-gazetteer config path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mtcheck import gazetteer as gz
from mtcheck.config import Config, ConfigError, load_config
from mtcheck.document import Document
from mtcheck.engine import Scanner
from mtcheck.findings import Severity
from mtcheck.rules import entity, rule_by_code
from mtcheck.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def scan(text: str, gazetteer: list[str] | None = None) -> list:
    scanner = Scanner(Settings(config=Config(select=["entity"], gazetteer=gazetteer or []), neural=False, parse=False))
    doc = scanner.scan_text(text)
    for f in doc.findings:
        assert doc.text[f.start:f.end] == f.text, f
    return doc.findings


def found(text: str, code: str) -> list[tuple[str, str | None]]:
    return [(f.text, f.suggestion) for f in scan(text) if f.code == code]


# -- the seeds ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_findings() -> dict[str, list]:
    scanner = Scanner(Settings(config=Config(select=["entity"]), neural=False, parse=False))
    out = {}
    for result in scanner.scan([str(SEEDS)]):
        assert result.error is None
        doc = result.document
        for f in doc.findings:
            assert doc.text[f.start:f.end] == f.text
            assert doc.text[f.start:f.end] == f.fix.edits[0].replacement or f.fix.edits[0].start == f.start
        out[Path(result.path).name[:3]] = [(f.code, f.text, f.suggestion, f.start) for f in doc.findings]
    return out


def test_seed_003_lih_is_isil_twice(seed_findings):
    lih = [f for f in seed_findings["003"] if f[1] == "LIH"]
    assert [(c, s) for c, _, s, _ in lih] == [("E101", "ISIL"), ("E101", "ISIL")]
    text = (SEEDS / "003_ffa3510338295b69.txt").read_text(encoding="utf-8")
    assert [start for *_, start in lih] == [i for i in range(len(text)) if text.startswith("LIH", i)]


def test_seed_003_lowercase_is(seed_findings):
    assert ("E105", "is", "IS") in [f[:3] for f in seed_findings["003"]]


def test_seed_002_sds_medusa_nusra(seed_findings):
    found_002 = [f[:3] for f in seed_findings["002"]]
    assert found_002.count(("E101", "SDS", "SDF")) == 4
    assert ("E102", "Medusa", "Meduza") in found_002
    assert ("E102", "jabhat an-Nusra", "Jabhat al-Nusra") in found_002


@pytest.mark.parametrize(
    "seed, code, spelling",
    [("002", "E103", "Deir ezzor"), ("002", "E103", "Deir-ez-Zor"), ("003", "E103", "Deir-ez-Zor"),
     ],
)
def test_seed_deir_ez_zor_spellings(seed_findings, seed, code, spelling):
    assert (code, spelling, "Deir ez-Zor") in [f[:3] for f in seed_findings[seed]]


def test_seed_standard_spelling_never_reported(seed_findings):
    assert not any(f[1] == "Deir ez-Zor" for fs in seed_findings.values() for f in fs)


def test_seed_001_fair_text_has_no_entity_findings(seed_findings):
    # "Deir Ezzor" (AFP's spelling) is accepted; the headline's spelling may differ from the body's.
    assert [f[:3] for f in seed_findings["001"] if f[0].startswith("E")] == []
    assert not any(f[1] == "Deir Ezzor" for f in seed_findings["004"])


def test_accepted_spellings_mixed_in_the_body_are_inconsistent():
    text = "Title of the story\n\nTroops entered Deir Ezzor on Monday. The city of Deir ez-Zor was quiet."
    assert [(f.code, f.text) for f in scan(text) if f.code == "E103"] == [("E103", "Deir Ezzor")]


def test_every_entity_finding_explains_itself():
    # The Russian form, the rendering and the English form, in one line.
    for text, ru, rendering, english in [
        ("Areas east of the Euphrates are held by the “Syrian democratic forces” (SDS).", "СДС", "letter by letter", "SDF"),
        ("Medusa presented a chronicle of the confrontation in the outlet's podcast.", "Медуза", "word-for-word translation", "Meduza"),
        ("Syrian troops entered El-Tabija.", "Эль-Табия", "letter by letter", "al-Tabiya"),
    ]:
        found = [f for f in scan(text) if f.code.startswith("E")]
        assert found, text
        f = found[0]
        assert (f.data["ru"], f.data["rendering"], f.data["english"]) == (ru, rendering, english)
        assert ru in f.message and rendering in f.message and f'"{english}"' in f.message and "\n" not in f.message


# -- E101 transliterated acronym ---------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected, safe",
    [
        ("Areas east of the Euphrates are held by the “Syrian democratic forces” (SDS).", ("SDS", "SDF"), True),
        ("Militants of the “Islamic state” (LIH) shelled the town.", ("LIH", "ISIL"), True),
        ("The SDS advanced on Raqqa while Syrian troops held Deir ez-Zor.", ("SDS", "SDF"), False),
        ("Rescuers of the Russian MChS arrived at the scene.", ("MChS", "Emergencies Ministry"), True),
        ("The OON demanded an explanation.", ("OON", "UN"), True),
        ("Israeli TSAHAL units entered Gaza.", ("TSAHAL", "IDF"), False),
    ],
)
def test_e101_positive(text, expected, safe):
    findings = [f for f in scan(text) if f.code == "E101"]
    assert [(f.text, f.suggestion) for f in findings] == [expected]
    assert findings[0].safe_fix is safe
    assert findings[0].message.startswith(f'"{expected[0]}" reads as ')
    assert "letter by letter" in findings[0].message and f'English: "{expected[1]}"' in findings[0].message


def scan_selected(text: str, *codes: str) -> list:
    scanner = Scanner(Settings(config=Config(select=["entity", *codes]), neural=False, parse=False))
    return scanner.scan_text(text).findings


def test_e106_judges_each_occurrence_of_a_repeated_word():
    # A story repeats its words and E106 reads each spelling once; the place of each
    # occurrence is still judged on its own: one kept on purpose (a path) is not reported,
    # every other one is.
    sentence = "The Sledkom opened a case. "
    text = "Files at /Sledkom were read. " + sentence * 3
    starts = [f.start for f in scan_selected(text, "E106") if f.code == "E106"]
    first = len("Files at /Sledkom were read. ") + sentence.index("Sledkom")
    assert starts == [first + k * len(sentence) for k in range(3)]
    assert [f.code for f in scan_selected("Files at /Sledkom were read.", "E106")] == []


def test_acronyms_professional_translators_keep_are_e108_not_e101():
    # RF and MVD: the English side of the training years has each at least twice (english.tsv).
    from mtcheck import russian_lexicon as rl

    assert {"RF", "MVD"} <= rl.load().kept_acronyms and "SDS" not in rl.load().kept_acronyms
    for text, acronym, english in [("The RF Criminal Code forbids it.", "RF", "Russian Federation"),
                                   ("An investigation is being conducted by officers of the Russian MVD.", "MVD",
                                    "Interior Ministry")]:
        assert not [f for f in scan(text) if f.code in ("E101", "E108")], text  # E108 is opt-in
        found = [f for f in scan_selected(text, "E108") if f.code.startswith("E")]
        assert [(f.code, f.text, f.suggestion, f.severity) for f in found] == [("E108", acronym, english, Severity.INFO)]
        assert "professional translators also keep" in found[0].message
    # An acronym translators replace stays E101.
    sds = "Areas east of the Euphrates are held by the “Syrian democratic forces” (SDS)."
    assert [f.code for f in scan_selected(sds, "E108") if f.code.startswith("E")] == ["E101"]


@pytest.mark.parametrize(
    "text",
    [
        "The sample was mixed with SDS and heated in the laboratory.",  # no Syria context
        "Students for a Democratic Society (SDS) marched through Aleppo.",  # spelled out as English
        "The Media-Communications Union (MKS) said astronauts use its network.",
        "The ES model sold well in Europe.",  # two letters: only with the expansion nearby
        "SDF and ISIL fighters clashed near Raqqa.",  # the English acronyms
        "The FSB and the GRU are Russian services.",  # same in both languages
    ],
)
def test_e101_negative(text):
    assert found(text, "E101") == []


# -- E102 transliterated or translated name ---------------------------------------------

@pytest.mark.parametrize(
    "text, expected, safe",
    [
        ("Medusa presented a chronicle of the confrontation.", ("Medusa", "Meduza"), False),
        ("The chronicle was published by “Medusa”.", ("Medusa", "Meduza"), False),
        ("Dzhebkhat an-Nusra fighters attacked the town.", ("Dzhebkhat an-Nusra", "Jabhat al-Nusra"), True),
        ("Vitali Klichko met the mayors.", ("Klichko", "Klitschko"), True),
        ("He left First Channel in May.", ("First Channel", "Channel One"), True),
        ("Aircraft took off from Khmeymim.", ("Khmeymim", "Hmeimim"), True),  # BGN/PCGN
        ("Aircraft took off from Xmejmim.", ("Xmejmim", "Hmeimim"), True),
        ("Troops crossed the Evfrat at dawn.", ("Evfrat", "Euphrates"), True),
    ],
)
def test_e102_positive(text, expected, safe):
    findings = [f for f in scan(text) if f.code == "E102"]
    assert [(f.text, f.suggestion) for f in findings] == [expected]
    assert findings[0].safe_fix is safe


@pytest.mark.parametrize(
    "text",
    [
        "Medusa, the Gorgon, was slain by Perseus.",  # no outlet context
        "Meduza reported the story first.",  # the standard form
        "Fighting went on near Kharkov and Kiev.",  # accepted alternatives
        "The A sad story ended.",  # not "Asad"
        "Mr Biden visited Baden-Württemberg.",  # "Baden" is no rendering of Байден
        "Officials in St. Petersburg said the Kremlin agreed.",
    ],
)
def test_e102_negative(text):
    assert found(text, "E102") == []


# -- E103 / E104 spellings ----------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("Shelling hit Kiev on Monday. Officials in Kyiv said Kiev was calm.", [("Kiev", "Kyiv"), ("Kiev", "Kyiv")]),
        ("Troops entered Deir ezzor. The city of Deir ez-Zor fell.", [("Deir ezzor", "Deir ez-Zor")]),
        ("Troops entered Deir al-Zor. The city of Deir ez-Zor fell.", [("Deir al-Zor", "Deir ez-Zor")]),
        ("Hewlett-Packard cut jobs. Shares of Hewlett Packard fell.", [("Hewlett Packard", "Hewlett-Packard")]),
    ],
)
def test_e103_positive(text, expected):
    assert found(text, "E103") == expected


def test_e103_majority_suggestion_is_unsafe_and_gazetteer_one_safe():
    generic = [f for f in scan("Hewlett-Packard cut jobs. Shares of Hewlett Packard fell.") if f.code == "E103"]
    gazetteer = [f for f in scan("Troops entered Deir ezzor. The city of Deir ez-Zor fell.") if f.code == "E103"]
    assert not generic[0].safe_fix and gazetteer[0].safe_fix


@pytest.mark.parametrize(
    "text",
    [
        "The Defence Ministry said so. The Ministry of Defence confirmed it.",  # two names, not two spellings
        "In New York, people gathered. New York is large.",  # sentence-initial capitals are not a spelling
        "Erdogan spoke. Later Erdoğan left.",  # diacritics are not a spelling
        "Officials in St. Petersburg said. St Petersburg is cold.",
        "The al-Nusra Front attacked. Al-Nusra fighters retreated.",
    ],
)
def test_e103_negative(text):
    assert found(text, "E103") == []


def test_e104_single_nonstandard_spelling():
    assert found("Oilfields in the resource-rich Deir-Ezzor were seized.", "E104") == [("Deir-Ezzor", "Deir ez-Zor")]
    assert found("Oilfields in the resource-rich Deir Ezzor were seized.", "E104") == []  # AFP's spelling
    assert found("Oilfields near Deir ez-Zor were seized.", "E104") == []
    assert found("Recep Tayyip Erdoğan spoke.", "E104") == []


# -- E105 lower-cased acronym ---------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("The air force continues strikes on is militants in Deir ez-Zor.", [("is", "IS")]),
        ("Operations against isis fighters went on.", [("isis", "ISIS")]),
    ],
)
def test_e105_positive(text, expected):
    assert found(text, "E105") == expected


@pytest.mark.parametrize(
    "text",
    ["The problem is militants who hide.", "What matters is fighters are paid.", "It is group work.",
     "This is positions we hold."],
)
def test_e105_negative(text):
    assert found(text, "E105") == []


# -- rule selection, documentation -----------------------------------------------------------

def test_rules_are_documented():
    for code in ("E101", "E102", "E103", "E104", "E105"):
        rule = rule_by_code(code)
        assert rule is not None and rule.category == "entity"
        assert rule.summary and rule.why and "→" in rule.example and rule.fix in ("safe", "unsafe")


def test_select_one_rule_only():
    scanner = Scanner(Settings(config=Config(select=["E101"]), neural=False, parse=False))
    doc = scanner.scan_text("Medusa reported that the SDS took Raqqa. Deir ezzor and Deir ez-Zor.")
    assert {f.code for f in doc.findings} == {"E101"}


# -- the gazetteer -------------------------------------------------------------------------

def test_builtin_gazetteer_loads_and_is_sizeable():
    gaz = gz.load()
    assert len(gaz.entries) >= 300
    assert {e.type for e in gaz.entries} == set(gz.TYPES)


def test_no_standard_form_is_reported_as_a_mistranslation():
    """Every entry's English form, in a neutral sentence, must not fire E101/E102: a collision
    between one entry's standard form and another's variants would be a false positive."""
    gaz = gz.load()
    scanner = Scanner(Settings(config=Config(select=["E101", "E102"]), neural=False, parse=False))
    bad = []
    for entry in gaz.entries:
        doc = scanner.scan_text(f"Officials said {entry.en} was mentioned in Syria, Ukraine and Israel.")
        bad += [(entry.en, f.code, f.text) for f in doc.findings]
    assert bad == []


HEADER = "ru\ten\ttype\talso\texpansion\twrong\tcues\n"


def write(tmp_path: Path, body: str, name: str = "names.tsv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_user_gazetteer_adds_names(tmp_path):
    path = write(tmp_path, "# my names\n" + HEADER + "Смоленская площадь\tSmolenskaya Square\tplace\n"
                 "ГКЧП\tState Emergency Committee\tacronym\n")
    text = "The ministry on Smolenskaya ploshchad said the GKChP met."
    findings = [(f.code, f.text, f.suggestion) for f in scan(text, gazetteer=[str(path)])]
    assert ("E102", "Smolenskaya ploshchad", "Smolenskaya Square") in findings
    assert ("E101", "GKChP", "State Emergency Committee") in findings
    # Without the user file the entity rules are silent: E106 (a default rule of "entity")
    # takes a lower-case word beside a capitalised one for part of a name kept as it is.
    assert scan(text) == []


def test_user_gazetteer_from_config_file(tmp_path):
    write(tmp_path, HEADER + "Смоленская площадь\tSmolenskaya Square\tplace\n")
    (tmp_path / "mtcheck.toml").write_text('gazetteer = ["names.tsv"]\n', encoding="utf-8")
    cfg = load_config(tmp_path / "mtcheck.toml")
    assert cfg.gazetteer == [str((tmp_path / "names.tsv").resolve())]
    assert [f.suggestion for f in scan("On Smolenskaya ploshchad.", cfg.gazetteer)] == ["Smolenskaya Square"]


@pytest.mark.parametrize(
    "body, line, problem",
    [
        ("ru\ten\ttype\tcolour\nСочи\tSochi\tplace\tred\n", 1, "unknown column 'colour'"),
        ("ru\ttype\nСочи\tplace\n", 1, "missing required column 'en'"),
        (HEADER + "Сочи\tSochi\tcity\n", 2, "unknown type 'city'"),
        (HEADER + "Сочи\tSochi\tplace\t\t\t\t@weather\n", 2, "unknown cue group '@weather'"),
        (HEADER + "Сочи\tSochi\tplace\t\t\t\t\t\textra\n", 2, "a stray tab?"),
        (HEADER + "\n# ok\nSochi\tSochi\tplace\n", 4, "has no Cyrillic letters"),
        (HEADER + "Сочи\tСочи\tplace\n", 2, "is Cyrillic"),
        (HEADER + "Сочи\tSochi|Sochy\tplace\n", 2, "takes one standard form"),
        (HEADER + "Сочи\t\tplace\n", 2, "empty 'en'"),
    ],
)
def test_malformed_user_gazetteer(tmp_path, body, line, problem):
    path = write(tmp_path, body, name=f"bad{abs(hash(body))}.tsv")
    with pytest.raises(ConfigError) as err:
        gz.load([str(path)])
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: ") and problem in message and "\n" not in message


def test_gazetteer_not_utf8_or_empty(tmp_path):
    latin = tmp_path / "latin.tsv"
    latin.write_bytes(HEADER.encode() + "Сочи\tSochi\tplace\n".encode("cp1251"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        gz.load([str(latin)])
    empty = write(tmp_path, "# nothing\n", name="empty.tsv")
    with pytest.raises(ConfigError, match="empty gazetteer"):
        gz.load([str(empty)])


def test_cue_groups_validated(tmp_path):
    bad = tmp_path / "cues.toml"
    bad.write_text('[outlet]\nscope = "near"\nwords = ["said"]\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        gz.load_cue_groups(bad)
    bad.write_text('[outlet]\nscope = "far"\nwords = ["said"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="scope must be"):
        gz.load_cue_groups(bad)


def _gazetteer_content(gaz: gz.Gazetteer) -> tuple:
    """Everything a gazetteer holds, comparable across processes and loads: entries by their
    fields, each key's forms (entry number, kind, text) and which keys share one form object."""
    import dataclasses

    entry_number = {id(e): k for k, e in enumerate(gaz.entries)}
    form_number: dict[int, int] = {}
    index = {key: [(entry_number[id(f.entry)], f.kind, f.text, form_number.setdefault(id(f), len(form_number)))
                   for f in forms] for key, forms in sorted(gaz.index.items())}
    return ([dataclasses.astuple(e) for e in gaz.entries], index, sorted(gaz.prefixes), gaz.max_tokens,
            gaz.cue_groups, gaz.skipped)


@pytest.fixture
def index_cache(tmp_path):
    """A cache base folder of the test's own, and no gazetteer loaded in this process yet."""
    from mtcheck import locations

    locations.configure(tmp_path / "cache")
    gz._load.cache_clear()
    yield tmp_path / "cache" / gz.INDEX_CACHE_FOLDER
    gz._load.cache_clear()
    locations.configure(None)


def test_gazetteer_index_is_stored_and_read_back_as_built(index_cache, tmp_path, monkeypatch, capsys):
    user = write(tmp_path, HEADER + "Смоленская площадь\tSmolenskaya Square\tplace\n"
                 f"{'Ж' * (gz.MAX_FORM_LENGTH + 1)}\tLong\tplace\n")
    built = gz.load([str(user)])
    assert len(list(index_cache.glob("*" + gz.INDEX_CACHE_SUFFIX))) == 1
    assert capsys.readouterr().err.count("entry skipped") == 1
    gz._load.cache_clear()

    def no_build(*_):
        raise AssertionError("built again: the stored index was not used")

    monkeypatch.setattr(gz, "_build", no_build)
    stored = gz.load([str(user)])
    assert stored is not built and _gazetteer_content(stored) == _gazetteer_content(built)
    assert capsys.readouterr().err.count("entry skipped") == 1  # the warning, from the stored index too
    text = "The ministry on Smolenskaya ploshchad said so."
    assert [f.suggestion for f in scan(text, gazetteer=[str(user)])] == ["Smolenskaya Square"]


def test_gazetteer_index_follows_its_sources_and_survives_damage(index_cache, tmp_path):
    user = write(tmp_path, HEADER + "Смоленская площадь\tSmolenskaya Square\tplace\n")
    gz.load([str(user)])
    # The same file name and modification time with other content: another index, not the old one.
    stamp = user.stat()
    user.write_text(HEADER + "Жмеринка\tZhmerynka\tplace\n", encoding="utf-8")
    os.utime(user, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    gz._load.cache_clear()
    changed = gz.load([str(user)])
    assert {e.en for e in changed.entries} >= {"Zhmerynka"} and "Smolenskaya Square" not in {e.en for e in changed.entries}
    assert len(list(index_cache.glob("*" + gz.INDEX_CACHE_SUFFIX))) == 2
    # A damaged or foreign file where the index should be is rebuilt over, never trusted.
    for stored in index_cache.glob("*" + gz.INDEX_CACHE_SUFFIX):
        stored.write_bytes(b"not an index")
    gz._load.cache_clear()
    assert _gazetteer_content(gz.load([str(user)])) == _gazetteer_content(changed)
    gz._load.cache_clear()
    assert _gazetteer_content(gz.load([str(user)])) == _gazetteer_content(changed)  # (the rebuilt one, read back)


def test_cli_reports_malformed_user_gazetteer_in_one_line(tmp_path):
    write(tmp_path, HEADER + "Сочи\tSochi\tcity\n")
    (tmp_path / "mtcheck.toml").write_text('gazetteer = ["names.tsv"]\n', encoding="utf-8")
    story = tmp_path / "story.txt"
    story.write_text("Officials in Sochi said so.\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "mtcheck", "scan", str(story), "--no-neural", "--select", "entity"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert "names.tsv:2: unknown type 'city'" in proc.stderr


# -- matching ------------------------------------------------------------------------------

def test_mentions_are_leftmost_longest_with_exact_offsets():
    text = "Fighters of Jabhat al-Nusra and the al-Nusra Front's allies left St. Petersburg."
    doc = Document.from_text(text)
    mentions = entity.find_mentions(doc, gz.load())
    assert [(m.surface, text[m.start:m.end]) for m in mentions] == [
        ("Jabhat al-Nusra", "Jabhat al-Nusra"), ("al-Nusra Front", "al-Nusra Front"), ("St. Petersburg", "St. Petersburg")
    ]


def test_the_fast_word_split_is_the_reference_split():
    # A long text takes the spelled-out letter class (BMP only); it must cut exactly where the
    # Unicode-category pattern does, possessives and apostrophes included.
    import re

    piece = ("Deir ez-Zor's Ǆemal ǅ O’Neil ʼAli x²y ½ d_e 3rd Ωmega Москва's İstanbul 𝐀𝐁 ĳ Ⅻ "
             "naïve ﬁne ٣٤ ＡＢＣ l'État rock'n'roll\u00a0St.\u2011Pete ")
    text = piece * (entity.FAST_SPLIT_MIN_CHARS // len(piece) + 1)
    reference = re.compile(r"([^\W\d_]+(?:['’ʼ][^\W\d_]+)*)")
    assert entity._split_words(text) == reference.split(text)  # (has a non-BMP letter: the fallback)
    bmp_text = text.replace("𝐀𝐁", "AB")
    assert entity._split_words(bmp_text) == reference.split(bmp_text)
    assert entity._bmp_word_split().split(bmp_text) == reference.split(bmp_text)
    # the class itself: every character of the BMP classified as the categories classify it
    bmp = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))
    assert entity._bmp_word_split().split(bmp) == reference.split(bmp)


# -- the shortcuts of a big story: each gives what the plain computation gives -------------------

_SHORTCUT_TEXTS = [
    "SYRIA TODAY\n\nDeir ez-Zor's governor met O’Neil in St. Petersburg. St.Petersburg was cold. Mt. Elbrus\n"
    "and Ft. Worth too.\n\n“Al Tanf” and Al-Tanf, Al\nTanf: the Russian Defence Ministry (MO) said. COVID-19\n"
    "hit Idlib's rock'n'roll scene.   \n\n\nNew York Times. The UN Security Council met.",
    "no capitals here at all, only words. and dots . . .",
    "",
]


def _plain_doc(text: str) -> Document:
    doc = Document.from_text(text)
    entity._analysis(doc)
    return doc


def test_sentence_spans_give_what_sentence_at_gives_at_every_offset():
    for text in _SHORTCUT_TEXTS:
        doc = _plain_doc(text)
        starts = entity._sentence_starts(doc)
        for offset in range(len(text) + 1):
            sentence, lo, hi = entity._sentence_span(doc, starts, offset)
            assert sentence is doc.sentence_at(offset) and lo <= offset < hi
            assert all(doc.sentence_at(o) is sentence for o in range(lo, min(hi, len(text) + 1)))


def test_heading_kinds_are_the_sentences_own():
    from mtcheck.document import Sentence

    for kind in ("title", "heading", "body"):
        assert (kind in entity._HEADING_KINDS) == Sentence(0, 0, 0, "", 0, kind=kind).is_heading


def test_capital_pairs_found_in_the_bytes_hold_every_start_of_a_capitalised_group():
    for text in _SHORTCUT_TEXTS + ["Ab Cd\nEf gh Ij-Kl Mn. Op Qr St " * 20]:
        doc = _plain_doc(text)
        tokens, joined = entity._analysis(doc)
        capital = [text[s].isupper() for s in tokens.starts] + [False, False]
        n = len(tokens)
        assert list(entity._capitals(doc)) == capital[:n]
        pairs = [m.start() for m in entity._CAPITAL_PAIR.finditer(entity._capitals(doc))]
        assert pairs == [i for i in range(n) if capital[i] and (capital[i + 1] or capital[i + 2])]
        starts = [i for i in range(n) if capital[i] and joined.plain(i) and (capital[i + 1] or joined.plain(i + 1) and capital[i + 2])]
        assert set(starts) <= set(pairs) and (starts or "Ab Cd" not in text)


def test_joins_are_judged_as_joined_judges_each_pair_of_tokens():
    for text in _SHORTCUT_TEXTS:
        doc = _plain_doc(text)
        tokens, joined = entity._analysis(doc)
        assert len(joined) == len(tokens) and (not tokens or joined[len(tokens) - 1] is False)
        for i in range(len(tokens) - 1):
            lost_s = text[tokens.ends[i]:tokens.ends[i] + 2] in ("'s", "’s")
            gap = text[tokens.ends[i]:tokens.starts[i + 1]]
            assert joined[i] == (entity._joined(text, tokens[i], tokens[i + 1]) and not lost_s), text[tokens.starts[i]:]
            assert joined.plain(i) == (len(gap) == 1 and gap in entity._JOINERS and not lost_s)


@pytest.mark.parametrize("words", [("Syria",), ("COVID-19",), ("Deir ez-Zor",), ("neil",), ("o",), ("s",),
                                   ("security council",), ("Petersburg", "Kyiv"), ("rock",), ("Idlib",), ("tanf",),
                                   ("Worth",), ("York Times",), ("nowhere",), ("ez Zor",)])
def test_the_story_words_prefilter_never_hides_a_match(words):
    for text in _SHORTCUT_TEXTS:
        doc = _plain_doc(text)
        matches = entity._phrase_regex(words).search(text) is not None
        assert not matches or entity._may_contain(doc, text, words), (words, text)
    assert not entity._may_contain(_plain_doc(_SHORTCUT_TEXTS[0]), _SHORTCUT_TEXTS[0], ("nowhere",))
