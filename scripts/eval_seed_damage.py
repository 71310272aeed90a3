#!/usr/bin/env python3
"""Seed recall: how many of the sentences a person judged broken in seeds/ mtcheck flags.

Reads the hand judgments in ``tests/data/seed_judgments.tsv`` (file number, the sentence's
opening words, broken yes/no, damage class), runs ``mtcheck scan seeds --format json`` (once
rules-only, ``--no-neural --parse``, and once with the neural scorer, unless told otherwise)
and prints, per seed, broken sentences flagged / broken sentences, by the syntax family (X)
and by any rule family, then the clean sentences that were flagged (false alarms) and the
broken ones that were not (misses).

A judged sentence is flagged when a finding starts inside it. A judgment row stands for every
sentence of its file that starts with its words (a headline printed twice is one row).

Usage: scripts/eval_seed_damage.py [--mode rules|neural|both] [--seeds DIR] [--judgments TSV] [--quiet]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtcheck.reader import read_document  # noqa: E402

JUDGMENTS = ROOT / "tests" / "data" / "seed_judgments.tsv"
MODES = {"rules": ["--no-neural", "--parse"], "neural": ["--neural"]}


def read_judgments(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        seed, words, broken, *damage = line.split("\t")
        if broken not in ("yes", "no"):
            sys.exit(f"eval_seed_damage: {path}: broken must be yes or no: {line!r}")
        rows.append({"seed": seed, "words": words, "broken": broken == "yes", "damage": damage[0] if damage else ""})
    return rows


def scan(seeds: Path, mode: str) -> dict[str, list[dict]]:
    cmd = [sys.executable, "-m", "mtcheck", "scan", str(seeds), "--format", "json", *MODES[mode]]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode not in (0, 1):
        sys.exit(f"eval_seed_damage: {' '.join(cmd)} failed ({out.returncode}):\n{out.stderr[-2000:]}")
    report = json.loads(out.stdout)
    return {Path(f["path"]).name: f["findings"] for f in report["files"]}


def judge(rows: list[dict], seeds: Path, findings: dict[str, list[dict]]) -> list[dict]:
    """Each row with the codes of the findings that start in its sentences."""
    files = {p.name[:3]: p for p in sorted(seeds.glob("*.txt"))}
    docs = {seed: read_document(str(p)) for seed, p in files.items()}
    out = []
    for row in rows:
        doc = docs.get(row["seed"])
        if doc is None:
            sys.exit(f"eval_seed_damage: no seed file {row['seed']}_*.txt under {seeds}")
        spans = [(s.start, s.end) for s in doc.sentences if s.text.startswith(row["words"])]
        if not spans:
            sys.exit(f"eval_seed_damage: seed {row['seed']}: no sentence starts with {row['words']!r}")
        hits = [f["rule"] for f in findings.get(files[row["seed"]].name, [])
                if any(a <= f["start"] < b for a, b in spans)]
        out.append({**row, "codes": sorted(set(hits))})
    return out


def report(judged: list[dict], mode: str, quiet: bool) -> None:
    print(f"== {mode} ({' '.join(MODES[mode])})")
    print(f"{'seed':<6}{'broken':>7}{'syntax':>8}{'any':>6}{'clean':>7}{'clean flagged (syntax/any)':>28}")
    totals = [0, 0, 0, 0, 0, 0]
    for seed in sorted({r["seed"] for r in judged}):
        rows = [r for r in judged if r["seed"] == seed]
        broken = [r for r in rows if r["broken"]]
        clean = [r for r in rows if not r["broken"]]
        counts = [len(broken), sum(any(c.startswith("X") for c in r["codes"]) for r in broken),
                  sum(bool(r["codes"]) for r in broken), len(clean),
                  sum(any(c.startswith("X") for c in r["codes"]) for r in clean), sum(bool(r["codes"]) for r in clean)]
        totals = [a + b for a, b in zip(totals, counts)]
        print(f"{seed:<6}{counts[0]:>7}{counts[1]:>8}{counts[2]:>6}{counts[3]:>7}{counts[4]:>14}/{counts[5]}")
    target = [r for r in judged if r["broken"] and r["seed"] in ("000", "002", "003")]
    syn = sum(any(c.startswith("X") for c in r["codes"]) for r in target)
    anyf = sum(bool(r["codes"]) for r in target)
    print(f"000+002+003 broken flagged: syntax {syn}/{len(target)} ({100 * syn / max(1, len(target)):.0f}%), "
          f"any family {anyf}/{len(target)} ({100 * anyf / max(1, len(target)):.0f}%)")
    if quiet:
        return
    print("clean sentences flagged:")
    for r in judged:
        if not r["broken"] and r["codes"]:
            print(f"  {r['seed']} {','.join(r['codes']):<16} {r['words']}")
    print("broken sentences not flagged by the syntax family (any-family codes shown):")
    for r in judged:
        if r["broken"] and not any(c.startswith("X") for c in r["codes"]):
            print(f"  {r['seed']} {','.join(r['codes']) or '-':<16} {r['words']}  [{r['damage']}]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=("rules", "neural", "both"), default="both")
    ap.add_argument("--seeds", default=str(ROOT / "seeds"))
    ap.add_argument("--judgments", default=str(JUDGMENTS))
    ap.add_argument("--quiet", action="store_true", help="only the counts")
    args = ap.parse_args()
    rows = read_judgments(Path(args.judgments))
    for mode in (("rules", "neural") if args.mode == "both" else (args.mode,)):
        report(judge(rows, Path(args.seeds), scan(Path(args.seeds), mode)), mode, args.quiet)


if __name__ == "__main__":
    main()
