"""A loopback receiver for push delivery: checks each POST's signature and records it, or
answers 500, hangs past the sender's time-out, or closes the connection, as told."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import time

import orjson
from aiohttp import web

SECRET = "push-test-secret-0123456789"


class Receiver:
    def __init__(self, port: int, secret: str = SECRET, mode: str = "ok"):
        self.port = port
        self.secret = secret
        self.mode = mode  # ok | fail | hang | close | flaky (each key fails twice, then ok)
        self.got: list[dict] = []  # every accepted POST, in arrival order
        self.tries: list[tuple[int, int]] = []  # (key, attempt) of every POST seen
        self.bad_signatures = 0
        self.arrived: dict[str, float] = {}  # case_no -> monotonic time of its first event
        self._runner: web.AppRunner | None = None
        self.url = f"http://127.0.0.1:{port}/hook"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        key, attempt = int(request.headers["Idempotency-Key"]), int(request.headers["X-Delivery-Attempt"])
        self.tries.append((key, attempt))
        mode = self.mode
        if mode == "flaky":
            mode = "ok" if attempt > 2 else ("fail", "hang", "close")[key % 3]
        if mode == "fail":
            return web.Response(status=500)
        if mode == "hang":
            await asyncio.sleep(5)
            return web.Response(status=200)
        if mode == "close":
            request.transport.close()
            return web.Response(status=200)
        timestamp = request.headers["X-Timestamp"]
        expected = "sha256=" + hmac.new(self.secret.encode(), f"{timestamp}.".encode() + body,
                                        hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Signature", "")):
            self.bad_signatures += 1
            return web.Response(status=401)
        doc = orjson.loads(body)
        self.arrived.setdefault(doc["case_no"], time.monotonic())
        self.got.append({"key": key, "attempt": attempt, "event": request.headers["X-Event"],
                         "case_no": doc["case_no"], "status": doc["status"], "feed_seq": doc["feed_seq"]})
        return web.Response(status=200)

    def keys(self) -> list[int]:
        return [g["key"] for g in self.got]
