"""The shared chat conversation over the real gateway service (no chat protocol): what a
citizen is asked, when a report is filed, and that nothing is filed twice or lost."""
from __future__ import annotations

import asyncio
import re

from channels.conversation import Conversation, ConversationSettings, Inbound
from gateway.appkeys import SERVICE
from tests.conftest import make_settings, running_gateway

CASE = re.compile(r"工单编号：(\d{8}-\d{6})")


class Chat:
    def __init__(self, gw, **options):
        self.pushed: list[tuple[str, str]] = []
        settings = ConversationSettings(sweep_interval_s=0.05, **options)
        self.conv = Conversation("testchat", gw.app[SERVICE], settings, self.push)
        self.n = 0

    async def push(self, contact: str, text: str) -> None:
        self.pushed.append((contact, text))

    async def say(self, contact: str, text: str, msg_id: str | None = None) -> str:
        self.n += 1
        replies = await self.conv.handle(contact, Inbound(msg_id or f"{contact}-{self.n}", "text", text=text))
        return "\n".join(replies)


async def count(gw) -> int:
    resp = await gw.get("/api/v1/workorders?cursor=0&limit=100", headers=gw.core_headers)
    return len((await resp.json())["items"])


async def test_submit_files_at_once_and_the_case_number_is_given(tmp_path):
    async with running_gateway(make_settings(tmp_path / "d")) as gw:
        chat = Chat(gw, pause_s=60)
        assert "已记录" in await chat.say("u1", "苏州园小区3号楼门口的路灯不亮了")
        reply = await chat.say("u1", "提交")
        assert CASE.search(reply) and await count(gw) == 1
        assert "没有正在填写" in await chat.say("u1", "submit")


async def test_a_retried_message_gets_the_same_answer_and_files_nothing_new(tmp_path):
    async with running_gateway(make_settings(tmp_path / "d")) as gw:
        chat = Chat(gw)
        first = await chat.say("u2", "苏州园小区3号楼门口的路灯不亮了", msg_id="m-1")
        again = await chat.say("u2", "苏州园小区3号楼门口的路灯不亮了", msg_id="m-1")
        assert first == again and CASE.search(first) and await count(gw) == 1
        quiet = await chat.conv.handle("u2", Inbound("m-1", "text", text="x"), replay=False)
        assert quiet == []


async def test_an_abandoned_draft_is_filed_once_even_across_a_restart(tmp_path):
    settings = make_settings(tmp_path / "d")
    async with running_gateway(settings) as gw:
        chat = Chat(gw, followup_timeout_s=0.2)
        assert "具体地点" in await chat.say("u3", "我家楼下路灯坏了")
    async with running_gateway(settings) as gw:  # the sweep of a new process finds it
        chat = Chat(gw, followup_timeout_s=0.2)
        await asyncio.sleep(0.3)
        assert await chat.conv.sweep() == 1
        assert await chat.conv.sweep() == 0
        [(contact, text)] = chat.pushed
        assert contact == "u3" and "没有收到您的回复" in text and CASE.search(text)
        assert await count(gw) == 1


async def test_english_commands_and_out_of_range_choices(tmp_path):
    async with running_gateway(make_settings(tmp_path / "d")) as gw:
        chat = Chat(gw)
        assert "使用说明" in await chat.say("u4", "help")
        assert "具体地点" in await chat.say("u4", "楼下好吵，天天晚上吵")
        question = await chat.say("u4", "苏州园小区3号楼")
        assert "0 都不是" in question
        assert "请回复 0 到" in await chat.say("u4", "9")
        assert CASE.search(await chat.say("u4", "0"))
        assert "没有正在填写" in await chat.say("u4", "cancel")
