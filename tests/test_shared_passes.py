"""The passes the rules share or take in C give exactly what the plain ones gave: the runs of
letters split once per document (``Document.letter_runs``) and the words read off them (entity,
S101, S104), langdetect's probability table made lazily, the integrity rules' counts."""

from __future__ import annotations

import random
import re
from itertools import accumulate

import pytest

from mtcheck.document import Document, letter_run_split
from mtcheck.rules import entity, integrity, language, style

_ODD = ("Deir ez-Zor's Ǆemal ǅ O’Neil ʼAli x²y ½ d_e 3rd Ωmega Москва's İstanbul 𝐀𝐁 ĳ Ⅻ naïve ﬁne ٣٤ ＡＢＣ "
        "l'État rock'n'roll\u00a0St.\u2011Pete '' a'' ''b 'quoted' end' 'start don't’s ʼʼ \u3000 ")


def _texts() -> list[str]:
    rng = random.Random(5)
    words = _ODD.split(" ") + ["the", "UN", "Security", "Council", "saidthat", "inthe", "'", "’", "-", "5", "\n"]
    texts = [_ODD, "", "'", "a'", "'a", "a'b", "a''b", "x’y’z", "𝐀'b"]
    texts += [" ".join(rng.choice(words) for _ in range(400)) for _ in range(20)]
    return texts


@pytest.mark.parametrize("big", [False, True])  # the Unicode-class split, and the spelled-out one
def test_letter_runs_are_the_runs_of_letters(big):
    reference = re.compile(r"([^\W\d_]+)")
    texts = _texts()
    if big:
        whole = " ".join(texts)
        texts = [whole * (400_000 // len(whole) + 1)]  # (past the size that builds the spelled-out class)
        texts.append(texts[0].replace("𝐀", "A"))  # (no character past U+FFFF: that class is used)
    for text in texts:
        doc = Document(path="<text>", text=text)
        parts, offsets = doc.letter_runs()
        assert parts == reference.split(text) == letter_run_split(text)
        assert offsets == list(accumulate(map(len, parts)))
        assert doc.letter_runs() is doc.letter_runs()  # computed once


def test_words_joined_at_apostrophes_are_the_word_split():
    reference = re.compile(r"([^\W\d_]+(?:['’ʼ][^\W\d_]+)*)")
    for text in _texts():
        doc = Document.from_text(text)
        parts, offsets = entity._join_apostrophes(text, *doc.letter_runs())
        assert parts == reference.split(text)
        assert offsets == list(accumulate(map(len, parts)))
        assert entity._split_words(text) == reference.split(text)
        # the document's tokens are the plain text's
        assert entity._tokenize(text, doc.letter_runs())[0][:] == entity.tokenize(text)[:]


def test_style_words_from_the_runs_are_the_pattern_matches():
    data = style.style_data()
    for text in _texts() + ["The UN security Council and the Russian defense Ministry said thatin the end. " * 40]:
        doc = Document.from_text(text)
        assert list(style._name_spans(doc, data)) == [m.span() for m in data.names.finditer(text)]
        tokens = set(style._GLUED_CANDIDATE.findall(text))
        splits = {t: (t[:2], t[2:]) for t in tokens}
        want = [m.span() for m in style._GLUED_CANDIDATE.finditer(text)]
        assert [m.span() for m in style._glued_occurrences(text, splits, style._runs(doc))] == want


def test_lazy_langdetect_table_is_langdetect_s_own():
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    eager = DetectorFactory()
    eager.load_profile(PROFILES_DIRECTORY)
    eager.set_seed(0)
    lazy = language._lazy_factory_class()()
    lazy.load_profile(PROFILES_DIRECTORY)
    lazy.set_seed(0)
    assert lazy.langlist == eager.langlist
    assert len(lazy.word_lang_prob_map) == len(eager.word_lang_prob_map)
    for gram, probs in list(eager.word_lang_prob_map.items())[::23]:
        assert gram in lazy.word_lang_prob_map and lazy.word_lang_prob_map[gram] == probs
    assert "zzzzq" not in lazy.word_lang_prob_map
    with pytest.raises(KeyError):
        lazy.word_lang_prob_map["zzzzq"]
    for text in ("Ministerstvo oborony soobshchilo ob udare po pozitsiyam boevikov.",
                 "Der Hund ist gross und die Katze ist klein, sagte er.", "Министерство обороны сообщило об ударе.",
                 "The ministry said the strike hit militant positions."):
        a, b = lazy.create(), eager.create()
        a.append(text)
        b.append(text)
        assert [(p.lang, p.prob) for p in a.get_probabilities()] == [(p.lang, p.prob) for p in b.get_probabilities()]


def test_integrity_counts_in_c_are_the_plain_counts():
    texts = _texts() + ["tab\there\x00x", "A\x01b_c D-e", "Ünïcode wörds\u2028next\x85"]
    keys = integrity._sentence_keys(texts)
    assert keys == [" ".join(re.findall(r"\w+", t.lower())) for t in texts]
    every_joiner = [chr(b) for b in integrity._KEY_JOINERS] + ["Ab, cd!"]
    assert integrity._sentence_keys(every_joiner) == [" ".join(re.findall(r"\w+", t.lower())) for t in every_joiner]
    for text in texts:
        assert integrity._non_space_count(Document(path="x", text=text)) == sum(1 for c in text if not c.isspace())
