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
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

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


@dataclass(frozen=True)
class _Facts:
    """What the lexical components read of one text (computed once per distinct text)."""

    numbers: Counter  # numbers and month keys
    negations: int
    words: int  # whitespace-separated words, at least 1
    names: Counter  # protect.name_tokens
    word_counts: Counter  # protect.word_tokens, counted


def _facts(text: str) -> _Facts:
    return _Facts(
        numbers=protect.numbers(text) + _month_keys(text),
        negations=protect.negations(text),
        words=max(1, len(text.split())),
        names=protect.name_tokens(text),
        word_counts=Counter(protect.word_tokens(text)),
    )


def lexical_components(pairs: Sequence[Pair]) -> list[dict]:
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    facts: dict[str, _Facts] = {}  # each distinct text analysed once
    same_chrf: dict[int, float] = {}
    out = []
    for p in pairs:
        ref = p.reference
        if p.candidate == ref:
            out.append(_unchanged_components(p.candidate, chrf, same_chrf))
            continue
        fr = facts.get(ref)
        if fr is None:
            fr = facts[ref] = _facts(ref)
        fc = facts.get(p.candidate)
        if fc is None:
            fc = facts[p.candidate] = _facts(p.candidate)
        out.append(_components(fr, fc, chrf.sentence_score(p.candidate, [ref]).score))
    return out


def _components(ref: _Facts, candidate: _Facts, chrf_score: float) -> dict:
    return {
        "chrf": chrf_score / 100.0,
        "entity_kept": _shared_names(ref, candidate),
        "number_kept": _two_way_share(ref.numbers, candidate.numbers),
        "negation_kept": 1.0 if ref.negations == candidate.negations else 0.0,
        "length_dev": abs(math.log(candidate.words / ref.words)),
    }


def _unchanged_components(text: str, chrf, same_chrf: dict[int, float]) -> dict:
    """The components of a candidate identical to its expected text (a rule fix is its own
    expected text: in ``fix --no-neural`` every pair is one), without analysing it: what the
    general formulas give when both sides are the same text.

    - ``entity_kept``: every name token is also a word token of the same text (the same match,
      the same trimming, at least 2 letters), so each side finds all its names in the other:
      (n + n) / 2n = 1.0 (1.0 too when there are none);
    - ``number_kept``: a multiset against itself, n / n = 1.0; ``negation_kept``: equal counts,
      1.0; ``length_dev``: |log(w / w)| = 0.0;
    - ``chrf``: chrF's character n-gram statistics of a text against itself are (k, k, k) for
      each order n, k = max(0, letters - n + 1) with ``letters`` its non-space characters: the
      score depends on that count alone, so sacrebleu computes it once per count.

    ``tests/test_fixscore.py`` checks this against the general path."""
    letters = sum(map(len, text.split()))
    score = same_chrf.get(letters)
    if score is None:
        score = same_chrf[letters] = chrf.sentence_score(text, [text]).score
    return {"chrf": score / 100.0, "entity_kept": 1.0, "number_kept": 1.0, "negation_kept": 1.0, "length_dev": 0.0}


def _general_components(p: Pair) -> dict:
    """The components computed the general way, for any pair (``tests/test_fixscore.py``
    holds ``_unchanged_components`` to it)."""
    from sacrebleu.metrics import CHRF

    return _components(_facts(p.reference), _facts(p.candidate), CHRF().sentence_score(p.candidate, [p.reference]).score)


def _month_keys(text: str):
    return Counter({f"month:{k}": v for k, v in protect.months(text).items()})


def _two_way_share(want, got) -> float:
    """Overlap over the larger of the two multisets: dropping and adding both cost."""
    total = max(sum(want.values()), sum(got.values()))
    if total == 0:
        return 1.0
    return sum((want & got).values()) / total


def _shared_names(ref: _Facts, candidate: _Facts) -> float:
    """Names of ``ref`` found in the candidate and names of the candidate found in ``ref``,
    over all of them (1.0 when neither has any). A name is looked up among all the words of
    the other text, so that one moved to or from the start of the sentence still counts."""
    want, got = ref.names, candidate.names
    total = sum(want.values()) + sum(got.values())
    if total == 0:
        return 1.0
    words_ref, words_cand = ref.word_counts, candidate.word_counts
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


def unchanged_lexical_scores(texts: Sequence[str], model: FixScoreModel | None = None) -> list[tuple[float, dict]]:
    """``score_pairs([Pair(original, text, text) ...], neural=False)``: a rule candidate scored
    against itself (every target of ``fix --no-neural`` has one), whatever the original. Its
    components depend on the count of its letters alone (``_unchanged_components``), so each
    count is scored once; texts with the same count share one (score, components) tuple, whose
    dict the caller must copy before changing it. ``tests/test_fixscore.py`` holds it to
    ``score_pairs``."""
    score = unchanged_lexical_scorer(model)
    return [score(text.split()) for text in texts]


def unchanged_lexical_scorer(model: FixScoreModel | None = None) -> Callable[[list[str]], tuple[float, dict]]:
    """``unchanged_lexical_scores`` one text at a time, the text given as its words
    (``text.split()``, which a caller comparing texts by their normalised form has in hand):
    the same (score, components) tuple for every text with as many letters."""
    from sacrebleu.metrics import CHRF

    model = model or load_model()
    formula = model.formula(False)
    chrf = CHRF()
    same_chrf: dict[int, float] = {}
    by_letters: dict[int, tuple[float, dict]] = {}

    def score(words: list[str]) -> tuple[float, dict]:
        letters = sum(map(len, words))
        scored = by_letters.get(letters)
        if scored is None:
            comps = _unchanged_components(" ".join(words), chrf, same_chrf)  # the normalised text
            scored = by_letters[letters] = (formula.score(comps), comps)
        return scored

    return score


def score_pairs(pairs: Sequence[Pair], neural: bool = True, model: FixScoreModel | None = None) -> list[tuple[float, dict]]:
    """(fix_score, components) for each pair, with the neural or the lexical formula."""
    model = model or load_model()
    formula = model.formula(neural)
    comps = neural_components(pairs) if neural else lexical_components(pairs)
    return [(formula.score(c), c) for c in comps]
