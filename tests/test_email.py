"""The e-mail channel over real SMTP: smtplib sends to the gateway's SMTP port, a small
aiosmtpd server on loopback plays the outbound relay and captures what citizens get."""
from __future__ import annotations

import asyncio
import base64
import email
import json
import smtplib
import sqlite3
import ssl
import subprocess
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP
from yarl import URL

from gateway.store.outbox import Outbox
from tests.conftest import FIXTURES, free_port, make_settings, running_gateway

MAIL = FIXTURES / "email"
INTAKE = "12345@gw.test"


class Relay:
    """The outbound relay: keeps every message; refuses the addresses in `refuse`."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.arrived = asyncio.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=policy.default))
        self.arrived.set()
        return "250 OK queued"

    async def wait(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        async def enough():
            while len(self.messages) < count:
                self.arrived.clear()
                await self.arrived.wait()
        await asyncio.wait_for(enough(), timeout)
        return self.messages

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@dataclass
class Answer:
    rcpt_codes: list[int]
    code: int
    text: str

    @property
    def case_no(self) -> str:
        assert self.code == 250 and "case " in self.text, self.text
        return self.text.rsplit("case ", 1)[1].strip()


@dataclass
class MailGateway:
    gw: object
    relay: Relay
    port: int

    async def send(self, raw: bytes, *, to=(INTAKE,), sender: str = "citizen@example.cn") -> Answer:
        return await asyncio.to_thread(transact, self.port, raw, list(to), sender)

    async def case(self, case_no: str) -> dict:
        resp = await self.gw.get(f"/api/v1/workorders/{case_no}", headers=self.gw.core_headers)
        assert resp.status == 200
        return await resp.json()

    async def count(self, table: str) -> int:
        rows = await self.gw.pipeline.store.read(f"SELECT count(*) FROM {table}")
        return rows[0][0]

    async def set_status(self, case_no: str, status: str, update_id: str, **extra) -> None:
        resp = await self.gw.post(f"/api/v1/workorders/{case_no}/status", headers=self.gw.core_headers,
                                  json={"status": status, "update_id": update_id, **extra})
        assert resp.status == 200, await resp.text()


def transact(port: int, raw: bytes, rcpts: list[str], sender: str, *, tls: bool = False) -> Answer:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.ehlo("client.test")
        if tls:
            smtp.starttls(context=ssl._create_unverified_context())
            smtp.ehlo("client.test")
        code, text = smtp.mail(sender)
        if code != 250:
            return Answer([], code, text.decode())
        rcpt_codes = [smtp.rcpt(r)[0] for r in rcpts]
        try:
            code, text = smtp.data(raw)
        except smtplib.SMTPDataError as exc:
            code, text = exc.smtp_code, exc.smtp_error
        return Answer(rcpt_codes, code, text.decode())


def fixture(name: str, **fill: str) -> bytes:
    raw = (MAIL / name).read_bytes()
    for key, value in fill.items():
        raw = raw.replace(f"%{key}%".encode(), value.encode("gbk"))
    return raw


def plain_mail(subject: str, body: str, *, sender: str = "citizen@example.cn",
               message_id: str | None = None, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = INTAKE
    msg["Subject"] = subject
    if message_id:
        msg["Message-ID"] = f"<{message_id}>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


@asynccontextmanager
async def mail_gateway(tmp_path: Path, **overrides):
    loop = asyncio.get_running_loop()
    relay = Relay()
    relay_server = await loop.create_server(
        lambda: SMTP(relay, loop=loop, hostname="relay.test"), "127.0.0.1", 0)
    port = free_port()
    settings = make_settings(tmp_path / "data", **{
        "email.enabled": True, "email.port": port, "email.intake_addresses": [INTAKE, "mayor@gw.test"],
        "email.relay_host": "127.0.0.1", "email.relay_port": relay_server.sockets[0].getsockname()[1],
        "email.message_id_domain": "gw.test", **overrides})
    settings.notify.first_retry_s = 0.05
    try:
        async with running_gateway(settings) as gw:
            yield MailGateway(gw, relay, port)
    finally:
        relay_server.close()
        await relay_server.wait_closed()


@pytest.fixture
async def mg(tmp_path):
    async with mail_gateway(tmp_path) as gateway:
        yield gateway


# -- intake and acknowledgement ---------------------------------------------------------


async def test_a_mail_becomes_a_case_and_the_sender_is_acknowledged(mg):
    answer = await mg.send(fixture("gb2312_qp.eml"), sender="WangZhe@Example.cn")
    doc = await mg.case(answer.case_no)
    # GB2312 declared, 喆 is outside GB2312: decoded as GB18030, nothing lost.
    assert doc["title"] == "东四十条小区垃圾没人清运"
    assert "我是王喆" in doc["description"] and doc["channel"] == "email"
    assert doc["reporter"]["name"] == "王喆"
    assert doc["reporter"]["contact_id"] == "wangzhe@example.cn"
    [ack] = await mg.relay.wait(1)
    assert ack["To"] == "wangzhe@example.cn"
    assert ack["Subject"].startswith(f"[工单 {answer.case_no}]")
    body = ack.get_content()
    assert answer.case_no in body and "查询码" in body
    assert "暴露垃圾" in body and "东四十条" in body  # what was understood
    assert "直接回复本邮件" in body  # how to follow up
    assert ack["Auto-Submitted"] == "auto-replied" and ack["X-Loop"] == INTAKE
    assert ack["Message-ID"].endswith("@gw.test>")
    assert ack["In-Reply-To"] == "<gb2312-qp-0001@mail.example.cn>"


ENCODINGS = [
    ("big5_b64.eml", "路燈壞了", "建國門內大街18號門口的路燈壞了"),
    ("utf8_alternative.eml", "工地夜间施工噪音扰民", "凌晨两点还在打桩"),
    ("html_only.eml", "路灯不亮", "门口的路灯坏了"),
    ("undeclared_gbk.eml", "小区噪音扰民", "楼上邻居每天深夜装修"),
    ("wrong_charset.eml", "占道经营", "流动摊贩占道经营"),
    ("unknown_charset.eml", "路灯不亮", "东单北大街的路灯不亮"),
    ("malformed.eml", "工地噪音", "建筑工地"),
]


async def test_every_encoding_is_read_into_chinese_text(mg):
    for name, title, text in ENCODINGS:
        answer = await mg.send(fixture(name))
        assert answer.code == 250, (name, answer)
        doc = await mg.case(answer.case_no)
        assert doc["title"] == title, name
        assert text in doc["description"], (name, doc["description"])
        assert "\ufffd" not in doc["title"], name
        # Closed, so the next mail about the same lamp (html_only.eml after big5_b64.eml) is read
        # into a case of its own instead of joining this one.
        await mg.set_status(answer.case_no, "rejected", f"close-{name}")
    alternative = await mg.case((await mg.send(fixture("utf8_alternative.eml"))).case_no)
    assert "HTML版本" not in alternative["description"]  # the text part is preferred
    html = await mg.case((await mg.send(fixture("html_only.eml"))).case_no)
    assert "<p>" not in html["description"] and "color:red" not in html["description"]


async def test_the_raw_mail_is_kept_byte_for_byte(mg):
    raw = fixture("undeclared_gbk.eml")  # 8-bit GBK: not valid UTF-8
    await mg.send(raw)
    [row] = await mg.gw.pipeline.store.read("SELECT raw FROM intakes WHERE channel = 'email'")
    record = json.loads(row[0])
    assert record["encoding"] == "base64" and base64.b64decode(record["data"]) == raw
    assert record["rcpt_to"] == [INTAKE]


async def test_photos_are_kept_as_attachments_even_without_any_text(mg):
    answer = await mg.send(fixture("image_attachment.eml"))
    doc = await mg.case(answer.case_no)
    [photo] = doc["attachments"]
    assert photo["type"] == "image" and photo["content_type"] == "image/png"
    assert photo["filename"] == "现场照片.png"
    fetched = await mg.gw.get(URL(photo["url"]).path, headers=mg.gw.core_headers)
    assert fetched.status == 200 and (await fetched.read()).startswith(b"\x89PNG")

    only = await mg.send(fixture("attachment_only.eml"))
    doc = await mg.case(only.case_no)
    assert [a["content_type"] for a in doc["attachments"]] == ["image/jpeg"]
    assert "附件" in doc["description"]


async def test_a_resent_mail_is_the_same_report(mg):
    first = await mg.send(fixture("gb2312_qp.eml"))
    again = await mg.send(fixture("gb2312_qp.eml"))
    assert again.case_no == first.case_no
    no_id = fixture("no_message_id.eml")
    third = await mg.send(no_id)
    fourth = await mg.send(no_id)  # no Message-ID: the same bytes are the same mail
    assert fourth.case_no == third.case_no != first.case_no
    assert await mg.count("intakes") == 2
    await mg.relay.wait(2)
    await asyncio.sleep(0.2)
    assert len(mg.relay.messages) == 2  # one acknowledgement per report, not per copy


# -- threading --------------------------------------------------------------------------


async def test_a_reply_to_the_acknowledgement_joins_the_case(mg):
    first = await mg.send(fixture("gb2312_qp.eml"), sender="wangzhe@example.cn")
    [ack] = await mg.relay.wait(1)
    reply = fixture("reply.eml", N="1", SUBJECT="您好", IN_REPLY_TO=ack["Message-ID"].strip("<>"),
                    BODY="补充一下：垃圾堆在3号楼东侧。")
    answer = await mg.send(reply, sender="wangzhe@example.cn")
    assert answer.case_no == first.case_no
    doc = await mg.case(first.case_no)
    assert doc["report_count"] == 2
    added = doc["reporters"][1]
    assert added["channel_ref"] == "reply-1@mail.example.cn"
    [_, notice] = await mg.relay.wait(2)
    assert notice["Subject"] == f"[工单 {first.case_no}] 您补充的情况已收到"
    assert "其他市民" not in notice.get_content()
    assert notice["In-Reply-To"] == "<reply-1@mail.example.cn>"


async def test_the_case_tag_in_the_subject_threads_only_for_the_same_sender(mg):
    first = await mg.send(fixture("gb2312_qp.eml"), sender="wangzhe@example.cn")
    subject = f"[工单 {first.case_no}] 已受理：东四十条小区垃圾没人清运"
    tagged = fixture("reply.eml", N="2", SUBJECT=subject, IN_REPLY_TO="unknown@elsewhere.cn",
                     BODY="今天还是没人来清运。")
    assert (await mg.send(tagged, sender="wangzhe@example.cn")).case_no == first.case_no
    stranger = plain_mail(f"回复：[工单 {first.case_no}] 已受理", "西总布胡同的井盖没了",
                          sender="stranger@example.org", message_id="stranger-1@example.org")
    other = await mg.send(stranger, sender="stranger@example.org")
    assert other.case_no != first.case_no  # a case number is no key to someone else's case
    assert (await mg.case(first.case_no))["report_count"] == 2


async def test_a_reply_to_a_closed_case_files_a_linked_case_or_rates_it(mg):
    first = await mg.send(fixture("gb2312_qp.eml"), sender="wangzhe@example.cn")
    for i, status in enumerate(["dispatched", "resolved", "closed"]):
        await mg.set_status(first.case_no, status, f"s{i}", department="环卫所", note="已清运")
    messages = await mg.relay.wait(4)
    closing = messages[-1]
    assert closing["Subject"] == f"[工单 {first.case_no}] 已办结，请您评价"
    assert "1 满意" in closing.get_content()
    rating = fixture("reply.eml", N="3", SUBJECT=closing["Subject"],
                     IN_REPLY_TO=closing["Message-ID"].strip("<>"), BODY="1")
    answer = await mg.send(rating, sender="wangzhe@example.cn")
    assert answer.code == 250 and "rating" in answer.text
    doc = await mg.case(first.case_no)
    assert [s["rating_name"] for s in doc["satisfaction"]] == ["满意"]

    again = fixture("reply.eml", N="4", SUBJECT=closing["Subject"],
                    IN_REPLY_TO=closing["Message-ID"].strip("<>"), BODY="垃圾又堆起来了，还是没人管。")
    new = await mg.send(again, sender="wangzhe@example.cn")
    assert new.case_no != first.case_no
    assert (await mg.case(new.case_no))["related_to"] == first.case_no


# -- answers back and loop protection ---------------------------------------------------


async def test_status_changes_are_mailed_in_the_thread(mg):
    first = await mg.send(fixture("utf8_alternative.eml"), sender="zhangsan@example.cn")
    await mg.set_status(first.case_no, "dispatched", "d1", department="城管中队")
    ack, dispatched = await mg.relay.wait(2)
    assert dispatched["Subject"].startswith(f"[工单 {first.case_no}] 已派遣")
    assert "城管中队" in dispatched.get_content()
    assert dispatched["Auto-Submitted"] == "auto-replied"
    assert dispatched["In-Reply-To"] == "<utf8-alt-0001@example.cn>"
    assert dispatched["Message-ID"] != ack["Message-ID"]


async def test_automatic_mail_is_never_filed_nor_answered(mg):
    own_id = "20261121-000001.filed.1@gw.test"
    machine_mail = [
        (fixture("auto_reply.eml"), "zhangsan@example.cn"),
        (fixture("bounce.eml"), ""),  # MAIL FROM:<>
        (fixture("bounce.eml"), "mailer-daemon@mx.example.cn"),
        (plain_mail("回复", "收到", X_Loop="helpdesk@example.cn"), "helpdesk@example.cn"),
        (plain_mail("[工单 20261121-000001] 已受理", "您反映的问题已受理。", sender=INTAKE,
                    message_id=own_id), INTAKE),  # our own mail coming back
    ]
    for raw, sender in machine_mail:
        answer = await mg.send(raw, sender=sender)
        assert answer.code == 250 and "not filed" in answer.text, answer
    assert await mg.count("intakes") == 0
    # Filed, but never answered: a mailing list and another system's no-reply address.
    bulk = await mg.send(fixture("bulk_list.eml"), sender="news@community.example.cn")
    portal = await mg.send(fixture("noreply_sender.eml"), sender="bounce@portal.example.gov.cn")
    assert (await mg.case(bulk.case_no))["title"].startswith("社区通知")
    assert (await mg.case(portal.case_no))["reporter"]["name"] == "区政府网站"
    await mg.set_status(bulk.case_no, "dispatched", "b1", department="环卫所")
    person = await mg.send(fixture("gb2312_qp.eml"))
    await mg.relay.wait(1)
    await asyncio.sleep(0.3)
    assert [m["To"] for m in mg.relay.messages] == ["wangzhe@example.cn"]
    assert person.code == 250


async def test_a_refused_address_fails_for_good_and_a_relay_outage_is_retried(tmp_path):
    async with mail_gateway(tmp_path) as mg:
        mg.relay.refuse.add("wangzhe@example.cn")
        answer = await mg.send(fixture("gb2312_qp.eml"))
        outbox = Outbox(mg.gw.pipeline.store)
        for _ in range(200):
            [row] = await outbox.for_case(answer.case_no)
            if row["state"] == "failed":
                break
            await asyncio.sleep(0.05)
        assert row["state"] == "failed" and "拒收" in row["last_error"], row
        assert row["attempts"] == 1, row  # permanent: not retried
    async with mail_gateway(tmp_path / "2", **{"email.relay_port": free_port()}) as mg:
        answer = await mg.send(fixture("gb2312_qp.eml"))
        outbox = Outbox(mg.gw.pipeline.store)
        for _ in range(100):
            [row] = await outbox.for_case(answer.case_no)
            if row["attempts"] >= 2:
                break
            await asyncio.sleep(0.05)
        assert row["state"] == "pending" and row["attempts"] >= 2  # kept for a later retry


# -- what the SMTP server refuses -------------------------------------------------------


async def test_no_relay_and_a_cap_on_recipients(mg):
    raw = plain_mail("路灯不亮", "东单北大街的路灯不亮")
    relay = await mg.send(raw, to=["victim@example.org"])
    assert relay.rcpt_codes == [550] and relay.code == 503
    crowd = [INTAKE] + [f"user{i}@example.org" for i in range(2000)]
    answer = await mg.send(raw, to=crowd)
    assert answer.rcpt_codes[0] == 250 and set(answer.rcpt_codes[1:50]) == {550}
    assert set(answer.rcpt_codes[50:]) == {452}
    assert answer.code == 250
    both = await mg.send(plain_mail("井盖", "井盖没了", message_id="two-boxes@example.cn"),
                         to=[INTAKE, "mayor@gw.test", "MAYOR@gw.test"])
    assert both.rcpt_codes == [250, 250, 250] and both.code == 250
    assert await mg.count("intakes") == 2  # one report per mail, however many mailboxes


async def test_oversize_and_empty_mail_get_a_clear_answer(mg):
    big = plain_mail("视频", "见附件") + (b"A" * 76 + b"\r\n") * (25 * 1024 * 1024 // 78)  # 25 MB
    answer = await mg.send(big)
    assert answer.code == 552
    empty = plain_mail("", "")
    assert (await mg.send(empty)).code == 554
    assert await mg.count("intakes") == 0
    assert (await mg.send(fixture("big5_b64.eml"))).code == 250  # still serving


async def test_a_connection_dropped_mid_data_stores_nothing(mg):
    reader, writer = await asyncio.open_connection("127.0.0.1", mg.port)
    await reader.readline()
    for line in [b"EHLO client.test", b"MAIL FROM:<a@example.cn>", f"RCPT TO:<{INTAKE}>".encode(), b"DATA"]:
        writer.write(line + b"\r\n")
        await writer.drain()
        while True:
            reply = await reader.readline()
            if reply[3:4] != b"-":
                break
    assert reply.startswith(b"354")
    writer.write(b"Subject: half\r\n\r\n\xe8\xb7\xaf\xe7\x81\xaf\xe4\xb8\x8d")  # no end
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.1)
    assert await mg.count("intakes") == 0
    assert (await mg.send(fixture("gb2312_qp.eml"))).code == 250


async def test_a_storage_outage_answers_451_and_the_retry_is_filed(tmp_path):
    async with mail_gateway(tmp_path, **{"storage.busy_timeout_ms": 100}) as mg:
        blocker = sqlite3.connect(tmp_path / "data" / "gateway.sqlite3", isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            answer = await mg.send(fixture("gb2312_qp.eml"))
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert answer.code == 451  # the sending server keeps the mail and retries
        retry = await mg.send(fixture("gb2312_qp.eml"))
        assert retry.code == 250
        assert await mg.count("intakes") == 1


async def test_starttls_with_the_configured_certificate(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    # Set-up before the gateway starts: blocking is fine here.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",  # noqa: ASYNC221
                    "-subj", "/CN=gw.test", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    async with mail_gateway(tmp_path, **{"email.tls_cert": str(cert), "email.tls_key": str(key),
                                         "email.require_starttls": True}) as mg:
        raw = fixture("big5_b64.eml")
        answer = await asyncio.to_thread(transact, mg.port, raw, [INTAKE], "chan@example.com.tw", tls=True)
        assert answer.code == 250
        plain = await asyncio.to_thread(transact, mg.port, raw, [INTAKE], "chan@example.com.tw")
        assert plain.code == 530  # without STARTTLS the mail is refused
        assert await mg.count("intakes") == 1
