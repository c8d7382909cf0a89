"""Push delivery against loopback receivers that answer 200, 500, time out, close the
connection, and come back after an outage: every change arrives, in order per case, with a
valid signature; duplicates only as retries of the same key."""
from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time

import aiohttp
import pytest

from tests.conftest import ROOT, free_port, make_settings, running_gateway, set_status
from tests.push_helpers import SECRET, Receiver

# Store-facing: the gateway tests run on SQLite and on PostgreSQL (the SIGKILL test reads the
# SQLite file itself and the pure ones need no store: once).
pytestmark = pytest.mark.both_stores

FAST = {"push.enabled": True, "push.first_retry_s": 0.02, "push.max_retry_s": 0.1, "push.timeout_s": 0.5,
        "push.circuit_failures": 3, "push.circuit_open_s": 0.1, "push.circuit_max_open_s": 0.3,
        "push.idle_s": 0.2, "push.max_attempts": 50}


def sub(name: str, receiver: Receiver, **extra) -> dict:
    return {"name": name, "url": receiver.url, "secret": SECRET, **extra}


async def until(check, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


async def file_reports(gw, n: int, prefix: str) -> list[str]:
    cases = []
    for i in range(n):
        resp = await gw.post("/api/v1/reports", json={"description": f"{prefix}第{i}号楼门口垃圾没人清运{i * 7919}",
                                                      "submission_token": f"push-{prefix}-{i:04d}"})
        assert resp.status == 201, await resp.text()
        cases.append((await resp.json())["case_no"])
    return cases


async def logged(gw) -> list[tuple[int, str, str]]:
    rows = await gw.pipeline.store.read("SELECT seq, case_no, event FROM push_events ORDER BY seq")
    return [tuple(r) for r in rows]


def assert_in_order_per_case(receiver: Receiver) -> None:
    last: dict[str, int] = {}
    for got in receiver.got:
        assert got["key"] == got["feed_seq"]
        assert got["key"] >= last.get(got["case_no"], 0), got  # equal: a retry of the same key
        last[got["case_no"]] = got["key"]


async def test_every_change_arrives_signed_and_in_order_while_another_destination_fails(tmp_path, store_url):
    good, bad = Receiver(free_port()), Receiver(free_port(), mode="fail")
    await good.start()
    await bad.start()
    settings = make_settings(tmp_path / "data", store_url, **{**FAST, "push.max_attempts": 3, "push.subscriptions": [
        sub("core", good), sub("broken", bad, events=["status"])]})
    try:
        async with running_gateway(settings) as gw:
            cases = await file_reports(gw, 12, "a")
            for i, case_no in enumerate(cases[:6]):
                await set_status(gw, case_no, "dispatched", f"d-{i}")
                await set_status(gw, case_no, "resolved", f"r-{i}", note="已清运")
            resp = await gw.post(f"/api/v1/workorders/{cases[7]}/merge", headers=gw.core_headers,
                                 json={"into": cases[8], "update_id": "m-1"})
            assert resp.status == 200
            log = await logged(gw)
            await until(lambda: len(good.got) >= len(log))
            assert sorted(good.keys()) == [seq for seq, _, _ in log]  # each once
            assert {g["key"]: g["event"] for g in good.got} == {seq: event for seq, _, event in log}
            assert {"created", "status", "merged", "changed"} <= {g["event"] for g in good.got}
            assert good.bad_signatures == 0 and all(g["attempt"] == 1 for g in good.got)
            assert_in_order_per_case(good)
            # The failing destination only got "status" events, and they became dead letters.
            await until(lambda: len(bad.tries) >= 3)
            assert {key for key, _ in bad.tries} <= {seq for seq, _, event in log if event == "status"}
            resp = await gw.get("/api/v1/subscriptions", headers=gw.core_headers)
            listed = {s["name"]: s for s in (await resp.json())["items"]}
            assert listed["core"]["lag"] == 0 and "secret" not in listed["core"]
            metrics = await (await gw.get("/metrics")).text()
            assert 'gateway_push_deliveries_total{destination="core",outcome="delivered"}' in metrics
            assert 'gateway_push_lag_events{destination="core"} 0.0' in metrics
            assert 'gateway_push_lag_seconds{destination="core"} 0.0' in metrics
    finally:
        await good.stop()
        await bad.stop()


async def test_500s_timeouts_and_closed_connections_are_retried_with_the_same_key(tmp_path, store_url):
    receiver = Receiver(free_port(), mode="flaky")  # each key: 500, time-out or close, twice
    await receiver.start()
    settings = make_settings(tmp_path / "data", store_url, **{**FAST, "push.subscriptions": [sub("core", receiver)],
                                                          "push.circuit_failures": 1000})
    try:
        async with running_gateway(settings) as gw:
            cases = await file_reports(gw, 9, "b")
            for i, case_no in enumerate(cases[:3]):
                await set_status(gw, case_no, "dispatched", f"d-{i}")
            log = await logged(gw)
            await until(lambda: len(receiver.got) >= len(log), timeout=30)
            assert sorted(set(receiver.keys())) == [seq for seq, _, _ in log]
            assert all(g["attempt"] == 3 for g in receiver.got)  # two failures, then through
            by_key: dict[int, list[int]] = {}
            for key, attempt in receiver.tries:
                by_key.setdefault(key, []).append(attempt)
            assert all(attempts == [1, 2, 3] for attempts in by_key.values())
            assert_in_order_per_case(receiver)
    finally:
        await receiver.stop()


async def test_a_destination_that_comes_back_after_an_outage_gets_everything(tmp_path, store_url):
    port = free_port()
    receiver = Receiver(port)
    settings = make_settings(tmp_path / "data", store_url, **{**FAST, "push.subscriptions": [sub("core", receiver)]})
    async with running_gateway(settings) as gw:
        cases = await file_reports(gw, 10, "c")  # nobody listens on the port
        await set_status(gw, cases[0], "dispatched", "d-0")

        async def circuit() -> str:
            resp = await gw.get("/api/v1/subscriptions", headers=gw.core_headers)
            return (await resp.json())["items"][0]["circuit"]

        deadline = time.monotonic() + 10
        while await circuit() == "closed" and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert await circuit() in ("open", "half_open")
        await receiver.start()
        try:
            log = await logged(gw)
            await until(lambda: len(receiver.got) >= len(log))
            assert sorted(receiver.keys()) == [seq for seq, _, _ in log]
            assert_in_order_per_case(receiver)
            assert await circuit() == "closed"
        finally:
            await receiver.stop()


async def test_dead_letters_hold_the_case_back_and_are_replayed_in_order(tmp_path, store_url):
    receiver = Receiver(free_port(), mode="fail")
    await receiver.start()
    settings = make_settings(tmp_path / "data", store_url, **{**FAST, "push.max_attempts": 2, "push.circuit_failures": 1000,
                                                          "push.subscriptions": [sub("core", receiver)]})
    try:
        async with running_gateway(settings) as gw:
            h = gw.core_headers
            cases = await file_reports(gw, 2, "d")
            await until(lambda: len(receiver.tries) >= 4)  # both 'created' dead
            receiver.mode = "ok"
            await set_status(gw, cases[0], "dispatched", "d-0")  # waits behind its dead letter
            await file_reports(gw, 1, "e")  # another case goes through
            await until(lambda: len(receiver.got) == 1)
            resp = await gw.get(f"/api/v1/subscriptions/core/dead-letters?case_no={cases[0]}", headers=h)
            letters = (await resp.json())["items"]
            assert [(d["event"], d["document"]["status"]) for d in letters] == [("created", "confirmed"),
                                                                                ("status", "dispatched")]
            assert letters[0]["attempts"] == 2 and "500" in letters[0]["last_error"]
            resp = await gw.post("/api/v1/subscriptions/core/dead-letters/replay", headers=h,
                                 json={"case_no": cases[0]})
            assert (await resp.json())["replayed"] == 2
            await until(lambda: len(receiver.got) == 3)
            assert [(g["case_no"], g["event"]) for g in receiver.got[1:]] == [(cases[0], "created"),
                                                                               (cases[0], "status")]
            # The case is no longer held: its next change goes straight through.
            await set_status(gw, cases[0], "resolved", "r-0")
            await until(lambda: len(receiver.got) == 4)
            resp = await gw.post("/api/v1/subscriptions/core/dead-letters/replay", headers=h)
            assert (await resp.json())["replayed"] == 1  # the other case's
            await until(lambda: len(receiver.got) == 5)
            assert receiver.got[-1]["case_no"] == cases[1]
            resp = await gw.get("/api/v1/subscriptions/core/dead-letters", headers=h)
            assert (await resp.json())["items"] == []
    finally:
        await receiver.stop()


async def test_the_api_adds_pauses_and_resumes_subscriptions(tmp_path, store_url):
    receiver = Receiver(free_port())
    await receiver.start()
    settings = make_settings(tmp_path / "data", store_url, **FAST)
    try:
        async with running_gateway(settings) as gw:
            h = gw.core_headers
            assert (await gw.get("/api/v1/subscriptions")).status == 401
            before = await file_reports(gw, 1, "f")
            resp = await gw.post("/api/v1/subscriptions", headers=h, json={
                "name": "dash", "url": receiver.url, "secret": SECRET, "events": ["created", "status"]})
            assert resp.status == 201, await resp.text()
            assert (await gw.post("/api/v1/subscriptions", headers=h, json={
                "name": "dash", "url": receiver.url, "secret": SECRET})).status == 409
            for bad in ({"name": "x y", "url": receiver.url, "secret": SECRET},
                        {"name": "x", "url": "ftp://h/", "secret": SECRET},
                        {"name": "x", "url": receiver.url, "secret": "short"},
                        {"name": "x", "url": receiver.url, "secret": SECRET, "events": ["overdue!"]}):
                assert (await gw.post("/api/v1/subscriptions", headers=h, json=bad)).status == 422
            cases = await file_reports(gw, 2, "g")
            await until(lambda: len(receiver.got) == 2)
            assert before[0] not in {g["case_no"] for g in receiver.got}  # starts at the end of the log
            resp = await gw.post("/api/v1/subscriptions/dash/pause", headers=h)
            assert (await resp.json())["paused"] is True
            await set_status(gw, cases[0], "dispatched", "p-1")
            await asyncio.sleep(0.5)
            assert len(receiver.got) == 2
            resp = await gw.post("/api/v1/subscriptions/dash/resume", headers=h)
            assert (await resp.json())["paused"] is False
            await until(lambda: len(receiver.got) == 3)
            assert receiver.got[-1]["event"] == "status"
            assert (await gw.post("/api/v1/subscriptions/nope/pause", headers=h)).status == 404
    finally:
        await receiver.stop()


def _start(tmp_path, port: int, receiver: Receiver) -> subprocess.Popen:
    config = tmp_path / "config.toml"
    config.write_text(f"""
[push]
enabled = true
first_retry_s = 0.05
max_retry_s = 0.2
timeout_s = 1.0
circuit_open_s = 0.2
circuit_max_open_s = 0.5
idle_s = 0.2
max_attempts = 1000
[[push.subscriptions]]
name = "core"
url = "{receiver.url}"
secret = "{SECRET}"
[logging]
level = "WARNING"
""", encoding="utf-8")
    env = {**os.environ, "GATEWAY_CORE_TOKEN": "push-crash-token-0123456789"}
    return subprocess.Popen([sys.executable, "run.py", "--config", str(config), "--port", str(port),
                             "--data-dir", str(tmp_path / "data")], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _ready(session, base: str) -> None:
    for _ in range(600):
        try:
            async with session.get(f"{base}/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the gateway did not start")


@pytest.mark.timeout(120)
async def test_sigkill_loses_no_event_and_attempt_numbers_go_on(tmp_path):
    receiver = Receiver(free_port(), mode="fail")
    await receiver.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start(tmp_path, port, receiver)
    cases = []
    try:
        async with aiohttp.ClientSession() as session:
            await _ready(session, base)
            for i in range(20):
                async with session.post(f"{base}/api/v1/reports", json={
                        "description": f"第{i}号楼门口垃圾没人清运{i * 7919}", "submission_token": f"kill-{i:04d}"}) as resp:
                    assert resp.status == 201
                    cases.append((await resp.json())["case_no"])
            await until(lambda: len(receiver.tries) >= 3)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        retried_before = {key for key, _ in receiver.tries}
        receiver.mode = "ok"
        proc = _start(tmp_path, port, receiver)
        async with aiohttp.ClientSession() as session:
            await _ready(session, base)
            await until(lambda: {g["case_no"] for g in receiver.got} >= set(cases), timeout=30)
        with sqlite3.connect(tmp_path / "data" / "gateway.sqlite3") as db:
            log = [row[0] for row in db.execute("SELECT seq FROM push_events ORDER BY seq")]
        assert sorted(set(receiver.keys())) == log == list(range(1, 21))
        assert len({g["case_no"] for g in receiver.got}) == 20 and receiver.bad_signatures == 0
        first = [g for g in receiver.got if g["key"] in retried_before]
        assert first and all(g["attempt"] > 1 for g in first)  # the count survived the kill
        assert_in_order_per_case(receiver)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
        await receiver.stop()


def test_the_readme_signature_example_holds():
    from gateway.outbound.push import signature

    body = b'{"case_no":"20261201-000042","status":"dispatched","feed_seq":1187}'
    assert signature("example-push-secret-0123", "1764547200", body) == \
        "sha256=b0ac099ae5c880c3baf1132b44b9afb9eb105405cf4d14eb4990566923c7466f"


async def test_a_case_past_its_due_time_is_pushed_once_as_overdue(tmp_path, store_url):
    from gateway.appkeys import CASES

    receiver = Receiver(free_port())
    await receiver.start()
    settings = make_settings(tmp_path / "data", store_url, **{**FAST, "push.overdue_check_s": 0.0, "push.subscriptions": [
        sub("core", receiver, events=["overdue"])]})
    try:
        async with running_gateway(settings) as gw:
            late, on_time = await file_reports(gw, 2, "h")
            store, cases = gw.pipeline.store, gw.server.app[CASES]
            await store.update_workorder(late, lambda doc: {**doc, "due_at": "2026-01-01T08:00:00+08:00"},
                                         actor="test", action="time_passes", detail={})
            assert await cases.mark_overdue() == 1
            assert await cases.mark_overdue() == 0  # once
            await until(lambda: len(receiver.got) == 1)
            assert (receiver.got[0]["case_no"], receiver.got[0]["event"]) == (late, "overdue")
            doc = await store.get_workorder(late)
            assert doc["overdue"] is True and "overdue" not in await store.get_workorder(on_time)

            async def lag() -> int:  # the changes of other kinds are passed, not waited for
                resp = await gw.get("/api/v1/subscriptions", headers=gw.core_headers)
                return (await resp.json())["items"][0]["lag"]

            deadline = time.monotonic() + 10
            while await lag() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert await lag() == 0
    finally:
        await receiver.stop()
