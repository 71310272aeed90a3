"""``--jobs N``: the pipeline's light stages spread over worker processes.

The pipeline says which of its stages hold a large model (``Pipeline.partition``): the main
process runs those over each whole batch (one copy of the models, batched across documents
exactly as in a one-process run) and ships each document, with what those stages added
(``mtcheck.codec``), to a pool of N processes, which re-segment the text, run the rest of
the stages up to the next central one (today: the spaCy parse and the rules) and send back
what they added; the main process then runs the stages after them (today: rewrites). While
the workers run one batch, the main process scores the next. Results are put back in input
order, so the report is identical to ``--jobs 1``.

Workers are started with ``forkserver`` (never ``fork``: the main process may hold torch
threads), build the same pipeline once from the same settings, load what their stages need
once, and use one thread each for numeric libraries so N workers do not fight over the cores.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Sequence

from mtcheck import codec, tune_collector
from mtcheck.document import Document
from mtcheck.pipeline import Pipeline
from mtcheck.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from mtcheck.engine import FileResult

# Batches handed to the pool and not yet collected: one being worked on, one queued, so the
# workers never wait for the main process and memory stays bounded.
MAX_IN_FLIGHT = 2
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")


class ProcessBackend:
    def __init__(self, pipeline: Pipeline, jobs: int):
        self.pipeline = pipeline
        self.head, self.body, self.tail = pipeline.partition()
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        self._in_flight: list[tuple[list, list[Future]]] = []

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_init_worker,
                initargs=(self.pipeline.settings.for_worker(), tuple(s.name for s in self.body)),
            )
        return self._pool

    @property
    def pending(self) -> int:
        return len(self._in_flight)

    def full(self) -> bool:
        return len(self._in_flight) >= MAX_IN_FLIGHT

    def submit(self, items: list[tuple[int, "FileResult"]]) -> None:
        docs = [r.document for _, r in items]
        self.pipeline.run(docs, self.head)  # the model stages, here, across the whole batch
        if not self.body:
            self._in_flight.append((items, []))
            return
        pool = self._executor()
        futures = []
        for chunk in _chunks(docs, self.jobs * 2):
            try:
                futures.append(pool.submit(run_stages, [codec.ship(d) for d in chunk]))
            except BrokenProcessPool as e:  # reported per file when collected
                failed: Future = Future()
                failed.set_exception(e)
                futures.append(failed)
        self._in_flight.append((items, futures))

    def completed(self, block: bool = False) -> list:
        """Finished batches, oldest first; with ``block``, wait for the oldest one."""
        done = []
        while self._in_flight:
            items, futures = self._in_flight[0]
            if not all(f.done() for f in futures):
                if not block or done:
                    break
                wait(futures)
            self._in_flight.pop(0)
            try:
                payloads = [p for f in futures for p in f.result()]  # a rule's exception propagates, as in-process
            except BrokenProcessPool:
                done.append((items, "a worker process died (out of memory?)"))
                continue
            docs = [r.document for _, r in items]
            for doc, payload in zip(docs, payloads):
                codec.apply_annotations(doc, payload)
            self.pipeline.run(docs, self.tail)
            done.append((items, None))
        return done

    def close(self) -> None:
        if self._pool is not None:
            for _, futures in self._in_flight:
                for f in futures:
                    f.cancel()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._in_flight.clear()


def _chunks(docs: Sequence[Document], n: int) -> list[list[Document]]:
    """Up to ``n`` contiguous chunks of about equal text length."""
    total = sum(len(d.text) for d in docs) or 1
    out: list[list[Document]] = [[]]
    acc = 0
    for d in docs:
        if out[-1] and acc >= total * len(out) / n:
            out.append([])
        out[-1].append(d)
        acc += len(d.text)
    return out


# -- in the worker processes ---------------------------------------------------------------------
_pipeline: Pipeline | None = None
_stages: tuple = ()


def _init_worker(settings: Settings, stage_names: tuple[str, ...]) -> None:
    # Ctrl-C is the parent's to handle (it shuts the pool down); workers that caught it too
    # would each print a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in THREAD_ENV:
        os.environ[name] = "1"
    tune_collector()  # as the CLI's main process does: the same stages build the same objects
    global _pipeline, _stages
    _pipeline = Pipeline(settings)
    _stages = tuple(_pipeline.stage(name) for name in stage_names)


def run_stages(shipped: list[tuple]) -> list[dict]:
    """Run this worker's stages over documents the main process took through the stages before."""
    docs = [codec.unship(item) for item in shipped]
    _pipeline.run(docs, _stages)
    return [codec.annotations(doc) for doc in docs]


def heavy_modules_loaded() -> list[str]:
    """Which model frameworks this process has imported (tests check rules-only workers)."""
    import sys

    return sorted(m for m in ("torch", "transformers", "sentence_transformers", "spacy", "sklearn") if m in sys.modules)
