"""Sustained intake over HTTP with durable commits, against a bare aiohttp handler.

    .venv/bin/python bench/intake_bench.py [--duration 15] [--rate 500]

1. Peak throughput: wrk (C load generator, 2 threads, 64 connections) posts reports with
   unique submission tokens, first to a bare aiohttp JSON handler, then to the gateway
   (default config: synchronous=FULL, the full pipeline: classify, locate, check duplicates).
   Reports combine 16 problems with the sample registry's places (buildings, house
   numbers), so most are new cases and some join an open one, as in a real stream. The
   database is then checked: every 2xx answer is a stored report.
2. Latency at a fixed rate: an open-loop generator sends --rate reports/s for --duration
   seconds; latency is measured from each request's scheduled time, so a stall counts.
Needs wrk (apt-get install wrk).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PROBLEMS = ["苏州园小区3号楼楼下的路灯不亮了", "建国门内大街18号门口垃圾没人清",
            "东单北大街井盖没了很危险", "西总布小区2号楼晚上施工噪音扰民"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int, path: str = "/healthz", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                time.sleep(0.3)
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on {port} did not start")


def write_places() -> Path:
    """The places reports mention: compound buildings and house numbers of the registry."""
    sys.path.insert(0, str(ROOT))
    from classifiers.registry import load_registry

    places = []
    for grid in load_registry().grids.values():
        for compound in grid.compounds:
            places += [f"{compound.name}{b}号楼" for b in compound.buildings]
        for road in grid.roads:
            step = 2 if road.side in ("odd", "even") else 1
            places += [f"{road.name}{n}号" for n in range(road.lo, road.hi + 1, step)][:12]
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    path = out / "places.lua"
    path.write_text("PLACES = {\n" + "".join(f'  "{p}",\n' for p in places) + "}\n", encoding="utf-8")
    return path


def run_wrk(port: int, duration: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency",
         "-s", str(ROOT / "bench" / "wrk_report.lua"), f"http://127.0.0.1:{port}/api/v1/reports",
         "--", str(write_places())],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    return {"rps": rps, "total": total, "errors": int(non2xx.group(1)) if non2xx else 0, "p99_ms": p99_ms}


async def fixed_rate(port: int, rate: int, duration: int) -> dict:
    url = f"http://127.0.0.1:{port}/api/v1/reports"
    latencies: list[float] = []
    failures = 0
    count = rate * duration
    prefix = f"r{int(time.time())}"
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter() + 0.2

        async def one(i: int) -> None:
            nonlocal failures
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            body = {"description": f"{PROBLEMS[i % len(PROBLEMS)]}（第{i}次反映）",
                    "submission_token": f"{prefix}-{i:08d}"}
            try:
                async with session.post(url, json=body) as resp:
                    await resp.read()
                    if resp.status not in (200, 201):
                        failures += 1
            except aiohttp.ClientError:
                failures += 1
            latencies.append(time.perf_counter() - scheduled)

        await asyncio.gather(*(one(i) for i in range(count)))
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return {"sent": count, "failures": failures, "p50_ms": pick(0.50), "p99_ms": pick(0.99),
            "max_ms": latencies[-1] * 1000}


def start(cmd: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    port = free_port()
    bare = start([PY, "bench/bare_server.py", str(port)])
    try:
        wait_ready(port)
        bare_result = run_wrk(port, args.duration, args.connections)
    finally:
        stop(bare)

    print(f"machine: {os.cpu_count()} cores; durable commits (WAL, synchronous=FULL)")
    print(f"bare aiohttp JSON handler : {bare_result['rps']:8.0f} req/s  (p99 {bare_result['p99_ms']:.1f} ms)")
    for label, command in (
        ("spine stages (keyword rules, pass-through location, no duplicate check)",
         [PY, "bench/serve_spine.py"]),
        ("full pipeline (combined classifier, grid locator, duplicate index)", [PY, "run.py"]),
    ):
        measure(label, command, args, bare_result["rps"])


def measure(label: str, command: list[str], args: argparse.Namespace, bare_rps: float) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    env = {**os.environ, "GATEWAY_CORE_TOKEN": "bench-token-0123456789abcdef"}
    port = free_port()
    gw = start([*command, "--data-dir", str(data_dir), "--port", str(port)], env)
    try:
        wait_ready(port)
        peak = run_wrk(port, args.duration, args.connections)
        time.sleep(1)
        rate = asyncio.run(fixed_rate(port, args.rate, args.duration))
    finally:
        stop(gw)
    db = sqlite3.connect(data_dir / "gateway.sqlite3")
    stored = db.execute("SELECT count(*) FROM intakes WHERE state = 'done'").fetchone()[0]
    cases = db.execute("SELECT count(*) FROM workorders").fetchone()[0]
    sync = db.execute("PRAGMA synchronous").fetchone()[0]
    db.close()
    ok = peak["total"] - peak["errors"] + rate["sent"] - rate["failures"]
    shutil.rmtree(data_dir)

    print(f"\n{label}")
    print(f"  peak intake       : {peak['rps']:8.0f} reports/s  (p99 {peak['p99_ms']:.1f} ms, "
          f"{peak['errors']} non-2xx of {peak['total']})")
    print(f"  ratio to bare     : {peak['rps'] / bare_rps:.2f}")
    print(f"  at {args.rate} reports/s for {args.duration} s: p50 {rate['p50_ms']:.1f} ms, "
          f"p99 {rate['p99_ms']:.1f} ms, max {rate['max_ms']:.1f} ms, {rate['failures']} failures")
    print(f"  reports stored and filed: {stored} (2xx answers: {ok}) in {cases} cases "
          f"({stored - cases} joined an open case); synchronous={sync} (2 = FULL)")


if __name__ == "__main__":
    main()
