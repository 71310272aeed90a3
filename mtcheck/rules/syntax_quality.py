"""Syntax findings from the calibrated sentence-quality score (X2xx); part of the syntax family.

Reads ``sentence.scores["quality"]``, set by ``mtcheck.quality.annotate_quality`` before the
rules run (only when the neural layer is on: the rules need the ``fluency`` resource). The
thresholds come from ``mtcheck/data/models/quality.json`` (``[tool.mtcheck.quality] threshold`` overrides
the body threshold and scales the others). Never imports torch.

Headlines are telegraphic and quotations are speech: each has its own, lower threshold and
its own code, so a desk can silence one without the others. Very short segments (datelines,
bylines, "TASS") carry too few words for a language-model judgment and are left to the
structural rules. A sentence written mostly in Cyrillic is not English at all: the language
rules (L101) report it, and it is not also judged for its English. A sentence repeated in the
story (a headline printed twice) is judged once, at its first occurrence.

Each finding points at the sentence's worst window (``sentence.scores["window"]``, the few
words the language model finds least English, set by ``mtcheck.quality.annotate_quality``),
not the whole sentence; its data keeps the whole sentence's span and score, and grades the
damage by how far the score is below the threshold: ``minor`` (below the threshold),
``major`` (below half of it), ``critical`` (below a quarter of it).
"""

from __future__ import annotations

import re
from operator import attrgetter
from typing import Iterable

from mtcheck.document import Document, Sentence
from mtcheck.findings import Finding, Severity
from mtcheck.rules.base import Context, Rule

MIN_WORDS = 4  # fewer words than this: no fluency judgment
NOT_ENGLISH_CYRILLIC_SHARE = 0.5  # a sentence with at least this share of Cyrillic letters is Russian, not bad English
DAMAGE_GRADES = ((0.25, "critical"), (0.5, "major"), (1.0, "minor"))  # quality below this share of the threshold
_WORDS = re.compile(r"[^\W\d_]{2,}")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04FF]")
_LETTER = re.compile(r"[^\W\d_]")

_WHY = (
    "The sentence's English is improbable for a language model trained on fluent text, in the "
    "way machine-translated Russian is: calqued word order, untranslated or transliterated words, "
    "broken agreement. The score is calibrated on human judgments of news machine translation."
)

LOW_QUALITY_SENTENCE = Rule(
    code="X201",
    name="low-quality-sentence",
    category="syntax",
    severity=Severity.WARNING,
    summary="Body sentence whose calibrated fluency score is below the threshold: likely machine-translation damage",
    why=_WHY,
    example="Russian soldiers in the area of the Syrian province of Deir ez-Zor no. → There are no Russian soldiers in the area.",
    fix="none",
    needs=frozenset({"fluency"}),
)
LOW_QUALITY_QUOTE = Rule(
    code="X202",
    name="low-quality-quote",
    category="syntax",
    severity=Severity.WARNING,
    summary="Quoted sentence whose fluency score is below the (more lenient) quotation threshold",
    why=_WHY + " Quotations are speech and may be loose, so they are judged against a lower threshold.",
    example="“On 7 February to detect and destroy the gang one of the divisions ...” (a translated quote gone wrong)",
    fix="none",
    needs=frozenset({"fluency"}),
)
LOW_QUALITY_HEADING = Rule(
    code="X203",
    name="low-quality-heading",
    category="syntax",
    severity=Severity.WARNING,
    summary="Headline or heading whose fluency score is below the (lenient) heading threshold",
    why=_WHY + " Headlines drop articles and verbs by design, so only a very low score is reported.",
    example="Hit by the US coalition of Syrian militias have not coordinated the operation with Russia",
    fix="none",
    needs=frozenset({"fluency"}),
)

RULES = (LOW_QUALITY_SENTENCE, LOW_QUALITY_QUOTE, LOW_QUALITY_HEADING)
_EXTRAS_KEY = "quality.thresholds"


def _thresholds(ctx: Context) -> dict[str, float]:
    if _EXTRAS_KEY not in ctx.extras:
        from mtcheck.quality import thresholds  # reads mtcheck/data/models/quality.json; no torch

        ctx.extras[_EXTRAS_KEY] = thresholds(ctx.config)
    return ctx.extras[_EXTRAS_KEY]


def classify(sentence: Sentence) -> tuple[Rule, str]:
    """The rule and threshold key that judge ``sentence``."""
    if sentence.is_heading:
        return LOW_QUALITY_HEADING, "heading"
    if sentence.is_quote:
        return LOW_QUALITY_QUOTE, "quote"
    return LOW_QUALITY_SENTENCE, "body"


_SCORES = attrgetter("scores")


def check(doc: Document, ctx: Context) -> Iterable[Finding]:
    if not any(ctx.on(r.code) for r in RULES):
        return
    # A run without the quality model scores no sentence: every ``scores`` is empty, said by
    # one pass in C (a story of short lines has 200,000 sentences) before the test per sentence.
    if not any(map(_SCORES, doc.sentences)):
        return
    scored = [s for s in doc.sentences if isinstance(s.scores.get("quality"), (int, float))]
    if not scored:
        return
    limits = _thresholds(ctx)
    judged: set[str] = set()
    for s in scored:
        rule, key = classify(s)
        if not ctx.on(rule.code) or len(_WORDS.findall(s.text)) < MIN_WORDS or is_not_english(s.text):
            continue
        same = " ".join(s.text.split()).casefold()
        if same in judged:
            continue  # a repeated headline or sentence: judged (and reported) once
        judged.add(same)
        quality, limit = float(s.scores["quality"]), limits[key]
        if quality >= limit:
            continue
        grade = damage_grade(quality, limit)
        start, end = _window(s)
        what = {"body": "", "quote": " (quotation)", "heading": " (headline)"}[key]
        where = f" worst at '{doc.text[start:end]}'" if (start, end) != (s.start, s.end) else ""
        yield rule.finding(
            doc, start, end,
            f"reads like machine-translation damage{what} ({grade}): quality {quality:.2f} "
            f"(threshold {limit:.2f}){where}",
            data={"quality": quality, "threshold": round(limit, 3), "damage": grade, "kind": s.kind,
                  "quote": s.is_quote, "sentence_start": s.start, "sentence_end": s.end},
        )


def is_not_english(text: str) -> bool:
    """Mostly Cyrillic: Russian left untranslated (the language rules' business), not English to judge."""
    letters = len(_LETTER.findall(text))
    return letters > 0 and len(_CYRILLIC_LETTER.findall(text)) >= NOT_ENGLISH_CYRILLIC_SHARE * letters


def damage_grade(quality: float, limit: float) -> str:
    for share, grade in DAMAGE_GRADES:
        if quality < share * limit:
            return grade
    return DAMAGE_GRADES[-1][1]


def _window(s: Sentence) -> tuple[int, int]:
    """The document span of the sentence's worst window; the whole sentence when it has none
    (scored before windows existed, or too short to have one)."""
    w = s.scores.get("window")
    if isinstance(w, (list, tuple)) and len(w) == 2 and all(isinstance(v, int) for v in w):
        a, b = s.start + w[0], s.start + w[1]
        if s.start <= a < b <= s.end:
            return a, b
    return s.start, s.end
