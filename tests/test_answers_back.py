"""Answers back: citizens hear of status changes on their channel, reliably; they can
rate the handling, see their own cases, and channels keep conversation state."""
from __future__ import annotations

import asyncio

import pytest

from channels.base import BaseChannel, DeliveryError, Outbound
from gateway.appkeys import DELIVERY, SERVICE, STORE
from gateway.errors import NotFound, Refusal
from gateway.models import Intake, Reporter
from gateway.outbound.notify import TemplateError, Templates
from gateway.store.outbox import Outbox
from gateway.store.state import ChannelState
from tests.conftest import make_settings, running_gateway, set_status

pytestmark = pytest.mark.both_stores  # store-facing: run on SQLite and on PostgreSQL


class RecordingChannel(BaseChannel):
    """A chat channel as the gateway sees it: it records what it is asked to send, and
    fails the first `failures` attempts (a network hiccup)."""

    name = "testchat"
    can_deliver = True

    def __init__(self, failures: int = 0, permanent: bool = False):
        self.sent: list[Outbound] = []
        self.failures = failures
        self.permanent = permanent
        self.arrived = asyncio.Event()

    async def deliver(self, message: Outbound) -> None:
        if self.permanent:
            raise DeliveryError("用户已拉黑", permanent=True)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("network down")
        self.sent.append(message)
        self.arrived.set()


async def chat_report(gw, user: str, text: str, msg_id: str):
    service = gw.app[SERVICE]
    return await service.submit(Intake(channel="testchat", external_id=msg_id, text=text,
                                       reporter=Reporter(contact_channel="testchat", contact_id=user)))



async def outbox_settled(store, case_no: str) -> list[dict]:
    """The case's outbox rows once none is pending any more."""
    outbox = Outbox(store)
    for _ in range(200):
        rows = await outbox.for_case(case_no)
        if rows and all(r["state"] != "pending" for r in rows):
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"outbox still pending: {rows}")


async def wait_for(channel: RecordingChannel, count: int) -> None:
    async def enough():
        while len(channel.sent) < count:
            channel.arrived.clear()
            await channel.arrived.wait()
    await asyncio.wait_for(enough(), 10)


@pytest.fixture
def fast_settings(settings):
    settings.notify.first_retry_s = 0.05
    return settings


async def test_citizens_hear_each_status_change_in_chinese(fast_settings):
    chat = RecordingChannel()
    async with running_gateway(fast_settings, channels=[chat]) as gw:
        result = await chat_report(gw, "u-1", "苏州园小区3号楼门口的路灯不亮了", "m-1")
        await set_status(gw, result.case_no, "dispatched", "s1", department="市政所")
        await set_status(gw, result.case_no, "resolved", "s2", note="已更换灯泡")
        await set_status(gw, result.case_no, "closed", "s3")
        await wait_for(chat, 3)
    assert [m.event for m in chat.sent] == ["dispatched", "resolved", "closed"]
    assert all(m.contact_id == "u-1" and m.case_no == result.case_no for m in chat.sent)
    assert "已派遣至市政所办理" in chat.sent[0].text
    assert "已更换灯泡" in chat.sent[1].text
    assert "1 满意" in chat.sent[2].text and "3 不满意" in chat.sent[2].text


async def test_every_reporter_of_a_joined_case_is_told(fast_settings):
    chat = RecordingChannel()
    text = "建国门内大街18号门口的路灯坏了，晚上一片漆黑"
    async with running_gateway(fast_settings, channels=[chat]) as gw:
        first = await chat_report(gw, "u-a", text, "j-1")
        second = await chat_report(gw, "u-b", text, "j-2")
        assert second.case_no == first.case_no and second.outcome == "attached"
        await set_status(gw, first.case_no, "dispatched", "j-s1", department="市政所")
        await wait_for(chat, 2)
    assert sorted(m.contact_id for m in chat.sent) == ["u-a", "u-b"]


async def test_a_failed_delivery_is_retried_and_a_permanent_one_recorded(fast_settings):
    flaky = RecordingChannel(failures=2)
    async with running_gateway(fast_settings, channels=[flaky]) as gw:
        result = await chat_report(gw, "u-2", "楼下垃圾没人清", "f-1")
        await set_status(gw, result.case_no, "dispatched", "f-s1", department="环卫所")
        [row] = await outbox_settled(gw.pipeline.store, result.case_no)
        assert row["state"] == "sent" and row["attempts"] == 3 and len(flaky.sent) == 1

    blocked = RecordingChannel(permanent=True)
    async with running_gateway(make_settings(fast_settings.data_dir.parent / "d2"),
                               channels=[blocked]) as gw:
        result = await chat_report(gw, "u-3", "楼下垃圾没人清", "p-1")
        await set_status(gw, result.case_no, "dispatched", "p-s1")
        [row] = await outbox_settled(gw.pipeline.store, result.case_no)
        assert row["state"] == "failed" and "拉黑" in row["last_error"] and not blocked.sent


async def test_a_retry_is_sent_when_its_pause_ends_not_at_the_next_idle_look(settings):
    settings.notify.first_retry_s = 1.0  # past the stored time's whole second
    flaky = RecordingChannel(failures=1)
    async with running_gateway(settings, channels=[flaky]) as gw:
        gw.app[DELIVERY].idle_s = 600  # nothing else would wake the worker for ten minutes
        result = await chat_report(gw, "u-6", "楼下垃圾没人清", "i-1")
        await set_status(gw, result.case_no, "dispatched", "i-s1", department="环卫所")
        await wait_for(flaky, 1)
    assert flaky.sent[0].case_no == result.case_no and "环卫所" in flaky.sent[0].text


async def test_an_answer_back_survives_a_restart_before_it_was_sent(settings):
    offline = RecordingChannel(failures=10**6)  # never gets through in the first run
    async with running_gateway(settings, channels=[offline]) as gw:
        result = await chat_report(gw, "u-4", "路灯不亮", "r-1")
        await set_status(gw, result.case_no, "dispatched", "r-s1", department="市政所")
    online = RecordingChannel()
    settings.notify.first_retry_s = 0.01
    # The retry time recorded in the first run has to pass; make it due now.
    async with running_gateway(settings, channels=[online]) as gw:
        store = gw.pipeline.store
        await store.write(lambda conn: conn.execute("UPDATE outbox SET next_attempt_at = ''"))
        gw.app[DELIVERY].wake()
        await wait_for(online, 1)
    assert online.sent[0].case_no == result.case_no and "市政所" in online.sent[0].text


async def test_reporters_rate_the_handling_once_it_is_done(fast_settings):
    chat = RecordingChannel()
    async with running_gateway(fast_settings, channels=[chat]) as gw:
        service = gw.app[SERVICE]
        result = await chat_report(gw, "u-5", "小区噪音扰民", "rate-1")
        with pytest.raises(Refusal, match="尚未办结"):
            await service.rate(result.case_no, "testchat", "u-5", "satisfied")
        for i, status in enumerate(["dispatched", "resolved", "closed"]):
            await set_status(gw, result.case_no, status, f"rate-s{i}")
        with pytest.raises(NotFound):
            await service.rate(result.case_no, "testchat", "someone-else", "satisfied")
        with pytest.raises(Refusal, match="评价须为"):
            await service.rate(result.case_no, "testchat", "u-5", "great")
        await service.rate(result.case_no, "testchat", "u-5", "dissatisfied")
        public = await service.rate(result.case_no, "testchat", "u-5", "basically_satisfied")
        doc = await (await gw.get(f"/api/v1/workorders/{result.case_no}", headers=gw.core_headers)).json()
    assert [s["rating_name"] for s in doc["satisfaction"]] == ["基本满意"]
    assert public["status"] == "closed"


async def test_a_citizen_sees_only_their_own_cases(gateway):
    service = gateway.app[SERVICE]
    mine = await chat_report(gateway, "u-6", "路灯不亮", "own-1")
    await chat_report(gateway, "u-7", "垃圾没人清", "own-2")
    cases = await service.cases_of("testchat", "u-6")
    assert [c["case_no"] for c in cases] == [mine.case_no]
    assert (await service.case_of(mine.case_no, "testchat", "u-6"))["case_no"] == mine.case_no
    with pytest.raises(NotFound):
        await service.case_of(mine.case_no, "testchat", "u-7")


async def test_joining_a_chosen_case_and_a_closed_one(gateway):
    service = gateway.app[SERVICE]
    first = await chat_report(gateway, "u-8", "井盖没了", "hint-1")
    joined = await service.submit(Intake(channel="testchat", external_id="hint-2", text="我也看到了",
                                         reporter=Reporter(contact_channel="testchat", contact_id="u-9"),
                                         case_hint=first.case_no))
    assert joined.outcome == "attached" and joined.case_no == first.case_no
    await set_status(gateway, first.case_no, "rejected", "hint-s1", note="重复")
    late = await service.submit(Intake(channel="testchat", external_id="hint-3", text="还是没人管",
                                       reporter=Reporter(contact_channel="testchat", contact_id="u-8"),
                                       case_hint=first.case_no))
    assert late.outcome == "accepted" and late.case_no != first.case_no
    doc = await gateway.pipeline.store.get_workorder(late.case_no)
    assert doc["related_to"] == first.case_no


async def test_channel_state_survives_a_restart(settings):
    async with running_gateway(settings) as gw:
        await gw.app[SERVICE].save_state("wechat", "contact", "openid-1", {"step": "ask_place", "text": "路灯"},
                                         3600)
    async with running_gateway(settings) as gw:
        service = gw.app[SERVICE]
        assert await service.load_state("wechat", "contact", "openid-1") == {"step": "ask_place", "text": "路灯"}
        await service.save_state("wechat", "contact", "openid-1", None, 3600)
        assert await service.load_state("wechat", "contact", "openid-1") is None


async def test_channel_state_expires(settings):
    """State that grows with traffic (conversations, call records, message ids) is not kept
    for ever: past its time it is no longer read, and the sweep removes it."""
    async with running_gateway(settings) as gw:
        service = gw.app[SERVICE]
        await service.save_state("email", "sent_id", "old@gw", {"case_no": "20261121-000001"}, 0.2)
        await service.save_state("email", "sent_id", "new@gw", {"case_no": "20261121-000002"}, 3600)
        await asyncio.sleep(1.1)  # stamps are whole seconds
        assert await service.load_state("email", "sent_id", "old@gw") is None
        assert await service.load_state("email", "sent_id", "new@gw") == {"case_no": "20261121-000002"}
        assert await ChannelState(gw.app[STORE]).expire() == 1
        rows = await gw.app[STORE].read("SELECT key FROM channel_states")
        assert [r[0] for r in rows] == ["new@gw"]


def test_templates_are_checked_at_start_up(tmp_path):
    good = Templates()
    subject, text = good.render("dispatched", "wechat", {"case_no": "20261121-000001", "title": "路灯",
                                                          "department": "市政所", "status_note": None})
    assert "20261121-000001" in subject and "市政所" in text
    bad = tmp_path / "m.toml"
    bad.write_text('[filed]\ntext = "{case_number}"\n')
    with pytest.raises(TemplateError, match=r"m.toml: \[filed\].text: unknown placeholder \{case_number\}"):
        Templates(bad)
    bad.write_text('[filed]\ntext = "ok"\n')
    with pytest.raises(TemplateError, match="no template for"):
        Templates(bad)


async def test_a_hot_case_tells_every_reporter_even_beyond_the_listed_ones(fast_settings):
    from gateway.cases.workorders import MAX_REPORTERS_KEPT
    chat = RecordingChannel()
    text = "建国门内大街18号门口的路灯坏了，晚上一片漆黑"
    crowd = MAX_REPORTERS_KEPT + 5
    async with running_gateway(fast_settings, channels=[chat]) as gw:
        results = [await chat_report(gw, f"n-{i}", text, f"hot-{i}") for i in range(crowd)]
        case_no = results[0].case_no
        assert {r.case_no for r in results} == {case_no}
        doc = await gw.pipeline.store.get_workorder(case_no)
        assert doc["report_count"] == crowd and len(doc["reporters"]) == MAX_REPORTERS_KEPT
        await set_status(gw, case_no, "dispatched", "hot-s1", department="市政所")
        await wait_for(chat, crowd)
    assert sorted(m.contact_id for m in chat.sent) == sorted(f"n-{i}" for i in range(crowd))
