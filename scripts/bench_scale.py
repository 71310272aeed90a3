#!/usr/bin/env python3
"""Scale figures (issue "fast at newsroom scale"): rules throughput, fluency throughput, the
result cache on the seeds, and a 1,000-story corpus under --jobs and Dask.

    .venv/bin/python scripts/bench_scale.py                  # every section
    .venv/bin/python scripts/bench_scale.py rules seeds       # some sections
    .venv/bin/python scripts/bench_scale.py corpus --stories 300 --modes jobs1,jobs2

Sections (also registered in scripts/bench.py when it exists):
  rules   rules-only throughput in KB of text per second, without and with the spaCy parse
  fluency fluency scorer sentences per second (batched), full precision and int8 if offered
  seeds   `mtcheck scan seeds/` cold (models prepared, result cache empty) and warm (cache full)
  corpus  a 1,000-story corpus built from the seeds and ../shared data: wall time and peak RSS
          of the whole process tree, --jobs 1 vs 2, Dask local with 1 vs 2 workers

Every CLI run is a fresh subprocess with its own result cache folder (the converted models
are linked in from the user's cache, so "cold" means models prepared, results not cached).
Peak RSS is sampled from /proc over the CLI process and all its descendants (pool workers,
Dask nannies and workers) every 0.1 s, and cross-checked with ru_maxrss of the largest one.
The machine is shared: the load average is printed with each figure.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEEDS = ROOT / "seeds"
SHARED = Path(os.environ.get("MTCHECK_SHARED", ROOT.parent / "shared"))
MTCHECK = str(Path(sys.executable).with_name("mtcheck"))


def load() -> str:
    return "load %.2f" % os.getloadavg()[0]


def have_quality() -> bool:
    return importlib.util.find_spec("mtcheck.quality") is not None


# -- corpus -------------------------------------------------------------------------------------
def _lines(path: Path) -> list[str]:
    return [x.strip() for x in path.read_text(encoding="utf-8").splitlines()]


def sentence_sources(shared: Path = SHARED) -> dict[str, list[str]]:
    """Line-ordered news text (consecutive lines come from one article): MT output and
    professional translations."""
    out: dict[str, list[str]] = {}
    daseg = shared / "data/daseg-ru-en-2015/newstest2015.mt-system"
    if daseg.exists():
        out["daseg-mt"] = _lines(daseg)
    wmt = shared / "data/wmt21-ru-en"
    for hyp in sorted(wmt.glob("*.hyp.*.en")) if wmt.exists() else []:
        out[f"wmt21-{hyp.name.split('.hyp.')[1][:-3]}"] = _lines(hyp)
    news = shared / "data/newstest-ru-en"
    for en in sorted(news.glob("newstest*.en")) if news.exists() else []:
        out[en.stem] = _lines(en)
    return out


def build_corpus(folder: Path, stories: int = 1000, sentences: int = 15, seed: int = 7) -> dict:
    """``stories`` files: every seed as is, then stories of ``sentences`` consecutive lines of
    one MT system or newstest year (a line without final punctuation becomes the title),
    in paragraphs of 1-4 sentences. Without ../shared, rotated copies of the seeds."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    sources = sentence_sources()
    names = sorted(sources)
    written = 0
    for i in range(stories):
        if i < len(seeds) or not names:
            seed_text = seeds[i % len(seeds)].read_text(encoding="utf-8")
            paras = seed_text.split("\n\n")
            k = i // len(seeds)
            text = "\n\n".join(paras[k % len(paras):] + paras[:k % len(paras)])
        else:
            lines = sources[names[i % len(names)]]
            start = rng.randrange(0, max(1, len(lines) - sentences))
            chunk = [x for x in lines[start:start + sentences] if x]
            title, body = (chunk[0], chunk[1:]) if chunk and not re.search(r"[.!?…\"”:]$", chunk[0]) else (None, chunk)
            paras, j = [], 0
            while j < len(body):
                n = rng.randint(1, 4)
                paras.append(" ".join(body[j:j + n]))
                j += n
            text = ((title + "\n\n") if title else "") + "\n\n".join(paras) + "\n"
        (folder / f"story_{i:05d}.txt").write_text(text, encoding="utf-8")
        written += len(text.encode("utf-8"))
    return {"stories": stories, "bytes": written, "sources": len(names)}


# -- measuring a CLI run ---------------------------------------------------------------------------
def _tree_rss_kb(root: int) -> int:
    """Sum of VmRSS over ``root`` and all its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                stat = fh.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            with open(f"/proc/{d}/status") as fh:
                m = re.search(r"VmRSS:\s+(\d+)", fh.read())
        except (OSError, ValueError):
            continue
        parents[int(d)] = ppid
        rss[int(d)] = int(m.group(1)) if m else 0
    total = 0
    for pid in rss:
        p, hops = pid, 0
        while p and p != root and hops < 64:
            p, hops = parents.get(p, 0), hops + 1
        if p == root:
            total += rss[pid]
    return total


def run_cli(args: list[str], env: dict | None = None) -> dict:
    """Run ``mtcheck ARGS`` in a fresh process: wall time, peak RSS of its process tree,
    largest single ru_maxrss, exit code."""
    probe = (
        "import resource, subprocess, sys\n"
        "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "sys.stderr.buffer.write(rc.stderr[-2000:])\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc.returncode)\n"
    )
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", probe, MTCHECK, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}, cwd=ROOT)
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    maxrss, rc = (int(x) for x in out.split()[-2:])
    return {"wall_s": wall, "tree_peak_mb": peak / 1024, "max_process_mb": maxrss / 1024, "rc": rc, "stderr": err.strip()}


def code_state() -> str:
    """mtcheck's code and model artifacts as they are on disk now: a warm run is only warm if
    nothing changed since the cold one (other developers may be editing this checkout)."""
    import hashlib

    h = hashlib.sha256()
    for base in (ROOT / "mtcheck", ROOT / "models"):
        for p in sorted(base.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(p.read_bytes())
    return h.hexdigest()[:12]


def cache_env(folder: Path) -> dict:
    """A fresh result cache in ``folder`` that sees the user's converted models."""
    from mtcheck.locations import cache_base as cache_base_dir

    folder.mkdir(parents=True, exist_ok=True)
    real_models = cache_base_dir() / "models"
    if real_models.exists() and not (folder / "models").exists():
        (folder / "models").symlink_to(real_models, target_is_directory=True)
    return {"MTCHECK_CACHE_DIR": str(folder)}


def neural_args() -> list[str]:
    """Every model the scan can use, when the quality stage exists; else the parse alone."""
    return ["--neural", "--parse"] if have_quality() else ["--no-neural", "--parse"]


def _mode_note() -> str:
    return "neural + parse" if have_quality() else "rules + spaCy parse (mtcheck.quality not present: no fluency model)"


# -- sections ------------------------------------------------------------------------------------
def bench_rules(stories: int = 200) -> dict:
    """Rules-only throughput, in process, excluding start-up and model loading."""
    from mtcheck.config import Config
    from mtcheck.document import Document
    from mtcheck.engine import Scanner
    from mtcheck.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        build_corpus(Path(tmp), stories)
        texts = [p.read_text(encoding="utf-8") for p in sorted(Path(tmp).glob("*.txt"))]
    kb = sum(len(t.encode("utf-8")) for t in texts) / 1024
    out = {}
    for parse in (False, True):
        scanner = Scanner(Settings(config=Config(), neural=False, parse=parse))
        scanner.pipeline.run([Document.from_text(texts[0])])  # loads the parse model, gazetteers
        docs = [Document.from_text(t, path=f"{i}.txt") for i, t in enumerate(texts)]
        started = time.perf_counter()
        scanner.pipeline.run(docs)
        seconds = time.perf_counter() - started
        key = "with_parse" if parse else "without_parse"
        out[key] = kb / seconds
        print(f"rules-only throughput {'with' if parse else 'without'} the spaCy parse: {kb / seconds:7.1f} KB/s "
              f"({kb:.0f} KB, {len(docs)} stories, {sum(len(d.sentences) for d in docs)} sentences, {seconds:.1f} s; {load()})")
    return out


def bench_fluency(n: int = 400) -> dict:
    if importlib.util.find_spec("mtcheck.neural.fluency") is None:
        print("fluency: mtcheck.neural.fluency not present; skipped")
        return {}
    sources = sentence_sources()
    texts = (sources.get("daseg-mt") or [])[:n]
    if len(texts) < n:
        from mtcheck.document import Document

        for p in sorted(SEEDS.glob("*.txt")):
            texts += [s.text for s in Document.from_text(p.read_text(encoding="utf-8")).sentences]
        texts = (texts * (n // max(1, len(texts)) + 1))[:n]
    out = {}
    for mode in ("none", "int8"):
        code = (
            "import os, sys, time, json\n"
            "from mtcheck.neural import fluency\n"
            "texts = json.loads(sys.stdin.read())\n"
            "fluency.features(texts[:8])\n"
            "t = time.perf_counter(); fluency.features(texts); dt = time.perf_counter() - t\n"
            "print(len(texts) / dt, fluency.configure_threads())\n"
        )
        import json

        res = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True,
                             env={**os.environ, "MTCHECK_FLUENCY_QUANTIZE": mode}, cwd=ROOT)
        if res.returncode != 0:
            print(f"fluency ({mode}): failed: {res.stderr.strip().splitlines()[-1:]}")
            continue
        rate, threads = res.stdout.split()[-2:]
        out[mode] = float(rate)
        print(f"fluency scorer, {mode:>4} weights: {float(rate):6.1f} sentences/s ({n} daseg MT sentences, batched, "
              f"{threads} threads; {load()})")
    if "none" in out and "int8" in out:
        print(f"fluency int8 speed-up: x{out['int8'] / out['none']:.2f}")
    return out


def bench_seeds(repeats: int = 2) -> dict:
    """`mtcheck scan seeds/` cold (models prepared, empty result cache) then warm."""
    args = ["scan", str(SEEDS), *neural_args()]
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        # Prepare the models once (a conversion is not part of a cold scan).
        run_cli(args + ["--no-cache"], cache_env(Path(tmp) / "prep"))
        colds, warms = [], []
        for k in range(repeats + 3):
            if len(colds) == repeats:
                break
            env = cache_env(Path(tmp) / f"c{k}")
            state = code_state()
            cold, warm = run_cli(args, env), run_cli(args, env)
            if code_state() != state:
                print("  (code or models changed during a cold/warm pair; measuring again)")
                continue
            colds.append(cold)
            warms.append(warm)
        cold = min(r["wall_s"] for r in colds)
        warm = min(r["wall_s"] for r in warms)
        out = {"cold_s": cold, "warm_s": warm, "ratio": warm / cold}
        print(f"mtcheck scan seeds/ ({_mode_note()}): cold {cold:.2f} s, warm {warm:.2f} s "
              f"= {100 * warm / cold:.1f}% of cold (best of {repeats}; peak RSS cold {colds[0]['tree_peak_mb']:.0f} MB, "
              f"warm {warms[0]['tree_peak_mb']:.0f} MB; {load()})")
        rules = ["scan", str(SEEDS), "--no-neural"]
        env = cache_env(Path(tmp) / "rules")
        c, w = run_cli(rules, env), run_cli(rules, env)
        print(f"mtcheck scan seeds/ --no-neural: cold {c['wall_s']:.2f} s, warm {w['wall_s']:.2f} s ({load()})")
    return out


MODE_FLAGS = {"jobs1": ["--jobs", "1"], "jobs2": ["--jobs", "2"], "dask1": ["--dask", "local:1"], "dask2": ["--dask", "local:2"]}


def bench_corpus(stories: int = 1000, modes: tuple[str, ...] = ("jobs1", "jobs2", "dask1", "dask2"),
                 neural: bool = False, warm: bool = True) -> dict:
    """Scan a built corpus once per mode (result cache off): wall time, KB/s, peak RSS.
    ``neural``: every model (fluency, quality, parse); else the rules with the spaCy parse."""
    args = neural_args() if neural else ["--no-neural", "--parse"]
    what = _mode_note() if neural else "rules + spaCy parse"
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        info = build_corpus(folder, stories)
        from mtcheck.reader import read_document

        n_sent = sum(len(read_document(str(p)).sentences) for p in folder.glob("*.txt"))
        print(f"corpus: {info['stories']} stories, {n_sent} sentences, {info['bytes'] / 1024:.0f} KB, from the seeds and "
              f"{info['sources']} shared sources; scanning with {what}, result cache off")
        env = cache_env(Path(tmp) / "cache")
        for mode in modes:
            r = run_cli(["scan", str(folder), *args, "--no-cache", "--format", "json", *MODE_FLAGS[mode]], env)
            out[mode] = r
            status = "" if r["rc"] in (0, 1) else f" FAILED rc={r['rc']}: {r['stderr'][-300:]}"
            print(f"  {mode:6} wall {r['wall_s']:7.1f} s  {info['bytes'] / 1024 / r['wall_s']:6.1f} KB/s  "
                  f"{n_sent / r['wall_s']:6.1f} sentences/s  peak RSS {r['tree_peak_mb']:6.0f} MB (process tree; "
                  f"CLI process {r['max_process_mb']:.0f} MB)  ({load()}){status}")
        if "jobs1" in out:
            for mode in modes:
                if mode != "jobs1":
                    print(f"  speed-up {mode} vs jobs1: x{out['jobs1']['wall_s'] / out[mode]['wall_s']:.2f}")
        if warm:  # the same corpus again, result cache on: filling run, then warm
            r1 = run_cli(["scan", str(folder), *args, "--format", "json"], env)
            r2 = run_cli(["scan", str(folder), *args, "--format", "json"], env)
            print(f"  result cache: filling run {r1['wall_s']:.1f} s, warm run {r2['wall_s']:.1f} s "
                  f"({100 * r2['wall_s'] / r1['wall_s']:.1f}%; {load()})")
    return out


SECTIONS = {"rules": bench_rules, "fluency": bench_fluency, "seeds": bench_seeds, "corpus": bench_corpus}


def _corpus_section(args=None) -> None:
    """1,000-story corpus: wall time, peak RSS, --jobs 1 vs 2, Dask local 1 vs 2 workers."""
    bench_corpus(getattr(args, "stories", 1000))
    if have_quality() and getattr(args, "neural_stories", 100):
        bench_corpus(getattr(args, "neural_stories", 100), ("jobs1", "jobs2"), neural=True)


# For scripts/bench.py, whose sections take its argparse namespace.
BENCH_SECTIONS = {
    "scale-rules": lambda args=None: bench_rules(),
    "scale-seeds": lambda args=None: bench_seeds(),
    "scale-corpus": _corpus_section,
}
BENCH_SECTIONS["scale-rules"].__doc__ = "rules-only throughput (KB/s) without and with the spaCy parse"
BENCH_SECTIONS["scale-seeds"].__doc__ = "mtcheck scan seeds/ cold (models prepared, empty result cache) vs warm"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sections", nargs="*", metavar="SECTION", help=f"some of {', '.join(SECTIONS)} (default: all)")
    ap.add_argument("--stories", type=int, default=1000, help="corpus size for the rules + parse runs (default 1000)")
    ap.add_argument("--modes", default="jobs1,jobs2,dask1,dask2")
    ap.add_argument("--neural-stories", type=int, default=100,
                    help="corpus size for the runs with every model (default 100; 0 to skip): the fluency model "
                         "makes a 1,000-story run take most of an hour on 2 cores")
    ap.add_argument("--neural-modes", default="jobs1,jobs2")
    args = ap.parse_args(argv)
    unknown = [x for x in args.sections if x not in SECTIONS]
    if unknown:
        ap.error(f"unknown section(s) {', '.join(unknown)}; expected some of {', '.join(SECTIONS)}")
    print(f"# bench_scale: {os.cpu_count()} cores; {load()}; quality stage {'present' if have_quality() else 'absent'}")
    for name in args.sections or list(SECTIONS):
        if name == "corpus":
            bench_corpus(args.stories, tuple(m for m in args.modes.split(",") if m))
            if args.neural_stories and have_quality():
                bench_corpus(args.neural_stories, tuple(m for m in args.neural_modes.split(",") if m), neural=True)
        else:
            SECTIONS[name]()


if __name__ == "__main__":
    main()
