"""Integrity rules (I1xx) and the corrupt-file limit: damage that is not a translation problem
(bad bytes, NULs, control characters, degenerate text) is reported, fixed where deleting is
safe, and refused whole above a small share. Issue 10, items 4 and 9."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from mtcheck.config import Config
from mtcheck.findings import apply_edits
from mtcheck.reader import CORRUPT_MIN, CORRUPT_SHARE, InputError, decode, read_document
from mtcheck.rules import all_rules, integrity
from mtcheck.rules.base import Context

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ALL = frozenset(r.code for r in integrity.RULES)

_WORDS = (
    "the minister said talks with officials in Moscow and Washington would continue next week while "
    "several companies declined to comment on reports of new sanctions against the banks and the army "
    "said its units had advanced near the river after heavy fighting overnight"
).split()


def story(sentences: int = 60, seed: int = 3) -> str:
    """English-like prose with no sentence repeated: the size of a real wire story."""
    rng = random.Random(seed)
    out = []
    for _ in range(sentences):
        words = [rng.choice(_WORDS) for _ in range(rng.randrange(8, 18))]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out) + "\n"


def check(path: Path):
    doc = read_document(str(path))
    found = list(integrity.check(doc, Context(config=Config(), enabled=ALL)))
    for f in found:
        assert doc.text[f.start:f.end] == f.text, f
        assert f.category == "integrity" and "\n" not in f.message
    return doc, found


def test_rules_are_registered_with_their_own_category():
    codes = {r.code: r for r in all_rules() if r.code.startswith("I")}
    assert set(codes) == {"I101", "I102", "I103", "I104", "I105", "I106"}
    assert all(r.category == "integrity" for r in codes.values())


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_clean_stories_have_no_integrity_findings(name):
    _, found = check(SEEDS / name)
    assert found == []


# -- item 9: NULs and control characters --------------------------------------------------


def test_nuls_after_the_first_8k_are_a_finding_and_fix_deletes_them(tmp_path, cli):
    text = story(120)
    assert len(text) > 9000
    cut = text.index(" ", 8500)
    path = tmp_path / "story.txt"
    path.write_bytes((text[:cut] + "\x00" * 5 + text[cut:]).encode("utf-8"))
    doc, found = check(path)
    (f,) = found
    assert (f.code, f.start, f.end, f.text) == ("I102", cut, cut + 5, "\x00" * 5)
    assert f.safe_fix and apply_edits(doc.text, f.fix.edits) == text

    out = tmp_path / "out"
    result = cli("fix", path, "--out", out, "--no-neural", "--select", "integrity")
    assert result.exit_code == 0, result.stderr
    assert (out / "story.txt").read_bytes() == text.encode("utf-8")  # the NULs gone, nothing else changed


def test_three_thousand_nuls_after_8k_make_the_file_corrupt(tmp_path, cli):
    text = story(120)
    path = tmp_path / "story.txt"
    data = (text[:8500] + "\x00" * 3000 + text[8500:]).encode("utf-8")
    path.write_bytes(data)
    with pytest.raises(InputError) as e:
        read_document(str(path))
    assert e.value.kind == "corrupt" and "3000 NUL bytes" in e.value.message

    result = cli("scan", path, "--no-neural")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "story.txt" in line and "NUL" in line and "Traceback" not in result.stderr + result.stdout

    result = cli("gate", "--check", path, "--no-neural")
    assert result.exit_code == 1 and "rejected" in result.stdout

    out = tmp_path / "out"
    result = cli("fix", path, "--out", out, "--no-neural")
    assert result.exit_code == 2
    assert not (out / "story.txt").exists()  # a damaged file is not "fixed" into a story
    assert path.read_bytes() == data


def test_control_characters_are_findings_and_terminal_escapes_go_whole(tmp_path):
    text = story(40)
    at = text.index(" ", 300)
    damaged = text[:at] + " \x1b[1;31mALERT\x1b[0m" + text[at:at + 200] + "\x07" + text[at + 200:]
    path = tmp_path / "story.txt"
    path.write_text(damaged, encoding="utf-8")
    doc, found = check(path)
    assert [(f.code, f.text) for f in found] == [("I103", "\x1b[1;31m"), ("I103", "\x1b[0m"), ("I103", "\x07")]
    assert all(f.safe_fix for f in found)
    fixed = apply_edits(doc.text, [e for f in found for e in f.fix.edits])
    assert fixed == text[:at] + " ALERT" + text[at:]


def test_a_form_feed_between_words_becomes_a_line_break():
    text = story(20)
    at = text.index(" ", 200)
    data = (text[:at] + "\x0c" + text[at + 1:]).encode()
    doc = read_document_from(data)
    (f,) = integrity.check(doc, Context(config=Config(), enabled=ALL))
    assert f.code == "I103" and f.suggestion == "\n"


def read_document_from(data: bytes):
    from mtcheck.document import Document

    d = decode(data)
    doc = Document.from_text(d.text, encoding=d.encoding)
    doc.decode_issues = list(d.issues)
    return doc


def test_story_full_of_escape_characters_is_refused_as_corrupt(tmp_path, cli):
    path = tmp_path / "story.txt"
    path.write_text("".join(f"\x1b[3{i % 8}m{w} " for i, w in enumerate(story(30).split())), encoding="utf-8")
    result = cli("scan", path, "--no-neural")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "control characters" in line and "skipped" in line


def test_binary_files_are_still_binary_not_corrupt():
    rng = random.Random(7)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4000))
    with pytest.raises(InputError) as e:
        decode(png, "image.txt")
    assert e.value.kind == "binary"


def test_corrupt_limit_is_a_share_of_the_text():
    text = story(60)
    few = max(CORRUPT_MIN, int(len(text) * CORRUPT_SHARE)) - 1
    decode((text + "\x00" * few).encode())  # just under: a finding, not a refusal
    with pytest.raises(InputError):
        decode((text + "\x00" * (few + 5)).encode())


# -- item 9: degenerate text --------------------------------------------------------------


def test_three_words_repeated_fifteen_thousand_times_is_degenerate(tmp_path, cli):
    path = tmp_path / "story.txt"
    path.write_text("The army advanced. " * 15000, encoding="utf-8")
    doc, found = check(path)
    (f,) = found
    assert f.code == "I105" and f.text == "The army advanced." and (f.start, f.end) == (0, 18)
    assert "15,000 times" in f.message and f.fix is None

    result = cli("gate", "--check", path, "--no-neural")
    assert result.exit_code == 1 and "accepted" not in result.stdout.splitlines()[0]


def test_a_sentence_filling_half_the_story_is_degenerate():
    text = story(6) + " ".join(["Officials in Moscow declined to comment on the reports of new sanctions."] * 8)
    doc = read_document_from(text.encode())
    (f,) = integrity.check(doc, Context(config=Config(), enabled=ALL))
    assert f.code == "I105" and "8 times" in f.message


def test_text_repeating_itself_without_sentence_breaks_is_degenerate():
    doc = read_document_from(("the army advanced near the river " * 400).encode())
    (f,) = integrity.check(doc, Context(config=Config(), enabled=ALL))
    assert f.code == "I105" and "repeats itself" in f.message


def test_a_story_of_escape_sequences_is_degenerate(tmp_path):
    russian = "Министерство обороны России сообщило, что войска продолжают наступление на позиции боевиков."
    escaped = "".join(f"\\u{ord(c):04x}" for c in russian)
    path = tmp_path / "story.txt"
    path.write_text("Moscow, March 3.\n\n" + escaped + "\n", encoding="utf-8")
    doc, found = check(path)
    (f,) = [f for f in found if f.code == "I106"]
    assert f.start == doc.text.index("\\u") and f.end == doc.text.index("\n", f.start)
    assert "escape sequences" in f.message


def test_quoted_backslashes_and_entities_in_a_normal_story_are_not_escapes():
    text = story(30) + ' The file was saved as C:\\new\\report.txt and the site printed &amp; twice.\n'
    doc = read_document_from(text.encode())
    assert list(integrity.check(doc, Context(config=Config(), enabled=ALL))) == []


# -- item 4: bytes the reader replaced -----------------------------------------------------


def test_stray_byte_findings_point_at_the_exact_characters(tmp_path, cli):
    text = "Washington’s envoy met the café owner in Zürich on Monday.\n"
    data = text.encode().replace("é".encode(), b"\xe9").replace("ü".encode(), b"\xfc")
    path = tmp_path / "story.txt"
    path.write_bytes(data)
    doc, found = check(path)
    assert [(f.code, f.start, f.text, f.suggestion, f.safe_fix) for f in found] == [
        ("I101", text.index("é"), "\ufffd", "é", True), ("I101", text.index("ü"), "\ufffd", "ü", True)]
    offset = data.index(b"\xe9")
    assert f"byte offset {offset}" in found[0].message

    result = cli("scan", path, "--no-neural", "--format", "json", "--select", "I101")
    report = json.loads(result.stdout)
    (file_,) = report["files"]
    assert file_["encoding"] == "utf-8"
    assert [(f["line"], f["col"]) for f in file_["findings"]] == [(1, text.index("é") + 1), (1, text.index("ü") + 1)]


def test_undefined_byte_of_a_code_page_is_reported_without_a_guess():
    russian = "Министерство обороны сообщило об этом в понедельник, заявил представитель ведомства."
    data = russian.encode("cp1251")
    data = data[:20] + b"\x98" + data[20:]
    doc = read_document_from(data)
    assert doc.encoding == "cp1251"
    (f,) = [f for f in integrity.check(doc, Context(config=Config(), enabled=ALL)) if f.code == "I101"]
    assert f.start == 20 and f.fix is None and "byte offset 20" in f.message


def test_replacement_characters_already_in_the_text_are_reported():
    doc = read_document_from("The minister met \ufffd\ufffd in the capital on Monday.".encode())
    (f,) = integrity.check(doc, Context(config=Config(), enabled=ALL))
    assert f.code == "I101" and f.text == "\ufffd\ufffd" and f.fix is None


def test_fix_never_writes_undecodable_bytes_back_as_replacement_characters(tmp_path, cli):
    russian = "Министерство обороны сообщило об этом в понедельник, заявил представитель ведомства."
    data = russian.encode("cp1251")
    story = tmp_path / "in" / "story.txt"
    story.parent.mkdir()
    story.write_bytes(data[:20] + b"\x98" + data[20:])  # a byte cp1251 does not define
    result = cli("fix", story, "--no-neural", "--out", tmp_path / "out")
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert "not written" in first and "byte" in first
    assert not (tmp_path / "out" / "story.txt").exists()
    assert story.read_bytes() == data[:20] + b"\x98" + data[20:]
