"""Small servers on loopback that play services outside this machine."""
from __future__ import annotations

from contextlib import asynccontextmanager

from aiohttp.test_utils import TestServer


@asynccontextmanager
async def serving(fake):
    """Serve `fake.app()` on a loopback port; `fake.url` is its base URL while it runs."""
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        await server.close()
