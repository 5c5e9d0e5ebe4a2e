"""One SQLite connection driven from one worker thread.

Why SQLite: it ships with Python (zero setup), gives ACID transactions with a
write-ahead log that survives kill -9 and power loss once a commit returns (with
`synchronous=FULL`), and handles the recursive queries a graph of trees needs. Why one
thread: a sqlite3 connection must not be used from two threads at once. The store keeps
two: a reader, whose jobs each run in a read transaction, and a writer, which holds one
transaction open across the several jobs of a unit of work. In WAL mode the reader sees
committed data only and is never blocked by the writer; SQLite allows one writer anyway.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from graph.embedded.ddl import (
    FULL_TEXT,
    FULL_TEXT_TRIGGERS,
    PRAGMAS,
    SCHEMA_VERSION,
    TABLES,
    TRIGGERS,
    USER_INDEXES,
    fold,
)
from graph.errors import StoreUnavailable

T = TypeVar("T")

_UNUSABLE = {
    sqlite3.SQLITE_FULL: "the disk is full (or the file size limit is reached)",
    sqlite3.SQLITE_READONLY: "its files are read-only",
    sqlite3.SQLITE_PERM: "it lacks permission to its files",
    sqlite3.SQLITE_CANTOPEN: "it cannot open its files",
    sqlite3.SQLITE_IOERR: "the disk failed a read or write (full, over a file size limit, or faulty)",
}
"""SQLite's primary result codes that mean the data directory, not the request, is at fault."""


class Db:
    """Thin helpers over a sqlite3 connection, used inside one job on the worker thread."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def one(self, sql: str, *params: Any) -> Any:
        """The first row (a `sqlite3.Row`), or None."""
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def tuples(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows as plain tuples, for reads of many rows where `sqlite3.Row` costs too much."""
        return list(self.each(sql, *params))

    def each(self, sql: str, *params: Any) -> Iterator[tuple[Any, ...]]:
        """Rows as plain tuples, one at a time, for reads so large that a list of them all
        would double the memory they end up in; consume them inside the job."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params)

    def run(self, sql: str, *params: Any) -> int:
        """Execute a statement; return the number of rows it changed."""
        return self.conn.execute(sql, params).rowcount

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.conn.executemany(sql, rows)


class Connection:
    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self._executor: ThreadPoolExecutor | None = None
        self._db: Db | None = None

    async def open(self, migrate: bool = False) -> None:
        """Connect; with `migrate`, also create or update the schema (one connection does that)."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"thememap-sqlite-{self.name}")
        try:
            await self._submit(self._checked(lambda: self._open(migrate)))
        except BaseException:
            self._executor.shutdown(wait=True)
            self._executor = None
            raise

    def _open(self, migrate: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.create_function("fold", 1, fold, deterministic=True)
        for pragma in PRAGMAS:
            conn.execute(pragma)
        if migrate:
            _migrate(conn)
        self._db = Db(conn)

    async def close(self) -> None:
        if self._executor is None:
            return
        if self._db is not None:
            await self._submit(self._db.conn.close)
        self._executor.shutdown(wait=True)
        self._executor = None
        self._db = None

    async def _submit(self, fn: Callable[[], T]) -> T:
        if self._executor is None:
            raise RuntimeError("the embedded store is not open")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def read(self, job: Callable[[Db], T]) -> T:
        """Run `job` in one read transaction (a consistent snapshot of committed data)."""
        return await self._submit(self._checked(lambda: self._in_snapshot(job)))

    def _in_snapshot(self, job: Callable[[Db], T]) -> T:
        db = self._ready()
        db.conn.execute("BEGIN")
        try:
            result = job(db)
            db.conn.execute("COMMIT")  # may fail too (disk full): then roll back like any failure
        except BaseException:
            _roll_back(db)
            raise
        return result

    async def run(self, job: Callable[[Db], T]) -> T:
        """Run `job` alone, inside whatever transaction is open (one step of `transaction`)."""
        return await self._submit(self._checked(lambda: job(self._ready())))

    async def transaction(self, work: Callable[[], Awaitable[T]]) -> T:
        """Await `work`, whose steps are `run` jobs, inside one write transaction: committed
        (on disk) before this returns, or rolled back whole if anything raises. The caller
        makes sure no other transaction interleaves on this connection."""
        try:  # BEGIN inside: cancelled while it runs, the transaction must not stay open
            await self.run(lambda db: db.conn.execute("BEGIN IMMEDIATE"))
            result = await work()
            await self.run(lambda db: db.conn.execute("COMMIT"))
        except BaseException:
            # Submitted before any cancellation can land, so it runs before the next BEGIN.
            await self._submit(lambda: _roll_back(self._ready()))
            raise
        return result

    def _ready(self) -> Db:
        assert self._db is not None, "the connection is open"
        return self._db

    def _checked(self, fn: Callable[[], T]) -> Callable[[], T]:
        """`fn`, with SQLite's disk and permission failures raised as StoreUnavailable
        naming the data directory, so clients get UNAVAILABLE rather than INTERNAL."""

        def run() -> T:
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                reason = _UNUSABLE.get(getattr(exc, "sqlite_errorcode", 0) & 0xFF)
                if reason is None:
                    raise
                raise StoreUnavailable(
                    f"The embedded store in {self.path.parent} cannot be used: {reason} ({exc}). Nothing was changed; "
                    "free disk space or make THEMEMAP_DATA_DIR writable, then retry."
                ) from exc

        return run


def _roll_back(db: Db) -> None:
    if db.conn.in_transaction:  # SQLite itself rolls back on some errors (full disk, I/O)
        db.conn.execute("ROLLBACK")


def _migrate(conn: sqlite3.Connection) -> None:
    """Create the schema, or bring an older file's up to date."""
    has_fts = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents_fts'").fetchone()
    full_text = "" if has_fts else FULL_TEXT
    conn.executescript(f"BEGIN IMMEDIATE; {TABLES} {TRIGGERS} {full_text} {FULL_TEXT_TRIGGERS} COMMIT;")
    if "token_hash" not in {row[1] for row in conn.execute("PRAGMA table_info(users)")}:
        conn.execute("ALTER TABLE users ADD COLUMN token_hash TEXT")  # files from before API tokens
    if "blind_coding" not in {row[1] for row in conn.execute("PRAGMA table_info(projects)")}:
        conn.execute("ALTER TABLE projects ADD COLUMN blind_coding INTEGER NOT NULL DEFAULT 0")
    if "codable" not in {row[1] for row in conn.execute("PRAGMA table_info(codes)")}:
        conn.execute("ALTER TABLE codes ADD COLUMN codable INTEGER NOT NULL DEFAULT 1")
    if "groups" not in {row[1] for row in conn.execute("PRAGMA table_info(documents)")}:
        conn.execute("ALTER TABLE documents ADD COLUMN groups TEXT NOT NULL DEFAULT '[]'")
    if "reverts" not in {row[1] for row in conn.execute("PRAGMA table_info(events)")}:
        conn.execute("ALTER TABLE events ADD COLUMN reverts TEXT")  # files from before reverts
    conn.executescript(f"BEGIN IMMEDIATE; {USER_INDEXES} COMMIT;")
    conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
