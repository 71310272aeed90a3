"""Scan orchestration: read documents, run the selected rule families, attach neural scores.

The engine is the only place that decides what runs: which rule codes are enabled, which
model resources a run may load (``--no-neural`` keeps torch out of the process), and in
what order components annotate the document.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
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
        return sig

    # -- analysis -------------------------------------------------------------------------
    def check_documents(self, docs: Sequence[Document]) -> None:
        """Annotate documents in place. Neural stages batch across all of ``docs``."""
        if "fluency" in self.resources and docs:
            from mtcheck.quality import annotate_quality  # torch enters the process here

            annotate_quality(docs)
        for doc in docs:
            self._run_rules(doc)

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

    def read(self, paths: Iterable[str]) -> Iterator[FileResult]:
        for path, error in discover(paths, self.options.include, self.options.exclude):
            if error is not None:
                yield FileResult(path=path, error=error)
                continue
            try:
                yield FileResult(path=path, document=read_document(path))
            except InputError as e:
                yield FileResult(path=path, error=e)

    def scan(self, paths: Iterable[str], batch_size: int = 64) -> Iterator[FileResult]:
        """Read and check every story under ``paths``, in discovery order."""
        batch: list[FileResult] = []
        for result in self.read(paths):
            batch.append(result)
            if len(batch) >= batch_size:
                yield from self._finish(batch)
                batch = []
        yield from self._finish(batch)

    def _finish(self, batch: list[FileResult]) -> Iterator[FileResult]:
        docs = [r.document for r in batch if r.document is not None]
        self.check_documents(docs)
        if self.options.rewrite and docs:
            from mtcheck.rewrite import annotate_rewrites  # back-translation models enter here

            annotate_rewrites(docs, self.config, neural=self.options.neural)
        yield from batch

    def scan_text(self, text: str, path: str = "<text>") -> Document:
        doc = Document.from_text(text, path=path)
        self.check_documents([doc])
        return doc


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
