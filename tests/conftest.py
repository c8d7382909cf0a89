"""Shared fixtures: the real application on a loopback socket with a real SQLite file, or,
in the store-facing modules (marked `both_stores`), once on SQLite and once on PostgreSQL."""
from __future__ import annotations

import asyncio
import os
import secrets
import socket
import time
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from classifiers.dedupe.index import warm_up
from gateway import settings as settings_module
from gateway.app import create_app
from gateway.appkeys import CORE_TOKEN, PIPELINE
from gateway.stages import build as components

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def make_settings(data_dir: Path, store_url: str | None = None, **overrides):
    """Test settings: data in `data_dir`; the database at `store_url` (the `store_url`
    fixture: "" for the SQLite file, or a PostgreSQL schema of the test's own)."""
    if store_url:
        overrides["store.url"] = store_url
    settings = settings_module.load(None, {"storage.data_dir": str(data_dir), **overrides})
    settings.pipeline.recovery_interval_s = 3600  # tests trigger recovery themselves
    return settings


_PURE_STAGES: dict = {}


def default_stages(settings):
    """The configured stages. The classifier and locator are pure and slow to load, so one
    pair serves the whole session; every app gets a fresh duplicate index."""
    if not _PURE_STAGES:
        classifier, locator, _ = components.build_stages(settings)
        _PURE_STAGES.update(classifier=classifier, locator=locator)
    return _PURE_STAGES["classifier"], _PURE_STAGES["locator"], components.build_duplicates(settings)


def pytest_sessionstart(session):
    """Train (or load) the default model before the first test: on a fresh clone training
    takes minutes on a slow machine, which must not count against one test's timeout."""
    if not session.config.option.collectonly:
        components.build_classifier_from(settings_module.load(None, {}))
        warm_up()  # and the duplicate check's models (history, faults)


@asynccontextmanager
async def running_gateway(settings, stages=None, channels=None):
    app = create_app(settings, stages=stages or default_stages(settings), extra_channels=channels)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    client.core_headers = {"Authorization": f"Bearer {app[CORE_TOKEN]}"}
    client.pipeline = app[PIPELINE]
    try:
        yield client
    finally:
        await client.close()


@asynccontextmanager
async def running_chat_gateway(settings, channel_settings, api, options: dict):
    """A gateway whose chat channel talks to a fake platform API (`gw.api`): answers back
    retried quickly, and `options` set on the channel's settings."""
    settings.notify.first_retry_s = 0.05
    for key, value in options.items():
        setattr(channel_settings, key, value)
    async with running_gateway(settings) as gw:
        gw.api = api
        yield gw


# The PostgreSQL server of the store tests (each test gets a schema of its own in it).
TEST_PG_URL = os.environ.get("GATEWAY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def pytest_generate_tests(metafunc):
    chosen = any("store_backend" in m.args[0] for m in metafunc.definition.iter_markers("parametrize"))
    if "store_backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_stores") \
            and not chosen:
        metafunc.parametrize("store_backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def store_backend(request):
    return getattr(request, "param", "sqlite")


def _pg_admin():
    import psycopg
    try:
        return psycopg.connect(TEST_PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL half of the store tests skipped: no PostgreSQL server at "
                    f"{TEST_PG_URL} (set GATEWAY_TEST_PG_URL): {str(exc).strip()}")


@contextmanager
def pg_schema():
    """A fresh schema in the test database, dropped afterwards; the store URL that uses it."""
    name = f"t_{secrets.token_hex(6)}"
    with _pg_admin() as admin:
        admin.execute(f"CREATE SCHEMA {name}")
        try:
            yield f"{TEST_PG_URL}?options=-csearch_path%3D{name}"
        finally:
            admin.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
def store_url(store_backend):
    """"" (the SQLite file in the data directory) or a PostgreSQL URL of the test's own."""
    if store_backend == "sqlite":
        yield ""
        return
    with pg_schema() as url:
        yield url


@pytest.fixture
def settings(tmp_path, store_url):
    return make_settings(tmp_path / "data", **{"store.url": store_url or None})


@pytest.fixture
async def gateway(settings):
    async with running_gateway(settings) as client:
        yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def all_feed(client, cursor: int = 0, limit: int = 100) -> tuple[list[dict], int]:
    """Read the whole feed from `cursor`, page by page, as the core platform would."""
    items = []
    while True:
        resp = await client.get(f"/api/v1/workorders?cursor={cursor}&limit={limit}",
                                headers=client.core_headers)
        assert resp.status == 200
        page = await resp.json()
        items += page["items"]
        cursor = int(page["next_cursor"])
        if not page["has_more"]:
            return items, cursor


async def wait_until_up(session, base: str, timeout: float = 60.0) -> None:
    """Until the gateway at `base` (in its own process) answers /healthz with 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{base}/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"the gateway at {base} did not start")


async def cases_by_ref(session, base: str, token: str) -> dict[str, list[str]]:
    """Over HTTP (aiohttp session, a gateway in its own process): the whole feed as
    channel reference → the case numbers filed under it, as the core platform would read it."""
    feed: dict[str, list[str]] = {}
    cursor = 0
    while True:
        async with session.get(f"{base}/api/v1/workorders?cursor={cursor}&limit=500",
                               headers={"Authorization": f"Bearer {token}"}) as resp:
            page = await resp.json()
        for item in page["items"]:
            feed.setdefault(item["channel_ref"], []).append(item["case_no"])
        cursor = int(page["next_cursor"])
        if not page["has_more"]:
            return feed


async def workorder(client, case_no: str) -> dict:
    """One work order as the core platform sees it."""
    resp = await client.get(f"/api/v1/workorders/{case_no}", headers=client.core_headers)
    assert resp.status == 200
    return await resp.json()


async def case_count(client) -> int:
    items, _ = await all_feed(client)
    return len(items)


async def set_status(client, case_no, status, update_id, **extra) -> None:
    """The core platform moves a case on (and the gateway accepts it)."""
    resp = await client.post(f"/api/v1/workorders/{case_no}/status", headers=client.core_headers,
                             json={"status": status, "update_id": update_id, **extra})
    assert resp.status == 200, await resp.text()


def stop_nodes(nodes) -> None:
    """Stop the gateway processes a test started that are still running."""
    for node in nodes:
        if node.poll() is None:
            node.terminate()
            node.wait()
