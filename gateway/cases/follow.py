"""Other nodes' changes into this node's duplicate index: with several gateway nodes over
one database, each node tails the change feed, so a repeat sent to node B joins the case
filed on node A (within one interval)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

PAGE = 500


class FeedFollower:
    def __init__(self, store: Any, track: Callable[[dict], None], cursor: int):
        self.store = store
        self.track = track
        self.cursor = cursor  # the feed position the index is current to

    async def poll(self) -> None:
        """Track every change published since the last poll (this node's own too: tracking
        is idempotent, and the feed gives each case's latest version)."""
        while True:
            items, self.cursor = await self.store.feed(self.cursor, PAGE)
            for doc in items:
                self.track(doc)
            if len(items) < PAGE:
                return
