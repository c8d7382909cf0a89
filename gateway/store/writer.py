"""The store's writer: every write of the gateway, committed in groups, on SQLite (the
embedded default, gateway.store.sqlite) or PostgreSQL (gateway.store.postgres), chosen by
the store's target: a path, or a postgresql:// URL.

Writes go through one writer that commits in groups: every operation queued while the
previous group was being committed is applied in the next transaction, so one commit
acknowledges many reports. An operation is a function of a DB-API connection
(`conn.execute(sql, params)` with `?` placeholders, rows by index or by column name), the
same on both databases.

The records themselves (intakes, work orders, and each feature's tables) are in the other
modules of this package; each declares its SQLite schema, which `open` applies; PostgreSQL's
schema is the versioned SQL under gateway/store/migrations.
"""
from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from gateway.errors import StorageUnavailable
from gateway.store.sqlite import SqliteDatabase

WriteFn = Callable[[Any], Any]

# A unique or foreign-key constraint refused a row, on either database (an operation that
# catches it must re-raise: on PostgreSQL the transaction cannot go on after it).
IntegrityError: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)
try:
    import psycopg
    IntegrityError += (psycopg.IntegrityError,)
except ImportError:  # pragma: no cover - psycopg is in requirements.txt
    pass


def is_postgres_url(target: Any) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


@dataclass
class _Op:
    fn: WriteFn
    future: asyncio.Future


def dumps(value: Any) -> str:
    # orjson: the documents are written on every report, and the stdlib encoder was a
    # visible share of intake time (UTF-8 out, like ensure_ascii=False).
    return orjson.dumps(value).decode()


def fetch(conn: Any, sql: str, params: tuple = ()) -> list:
    return conn.execute(sql, params).fetchall()


class Writer:
    def __init__(self, target: Path | str, *, busy_timeout_ms: int = 2000, synchronous: str = "FULL",
                 max_batch: int = 256, schemas: list[str] | None = None,
                 columns: list[tuple[str, str, str]] | None = None, pool_size: int = 4,
                 claim_s: float = 60.0):
        if is_postgres_url(target):
            from gateway.store.postgres import PostgresDatabase
            self.db = PostgresDatabase(target, pool_size=pool_size,
                                       timeout_ms=busy_timeout_ms)
        else:
            self.db = SqliteDatabase(Path(target), busy_timeout_ms=busy_timeout_ms,
                                     synchronous=synchronous)
        self.schemas = list(schemas or [])
        # Columns added after a table was first released: (table, column, definition),
        # added to SQLite databases created before them.
        self.columns = list(columns or [])
        self.max_batch = max_batch
        # How long a node may hold work it took (a stored report to file, a subscription
        # to send) before another node may take it over (its node is presumed dead).
        self.claim_s = claim_s
        self._queue: asyncio.Queue[_Op] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        # Called once after the group that asked for them commits (see `after_commit`).
        self._after_commit: dict[str, Callable[[], Any]] = {}
        self.batches = 0
        self.ops = 0

    @property
    def next_feed_seq(self) -> str:
        """SQL for the next change-feed number, taken inside the writing transaction so
        that feed order is commit order (see each database's module)."""
        return self.db.next_feed_seq

    @property
    def for_update(self) -> str:
        """Appended to a SELECT of rows the transaction goes on to change: locks them
        until commit where writers run side by side (PostgreSQL; SQLite has one writer)."""
        return self.db.for_update

    @property
    def skip_locked(self) -> str:
        """Appended to a SELECT that claims work: rows another node holds are passed over
        (PostgreSQL's FOR UPDATE SKIP LOCKED; SQLite has one writer)."""
        return self.db.skip_locked

    @property
    def shared(self) -> bool:
        """Several nodes may write this database at once (PostgreSQL), so work that must
        run once is claimed; SQLite has one node."""
        return self.db.shared

    @property
    def greatest(self) -> str:
        """The SQL function for the larger of two values."""
        return self.db.greatest

    def json_field(self, column: str, *path: str) -> str:
        """SQL for a field of a JSON document stored as text, e.g. ("doc", "category", "code")."""
        return self.db.json_field(column, *path)

    def after_commit(self, key: str, callback: Callable[[], Any]) -> None:
        """From inside a write operation: call `callback` once the group has committed
        (dropped if it rolls back). One callback per key and group."""
        self._after_commit[key] = callback

    # -- life cycle ---------------------------------------------------------------------

    async def open(self) -> None:
        await self.db.open(self.schemas, self.columns)
        self._task = asyncio.create_task(self._write_loop(), name="store-writer")

    async def keep_writer_on(self, cpus: set[int]) -> None:
        """Run the writer thread on these CPUs (Linux)."""
        await self.db.keep_writer_on(cpus)

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        await self.db.close()

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
            outcomes = await self.db.apply([op.fn for op in batch], self._after_commit.clear)
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

    # -- reads --------------------------------------------------------------------------

    async def read(self, sql: str, params: tuple = ()) -> list:
        return await self.db.read(sql, params)

    def exclusive(self, key: str):
        """An async context run by one node at a time for `key` (PostgreSQL: an advisory lock;
        SQLite: one node, nothing to hold)."""
        return self.db.exclusive(key)

    # PostgreSQL only (gateway.peers): notifications between the nodes sharing the database.
    async def notify(self, channel: str, payload: str) -> None:
        await self.db.notify(channel, payload)

    async def listen(self, channel: str, received: Callable[[str], None]) -> None:
        await self.db.listen(channel, received)

    async def ping(self) -> None:
        await self.read("SELECT 1")
