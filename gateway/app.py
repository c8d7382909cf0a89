"""create_app(): the composition root. It builds the parts in the order the data flows —
storage, stages, cases and intake, workers, channels — each as an aiohttp cleanup context
(set up before `yield`, torn down after, in reverse), and adds the routes."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import shutil
from datetime import timedelta

from aiohttp import web

from channels import CHANNELS
from channels.base import Channel
from gateway import console
from gateway.api import core as api
from gateway.api import push as push_api
from gateway.api.openapi import openapi_handler
from gateway.appkeys import (
    ATTACHMENTS,
    CASES,
    CORE_TOKEN,
    DELIVERY,
    EVENTS,
    FOLLOWER,
    HOTSPOTS,
    METRICS,
    PIPELINE,
    PUSH,
    SERVICE,
    SETTINGS,
    STORE,
)
from gateway.appkeys import (
    CHANNELS as CHANNELS_KEY,
)
from gateway.cases import workorders
from gateway.cases.follow import FeedFollower
from gateway.cases.service import CaseService
from gateway.errors import StorageUnavailable
from gateway.events import EventHub
from gateway.guard import FailureLimit, GuessLimits
from gateway.hotspots import HotspotView
from gateway.http import error_middleware, json_response, security_headers
from gateway.intake.attachments import AttachmentStore
from gateway.intake.pipeline import Pipeline
from gateway.intake.service import GatewayService
from gateway.metrics import Metrics
from gateway.outbound.delivery import Delivery
from gateway.outbound.notify import Notices, Templates
from gateway.outbound.push import PushDelivery
from gateway.peers import PeerEvents
from gateway.settings import Settings
from gateway.speech.build import build_transcriber
from gateway.stages.build import build_stages
from gateway.stages.pool import StagePool
from gateway.stages.runner import StageRunner
from gateway.store import Store
from gateway.store import console as console_store
from gateway.store import push as push_store
from gateway.store import state as state_store
from gateway.store.outbox import Outbox
from gateway.store.state import ChannelState

log = logging.getLogger("gateway.app")
# Tables of the feature modules under gateway/store (intakes' and work orders' are always there).
SCHEMAS = [state_store.SCHEMA, console_store.SCHEMA, push_store.SCHEMA]
STATE_EXPIRY_INTERVAL_S = 600.0
HOTSPOT_EXPIRY_INTERVAL_S = 3600.0


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
        middlewares=[security_headers, error_middleware, api.core_auth],
        client_max_size=int(settings.server.max_body_mb * 1024 * 1024),
    )
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[CORE_TOKEN] = core_token(settings)
    app[EVENTS] = EventHub()
    # Channels get the service lazily: it exists only once the intake context has run.
    channels = _channels(settings, _LazyService(app), extra_channels or [])
    app[CHANNELS_KEY] = channels
    app.cleanup_ctx.extend([
        _storage(settings, channels),
        _stages_cases_and_intake(settings, stages),
        _workers(settings, channels),
        _push(settings),
        _channel_servers(channels),
    ])
    console.setup(app, settings.console)
    app.router.add_routes(api.routes)
    if settings.push.enabled:
        app.router.add_routes(push_api.routes)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/api/openapi.json", openapi_handler)
    app.router.add_get("/", home)
    for channel in channels.values():
        channel.add_routes(app)
    return app


def _channels(settings: Settings, service, extra: list[Channel]) -> dict[str, Channel]:
    """The enabled channels of `channels.CHANNELS`, each with its own settings section."""
    channels: dict[str, Channel] = {}
    for name, module in CHANNELS.items():
        section = settings.channel(name)
        if section.enabled:
            channels[name] = module.create(service, section)
    for channel in extra:
        channels[channel.name] = channel
    return channels


def make_store(settings: Settings) -> Store:
    """The configured database: [store].url (PostgreSQL), else the SQLite file in the
    data directory."""
    return Store(settings.store.url or settings.data_dir / "gateway.sqlite3",
                 busy_timeout_ms=settings.storage.busy_timeout_ms,
                 synchronous=settings.storage.synchronous,
                 max_batch=settings.storage.max_batch, schemas=SCHEMAS,
                 pool_size=settings.store.pool_size, claim_s=settings.store.claim_s)


def _storage(settings: Settings, channels: dict[str, Channel]):
    async def storage(app: web.Application):
        # The data directory (attachments, the core token; the SQLite file) exists whichever
        # store is configured.
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        store = make_store(settings)
        store.notices = Notices({n for n, c in channels.items() if c.can_deliver},
                                {n for n, c in channels.items() if c.ack_by_message},
                                settings.public_url)
        if settings.push.enabled:  # every change that enters the feed is logged with it
            store.change_kind = workorders.change_kind
        await store.open()
        app[STORE] = store
        app[METRICS].watch_store(store)
        try:
            yield
        finally:
            await store.close()
    return storage


def _stages_cases_and_intake(settings: Settings, stages):
    """The stages (in worker processes when configured; stages handed in by tests run in
    this process), the case service, and the intake pipeline with its channel-facing service."""
    async def stages_cases_and_intake(app: web.Application):
        pool = None
        if stages is None and settings.pipeline.stage_processes > 0:
            pool = StagePool(settings, settings.pipeline.stage_processes,
                             timeout_s=settings.pipeline.stage_timeout_s,
                             pin_cpus=settings.pipeline.pin_cpus)
        transcriber = build_transcriber(settings)
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
            runner = StageRunner(classifier=classifier, locator=locator, duplicates=duplicates,
                                 metrics=app[METRICS], inline_chars=settings.pipeline.inline_stage_chars,
                                 pool=pool)
            head = await app[STORE].feed_head()  # before the open cases: nothing falls between
            open_cases = await app[STORE].workorders_in(workorders.OPEN_STATUSES)
            for doc in open_cases:
                runner.track(doc)
            app[FOLLOWER] = FeedFollower(app[STORE], runner.track, head)
            cases = CaseService(app[STORE], runner, public_url=settings.public_url, metrics=app[METRICS],
                                clock=settings.deadlines.clock(), events=app[EVENTS])
            cases.follow_clocks(open_cases)
            cases.on_change(lambda doc: app[EVENTS].publish("workorder", doc))
            app[CASES] = cases
            app[PIPELINE] = Pipeline(app[STORE], runner, cases, public_url=settings.public_url,
                                     metrics=app[METRICS])
            app[HOTSPOTS] = HotspotView(settings.hotspots)
            app[PIPELINE].on_filed(app[HOTSPOTS].filed)
            app[FOLLOWER].on_page(lambda docs: app[HOTSPOTS].follow(app[STORE], docs))  # other nodes' reports
            app[ATTACHMENTS] = AttachmentStore(settings.data_dir / "attachments", app[STORE],
                                               keep_originals=settings.storage.keep_photo_originals)
            sec = settings.security
            guesses = GuessLimits(FailureLimit(sec.check_code_failures_per_case, sec.check_code_window_s),
                                  FailureLimit(sec.check_code_failures_per_client, sec.client_window_s))
            app[SERVICE] = GatewayService(app[PIPELINE], cases, app[ATTACHMENTS], ChannelState(app[STORE]),
                                          app[EVENTS], transcriber=transcriber, guesses=guesses)
            yield
        finally:
            transcriber.close()
            if pool is not None:
                await pool.close()
    return stages_cases_and_intake


def _workers(settings: Settings, channels: dict[str, Channel]):
    """Background work: answers back, the sweep of stored-but-unfiled reports, expiry of
    channels' state."""
    async def workers(app: web.Application):
        n = settings.notify
        delivery = Delivery(Outbox(app[STORE]), channels, Templates(settings.project_path(n.templates)),
                            app[METRICS], max_attempts=n.max_attempts, timeout_s=n.timeout_s,
                            first_retry_s=n.first_retry_s)
        app[DELIVERY] = delivery
        app[STORE].on_outbox = delivery.wake  # only when a commit queued answers back
        tasks = [
            asyncio.create_task(_every(settings.pipeline.recovery_interval_s, "recovery",
                                       app[PIPELINE].recover), name="recovery"),
            asyncio.create_task(_every(STATE_EXPIRY_INTERVAL_S, "state expiry",
                                       ChannelState(app[STORE]).expire), name="state-expiry"),
            asyncio.create_task(delivery.run(), name="delivery"),
            asyncio.create_task(_every(settings.deadlines.check_interval_s, "deadlines",
                                       app[CASES].check_deadlines), name="deadlines"),
            asyncio.create_task(_hotspots(app), name="hotspots"),
        ]
        peers = None
        if settings.store.url:  # other nodes may share the database: follow their changes
            tasks.append(asyncio.create_task(_every(settings.store.follow_interval_s, "feed follow",
                                                    app[FOLLOWER].poll), name="feed-follow"))
            peers = PeerEvents(app[EVENTS], app[STORE])  # and exchange live events with them
            app[EVENTS].relay = peers.relay
            tasks.append(asyncio.create_task(peers.run(), name="peer-events"))
        yield
        if peers is not None:
            app[EVENTS].relay = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return workers


def _push(settings: Settings):
    """Push delivery to the subscribers, when enabled: a worker per subscription, and the
    expiry of the change log and old dead letters."""
    async def push(app: web.Application):
        if not settings.push.enabled:
            yield
            return
        s = settings.push
        delivery = PushDelivery(push_store.PushRecords(app[STORE]), s, app[METRICS])
        await delivery.start()
        app[PUSH] = delivery
        app[STORE].on_push = delivery.wake
        tasks = [asyncio.create_task(_every(STATE_EXPIRY_INTERVAL_S, "push log expiry", lambda: delivery.records.expire(
            s.keep_events_days, s.keep_dead_days)), name="push-expiry")]
        if s.overdue_check_s > 0:
            tasks.append(asyncio.create_task(_every(s.overdue_check_s, "overdue", app[CASES].mark_overdue),
                                             name="overdue"))
        try:
            yield
        finally:
            app[STORE].on_push = None
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await delivery.close()
    return push


async def _hotspots(app: web.Application) -> None:
    """The hot-issue view: rebuilt from the stored reports, then kept current; old reports
    leave it every hour."""
    view = app[HOTSPOTS]
    try:
        count = await view.rebuild(app[STORE])
        log.info("hot-issue view rebuilt from %d stored reports", count)
    except StorageUnavailable as exc:
        log.warning("hot-issue view starts empty: %s", exc)
    worker = asyncio.create_task(view.run(), name="hotspots-worker")
    try:
        await _every(HOTSPOT_EXPIRY_INTERVAL_S, "hot-issue expiry", view.expire)
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker


def _channel_servers(channels: dict[str, Channel]):
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
    return channel_servers


class _LazyService:
    def __init__(self, app: web.Application):
        self._app = app

    def __getattr__(self, name: str):
        return getattr(self._app[SERVICE], name)


async def _every(interval: float, name: str, work) -> None:
    """Run `work()` at start-up, then every `interval` seconds; a fault is logged and the
    next round comes as planned."""
    while True:
        try:
            done = await work()
            if done:
                log.info("%s: %d done", name, done)
        except StorageUnavailable as exc:
            log.warning("%s postponed: %s", name, exc)
        except Exception:
            log.exception("%s failed", name)
        await asyncio.sleep(interval)


async def home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/report")


async def healthz(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    free_mb = shutil.disk_usage(settings.data_dir).free / 2**20
    disk = {"disk": "ok" if free_mb >= settings.storage.min_free_mb else "low", "disk_free_mb": round(free_mb, 1),
            "store": request.app[STORE].db.name}
    try:
        await request.app[STORE].ping()
    except StorageUnavailable:
        return json_response({"status": "unavailable", "database": "unavailable", **disk}, status=503)
    pool = request.app[PIPELINE].stages.pool
    workers = {"stage_workers": "ready" if pool.ready else "starting"} if pool is not None else {}
    if disk["disk"] == "low":  # reports with photos would be refused: take this node out
        return json_response({"status": "unavailable", "database": "ok", **disk, **workers}, status=503)
    return json_response({"status": "ok", "database": "ok", **disk, **workers})


async def metrics(request: web.Request) -> web.Response:
    m = request.app[METRICS]
    store = request.app[STORE]
    settings = request.app[SETTINGS]
    m.queue_depth.labels("write").set(store.queue_depth)
    pool = request.app[PIPELINE].stages.pool
    if pool is not None:
        m.queue_depth.labels("stages").set(pool.backlog)
    m.hotspot_heat.clear()
    m.hotspot_reports.clear()
    top = request.app[HOTSPOTS].top(timedelta(days=7), settings.hotspots.gauges)["items"] \
        if settings.hotspots.gauges else []
    for rank, issue in enumerate(top, 1):
        m.hotspot_heat.labels(str(rank), issue["id"]).set(issue["heat"])
        m.hotspot_reports.labels(str(rank), issue["id"]).set(issue["reports"])
    with contextlib.suppress(StorageUnavailable):
        if PUSH in request.app:
            await request.app[PUSH].export_metrics()
        m.queue_depth.labels("review").set(await store.count_review())
        m.queue_depth.labels("unfiled").set(len(await store.pending_intakes()))
        # Reports set aside after repeated faults: an alert when above zero.
        m.queue_depth.labels("failed").set(len(await store.failed_intakes()))
    return web.Response(body=m.render(), content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})
