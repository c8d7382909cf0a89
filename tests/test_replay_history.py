"""A replay with status history (`run.py replay --history`): a city moving from another
system brings its cases' dispatches, resolutions, reopenings and pauses with their own
times; the clocks run as they would have (across the 2026 Spring Festival and its
working Saturday), the 80 % and overdue marks are stamped when they were crossed, and the
on-time share counts the case still open past its due time as late."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from channels import board
from gateway.app import create_app
from gateway.replay import replay
from tests.conftest import all_feed, default_stages, make_settings, running_gateway, workorder

# Two working days (14 working hours, business hours 09:00–12:00, 13:30–17:30) for every case.
LIMITS = ('business_hours = ["09:00-12:00", "13:30-17:30"]\ndefault_tier = "two"\nurgent_tier = "two"\n'
          '[[tier]]\ncode = "two"\nname = "两个工作日"\nlimit = 2\nunit = "working_days"\n')

MESSAGES = [
    # Friday 13 Feb 2026, before the Spring Festival (15–23 Feb off; Saturday 14 Feb worked).
    {"id": "a", "title": "苏州园小区路灯不亮", "text": "苏州园小区3号楼门口的路灯坏了一个星期，晚上很黑",
     "user": "U1", "time": "2026/2/13 16:00:00"},
    {"id": "b", "title": "东风路垃圾堆放无人清理", "text": "东风路菜市场门口垃圾堆了好几天没人清理，很臭",
     "user": "U2", "time": "2026/2/13 16:30:00"},
    # Monday 2 March 2026.
    {"id": "c", "title": "人民公园门口井盖缺失", "text": "人民公园南门人行道上的井盖丢了，很危险",
     "user": "U3", "time": "2026/3/2 09:00:00"},
    {"id": "d", "title": "幸福里小区烧烤店油烟扰民", "text": "幸福里小区楼下烧烤店油烟直排，家里窗户都不能开",
     "user": "U4", "time": "2026/3/2 09:00:00"},
]

HISTORY = [
    {"id": "a", "time": "2026-02-14 10:00:00", "status": "dispatched", "department": "城管局"},
    {"id": "a", "time": "2026-02-24 11:00:00", "status": "resolved", "note": "已修复"},
    {"id": "b", "time": "2026-02-25T10:00:00+08:00", "status": "resolved"},  # out of order on purpose
    {"id": "b", "time": "2026-02-14 10:00:00", "status": "dispatched"},
    {"id": "c", "time": "2026/3/2 10:00:00", "status": "dispatched"},
    {"id": "d", "time": "2026-03-02 09:30:00", "status": "dispatched"},
    {"id": "d", "time": "2026-03-02 10:00:00", "clock": "pause", "note": "等待群众补充门牌"},
    {"id": "d", "time": "2026-03-02 14:00:00", "clock": "resume"},
    {"id": "d", "time": "2026-03-02 15:00:00", "status": "resolved"},
    {"id": "d", "time": "2026-03-03 09:30:00", "status": "dispatched", "note": "回访未解决，重新派单"},
    {"id": "d", "time": "2026-03-04 11:00:00", "status": "resolved"},
    # What cannot be applied, each reported with its line:
    {"id": "c", "time": "2026-03-05 10:00:00", "status": "finished"},   # 12: unknown status
    {"id": "zzz", "time": "2026-03-05 10:00:00", "status": "resolved"},  # 13: no such message
    {"id": "a", "time": "2026-02-13 15:00:00", "status": "dispatched"},  # 14: before the message
    {"id": "c", "time": "2026-03-04 09:00:00", "status": "closed"},      # 15: dispatched → closed
]


def write_lines(path, rows, extra: str = "") -> None:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n" + extra, encoding="utf-8")


@pytest.fixture
def files(tmp_path):
    limits, messages, history = tmp_path / "limits.toml", tmp_path / "board.jsonl", tmp_path / "status.jsonl"
    limits.write_text(LIMITS, encoding="utf-8")
    write_lines(messages, MESSAGES)
    write_lines(history, HISTORY, extra="{not json\n")
    return limits, messages, history


def settings_for(tmp_path, limits):
    settings = make_settings(tmp_path / "data")
    settings.deadlines.time_limits = str(limits)
    settings.deadlines.check_interval_s = 0.05  # the wall-clock sweep runs all through the replay
    return settings


async def test_status_history_runs_the_clocks_as_they_would_have_and_the_figures_count_open_overdue(tmp_path, files):
    limits, messages, history = files
    settings = settings_for(tmp_path, limits)
    result = await replay(create_app(settings, stages=default_stages(settings)), messages, board.to_intake,
                          history=history)
    assert result.outcomes["accepted"] == 4
    assert result.events == 14 and result.event_outcomes["applied"] == 11
    assert [n for n, _ in result.bad_events] == [12, 16]
    skipped = dict(result.skipped_events)
    assert set(skipped) == {13, 14, 15}
    assert "zzz" in skipped[13] and "早于" in skipped[14] and "closed" in skipped[15]
    assert result.marks == 5  # b: 80 % and overdue; c: 80 % and overdue; d: 80 % while reopened

    async with running_gateway(settings) as gw:
        items, cursor = await all_feed(gw)
        cases = {doc["channel_ref"]: doc for doc in items}
        a, b, c, d = (cases[k]["deadline"] for k in "abcd")
        # The clocks started at the messages' own times, not at the replay's.
        assert a["started_at"] == "2026-02-13T16:00:00+08:00"
        # 14 working hours from Friday 16:00: Friday 1.5 h, the working Saturday 7 h, then
        # nothing until Tuesday 24 Feb (the holiday), 5.5 h: due at 16:00; 80 % at 11:42.
        assert (a["due_at"], a["warn_at"]) == ("2026-02-24T16:00:00+08:00", "2026-02-24T11:42:00+08:00")
        assert (a["state"], a["dispatched_at"], a["stopped_at"]) == (
            "on_time", "2026-02-14T10:00:00+08:00", "2026-02-24T11:00:00+08:00")
        assert (b["state"], b["due_at"]) == ("late", "2026-02-24T16:30:00+08:00")
        assert (c["state"], c["due_at"]) == ("overdue", "2026-03-03T17:30:00+08:00")
        assert cases["c"]["overdue"] is True  # the push feed's overdue mark, once
        # d paused 2.5 working hours (10:00–12:00, 13:30–14:00): due Wednesday 11:30, not
        # Tuesday 17:30; resolved, reopened and resolved again at Wednesday 11:00: on time.
        assert (d["state"], d["due_at"], d["stopped_at"]) == (
            "on_time", "2026-03-04T11:30:00+08:00", "2026-03-04T11:00:00+08:00")
        assert d["pauses"][0]["hours"] == 2.5 and d["pauses"][0]["note"] == "等待群众补充门牌"

        # The marks are in each case's history at the moment they were crossed, between the
        # events, through the same updates the core platform's take.
        steps = [(h["at"], h["actor"], h["action"]) for h in (await workorder(gw, cases["b"]["case_no"]))["history"]][1:]
        assert steps == [("2026-02-14T10:00:00+08:00", "history", "status"),
                         ("2026-02-24T13:42:00+08:00", "gateway", "deadline_warning"),
                         ("2026-02-24T16:30:00+08:00", "gateway", "deadline_overdue"),
                         ("2026-02-25T10:00:00+08:00", "history", "status")]
        steps = [(h["at"], h["action"]) for h in (await workorder(gw, cases["d"]["case_no"]))["history"]][1:]
        assert steps == [("2026-03-02T09:30:00+08:00", "status"), ("2026-03-02T10:00:00+08:00", "clock_pause"),
                         ("2026-03-02T14:00:00+08:00", "clock_resume"), ("2026-03-02T15:00:00+08:00", "status"),
                         ("2026-03-03T09:30:00+08:00", "status"),
                         ("2026-03-03T17:12:00+08:00", "deadline_warning"),
                         ("2026-03-04T11:00:00+08:00", "status")]

        resp = await gw.get("/api/v1/figures/deadlines", headers=gw.core_headers)
        figures = await resp.json()
        # a and d on time; b late; c still open past its due time: late too (not 2 of 3).
        assert (figures["on_time"], figures["late"], figures["open_overdue"]) == (2, 2, 1)
        assert figures["on_time_share"] == 0.5 and figures["by_channel"]["board"]["on_time_share"] == 0.5
        # Dispatch: 18, 17.5, 1 and 0.5 h; resolution: 259, 281.5 and 50 h.
        assert figures["median_hours_to_dispatch"] == 9.25
        assert figures["median_hours_to_resolve"] == 259.0

    # The same files again change nothing.
    again = await replay(create_app(settings, stages=default_stages(settings)), messages, board.to_intake,
                         history=history)
    assert again.outcomes["repeated"] == 4 and again.marks == 0
    async with running_gateway(settings) as gw:
        assert (await all_feed(gw, cursor=cursor))[0] == []


REPEATS = [  # a year-old stream: one problem told again and again by neighbours, then weeks later
    {"id": f"r{i}", "title": "幸福里小区烧烤店油烟扰民", "text": "幸福里小区3栋楼下烧烤店油烟直排，家里窗户都不能开",
     "user": f"U{i}", "time": time} for i, time in enumerate(
        ["2025/6/2 20:00:00", "2025/6/12 21:00:00", "2025/6/24 21:00:00", "2025/8/20 21:00:00"], 1)
]


async def test_a_replayed_repeat_joins_the_case_it_repeats_by_the_times_the_reports_were_made(tmp_path, monkeypatch):
    # The duplicate check compares a report's own time with when the open case was reported,
    # not with when the replay filed it: year-old repeats within 14 days of the case's latest
    # report join it (r3 is 22 days after r1, 12 after r2); the same words eight weeks after
    # the latest do not.
    monkeypatch.setattr("gateway.replay.CONCURRENCY", 1)  # each sees the ones before it
    settings = make_settings(tmp_path / "data")
    path = tmp_path / "board.jsonl"
    write_lines(path, REPEATS)
    result = await replay(create_app(settings, stages=default_stages(settings)), path, board.to_intake)
    assert (result.outcomes["accepted"], result.outcomes["attached"]) == (2, 2)
    assert result.case_of["r1"] == result.case_of["r2"] == result.case_of["r3"] != result.case_of["r4"]
    async with running_gateway(settings) as gw:
        first = await workorder(gw, result.case_of["r1"])
        assert first["report_count"] == 3
        assert [e["received_at"] for e in first["reporters"]] == [
            "2025-06-02T20:00:00+08:00", "2025-06-12T21:00:00+08:00", "2025-06-24T21:00:00+08:00"]


def test_the_command_line_replays_history_and_says_what_it_skipped(tmp_path, files):
    limits, messages, history = files
    config = tmp_path / "config.toml"
    config.write_text(f'[deadlines]\ntime_limits = "{limits}"\n', encoding="utf-8")
    run = [sys.executable, "run.py", "--config", str(config), "--data-dir", str(tmp_path / "data"), "replay",
           "--channel", "board", str(messages)]
    missing = subprocess.run([*run, "--history", str(tmp_path / "nope.jsonl")], capture_output=True, text=True)
    assert missing.returncode == 2 and "nope.jsonl" in missing.stderr
    done = subprocess.run([*run, "--history", str(history)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "status history: 14 events (11 applied, 3 skipped; 2 bad lines); 5 80 %/overdue" in done.stdout
    assert "history line 13 skipped" in done.stderr and "history line 16 skipped" in done.stderr
