"""Does a report say its problem was fixed and has come back? ("上个月修好了，今天又不亮了")

Such a report is a new occurrence of the problem, so the duplicate check never joins it to an
open case by itself (it offers the case to the operator). The words are data:
`classifiers/data/duplicate_words.toml`.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from classifiers.datafile import read_toml
from classifiers.normalize import normalize

__all__ = ["DuplicateWordsError", "says_it_recurred"]

WORDS = Path(__file__).resolve().parents[1] / "data" / "duplicate_words.toml"


class DuplicateWordsError(ValueError):
    """The duplicate check's word file is missing or wrong (the file and key are named)."""


def _words(doc: dict, key: str, path: Path) -> list[str]:
    value = doc.get("recurrence", {}).get(key)
    if not isinstance(value, list) or not value or not all(isinstance(w, str) and w for w in value):
        raise DuplicateWordsError(f"{path}: [recurrence].{key} must be a non-empty list of non-empty words")
    return sorted(value, key=len, reverse=True)


@lru_cache(maxsize=4)
def word_file(path: Path = WORDS) -> dict:
    """The duplicate check's word file, read once for all its users (recurrence, faults)."""
    return read_toml(path, DuplicateWordsError, "duplicate words")


@lru_cache(maxsize=4)
def _patterns(path: Path = WORDS) -> tuple[re.Pattern, re.Pattern]:
    """From the word file, read once: a quick look (the first characters of the "again" words,
    simplified and traditional: a text with none of them needs no closer look, and this runs
    on the event loop for every report), and the closer look on the normalised text."""
    import opencc  # the normaliser's own converter, the other way

    doc = word_file(path)
    fixed, asking, again = (_words(doc, k, path) for k in ("fixed", "asking", "again"))
    to_traditional = opencc.OpenCC("s2t")
    firsts = {w[0] for w in again} | {to_traditional.convert(w[0]) for w in again}
    quick = re.compile("[" + "".join(sorted(re.escape(c) for c in firsts)) + "]")
    alt = lambda ws: "|".join(map(re.escape, ws))  # noqa: E731
    # a "fixed" word that is not a question (修好了没有), then within a few clauses "again"
    close = re.compile(rf"(?:{alt(fixed)})(?!了?(?:{alt(asking)})).{{0,30}}?(?:{alt(again)})")
    return quick, close


def says_it_recurred(text: str, path: Path = WORDS) -> bool:
    """True when the text says the problem was fixed before and is back."""
    quick, close = _patterns(path)
    return bool(quick.search(text)) and bool(close.search(normalize(text)))
