"""A finding's fingerprint is the SHA-256 (24 hex digits) of its rule, the text of the sentence
it starts in and its matched text, both with whitespace collapsed and in NFC, joined by NULs:
checked here against that definition, computed directly, for findings inside sentences, at the
start of an empty sentence, outside every sentence, with twins counted by occurrence, and with
suppressed findings counted in ``fingerprint_map``."""

from __future__ import annotations

import bisect
import hashlib
import random
import unicodedata

from mtcheck import codec
from mtcheck.baseline import fingerprint_map, fingerprint_strings, fingerprints
from mtcheck.document import Document, Sentence
from mtcheck.findings import Finding, Severity


def _normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _by_definition(doc: Document, findings) -> list[str]:
    out, seen = [], {}
    starts = [s.start for s in doc.sentences]
    for f in findings:
        i = bisect.bisect_right(starts, f.start) - 1
        s = doc.sentences[i] if i >= 0 else None
        inside = s is not None and (s.start <= f.start < s.end or f.start == s.start)
        sentence = _normalised(s.text) if inside else ""
        fp = hashlib.sha256("\0".join((f.code, sentence, _normalised(f.text))).encode()).hexdigest()[:24]
        out.append(f"{fp}:{seen.get(fp, 0)}")
        seen[fp] = seen.get(fp, 0) + 1
    return out


def _document() -> Document:
    text = ("Cafe\u0301  talks\tended. The  LIH said so.\n\n\n"
            "Russian soldiers in the area no. The LIH said so.\n\nLast one here.\n")
    doc = Document.from_text(text, path="x.txt")
    # An empty sentence (a heading the reader cut to nothing) in the blank run between paragraphs.
    gap = text.index("\n\n\n") + 2
    doc.sentences = sorted([*doc.sentences, Sentence(len(doc.sentences), gap, gap, "", 0)], key=lambda s: s.start)
    rng = random.Random(4)
    findings = []
    for _ in range(200):
        start = rng.randrange(len(text))
        end = min(len(text), start + rng.randint(0, 8))
        findings.append(Finding(rng.choice(["E101", "S104", "B101"]), "style", Severity.WARNING, start, end,
                                text[start:end], "m"))
    for s in doc.sentences:  # the start of each sentence, and twins of the same finding
        findings += [Finding("E101", "entity", Severity.ERROR, s.start, s.start, "", "m") for _ in range(2)]
    doc.findings = sorted(findings, key=Finding.sort_key)
    return doc


def test_fingerprints_are_the_digest_of_rule_sentence_and_text():
    doc = _document()
    expected = _by_definition(doc, doc.findings)
    assert fingerprint_strings(doc) == expected
    assert [f"{fp}:{n}" for fp, n in fingerprints(doc)] == expected
    assert len(set(expected)) == len(expected)  # occurrences make each unique
    assert any(s.end == s.start for s in doc.sentences)
    # Findings in the same sentence with the same rule and text share a print, in every sentence.
    assert len({p.split(":")[0] for p in expected}) < len(expected)


def test_fingerprint_map_counts_suppressed_twins():
    doc = _document()
    every = list(doc.findings)
    hidden = every[::3]
    doc.findings = [f for i, f in enumerate(every) if i % 3]
    doc.user_data[codec.SUPPRESSED] = [(f, "noqa") for f in hidden]
    # Occurrences run over both, in position order (of twins at one place, the reported first).
    both = sorted([*doc.findings, *hidden], key=Finding.sort_key)
    assert fingerprint_map(doc) == dict(zip(map(id, both), _by_definition(doc, both)))
    assert len(fingerprint_map(doc)) == len(every)
