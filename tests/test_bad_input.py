"""Bad input on every endpoint gets a clear 4xx in the endpoint's own terms — JSON errors on
the APIs, a Chinese HTML page on the citizen's form — never a 500, and nothing is stored."""
from __future__ import annotations

import json

import pytest

from tests.conftest import all_feed, running_gateway, workorder
from tests.hotline_helpers import hotline_settings, post_event, signed
from tests.test_telegram import SECRET as TG_SECRET
from tests.test_telegram import telegram_gateway

DEEP = b"[" * 100_000


async def intake_count(gw) -> int:
    return (await gw.pipeline.store.read("SELECT count(*) FROM intakes"))[0][0]


BAD_FORMS = [
    ("a text part that is not UTF-8", b'--x\r\nContent-Disposition: form-data; name="description"\r\n\r\n\x89\xff\r\n--x--\r\n',
     "multipart/form-data; boundary=x"),
    ("a control character in a part header",
     b'--x\r\nContent-Disposition: form-data; name="desc\x01ription"\r\n\r\nabc\r\n--x--\r\n', "multipart/form-data; boundary=x"),
    ("no boundary", b"--x\r\n", "multipart/form-data"),
    ("no starting boundary", b"garbage", "multipart/form-data; boundary=x"),
]


@pytest.mark.parametrize("what, body, content_type", BAD_FORMS, ids=[b[0] for b in BAD_FORMS])
async def test_broken_forms_are_refused_in_the_endpoints_terms(gateway, what, body, content_type):
    api = await gateway.post("/api/v1/reports", data=body, headers={"Content-Type": content_type})
    assert api.status == 400, (what, await api.text())
    assert (await api.json())["error"]["code"] == "invalid_form"
    page = await gateway.post("/report", data=body, headers={"Content-Type": content_type})
    assert page.status == 400 and page.content_type == "text/html"
    assert "表单格式不正确" in await page.text()
    assert await intake_count(gateway) == 0


async def test_an_undecodable_form_field_is_a_page_in_chinese(gateway):
    page = await gateway.post("/report", data=b"description=\xff",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert page.status == 400 and page.content_type == "text/html"
    assert await intake_count(gateway) == 0


async def test_deeply_nested_json_is_a_400_everywhere(gateway):
    h = {**gateway.core_headers, "Content-Type": "application/json"}
    resp = await gateway.post("/api/v1/reports", data=b'{"description": "ok"}', headers=h)
    case_no = (await resp.json())["case_no"]
    for path, headers in (("/api/v1/reports", h), (f"/api/v1/workorders/{case_no}/status", h),
                          (f"/api/v1/workorders/{case_no}/split", h), ("/console/api/login", h)):
        resp = await gateway.post(path, data=DEEP, headers=headers)
        assert resp.status == 400, (path, resp.status)
        assert (await resp.json())["error"]["code"] == "invalid_json"


async def test_hotline_refuses_malformed_events_without_storing_them(tmp_path):
    async with running_gateway(hotline_settings(tmp_path / "data")) as hl:
        long_stamp = {"X-Hotline-Timestamp": "9" * 400, "X-Hotline-Signature": "sha256=00",
                      "Content-Type": "application/json"}
        resp = await hl.post("/hooks/hotline", data=b"{}", headers=long_stamp)
        assert resp.status == 401 and (await resp.json())["error"]["code"] == "bad_timestamp"
        body = DEEP
        resp = await hl.post("/hooks/hotline", data=body, headers={"Content-Type": "application/json", **signed(body)})
        assert resp.status == 400 and (await resp.json())["error"]["code"] == "invalid_json"
        surrogate = b'{"event": "call.new", "call_id": "C-\\ud800"}'
        resp = await hl.post("/hooks/hotline", data=surrogate,
                             headers={"Content-Type": "application/json", **signed(surrogate)})
        assert resp.status == 400
        for event, status in (
                ({"event": "call.new", "call_id": "C-1", "caller": {"number": "138"}}, 422),
                ({"event": "call.new", "call_id": "C-1", "caller": ["138"]}, 422),
                ({"event": "transcript.ready", "call_id": "C-1", "text": "路灯坏了", "final": "false"}, 422),
                ({"event": "transcript.ready", "call_id": "C-1", "text": "路灯坏了" * 6_000}, 413),  # 24,000 characters
                ({"event": "call.new", "call_id": "C-\u0000-1"}, 422)):
            resp = await post_event(hl, event)
            assert resp.status == status, (event.get("caller"), event.get("final"), resp.status)
            assert "error" in await resp.json()
        assert await intake_count(hl) == 0
        assert await hl.pipeline.store.read("SELECT * FROM channel_states") == []


async def test_telegram_webhook_bodies_that_are_not_updates(tmp_path):
    async with telegram_gateway(tmp_path, mode="webhook", webhook_secret=TG_SECRET) as gw:
        h = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "Content-Type": "application/json"}
        for body in (b"[1,2,3]", b"null", b'"x"', b'{"update_id": 5, "message": "hi"}',
                     b'{"update_id": "5"}', DEEP):
            resp = await gw.post("/hooks/telegram", data=body, headers=h)
            assert resp.status == 400, (body[:20], resp.status)
        assert await intake_count(gw) == 0


async def test_core_api_text_that_cannot_be_stored_is_a_client_error(gateway):
    h = gateway.core_headers
    resp = await gateway.post("/api/v1/reports", json={"description": "井盖\u0000没了，\u0007和平路18号"})
    case_no = (await resp.json())["case_no"]
    doc = await workorder(gateway, case_no)
    assert "\u0000" not in doc["description"] and "\u0007" not in doc["description"]
    assert doc["description"] == "井盖没了，和平路18号"
    items, _ = await all_feed(gateway)
    assert all("\u0000" not in json.dumps(i, ensure_ascii=False) for i in items)
    bad = b'{"status": "dispatched", "update_id": "u-\\ud800", "note": "x"}'
    resp = await gateway.post(f"/api/v1/workorders/{case_no}/status", data=bad,
                              headers={**h, "Content-Type": "application/json"})
    assert resp.status == 400 and "Retry-After" not in resp.headers
    resp = await gateway.post(f"/api/v1/workorders/{case_no}/status", headers=h,
                              json={"status": "dispatched", "update_id": "u\u00001", "note": "派往市政"})
    assert resp.status == 422 and (await resp.json())["error"]["field"] == "update_id"
    resp = await gateway.post(f"/api/v1/workorders/{case_no}/status", headers=h,
                              json={"status": "dispatched", "update_id": "u-2", "note": "派往\u0000市政"})
    assert resp.status == 200 and (await resp.json())["status_note"] == "派往市政"
