"""The lexicon: how citizens and dispatchers name each city-management component and
matter, and what goes wrong with it (`classifiers/data/lexicon.toml`, edited by
administrators). Each `[[entry]]` belongs to one leaf of the taxonomy (the same `code`).

Loading checks everything and raises `LexiconError` naming the file, the entry and the key:
unknown top-level or entry keys, a code that is not a leaf of the taxonomy, a name that is
not that leaf's, an entry given twice, lists that are not lists of non-empty short strings.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifiers.classify.taxonomy import Taxonomy
from classifiers.datafile import read_toml

DEFAULT_LEXICON_PATH = Path(__file__).resolve().parents[1] / "data" / "lexicon.toml"
LIST_KEYS = ("objects", "faults", "phrases", "dialect", "not_this", "urgent_when")
MAX_WORD = 40  # a "word" longer than this is a sentence pasted by mistake


class LexiconError(Exception):
    """The lexicon file is missing or invalid. The message names the file, entry and key."""


@dataclass(frozen=True)
class LexiconEntry:
    code: str
    objects: tuple[str, ...] = ()
    faults: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    dialect: tuple[str, ...] = ()
    not_this: tuple[str, ...] = ()
    urgent_when: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        """The words that say this is the leaf: names, complete phrases, dialect."""
        return tuple(dict.fromkeys(self.objects + self.phrases + self.dialect))


def load_lexicon(path: str | Path | None, taxonomy: Taxonomy) -> dict[str, LexiconEntry]:
    """The lexicon by leaf code (default: the bundled one)."""
    p = Path(path) if path is not None else DEFAULT_LEXICON_PATH
    return parse_lexicon(read_toml(p, LexiconError, "lexicon"), taxonomy, str(p))


def parse_lexicon(data: dict[str, Any], taxonomy: Taxonomy, source: str = "<lexicon>") -> dict[str, LexiconEntry]:
    unknown = set(data) - {"entry"}
    if unknown:
        raise LexiconError(f"{source}: unknown top-level key(s) {sorted(unknown)}; expected [[entry]] tables")
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise LexiconError(f"{source}: 'entry' must be an array of tables ([[entry]])")
    out: dict[str, LexiconEntry] = {}
    for i, entry in enumerate(entries):
        where = f"{source}: entry #{i + 1}"
        if not isinstance(entry, dict):
            raise LexiconError(f"{where}: must be a table ([[entry]])")
        code = entry.get("code")
        if not isinstance(code, str) or not code.strip():
            raise LexiconError(f"{where}: missing 'code' (the leaf's code in the taxonomy)")
        where = f"{source}: entry {code}"
        unknown = set(entry) - {"code", "name", *LIST_KEYS}
        if unknown:
            raise LexiconError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: code, name, {', '.join(LIST_KEYS)}")
        node = taxonomy.get(code)
        if node is None or not node.is_leaf:
            raise LexiconError(f"{where}: {code!r} is not a leaf code of the taxonomy ({taxonomy.source})")
        name = entry.get("name")
        if name is not None and name != node.name and name not in node.aliases:
            raise LexiconError(f"{where}: name {name!r} is not the taxonomy's name for {code} ({node.name!r})")
        if code in out:
            raise LexiconError(f"{where}: the leaf has two entries; merge them into one")
        out[code] = LexiconEntry(code, **{key: _words(where, entry, key) for key in LIST_KEYS})
    return out


def _words(where: str, entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LexiconError(f"{where}: '{key}' must be a list of strings")
    words = tuple(dict.fromkeys(v.strip() for v in value))
    for word in words:
        if not word:
            raise LexiconError(f"{where}: '{key}' contains an empty string")
        if len(word) > MAX_WORD:
            raise LexiconError(f"{where}: '{key}' has {word[:20]!r}…, longer than {MAX_WORD} characters")
    return words
