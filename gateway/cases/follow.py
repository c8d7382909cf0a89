"""Other nodes' changes into this node's duplicate index: with several gateway nodes over
one database, each node tails the change feed, so a repeat sent to node B joins the case
filed on node A (within one interval). Cases held for an operator are not in the feed: each
poll also reads those changed in the last `HELD_WINDOW` (a held case committed on another
node is seen although its time was taken just before its commit)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from gateway.models import iso, now

PAGE = 500
# How far back each poll looks for held cases: far longer than a commit may take.
HELD_WINDOW = timedelta(seconds=60)


class FeedFollower:
    def __init__(self, store: Any, track: Callable[[dict], None], cursor: int):
        self.store = store
        self.track = track
        self.cursor = cursor  # the feed position the index is current to
        self._held: dict[str, str] = {}  # held case → the version tracked (updated_at)
        # Also told of each page of the feed (the hot-issue view).
        self._pages: list[Callable[[list[dict]], Awaitable[None]]] = []

    def on_page(self, listener: Callable[[list[dict]], Awaitable[None]]) -> None:
        self._pages.append(listener)

    async def poll(self) -> None:
        """Track every change published since the last poll (this node's own too: tracking
        is idempotent, and the feed gives each case's latest version), and the held cases
        changed lately."""
        held = await self.store.held_since(iso(now() - HELD_WINDOW))
        seen = {}
        for doc in held:
            seen[doc["case_no"]] = doc["updated_at"]
            if self._held.get(doc["case_no"]) != doc["updated_at"]:
                self.track(doc)
        self._held = seen
        while True:
            items, cursor = await self.store.feed(self.cursor, PAGE)
            for doc in items:
                self.track(doc)
            for listener in self._pages:
                await listener(items)
            self.cursor = cursor  # after the listeners: one that failed gets the page again
            if len(items) < PAGE:
                return
