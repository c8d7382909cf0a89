"""What thing a report is about (井盖 / 雨水箅子, 道闸 / 门禁, 站牌 / 座椅), so that two reports at
one spot that each name a thing, with none in common, are not joined by themselves: another
problem there, offered to the operator. The words are `[objects]` in
`classifiers/data/duplicate_words.toml` (each key a kind of thing, each word in one kind only).

On the duplicate development sets (v2–v21), of the pairs at one spot where both texts name
such a thing, 15 of 1,040 duplicates name different things (most of them words the list then
lacked: 电闸箱, 树杈, 探头) and 115 of 273 "another problem at the same spot" do."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import ahocorasick

from classifiers.dedupe.recurrence import WORDS, DuplicateWordsError, word_file

__all__ = ["object_kinds", "objects_differ"]


@lru_cache(maxsize=4)
def _automaton(path: Path = WORDS) -> ahocorasick.Automaton:
    objects = word_file(path).get("objects")
    if not isinstance(objects, dict) or not objects:
        raise DuplicateWordsError(f"{path}: [objects] must be a table of kinds of thing, each a list of words")
    owner: dict[str, str] = {}
    for kind, words in objects.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise DuplicateWordsError(f"{path}: [objects].{kind} must be a non-empty list of non-empty words")
        for word in words:
            if owner.setdefault(word, kind) != kind:
                raise DuplicateWordsError(f"{path}: [objects]: “{word}” is in both {owner[word]} and {kind}")
    automaton = ahocorasick.Automaton()
    for word, kind in owner.items():
        automaton.add_word(word, (word, kind))
    automaton.make_automaton()
    return automaton


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
    return frozenset(found)


def objects_differ(a: frozenset[str], b: frozenset[str]) -> bool:
    """Each names a thing, and none is the same."""
    return bool(a and b and not (a & b))
