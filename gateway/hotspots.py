"""The hot-issue view (热点) in the gateway: every filed report goes to the pure grouping
(classifiers.hotspots) in the background, so intake never waits for it; at start-up the view
is rebuilt from the stored reports of the last `keep_days`; with several nodes over
one database, the reports filed on the others come in through the change feed (`follow`).
Answers /api/v1/hotspots, the console's panel, the Prometheus gauges and the monthly report."""
from __future__ import annotations

import asyncio
import logging
import re
import time
from datetime import datetime, timedelta

from classifiers.hotspots.grouping import HotIssues, Report
from classifiers.hotspots.settings import HotspotSettings
from gateway.errors import ValidationError
from gateway.models import Intake, StageResults, contact_key, intake_from_plain, iso, now, to_plain

log = logging.getLogger("gateway.hotspots")
_WINDOW = re.compile(r"^([1-9]\d{0,3})([hdw])$")
_UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}
MAX_WINDOW = timedelta(days=9999)
BATCH = 8  # reports indexed per loop turn: a short pause for the requests waiting


def parse_window(value: str | None, default: str = "7d") -> timedelta:
    """"7d", "24h", "4w" → a timedelta; ValidationError (400) otherwise."""
    raw = default if value is None else value
    match = _WINDOW.match(raw)
    span = timedelta(hours=int(match.group(1)) * _UNIT_HOURS[match.group(2)]) if match else None
    if span is None or not timedelta(0) < span <= MAX_WINDOW:
        raise ValidationError("window", f"参数 window 须为 1–9999 天的时长，如 7d、24h、4w，收到 '{raw}'")
    return span


def parse_until(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("until", f"参数 until 须为 ISO 8601 时间，如 2026-11-30T24:00:00+08:00，收到 '{value}'") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now().tzinfo)
    if not 1900 <= moment.year <= 2999:
        raise ValidationError("until", f"参数 until 须在 1900–2999 年之间，收到 '{value}'")
    return moment


def report_of(intake: Intake, stages: dict, case_no: str) -> Report:
    """What the grouping needs of one filed report (`stages`: the stage results, plain)."""
    reporter = intake.reporter
    who = (contact_key(reporter.contact_channel, reporter.contact_id) if reporter.contact_id
           else f"phone:{reporter.phone}" if reporter.phone else "")
    cls = stages.get("classification") or {}
    loc = stages.get("location") or {}
    engagement = intake.engagement or {}
    return Report(id=f"{intake.channel}:{intake.external_id}", at=intake.received_at,
                  title=intake.title, text=intake.text, case_no=case_no, reporter=who,
                  category_code=cls.get("code", ""), category_name=cls.get("name", ""),
                  place=loc.get("place") or {}, address=loc.get("address", "") or intake.address,
                  likes=int(engagement.get("likes", 0)) + int(engagement.get("joins", 0)),
                  channel=intake.channel)


class HotspotView:
    def __init__(self, settings: HotspotSettings):
        self.settings = settings
        self.issues = HotIssues(settings)
        self._queue: asyncio.Queue[Report] = asyncio.Queue()
        self._idle = asyncio.Event()
        self._idle.set()
        self._rebuilt = asyncio.Event()  # set once the stored reports are in (or failed)

    def filed(self, intake: Intake, stages: StageResults, case_no: str) -> None:
        """A report was filed (new case or joined): queue it for the view."""
        if self.settings.enabled:
            self._idle.clear()
            self._queue.put_nowait(report_of(intake, to_plain(stages), case_no))

    async def follow(self, store, changed: list[dict]) -> None:
        """Cases changed on any node (a page of the change feed, where several nodes share
        the database): their filed reports this view lacks are queued, so it counts the
        reports filed on every node. (Held cases come in when they enter the feed.)"""
        if not self.settings.enabled or not changed:
            return
        rows = await store.filed_reports_of(sorted({doc["case_no"] for doc in changed}))
        for row in rows:
            report = report_of(intake_from_plain(row["payload"]), row["stages"], row["case_no"])
            if report.id not in self.issues.entries:
                self._idle.clear()
                self._queue.put_nowait(report)

    async def rebuild(self, store) -> int:
        """Index the stored reports of the last `keep_days` (at start-up)."""
        try:
            if not self.settings.enabled:
                return 0
            newest = await store.newest_filed()
            if newest is None:
                return 0
            # As the view keeps them: `keep_days` before the newest report (a replayed
            # history is kept whatever its age).
            since = iso(datetime.fromisoformat(newest) - timedelta(days=self.settings.keep_days))
            rows = await store.filed_reports(since)
            for i, row in enumerate(rows):
                self.issues.add(report_of(intake_from_plain(row["payload"]), row["stages"], row["case_no"]))
                if i % BATCH == BATCH - 1:
                    await asyncio.sleep(0)  # the loop serves requests meanwhile
            return len(rows)
        finally:
            self._rebuilt.set()

    async def run(self) -> None:
        """The background worker: index queued reports, a batch per loop turn, resting
        between batches so that it takes at most `loop_share` of the loop while a backlog
        lasts (the view may lag a burst; the intake does not)."""
        rest = (1 - self.settings.loop_share) / self.settings.loop_share
        while True:
            report = await self._queue.get()
            started = time.perf_counter()
            self.issues.add(report)
            for _ in range(BATCH - 1):
                if self._queue.empty():
                    break
                self.issues.add(self._queue.get_nowait())
            if self._queue.empty():
                self._idle.set()
            # Rest even when nothing waits: under a steady stream each report would otherwise
            # be indexed as it arrives, in batches of one, and the share would not hold.
            await asyncio.sleep((time.perf_counter() - started) * rest)

    async def settled(self) -> None:
        """Wait until the stored reports and every queued report are in the view."""
        await self._rebuilt.wait()
        await self._idle.wait()

    async def expire(self) -> int:
        return self.issues.expire()

    def top(self, window: timedelta, limit: int, until: datetime | None = None) -> dict:
        until = until or now()
        since = until - window
        issues = self.issues.top(since, until, limit)
        for issue in issues:
            issue.pop("report_ids", None)
        return {"since": iso(since), "until": iso(until), "items": issues}

    def members(self, window: timedelta, limit: int, until: datetime) -> list[dict]:
        """As `top`, with each issue's reports (the monthly report)."""
        issues = self.issues.top(until - window, until, limit)
        for issue in issues:
            issue["report_list"] = [self.issues.entries[r].report for r in issue.pop("report_ids")]
        return issues
