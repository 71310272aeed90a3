"""One review of one folder: which stories it holds, their scans, and the editor's decisions.

Stories are scanned in the background (``start``): the page is served at once, shows how many
stories are ready, and each story can be reviewed as soon as its scan is in. What an editor
decides on is one card per sentence that needs attention (``mtcheck.review.cards``).

The web server is a thin layer over this class; the CLI export uses ``files`` and the store
without scanning anything. Every story is addressed by its path relative to the reviewed
folder, and only paths found by discovery under that folder are ever opened.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple

from mtcheck.changes import Change, Suggestion, plan, suggestions
from mtcheck.document import Document
from mtcheck.render import category_counts, document_tree, suggestion_card
from mtcheck.review.cards import Card, Option, build_cards, card_tree, keeps_words, outside, score_words, what_is_lost
from mtcheck.review.files import StoryFile, discover_files, load_story, read_story  # noqa: F401 - the session's names
from mtcheck.review.store import Decision, Store
from mtcheck.sourcemap import SourceMap

_NEEDS_RANK = {"rejected": 0, "review": 1, "look": 2, "accepted": 3, "clean": 3}


class NotFound(Exception):
    pass


class Forbidden(Exception):
    pass


class Conflict(Exception):
    """The request was made against a version of the story that is no longer on disk."""


class Row(NamedTuple):
    """What the decision log records about the card decided on."""

    id: str
    kind: str
    code: str | None
    start: int
    end: int
    original: str
    proposed: str


HEADLINE_CHARS = 120


@dataclass
class Entry:
    file: StoryFile
    sha256: str | None = None
    text: str | None = None
    encoding: str | None = None
    source: SourceMap | None = None  # a wire story's map back to its file (None: plain text)
    record: dict | None = None
    error: str | None = None
    suggestions: list[Suggestion] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    words: dict | None = None  # card id -> option key -> (score words, keeps words), computed at first view
    _doc: Document | None = None

    @property
    def rel(self) -> str:
        return self.file.rel

    @property
    def ready(self) -> bool:
        return self.error is not None or self.record is not None

    def line(self, offset: int) -> int:
        if self._doc is None:
            self._doc = Document.from_text(self.text or "")
        return self._doc.line_col(offset)[0]

    def headline(self) -> str:
        """The title sentence, else the first line with text: what the desk calls the story.
        A line the boilerplate rules call page furniture (a byline, a date stamp, a repeated
        title) is not the headline."""
        record = self.record or {}
        sentences = record.get("sentences") or []
        furniture = [(f["start"], f["end"]) for f in record.get("findings") or [] if f.get("category") == "boilerplate"]

        def plain(s: dict) -> bool:
            return not any(a <= s["start"] and s["end"] <= b for a, b in furniture)

        title = next((s["text"] for s in sentences if s.get("kind") == "title" and plain(s)), None)
        if title is None:
            title = next((s["text"] for s in sentences if plain(s) and s["text"].strip()), None)
        if title is None:
            title = next((ln.strip() for ln in (self.text or "").splitlines() if ln.strip()), "")
        title = " ".join(title.split())
        return title if len(title) <= HEADLINE_CHARS else title[:HEADLINE_CHARS - 1] + "…"


class ReviewSession:
    def __init__(self, root: Path, files: list[StoryFile], store: Store, reviewer: str,
                 scanner=None, options_key: str | Callable[[], str] = "", progress: bool = False,
                 echo: Callable[[str], None] | None = None):
        self.root = root
        self.store = store
        self.reviewer = reviewer
        self.scanner = scanner
        # A callable is called by the load: the pipeline's key hashes models and looks up the
        # translators (over a second of imports), which the page need not wait for.
        self._options_key = options_key
        self.progress = progress
        self.echo = echo or (lambda msg: None)
        self.entries: dict[str, Entry] = {f.rel: Entry(file=f, error=f.error) for f in files}
        self._lock = threading.RLock()  # one decision at a time
        self._scan_lock = threading.RLock()  # the scanner (and the neural scorer) by one thread at a time
        self._policy = None  # the gate policy, built at the first verdict (False: unusable)
        self.loading = False
        self.loaded: tuple[int, int] | None = None  # (from the cache, scanned) once the load is done
        self.load_error: str | None = None
        self._scores: dict[tuple[str, str, str], float] = {}
        self._lexical_only = False  # set when the neural fix scorer failed in this session

    @property
    def options_key(self) -> str:
        if callable(self._options_key):
            self._options_key = self._options_key()
        return self._options_key

    # -- scanning -----------------------------------------------------------------------
    def start(self, on_done: Callable[[int, int], None] | None = None,
              on_error: Callable[[BaseException], None] | None = None) -> threading.Thread:
        """Load in a background thread (the server answers meanwhile); ``on_done`` gets
        (stories from the cache, stories scanned), ``on_error`` what stopped the load."""
        self.loading = True

        def run():
            try:
                counts = self.load()
            except BaseException as e:  # noqa: BLE001 - reported by the caller, the page says so
                self.load_error = f"{type(e).__name__}: {e}"
                self.loading = False
                if on_error:
                    on_error(e)
                return
            if on_done:
                on_done(*counts)

        thread = threading.Thread(target=run, name="mtcheck-review-load", daemon=True)
        thread.start()
        return thread

    def load(self) -> tuple[int, int]:
        """Hash every story; restore those with a cached scan, scan the rest (each story is
        reviewable as soon as its own scan is in). Returns (from the cache, scanned)."""
        self.loading = True
        try:
            todo: list[Entry] = []
            cached = 0
            for entry in self.entries.values():
                if entry.file.error is not None:
                    continue
                if self._read(entry) and not self._from_cache(entry):
                    todo.append(entry)
                elif entry.record is not None:
                    cached += 1
            with self._scan_lock:
                self._scan(todo)
            self.loaded = (cached, len(todo))
            return self.loaded
        finally:
            self.loading = False

    def status(self) -> dict:
        total = len(self.entries)
        ready = sum(1 for e in self.entries.values() if e.ready)
        return {"total": total, "ready": ready, "done": not self.loading and self.loaded is not None,
                "error": self.load_error}

    def _read(self, entry: Entry) -> bool:
        from mtcheck.reader import InputError

        try:
            story = load_story(entry.file)
        except InputError as e:
            entry.sha256 = entry.text = entry.record = entry.source = None
            entry.error = e.message
            entry.suggestions, entry.cards = [], []
            return False
        entry.sha256, entry.text, entry.encoding, entry.source = story.sha256, story.text, story.encoding, story.source
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
        page's record, the suggestions and the cards are derived from it."""
        from mtcheck import codec
        from mtcheck.engine import FileResult
        from mtcheck.report.json import file_record

        doc, extras = codec.restore(entry.text or "", payload, path=str(entry.file.path), encoding=entry.encoding or "utf-8")
        doc.source = entry.source  # a wire story's lines are its file's, as in every report
        record = file_record(FileResult(path=entry.rel, document=doc))
        record["path"] = entry.rel
        record["verdict"] = extras.get("verdict")
        found = suggestions(doc)
        cards = build_cards(entry.text or "", record, found)
        entry._doc = doc
        entry.suggestions, entry.cards, entry.words = found, cards, None
        # The fix scores of the cards' options, in words, before the story counts as ready:
        # with the neural scorer they take seconds, which opening the story should not.
        self._words(entry)
        entry.record = record  # last: a story counts as ready once everything is in place

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
                    entry.error, entry.record, entry.suggestions, entry.cards = result.error.message, None, [], []
                    continue
                if result.document.text != entry.text:
                    # Changed between hashing and scanning: take this version next time.
                    entry.record, entry.suggestions, entry.cards = None, [], []
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
        """The entry for ``rel``, re-read from disk and re-scanned if it changed since. While
        the background load has not reached it, it is returned as it is (not ready)."""
        entry = self.entry(rel)
        with self._lock:
            if not entry.ready and self.loading:
                return entry
            old = entry.sha256
            if self._read(entry):
                if entry.sha256 != old or entry.record is None:
                    if not self._from_cache(entry):
                        entry.record, entry.suggestions, entry.cards = None, [], []
                        if not self._scan_lock.acquire(blocking=not self.loading):
                            return entry  # the background scan holds the scanner: not ready yet
                        try:
                            self._scan([entry])
                        finally:
                            self._scan_lock.release()
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
        real = entry.file.disk.resolve()
        if not real.is_relative_to(self.root):
            raise Forbidden("outside the reviewed folder")
        return entry

    # -- fix scores, in words -------------------------------------------------------------
    @property
    def neural_scoring(self) -> bool:
        return bool(self.scanner is not None and self.scanner.settings.neural and not self._lexical_only)

    def threshold(self) -> float:
        from mtcheck.rewrite import Settings as RewriteSettings
        from mtcheck.rewrite.fixscore import load_model

        config = self.scanner.config if self.scanner is not None else None
        if config is not None:
            settings = RewriteSettings.from_config(config)
            if settings.threshold is not None:
                return settings.threshold
            return load_model(settings.model_path).formula(self.neural_scoring).threshold
        return load_model().formula(False).threshold

    def score(self, items: list[tuple[str, str, str]]) -> list[float]:
        """Fix scores of (original, candidate, expected) with the scorer the rewrites use
        (``mtcheck.rewrite.fixscore``: the neural formula in a neural session, else the
        lexical one); remembered per triple."""
        from mtcheck.rewrite.candidates import normalize_space
        from mtcheck.rewrite.fixscore import Pair, load_model, score_pairs

        todo = [t for t in dict.fromkeys(items) if t not in self._scores]
        if todo:
            config = self.scanner.config if self.scanner is not None else None
            model_path = config.section("rewrite").get("model") if config is not None else None
            pairs = [Pair(normalize_space(o), normalize_space(c), normalize_space(e)) for o, c, e in todo]
            model = load_model(model_path)
            try:
                with self._scan_lock if not self.loading else _nothing():
                    scored = score_pairs(pairs, neural=self.neural_scoring, model=model)
            except Exception as e:  # noqa: BLE001 - a model that will not load: the lexical formula still scores
                if not self.neural_scoring:
                    raise
                self.echo(f"fix scores fall back to the lexical formula: {type(e).__name__}: {e}")
                self._lexical_only = True
                scored = score_pairs(pairs, neural=False, model=model)
            for t, (value, _) in zip(todo, scored):
                self._scores[t] = round(float(value), 4)
        return [self._scores[t] for t in items]

    def _expected(self, card: Card) -> str:
        """What an edit is measured against: the sentence with its rule fixes applied (names
        in standard form), or as it is when there are none or they delete it."""
        rules = card.option("rules")
        return rules.text if rules is not None and rules.text.strip() else card.original

    def _option_score(self, card: Card, opt: Option) -> float | None:
        if opt.score is None and not _removal(opt):
            opt.score = self.score([(card.original, opt.text, self._expected(card))])[0]
        return opt.score

    def _words(self, entry: Entry) -> dict:
        """Per card and option: its fix score in words and what it keeps (computed once)."""
        if entry.words is None:
            missing = [(c, o) for c in entry.cards for o in c.options if o.score is None and not _removal(o)]
            if missing:
                scores = self.score([(c.original, o.text, self._expected(c)) for c, o in missing])
                for (c, o), value in zip(missing, scores):
                    o.score = value
            threshold = self.threshold()
            entry.words = {c.id: {o.key: _option_words(c, o, threshold, self._expected(c)) for o in c.options}
                           for c in entry.cards}
        return entry.words

    def fix_score(self, rel: str, sha256: str, card_id: str, text) -> dict:
        """The editor's own text for a card, scored as a rewrite would be, and what it loses."""
        if not isinstance(text, str):
            raise ValueError("text must be a string")
        entry = self._checked(rel, sha256)
        card = self._card(entry, card_id)
        if len(text) > 20 * max(len(card.original), 200):
            raise ValueError("edited text is far longer than the original; refused")
        expected = self._expected(card)
        value = self.score([(card.original, text, expected)])[0] if text.strip() else 0.0
        problems = what_is_lost(text, expected, card.original)
        return {"score": value, "words": score_words(value, self.threshold()), "problems": problems,
                "keeps": keeps_words(problems), "unchanged": text == card.original}

    # -- views --------------------------------------------------------------------------
    def queue(self) -> list[dict]:
        items = []
        latest_by_path: dict[str, dict] = {}
        for d in self.store.decisions():
            if d.undone_at is None and d.dismissed_at is None:
                latest_by_path.setdefault(d.path, {})[(d.sha256, d.suggestion)] = d
        for entry in self.entries.values():
            items.append(self._queue_item(entry, latest_by_path.get(entry.rel, {})))
        items.sort(key=lambda i: i["order"])
        for i in items:
            del i["order"]
        return items

    def _queue_item(self, entry: Entry, latest: dict) -> dict:
        if entry.error is not None:
            return {"path": entry.rel, "error": entry.error, "order": (2, entry.rel)}
        if entry.record is None:
            return {"path": entry.rel, "scanning": True, "order": (1, entry.rel)}
        findings = entry.record["findings"]
        ids = {c.id for c in entry.cards}
        decided = sum(1 for (sha, sid) in latest if sha == entry.sha256 and sid in ids)
        stale = sum(1 for (sha, _) in latest if sha != entry.sha256)
        qualities = [s["quality"] for s in entry.record["sentences"] if isinstance(s.get("quality"), (int, float))]
        worst = min(qualities) if qualities else None
        severities = {k: sum(1 for f in findings if f["severity"] == k) for k in ("error", "warning", "info")}
        errors = severities["error"]
        pending = len(entry.cards) - decided
        verdict = entry.record.get("verdict") or {}
        # The gate's verdict where its policy could judge the story; else a plain reading.
        needs = verdict.get("verdict") or ("review" if (errors or pending or stale) else ("look" if findings else "clean"))
        return {
            "path": entry.rel,
            "headline": entry.headline(),
            "counts": category_counts(findings),
            "severity": {k: n for k, n in severities.items() if n},
            "findings": len(findings),
            "errors": errors,
            "cards": len(entry.cards),
            "pending": pending,
            "decided": decided,
            "stale": stale,
            "quality": worst,
            "needs": needs,
            "reason": verdict.get("reason"),
            # Worst first: verdict, then the worst sentence quality, then the work left.
            "order": (0, _NEEDS_RANK.get(needs, 1), worst if worst is not None else 1.0,
                      -errors, -pending, -len(findings), entry.rel),
        }

    def view(self, rel: str) -> dict:
        with self._lock:
            entry = self.current(rel)
            if entry.error is not None:
                return {"path": rel, "error": entry.error}
            if entry.record is None:
                return {"path": rel, "scanning": True, "progress": self.status()}
            record = entry.record
            return {
                "path": rel,
                "headline": entry.headline(),
                "sha256": entry.sha256,
                "encoding": entry.encoding,
                # A wire story: the text shown is what its reader extracts; export writes it back in this format.
                "format": entry.source.format if entry.source is not None else "plain",
                "counts": category_counts(record["findings"]),
                "findings": len(record["findings"]),
                "doc": document_tree(entry.text, record["findings"], entry.cards, record["sentences"]),
                # Findings about the file's markup or metadata, outside the story text: listed, no card.
                "outside": [{"rule": f["rule"], "severity": f["severity"], "message": f["message"], "line": f.get("line")}
                            for f in record["findings"] if outside(f)],
                **self.state(entry),
            }

    def state(self, entry: Entry) -> dict:
        """Everything on the page that a decision can change."""
        latest = {k: d for k, d in self.store.latest(entry.rel).items() if d.dismissed_at is None}
        current = {sid: d for (sha, sid), d in latest.items() if sha == entry.sha256}
        by_id = {c.id: c for c in entry.cards}
        words = self._words(entry)
        changes = [Change(d.start, d.end, d.original, d.replacement, d.kind, d)
                   for d in current.values() if d.replacement is not None]
        _, dropped = plan(entry.text, changes)
        superseded = {c.ref.suggestion for c, why in dropped if why == "superseded"}
        items = []
        for c in entry.cards:
            d = current.get(c.id)
            state = d.action if d else "pending"
            chosen = c.option(d.option) if d is not None and d.action == "accept" else None
            edit_text = d.text if d is not None and d.action == "edit" else None
            line = entry.line(c.start)
            items.append({
                "id": c.id, "start": c.start, "end": c.end, "line": line, "state": state,
                "superseded": c.id in superseded, "original": c.original, "text": edit_text,
                "chosen": d.option if d is not None else None,
                "best": c.best.key if c.best else None, "proposed": c.proposed,
                "safe": c.safe_option is not None, "codes": sorted({f["rule"] for f in c.findings}),
                "categories": sorted({f["category"] for f in c.findings}),
                "options": [{"key": o.key, "label": o.label, "text": o.text, "words": words[c.id][o.key][0],
                             "keeps": words[c.id][o.key][1]} for o in c.options],
                "damaged": [list(span) for span in c.damaged()],
                "card": card_tree(c, state="superseded" if c.id in superseded else state, line=line,
                                  words=words[c.id], chosen_text=edit_text, chosen=chosen),
            })
        # Decisions on this version whose card this scan does not show (one decided in a
        # neural session, now reviewed with --no-neural): still exported.
        other = [d for sid, d in current.items() if sid not in by_id]
        stale = [d for (sha, _), d in latest.items() if sha != entry.sha256]
        return {
            "sha256": entry.sha256,
            "suggestions": items,
            "other": [self._decision_item(d, "accept" if d.action != "reject" else "reject", entry,
                                          "decided in a scan with other settings; exported as decided") for d in other],
            "stale": [dict(self._decision_item(d, "stale", entry,
                                               f"{d.action} by {d.reviewer} at {d.at}, on an earlier version of the file: not applied"),
                           decision=d.id, reapplicable=self._reapply_target(entry, d) is not None)
                      for d in stale],
            "can_undo": self.store.can_undo(entry.rel, entry.sha256),
            "can_redo": self.store.can_redo(entry.rel, entry.sha256),
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
        if entry.record is None:
            raise Conflict(f"{rel} is still being scanned; try again in a moment")
        if sha256 != entry.sha256:
            raise Conflict(f"{rel} changed on disk since you opened it; reload to review the new version")
        return entry

    @staticmethod
    def _card(entry: Entry, card_id) -> Card:
        card = next((c for c in entry.cards if c.id == card_id), None)
        if card is None:
            raise NotFound("no such card in this story")
        return card

    def _row(self, card: Card, proposed: str) -> Row:
        return Row(card.id, card.kind, card.code, card.start, card.end, card.original, proposed)

    def _item(self, card: Card, action: str, text: str | None = None, option: str | None = None) -> tuple:
        """(row, action, text, extra) for the decision log: the rule codes and fix score of what
        was decided on (the option accepted, the proposal rejected, the editor's text)."""
        if action == "accept":
            opt = card.option(option)
            if opt is None:
                raise ValueError("this card has no such proposal to accept; edit it instead" if option not in (None, "best")
                                 else "this card has no proposal to accept; edit it instead")
            return (self._row(card, opt.text), "accept", None,
                    {"codes": opt.codes, "score": self._option_score(card, opt), "option": opt.key})
        best = card.best
        if action == "reject":
            return (self._row(card, card.proposed), "reject", None,
                    {"codes": best.codes if best else [], "score": self._option_score(card, best) if best else None,
                     "option": best.key if best else None})
        if not isinstance(text, str):
            raise ValueError("an edit needs its text")
        if len(text) > 20 * max(len(card.original), 200):
            raise ValueError("edited text is far longer than the original; refused")
        value = self.score([(card.original, text, self._expected(card))])[0] if text.strip() else 0.0
        return (self._row(card, card.proposed), "edit", text,
                {"codes": best.codes if best else [], "score": value, "option": "edit"})

    def decide(self, rel: str, sha256: str, card_id: str, action: str, text: str | None = None,
               option: str | None = None) -> dict:
        with self._lock:
            entry = self._checked(rel, sha256)
            card = self._card(entry, card_id)
            self.store.decide(rel, entry.sha256, [self._item(card, action, text, option)], self.reviewer)
            return self.state(entry)

    def accept_safe(self, rel: str, sha256: str) -> dict:
        """Accept the safe rule fixes of every undecided card, as one batch."""
        with self._lock:
            entry = self._checked(rel, sha256)
            latest = self.store.latest(rel)
            items = [self._item(c, "accept", option=c.safe_option.key) for c in entry.cards
                     if c.safe_option is not None and (entry.sha256, c.id) not in latest]
            if items:
                self.store.decide(rel, entry.sha256, items, self.reviewer)
            out = self.state(entry)
            out["accepted"] = len(items)
            return out

    def undo(self, rel: str, sha256: str, whole_batch: bool = False, card_id: str | None = None) -> dict:
        """Undo the latest decision (``card_id``: the one on that card; ``whole_batch``: the
        whole latest batch, e.g. everything one "accept all safe fixes" did)."""
        with self._lock:
            entry = self._checked(rel, sha256)
            undone = self.store.undo(rel, entry.sha256, whole_batch=whole_batch, suggestion=card_id)
            out = self.state(entry)
            out["undone"] = len(undone)
            return out

    def redo(self, rel: str, sha256: str) -> dict:
        with self._lock:
            entry = self._checked(rel, sha256)
            redone = self.store.redo(rel, entry.sha256)
            out = self.state(entry)
            out["redone"] = len(redone)
            return out

    # -- stale decisions ------------------------------------------------------------------
    def _stale(self, entry: Entry, ids) -> list[Decision]:
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise ValueError("ids must be a list of decision numbers")
        latest = self.store.latest(entry.rel)
        stale = {d.id: d for (sha, _), d in latest.items() if sha != entry.sha256 and d.dismissed_at is None}
        missing = [i for i in ids if i not in stale]
        if missing:
            raise NotFound(f"decision {missing[0]} is not a stale decision of this story")
        return [stale[i] for i in ids]

    def dismiss(self, rel: str, sha256: str, ids) -> dict:
        with self._lock:
            entry = self._checked(rel, sha256)
            n = self.store.dismiss(rel, [d.id for d in self._stale(entry, ids)])
            out = self.state(entry)
            out["dismissed"] = n
            return out

    @staticmethod
    def _reapply_target(entry: Entry, d: Decision) -> Card | None:
        """The card of the current version that holds exactly the text the decision was made
        on (the nearest one to where it was, if the text occurs more than once)."""
        same = [c for c in entry.cards if c.original == d.original]
        return min(same, key=lambda c: abs(c.start - d.start)) if same else None

    def reapply(self, rel: str, sha256: str, ids) -> dict:
        """Make stale decisions again on the cards of the current version that hold the same
        text; the stale ones are then dismissed. One batch (one undo step)."""
        with self._lock:
            entry = self._checked(rel, sha256)
            items, done = [], []
            for d in self._stale(entry, ids):
                card = self._reapply_target(entry, d)
                if card is None:
                    raise Conflict(f"the text decision {d.id} was made on is no longer in {rel}; dismiss it instead")
                opt = next((o for o in card.options if o.text == d.proposed), None)
                if d.action == "accept" and opt is not None:
                    items.append(self._item(card, "accept", option=opt.key))
                elif d.action == "reject":
                    items.append(self._item(card, "reject"))
                else:  # an edit, or an accepted text this scan no longer proposes: the same words
                    items.append(self._item(card, "edit", d.replacement))
                done.append(d.id)
            if items:
                self.store.decide(rel, entry.sha256, items, self.reviewer)
                self.store.dismiss(rel, done)
            out = self.state(entry)
            out["reapplied"] = len(items)
            return out

    def export(self, out_dir: Path) -> dict:
        from mtcheck.review.export import export

        with self._lock:
            return export(self.root, [e.file for e in self.entries.values()], self.store, out_dir, self.reviewer)


def _removal(opt: Option) -> bool:
    """An option that deletes the passage (page furniture): a fix score, made to compare two
    wordings of one sentence, says nothing about it."""
    return not opt.text.strip()


def _option_words(card: Card, opt: Option, threshold: float, expected: str) -> tuple[str, str]:
    if _removal(opt):
        return "removes this text from the story", ""
    return score_words(opt.score, threshold), keeps_words(what_is_lost(opt.text, expected, card.original))


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def options_key(scanner) -> str:
    """What a stored scan depends on besides the file bytes: the pipeline's key, and the gate
    policy that orders the queue (its verdict is stored with the scan)."""
    return json.dumps({"pipeline": scanner.pipeline.key(), "gate": scanner.config.section("gate")}, sort_keys=True, default=str)
