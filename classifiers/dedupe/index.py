"""Duplicate detection against open cases: an in-memory index and an explainable scorer.

The pipeline feeds the index (``add`` when a case is filed, ``update`` when its status or
text changes, ``remove`` when it is closed, rejected or merged) and asks ``check`` for every
new report. The index holds no I/O; at start-up it is rebuilt from the store's open cases
(add them oldest first: per-reporter and per-category scans look at the most recent ones).

Candidates for a report are

* open cases in the same grid, or — when both sides have coordinates — within
  ``radius_m`` metres, whose category is the same or related (same parent: the code without
  its last three digits, e.g. ``SJ-06001`` → ``SJ-06``; otherwise the taxonomy path without
  its last element), reported within ``window`` of the report (of its first or latest report,
  or between them: the times the reports were made, not filed);
* the same reporter's open cases (same phone, chat user, e-mail address: opaque
  "reporter keys"), whatever the place, within the window (the ``reporter_scan_limit`` most
  recent per key, so a grid worker's account with hundreds of cases stays cheap);
* for a report with neither grid nor coordinates: the ``placeless_scan_limit`` most recent
  open cases of the related category. Such a report can be *suggested* an existing case but is
  never attached automatically unless it comes from the same reporter — text alone does not
  say that two reports are about the same place.

Each candidate is scored on text (jieba tokens and characters with rapidfuzz: token-set,
token-sort, character ratio and character-bigram overlap, so word order, filler words and
transcription noise matter little), place, category and time; the explanation is a dict of
those components. Building / unit / floor / room numbers and gate directions mentioned in
both texts are compared: "3号楼" against "8号楼" in one grid is a different place; so are the
sides of a spot both texts name (北侧 / 南边, 亭内 / 亭外面, 楼前 / 后面, 靠湖一侧 / 靠马路一侧).

Thread safety: one ``threading.Lock`` guards the index. ``add``/``update``/``remove`` hold it
for a few dict operations; ``check`` holds it only while it collects candidate entries
(references to immutable ``_Entry`` objects, an ``update`` replaces the entry) and scores
them after releasing it, so a check in an executor thread and an ``add`` on the event loop
never see a half-changed bucket and never wait on each other for long.
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

import jieba
import numpy as np
from rapidfuzz import fuzz, process

from classifiers.dedupe.faults import fault_kinds, fault_model, faults_alike, pair_reader, text_profile
from classifiers.dedupe.objects import object_kinds, objects_differ
from classifiers.dedupe.place_match import named_bare, place_keys, same_place
from classifiers.dedupe.recurrence import (
    history_model,
    recurrence_score,
    reported_before,
    says_another_problem,
    still_score,
)
from classifiers.dedupe.settings import DuplicateSettings
from classifiers.locate.geometry import near_distance_m
from classifiers.normalize import chinese_numeral, normalize
from classifiers.tokenizer import private_tokenizer
from gateway.cases.workorders import OPEN_STATUSES
from gateway.models import Candidate, DuplicateCheck, GeoPoint

__all__ = ["OpenCase", "DuplicateIndex", "parent_category", "prepare_text"]

jieba.setLogLevel(60)

# A private tokenizer (the shared ``jieba.dt`` is left untouched for the other classifiers),
# with the words of city problems made strong enough to win over dictionary oddities such as
# "路 / 灯不亮". HMM is off: unknown words fall apart into characters, which the character
# measures handle better than invented words.
_DOMAIN_WORDS = ["路灯", "不亮", "井盖", "窨井盖", "雨水箅子", "下水道", "污水", "漏水", "渗水", "积水", "爆管", "水管", "停水", "停电", "断电", "垃圾", "垃圾桶", "垃圾箱", "堆放", "清运", "清理", "乱扔", "乱倒", "建筑垃圾", "渣土", "油烟", "噪音", "噪声", "扰民", "施工", "夜间施工", "占道", "占道经营", "摆摊", "流动摊贩", "违章", "违建", "违章建筑", "搭建", "乱停", "停车", "占用", "消防通道", "广告", "小广告", "牛皮癣", "树木", "倒伏", "绿化", "草坪", "电梯", "物业", "欠薪", "工资", "拖欠", "红绿灯", "信号灯", "坑洼", "塌陷", "破损", "损坏", "丢失", "缺失", "异味", "臭味", "冒烟", "漏气", "燃气", "广场舞", "遛狗", "流浪狗", "公交站", "站牌", "护栏", "隔离栏"]
_TOKENIZER: jieba.Tokenizer | None = None
_tokenizer_lock = threading.Lock()
_tokenizer_ready = False


def _cut(text: str) -> list[str]:
    global _TOKENIZER, _tokenizer_ready
    if not _tokenizer_ready:
        with _tokenizer_lock:
            if not _tokenizer_ready:
                _TOKENIZER = private_tokenizer()
                for word in _DOMAIN_WORDS:
                    _TOKENIZER.add_word(word, freq=200_000)
                _tokenizer_ready = True
    return _TOKENIZER.lcut(text, HMM=False)

_RECENT_KEPT = 1024  # prepared texts kept between a check and the new case's indexing


# ---------------------------------------------------------------------------------------------
# Text preparation (a small private normalizer: NFKC, traditional → simplified when OpenCC is
# installed, Chinese numerals before place units → digits, filler and punctuation removed).
# ---------------------------------------------------------------------------------------------

try:  # OpenCC is optional: without it traditional characters are left as they are.
    import opencc as _opencc

    _T2S = _opencc.OpenCC("t2s")
    _to_simplified: Callable[[str], str] = _T2S.convert
except Exception:  # pragma: no cover - depends on the environment
    _to_simplified = lambda s: s  # noqa: E731

_FILLER_PHRASES = sorted(
    [
        "你好", "您好", "喂", "那个", "这个", "就是", "就是说", "然后", "然后呢", "嗯", "啊", "呃",
        "哎", "唉", "哦", "呀", "吧", "呢", "嘛", "啦", "哈", "麻烦", "麻烦你们", "麻烦您",
        "请问", "我想", "我要", "我想反映", "我要反映", "反映一下", "反映个", "反映", "投诉",
        "举报", "一下", "谢谢", "谢谢你们", "谢谢了", "辛苦了", "请", "尽快", "赶紧", "赶快",
        "处理", "解决", "帮忙", "帮忙看看", "看看", "管管", "管一管", "有没有人管", "没人管",
        "怎么回事", "到底", "实在", "真的", "非常", "特别", "太", "好几", "一直", "还是",
        "又", "再次", "了", "的", "地", "得", "着", "过", "都", "也", "在", "是", "有", "我",
        "我们", "你们", "这边", "那边", "这里", "那里", "咱们", "我家", "大家", "市民",
        "居民", "老百姓", "现在", "目前", "问题", "情况", "事情", "希望", "要求", "相关部门",
        "有关部门", "政府", "领导", "能不能", "能否", "可以", "一个", "个",
    ],
    key=len,
    reverse=True,
)
_FILLER = frozenset(_FILLER_PHRASES)

_PLACE_UNIT = r"(?:号楼|号院|栋|幢|座|单元|层|楼|室|号|期|排|组|门)"
_CN_NUM_BEFORE_UNIT = re.compile(r"([零〇一二两三四五六七八九十百]{1,4})(?=" + _PLACE_UNIT + ")")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_HASH_BUILDING = re.compile(r"(\d{1,3})#")
# (not floors: 一楼饭店的油烟 / 二楼阳台的衣服 are the source and who suffers it — on the
# development pairs that name two floors, 11 duplicates and 7 others)
_DASHED_NUMBER = re.compile(r"(\d{1,5})-(\d{1,4})号")
_PLACE_NUMBER = re.compile(r"(?<![a-z甲乙丙丁])(\d{1,5})(号楼|号院|栋|幢|座|单元|室|号|期|组)")
_STEM_BUILDING = re.compile(r"([甲乙丙丁]\d{1,3})(?:号楼|栋|幢|座)")  # 甲5号楼 ≠ 5号楼
_LETTERED_BUILDING = re.compile(r"(?<![a-z])([a-z]\d{1,3})(?:号楼|栋|幢|座)")  # B3号楼 ≠ 3号楼
_GATE = re.compile(r"([东南西北])(?:大门|侧门|门)")
_NUMBERED_SIDE_GATE = re.compile(r"([东南西北]\d)号?门")  # 东二门 ≠ 东门
# An exit by its letter (地下通道A口 ≠ C口, 出站口A ≠ 出站口B, 车库A出口 ≠ C出口)
_EXIT_LETTER = re.compile(r"(?<![a-z])([a-z])(?:出入口|出口|口)(?![罩袋径味])|出站口([a-z])(?![a-z])")
# an underpass's or a station's exit by its compass corner (地下通道东北口 ≠ 西南口)
_COMPASS_EXIT = re.compile(r"(?<=[道站])([东西][南北]|[南北][东西]|[东西南北])(?:出入口|出口|口)")
# a hospital's buildings: the outpatient, the inpatient, the emergency one
_HOSPITAL_PART = re.compile(r"(门诊|住院|急诊)(?=楼|部|大楼|科|室|大厅)")
# a hospital's emergency entrance against its main gate (急诊门口 ≠ 正门口); a station's way in
# against its way out (出站口东侧 ≠ 进站口那边)
_EMERGENCY_GATE = re.compile(r"急诊(?=门|入口|通道|大门)|正大?门")
_STATION_WAY = re.compile(r"([进出])站口")
# a road's carriageway against its pavement (机动车道上坑坑洼洼 ≠ 人行道地砖松动)
# (not where people are pushed to: 行人只能走机动车道, 下到机动车道上跟车抢道; nor 自行车道)
_CARRIAGEWAY = re.compile(r"(?<![走到非])机动车道|车行道|(?<!自)行车道")
_PAVEMENT = re.compile(r"人行道|便道")
_LETTER_BUILDING = re.compile(r"(?<![a-z])([a-z甲乙丙丁])(?:座|栋|幢|号楼)")  # 银座花园a座 ≠ b座, 甲栋 ≠ 乙栋
_LETTER_ZONE = re.compile(r"(?<![a-z])([a-z])区")  # 地下车库a区 ≠ b区
_CORNER = re.compile(r"([东西][南北]|[南北][东西])角")  # a junction's corner: 东北角 ≠ 西南角
_BRIDGE_END = re.compile(r"桥([东西南北])(?![路街道巷区村镇])")  # 柳叶桥桥东 ≠ 桥西 (not 桥东路)
_UNIT_GROUP = {"号楼": "栋", "栋": "栋", "幢": "栋", "座": "栋", "号院": "院", "单元": "单元",
               "室": "室", "号": "号", "期": "期", "组": "组"}  # 组: a village's group
# A bus stop's platform by the way it goes (往城南方向 ≠ 往城北方向, 往北去的站台 ≠ 往南去的);
# the front or back of a building (5号楼楼前 ≠ 5号楼后头).
_HEADING = re.compile(r"[往向]城?([东南西北])(?:方向|去|开|走|那边|一侧|那侧|的站台|站台)")
_FRONT_BACK = re.compile(r"(?:楼|栋|幢)(前|后)(?![来天年])")
# …or by the place it goes to (往市区方向 ≠ 往开发区方向; a compass heading is read above)
_HEADING_TO = re.compile(r"[往向](?!城?[东南西北](?:方向|那边))([\u4e00-\u9fff]{2,4}?)(?:方向|那边的站台|那侧站台)")
# The side of a spot said with a compass word (路口北侧 ≠ 路口南边那段, 楼顶西侧 ≠ 楼顶东边那头;
# a stop's: 芍药路东站 ≠ 芍药路西站),
# one axis at a time: 东北角 agrees with 东边 and with 北侧; not a heading (由北向南, 从北边来).
_COMPASS_SIDE = re.compile(r"(?<![由从往向朝自])([东西南北]{1,2})(?=侧|边|面|头|角|端|段|半边|站|岸|立面|象限|广场)|(?<=路)([东西南北])(?=非机动|人行|辅路|便道)")
# Inside a building, kiosk, tunnel against outside it (湖心亭内 ≠ 湖心亭外面, 隧道里面 ≠ 隧道外侧).
_INSIDE = re.compile(r"室内|[楼亭厅屋洞道馆墙堤门院]内|[楼亭厅屋洞道馆墙堤门]里|(?<![医法])院里")  # (市场院内, 院里)
_OUTSIDE = re.compile(r"室外|[楼亭厅屋洞道馆墙堤门]外(?![卖机])|(?<=[出入洞东西南北道站门])口外")
# Left of a gate or a door against right of it (大门口左边那棵树 ≠ 大门口右侧); a car park on the
# ground against the one under it (地面停车场 ≠ 地下停车场)
_LEFT = re.compile(r"左(?:边|侧|手|面)")
_RIGHT = re.compile(r"右(?:边|侧|手|面)")
_ABOVE_GROUND = re.compile(r"地面(?:停车|车位)")
# a road's main carriageway against its side road (辅路上的坑 ≠ 主路上的坑)
_MAIN_ROAD = re.compile(r"主路|主干道|主车道")
_SIDE_ROAD = re.compile(r"辅路|辅道")
_UNDERGROUND = re.compile(r"地下(?:停车|车库|车位)")
# The side a path or railing is on, by what it leans to (靠江那一侧 ≠ 靠马路一侧).
_LEANING = re.compile(r"靠(.{1,5}?)那?一?(?:侧|边)")
# In front of a building or gate against behind it, said loosely (楼前广场 ≠ 大厦后面那个水池).
# The way along a road (进城方向 ≠ 出城那个方向); on a viaduct or bridge against under it
_INBOUND = re.compile(r"([进出])城(?:那个|的|那)?(?:方向|那边|一侧|那侧)|(?<=高架)([进出])城")
_ON_TOP = re.compile(r"(?:高架|桥)(?:桥)?面?上(?:面|边|头)?|桥面")
_UNDERNEATH = re.compile(r"(?:高架|桥)(?:桥)?(?:下|底下|底)")
_NUMBERED_GATE = re.compile(r"(?<!\d)(\d{1,2})号?门(?![口店面市诊])")  # 菜场1门 ≠ 2门, 北1门 ≠ 北2门
# a road's odd and even side (凤栖路单号那边 ≠ 双号一侧; not 单号限行); a bridge's upstream and
# downstream side (桥面上游一侧 ≠ 大桥下游那边) — said before the fillers (那边) are taken out
_ODD_EVEN = re.compile(r"(?<=[路街道巷])([单双])号(?![限车日码])")
_UP_DOWN_STREAM = re.compile(r"桥面?([上下])游")
_FRONT = re.compile(r"[楼门屋]前(?![来天年几些阵段])|前面|前边|前头|正门|前门")
_BACK = re.compile(r"[楼屋房]后|后面|后边|后头|背后|后墙|后门")
_ROOF = re.compile(r"楼顶|屋顶|天台|顶楼平台")  # 5栋楼顶上 is not 5栋楼下
_ACROSS = re.compile(r"对面|对过")  # 正门对面的站台 is not 正门这一边的
_THIS_SIDE = re.compile(r"这一边|这一侧|同一侧|同侧")
_BELOW = re.compile(r"楼下|楼底下|一楼门头|门头上")  # (楼顶的广告牌 is not 一楼门头上的)
# Opposite sides, each said by its own words: (mark, words, side)
_SIDES_SAID = (("桥上下", _ON_TOP, "上"), ("桥上下", _UNDERNEATH, "下"), ("前后", _FRONT, "前"), ("前后", _BACK, "后"),
               ("内外", _INSIDE, "内"), ("内外", _OUTSIDE, "外"), ("左右", _LEFT, "左"), ("左右", _RIGHT, "右"),
               ("地上下", _ABOVE_GROUND, "地面"), ("地上下", _UNDERGROUND, "地下"),
               ("主辅路", _MAIN_ROAD, "主"), ("主辅路", _SIDE_ROAD, "辅"), ("楼顶下", _ROOF, "顶"), ("楼顶下", _BELOW, "下"),
               ("对面", _ACROSS, "对面"), ("对面", _THIS_SIDE, "这边"),
               ("车道人行道", _CARRIAGEWAY, "车道"), ("车道人行道", _PAVEMENT, "人行道"))
_MAX_TEXT = 400  # characters kept per case: the gist of a report is in its first lines


def _cn_number(s: str) -> str:
    """'三' → '3', '十二' → '12'; otherwise unchanged."""
    value = chinese_numeral(s)
    return s if value is None else str(value)


def _basic_normalize(text: str, normalized: str | None = None) -> str:
    # the shared normalizer (fillers, stutter, ASR noise; `normalized` if already run), then ours
    text = normalize(text or "") if normalized is None else normalized
    text = unicodedata.normalize("NFKC", text or "")
    text = _to_simplified(text).lower()
    text = _HASH_BUILDING.sub(r"\1栋", text)  # 12#2单元: building 12, unit 2 (not unit 122)
    text = _DASHED_NUMBER.sub(r"\1号之\2", text)  # 18-2号 = 十八号之二: house 18 (not 182)
    return _CN_NUM_BEFORE_UNIT.sub(lambda m: _cn_number(m.group(1)), text)


def prepare_text(text: str, basic: str | None = None) -> str:
    """The index's form of a report: content tokens joined by spaces (fillers and punctuation
    removed, numerals normalized, at most ``_MAX_TEXT`` characters). ``basic``:
    ``_basic_normalize(text)`` if already computed."""
    norm = (_basic_normalize(text) if basic is None else basic)[:_MAX_TEXT]
    tokens = []
    for tok in _cut(norm):
        tok = _PUNCT.sub("", tok)
        if not tok or tok in _FILLER:
            continue
        tokens.append(tok)
    return " ".join(tokens)


# Marks read as said (the words' one group): (mark, pattern)
_OLD_NEW_SECTION = re.compile(r"([新老])区(?!域)")  # an estate's old and new section (电厂宿舍老区 ≠ 新区)
_MARKS_AS_SAID = (("新老区", _OLD_NEW_SECTION), ("门", _GATE), ("门", _NUMBERED_SIDE_GATE), ("栋", _LETTER_BUILDING), ("区", _LETTER_ZONE), ("桥", _BRIDGE_END),
                  ("方向", _HEADING), ("楼前后", _FRONT_BACK), ("几号门", _NUMBERED_GATE), ("单双号", _ODD_EVEN),
                  ("上下游", _UP_DOWN_STREAM), ("靠", _LEANING), ("去向", _HEADING_TO))


def _place_marks(tok_text: str) -> dict[str, frozenset[str]]:
    chars = tok_text.replace(" ", "")
    marks: dict[str, set[str]] = {}
    for num, unit in _PLACE_NUMBER.findall(chars):
        marks.setdefault(_UNIT_GROUP[unit], set()).add(num.lstrip("0") or "0")
    for building in _LETTERED_BUILDING.findall(chars):
        marks.setdefault("栋", set()).add(building)
    for mark, said in _MARKS_AS_SAID:
        for value in said.findall(chars):
            marks.setdefault(mark, set()).add(value)
    for said in _EXIT_LETTER.findall(chars):
        marks.setdefault("出口", set()).add("".join(said))
    for said in _COMPASS_EXIT.findall(chars):
        marks.setdefault("出口", set()).add("".join(sorted(said)))  # 通道东北口 ≠ 西南口
    for part in _HOSPITAL_PART.findall(chars):
        marks.setdefault("楼部", set()).add(part)  # 门诊楼的电梯 ≠ 住院楼的
    for gate in _EMERGENCY_GATE.findall(chars):
        marks.setdefault("急诊正门", set()).add(gate.replace("大", ""))
    for way in _STATION_WAY.findall(chars):
        marks.setdefault("进出站", set()).add(way)
    for building in _STEM_BUILDING.findall(chars):
        marks.setdefault("栋", set()).add(building)
    for corner in _CORNER.findall(chars):
        marks.setdefault("角", set()).add("".join(sorted(corner)))  # 东北角 = 北东角
    for said in _COMPASS_SIDE.findall(chars):
        for direction in "".join(said):
            marks.setdefault("东西" if direction in "东西" else "南北", set()).add(direction)
    for way in _INBOUND.findall(chars):
        marks.setdefault("进出城", set()).add("".join(way))
    for kind, said, side in _SIDES_SAID:
        if said.search(chars):
            marks.setdefault(kind, set()).add(side)
    return {k: frozenset(v) for k, v in marks.items()}


_STATION_DIRECTION = re.compile(r"[东西南北]站$")


def _station_with_direction(a: dict, b: dict) -> str:
    """The station both places name, when a direction is part of its name (德州东站)."""
    la, lb = (a or {}).get("landmark") or "", (b or {}).get("landmark") or ""
    return la if la == lb and _STATION_DIRECTION.search(la) else ""


def _bigrams(chars: str) -> frozenset[str]:
    if len(chars) < 2:
        return frozenset([chars]) if chars else frozenset()
    return frozenset(chars[i : i + 2] for i in range(len(chars) - 1))


def _label(place: dict) -> str:
    return place.get("text") or "".join(str(v) for k, v in place.items() if k != "text")


def parent_category(code: str, path: Sequence[str] | None = None) -> str:
    """The key that makes two categories "related": the code without its last three digits
    (``SJ-06001`` → ``SJ-06``, ``01006`` → ``01``); else the taxonomy path without its last
    element; else the code itself; ``""`` when the category is unknown."""
    code = (code or "").strip()
    m = re.fullmatch(r"(.*?)(\d{4,})", code)
    if m:
        return "c:" + m.group(1) + m.group(2)[:-3]
    path = [p for p in (path or []) if p]
    if len(path) >= 2:
        return "p:" + "/".join(path[:-1])
    if code:
        return "c:" + code
    if path:
        return "p:" + path[0]
    return ""


def _close(q, e) -> bool:
    """One's category is among the other's runners-up (不明井盖 / 污水井盖)."""
    return q.code in e.close or e.code in q.close


def _problem_bigrams(tok: str, place: dict) -> frozenset[str]:
    """The character bigrams of what a report says apart from its place: two reports at one
    spot share the place's words whatever their problems (科华北路62号楼下 + 油烟 / 泔水)."""
    chars = tok.replace(" ", "")
    said = _said_place(place.get("text") or "") if place else ""
    return _bigrams(chars.replace(said, "") if said else chars)


@functools.lru_cache(maxsize=4096)
def _said_place(text: str) -> str:
    """A place's words as the index's text has them (cached: the same places recur)."""
    return prepare_text(text).replace(" ", "")


def _objects_of(text: str, basic: str | None = None) -> frozenset[str]:
    # from the normalised text, not the index's words (those lose 地 of 地灯 as a filler)
    return object_kinds((_basic_normalize(text) if basic is None else basic)[:_MAX_TEXT])


def _faults_of(text: str, basic: str | None = None) -> frozenset[str]:
    return fault_kinds((_basic_normalize(text) if basic is None else basic)[:_MAX_TEXT])


class Prepared(NamedTuple):
    """What the index reads from a report's text."""
    tok: str  # its words, normalised, space-separated
    faults: frozenset[str]  # the faults it names (classifiers/dedupe/faults.py)
    recurrence: float  # how surely it says the problem was fixed and is back (recurrence.py)
    objects: frozenset[str] = frozenset()  # the things it names (objects.py)
    another: bool = False  # it says it is another problem than one told before (recurrence.py)
    reported: bool = False  # it says the caller reported it before (上次反映的…; recurrence.py)


def prepare_report(text: str) -> Prepared:
    """What the index reads from a report's text, computed once: in a stage worker, beside
    the classifier, rather than on the gateway's event loop."""
    normalized = normalize(text or "")  # once, for all the readers
    basic = _basic_normalize(text, normalized)
    return Prepared(prepare_text(text, basic), _faults_of(text, basic), recurrence_score(text, normalized),
                    _objects_of(text, basic), says_another_problem(text, normalized), reported_before(normalized))


def warm_up(scoring: bool = True) -> None:
    """Load what preparing a report needs (jieba's dictionary, the recurrence model) now,
    not during the first report; with `scoring`, also the models the scorer reads (still not
    fixed, faults) — a stage worker only prepares."""
    prepare_report("路灯不亮")
    history_model("recurs")
    if scoring:
        history_model("still")
        pair_reader(_faults_of)


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2.0 * len(a & b) / (len(a) + len(b)) if a or b else 0.0

# ---------------------------------------------------------------------------------------------
# The index
# ---------------------------------------------------------------------------------------------


@dataclass
class OpenCase:
    """An open case as the duplicate index sees it."""

    case_no: str
    text: str
    category_code: str = ""
    category_path: list[str] = field(default_factory=list)
    grid_code: str = ""
    point: GeoPoint | None = None
    created_at: datetime | None = None  # timezone-aware: when it was first reported
    # The latest report joined to it (None: created_at): a case still being reported is
    # still a candidate for window_hours after that report.
    last_reported_at: datetime | None = None
    reporter_keys: set[str] = field(default_factory=set)
    status: str = "confirmed"
    place: dict = field(default_factory=dict)  # the structured place (Location.place)
    # The classifier's runner-up categories: a paraphrase of the same problem is often
    # classified one leaf off (不明井盖 / 污水井盖), never far off.
    close_codes: tuple[str, ...] = ()


class _Entry:
    """What the index keeps per case (immutable once built; ``update`` replaces it)."""

    __slots__ = ("case_no", "tok", "code", "parent", "grid", "lat", "lng", "cell", "ts", "ts_last",
                 "reporters", "text", "place", "place_keys", "close", "faults", "recurrence", "profile", "objects",
                 "marks")

    def __init__(self, case_no, tok, code, parent, grid, lat, lng, cell, ts, reporters, text,
                 place=None, place_keys=frozenset(), close=frozenset(), faults=None, recurrence=None,
                 profile=None, ts_last=None):
        self.case_no = case_no
        self.text = text  # the raw text `tok` was prepared from
        self.tok = tok
        self.code = code
        self.parent = parent
        self.grid = grid
        self.lat = lat
        self.lng = lng
        self.cell = cell
        self.ts = ts
        self.ts_last = ts if ts_last is None else ts_last
        self.reporters = reporters
        self.place = place or {}
        self.place_keys = place_keys
        self.close = close
        self.faults = faults  # read from the text when first scored (most cases never are)
        self.recurrence = recurrence  # likewise, when a report says its problem came back
        self.profile = profile  # likewise: the fault model's reading (`_packed`)
        self.objects = None  # likewise: the things it names (objects.py)
        self.marks = None  # likewise: the numbers, gates and sides its text names (_place_marks)

    def fault_profile(self) -> np.ndarray:
        if self.profile is None:
            self.profile = _packed(text_profile(self.text))
        return np.frombuffer(self.profile, dtype=np.float16).astype(np.float32)

    def place_marks(self) -> dict[str, frozenset[str]]:
        if self.marks is None:
            self.marks = _place_marks(self.tok)
        return self.marks

    def object_kinds(self) -> frozenset[str]:
        if self.objects is None:
            self.objects = _objects_of(self.text)
        return self.objects

    def fault_kinds(self) -> frozenset[str]:
        if self.faults is None:
            self.faults = _faults_of(self.text)  # a benign race: two threads compute the same
        return self.faults

    def recurrence_score(self) -> float:
        if self.recurrence is None:
            self.recurrence = recurrence_score(self.text)
        return self.recurrence


def _packed(profile: np.ndarray) -> bytes:
    """A fault distribution as an open case keeps it: 2 bytes a kind (74 bytes, not 260 as an array)."""
    return profile.astype(np.float16).tobytes()


_M_PER_DEG = 111_320.0


class _Query:
    __slots__ = ("tok", "chars", "bigrams", "marks", "code", "parent", "grid", "lat", "lng",
                 "ts", "reporters", "place", "place_keys", "close", "recurs", "another", "faults", "text", "still",
                 "profile", "objects")

    def fault_profile(self) -> np.ndarray:
        """The fault model's reading, made only where two reports name one spot."""
        if self.profile is None:
            self.profile = text_profile(self.text)
        return self.profile

    def says_still(self, threshold: float) -> bool:
        """Does the report say the problem was never fixed, or ask after it? Read only where
        it can change a decision (most reports never need it)."""
        if self.still is None:
            self.still = still_score(self.text) >= threshold
        return self.still


class DuplicateIndex:
    """In-memory index of open cases and the duplicate scorer.

    ``settings``: `DuplicateSettings` (thresholds, radius, window, candidates; from
    config.toml), with keyword overrides of its fields. Tuning of the scorer:

    ``reporter_scan_limit`` (50) most recent open cases looked at per reporter key;
    ``grid_scan_limit`` (500) most recent open cases of the category looked at in the grid
    and in each nearby cell (a busy grid's older cases are found by their place or reporter);
    ``placeless_scan_limit`` (200) most recent open cases of the category looked at for a
    report with neither grid nor coordinates (and, for located reports, of same-code cases
    that had neither);
    ``open_statuses`` statuses a case in the index may have (default: the work orders' own);
    ``parent_of`` function (code, path) → key that makes two categories related
    (default ``parent_category``);
    ``text_weight`` / ``place_weight`` / ``category_weight`` / ``time_weight``
    (0.35 / 0.30 / 0.25 / 0.10, normalized to sum 1) the score's components;
    ``min_text_attach`` (0.30) least text similarity for an automatic attachment (except
    the same reporter); ``min_vague_text_attach`` (0.20) the same for a vaguer report of the
    same category that tells of the same problem; ``repost_text`` (0.90) text similarity that
    allows an automatic attachment across related or unknown categories (``reporter_repost_text``
    (0.85) from the same reporter: a message posted again under another title); ``full_score_limit`` (24) candidates
    fully scored after the cheap first pass; ``reporter_one_problem`` (0.2) the pair reader's
    probability of one problem below which the same reporter at the very same spot under the
    same category tells of two (else ``one_problem_threshold``); ``reporter_bonus`` (0.08) added for the same
    reporter when the place agrees or is unstated; ``min_problem_text`` (0.08) least
    similarity of the texts apart from their place (bigram Dice) for joining a case whose
    category is only among the report's runners-up.
    """

    def __init__(
        self,
        settings: DuplicateSettings | None = None,
        *,
        reporter_scan_limit: int = 50,
        placeless_scan_limit: int = 200,
        grid_scan_limit: int = 500,
        open_statuses: Iterable[str] = OPEN_STATUSES,
        parent_of: Callable[[str, Sequence[str]], str] = parent_category,
        text_weight: float = 0.35,
        place_weight: float = 0.30,
        category_weight: float = 0.25,
        time_weight: float = 0.10,
        min_text_attach: float = 0.30,
        min_vague_text_attach: float = 0.20,
        repost_text: float = 0.90,
        full_score_limit: int = 8,
        reporter_bonus: float = 0.08,
        min_problem_text: float = 0.08,
        same_problem_text: float = 0.19,
        reporter_one_problem: float = 0.2,
        reporter_repost_text: float = 0.85,
        **overrides: float,
    ) -> None:
        settings = dataclasses.replace(settings or DuplicateSettings(), **overrides)
        problems = settings.problems()
        if problems:
            raise ValueError("; ".join(problems))
        attach_threshold, suggest_threshold = settings.attach_threshold, settings.suggest_threshold
        radius_m, max_candidates = settings.radius_m, settings.max_candidates
        window = timedelta(hours=settings.window_hours)
        self.attach_threshold = attach_threshold
        self.suggest_threshold = suggest_threshold
        self.radius_m = float(radius_m)
        self.window = window
        self.max_candidates = max_candidates
        self.reporter_scan_limit = reporter_scan_limit
        self.placeless_scan_limit = placeless_scan_limit
        self.grid_scan_limit = grid_scan_limit
        self.open_statuses = frozenset(open_statuses)
        self.parent_of = parent_of
        self.min_text_attach = min_text_attach
        self.min_vague_text_attach = min_vague_text_attach
        self.repost_text = repost_text
        self.full_score_limit = max(1, full_score_limit)
        self.reporter_bonus = reporter_bonus
        self.min_problem_text = min_problem_text
        self.same_problem_text = same_problem_text
        self.reporter_one_problem = reporter_one_problem
        self.reporter_repost_text = reporter_repost_text
        self.recurrence_threshold = settings.recurrence_threshold
        self.still_threshold = settings.still_threshold
        self.one_problem_threshold = settings.one_problem_threshold
        self.same_problem_threshold = settings.same_problem_threshold
        self.close_problem_threshold = settings.close_problem_threshold
        total = text_weight + place_weight + category_weight + time_weight
        self.text_weight = text_weight / total
        self.place_weight = place_weight / total
        self.category_weight = category_weight / total
        self.time_weight = time_weight / total
        self._cell_lat = self.radius_m / _M_PER_DEG  # cell height in degrees
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        # Texts just checked → what the check read from them (the prepared form, and the
        # fault model's reading if one was made): the report that becomes a new case is
        # indexed with the text it was checked with, so it is read once, not twice.
        self._recent: dict[str, tuple[Prepared, _Query]] = {}
        self._by_grid: dict[str, dict[str, dict[str, _Entry]]] = {}  # grid → parent → cases
        self._by_cell: dict[tuple[int, int], dict[str, dict[str, _Entry]]] = {}
        self._by_parent: dict[str, dict[str, _Entry]] = {}  # insertion (≈ time) ordered
        self._placeless: dict[str, dict[str, _Entry]] = {}  # code → cases without a place
        self._by_reporter: dict[str, dict[str, _Entry]] = {}
        # A named place (road + number, junction, compound, landmark) → parent → cases: how a
        # report with no grid and no coordinates finds the cases at the place it names.
        self._by_place: dict[str, dict[str, dict[str, _Entry]]] = {}

    # -- maintenance --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, case_no: object) -> bool:
        return case_no in self._entries

    def _cell(self, lat: float, lng: float) -> tuple[int, int]:
        # Cells are radius_m high and radius_m / cos(lat) degrees wide at the equator's scale,
        # so a cell is never narrower than radius_m anywhere; see _near_cells.
        return (math.floor(lat / self._cell_lat), math.floor(lng / self._cell_lat))

    def _make_entry(self, case: OpenCase) -> _Entry:
        if case.created_at is None or case.created_at.tzinfo is None:
            raise ValueError(f"case {case.case_no}: created_at must be a timezone-aware datetime")
        lat = lng = None
        cell = None
        if case.point is not None:
            lat, lng = float(case.point.lat), float(case.point.lng)
            cell = self._cell(lat, lng)
        reporters = tuple(sorted(k for k in case.reporter_keys if k))
        # A case is re-indexed on every change (a reporter joins, the status moves); its
        # text rarely changes, and preparing it (jieba) is the expensive part.
        known = self._entries.get(case.case_no)
        if known is not None and known.text == case.text:
            tok, faults, recurrence, profile = known.tok, known.faults, known.recurrence, known.profile
        else:
            with self._lock:
                prepared, q = self._recent.pop(case.text, (None, None))
            tok, faults, recurrence = prepared[:3] if prepared else (prepare_text(case.text), None, None)
            profile = _packed(q.profile) if q is not None and q.profile is not None else None
        return _Entry(
            case.case_no,
            tok,
            case.category_code or "",
            self.parent_of(case.category_code or "", case.category_path or []),
            case.grid_code or "",
            lat,
            lng,
            cell,
            case.created_at.timestamp(),
            reporters,
            case.text,
            dict(case.place or {}),
            frozenset(place_keys(case.place)),
            frozenset(c for c in (case.category_code, *case.close_codes) if c),
            faults,
            recurrence,
            profile,
            case.last_reported_at.timestamp() if case.last_reported_at is not None else None,
        )

    def add(self, case: OpenCase) -> None:
        """Index an open case (a case with a closed status is not indexed; re-adding a case
        number replaces the earlier entry)."""
        if case.status not in self.open_statuses:
            self.remove(case.case_no)
            return
        entry = self._make_entry(case)  # jieba outside the lock
        with self._lock:
            self._unlink(case.case_no)
            self._link(entry)

    def update(self, case: OpenCase) -> None:
        """New status, text (e.g. merged reports), category or place: same as ``add``."""
        self.add(case)

    def remove(self, case_no: str) -> bool:
        """Drop a case (closed, rejected, merged). True if it was indexed."""
        with self._lock:
            return self._unlink(case_no)

    def _link(self, e: _Entry) -> None:
        self._entries[e.case_no] = e
        self._by_parent.setdefault(e.parent, {})[e.case_no] = e
        if e.grid:
            self._by_grid.setdefault(e.grid, {}).setdefault(e.parent, {})[e.case_no] = e
        if e.cell is not None:
            self._by_cell.setdefault(e.cell, {}).setdefault(e.parent, {})[e.case_no] = e
        # Cases with no grid, no point and no place said: a located report may still be
        # one of them. (A case that names an unregistered place is found by its place keys.)
        if not e.grid and e.cell is None and not e.place_keys:
            self._placeless.setdefault(e.code, {})[e.case_no] = e
        for key in e.reporters:
            self._by_reporter.setdefault(key, {})[e.case_no] = e
        for key in e.place_keys:
            self._by_place.setdefault(key, {}).setdefault(e.parent, {})[e.case_no] = e

    @staticmethod
    def _drop(index: dict, key, case_no: str) -> None:
        bucket = index.get(key)
        if bucket is not None:
            bucket.pop(case_no, None)
            if not bucket:
                del index[key]

    def _drop2(self, index: dict, key, parent: str, case_no: str) -> None:
        outer = index.get(key)
        if outer is not None:
            self._drop(outer, parent, case_no)
            if not outer:
                del index[key]

    def _unlink(self, case_no: str) -> bool:
        e = self._entries.pop(case_no, None)
        if e is None:
            return False
        self._drop(self._by_parent, e.parent, case_no)
        if e.grid:
            self._drop2(self._by_grid, e.grid, e.parent, case_no)
        if e.cell is not None:
            self._drop2(self._by_cell, e.cell, e.parent, case_no)
        if not e.grid and e.cell is None and not e.place_keys:
            self._drop(self._placeless, e.code, case_no)
        for key in e.reporters:
            self._drop(self._by_reporter, key, case_no)
        for key in e.place_keys:
            self._drop2(self._by_place, key, e.parent, case_no)
        return True

    # -- candidates ---------------------------------------------------------------------------

    def _near_cells(self, lat: float, lng: float) -> list[tuple[int, int]]:
        cy, cx = self._cell(lat, lng)
        # A cell is radius_m high; in longitude it is radius_m * cos(lat) wide, so look
        # ceil(1 / cos(lat)) cells either side.
        kx = max(1, math.ceil(1.0 / max(math.cos(math.radians(lat)), 0.05)))
        return [(cy + dy, cx + dx) for dy in (-1, 0, 1) for dx in range(-kx, kx + 1)]

    def _parents_in(self, outer: dict[str, dict[str, _Entry]], parent: str):
        if not parent:  # unknown category: every category at that place
            yield from outer.values()
            return
        b = outer.get(parent)
        if b:
            yield b
        if parent:  # cases whose category was unknown
            b = outer.get("")
            if b:
                yield b

    def _gather(self, q: _Query) -> dict[str, tuple[_Entry, str]]:
        lo, hi = q.ts - self.window.total_seconds(), q.ts + self.window.total_seconds()
        found: dict[str, tuple[_Entry, str]] = {}

        def take(bucket: Iterable[_Entry], how: str, limit: int | None = None) -> None:
            n = 0
            for e in bucket:
                if limit is not None:
                    n += 1
                    if n > limit:
                        break
                if e.ts <= hi and lo <= e.ts_last and e.case_no not in found:
                    found[e.case_no] = (e, how)

        with self._lock:
            for key in q.reporters:
                b = self._by_reporter.get(key)
                if b:
                    take(reversed(b.values()), "reporter", self.reporter_scan_limit)
            located = False
            if q.grid:
                located = True
                outer = self._by_grid.get(q.grid)
                if outer:
                    for b in self._parents_in(outer, q.parent):
                        take(reversed(b.values()), "grid", self.grid_scan_limit)
            if q.lat is not None:
                located = True
                for cell in self._near_cells(q.lat, q.lng):
                    outer = self._by_cell.get(cell)
                    if outer:
                        for b in self._parents_in(outer, q.parent):
                            take(reversed(b.values()), "near", self.grid_scan_limit)
            for key in q.place_keys:
                outer = self._by_place.get(key)
                if outer:  # a long road gathers many cases: the most recent are enough
                    for b in self._parents_in(outer, q.parent):
                        take(reversed(b.values()), "place", self.placeless_scan_limit)
                    # At the very place named, a paraphrase classified a branch away may
                    # still be the same problem: the scorer judges it by the words the two
                    # texts share apart from the place. (Each looked at as far back as the
                    # same-category bucket is, no further.)
                    for parent, b in outer.items():
                        if parent and parent != q.parent:
                            take(itertools.islice(reversed(b.values()), self.placeless_scan_limit), "place")
            if located:
                b = self._placeless.get(q.code) if q.code else None
                if b:
                    take(reversed(b.values()), "category", self.placeless_scan_limit)
            elif q.parent and not q.place_keys:
                b = self._by_parent.get(q.parent)
                if b:
                    take(reversed(b.values()), "category", self.placeless_scan_limit)
        return found

    # -- scoring ------------------------------------------------------------------------------

    @staticmethod
    def _text_similarity(q: _Query, e: _Entry) -> tuple[float, dict[str, float]]:
        if not q.tok or not e.tok:
            return 0.0, {}
        echars = e.tok.replace(" ", "")
        tset = fuzz.token_set_ratio(q.tok, e.tok) / 100.0
        tsort = fuzz.token_sort_ratio(q.tok, e.tok) / 100.0
        cratio = fuzz.ratio(q.chars, echars) / 100.0
        eb = _bigrams(echars)
        inter = len(q.bigrams & eb)
        dice = 2.0 * inter / (len(q.bigrams) + len(eb)) if (q.bigrams or eb) else 0.0
        # token_set_ratio is 1.0 whenever one text's tokens are a subset of the other's; damp
        # it when the shorter text is much shorter (a two-word report says little).
        short, long_ = sorted((len(q.chars), len(echars)))
        coverage = short / long_ if long_ else 0.0
        tset_damped = tset * (0.6 + 0.4 * min(1.0, coverage * 2))
        text = 0.35 * tset_damped + 0.35 * dice + 0.30 * max(tsort, cratio)
        return text, {
            "token_set": round(tset, 3),
            "token_sort": round(tsort, 3),
            "char_ratio": round(cratio, 3),
            "bigram_dice": round(dice, 3),
        }

    def _score(self, q: _Query, e: _Entry, how: str) -> Candidate:
        text, text_detail = self._text_similarity(q, e)
        same_reporter = bool(set(q.reporters) & set(e.reporters))

        # place: 1.0 same spot, 0.8 same grid, 0.0 elsewhere; 0.4 when unknown on either side
        # (0.8 if it is the same reporter: someone ringing back need not repeat the address)
        distance = None
        same_grid = bool(q.grid and q.grid == e.grid)
        named = same_place(q.place, e.place)  # what the two texts say of the place
        if named == "unknown" and bool(q.place) != bool(e.place):
            # one reads no place, but says the other's by its bare name: a vaguer report
            place_said, bare = (q.place, e.tok.replace(" ", "")) if q.place else (e.place, q.chars)
            if named_bare(place_said, bare):
                named = "compatible"
        if named in ("same", "compatible") and not (q.grid and e.grid and not same_grid):
            place = 1.0 if named == "same" else 0.75
            place_known = True
            place_consistent = True
        elif q.lat is not None and e.lat is not None:
            distance = near_distance_m(q.lat, q.lng, e.lat, e.lng)
            place = max(0.0, 1.0 - (distance / self.radius_m) ** 2)
            place_known = True
            place_consistent = distance <= self.radius_m
        elif q.grid and e.grid:
            place = 0.8 if same_grid else 0.0
            place_known = True
            place_consistent = same_grid
        else:
            place = 0.8 if same_reporter else 0.4
            place_known = False
            place_consistent = True
        conflicts = []
        if named == "different":
            conflicts.append("地点不同：" + _label(q.place) + "≠" + _label(e.place))
        em, qm = e.place_marks(), q.marks
        station = _station_with_direction(q.place, e.place)
        if station:  # (德州东站东广场 / 德州东站西广场: the 东 of the station's name is no side)
            em = _place_marks(e.tok.replace(" ", "").replace(station, "|"))
            qm = _place_marks(q.tok.replace(" ", "").replace(station, "|"))
        for kind, values in qm.items():
            other = em.get(kind)
            if other and not (values & other):
                conflicts.append(f"{kind}: {'/'.join(sorted(values))}≠{'/'.join(sorted(other))}")
        if conflicts:
            place *= 0.0 if named == "different" else 0.25
            place_consistent = False

        # category: same code 1.0, one's among the other's runners-up 0.75, related (same
        # parent) or unknown 0.5
        if q.code and q.code == e.code:
            category = 1.0
        elif q.code and e.code and _close(q, e):
            category = 0.75
        elif (q.parent and q.parent == e.parent) or not q.parent or not e.parent:
            category = 0.5
        else:
            category = 0.0

        # Where both name the same spot, the words the texts share apart from the place.
        problem_text = None
        if named in ("same", "compatible"):
            problem_text = _dice(_problem_bigrams(q.tok, q.place), _problem_bigrams(e.tok, e.place))
        # At the very same spot, texts that say much the same apart from the place (大狼狗没拴 /
        # 大狼狗不拴绳) tell of one problem however far apart the classifier put them.
        # Each names what is wrong, and nothing in common (路灯不亮 / 路灯白天亮, 油烟 / 占道):
        # two problems, however close their categories and words.
        e_faults = e.fault_kinds()
        # …and each naming the same fault in its own words (积水 / 淹得老深, 窨井敞口 / 盖子没了)
        # is the same problem even when they share no words.
        words_same = bool(q.faults & e_faults)
        words_other = bool(q.faults and e_faults and not words_same)
        same_fault, other_fault = words_same, words_other
        # Where both name the same spot, the pair reader weighs what each says is wrong (the
        # fault model's reading of both, the words' verdict): two faults that are one problem
        # told two ways (红绿灯全灭 / 车都在抢着走) or two problems (油烟 / 占道). A fault the
        # model reads surely as one of a narrow kind in both (墙上瓷砖一块块往下掉 / 外墙瓷砖脱落)
        # is the same fault.
        one_problem = None
        read_alike = False
        # Filed under one category, naming one fault: one problem without asking the reader
        # (the commonest repeat, and the fault model's reading costs 40 µs a text).
        if named in ("same", "compatible") and not (words_same and category == 1.0):
            q_profile, e_profile = q.fault_profile(), e.fault_profile()
            one_problem = pair_reader(_faults_of).probability(q_profile, e_profile, words_same, words_other)
            # The same person at the very same spot under the same category (a re-post, a second
            # channel, a chase) is told apart only when the reader is sure of two problems.
            again = same_reporter and named == "same" and category == 1.0
            other_fault = one_problem < (min(self.reporter_one_problem, self.one_problem_threshold) if again
                                         else self.one_problem_threshold)
            read_alike = not words_same and not other_fault and faults_alike(q_profile, e_profile)
            same_fault = words_same and not other_fault or read_alike
        # Read surely as one problem at the very same spot, it is one whatever the categories
        # (电压不稳 filed as 交通信号灯: the classifier's mistake, not the citizen's); at a spot
        # one of them names more loosely (星汉路上有个井没盖子 / 星汉路214号门前), in a close category.
        # Each names a thing, none the same (污水井盖 / 雨水箅子, 道闸 / 门禁): two problems there,
        # whatever the reader makes of their faults.
        other_object = named in ("same", "compatible") and objects_differ(q.objects, e.object_kinds())
        faults_told_apart = other_fault
        if other_object:
            other_fault, same_fault = True, False
        read_one = not other_object and one_problem is not None and one_problem >= self.same_problem_threshold and (
            named == "same" or named == "compatible" and category >= 0.75)
        # …as is, without the reader, one category and one fault named at the very same spot
        told_one = read_one or named == "same" and words_same and category == 1.0
        same_problem = (named == "same" and category < 0.75 and not other_fault
                        and (problem_text >= self.same_problem_text or same_fault and category >= 0.5 or read_one))
        same_fault = same_fault or read_one
        # One report names the spot more closely than the other (盛世家园12栋3单元 / 盛世家园12栋):
        # the same spot when they tell of the same problem — the same or a close category with
        # words in common, or many words in common whatever the categories.
        vaguer = named == "compatible" and not conflicts and not other_fault and (
            category >= 0.75 and (problem_text >= self.min_problem_text or same_fault)
            or problem_text >= self.same_problem_text)
        if vaguer:
            place = 1.0
        category_said = category
        if same_problem or vaguer:
            category = max(category, 0.75)
        if read_one:  # the categories only stood for the problem, which is read as one
            category = 1.0

        # time: 1.0 now, 0.5 at the edge of the window
        age_s = max(0.0, e.ts - q.ts, q.ts - e.ts_last)  # from the nearest of its reports
        recency = 1.0 - 0.5 * min(1.0, age_s / self.window.total_seconds())

        score = (self.text_weight * text + self.place_weight * place
                 + self.category_weight * category + self.time_weight * recency)
        # The same person (phone, chat user, e-mail) about the same place or an unstated one:
        # a call-back or a second channel, strong evidence on its own.
        if same_reporter and place_consistent:
            score = min(1.0, score + self.reporter_bonus)
        # Attach automatically only with a known, consistent place (or the same reporter) and
        # text that says the same thing at least in part; otherwise at most suggest.
        # A related (not the same) or unknown category is offered, not attached, unless the
        # text is a near-verbatim repeat (a re-post whose category came out differently).
        # Where both name the same spot, a problem classified a leaf or a branch off (one's
        # category among the other's runners-up: 路灯 / 跨河桥 for "桥上路灯全黑") is the same
        # problem when the texts, apart from the place they share, still have words in common
        # (油烟 and 泔水 at one restaurant have none); so is a vaguer report of the same spot.
        # The reader leaning to one problem will do too, when the classifier already put the
        # two close (垃圾桶满了 / 楼下垃圾堆了好几天, filed as 满溢 and 暴露垃圾).
        read_close = one_problem is not None and one_problem >= self.close_problem_threshold and category_said >= 0.75
        category_ok = not other_fault and (category == 1.0 or (
            named in ("same", "compatible") and category == 0.75
            and (problem_text >= self.min_problem_text or same_fault or read_close)))
        # The same person at the very same spot asking how it goes ("修好了没有？"): a chase.
        # So is the same person saying it is still not fixed, naming the place more loosely
        # or not at all ("怡和那边树压电线的事有人管吗", "永乐坊嗰个渠冚点解仲未搞掂？").
        # Where "still not fixed" counts: a place that agrees, in a related category.
        still_counts = named != "different" and place_consistent and not conflicts and category >= 0.5
        # The same person at the very same spot saying it is still not fixed is chasing it
        # whatever the two were classified as (楼到灯 for 楼道灯: a misheard word moved one).
        still_chase = same_reporter and (still_counts or named == "same" and place_consistent and not conflicts) \
            and q.says_still(self.still_threshold)
        chase = same_reporter and named == "same" and not (q.code and e.code) or still_chase
        # "修好了，又坏了": fixed and back is a new occurrence; the operator may still join it.
        # Unless the open case told the same story (a re-post, a neighbour's account of it).
        came_back = q.recurs and e.recurrence_score() < self.recurrence_threshold
        auto = (not came_back and not q.another and place_consistent and (place_known or same_reporter)
                and (text >= self.min_text_attach or same_reporter or told_one
                     # a vaguer report of the same category and the same problem's words
                     # shares little text with the precise one (光明菜市场那边 / 光明路218号…)
                     or vaguer and category == 1.0 and text >= self.min_vague_text_attach)
                and (category_ok or chase or text >= self.repost_text
                     or same_reporter and text >= self.reporter_repost_text))
        # "我前天就报了，到现在还是歪着": the problem at this very spot is still there, however
        # differently the two tell it (撞裂了 / 还歪在那) — in a related category at least.
        still_there = (not auto and not came_back and not q.another and score >= self.attach_threshold
                       and named in ("same", "compatible") and still_counts and q.says_still(self.still_threshold))
        auto = auto or still_there
        explanation = {
            "score": round(score, 3),
            "text": round(text, 3),
            "place": round(place, 3),
            "category": round(category, 3),
            "time": round(recency, 3),
            "same_reporter": same_reporter,
            "same_grid": same_grid,
            "same_place": named,
            "distance_m": None if distance is None else round(distance, 1),
            "age_hours": round(age_s / 3600.0, 2),
            "found_by": how,
            "auto_attach_allowed": auto,
            "text_detail": text_detail,
        }
        if problem_text is not None:
            explanation["problem_text"] = round(problem_text, 3)
        if same_problem or vaguer:
            explanation["same_problem_words"] = True
        if came_back:
            explanation["recurrence"] = True
        if q.another:
            explanation["another_problem"] = True
        if still_there:
            explanation["still_open"] = True
        if still_chase and auto:
            explanation["chase"] = True
        if category_said != category:
            explanation["category_classified"] = round(category_said, 3)
        if one_problem is not None:
            explanation["one_problem"] = round(one_problem, 3)
        if read_alike or same_fault and not words_same:
            explanation["same_fault"] = fault_model().classes[int(q.fault_profile().argmax())] + "（模型）"
        elif same_fault:
            explanation["same_fault"] = "/".join(sorted(q.faults & e_faults))
        if other_object:
            explanation["different_object"] = "/".join(sorted(q.objects)) + "≠" + "/".join(sorted(e.object_kinds()))
        if faults_told_apart:
            if words_other:
                told = "/".join(sorted(q.faults)) + "≠" + "/".join(sorted(e_faults))
            else:
                kinds = fault_model().classes
                told = f"{kinds[int(q.fault_profile().argmax())]}≠{kinds[int(e.fault_profile().argmax())]}"
            explanation["different_fault"] = told if one_problem is None else told + "（模型）"
        if conflicts:
            explanation["place_conflicts"] = conflicts
        return Candidate(case_no=e.case_no, score=round(score, 4), explanation=explanation)

    # -- the check ----------------------------------------------------------------------------

    def _query(self, text: str, category_code: str = "", category_path: Sequence[str] | None = None,
               grid_code: str = "", point: GeoPoint | None = None, reporter_keys: Iterable[str] = (),
               at: datetime | None = None, prepared: Prepared | None = None,
               place: dict | None = None, close_codes: Iterable[str] = ()) -> _Query:
        """A report as the scorer sees it."""
        q = _Query()
        prepared = prepared if prepared is not None else prepare_report(text)
        q.tok, q.faults, q.profile = prepared.tok, prepared.faults, None
        with self._lock:
            self._recent[text] = (prepared, q)  # the new case's entry takes what the check read
            if len(self._recent) > _RECENT_KEPT:
                del self._recent[next(iter(self._recent))]
        q.chars = q.tok.replace(" ", "")
        q.bigrams = _bigrams(q.chars)
        q.marks = _place_marks(q.tok)
        q.objects = prepared.objects
        q.code = category_code or ""
        q.parent = self.parent_of(q.code, list(category_path or []))
        q.grid = grid_code or ""
        q.lat = q.lng = None
        if point is not None:
            q.lat, q.lng = float(point.lat), float(point.lng)
        q.ts = at.timestamp()
        q.reporters = tuple(sorted(k for k in reporter_keys if k))
        q.place = dict(place or {})
        q.place_keys = frozenset(place_keys(q.place, query=True))
        q.close = frozenset(c for c in (q.code, *close_codes) if c)
        q.another = prepared.another
        q.text, q.still = text, None
        # (俺上回反映的…到现在还是黑的: said reported before and still not fixed, with no "fixed" word, it
        # is a chase however much the recurrence model hears "again" in 还是)
        q.recurs = prepared.recurrence >= self.recurrence_threshold and not (
            prepared.recurrence < 1.0 and prepared.reported and q.says_still(self.still_threshold))
        return q

    def check(
        self,
        text: str,
        category_code: str = "",
        category_path: Sequence[str] | None = None,
        grid_code: str = "",
        point: GeoPoint | None = None,
        reporter_keys: Iterable[str] = (),
        at: datetime | None = None,
        prepared: Prepared | None = None,
        place: dict | None = None,
        close_codes: Iterable[str] = (),
    ) -> DuplicateCheck:
        """Is this report a repeat of an open case? ``attach`` (with ``case_no``) at or above
        ``attach_threshold``, ``suggest`` (candidates, best first) at or above
        ``suggest_threshold``, else ``new``. ``prepared``: ``prepare_report(text)`` if it
        was already computed (in another process)."""
        if at is None or at.tzinfo is None:
            raise ValueError("at must be a timezone-aware datetime")
        q = self._query(text, category_code, category_path, grid_code, point, reporter_keys, at,
                        prepared, place, close_codes)
        found = list(self._gather(q).values())
        if len(found) > self.full_score_limit and q.tok:
            # Cheap first pass over many candidates: one token-set similarity per candidate,
            # computed in C, plus the category and reporter evidence; the full score (and its
            # explanation) only for the best ``full_score_limit``.
            quick = process.cdist([q.tok], [e.tok for e, _ in found], scorer=fuzz.token_set_ratio,
                                  dtype=np.float32)[0]
            qkeys = set(q.reporters)
            proxy = [
                quick[i] / 100.0 + (0.5 if e.code == q.code else 0.0)
                + (0.3 if qkeys and qkeys.intersection(e.reporters) else 0.0)
                for i, (e, _) in enumerate(found)
            ]
            keep = np.argsort(np.asarray(proxy), kind="stable")[::-1][: self.full_score_limit]
            found = [found[i] for i in keep]
        scored: list[Candidate] = []
        for e, how in found:
            cand = self._score(q, e, how)
            if cand.score >= self.suggest_threshold:
                scored.append(cand)
        scored.sort(key=lambda c: (-c.score, -c.explanation["time"], c.case_no))
        top = scored[: self.max_candidates]
        if not top:
            return DuplicateCheck(action="new")
        best = top[0]
        # The same person saying it is still not fixed, about the place of an open case of
        # theirs, is chasing that case even when a consultation's category lowers the score.
        if best.explanation["auto_attach_allowed"] and (best.score >= self.attach_threshold
                                                        or best.explanation.get("chase")):
            return DuplicateCheck(action="attach", case_no=best.case_no, candidates=top)
        return DuplicateCheck(action="suggest", candidates=top)
