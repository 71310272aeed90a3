"""One review of one folder: which stories it holds, their scans, and the editor's decisions.

The web server is a thin layer over this class; the CLI export uses ``files`` and the store
without scanning anything. Every story is addressed by its path relative to the reviewed
folder, and only paths found by discovery under that folder are ever opened.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from mtcheck.changes import Change, Suggestion, plan, suggestions
from mtcheck.document import Document
from mtcheck.render import category_counts, document_tree, suggestion_card
from mtcheck.review.files import StoryFile, discover_files, read_story  # noqa: F401 - the session's names
from mtcheck.review.store import Decision, Store

_NEEDS_RANK = {"rejected": 0, "review": 1, "look": 2, "accepted": 3, "clean": 3}


class NotFound(Exception):
    pass


class Forbidden(Exception):
    pass


class Conflict(Exception):
    """The request was made against a version of the story that is no longer on disk."""


@dataclass
class Entry:
    file: StoryFile
    sha256: str | None = None
    text: str | None = None
    encoding: str | None = None
    record: dict | None = None
    error: str | None = None
    suggestions: list[Suggestion] = field(default_factory=list)
    _doc: Document | None = None

    @property
    def rel(self) -> str:
        return self.file.rel

    def line(self, offset: int) -> int:
        if self._doc is None:
            self._doc = Document.from_text(self.text or "")
        return self._doc.line_col(offset)[0]


class ReviewSession:
    def __init__(self, root: Path, files: list[StoryFile], store: Store, reviewer: str,
                 scanner=None, options_key: str = "", progress: bool = False,
                 echo: Callable[[str], None] | None = None):
        self.root = root
        self.store = store
        self.reviewer = reviewer
        self.scanner = scanner
        self.options_key = options_key
        self.progress = progress
        self.echo = echo or (lambda msg: None)
        self.entries: dict[str, Entry] = {f.rel: Entry(file=f, error=f.error) for f in files}
        self._lock = threading.RLock()  # one scan or decision at a time
        self._policy = None  # the gate policy, built at the first verdict (False: unusable)

    # -- scanning -----------------------------------------------------------------------
    def load(self) -> tuple[int, int]:
        """Hash every story; scan those whose content has no cached scan. Returns
        (stories from the cache, stories scanned)."""
        todo: list[Entry] = []
        cached = 0
        for entry in self.entries.values():
            if entry.file.error is not None:
                continue
            if self._read(entry) and not self._from_cache(entry):
                todo.append(entry)
            elif entry.record is not None:
                cached += 1
        self._scan(todo)
        return cached, len(todo)

    def _read(self, entry: Entry) -> bool:
        from mtcheck.reader import InputError

        try:
            entry.sha256, entry.text, entry.encoding = read_story(entry.file.path)
        except InputError as e:
            entry.sha256 = entry.text = entry.record = None
            entry.error = e.message
            entry.suggestions = []
            return False
        entry.error = None
        entry._doc = None
        return True

    def _from_cache(self, entry: Entry) -> bool:
        payload = self.store.get_scan(entry.sha256, self.options_key)
        if payload is None:
            return False
        try:
            self._attach(entry, payload)
        except (ValueError, KeyError, TypeError):  # written by another mtcheck: scan afresh
            return False
        return True

    def _attach(self, entry: Entry, payload: dict) -> None:
        """Restore the checked document from its stored annotations (``mtcheck.codec``); the
        page's record and the suggestions are derived from it."""
        from mtcheck import codec
        from mtcheck.engine import FileResult
        from mtcheck.report.json import file_record

        doc, extras = codec.restore(entry.text or "", payload, path=str(entry.file.path), encoding=entry.encoding or "utf-8")
        record = file_record(FileResult(path=entry.rel, document=doc))
        record["path"] = entry.rel
        record["verdict"] = extras.get("verdict")
        entry.record = record
        entry._doc = doc
        entry.suggestions = suggestions(doc)

    def _scan(self, entries: list[Entry]) -> None:
        if not entries:
            return
        if self.scanner is None:
            raise RuntimeError("this review session has no scanner")
        from mtcheck import codec
        from mtcheck.progress import Progress

        by_path = {str(e.file.path): e for e in entries}
        with Progress("scanning for review", enabled=self.progress) as progress:
            for result in self.scanner.scan(list(by_path), batch_size=8, progress=progress):
                entry = by_path.get(result.path)
                if entry is None:
                    continue
                if result.error is not None:
                    entry.error, entry.record, entry.suggestions = result.error.message, None, []
                    continue
                if result.document.text != entry.text:
                    # Changed between hashing and scanning: take this version next time.
                    entry.record, entry.suggestions = None, []
                    continue
                payload = codec.annotations(result.document, {"verdict": self._verdict(result.document)})
                self.store.put_scan(entry.sha256, self.options_key, entry.rel, payload)
                self._attach(entry, payload)

    def _verdict(self, doc) -> dict | None:
        """The gate policy's verdict (accepted / review / rejected) for ordering the queue."""
        try:
            from mtcheck.gate.policy import PolicyError, build_policy, evaluate
        except ImportError:
            return None
        cfg = self.scanner.config
        if self._policy is None:
            try:
                self._policy = build_policy(cfg.section("gate"), cfg.path)
            except PolicyError as e:
                self.echo(f"the gate policy cannot order the queue: {e}")
                self._policy = False
        if self._policy is False:
            return None
        decision = evaluate(doc, self._policy, neural=self.scanner.settings.neural)
        return {"verdict": decision.verdict, "reason": decision.summary()}

    def current(self, rel: str) -> Entry:
        """The entry for ``rel``, re-read from disk and re-scanned if it changed since."""
        entry = self.entry(rel)
        with self._lock:
            old = entry.sha256
            if self._read(entry):
                if entry.sha256 != old or entry.record is None:
                    if not self._from_cache(entry):
                        entry.record, entry.suggestions = None, []
                        self._scan([entry])
            if entry.error is None and entry.record is None:
                raise Conflict(f"{rel} changed while it was being scanned; try again")
        return entry

    def entry(self, rel) -> Entry:
        """Only names discovery found are served; anything else is not there."""
        if not isinstance(rel, str) or rel not in self.entries:
            raise NotFound("no such story in this review")
        entry = self.entries[rel]
        if entry.file.error is not None and "outside" in entry.file.error:
            raise Forbidden(entry.file.error)
        real = entry.file.path.resolve()
        if not real.is_relative_to(self.root):
            raise Forbidden("outside the reviewed folder")
        return entry

    # -- views --------------------------------------------------------------------------
    def queue(self) -> list[dict]:
        items = []
        latest_by_path: dict[str, dict] = {}
        for d in self.store.decisions():
            if d.undone_at is None:
                latest_by_path.setdefault(d.path, {})[(d.sha256, d.suggestion)] = d
        for entry in self.entries.values():
            items.append(self._queue_item(entry, latest_by_path.get(entry.rel, {})))
        items.sort(key=lambda i: i["order"])
        for i in items:
            del i["order"]
        return items

    def _queue_item(self, entry: Entry, latest: dict) -> dict:
        if entry.error is not None or entry.record is None:
            return {"path": entry.rel, "error": entry.error or "not scanned", "order": (2,)}
        findings = entry.record["findings"]
        ids = {s.id for s in entry.suggestions}
        decided = sum(1 for (sha, sid) in latest if sha == entry.sha256 and sid in ids)
        stale = sum(1 for (sha, _) in latest if sha != entry.sha256)
        qualities = [s["quality"] for s in entry.record["sentences"] if isinstance(s.get("quality"), (int, float))]
        worst = min(qualities) if qualities else None
        errors = sum(1 for f in findings if f["severity"] == "error")
        pending = len(entry.suggestions) - decided
        verdict = entry.record.get("verdict") or {}
        # The gate's verdict where its policy could judge the story; else a plain reading.
        needs = verdict.get("verdict") or ("review" if (errors or pending or stale) else ("look" if findings else "clean"))
        return {
            "path": entry.rel,
            "counts": category_counts(findings),
            "findings": len(findings),
            "errors": errors,
            "suggestions": len(entry.suggestions),
            "pending": pending,
            "decided": decided,
            "stale": stale,
            "quality": worst,
            "needs": needs,
            "reason": verdict.get("reason"),
            # Most in need first: verdict, then the worst sentence quality, then the work left.
            "order": (0, _NEEDS_RANK.get(needs, 1), worst if worst is not None else 1.0,
                      -errors, -pending, -len(findings), entry.rel),
        }

    def view(self, rel: str) -> dict:
        with self._lock:
            entry = self.current(rel)
            if entry.error is not None:
                return {"path": rel, "error": entry.error}
            record = entry.record
            return {
                "path": rel,
                "sha256": entry.sha256,
                "encoding": entry.encoding,
                "counts": category_counts(record["findings"]),
                "findings": len(record["findings"]),
                "doc": document_tree(entry.text, record["findings"], entry.suggestions, record["sentences"]),
                "nofix": [
                    {"line": entry.line(s["start"]), "score": s["rewrite"].get("fix_score")}
                    for s in record["sentences"] if s.get("rewrite") and not s["rewrite"].get("accepted")
                ],
                **self.state(entry),
            }

    def state(self, entry: Entry) -> dict:
        """Everything on the page that a decision can change."""
        latest = self.store.latest(entry.rel)
        current = {sid: d for (sha, sid), d in latest.items() if sha == entry.sha256}
        by_id = {s.id: s for s in entry.suggestions}
        changes = [
            Change(d.start, d.end, d.original, d.replacement, d.kind, d)
            for d in current.values() if d.replacement is not None
        ]
        _, dropped = plan(entry.text, changes)
        superseded = {c.ref.suggestion for c, why in dropped if why == "superseded"}
        items = []
        for s in entry.suggestions:
            d = current.get(s.id)
            state = d.action if d else "pending"
            shown = "superseded" if s.id in superseded else state
            items.append({
                "id": s.id, "kind": s.kind, "start": s.start, "end": s.end, "safe": s.safe, "state": state,
                "superseded": s.id in superseded,
                "text": d.text if d and d.action == "edit" else None,
                "proposed": s.proposed, "original": s.original,
                "candidates": [c.get("text", "") for c in s.candidates],
                "line": entry.line(s.start),
                "card": suggestion_card(s, state=shown, text=d.text if d and d.action == "edit" else None,
                                        line=entry.line(s.start)),
            })
        # Decisions on this version whose suggestion this scan does not show (e.g. a rewrite
        # decided in a neural session, now reviewed with --no-neural): still exported.
        other = [d for sid, d in current.items() if sid not in by_id]
        stale = [d for (sha, _), d in latest.items() if sha != entry.sha256]
        return {
            "sha256": entry.sha256,
            "suggestions": items,
            "other": [self._decision_item(d, "accept" if d.action != "reject" else "reject", entry,
                                          "decided in a scan with other settings; exported as decided") for d in other],
            "stale": [self._decision_item(d, "stale", entry,
                                          f"{d.action} by {d.reviewer} at {d.at}, on an earlier version of the file: not applied")
                      for d in stale],
            "can_undo": self.store.can_undo(entry.rel, entry.sha256),
        }

    @staticmethod
    def _decision_item(d: Decision, state: str, entry: Entry, note: str) -> dict:
        s = Suggestion(id=d.suggestion, kind=d.kind, start=d.start, end=d.end, original=d.original,
                       proposed=d.proposed, code=d.code, category=None)
        return {"id": d.suggestion, "action": d.action, "reviewer": d.reviewer, "at": d.at,
                "card": suggestion_card(s, state=state, text=d.text if d.action == "edit" else None, note=note)}

    # -- decisions ----------------------------------------------------------------------
    def _checked(self, rel: str, sha256) -> Entry:
        entry = self.current(rel)
        if entry.error is not None:
            raise Conflict(f"{rel}: {entry.error}")
        if sha256 != entry.sha256:
            raise Conflict(f"{rel} changed on disk since you opened it; reload to review the new version")
        return entry

    def decide(self, rel: str, sha256: str, suggestion_id: str, action: str, text: str | None = None) -> dict:
        with self._lock:
            entry = self._checked(rel, sha256)
            s = next((s for s in entry.suggestions if s.id == suggestion_id), None)
            if s is None:
                raise NotFound("no such suggestion in this story")
            if action == "edit":
                if not isinstance(text, str):
                    raise ValueError("an edit needs its text")
                if len(text) > 20 * max(len(s.original), 200):
                    raise ValueError("edited text is far longer than the original; refused")
            self.store.decide(rel, entry.sha256, [(s, action, text if action == "edit" else None)], self.reviewer)
            return self.state(entry)

    def accept_safe(self, rel: str, sha256: str) -> dict:
        with self._lock:
            entry = self._checked(rel, sha256)
            latest = self.store.latest(rel)
            items = [(s, "accept", None) for s in entry.suggestions
                     if s.safe and (entry.sha256, s.id) not in latest]
            if items:
                self.store.decide(rel, entry.sha256, items, self.reviewer)
            out = self.state(entry)
            out["accepted"] = len(items)
            return out

    def undo(self, rel: str, sha256: str) -> dict:
        with self._lock:
            entry = self._checked(rel, sha256)
            undone = self.store.undo(rel, entry.sha256)
            out = self.state(entry)
            out["undone"] = len(undone)
            return out

    def export(self, out_dir: Path) -> dict:
        from mtcheck.review.export import export

        with self._lock:
            return export(self.root, [e.file for e in self.entries.values()], self.store, out_dir, self.reviewer)


def options_key(scanner) -> str:
    """What a stored scan depends on besides the file bytes: the pipeline's key, and the gate
    policy that orders the queue (its verdict is stored with the scan)."""
    return json.dumps({"pipeline": scanner.pipeline.key(), "gate": scanner.config.section("gate")}, sort_keys=True, default=str)
