"""Stage workers: the keyword rules and the locator run in their own processes
(gateway.stage_pool), started from the settings like a real deployment. A worker that
dies or hangs costs no report."""
from __future__ import annotations

import asyncio
import os
import signal
import threading
from contextlib import asynccontextmanager

from aiohttp.test_utils import TestClient, TestServer

from gateway.app import create_app
from gateway.appkeys import CORE_TOKEN, PIPELINE
from tests.conftest import case_count, default_stages, make_settings, workorder


def worker_settings(tmp_path, **overrides):
    return make_settings(tmp_path / "data", **{"pipeline.stage_processes": 1, **overrides})


@asynccontextmanager
async def gateway_with_workers(settings):
    app = create_app(settings)  # no stages handed in: the workers load the configured ones
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    client.core_headers = {"Authorization": f"Bearer {app[CORE_TOKEN]}"}
    client.pool = app[PIPELINE].stages.pool
    try:
        await client.pool.wait_ready(60)
        yield client
    finally:
        await client.close()


async def report(client, text: str, token: str | None = None) -> dict:
    body = {"description": text}
    if token:
        body["submission_token"] = token
    resp = await client.post("/api/v1/reports", json=body)
    assert resp.status in (200, 201), await resp.text()
    return await resp.json()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child not yet reaped shows as a zombie.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


async def until(condition, timeout: float = 90.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


async def test_reports_are_classified_located_and_deduplicated_with_a_worker_process(tmp_path):
    settings = worker_settings(tmp_path)
    text = "建国门内大街18号门口垃圾没人清，味道很大"
    cpus = os.sched_getaffinity(0)
    async with gateway_with_workers(settings) as client:
        health = await (await client.get("/healthz")).json()
        assert health["stage_workers"] == "ready"
        [pid] = client.pool.pids()
        assert pid != os.getpid()
        if len(cpus) >= 2:  # the loop and the store's writer keep to one CPU, the worker to the others
            assert os.sched_getaffinity(0) == {min(cpus)}
            assert os.sched_getaffinity(pid) == cpus - {min(cpus)}
            [writer] = [t for t in threading.enumerate() if t.name.startswith("store-writer")]
            assert os.sched_getaffinity(writer.native_id) == {min(cpus)}
        answer = await report(client, text)
        doc = await workorder(client, answer["case_no"])
        # The duplicate check in the gateway uses the text the worker prepared for it.
        repeat = await report(client, "建国门内大街18号门口的垃圾一直没人清理，臭得很")
        assert repeat["outcome"] == "attached" and repeat["case_no"] == answer["case_no"]
        other = await report(client, "东单北大街井盖没了很危险")
        assert other["outcome"] == "accepted"
    classifier, locator, _ = default_stages(settings)
    assert doc["category"]["code"] == classifier.classify(text).code == "SJ-06010"
    assert doc["location"]["grid_code"] == locator.locate(text).grid_code != ""
    assert not alive(pid), "the worker stops with the gateway"
    assert os.sched_getaffinity(0) == cpus


async def test_a_killed_worker_loses_no_report_and_is_replaced(tmp_path):
    settings = worker_settings(tmp_path, **{"location.registry": "", "duplicates.enabled": False})
    async with gateway_with_workers(settings) as client:
        [pid] = client.pool.pids()

        async def kill_soon():
            await asyncio.sleep(0.05)
            os.kill(pid, signal.SIGKILL)

        answers, _ = await asyncio.gather(
            asyncio.gather(*(report(client, f"小区{i}号楼楼下的路灯不亮了") for i in range(40))),
            kill_soon())
        docs = [await workorder(client, a["case_no"]) for a in answers]
        assert len({a["case_no"] for a in answers}) == 40
        assert all(d["category"]["code"] == "BJ-01037" for d in docs), "every report classified"
        await until(lambda: client.pool.ready and client.pool.pids() != [pid])
        after = await report(client, "小区8号楼楼下的路灯不亮了")
        assert (await workorder(client, after["case_no"]))["category"]["code"] == "BJ-01037"


async def test_a_stuck_worker_is_replaced_and_the_report_filed_for_review(tmp_path):
    settings = worker_settings(tmp_path, **{"pipeline.stage_timeout_s": 1.0,
                                            "location.registry": "", "duplicates.enabled": False})
    async with gateway_with_workers(settings) as client:
        [pid] = client.pool.pids()
        os.kill(pid, signal.SIGSTOP)
        try:
            answer = await report(client, "小区3号楼楼下的路灯不亮了")
        finally:
            if alive(pid):
                os.kill(pid, signal.SIGCONT)
        doc = await workorder(client, answer["case_no"])
        assert doc["needs_review"] is True
        assert "自动分类失败，请人工处理" in doc["review_reasons"]
        await until(lambda: client.pool.ready and client.pool.pids() != [pid])
        assert not alive(pid)
        later = await report(client, "小区5号楼楼下的路灯不亮了")
        assert (await workorder(client, later["case_no"]))["category"]["code"] == "BJ-01037"


async def test_a_repeated_submission_with_workers_files_one_case(tmp_path):
    settings = worker_settings(tmp_path, **{"location.registry": "", "duplicates.enabled": False})
    async with gateway_with_workers(settings) as client:
        first, second = await asyncio.gather(
            report(client, "东单北大街井盖没了很危险", token="double-click-0001"),
            report(client, "东单北大街井盖没了很危险", token="double-click-0001"))
        assert first["case_no"] == second["case_no"]
        assert sorted([first["repeated"], second["repeated"]]) == [False, True]
        assert await case_count(client) == 1
