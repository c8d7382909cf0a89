"""What a report says is wrong with the thing (不亮 / 白天亮 / 歪了 …), so that two reports at
one spot that name different faults are not joined by themselves. The faults and their words
are data: `[faults]` in `classifiers/data/duplicate_words.toml`."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import ahocorasick

from classifiers.dedupe.recurrence import WORDS, DuplicateWordsError, word_file

__all__ = ["fault_kinds"]


@lru_cache(maxsize=4)
def _automaton(path: Path = WORDS) -> ahocorasick.Automaton:
    faults = word_file(path).get("faults")
    if not isinstance(faults, dict) or not faults:
        raise DuplicateWordsError(f"{path}: [faults] must be a table of faults, each a list of words")
    owner: dict[str, str] = {}
    for fault, words in faults.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise DuplicateWordsError(f"{path}: [faults].{fault} must be a non-empty list of non-empty words")
        for word in words:
            if owner.setdefault(word, fault) != fault:
                raise DuplicateWordsError(f"{path}: [faults]: “{word}” is in both {owner[word]} and {fault}")
    automaton = ahocorasick.Automaton()
    for word, fault in owner.items():
        automaton.add_word(word, (word, fault))
    automaton.make_automaton()
    return automaton


# Said just before a fault's word, it says the fault is not there ("目前没有漏水", "并不吵").
_NOT = ("没有", "没", "不", "未", "无")


def fault_kinds(normal_text: str, path: Path = WORDS) -> frozenset[str]:
    """The faults a normalised text names (empty when it names none)."""
    if not normal_text:
        return frozenset()
    found = set()
    for end, (word, fault) in _automaton(path).iter(normal_text):
        start = end + 1 - len(word)
        if not normal_text.endswith(_NOT, max(0, start - 2), start):
            found.add(fault)
    return frozenset(found)
