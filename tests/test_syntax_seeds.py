"""Seed recall of the structural syntax rules, read from the hand judgments in
tests/data/seed_judgments.tsv (scripts/eval_seed_damage.py prints the same figures through
the CLI): issue 16 asks for at least 80% of the broken sentences of seeds 000, 002 and 003
found, and no body sentence of the professional TASS story 001 flagged."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mtcheck.config import Config
from mtcheck.engine import Scanner
from mtcheck.reader import read_document
from mtcheck.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from eval_seed_damage import JUDGMENTS, read_judgments  # noqa: E402


def _judged(seeds_dir):
    """Each judgment row with the syntax codes of the findings that start in its sentences."""
    scanner = Scanner(Settings(config=Config(select=["syntax"]), neural=False, parse=True))
    docs = {}
    for p in sorted(seeds_dir.glob("*.txt")):
        doc = read_document(str(p))
        scanner.pipeline.run([doc])
        docs[p.name[:3]] = doc
    out = []
    for row in read_judgments(JUDGMENTS):
        doc = docs[row["seed"]]
        spans = [(s.start, s.end) for s in doc.sentences if s.text.startswith(row["words"])]
        assert spans, row
        codes = {f.code for f in doc.findings if any(a <= f.start < b for a, b in spans)}
        out.append((row, codes))
    return out


def test_every_sentence_of_the_damaged_seeds_is_judged(seeds_dir):
    rows = read_judgments(JUDGMENTS)
    for seed in ("000", "001", "002", "003"):
        (path,) = seeds_dir.glob(f"{seed}_*.txt")
        doc = read_document(str(path))
        mine = [r for r in rows if r["seed"] == seed]
        for s in doc.sentences:
            assert sum(s.text.startswith(r["words"]) for r in mine) == 1, (seed, s.text[:80])
    assert not any(r["broken"] for r in rows if r["seed"] == "001")


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_seed_recall_by_the_structural_rules(seeds_dir):
    judged = _judged(seeds_dir)
    broken = [(r, c) for r, c in judged if r["broken"] and r["seed"] in ("000", "002", "003")]
    found = [r["words"] for r, c in broken if any(x.startswith("X") for x in c)]
    assert len(broken) == 42
    assert len(found) >= 0.8 * len(broken), [r["words"] for r, c in broken if r["words"] not in found]
    clean_flagged = [(r["seed"], r["words"], sorted(c)) for r, c in judged
                     if not r["broken"] and any(x.startswith("X") for x in c)]
    assert clean_flagged == []
