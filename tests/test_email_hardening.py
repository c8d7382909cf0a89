"""Mail that real mail systems send and that once lost data or fooled the gateway: base64
padding, Big5 declared or raw in a header, bounces with malformed senders, vacation replies
without a marker, and a From nobody can answer."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import io

from PIL import Image
from yarl import URL

from tests.test_email import INTAKE, mail_gateway


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (17, 7), (200, 40, 40)).save(out, "JPEG")  # 637 bytes: the base64 ends in "=="
    return out.getvalue()


JPEG = _jpeg()
assert base64.b64encode(JPEG).endswith(b"==")


def raw_mail(headers: dict[str, bytes | str], body: bytes, *, content_type: str,
             encoding: str = "base64") -> bytes:
    lines = [f"{k}: ".encode() + (v if isinstance(v, bytes) else v.encode()) for k, v in headers.items()]
    lines += [f"Content-Type: {content_type}".encode(), f"Content-Transfer-Encoding: {encoding}".encode()]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body + b"\r\n"


def b64_lines(data: bytes) -> bytes:
    text = base64.b64encode(data)
    return b"\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))


async def test_padded_base64_text_and_attachments_arrive_whole(tmp_path):
    body = "你好，中国".encode("gbk")  # 10 bytes: the encoding ends in "=="
    assert base64.b64encode(body).endswith(b"==")
    boundary = "b-1"
    mime = (f"--{boundary}\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: base64\r\n\r\n".encode()
            + b64_lines(body) + b"\r\n"
            + f"--{boundary}\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"p.jpg\"\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\n".encode()
            + b64_lines(JPEG) + f"\r\n--{boundary}--".encode())
    raw = raw_mail({"From": "citizen@example.cn", "To": INTAKE, "Subject": "路灯坏了",
                    "Message-ID": "<pad-1@example.cn>", "MIME-Version": "1.0"}, mime,
                   content_type=f'multipart/mixed; boundary="{boundary}"', encoding="7bit")
    async with mail_gateway(tmp_path) as mg:
        answer = await mg.send(raw)
        doc = await mg.case(answer.case_no)
        assert doc["description"].endswith("你好，中国")  # subject, then the whole body
        [photo] = doc["attachments"]
        fetched = await mg.gw.get(URL(photo["url"]).path, headers=mg.gw.core_headers)
        data = await fetched.read()
        assert data.endswith(b"\xff\xd9") and hashlib.sha256(data).hexdigest() == hashlib.sha256(JPEG).hexdigest()


async def test_big5_is_read_as_big5_declared_or_raw_in_a_header(tmp_path):
    text = "建國門內大街的路燈壞了三天，晚上很暗。"
    declared = raw_mail({"From": "hk@example.hk", "To": INTAKE, "Subject": "=?big5?B?" +
                         base64.b64encode("路燈壞了".encode("big5")).decode() + "?=",
                         "Message-ID": "<big5-1@example.hk>"},
                        base64.b64encode(text.encode("big5")), content_type="text/plain; charset=big5")
    other = "朝陽門北大街公交站的候車亭玻璃碎了一地。"
    raw_header = raw_mail({"From": "mo@example.mo", "To": INTAKE, "Subject": "關於候車亭".encode("big5"),
                           "Message-ID": "<big5-2@example.mo>"},
                          other.encode("big5"), content_type="text/plain", encoding="8bit")
    async with mail_gateway(tmp_path) as mg:
        first = await mg.case((await mg.send(declared)).case_no)
        assert first["title"] == "路燈壞了" and first["description"].endswith(text)
        second = await mg.case((await mg.send(raw_header)).case_no)
        assert second["title"] == "關於候車亭" and second["description"].endswith(other)


async def test_bounces_and_vacation_replies_are_neither_filed_nor_answered(tmp_path):
    malformed_bounce = raw_mail(
        {"From": '"postmaster@" <sending_domain.tld postmaster@sending_domain.tld>', "To": INTAKE,
         "Subject": "Returned message", "Message-ID": "<bounce-9@sending_domain.tld>"},
        b"This is the mail system at host sending_domain.tld.", content_type="text/plain", encoding="7bit")
    vacation = raw_mail(
        {"From": "clerk@example.cn", "To": INTAKE, "Subject": "自动回复：关于路灯的问题".encode(),
         "Message-ID": "<vac-1@example.cn>"},
        "您好，我正在休假，回来后会尽快回复您。".encode(), content_type="text/plain; charset=utf-8",
        encoding="8bit")
    ooo = raw_mail({"From": "clerk2@example.com", "To": INTAKE, "Subject": "Out of Office: street lamp",
                    "Message-ID": "<vac-2@example.com>"}, b"I am away until Monday.",
                   content_type="text/plain", encoding="7bit")
    async with mail_gateway(tmp_path) as mg:
        for raw, sender in ((malformed_bounce, "someone@sending_domain.tld"), (vacation, "clerk@example.cn"),
                            (ooo, "clerk2@example.com")):
            answer = await mg.send(raw, sender=sender)
            assert answer.code == 250 and "not filed" in answer.text, answer
        assert await mg.count("intakes") == 0
        await asyncio.sleep(0.3)
        assert mg.relay.messages == []


async def test_a_from_nobody_can_answer_is_filed_but_not_acknowledged(tmp_path):
    raw = raw_mail({"From": "王先生 <wang@@example..cn>", "To": INTAKE, "Subject": "井盖没了".encode(),
                    "Message-ID": "<bad-from-1@example.cn>"},
                   "和平路18号门口的井盖没了".encode(), content_type="text/plain; charset=utf-8", encoding="8bit")
    async with mail_gateway(tmp_path) as mg:
        answer = await mg.send(raw, sender="bounce-handler@example.cn")
        doc = await mg.case(answer.case_no)
        assert "井盖没了" in doc["description"] and doc["reporter"]["contact_id"] == ""
        await asyncio.sleep(0.3)
        assert mg.relay.messages == []
