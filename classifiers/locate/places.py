"""Place extraction that needs no registry: the place phrase a dispatcher would write down,
as a structured place (docs/places.md), from any text.

    extract_place("和平路十八号门口的井盖没了") ->
        Place(road="和平路", number="18", side="门口", text="和平路十八号门口")

A real city's registry never holds every shop, gate and stretch of road citizens name, so
the place is read from the words themselves: roads with their house numbers, junctions in
all their wordings, compounds with building, unit, gate and side, landmarks and shops,
villages, metro exits, bridges, stretches, and district and street names (the national
division table's, for the configured city and beyond). Numbers are normalised (十八号 → 18,
五号楼 → 5), gates and sides to a small vocabulary (东大门 → 东门, 东头 → 东侧, 楼下 → 下).

Everything here is pattern work on normalised text (classifiers.normalize): no I/O, no
registry, a few dozen regular expressions — well under a millisecond a report.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from classifiers.normalize import chinese_numeral, normalize

__all__ = ["GENERIC_LANDMARKS", "Place", "PlaceReader", "extract_place"]

CJK = "\u4e00-\u9fff"
GAZETTEER = Path(__file__).resolve().parents[1] / "data" / "gazetteer"

# -- vocabulary -----------------------------------------------------------------------------

ROAD_SUFFIXES = ("大道", "大街", "小街", "胡同", "公路", "国道", "省道", "环路", "马路", "路", "街", "巷", "弄", "道")
# Words that end like a road but are not one (or are too generic to name one).
NOT_ROADS = {
    "马路", "道路", "公路", "大路", "小路", "大街", "小街", "街道", "过道", "通道", "人行道", "车道", "下水道",
    "楼道", "巷道", "走道", "便道", "盲道", "辅道", "主道", "隧道", "地道", "管道", "水道", "航道", "轨道", "步道",
    "一路", "上路", "半路", "走路", "过路", "路路", "线路", "电路", "铁路", "水路", "出路", "思路", "套路",
    "进路", "来路", "去路", "老路", "新路", "修路", "挖路", "堵路", "占路", "封路", "绕路", "带路", "引路", "问路",
    "街街", "上街", "逛街", "沿街", "临街", "满街", "当街", "整条街", "这条街", "那条街", "这条路", "那条路",
    "小巷", "巷", "胡同", "这胡同", "那胡同", "弄", "人行横道", "斑马线道", "健身步道", "绿道", "渠道", "知道",
    "报道", "味道", "难道", "频道", "霸道", "正道", "地下通道", "消防通道", "安全通道", "小道", "车行道",
}
COMPOUND_SUFFIXES = ("家属院", "家属区", "小区", "花园", "家园", "嘉园", "公寓", "新村", "宿舍", "大院",
                     "苑", "园", "村", "庄", "府", "城", "湾", "庭", "邸", "里", "坊", "院")
# "…园" that are places to go, not homes: landmarks.
LANDMARK_GARDENS = ("公园", "幼儿园", "动物园", "植物园", "游乐园", "乐园", "产业园", "工业园", "科技园",
                    "园区", "陵园", "墓园", "校园", "菜园", "果园", "茶园", "花园广场")
NOT_COMPOUNDS = {
    "小区", "花园", "家园", "公寓", "新村", "宿舍", "大院", "村", "庄", "府", "城", "里", "院", "园", "苑",
    "农村", "村里", "村庄", "这个村", "我们村", "本村", "全村", "进城", "县城", "城里", "城市", "城管", "满城",
    "这里", "那里", "哪里", "家里", "院里", "屋里", "心里", "夜里", "公里", "这小区", "我们小区", "你们小区",
    "他们小区", "本小区", "该小区", "整个小区", "那个小区", "这个小区", "老小区", "新小区", "我家小区",
    "后院", "前院", "大杂院", "医院", "法院", "学院", "剧院", "影院", "电影院", "卫生院", "敬老院", "养老院",
    "福利院", "研究院", "设计院", "检察院", "书院", "寺院", "院院", "庭院", "天井院", "四合院",
    "小花园", "后花园", "屋顶花园", "空中花园", "街心花园", "楼顶花园",
}
LANDMARK_SUFFIXES = (
    "购物中心", "商业中心", "服务中心", "活动中心", "文化中心", "体育中心", "卫生服务站", "卫生服务中心",
    "菜市场", "农贸市场", "批发市场", "超市", "商场", "市场", "商城", "广场", "大厦", "大楼", "中心",
    "医院", "卫生院", "诊所", "药店", "药房", "小学", "中学", "大学", "学院", "学校", "幼儿园", "公园",
    "动物园", "植物园", "体育馆", "图书馆", "博物馆", "文化馆", "派出所", "法院", "政府", "银行",
    "酒店", "饭店", "宾馆", "旅馆", "餐厅", "饭馆", "火锅店", "烧烤店", "店", "加油站", "充电站",
    "地铁站", "公交站", "汽车站", "火车站", "客运站", "高铁站", "站", "大桥", "立交桥", "立交", "天桥",
    "过街天桥", "人行天桥", "桥", "隧道", "寺", "庙", "教堂", "厂", "公司", "工地", "食堂", "网吧", "KTV",
    "影院", "电影院", "剧院", "书店", "菜场", "驾校", "球场", "停车场", "码头", "游泳馆", "健身房",
)
GENERIC_LANDMARKS = {"天桥", "过街天桥", "人行天桥", "立交桥", "立交", "高架桥", "大桥", "公交站", "地铁站"}
NOT_LANDMARKS = {
    "超市", "商场", "市场", "广场", "大厦", "大楼", "中心", "医院", "药店", "学校", "小学", "中学", "大学",
    "公园", "银行", "酒店", "饭店", "宾馆", "店", "站", "桥", "厂", "公司", "工地", "这个店", "那个店", "小店",
    "商店", "门店", "店店", "车站", "这个站", "那个站", "停车场", "菜场", "菜市场", "这桥", "那桥", "过桥", "上桥",
    "下桥", "桥桥", "厂厂", "政府", "派出所", "这家店", "那家店", "饭馆", "餐厅", "网吧", "书店", "食堂",
}
GENERIC_LANDMARK_PREFIX = ("这个", "那个", "这家", "那家", "一家", "一个", "我们", "你们", "他们", "附近", "旁边",
                           "边上", "门口", "对面", "楼下")

# A name's own characters: Chinese, digits, Latin; a name never starts with these.
NAME_CHARS = f"{CJK}0-9A-Za-z"
STOP_CHARS = set("的在到从是就我你他她它们这那个些哪去往了或向朝离由把被给让请说有没也都很太但而且等"
                 "啥吗呢吧呀啊嘛哦喂哈么着过还又再才刚已正要会能可以想得叫问找看,.;:!? ")
# Joining words dropped from the start of a name ("跟人民路" → 人民路).
CONNECTOR_STARTS = set("和跟与及同、")
# Characters that do not start a place name although they are not stop words.
BAD_STARTS = set("上下左右前后旁边里外内间头口面对" "两几每各该本此某")
JUNCTION_WORDS = ("十字路口", "丁字路口", "三岔路口", "三叉路口", "交叉路口", "交叉口", "交汇处", "交汇口", "交界处",
                  "交界", "交口", "路口", "拐角处", "拐角", "把角", "转角", "口")
CONNECTORS = "与和跟及、,/或同"

GATE_RE = re.compile(r"(东南|东北|西南|西北|东|南|西|北)(?:边|面|侧)?(?:大)?门|正门|后门|侧门|大门|小门")
SIDE_WORDS = [
    (re.compile(r"^(?:的)?(斜对面|正对面|对面|对过)"), "对面"),
    (re.compile(r"^(?:的)?((?:大)?门口)"), "门口"),
    (re.compile(r"^(?:的)?(旁边|边上|附近|周边|周围|跟前|隔壁|一旁)"), "旁"),
    (re.compile(r"^(?:的)?(楼下|底下|下面|下边|下方|桥下|桥底|下)(?![水班午雨车面单])"), "下"),
    (re.compile(r"^(?:的)?(上面|上边|上方|桥上|顶上|上)(?![班午报访面门])"), "上"),
    (re.compile(r"^(?:的)?(里面|里边|里头|院内|院里|内部|内|里)(?![程])"), "内"),
    (re.compile(r"^(?:的)?(外面|外边|外头|门外|外)(?![地省卖])"), "外"),
    (re.compile(r"^(?:的)?(东|西|南|北)(?:侧|边|面|头|边儿)"), None),  # 东侧 …
    (re.compile(r"^(东|西|南|北)(?![门路街大])"), None),  # 村东, 桥西
]
DIRECTIONS = {"东": "东侧", "西": "西侧", "南": "南侧", "北": "北侧"}
STRETCH_RE = re.compile(r"^(?:的)?(东段|西段|南段|北段|中段)")

_NUM = r"[零〇一幺二两三四五六七八九十百]+"
# Spoken numbers before the words that count: 十八号 → 18号, 五号楼 → 5号楼, 二号线 → 2号线.
_SPOKEN_NUMBER = re.compile(rf"({_NUM})(?=\s*(?:号|栋|幢|单元|层|楼(?!下|上|道|顶|前|后|梯|房)|座|出口|口(?!子)))")
_HOUSE = re.compile(r"^(?:的|那|这)?\s*[甲乙丙]?(\d{1,4}(?:-\d{1,4})?)\s*号(?:院|附近)?(?!楼|线|单元)")
_BUILDING = re.compile(r"^(?:的)?\s*(\d{1,3})\s*(?:号楼|号|栋楼|栋|幢|座|#楼|#|楼(?![下上道顶前后梯房层]))")
_UNIT = re.compile(r"^(?:的)?\s*(\d{1,2})\s*(?:单元|门(?![口外前]))")
_EXIT = re.compile(r"^(?:的)?\s*([A-Za-z]\d?|\d{1,2}号?|东北|东南|西北|西南|东|南|西|北)\s*(?:出入口|出口|口)")
_METRO = re.compile(rf"((?:地铁)?(?:\d{{1,2}}号线)?[{CJK}]{{2,8}}?(?:地铁)?站)")


@dataclass
class Place:
    """A place as a dispatcher writes it down (see docs/places.md). Empty fields were not said."""

    district: str = ""
    street: str = ""
    road: str = ""
    number: str = ""
    cross_road: str = ""
    between: list[str] = field(default_factory=list)
    stretch: str = ""
    compound: str = ""
    building: str = ""
    unit: str = ""
    gate: str = ""
    landmark: str = ""
    exit: str = ""
    side: str = ""
    text: str = ""  # the citizen's own words for it

    def as_dict(self) -> dict:
        """The fields that were said (the work order's `location.place`)."""
        return {k: v for k, v in asdict(self).items() if v}

    @property
    def precision(self) -> str:
        """"spot" (enough to send someone to), "road" (a road or compound alone, which can
        be long or large), "area" (a district or street alone)."""
        if self.number or self.cross_road or self.between or self.landmark or self.building or self.gate \
                or self.stretch or (self.compound and self.side):
            return "spot"
        if self.road or self.compound:
            return "road"
        return "area"

    @property
    def specific(self) -> bool:
        """Enough to send someone: more than a district or street alone."""
        return bool(self.road or self.compound or self.landmark or self.between or self.cross_road)

    def label(self) -> str:
        """A short address for the work order, from the structured parts."""
        parts = [self.district, self.street]
        if self.between:
            parts.append(f"{self.road}{self.between[0]}至{self.between[1]}之间")
        elif self.cross_road:
            parts.append(f"{self.road}与{self.cross_road}交叉口")
        else:
            parts.append(self.road + (f"{self.number}号" if self.number else "") + self.stretch)
        parts.append(self.compound + (f"{self.building}号楼" if self.building else "")
                     + (f"{self.unit}单元" if self.unit else ""))
        parts.append(self.landmark + (f"{self.exit}口" if self.exit else ""))
        parts.append(self.gate)
        side = {"上": "上", "下": "下", "内": "内", "外": "外", "旁": "旁", "门口": "门口", "对面": "对面"}.get(
            self.side, self.side)
        return "".join(p for p in parts if p) + side


@dataclass
class _Span:
    kind: str
    value: str
    start: int
    end: int


class PlaceReader:
    """Reads places from text. `districts`/`streets`: the division table's names (national
    or one city's), so that "朝阳区" and "和平街道" are recognised as such."""

    def __init__(self, districts: set[str] | None = None, streets: set[str] | None = None):
        self.districts = districts if districts is not None else _load_names("areas")
        self.streets = streets if streets is not None else _load_names("streets")
        short = {}
        for name in self.districts:
            if len(name) >= 3 and name[-1] in "区县" and name[:-1] not in NOT_COMPOUNDS:
                short[name[:-1]] = name
        self._district_short = short
        self._admin_re = re.compile(
            rf"([{CJK}]{{2,8}}?(?:新区|区|县|市))|([{CJK}]{{2,8}}?(?:街道办事处|街道办|街道|镇|乡))")

    # -- the whole ---------------------------------------------------------------------------

    def read(self, text: str) -> Place | None:
        t = prepare(text)
        if not t:
            return None
        place = Place()
        spans: list[_Span] = []
        self._admin(t, place, spans)
        roads = self._roads(t)
        self._junctions_and_stretches(t, roads, place, spans)
        self._compound(t, place, spans)
        self._landmark(t, place, spans, roads)
        if not (place.specific or place.district or place.street):
            return None
        self._side(t, place, spans)
        if spans:
            start, end = min(s.start for s in spans), max(s.end for s in spans)
            place.text = t[start:end]
        return place

    # -- districts and streets ----------------------------------------------------------------

    def _admin(self, t: str, place: Place, spans: list[_Span]) -> None:
        for m in self._admin_re.finditer(t):
            word = m.group(0)
            for cut in range(len(word) - 2):  # the longest known name ending here
                name = word[cut:]
                if m.group(1) and name in self.districts and not place.district:
                    place.district = name
                    spans.append(_Span("district", name, m.end() - len(name), m.end()))
                    break
                if m.group(2):
                    base = re.sub(r"(办事处|办)$", "", name)
                    if (base in self.streets or _plausible_admin(base)) and not place.street:
                        place.street = base
                        spans.append(_Span("street", base, m.end() - len(name), m.end()))
                        break
        if not place.district:
            for short, full in self._district_short.items():
                i = t.find(short)
                if i >= 0 and not t.startswith(("区", "县"), i + len(short)) and _admin_context(t, i + len(short)):
                    place.district = full
                    spans.append(_Span("district", full, i, i + len(short)))
                    break

    # -- roads, numbers, junctions, stretches -------------------------------------------------

    def _roads(self, t: str) -> list[_Span]:
        """Every road named, with its house number when one follows."""
        roads: list[_Span] = []
        for m in re.finditer("|".join(sorted(ROAD_SUFFIXES, key=len, reverse=True)), t):
            end = m.end()
            if roads and roads[-1].end > m.start():
                continue
            if t.startswith(("灯", "况", "过", "人", "面", "牌", "费", "线"), end):  # 路灯, 路况 …: not a name's end
                continue
            name = _name_before(t, m.start(), end, max_len=8, floor=roads[-1].end if roads else 0)
            if not name or name in NOT_ROADS or _road_word(name, t, end):
                continue
            start = end - len(name)
            roads.append(_Span("road", name, start, end))
        return roads

    def _junctions_and_stretches(self, t: str, roads: list[_Span], place: Place, spans: list[_Span]) -> None:
        if not roads:
            return
        # A stretch between two points: (A路)从B路口到C路口之间.
        for i, a in enumerate(roads[:-1]):
            b = roads[i + 1]
            gap = t[a.end:b.start]
            if re.fullmatch(r"(?:路)?口?\s*(?:到|至|往|一直到|直到|~|-)\s*", gap) and re.match(
                    r"(?:路)?口?\s*(?:之间|中间|这一段|那一段|这段|那段|一段|一带|段)", t[b.end:]):
                owner = roads[i - 1] if i > 0 and t[roads[i - 1].end:a.start].strip(" ,") in ("从", "") and \
                    roads[i - 1].end <= a.start else None
                if owner is not None and t[owner.end:a.start].strip() in ("从", ""):
                    place.road = owner.value
                    spans.append(owner)
                place.between = [a.value, b.value]
                spans += [a, b]
                return
        # A junction: two roads joined by 与/和/跟 (or nothing), then a junction word.
        for i, a in enumerate(roads[:-1]):
            b = roads[i + 1]
            gap = t[a.end:b.start]
            if len(gap) <= 2 and all(ch in CONNECTORS + " 的" for ch in gap):
                after = t[b.end:b.end + 6]
                if any(after.startswith((w, "的" + w)) for w in JUNCTION_WORDS):
                    place.road, place.cross_road = a.value, b.value
                    spans += [a, b, _Span("junction", "", b.end, b.end + _junction_len(after))]
                    return
        road = roads[0]
        place.road = road.value
        spans.append(road)
        rest = t[road.end:]
        m = _HOUSE.match(rest)
        if m:
            place.number = m.group(1)
            spans.append(_Span("number", m.group(1), road.end, road.end + m.end()))
            return
        m = STRETCH_RE.match(rest)
        if m:
            place.stretch = m.group(1)
            spans.append(_Span("stretch", m.group(1), road.end, road.end + m.end()))

    # -- compounds ----------------------------------------------------------------------------

    def _compound(self, t: str, place: Place, spans: list[_Span]) -> None:
        pattern = "|".join(sorted(COMPOUND_SUFFIXES, key=len, reverse=True))
        for m in re.finditer(pattern, t):
            end = m.end()
            # 锦绣花园小区: one name; the trailing 小区 belongs to it.
            if t.startswith("小区", end) and m.group(0) != "小区":
                end += 2
            floor = max((s.end for s in spans if s.end <= m.start()), default=0)
            name = _name_before(t, m.start(), end, max_len=10, floor=floor)
            if not name or name in NOT_COMPOUNDS or any(name.endswith(g) for g in LANDMARK_GARDENS):
                continue
            if m.group(0) in ("里", "城", "院", "府", "庭", "湾", "邸", "坊", "庄") and not _compound_context(t, end):
                continue
            if any(s.start <= end - len(name) < s.end for s in spans if s.kind in ("road", "district", "street")):
                continue
            if _overlaps_road(name, t, end, place):
                continue
            place.compound = name
            spans.append(_Span("compound", name, end - len(name), end))
            self._building_unit_gate(t, end, place, spans)
            return
        # A building or unit said with no compound is no place to send anyone; but a gate of
        # a compound named earlier in other words (我们小区北门) is not either.

    def _building_unit_gate(self, t: str, pos: int, place: Place, spans: list[_Span]) -> None:
        rest = t[pos:pos + 30]
        offset = 0
        m = _BUILDING.match(rest)
        if m:
            place.building = m.group(1)
            offset = m.end()
            m2 = _UNIT.match(rest[offset:])
            if m2:
                place.unit = m2.group(1)
                offset += m2.end()
        else:
            m2 = _UNIT.match(rest)
            if m2:
                place.unit = m2.group(1)
                offset = m2.end()
        g = GATE_RE.match(rest[offset:].lstrip("的"))
        if g:
            place.gate = _gate(g.group(0))
            offset += g.end() + (len(rest[offset:]) - len(rest[offset:].lstrip("的")))
        if offset:
            spans.append(_Span("parts", "", pos, pos + offset))

    # -- landmarks, stations, bridges ------------------------------------------------------------

    def _landmark(self, t: str, place: Place, spans: list[_Span], roads: list[_Span]) -> None:
        taken = [(s.start, s.end) for s in spans]
        metro = re.search(rf"(地铁(?:\d{{1,2}}号线)?[{CJK}]{{2,8}}?站|(?:\d{{1,2}}号线)[{CJK}]{{2,8}}?站"
                          rf"|[{CJK}]{{2,8}}?地铁站)", t)
        if metro and not _inside(metro.start(), metro.end(), taken):
            name = metro.group(1)
            name = _trim_start(name)
            place.landmark = name
            end = metro.end()
            spans.append(_Span("landmark", name, end - len(name), end))
            m = _EXIT.match(t[end:])
            if m:
                place.exit = m.group(1).upper().rstrip("号")
                spans.append(_Span("exit", place.exit, end, end + m.end()))
            return
        pattern = "|".join(sorted(LANDMARK_SUFFIXES, key=len, reverse=True))
        for m in re.finditer(pattern, t):
            end = m.end()
            if _inside(m.start(), end, taken) and not any(s.kind == "road" and s.end == m.start() for s in spans):
                continue
            suffix = m.group(0)
            if suffix in GENERIC_LANDMARKS:
                name = suffix
                before = _name_before(t, m.start(), end, max_len=10)
                if before and before != suffix and not before.startswith(tuple(GENERIC_LANDMARK_PREFIX)):
                    # "人民桥" is a name; "长江路天桥" is the road's footbridge
                    road_before = any(s.kind == "road" and s.end == end - len(before) + len(before) - len(suffix)
                                      for s in spans)
                    if not road_before and before[: -len(suffix)] not in {s.value for s in spans}:
                        name = before
            else:
                floor = max((s.end for s in spans if s.end <= m.start() and s.kind != "road"), default=0)
                name = _name_before(t, m.start(), end, max_len=12, floor=floor)
                if not name or name in NOT_LANDMARKS or name.startswith(tuple(GENERIC_LANDMARK_PREFIX)):
                    continue
                if any(s.kind == "road" and end - len(name) < s.end <= end and s.value == name for s in spans):
                    continue
                # "中山路永辉超市": the road was read already; the shop is what follows it.
                for s in spans:
                    if s.kind == "road" and end - len(name) < s.end < end:
                        name = t[s.end:end]
                        if name.startswith("的"):
                            name = name[1:]
                if len(name) <= len(suffix) and suffix not in GENERIC_LANDMARKS:
                    continue
            if suffix in ("站",) and not name.endswith(("公交站", "车站", "地铁站")) and len(name) < 3:
                continue
            place.landmark = name
            spans.append(_Span("landmark", name, end - len(name), end))
            g = GATE_RE.match(t[end:].lstrip("的"))
            if g and not place.gate:
                place.gate = _gate(g.group(0))
                spans.append(_Span("gate", place.gate, end, end + g.end() + 1))
            return

    # -- where, relative to it ------------------------------------------------------------------

    def _side(self, t: str, place: Place, spans: list[_Span]) -> None:
        last = max(spans, key=lambda s: s.end)
        rest = t[last.end:last.end + 8]
        if last.kind == "compound" and last.value[-1] in "村庄屯" and rest[:1] == last.value[-1]:
            rest = rest[1:]  # 李家村村东头: the village's east end
        if last.kind == "district" and place.specific:
            return
        for pattern, value in SIDE_WORDS:
            m = pattern.match(rest)
            if m:
                word = m.group(1)
                if value is None:
                    if last.kind in ("road",) and not re.match(r"^(?:的)?[东南西北](?:侧|边|面)", rest):
                        return
                    value = DIRECTIONS[word]
                if value == "内" and last.kind in ("road",):
                    return
                place.side = value
                last.end += m.end()
                return


# -- helpers ------------------------------------------------------------------------------------


def prepare(text: str) -> str:
    """Normalised text (simplified, half-width, fillers out) with spoken numbers as digits."""
    t = normalize(text if isinstance(text, str) else "")
    t = t.replace("栋楼", "栋")
    return _SPOKEN_NUMBER.sub(lambda m: str(chinese_numeral(m.group(1)) or m.group(1)), t)


def _name_before(t: str, start: int, end: int, max_len: int, floor: int = 0) -> str:
    """The name that ends at `end` with its suffix at t[start:end]: the longest run of
    name characters before the suffix that crosses no stop word and begins after `floor`
    (the end of the name before it)."""
    i = start
    while i > floor and end - (i - 1) <= max_len and re.match(f"[{NAME_CHARS}]", t[i - 1]) and t[i - 1] not in STOP_CHARS:
        i -= 1
    while i < start and (t[i] in BAD_STARTS or (t[i] in CONNECTOR_STARTS and i == floor and floor > 0)):
        i += 1
    name = t[i:end]
    if "号" in t[i:start] or len(name) <= len(t[start:end]):
        return ""  # 18号路口: a house number's junction, not a road called "18号路"
    return name


def _road_word(name: str, t: str, end: int) -> bool:
    """Words ending in 路/道/街 that are not a road's name in this place."""
    if name.endswith("道") and not name.endswith(("大道", "国道", "省道")) and len(name) <= 2:
        return True
    if name[-1] == "道" and name[-2:] in NOT_ROADS:
        return True
    return bool(re.search(r"(路灯|路面|路边|路上|路过|路况)$", t[: end + 1]) and len(name) < 3)


def _compound_context(t: str, end: int) -> bool:
    """After names ending in 里/城/院 …: building numbers, gates or place words say it is one."""
    return bool(re.match(r"^(?:小区|\d{1,3}\s*(?:号楼|栋|幢|号)|[东南西北正后侧大]门|的?(?:门口|楼下|里面|院里))",
                         t[end:end + 8]))


def _overlaps_road(name: str, t: str, end: int, place: Place) -> bool:
    return bool(place.road) and name.startswith(place.road) and len(name) == len(place.road)


def _admin_context(t: str, pos: int) -> bool:
    return bool(re.match(r"^(?:那边|这边|那块|这块|的)", t[pos:pos + 3]))


def _plausible_admin(name: str) -> bool:
    return len(name) >= 3 and name[0] not in STOP_CHARS and name[0] not in BAD_STARTS and not any(
        c in STOP_CHARS for c in name[:-2])


def _junction_len(after: str) -> int:
    after = after[1:] if after.startswith("的") else after
    for w in JUNCTION_WORDS:
        if after.startswith(w):
            return len(w)
    return 0


def _gate(word: str) -> str:
    m = re.match(r"(东南|东北|西南|西北|东|南|西|北)", word)
    if m:
        return m.group(1) + "门"
    return word if word in ("正门", "后门", "侧门", "小门") else "大门"


def _inside(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(s <= start < e or s < end <= e for s, e in taken)


def _trim_start(name: str) -> str:
    while name and (name[0] in STOP_CHARS or name[0] in BAD_STARTS):
        name = name[1:]
    return name


def _load_names(kind: str) -> set[str]:
    path = GAZETTEER / f"{kind}.txt"
    if not path.exists():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


_DEFAULT: PlaceReader | None = None


def extract_place(text: str) -> Place | None:
    """The place in `text` (None when it names none a dispatcher could use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = PlaceReader()
    return _DEFAULT.read(text)
