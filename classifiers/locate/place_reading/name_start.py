"""Where a name begins: read backwards from its suffix over Chinese characters, up to a word
that cannot be part of a name (住在, 反映, 那家 …), the name before it or a phrase's start."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.vocabulary import Vocabulary

_BUS_AFTER = re.compile(r"车|公交|线|口公交")  # 2路车, 2路公交: a bus route, not a road
_BUS_BEFORE = ("公交", "坐", "乘", "搭", "趟")  # 公交2路, 坐2路: likewise
_COUNTERS = set("点号日月年时分岁块元米区县市省镇乡路线")
_AFTER_DIVISION = set("那")
_SURNAMES = set("段")  # boundary words that are surnames too, before 家 (段家滩)
_AFTER_HE = set("平谐顺美睦")  # 和平, 和谐, 和顺 …: 和 starting a name, not joining two
_SEAT = "县城"  # a county's seat, said between the county and a name in it


def name_start(vocab: Vocabulary, t: str, s0: int, floor: int, end: int, max_len: int, joined: bool,
               latin: bool = False, numbered: bool = False, phrases: frozenset[int] = frozenset()) -> int:
    """Where the name whose suffix starts at s0 begins: the longest run of Chinese
    characters before it that crosses no boundary word and starts at or after floor;
    `joined`: a joining word right after the name before it (胜利路跟|和平路) ends it;
    `latin`: letters and digits belong to the name too (阳光100); `numbered`: a number
    right before the suffix does, after a Chinese character (经2路 = 经二路, 锦溪2桥) but
    not before a bus or a line (坐2路车, 2号线); `phrases`: where a phrase starts after a
    space: a name of two or more characters before its suffix starts there at the latest
    (冒水了 丰乐路 → 丰乐路; but 和平 路18号 → 和平路)."""
    i = s0
    lowest = floor if floor > end - max_len else end - max_len
    single, longer = vocab.single_boundaries, vocab.longer_boundaries
    if numbered and s0 >= 2 and t[s0 - 1].isdigit() and not _BUS_AFTER.match(t, end):
        j = s0 - 1
        if j > lowest and t[j - 1].isdigit():
            j -= 1
        if j > lowest and "\u4e00" <= t[j - 1] <= "\u9fff" and t[j - 1] not in single \
                and not t.endswith(_BUS_BEFORE, 0, j):
            i = j
    while i > lowest:
        if i in phrases and s0 - i >= 2:
            break
        c = t[i - 1]
        if c in _AFTER_DIVISION and i - 1 == floor and floor > 0 and t[floor - 1] in "镇乡县市区道":
            i -= 1  # 黄坡镇那罗村: right after a town's name, 那 starts a village's name (not "that")
            continue
        if c in _SURNAMES and t.startswith("家", i):
            i -= 1  # 段家滩路: the family 段's place, not 段 (a stretch) before it
            continue
        if c in single and i - 2 >= lowest and t[i - 2:i] in vocab.boundary_words_in_names:
            i -= 2  # 自由家园: a word of names that ends in a boundary character …
            continue
        if c in single and t[i - 1:i + 1] in vocab.boundary_words_in_names and i + 1 == s0:
            i -= 1  # … or starts with one (为民路, but not 更正为民生路)
            continue
        if c in single and t.startswith(vocab.long_words_in_names, i - 1):
            i -= 1  # … a longer one anywhere in the name (有轨电车体育馆站)
            continue
        if not ("\u4e00" <= c <= "\u9fff" or latin and c.isascii() and c.isalnum()) or c in single:
            break
        if any(t[i - n:i] in words for n, words in longer if n <= i - floor):
            break  # (a boundary word reaching into the name before is none: 店口镇|上河埠村, not 镇上)
        if c in vocab.connectors and (joined and i - 1 == floor or t[i - 2:i - 1] == ")") \
                and not (c == "和" and t[i:i + 1] in _AFTER_HE and s0 - i <= 1):
            break  # 红旗路和|胜利路口, 红旗路（老207国道）和|胜利路口 (but 龚家湾和平苑: 和平苑)
        i -= 1
    if i > 0 and t[i - 1].isascii() and t[i - 1].isalnum() and t[i] in _COUNTERS and i < s0:
        i += 1  # 10点以后长江中路, A3区实验中学: the name starts after the time or the code
    if i == floor and i > 0 and t.startswith(_SEAT, i - 1) and s0 - i > 2 and not t.startswith("城关", i):
        i += 1  # 五莲县城解放路: the county's seat (县城), then the road in it (not 罗山县城关小罗山路: 城关)
    return i
