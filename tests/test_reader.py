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
    (ENGLISH_WITH_RUSSIAN, b"\xfe\xff" + ENGLISH_WITH_RUSSIAN.encode("utf-16-be"), "utf-16-be-bom"),  # byte order kept
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


# -- issue 10, item 4: a few bad bytes, BOM + bad byte, Mac Cyrillic ---------------------------

WASHINGTON = "Washington’s envoy met the café owner in Moscow on Monday, the embassy said.\n"


def test_one_stray_latin1_byte_keeps_a_utf8_story_utf8(tmp_path, cli):
    data = WASHINGTON.encode("utf-8").replace("é".encode(), b"\xe9")
    decoded = decode(data)
    assert decoded.encoding == "utf-8"  # not cp1251: "WashingtonвЂ™s"
    assert decoded.text == WASHINGTON.replace("é", "\ufffd")
    (issue,) = decoded.issues
    assert (issue["start"], issue["end"], issue["offset"], issue["bytes"]) == (
        WASHINGTON.index("é"), WASHINGTON.index("é") + 1, data.index(b"\xe9"), "e9")

    path = write(tmp_path, "story.txt", data)
    result = cli("scan", path, "--no-neural")
    assert result.exit_code == 1
    assert f"story.txt:1:{WASHINGTON.index('é') + 1}: I101" in result.stdout
    assert "вЂ" not in result.stdout and "L101" not in result.stdout

    out = tmp_path / "out"
    result = cli("fix", path, "--out", out, "--no-neural")
    assert result.exit_code == 0, result.stderr
    assert (out / "story.txt").read_bytes() == WASHINGTON.encode("utf-8")  # the byte read as é, the rest untouched
    assert path.read_bytes() == data


def test_many_invalid_bytes_are_still_a_code_page_not_utf8():
    # cp1251 "В" + no-break space is valid UTF-8 by accident; the rest of the text is not.
    text = "В\xa0Москве заявили, что переговоры продолжатся. В\xa0Кремле отказались от комментариев."
    assert decode(text.encode("cp1251")) == reader.Decoded(text, "cp1251")


def test_utf8_bom_and_one_bad_byte_is_reported_not_a_traceback(tmp_path, cli):
    data = b"\xef\xbb\xbf" + WASHINGTON.encode("utf-8").replace("é".encode(), b"\xe9")
    decoded = decode(data)
    assert decoded.encoding == "utf-8-sig" and decoded.text == WASHINGTON.replace("é", "\ufffd")
    assert decoded.issues[0]["offset"] == data.index(b"\xe9")
    path = write(tmp_path, "story.txt", data)
    good = write(tmp_path, "good.txt", b"The talks ended on Monday.\n")
    result = cli("scan", path, good, "--no-neural", "--format", "json")
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert [f["path"] for f in report["files"]] == [str(path), str(good)]  # the run went on
    assert report["files"][0]["encoding"] == "utf-8-sig"
    assert [f["rule"] for f in report["files"][0]["findings"]] == ["I101"]


@pytest.mark.parametrize("text", [
    "Привет",
    "Привет, мир! Как дела?",
    RUSSIAN,
    "МОСКВА, 5 мая. Президент России объявляет о начале переговоров.",
])
def test_mac_cyrillic_is_detected(text):
    assert decode(text.encode("mac_cyrillic")) == reader.Decoded(text, "mac-cyrillic")


def test_a_close_call_between_code_pages_is_reported(tmp_path, cli):
    # Two capitals: cp1251 "ЧП" is koi8-r "во" and mac-cyrillic "ЧП"; no reading is certain.
    path = write(tmp_path, "story.txt", "ЧП".encode("cp1251"))
    doc = read_document(str(path))
    (issue,) = doc.decode_issues
    assert issue["kind"] == "uncertain-encoding" and issue["encoding"] == doc.encoding
    result = cli("scan", path, "--no-neural", "--select", "I104")
    assert "I104" in result.stdout and "encoding uncertain" in result.stdout


def test_long_cyrillic_texts_are_certain():
    for enc in ("cp1251", "koi8_r", "mac_cyrillic"):
        d = decode(RUSSIAN.encode(enc))
        assert d.text == RUSSIAN and d.issues == ()


# -- issue 10, items 4 and 5: writing a story back in the encoding it was read in --------------

@pytest.mark.parametrize("data, encoding", [
    (ENGLISH_WITH_RUSSIAN.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + ENGLISH_WITH_RUSSIAN.encode("utf-8"), "utf-8-sig"),
    (b"\xff\xfe" + ENGLISH_WITH_RUSSIAN.encode("utf-16-le"), "utf-16"),
    (b"\xfe\xff" + ENGLISH_WITH_RUSSIAN.encode("utf-16-be"), "utf-16-be-bom"),
    (RUSSIAN.encode("utf-16-le"), "utf-16-le"),
    (ENGLISH_WITH_RUSSIAN.encode("utf-16-be"), "utf-16-be"),
    (RUSSIAN.encode("cp1251"), "cp1251"),
    (RUSSIAN.encode("koi8_r"), "koi8-r"),
    (RUSSIAN.encode("mac_cyrillic"), "mac-cyrillic"),
    (FRENCH.encode("latin-1"), "latin-1"),
    ("“Quoted” news — a café, said the officials of the ministry on Monday.".encode("cp1252"), "cp1252"),
])
def test_encode_story_gives_back_the_exact_bytes(data, encoding):
    decoded = decode(data)
    assert decoded.encoding == encoding
    assert reader.encode_story(decoded.text, decoded.encoding) == data


def test_encode_story_refuses_text_the_encoding_cannot_hold():
    with pytest.raises(ValueError) as e:
        reader.encode_story("Министерство — «ТАСС» 😀", "koi8-r")
    assert isinstance(e.value, reader.EncodingError)
    assert "\n" not in str(e.value) and "koi8-r" in str(e.value) and "U+" in str(e.value)
    with pytest.raises(reader.EncodingError):
        reader.encode_story("text", "ebcdic-klingon")


def test_fix_keeps_utf16_big_endian_with_its_bom(tmp_path, cli):
    text = "The ministry said on Monday that the talks would go on.\x07 Officials declined to comment.\n"
    path = write(tmp_path, "story.txt", b"\xfe\xff" + text.encode("utf-16-be"))
    out = tmp_path / "out"
    result = cli("fix", path, "--out", out, "--no-neural", "--select", "integrity")
    assert result.exit_code == 0, result.stderr
    assert (out / "story.txt").read_bytes() == b"\xfe\xff" + text.replace("\x07", "").encode("utf-16-be")


def test_fix_refuses_to_change_the_encoding_unless_asked(tmp_path, cli, monkeypatch):
    import mtcheck.changes

    real = mtcheck.changes.fix_story

    def with_an_ellipsis(doc, unsafe=False):
        # A change bringing in a character koi8-r lacks, as a rewrite could.
        story = real(doc, unsafe)
        story.text = story.text.replace("...", "…")
        return story

    monkeypatch.setattr(mtcheck.changes, "fix_story", with_an_ellipsis)
    data = "Moscow said... The head of Минобороны spoke on Monday.\n".encode("koi8_r")
    path = write(tmp_path, "story.txt", data)
    out = tmp_path / "out"
    result = cli("fix", path, "--out", out, "--no-neural", "--select", "integrity")
    assert result.exit_code == 2
    (line,) = [ln for ln in result.stderr.splitlines() if "story.txt" in ln]
    assert "koi8-r" in line and "--allow-encoding-change" in line and "not written" in line
    assert not (out / "story.txt").exists() and path.read_bytes() == data

    result = cli("fix", path, "--out", out, "--no-neural", "--select", "integrity", "--allow-encoding-change")
    assert result.exit_code == 0, result.stderr
    assert "written as UTF-8" in result.stderr
    assert (out / "story.txt").read_text(encoding="utf-8") == "Moscow said… The head of Минобороны spoke on Monday.\n"


# -- issue 10, item 8: folders that cannot be read ---------------------------------------------

def _deny(monkeypatch, locked: Path, function: str) -> None:
    """Make ``os.<function>`` fail as it does without permission: ``scandir`` of ``locked``
    (no r bit), ``stat`` of anything inside it (no x bit). Root bypasses permissions, so chmod
    cannot show it there; the failure then comes from the same call."""
    real = getattr(os, function)

    def denied(path, *args, **kwargs):
        p = Path(os.fsdecode(path))
        if (p == locked) if function == "scandir" else (locked in p.parents):
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, function, denied)


@pytest.fixture
def locked_folder(tmp_path, monkeypatch):
    """``inbox/locked`` holding a story, unreadable (chmod 0, or a denied scandir as root)."""
    inbox = tmp_path / "inbox"
    locked = inbox / "locked"
    locked.mkdir(parents=True)
    (locked / "hidden-story.txt").write_text("The talks ended.\n")
    (inbox / "good.txt").write_text("The talks ended on Monday.\n")
    if os.geteuid() == 0:
        _deny(monkeypatch, locked, "scandir")
        yield inbox, locked
    else:
        locked.chmod(0)
        try:
            yield inbox, locked
        finally:
            locked.chmod(0o755)


def test_unreadable_folder_is_an_error_not_silence(locked_folder, cli):
    inbox, locked = locked_folder
    found = list(discover([inbox]))
    assert [p for p, _ in found] == [str(inbox / "good.txt"), str(locked)]
    error = found[1][1]
    assert error.kind == "unreadable" and "ermission" in error.message and "\n" not in str(error)

    result = cli("scan", inbox, "--no-neural")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert str(locked) in line and "ermission" in line
    assert "1 file scanned; 1 skipped" in result.stdout


def test_path_inside_a_folder_without_the_x_bit(tmp_path, cli, monkeypatch):
    folder = tmp_path / "noexec"
    folder.mkdir()
    story = folder / "story.txt"
    story.write_text("The talks ended.\n")
    if os.geteuid() == 0:
        _deny(monkeypatch, folder, "stat")
    else:
        folder.chmod(0o644)  # readable, not searchable
    try:
        ((path, error),) = list(discover([story]))
        assert path == str(story) and error.kind == "unreadable" and "ermission" in error.message
        # Without --config the search for a config file above the path stats it too: that must
        # not be a traceback either.
        result = cli("scan", story, "--no-neural")
        assert result.exit_code == 2
        config = write(tmp_path, "mtcheck.toml", b"")
        result = cli("scan", story, "--no-neural", "--config", config)
        assert result.exit_code == 2
        (line,) = result.stderr.strip().splitlines()
        assert str(story) in line and "ermission" in line and "Traceback" not in result.stderr
    finally:
        folder.chmod(0o755)


def test_utf8_bom_on_a_cp1251_file_is_refused_not_turned_into_replacement_characters():
    with pytest.raises(InputError) as e:
        decode(b"\xef\xbb\xbf" + RUSSIAN.encode("cp1251"), "story.txt")
    assert e.value.kind == "undecodable" and "byte-order mark" in e.value.message


def test_the_gate_leaves_an_unreadable_folder_in_the_inbox_and_says_so(locked_folder, cli, tmp_path):
    inbox, locked = locked_folder
    out = {name: tmp_path / name for name in ("accepted", "review", "rejected")}
    result = cli("gate", inbox, "--no-neural", *(x for name, d in out.items() for x in (f"--{name}", d)))
    assert result.exit_code in (0, 1), result.output
    assert locked.is_dir()  # never moved, whole, into rejected/
    assert not any(p.name == "locked" for d in out.values() if d.exists() for p in d.iterdir())
    assert not (inbox / "good.txt").exists()  # the readable story was gated
    assert any(str(locked) in line and "left in the inbox" in line for line in result.stderr.splitlines())
