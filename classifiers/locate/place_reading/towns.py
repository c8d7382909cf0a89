"""A town said without 镇 / 乡 / 街道 right after its district (如东掘港, 通州金沙的, 海门三厂
望江路, 如东掘港民乐路52号), or before 这边 / 那边 where its district is named (崇川区，就在文峰这边):
the street a dispatcher writes down (掘港街道, 金沙街道), found by the district's own towns in the
division table — a bare name is only a town's where the district said is its district. And a
town's own institution named by its kind right after the town (岔河镇卫生院): the town's landmark."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.patterns import CJK
from classifiers.locate.place_reading.place import NAMED_KINDS, Name
from classifiers.locate.place_reading.text import PHRASE_BREAK
from classifiers.locate.place_reading.vocabulary import Vocabulary

# what may follow a bare town: a pause, the end, 的, 这边 … (not the rest of a longer word)
_TOWN_ENDS = re.compile(rf"$|[^{CJK}]|的|这|那|一带|镇上|街上|上面")
_BARE_LENGTHS = (4, 3, 2)
_TOWN_SUFFIX = re.compile("(?:街道|镇|乡)$")


def with_bare_towns(vocab: Vocabulary, t: str, names: list[Name], phrases: frozenset[int] = frozenset()) -> list[Name]:
    """The names, with a town said bare after its district (or before 这边 where its district is
    named) added as a street; a road read from the town on (掘港民乐路) split into the two.
    `phrases`: where a phrase starts after a space (如东掘港 从银杏路口…: the town ends there)."""
    streets = [n for n in names if n.kind == "street"]
    if streets:
        # (only where a town's bare name is said besides its full one: most texts with a street do not)
        said = _short_district_then_town(vocab, t, names, phrases) \
            if any(t.count(_TOWN_SUFFIX.sub("", n.value)) > 1 for n in streets) else None
        if said is not None and sum(n.kind == "street" for n in said) > 1 \
                and len({n.value for n in said if n.kind == "street"}) == 1:
            names = said  # 东阳横店，横店镇那个: the town said bare, then again in full
        return [_town_office(vocab, t, n) for n in _county_said_before_town(vocab, t, names)]
    said = _short_district_then_town(vocab, t, names, phrases)  # (the operator may name the district later)
    if said is not None:
        return said
    districts = [n for n in names if n.kind == "district"]
    if not districts:
        return _opening_town(vocab, t, names, phrases)
    for district in districts:
        towns = vocab.bare_towns(district.value)
        if not towns:
            continue
        pos = district.end
        while t[pos:pos + 1] in (" ", ",", PHRASE_BREAK):
            pos += 1  # 天宁区 雕庄 兰香苑: a pause between them
        for k in _BARE_LENGTHS:
            town = towns.get(t[pos:pos + k])
            if town is None:
                continue
            read_on = next((n for n in names if n.start == pos and n.kind in NAMED_KINDS), None)
            if read_on is not None and read_on.kind == "compound" and read_on.end == pos + k \
                    and (_TOWN_ENDS.match(t, pos + k) or pos + k in phrases) and not t.startswith("的", pos + k):
                # 新吴区 梅村 观澜路…: a town named like a village (梅村街道), said bare (天河区冼村的出租屋: the village)
                street = Name("street", town, pos, pos + k)
                return sorted([*(n for n in names if n is not read_on), street], key=lambda n: n.start)
            if read_on is not None:
                if read_on.kind == "road" and _road_of_its_own(vocab, read_on.value[k:]) \
                        or pos + k in phrases and read_on.kind == "compound" and name_of_its_own(vocab, read_on.value[k:]):
                    # (天宁区 雕庄 兰香苑: the town, a pause, then an estate — 龚家湾和平苑 said in one
                    # breath is the estate's name, 西站十字西南角公交站 and 柳青河双岭路桥 no town's)
                    rest = Name(read_on.kind, read_on.value[k:], pos + k, read_on.end)
                    street = Name("street", town, pos, pos + k)
                    return sorted([*(n for n in names if n is not read_on), street, rest], key=lambda n: n.start)
                break
            if _named_after(names, t[pos:pos + k], pos + k):
                break
            if _TOWN_ENDS.match(t, pos + k) or pos + k in phrases or any(n.start == pos + k for n in names):
                return sorted([*names, Name("street", town, pos, pos + k)], key=lambda n: n.start)
        for m in vocab.short_context.finditer(t, district.end):
            for k in _BARE_LENGTHS:
                town = towns.get(t[m.start() - k:m.start()])
                if town is not None and not any(n.start < m.start() and m.start() - k < n.end for n in names) \
                        and not _named_after(names, t[m.start() - k:m.start()], m.end()):
                    return sorted([*names, Name("street", town, m.start() - k, m.start())], key=lambda n: n.start)
    return names


_SHORT_LENGTHS = (3, 2)
_SAID_BETWEEN = ("的/", "的", "/", "")  # (阳信的/河流镇: a county said short, 的, a pause, its town)
_OPENING_BEFORE = "/,.!?;:是在的"  # what may come right before a county said short (or the text's start)


def _county_said_before_town(vocab: Vocabulary, t: str, names: list[Name]) -> list[Name]:
    """A county said short right before one of its towns named in full: 阳信的/河流镇 (the county
    added), 滨城北镇街道 (滨城 and 北镇街道, not 城北镇 read across them)."""
    out = list(names)
    for n in names:
        if n.kind != "street":
            continue
        for gap in _SAID_BETWEEN:
            for k in _SHORT_LENGTHS:
                # (said right before the town; or, said with no pause, read into it as another town: 滨|城北镇)
                starts = (n.start - len(gap) - k, n.start - 1, n.start - 2) if not gap else (n.start - len(gap) - k,)
                for start in starts:
                    end = start + k
                    district = vocab.district_short.get(t[start:end]) if start >= 0 else None
                    if district is None or t[end:end + len(gap)] != gap or t[start:end] in vocab.city_short:
                        continue
                    if start > 0 and t[start - 1] not in _OPENING_BEFORE:
                        continue
                    town = next((x for x in sorted(vocab.towns_of(district), key=len, reverse=True)
                                 if t.startswith(x, end + len(gap))), None)
                    if town is None or any(x.start < end and x.end > start for x in out if x is not n):
                        continue
                    street = n if end + len(gap) == n.start and town == n.value \
                        else Name("street", town, end + len(gap), end + len(gap) + len(town))
                    if street is not n and any(x.start < street.end and x.end > street.start for x in out if x is not n):
                        continue
                    out = sorted([*(x for x in out if x is not n), Name("district", district, start, end), street],
                                 key=lambda x: x.start)
                    return out
    return out


_OPENING_LENGTHS = (3, 2)


def _opening_town(vocab: Vocabulary, t: str, names: list[Name], phrases: frozenset[int]) -> list[Name]:
    """容桂 华口大道同新宁路交界 / 西樵 吉水村 村尾: a chat message that opens with a town said bare, a
    pause, then the place in it — the town is the street (by the national table: no district is said)."""
    for k in _OPENING_LENGTHS:
        district = vocab.district_short.get(t[:k]) if k in phrases and t[:k] not in vocab.city_short else None
        said = [n for n in names if n.start < k]
        if district and all(n.start == 0 and n.end == k and n.kind in NAMED_KINDS for n in said) \
                and _place_named_at(names, k, t[:k]):
            # 清苑 一亩泉桥 下边, 高碑店 金泰家园 东门对过: a district said short (not an estate 清苑 or a shop 高碑店)
            return [Name("district", district, 0, k), *(n for n in names if n not in said)]
        town = vocab.town_anywhere(t[:k]) if k in phrases else ""
        if not town or said:
            continue
        if not _place_named_at(names, k, t[:k]):
            return names  # (东四 东四地铁站: the station's name said first; 融水 汪洞乡: a county's)
        return [Name("street", town, 0, k), *names]
    return names


def _place_named_at(names: list[Name], pos: int, word: str) -> bool:
    """Is the next name a road, estate or landmark starting right at `pos`, and not named with `word`?"""
    after = next((n for n in names if n.start >= pos), None)
    return after is not None and after.start == pos and after.kind in NAMED_KINDS and not after.value.startswith(word)


def _short_district_then_town(vocab: Vocabulary, t: str, names: list[Name], phrases: frozenset[int]) -> list[Name] | None:
    """如东掘港 / 通州金沙的: a district said short, then one of its towns said bare, then a pause,
    的, 这边 or a name — the names with the district and the street (None: none said so); a
    name read from the district on (安吉递铺浒溪农贸市场) is split into the three."""
    starts = {n.start for n in names}
    for i, district, pos, town, after in vocab.towns_said_after_district(t):
        if t.startswith(town, pos):
            return _town_said_whole(vocab, t, names, Name("district", district, i, pos),
                                    Name("street", town, pos, pos + len(town)))
        divisions = [Name("district", district, i, pos), Name("street", town, pos, after)]
        glued = next((n for n in names if n.start == i and n.kind in ("compound", "landmark")
                      and n.value.startswith(t[i:after]) and name_of_its_own(vocab, n.value[after - i:])), None)
        if glued is not None:
            rest = Name(glued.kind, glued.value[after - i:], after, glued.end)
            return sorted([*(n for n in names if n is not glued), *divisions, rest], key=lambda n: n.start)
        # 东阳横店，…: the two read as a shop's name (店), ending where the town ends
        # (not 南湖大桥, 城东火车站: a town named like a kind of place is that place here)
        whole = next((n for n in names if n.start == i and n.end == after and n.kind in ("compound", "landmark")
                      and t[pos:after] not in vocab.kinds), None)
        if (not any(n.start < after and pos < n.end for n in names if n is not whole)) \
                and (_TOWN_ENDS.match(t, after) or after in starts or after in phrases):
            return sorted([*(n for n in names if n is not whole), *divisions], key=lambda n: n.start)
    return None


def _town_said_whole(vocab: Vocabulary, t: str, names: list[Name], district: Name, street: Name) -> list[Name] | None:
    """山亭店子镇北岭村: a district said short, then one of its towns with 镇 / 乡 / 街道 — the names
    read across them (山亭店, 子镇北岭村) give way: those inside are dropped, one running on past
    the town keeps what follows it (北岭村). None where a name runs in from before the district."""
    out = [district, street]
    covered = street.end  # (how far a name read across the town ran: 仙游园|庄镇园|庄村 for 仙游园庄镇园庄村)
    for n in names:
        if street.end < n.start <= covered and n.kind in NAMED_KINDS:
            # 仙游园庄镇园庄村: the village's name begins where the town ends, not where a name read across it did
            out.append(Name(n.kind, t[street.end:n.end], street.end, n.end))
        elif n.end <= district.start or n.start >= street.end:
            out.append(n)
        elif n.start < district.start:
            return None
        elif n.end > street.end:
            rest = t[street.end:n.end]
            if n.value.endswith(rest) and name_of_its_own(vocab, rest):
                out.append(Name(n.kind, rest, street.end, n.end))
            else:
                covered = n.end
    return sorted(out, key=lambda n: n.start)


def name_of_its_own(vocab: Vocabulary, rest: str) -> bool:
    """What is left of an estate or landmark read from a district and town on is a name of its own
    (浒溪农贸市场, 竹乡花苑), not a kind alone (农贸市场)."""
    suffix = max((s for s in vocab.kinds if rest.endswith(s) and s != rest), key=len, default="")
    return bool(suffix) and len(rest) - len(suffix) >= 2 and rest[:-len(suffix)] not in _ESTATE_NAME_WORDS


# What an estate adds to a place's name, no name by itself (运河人家小区 is no 人家小区 in 运河街道)
_ESTATE_NAME_WORDS = frozenset(("人家", "家园", "花园", "新村", "新城", "嘉园", "雅苑", "名苑", "华府", "公馆", "佳苑",
                                "小镇", "新苑", "名城", "首府"))


def _road_of_its_own(vocab: Vocabulary, rest: str) -> bool:
    """What is left of a road read from a town on is a road of its own (掘港|民乐路, 高河|凤鸣路),
    not the road named after the area (黄河|南大街, 中关村|南大街: a direction and a kind)."""
    suffix = max((s for s in vocab.road_suffixes if rest.endswith(s)), key=len, default="")
    return len(rest) - len(suffix) >= 2 and rest[0] not in "东西南北中"


_NAMED_AFTER_REACH = 12


def _named_after(names: list[Name], bare: str, pos: int) -> bool:
    """田心那边，田心大道 / 通伸那边 通伸桥: the area said, then the road or bridge named after it —
    the caller names where the road is, not its town."""
    return any(pos <= n.start <= pos + _NAMED_AFTER_REACH and n.kind in NAMED_KINDS and n.value.startswith(bare)
               for n in names)


def _town_office(vocab: Vocabulary, t: str, name: Name) -> Name:
    """唐闸镇街道, 狼山镇街道: a street office named after the town it was, read to its end."""
    if name.kind == "street" and name.value.endswith("镇") and t.startswith("街道", name.end) \
            and name.value + "街道" in vocab.streets:
        return Name("street", name.value + "街道", name.start, name.end + 2)
    return name


_THAT = re.compile("(?:的|那个|这个|那家|那)?")


def with_town_institutions(vocab: Vocabulary, t: str, names: list[Name]) -> list[Name]:
    """岔河镇卫生院, 常乐镇文化站, 李庄镇中心小学: a town's own institution named by its kind alone
    right after the town — the landmark is the town's, and the town stays the street."""
    out = names
    for n in names:
        if n.kind != "street" or not n.value.endswith(("镇", "乡")):
            continue
        m = vocab.town_institution.match(t, _THAT.match(t, n.end).end())
        if m is None or _TOWN_ENDS.match(t, m.end()) is None and not vocab.side_words.match(t, m.end()) \
                and not vocab.gate_re.match(t, m.end()):
            continue  # (岔河镇卫生院路: a road named after it; but 梅渚镇中心小学南门外: its gate)
        said = [x for x in out if x.start == m.start()]
        if any(x.end != m.end() or x.kind != "landmark" for x in said):
            continue
        landmark = Name("landmark", n.value + m.group(), m.start(), m.end())
        out = sorted([*(x for x in out if x not in said), landmark], key=lambda x: x.start)
    return out
