"""Hot issues (热点): the same problem at the same place grouped as reports are filed,
ranked by heat; the historical replay of a message board through the intake path, the
API, the Prometheus gauges and the monthly report."""
from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta

import pytest

from channels import board
from classifiers.hotspots.grouping import HotIssues, Report
from gateway.app import create_app
from gateway.appkeys import HOTSPOTS, STORE
from gateway.models import CST
from gateway.monthly import month_issues, write_report
from gateway.replay import replay
from tests.conftest import default_stages, make_settings, running_gateway

# Store-facing: the gateway tests run on SQLite and on PostgreSQL (the functions alone once).
pytestmark = pytest.mark.both_stores

T0 = datetime(2026, 11, 2, 22, 0, tzinfo=CST)
NIGHT_WORK = [  # one site's night work, heard from several buildings of one compound
    ("苏州园小区3栋", "苏州园小区旁边工地半夜施工噪音太大，吵得睡不着"),
    ("苏州园小区5栋", "苏州园小区南边工地晚上十二点还在打桩施工，噪音扰民"),
    ("苏州园小区8栋", "半夜施工噪音扰民，苏州园小区附近工地天天夜里施工"),
    ("苏州园小区1栋", "苏州园小区外面的工地夜间施工，打桩声音太大"),
]


def report(i: int, title: str, text: str, who: str, place: dict, likes: int = 0, days: float = 0) -> Report:
    return Report(id=f"t:{i}", at=T0 + timedelta(days=days, minutes=i), title=title, text=text,
                  reporter=who, place=place, likes=likes, category_name="施工扰民", category_code="SJ-08001")


def test_night_work_heard_from_several_buildings_is_one_issue_and_other_problems_are_not():
    hot = HotIssues()
    for i, (where, text) in enumerate(NIGHT_WORK):
        building = where[-2:-1]
        hot.add(report(i, f"{where}附近工地夜间施工扰民", text, f"u{i}",
                       {"compound": "苏州园小区", "building": building}, days=i))
    # Same compound, another problem; and the same problem in another compound.
    hot.add(report(10, "苏州园小区电梯坏了", "苏州园小区3栋电梯坏了一个星期没人修", "u10",
                   {"compound": "苏州园小区", "building": "3"}, days=1))
    hot.add(report(11, "苏州园小区电梯故障", "苏州园小区5栋电梯又坏了，老人上下楼困难", "u11",
                   {"compound": "苏州园小区", "building": "5"}, days=2))
    hot.add(report(12, "幸福里小区工地夜间施工扰民", "幸福里小区附近工地半夜施工噪音太大", "u12",
                   {"compound": "幸福里小区"}, days=2))
    issues = hot.top(T0 - timedelta(days=1), T0 + timedelta(days=7), 10)
    by_size = sorted(([r.split(":")[1] for r in i["report_ids"]] for i in issues), key=len, reverse=True)
    assert by_size[0] == ["0", "1", "2", "3"]
    assert ["10", "11"] in by_size
    assert all("12" not in group for group in by_size)  # alone: not an issue (fewer than 2)
    top = issues[0]
    assert top["place"] == "苏州园小区" and top["reports"] == 4 and top["reporters"] == 4
    assert "施工" in top["title"] and top["category"] == "施工扰民"
    assert top["first_report"] < top["last_report"] and top["trend"] in ("rising", "steady", "falling")


def test_heat_counts_people_more_than_repeats_and_adds_likes():
    hot = HotIssues()
    for i in range(4):  # one person, four times
        hot.add(report(i, "幸福里小区垃圾没人清运", f"幸福里小区垃圾堆了{i + 3}天没人清运，臭气熏天", "same",
                       {"compound": "幸福里小区"}))
    for i in range(4, 7):  # three people
        hot.add(report(i, "和平路菜市场门口垃圾没人清运", f"和平路菜市场门口垃圾{i}天没人清运，臭气熏天", f"p{i}",
                       {"road": "和平路", "landmark": "菜市场"}))
    window = (T0 - timedelta(days=1), T0 + timedelta(days=1))
    first, second = hot.top(*window, 10)
    assert (first["reporters"], second["reporters"]) == (3, 1)
    hot.add(report(9, "幸福里小区垃圾没人清运", "幸福里小区垃圾没人清运，臭气熏天，大家都来点赞", "same",
                   {"compound": "幸福里小区"}, likes=500))
    assert hot.top(*window, 10)[0]["place"] == "幸福里小区"  # 500 likes outweigh two people


def write_board(path, rows) -> None:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


BOARD = [
    {"id": f"m{i}", "title": f"A市{where}附近工地夜间施工扰民", "text": text, "user": f"U{i}",
     "time": f"2026/11/{3 + i} 23:1{i}:00", "likes": i, "dislikes": 0, "source": "test"}
    for i, (where, text) in enumerate(NIGHT_WORK)
] + [
    {"id": "m9", "title": "咨询公积金提取", "text": "请问公积金怎么提取", "user": "U9", "time": "2026-11-20 10:00:00",
     "likes": 0, "dislikes": 0},
]


async def test_a_board_replay_goes_through_the_intake_and_the_hot_issues_show_in_the_api(tmp_path, store_url):
    settings = make_settings(tmp_path / "data", store_url)
    path = tmp_path / "board.jsonl"
    write_board(path, [*BOARD, {"id": "bad", "title": "x", "text": "y", "time": "昨天"}])
    result = await replay(create_app(settings, stages=default_stages(settings)), path, board.to_intake)
    assert result.messages == 5 and result.outcomes["accepted"] + result.outcomes["attached"] == 5
    assert result.bad_lines and result.bad_lines[0][0] == 6 and "time" in result.bad_lines[0][1]
    assert result.top[0]["reports"] == 4

    # A gateway started on the same data rebuilds the view from the stored reports.
    async with running_gateway(settings) as gw:
        await gw.server.app[HOTSPOTS].settled()  # the rebuild runs in the background
        resp = await gw.get("/api/v1/hotspots?window=30d&limit=5&until=2026-11-30T00:00:00%2B08:00",
                            headers=gw.core_headers)
        assert resp.status == 200
        page = await resp.json()
        [issue] = page["items"]
        assert issue["reports"] == 4 and issue["reporters"] == 4 and issue["likes"] == 6
        assert issue["place"] == "苏州园小区" and len(issue["cases"]) >= 1
        assert issue["first_report"] == "2026-11-03T23:10:00+08:00"
        # Today's 7 days hold none of it.
        assert (await (await gw.get("/api/v1/hotspots", headers=gw.core_headers)).json())["items"] == []
        bad = await gw.get("/api/v1/hotspots?window=forever", headers=gw.core_headers)
        assert bad.status == 422 and (await bad.json())["error"]["code"] == "invalid_field"
        assert (await gw.get("/api/v1/hotspots")).status == 401

        # The monthly report: HTML with a chart per issue, and CSV.
        issues = await month_issues(gw.server.app[STORE], settings.hotspots, "2026-11")
        html, table = write_report(issues, "2026-11", tmp_path / "reports")
        page_text = html.read_text(encoding="utf-8")
        assert "2026-11 热点问题月报" in page_text and page_text.count("<svg") == 1
        assert "苏州园小区" in page_text and "<rect" in page_text
        with table.open(encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
        assert rows[0]["排名"] == "1" and rows[0]["反映次数"] == "4" and rows[0]["地点"] == "苏州园小区"


async def test_the_top_issues_are_prometheus_gauges(tmp_path, store_url):
    settings = make_settings(tmp_path / "data", store_url)
    async with running_gateway(settings) as gw:
        for i, (_where, text) in enumerate(NIGHT_WORK[:3]):
            resp = await gw.post("/api/v1/reports", json={"description": text, "submission_token": f"hotspot-{i:04d}"})
            assert resp.status == 201
        await gw.server.app[HOTSPOTS].settled()
        metrics = await (await gw.get("/metrics")).text()
        assert 'gateway_hotspot_reports{issue="hs-webform:hotspot-0000",rank="1"} 3.0' in metrics
        assert 'gateway_hotspot_heat{issue="hs-webform:hotspot-0000",rank="1"}' in metrics
