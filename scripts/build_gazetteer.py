#!/usr/bin/env python3
"""Check the gazetteer against a line-aligned Russian/English corpus, and propose new pairs.

    python scripts/build_gazetteer.py verify  [--data ../shared/data/newstest-ru-en]
    python scripts/build_gazetteer.py propose [--data ...] [--top 60]

verify: for each entry, the lines whose Russian side has one of its Russian forms (any case
ending), and how the English side rendered it: standard form, accepted alternative, a
transliteration variant, a known mistranslation, or none of these (the last are worth a look:
a missing alternative, or a translator who rephrased).

propose: capitalised Russian words that are not sentence-initial and not in the gazetteer,
most frequent first, each with the English word of its aligned line that looks like its
transliteration (prefix match on the matching key) — candidates for a curator, never
written into the gazetteer by this script.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from mtcheck import gazetteer as gz  # noqa: E402
from mtcheck import translit  # noqa: E402

DEFAULT_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "newstest-ru-en")
RU_WORD = re.compile(r"[А-ЯЁа-яё]+(?:-[А-ЯЁа-яё]+)*")
EN_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def pairs(data: str):
    for ru_path in sorted(glob.glob(os.path.join(data, "*.ru"))):
        en_path = ru_path[:-3] + ".en"
        if not os.path.exists(en_path):
            continue
        with open(ru_path, encoding="utf-8") as r, open(en_path, encoding="utf-8") as e:
            yield from zip((x.rstrip("\n") for x in r), (y.rstrip("\n") for y in e))


def stem(word: str) -> str:
    """Crude Russian stem: drop up to two final vowels/soft sign so inflected forms match."""
    w = word
    for _ in range(2):
        if len(w) > 4 and w[-1].lower() in "аяоеёиыуюйьъ":
            w = w[:-1]
    return w


def ru_pattern(entry: gz.Entry) -> re.Pattern:
    alts = []
    for form in entry.ru:
        words = form.split()
        if translit.is_acronym(form):
            alts.append(r"\b" + re.escape(form) + r"\b")
        else:
            alts.append(r"\b" + r"\w*\s+".join(re.escape(stem(w)) for w in words) + r"\w*")
    return re.compile("|".join(alts))


def verify(data: str) -> None:
    gaz = gz.load()
    corpus = list(pairs(data))
    print(f"{len(corpus)} line pairs, {len(gaz.entries)} entries")
    for entry in gaz.entries:
        rx = ru_pattern(entry)
        hits = [(ru, en) for ru, en in corpus if rx.search(ru)]
        if not hits:
            continue
        kinds: Counter = Counter()
        seen: Counter = Counter()
        for ru, en in hits:
            found = set()
            toks = [(m.group(), translit.normalize_latin(m.group())) for m in EN_WORD.finditer(en)]
            for i in range(len(toks)):
                key = ""
                for j in range(i, min(len(toks), i + gaz.max_tokens)):
                    key += toks[j][1]
                    for form in gaz.index.get(key, ()):
                        if form.entry is entry:
                            found.add(form.kind)
                            seen[" ".join(t for t, _ in toks[i:j + 1])] += 1
            kinds[min(found, key=["standard", "also", "expansion", "acronym", "variant", "wrong"].index) if found else "none"] += 1
        print(f"{entry.en:32} {len(hits):5} lines  " + "  ".join(f"{k}={v}" for k, v in kinds.most_common())
              + ("   renderings: " + ", ".join(f"{s}×{n}" for s, n in seen.most_common(4)) if seen else ""))


def propose(data: str, top: int) -> None:
    gaz = gz.load()
    known = {stem(w).lower() for e in gaz.entries for f in e.ru for w in f.split()}
    counts: Counter = Counter()
    lines: dict[str, list[str]] = defaultdict(list)
    for ru, en in pairs(data):
        for m in RU_WORD.finditer(ru):
            word = m.group()
            if not word[0].isupper() or m.start() == 0 or ru[:m.start()].rstrip()[-1:] in ".!?«\"—":
                continue
            s = stem(word)
            if s.lower() in known or len(s) < 4:
                continue
            counts[s] += 1
            if len(lines[s]) < 30:
                lines[s].append(en)
    for s, n in counts.most_common(top):
        keys = {translit.normalize_latin(v)[: max(3, len(s) - 1)] for v in translit.variants(s)}
        english: Counter = Counter()
        for en in lines[s]:
            for m in EN_WORD.finditer(en):
                k = translit.normalize_latin(m.group())
                if m.group()[0].isupper() and any(k.startswith(p) for p in keys):
                    english[m.group()] += 1
        print(f"{s:20} {n:5}  " + ", ".join(f"{w}×{c}" for w, c in english.most_common(3)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("verify", "propose"))
    ap.add_argument("--data", default=DEFAULT_DATA, help="folder of line-aligned *.ru / *.en files")
    ap.add_argument("--top", type=int, default=60, help="propose: how many candidates to print")
    args = ap.parse_args()
    if not os.path.isdir(args.data):
        sys.exit(f"build_gazetteer: no corpus folder at {args.data}")
    verify(args.data) if args.mode == "verify" else propose(args.data, args.top)


if __name__ == "__main__":
    main()
