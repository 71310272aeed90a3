"""Style rules (S1xx): fixture tables of lines that must and must not fire, the seeds, offsets
and the text that applying the safe fixes gives."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from mtcheck.config import Config
from mtcheck.data import DataError, load_toml, regex, words
from mtcheck.document import Document
from mtcheck.engine import Scanner
from mtcheck.findings import apply_edits, replacement_fix
from mtcheck.rules import style
from mtcheck.rules.base import Context
from mtcheck.settings import Settings

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ALL_STYLE = frozenset(r.code for r in style.RULES)


def check(text: str, codes=ALL_STYLE):
    doc = Document.from_text(text)
    found = list(style.check(doc, Context(config=Config(), enabled=frozenset(codes))))
    for f in found:
        assert doc.text[f.start:f.end] == f.text, f
        assert f.category == "style"
        assert f.fix is not None and f.fix.safe and f.suggestion is not None
    return doc, found


# (code, text, the span reported, the suggestion)
POSITIVE = [
    ("S101", "The Russian defense Ministry said on Monday.", "defense Ministry", "Defense Ministry"),
    ("S101", "It was confirmed by the foreign Ministry.", "foreign Ministry", "Foreign Ministry"),
    ("S101", "A source in the Ministry of defense said so.", "Ministry of defense", "Ministry of Defense"),
    ("S101", "The British Ministry of defence said so.", "Ministry of defence", "Ministry of Defence"),
    ("S101", "Moscow called a meeting of the UN security Council after the attack.", "UN security Council", "UN Security Council"),
    ("S101", "The head of the General staff arrived.", "General staff", "General Staff"),
    ("S101", "Areas held by the “Syrian democratic forces” (SDS).", "Syrian democratic forces", "Syrian Democratic Forces"),
    ("S101", "He heads the main operational Department of the General Staff.", "main operational Department", "Main Operational Department"),
    ("S101", "Militants of the “Islamic state” (banned in Russia).", "Islamic state", "Islamic State"),
    ("S101", "They met at the Ministry of foreign affairs.", "Ministry of foreign affairs", "Ministry of Foreign Affairs"),
    ("S102", "More than 100 fighters of Pro-government forces died.", "Pro-government", "pro-government"),
    ("S102", "It launched an Anti-terrorist operation.", "Anti-terrorist", "anti-terrorist"),
    ("S102", "Russian media, including Pro-Kremlin outlets, said so.", "Pro-Kremlin", "pro-Kremlin"),
    ("S103", "Russia, Iran and Turkey in may of 2017 agreed on zones.", "may of 2017", "May 2017"),
    ("S103", "On 9 may the troops paraded.", "may", "May"),
    ("S103", "The zone has existed since march 2016.", "march", "March"),
    ("S103", "The talks are planned for august 20, 2018.", "august", "August"),
    ("S103", "It happened in may.", "may", "May"),
    ("S103", "The round was held on 15 september.", "september", "September"),
    ("S103", "Both sides met in december and agreed.", "december", "December"),
    ("S104", "The Pentagon has already saidthat the claims were baseless.", "saidthat", "said that"),
    ("S104", "It is one ofthe largest fields.", "ofthe", "of the"),
    ("S104", "Fighting continued inthe area.", "inthe", "in the"),
    ("S104", "The forum was organised inSochi at his instruction.", "inSochi", "in Sochi"),
    ("S104", "They said thatthe talks failed.", "thatthe", "that the"),
    ("S105", "Russia convened a meeting in connection with a RAID by coalition aircraft.", "RAID", "raid"),
    ("S105", "THIS is the moment an American warplane locks on to a tank.", "THIS", "This"),
    ("S105", "During the RAID, coalition aircraft flew in the area.", "RAID", "raid"),
    ("S106", "Earlier, the us command reported that it had stopped.", "us", "US"),
    ("S106", "It struck the helicopters of the us-led coalition.", "us", "US"),
    ("S106", "Senior us officials denied it.", "us", "US"),
    ("S106", "Russian and us forces met near the river.", "us", "US"),
    ("S107", "Defense Secretary Jim Mattis and other USA officials said so.", "USA", "US"),
    ("S107", "USA officials also said the government lodged no complaint.", "USA", "US"),
]

# (code, text): must not fire
NEGATIVE = [
    ("S101", "Russia's defense ministry denied reports on Monday."),
    ("S101", "The Russian Defense Ministry said on Monday."),
    ("S101", "Defense ministry officials said the strike was planned."),
    ("S101", "Iran is an Islamic state with a supreme leader."),
    ("S101", "The UN Security Council met on Friday."),
    ("S101", "General staff shortages hit the hospital."),
    ("S101", "The Ministry of Foreign Affairs of Russia said so."),
    ("S101", "The Syrian Democratic Forces and US Armed Forces have not explained this."),
    ("S102", "Pro-government forces advanced on the town."),
    ("S102", "Navalny's Anti-Corruption Foundation published the video."),
    ("S102", "“Pro-Kremlin media are lying,” he said."),
    ("S102", "The pro-government militia retreated."),
    ("S103", "Russia may decide to act."),
    ("S103", "Thousands joined the march on the capital."),
    ("S103", "Those 3 may be released soon."),
    ("S103", "This may, however, change."),
    ("S103", "What they can do in may be limited."),
    ("S103", "It is an august institution."),
    ("S103", "See https://example.com/news/june for details."),
    ("S103", "The talks were held in May 2017."),
    ("S104", "The strike was, nonetheless, a success."),
    ("S104", "It is a byproduct of tryptophan metabolism."),
    ("S104", "The jets have afterburning turbofan engines."),
    ("S104", "It was reported by #saidthat on Twitter."),
    ("S104", "The site https://example.com/saidthat is down."),
    ("S104", "In Kaliningrad, a Cossack group reported losses."),
    ("S104", "Hackers launched cyberattacks and a counterattack."),
    ("S104", "They used iPhone and eBay accounts."),
    ("S105", "The US and NATO said ISIS and ISIL lost ground."),
    ("S105", "The WHO said AIDS cases fell."),
    ("S105", "BREAKING: Russia denies striking SDF militia in Deir Ezzor"),
    ("S105", "He told TIME on the porch of his house."),
    ("S105", "As “FACTS” reported, the president was in the United States."),
    ("S105", "The Campaign Against Living Miserably (CALM) announced a plan."),
    ("S105", "According to SPIEGEL ONLINE, the group is investigating."),
    ("S105", "They cost RUB 64 million."),
    ("S105", "WORLD WAR THREE LOOMS AS TENSIONS RISE"),
    ("S105", "King Charles III and Pope John Paul II met."),
    ("S105", "It attacked with MLRS, according to TASS and the BBC."),
    ("S106", "He told us officials had already left."),
    ("S106", "It is important for us to know."),
    ("S106", "They showed an us-versus-them mentality."),
    ("S106", "The problem is militants returning home."),
    ("S106", "Let us go."),
    ("S106", "The US command reported that it had stopped."),
    ("S107", "Russia and the USA are very close to each other."),
    ("S107", "He lived in the USA for ten years."),
]


@pytest.mark.parametrize("code, text, span, suggestion", POSITIVE)
def test_fires(code, text, span, suggestion):
    doc, found = check(text, {code})
    assert [(f.code, f.text, f.suggestion) for f in found] == [(code, span, suggestion)]
    assert found[0].start == re.search(rf"(?<!\w){re.escape(span)}(?!\w)", text).start()


@pytest.mark.parametrize("code, text", NEGATIVE)
def test_does_not_fire(code, text):
    _, found = check(text, {code})
    assert found == []


def test_applying_safe_fixes():
    text = (
        "Moscow called a meeting of the UN security Council\n\n"
        "The Pentagon has already saidthat the us command hit Pro-government forces in may of 2017 "
        "during a RAID, the defense Ministry said.\n"
    )
    doc, found = check(text)
    fixed = apply_edits(text, [e for f in found for e in f.fix.edits])
    assert fixed == (
        "Moscow called a meeting of the UN Security Council\n\n"
        "The Pentagon has already said that the US command hit pro-government forces in May 2017 "
        "during a raid, the Defense Ministry said.\n"
    )
    # fixing again finds nothing: the fixes do not create new findings
    assert check(fixed)[1] == []


def seed(prefix: str) -> Document:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return Document.from_text(path.read_text(encoding="utf-8"), path=str(path))


def seed_findings(prefix: str) -> list[tuple[str, str, str]]:
    doc = seed(prefix)
    found = list(style.check(doc, Context(config=Config(), enabled=ALL_STYLE)))
    for f in found:
        assert doc.text[f.start:f.end] == f.text
    return [(f.code, f.text, f.suggestion) for f in found]


def test_seed_000():
    found = seed_findings("000")
    assert found.count(("S101", "defense Ministry", "Defense Ministry")) == 5
    assert found.count(("S102", "Pro-government", "pro-government")) == 2
    assert ("S101", "Islamic state", "Islamic State") in found
    assert len(found) == 8


def test_seed_001_fair_text_has_no_style_findings():
    assert seed_findings("001") == []


def test_seed_002():
    found = seed_findings("002")
    assert ("S103", "may of 2017", "May 2017") in found
    assert ("S104", "saidthat", "said that") in found
    assert ("S101", "Ministry of defense", "Ministry of Defense") in found
    assert ("S101", "Syrian democratic forces", "Syrian Democratic Forces") in found
    assert found.count(("S101", "defense Ministry", "Defense Ministry")) == 5
    assert len(found) == 9


def test_seed_003():
    found = seed_findings("003")
    for item in [
        ("S101", "UN security Council", "UN Security Council"),
        ("S101", "foreign Ministry", "Foreign Ministry"),
        ("S101", "main operational Department", "Main Operational Department"),
        ("S101", "General staff", "General Staff"),
        ("S105", "RAID", "raid"),
        ("S106", "us", "US"),
    ]:
        assert item in found
    assert found.count(("S105", "RAID", "raid")) == 2


def test_seed_004():
    found = seed_findings("004")
    assert ("S105", "THIS", "This") in found
    assert found.count(("S107", "USA", "US")) == 3
    assert len(found) == 4


def test_engine_runs_and_selects_the_family():
    scanner = Scanner(Settings(config=Config(select=["S104"]), neural=False, parse=False))
    doc = scanner.scan_text("The Pentagon saidthat the defense Ministry lied.")
    assert [f.code for f in doc.findings] == ["S104"]
    scanner = Scanner(Settings(config=Config(ignore=["style"]), neural=False, parse=False))
    doc = scanner.scan_text("The Pentagon saidthat the defense Ministry lied.")
    assert not [f for f in doc.findings if f.category == "style"]


def test_rules_are_documented():
    codes = [r.code for r in style.RULES]
    assert codes == sorted(set(codes)) and all(c.startswith("S1") for c in codes)
    for rule in style.RULES:
        assert rule.summary and rule.why and "→" in rule.example and rule.fix == "safe"


# -- data files -----------------------------------------------------------------------------


def test_style_data_loads():
    data = style.style_data()
    assert "defense ministry" in data.canonical and "US" in data.shouting["acronyms"]


@pytest.mark.parametrize(
    "toml, schema, message",
    [
        ("a = 1\nb = 2\n", {"a": int}, "unknown key 'b'"),
        ("", {"a": int}, "missing key 'a'"),
        ("a = 'x'\n", {"a": int}, "a: expected an integer, got a string"),
        ("a = true\n", {"a": int}, "expected an integer, got a boolean"),
        ("a = ['(']\n", {"a": [regex()]}, "a[0]: bad regular expression"),
        ("a = ['x', 'x']\n", {"a": words}, "'x' is listed twice"),
        ("[t]\nx = 1\n", {"t": {"x": int, "y?": str}, "u?": int}, None),
        ("[t]\nz = 1\n", {"t": {"x": int}}, "t: unknown key 'z'"),
        ("a = [", {"a": int}, "malformed TOML"),
    ],
)
def test_data_validation(tmp_path, toml, schema, message):
    path = tmp_path / "d.toml"
    path.write_text(toml, encoding="utf-8")
    if message is None:
        assert load_toml(path, schema) == {"t": {"x": 1}}
        return
    with pytest.raises(DataError) as e:
        load_toml(path, schema)
    assert str(path) in str(e.value) and message in str(e.value)
    assert "\n" not in str(e.value)


def test_broken_style_data_is_an_error(tmp_path):
    text = (Path(style.__file__).resolve().parent.parent / "data" / "style.toml").read_text(encoding="utf-8")
    path = tmp_path / "style.toml"
    path.write_text(text.replace("[prefixes]", "[prefixes]\ncolour = 1"), encoding="utf-8")
    with pytest.raises(DataError, match="prefixes: unknown key 'colour'"):
        style._load(str(path))


def test_rule_names_are_unique_across_families():
    from mtcheck.rules import all_rules

    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize("fix", ["safe", "unsafe"])
def test_replacement_finder_makes_what_finding_makes(fix):
    # S103 and S104 build their findings with Rule.replacement_finder, which sets the fields
    # itself: they must be the ones (values, order, types) that Rule.finding gives.
    rule = dataclasses.replace(style.GLUED_WORDS, fix=fix)
    doc = Document.from_text("He saidthat it rained.")
    start, end = 3, 11
    want = rule.finding(doc, start, end, "a message", suggestion="said that")
    normal = replacement_fix(start, end, "said that", safe=fix == "safe")
    assert want.fix == normal and list(vars(want.fix)) == list(vars(normal))
    assert vars(want.fix.edits[0]) == vars(normal.edits[0])
    make = rule.replacement_finder()
    got = make(doc.text[start:end], start, end, "a message", "said that")
    assert type(got) is type(want) and got == want
    assert list(vars(got)) == list(vars(want))
    assert list(vars(got.fix)) == list(vars(want.fix)) and got.fix == want.fix
    assert type(got.fix.edits) is tuple and got.fix.edits == want.fix.edits
    assert vars(got.fix.edits[0]) == vars(want.fix.edits[0])
    assert got.fix.safe is (fix == "safe") and got.safe_fix is want.safe_fix
    again = make(doc.text[start:end], start, end, "a message", "said that")
    assert again.data is not got.data  # each finding gets its own data dict, as from finding()
