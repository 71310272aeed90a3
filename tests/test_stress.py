"""Pathological inputs through the rules, in process (issue 10, item 12): every rule is linear, or
bounded, in the size of its input. Each test runs an input of about 1 MB under a generous
timeout, so a regression to quadratic time fails (1 MB squared is hours); the timings
themselves are printed by ``scripts/stress.py``, not asserted here."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from mtcheck import gazetteer as gz
from mtcheck import translit
from mtcheck.config import Config
from mtcheck.document import Document
from mtcheck.rules import Context, families, select_rules
from mtcheck.rules.language import MAX_WORD_LETTERS
from mtcheck.rules.style import MAX_GLUED_LENGTH

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
MB = 1_000_000


def run_rules(text: str, gazetteer: list[str] | None = None, select: tuple[str, ...] = ()) -> list:
    """Every selected rule family on ``text`` (rules only: no parse, no neural scores)."""
    ctx = Context(config=Config(gazetteer=gazetteer or []), enabled=select_rules(select), resources=frozenset())
    doc = Document.from_text(text)
    findings = [f for family in families() for f in family.check(doc, ctx)]
    for f in findings:
        assert doc.text[f.start:f.end] == f.text
    return findings


def codes(findings) -> Counter:
    return Counter(f.code for f in findings)


def letters(n: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))


# -- one huge token ---------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_a_one_megabyte_word_is_one_finding():
    word = letters(MB)
    findings = run_rules(word + "\n")
    assert [(f.code, f.start, f.end) for f in findings] == [("L104", 0, MB)]
    assert findings[0].data == {"letters": MB} and findings[0].fix is None


@pytest.mark.timeout(60)
def test_a_huge_word_inside_a_sentence_is_one_finding_and_the_sentence_is_still_judged():
    word = letters(300_000)
    text = f"Russian soldiers in the area of {word} no.\n"
    found = codes(run_rules(text))
    assert found["L104"] == 1 and found["S104"] == 0
    assert found["X102"] == 1  # the bare "no" at the end is still found, past the long word


def test_glued_words_are_searched_up_to_the_bound_and_reported_once_past_it():
    glued = "saidthat"
    assert codes(run_rules(f"The Pentagon has already {glued} it.\n"))["S104"] == 1
    at_bound = letters(MAX_GLUED_LENGTH)
    assert codes(run_rules(f"It read {at_bound} then.\n"))["L104"] == 0
    past = letters(MAX_WORD_LETTERS + 1)
    found = codes(run_rules(f"It read {past} then.\n"))
    assert found["L104"] == 1 and found["S104"] == 0
    # A long run of letters inside a link is an address, not a lost text.
    assert codes(run_rules(f"See https://example.com/{past} for it.\n"))["L104"] == 0


@pytest.mark.timeout(60)
def test_a_link_a_megabyte_long_is_judged_once_not_once_per_word():
    chunk = "+".join(["saidthat"] * 110_000)
    assert codes(run_rules(chunk + "/end\n", select=("S104",)))["S104"] == 0  # all inside one link
    assert codes(run_rules(chunk + "\n", select=("S104",)))["S104"] == 110_000


# -- segmentation -----------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "text, sentences",
    [
        ("The end" + "." * MB + " Next one.", 2),  # a run of a million full stops ends one sentence
        ("Start. " + "x. y. " * (MB // 6), 1),  # boundaries before lower case are no boundaries
        ("word\n" * (MB // 5), 1),  # hard-wrapped lines: one unit
        ("One.\n" + " " * MB + "\nTwo.", 2),  # a blank line a megabyte long
        ("He said " + "a" * MB + ". Then.", 2),  # the word before a full stop, a megabyte long
    ],
)
def test_segmentation_is_linear(text, sentences):
    assert len(Document.from_text(text).sentences) == sentences


# -- whole stories ----------------------------------------------------------------------------

# Rules whose findings depend only on their own sentence: a story that is k copies of the seeds
# has k times the findings of one copy.
LOCAL = ("S101", "S102", "S104", "S107", "X102", "E105", "L104")


@pytest.mark.timeout(120)
def test_a_megabyte_of_seed_stories_finds_what_each_copy_finds():
    one = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    copies = MB // len(one)
    once = codes(run_rules(one))
    many = codes(run_rules("\n\n".join([one] * copies)))
    for code in LOCAL:
        assert many[code] == copies * once[code], code
    # Story-wide rules see every copy too: each spelling slip of a name, in every copy.
    assert many["E103"] >= copies * once["E103"] > 0
    assert many["S101"] > 0 and many["E101"] + many["E102"] > 0


@pytest.mark.timeout(120)
def test_many_short_lines():
    rng = random.Random(3)
    words = "troops city bridge council minister report border talks army road".split()
    lines = []
    for i in range(40_000):
        line = " ".join(rng.choice(words) for _ in range(rng.randint(2, 6))).capitalize()
        if i % 10 == 0:
            line += " saidthat"
        lines.append(line + ".")
    found = codes(run_rules("\n".join(lines) + "\n"))
    assert found["S104"] == 4_000


@pytest.mark.timeout(60)
def test_a_long_line_of_cookie_words_is_not_matched_against_every_pattern():
    line = "cookies " * 120_000 + "Accept"
    assert codes(run_rules(f"Title of the story\n\n{line}\n", select=("B101",)))["B101"] == 0
    assert codes(run_rules("Title of the story\n\nThis website uses cookies. Accept\n", select=("B101",)))["B101"] == 1


# -- the gazetteer and transliteration ----------------------------------------------------------


def test_an_overlong_gazetteer_entry_is_skipped_with_a_warning(tmp_path, capsys):
    rng = random.Random(5)
    long_ru = "".join(rng.choice("абвгдежзиклмнопрстуфхцчшщыэюя") for _ in range(3000)).capitalize()
    path = tmp_path / "names.tsv"
    path.write_text(f"ru\ten\ttype\talso\n{long_ru}\tLongname\tplace\nЖмеринка\tZhmerynka\tplace\tZhmerinka\n", encoding="utf-8")
    skipped: list[str] = []
    entries = gz.read_tsv(path, gz.load_cue_groups(), skipped)
    assert [e.en for e in entries] == ["Zhmerynka"]
    assert len(skipped) == 1 and skipped[0].startswith(f"{path}:2: 'ru' form of 3000 characters")
    with pytest.raises(gz.TooLong, match=":2: 'ru' form of 3000 characters"):
        gz.read_tsv(path, gz.load_cue_groups())  # without a list to report to, it is an error
    gaz = gz.load([str(path)])
    assert gaz.skipped == skipped
    assert f"{path}:2: 'ru' form of 3000 characters" in capsys.readouterr().err
    assert max(len(k) for k in gaz.index) <= 2 * gz.MAX_FORM_LENGTH
    # The rest of the file works.
    found = [(f.code, f.text) for f in run_rules("The train to Zhmerinka left.\n", [str(path)], ("entity",))]
    assert ("E104", "Zhmerinka") not in found  # an accepted form ('also'), not reported


@pytest.mark.timeout(60)
def test_transliteration_is_linear_in_the_name():
    rng = random.Random(5)
    name = "".join(rng.choice("абвгдежзиклмнопрстуфхцчшщыэюя") for _ in range(3000)).capitalize()
    renderings = translit.variants(name)
    assert len(renderings) > translit.MAX_AD_HOC // 2
    assert all(len(r) >= 3000 for r in renderings)
    acronyms = translit.acronym_variants(name.upper()[:600])
    assert acronyms and all(r.isupper() for r in acronyms)


@pytest.mark.timeout(120)
def test_thousands_of_mentions_of_one_name():
    sentence = ("Fighters of the Nusra Front and al-Nusra attacked Deir ezzor, Deir ez-Zor and Kharkov; "
                "the SDS (LIH) and the is militants retreated. ")
    copies = MB // len(sentence)
    found = codes(run_rules(sentence * copies, select=("entity",)))
    once = codes(run_rules(sentence, select=("entity",)))
    assert found["E105"] == copies * once["E105"] > 0
    assert found["E103"] >= copies - 1


# -- bounded work per document ------------------------------------------------------------------

TRANSLITERATED = "Ministerstvo oborony soobshchilo ob udare po pozitsiyam boevikov v rayone goroda"


def test_the_language_detector_is_consulted_a_bounded_number_of_times(monkeypatch):
    from mtcheck.rules import language

    calls = []
    real = language.detect_languages
    monkeypatch.setattr(language, "detect_languages", lambda text: calls.append(text) or real(text))
    few = "\n\n".join(f"{TRANSLITERATED} nomer {i}." for i in range(5)) + "\n"
    found = [f for f in run_rules(few, select=("L102",))]
    assert len(calls) == 5 and len(found) == 5
    assert all("sampled" not in f.data and "sample" not in f.message for f in found)
    calls.clear()
    many = "\n\n".join(f"{TRANSLITERATED} nomer {i}." for i in range(3 * language.MAX_DETECTOR_CALLS)) + "\n"
    found = [f for f in run_rules(many, select=("L102",))]
    assert len(calls) == language.MAX_DETECTOR_CALLS
    assert len(found) == language.MAX_DETECTOR_CALLS  # every judged segment is one
    total = 3 * language.MAX_DETECTOR_CALLS
    assert all(f.data["sampled"] == [language.MAX_DETECTOR_CALLS, total] for f in found)
    assert f"a sample of {language.MAX_DETECTOR_CALLS} of this story's {total} uncertain segments" in found[0].message
    # the sample is spread over the story, the same every run
    assert found[0].start == 0 and found[-1].start > len(many) * 0.9
    calls.clear()
    assert [f.start for f in run_rules(many, select=("L102",))] == [f.start for f in found]


@pytest.mark.timeout(60)
def test_a_diff_of_a_huge_file_is_a_correct_patch_without_difflib(tmp_path):
    import shutil
    import subprocess

    from mtcheck.report import diff

    rng = random.Random(11)
    words = "troops city bridge council minister report border talks army road".split()
    old_lines = [" ".join(rng.choice(words) for _ in range(8)) + f" {i}.\n" if i % 3 else "\n" for i in range(60_000)]
    new_lines = list(old_lines)
    for i in rng.sample(range(len(new_lines)), 400):
        new_lines[i] = new_lines[i].replace("troops", "soldiers") if rng.random() < 0.7 else ""
    new_lines.insert(100, "A new line.\n")
    old, new = "".join(old_lines), "".join(new_lines).rstrip("\n")  # and the last line break lost
    assert len(old_lines) > diff.DIFFLIB_MAX_LINES
    patch = diff.unified_diff("story.txt", old, new)
    assert patch.startswith("diff --git a/story.txt b/story.txt\n") and patch.endswith(diff.NO_NEWLINE)
    assert patch.count("\n@@ ") > 100  # hunks around the edits, not one replacement of the file
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "story.txt").write_text(old, encoding="utf-8")
    done = subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], input=patch.encode(), cwd=tmp_path, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert (tmp_path / "story.txt").read_text(encoding="utf-8") == new


def test_a_small_diff_is_difflib_s_own():
    import difflib

    from mtcheck.report import diff

    old = "first\n" + "x\n" * 20 + "last line\n"
    new = "First\n" + "x\n" * 20 + "last line!\n"
    body = "".join(list(difflib.unified_diff(diff.lines(old), diff.lines(new), n=3))[2:])
    assert diff.unified_diff("s", old, new).endswith(body)
    # the patience diff gives the same hunks where the alignment is plain
    a, b = diff.lines(old), diff.lines(new)
    assert "".join(diff._hunks(a, b, diff._patience_opcodes(a, b), 3)) == body


# -- the fast paths find exactly what the plain ones do ------------------------------------------
# (Literal prefilters, one-pass indexes and early exits stand in for a regex run over the whole
# text; each is held here to the plain computation on the seeds and on text made to reach the
# edges: case traps, many distinct glued words, control characters, degenerate text.)


def _edge_text() -> str:
    rng = random.Random(8)
    seeds = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    words = "said that in the of to from with after before army city us may".split()
    lines = [
        f"The officials {rng.choice(words)}{rng.choice(words)} it in {rng.choice(['may', 'march', 'june'])} "
        f"{rng.choice(['2017', 'of 2017', '9', ''])}, the {rng.choice(['us', 'Us', 'US'])} command, thus-us us-led "
        f"and USA officials met {rng.choice(['Pro', 'Anti', 'pro'])}-government forces of the "
        f"{rng.choice(['defense Ministry', 'Defense ministry', 'DEFENSE Ministry', 'foreign  ministry', 'UN security Council'])}."
        for _ in range(300)
    ]
    return seeds + "\n\n" + "\n".join(lines) + "\n\nthe us-versus-them x-defense Ministry www.defense Ministry.com RAID.\n"


def test_finditer_from_yields_what_finditer_yields():
    import re

    from mtcheck.rules.base import finditer_from
    from mtcheck.rules.style import style_data

    data = style_data()
    text = _edge_text()
    cases = [(data.prefix, data.prefix_starts), (data.months_always, data.months_always_starts),
             (data.months_ambiguous, data.months_ambiguous_starts), (data.usa, data.usa_starts)]
    cases += [(a.pattern, a.starts) for a in data.acronyms]
    assert all(starts for _, starts in cases)
    for pattern, starts in cases:
        want = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        assert want, pattern.pattern[:40]
        assert [(m.span(), m.groupdict()) for m in finditer_from(pattern, text, starts)] == want
    # overlapping candidates: the leftmost match wins and the next one starts after it
    pattern = re.compile(r"(?<!\w)(?:aa|a)+b")
    text = "aaab aab xaab ab aaaa b aaab"
    assert [m.span() for m in finditer_from(pattern, text, ["a"])] == [m.span() for m in pattern.finditer(text)]


def test_names_are_found_where_the_plain_pattern_finds_them():
    from mtcheck.rules import style

    data = style.style_data()
    for text in (_edge_text(), _edge_text().replace("defense", "Kelvin \u212a defense")):  # a case trap: the plain path
        doc = Document.from_text(text)
        want = [m.span() for m in data.names.finditer(text)]
        assert len(want) > 300
        assert list(style._name_spans(doc, data)) == want


@pytest.mark.parametrize("distinct", [3, 200])  # few and many distinct tokens looked up among the letter runs
def test_glued_occurrences_are_the_candidate_matches_of_those_tokens(distinct):
    from mtcheck.rules import style

    rng = random.Random(distinct)
    words = [w for w in "said that in the of to from with after before army city road".split()]
    pairs = list(dict.fromkeys(a + b for a in words for b in words))[:distinct]
    text = " ".join(rng.choice(pairs + words + ["x" + p for p in pairs] + [p + "'s" for p in pairs]) for _ in range(20_000))
    splits = {p: (p[:2], p[2:]) for p in pairs}
    want = [m.span() for m in style._GLUED_CANDIDATE.finditer(text) if m.group() in splits]
    assert len(want) > 100
    assert [m.span() for m in style._glued_occurrences(text, splits)] == want


def test_the_compressed_size_is_zlib_s_or_none_past_the_bound():
    # deflate's output does not depend on how the input is split: the chunked size is the one-shot one
    import zlib

    from mtcheck.rules import integrity

    rng = random.Random(2)
    vocab = [line.split("\t")[0] for line in (SEEDS.parent / "mtcheck" / "data" / "wordfreq.tsv").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")][:5000]
    prose = " ".join(rng.choice(vocab) for _ in range(80_000)).encode()
    degenerate = b"The army advanced. " * 20_000
    for raw in (prose, degenerate, letters(300_000).encode()):
        size = len(zlib.compress(raw, 6))
        assert integrity._compressed_size(raw, stop_above=float("inf")) == size
        assert integrity._compressed_size(raw, stop_above=size) == size
        assert integrity._compressed_size(raw, stop_above=size - 1) in (size, None)  # None only past the bound
    assert integrity._compressed_size(prose, stop_above=0.1 * len(prose)) is None  # stopped early


def test_integrity_s_shortcuts_match_their_regexes():
    import re

    from mtcheck.rules import integrity

    # the characters tested before the control-run regex are exactly its class
    klass = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
    assert integrity._CONTROL_CHARS == tuple(chr(c) for c in range(0x3000) if klass.fullmatch(chr(c)))
    # a sentence's key: its words, one space apart, as the \W+ substitution gave it
    doc = Document.from_text(_edge_text() + "\n\n«Ünïcode—words_under 42», ... said  İstanbul!\n")
    for s in doc.sentences:
        low = s.text.lower()
        assert " ".join(integrity._WORDS.findall(low)) == re.sub(r"\W+", " ", low).strip()
    assert integrity._non_space_count(doc) == sum(1 for c in doc.text if not c.isspace())


def test_a_word_s_runs_after_lower_case_answer_as_the_direct_search():
    from mtcheck.rules import syntax

    doc = Document.from_text(_edge_text() + "\nit was Ministry, then; Pentagon and  Defense, with U.S. and Russia’s\n")
    asked = sorted({w for s in doc.sentences for w in s.text.split()[:3]})
    assert len(asked) > 4 * syntax._DIRECT_SEARCHES and any("’" in w or "." in w for w in asked)
    # past the first few words, the index answers (by run for a plain word, by position otherwise)
    answers = [syntax._written_after_lower_case(doc, w) for w in asked]
    assert "syntax.after_lower_runs" in doc.user_data and "syntax.after_lower" in doc.user_data
    assert answers == [syntax._after_lower_somewhere(doc.text, w) for w in asked]
    assert any(answers) and not all(answers)


def _same(a, b) -> bool:
    """Equal and of the same types all the way down (a NaN matches a NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(k, j) and _same(a[k], b[j]) for k, j in zip(a, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and a != a:
        return b != b
    return a == b


def _nested(depth: int) -> list:
    out: list = []
    for _ in range(depth):
        out = [out]
    return out


def test_a_result_is_stored_only_when_it_comes_back_as_it_was():
    from mtcheck import codec

    plain = {"v": 3, "text": "a\u2028b\x00“»", "n": [1, -0.0, 2.5e-308, float("inf"), True, None, 10**30],
             "nested": {"k": [{"x": []}, {}]}}
    shared = {"s": 1}
    kept = [
        plain,
        {"a": shared, "b": [shared, shared]},
        {"t": (1, 2)}, {1: "int key"}, {"nan": float("nan")}, {"set": {1}}, {"deep": [[["x", ("y",)]]]},
        {"bad": "\ud800"}, {"big": 10**5000}, {"bytes": b"\x00\xff"},
    ]
    for payload in kept:
        blob = codec.encode_faithful(payload)
        assert blob is not None and _same(codec.decode(blob), payload), payload
    back = codec.decode(codec.encode_faithful(kept[1]))
    assert back["a"] is back["b"][0] is back["b"][1]  # one dict in three places stays one
    cycle: list = []
    cycle.append(cycle)
    back = codec.decode(codec.encode_faithful({"c": cycle}))
    assert back["c"][0] is back["c"]
    refused = [{"sub": type("S", (str,), {})("str subclass")}, {"f": type("F", (float,), {})(1.0)},
               {"obj": object()}, {"c": 1j}, {"deep": _nested(100_000)}]
    for payload in refused:
        assert codec.encode_faithful(payload) is None


def test_a_stored_blob_builds_plain_values_only_and_runs_nothing():
    import pickle
    import zlib

    from mtcheck import codec

    calls = []

    class Evil:
        def __reduce__(self):
            return (calls.append, ("ran",))

    for blob in (zlib.compress(pickle.dumps({"x": Evil()})), zlib.compress(pickle.dumps(Document)), b"not zlib",
                 zlib.compress(b"not a pickle"), zlib.compress(pickle.dumps([1, 2]))):
        with pytest.raises(ValueError):
            codec.decode(blob)
    assert calls == []
