"""Keyword rules: colloquial phrases land in the right leaf; noise and bad input do not break them."""
from __future__ import annotations

import jieba
import pytest

from classifiers.classify.keywords import KeywordClassifier
from classifiers.classify.taxonomy import load_taxonomy
from classifiers.normalize import normalize

CJK = lambda s: any("\u4e00" <= ch <= "\u9fff" for ch in s)  # noqa: E731


@pytest.fixture(scope="module")
def rules():
    return KeywordClassifier(load_taxonomy())


@pytest.mark.parametrize(
    "text, code",
    [
        ("我家楼下路灯不亮好几天了", "BJ-01037"),
        ("小区门口的井盖没了，晚上很危险", "BJ-01023"),
        ("垃圾没人清，臭死了", "SJ-06010"),
        ("老板拖欠工资三个月了", "SH-02-01"),
        ("楼下广场舞噪音扰民，天天跳到十点", "SJ-06028"),
        ("厨房里闻到很浓的煤气味，是不是燃气泄漏了", "SH-01-01-01"),
        ("小区垃圾桶都满了，垃圾溢出来一地", "SJ-06042"),
        ("有人在楼道里给电动车充电，太危险了", "SH-08-02"),
        ("物业不作为，电梯坏了也不修，物业费倒是年年涨", "SH-01-04-01"),
        ("路口的红绿灯坏了，一直闪黄灯", "BJ-02014"),
        ("有人在小区里私搭乱建，楼顶加盖了一层", "SJ-06001"),
        ("学校门口的路灯杆被车撞歪了", "BJ-01037"),  # 学校 is where, not what
    ],
)
def test_colloquial_phrases_land_in_the_right_leaf(rules, text, code):
    c = rules.classify(text)
    assert c.code == code, (c.code, c.name, c.evidence)
    assert c.source == "rules"
    assert c.evidence["rule"] == code
    assert c.evidence["matched"]
    assert 0.0 < c.confidence <= 1.0


def test_leaf_attributes_come_from_the_taxonomy(rules):
    c = rules.classify("我家楼下路灯不亮")
    assert c.name == "路灯"
    assert c.path == ["管理部件", "市政公用设施", "路灯"]
    assert c.department == "市政所（路灯管理所）"
    assert c.time_limit_hours == 48
    assert not c.urgent and not c.consultation
    assert "路灯不亮" in c.evidence["matched"]


def test_gas_leak_is_urgent_with_a_short_time_limit(rules):
    c = rules.classify("楼道里一股燃气泄漏的味道")
    assert c.code == "SH-01-01-01" and c.urgent
    assert c.time_limit_hours <= 2


def test_missing_manhole_cover_is_urgent_but_a_rattling_one_is_not(rules):
    missing = rules.classify("人行道上的井盖没了")
    rattling = rules.classify("马路上的井盖有点响")
    assert missing.code == rattling.code == "BJ-01023"
    assert missing.urgent and missing.time_limit_hours == 2
    assert not rattling.urgent and rattling.time_limit_hours == 24


def test_safety_words_make_any_category_urgent(rules):
    c = rules.classify("路灯杆下面的电线裸露了")
    assert c.urgent and "电线裸露" in c.evidence["urgent_words"]


@pytest.mark.parametrize(
    "text",
    [
        "路燈壞了好幾天了",  # traditional characters
        "我家樓下的路燈不亮",
        "ＸＸ路的路灯不亮！！！",  # full-width letters and punctuation
        "嗯，那个，就是说，我们那个路灯啊，不亮了",  # spoken filler
        "路 灯 灯 灯 不 亮",  # ASR: spaces and stutter
        "路灯路灯不亮了。。。，，",
    ],
)
def test_noisy_variants_still_find_the_street_lamp(rules, text):
    assert rules.classify(text).code == "BJ-01037"


def test_exclusion_words_keep_construction_noise_out_of_general_noise(rules):
    c = rules.classify("工地晚上施工噪音太大，吵得睡不着")
    assert c.code == "SJ-08001"
    assert c.evidence["excluded"]["SJ-06028"] in ("施工", "工地")
    # the same words without the construction site are general noise
    assert rules.classify("晚上噪音太大，吵得睡不着").code == "SJ-06028"


def test_neighbour_noise_is_a_neighbour_dispute(rules):
    c = rules.classify("楼上邻居天天半夜跺脚，噪音很大")
    assert c.code == "SH-08-04"


def test_consultation_needs_a_question(rules):
    q = rules.classify("请问公积金怎么提取，需要什么材料")
    assert q.consultation and q.code.startswith("ZX-")
    assert "公积金" in q.evidence["matched"]
    complaint = rules.classify("公司一直不给我们交公积金")
    assert not complaint.consultation


def test_question_mark_alone_does_not_make_a_complaint_a_consultation(rules):
    c = rules.classify("请问我家楼下的路灯坏了有人管吗")
    assert c.code == "BJ-01037" and not c.consultation


def test_alternatives_are_ranked_runner_ups(rules):
    c = rules.classify("小区门口垃圾堆成山，垃圾桶也坏了，路灯也不亮")
    assert 1 <= len(c.alternatives) <= 3
    assert all(a.code != c.code for a in c.alternatives)
    assert [a.confidence for a in c.alternatives] == sorted((a.confidence for a in c.alternatives), reverse=True)


@pytest.mark.parametrize("text", ["", "   \n\t ", "😀😀😀👍", "1234567890", "!!!???", "hello, is anybody there?", None])
def test_bad_input_asks_for_review_in_chinese(rules, text):
    c = rules.classify(text)
    assert c.needs_review
    assert c.confidence == 0.0 and c.code == ""
    assert c.review_reasons and all(CJK(r) for r in c.review_reasons)


def test_unmatched_chinese_text_asks_for_review(rules):
    c = rules.classify("今天天气不错")
    assert c.needs_review and c.code == ""
    assert "未匹配到任何分类关键词" in c.review_reasons


def test_mixed_english_still_classifies(rules):
    c = rules.classify("Hi, the street light 路灯坏了 near Gate 3, please fix ASAP")
    assert c.code == "BJ-01037"


def test_very_long_input_is_cut_and_flagged_not_fatal(rules):
    text = "我家楼下路灯不亮。" + "这个问题反映很多次了。" * 5000  # ~55,000 characters
    c = rules.classify(text)  # (its speed: bench/classify_speed.py)
    assert c.code == "BJ-01037"
    assert c.needs_review and any("过长" in r for r in c.review_reasons)


def test_weak_single_hit_is_flagged_low_confidence(rules):
    c = rules.classify("那边有个路牙")
    assert c.code == "SJ-06050"
    assert c.confidence < 0.5


def test_global_jieba_dictionary_is_untouched(rules):
    assert rules.classify("井盖没了").code == "BJ-01023"
    assert "井盖没了" not in jieba.dt.FREQ
    assert "井盖没了" in rules._tokenizer.FREQ


# ---------------------------------------------------------------- normalize


def test_normalize_is_pure_and_keeps_meaning():
    raw = "嗯，那个，小區門口的ＡＢＣ超市，欠了我3000元工資😭😭！！！"
    out = normalize(raw)
    assert out == normalize(raw)
    assert out == "小区门口的abc超市,欠了我3000元工资!"


def test_normalize_collapses_asr_noise_but_keeps_real_doubles():
    assert normalize("路 灯 不 亮") == "路灯不亮"
    assert normalize("井盖井盖没了") == "井盖没了"
    assert normalize("灯灯灯坏了") == "灯坏了"
    assert normalize("天天半夜施工") == "天天半夜施工"
    assert normalize("金额不对") == "金额不对"  # 额 is only a filler when it stands alone
