"""Schemathesis against a live gateway (run.py in its own process, as a deployment runs):
every documented operation, bounded examples, all checks, with the core platform's token
and a console session. A future endpoint that answers 500, or breaks its own document,
fails here."""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import ROOT, free_port

CORE_TOKEN = "schemathesis-core-token-0123456789"
ADMIN_PASSWORD = "admin-password-123"
SCHEMATHESIS = Path(sys.executable).parent / "st"

CONFIG = """
[core]
token = "{token}"
[console]
admin_password = "{password}"
[hotline]
enabled = true
secret = "schemathesis-hotline-secret"
[push]
enabled = true
[open311]
enabled = true
api_keys = ["schemathesis-open311-key-0123"]
[security]
# The fuzzer guesses check codes and passwords far more often than a person would.
check_code_failures_per_case = 100000
check_code_failures_per_client = 100000
login_failures_per_account = 100000
login_failures_per_client = 100000
[logging]
level = "WARNING"
"""

# Statuses that say "I understood, but no" to a request the document cannot fully
# describe: an unknown case (404), a state that does not allow it (409), and the ticket
# actions whose needs depend on the action in the path (422: a consultation needs its
# answer, a duplicate its target).
ST_CONFIG = """
[auth.openapi.coreToken]
bearer = "{token}"
[auth.openapi.consoleSession]
api_key = "{cookie}"
[auth.openapi.csrfToken]
api_key = "{csrf}"

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409"]

# A photo's bytes and whether a phone number exists are beyond the document: "not an
# image" is 415, "no such phone number" 422.
[[operations]]
include-path-regex = "^/(api/v1/)?report(s)?$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "415", "422"]

# Open311 answers a request the specification's way: 400 for a value it cannot use (an
# unknown status, a date that is not one, a request without a place), 415 for a body that
# is not a form.
[[operations]]
include-path-regex = "^/open311/"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "403", "404", "415"]

[[operations]]
include-path-regex = "^/console/api/tickets/"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422"]
"""


@pytest.fixture
def live_gateway(tmp_path):
    if not SCHEMATHESIS.exists():
        pytest.skip("schemathesis is not installed (requirements-dev.txt)")
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(token=CORE_TOKEN, password=ADMIN_PASSWORD), encoding="utf-8")
    port = free_port()
    with open(tmp_path / "gateway.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "run.py", "--config", str(config), "--port", str(port),
                                 "--data-dir", str(tmp_path / "data")], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=log)
        try:
            yield f"http://127.0.0.1:{port}", tmp_path
        finally:
            proc.terminate()
            proc.wait(timeout=30)


async def _session(base: str) -> tuple[str, str]:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"{base}/healthz") as resp:
                    if resp.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        async with http.post(f"{base}/console/api/login",
                             json={"username": "admin", "password": ADMIN_PASSWORD}) as resp:
            assert resp.status == 200
            csrf = (await resp.json())["csrf"]
            cookie = resp.cookies["gw_console"].value
        # Something to find: a case the feed and the console can show.
        async with http.post(f"{base}/api/v1/reports", json={"description": "和平路18号路灯坏了"}) as resp:
            assert resp.status == 201
    return cookie, csrf


@pytest.mark.timeout(480)
async def test_the_api_keeps_to_its_own_document(live_gateway):
    base, tmp = live_gateway
    cookie, csrf = await _session(base)
    st_config = tmp / "schemathesis.toml"
    st_config.write_text(ST_CONFIG.format(token=CORE_TOKEN, cookie=cookie, csrf=csrf), encoding="utf-8")
    run = await asyncio.to_thread(
        subprocess.run,
        [str(SCHEMATHESIS), "--config-file", str(st_config), "run", f"{base}/api/openapi.json",
         "--checks", "all", "--max-examples", "10", "--seed", "20261130", "--workers", "1",
         "--exclude-path", "/console/api/logout",  # it would end the session the run uses
         "--exclude-path", "/console/events",  # a stream that stays open: no response to check
         "--output-sanitize", "false", "--no-color"],
        capture_output=True, text=True, timeout=400, cwd=tmp, env={**os.environ, "NO_COLOR": "1"})
    if run.returncode != 0:
        log = (tmp / "gateway.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        pytest.fail(f"schemathesis found failures:\n{run.stdout[-12000:]}\n{run.stderr[-2000:]}\n"
                    f"gateway log:\n{log}")
    assert "0 failures" in run.stdout or "passed" in run.stdout
    shutil.rmtree(tmp / "data", ignore_errors=True)
