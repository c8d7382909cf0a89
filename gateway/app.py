"""create_app(): routes, middlewares, and the start-up order (storage, classifiers,
workers, channels; stopped in reverse) in aiohttp's cleanup_ctx."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from pathlib import Path

from aiohttp import web

from channels.webform import WebFormChannel
from gateway import api
from gateway.appkeys import ATTACHMENTS, CORE_TOKEN, METRICS, PIPELINE, SERVICE, SETTINGS, STORE
from gateway.attachments import AttachmentStore
from gateway.components import build_stages
from gateway.http import error_middleware, json_response
from gateway.metrics import Metrics
from gateway.pipeline import Pipeline
from gateway.service import GatewayService
from gateway.settings import Settings
from gateway.store import Store, StorageUnavailable

log = logging.getLogger("gateway.app")
OPENAPI = Path(__file__).parent / "openapi.json"


def core_token(settings: Settings) -> str:
    """The configured token, or one generated once and kept in the data directory."""
    if settings.core.token:
        return settings.core.token
    path = settings.data_dir / "core_token"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    path.write_text(token + "\n")
    path.chmod(0o600)
    log.info("generated the core platform's API token in %s", path)
    return token


def create_app(settings: Settings, *, stages=None) -> web.Application:
    """`stages` (classifier, locator, duplicates) replaces the configured ones (tests)."""
    app = web.Application(
        middlewares=[error_middleware, api.core_auth],
        client_max_size=int(settings.server.max_body_mb * 1024 * 1024),
    )
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[CORE_TOKEN] = core_token(settings)

    async def storage(app: web.Application):
        store = Store(settings.data_dir / "gateway.sqlite3",
                      busy_timeout_ms=settings.storage.busy_timeout_ms,
                      synchronous=settings.storage.synchronous,
                      max_batch=settings.storage.max_batch)
        await store.open()
        app[STORE] = store
        try:
            yield
        finally:
            await store.close()

    async def pipeline(app: web.Application):
        classifier, locator, duplicates = stages or await asyncio.get_running_loop().run_in_executor(
            None, build_stages, settings)
        pipe = Pipeline(app[STORE], classifier=classifier, locator=locator, duplicates=duplicates,
                        public_url=settings.public_url, metrics=app[METRICS],
                        inline_chars=settings.pipeline.inline_stage_chars)
        for doc in await app[STORE].open_workorders():
            duplicates.track(doc)
        app[PIPELINE] = pipe
        app[ATTACHMENTS] = AttachmentStore(settings.data_dir / "attachments", app[STORE])
        app[SERVICE] = GatewayService(pipe, app[ATTACHMENTS])
        yield

    async def workers(app: web.Application):
        task = asyncio.create_task(_recovery_loop(app[PIPELINE], settings.pipeline.recovery_interval_s))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.extend([storage, pipeline, workers])
    app.router.add_routes(api.routes)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/api/openapi.json", openapi)
    app.router.add_get("/", home)
    # Channels get the service lazily: it exists only once the pipeline context has run.
    WebFormChannel(_LazyService(app), settings.webform).add_routes(app)
    return app


class _LazyService:
    def __init__(self, app: web.Application):
        self._app = app

    def __getattr__(self, name: str):
        return getattr(self._app[SERVICE], name)


async def _recovery_loop(pipeline: Pipeline, interval: float) -> None:
    """Finish reports stored but never filed: at start-up, then every `interval` seconds."""
    while True:
        try:
            done = await pipeline.recover()
            if done:
                log.info("recovered %d stored reports", done)
        except StorageUnavailable as exc:
            log.warning("recovery postponed: %s", exc)
        except Exception:
            log.exception("recovery sweep failed")
        await asyncio.sleep(interval)


async def home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/report")


async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[PIPELINE].store.ping()
    except StorageUnavailable:
        return json_response({"status": "unavailable", "database": "unavailable"}, status=503)
    return json_response({"status": "ok", "database": "ok"})


async def metrics(request: web.Request) -> web.Response:
    m = request.app[METRICS]
    store = request.app[PIPELINE].store
    m.queue_depth.labels("write").set(store.queue_depth)
    with contextlib.suppress(StorageUnavailable):
        m.queue_depth.labels("review").set(await store.count_review())
        m.queue_depth.labels("unfiled").set(len(await store.pending_intakes()))
    return web.Response(body=m.render(), content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})


async def openapi(request: web.Request) -> web.Response:
    return web.Response(text=OPENAPI.read_text(encoding="utf-8"), content_type="application/json")


def load_openapi() -> dict:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))
