"""The default classifier's decisions, as a dispatcher would check them: the category with
its explanation, urgency told apart from past and hypothetical dangers, consultations by
what the citizen asks for, and a confidence that means something."""
from __future__ import annotations

import pytest

from classifiers.classify.combined import build_classifier
from classifiers.classify.settings import ClassificationSettings


@pytest.fixture(scope="module")
def classifier():
    return build_classifier(model_path="auto")  # trained from the project's corpus once, then cached


def test_a_city_matter_gets_its_national_code_and_says_why(classifier):
    c = classifier.classify("喂，那个我们小区门口的下水道盖子不见了，黑黢黢一个洞")
    assert c.code.startswith("BJ-010") and "井盖" in c.name
    assert c.evidence["decided_by"] in ("rules", "model", "rules+model")
    assert c.evidence["kind"]["city"] > 0.5
    assert c.department and c.path[0] == "管理部件"


PRESENT_AND_PAST = [
    ("我家楼下的井盖没了，一个大洞敞着，晚上有人路过", "上个月我家楼下井盖丢了，现在已经补上了，谢谢你们"),
    ("路边那个大广告牌被风刮得歪了，眼看要掉下来，底下都是人", "去年路边广告牌被刮掉过一次，想问以后会不会再出事"),
    ("楼道里好大一股煤气味，呛得人头晕", "请问家里燃气怎么检查有没有漏气，需要注意什么"),
    ("电线断了耷拉在人行道上还冒火花", "前几天电线断了，供电公司已经来修好了，没事了"),
    ("我们被困在电梯里了，电梯卡在两层中间", "上周电梯困过人，物业说已经换了新的"),
]


@pytest.mark.parametrize("present, past", PRESENT_AND_PAST)
def test_present_danger_is_urgent_and_the_same_words_about_the_past_are_not(classifier, present, past):
    now = classifier.classify(present)
    before = classifier.classify(past)
    assert now.urgent, (present, now.evidence["urgency"])
    assert not before.urgent, (past, before.evidence["urgency"])
    assert now.time_limit_hours is not None and now.time_limit_hours <= 2


def test_a_calming_word_calms_only_its_own_sentence():
    from classifiers.classify.urgency import UrgencyJudge
    judge = UrgencyJudge(["煤气味"], threshold=0.2, with_words=0.02)
    # a letter that thanks (感谢) in one sentence and smells gas in the next
    assert judge.judge("感谢领导百忙之中看信.楼道里一股煤气味,呛得人头晕.", 0.05).urgent
    assert not judge.judge("上个月楼道里有煤气味,现在修好了.", 0.05).urgent


BACKGROUND = ("尊敬的领导：我是A3区望城坡街道的居民，在这里住了二十多年。我们小区是九十年代的老小区，"
              "前几年改造的时候说好要重新铺路、加装路灯，结果拖了三年才动工，施工队换了两拨，"
              "我们找过社区、街道，也打过好几次电话，每次都说在协调。")
CLOSING = "希望领导重视，尽快派人来处理，谢谢！"


def test_a_danger_told_in_one_sentence_of_a_long_letter_is_urgent_and_the_same_danger_in_the_past_is_not(classifier):
    now = classifier.classify(BACKGROUND + "现在小区门口那个下水道井盖没了，黑洞洞的一个口子敞着，"
                              "晚上孩子放学都从旁边走。" + CLOSING)
    assert now.urgent, now.evidence["urgency"]
    assert "井盖" in now.evidence["urgency"]["passage"]  # the operator sees which passage
    before = classifier.classify(BACKGROUND + "去年小区门口有个井盖丢过一次，后来已经补上了。" + CLOSING)
    assert not before.urgent, before.evidence["urgency"]


def test_a_long_letter_is_read_passage_by_passage_and_short_exclamations_are_left_out():
    from classifiers.classify.urgency import UrgencyJudge, passages
    letter = "一二三四五六七八九十一二三四五六七八九十。叩谢!" + "楼道里一股煤气味，呛得人头晕，请马上派人来看看。"
    assert passages(letter, 30) == ["一二三四五六七八九十一二三四五六七八九十。叩谢!", "楼道里一股煤气味，呛得人头晕，请马上派人来看看。"]
    judge = UrgencyJudge(["煤气味"], threshold=0.9, with_words=0.9, passage_chars=30, passage_threshold=0.5)
    p_of = {"楼道里一股煤气味，呛得人头晕，请马上派人来看看。": 0.3}
    decision = judge.judge(letter, 0.01, probability_of=lambda text: p_of.get(text, 0.0))
    assert decision.urgent and decision.passage.startswith("楼道里")  # 0.3 ≥ half of 0.5, with danger words
    off = UrgencyJudge(["煤气味"], threshold=0.9, with_words=0.9, passage_chars=0)
    assert not off.judge(letter, 0.01, probability_of=lambda text: 1.0).urgent


LETTER = ("尊敬的领导：我们是A2区枫林街道青竹园小区的业主，小区2009年交房，这些年物业换了三家，"
          "维修基金的账目一直没有公示，业主们多次去社区反映，社区说会协调物业，但一直没有下文。")


def test_a_hazard_a_letter_judges_dangerous_is_urgent_and_the_same_hazard_supposed_or_not_yet_lived_in_is_not(classifier):
    now = classifier.classify(LETTER + "现在12栋的楼板和承重墙出现多处裂缝，最宽的能塞进手指，"
                              "我们全家人的生命安全受到严重威胁。" + CLOSING)
    assert now.urgent, now.evidence["urgency"]
    urgency = now.evidence["urgency"]
    assert urgency["hazard_claimed"] and "裂缝" in urgency["passage"]  # the operator sees the sentence
    supposed = classifier.classify(LETTER + "旁边基坑施工以后可能会让12栋楼板出现裂缝，"
                                   "到时全家人的生命安全受到严重威胁。" + CLOSING)
    assert not supposed.urgent, supposed.evidence["urgency"]
    not_lived_in = classifier.classify(LETTER + "新建的三期还没交房，验房时发现楼板有多处裂缝，存在安全隐患。" + CLOSING)
    assert not not_lived_in.urgent, not_lived_in.evidence["urgency"]


def test_a_hazard_told_after_the_first_400_characters_of_a_letter_is_found(classifier):
    story = LETTER + BACKGROUND + ("去年物业公司又换了，新物业上任以后收费涨了一倍，服务却更差了，绿化没人修剪，垃圾好几天才清一次。"
                      "业主群里大家意见很大，我们推选了几位代表去街道办反映，街道办的同志态度倒是很好，说会约物业来谈，"
                      "可是等了两个月也没有消息。后来我们又打了几次热线电话，每次都说已经转给相关部门，"
                      "然后就石沉大海。今年春节前，物业还贴出通知说要收取电梯维护专项费用，每户三百元，"
                      "业主们都不同意，因为维修基金里本来就有这笔钱。物业经理说不交就停电梯，双方吵得很厉害。"
                      "这些事情我们都有照片和录音，可以提供给领导。")
    assert len(story) > 400  # the category reads the first 400 characters only
    late = classifier.classify(story + "现在12栋的楼板和承重墙出现多处裂缝，最宽的能塞进手指，"
                               "我们全家人的生命安全受到严重威胁。" + CLOSING)
    assert late.urgent and late.evidence["urgency"]["hazard_claimed"], late.evidence["urgency"]
    short_reading = build_classifier(model_path="auto", settings=ClassificationSettings(urgent_letter_chars=400))
    assert not short_reading.classify(story + "现在12栋的楼板和承重墙出现多处裂缝，最宽的能塞进手指，"
                                      "我们全家人的生命安全受到严重威胁。" + CLOSING).urgent


def test_many_people_ill_at_once_in_a_letter_is_urgent_and_one_child_or_a_supposed_illness_is_not(classifier):
    now = classifier.classify(LETTER + "这两天幼儿园好几个班的小朋友都无缘无故流鼻血，家长们都吓坏了。" + CLOSING)
    assert now.urgent, now.evidence["urgency"]
    assert now.evidence["urgency"]["hazard_claimed"] and "流鼻血" in now.evidence["urgency"]["passage"]
    one = classifier.classify(LETTER + "我家孩子这两天流鼻血，不知道是不是天气太干。" + CLOSING)
    assert not one.urgent, one.evidence["urgency"]
    supposed = classifier.classify(LETTER + "工地扬尘这么大，一旦很多孩子出现皮疹，谁来负责？" + CLOSING)
    assert not supposed.urgent, supposed.evidence["urgency"]


def test_a_hazard_and_its_danger_are_read_in_one_sentence_or_the_next_only():
    from classifiers.classify.urgency import UrgencyJudge
    judge = UrgencyJudge([], passage_chars=20, danger_claims=["安全隐患"], hazard_words=["开裂"],
                         hypothetical_words=["如果"])
    pad = "物业费的账目不清楚. "
    assert judge.judge(pad + "楼板开裂.存在安全隐患.", None).claimed
    assert judge.judge(pad + "楼板开裂.存在安全隐患.", None).passage == "楼板开裂.存在安全隐患."
    assert not judge.judge("楼板开裂." + pad + "存在安全隐患.", None).urgent  # two sentences apart
    assert not judge.judge(pad + "如果楼板开裂,存在安全隐患.", None).urgent
    assert not judge.judge("楼板开裂.存在安全隐患.", None).urgent  # not longer than passage_chars: not a letter
    assert not UrgencyJudge([], passage_chars=20).judge(pad + "楼板开裂.存在安全隐患.", None).urgent  # no words: off
    ill = UrgencyJudge([], passage_chars=20, illness_words=["呕吐"], many_people_words=["多名"],
                       hypothetical_words=["如果"])
    assert ill.judge(pad + "食堂吃完午饭后多名学生呕吐.", None).claimed
    assert not ill.judge(pad + "食堂吃完午饭后学生呕吐.", None).urgent  # one pupil: no many-people word
    assert not ill.judge(pad + "如果多名学生呕吐怎么办.", None).urgent
    assert ill.judge("午饭后多名学生呕吐.", None).claimed  # a short message is read for it too
    assert not UrgencyJudge([], illness_words=["呕吐"], many_people_words=["多名"]).judge(
        "午饭后多名学生呕吐.", None).urgent  # passage_chars 0: the rule is off


def test_a_question_with_city_words_is_a_consultation_and_a_complaint_asked_as_a_question_is_not(classifier):
    ask = classifier.classify("请问家里装修的垃圾应该放到哪里，有没有人统一来收？")
    assert ask.consultation and ask.code.startswith("ZX")
    complain = classifier.classify("井盖丢了三天了怎么还没人管？你们到底修不修？")
    assert not complain.consultation and complain.code.startswith("BJ-010")


def test_social_matters_stay_social(classifier):
    c = classifier.classify("老板拖欠我们三个月工资了，打电话也不接")
    assert c.code.startswith("SH-02") and not c.consultation


def test_confidence_is_calibrated_on_independent_text_and_review_follows_the_threshold(classifier):
    combiner = classifier.model.state["combiner"]
    assert combiner["calibrator"]["fitted_on"].startswith("calibration set")
    # The cross-validated reliability curve: where many tickets share a confidence, about
    # that share of them was right.
    for row in combiner["reliability"]:
        lo = float(row["confidence"].split("–")[0])
        if row["tickets"] >= 50:
            assert lo - 0.15 <= row["right"] <= lo + 0.25, row
    sure = classifier.classify("我家楼下路灯不亮好几天了，晚上黑乎乎的")
    vague = classifier.classify("那边那个东西又有问题了，你们管不管")
    assert not sure.needs_review and sure.confidence >= 0.85
    assert vague.needs_review and vague.confidence < sure.confidence
    assert any("置信度低" in r for r in vague.review_reasons)
    strict = build_classifier(model_path="auto", settings=ClassificationSettings(review_threshold=0.999))
    doubted = strict.classify("我家楼下路灯不亮好几天了，晚上黑乎乎的")
    assert doubted.needs_review and any("置信度低" in r for r in doubted.review_reasons)
    assert doubted.code == sure.code  # review is a flag: the suggestion stays


def test_empty_or_wordless_input_is_flagged_not_guessed(classifier):
    for text in ("", "   ", "😀😀😀", "12345"):
        c = classifier.classify(text)
        assert c.needs_review and not c.code
