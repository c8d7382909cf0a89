"""End to end in headless Chromium: a call's events fill a ticket live, the operator edits
and confirms it from the keyboard, and the core feed then carries the work order."""
from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import ROOT, all_feed, running_gateway
from tests.hotline_helpers import add_operator, hotline_settings, post_event

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                "(sh scripts/install-system-packages.sh)")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in(page, base: str, username: str, password: str = "password-123") -> None:
    await page.goto(f"{base}/console")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{base}/console")
    await page.wait_for_selector("#live.on")


async def seat_page(client, browser, username: str, display_name: str, seat_id: str):
    """A signed-in operator's console at `seat_id`."""
    await add_operator(client, username, display_name=display_name, seat_id=seat_id)
    page = await browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    await sign_in(page, str(client.make_url("")).rstrip("/"), username)
    return page


async def ring(client, call_id: str, caller: str, seat_id: str) -> None:
    """A call rings at the hotline and is answered at `seat_id`."""
    await post_event(client, {"event": "call.new", "call_id": call_id, "caller": caller, "called": "12345"})
    await post_event(client, {"event": "call.answered", "call_id": call_id, "seat_id": seat_id})


async def open_first_queued(page) -> None:
    await page.locator("#queue li").first.wait_for()
    await page.locator("#queue").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#ticket:not([hidden])")


async def test_operator_confirms_a_live_call_from_the_keyboard(tmp_path, browser):
    async with running_gateway(hotline_settings(tmp_path / "data")) as client:
        page = await seat_page(client, browser, "wang", "王坐席", "A07")

        # The call rings and is answered at seat A07: it appears live, the number in full
        # for the seat handling it.
        await ring(client, "CALL-1", "+86 138 1234 5678", "A07")
        await page.wait_for_selector("#calls li[data-call='CALL-1']")
        assert "+8613812345678" in await page.inner_text("#calls")

        # The centre's transcript arrives: a held ticket, auto-filled, shows up in the queue.
        await post_event(client, {"event": "transcript.ready", "call_id": "CALL-1",
                                  "text": "幸福路和建设路交叉口的路灯坏了三天了，晚上很黑"})
        await open_first_queued(page)
        assert "路灯坏了" in await page.inner_text("#c-transcript")
        assert await page.input_value("#f-category") == "BJ-01037"  # 路灯
        assert "路灯坏了" in await page.input_value("#f-description")
        assert (await page.input_value("#f-department")).strip()
        assert await page.is_hidden("#f-urgency-why")  # not urgent: no reason shown

        # Nothing reaches the core before the operator confirms.
        items, _ = await all_feed(client)
        assert items == []

        # Keyboard only: correct the place, mark it urgent, confirm with Ctrl+Enter.
        await page.focus("#f-address")
        await page.keyboard.press("Control+a")
        await page.keyboard.type("幸福路与建设路交叉口东50米")
        await page.keyboard.press("Tab")  # urgency select
        await page.select_option("#f-urgency", "urgent")
        await page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
        await page.keyboard.press("Control+Enter")
        await page.wait_for_selector("#notice.ok")
        assert "已确认立案" in await page.inner_text("#notice")

        items, _ = await all_feed(client)
        assert [(i["channel"], i["channel_ref"], i["status"]) for i in items] == [("hotline", "CALL-1", "confirmed")]
        order = items[0]
        assert order["location"]["address"] == "幸福路与建设路交叉口东50米"
        assert order["urgency"] == "urgent"
        assert order["category"]["code"] == "BJ-01037"
        assert order["reporter"]["phone"] == "+8613812345678"
        if os.environ.get("UPDATE_SCREENSHOT") or not (ROOT / "docs" / "console.png").exists():
            (ROOT / "docs").mkdir(exist_ok=True)
            shutil.copyfile(tmp_path / "console.png", ROOT / "docs" / "console.png")


async def test_an_urgent_ticket_shows_the_operator_why(tmp_path, browser):
    async with running_gateway(hotline_settings(tmp_path / "data")) as client:
        page = await seat_page(client, browser, "li", "李坐席", "B02")
        await ring(client, "CALL-9", "+86 139 0000 1111", "B02")
        await post_event(client, {"event": "transcript.ready", "call_id": "CALL-9",
                                  "text": "我们单元楼道里好大一股煤气味，呛得人头晕，赶紧派人来看看"})
        await open_first_queued(page)
        assert await page.input_value("#f-urgency") == "urgent"
        why = await page.inner_text("#f-urgency-why")
        assert why.startswith("紧急依据") and "煤气味" in why, why


async def test_an_expired_session_sends_the_operator_back_to_login(tmp_path, browser):
    settings = hotline_settings(tmp_path / "data")
    async with running_gateway(settings) as client:
        base = str(client.make_url("")).rstrip("/")
        await add_operator(client, "zhao", seat_id="B01")
        page = await browser.new_page(locale="zh-CN")
        await sign_in(page, base, "zhao")
        # The shift is over: the session's expiry passes while the console is open.
        await client.pipeline.store.write(lambda conn: conn.execute(
            "UPDATE console_sessions SET expires_at = '2000-01-01T00:00:00+08:00'"))
        await page.reload()
        await page.wait_for_url(f"{base}/console/login?reason=session_expired")
        assert "登录已过期" in await page.inner_text("#login-message")


async def test_the_hotspot_panel_lists_what_is_piling_up(tmp_path, browser):
    async with running_gateway(hotline_settings(tmp_path / "data")) as client:
        base = str(client.make_url("")).rstrip("/")
        await add_operator(client, "zhao", display_name="赵坐席")
        for i, text in enumerate(["苏州园小区旁边工地半夜施工噪音太大，吵得睡不着",
                                  "苏州园小区南边工地晚上十二点还在打桩施工，噪音扰民",
                                  "半夜施工噪音扰民，苏州园小区附近工地天天夜里施工"]):
            resp = await client.post("/api/v1/reports", json={"description": text,
                                                              "submission_token": f"panel-{i:04d}"})
            assert resp.status == 201
        page = await browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        await sign_in(page, base, "zhao")
        item = page.locator("#hotspots li.hotspot").first
        await item.wait_for()
        text = await item.inner_text()
        assert "施工" in text and "热度" in text and "3 次 / 3 人" in text
        await page.screenshot(path=str(tmp_path / "hotspots.png"), full_page=True)
