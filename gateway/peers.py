"""Live events between gateway nodes over one PostgreSQL database: each node's events
(work orders changing, calls ringing, transcripts) are sent with NOTIFY and published on
every other node's event hub, so an operator's console sees them whichever node its
browser reached."""
from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

import orjson

from gateway.errors import NotFound, StorageUnavailable
from gateway.events import EventHub

log = logging.getLogger("gateway.peers")

CHANNEL = "gateway_events"
# PostgreSQL refuses notifications of 8,000 bytes or more: a larger work order is sent
# by its number, and the other nodes read it from the database.
MAX_PAYLOAD = 7900


class PeerEvents:
    def __init__(self, hub: EventHub, store: Any):
        self.hub = hub
        self.store = store
        self.node = secrets.token_hex(8)  # this node's own notifications come back: skipped
        self._outgoing: asyncio.Queue[str] = asyncio.Queue(maxsize=10000)
        self._loading: set[asyncio.Task] = set()

    def relay(self, topic: str, data: Any) -> None:
        """From the hub: an event of this node, for the others (in order, by one sender)."""
        payload = orjson.dumps({"node": self.node, "topic": topic, "data": data}).decode()
        if len(payload.encode()) > MAX_PAYLOAD:
            if topic != "workorder":
                log.warning("live event %s too large for the other nodes; not sent", topic)
                return
            payload = orjson.dumps({"node": self.node, "topic": topic, "case_no": data["case_no"]}).decode()
        try:
            self._outgoing.put_nowait(payload)
        except asyncio.QueueFull:  # the database is away: live views miss events, intake does not
            pass

    async def run(self) -> None:
        await asyncio.gather(self._send(), self.store.listen(CHANNEL, self._received))

    async def _send(self) -> None:
        while True:
            payload = await self._outgoing.get()
            try:
                await self.store.notify(CHANNEL, payload)
            except StorageUnavailable as exc:
                log.warning("live event not sent to the other nodes: %s", exc)

    def _received(self, payload: str) -> None:
        message = orjson.loads(payload)
        if message.get("node") == self.node:
            return
        if "case_no" in message:
            task = asyncio.get_running_loop().create_task(self._load(message["topic"], message["case_no"]))
            self._loading.add(task)
            task.add_done_callback(self._loading.discard)
        else:
            self.hub.publish(message["topic"], message["data"], from_peer=True)

    async def _load(self, topic: str, case_no: str) -> None:
        try:
            self.hub.publish(topic, await self.store.get_workorder(case_no), from_peer=True)
        except (NotFound, StorageUnavailable) as exc:
            log.warning("live event for %s not loaded: %s", case_no, exc)
