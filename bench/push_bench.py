"""Push delivery to a loopback receiver: end-to-end lag at a fixed rate of changes, and the
delivery throughput of a backlog, beside a plain aiohttp client posting the same documents
to the same receiver in the same run.

    .venv/bin/python bench/push_bench.py [--rate 500] [--duration 10] [--backlog 5000]

The gateway runs as deployed (run.py in its own process, synchronous=FULL) with the spine's
stages (bench/spine.toml: keyword rules, no registry, no duplicate check) and one push
subscription; the receiver (in this process) checks every signature and notes when each
case's first change arrives.

1. Lag: an open-loop generator files --rate reports/s for --duration seconds (each report
   is one change, "created"); lag = arrival at the receiver - the moment the gateway
   answered the report (its change was committed). Every change must arrive.
2. Throughput: the subscription is paused, --backlog reports are filed, it is resumed, and
   the time until the last one arrives gives changes/s. Baseline: this process POSTs the
   same number of documents (signed, 16 at a time) to the receiver itself.

With --log-cost N: what the change log costs the intake, as the gateway's CPU per report
with push off and with it on but the subscription paused (alternating, --rounds each).
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import orjson
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.intake_bench import free_port, start, stop, wait_ready

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SECRET = "push-bench-secret-0123456789"
TOKEN = "push-bench-token-0123456789"
PROBLEMS = ["苏州园小区3号楼楼下的路灯不亮了", "建国门内大街18号门口垃圾没人清",
            "东单北大街井盖没了很危险", "西总布小区2号楼晚上施工噪音扰民"]


class Receiver:
    def __init__(self):
        self.arrived: dict[str, float] = {}
        self.count = 0
        self.bad = 0
        self.changed = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), request.headers["X-Timestamp"].encode() + b"." + body,
                                        hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Signature", "")):
            self.bad += 1
            return web.Response(status=401)
        case_no = orjson.loads(body)["case_no"]
        self.arrived.setdefault(case_no, time.perf_counter())
        self.count += 1
        self.changed.set()
        return web.Response(status=200)


async def wait_for(receiver: Receiver, cases: set[str], timeout: float) -> float:
    deadline = time.perf_counter() + timeout
    while not cases <= receiver.arrived.keys():
        if time.perf_counter() > deadline:
            break
        receiver.changed.clear()
        try:
            async with asyncio.timeout(0.5):
                await receiver.changed.wait()
        except TimeoutError:
            pass
    return max((receiver.arrived.get(c, float("nan")) for c in cases), default=0.0)


async def post_reports(session, base: str, count: int, rate: float | None, prefix: str) -> dict[str, float]:
    """case_no -> when the gateway answered; at `rate` per second (open loop), or as fast
    as 64 connections go."""
    answered: dict[str, float] = {}
    gate = asyncio.Semaphore(64 if rate is None else 100000)
    begin = time.perf_counter() + 0.2

    async def one(i: int) -> None:
        if rate is not None:
            await asyncio.sleep(max(0.0, begin + i / rate - time.perf_counter()))
        async with gate:
            body = {"description": f"{PROBLEMS[i % len(PROBLEMS)]}（第{i}次反映）", "submission_token": f"{prefix}-{i:08d}"}
            async with session.post(f"{base}/api/v1/reports", json=body) as resp:
                data = await resp.json()
                if resp.status in (200, 201):
                    answered[data["case_no"]] = time.perf_counter()

    await asyncio.gather(*(one(i) for i in range(count)))
    return answered


async def baseline(url: str, docs: list[bytes]) -> float:
    """A plain signed POST of each document, 16 at a time: changes/s."""
    gate = asyncio.Semaphore(16)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=16)) as session:
        async def one(i: int, body: bytes) -> None:
            async with gate:
                ts = str(int(time.time()))
                sig = "sha256=" + hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
                async with session.post(url, data=body, headers={
                        "Content-Type": "application/json", "X-Timestamp": ts, "X-Signature": sig,
                        "Idempotency-Key": str(i), "X-Delivery-Attempt": "1"}) as resp:
                    await resp.read()
        started = time.perf_counter()
        await asyncio.gather(*(one(i, d) for i, d in enumerate(docs)))
        return len(docs) / (time.perf_counter() - started)


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


async def log_cost(reports: int, rounds: int) -> None:
    """The intake's CPU per report with push off, and on with the subscription paused (the
    change log is written, nothing sent), alternately, `rounds` times each."""
    results: dict[str, list[float]] = {"off": [], "on": []}
    for round_no in range(rounds):
        for mode in ("off", "on"):
            work = Path(tempfile.mkdtemp(prefix="push-cost-"))
            config = work / "config.toml"
            extra = ('[push]\nenabled = true\n[[push.subscriptions]]\nname = "idle"\n'
                     f'url = "http://127.0.0.1:9/hook"\nsecret = "{SECRET}"\n') if mode == "on" else ""
            config.write_text((ROOT / "bench" / "spine.toml").read_text(encoding="utf-8")
                              + '[logging]\nlevel = "WARNING"\n' + extra, encoding="utf-8")
            port = free_port()
            proc = start([PY, "run.py", "--config", str(config), "--port", str(port), "--data-dir",
                          str(work / "data")], env={**os.environ, "GATEWAY_CORE_TOKEN": TOKEN})
            try:
                await asyncio.to_thread(wait_ready, port)
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256)) as session:
                    if mode == "on":
                        async with session.post(f"http://127.0.0.1:{port}/api/v1/subscriptions/idle/pause",
                                                headers={"Authorization": f"Bearer {TOKEN}"}) as resp:
                            assert resp.status == 200
                    await post_reports(session, f"http://127.0.0.1:{port}", 500, None, "warm")
                    before = cpu_s(proc.pid)
                    answered = await post_reports(session, f"http://127.0.0.1:{port}", reports, None, f"c{round_no}")
                    results[mode].append((cpu_s(proc.pid) - before) / len(answered))
            finally:
                stop(proc)
                shutil.rmtree(work, ignore_errors=True)
    off, on = sorted(results["off"]), sorted(results["on"])
    print(f"intake CPU per report (gateway process), {reports} reports x {rounds}: push off "
          f"{' '.join(f'{v * 1e6:.0f}' for v in off)} µs, on (log only) {' '.join(f'{v * 1e6:.0f}' for v in on)} µs;"
          f" medians {off[len(off) // 2] * 1e6:.0f} / {on[len(on) // 2] * 1e6:.0f} µs,"
          f" ratio {on[len(on) // 2] / off[len(off) // 2]:.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--backlog", type=int, default=5000)
    parser.add_argument("--log-cost", type=int, default=0, metavar="N",
                        help="instead: the intake's CPU per report with the change log off and on (N reports)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.log_cost:
        await log_cost(args.log_cost, args.rounds)
        return

    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    hook_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", hook_port).start()
    hook = f"http://127.0.0.1:{hook_port}/hook"

    work = Path(tempfile.mkdtemp(prefix="push-bench-"))
    config = work / "config.toml"
    config.write_text((ROOT / "bench" / "spine.toml").read_text(encoding="utf-8") + f"""
[logging]
level = "WARNING"
[push]
enabled = true
[[push.subscriptions]]
name = "bench"
url = "{hook}"
secret = "{SECRET}"
""", encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start([PY, "run.py", "--config", str(config), "--port", str(port), "--data-dir", str(work / "data")],
                 env={**os.environ, "GATEWAY_CORE_TOKEN": TOKEN})
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        await asyncio.to_thread(wait_ready, port)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256)) as session:
            # 1. lag at a fixed rate
            count = int(args.rate * args.duration)
            answered = await post_reports(session, base, count, args.rate, "lag")
            last = await wait_for(receiver, set(answered), timeout=120)
            lags = [receiver.arrived[c] - t for c, t in answered.items() if c in receiver.arrived]
            missing = len(set(answered) - receiver.arrived.keys())
            first = min(receiver.arrived[c] for c in answered if c in receiver.arrived)
            print(f"lag at {args.rate:.0f} changes/s for {args.duration:.0f} s: {len(answered)} filed, "
                  f"{len(answered) - missing} delivered, {missing} missing, {receiver.bad} bad signatures")
            print(f"  delivered at {len(lags) / (last - first):.0f} changes/s; lag (answer -> receiver) "
                  f"p50 {percentile(lags, 0.5):.1f} ms, p99 {percentile(lags, 0.99):.1f} ms, max {max(lags) * 1000:.1f} ms")

            # 2. throughput of a backlog
            async with session.post(f"{base}/api/v1/subscriptions/bench/pause", headers=headers) as resp:
                assert resp.status == 200
            backlog = await post_reports(session, base, args.backlog, None, "backlog")
            await asyncio.sleep(0.5)
            before = receiver.count
            cpu_before = cpu_s(proc.pid)
            started = time.perf_counter()
            async with session.post(f"{base}/api/v1/subscriptions/bench/resume", headers=headers) as resp:
                assert resp.status == 200
            last = await wait_for(receiver, set(backlog), timeout=300)
            rate = (receiver.count - before) / (last - started)
            cpu_per_change = (cpu_s(proc.pid) - cpu_before) / max(1, receiver.count - before)
            missing = len(set(backlog) - receiver.arrived.keys())
            async with session.get(f"{base}/api/v1/workorders?cursor=0&limit=200", headers=headers) as resp:
                docs = [orjson.dumps(d) for d in (await resp.json())["items"]]
        docs = (docs * (args.backlog // max(1, len(docs)) + 1))[:args.backlog]
        bare = await baseline(hook, docs)
        print(f"backlog of {args.backlog}: delivered {args.backlog - missing} in {last - started:.2f} s = "
              f"{rate:.0f} changes/s; plain aiohttp client to the same receiver {bare:.0f} posts/s; "
              f"ratio {rate / bare:.2f}; the gateway's CPU per change delivered {cpu_per_change * 1e6:.0f} µs")
    finally:
        stop(proc)
        await runner.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
