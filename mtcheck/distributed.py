"""``--dask SCHEDULER_ADDRESS`` / ``--dask local[:N]``: documents analysed on a Dask cluster.

The client (the ``mtcheck scan`` process) reads the stories, restores what it can from its
result cache, and submits the rest in the same batches a local run would analyse (one task
per batch, so the neural stage sees the same batches and the output is the same; a
rules-only scan, which gains nothing from batching, sends smaller tasks to balance the load). Each task
carries the texts and any cached sentence scores, never file paths: workers need not share
the client's disk. Results stream back as tasks finish and are cached as they arrive; the
scan puts them back in input order. A task that raises is retried (``RETRIES``); one whose
worker dies is rescheduled by the scheduler; a batch that still fails is reported per file
as an input error (exit 2), and the rest of the scan goes on.

Workers must run the same pipeline as the client: when the client connects, every worker
builds the pipeline from the client's settings and its key (``Pipeline.key()``: the
signature, the code and the libraries) must equal the client's. Each worker process keeps
one pipeline per distinct set of settings, so the models load once per worker, at the first
task that needs them.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import replace
from typing import TYPE_CHECKING

from mtcheck import __version__, codec
from mtcheck.pipeline import Pipeline

if TYPE_CHECKING:  # pragma: no cover
    from mtcheck.engine import FileResult

RETRIES = 2
RULES_TASK_SIZE = 8  # documents per task when no neural stage runs
CONNECT_TIMEOUT_S = 20
WAIT_FOR_WORKERS_S = 60


class ClusterError(Exception):
    """The cluster cannot be used (unreachable, no workers, different mtcheck); one line."""


def parse_local(address: str) -> int | None:
    """``local`` / ``local:N`` -> N (0 for one worker per core); None for a scheduler address."""
    if address == "local":
        return 0
    if address.startswith("local:"):
        n = address.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            raise ClusterError(f"--dask {address}: expected local or local:N with N >= 1 workers")
        return int(n)
    return None


def identity(spec: dict | None = None) -> dict:
    """What must match between the client and every worker: the mtcheck version and the key of
    the pipeline built from ``spec`` (the client's settings) where this runs."""
    return {"mtcheck": __version__, "pipeline": _build(spec).key() if spec is not None else None}


class DaskBackend:
    def __init__(self, pipeline: Pipeline, address: str):
        try:
            import distributed
        except ImportError:
            raise ClusterError("--dask needs dask.distributed: pip install 'mtcheck[dask]'") from None
        self._distributed = distributed
        self.pipeline = pipeline
        self.cluster = None
        self.client = None
        n_local = parse_local(address)
        try:
            if n_local is not None:
                self.cluster = _local_cluster(n_local or (os.cpu_count() or 1))
                address = self.cluster.scheduler_address
            self.client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except ClusterError:
            raise
        except (OSError, TimeoutError, ValueError) as e:
            self.close()
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {e}") from None
        try:
            spec = pipeline.spec()
            self._check_workers(address, spec)
            self._spec = self.client.scatter(spec, broadcast=True, hash=False)
        except BaseException:
            self.close()
            raise
        workers = len(self.client.scheduler_info().get("workers", {})) or 1
        self.limit = 2 * workers  # tasks in flight: every worker busy, one queued each
        self._as_completed = distributed.as_completed(loop=self.client.loop)
        self._items: dict[str, list] = {}

    def _check_workers(self, address: str, spec: dict) -> None:
        try:
            self.client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_S)
        except (TimeoutError, OSError):
            raise ClusterError(f"no Dask workers joined the scheduler at {address} within {WAIT_FOR_WORKERS_S} s") from None
        mine = {"mtcheck": __version__, "pipeline": spec["key"]}
        try:
            theirs = self.client.run(identity, spec)
        except Exception as e:  # e.g. ModuleNotFoundError while unpickling on a worker
            raise ClusterError(
                f"Dask workers at {address} cannot run mtcheck ({type(e).__name__}: {e}); "
                f"install mtcheck {__version__} on every worker"
            ) from None
        for worker, them in sorted(theirs.items()):
            if them != mine:
                raise ClusterError(
                    f"Dask worker {worker} runs mtcheck {them.get('mtcheck')} (pipeline {str(them.get('pipeline'))[:12]}), "
                    f"this client {mine['mtcheck']} (pipeline {mine['pipeline'][:12]}): install the same mtcheck on every "
                    "worker (same code, models and libraries)"
                )

    @property
    def pending(self) -> int:
        return len(self._items)

    def full(self) -> bool:
        return len(self._items) >= self.limit

    def submit(self, items: list[tuple[int, "FileResult"]]) -> None:
        # With the neural stage, one task per batch: the scorer batches across it exactly as a
        # local run would. Without it, batching buys nothing: smaller tasks balance the workers.
        size = len(items) if any(s.central for s in self.pipeline.stages) else RULES_TASK_SIZE
        for start in range(0, len(items), size):
            part = items[start:start + size]
            shipped = [codec.ship(r.document) for _, r in part]
            future = self.client.submit(analyse_batch, self._spec, shipped, retries=RETRIES, pure=False)
            self._items[future.key] = part
            self._as_completed.add(future)

    def completed(self, block: bool = False) -> list:
        if not self._items:
            return []
        if block:
            futures = [next(self._as_completed)]
        else:
            futures = []
        if self._as_completed.has_ready():
            futures += self._as_completed.next_batch(block=False)
        done = []
        for future in futures:
            items = self._items.pop(future.key)
            if future.status == "error":
                exc = future.exception()
                done.append((items, f"{type(exc).__name__}: {exc}"))
                continue
            if future.status != "finished":  # cancelled, or lost with its scheduler
                done.append((items, f"task {future.status}"))
                continue
            payloads = future.result()
            for (_, r), payload in zip(items, payloads):
                r.extras.update(codec.apply_annotations(r.document, payload))
            done.append((items, None))
            future.release()
        return done

    def close(self) -> None:
        if self.client is not None:
            try:
                if self._items:
                    self.client.cancel(list(self._as_completed.futures), force=True)
            except Exception:
                pass
            self._items = {}
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


def _local_cluster(n_workers: int):
    from distributed import LocalCluster

    # Each worker is a process with one task thread; the cores are shared between workers
    # for torch's intra-op threads (Dask's default would give each worker one).
    threads = str(max(1, (os.cpu_count() or 1) // n_workers))
    env = {name: threads for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    return LocalCluster(
        n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=logging.ERROR, env=env,
    )


# -- on the workers ----------------------------------------------------------------------------
_lock = threading.Lock()  # one batch at a time per worker process: the models are shared
_pipelines: dict[str, Pipeline] = {}


class VersionMismatch(RuntimeError):
    pass


def _build(spec: dict) -> Pipeline:
    pipeline = _pipelines.get(spec["key"])
    if pipeline is None:
        settings = spec["settings"]
        if spec["gazetteers"]:
            folder = tempfile.mkdtemp(prefix="mtcheck-gazetteers-")
            atexit.register(shutil.rmtree, folder, True)
            paths = []
            for i, (name, data) in enumerate(spec["gazetteers"]):
                path = os.path.join(folder, f"{i}-{name}")
                with open(path, "wb") as fh:
                    fh.write(data)
                paths.append(path)
            settings = settings.but(config=replace(settings.config, gazetteer=paths))
        pipeline = Pipeline(settings)
        if pipeline.key() == spec["key"]:
            _pipelines[spec["key"]] = pipeline
    return pipeline


def _pipeline_for(spec: dict) -> Pipeline:
    pipeline = _build(spec)
    if pipeline.key() != spec["key"]:
        raise VersionMismatch(f"worker pipeline {pipeline.key()[:12]} differs from the client's {spec['key'][:12]}")
    return pipeline


def analyse_batch(spec: dict, shipped: list[tuple]) -> list[dict]:
    """One batch of documents through the client's pipeline, exactly as a local run would."""
    with _lock:
        pipeline = _pipeline_for(spec)
        docs = [codec.unship(item) for item in shipped]
        pipeline.run(docs)
        return [codec.annotations(d) for d in docs]
