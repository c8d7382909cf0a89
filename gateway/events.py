"""An in-process event hub: live views (the operator console) subscribe to what happens
(work orders changing, calls ringing) without polling the database."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from typing import Any


class EventHub:
    def __init__(self) -> None:
        # queue -> the topics it wants (None: all)
        self._queues: dict[asyncio.Queue, frozenset[str] | None] = {}
        # Also hands each event of this node to the other nodes (gateway.peers), if set.
        self.relay: Callable[[str, Any], None] | None = None

    def publish(self, topic: str, data: Any, *, from_peer: bool = False) -> None:
        if self.relay is not None and not from_peer:
            self.relay(topic, data)
        for queue, topics in list(self._queues.items()):
            if topics is not None and topic not in topics:
                continue
            try:
                queue.put_nowait((topic, data))
            except asyncio.QueueFull:  # a stalled viewer loses events, never the gateway
                pass

    @contextlib.contextmanager
    def subscribe(self, maxsize: int = 1000,
                  topics: set[str] | None = None) -> Iterator[asyncio.Queue]:
        """A queue of (topic, data) for every event, or only for `topics`."""
        queue: asyncio.Queue = asyncio.Queue(maxsize)
        self._queues[queue] = frozenset(topics) if topics is not None else None
        try:
            yield queue
        finally:
            self._queues.pop(queue, None)
