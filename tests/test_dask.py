"""``--dask``: a real dask.distributed scheduler with worker processes on localhost. The
report must be the one a local run prints; failed tasks are retried; workers with another
mtcheck are refused with one line."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")

from click.testing import CliRunner  # noqa: E402

import mtcheck.distributed as mtdask  # noqa: E402
from mtcheck.cli import cli  # noqa: E402
from mtcheck.config import Config  # noqa: E402
from mtcheck.engine import Scanner  # noqa: E402
from mtcheck.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
MTCHECK = str(Path(sys.executable).with_name("mtcheck"))

# Plugins below travel to the workers by value: the workers cannot import this test module.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(autouse=True)
def _own_cache_base(tmp_path, monkeypatch):
    monkeypatch.setenv("MTCHECK_CACHE_DIR", str(tmp_path / "base"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dask") / "stories"
    folder.mkdir()
    for k in range(3):
        for seed in sorted(SEEDS.glob("*.txt")):
            paras = seed.read_text(encoding="utf-8").split("\n\n")
            (folder / f"{k}_{seed.name}").write_text("\n\n".join(paras[k:] + paras[:k]), encoding="utf-8")
    (folder / "1_empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=logging.ERROR) as c:
        with distributed.Client(c.scheduler_address, set_as_default=False) as client:
            yield c, client


def _local_json(corpus: Path) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["scan", str(corpus), "--no-neural", "--no-cache", "--format", "json"])
    return res.exit_code, res.stdout


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([MTCHECK, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_scan_on_a_running_scheduler_matches_the_local_run(cluster, corpus):
    c, _ = cluster
    code, expected = _local_json(corpus)
    out = _cli("scan", str(corpus), "--no-neural", "--no-cache", "--format", "json", "--dask", c.scheduler_address)
    assert out.returncode == code == 2, out.stderr  # the empty file
    assert out.stdout == expected
    assert "1_empty.txt" in out.stderr and "Traceback" not in out.stderr


def _scanners_per_worker() -> int:
    import mtcheck.distributed

    return len(mtcheck.distributed._pipelines)


def test_batches_spread_over_the_workers_and_come_back_in_order(cluster, corpus, tmp_path):
    c, client = cluster
    local = list(Scanner(Settings(config=Config(), neural=False, parse=False)).scan([str(corpus)]))
    scanner = Scanner(Settings(config=Config(), neural=False, parse=False, dask=c.scheduler_address,
                                            cache=True, cache_dir=str(tmp_path / "c")))
    remote = list(scanner.scan([str(corpus)], batch_size=2))
    assert [r.path for r in remote] == [r.path for r in local]
    for a, b in zip(remote, local):
        assert (a.document is None) == (b.document is None)
        if a.document is not None:
            assert a.document.findings == b.document.findings
    assert scanner.stats["analysed"] == 15 and scanner.stats["failed"] == 0
    assert all(n >= 1 for n in client.run(_scanners_per_worker).values()), "both workers should have worked"
    # Results were cached as they arrived: a second run needs no cluster at all.
    again = Scanner(Settings(config=Config(), neural=False, parse=False, dask="tcp://127.0.0.1:9",
                                          cache=True, cache_dir=str(tmp_path / "c")))
    assert [r.path for r in again.scan([str(corpus)])] == [r.path for r in local]
    assert again.stats["cached"] == 15


class FailFirstTask(distributed.WorkerPlugin):
    """Makes the first analysis task on the cluster raise (once, across workers: a marker
    file on this machine's disk), as a crashing model or a lost GPU would."""

    name = "mtcheck-fail-first-task"

    def __init__(self, marker: str):
        self.marker = marker

    def setup(self, worker):
        import mtcheck.distributed as target

        self.original = target.analyse_batch
        marker, original = self.marker, self.original

        def failing_once(spec, shipped):
            try:
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return original(spec, shipped)
            os.close(fd)
            raise RuntimeError("injected failure")

        target.analyse_batch = failing_once

    def teardown(self, worker):
        import mtcheck.distributed as target

        target.analyse_batch = self.original


def test_a_failed_task_is_retried(cluster, corpus, tmp_path):
    c, client = cluster
    marker = tmp_path / "failed-once"
    client.register_plugin(FailFirstTask(str(marker)))
    try:
        scanner = Scanner(Settings(config=Config(), neural=False, parse=False, dask=c.scheduler_address))
        remote = list(scanner.scan([str(corpus)], batch_size=4))
    finally:
        client.unregister_worker_plugin(FailFirstTask.name)
    assert marker.exists(), "the injected failure did not happen"
    local = list(Scanner(Settings(config=Config(), neural=False, parse=False)).scan([str(corpus)]))
    assert scanner.stats["failed"] == 0
    assert [(r.path, r.findings) for r in remote] == [(r.path, r.findings) for r in local]


class OtherVersion(distributed.WorkerPlugin):
    name = "mtcheck-other-version"

    def setup(self, worker):
        import mtcheck.distributed as target

        self.original = target.identity
        target.identity = lambda spec=None: {"mtcheck": "0.0.0", "pipeline": "0000"}

    def teardown(self, worker):
        import mtcheck.distributed as target

        target.identity = self.original


def test_workers_with_another_mtcheck_are_refused(cluster, corpus):
    c, client = cluster
    client.register_plugin(OtherVersion())
    try:
        out = _cli("scan", str(corpus), "--no-neural", "--no-cache", "--dask", c.scheduler_address)
    finally:
        client.unregister_worker_plugin(OtherVersion.name)
    assert out.returncode == 2
    assert "install the same mtcheck on every worker" in out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_unreachable_scheduler_is_one_line(monkeypatch, corpus):
    monkeypatch.setattr(mtdask, "CONNECT_TIMEOUT_S", 1)
    res = CliRunner().invoke(cli, ["scan", str(corpus), "--no-neural", "--no-cache", "--dask", "tcp://127.0.0.1:9"])
    assert res.exit_code == 2
    assert res.stderr.startswith("mtcheck: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert len(res.stderr.strip().splitlines()) == 1
    bad = CliRunner().invoke(cli, ["scan", str(corpus), "--no-neural", "--dask", "local:zero"])
    assert bad.exit_code == 2 and "local:N" in bad.stderr


def test_local_cluster_option_matches_the_local_run(corpus, tmp_path):
    single = tmp_path / "one"
    single.mkdir()
    for p in sorted(corpus.glob("0_*.txt")):
        shutil.copy(p, single)
    code, expected = _local_json(single)
    out = _cli("scan", str(single), "--no-neural", "--no-cache", "--format", "json", "--dask", "local:2")
    assert out.returncode == code, out.stderr
    assert out.stdout == expected
