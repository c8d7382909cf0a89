"""Nothing acknowledged is lost: database outages, crashes between stages, SIGKILL."""
from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys

import aiohttp

from gateway.models import Intake, Reporter, intake_json, iso, now
from gateway.store import Store
from tests.conftest import ROOT, all_feed, cases_by_ref, free_port, make_settings, running_gateway, wait_until_up


async def test_database_locked_by_another_process_answers_503_then_retry_succeeds(tmp_path):
    settings = make_settings(tmp_path / "data")
    settings.storage.busy_timeout_ms = 100
    async with running_gateway(settings) as gw:
        blocker = sqlite3.connect(settings.data_dir / "gateway.sqlite3", isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        report = {"description": "燃气管道有味道", "submission_token": "locked-0001"}
        resp = await gw.post("/api/v1/reports", json=report)
        assert resp.status == 503
        assert resp.headers["Retry-After"]
        assert (await resp.json())["error"]["code"] == "unavailable"
        health = await gw.get("/healthz")
        blocker.execute("ROLLBACK")
        blocker.close()
        retry = await gw.post("/api/v1/reports", json=report)
        assert retry.status == 201
        items, _ = await all_feed(gw)
        assert [i["channel_ref"] for i in items] == ["locked-0001"]
        assert health.status in (200, 503)  # readers are not blocked in WAL mode


async def test_a_brief_lock_by_another_process_delays_a_report_without_freezing_the_gateway(tmp_path):
    settings = make_settings(tmp_path / "data")
    settings.storage.busy_timeout_ms = 5000
    async with running_gateway(settings) as gw:
        blocker = sqlite3.connect(settings.data_dir / "gateway.sqlite3", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # e.g. an administrator's command writing
        submitted = asyncio.create_task(gw.post("/api/v1/reports", json={
            "description": "燃气管道有味道", "submission_token": "waited-0001"}))
        await asyncio.sleep(0.5)
        assert not submitted.done(), "the report waits for the lock"
        health = await gw.get("/healthz")  # while it waits, the gateway still answers
        assert health.status == 200
        blocker.execute("ROLLBACK")
        blocker.close()
        resp = await submitted
        assert resp.status == 201
        items, _ = await all_feed(gw)
        assert [i["channel_ref"] for i in items] == ["waited-0001"]


async def test_a_report_stored_before_a_crash_is_filed_at_start_up(tmp_path):
    settings = make_settings(tmp_path / "data")
    # The state a crash between the two commits leaves: the raw report stored, no work order.
    store = Store(settings.data_dir / "gateway.sqlite3")
    await store.open()
    intake = Intake(channel="webform", external_id="crashed-0001", text="小区里的井盖没了",
                    reporter=Reporter(contact_channel="webform"))
    stored = await store.save_intake("webform", "crashed-0001", iso(now()),
                                     intake_json(intake), '{"description": "小区里的井盖没了"}')
    await store.close()
    assert stored.created

    async with running_gateway(settings) as gw:
        await gw.pipeline.recover()  # the start-up sweep may already have done it
        assert await gw.pipeline.store.pending_intakes() == []
        items, _ = await all_feed(gw)
        assert [(i["channel_ref"], i["description"]) for i in items] == [("crashed-0001", "小区里的井盖没了")]
        # The sender's retry now gets that case, not a second one.
        retry = await gw.post("/api/v1/reports", json={"description": "小区里的井盖没了",
                                                        "submission_token": "crashed-0001"})
        assert retry.status == 200
        assert (await retry.json())["case_no"] == items[0]["case_no"]
        assert await gw.pipeline.recover() == 0


async def test_case_numbers_stay_unique_across_restarts(tmp_path):
    settings = make_settings(tmp_path / "data")
    numbers = []
    for run in range(2):
        async with running_gateway(settings) as gw:
            for i in range(3):
                resp = await gw.post("/api/v1/reports", json={
                    "description": "噪音扰民", "submission_token": f"restart-{run}-{i}"})
                numbers.append((await resp.json())["case_no"])
    assert len(set(numbers)) == 6 and numbers == sorted(numbers)


async def test_reprocessing_a_filed_report_refreshes_its_category(tmp_path):
    from gateway.models import Classification
    from gateway.stages.protocols import NoDuplicates, PassThroughLocator

    class Fixed:
        def __init__(self, name):
            self.name = name

        def classify(self, text):
            return Classification(code="X1", name=self.name, path=[self.name], confidence=0.9,
                                  source="rules", department="市政所")

    settings = make_settings(tmp_path / "data")
    async with running_gateway(settings, stages=(Fixed("旧类别"), PassThroughLocator(), NoDuplicates())) as gw:
        resp = await gw.post("/api/v1/reports", json={"description": "路灯不亮", "submission_token": "restage-0001"})
        case_no = (await resp.json())["case_no"]
        gw.pipeline.stages.classifier = Fixed("新类别")
        await gw.pipeline.reprocess(1)
        doc = await gw.pipeline.store.get_workorder(case_no)
        assert doc["category"]["name"] == "新类别"
        assert doc["report_count"] == 1


def _start_gateway(data_dir, port):
    env = {**os.environ, "GATEWAY_CORE_TOKEN": "crash-test-token-0123456789"}
    return subprocess.Popen(
        [sys.executable, "run.py", "--data-dir", str(data_dir), "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def test_sigkill_under_load_loses_no_acknowledged_report(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    acknowledged: dict[str, str] = {}
    proc = _start_gateway(tmp_path / "data", port)
    try:
        async with aiohttp.ClientSession() as session:
            await wait_until_up(session, base)

            async def client(worker: int):
                for i in range(100000):
                    token = f"kill-{worker}-{i:06d}"
                    try:
                        async with session.post(f"{base}/api/v1/reports", json={
                                "description": f"垃圾没人清 {token}", "submission_token": token}) as resp:
                            if resp.status in (200, 201):
                                acknowledged[token] = (await resp.json())["case_no"]
                    except (TimeoutError, aiohttp.ClientError):
                        return

            workers = [asyncio.create_task(client(w)) for w in range(16)]
            while len(acknowledged) < 300:
                await asyncio.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            await asyncio.gather(*workers)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(acknowledged) >= 300

    proc = _start_gateway(tmp_path / "data", port)
    try:
        async with aiohttp.ClientSession() as session:
            await wait_until_up(session, base)
            feed = await cases_by_ref(session, base, "crash-test-token-0123456789")
            for token, case_no in acknowledged.items():
                assert feed.get(token) == [case_no], token
            # A retry of an acknowledged report gets its first answer back.
            token, case_no = next(iter(acknowledged.items()))
            async with session.post(f"{base}/api/v1/reports", json={
                    "description": "垃圾没人清", "submission_token": token}) as resp:
                assert resp.status == 200 and (await resp.json())["case_no"] == case_no
    finally:
        proc.terminate()
        proc.wait()


async def test_one_poisoned_report_does_not_hold_up_the_sweep(tmp_path):
    """24 reports stored before a crash are filed although one stored report cannot be;
    that one is set aside after three sweeps, counted in /metrics, and listed and put back
    by run.py retry-failed."""
    settings = make_settings(tmp_path / "data")
    store = Store(settings.data_dir / "gateway.sqlite3")
    await store.open()
    await store.save_intake("webform", "poison-0000", iso(now()), '{"channel": "webform"}', None)
    for i in range(24):
        intake = Intake(channel="webform", external_id=f"crashed-{i:04d}", text=f"第{i}号楼前路灯不亮",
                        reporter=Reporter(contact_channel="webform"))
        await store.save_intake("webform", intake.external_id, iso(now()), intake_json(intake), None)
    await store.close()

    async with running_gateway(settings) as gw:
        await gw.pipeline.recover()
        items, _ = await all_feed(gw)
        assert len(items) == 24
        await gw.pipeline.recover()
        await gw.pipeline.recover()
        assert await gw.pipeline.store.pending_intakes() == []
        [failed] = await gw.pipeline.store.failed_intakes()
        assert failed["external_id"] == "poison-0000" and failed["attempts"] == 3
        assert "KeyError" in failed["last_error"]
        metrics = await (await gw.get("/metrics")).text()
        assert 'gateway_queue_depth{queue="failed"} 1.0' in metrics

    listed = await asyncio.to_thread(
        subprocess.run, [sys.executable, "run.py", "--data-dir", str(settings.data_dir), "retry-failed", "--list"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    assert "poison-0000" in listed.stdout and "1 report(s) set aside" in listed.stdout
    back = await asyncio.to_thread(
        subprocess.run, [sys.executable, "run.py", "--data-dir", str(settings.data_dir), "retry-failed"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    assert "1 report(s) back in the sweep" in back.stdout
    store = Store(settings.data_dir / "gateway.sqlite3")
    await store.open()
    try:
        assert len(await store.pending_intakes()) == 1 and await store.failed_intakes() == []
    finally:
        await store.close()
