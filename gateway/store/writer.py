"""The store's writer: one SQLite database in WAL mode, written in groups.

Writes go through one writer that commits in groups: every operation queued while the
previous group was being committed is applied in the next transaction, so one fsync
acknowledges many reports. The operations run on the event loop (on a thread every
statement waited for the busy loop to hand back the GIL); only COMMIT, which waits for the
disk, runs on the writer's thread. Reads use an aiosqlite connection of their own, which WAL
lets run beside the writer.

The records themselves (intakes, work orders, and each feature's tables) are in the other
modules of this package; each declares its schema, which `open` applies.
"""
from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import orjson

from gateway.errors import Refusal, StorageUnavailable

log = logging.getLogger("gateway.store")

SCHEMA_VERSION = 1

WriteFn = Callable[[sqlite3.Connection], Any]


@dataclass
class _Op:
    fn: WriteFn
    future: asyncio.Future


def dumps(value: Any) -> str:
    # orjson: the documents are written on every report, and the stdlib encoder was a
    # visible share of intake time (UTF-8 out, like ensure_ascii=False).
    return orjson.dumps(value).decode()


def fetch(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    return conn.execute(sql, params).fetchall()


class Writer:
    def __init__(self, path: Path, *, busy_timeout_ms: int = 2000, synchronous: str = "FULL",
                 max_batch: int = 256, schemas: list[str] | None = None,
                 columns: list[tuple[str, str, str]] | None = None):
        self.path = path
        self.schemas = list(schemas or [])
        # Columns added after a table was first released: (table, column, definition),
        # added to databases created before them.
        self.columns = list(columns or [])
        self.busy_timeout_ms = busy_timeout_ms
        self.synchronous = synchronous.upper()
        self.max_batch = max_batch
        self._executor: ThreadPoolExecutor | None = None
        self._wconn: sqlite3.Connection | None = None  # used only on the executor's thread
        self._reader: aiosqlite.Connection | None = None
        self._queue: asyncio.Queue[_Op] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        # Called once after the group that asked for them commits (see `after_commit`).
        self._after_commit: dict[str, Callable[[], Any]] = {}
        self.batches = 0
        self.ops = 0

    def after_commit(self, key: str, callback: Callable[[], Any]) -> None:
        """From inside a write operation: call `callback` once the group has committed
        (dropped if it rolls back). One callback per key and group."""
        self._after_commit[key] = callback

    # -- life cycle ---------------------------------------------------------------------

    async def open(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        try:
            await self._in_writer(self._open_writer)
            self._reader = await aiosqlite.connect(self.path, isolation_level=None)
            self._reader.row_factory = sqlite3.Row
            await self._reader.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        except sqlite3.Error as exc:
            await self.close()
            raise StorageUnavailable(f"{self.path}: cannot open the database: {exc}") from exc
        self._task = asyncio.create_task(self._write_loop(), name="store-writer")

    def _open_writer(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        # No busy wait inside SQLite: the writer's statements run on the event loop, which
        # must never sleep. _begin() waits for another process's lock itself.
        conn.execute("PRAGMA busy_timeout=0")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        for schema in self.schemas:
            conn.executescript(schema)
        for table, column, definition in self.columns:
            if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        # Citizens' reports: readable by the gateway's own account only (WAL and SHM files
        # take the database file's mode).
        os.chmod(self.path, 0o600)
        self._wconn = conn

    def _close_writer(self) -> None:
        if self._wconn is not None:
            self._wconn.close()
            self._wconn = None

    async def keep_writer_on(self, cpus: set[int]) -> None:
        """Run the writer thread on these CPUs (Linux)."""
        await self._in_writer(os.sched_setaffinity, 0, cpus)

    async def _in_writer(self, fn: Callable, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._executor is not None:
            await self._in_writer(self._close_writer)
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._reader is not None:
            await self._reader.close()
            self._reader = None

    @property
    def queue_depth(self) -> int:
        return self._queue.qsize()

    # -- the writer ---------------------------------------------------------------------

    async def write(self, fn: WriteFn) -> Any:
        """Run `fn(conn)` in the next commit group; its result once the group is durable."""
        if self._task is None or self._task.done():
            raise StorageUnavailable("the store is not open")
        future = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Op(fn, future))
        return await future

    async def _write_loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self.batches += 1
            self.ops += len(batch)
            outcomes = await self._apply([op.fn for op in batch])
            hooks, self._after_commit = self._after_commit, {}
            for hook in hooks.values():
                hook()
            for op, (ok, value) in zip(batch, outcomes):
                if op.future.done():
                    continue
                if ok:
                    op.future.set_result(value)
                else:
                    op.future.set_exception(value)

    async def _apply(self, fns: list[WriteFn]) -> list[tuple[bool, Any]]:
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
            return self._unavailable(len(fns), exc)
        try:
            results = [fn(conn) for fn in fns]
        except sqlite3.OperationalError as exc:  # locked, disk full, I/O error
            self._rollback(conn)
            return self._unavailable(len(fns), exc)
        except Exception as exc:
            # One operation is at fault (a refusal, a bug, a broken record): undo the group
            # and apply each operation in a transaction of its own, so only it fails.
            self._rollback(conn)
            if len(fns) > 1:
                return [(await self._apply([fn]))[0] for fn in fns]
            if not isinstance(exc, Refusal):
                log.error("write failed", exc_info=exc)
                exc = StorageUnavailable("write failed")
            return [(False, exc)]
        try:
            await self._in_writer(conn.execute, "COMMIT")
        except sqlite3.Error as exc:  # disk full, I/O error
            self._rollback(conn)
            return self._unavailable(len(fns), exc)
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

    def _rollback(self, conn: sqlite3.Connection) -> None:
        self._after_commit.clear()
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:  # SQLite may have rolled back already (e.g. disk full)
            pass

    @staticmethod
    def _unavailable(count: int, exc: Exception) -> list[tuple[bool, Any]]:
        log.warning("write group of %d failed: %s", count, exc)
        error = StorageUnavailable(f"database unavailable: {exc}")
        return [(False, error)] * count

    # -- reads --------------------------------------------------------------------------

    async def read(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        if self._reader is None:
            raise StorageUnavailable("the store is not open")
        try:
            return list(await self._reader.execute_fetchall(sql, params))
        except sqlite3.OperationalError as exc:
            raise StorageUnavailable(f"database unavailable: {exc}") from exc

    async def ping(self) -> None:
        await self.read("SELECT 1")

