"""Shared readers for the Russian/English corpora in ``../shared/data`` used by the lexicon,
gazetteer-mining and name-evaluation scripts (``build_russian_lexicon.py``,
``mine_gazetteer.py``, ``eval_names.py``).

Which part of the data each script may learn from is decided here, once: newstest 2012-2018
is the *training* part (the English side of the lexicon, the mined gazetteer), newstest
2019-2020 and the WMT21 references are *held out* (the name test set and the false-alarm
figures), so that no figure is measured on the sentences it was learned from. The Russian side
of every corpus (sources only) feeds the Russian vocabulary: mtcheck never sees a source at
check time, the vocabulary is only a prior on which Latin words read as Russian.
"""

from __future__ import annotations

import csv
import glob
import os
import re
import sys
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
NEWSTEST = SHARED / "newstest-ru-en"
WMT21 = SHARED / "wmt21-ru-en"
MLQE = SHARED / "mlqe-pe-ru-en"
TRAIN_YEARS = tuple(range(2012, 2019))
HELD_OUT_YEARS = (2019, 2020)

RU_WORD = re.compile(r"[А-ЯЁа-яё]+(?:-[А-ЯЁа-яё]+)*")
EN_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
# What ends a sentence or opens a quotation: the next word's capital says nothing.
_BOUNDARY = ".!?«\"“—:;(…"


def require(path: Path, what: str) -> None:
    if not path.exists():
        sys.exit(f"{what}: no data at {path} (the shared reference data is needed to build this file)")


def newstest_pairs(years=TRAIN_YEARS, data: Path = NEWSTEST) -> Iterator[tuple[str, str, str]]:
    """(where, russian, english) for the line-aligned newstest files of ``years``."""
    for year in years:
        ru_path, en_path = data / f"newstest{year}.ru", data / f"newstest{year}.en"
        if not ru_path.exists() or not en_path.exists():
            continue
        with open(ru_path, encoding="utf-8") as r, open(en_path, encoding="utf-8") as e:
            for n, (ru, en) in enumerate(zip(r, e), 1):
                yield f"newstest{year}:{n}", ru.strip(), en.strip()


def russian_sentences(data: Path = SHARED) -> Iterator[str]:
    """Every Russian sentence in the shared corpora: newstest (all years), WMT21 sources, MLQE-PE
    sources (tokenised: the spaces before punctuation do not matter to a word regex)."""
    for path in sorted(glob.glob(str(data / "newstest-ru-en" / "newstest20*.ru"))):
        yield from _lines(path)
    for path in sorted(glob.glob(str(data / "wmt21-ru-en" / "*.src.ru"))):
        yield from _lines(path)
    for path in sorted(glob.glob(str(data / "mlqe-pe-ru-en" / "pe.*.src"))):
        yield from _lines(path)
    for path in sorted(glob.glob(str(data / "mlqe-pe-ru-en" / "da.*.tsv"))):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row.get("original"):
                    yield row["original"]


def english_training_sentences(data: Path = SHARED) -> Iterator[str]:
    """The English the lexicon may learn from: newstest 2012-2018 and MLQE-PE post-edits."""
    for _, _, en in newstest_pairs(TRAIN_YEARS, data / "newstest-ru-en"):
        yield en
    for path in sorted(glob.glob(str(data / "mlqe-pe-ru-en" / "pe.*.pe"))):
        yield from _lines(path)


def _lines(path: str) -> Iterator[str]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                yield line


def russian_words(sentence: str) -> Iterator[tuple[str, bool]]:
    """(word, mid_sentence) for each Cyrillic word: ``mid_sentence`` is False where a capital
    is expected anyway (the first word, after a full stop or an opening quotation mark)."""
    for m in RU_WORD.finditer(sentence):
        before = sentence[:m.start()].rstrip()
        yield m.group(), bool(before) and before[-1] not in _BOUNDARY


def english_words(sentence: str) -> Iterator[tuple[str, bool]]:
    for m in EN_WORD.finditer(sentence):
        before = sentence[:m.start()].rstrip()
        yield m.group(), bool(before) and before[-1] not in _BOUNDARY


def is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return 2 <= len(letters) <= 6 and all(c.isupper() for c in letters)


def stem(word: str) -> str:
    """Crude Russian stem: up to two final vowels (or й/ь) dropped, so case forms meet
    ("Следкома", "Следкому" → "Следком")."""
    w = word
    for _ in range(2):
        if len(w) > 4 and w[-1].lower() in "аяоеёиыуюйьъ":
            w = w[:-1]
    return w


def env_data(default: Path = SHARED) -> Path:
    return Path(os.environ.get("MTCHECK_SHARED_DATA", default))
