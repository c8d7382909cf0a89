"""Historical replay (`run.py replay --channel board FILE.jsonl`): messages with their own
times fed through the gateway's intake path — the same `submit` every channel calls, with
the full application started (storage, stages, cases, hot-issue view) — so months of real
traffic can be looked at as hot issues. The channel module converts each line
(channels.board.to_intake); a line that is not a message is reported and skipped."""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import orjson
from aiohttp import web

from gateway.appkeys import HOTSPOTS, SERVICE
from gateway.models import Intake

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
                 *, top: int = 10) -> ReplayResult:
    """Start `app`, submit every message of `path`, wait for the hot-issue view, stop."""
    runner = web.AppRunner(app)
    await runner.setup()
    result = ReplayResult()
    try:
        service = app[SERVICE]
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(intake: Intake) -> None:
            try:
                answer = await service.submit(intake)
            finally:
                gate.release()
            result.outcomes["repeated" if answer.repeated else answer.outcome] += 1

        started = time.perf_counter()
        tasks = []
        for intake in read_lines(path, convert, result.bad_lines):
            await gate.acquire()
            result.messages += 1
            result.first = min(result.first or intake.received_at, intake.received_at)
            result.last = max(result.last or intake.received_at, intake.received_at)
            tasks.append(asyncio.create_task(one(intake)))
        await asyncio.gather(*tasks)
        await app[HOTSPOTS].settled()
        result.seconds = time.perf_counter() - started
        if result.first is not None:  # over the file's whole span, with each issue's reports
            result.top = app[HOTSPOTS].issues.top(result.first, result.last + timedelta(seconds=1), top)
    finally:
        await runner.cleanup()
    return result
