"""The PostgreSQL database behind the writer, for several gateway nodes over one database.

Driver: psycopg 3. The write operations are plain functions of a DB-API connection,
shared with SQLite, so the writer needs a synchronous connection (on its own thread, which
keeps the event loop free while a statement waits for the server); the reads use psycopg's
asyncio pool. One library, one type adaptation and one error hierarchy for both: asyncpg
is asyncio-only and would need a second driver for the writer.

Each node has its own writer; PostgreSQL's row locks order the nodes:

- the change feed takes its number from a single-row counter (`next_feed_seq()`) inside
  the writing transaction; the row stays locked until that transaction commits, so the
  next writer on any node gets a larger number only after the first has committed, and
  a reader paging `feed_seq > cursor` never skips a number committed late (a plain
  sequence would: number 41 may commit after 42 is read);
- rows read to be changed are locked (`SELECT … FOR UPDATE`), so two nodes changing one
  case, or filing one stored report, take turns instead of overwriting each other;
- idempotency is the unique constraints (channel + message id, update id, case number): a
  retry that reaches another node waits for the first insert and then finds its row;
- a group that deadlocks with another node's, or loses a serialisation race, is applied
  again; an operation refused by a unique constraint is applied once more alone (it
  then finds the row the other node committed).

The schema is the numbered SQL files in gateway/store/migrations, applied in order at
start-up under an advisory lock, so nodes starting together migrate once."""
from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from gateway.errors import Refusal, StorageUnavailable
from gateway.store.sqlite import unavailable
from gateway.store.writer_thread import WriterThread

log = logging.getLogger("gateway.store")

MIGRATIONS = Path(__file__).with_name("migrations")
# pg_advisory_lock key of the schema migrations (any constant the gateway alone uses).
MIGRATION_LOCK = 0x12345
# A group that deadlocked or lost a serialisation race is applied again this many times.
RETRIES = 5


class Row:
    """A row by index or by column name, like sqlite3.Row (so `dict(row)` works)."""
    __slots__ = ("_values", "_index")

    def __init__(self, values: tuple, index: dict[str, int]):
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._index[key]] if isinstance(key, str) else self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)


def row_factory(cursor: Any) -> Callable[[tuple], Row]:
    index = {c.name: i for i, c in enumerate(cursor.description or ())}
    return lambda values: Row(values, index)


@lru_cache(maxsize=1024)
def to_pg(sql: str) -> str:
    """The store's `?` placeholders as psycopg's (and a literal % escaped)."""
    return sql.replace("%", "%%").replace("?", "%s")


class Connection:
    """The writer's connection as the operations see it: sqlite3's execute/executemany."""

    def __init__(self, conn: psycopg.Connection, db: PostgresDatabase):
        self._conn = conn
        self._db = db

    def execute(self, sql: str, params: tuple | list = ()) -> psycopg.Cursor:
        self._db.write_trips += 1
        return self._conn.execute(to_pg(sql), params)

    def executemany(self, sql: str, seq: Any) -> psycopg.Cursor:
        self._db.write_trips += 1  # psycopg sends the rows in one pipeline
        cur = self._conn.cursor()
        cur.executemany(to_pg(sql), list(seq))
        return cur


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration file, in order."""
    found = []
    for file in sorted(MIGRATIONS.glob("*.sql")):
        match = re.match(r"(\d+)_", file.name)
        if match:
            found.append((int(match[1]), file.name, file.read_text(encoding="utf-8")))
    return found


def migrate(conn: psycopg.Connection) -> list[str]:
    """Apply the migrations this database lacks, under an advisory lock; their names."""
    applied = []
    conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        for version, name, sql in migrations():
            if version in done:
                continue
            with conn.transaction():
                conn.execute(sql)
                conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                             (version, name))
            applied.append(name)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    return applied


class PostgresDatabase(WriterThread):
    name = "postgresql"
    next_feed_seq = "next_feed_seq()"
    for_update = " FOR UPDATE"
    skip_locked = " FOR UPDATE SKIP LOCKED"
    shared = True  # several nodes write it at once
    greatest = "GREATEST"

    @staticmethod
    def json_field(column: str, *path: str) -> str:
        """SQL for a field of a JSON text column (as text; NULL when absent or null)."""
        return f"({column}::jsonb #>> '{{{','.join(path)}}}')"

    def __init__(self, url: str, *, pool_size: int = 4, timeout_ms: int = 2000):
        self.url = url
        self.pool_size = pool_size
        # How long a read waits for a connection, and connecting waits for the server.
        self.timeout_s = max(timeout_ms, 500) / 1000
        self._wconn: psycopg.Connection | None = None  # used only on the executor's thread
        self._pool: AsyncConnectionPool | None = None
        # Requests sent to the server (statements, BEGIN/COMMIT, the pool's checks): by
        # the writer's thread and by the reads on the loop, counted apart.
        self.write_trips = 0
        self.read_trips = 0

    @property
    def round_trips(self) -> int:
        return self.write_trips + self.read_trips

    def __str__(self) -> str:
        return re.sub(r"//[^@/]*@", "//…@", self.url)  # no password in messages

    def _connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, row_factory=row_factory,
                               connect_timeout=max(1, round(self.timeout_s)))

    # -- life cycle ---------------------------------------------------------------------

    async def open(self, schemas: list[str], columns: list[tuple[str, str, str]]) -> None:
        # `schemas` and `columns` are SQLite's; PostgreSQL's schema is the migrations.
        self._start_writer_thread()
        try:
            applied = await self._in_writer(self._open_writer)
            if applied:
                log.info("database %s migrated: %s", self, ", ".join(applied))
            self._pool = AsyncConnectionPool(
                self.url, min_size=1, max_size=self.pool_size, open=False,
                kwargs={"autocommit": True, "row_factory": row_factory},
                check=self._check, timeout=self.timeout_s,
                reconnect_timeout=0)
            await self._pool.open(wait=True, timeout=max(self.timeout_s, 5))
        except (psycopg.Error, PoolTimeout) as exc:
            await self.close()
            raise StorageUnavailable(f"{self}: cannot open the database: {exc}") from exc

    async def _check(self, conn: psycopg.AsyncConnection) -> None:
        """Before a pooled connection is used: is the server still there? (So that the
        first requests after the database comes back do not fail on dead connections.)"""
        self.read_trips += 1
        await AsyncConnectionPool.check_connection(conn)

    def _open_writer(self) -> list[str]:
        conn = self._connect()
        applied = migrate(conn)
        self._wconn = conn
        return applied

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        await self._stop_writer_thread()

    # -- a write group ------------------------------------------------------------------

    async def apply(self, fns: list[Callable], discard_hooks: Callable[[], None]) -> list[tuple[bool, Any]]:
        """Apply a group of operations in one transaction on the writer thread. Returns
        (True, result) or (False, exception) for each."""
        return await self._in_writer(self._apply, fns, discard_hooks)

    def _apply(self, fns: list[Callable], discard_hooks: Callable[[], None],
               retried: bool = False) -> list[tuple[bool, Any]]:
        for attempt in range(RETRIES + 1):
            try:
                conn = self._writer_connection()
                self.write_trips += 2  # BEGIN, and COMMIT or ROLLBACK
                conn.execute("BEGIN")
            except psycopg.Error as exc:
                self._lost()
                return unavailable(len(fns), exc)
            try:
                wrapped = Connection(conn, self)
                results = [fn(wrapped) for fn in fns]
                conn.execute("COMMIT")
                return [(True, result) for result in results]
            except pg_errors.TransactionRollback as exc:  # deadlock, serialisation failure
                self._rollback(conn, discard_hooks)
                if attempt == RETRIES:
                    return unavailable(len(fns), exc)
                log.info("write group of %d applied again after: %s", len(fns), exc)
            except psycopg.OperationalError as exc:  # the server is gone, or the network
                self._rollback(conn, discard_hooks)
                return unavailable(len(fns), exc)
            except Exception as exc:
                # One operation is at fault (a refusal, a bug, a broken record, a row
                # another node committed first): undo the group and apply each operation
                # in a transaction of its own, so only it fails.
                self._rollback(conn, discard_hooks)
                if len(fns) > 1:
                    return [self._apply([fn], discard_hooks)[0] for fn in fns]
                if isinstance(exc, psycopg.IntegrityError) and not retried:
                    # Another node inserted the same key since this operation looked:
                    # once more, it now finds that row (a retry answered like the first).
                    return self._apply(fns, discard_hooks, retried=True)
                if not isinstance(exc, Refusal):
                    log.error("write failed", exc_info=exc)
                    exc = StorageUnavailable("write failed")
                return [(False, exc)]
        raise AssertionError("unreachable")

    def _writer_connection(self) -> psycopg.Connection:
        if self._wconn is None or self._wconn.closed or self._wconn.broken:
            self._lost()
            self._wconn = self._connect()
        return self._wconn

    def _lost(self) -> None:
        if self._wconn is not None:
            try:
                self._wconn.close()
            except psycopg.Error:
                pass
            self._wconn = None

    def _rollback(self, conn: psycopg.Connection, discard_hooks: Callable[[], None]) -> None:
        discard_hooks()
        try:
            conn.execute("ROLLBACK")
        except psycopg.Error:  # the connection is gone: a new one next time
            self._lost()

    # -- notifications between nodes -----------------------------------------------------

    async def notify(self, channel: str, payload: str) -> None:
        """Tell every node listening on `channel` (delivered when this commits: at once)."""
        await self.read("SELECT pg_notify(?, ?)", (channel, payload))

    async def listen(self, channel: str, received: Callable[[str], None]) -> None:
        """Call `received(payload)` for every notification on `channel`, for ever: on a
        connection of its own, opened again (after a pause) whenever it is lost."""
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self.url, autocommit=True, connect_timeout=max(1, round(self.timeout_s)))
                async with conn:
                    await conn.execute(f"LISTEN {channel}")
                    async for note in conn.notifies():
                        received(note.payload)
            except psycopg.Error as exc:
                log.warning("listening on %s: %s; again in 1 s", channel, exc)
            await asyncio.sleep(1)

    @asynccontextmanager
    async def exclusive(self, key: str, wait_s: float = 30.0) -> AsyncIterator[None]:
        """Run the body on one node at a time for `key` (a call's record, read, changed and
        written back): a session advisory lock on a connection of its own, so a node that
        dies mid-way lets go with its connection. StorageUnavailable after `wait_s`."""
        lock_id = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
        try:
            conn = await psycopg.AsyncConnection.connect(
                self.url, autocommit=True, connect_timeout=max(1, round(self.timeout_s)),
                options=f"-c lock_timeout={round(wait_s * 1000)}")
        except psycopg.OperationalError as exc:
            raise StorageUnavailable(f"database unavailable: {exc}") from exc
        async with conn:
            try:
                self.read_trips += 2  # the connection, the lock (the unlock goes with the connection)
                await conn.execute("SELECT pg_advisory_lock(%s)", (lock_id,))
            except (psycopg.OperationalError, pg_errors.LockNotAvailable) as exc:
                raise StorageUnavailable(f"{key} is busy on another node: {exc}") from exc
            yield

    # -- reads --------------------------------------------------------------------------

    async def read(self, sql: str, params: tuple = ()) -> list[Row]:
        if self._pool is None:
            raise StorageUnavailable("the store is not open")
        try:
            async with self._pool.connection(timeout=self.timeout_s) as conn:
                self.read_trips += 1
                cur = await conn.execute(to_pg(sql), params)
                return await cur.fetchall()
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise StorageUnavailable(f"database unavailable: {exc}") from exc
