"""The sentence splitter's abbreviations (mtcheck/data/abbreviations.toml): a period after a
title, a date abbreviation or a number label does not end the sentence; after an ordinary
word it does."""

from __future__ import annotations

import pytest

from mtcheck import document
from mtcheck.document import Document


def _split(text: str) -> list[str]:
    return [s.text for s in Document.from_text(text).sentences]


@pytest.mark.parametrize("text, expected", [
    ("Fr. Alexander Men said so. He left.", ["Fr. Alexander Men said so.", "He left."]),
    ("It was Gen. Gerasimov who spoke. He came.", ["It was Gen. Gerasimov who spoke.", "He came."]),
    ("They met in St. Petersburg on Feb. 8 this year. Talks failed.",
     ["They met in St. Petersburg on Feb. 8 this year.", "Talks failed."]),
    ("The U.S. Army denied it. Nobody else did.", ["The U.S. Army denied it.", "Nobody else did."]),
    ("Smith et al. Found the flaw first.", ["Smith et al. Found the flaw first."]),
])
def test_abbreviations_hold_the_sentence_together(text, expected):
    assert _split(text) == expected


def test_a_lower_case_word_that_looks_like_an_abbreviation_ends_its_sentence():
    # "sun", "mar", "co" are words too: only the capitalised forms are abbreviations
    assert _split("They sat in the sun. Then it rained.") == ["They sat in the sun.", "Then it rained."]


def test_number_labels_hold_only_before_a_number():
    assert _split("Order No. 5 was signed. It came in force.") == ["Order No. 5 was signed.", "It came in force."]
    # Russian word order ends a sentence in "no." (the X102 rule's case): that is a sentence end
    assert _split("Russian soldiers in the area of Deir ez-Zor no. The ministry said so.") == [
        "Russian soldiers in the area of Deir ez-Zor no.", "The ministry said so."]


def test_the_abbreviation_list_is_data_and_is_validated(tmp_path, monkeypatch):
    lists = document.abbreviations()
    assert "fr" in lists["capitalised"] and "no" in lists["before_number"]
    bad = tmp_path / "abbreviations.toml"
    bad.write_text('capitalised = ["Mr"]\nany_case = []\nbefore_number = []\n', encoding="utf-8")
    monkeypatch.setattr(document, "ABBREVIATIONS_FILE", bad)
    document.abbreviations.cache_clear()
    try:
        with pytest.raises(document.AbbreviationsError, match="capitalised: expected a list of lower-case words"):
            document.abbreviations()
        bad.write_text('capitalised = []\n', encoding="utf-8")
        with pytest.raises(document.AbbreviationsError, match="expected exactly the keys"):
            document.abbreviations()
    finally:
        monkeypatch.undo()
        document.abbreviations.cache_clear()


# -- one pass over the story: the same sentences as splitting each line group alone ------------

_FRAGMENTS = ["Mr.", "U.S.", "end.", "?", "!", "…", "...", '"', "”", "“", ")", "(", "«", "»", "'", " ", " ",
              "\n", "\n", "\n\n", "a", "The", "word", "he", "7 mln.", "e.g.", "No.", "5", "—", "-", "St.",
              "Gen.", "F.", ":", ";", "x.y", "Ab", "in"]


def _sentences_unit_by_unit(text: str) -> list[tuple[int, int]]:
    """The splitter run on each line group's text alone (nothing before or after it visible),
    as the sentences of the story would be if every unit were searched on its own."""
    out = []
    for para in document._paragraphs(text):
        for a, b, unterminated in document._units(text, para):
            if unterminated and "\n" not in text[a:b]:
                pieces = [(a, b)]
            else:
                chunk = text[a:b]
                pieces = [(a + x, a + y) for x, y in document._Splitter(chunk).split(0, len(chunk))]
            for x, y in pieces:
                while y > x and text[y - 1].isspace():
                    y -= 1
                if y > x:
                    out.append((x, y))
    return out


def test_one_pass_over_the_story_finds_the_sentences_each_unit_alone_has():
    import random

    rng = random.Random(20)
    for _ in range(400):
        text = "".join(rng.choice(_FRAGMENTS) + rng.choice(["", " ", "", "\n"]) for _ in range(rng.randint(1, 60)))
        got = [(s.start, s.end) for s in Document.from_text(text).sentences]
        assert got == _sentences_unit_by_unit(text), repr(text)


# -- the line-at-a-time path (texts without \r) against the general passes --------------------

_LINE_FRAGMENTS = _FRAGMENTS + ["\t", "\xa0", "\n \n", "\n\t\n", "\x0c", "\u2028", "\x85", "é", "İ", "ß", "𝐀", "x.", "y"]


def _general_segmentation(text: str) -> tuple[list, list]:
    """Paragraphs and sentences by the general passes (the ones a text with \r takes)."""
    paragraphs = list(document._paragraphs(text))
    return paragraphs, list(document._sentences(text, paragraphs))


def test_line_at_a_time_segmentation_is_the_general_one_field_for_field():
    import random

    rng = random.Random(21)
    kinds = set()
    for _ in range(3000):
        text = "".join(rng.choice(_LINE_FRAGMENTS) + rng.choice(["", " ", "", "\n", "\n\n"])
                       for _ in range(rng.randint(0, 70)))
        doc = Document.from_text(text)
        paragraphs, sentences = _general_segmentation(text)
        assert doc.paragraphs == paragraphs, repr(text)
        # (dataclass equality: every field, the index, kind and quote flag among them)
        assert doc.sentences == sentences, repr(text)
        assert [s.index for s in doc.sentences] == list(range(len(sentences)))
        kinds.update(s.kind for s in sentences)
    assert kinds == {"title", "heading", "body"}  # (the texts reach every kind)


def test_boundaries_merged_per_terminal_are_those_of_one_pattern():
    import random

    rng = random.Random(22)
    for _ in range(2000):
        text = "".join(rng.choice(_LINE_FRAGMENTS) + rng.choice(["", " ", "", "\n"]) for _ in range(rng.randint(0, 60)))
        pattern = document._SENT_BOUNDARY
        want = [(m.span(), m.span(1), m.span(2)) for m in pattern.finditer(text)]
        assert [(m.span(), m.span(1), m.span(2)) for m in document._boundaries(text)] == want, repr(text)


def test_a_text_with_carriage_returns_segments_as_with_line_feeds():
    text = "Title line\r\n\r\nFirst one. Second one\r\ncontinues here.\r\nA heading\r\n"
    doc = Document.from_text(text)
    same = Document.from_text(text.replace("\r\n", "\n "))  # (a space for each \r: the same offsets)
    assert [(s.start, s.end, s.kind) for s in doc.sentences] == [(s.start, s.end, s.kind) for s in same.sentences]
    assert [s.text for s in doc.sentences] == ["Title line", "First one.", "Second one\r\ncontinues here.", "A heading"]
