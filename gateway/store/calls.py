"""The console's view of hotline calls: the call records the hotline channel keeps in its
channel state (kind `CALL_RECORDS`)."""
from __future__ import annotations

from gateway.models import CALL_RECORDS
from gateway.store.state import ChannelState
from gateway.store.writer import Writer


class Calls:
    def __init__(self, store: Writer):
        self.states = ChannelState(store)

    async def recent(self, limit: int = 200) -> list[dict]:
        """The newest calls first."""
        return await self.states.recent(*CALL_RECORDS, limit)

    async def get(self, call_id: str) -> dict | None:
        return await self.states.load(*CALL_RECORDS, call_id)
