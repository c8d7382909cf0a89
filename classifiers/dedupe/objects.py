"""What thing a report is about (井盖 / 雨水箅子, 道闸 / 门禁, 站牌 / 座椅), so that two reports at
one spot that each name a thing, with none in common, are not joined by themselves: another
problem there, offered to the operator. The words are `[objects]` in
`classifiers/data/duplicate_words.toml` (each key a kind of thing, each word in one kind only).

On the duplicate development sets (v2–v21), of the pairs at one spot where both texts name
such a thing, 8 of 1,034 duplicates name different things (7 of them a bus stop's sign, seat
or shelter, which a generator labelled one problem "公交站设施损坏") and 107 of 267 "another
problem at the same spot" do."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import ahocorasick

from classifiers.dedupe.recurrence import WORDS, kinds_automaton

__all__ = ["object_kinds", "objects_differ"]


@lru_cache(maxsize=4)
def _automaton(path: Path = WORDS) -> ahocorasick.Automaton:
    return kinds_automaton(path, "objects", "kinds of thing")


def object_kinds(normal_text: str, path: Path = WORDS) -> frozenset[str]:
    """The kinds of thing a normalised text names, the longest word at each place (雨水口盖
    is not also a 井盖)."""
    if not normal_text:
        return frozenset()
    spans = sorted(((end + 1 - len(word), end + 1, kind) for end, (word, kind) in _automaton(path).iter(normal_text)),
                   key=lambda s: (s[0], -s[1]))
    found, covered = set(), 0
    for start, end, kind in spans:  # leftmost, then longest; none inside another
        if start >= covered:
            found.add(kind)
            covered = end
    kinds = frozenset(found)
    return _KNOWN.setdefault(kinds, kinds)  # one object per combination (cases keep theirs)


_KNOWN: dict[frozenset[str], frozenset[str]] = {}


def objects_differ(a: frozenset[str], b: frozenset[str]) -> bool:
    """Each names a thing, and none is the same."""
    return bool(a and b and not (a & b))
