"""The core platform's API: feed order and resumption, status updates, authentication."""
from __future__ import annotations

import asyncio

import pytest

from tests.conftest import all_feed

pytestmark = pytest.mark.both_stores  # store-facing: run on SQLite and on PostgreSQL


async def file_reports(client, count: int, prefix: str = "r") -> list[str]:
    numbers = []
    for i in range(count):
        resp = await client.post("/api/v1/reports", json={
            "description": f"第{i}个问题：路灯不亮", "submission_token": f"{prefix}-{i:06d}"})
        assert resp.status == 201
        numbers.append((await resp.json())["case_no"])
    return numbers


async def set_status(client, case_no, status, update_id, **extra):
    return await client.post(f"/api/v1/workorders/{case_no}/status", headers=client.core_headers,
                             json={"status": status, "update_id": update_id, **extra})


async def test_feed_pages_in_commit_order_and_resumes_from_a_cursor(gateway):
    numbers = await file_reports(gateway, 7)
    items, cursor = await all_feed(gateway, limit=3)
    assert [i["case_no"] for i in items] == numbers
    seqs = [i["feed_seq"] for i in items]
    assert seqs == sorted(seqs) and len(set(seqs)) == 7

    # Nothing new: a consumer resuming from its stored cursor gets an empty page.
    again, same_cursor = await all_feed(gateway, cursor=cursor)
    assert again == [] and same_cursor == cursor

    # A change to an old case brings it back once, after the cursor, in its new state.
    assert (await set_status(gateway, numbers[0], "dispatched", "u-1", department="市政所")).status == 200
    changed, cursor2 = await all_feed(gateway, cursor=cursor)
    assert [(i["case_no"], i["status"], i["department"]) for i in changed] == [
        (numbers[0], "dispatched", "市政所")]
    assert cursor2 > cursor

    # Re-reading from the start shows each case once, at its latest version.
    everything, _ = await all_feed(gateway)
    assert sorted(i["case_no"] for i in everything) == sorted(numbers)


async def test_concurrent_writers_never_make_the_feed_skip_a_case(gateway):
    seen: dict[str, int] = {}
    done = asyncio.Event()

    async def consumer():
        cursor = 0
        while True:
            finished = done.is_set()
            items, cursor = await all_feed(gateway, cursor=cursor, limit=7)
            for item in items:
                seen[item["case_no"]] = item["feed_seq"]
            if finished:
                return
            await asyncio.sleep(0)

    async def writer(w):
        return await file_reports(gateway, 25, prefix=f"w{w}")

    reader = asyncio.create_task(consumer())
    filed = await asyncio.gather(*(writer(w) for w in range(8)))
    done.set()
    await reader
    assert set(seen) == {n for batch in filed for n in batch}
    assert len(seen) == 200


async def test_status_updates_follow_the_grid_loop(gateway):
    [case_no] = await file_reports(gateway, 1)
    for step, status in enumerate(["dispatched", "resolved", "closed"]):
        resp = await set_status(gateway, case_no, status, f"loop-{step}", note=f"第{step}步")
        assert resp.status == 200
        assert (await resp.json())["status"] == status
    doc = await (await gateway.get(f"/api/v1/workorders/{case_no}", headers=gateway.core_headers)).json()
    assert doc["status_name"] == "已结案"
    assert [h["action"] for h in doc["history"]] == ["filed", "status", "status", "status"]

    refused = await set_status(gateway, case_no, "dispatched", "loop-3")
    assert refused.status == 409
    error = (await refused.json())["error"]
    assert error["code"] == "invalid_transition" and "已结案" in error["message"]


async def test_a_repeated_update_id_changes_nothing(gateway):
    [case_no] = await file_reports(gateway, 1)
    first = await set_status(gateway, case_no, "dispatched", "same-update", department="环卫所")
    again = await set_status(gateway, case_no, "dispatched", "same-update", department="环卫所")
    assert first.status == again.status == 200
    assert (await first.json())["updated_at"] == (await again.json())["updated_at"]
    doc = await (await gateway.get(f"/api/v1/workorders/{case_no}", headers=gateway.core_headers)).json()
    assert [h["action"] for h in doc["history"]] == ["filed", "status"]
    # The same update id cannot be spent on another case.
    [other] = await file_reports(gateway, 1, prefix="other")
    clash = await set_status(gateway, other, "dispatched", "same-update")
    assert clash.status == 409 and (await clash.json())["error"]["code"] == "update_id_reused"


async def test_bad_status_requests_get_clear_errors(gateway):
    [case_no] = await file_reports(gateway, 1)
    url = f"/api/v1/workorders/{case_no}/status"
    h = gateway.core_headers
    checks = [
        (gateway.post(url, headers=h, json={"status": "dispatched"}), 422, "invalid_field"),
        (gateway.post(url, headers=h, json={"update_id": "x1"}), 422, "invalid_field"),
        (gateway.post(url, headers=h, json={"status": "flying", "update_id": "x2"}), 409, "unknown_status"),
        (gateway.post(url, headers=h, data=b"{oops", ), 415, "unsupported_media_type"),
        (gateway.post(url, headers={**h, "Content-Type": "application/json"}, data=b"{oops"), 400, "invalid_json"),
        (gateway.post("/api/v1/workorders/20990101-000009/status", headers=h,
                      json={"status": "dispatched", "update_id": "x3"}), 404, "not_found"),
        (gateway.get("/api/v1/workorders/20990101-000009", headers=h), 404, "not_found"),
        (gateway.get("/api/v1/workorders?cursor=abc", headers=h), 422, "invalid_field"),
        (gateway.get("/api/v1/workorders?limit=100000", headers=h), 422, "invalid_field"),
        (gateway.get("/api/v1/nothing-here"), 404, "not_found"),
    ]
    for request, status, code in checks:
        resp = await request
        assert resp.status == status, await resp.text()
        assert (await resp.json())["error"]["code"] == code
    doc = await (await gateway.get(f"/api/v1/workorders/{case_no}", headers=h)).json()
    assert doc["status"] == "confirmed" and len(doc["history"]) == 1


async def test_the_core_api_needs_the_token(gateway):
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Basic abc"}):
        resp = await gateway.get("/api/v1/workorders", headers=headers)
        assert resp.status == 401
        assert (await resp.json())["error"]["code"] == "unauthorized"
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await gateway.get("/api/v1/workorders", headers=gateway.core_headers)).status == 200
