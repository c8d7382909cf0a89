"""The location stage (地理编码): find the place in a report and assign it to its grid.

``GridLocator(registry).locate(text, point=None) -> Location``

From the text it recognises, in the registry's own names and aliases:

* road + house number           建国门内大街18号 → the grid holding 18 on the even side
* compound + building (+ unit)   苏州园小区3号楼2单元, 苏州园3号楼, 金宝花园三号楼
* landmarks, with a direction    第一中学东门对面, 朝内菜市场后面, 55中门口
* administrative names           建国门街道苏州园社区, 礼士社区第二网格
* any combination of these; the grids they name are intersected and weighed.

Names are found with a private jieba tokenizer that carries every registry name as a user
word; speech-recognition homophones (苏州圆 / 苏洲园 → 苏州园, 李士胡同 → 礼士胡同) by a
pinyin index (with the usual z/zh, c/ch, s/sh, n/l, -n/-ng confusions folded); missing or
mistyped characters (建国内大街 → 建国门内大街) by rapidfuzz over the few names that share a
character pair with the phrase before an address word (大街, 胡同, 小区, 中学 …).

From coordinates (web form geolocation, chat location pins, WGS-84; convert GCJ-02 pins
with `classifiers.registry.gcj02_to_wgs84` first): the grid whose polygon holds the point,
else the nearest grid within ``max_outside_m`` (200 m) with reduced confidence; invalid
or far-away points give no grid.

Text and coordinates are weighed together: a point within ``agree_m`` (150 m) of the
grid the text names agrees with it; a farther one is reported as a disagreement
(evidence + review reason) and the more specific text wins.

The result carries a normalized address ("建国门街道 苏州园社区 苏州园小区3号楼2单元"), a
position when known (the citizen's own valid pin, else the registry position of the
building / house number / compound / landmark named), the grid and its path, a confidence
in [0, 1], evidence strings, and ``needs_review`` with Chinese reasons below
``review_below`` (0.6) or whenever something is inconsistent. Never raises on bad input.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import jieba
from pypinyin import Style, pinyin
from rapidfuzz import fuzz

from classifiers.locate.geometry import distance_m, valid_point
from classifiers.locate.place_reading.words import division_names
from classifiers.locate.places import LANDMARK_SUFFIXES, PlaceReader
from classifiers.locate.registry import DEFAULT_REGISTRY, Compound, Landmark, Registry, RoadSegment, load_registry
from classifiers.locate.settings import LocationSettings
from classifiers.locate.with_place import NO_GRID, NO_PLACE, not_registered, with_place
from classifiers.normalize import chinese_numeral, to_simplified
from classifiers.tokenizer import private_tokenizer
from gateway.models import GeoPoint, GridLevel, Location

__all__ = ["GridLocator", "distance_m"]

jieba.setLogLevel(logging.WARNING)

# other districts / cities: a place there is not ours even if a word of it resembles ours (besides
# every district and county of the division table that is not the registry's)
FOREIGN_PLACES = ("天津", "上海", "河北", "外地", "外省")

_DIVISION_END = re.compile("[区县旗市]")
# An ordinal right before a name (第三|人民医院): the numbered one of its kind
_NUMBERED_BEFORE = re.compile(r"第[一二三四五六七八九十\d]{1,3}$")

# generic words for a kind of landmark ("菜市场后面"): match every landmark of that kind
GENERIC_KINDS = {
    "菜市场": "market", "学校": "school", "小学": "school", "中学": "school",
    "医院": "hospital", "派出所": "police", "超市": "supermarket", "公交站": "bus_stop",
    "车站": "bus_stop", "地铁站": "subway", "地铁口": "subway", "公园": "park", "公厕": "toilet",
    "厕所": "toilet", "银行": "bank", "加油站": "gas", "邮局": "post", "卫生站": "clinic",
    "卫生服务站": "clinic", "卫生服务中心": "clinic", "社区医院": "clinic",
    "幼儿园": "kindergarten", "图书馆": "library", "体育馆": "gym", "博物馆": "museum",
}
COMPOUND_SUFFIXES = ("小区", "家园", "花园", "嘉园", "公寓", "宿舍", "家属院", "新村", "大院")
ADDRESS_WORDS = ("大街", "小街", "胡同", "小区", "花园", "家园", "公寓", "宿舍", "中学", "小学",
                 "医院", "菜市场", "市场", "超市", "公园", "派出所", "公交站", "地铁站", "大道",
                 "街", "巷", "路", "里", "苑", "站", "条")
_ADDR_RE = re.compile("|".join(sorted(ADDRESS_WORDS, key=len, reverse=True)))
_UNREGISTERED_RE = re.compile(
    r"([\u4e00-\u9fff]{2,6}?(?:大街|胡同|小区|花园|家园|公寓|大厦|广场|西路|东路|南路|北路"
    r"|路(?![灯口面边上旁人况过])|街(?![道上边坊])))"
    r"(\d{1,4}号)?")
_STOP_CHARS = set("在到的从是就我们咱家那这个边里住去往了和跟与你好请")

WEIGHTS = {"building": 1.0, "house": 1.0, "grid": 0.9, "compound": 0.9, "landmark": 0.85,
           "road": 0.55, "road_one_grid": 0.75, "point": 0.8, "community": 0.5, "street": 0.3, "kind": 0.3, "district": 0.05}

_CN_NUM_RE = re.compile(r"[零〇一幺二两三四五六七八九十百]+(?=\s*(?:号|栋|幢|单元|层|室))")
_HOUSE_RE = re.compile(r"\s*(?:的)?\s*[甲乙丙]?(\d{1,4})(?:\s*[-—~到至]\s*\d{1,4})?\s*号")
_BUILDING_RE = re.compile(r"\s*(?:的)?\s*(\d{1,3})\s*(?:号楼|号|栋|幢|座|楼(?![下上道顶前后里]))")
_BUILDING_ANY_RE = re.compile(r"(\d{1,3})\s*(?:号楼|栋|幢)")
_UNIT_RE = re.compile(r"\s*(\d{1,2})\s*(?:单元|门(?![口前外]))")
_DIRECTION_RE = re.compile(
    r"(?:的)?(?:([东南西北]{1,2})([门侧边面口])?)?(?:[A-Da-d]口)?"
    r"(斜对面|对面|对过|旁边|附近|后面|后边|前面|门口|外面|外边|里面|边上|周边|那儿|这儿)?")
_FILLER_RE = re.compile(r"(?:[，,、\s]|那个|这个|就是|呃|嗯|啊|那|的)*")
_DIR_VECTORS = {"东": (1, 0), "西": (-1, 0), "南": (0, -1), "北": (0, 1)}




def normalize_text(text: str) -> str:
    """Full-width to half-width, spoken numbers before 号/栋/单元 to digits, no spaces
    between Chinese characters (speech transcripts)."""
    import unicodedata
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff\d])", "", t)
    t = re.sub(r"(?<=\d)\s+(?=[号栋幢单])", "", t)
    return _CN_NUM_RE.sub(lambda m: str(chinese_numeral(m.group(0)) or m.group(0)), t)


def _fold(s: str) -> str:
    """Fold the pinyin confusions of speech recognition and southern accents."""
    if s[:2] in ("zh", "ch", "sh"):
        s = s[0] + s[2:]
    if s.startswith("n") and s != "ng":
        s = "l" + s[1:]
    if s.endswith("ng") and len(s) > 2:
        s = s[:-1]
    return s


# A verb of going that sounds like a name's first character: 去医院 (qù yīyuàn) is no 区医院.
_GOING = frozenset("去到进回")


_KIND_WORDS = tuple(w for w in LANDMARK_SUFFIXES if len(w) >= 2)


def _kind_word_misheard(said: str, name: str) -> bool:
    """劳动公园公交站 is no homophone of 贡院公交站: a kind of place said (公园) is not a name misheard."""
    return any(w in said and w not in name for w in _KIND_WORDS)


_STREET_OFFICES = ("街道办事处", "街道办", "办事处")
# One character a place's name ends with tells its kind: 区怡园 (an estate) is no 区医院 (a hospital).
_KIND_CHARS = frozenset("园苑院村庄城府里湾路街巷道桥站店馆厂场")
# …and a name said with its own kind after it is that name (高区怡园街道, 怡园小区: no 区医院)
_OWN_NAME_AFTER = ("小区", "街道", "社区", "花园", "家园", "新村")


def _other_kind_misheard(said: str, name: str) -> bool:
    return said[-1] != name[-1] and said[-1] in _KIND_CHARS and name[-1] in _KIND_CHARS


def _going_to(said: str, name: str) -> bool:
    return said[0] != name[0] and said[0] in _GOING and said[1:] == name[1:]


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


MAX_CHARS = 5000  # longer texts: only the first MAX_CHARS characters are searched


@dataclass
class _Entry:
    kind: str  # district | street | community | grid | road | compound | landmark | kind
    name: str  # canonical name
    targets: list  # codes (admin, grid) or RoadSegment / Compound / Landmark objects
    weak: bool = False  # a short common-word stem: counts only when a 号楼 follows
    derived: bool = False  # a stem the locator derived (苏州园 from 苏州园小区)


@dataclass
class _Mention:
    kind: str
    name: str
    start: int
    end: int
    grids: frozenset
    quality: float
    detail: str
    point: GeoPoint | None = None
    how: str = "exact"  # exact | pinyin | fuzzy | generic | point
    matched: str = ""
    soft: frozenset = frozenset()  # points only: grids near enough to agree
    note: str = ""
    # the same name said elsewhere in the text as a homophone (金豹街 before the operator's 金宝街)
    misheard: tuple[str, ...] = ()

    @property
    def weight(self) -> float:
        return WEIGHTS.get(self.kind, 0.9) * self.quality


@dataclass
class _Index:
    entries: dict[str, list[_Entry]] = field(default_factory=dict)
    py: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    bigrams: dict[str, set[str]] = field(default_factory=dict)


class GridLocator:
    """Locates reports against a grid registry; see the module docstring.

    ``GridLocator(registry=None, settings=None, **overrides)``: ``registry`` is a `Registry`,
    a path to a registry JSON file, or None for the shipped sample
    (``classifiers/data/grids.json``); ``overrides`` set `LocationSettings` fields.
    """

    def __init__(self, registry: Registry | str | Path | None = None,
                 settings: LocationSettings | None = None, **overrides):
        if registry is None or isinstance(registry, (str, Path)):
            registry = load_registry(registry or DEFAULT_REGISTRY)
        self.registry: Registry = registry
        self.config = settings or LocationSettings()
        for k, v in overrides.items():
            if not hasattr(self.config, k):
                raise TypeError(f"unknown locator setting {k!r}")
            setattr(self.config, k, v)
        self._py_cache: dict[str, str] = {}
        self._tk = private_tokenizer()
        self._index = self._build_index()
        for key in self._index.entries:
            self._tk.add_word(key, freq=50000 if len(key) >= 3 else 5000)
        self._foreign_re = re.compile("|".join(map(re.escape, FOREIGN_PLACES)))
        own = {name for a in registry.admins.values() if a.level == "district" for name in (a.name, *a.aliases)}
        # (names of three characters or more: 城区, 矿区 and 郊区 are words too)
        self._foreign_divisions = frozenset(n for n in division_names("areas") if len(n) >= 3 and n not in own)
        self._places = PlaceReader()
        # Registry landmarks no suffix gives away (金宝汇, 二实小): read as names only when the
        # registry found them in the text, so 工行 is never read out of 施工行为.
        suffixes = tuple(LANDMARK_SUFFIXES)
        unsuffixed = [n for lm in (m for g in registry.grids.values() for m in g.landmarks)
                      for n in (lm.name, *lm.aliases) if len(n) >= 2 and not n.endswith(suffixes)]
        self._places_with_registry = PlaceReader(known_landmarks=unsuffixed) if unsuffixed else self._places
        self._written_names = registry.written_names()

    # ------------------------------------------------------------------ public helpers
    def grid_path(self, code: str) -> list[GridLevel]:
        return self.registry.grid_path(code)

    def centroid(self, code: str) -> GeoPoint | None:
        return self.registry.centroid(code)

    @staticmethod
    def distance_m(a: GeoPoint, b: GeoPoint) -> float:
        return distance_m(a, b)

    # ------------------------------------------------------------------ index
    def _syllable(self, ch: str) -> str:
        s = self._py_cache.get(ch)
        if s is None:
            s = _fold(pinyin(ch, style=Style.NORMAL, errors="ignore")[0][0]) if _is_cjk(ch) else ""
            self._py_cache[ch] = s
        return s

    def _build_index(self) -> _Index:
        reg = self.registry
        idx = _Index()
        explicit: set[str] = set()

        def add(key, kind, name, target, weak=False, derived=False):
            key = key.strip()
            if len(key) < 2:
                return
            for e in idx.entries.setdefault(key, []):
                if e.kind == kind:  # one entry per key and kind: 物美超市 → all branches
                    if target not in e.targets:
                        e.targets.append(target)
                    if e.name != name:
                        e.name = key
                    e.weak = e.weak and weak
                    e.derived = e.derived and derived
                    return
            idx.entries[key].append(_Entry(kind, name, [target], weak, derived))

        freq = self._tk.FREQ
        # explicit names and aliases
        for a in reg.admins.values():
            for key in [a.name, *a.aliases]:
                add(key, a.level, a.name, a.code)
                explicit.add(key)
        for g in reg.grids.values():
            for key in [g.name, *g.aliases]:
                add(key, "grid", g.name, g.code)
                explicit.add(key)
            for r in g.roads:
                for key in [r.name, *r.aliases]:
                    add(key, "road", r.name, r)
                    explicit.add(key)
            for c in g.compounds:
                for key in [c.name, *c.aliases]:
                    add(key, "compound", c.name, c)
                    explicit.add(key)
            for m in g.landmarks:
                for key in [m.name, *m.aliases]:
                    add(key, "landmark", m.name, m)
                    explicit.add(key)
        # derived aliases, never shadowing an explicit name
        for a in reg.admins.values():
            if a.level == "street" and a.name.endswith("街道"):
                stem = a.name[:-2]
                for key in (stem + "街道办", stem + "街道办事处", stem):
                    if key not in explicit:
                        add(key, "street", a.name, a.code)
            if (a.level == "district" and a.name.endswith(("区", "县")) and len(a.name) > 2
                    and a.name[:-1] not in explicit):
                add(a.name[:-1], "district", a.name, a.code)
        districts = [a.name for a in reg.admins.values() if a.level == "district"]
        for g in reg.grids.values():
            for c in g.compounds:
                for base in [c.name, *c.aliases]:
                    for suf in COMPOUND_SUFFIXES:
                        if base.endswith(suf) and len(base) - len(suf) >= 2:
                            stem = base[: -len(suf)]
                            if stem not in explicit:
                                add(stem, "compound", c.name, c, weak=freq.get(stem, 0) >= 20,
                                    derived=True)
                            break
                    if not base.endswith("小区") and base + "小区" not in explicit:
                        add(base + "小区", "compound", c.name, c)
            for m in g.landmarks:
                for d in districts:
                    if m.name.startswith(d) and len(m.name) - len(d) >= 3:
                        rest = m.name[len(d):]
                        if rest not in explicit and rest not in GENERIC_KINDS:
                            add(m.name[len(d):], "landmark", m.name, m)
        kinds_present = {m.kind for g in reg.grids.values() for m in g.landmarks}
        for word, kind in GENERIC_KINDS.items():
            if kind in kinds_present and word not in idx.entries:
                for g in reg.grids.values():
                    for m in g.landmarks:
                        if m.kind == kind:
                            add(word, "kind", word, m)
        # pinyin and character-pair indexes over names of 3+ characters
        for key in idx.entries:
            if len(key) < 3 or not all(_is_cjk(ch) for ch in key):
                continue
            syl = tuple(self._syllable(ch) for ch in key)
            idx.py.setdefault(syl[:2], []).append((syl, key))
            for i in range(len(key) - 1):
                idx.bigrams.setdefault(key[i:i + 2], set()).add(key)
        return idx

    # ------------------------------------------------------------------ locate
    def locate(self, text: str, point: GeoPoint | None = None) -> Location:
        try:
            raw = text if isinstance(text, str) else ("" if text is None else str(text))
            spellings: dict[str, str] = {}
            landmarks_said: dict[str, str] = {}
            loc = self._locate(raw, point, spellings, landmarks_said)
            place = self._places.read(raw[:MAX_CHARS])
            # (in simplified characters: the reader writes 東安區第一中學 as 东安区第一中学)
            if landmarks_said and (place is None or not place.landmark
                                   or not any(to_simplified(s) in place.text for s in landmarks_said)):
                registered = self._with_registered_landmark(raw[:MAX_CHARS], landmarks_said)
                if registered is not None and not (registered.landmark.endswith(_STREET_OFFICES) and not registered.side):
                    place = registered  # (朝阳门街道办事处辖区: the street, as read; 街道办门口: the office)
            if place is not None and place.road and place.landmark and place.road + place.landmark in landmarks_said:
                # 金宝街物美: a registered shop's own name, the road glued to the brand — not road + shop
                place.landmark, place.road = place.road + place.landmark, ""
            if place is not None and spellings:
                place.respell(spellings)
            if place is not None and (loc.grid_code or loc.grid_path):
                place.named_in_full(self._written_names)  # (a place the registry does not place keeps its words)
            return with_place(loc, place, self.registry)
        except Exception as exc:  # the stage must answer, whatever the input
            logging.getLogger(__name__).exception("locate failed")
            return Location(address="", point=None, confidence=0.0,
                            evidence=[f"定位出错：{type(exc).__name__}"], needs_review=True,
                            review_reasons=["定位失败，请人工确认地点"])

    def _with_registered_landmark(self, text: str, landmarks_said: dict[str, str]):
        """The place read again knowing the registry's landmarks found in the text: names no
        suffix gives away (金宝汇门口) and homophones of registered ones (隆福光场 → 隆福广场);
        None when that finds no landmark either. `text` keeps the citizen's words."""
        misheard = {said: name for said, name in landmarks_said.items() if said != name}
        for said, name in misheard.items():
            text = text.replace(said, name)
        place = self._places_with_registry.read(text)
        if place is None or not place.landmark:
            return None
        for said, name in misheard.items():
            place.text = place.text.replace(name, said)
        return place

    def _locate(self, text: str, point: GeoPoint | None, spellings: dict[str, str] | None = None,
                landmarks_said: dict[str, str] | None = None) -> Location:
        """The steps: read the text; a place outside the district; nothing placed; the grid
        every mention points to; how sure that is; where exactly. `spellings` gets the
        registry's names of the homophones the grid was found by (东寺六条 → 东四六条)."""
        evidence: list[str] = []
        reasons: list[str] = []
        t = self._read_text(text, evidence)
        mentions = self._text_mentions(t, evidence)
        if landmarks_said is not None:  # as said → as registered (traditional characters are no mishearing)
            for m in mentions:
                if m.kind == "landmark" and m.how in ("exact", "pinyin") and m.matched:
                    misheard = m.how == "pinyin" and to_simplified(m.matched) not in self._index.entries
                    landmarks_said[m.matched] = m.name if misheard else m.matched
        point_reasons: list[str] = []
        pmention, point_ok = self._point_mention(point, evidence, point_reasons)
        outside = self._outside_district(t, mentions, point if point_ok else None, evidence, reasons,
                                         point_reasons)
        if outside is not None:
            return outside
        scored = [m for m in mentions + ([pmention] if pmention else []) if m.kind != "district"]
        if spellings is not None:  # (also when the name spans several grids: 使家胡同 → 史家胡同)
            spellings.update({said: m.name for m in scored for said in (*m.misheard, m.matched if m.how == "pinyin" else "")
                              if said and said != m.name})
        if not scored:
            return self._nothing_placed(t, mentions, evidence, reasons + point_reasons, point_reasons)
        best = self._best_grids(scored)
        if len(best) > 1:
            return self._ambiguous(best, scored, point if point_ok else None, t, evidence,
                                   reasons + point_reasons)
        g = best[0]
        support = [m for m in scored if g in m.grids or g in m.soft]
        conflict = [m for m in scored if m not in support]
        conf = self._confidence(g, support, conflict, point, point_ok, evidence, reasons)
        if conf < self.config.review_below or reasons:
            reasons += point_reasons
        return self._result(g, support, self._position(support, point, point_ok), conf, t, evidence, reasons)

    @staticmethod
    def _read_text(text: str, evidence: list[str]) -> str:
        raw = text if isinstance(text, str) else ("" if text is None else str(text))
        if len(raw) > MAX_CHARS:
            evidence.append(f"文本过长（{len(raw)}字），只分析前{MAX_CHARS}字")
            raw = raw[: MAX_CHARS]
        return normalize_text(raw)

    def _outside_district(self, t: str, mentions: list, point: GeoPoint | None, evidence: list[str],
                          reasons: list[str], point_reasons: list[str]) -> Location | None:
        """A place named outside the district, and nothing inside it named exactly: no grid."""
        foreign = sorted(set(self._foreign_re.findall(t)) | self._divisions_named(t)) if t else []
        if not foreign:
            return None
        # A registered place said by its short name (人民医院, 中国银行) is as likely the other
        # district's (弋江区人民医院, 昆都仑区…中国银行门前) unless ours is named too.
        ours_named = any(m.kind == "district" for m in mentions)
        strong_exact = any(m.how == "exact" and m.weight >= 0.85 and (ours_named or m.matched in ("", m.name))
                           for m in mentions if m.kind != "district")
        if strong_exact:
            evidence.append("另提及本区以外的地点：" + "、".join(foreign))
            return None
        evidence.append("提及本区以外的地点：" + "、".join(foreign))
        reasons.append(f"地点可能不在本区（提到{'、'.join(foreign)}），请核实")
        return self._result(None, [], point, 0.1, t, evidence, reasons + point_reasons,
                            unmatched=self._unregistered(t, mentions))

    def _divisions_named(self, t: str) -> set[str]:
        """The other districts and counties of the division table named in t (弋江区, 繁昌县)."""
        found = set()
        for m in _DIVISION_END.finditer(t):  # (only where a division's name may end)
            i = m.start()
            found.update(t[j:i + 1] for j in range(max(0, i - 5), i - 1) if t[j:i + 1] in self._foreign_divisions)
        return found

    def _nothing_placed(self, t: str, mentions: list, evidence: list[str], reasons: list[str],
                        point_reasons: list[str]) -> Location:
        if mentions:  # only the district itself
            evidence.append("只提到了区名")
        unmatched = self._unregistered(t, mentions)
        if unmatched:
            evidence.append("未登记的地名：" + "、".join(unmatched))
            reasons.insert(0, not_registered(unmatched[0]))
        elif not point_reasons:
            reasons.insert(0, NO_PLACE)
        loc = self._result(None, [], None, 0.0, t, evidence, reasons, unmatched=unmatched)
        loc.missing = [NO_PLACE] if NO_PLACE in reasons else []
        return loc

    @staticmethod
    def _best_grids(scored: list) -> list[str]:
        """The grids most mentions point to (a vague mention counts half where it may be)."""
        score: dict[str, float] = {}
        for m in scored:
            for g in m.grids:
                score[g] = score.get(g, 0.0) + m.weight
            for g in m.soft - m.grids:
                score[g] = score.get(g, 0.0) + m.weight * 0.5
        top = max(score.values())
        return sorted(g for g, s in score.items() if s >= top - 1e-9)

    def _confidence(self, g: str, support: list, conflict: list, point: GeoPoint | None, point_ok: bool,
                    evidence: list[str], reasons: list[str]) -> float:
        """How sure grid g is: its best single-grid mention, less what disagrees."""
        cfg = self.config
        single = [m.weight for m in support if len(m.grids) == 1]
        if single:
            conf = max(single)
        else:  # only the intersection of several vague mentions singles it out
            conf = 0.75 * min(1.0, sum(m.quality for m in support) / len(support))
        conf += 0.04 * (len(support) - 1)
        for m in support:
            if m.how == "point" and g not in m.grids:
                d = self.registry.distance_to_grid(point, g) if point_ok else 0
                evidence.append(f"坐标在相邻网格，距本网格约{d:.0f}米，视为一致")
            if m.note:
                reasons.append(m.note)
                conf = min(conf, cfg.review_below - 0.05)
        for m in conflict:
            if m.how == "point":
                d = self.registry.distance_to_grid(point, g)
                evidence.append(f"文字地址与坐标不一致：坐标在{self._grid_label(next(iter(m.grids)))}，"
                                f"距文字地址所在网格约{d:.0f}米")
                reasons.append(f"文字地址与定位坐标不一致（相距约{d:.0f}米），请确认问题位置")
                conf -= 0.5 * m.weight
            elif m.weight >= 0.4:
                other = self._where(m.grids)
                evidence.append(f"“{m.matched or m.name}”在{other}，与其他地址信息不一致")
                reasons.append(f"地址信息不一致：“{m.matched or m.name}”在{other}，请确认")
                conf -= 0.5 * m.weight
            else:
                conf -= 0.1 * m.weight
        fuzzy = [m for m in support if m.how in ("pinyin", "fuzzy")]
        if fuzzy and not [m for m in support if m.how in ("exact", "point")]:
            conf -= 0.05
        conf = max(0.0, min(0.98, conf))
        if conf < cfg.review_below and not reasons:
            if all(m.how in ("pinyin", "fuzzy") for m in support):
                m0 = fuzzy[0]
                reasons.append(f"地名为近似匹配（“{m0.matched}”→“{m0.name}”），请确认")
            elif all(m.how == "point" for m in support):
                reasons.append("只有定位坐标且不在网格内，请确认具体位置")
            else:
                reasons.append("定位把握不大，请确认具体位置")
        return conf

    @staticmethod
    def _position(support: list, point: GeoPoint | None, point_ok: bool) -> GeoPoint | None:
        """The citizen's own pin if it agrees, else the registry's point of the surest mention."""
        if point_ok and any(m.how == "point" for m in support):
            return point
        for m in sorted(support, key=lambda m: -m.weight):
            if m.point and len(m.grids) == 1 and m.how != "point":
                return m.point
        return None

    # ------------------------------------------------------------------ pieces
    def _grid_label(self, code: str) -> str:
        path = self.registry.grid_path(code)
        if len(path) == 4 and path[3].name.startswith(path[2].name):
            return path[1].name + path[3].name
        return "".join(lv.name for lv in path[1:]) or code

    def _where(self, grids) -> str:
        grids = list(grids)
        if len(grids) == 1:
            return self._grid_label(grids[0])
        anc = self.registry.common_ancestor(grids)
        return self.registry.name_of(anc) if anc else "多个网格"

    def _point_mention(self, point, evidence, reasons) -> tuple[_Mention | None, bool]:
        if point is None:
            return None, False
        if not valid_point(point):
            evidence.append("坐标无效")
            reasons.append("定位坐标无效，已忽略")
            return None, False
        cfg = self.config
        inside = self.registry.grid_at(point)
        near = self.registry.grids_near(point, max(cfg.agree_m, cfg.max_outside_m))
        soft = frozenset(c for c, d in near if d <= cfg.agree_m)
        if inside:
            evidence.append(f"坐标位于{self._grid_label(inside)}")
            return _Mention("point", "坐标", -1, -1, frozenset([inside]), 1.0, "定位坐标",
                            how="point", soft=soft), True
        if near and near[0][1] <= cfg.max_outside_m:
            code, d = near[0]
            q = (0.8 - 0.3 * d / cfg.max_outside_m) / WEIGHTS["point"]
            evidence.append(f"坐标在网格范围外约{d:.0f}米，就近归入{self._grid_label(code)}")
            return _Mention("point", "坐标", -1, -1, frozenset([code]), q, "定位坐标",
                            how="point", soft=soft), True
        evidence.append("坐标不在本区网格范围内")
        reasons.append("定位坐标不在本区范围内")
        return None, False

    def _syllables(self, t: str) -> list[str]:
        return [self._syllable(ch) for ch in t]

    def _text_mentions(self, t: str, evidence: list[str]) -> list[_Mention]:
        if not t:
            return []
        idx = self._index
        cands: list[tuple[int, int, str, str, float]] = []  # start, end, key, how, quality
        pos = 0
        for tok in self._tk.cut(t, HMM=False):
            if tok in idx.entries:
                cands.append((pos, pos + len(tok), tok, "exact", 1.0))
            pos += len(tok)
        # pinyin: homophones, and names the tokenizer split
        syl = self._syllables(t)
        n = len(t)
        for i in range(n - 2):
            if not syl[i] or not syl[i + 1]:
                continue
            for names_syl, key in idx.py.get((syl[i], syl[i + 1]), ()):
                L = len(names_syl)
                if i + L <= n and tuple(syl[i:i + L]) == names_syl:
                    seg = t[i:i + L]
                    if seg == key:
                        cands.append((i, i + L, key, "exact", 1.0))
                    elif any(a == b for a, b in zip(seg, key)) and not _going_to(seg, key) \
                            and not _kind_word_misheard(seg, key) and not _other_kind_misheard(seg, key) \
                            and not t.startswith(_OWN_NAME_AFTER, i + L):
                        cands.append((i, i + L, key, "pinyin", 0.9))
        # keep the longest, then the best, non-overlapping matches
        cands.sort(key=lambda c: (-(c[1] - c[0]), -c[4], c[0]))
        taken = [False] * n
        kept = []
        for s, e, key, how, q in cands:
            if any(taken[s:e]):
                continue
            for k in range(s, e):
                taken[k] = True
            kept.append((s, e, key, how, q))
        kept += self._fuzzy(t, taken)
        kept.sort()
        mentions: list[_Mention] = []
        for s, e, key, how, q in kept:
            for entry in idx.entries[key]:
                m = self._resolve(entry, t, s, e, key, how, q)
                if m is not None:
                    mentions.append(m)
        # one mention per entity (the most specific)
        best: dict[tuple, _Mention] = {}
        for m in mentions:
            k = (m.kind if m.kind not in ("building", "compound") else "c", m.name)
            if m.kind in ("house", "road"):
                k = ("r", m.name)
            cur = best.get(k)
            if cur is None or (m.weight, -len(m.grids)) > (cur.weight, -len(cur.grids)):
                best[k] = m
                if cur is not None:
                    m.misheard += cur.misheard + ((cur.matched,) if cur.how == "pinyin" else ())
            elif m.how == "pinyin":
                cur.misheard += (m.matched,)
        out = sorted(best.values(), key=lambda m: m.start)
        for m in out:
            if m.how == "pinyin":
                evidence.append(f"同音匹配：“{m.matched}”→“{m.name}”")
            elif m.how == "fuzzy":
                evidence.append(f"近似匹配：“{m.matched}”→“{m.name}”")
        return out

    def _fuzzy(self, t: str, taken: list[bool]) -> list[tuple]:
        """Names with a missing or wrong character, found before an address word."""
        idx = self._index
        out = []
        for am in _ADDR_RE.finditer(t):
            e = am.end()
            if any(taken[am.start():e]):
                continue
            best, tied = None, False
            for L in range(len(am.group(0)) + 2, len(am.group(0)) + 7):
                s = e - L
                if s < 0 or not all(_is_cjk(ch) for ch in t[s:am.start()]) or any(taken[s:e]):
                    break
                phrase = t[s:e]
                keys: set[str] = set()
                for i in range(len(phrase) - 1):
                    post = idx.bigrams.get(phrase[i:i + 2])
                    if post and len(post) <= 60:
                        keys |= post
                for key in sorted(keys):
                    if key[-1] != phrase[-1] or abs(len(key) - len(phrase)) > 2:
                        continue
                    r = fuzz.ratio(phrase, key)
                    if r >= self.config.fuzzy_min and (best is None or r > best[0]):
                        best, tied = (r, s, key), False
                    elif best is not None and r == best[0] and key != best[2]:
                        tied = True
            # Two names as near as each other (花园小区: 金宝花园 or 东安花园?): neither is meant.
            if best and not tied:
                r, s, key = best
                out.append((s, e, key, "fuzzy", 0.95 * r / 100))
                for k in range(s, e):
                    taken[k] = True
        return out

    def _resolve(self, entry: _Entry, t: str, s: int, e: int, key: str, how: str,
                 q: float) -> _Mention | None:
        """What a name found in the text says: the grids it points to, with what follows it
        (a house number after a road, a building after a compound, a direction after a
        landmark) narrowing them down."""
        resolve = {"district": self._resolve_admin, "street": self._resolve_admin,
                   "community": self._resolve_admin, "grid": self._resolve_admin,
                   "road": self._resolve_road, "compound": self._resolve_compound,
                   "landmark": self._resolve_landmark, "kind": self._resolve_landmark}.get(entry.kind)
        return resolve(entry, t, s, e, how, q) if resolve else None

    def _resolve_admin(self, entry: _Entry, t: str, s: int, e: int, how: str, q: float) -> _Mention:
        if entry.kind == "grid":
            grids = frozenset(entry.targets)
        else:
            grids = frozenset(self.registry.grids_under(entry.targets[0]))
        return _Mention(entry.kind, entry.name, s, e, grids, q, entry.name, how=how, matched=t[s:e])

    def _resolve_road(self, entry: _Entry, t: str, s: int, e: int, how: str, q: float) -> _Mention:
        rest, matched = t[e:e + 24], t[s:e]
        segs: list[RoadSegment] = entry.targets
        m = _HOUSE_RE.match(rest)
        if m is None:
            skip = _FILLER_RE.match(rest).end()
            m2 = _HOUSE_RE.match(rest[skip:]) if skip else None
            if m2:
                m = _HOUSE_RE.match(rest, skip)
        if m:
            no = int(m.group(1))
            hit = [sg for sg in segs if sg.has_number(no)]
            if hit:
                return _Mention("house", entry.name, s, e + m.end(),
                                frozenset(sg.grid for sg in hit), q,
                                f"{entry.name}{no}号", point=hit[0].point_for(no),
                                how=how, matched=matched)
            return _Mention("road", entry.name, s, e, frozenset(sg.grid for sg in segs), q,
                            f"{entry.name}{no}号", how=how, matched=matched,
                            note="" if len(segs) == 1 else
                            f"门牌号“{entry.name}{no}号”不在登记范围内，请核实")
        grids = frozenset(sg.grid for sg in segs)
        pt = segs[0].point_for() if len(segs) == 1 else None
        if len(grids) == 1:  # a lane inside one grid says as much as a landmark
            q *= WEIGHTS["road_one_grid"] / WEIGHTS["road"]
        return _Mention("road", entry.name, s, e, grids, q, entry.name, point=pt, how=how,
                        matched=matched)

    def _resolve_compound(self, entry: _Entry, t: str, s: int, e: int, how: str, q: float) -> _Mention | None:
        rest, matched = t[e:e + 24], t[s:e]
        comps: list[Compound] = entry.targets
        if entry.derived and rest[:1] and rest[0] in "路街巷道胡条里苑园":
            return None  # 明礼路: another, unregistered name that begins like 明礼花园
        m = self._building_after(rest, entry.weak)
        if m is None and entry.weak:
            return None
        if m:
            no = m.group(1)
            end = e + m.end()
            um = _UNIT_RE.match(t[end:end + 8])
            unit = f"{um.group(1)}单元" if um else ""
            hit = [c for c in comps if no in c.buildings]
            if hit:
                return _Mention("building", entry.name, s, end + (um.end() if um else 0),
                                frozenset(c.grid for c in hit), q,
                                f"{entry.name}{no}号楼{unit}",
                                point=hit[0].buildings.get(no), how=how, matched=matched)
            if entry.weak:
                return None
            return _Mention("compound", entry.name, s, e, frozenset(c.grid for c in comps), q,
                            f"{entry.name}{no}号楼{unit}", how=how, matched=matched,
                            note=f"{entry.name}没有登记{no}号楼，请核实楼号")
        grids = frozenset(c.grid for c in comps)
        pt = comps[0].point if len(grids) == 1 else None
        return _Mention("compound", entry.name, s, e, grids, q, entry.name, point=pt,
                        how=how, matched=matched)

    @staticmethod
    def _building_after(rest: str, weak: bool):
        """The building number right after a compound's name (fillers allowed between; a
        strong name also finds one a few characters on, within the same clause)."""
        m = _BUILDING_RE.match(rest)
        if m is None:
            skip = _FILLER_RE.match(rest).end()
            if skip and _BUILDING_RE.match(rest, skip):
                m = _BUILDING_RE.match(rest, skip)
        if m is None and not weak:
            m2 = _BUILDING_ANY_RE.search(rest[:14])
            m = m2 if m2 and not any(ch in "，。,；;！？" for ch in rest[:m2.start()]) else None
        return m

    def _resolve_landmark(self, entry: _Entry, t: str, s: int, e: int, how: str, q: float) -> _Mention | None:
        rest, matched = t[e:e + 24], t[s:e]
        marks: list[Landmark] = entry.targets
        if _NUMBERED_BEFORE.search(t, max(0, s - 4), s) and matched not in {m.name for m in marks}:
            return None  # 第三人民医院, 市第一人民医院: another, numbered one, not ours called 人民医院
        dm = _DIRECTION_RE.match(rest)
        direction = ""
        if dm and (dm.group(1) or dm.group(3)):
            direction = (dm.group(1) or "") + (dm.group(2) or "") + (dm.group(3) or "")
        grids = frozenset(m.grid for m in marks)
        pt = marks[0].point if len(grids) == 1 else None
        name = marks[0].name if len({m.name for m in marks}) == 1 else entry.name
        note = self._across_the_border(name, direction, dm, pt, grids)
        if entry.kind == "kind":
            return _Mention("kind", entry.name, s, e, grids, q, entry.name + direction,
                            how="generic", matched=matched)
        return _Mention("landmark", name, s, e + (dm.end() if direction else 0), grids, q,
                        name + direction, point=pt, how=how, matched=matched, note=note)

    def _across_the_border(self, name: str, direction: str, dm, pt, grids) -> str:
        """A note when "east of the landmark" may already be the neighbouring grid."""
        if pt is None or not (dm and dm.group(1)):
            return ""
        dx = sum(_DIR_VECTORS[c][0] for c in dm.group(1))
        dy = sum(_DIR_VECTORS[c][1] for c in dm.group(1))
        dist = 60 if dm.group(3) in ("对面", "斜对面", "对过") else 30
        other = self.registry.grid_at(self.registry.offset(pt, dx * dist, dy * dist))
        if other and other not in grids:
            return f"{name}{direction}可能已属于相邻的{self._grid_label(other)}，请确认"
        return ""

    def _unregistered(self, t: str, mentions: list[_Mention]) -> list[str]:
        covered = [(m.start, m.end) for m in mentions]
        out = []
        for m in _UNREGISTERED_RE.finditer(t):
            s, e = m.span(1)
            if any(a < e and s < b for a, b in covered):
                continue
            phrase = m.group(0)
            cut = max((i for i, ch in enumerate(m.group(1)) if ch in _STOP_CHARS), default=-1)
            phrase = phrase[cut + 1:]
            if len(phrase) >= 3 and phrase not in out and not phrase.startswith(("小区", "马路")):
                out.append(phrase)
        return out[:3]

    def _ambiguous(self, best, scored, point, t, evidence, reasons) -> Location:
        reg = self.registry

        def lead_targets(m):
            return [lm for g in m.grids for lm in reg.grids[g].landmarks
                    if lm.name == m.name or m.name in lm.aliases
                    or (m.kind == "kind" and GENERIC_KINDS.get(m.name) == lm.kind)]
        anc = reg.common_ancestor(best)
        lead = max(scored, key=lambda m: (m.weight, -len(m.grids)))
        what = lead.matched or lead.name
        if lead.kind in ("kind", "landmark") and len({m.name for m in scored}) == 1:
            names = sorted({lm.name for g in best for lm in reg.grids[g].landmarks
                            if lm in lead_targets(lead)})
            listed = "、".join(names[:4]) + ("等" if len(names) > 4 else "")
            evidence.append(f"“{what}”有{len(best)}处：{listed}")
            reasons.append(f"“{what}”不止一处（{listed}），请说明是哪一个")
        else:
            where = reg.name_of(anc) if anc else "多个网格"
            evidence.append(f"“{what}”对应{len(best)}个网格，只能确定到{where}")
            reasons.append(f"只能定位到{where}，请补充楼号、门牌号或附近地标")
        missing = reasons[-1:]  # which one: the citizen can say, the machine cannot
        for m in scored:
            if m.note and m.note not in reasons:
                reasons.append(m.note)
        conf = 0.35 if anc and reg.level_of(anc) == "community" else 0.2
        level = reg.level_of(anc) if anc else ""
        path = reg.grid_path(anc) if anc and level != "district" else (
            reg.grid_path(anc) if anc else [])
        details = [m.detail for m in scored if m.how != "point" and m.kind not in (
            "street", "community")]
        parts = [lv.name for lv in path[1:]] + (["、".join(details[:2])] if details else [])
        return Location(address=" ".join(parts), point=point, grid_code="", grid_path=path,
                        confidence=conf, evidence=evidence, needs_review=True,
                        review_reasons=reasons, missing=missing)

    def _result(self, g, support, pos, conf, t, evidence, reasons, unmatched=None) -> Location:
        conf = round(max(0.0, min(1.0, conf)), 3)
        if g is None:
            addr = "、".join(unmatched) if unmatched else ""
            return Location(address=addr, point=pos, grid_code="", grid_path=[],
                            confidence=conf, evidence=evidence, needs_review=True,
                            review_reasons=reasons or [NO_GRID])
        path = self.registry.grid_path(g)
        text_support = [m for m in support if m.how != "point"]
        for m in text_support:
            label = {"building": "楼栋", "house": "门牌", "compound": "小区", "landmark": "地标",
                     "road": "道路", "grid": "网格", "community": "社区", "street": "街道",
                     "kind": "地点类别"}.get(m.kind, m.kind)
            evidence.append(f"{label}：{m.detail}")
        specific = sorted([m for m in text_support if m.kind not in ("street", "community",
                                                                        "district")],
                          key=lambda m: (-m.weight, m.start))
        parts = [lv.name for lv in path[1:3]]
        if specific:
            parts.append(specific[0].detail)
        elif not text_support or all(m.kind in ("street", "community") for m in text_support):
            parts.append(path[-1].name)
        needs = conf < self.config.review_below or bool(reasons)
        if needs and not reasons:
            reasons.append("定位把握不大，请确认具体位置")
        return Location(address=" ".join(parts), point=pos, grid_code=g, grid_path=path,
                        confidence=conf, evidence=evidence, needs_review=needs,
                        review_reasons=reasons)
