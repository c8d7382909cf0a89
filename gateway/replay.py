"""Historical replay (`run.py replay --channel board FILE.jsonl [--history STATUS.jsonl]`):
messages with their own times fed through the gateway's intake path — the same `submit`
every channel calls, with the full application started (storage, stages, cases, hot-issue
view) — so months of real traffic can be looked at as hot issues. The channel module
converts each line (channels.board.to_intake); a line that is not a message is reported and
skipped.

Then the time limits, as they would have run: each replayed case's clock started at its
message's own time; the status history (gateway.status_history), if given, goes through
the case service's `change_status` / `clock_action` — the path the core platform's updates
take — each at its own time, and every 80 % and overdue mark crossed before an event (or
before the end of the replay) is stamped at the moment it was crossed. The wall-clock
sweeps wait meanwhile."""
from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import orjson
from aiohttp import web

from gateway.appkeys import CASES, HOTSPOTS, SERVICE
from gateway.cases.service import CaseService
from gateway.errors import Refusal
from gateway.models import ACCEPTED, ATTACHED, Intake, now
from gateway.status_history import StatusEvent, by_message, read_events

# Reports in flight at once: enough for the store's group commit to gather them.
CONCURRENCY = 32


@dataclass
class ReplayResult:
    messages: int = 0
    outcomes: Counter = field(default_factory=Counter)
    bad_lines: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0
    first: object = None
    last: object = None
    top: list[dict] = field(default_factory=list)
    case_of: dict[str, str] = field(default_factory=dict)  # message's external id → the case it is in
    attached: set[str] = field(default_factory=set)  # the messages that joined a case already open
    # The status history and the clocks (the second part of a replay).
    events: int = 0
    event_outcomes: Counter = field(default_factory=Counter)  # applied, skipped
    bad_events: list[tuple[int, str]] = field(default_factory=list)  # unreadable lines
    skipped_events: list[tuple[int, str]] = field(default_factory=list)  # refused or unplaced
    marks: int = 0  # 80 % and overdue stamps, each at the moment it was crossed
    history_seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def read_lines(path: Path, convert: Callable[[dict], Intake], bad: list) -> Iterable[Intake]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield convert(orjson.loads(line))
            except (orjson.JSONDecodeError, ValueError) as exc:
                bad.append((number, str(exc)))


async def replay(app: web.Application, path: Path, convert: Callable[[dict], Intake],
                 *, top: int = 10, history: Path | None = None) -> ReplayResult:
    """Start `app`, submit every message of `path`, wait for the hot-issue view, replay the
    status history (if any) and the clocks up to now, stop."""
    runner = web.AppRunner(app)
    await runner.setup()
    result = ReplayResult()
    cases: CaseService = app[CASES]
    cases.replaying += 1
    try:
        service = app[SERVICE]
        gate = asyncio.Semaphore(CONCURRENCY)
        filed: dict[str, tuple[str, str, datetime]] = {}  # message → case, outcome, its time
        channel = ""

        async def one(intake: Intake) -> None:
            try:
                answer = await service.submit(intake)
            finally:
                gate.release()
            result.outcomes["repeated" if answer.repeated else answer.outcome] += 1
            if answer.case_no:
                filed[intake.external_id] = (answer.case_no, answer.outcome, intake.received_at)
                result.case_of[intake.external_id] = answer.case_no
                if answer.outcome == ATTACHED:
                    result.attached.add(intake.external_id)

        started = time.perf_counter()
        tasks = []
        for intake in read_lines(path, convert, result.bad_lines):
            await gate.acquire()
            channel = intake.channel
            result.messages += 1
            result.first = min(result.first or intake.received_at, intake.received_at)
            result.last = max(result.last or intake.received_at, intake.received_at)
            tasks.append(asyncio.create_task(one(dataclasses.replace(intake, historical=True))))
        await asyncio.gather(*tasks)
        await app[HOTSPOTS].settled()
        result.seconds = time.perf_counter() - started
        if result.first is not None:  # over the file's whole span, with each issue's reports
            result.top = app[HOTSPOTS].issues.top(result.first, result.last + timedelta(seconds=1), top)

        started = time.perf_counter()
        events = read_events(history, result.bad_events) if history is not None else []
        await replay_history(cases, channel, filed, events, now(), result)
        result.history_seconds = time.perf_counter() - started
    finally:
        cases.replaying -= 1
        await runner.cleanup()
    return result


async def replay_history(cases: CaseService, channel: str,
                         filed: dict[str, tuple[str, str, datetime]],
                         events: Iterable[StatusEvent], until: datetime,
                         result: ReplayResult) -> None:
    """Each replayed case's events in time order, every mark crossed before an event
    stamped at its moment, then the marks up to `until`; the cases side by side."""
    grouped = by_message(events)
    timelines: dict[str, list[StatusEvent]] = {case_no: [] for case_no, _, _ in filed.values()}
    for ref, items in grouped.items():
        result.events += len(items)
        place = filed.get(ref)
        reason = ""
        if place is None:
            reason = f"回放中没有反映 {ref}"
        elif place[1] != ACCEPTED:
            reason = f"反映 {ref} 已并入工单 {place[0]}，其办理记录随该工单首条反映"
        if reason:
            result.skipped_events += [(e.line, reason) for e in items]
            continue
        timelines[place[0]] = items
    received = {case_no: at for case_no, outcome, at in filed.values() if outcome == ACCEPTED}
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(case_no: str, items: list[StatusEvent]) -> None:
        async with gate:
            for event in items:
                if case_no in received and event.at < received[case_no]:
                    result.skipped_events.append((event.line, f"时间 {event.at} 早于反映本身 {received[case_no]}"))
                    continue
                stamped = await cases.catch_up(case_no, event.at)
                result.marks += stamped
                if event.at > until:
                    result.skipped_events.append((event.line, f"时间 {event.at} 晚于现在"))
                    continue
                try:
                    await _apply(cases, case_no, event, channel)
                except Refusal as exc:
                    result.skipped_events.append((event.line, str(exc)))
                    continue
                result.event_outcomes["applied"] += 1  # or found already applied (update id)
            stamped = await cases.catch_up(case_no, until)
            result.marks += stamped

    await asyncio.gather(*(one(case_no, items) for case_no, items in timelines.items()))
    result.event_outcomes["skipped"] = len(result.skipped_events)


async def _apply(cases: CaseService, case_no: str, event: StatusEvent, channel: str) -> dict:
    update_id = event.update_id(channel)
    if event.clock:
        return await cases.clock_action(case_no, event.clock, note=event.note, update_id=update_id,
                                        actor="history", at=event.at)
    return await cases.change_status(case_no, event.status, note=event.note, department=event.department,
                                     update_id=update_id, actor="history", at=event.at)
