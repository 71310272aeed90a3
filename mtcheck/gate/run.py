"""The gate run: recover, find stories, scan them, decide, and commit each decision.

Stories are taken in order of arrival (modification time, then name), so of two copies of
the same bytes the one that came first is kept and the re-sent one rejected as a duplicate.
They are scanned through ``Scanner.scan`` (so batching and ``--jobs`` apply) and decided
one at a time as results come back in order; each decision is committed (journal, report,
move, audit) before the next, so a stop or a crash loses at most the story in hand.

No story can stop the run: whatever goes wrong with one (a name no report can be made for,
a scanner failure, an unexpected exception) keeps that story in the inbox with an audit
record saying why, and the gate goes on with the next. Only a failure that would hit every
story (the audit log cannot be written, the journal is damaged) stops it.

A symbolic link whose target lies outside the inbox is never followed: it is rejected with a
reason and moved as a link, so a private file elsewhere is neither judged nor copied into a
report.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from mtcheck import __version__
from mtcheck.document import Document
from mtcheck.engine import FileResult, Scanner
from mtcheck.fsutil import printable
from mtcheck.gate import journal as journal_mod
from mtcheck.gate import mover
from mtcheck.gate.audit import AuditLog, now
from mtcheck.gate.files import dumps, shown, write_atomic
from mtcheck.gate.journal import Intent, Journal
from mtcheck.gate.policy import (
    ACCEPTED,
    REJECTED,
    REVIEW,
    Decision,
    Policy,
    duplicate_decision,
    evaluate,
    fragment_decision,
    input_error_decision,
)
from mtcheck.gate.watch import is_temporary
from mtcheck.reader import InputError, discover, read_bytes

STATE_DIR = ".mtcheck-gate"
AUDIT_NAME = "gate.log.jsonl"
OUTSIDE_LINK = "outside-link"  # the input-error kind of a link out of the inbox


@dataclass
class Story:
    """One file of the inbox on its way through the gate."""

    path: Path
    hash: str | None = None
    document: Document | None = None
    error: InputError | None = None
    duplicate_of: dict | None = None
    fragment_of: dict | None = None  # --watch: the story taken under this name moments ago
    size: int | None = None  # bytes the verdict was given on
    # A file of several stories (a feed, a NewsML-G2 news message): each item's scan result,
    # ``file#item-N``; the file is judged item by item and placed by its worst item.
    items: list[FileResult] | None = None
    item_decisions: list[tuple[str, Decision]] | None = None


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
    items: list[dict] | None = None  # a file of several stories: each item's verdict

    def to_dict(self) -> dict:
        out = {"source": self.source, "verdict": self.verdict, "dest": self.dest, "report": self.report,
               "hash": self.hash, "decided_by": self.decided_by, "reasons": self.reasons}
        if self.items is not None:
            out["items"] = self.items
        if self.error:
            out["error"] = self.error
        if self.recovered:
            out["recovered"] = True
        return out


_SEVERITY = {ACCEPTED: 0, REVIEW: 1, REJECTED: 2}


def evaluate_story(story: Story, policy: Policy, neural: bool) -> Decision:
    if story.fragment_of is not None:
        return fragment_decision(story.fragment_of)
    if story.duplicate_of is not None:
        return duplicate_decision(story.duplicate_of)
    if story.error is not None:
        return input_error_decision(story.error.kind, story.error.message)
    if story.items is not None:
        story.item_decisions = [(r.path, _item_decision(r, policy, neural)) for r in story.items]
        return worst_item_decision(story.item_decisions)
    assert story.document is not None
    return evaluate(story.document, policy, neural=neural)


def _item_decision(result: FileResult, policy: Policy, neural: bool) -> Decision:
    if result.error is not None:
        return input_error_decision(result.error.kind, result.error.message)
    return evaluate(result.document, policy, neural=neural)


def worst_item_decision(items: list[tuple[str, Decision]]) -> Decision:
    """The decision on a file of several stories: the verdict of its worst item (a file is
    moved as a unit), the checks each item crossed named by item, a note per item."""
    from mtcheck.gate.policy import Check
    from mtcheck.readers import split_name

    verdict = max((d.verdict for _, d in items), key=_SEVERITY.__getitem__)
    checks = []
    for path, d in items:
        n = split_name(path)[1]
        checks += [Check(c.rule, c.outcome, f"item {n}: {c.detail}", c.value, c.limit) for c in d.reasons]
    if verdict == ACCEPTED:
        checks.append(Check("items", "pass", f"all {len(items)} items accepted"))
    notes = [f"item {split_name(path)[1]}: {d.verdict} ({d.summary()})" for path, d in items]
    return Decision(verdict, checks, None, notes)


def item_records(story: Story, base: str | None = None) -> list[dict] | None:
    """Each item's verdict for the audit record and the report of a file of several, named
    ``base#item-N`` (``base``: the file's name as the record gives it)."""
    if story.item_decisions is None:
        return None
    from mtcheck.readers import item_name, split_name

    out = []
    for path, d in story.item_decisions:
        dd = d.decided_by
        n = split_name(path)[1]
        out.append({"item": n, "name": item_name(base, n) if base else path, "verdict": d.verdict, "decided_by": dd.rule if dd else None,
                    "reasons": d.reason_records()})
    return out


def story_from_result(result: FileResult, audit: AuditLog | None = None) -> Story:
    """A scanned file as the gate sees it: its content hash, and whether it was decided before."""
    story = Story(Path(result.path), document=result.document, error=result.error)
    try:
        data = read_bytes(result.path)
        story.hash, story.size = mover.content_hash(data), len(data)
    except InputError:
        pass  # unreadable: judged as bad input, recorded without a hash
    if result.extras.get("items") is not None:
        story.items = result.extras["items"]
    if (story.document is not None or story.items is not None) and audit is not None and (
            first := audit.decided(story.hash)) is not None:
        story.duplicate_of, story.document, story.items = first, None, None
    return story


def scan_paths(scanner: Scanner, paths: Sequence[Path]) -> Iterator[FileResult]:
    """``Scanner.scan`` over explicit files (so ``--jobs`` and batching apply), in order.
    A story that breaks the scanner is isolated: the rest are scanned one by one and the
    culprit comes back as an analysis failure, so it stays in the inbox instead of stopping
    the gate."""
    done = 0
    try:
        for result in _per_file(scanner.scan([str(p) for p in paths])):
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


def _per_file(results: Iterator[FileResult]) -> Iterator[FileResult]:
    """One result per inbox file: the gate moves files, and the scan gives a file holding
    several stories (a feed, a NewsML-G2 news message) as ``file#item-N``, one after another.
    A file of one item is judged on it; one of several comes back with every item's result
    in ``extras["items"]`` (an item that cannot be read is that item's error), to be judged
    item by item and placed by its worst item."""
    from mtcheck.readers import split_name

    group: list[FileResult] = []

    def merged() -> FileResult:
        base = split_name(group[0].path)[0]
        failed = next((r for r in group if r.error is not None and r.error.kind == "failed"), None)
        if failed is not None:  # our failure, not the file's: it stays in the inbox
            return FileResult(path=base, error=InputError(base, "failed", failed.error.message))
        if len(group) == 1:
            r = group[0]
            if r.error is not None:
                return FileResult(path=base, error=InputError(base, r.error.kind, f"item {split_name(r.path)[1]}: {r.error.message}"))
            r.document.path = base
            return FileResult(path=base, document=r.document, extras=r.extras)
        return FileResult(path=base, extras={"items": list(group)})

    try:
        for r in results:
            base, item = split_name(r.path)
            if group and (item is None or split_name(group[0].path)[0] != base):
                yield merged()
                group = []
            if item is None:
                yield r
            else:
                group.append(r)
        if group:
            yield merged()
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()


def _in_process(scanner: Scanner) -> Scanner:
    if scanner.settings.jobs == 1:
        return scanner
    return Scanner(scanner.settings.but(jobs=1))


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
        if story.fragment_of is not None:
            rec["fragment_of"] = {k: story.fragment_of.get(k) for k in ("time", "hash", "verdict", "source", "dest")}
        if story.items is not None:
            from mtcheck.report.json import file_record

            records = {r["name"]: r for r in item_records(story) or []}
            rec["items"] = [{**records.get(r.path, {}), **(file_record(r) if r.document is not None else
                             {"error": {"kind": r.error.kind, "message": r.error.message}})} for r in story.items]
    rec.update(gate_fields(story, decision, signature, policy, when))
    rec["moved_to"] = str(dest)
    return rec


def decision_fields(decision: Decision) -> dict:
    """What a verdict says, as the report and the audit record both write it."""
    d = decision.decided_by
    return {
        "verdict": decision.verdict,
        "decided_by": d.rule if d else None,
        "reasons": decision.reason_records(),
        "notes": decision.notes,
        "metrics": decision.metrics.to_dict() if decision.metrics else None,
    }


def gate_fields(story: Story, decision: Decision, signature: dict, policy: Policy, when: str) -> dict:
    return {
        **decision_fields(decision),
        "hash": story.hash,
        "time": when,
        "signature": signature,
        "policy": policy.to_dict(),
    }


def write_report(path: Path, body: dict) -> None:
    # The gate's own writer: a short temporary name (a story name of up to 255 bytes leaves
    # no room for ".NAME.XXXXXXXX.tmp"), and undecodable name bytes escaped in the JSON.
    write_atomic(path, dumps(body, indent=1) + "\n")


class GateError(Exception):
    """A failure that stops the gate (the story in hand is safe in the journal)."""


class Gate:
    def __init__(self, inbox: Path, folders: dict[str, Path], scanner: Scanner, policy: Policy,
                 audit_path: Path | None = None, include: Sequence[str] = ("*",), exclude: Sequence[str] = (),
                 neural: bool = False, write_verdict: bool = False):
        self.inbox = inbox.resolve()
        self.folders = {k: v.resolve() for k, v in folders.items()}
        self.scanner = scanner
        self.policy = policy
        self.state_dir = self.inbox / STATE_DIR
        self.audit = AuditLog(audit_path or self.state_dir / AUDIT_NAME)
        self.journal = Journal(self.state_dir / "journal")
        self.include, self.exclude = tuple(include), tuple(exclude)
        self.neural = neural
        self.write_verdict = write_verdict  # --write-verdict: record it inside ninjs/NewsML-G2 items
        self._signature: dict | None = None
        self._unreadable: set[str] = set()  # folders already reported as unreadable this run
        # --watch only (``watch_taken``): stories taken this session, by inbox name, so that
        # a writer still appending after the take is caught (see ``grown`` and ``process``).
        self.taken_window: float | None = None
        self._taken: dict[str, dict] = {}

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

    def watch_taken(self, window: float) -> None:
        """Remember each story taken for ``window`` seconds: a file that reappears under its
        name within it is the rest of that story (rejected as a fragment, not judged as a
        story), and growth of the taken file itself is reported by ``grown``."""
        self.taken_window = window

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
    def _walk(self, include: Sequence[str] = ("*",), exclude: Sequence[str] = ()) -> Iterator[tuple[Path, bool]]:
        """(path, temporary) for the files of the inbox outside the state and verdict folders."""
        inside = [f for f in self.folders.values() if _is_within(f, self.inbox)]
        # Files, not stories: the gate moves files (a feed of several items is one inbox file).
        for path, error in discover([self.inbox], include, exclude, stories=False):
            p = Path(path)
            if error is not None and error.kind == "unreadable" and not os.path.isfile(path):
                # A folder the gate cannot list or enter is not a story: say so (once a run) and
                # leave it where it is, never move it into rejected/ whole.
                if path not in self._unreadable:
                    self._unreadable.add(path)
                    print(f"mtcheck: {printable(path)}: {error.message}; left in the inbox", file=sys.stderr)
                continue
            rel = p.relative_to(self.inbox)
            if rel.parts[0] == STATE_DIR or any(_is_within(p, f) for f in inside):
                continue
            yield p, any(part.startswith(".") for part in rel.parts) or is_temporary(p.name)

    def candidates(self) -> list[Path]:
        """Stories in the inbox: every file not hidden, not temporary, not in a verdict folder,
        in order of arrival (modification time, then name)."""
        out = [p for p, temporary in self._walk(self.include, self.exclude) if not temporary]
        return sorted(out, key=lambda p: (_mtime_ns(p), self._rel(p)))

    def temporaries(self) -> list[os.stat_result]:
        """The stat of every file under a temporary name (``--watch`` sees renames by inode)."""
        out = []
        for p, temporary in self._walk():
            if temporary and not p.name.endswith(mover.REPORT_SUFFIX):
                try:
                    out.append(os.lstat(p))
                except OSError:
                    pass
        return out

    def outside_link(self, path: Path) -> str | None:
        """Why ``path`` must not be read: a symbolic link (or a chain) leading out of the
        inbox, or into the gate's own state; None for anything else."""
        if not path.is_symlink():
            return None
        target = Path(os.path.realpath(path))  # a dangling link resolves as far as it goes
        if _is_within(target, self.inbox) and not _is_within(target, self.state_dir):
            return None
        try:
            where = shown(os.readlink(path))
        except OSError:
            where = "?"
        return f"symbolic link to {where}, outside the inbox: not followed, not read"

    # -- deciding ----------------------------------------------------------------------------
    def process(self, paths: Iterable[Path], should_stop: Callable[[], bool] = lambda: False) -> Iterator[Outcome]:
        """Scan, decide and commit each story in turn; stop between stories when asked."""
        paths = list(paths)
        if not paths or should_stop():
            return
        # Links out of the inbox and fragments are decided without reading a byte of them
        # through the scanner. Every link is judged before the first file moves: a link to a
        # link out of the inbox would otherwise see that link gone (moved to rejected/) and
        # dangle inside the inbox instead.
        scan = []
        for p, story in [(p, self._unscanned(p)) for p in paths]:
            if story is None:
                scan.append(p)
                continue
            yield self._safely(p, lambda: self.commit(story, evaluate_story(story, self.policy, self.neural)))
            if should_stop():
                return
        if not scan:
            return
        results = scan_paths(self.scanner, scan)
        try:
            for result in results:
                path = Path(result.path)
                if result.error is not None and result.error.kind == "failed":
                    # Our failure, not the story's: it stays in the inbox, and the log says why.
                    yield self.keep(path, result.error.message)
                else:
                    yield self._safely(path, lambda: self._decide(result))
                if should_stop():
                    return
        finally:
            results.close()  # stops worker processes of a parallel scan

    def _decide(self, result: FileResult) -> Outcome:
        story = story_from_result(result, self.audit)
        return self.commit(story, evaluate_story(story, self.policy, self.neural))

    def _unscanned(self, path: Path) -> Story | None:
        why = self.outside_link(path)
        if why is not None:
            return Story(path, error=InputError(str(path), OUTSIDE_LINK, why))
        first = self._fragment_of(path)
        if first is not None:
            return Story(path, hash=mover.file_hash(path), fragment_of=first)
        return None

    def _fragment_of(self, path: Path) -> dict | None:
        if self.taken_window is None:
            return None
        self._forget_old()
        first = self._taken.get(self._rel(path))
        if first is None:
            return None
        h = mover.file_hash(path)
        if h is not None and h == first.get("hash"):
            return None  # the same bytes again: a duplicate, and decided as one
        return first

    def _forget_old(self) -> None:
        horizon = time.monotonic() - (self.taken_window or 0.0)
        self._taken = {k: v for k, v in self._taken.items() if v["at"] >= horizon}

    def grown(self) -> list[str]:
        """``--watch``: a story that grew in its verdict folder after it was taken (the writer
        kept the file open across the move). Reported once each; the verdict stands on the
        bytes it was given on."""
        out = []
        for rel, t in self._taken.items():
            if t.get("grew"):
                continue
            try:
                st = os.lstat(t["dest"])
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == t["inode"] and st.st_size != t["size"]:
                t["grew"] = True
                out.append(f"{shown(rel)}: written to after the gate took it ({t['size']} bytes then, {st.st_size} now, "
                           f"in {shown(t['dest'])}); its verdict {t['verdict']} is for the first {t['size']} bytes")
        return out

    def _safely(self, path: Path, step: Callable[[], Outcome]) -> Outcome:
        """Run one story's ``step``; whatever it raises (other than a failure that stops the
        gate) keeps that story in the inbox with a reason, and the run goes on."""
        try:
            return step()
        except (GateError, ImportError, KeyboardInterrupt):
            raise
        except Exception as e:  # noqa: BLE001 - one story must never stop the others
            detail = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            return self.keep(path, f"cannot be gated (kept in the inbox): {type(e).__name__}: {shown(detail)}")

    def keep(self, path: Path, message: str, content_hash: str | None = None) -> Outcome:
        """A story that stays in the inbox: one audit record (no verdict) with the reason."""
        rel = self._rel(path)
        if content_hash is None:
            content_hash = mover.file_hash(path) if self.outside_link(path) is None else None
        record = {"time": now(), "id": uuid.uuid4().hex, "hash": content_hash, "source": rel,
                  "inbox": str(self.inbox), "dest": None, "report": None, "verdict": None, "error": message,
                  "kept": "inbox", "neural": self.neural, "mtcheck": __version__}
        try:
            self.audit.append(record)
        except OSError as e:
            raise GateError(f"{shown(rel)}: kept in the inbox, and the audit log cannot be written: {e.strerror or e}") from None
        return Outcome(source=rel, hash=content_hash, error=message)

    def commit(self, story: Story, decision: Decision) -> Outcome:
        """Journal the decision, then place report and story, then record it."""
        rel = self._rel(story.path)
        if not os.path.lexists(story.path):
            return Outcome(source=rel, hash=story.hash, error="vanished from the inbox before it was moved")
        verdict = decision.verdict
        dest = mover.free_destination(self.folders[verdict], Path(rel), with_report=verdict != ACCEPTED)
        when = now()
        report = mover.report_path(dest) if verdict != ACCEPTED else None
        record = {
            "time": when,
            "id": None,  # filled below from the intent
            "hash": story.hash,
            "source": rel,
            "inbox": str(self.inbox),
            "dest": str(dest),
            "report": str(report) if report else None,
            **decision_fields(decision),
            "neural": self.neural,
            "mtcheck": __version__,
            "models": self.signature.get("models", {}),
            "signature": self.signature,
            "policy": self.policy.to_dict(),
        }
        if story.duplicate_of is not None:
            record["duplicate_of"] = story.duplicate_of.get("id")
        if story.fragment_of is not None:
            record["fragment_of"] = story.fragment_of.get("id")
        if story.item_decisions is not None:
            record["items"] = item_records(story, rel)
        stamp = self._stamp(story, decision) if self.write_verdict else None
        if stamp is not None:
            record["placed_hash"] = stamp["hash"]  # the bytes in the folder: the verdict written in
        body = report_record(story, decision, dest, self.signature, self.policy, when) if report else None
        intent = Intent.new(hash=story.hash, source=str(story.path), dest=str(dest), verdict=verdict,
                            record=record, report=str(report) if report else None, report_body=body, stamp=stamp)
        record["id"] = intent.id
        outcome = Outcome(source=rel, verdict=verdict, dest=str(dest), report=intent.report, hash=story.hash,
                          decision=decision, reasons=record["reasons"], decided_by=record["decided_by"],
                          items=record.get("items"))
        try:
            self.journal.write(intent)
            mover.crash_point("journal")
            journal_mod.complete(intent, self.journal, self.audit, write_report, recovered=False)
        except Exception as e:  # noqa: BLE001 - an OSError, or anything this story's data set off
            if not journal_mod.abandon(intent, self.journal):
                # Moved but not recorded (the audit log cannot be written): going on would only
                # pile up more such stories. The journal lets the next run record it.
                why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
                raise GateError(f"{shown(rel)}: moved but not recorded ({shown(why)}); the next run records it") from None
            why = e.strerror if isinstance(e, OSError) and e.strerror else f"{type(e).__name__}: {e}"
            return self.keep(story.path, f"cannot move (kept in the inbox): {shown(why)}", story.hash)
        outcome.dest, outcome.report = intent.dest, intent.report
        if self.taken_window is not None:
            self._remember_taken(rel, intent, record, story.size)
        return outcome

    def _stamp(self, story: Story, decision: Decision) -> dict | None:
        """--write-verdict: what to write into a ninjs or NewsML-G2 file (each item's verdict
        and note) and the hash of the bytes that makes; None for anything else (plain text,
        a duplicate, a file that could not be read)."""
        from mtcheck.gate.stamp import STAMPED_FORMATS, note_for, stamped_bytes
        from mtcheck.readers import split_name

        if story.path.is_symlink() or story.hash is None:
            return None
        if story.item_decisions is not None:
            verdicts = [[split_name(path)[1], d.verdict, note_for(d)] for path, d in story.item_decisions]
        elif story.document is not None and story.document.source is not None:
            if story.document.source.format not in STAMPED_FORMATS:
                return None
            verdicts = [[story.document.source.item, decision.verdict, note_for(decision)]]
        else:
            return None
        try:
            data = read_bytes(str(story.path))
        except InputError:
            return None
        if mover.content_hash(data) != story.hash:
            return None  # changed since it was judged: placed as it is
        stamped = stamped_bytes(data, str(story.path), verdicts)
        if stamped is None:
            return None
        return {"verdicts": verdicts, "hash": mover.content_hash(stamped)}

    def _remember_taken(self, rel: str, intent: Intent, record: dict, size: int | None) -> None:
        try:
            st = os.lstat(intent.dest)
        except OSError:
            return
        # The size judged, not the size now: the writer may have gone on between the move and here.
        self._taken[rel] = {"at": time.monotonic(), "dest": intent.dest, "inode": (st.st_dev, st.st_ino),
                            "size": st.st_size if size is None else size,
                            **{k: record.get(k) for k in ("id", "time", "hash", "verdict", "source")}}

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.inbox).as_posix()
        except ValueError:
            return path.name


def _mtime_ns(path: Path) -> int:
    try:
        return os.lstat(path).st_mtime_ns  # a link's own time: when it arrived
    except OSError:
        return 0


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
    for path, error in discover(paths, scanner.settings.include, scanner.settings.exclude, stories=False):
        if error is not None and not os.path.lexists(path):
            yield path, Story(Path(path), error=error), None
        else:
            files.append(Path(path))
    for result in scan_paths(scanner, files):
        story = story_from_result(result)
        if result.error is not None and result.error.kind == "failed":
            yield result.path, story, None
            continue
        decision = evaluate_story(story, policy, neural)
        if story.items is None:
            yield result.path, story, decision
            continue
        # A file of several stories: each item judged and reported as file#item-N.
        for item, (name, item_decision) in zip(story.items, story.item_decisions or []):
            yield name, Story(Path(name), hash=story.hash, document=item.document, error=item.error), item_decision


def preflight(scanner: Scanner) -> None:
    """Load what every story needs (rule data, models) on a one-line text, so a failure that
    would hit every story (a missing model file) stops the run before anything is moved."""
    scanner.scan_text("The delegations met in Geneva on Monday.", path="<preflight>")
