"""Shops named in quotes (柘湖路“力行健身”旁边, 白沙路「阿强烧腊」, 育才路上那间“好再来”麻辣烫): no
suffix gives the name away, but the quotes and the road or 那家 before them do."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.place import Name
from classifiers.locate.place_reading.vocabulary import Vocabulary

# (prepare() writes every kind of quotation mark as ")
_QUOTED = re.compile(r'"([\u4e00-\u9fffA-Za-z0-9]{2,12})"')
# what may come between the road and the quoted name, and words that point at a shop
_ON_THE_ROAD = re.compile(r"(?:上)?(?:的)?(?:那家|那间|这家|这间|一家|那个)?$")
_POINTED = re.compile(r"(?:那家|那间|这家|这间|一家|叫)$")


def quoted_shops(vocab: Vocabulary, t: str, names: list[Name]) -> list[Name]:
    """`names` with the quoted names said right after a road or after 那家/叫, as landmarks
    (with a landmark kind said right after the quotes: “欢乐颂”KTV)."""
    found = []
    for m in _QUOTED.finditer(t):
        s, e = m.span()
        if any(n.start < e and n.end > s for n in names):
            continue
        before = t[max(0, s - 6):s]
        road = next((n for n in names if n.kind == "road" and n.end <= s
                     and _ON_THE_ROAD.fullmatch(t, n.end, s)), None)
        if road is None and not _POINTED.search(before):
            continue
        value, end = m.group(1), e
        kind = vocab.suffix_re.match(t, e)
        if kind and vocab.kinds.get(kind.group()) == "landmark":
            value, end = value + kind.group(), kind.end()  # “欢乐颂”KTV
        found.append(Name("landmark", value, s, end))
    return sorted([*names, *found], key=lambda n: n.start) if found else names
