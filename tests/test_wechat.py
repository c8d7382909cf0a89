"""The WeChat Official Account endpoint over real HTTP: signed (and in safe mode encrypted)
XML posted to /hooks/wechat, passive replies read back, customer-service messages caught by
a fake WeChat API on loopback."""
from __future__ import annotations

import asyncio
import itertools
import re
import time
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from channels.wechat_crypto import MessageCrypto, sign
from tests.conftest import (
    FIXTURES,
    all_feed,
    case_count,
    make_settings,
    running_chat_gateway,
    set_status,
    workorder,
)
from tests.fakes.wechat_api import running_wechat_api

XML = FIXTURES / "wechat"
TOKEN = "hotline-token"
APP_ID = "wx2c2769f8efd9abc2"
SECRET = "app-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OLD_AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
# 八条社区第二网格's centre (WGS-84 39.916822, 116.408389) as a WeChat pin gives it: GCJ-02.
PIN = {"lat": "39.918226", "lng": "116.414632", "label": "北京市东城区东四八条"}
CASE = re.compile(r"工单编号：(\d{8}-\d{6})")
ids = itertools.count(6054768590064713728)


def fixture(name: str, **values) -> str:
    values.setdefault("time", str(int(time.time())))
    values.setdefault("msgid", str(next(ids)))
    return (XML / f"{name}.xml").read_text(encoding="utf-8").format(**values)


class Citizen:
    """A WeChat user posting through WeChat's servers to the gateway."""

    def __init__(self, gw, openid: str, crypto: MessageCrypto | None = None):
        self.gw, self.openid, self.crypto = gw, openid, crypto

    def query(self, body: str = "", timestamp: str | None = None) -> dict:
        timestamp = timestamp or str(int(time.time()))
        nonce = "1320562132"
        params = {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp,
                  "nonce": nonce, "openid": self.openid}
        if self.crypto is not None:
            params.update(encrypt_type="aes", msg_signature=sign(TOKEN, timestamp, nonce, body))
        return params

    async def post_raw(self, xml: str, **kw):
        body = xml
        if self.crypto is not None:
            body = self.crypto.encrypt(xml)
            params = self.query(body)
            body = f"<xml><ToUserName><![CDATA[gh_12345hotline]]></ToUserName><Encrypt><![CDATA[{body}]]></Encrypt></xml>"
        else:
            params = self.query()
        params.update(kw.pop("params", {}))
        return await self.gw.post("/hooks/wechat", params=params, data=body.encode(),
                                  headers={"Content-Type": "text/xml"})

    async def send(self, name: str, **values) -> str:
        """The text of the passive reply ("" for "success")."""
        resp = await self.post_raw(fixture(name, openid=self.openid, **values))
        assert resp.status == 200, await resp.text()
        body = await resp.text()
        if body == "success":
            return ""
        fields = {c.tag: c.text for c in fromstring(body)}
        if self.crypto is not None:
            assert fields["MsgSignature"] == sign(TOKEN, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
            fields = {c.tag: c.text for c in fromstring(self.crypto.decrypt(fields["Encrypt"]))}
        assert fields["ToUserName"] == self.openid and fields["MsgType"] == "text"
        return fields["Content"]

    async def say(self, content: str) -> str:
        return await self.send("text", content=content)


@asynccontextmanager
async def wechat_gateway(tmp_path: Path, data: str = "data", **options):
    async with running_wechat_api(APP_ID, SECRET) as api:
        settings = make_settings(tmp_path / data)
        w = settings.wechat
        w.enabled, w.token, w.app_id, w.app_secret = True, TOKEN, APP_ID, SECRET
        w.encoding_aes_key, w.previous_aes_key = AES_KEY, OLD_AES_KEY
        w.api_base, w.sweep_interval_s, w.reply_budget_s = api.url, 0.05, 3.0
        async with running_chat_gateway(settings, w, api, options) as gw:
            yield gw





# -- the protocol ---------------------------------------------------------------------------

async def test_url_check_answers_echostr_only_when_signed(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        ts = str(int(time.time()))
        good = {"signature": sign(TOKEN, ts, "42"), "timestamp": ts, "nonce": "42", "echostr": "e-123"}
        resp = await gw.get("/hooks/wechat", params=good)
        assert resp.status == 200 and await resp.text() == "e-123"
        forged = {**good, "signature": sign("guessed", ts, "42")}
        resp = await gw.get("/hooks/wechat", params=forged)
        assert resp.status == 403 and "e-123" not in await resp.text()
        stale = str(int(time.time()) - 3600)
        resp = await gw.get("/hooks/wechat", params={**good, "timestamp": stale,
                                                      "signature": sign(TOKEN, stale, "42")})
        assert resp.status == 403


async def test_a_complete_report_gets_its_case_number_and_a_retry_no_second_case(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        citizen = Citizen(gw, "o-plain-1")
        xml = fixture("text", openid=citizen.openid, content="苏州园小区3号楼门口的路灯不亮了")
        first = await citizen.post_raw(xml)
        await asyncio.sleep(1.0 - time.time() % 1.0 + 0.01)  # WeChat retries seconds later
        retry = await citizen.post_raw(xml)
        first_body, retry_body = await first.text(), await retry.text()
        assert first_body == retry_body  # the same reply, to its CreateTime
        content = fromstring(first_body).findtext("Content")
        case_no = CASE.search(content).group(1)
        assert "查询码" in content and "路灯" in content
        doc = await workorder(gw, case_no)
        assert doc["channel"] == "wechat" and doc["reporter"]["contact_id"] == "o-plain-1"
        assert "苏州园小区3号楼" in doc["location"]["address"]
        assert await case_count(gw) == 1


async def test_safe_mode_asks_for_the_place_and_files_with_the_map_pin(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        citizen = Citizen(gw, "o-safe-1", MessageCrypto(TOKEN, AES_KEY, APP_ID))
        assert await citizen.say("我家楼下的污水井盖丢了，很危险") == "请发送位置或说明具体地点，例如 XX小区X号楼。"
        reply = await citizen.send("location", **PIN)
        case_no = CASE.search(reply).group(1)
        doc = await workorder(gw, case_no)
        assert doc["location"]["grid_code"] == "110199003002002"  # the pin, shifted back to WGS-84
        assert "井盖" in doc["description"]


async def test_safe_mode_refuses_forgeries_and_accepts_the_previous_key(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        crypto = MessageCrypto(TOKEN, AES_KEY, APP_ID)
        citizen = Citizen(gw, "o-safe-2", crypto)
        xml = fixture("text", openid=citizen.openid, content="苏州园小区3号楼门口的路灯不亮了")
        resp = await citizen.post_raw(xml, params={"msg_signature": "0" * 40})
        assert resp.status == 403
        other_app = Citizen(gw, "o-safe-2", MessageCrypto(TOKEN, AES_KEY, "wx-someone-else"))
        assert (await other_app.post_raw(xml)).status == 403
        assert await case_count(gw) == 0
        rotated = Citizen(gw, "o-safe-2", MessageCrypto(TOKEN, OLD_AES_KEY, APP_ID))
        resp = await rotated.post_raw(xml)
        assert resp.status == 200 and "Encrypt" in await resp.text()
        assert await case_count(gw) == 1


async def test_plaintext_is_refused_when_encryption_is_required(tmp_path):
    async with wechat_gateway(tmp_path, require_encryption=True) as gw:
        resp = await Citizen(gw, "o-plain-2").post_raw(
            fixture("text", openid="o-plain-2", content="苏州园小区3号楼门口的路灯不亮了"))
        assert resp.status == 403 and await case_count(gw) == 0


# -- the conversation -----------------------------------------------------------------------

async def test_unsure_category_is_confirmed_from_numbered_choices(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        citizen = Citizen(gw, "o-cat-1")
        assert "具体地点" in await citizen.say("楼下好吵，天天晚上吵")
        question = await citizen.say("苏州园小区3号楼")
        assert question.startswith("请确认问题类别")
        choice = next(line.split()[0] for line in question.splitlines() if "噪声扰民" in line)
        reply = await citizen.say(choice)
        doc = await workorder(gw, CASE.search(reply).group(1))
        assert doc["category"]["name"] == "噪声扰民"
        assert "苏州园小区3号楼" in doc["location"]["address"]


async def test_already_reported_lets_the_citizen_join_the_open_case(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        first = await Citizen(gw, "o-dup-1").say("建国门内大街18号门口的路灯坏了，晚上一片漆黑")
        case_no = CASE.search(first).group(1)
        neighbour = Citizen(gw, "o-dup-2")
        question = await neighbour.say("建国门内大街18号路灯坏了")
        assert "可能已经有人反映过" in question and case_no in question
        reply = await neighbour.say("1")
        assert f"已并入工单 {case_no}" in reply
        assert (await workorder(gw, case_no))["report_count"] == 2
        assert await case_count(gw) == 1


async def test_commands_greetings_and_subscribe_open_no_case(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        citizen = Citizen(gw, "o-cmd-1")
        assert "您好" in await citizen.send("event", event="subscribe", key="")
        assert "您好" in await citizen.say("你好")
        assert "使用说明" in await citizen.say("帮助")
        assert "使用说明" in await citizen.send("event", event="CLICK", key="HELP")
        assert await citizen.send("event", event="LOCATION", key="") == ""
        assert "没有通过本渠道反映过" in await citizen.say("查询")
        assert "具体地点" in await citizen.say("我家楼下路灯坏了")
        assert "已取消" in await citizen.say("取消")
        assert await case_count(gw) == 0
        reply = await citizen.say("苏州园小区3号楼门口的路灯不亮了")
        case_no = CASE.search(reply).group(1)
        assert case_no in await citizen.say("查询")
        detail = await citizen.say(f"查询 {case_no}")
        assert f"工单 {case_no}" in detail and "状态：已立案" in detail
        assert "未找到" in await Citizen(gw, "o-cmd-2").say(f"查询 {case_no}")  # not theirs


async def test_status_changes_reach_the_citizen_who_then_rates(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        citizen = Citizen(gw, "o-rate-1")
        case_no = CASE.search(await citizen.say("苏州园小区3号楼门口的路灯不亮了")).group(1)
        await set_status(gw, case_no, "dispatched", "u1", department="市政所")
        await set_status(gw, case_no, "resolved", "u2", note="已更换灯泡")
        await set_status(gw, case_no, "closed", "u3")
        texts = await gw.api.wait_for("o-rate-1", 3)
        assert "已派遣至市政所办理" in texts[0] and "已更换灯泡" in texts[1]
        assert "1 满意" in texts[2]
        assert "满意" in await citizen.say("1")
        doc = await workorder(gw, case_no)
        assert [s["rating_name"] for s in doc["satisfaction"]] == ["满意"]


async def test_an_unanswered_question_files_the_report_for_review_and_says_so(tmp_path):
    async with wechat_gateway(tmp_path, followup_timeout_s=0.3) as gw:
        citizen = Citizen(gw, "o-idle-1")
        assert "具体地点" in await citizen.say("我家楼下路灯坏了")
        [text] = await gw.api.wait_for("o-idle-1", 1)
        assert "没有收到您的回复" in text
        doc = await workorder(gw, CASE.search(text).group(1))
        # the place the citizen never gave is what the operator must ask for
        assert doc["missing"][0].startswith("未识别到地点") and doc["description"] == "我家楼下路灯坏了"
        await asyncio.sleep(0.3)
        assert await case_count(gw) == 1


async def test_a_pause_gathers_the_photo_sent_after_the_words(tmp_path):
    async with wechat_gateway(tmp_path, pause_s=0.5) as gw:
        gw.api.media["m-photo-1"] = ((FIXTURES / "pixel.jpg").read_bytes(), "image/jpeg")
        citizen = Citizen(gw, "o-pause-1")
        assert "已记录您反映的问题" in await citizen.say("苏州园小区3号楼门口的路灯不亮了")
        assert "已收到照片" in await citizen.send("image", media_id="m-photo-1")
        [text] = await gw.api.wait_for("o-pause-1", 1)
        doc = await workorder(gw, CASE.search(text).group(1))
        assert [a["type"] for a in doc["attachments"]] == ["image"]


async def test_a_restart_mid_conversation_loses_nothing(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        assert "具体地点" in await Citizen(gw, "o-restart").say("我家楼下的污水井盖丢了")
    async with wechat_gateway(tmp_path) as gw:
        reply = await Citizen(gw, "o-restart").send("location", **PIN)
        doc = await workorder(gw, CASE.search(reply).group(1))
        assert "井盖" in doc["description"] and doc["location"]["grid_code"] == "110199003002002"


async def test_a_slow_answer_goes_out_later_as_a_customer_service_message(tmp_path):
    async with wechat_gateway(tmp_path, reply_budget_s=0.2) as gw:
        gw.api.media["m-slow"] = ((FIXTURES / "pixel.jpg").read_bytes(), "image/jpeg")
        gw.api.media_delay_s = 0.6
        citizen = Citizen(gw, "o-slow-1")
        xml = fixture("image", openid=citizen.openid, media_id="m-slow")
        assert await (await citizen.post_raw(xml)).text() == "success"
        assert await (await citizen.post_raw(xml)).text() == "success"  # WeChat's retry
        [text] = await gw.api.wait_for("o-slow-1", 1)
        assert "已收到照片" in text
        await asyncio.sleep(0.8)
        assert await (await citizen.post_raw(xml)).text() == "success"  # a late retry
        assert len(gw.api.texts_to("o-slow-1")) == 1


async def test_voice_uses_wechat_recognition_else_asks_for_words(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        amr = b"#!AMR\n" + bytes(200)
        gw.api.media["v-1"] = (amr, "audio/amr")
        gw.api.media["v-2"] = (amr + b"2", "audio/amr")
        citizen = Citizen(gw, "o-voice-1")
        reply = await citizen.send("voice", media_id="v-1", recognition="苏州园小区3号楼门口的路灯不亮了")
        doc = await workorder(gw, CASE.search(reply).group(1))
        assert "路灯" in doc["description"] and doc["attachments"][0]["type"] == "audio"
        # No recognition and no speech engine configured: the citizen is asked to type.
        assert "请用文字描述" in await Citizen(gw, "o-voice-2").send("voice", media_id="v-2", recognition="")
        assert await case_count(gw) == 1


# -- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["billion_laughs", "xxe"])
async def test_xml_with_doctype_or_entities_is_refused(tmp_path, name):
    async with wechat_gateway(tmp_path) as gw:
        resp = await Citizen(gw, "o-evil").post_raw(fixture(name, openid="o-evil"))
        assert resp.status == 400 and "root:" not in await resp.text()
        assert await case_count(gw) == 0


async def test_malformed_huge_and_unknown_messages(tmp_path):
    async with wechat_gateway(tmp_path, max_body_kb=8) as gw:
        citizen = Citizen(gw, "o-bad")
        assert (await citizen.post_raw("<xml><MsgType>text</MsgType>")).status == 400
        assert (await citizen.post_raw("<html><body/></html>")).status == 400
        huge = fixture("text", openid="o-bad", content="路灯坏了" * 4000)
        assert (await citizen.post_raw(huge)).status == 413
        assert "暂不支持" in await citizen.send("video")
        assert "接收失败" in await citizen.send("image", media_id="no-such-media")
        assert await case_count(gw) == 0


async def test_a_location_that_is_not_a_position_does_not_stick_the_citizen(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        citizen = Citizen(gw, "o-nan")
        await citizen.say("污水井盖丢了，很危险")
        await citizen.send("location", lat="NaN", lng="inf", label="不知道哪里")
        # The citizen goes on as if no pin had come: the place in words files the report.
        reply = await citizen.say("苏州园小区3号楼门口")
        assert "工单编号" in reply, reply
        [doc] = (await all_feed(gw))[0]
        assert "苏州园小区" in doc["location"]["address"] and doc["location"]["grid_code"]


async def test_a_place_the_registry_does_not_know_is_not_asked_for_again(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        citizen = Citizen(gw, "o-unregistered")
        reply = await citizen.say("和平路18号门口的污水井盖没了，一个大黑窟窿")  # 和平路 is not in the demo district
        assert not reply.startswith("请发送位置") and "工单编号" in reply, reply
        doc = await workorder(gw, CASE.search(reply).group(1))
        location = doc["location"]
        assert location["grid_code"] == "" and location["address"] == "和平路18号门口"
        assert location["place"] == {"road": "和平路", "number": "18", "side": "门口", "text": "和平路18号门口"}
        assert any(r.startswith("地点未登记") for r in location["review_reasons"])


async def test_only_a_road_gets_one_question_for_something_more_precise(tmp_path):
    async with wechat_gateway(tmp_path) as gw:
        citizen = Citizen(gw, "o-road-only")
        reply = await citizen.say("和平路上的路灯晚上不亮了")
        assert "和平路" in reply and "门牌号" in reply, reply
        reply = await citizen.say("和平路和解放路路口东边")
        assert "工单编号" in reply, reply
        doc = await workorder(gw, CASE.search(reply).group(1))
        assert doc["location"]["place"]["cross_road"] in ("解放路", "和平路")
