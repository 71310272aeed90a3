#!/usr/bin/env python
"""How `mtcheck gate --check` tells professional copy from bad machine translation (issue 16).

The WMT21 ru-en test set is cut into stories of 20 consecutive lines (one paragraph each), in
the test set's document order; only the held-out half (odd-numbered stories, the half no model
or threshold was fit on: ``quality_data.wmt21_half``) is used: 25 stories per system and per
reference. Each output's stories are written to a folder of their own and judged by the real
command, `mtcheck gate --check --format json` with the default policy (neural path unless
--no-neural), exactly as a desk would call it; the script counts the verdicts. The issue's
bar, scaled from 50 stories to the 25 held out: each reference sent to review (or rejected) at
most 1 time in 25, and Online-Y (the lowest human score of the year) at least three times as
often as the worse reference.

    python scripts/eval_gate_wmt21.py [--data ../shared/data] [--no-neural] [--systems A,B]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import quality_data as qd  # noqa: E402

DEFAULT_DATA = HERE.parents[1] / "shared" / "data"


def write_stories(folder: Path, stories: list[list[str]]) -> None:
    folder.mkdir(parents=True)
    for k, lines in enumerate(stories):
        (folder / f"story_{k:03d}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")


def gate_verdicts(folder: Path, neural: bool) -> dict[str, str]:
    """{story name: verdict} from `mtcheck gate --check` on ``folder``."""
    cmd = [sys.executable, "-m", "mtcheck", "gate", "--check", "--format", "json", str(folder)]
    if not neural:
        cmd.insert(4, "--no-neural")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=folder.parent)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"gate --check failed on {folder} (exit {proc.returncode}): {proc.stderr.strip()[-400:]}")
    out = json.loads(proc.stdout)
    return {Path(s["path"]).name: s["verdict"] for s in out["stories"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (holds wmt21-ru-en)")
    ap.add_argument("--no-neural", action="store_true", help="rules only (no quality model)")
    ap.add_argument("--systems", default="", help="comma-separated outputs to judge (default: every one)")
    args = ap.parse_args(argv)
    wmt = qd.load_wmt21(args.data / "wmt21-ru-en")
    names = [n for n in wmt["outputs"] if not args.systems or n in args.systems.split(",")]
    human = wmt["human_z"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="mtcheck-gate-eval-") as tmp:
        for name in names:
            folder = Path(tmp) / name
            write_stories(folder, qd.wmt21_half(wmt["outputs"][name], held_out=True))
            t0 = time.perf_counter()
            verdicts = gate_verdicts(folder, neural=not args.no_neural)
            counts = {v: sum(1 for x in verdicts.values() if x == v) for v in ("accepted", "review", "rejected")}
            z = human.get("HUMAN" if name.startswith("ref.") else name)
            rows.append((name, counts, len(verdicts), z))
            print(f"  {name:14s} accepted {counts['accepted']:3d}  review {counts['review']:3d}  rejected "
                  f"{counts['rejected']:3d}  of {len(verdicts)}  (human z {z if z is not None else float('nan'):+.3f}; "
                  f"{time.perf_counter() - t0:.0f} s)", flush=True)
    held = {name: c["review"] + c["rejected"] for name, c, _, _ in rows}
    total = {name: n for name, _, n, _ in rows}
    refs = [n for n in held if n.startswith("ref.")]
    if refs and "Online-Y" in held:
        worst_ref = max(held[r] for r in refs)
        print(f"\nnot accepted: references {', '.join(f'{r} {held[r]}/{total[r]}' for r in refs)} (bar: at most "
              f"1 in 25, i.e. 2 in 50); Online-Y {held['Online-Y']}/{total['Online-Y']} (bar: at least 3x the "
              f"worse reference, {3 * max(worst_ref, 1)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
