"""The review database: cached scan records per file content, and every editor decision.

One SQLite file (default ``.mtcheck/review.sqlite`` in the reviewed folder). Each decision is
its own transaction, committed before the request returns (WAL, ``synchronous=FULL``), so a
killed server or a closed tab loses nothing. Decisions are an append-only log: a decision
replaces an earlier one on the same suggestion by coming later, undo marks a batch undone;
nothing is deleted, so the export can account for every decision ever made.

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

SCHEMA_VERSION = "1"

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
    undone_at TEXT
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


_COLUMNS = "id, batch, path, sha256, suggestion, kind, code, start, \"end\", original, proposed, action, text, reviewer, at, undone_at"


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
    def decide(self, path: str, sha256: str, items: Iterable[tuple[object, str, str | None]], reviewer: str) -> int:
        """Record decisions as one batch (one undo step). ``items``: (suggestion, action,
        text) where suggestion has id/kind/code/start/end/original/proposed. Returns the batch."""
        items = list(items)
        for _, action, text in items:
            if action not in ACTIONS:
                raise ValueError(f"unknown action {action!r}")
            if action == "edit" and text is None:
                raise ValueError("an edit needs its text")
        with self._tx() as db:
            batch = db.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM decisions").fetchone()[0]
            at = now()
            for s, action, text in items:
                db.execute(
                    "INSERT INTO decisions (batch, path, sha256, suggestion, kind, code, start, \"end\", original, proposed, action, text, reviewer, at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (batch, path, sha256, s.id, s.kind, s.code, s.start, s.end, s.original, s.proposed,
                     action, text if action == "edit" else None, reviewer, at),
                )
        return batch

    def undo(self, path: str, sha256: str) -> list[Decision]:
        """Undo the latest batch of decisions on this version of the file."""
        with self._tx() as db:
            row = db.execute(
                "SELECT MAX(batch) FROM decisions WHERE path=? AND sha256=? AND undone_at IS NULL", (path, sha256)
            ).fetchone()
            if row is None or row[0] is None:
                return []
            batch = row[0]
            db.execute("UPDATE decisions SET undone_at=? WHERE batch=? AND path=? AND undone_at IS NULL", (now(), batch, path))
            rows = db.execute(f"SELECT {_COLUMNS} FROM decisions WHERE batch=? AND path=?", (batch, path)).fetchall()
        return [Decision(*r) for r in rows]

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
