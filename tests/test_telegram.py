"""The Telegram bot: the real python-telegram-bot, polling or behind our webhook route,
against a fake Bot API server on loopback (no network)."""
from __future__ import annotations

import asyncio
import json
import re
from contextlib import asynccontextmanager
from pathlib import Path

from tests.conftest import (
    FIXTURES,
    case_count,
    make_settings,
    running_chat_gateway,
    set_status,
    workorder,
)
from tests.fakes.telegram_api import running_bot_api

TOKEN = "7000001:AAHhotline-test-token"
SECRET = "webhook-secret-0123456789"
CASE = re.compile(r"工单编号：(\d{8}-\d{6})")
# 八条社区第二网格's centre; Telegram pins are WGS-84.
PIN = {"latitude": 39.916822, "longitude": 116.408389}


@asynccontextmanager
async def telegram_gateway(tmp_path: Path, data: str = "data", **options):
    async with running_bot_api(TOKEN) as api:
        settings = make_settings(tmp_path / data)
        t = settings.telegram
        t.enabled, t.bot_token = True, TOKEN
        t.base_url, t.base_file_url = f"{api.url}/bot", f"{api.url}/file/bot"
        t.poll_timeout_s, t.sweep_interval_s = 1.0, 0.05
        async with running_chat_gateway(settings, t, api, options) as gw:
            yield gw





async def say(gw, chat: int, count: int, **content) -> str:
    """Send a message by polling and wait until the bot has sent `count` messages in all."""
    gw.api.push(gw.api.message(chat, **content))
    return (await gw.api.wait_for(chat, count))[-1]


async def test_polling_report_with_photo_question_and_case_number(tmp_path):
    async with telegram_gateway(tmp_path) as gw:
        api = gw.api
        assert "您好" in await say(gw, 501, 1, text="/start")
        assert await case_count(gw) == 0
        api.files["small"] = b"\xff\xd8\xff" + bytes(10)  # not an image: must not be the one taken
        api.files["large"] = (FIXTURES / "pixel.jpg").read_bytes()
        photo = [{"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90, "file_size": 13},
                 {"file_id": "large", "file_unique_id": "l", "width": 1280, "height": 960,
                  "file_size": len(api.files["large"])}]
        assert "请用文字简要描述" in await say(gw, 501, 2, photo=photo)
        assert "具体地点" in await say(gw, 501, 3, text="污水井盖丢了，很危险")
        reply = await say(gw, 501, 4, location=PIN)
        case_no = CASE.search(reply).group(1)
        doc = await workorder(gw, case_no)
        assert doc["channel"] == "telegram" and doc["reporter"]["contact_id"] == "501"
        assert doc["location"]["grid_code"] == "110199003002002"
        assert [a["content_type"] for a in doc["attachments"]] == ["image/jpeg"]
        assert case_no in await say(gw, 501, 5, text="/status@hotline12345_bot")
        assert "状态：已立案" in await say(gw, 501, 6, text=f"查询 {case_no}")


async def test_status_updates_and_the_rating_on_telegram(tmp_path):
    async with telegram_gateway(tmp_path) as gw:
        reply = await say(gw, 502, 1, text="苏州园小区3号楼门口的路灯不亮了")
        case_no = CASE.search(reply).group(1)
        await set_status(gw, case_no, "dispatched", "t1", department="市政所")
        await set_status(gw, case_no, "resolved", "t2", note="已更换灯泡")
        await set_status(gw, case_no, "closed", "t3")
        texts = await gw.api.wait_for(502, 4)
        assert "市政所" in texts[1] and "已更换灯泡" in texts[2] and "3 不满意" in texts[3]
        assert "基本满意" in await say(gw, 502, 5, text="2")
        doc = await workorder(gw, case_no)
        assert [s["rating_name"] for s in doc["satisfaction"]] == ["基本满意"]


async def test_unsupported_content_voice_and_oversized_files_get_polite_answers(tmp_path):
    async with telegram_gateway(tmp_path, max_file_mb=1.0) as gw:
        sticker = {"file_id": "st", "file_unique_id": "st", "type": "regular", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False}
        assert "暂不支持" in await say(gw, 503, 1, sticker=sticker)
        gw.api.files["voice-1"] = b"OggS" + bytes(100)
        voice = {"file_id": "voice-1", "file_unique_id": "v1", "duration": 3, "mime_type": "audio/ogg"}
        assert "请用文字描述" in await say(gw, 503, 2, voice=voice)
        big = {"file_id": "big", "file_unique_id": "b", "file_name": "scan.pdf",
               "mime_type": "application/pdf", "file_size": 5 * 1024 * 1024}
        assert "文件过大" in await say(gw, 503, 3, document=big)
        gone = [{"file_id": "vanished", "file_unique_id": "x", "width": 10, "height": 10}]
        assert "接收失败" in await say(gw, 503, 4, photo=gone)
        assert "已取消" in await say(gw, 503, 5, text="/cancel")
        assert await case_count(gw) == 0


async def test_an_unanswered_question_is_filed_after_the_timeout(tmp_path):
    async with telegram_gateway(tmp_path, followup_timeout_s=0.3) as gw:
        assert "具体地点" in await say(gw, 504, 1, text="我家楼下路灯坏了")
        texts = await gw.api.wait_for(504, 2)
        assert "没有收到您的回复" in texts[1]
        assert (await workorder(gw, CASE.search(texts[1]).group(1)))["missing"][0].startswith("未识别到地点")


async def test_webhook_checks_the_secret_and_a_redelivered_update_counts_once(tmp_path):
    async with telegram_gateway(tmp_path, mode="webhook", webhook_secret=SECRET,
                                webhook_url="https://gateway.example/hooks/telegram") as gw:
        assert gw.api.webhook["url"] == "https://gateway.example/hooks/telegram"
        assert gw.api.webhook["secret_token"] == SECRET
        update = {"update_id": 9001, "message": gw.api.message(
            505, text="建国门内大街18号门口的路灯坏了，晚上一片漆黑")}
        body = json.dumps(update, ensure_ascii=False)
        resp = await gw.post("/hooks/telegram", data=body,
                             headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
        assert resp.status == 403 and await case_count(gw) == 0
        for _ in range(2):  # Telegram redelivers when it did not see our answer in time
            resp = await gw.post("/hooks/telegram", data=body, headers={
                "X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"})
            assert resp.status == 200
        await asyncio.sleep(0.1)
        [reply] = gw.api.texts_to(505)
        assert CASE.search(reply) and await case_count(gw) == 1
        resp = await gw.post("/hooks/telegram", data=b"{not json",
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert resp.status == 400


async def test_a_restart_mid_conversation_keeps_the_draft(tmp_path):
    async with telegram_gateway(tmp_path) as gw:
        assert "具体地点" in await say(gw, 506, 1, text="我家楼下的污水井盖丢了")
    async with telegram_gateway(tmp_path) as gw:
        gw.api.next_message_id = 100  # Telegram's ids go on growing; a new fake starts at 1
        reply = await say(gw, 506, 1, location=PIN)
        doc = await workorder(gw, CASE.search(reply).group(1))
        assert "井盖" in doc["description"]
