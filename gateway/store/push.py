"""SQL for push delivery: the change log (every change that entered the feed, as the feed
showed it, written in the change's own transaction), the subscriptions with how far each
has got, failed attempts, and dead letters."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

import orjson

from gateway.errors import NotFound, Refusal
from gateway.models import iso, now
from gateway.store.writer import Writer, dumps, fetch

SCHEMA = """
-- One row per change that entered the feed, keyed by its feed sequence number (written in
-- the change's transaction; removed once every subscription has it, or after keep_events_days).
CREATE TABLE IF NOT EXISTS push_events (
    seq INTEGER PRIMARY KEY,
    case_no TEXT NOT NULL,
    event TEXT NOT NULL,            -- created | changed | status | merged
    at TEXT NOT NULL,
    doc TEXT NOT NULL               -- the work order as the feed showed it, feed_seq included
);

CREATE TABLE IF NOT EXISTS push_subscriptions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,           -- JSON list of event kinds
    paused INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,           -- config | api
    cursor INTEGER NOT NULL,        -- every event up to here delivered or dead-lettered
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Failed attempts of an event not yet delivered (the attempt number survives a restart).
CREATE TABLE IF NOT EXISTS push_attempts (
    subscription_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    PRIMARY KEY (subscription_id, seq)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS push_dead_letters (
    subscription_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    case_no TEXT NOT NULL,
    event TEXT NOT NULL,
    doc TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    at TEXT NOT NULL,
    replay INTEGER NOT NULL DEFAULT 0,   -- 1: an administrator asked to send it again
    PRIMARY KEY (subscription_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS push_dead_case ON push_dead_letters (subscription_id, case_no);
"""

SUB_COLUMNS = "id, name, url, secret, events, paused, source, cursor, created_at, updated_at"


def _sub(row: sqlite3.Row) -> dict:
    return {**dict(row), "events": orjson.loads(row["events"]), "paused": bool(row["paused"])}


class PushRecords:
    def __init__(self, store: Writer):
        self.store = store

    # -- the change log (written by gateway.store.workorders inside each change) ---------

    @staticmethod
    def log_change(conn: sqlite3.Connection, case_no: str, event: str, doc: dict) -> int | None:
        """Log a change of `case_no` if it is in the feed; its sequence number."""
        row = conn.execute("SELECT feed_seq FROM workorders WHERE case_no = ?", (case_no,)).fetchone()
        if row is None or row[0] is None:
            return None
        conn.execute("INSERT INTO push_events (seq, case_no, event, at, doc) VALUES (?, ?, ?, ?, ?)",
                     (row[0], case_no, event, doc["updated_at"], dumps({**doc, "feed_seq": row[0]})))
        return row[0]

    async def last_seq(self) -> int:
        rows = await self.store.read("SELECT COALESCE(MAX(seq), 0) FROM push_events")
        return rows[0][0]

    async def oldest_after(self, seq: int) -> str | None:
        """When the first change after `seq` was made (None: there is none)."""
        rows = await self.store.read("SELECT at FROM push_events WHERE seq > ? ORDER BY seq LIMIT 1", (seq,))
        return rows[0][0] if rows else None

    async def events_after(self, seq: int, kinds: list[str], limit: int) -> list[dict]:
        rows = await self.store.read(
            f"SELECT seq, case_no, event, at, doc FROM push_events WHERE seq > ?"
            f" AND event IN ({', '.join('?' * len(kinds))}) ORDER BY seq LIMIT ?", (seq, *kinds, limit))
        return [dict(r) for r in rows]

    async def expire(self, keep_events_days: float, keep_dead_days: float) -> int:
        """Remove events every subscription has (or older than keep_events_days), and dead
        letters older than keep_dead_days. How many rows went."""
        events_before = iso(now() - timedelta(days=keep_events_days))
        dead_before = iso(now() - timedelta(days=keep_dead_days))

        def op(conn: sqlite3.Connection) -> int:
            low = conn.execute("SELECT MIN(cursor) FROM push_subscriptions").fetchone()[0]
            if low is None:
                low = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM push_events").fetchone()[0]
            gone = conn.execute("DELETE FROM push_events WHERE seq <= ? OR at < ?", (low, events_before)).rowcount
            gone += conn.execute("DELETE FROM push_dead_letters WHERE at < ?", (dead_before,)).rowcount
            return gone

        return await self.store.write(op)

    # -- subscriptions ------------------------------------------------------------------

    async def subscriptions(self) -> list[dict]:
        rows = await self.store.read(f"SELECT {SUB_COLUMNS} FROM push_subscriptions ORDER BY id")
        return [_sub(r) for r in rows]

    async def subscription(self, name: str) -> dict:
        rows = await self.store.read(f"SELECT {SUB_COLUMNS} FROM push_subscriptions WHERE name = ?", (name,))
        if not rows:
            raise NotFound(f"没有名为 {name} 的推送订阅")
        return _sub(rows[0])

    async def add(self, name: str, url: str, secret: str, events: list[str], *, source: str,
                  from_seq: int | None = None, replace: bool = False) -> dict:
        """A new subscription (from the end of the log unless `from_seq`); with `replace`
        (the configuration's), an existing one of that name takes the new address, secret
        and events and keeps its place and pause."""
        at = iso(now())

        def op(conn: sqlite3.Connection) -> dict:
            existing = conn.execute("SELECT id FROM push_subscriptions WHERE name = ?", (name,)).fetchone()
            if existing is not None:
                if not replace:
                    raise Refusal(f"推送订阅 {name} 已存在", code="subscription_exists", http_status=409)
                conn.execute("UPDATE push_subscriptions SET url = ?, secret = ?, events = ?, source = ?,"
                             " updated_at = ? WHERE name = ?", (url, secret, dumps(events), source, at, name))
            else:
                start = from_seq if from_seq is not None else conn.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM push_events").fetchone()[0]
                conn.execute("INSERT INTO push_subscriptions (name, url, secret, events, source, cursor,"
                             " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (name, url, secret, dumps(events), source, start, at, at))
            return _sub(fetch(conn, f"SELECT {SUB_COLUMNS} FROM push_subscriptions WHERE name = ?", (name,))[0])

        return await self.store.write(op)

    async def set_paused(self, name: str, paused: bool) -> dict:
        def op(conn: sqlite3.Connection) -> dict:
            rows = fetch(conn, f"UPDATE push_subscriptions SET paused = ?, updated_at = ? WHERE name = ?"
                               f" RETURNING {SUB_COLUMNS}", (int(paused), iso(now()), name))
            if not rows:
                raise NotFound(f"没有名为 {name} 的推送订阅")
            return _sub(rows[0])

        return await self.store.write(op)

    # -- one sender per subscription across nodes -----------------------------------------

    @property
    def shared(self) -> bool:
        """Several nodes share the database: a subscription is sent to by the node that
        holds it (`hold`; PostgreSQL's holder and held_until columns, migration 0003); on
        SQLite (one node) there is nothing to hold."""
        return self.store.shared

    async def hold(self, subscription_id: int, holder: str) -> dict | None:
        """Take or keep the subscription for `holder` (a node) for the store's `claim_s`:
        the subscription as stored (its cursor moved on by whoever held it before), or
        None while another node holds it. A node that dies lets go when its hold runs out."""
        at = now()
        until = iso(at + timedelta(seconds=self.store.claim_s))

        def op(conn: sqlite3.Connection) -> dict | None:
            rows = fetch(conn, f"UPDATE push_subscriptions SET holder = ?, held_until = ? WHERE id = ?"
                               f" AND (holder IS NULL OR holder = ? OR held_until <= ?) RETURNING {SUB_COLUMNS}",
                         (holder, until, subscription_id, holder, iso(at)))
            return _sub(rows[0]) if rows else None

        return await self.store.write(op)

    async def let_go(self, holder: str) -> None:
        """This node stops (cleanly): the subscriptions it holds are free at once."""
        await self.store.write(lambda conn: conn.execute(
            "UPDATE push_subscriptions SET holder = NULL, held_until = NULL WHERE holder = ?", (holder,)))

    async def advance(self, subscription_id: int, seq: int) -> None:
        await self.store.write(lambda conn: conn.execute(
            f"UPDATE push_subscriptions SET cursor = {self.store.greatest}(cursor, ?) WHERE id = ?",
            (seq, subscription_id)))

    # -- attempts and dead letters --------------------------------------------------------

    async def attempts(self, subscription_id: int, seqs: list[int]) -> dict[int, int]:
        """Failed attempts so far of these events (those with none are left out)."""
        if not seqs:
            return {}
        rows = await self.store.read(
            f"SELECT seq, attempts FROM push_attempts WHERE subscription_id = ?"
            f" AND seq IN ({', '.join('?' * len(seqs))})", (subscription_id, *seqs))
        return {r[0]: r[1] for r in rows}

    async def failed(self, subscription_id: int, seq: int, attempts: int, error: str) -> None:
        await self.store.write(lambda conn: conn.execute(
            "INSERT INTO push_attempts (subscription_id, seq, attempts, last_error) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (subscription_id, seq) DO UPDATE SET attempts = excluded.attempts,"
            " last_error = excluded.last_error", (subscription_id, seq, attempts, error[:500])))

    async def delivered(self, subscription_id: int, seq: int, *, retried: bool, dead: bool) -> None:
        """An event got through: forget its failed attempts and, if it was a dead letter
        sent again, the dead letter."""
        def op(conn: sqlite3.Connection) -> None:
            if retried:
                conn.execute("DELETE FROM push_attempts WHERE subscription_id = ? AND seq = ?",
                             (subscription_id, seq))
            if dead:
                conn.execute("DELETE FROM push_dead_letters WHERE subscription_id = ? AND seq = ?",
                             (subscription_id, seq))

        await self.store.write(op)

    async def bury(self, subscription_id: int, event: dict, attempts: int, error: str) -> None:
        """The event becomes a dead letter (or stays one, not to be sent again for now)."""
        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO push_dead_letters (subscription_id, seq, case_no, event, doc, attempts,"
                " last_error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subscription_id, seq)"
                " DO UPDATE SET attempts = excluded.attempts, last_error = excluded.last_error, replay = 0",
                (subscription_id, event["seq"], event["case_no"], event["event"], event["doc"], attempts,
                 error[:500], iso(now())))
            conn.execute("DELETE FROM push_attempts WHERE subscription_id = ? AND seq = ?",
                         (subscription_id, event["seq"]))

        await self.store.write(op)

    async def dead_letters(self, subscription_id: int, case_no: str = "", limit: int = 100,
                           with_doc: bool = False, replay_only: bool = False) -> list[dict]:
        where = ("subscription_id = ?" + (" AND case_no = ?" if case_no else "")
                 + (" AND replay = 1" if replay_only else ""))
        params = (subscription_id, case_no) if case_no else (subscription_id,)
        rows = await self.store.read(
            f"SELECT seq, case_no, event, attempts, last_error, at, replay{', doc' if with_doc else ''}"
            f" FROM push_dead_letters WHERE {where} ORDER BY seq LIMIT ?", (*params, limit))
        return [{**dict(r), "replay": bool(r["replay"])} for r in rows]

    async def parked_cases(self, subscription_id: int) -> set[str]:
        rows = await self.store.read("SELECT DISTINCT case_no FROM push_dead_letters WHERE subscription_id = ?",
                                     (subscription_id,))
        return {r[0] for r in rows}

    async def replay(self, subscription_id: int, case_no: str = "") -> int:
        """Ask for a case's dead letters (or all) to be sent again; how many."""
        where = "subscription_id = ?" + (" AND case_no = ?" if case_no else "")
        params = (subscription_id, case_no) if case_no else (subscription_id,)
        return await self.store.write(lambda conn: conn.execute(
            f"UPDATE push_dead_letters SET replay = 1 WHERE {where}", params).rowcount)

    async def count_dead(self) -> dict[int, int]:
        rows = await self.store.read("SELECT subscription_id, count(*) FROM push_dead_letters GROUP BY 1")
        return {r[0]: r[1] for r in rows}
