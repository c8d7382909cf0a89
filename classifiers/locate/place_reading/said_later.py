"""Where at the place, said later than the place itself.

* A letter names the place in one sentence and says where at it in the next, naming it
  again by its gate or its kind: "反映桂花园小区后门的问题。后门旁边的围墙倒塌", "经常去滨江公园
  锻炼。公园南门附近的公共厕所…", "每次去妇幼保健院产检…。医院门外的马路…". The side (and a
  gate) said there belong to the place.
* A caller names a bridge, then says on it or under it a few words on, calling it just 桥:
  "凤鸣桥 栏杆 撞断了 桥上 有缺口", "那个天桥嘛，那个天桥底下", "铁路桥，桥洞子底下".
* The operator asks for the part not yet told and the caller answers on the next turn:
  "北京站。出站那儿… 接线员：北京站哪个口？来电人：呃，我看看牌子……B口".
* A caller names a station, then its exit after a pause or a correction: "朝阳门站，出站口那儿，
  B……不对不对，是C口，C口外头"."""
from __future__ import annotations

import copy
import re

from classifiers.locate.place_reading.details import detail_at, details_from
from classifiers.locate.place_reading.passed_over import skip_hard, skip_soft
from classifiers.locate.place_reading.patterns import (
    BUILDING,
    CALLER,
    CJK,
    DETAIL_ASKED,
    EXIT,
    NUMBER,
    OPERATOR,
    PAUSE_ONLY,
    PRECISELY,
    SENTENCE_ENDS,
    STRETCH,
    SUPPLEMENT,
    THEN_IS,
    UNIT,
)
from classifiers.locate.place_reading.place import Place
from classifiers.locate.place_reading.text import PHRASE_BREAK
from classifiers.locate.place_reading.vocabulary import Vocabulary
from classifiers.locate.place_reading.words import GENERIC_LANDMARKS

# the end of a sentence, or of a form's field and the next field's label (地址：… 内容：…)
_SENTENCE_END = re.compile(rf"[{SENTENCE_ENDS}\n{PHRASE_BREAK}](?:[{CJK}]{{1,4}}:)?")
_REACH = 12  # from the place to the end of its sentence (…的问题。, …锻炼。)


def side_in_next_sentence(vocab: Vocabulary, t: str, place: Place, end: int) -> None:
    """Give `place` the side said at the start of the next sentence, when that sentence
    starts by naming the place again by its gate, its name or its kind."""
    main = place.landmark or place.compound
    if place.side or not main or place.number:
        return
    stop = _SENTENCE_END.search(t, end, end + _REACH)
    if stop is None:
        return
    p = skip_soft(vocab, t, stop.end())
    again = [w for w in (main, place.gate, *vocab.kinds_ending(main)) if w and t.startswith(w, p)]
    ref = vocab.back_refs.match(t, p)
    if again:
        p += max(map(len, again))
    elif ref:
        p = ref.end()
    else:
        return
    trial = copy.copy(place)
    while q := detail_at(vocab, t, skip_soft(vocab, t, p), trial):
        p = q  # (公园内东侧: the last side said is the finer one)
    changed = {k for k in ("gate", "building", "unit", "exit") if getattr(trial, k) != getattr(place, k)}
    if trial.side and all(not getattr(place, k) for k in changed):
        place.gate, place.building, place.unit, place.exit, place.side = \
            trial.gate, trial.building, trial.unit, trial.exit, trial.side


_GATE_REACH = 40  # how far after the place a gate of it may still be said by its kind


def gate_said_later(vocab: Vocabulary, t: str, place: Place, end: int, names: list) -> None:
    """Give a compound or landmark the gate said a little later, where the text names the
    place again by its kind right before the gate: "苏州园小区啊 住了三十年了 我们小区 西门
    西门旁边", "在市第三人民医院就诊时发现医院南门外", "我是星河湾小区的业主，想反映小区侧门的问题"
    — when no other place is named in between."""
    main = place.landmark or place.compound
    if not main or place.gate or place.side or place.number or place.building or place.road or place.cross_road:
        return
    stop = min([end + _GATE_REACH, *(n.start for n in names if n.start >= end)])
    if not vocab.gate_re.search(t, end, stop):
        return  # (no gate said at all: most texts)
    kinds = sorted((k for k in vocab.kinds_ending(main) if len(k) >= 2), key=len, reverse=True)
    for p in range(end, stop):
        said = next((k for k in kinds if t.startswith(k, p)), None)
        ref = vocab.back_refs.match(t, p) if said is None else None
        if said is None and (ref is None or len(ref.group()) < 2):
            continue
        q = skip_soft(vocab, t, p + len(said) if said else ref.end())
        if not vocab.gate_re.match(t, q):
            continue
        trial = copy.copy(place)
        while r := detail_at(vocab, t, skip_soft(vocab, t, q), trial):
            q = r
        if trial.gate:
            place.gate, place.side = trial.gate, trial.side
        return


_BRIDGE_FAR = 80  # how far after the bridge 桥上 / 桥底下 may still be said, in its sentence or the next


def bridge_side_said_later(vocab: Vocabulary, t: str, place: Place, end: int, names: list = ()) -> None:
    """Give a bridge its side (上 / 下) said a few words after it, as 桥上, 桥底下, 桥洞里 — or
    in a later sentence, calling it 桥 again (…有个天桥你知道吧？那个天桥底下…), before any
    other place is named."""
    if place.side or not place.landmark.endswith(vocab.bridges):
        return
    for i in range(end, min(end + _BRIDGE_FAR, _other_place_after(vocab, names, place, end, len(t)))):
        m = vocab.side_words.match(t, i) if t[i] == "桥" else None
        if m and m.group().startswith("桥") and vocab.side_of[m.group()] in ("上", "下") \
                and not vocab.not_sides.match(t, i + 1):
            place.side = vocab.side_of[m.group()]
            return


# How far after the place the operator may ask for its next part (DETAIL_ASKED)
_ASKED_REACH = 120
_HESITATION = 12  # the caller's first words before the answer (呃，我看看牌子……B口)


def detail_answered(vocab: Vocabulary, t: str, place: Place, end: int) -> None:
    """Give `place` the exit, gate, building or unit the caller says in answer to the operator's
    question for it, a turn or two after the place was told; only parts it lacks."""
    if not (place.landmark or place.compound or place.road and not place.cross_road):
        return  # (a road's house number too: 东四九条…哪个门牌附近呢？…四十二号门口)
    # (one question after another: 有门牌号吗？…七十六号 / 是在门口还是院里？…院里头)
    for asked in DETAIL_ASKED.finditer(t, end, end + _ASKED_REACH):
        _answer_read(vocab, t, place, asked.end())


def _answer_read(vocab: Vocabulary, t: str, place: Place, answer: int) -> None:
    for start in range(answer, min(len(t), answer + _HESITATION)):
        if start > answer and t[start - 1] not in ",.!?; ":
            continue
        trial = copy.copy(place)
        q = detail_at(vocab, t, skip_soft(vocab, t, start), trial)
        if not q:
            continue
        while q:
            q = detail_at(vocab, t, skip_soft(vocab, t, q), trial)
        for key in ("number", "exit", "gate", "building", "unit", "side"):
            if not getattr(place, key) and (key != "number" or place.road):
                setattr(place, key, getattr(trial, key))
        return


_PAUSE = 3
_SAID_BACK = 24  # the operator's question before the end of the place (the road said back in it)
_ROAD_ASKED = re.compile(rf"{OPERATOR}:[^.?!:]{{0,12}}?(?:哪条路|哪条街|什么路|哪个路|哪条胡同)[^.?!:]{{0,6}}\?{CALLER}:")
_ROAD_ANSWER = 12  # from the question to the road named in answer (就 那个 …)


def road_answered(vocab: Vocabulary, t: str, place: Place, end: int, names: list) -> None:
    """Give an estate or a landmark told without its road the road the caller names in answer to the
    operator's question for it (苏州园小区 … 接线员：在哪条路上？来电人：苏州胡同)."""
    if place.road or place.cross_road or not (place.compound or place.landmark):
        return
    asked = _ROAD_ASKED.search(t, end, end + _ASKED_REACH)
    if asked is None:
        return
    road = next((n for n in names if asked.end() <= n.start <= asked.end() + _ROAD_ANSWER), None)
    if road is not None and road.kind == "road":
        place.road = road.value


_SPOT_REACH = 30  # from the operator's question to the spot the caller names (荣新路 那个 …… 有 个 加油站)


def spot_answered(vocab: Vocabulary, t: str, place: Place, end: int, names: list) -> None:
    """Give a road told alone the spot on it the caller names in answer to the operator's question
    for where on it (北京站东街，具体哪个位置？…北京站派出所 对面儿), with its gate and side: the first
    named landmark of the answer, the road said again passed over."""
    if not place.road or place.landmark or place.compound or place.number or place.cross_road or place.between:
        return
    # (the question may say the road back, and the caller say it again: 接线员：荣新路哪个位置？来电人：荣新路
    # 那个…… — both read as the place said again)
    again = end - len(place.road) - _PAUSE
    asked = next((m for m in DETAIL_ASKED.finditer(t, max(0, again - _SAID_BACK), end + _ASKED_REACH) if m.end() >= again), None)
    if asked is None:
        return
    for n in names:
        if n.start < asked.end() or n.kind == "road" and n.value == place.road:
            continue
        if n.start > asked.end() + _SPOT_REACH or n.kind != "landmark":
            return
        if n.value in GENERIC_LANDMARKS:
            continue  # (有个加油站，中石油加油站: the named one)
        place.landmark = n.value
        details_from(vocab, t, skip_soft(vocab, t, n.end), place)
        return


_PRECISELY = re.compile(PRECISELY)
_PRECISELY_REACH = 80  # from the road told to the sentence that says where on it precisely
_PRECISELY_SPOT = 12  # from 具体在 to the spot named


def spot_said_precisely(vocab: Vocabulary, t: str, place: Place, end: int, names: list) -> None:
    """Give a road told alone the spot on it said later as where precisely (小雅宝胡同这边有人占道洗车
    …具体就在小雅宝公交站旁边; 政和路上…具体位置在政和路往北走华夏银行门口): the first landmark
    named right after 具体在, with its gate and side, the road said again passed over; or the stretch of it
    said there (具体在哪… 就是从北竹竿胡同口往南走 到新鲜胡同口之间)."""
    if not place.road or place.landmark or place.compound or place.number or place.cross_road or place.between:
        return
    said = _PRECISELY.search(t, end, end + _PRECISELY_REACH)
    if said is None:
        return
    for n in names:
        if n.start < said.end() or n.kind == "road" and n.value == place.road:
            continue
        if n.kind == "between" and n.start <= said.end() + _PRECISELY_SPOT:
            place.between = list(n.ends)  # (南竹杆胡同井盖丢了… 具体在哪… 就是从北竹竿胡同口往南走 到新鲜胡同口之间)
            return
        if n.start > said.end() + _PRECISELY_SPOT or n.kind != "landmark" or n.value in GENERIC_LANDMARKS:
            return
        place.landmark = n.value
        details_from(vocab, t, skip_soft(vocab, t, n.end), place)
        return


_PUT_RIGHT_REACH = 80  # from the place to a correction of its detail a line or two on
_SAID_AGAIN_NEAR = 16  # from the corrected number to the number said again with where at it (17号门口)
_BARE_NUMBER = re.compile(r"(\d{1,5})(?![\d号])")  # (the number denied said bare: 不是15 是17号院)
_CONTRAST_NEAR = 12  # from the detail meant to the one denied, named again (是72号 27号在胡同西头那边)


def _value(kind: str, m: re.Match) -> str:
    """A detail's value as written down, from its pattern's match (NUMBER, BUILDING, … gate_re, STRETCH)."""
    if kind == "gate":
        return (m.group(1) + "门") if m.group(1) else m.group(2)
    if kind == "stretch":
        return m.group(1) + "段" if m.group(1) else ""
    return m.group(1).upper()


def detail_put_right_later(vocab: Vocabulary, t: str, place: Place, end: int, names: list) -> None:
    """A house number, building, unit, exit, gate or stretch put right a line or two after the place
    (镇江胡同15号门口… / 打错了 是17号 不是15号 / 17号门口; 七号楼楼下… 哦不对不对，我说错了，是八号楼;
    长安路88号 楼下的修车铺… / 打错了 是长安路86号 88是我家): the one said after the correction, with where at
    it when said again with it — else where at the first (楼下 stays). A place named in between ends the
    reach, unless the caller names the one he denies again (…底下就是老王便利店… / 不对不对 是72号 27号在胡同西头)."""
    kinds = [(k, rx) for k, rx in (("number", NUMBER), ("building", BUILDING), ("unit", UNIT), ("exit", EXIT),
                                    ("gate", vocab.gate_re), ("stretch", STRETCH)) if getattr(place, k)]
    if not kinds:
        return
    reach = min(len(t), end + _PUT_RIGHT_REACH)
    stop = _other_place_after(vocab, names, place, end, reach)
    # (a form's supplement, however far on, is about the place: 补充说明：门牌填错了，是71号)
    supplement = SUPPLEMENT.search(t, end)
    found = [*vocab.corrections_re.finditer(t, end, reach)]
    if supplement is not None and supplement.start() >= reach:
        stop = len(t)
        found += vocab.corrections_re.finditer(t, supplement.end(), supplement.end() + _PUT_RIGHT_REACH)
    for m in found:
        after = skip_soft(vocab, t, m.end())
        after += t.startswith("是", after)
        after += next((len(n) for n in (place.road, place.compound, place.landmark) if n and t.startswith(n, after)), 0)
        for kind, rx in kinds:
            said = rx.match(t, after) or (_BARE_NUMBER.match(t, after) if kind == "number" else None)
            old = getattr(place, kind)
            new = _value(kind, said) if said else ""
            if new.upper() == old.upper() and (then := THEN_IS.match(t, said.end())):
                # (噢 不是18号 是16号, 哦 不是15 是17号院: the one denied, then the one meant)
                said = rx.match(t, skip_soft(vocab, t, then.end()))
                new = _value(kind, said) if said else ""
            if not new or new.upper() == old.upper():
                continue
            if m.start() >= stop and t.find(old.lower(), said.end(), said.end() + _CONTRAST_NEAR) < 0:
                return
            setattr(place, kind, new)
            if kind == "building":
                place.unit = ""
            again = said.end()
            if kind == "number":
                at = t.find(new + "号", said.end(), said.end() + _SAID_AGAIN_NEAR)
                again = at + len(new) + 1 if at >= 0 else again
            side, place.side = place.side, ""
            details_from(vocab, t, again, place)
            place.side = place.side or side
            return


_EXIT_REACH = 70  # how far after a station its exit may still be said (…出口是……我看看，A口)


def exit_said_later(vocab: Vocabulary, t: str, place: Place, end: int, names: list) -> None:
    """Give a station its exit said a little after it, after pauses, a look at the sign or a
    correction (朝阳门站，出站口那儿，B……不对不对，是C口，C口外头): the last exit said before
    the talk moves on, and the side said right after it; so too after one the caller was not sure
    of (B口还是C口……C口，对，是C口)."""
    if place.exit and t.startswith("还是", end):
        place.exit = ""
    if place.exit or not vocab.is_station(place.landmark):
        return
    stop = _other_place_after(vocab, names, place, end, min(len(t), end + _EXIT_REACH))
    # (…B口 刚看了一下 是C口 不是B口: an exit denied is not the one said last)
    said = [m for m in EXIT.finditer(t, end, stop) if m.group(1)[0].isascii() and not t.endswith("不是", 0, m.start())]
    if said:
        place.exit = said[-1].group(1).upper()
        details_from(vocab, t, said[-1].end(), place)


_NUMBER_REACH = 60  # how far after a road its house number may be said, after 门牌
_DOORPLATE = re.compile(r"门牌(?:号)?|多少号")  # (福海路 多少号 我看看 / 202号: asking himself)
_PLATE_STATED = re.compile(r"门牌(?:号)?(?:是|为|:)")  # (补充一下具体门牌：41号: a letter adding it far on)
_PLATE_STATED_REACH = 400
_PLATE_TO_NUMBER = 3


def number_said_later(vocab: Vocabulary, t: str, place: Place, end: int, names: list) -> None:
    """Give a road its house number said a little later, after the caller looks at the doorplate
    (外交部街 / 那个胡同中间 / 有个院子门口 门牌我看一下 / 三十一号 / 门口水管子爆了)."""
    if place.number or not place.road or place.cross_road or place.landmark or place.compound:
        return
    stop = _other_place_after(vocab, names, place, end, min(len(t), end + _NUMBER_REACH))
    plate = _DOORPLATE.search(t, end, stop)
    if plate is None:  # (…街上新开的一家汽修店…。补充：汽修店门牌是115号: a letter adding it far on)
        stop = _other_place_after(vocab, names, place, end, min(len(t), end + _PLATE_STATED_REACH))
        plate = _PLATE_STATED.search(t, end, stop)
        stop = min(stop, plate.end() + _PLATE_TO_NUMBER) if plate else stop
    number = NUMBER.search(t, plate.end(), stop) if plate else None
    if number:
        place.number = number.group(1)
        again = NUMBER.match(t, PAUSE_ONLY.match(t, number.end()).end())  # (202号 / 202号旁边: said again, then where at it)
        details_from(vocab, t, again.end() if again and again.group(1) == place.number else number.end(), place)


_BUILDING_REACH = 120  # how far after an estate one of its buildings may still be said alone
_OWN_HOME = re.compile(r"住[^,.!?;:/]{0,6}$")  # (我住5号楼, 来电人住该小区3栋)
_BETWEEN_BUILDINGS = re.compile(r"[与和跟及]")  # (12号楼与13号楼之间: no one building)


def building_said_later(vocab: Vocabulary, t: str, place: Place, end: int, names: list) -> None:
    """Give an estate the building said alone further on, where no other place is named in between
    (我们是龙港市海港家园…问题最严重的是3幢; 本人为东四十条宿舍住户。…3号楼西侧的雨水管断裂): where in the
    estate, with its unit and side — but not the writer's own building (我住5号楼)."""
    if not place.compound or place.building or place.number or place.landmark or place.road or place.gate \
            or place.compound.endswith(vocab.village_suffixes):
        return
    # (the estate said again short is no other place: 苏州园小区，老住户都叫它苏州园。…位置是7号楼)
    stop = next((n.start for n in names if end <= n.start < end + _BUILDING_REACH
                 and not place.compound.startswith(n.value) and n.kind not in ("district", "street")),
                min(len(t), end + _BUILDING_REACH))
    m = next((m for m in BUILDING.finditer(t, end, stop) if t[m.start() - 1] != "哪"), None)  # (哪一栋？: asked)
    if m is None or _OWN_HOME.search(t[max(0, m.start() - 8):m.start()]) or _BETWEEN_BUILDINGS.match(t, m.end()):
        return
    side = place.side
    place.side = ""
    pos = details_from(vocab, t, m.start(), place)
    # (…位置是7号楼，就在7号楼南边: passing over what a caller says in between, as the place's words are read)
    while True:
        p = skip_soft(vocab, t, pos)
        q = detail_at(vocab, t, p, place)
        if not q and (hard := skip_hard(vocab, t, p, place, [place.compound], names)):
            q = detail_at(vocab, t, skip_soft(vocab, t, hard), place)
        if not q:
            break
        pos = details_from(vocab, t, q, place)
    place.side = place.side or side


def _other_place_after(vocab: Vocabulary, names: list, place: Place, end: int, stop: int) -> int:
    """Where the first other place is named after the place's words (or `stop`): what is said
    later belongs to the place only before it. The place's road or landmark said again, a
    division (a form's region field) and a bridge called again are no other place."""
    return next((n.start for n in names if end <= n.start < stop and n.value not in (place.landmark, place.road)
                 and n.kind not in ("district", "street") and not n.value.endswith(vocab.bridges)), stop)
