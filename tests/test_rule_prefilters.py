"""The whole-text prefilters of the rule families (issue 10, item 12) give exactly the findings
the per-line and per-sentence code they stand in front of gives: each test runs the plain code
as the reference (the prefilter switched off, or the old form written out here) on texts built
to hit the corner cases (line breaks of every kind, case folding, odd spaces, apostrophes)."""

from __future__ import annotations

import random
import re
import sys

import pytest
from test_segmentation import _sentences_unit_by_unit  # the splitter run on each line group alone

from mtcheck import document
from mtcheck.config import Config
from mtcheck.document import Document, line_spans
from mtcheck.rules import Context, boilerplate, integrity, language, select_rules
from mtcheck.rules.base import CASE_FOLDS_TO_ASCII, leading_literals, required_literals


def _ctx() -> Context:
    return Context(config=Config(), enabled=select_rules(), resources=frozenset())


def _dump(findings) -> list[tuple]:
    return sorted((f.code, f.start, f.end, f.message, f.suggestion, None if f.fix is None else f.fix.edits,
                   repr(sorted(f.data.items()))) for f in findings)


# -- the literals read off a pattern ---------------------------------------------------------


def test_required_and_leading_literals_of_a_pattern():
    assert required_literals(re.compile(r"(?i)we (?:use|are using) cookies\b.*")) == ((" cookies", True),)
    assert leading_literals(re.compile(r"(?i)(?:more|read) news:?")) == ("more news", "read news")
    # Case-sensitive literals are kept as written (searched in the text itself) ...
    assert required_literals(re.compile(r"(?:Author|Written by)\s*:")) == (("Author", False), ("Written by", False))
    # ... and lower-cased for a line's start (compared with the lower-cased line).
    assert leading_literals(re.compile(r"(?:Author|Written by)\s*:")) == ("author", "written by")
    for no_literal in (r".*x", r"[a-z]+", r"(?:ab)?c", r"\d+"):
        assert leading_literals(re.compile(no_literal)) is None, no_literal
    assert required_literals(re.compile(r"[a-z]+|\d")) is None
    assert required_literals(re.compile(r"(?:ab)+c?")) == (("ab", False),)
    # A case-insensitive run stops at a non-ASCII letter (its case equivalents are not lower()'s).
    assert required_literals(re.compile(r"(?i)caféteria")) == (("teria", True),)


def test_case_folds_to_ascii_lists_every_letter_ignorecase_takes_for_an_ascii_one():
    ascii_letter = re.compile(r"[a-z]", re.IGNORECASE)
    found = "".join(chr(c) for c in range(0x80, sys.maxunicode + 1) if ascii_letter.fullmatch(chr(c)))
    assert found == CASE_FOLDS_TO_ASCII


def test_no_space_above_u3000():
    assert not [c for c in range(0x3001, sys.maxunicode + 1) if chr(c).isspace()]


# -- boilerplate: B101-B105 tried on the lines that can match, B106 on the pairs that can -----

_JUNK = ["Like this:", "Leave a comment", "  Share this article on Facebook", "Published: Wed, February 14, 2018",
         "World | By Melba Underwood", "Photo: Reuters", "More news: Pak Taliban commander killed in strike",
         "This website uses cookies to improve your experience. Accept Read More", "We value your privacy",
         "Confirm that you are not a bot - select a man with raised hand:", "I’m not a robot", "12 comments",
         "ſhare", "SHARE", "Read more", "Click here to subscribe", "Written by Ivan Petrov", "captcha",
         "By continuing to use this site, you agree", "\tRelated:", "Editor’s picks: a story", "Don’t miss: more"]
_PROSE = ["The army advanced on the town.", "Moscow said the talks would go on", "the", "a b c", "İstanbul mayor",
          "\u212aelvin ok", "by the way he left", "Titles twice", "TITLES TWICE.", "titles  twice…", "Straße news",
          "STRASSE NEWS", "he likes views of the sea", "prove it", "Reporting by", "x" * 30]
_BREAKS = ["\n", "\n", "\r\n", "\r", "\n\n", "\n  \n", "\n\t", "\x0c", "\u2028"]


def _random_page(rng: random.Random) -> str:
    lines = [rng.choice(_JUNK + _PROSE) for _ in range(rng.randint(1, 14))]
    if rng.random() < 0.3:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i] if rng.random() < 0.5 else lines[i].upper() + rng.choice(["", ".", "...", " :"]))
    out = ""
    for line in lines:
        out += rng.choice(["", " ", "\t"]) + line + rng.choice(["", " "]) + rng.choice(_BREAKS)
    return out


def _plain_repeat_pairs(text: str):
    previous = None
    for span in line_spans(text):
        if previous is not None:
            yield previous, span
        previous = span


def test_boilerplate_prefilters_find_what_every_line_tried_finds(monkeypatch):
    rng = random.Random(11)
    pages = [_random_page(rng) for _ in range(500)]
    new = [_dump(boilerplate.check(Document.from_text(p), _ctx())) for p in pages]
    monkeypatch.setattr(boilerplate, "_candidate_lines", lambda text, needs, lowered=None: line_spans(text))
    monkeypatch.setattr(boilerplate, "_repeat_candidates", _plain_repeat_pairs)
    old = [_dump(boilerplate.check(Document.from_text(p), _ctx())) for p in pages]
    assert new == old
    assert sum(map(len, old)) > 300  # the pages hold junk the rules report


# -- language: the plain-ASCII segments judged together ---------------------------------------


def test_looks_english_many_is_looks_english_of_each():
    rng = random.Random(4)
    words = ["the", "of", "and", "Moscow", "said", "ministry", "zzyzx", "qwrt", "blorf", "glark", "vremya",
             "soobshchilo", "ob", "udare", "NATO", "SHOUTED", "it's", "don't", "l'avion", "Путин", "café", "42",
             "on", "a", "snorp", "ministerstvo", "oborony", "—", ",", ".", "\x00", "\x01", "’"]
    texts = ["", " ", "...", "The end."]
    for _ in range(3000):
        texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 25))))
    assert language.looks_english_many(texts) == [language.looks_english(t) for t in texts]
    # Texts holding the first joiners: the next one that is no space joins them.
    controls = ["".join(map(chr, range(9))) + " the ministry of zzyzx", "qwrt blorf glark snorp vremya ob"] + texts[:50]
    assert language.looks_english_many(controls) == [language.looks_english(t) for t in controls]
    judged = language.looks_english_many(texts)
    assert judged.count(None) > 100 and judged.count(True) > 100


# -- integrity: the repeated-sentence count bounded before it is made -------------------------


def test_repeated_sentences_are_found_through_the_bound():
    base = "The army advanced on the town. Officials said nothing. "
    variants = ["The army advanced on the town.", "The Army advanced on the town!", "THE ARMY ADVANCED, ON THE TOWN."]
    text = base + " ".join(variants[i % 3] for i in range(30)) + "\n"
    found = [f for f in integrity.check(Document.from_text(text), _ctx()) if f.code == "I105"]
    assert len(found) == 1 and found[0].data["repeats"] == 31
    # Under the limit (and no more than half the text): no finding, through the bound or not.
    few = "The army advanced. " * 3 + " ".join(f"Sentence number {w} is here." for w in "abcdefgh") + "\n"
    doc = Document.from_text(few)
    letters = integrity._non_space_count(doc)
    assert integrity._repeated_sentence(doc, letters) is None
    assert not [f for f in integrity.check(doc, _ctx()) if f.code == "I105"]


@pytest.mark.parametrize("seed", range(3))
def test_could_repeat_is_never_false_when_a_sentence_repeats(seed):
    rng = random.Random(seed)
    sentences = ["The army advanced.", "THE ARMY ADVANCED!", "Армия наступала.", "армия  наступала?", "Ok.", "\x00 x."]
    for _ in range(200):
        text = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 40)))
        doc = Document.from_text(text)
        letters = integrity._non_space_count(doc) or 1
        if integrity._repeated_sentence(doc, letters) is not None:
            assert integrity._could_repeat(doc, letters), text


# -- segmentation: a boundary's spaces stay on its line ----------------------------------------

_OLD_BOUNDARY = re.compile(
    r"([" + re.escape(document._TERMINAL) + r"](?<![" + re.escape(document._TERMINAL) + r"]{2})["
    + re.escape(document._TERMINAL) + r"]*[" + re.escape(document._CLOSERS) + r"]*)(\s+)(?=["
    + re.escape(document._OPENERS) + r"]?[\w\"“«(\-—–])"
)
_FRAGMENTS = ["Mr.", "U.S.", "end.", "?", "!", "…", "...", '"', "”", "“", ")", "(", "«", "»", "'", " ", " ", "\t",
              "\n", "\n", "\r\n", "\r", "\n\n", "\x0c", "\u2028", "a", "The", "word", "he", "7 mln.", "No.", "5", "—",
              "St.", ":", ";", "Ab", "in"]


def _old_sentences(text: str, monkeypatch) -> list[tuple]:
    """Each line group split alone with the boundary pattern whose spaces may hold a line break
    (what the splitter used before)."""
    monkeypatch.setattr(document, "_SENT_BOUNDARY", _OLD_BOUNDARY)
    try:
        return _sentences_unit_by_unit(text)
    finally:
        monkeypatch.undo()


def test_sentences_are_those_of_the_boundary_pattern_with_line_breaks(monkeypatch):
    rng = random.Random(21)
    for _ in range(600):
        text = "".join(rng.choice(_FRAGMENTS) + rng.choice(["", " ", "", "\n"]) for _ in range(rng.randint(1, 60)))
        got = [(s.start, s.end) for s in Document.from_text(text).sentences]
        assert got == _old_sentences(text, monkeypatch), repr(text)


def _plain_segments(doc: Document) -> list[tuple[int, int]]:
    """language._segments as it was written before its letters were counted together."""
    by_paragraph: dict[int, list] = {}
    for s in doc.sentences:
        by_paragraph.setdefault(s.paragraph, []).append(s)
    out = []
    for p_index, sentences in sorted(by_paragraph.items()):
        long = [s for s in sentences if s.end - s.start >= language.MIN_LETTERS and language._letters(s.text) >= language.MIN_LETTERS]
        if long:
            out += [(s.start, s.end) for s in long]
        else:
            para = doc.paragraphs[p_index]
            if para.end - para.start >= language.MIN_LETTERS and language._letters(doc.text[para.start:para.end]) >= language.MIN_LETTERS:
                out.append((para.start, para.end))
    return out


def test_language_segments_are_those_judged_one_by_one():
    rng = random.Random(8)
    words = ["The", "army", "advanced", "on", "42", "...", "a", "Путин", "café", "x" * 45, "1234567890" * 5, "—",
             "\x00", "Word.", "Ends!", "end.", "\n", "\n\n", "\n\n", "ab", "-", "schöne"]
    for _ in range(400):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 80)))
        doc = Document.from_text(text)
        segments, texts = language._segments(doc)
        assert [(seg.start, seg.end) for seg in segments] == _plain_segments(doc), repr(text)
        assert texts == [doc.text[seg.start:seg.end] for seg in segments], repr(text)


def test_link_marks_are_found_from_their_literals():
    from mtcheck.rules import style
    from mtcheck.rules.base import finditer_from

    rng = random.Random(2)
    bits = ["www.", "ww.", ".com", ".c", "a_b", "=", "\\", "#tag", "..ab", "@user", "x/y", "word", " ", "\n", ".",
            "Www.", ".Ab", "é", "ab."]
    for _ in range(2000):
        text = "".join(rng.choice(bits) for _ in range(rng.randint(1, 30)))
        assert ([m.span() for m in finditer_from(style._LINK_MARK, text, style._LINK_MARK_STARTS)]
                == [m.span() for m in style._LINK_MARK.finditer(text)]
                == [m.span() for m in style._link_marks(text)]), repr(text)


def test_month_words_are_found_among_the_runs_of_letters():
    """S103's months, read off the story's runs of letters, are the matches of its two patterns
    over the text, in text order: whatever stands beside a month word (digits, marks, other
    letters, a non-ASCII letter, a capital)."""
    import dataclasses

    from mtcheck.rules import style

    data = style.style_data()
    assert data.months_always_words and data.months_ambiguous_words  # (the runs are what is tested)
    patterns_only = dataclasses.replace(data, months_always_words=None, months_ambiguous_words=None)
    rng = random.Random(12)
    bits = ["may", "May", "march", "marched", "june", "july", "august", "jun", " ", "\n", ".", "-", "@", "/", "#", "_",
            "1", "9 ", "é", "ß", "x", "of", "'", "’", "mayé", "http://", "Mayday"]
    for _ in range(2000):
        text = "".join(rng.choice(bits) for _ in range(rng.randint(1, 25)))
        doc = Document.from_text(text)
        got = [(m.span(), always) for m, always in style._month_hits(doc, data)]
        assert got == [(m.span(), always) for m, always in style._month_hits(doc, patterns_only)], repr(text)


def test_looks_english_many_reads_function_words_in_any_case():
    # One split of the words as written serves both tests: a capitalised or shouted function
    # word counts as the lower-case one did.
    rng = random.Random(5)
    words = ["The", "THE", "Of", "of", "AND", "And", "zzyzx", "Qwrt", "BLORF", "glark", "ministry", "Moscow", "In", "A",
             "snorp", "vremya", "oborony", "ZZYZX"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(2000)]
    judged = language.looks_english_many(texts)
    assert judged == [language.looks_english(t) for t in texts]
    assert judged.count(None) > 50 and judged.count(True) > 50


# -- syntax: X102 asked only of the sentences that can end in a bare "no" ----------------------


def test_bare_negation_candidates_hold_every_sentence_x102_reports():
    from mtcheck.rules import syntax

    rng = random.Random(11)
    bits = ["Russian soldiers in the area", "no", "No", "no.", "no!", "no…", "no .", "no\t.", "nono.", ",", " ", "  ",
            ".", "?", "\n", "\n\n", "”", ")", "are", "there", "Troops", "its", "nor.", "piano."]
    reported = 0
    for _ in range(1500):
        doc = Document.from_text(" ".join(rng.choice(bits) for _ in range(rng.randint(1, 40))))
        every = [s.index for s in doc.sentences if syntax._bare_negation(doc, s) is not None]
        candidates = [s.index for s in syntax._bare_negation_candidates(doc)]
        assert set(every) <= set(candidates) and candidates == sorted(set(candidates)), doc.text
        reported += len(every)
    assert reported > 100


def test_capitalised_words_after_lower_case_are_those_of_the_full_index():
    from mtcheck.rules import syntax

    rng = random.Random(12)
    bits = ["Moscow", "the", "said", ",", ";", " ", "  ", "\t", "\n", "Ab", "aB", "É", "Éric", "x_Y", "Z9", "u.S.", "A"]
    for _ in range(1500):
        doc = Document.from_text("".join(rng.choice(bits) for _ in range(rng.randint(1, 40))))
        full = syntax._runs_after_lower_case(doc)
        assert syntax._capitalised_runs_after_lower_case(doc) == {w for w in full if "A" <= w[0] <= "Z"}, doc.text


# -- style: S105's tests in C, the case traps built from the categories ------------------------


def test_shouting_sentences_and_three_capitals_as_written_out():
    from mtcheck.rules import style

    rng = random.Random(14)
    bits = ["RAID", "raid", "Ⅰ", "Ⅷ", "É", "é", "42", " ", "ABC", "AB", "ß", "Σ", "—"]
    for _ in range(2000):
        text = "".join(rng.choice(bits) for _ in range(rng.randint(0, 12)))
        letters = [c for c in text if c.isalpha()]
        assert style._shouting_sentence(text) == (bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.5)
        assert [m.span() for m in style._THREE_CAPITALS.finditer(text)] == [m.span() for m in re.finditer(r"[A-Z]{3}", text)]


def test_case_trap_characters_are_those_of_the_per_character_test():
    from mtcheck.rules import style

    ascii_letter = re.compile(r"[a-z]", re.IGNORECASE)
    expected = []
    for code in range(128, 0x10000):
        c = chr(code)
        low = c.lower()
        if ascii_letter.fullmatch(c) or len(low) != 1 or low.isascii() or low.isalnum() != c.isalnum():
            expected.append(c)
    assert style._case_trap_characters() == "".join(expected)


# -- boilerplate: B107's last word read backwards -----------------------------------------------


def test_last_word_is_the_pattern_s():
    rng = random.Random(15)
    bits = ["word", "Ab", "é", "5", "_", "'", "’", "-", " ", "\t", ".", "x", "\n"]
    for _ in range(3000):
        text = "".join(rng.choice(bits) for _ in range(rng.randint(1, 12)))
        if text.endswith("\n"):
            continue  # (a paragraph ends in no line break)
        for start in range(0, min(3, len(text))):
            tail = boilerplate._LAST_WORD.search(text[start:])
            assert boilerplate._last_word(text, start, len(text)) == (tail.group(1) if tail else None), repr(text)


# -- integrity: the non-space characters counted on the UTF-8 bytes ----------------------------


def test_non_space_count_on_the_bytes_is_the_character_count():
    spaces = integrity._spaces()
    rng = random.Random(16)
    bits = list(spaces) + ["a", "Ж", "é", "\ud800", "😀", "\u3000x", "  ", "\x00"]
    for _ in range(500):
        text = "".join(rng.choice(bits) for _ in range(rng.randint(0, 40)))
        assert integrity._non_space_count(Document(path="x", text=text)) == sum(1 for c in text if not c.isspace())


# -- language: L101/L103's Cyrillic prefilter on the UTF-8 bytes --------------------------------


def test_every_cyrillic_letter_keeps_a_byte_of_the_prefilter():
    cyrillic = [chr(c) for c in range(0x400, 0x530)]
    assert all(re.fullmatch(f"[{language._CYR}]", c) for c in cyrillic)
    assert all(c.encode("utf-8").translate(None, language._NOT_CYRILLIC_LEAD) for c in cyrillic)
    doc = Document.from_text("Plain text, café “quoted” and Mоscow with a Cyrillic о.")
    assert [f.text for f in language.check(doc, _ctx())] == ["Mоscow", "о"]  # (L103: both Cyrillic "о")


def test_looks_english_many_judges_texts_past_ascii_together_as_each_alone():
    rng = random.Random(17)
    words = ["the", "of", "ministry", "Moscow", "zzyzx", "qwrt", "blorf", "“quoted”", "—", "–", "café", "Müller",
             "\u212aelvin", "İstanbul", "Путин", "ob", "SHOUTED", "’s", "x\ud800y", "«", "»", "naïve", "…", "snorp"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 30))) for _ in range(3000)]
    judged = language.looks_english_many(texts)
    assert judged == [language.looks_english(t) for t in texts]
    assert judged.count(None) > 100 and judged.count(True) > 100 and judged.count(False) > 10
