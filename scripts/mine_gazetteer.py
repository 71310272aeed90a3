#!/usr/bin/env python3
"""Mine Russian → English name pairs from the aligned newstest pairs: mtcheck/data/gazetteer/mined.tsv.

    python scripts/mine_gazetteer.py [--data ../shared/data] [--out mtcheck/data/gazetteer/mined.tsv]
                                     [--min-pairs 3] [--sample 30] [--dry-run]

Learns only from the training part of newstest (2012-2018, ``ru_en_corpus.TRAIN_YEARS``);
2019-2020 is held out for ``scripts/eval_names.py``. For each line pair:

- a Russian name (a capitalised word mid-sentence, by its crude stem, so that case forms meet)
  is paired with each capitalised English word of the line that reads as its transliteration:
  the scheme-blind keys (``translit.skeleton_cyrillic`` / ``translit.skeletons_latin``) agree on
  the first letter and are at least ``MIN_SIMILARITY`` alike over the stem's length;
- the pair is kept only where English writes the name as news transliterates the Russian
  (``news_rendered``): names of Russian origin, whose other renderings are MT's mistakes.
  Exonyms (Москва/Moscow) and foreign names Russian spells by sound (Смит/Smith) are left
  to the hand-made files and to E106 (``russian.tsv`` has the translators' English for them):
  spelled back from Russian they give other real names ("Barak" for Барак/Barack);
- a Russian acronym is paired with the English acronym or capitalised phrase (its expansion) it
  co-occurs with most (Dice at least ``MIN_ACRONYM_DICE``), unless English writes the acronym
  letter by letter itself (ФСБ/FSB: nothing to report, no entry).

A pair is kept when it is seen in at least ``--min-pairs`` line pairs and in at least
``MIN_SHARE`` of the lines with the Russian name. Pairs whose Russian or English form a
hand-made gazetteer file already has are left out (the hand-made entry wins; the loader checks
again). The type is ``person`` when the Russian name stands beside another capitalised name
most of the time (first name, surname), ``acronym`` for acronyms, else ``name``.

Prints the count of entries by type and a sample to judge (``--sample``).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ru_en_corpus as corpus  # noqa: E402
from build_russian_lexicon import english_candidates  # noqa: E402

from mtcheck import gazetteer as gz  # noqa: E402
from mtcheck import russian_lexicon as rl  # noqa: E402
from mtcheck import translit  # noqa: E402
from mtcheck.fsutil import atomic_write  # noqa: E402

OUT = gz.MINED_FILE
MIN_PAIRS = 3
MIN_SHARE = 0.3  # of the lines with the Russian name, those with its English partner
MIN_SIMILARITY = 0.8
MIN_ACRONYM_DICE = 0.45
MIN_RU_LETTERS = 4  # shorter capitalised words are initials, prepositions in titles, noise
MAX_RU_FORMS = 4  # case forms listed per entry (the commonest first)
PERSON_SHARE = 0.6  # beside another capitalised name this often: a person
# What a Russian case ending adds to a name's news rendering ("Tatarstan" + "e", "Putin" + "a").
CASE_ENDINGS = frozenset(("a", "u", "e", "y", "i", "ya", "yu", "ye", "om", "oy", "oi", "ym", "im", "ov", "ovu",
                          "ova", "ovoy", "ovym", "ogo", "omu", "ey", "ei", "em", "ikh", "ykh", "ami", "akh"))


def news_rendered(forms: list[str], key: str) -> bool:
    """Whether English writes the name as news transliterates the Russian (Grigory/Григорий,
    Tatarstan/Татарстане): a name of Russian (or Soviet-era) origin, whose other renderings
    (GOST, ISO 9, letter by letter) are what MT gets wrong. A foreign name that Russian spells
    by sound (Smith/Смит, Barack/Барак) is left out: rendering it back from Russian gives
    other real names ("Barak", "Smit")."""
    return any(k == key or (k.startswith(key) and k[len(key):] in CASE_ENDINGS)
               for form in forms for k in translit.news_keys(form))


def similarity(ru_stem: str, english: str) -> float:
    """How far an English word reads as a transliteration of a Russian stem: the ratio of their
    scheme-blind keys, the English one cut to the stem's length (+1: the stem lost its ending)."""
    ks = translit.skeleton_cyrillic(ru_stem)
    best = 0.0
    for ke in translit.skeletons_latin(english):
        if not ke or not ks or ke[0].lower() != ks[0].lower():
            continue
        best = max(best, SequenceMatcher(None, ks, ke[:len(ks) + 1]).ratio())
    return best


def mine(data: Path, min_pairs: int, hand_ru: set[str], hand_en: set[str], english_words: set[str],
         russian_words: set[str]) -> list[dict]:
    ru_lines: Counter = Counter()  # stem -> lines with it
    ru_forms: dict[str, Counter] = defaultdict(Counter)
    beside: Counter = Counter()  # stem -> lines where a capitalised word stands next to it
    joint: Counter = Counter()  # (stem, English) similar pairs
    en_forms: dict[str, Counter] = defaultdict(Counter)  # English key -> spellings
    acr_lines: Counter = Counter()
    acr_joint: Counter = Counter()
    cand_lines: Counter = Counter()
    for _, ru, en in corpus.newstest_pairs(corpus.TRAIN_YEARS, data / "newstest-ru-en"):
        words = list(corpus.russian_words(ru))
        stems: set[str] = set()
        acronyms: set[str] = set()
        for k, (word, mid) in enumerate(words):
            if corpus.is_acronym(word):
                acronyms.add(word)
                continue
            if not (mid and word[:1].isupper() and len(word) >= MIN_RU_LETTERS):
                continue
            s = corpus.stem(word.lower())
            if s in stems:
                continue
            stems.add(s)
            ru_forms[s][word] += 1
            neighbours = [words[j][0] for j in (k - 1, k + 1) if 0 <= j < len(words)]
            if any(w[:1].isupper() and not corpus.is_acronym(w) for w in neighbours):
                beside[s] += 1
        en_caps = {w for w, mid in corpus.english_words(en) if w[:1].isupper() and not corpus.is_acronym(w)}
        for w in en_caps:
            en_forms[translit.normalize_latin(w)][w] += 1
        for s in stems:
            ru_lines[s] += 1
            for w in en_caps:
                if similarity(s, w) >= MIN_SIMILARITY:
                    joint[(s, translit.normalize_latin(w))] += 1
        if acronyms:
            candidates = english_candidates(en)
            cand_lines.update(candidates)
            for a in acronyms:
                acr_lines[a] += 1
                for c in candidates:
                    if c[:1].isupper():
                        acr_joint[(a, c)] += 1

    entries: list[dict] = []
    best: dict[str, tuple[int, str]] = {}
    for (s, key), n in sorted(joint.items()):  # sorted: ties go the same way on every run
        if n > best.get(s, (0, ""))[0]:
            best[s] = (n, key)
    for s, total in ru_lines.items():
        n, key, how = 0, "", ""
        if s in best:
            n, key = best[s]
            how = "transliteration"
        if not how or n < min_pairs or n < MIN_SHARE * total:
            continue  # no transliteration partner seen often enough
        forms = [f for f, c in ru_forms[s].most_common(MAX_RU_FORMS) if c >= 2 or f == ru_forms[s].most_common(1)[0][0]]
        forms = [f for f in forms if news_rendered([f], key)]  # not Антонио beside Антон
        if not forms or key in english_words:
            continue  # a foreign name spelled back, or an English word (Lamb, Federal): needs cues
        entries.append(_entry(s, forms, key, en_forms, n, total, how, beside[s] >= PERSON_SHARE * total))
    # Acronyms.
    acr_best: dict[str, tuple[float, int, str]] = {}
    for (a, c), n in sorted(acr_joint.items()):
        if n < min_pairs:
            continue
        dice = 2 * n / (acr_lines[a] + cand_lines[c])
        # An English acronym wins a near tie over a phrase; a longer phrase over a shorter one.
        score = dice + (0.05 if corpus.is_acronym(c) else 0.01 * c.count(" "))
        if dice >= MIN_ACRONYM_DICE and score > acr_best.get(a, (0.0, 0, ""))[0]:
            acr_best[a] = (score, n, c)
    for a, (score, n, c) in acr_best.items():
        if a.lower() in russian_words or (corpus.is_acronym(c) and len(c) >= 4 and c.lower() in english_words):
            continue  # a word in capitals (ЕСЛИ, ЧТО in a headline; WHAT), not an acronym (US, UN are)
        if c.upper() in translit.acronym_variants(a) or translit.normalize_latin(c) in {
                translit.normalize_latin(v) for v in translit.acronym_variants(a)}:
            continue  # English writes it letter by letter too (ФСБ/FSB): nothing to report
        entries.append({"stem": a, "ru": [a], "en": c, "type": "acronym", "pairs": n, "lines": acr_lines[a],
                        "how": "acronym co-occurrence"})
    kept = []
    seen_ru: set[str] = set()
    for e in sorted(entries, key=lambda e: (-e["pairs"], e["en"])):
        ru = [f for f in e["ru"] if f.lower() not in hand_ru and f.lower() not in seen_ru]
        if not ru or translit.normalize_latin(e["en"]) in hand_en or translit.is_cyrillic(e["en"]):
            continue
        seen_ru.update(f.lower() for f in ru)
        e["ru"] = ru
        kept.append(e)
    return kept


def _entry(stem: str, forms: list[str], key: str, en_forms: dict[str, Counter], n: int, total: int, how: str,
           person: bool) -> dict:
    english = en_forms[key].most_common(1)[0][0]
    return {"stem": stem, "ru": forms, "en": english, "type": "person" if person else "name", "pairs": n,
            "lines": total, "how": how}


def hand_made() -> tuple[set[str], set[str]]:
    """Russian forms (lower case) and English keys of the hand-made gazetteer files."""
    ru: set[str] = set()
    en: set[str] = set()
    groups = gz.load_cue_groups()
    for path in gz.builtin_files():
        for entry in gz.read_tsv(path, groups, []):
            ru.update(f.lower() for f in entry.ru)
            for form in (entry.en, *entry.also, *entry.expansion):
                en.add(translit.normalize_latin(form))
    return ru, en


HEADER = """# Mined gazetteer: Russian names and acronyms paired with the English form the professional
# translators of WMT newstest ru-en 2012-2018 used (2019-2020 are held out for scripts/eval_names.py).
# Generated by scripts/mine_gazetteer.py: do not edit by hand; a hand-made file in this folder (or a
# user's gazetteer) overrides any entry here with the same Russian or English form.
# Pairing: transliteration similarity of the scheme-blind keys (mtcheck.translit), co-occurrence
# (Dice) for acronyms; English forms that are English words are left out; kept when seen in >= {min_pairs} line pairs and >= {share:.0%} of the
# lines with the Russian name. The note says how often (pairs/lines with the Russian name) and how.
# Entries: {counts}.
# Format: mtcheck/data/gazetteer/README.md"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=corpus.env_data(), help="shared data folder (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--min-pairs", type=int, default=MIN_PAIRS)
    ap.add_argument("--sample", type=int, default=30, help="print this many random entries to judge")
    ap.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = ap.parse_args()
    corpus.require(args.data / "newstest-ru-en", "mine_gazetteer")
    hand_ru, hand_en = hand_made()
    english_words = {r[0] for r in rl._table(rl.ENGLISH_FILE, 3) if r[2] == "word"}
    russian_words = {r[0] for r in rl._table(rl.RUSSIAN_FILE, 5) if r[2] == "word"}
    entries = mine(args.data, args.min_pairs, hand_ru, hand_en, english_words, russian_words)
    counts = Counter(e["type"] for e in entries)
    count_text = ", ".join(f"{t} {n}" for t, n in counts.most_common()) + f"; {len(entries)} in all"
    lines = [HEADER.format(min_pairs=args.min_pairs, share=MIN_SHARE, counts=count_text),
             "ru\ten\ttype\tnote"]
    for e in sorted(entries, key=lambda e: (e["type"], e["en"].lower())):
        lines.append(f"{'|'.join(e['ru'])}\t{e['en']}\t{e['type']}\t{e['pairs']}/{e['lines']} {e['how']}")
    if not args.dry_run:
        atomic_write(args.out, "\n".join(lines) + "\n")
        print(f"wrote {args.out}")
    print(f"entries by type: {count_text}")
    rng = random.Random(11)
    for e in rng.sample(entries, min(args.sample, len(entries))):
        print(f"  {'|'.join(e['ru'])}\t{e['en']}\t{e['type']}\t{e['pairs']}/{e['lines']} {e['how']}")


if __name__ == "__main__":
    main()
