"""Work that must run once, shared attachments, held cases and hot issues with two
gateway nodes over one PostgreSQL database (issue 16): the sweep of stored-but-unfiled
reports, push delivery and the deadline check each run on one node at a time, whichever;
a file uploaded through one node is fetched through the other; a repeat sent to one node
joins a case held on the other; the hot-issue view counts every node's reports."""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import time

import pytest

from gateway.appkeys import ATTACHMENTS, CASES, PUSH
from gateway.models import Intake, Reporter, intake_json, iso, now
from gateway.store import Store
from tests.conftest import free_port, make_settings, running_gateway, set_status, workorder
from tests.hotline_helpers import call_with_transcript, hotline_settings
from tests.push_helpers import SECRET, Receiver
from tests.test_files_and_headers import fetch, jpeg_with_gps, photo_form, png
from tests.test_hotspots import NIGHT_WORK
from tests.test_push import FAST as PUSH_FAST
from tests.test_push import assert_in_order_per_case, file_reports

pytestmark = [pytest.mark.both_stores, pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)]


async def stage_runs(node) -> int:
    """How many reports this node located (its /metrics), i.e. ran the stages for."""
    text = await (await node.get("/metrics")).text()
    found = re.search(r'^gateway_stage_seconds_count\{stage="locate"\} (\S+)$', text, re.M)
    return int(float(found[1])) if found else 0


async def test_a_stored_report_is_filed_by_one_sweep_though_every_node_sweeps(settings):
    async with running_gateway(settings) as a, running_gateway(settings) as b:
        # What a node that died between the two commits leaves: stored reports, no case,
        # held by that node for a short while.
        dead = Store(settings.store.url, claim_s=0.3)
        await dead.open()
        for i in range(16):
            intake = Intake(channel="webform", external_id=f"orphan-{i:04d}", text=f"第{i}号楼前路灯不亮",
                            reporter=Reporter(contact_channel="webform"))
            await dead.save_intake("webform", intake.external_id, iso(now()), intake_json(intake), None)
        await dead.close()
        await asyncio.sleep(0.4)  # its hold on them runs out
        store = a.pipeline.store
        before = await stage_runs(a) + await stage_runs(b)
        filed = await asyncio.gather(a.pipeline.recover(), b.pipeline.recover(),
                                     a.pipeline.recover(), b.pipeline.recover())
        assert sum(filed) == 16
        assert await store.pending_intakes() == []
        # Each report's stages ran once, on one node or the other.
        assert await stage_runs(a) + await stage_runs(b) - before == 16


async def until(check, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.05)


async def test_each_push_event_is_sent_once_in_order_and_another_node_takes_over(settings, tmp_path):
    receiver = Receiver(free_port())
    await receiver.start()
    for key, value in {**PUSH_FAST, "push.subscriptions": [{"name": "core", "url": receiver.url, "secret": SECRET}]}.items():
        section, name = key.split(".")
        setattr(getattr(settings, section), name, value)
    try:
        async with contextlib.AsyncExitStack() as stack:
            a = await stack.enter_async_context(running_gateway(settings))
            b_stack = contextlib.AsyncExitStack()
            b = await b_stack.enter_async_context(running_gateway(settings))
            nodes = {"a": a, "b": b}
            try:
                cases = await asyncio.gather(*(file_reports(node, 6, name) for name, node in nodes.items()))
                for i, case_no in enumerate(cases[0] + cases[1]):  # every case moved on through the other node
                    await set_status((b, a)[i % 2], case_no, "dispatched", f"once-{i}", department="市政所")

                def all_sent(node):
                    async def check() -> bool:
                        return sorted(set(receiver.keys())) == await logged_seqs(node)
                    return check
                await until(all_sent(a))
                await asyncio.sleep(3 * settings.push.idle_s)  # both nodes look again meanwhile
                assert len(await logged_seqs(a)) == 24 and sorted(receiver.keys()) == await logged_seqs(a)
                assert_in_order_per_case(receiver)

                # The node sending stops; the other takes over from where it got to.
                holders = [name for name, node in nodes.items() if node.app[PUSH].subscribers["core"].holding]
                assert len(holders) == 1
                if holders == ["a"]:
                    await stack.aclose()
                    survivor = b
                else:
                    await b_stack.aclose()
                    survivor = a
                await file_reports(survivor, 3, "later")
                await until(all_sent(survivor))
                assert len(await logged_seqs(survivor)) == 27 and sorted(receiver.keys()) == await logged_seqs(survivor)
                assert_in_order_per_case(receiver)
            finally:
                await b_stack.aclose()
    finally:
        await receiver.stop()


async def logged_seqs(node) -> list[int]:
    return sorted(r[0] for r in await node.pipeline.store.read("SELECT seq FROM push_events"))


async def test_the_deadline_check_of_either_node_stamps_each_crossing_once(settings, tmp_path):
    limits = tmp_path / "limits.toml"  # 3.6 s (times are kept to the second: 80 % 1 s before)
    limits.write_text('business_hours = ["09:00-17:00"]\ndefault_tier = "quick"\nurgent_tier = "quick"\n'
                      '[[tier]]\ncode = "quick"\nname = "测试时限"\nlimit = 0.001\nunit = "hours"\n',
                      encoding="utf-8")
    settings.deadlines.time_limits = str(limits)
    settings.deadlines.check_interval_s = 3600  # the test runs the checks
    async with running_gateway(settings) as a, running_gateway(settings) as b:
        resp = await a.post("/api/v1/reports", json={"description": "苏州园小区3号楼门口路灯不亮了",
                                                     "submission_token": "deadline-on-a"})
        case_no = (await resp.json())["case_no"]
        # Node B never saw the case filed; its check stamps it all the same.
        stamped = 0
        for _ in range(100):
            stamped = await b.app[CASES].check_deadlines()
            if stamped:
                break
            await asyncio.sleep(0.1)
        assert stamped == 1 and (await workorder(a, case_no))["deadline"]["state"] == "warning"
        # Then both nodes check at once, twice each, until it is overdue: one stamp.
        stamped = 0
        for _ in range(100):
            stamped += sum(await asyncio.gather(*(node.app[CASES].check_deadlines() for node in (a, b, a, b))))
            if (await workorder(a, case_no))["deadline"]["state"] == "overdue":
                break
            await asyncio.sleep(0.1)
        assert stamped == 1
        doc = await workorder(b, case_no)
        assert [h["action"] for h in doc["history"]] == ["filed", "deadline_warning", "deadline_overdue"]
        assert doc["deadline"]["state"] == "overdue" and doc["overdue"] is True


LAMP = "建国门内大街18号门口的路灯坏了，晚上一片漆黑，老人出门很危险"


async def test_a_repeat_sent_to_one_node_joins_a_case_held_on_the_other(settings, tmp_path):
    settings = hotline_settings(tmp_path / "hotline", **{"store.url": settings.store.url})
    async with running_gateway(settings) as a, running_gateway(settings) as b:
        held = (await call_with_transcript(a, "C-held-1", LAMP))["case_no"]
        assert (await workorder(a, held))["status"] == "received"  # waiting for an operator
        await asyncio.sleep(1.0)
        again = await b.post("/api/v1/reports", json={"description": LAMP, "submission_token": "lamp-on-b"})
        assert again.status == 201
        again = await again.json()
        assert again["outcome"] == "attached" and again["case_no"] == held
        assert (await workorder(a, held))["report_count"] == 2


async def test_the_hot_issues_seen_from_one_node_count_the_reports_filed_on_both(settings):
    async with running_gateway(settings) as a, running_gateway(settings) as b:
        for i, (where, text) in enumerate(NIGHT_WORK):
            node = (a, b)[i % 2]
            resp = await node.post("/api/v1/reports", json={"title": f"A市{where}附近工地夜间施工扰民", "description": text,
                                                            "submission_token": f"night-work-{i}", "name": f"居民{i}",
                                                            "phone": f"1390000000{i}"})
            assert resp.status == 201, await resp.text()
        for node in (a, b):
            for _ in range(100):
                page = await (await node.get("/api/v1/hotspots", headers=node.core_headers)).json()
                if page["items"] and page["items"][0]["reports"] == 4:
                    break
                await asyncio.sleep(0.1)
            [issue] = page["items"]
            assert issue["reports"] == 4 and issue["place"] == "苏州园小区"


async def test_a_file_uploaded_through_one_node_is_fetched_byte_exact_through_the_other(settings, tmp_path):
    # Each node with its own data directory (as on two machines).
    other = make_settings(tmp_path / "node-b", **{"store.url": settings.store.url})
    photo = png()  # nothing to remove: kept byte for byte
    async with running_gateway(settings) as a, running_gateway(other) as b:
        resp = await a.post("/api/v1/reports", data=photo_form(("clean.png", photo), ("gps.jpg", jpeg_with_gps())))
        assert resp.status == 201, await resp.text()
        case_no = (await resp.json())["case_no"]
        clean, gps = (await workorder(b, case_no))["attachments"]
        cleaned_on_a = (a.app[ATTACHMENTS].root / gps["sha256"][:2] / gps["sha256"]).read_bytes()
        for attachment, expected in ((clean, photo), (gps, cleaned_on_a)):
            served, data = await fetch(b, attachment["url"])
            assert served.status == 200 and data == expected
            assert hashlib.sha256(data).hexdigest() == attachment["sha256"]
        missing = await b.get(f"/api/v1/attachments/{'0' * 64}", headers=b.core_headers)
        assert missing.status == 404
