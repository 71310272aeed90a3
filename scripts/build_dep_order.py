"""Build the dependency-order model of the quality features: ``mtcheck/data/models/dep_order.json``.

A Kneser-Ney n-gram model (counts only; ``mtcheck.quality.DependencyOrderModel`` computes the
probabilities) of the dependency-order sequences of ``mtcheck.quality.dependency_sequences``
(for each word with dependents, its dependents' relation labels left to right with the word
in place) in professional news English: the English side of ``newstest-ru-en`` 2012-2020,
without 2015 (daseg-ru-en-2015, the quality model's training set, is newstest2015) and
without every 12th line of each year (the newstest sample ``scripts/eval_quality.py``
reports false alarms on). Parsed with mtcheck's spaCy pipeline (``mtcheck.neural.parse``).

    python scripts/build_dep_order.py [--shared ../shared/data] [--out mtcheck/data/models/dep_order.json]

Then refit the quality model (``scripts/train_quality.py``): it records this file's sha256.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quality_data as qd  # noqa: E402

ORDER = 5
DISCOUNT = 0.75
SAMPLE_EVERY = 12  # scripts/eval_quality.py --newstest-every: those lines are held out
SKIP_YEARS = ("newstest2015",)


def training_lines(folder: Path) -> list[str]:
    """The newstest English lines the sample of ``quality_data.newstest_sample`` leaves out."""
    out = []
    for p in sorted(folder.glob("newstest20*.en")):
        if p.stem in SKIP_YEARS:
            continue
        lines = [t.strip() for t in qd.read_lines(p) if t.strip()]
        out += [t for k, t in enumerate(lines) if k % SAMPLE_EVERY != 0]
    return out


def kneser_ney_counts(seqs, order: int) -> dict[int, Counter]:
    """Raw counts of the highest order; continuation counts (distinct left extensions) below."""
    counts = {order: Counter()}
    for seq in seqs:
        toks = ("<s>",) * (order - 1) + tuple(seq) + ("</s>",)
        for i in range(order - 1, len(toks)):
            counts[order][toks[i - order + 1:i + 1]] += 1
    for k in range(order - 1, 0, -1):
        counts[k] = Counter(gram[1:] for gram in counts[k + 1])
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=qd.DEFAULT_SHARED, help="the shared data folder")
    ap.add_argument("--out", type=Path, default=qd.ROOT / "mtcheck" / "data" / "models" / "dep_order.json")
    args = ap.parse_args()

    from mtcheck.fsutil import atomic_write
    from mtcheck.neural import parse, registry
    from mtcheck.quality import dependency_sequences

    folder = args.shared / "newstest-ru-en"
    if not folder.is_dir():
        sys.exit(f"missing {folder}: pass --shared")
    started = time.process_time()
    lines = training_lines(folder)
    seqs = [seq for sdoc in parse.parse_texts(lines) for seq in dependency_sequences(sdoc)]
    counts = kneser_ney_counts(seqs, ORDER)
    symbols = sorted({sym for table in counts.values() for gram in table for sym in gram})
    ids = {sym: i for i, sym in enumerate(symbols)}
    artifact = {
        "description": "Kneser-Ney n-gram counts of dependency-order sequences (mtcheck.quality.dependency_sequences) "
                       "in newstest English; highest order raw counts, lower orders continuation counts",
        "order": ORDER,
        "discount": DISCOUNT,
        "data": f"newstest-ru-en English 2012-2020 without {', '.join(SKIP_YEARS)} and without every "
                f"{SAMPLE_EVERY}th line: {len(lines)} lines, {len(seqs)} sequences",
        "parser": registry.roles()["parse"].get("model_id", parse.registry_package()),
        "symbols": symbols,
        "counts": {str(k): [[ids[s] for s in gram] + [c] for gram, c in sorted(table.items())]
                   for k, table in sorted(counts.items())},
    }
    atomic_write(args.out, json.dumps(artifact, separators=(",", ":")) + "\n")
    print(f"{len(lines)} lines, {len(seqs)} sequences, {len(symbols)} symbols; "
          + ", ".join(f"{k}-grams {len(t)}" for k, t in sorted(counts.items()))
          + f"; written {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {time.process_time() - started:.0f} s CPU")


if __name__ == "__main__":
    main()
