"""One SQLite connection driven from one worker thread.

Why SQLite: it ships with Python (zero setup), gives ACID transactions with a
write-ahead log that survives kill -9 and power loss once a commit returns (with
`synchronous=FULL`), and handles the recursive queries a graph of trees needs. Why one
thread: a sqlite3 connection must not be used from two threads at once, and a single
writer is what SQLite allows anyway; every store method runs as one job on that thread,
so a method is one round trip and its transaction cannot interleave with another's.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
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

T = TypeVar("T")


class Db:
    """Thin helpers over a sqlite3 connection, used inside one job on the worker thread."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def one(self, sql: str, *params: Any) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def tuples(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows as plain tuples, for reads of many rows where `sqlite3.Row` costs too much."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params).fetchall()

    def run(self, sql: str, *params: Any) -> int:
        """Execute a statement; return the number of rows it changed."""
        return self.conn.execute(sql, params).rowcount

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.conn.executemany(sql, rows)


class Connection:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor: ThreadPoolExecutor | None = None
        self._db: Db | None = None

    async def open(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="thememap-sqlite")
        await self._submit(self._open)

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.create_function("fold", 1, fold, deterministic=True)
        for pragma in PRAGMAS:
            conn.execute(pragma)
        has_fts = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents_fts'").fetchone()
        full_text = "" if has_fts else FULL_TEXT
        conn.executescript(f"BEGIN IMMEDIATE; {TABLES} {TRIGGERS} {full_text} {FULL_TEXT_TRIGGERS} COMMIT;")
        if "token_hash" not in {row[1] for row in conn.execute("PRAGMA table_info(users)")}:
            conn.execute("ALTER TABLE users ADD COLUMN token_hash TEXT")  # files from before API tokens
        if "blind_coding" not in {row[1] for row in conn.execute("PRAGMA table_info(projects)")}:
            conn.execute("ALTER TABLE projects ADD COLUMN blind_coding INTEGER NOT NULL DEFAULT 0")
        if "codable" not in {row[1] for row in conn.execute("PRAGMA table_info(codes)")}:
            conn.execute("ALTER TABLE codes ADD COLUMN codable INTEGER NOT NULL DEFAULT 1")
        conn.executescript(f"BEGIN IMMEDIATE; {USER_INDEXES} COMMIT;")
        conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
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
        """Run `job` in one read transaction (a consistent snapshot)."""
        return await self._submit(lambda: self._in_transaction(job, "BEGIN"))

    async def write(self, job: Callable[[Db], T]) -> T:
        """Run `job` in one write transaction: committed whole, or rolled back on any error."""
        return await self._submit(lambda: self._in_transaction(job, "BEGIN IMMEDIATE"))

    def _in_transaction(self, job: Callable[[Db], T], begin: str) -> T:
        db = self._db
        assert db is not None
        db.conn.execute(begin)
        try:
            result = job(db)
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")
        return result
