"""SQL for channels' small durable state (conversations in progress, call state)."""
from __future__ import annotations

import json
import sqlite3

from gateway.models import iso, now
from gateway.store.writer import Writer, dumps

SCHEMA = """
CREATE TABLE IF NOT EXISTS channel_state (
    channel TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, key)
) WITHOUT ROWID;
"""


class ChannelState:
    def __init__(self, store: Writer):
        self.store = store

    async def load(self, channel: str, key: str) -> dict | None:
        rows = await self.store.read(
            "SELECT value FROM channel_state WHERE channel = ? AND key = ?", (channel, key))
        return json.loads(rows[0][0]) if rows else None

    async def save(self, channel: str, key: str, value: dict | None) -> None:
        def op(conn: sqlite3.Connection) -> None:
            if value is None:
                conn.execute("DELETE FROM channel_state WHERE channel = ? AND key = ?", (channel, key))
            else:
                conn.execute(
                    "INSERT INTO channel_state (channel, key, value, updated_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (channel, key) DO UPDATE SET value = excluded.value,"
                    " updated_at = excluded.updated_at", (channel, key, dumps(value), iso(now())))

        await self.store.write(op)

    async def older_than(self, channel: str, before: str) -> list[tuple[str, dict]]:
        """States not touched since `before` (e.g. conversations the citizen abandoned)."""
        rows = await self.store.read(
            "SELECT key, value FROM channel_state WHERE channel = ? AND updated_at < ?",
            (channel, before))
        return [(r[0], json.loads(r[1])) for r in rows]
