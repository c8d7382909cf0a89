"""Webhook latency of POST /hooks/hotline without transcription: each call sends call.new,
call.answered, transcript.ready (which files the held ticket) and call.hangup, signed, over
a real socket to the gateway (`run.py` in its own process, default configuration with the
hotline on, a SQLite file). Prints p50/p99 per event kind.

    .venv/bin/python bench/hotline_bench.py --calls 300 --concurrency 8
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.intake_bench import free_port, start, stop, wait_ready
from channels.hotline import sign

SECRET = "bench-secret-bench-secret"
TEXTS = ["幸福路和建设路交叉口的路灯坏了", "小区门口垃圾好几天没人清理", "楼下饭店油烟太大",
         "建设路上有个井盖没了很危险", "工地晚上十一点还在施工很吵"]


async def main(calls: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "hotline.toml"
        config.write_text(f'[hotline]\nenabled = true\nsecret = "{SECRET}"\n', encoding="utf-8")
        port = free_port()
        gateway = start([sys.executable, "run.py", "--config", str(config), "--data-dir",
                         str(Path(tmp) / "data"), "--port", str(port)])
        try:
            await asyncio.to_thread(wait_ready, port)
            times, elapsed = await drive(f"http://127.0.0.1:{port}", calls, concurrency)
        finally:
            stop(gateway)
    report(times, elapsed, calls, concurrency)


async def drive(base: str, calls: int, concurrency: int) -> tuple[dict[str, list[float]], float]:
    times: dict[str, list[float]] = {}
    async with aiohttp.ClientSession(base) as http:
        async def post(event: dict) -> None:
            body = json.dumps(event, ensure_ascii=False).encode()
            stamp = str(int(time.time()))
            started = time.perf_counter()
            async with http.post("/hooks/hotline", data=body, headers={
                    "Content-Type": "application/json", "X-Hotline-Timestamp": stamp,
                    "X-Hotline-Signature": sign(SECRET, stamp, body)}) as resp:
                await resp.read()
                assert resp.status == 200, resp.status
            times.setdefault(event["event"], []).append(time.perf_counter() - started)

        async def call(i: int) -> None:
            cid = f"bench-{i}"
            await post({"event": "call.new", "call_id": cid, "caller": f"1380000{i:04d}", "called": "12345"})
            await post({"event": "call.answered", "call_id": cid, "seat_id": f"A{i % 20}"})
            await post({"event": "transcript.ready", "call_id": cid, "text": TEXTS[i % len(TEXTS)] + f"（{i}）"})
            await post({"event": "call.hangup", "call_id": cid, "cause": "normal"})

        for warm in range(5):
            await call(10_000 + warm)
        times.clear()
        queue = list(range(calls))

        async def worker() -> None:
            while queue:
                await call(queue.pop())

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return times, elapsed


def report(times: dict[str, list[float]], elapsed: float, calls: int, concurrency: int) -> None:
    every = [t for v in times.values() for t in v]
    print(f"{calls} calls ({len(every)} events), concurrency {concurrency}, {len(every) / elapsed:.0f} events/s")
    for name, values in [*sorted(times.items()), ("all", every)]:
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(f"  {name:17s} p50 {statistics.median(values) * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.concurrency))
