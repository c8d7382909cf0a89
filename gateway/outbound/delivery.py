"""Sends the outbox: each message through its channel's `deliver`, retried with growing
pauses until it goes through or is given up (then kept as failed, with the reason).
Every node runs this worker; each message is claimed by one of them (Outbox.claim)."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from channels.base import Channel, DeliveryError, Outbound
from gateway.errors import StorageUnavailable
from gateway.metrics import Metrics
from gateway.models import iso, now
from gateway.outbound.notify import Templates
from gateway.store.outbox import Outbox

log = logging.getLogger("gateway.delivery")


class Delivery:
    def __init__(self, outbox: Outbox, channels: dict[str, Channel], templates: Templates,
                 metrics: Metrics, *, max_attempts: int = 8, timeout_s: float = 15.0,
                 first_retry_s: float = 10.0, idle_s: float = 5.0):
        self.outbox = outbox
        self.channels = channels
        self.templates = templates
        self.metrics = metrics
        self.max_attempts = max_attempts
        self.timeout_s = timeout_s
        self.first_retry_s = first_retry_s
        self.idle_s = idle_s
        self._wake = asyncio.Event()
        # When the soonest retry this node scheduled falls due (loop time): the worker looks
        # then rather than at the next idle tick, so a pause shorter than idle_s is kept.
        self._soonest_retry = float("inf")

    def wake(self, *_: object) -> None:
        """Something was written to the outbox: look now rather than at the next tick."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                sent = await self.send_due()
            except StorageUnavailable as exc:
                log.warning("outbox unavailable: %s", exc)
                sent = 0
            except Exception:
                log.exception("outbox sweep failed")
                sent = 0
            if not sent:
                self._wake.clear()
                # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a
                # cancellation that arrives as the wait ends, and the worker never stops.
                try:
                    async with asyncio.timeout(self._until_next_look()):
                        await self._wake.wait()
                except TimeoutError:
                    pass

    def _until_next_look(self) -> float:
        now_s = asyncio.get_running_loop().time()
        if self._soonest_retry <= now_s:
            self._soonest_retry = float("inf")
            return 0.0
        return min(self.idle_s, self._soonest_retry - now_s)

    async def send_due(self, batch: int = 20) -> int:
        # Claimed for as long as sending the whole batch may take: no other node sends
        # these meanwhile, and they are due again if this node dies before marking them.
        at = now()
        lease = timedelta(seconds=self.timeout_s * (batch + 1))
        rows = await self.outbox.claim(iso(at), iso(at + lease), batch)
        for row in rows:
            await self._send(row)
        return len(rows)

    async def _send(self, row: dict) -> None:
        channel = self.channels.get(row["channel"])
        extra = {"case_no": row["case_no"], "channel": row["channel"]}
        try:
            if channel is None:
                raise DeliveryError(f"渠道 {row['channel']} 未启用", permanent=True)
            subject, text = self.templates.render(row["event"], row["channel"], row["context"])
            message = Outbound(id=row["id"], channel=row["channel"], contact_id=row["contact_id"],
                               case_no=row["case_no"], event=row["event"], subject=subject,
                               text=text, context=row["context"], attempts=row["attempts"])
            async with asyncio.timeout(self.timeout_s):
                await channel.deliver(message)
        except Exception as exc:  # any failure of a channel is retried or recorded, never lost
            permanent = isinstance(exc, DeliveryError) and exc.permanent
            attempts = row["attempts"] + 1
            reason = f"{type(exc).__name__}: {exc}"[:500]
            if permanent or attempts >= self.max_attempts:
                await self.outbox.mark(row["id"], "failed", error=reason)
                self.metrics.notifications.labels(row["channel"], "failed").inc()
                log.warning("answer back given up: %s", reason, extra=extra)
            else:
                pause = min(self.first_retry_s * 2 ** (attempts - 1), 3600)
                await self.outbox.mark(row["id"], "pending", error=reason,
                                       next_attempt_at=iso(now() + timedelta(seconds=pause)))
                due = asyncio.get_running_loop().time() + pause + 0.02  # clocks apart
                self._soonest_retry = min(self._soonest_retry, due)
                self.metrics.notifications.labels(row["channel"], "retry").inc()
                log.info("answer back will be retried in %.0f s: %s", pause, reason, extra=extra)
            return
        await self.outbox.mark(row["id"], "sent")
        self.metrics.notifications.labels(row["channel"], "sent").inc()
