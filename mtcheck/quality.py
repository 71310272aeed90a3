"""Calibrated sentence quality: one number in [0, 1] per sentence, higher = better English.

``quality`` combines the fluency model's features (``mtcheck.neural.fluency``: per-token
log-probabilities normalised for length, word rarity, names and numbers), the
log-probabilities of function words (which vocabulary rarity does not move), and cheap
structural signals (untranslated Cyrillic, words no English dictionary knows, shouting,
calqued capitals, broken punctuation) through a small linear model trained on human
judgments of news machine translation (``scripts/train_quality.py``; coefficients, figures
and the flag threshold in ``mtcheck/data/models/quality.json``, described in ``models/QUALITY_CARD.md``).

The linear model predicts the human z-score; ``quality`` is that prediction's percentile
among the training sentences (normal CDF of the standardised prediction): 0.5 is a typical
WMT15 system output, 0.1 is worse than nine in ten of them.

torch is imported inside the fluency model's functions only: importing this module is cheap.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from mtcheck.config import Section

if TYPE_CHECKING:  # pragma: no cover
    from mtcheck.config import Config
    from mtcheck.document import Document
    from mtcheck.neural.fluency import TokenScores

# [quality] in the config: the flag threshold of X201 (and the scaled headline/quote ones).
CONFIG = Section("quality", {"threshold": (int, float), "model": str})

STRUCTURAL = ("cyrillic", "unknown_share", "caps_share", "case_calques", "punct_anomalies", "lower_start")

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_PUNCT_ANOMALIES = (
    re.compile(r"\s[,;:!?](?!\d)"),  # space before punctuation: "said , that"
    re.compile(r"[,;:]\s*[,;:.]"),  # doubled punctuation: ",," ",."
    re.compile(r"\(\s*\)|\[\s*\]"),  # empty brackets
    re.compile(r"(?<=[a-z])\.(?=[A-Z][a-z])"),  # missing space after a full stop: "said.The"
)


class QualityModelError(RuntimeError):
    """mtcheck/data/models/quality.json is missing or malformed; the message names the file and problem."""


# -- structural features ----------------------------------------------------------------------
def structural_features(text: str) -> dict[str, float]:
    """Cheap signals the language model under-weights; no model involved."""
    from mtcheck.english_words import word_lists
    from mtcheck.lexicon import lexicon

    lex = lexicon()
    function_words = word_lists()["function_words"]
    words = _WORD.findall(text)
    lower = [w for w in words if w.islower() and len(w) >= 3 and "-" not in w and "'" not in w and "’" not in w]
    unknown = sum(1 for w in lower if not lex.known(w))
    caps = sum(1 for w in words if len(w) >= 2 and w.isupper())
    calques = 0
    for prev, word in zip(words, words[1:]):
        # "defense Ministry", "security Council": a lower-case content word before a
        # capitalised common noun (a name's capital follows a capital: "Defense Ministry").
        if (prev.islower() and len(prev) >= 4 and prev not in function_words and word[:1].isupper()
                and word[1:].islower() and lex.count(word.lower()) >= 5):
            calques += 1
    stripped = text.lstrip("\"'“‘«([—–- ")
    quotes = text.count('"')
    return {
        "cyrillic": 1.0 if _CYRILLIC.search(text) else 0.0,
        "unknown_share": unknown / len(lower) if lower else 0.0,
        "caps_share": caps / len(words) if words else 0.0,
        "case_calques": float(calques),
        "punct_anomalies": float(sum(len(p.findall(text)) for p in _PUNCT_ANOMALIES) + quotes % 2),
        "lower_start": 1.0 if stripped[:1].islower() else 0.0,
    }


def features(texts: Sequence[str], token_scores: "Sequence[TokenScores] | None" = None) -> list[dict[str, float]]:
    """Every candidate feature of each text (language-model and structural),
    batched. ``token_scores`` (from ``FluencyModel.token_scores``) skips the language model;
    blank texts get zero language-model features."""
    from mtcheck.neural import fluency

    lm = fluency.features(texts) if token_scores is None else [fluency.sentence_features(s) for s in token_scores]
    out = []
    for text, row in zip(texts, lm):
        row = dict(row)
        row["log_tokens"] = math.log(max(1.0, row["n_tokens"]))
        row.update(structural_features(text))
        out.append(row)
    return out


# -- the trained model ------------------------------------------------------------------------
@dataclass(frozen=True)
class QualityModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    pred_mean: float  # mean and spread of the predictions on the training data:
    pred_std: float  # quality = Phi((prediction - pred_mean) / pred_std)
    threshold: float
    heading_threshold: float
    quote_threshold: float
    meta: dict

    def predict_z(self, row: dict[str, float]) -> float:
        z = self.intercept
        for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef):
            z += c * (row[name] - m) / s
        return z

    def quality(self, row: dict[str, float]) -> float:
        t = (self.predict_z(row) - self.pred_mean) / self.pred_std
        return 0.5 * (1.0 + math.erf(t / math.sqrt(2.0)))


@lru_cache(maxsize=1)
def model() -> QualityModel:
    from mtcheck.neural import registry

    path = registry.artifact_path("quality")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise QualityModelError(f"{path}: cannot read the quality model ({e.strerror or e}); run scripts/train_quality.py") from None
    except ValueError as e:
        raise QualityModelError(f"{path}: not valid JSON ({e})") from None
    return model_from_dict(data, str(path))


def model_from_dict(data: dict, where: str = "quality model") -> QualityModel:
    try:
        names = tuple(data["features"])
        linear = data["linear"]
        out = data["output"]
        th = data["thresholds"]
        m = QualityModel(
            features=names,
            mean=tuple(float(v) for v in linear["mean"]),
            scale=tuple(float(v) for v in linear["scale"]),
            coef=tuple(float(v) for v in linear["coef"]),
            intercept=float(linear["intercept"]),
            pred_mean=float(out["pred_mean"]),
            pred_std=float(out["pred_std"]),
            threshold=float(th["body"]),
            heading_threshold=float(th["heading"]),
            quote_threshold=float(th["quote"]),
            meta={k: v for k, v in data.items() if k not in ("linear", "output")},
        )
    except (KeyError, TypeError, ValueError) as e:
        raise QualityModelError(f"{where}: malformed quality model ({type(e).__name__}: {e})") from None
    if not (len(m.features) == len(m.mean) == len(m.scale) == len(m.coef)) or m.pred_std <= 0 or 0.0 in m.scale:
        raise QualityModelError(f"{where}: malformed quality model (feature, mean, scale and coef lengths differ or a scale is 0)")
    return m


# -- public API -------------------------------------------------------------------------------
def score_rows(rows: Sequence[dict[str, float]]) -> list[float]:
    qm = model()
    return [round(qm.quality(r), 4) for r in rows]


def score_texts(texts: Sequence[str]) -> list[float]:
    """Quality of bare sentences (no document context), batched. A blank text scores 0.0."""
    texts = list(texts)
    rows = features(texts)
    scores = score_rows(rows)
    return [s if t.strip() else 0.0 for t, s in zip(texts, scores)]


def annotate_quality(docs: Sequence["Document"]) -> None:
    """Set ``scores["quality"]`` (and the LM features ``lm_logprob``, ``slor``) on every
    sentence of every document; one batched pass over all their sentences."""
    sentences = [s for doc in docs for s in doc.sentences]
    if not sentences:
        return
    rows = features([s.text for s in sentences])
    for s, row, q in zip(sentences, rows, score_rows(rows)):
        s.scores["quality"] = q
        s.scores["lm_logprob"] = round(row["lp_mean"], 4)
        s.scores["slor"] = round(row["slor_content"], 4)


def flag_threshold(config: "Config | None" = None) -> float:
    """Body sentences below this quality get a syntax finding: the calibrated value from
    mtcheck/data/models/quality.json unless ``[tool.mtcheck.quality] threshold`` overrides it."""
    if config is not None and "threshold" in config.section("quality"):
        return float(config.section("quality")["threshold"])
    return model().threshold


def thresholds(config: "Config | None" = None) -> dict[str, float]:
    """Flag thresholds per sentence kind. Headlines (telegraphic by design) and quotations
    (speech, often colloquial) get lower ones; an override of the body threshold scales them."""
    qm = model()
    body = flag_threshold(config)
    ratio = body / qm.threshold if qm.threshold > 0 else 1.0
    return {"body": body, "heading": qm.heading_threshold * ratio, "quote": qm.quote_threshold * ratio}
