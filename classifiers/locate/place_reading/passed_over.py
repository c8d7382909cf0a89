"""What a caller says between the parts of one place that says nothing about it, and that the
reader passes over: pauses, fillers (对, 我们), a repeated name, a date, a time, a phone
number, "不是15号", "礼貌的礼", a floor, a form's label."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.patterns import ALIAS, BUS_ROUTE, CJK, CJK_RUN, DETAIL_ASKED, PHASE, PUNCT
from classifiers.locate.place_reading.place import Name, Place
from classifiers.locate.place_reading.vocabulary import Vocabulary

_FLAT = re.compile(r"(?:我家)?(?:门牌号?是?)?\d{3,4}(?:室|房|号房|户)?(?!\d)")
_HEADING = re.compile(r"(?:由|从|自)?[东南西北]向[东南西北](?:方向|行驶方向)?(?:的)?")  # 由东向西方向
_FLOOR = re.compile(r"\d{1,2}(?:楼|层)(?![下道])|顶楼|顶层")
_SPOKEN_DIGITS = re.compile(r"[零〇幺一二两三四五六七八九十百]{2,8}(?=[\s,.;:!?]|$)")
_DATE = re.compile(r"(?:从|就是|是|在)?(?:(?:今年|去年)?\d{1,2}月(?:\d{1,2}[号日])?|(?:上个?月|这个?月|本月)\d{1,2}[号日])"
                   r"(?:那天|那日|那会儿|晚上|早上|上午|下午)?(?:起|开始|以来)?")
_TIME = re.compile(r"(?:早上|上午|中午|下午|晚上|凌晨|半夜)?\d{1,2}点(?:\d{1,2}分?|半|多)?(?:左右)?")
_PHONE = re.compile(r"(?:你们记一下)?(?:我的?)?(?:联系)?(?:电话|手机)(?:号码|号)?(?:是|:)?"
                    r"(?:[\d\-零〇幺一二三四五六七八九]+(?![\d\-零〇幺一二三四五六七八九号栋幢单])[,\s]*)*")
_DENIAL = re.compile(r"不是[^,.;!?]{1,12}")
_WHICH_SPELLING = re.compile(rf"(?:带|不带|有|没有)[{CJK}]{{1,2}}字的?(?:那个|那家|那栋|那条)?")  # 雅宝路公寓，带路字的那个
_SPELLED = re.compile(rf"[{CJK}]{{1,3}}的([{CJK}]{{1,2}})(?=[\s,.;:!?]|$)")
_COMMUNITY = re.compile(rf"[{CJK}]{{1,6}}社区")
_DESCRIPTION_LABEL = re.compile("描述|事由|内容|详情")
_FORM_LABEL = re.compile(rf"[{CJK}]{{1,4}}:")  # 问题: …
# 具体位置在… / 内容：具体在…: the place said more precisely, right after it was named
_MORE_PRECISELY = re.compile(rf"[.,]?(?:[{CJK}]{{1,4}}:)?具体(?:(?:位置|地点|地址|方位)(?:在|是|为|:)?|在|是)")
_SHORT_NAME = re.compile(rf"[{CJK}]{{2,8}}(?=[,.\s])")
_BUILDING_AGAIN = re.compile(r"(\d{1,3})(?:号楼|号|栋|幢)(?!\d)")
_ASIDE = re.compile(r"[\s\"']*\([^()]{1,30}\)")
_THING_NEAR = re.compile(rf"([{CJK}]{{2,4}}?)(?:旁边儿?|附近|边上)")


def skip_soft(vocab: Vocabulary, t: str, pos: int) -> int:
    """The position after the pauses, other names in brackets and fillers at pos, stopping
    before a side, a part or a role word."""
    while True:
        m = ALIAS.match(t, pos)
        if m:  # 永济桥（老石桥）下面: the other name in brackets
            pos = m.end()
            continue
        m = _ASIDE.match(t, pos)
        if m and vocab.side_words.match(t, m.end()) and not vocab.not_sides.match(t, m.end()):
            return m.end()  # 新华路20号（来电人称原门牌为18号，已变更）门前: an aside, then the side
        m = PUNCT.match(t, pos)
        if m:
            pos = m.end()
            continue
        if vocab.side_words.match(t, pos) or vocab.parts.match(t, pos) or vocab.roles.match(t, pos):
            return pos
        m = vocab.fillers.match(t, pos)
        if not m:
            return pos
        pos = m.end()


_LANE = re.compile("胡同口?")


def skip_hard(vocab: Vocabulary, t: str, pos: int, place: Place, said: list[str], names: list[Name]) -> int:
    """What a caller says between the parts of one place and that says nothing about
    it: the position after it, or 0."""
    m = _MORE_PRECISELY.match(t, pos)
    if m:
        return m.end()  # 地址：建国门地铁站 内容：具体在A口外面: the field's place, said finer
    m = BUS_ROUTE.match(t, pos)
    if m and place.road and not place.landmark:
        nxt = skip_soft(vocab, t, m.end())
        if any(n.start == nxt and n.kind == "landmark" and n.value.endswith("站") for n in names):
            return m.end()  # 钢城路上，19路的钢城新村站: the bus route, then its stop on the road
    m = DETAIL_ASKED.match(t, pos)
    if m:
        return m.end()  # 接线员：几号楼几单元？来电人：… — the caller's answer goes on with the place
    for rx in (_DATE, _TIME, _PHONE, _DENIAL, _FLOOR, _FORM_LABEL, _HEADING, _WHICH_SPELLING):
        m = rx.match(t, pos)
        if m and m.end() > pos:
            if rx is _FORM_LABEL and vocab.form_labels.search(m.group()) \
                    and (place.side or not vocab.side_words.match(t, m.end()) or _DESCRIPTION_LABEL.search(m.group())):
                return 0  # 地点:…; 问题:…: the place has ended (but 问题:门口井盖缺失; not 问题描述:门前…)
            return m.end()
    if place.building or place.unit:
        m = _FLAT.match(t, pos)
        if m:
            return m.end()
    m = _SPOKEN_DIGITS.match(t, pos)
    if m:
        return m.end()
    m = _SPELLED.match(t, pos)
    if m and any(m.group(1) in v for v in said):
        return m.end()
    m = vocab.roles.match(t, pos)
    if m:
        return m.end()
    m = _BUILDING_AGAIN.match(t, pos)
    if m and place.building == m.group(1):
        return m.end()  # 栖霞苑，5号楼，5号…不对: the building said again
    if (place.landmark or place.compound or place.road) and not place.side:
        m = vocab.parts.match(t, pos)
        if m:
            return m.end()
    m = PHASE.match(t, pos)
    if m and place.compound.endswith(m.group()):
        return m.end()
    m = _LANE.match(t, pos) if place.road.endswith(tuple(vocab.numbered)) else None
    if m and t.startswith(place.road, pos - len(place.road)):
        return m.end()  # 东四六条胡同口: a numbered lane, its kind said after it (and its mouth, as 东四六条口)
    m = _COMMUNITY.match(t, pos)
    if m and (place.street or place.district):
        return m.end()
    main = place.landmark or place.compound
    m = vocab.errand_after.match(t, pos) if main and not place.side else None
    if m:  # 东安区中医医院看完病 医院门口: what he did there, then the place said again by its kind
        nxt = skip_soft(vocab, t, m.end())
        if any(t.startswith(k, nxt) for k in vocab.kinds_ending(main) if len(k) >= 2):
            return m.end()
    for v in said:
        for k in range(len(v), 1, -1):
            if t.startswith(v[:k], pos):
                return pos + k
        for suffix in vocab.kinds_ending(v):  # 省体育馆，体育馆西门: its kind said again
            if t.startswith(suffix, pos):
                return pos + len(suffix)
        if v == place.landmark and not place.side:
            for kind in (k for k in vocab.kinds_ending(v) if len(k) >= 2):
                at = t.find(kind, pos + 1, pos + 8)
                end = at + len(kind)
                if at > pos and CJK_RUN.fullmatch(t, pos, at) and (end == len(t) or PUNCT.match(t, end)):
                    return end  # 雅宝路市场，那个服装市场，北边儿: the place said again by another name of its kind
    m = vocab.back_refs.match(t, pos) or vocab.descriptions.match(t, pos)
    if m:
        return m.end()
    # 沃尔玛,沃尔玛超市: a name said short before it is said in full
    m = _SHORT_NAME.match(t, pos)
    if m:
        nxt = skip_soft(vocab, t, m.end())
        if any(n.start == nxt and n.value.startswith(m.group()) for n in names):
            return m.end()
    # 新华路人民路口那个岗亭旁边: a small unnamed thing at the junction, and near it
    if place.cross_road and not place.side:
        m = _THING_NEAR.match(t, pos)
        if m and not vocab.single_boundaries.intersection(m.group(1)):
            place.side = "旁"
            return m.end()
    return 0
