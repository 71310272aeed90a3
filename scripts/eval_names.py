#!/usr/bin/env python3
"""Recall of the entity rules on Russian names rendered the Russian way, built from held-out news.

    python scripts/eval_names.py [--data ../shared/data] [--examples 5] [--misses 20] [--dev 2016,2017,2018]

The test set is built from the held-out newstest pairs (2019-2020, ``ru_en_corpus.HELD_OUT_YEARS``;
``scripts/mine_gazetteer.py`` learns from 2012-2018 only). In each pair, a Russian name and the
English word the translator wrote for it are found as the miner finds them (the scheme-blind keys
agree, and English writes the name as news transliterates it); then the English word is replaced
in the English sentence with a Russian-style rendering of the Russian word as it stands there
(its case form kept, as MT keeps it):

- ``GOST 7.79-B``  (``translit.transliterate(..., "gost-b")``; its backtick for the soft sign
  written as an apostrophe, as ASCII copy writes it),
- ``BGN/PCGN``     (with its diacritics folded and its apostrophes),
- ``letter by letter``  (MT's mixture for a name it does not know: BGN/PCGN's letters with
  the j, h and c of Central European alphabets, ``LETTERS``; counted where it differs from both),
- ``acronym letter by letter``: a Russian acronym whose translator wrote an English acronym
  in the line (the one all-capitals word there that spells no Russian acronym of the line),
  replaced with the Russian acronym spelled letter by letter ("KPRF" for CPRF).

A rendering that English news accepts (a news transliteration of a nominative, an English
acronym) is no mistake and is left out; so is every name or acronym of the hand-made gazetteer
files. Each sentence is checked as its own story (the entity rules and E106) and a case counts as
found when an entity finding covers the replaced word. Recall is printed per rendering type,
separately for names that ``mined.tsv`` lists and names it does not. Neither the mined gazetteer,
nor the Russian vocabulary of E106 (``russian.tsv``, ``scripts/build_russian_lexicon.py``), nor its
letter model (``rendering_trigrams.tsv``, ``scripts/build_rendering_model.py``, learnt from those
lists) has seen the held-out lines: a name of the test set is known only if it also occurs in other
years.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mine_gazetteer as miner  # noqa: E402
import ru_en_corpus as corpus  # noqa: E402

from mtcheck import gazetteer as gz  # noqa: E402
from mtcheck import russian_lexicon as rl  # noqa: E402
from mtcheck import translit  # noqa: E402
from mtcheck.config import Config  # noqa: E402
from mtcheck.engine import Scanner  # noqa: E402
from mtcheck.settings import Settings  # noqa: E402

TYPES = ("GOST 7.79-B", "BGN/PCGN", "letter by letter", "acronym letter by letter")
OBLIQUE = ("ого", "его", "ому", "ему", "ым", "ими", "ыми", "ую", "ами", "ями")


def gost(word: str) -> str:
    return translit.transliterate(word, "gost-b").replace("``", "'").replace("`", "'")


def bgn(word: str) -> str:
    return translit.fold_ascii(translit.transliterate(word, "bgn-pcgn")).replace("”", "'")


# MT's letter-by-letter mixture for a name it does not know: BGN/PCGN's letters, but the
# j, h and c of the Central European alphabets ("Hodorkovskij", "Jurjev", "Cibulja").
LETTERS = {**{k: v for k, v in translit.BGN_PCGN.items()}, "х": "h", "й": "j", "ц": "c", "ы": "i", "я": "ja",
           "ю": "ju", "ё": "jo", "е": "e", "э": "e", "ь": "", "ъ": "", "щ": "sch"}


def letter_by_letter(word: str) -> str:
    out = "".join(LETTERS.get(ch.lower(), ch) if ch.islower() else LETTERS.get(ch.lower(), ch).capitalize()
                  for ch in word)
    return out


def wrong_in_english(rendering: str, word: str, english_key: str, news: frozenset[str], english: frozenset[str]) -> bool:
    """Whether English news would not write this rendering for the name: not the translator's
    form, not a word of English news, and not a news transliteration (unless the Russian word
    is in an oblique case: "Navalnogo" is Russian however it is spelled)."""
    key = translit.normalize_latin(rendering)
    if key == english_key or key in english or key.replace("y", "i") == english_key.replace("y", "i"):
        return False
    return key not in news or word.lower().endswith(OBLIQUE)


def replace_once(sentence: str, word: str, rendering: str) -> tuple[str, int, int] | None:
    hits = [m for m in re.finditer(r"(?<![\w'’-])" + re.escape(word) + r"(?![\w'’-])", sentence)]
    if len(hits) != 1:
        return None
    m = hits[0]
    return sentence[:m.start()] + rendering + sentence[m.end():], m.start(), m.start() + len(rendering)


def build_cases(data: Path, english_words: set[str], years=None) -> tuple[list[dict], Counter]:
    hand_ru, hand_en = miner.hand_made()
    mined_ru, mined_en = set(), set()
    if gz.MINED_FILE.exists():
        for entry in gz.read_tsv(gz.MINED_FILE, gz.load_cue_groups(), []):
            mined_ru.update(f.lower() for f in entry.ru)
            mined_en.add(translit.normalize_latin(entry.en))
    lexicon = rl.load()
    cases: list[dict] = []
    skipped: Counter = Counter()
    for where, ru, en in corpus.newstest_pairs(years or corpus.HELD_OUT_YEARS, data / "newstest-ru-en"):
        words = list(corpus.russian_words(ru))
        en_words = [w for w, _ in corpus.english_words(en)]
        en_caps = [w for w in en_words if w[:1].isupper() and not corpus.is_acronym(w)]
        used: set[str] = set()
        for word, mid in words:
            if corpus.is_acronym(word) or not (mid and word[:1].isupper() and len(word) >= miner.MIN_RU_LETTERS):
                continue
            s = corpus.stem(word.lower())
            for e in en_caps:
                key = translit.normalize_latin(e)
                if e in used or miner.similarity(s, e) < miner.MIN_SIMILARITY or not miner.news_rendered([word], key):
                    continue
                if key in english_words:
                    break  # the name is also an English word: the rules need cues for it
                if word.lower() in hand_ru or key in hand_en:
                    skipped["in the hand-made gazetteer"] += 1
                    break
                used.add(e)
                mined = word.lower() in mined_ru or key in mined_en
                news = translit.news_keys(word)
                g, b = gost(word), bgn(word)
                renderings = {"GOST 7.79-B": g, "BGN/PCGN": b}
                lbl = letter_by_letter(word)
                if translit.normalize_latin(lbl) not in {translit.normalize_latin(g), translit.normalize_latin(b)}:
                    renderings["letter by letter"] = lbl
                for kind, rendering in renderings.items():
                    if not wrong_in_english(rendering, word, key, news, lexicon.english):
                        skipped[f"{kind}: the rendering is how English writes it"] += 1
                        continue
                    replaced = replace_once(en, e, rendering)
                    if replaced is None:
                        skipped["English word not once in the line"] += 1
                        continue
                    text, start, end = replaced
                    cases.append({"where": where, "ru": word, "en": e, "name": key, "kind": kind, "mined": mined,
                                  "text": text, "start": start, "end": end, "rendering": rendering})
                break
        # Acronyms: the one English acronym of the line that spells no Russian acronym of it.
        acronyms = [w for w, _ in words if corpus.is_acronym(w)]
        if not acronyms:
            continue
        spelled = set().union(*(translit.acronym_variants(a) for a in acronyms))
        english_acronyms = [w for w in en_words if corpus.is_acronym(w) and w not in spelled]
        unmatched = [a for a in dict.fromkeys(acronyms) if not (translit.acronym_variants(a) & set(en_words))]
        if len(unmatched) != 1 or len(set(english_acronyms)) != 1:
            continue
        a, b = unmatched[0], english_acronyms[0]
        if a.lower() in hand_ru or translit.normalize_latin(b) in hand_en:
            skipped["in the hand-made gazetteer"] += 1
            continue
        rendering = translit.fold_ascii(translit.transliterate(a, "gost-b")).upper().replace("`", "").replace("'", "")
        if rendering == b or rendering in lexicon.english_acronyms or not rendering.isalpha():
            skipped["acronym: the rendering is an English acronym"] += 1
            continue
        replaced = replace_once(en, b, rendering)
        if replaced is None:
            continue
        text, start, end = replaced
        mined = a.lower() in mined_ru or translit.normalize_latin(b) in mined_en
        cases.append({"where": where, "ru": a, "en": b, "name": a, "kind": "acronym letter by letter", "mined": mined,
                      "text": text, "start": start, "end": end, "rendering": rendering})
    return cases, skipped


@contextlib.contextmanager
def _out_of_vocabulary(russian: str):
    """E106's vocabulary without one Russian word form (its name keys, or its acronym's renderings)."""
    lexicon = rl.load()
    keys, rows, acronyms = lexicon.keys, lexicon.rows, lexicon.acronyms
    form = russian.lower()
    removed_keys = {k: i for k, i in keys.items() if rows[i][0] == form}
    removed_acronyms = {k: f for k, f in acronyms.items() if f.ru == russian}
    for k in removed_keys:
        del keys[k]
    for k in removed_acronyms:
        del acronyms[k]
    try:
        yield
    finally:
        keys.update(removed_keys)
        acronyms.update(removed_acronyms)


# ``scripts/build_russian_lexicon.py``'s default --min-count: the English list keeps a word seen this often.
ENGLISH_MIN_COUNT = 2


@contextlib.contextmanager
def _english_names_without(data: Path, years):
    """E106's English names (``rl.english_names``) as they would be had the English list not seen
    the newstest lines of ``years``: each name's count there taken off its count in english.tsv,
    kept if still ``ENGLISH_MIN_COUNT``. The development cases' own English names are on those
    lines; the held-out years' are not in the list at all."""
    seen: Counter = Counter()
    for _, _, en in corpus.newstest_pairs(years, data / "newstest-ru-en"):
        seen.update(translit.normalize_latin(w) for w, _ in corpus.english_words(en) if not corpus.is_acronym(w))
    counts = {r[0]: int(r[1]) for r in rl._table(rl.ENGLISH_FILE, 3) if r[2] == "name"}
    kept = frozenset(k for k in rl.english_names() if counts.get(k, 0) - seen[k] >= ENGLISH_MIN_COUNT)
    original = rl.english_names
    rl.english_names = lambda: kept
    try:
        yield
    finally:
        rl.english_names = original


def _tally(case: dict, doc, total: Counter, found: dict, misses: list) -> None:
    hit = next((f for f in doc.findings if f.code.startswith("E") and f.start < case["end"] and f.end > case["start"]), None)
    total[(case["kind"], case["mined"])] += 1
    if hit:
        case["finding"] = f"{hit.code} {hit.message}"
        found[(case["kind"], case["mined"])].append(case)
    else:
        misses.append(case)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=corpus.env_data(), help="shared data folder (default: %(default)s)")
    ap.add_argument("--examples", type=int, default=3, help="print this many found cases per rendering type")
    ap.add_argument("--misses", type=int, default=20, help="print this many missed cases")
    ap.add_argument("--dev", metavar="YEARS", default="",
                    help="a development check instead: build the cases from these training years (e.g. "
                         "2016,2017,2018), leave out names mined.tsv lists, and take each case's Russian word "
                         "out of E106's vocabulary while its sentence is scanned (the vocabulary has seen "
                         "those years, and its English names counted without those years' lines), so patterns can be designed "
                         "without reading the held-out misses")
    args = ap.parse_args()
    corpus.require(args.data / "newstest-ru-en", "eval_names")
    english_words = {r[0] for r in rl._table(rl.ENGLISH_FILE, 3) if r[2] == "word"}
    years = tuple(int(y) for y in args.dev.split(",") if y.strip()) if args.dev else None
    if years and set(years) & set(corpus.HELD_OUT_YEARS):
        sys.exit("eval_names: --dev takes training years only (the held-out years are the evaluation)")
    cases, skipped = build_cases(args.data, english_words, years)
    if years:
        cases = [c for c in cases if c["kind"] == "acronym letter by letter" or not c["mined"]]
    scanner = Scanner(Settings(config=Config(select=["entity", "E106"]), neural=False, parse=False))
    found: dict[tuple[str, bool], list[dict]] = defaultdict(list)
    total: Counter = Counter()
    misses: list[dict] = []
    with _english_names_without(args.data, years) if years else contextlib.nullcontext():
        for case in cases:
            with _out_of_vocabulary(case["ru"]) if years else contextlib.nullcontext():
                doc = scanner.scan_text(case["text"])
            _tally(case, doc, total, found, misses)
    names = {(c["name"], c["mined"]) for c in cases}
    if years:
        print(f"development check (not the evaluation): newstest {'+'.join(map(str, years))}, each case's Russian "
              "word taken out of E106's vocabulary, English names counted without those years; names in mined.tsv "
              "left out")
    print(f"test set: {len(cases)} sentences from newstest {'+'.join(map(str, years or corpus.HELD_OUT_YEARS))}"
          f"{'' if years else ' (held out from mining)'}, "
          f"{len({n for n, _ in names})} different names/acronyms "
          f"({len({n for n, m in names if m})} in mined.tsv, {len({n for n, m in names if not m})} not), "
          "none in the hand-made gazetteer")
    print(f"{'rendering':<26} {'in mined.tsv':>16} {'not in mined.tsv':>18} {'all':>16}")
    for kind in TYPES:
        cells = []
        for group in (True, False, None):
            n = sum(total[(kind, g)] for g in (True, False) if group is None or g == group)
            k = sum(len(found[(kind, g)]) for g in (True, False) if group is None or g == group)
            cells.append(f"{k}/{n} {100 * k / n:5.1f}%" if n else "-")
        print(f"{kind:<26} {cells[0]:>16} {cells[1]:>18} {cells[2]:>16}")
    n, k = len(cases), sum(len(v) for v in found.values())
    print(f"{'all':<26} {'':>16} {'':>18} {f'{k}/{n} {100 * k / max(n, 1):5.1f}%':>16}")
    print("left out: " + "; ".join(f"{why} {c}" for why, c in skipped.most_common()))
    if args.examples:
        for kind in TYPES:
            shown = [c for g in (True, False) for c in found[(kind, g)]][:args.examples]
            for c in shown:
                print(f"  found [{kind}] {c['ru']} -> {c['rendering']!r} (English {c['en']}): {c['finding'][:150]}")
    for c in misses[:args.misses]:
        print(f"  missed [{c['kind']}{', mined' if c['mined'] else ''}] {c['ru']} -> {c['rendering']!r} "
              f"(English {c['en']}) {c['where']}")


if __name__ == "__main__":
    main()
