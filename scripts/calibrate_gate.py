#!/usr/bin/env python
"""Calibrate the gate's document-quality limits (review-quality, min-quality) on professional
translations, and show what they catch in machine translation.

A story's quality is the mean of its body sentences' calibrated quality (mtcheck.gate.metrics,
the gate's default aggregate). The limits are set the way the sentence threshold is: by how
often they would fire on professional translations of Russian news, which should pass.
- review-quality: the largest value (0.01 grid) below which at most --review-budget (default 2%,
  as for the sentence threshold) of professional stories fall;
- min-quality (reject): the largest value below which none falls (--reject-budget, default 0),
  less a margin (--reject-margin, default 0.03): quality alone should never keep a professional
  story out, and a couple of hundred stories cannot vouch for a rate of zero.

Stories are pseudo-documents of --sentences (default 12) consecutive lines, one per paragraph,
from files that keep the test sets' document order:
- professional: WMT15 references (daseg `newstest2015.reference`) and WMT21 references A and B;
- machine translation: the WMT15 system outputs of daseg (mostly phrase-based: damage like the
  seeds'), WMT21 Online-Y (lowest human score that year) and NVIDIA-NeMo (highest).
None of these texts is in the unigram baseline of the fluency features (newstest 2012-2020
without 2015). The sentences are scored by the real Scanner (neural path, no parse), so the
figures are the gate's own.

    python scripts/calibrate_gate.py [--data ../shared/data] [--sentences 12]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETS = {
    "professional": [
        "daseg-ru-en-2015/newstest2015.reference",
        "wmt21-ru-en/newstest2021.ru-en.ref.A.en",
        "wmt21-ru-en/newstest2021.ru-en.ref.B.en",
    ],
    "MT WMT15 systems (daseg)": ["daseg-ru-en-2015/newstest2015.mt-system"],
    "MT WMT21 Online-Y (worst)": ["wmt21-ru-en/newstest2021.ru-en.hyp.Online-Y.en"],
    "MT WMT21 NVIDIA-NeMo (best)": ["wmt21-ru-en/newstest2021.ru-en.hyp.NVIDIA-NeMo.en"],
}


def stories(path: Path, size: int) -> list[str]:
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return ["\n\n".join(lines[i:i + size]) + "\n" for i in range(0, len(lines) - size + 1, size)]


def document_qualities(texts: list[str]) -> list[float]:
    from mtcheck.config import Config
    from mtcheck.document import Document
    from mtcheck.engine import Scanner
    from mtcheck.gate.metrics import measure
    from mtcheck.settings import Settings

    scanner = Scanner(Settings(config=Config(), neural=True, parse=False))
    docs = [Document.from_text(t, path=f"<story {i}>") for i, t in enumerate(texts)]
    scanner.pipeline.run(docs)
    return [measure(d).quality for d in docs]


def largest_limit(values: list[float], budget: float) -> float:
    """The largest limit on a 0.01 grid with at most ``budget`` of ``values`` below it."""
    best = 0.0
    for k in range(0, 101):
        limit = k / 100
        if sum(v < limit for v in values) / len(values) <= budget:
            best = limit
    return best


def share_below(values: list[float], limit: float) -> float:
    return sum(v < limit for v in values) / len(values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--sentences", type=int, default=12, help="sentences per pseudo-story (default 12)")
    ap.add_argument("--review-budget", type=float, default=0.02)
    ap.add_argument("--reject-budget", type=float, default=0.0)
    ap.add_argument("--reject-margin", type=float, default=0.03)
    args = ap.parse_args()

    from mtcheck.gate.policy import KEY_BY_NAME

    start = time.time()
    quality: dict[str, list[float]] = {}
    for name, files in SETS.items():
        texts = []
        for rel in files:
            path = args.data / rel
            if not path.is_file():
                sys.exit(f"{path}: missing (see ../shared/README.md)")
            texts += stories(path, args.sentences)
        quality[name] = document_qualities(texts)
        q = sorted(quality[name])
        print(f"{name:30} {len(q):4d} stories  mean quality {sum(q) / len(q):.3f}  "
              f"5th pct {q[int(0.05 * (len(q) - 1))]:.3f}  min {q[0]:.3f}  ({time.time() - start:.0f} s)", flush=True)

    pro = quality["professional"]
    review = largest_limit(pro, args.review_budget)
    reject = round(max(0.0, largest_limit(pro, args.reject_budget) - args.reject_margin), 2)
    print(f"\ncalibrated on {len(pro)} professional stories of {args.sentences} sentences:")
    print(f"  review-quality = {review:.2f}  (at most {args.review_budget:.1%} of professional stories below; "
          f"committed default {KEY_BY_NAME['review-quality'].default})")
    print(f"  min-quality    = {reject:.2f}  (at most {args.reject_budget:.1%} below, less {args.reject_margin:.2f}; "
          f"committed default {KEY_BY_NAME['min-quality'].default})")
    print("\nshare of stories below each limit (calibrated / committed default):")
    for name, values in quality.items():
        print(f"  {name:30} review {share_below(values, review):6.1%} / "
              f"{share_below(values, KEY_BY_NAME['review-quality'].default):6.1%}   "
              f"reject {share_below(values, reject):6.1%} / {share_below(values, KEY_BY_NAME['min-quality'].default):6.1%}")
    print("\nother budgets (share of professional stories allowed below -> limit):")
    for budget in (0.0, 0.005, 0.01, 0.02, 0.05, 0.10):
        limit = largest_limit(pro, budget)
        catches = ", ".join(f"{name.split(' (')[0]} {share_below(v, limit):.0%}" for name, v in quality.items() if name != "professional")
        print(f"  {budget:5.1%} -> {limit:.2f}  ({catches})")
    print(f"\n({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
