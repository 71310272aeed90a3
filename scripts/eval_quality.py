"""Evaluate the calibrated sentence quality against human judgments, beside reference points.

Prints Pearson r with the human scores of

- daseg-ru-en-2015 (WMT15 news MT, the training set: quality is *cross-validated*, each
  sentence scored by a model that never saw it, same procedure as scripts/train_quality.py);
- MLQE-PE ru-en da.dev (Reddit/Wikiquote MT, never trained on: the committed model);

for: quality; the raw mean token log-probability of the same language model (every token);
sentence length (tokens; words); and sentence-level chrF of the MT against the human
reference (daseg) or human post-edit (MLQE-PE) - which mtcheck never has: it shows what a
reference buys. Then: how often the committed threshold flags professional human translations
(daseg references; WMT21 reference A, text the unigram baseline never saw), and on the seeds
the per-file mean quality and the lowest five sentences.

    python scripts/eval_quality.py [--shared ../shared/data] [--seeds seeds]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quality_data as qd  # noqa: E402
import train_quality as tq  # noqa: E402


def pearson(a, b) -> float:
    return float(np.corrcoef(np.asarray(a, float), np.asarray(b, float))[0, 1])


def raw_lp_mean(scores) -> list[float]:
    return [sum(s.logprobs) / len(s.logprobs) if s.logprobs else 0.0 for s in scores]


def chrf(hyps: list[str], refs: list[str]) -> list[float]:
    from sacrebleu.metrics import CHRF

    metric = CHRF()
    return [metric.sentence_score(h, [r]).score for h, r in zip(hyps, refs)]


def table(title: str, human, columns: dict) -> None:
    print(f"\n{title}  (n={len(human)})")
    for name, values in columns.items():
        print(f"  {name:44s} r = {pearson(values, human):+.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=qd.DEFAULT_SHARED)
    ap.add_argument("--seeds", type=Path, default=qd.ROOT / "seeds")
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--features-cache", type=Path, default=None,
                    help="folder to keep language-model scores in (default: <model cache>/quality-features)")
    args = ap.parse_args()

    from mtcheck import quality
    from mtcheck.neural import cache

    feat_cache = args.features_cache or (cache.base_dir() / "quality-features")
    qm = quality.model()
    print(f"quality model: {len(qm.features)} features; thresholds body {qm.threshold}, quote {qm.quote_threshold}, "
          f"heading {qm.heading_threshold}")

    daseg_dir = args.shared / "daseg-ru-en-2015"
    if daseg_dir.is_dir():
        d = qd.load_daseg(daseg_dir)
        scores = qd.cached_token_scores(d["texts"], feat_cache)
        rows = quality.features(d["texts"], scores)
        X = np.array([[r[f] for f in tq.FEATURES] for r in rows])
        y = np.array(d["human"])
        rs, oof = tq.cross_validate(X, y, args.folds, 1)
        table("daseg-ru-en-2015 (WMT15 news, human DA z)", y, {
            f"quality ({args.folds}-fold cross-validated)": oof,
            "raw mean token log-prob (same LM)": raw_lp_mean(scores),
            "length (tokens)": [r["n_tokens"] for r in rows],
            "length (words)": [len(t.split()) for t in d["texts"]],
            "chrF vs human reference (needs a reference)": chrf(d["texts"], d["ref"]),
        })
        committed = quality.score_rows(rows)
        print(f"  (committed model on its own training data: r = {pearson(committed, y):+.3f}; not a fair figure)")

    mlqe_file = args.shared / "mlqe-pe-ru-en" / "da.dev.tsv"
    if mlqe_file.is_file():
        m = qd.load_mlqe(mlqe_file)
        scores = qd.cached_token_scores(m["texts"], feat_cache)
        rows = quality.features(m["texts"], scores)
        cols = {
            "quality (committed model, never saw this set)": quality.score_rows(rows),
            "raw mean token log-prob (same LM)": raw_lp_mean(scores),
            "length (tokens)": [r["n_tokens"] for r in rows],
        }
        pe_mt, pe_pe = mlqe_file.parent / "pe.dev.mt", mlqe_file.parent / "pe.dev.pe"
        if pe_mt.is_file() and pe_pe.is_file():
            mt, pe = qd.read_lines(pe_mt), qd.read_lines(pe_pe)
            if len(mt) == len(m["texts"]):  # same segments, tokenized
                cols["chrF vs human post-edit (needs a post-edit)"] = chrf(mt, pe)
        table("mlqe-pe ru-en da.dev (Reddit/Wikiquote, human DA z_mean)", m["human"], cols)

    print("\nflag rate on professional human translations (body threshold; clean English should stay near 0):")
    for label, path in (("daseg references (newstest2015)", daseg_dir / "newstest2015.reference"),
                        ("WMT21 reference A", args.shared / "wmt21-ru-en" / "newstest2021.ru-en.ref.A.en")):
        if path.is_file():
            texts = [t for t in qd.read_lines(path) if t.strip()]
            q = np.array(quality.score_rows(quality.features(texts, qd.cached_token_scores(texts, feat_cache))))
            print(f"  {label:34s} {np.mean(q < qm.threshold):6.1%} of {len(q)}  (mean quality {q.mean():.2f})")
    if daseg_dir.is_dir():
        q = np.array(committed)
        flagged = q < qm.threshold
        print(f"  {'daseg MT outputs, for contrast':34s} {flagged.mean():6.1%} of {len(q)}  "
              f"(human z of flagged {y[flagged].mean():+.2f} vs others {y[~flagged].mean():+.2f})")

    if args.seeds.is_dir():
        seeds = qd.load_seeds(args.seeds)
        texts = [s["text"] for s in seeds]
        q = quality.score_rows(quality.features(texts, qd.cached_token_scores(texts, feat_cache)))
        print("\nseeds: mean quality per file (body sentences, not quotes | all sentences)")
        for name in sorted({s["file"] for s in seeds}):
            body = [qq for qq, s in zip(q, seeds) if s["file"] == name and s["kind"] == "body" and not s["quote"]]
            every = [qq for qq, s in zip(q, seeds) if s["file"] == name]
            print(f"  {name}  {np.mean(body):.2f} (n={len(body)}) | {np.mean(every):.2f} (n={len(every)})")
        print("lowest five body sentences:")
        order = sorted((i for i, s in enumerate(seeds) if s["kind"] == "body" and len(s["text"].split()) >= 4),
                       key=lambda i: q[i])
        for i in order[:5]:
            print(f"  {q[i]:.2f}  {seeds[i]['file'][:3]}  {seeds[i]['text'][:110]}")


if __name__ == "__main__":
    main()
