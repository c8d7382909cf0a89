"""A small fake Telegram Bot API on loopback for the real python-telegram-bot: getMe,
getUpdates (long polling over a queue), sendMessage, getFile and file downloads,
setWebhook/deleteWebhook. It records what the bot sends."""
from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager

from aiohttp import web

from tests.fakes import serving

BOT = {"id": 7000001, "is_bot": True, "first_name": "12345市民热线", "username": "hotline12345_bot",
       "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


class FakeBotApi:
    def __init__(self, token: str):
        self.token = token
        self.updates: list[dict] = []
        self.sent: list[dict] = []  # sendMessage calls: {"chat_id", "text"}
        self.files: dict[str, bytes] = {}  # file_id -> content
        self.webhook: dict | None = None
        self.blocked: set[int] = set()  # chats that blocked the bot
        self._new = asyncio.Event()
        self._next_update = 1000
        self.next_message_id = 1
        self.url = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self.method)
        app.router.add_get("/file/bot{token}/{path:.+}", self.download)
        return app

    # -- what tests do --------------------------------------------------------------------

    def push(self, message: dict) -> int:
        """Queue an update as Telegram would for a message a citizen sent."""
        update_id = self._next_update
        self._next_update += 1
        self.updates.append({"update_id": update_id, "message": message})
        self._new.set()
        return update_id

    def message(self, chat_id: int, **content) -> dict:
        self.next_message_id += 1
        return {"message_id": self.next_message_id, "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "市民"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "市民"}, **content}

    def texts_to(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.sent if int(m["chat_id"]) == chat_id]

    async def wait_for(self, chat_id: int, count: int, timeout: float = 10) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.texts_to(chat_id)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"bot sent {self.texts_to(chat_id)} to {chat_id}")
            await asyncio.sleep(0.02)
        return self.texts_to(chat_id)

    # -- the Bot API ----------------------------------------------------------------------

    async def method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"},
                                     status=401)
        params = await _params(request)
        handler = getattr(self, "api_" + request.match_info["method"], None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"},
                                     status=404)
        return await handler(params)

    @staticmethod
    def ok(result) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    async def api_getMe(self, params):
        return self.ok(BOT)

    async def api_deleteWebhook(self, params):
        self.webhook = None
        return self.ok(True)

    async def api_setWebhook(self, params):
        self.webhook = params
        return self.ok(True)

    async def api_getUpdates(self, params):
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 1.0)  # short polls keep shutdown quick
        while not self.updates and time.monotonic() < deadline:
            self._new.clear()
            try:
                await asyncio.wait_for(self._new.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        return self.ok(self.updates[:100])

    async def api_sendMessage(self, params):
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            return web.json_response({"ok": False, "error_code": 403,
                                      "description": "Forbidden: bot was blocked by the user"}, status=403)
        self.sent.append({"chat_id": chat_id, "text": params["text"]})
        self.next_message_id += 1
        return self.ok({"message_id": self.next_message_id, "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"}, "text": params["text"],
                        "from": BOT})

    async def api_getFile(self, params):
        file_id = params["file_id"]
        if file_id not in self.files:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: invalid file_id"}, status=400)
        return self.ok({"file_id": file_id, "file_unique_id": "u-" + file_id,
                        "file_size": len(self.files[file_id]), "file_path": f"photos/{file_id}.bin"})

    async def download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1].removesuffix(".bin")
        if request.match_info["token"] != self.token or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])


async def _params(request: web.Request) -> dict:
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post()
    params = dict(request.query)
    for key, value in form.items():
        params[key] = value if isinstance(value, str) else value.file.read()
    return params


@asynccontextmanager
async def running_bot_api(token: str):
    async with serving(FakeBotApi(token)) as fake:
        yield fake


def as_json(update: dict) -> str:
    return json.dumps(update, ensure_ascii=False)
