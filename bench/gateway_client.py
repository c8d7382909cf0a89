"""A gateway in its own process (run.py), as a deployment runs it, for the evaluation
benches: they post reports through the public HTTP intake and read the work orders back
through the core platform's API — the path a citizen's report really takes."""
from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "evaluation-core-token-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                if resp.status == 200 and b"starting" not in resp.read():
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the gateway did not start")


class Gateway:
    def __init__(self, base: str, http: aiohttp.ClientSession):
        self.base, self.http = base, http
        self.core = {"Authorization": f"Bearer {TOKEN}"}

    async def report(self, text: str, token: str, **fields) -> dict:
        """File a report as the web form's API does; the work order it became (or joined)."""
        async with self.http.post(f"{self.base}/api/v1/reports",
                                  json={"description": text, "submission_token": token, **fields}) as resp:
            answer = await resp.json()
            if resp.status not in (200, 201):
                raise RuntimeError(f"{resp.status}: {answer}")
        return {**answer, "workorder": await self.workorder(answer["case_no"])}

    async def workorder(self, case_no: str) -> dict:
        async with self.http.get(f"{self.base}/api/v1/workorders/{case_no}", headers=self.core) as resp:
            return await resp.json()


@asynccontextmanager
async def running_gateway(config: str = "", *, concurrency: int = 8, work: Path | None = None):
    """A gateway with `config` appended to the settings, in `work` (its settings and its data
    directory; default: a fresh temporary one)."""
    work = work or Path(tempfile.mkdtemp(prefix="eval-gateway-"))
    settings = work / "config.toml"
    settings.write_text(f'[core]\ntoken = "{TOKEN}"\n[logging]\nlevel = "WARNING"\n{config}', encoding="utf-8")
    port = free_port()
    log, proc = await asyncio.to_thread(_start, settings, port, work)
    try:
        await asyncio.to_thread(_wait_ready, port)
        connector = aiohttp.TCPConnector(limit=concurrency)
        # unsafe: keep cookies from an IP address (the console's session on 127.0.0.1)
        async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            gateway = Gateway(f"http://127.0.0.1:{port}", http)
            gateway.work = work
            yield gateway
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


def _start(settings: Path, port: int, work: Path):
    log = open(work / "gateway.log", "wb")  # noqa: SIM115 (closed when the gateway stops)
    return log, subprocess.Popen([sys.executable, "run.py", "--config", str(settings), "--port", str(port),
                                  "--data-dir", str(work / "data")], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)


def five_digit(code: str) -> str:
    """The national 5-digit code of a taxonomy leaf code (BJ-01002, SJ-06010), else ""."""
    if code.startswith(("BJ-", "SJ-")):
        return code[3:]
    return ""
