"""The review database: cached scan records per file content, and every editor decision.

One SQLite file (default ``.mtcheck/review.sqlite`` in the reviewed folder). Each decision is
its own transaction, committed before the request returns (WAL, ``synchronous=FULL``), so a
killed server or a closed tab loses nothing. Decisions are an append-only log: a decision
replaces an earlier one on the same suggestion by coming later, undo marks a batch undone;
nothing is deleted, so the export can account for every decision ever made.

Each decision also keeps what the desk learns from: the rule codes whose fixes made the
proposal decided on (``codes``), its fix score (``score``) and which of the card's options
was taken (``option``). Undo is per decision or per batch, and can be redone until a new
decision is made on that version of the file (``undo_step``: which undo step hid a row).

Decisions are tied to the SHA-256 of the file bytes they were made on. When the file changes,
they no longer match and are shown as stale instead of being applied to different text.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

SCHEMA_VERSION = "2"
# Columns schema 2 added to the decisions of schema 1 (a schema-1 database is upgraded in place:
# its decisions keep NULL there, which the stats read as "no rule code, no score").
_ADDED_COLUMNS = (("codes", "TEXT"), ("score", "REAL"), ("option", "TEXT"), ("undo_step", "INTEGER"), ("dismissed_at", "TEXT"))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scans (
    sha256 TEXT NOT NULL,
    options TEXT NOT NULL,
    path TEXT NOT NULL,
    scanned_at TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (sha256, options)
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch INTEGER NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    suggestion TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    original TEXT NOT NULL,
    proposed TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('accept', 'reject', 'edit')),
    text TEXT,
    reviewer TEXT NOT NULL,
    at TEXT NOT NULL,
    undone_at TEXT,
    codes TEXT,
    score REAL,
    option TEXT,
    undo_step INTEGER,
    dismissed_at TEXT
);
CREATE INDEX IF NOT EXISTS decisions_by_path ON decisions (path, sha256);
"""

ACTIONS = ("accept", "reject", "edit")


class StoreError(Exception):
    """The database cannot be opened or is not a review database (one-line message)."""


class StoreDamaged(StoreError):
    """The file is a SQLite database with damaged pages (or not a database at all). It is
    never rewritten or deleted: ``move_aside`` renames it so that a new one can start."""

    def __init__(self, path: Path, detail: str, what: str = "the review database is damaged"):
        self.path = Path(path)
        self.detail = detail
        super().__init__(f"{path}: {what} ({detail})")


_DAMAGE_WORDS = ("malformed", "not a database", "corrupt", "disk image")


def _is_damage(e: sqlite3.DatabaseError) -> bool:
    text = str(e).lower()
    return any(w in text for w in _DAMAGE_WORDS)


def move_aside(path: str | Path) -> Path:
    """Rename a damaged database (and its -wal/-shm/-journal files) to
    ``NAME.damaged-YYYYmmdd-HHMMSS[.N]`` beside it; nothing is deleted. Returns the new name."""
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        aside = path.with_name(f"{path.name}.damaged-{stamp}" + (f".{n}" if n else ""))
        if not any(os.path.lexists(f"{aside}{s}") for s in ("", "-wal", "-shm", "-journal")):
            break
    else:
        raise StoreError(f"{path}: cannot find a free name to move the damaged database to")
    os.rename(path, aside)
    for suffix in ("-wal", "-shm", "-journal"):
        if os.path.lexists(f"{path}{suffix}"):
            os.rename(f"{path}{suffix}", f"{aside}{suffix}")
    return aside


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Decision:
    id: int
    batch: int
    path: str
    sha256: str
    suggestion: str
    kind: str
    code: str | None
    start: int
    end: int
    original: str
    proposed: str
    action: str
    text: str | None
    reviewer: str
    at: str
    undone_at: str | None
    codes: str | None = None  # JSON list of the rule codes whose fixes made the proposal
    score: float | None = None  # fix score of the text accepted or written (of the proposal, for a rejection)
    option: str | None = None  # which of the card's options: "best", "rules", "rewrite", "cand-2", ...
    undo_step: int | None = None  # the undo step that hid it, while it can be redone
    dismissed_at: str | None = None  # a stale decision the editor put away

    @property
    def rule_codes(self) -> list[str]:
        try:
            codes = json.loads(self.codes) if self.codes else []
        except ValueError:
            return []
        return [c for c in codes if isinstance(c, str)] if isinstance(codes, list) else []

    @property
    def replacement(self) -> str | None:
        """What the span becomes if this decision is applied (None for a rejection)."""
        if self.action == "accept":
            return self.proposed
        if self.action == "edit":
            return self.text
        return None

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


_COLUMNS = ("id, batch, path, sha256, suggestion, kind, code, start, \"end\", original, proposed, action, text, reviewer, at, "
            "undone_at, codes, score, option, undo_step, dismissed_at")


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._db = None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            pass
        except OSError as e:
            raise StoreError(f"{self.path}: cannot open review database: {e.strerror or e}") from None
        else:  # a FIFO or a device would block sqlite, a folder cannot be one
            if not stat.S_ISREG(st.st_mode):
                raise StoreError(f"{self.path}: cannot open review database: not a regular file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            version = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if version is None:
                self._db.execute("INSERT INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
            elif version[0] == "1":
                self._upgrade_from_1()
            elif version[0] != SCHEMA_VERSION:
                raise StoreError(f"{self.path}: review database has schema {version[0]}, this mtcheck reads {SCHEMA_VERSION}")
            # Damaged pages may lie anywhere: find out now, not in the middle of a session.
            problems = [r[0] for r in self._db.execute("PRAGMA quick_check(3)").fetchall()]
            if problems != ["ok"]:
                lines = [ln.strip() for p in problems for ln in str(p).splitlines() if ln.strip() and not ln.startswith("***")]
                detail = "; ".join(lines)
                raise StoreDamaged(self.path, detail if len(detail) <= 160 else detail[:157] + "...")
        except StoreError:
            self._close_quietly()
            raise
        except sqlite3.DatabaseError as e:
            self._close_quietly()
            if "not a database" in str(e):
                raise StoreDamaged(self.path, str(e), "not a usable review database") from None
            if _is_damage(e):
                raise StoreDamaged(self.path, str(e)) from None
            raise StoreError(f"{self.path}: not a usable review database ({e})") from None
        except OSError as e:
            self._close_quietly()
            raise StoreError(f"{self.path}: cannot open review database: {e.strerror or e}") from None

    def _upgrade_from_1(self) -> None:
        have = {r[1] for r in self._db.execute("PRAGMA table_info(decisions)").fetchall()}
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for name, kind in _ADDED_COLUMNS:
                if name not in have:
                    self._db.execute(f"ALTER TABLE decisions ADD COLUMN {name} {kind}")
            self._db.execute("UPDATE meta SET value=? WHERE key='schema'", (SCHEMA_VERSION,))
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _close_quietly(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- transactions -------------------------------------------------------------------
    class _Tx:
        def __init__(self, store: "Store"):
            self.store = store

        def __enter__(self):
            self.store._lock.acquire()
            self.store._db.execute("BEGIN IMMEDIATE")
            return self.store._db

        def __exit__(self, exc_type, exc, tb):
            try:
                self.store._db.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self.store._lock.release()
            return False

    def _tx(self) -> "Store._Tx":
        return Store._Tx(self)

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- scan cache -----------------------------------------------------------------------
    def get_scan(self, sha256: str, options: str) -> dict | None:
        rows = self._query("SELECT record FROM scans WHERE sha256=? AND options=?", (sha256, options))
        return json.loads(rows[0][0]) if rows else None

    def put_scan(self, sha256: str, options: str, path: str, record: dict) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO scans (sha256, options, path, scanned_at, record) VALUES (?, ?, ?, ?, ?)",
                (sha256, options, path, now(), json.dumps(record, ensure_ascii=False)),
            )

    # -- decisions ------------------------------------------------------------------------
    def decide(self, path: str, sha256: str, items: Iterable[tuple], reviewer: str) -> int:
        """Record decisions as one batch. ``items``: (suggestion, action, text) or (suggestion,
        action, text, extra) where suggestion has id/kind/code/start/end/original/proposed and
        extra may give ``codes`` (list), ``score`` and ``option``. A new decision ends what
        can be redone on this version of the file. Returns the batch."""
        items = [tuple(i) + ({},) * (4 - len(i)) for i in items]
        for _, action, text, _extra in items:
            if action not in ACTIONS:
                raise ValueError(f"unknown action {action!r}")
            if action == "edit" and text is None:
                raise ValueError("an edit needs its text")
        with self._tx() as db:
            batch = db.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM decisions").fetchone()[0]
            at = now()
            db.execute("UPDATE decisions SET undo_step=NULL WHERE path=? AND sha256=? AND undo_step IS NOT NULL", (path, sha256))
            for s, action, text, extra in items:
                codes = extra.get("codes")
                score = extra.get("score")
                db.execute(
                    "INSERT INTO decisions (batch, path, sha256, suggestion, kind, code, start, \"end\", original, proposed, action, text,"
                    " reviewer, at, codes, score, option) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (batch, path, sha256, s.id, s.kind, s.code, s.start, s.end, s.original, s.proposed,
                     action, text if action == "edit" else None, reviewer, at,
                     json.dumps(list(codes)) if codes is not None else None,
                     float(score) if isinstance(score, (int, float)) else None, extra.get("option")),
                )
        return batch

    def _hide(self, db, rows: list[int]) -> list[Decision]:
        step = db.execute("SELECT COALESCE(MAX(undo_step), 0) + 1 FROM decisions").fetchone()[0]
        at = now()
        db.executemany("UPDATE decisions SET undone_at=?, undo_step=? WHERE id=?", [(at, step, i) for i in rows])
        marks = ",".join("?" * len(rows))
        return [Decision(*r) for r in db.execute(f"SELECT {_COLUMNS} FROM decisions WHERE id IN ({marks}) ORDER BY id", rows).fetchall()]

    def undo(self, path: str, sha256: str, whole_batch: bool = False, suggestion: str | None = None) -> list[Decision]:
        """Undo the latest decision on this version of the file (``suggestion``: the latest on
        that suggestion; ``whole_batch``: every decision of the latest batch, as one step)."""
        with self._tx() as db:
            where, args = "path=? AND sha256=? AND undone_at IS NULL", [path, sha256]
            if suggestion is not None:
                where += " AND suggestion=?"
                args.append(suggestion)
            row = db.execute(f"SELECT MAX(id), MAX(batch) FROM decisions WHERE {where}", args).fetchone()
            if row is None or row[0] is None:
                return []
            if whole_batch:
                batch = db.execute("SELECT batch FROM decisions WHERE id=?", (row[0],)).fetchone()[0]
                ids = [r[0] for r in db.execute(f"SELECT id FROM decisions WHERE {where} AND batch=?", (*args, batch)).fetchall()]
            else:
                ids = [row[0]]
            return self._hide(db, ids)

    def redo(self, path: str, sha256: str) -> list[Decision]:
        """Bring back what the latest undo step on this version of the file hid."""
        with self._tx() as db:
            row = db.execute("SELECT MAX(undo_step) FROM decisions WHERE path=? AND sha256=? AND undo_step IS NOT NULL",
                             (path, sha256)).fetchone()
            if row is None or row[0] is None:
                return []
            ids = [r[0] for r in db.execute("SELECT id FROM decisions WHERE path=? AND sha256=? AND undo_step=?",
                                            (path, sha256, row[0])).fetchall()]
            db.execute("UPDATE decisions SET undone_at=NULL, undo_step=NULL WHERE path=? AND sha256=? AND undo_step=?",
                       (path, sha256, row[0]))
            marks = ",".join("?" * len(ids))
            return [Decision(*r) for r in db.execute(f"SELECT {_COLUMNS} FROM decisions WHERE id IN ({marks}) ORDER BY id", ids).fetchall()]

    def dismiss(self, path: str, decision_ids: Iterable[int]) -> int:
        """Put stale decisions away: no longer shown, reported as dismissed by the export."""
        ids = [int(i) for i in decision_ids]
        if not ids:
            return 0
        with self._tx() as db:
            marks = ",".join("?" * len(ids))
            cur = db.execute(f"UPDATE decisions SET dismissed_at=? WHERE path=? AND id IN ({marks}) AND dismissed_at IS NULL",
                             (now(), path, *ids))
            return cur.rowcount

    def decisions(self, path: str | None = None) -> list[Decision]:
        """Every decision (undone ones included), oldest first."""
        if path is None:
            rows = self._query(f"SELECT {_COLUMNS} FROM decisions ORDER BY id")
        else:
            rows = self._query(f"SELECT {_COLUMNS} FROM decisions WHERE path=? ORDER BY id", (path,))
        return [Decision(*r) for r in rows]

    def latest(self, path: str) -> dict[tuple[str, str], Decision]:
        """The decision in force per (sha256, suggestion): the last one not undone."""
        out: dict[tuple[str, str], Decision] = {}
        for d in self.decisions(path):
            if d.undone_at is None:
                out[(d.sha256, d.suggestion)] = d
        return out

    def can_undo(self, path: str, sha256: str) -> bool:
        rows = self._query("SELECT 1 FROM decisions WHERE path=? AND sha256=? AND undone_at IS NULL LIMIT 1", (path, sha256))
        return bool(rows)

    def can_redo(self, path: str, sha256: str) -> bool:
        rows = self._query("SELECT 1 FROM decisions WHERE path=? AND sha256=? AND undo_step IS NOT NULL LIMIT 1", (path, sha256))
        return bool(rows)
