"""Build ``mtcheck/data/models/fluency_unigram.json``: unigram log-frequencies of the fluency model's tokens,
the baseline SLOR subtracts (``mtcheck.neural.fluency.sentence_features``).

Counted on the English side of WMT newstest 2012-2020 (professional translations of Russian
news), *excluding newstest2015*, whose sentences are the references of the daseg evaluation
set. Sentences are tokenized exactly as the scorer tokenizes them (whitespace collapsed, no
special tokens), so sentence-initial tokens are counted in their sentence-initial form.

    python scripts/build_unigram.py [--data ../shared/data/newstest-ru-en] [--out mtcheck/data/models/fluency_unigram.json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SMOOTHING = 0.5  # add-k: every vocabulary entry is seen k times (unseen tokens get k / total)
EXCLUDE = ("newstest2015.en",)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "newstest-ru-en"))
    ap.add_argument("--out", default=str(ROOT / "mtcheck" / "data" / "models" / "fluency_unigram.json"))
    args = ap.parse_args()

    from tokenizers import Tokenizer

    from mtcheck.fsutil import atomic_write
    from mtcheck.neural import fluency

    tok = Tokenizer.from_file(str(fluency.prepare() / "tokenizer.json"))
    files = sorted(p for p in Path(args.data).glob("*.en") if p.name not in EXCLUDE)
    if not files:
        sys.exit(f"no *.en files under {args.data}")
    counts: Counter = Counter()
    sentences = 0
    for f in files:
        lines = [fluency.normalise(line) for line in f.read_text(encoding="utf-8").splitlines()]
        lines = [line for line in lines if line]
        sentences += len(lines)
        for enc in tok.encode_batch(lines, add_special_tokens=False):
            counts.update(enc.ids)
    vocab = tok.get_vocab_size()
    total = sum(counts.values()) + SMOOTHING * vocab
    table = {str(i): round(math.log((c + SMOOTHING) / total), 3) for i, c in sorted(counts.items())}
    data = {
        "description": "natural-log unigram probability per SmolLM2 token id (add-k smoothed)",
        "tokenizer": "HuggingFaceTB/SmolLM2-135M-Instruct",
        "data": [f.name for f in files],
        "sentences": sentences,
        "tokens": sum(counts.values()),
        "smoothing": SMOOTHING,
        "vocab_size": vocab,
        "unseen_logprob": round(math.log(SMOOTHING / total), 3),
        "logprob": table,
    }
    atomic_write(args.out, json.dumps(data, separators=(",", ":")) + "\n")
    print(f"{args.out}: {len(table)} token types from {data['tokens']} tokens in {sentences} sentences")


if __name__ == "__main__":
    main()
