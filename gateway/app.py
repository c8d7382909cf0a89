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

from channels import email, hotline, telegram, wechat
from channels.base import Channel
from channels.webform import WebFormChannel
from gateway import console
from gateway.api import core as api
from gateway.appkeys import (
    ATTACHMENTS,
    CHANNELS,
    CORE_TOKEN,
    DELIVERY,
    EVENTS,
    METRICS,
    PIPELINE,
    SERVICE,
    SETTINGS,
    STORE,
)
from gateway.errors import StorageUnavailable
from gateway.events import EventHub
from gateway.http import error_middleware, json_response
from gateway.intake.attachments import AttachmentStore
from gateway.intake.pipeline import Pipeline
from gateway.intake.service import GatewayService
from gateway.metrics import Metrics
from gateway.outbound.delivery import Delivery
from gateway.outbound.notify import Notices, Templates
from gateway.settings import Settings
from gateway.speech.transcriber import Transcriber
from gateway.stages.build import build_stages
from gateway.stages.pool import StagePool
from gateway.store import Store
from gateway.store import console as console_store
from gateway.store import state as state_store
from gateway.store.outbox import Outbox
from gateway.store.state import ChannelState

log = logging.getLogger("gateway.app")
OPENAPI = Path(__file__).parent / "api" / "openapi.json"
OPENAPI_FRAGMENTS = Path(__file__).parent / "api" / "openapi.d"  # one file per channel
# Channels that plug in: module.create(service, settings.<name>, data_dir=…) -> Channel.
CHANNEL_MODULES = {"hotline": hotline, "wechat": wechat, "telegram": telegram, "email": email}
# Tables of the feature modules under gateway/store (core's are always there).
SCHEMAS = [state_store.SCHEMA, console_store.SCHEMA]


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


def create_app(settings: Settings, *, stages=None,
               extra_channels: list[Channel] | None = None) -> web.Application:
    """`stages` (classifier, locator, duplicates) replaces the configured ones, and
    `extra_channels` are added to the configured ones (tests)."""
    app = web.Application(
        middlewares=[error_middleware, api.core_auth],
        client_max_size=int(settings.server.max_body_mb * 1024 * 1024),
    )
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[CORE_TOKEN] = core_token(settings)
    app[EVENTS] = EventHub()
    templates = Templates(settings.project_path(settings.notify.templates))
    service = _LazyService(app)
    channels: dict[str, Channel] = {"webform": WebFormChannel(service, settings.webform)}
    for name, module in CHANNEL_MODULES.items():
        if getattr(settings, name).enabled:
            channels[name] = module.create(service, getattr(settings, name), data_dir=settings.data_dir)
    for channel in extra_channels or []:
        channels[channel.name] = channel

    async def storage(app: web.Application):
        store = Store(settings.data_dir / "gateway.sqlite3",
                      busy_timeout_ms=settings.storage.busy_timeout_ms,
                      synchronous=settings.storage.synchronous,
                      max_batch=settings.storage.max_batch, schemas=SCHEMAS)
        store.notices = Notices({n for n, c in channels.items() if c.can_deliver},
                                {n for n, c in channels.items() if c.ack_by_message},
                                settings.public_url)
        await store.open()
        app[STORE] = store
        app[METRICS].watch_store(store)
        try:
            yield
        finally:
            await store.close()

    async def pipeline(app: web.Application):
        # Stage workers load the configured stages themselves; stages handed in (tests)
        # run in this process.
        pool = None
        if stages is None and settings.pipeline.stage_processes > 0:
            pool = StagePool(settings, settings.pipeline.stage_processes,
                             timeout_s=settings.pipeline.stage_timeout_s,
                             pin_cpus=settings.pipeline.pin_cpus)
        transcriber = Transcriber(settings.speech, settings.data_dir)
        try:
            if pool is not None:
                await pool.start()
                if pool.loop_cpus:
                    # The writer thread only waits for the disk. On the loop's CPU it runs
                    # as soon as a commit is due; on the workers' CPU it queued behind them
                    # (1.2 s in 10 s under load) while the loop sat idle waiting for it.
                    await app[STORE].keep_writer_on(pool.loop_cpus)
            classifier, locator, duplicates = stages or await asyncio.get_running_loop().run_in_executor(
                None, build_stages, settings)
            pipe = Pipeline(app[STORE], classifier=classifier, locator=locator, duplicates=duplicates,
                            public_url=settings.public_url, metrics=app[METRICS],
                            inline_chars=settings.pipeline.inline_stage_chars, pool=pool)
            for doc in await app[STORE].open_workorders():
                duplicates.track(doc)
            app[PIPELINE] = pipe
            app[ATTACHMENTS] = AttachmentStore(settings.data_dir / "attachments", app[STORE])
            pipe.on_change(lambda doc: app[EVENTS].publish("workorder", doc))
            app[SERVICE] = GatewayService(pipe, app[ATTACHMENTS], ChannelState(app[STORE]), app[EVENTS],
                                          transcriber=transcriber)
            yield
        finally:
            transcriber.close()
            if pool is not None:
                await pool.close()

    async def workers(app: web.Application):
        n = settings.notify
        delivery = Delivery(Outbox(app[STORE]), channels, templates, app[METRICS],
                            max_attempts=n.max_attempts, timeout_s=n.timeout_s,
                            first_retry_s=n.first_retry_s)
        app[DELIVERY] = delivery
        app[STORE].on_outbox = delivery.wake  # only when a commit queued answers back
        tasks = [asyncio.create_task(_recovery_loop(app[PIPELINE], settings.pipeline.recovery_interval_s)),
                 asyncio.create_task(delivery.run(), name="delivery")]
        yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def channel_servers(app: web.Application):
        started: list[Channel] = []
        try:
            for channel in channels.values():
                await channel.start()
                started.append(channel)
            yield
        finally:
            for channel in reversed(started):
                try:
                    await channel.stop()
                except Exception:
                    log.exception("channel %s did not stop cleanly", channel.name)

    app.cleanup_ctx.extend([storage, pipeline, workers, channel_servers])
    console.setup(app, settings.console)
    app.router.add_routes(api.routes)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/api/openapi.json", openapi)
    app.router.add_get("/", home)
    # Channels get the service lazily: it exists only once the pipeline context has run.
    for channel in channels.values():
        channel.add_routes(app)
    app[CHANNELS] = channels
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
    pool = request.app[PIPELINE].pool
    workers = {"stage_workers": "ready" if pool.ready else "starting"} if pool is not None else {}
    return json_response({"status": "ok", "database": "ok", **workers})


async def metrics(request: web.Request) -> web.Response:
    m = request.app[METRICS]
    store = request.app[PIPELINE].store
    m.queue_depth.labels("write").set(store.queue_depth)
    pool = request.app[PIPELINE].pool
    if pool is not None:
        m.queue_depth.labels("stages").set(pool.backlog)
    with contextlib.suppress(StorageUnavailable):
        m.queue_depth.labels("review").set(await store.count_review())
        m.queue_depth.labels("unfiled").set(len(await store.pending_intakes()))
    return web.Response(body=m.render(), content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(load_openapi(), dumps=lambda v: json.dumps(v, ensure_ascii=False))


def load_openapi() -> dict:
    """The API document: the core's, plus each channel's fragment (paths and schemas)."""
    spec = json.loads(OPENAPI.read_text(encoding="utf-8"))
    for fragment in sorted(OPENAPI_FRAGMENTS.glob("*.json")):
        part = json.loads(fragment.read_text(encoding="utf-8"))
        spec["paths"].update(part.get("paths", {}))
        spec["components"]["schemas"].update(part.get("components", {}).get("schemas", {}))
        spec["components"].setdefault("securitySchemes", {}).update(
            part.get("components", {}).get("securitySchemes", {}))
        spec.setdefault("tags", []).extend(part.get("tags", []))
    return spec
