"""Calibrated sentence quality: one number in [0, 1] per sentence, higher = better English.

``quality`` combines the fluency model's features (``mtcheck.neural.fluency``: per-token
log-probabilities normalised for length, word rarity, names and numbers), the
log-probabilities of function words (which vocabulary rarity does not move), and cheap
structural signals (untranslated Cyrillic, words no English dictionary knows, shouting,
calqued capitals, broken punctuation) and how unusual the order of each word's dependents is
in news English (the spaCy parse) through a small linear model trained on human
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

UNKNOWN_PSEUDO_WORDS = 2
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
        # Shrunk towards 0 by two pseudo-words: one rare but real word in a four-word sentence
        # ("Krychowiak was enchanted by ...") is weak evidence, not a third of the words gone wrong.
        "unknown_share": unknown / (len(lower) + UNKNOWN_PSEUDO_WORDS),
        "caps_share": caps / len(words) if words else 0.0,
        "case_calques": float(calques),
        "punct_anomalies": float(sum(len(p.findall(text)) for p in _PUNCT_ANOMALIES) + quotes % 2),
        "lower_start": 1.0 if stripped[:1].islower() else 0.0,
    }


# -- position-adjusted language-model features -------------------------------------------------
# A token's log-probability depends on how much of the sentence the model has seen: in
# professional news English the mean content-token SLOR rises from about 1.6 at the second
# token to 3 after ten, so a short sentence has a low mean however fluent it is ("Both
# officials then resigned."). These features subtract, position by position, what clean news
# English gets there (the baseline, measured by scripts/train_quality.py and stored in
# quality.json), so that short and long sentences are judged on the same scale.
POSITION_FEATURES = ("pos_slor", "pos_lp", "pos_slor_worst3", "pos_lp_worst3", "pos_win_slor", "pos_win_lp",
                     "pos_slor_min", "pos_slor_p10")
POSITION_HORIZON = 16  # positions after this share one baseline value


def _content_positions(scores: "TokenScores"):
    """(position, log p, SLOR) of each content token after the first."""
    from mtcheck.neural import fluency

    table, unseen = fluency.unigram_table()
    mask = fluency.content_mask(scores)
    for k in range(1, len(scores.logprobs)):
        if mask[k]:
            lp = scores.logprobs[k]
            yield min(k, POSITION_HORIZON), lp, lp - table.get(scores.ids[k], unseen)


def position_baseline(clean: "Sequence[TokenScores]") -> dict[str, list[float]]:
    """Mean content-token log p and SLOR per position (1..POSITION_HORIZON) on clean English."""
    sums = {k: [0.0, 0.0, 0] for k in range(1, POSITION_HORIZON + 1)}
    for s in clean:
        for k, lp, sl in _content_positions(s):
            sums[k][0] += lp
            sums[k][1] += sl
            sums[k][2] += 1
    if any(v[2] == 0 for v in sums.values()):
        raise ValueError("position_baseline needs clean sentences of at least POSITION_HORIZON tokens")
    return {"lp": [round(sums[k][0] / sums[k][2], 4) for k in sorted(sums)],
            "slor": [round(sums[k][1] / sums[k][2], 4) for k in sorted(sums)]}


def position_features(scores: "TokenScores", baseline: dict[str, list[float]]) -> dict[str, float]:
    from mtcheck.neural.fluency import _window_means

    ex_lp, ex_slor = [], []
    for k, lp, sl in _content_positions(scores):
        ex_lp.append(lp - baseline["lp"][k - 1])
        ex_slor.append(sl - baseline["slor"][k - 1])
    if not ex_lp:
        return {name: 0.0 for name in POSITION_FEATURES}
    o_slor, o_lp = sorted(ex_slor), sorted(ex_lp)
    return {
        "pos_slor": sum(ex_slor) / len(ex_slor),
        "pos_lp": sum(ex_lp) / len(ex_lp),
        "pos_slor_worst3": sum(o_slor[:3]) / len(o_slor[:3]),
        "pos_lp_worst3": sum(o_lp[:3]) / len(o_lp[:3]),
        "pos_win_slor": _window_means(ex_slor)[1],
        "pos_win_lp": _window_means(ex_lp)[1],
        "pos_slor_min": o_slor[0],
        "pos_slor_p10": o_slor[int(0.1 * (len(o_slor) - 1))],
    }


# -- dependency-order features (issue 16) ------------------------------------------------------
# Russian word order survives machine translation as English words in an order news English
# does not use ("15 September was held the sixth round": the subject after its passive verb),
# and a small language model forgives much of it. For each word with dependents, the labels
# of its dependents left to right, with the word itself in place ("*") and after its tag
# ("H=VBN"), form one sequence: ["H=VBN", "npadvmod", "auxpass", "*", "nsubjpass"]. A
# Kneser-Ney 5-gram model of these sequences in professional news English
# (``mtcheck/data/models/dep_order.json``, built by scripts/build_dep_order.py from newstest
# lines no evaluation uses) gives each label its surprisal (bits); the features summarise a
# sentence's labels, taken head by head in the order of each head's first dependent.
DEP_ORDER_FEATURES = ("dep_order_mean", "dep_order_max", "dep_order_win3", "dep_order_top3", "dep_order_share6")
DEP_ORDER_SURPRISING = 6.0  # bits: a label news English puts there about once in 64 times
SCORED_SEQUENCES = 50_000  # dependency-order sequences remembered per model: about 500 bytes each, 25 MB when full (1,500 newstest lines have 3,245 distinct ones among 13,503)


def dependency_sequences(sdoc) -> list[list[str]]:
    """The dependent-order sequence of each word with dependents in a spaCy Doc (see above).
    Punctuation is labelled by its character ("p,"), spaces are left out."""
    kids: dict[int, list[int]] = {}
    for tok in sdoc:
        if tok.is_space or not tok.text.strip() or tok.dep_ == "ROOT":
            continue
        kids.setdefault(tok.head.i, []).append(tok.i)
    out = []
    for head, dependents in kids.items():
        seq = ["H=" + sdoc[head].tag_]
        for i in sorted(dependents + [head]):
            if i == head:
                seq.append("*")
            else:
                tok = sdoc[i]
                seq.append("p" + tok.text if tok.dep_ == "punct" else tok.dep_)
        out.append(seq)
    return out


class DependencyOrderModel:
    """Interpolated Kneser-Ney n-gram model over dependency-order sequences: ``counts[k]``
    maps a k-gram to its count (highest order) or continuation count (lower orders)."""

    def __init__(self, order: int, discount: float, counts: dict[int, dict[tuple, int]]):
        self.order, self.discount, self.counts = order, discount, counts
        self.context_total: dict[int, dict[tuple, int]] = {}
        self.context_types: dict[int, dict[tuple, int]] = {}
        for k, table in counts.items():
            total: dict[tuple, int] = {}
            types: dict[tuple, int] = {}
            for gram, c in table.items():
                total[gram[:-1]] = total.get(gram[:-1], 0) + c
                types[gram[:-1]] = types.get(gram[:-1], 0) + 1
            self.context_total[k], self.context_types[k] = total, types
        self.vocabulary_size = len(counts[1]) + 1  # + one for every symbol never seen
        # Bits per sequence already scored: most heads' sequences are a few common ones
        # (["H=NN", "det", "*"]), and the interpolation walks five orders of dictionaries for
        # each symbol. A pure function of the sequence, so remembering it changes no number.
        self._scored: dict[tuple[str, ...], tuple[float, ...]] = {}

    def probability(self, context: tuple, symbol: str) -> float:
        p = 1.0 / self.vocabulary_size
        for k in range(1, self.order + 1):
            ctx = context[len(context) - (k - 1):] if k > 1 else ()
            total = self.context_total[k].get(ctx, 0)
            if total == 0:
                continue
            c = self.counts[k].get(ctx + (symbol,), 0)
            p = max(c - self.discount, 0.0) / total + self.discount * self.context_types[k][ctx] / total * p
        return p

    def forget(self) -> None:
        """Empty the memo of scored sequences (benchmarks time a first pass with it)."""
        self._scored.clear()

    def surprisals(self, seq: Sequence[str]) -> list[float]:
        """Bits of each symbol after the head's tag (which is given), and of the sequence's end."""
        key = tuple(seq)
        known = self._scored.get(key)
        if known is None:
            n = self.order
            toks = ("<s>",) * (n - 1) + key + ("</s>",)
            known = tuple(-math.log2(self.probability(toks[i - n + 1:i], toks[i])) for i in range(n, len(toks)))
            if len(self._scored) < SCORED_SEQUENCES:
                self._scored[key] = known
        return list(known)


def dep_order_model_from_dict(data: dict) -> DependencyOrderModel:
    symbols = data["symbols"]
    counts = {int(k): {tuple(symbols[i] for i in row[:-1]): int(row[-1]) for row in rows}
              for k, rows in data["counts"].items()}
    return DependencyOrderModel(int(data["order"]), float(data["discount"]), counts)


@lru_cache(maxsize=1)
def dep_order_model() -> DependencyOrderModel:
    """The committed dependency-order model; the quality model names the file and its sha256,
    so a rebuilt n-gram model needs a refitted quality model."""
    import hashlib

    from mtcheck.neural import registry

    spec = model().meta.get("dep_order") or {}
    path = registry.artifact_path("quality").parent / spec.get("file", "dep_order.json")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise QualityModelError(f"{path}: cannot read the dependency-order model ({e.strerror or e}); "
                                f"run scripts/build_dep_order.py") from None
    if spec.get("sha256") and hashlib.sha256(raw).hexdigest() != spec["sha256"]:
        raise QualityModelError(f"{path}: not the dependency-order model the quality model was fitted with "
                                f"(sha256 differs); run scripts/train_quality.py")
    try:
        return dep_order_model_from_dict(json.loads(raw))
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise QualityModelError(f"{path}: malformed dependency-order model ({type(e).__name__}: {e})") from None


def dep_order_features(sdoc, order_model: DependencyOrderModel | None = None) -> dict[str, float]:
    om = order_model or dep_order_model()
    bits = [b for seq in dependency_sequences(sdoc) for b in om.surprisals(seq)]
    if not bits:
        return {name: 0.0 for name in DEP_ORDER_FEATURES}
    top = sorted(bits, reverse=True)
    windows = [sum(bits[i:i + 3]) / 3 for i in range(len(bits) - 2)] or [sum(bits) / len(bits)]
    return {
        "dep_order_mean": sum(bits) / len(bits),
        "dep_order_max": top[0],
        "dep_order_win3": max(windows),
        "dep_order_top3": sum(top[:3]) / len(top[:3]),
        "dep_order_share6": sum(1 for b in bits if b > DEP_ORDER_SURPRISING) / len(bits),
    }


def needs_parse() -> bool:
    """Whether the committed quality model reads the dependency parse."""
    return any(f in DEP_ORDER_FEATURES for f in model().features)


def lm_scores(texts: Sequence[str]) -> "list[TokenScores | None]":
    """The fluency model's token scores of each text, in one batched pass; None for a blank text."""
    from mtcheck.neural import fluency

    idx = [i for i, t in enumerate(texts) if t.strip()]
    out: "list[TokenScores | None]" = [None] * len(texts)
    if idx:
        for i, s in zip(idx, fluency.load().token_scores([texts[i] for i in idx])):
            out[i] = s
    return out


def features(texts: Sequence[str], token_scores: "Sequence[TokenScores | None] | None" = None,
             baseline: dict[str, list[float]] | None = None, parses: "Sequence | None" = None,
             dep_order: "DependencyOrderModel | bool | None" = None) -> list[dict[str, float]]:
    """Every candidate feature of each text (language-model, position-adjusted and
    structural), batched. ``token_scores`` (from ``FluencyModel.token_scores``) skips the
    language model; blank texts get zero language-model features. ``baseline`` (default: the
    committed model's) is the clean-English value per position of the ``pos_*`` features.
    The ``dep_order_*`` features are computed when ``dep_order`` (a model, or True for the
    committed one; default: whether the committed quality model uses them) asks for them,
    from ``parses`` (a spaCy Doc per text, None where missing: that text is parsed here)."""
    from mtcheck.neural import fluency

    scores = lm_scores(texts) if token_scores is None else list(token_scores)
    if baseline is None:
        baseline = model().position_baseline
    if dep_order is None:
        dep_order = needs_parse()
    order_rows = _dep_order_rows(texts, parses, dep_order) if dep_order else [{}] * len(texts)
    out = []
    for text, s, order_row in zip(texts, scores, order_rows):
        blank = s is None or not text.strip()
        row = {name: 0.0 for name in fluency.FEATURES} if blank else fluency.sentence_features(s)
        if baseline is not None:
            row.update({name: 0.0 for name in POSITION_FEATURES} if blank else position_features(s, baseline))
        row["log_tokens"] = math.log(max(1.0, row["n_tokens"]))
        row.update(structural_features(text))
        row.update(order_row)
        out.append(row)
    return out


def _dep_order_rows(texts: Sequence[str], parses: "Sequence | None", dep_order) -> list[dict[str, float]]:
    om = dep_order if isinstance(dep_order, DependencyOrderModel) else dep_order_model()
    docs = list(parses) if parses is not None else [None] * len(texts)
    missing = [i for i, d in enumerate(docs) if d is None and texts[i].strip()]
    if missing:
        from mtcheck.neural.parse import ParseUnavailable, parse_for_dependency_order

        try:
            for i, d in zip(missing, parse_for_dependency_order([texts[i] for i in missing])):
                docs[i] = d
        except ParseUnavailable:
            pass  # (those texts get the imputed values below)
    return [dep_order_features(d, om) if d is not None else unparsed_dep_order() for d in docs]


def unparsed_dep_order() -> dict[str, float]:
    """The dependency-order features of a text with no parse (spaCy not installed): the
    training mean of each, which the linear model turns into no evidence either way."""
    qm = model()
    means = dict(zip(qm.features, qm.mean))
    return {name: means.get(name, 0.0) for name in DEP_ORDER_FEATURES}


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
    position_baseline: dict | None = None  # {"lp": [...], "slor": [...]} per position, for the pos_* features

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
            meta={k: v for k, v in data.items() if k not in ("linear", "output", "position_baseline")},
            position_baseline=_baseline(data.get("position_baseline")),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise QualityModelError(f"{where}: malformed quality model ({type(e).__name__}: {e})") from None
    if not (len(m.features) == len(m.mean) == len(m.scale) == len(m.coef)) or m.pred_std <= 0 or 0.0 in m.scale:
        raise QualityModelError(f"{where}: malformed quality model (feature, mean, scale and coef lengths differ or a scale is 0)")
    if m.position_baseline is None and any(f in POSITION_FEATURES for f in m.features):
        raise QualityModelError(f"{where}: malformed quality model (pos_* features without a position_baseline)")
    return m


def _baseline(raw) -> dict | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not all(
            isinstance(raw.get(k), list) and len(raw[k]) == POSITION_HORIZON for k in ("lp", "slor")):
        raise TypeError(f"position_baseline must hold 'lp' and 'slor' lists of {POSITION_HORIZON} numbers")
    return {k: [float(v) for v in raw[k]] for k in ("lp", "slor")}


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


def annotate_quality(docs: Sequence["Document"], scorer=None) -> None:
    """Set ``scores["quality"]`` (and the LM features ``lm_logprob``, ``slor``, and
    ``window``: the [start, end) offsets, within the sentence, of its worst window) on every
    sentence of every document; one batched pass over all their sentences. ``scorer`` (texts
    -> token scores; default the fluency model) lets evaluation scripts reuse stored scores."""
    finish_quality(score_language_model(docs, scorer), docs)


@dataclass
class PendingQuality:
    """The language model's part of ``annotate_quality``, done; the parse's part not yet."""

    sentences: list
    texts: list[str]
    scores: list


def score_language_model(docs: Sequence["Document"], scorer=None) -> PendingQuality:
    """The expensive half of ``annotate_quality``: the language-model pass over every sentence.
    It reads no parse, so it may run while the documents are parsed (``Pipeline.run``)."""
    sentences = [s for doc in docs for s in doc.sentences]
    texts = [sentence_case(s.text) if s.is_heading else s.text for s in sentences]
    return PendingQuality(sentences, texts, (scorer or lm_scores)(texts) if sentences else [])


def finish_quality(pending: PendingQuality, docs: Sequence["Document"] = ()) -> None:
    """The features and scores of ``annotate_quality`` from its language-model pass. The
    dependency-order features read each sentence's parse where the documents hold one
    (``doc.user_data["parse"]``; ``docs`` are the documents the sentences belong to) and
    parse the others here, without attaching that parse to the document."""
    from mtcheck.neural import fluency

    if not pending.sentences:
        return
    parses = None
    if needs_parse():
        from mtcheck.neural.parse import USER_DATA_KEY

        attached = {}  # id(sentence) -> its parse ({sentence index: Doc} per document)
        for doc in docs:
            parsed = doc.user_data.get(USER_DATA_KEY) or {}
            for s in doc.sentences:
                if s.index in parsed:
                    attached[id(s)] = parsed[s.index]
        parses = [attached.get(id(s)) for s in pending.sentences]
        # the parse is of the sentence as written (headlines too), as the syntax rules see it
        missing = [i for i, p in enumerate(parses) if p is None and pending.sentences[i].text.strip()]
        if missing:
            from mtcheck.neural.parse import ParseUnavailable, parse_for_dependency_order

            try:
                for i, sdoc in zip(missing, parse_for_dependency_order([pending.sentences[i].text for i in missing])):
                    parses[i] = sdoc
            except ParseUnavailable:
                pass  # features() tries once more, then imputes (unparsed_dep_order)
    rows = features(pending.texts, pending.scores, parses=parses)
    for s, ts, row, q in zip(pending.sentences, pending.scores, rows, score_rows(rows)):
        s.scores["quality"] = q
        s.scores["lm_logprob"] = round(row["lp_mean"], 4)
        s.scores["slor"] = round(row["slor_content"], 4)
        window = fluency.worst_window(ts) if ts is not None else None
        if window is not None:
            s.scores["window"] = list(denormalise_span(s.text, window[0], window[1]))


_TITLE_WORD = re.compile(r"[^\W\d_]{4,}")


def sentence_case(text: str) -> str:
    """A Title Case headline ("Parliament Does Not Support Amendment") in sentence case, as
    the language model knows headlines from running text: each word after the first that
    news English commonly writes in lower case is lower-cased; names ("Tymoshenko") and
    all-capital words keep their capitals, and with them the name discount. Other text, and
    text whose length lower-casing would change, is returned as it is (offsets into the
    scored text must stay the text's)."""
    long_words = _TITLE_WORD.findall(text)
    capitalised = [w for w in long_words if w[0].isupper() and not w.isupper()]
    if len(long_words) < 3 or len(capitalised) < TITLE_CASE_SHARE * len(long_words):
        return text
    from mtcheck.lexicon import lexicon

    lex = lexicon()

    def lower(m: re.Match) -> str:
        word = m.group()
        return word.lower() if not word.isupper() and lex.count(word.lower()) >= COMMON_LOWER_COUNT else word

    first = re.search(r"\S+", text)
    head, rest = text[:first.end()], text[first.end():]
    cased = head + _TITLE_WORD_ANY.sub(lower, rest)
    return cased if len(cased) == len(text) else text


TITLE_CASE_SHARE = 0.7  # of the 4+ letter words capitalised: a Title Case headline
COMMON_LOWER_COUNT = 3  # written at least this often in lower case in the news lexicon: a common word, not a name
_TITLE_WORD_ANY = re.compile(r"[^\W\d_]+")


def denormalise_span(text: str, a: int, b: int) -> tuple[int, int]:
    """Map a span of ``" ".join(text.split())`` (what the language model saw) back onto
    ``text``, whose words may be separated by line breaks or runs of spaces."""
    starts = []  # (offset in the normalised text, offset in text) of each word
    pos = 0
    for m in re.finditer(r"\S+", text):
        starts.append((pos, m.start(), m.end()))
        pos += (m.end() - m.start()) + 1

    def at(p: int, end: bool) -> int:
        for norm_start, start, stop in starts:
            if norm_start <= p <= norm_start + (stop - start) - (0 if end else 1):
                return start + (p - norm_start)
        return len(text) if end else 0

    return at(a, False), at(b, True)


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
