"""All SQL lives here (aiosqlite, WAL).

Writes go through one writer task that commits in groups: every operation queued while the
previous commit was on disk is applied in the next transaction, so one fsync acknowledges
many reports. SQLite serialises writers, and the feed sequence is assigned inside the
writing transaction, so feed order is commit order and a reader can never see a later
sequence number before an earlier one is committed.

Work orders are stored as a JSON document plus the columns needed to query them. Every
change goes through `update_workorder(case_no, mutate)`, which stamps the new version with
the next feed sequence number.
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from gateway.models import NotFound, Refusal

log = logging.getLogger("gateway.store")

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS intakes (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    payload TEXT NOT NULL,          -- the normalized intake (JSON)
    raw TEXT,                       -- the channel's native payload, verbatim
    state TEXT NOT NULL DEFAULT 'stored',  -- stored | done
    case_no TEXT,
    result TEXT,                    -- the SubmitResult given to the channel (JSON)
    stages TEXT,                    -- the stage results (JSON)
    UNIQUE (channel, external_id)
);
CREATE INDEX IF NOT EXISTS intakes_pending ON intakes (state) WHERE state = 'stored';
CREATE INDEX IF NOT EXISTS intakes_case ON intakes (case_no);

CREATE TABLE IF NOT EXISTS workorders (
    case_no TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    feed_seq INTEGER UNIQUE,        -- NULL while held for an operator (not in the feed yet)
    check_code TEXT NOT NULL,
    needs_review INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS workorders_review ON workorders (needs_review) WHERE needs_review = 1;

CREATE TABLE IF NOT EXISTS case_counters (
    day TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS status_updates (
    update_id TEXT PRIMARY KEY,
    case_no TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    case_no TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_case ON history (case_no);

CREATE TABLE IF NOT EXISTS attachments (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


class StorageUnavailable(Exception):
    """The database cannot take writes or reads right now; the caller should retry."""


@dataclass
class StoredIntake:
    id: int
    created: bool  # False: this (channel, external_id) was stored before
    state: str
    result: dict | None
    payload: dict | None = None


@dataclass
class _Op:
    fn: Callable[[aiosqlite.Connection], Awaitable[Any]]
    future: asyncio.Future


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Store:
    def __init__(self, path: Path, *, busy_timeout_ms: int = 2000, synchronous: str = "FULL",
                 max_batch: int = 256):
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.synchronous = synchronous.upper()
        self.max_batch = max_batch
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._queue: asyncio.Queue[_Op] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        self.batches = 0
        self.ops = 0

    # -- life cycle ---------------------------------------------------------------------

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await self._connect()
            await self._writer.execute("PRAGMA journal_mode=WAL")
            await self._writer.executescript(SCHEMA)
            await self._writer.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._reader = await self._connect()
        except sqlite3.Error as exc:
            await self.close()
            raise StorageUnavailable(f"{self.path}: cannot open the database: {exc}") from exc
        self._task = asyncio.create_task(self._write_loop(), name="store-writer")

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        await conn.execute(f"PRAGMA synchronous={self.synchronous}")
        return conn

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        for conn in (self._writer, self._reader):
            if conn is not None:
                await conn.close()
        self._writer = self._reader = None

    @property
    def queue_depth(self) -> int:
        return self._queue.qsize()

    # -- the writer ---------------------------------------------------------------------

    async def _write(self, fn: Callable[[aiosqlite.Connection], Awaitable[Any]]) -> Any:
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
            await self._run_batch(batch)

    async def _run_batch(self, batch: list[_Op]) -> None:
        conn = self._writer
        assert conn is not None
        self.batches += 1
        self.ops += len(batch)
        results: list[Any] = []
        try:
            await conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._fail(batch, StorageUnavailable(f"database unavailable: {exc}"))
            return
        try:
            for op in batch:
                results.append(await op.fn(conn))
            await conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # locked, disk full, I/O error
            await self._rollback(conn)
            self._fail(batch, StorageUnavailable(f"database unavailable: {exc}"))
            return
        except Exception as exc:
            failure: BaseException = exc
            # One operation is at fault (a bug or a broken record): undo the whole group
            # and apply each operation in a transaction of its own, so only it fails.
            await self._rollback(conn)
            if len(batch) > 1:
                for op in batch:
                    await self._run_batch([op])
                return
            if not isinstance(failure, Refusal):
                log.error("write failed", exc_info=failure)
                failure = StorageUnavailable("write failed")
            if not batch[0].future.done():
                batch[0].future.set_exception(failure)
            return
        for op, result in zip(batch, results):
            if not op.future.done():
                op.future.set_result(result)

    @staticmethod
    async def _rollback(conn: aiosqlite.Connection) -> None:
        try:
            await conn.execute("ROLLBACK")
        except sqlite3.Error:  # SQLite may have rolled back already (e.g. disk full)
            pass

    @staticmethod
    def _fail(batch: list[_Op], exc: Exception) -> None:
        log.warning("write group of %d failed: %s", len(batch), exc)
        for op in batch:
            if not op.future.done():
                op.future.set_exception(exc)

    # -- reads --------------------------------------------------------------------------

    async def _read(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        if self._reader is None:
            raise StorageUnavailable("the store is not open")
        try:
            return list(await self._reader.execute_fetchall(sql, params))
        except sqlite3.OperationalError as exc:
            raise StorageUnavailable(f"database unavailable: {exc}") from exc

    async def ping(self) -> None:
        await self._read("SELECT 1")

    # -- intakes ------------------------------------------------------------------------

    async def save_intake(self, channel: str, external_id: str, received_at: str,
                          payload: dict, raw: str | None) -> StoredIntake:
        """Store an intake durably, or find the one stored before under the same key."""

        async def op(conn: aiosqlite.Connection) -> StoredIntake:
            rows = await conn.execute_fetchall(
                "INSERT INTO intakes (channel, external_id, received_at, payload, raw)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, external_id) DO NOTHING"
                " RETURNING id",
                (channel, external_id, received_at, _dumps(payload), raw),
            )
            if rows:
                return StoredIntake(id=rows[0][0], created=True, state="stored", result=None)
            rows = await conn.execute_fetchall(
                "SELECT id, state, result, payload FROM intakes WHERE channel = ? AND external_id = ?",
                (channel, external_id),
            )
            row = rows[0]
            return StoredIntake(
                id=row["id"], created=False, state=row["state"],
                result=json.loads(row["result"]) if row["result"] else None,
                payload=json.loads(row["payload"]),
            )

        return await self._write(op)

    async def get_intake(self, intake_id: int) -> dict:
        rows = await self._read(
            "SELECT id, channel, external_id, state, case_no, payload, result, stages"
            " FROM intakes WHERE id = ?", (intake_id,))
        if not rows:
            raise NotFound(f"未找到受理记录 {intake_id}")
        row = rows[0]
        return {
            "id": row["id"], "channel": row["channel"], "external_id": row["external_id"],
            "state": row["state"], "case_no": row["case_no"],
            "payload": json.loads(row["payload"]),
            "result": json.loads(row["result"]) if row["result"] else None,
            "stages": json.loads(row["stages"]) if row["stages"] else None,
        }

    async def pending_intakes(self, limit: int = 1000) -> list[int]:
        rows = await self._read(
            "SELECT id FROM intakes WHERE state = 'stored' ORDER BY id LIMIT ?", (limit,))
        return [row[0] for row in rows]

    async def count_intakes(self) -> int:
        return (await self._read("SELECT count(*) FROM intakes"))[0][0]

    # -- work orders --------------------------------------------------------------------

    async def file_workorder(self, intake_id: int, day: str, build: Callable[[str, str], dict],
                             result: Callable[[dict, str], dict], stages: dict,
                             in_feed: bool) -> dict:
        """Number, store and (unless held for an operator) publish a new work order for an
        intake, and record the intake's result — all in one transaction.

        `build(case_no, check_code)` makes the document; `result(doc, check_code)` the
        intake's answer."""

        async def op(conn: aiosqlite.Connection) -> dict:
            rows = await conn.execute_fetchall(
                "SELECT state, result FROM intakes WHERE id = ?", (intake_id,))
            if rows and rows[0]["state"] == "done":  # filed by a concurrent re-run
                return json.loads(rows[0]["result"])
            rows = await conn.execute_fetchall(
                "INSERT INTO case_counters (day, last) VALUES (?, 1)"
                " ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last",
                (day,),
            )
            case_no = f"{day}-{rows[0][0]:06d}"
            check_code = f"{secrets.randbelow(10**6):06d}"
            doc = build(case_no, check_code)
            await conn.execute(
                "INSERT INTO workorders (case_no, status, created_at, updated_at, feed_seq,"
                " check_code, needs_review, doc) VALUES (?, ?, ?, ?, "
                + ("(SELECT COALESCE(MAX(feed_seq), 0) + 1 FROM workorders)" if in_feed else "NULL")
                + ", ?, ?, ?)",
                (case_no, doc["status"], doc["created_at"], doc["updated_at"], check_code,
                 int(doc.get("needs_review", False)), _dumps(doc)),
            )
            answer = result(doc, check_code)
            await self._finish_intake(conn, intake_id, case_no, answer, stages)
            await self._history(conn, case_no, doc["created_at"], "gateway", "filed",
                                {"intake": intake_id, "channel": doc.get("channel")})
            return answer

        return await self._write(op)

    async def attach_intake(self, intake_id: int, case_no: str,
                            mutate: Callable[[dict], dict | None],
                            result: Callable[[dict, str], dict], stages: dict) -> dict | None:
        """Join an intake to an existing case. `mutate(doc)` returns the new document, or None
        when the case can no longer take reports (then nothing is written and None returned)."""

        async def op(conn: aiosqlite.Connection) -> dict | None:
            rows = await conn.execute_fetchall(
                "SELECT doc, check_code FROM workorders WHERE case_no = ?", (case_no,))
            new_doc = mutate(json.loads(rows[0][0])) if rows else None
            if new_doc is None:
                return None
            await self._save_doc(conn, new_doc)
            answer = result(new_doc, rows[0][1])
            await self._finish_intake(conn, intake_id, case_no, answer, stages)
            await self._history(conn, case_no, new_doc["updated_at"], "gateway", "report_attached",
                                {"intake": intake_id})
            return answer

        return await self._write(op)

    async def update_workorder(self, case_no: str, mutate: Callable[[dict], dict],
                               *, actor: str, action: str, detail: dict,
                               update_id: str | None = None, request: dict | None = None) -> dict:
        """Apply `mutate` to a work order (raising to refuse) and publish the new version.
        With an `update_id`, a repeat returns the first response and changes nothing."""

        async def op(conn: aiosqlite.Connection) -> dict:
            if update_id is not None:
                rows = await conn.execute_fetchall(
                    "SELECT case_no, response FROM status_updates WHERE update_id = ?", (update_id,))
                if rows:
                    if rows[0]["case_no"] != case_no:
                        raise UpdateIdConflict(update_id, rows[0]["case_no"])
                    return {**json.loads(rows[0]["response"]), "repeated": True}
            doc = await self._load_doc(conn, case_no)
            if doc is None:
                raise NotFound(f"未找到工单 {case_no}")
            new_doc = mutate(doc)
            await self._save_doc(conn, new_doc)
            await self._history(conn, case_no, new_doc["updated_at"], actor, action, detail)
            if update_id is not None:
                await conn.execute(
                    "INSERT INTO status_updates (update_id, case_no, request, response, at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (update_id, case_no, _dumps(request or {}), _dumps(new_doc), new_doc["updated_at"]),
                )
            return new_doc

        return await self._write(op)

    async def _load_doc(self, conn: aiosqlite.Connection, case_no: str) -> dict | None:
        rows = await conn.execute_fetchall("SELECT doc FROM workorders WHERE case_no = ?", (case_no,))
        return json.loads(rows[0][0]) if rows else None

    async def _save_doc(self, conn: aiosqlite.Connection, doc: dict) -> None:
        # A held work order (feed_seq NULL) enters the feed once it leaves 'received'.
        await conn.execute(
            "UPDATE workorders SET status = ?, updated_at = ?, needs_review = ?, doc = ?,"
            " feed_seq = CASE WHEN feed_seq IS NULL AND ? = 'received' THEN NULL"
            " ELSE (SELECT COALESCE(MAX(feed_seq), 0) + 1 FROM workorders) END"
            " WHERE case_no = ?",
            (doc["status"], doc["updated_at"], int(doc.get("needs_review", False)), _dumps(doc),
             doc["status"], doc["case_no"]),
        )

    async def _finish_intake(self, conn: aiosqlite.Connection, intake_id: int, case_no: str,
                             answer: dict, stages: dict) -> None:
        await conn.execute(
            "UPDATE intakes SET state = 'done', case_no = ?, result = ?, stages = ? WHERE id = ?",
            (case_no, _dumps(answer), _dumps(stages), intake_id),
        )

    @staticmethod
    async def _history(conn: aiosqlite.Connection, case_no: str, at: str, actor: str,
                       action: str, detail: dict) -> None:
        await conn.execute(
            "INSERT INTO history (case_no, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
            (case_no, at, actor, action, _dumps(detail)),
        )

    async def get_workorder(self, case_no: str) -> dict:
        rows = await self._read("SELECT doc FROM workorders WHERE case_no = ?", (case_no,))
        if not rows:
            raise NotFound(f"未找到工单 {case_no}")
        return json.loads(rows[0][0])

    async def get_public(self, case_no: str) -> tuple[dict, str]:
        """The document and its check code (for the citizen's status page)."""
        rows = await self._read("SELECT doc, check_code FROM workorders WHERE case_no = ?", (case_no,))
        if not rows:
            raise NotFound(f"未找到工单 {case_no}")
        return json.loads(rows[0][0]), rows[0][1]

    async def feed(self, cursor: int, limit: int) -> tuple[list[dict], int]:
        rows = await self._read(
            "SELECT feed_seq, doc FROM workorders WHERE feed_seq > ? ORDER BY feed_seq LIMIT ?",
            (cursor, limit),
        )
        items = []
        for row in rows:
            doc = json.loads(row[1])
            doc["feed_seq"] = row[0]
            items.append(doc)
        return items, (rows[-1][0] if rows else cursor)

    async def history(self, case_no: str) -> list[dict]:
        rows = await self._read(
            "SELECT at, actor, action, detail FROM history WHERE case_no = ? ORDER BY id", (case_no,))
        return [{"at": r[0], "actor": r[1], "action": r[2], "detail": json.loads(r[3])} for r in rows]

    async def open_workorders(self) -> list[dict]:
        rows = await self._read(
            "SELECT doc FROM workorders WHERE status NOT IN ('closed', 'rejected', 'merged', 'answered')")
        return [json.loads(r[0]) for r in rows]

    async def count_review(self) -> int:
        return (await self._read("SELECT count(*) FROM workorders WHERE needs_review = 1"))[0][0]

    # -- attachments --------------------------------------------------------------------

    async def record_attachment(self, sha256: str, size: int, content_type: str, at: str) -> None:
        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "INSERT INTO attachments (sha256, size, content_type, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (sha256) DO NOTHING",
                (sha256, size, content_type, at),
            )

        await self._write(op)

    async def get_attachment(self, sha256: str) -> dict:
        rows = await self._read("SELECT size, content_type FROM attachments WHERE sha256 = ?", (sha256,))
        if not rows:
            raise NotFound(f"未找到附件 {sha256}")
        return {"sha256": sha256, "size": rows[0][0], "content_type": rows[0][1]}


class UpdateIdConflict(Refusal):
    code = "update_id_reused"

    def __init__(self, update_id: str, case_no: str):
        super().__init__(f"update_id {update_id} 已用于工单 {case_no}，不能用于其他工单")
