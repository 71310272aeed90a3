"""The gate run: recover, find stories, scan them, decide, and commit each decision.

Stories are scanned through ``Scanner.scan`` (so batching and ``--jobs`` apply) and decided
one at a time as results come back in order; each decision is committed (journal, report,
move, audit) before the next, so a stop or a crash loses at most the story in hand.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from mtcheck import __version__
from mtcheck.document import Document
from mtcheck.engine import FileResult, Scanner
from mtcheck.fsutil import atomic_write
from mtcheck.gate import journal as journal_mod
from mtcheck.gate import mover
from mtcheck.gate.audit import AuditLog, now
from mtcheck.gate.journal import Intent, Journal
from mtcheck.gate.policy import ACCEPTED, Decision, Policy, duplicate_decision, evaluate, input_error_decision
from mtcheck.gate.watch import is_temporary
from mtcheck.reader import InputError, discover, read_bytes

STATE_DIR = ".mtcheck-gate"
AUDIT_NAME = "gate.log.jsonl"


@dataclass
class Story:
    """One file of the inbox on its way through the gate."""

    path: Path
    hash: str | None = None
    document: Document | None = None
    error: InputError | None = None
    duplicate_of: dict | None = None


@dataclass
class Outcome:
    source: str
    verdict: str | None = None  # None: an error kept the story in the inbox
    dest: str | None = None
    report: str | None = None
    hash: str | None = None
    decision: Decision | None = None
    reasons: list[dict] = field(default_factory=list)
    decided_by: str | None = None
    error: str | None = None
    recovered: bool = False

    def to_dict(self) -> dict:
        out = {"source": self.source, "verdict": self.verdict, "dest": self.dest, "report": self.report,
               "hash": self.hash, "decided_by": self.decided_by, "reasons": self.reasons}
        if self.error:
            out["error"] = self.error
        if self.recovered:
            out["recovered"] = True
        return out


def evaluate_story(story: Story, policy: Policy, neural: bool) -> Decision:
    if story.duplicate_of is not None:
        return duplicate_decision(story.duplicate_of)
    if story.error is not None:
        return input_error_decision(story.error.kind, story.error.message)
    assert story.document is not None
    return evaluate(story.document, policy, neural=neural)


def story_from_result(result: FileResult, audit: AuditLog | None = None) -> Story:
    """A scanned file as the gate sees it: its content hash, and whether it was decided before."""
    story = Story(Path(result.path), document=result.document, error=result.error)
    try:
        story.hash = mover.content_hash(read_bytes(result.path))
    except InputError:
        pass  # unreadable: judged as bad input, recorded without a hash
    if story.document is not None and audit is not None and (first := audit.decided(story.hash)) is not None:
        story.duplicate_of, story.document = first, None
    return story


def scan_paths(scanner: Scanner, paths: Sequence[Path]) -> Iterator[FileResult]:
    """``Scanner.scan`` over explicit files (so ``--jobs`` and batching apply), in order.
    A story that breaks the scanner is isolated: the rest are scanned one by one and the
    culprit comes back as an analysis failure, so it stays in the inbox instead of stopping
    the gate."""
    done = 0
    try:
        for result in scanner.scan([str(p) for p in paths]):
            done += 1
            yield result
        return
    except ImportError:
        raise  # the neural path is not installed: no story can be judged
    except Exception as e:
        if len(paths) - done == 1:
            p = str(paths[done])
            yield FileResult(path=p, error=InputError(p, "failed", f"analysis failed: {type(e).__name__}: {e}"))
            return
    solo = _in_process(scanner)  # a broken worker pool is not restarted for every story
    for p in paths[done:]:
        yield from scan_paths(solo, [p])


def _in_process(scanner: Scanner) -> Scanner:
    if getattr(scanner.options, "jobs", 1) == 1:
        return scanner
    from dataclasses import replace

    return Scanner(scanner.config, replace(scanner.options, jobs=1))


def report_record(story: Story, decision: Decision, dest: Path, signature: dict, policy: Policy, when: str) -> dict:
    """The ``<name>.mtcheck.json`` beside a story: the scan JSON plus verdict and reasons."""
    if story.document is not None:
        from mtcheck.report.json import SCHEMA_VERSION, file_record

        rec = {"version": SCHEMA_VERSION, **file_record(FileResult(path=str(story.path), document=story.document))}
    else:
        rec = {"version": 1, "path": str(story.path)}
        if story.error is not None:
            rec["error"] = {"kind": story.error.kind, "message": story.error.message}
        if story.duplicate_of is not None:
            rec["duplicate_of"] = {k: story.duplicate_of.get(k) for k in ("time", "hash", "verdict", "source", "dest")}
    rec.update(gate_fields(story, decision, signature, policy, when))
    rec["moved_to"] = str(dest)
    return rec


def gate_fields(story: Story, decision: Decision, signature: dict, policy: Policy, when: str) -> dict:
    d = decision.decided_by
    return {
        "verdict": decision.verdict,
        "decided_by": d.rule if d else None,
        "reasons": decision.reason_records(),
        "notes": decision.notes,
        "metrics": decision.metrics.to_dict() if decision.metrics else None,
        "hash": story.hash,
        "time": when,
        "signature": signature,
        "policy": policy.to_dict(),
    }


def write_report(path: Path, body: dict) -> None:
    atomic_write(path, json.dumps(body, ensure_ascii=False, indent=1) + "\n")


class GateError(Exception):
    """A failure that stops the gate (the story in hand is safe in the journal)."""


class Gate:
    def __init__(self, inbox: Path, folders: dict[str, Path], scanner: Scanner, policy: Policy,
                 audit_path: Path | None = None, include: Sequence[str] = ("*",), exclude: Sequence[str] = (),
                 neural: bool = False):
        self.inbox = inbox.resolve()
        self.folders = {k: v.resolve() for k, v in folders.items()}
        self.scanner = scanner
        self.policy = policy
        self.state_dir = self.inbox / STATE_DIR
        self.audit = AuditLog(audit_path or self.state_dir / AUDIT_NAME)
        self.journal = Journal(self.state_dir / "journal")
        self.include, self.exclude = tuple(include), tuple(exclude)
        self.neural = neural
        self._signature: dict | None = None

    @property
    def signature(self) -> dict:
        if self._signature is None:
            self._signature = self.scanner.signature()
        return self._signature

    def open(self) -> None:
        """Load what was decided before; fail early if the audit log cannot be written."""
        self.audit.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.audit.path, "ab"):
            pass
        self.audit.load()

    # -- recovery ----------------------------------------------------------------------------
    def recover(self) -> list[Outcome]:
        """Finish every story a killed gate left half-way, keeping its journaled verdict."""
        out = []
        for intent in self.journal.pending():
            replay = journal_mod.complete(intent, self.journal, self.audit, write_report, recovered=True)
            rec = replay.intent.record
            if replay.action == "lost":
                out.append(Outcome(source=intent.source, hash=intent.hash, error=replay.warning, recovered=True))
                continue
            out.append(Outcome(source=rec.get("source", intent.source), verdict=intent.verdict, dest=replay.intent.dest,
                               report=replay.intent.report, hash=intent.hash, reasons=rec.get("reasons", []),
                               decided_by=rec.get("decided_by"), recovered=True))
        return out

    # -- discovery ---------------------------------------------------------------------------
    def candidates(self) -> list[Path]:
        """Stories in the inbox: every file not hidden, not temporary, not in a verdict folder."""
        out = []
        inside = [f for f in self.folders.values() if _is_within(f, self.inbox)]
        for path, _error in discover([self.inbox], self.include, self.exclude):
            p = Path(path)
            rel = p.relative_to(self.inbox)
            if any(part.startswith(".") for part in rel.parts) or is_temporary(p.name):
                continue
            if any(_is_within(p, f) for f in inside):
                continue
            out.append(p)
        return out

    # -- deciding ----------------------------------------------------------------------------
    def process(self, paths: Iterable[Path], should_stop: Callable[[], bool] = lambda: False) -> Iterator[Outcome]:
        """Scan, decide and commit each story in turn; stop between stories when asked."""
        paths = list(paths)
        if not paths or should_stop():
            return
        results = scan_paths(self.scanner, paths)
        try:
            for result in results:
                if result.error is not None and result.error.kind == "failed":
                    # Our failure, not the story's: it stays in the inbox.
                    yield Outcome(source=self._rel(Path(result.path)), error=result.error.message)
                else:
                    story = story_from_result(result, self.audit)
                    yield self.commit(story, evaluate_story(story, self.policy, self.neural))
                if should_stop():
                    return
        finally:
            results.close()  # stops worker processes of a parallel scan

    def commit(self, story: Story, decision: Decision) -> Outcome:
        """Journal the decision, then place report and story, then record it."""
        rel = self._rel(story.path)
        if not os.path.lexists(story.path):
            return Outcome(source=rel, hash=story.hash, error="vanished from the inbox before it was moved")
        verdict = decision.verdict
        dest = mover.free_destination(self.folders[verdict], Path(rel), with_report=verdict != ACCEPTED)
        when = now()
        report = mover.report_path(dest) if verdict != ACCEPTED else None
        d = decision.decided_by
        record = {
            "time": when,
            "id": None,  # filled below from the intent
            "hash": story.hash,
            "source": rel,
            "inbox": str(self.inbox),
            "dest": str(dest),
            "report": str(report) if report else None,
            "verdict": verdict,
            "decided_by": d.rule if d else None,
            "reasons": decision.reason_records(),
            "notes": decision.notes,
            "metrics": decision.metrics.to_dict() if decision.metrics else None,
            "neural": self.neural,
            "mtcheck": __version__,
            "models": self.signature.get("models", {}),
            "signature": self.signature,
            "policy": self.policy.to_dict(),
        }
        if story.duplicate_of is not None:
            record["duplicate_of"] = story.duplicate_of.get("id")
        body = report_record(story, decision, dest, self.signature, self.policy, when) if report else None
        intent = Intent.new(hash=story.hash, source=str(story.path), dest=str(dest), verdict=verdict,
                            record=record, report=str(report) if report else None, report_body=body)
        record["id"] = intent.id
        outcome = Outcome(source=rel, verdict=verdict, dest=str(dest), report=intent.report, hash=story.hash,
                          decision=decision, reasons=record["reasons"], decided_by=record["decided_by"])
        try:
            self.journal.write(intent)
            mover.crash_point("journal")
            journal_mod.complete(intent, self.journal, self.audit, write_report, recovered=False)
        except OSError as e:
            if not journal_mod.abandon(intent, self.journal):
                # Moved but not recorded (the audit log cannot be written): going on would only
                # pile up more such stories. The journal lets the next run record it.
                raise GateError(f"{rel}: moved but not recorded ({e.strerror or e}); the next run records it") from None
            return Outcome(source=rel, hash=story.hash, error=f"cannot move (kept in the inbox): {e.strerror or e}")
        outcome.dest, outcome.report = intent.dest, intent.report
        return outcome

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.inbox).as_posix()
        except ValueError:
            return path.name


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


def check_in_place(paths: Sequence[str], scanner: Scanner, policy: Policy,
                   neural: bool) -> Iterator[tuple[str, Story, Decision | None]]:
    """``--check``/``--explain``: decide stories where they lie; nothing is moved or recorded.
    A path that does not exist, or a story the scanner failed on, yields (path, story, None)."""
    files = []
    for path, error in discover(paths, scanner.options.include, scanner.options.exclude):
        if error is not None and not os.path.lexists(path):
            yield path, Story(Path(path), error=error), None
        else:
            files.append(Path(path))
    for result in scan_paths(scanner, files):
        story = story_from_result(result)
        if result.error is not None and result.error.kind == "failed":
            yield result.path, story, None
        else:
            yield result.path, story, evaluate_story(story, policy, neural)


def preflight(scanner: Scanner) -> None:
    """Load what every story needs (rule data, models) on a one-line text, so a failure that
    would hit every story (a missing model file) stops the run before anything is moved."""
    scanner.scan_text("The delegations met in Geneva on Monday.", path="<preflight>")
