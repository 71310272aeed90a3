#!/usr/bin/env python3
"""False-positive rates of the style and boilerplate rules on clean, professional English.

Every line of the given files is one sentence (the English side of WMT newstest ru-en by
default); each line is checked as its own document, and, with --paragraphs N, also in
documents of N consecutive lines joined as paragraphs (so rules that look across lines,
such as a repeated title, get a chance to fire). Prints findings per 1,000 sentences for
each rule, and with --show, every finding of the rules named.

newstest 2012-2017 fed the word counts in mtcheck/data/wordfreq.tsv; 2018-2020 did not, and
their figures are printed separately as the held-out rate.

Usage: scripts/fp_style_boilerplate.py [FILES...] [--paragraphs 20] [--show S104,B107]
"""

from __future__ import annotations

import argparse
import collections
import glob
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtcheck.config import Config  # noqa: E402
from mtcheck.document import Document  # noqa: E402
from mtcheck.rules import boilerplate, style  # noqa: E402
from mtcheck.rules.base import Context  # noqa: E402

DEFAULT = str(ROOT.parent / "shared" / "data" / "newstest-ru-en" / "newstest20*.en")
HELD_OUT = re.compile(r"newstest20(1[89]|2\d)\.en$")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", help=f"one sentence per line (default: {DEFAULT})")
    ap.add_argument("--paragraphs", type=int, default=20, help="also check documents of N lines (0: off)")
    ap.add_argument("--show", default="", help="print the findings of these codes or prefixes (comma-separated)")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(DEFAULT))
    if not files:
        sys.exit(f"no input files (default {DEFAULT})")
    families = (style, boilerplate)
    enabled = frozenset(r.code for f in families for r in f.RULES)
    ctx = Context(config=Config(), enabled=enabled)
    show = tuple(s.strip().upper() for s in args.show.split(",") if s.strip())

    per_line = collections.Counter()
    held_out = collections.Counter()
    grouped = collections.Counter()
    sentences = held = 0
    started = time.perf_counter()
    for path in files:
        with open(path, encoding="utf-8") as fh:
            lines = [line.rstrip("\n") for line in fh if line.strip()]
        is_held = bool(HELD_OUT.search(path))
        sentences += len(lines)
        held += len(lines) if is_held else 0
        for line in lines:
            doc = Document.from_text(line, path=path)
            for family in families:
                for f in family.check(doc, ctx):
                    per_line[f.code] += 1
                    if is_held:
                        held_out[f.code] += 1
                    if show and f.code.startswith(show):
                        print(f"{f.code} {path.rsplit('/', 1)[-1]}: [{f.text}] -> {f.suggestion!r} | {line}")
        if args.paragraphs:
            for i in range(0, len(lines), args.paragraphs):
                text = "\n\n".join(lines[i:i + args.paragraphs])
                doc = Document.from_text(text, path=path)
                for family in families:
                    for f in family.check(doc, ctx):
                        grouped[f.code] += 1
                        if show and f.code.startswith(show):
                            print(f"{f.code} (in document) {path.rsplit('/', 1)[-1]}: [{f.text}] -> {f.suggestion!r}")
    elapsed = time.perf_counter() - started

    print(f"\n{sentences} sentences from {len(files)} files ({held} held out: newstest 2018-2020), {elapsed:.1f} s")
    print(f"{'rule':6} {'per line':>9} {'/1000':>7} {'held-out /1000':>15} {'as documents':>13}")
    for family in families:
        total = {"line": 0, "held": 0, "doc": 0}
        for rule in family.RULES:
            c, h, g = per_line[rule.code], held_out[rule.code], grouped[rule.code]
            total["line"] += c
            total["held"] += h
            total["doc"] += g
            print(f"{rule.code:6} {c:9d} {1000 * c / sentences:7.2f} {1000 * h / max(held, 1):15.2f} {g:13d}")
        print(f"{family.FAMILY.name:11} {1000 * total['line'] / sentences:7.2f} per 1,000 sentences "
              f"(held out {1000 * total['held'] / max(held, 1):.2f}; as documents {1000 * total['doc'] / sentences:.2f})")


if __name__ == "__main__":
    main()
