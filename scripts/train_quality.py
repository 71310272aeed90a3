"""Train the calibrated sentence-quality model: ``mtcheck/data/models/quality.json`` (and, run with
``MTCHECK_KERNELS=avx512_vnni`` on a processor that has them, ``quality-avx512_vnni.json``).

A ridge regression from the sentence features of ``mtcheck.quality.features`` (language-model
log-probabilities normalised for length, rarity, names and numbers, position-adjusted against
clean news English, plus structural signals) to the human direct-assessment z-scores of WMT15
Russian-English news MT (``daseg-ru-en-2015``: 500 system outputs, each the mean of 15+ crowd
ratings). The quality in [0, 1] is the normal CDF of the standardised prediction (its
percentile among the training outputs). Features come from the scorer's default numeric
path (CTranslate2 int8, ``mtcheck.neural.fluency.quantize_mode``) on the kernel family in force
(``mtcheck.kernels``; int8 numbers differ by family): the model is fitted on the numbers it will
be applied to, and written to that family's artifact.

Unlabelled clean English (the *calibration* set) sets two things: the per-position baseline of
the ``pos_*`` features, and the flag threshold. It is professional human translation of
Russian news: daseg's references (newstest2015) and the even-numbered 20-line stories of
WMT21 ``ref.A`` and ``ref.B``. The odd-numbered WMT21 stories are never used here: they are
the held-out half ``scripts/eval_quality.py`` reports on (split by story, not by sentence).

Reports, and stores in the artifact's metadata: 10-fold cross-validated Pearson r on daseg
(mean and spread over repeated shuffles), the calibration flag rate, and the daseg MT flag
rate out of fold.

    [MTCHECK_KERNELS=avx2|avx512_vnni] python scripts/train_quality.py [--shared ../shared/data] [--out FILE]

Flag thresholds (see models/QUALITY_CARD.md): the body threshold is a false-alarm budget, the
largest value that flags at most CLEAN_BUDGET of the calibration sentences the rule judges
(4+ words); headlines and quotations get 0.75 of it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quality_data as qd  # noqa: E402

# Feature choices: see models/QUALITY_CARD.md for the variants measured (cross-validated
# Pearson r on daseg, and flag rates on the held-out clean English at the budget threshold).
# - no length feature: raters mark long MT outputs down (more words, more errors), but a
#   checker must not flag a sentence for being long;
# - position-adjusted SLOR and log p (pos_*) rather than plain means: a short sentence gives
#   the model little context, and plain means punished short fluent sentences;
# - content_tokens_per_word rather than tokens_per_word: names fragment into many tokens by
#   nature ("Krychowiak"), transliterated common words do not have to.
FEATURES = (
    # language model, position-adjusted against clean news English (mtcheck.quality.POSITION_FEATURES)
    "pos_slor", "pos_lp", "pos_slor_worst3", "pos_lp_worst3", "pos_win_slor", "pos_win_lp",
    "pos_slor_min", "pos_slor_p10",
    # rarity-normalised means (SLOR) and fragmentation (mtcheck.neural.fluency.FEATURES)
    "slor", "slor_content", "content_tokens_per_word", "masked_share",
    # function words (mtcheck.neural.fluency.function_word_features)
    "fw_lp_mean", "fw_lp_worst2",
    # structural (mtcheck.quality.STRUCTURAL)
    "cyrillic", "unknown_share", "caps_share", "case_calques", "punct_anomalies", "lower_start",
    # dependency order against news English (mtcheck.quality.DEP_ORDER_FEATURES; the spaCy parse)
    "dep_order_mean", "dep_order_max", "dep_order_win3", "dep_order_top3", "dep_order_share6",
)
ALPHAS = np.logspace(-2, 3, 30)
CLEAN_BUDGET = 0.009  # share of judged calibration sentences the body threshold may flag (target: <= 1% held out)
MIN_WORDS = 4  # the rule judges sentences of at least this many words (mtcheck.rules.syntax_quality.MIN_WORDS)
HEADING_RATIO = 0.75  # headlines are telegraphic: flagged only further below the body threshold
QUOTE_RATIO = 0.75  # quotations are speech: somewhat more lenient


def fit(X: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), RidgeCV(alphas=ALPHAS)).fit(X, y)


def cross_validate(X: np.ndarray, y: np.ndarray, folds: int, repeats: int) -> tuple[list[float], np.ndarray]:
    """Pearson r of out-of-fold predictions, per repeat; and the first repeat's predictions."""
    from sklearn.model_selection import KFold

    rs, first = [], None
    for seed in range(repeats):
        pred = np.zeros_like(y)
        for train, test in KFold(folds, shuffle=True, random_state=seed).split(X):
            pred[test] = fit(X[train], y[train]).predict(X[test])
        rs.append(float(np.corrcoef(pred, y)[0, 1]))
        if first is None:
            first = pred
    return rs, first


def to_quality(pred: np.ndarray, mean: float, std: float) -> np.ndarray:
    from scipy.special import ndtr

    return ndtr((pred - mean) / std)


def body_threshold(clean_quality: np.ndarray, budget: float) -> float:
    """The largest quality threshold (0.005 grid) that flags at most ``budget`` of professional
    human translations: a false-alarm budget on clean news English."""
    best = 0.01
    for q in np.arange(0.005, 0.6, 0.005):
        if np.mean(clean_quality < q) <= budget:
            best = float(round(q, 3))
    return best


def judged(texts: list[str]) -> np.ndarray:
    """Which texts the X2xx rules judge at all (enough words)."""
    from mtcheck.rules.syntax_quality import _WORDS

    return np.array([len(_WORDS.findall(t)) >= MIN_WORDS for t in texts])


def calibration_texts(shared: Path) -> tuple[list[str], list[str]]:
    """Clean professional translations of Russian news, segmented into sentences: daseg's
    references and the even-numbered WMT21 stories of both references (never the odd ones)."""
    names, texts = [], []
    ref = shared / "daseg-ru-en-2015" / "newstest2015.reference"
    if ref.is_file():
        names.append(ref.name)
        texts += qd.sentences(qd.read_lines(ref))
    wmt = shared / "wmt21-ru-en"
    if wmt.is_dir():
        outputs = qd.load_wmt21(wmt)["outputs"]
        for name in ("ref.A", "ref.B"):
            if name in outputs:
                names.append(f"WMT21 {name} even stories")
                texts += qd.sentences([line for story in qd.wmt21_half(outputs[name], held_out=False) for line in story])
    return names, texts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=qd.DEFAULT_SHARED, help="the shared data folder")
    ap.add_argument("--seeds", type=Path, default=qd.ROOT / "seeds")
    ap.add_argument("--out", type=Path, default=None,
                    help="default: the artifact of the kernel family in force (mtcheck.kernels; "
                         "ONEDNN_MAX_CPU_ISA=AVX2 fits the avx2 one on any x86 machine)")
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--features-cache", type=Path, default=None,
                    help="folder to keep language-model scores in (default: <model cache>/quality-features)")
    ap.add_argument("--dep-order", type=Path, default=qd.ROOT / "mtcheck" / "data" / "models" / "dep_order.json",
                    help="the dependency-order model (scripts/build_dep_order.py); kept beside --out")
    args = ap.parse_args()

    from mtcheck import kernels, quality
    from mtcheck.fsutil import atomic_write
    from mtcheck.neural import cache, fluency, registry

    if kernels.unfit_reason():
        sys.exit(kernels.unfit_reason())
    args.out = args.out or registry.artifact_path("quality")

    feat_cache = args.features_cache or (cache.base_dir() / "quality-features")
    daseg_dir, mlqe_file = args.shared / "daseg-ru-en-2015", args.shared / "mlqe-pe-ru-en" / "da.dev.tsv"
    if not daseg_dir.is_dir():
        sys.exit(f"missing {daseg_dir}: pass --shared")
    started = time.time()
    clean_names, clean = calibration_texts(args.shared)
    clean_scores = qd.cached_token_scores(clean, feat_cache)
    baseline = quality.position_baseline(clean_scores)

    dep_order_bytes = args.dep_order.read_bytes()
    dep_order = quality.dep_order_model_from_dict(json.loads(dep_order_bytes))

    def rows_of(texts, scores=None):
        return quality.features(texts, scores or qd.cached_token_scores(texts, feat_cache), baseline=baseline,
                                dep_order=dep_order if any(f in quality.DEP_ORDER_FEATURES for f in FEATURES) else False)

    def matrix(rows):
        return np.array([[r[f] for f in FEATURES] for r in rows])

    daseg = qd.load_daseg(daseg_dir)
    X = matrix(rows_of(daseg["texts"]))
    y = np.array(daseg["human"])

    rs, oof = cross_validate(X, y, args.folds, args.repeats)
    model = fit(X, y)
    scaler, ridge = model[0], model[1]
    train_pred = model.predict(X)
    pred_mean, pred_std = float(train_pred.mean()), float(train_pred.std())
    q_oof = to_quality(oof, pred_mean, pred_std)
    q_clean = to_quality(model.predict(matrix(rows_of(clean, clean_scores))), pred_mean, pred_std)
    is_judged = judged(clean)
    threshold = body_threshold(q_clean[is_judged], CLEAN_BUDGET)
    flagged = q_oof < threshold

    mlqe_r = None
    if mlqe_file.is_file():
        mlqe = qd.load_mlqe(mlqe_file)
        mlqe_r = float(np.corrcoef(model.predict(matrix(rows_of(mlqe["texts"]))), mlqe["human"])[0, 1])

    artifact = {
        "description": "Calibrated sentence quality: ridge regression from fluency-LM and structural features "
                       "to human DA z-scores; quality = Phi((prediction - pred_mean) / pred_std)",
        "version": 2,
        "features": list(FEATURES),
        "linear": {
            "mean": [round(float(v), 6) for v in scaler.mean_],
            "scale": [round(float(v), 6) for v in scaler.scale_],
            "coef": [round(float(v), 6) for v in ridge.coef_],
            "intercept": round(float(ridge.intercept_), 6),
            "alpha": round(float(ridge.alpha_), 4),
        },
        "output": {"pred_mean": round(pred_mean, 6), "pred_std": round(pred_std, 6)},
        "position_baseline": baseline,
        "dep_order": {"file": args.dep_order.name, "sha256": hashlib.sha256(dep_order_bytes).hexdigest()},
        "thresholds": {
            "body": threshold,
            "heading": round(threshold * HEADING_RATIO, 4),
            "quote": round(threshold * QUOTE_RATIO, 4),
            "rule": f"body: largest q (0.005 grid) flagging at most {CLEAN_BUDGET:.1%} of the calibration sentences "
                    f"of {MIN_WORDS}+ words ({', '.join(clean_names)}); heading and quote: {HEADING_RATIO} x body",
        },
        "training": {
            "data": "daseg-ru-en-2015 (WMT15 ru-en newstest2015, 500 MT outputs, human DA z-scores)",
            "calibration": clean_names,
            "sentences": len(y),
            "fluency_model": fluency.current_key(),
            "backend": fluency.backend(),
            "quantize": fluency.quantize_mode(),
            "kernels": kernels.family(),
            "scoring_version": fluency.SCORING_VERSION,
        },
        "figures": {
            "daseg_cv_pearson": round(float(np.mean(rs)), 3),
            "daseg_cv_pearson_sd": round(float(np.std(rs)), 3),
            "daseg_cv": f"{args.folds}-fold x {args.repeats} shuffles",
            "mlqe_dev_pearson": None if mlqe_r is None else round(mlqe_r, 3),
            "calibration_flag_rate": round(float(np.mean(q_clean[is_judged] < threshold)), 4),
            "calibration_sentences": int(is_judged.sum()),
            "daseg_flag_rate_cv": round(float(flagged.mean()), 4),
            "daseg_flagged_mean_z": round(float(y[flagged].mean()), 3) if flagged.any() else None,
            "daseg_unflagged_mean_z": round(float(y[~flagged].mean()), 3),
        },
    }
    atomic_write(args.out, json.dumps(artifact, indent=1) + "\n")
    from stamp_card import stamp  # the card names the artifact it describes (tests/test_packaging.py)

    stamp(qd.ROOT / "models" / "QUALITY_CARD.md", args.out)

    print(f"features: {len(FEATURES)}; ridge alpha {ridge.alpha_:.3g}; language model {fluency.backend()} {fluency.quantize_mode()} "
          f"on the {kernels.family()} kernels")
    print(f"daseg {args.folds}-fold CV Pearson r: {np.mean(rs):.3f} (sd {np.std(rs):.3f} over {args.repeats} shuffles)")
    if mlqe_r is not None:
        print(f"mlqe-pe da.dev Pearson r (trained on daseg): {mlqe_r:.3f}")
    print(f"thresholds: body {threshold}, heading {artifact['thresholds']['heading']}, quote {artifact['thresholds']['quote']}")
    print(f"  flags {np.mean(q_clean[is_judged] < threshold):.2%} of {is_judged.sum()} calibration sentences; "
          f"{flagged.mean():.1%} of daseg MT (out of fold; human z {y[flagged].mean():+.2f} flagged vs {y[~flagged].mean():+.2f} not)")
    print("standardised coefficients:")
    for name, c in sorted(zip(FEATURES, ridge.coef_), key=lambda t: -abs(t[1])):
        print(f"  {name:18s} {c:+.3f}")
    print(f"written {args.out} in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
