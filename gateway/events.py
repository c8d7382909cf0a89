"""An in-process event hub: live views (the operator console) subscribe to what happens
(work orders changing, calls ringing) without polling the database."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any


class EventHub:
    def __init__(self) -> None:
        self._queues: set[asyncio.Queue] = set()

    def publish(self, topic: str, data: Any) -> None:
        for queue in list(self._queues):
            try:
                queue.put_nowait((topic, data))
            except asyncio.QueueFull:  # a stalled viewer loses events, never the gateway
                pass

    @contextlib.contextmanager
    def subscribe(self, maxsize: int = 1000) -> Iterator[asyncio.Queue]:
        queue: asyncio.Queue = asyncio.Queue(maxsize)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)
