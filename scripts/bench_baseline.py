"""Adopting mtcheck on an archive: how long `--write-baseline` and `--baseline` take, and what
suppressions cost, on a generated archive of stories (seeds' paragraphs + WMT21 MT lines).

    python scripts/bench_baseline.py                      # 1,000 stories, ../shared/data/wmt21-ru-en if present
    python scripts/bench_baseline.py --stories 200 --wmt PATH

Prints one line per figure. Each scan runs as a user runs it (`mtcheck scan ... --no-neural`),
with a fresh result cache for the cold runs.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WMT = ROOT.parent / "shared" / "data" / "wmt21-ru-en"


def build(root: Path, n: int, wmt: Path | None) -> None:
    lines: list[str] = []
    if wmt is not None and wmt.is_dir():
        for p in sorted(wmt.glob("newstest2021.ru-en.hyp.*.en")):
            lines += [x.strip() for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
    if not lines:
        lines = [f"Officials said on day {i} that the talks would resume." for i in range(4000)]
    paragraphs = [p.strip() for s in sorted((ROOT / "seeds").glob("*.txt"))
                  for p in s.read_text(encoding="utf-8").split("\n\n")[1:] if len(p.strip()) > 80]
    rng = random.Random(1000)
    for i in range(n):
        folder = root / f"{i // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        body = [" ".join(rng.sample(lines, 3)) for _ in range(3)] + [rng.choice(paragraphs)]
        rng.shuffle(body)
        (folder / f"story{i:04d}.txt").write_text("\n\n".join([f"Story {i}"] + body) + "\n", encoding="utf-8")


def mtcheck(*args: str, cache: Path) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mtcheck", "scan", *args, "--no-neural"], capture_output=True, text=True,
                          env={"MTCHECK_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"})
    return time.perf_counter() - started, proc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=1000)
    ap.add_argument("--wmt", type=Path, default=DEFAULT_WMT)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archive = tmp / "archive"
        build(archive, args.stories, args.wmt)
        baseline = tmp / "baseline.json"
        t, proc = mtcheck(str(archive), "--write-baseline", str(baseline), cache=tmp / "c1")
        data = json.loads(baseline.read_text())
        print(f"write-baseline, cold cache: {t:.1f} s for {args.stories} stories, {data['findings']} findings "
              f"({baseline.stat().st_size / 1e6:.1f} MB)")
        t, proc = mtcheck(str(archive), "--baseline", str(baseline), "--format", "json", cache=tmp / "c1")
        report = json.loads(proc.stdout)
        print(f"--baseline, warm cache: {t:.1f} s; {report['summary']['findings']} new, "
              f"{report['summary']['suppressed']} in the baseline")
        t_cold, proc = mtcheck(str(archive), "--baseline", str(baseline), "--format", "json", cache=tmp / "c2")
        t_plain, _ = mtcheck(str(archive), "--format", "json", cache=tmp / "c3")
        print(f"--baseline, cold cache: {t_cold:.1f} s; plain scan, cold cache: {t_plain:.1f} s "
              f"(baseline matching costs {t_cold - t_plain:+.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
