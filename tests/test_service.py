"""What channels ask of the gateway besides submit: assessing a report before filing it,
a category the citizen picked, map-app coordinates; and the record a report is stored as."""
from __future__ import annotations

import dataclasses
from datetime import datetime

from classifiers.locate.geometry import gcj02_to_wgs84
from gateway.appkeys import SERVICE
from gateway.models import CST, Attachment, GeoPoint, Intake, Reporter, intake_from_plain

LAMP = "建国门内大街18号门口的路灯坏了，晚上一片漆黑"


def chat(text: str, msg_id: str, **extra) -> Intake:
    return Intake(channel="testchat", external_id=msg_id, text=text,
                  reporter=Reporter(contact_channel="testchat", contact_id="u-1"), **extra)


async def test_assess_tells_what_is_missing_without_filing(gateway):
    service = gateway.app[SERVICE]
    vague = await service.assess(chat("我家楼下的路灯不亮了", "a-1"))
    assert vague["location"]["needs_review"] and not vague["location"]["grid_code"]
    assert vague["classification"]["name"]
    first = await service.submit(chat(LAMP, "a-2"))
    again = await service.assess(chat(LAMP, "a-3"))
    [candidate] = again["duplicates"]["candidates"]
    assert candidate["case_no"] == first.case_no and candidate["status_name"] == "已立案"
    assert "phone" not in candidate and candidate["score"] > 0.7
    assert await gateway.pipeline.store.count_intakes() == 1  # assessing stored nothing


async def test_a_category_the_citizen_picked_is_used(gateway):
    service = gateway.app[SERVICE]
    result = await service.submit(chat("那个东西坏了", "c-1", category_hint="BJ-01037"))
    doc = await gateway.pipeline.store.get_workorder(result.case_no)
    assert doc["category"]["code"] == "BJ-01037" and doc["category"]["source"] == "citizen"


async def test_map_app_coordinates_are_converted_to_gps(gateway):
    service = gateway.app[SERVICE]
    pin = GeoPoint(39.9020, 116.4110)
    result = await service.submit(chat("这里有问题", "g-1", point=pin, point_crs="gcj02"))
    doc = await gateway.pipeline.store.get_workorder(result.case_no)
    expected = gcj02_to_wgs84(pin)
    assert abs(doc["location"]["lat"] - expected.lat) < 1e-6
    assert abs(doc["location"]["lng"] - expected.lng) < 1e-6
    assert doc["location"]["grid_code"]


async def test_a_citizen_who_says_it_is_a_different_problem_is_not_joined(gateway):
    service = gateway.app[SERVICE]
    first = await service.submit(chat(LAMP, "nd-1"))
    separate = await service.submit(chat(LAMP, "nd-2", not_duplicate=True))
    assert separate.outcome == "accepted" and separate.case_no != first.case_no
    doc = await gateway.pipeline.store.get_workorder(separate.case_no)
    assert doc["needs_review"] and doc["duplicate_candidates"][0]["case_no"] == first.case_no


async def test_the_stored_report_is_the_one_its_stages_rerun_from(gateway):
    # After a crash, or when the classifier improves, the stages run again from the stored
    # record: it must be the report as the channel gave it, without the raw payload (stored
    # verbatim beside it), and the channel's own object must keep its raw payload.
    intake = Intake(
        channel="testchat", external_id="s-1", text=LAMP, title="路灯",
        reporter=Reporter(name="张三", phone="+8613800000000", contact_channel="testchat",
                          contact_id="u-9"),
        attachments=[Attachment(kind="image", content_type="image/jpeg", size=3,
                                sha256="ab" * 32, filename="灯.jpg")],
        address="建国门内大街18号", point=GeoPoint(39.9020, 116.4110),
        received_at=datetime(2026, 11, 21, 9, 30, 15, tzinfo=CST),
        raw={"MsgId": "s-1", "Content": LAMP},
    )
    await gateway.app[SERVICE].submit(intake)
    record = await gateway.pipeline.store.find_intake("testchat", "s-1")
    assert intake_from_plain(record["payload"]) == dataclasses.replace(intake, raw=None)
    assert intake.raw == {"MsgId": "s-1", "Content": LAMP}
