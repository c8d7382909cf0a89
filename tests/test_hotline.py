"""The call-centre webhook: signatures, the per-call state machine, missed calls,
recordings (uploaded or fetched from a loopback stand-in for the centre's server)."""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from channels.hotline import sign
from tests.conftest import all_feed, running_gateway
from tests.hotline_helpers import (
    call_with_transcript,
    hotline_settings,
    post_event,
    post_recording,
    signed,
    silent_wav,
)


@pytest.fixture
async def hotline(tmp_path):
    async with running_gateway(hotline_settings(tmp_path / "data")) as client:
        yield client


async def held(client) -> list[dict]:
    rows = await client.pipeline.store.read("SELECT doc FROM workorders ORDER BY case_no")
    return [json.loads(r[0]) for r in rows]


async def held_once_filed(client) -> list[dict]:
    """The tickets, once the first one is filed (a recording is handled in the background)."""
    for _ in range(100):
        docs = await held(client)
        if docs:
            return docs
        await asyncio.sleep(0.05)
    return []


async def test_unsigned_badly_signed_and_replayed_events_are_refused(hotline):
    body = json.dumps({"event": "call.new", "call_id": "X1", "caller": "13812345678"}).encode()
    plain = {"Content-Type": "application/json"}
    resp = await hotline.post("/hooks/hotline", data=body, headers=plain)
    assert resp.status == 401 and (await resp.json())["error"]["code"] == "unsigned"
    resp = await hotline.post("/hooks/hotline", data=body, headers={**plain, **signed(body, secret="wrong")})
    assert resp.status == 401 and (await resp.json())["error"]["code"] == "bad_signature"
    resp = await hotline.post("/hooks/hotline", data=body, headers={**plain, **signed(body, at=time.time() - 3600)})
    assert resp.status == 401 and (await resp.json())["error"]["code"] == "stale_timestamp"
    # A signature made for one body does not cover another.
    headers = signed(body)
    resp = await hotline.post("/hooks/hotline", data=body.replace(b"X1", b"X2"), headers={**plain, **headers})
    assert resp.status == 401
    assert await hotline.pipeline.store.read("SELECT * FROM channel_states WHERE channel = 'hotline'") == []


async def test_bad_events_get_clear_answers(hotline):
    resp = await post_event(hotline, {"event": "call.transferred", "call_id": "X1"})
    assert resp.status == 422 and (await resp.json())["error"]["code"] == "unknown_event"
    resp = await post_event(hotline, {"event": "call.new", "caller": "13812345678"})
    assert resp.status == 422 and (await resp.json())["error"]["code"] == "missing_call_id"
    body = b"not json"
    resp = await hotline.post("/hooks/hotline", data=body, headers={"Content-Type": "application/json", **signed(body)})
    assert resp.status == 400 and (await resp.json())["error"]["code"] == "invalid_json"
    resp = await post_recording(hotline, {"event": "recording.ready", "call_id": "X1"},
                                b"%PDF-1.4 this is a document, not a recording", "call.wav")
    assert resp.status == 422 and (await resp.json())["error"]["code"] == "not_audio"


async def test_a_call_becomes_one_held_ticket_whatever_repeats_arrive(hotline):
    answer = await call_with_transcript(hotline, "C-100", "建设路小区门口垃圾堆了好几天没人清理", caller="+86 139-1111-2222")
    case_no = answer["case_no"]
    assert case_no
    # The same events again, and a late, out-of-order call.new: no second ticket.
    again = await call_with_transcript(hotline, "C-100", "建设路小区门口垃圾堆了好几天没人清理")
    assert again["case_no"] == case_no and again["repeated"] is True
    resp = await post_event(hotline, {"event": "call.hangup", "call_id": "C-100", "cause": "normal"})
    assert (await resp.json())["phase"] == "ended"
    docs = await held(hotline)
    assert [d["case_no"] for d in docs] == [case_no]
    doc = docs[0]
    assert doc["status"] == "received" and doc["channel"] == "hotline" and doc["channel_ref"] == "C-100"
    assert doc["reporter"]["phone"] == "+8613911112222"
    assert doc["description"] == "建设路小区门口垃圾堆了好几天没人清理"
    # Held for the operator: the core sees nothing yet.
    assert (await all_feed(hotline))[0] == []


async def test_hang_up_before_answer_goes_to_the_call_back_list_not_a_ticket(hotline):
    await post_event(hotline, {"event": "call.new", "call_id": "M-1", "caller": "010-6512 3456"})
    resp = await post_event(hotline, {"event": "call.hangup", "call_id": "M-1", "cause": "abandoned"})
    assert (await resp.json())["phase"] == "missed"
    assert await held(hotline) == []
    state = (await hotline.pipeline.store.read(
        "SELECT value FROM channel_states WHERE channel = 'hotline' AND key = 'M-1'"))[0][0]
    assert json.loads(state)["caller"] == "+861065123456"
    # The answer overtook by the hang-up arrives late: not missed after all.
    resp = await post_event(hotline, {"event": "call.answered", "call_id": "M-1", "seat_id": "A1"})
    assert (await resp.json())["phase"] == "ended"


async def test_hang_up_without_transcript_files_a_ticket_marked_for_typing(hotline):
    await post_event(hotline, {"event": "call.new", "call_id": "N-1", "caller": "13700001111"})
    await post_event(hotline, {"event": "call.answered", "call_id": "N-1", "seat_id": "A2"})
    resp = await post_event(hotline, {"event": "call.hangup", "call_id": "N-1", "cause": "normal"})
    assert resp.status == 200
    [doc] = await held(hotline)
    assert doc["description"] == "（无转写，请人工填写）" and doc["status"] == "received"


async def test_uploaded_recording_without_engine_still_files_the_call(hotline):
    await post_event(hotline, {"event": "call.new", "call_id": "R-1", "caller": "13700002222"})
    await post_event(hotline, {"event": "call.answered", "call_id": "R-1", "seat_id": "A3"})
    resp = await post_recording(hotline, {"event": "recording.ready", "call_id": "R-1"}, silent_wav())
    assert resp.status == 202, await resp.text()
    await asyncio.sleep(0.2)
    assert await held(hotline) == []  # still on the phone: filed at hang-up
    await post_event(hotline, {"event": "call.hangup", "call_id": "R-1", "cause": "normal"})
    [doc] = await held_once_filed(hotline)
    assert doc["attachments"][0]["type"] == "audio"
    assert doc["description"] == "（无转写，请人工填写）"


class RecordingServer:
    """A stand-in for the call centre's recording server, on loopback."""

    def __init__(self):
        self.app = web.Application()
        self.app.router.add_get("/rec/ok.wav", self.ok)
        self.app.router.add_get("/rec/slow.wav", self.slow)
        self.app.router.add_get("/rec/huge.wav", self.huge)

    async def ok(self, request):
        return web.Response(body=silent_wav(), content_type="audio/wav")

    async def slow(self, request):
        await asyncio.sleep(5)
        return web.Response(body=silent_wav(), content_type="audio/wav")

    async def huge(self, request):
        resp = web.StreamResponse()  # no Content-Length: the size shows only while reading
        await resp.prepare(request)
        for _ in range(40):
            await resp.write(b"\0" * 65536)
        return resp


async def test_recording_urls_are_fetched_within_limits(tmp_path):
    server = TestServer(RecordingServer().app, host="127.0.0.1")
    await server.start_server()
    settings = hotline_settings(tmp_path / "data", **{"hotline.recording_timeout_s": 0.5,
                                                       "hotline.recording_max_mb": 1.0})
    settings.hotline.recording_hosts = [f"127.0.0.1:{server.port}"]
    try:
        async with running_gateway(settings) as client:
            await post_event(client, {"event": "call.new", "call_id": "U-1", "caller": "13700003333"})
            base = f"http://127.0.0.1:{server.port}/rec"
            resp = await post_event(client, {"event": "recording.ready", "call_id": "U-1", "url": f"{base}/slow.wav"})
            assert resp.status == 504 and (await resp.json())["error"]["code"] == "recording_timeout"
            resp = await post_event(client, {"event": "recording.ready", "call_id": "U-1", "url": f"{base}/huge.wav"})
            assert resp.status == 413 and (await resp.json())["error"]["code"] == "recording_too_large"
            resp = await post_event(client, {"event": "recording.ready", "call_id": "U-1",
                                             "url": "http://example.invalid/rec/ok.wav"})
            assert resp.status == 422 and (await resp.json())["error"]["code"] == "recording_host_not_allowed"
            # The centre retries the same event once its server is well: it is applied.
            resp = await post_event(client, {"event": "recording.ready", "call_id": "U-1", "url": f"{base}/ok.wav"})
            assert resp.status == 202
            await post_event(client, {"event": "call.hangup", "call_id": "U-1", "cause": "normal"})
            docs = await held_once_filed(client)
            assert len(docs) == 1 and docs[0]["attachments"][0]["type"] == "audio"
    finally:
        await server.close()


async def test_the_documented_signature_example_is_what_the_gateway_checks(hotline):
    resp = await hotline.get("/api/openapi.json")
    spec = await resp.json()
    tag = next(t for t in spec["tags"] if t["name"] == "hotline")["description"]
    body = json.dumps(spec["components"]["schemas"]["HotlineCallNew"]["example"], ensure_ascii=False,
                      separators=(",", ":"))
    assert sign("example-shared-secret", "1714527000", body.encode()) in tag
    assert "/hooks/hotline" in spec["paths"]
    doc = (Path(__file__).resolve().parent.parent / "docs" / "hotline.md").read_text(encoding="utf-8")  # noqa: ASYNC240
    assert sign("example-shared-secret", "1714527000", body.encode()) in doc
