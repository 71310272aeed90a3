"""How good a proposed fix is: ``fix_score`` in [0, 1] from measured components.

Components of replacing ``original`` by ``candidate``. ``expected`` is the original with its
rule fixes applied (resolved names in standard form): meaning, names, numbers and negations
are measured against it, so that "LIH" -> "ISIL" is not counted as a change of meaning (the
entity rules vouch for it); without rule fixes it is the original itself.

- ``fluency_gain``: sentence quality of the candidate minus that of the original
  (``mtcheck.quality.score_texts``, the SmolLM2-based scorer);
- ``cosine``: cosine similarity of the all-MiniLM-L6-v2 embeddings of expected and candidate;
- ``chrf``: sentence chrF (sacrebleu) of the candidate against expected, / 100;
- ``entity_kept``, ``number_kept``: share of the names (capitalised words, acronyms) and
  numbers (and months) of ``expected`` found in the candidate, and of the candidate's found in
  ``expected`` (an added name or number costs like a dropped one);
- ``negation_kept``: 1 when the candidate has as many negations as ``expected``;
- ``length_dev``: |log| of the word-count ratio (length sanity).

A logistic regression fitted by ``scripts/train_fix_score.py`` on MLQE-PE post-edits (good
fixes) and perturbed post-edits and unrelated sentences (bad fixes) turns them into the score;
``mtcheck/data/models/fix_score.json`` holds its coefficients, feature scaling and acceptance threshold.
Two formulas are fitted: ``neural`` (all components) and ``lexical`` (no fluency, no
embeddings: what ``--no-neural`` can compute without torch).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from mtcheck.rewrite import protect

NEURAL_FEATURES = ("fluency_gain", "cosine", "chrf", "entity_kept", "number_kept", "negation_kept", "length_dev")
LEXICAL_FEATURES = ("chrf", "entity_kept", "number_kept", "negation_kept", "length_dev")
_TOP_KEYS = {"version", "formulas", "data", "figures", "created_by", "notes"}
_FORMULA_KEYS = {"features", "mean", "scale", "coef", "intercept", "threshold", "threshold_rule"}


class FixScoreModelError(ValueError):  # a ValueError: check_settings reports it as a config error
    """A malformed fix-score artifact; the message names the file and the problem."""


@dataclass(frozen=True)
class Pair:
    original: str
    candidate: str
    expected: str | None = None  # defaults to the original

    @property
    def reference(self) -> str:
        return self.expected if self.expected is not None else self.original


def lexical_components(pairs: Sequence[Pair]) -> list[dict]:
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    out = []
    for p in pairs:
        ref = p.reference
        want_nums = protect.numbers(ref) + _month_keys(ref)
        got_nums = protect.numbers(p.candidate) + _month_keys(p.candidate)
        n_ref = max(1, len(p.reference.split()))
        n_cand = max(1, len(p.candidate.split()))
        out.append({
            "chrf": chrf.sentence_score(p.candidate, [ref]).score / 100.0,
            "entity_kept": _name_share(ref, p.candidate),
            "number_kept": _two_way_share(want_nums, got_nums),
            "negation_kept": 1.0 if protect.negations(ref) == protect.negations(p.candidate) else 0.0,
            "length_dev": abs(math.log(n_cand / n_ref)),
        })
    return out


def _month_keys(text: str):
    from collections import Counter

    return Counter({f"month:{k}": v for k, v in protect.months(text).items()})


def _two_way_share(want, got) -> float:
    """Overlap over the larger of the two multisets: dropping and adding both cost."""
    total = max(sum(want.values()), sum(got.values()))
    if total == 0:
        return 1.0
    return sum((want & got).values()) / total


def _name_share(ref: str, candidate: str) -> float:
    """Names of ``ref`` found in the candidate and names of the candidate found in ``ref``,
    over all of them (1.0 when neither has any). A name is looked up among all the words of
    the other text, so that one moved to or from the start of the sentence still counts."""
    from collections import Counter

    want, got = protect.name_tokens(ref), protect.name_tokens(candidate)
    total = sum(want.values()) + sum(got.values())
    if total == 0:
        return 1.0
    words_ref = Counter(protect.word_tokens(ref))
    words_cand = Counter(protect.word_tokens(candidate))
    kept = sum(min(n, words_cand[w]) for w, n in want.items())
    known = sum(min(n, words_ref[w]) for w, n in got.items())
    return (kept + known) / total


def neural_components(pairs: Sequence[Pair]) -> list[dict]:
    """Lexical components plus fluency gain and embedding cosine (loads the models)."""
    from mtcheck.neural.embeddings import cosine_pairs
    from mtcheck.quality import score_texts

    comps = lexical_components(pairs)
    texts = list(dict.fromkeys([p.original for p in pairs] + [p.candidate for p in pairs]))
    quality = dict(zip(texts, score_texts(texts))) if texts else {}
    cosines = cosine_pairs([p.reference for p in pairs], [p.candidate for p in pairs])
    for c, p, cos in zip(comps, pairs, cosines):
        c["quality_original"] = float(quality[p.original])
        c["quality_candidate"] = float(quality[p.candidate])
        c["fluency_gain"] = c["quality_candidate"] - c["quality_original"]
        c["cosine"] = float(cos)
    return comps


@dataclass(frozen=True)
class Formula:
    name: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def score(self, components: dict) -> float:
        z = self.intercept
        for f, m, s, w in zip(self.features, self.mean, self.scale, self.coef):
            z += w * (float(components[f]) - m) / (s or 1.0)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)


@dataclass(frozen=True)
class FixScoreModel:
    path: str
    formulas: dict
    quality_models: dict | None = None  # the sentence-quality models the formula was fitted with

    def stale_quality(self) -> bool:
        """True when the sentence-quality models differ from those the formula was fitted
        with: fluency gains are then on another scale, and the formula should be refitted."""
        if not self.quality_models:
            return False
        from mtcheck.neural import registry

        return registry.signature(("fluency",)) != self.quality_models

    def formula(self, neural: bool) -> Formula:
        return self.formulas["neural" if neural else "lexical"]


def default_path() -> Path:
    from mtcheck.neural import registry

    return registry.artifact_path("fix-score")


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> FixScoreModel:
    """Read and validate a fix-score artifact (default: ``mtcheck/data/models/fix_score.json``)."""
    p = Path(path) if path else default_path()
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise FixScoreModelError(f"{p}: cannot read the fix-score model: {e.strerror or e}") from None
    except ValueError as e:
        raise FixScoreModelError(f"{p}: malformed JSON: {e}") from None
    if not isinstance(raw, dict):
        raise FixScoreModelError(f"{p}: the fix-score model must be a JSON object")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise FixScoreModelError(f"{p}: unknown key {sorted(unknown)[0]!r}")
    formulas = {}
    for name, want in (("neural", NEURAL_FEATURES), ("lexical", LEXICAL_FEATURES)):
        f = raw.get("formulas", {}).get(name)
        if not isinstance(f, dict):
            raise FixScoreModelError(f"{p}: formulas.{name} is missing")
        bad = set(f) - _FORMULA_KEYS
        if bad:
            raise FixScoreModelError(f"{p}: formulas.{name}: unknown key {sorted(bad)[0]!r}")
        try:
            features = tuple(f["features"])
            formula = Formula(
                name, features, tuple(map(float, f["mean"])), tuple(map(float, f["scale"])),
                tuple(map(float, f["coef"])), float(f["intercept"]), float(f["threshold"]),
            )
        except (KeyError, TypeError, ValueError) as e:
            raise FixScoreModelError(f"{p}: formulas.{name}: missing or malformed {e}") from None
        if set(features) != set(want) or not (len(features) == len(formula.mean) == len(formula.scale) == len(formula.coef)):
            raise FixScoreModelError(f"{p}: formulas.{name}: expected features {', '.join(want)}")
        if not 0.0 <= formula.threshold <= 1.0:
            raise FixScoreModelError(f"{p}: formulas.{name}: threshold must lie in [0, 1]")
        formulas[name] = formula
    data = raw.get("data", {})
    return FixScoreModel(str(p), formulas, data.get("quality_models") if isinstance(data, dict) else None)


def score_pairs(pairs: Sequence[Pair], neural: bool = True, model: FixScoreModel | None = None) -> list[tuple[float, dict]]:
    """(fix_score, components) for each pair, with the neural or the lexical formula."""
    model = model or load_model()
    formula = model.formula(neural)
    comps = neural_components(pairs) if neural else lexical_components(pairs)
    return [(formula.score(c), c) for c in comps]
