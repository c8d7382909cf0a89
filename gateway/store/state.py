"""SQL for channels' small durable state: conversations in progress, call records, the
message ids a channel must recognise later. Each row has a kind (the channel's name for
that sort of state) and an expiry: state that grows with traffic is removed by `expire`
once its time is up, and is never read after it."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson

from gateway.models import iso, now
from gateway.store.writer import Writer, dumps

SCHEMA = """
CREATE TABLE IF NOT EXISTS channel_states (
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (channel, kind, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS channel_states_expiry ON channel_states (expires_at);
"""


class ChannelState:
    def __init__(self, store: Writer):
        self.store = store

    def exclusive(self, channel: str, kind: str, key: str):
        """Read, change and write back one state on one node at a time."""
        return self.store.exclusive(f"state:{channel}:{kind}:{key}")

    async def load(self, channel: str, kind: str, key: str) -> dict | None:
        rows = await self.store.read(
            "SELECT value FROM channel_states WHERE channel = ? AND kind = ? AND key = ?"
            " AND expires_at > ?", (channel, kind, key, iso(now())))
        return orjson.loads(rows[0][0]) if rows else None

    async def save(self, channel: str, kind: str, key: str, value: dict | None,
                   keep_s: float) -> None:
        """Keep `value` for `keep_s` seconds from now (None: forget it)."""
        at = now()

        def op(conn: Any) -> None:
            if value is None:
                conn.execute("DELETE FROM channel_states WHERE channel = ? AND kind = ? AND key = ?",
                             (channel, kind, key))
            else:
                conn.execute(
                    "INSERT INTO channel_states (channel, kind, key, value, updated_at, expires_at)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, kind, key) DO UPDATE SET"
                    " value = excluded.value, updated_at = excluded.updated_at,"
                    " expires_at = excluded.expires_at",
                    (channel, kind, key, dumps(value), iso(at), iso(at + timedelta(seconds=keep_s))))

        await self.store.write(op)

    async def recent(self, channel: str, kind: str, limit: int) -> list[dict]:
        """The most recently changed states of one kind, newest first."""
        rows = await self.store.read(
            "SELECT value FROM channel_states WHERE channel = ? AND kind = ? AND expires_at > ?"
            " ORDER BY updated_at DESC LIMIT ?", (channel, kind, iso(now()), limit))
        return [orjson.loads(r[0]) for r in rows]

    async def expire(self) -> int:
        """Remove every state whose time is up; how many were removed."""
        cutoff = iso(now())
        return await self.store.write(lambda conn: conn.execute(
            "DELETE FROM channel_states WHERE expires_at <= ?", (cutoff,)).rowcount)
