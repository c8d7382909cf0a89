"""Working-day deadlines: the holiday calendar with its adjusted working weekends (调休),
pausing while waiting for the citizen, recomputing on a category change, the 80 % and
overdue marks in the feed and the console's events, and the on-time share."""
from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from gateway import settings as settings_module
from gateway.appkeys import CASES, EVENTS
from gateway.cases.deadlines import DeadlineSettings, figures
from gateway.models import CST, Intake
from tests.conftest import all_feed, make_settings, running_gateway, set_status, workorder
from tests.hotline_helpers import add_operator, login

# Store-facing: the gateway tests run on SQLite and on PostgreSQL (the functions alone once).
pytestmark = pytest.mark.both_stores


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def case(created: str, code: str = "BJ-01002", urgency: str = "normal", **extra) -> dict:
    return {"case_no": "20260213-000001", "created_at": created + "+08:00", "status": "confirmed",
            "status_name": "已立案", "category": {"code": code, "name": "供水井盖"}, "urgency": urgency,
            "location": {"grid_path": [{"name": "苏州园社区第一网格"}]}, "channel": "webform", **extra}


@pytest.fixture(scope="module")
def clock():
    return DeadlineSettings().clock()


def test_a_case_filed_the_friday_before_spring_festival_counts_the_working_saturday(clock):
    # 2026: Spring Festival off 15–23 Feb; Saturday 14 Feb and Saturday 28 Feb are working
    # days (调休). Business hours 09:00–12:00, 13:30–17:30 (7 h a day).
    doc = clock.start(case("2026-02-13T16:00:00"))  # Friday, 16:00; community tier: 3 working days
    deadline = doc["deadline"]
    assert deadline["tier"] == "community" and deadline["limit_hours"] == 21
    # Fri 1.5 h + Sat 14 Feb 7 h + Tue 24 Feb 7 h + Wed 25 Feb 5.5 h.
    assert doc["due_at"] == deadline["due_at"] == "2026-02-25T16:00:00+08:00"
    # Counting calendar days or ignoring 调休 would both be wrong here:
    assert doc["due_at"] not in ("2026-02-16T16:00:00+08:00", "2026-02-26T16:00:00+08:00")
    # On the holiday itself no time is used.
    assert clock.crossed(doc, at("2026-02-20T10:00:00")) is None
    assert clock._stamp(doc, at("2026-02-20T10:00:00"))["deadline"]["used_hours"] == 8.5
    # 80 % of 21 h = 16.8 h: Wednesday 10:18.
    assert deadline["warn_at"] == "2026-02-25T10:18:00+08:00"
    assert clock.crossed(doc, at("2026-02-25T10:30:00"))["deadline"]["state"] == "warning"
    assert clock.crossed(doc, at("2026-02-25T16:00:00"))["deadline"]["state"] == "overdue"


def test_danger_and_utilities_run_around_the_clock_even_on_holidays(clock):
    urgent = clock.start(case("2026-02-13T23:00:00", urgency="urgent"))
    assert urgent["deadline"]["tier"] == "emergency" and urgent["due_at"] == "2026-02-14T01:00:00+08:00"
    water = clock.start(case("2026-02-15T10:00:00", code="SH-01-02-01"))
    assert water["deadline"]["tier"] == "utilities" and water["due_at"] == "2026-02-16T10:00:00+08:00"


def test_a_year_the_calendar_does_not_know_gets_no_due_time_and_says_why(clock):
    doc = clock.start(case("2026-12-22T10:00:00", code="SH-01-05-01"))  # 15 working days: into 2027
    assert doc["due_at"] is None and doc["deadline"]["state"] == "unknown"
    assert "2027" in doc["deadline"]["problem"]


def test_local_days_off_and_bad_time_limits_are_checked_at_start_up(tmp_path):
    local = DeadlineSettings(local_days_off=["2026-02-25"]).clock()
    assert local.start(case("2026-02-13T16:00:00"))["due_at"] == "2026-02-26T16:00:00+08:00"
    bad = tmp_path / "limits.toml"
    bad.write_text('business_hours = ["09:00-12:00"]\ndefault_tier = "general"\nurgent_tier = "x"\n'
                   '[[tier]]\ncode = "general"\nlimit = 7\nunit = "days"\n', encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[deadlines]\ntime_limits = "{bad}"\nlocal_days_off = ["2026-13-01"]\n', encoding="utf-8")
    with pytest.raises(settings_module.SettingsError) as err:
        settings_module.load(config)
    assert "tier[0].unit" in str(err.value) and "local_days_off" in str(err.value)


def test_pause_waiting_for_the_citizen_moves_the_due_time_by_the_pause(clock):
    doc = clock.start(case("2026-02-13T16:00:00"))
    paused = clock.pause(doc, at("2026-02-14T09:00:00"), "请群众补充具体楼栋")  # after 1.5 h
    assert paused["deadline"]["state"] == "paused" and paused["due_at"] is None
    resumed = clock.resume(paused, at("2026-02-24T09:00:00"), "群众已补充")
    # The working Saturday (7 h) passed while paused: the due time moves one working day.
    assert resumed["deadline"]["paused_hours"] == 7
    assert resumed["due_at"] == "2026-02-26T16:00:00+08:00"
    assert [h["reason"] for h in resumed["deadline"]["history"]] == ["filed", "paused", "resumed"]


def test_an_operators_own_due_time_overrides_the_tier_but_a_save_to_the_minute_does_not(clock):
    doc = clock.start(case("2026-03-02T09:00:37", urgency="urgent"))  # due 11:00:37
    same = clock.follow(doc, {**doc, "due_at": "2026-03-02T11:00:00+08:00"}, at("2026-03-02T09:10:00"))
    assert same["due_at"] == "2026-03-02T11:00:37+08:00" and len(same["deadline"]["history"]) == 1
    moved = clock.follow(doc, {**doc, "due_at": "2026-03-03T18:00:00+08:00"}, at("2026-03-02T09:10:00"))
    assert moved["due_at"] == "2026-03-03T18:00:00+08:00"
    assert [h["reason"] for h in moved["deadline"]["history"]] == ["filed", "operator"]
    # A later change of urgency keeps the operator's time.
    later = clock.follow(moved, {**moved, "urgency": "normal"}, at("2026-03-02T09:20:00"))
    assert later["due_at"] == "2026-03-03T18:00:00+08:00"


def test_on_time_share_counts_open_overdue_cases_as_late(clock):
    def done(created, finished, status="resolved", **extra):
        doc = clock.start(case(created, **extra))
        return clock.follow(doc, {**doc, "status": status}, at(finished))

    docs = [
        done("2026-03-02T09:00:00", "2026-03-03T09:00:00"),                      # on time
        done("2026-03-02T09:00:00", "2026-03-10T09:00:00", channel="hotline"),   # late
        clock.start(case("2026-03-02T09:00:00")),                                # open, overdue
        clock.start(case("2026-03-16T09:00:00")),                                # open, in time
        done("2026-03-02T09:00:00", "2026-03-03T09:00:00", status="merged"),     # not counted
    ]
    result = figures(docs, at("2026-03-16T10:00:00"))
    assert (result["on_time"], result["late"], result["open_overdue"]) == (1, 2, 1)
    assert result["on_time_share"] == round(1 / 3, 4)  # not 1/2, as leaving open cases out would say
    assert result["by_channel"]["hotline"]["on_time_share"] == 0.0
    assert result["by_channel"]["webform"]["on_time_share"] == 0.5
    assert result["by_grid"]["苏州园社区第一网格"]["late"] == 2
    assert result["median_hours_to_resolve"] == (24 + 8 * 24) / 2


# -- through the gateway ------------------------------------------------------------------

@pytest.fixture
def quick_limits(tmp_path):
    """Time limits of a few seconds, so the marks are crossed while the test runs."""
    path = tmp_path / "limits.toml"
    path.write_text('business_hours = ["09:00-17:00"]\ndefault_tier = "quick"\nurgent_tier = "quick"\n'
                    '[[tier]]\ncode = "quick"\nname = "测试时限"\nlimit = 0.0015\nunit = "hours"\n'
                    '[[tier]]\ncode = "water"\nname = "水电气暖"\nlimit = 24\nunit = "hours"\n'
                    '[[rule]]\ntier = "water"\ncategories = ["SH-01-02-01"]\n', encoding="utf-8")
    return path


async def file(gw, text: str, token: str) -> str:
    resp = await gw.post("/api/v1/reports", json={"description": text, "submission_token": token})
    assert resp.status == 201
    return (await resp.json())["case_no"]


async def test_cases_crossing_80_percent_and_going_overdue_appear_in_the_feed_and_console(tmp_path, quick_limits, store_url):
    settings = make_settings(tmp_path / "data", store_url)
    settings.deadlines.time_limits = str(quick_limits)
    settings.deadlines.check_interval_s = 0.1
    async with running_gateway(settings) as gw:
        app = gw.server.app
        await add_operator(gw, "li", seat_id="A01")
        await login(gw, "li")
        console = await gw.get("/console/events")
        with app[EVENTS].subscribe(topics={"deadline"}) as events:
            case_no = await file(gw, "苏州园小区3号楼门口路灯不亮了", "deadline-0001")
            _, cursor = await all_feed(gw)
            seen = [(await asyncio.wait_for(events.get(), 10))[1] for _ in range(2)]
        assert [(e["case_no"], e["state"]) for e in seen] == [(case_no, "warning"), (case_no, "overdue")]
        assert seen[1]["state_name"] == "已超时"
        # The seat operators' console hears of both.
        streamed = b""
        async with asyncio.timeout(5):
            while streamed.count(b"event: deadline") < 2:
                streamed += await console.content.readany()
        assert "即将超时".encode() in streamed and "已超时".encode() in streamed
        console.close()
        changed, _ = await all_feed(gw, cursor=cursor)
        assert [(i["case_no"], i["deadline"]["state"], i["overdue"]) for i in changed] == [
            (case_no, "overdue", True)]  # also the push subscribers' "overdue" change
        doc = await workorder(gw, case_no)
        actions = [h["action"] for h in doc["history"]]
        assert actions == ["filed", "deadline_warning", "deadline_overdue"]
        # Overdue and still open counts as late.
        resp = await gw.get("/api/v1/figures/deadlines", headers=gw.core_headers)
        assert (await resp.json())["open_overdue"] == 1
        assert (await gw.get("/api/v1/figures/deadlines")).status == 401


async def test_pause_resume_and_category_change_through_the_gateway(tmp_path, quick_limits, store_url):
    settings = make_settings(tmp_path / "data", store_url)
    settings.deadlines.time_limits = str(quick_limits)
    async with running_gateway(settings) as gw:
        # A hotline ticket, held for the seat operator.
        result = await gw.pipeline.submit(Intake(channel="hotline", external_id="call-0002",
                                                 text="苏州园小区3号楼门口路灯不亮了", hold_for_review=True))
        case_no = result.case_no
        resp = await gw.post(f"/api/v1/workorders/{case_no}/clock", headers=gw.core_headers,
                             json={"action": "pause", "note": "请群众补充楼栋", "update_id": "p-1"})
        assert resp.status == 200
        paused = await resp.json()
        assert paused["deadline"]["state"] == "paused" and paused["due_at"] is None
        again = await gw.post(f"/api/v1/workorders/{case_no}/clock", headers=gw.core_headers,
                              json={"action": "pause", "update_id": "p-2"})
        assert again.status == 409 and (await again.json())["error"]["code"] == "clock_already_paused"
        bad = await gw.post(f"/api/v1/workorders/{case_no}/clock", headers=gw.core_headers,
                            json={"action": "stop"})
        assert bad.status == 422
        resp = await gw.post(f"/api/v1/workorders/{case_no}/clock", headers=gw.core_headers,
                             json={"action": "resume", "update_id": "p-3"})
        resumed = await resp.json()
        assert resumed["deadline"]["state"] != "paused" and resumed["due_at"]
        assert resumed["deadline"]["pauses"][0]["note"] == "请群众补充楼栋"

        # An operator files it as a water-supply problem: the due time follows the new
        # tier and the history keeps the old one.
        doc = await gw.server.app[CASES].act(case_no, "confirm", "op1", {"category": "SH-01-02-01"})
        history = doc["deadline"]["history"]
        assert [(h["tier"], h["reason"]) for h in history] == [
            ("quick", "filed"), ("quick", "paused"), ("quick", "resumed"), ("water", "category_change")]
        created = datetime.fromisoformat(doc["created_at"])
        assert (datetime.fromisoformat(doc["due_at"]) - created).total_seconds() >= 24 * 3600
        assert doc["due_at"] == (await workorder(gw, case_no))["due_at"]

        # Dispatch and resolve: the time used is recorded and the clock stops.
        await set_status(gw, case_no, "dispatched", "s-1", department="自来水公司")
        await set_status(gw, case_no, "resolved", "s-2")
        done = await workorder(gw, case_no)
        assert done["deadline"]["dispatched_at"] and done["deadline"]["state"] == "on_time"
        assert done["deadline"]["stopped_at"]
