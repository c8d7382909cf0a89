"""SQL for the outbox of answers back (rows are written by core's change transactions)."""
from __future__ import annotations

import json
from typing import Any

from gateway.store.writer import Writer


class Outbox:
    def __init__(self, store: Writer):
        self.store = store

    async def claim(self, at: str, lease_until: str, limit: int = 20) -> list[dict]:
        """Take up to `limit` due messages for this node to send: each is leased (not due
        again) until `lease_until`, so no other node sends it meanwhile; `mark` settles it,
        and one whose node died is due again when the lease runs out. On PostgreSQL, rows
        another node is claiming at the same moment are skipped, not waited for."""

        def op(conn: Any) -> list[dict]:
            rows = conn.execute(
                "UPDATE outbox SET next_attempt_at = ? WHERE id IN (SELECT id FROM outbox"
                " WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?"
                f"{self.store.skip_locked})"
                " RETURNING id, channel, contact_id, case_no, event, context, attempts",
                (lease_until, at, limit)).fetchall()
            return sorted(({**dict(r), "context": json.loads(r["context"])} for r in rows),
                          key=lambda r: r["id"])

        return await self.store.write(op)

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

