"""Evaluate the calibrated sentence quality against human judgments, beside reference points.

Prints:

- Pearson r with the human scores of daseg-ru-en-2015 (WMT15 news MT, the training set:
  quality is *cross-validated*, each sentence scored by a model that never saw it, same
  procedure as scripts/train_quality.py), beside the raw mean token log-probability, length,
  and sentence-level chrF against the human reference (which mtcheck never has);
- Pearson r on MLQE-PE ru-en da.dev (Reddit/Wikiquote MT, never trained on);
- X2xx findings on professional English that training never saw: the held-out (odd-numbered)
  20-line stories of WMT21 ref.A and ref.B, and a sample of newstest English (every 12th line
  of 2012-2020 without 2015), each story or line checked as a document by the real rules;
- WMT21 held-out half, per system and reference: share of sentences with an X2xx finding and
  mean story quality, and the system-level Spearman correlation of mean story quality with
  the human z-scores (``HUMAN`` = the reference);
- the seeds: every sentence with an X2xx finding, and each file's mean quality.

    python scripts/eval_quality.py [--shared ../shared/data] [--seeds seeds] [--newstest-every 12]

Language-model scores are kept in the model cache (``quality-features``), so a second run
takes seconds.
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


def x2_documents(stories: list[list[str]], path: str, feat_cache: Path) -> list:
    """Documents (one per story, a line per paragraph) scored with stored LM scores and
    checked by the X2xx rules."""
    from mtcheck import quality
    from mtcheck.config import Config
    from mtcheck.document import Document
    from mtcheck.rules import select_rules, syntax_quality
    from mtcheck.rules.base import Context

    docs = [Document.from_text("\n\n".join(line for line in story if line.strip()), path=f"{path}:{k}")
            for k, story in enumerate(stories)]
    quality.annotate_quality(docs, scorer=lambda texts: qd.cached_token_scores(texts, feat_cache))
    ctx = Context(config=Config(), enabled=select_rules(), resources=frozenset({"fluency"}))
    for doc in docs:
        doc.findings = list(syntax_quality.check(doc, ctx))
    return docs


def flag_rate(docs) -> tuple[float, int, int]:
    flagged = sum(len({doc.sentence_at(f.start).index for f in doc.findings}) for doc in docs)
    total = sum(len(doc.sentences) for doc in docs)
    return flagged / max(1, total), flagged, total


def story_quality(doc) -> float | None:
    body = [s.scores["quality"] for s in doc.sentences if s.kind == "body" and "quality" in s.scores]
    every = [s.scores["quality"] for s in doc.sentences if "quality" in s.scores]
    values = body or every
    return sum(values) / len(values) if values else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=qd.DEFAULT_SHARED)
    ap.add_argument("--seeds", type=Path, default=qd.ROOT / "seeds")
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--newstest-every", type=int, default=12, help="newstest sample: every N-th line")
    ap.add_argument("--examples", type=int, default=0, metavar="K", help="print K flagged clean sentences per set")
    ap.add_argument("--features-cache", type=Path, default=None,
                    help="folder to keep language-model scores in (default: <model cache>/quality-features)")
    args = ap.parse_args()

    from mtcheck import kernels, quality
    from mtcheck.neural import cache, fluency

    feat_cache = args.features_cache or (cache.base_dir() / "quality-features")
    qm = quality.model()
    print(f"quality model: {len(qm.features)} features; thresholds body {qm.threshold}, quote {qm.quote_threshold}, "
          f"heading {qm.heading_threshold}; language model {fluency.backend()} {fluency.quantize_mode()} "
          f"on the {kernels.family()} kernels (fitted on {qm.meta.get('training', {}).get('quantize', '?')}, "
          f"{qm.meta.get('training', {}).get('kernels', '?')})")

    daseg_dir = args.shared / "daseg-ru-en-2015"
    if daseg_dir.is_dir():
        d = qd.load_daseg(daseg_dir)
        scores = qd.cached_token_scores(d["texts"], feat_cache)
        rows = quality.features(d["texts"], scores)
        X = np.array([[r[f] for f in qm.features] for r in rows])
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
        q = np.array(committed)
        flagged = q < qm.threshold
        print(f"  daseg MT outputs below the body threshold (in sample): {flagged.mean():.1%} "
              f"(human z of those {y[flagged].mean():+.2f} vs others {y[~flagged].mean():+.2f})")

    mlqe_file = args.shared / "mlqe-pe-ru-en" / "da.dev.tsv"
    if mlqe_file.is_file():
        m = qd.load_mlqe(mlqe_file)
        scores = qd.cached_token_scores(m["texts"], feat_cache)
        rows = quality.features(m["texts"], scores)
        table("mlqe-pe ru-en da.dev (Reddit/Wikiquote, human DA z_mean)", m["human"], {
            "quality (committed model, never saw this set)": quality.score_rows(rows),
            "raw mean token log-prob (same LM)": raw_lp_mean(scores),
        })

    wmt = args.shared / "wmt21-ru-en"
    if wmt.is_dir():
        w = qd.load_wmt21(wmt)
        print("\nX2xx findings on professional English never used in training or calibration "
              "(share of sentences with one; target <= 1.0%):")
        results = {}
        for name in w["outputs"]:
            docs = x2_documents(qd.wmt21_half(w["outputs"][name], held_out=True), name, feat_cache)
            results[name] = docs
        for name in ("ref.A", "ref.B"):
            rate, n, total = flag_rate(results[name])
            print(f"  WMT21 {name} held-out stories   {rate:6.2%} ({n} of {total} sentences)")
            _examples(results[name], args.examples)
    ns_dir = args.shared / "newstest-ru-en"
    if ns_dir.is_dir():
        lines = qd.newstest_sample(ns_dir, every=args.newstest_every)
        docs = x2_documents([[line] for line in lines], "newstest", feat_cache)
        rate, n, total = flag_rate(docs)
        print(f"  newstest English sample         {rate:6.2%} ({n} of {total} sentences; every "
              f"{args.newstest_every}th line of 2012-2020 without 2015)")
        _examples(docs, args.examples)

    if wmt.is_dir():
        from scipy.stats import spearmanr

        print("\nWMT21 held-out half (25 stories of 20 lines each): X2xx-flagged sentence share, mean story quality, human z")
        human = w["human_z"]
        rows_out = []
        for name, docs in results.items():
            stories = [v for v in (story_quality(doc) for doc in docs) if v is not None]
            rows_out.append((name, flag_rate(docs)[0], float(np.mean(stories)), human.get("HUMAN" if name.startswith("ref.") else name)))
        for name, rate, mq, z in sorted(rows_out, key=lambda r: -(r[3] if r[3] is not None else -9)):
            print(f"  {name:14s} flagged {rate:6.2%}  mean story quality {mq:.3f}  human z {z if z is not None else float('nan'):+.3f}")
        for ref in ("ref.A", "ref.B"):
            pairs = [(mq, z) for name, _, mq, z in rows_out if z is not None and (not name.startswith("ref.") or name == ref)]
            rho = spearmanr([p[0] for p in pairs], [p[1] for p in pairs]).statistic
            print(f"  system-level Spearman (mean story quality vs human z; HUMAN = {ref}): {rho:+.3f} over {len(pairs)} outputs")
        ref_rate = max(r[1] for r in rows_out if r[0].startswith("ref."))
        below = [r for r in rows_out if not r[0].startswith("ref.") and r[3] is not None and r[3] < human.get("HUMAN", 0)]
        above = [r[0] for r in below if r[1] <= ref_rate]
        print(f"  systems ranked below the reference by humans with a flagged share above both references: "
              f"{len(below) - len(above)} of {len(below)}" + (f" (not: {', '.join(above)})" if above else ""))

    if args.seeds.is_dir():
        docs = []
        for p in sorted(args.seeds.glob("*.txt")):
            docs += x2_documents([[p.read_text(encoding="utf-8")]], p.name, feat_cache)
        print("\nseeds: X2xx findings (quality, damage, worst window) and mean body quality per file")
        for doc in docs:
            body = [s.scores["quality"] for s in doc.sentences if s.kind == "body"]
            print(f"  {doc.path.split(':')[0]}: {len(doc.findings)} X2xx finding(s); mean body quality {np.mean(body):.2f}")
            for f in doc.findings:
                s = doc.sentence_at(f.start)
                print(f"    {f.code} {f.data['quality']:.2f} {f.data['damage']:8s} [{f.text[:40]}] {s.text[:110]}")


def _examples(docs, k: int) -> None:
    shown = 0
    for doc in docs:
        for f in doc.findings:
            if shown >= k:
                return
            s = doc.sentence_at(f.start)
            print(f"      {f.data['quality']:.3f} [{f.text[:30]}] {s.text[:120]}")
            shown += 1


if __name__ == "__main__":
    main()
