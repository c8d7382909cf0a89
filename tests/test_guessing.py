"""Guessing is bounded: a case's check code and a console password take a few wrong tries,
then 429 with Retry-After; password checks never stall the gateway."""
from __future__ import annotations

import asyncio
import time

from tests.conftest import make_settings, running_gateway
from tests.hotline_helpers import add_operator

# Different problems at different places: the same one twice would join one case.
PROBLEMS = ["和平路18号路灯坏了", "解放路3号门口井盖丢了", "人民路菜市场旁垃圾堆了三天没人清",
            "建设大街12号工地夜里施工太吵", "幸福里小区5号楼下有人占道摆摊", "光明街7号下水道堵了往外冒水"]
filed = 0


async def file_report(gw, token: str) -> dict:
    global filed
    description, filed = PROBLEMS[filed % len(PROBLEMS)], filed + 1
    resp = await gw.post("/api/v1/reports", json={"description": description, "submission_token": token})
    assert resp.status == 201
    return await resp.json()


async def test_check_codes_are_long_and_a_case_takes_five_wrong_guesses(gateway):
    case = await file_report(gateway, "guess-case-0001")
    assert len(case["check_code"]) == 10 and case["check_code"].isdigit()
    url = f"/api/v1/reports/{case['case_no']}"
    for _ in range(5):
        wrong = await gateway.get(url, params={"code": "0000000000"})
        assert wrong.status == 404
    locked = await gateway.get(url, params={"code": "0000000000"})
    assert locked.status == 429 and int(locked.headers["Retry-After"]) > 3000
    assert (await locked.json())["error"]["code"] == "too_many_attempts"
    # Locked means locked: the right code waits too, so a lucky guess cannot be confirmed.
    right = await gateway.get(url, params={"code": case["check_code"]})
    assert right.status == 429
    page = await gateway.get("/report/status", params={"case_no": case["case_no"], "code": case["check_code"]})
    assert page.status == 429 and "错误次数过多" in await page.text() and "Retry-After" in page.headers
    # Another case is not affected by the first one's lock.
    other = await file_report(gateway, "guess-case-0002")
    ok = await gateway.get(f"/api/v1/reports/{other['case_no']}", params={"code": other["check_code"]})
    assert ok.status == 200


async def test_one_client_guessing_across_cases_is_stopped(tmp_path):
    settings = make_settings(tmp_path / "data", **{"security.check_code_failures_per_client": 8})
    async with running_gateway(settings) as gw:
        cases = [await file_report(gw, f"spread-{i:04d}") for i in range(5)]
        statuses = []
        for i in range(10):  # two wrong guesses per case: under the per-case limit
            case = cases[i % 5]
            statuses.append((await gw.get(f"/api/v1/reports/{case['case_no']}",
                                          params={"code": "1234567890"})).status)
        assert statuses[:8] == [404] * 8 and statuses[8:] == [429, 429]


async def test_forwarded_addresses_count_only_behind_a_configured_proxy(tmp_path):
    settings = make_settings(tmp_path / "data", **{"security.check_code_failures_per_client": 3,
                                                   "security.trusted_proxies": ["127.0.0.1/32"]})
    async with running_gateway(settings) as gw:
        cases = [await file_report(gw, f"proxy-{i:04d}") for i in range(2)]
        for client in ("203.0.113.7", "203.0.113.8"):  # two citizens behind the proxy
            for case in cases:
                resp = await gw.get(f"/api/v1/reports/{case['case_no']}", params={"code": "1"},
                                    headers={"X-Forwarded-For": f"{client}, 127.0.0.1"})
                assert resp.status == 404
        third = await gw.get(f"/api/v1/reports/{cases[0]['case_no']}", params={"code": "1"},
                             headers={"X-Forwarded-For": "203.0.113.7"})
        assert third.status == 404
        fourth = await gw.get(f"/api/v1/reports/{cases[1]['case_no']}", params={"code": "1"},
                              headers={"X-Forwarded-For": "203.0.113.7"})
        assert fourth.status == 429
    plain = make_settings(tmp_path / "data2", **{"security.check_code_failures_per_client": 3})
    async with running_gateway(plain) as gw:  # no proxy configured: the header is ignored
        cases = [await file_report(gw, f"plain-{i:04d}") for i in range(2)]
        statuses = [(await gw.get(f"/api/v1/reports/{cases[i % 2]['case_no']}", params={"code": "1"},
                                  headers={"X-Forwarded-For": f"198.51.100.{i}"})).status for i in range(4)]
        assert statuses == [404, 404, 404, 429]


async def test_console_logins_are_limited_and_do_not_stall_the_gateway(tmp_path):
    async with running_gateway(make_settings(tmp_path / "data")) as gw:
        await add_operator(gw, "li", "password-123")
        for _ in range(5):
            resp = await gw.post("/console/api/login", json={"username": "li", "password": "wrong-password"})
            assert resp.status == 401
        resp = await gw.post("/console/api/login", json={"username": "li", "password": "password-123"})
        assert resp.status == 429 and int(resp.headers["Retry-After"]) > 0

        await add_operator(gw, "wang", "password-456")
        done: list[str] = []

        async def login(i: int) -> None:
            await gw.post("/console/api/login", json={"username": "wang", "password": f"nope-{i}"})
            done.append("login")

        async def health() -> None:
            await asyncio.sleep(0.05)  # once the password checks are under way
            started = time.perf_counter()
            resp = await gw.get("/healthz")
            assert resp.status == 200
            done.append(f"healthz {time.perf_counter() - started:.3f}")

        await asyncio.gather(*(login(i) for i in range(4)), health())
        # Four Argon2 checks, two at a time, take several hundred milliseconds; /healthz
        # answered while they ran, not after them.
        assert done.index(next(d for d in done if d.startswith("healthz"))) < len(done) - 1
