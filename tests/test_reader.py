"""Reading stories: encodings, and every way a file can fail (one line on stderr, exit 2,
the other files still reported, never a traceback)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from mtcheck import reader
from mtcheck.reader import InputError, decode, discover, read_document

RUSSIAN = (
    "Министерство обороны России сообщило, что сирийские войска продолжают наступление "
    "на позиции боевиков в провинции Дейр-эз-Зор. Представитель ведомства Игорь Конашенков "
    "заявил об этом в понедельник."
)
ENGLISH_WITH_RUSSIAN = (
    "Moscow called for a meeting of the UN Security Council.\n\n"
    "The agency quoted the head of Минобороны as saying the strikes would continue.\n"
)
FRENCH = "Le ministère de la Défense a déclaré lundi que les frappes avaient touché des positions près de Deir ez-Zor."


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("text, data, expected", [
    (ENGLISH_WITH_RUSSIAN, ENGLISH_WITH_RUSSIAN.encode("utf-8"), "utf-8"),
    (ENGLISH_WITH_RUSSIAN, b"\xef\xbb\xbf" + ENGLISH_WITH_RUSSIAN.encode("utf-8"), "utf-8-sig"),
    (ENGLISH_WITH_RUSSIAN, ENGLISH_WITH_RUSSIAN.encode("utf-16"), "utf-16"),
    (ENGLISH_WITH_RUSSIAN, b"\xff\xfe" + ENGLISH_WITH_RUSSIAN.encode("utf-16-le"), "utf-16"),
    (ENGLISH_WITH_RUSSIAN, b"\xfe\xff" + ENGLISH_WITH_RUSSIAN.encode("utf-16-be"), "utf-16"),
    (RUSSIAN, RUSSIAN.encode("utf-16-le"), "utf-16-le"),  # no BOM, Cyrillic: no zero bytes at all
    (ENGLISH_WITH_RUSSIAN, ENGLISH_WITH_RUSSIAN.encode("utf-16-be"), "utf-16-be"),
    (RUSSIAN, RUSSIAN.encode("cp1251"), "cp1251"),
    (RUSSIAN, RUSSIAN.encode("koi8_r"), "koi8-r"),
    (ENGLISH_WITH_RUSSIAN, ENGLISH_WITH_RUSSIAN.encode("cp1251"), "cp1251"),
    (ENGLISH_WITH_RUSSIAN, ENGLISH_WITH_RUSSIAN.encode("koi8_r"), "koi8-r"),
    (FRENCH, FRENCH.encode("latin-1"), "latin-1"),
])
def test_encodings_are_detected_and_decoded_exactly(tmp_path, text, data, expected):
    path = write(tmp_path, "story.txt", data)
    doc = read_document(str(path))
    assert doc.encoding == expected
    assert doc.text == text


def test_cp1252_only_bytes_are_reported_as_cp1252():
    text = "“Quoted” news — a café in the city, said the officials of the ministry on Monday."
    assert decode(text.encode("cp1252")) == reader.Decoded(text, "cp1252")


@pytest.mark.parametrize("encoding, expected", [("cp1251", "cp1251"), ("koi8_r", "koi8-r"), ("utf-16", "utf-16"), ("utf-8-sig", "utf-8-sig")])
def test_json_reports_the_encoding_and_offsets_into_the_decoded_text(tmp_path, cli, encoding, expected):
    path = write(tmp_path, "story.txt", ENGLISH_WITH_RUSSIAN.encode(encoding))
    result = cli("scan", path, "--no-neural", "--format", "json", "--select", "language")
    assert result.exit_code == 1  # L101 is an error
    report = json.loads(result.stdout)
    (file_,) = report["files"]
    assert file_["encoding"] == expected
    (finding,) = file_["findings"]
    assert finding["rule"] == "L101" and finding["text"] == "Минобороны"
    assert ENGLISH_WITH_RUSSIAN[finding["start"]:finding["end"]] == "Минобороны"
    assert (finding["line"], finding["col"]) == (3, ENGLISH_WITH_RUSSIAN.split("\n")[2].index("Минобороны") + 1)


# -- bad input ------------------------------------------------------------------------------

def png_bytes() -> bytes:
    rng = random.Random(7)
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4000))


@pytest.mark.parametrize("name, data, kind", [
    ("image.txt", png_bytes(), "binary"),
    ("zeros.txt", b"\x00" * 512, "binary"),
    ("int16.txt", bytes(b for i in range(1000) for b in ((i * 37) % 256, 0)), "binary"),  # looks like UTF-16 lanes
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n\t \r\n", "empty"),
    ("bad16.txt", b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8", "undecodable"),
])
def test_bad_content_is_an_input_error(tmp_path, name, data, kind):
    path = write(tmp_path, name, data)
    with pytest.raises(InputError) as e:
        read_document(str(path))
    assert e.value.kind == kind
    assert "\n" not in str(e.value) and str(path) in str(e.value)


def test_unreadable_paths(tmp_path):
    missing = tmp_path / "missing.txt"
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for path, message in [(missing, "no such file"), (dangling, "no such file"), (fifo, "not a regular file"), (tmp_path, "not a regular file")]:
        with pytest.raises(InputError) as e:
            reader.read_bytes(str(path))
        assert e.value.kind == "unreadable" and message in e.value.message


def test_permission_denied(tmp_path):
    path = write(tmp_path, "secret.txt", b"The minister said nothing.")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # running as root: permissions do not apply
            assert read_document(str(path)).text == "The minister said nothing."
        else:
            with pytest.raises(InputError) as e:
                read_document(str(path))
            assert e.value.kind == "unreadable" and "ermission" in e.value.message
    finally:
        path.chmod(0o644)


def test_huge_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:  # sparse: no disk space used
        fh.truncate(reader.MAX_BYTES + 1)
    monkeypatch.setattr(reader, "open", lambda *a, **k: pytest.fail("a huge file was opened"), raising=False)
    with pytest.raises(InputError) as e:
        reader.read_bytes(str(path))
    assert e.value.kind == "too-large" and "limit" in e.value.message


def test_discovery_walks_folders_sorted_and_filters(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for rel in ["b/2.txt", "b/1.md", "a.txt", "notes.rst", ".hidden/x.txt", "b/skip.txt"]:
        (tmp_path / rel).write_text("Text.")
    found = [Path(p).relative_to(tmp_path).as_posix() for p, err in discover([tmp_path], exclude=["skip.*"])]
    assert found == ["a.txt", "b/1.md", "b/2.txt"]
    explicit = list(discover([tmp_path / "notes.rst", tmp_path / "nope.txt"]))
    assert explicit[0] == (str(tmp_path / "notes.rst"), None)  # named explicitly: always taken
    assert explicit[1][1].kind == "unreadable"


def test_cli_reports_each_bad_file_on_one_line_and_still_scans_the_rest(tmp_path, cli):
    good = tmp_path / "good.txt"
    good.write_text("Moscow called a meeting.\n\nThe head of Минобороны spoke.\n", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    write(folder, "image.txt", png_bytes())
    write(folder, "empty.txt", b"")
    (folder / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    huge = folder / "huge.txt"
    with open(huge, "wb") as fh:
        fh.truncate(reader.MAX_BYTES + 10)
    result = cli("scan", good, folder, tmp_path / "missing.txt", "--no-neural", "--select", "language")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 5, result.stderr
    assert all(line.startswith("mtcheck: ") for line in lines)
    expected = {"image.txt": "binary", "empty.txt": "empty", "dangling.txt": "no such file",
                "huge.txt": "limit", "missing.txt": "no such file"}
    for name, word in expected.items():
        assert any(name in line and word in line for line in lines), (name, lines)
    assert "Traceback" not in result.stderr + result.stdout
    assert "good.txt:3:13: L101" in result.stdout  # the readable file is still reported
    assert "1 file scanned; 5 skipped" in result.stdout


def test_cli_json_lists_input_errors(tmp_path, cli):
    write(tmp_path, "empty.txt", b"")
    result = cli("scan", tmp_path / "empty.txt", "--no-neural", "--format", "json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["files"] == []
    assert report["errors"] == [{"path": str(tmp_path / "empty.txt"), "kind": "empty", "message": "empty file, skipped"}]


def test_directory_given_where_a_file_is_needed(tmp_path, cli):
    story = tmp_path / "story.txt"
    story.write_text("The talks ended.")
    for option in ("--config", "--output"):
        result = cli("scan", story, "--no-neural", option, tmp_path)
        assert result.exit_code == 2
        assert "is a directory" in result.stderr
        assert "Traceback" not in result.stderr


def test_old_mac_line_breaks_are_lines_for_segmentation_and_line_numbers():
    # A lone \r ends a line wherever lines matter: segmentation (a title line) and the line
    # numbers findings report.
    from mtcheck.document import Document, line_spans

    text = "  Strike near Deir ez-Zor \rThe army said that it had advanced.\rIt gave no figures.\r"
    assert [text[a:b] for a, b in line_spans(text)] == [
        "Strike near Deir ez-Zor", "The army said that it had advanced.", "It gave no figures."]
    doc = Document.from_text(text)
    assert [s.text for s in doc.sentences] == [
        "Strike near Deir ez-Zor", "The army said that it had advanced.", "It gave no figures."]
    assert doc.sentences[0].kind == "title"
    assert [doc.line_col(s.start)[0] for s in doc.sentences] == [1, 2, 3]
