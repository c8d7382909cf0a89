"""Duplicate detection against open cases: what a seat operator and a citizen would notice."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import numpy as np
import pytest

from classifiers.dedupe.index import DuplicateIndex, OpenCase, parent_category
from classifiers.locate.places import extract_place
from gateway.models import CST, DuplicateCheck, GeoPoint

T0 = datetime(2024, 6, 3, 20, 0, tzinfo=CST)
LAMP = "BJ-01020"
COVER = "BJ-01006"
GARBAGE = "SJ-06001"
GATE = GeoPoint(28.19520, 112.97310)


def near(point: GeoPoint, metres_north: float) -> GeoPoint:
    return GeoPoint(point.lat + metres_north / 111_320, point.lng)


def lamp_case(case_no: str = "C1", **kw) -> OpenCase:
    values = dict(
        case_no=case_no,
        text="幸福小区3号楼东门的路灯坏了，晚上黑漆漆的一片",
        category_code=LAMP,
        grid_code="G01",
        point=GATE,
        created_at=T0,
        reporter_keys={"tel:13800000001"},
    )
    values.update(kw)
    return OpenCase(**values)


@pytest.fixture
def index() -> DuplicateIndex:
    ix = DuplicateIndex()
    ix.add(lamp_case())
    return ix


def test_neighbours_reporting_the_same_lamp_join_one_case(index):
    reports = [
        ("喂你好，我想反映一下幸福小区三号楼东门那个路灯不亮了，好几天了", "tel:13900000002", None),
        ("3号楼东门那里路灯不亮已经三天了，老人晚上出门很危险，请尽快修一下", "wechat:oX2", near(GATE, 30)),
        ("路燈壞了！幸福小區3棟東門，天一黑什麼都看不見", "email:a@example.cn", None),
        ("那个幸福小区3号楼东门路登坏了晚上都不亮，嗯，麻烦你们派人来看看", "tel:13900000004", near(GATE, -20)),
    ]
    for hours, (text, key, point) in enumerate(reports, start=1):
        result = index.check(text, LAMP, [], "G01", point, [key], T0 + timedelta(hours=hours))
        assert result.action == "attach", (text, result)
        assert result.case_no == "C1"
        assert result.candidates[0].case_no == "C1"


def test_same_problem_in_another_grid_is_a_new_case(index):
    result = index.check("幸福小区3号楼东门的路灯坏了，晚上黑漆漆的一片", LAMP, [], "G02", None,
                         ["tel:13900000009"], T0 + timedelta(hours=1))
    assert result.action == "new"
    assert result.case_no == ""


def test_same_problem_far_away_is_a_new_case_even_in_the_same_grid(index):
    far = near(GATE, 600)
    result = index.check("锦园南门的路灯坏了，晚上黑漆漆的一片", LAMP, [], "", far,
                         ["tel:13900000009"], T0 + timedelta(hours=1))
    assert result.action == "new"


def test_another_building_of_the_same_estate_is_not_attached(index):
    result = index.check("幸福小区8号楼东门的路灯坏了，晚上黑漆漆的一片", LAMP, [], "G01", None,
                         ["tel:13900000009"], T0 + timedelta(hours=1))
    assert result.action != "attach"


def test_different_problem_at_the_same_gate_is_a_new_case(index):
    for code, text in ((GARBAGE, "幸福小区3号楼东门垃圾没人清，堆了好几天了"),
                       (COVER, "幸福小区3号楼东门的井盖不见了，晚上黑漆漆的很危险")):
        result = index.check(text, code, [], "G01", GATE, ["tel:13900000009"], T0 + timedelta(hours=1))
        assert result.action != "attach", (text, result)
    garbage = index.check("幸福小区3号楼东门垃圾没人清，堆了好几天了", GARBAGE, [], "G01", GATE,
                          ["tel:13900000009"], T0 + timedelta(hours=1))
    assert garbage.action == "new"


def test_same_caller_ringing_back_without_a_place_is_attached():
    ix = DuplicateIndex()
    ix.add(lamp_case(reporter_keys={"tel:13800000001"}))
    result = ix.check("我上午打过电话，我家那边路灯不亮的事怎么还没人来修", LAMP, [], "", None,
                      ["tel:13800000001"], T0 + timedelta(hours=2))
    assert result.action == "attach"
    assert result.case_no == "C1"
    assert result.candidates[0].explanation["same_reporter"] is True
    # the same words from somebody else, with no place, are not attached automatically
    other = ix.check("我上午打过电话，我家那边路灯不亮的事怎么还没人来修", LAMP, [], "", None,
                     ["tel:13700000000"], T0 + timedelta(hours=2))
    assert other.action != "attach"


def test_same_reporters_open_case_elsewhere_is_only_suggested():
    ix = DuplicateIndex()
    ix.add(lamp_case(case_no="C7", grid_code="G05", point=None, reporter_keys={"wechat:oABC"}))
    result = ix.check("幸福小区3号楼东门的路灯坏了，晚上黑漆漆的一片", LAMP, [], "G01", None,
                      ["wechat:oABC"], T0 + timedelta(hours=3))
    assert result.action == "suggest"
    assert [c.case_no for c in result.candidates] == ["C7"]
    assert result.candidates[0].explanation["found_by"] == "reporter"


def test_closed_rejected_and_merged_cases_are_not_candidates():
    ix = DuplicateIndex()
    ix.add(lamp_case("C1"))
    ix.add(lamp_case("C2", status="closed"))
    assert len(ix) == 1
    ix.update(lamp_case("C1", status="merged"))
    assert len(ix) == 0
    result = ix.check("幸福小区3号楼东门的路灯坏了，晚上黑漆漆的一片", LAMP, [], "G01", GATE,
                      ["tel:1"], T0 + timedelta(hours=1))
    assert result.action == "new" and result.candidates == []
    ix.add(lamp_case("C3"))
    assert ix.remove("C3") is True
    assert ix.remove("C3") is False
    assert ix.check("幸福小区3号楼东门的路灯坏了", LAMP, [], "G01", GATE, [], T0).action == "new"


def test_time_window_is_respected():
    ix = DuplicateIndex(window_hours=72)
    ix.add(lamp_case())
    text = "幸福小区3号楼东门的路灯坏了，晚上黑漆漆的一片"
    inside = ix.check(text, LAMP, [], "G01", GATE, ["tel:2"], T0 + timedelta(days=2, hours=23))
    outside = ix.check(text, LAMP, [], "G01", GATE, ["tel:2"], T0 + timedelta(days=3, hours=1))
    assert inside.action == "attach"
    assert outside.action == "new"


def test_a_case_still_being_reported_stays_a_candidate_after_its_latest_report():
    # Reported on day 0 and again on day 2: a report on day 4 is 4 days from the first but
    # 2 from the latest, within the 72-hour window; one 4 days after the latest is not.
    ix = DuplicateIndex(window_hours=72)
    ix.add(lamp_case(last_reported_at=T0 + timedelta(days=2)))
    text = "幸福小区3号楼东门的路灯坏了，晚上黑漆漆的一片"
    day4 = ix.check(text, LAMP, [], "G01", GATE, ["tel:2"], T0 + timedelta(days=4))
    assert day4.action == "attach" and day4.candidates[0].explanation["age_hours"] == 48.0
    assert ix.check(text, LAMP, [], "G01", GATE, ["tel:2"], T0 + timedelta(days=6, hours=1)).action == "new"
    # …and a report made between its first and latest reports is as fresh as they are.
    assert ix.check(text, LAMP, [], "G01", GATE, ["tel:2"], T0 + timedelta(days=1)).candidates[0] \
        .explanation["age_hours"] == 0.0


def test_explanation_gives_the_components_of_the_score(index):
    result = index.check("幸福小区3号楼东门路灯不亮了", LAMP, [], "G01", near(GATE, 40), ["tel:2"],
                         T0 + timedelta(hours=6))
    expl = result.candidates[0].explanation
    assert {"text", "place", "category", "time", "same_reporter", "distance_m", "age_hours"} <= set(expl)
    assert expl["category"] == 1.0
    assert 35 <= expl["distance_m"] <= 45
    assert expl["age_hours"] == 6.0
    assert result.candidates[0].score == pytest.approx(expl["score"], abs=1e-3)


def test_update_with_new_text_changes_what_matches():
    ix = DuplicateIndex()
    ix.add(lamp_case(text="幸福小区3号楼东门有点问题", category_code=LAMP))
    query = ("幸福小区3号楼东门的路灯坏了，晚上黑漆漆的一片", LAMP, [], "G01", GATE, ["tel:2"], T0)
    before = ix.check(*query).candidates[0].explanation["text"]
    ix.update(lamp_case(text="幸福小区3号楼东门有点问题。补充：路灯坏了，晚上黑漆漆的一片"))
    after = ix.check(*query).candidates[0].explanation["text"]
    assert after > before
    assert len(ix) == 1


def test_candidates_best_first_and_at_most_five():
    ix = DuplicateIndex()
    for i in range(8):
        ix.add(lamp_case(f"C{i}", created_at=T0 - timedelta(days=i), reporter_keys={f"tel:{i}"}))
    result = ix.check("幸福小区3号楼东门的路灯坏了，晚上黑漆漆的一片", LAMP, [], "G01", GATE, ["tel:x"], T0)
    assert result.action == "attach" and result.case_no == "C0"
    assert len(result.candidates) == 5
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert result.candidates[0].case_no == "C0"  # the most recent wins a tie on text and place


def test_report_without_grid_or_point_looks_at_a_bounded_number_of_cases():
    ix = DuplicateIndex(placeless_scan_limit=30)
    for i in range(300):
        ix.add(lamp_case(f"C{i}", grid_code=f"G{i % 50:02d}", point=None,
                         text=f"第{i}个小区的路灯坏了", created_at=T0 - timedelta(minutes=300 - i)))
    found = ix._gather(_query_for(ix, "路灯坏了", LAMP))
    assert len(found) == 30
    # and such a report is never attached automatically: the place is unknown
    result = ix.check("第299个小区的路灯坏了", LAMP, [], "", None, ["tel:x"], T0)
    assert result.action == "suggest"
    assert result.candidates[0].case_no == "C299"


def test_a_busy_grid_is_searched_from_its_most_recent_cases():
    ix = DuplicateIndex(grid_scan_limit=40)
    for i in range(400):  # a grid worker's sweep: hundreds of lamps in one grid
        ix.add(lamp_case(f"C{i}", point=None, text=f"{i}号灯杆的路灯坏了",
                         created_at=T0 - timedelta(minutes=400 - i), reporter_keys=set()))
    found = ix._gather(ix._query("路灯坏了", LAMP, [], "G01", None, (), T0))
    assert len(found) == 40 and "C399" in found and "C0" not in found
    repeat = ix.check("399号灯杆的路灯坏了", LAMP, [], "G01", None, ["tel:x"], T0)
    assert repeat.action == "attach" and repeat.case_no == "C399"


def test_a_house_number_looks_only_at_that_number_and_at_cases_without_one():
    ix = DuplicateIndex()
    for i, (text, place) in enumerate([
            ("和平路81号门口井盖丢了", {"road": "和平路", "number": "81"}),
            ("和平路上井盖丢了", {"road": "和平路"}),
            ("和平路18号门口井盖丢了", {"road": "和平路", "number": "18"})]):
        ix.add(lamp_case(f"C{i}", text=text, category_code=COVER, grid_code="", point=None,
                         place=place, reporter_keys=set()))
    spot = ix._gather(ix._query("和平路十八号门口的井盖没了", COVER, [], "", None, (), T0,
                                place={"road": "和平路", "number": "18"}))
    assert set(spot) == {"C1", "C2"}  # 81号 is another place: never scored
    road = ix._gather(ix._query("和平路有个井盖没了", COVER, [], "", None, (), T0, place={"road": "和平路"}))
    assert set(road) == {"C0", "C1", "C2"}


def _query_for(ix: DuplicateIndex, text: str, code: str):
    return ix._query(text, code, [], "", None, (), T0)


def test_related_categories_share_a_parent():
    assert parent_category("SJ-06001") == parent_category("SJ-06020")
    assert parent_category("SJ-06001") != parent_category("SJ-07001")
    assert parent_category("", ["城乡建设", "物业管理", "电梯"]) == parent_category("", ["城乡建设", "物业管理", "停水"])
    assert parent_category("", []) == ""


def test_naive_datetimes_are_refused(index):
    with pytest.raises(ValueError):
        index.check("路灯坏了", LAMP, [], "G01", None, [], datetime(2024, 6, 3, 20, 0))
    with pytest.raises(ValueError):
        index.add(lamp_case("C9", created_at=datetime(2024, 6, 3, 20, 0)))


def test_checks_while_cases_are_added_from_another_thread():
    ix = DuplicateIndex()
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer():
        try:
            for i in range(1500):
                ix.add(lamp_case(f"W{i}", grid_code="G01", reporter_keys={f"tel:{i}"},
                                 created_at=T0 - timedelta(minutes=i)))
                if i % 3 == 0:
                    ix.remove(f"W{i - 1}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            stop.set()

    thread = threading.Thread(target=writer)
    thread.start()
    results: list[DuplicateCheck] = []
    while not stop.is_set():
        results.append(ix.check("幸福小区3号楼东门的路灯坏了", LAMP, [], "G01", GATE, ["tel:x"], T0))
    thread.join()
    assert not errors
    assert results
    assert ix.check("幸福小区3号楼东门的路灯坏了", LAMP, [], "G01", GATE, ["tel:x"], T0).action == "attach"


def _two_reports_at_one_spot(first: tuple[str, str, str], second: tuple[str, str, str]) -> DuplicateCheck:
    """Case C1 from the first (text, category, its runner-up), then the check of the second
    an hour later by someone else; places read from the texts."""
    (text_a, code_a, close_a), (text_b, code_b, close_b) = first, second
    ix = DuplicateIndex()
    ix.add(OpenCase(case_no="C1", text=text_a, category_code=code_a, created_at=T0,
                    place=_place_of(text_a), close_codes=(close_a,)))
    return ix.check(text_b, code_b, [], "", None, ["tel:2"], T0 + timedelta(hours=1),
                    place=_place_of(text_b), close_codes=[close_b])


def _place_of(text: str) -> dict:
    place = extract_place(text)
    return place.as_dict() if place else {}


def test_the_same_problem_classified_a_branch_away_joins_at_the_same_spot():
    # "桥上路灯全黑": a lamp (路灯) to one reading, the bridge (跨河桥) to the other.
    result = _two_reports_at_one_spot(("松花江大桥上那一排路灯都不亮，晚上开车瘆得慌。", "BJ-01037", "BJ-02009"),
                                      ("松花江大桥上路灯全黑", "BJ-02009", "BJ-01037"))
    assert result.action == "attach" and result.case_no == "C1"
    assert result.candidates[0].explanation["problem_text"] > 0


def test_close_categories_at_one_spot_join_when_the_pair_reader_leans_to_one_problem():
    # A gas valve pit smelling of gas / a shop at the corner afraid to light its stove: filed as
    # 燃气井盖 and 燃气泄漏 (close), no words in common but the place, read as one problem.
    first = ("诉求人反映：梅溪路与仓前街路口东北角一处地下燃气阀井有明显燃气味。", "BJ-01011", "SH-01-01-01")
    second = "仓前街梅溪路拐角那家早点铺老板说今早不敢开火了 门口一股煤气味"

    def check(**settings) -> DuplicateCheck:
        ix = DuplicateIndex(**settings)
        ix.add(OpenCase(case_no="C1", text=first[0], category_code=first[1], created_at=T0,
                        place=_place_of(first[0]), close_codes=(first[2],)))
        return ix.check(second, "SH-01-01-01", [], "", None, ["tel:2"], T0 + timedelta(hours=1),
                        place=_place_of(second), close_codes=["BJ-01011"])

    joined = check()
    assert joined.action == "attach" and joined.case_no == "C1"
    assert 0.7 <= joined.candidates[0].explanation["one_problem"] < 0.85
    # the reader's lean alone no longer counts: offered to the operator, not joined
    assert check(close_problem_threshold=0.85).action == "suggest"


def test_the_same_fault_at_the_very_same_spot_joins_across_related_categories():
    # 冒脏水 / 积水…堵了: one blocked drain, put under two leaves of one branch (neither the
    # other's runner-up); a lamp dark and a lamp broken at one spot stay two problems.
    result = _two_reports_at_one_spot(("金穗小区2号楼门口污水井往外冒脏水。", "BJ-01002", "BJ-01023"),
                                      ("金穗小区2号楼门口一片积水，下水道堵了", "BJ-01004", "BJ-01026"))
    assert result.action == "attach" and result.case_no == "C1"
    other = _two_reports_at_one_spot(("金穗小区2号楼门口路灯不亮。", "BJ-01037", "BJ-01038"),
                                     ("金穗小区2号楼门口景观灯灯罩碎了", "BJ-01039", "BJ-01040"))
    assert other.action != "attach"


def test_another_problem_at_the_same_spot_is_not_joined_even_when_the_categories_are_close():
    # One market gate, two problems: fish stalls' waste water, live poultry slaughtered.
    result = _two_reports_at_one_spot(("西关农贸市场外面鱼摊污水横流。", "SJ-06030", "SJ-09006"),
                                      ("西关农贸市场外面活禽宰杀 没有检疫", "SJ-09006", "SJ-06030"))
    assert result.action == "suggest"
    assert result.candidates[0].explanation["problem_text"] < 0.08


@pytest.mark.parametrize("first, second", [
    # the same lamp, the same leaf: dark at night vs lit all day
    (("玉龙路中段的路灯大白天还亮着", "BJ-01037", "BJ-01039"), ("玉龙路中段那盏路灯晚上不亮，黑漆漆的", "BJ-01037", "BJ-01039")),
    # one restaurant: its smoke vs its tables on the pavement (each other's runner-up)
    (("学院路32号楼下烧烤店油烟直排，楼上无法开窗。", "SJ-06027", "SJ-09005"),
     ("学院路32号楼下那家烧烤店把桌子摆到人行道上了，路都走不了", "SJ-09005", "SJ-06027")),
])
def test_two_faults_of_one_thing_at_one_spot_are_offered_not_joined(first, second):
    result = _two_reports_at_one_spot(first, second)
    assert result.action == "suggest" and result.candidates[0].case_no == "C1"
    assert "≠" in result.candidates[0].explanation["different_fault"]


@pytest.mark.parametrize("first, second, why", [
    # a fault said not to be there does not count: the hydrant knocked over, "not leaking"
    (("建华路118号门前消防栓漏水。", "BJ-01013", "SJ-06030"),
     ("建华路118号门前消防栓被车撞倒，歪在路边，目前没有漏水。", "BJ-01013", "SJ-06030"), "different_fault"),
    # building A and building B of one estate
    (("银座花园A座电梯故障停运。", "BJ-01076", "SH-01-04-02"), ("银座花园B座电梯又停了", "BJ-01076", "SH-01-04-02"),
     "place_conflicts"),
    # opposite corners of one junction
    (("锦绣大道与科苑路路口东北角红绿灯杆歪了", "BJ-02014", "BJ-02010"),
     ("来电人反映锦绣大道与科苑路交叉口西南角信号灯杆倾斜。", "BJ-02014", "BJ-02010"), "place_conflicts"),
])
def test_a_fault_denied_another_building_or_corner_is_not_joined(first, second, why):
    result = _two_reports_at_one_spot(first, second)
    assert result.action != "attach"
    if why == "place_conflicts" and not result.candidates:
        return  # (since the place reader writes down A座 and B座 as buildings, not even a candidate)
    assert why in result.candidates[0].explanation


def test_the_same_fault_in_other_words_joins_though_the_texts_share_no_words():
    # 窨井敞口，无盖板 / 井口开着，盖子没了: one missing cover, classified a leaf apart.
    result = _two_reports_at_one_spot(("来电人反映金穗小区2号楼南侧窨井敞口，无盖板。", "BJ-01026", "BJ-01023"),
                                      ("金穗小区2号楼南边有个井口开着，盖子没了。", "BJ-01023", "BJ-01026"))
    assert result.action == "attach" and result.case_no == "C1"
    assert result.candidates[0].explanation["problem_text"] < 0.08


def test_the_same_fault_in_other_words_still_joins():
    # 树断了 / 树倒了: one fault, however each neighbour says it.
    result = _two_reports_at_one_spot(("银河路88号门口那棵树昨晚被风刮断了，挡住了路", "BJ-04004", "BJ-04012"),
                                      ("银河路八十八号门口的行道树倒了，压在路边", "BJ-04004", "BJ-04012"))
    assert result.action == "attach" and result.case_no == "C1"
    assert "different_fault" not in result.candidates[0].explanation


def test_the_same_words_at_the_same_spot_join_whatever_the_categories():
    # A loose dog to one reading (市容), a pavement matter to the other; unrelated runners-up.
    result = _two_reports_at_one_spot(("金沙路九号院门口那条大狼狗没拴，见人就扑。", "SJ-06012", "BJ-02038"),
                                      ("金沙路9号院门口 有条大狼狗不拴绳 吓哭好几个小孩", "SH-08-05", "SJ-09013"))
    assert result.action == "attach" and result.case_no == "C1"
    assert result.candidates[0].explanation["same_problem_words"] is True


def test_other_words_at_the_same_spot_in_another_branch_are_not_joined():
    # One gate, two problems classified far apart: the words apart from the place differ.
    result = _two_reports_at_one_spot(("梧桐家园北门外道路积水。", "SJ-06013", "BJ-04009"),
                                      ("梧桐家园北门外面天天有人摆摊卖菜，堵着门。", "SJ-09006", "SJ-09001"))
    assert result.action != "attach"
    assert all("same_problem_words" not in c.explanation for c in result.candidates)


def test_a_vaguer_second_report_with_the_same_words_joins():
    # The second neighbour names only the compound; the words apart from the place agree.
    result = _two_reports_at_one_spot(("棉纺厂宿舍11栋2单元门口有个马蜂窝，好大一个", "SH-01-04-01", "SH-01-01-01"),
                                      ("棉纺厂宿舍有个马蜂窝好大，小孩被蛰了", "SJ-09003", "BJ-04010"))
    assert result.action == "attach" and result.case_no == "C1"
    assert result.candidates[0].explanation["same_place"] == "compatible"


def test_a_vaguer_report_of_another_problem_is_not_joined():
    result = _two_reports_at_one_spot(("棉纺厂宿舍11栋2单元门口有个马蜂窝，好大一个", "SH-01-04-01", "SH-01-01-01"),
                                      ("棉纺厂宿舍门禁坏了谁都能进", "SH-01-04-02", "BJ-02038"))
    assert result.action != "attach"


def test_a_case_in_a_far_branch_at_the_same_spot_is_still_found():
    # Found by its place although its category's parent differs (BJ-01 / BJ-02).
    ix = DuplicateIndex()
    ix.add(OpenCase(case_no="C1", text="通济桥上路灯不亮", category_code="BJ-01037", created_at=T0,
                    place=extract_place("通济桥上路灯不亮").as_dict()))
    text = "通济桥上那一排灯晚上全是黑的"
    found = ix._gather(ix._query(text, "BJ-02009", [], "", None, (), T0, place=extract_place(text).as_dict(),
                                 close_codes=["BJ-01037"]))
    assert "C1" in found


def test_a_bad_duplicate_word_file_names_the_file_and_key(tmp_path):
    from classifiers.dedupe.recurrence import DuplicateWordsError, says_it_recurred
    bad = tmp_path / "duplicate_words.toml"
    bad.write_text('[recurrence]\nfixed = ["修好了"]\nasking = []\nagain = ["又"]\n', encoding="utf-8")
    with pytest.raises(DuplicateWordsError, match=r"duplicate_words\.toml: \[recurrence\]\.asking"):
        says_it_recurred("修好了又坏了", path=bad)
    assert says_it_recurred("上个月修好了，今天又不亮了", threshold=2)  # words only
    assert not says_it_recurred("路灯修好了没有？又黑了一晚", threshold=2)


@pytest.mark.parametrize("section, body, problem", [
    ("faults", '"不亮" = []', r"\[faults\]\.不亮 must be a non-empty list"),
    ("faults", '"不亮" = ["不亮"]\n"闪烁" = ["不亮"]', r"\[faults\]: “不亮” is in both 不亮 and 闪烁"),
    ("objects", '"井盖" = []', r"\[objects\]\.井盖 must be a non-empty list"),
    ("objects", '"井盖" = ["井盖"]\n"路灯" = ["井盖"]', r"\[objects\]: “井盖” is in both 井盖 and 路灯"),
])
def test_a_bad_fault_or_thing_list_names_the_file_and_the_kind(tmp_path, section, body, problem):
    from classifiers.dedupe.faults import fault_kinds
    from classifiers.dedupe.objects import object_kinds
    from classifiers.dedupe.recurrence import DuplicateWordsError
    bad = tmp_path / "duplicate_words.toml"
    bad.write_text(f"[{section}]\n{body}\n", encoding="utf-8")
    reader = fault_kinds if section == "faults" else object_kinds
    with pytest.raises(DuplicateWordsError, match=r"duplicate_words\.toml: " + problem):
        reader("路灯不亮，井盖没了", bad)


@pytest.mark.parametrize("text", [
    "滨湖小区南门外的塌陷处两个月前已修补，最近连续下雨后又塌了",
    "南关农贸市场西门外下水道上月已疏通，现又堵塞返水",
    "长江路18号对面饭店 上次城管来了消停了一个多月 这礼拜又开始半夜划拳",
    "火炬路站B口扶梯修好没几周又停了",
    "跃进路40号门口的井盖去年底换了个新的，这礼拜又被人偷了",
    "兴隆路19号门口上次补的新垃圾桶，又被人拿走了",
    "廣場路中段那個井蓋之前加固過，好了半年，最近又開始響了",
    "天河桥北侧桥头去年刚铺的沥青，今年又压出坑了",
])
def test_something_new_put_in_and_gone_wrong_again_is_a_recurrence(text):
    from classifiers.dedupe.recurrence import says_it_recurred
    assert says_it_recurred(text)


# Told as a story, in words no list holds (none of these is in the model's training texts).
FIXED_AND_BACK = [
    "东风路菜场门口那个卖鱼的，上个月被城管劝走了，清静了一阵子，这几天又把摊子支回来了，腥水流一地",
    "文昌路口的护栏上回交警给弄直了，前天晚上又给车撞歪了",  # (扶正了 is in the list now)
]
NOT_FIXED_YET = [
    "上礼拜打电话说的那个井盖，到现在还没人来修，天天有人绕着走",
    "我再反映一次，和平路那个路灯还是不亮，都一个月了",
    "物业一直说要修一直拖着，电梯还是坏的，老人天天爬楼",
]


@pytest.mark.parametrize("text", FIXED_AND_BACK)
def test_a_fixed_and_back_story_in_other_words_is_a_recurrence(text):
    from classifiers.dedupe.recurrence import says_it_recurred
    assert says_it_recurred(text)
    assert not says_it_recurred(text, threshold=2)  # the word list alone misses it


@pytest.mark.parametrize("text", NOT_FIXED_YET)
def test_a_problem_never_fixed_is_not_a_recurrence(text):
    from classifiers.dedupe.recurrence import says_it_recurred
    assert not says_it_recurred(text)


def test_a_problem_back_after_it_was_dealt_with_is_offered_not_joined():
    first = "东风路菜场门口有个卖鱼的摆摊，腥水流一地"
    result = _two_reports_at_one_spot((first, "SJ-09006", "SJ-09007"), (FIXED_AND_BACK[0], "SJ-09006", "SJ-09007"))
    assert result.action == "suggest" and result.candidates[0].case_no == "C1"
    assert result.candidates[0].explanation["recurrence"] is True
    # the same neighbour saying it was never dealt with joins the open case
    still = "东风路菜场门口那个卖鱼的摊子还在，反映了好几天了没人管，腥水流一地"
    result = _two_reports_at_one_spot((first, "SJ-09006", "SJ-09007"), (still, "SJ-09006", "SJ-09007"))
    assert result.action == "attach" and result.case_no == "C1"


def test_a_neighbour_saying_the_problem_is_still_there_joins_however_they_tell_it():
    first = ("滨河路88号门口的路灯杆被车撞歪了", LAMP, "")
    chase = ("滨河路88号门口那根路灯杆我前天就报了，到现在还没人来，晚上都不亮了", LAMP, "")
    result = _two_reports_at_one_spot(first, chase)
    assert result.action == "attach" and result.case_no == "C1"
    assert result.candidates[0].explanation["still_open"] is True
    assert "different_fault" in result.candidates[0].explanation  # 撞歪 / 不亮: told differently
    # the same words without "still": two faults of one lamp post, offered, not joined
    other = ("滨河路88号门口那根路灯杆晚上不亮了", LAMP, "")
    assert _two_reports_at_one_spot(first, other).action != "attach"
    # and "fixed, then back" is still a new occurrence
    back = ("滨河路88号门口那根路灯杆上个月修好了，这两天又被撞歪了", LAMP, "")
    assert _two_reports_at_one_spot(first, back).action == "suggest"


def test_the_same_came_back_story_posted_twice_is_one_case():
    # a re-post tells the story the open case already told: nothing new came back since
    story = FIXED_AND_BACK[0]
    result = _two_reports_at_one_spot((story, "SJ-09006", "SJ-09007"), (story, "SJ-09006", "SJ-09007"))
    assert result.action == "attach" and result.case_no == "C1"
    assert "recurrence" not in result.candidates[0].explanation


@pytest.mark.parametrize("a, b, verdict", [
    # a shop's branch named after its road, said either way round
    ({"landmark": "百汇便利店织锦路店", "side": "门口"}, {"road": "织锦路", "landmark": "百汇便利店"}, "same"),
    ({"landmark": "永辉超市文化路店"}, {"landmark": "永辉超市人民路店"}, "different"),
    # a school by its number, in full or short
    ({"road": "蕖塘路", "landmark": "第三小学", "side": "门口"}, {"road": "蕖塘路", "landmark": "三小", "side": "门口"}, "same"),
    ({"landmark": "三小", "side": "门口"}, {"landmark": "三中", "side": "门口"}, "different"),
])
def test_branches_on_a_road_and_schools_by_their_number(a, b, verdict):
    from classifiers.dedupe.place_match import same_place

    assert same_place(a, b) == verdict


def test_a_road_and_a_landmark_named_after_it_may_be_one_spot():
    from classifiers.dedupe.place_match import place_keys, same_place

    market = {"landmark": "北山路农贸市场", "side": "门口"}
    assert same_place({"road": "北山路"}, market) == "compatible"
    # beside (旁) names no side of its own: it agrees with one compass side, not with inside
    school = {"landmark": "玉兰路幼儿园"}
    assert same_place({**school, "side": "旁"}, {**school, "side": "东侧"}) == "same"
    assert same_place({**school, "side": "西侧"}, {**school, "side": "东侧"}) == "different"
    assert same_place({**school, "side": "旁"}, {**school, "side": "内"}) == "different"
    assert same_place({"road": "南山路"}, market) == "unknown"
    assert same_place({"road": "北山路", "landmark": "永辉超市"}, market) == "different"
    assert "road:北山路" in place_keys(market, query=True)
    # found from the road, joined when the two tell of one problem
    result = _two_reports_at_one_spot(("嗯，就是那个，北山路的那个农贸市场，北山路二十六号，门口天天堵车。", "SJ-09020", "SJ-09009"),
                                      ("北山路农贸市场门口又堵死了", "SJ-09020", ""))
    assert result.candidates and result.candidates[0].case_no == "C1"
    assert result.candidates[0].explanation["same_place"] == "compatible"


@pytest.mark.parametrize("a, b, said", [
    ({"compound": "锦绣江南3期", "building": "8"}, {"compound": "锦绣江南三期", "building": "8"}, "same"),
    ({"compound": "凤凰城3期"}, {"compound": "凤凰城小区三期"}, "same"),
    ({"compound": "龙湖春江郦城", "building": "12"}, {"compound": "春江郦城", "building": "12"}, "same"),
    ({"compound": "锦绣江南3期"}, {"compound": "锦绣江南4期"}, "different"),
    ({"compound": "金新城花园"}, {"compound": "新城花园"}, "different"),  # one character is a name, not a developer
    ({"landmark": "水厂公交站"}, {"landmark": "水厂站"}, "same"),
    ({"landmark": "园林局车站"}, {"landmark": "园林局公交站"}, "same"),
    ({"landmark": "市儿童医院"}, {"landmark": "儿童医院"}, "same"),
    ({"landmark": "地铁1号线市政府站"}, {"landmark": "市政府地铁站"}, "same"),
    # a city's metro kept in the station's name is the same station said without it
    ({"landmark": "广州地铁3号线珠江新城站", "exit": "B1"}, {"landmark": "珠江新城站", "exit": "B1"}, "same"),
    ({"landmark": "重庆轨道交通3号线观音桥站"}, {"landmark": "观音桥地铁站"}, "same"),
    ({"landmark": "广州地铁3号线珠江新城站", "exit": "B1"}, {"landmark": "珠江新城站", "exit": "A"}, "different"),
    # numbers in names said as digits or in words
    ({"road": "经二路", "cross_road": "纬五路"}, {"road": "纬5路", "cross_road": "经2路"}, "same"),
    ({"landmark": "锦溪二桥", "side": "下"}, {"landmark": "锦溪2桥", "side": "下"}, "same"),
    ({"road": "经二路"}, {"road": "经3路"}, "different"),
    # a bridge with and without 大, a market said short or long, an estate with its 社区
    ({"landmark": "晴川大桥", "side": "下"}, {"landmark": "晴川桥", "side": "下"}, "same"),
    ({"landmark": "聚福市场"}, {"landmark": "聚福农贸市场"}, "same"),
    ({"landmark": "聚福市场"}, {"landmark": "聚福建材市场"}, "different"),
    ({"compound": "桑榆里社区", "building": "3"}, {"compound": "桑榆里", "building": "3"}, "same"),
    # one phase of an estate said by its bare name; another phase is another place
    ({"compound": "恒泰花园小区三期", "building": "12"}, {"compound": "恒泰三期", "building": "12"}, "same"),
    ({"compound": "恒泰花园小区三期", "building": "12"}, {"compound": "恒泰二期", "building": "12"}, "different"),
    ({"compound": "恒泰花园三期"}, {"compound": "恒安三期"}, "different"),
    # an estate's section, like a phase: 金穗花园南区 = 金穗南区; another section is another place
    ({"compound": "金穗花园南区", "building": "3"}, {"compound": "金穗南区", "building": "3"}, "same"),
    ({"compound": "金穗花园南区", "building": "3"}, {"compound": "金穗花园北区", "building": "3"}, "different"),
    ({"compound": "嘉禾苑三期C区", "building": "8"}, {"compound": "嘉禾苑三期(C区)", "building": "8"}, "same"),
    ({"compound": "嘉禾苑三期C区", "building": "8"}, {"compound": "嘉禾苑三期D区", "building": "8"}, "different"),
    # the estate said without its section or phase is a vaguer report of it; two estates whose
    # names differ only in their suffixes are two, phase or not; a village with or without 村
    ({"compound": "软件园B区", "building": "5"}, {"compound": "软件园"}, "compatible"),
    ({"compound": "玉兰苑二期", "gate": "南门"}, {"compound": "玉兰园二期", "gate": "南门"}, "different"),
    ({"compound": "王家湾村", "side": "东侧"}, {"compound": "王家湾", "side": "东侧"}, "same"),
    # an estate said by its bare name is a vaguer report of it; two suffixes are two estates
    ({"compound": "金桥", "building": "7"}, {"compound": "金桥家园", "building": "7", "unit": "1"}, "compatible"),
    ({"compound": "阳光花园", "building": "3"}, {"compound": "阳光家园", "building": "3"}, "different"),
    ({"compound": "旭日小区", "gate": "大门"}, {"compound": "旭日花园小区", "gate": "大门"}, "different"),
    ({"compound": "锦绣", "building": "15"}, {"compound": "锦绣花园", "building": "16"}, "different"),
    # a works' housing said without 厂 / 局
    ({"compound": "电力局大院", "building": "7"}, {"compound": "电力大院", "building": "7"}, "same"),
    ({"compound": "水电八局宿舍", "gate": "后门"}, {"compound": "八局宿舍", "gate": "后门"}, "same"),
    ({"compound": "棉纺厂宿舍", "building": "4"}, {"compound": "棉纺宿舍", "building": "5"}, "different"),
    # a place inside an estate, named with it: said with or without 社区, or the estate alone
    ({"landmark": "清水湾社区篮球场"}, {"landmark": "清水湾篮球场"}, "same"),
    ({"landmark": "桃源小区中心广场"}, {"compound": "桃源小区"}, "compatible"),
    ({"landmark": "桃源小区中心广场"}, {"compound": "李园小区"}, "unknown"),
    # the garden in the middle of an estate, read as part of the estate's name, against the estate
    ({"compound": "翰林苑小区中心花园"}, {"compound": "翰林苑花园", "side": "内"}, "compatible"),
    ({"compound": "紫薇苑小区中心花园"}, {"compound": "紫薇苑"}, "compatible"),
    ({"compound": "紫薇苑小区中心花园"}, {"compound": "紫荆苑"}, "different"),
    ({"compound": "阳光花园"}, {"compound": "阳光小区"}, "different"),
    ({"compound": "西园新村甲区", "building": "4"}, {"compound": "西园新村乙区", "building": "4"}, "different"),
    ({"landmark": "土门墩村菜市场", "side": "旁"}, {"landmark": "土门墩菜市场", "side": "旁"}, "same"),
    # "门口" alone is the front: not the back or side gate; any named gate may be the one meant
    ({"road": "火炬路", "number": "8", "side": "门口"}, {"road": "火炬路", "number": "8", "gate": "后门"}, "different"),
    ({"landmark": "仁济医院", "side": "门口"}, {"landmark": "仁济医院", "gate": "侧门"}, "different"),
    ({"compound": "翠苑小区", "side": "门口"}, {"compound": "翠苑小区", "gate": "东门"}, "compatible"),
    # a number within another report's range of numbers (41号到45号那段墙); 18-2 is no range
    ({"road": "红星路", "number": "41"}, {"road": "红星路", "number": "41-45"}, "same"),
    ({"road": "红星路", "number": "46"}, {"road": "红星路", "number": "41-45"}, "different"),
    ({"road": "红星路", "number": "18"}, {"road": "红星路", "number": "18-2"}, "different"),
    # a village's office said with and without the village's 村 twice; a town's government likewise
    ({"compound": "王家庄村", "landmark": "村委会", "side": "门口"}, {"landmark": "王家庄村委会", "side": "门口"}, "same"),
    ({"landmark": "王家庄村委会"}, {"landmark": "李家庄村委会"}, "different"),
    ({"landmark": "白鹭镇镇政府"}, {"landmark": "白鹭镇政府"}, "same"),
    # under a building is at its door and beside it; on and under a bridge are two places
    ({"compound": "荻港新村", "building": "4", "side": "下"}, {"compound": "荻港新村", "building": "4", "side": "门口"}, "same"),
    ({"compound": "蔷薇里小区", "building": "2", "side": "旁"}, {"compound": "蔷薇里", "building": "2", "side": "下"}, "same"),
    ({"road": "萤川路", "landmark": "天桥", "side": "上"}, {"road": "萤川路", "landmark": "天桥", "side": "下"}, "different"),
    # a road's unnamed underpass however it is called; another road's is another place
    ({"road": "潮音路", "landmark": "地下通道"}, {"road": "潮音路", "landmark": "过街地道"}, "same"),
    ({"road": "铁西路", "landmark": "下穿人行地道"}, {"road": "铁西路", "landmark": "人行地道"}, "same"),
    ({"road": "铁西路", "landmark": "人行地道"}, {"road": "铁东路", "landmark": "人行地道"}, "different"),
    # an estate's name said with 花园 and without; a city's name before a landmark's
    ({"compound": "翡翠湾花园", "gate": "南门"}, {"compound": "翡翠湾", "gate": "南门"}, "same"),
    ({"landmark": "澜州市枫渡医院"}, {"landmark": "枫渡医院"}, "same"),
    ({"road": "龙井路", "landmark": "垃圾中转站"}, {"road": "龙井路", "landmark": "垃圾站"}, "same"),
    # a park or school with a word inserted is said more loosely; a number makes another school
    ({"landmark": "芦汀湿地公园"}, {"landmark": "芦汀公园"}, "compatible"),
    ({"road": "桤木路", "landmark": "实验小学", "side": "门口"}, {"landmark": "桤木路小学", "side": "门口"}, "compatible"),
    ({"landmark": "实验一小"}, {"landmark": "实验二小"}, "different"),
    # …a word for the kind of park, not another name (白鹭湖 is a lake's name)
    ({"landmark": "白鹭湖湿地公园", "gate": "南门"}, {"landmark": "白鹭公园", "gate": "南门"}, "different"),
    ({"road": "霁虹路", "landmark": "霁虹幼儿园"}, {"road": "霁虹路", "landmark": "幼儿园"}, "compatible"),
    # under a numbered house is at its door too; 火车桥 is 铁路桥; 蒲桥路口 read as 蒲桥 is 蒲桥路
    ({"road": "荷岸街", "number": "18", "side": "下"}, {"road": "荷岸街", "number": "18", "side": "门口"}, "same"),
    ({"road": "埔阳路", "landmark": "铁路桥"}, {"road": "埔阳路", "landmark": "火车桥", "side": "下"}, "same"),
    ({"road": "泉溪路", "between": ["苎溪路", "蒲桥"]}, {"road": "泉溪路", "between": ["苎溪路", "蒲桥路"]}, "same"),
    ({"road": "泉溪路", "between": ["苎溪路", "蒲桥"]}, {"road": "泉溪路", "between": ["苎溪路", "蒲河路"]}, "different"),
])
def test_estates_and_stops_said_two_ways_are_one_place(a, b, said):
    from classifiers.dedupe.place_match import same_place
    assert same_place(a, b) == said


def test_a_park_said_without_its_kind_word_finds_the_case():
    # 苇湖公园 is indexed apart from 苇湖湿地公园: found by the name's head, judged one place
    result = _two_reports_at_one_spot(
        ("标题：苇湖湿地公园南门路面破损 地址：枫埠区苇湖湿地公园南门 内容：南门入口广场的透水砖大片碎裂，坑坑洼洼。", "BJ-02017", ""),
        ("来电人反映：枫埠区苇湖公园南大门进去那块广场地砖碎了好多，坑洼不平，老人坐轮椅进不去，请修缮。", "BJ-02017", ""))
    assert result.action == "attach" and result.candidates[0].explanation["found_by"] == "place"


def test_the_estate_alone_finds_the_case_at_a_place_inside_it():
    # 桃源小区中心广场 is a landmark to the reader; 桃源小区 a compound: found, and one problem
    result = _two_reports_at_one_spot(("桃源小区中心广场每晚七点到十点广场舞音响太大，孩子没法写作业", "SJ-06028", ""),
                                      ("哎，我说那个桃源小区中间那个广场啊，跳舞的音响开得老大了，每天晚上咚咚的", "SJ-06028", ""))
    assert result.action == "attach" and result.candidates[0].explanation["same_place"] == "compatible"


def test_a_report_naming_the_estate_without_its_phase_joins_the_phase():
    # 锦绣花城 (no 3期, no 小区) is no place to the reader, but names the open case's estate
    first = ("锦绣花城3期6栋楼下 电动车飞线充电 从窗户拉下来好几根 太危险了", "SJ-06008", "")
    result = _two_reports_at_one_spot(first, ("锦绣花城有户人家从楼上往下拉电线给电动车充电，好几辆车在楼下充，很危险", "SJ-06008", ""))
    assert result.candidates and result.candidates[0].explanation["same_place"] == "compatible"


def test_a_vaguer_report_read_surely_as_the_same_problem_joins():
    # 星汉路 only, after 星汉路214号门前: a close category, and the reader sure it is one problem
    first = ("来电人反映：星汉路214号门前人行道上一处雨水井井盖缺失，井口敞开约60厘米。", "BJ-01003", "BJ-01023")
    result = _two_reports_at_one_spot(first, ("星汉路上有个井没盖子 小心点", "BJ-01023", "BJ-01003"))
    explanation = result.candidates[0].explanation
    assert result.action == "attach" and explanation["same_place"] == "compatible"
    assert explanation["one_problem"] >= 0.85
    # another fault of a manhole cover on the same road is another problem
    other = _two_reports_at_one_spot(first, ("星汉路上有个井盖车一压就哐哐响 半夜吵得睡不着", "BJ-01023", "BJ-01003"))
    assert other.action != "attach"


def test_an_estate_said_without_its_developer_finds_the_case():
    result = _two_reports_at_one_spot(("龙湖春江郦城12号楼2单元楼下烧烤店油烟扰民。", "SJ-06027", ""),
                                      ("春江郦城12栋2单元 楼下烧烤店油烟熏得窗户都不敢开", "SJ-06027", ""))
    assert result.action == "attach" and result.case_no == "C1"


def test_a_neighbour_naming_only_the_landmark_after_the_house_number_is_at_that_spot():
    result = _two_reports_at_one_spot(("喂，你好，华山路48号华山小学门口那个窨井盖没了，就剩个黑窟窿，小孩放学都从那走。", "BJ-01023", ""),
                                      ("华山小学门口有个井盖不见了 娃娃们天天从那过 赶紧来人看看吧", "BJ-01023", ""))
    assert result.action == "attach" and result.case_no == "C1"
    assert result.candidates[0].explanation["same_place"] == "compatible"


def test_a_building_written_with_a_hash_is_the_building_not_part_of_the_unit():
    # 金星新村12#2单元 is building 12, unit 2: the same spot as 十二栋二单元
    result = _two_reports_at_one_spot(("那个，我住在那个，金星新村，金星新村十二栋，二单元，楼梯扶手断了", "BJ-01057", ""),
                                      ("来电人反映：金星新村12#2单元楼道扶手断裂。", "BJ-01057", ""))
    assert result.action == "attach" and "place_conflicts" not in result.candidates[0].explanation


@pytest.mark.parametrize("first, second", [
    # one lift: people trapped vs its advert screen too loud (one category, no fault word in common)
    (("幸福里5号楼电梯卡在三楼不动了，里面关着人", "SH-01-04-02", "BJ-01076"),
     ("幸福里5号楼电梯里的广告屏声音开得老大，吵死了", "SH-01-04-02", "BJ-01076")),
    # one power box: left open with wires out vs humming at night
    (("青石巷12号门口的配电箱门一直开着，电线都露在外面", "BJ-01028", "BJ-01029"),
     ("青石巷12号门口配电箱里嗡嗡响，晚上吵得睡不着", "BJ-01028", "BJ-01029")),
])
def test_faults_no_listed_word_names_are_told_apart_by_the_fault_model(first, second):
    result = _two_reports_at_one_spot(first, second)
    assert result.action == "suggest" and result.candidates[0].case_no == "C1"
    assert result.candidates[0].explanation["different_fault"].endswith("（模型）")


def test_the_same_fault_in_other_words_is_not_told_apart_by_the_fault_model():
    result = _two_reports_at_one_spot(("青石巷12号门口的配电箱门一直开着，电线都露在外面", "BJ-01028", "BJ-01029"),
                                      ("青石巷12号门前那个电箱箱门敞着，里面线头裸露，小孩子路过很危险", "BJ-01028", "BJ-01029"))
    assert result.action == "attach" and "different_fault" not in result.candidates[0].explanation


def test_the_fault_model_reads_faults_in_words_it_was_not_given():
    from classifiers.dedupe.faults import fault_model, fault_profile
    from classifiers.normalize import normalize
    kinds = fault_model().classes
    for text, kind in [("小区门口那盏灯晚上黑漆漆的，啥也看不见", "不亮"),
                       ("楼下烧烤摊天天搞到凌晨两点，划拳喝酒吵得人睡不着", "噪声"),
                       ("人行道上那个窨井的盖子被人偷走了", "缺失")]:
        assert kinds[int(fault_profile(normalize(text)).argmax())] == kind, text


def test_what_the_rules_and_the_model_read_counts_as_a_close_category():
    # 供水管道破裂漏水 is 供水 to both readers but filed under a city code by the kind gate; a
    # neighbour's 自来水管子爆了 filed as 供水 is the same problem at the same spot.
    from gateway.models import Alternative, Classification, Intake, Location, Reporter
    from gateway.stages.duplicates import IndexedDuplicates, close_codes

    assert close_codes([{"code": "SJ-06013"}], {"rules": {"code": "SH-01-02-01"}, "model": {"code": "SH-01-02-01"}}) \
        == ("SJ-06013", "SH-01-02-01")
    first = "同志啊，我老太太跟你说，我们那个石榴巷十四号，院门口那个，那个自来水管子爆了，水哗哗往外冒"
    second = "来电人反映：石榴巷14号院门口供水管道破裂漏水，水流至路面，请求抢修。"
    # (the pair reader alone would join these, reading one problem: here only the categories count)
    stage = IndexedDuplicates(DuplicateIndex(same_problem_threshold=1.1))
    stage.index.add(OpenCase(case_no="C1", text=first, category_code="SH-01-02-01", created_at=T0,
                             place=extract_place(first).as_dict()))

    def check(evidence: dict):
        classification = Classification(code="SJ-08003", path=["事件", "施工管理", "无证掘路"],
                                        alternatives=[Alternative("SJ-06013", "道路破损", 0.6)], evidence=evidence)
        location = Location(place=extract_place(second).as_dict())
        intake = Intake(channel="webform", external_id="w-1", text=second, reporter=Reporter(phone="13900000002"),
                        received_at=T0 + timedelta(hours=1))
        return stage.check(intake, classification, location)

    assert check({}).action != "attach"
    joined = check({"rules": {"code": "SH-01-02-01", "score": 2.8}, "model": {"code": "SH-01-02-01"}})
    assert joined.action == "attach" and joined.case_no == "C1"


def _chased(first: tuple[str, str], chase: tuple[str, str], days: int, close_codes=()) -> tuple:
    """Case C1 from the first (text, category) by one caller, then the chase checked `days`
    later as said by the same caller and by somebody else."""
    (text_a, code_a), (text_b, code_b) = first, chase
    ix = DuplicateIndex()
    ix.add(OpenCase(case_no="C1", text=text_a, category_code=code_a, created_at=T0,
                    reporter_keys={"tel:13800000001"}, place=extract_place(text_a).as_dict()))
    found = extract_place(text_b)
    place = found.as_dict() if found else None
    return ix, tuple(ix.check(text_b, code_b, [], "", None, [who], T0 + timedelta(days=days), place=place,
                              close_codes=close_codes) for who in ("tel:13800000001", "tel:13700000000"))


def test_the_same_person_again_at_the_same_spot_and_category_is_told_apart_only_when_surely_two():
    # 电梯坏了，困了个人 / 电梯坏了困人！！一个老太太在里面: the pair reader leans to two faults (困人 /
    # 故障停用), not surely; from the same caller it is the same problem, from a neighbour offered
    first = ("粟园小区9号楼电梯坏了，困了个人", "SH-01-04-02")
    again = ("粟园小区9号楼电梯坏了困人！！一个老太太在里面，物业电话打不通，请快点派人", "SH-01-04-02")
    _, (same, other) = _chased(first, again, 0)
    assert same.action == "attach" and same.case_no == "C1"
    assert 0.2 <= same.candidates[0].explanation["one_problem"] < 0.5
    assert other.action == "suggest" and "different_fault" in other.candidates[0].explanation


def test_the_same_person_posting_a_message_again_under_another_title_joins():
    body = "你好，我身份证是72年的，实际年龄是69年的，档案里有69年的也有72年的，如果按69年的，今年就可办理退休，请问我这种情况可以办理退休吗？"
    results = []
    for who in ("user:1", "user:2"):
        ix = DuplicateIndex()
        ix.add(OpenCase(case_no="C1", text="市民年龄与身份证不符，可以办理退休吗？。" + body, category_code="",
                        grid_code="H01", created_at=T0, reporter_keys={"user:1"}))
        results.append(ix.check("咨询退休年龄问题。" + body, "", [], "H01", None, [who], T0 + timedelta(hours=1)))
    same, other = results
    assert 0.85 <= same.candidates[0].explanation["text"] < 0.9
    assert same.action == "attach" and same.case_no == "C1"
    assert other.action != "attach"  # somebody else's copy of it is offered, not joined


def test_two_lettered_zones_of_one_garage_are_two_places():
    result = _two_reports_at_one_spot(("来电人反映：枫埠区枫芸小区地下车库A区积水，车辆被泡。", "BJ-02001", "BJ-02001"),
                                      ("来电人反映：枫埠区枫芸小区地下车库B区进水，B区入口坡道还在往下灌水。", "BJ-02001", "BJ-02001"))
    assert result.action != "attach"
    assert any(c.startswith("区") for c in result.candidates[0].explanation["place_conflicts"])


def test_the_same_person_saying_it_is_still_not_fixed_joins_however_loosely_they_name_the_place():
    _, (same, other) = _chased(("怡和花园西门口那棵树的枝子压着电线，一刮风就冒火", "BJ-04002"),
                               ("怡和那边树压电线的事有人管吗 昨晚又冒火星了，到现在都没人来", "BJ-01028"), 3,
                               close_codes=["BJ-04002"])
    assert same.action == "attach" and same.case_no == "C1"
    assert other.action != "attach"  # somebody else saying the same is offered, not joined


def test_the_two_ends_of_one_bridge_are_two_places():
    result = _two_reports_at_one_spot(("来电人反映：柳叶桥桥东护栏被车撞坏。", "BJ-02009", "BJ-01057"),
                                      ("柳叶桥桥西那头的栏杆断了一截", "BJ-02009", "BJ-01057"))
    assert result.action == "new"
    same_end = _two_reports_at_one_spot(("来电人反映：柳叶桥桥东护栏被车撞坏。", "BJ-02009", "BJ-01057"),
                                        ("柳叶桥桥东那头的护栏让车给撞坏了", "BJ-02009", "BJ-01057"))
    assert same_end.action == "attach"


def test_the_same_person_chasing_with_a_question_joins_though_the_question_has_no_category():
    # "修好了没"-style questions are consultations (no category): the score stays under the
    # attach threshold, yet the same person saying it is still not fixed is chasing that case.
    ix, (same, other) = _chased(("红星路与建设路交叉口红绿灯东西向红灯时间太长，车排到上一个路口了", "BJ-02014"),
                                ("我上周反映的红星路那个路口红绿灯的事，到现在还是老样子，有人管没有？", ""), 6)
    assert same.action == "attach" and same.case_no == "C1"
    assert same.candidates[0].score < ix.attach_threshold and same.candidates[0].explanation["chase"]
    assert other.action != "attach"  # the same question from somebody else is only offered


@pytest.mark.parametrize("first, second", [
    # voltage dropping, told as lights flickering: filed as a transformer and a traffic light
    (("青柳村这两天电压不稳，家里灯一闪一闪的，冰箱都烧坏了", "BJ-01048", ""),
     ("青柳村晚上电灯又闪个不停，电饭锅都跳闸了", "BJ-02014", "")),
    # a dark stairwell, told as the fall it caused
    (("金湖小区3号楼楼道灯全坏了，晚上上楼摸黑", "BJ-01037", ""),
     ("金湖小区3号楼楼梯晚上黑乎乎的，我妈昨天摔了一跤", "SJ-06049", "")),
])
def test_one_problem_filed_under_unrelated_categories_joins_at_the_very_same_spot(first, second):
    result = _two_reports_at_one_spot(first, second)
    assert result.action == "attach" and result.case_no == "C1"
    explanation = result.candidates[0].explanation
    assert explanation["category_classified"] == 0.0 and explanation["one_problem"] >= 0.85


def test_two_problems_at_one_spot_in_unrelated_categories_are_offered_not_joined():
    result = _two_reports_at_one_spot(("金湖小区3号楼门口垃圾桶满了好几天没人清", "SJ-06042", ""),
                                      ("金湖小区3号楼门口路灯晚上不亮", "BJ-01037", ""))
    assert result.action != "attach"
    explanation = result.candidates[0].explanation
    assert explanation["one_problem"] < 0.5 and explanation["different_fault"].endswith("（模型）")


def test_the_pair_reader_computes_what_its_regression_would():
    from classifiers.dedupe.faults import PAIRS, PairReader, _train_pairs, fault_model, pair_features
    from classifiers.dedupe.index import _faults_of
    regression = _train_pairs(_faults_of, PAIRS)
    reader = PairReader(regression, len(fault_model().classes))
    rng = np.random.default_rng(7)
    for same_words, other_words in ((False, False), (True, False), (False, True)):
        a, b = rng.dirichlet(np.ones(len(fault_model().classes))), rng.dirichlet(np.full(len(fault_model().classes), 0.2))
        expected = regression.predict_proba([pair_features(a, b, same_words, other_words)])[0, 1]
        assert reader.probability(a, b, same_words, other_words) == pytest.approx(expected)
        assert reader.probability(b, a, same_words, other_words) == pytest.approx(expected)


def test_a_vaguer_report_saying_the_estate_by_its_bare_name_joins():
    # 霁月湾 (no 小区) is no place to the reader, but names the open case's estate
    first = ("来电人反映：霁月湾小区9栋楼下下水道返臭，一楼住户家地漏往上冒水", "BJ-01002", "")
    result = _two_reports_at_one_spot(first, ("喂，霁月湾那个，一楼地漏冒水的事，我们也是那栋的，臭得不行了", "BJ-01002", ""))
    assert result.action == "attach" and result.candidates[0].explanation["same_place"] == "compatible"
    # another estate's name is not it
    other = _two_reports_at_one_spot(first, ("喂，月光湾那个，一楼地漏冒水的事，臭得不行了", "BJ-01002", ""))
    assert other.action != "attach" and other.candidates[0].explanation["same_place"] == "unknown"


def test_a_vaguer_report_saying_the_road_without_its_suffix_joins():
    # 金鱼塘那边 names no road to the reader, but is the open case's 金鱼塘路
    first = ("标题：路口行人信号灯不亮 地址：金鱼塘路与丰泽东路交叉口东南角 内容：该路口东南角过街的行人信号灯从前天开始一直不亮", "BJ-02014", "")
    result = _two_reports_at_one_spot(first, ("金鱼塘那边有个红绿灯坏了，就是过马路的小人灯不亮，好危险", "BJ-02014", ""))
    assert result.candidates and result.candidates[0].explanation["same_place"] == "compatible"
    other = _two_reports_at_one_spot(first, ("银鱼塘那边有个红绿灯坏了，就是过马路的小人灯不亮，好危险", "BJ-02014", ""))
    assert other.action != "attach"


def test_a_case_in_one_section_of_an_estate_is_found_from_the_estate_named_alone():
    from classifiers.dedupe.place_match import place_keys
    case = place_keys({"compound": "软件园B区", "building": "5", "side": "西侧"})
    assert place_keys({"compound": "软件园"}, query=True) & case
    assert not place_keys({"compound": "软件园北苑"}, query=True) & case


def test_the_same_person_at_the_same_spot_still_waiting_joins_whatever_the_categories_say():
    # 楼到灯 (a misheard 楼道灯) moves the chase to another branch: the caller, the spot and
    # "still nobody came" say it is the same case
    _, (same, other) = _chased(("俺们青松新村12幢，楼道里的灯全不亮，都好些天了，咋就没人管", "BJ-01011"),
                               ("我上个星期反映过青松新村12幢楼到灯的问题，到现在也没人来，你们到底管不管？", "SJ-06010"), 7)
    assert same.action == "attach" and same.case_no == "C1"
    assert other.action != "attach"


def test_two_things_at_one_spot_are_offered_not_joined_even_in_one_category():
    # 污水井盖 / 雨水箅子 at one door, filed under one category: two problems
    first = ("来电人反映：松涛路88号门前污水井盖破裂，井口外露。", "BJ-01002", "")
    result = _two_reports_at_one_spot(first, ("松涛路八十八号门口，路边那个雨水箅子，铁条子断了两根，缝大得能卡进自行车轮子", "BJ-01002", ""))
    assert result.action != "attach"
    assert result.candidates[0].explanation["different_object"] == "雨水箅子≠井盖"  # the new report's thing first
    # the same thing in other words is not told apart
    same = _two_reports_at_one_spot(first, ("松涛路88号门口那个井盖子裂开了，底下黑洞洞的", "BJ-01002", ""))
    assert same.candidates and "different_object" not in same.candidates[0].explanation



def test_two_sides_of_a_road_near_one_junction_or_station_are_two_places():
    from classifiers.dedupe.place_match import same_place
    # A leaning lamp post 50 m north of the junction on the east pavement, another on the west.
    east = extract_place("长江中路与光明街交叉口往北约50米路东人行道上一根路灯杆明显倾斜").as_dict()
    west = extract_place("地址：长江中路光明街路口往北一点，路西那边 内容：路西人行道上有根灯杆歪得厉害").as_dict()
    assert same_place(east, west) == "different"
    east = extract_place("火车站出站口东侧那片出租车排队的地方，地上积水好几天了").as_dict()
    west = extract_place("来电人反映火车站出站口西侧网约车上客区地面积水发臭").as_dict()
    assert same_place(east, west) == "different"


@pytest.mark.parametrize("first, other_side, same_side, conflict", [
    # the corners of one junction (北侧 / 南边那段)
    ("来电人反映：建业路与松林街路口北侧人行道上有一处深坑，易绊倒行人。",
     "松林街建业路口南边那段人行道有个大坑，我差点摔了", "松林街建业路口北边人行道有个大坑，我差点摔了", "南北"),
    # inside a pavilion and outside it
    ("来电人反映：荷塘公园湖心亭内木质栏杆断裂，存在安全隐患。",
     "荷塘公园湖心亭外面那圈木栈道的栏杆断了一节", "荷塘公园湖心亭里面的木栏杆断了一节", "内外"),
    # in front of a building and behind it
    ("来电人反映：华信大厦楼前广场喷泉水池长期不换水，水体发臭。",
     "华信大厦后面那个水池，水都绿了，臭烘烘的", "华信大厦前面那个喷泉水池，水都绿了，臭烘烘的", "前后"),
    # in front of a numbered block and behind it (8幢楼前 / 8幢后面)
    ("来电人反映：京口区枫林苑8幢楼前道路积水严重，雨后数日不退。",
     "京口区枫林苑8幢后面道路积水严重，雨后好几天不退。", "京口区枫林苑8幢楼前道路积水严重，雨后好几天不退。", "楼前后"),
    # a compound's front gate and the lane behind its back wall
    ("凤山幼儿园正门口人行道上倒了一大堆建筑垃圾，碎砖水泥块，小朋友早上进园都要踩着过去",
     "喂，就是凤山幼儿园后面，后墙外面那条小巷子，有人倒了好多装修垃圾，砖头啊瓷片啊，巷子都过不去。",
     "凤山幼儿园正门口人行道上有人倒了一大堆建筑垃圾，碎砖水泥块，孩子们进园都得踩着过去", "前后"),
    # two stops of one road, by their compass names
    ("芍药路东站的站牌被撞歪了", "来电人反映：芍药路西站公交站牌倾斜，疑似被车撞。", "来电人反映：芍药路东站公交站牌倾斜，疑似被车撞。", "东西"),
    # the two shores of one lake, the two ways along one road, on a viaduct and under it
    ("喂，松林公园那个湖，北岸那边儿，水面上漂了好多死鱼，还有味儿", "来电人反映：松林公园湖南岸游船码头附近水面漂浮死鱼，有异味。",
     "来电人反映：松林公园湖北岸附近水面漂浮死鱼，有异味。", "南北"),
    ("来电人反映：环城北路进城方向，距加油站约一百米处路面有一处大坑。", "环城北路出城那个方向 加油站那块有个大坑 晚上差点没把我颠飞",
     "环城北路进城那个方向 加油站那块有个大坑 晚上差点没把我颠飞", "进出城"),
    ("滨海大道高架上面的路灯有一长段不亮，晚上开在上面黑咕隆咚的", "滨海大道高架桥底下那个辅路，路灯都不亮，黑得什么都看不见",
     "滨海大道高架上面那段路灯都不亮，黑得什么都看不见", "桥上下"),
    # a market's numbered gates; a road's odd and even sides; a bridge's upstream and downstream sides;
    # the two ways of a metro platform; inside and outside an estate's wall
    ("北湖菜场1门外面那个垃圾堆又冒出来了，鱼鳞烂菜叶全倒在门口，大热天臭得人作呕",
     "来电人反映：北湖菜场2门外长期堆放商户丢弃的垃圾，未进入垃圾桶，影响市容和卫生。",
     "来电人反映：北湖菜场1门外长期堆放商户丢弃的垃圾，鱼鳞烂菜叶倒在门口，臭得人作呕。", "几号门"),
    ("凤栖路单号那边，晚上夜宵摊一直摆到人行道外面，桌子椅子占满，走路只能下马路",
     "来电人反映：凤栖路双号一侧夜间多家夜宵店外摆桌椅，占用全部人行道，走路只能下马路。",
     "来电人反映：凤栖路单号一侧夜间夜宵摊外摆桌椅，占满人行道，走路只能下马路。", "单双号"),
    ("来电人反映：新河大桥桥面上游一侧人行道的护栏有两节松动，用手一推就晃，孩子靠着栏杆看水很危险。",
     "新河大桥下游那边的人行道栏杆断了一截，就在桥中间偏东那里，晚上骑车的人不注意会冲出去",
     "新河大桥上游那边人行道的护栏松了两节，一推就晃，孩子靠着栏杆看水很危险", "上下游"),
    ("来电人反映：石榴园小区临石榴路的围墙里侧被大量张贴办证、租房小广告，物业不清理，请求处理。",
     "石榴园靠石榴路那道围墙，外面朝马路那一面贴满了牛皮癣小广告，一层叠一层，难看死了",
     "石榴园小区靠石榴路那道围墙里侧贴满了办证租房小广告，物业也不清理", "内外"),
    # a station's south and north squares; an estate's old and new section; a road's east stretch and its west end;
    # the south and north side of a road said 路南 / 路北
    ("来电人反映：潞汾站南广场公共厕所白天锁门不开放，旅客只能跑到站内或附近商店借厕所，很不方便。",
     "潞汾站北广场那个厕所锁着门 贴个纸条写维修中 写了快一个月了 旅客拎着行李到处找厕所",
     "潞汾站南广场那个厕所锁着门 贴个纸条写维修中 写了快一个月了 旅客拎着行李到处找厕所", "南北"),
    ("来电人：电厂宿舍老区，院里那块绿地叫几个老人刨了种菜，还往地里泼大粪，臭得楼上不敢开窗户。",
     "来电人反映：电厂宿舍新区中心花园绿地被部分居民私自开垦种菜，并浇灌粪水，气味难闻。",
     "来电人反映：电厂宿舍老区院里绿地被几个老人私自开垦种菜，还泼大粪，气味难闻。", "新老区"),
    ("来电人：凤鸣路上塌了个坑，就在锦绣华庭大门正对面，路南边非机动车道上，有脸盆那么大。",
     "凤鸣路锦绣华庭门口这侧（路北）非机动车道塌了个坑 电动车刚才差点栽进去 麻烦看看",
     "凤鸣路锦绣华庭对面（路南）非机动车道塌了个坑，有脸盆那么大", "南北"),
    # the lakeside and the roadside of one path
    ("滨湖大道跑步道靠湖那一侧的栏杆被撞弯了，往外斜着",
     "来电人反映：滨湖大道跑步道靠马路一侧的隔离栏杆被车辆撞弯变形。",
     "来电人反映：滨湖大道跑步道靠湖一侧的栏杆被撞弯变形。", "靠"),
    # left of a gate and right of it; the car park on the ground and the one under it; inside a dyke and outside
    ("陵阳新村大门口左边那棵大杨树歪了，压在电线上，一刮风就晃",
     "来电人反映：陵阳新村大门口右侧一棵大杨树倾斜压在电线上，存在倒伏隐患。",
     "来电人反映：陵阳新村大门口左侧一棵大杨树倾斜压在电线上，存在倒伏隐患。", "左右"),
    ("标题：停车场乱收费 | 问题地点：鸠兹商厦地面停车场 | 问题描述：标价每小时三元，实际收十元，不开票。",
     "标题：停车场乱收费 | 问题地点：鸠兹商厦地下停车场 | 问题描述：不按公示标准收费，停一小时收十元，不开票。",
     "标题：停车场乱收费 | 问题地点：鸠兹商厦地面停车场 | 问题描述：不按公示标准收费，停一小时收十元，不开票。", "地上下"),
    ("裕溪口老码头防洪堤内侧有人搭了一排铁皮棚子，占了堤下的通道",
     "裕溪口老码头防洪堤外侧江滩上有人搭了一排铁皮棚子，汛期一来全得冲走",
     "裕溪口老码头防洪堤里面有人搭了一排铁皮棚子，把通道都占了", "内外"),
    # a stop's two platforms by where they go (往市区方向 ≠ 往开发区方向)
    ("龍山路口公交站 往市區方向那邊 候車亭頂上玻璃碎了 還吊著半塊", "龙山路口公交站 往开发区方向那边 候车亭顶上玻璃碎了 掉了一地渣",
     "龙山路口公交站 往市区方向那边 候车亭顶上玻璃碎了 掉了一地渣", "去向"),
    # an underpass's lettered exits; an estate's east gate and its second east gate; a road's main
    # carriageway and its side road; on a footbridge and under it; inside a door and outside it
    ("来电人反映：昆都仑区 包头站 地下通道 A出口 台阶积雪结冰，行人滑倒。", "来电人反映：昆都仑区 包头站 地下通道 C出口 台阶积雪结冰，行人滑倒。",
     "包头站地下通道A出口那儿台阶上全是冰，好几个人滑倒了", "出口"),
    ("标题：小区门口垃圾乱倒 | 问题地点：东河区 北沙梁小区 东门 | 问题描述：门口有人乱倒生活垃圾。",
     "标题：小区门口垃圾乱倒 | 问题地点：东河区 北沙梁小区 东二门 | 问题描述：门口有人乱倒生活垃圾。",
     "北沙梁小区东门门口天天有人乱倒生活垃圾", "门"),
    ("建华南路辅路上，华丰园门口那段一个大坑", "建华南路主路上，华丰园门口那段一个大坑", "建华南路辅路上，华丰园门口那段有个大坑，车过去直颠", "主辅路"),
    ("来电人反映：昆都仑区 钢铁大街 工人文化宫东侧 过街天桥 桥面上 有人摆摊卖袜子手机壳，堵塞通行。",
     "来电人反映：昆都仑区 钢铁大街 工人文化宫东侧 过街天桥 桥底下 有人摆摊卖袜子手机壳，堵塞通行。",
     "钢铁大街工人文化宫东边那个天桥，桥面上一排摆摊卖袜子的，人都过不去", "桥上下"),
    ("来电人：富强北里11号楼，单元门外面的台阶塌了。", "来电人：富强北里11号楼，单元门里面一楼的台阶塌了。",
     "富强北里11号楼单元门外的台阶塌了一块", "内外"),
    # a building with a letter before its number is another building (B3号楼 ≠ 3号楼)
    ("主题：幸福南里3号楼电梯困人 | 您好，青山区幸福南里3号楼电梯经常困人，请处理。",
     "主题：幸福南里B3号楼电梯困人 | 您好，青山区幸福南里B3号楼电梯经常困人，请处理。",
     "幸福南里3号楼的电梯又把人关里头了，天天困人", "栋"),
    # below a building and on its roof
    ("来电人反映：德化公寓5栋楼下堆放大量旧家具。", "德化公寓5栋楼顶上堆了一堆旧家具，刮风掉下来怎么办",
     "德化公寓5栋楼下堆了一堆旧家具，路都走不通了", "楼顶下"),
    # this side of a gate and across from it
    ("十里大道九江学院正门这一边的公交站台顶棚塌了", "来电人反映：十里大道九江学院正门对面的公交站台顶棚塌落。",
     "来电人反映：十里大道九江学院正门这一侧的公交站台顶棚塌落。", "对面"),
    # a shopfront's sign and the roof's; an underpass and outside its entrance
    ("来电人反映：胜利北路如家宾馆楼顶的广告牌铁架松动，刮风时晃动。", "来电人反映：胜利北路如家宾馆一楼门头上的广告牌铁架松动，刮风就晃。",
     "胜利北路如家宾馆楼顶那个广告牌的铁架子松了，风一刮就晃", "楼顶下"),
    ("来电人反映：胜利路地下通道里面有流动摊贩摆地摊，行人挤不过去。", "来电人反映：胜利路地下通道出入口外面有流动摊贩摆地摊，把出入口堵住了。",
     "胜利路地下通道里面一排摆地摊的，人都挤不过去", "内外"),
    # a market's yard and outside its gate; an underpass's corner exits; a hospital's two buildings
    ("来电人反映：莒南县隆兴农贸市场院内垃圾堆积，无人清理。", "莒南隆兴农贸市场大门外头路边堆了一堆烂菜叶子，臭了。",
     "隆兴农贸市场院里垃圾堆了好几天，没人清理，臭了", "内外"),
    ("解放路地下通道东北口的台阶碎了好几块，老人下去得扶墙。", "来电人反映：解放路地下通道西南口台阶破损，存在摔倒风险。",
     "来电人反映：解放路地下通道东北口台阶破损，存在摔倒风险。", "出口"),
    ("来电人反映：解放路济仁医院门诊楼电梯故障停运，患者只能走楼梯。", "济仁医院住院楼的电梯坏了，病人推着床下不来，护士都急了。",
     "济仁医院门诊楼的电梯坏了，病人只能爬楼梯，护士都急了。", "楼部"),
])
def test_two_sides_of_one_spot_are_two_places(first, other_side, same_side, conflict):
    # (no category: the texts alone tell the sides apart)
    result = _two_reports_at_one_spot((first, "", ""), (other_side, "", ""))
    assert result.action != "attach"
    for offered in result.candidates:  # offered, if at all, with the sides named
        assert any(c.startswith(conflict) for c in offered.explanation["place_conflicts"])
    again = _two_reports_at_one_spot((first, "", ""), (same_side, "", ""))
    assert again.action == "attach" and again.case_no == "C1"
    assert not again.candidates[0].explanation.get("place_conflicts")


def test_two_faults_of_one_lift_or_tree_are_not_joined():
    # people trapped in a lift and its expired certificate; a split branch and caterpillars on one tree
    trapped = ("福源小区5号楼电梯又把人关里头了！！这个月第三回了 今天关了半个多小时", "", "")
    expired = ("您好：福源小区5号楼电梯轿厢内张贴的年检合格证显示有效期已于上月到期，至今未更新。", "", "")
    assert _two_reports_at_one_spot(trapped, expired).action != "attach"
    again = _two_reports_at_one_spot(trapped, ("福源小区5号楼电梯今天又困人了，关了半个小时才出来", "", ""))
    assert again.action == "attach"
    branch = ("标题：行道树断枝 地址：长兴路90号门前 内容：门前一棵槐树有根粗树枝劈裂下垂，离地不到两米，行人通过要低头", "", "")
    pests = ("长兴路90号门口那棵大槐树 全是吊死鬼儿 一根根丝吊下来 往人脖子里掉 恶心死了 打打药吧", "", "")
    assert _two_reports_at_one_spot(branch, pests).action != "attach"
    # a court's floodlights shining into bedrooms and the players' noise at night
    lights = ("您好：海晏中学旁边的社会篮球场新装了四根高杆灯，每晚亮到十一点，灯头朝向我们住宅楼，强光直射卧室，严重影响休息。", "SJ-06028", "")
    noise = ("海晏中学边上那个篮球场，晚上十一二点还有人在打球，拍球声吼叫声，隔壁楼的人被吵得睡不着", "SJ-06028", "")
    assert _two_reports_at_one_spot(lights, noise).action != "attach"
    # a lift and the letter boxes beside it; a court's fence and its backboard (things of their own)
    for first, second in ((("来电人：你好 我 是 海丰 小区 十二号楼 一单元 的 电梯 又 坏 了 接线员：海丰小区12号楼1单元电梯故障，好的。", "", ""),
                           ("海丰小区12号楼1单元一楼大厅的信报箱全被撬了，好多人的信都不见了", "", "")),
                          (("沼潭佳苑篮球场西边围网破了个大洞", "", ""), ("沼潭佳苑篮球场西边那个篮板碎了，篮筐也歪了", "", ""))):
        assert _two_reports_at_one_spot(first, second).action != "attach"


def test_two_things_at_one_spot_named_by_their_kinds_are_not_joined():
    # a fitness machine and a slide at one corner of a park: two problems, offered at most
    first = ("松林公园东南角健身器材那个漫步机坏了 踏板掉了一个", "", "")
    other = _two_reports_at_one_spot(first, ("来电人反映：松林公园东南角儿童游乐区的滑梯侧面护板开裂，有尖锐的塑料茬口。", "", ""))
    assert other.action != "attach"
    same = _two_reports_at_one_spot(first, ("来电人反映：松林公园东南角健身区的漫步机踏板脱落，无法使用。", "", ""))
    assert same.action == "attach" and same.case_no == "C1"


def test_a_landmark_said_with_its_town_or_without_is_one_place():
    from classifiers.dedupe.place_match import same_place
    # 襄安老街小学 / 襄安镇的老街小学; 六郎镇中学 / 六郎中学 (the town's own school)
    assert same_place({"landmark": "襄安老街小学", "side": "旁"}, {"street": "襄安镇", "landmark": "老街小学", "side": "旁"}) == "same"
    assert same_place({"street": "六郎镇", "landmark": "六郎镇中学", "side": "门口"}, {"landmark": "六郎中学", "side": "门口"}) != "different"
    # …but another town's school, or another school of the town, is another place
    assert same_place({"street": "六郎镇", "landmark": "六郎镇中学"}, {"landmark": "花桥中学"}) == "different"
    assert same_place({"street": "襄安镇", "landmark": "老街小学"}, {"landmark": "襄安新街小学"}) == "different"


def test_a_landmark_said_with_its_district_before_it_is_one_place():
    from classifiers.dedupe.place_match import place_keys, same_place
    assert same_place({"landmark": "东河区人民公园"}, {"landmark": "人民公园"}) == "same"
    assert same_place({"landmark": "青山万达广场"}, {"landmark": "万达广场"}) == "same"
    assert place_keys({"landmark": "人民公园"}, query=True) & place_keys({"landmark": "东河区人民公园"})
    # two districts' parks of one name are two parks
    assert same_place({"landmark": "东河区人民公园"}, {"landmark": "青山区人民公园"}) == "different"
    # a school said with its city and 第, and by its number
    assert same_place({"landmark": "包头市第九中学", "gate": "正门"}, {"landmark": "九中", "side": "门口"}) != "different"


def test_a_road_or_estate_said_with_its_district_county_or_城关_is_one_place():
    from classifiers.dedupe.place_match import place_keys, same_place
    said_short = {"road": "羊山新七大道", "compound": "天润城小区"}
    said_full = {"district": "羊山新区", "road": "新七大道", "compound": "天润城小区"}
    assert same_place(said_short, said_full) == "same"
    assert place_keys({"road": "羊山新七大道"}, query=True) & place_keys({"district": "羊山新区", "road": "新七大道"})
    assert same_place({"district": "罗山县", "road": "城关小罗山路", "side": "门口"},
                      {"district": "罗山县", "road": "小罗山路", "side": "门口"}) == "same"
    assert same_place({"district": "光山县", "compound": "龙山小区"}, {"compound": "光山龙山小区"}) == "same"
    # …but a road's own direction or another road is still another place
    assert same_place({"district": "罗山县", "road": "城关北路"}, {"district": "罗山县", "road": "北路"}) == "different"
    assert same_place({"road": "解放路"}, {"road": "解放北路"}) == "different"


def test_a_school_said_short_with_its_city_is_that_school():
    from classifiers.dedupe.place_match import same_place
    assert same_place({"road": "前进东路", "landmark": "九江三中", "side": "东侧"}, {"road": "前进东路", "landmark": "三中"}) != "different"
    assert same_place({"landmark": "九江三中"}, {"landmark": "九江五中"}) == "different"


def test_a_report_that_says_it_is_another_problem_is_offered_not_joined():
    first = "【地址】八里湖新区琴湖路196号【描述】汽修店在人行道上洗车，污水横流。"
    second = "【地址】八里湖新区琴湖路196号【描述】该汽修店晚上喷漆，油漆味很重。（与之前反映的洗车是不同问题）"
    result = _two_reports_at_one_spot((first, "SJ-06028", "SJ-06028"), (second, "SJ-06028", "SJ-06028"))
    assert result.action == "suggest" and result.candidates[0].case_no == "C1"
    assert result.candidates[0].explanation["another_problem"] is True
    # without that sentence the same two would be joined (same category, same spot, alike words)
    alike = "【地址】八里湖新区琴湖路196号【描述】该汽修店在人行道上洗车，污水流了一地。"
    assert _two_reports_at_one_spot((first, "SJ-06028", "SJ-06028"), (alike, "SJ-06028", "SJ-06028")).action == "attach"


def test_a_station_said_with_its_citys_metro_is_the_station_said_without():
    # (九江: the city's name holds a numeral, which is no number)
    result = _two_reports_at_one_spot(("九江地铁1号线甘棠湖站C口的上行扶梯停了好几天了，拎着东西爬楼梯好累", "", ""),
                                      ("主题：甘棠湖站C出口扶梯停运\n地铁1号线甘棠湖站C出口的上行自动扶梯已停运数日，请督促运营方尽快修复。", "", ""))
    assert result.action == "attach" and result.case_no == "C1"


@pytest.mark.parametrize("full, short", [
    ({"landmark": "九江市第一人民医院", "side": "东侧"}, {"landmark": "市一医院", "side": "东侧"}),
    ({"road": "浔阳东路", "landmark": "九江市图书馆", "side": "门口"}, {"road": "浔阳东路", "landmark": "市图书馆", "side": "门口"}),
    ({"gate": "北门", "landmark": "九江市第三中学", "side": "外"}, {"gate": "北门", "landmark": "三中", "side": "外"}),
    ({"gate": "东门", "landmark": "鲤城区第三实验小学", "side": "门口"}, {"gate": "东门", "landmark": "三实小", "side": "门口"}),
    ({"landmark": "实验三小"}, {"landmark": "第三实验小学"}),
])
def test_a_landmark_said_with_its_city_or_short_is_one_place(full, short):
    from classifiers.dedupe.place_match import same_place
    assert same_place(full, short) in ("same", "compatible")
    assert same_place({"landmark": "第一人民医院"}, {"landmark": "第二人民医院"}) == "different"
    assert same_place({"landmark": "三实小"}, {"landmark": "三小"}) == "different"


def test_a_towns_own_school_said_with_the_town_and_without_it_joins():
    # 沙河镇中心小学 / 我是沙河镇的，就中心小学边上: one school, found by its name without the town too
    result = _two_reports_at_one_spot(("沙河镇中心小学旁边那个小桥栏杆断了，娃娃们天天从那走", "", ""),
                                      ("我是沙河镇的，就中心小学边上那个小桥，栏杆断咧，娃娃们上学都从那过，危险得很", "", ""))
    assert result.action == "attach" and result.case_no == "C1"


def test_one_more_thing_at_the_same_gate_is_not_joined():
    # "这回再反映一个": the caller says it is one more thing, however alike the two read
    first = ("市民反映北园路怡和苑南门门禁损坏一个多月，大门常开，外来人员随意进出。", "SJ-06039", "")
    more = ("上回说了怡和苑南门门禁坏的事，这回再反映一个：南门那个监控探头早就坏了，电动车被偷了调监控啥也看不着。", "SJ-06039", "")
    assert _two_reports_at_one_spot(first, more).action != "attach"


def test_a_stations_two_squares_are_two_places_though_its_name_has_a_direction():
    # 德州东站东广场 / 德州东站西广场: the 东 of the station's name is no side
    first = ("德州东站东广场出站口那帮黑车又在拉客，拽着人不放", "", "")
    result = _two_reports_at_one_spot(first, ("市民来电反映：德州东站西广场出站口有黑车司机拉客。", "", ""))
    assert result.action != "attach"
    assert any(c.startswith("东西") for c in result.candidates[0].explanation["place_conflicts"])
    again = _two_reports_at_one_spot(first, ("市民来电反映：德州东站东广场出站口有黑车司机拉客。", "", ""))
    assert again.action == "attach"


def test_another_thing_of_a_playground_or_a_wall_is_another_problem():
    slide = ("银河小区儿童乐园的滑梯裂了个口子，边上锋利，孩子裤子都刮破了", "SJ-06039", "")
    sandpit = ("市民来电反映：银河小区儿童游乐区沙坑内有大量烟头、碎玻璃，存在安全隐患。", "SJ-06039", "")
    result = _two_reports_at_one_spot(slide, sandpit)
    assert result.action != "attach" and result.candidates[0].explanation["different_object"] == "沙坑≠游乐设施"


def test_a_school_of_that_name_in_another_county_is_another_place():
    from classifiers.dedupe.place_match import same_place
    assert same_place({"district": "陵城区", "landmark": "东关小学", "side": "门口"}, {"landmark": "临邑东关小学", "side": "门口"}) == "different"
    assert same_place({"district": "临邑县", "landmark": "东关小学", "side": "门口"}, {"landmark": "临邑东关小学", "side": "门口"}) == "same"


@pytest.mark.parametrize("first, second, mark, code", [
    # a hospital's emergency entrance and its main gate
    ("市民反映：泰安市中心医院急诊门口车辆占道。", "中心医院正门口车乱停，把门都堵了", "急诊正门", "SJ-09006"),
    # a station's way out and its way in
    ("市民反映：泰山站出站口东侧出租车乱停。", "泰山站进站口那边出租车乱停，堵着进站的人", "进出站", "SJ-09009"),
    # inside a gate and outside it
    ("市民反映：泰山区红门北院小区门内停车场地面塌陷。", "红门北院门口外头马路上塌了个坑", "内外", "BJ-02001"),
    # building 5 and building 甲5
    ("市民：枣庄市中区幸福里小区5号楼单元门坏了。", "幸福里小区甲5号楼单元门锁坏了，关不上", "栋", "BJ-02038"),
    # a road's carriageway and its pavement
    ("文化东路从光明路口往东那一段，机动车道上坑坑洼洼的，车颠得厉害",
     "市民反映：市中区文化东路光明路口以东一段人行道地砖松动翘起，行人易绊倒。", "车道人行道", "SJ-06013"),
])
def test_two_parts_of_one_place_said_apart_are_not_joined(first, second, mark, code):
    result = _two_reports_at_one_spot((first, code, ""), (second, code, ""))
    assert result.action != "attach"  # (offered at most, with the parts that differ)
    assert not result.candidates or any(c.startswith(mark) for c in result.candidates[0].explanation["place_conflicts"])
    from classifiers.dedupe.index import _place_marks, prepare_text
    a, b = _place_marks(prepare_text(first)).get(mark), _place_marks(prepare_text(second)).get(mark)
    assert a and b and not a & b  # each says its part, and they differ


def test_people_pushed_onto_the_carriageway_are_no_other_part_of_the_road():
    # 围挡占满人行道 / 走路的只能下到机动车道上: one problem, told by its cause and its effect
    result = _two_reports_at_one_spot(("百花路十六号门口一棵大树刮倒了，横在人行道上，还压着一辆车。", "BJ-04002", ""),
                                      ("百花路16号门口倒的那棵树还躺着呢，主干还横在路上，人得绕到机动车道走", "BJ-04002", ""))
    assert result.action == "attach"
    assert not any(c.startswith("车道人行道") for c in result.candidates[0].explanation.get("place_conflicts", []))


def test_an_estate_said_with_its_county_and_without_it_is_found():
    # 宁阳金阳小区 / 宁阳县…金阳小区: the reader keeps the county said short in the estate's name
    first = ("市民反映：宁阳县文庙街道七贤路金阳小区北侧建筑工地夜间施工，噪音大，持续至凌晨。", "SJ-08001", "")
    second = ("市民：俺是宁阳金阳小区的，北边那个工地，天天黑天还干，打桩打得咣咣的，十二点多了还不停。", "SJ-08001", "")
    result = _two_reports_at_one_spot(first, second)
    assert result.candidates and result.candidates[0].case_no == "C1"


def test_an_estate_said_with_its_town_and_a_sites_project_are_found_by_their_names():
    from classifiers.dedupe.place_match import place_keys, same_place
    # 南麻河东小区 (the town said bare before it) / 南麻街道河东小区
    case = {"district": "沂源县", "street": "南麻街道", "compound": "河东小区", "side": "内"}
    said = {"compound": "南麻河东小区", "side": "内"}
    assert place_keys(case) & place_keys(said, query=True) and same_place(case, said) == "same"
    # …but another estate of that name in another town is not the same
    assert same_place({"street": "悦庄镇", "compound": "河东小区"}, said) != "same"
    # 万和府项目工地 / 万和府工地
    assert same_place({"road": "正阳路", "landmark": "万和府工地"}, {"road": "正阳路", "landmark": "万和府项目工地"}) == "same"


@pytest.mark.parametrize("first, second, code", [
    # a stray dog against a kept one walked loose (the same category of animals)
    ("市民来电反映：高区田和街道枫林苑小区中心花园附近有多只流浪狗聚集，夜间狂吠。", "枫林苑中心花园老有人遛大狗不拴绳，狗冲着小孩扑", "SJ-09003"),
    # a taxi refusing fares against unlicensed cars touting
    ("市民来电反映：威海北站出站口出租车拒载短途乘客，挑客严重。", "威海北站出站口一出来就有一帮黑车拉客，拽着行李就往车上搬", "BJ-02005"),
    # shared bikes against private cars at one gate
    ("市民来电反映：经区皇冠街道乐天世纪城正门口人行道共享单车乱停乱放，堵塞通行。", "乐天世纪城门口人行道上天天停着好几辆私家车，车轮子都压到盲道上了", "SJ-09011"),
])
def test_two_things_at_one_spot_named_by_what_they_are_are_two_problems(first, second, code):
    result = _two_reports_at_one_spot((first, code, ""), (second, code, ""))
    assert result.action != "attach"
    assert "≠" in result.candidates[0].explanation.get("different_object", "")


def test_one_more_problem_added_in_a_second_letter_is_not_joined():
    first = ("您好：丹徒区宝堰镇宝堰中学门口路段限速标志被撞倒。", "BJ-02010", "")
    more = ("您好，再补一个问题：宝堰中学门口那段路没有减速带，放学时车开得飞快，建议加装减速带。与前一封标志被撞倒是两件事。", "BJ-02010", "")
    assert _two_reports_at_one_spot(first, more).action != "attach"


def test_the_same_person_saying_he_reported_it_before_and_it_is_still_there_is_chasing_not_reporting_it_back():
    # 还是黑的 sounds like "again" to the recurrence model; 上次反映的 … 还是 with no "fixed" word is a chase
    _, (same, _other) = _chased(("平桥区洋山路天安小区后门那段路的路灯全灭了，一到晚上啥都看不见，麻烦修一下", "BJ-01037"),
                                ("还冇修好？上次反映的天安小区后门那几盏路灯，都十来天了还是黑的，到底有没有人管", "BJ-01037"), 10)
    assert same.action == "attach" and same.case_no == "C1"
    assert "recurrence" not in same.candidates[0].explanation
    # fixed, then back, is still a new occurrence, whoever says it
    _, (back, _other) = _chased(("平桥区洋山路天安小区后门那段路的路灯全灭了，一到晚上啥都看不见，麻烦修一下", "BJ-01037"),
                                ("上次反映的天安小区后门那几盏路灯，修好了没几天，昨晚又全黑了", "BJ-01037"), 10)
    assert back.action != "attach" and back.candidates[0].explanation.get("recurrence")


def test_one_park_entrance_is_not_another():
    # 南入口 / 北入口 of one park: two gates, two spots, however alike the problem
    result = _two_reports_at_one_spot(("市民：麒麟山公园南入口上山的台阶，有几块石板松了。", "SJ-06049", "BJ-04010"),
                                      ("市民来电反映：麒麟山公园北入口登山步道台阶石板松动。", "SJ-06049", "BJ-04010"))
    assert result.action != "attach"
    same = _two_reports_at_one_spot(("市民：麒麟山公园南入口上山的台阶，有几块石板松了。", "SJ-06049", "BJ-04010"),
                                    ("麒麟山公园南门上去那个台阶石板松动了，走着晃", "SJ-06049", "BJ-04010"))
    assert same.action in ("attach", "suggest") and same.candidates[0].case_no == "C1"  # (the same gate: offered at least)


def test_inside_a_place_is_not_outside_it_however_vaguer_one_report_is():
    # 正门外头马路边 / 市场里头卖鱼那一排: the one that names a gate says more, but inside is not outside
    result = _two_reports_at_one_spot(("市民：鑫源农贸市场正门外头马路边那个下水道堵了。", "SJ-09020", "BJ-01002"),
                                      ("鑫源农贸市场里头卖鱼那一排，地上的排水沟堵了，脏水漫了一地", "SJ-09020", "BJ-01002"))
    assert not result.candidates or result.action != "attach"
    # the same side said once with the gate and once without is still one spot
    same = _two_reports_at_one_spot(("市民：鑫源农贸市场正门外头马路边那个下水道堵了。", "SJ-09020", "BJ-01002"),
                                    ("鑫源农贸市场外面马路边的下水道堵了，污水往外冒", "SJ-09020", "BJ-01002"))
    assert same.candidates and same.candidates[0].case_no == "C1"
