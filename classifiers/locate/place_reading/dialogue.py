"""A transcript's turns (接线员：… 来电人：…): the caller's answers to the operator's questions for
the place (哪个区？…哪条路？…多少号？), read apart from the talk around them; and the place the
operator read back and the caller confirmed (接线员：东四八条小区6号楼楼下，对吗？ 来电人：对): what the
dispatcher writes down, in the operator's clean words, where the caller's own gave it in pieces,
with stutters, homophones or a correction (南竹竿小区……北竹竿，瞧我这嘴)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields

from classifiers.locate.place_reading.patterns import CALLER, DETAIL_QUESTIONS, OPERATOR
from classifiers.locate.place_reading.place import NAMED_KINDS, Place

_TURN = re.compile(rf"(?:^|(?<=\s)|(?<=[。？！?!.]))({OPERATOR}|{CALLER})\s*[:：]")
# A read-back asks the caller to confirm, or states the place as a full sentence.
_ASKS_TO_CONFIRM = re.compile(r"[，,]?\s*(?:对吧|对吗|是吧|是吗|是不是|对不对)?\s*[？?。.！!]+\s*$")
_STATES = re.compile(r"(?:对吧|对吗|是吧|是吗|是不是|对不对)\s*[？?。.！!]*\s*$|[。.？?]\s*$")
_AFFIRMS = re.compile(r"\s*(?:对|是|嗯|没错|就是|对头|中|是嘞)(?![^。？！?!.]{0,5}不(?:对|是))")
# The yes said before an answer (对对 东四十条), and the answer's first phrase
_AFFIRMATIONS = re.compile(r"^[\s，,。.！!]*(?:(?:对|是|嗯|没错|就是|对头|的|了|啊|呀)[\s，,。.！!]*)*")
_FIRST_PHRASE = re.compile(r"[^\s，,。.！!？?]*")
# What the operator's words may leave out and the caller's still tell
_FROM_CALLER = ("district", "street", "side", "stretch")
_DETAILS = (*_FROM_CALLER, "number", "building", "unit", "gate", "exit")


def exchanges(text: str) -> list[tuple[str, str]]:
    """What the operator said and the caller answered, for each time the caller speaks right after
    the operator in a transcript (read once: the answers and the read-back both look at them); a
    last word of the operator's, with no answer after it, closes the list with the caller's part
    empty (the ticket as the operator sums it up: 好的，八条小区北门垃圾站未清运)."""
    labels = list(_TURN.finditer(text))
    turns = [(m.group(1), text[m.end():labels[i + 1].start() if i + 1 < len(labels) else len(text)])
             for i, m in enumerate(labels)]
    said = [(asked, reply) for (who, asked), (next_who, reply) in zip(turns, turns[1:])
            if re.fullmatch(OPERATOR, who) and re.fullmatch(CALLER, next_who)]
    if len(turns) > 1 and re.fullmatch(OPERATOR, turns[-1][0]):
        said.append((turns[-1][1], ""))
    return said


def _confirmed(asked: str, reply: str) -> re.Match | None:
    """The caller's yes to what the operator stated or asked him to confirm, if he says yes."""
    return _AFFIRMS.match(reply) if _STATES.search(asked) else None


# The operator asking for a part of the place (哪个区？哪条路？多少号？门口还是院里？)
# (a detail as patterns.DETAIL_QUESTIONS asks it, a division as `phrases.division_asked` does, or a road,
# an estate or a landmark)
_ASKS_WHERE = re.compile(
    rf"{DETAIL_QUESTIONS}|哪个市|哪条路|哪条街|哪条胡同|什么路|哪个路口|和哪条|跟哪条|与哪条|"
    r"哪个小区|什么小区|哪个出站口|具体哪|在哪|哪里|什么地方|哪儿|门口还是|哪一边|什么店|店名|叫什么|哪个学校|哪个公交站|"
    r"哪个菜市场|哪个公园|哪个医院|哪个村|哪个站")


# …for the other road of a junction (跟哪条路交叉的路口？), or for the house number (多少号？四十四)
_ASKS_PARTNER = re.compile(r"(?:和|跟|与)哪条|交叉|交界|交汇")
_ASKS_JUNCTION = re.compile(r"哪两条|哪条路和哪条路|哪条路跟哪条路|和哪条路的路口|跟哪条路的路口")
_ASKS_NUMBER = re.compile(r"多少号|几号(?!楼)|门牌")
_BARE_NUMBER = re.compile(r"^[\s，,。.]*([一二三四五六七八九十百零幺两\d]{1,6})[\s，,。.]*$")


def answers(said: list[tuple[str, str]], division_asked: re.Pattern) -> list[tuple[str, str]]:
    """The caller's answers to the operator's questions for the place (`said`: the transcript's
    `exchanges`), in turn, each with its question; a read-back the caller confirms (东四十条是吗？对对)
    counts as the caller's answer."""
    out = []
    for asked, reply in said:
        if _ASKS_WHERE.search(asked) or division_asked.search(asked):
            out.append((asked, reply))
        elif yes := _confirmed(asked, reply):
            # (对 院里 我住隔壁院: the caller's first words after the yes, else the operator's)
            rest = _FIRST_PHRASE.match(_AFFIRMATIONS.sub("", reply[yes.end():])).group()
            out.append((asked, rest if rest else _ASKS_TO_CONFIRM.sub("", asked.strip())))
    return out


def with_answers(said: list[tuple[str, str]], place: Place | None, read: Callable[[str], Place | None],
                 division_asked: re.Pattern) -> Place | None:
    """`place` with what the caller's answers to the operator's questions tell and it lacks
    (哪个区？荷塘区。…哪条路？新华东路…有门牌号吗？…三幺二号): each answer read apart from the talk
    around it — one that names nothing (三十九号院儿, 北门外头, a bare 四十四 for the number) after
    the name last answered, a road answered for the other of a junction as its partner —, and
    the fields the whole transcript's reading left empty filled from them."""
    said = answers(said, division_asked)
    if len(said) < 2:
        return place
    heard = Place()
    last = False  # (a name answered yet)
    for asked, answer in said:
        if _ASKS_NUMBER.search(asked) and (bare := _BARE_NUMBER.match(answer)):
            answer = bare.group(1) + "号"
        alone = read(answer)
        if _ASKS_JUNCTION.search(asked) and alone is not None and not alone.cross_road:
            alone = read(f"{answer.strip()} 路口") or alone  # (哪两条路的路口？龙泉路 和 那个 兴马路)
        if alone is not None and alone.specific:
            if _ASKS_PARTNER.search(asked) and heard.road and alone.road and not alone.cross_road \
                    and alone.road != heard.road:
                heard.cross_road = heard.cross_road or alone.road
                continue
            _fill(heard, alone, _ALL)
            last = True
            continue
        if alone is not None:
            _fill(heard, alone, ("district", "street"))  # (演乐胡同是东安区的对吧？对对对 东安区的)
        if last and (after := read(f"{_anchor(heard)} {answer}")) is not None:
            _fill(heard, after, _DETAILS)
    if not heard.specific:
        return place
    if place is None:
        return heard
    if heard.cross_road and place.road in (heard.road, heard.cross_road) and not place.cross_road:
        place.road, place.cross_road = heard.road, heard.cross_road
    _fill(place, heard, _ALL)
    return place


def without_town_as_road(place: Place | None) -> Place | None:
    """哪个乡镇？油墩街。…鄱阳县油墩街镇周家湾村: the town said short in an answer is no road of the
    place when the operator's reading gives it as the town."""
    if place is not None and place.road and place.street.startswith(place.road) and place.street != place.road \
            and not (place.number or place.cross_road or place.between or place.stretch):
        place.road = ""
    return place


def _fill(place: Place, other: Place, keys: tuple[str, ...]) -> None:
    for key in keys:
        if not getattr(place, key) and getattr(other, key):
            setattr(place, key, getattr(other, key))


def _anchor(place: Place) -> str:
    """The most specific thing heard so far, to read an answer that names nothing after (光明十条41号 | 院里)."""
    if place.landmark:
        return place.landmark
    if place.compound:
        return place.compound + (f"{place.building}号楼" if place.building else "") + (f"{place.unit}单元" if place.unit else "")
    return place.road + (f"{place.number}号" if place.number else "")


_ALL = tuple(f.name for f in fields(Place) if f.name not in ("near", "text"))  # (what a dispatcher writes down)


_OK = re.compile(r"^\s*(?:好的|好|嗯|行|明白了?|收到)\s*[，,。.]?|[，,]?\s*(?:好的|是吧|对吧|对吗)?\s*[。.！!？?]*\s*$")


def read_back(said: list[tuple[str, str]]) -> tuple[str | None, bool]:
    """The last place-bearing line the operator read back that the caller then confirmed, or else
    the operator's summing-up that ends the call, which the caller heard and let stand (True)."""
    confirmed = _confirmed_lines(said)
    found = confirmed[-1] if confirmed else None
    if found is None and said and not said[-1][1]:
        return _OK.sub("", said[-1][0].strip()) or None, True
    return found, False


def _confirmed_lines(said: list[tuple[str, str]]) -> list[str]:
    """Every line the operator read back that the caller confirmed, in order."""
    return [_ASKS_TO_CONFIRM.sub("", asked.strip()) for asked, reply in said if _confirmed(asked, reply)]


def with_read_back(said: list[tuple[str, str]], place: Place | None, read: Callable[[str], Place | None]) -> Place | None:
    """`place` as the operator read it back, where the caller confirmed a read-back naming a
    place; the district, street, side and stretch the operator left out are the caller's."""
    back_said, closing = read_back(said)
    summing_up = _closing_alike(said, place, read) if not closing else None
    if summing_up is not None:  # (东四六条46号，对吗？不是46，是64号 … 好的，东四六条64号。: the last word is the operator's)
        back_said, closing = summing_up, True
    last = back = read(back_said) if back_said else None
    earlier = False
    if (last is None or not last.specific) and not closing:
        # (是礼士花园吗？对对对 … 三号楼一单元楼道内，对吧？对: the last read-back naming a place, the
        # details confirmed after it the caller's; the very last, read above, names none)
        before = _confirmed_lines(said)[:-1]
        back = next((b for line in reversed(before) if (b := read(line)) is not None and b.specific), None)
        earlier = back is not None
    if back is None and closing and place is not None and place.specific:
        _detail_summed_up(place, back_said, read)
    if back is None or not back.specific:
        if place is not None and not closing and last is not None:
            # 新无区，说放街道 / 是新吴区硕放街道吗？对对: the district and street as the operator read them back
            place.district = last.district or place.district
            place.street = last.street or place.street
        return place
    if closing and summing_up is None and not (place is not None and _names_alike(back, place)):
        return place  # (a summing-up naming something else: a department, a misheard name)
    if place is None:
        return back
    if (place.between and not back.between) or (place.cross_road and not back.cross_road):
        return place  # (a stretch or junction the read-back, said without 从 or 与, reads as less)
    # Of the thing the read-back names, the caller's details fill in what it left out (东四十条宿舍2号楼？
    # 对！2号楼，3单元); of another thing, only where it is.
    same = earlier or any(getattr(back, key) and getattr(back, key) == getattr(place, key) for key in NAMED_KINDS)
    # (…46号，门口有个石头狮子… / 不是46，是64号 … 好的，东四六条64号: where at the number denied is not where at the one meant)
    put_right = any(getattr(back, key) and getattr(place, key) and getattr(back, key) != getattr(place, key)
                    for key in ("number", "building", "exit"))
    for key in _DETAILS if same else _FROM_CALLER:
        if not getattr(back, key) and not (key == "side" and put_right):
            setattr(back, key, getattr(place, key))
    if closing and place.road and not back.road and not back.cross_road:
        back.road = place.road  # (苏州胡同…苏州胡同公厕对面 / 好的，苏州胡同公厕对面: the road the caller gave stays)
    # The operator says a long name short (江汉路站 for 地铁2号线江汉路站, 荆阳三中 for 荆阳市第三中学):
    # the caller's full name is the one written down.
    if place.landmark:
        for key in ("landmark", "compound"):
            short = getattr(back, key)
            if short and short != place.landmark and _shortened(short, place.landmark):
                back.compound = "" if key == "compound" else back.compound
                back.landmark = place.landmark
    back.text = place.text or back.text
    return back


def _closing_alike(said: list[tuple[str, str]], place: Place | None, read: Callable[[str], Place | None]) -> str | None:
    """The operator's summing-up that ends the call, where it names the caller's place and gives its details
    (after a read-back the caller confirmed, then put right), or None."""
    if place is None or not said or said[-1][1]:
        return None
    line = _OK.sub("", said[-1][0].strip())
    back = read(line) if line else None
    if back is None or not back.specific:
        return None
    # (梅西路 … 是梅溪路吗？溪水的溪 / 对对 … 好的，梅溪路304号。: alike the name the caller confirmed)
    confirmed = read_back(said)[0]
    heard = read(confirmed) if confirmed else None
    return line if _names_alike(back, place) or heard is not None and _names_alike(back, heard) else None


def _detail_summed_up(place: Place, summing_up: str, read: Callable[[str], Place | None]) -> None:
    """…七号楼楼下有个化粪池盖子破了。话务员：金桂小区7号楼，对吗？来电人：哦不对，是八号楼… 话务员：好的，8号楼楼下
    化粪池盖板破损。: the operator's summing-up that names only the building (number, exit, gate) puts the
    caller's right, with the side it says."""
    anchor = place.landmark or place.compound or place.road
    heard = read(f"{anchor} {summing_up}") if anchor else None
    if heard is None or (heard.landmark or heard.compound or heard.road) != anchor:
        return
    for key, finer in (("building", ("unit", "side")), ("number", ("side",)), ("exit", ("side",)), ("gate", ("side",))):
        said = getattr(heard, key)
        if said and getattr(place, key) and said != getattr(place, key):
            setattr(place, key, said)
            for k in finer:
                setattr(place, k, getattr(heard, k))
            return


def _names_alike(one: Place, other: Place) -> bool:
    """Whether two readings name the same road, estate or landmark, one perhaps in fewer words
    (物美超市 / 物美超市雅宝店)."""
    for key in NAMED_KINDS:
        a, b = getattr(one, key, ""), getattr(other, key, "")
        if a and b and (a.startswith(b) or b.startswith(a)):
            return True
    return False


def _shortened(short: str, full: str) -> bool:
    """Whether `short` is `full` with characters left out."""
    chars = iter(full)
    return all(c in chars for c in short)
