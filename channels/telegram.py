"""Telegram bot (python-telegram-bot, webhook or polling), inside the gateway's loop.

Polling: the library's updater long-polls getUpdates. Webhook: our own aiohttp route checks
the secret token header and hands the update to the application. Either way each message
goes to the shared conversation, and its replies are sent with sendMessage. A message is
known by chat id + message id, so an update delivered twice (a restart before the offset
was confirmed, a webhook retry) changes nothing and is not answered twice."""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from dataclasses import dataclass

from aiohttp import web
from telegram import Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from channels.base import BaseChannel, DeliveryError, IntakeService, Outbound
from channels.conversation import Conversation, ConversationSettings, Inbound
from gateway.errors import Refusal
from gateway.fields import geo_point
from gateway.http import json_error, parse_json_object

log = logging.getLogger("channels.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DOCUMENT_TYPES = ["application/pdf"]  # besides photos, kept as attachments


@dataclass
class TelegramSettings(ConversationSettings):
    enabled: bool = False
    bot_token: str = ""
    mode: str = "polling"  # polling | webhook
    # Webhook mode: the route Telegram posts to, the secret it sends in the
    # X-Telegram-Bot-Api-Secret-Token header, and the public URL registered with setWebhook
    # at start-up (empty: register it by hand).
    webhook_path: str = "/hooks/telegram"
    webhook_secret: str = ""
    webhook_url: str = ""
    # The Bot API server (a local Bot API server, or a fake in tests).
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    poll_timeout_s: float = 10.0
    max_body_kb: int = 256
    max_file_mb: float = 20.0  # the Bot API serves files up to 20 MB

    def problems(self) -> list[str]:
        """What stops these settings from working, each naming its key."""
        found = []
        if not self.bot_token:
            found.append("bot_token: the bot's token from @BotFather is required")
        if self.mode not in ("polling", "webhook"):
            found.append(f"mode: expected polling or webhook, got {self.mode!r}")
        if self.mode == "webhook" and not self.webhook_secret:
            found.append("webhook_secret: required in webhook mode")
        return found


class TelegramChannel(BaseChannel):
    name = "telegram"
    can_deliver = True
    ack_by_message = False

    def __init__(self, service: IntakeService, settings: TelegramSettings):
        self.service = service
        self.settings = settings
        self.conversation = Conversation(self.name, service, settings, self.send_text)
        builder = (Application.builder().token(settings.bot_token).base_url(settings.base_url)
                   .base_file_url(settings.base_file_url)
                   .get_updates_read_timeout(settings.poll_timeout_s + 5))
        if settings.mode == "webhook":
            builder = builder.updater(None)
        self.app = builder.build()
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self._sweeper: asyncio.Task | None = None

    def add_routes(self, app: web.Application) -> None:
        if self.settings.mode == "webhook":
            app.router.add_post(self.settings.webhook_path, self.webhook)

    async def start(self) -> None:
        s = self.settings
        await self.app.initialize()
        await self.app.start()
        if s.mode == "polling":
            await self.app.updater.start_polling(timeout=s.poll_timeout_s, allowed_updates=["message"])
        elif s.webhook_url:
            await self.app.bot.set_webhook(s.webhook_url, secret_token=s.webhook_secret,
                                           allowed_updates=["message"])
        self._sweeper = asyncio.create_task(self.conversation.run(), name="telegram-sweep")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    # -- receiving ------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.settings.webhook_secret.encode()):
            return web.Response(status=403, text="wrong secret token")
        limit = self.settings.max_body_kb * 1024
        if (request.content_length or 0) > limit:
            return web.Response(status=413, text="update too large")
        body = await request.content.read(limit + 1)
        if len(body) > limit:
            return web.Response(status=413, text="update too large")
        data = parse_json_object(body)  # BadJson: the middleware answers 400 invalid_json
        try:
            if not isinstance(data.get("update_id"), int) or isinstance(data.get("update_id"), bool):
                raise ValueError("update_id must be an integer")
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:  # valid JSON that is not an Update: a 400, never a 500
            return json_error(400, "not_an_update", f"不是 Telegram 的 Update：{type(exc).__name__}")
        # Processed before the answer: Telegram only forgets the update once it is saved.
        await self.app.process_update(update)
        return web.Response(text="ok")

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.chat is None:
            return  # edits, channel posts, callbacks: not part of the intake
        chat_id = str(message.chat.id)
        try:
            inbound = await self._inbound(message)
            replies = await self.conversation.handle(chat_id, inbound, replay=False)
        except Exception:
            log.exception("telegram: message %s in chat %s not handled", message.message_id, chat_id)
            replies = ["抱歉，系统暂时无法处理您的消息，请稍后再发一次。"]
        for text in replies:
            try:
                await self.send_text(chat_id, text)
            except DeliveryError as exc:
                log.warning("telegram: reply to %s not sent: %s", chat_id, exc)

    async def _inbound(self, m: Message) -> Inbound:
        msg_id = f"tg-{m.chat.id}-{m.message_id}"
        raw = m.to_dict()
        at = m.date
        if m.text:
            return Inbound(msg_id, "text", text=_command(m.text), raw=raw, at=at)
        if m.location:
            point = geo_point(m.location.latitude, m.location.longitude)
            if point is None:
                return Inbound(msg_id, "media_failed", text="位置", raw=raw, at=at)
            return Inbound(msg_id, "location", point=point, point_crs="wgs84", raw=raw, at=at)
        if m.photo:
            largest = max(m.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
            return await self._file(msg_id, "photo", largest, "photo.jpg", self.settings.photo_types,
                                    raw, at, caption=m.caption)
        if m.document:
            doc = m.document
            kind = "photo" if (doc.mime_type or "").startswith("image/") else "file"
            return await self._file(msg_id, kind, doc, doc.file_name or "document",
                                    self.settings.photo_types + DOCUMENT_TYPES, raw, at, caption=m.caption)
        if m.voice or m.audio:
            return await self._voice(msg_id, m.voice or m.audio, raw, at)
        return Inbound(msg_id, "unsupported", raw=raw, at=at)

    async def _download(self, media, max_bytes: int) -> bytes:
        if (media.file_size or 0) > max_bytes:
            raise _TooLarge()
        file = await media.get_file()
        if (file.file_size or 0) > max_bytes:
            raise _TooLarge()
        data = bytes(await file.download_as_bytearray())
        if len(data) > max_bytes:
            raise _TooLarge()
        return data

    async def _file(self, msg_id, kind, media, filename, types, raw, at, caption=None) -> Inbound:
        what = "照片" if kind == "photo" else "文件"
        limit = int(min(self.settings.max_photo_mb if kind == "photo" else self.settings.max_file_mb,
                        self.settings.max_file_mb) * 1024 * 1024)
        try:
            data = await self._download(media, limit)
            attachment = await self.service.save_attachment(data, filename=filename,
                                                            allowed_types=types, max_bytes=limit)
        except _TooLarge:
            return Inbound(msg_id, "too_large", raw=raw, at=at, text=f"{limit / 1048576:g}")
        except Refusal as exc:
            return Inbound(msg_id, "media_failed", text=f"{what}（{exc.message}）", raw=raw, at=at)
        except TelegramError as exc:
            log.warning("telegram: %s not fetched: %s", what, exc)
            return Inbound(msg_id, "media_failed", text=what, raw=raw, at=at)
        inbound = Inbound(msg_id, kind, attachment=attachment, raw=raw, at=at)
        if caption:  # a caption is the citizen's words: file the picture, then the words
            inbound.text = caption
        return inbound

    async def _voice(self, msg_id, media, raw, at) -> Inbound:
        limit = int(self.settings.max_file_mb * 1024 * 1024)
        try:
            data = await self._download(media, limit)
            attachment = await self.service.save_attachment(data, filename="voice.ogg", max_bytes=limit)
        except (_TooLarge, Refusal, TelegramError) as exc:
            log.warning("telegram: voice not fetched: %s", exc)
            return Inbound(msg_id, "voice", raw=raw, at=at)
        text = await self.service.transcribe(data, attachment.content_type) or ""
        return Inbound(msg_id, "voice", text=text, attachment=attachment, raw=raw, at=at)

    # -- sending --------------------------------------------------------------------------

    async def send_text(self, chat_id: str, text: str) -> None:
        try:
            await self.app.bot.send_message(chat_id=int(chat_id), text=text)
        except Forbidden as exc:  # the citizen blocked the bot
            raise DeliveryError(f"Telegram 用户已停用机器人：{exc}", permanent=True) from exc
        except BadRequest as exc:  # chat not found and the like: retrying will not help
            raise DeliveryError(f"Telegram 拒绝发送：{exc}", permanent=True) from exc
        except TelegramError as exc:
            raise DeliveryError(f"Telegram 发送失败：{exc}") from exc

    async def deliver(self, message: Outbound) -> None:
        if message.event == "closed":  # the template asks for 1/2/3: expect the answer
            await self.conversation.await_rating(message.contact_id, message.case_no)
        await self.send_text(message.contact_id, message.text)


class _TooLarge(Exception):
    pass


def _command(text: str) -> str:
    """"/status@hotline_bot 20261121-000001" -> "/status 20261121-000001"."""
    if text.startswith("/"):
        head, _, rest = text.partition(" ")
        return f"{head.split('@', 1)[0]} {rest}".strip()
    return text


Settings = TelegramSettings


def create(service: IntakeService, settings: TelegramSettings) -> TelegramChannel:
    return TelegramChannel(service, settings)
