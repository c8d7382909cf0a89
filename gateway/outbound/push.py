"""Push delivery: every change in the feed POSTed to each subscriber that asked for its kind.

One worker per subscription (so a receiver that is down never delays another, nor the
intake, which only writes the change log). A worker reads the log after its cursor in
batches; within a batch each case's events go in order, one at a time, and up to
`concurrency` cases at once; the cursor moves (durably) once the whole batch is delivered
or dead-lettered. A crash mid-batch sends the batch again: at least once, duplicates only
as the same event (same idempotency key) again.

A failed attempt (a connection error, a time-out, any answer but 2xx) is retried after an
exponential pause with jitter; its count is kept in the database, so the attempt number
goes on after a restart. After `max_attempts` the event is a dead letter, and so is every
later event of that case for that subscriber until an administrator replays them (order
per case holds). Consecutive failures open the subscriber's circuit: nothing is sent for
`circuit_open_s` (doubling while it stays down), then one probe.

With several nodes over one database every node runs the workers, but a subscription is
sent to by one node at a time: the one that holds it (a hold in the database for
`[store].claim_s`, renewed while it sends; gateway.store.push `hold`). The others look
every `idle_s` and take it over, from its stored cursor, when the holder stops or dies
and its hold runs out; so a subscriber still gets each case's events in order."""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime

import aiohttp
import orjson

from gateway.cases.workorders import CHANGE_KINDS as DEFAULT_EVENTS
from gateway.errors import StorageUnavailable
from gateway.metrics import Metrics
from gateway.models import now
from gateway.store.push import PushRecords

log = logging.getLogger("gateway.push")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Signature: "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class Circuit:
    """Stops sending to a receiver that keeps failing: open after `threshold` consecutive
    failures for `open_s` (doubling up to `max_open_s` while probes fail), then one probe."""

    def __init__(self, threshold: int, open_s: float, max_open_s: float):
        self.threshold = threshold
        self.base_open_s = open_s
        self.max_open_s = max_open_s
        self.failures = 0
        self.open_s = open_s
        self.open_until = 0.0
        self._probe = asyncio.Lock()

    @property
    def state(self) -> str:
        if self.failures < self.threshold:
            return "closed"
        return "open" if time.monotonic() < self.open_until else "half_open"

    @contextlib.asynccontextmanager
    async def attempt(self):
        """Wait until an attempt may be made; while the circuit is not closed, attempts go
        one at a time (the probe)."""
        while self.state == "open":
            await asyncio.sleep(max(0.01, self.open_until - time.monotonic()))
        if self.state == "closed":
            yield
            return
        async with self._probe:
            while self.state == "open":  # another probe failed meanwhile
                await asyncio.sleep(max(0.01, self.open_until - time.monotonic()))
            yield

    def succeeded(self) -> None:
        self.failures = 0
        self.open_s = self.base_open_s

    def failed(self) -> None:
        self.failures += 1
        if self.failures == self.threshold:
            self.open_until = time.monotonic() + self.open_s
        elif self.failures > self.threshold:  # a probe failed
            self.open_s = min(self.open_s * 2, self.max_open_s)
            self.open_until = time.monotonic() + self.open_s


class LostHold(Exception):
    """Another node took the subscription over (this node's hold ran out): stop sending."""


class AttemptFailed(Exception):
    def __init__(self, reason: str, receiver_up: bool = False):
        super().__init__(reason)
        self.receiver_up = receiver_up  # it answered 4xx: the event, not the receiver, is at fault


@dataclass
class Subscriber:
    """A subscription's worker."""

    sub: dict
    records: PushRecords
    settings: object
    metrics: Metrics
    session: aiohttp.ClientSession
    node: str = ""  # this node, as it holds subscriptions (several nodes)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    parked: set[str] = field(default_factory=set)  # cases with dead letters: later events wait
    delivered: int = 0
    last_error: str = ""
    _advancing: asyncio.Future | None = None
    holding: bool = False  # this node holds the subscription (always, on one node)
    _held_at: float = 0.0

    def __post_init__(self):
        s = self.settings
        self.circuit = Circuit(s.circuit_failures, s.circuit_open_s, s.circuit_max_open_s)
        self.name = self.sub["name"]

    async def run(self) -> None:
        self.parked = await self.records.parked_cases(self.sub["id"])
        while True:
            self.wake.clear()  # before looking: a change committed meanwhile sets it again
            try:
                worked = await self._hold() and await self.round()
            except LostHold:
                log.info("push %s: another node took the subscription over", self.name)
                self.holding = False
                worked = False
            except StorageUnavailable as exc:
                log.warning("push %s: storage unavailable: %s", self.name, exc)
                worked = False
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("push %s: round failed", self.name)
                worked = False
            if not worked:
                if self._advancing is not None:
                    with contextlib.suppress(Exception):
                        await self._advancing
                    self._advancing = None
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.settings.idle_s):
                        await self.wake.wait()

    async def _hold(self) -> bool:
        """Take or keep the subscription (several nodes); False while another node has it.
        Taken over from another node: its cursor and dead letters as that node left them."""
        if not self.records.shared:
            self.holding = True
            return True
        row = await self.records.hold(self.sub["id"], self.node)
        if row is None:
            self.holding = False
            return False
        if not self.holding:
            if self._advancing is not None:
                with contextlib.suppress(Exception):
                    await self._advancing
                self._advancing = None
            self.sub.update(cursor=row["cursor"], paused=row["paused"])
            self.parked = await self.records.parked_cases(self.sub["id"])
        self.holding, self._held_at = True, time.monotonic()
        return True

    async def _still_held(self) -> None:
        """Before each attempt: renew the hold when a third of it has gone; LostHold when
        another node has taken the subscription meanwhile."""
        if not self.records.shared:
            return
        if not self.holding:
            raise LostHold()
        if time.monotonic() - self._held_at > self.records.store.claim_s / 3:
            row = await self.records.hold(self.sub["id"], self.node)
            if row is None:
                self.holding = False
                raise LostHold()
            self._held_at = time.monotonic()

    async def round(self) -> bool:
        """Send what is due: dead letters an administrator asked to replay, then the next
        batch of the log. False when there was nothing to send."""
        if self.sub["paused"]:
            return False
        replays = await self.records.dead_letters(self.sub["id"], limit=self.settings.batch, with_doc=True,
                                                  replay_only=True)
        if replays:
            await self._send_batch(replays, replay=True)
            return True
        last = await self.records.last_seq()
        events = await self.records.events_after(self.sub["cursor"], self.sub["events"], self.settings.batch)
        if events:
            await self._send_batch(events, replay=False)
        # A batch that is not full holds every wanted change up to `last`: the changes of
        # other kinds up to there are passed too (so the log can be trimmed behind them).
        end = events[-1]["seq"] if len(events) == self.settings.batch else max([last, *(e["seq"] for e in events[-1:])])
        if end > self.sub["cursor"]:
            self.sub["cursor"] = end
            # Stored while the next batch goes out (writes are applied in order); a crash
            # before it commits sends this batch again, with the same keys.
            if self._advancing is not None:
                await self._advancing
            self._advancing = asyncio.ensure_future(self.records.advance(self.sub["id"], end))
        return bool(events)

    async def _send_batch(self, events: list[dict], replay: bool) -> None:
        by_case: dict[str, list[dict]] = {}
        for event in events:
            by_case.setdefault(event["case_no"], []).append(event)
        if replay:
            attempts = {e["seq"]: e["attempts"] for e in events}
        else:
            attempts = await self.records.attempts(self.sub["id"], [e["seq"] for e in events])
        gate = asyncio.Semaphore(self.settings.concurrency)

        async def lane(case_events: list[dict]) -> None:
            async with gate:
                for index, event in enumerate(case_events):
                    if not await self._deliver(event, attempts.get(event["seq"], 0), replay):
                        for later in case_events[index + 1:]:  # they wait behind it again
                            await self.records.bury(self.sub["id"], later, attempts.get(later["seq"], 0),
                                                    "等待本工单之前的死信重放")
                        return

        await asyncio.gather(*(lane(group) for group in by_case.values()))

    async def _deliver(self, event: dict, failed_before: int, replay: bool) -> bool:
        """Send one event until it is delivered (True) or dead-lettered (False). A replayed
        dead letter gets max_attempts more attempts."""
        sub_id, case_no = self.sub["id"], event["case_no"]
        if not replay and case_no in self.parked:
            # An earlier event of this case is a dead letter: this one waits beside it.
            await self.records.bury(sub_id, event, failed_before, "等待本工单之前的死信重放")
            self.metrics.push_deliveries.labels(self.name, "parked").inc()
            return False
        limit = (failed_before if replay else 0) + self.settings.max_attempts
        attempt = failed_before
        while True:
            attempt += 1
            await self._still_held()
            try:
                async with self.circuit.attempt():
                    await self._post(event, attempt)
                    self.circuit.succeeded()
            except AttemptFailed as exc:
                if not exc.receiver_up:
                    self.circuit.failed()
                self.last_error = str(exc)
                if attempt >= limit:
                    await self.records.bury(sub_id, event, attempt, str(exc))
                    self.parked.add(case_no)
                    self.metrics.push_deliveries.labels(self.name, "dead").inc()
                    log.warning("push %s: event %s of %s is a dead letter after %d attempts: %s",
                                self.name, event["seq"], case_no, attempt, exc)
                    return False
                await self.records.failed(sub_id, event["seq"], attempt, str(exc))
                self.metrics.push_deliveries.labels(self.name, "retry").inc()
                await asyncio.sleep(self.backoff(attempt))
                continue
            if attempt > 1 or replay:
                await self.records.delivered(sub_id, event["seq"], retried=attempt > 1, dead=replay)
            self.delivered += 1
            self.metrics.push_deliveries.labels(self.name, "delivered").inc()
            if replay and not await self.records.dead_letters(sub_id, case_no, limit=1):
                self.parked.discard(case_no)
            return True

    def backoff(self, attempt: int) -> float:
        """Exponential, capped, with jitter (half the pause fixed, half random)."""
        pause = min(self.settings.first_retry_s * 2 ** (attempt - 1), self.settings.max_retry_s)
        return pause / 2 + random.uniform(0, pause / 2)

    async def _post(self, event: dict, attempt: int) -> None:
        body = event["doc"].encode() if isinstance(event["doc"], str) else orjson.dumps(event["doc"])
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Timestamp": timestamp,
            "X-Signature": signature(self.sub["secret"], timestamp, body),
            "Idempotency-Key": str(event["seq"]),
            "X-Delivery-Attempt": str(attempt),
            "X-Event": event["event"],
            "X-Case-No": event["case_no"],
            "X-Subscription": self.name,
        }
        try:
            async with self.session.post(self.sub["url"], data=body, headers=headers,
                                         timeout=aiohttp.ClientTimeout(total=self.settings.timeout_s),
                                         allow_redirects=False) as resp:
                await resp.read()
                if 200 <= resp.status < 300:
                    return
                up = 400 <= resp.status < 500 and resp.status not in (408, 429)
                raise AttemptFailed(f"HTTP {resp.status}", receiver_up=up)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise AttemptFailed(f"{type(exc).__name__}: {exc}"[:300]) from None


class PushDelivery:
    """The subscribers' workers, started and stopped as subscriptions come and go."""

    def __init__(self, records: PushRecords, settings, metrics: Metrics):
        self.records = records
        self.settings = settings
        self.metrics = metrics
        self.subscribers: dict[str, Subscriber] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self.session: aiohttp.ClientSession | None = None
        self.node = secrets.token_hex(8)  # how this node holds subscriptions (several nodes)

    async def start(self) -> None:
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit_per_host=max(4, self.settings.concurrency)))
        for sub in self.settings.subscriptions:
            await self.records.add(sub["name"], sub["url"], sub["secret"],
                                   list(sub.get("events", DEFAULT_EVENTS)), source="config", replace=True,
                                   from_seq=0)
        for sub in await self.records.subscriptions():
            self._start(sub)

    def _start(self, sub: dict) -> None:
        old = self._tasks.pop(sub["name"], None)
        if old is not None:
            old.cancel()
        subscriber = Subscriber(sub, self.records, self.settings, self.metrics, self.session, node=self.node)
        self.subscribers[sub["name"]] = subscriber
        self._tasks[sub["name"]] = asyncio.create_task(subscriber.run(), name=f"push-{sub['name']}")

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.records.shared:  # the other nodes take over at once, not when the holds run out
            with contextlib.suppress(StorageUnavailable):
                await self.records.let_go(self.node)
        if self.session is not None:
            await self.session.close()

    def wake(self) -> None:
        """A commit logged changes: every worker looks now."""
        for subscriber in self.subscribers.values():
            subscriber.wake.set()

    async def add(self, name: str, url: str, secret: str, events: list[str], from_seq: int | None) -> dict:
        sub = await self.records.add(name, url, secret, events, source="api", from_seq=from_seq)
        self._start(sub)
        return sub

    async def set_paused(self, name: str, paused: bool) -> dict:
        sub = await self.records.set_paused(name, paused)
        subscriber = self.subscribers.get(name)
        if subscriber is not None:
            subscriber.sub["paused"] = paused
            subscriber.wake.set()
        return sub

    async def replay(self, name: str, case_no: str = "") -> int:
        sub = await self.records.subscription(name)
        count = await self.records.replay(sub["id"], case_no)
        if name in self.subscribers:
            self.subscribers[name].wake.set()
        return count

    async def status(self) -> list[dict]:
        """Each subscription as an administrator sees it (the secret never shown)."""
        last = await self.records.last_seq()
        dead = await self.records.count_dead()
        out = []
        for sub in await self.records.subscriptions():
            worker = self.subscribers.get(sub["name"])
            out.append({
                "name": sub["name"], "url": sub["url"], "events": sub["events"], "paused": sub["paused"],
                "source": sub["source"], "cursor": sub["cursor"], "lag": max(0, last - sub["cursor"]),
                "circuit": worker.circuit.state if worker else "closed",
                "dead_letters": dead.get(sub["id"], 0),
                "last_error": worker.last_error if worker else "",
                "created_at": sub["created_at"],
            })
        return out

    async def export_metrics(self) -> None:
        for entry in await self.status():
            self.metrics.push_lag.labels(entry["name"]).set(entry["lag"])
            oldest = await self.records.oldest_after(entry["cursor"])
            behind = (now() - datetime.fromisoformat(oldest)).total_seconds() if oldest else 0.0
            self.metrics.push_lag_seconds.labels(entry["name"]).set(max(0.0, behind))
            self.metrics.push_dead_letters.labels(entry["name"]).set(entry["dead_letters"])

