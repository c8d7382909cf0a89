"""Repeated reports join one case; operators and the core merge and split cases."""
from __future__ import annotations

import pytest

from tests.conftest import all_feed, workorder

pytestmark = pytest.mark.both_stores  # store-facing: run on SQLite and on PostgreSQL


async def report(client, token, text, **extra):
    resp = await client.post("/api/v1/reports", json={"description": text, "submission_token": token, **extra})
    assert resp.status == 201, await resp.text()
    return await resp.json()



LAMP = "建国门内大街18号门口的路灯坏了，晚上一片漆黑，老人出门很危险"


async def test_a_repost_joins_the_open_case_and_every_reporter_is_kept(gateway):
    first = await report(gateway, "lamp-0001", LAMP, name="张三", phone="13800000001")
    again = await report(gateway, "lamp-0002", LAMP, name="李四", phone="13800000002")
    assert again["outcome"] == "attached" and again["case_no"] == first["case_no"]
    doc = await workorder(gateway, first["case_no"])
    assert doc["report_count"] == 2
    assert [r["reporter"]["name"] for r in doc["reporters"]] == ["张三", "李四"]
    assert [h["action"] for h in doc["history"]] == ["filed", "report_attached"]
    # The second reporter can follow the shared case with the check code they were given.
    status = await gateway.get(f"/api/v1/reports/{again['case_no']}?code={again['check_code']}")
    assert (await status.json())["report_count"] == 2


async def test_a_different_problem_at_the_same_place_is_a_new_case(gateway):
    lamp = await report(gateway, "place-0001", LAMP)
    trash = await report(gateway, "place-0002", "建国门内大街18号门口的垃圾桶满了好几天没人清运，臭气熏天")
    assert trash["outcome"] == "accepted" and trash["case_no"] != lamp["case_no"]


async def test_the_same_caller_asking_how_it_goes_joins_the_case_at_that_place(gateway):
    # 和平路 is not in the demo registry: the place is known from the words only.
    first = await report(gateway, "chase-0001", "和平路18号门口的井盖丢了，晚上很危险", phone="13800000021")
    chase = await report(gateway, "chase-0002", "和平路18号门口那个井盖的事有进展吗？怎么还没人来修？",
                         phone="13800000021")
    assert chase["outcome"] == "attached" and chase["case_no"] == first["case_no"]
    # Someone else asking the same question at another number is a case of its own.
    other = await report(gateway, "chase-0003", "和平路81号门口那个井盖的事有进展吗？", phone="13800000021")
    assert other["case_no"] != first["case_no"]


async def test_merge_links_both_ways_and_the_feed_shows_both(gateway):
    a = await report(gateway, "merge-0001", "苏州园小区3号楼楼道灯不亮", phone="13800000011")
    b = await report(gateway, "merge-0002", "3号楼楼道里的灯坏了好几天", phone="13800000012")
    _, cursor = await all_feed(gateway)
    h = gateway.core_headers
    resp = await gateway.post(f"/api/v1/workorders/{b['case_no']}/merge", headers=h,
                              json={"into": a["case_no"], "update_id": "m-1"})
    assert resp.status == 200
    body = await resp.json()
    assert body["merged"]["status"] == "merged" and body["merged"]["duplicate_of"] == a["case_no"]
    assert body["into"]["duplicates"] == [b["case_no"]] and body["into"]["report_count"] == 2
    changed, _ = await all_feed(gateway, cursor=cursor)
    assert sorted(i["case_no"] for i in changed) == sorted([a["case_no"], b["case_no"]])

    repeat = await gateway.post(f"/api/v1/workorders/{b['case_no']}/merge", headers=h,
                                json={"into": a["case_no"], "update_id": "m-1"})
    assert repeat.status == 200 and (await workorder(gateway, a["case_no"]))["report_count"] == 2
    again = await gateway.post(f"/api/v1/workorders/{b['case_no']}/merge", headers=h,
                               json={"into": a["case_no"], "update_id": "m-2"})
    assert again.status == 409 and (await again.json())["error"]["code"] == "invalid_merge"

    # Undo: the merged case is open again as it was, and leaves the other.
    split = await gateway.post(f"/api/v1/workorders/{a['case_no']}/split", headers=h,
                               json={"merged_case": b["case_no"]})
    assert split.status == 200
    body = await split.json()
    assert body["split"]["status"] == "confirmed" and body["split"]["duplicate_of"] is None
    assert body["from"]["duplicates"] == [] and body["from"]["report_count"] == 1
    assert [r["reporter"]["phone"] for r in body["from"]["reporters"]] == ["+8613800000011"]


async def test_a_report_attached_by_mistake_is_split_into_its_own_case(gateway):
    first = await report(gateway, "split-0001", LAMP)
    second = await report(gateway, "split-0002", LAMP, phone="13800000021")
    assert second["case_no"] == first["case_no"]
    h = gateway.core_headers
    url = f"/api/v1/workorders/{first['case_no']}/split"
    resp = await gateway.post(url, headers=h, json={"channel": "webform", "channel_ref": "split-0002"})
    assert resp.status == 200
    body = await resp.json()
    new_case = body["split"]["case_no"]
    assert new_case != first["case_no"] and body["split"]["split_from"] == first["case_no"]
    assert body["from"]["split_out"] == [new_case] and body["from"]["report_count"] == 1
    assert body["split"]["reporter"]["phone"] == "+8613800000021"
    # Asked twice (a retry): the same two cases, nothing new.
    again = await gateway.post(url, headers=h, json={"channel": "webform", "channel_ref": "split-0002"})
    assert (await again.json())["split"]["case_no"] == new_case
    items, _ = await all_feed(gateway)
    assert len(items) == 2
    # The citizen who resubmits gets the case their report now belongs to.
    retry = await gateway.post("/api/v1/reports", json={"description": LAMP, "submission_token": "split-0002"})
    assert (await retry.json())["case_no"] == new_case
    # The first report of a case cannot be split off it.
    refused = await gateway.post(url, headers=h, json={"channel": "webform", "channel_ref": "split-0001"})
    assert refused.status == 409


async def test_merge_and_split_refuse_bad_requests(gateway):
    a = await report(gateway, "bad-m-0001", "路灯不亮")
    h = gateway.core_headers
    url = f"/api/v1/workorders/{a['case_no']}"
    for path, body, status in [
        ("/merge", {"into": a["case_no"], "update_id": "b1"}, 409),
        ("/merge", {"update_id": "b2"}, 422),
        ("/merge", {"into": "20990101-000001", "update_id": "b3"}, 404),
        ("/split", {}, 422),
        ("/split", {"merged_case": "20990101-000001"}, 404),
        ("/split", {"channel": "webform", "channel_ref": "nope-0000"}, 404),
    ]:
        resp = await gateway.post(url + path, headers=h, json=body)
        assert resp.status == status, (path, body, await resp.text())
    assert (await workorder(gateway, a["case_no"]))["status"] == "confirmed"


# Places no registry holds, known from the words only (classifiers/dedupe/place_match.py).
SAME_SPOT_REPEATS = [
    # a chain's shop with and without its kind
    ("文二路瑞幸咖啡门口的外摆桌椅把人行道占了一半", "文二路瑞幸门口 桌椅摆到人行道上 走不过去"),
    # the gate said once, the side said two ways (门外 / 门口)
    ("丰泽园南门外 井盖丢了", "丰泽园门口那个井盖没了"),
    # "反映过" before the name is not part of it
    ("我反映一下，银河公寓后门的消防通道被车堵死了", "我3月2日反映过银河公寓后门消防通道被车堵死的问题，现在还堵着"),
]


@pytest.mark.parametrize("first, second", SAME_SPOT_REPEATS, ids=[b for _, b in SAME_SPOT_REPEATS])
async def test_a_neighbour_saying_the_place_another_way_joins_the_case(gateway, first, second):
    a = await report(gateway, "spot-0001", first, phone="13800000031")
    b = await report(gateway, "spot-0002", second, phone="13800000032")
    assert b["outcome"] == "attached" and b["case_no"] == a["case_no"], b["workorder"]["location"]


async def test_a_problem_fixed_and_back_is_offered_to_the_operator_not_joined(gateway):
    first = await report(gateway, "back-0001", "云景花园北门路灯坏了。", phone="13800000041")
    back = await report(gateway, "back-0002", "云景花园北门的路灯，上个月修好了，亮了没几天，又灭了。",
                        phone="13800000042")
    assert back["outcome"] == "accepted" and back["case_no"] != first["case_no"]
    doc = await workorder(gateway, back["case_no"])
    offered = doc["duplicate_candidates"]
    assert offered and offered[0]["case_no"] == first["case_no"]
    assert offered[0]["explanation"]["recurrence"] is True
    assert "可能与已有工单重复，请人工确认" in doc["review_reasons"]
