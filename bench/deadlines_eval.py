"""The on-time share on a replayed stream: the 4,260 real board messages
(../shared/data/tipdm2020c/hotissues.jsonl) replayed with their own times through the
intake path, with a **simulated** status history (the board has none), then
`GET /api/v1/figures/deadlines` read over HTTP and checked against a count made here.

    .venv/bin/python bench/deadlines_eval.py           # figures (seed 14)
    .venv/bin/python bench/deadlines_eval.py --seed 7  # another draw of the same model

The status model (seeded, the same for every message, knowing nothing of its category or
time limit), in working time — business hours of time_limits.toml on China's working
days:
* 2 % are never dispatched; the rest are dispatched after a lognormal delay, median
  1.5 working hours (σ 1.0: ~90 % within 5.4 h, a few after days);
* of those dispatched, 6 % are never resolved; the rest are resolved a lognormal spread of
  working days after dispatch, median 3 (σ 0.9);
* 5 % wait for the citizen on the way (the clock paused, median 1 working day, σ 0.6),
  which delays the resolution by as much;
* 4 % of the resolved are reopened (dispatched again) one working day later and resolved
  again after a median 2 working days;
* 80 % of the finally resolved are closed 2 working days later.

The independent count uses the work orders' category, grid, tier limit and unit as read
from the feed (the gateway's choices), and computes everything else itself: the start
(the message's time, read from the file here), the due time with the pause added, from
chinese-calendar and the business hours directly (not the gateway's calendar code), the
outcome of each case from the model's own events (late when resolved after the due time or
still open past it), the medians. A history line for a message that joined another case is
skipped by the replay (its case's history is the first report's), and not counted here."""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time as timer
import tomllib
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import aiohttp
import chinese_calendar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from channels import board  # noqa: E402
from gateway import settings as settings_module  # noqa: E402
from gateway.app import create_app  # noqa: E402
from gateway.appkeys import CORE_TOKEN  # noqa: E402
from gateway.cases import deadlines  # noqa: E402
from gateway.replay import replay  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "tipdm2020c" / "hotissues.jsonl"
CST = timezone(timedelta(hours=8))
NOW = datetime.now(CST)


# -- working time, computed here from chinese-calendar ----------------------------------

class WorkingTime:
    def __init__(self, limits_file: Path):
        spans = tomllib.loads(limits_file.read_text(encoding="utf-8"))["business_hours"]
        self.periods = [tuple(time.fromisoformat(t) for t in s.split("-")) for s in spans]
        self.day_hours = sum((datetime.combine(date.min, b) - datetime.combine(date.min, a)).seconds / 3600
                             for a, b in self.periods)
        self._workday: dict[date, bool] = {}

    def workday(self, day: date) -> bool:
        if day not in self._workday:
            self._workday[day] = chinese_calendar.is_workday(day)
        return self._workday[day]

    def periods_from(self, start: datetime):
        """(from, to) business periods from `start` on, clipped to it."""
        day = start.date()
        while True:
            if self.workday(day):
                for a, b in self.periods:
                    lo, hi = datetime.combine(day, a, CST), datetime.combine(day, b, CST)
                    if hi > start:
                        yield max(lo, start), hi
            day += timedelta(days=1)

    def add(self, start: datetime, hours: float) -> datetime:
        left = hours * 3600
        for lo, hi in self.periods_from(start):
            span = (hi - lo).total_seconds()
            if left <= span:
                return lo + timedelta(seconds=left)
            left -= span
        raise AssertionError("unreachable")

    def between(self, start: datetime, end: datetime) -> float:
        total = 0.0
        for lo, hi in self.periods_from(start):
            if lo >= end:
                break
            total += (min(hi, end) - lo).total_seconds()
        return total / 3600


# -- the seeded status model ---------------------------------------------------------------

def model(messages: list[dict], wt: WorkingTime, seed: int) -> dict[str, list[dict]]:
    """Each message id → its status events (time, status or clock), in order."""
    rng = random.Random(seed)
    day = wt.day_hours
    history = {}
    for message in messages:
        start = board.posted_at(message["time"])
        events = []

        def at(offset_wh: float, start: datetime = start) -> datetime:
            return wt.add(start, offset_wh).replace(microsecond=0)

        if rng.random() < 0.02:  # never dispatched
            history[message["id"]] = events
            continue
        t = rng.lognormvariate(math.log(1.5), 1.0)
        events.append({"time": at(t), "status": "dispatched"})
        if rng.random() < 0.06:  # never resolved
            history[message["id"]] = events
            continue
        work = rng.lognormvariate(math.log(3), 0.9) * day
        if rng.random() < 0.05:  # waits for the citizen on the way
            pause_at = t + 0.3 * work
            pause = rng.lognormvariate(math.log(1), 0.6) * day
            events += [{"time": at(pause_at), "clock": "pause"}, {"time": at(pause_at + pause), "clock": "resume"}]
            work += pause
        t += work
        events.append({"time": at(t), "status": "resolved"})
        if rng.random() < 0.04:  # the check finds it not done
            t += day
            events.append({"time": at(t), "status": "dispatched"})
            t += rng.lognormvariate(math.log(2), 0.6) * day
            events.append({"time": at(t), "status": "resolved"})
        if rng.random() < 0.8:
            events.append({"time": at(t + 2 * day), "status": "closed"})
        history[message["id"]] = [e for e in events if e["time"] <= NOW]
    return history


def write_history(history: dict[str, list[dict]], path: Path) -> int:
    lines = [json.dumps({"id": ref, **e, "time": e["time"].isoformat()}, ensure_ascii=False)
             for ref, events in history.items() for e in events]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


# -- the count made here -------------------------------------------------------------------

def expected(doc: dict, message: dict, events: list[dict], wt: WorkingTime) -> dict:
    """One case's outcome from the model's events and this module's calendar."""
    start = board.posted_at(message["time"])
    deadline = doc["deadline"]
    unit, limit = deadline["unit"], deadline["limit"]
    limit_h = limit * wt.day_hours if unit == "working_days" else limit
    span = wt.between if unit != "hours" else (lambda a, b: (b - a).total_seconds() / 3600)
    paused, pause_from, dispatched, stopped, status = 0.0, None, None, None, "confirmed"
    for event in events:
        if event.get("clock") == "pause":
            pause_from = event["time"]
        elif event.get("clock") == "resume":
            paused += span(pause_from, event["time"])
        else:
            status = event["status"]
            if status == "dispatched":
                dispatched = dispatched or event["time"]
                stopped = None
            elif status == "resolved" or (status == "closed" and stopped is None):
                stopped = event["time"]
    if unit == "hours":
        due = start + timedelta(hours=limit_h + paused)
    else:
        due = wt.add(start, limit_h + paused)
    if stopped is not None:
        outcome = "on_time" if stopped <= due else "late"
    elif due <= NOW:
        outcome = "open_overdue"
    else:
        outcome = None
    return {"start": start, "due": due, "dispatched": dispatched, "stopped": stopped, "outcome": outcome}


def count(rows: list[tuple[dict, dict]]) -> dict:
    def tally(items):
        on_time = sum(e["outcome"] == "on_time" for _, e in items)
        late = sum(e["outcome"] in ("late", "open_overdue") for _, e in items)
        open_overdue = sum(e["outcome"] == "open_overdue" for _, e in items)
        return {"on_time": on_time, "late": late, "open_overdue": open_overdue,
                "on_time_share": round(on_time / (on_time + late), 4) if on_time + late else None}

    def median(pairs):
        hours = [(b - a).total_seconds() / 3600 for a, b in pairs if b is not None]
        return round(statistics.median(hours), 2) if hours else None

    groups = {"category": defaultdict(list), "grid": defaultdict(list), "channel": defaultdict(list)}
    counted = [(d, e) for d, e in rows if e["outcome"] is not None]
    for doc, e in counted:
        path = doc["location"].get("grid_path") or []
        groups["category"][doc["category"].get("name") or "未分类"].append((doc, e))
        groups["grid"][path[-1]["name"] if path else "未定位"].append((doc, e))
        groups["channel"][doc["channel"]].append((doc, e))
    return {**tally(counted),
            "median_hours_to_dispatch": median([(e["start"], e["dispatched"]) for _, e in rows]),
            "median_hours_to_resolve": median([(e["start"], e["stopped"]) for _, e in rows]),
            **{f"by_{g}": {k: tally(v) for k, v in items.items()} for g, items in groups.items()}}


# -- the run ---------------------------------------------------------------------------------

async def read_gateway(settings, samples: int) -> tuple[dict, list[float], list[dict], list[dict]]:
    """Serve the replayed data over HTTP; read the figures (`samples` times), the feed, and
    the history of open overdue cases."""
    app = create_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    headers = {"Authorization": f"Bearer {app[CORE_TOKEN]}"}
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        async with aiohttp.ClientSession(headers=headers) as http:
            times, figures = [], None
            for _ in range(samples):
                started = timer.perf_counter()
                async with http.get(f"{base}/figures/deadlines") as resp:
                    assert resp.status == 200, await resp.text()
                    figures = await resp.json()
                times.append(timer.perf_counter() - started)
            docs, cursor = [], 0
            started = timer.perf_counter()
            while True:
                async with http.get(f"{base}/workorders", params={"cursor": cursor, "limit": 500}) as resp:
                    page = await resp.json()
                docs += page["items"]
                cursor = page["next_cursor"]
                if not page["has_more"]:
                    break
            times.append(timer.perf_counter() - started)  # the baseline: the same cases read as the feed
            overdue = [d for d in docs if d["deadline"]["state"] == "overdue"]
            histories = []
            for doc in random.Random(0).sample(overdue, min(200, len(overdue))):
                async with http.get(f"{base}/workorders/{doc['case_no']}") as resp:
                    histories.append(await resp.json())
    finally:
        await runner.cleanup()
    return figures, times, docs, histories


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--config", default=str(ROOT / "config.toml"))
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--samples", type=int, default=5, help="reads of the figures endpoint to time")
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()}")
    messages = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_id = {m["id"]: m for m in messages}
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_module.load(args.config, {"storage.data_dir": tmp})
        settings.pipeline.recovery_interval_s = 3600
        wt = WorkingTime(settings.project_path(settings.deadlines.time_limits))
        history = model(messages, wt, args.seed)
        history_file = Path(tmp) / "status-history.jsonl"
        lines = write_history(history, history_file)
        result = asyncio.run(replay(create_app(settings), args.data, board.to_intake, top=0,
                                    history=history_file))
        print(f"replay: {result.messages} messages {dict(result.outcomes)} in {result.seconds:.1f} s "
              f"({result.per_second:.0f}/s); status history: {lines} lines, {result.event_outcomes['applied']} "
              f"applied, {len(result.skipped_events)} skipped, {len(result.bad_events)} bad; "
              f"{result.marks} 80 %/overdue marks stamped; {result.history_seconds:.1f} s "
              f"({result.event_outcomes['applied'] / max(result.history_seconds, 1e-9):.0f} events/s "
              f"with the marks)")
        reasons = defaultdict(int)
        for _, why in result.skipped_events:
            reasons["joined another case" if "并入" in why else why[:60]] += 1
        print(f"skipped: {dict(reasons)}")
        figures, times, docs, histories = asyncio.run(read_gateway(settings, args.samples))
    print(f"load after: {os.getloadavg()}")

    # The count made here, over the cases the feed holds (not merged, not rejected).
    rows, due_off = [], 0
    for doc in docs:
        if doc["status"] in ("merged", "rejected"):
            continue
        e = expected(doc, by_id[doc["channel_ref"]], history.get(doc["channel_ref"], []), wt)
        if doc["due_at"] is None or abs((datetime.fromisoformat(doc["due_at"]) - e["due"]).total_seconds()) > 60:
            due_off += 1
        rows.append((doc, e))
    ours = count(rows)
    marks_right = sum(
        any(h["action"] == "deadline_overdue" and h["at"] == d["deadline"]["due_at"] for h in d["history"])
        for d in histories)

    keys = ("on_time", "late", "open_overdue", "on_time_share", "median_hours_to_dispatch", "median_hours_to_resolve")
    print(f"\n{len(rows)} cases from {result.messages} messages; due times differing from this count's "
          f"(> 1 min): {due_off}")
    print(f"{'':28s} {'endpoint':>12s} {'counted here':>12s}")
    for key in keys:
        print(f"{key:28s} {figures[key]!s:>12s} {ours[key]!s:>12s}")
    for group in ("by_category", "by_grid", "by_channel"):
        same = sum(figures[group].get(k) == v for k, v in ours[group].items())
        print(f"{group}: {same}/{len(ours[group])} groups identical (endpoint has {len(figures[group])})")
    dropping = figures["on_time"] / (figures["on_time"] + figures["late"] - figures["open_overdue"])
    print(f"\non-time share, open overdue counted late: {figures['on_time_share']:.3f} "
          f"({figures['on_time']} / {figures['on_time'] + figures['late']})")
    print(f"what a system that drops open overdue cases reports: {dropping:.3f} "
          f"({figures['on_time']} / {figures['on_time'] + figures['late'] - figures['open_overdue']})")
    print(f"median hours to dispatch {figures['median_hours_to_dispatch']}, to resolve "
          f"{figures['median_hours_to_resolve']}")
    print(f"overdue marks at the due time in the history of {marks_right}/{len(histories)} sampled open overdue cases")
    feed_s, times = times[-1], times[:-1]
    started = timer.process_time()
    deadlines.figures(docs, NOW)
    compute_s = timer.process_time() - started
    print(f"GET /api/v1/figures/deadlines over {len(rows)} cases: median {statistics.median(times) * 1000:.0f} ms "
          f"({', '.join(f'{t * 1000:.0f}' for t in times)} ms); the same cases read as the feed (500 a page) "
          f"in the same run: {feed_s * 1000:.0f} ms, ratio {statistics.median(times) / feed_s:.2f}; "
          f"the figures' arithmetic alone {compute_s * 1000:.0f} ms of CPU")
    top = sorted(figures["by_category"].items(), key=lambda kv: -(kv[1]["on_time"] + kv[1]["late"]))[:8]
    print("largest categories: " + "; ".join(
        f"{k} {v['on_time_share']} ({v['on_time'] + v['late']}, {v['open_overdue']} open overdue)" for k, v in top))
    agree = all(figures[k] == ours[k] for k in keys) and all(
        figures[g] == ours[g] for g in ("by_category", "by_grid", "by_channel")) and due_off == 0
    print("endpoint and independent count agree" if agree else "endpoint and independent count DIFFER")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
