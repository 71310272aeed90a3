"""Boilerplate rules (B1xx): fixture tables of lines that are and are not page furniture, the
seeds, offsets, and the text that applying the fixes gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtcheck.config import Config
from mtcheck.data import DataError
from mtcheck.document import Document
from mtcheck.findings import apply_edits
from mtcheck.rules import boilerplate
from mtcheck.rules.base import Context

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ALL = frozenset(r.code for r in boilerplate.RULES)
STORY = "Russian soldiers were not in the area, the ministry said."


def check(text: str, codes=ALL):
    doc = Document.from_text(text)
    found = list(boilerplate.check(doc, Context(config=Config(), enabled=frozenset(codes))))
    for f in found:
        assert doc.text[f.start:f.end] == f.text, f
        assert f.category == "boilerplate"
        assert f.fix is not None and f.suggestion == ""
        assert all(e.replacement in ("", "\n", "\r\n") for e in f.fix.edits)
    return doc, found


# (code, a junk line): reported on its own line between two story paragraphs, and deleted
POSITIVE = [
    ("B101", "This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish. Accept Read More"),
    ("B101", "We use cookies to personalise content and ads."),
    ("B101", "By continuing to use this site, you agree to our use of cookies."),
    ("B101", "Our partners store cookies on your device to measure traffic. Accept All"),
    ("B102", "Like this:"),
    ("B102", "Leave a comment"),
    ("B102", "You might also like"),
    ("B102", "Share this article"),
    ("B102", "Share | Tweet | Email"),
    ("B102", "12 comments"),
    ("B102", "Follow us on Telegram for the latest news"),
    ("B103", "Confirm that you are not a bot - select a man with raised hand:"),
    ("B103", "I'm not a robot"),
    ("B103", "Checking your browser before accessing the site."),
    ("B104", "More news: Pak Taliban commander killed in U.S. drone strike"),
    ("B104", "Read more: Russia and Turkey agree on Idlib"),
    ("B104", "Related: Manchester United suffer Luke Shaw blow"),
    ("B104", "See also"),
    ("B105", "Published: Wed, February 14, 2018"),
    ("B105", "World | By Melba Underwood"),
    ("B105", "By Julia Stanek"),
    ("B105", "Posted by TODAY on Monday, September 14, 2015"),
    ("B105", "Updated 14.02.2018 10:15"),
    ("B105", "Photo: Aleksandr Miridonov, Kommersant"),
]

# (code, text): a story line that must not be taken for page furniture
NEGATIVE = [
    ("B101", "The website uses cookies to track users, the regulator said."),
    ("B101", "Regulators want websites to ask before they store cookies."),
    ("B102", "Leave a comment about it, the minister told reporters."),
    ("B102", "Many people would like this: a ceasefire by Friday."),
    ("B102", "Share prices fell by 3% on Monday."),
    ("B103", "He had to prove that he was human, the court said."),
    ("B104", "More news is expected on Monday."),
    ("B104", "Read more about the talks in our explainer, he said."),
    ("B105", "By Monday the troops had left the town."),
    ("B105", "Published in 2018, the report found that troops had left."),
    ("B105", "TASS"),
    ("B105", "By the end of the week, Russia had withdrawn."),
    ("B105", "Photo evidence showed the craters, the ministry said."),
]


@pytest.mark.parametrize("code, line", POSITIVE)
def test_junk_line_fires_and_is_deleted(code, line):
    text = f"{STORY}\n\n{line}\n\n{STORY}\n"
    doc, found = check(text)
    assert [(f.code, f.text) for f in found] == [(code, line)]
    f = found[0]
    assert f.start == text.index(line) and f.end == f.start + len(line)
    assert f.fix.safe == (code not in ("B105",))
    assert apply_edits(text, f.fix.edits) == f"{STORY}\n\n{STORY}\n"


@pytest.mark.parametrize("code, line", NEGATIVE)
def test_story_line_does_not_fire(code, line):
    _, found = check(f"{STORY}\n\n{line}\n\n{STORY}\n", {code})
    assert found == []


# -- B106 repeated title ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Moscow calls a meeting\n\nMoscow calls a meeting\n\nThe story.\n", "Moscow calls a meeting\n\nThe story.\n"),
        ("Moscow calls a meeting\nMoscow calls a meeting.\n\nThe story.", "Moscow calls a meeting\nThe story."),
        ("Published: Wed, February 14, 2018\n\nRussian contractors killed\n\nRussian Contractors Killed\n\nThe story.",
         "Published: Wed, February 14, 2018\n\nRussian contractors killed\n\nThe story."),
    ],
)
def test_repeated_title(text, expected):
    _, found = check(text, {"B106"})
    assert [f.code for f in found] == ["B106"]
    assert found[0].fix.safe
    assert apply_edits(text, found[0].fix.edits) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Moscow calls a meeting\n\nThe story begins here.\n",
        "The same sentence twice.\n\nThe same sentence twice.\n",  # body text, not a title
        "Syria\n\nSyria\n\nThe story.",  # too short to tell
    ],
)
def test_no_repeated_title(text):
    assert check(text, {"B106"})[1] == []


# -- B107 text cut off ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "paragraph, last_word",
    [
        ("The Syrian military shelled the increasingly", "increasingly"),
        ("Troops left the town and moved towards the", "the"),
        ("The Syrian military shelled the increasi", "increasi"),
        ("Officials said on Monday. The strike hit a column of", "of"),
    ],
)
def test_truncated(paragraph, last_word):
    text = f"{STORY}\n\n{paragraph}\n\n{STORY}"
    doc, found = check(text, {"B107"})
    assert len(found) == 1
    f = found[0]
    assert f.data["last_word"] == last_word and not f.fix.safe
    assert f.end == text.index(paragraph) + len(paragraph)
    fixed = apply_edits(text, f.fix.edits)
    assert paragraph not in fixed
    if "Officials said on Monday." in paragraph:
        assert f.text == "The strike hit a column of"
        assert fixed == f"{STORY}\n\nOfficials said on Monday.\n\n{STORY}"
    else:
        assert fixed == f"{STORY}\n\n{STORY}"


@pytest.mark.parametrize(
    "paragraph",
    [
        "What the US is fighting for",
        "Russia denies striking SDF militia in Deir Ezzor",
        "Neither side has explained this so far,” he said",
        "Leave the",  # too short: a label, not a sentence
        "Moscow and the West trade accusations over Syria",
        "Markets rallied as oil prices rose sharply",
    ],
)
def test_not_truncated(paragraph):
    assert check(f"{STORY}\n\n{paragraph}\n\n{STORY}", {"B107"})[1] == []


# -- the seeds --------------------------------------------------------------------------------


def seed(prefix: str) -> Document:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return Document.from_text(path.read_text(encoding="utf-8"), path=str(path))


def seed_findings(prefix: str):
    doc = seed(prefix)
    found = list(boilerplate.check(doc, Context(config=Config(), enabled=ALL)))
    for f in found:
        assert doc.text[f.start:f.end] == f.text
    return doc, found


def test_seed_000_repeated_title_and_cut_off_paragraph():
    doc, found = seed_findings("000")
    assert [(f.code, doc.line_col(f.start)[0]) for f in found] == [("B106", 3), ("B107", 15)]
    assert found[1].text == "The Syrian military shelled the increasingly"


def test_seed_001_page_junk_but_not_the_agency_credit():
    doc, found = seed_findings("001")
    assert [(f.code, f.text) for f in found] == [
        ("B102", "You might also like"),
        ("B101", doc.text[doc.text.index("This website uses cookies"):]),
    ]
    fixed = apply_edits(doc.text, [e for f in found if f.safe_fix for e in f.fix.edits])
    assert fixed.endswith("so far,” he said\n\nTASS")


def test_seed_002():
    doc, found = seed_findings("002")
    assert [(f.code, doc.line_col(f.start)[0]) for f in found] == [("B106", 3), ("B102", 30), ("B103", 32)]
    fixed = apply_edits(doc.text, [e for f in found if f.safe_fix for e in f.fix.edits])
    assert fixed.count("Russia and USA are very close to each other in Syria") == 1
    assert fixed.startswith("Russia and USA are very close to each other in Syria\n\nBoth sides claim provocation\n")
    assert fixed.endswith("directed only against ISIL.")


def test_seed_003_has_no_page_junk():
    assert seed_findings("003")[1] == []


def test_seed_004():
    doc, found = seed_findings("004")
    assert [(f.code, f.text) for f in found] == [
        ("B105", "Published: Wed, February 14, 2018"),
        ("B105", "World | By Melba Underwood"),
        ("B106", "Russian Military Contractors Killed in US-Led Attack in Syria"),
        ("B104", "More news: Pak Taliban commander killed in U.S. drone strike"),
        ("B102", "Like this:"),
    ]
    assert found[2].start == doc.text.index("Russian Military", doc.text.index("Russian Military") + 1)
    safe = apply_edits(doc.text, [e for f in found if f.safe_fix for e in f.fix.edits])
    assert safe.startswith("Published: Wed, February 14, 2018\nWorld | By Melba Underwood\n\nRussian Military")
    assert "More news" not in safe and "Like this" not in safe and safe.endswith("could have been killed.")
    everything = apply_edits(doc.text, [e for f in found for e in f.fix.edits])
    assert everything.startswith("Russian Military Contractors Killed in US-Led Attack in Syria\n\n\"Russian officials")


def test_rules_are_documented():
    codes = [r.code for r in boilerplate.RULES]
    assert codes == sorted(set(codes)) and all(c.startswith("B1") for c in codes)
    for rule in boilerplate.RULES:
        assert rule.summary and rule.why and "→" in rule.example and rule.fix in ("safe", "unsafe")


def test_broken_pattern_is_an_error(tmp_path):
    text = (Path(boilerplate.__file__).resolve().parent.parent / "data" / "boilerplate.toml").read_text(encoding="utf-8")
    path = tmp_path / "boilerplate.toml"
    path.write_text(text.replace("'(?i)like this:?',", "'(?i)like (this:?',", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"share-prompt: patterns\[0\]: bad regular expression"):
        boilerplate._load(str(path))


def test_crlf_text_and_empty_text():
    text = "Moscow calls a meeting\r\n\r\nMoscow calls a meeting\r\n\r\nThe story.\r\n\r\nLike this:\r\n"
    doc, found = check(text)
    assert [f.code for f in found] == ["B106", "B102"]
    assert apply_edits(text, [e for f in found for e in f.fix.edits]) == "Moscow calls a meeting\r\n\r\nThe story.\r\n"
    for empty in ("", "\n\n", " \u00a0 "):
        assert check(empty)[1] == []


# -- the screens: a line is tried only on the patterns whose literals it has -------------------


def test_screened_patterns_find_what_every_pattern_finds():
    import random

    data = boilerplate.boilerplate_data()
    ctx = Context(config=Config(), enabled=ALL)
    enabled = tuple(p for _, patterns in data.patterns for p in patterns)
    screens = boilerplate._pattern_screens(enabled)
    rules = [rule for rule, patterns in data.patterns for _ in patterns]
    rng = random.Random(5)
    lines = [line for _, line in POSITIVE + NEGATIVE]
    pieces = [w for line in lines for w in line.split()] + ["12", "views", "captcha", "Cookies", "Accept", "|", "By"]
    for _ in range(3000):
        lines.append(" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))))
    lines += [line.upper() for line in lines[:200]] + [line.lower() for line in lines[:200]]
    found = 0
    for line in lines:
        want = boilerplate._junk_line(line, data, ctx, None)  # (every pattern tried, in order)
        places = boilerplate._screened(line, line.lower(), screens)
        got = next(((rules[i], enabled[i]) for i in places if enabled[i].fullmatch(line)), None)
        assert got == want, line
        found += want is not None
        assert len(places) < len(enabled) / 2 or want is not None  # (most lines are tried on few)
    assert found > 100
