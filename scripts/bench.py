"""Speed figures for mtcheck, one section per component.

    python scripts/bench.py SECTION [SECTION...]     # e.g. fluency
    python scripts/bench.py all
    python scripts/bench.py --list

Each section is a function registered in ``SECTIONS``; it prints its own figures. Timings on
a shared machine are noisy: every section prints the load average before it starts, and
figures should be quoted together with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"
MTCHECK = [sys.executable, "-m", "mtcheck"]


def load_note() -> str:
    from mtcheck import kernels  # speed depends on the kernel family in force (MTCHECK_KERNELS)

    family = f"{kernels.label()} kernels"
    try:
        one, five, _ = os.getloadavg()
        return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores, {family}"
    except OSError:
        return f"load average unknown, {family}"


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return time.perf_counter() - start, proc.returncode


def pearson(a, b) -> float:
    import numpy as np

    return float(np.corrcoef(np.asarray(a, float), np.asarray(b, float))[0, 1])


# -- fluency ----------------------------------------------------------------------------------
# Run in a fresh interpreter: counts every model load of a whole `mtcheck scan` (transformers,
# sentence-transformers, CTranslate2 and spaCy loaders are wrapped before mtcheck uses them).
_LOAD_PROBE = r"""
import collections, json, sys
loads = collections.Counter()
import transformers.modeling_utils as mu
_fp = mu.PreTrainedModel.from_pretrained.__func__
def _from_pretrained(cls, *a, **k):
    loads["transformers " + cls.__name__ + " " + str(a[0] if a else k.get("pretrained_model_name_or_path"))] += 1
    return _fp(cls, *a, **k)
mu.PreTrainedModel.from_pretrained = classmethod(_from_pretrained)
try:
    import sentence_transformers
    _st = sentence_transformers.SentenceTransformer.__init__
    def _init(self, *a, **k):
        loads["sentence-transformers " + str(a[0] if a else k.get("model_name_or_path"))] += 1
        return _st(self, *a, **k)
    sentence_transformers.SentenceTransformer.__init__ = _init
except ImportError:
    pass
try:
    import ctranslate2
    for _cls in ("Generator", "Translator"):
        def _make(orig, kind):
            def _ct2(path, *a, **k):
                loads["ctranslate2 " + kind + " " + str(path)] += 1
                return orig(path, *a, **k)
            return _ct2
        setattr(ctranslate2, _cls, _make(getattr(ctranslate2, _cls), _cls))
except ImportError:
    pass
from mtcheck.neural import parse
parse.import_spacy()
import spacy.util
_sp = spacy.util.load_model_from_init_py
def _spacy(init_file, **k):
    loads["spacy " + str(init_file)] += 1
    return _sp(init_file, **k)
spacy.util.load_model_from_init_py = _spacy
from mtcheck.cli import cli
from mtcheck.neural import fluency
try:
    cli(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps({"loads": loads, "fluency": fluency.LOAD_COUNT}), file=sys.stderr)
"""


def _bench_sentences(n: int) -> list[str]:
    """Real MT output when the shared data is there, else the seed sentences (repeated)."""
    path = SHARED / "daseg-ru-en-2015" / "newstest2015.mt-system"
    if path.is_file():
        texts = [t for t in path.read_text(encoding="utf-8").splitlines() if t.strip()]
    else:
        from mtcheck.document import Document

        texts = [s.text for p in sorted((ROOT / "seeds").glob("*.txt"))
                 for s in Document.from_text(p.read_text(encoding="utf-8")).sentences]
    return (texts * (n // len(texts) + 1))[:n]


def _throughput(model, texts: list[str]) -> tuple[float, float]:
    model.token_scores(texts[:8])  # warm-up: first-call allocations
    model.forget()  # timed as a fresh process would score them: nothing remembered from the warm-up
    start = time.perf_counter()
    scores = model.token_scores(texts)
    dt = time.perf_counter() - start
    return len(texts) / dt, sum(len(s.ids) for s in scores) / dt


def bench_fluency(args) -> None:
    """Fluency scorer throughput (fp32 and dynamic int8), int8 agreement, `mtcheck scan seeds/`
    wall time with models prepared, and how often each model loads in one scan."""
    import importlib.util

    from mtcheck import quality
    from mtcheck.neural import fluency

    print(f"[fluency] {load_note()}")
    print(f"  threads {fluency.thread_count()}, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, "
          f"default backend {fluency.backend()}")
    texts = _bench_sentences(args.sentences)
    mean_words = sum(len(t.split()) for t in texts) / len(texts)
    agree = _bench_sentences(10**9)[: args.agreement] if args.agreement else []
    sample = _bench_seed_sentences() + agree
    backends = ["ctranslate2", "torch"] if importlib.util.find_spec("ctranslate2") else ["torch"]
    reference = None  # float32 quality of `sample` on the first backend
    for name in backends:
        for quantize in ("none", "int8"):
            dev = fluency.device(name)
            if quantize == "int8" and dev != "cpu":
                continue
            path = fluency.prepare(backend_name=name, quantize=quantize)  # models prepared: conversion is not timed
            start = time.perf_counter()
            model = fluency.FluencyModel(path, backend_name=name, device=dev, quantize=quantize)
            load_s = time.perf_counter() - start
            sps, tps = _throughput(model, texts)
            q = quality.score_rows(quality.features(sample, model.token_scores(sample)))
            default = name == fluency.backend() and quantize == fluency.quantize_mode()
            label = f"{name} {'float32' if quantize == 'none' else 'int8'} on {dev}{' (default)' if default else ''}"
            line = (f"  {label:38s} {sps:5.1f} sentences/s ({tps:4.0f} tokens/s), load {load_s:.2f} s; "
                    f"{len(texts)} news MT sentences of {mean_words:.0f} words on average")
            if reference is None:
                reference = q
            else:
                r = pearson(reference, q)
                worst = max(abs(a - b) for a, b in zip(reference, q))
                line += (f"\n  {'':38s} quality vs {backends[0]} float32 on {len(sample)} seed+daseg sentences: "
                         f"Pearson {r:.4f}, largest difference {worst:.3f} ({'holds' if r >= 0.99 else 'does NOT hold'} r >= 0.99)")
            print(line, flush=True)

    env = dict(os.environ)
    no_cache = ["--no-cache"] if _has_no_cache_flag() else []
    for label, extra in (("with models prepared", []), ("rules only (--no-neural)", ["--no-neural"])):
        runs = [timed(MTCHECK + ["scan", "seeds/", "--format", "json", *no_cache, *extra], env)
                for _ in range(args.repeats)]
        walls = sorted(w for w, _ in runs)
        print(f"  mtcheck scan seeds/ {label}: {walls[0]:.1f} s best of {len(walls)} "
              f"(all: {', '.join(f'{w:.1f}' for w in walls)}; exit {runs[0][1]})")

    proc = subprocess.run([sys.executable, "-c", _LOAD_PROBE, "scan", "seeds/", "--format", "json"],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        probe = json.loads(proc.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        print(f"  load probe failed: {proc.stderr.strip()[-300:]}")
        return
    twice = {k: v for k, v in probe["loads"].items() if v > 1}
    print(f"  model loads in one `mtcheck scan seeds/`: {dict(probe['loads']) or 'none'}; "
          f"fluency converted {probe['fluency']['convert']}x, loaded {probe['fluency']['load']}x")
    print(f"  no model loaded twice: {'yes' if not twice and probe['fluency']['load'] <= 1 else 'NO: ' + str(twice)}")


def _bench_seed_sentences() -> list[str]:
    from mtcheck.document import Document

    return [s.text for p in sorted((ROOT / "seeds").glob("*.txt"))
            for s in Document.from_text(p.read_text(encoding="utf-8")).sentences]


def _has_no_cache_flag() -> bool:
    """Whether `mtcheck scan` has a result cache to switch off (timings must not hit it)."""
    proc = subprocess.run(MTCHECK + ["scan", "--help"], cwd=ROOT, capture_output=True, text=True)
    return "--no-cache" in proc.stdout


# -- the default sentence scorer ----------------------------------------------------------------
QUALITY_TARGET = 30.0  # sentences/s of the default scorer on news sentences (issue 16), on 2 idle cores


def bench_quality(args) -> None:
    """Default sentence scorer (fluency model + calibrated quality): sentences/s (wall) and CPU s per sentence on newstest"""
    from mtcheck import quality
    from mtcheck.neural import fluency

    path = SHARED / "newstest-ru-en" / "newstest2016.en"
    texts = ([t.strip() for t in path.read_text(encoding="utf-8").splitlines() if t.strip()] if path.is_file()
             else _bench_seed_sentences())
    texts = texts[: args.sentences]
    model = fluency.load()
    quality.score_texts(texts[:8])  # warm-up: model, spaCy, word lists, first-call allocations
    before = load_note()
    # The steps of quality.score_texts, timed apart: the language-model pass, then the parse and
    # the features. On a shared machine wall time counts other people's work; CPU time (all
    # threads of this process) much less, but a busy machine still inflates it (caches shared
    # with other processes), so the best of --repeats runs is the figure.
    runs = []
    for _ in range(max(1, args.repeats)):
        model.forget()  # every run scores afresh, nothing taken from the memos
        if quality.needs_parse():
            quality.dep_order_model().forget()
        cpu, wall = time.process_time(), time.perf_counter()
        scores = quality.lm_scores(texts)
        lm_cpu = time.process_time() - cpu
        values = quality.score_rows(quality.features(texts, scores))
        runs.append((time.process_time() - cpu, time.perf_counter() - wall, lm_cpu))
    assert values == quality.score_texts(texts), "the timed steps must be score_texts' own"
    cpu, wall, lm_cpu = min(runs)
    # 2 cores can give at most 2 CPU seconds per second.
    cores = fluency.thread_count()
    n = len(texts)
    print(f"[quality] {before}; after: {load_note()}")
    print(f"  {model.backend} {'int8' if model.quantize == 'int8' else 'float32'}, {cores} threads: "
          f"{n / wall:5.1f} sentences/s wall, {cpu / n * 1000:5.1f} ms CPU per sentence "
          f"(language model {lm_cpu / n * 1000:.1f}, parse and features {(cpu - lm_cpu) / n * 1000:.1f}; "
          f"best of {len(runs)}: {', '.join(f'{c / n * 1000:.1f}' for c, _, _ in runs)}) "
          f"= at most {cores / (cpu / n):5.1f} sentences/s on {cores} idle cores (target {QUALITY_TARGET:.0f}); "
          f"{n} newstest2016 sentences of {sum(len(t.split()) for t in texts) / n:.0f} words")


# -- registry ---------------------------------------------------------------------------------
SECTIONS: dict[str, Callable] = {
    "fluency": bench_fluency,
    "quality": bench_quality,
}

# Scale sections (result cache, --jobs, Dask): scripts/bench_scale.py.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import BENCH_SECTIONS as _SCALE_SECTIONS  # noqa: E402

SECTIONS.update(_SCALE_SECTIONS)


# Import gating (journal, moves, fsyncs): scripts/bench_gate.py.
def _gate_section(args=None) -> None:
    """mtcheck gate throughput on a 1,000-story inbox (rules-only, --jobs 2, a neural sample)"""
    from bench_gate import bench_gate

    bench_gate()


SECTIONS["gate"] = _gate_section


# Editor latency (didChange -> publishDiagnostics of `mtcheck lsp`): scripts/bench_lsp.py.
def _lsp_section(args=None) -> None:
    """mtcheck lsp: didChange -> publishDiagnostics latency on a 40-sentence story (rules-only)"""
    from bench_lsp import bench_lsp

    bench_lsp(args)


SECTIONS["lsp"] = _lsp_section


# Wire formats (issue 12): reading and extracting ninjs, NewsML-G2, NITF, feeds and web pages.
WIRE_TARGET = 0.20  # the most reading and extracting may add to a rules-only scan of the same stories


def _wire_section(args=None) -> None:
    """wire formats: rules-only scan of the seed stories as plain text vs as each wire format (target: at most +20%)"""
    import time

    from mtcheck import reader
    from mtcheck.engine import Scanner
    from mtcheck.reader import discover
    from mtcheck.settings import Settings

    root = Path(__file__).resolve().parents[1]
    wire = root / "tests" / "data" / "wire"
    seeds = sorted((root / "seeds").glob("*.txt"))
    formats = {"plain": [str(p) for p in seeds]}
    for suffix in ("ninjs3.json", "ninjs2.json", "nitf.xml", "newsml.xml", "rss.xml", "atom.xml", "page.html"):
        formats[suffix] = [str(wire / f"{p.stem}.{suffix}") for p in seeds]
    scanner = Scanner(Settings(neural=False, cache=False))
    for paths in formats.values():  # warm: rule data, readers and the parser loaded once
        list(scanner.scan([n for p in paths for n, _ in discover([p])]))
    rounds = max(5, 3 * getattr(args, "repeats", 2))
    times: dict[str, list[float]] = {name: [] for name in formats}
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # not installed: the machine's own thread count
        import contextlib

        def threadpool_limits(limits=None):
            return contextlib.nullcontext()

    # One BLAS thread (the parser's matrix products): on a loaded machine idle worker threads
    # spinning would count as CPU time of whichever format happened to run then. The formats
    # take turns within each round, so a change in the machine's load hits them all alike.
    reads: dict[str, list[float]] = {name: [] for name in formats}
    with threadpool_limits(limits=1):
        for _ in range(rounds):
            for name, paths in formats.items():
                # CPU time, not wall time: the figure is about the work reading adds.
                t = time.process_time()
                for _r in range(4):
                    reader._MEMO.clear()  # as a fresh run: every file parsed once, not from the last round
                    results = list(scanner.scan([n for p in paths for n, _ in discover([p])]))
                times[name].append((time.process_time() - t) / 4)
                assert all(r.error is None for r in results), [r.error for r in results if r.error]
                # Reading and extracting alone (discovery, decoding, the reader), as the scan does it.
                t = time.process_time()
                for _r in range(4):
                    reader._MEMO.clear()
                    for n in [n for p in paths for n, _ in discover([p])]:
                        reader.read_document(n)
                reads[name].append((time.process_time() - t) / 4)
    best = {name: min(ts) for name, ts in times.items()}
    read = {name: min(ts) for name, ts in reads.items()}
    base = best["plain"]
    print(f"wire: rules-only scan of {len(seeds)} seed stories, CPU time, best of {rounds} rounds x 4")
    print(f"  {'format':12s} {'scan':>8s} {'vs plain':>9s} {'reading':>8s} {'reading adds':>13s}")
    worst = 0.0
    for name, t in best.items():
        if name == "plain":
            print(f"  {name:12s} {t * 1000:6.1f}ms {'':>9s} {read[name] * 1000:6.1f}ms")
            continue
        # What reading this format costs beyond reading the plain text, against the plain scan:
        # measured on its own, since the scans themselves vary by more than that on a busy machine.
        adds = (read[name] - read["plain"]) / base
        worst = max(worst, adds)
        print(f"  {name:12s} {t * 1000:6.1f}ms {(t / base - 1) * 100:+8.1f}% {read[name] * 1000:6.1f}ms {adds * 100:+12.1f}%")
    print(f"  reading and extracting adds at most {worst * 100:+.1f}% to the plain scan "
          f"(target: at most +{WIRE_TARGET * 100:.0f}%): {'PASS' if worst <= WIRE_TARGET else 'FAIL'}")


SECTIONS["wire"] = _wire_section


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sections", nargs="*", default=["all"], help="section names, or 'all'")
    ap.add_argument("--list", action="store_true", help="list the sections and exit")
    ap.add_argument("--sentences", type=int, default=200, help="fluency: sentences per throughput run")
    ap.add_argument("--agreement", type=int, default=500, help="fluency: daseg sentences for the int8 agreement check")
    ap.add_argument("--repeats", type=int, default=2, help="wall-time runs per command (best is reported)")
    args = ap.parse_args()
    if args.list:
        for name, fn in SECTIONS.items():
            print(f"{name:12s} {(fn.__doc__ or '').strip().splitlines()[0]}")
        return
    names = list(SECTIONS) if "all" in args.sections else args.sections
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        sys.exit(f"unknown section(s): {', '.join(unknown)} (known: {', '.join(SECTIONS)})")
    for name in names:
        SECTIONS[name](args)


if __name__ == "__main__":
    main()
