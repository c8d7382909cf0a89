"""SQL for the outbox of answers back (rows are written by core's change transactions)."""
from __future__ import annotations

import json
from typing import Any

from gateway.store.writer import Writer


class Outbox:
    def __init__(self, store: Writer):
        self.store = store

    async def due(self, at: str, limit: int = 50) -> list[dict]:
        rows = await self.store.read(
            "SELECT id, channel, contact_id, case_no, event, context, attempts FROM outbox"
            " WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?", (at, limit))
        return [{**dict(r), "context": json.loads(r["context"])} for r in rows]

    async def mark(self, message_id: int, state: str, *, next_attempt_at: str | None = None,
                   error: str | None = None) -> None:
        def op(conn: Any) -> None:
            conn.execute(
                "UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ?",
                (state, error, next_attempt_at, message_id))

        await self.store.write(op)

    async def for_case(self, case_no: str) -> list[dict]:
        rows = await self.store.read(
            "SELECT id, channel, contact_id, event, state, attempts, last_error FROM outbox"
            " WHERE case_no = ? ORDER BY id", (case_no,))
        return [dict(r) for r in rows]

