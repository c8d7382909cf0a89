"""Hot words from our own data: the grid registry's place names and the taxonomy's
category names, written into Whisper's prompt (faster-whisper's `hotwords`) so that places
come out as the locator knows them (滨海新区, not 冰海星区).

Whisper's prompt holds about 220 tokens (some 130 Chinese characters), far fewer than a
registry has names, so the words go in by rank — configured extra words, then district,
streets, communities, roads, compounds, landmarks — and the category names get at most a
third of the room. Measured with Whisper base, the list did not get the one real place
name right and raised the error rate on other speech (with word timings, names from it were
even written into clips that never said them), which is why [speech].hotwords is off by
default (README, Figures).
"""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

PLACE_LEVELS = ("districts", "streets", "communities")
PLACE_FEATURES = ("roads", "compounds", "landmarks")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")


def place_names(registry: Path) -> list[str]:
    """The registry's place names, larger places first."""
    data = json.loads(registry.read_text(encoding="utf-8"))
    names = [item.get("name", "") for level in PLACE_LEVELS for item in data.get(level, [])]
    for feature in PLACE_FEATURES:
        names += [item.get("name", "") for grid in data.get("grids", []) for item in grid.get(feature, [])]
    return unique(names)


def category_names(taxonomy: Path) -> list[str]:
    """The names of the taxonomy's categories (leaves), without bracketed notes."""
    data = tomllib.loads(taxonomy.read_text(encoding="utf-8"))
    return unique(_BRACKETS.sub("", leaf.get("name", "")) for leaf in data.get("leaf", []))


def unique(words) -> list[str]:
    seen: dict[str, None] = {}
    for word in words:
        word = word.strip()
        if word:
            seen.setdefault(word, None)
    return list(seen)


def hotword_prompt(places: list[str], categories: list[str], max_chars: int) -> str:
    """'地名：甲、乙。事项：丙、丁。' in at most `max_chars` characters."""
    category_part = _listed("事项", categories, max_chars // 3)
    place_part = _listed("地名", places, max_chars - len(category_part))
    return place_part + category_part


def _listed(label: str, words: list[str], max_chars: int) -> str:
    text = ""
    for word in words:
        longer = f"{text[:-1]}、{word}。" if text else f"{label}：{word}。"
        if len(longer) > max_chars:
            break
        text = longer
    return text


def speech_hotwords(extra: list[str], registry: Path | None, taxonomy: Path | None,
                    max_chars: int) -> str:
    """The hot-word prompt for the [speech] settings' data files and extra words."""
    places = place_names(registry) if registry and registry.exists() else []
    categories = category_names(taxonomy) if taxonomy and taxonomy.exists() else []
    return hotword_prompt(unique([*extra, *places]), categories, max_chars)
