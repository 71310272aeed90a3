#!/usr/bin/env python3
"""False-positive rates of the rule families on professional English news translation.

Runs every rule family that exists (rules only, with the spaCy parse; no neural scoring)
over the English side of WMT newstest ru-en (``newstest20*.en``, 23,814 human-translated
sentences) and prints, per family and per rule, findings per 1,000 input lines and per 1,000
segmented sentences, plus the wall time. Every finding here is taken as a false positive: the
text is clean professional English (a few real problems may lurk; ``--examples`` shows what
fired, to check).

Each input line becomes its own Document (each line is one sentence or headline of a news
story; lines of different stories are unrelated, so grouping them would invent document-level
problems such as "the same name spelled two ways"). Documents are checked in batches, the
parse batched across each batch.

Usage: scripts/eval_rules_fp.py [--data DIR] [--pattern GLOB] [--limit N] [--no-parse] [--examples K] [--select CODES] [--neural]
"""

from __future__ import annotations

import argparse
import collections
import glob
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtcheck.config import Config  # noqa: E402
from mtcheck.document import Document  # noqa: E402
from mtcheck.engine import Scanner  # noqa: E402
from mtcheck.rules import all_rules, families  # noqa: E402
from mtcheck.settings import Settings

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "newstest-ru-en"
BATCH = 500


def read_lines(data: Path, limit: int | None, pattern: str = "newstest20*.en") -> list[tuple[str, str]]:
    files = sorted(glob.glob(str(data / pattern)))
    if not files:
        sys.exit(f"eval_rules_fp: no {pattern} files under {data}")
    out = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.strip()
                if line:
                    out.append((f"{os.path.basename(f)}:{n}", line))
    return out[:limit] if limit else out


def _instrument_language_detector() -> dict:
    """Count the segments the language rules send to langdetect, and time its one load."""
    stats = {"calls": 0, "load_s": 0.0}
    try:
        from mtcheck.rules import language
    except ImportError:  # pragma: no cover
        return stats
    load, detect = language._detector_factory, language.detect_languages

    def timed_load():
        if language._factory is None:
            t = time.perf_counter()
            result = load()
            stats["load_s"] = time.perf_counter() - t
            return result
        return load()

    def counted_detect(text):
        stats["calls"] += 1
        return detect(text)

    language._detector_factory = timed_load
    language.detect_languages = counted_detect
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA), help="folder with newstest20*.en (default: %(default)s)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N lines")
    ap.add_argument("--no-parse", action="store_true", help="skip the spaCy parse (rules that need it do not run)")
    ap.add_argument("--examples", type=int, default=0, metavar="K", help="print K example findings per rule")
    ap.add_argument("--select", default="", help="comma-separated rule selectors (default: all)")
    ap.add_argument("--neural", action="store_true",
                    help="also score sentence quality (fluency model) so the X2xx rules run; slow: "
                         "about 25 sentences/s, so combine with --limit")
    ap.add_argument("--pattern", default="newstest20*.en",
                    help="which files of --data (default: %(default)s; a WMT21 reference: "
                         "--data ../shared/data/wmt21-ru-en --pattern '*.ref.A.en')")
    args = ap.parse_args()

    t0 = time.perf_counter()
    detector = _instrument_language_detector()
    lines = read_lines(Path(args.data), args.limit, args.pattern)
    config = Config(select=[s for s in args.select.split(",") if s])
    scanner = Scanner(Settings(config=config, neural=args.neural, parse=not args.no_parse))
    rules = {r.code: r for r in all_rules()}
    use_parse = not args.no_parse and any("parse" in rules[c].needs for c in scanner.pipeline.enabled)
    load_note = ""
    if use_parse:
        from mtcheck.neural import parse

        ti = time.perf_counter()
        parse.import_spacy()
        tl = time.perf_counter()
        parse.load_pipeline()
        te = time.perf_counter()
        load_note = (f"spaCy import {tl - ti:.2f} s + pipeline load {te - tl:.2f} s; "
                     f"torch imported: {'yes' if 'torch' in sys.modules else 'no'}")
    per_rule: collections.Counter = collections.Counter()
    examples: dict[str, list[str]] = collections.defaultdict(list)
    sentences = 0
    parse_s = 0.0
    for i in range(0, len(lines), BATCH):
        chunk = lines[i: i + BATCH]
        docs = [Document.from_text(text, path=ref) for ref, text in chunk]
        if use_parse:
            from mtcheck.neural.parse import attach_parse

            tp = time.perf_counter()
            attach_parse(docs)
            parse_s += time.perf_counter() - tp
        scanner.pipeline.run(docs)
        for doc in docs:
            sentences += len(doc.sentences)
            for f in doc.findings:
                per_rule[f.code] += 1
                if len(examples[f.code]) < args.examples:
                    examples[f.code].append(f"{doc.path}: [{f.text[:80]}] {doc.text[:160]}")
    wall = time.perf_counter() - t0

    n = len(lines)
    print(f"newstest English side: {n} lines ({sentences} segmented sentences) from {args.data}")
    print(f"parse: {'on' if use_parse else 'off'}; rules enabled: {len(scanner.pipeline.enabled)}")
    # The false-alarm bar is per 1,000 sentences; a line can hold several sentences,
    # so both rates are printed.
    per_sent = max(sentences, 1)
    print(f"{'family/rule':<34} {'findings':>9} {'per 1k lines':>13} {'per 1k sent':>12}")
    for fam in families():
        codes = [r.code for r in fam.rules]
        total = sum(per_rule[c] for c in codes)
        print(f"{fam.name:<34} {total:>9} {1000 * total / n:>13.2f} {1000 * total / per_sent:>12.2f}")
        for c in codes:
            if per_rule[c] or c in scanner.pipeline.enabled:
                skipped = "" if c in scanner.pipeline.enabled and not (rules[c].needs - scanner.pipeline.resources) else " (not run)"
                print(f"  {c} {rules[c].name:<27} {per_rule[c]:>9} {1000 * per_rule[c] / n:>13.2f} {1000 * per_rule[c] / per_sent:>12.2f}{skipped}")
    total = sum(per_rule.values())
    print(f"{'all families':<34} {total:>9} {1000 * total / n:>13.2f} {1000 * total / per_sent:>12.2f}")
    print(f"wall time: {wall:.1f} s (spaCy parse {parse_s:.1f} s)")
    if load_note:
        print(load_note)
    if detector["calls"]:
        print(f"langdetect consulted for {detector['calls']} segments; profiles loaded once in {detector['load_s']:.2f} s")
    else:
        print("langdetect never consulted (every segment read as plain English or was too short to judge)")
    if args.examples:
        for code in sorted(examples):
            print(f"\n== {code} {rules[code].name}")
            for e in examples[code]:
                print("  " + e)


if __name__ == "__main__":
    main()
