"""WeChat Official Account endpoint (GET/POST /hooks/wechat).

GET answers WeChat's URL check (echostr). POST receives messages and events in plaintext
or safe (AES) mode, every request signed. Each message goes to the shared conversation;
its answer is the passive reply when it is ready within the reply budget, otherwise
"success" at once and the answer later through the customer-service message API. WeChat
retries a message it got no answer to: a retry (same MsgId, or sender + time for events)
gets the first reply and changes nothing."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

import aiohttp
from aiohttp import web
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from channels.base import BaseChannel, DeliveryError, IntakeService, Outbound
from channels.conversation import Conversation, ConversationSettings, Inbound
from channels.wechat_crypto import CryptoError, MessageCrypto, signature_ok
from gateway.errors import Refusal
from gateway.fields import geo_point, unix_seconds

log = logging.getLogger("channels.wechat")
CLICK_COMMANDS = {"help": "帮助", "query": "查询", "cancel": "取消", "submit": "提交"}
SILENT = {"unsubscribe", "LOCATION", "SCAN", "VIEW"}  # events that need no answer
# Errors of the customer-service API that retrying will not cure: the citizen unfollowed
# (43004) or has not written for 48 hours (45015), or the OpenID is wrong (40003).
PERMANENT_ERRCODES = {40003, 43004, 45015, 45047}
TOKEN_ERRCODES = {40001, 40014, 42001}
RETRY_WINDOW_S = 60.0  # WeChat retries within ~15 s; keep in-flight answers a while longer


@dataclass
class WechatSettings(ConversationSettings):
    enabled: bool = False
    path: str = "/hooks/wechat"
    # The Token set in the Official Account's server configuration (服务器配置).
    token: str = ""
    app_id: str = ""
    app_secret: str = ""
    # Safe mode (安全模式): the 43-character EncodingAESKey; the previous one still decrypts
    # during a key change.
    encoding_aes_key: str = ""
    previous_aes_key: str = ""
    # True: refuse plaintext messages (set once the account is switched to safe mode).
    require_encryption: bool = False
    # Base URL of the WeChat API (access token, customer-service messages, media).
    api_base: str = "https://api.weixin.qq.com"
    # WeChat waits 5 s for the passive reply; past this budget the answer goes out later
    # as a customer-service message.
    reply_budget_s: float = 4.0
    # Refuse requests whose timestamp is further than this from our clock (0: no check).
    max_clock_skew_s: int = 300
    max_body_kb: int = 64
    api_timeout_s: float = 10.0
    max_voice_mb: float = 2.0

    def problems(self) -> list[str]:
        """What stops these settings from working, each naming its key."""
        found = []
        if not self.token:
            found.append("token: the Token of the account's server configuration is required")
        if self.encoding_aes_key and len(self.encoding_aes_key) != 43:
            found.append("encoding_aes_key: must be the 43-character EncodingAESKey")
        if self.require_encryption and not self.encoding_aes_key:
            found.append("require_encryption: needs encoding_aes_key")
        return found


class WechatChannel(BaseChannel):
    name = "wechat"
    can_deliver = True
    ack_by_message = False

    def __init__(self, service: IntakeService, settings: WechatSettings):
        self.service = service
        self.settings = settings
        self.crypto = None
        if settings.encoding_aes_key:
            self.crypto = MessageCrypto(settings.token, settings.encoding_aes_key, settings.app_id,
                                        settings.previous_aes_key)
        self.conversation = Conversation(self.name, service, settings, self.send_text)
        self._inflight: dict[str, _Answer] = {}
        self._http: aiohttp.ClientSession | None = None
        self._token: tuple[str, float] | None = None
        self._token_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()
        self._sweeper: asyncio.Task | None = None

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(self.settings.path, self.verify_url)
        app.router.add_post(self.settings.path, self.receive)

    async def start(self) -> None:
        self._http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.settings.api_timeout_s))
        self._sweeper = asyncio.create_task(self.conversation.run(), name="wechat-sweep")

    async def stop(self) -> None:
        tasks = [t for t in [self._sweeper, *self._tasks] if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._http is not None:
            await self._http.close()

    # -- HTTP -----------------------------------------------------------------------------

    def _signed(self, request: web.Request) -> bool:
        q = request.query
        timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
        if not signature_ok((self.settings.token, timestamp, nonce), q.get("signature", "")):
            return False
        skew = self.settings.max_clock_skew_s
        if skew:
            stamp = unix_seconds(timestamp)
            return stamp is not None and abs(time.time() - stamp) <= skew
        return True

    async def verify_url(self, request: web.Request) -> web.Response:
        if not self.settings.token or not self._signed(request):
            return web.Response(status=403, text="invalid signature")
        return web.Response(text=request.query.get("echostr", ""))

    async def receive(self, request: web.Request) -> web.Response:
        started = time.monotonic()
        if not self.settings.token or not self._signed(request):
            return web.Response(status=403, text="invalid signature")
        body = await _read_capped(request, self.settings.max_body_kb * 1024)
        if body is None:
            return web.Response(status=413, text="request body too large")
        encrypted = request.query.get("encrypt_type") == "aes"
        if not encrypted and self.settings.require_encryption:
            return web.Response(status=403, text="plaintext messages are not accepted")
        try:
            fields = _parse(body)
            if encrypted:
                fields = self._decrypt(request, fields)
        except (ParseError, DefusedXmlException, UnicodeError, ValueError) as exc:
            log.warning("wechat: refused a malformed message: %s", exc)
            return web.Response(status=400, text="malformed XML")
        except CryptoError as exc:
            log.warning("wechat: refused an encrypted message: %s", exc)
            return web.Response(status=403, text="invalid encrypted message")
        openid = fields.get("FromUserName", "")
        if not openid or not fields.get("MsgType"):
            return web.Response(status=400, text="missing FromUserName or MsgType")
        replies, created = await self._answer(fields, started)
        if replies is None:
            return web.Response(status=503, text="temporarily unavailable")
        if not replies:
            return web.Response(text="success")
        xml = _reply_xml(fields, "\n\n".join(replies), created)
        if encrypted and self.crypto is not None:
            xml = self.crypto.encrypted_reply(xml, str(int(time.time())), request.query.get("nonce", ""))
        return web.Response(text=xml, content_type="application/xml")

    def _decrypt(self, request: web.Request, outer: dict) -> dict:
        if self.crypto is None:
            raise CryptoError("safe mode message but no EncodingAESKey configured")
        q = request.query
        encrypted = outer.get("Encrypt", "")
        if not signature_ok((self.settings.token, q.get("timestamp", ""), q.get("nonce", ""), encrypted),
                            q.get("msg_signature", "")):
            raise CryptoError("msg_signature does not match")
        return _parse(self.crypto.decrypt(encrypted).encode())

    # -- answering within the budget ------------------------------------------------------

    async def _answer(self, fields: dict, started: float) -> tuple[list[str] | None, int]:
        """The replies, [] for "success" (nothing to say, or sent later), None on a fault;
        and when the answer was made, so a retry gets the same reply to the second."""
        self._forget_old()
        key = fields.get("MsgId") or f"{fields['FromUserName']}:{fields.get('CreateTime', '')}:" \
                                      f"{fields.get('Event', '')}"
        answer = self._inflight.get(key)
        if answer is None:
            task = asyncio.create_task(self._process(fields))
            answer = self._inflight[key] = _Answer(task, fields["FromUserName"])
        remaining = self.settings.reply_budget_s - (time.monotonic() - started)
        done, _ = await asyncio.wait({answer.task}, timeout=max(remaining, 0))
        if not done:
            if not answer.deferred:
                answer.deferred = True
                answer.task.add_done_callback(self._push_later)
            return [], answer.created
        if answer.task.exception() is not None:
            del self._inflight[key]  # not saved: let WeChat's retry try again
            return None, answer.created
        if answer.deferred:
            return [], answer.created
        return answer.task.result(), answer.created

    def _push_later(self, task: asyncio.Task) -> None:
        answer = next((a for a in self._inflight.values() if a.task is task), None)
        if answer is None or task.cancelled() or task.exception() is not None or not task.result():
            return
        push = asyncio.create_task(self.send_text(answer.openid, "\n\n".join(task.result())))
        self._tasks.add(push)
        push.add_done_callback(self._pushed)

    def _pushed(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("wechat: late answer not delivered: %s", task.exception())

    def _forget_old(self) -> None:
        cutoff = time.monotonic() - RETRY_WINDOW_S
        for key in [k for k, a in self._inflight.items() if a.at < cutoff and a.task.done()]:
            del self._inflight[key]

    async def _process(self, fields: dict) -> list[str]:
        try:
            msg = await self._inbound(fields)
            return await self.conversation.handle(fields["FromUserName"], msg)
        except Exception:
            log.exception("wechat: message %s not handled", fields.get("MsgId"))
            raise

    async def _inbound(self, f: dict) -> Inbound:
        kind = f.get("MsgType", "")
        msg_id = f"wx-{f['MsgId']}" if f.get("MsgId") else \
            f"wx-{f['FromUserName']}-{f.get('CreateTime', '')}-{f.get('Event', '')}"
        raw = {k: v for k, v in f.items() if k != "ToUserName"}
        if kind == "text":
            return Inbound(msg_id, "text", text=f.get("Content", ""), raw=raw)
        if kind == "image":
            return await self._media_inbound(msg_id, f, raw)
        if kind == "voice":
            return await self._voice_inbound(msg_id, f, raw)
        if kind == "location":
            point = geo_point(f.get("Location_X"), f.get("Location_Y"))  # NaN, out of range: None
            if point is None:
                return Inbound(msg_id, "media_failed", text="位置", raw=raw)
            return Inbound(msg_id, "location", point=point, point_crs="gcj02", raw=raw)
        if kind == "event":
            event = f.get("Event", "")
            if event == "subscribe":
                return Inbound(msg_id, "event", event="subscribe", raw=raw)
            if event == "CLICK":
                command = CLICK_COMMANDS.get(f.get("EventKey", "").lower(), "")
                return Inbound(msg_id, "event", event="click", text=command, raw=raw)
            return Inbound(msg_id, "event", event=event.lower() if event in SILENT else "other", raw=raw)
        return Inbound(msg_id, "unsupported", raw=raw)

    async def _media_inbound(self, msg_id: str, f: dict, raw: dict) -> Inbound:
        s = self.settings
        try:
            data = await self.fetch_media(f.get("MediaId", ""), int(s.max_photo_mb * 1024 * 1024))
            attachment = await self.service.save_attachment(
                data, filename=f"{f.get('MediaId', 'photo')[:40]}.jpg", allowed_types=s.photo_types,
                max_bytes=int(s.max_photo_mb * 1024 * 1024))
        except Refusal as exc:
            return Inbound(msg_id, "media_failed", text=f"照片（{exc.message}）", raw=raw)
        except (TimeoutError, aiohttp.ClientError, MediaError) as exc:
            log.warning("wechat: image %s not fetched: %s", f.get("MediaId"), exc)
            return Inbound(msg_id, "media_failed", text="照片", raw=raw)
        return Inbound(msg_id, "photo", attachment=attachment, raw=raw)

    async def _voice_inbound(self, msg_id: str, f: dict, raw: dict) -> Inbound:
        text = (f.get("Recognition") or "").strip()
        attachment = None
        try:
            data = await self.fetch_media(f.get("MediaId", ""), int(self.settings.max_voice_mb * 1024 * 1024))
            attachment = await self.service.save_attachment(
                data, filename=f"{f.get('MediaId', 'voice')[:40]}.{f.get('Format', 'amr').lower()}",
                max_bytes=int(self.settings.max_voice_mb * 1024 * 1024))
            if not text:
                text = (await self.service.transcribe(data, attachment.content_type) or "").strip()
        except (TimeoutError, aiohttp.ClientError, MediaError, Refusal) as exc:
            log.warning("wechat: voice %s not fetched: %s", f.get("MediaId"), exc)
        return Inbound(msg_id, "voice", text=text, attachment=attachment, raw=raw)

    # -- the WeChat API -------------------------------------------------------------------

    async def access_token(self, refresh: bool = False) -> str:
        async with self._token_lock:
            if self._token and not refresh and self._token[1] > time.monotonic():
                return self._token[0]
            s = self.settings
            async with self._http.get(f"{s.api_base}/cgi-bin/token", params={
                    "grant_type": "client_credential", "appid": s.app_id, "secret": s.app_secret}) as resp:
                data = await resp.json(content_type=None)
            if "access_token" not in data:
                raise DeliveryError(f"微信 access_token 获取失败：{data.get('errcode')} {data.get('errmsg')}")
            lifetime = float(data.get("expires_in", 7200))
            self._token = (data["access_token"], time.monotonic() + max(lifetime - 300, lifetime / 2))
            return self._token[0]

    async def send_text(self, openid: str, text: str) -> None:
        """A customer-service (客服) text message to one follower."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        for attempt in range(2):
            token = await self.access_token(refresh=attempt > 0)
            async with self._http.post(f"{self.settings.api_base}/cgi-bin/message/custom/send",
                                       params={"access_token": token}, json=body) as resp:
                data = await resp.json(content_type=None)
            code = data.get("errcode", 0)
            if code == 0:
                return
            if code not in TOKEN_ERRCODES:
                break
        raise DeliveryError(f"微信客服消息发送失败：{code} {data.get('errmsg', '')}",
                            permanent=code in PERMANENT_ERRCODES)

    async def fetch_media(self, media_id: str, max_bytes: int) -> bytes:
        if not media_id:
            raise MediaError("no MediaId")
        token = await self.access_token()
        async with self._http.get(f"{self.settings.api_base}/cgi-bin/media/get",
                                  params={"access_token": token, "media_id": media_id}) as resp:
            if resp.status != 200 or resp.content_type in ("application/json", "text/plain"):
                raise MediaError(f"media/get answered {resp.status} {await resp.text()}"[:200])
            if (resp.content_length or 0) > max_bytes:
                raise MediaError("media too large")
            data = await resp.content.read(max_bytes + 1)
            while len(data) <= max_bytes and not resp.content.at_eof():
                data += await resp.content.read(max_bytes + 1 - len(data))
            if len(data) > max_bytes:
                raise MediaError("media too large")
            return data

    async def deliver(self, message: Outbound) -> None:
        if message.event == "closed":  # the template asks for 1/2/3: expect the answer
            await self.conversation.await_rating(message.contact_id, message.case_no)
        try:
            await self.send_text(message.contact_id, message.text)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise DeliveryError(f"微信接口不可达：{exc}") from exc


class MediaError(Exception):
    pass


class _Answer:
    def __init__(self, task: asyncio.Task, openid: str):
        self.task = task
        self.openid = openid
        self.deferred = False  # answered "success"; the reply goes out as a 客服 message
        self.at = time.monotonic()
        self.created = int(time.time())


async def _read_capped(request: web.Request, limit: int) -> bytes | None:
    if (request.content_length or 0) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(16384):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(body: bytes) -> dict:
    """The <xml> children as text; DOCTYPE and entities are refused (XXE, billion laughs)."""
    root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    if root.tag != "xml":
        raise ValueError(f"unexpected root <{root.tag}>")
    return {child.tag: (child.text or "").strip() for child in root}


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _reply_xml(fields: dict, text: str, created: int) -> str:
    return ("<xml>"
            f"<ToUserName>{_cdata(fields['FromUserName'])}</ToUserName>"
            f"<FromUserName>{_cdata(fields.get('ToUserName', ''))}</FromUserName>"
            f"<CreateTime>{created}</CreateTime>"
            "<MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{_cdata(text)}</Content>"
            "</xml>")


Settings = WechatSettings


def create(service: IntakeService, settings: WechatSettings) -> WechatChannel:
    return WechatChannel(service, settings)
