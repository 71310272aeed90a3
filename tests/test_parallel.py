"""``--jobs N``: the same report as ``--jobs 1``, byte for byte and in the same order; and the
rules-only path never imports a model framework, in the main process or in the workers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtcheck.cli import cli
from mtcheck.config import Config
from mtcheck.engine import Scanner
from mtcheck.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
HEAVY = ("torch", "transformers", "sentence_transformers")


@pytest.fixture(autouse=True)
def _own_cache_base(tmp_path, monkeypatch):
    monkeypatch.setenv("MTCHECK_CACHE_DIR", str(tmp_path / "base"))


def make_corpus(folder: Path, copies: int = 6) -> Path:
    """The seeds, variants of them (paragraphs rotated, so every story differs), a nested
    folder, and files the reader refuses (empty, binary), interleaved."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    for k in range(copies):
        sub = folder / (f"desk{k % 3}" if k % 2 else "")
        sub.mkdir(exist_ok=True)
        for seed in seeds:
            paras = seed.read_text(encoding="utf-8").split("\n\n")
            rotated = paras[k % len(paras):] + paras[:k % len(paras)]
            (sub / f"{k:02d}_{seed.name}").write_text("\n\n".join(rotated), encoding="utf-8")
    (folder / "03_empty.txt").write_bytes(b"")
    (folder / "desk1" / "07_binary.txt").write_bytes(bytes(range(256)) * 8)
    shutil.copy(seeds[0], folder / "zz_cp1251.txt")
    (folder / "zz_cp1251.txt").write_bytes("Министерство обороны сообщило.\n".encode("cp1251") + seeds[0].read_bytes())
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("parallel") / "stories")


def _messages(stderr: str) -> list[str]:
    """stderr without the progress lines, which appear only when a run is slow (a loaded machine)."""
    return [line for line in stderr.splitlines() if not line.endswith("still working...")]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_jobs_2_report_is_identical_to_jobs_1(corpus, fmt):
    runner = CliRunner()
    base = ["scan", str(corpus), "--no-neural", "--no-cache", "--format", fmt]
    one = runner.invoke(cli, base + ["--jobs", "1"])
    two = runner.invoke(cli, base + ["--jobs", "2"])
    assert one.exit_code == two.exit_code == 2, one.output  # the empty and binary files
    assert one.stdout == two.stdout
    assert _messages(one.stderr) == _messages(two.stderr)
    if fmt == "json":
        report = json.loads(one.stdout)
        assert report["summary"]["files_scanned"] == 31 and report["summary"]["findings"] > 0
        assert [f["path"] for f in report["files"]] == sorted(f["path"] for f in report["files"])


def test_jobs_with_small_batches_keeps_input_order(corpus):
    """Several batches in flight at once: results still come back in discovery order."""
    local = Scanner(Settings(config=Config(), neural=False, parse=False))
    pooled = Scanner(Settings(config=Config(), neural=False, parse=False, jobs=2))
    expected = list(local.scan([str(corpus)], batch_size=3))
    got = list(pooled.scan([str(corpus)], batch_size=3))
    assert [r.path for r in got] == [r.path for r in expected]
    for a, b in zip(got, expected):
        assert (a.error is None) == (b.error is None)
        if a.document is not None:
            assert a.document.findings == b.document.findings
            assert [s.scores for s in a.document.sentences] == [s.scores for s in b.document.sentences]
    assert pooled.stats["analysed"] == local.stats["analysed"] == 31


def test_chunks_partition_in_order():
    from mtcheck.document import Document
    from mtcheck.parallel import _chunks

    docs = [Document.from_text("x" * (1 + (i * 37) % 11), path=str(i)) for i in range(17)]
    for n in (1, 2, 4, 40):
        chunks = _chunks(docs, n)
        assert [d for c in chunks for d in c] == docs
        assert 1 <= len(chunks) <= min(n, len(docs)) and all(chunks)


def test_rules_only_scans_never_import_model_frameworks(corpus):
    """`mtcheck --help`, and `scan --no-neural` with --jobs 1 and 2: neither the CLI process
    nor the rule workers import torch, transformers or sentence-transformers."""
    probe = textwrap.dedent(f"""
        import json, sys
        from mtcheck.cli import cli
        from mtcheck import parallel
        heavy = {HEAVY!r}
        seen = {{}}
        for args in (["--help"], ["scan", {str(corpus)!r}, "--no-neural", "--no-cache", "--jobs", "1"],
                     ["scan", {str(corpus)!r}, "--no-neural", "--no-cache", "--jobs", "2"]):
            try:
                cli.main(args, prog_name="mtcheck", standalone_mode=True)
            except SystemExit:
                pass
            seen[" ".join(args[:1] + args[-2:])] = [m for m in heavy if m in sys.modules]
        from mtcheck.config import Config
        from mtcheck.engine import Scanner
        from mtcheck.settings import Settings
        scanner = Scanner(Settings(config=Config(), neural=False, parse=False, jobs=2))
        backend = parallel.ProcessBackend(scanner.pipeline, 2)
        from mtcheck.engine import _read_one
        items = [(0, _read_one({str(SEEDS / '000_b789fdac0961f31d.txt')!r}, None))]
        backend.submit(items)
        backend.completed(block=True)
        pool = backend._executor()
        seen["workers"] = sorted(set(m for f in [pool.submit(parallel.heavy_modules_loaded) for _ in range(4)] for m in f.result()))
        backend.close()
        print("PROBE" + json.dumps(seen))
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = next((x for x in out.stdout.splitlines() if x.startswith("PROBE")), None)
    assert line is not None, out.stderr[-2000:]
    seen = json.loads(line[5:])
    assert len(seen) == 4
    for what, modules in seen.items():
        assert not [m for m in modules if m in HEAVY], f"{what} imported {modules}"


class _Terminal:
    def __init__(self, tty: bool):
        self.tty, self.chunks = tty, []

    def isatty(self):
        return self.tty

    def write(self, s):
        self.chunks.append(s)

    def flush(self):
        pass


@pytest.mark.parametrize("tty", [True, False])
def test_progress_bar_only_on_a_terminal(corpus, tty):
    from mtcheck.progress import Progress

    stream = _Terminal(tty)
    scanner = Scanner(Settings(config=Config(), neural=False, parse=False))
    # redraw=0: a fast machine scans the 33 stories within the default 0.1 s between redraws.
    with Progress("scan", stream=stream, delay=0, redraw=0) as progress:
        results = list(scanner.scan([str(corpus)], batch_size=8, progress=progress))
    assert progress.documents == len(results) == 33
    assert progress.sentences == sum(len(r.document.sentences) for r in results if r.document)
    drawn = "".join(stream.chunks)
    if tty:
        assert "/33 [" in drawn and "sentences/s" in drawn and "doc/s" in drawn
    else:
        assert drawn == ""


def test_a_dead_worker_fails_its_batch_with_a_message_not_a_traceback(corpus):
    import signal
    import time

    from mtcheck.engine import _read_one
    from mtcheck.parallel import ProcessBackend

    scanner = Scanner(Settings(config=Config(), neural=False, parse=False, jobs=2))
    backend = ProcessBackend(scanner.pipeline, 2)
    seed = str(SEEDS / "001_6dfbf46b29b8d6d9.txt")
    try:
        backend.submit([(0, _read_one(seed, None))])
        [(items, error)] = backend.completed(block=True)
        assert error is None and items[0][1].findings is not None
        for pid in list(backend._pool._processes):
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        backend.submit([(1, _read_one(seed, None))])
        [(items, error)] = backend.completed(block=True)
        assert items[0][0] == 1 and "worker process died" in error
    finally:
        backend.close()
