#!/usr/bin/env python3
"""Build the letter model of E106 that tells a Russian-style rendering from English news spelling.

    python scripts/build_rendering_model.py [--out mtcheck/data/russian/rendering_trigrams.tsv]

A name no vocabulary lists ("Pojarkov", "Chegrinecz", "Mogilevec") can still read as a
rendering of Russian that English news would not write: its letters give it away (j for the
glides of я/ю/ё and for й, c and cz for ц, x and h for х). This script learns which letter
trigrams do, from the two derived word lists of ``scripts/build_russian_lexicon.py`` (so from
the training years only; newstest 2019-2020 and the WMT21 references stay held out):

- renderings English news does not use: every Russian word form of ``russian.tsv`` (names and
  words) spelled in GOST 7.79-B, in the scholarly system (diacritics folded) and in the Central
  European mixture MT uses for names it does not know (j, h, c), where the spelling is neither a
  news transliteration of the form nor an English word;
- English as news writes it: every word and name of ``english.tsv`` (which holds the news
  transliterations of the Russian names translators wrote) and the news spelling of every
  Russian form (``translit.news_spelling``): what tells the classes apart is the spelling, not
  whether the word is Russian.

Each trigram of a word (with ``^`` and ``$`` for its edges) gets the log-odds of the two
classes (add-one smoothing); a word's score is the sum over its trigrams, and E106 reports a
capitalised word in no vocabulary whose score passes ``entity.RENDERING_SCORE``. Trigrams
whose weight is near zero are left out (they count as unseen: weight 0).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mtcheck import russian_lexicon as rl  # noqa: E402
from mtcheck import translit  # noqa: E402

OUT = rl.RENDERING_FILE
MIN_WEIGHT = 0.25  # |log-odds| below this: left out, read as 0
# The Central European letters of MT's mixture for a name it does not know.
MIXTURE = {"й": "j", "я": "ja", "ю": "ju", "ё": "jo", "х": "h", "ц": "c", "ы": "i", "щ": "sch", "ь": "", "ъ": ""}


def mixture(word: str) -> str:
    return "".join(MIXTURE[ch] if ch in MIXTURE else translit.transliterate(ch, "bgn-pcgn") for ch in word)


def renderings(word: str) -> set[str]:
    """The non-news spellings of a Russian word form, as matching keys."""
    out = {translit.normalize_latin(translit.fold_ascii(translit.transliterate(word, scheme)))
           for scheme in ("gost-b", "scholarly")}
    out.add(translit.normalize_latin(mixture(word)))
    return out


def trigrams(key: str) -> list[str]:
    s = f"^{key}$"
    return [s[i:i + 3] for i in range(len(s) - 2)]


def build() -> dict[str, float]:
    lexicon = rl.load()
    russian: Counter = Counter()
    english: Counter = Counter()
    for key in lexicon.english:
        if key.isalpha() and key.isascii():
            english.update(trigrams(key))
    for row in lexicon.rows:
        form, kind = row[0], row[2]
        if kind not in ("name", "word") or len(form) < 3 or not form.isalpha():
            continue
        news = translit.news_keys(form)
        english.update(trigrams(translit.normalize_latin(translit.news_spelling(form))))
        for key in renderings(form):
            if key and key.isascii() and key.isalpha() and key not in news and key not in lexicon.english:
                russian.update(trigrams(key))
    n_ru, n_en = sum(russian.values()), sum(english.values())
    vocab = len(set(russian) | set(english))
    weights = {}
    for t in set(russian) | set(english):
        w = math.log((russian[t] + 1) / (n_ru + vocab)) - math.log((english[t] + 1) / (n_en + vocab))
        if abs(w) >= MIN_WEIGHT:
            weights[t] = round(w, 2)
    return weights


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    weights = build()
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write("# Letter trigrams of Russian-style renderings against English news spelling, for E106 (a name no\n"
                 "# vocabulary lists). Built by scripts/build_rendering_model.py from russian.tsv and english.tsv\n"
                 "# (training years only). Columns: trigram (^ and $ mark the word's edges), log-odds x 100.\n")
        for t, w in sorted(weights.items()):
            fh.write(f"{t}\t{round(w * 100)}\n")
    print(f"{len(weights)} trigrams -> {args.out}")


if __name__ == "__main__":
    main()
