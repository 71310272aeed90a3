#!/usr/bin/env python
"""Fit the fix-score formula (mtcheck/data/models/fix_score.json) on MLQE-PE post-edits and repairs.

Good fixes: the human post-edit of an MT sentence with 0 < HTER <= --max-hter (original = the
MT output). Bad fixes: perturbed post-edits (a name changed, a negation dropped, a number
altered, words shuffled, a clause deleted), an unrelated post-edit, and the regression
(post-edit -> MT). Repair candidates (``scripts/repair_examples.py``; off with --no-repairs):
the offline repairs on the training parts of MLQE-PE pe.train, daseg, WMT21 and newstest, good
when they move the line toward its human version (or restore a line damaged the way Russian
MT damages it), bad when they move away, miss, or touch clean text. Features: mtcheck.rewrite.fixscore components, computed exactly as at run
time (language-model features and embedding cosines are cached in the user cache folder).
Two sign-constrained logistic regressions on standardised features: "neural" (all
components) and "lexical" (what --no-neural can compute). The acceptance threshold of each is calibrated on HTER = 0 sentences
(good MT, where every candidate is a bad fix) with cross-validated scores: the smallest
threshold at which at most --max-zero-accept of those sentences would get any candidate
accepted.

    python scripts/train_fix_score.py [--data ../shared/data/mlqe-pe-ru-en] [--sample 1500 --zero 600]
                                      [--shared ../shared/data] [--per-class 60 --clean 8000 | --no-repairs]

Prints the figures it writes into the artifact and the card (models/FIX_SCORE_CARD.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import fixscore_data as fd  # noqa: E402
import repair_examples as rx  # noqa: E402
from fixscore_data import default_cache, features, runtime_rejected  # noqa: E402

from mtcheck.rewrite import REPAIRS_BAR, fixscore  # noqa: E402

# Each component's direction is known: more meaning, names, numbers, negations kept and more
# fluency gained never make a fix worse, a larger length change never makes it better. The
# perturbation negatives sit *closer* to the original than the post-edits do, which an
# unconstrained fit turns into a negative weight on chrF: a near-identity rule fix would then
# be punished for changing little. Sign constraints keep the formula monotone.
SIGNS = {"fluency_gain": 1, "cosine": 1, "chrf": 1, "entity_kept": 1, "number_kept": 1, "negation_kept": 1, "length_dev": -1}


class MonotoneLogit:
    """Logistic regression on standardised features with sign-constrained coefficients
    (L-BFGS-B), balanced class weights and an L2 penalty (C as in scikit-learn)."""

    def __init__(self, signs, C: float = 1.0):
        self.signs, self.C = list(signs), C

    def fit(self, X, y):
        import numpy as np
        from scipy.optimize import minimize

        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        Z = (X - self.mean_) / self.scale_
        n, d = Z.shape
        pos = y.sum()
        sw = np.where(y == 1, n / (2 * pos), n / (2 * (n - pos)))

        def objective(theta):
            w, b = theta[:d], theta[d]
            z = Z @ w + b
            loss = np.sum(sw * np.where(y == 1, np.logaddexp(0, -z), np.logaddexp(0, z)))
            g = sw * (1 / (1 + np.exp(-z)) - y)
            return loss + 0.5 * w @ w / self.C, np.concatenate([Z.T @ g + w / self.C, [g.sum()]])

        bounds = [(0, None) if s > 0 else (None, 0) if s < 0 else (None, None) for s in self.signs] + [(None, None)]
        res = minimize(objective, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds)
        self.coef_, self.intercept_ = res.x[:d], float(res.x[d])
        return self

    def predict(self, X):
        import numpy as np

        z = ((X - self.mean_) / self.scale_) @ self.coef_ + self.intercept_
        return 1 / (1 + np.exp(-z))


def fit(X, y, groups, feats, free_signs: bool = False):
    """The formula on all rows, and its 5-fold (grouped by sentence) out-of-fold scores."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    signs = [0 if free_signs else SIGNS[f] for f in feats]

    def model():
        m = MonotoneLogit(signs)
        if free_signs:  # no constraint: bounds of (None, None) for every coefficient
            m.signs = [0] * len(feats)
        return m

    oof = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=5).split(X, y, groups):
        oof[te] = model().fit(X[tr], y[tr]).predict(X[te])
    return model().fit(X, y), oof


def calibrate(scores, examples, max_zero_accept: float) -> float:
    """Smallest threshold (>= 0.5) at which at most ``max_zero_accept`` of the HTER = 0
    sentences have any candidate scoring at or above it."""
    import numpy as np

    best: dict[int, float] = {}
    for s, e in zip(scores, examples):
        if e.source == "mlqe" and e.hter == 0:
            best[e.sid] = max(best.get(e.sid, 0.0), float(s))
    if not best:
        return 0.5
    per_sentence = np.array(sorted(best.values()))
    # the (1 - max_zero_accept) quantile, nudged just above it
    q = float(np.quantile(per_sentence, 1.0 - max_zero_accept, method="higher"))
    return round(max(0.5, min(0.999, q + 1e-4)), 4)


def _post_edit(e) -> bool:
    return e.source == "mlqe" and e.hter > 0


def figures_for(scores, examples) -> dict:
    from sklearn.metrics import roc_auc_score

    out = {}
    good = [s for s, e in zip(scores, examples) if e.kind == "good"]
    for kind in fd.BAD_KINDS:
        bad = [s for s, e in zip(scores, examples) if e.kind == kind and _post_edit(e)]
        if good and bad:
            out[kind] = {"auroc": round(float(roc_auc_score([1] * len(good) + [0] * len(bad), good + bad)), 4), "n": len(bad)}
    allbad = [s for s, e in zip(scores, examples) if e.kind != "good" and _post_edit(e)]
    out["all_bad"] = {"auroc": round(float(roc_auc_score([1] * len(good) + [0] * len(allbad), good + allbad)), 4), "n": len(allbad)}
    return out


def repair_figures(scores, comps, examples, neural: bool) -> dict:
    """Per repair kind: how many, the share accepted as ``annotate_rewrites`` accepts a repair
    (``REPAIRS_BAR``, and with the neural formula a positive fluency gain), and the AUROC of
    the good repairs (toward the human version, or restoring) against each bad kind."""
    from sklearn.metrics import roc_auc_score

    accepted = [s >= REPAIRS_BAR and (not neural or c["fluency_gain"] > 0) for s, c in zip(scores, comps)]
    rows = [(s, a, e) for s, a, e in zip(scores, accepted, examples) if e.source == "repairs"]
    out = {}
    good = [s for s, _, e in rows if e.label]
    for kind in (*rx.GOOD_KINDS, *rx.BAD_KINDS):
        mine = [(s, a) for s, a, e in rows if e.kind == kind]
        if not mine:
            continue
        fig = {"n": len(mine), "accepted": round(sum(a for _, a in mine) / len(mine), 4)}
        if kind in rx.BAD_KINDS and good:
            bad = [s for s, _ in mine]
            fig["auroc_good_repairs_vs_this"] = round(float(roc_auc_score([1] * len(good) + [0] * len(bad), good + bad)), 4)
        out[kind] = fig
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=fd.DEFAULT_DATA, help="MLQE-PE ru-en folder (pe.train.*)")
    ap.add_argument("--sample", type=int, default=1500, help="HTER > 0 training sentences")
    ap.add_argument("--zero", type=int, default=600, help="HTER = 0 sentences for threshold calibration")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-zero-accept", type=float, default=0.01, help="share of HTER = 0 sentences allowed an accepted candidate")
    ap.add_argument("--max-hter", type=float, default=0.5, help="leave out sentences whose post-edit changed more than this share of words")
    ap.add_argument("--free-signs", action="store_true", help="fit without the sign constraints (for comparison)")
    ap.add_argument("--out", type=Path, default=None,
                    help="default: the artifact of the kernel family in force (mtcheck.kernels): fix_score.json for "
                         "avx2, fix_score-avx512_vnni.json with MTCHECK_KERNELS=avx512_vnni")
    ap.add_argument("--card", type=Path, default=HERE.parent / "models" / "FIX_SCORE_CARD.md")
    ap.add_argument("--cache", type=Path, default=None, help="folder of the feature caches (default: the user cache folder)")
    ap.add_argument("--shared", type=Path, default=rx_default_shared(), help="shared data folder (daseg, WMT21, newstest) for the repair examples")
    ap.add_argument("--no-repairs", dest="repairs", action="store_false", help="MLQE-PE post-edits and perturbations only (the formula before repairs)")
    ap.add_argument("--per-class", type=int, default=60, help="repair examples: damaged newstest lines per damage class")
    ap.add_argument("--clean", type=int, default=8000, help="repair examples: clean newstest lines the repairs are forced on")
    args = ap.parse_args(argv)

    import numpy as np

    from mtcheck import kernels
    from mtcheck.neural import registry

    if kernels.unfit_reason():
        print(f"error: {kernels.unfit_reason()}", file=sys.stderr)
        return 2
    args.out = args.out or registry.artifact_path("fix-score")

    if not (args.data / "pe.train.mt").exists():
        print(f"error: {args.data}/pe.train.mt not found (pass --data)", file=sys.stderr)
        return 2
    cache = args.cache or default_cache()
    t0 = time.time()
    rows = fd.read_split(args.data, "train")
    examples = fd.examples_for(rows, args.sample, args.seed, args.zero)
    # A post-edit that changes more than half the words is a new translation made from the
    # Russian source, which mtcheck never sees: not a fix anyone could verify from the English.
    dropped = len({e.sid for e in examples if e.hter > args.max_hter})
    examples = [e for e in examples if e.hter <= args.max_hter]
    print(f"left out {dropped} sentences with HTER > {args.max_hter}", file=sys.stderr)
    repair_stats = None
    if args.repairs:
        print("repair examples:", file=sys.stderr)
        found, repair_stats = rx.build(args.shared, args.seed, args.per_class, args.clean,
                                       log=lambda m: print(m, file=sys.stderr, flush=True))
        examples += found
    kinds = Counter(e.kind for e in examples)
    print(f"{len(examples)} examples from {len({e.sid for e in examples})} sentences: {dict(kinds)}", file=sys.stderr)
    comps = features(examples, cache)
    y = np.array([e.label for e in examples])
    groups = np.array([e.sid for e in examples])
    rejected = np.array([runtime_rejected(e) for e in examples])

    artifact = {"version": 1, "formulas": {}, "figures": {}}
    for name, feats in (("neural", fixscore.NEURAL_FEATURES), ("lexical", fixscore.LEXICAL_FEATURES)):
        X = np.array([[c[f] for f in feats] for c in comps], dtype=float)
        model, oof = fit(X, y, groups, feats, args.free_signs)
        oof_runtime = np.where(rejected, 0.0, oof)
        threshold = calibrate(oof_runtime, examples, args.max_zero_accept)
        neural = name == "neural"
        artifact["formulas"][name] = {
            "features": list(feats),
            "mean": [round(float(v), 6) for v in model.mean_],
            "scale": [round(float(v), 6) for v in model.scale_],
            "coef": [round(float(v), 6) for v in model.coef_],
            "intercept": round(float(model.intercept_), 6),
            "threshold": threshold,
            "threshold_rule": f"smallest >= 0.5 with at most {args.max_zero_accept:.0%} of HTER=0 training sentences having any candidate accepted (5-fold out-of-fold scores)",
        }
        good = oof_runtime[np.array([e.kind == "good" for e in examples])]
        zero_sent: dict[int, float] = {}
        for s, e in zip(oof_runtime, examples):
            if e.source == "mlqe" and e.hter == 0:
                zero_sent[e.sid] = max(zero_sent.get(e.sid, 0.0), float(s))
        artifact["figures"][name] = {
            "cv_auroc_by_kind": figures_for(oof_runtime, examples),
            "cv_good_fix_accept_rate": round(float((good >= threshold).mean()), 4),
            "cv_bad_fix_accept_rate": {
                k: round(float(np.mean([s >= threshold for s, e in zip(oof_runtime, examples) if e.kind == k and _post_edit(e)])), 4)
                for k in fd.BAD_KINDS if any(e.kind == k and _post_edit(e) for e in examples)
            },
            "cv_zero_hter_sentences_any_accepted": round(float(np.mean([v >= threshold for v in zero_sent.values()])), 4),
        }
        if args.repairs:
            artifact["figures"][name]["cv_repairs_by_kind"] = repair_figures(oof_runtime, comps, examples, neural)
        print(f"[{name}] coef " + ", ".join(f"{f}={c:+.3f}" for f, c in zip(feats, model.coef_)) + f"; threshold {threshold}", file=sys.stderr)
    artifact["data"] = {
        "source": "MLQE-PE ru-en pe.train.{mt,pe,hter} (CC0), detokenized by scripts/fixscore_data.py"
                  + ("; repair candidates by scripts/repair_examples.py" if args.repairs else ""),
        "sentences_hter_gt_0": len({e.sid for e in examples if _post_edit(e)}),
        "sampled_hter_gt_0": args.sample,
        "left_out_hter_above": {"max_hter": args.max_hter, "sentences": dropped},
        "sentences_hter_0": int(min(args.zero, sum(1 for r in rows if r[3] == 0))),
        "examples": dict(kinds),
        "repairs": repair_stats,
        "seed": args.seed,
        "quality_models": __import__("mtcheck.neural.registry", fromlist=["signature"]).signature(("fluency",)),
    }
    artifact["created_by"] = (f"scripts/train_fix_score.py --sample {args.sample} --zero {args.zero} --seed {args.seed} "
                              f"--max-zero-accept {args.max_zero_accept} --max-hter {args.max_hter}"
                              + (f" --per-class {args.per_class} --clean {args.clean}" if args.repairs else " --no-repairs")
                              + (" --free-signs" if args.free_signs else ""))
    artifact["notes"] = ("Candidates rejected at run time (a number or date changed) score 0 in the figures, as in annotate_rewrites. "
                         "Coefficients apply to (component - mean) / scale; fix_score = logistic(intercept + sum).")
    args.out.write_text(json.dumps(artifact, indent=1) + "\n")
    fixscore.load_model.cache_clear()
    fixscore.load_model(str(args.out))  # validates what was written
    print(json.dumps(artifact["figures"], indent=1))
    print(f"wrote {args.out} in {time.time() - t0:.0f} s", file=sys.stderr)
    if args.card:
        from stamp_card import stamp

        from mtcheck import kernels
        from mtcheck.neural import registry

        main_artifact = registry.MODELS_DIR / registry.roles()["fix-score"]["path"]
        if kernels.family() == kernels.DEFAULT_FAMILY:
            write_card(args.card, artifact)
        else:  # the card describes the default family's fit; the others get their section from write_card
            write_card(args.card, json.loads(main_artifact.read_text(encoding="utf-8")))
        for other in [main_artifact] + [registry.MODELS_DIR / f for f in registry.roles()["fix-score"].get("kernels", {}).values()]:
            if other.is_file():
                stamp(args.card, other)
    return 0


def registry_kernel_files() -> dict:
    """Family -> artifact file of the fix-score fits beside the default one."""
    from mtcheck.neural import registry

    return dict(registry.roles()["fix-score"].get("kernels", {}))


def rx_default_shared() -> Path:
    return HERE.parents[1] / "shared" / "data"


def write_card(path: Path, a: dict) -> None:
    lines = [
        "# Fix-score model card (`mtcheck/data/models/fix_score.json`)",
        "",
        "Produced by `" + a["created_by"] + "` (figures below are printed by it; re-run to reproduce).",
        "",
        "## What it scores",
        "A proposed replacement of a sentence (a back-translation rewrite or a rule fix): `fix_score` in [0, 1],",
        "accepted at or above the threshold. Components (`mtcheck/rewrite/fixscore.py`): fluency gain",
        "(`mtcheck.quality.score_texts` of candidate minus original), MiniLM cosine and sentence chrF against the",
        "sentence with its rule fixes applied, name and number/date preservation (two-way share), negation count",
        "kept, |log word-count ratio|. Two formulas: `neural` (all) and `lexical` (no fluency gain, no cosine:",
        "used with `--no-neural`). Each is a logistic regression on standardised components with balanced class",
        "weights, L2 (C = 1) and sign constraints (more meaning, names, numbers, negations kept and more fluency",
        "never lower the score; a larger length change never raises it): an unconstrained fit learns from the",
        "perturbations, which stay closer to the MT than real post-edits do, to punish a fix for changing little.",
        "",
        "## Data",
        f"- {a['data']['source']}.",
        f"- {a['data']['sentences_hter_gt_0']} sentences with 0 < HTER <= {a['data']['left_out_hter_above']['max_hter']} "
        f"(of {a['data']['sampled_hter_gt_0']} sampled with HTER > 0; {a['data']['left_out_hter_above']['sentences']} left out: a post-edit",
        "  changing more than half the words is a retranslation from the Russian, not a fix checkable from the English):",
        "  good fix = the post-edit (original = MT).",
        "- Bad fixes of the same originals: post-edit with a name changed, a negation dropped, a number altered,",
        "  a window of words shuffled, a clause deleted; an unrelated post-edit; the regression (post-edit -> MT).",
        f"- {a['data']['sentences_hter_0']} HTER = 0 sentences (good MT: every candidate is a bad fix), used for the threshold.",
        f"- Examples: {a['data']['examples']}.",
        "- Domain: Reddit and Wikiquote, not news; MLQE errors are mostly about meaning, so fluency gains are small.",
    ]
    rep = a["data"].get("repairs")
    if rep:
        lines += [
            "- Repair candidates (`scripts/repair_examples.py`): the offline repairs run on every sentence (each treated",
            "  as flagged, rule fixes applied first, candidates the run-time checks reject left out), scored as at run time.",
            "  Real MT with a human version: good (`repair_toward`) when, against the human version, neither the line's",
            f"  chrF nor its TER gets worse and chrF rises by >= {rx.GOOD_CHRF:g} point or TER falls; bad (`repair_away`) in the",
            f"  mirror case (neither better, chrF down by >= {rx.GOOD_CHRF:g} or TER up); other candidates are left out. Synthetic: clean newstest",
            "  lines damaged the way Russian MT damages them (one damage class each, the classes the transforms repair),",
            "  repaired: good (`repair_restores`) when the repair moves toward the clean line as above, bad (`repair_misses`)",
            "  otherwise. Repairs on text that needs none (newstest English, WMT21 reference A, MLQE-PE HTER = 0 MT):",
            "  bad (`repair_on_clean`). Only training parts: MLQE-PE pe.train; the first half of daseg-ru-en-2015;",
            "  WMT21's even-numbered 20-line stories of the first half of the lines (ten systems against reference A,",
            "  and reference A itself); newstest 2012-2014 and 2016-2018, first half of each file, without",
            "  eval_quality.py's every-12th-line sample. Held out for `eval_repairs.py --half heldout` and",
            "  `eval_fix_scoring.py`: pe.dev, the second halves, newstest 2019-2020.",
        ]
        for name, st in rep.items():
            if name == "damaged lines":
                lines.append(f"  - damaged newstest lines per damage class: {st}.")
            else:
                lines.append(f"  - {name}: {st['examples']} ({st['ambiguous_left_out']} ambiguous left out, "
                             f"{st['rejected_at_run_time']} rejected by the run-time checks).")
    lines += [
        "",
        "## Formulas",
    ]
    for name, f in a["formulas"].items():
        lines.append(f"- `{name}`: intercept {f['intercept']:+.3f}; " + ", ".join(
            f"{feat} {c:+.3f}" for feat, c in zip(f["features"], f["coef"])) + f" (standardised); threshold **{f['threshold']}**.")
    lines += ["", "## Figures (5-fold cross-validation on the training sample, grouped by sentence)", ""]
    for name, fig in a["figures"].items():
        lines.append(f"### {name}")
        lines.append("| bad kind | n | AUROC good vs this kind | accepted at threshold |")
        lines.append("|---|---|---|---|")
        for kind, v in fig["cv_auroc_by_kind"].items():
            rate = fig["cv_bad_fix_accept_rate"].get(kind, "")
            lines.append(f"| {kind} | {v['n']} | {v['auroc']:.3f} | {rate if rate == '' else f'{rate:.1%}'} |")
        lines.append(f"\nGood fixes accepted: {fig['cv_good_fix_accept_rate']:.1%}. "
                     f"HTER = 0 sentences with any (bad) candidate accepted: {fig['cv_zero_hter_sentences_any_accepted']:.1%}.\n")
        if fig.get("cv_repairs_by_kind"):
            lines.append(f"Repair candidates, accepted as at run time (score >= {REPAIRS_BAR:g}"
                         + (", fluency gain > 0" if name == "neural" else "") + "):\n")
            lines.append("| repair kind | n | accepted | AUROC good repairs vs this kind |")
            lines.append("|---|---|---|---|")
            for kind, v in fig["cv_repairs_by_kind"].items():
                au = v.get("auroc_good_repairs_vs_this")
                lines.append(f"| {kind} | {v['n']} | {v['accepted']:.1%} | {'' if au is None else f'{au:.3f}'} |")
            lines.append("")
    for family, file in registry_kernel_files().items():
        other_path = HERE.parent / "mtcheck" / "data" / "models" / file
        if not other_path.is_file():
            continue
        o = json.loads(other_path.read_text(encoding="utf-8"))
        lines += [f"## The {family} kernel family (`mtcheck/data/models/{file}`)",
                  f"The same script, data and rule on the {family} numbers (`MTCHECK_KERNELS={family}`; see "
                  "`mtcheck/kernels.py`, models/QUALITY_CARD.md), fitted with that family's quality model:", ""]
        for name, f in o["formulas"].items():
            fig = o["figures"][name]
            lines.append(f"- `{name}`: threshold **{f['threshold']}**; AUROC good vs all bad "
                         f"{fig['cv_auroc_by_kind']['all_bad']['auroc']:.3f}; good fixes accepted {fig['cv_good_fix_accept_rate']:.1%}; "
                         f"HTER = 0 sentences with any candidate accepted {fig['cv_zero_hter_sentences_any_accepted']:.1%}.")
        lines.append("")
    lines += [
        "## Limits",
        "- The threshold is set for precision: most good post-edits are *not* accepted; the aim is that editors",
        "  are never handed a damaging rewrite, and that good MT is left alone.",
        "- Perturbations are synthetic; a number or date change is also rejected outright at run time.",
        "- No back-translation candidates were in the training data (no translation models were reachable when",
        "  it was fitted): their score distribution is assumed to resemble post-edits and perturbations.",
        "- Held-out figures on `pe.dev.*` (and held-out repair candidates): `python scripts/eval_fix_scoring.py`;",
        "  repairs in the pipeline: `python scripts/eval_repairs.py --half heldout [--no-neural]`.",
        "- Repairs are accepted at `rewrite.REPAIRS_BAR` (and, with the neural formula, a positive fluency gain),",
        "  not at the calibrated threshold: their figures above are at that bar. The real-MT repair examples are",
        "  few (the transforms fire on few MT lines); most repair examples are synthetic damage of clean news.",
    ]
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
