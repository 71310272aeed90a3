"""Scan orchestration: read documents, run the selected rule families, attach neural scores.

The engine is the only place that decides what runs: which rule codes are enabled, which
model resources a run may load (``--no-neural`` keeps torch out of the process), and in
what order components annotate the document.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator, Sequence

from mtcheck import __version__
from mtcheck.config import Config
from mtcheck.document import Document
from mtcheck.findings import Finding, Severity
from mtcheck.reader import InputError, discover, read_document
from mtcheck.rules import Context, families, rule_by_code, select_rules

FLAGGING_CATEGORIES = ("syntax", "language")


@dataclass
class FileResult:
    path: str
    document: Document | None = None
    error: InputError | None = None
    extras: dict = field(default_factory=dict)  # e.g. rewrites, per-file timing

    @property
    def findings(self) -> list[Finding]:
        return self.document.findings if self.document else []


@dataclass
class ScanOptions:
    neural: bool = True  # fluency/quality scoring (torch)
    parse: bool = True  # spaCy parse for the syntax rules
    rewrite: bool = False
    include: Sequence[str] = ("*.txt", "*.md")
    exclude: Sequence[str] = ()
    jobs: int = 1  # processes for the rule work (mtcheck.parallel); 0 = one per core
    cache: bool = False  # the persistent result cache (mtcheck.cache); the CLI turns it on
    cache_dir: str | None = None  # its base folder (None: $MTCHECK_CACHE_DIR or the user cache dir)
    dask: str | None = None  # a Dask scheduler address, or "local[:N]" (mtcheck.distributed)
    batch_size: int = 64  # documents per analysis batch: the neural stage batches across them


class Scanner:
    def __init__(self, config: Config | None = None, options: ScanOptions | None = None):
        self.config = config or Config()
        self.options = options or ScanOptions()
        self.enabled = select_rules(self.config.select, self.config.ignore, self.config.extend_select)
        resources = set()
        if self.options.parse:
            resources.add("parse")
        if self.options.neural:
            resources.add("fluency")
        self.resources = frozenset(resources)
        self.context = Context(config=self.config, enabled=self.enabled, resources=self.resources)
        # What the last scan did: documents read, restored from the cache, analysed here or
        # elsewhere, sentences whose neural scores came from the cache.
        self.stats: dict[str, int] = {}

    # -- signature ------------------------------------------------------------------------
    def signature(self) -> dict:
        """What a result depends on, so a report can be reproduced and explained."""
        ruleset = hashlib.sha256(json.dumps(sorted(self.enabled)).encode()).hexdigest()[:12]
        sig = {
            "mtcheck": __version__,
            "rules": ruleset,
            "resources": sorted(self.resources),
            "severity_overrides": {k: str(v) for k, v in sorted(self.config.severity.items())},
        }
        if "fluency" in self.resources:
            from mtcheck.neural import registry

            sig["models"] = registry.signature(("fluency",) + (("parse",) if "parse" in self.resources else ()))
        elif "parse" in self.resources:
            from mtcheck.neural import registry

            sig["models"] = registry.signature(("parse",))
        if self.options.rewrite:
            from mtcheck.rewrite import rewrite_signature

            sig["rewrite"] = rewrite_signature(self.config, self.options.neural)
        return sig

    # -- analysis -------------------------------------------------------------------------
    def check_documents(self, docs: Sequence[Document]) -> None:
        """Annotate documents in place. Neural stages batch across all of ``docs``."""
        self.annotate_scores(docs)
        if "parse" in self.resources and docs and any("parse" in rule_by_code(c).needs for c in self.enabled):
            # One batched spaCy pass across the batch instead of one small pass per document.
            from mtcheck.neural.parse import attach_parse

            attach_parse(docs)
        for doc in docs:
            self._run_rules(doc)

    def annotate_scores(self, docs: Sequence[Document]) -> None:
        """The neural stage of ``check_documents``: per-sentence scores, batched across ``docs``.
        (``--jobs`` runs it in the main process and only the rules in worker processes.)"""
        if "fluency" in self.resources and docs:
            from mtcheck.quality import annotate_quality  # the LM backend (CTranslate2 or torch) loads here

            todo = _needing_scores(docs)
            if todo:
                annotate_quality(todo)

    def _run_rules(self, doc: Document) -> None:
        findings: list[Finding] = []
        for family in families():
            if not any(r.code in self.enabled for r in family.rules):
                continue
            for f in family.check(doc, self.context):
                rule = rule_by_code(f.code)
                if f.code not in self.enabled or rule is None:
                    continue
                if rule.needs - self.resources:
                    continue
                if f.code in self.config.severity:
                    f.severity = self.config.severity[f.code]
                findings.append(f)
        findings.sort(key=Finding.sort_key)
        doc.findings = findings

    # -- the document loop -------------------------------------------------------------------
    def discover(self, paths: Iterable[str]) -> list[tuple[str, InputError | None]]:
        return list(discover(paths, self.options.include, self.options.exclude))

    def read(self, paths: Iterable[str]) -> Iterator[FileResult]:
        for path, error in discover(paths, self.options.include, self.options.exclude):
            yield _read_one(path, error)

    def scan(self, paths: Iterable[str], batch_size: int | None = None, progress=None) -> Iterator[FileResult]:
        """Read and check every story under ``paths``; results come in discovery order.

        Stories restored from the result cache (``options.cache``) are not analysed again;
        the others are analysed in batches of ``batch_size`` documents (the neural stage
        batches across a whole batch) here, in worker processes (``options.jobs``) or on a
        Dask cluster (``options.dask``). Whatever runs where, the results and their order are
        those of a plain in-process run. ``progress``, if given, gets ``start(total)`` and
        ``update(docs, sentences)`` as results become ready.
        """
        size = max(1, batch_size or self.options.batch_size)
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
                        if self.stats["cached"] == 1 and self.options.rewrite and self.options.neural:
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
        if not self.options.cache:
            return None
        from mtcheck.cache import ResultStore

        return ResultStore(self, self.options.cache_dir, on_error=_warn)

    def _backend(self):
        if self.options.dask:
            from mtcheck.distributed import DaskBackend

            return DaskBackend(self, self.options.dask)
        jobs = self.options.jobs if self.options.jobs > 0 else (os.cpu_count() or 1)
        if jobs > 1:
            from mtcheck.parallel import ProcessBackend

            return ProcessBackend(self, jobs)
        return _InlineBackend(self)

    def analyse(self, docs: Sequence[Document]) -> None:
        """Everything a scan adds to freshly read documents: scores, findings, rewrites."""
        self.check_documents(docs)
        self.annotate_rewrites(docs)

    def annotate_rewrites(self, docs: Sequence[Document]) -> None:
        if self.options.rewrite and docs:
            from mtcheck.rewrite import annotate_rewrites  # back-translation models enter here

            annotate_rewrites(docs, self.config, neural=self.options.neural)

    def _finish(self, batch: list[FileResult]) -> Iterator[FileResult]:
        self.analyse([r.document for r in batch if r.document is not None])
        yield from batch

    def scan_text(self, text: str, path: str = "<text>") -> Document:
        doc = Document.from_text(text, path=path)
        self.check_documents([doc])
        return doc


class _InlineBackend:
    """Analyse each batch in this process, as soon as it is submitted."""

    def __init__(self, scanner: Scanner):
        self.scanner = scanner
        self._done: list = []

    @property
    def pending(self) -> int:
        return len(self._done)

    def full(self) -> bool:
        return False

    def submit(self, items: list[tuple[int, FileResult]]) -> None:
        self.scanner.analyse([r.document for _, r in items])
        self._done.append((items, None))

    def completed(self, block: bool = False) -> list:
        done, self._done = self._done, []
        return done

    def close(self) -> None:
        pass


def _needing_scores(docs: Sequence[Document]) -> list[Document]:
    """The documents as the quality stage should see them: sentences that already hold a
    ``quality`` score (restored from the result cache's sentence entries) are left out, so
    an edited story only re-scores the sentences that changed. Without such sentences (no
    cache) the documents pass unchanged."""
    out = []
    for doc in docs:
        missing = [s for s in doc.sentences if "quality" not in s.scores]
        if len(missing) == len(doc.sentences):
            out.append(doc)
        elif missing:
            # Same text, spans, parse and findings (shared, not copied); fewer sentences.
            out.append(replace(doc, sentences=missing))
    return out


def _warn(message: str) -> None:
    print(f"mtcheck: {message}", file=sys.stderr)


def _read_one(path: str, error: InputError | None) -> FileResult:
    if error is not None:
        return FileResult(path=path, error=error)
    try:
        return FileResult(path=path, document=read_document(path))
    except InputError as e:
        return FileResult(path=path, error=e)


def flagged_sentences(doc: Document) -> set[int]:
    """Indices of sentences holding a syntax or language finding."""
    out: set[int] = set()
    for f in doc.findings:
        if f.category not in FLAGGING_CATEGORIES:
            continue
        for s in doc.sentences:
            if s.start <= f.start < s.end or (f.start <= s.start and f.end > s.start):
                out.add(s.index)
    return out


def worst_severity(results: Iterable[FileResult]) -> Severity | None:
    worst = None
    for r in results:
        for f in r.findings:
            if worst is None or f.severity > worst:
                worst = f.severity
    return worst
