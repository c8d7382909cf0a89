"""The SQLite database behind the writer: one file in WAL mode, the embedded default.

The group's operations run on the event loop (on a thread every statement waited for the
busy loop to hand back the GIL); only COMMIT, which waits for the disk, runs on the
writer's thread. Reads use an aiosqlite connection of their own, which WAL lets run beside
the writer."""
from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from gateway.errors import Refusal, StorageUnavailable
from gateway.store.writer_thread import WriterThread

log = logging.getLogger("gateway.store")

SCHEMA_VERSION = 1


def unavailable(count: int, exc: Exception) -> list[tuple[bool, Any]]:
    log.warning("write group of %d failed: %s", count, exc)
    error = StorageUnavailable(f"database unavailable: {exc}")
    return [(False, error)] * count


class SqliteDatabase(WriterThread):
    name = "sqlite"
    # The next change-feed number, inside the writing transaction. SQLite serialises
    # writers, so the largest number so far plus one is also commit order.
    next_feed_seq = "(SELECT COALESCE(MAX(feed_seq), 0) + 1 FROM workorders)"
    for_update = ""
    skip_locked = ""
    shared = False  # one node
    greatest = "MAX"  # the larger of two values

    @staticmethod
    def json_field(column: str, *path: str) -> str:
        """SQL for a field of a JSON text column (as text or number; NULL when absent)."""
        return f"json_extract({column}, '$.{'.'.join(path)}')"

    def __init__(self, path: Path, *, busy_timeout_ms: int = 2000, synchronous: str = "FULL"):
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self.synchronous = synchronous.upper()
        self._wconn: sqlite3.Connection | None = None  # used only on the executor's thread
        self._reader: aiosqlite.Connection | None = None

    def __str__(self) -> str:
        return str(self.path)

    # -- life cycle ---------------------------------------------------------------------

    async def open(self, schemas: list[str], columns: list[tuple[str, str, str]]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        self._start_writer_thread()
        try:
            await self._in_writer(self._open_writer, schemas, columns)
            self._reader = await aiosqlite.connect(self.path, isolation_level=None)
            self._reader.row_factory = sqlite3.Row
            await self._reader.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        except sqlite3.Error as exc:
            await self.close()
            raise StorageUnavailable(f"{self.path}: cannot open the database: {exc}") from exc

    def _open_writer(self, schemas: list[str], columns: list[tuple[str, str, str]]) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        # Opening runs on the writer thread: it may wait for another node that is writing to
        # the same file (its schema statements and pragmas need the write lock).
        conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        for schema in schemas:
            conn.executescript(schema)
        for table, column, definition in columns:
            if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        # From now on no busy wait inside SQLite: the writer's statements run on the event
        # loop, which must never sleep. _begin() waits for another process's lock itself.
        conn.execute("PRAGMA busy_timeout=0")
        # Citizens' reports: readable by the gateway's own account only (WAL and SHM files
        # take the database file's mode).
        os.chmod(self.path, 0o600)
        self._wconn = conn

    async def close(self) -> None:
        await self._stop_writer_thread()
        if self._reader is not None:
            await self._reader.close()
            self._reader = None

    # -- a write group ------------------------------------------------------------------

    async def apply(self, fns: list[Callable], discard_hooks: Callable[[], None]) -> list[tuple[bool, Any]]:
        """Apply a group of operations in one transaction. Returns (True, result) or
        (False, exception) for each.

        The operations run here on the loop: they are short Python with SQL, and on a
        thread every statement of theirs waited for the loop to hand back the GIL, which
        made the writer the intake's bottleneck. Only COMMIT, which waits for the disk,
        runs on the writer thread."""
        conn = self._wconn
        assert conn is not None
        try:
            await self._begin(conn)
        except sqlite3.Error as exc:
            return unavailable(len(fns), exc)
        try:
            results = [fn(conn) for fn in fns]
        except sqlite3.OperationalError as exc:  # locked, disk full, I/O error
            self._rollback(conn, discard_hooks)
            return unavailable(len(fns), exc)
        except Exception as exc:
            # One operation is at fault (a refusal, a bug, a broken record): undo the group
            # and apply each operation in a transaction of its own, so only it fails.
            self._rollback(conn, discard_hooks)
            if len(fns) > 1:
                return [(await self.apply([fn], discard_hooks))[0] for fn in fns]
            if not isinstance(exc, Refusal):
                log.error("write failed", exc_info=exc)
                exc = StorageUnavailable("write failed")
            return [(False, exc)]
        try:
            await self._in_writer(conn.execute, "COMMIT")
        except sqlite3.Error as exc:  # disk full, I/O error
            self._rollback(conn, discard_hooks)
            return unavailable(len(fns), exc)
        return [(True, result) for result in results]

    async def _begin(self, conn: sqlite3.Connection) -> None:
        """BEGIN IMMEDIATE, waiting up to busy_timeout_ms while another process writes."""
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        pause = 0.001
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    @staticmethod
    def _rollback(conn: sqlite3.Connection, discard_hooks: Callable[[], None]) -> None:
        discard_hooks()
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:  # SQLite may have rolled back already (e.g. disk full)
            pass

    # -- reads --------------------------------------------------------------------------

    @asynccontextmanager
    async def exclusive(self, key: str) -> AsyncIterator[None]:
        """One node over one file: nothing to hold against other nodes (the caller's own
        asyncio lock orders this process)."""
        yield

    async def read(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        if self._reader is None:
            raise StorageUnavailable("the store is not open")
        try:
            return list(await self._reader.execute_fetchall(sql, params))
        except sqlite3.OperationalError as exc:
            raise StorageUnavailable(f"database unavailable: {exc}") from exc
