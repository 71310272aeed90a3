#!/usr/bin/env python3
"""Build the Russian and English word lists of the E106 detector (transliterated Russian).

    python scripts/build_russian_lexicon.py [--data ../shared/data] [--out mtcheck/data/russian]

Writes two derived lists (never the corpora themselves), both pruned by frequency:

``russian.tsv``: the Russian side. Every Cyrillic word form of the Russian side of newstest
ru-en 2012-2018 (2019-2020 are held out for ``scripts/eval_names.py``), the WMT21 sources and the MLQE-PE sources seen at least ``--min-count``
times, with its count and its kind:
  - ``name``     capitalised mid-sentence more often than not (Шойгу, Хабаровск);
  - ``word``     a common word (лишь, хабаровчане);
  - ``acronym``  two to six capitals (СДС, МЧС); also one seen only once where a translator of an
                 aligned 2012-2018 pair replaced it (СНБО → NSDC), but none that translators
                 mostly wrote letter by letter (ЛНА → LNA: its English acronym is the same letters);
  - ``clipped``  a clipped compound (Следком, Совбез, Минобороны, врио, допмеры): a clipped
                 stem (``CLIPPED_STEMS``) before the start of another Russian word;
and, where the aligned newstest 2012-2018 pairs show it, the English the professional
translators used for it (the English word or capitalised phrase most associated with the
form's stem across line pairs: Dice coefficient, at least ``MIN_GLOSS_PAIRS`` pairs).

``english.tsv``: the English side. Words and acronyms as English news writes them: the
English side of newstest 2012-2018 and the MLQE-PE post-edits (the 2019-2020 newstest and the
WMT21 references are held out for measuring), with counts; ``kind`` is ``word`` (seen in lower
case), ``name`` (only capitalised) or ``acronym`` (kept from ``--min-acronym-count`` sightings, 1 by
default). ``mtcheck/data/wordfreq.tsv`` is read beside it at run time.

After rebuilding, rebuild E106's letter model from the two lists: ``scripts/build_rendering_model.py``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ru_en_corpus as corpus  # noqa: E402

from mtcheck import translit  # noqa: E402
from mtcheck.fsutil import atomic_write  # noqa: E402

OUT = corpus.ROOT / "mtcheck" / "data" / "russian"
# Stems Russian clips to form compounds (Мин-обороны, Гос-дума, След-ком, Сов-без, Ген-штаб,
# Доп-меры, Зам-главы, Спец-наз, Рос-гвардия ...). A word is a clipped compound when it starts
# with one of these and the rest starts another Russian word of the vocabulary.
CLIPPED_STEMS = (
    "мин", "гос", "рос", "ген", "спец", "зам", "глав", "нач", "нац", "обл", "гор", "рай", "мос",
    "проф", "воен", "соц", "фед", "полпред", "нарко", "рег", "энерго", "торг", "пром", "фин",
)
# Stems seen only before a clipped second part (their whole-word compounds are mostly
# ordinary words: "предвидеть", "совместный", "допрос").
ENDING_STEMS = CLIPPED_STEMS + ("след", "сов", "доп", "мед", "пред", "воен")
CLIPPED_WORDS = ("врио", "замглавы", "замминистра", "зампред", "главком", "начштаба", "генсек")
# Words ending in a clipped second part (-ком "committee", -без "security", -надзор "watchdog").
CLIPPED_ENDINGS = ("ком", "без", "надзор", "штаб", "пром", "трест", "торг", "банк", "сбыт", "фин", "здрав",
                   "юст", "транс", "мер", "сек", "нефт", "газ", "атом", "стат", "дум", "деп", "суд")
MIN_GLOSS_PAIRS = 3
MIN_DICE = 0.35
MAX_NGRAM = 4
BRIDGES = frozenset(("of", "for"))  # "Ministry of Defence" is one phrase


def count_russian(data: Path) -> tuple[Counter, Counter, Counter]:
    total: Counter = Counter()
    capital_mid: Counter = Counter()
    lower_mid: Counter = Counter()
    # The held-out newstest years (2019-2020) stay out of the vocabulary too: scripts/eval_names.py
    # builds its test set from their Russian names, which must not be known from those very lines.
    held_out = {ru for _, ru, _ in corpus.newstest_pairs(corpus.HELD_OUT_YEARS, data / "newstest-ru-en")}
    for sentence in corpus.russian_sentences(data):
        if sentence in held_out:
            continue
        for word, mid in corpus.russian_words(sentence):
            total[word] += 1
            if mid:
                (capital_mid if word[0].isupper() else lower_mid)[word.lower()] += 1
    return total, capital_mid, lower_mid


def acronym_renderings(data: Path) -> tuple[Counter, Counter]:
    """For each Russian acronym of the aligned training pairs: in how many lines the translator
    wrote it letter by letter (borrowed: ЛНА/LNA, ТПС/TPS; the English acronym is the same
    letters) and in how many not (СНБО/NSDC)."""
    kept: Counter = Counter()
    replaced: Counter = Counter()
    for _, ru, en in corpus.newstest_pairs(corpus.TRAIN_YEARS, data / "newstest-ru-en"):
        english = {w for w, _ in corpus.english_words(en) if corpus.is_acronym(w)}
        for word in {w for w, _ in corpus.russian_words(ru) if corpus.is_acronym(w) and "-" not in w}:
            (kept if translit.acronym_variants(word) & english else replaced)[word] += 1
    return kept, replaced


def kinds(total: Counter, capital_mid: Counter, lower_mid: Counter, min_count: int,
          renderings: tuple[Counter, Counter] = (Counter(), Counter())) -> dict[str, tuple[int, str]]:
    """Russian form (lower case, or as written for an acronym) → (count, kind). An acronym is
    kept when seen ``min_count`` times or once in an aligned pair whose translator replaced it
    (rarer than words, and a single such sighting is evidence), unless translators mostly wrote
    it letter by letter (then that is its English form too)."""
    kept, replaced = renderings
    merged: Counter = Counter()
    acronyms: Counter = Counter()
    for word, n in total.items():
        if corpus.is_acronym(word) and "-" not in word:
            acronyms[word] += n
        else:
            merged[word.lower()] += n
    out: dict[str, tuple[int, str]] = {}
    for word, n in merged.items():
        letters = word.replace("-", "")
        if n < min_count or len(letters) < 4:
            continue
        if capital_mid[word] > lower_mid[word]:
            kind = "name"
        elif capital_mid[word] == lower_mid[word] == 0:
            kind = "name"  # only ever sentence-initial: no evidence either way; a name is the cautious guess
        else:
            kind = "word"
        if _clipped(word, merged):
            kind = "clipped"
        out[word] = (n, kind)
    for word, n in acronyms.items():
        if (n >= min_count or replaced[word]) and kept[word] <= replaced[word]:
            out[word] = (n, "acronym")
    return out


def _clipped(word: str, vocabulary: Counter) -> bool:
    """A clipped compound: a clipped stem before a whole Russian word ("мин" + "обороны",
    "спец" + "службы"), or a stem before a clipped second part ("след" + "ком", "сов" + "без")."""
    if word in CLIPPED_WORDS:
        return True
    if "-" in word or len(word) > 16:
        return False
    for s in CLIPPED_STEMS:
        rest = word[len(s):]
        if word.startswith(s) and len(rest) >= 4 and vocabulary[rest] >= 3:
            return True
    base = corpus.stem(word)
    for e in CLIPPED_ENDINGS:
        head = base[: -len(e)]
        if base.endswith(e) and 3 <= len(head) <= 5 and head in ENDING_STEMS:
            return True
    return False


CLIPPED_FILE = OUT / "clipped.tsv"


def case_forms(word: str) -> list[str]:
    """The nominative and the usual case forms of a clipped compound ("следком" → "следкома",
    "следкому", ...; "росгвардия" → "росгвардии", ...); words ending in -ы/-и/-о do not decline
    ("минобороны", "врио")."""
    if word[-1] in "ыио" or " " in word:
        return [word]
    if word[-1] == "я":
        return [word, word[:-1] + "и", word[:-1] + "ю", word[:-1] + "ей"]
    if word[-1] == "а":
        return [word, word[:-1] + "ы", word[:-1] + "е", word[:-1] + "у", word[:-1] + "ой"]
    if word[-1] == "ь":
        return [word, word[:-1] + "я", word[:-1] + "ю", word[:-1] + "ем", word[:-1] + "е"]
    return [word, word + "а", word + "у", word + "ом", word + "е", word + "ы", word + "ов"]


def read_clipped(path: Path = CLIPPED_FILE) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("ru\t"):
            continue
        ru, _, en = line.partition("\t")
        for form in case_forms(ru.strip()):
            out[form] = en.strip()
    return out


def english_candidates(sentence: str) -> set[str]:
    """What a Russian name or acronym may have become: each word (lower case), each all-caps
    word, and each run of up to three capitalised words ("Investigative Committee")."""
    words = [w for w, _ in corpus.english_words(sentence)]
    out = {w.lower() for w in words if not corpus.is_acronym(w)}
    out.update(w for w in words if corpus.is_acronym(w))
    for i, w in enumerate(words):
        if not w[:1].isupper():
            continue
        run = [w]
        for j in range(i + 1, min(len(words), i + MAX_NGRAM)):
            if words[j] in BRIDGES and j + 1 < len(words) and words[j + 1][:1].isupper():
                run.append(words[j])
                continue
            if not words[j][:1].isupper():
                break
            run.append(words[j])
            out.add(" ".join(run))
    return out


def glosses(entries: dict[str, tuple[int, str]], data: Path) -> dict[str, str]:
    """Russian form → the English the translators used for its stem (Dice over line pairs)."""
    wanted_stems: dict[str, list[str]] = defaultdict(list)
    for word, (_, kind) in entries.items():
        if kind in ("name", "clipped", "acronym"):
            key = word if kind == "acronym" else corpus.stem(word)
            wanted_stems[key].append(word)
    ru_count: Counter = Counter()
    en_count: Counter = Counter()
    joint: Counter = Counter()
    for _, ru, en in corpus.newstest_pairs(corpus.TRAIN_YEARS, data / "newstest-ru-en"):
        stems = set()
        for word, _ in corpus.russian_words(ru):
            key = word if corpus.is_acronym(word) else corpus.stem(word.lower())
            if key in wanted_stems:
                stems.add(key)
        candidates = english_candidates(en)
        en_count.update(candidates)
        ru_count.update(stems)
        for s in stems:
            for c in candidates:
                joint[(s, c)] += 1
    best: dict[str, tuple[float, str]] = {}
    for (s, c), n in sorted(joint.items()):  # sorted: a tie goes the same way on every run
        if n < MIN_GLOSS_PAIRS:
            continue
        dice = 2 * n / (ru_count[s] + en_count[c])
        # A longer phrase wins a near tie ("Investigative Committee" over "Committee").
        score = dice + 0.01 * c.count(" ")
        if dice >= MIN_DICE and score > best.get(s, (0.0, ""))[0]:
            best[s] = (score, c)
    out: dict[str, str] = {}
    for s, (_, c) in best.items():
        for word in wanted_stems[s]:
            out[word] = c
    return out


def count_english(data: Path, min_count: int, min_acronym_count: int = 1) -> dict[str, tuple[int, str]]:
    total: Counter = Counter()
    lower: Counter = Counter()
    acronyms: Counter = Counter()
    for sentence in corpus.english_training_sentences(data):
        for word, _ in corpus.english_words(sentence):
            if corpus.is_acronym(word):
                acronyms[word.replace("’", "'")] += 1
                continue
            key = translit.normalize_latin(word)
            total[key] += 1
            if word[0].islower():
                lower[key] += 1
    out: dict[str, tuple[int, str]] = {}
    for key, n in total.items():
        if n >= min_count:
            out[key] = (n, "word" if lower[key] else "name")
    # wordfreq.tsv's vocabulary (the style rules' English) joins it: one file to read at run time.
    from mtcheck.data import load_counts

    for word, n in load_counts("wordfreq.tsv").items():
        key = translit.normalize_latin(word)
        if key and key not in out:
            out[key] = (n, "word")
    for word, n in acronyms.items():
        if n >= min_acronym_count:
            out[word] = (n, "acronym")
    return out


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    text = "".join(f"# {line}\n" for line in header) + "".join("\t".join(r) + "\n" for r in rows)
    atomic_write(path, text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=corpus.SHARED, help="the shared data folder (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=OUT, help="where the lists go (default: %(default)s)")
    ap.add_argument("--min-count", type=int, default=2, help="keep forms seen at least this often (default: 2)")
    # An English acronym is rarer than a word and one that a translator wrote once is evidence.
    ap.add_argument("--min-acronym-count", type=int, default=1,
                    help="keep English acronyms seen at least this often (default: 1)")
    args = ap.parse_args()
    corpus.require(args.data / "newstest-ru-en", "build_russian_lexicon")
    args.out.mkdir(parents=True, exist_ok=True)

    total, capital_mid, lower_mid = count_russian(args.data)
    entries = kinds(total, capital_mid, lower_mid, args.min_count, acronym_renderings(args.data))
    gloss = glosses(entries, args.data)
    for form, en in read_clipped().items():  # the hand-made list wins
        entries[form] = (entries.get(form, (0, ""))[0], "clipped")
        gloss[form] = en
    # Hand-made clipped compounds first (they win a shared key), then by count.
    order = sorted(entries.items(), key=lambda x: (x[1][1] != "clipped" or x[1][0] > 0, -x[1][0], x[0]))
    rows = [[w, str(n), k, gloss.get(w, ""), "" if k == "acronym" else translit.skeleton_cyrillic(w)]
            for w, (n, k) in order]
    write(args.out / "russian.tsv", [
        "Russian word forms for E106 (transliterated Russian); built by scripts/build_russian_lexicon.py.",
        "Sources: Russian side of WMT newstest ru-en 2012-2018 (2019-2020 held out), WMT21 ru-en sources, MLQE-PE ru-en sources;",
        f"forms seen at least {args.min_count} times (an acronym: or once where a translator replaced it; not one",
        "translators mostly kept letter by letter). Columns: form (lower case; acronyms in capitals), count,",
        "kind (name | word | acronym | clipped), English the newstest 2012-2018 translators used (may be empty),",
        "scheme-blind key (mtcheck.translit.skeleton_cyrillic; empty for acronyms). Hand-made clipped compounds first.",
    ], rows)
    english = count_english(args.data, args.min_count, args.min_acronym_count)
    erows = [[w, str(n), k] for w, (n, k) in sorted(english.items(), key=lambda x: (-x[1][0], x[0]))]
    write(args.out / "english.tsv", [
        "English words and acronyms as English news writes them, for E106; built by scripts/build_russian_lexicon.py.",
        "Sources: English side of WMT newstest ru-en 2012-2018 and MLQE-PE ru-en post-edits (newstest 2019-2020",
        f"and the WMT21 references are held out). Seen at least {args.min_count} times (acronyms {args.min_acronym_count}). Columns: matching key",
        "(mtcheck.translit.normalize_latin; acronyms as written), count, kind (word | name | acronym).",
        "Every word of mtcheck/data/wordfreq.tsv is included (kind word, its count there).",
    ], erows)
    by_kind = Counter(k for _, k in entries.values())
    print(f"russian.tsv: {len(rows)} forms ({', '.join(f'{k} {n}' for k, n in by_kind.most_common())}), "
          f"{sum(1 for r in rows if r[3])} with an English form")
    print(f"english.tsv: {len(erows)} entries ({', '.join(f'{k} {n}' for k, n in Counter(k for _, k in english.values()).most_common())})")
    for path in (args.out / "russian.tsv", args.out / "english.tsv"):
        print(f"  {path}: {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
