"""All SQL lives here (SQLite in WAL mode).

Writes go through one writer that commits in groups: every operation queued while the
previous group was being committed is applied in the next transaction, so one fsync
acknowledges many reports. A whole group is applied in a single hop to the writer's thread
(a plain sqlite3 connection on a one-thread executor): aiosqlite offers only one call per
statement, and those round trips, not SQLite, capped intake below 1,000 reports/s. Reads
use an aiosqlite connection of their own, which WAL lets run beside the writer.

SQLite serialises writers and the feed sequence is assigned inside the writing
transaction, so feed order is commit order: a reader never sees a later sequence number
before an earlier one is committed.

Work orders are stored as a JSON document plus the columns needed to query them. Every
change goes through `update_workorder(case_no, mutate)`, which stamps the new version with
the next feed sequence number.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import orjson

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

-- Which contacts (channel:id) reported which case: a citizen's "my cases", and everyone
-- to tell when the case moves (however many joined it).
CREATE TABLE IF NOT EXISTS case_contacts (
    contact TEXT NOT NULL,
    case_no TEXT NOT NULL,
    PRIMARY KEY (contact, case_no)
);
CREATE INDEX IF NOT EXISTS case_contacts_case ON case_contacts (case_no);

-- Answers back to citizens, written in the same transaction as the change they announce,
-- delivered by a worker with retries (a crash never loses one).
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    case_no TEXT NOT NULL,
    event TEXT NOT NULL,
    context TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';

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


WriteFn = Callable[[sqlite3.Connection], Any]


@dataclass
class _Op:
    fn: WriteFn
    future: asyncio.Future


def dumps(value: Any) -> str:
    # orjson: the documents are written on every report, and the stdlib encoder was a
    # visible share of intake time (UTF-8 out, like ensure_ascii=False).
    return orjson.dumps(value).decode()


class Store:
    def __init__(self, path: Path, *, busy_timeout_ms: int = 2000, synchronous: str = "FULL",
                 max_batch: int = 256, schemas: list[str] | None = None):
        self.path = path
        self.schemas = [SCHEMA, *(schemas or [])]  # feature modules add their tables
        # notices(old_doc | None, new_doc, check_code) -> outbox rows for a change; set by
        # the application so that answers back are written with the change itself.
        self.notices: Callable[..., list[dict]] | None = None
        # Called after a commit that queued answers back (the delivery worker looks then).
        self.on_outbox: Callable[[], Any] | None = None
        self._outbox_added = False
        self.busy_timeout_ms = busy_timeout_ms
        self.synchronous = synchronous.upper()
        self.max_batch = max_batch
        self._executor: ThreadPoolExecutor | None = None
        self._wconn: sqlite3.Connection | None = None  # used only on the executor's thread
        self._reader: aiosqlite.Connection | None = None
        self._queue: asyncio.Queue[_Op] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        self.batches = 0
        self.ops = 0

    # -- life cycle ---------------------------------------------------------------------

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
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
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
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
            if self._outbox_added:
                self._outbox_added = False
                if self.on_outbox is not None:
                    self.on_outbox()
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

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
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

    # -- intakes ------------------------------------------------------------------------

    async def save_intake(self, channel: str, external_id: str, received_at: str,
                          payload: str, raw: str | None) -> StoredIntake:
        """Store an intake durably, or find the one stored before under the same key.
        `payload`: the normalized intake as JSON text; `raw`: the channel's own payload."""

        def op(conn: sqlite3.Connection) -> StoredIntake:
            rows = fetch(
                conn,
                "INSERT INTO intakes (channel, external_id, received_at, payload, raw)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, external_id) DO NOTHING"
                " RETURNING id",
                (channel, external_id, received_at, payload, raw),
            )
            if rows:
                return StoredIntake(id=rows[0][0], created=True, state="stored", result=None)
            rows = fetch(
                conn,
                "SELECT id, state, result, payload FROM intakes WHERE channel = ? AND external_id = ?",
                (channel, external_id),
            )
            row = rows[0]
            return StoredIntake(
                id=row["id"], created=False, state=row["state"],
                result=orjson.loads(row["result"]) if row["result"] else None,
                payload=orjson.loads(row["payload"]),
            )

        return await self.write(op)

    async def get_intake(self, intake_id: int) -> dict:
        rows = await self.read(
            "SELECT id, channel, external_id, state, case_no, payload, result, stages"
            " FROM intakes WHERE id = ?", (intake_id,))
        if not rows:
            raise NotFound(f"未找到受理记录 {intake_id}")
        row = rows[0]
        return {
            "id": row["id"], "channel": row["channel"], "external_id": row["external_id"],
            "state": row["state"], "case_no": row["case_no"],
            "payload": orjson.loads(row["payload"]),
            "result": orjson.loads(row["result"]) if row["result"] else None,
            "stages": orjson.loads(row["stages"]) if row["stages"] else None,
        }

    async def pending_intakes(self, limit: int = 1000) -> list[int]:
        rows = await self.read(
            "SELECT id FROM intakes WHERE state = 'stored' ORDER BY id LIMIT ?", (limit,))
        return [row[0] for row in rows]

    async def count_intakes(self) -> int:
        return (await self.read("SELECT count(*) FROM intakes"))[0][0]

    # -- work orders --------------------------------------------------------------------

    async def file_workorder(self, intake_id: int, day: str, build: Callable[[str, str], dict],
                             result: Callable[[dict, str], dict], stages: str,
                             in_feed: bool) -> dict:
        """Number, store and (unless held for an operator) publish a new work order for an
        intake, and record the intake's result — all in one transaction.

        `build(case_no, check_code)` makes the document; `result(doc, check_code)` the
        intake's answer."""

        def op(conn: sqlite3.Connection) -> dict:
            rows = fetch(conn, "SELECT state, result FROM intakes WHERE id = ?", (intake_id,))
            if rows and rows[0]["state"] == "done":  # filed by a concurrent re-run
                return orjson.loads(rows[0]["result"])
            case_no, check_code = self._next_case_no(conn, day)
            doc = build(case_no, check_code)
            self._insert_doc(conn, doc, check_code, in_feed)
            answer = result(doc, check_code)
            self._finish_intake(conn, intake_id, case_no, answer, stages)
            self._history(conn, case_no, doc["created_at"], "gateway", "filed",
                          {"intake": intake_id, "channel": doc.get("channel")})
            return answer

        return await self.write(op)

    async def attach_intake(self, intake_id: int, case_no: str,
                            mutate: Callable[[dict], dict | None],
                            result: Callable[[dict, str], dict], stages: str,
                            contact: str = "") -> dict | None:
        """Join an intake to an existing case. `mutate(doc)` returns the new document, or None
        when the case can no longer take reports (then nothing is written and None returned)."""

        def op(conn: sqlite3.Connection) -> dict | None:
            rows = fetch(
                conn,
                "SELECT doc, check_code FROM workorders WHERE case_no = ?", (case_no,))
            old = orjson.loads(rows[0][0]) if rows else None
            new_doc = mutate(old) if old is not None else None
            if new_doc is None:
                return None
            self._save_doc(conn, new_doc, old, rows[0][1], joined=contact)
            answer = result(new_doc, rows[0][1])
            self._finish_intake(conn, intake_id, case_no, answer, stages)
            self._history(conn, case_no, new_doc["updated_at"], "gateway", "report_attached",
                                {"intake": intake_id})
            return answer

        return await self.write(op)

    async def update_workorder(self, case_no: str, mutate: Callable[[dict], dict],
                               **kwargs: Any) -> dict:
        """Apply `mutate` to one work order (raising to refuse) and publish the new version."""
        docs = await self.update_workorders(
            [case_no], lambda docs: {case_no: mutate(docs[case_no])}, **kwargs)
        return docs[case_no]

    async def update_workorders(self, case_nos: list[str],
                                mutate: Callable[[dict[str, dict]], dict[str, dict]],
                                *, actor: str, action: str, detail: dict,
                                update_id: str | None = None,
                                request: dict | None = None) -> dict[str, dict]:
        """Change several work orders in one transaction (a merge changes both cases) and
        publish every changed one. With an `update_id`, a repeat returns the first
        response, marked "repeated", and changes nothing."""

        def op(conn: sqlite3.Connection) -> dict[str, dict]:
            if update_id is not None:
                rows = fetch(conn, "SELECT case_no, response FROM status_updates WHERE update_id = ?",
                              (update_id,))
                if rows:
                    if rows[0]["case_no"] != case_nos[0]:
                        raise UpdateIdConflict(update_id, rows[0]["case_no"])
                    first = orjson.loads(rows[0]["response"])
                    return {no: {**doc, "repeated": True} for no, doc in first.items()}
            docs = {}
            for case_no in case_nos:
                doc = self._load_doc(conn, case_no)
                if doc is None:
                    raise NotFound(f"未找到工单 {case_no}")
                docs[case_no] = doc
            changed = mutate(docs)
            for case_no, doc in changed.items():
                self._save_doc(conn, doc, docs[case_no])
                self._history(conn, case_no, doc["updated_at"], actor, action, detail)
            if update_id is not None:
                conn.execute(
                    "INSERT INTO status_updates (update_id, case_no, request, response, at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (update_id, case_nos[0], dumps(request or {}), dumps(changed),
                     changed[case_nos[0]]["updated_at"]),
                )
            return changed

        return await self.write(op)

    async def split_report(self, case_no: str, intake_id: int, day: str,
                           build: Callable[[str, str], dict],
                           detach: Callable[[dict, str], dict], stages: str,
                           *, actor: str) -> tuple[dict, dict]:
        """Take an intake that was joined to `case_no` out into a new work order of its
        own: `build(new_case_no, check_code)` makes it, `detach(old_doc, new_case_no)`
        removes the report from the old one. Returns (old, new)."""

        def op(conn: sqlite3.Connection) -> tuple[dict, dict]:
            before = self._load_doc(conn, case_no)
            if before is None:
                raise NotFound(f"未找到工单 {case_no}")
            new_case_no, check_code = self._next_case_no(conn, day)
            old = detach(before, new_case_no)
            new = build(new_case_no, check_code)
            self._insert_doc(conn, new, check_code, in_feed=True)
            self._save_doc(conn, old, before)
            rows = fetch(conn, "SELECT result FROM intakes WHERE id = ?", (intake_id,))
            answer = {**orjson.loads(rows[0][0]), "case_no": new_case_no, "check_code": check_code,
                      "outcome": "accepted"}
            self._finish_intake(conn, intake_id, new_case_no, answer, stages)
            self._history(conn, case_no, old["updated_at"], actor, "report_split",
                          {"to": new_case_no, "intake": intake_id})
            self._history(conn, new_case_no, new["created_at"], actor, "filed_by_split",
                          {"from": case_no, "intake": intake_id})
            return old, new

        return await self.write(op)

    async def find_intake(self, channel: str, external_id: str) -> dict:
        rows = await self.read("SELECT id FROM intakes WHERE channel = ? AND external_id = ?",
                                (channel, external_id))
        if not rows:
            raise NotFound(f"未找到 {channel} 的反映 {external_id}")
        return await self.get_intake(rows[0][0])

    @staticmethod
    def _next_case_no(conn: sqlite3.Connection, day: str) -> tuple[str, str]:
        """The day's next case number (unique across restarts) and a fresh check code."""
        rows = fetch(conn, "INSERT INTO case_counters (day, last) VALUES (?, 1)"
                            " ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last", (day,))
        return f"{day}-{rows[0][0]:06d}", f"{secrets.randbelow(10**6):06d}"

    def _insert_doc(self, conn: sqlite3.Connection, doc: dict, check_code: str, in_feed: bool) -> None:
        conn.execute(
            "INSERT INTO workorders (case_no, status, created_at, updated_at, feed_seq,"
            " check_code, needs_review, doc) VALUES (?, ?, ?, ?, "
            + ("(SELECT COALESCE(MAX(feed_seq), 0) + 1 FROM workorders)" if in_feed else "NULL")
            + ", ?, ?, ?)",
            (doc["case_no"], doc["status"], doc["created_at"], doc["updated_at"], check_code,
             int(doc.get("needs_review", False)), dumps(doc)),
        )
        self._after_change(conn, None, doc, check_code)

    def _load_doc(self, conn: sqlite3.Connection, case_no: str) -> dict | None:
        rows = fetch(conn, "SELECT doc FROM workorders WHERE case_no = ?", (case_no,))
        return orjson.loads(rows[0][0]) if rows else None

    def _save_doc(self, conn: sqlite3.Connection, doc: dict, old: dict,
                  check_code: str = "", joined: str = "") -> None:
        # A held work order (feed_seq NULL) enters the feed once it leaves 'received'.
        conn.execute(
            "UPDATE workorders SET status = ?, updated_at = ?, needs_review = ?, doc = ?,"
            " feed_seq = CASE WHEN feed_seq IS NULL AND ? = 'received' THEN NULL"
            " ELSE (SELECT COALESCE(MAX(feed_seq), 0) + 1 FROM workorders) END"
            " WHERE case_no = ?",
            (doc["status"], doc["updated_at"], int(doc.get("needs_review", False)), dumps(doc),
             doc["status"], doc["case_no"]),
        )
        self._after_change(conn, old, doc, check_code, joined)

    def _after_change(self, conn: sqlite3.Connection, old: dict | None, new: dict,
                      check_code: str, joined: str = "") -> None:
        """Record the case's contacts and queue the answers back the change calls for.
        `joined`: the contact ("channel:id") of a report that just joined the case."""
        case_no = new["case_no"]
        listed = {f"{e['reporter'].get('contact_channel')}:{e['reporter']['contact_id']}"
                  for e in new["reporters"] if e["reporter"].get("contact_id")}
        if old is not None:
            listed -= {f"{e['reporter'].get('contact_channel')}:{e['reporter']['contact_id']}"
                       for e in old["reporters"] if e["reporter"].get("contact_id")}
        if joined:
            listed.add(joined)
        if listed:
            conn.executemany("INSERT OR IGNORE INTO case_contacts (case_no, contact) VALUES (?, ?)",
                             [(case_no, contact) for contact in listed])
        for merged in set(new.get("duplicates", [])) - set((old or {}).get("duplicates", [])):
            conn.execute("INSERT OR IGNORE INTO case_contacts (case_no, contact)"
                         " SELECT ?, contact FROM case_contacts WHERE case_no = ?", (case_no, merged))
        if self.notices is None:
            return
        contacts: list[str] = []
        if old is not None and old["status"] != new["status"]:  # everyone who reported it
            contacts = [r[0] for r in fetch(
                conn, "SELECT contact FROM case_contacts WHERE case_no = ? ORDER BY rowid", (case_no,))]
        rows = self.notices(old, new, check_code, contacts=contacts, joined=joined)
        if rows:
            conn.executemany(
                "INSERT INTO outbox (channel, contact_id, case_no, event, context, created_at,"
                " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(r["channel"], r["contact_id"], case_no, r["event"], dumps(r["context"]),
                  new["updated_at"], new["updated_at"]) for r in rows])
            self._outbox_added = True  # committed or rolled back with the group

    def _finish_intake(self, conn: sqlite3.Connection, intake_id: int, case_no: str,
                             answer: dict, stages: str) -> None:
        conn.execute(
            "UPDATE intakes SET state = 'done', case_no = ?, result = ?, stages = ? WHERE id = ?",
            (case_no, dumps(answer), stages, intake_id),
        )

    @staticmethod
    def _history(conn: sqlite3.Connection, case_no: str, at: str, actor: str,
                       action: str, detail: dict) -> None:
        conn.execute(
            "INSERT INTO history (case_no, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
            (case_no, at, actor, action, dumps(detail)),
        )

    async def get_workorder(self, case_no: str) -> dict:
        rows = await self.read("SELECT doc FROM workorders WHERE case_no = ?", (case_no,))
        if not rows:
            raise NotFound(f"未找到工单 {case_no}")
        return orjson.loads(rows[0][0])

    async def get_public(self, case_no: str) -> tuple[dict, str]:
        """The document and its check code (for the citizen's status page)."""
        rows = await self.read("SELECT doc, check_code FROM workorders WHERE case_no = ?", (case_no,))
        if not rows:
            raise NotFound(f"未找到工单 {case_no}")
        return orjson.loads(rows[0][0]), rows[0][1]

    async def feed(self, cursor: int, limit: int) -> tuple[list[dict], int]:
        rows = await self.read(
            "SELECT feed_seq, doc FROM workorders WHERE feed_seq > ? ORDER BY feed_seq LIMIT ?",
            (cursor, limit),
        )
        items = []
        for row in rows:
            doc = orjson.loads(row[1])
            doc["feed_seq"] = row[0]
            items.append(doc)
        return items, (rows[-1][0] if rows else cursor)

    async def history(self, case_no: str) -> list[dict]:
        rows = await self.read(
            "SELECT at, actor, action, detail FROM history WHERE case_no = ? ORDER BY id", (case_no,))
        return [{"at": r[0], "actor": r[1], "action": r[2], "detail": orjson.loads(r[3])} for r in rows]

    async def open_workorders(self) -> list[dict]:
        rows = await self.read(
            "SELECT doc FROM workorders WHERE status NOT IN ('closed', 'rejected', 'merged', 'answered')")
        return [orjson.loads(r[0]) for r in rows]

    async def cases_of_contact(self, contact: str, limit: int = 20) -> list[dict]:
        """The newest cases a contact ("channel:id") reported, newest first."""
        rows = await self.read(
            "SELECT w.doc FROM case_contacts c JOIN workorders w ON w.case_no = c.case_no"
            " WHERE c.contact = ? ORDER BY w.created_at DESC, w.case_no DESC LIMIT ?", (contact, limit))
        return [orjson.loads(r[0]) for r in rows]

    async def count_review(self) -> int:
        return (await self.read("SELECT count(*) FROM workorders WHERE needs_review = 1"))[0][0]

    # -- attachments --------------------------------------------------------------------

    async def record_attachment(self, sha256: str, size: int, content_type: str, at: str) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO attachments (sha256, size, content_type, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (sha256) DO NOTHING",
                (sha256, size, content_type, at),
            )

        await self.write(op)

    async def get_attachment(self, sha256: str) -> dict:
        rows = await self.read("SELECT size, content_type FROM attachments WHERE sha256 = ?", (sha256,))
        if not rows:
            raise NotFound(f"未找到附件 {sha256}")
        return {"sha256": sha256, "size": rows[0][0], "content_type": rows[0][1]}


def fetch(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    return conn.execute(sql, params).fetchall()


class UpdateIdConflict(Refusal):
    code = "update_id_reused"

    def __init__(self, update_id: str, case_no: str):
        super().__init__(f"update_id {update_id} 已用于工单 {case_no}，不能用于其他工单")
