"""The category taxonomy: load and validate `taxonomy.toml`, look nodes up by code or name.

The file format is documented in the header of `classifiers/data/taxonomy.toml` (the default
taxonomy). In short: a `[taxonomy]` table of global settings, `[[branch]]` entries (inner
nodes) and `[[leaf]]` entries (the categories cases are filed under). Every problem found
while loading raises `TaxonomyError` whose message names the file, the entry (code and name)
and what is wrong, so an administrator can fix the file without reading code.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifiers.datafile import read_toml

__all__ = [
    "DEFAULT_TAXONOMY_PATH",
    "Node",
    "Taxonomy",
    "TaxonomyError",
    "load_taxonomy",
    "parse_taxonomy",
]

DEFAULT_TAXONOMY_PATH = Path(__file__).resolve().parents[1] / "data" / "taxonomy.toml"

# Longest handling limit accepted: one year. Anything above is almost certainly a typo.
MAX_TIME_LIMIT_HOURS = 24 * 366


class TaxonomyError(Exception):
    """The taxonomy file is missing or invalid. The message names the file and the entry."""


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    parent: str | None
    path: tuple[str, ...]  # ancestor names + own name
    is_leaf: bool
    top_code: str  # code of the top-level branch this node belongs to
    keywords: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    department: str = ""
    time_limit_hours: float | None = None
    urgent: bool = False
    urgent_words: tuple[str, ...] = ()
    consultation: bool = False
    # Top-level branch codes treated as "the same branch" when rules and model are compared
    # (own top-level branch included; collected along the path).
    compatible: frozenset[str] = field(default_factory=frozenset)

    @property
    def terms(self) -> tuple[str, ...]:
        """Every word that identifies this leaf: keywords + synonyms (deduplicated, in order)."""
        return tuple(dict.fromkeys(self.keywords + self.synonyms))


@dataclass
class Taxonomy:
    source: str
    name: str
    version: str
    nodes: dict[str, Node]
    urgent_words: tuple[str, ...] = ()
    urgent_time_limit_hours: float | None = None
    question_words: tuple[str, ...] = ()
    weak_words: tuple[str, ...] = ()  # place/person words that say where or who, not what: weigh less
    # A long letter's sentence naming a hazard (hazard_words) and saying it endangers people
    # (danger_claims), or an illness (illness_words) many people have (many_people_words), not as
    # a hypothesis (hypothetical_words): urgent (classify/urgency.py).
    danger_claims: tuple[str, ...] = ()
    hazard_words: tuple[str, ...] = ()
    hypothetical_words: tuple[str, ...] = ()
    illness_words: tuple[str, ...] = ()
    many_people_words: tuple[str, ...] = ()
    _by_name: dict[str, Node] = field(default_factory=dict, repr=False)

    @property
    def leaves(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.is_leaf]

    @property
    def branches(self) -> list[Node]:
        return [n for n in self.nodes.values() if not n.is_leaf]

    def get(self, code: str) -> Node | None:
        return self.nodes.get(code)

    def by_code(self, code: str) -> Node:
        try:
            return self.nodes[code]
        except KeyError:
            raise KeyError(f"{self.source}: no taxonomy node with code {code!r}") from None

    def by_name(self, name: str) -> Node | None:
        """The node whose name (or alias) is `name`, or None."""
        return self._by_name.get(name.strip())

    def resolve(self, label: str) -> Node | None:
        """A model label or operator input: a node code first, then a name or alias."""
        label = (label or "").strip()
        return self.nodes.get(label) or self._by_name.get(label)

    def top(self, node: Node) -> Node:
        return self.nodes[node.top_code]

    def __len__(self) -> int:
        return len(self.nodes)


# ---------------------------------------------------------------- loading and validation

_TOP_KEYS = {"taxonomy", "branch", "leaf"}
_GLOBAL_KEYS = {"name", "version", "urgent_words", "urgent_time_limit_hours", "question_words", "weak_words",
                "danger_claims", "hazard_words", "hypothetical_words", "illness_words", "many_people_words"}
_BRANCH_KEYS = {"code", "name", "parent", "department", "time_limit_hours", "compatible", "consultation", "aliases"}
_LEAF_KEYS = {
    "code",
    "name",
    "parent",
    "keywords",
    "synonyms",
    "aliases",
    "exclude",
    "department",
    "time_limit_hours",
    "urgent",
    "urgent_words",
    "consultation",
    "compatible",
}


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file (default: the bundled `data/taxonomy.toml`)."""
    p = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
    return parse_taxonomy(read_toml(p, TaxonomyError, "taxonomy"), str(p))


def _where(source: str, kind: str, entry: dict[str, Any], index: int) -> str:
    code = entry.get("code") if isinstance(entry, dict) else None
    name = entry.get("name") if isinstance(entry, dict) else None
    if isinstance(code, str) and code:
        label = f"{kind} {code}" + (f" ({name})" if isinstance(name, str) and name else "")
    else:
        label = f"{kind} #{index + 1}" + (f" ({name})" if isinstance(name, str) and name else "")
    return f"{source}: {label}"


def _str_list(where: str, entry: dict[str, Any], key: str, required: bool = False) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        if required:
            raise TaxonomyError(f"{where}: missing '{key}' (a non-empty list of words)")
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(f"{where}: '{key}' must be a list of strings")
    words = tuple(dict.fromkeys(v.strip() for v in value))
    if any(not w for w in words):
        raise TaxonomyError(f"{where}: '{key}' contains an empty string")
    if required and not words:
        raise TaxonomyError(f"{where}: '{key}' is empty; give at least one word")
    return words


def _hours(where: str, value: Any, key: str = "time_limit_hours") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TaxonomyError(f"{where}: '{key}' must be a number of hours, got {value!r}")
    if not math.isfinite(value) or value <= 0 or value > MAX_TIME_LIMIT_HOURS:
        raise TaxonomyError(
            f"{where}: '{key}' must be more than 0 and at most {MAX_TIME_LIMIT_HOURS} hours, got {value!r}"
        )
    return float(value)


def _bool(where: str, entry: dict[str, Any], key: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise TaxonomyError(f"{where}: '{key}' must be true or false, got {value!r}")
    return value


def _text(where: str, entry: dict[str, Any], key: str, required: bool) -> str:
    value = entry.get(key)
    if value is None:
        if required:
            raise TaxonomyError(f"{where}: missing '{key}'")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise TaxonomyError(f"{where}: '{key}' must be a non-empty string, got {value!r}")
    return value.strip()


def _entries(source: str, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise TaxonomyError(f"{source}: '{key}' must be an array of tables ([[{key}]])")
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise TaxonomyError(f"{source}: {key} #{i + 1} must be a table ([[{key}]])")
    return value


def parse_taxonomy(data: dict[str, Any], source: str = "<taxonomy>") -> Taxonomy:
    """Validate parsed TOML data and build the Taxonomy. Raises TaxonomyError."""
    settings = _global_settings(data, source)
    raw = _entries_by_code(data, source)
    _check_parents(raw)
    top_codes = {c for c, (k, e, _) in raw.items() if k == "branch" and e.get("parent") is None}
    nodes: dict[str, Node] = {}
    by_name: dict[str, Node] = {}
    for code, (kind, entry, where) in raw.items():
        node = _build_node(code, kind, entry, where, raw, top_codes)
        nodes[code] = node
        _index_names(node, entry, where, by_name)
    for code in top_codes:
        if not any(n.parent == code for n in nodes.values()):
            raise TaxonomyError(f"{raw[code][2]}: top-level branch has no children")
    where_g = f"{source}: [taxonomy]"
    urgent_hours = settings.get("urgent_time_limit_hours")
    return Taxonomy(
        source=source,
        name=str(settings.get("name", "")),
        version=str(settings.get("version", "")),
        nodes=nodes,
        urgent_words=_str_list(where_g, settings, "urgent_words"),
        urgent_time_limit_hours=_hours(where_g, urgent_hours, "urgent_time_limit_hours") if urgent_hours is not None else None,
        question_words=_str_list(where_g, settings, "question_words"),
        weak_words=_str_list(where_g, settings, "weak_words"),
        danger_claims=_str_list(where_g, settings, "danger_claims"),
        hazard_words=_str_list(where_g, settings, "hazard_words"),
        hypothetical_words=_str_list(where_g, settings, "hypothetical_words"),
        illness_words=_str_list(where_g, settings, "illness_words"),
        many_people_words=_str_list(where_g, settings, "many_people_words"),
        _by_name=by_name,
    )


_Raw = dict[str, tuple[str, dict[str, Any], str]]  # code -> (kind, entry, where)


def _global_settings(data: Any, source: str) -> dict[str, Any]:
    """The document's shape and its [taxonomy] table."""
    if not isinstance(data, dict):
        raise TaxonomyError(f"{source}: expected a TOML document")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise TaxonomyError(f"{source}: unknown top-level key(s) {sorted(unknown)}; expected [taxonomy], [[branch]], [[leaf]]")
    settings = data.get("taxonomy", {})
    if not isinstance(settings, dict):
        raise TaxonomyError(f"{source}: [taxonomy] must be a table")
    unknown = set(settings) - _GLOBAL_KEYS
    if unknown:
        raise TaxonomyError(f"{source}: [taxonomy]: unknown key(s) {sorted(unknown)}")
    return settings


def _entries_by_code(data: dict[str, Any], source: str) -> _Raw:
    """Every branch and leaf by its code: known keys only, a code and name each, no code twice."""
    branches = _entries(source, data, "branch")
    leaves = _entries(source, data, "leaf")
    if not leaves:
        raise TaxonomyError(f"{source}: no [[leaf]] entries; the taxonomy needs at least one category")
    raw: _Raw = {}
    for kind, entries, allowed in (("branch", branches, _BRANCH_KEYS), ("leaf", leaves, _LEAF_KEYS)):
        for i, entry in enumerate(entries):
            where = _where(source, kind, entry, i)
            unknown = set(entry) - allowed
            if unknown:
                raise TaxonomyError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
            code = _text(where, entry, "code", True)
            _text(where, entry, "name", True)
            if code in raw:
                other = raw[code]
                raise TaxonomyError(f"{where}: duplicate code {code!r} (already used by {other[0]} {other[1].get('name')!r})")
            raw[code] = (kind, entry, where)
    return raw


def _check_parents(raw: _Raw) -> None:
    """Parents must exist and be branches; leaves must have one."""
    for kind, entry, where in raw.values():
        parent = entry.get("parent")
        if parent is None:
            if kind == "leaf":
                raise TaxonomyError(f"{where}: missing 'parent' (the code of its branch)")
            continue
        if not isinstance(parent, str) or parent not in raw:
            raise TaxonomyError(f"{where}: parent {parent!r} is not the code of any [[branch]]")
        if raw[parent][0] != "branch":
            raise TaxonomyError(f"{where}: parent {parent!r} is a leaf; a parent must be a [[branch]]")


def _lineage(code: str, raw: _Raw) -> list[str]:
    """The node, its parent, …, its top-level branch; a cycle is an error."""
    seen: list[str] = []
    cur: str | None = code
    while cur is not None:
        if cur in seen:
            raise TaxonomyError(f"{raw[code][2]}: parent chain has a cycle: {' -> '.join(seen + [cur])}")
        seen.append(cur)
        cur = raw[cur][1].get("parent")
    return seen


def _compatible(lineage: list[str], raw: _Raw, top_codes: set[str]) -> frozenset[str]:
    """Top-level branches treated as the node's own: its top plus every 'compatible' on its path."""
    compatible: set[str] = {lineage[-1]}
    for c in lineage:
        for comp in _str_list(raw[c][2], raw[c][1], "compatible"):
            if comp not in top_codes:
                raise TaxonomyError(f"{raw[c][2]}: 'compatible' names {comp!r}, which is not a top-level [[branch]] code")
            compatible.add(comp)
    return frozenset(compatible)


def _build_node(code: str, kind: str, entry: dict[str, Any], where: str, raw: _Raw,
                top_codes: set[str]) -> Node:
    lineage = _lineage(code, raw)
    path = tuple(raw[c][1]["name"].strip() for c in reversed(lineage))
    top = lineage[-1]
    common = dict(code=code, name=path[-1], parent=entry.get("parent"), path=path, top_code=top,
                  aliases=_str_list(where, entry, "aliases"),
                  department=_text(where, entry, "department", kind == "leaf"),
                  compatible=_compatible(lineage, raw, top_codes))
    consultation = _bool(where, entry, "consultation")
    hours = entry.get("time_limit_hours")
    if kind == "branch":
        return Node(**common, is_leaf=False, consultation=consultation,
                    time_limit_hours=_hours(where, hours) if hours is not None else None)
    if hours is None:
        raise TaxonomyError(f"{where}: missing 'time_limit_hours' (handling limit in hours)")
    keywords = _str_list(where, entry, "keywords", required=True)
    exclude = _str_list(where, entry, "exclude")
    clash = set(keywords) & set(exclude)
    if clash:
        raise TaxonomyError(f"{where}: word(s) {sorted(clash)} are both keywords and exclusion words")
    return Node(**common, is_leaf=True, keywords=keywords, synonyms=_str_list(where, entry, "synonyms"),
                exclude=exclude, time_limit_hours=_hours(where, hours),
                urgent=_bool(where, entry, "urgent"), urgent_words=_str_list(where, entry, "urgent_words"),
                consultation=consultation or bool(raw[top][1].get("consultation", False)))


def _index_names(node: Node, entry: dict[str, Any], where: str, by_name: dict[str, Node]) -> None:
    """Names and aliases map to one node each."""
    for label in (node.name, *node.aliases):
        other = by_name.get(label)
        if other is not None and other.code != node.code:
            raise TaxonomyError(
                f"{where}: name {label!r} is already used by {other.code} ({other.name}); "
                "names and aliases must be unique so that labels map to one node")
        by_name[label] = node
