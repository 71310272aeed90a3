#!/usr/bin/env python3
"""Gate throughput (issue "gate imports of new wire copy"): stories per second through
`mtcheck gate`, rules-only and with the neural quality score, on a generated inbox.

    .venv/bin/python scripts/bench_gate.py                      # 1,000+ stories, neural on a sample
    .venv/bin/python scripts/bench_gate.py --stories 300 --neural-sample 50

The inbox: the corpus of scripts/bench_scale.py (the seeds, then stories of consecutive
lines of WMT21/WMT15 MT output and newstest translations from ../shared), plus untranslated
stories (WMT21 Russian sources) and a few bad files, so every verdict and the rejection
paths are exercised. Every figure is a fresh `mtcheck gate` process on a fresh copy of the
inbox, start-up included: wall time, stories/s, verdict counts. `--check` on the same inbox
(decide in place, nothing moved) separates scanning from the gate's bookkeeping (journal,
atomic moves, fsyncs, audit log). The neural run uses a random sample of the inbox (the
fluency model on 2 CPU cores is far slower than the rules); its size is printed. A 1-story
run gives the fixed cost (start-up, model load), so a steady-state rate is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import ROOT, SHARED, build_corpus, have_quality, load, run_cli  # noqa: E402

VERDICTS = ("accepted", "review", "rejected")


def build_inbox(folder: Path, stories: int = 1000, seed: int = 11) -> dict:
    """``stories`` stories from bench_scale's corpus, plus ~4% untranslated and a few bad files."""
    info = build_corpus(folder, stories)
    rng = random.Random(seed)
    ru = SHARED / "data/wmt21-ru-en/newstest2021.ru-en.src.ru"
    extra = 0
    if ru.exists():
        lines = [x.strip() for x in ru.read_text(encoding="utf-8").splitlines() if x.strip()]
        for i in range(max(1, stories // 25)):
            start = rng.randrange(0, len(lines) - 10)
            (folder / f"untranslated_{i:04d}.txt").write_text("\n\n".join(lines[start:start + 8]) + "\n", encoding="utf-8")
            extra += 1
    (folder / "bad_binary.jpg").write_bytes(bytes(range(256)) * 8)
    (folder / "bad_empty.txt").write_bytes(b"")
    (folder / "bad_utf16.txt").write_bytes(b"\xff\xfe\x00\xd8a\x00")
    return {"stories": info["stories"] + extra + 3, "bytes": info["bytes"], "sources": info["sources"]}


def _verdicts(inbox: Path) -> Counter:
    log = inbox / ".mtcheck-gate" / "gate.log.jsonl"
    if not log.exists():
        return Counter()
    return Counter(json.loads(x)["verdict"] for x in log.read_text(encoding="utf-8").splitlines())


def gate_run(master: Path, work: Path, label: str, flags: list[str], n: int) -> dict:
    """One `mtcheck gate` run on a fresh copy of ``master``."""
    if work.exists():
        shutil.rmtree(work)
    inbox = work / "inbox"
    shutil.copytree(master, inbox)
    args = ["gate", str(inbox), "--format", "json", *flags]
    for v in VERDICTS:
        args += [f"--{v}", str(work / v)]
    r = run_cli(args)
    counts = _verdicts(inbox)
    left = sum(1 for p in inbox.iterdir() if p.is_file())
    ok = r["rc"] in (0, 1) and sum(counts.values()) == n and left == 0
    status = "" if ok else f"  FAILED rc={r['rc']} decided={sum(counts.values())}/{n} left={left}: {r['stderr'][-300:]}"
    print(f"  {label:34} {n:5d} stories  wall {r['wall_s']:7.2f} s  {n / r['wall_s']:7.1f} stories/s  "
          f"peak RSS {r['tree_peak_mb']:5.0f} MB  "
          f"[{', '.join(f'{counts[v]} {v}' for v in VERDICTS)}]  ({load()}){status}")
    return {"wall_s": r["wall_s"], "stories_per_s": n / r["wall_s"], "counts": dict(counts), "ok": ok,
            "peak_mb": r["tree_peak_mb"]}


def check_run(inbox: Path, label: str, flags: list[str], n: int) -> dict:
    r = run_cli(["gate", "--check", str(inbox), "--include", "*", "--format", "json", *flags])
    print(f"  {label:34} {n:5d} stories  wall {r['wall_s']:7.2f} s  {n / r['wall_s']:7.1f} stories/s  "
          f"(decide in place, nothing moved)  ({load()})")
    return {"wall_s": r["wall_s"], "stories_per_s": n / r["wall_s"]}


def bench_gate(stories: int = 1000, neural_sample: int = 100, jobs: bool = True) -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="mtcheck-bench-gate-") as tmp:
        tmp = Path(tmp)
        master = tmp / "master"
        info = build_inbox(master, stories)
        n = info["stories"]
        print(f"gate: inbox of {n} stories ({info['bytes'] / 1024:.0f} KB of MT/newstest text from the seeds and "
              f"{info['sources']} shared sources, + untranslated Russian and 3 bad files); {os.cpu_count()} cores")
        print("rules-only (--no-neural):")
        out["check_rules"] = check_run(master, "--check (scan + decide)", ["--no-neural"], n)
        out["gate_rules"] = gate_run(master, tmp / "run", "gate", ["--no-neural"], n)
        if jobs:
            out["gate_rules_jobs2"] = gate_run(master, tmp / "run", "gate --jobs 2", ["--no-neural", "--jobs", "2"], n)
        out["bookkeeping_ms_per_story"] = 1000 * (out["gate_rules"]["wall_s"] - out["check_rules"]["wall_s"]) / n
        print(f"  bookkeeping (journal, moves, fsyncs, audit): {out['bookkeeping_ms_per_story']:.1f} ms per story")

        if not have_quality():
            print("neural: skipped (mtcheck.quality is not installed in this checkout)")
            return out
        sample_dir = tmp / "sample"
        sample_dir.mkdir()
        files = sorted(p for p in master.iterdir() if p.is_file())
        picked = random.Random(5).sample(files, min(neural_sample, len(files)))
        for p in picked:
            shutil.copy2(p, sample_dir / p.name)
        one_dir = tmp / "one"
        one_dir.mkdir()
        shutil.copy2(next(p for p in files if p.name.startswith("story_")), one_dir)
        print(f"neural (quality score on; a random sample of {len(picked)} of the {n} stories):")
        one = gate_run(one_dir, tmp / "run", "gate, 1 story (fixed cost)", ["--neural"], 1)
        if not one["ok"]:
            print("  neural: no figure (the neural gate could not run; see above)")
            return out
        sample = gate_run(sample_dir, tmp / "run", "gate", ["--neural"], len(picked))
        steady = (len(picked) - 1) / max(1e-9, sample["wall_s"] - one["wall_s"])
        print(f"  steady state after start-up and model load: {steady:.2f} stories/s")
        out["gate_neural_one"], out["gate_neural"], out["gate_neural_steady_per_s"] = one, sample, steady
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stories", type=int, default=1000, help="stories from the corpus builder (default 1000)")
    ap.add_argument("--neural-sample", type=int, default=100, help="stories in the neural run (default 100)")
    ap.add_argument("--no-jobs", action="store_true", help="skip the --jobs 2 run")
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    bench_gate(args.stories, args.neural_sample, jobs=not args.no_jobs)


if __name__ == "__main__":
    main()
