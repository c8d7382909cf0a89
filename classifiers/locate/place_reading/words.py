"""The place reader's words: the vocabulary file (classifiers/data/place_words.toml), checked
when it is loaded, and the names of the administrative divisions (classifiers/data/gazetteer/)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifiers.datafile import read_toml
from classifiers.normalize import to_simplified

DATA = Path(__file__).resolve().parents[2] / "data"
GAZETTEER = DATA / "gazetteer"
WORDS_PATH = DATA / "place_words.toml"
SIDE_VALUES = ("东侧", "西侧", "南侧", "北侧", "对面", "上", "下", "门口", "旁", "内", "外")
MAX_WORD = 12

# section → key → "list" (of words), "str" or "map" (word → word); every key is required.
_SCHEMA: dict[str, dict[str, str]] = {
    "names": {"boundaries": "list", "connectors": "list", "boundary_words_in_names": "list", "vague": "list"},
    "roads": {"suffixes": "list", "numbered": "list", "need_number": "list", "numbered_followers": "list",
              "not_before": "list", "not_names": "list", "not_endings": "list"},
    "compounds": {"suffixes": "list", "need_context": "list", "context_followers": "list", "not_before": "list",
                  "not_names": "list", "lanes": "list"},
    "landmarks": {"suffixes": "list", "footbridges": "list", "footbridge": "str", "road_bridges": "list",
                  "attached": "list", "named_alone": "list", "town_institutions": "list",
                  "stations": "list", "not_stations": "list", "generic": "list", "not_names": "list",
                  "parts": "list", "bridges": "list", "not_endings": "list", "brands": "list",
                  "suffix_in_other_word": "list", "branches": "list"},
    "admin": {"district_suffixes": "list", "street_suffixes": "list", "own": "list", "not_streets": "list",
              "not_districts": "list"},
    "phrases": {"fillers": "list", "roles": "list", "back_references": "list", "corrections": "list",
                "junctions": "list", "between_ends": "list", "descriptions": "list", "not_sides": "list",
                "residence": "list", "division_asked": "list", "division_belongs": "list", "turns": "list", "pointed": "list", "not_here": "list", "routine": "list", "errands": "list", "misheard": "map",
                "form_labels": "list", "form_dump_labels": "list", "form_not_here": "list", "note_words": "list"},
    "gates": {"directions": "list", "named": "list", "undirected": "list"},
    "directions": {"words": "list", "endings": "list", "village_suffixes": "list"},
}


class PlaceWordsError(ValueError):
    """The vocabulary file is missing or invalid; the message names the file, key and problem."""


@dataclass(frozen=True)
class PlaceWords:
    """The checked vocabulary: `sections[section][key]` as in the file; `sides` maps each
    side value to its words."""

    sections: dict[str, dict[str, Any]]
    sides: dict[str, tuple[str, ...]]
    source: str = "<place words>"

    def __getitem__(self, key: str) -> Any:
        section, name = key.split(".")
        return self.sections[section][name]


def load_place_words(path: str | Path | None = None) -> PlaceWords:
    """Read and check the vocabulary file (default: classifiers/data/place_words.toml)."""
    p = Path(path) if path is not None else WORDS_PATH
    return parse_place_words(read_toml(p, PlaceWordsError, "place vocabulary"), str(p))


def parse_place_words(data: dict[str, Any], source: str = "<place words>") -> PlaceWords:
    unknown = set(data) - set(_SCHEMA) - {"sides"}
    if unknown:
        raise PlaceWordsError(f"{source}: unknown section(s) {sorted(unknown)}; "
                              f"expected {sorted([*_SCHEMA, 'sides'])}")
    sections: dict[str, dict[str, Any]] = {}
    for section, keys in _SCHEMA.items():
        table = data.get(section)
        if not isinstance(table, dict):
            raise PlaceWordsError(f"{source}: [{section}]: missing section")
        extra = set(table) - set(keys)
        if extra:
            raise PlaceWordsError(f"{source}: [{section}]: unknown key(s) {sorted(extra)}; allowed: {', '.join(keys)}")
        out: dict[str, Any] = {}
        for key, kind in keys.items():
            where = f"{source}: [{section}].{key}"
            if key not in table:
                raise PlaceWordsError(f"{where}: missing")
            value = table[key]
            out[key] = (_checked_word(value, where) if kind == "str" else _checked_map(value, where) if kind == "map"
                        else _checked_words(value, where))
        sections[section] = out
    sides_table = data.get("sides")
    if not isinstance(sides_table, dict):
        raise PlaceWordsError(f"{source}: [sides]: missing section")
    sides: dict[str, tuple[str, ...]] = {}
    for value, words in sides_table.items():
        if value not in SIDE_VALUES:
            raise PlaceWordsError(f"{source}: [sides].{value}: not a side value of docs/places.md "
                                  f"(one of {', '.join(SIDE_VALUES)})")
        sides[value] = _checked_words(words, f"{source}: [sides].{value}")
    for key in ("landmarks.footbridges", "landmarks.road_bridges", "landmarks.attached", "landmarks.named_alone"):
        section, name = key.split(".")
        missing = [w for w in sections[section][name] if w not in sections["landmarks"]["suffixes"]]
        if missing:
            raise PlaceWordsError(f"{source}: [{section}].{name}: {missing} not in [landmarks].suffixes")
    for key in ("roads.numbered", "roads.need_number"):
        section, name = key.split(".")
        missing = [w for w in sections[section][name] if w not in sections["roads"]["suffixes"]]
        if missing:
            raise PlaceWordsError(f"{source}: [{section}].{name}: {missing} not in [roads].suffixes")
    return PlaceWords(sections, sides, source)


def _checked_word(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PlaceWordsError(f"{where}: must be a non-empty string")
    if len(value) > MAX_WORD:
        raise PlaceWordsError(f"{where}: {value!r} is longer than {MAX_WORD} characters")
    return value


def _checked_words(value: Any, where: str) -> tuple[str, ...]:
    """The words as written, each followed by its simplified form where that differs: the reader
    matches them on text that OpenCC has simplified (嗰个 reaches it as 𠮶个, 體育 as 体育)."""
    if not isinstance(value, list):
        raise PlaceWordsError(f"{where}: must be a list of words")
    for i, word in enumerate(value):
        _checked_word(word, f"{where}[{i}]")
        if word in value[:i]:
            raise PlaceWordsError(f"{where}[{i}]: {word!r} is given twice")
    return tuple(dict.fromkeys(w for word in value for w in (word, to_simplified(word))))


def _checked_map(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise PlaceWordsError(f"{where}: must be a table of words, each = the word meant")
    for heard, meant in value.items():
        _checked_word(heard, f"{where}: key")
        _checked_word(meant, f"{where}.{heard}")
    return {**value, **{to_simplified(heard): to_simplified(meant) for heard, meant in value.items()}}


@functools.cache
def division_names(kind: str) -> frozenset[str]:
    """The division table's names of one kind: "areas" (区/县) or "streets" (街道/镇/乡); none
    when the file is absent. Read once: every place reader and the duplicate check share it."""
    path = GAZETTEER / f"{kind}.txt"
    if not path.exists():
        return frozenset()
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


@functools.cache
def towns_by_district() -> dict[str, frozenset[str]]:
    """Each district's towns and street offices (如东县 → 掘港街道, 岔河镇 …), from the division
    table (towns.txt, scripts/derive_towns.py); none when the file is absent. Read once."""
    path = GAZETTEER / "towns.txt"
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        district, _, towns = line.partition("\t")
        if towns:
            out[district] = frozenset(towns.split())
    return out


@functools.cache
def bundled_words() -> PlaceWords:
    """The bundled word file, read once."""
    return load_place_words()


# Word sets the duplicate check compares places by (classifiers/dedupe/place_match.py).
GENERIC_LANDMARKS = frozenset(bundled_words()["landmarks.generic"])
BRANDS = frozenset(bundled_words()["landmarks.brands"])
FORM_LABELS = bundled_words()["phrases.form_labels"]
FORM_DUMP_LABELS = bundled_words()["phrases.form_dump_labels"]
FORM_NOT_HERE = tuple(bundled_words()["phrases.form_not_here"])
CORRECTIONS = tuple(bundled_words()["phrases.corrections"])
LANDMARK_SUFFIXES = frozenset(bundled_words()["landmarks.suffixes"])
COMPOUND_SUFFIXES = frozenset(bundled_words()["compounds.suffixes"])
