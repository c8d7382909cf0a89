"""Step 2 of reading a place: from the problem's first name on, the text is read forward as
long as it says more about that place (details.py), passing over what a caller says in
between (passed_over.py). The first thing that is about something else ends the place."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.corrections import corrected_number
from classifiers.locate.place_reading.details import detail_at, details_from
from classifiers.locate.place_reading.passed_over import skip_hard, skip_soft
from classifiers.locate.place_reading.patterns import (
    BUILDING,
    CALLER,
    NEIGHBOUR_WORDS,
    NUMBER,
    OPERATOR,
    PHASE,
    SPOT_CUE,
    UNIT,
    station_key,
)
from classifiers.locate.place_reading.place import NAMED_KINDS, Name, Place
from classifiers.locate.place_reading.problem_place import lives_at, problem_place
from classifiers.locate.place_reading.said_later import (
    bridge_side_said_later,
    building_said_later,
    detail_answered,
    detail_put_right_later,
    exit_said_later,
    gate_said_later,
    number_said_later,
    road_answered,
    side_in_next_sentence,
    spot_answered,
    spot_said_precisely,
)
from classifiers.locate.place_reading.short_schools import short_for
from classifiers.locate.place_reading.vocabulary import Vocabulary
from classifiers.locate.place_reading.words import GENERIC_LANDMARKS, SIDE_VALUES

# What makes a place more than a name; how far after it the name may be said again with them.
_DETAILS = ("number", "cross_road", "between", "stretch", "building", "unit", "gate", "exit", "side")
_SAID_AGAIN_REACH = 40
_TRAILING = ",. "
_VAGUE_SIDE = "旁"
_ON_OR_UNDER = "上下"
_SIDE_SECOND = "面边头方"  # (桥下面那个公共厕所: a side, then the place there)
_VILLAGE_SIDE_REACH = 160  # how far after a village its side may be said, calling it 村
# what is no name of its own at a junction (交叉口东北角那个工地, 交叉口的过街地下通道)
_UNNAMED_AT_JUNCTION = re.compile(r"^[东西南北]{1,2}角|工地$|通道$|地道$|^过街")
# a corner of the junction, said before the spot at it (交叉口西南角、农商银行门前, 交叉口东北角中国移动营业厅门口)
_CORNER = re.compile(r"[东西南北]{1,2}角(?:上|处)?[,、]?(?:的|那个|那)?")
_INTERJECTIONS = ("哦", "噢", "啊", "哎", "呃")
_PAUSES = " ,"
SUBJECT_REACH = 240  # how far into a letter a name its subject line gave may be said again


def assemble(vocab: Vocabulary, t: str, names: list[Name], subject: int = 0,
             phrases: frozenset[int] = frozenset()) -> tuple[Place | None, int]:
    """The place from the first name on, and where its words end; `subject`: where a letter's
    subject line ends (0: none); `phrases`: where a phrase starts after a space."""
    starters = [n for n in names if not n.attached]
    if not starters:
        return None, 0
    first = problem_place(vocab, t, starters)
    if first is None:
        return None, 0
    if first.kind == "between":  # (…经过凤栖大道。凤栖大道从望仙大道路口到汇丰路口之间: the road the stretch is of)
        first = next((n for n in starters if n.kind == "road" and n.end == first.start), first)
    by_start = {n.start: n for n in names if n.start >= first.start}
    place = Place()
    said: list[str] = []
    _take(vocab, place, first, said)
    _divisions_before(t, names, place, first)  # (我在诸暨城里上班。…就是诸暨市店口镇上河埠村村北: picked after a routine)
    pos = end = first.end
    while pos < len(t):
        # (a name right here is read as it is: 黄坡镇那罗村 is no 那 before 罗村)
        p = pos if pos in by_start else skip_soft(vocab, t, pos)
        n = by_start.get(p)
        if n is not None and n is not first and n.kind in NAMED_KINDS and n.value in said:
            pos = end = n.end  # 在外交部街，外交部街33号: said again (外 is no side here)
            continue
        phase = PHASE.match(t, p)
        if phase and place.compound.endswith(phase.group()):
            pos = phase.end()  # 幸福里小区西区，西区大门口: the section said again (no district)
            continue
        if n is not None and n is not first and t[p] in _ON_OR_UNDER and t[p + 1] not in _SIDE_SECOND \
                and n.kind in ("landmark", "compound") and n.end - n.start > 3:
            q = 0  # (南昌路上的上海市场: 上 starts the market's name, it is no side)
        else:
            q = detail_at(vocab, t, p, place)
        if q:
            pos = end = q
            continue
        corner = _CORNER.match(t, p) if place.cross_road and not place.landmark and n is None else None
        if corner and corner.end() in by_start:
            pos = corner.end()  # (the corner is kept in the citizen's words only when the spot follows)
            continue
        if n is not None and n is not first and place.side == "对面" and n.kind == "landmark" and not n.attached \
                and _named_across(vocab, n.value) and (place.landmark or place.compound or place.number):
            # 雅宝路公寓南门对面物美超市门口, 人民医院对面那个好又多超市门口: the place across the way is the spot,
            # what it is across from only tells where it is (the road and the divisions stay)
            place.landmark = place.compound = place.gate = place.side = place.number = place.building = place.unit = ""
        if n is not None and n is not first:
            if _take(vocab, place, n, said, adjacent=p == pos) is None:
                number = NUMBER.match(t, n.end)
                if n.kind == "road" and number and place.landmark and not place.road \
                        and t[n.start - 1:n.start] == "(":  # 金樽KTV（滨江路103号）: the shop's address
                    place.road, place.number = n.value, number.group(1)
                    said.append(n.value)
                    pos = end = number.end()
                    continue
                if n.kind == "landmark" and place.number and not place.near and not place.side:
                    place.near = n.value  # 金宝街88号，就金宝汇门口那儿: its gate or side still follow
                    if t[n.start - 1:n.start] != "(":  # (but not in brackets: 58号（老红光电影院门口）)
                        pos = end = n.end
                        continue
                break
            pos = end = n.end
            continue
        # (from before the fillers too: 哦 is one, but 东门 哦不 西门 is a correction)
        q = corrected_number(vocab, t, p, place) or (
            t[pos:p].strip(_PAUSES) in _INTERJECTIONS and corrected_number(vocab, t, pos, place))
        if q:
            pos = end = q
            continue
        q = skip_hard(vocab, t, p, place, said, names)  # (after: 不是 is also a denial)
        if q:
            pos = q
            continue
        break
    if place.compound.endswith(vocab.village_suffixes) and not (
            place.side or place.road or place.landmark or place.building):
        m = vocab.village_side_later.match(t, end)
        if m and not any(end <= n.start < m.end() for n in names):
            place.side = (m.group(1) or m.group(2)) + "侧"
        elif (m := vocab.village_side_far.search(t, end, end + _VILLAGE_SIDE_REACH)) \
                and not any(end <= n.start < m.end() and n.kind not in ("district", "street") and n.value != place.compound
                            for n in names):  # (the village said again, its town asked for: still the village's side)
            place.side = m.group(1) + "侧"
    if place.number or place.building:
        end = _neighbours_number(vocab, t, place, first, end)
    if not place.specific and (place.street or place.district):
        end = _division_office(vocab, t, place, first, end)
    if not place.specific and first.kind in ("district", "street"):
        finer = (_named_after_division(vocab, t, names, place, end) or _after_home_division(vocab, t, names, first, end)
                 or _named_by_cue(vocab, t, names, place, end))
        if finer is not None:
            return finer
    if not place.specific:
        place.side = ""
        if not (place.district or place.street):
            return None, end
    place.text = t[first.start:end].rstrip(_TRAILING)  # (a bracket passed over with the pause after it)
    if place.side in _COMPASS_SIDES and place.landmark.endswith(vocab.bridges) \
            and (under_or_on := _BRIDGE_END_THEN.search(place.text)):
        place.side = "下" if under_or_on.group(1) else "上"  # 瀛洲大桥南头桥底下: under it, at its south end
    in_subject = end <= subject
    reach = (subject, subject + SUBJECT_REACH) if in_subject else (end, end + _SAID_AGAIN_REACH)
    again = _said_again_with_details(vocab, t, names, place, reach, in_subject)
    if again is None and in_subject and _unnamed_in_letter(t, place, subject):
        body, body_end = assemble(vocab, t, [n for n in names if n.start >= subject])
        if body is not None and (body.road or body.compound or body.number or body.gate or body.building):
            return body, body_end  # 主题：社区宠物寄养店犬吠扰民 … 绿地香颂东门开了一家宠物寄养店
    if again is None:
        side_in_next_sentence(vocab, t, place, end)
        gate_said_later(vocab, t, place, end, names)
        bridge_side_said_later(vocab, t, place, end, names)
        spot_answered(vocab, t, place, end, names)
        spot_said_precisely(vocab, t, place, end, names)
        road_answered(vocab, t, place, end, names)
        detail_answered(vocab, t, place, end)
        exit_said_later(vocab, t, place, end, names)
        number_said_later(vocab, t, place, end, names)
        detail_put_right_later(vocab, t, place, end, names)
        building_said_later(vocab, t, place, end, names)
        _divisions_said_again(t, names, place, end, subject + SUBJECT_REACH if in_subject else end + _SAID_AGAIN_REACH)
    _divisions_answered(vocab, t, names, again or place, end)
    _division_tagged_after(vocab, t, names, again or place, end, phrases)
    _divisions_said_earlier(t, names, again or place, first)
    _road_of_landmark_said_after(vocab, t, names, again or place, end)
    return again or place, end


# 宏运超市门口，就是福利东路上最大那家超市: the landmark's road, said after it with its kind
_ROAD_SAID_AFTER_REACH = 10
_ROAD_THEN_KIND = 14
_THAT_IS = re.compile(r"[,\s]*(?:就是|就在|在|就)")
_ON_THE_ROAD = re.compile(r"上?(?:的|那个|那家|的那个|的那家)?(?:[,.!?;\s\u2063]+|$)")  # (…，就朝内大街上那个。)


def _road_of_landmark_said_after(vocab: Vocabulary, t: str, names: list[Name], place: Place, end: int) -> None:
    if not place.landmark or place.road or place.compound or place.landmark in GENERIC_LANDMARKS:
        return
    kind = next(iter(vocab.kinds_ending(place.landmark)), "")
    for n in names:
        if n.kind != "road" or not end <= n.start <= end + _ROAD_SAID_AFTER_REACH:
            continue
        m = _THAT_IS.search(t, end, n.start)
        on = _ON_THE_ROAD.match(t, n.end)
        if m is not None and m.end() == n.start and (kind and kind in t[n.end:n.end + _ROAD_THEN_KIND] or on) \
                and not any(o.start > n.start and o.start < n.end + _ROAD_THEN_KIND and o.kind != "road" for o in names):
            place.road = n.value
            if on and not place.side:  # 阿婆螺蛳粉总店，就在桂柳二路上，门口…: where at the shop, said next
                details_from(vocab, t, on.end(), place)
            return


_COMPASS_SIDES = SIDE_VALUES[:4]  # 东侧, 西侧, 南侧, 北侧
# a bridge's end said before on or under it (南头桥底下, 北桥头桥下, 东头桥面上)
_BRIDGE_END_THEN = re.compile(r"[东西南北](?:头|桥头|端)(?:的)?桥(?:(底下|下面|下边|下|洞)|(面上|上面|上))")


# what may stand between a district or street and the name in it (青龙镇的 刘家寨村, 河西区 下面的 太平街道)
_DIVISION_GAP = re.compile(r"(?:的|下面|底下|下边|那个|这个|整个|[,\s]"
                           # (…大湖口镇 接线员:哪个村?来电人:出口洲 出口洲村: the operator's question between)
                           rf"|[.,\s\u2063]*(?:{OPERATOR}:)?[^:?]{{0,12}}\?{CALLER}:(?:哦|嗯|呃|是|我们是)?)*")
# 我住在解放西路88号，楼下对面解放西路92号…, 其居住在丽景苑3栋，对面5栋1单元…: the neighbour's number
_NEIGHBOUR = re.compile(r"[,\s]*(?:的)?(?:我要|我)?(?:反映的是|反映一下|反映)?(?:那个)?[,\s]*"
                        rf"(?:马路|楼下|街)?(?:斜)?(?:{NEIGHBOUR_WORDS})(?:那个|的|是)?[,\s]*(?:对面|隔壁)?(?:那个|的|是)?[,\s]*")
_NEIGHBOUR_SIDES = ("对面", "旁")
_ESTATE_AGAIN = re.compile(r"[,.;\s]*(?:(?:我|本人)?(?:要|想)?(?:反映的是|反映)[,\s]*)?(?:我们|俺们|咱们|本)?(?:小区|院里|院子里|院内)?(?:的)?")
_CITY_SAID = re.compile(r"[\u4e00-\u9fff]{2,3}市$")


def _neighbours_number(vocab: Vocabulary, t: str, place: Place, first: Name, end: int) -> int:
    """Where the writer lives, given with its number or building, then the neighbour's across
    the road or next door (对面解放西路92号, 对面5栋1单元): the neighbour's is the problem's
    place. The end of the place's words."""
    m = _NEIGHBOUR.match(t, end)
    if m is None and place.building and BUILDING.match(t, (again := _ESTATE_AGAIN.match(t, end)).end()):
        m = again  # 住在12号楼。我们小区8号楼东侧…: another building of the estate he lives in
    if m is None and place.side not in _NEIGHBOUR_SIDES or not (
            lives_at(vocab, t, first) or vocab.residence_end.search(_CITY_SAID.sub("", t[max(0, first.start - 12):first.start]))):
        return end  # (丽景苑3栋，对面5栋: 对面 was read as the side already; 我住在长沙市芙蓉区…)
    p = m.end() if m else end
    for name in (place.road, place.compound):
        if name and t.startswith(name, p):
            p += len(name)  # (the road said again)
    number = NUMBER.match(t, p) if place.number else None
    building = BUILDING.match(t, p) if place.building else None
    if number and number.group(1) != place.number:
        place.number, place.side = number.group(1), ""
        return number.end()
    if building and building.group(1).upper() != place.building:
        place.building, place.unit, place.side = building.group(1).upper(), "", ""
        again = BUILDING.match(t, building.end())
        if again and again.group(1).upper() == place.building:
            building = again  # (七号楼 七号楼 五单元)
        unit = UNIT.match(t, building.end())
        if unit:
            place.unit = unit.group(1)
        return details_from(vocab, t, unit.end() if unit else building.end(), place)  # (8号楼东侧: its side)
    return end


_FINER_REACH = 30  # how far after a district or street alone the place in it may be named
# the operator's turn right after what the caller said, up to a name in it (接线员:城中区哪条路?) or
# the caller's next answer (接线员:县城里吗?来电人:县城 …)
_OPERATOR_TURN = rf"(?:那边|这边|的)?[\s.,]*{OPERATOR}:"
_OPERATOR_SAYS = re.compile(rf"{_OPERATOR_TURN}[^:?.]{{0,6}}")
_OPERATOR_ASKS = re.compile(rf"{_OPERATOR_TURN}[^:]{{0,20}}\?{CALLER}:[^:?]{{0,8}}")
_AREA_WIDE = re.compile(r"[\s,]*(?:辖区|范围|一带|全|各|内|整个|多)")
_VAGUE_NAME = re.compile(r"^(?:内|多|各|新建|社区)|多[条家处个所]")


def _named_after_division(vocab: Vocabulary, t: str, names: list[Name], place: Place,
                          end: int) -> tuple[Place, int] | None:
    """我是青岛李沧区的啊我们小区叫那个嗯金水花园二期…: a district or street said alone, then soon
    after a road, estate or landmark with no other district: that place, in the district."""
    if _AREA_WIDE.match(t, end):
        return None  # (朝阳门街道辖区内多条胡同…, 天通苑北街道范围内: the whole area)
    # 芝罘区。接线员：哪个街道？来电人：毓璜顶街道。接线员：哪条路？来电人：青年南路…: the divisions
    # the caller gives on the way, each in answer to the operator's question
    answered: dict[str, str] = {}
    for n in names:
        if n.start < end:
            continue
        if n.kind not in ("district", "street") or n.start > end + _FINER_REACH:
            break
        said_back = n.value in (getattr(place, n.kind), answered.get(n.kind)) and (vocab.division_asked.match(t, n.end) or n.start - end <= 1
                                                            or _OPERATOR_SAYS.fullmatch(t, end, n.start))
        if not said_back:  # (芝罘区哪个街道？/ 城中区哪条路？: said back in the operator's question; 柳河镇 柳河镇下面的…: again)
            if not (vocab.division_asked.search(t, max(end, n.start - _ASKED_REACH), n.start)
                    or _OPERATOR_ASKS.fullmatch(t, end, n.start)):  # (县城里吗？来电人：县城 龙阳街道)
                break
            answered.setdefault(n.kind, n.value)
        end = n.end
    later = [n for n in names if end <= n.start <= end + _FINER_REACH and not n.attached]
    if not later or later[0].kind not in (*NAMED_KINDS, "junction", "between") \
            or later[0].value in GENERIC_LANDMARKS or _VAGUE_NAME.search(later[0].value) \
            or any(n.kind in ("district", "street") and t.find(later[0].value, n.end, n.end + 12) < 0
                   for n in names if n.start >= end):
        return None  # (another division said later — but not one said back with the same name: 汉北区汉兴街道罗家嘴村是吧？)
    finer, finer_end = assemble(vocab, t, [n for n in names if n.start >= later[0].start])
    if finer is None or not finer.specific:
        return None
    if later[0].kind != "compound" and not any(getattr(finer, k) for k in _DETAILS) \
            and not (finer.road and finer.landmark and finer.landmark not in GENERIC_LANDMARKS):
        return None  # (一片儿好多胡同, 些小饭馆: a name read where none is said, unless something finer follows it)
    finer.district = finer.district or place.district or answered.get("district", "")
    finer.street = finer.street or place.street or answered.get("street", "")
    return finer, finer_end


# the office of a town or street said right after its name (油坊镇政府, 胜利街道办事处)
_DIVISION_OFFICE = re.compile(r"(?:人民政府|政府|办事处)")


def _division_office(vocab: Vocabulary, t: str, place: Place, first: Name, end: int) -> int:
    """A town's or street's office as the spot, with the side said right after it (油坊镇政府门口,
    朝阳门街道办事处旁边): a landmark, not the whole division; where the place's words end."""
    division = place.street or place.district
    at = t.find(division, first.start, end + 1)
    office = _DIVISION_OFFICE.match(t, at + len(division)) if at >= 0 else None
    if office is None:
        return end
    pos = skip_soft(vocab, t, office.end())
    if not vocab.side_words.match(t, pos):
        return end
    place.landmark = division + office.group()
    return detail_at(vocab, t, pos, place) or office.end()


# 我在天元区工作 / 我是罗州街道的居民 / 我在雷城街道居住: a division where the writer works or lives, by what
# follows it (本人家住天元区: by the residence words before it, `phrases.residence`)
_HOME_AFTER = re.compile(r"(?:工作|上班|居住|住|的?居民|的?村民|的?住户|的业主|人)")
_AFTER_HOME_REACH = 60


def _after_home_division(vocab: Vocabulary, t: str, names: list[Name], first: Name, end: int) -> tuple[Place, int] | None:
    """本人家住天元区，每天开车到芦淞区上班。芦淞区车站路与建设南路交叉路口…: the district or town the writer
    lives or works in, said alone, is not the problem's place when a place of its own is named soon after."""
    if not (vocab.residence_end.search(_CITY_SAID.sub("", t[max(0, first.start - 9):first.start])) or _HOME_AFTER.match(t, end)):
        return None
    later = next((n for n in names if end < n.start <= end + _AFTER_HOME_REACH and not n.attached
                  and n.kind in (*NAMED_KINDS, "junction", "between")), None)
    if later is None:
        return None
    rest = [n for n in names if n.start >= later.start or (n.kind in ("district", "street") and n.start > end)]
    place, place_end = assemble(vocab, t, rest)
    if place is None or not (any(getattr(place, k) for k in _DETAILS) or place.cross_road or place.between
                             or place.road and place.landmark or _a_village(vocab, place.compound)):
        return None  # (街道辖区内的几处公共绿地, 乡里主街: the area itself, not a place in it)
    return place, place_end


_CUE_REACH = 400  # from the district or street said alone to the cue
_CUE_SPOT = 6  # from the cue to the spot's first name


def read_further(vocab: Vocabulary, t: str, place: Place | None, pos: int) -> bool:
    """Whether the text after `pos` may still name the problem's place: words point at it (我说的地方是…),
    or say this is where after a district alone (具体位置是…)."""
    # (or after none, or after where the writer lives: 我家住在东总布北里小区。我要反映的不是我们小区的问题…
    # 这户的地址是苏州胡同47号 / 我本人住在金宝花园…这家饭馆的位置在东总布胡同10号 — problem_place tells which)
    return vocab.pointed.search(t, pos) is not None or SPOT_CUE.search(t, pos) is not None


def _named_by_cue(vocab: Vocabulary, t: str, names: list[Name], place: Place, end: int) -> tuple[Place, int] | None:
    """我是东四街道的一名居民…我说的这个地方在史家小区，具体是4号楼东侧 / 作坊的地址是东升路51号: a district or
    street said alone, the spot named much later after words that say this is where: that spot, in the division."""
    cues = sorted([*SPOT_CUE.finditer(t, end, end + _CUE_REACH), *vocab.pointed.finditer(t, end, end + _CUE_REACH)],
                  key=lambda m: m.start())
    for cue in cues:
        later = next((n for n in names if cue.end() <= n.start <= cue.end() + _CUE_SPOT and not n.attached), None)
        if later is None or later.value in GENERIC_LANDMARKS \
                or later.kind not in (*NAMED_KINDS, "junction", "between", "district", "street"):
            continue
        finer, finer_end = assemble(vocab, t, [n for n in names if n.start >= later.start])
        if finer is None or not finer.specific or finer.district and place.district and finer.district != place.district:
            return None
        # (我家住在南浔区…我母亲住在双林镇…作坊的地址是东升路51号: the divisions said on the way count too)
        between = [n for n in names if end <= n.start < cue.start() and n.kind in ("district", "street")]
        for kind in ("district", "street"):
            said = {n.value for n in between if n.kind == kind}
            if not getattr(finer, kind):
                setattr(finer, kind, getattr(place, kind) or (said.pop() if len(said) == 1 else ""))
        return finer, finer_end
    return None


def _a_village(vocab: Vocabulary, name: str) -> bool:
    """A village named in full (麒麟区东山镇大冲村), a place of its own where the writer's home town was not."""
    return len(name) >= 3 and name.endswith(vocab.village_suffixes)


def _unnamed_in_letter(t: str, place: Place, subject: int) -> bool:
    """A subject line's place that is a lone landmark the letter never names again (主题：学校周边
    小卖部…, 主题：全民健身中心停车场乱收费…): the subject's words for what the letter names in full."""
    return bool(place.landmark) and not (place.road or place.compound or place.number or place.cross_road
                                         or place.district or place.street) \
        and t.find(place.landmark, subject) < 0


def _divisions_said_again(t: str, names: list[Name], place: Place, end: int, reach: int) -> None:
    """主题：新庄村拆迁后…  北湖区金桥街道新庄村…: the name said again soon after (a subject
    line's: anywhere in the letter's first lines) with its district or street before it; those
    are the place's too."""
    if place.district and place.street:
        return
    # (…晋熙镇河畔街老徐牛肉面馆: the divisions before the road the shop is said on)
    main = place.landmark or place.compound or place.road or place.street
    for said in (main, place.road) if place.road and place.road != main else (main,):
        again = next((n for n in names if end <= n.start <= reach and n.value == said), None) if said else None
        if again is not None:
            before = (place.district, place.street)
            _divisions_before(t, names, place, again)
            if (place.district, place.street) != before:
                return


_ANSWER_REACH = 80  # from the place to the division named for it (after an operator's question)
_ASKED_REACH = 16  # from the question (哪个区的？) to the answer
_BELONGS_REACH = 8  # from 属于 / 归 / 县是 to the name


def _divisions_answered(vocab: Vocabulary, t: str, names: list[Name], place: Place, end: int) -> None:
    """接线员：您是哪个区的？雁塔区 / 红土岭村，属于马坊镇 / 归双河镇管，县是清源县: a district or street
    named after the place in answer to the operator's question, or as what the place belongs to,
    where the place lacks one (else a district said later is somewhere else: 我住在…区)."""
    for n in names:
        if n.kind not in ("district", "street") or not end <= n.start <= end + _ANSWER_REACH \
                or getattr(place, n.kind):
            continue
        if vocab.division_asked.search(t, max(end, n.start - _ASKED_REACH), n.start) \
                or vocab.division_belongs.search(t, max(end, n.start - _BELONGS_REACH), n.start):
            setattr(place, n.kind, n.value)


# what across the way is a spot of its own: a chain's shop, or a market, a park, a school… by its name
# (not 对面的文具店, 对面那家洗车店: a shop of a kind, told by what it is across from)
_ACROSS_KINDS = ("超市", "菜市场", "市场", "商场", "广场", "绿地", "公园", "医院", "银行", "小学", "中学", "幼儿园")


def _named_across(vocab: Vocabulary, name: str) -> bool:
    if name.startswith(tuple(vocab.brands)):
        return True
    kind = next((k for k in _ACROSS_KINDS if name.endswith(k)), "")
    return bool(kind) and len(name) - len(kind) >= 2 and name not in GENERIC_LANDMARKS


# a district said on its own after the place, as where it all is (…走过去头上淋一身😡 崇川区的 / 海门这边 有没有人查)
_TAG_BEFORE = re.compile(r"(?<=[^\w])")
_TAG_AFTER = re.compile("(?:的|这边|那边|这块|那块|这片|那片)?")
_PAUSE_OR_END = re.compile(r"$|[^\w]")  # (not 友谊19街坊: a name going on in digits)


def _division_tagged_after(vocab: Vocabulary, t: str, names: list[Name], place: Place, end: int,
                           phrases: frozenset[int]) -> None:
    """崇川区的 / 如皋的 / 海门这边: a district said alone, between pauses, after the place — the
    district of the place where it has none (a district said with a place of its own, or
    after 住在, is not; nor a 区 the division table does not hold: 出租车排队区)."""
    if place.district:
        return
    for n in names:
        if n.start < end or n.kind in NAMED_KINDS:
            if n.start >= end:
                return  # (another place said after it: the district may be that one's)
            continue
        tag_end = _TAG_AFTER.match(t, n.end).end()
        if n.kind == "district" and n.value in vocab.districts and (n.start in phrases or _TAG_BEFORE.match(t, n.start)) \
                and (tag_end in phrases or _PAUSE_OR_END.match(t, tag_end)):
            place.district = n.value
            return


def _divisions_said_earlier(t: str, names: list[Name], place: Place, first: Name) -> None:
    """老家在松阳县太平镇双井村。…双井村村北头的变压器: the place's village (estate, road) named
    earlier with its district and street before it; those are the place's too."""
    if place.district and place.street:
        return
    for n in names:
        if n.end <= first.start and n.kind == first.kind and n.value == first.value:
            _divisions_before(t, names, place, n)


def _divisions_before(t: str, names: list[Name], place: Place, name: Name) -> None:
    """The district and street said right before a name (南京江宁区湖熟街道金桥村, 青龙镇的 刘家寨村,
    河西区 下面的 太平街道), where the place lacks them."""
    while name is not None:
        before = next((n for n in reversed(names) if n.kind in ("district", "street") and n.end <= name.start
                       and _DIVISION_GAP.fullmatch(t, n.end, name.start)), None)
        if before is not None and not getattr(place, before.kind):
            setattr(place, before.kind, before.value)
        name = before


def _said_again_with_details(vocab: Vocabulary, t: str, names: list[Name], place: Place,
                             reach: tuple[int, int], subject: bool) -> Place | None:
    """每天都会去滨湖公园晨练。滨湖公园东门里头…: a name said with nothing finer, then
    said again soon after (within `reach`) with its gate, side or number: the place as said the
    second time (with what only the first said), or None. Also a place with details but no side
    said again with the same details and a side (主题：方巾巷小区二号楼外墙… 方巾巷小区二号楼西侧外墙…),
    or in a longer name (主题：南小街中段… 朝阳门南小街中段…). `subject`: the place is a letter's
    subject line's, and the letter may say it again anywhere in `reach`, even with a side."""
    # (a subject line's 周边 / 附近 is no side to keep when the letter says where at it: 主题：东单体育中心
    # 周边违规占道经营 … 东单体育中心门口的人行道上)
    vague = subject and place.side == _VAGUE_SIDE
    detailed = [k for k in _DETAILS if getattr(place, k) and not (vague and k == "side")]
    if place.side and not subject:
        return None
    main = place.landmark or place.compound or place.road
    if not main:
        return _division_said_again(vocab, t, names, place, reach)
    said = [n for n in names if reach[0] <= n.start <= reach[1]
            and (n.value.endswith(main) or n.value.startswith(main)  # (一号线建国门站)
                 or n.kind == "junction" and main == n.cross)]  # 金宝街路口… 东单北大街和金宝街那个十字路口
    # (a subject's name may be said bare in the letter before it is said with its details)
    for again in said if subject else said[:1]:
        later = _as_said_again(vocab, t, names, place, main, detailed, again, subject)
        if later is not None:
            break
    else:
        return None
    for k in ("district", "street", "road", "compound"):
        if not getattr(later, k) and getattr(place, k) and not (k == "road" and later.cross_road):
            setattr(later, k, getattr(place, k))
    _divisions_before(t, names, later, again)  # 标题：刘家洼村…  正文：青岚区刘家洼村村北: the district said with it
    return later


def _division_said_again(vocab: Vocabulary, t: str, names: list[Name], place: Place,
                         reach: tuple[int, int]) -> Place | None:
    """我老家是临朐县的，…我们临朐县五井镇茹家庄村村西头: a district or street said alone, then said
    again soon after with a finer place in it: that place."""
    main = place.street or place.district
    again = next((n for n in names if reach[0] <= n.start <= reach[1] and n.value == main), None)
    if again is None:
        return None
    later, _ = assemble(vocab, t, [n for n in names if n.start >= again.start])
    finer = later is not None and (later.road or later.compound or later.landmark
                                   or later.street and not place.street)  # 城西区 城西区的 向阳街道
    if not finer or not later.text.startswith(main):
        return None  # (我住在朝阳门街道，反映的问题不在我家附近，是在本司胡同9号对面: another place)
    if (place.district and later.district and later.district != place.district) \
            or (place.street and later.street and later.street != place.street):
        return None
    later.district = later.district or place.district
    later.street = later.street or place.street
    return later


def _as_said_again(vocab: Vocabulary, t: str, names: list[Name], place: Place, main: str,
                   detailed: list[str], again: Name, subject: bool) -> Place | None:
    """The place read from `again` on, when it says the place's name again with more (a letter
    that names a junction on its subject line's road: that junction)."""
    later, _ = assemble(vocab, t, [n for n in names if n.start >= again.start])
    if later is None or not any(getattr(later, k) for k in _DETAILS) \
            or (later.landmark or later.compound or later.road) != again.value:
        return None
    if subject and later.cross_road and main in (later.road, later.cross_road):
        return later  # 主题：南竹竿胡同西口路口… 南竹竿胡同和朝阳门南小街交叉的地方
    same_details = all(getattr(later, k) == getattr(place, k) for k in detailed)
    if not detailed and later.side and place.side == _VAGUE_SIDE and later.side != place.side:
        return later  # the letter's own side of the subject's place
    longer = later.landmark or later.compound or later.road
    # (but not where the writer lives: 主题：史家小区4号楼地下室… 现在住在史家小区4号楼3单元)
    finer = any(getattr(later, k) and not getattr(place, k) for k in ("unit", "gate", "exit")) \
        and not vocab.residence_end.search(t, max(0, again.start - 6), again.start)
    if detailed and not (later.side and same_details and longer == main
                         or same_details and finer and longer == main  # 主题：御河湾小区12栋… 御河湾小区12栋2单元的电梯
                         or same_details and len(longer) > len(main) and longer.endswith(main)):
        return None  # (the same name: 申请修剪汀雨巷14号门口 is no road 修剪汀雨巷; but 主题：南小街中段… 朝阳门南小街中段…)
    return later


def _take(vocab: Vocabulary, place: Place, n: Name, said: list[str], adjacent: bool = False) -> bool | None:
    """Add a name to the place: True when added, False when it only repeats, None when
    it is about something else."""
    value = n.value
    if n.kind in NAMED_KINDS and any(v.startswith(value) and not (n.kind == "road" and v == place.street)
                                     for v in said):
        return False  # said again, perhaps shorter (刘庄村, 刘庄); not the road a street is named after (和平路街道和平路56号)
    if n.kind == "landmark" and vocab.is_station(value) and place.landmark in said \
            and station_key(place.landmark) == station_key(value):
        if len(value) > len(place.landmark):
            place.landmark = value  # 建国门站，建国门地铁站 A口: the same station, in full
        return False  # (朝阳门地铁站，朝阳门站 B口: said again, shorter)
    if n.kind == "landmark" and place.landmark in said and vocab.is_station(place.landmark) \
            and station_key(place.landmark) == value + "站":
        return False  # 三元桥站 嗯 三元桥 C口: the station said again without 站
    if n.kind == "landmark" and place.landmark in said and short_for(value, place.landmark):
        return False  # 东安区第二实验小学 呃 二实小 门口: the school said again short
    if n.kind == "landmark" and len(value) >= 2 and any(v.endswith(value) for v in said):
        return False  # 东四八条公厕，就八条公厕那个; 实验二小，二小门口: said again without its first words
    said_as = getattr(place, n.kind) if n.kind in ("compound", "landmark") else ""
    if said_as and value.startswith(said_as):
        if n.kind == "compound" and PHASE.fullmatch(value, len(said_as)):
            place.compound = value  # 东安花园的，就那个东安花园三期: which phase, said next
            said.append(value)
            return True
        return False  # said again in full (桂花园，桂花园小区)
    # A village's town or county may be said after it (村名：石各庄村 所属乡镇：杨宋镇).
    specific = place.specific and not (place.compound.endswith(vocab.village_suffixes) and not (
        place.road or place.landmark or place.building or place.street and n.kind == "street"))
    if n.kind == "district":
        if place.district.endswith("市") and adjacent and not (place.street or specific):
            place.district = value  # 宿州市泗县: the county, below the city
            said.append(value)
            return True
        if place.district or specific:
            return None
        place.district = value
    elif n.kind == "street":
        if place.street or specific:
            return None
        place.street = value
    elif n.kind == "road":
        if place.road or place.compound or place.landmark or place.between and not adjacent:
            return None  # (从A口到B口之间的金宝街: the road of the stretch, said after it)
        place.road = value
    elif n.kind == "junction":
        if place.cross_road or place.compound or place.landmark or place.number or place.between:
            return None
        if place.road and place.road not in (n.value, n.cross):
            return None
        place.road, place.cross_road = n.value, n.cross
        said += [n.value, n.cross]
    elif n.kind == "between":
        if place.between or place.compound or place.landmark or place.cross_road or place.number:
            return None
        place.between = list(n.ends)
    elif n.kind == "compound":
        if place.compound or place.landmark and not adjacent:
            return None  # (工商大学荷塘小区: the compound of the landmark just named)
        place.compound = value
    elif n.kind == "landmark":
        corner = _CORNER.match(value) if place.cross_road else None
        if corner and len(value) - corner.end() >= 2:
            value = value[corner.end():]  # 交叉口东北角中国移动营业厅: the spot at the corner
        if place.cross_road and not place.landmark and not place.compound and not place.number \
                and value not in GENERIC_LANDMARKS \
                and not _UNNAMED_AT_JUNCTION.search(value):
            place.landmark = value  # 创业大道与科技三路交叉口西南角、农商银行门前: the spot at the junction
            said.append(value)
            return True
        in_village = adjacent and place.compound.endswith(vocab.village_suffixes) and not (
            place.building or place.gate or place.side) and not value.startswith(vocab.village_suffixes) \
            and "至" not in value and value not in GENERIC_LANDMARKS  # 邢江村邢江小学门口: a place in the village
        # (not 村口小卖部, 村子中间公共厕所, 三组至村委会: a spot the village itself gives)
        if place.landmark or (place.compound and not in_village or place.cross_road) and not n.attached or place.number:
            return None  # (天河北路与体育东路交汇处天桥下: the junction's footbridge)
        place.landmark = value
    if value:
        said.append(value)
    return True
