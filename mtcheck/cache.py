"""The persistent result store: a story whose text, settings and models are unchanged is not
analysed again.

One SQLite file, ``<base>/results.sqlite``; ``<base>`` is the run's cache folder
(``mtcheck.locations``: ``--cache-dir``, else ``cache`` in config, else
``$MTCHECK_CACHE_DIR``, else the user cache directory). Two tables:

- ``documents``: key = hash(pipeline key, file suffix, encoding, text) → the analysis of the
  whole document (``mtcheck.codec.stored_annotations``: the findings in columns);
- ``sentences``: key = hash(quality stage key, sentence kind, quote flag, text) → the neural
  scores of one sentence, so an edited story only re-scores the sentences that changed.

Both keys come from the pipeline (``Pipeline.key``): its signature (mtcheck version, rule
set, severities, user gazetteers by content, model ids and artifact hashes, rewrite
settings), a hash of mtcheck's own code and data files, and the versions of the libraries the
models run on. Nothing else (where files are, how many jobs, progress bars, who reviews)
is part of them.

Many processes may share the file (parallel scans, CI jobs on one runner): WAL journal,
a generous busy timeout, one short transaction per batch. A store that cannot be opened or
read is switched off for the run with one warning; it never fails a scan.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

from mtcheck import codec
from mtcheck.collector import pausing
from mtcheck.locations import cache_base

if TYPE_CHECKING:  # pragma: no cover
    from mtcheck.document import Document, Sentence
    from mtcheck.pipeline import Pipeline

DB_NAME = "results.sqlite"
SCHEMA_VERSION = "3"  # 3: payloads are restricted pickles (mtcheck.codec), no longer JSON
BUSY_TIMEOUT_S = 60.0
_SQL_VARS = 500  # keys per IN (...) query, under SQLite's parameter limit


def db_path(base: str | os.PathLike | None = None) -> Path:
    return (Path(base).expanduser() if base else cache_base()) / DB_NAME


def document_key(fingerprint: str, doc: "Document") -> bytes:
    # The suffix and encoding are part of the key: a rule may treat Markdown differently from
    # plain text, and the encoding is reported. The rest of the path is not, so a story filed
    # twice (syndicated copy) or moved is not analysed twice.
    h = hashlib.sha256()
    for part in (fingerprint, Path(doc.path).suffix.lower(), doc.encoding, doc.text):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.digest()


def sentence_key(fingerprint: str, sentence: "Sentence") -> bytes:
    h = hashlib.sha256()
    for part in (fingerprint, sentence.kind, "q" if sentence.is_quote else "-", sentence.text):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.digest()


# -- the store -----------------------------------------------------------------------------------
class CacheUnavailable(Exception):
    """The cache file cannot be opened or used (permissions, corruption, disk full)."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (key BLOB PRIMARY KEY, payload BLOB NOT NULL, created REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sentences (key BLOB PRIMARY KEY, payload BLOB NOT NULL, created REAL NOT NULL) WITHOUT ROWID;
"""


class ResultCache:
    """A handle on ``results.sqlite``. Every method is one short transaction; errors turn the
    cache off for the rest of the run (``on_error`` is told once) instead of failing it."""

    def __init__(self, path: str | os.PathLike, on_error: Callable[[str], None] | None = None):
        self.path = Path(path)
        self.on_error = on_error
        self.enabled = True
        self._conn: sqlite3.Connection | None = None

    # connection ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        delay = 0.01
        while True:
            conn = None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
                conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
                # readers never block the writer, nor it them. Switching needs the file to
                # itself, so only the first opener asks for it.
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")  # a crash may lose the last batch, never corrupt
                with _transaction(conn):
                    _create_schema(conn)
            except sqlite3.OperationalError as e:
                if conn is not None:
                    conn.close()
                # SQLite answers "locked" at once, without its busy handler, while another
                # process switches a new file to WAL or recovers it: wait and try again.
                if _is_busy(e) and time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
                    continue
                raise CacheUnavailable(_describe(self.path, e)) from None
            except (sqlite3.Error, OSError) as e:
                if conn is not None:
                    conn.close()
                raise CacheUnavailable(_describe(self.path, e)) from None
            self._conn = conn
            return conn

    def _guard(self, action: str, fn, default):
        if not self.enabled:
            return default
        try:
            return fn(self._connect())
        except CacheUnavailable as e:
            self._disable(str(e))
        except (sqlite3.Error, OSError) as e:
            self._disable(f"{_describe(self.path, e)} (while {action})")
        return default

    def _disable(self, message: str) -> None:
        self.enabled = False
        if self.on_error is not None:
            self.on_error(f"result cache off for this run: {message}; `mtcheck cache clear` resets it")
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None

    # lookups and stores -------------------------------------------------------------------
    def get(self, table: str, keys: Sequence[bytes]) -> dict[bytes, bytes]:
        assert table in ("documents", "sentences")

        def run(conn):
            out = {}
            for chunk in _chunks(list(dict.fromkeys(keys)), _SQL_VARS):
                marks = ",".join("?" * len(chunk))
                out.update(conn.execute(f"SELECT key, payload FROM {table} WHERE key IN ({marks})", chunk).fetchall())
            return out

        return self._guard("reading", run, {}) if keys else {}

    def put_many(self, documents: Iterable[tuple[bytes, bytes]], sentences: Iterable[tuple[bytes, bytes]]) -> None:
        """Store a batch's documents and sentences in one transaction."""
        now = time.time()
        doc_rows = [(k, v, now) for k, v in documents]
        sent_rows = [(k, v, now) for k, v in sentences]
        if not doc_rows and not sent_rows:
            return

        def run(conn):
            with _transaction(conn):
                conn.executemany("INSERT OR REPLACE INTO documents (key, payload, created) VALUES (?, ?, ?)", doc_rows)
                conn.executemany("INSERT OR REPLACE INTO sentences (key, payload, created) VALUES (?, ?, ?)", sent_rows)

        self._guard("writing", run, None)

    # maintenance --------------------------------------------------------------------------
    def info(self) -> dict:
        """Counts and sizes, for ``mtcheck cache info``."""
        out = {"path": str(self.path), "exists": self.path.exists(), "documents": 0, "sentences": 0,
               "bytes": _file_size(self.path), "oldest": None, "newest": None}
        if not out["exists"]:
            return out
        conn = self._connect()
        try:
            for table in ("documents", "sentences"):
                out[table] = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            lo, hi = conn.execute(
                "SELECT MIN(c), MAX(c) FROM (SELECT created AS c FROM documents UNION ALL SELECT created FROM sentences)"
            ).fetchone()
        except sqlite3.Error as e:
            raise CacheUnavailable(_describe(self.path, e)) from None
        out["oldest"], out["newest"] = lo, hi
        return out

    def clear(self) -> int:
        """Delete every entry; returns how many there were."""
        conn = self._connect()
        try:
            with _transaction(conn):
                n = sum(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("documents", "sentences"))
                conn.execute("DELETE FROM documents")
                conn.execute("DELETE FROM sentences")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("VACUUM")  # give the space back; a concurrent reader may make this wait
        except sqlite3.Error as e:
            raise CacheUnavailable(_describe(self.path, e)) from None
        return n


def remove_files(path: str | os.PathLike) -> list[Path]:
    """Delete a cache file that cannot be opened as a database (and its WAL files)."""
    removed = []
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{path}{suffix}")
        try:
            p.unlink()
            removed.append(p)
        except FileNotFoundError:
            pass
    return removed


def _create_schema(conn: sqlite3.Connection) -> None:
    for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
        conn.execute(statement)
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    if row is None:
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
    elif row[0] != SCHEMA_VERSION:
        # An older layout: its entries cannot be read, start afresh.
        conn.execute("DELETE FROM documents")
        conn.execute("DELETE FROM sentences")
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (SCHEMA_VERSION,))


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front, so concurrent writers wait
    on the busy timeout instead of failing with a deadlock on lock upgrade."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False


def _is_busy(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message


def _chunks(items: list, n: int) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _file_size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal", "-shm"):
        try:
            total += Path(f"{path}{suffix}").stat().st_size
        except OSError:
            pass
    return total


def _describe(path: Path, error: BaseException) -> str:
    reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return f"{path}: {reason}"


class ResultStore:
    """The store as one scan uses it: restore whole documents, prefill sentence scores, save
    what a batch produced."""

    def __init__(self, pipeline: "Pipeline", on_error: Callable[[str], None] | None = None):
        self.cache = ResultCache(db_path(pipeline.settings.cache_dir), on_error=on_error)
        self.document_fingerprint = pipeline.key()
        self.rules = pipeline.stage("rules")
        # Sentence entries hold neural scores: only a scan that computes them uses them.
        self.sentence_fingerprint = pipeline.key(("quality",)) if pipeline.stage("quality") else None
        self._prefilled: set[bytes] = set()  # sentence keys found in the store, not to be written back

    def _document_fingerprint(self, doc: "Document") -> str:
        # per-file-ignores make a result depend on where the story is (mtcheck.suppress): the
        # codes they switch off for this path join the key, so a copy elsewhere is not confused.
        path_key = self.rules.path_key(doc) if self.rules is not None else ""
        return f"{self.document_fingerprint}\0{path_key}" if path_key else self.document_fingerprint

    def restore(self, result) -> bool:
        """Put the stored analysis of ``result.document`` back onto it; False on a miss."""
        doc = result.document
        blob = self.cache.get("documents", [document_key(self._document_fingerprint(doc), doc)])
        if not blob:
            return False
        try:
            result.extras.update(codec.apply_stored(doc, codec.decode(next(iter(blob.values())))))
        except (ValueError, KeyError, TypeError):  # an entry this code cannot read: analyse afresh
            return False
        return True

    def prefill(self, docs: Sequence["Document"]) -> int:
        """Give sentences the neural scores stored for them; return how many got some.
        The quality stage leaves sentences that already hold a ``quality`` score alone."""
        if self.sentence_fingerprint is None:
            return 0
        keyed = [(sentence_key(self.sentence_fingerprint, s), s) for d in docs for s in d.sentences]
        found = self.cache.get("sentences", [k for k, _ in keyed])
        n = 0
        for key, sentence in keyed:
            blob = found.get(key)
            if blob is None:
                continue
            try:
                scores = codec.decode(blob)
            except ValueError:
                continue
            sentence.scores.update(scores)
            self._prefilled.add(key)
            n += 1
        return n

    @pausing
    def save(self, results: Sequence) -> None:
        documents, sentences = [], []
        for r in results:
            doc = r.document
            if doc is None:
                continue
            # Written without the pickler's memo (half the time of storing a long story): an object
            # the annotations refer to twice (a data dict two findings share) comes back as two
            # equal ones, which renders and fixes the same; a cyclic one is not stored.
            blob = codec.encode_faithful(codec.stored_annotations(doc, r.extras), keep_sharing=False)
            if blob is not None:
                documents.append((document_key(self._document_fingerprint(doc), doc), blob))
            if self.sentence_fingerprint is None:
                continue
            for s in doc.sentences:
                if "quality" not in s.scores:
                    continue
                key = sentence_key(self.sentence_fingerprint, s)
                if key in self._prefilled:
                    self._prefilled.discard(key)
                    continue
                blob = codec.encode_faithful(s.scores)
                if blob is not None:
                    sentences.append((key, blob))
        self.cache.put_many(documents, sentences)

    def close(self) -> None:
        self.cache.close()
