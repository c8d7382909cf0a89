"""A small fake of the WeChat API on loopback: access tokens, customer-service messages
and media downloads. It records what the gateway sends."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from aiohttp import web

from tests.fakes import serving


class FakeWechatApi:
    def __init__(self, app_id: str, app_secret: str):
        self.app_id = app_id
        self.app_secret = app_secret
        self.sent: list[dict] = []  # customer-service messages, as posted
        self.media: dict[str, tuple[bytes, str]] = {}  # media_id -> (bytes, content type)
        self.media_delay_s = 0.0
        self.token_requests = 0
        self.refuse_send_with: int | None = None  # an errcode to answer message sends with
        self._arrived = asyncio.Event()
        self.url = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self.token)
        app.router.add_post("/cgi-bin/message/custom/send", self.custom_send)
        app.router.add_get("/cgi-bin/media/get", self.media_get)
        return app

    def texts_to(self, openid: str) -> list[str]:
        return [m["text"]["content"] for m in self.sent if m["touser"] == openid]

    async def wait_for(self, openid: str, count: int, timeout: float = 10) -> list[str]:
        async def enough():
            while len(self.texts_to(openid)) < count:
                self._arrived.clear()
                await self._arrived.wait()
        await asyncio.wait_for(enough(), timeout)
        return self.texts_to(openid)

    async def token(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("appid") != self.app_id or q.get("secret") != self.app_secret:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        self.token_requests += 1
        return web.json_response({"access_token": f"TOKEN-{self.token_requests}", "expires_in": 7200})

    def _token_ok(self, request: web.Request) -> bool:
        return request.query.get("access_token", "").startswith("TOKEN-")

    async def custom_send(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if self.refuse_send_with is not None:
            return web.json_response({"errcode": self.refuse_send_with, "errmsg": "refused"})
        self.sent.append(await request.json())
        self._arrived.set()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def media_get(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        await asyncio.sleep(self.media_delay_s)
        media = self.media.get(request.query.get("media_id", ""))
        if media is None:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        return web.Response(body=media[0], content_type=media[1])


@asynccontextmanager
async def running_wechat_api(app_id: str, app_secret: str):
    async with serving(FakeWechatApi(app_id, app_secret)) as fake:
        yield fake
