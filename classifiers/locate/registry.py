"""The grid registry (网格登记): district → street → community → grid, with each grid's
polygon, roads (house-number ranges), residential compounds (小区 and their 号楼),
landmarks and grid head.

The registry is a JSON file that data administrators edit (the sample ships as
``classifiers/data/grids.json``)::

    {"name": "...", "version": "...", "crs": "WGS84",
     "districts":   [{"code", "name", "aliases"}],
     "streets":     [{"code", "name", "aliases", "district": <district code>}],
     "communities": [{"code", "name", "aliases", "street": <street code>}],
     "grids": [{"code", "name", "aliases", "community": <community code>,
                "head": {"name", "phone"},
                "polygon": GeoJSON Polygon or MultiPolygon, positions [lng, lat], WGS-84,
                "roads": [{"name", "aliases", "numbers": {"from", "to", "side"},
                           "line": [[lng, lat], [lng, lat], ...],
                           "houses": {"<number>": [lng, lat], ...}}],
                "compounds": [{"name", "aliases", "point": [lng, lat],
                               "buildings": [{"no": "3", "point": [lng, lat]}]}],
                "landmarks": [{"name", "kind", "aliases", "point": [lng, lat]}]}]}

``numbers.side`` is ``odd``, ``even`` or ``both``. ``houses`` (optional) gives the surveyed
position of house numbers in the range; other numbers are interpolated along ``line``.
`run.py import-registry` writes this file from a city's GIS export (docs/registry.md). A road that crosses several grids is
listed in each of them with that grid's number range; a compound split between grids is
listed in each with the buildings that grid holds.

`load_registry` validates everything and raises `RegistryError` listing every problem,
each naming the file, the entry (code / name) and what is wrong:

* errors: malformed JSON, missing or mistyped fields, duplicate codes (at any level),
  unknown parent codes, empty / invalid / self-intersecting / out-of-range polygons,
  grids that overlap (shared area above ``overlap_tolerance_m2``), duplicate building
  numbers in a compound, house-number ranges of one road that overlap on the same side;
* positions (compound, building, landmark, road line) farther than
  ``position_tolerance_m`` (50 m) outside their grid's polygon are errors by default
  — a mistyped or swapped coordinate would otherwise silently put reports on the
  wrong map spot — or, with ``strict_positions=False``, warnings collected in
  ``Registry.warnings`` (and logged).

Distances are computed in a local metric projection around the registry's centre
(equirectangular; error well under 0.1 % over a city district).
"""
from __future__ import annotations

import json
import logging
import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.strtree import STRtree
from shapely.validation import explain_validity

from classifiers.locate.geometry import EARTH_RADIUS_M, distance_m, valid_point
from classifiers.locate.place_reading.patterns import station_key
from gateway.models import GeoPoint, GridLevel

log = logging.getLogger(__name__)

DEFAULT_REGISTRY = Path(__file__).resolve().parents[1] / "data" / "grids.json"


@dataclass(frozen=True)
class RegisteredNames:
    """A name as the registry writes it (`Registry.written_names`): an alias that names one
    thing only is that thing's name; a station said without its line (朝阳门站, 地铁朝阳门站) is
    the registry's station (朝阳门地铁站) — said with its line, it says more and is kept."""
    full_names: dict[str, str]
    stations: dict[str, str]

    def __call__(self, name: str) -> str:
        if name in self.full_names:
            return self.full_names[name]
        if name.endswith("站") and "号线" not in name:
            return self.stations.get(station_key(name), name)
        return name


class RegistryError(ValueError):
    """The registry file cannot be used; ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


class _Projection:
    """Local equirectangular projection to metres around (lat0, lng0)."""

    def __init__(self, lat0: float, lng0: float):
        self.lat0, self.lng0 = lat0, lng0
        k = math.pi / 180 * EARTH_RADIUS_M
        self.ky, self.kx = k, k * math.cos(math.radians(lat0))

    def xy(self, lng: float, lat: float) -> tuple[float, float]:
        return (lng - self.lng0) * self.kx, (lat - self.lat0) * self.ky

    def lnglat(self, x: float, y: float) -> tuple[float, float]:
        return x / self.kx + self.lng0, y / self.ky + self.lat0

    def geom(self, g):
        return shapely.transform(g, lambda c: (c - (self.lng0, self.lat0)) * (self.kx, self.ky))


# ---------------------------------------------------------------- entities
class Houses:
    """Surveyed house positions of one road segment: number → (lng, lat), kept in two flat
    arrays (a city's 200,000 addresses as dicts of tuples took ~70 MB; this ~4 MB)."""

    __slots__ = ("_nos", "_xy")

    def __init__(self, positions: dict[int, tuple[float, float]] | None = None):
        items = sorted((positions or {}).items())
        self._nos = array("i", [n for n, _ in items])
        self._xy = array("d", [c for _, p in items for c in p])

    def get(self, n: int) -> tuple[float, float] | None:
        i = bisect_left(self._nos, n)
        if i < len(self._nos) and self._nos[i] == n:
            return self._xy[2 * i], self._xy[2 * i + 1]
        return None

    def items(self):
        return ((n, (self._xy[2 * i], self._xy[2 * i + 1])) for i, n in enumerate(self._nos))

    def __len__(self) -> int:
        return len(self._nos)


@dataclass
class Admin:
    level: str  # district | street | community
    code: str
    name: str
    aliases: list[str]
    parent: str = ""


@dataclass
class RoadSegment:
    name: str
    aliases: list[str]
    grid: str
    lo: int | None
    hi: int | None
    side: str  # odd | even | both
    line: list[GeoPoint]
    houses: Houses = field(default_factory=Houses)

    def has_number(self, n: int) -> bool:
        if self.lo is None or self.hi is None or not (self.lo <= n <= self.hi):
            return False
        return self.side == "both" or (n % 2 == 1) == (self.side == "odd")

    def point_for(self, n: int | None = None) -> GeoPoint | None:
        """The position of house number ``n`` (interpolated along the line), or the middle."""
        at = self.houses.get(n) if n is not None and self.houses else None
        if at is not None:
            return GeoPoint(lat=at[1], lng=at[0])
        if not self.line:
            return None
        if len(self.line) == 1:
            return self.line[0]
        t = 0.5
        if n is not None and self.lo is not None and self.hi is not None and self.hi > self.lo:
            t = min(1.0, max(0.0, (n - self.lo) / (self.hi - self.lo)))
        seg = [(a, b, distance_m(a, b)) for a, b in zip(self.line, self.line[1:])]
        total = sum(d for _, _, d in seg) or 1.0
        want = t * total
        for a, b, d in seg:
            if want <= d or (a, b, d) == seg[-1]:
                f = 0.0 if d == 0 else min(1.0, want / d)
                return GeoPoint(lat=a.lat + f * (b.lat - a.lat), lng=a.lng + f * (b.lng - a.lng))
            want -= d
        return self.line[-1]  # pragma: no cover


@dataclass
class Compound:
    name: str
    aliases: list[str]
    grid: str
    point: GeoPoint | None
    buildings: dict[str, GeoPoint | None]


@dataclass
class Landmark:
    name: str
    kind: str
    aliases: list[str]
    grid: str
    point: GeoPoint | None


@dataclass
class Grid:
    code: str
    name: str
    aliases: list[str]
    community: str
    head_name: str
    head_phone: str
    polygon: Polygon | MultiPolygon
    roads: list[RoadSegment] = field(default_factory=list)
    compounds: list[Compound] = field(default_factory=list)
    landmarks: list[Landmark] = field(default_factory=list)


# ---------------------------------------------------------------- the registry
class Registry:
    """A validated registry. Build it with `load_registry` or `Registry.from_dict`."""

    def __init__(self, source: str, meta: dict, admins: dict[str, Admin], grids: dict[str, Grid],
                 warnings: list[str]):
        self.source = source
        self.name = str(meta.get("name", ""))
        self.version = str(meta.get("version", ""))
        self.admins = admins  # district / street / community by code
        self.grids = grids
        self.warnings = warnings
        bounds = [g.polygon.bounds for g in grids.values()]
        minx = min(b[0] for b in bounds)
        miny = min(b[1] for b in bounds)
        maxx = max(b[2] for b in bounds)
        maxy = max(b[3] for b in bounds)
        self.proj = _Projection((miny + maxy) / 2, (minx + maxx) / 2)
        self._codes = list(grids)
        self._metric = [self.proj.geom(grids[c].polygon) for c in self._codes]
        shapely.prepare(self._metric)
        self._tree = STRtree(self._metric)
        self._children: dict[str, list[str]] = {}
        for g in grids.values():
            for anc in self._ancestors(g.code):
                self._children.setdefault(anc, []).append(g.code)
        self._path_cache: dict[str, list[GridLevel]] = {}
        self._centroid_cache: dict[str, GeoPoint] = {}

    # -- construction
    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<registry>", strict_positions: bool = True,
                  position_tolerance_m: float = 50.0,
                  overlap_tolerance_m2: float = 1.0) -> Registry:
        return _Validator(source, strict_positions, position_tolerance_m,
                          overlap_tolerance_m2).build(data)

    # -- hierarchy
    def _ancestors(self, code: str) -> list[str]:
        out = []
        if code in self.grids:
            code = self.grids[code].community
            out.append(code)
        while code in self.admins and self.admins[code].parent:
            code = self.admins[code].parent
            out.append(code)
        return out

    def level_of(self, code: str) -> str:
        if code in self.grids:
            return "grid"
        return self.admins[code].level if code in self.admins else ""

    def name_of(self, code: str) -> str:
        if code in self.grids:
            return self.grids[code].name
        return self.admins[code].name if code in self.admins else ""

    def grid_path(self, code: str) -> list[GridLevel]:
        """District → … → ``code`` (any level) as `GridLevel`s; [] for an unknown code."""
        if code in self._path_cache:
            return list(self._path_cache[code])
        if code not in self.grids and code not in self.admins:
            return []
        chain = [code] + self._ancestors(code)
        path = [GridLevel(level=self.level_of(c), code=c, name=self.name_of(c))
                for c in reversed(chain)]
        self._path_cache[code] = path
        return list(path)

    def grids_under(self, code: str) -> list[str]:
        """The grid codes inside an administrative unit (or [code] for a grid)."""
        if code in self.grids:
            return [code]
        return list(self._children.get(code, []))

    def common_ancestor(self, codes: Iterable[str]) -> str:
        """The most specific unit holding all ``codes`` ("" if none)."""
        paths = [[lv.code for lv in self.grid_path(c)] for c in codes]
        paths = [p for p in paths if p]
        if not paths:
            return ""
        common = ""
        for level_codes in zip(*paths):
            if len(set(level_codes)) != 1:
                break
            common = level_codes[0]
        return common

    # -- geometry
    def centroid(self, code: str) -> GeoPoint | None:
        """A representative point inside the grid / community / street / district."""
        if code in self._centroid_cache:
            return self._centroid_cache[code]
        members = self.grids_under(code)
        if not members:
            return None
        geom = shapely.union_all([self.grids[c].polygon for c in members])
        c = geom.centroid
        if not geom.contains(c):
            c = geom.representative_point()
        pt = GeoPoint(lat=c.y, lng=c.x)
        self._centroid_cache[code] = pt
        return pt

    def _metric_point(self, point: GeoPoint) -> Point:
        return Point(*self.proj.xy(point.lng, point.lat))

    def grid_at(self, point: GeoPoint) -> str | None:
        """The grid whose polygon holds the point (boundary included), or None."""
        if not valid_point(point):
            return None
        hits = self._tree.query(self._metric_point(point), predicate="intersects")
        if len(hits) == 0:
            return None
        return min(self._codes[i] for i in hits)  # on a shared edge: the lowest code

    def grids_near(self, point: GeoPoint, max_m: float) -> list[tuple[str, float]]:
        """(code, metres from the polygon) for every grid within ``max_m``, nearest first."""
        if not valid_point(point):
            return []
        mp = self._metric_point(point)
        idx = self._tree.query(mp, predicate="dwithin", distance=max_m)
        out = [(self._codes[i], float(self._metric[i].distance(mp))) for i in idx]
        return sorted(out, key=lambda t: (t[1], t[0]))

    def nearest_grid(self, point: GeoPoint, max_m: float) -> tuple[str, float] | None:
        """The nearest grid within ``max_m`` metres and its distance (0 inside), or None."""
        near = self.grids_near(point, max_m)
        return near[0] if near else None

    def distance_to_grid(self, point: GeoPoint, code: str) -> float:
        """Metres from the point to the grid's polygon (0 inside)."""
        i = self._codes.index(code)
        return float(self._metric[i].distance(self._metric_point(point)))

    def offset(self, point: GeoPoint, east_m: float, north_m: float) -> GeoPoint:
        x, y = self.proj.xy(point.lng, point.lat)
        lng, lat = self.proj.lnglat(x + east_m, y + north_m)
        return GeoPoint(lat=lat, lng=lng)

    def written_names(self) -> RegisteredNames:
        """How a dispatcher writes down a name the citizen said by a registry alias: by the
        registry's name (朝内大街 → 朝阳门内大街, 地铁朝阳门站 → 朝阳门地铁站)."""
        return RegisteredNames(self._full_names(), self._stations())

    def _full_names(self) -> dict[str, str]:
        """Each road, compound and landmark alias that names one thing only, with that thing's
        name (南小街 → 朝阳门南小街; not 物美超市, the alias of three shops, nor a name that is
        another thing's own)."""
        named: dict[str, set[str]] = {}
        own: set[str] = set()
        for grid in self.grids.values():
            for thing in (*grid.roads, *grid.compounds, *grid.landmarks):
                own.add(thing.name)
                for alias in thing.aliases:
                    named.setdefault(alias, set()).add(thing.name)
        return {alias: next(iter(names)) for alias, names in named.items() if len(names) == 1 and alias not in own}

    def _stations(self) -> dict[str, str]:
        """Each station landmark by its name without 地铁 or its line (station_key: 朝阳门站),
        with its name (朝阳门地铁站)."""
        return {station_key(m.name): m.name for g in self.grids.values() for m in g.landmarks
                if m.name.endswith("站") and station_key(m.name) != m.name}

    @cached_property
    def extent(self):
        return shapely.union_all([g.polygon for g in self.grids.values()])


def load_registry(path: str | Path = DEFAULT_REGISTRY, *, strict_positions: bool = True,
                  position_tolerance_m: float = 50.0,
                  overlap_tolerance_m2: float = 1.0) -> Registry:
    """Read and validate a registry file; `RegistryError` names every problem."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read the registry file: {exc}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RegistryError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from exc
    return Registry.from_dict(data, source=str(path), strict_positions=strict_positions,
                              position_tolerance_m=position_tolerance_m,
                              overlap_tolerance_m2=overlap_tolerance_m2)


# ---------------------------------------------------------------- validation
class _Validator:
    def __init__(self, source, strict_positions, tolerance_m, overlap_m2):
        self.source = source
        self.strict = strict_positions
        self.tol = tolerance_m
        self.overlap_m2 = overlap_m2
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def err(self, where: str, msg: str):
        self.errors.append(f"{self.source}: {where}: {msg}")

    # small typed getters ---------------------------------------------------
    def _str(self, obj, key, where, required=True) -> str:
        v = obj.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.err(where, f"missing '{key}'")
            return ""
        if not isinstance(v, (str, int)) or isinstance(v, bool):
            self.err(where, f"'{key}' must be a string, not {type(v).__name__}")
            return ""
        return str(v).strip()

    def _aliases(self, obj, where) -> list[str]:
        v = obj.get("aliases", [])
        if v is None:
            return []
        if not isinstance(v, list) or not all(isinstance(a, str) for a in v):
            self.err(where, "'aliases' must be a list of strings")
            return []
        return [a.strip() for a in v if a.strip()]

    def _point(self, v, where) -> GeoPoint | None:
        if v is None:
            return None
        if (not isinstance(v, (list, tuple)) or len(v) != 2
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)):
            self.err(where, f"position must be [lng, lat], got {json.dumps(v, ensure_ascii=False)[:60]}")
            return None
        lng, lat = float(v[0]), float(v[1])
        pt = GeoPoint(lat=lat, lng=lng)
        if not valid_point(pt):
            hint = " (looks like [lat, lng]: positions are [lng, lat])" if abs(lat) > 90 >= abs(lng) else ""
            self.err(where, f"position [{v[0]}, {v[1]}] is out of range{hint}")
            return None
        return pt

    def _polygon(self, v, where):
        if not isinstance(v, dict) or v.get("type") not in ("Polygon", "MultiPolygon"):
            self.err(where, "'polygon' must be a GeoJSON Polygon or MultiPolygon")
            return None
        coords = v.get("coordinates")
        polys = [coords] if v["type"] == "Polygon" else coords
        if not isinstance(polys, list) or not polys:
            self.err(where, "polygon is empty (no coordinates)")
            return None
        shapes = []
        for poly in polys:
            if not isinstance(poly, list) or not poly:
                self.err(where, "polygon is empty (no rings)")
                return None
            rings = []
            for ring in poly:
                if not isinstance(ring, list) or not all(
                        isinstance(p, list) and len(p) == 2
                        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in p)
                        for p in ring):
                    self.err(where, "polygon ring must be a list of [lng, lat] positions")
                    return None
                ring = [(float(x), float(y)) for x, y in ring]
                if ring and ring[0] != ring[-1]:
                    ring.append(ring[0])
                if len(ring) < 4:
                    self.err(where, f"polygon ring has {max(0, len(ring) - 1)} distinct corners, needs at least 3")
                    return None
                for x, y in ring:
                    if not valid_point(GeoPoint(lat=y, lng=x)):
                        hint = " (positions are [lng, lat])" if abs(y) > 90 >= abs(x) else ""
                        self.err(where, f"polygon position [{x}, {y}] is out of range{hint}")
                        return None
                rings.append(ring)
            shapes.append(Polygon(rings[0], rings[1:]))
        geom = shapes[0] if len(shapes) == 1 else MultiPolygon(shapes)
        if geom.is_empty:
            self.err(where, "polygon is empty")
            return None
        if not geom.is_valid:
            self.err(where, f"polygon is invalid: {explain_validity(geom)}")
            return None
        if geom.area <= 0:
            self.err(where, "polygon is empty (zero area)")
            return None
        return geom

    # ------------------------------------------------------------------------
    def build(self, data) -> Registry:
        if not isinstance(data, dict):
            raise RegistryError(f"{self.source}: the registry must be a JSON object")
        admins: dict[str, Admin] = {}
        grids: dict[str, Grid] = {}
        seen: dict[str, str] = {}

        def claim(code, where):
            if not code:
                return False
            if code in seen:
                self.err(where, f"duplicate code {code} (also used by {seen[code]})")
                return False
            seen[code] = where
            return True

        plan = [("districts", "district", None), ("streets", "street", "district"),
                ("communities", "community", "street")]
        for key, level, parent_key in plan:
            items = data.get(key)
            if not isinstance(items, list) or not items:
                self.err(key, f"'{key}' must be a non-empty list")
                continue
            for i, it in enumerate(items):
                if not isinstance(it, dict):
                    self.err(f"{key}[{i}]", "entry must be an object")
                    continue
                code = self._str(it, "code", f"{key}[{i}]")
                name = self._str(it, "name", f"{key}[{i}] {code}")
                where = f"{level} {code} {name}".rstrip()
                aliases = self._aliases(it, where)
                parent = ""
                if parent_key:
                    parent = self._str(it, parent_key, where)
                    pa = admins.get(parent)
                    if parent and (pa is None or pa.level != parent_key):
                        self.err(where, f"unknown {parent_key} '{parent}'")
                if claim(code, where) and name:
                    admins[code] = Admin(level, code, name, aliases, parent)

        items = data.get("grids")
        if not isinstance(items, list) or not items:
            self.err("grids", "'grids' must be a non-empty list")
            items = []
        for i, it in enumerate(items):
            if not isinstance(it, dict):
                self.err(f"grids[{i}]", "entry must be an object")
                continue
            code = self._str(it, "code", f"grids[{i}]")
            name = self._str(it, "name", f"grids[{i}] {code}")
            where = f"grid {code} {name}".rstrip()
            community = self._str(it, "community", where)
            ca = admins.get(community)
            if community and (ca is None or ca.level != "community"):
                self.err(where, f"unknown community '{community}'")
            head = it.get("head") or {}
            if not isinstance(head, dict):
                self.err(where, "'head' must be an object with name and phone")
                head = {}
            poly = self._polygon(it.get("polygon"), where)
            grid = Grid(code, name, self._aliases(it, where), community,
                        str(head.get("name", "")), str(head.get("phone", "")),
                        poly if poly is not None else Polygon())
            self._contents(it, grid, where)
            if claim(code, where) and poly is not None:
                grids[code] = grid
        if self.errors:
            raise self._fail()
        self._overlaps(grids)
        self._numbers(grids)
        if self.errors:
            raise self._fail()
        reg = Registry(self.source, data, admins, grids, [])
        self._positions(reg)
        if self.errors:
            raise self._fail()
        reg.warnings = self.warnings
        for w in self.warnings:
            log.warning("%s", w)
        return reg

    def _fail(self) -> RegistryError:
        n = len(self.errors)
        head = "; ".join(self.errors[:5])
        more = f" (and {n - 5} more)" if n > 5 else ""
        return RegistryError(f"{n} problem(s) in the grid registry: {head}{more}", self.errors)

    def _list(self, it, key, where):
        v = it.get(key, [])
        if v is None:
            return []
        if not isinstance(v, list):
            self.err(where, f"'{key}' must be a list")
            return []
        return v

    def _contents(self, it, grid: Grid, where: str):
        for j, r in enumerate(self._list(it, "roads", where)):
            w = f"{where} roads[{j}]"
            if not isinstance(r, dict):
                self.err(w, "road must be an object")
                continue
            name = self._str(r, "name", w)
            w = f"{where} road {name}" if name else w
            nums = r.get("numbers") or {}
            lo = hi = None
            side = "both"
            if nums:
                if not isinstance(nums, dict):
                    self.err(w, "'numbers' must be {from, to, side}")
                    nums = {}
                lo, hi, side = nums.get("from"), nums.get("to"), nums.get("side", "both")
                if not (isinstance(lo, int) and isinstance(hi, int)) or lo < 0 or hi < lo:
                    self.err(w, f"house-number range {lo}–{hi} is not a valid range")
                    lo = hi = None
                if side not in ("odd", "even", "both"):
                    self.err(w, f"numbers.side must be odd, even or both, not {side!r}")
                    side = "both"
            line = [self._point(p, w) for p in self._list(r, "line", w)]
            grid.roads.append(RoadSegment(name, self._aliases(r, w), grid.code, lo, hi, side,
                                          [p for p in line if p], self._houses(r, lo, hi, side, w)))
        for j, c in enumerate(self._list(it, "compounds", where)):
            w = f"{where} compounds[{j}]"
            if not isinstance(c, dict):
                self.err(w, "compound must be an object")
                continue
            name = self._str(c, "name", w)
            w = f"{where} compound {name}" if name else w
            bl: dict[str, GeoPoint | None] = {}
            for b in self._list(c, "buildings", w):
                if not isinstance(b, dict):
                    self.err(w, "building must be an object {no, point}")
                    continue
                no = self._str(b, "no", w)
                if no in bl:
                    self.err(w, f"building {no} is listed twice")
                bl[no] = self._point(b.get("point"), f"{w} building {no}")
            grid.compounds.append(Compound(name, self._aliases(c, w), grid.code,
                                           self._point(c.get("point"), w), bl))
        for j, m in enumerate(self._list(it, "landmarks", where)):
            w = f"{where} landmarks[{j}]"
            if not isinstance(m, dict):
                self.err(w, "landmark must be an object")
                continue
            name = self._str(m, "name", w)
            w = f"{where} landmark {name}" if name else w
            grid.landmarks.append(Landmark(name, str(m.get("kind", "")), self._aliases(m, w),
                                           grid.code, self._point(m.get("point"), w)))

    def _houses(self, r, lo, hi, side, where) -> Houses:
        v = r.get("houses")
        if not v:
            return Houses()
        if not isinstance(v, dict):
            self.err(where, "'houses' must be an object {number: [lng, lat]}")
            return Houses()
        out = {}
        probe = RoadSegment("", [], "", lo, hi, side, [])
        for k, p in v.items():
            no = int(k) if isinstance(k, str) and k.isdigit() else None
            if no is None or not probe.has_number(no):
                self.err(where, f"house {k} is not in the range {lo}–{hi} ({side})")
                continue
            pt = self._point(p, f"{where} house {k}")
            if pt is not None:
                out[no] = (pt.lng, pt.lat)
        return Houses(out)

    def _overlaps(self, grids: dict[str, Grid]):
        if not grids:
            return
        codes = list(grids)
        polys = [g.polygon for g in grids.values()]
        b = shapely.bounds(polys)
        proj = _Projection((b[:, 1].min() + b[:, 3].max()) / 2, (b[:, 0].min() + b[:, 2].max()) / 2)
        metric = [proj.geom(p) for p in polys]
        tree = STRtree(metric)
        left, right = tree.query(metric, predicate="intersects")
        for a, c in zip(left, right):
            if a >= c:
                continue
            area = metric[a].intersection(metric[c]).area
            if area > self.overlap_m2:
                ga, gc = grids[codes[a]], grids[codes[c]]
                self.err(f"grid {ga.code} {ga.name}",
                         f"polygon overlaps grid {gc.code} {gc.name} by {area:.0f} m²")

    def _numbers(self, grids: dict[str, Grid]):
        by_road: dict[str, list[RoadSegment]] = {}
        for g in grids.values():
            for r in g.roads:
                if r.lo is not None:
                    by_road.setdefault(r.name, []).append(r)
        for name, segs in by_road.items():
            for i, a in enumerate(segs):
                for b in segs[i + 1:]:
                    if a.lo <= b.hi and b.lo <= a.hi and (
                            a.side == b.side or "both" in (a.side, b.side)):
                        self.err(f"grid {b.grid} road {name}",
                                 f"house numbers {b.lo}–{b.hi} ({b.side}) overlap "
                                 f"{a.lo}–{a.hi} ({a.side}) in grid {a.grid}")

    def _positions(self, reg: Registry):
        for g in reg.grids.values():
            i = reg._codes.index(g.code)
            poly = reg._metric[i]
            checks: list[tuple[str, float, float]] = []
            for r in g.roads:
                checks += [(f"road {r.name} line", p.lng, p.lat) for p in r.line]
                checks += [(f"road {r.name} house {no}", lng, lat)
                           for no, (lng, lat) in r.houses.items()]
            for c in g.compounds:
                if c.point:
                    checks.append((f"compound {c.name}", c.point.lng, c.point.lat))
                checks += [(f"compound {c.name} building {no}", p.lng, p.lat)
                           for no, p in c.buildings.items() if p]
            for m in g.landmarks:
                if m.point:
                    checks.append((f"landmark {m.name}", m.point.lng, m.point.lat))
            if not checks:
                continue
            xy = reg.proj.xy(np.array([c[1] for c in checks]), np.array([c[2] for c in checks]))
            dist = shapely.distance(poly, shapely.points(*xy))
            for (what, lng, lat), d in zip(checks, dist):
                if d > self.tol:
                    msg = (f"{self.source}: grid {g.code} {g.name}: {what} at "
                           f"[{lng}, {lat}] lies {d:.0f} m outside the grid polygon")
                    (self.errors if self.strict else self.warnings).append(msg)
