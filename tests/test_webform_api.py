"""POST /api/v1/reports and the citizen's status lookup, over a real socket."""
from __future__ import annotations

import asyncio
import io
import json
import re

import aiohttp
import pytest

from tests.conftest import FIXTURES, all_feed, workorder

pytestmark = pytest.mark.both_stores  # store-facing: run on SQLite and on PostgreSQL

CASE_NO = re.compile(r"^\d{8}-\d{6}$")


async def post_report(client, **fields):
    return await client.post("/api/v1/reports", json=fields)


async def intake_count(client) -> int:
    return await client.pipeline.store.count_intakes()


async def test_report_gets_a_case_number_and_a_repeat_gets_the_same(gateway):
    resp = await post_report(gateway, description="小区门口的路灯坏了好几天", address="苏州园小区东门",
                             submission_token="tok-0001")
    assert resp.status == 201
    first = await resp.json()
    assert CASE_NO.match(first["case_no"]) and first["outcome"] == "accepted"
    assert len(first["check_code"]) == 10

    again = await post_report(gateway, description="小区门口的路灯坏了好几天", submission_token="tok-0001")
    assert again.status == 200
    second = await again.json()
    assert second["case_no"] == first["case_no"] and second["repeated"] is True
    items, _ = await all_feed(gateway)
    assert [i["case_no"] for i in items] == [first["case_no"]]


async def test_double_click_files_one_case(gateway):
    answers = await asyncio.gather(*(
        post_report(gateway, description="楼下垃圾没人清", submission_token="double-click-1")
        for _ in range(20)))
    bodies = [await r.json() for r in answers]
    assert {b["case_no"] for b in bodies} == {bodies[0]["case_no"]}
    assert sorted(r.status for r in answers) == [200] * 19 + [201]
    items, _ = await all_feed(gateway)
    assert len(items) == 1


async def test_case_numbers_sort_by_date_and_are_unique(gateway):
    numbers = []
    for i in range(5):
        resp = await post_report(gateway, description=f"井盖没了 {i}", submission_token=f"order-{i:04d}")
        numbers.append((await resp.json())["case_no"])
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    assert [int(n[-6:]) for n in numbers] == [1, 2, 3, 4, 5]


async def test_work_order_carries_the_normalized_fields(gateway):
    resp = await post_report(gateway, description="噪音扰民，晚上施工", address="建国门内大街18号",
                             lat=39.90066, lng=116.40238, name="张三", phone="138 1234 5678",
                             submission_token="fields-001")
    case_no = (await resp.json())["case_no"]
    doc = await (await gateway.get(f"/api/v1/workorders/{case_no}", headers=gateway.core_headers)).json()
    assert doc["channel"] == "webform" and doc["channel_ref"] == "fields-001"
    assert doc["description"] == "噪音扰民，晚上施工"
    assert doc["reporter"]["name"] == "张三" and doc["reporter"]["phone"] == "+8613812345678"
    location = doc["location"]
    assert location["grid_code"] == "110199001001001" and location["confidence"] > 0.9
    assert [level["name"] for level in location["grid_path"]][1:3] == ["东单街道", "西总布社区"]
    assert abs(location["lat"] - 39.90066) < 0.001 and abs(location["lng"] - 116.40238) < 0.001
    assert doc["created_at"].endswith("+08:00") and doc["status"] == "confirmed"
    assert doc["report_count"] == 1 and doc["duplicate_of"] is None
    assert {"category", "urgency", "department", "due_at", "needs_review", "attachments"} <= doc.keys()
    assert doc["history"][0]["action"] == "filed"


async def test_anonymous_report_keeps_name_and_phone_from_the_core(gateway):
    resp = await post_report(gateway, description="有人在小区里乱倒建筑垃圾", name="李四",
                             phone="13912345678", anonymous=True, submission_token="anon-0001")
    case_no = (await resp.json())["case_no"]
    doc = await (await gateway.get(f"/api/v1/workorders/{case_no}", headers=gateway.core_headers)).json()
    assert doc["reporter"]["anonymous"] is True
    assert "李四" not in json.dumps(doc, ensure_ascii=False)
    assert "13912345678" not in json.dumps(doc)


async def test_photos_are_kept_and_the_core_can_fetch_them(gateway):
    form = aiohttp.FormData()
    form.add_field("description", "路面塌了一个坑")
    form.add_field("submission_token", "photo-0001")
    png = (FIXTURES / "pixel.png").read_bytes()
    form.add_field("photos", png, filename="hole.png", content_type="image/png")
    resp = await gateway.post("/api/v1/reports", data=form)
    assert resp.status == 201
    case_no = (await resp.json())["case_no"]
    doc = await (await gateway.get(f"/api/v1/workorders/{case_no}", headers=gateway.core_headers)).json()
    [attachment] = doc["attachments"]
    assert attachment["content_type"] == "image/png" and attachment["size"] == len(png)
    path = attachment["url"].split("/", 3)[3]
    fetched = await gateway.get("/" + path, headers=gateway.core_headers)
    assert fetched.status == 200 and await fetched.read() == png
    assert (await gateway.get("/" + path)).status == 401


async def test_status_lookup_needs_the_check_code_and_shows_no_personal_data(gateway):
    resp = await post_report(gateway, description="小区电梯坏了", name="王五", phone="13600001111",
                             submission_token="status-001")
    body = await resp.json()
    ok = await gateway.get(f"/api/v1/reports/{body['case_no']}?code={body['check_code']}")
    assert ok.status == 200
    public = await ok.json()
    assert public["status_name"] == "已立案"
    assert "王五" not in json.dumps(public, ensure_ascii=False) and "13600001111" not in json.dumps(public)
    wrong = await gateway.get(f"/api/v1/reports/{body['case_no']}?code=000000")
    unknown = await gateway.get("/api/v1/reports/20990101-000001?code=000000")
    assert wrong.status == unknown.status == 404
    assert (await wrong.json()) == (await unknown.json())  # nothing to tell them apart


async def test_bad_input_gets_a_clear_4xx_and_stores_nothing(gateway):
    cases = [
        (dict(data=b"{not json", headers={"Content-Type": "application/json"}), 400, "invalid_json"),
        (dict(json=["a list"]), 400, "invalid_json"),
        (dict(json={"address": "某地"}), 422, "invalid_field"),
        (dict(json={"description": "   "}), 422, "invalid_field"),
        (dict(json={"description": 12}), 422, "invalid_field"),
        (dict(json={"description": "x" * 4001}), 422, "invalid_field"),
        (dict(json={"description": "路灯坏了", "lat": "north", "lng": 116}), 422, "invalid_field"),
        (dict(json={"description": "路灯坏了", "lat": 91, "lng": 116}), 422, "invalid_field"),
        (dict(json={"description": "路灯坏了", "lat": 39.9}), 422, "invalid_field"),
        (dict(json={"description": "路灯坏了", "phone": "12345"}), 422, "invalid_field"),
        (dict(json={"description": "路灯坏了", "submission_token": "x"}), 422, "invalid_field"),
        (dict(data="description=x", headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type"),
    ]
    for kwargs, status, code in cases:
        resp = await gateway.post("/api/v1/reports", **kwargs)
        assert resp.status == status, (kwargs, await resp.text())
        error = (await resp.json())["error"]
        assert error["code"] == code and error["message"]
    assert await intake_count(gateway) == 0


async def test_bad_photos_are_refused_and_store_nothing(gateway):
    png = (FIXTURES / "pixel.png").read_bytes()

    def form_with(*photos):
        form = aiohttp.FormData()
        form.add_field("description", "占道经营")
        for name, data, ctype in photos:
            form.add_field("photos", io.BytesIO(data), filename=name, content_type=ctype)
        return form

    not_image = await gateway.post("/api/v1/reports", data=form_with(("virus.jpg", b"MZ\x90\x00" * 100, "image/jpeg")))
    assert not_image.status == 415
    assert "不是支持的格式" in (await not_image.json())["error"]["message"]

    too_many = await gateway.post("/api/v1/reports", data=form_with(*[(f"{i}.png", png, "image/png") for i in range(5)]))
    assert too_many.status == 413

    big = png + b"\0" * (8 * 1024 * 1024)
    too_big = await gateway.post("/api/v1/reports", data=form_with(("big.png", big, "image/png")))
    assert too_big.status == 415 or too_big.status == 413
    assert (await too_big.json())["error"]["code"] in ("attachment_too_large", "too_large")
    assert await intake_count(gateway) == 0


async def test_oversize_body_is_413_json(gateway):
    resp = await gateway.post("/api/v1/reports", data=io.BytesIO(b"x" * (41 * 1024 * 1024)),
                              headers={"Content-Type": "application/json"})
    assert resp.status == 413
    assert (await resp.json())["error"]["code"] == "too_large"
    assert await intake_count(gateway) == 0


@pytest.mark.parametrize("description, asked", [
    ("建国门内大街18号门口的路灯坏了，晚上一片漆黑", ""),
    ("我家楼下的路灯不亮了好几天", "未识别到地点"),
    ("菜市场后面的垃圾一直没人清理", "“菜市场”不止一处"),
    ("金桂北路的路灯不亮了好几天", "只知道金桂北路"),
])
async def test_a_place_not_given_is_asked_for_not_doubted(gateway, description, asked):
    """What the citizen did not say is a question to ask (`missing`), not a doubt of the
    machine: it does not mark the ticket for review."""
    resp = await post_report(gateway, description=description)
    doc = await workorder(gateway, (await resp.json())["case_no"])
    if asked:
        [question] = doc["missing"]
        assert question.startswith(asked)
        assert question not in doc["review_reasons"]
        assert question in doc["location"]["review_reasons"]  # the stage still says it
    else:
        assert doc["missing"] == []
