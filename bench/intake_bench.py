"""Sustained intake over HTTP with durable commits, against a bare aiohttp handler.

    .venv/bin/python bench/intake_bench.py [--duration 15] [--rate 500]

1. Peak throughput: wrk (C load generator, 2 threads, 64 connections) posts reports with
   unique submission tokens, first to a bare aiohttp JSON handler, then to the gateway
   (synchronous=FULL): with the spine's stages (bench/spine.toml: keyword rules, no grid
   registry, no duplicate check), then with the full pipeline (the default configuration:
   classify, locate, check duplicates). Each is run --runs times and the median reported,
   since this VM's speed varies by ±25% from minute to minute.
   Reports combine 16 problems with the sample registry's places (buildings, house
   numbers), so most are new cases and some join an open one, as in a real stream. The
   database is then checked: every 2xx answer is a stored report.
2. Latency at a fixed rate: an open-loop generator sends --rate reports/s for --duration
   seconds; latency is measured from each request's scheduled time, so a stall counts.
3. With --stores sqlite postgresql, each setup runs on both stores in the same run (on
   the PostgreSQL server at --pg-url, in a fresh database dropped afterwards), and the ratio
   of PostgreSQL's peak to SQLite's is printed. With --pg-nodes 1 2, PostgreSQL is measured
   with one node and with two nodes behind bench/balancer.py (a round-robin TCP balancer;
   the bare handler is measured behind it too, its ceiling). On one machine two nodes share
   its cores with the database and the load generator: this measures that two nodes work
   together, not that they scale.
4. The database's cost per report filed: the gateway's own count of round trips (its
   driver), and the server's count for the database (pg_stat_database: transactions, rows
   written and read; pg_stat_user_tables: table reads by index and whole-table), read after
   the nodes stopped. pg_stat_statements would count statements, but it must be loaded at
   the server's start (shared_preload_libraries).
With --open-cases N, each gateway is first given N open cases (reports at N distinct
places no registry holds — 幸福路1号 … — over eight problems, posted through the same
HTTP intake), so the duplicate index is measured holding them.
Needs wrk (apt-get install wrk).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PROBLEMS = ["苏州园小区3号楼楼下的路灯不亮了", "建国门内大街18号门口垃圾没人清",
            "东单北大街井盖没了很危险", "西总布小区2号楼晚上施工噪音扰民"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int, timeout: float = 60) -> None:
    """Until the server answers; for the gateway, until its stage workers are ready too."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                if json.load(resp).get("stage_workers", "ready") == "ready":
                    return
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"server on {port} did not get ready")


def write_places() -> Path:
    """The places reports mention: compound buildings and house numbers of the registry."""
    sys.path.insert(0, str(ROOT))
    from classifiers.locate.registry import load_registry

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

    def pick(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {"sent": count, "failures": failures, "p50_ms": pick(0.50), "p99_ms": pick(0.99),
            "max_ms": latencies[-1] * 1000}


SEED_PROBLEMS = ["门口的路灯不亮了", "门口垃圾堆了好几天没人清", "门口井盖丢了", "夜里施工太吵了",
                 "门口有人占道摆摊", "下水道堵了往外冒水", "门口的树倒了", "墙上被人乱贴小广告"]
SEED_ROADS = ["幸福路", "和谐大道", "光华街", "前进路", "新华巷", "友谊路", "滨江路", "育才街"]


async def seed_open_cases(port: int, count: int) -> int:
    """`count` reports at distinct unregistered places, so that each opens a case."""
    url = f"http://127.0.0.1:{port}/api/v1/reports"
    sem = asyncio.Semaphore(64)
    filed = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
        async def one(i: int) -> None:
            nonlocal filed
            road = SEED_ROADS[i % len(SEED_ROADS)]
            body = {"description": f"{road}{i // len(SEED_ROADS) + 1}号{SEED_PROBLEMS[i // 7 % len(SEED_PROBLEMS)]}",
                    "submission_token": f"seed-{i:08d}"}
            async with sem, session.post(url, json=body) as resp:
                await resp.read()
                filed += resp.status in (200, 201)

        await asyncio.gather(*(one(i) for i in range(count)))
    return filed


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
    parser.add_argument("--runs", type=int, default=3,
                        help="peak runs per server; this VM's speed varies, so the median is reported")
    parser.add_argument("--only", choices=["spine", "full"], help="measure one setup only")
    parser.add_argument("--open-cases", type=int, default=0,
                        help="open cases filed (through the intake) before measuring")
    parser.add_argument("--stores", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"],
                        help="measure each setup on these stores")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="PostgreSQL server for --stores postgresql (each measurement gets a database of its own)")
    parser.add_argument("--pg-nodes", nargs="+", type=int, default=[1],
                        help="on PostgreSQL, measure with this many gateway nodes (more than one: "
                             "behind bench/balancer.py, a round-robin TCP balancer)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: make bench-packages (or apt-get install wrk)")

    port = free_port()
    bare = start([PY, "bench/bare_server.py", str(port)])
    try:
        wait_ready(port)
        bare_runs = [run_wrk(port, args.duration, args.connections)["rps"] for _ in range(args.runs)]
    finally:
        stop(bare)

    print(f"machine: {os.cpu_count()} cores; durable commits (WAL, synchronous=FULL); "
          f"wrk {args.connections} connections, {args.runs} runs of {args.duration} s each")
    print(f"bare aiohttp JSON handler : median {statistics.median(bare_runs):8.0f} req/s  "
          f"(runs: {', '.join(f'{r:.0f}' for r in bare_runs)})")
    setups = {
        "spine": ("spine stages (keyword rules, pass-through location, no duplicate check)",
                  [PY, "run.py", "--config", "bench/spine.toml"]),
        "full": ("full pipeline (combined classifier, grid locator, duplicate index)", [PY, "run.py"]),
    }
    if any(n > 1 for n in args.pg_nodes) and "postgresql" in args.stores:
        bare_behind = bare_through_balancer(args)
        print(f"bare handler behind bench/balancer.py: median {statistics.median(bare_behind):8.0f} req/s  "
              f"(runs: {', '.join(f'{r:.0f}' for r in bare_behind)}): the balancer's own ceiling")
    for name, (label, command) in setups.items():
        if args.only in (None, name):
            peaks = {}
            for store in args.stores:
                for nodes in (args.pg_nodes if store == "postgresql" else [1]):
                    peaks[store, nodes] = measure(label, command, args, statistics.median(bare_runs), store, nodes)
            if ("sqlite", 1) in peaks:
                for (store, nodes), peak in peaks.items():
                    if store == "postgresql":
                        print(f"\n  PostgreSQL ({nodes} node{'s' * (nodes > 1)}) / SQLite peak intake ({name}): "
                              f"{peak / peaks['sqlite', 1]:.2f}")


def pg_database(url: str, drop: str | None = None) -> str:
    """A fresh database on the server at `url` (or drop database `drop`): a database of its
    own, so that the server's statistics for it (pg_stat_database) are the gateway's alone."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        if drop:
            conn.execute(f"DROP DATABASE {drop} WITH (FORCE)")
            return drop
        name = f"bench_{secrets.token_hex(4)}"
        conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    return name


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


# What the server counted for the database (pg_stat_database) and its tables
# (pg_stat_user_tables): read after the nodes have stopped, when every backend has
# reported its counts.
DB_COST = """SELECT xact_commit + xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_returned,
                    tup_fetched FROM pg_stat_database WHERE datname = current_database()"""
TABLE_COST = """SELECT coalesce(sum(seq_scan), 0), coalesce(sum(idx_scan), 0)
                FROM pg_stat_user_tables"""


def database_cost(url: str) -> dict:
    import psycopg

    time.sleep(1.0)  # the stopped nodes' backends flush their counts as they exit
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("SELECT pg_stat_clear_snapshot()")
        xacts, ins, upd, dele, returned, fetched = db.execute(DB_COST).fetchone()
        seq, idx = db.execute(TABLE_COST).fetchone()
    return {"transactions": xacts, "inserted": ins, "updated": upd, "deleted": dele,
            "returned": returned, "fetched": fetched, "seq_scans": seq, "idx_scans": idx}


def bare_through_balancer(args: argparse.Namespace) -> list[float]:
    """The bare handler behind the balancer: what the balancer itself can pass."""
    port, front = free_port(), free_port()
    bare = start([PY, "bench/bare_server.py", str(port)])
    balancer = start([PY, "bench/balancer.py", "--port", str(front), f"127.0.0.1:{port}"])
    try:
        wait_ready(port)
        wait_ready(front)
        return [run_wrk(front, args.duration, args.connections)["rps"] for _ in range(args.runs)]
    finally:
        stop(balancer)
        stop(bare)


def count_stored(store: str, data_dir: Path, url: str) -> tuple[int, int, str]:
    """(reports filed, work orders, durability) as the database has them."""
    if store == "sqlite":
        db = sqlite3.connect(data_dir / "gateway.sqlite3")
        stored = db.execute("SELECT count(*) FROM intakes WHERE state = 'done'").fetchone()[0]
        cases = db.execute("SELECT count(*) FROM workorders").fetchone()[0]
        sync = db.execute("PRAGMA synchronous").fetchone()[0]
        db.close()
        return stored, cases, f"SQLite synchronous={sync} (2 = FULL)"
    import psycopg

    with psycopg.connect(url) as db:
        stored = db.execute("SELECT count(*) FROM intakes WHERE state = 'done'").fetchone()[0]
        cases = db.execute("SELECT count(*) FROM workorders").fetchone()[0]
        sync = db.execute("SHOW synchronous_commit").fetchone()[0]
    return stored, cases, f"PostgreSQL synchronous_commit={sync}"


def measure(label: str, command: list[str], args: argparse.Namespace, bare_rps: float,
            store: str = "sqlite", nodes: int = 1) -> float:
    """One setup: `nodes` gateways on one database (more than one behind the balancer)."""
    data_dirs = [Path(tempfile.mkdtemp(prefix="intake-bench-")) for _ in range(nodes)]
    env = {**os.environ, "GATEWAY_CORE_TOKEN": "bench-token-0123456789abcdef"}
    database = url = None
    if store == "postgresql":
        database = pg_database(args.pg_url)
        url = with_database(args.pg_url, database)
        env["GATEWAY_STORE_URL"] = url
    ports = [free_port() for _ in range(nodes)]
    gateways = [start([*command, "--data-dir", str(d), "--port", str(p)], env) for d, p in zip(data_dirs, ports)]
    balancer = None
    seeded = 0
    counters: dict[str, float] = {}
    try:
        for p in ports:
            wait_ready(p)
        port = ports[0]
        if nodes > 1:
            port = free_port()
            balancer = start([PY, "bench/balancer.py", "--port", str(port), *(f"127.0.0.1:{p}" for p in ports)])
            wait_ready(port)
        if args.open_cases:
            seeded = asyncio.run(seed_open_cases(port, args.open_cases))
            print(f"  {seeded} seed reports filed before measuring")
        peaks = [run_wrk(port, args.duration, args.connections) for _ in range(args.runs)]
        time.sleep(1)
        rate = asyncio.run(fixed_rate(port, args.rate, args.duration))
        for p in ports:  # each node's own counts, added up
            with urllib.request.urlopen(f"http://127.0.0.1:{p}/metrics", timeout=10) as resp:
                for m in re.finditer(r"^gateway_store_(\w+)_total (\S+)$", resp.read().decode(), re.M):
                    counters[m[1]] = counters.get(m[1], 0) + float(m[2])
    finally:
        if balancer:
            stop(balancer)
        for gw in gateways:
            stop(gw)
    cost = database_cost(url) if url else None
    stored, cases, durability = count_stored(store, data_dirs[0], url)
    if database:
        pg_database(args.pg_url, drop=database)
    ok = seeded + sum(p["total"] - p["errors"] for p in peaks) + rate["sent"] - rate["failures"]
    peak = sorted(peaks, key=lambda p: p["rps"])[len(peaks) // 2]  # the median run
    for d in data_dirs:
        shutil.rmtree(d)

    where = f"{nodes} nodes behind bench/balancer.py" if nodes > 1 else "1 node"
    print(f"\n{label} — store: {store}, {where}")
    runs = ", ".join(f"{p['rps']:.0f}" for p in peaks)
    print(f"  peak intake       : median {peak['rps']:8.0f} reports/s  (p99 {peak['p99_ms']:.1f} ms, "
          f"{sum(p['errors'] for p in peaks)} non-2xx of {sum(p['total'] for p in peaks)}; "
          f"runs: {runs})")
    print(f"  ratio to bare     : {peak['rps'] / bare_rps:.2f}")
    print(f"  at {args.rate} reports/s for {args.duration} s: p50 {rate['p50_ms']:.1f} ms, "
          f"p99 {rate['p99_ms']:.1f} ms, max {rate['max_ms']:.1f} ms, {rate['failures']} failures")
    print(f"  reports stored and filed: {stored} (2xx answers: {ok}) in {cases} cases "
          f"({stored - cases} joined an open case); {durability}")
    per_report = f"  per report filed   : {counters.get('writes', 0) / stored:.2f} write operations in " \
                 f"{counters.get('commits', 0) / stored:.3f} commits"
    if "round_trips" in counters:
        per_report += f", {counters['round_trips'] / stored:.1f} round trips to the database server " \
                      "(counted by the gateway's driver)"
    print(per_report)
    if cost:
        print(f"  the server's count per report filed (pg_stat_database, pg_stat_user_tables): "
              f"{cost['transactions'] / stored:.2f} transactions, rows inserted "
              f"{cost['inserted'] / stored:.2f} / updated {cost['updated'] / stored:.2f} / deleted "
              f"{cost['deleted'] / stored:.2f}, table reads {(cost['idx_scans'] + cost['seq_scans']) / stored:.1f} "
              f"({cost['idx_scans'] / stored:.1f} by index, {cost['seq_scans'] / stored:.2f} whole-table), "
              f"rows read {cost['fetched'] / stored:.1f}")
    return peak["rps"]

if __name__ == "__main__":
    main()
