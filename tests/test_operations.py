"""Health, metrics, the OpenAPI document, settings and the command line."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from openapi_spec_validator import validate

from gateway import settings as settings_module
from gateway.api.openapi import load_openapi
from gateway.appkeys import SETTINGS
from tests.conftest import ROOT


async def test_healthz_reports_the_database(gateway):
    resp = await gateway.get("/healthz")
    assert resp.status == 200
    health = await resp.json()
    assert {k: health[k] for k in ("status", "database", "disk")} == {"status": "ok", "database": "ok", "disk": "ok"}
    assert health["disk_free_mb"] > 0


async def test_metrics_count_intake_by_channel_and_outcome(gateway):
    for token in ("metric-0001", "metric-0001", "metric-0002"):
        await gateway.post("/api/v1/reports", json={"description": "路灯不亮", "submission_token": token})
    text = await (await gateway.get("/metrics")).text()
    assert 'gateway_intake_total{channel="webform",outcome="accepted"} 2.0' in text
    assert 'gateway_intake_total{channel="webform",outcome="repeated"} 1.0' in text
    assert re.search(r'gateway_stage_seconds_count\{stage="classify"\} 2\.0', text)
    assert 'gateway_queue_depth{queue="unfiled"} 0.0' in text
    # Each report is stored, then filed: at least two writes, in at most as many commits.
    writes = float(re.search(r"^gateway_store_writes_total (\S+)$", text, re.M)[1])
    commits = float(re.search(r"^gateway_store_commits_total (\S+)$", text, re.M)[1])
    assert writes >= 2 * 2 and 1 <= commits <= writes


async def test_openapi_document_is_valid_and_covers_every_route(gateway):
    resp = await gateway.get("/api/openapi.json")
    spec = await resp.json()
    validate(spec)
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    app = gateway.server.app
    served = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if route.method in ("GET", "POST") and path != "/":
            served.add((path, route.method.lower()))
    assert served <= documented, served - documented
    assert spec == load_openapi(gateway.server.app[SETTINGS])


def test_settings_name_the_file_and_key_that_is_wrong(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[server]\nprot = 80\n")
    with pytest.raises(settings_module.SettingsError, match=r"bad.toml.*\[server\].*unknown key 'prot'"):
        settings_module.load(bad)
    bad.write_text("[server]\nport = \"eighty\"\n")
    with pytest.raises(settings_module.SettingsError, match=r"\[server\]\.port: expected int"):
        settings_module.load(bad)
    bad.write_text("[nonsense]\n")
    with pytest.raises(settings_module.SettingsError, match=r"unknown section \[nonsense\]"):
        settings_module.load(bad)
    bad.write_text("[classification]\nurgent_passage_chars = -1\nurgent_passage_threshold = 1.5\nurgent_letter_chars = -5\n")
    with pytest.raises(settings_module.SettingsError, match=r"(?s)urgent_passage_threshold: must be a number "
                                                            r"between 0 and 1.*urgent_passage_chars: must be 0"
                                                            r".*urgent_letter_chars: must be 0 or more"):
        settings_module.load(bad)
    bad.write_text("[duplicates]\nrecurrence_threshold = 0\nstill_threshold = -1\n")
    with pytest.raises(settings_module.SettingsError,
                       match=r"(?s)bad.toml.*recurrence_threshold: must be positive.*still_threshold: must be positive"):
        settings_module.load(bad)
    bad.write_text("[duplicates]\none_problem_threshold = 0.9\nsame_problem_threshold = 0.8\n")
    with pytest.raises(settings_module.SettingsError, match="same_problem_threshold: must be above one_problem_threshold"):
        settings_module.load(bad)
    bad.write_text("[duplicates]\nclose_problem_threshold = 0.9\n")
    with pytest.raises(settings_module.SettingsError, match="close_problem_threshold: must be between"):
        settings_module.load(bad)
    bad.write_text("[server\n")
    with pytest.raises(settings_module.SettingsError, match="not valid TOML"):
        settings_module.load(bad)
    with pytest.raises(settings_module.SettingsError, match="not found"):
        settings_module.load(tmp_path / "missing.toml")


def test_command_line_and_environment_override_the_file(tmp_path, monkeypatch):
    conf = tmp_path / "c.toml"
    conf.write_text('[server]\nport = 9001\nhost = "127.0.0.2"\n[core]\ntoken = "file-token-0123456789"\n')
    monkeypatch.setenv("GATEWAY_CORE_TOKEN", "env-token-0123456789")
    s = settings_module.load(conf, {"server.port": 9100, "storage.data_dir": str(tmp_path / "d")})
    assert (s.server.host, s.server.port, s.core.token) == ("127.0.0.2", 9100, "env-token-0123456789")
    assert s.data_dir == tmp_path / "d"


def test_shipped_config_is_valid_and_matches_the_embedded_defaults():
    shipped = settings_module.load(ROOT / "config.toml")
    defaults = settings_module.load(None)
    shipped.source = defaults.source
    assert shipped == defaults


def test_a_broken_config_stops_start_up_with_a_message(tmp_path):
    conf = tmp_path / "broken.toml"
    conf.write_text("[storage]\nsynchronous = \"SOMETIMES\"\n")
    run = subprocess.run([sys.executable, "run.py", "--config", str(conf)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "GATEWAY_CORE_TOKEN": ""})
    assert run.returncode == 2
    assert "broken.toml" in run.stderr and "synchronous" in run.stderr
