"""SQL for the console's view of hotline calls (kept by the channel in channel_state)."""
from __future__ import annotations

import json

from gateway.store.writer import Writer


class Calls:
    def __init__(self, store: Writer):
        self.store = store

    async def recent(self, limit: int = 200) -> list[dict]:
        """The newest calls first (the channel's bookkeeping keys start with "_")."""
        rows = await self.store.read(
            "SELECT value FROM channel_state WHERE channel = 'hotline' AND key NOT LIKE '\\_%' ESCAPE '\\'"
            " ORDER BY updated_at DESC LIMIT ?", (limit,))
        return [json.loads(r[0]) for r in rows]

    async def get(self, call_id: str) -> dict | None:
        rows = await self.store.read(
            "SELECT value FROM channel_state WHERE channel = 'hotline' AND key = ?", (call_id,))
        return json.loads(rows[0][0]) if rows else None
