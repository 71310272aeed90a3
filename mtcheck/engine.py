"""The scan loop: discover -> read -> restore from the result store -> batch -> backend -> reorder.

What runs on each document is the ``Pipeline``'s business (``mtcheck.pipeline``); this module
only moves documents: it reads the stories under the given paths, gives back those the result
store already holds, hands the rest in batches to a backend (in process, ``--jobs`` worker
processes or a Dask cluster, all running the same pipeline) and yields results in discovery
order, whatever finished first.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from mtcheck.document import Document
from mtcheck.findings import Finding
from mtcheck.pipeline import Pipeline
from mtcheck.reader import InputError, discover, read_document
from mtcheck.settings import Settings


@dataclass
class FileResult:
    path: str
    document: Document | None = None
    error: InputError | None = None
    extras: dict = field(default_factory=dict)  # what a command adds for its report (gate verdicts, ...)

    @property
    def findings(self) -> list[Finding]:
        return self.document.findings if self.document else []


class Scanner:
    """The scan loop over one ``Pipeline``."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.pipeline = Pipeline(self.settings)
        # What the last scan did: documents read, restored from the store, analysed, failed,
        # sentences whose neural scores came from the store.
        self.stats: dict[str, int] = {}

    @property
    def config(self):
        return self.settings.config

    def signature(self) -> dict:
        return self.pipeline.signature()

    def discover(self, paths: Iterable[str]) -> list[tuple[str, InputError | None]]:
        return list(discover(paths, self.settings.include, self.settings.exclude))

    def scan(self, paths: Iterable[str], batch_size: int | None = None, progress=None) -> Iterator[FileResult]:
        """Read and check every story under ``paths``; results come in discovery order.

        Stories restored from the result store (``settings.cache``) are not analysed again;
        the others are analysed in batches of ``batch_size`` documents (the neural stage
        batches across a whole batch). Whatever runs where, the results and their order are
        those of a plain in-process run. ``progress``, if given, gets ``start(total)`` and
        ``update(docs, sentences)`` as results become ready.
        """
        size = max(1, batch_size or self.settings.batch_size)
        found = self.discover(paths)
        self.stats = {"files": len(found), "cached": 0, "analysed": 0, "failed": 0, "sentences_cached": 0}
        if progress is not None:
            progress.start(len(found))
        store = self._result_store()
        backend = None
        ready: dict[int, FileResult] = {}
        batch: list[tuple[int, FileResult]] = []

        def take(done, fresh: bool = True) -> None:
            for items, error in done:
                for i, r in items:
                    if error is not None:
                        self.stats["failed"] += 1
                        r = FileResult(path=r.path, error=InputError(r.path, "failed", f"analysis failed: {error}"))
                    ready[i] = r
                    if progress is not None:
                        progress.update(1, len(r.document.sentences) if r.document else 0)
                if fresh and error is None and store is not None:
                    store.save([r for _, r in items])

        def submit(items) -> None:
            nonlocal backend
            if backend is None:
                backend = self._backend()  # started only when something needs analysing
            while backend.full():
                take(backend.completed(block=True))
            if store is not None:
                self.stats["sentences_cached"] += store.prefill([r.document for _, r in items])
            self.stats["analysed"] += len(items)
            backend.submit(items)

        next_out = 0
        try:
            for i, (path, error) in enumerate(found):
                result = _read_one(path, error)
                if result.document is not None and not (store is not None and store.restore(result)):
                    batch.append((i, result))
                    if len(batch) >= size:
                        submit(batch)
                        batch = []
                else:
                    if result.document is not None:
                        self.stats["cached"] += 1
                        if self.stats["cached"] == 1 and self.settings.rewrite and self.settings.neural:
                            from mtcheck.rewrite import notify_if_backtranslation_off

                            notify_if_backtranslation_off(self.config)
                    take([([(i, result)], None)], fresh=False)
                if backend is not None:
                    take(backend.completed(block=False))
                while next_out in ready:
                    yield ready.pop(next_out)
                    next_out += 1
            if batch:
                submit(batch)
            while backend is not None and backend.pending:
                take(backend.completed(block=True))
                while next_out in ready:
                    yield ready.pop(next_out)
                    next_out += 1
        finally:
            if backend is not None:
                backend.close()
            if store is not None:
                store.close()

    def _result_store(self):
        if not self.settings.cache:
            return None
        from mtcheck.cache import ResultStore

        return ResultStore(self.pipeline, on_error=_warn)

    def _backend(self):
        if self.settings.dask:
            from mtcheck.distributed import DaskBackend

            return DaskBackend(self.pipeline, self.settings.dask)
        jobs = self.settings.jobs if self.settings.jobs > 0 else (os.cpu_count() or 1)
        if jobs > 1:
            from mtcheck.parallel import ProcessBackend

            return ProcessBackend(self.pipeline, jobs)
        return InlineBackend(self.pipeline)

    def scan_text(self, text: str, path: str = "<text>") -> Document:
        return self.pipeline.check_text(text, path=path)


class InlineBackend:
    """Run the whole pipeline over each batch in this process, as soon as it is submitted."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline
        self._done: list = []

    @property
    def pending(self) -> int:
        return len(self._done)

    def full(self) -> bool:
        return False

    def submit(self, items: list[tuple[int, FileResult]]) -> None:
        self.pipeline.run([r.document for _, r in items])
        self._done.append((items, None))

    def completed(self, block: bool = False) -> list:
        done, self._done = self._done, []
        return done

    def close(self) -> None:
        pass


def _warn(message: str) -> None:
    print(f"mtcheck: {message}", file=sys.stderr)


def _read_one(path: str, error: InputError | None) -> FileResult:
    if error is not None:
        return FileResult(path=path, error=error)
    try:
        return FileResult(path=path, document=read_document(path))
    except InputError as e:
        return FileResult(path=path, error=e)
