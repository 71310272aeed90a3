"""What the gate policy measures on a scanned story.

Everything here is derived from the document and its findings; nothing is re-analysed.
Document quality is an aggregate of the sentence ``quality`` scores the neural path sets
(absent with ``--no-neural``: then ``quality`` is None and quality limits do not apply).
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field

from mtcheck.document import Document
from mtcheck.findings import Severity

QUALITY_AGGREGATES = ("mean", "median", "lower-quartile", "min")


@dataclass
class StoryMetrics:
    sentences: int = 0
    flagged: int = 0  # sentences holding a syntax or language finding
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    letters: int = 0
    foreign_letter_share: float = 0.0  # letters outside the Latin script (Cyrillic, Greek, CJK ...)
    cyrillic_letter_share: float = 0.0
    language_sentence_share: float = 0.0  # sentences holding a finding of category "language"
    quality: float | None = None  # aggregate of body-sentence quality; None without the neural path
    quality_scored: int = 0  # sentences that carried a quality score

    @property
    def flagged_share(self) -> float:
        return self.flagged / self.sentences if self.sentences else 0.0

    @property
    def foreign_share(self) -> float:
        """How much of the story is not English, by the stronger of the two signals."""
        return max(self.foreign_letter_share, self.language_sentence_share)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["flagged_share"] = round(self.flagged_share, 4)
        for key in ("foreign_letter_share", "cyrillic_letter_share", "language_sentence_share"):
            out[key] = round(out[key], 4)
        if self.quality is not None:
            out["quality"] = round(self.quality, 4)
        return out


def _is_latin(ch: str) -> bool:
    # Basic Latin, Latin-1, Latin Extended-A/B, IPA; Latin Extended Additional.
    o = ord(ch)
    return o < 0x0250 or 0x1E00 <= o <= 0x1EFF


def _is_cyrillic(ch: str) -> bool:
    return 0x0400 <= ord(ch) <= 0x052F


def measure(doc: Document, aggregate: str = "mean") -> StoryMetrics:
    m = StoryMetrics(sentences=len(doc.sentences))
    m.flagged = len(doc.flagged_sentences())
    for f in doc.findings:
        m.by_category[f.category] = m.by_category.get(f.category, 0) + 1
        if f.severity == Severity.ERROR:
            m.errors += 1
        elif f.severity == Severity.WARNING:
            m.warnings += 1
        else:
            m.infos += 1
    m.by_category = dict(sorted(m.by_category.items()))

    letters = [c for c in doc.text if c.isalpha()]
    m.letters = len(letters)
    if letters:
        m.foreign_letter_share = sum(not _is_latin(c) for c in letters) / len(letters)
        m.cyrillic_letter_share = sum(_is_cyrillic(c) for c in letters) / len(letters)

    language_spans = [(f.start, f.end) for f in doc.findings if f.category == "language"]
    if language_spans and doc.sentences:
        hit = sum(
            1 for s in doc.sentences if any(a < s.end and (b > s.start or a == s.start) for a, b in language_spans)
        )
        m.language_sentence_share = hit / len(doc.sentences)

    scores = [s.scores["quality"] for s in doc.sentences if s.kind == "body" and "quality" in s.scores]
    if not scores:  # a story of headlines only: judge what there is
        scores = [s.scores["quality"] for s in doc.sentences if "quality" in s.scores]
    m.quality_scored = len(scores)
    if scores:
        m.quality = aggregate_quality(scores, aggregate)
    return m


def aggregate_quality(scores: list[float], how: str) -> float:
    if how == "mean":
        return statistics.fmean(scores)
    if how == "median":
        return statistics.median(scores)
    if how == "min":
        return min(scores)
    if how == "lower-quartile":
        if len(scores) < 2:
            return scores[0]
        return statistics.quantiles(scores, n=4, method="inclusive")[0]
    raise ValueError(f"unknown quality aggregate {how!r}")
