"""Import a city's grid registry from its GIS export: grid polygons (GeoJSON), the standard
address list (门牌地址, CSV) and points of interest (CSV) → the registry JSON the locator
reads (registry.py). The formats, with a small example, are in docs/registry.md.

``import_registry(grids, addresses, pois) -> dict`` reads and validates the three files and
returns the registry as a dict; it raises `RegistryError` listing every problem, each naming
the file, the feature or line and what is wrong: unreadable files and missing columns,
duplicate codes, unknown parents, invalid polygons, grids that overlap, gaps (holes between
grids, or parts of a district / street / community polygon no grid covers, and grids
reaching outside their parent), unknown grid codes, addresses and POIs that cannot be
read or lie outside their grid, and one address given to two grids. The result is then
checked once more by `Registry.from_dict` — what is written is what the locator loads.
``write_registry(data, path)`` writes it atomically (never a half-written file).

Addresses become the registry's roads and compounds: ``建国门内大街18号`` is house 18 of the
road in the row's grid; the numbers of one road are cut into runs that belong to one grid
(one side of the road, odd or even, when that gives fewer runs), each run a road segment
with its range and its houses' positions. ``苏州园小区3号楼`` is building 3 of the compound;
a row with a compound's name alone gives the compound's own position; ``XX路18号院3号楼``
gives both house 18 and building 3 of the compound ``XX路18号院``. Units and rooms after the
building (``2单元301室``) are ignored: the grid is decided by the building.
Geometry (areas, unions, distances) is shapely's, in a local metric projection.
"""
from __future__ import annotations

import csv
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.strtree import STRtree

from classifiers.locate.registry import Registry, RegistryError, _Projection
from classifiers.normalize import chinese_numeral

DEMO_SOURCES = Path(__file__).resolve().parents[1] / "data" / "registry" / "demo"
LEVELS = ("district", "street", "community", "grid")
PARENT_LEVEL = {"street": "district", "community": "street", "grid": "community"}
ADDRESS_COLUMNS = ("address", "grid", "lat", "lng", "aliases")
POI_COLUMNS = ("name", "kind", "grid", "lat", "lng", "aliases")
ROAD_SUFFIXES = ("路", "街", "道", "胡同", "巷", "条", "弄")
# an address may begin with the units it lies in; only names with these endings are cut
# off (东安花园 is a compound, not 东安 + 花园)
ADMIN_SUFFIXES = ("省", "市", "区", "县", "旗", "街道", "镇", "乡", "社区", "村", "居委会", "办事处")
MAX_PROBLEMS = 200  # listed in full; beyond that only counted

_BUILDING = r"(?P<b>\d{1,4})(?:号楼|栋|幢|座)(?:\d{1,3}单元)?(?:\d{1,5}(?:室|号)?)?"
_HOUSE = r"[甲乙丙丁]?(?P<no>\d{1,4})(?:[-之]\d{1,4})?号"
_YARD_BUILDING_RE = re.compile(rf"^(?P<road>.+?){_HOUSE}院{_BUILDING}$")
_YARD_RE = re.compile(rf"^(?P<road>.+?){_HOUSE}院$")
_BUILDING_RE = re.compile(rf"^(?P<c>.+?){_BUILDING}$")
_HOUSE_RE = re.compile(rf"^(?P<road>.+?){_HOUSE}$")
_SPOKEN_RE = re.compile(r"[零〇一二两三四五六七八九十百]+(?=号|栋|幢|座|单元)")  # 十二号楼 → 12号楼
_PROVINCE_CITY_RE = re.compile(r"^[\u4e00-\u9fff]{2,8}?(?:省|自治区|市)(?!场)")


@dataclass
class _Address:
    line: int
    grid: str
    kind: str  # house | building | road | compound
    name: str  # road or compound
    no: str = ""  # house number or building number
    point: tuple[float, float] | None = None  # (lng, lat)
    derived: bool = False  # the house of a 号院 building row
    aliases: list[str] = field(default_factory=list)


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, where: str, msg: str):
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(f"{where}: {msg}")

    def raise_if_any(self, what: str):
        if not self.count:
            return
        more = f" (only the first {MAX_PROBLEMS} are listed)" if self.count > len(self.items) else ""
        head = "; ".join(self.items[:5])
        raise RegistryError(f"{self.count} problem(s) importing {what}{more}: {head}",
                            list(self.items))


# ---------------------------------------------------------------- public
def import_registry(grids: str | Path, addresses: str | Path | None = None,
                    pois: str | Path | None = None, *, name: str = "", version: str = "",
                    position_tolerance_m: float = 50.0, area_tolerance_m2: float = 1.0) -> dict:
    """Read and validate the sources; the registry as a dict (see the module docstring)."""
    problems = _Problems()
    meta, admins, grid_feats = _read_geojson(Path(grids), problems, area_tolerance_m2)
    problems.raise_if_any(str(grids))
    proj, metric = _metric_grids(grid_feats)
    grid_rows = {g["code"]: {"roads": [], "compounds": [], "landmarks": []} for g in grid_feats}
    codes = [g["code"] for g in grid_feats]
    tree = STRtree(metric)
    locating = _Locating(codes, metric, tree, proj, position_tolerance_m, grid_feats)
    if addresses:
        rows = _read_addresses(Path(addresses), admins, grid_feats, locating, problems)
        _build_roads_and_compounds(rows, grid_rows)
    if pois:
        _read_pois(Path(pois), locating, grid_rows, problems)
    problems.raise_if_any(", ".join(str(p) for p in (grids, addresses, pois) if p))
    data = {
        "name": name or meta.get("name") or Path(grids).stem,
        "version": version or str(meta.get("version", "")),
        "crs": "WGS84", "point_order": "lng,lat",
        "districts": [_admin_out(a) for a in admins if a["level"] == "district"],
        "streets": [_admin_out(a) for a in admins if a["level"] == "street"],
        "communities": [_admin_out(a) for a in admins if a["level"] == "community"],
        "grids": [{"code": g["code"], "name": g["name"], "aliases": g["aliases"],
                   "community": g["parent"], "head": {"name": g["head_name"],
                                                      "phone": g["head_phone"]},
                   "polygon": g["geometry"], **grid_rows[g["code"]]} for g in grid_feats],
    }
    # the locator's own validation, on exactly what will be written
    Registry.from_dict(data, source=str(grids), position_tolerance_m=position_tolerance_m,
                       overlap_tolerance_m2=area_tolerance_m2)
    return data


def write_registry(data: dict, path: str | Path) -> None:
    """Write the registry JSON atomically: one line per entry, so changes diff by entry."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write("{\n")
        head = [k for k in data if not isinstance(data[k], list)]
        for k in head:
            f.write(f" {json.dumps(k)}: {json.dumps(data[k], ensure_ascii=False)},\n")
        lists = [k for k in data if isinstance(data[k], list)]
        for n, k in enumerate(lists):
            f.write(f" {json.dumps(k)}: [\n")
            items = data[k]
            for i, it in enumerate(items):
                sep = "," if i < len(items) - 1 else ""
                f.write("  " + json.dumps(it, ensure_ascii=False, separators=(", ", ": ")) + sep + "\n")
            f.write(" ]" + ("," if n < len(lists) - 1 else "") + "\n")
        f.write("}\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ---------------------------------------------------------------- GeoJSON
def _aliases(v) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [a.strip() for a in v.split("|") if a.strip()]
    if isinstance(v, list):
        return [str(a).strip() for a in v if str(a).strip()]
    return []


def _flat(geom: dict) -> dict:
    """A GeoJSON geometry with [lng, lat] positions only (GIS exports may carry heights)."""
    def ring(r):
        return [[p[0], p[1]] if isinstance(p, list) and len(p) >= 2 else p for p in r]
    coords = geom.get("coordinates")
    try:
        if geom.get("type") == "Polygon":
            coords = [ring(r) for r in coords]
        elif geom.get("type") == "MultiPolygon":
            coords = [[ring(r) for r in poly] for poly in coords]
    except TypeError:
        pass
    return {"type": geom.get("type"), "coordinates": coords}


def _read_geojson(path: Path, problems: _Problems, area_m2: float):
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        problems.add(str(path), f"cannot read the file: {exc.strerror or exc}")
        return {}, [], []
    except UnicodeDecodeError as exc:
        problems.add(str(path), _unreadable(exc))
        return {}, [], []
    except json.JSONDecodeError as exc:
        problems.add(str(path), f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}")
        return {}, [], []
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(
            doc.get("features"), list):
        problems.add(str(path), "must be a GeoJSON FeatureCollection")
        return {}, [], []
    seen: dict[str, str] = {}
    feats = []
    for i, f in enumerate(doc["features"]):
        where = f"{path} feature {i}"
        props = f.get("properties") if isinstance(f, dict) else None
        if not isinstance(props, dict):
            problems.add(where, "a Feature with properties is required")
            continue
        level = str(props.get("level", "")).strip()
        code = str(props.get("code", "") or "").strip()
        fname = str(props.get("name", "") or "").strip()
        where = f"{path} feature {i} ({level or '?'} {code} {fname})".replace("  ", " ")
        if level not in LEVELS:
            problems.add(where, f"level must be one of {', '.join(LEVELS)}, not {level!r}")
            continue
        if not code or not fname:
            problems.add(where, "code and name are required")
            continue
        if code in seen:
            problems.add(where, f"duplicate code {code} (also {seen[code]})")
            continue
        seen[code] = where
        geom = f.get("geometry")
        poly = None
        if geom is not None:
            if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
                problems.add(where, "geometry must be a Polygon or MultiPolygon (or null above grids)")
                continue
            geom = _flat(geom)
            try:
                poly = shape(geom)
            except (ValueError, TypeError, AttributeError, IndexError, ShapelyError) as exc:
                problems.add(where, f"geometry cannot be read: {exc}")
                continue
            if poly.is_empty or not poly.is_valid:
                why = "empty" if poly.is_empty else shapely.is_valid_reason(poly)
                problems.add(where, f"polygon is invalid: {why}")
                continue
        elif level == "grid":
            problems.add(where, "a grid needs a Polygon or MultiPolygon geometry")
            continue
        feats.append({"level": level, "code": code, "name": fname, "where": where,
                      "parent": str(props.get("parent", "") or "").strip(),
                      "aliases": _aliases(props.get("aliases")),
                      "head_name": str(props.get("head_name", "") or "").strip(),
                      "head_phone": str(props.get("head_phone", "") or "").strip(),
                      "geometry": geom, "shape": poly})
    by_code = {f["code"]: f for f in feats}
    for f in feats:
        want = PARENT_LEVEL.get(f["level"])
        if want is None:
            continue
        p = by_code.get(f["parent"])
        if not f["parent"]:
            problems.add(f["where"], f"parent ({want} code) is required")
        elif p is None or p["level"] != want:
            problems.add(f["where"], f"unknown parent {want} '{f['parent']}'")
    grids = [f for f in feats if f["level"] == "grid"]
    if not grids and not problems.count:
        problems.add(str(path), "no grid features")
    if problems.count:
        return doc, [], []
    _check_tiling(feats, by_code, problems, area_m2)
    admins = [f for f in feats if f["level"] != "grid"]
    order = {lv: i for i, lv in enumerate(LEVELS)}
    admins.sort(key=lambda a: order[a["level"]])  # stable: the file's order within a level
    return doc, admins, grids


def _check_tiling(feats, by_code, problems: _Problems, area_m2: float):
    """Overlaps between grids, holes between them, and each unit with a polygon covered by
    its grids (no gap) and not exceeded by them."""
    grids = [f for f in feats if f["level"] == "grid"]
    b = shapely.bounds([g["shape"] for g in grids])
    proj = _Projection((b[:, 1].min() + b[:, 3].max()) / 2, (b[:, 0].min() + b[:, 2].max()) / 2)
    metric = [proj.geom(g["shape"]) for g in grids]
    tree = STRtree(metric)
    left, right = tree.query(metric, predicate="intersects")
    for a, c in zip(left, right):
        if a < c:
            area = metric[a].intersection(metric[c]).area
            if area > area_m2:
                problems.add(grids[a]["where"], f"overlaps grid {grids[c]['code']} "
                             f"{grids[c]['name']} ({grids[c]['where'].split(' (')[0]}) by {area:.0f} m²")
    union = shapely.union_all(metric)
    parts = getattr(union, "geoms", [union])
    for part in parts:
        for hole in part.interiors:
            hp = shapely.Polygon(hole)
            if hp.area > area_m2:
                near = sorted(tree.query(hp.buffer(1.0), predicate="intersects"))
                around = [grids[i]["code"] for i in near]
                pt = proj.lnglat(*hp.representative_point().coords[0])
                problems.add(grids[near[0]]["where"] if near else "grids",
                             f"gap of {hp.area:.0f} m² no grid covers near "
                             f"[{pt[0]:.6f}, {pt[1]:.6f}] between grids {', '.join(around)}")
    children: dict[str, list[int]] = {}
    for i, g in enumerate(grids):
        code = g["parent"]
        while code:
            children.setdefault(code, []).append(i)
            code = by_code[code]["parent"] if code in by_code else ""
    for f in feats:
        if f["level"] == "grid" or f["shape"] is None:
            continue
        unit = proj.geom(f["shape"])
        mine = shapely.union_all([metric[i] for i in children.get(f["code"], [])])
        gap = unit.difference(mine)
        if gap.area > area_m2:
            pt = proj.lnglat(*gap.representative_point().coords[0])
            problems.add(f["where"], f"gap of {gap.area:.0f} m² not covered by any of its grids "
                         f"near [{pt[0]:.6f}, {pt[1]:.6f}]")
        for i in children.get(f["code"], []):
            out = metric[i].difference(unit).area
            if out > area_m2:
                problems.add(grids[i]["where"], f"reaches {out:.0f} m² outside its {f['level']} "
                             f"{f['code']} {f['name']}")


def _metric_grids(grids):
    b = shapely.bounds([g["shape"] for g in grids])
    proj = _Projection((b[:, 1].min() + b[:, 3].max()) / 2, (b[:, 0].min() + b[:, 2].max()) / 2)
    metric = [proj.geom(g["shape"]) for g in grids]
    shapely.prepare(metric)
    return proj, metric


def _admin_out(a: dict) -> dict:
    out = {"code": a["code"], "name": a["name"], "aliases": a["aliases"]}
    if a["level"] in PARENT_LEVEL:
        out[PARENT_LEVEL[a["level"]]] = a["parent"]
    return out


# ---------------------------------------------------------------- CSV helpers
class _Locating:
    """Grid lookup and the outside-its-grid check for the CSV rows (vectorised per file)."""

    def __init__(self, codes, metric, tree, proj, tol_m, grid_feats):
        self.codes, self.metric, self.tree, self.proj, self.tol = codes, metric, tree, proj, tol_m
        self.index = {c: i for i, c in enumerate(codes)}
        self.names = {g["code"]: g["name"] for g in grid_feats}

    def grid_at(self, lng: float, lat: float) -> str:
        hits = self.tree.query(shapely.Point(*self.proj.xy(lng, lat)), predicate="intersects")
        return min(self.codes[i] for i in hits) if len(hits) else ""

    def outside(self, items):
        """(line, grid, (lng, lat), label) → [(line, grid, metres, label)] for those beyond
        the tolerance."""
        by_grid: dict[str, list] = {}
        for line, grid, pt, label in items:
            by_grid.setdefault(grid, []).append((line, pt, label))
        out = []
        for grid, rows in by_grid.items():
            pts = np.array([p for _, p, _ in rows], dtype=float)
            xy = self.proj.xy(pts[:, 0], pts[:, 1])
            dist = shapely.distance(self.metric[self.index[grid]], shapely.points(*xy))
            out += [(line, grid, float(d), label)
                    for (line, _, label), d in zip(rows, dist) if d > self.tol]
        return sorted(out)


def _open_csv(path: Path, columns, required, problems: _Problems):
    try:
        f = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        problems.add(str(path), f"cannot read the file: {exc.strerror or exc}")
        return None, None
    try:
        reader = csv.DictReader(f)
        header = [h.strip() for h in (reader.fieldnames or [])]
    except (csv.Error, UnicodeDecodeError) as exc:
        f.close()
        problems.add(str(path), _unreadable(exc))
        return None, None
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in columns]
    if missing or unknown:
        what = []
        if missing:
            what.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            what.append(f"unknown column(s) {', '.join(unknown)}")
        problems.add(f"{path} line 1", "; ".join(what) + f" (columns: {', '.join(columns)})")
        f.close()
        return None, None
    return f, reader


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text (GBK? save the file as UTF-8)"
    return f"not readable as CSV: {exc}"


def _point(row, where, problems: _Problems):
    lat, lng = (row.get("lat") or "").strip(), (row.get("lng") or "").strip()
    if not lat and not lng:
        return None, True
    try:
        la, ln = float(lat), float(lng)
    except ValueError:
        problems.add(where, f"lat/lng must both be numbers, got {lat!r}, {lng!r}")
        return None, False
    if not (-90 <= la <= 90 and -180 <= ln <= 180) or (la == 0 and ln == 0) or not (
            np.isfinite(la) and np.isfinite(ln)):
        hint = " (lat and lng swapped?)" if abs(la) > 90 >= abs(ln) else ""
        problems.add(where, f"position lat {lat}, lng {lng} is out of range{hint}")
        return None, False
    return (ln, la), True


def _grid_of(row, pt, where, locating: _Locating, problems: _Problems) -> str:
    grid = (row.get("grid") or "").strip()
    if grid:
        if grid not in locating.index:
            problems.add(where, f"unknown grid code '{grid}'")
            return ""
        return grid
    if pt is None:
        problems.add(where, "needs a grid code or a position")
        return ""
    grid = locating.grid_at(*pt)
    if not grid:
        problems.add(where, f"position [{pt[0]}, {pt[1]}] is in no grid (and no grid code given)")
    return grid


def _report_outside(items, locating: _Locating, problems: _Problems, path: Path, what: str):
    for line, grid, d, label in locating.outside(items):
        problems.add(f"{path} line {line}", f"{what} {label} lies {d:.0f} m outside its grid "
                     f"{grid} {locating.names[grid]}")


# ---------------------------------------------------------------- addresses
def _strip_prefix(text: str, admin_names: list[str]) -> str:
    for _ in range(4):
        m = _PROVINCE_CITY_RE.match(text)
        if m and len(text) > m.end() + 1:
            text = text[m.end():]
            continue
        for n in admin_names:
            if text.startswith(n) and len(text) > len(n) + 1:
                text = text[len(n):]
                break
        else:
            return text
    return text


def parse_address(text: str, admin_names: list[str] = ()) -> list[tuple[str, str, str]] | None:
    """An address → [(kind, name, number)]: kind house (road, house number), building
    (compound, building number), road or compound (a name alone); None if unreadable."""
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))  # full-width digits too
    t = _SPOKEN_RE.sub(lambda m: str(chinese_numeral(m.group(0)) or m.group(0)), t)
    t = _strip_prefix(t, list(admin_names))
    if not t:
        return None
    m = _YARD_BUILDING_RE.match(t)
    if m:
        yard = f"{m.group('road')}{m.group('no')}号院"
        return [("building", yard, m.group("b")), ("house", m.group("road"), m.group("no"))]
    m = _YARD_RE.match(t)
    if m:
        return [("compound", t, ""), ("house", m.group("road"), m.group("no"))]
    m = _BUILDING_RE.match(t)
    if m:
        return [("building", m.group("c"), str(int(m.group("b"))))]
    m = _HOUSE_RE.match(t)
    if m:
        return [("house", m.group("road"), str(int(m.group("no"))))]
    if re.search(r"\d|号|栋|幢|单元", t) or len(t) < 2:
        return None
    return [("road" if t.endswith(ROAD_SUFFIXES) else "compound", t, "")]


def _read_addresses(path: Path, admins, grid_feats, locating: _Locating, problems: _Problems):
    f, reader = _open_csv(path, ADDRESS_COLUMNS, ("address",), problems)
    if reader is None:
        return []
    names = sorted({n for a in admins for n in [a["name"], *a["aliases"]] if n.endswith(ADMIN_SUFFIXES)},
                   key=len, reverse=True)
    rows: list[_Address] = []
    aliases: dict[str, list[str]] = {}
    first: dict[tuple[str, str, str], _Address] = {}
    with f:
        try:
            for row in reader:
                where = f"{path} line {reader.line_num}"
                text = (row.get("address") or "").strip()
                if not text:
                    problems.add(where, "address is empty")
                    continue
                parsed = parse_address(text, names)
                if parsed is None:
                    problems.add(where, f"cannot read the address {text!r} (expected road + 号, "
                                 "compound + 号楼, or a road or compound name)")
                    continue
                pt, ok = _point(row, where, problems)
                if not ok:
                    continue
                grid = _grid_of(row, pt, where, locating, problems)
                if not grid:
                    continue
                for k, (kind, name, no) in enumerate(parsed):
                    a = _Address(reader.line_num, grid, kind, name, no, pt, derived=k > 0)
                    key = (kind, name, no) if kind in ("house", "building") else (kind, name, grid)
                    prev = first.get(key)
                    if prev is None:
                        first[key] = a
                        rows.append(a)
                        if k == 0 and row.get("aliases"):
                            aliases.setdefault(name, [])
                            aliases[name] += [x for x in _aliases(row["aliases"])
                                              if x not in aliases[name]]
                    elif prev.grid != grid and kind in ("house", "building") and not a.derived:
                        problems.add(where, f"{text!r} is given to grid {grid} here and to grid "
                                     f"{prev.grid} on line {prev.line}")
        except (csv.Error, UnicodeDecodeError) as exc:
            problems.add(f"{path} line {reader.line_num + 1}", _unreadable(exc))
    _report_outside([(a.line, a.grid, a.point, a.name + (f"{a.no}号" if a.kind == "house" else
                                                         f"{a.no}号楼" if a.no else ""))
                     for a in rows if a.point and not a.derived],
                    locating, problems, path, "the address")
    for a in rows:
        a.aliases = aliases.get(a.name, [])
    return rows


def _runs(items):
    """Consecutive numbers of one grid: [(grid, [numbers])] in number order."""
    out: list[tuple[str, list[int]]] = []
    for no, grid in items:
        if out and out[-1][0] == grid:
            out[-1][1].append(no)
        else:
            out.append((grid, [no]))
    return out


def _line(points, limit=16):
    if len(points) <= limit:
        return points
    step = (len(points) - 1) / (limit - 1)
    return [points[round(i * step)] for i in range(limit)]


def _build_roads_and_compounds(rows: list[_Address], grid_rows: dict):
    houses: dict[str, dict[int, _Address]] = {}
    named_roads, compounds = [], {}
    order: dict[tuple[str, str], int] = {}  # (grid, road) → first appearance
    for a in rows:
        if a.kind == "house":
            houses.setdefault(a.name, {})[int(a.no)] = a
            order.setdefault((a.grid, a.name), len(order))
        elif a.kind == "road":
            named_roads.append(a)
            order.setdefault((a.grid, a.name), len(order))
        else:
            c = compounds.get((a.grid, a.name))
            if c is None:
                c = compounds[(a.grid, a.name)] = {"name": a.name, "aliases": a.aliases,
                                                   "point": None, "buildings": []}
                grid_rows[a.grid]["compounds"].append(c)
            if a.kind == "compound" and c["point"] is None and a.point:
                c["point"] = list(a.point)
            elif a.kind == "building":
                c["buildings"].append({"no": a.no, "point": list(a.point) if a.point else None})
    segments: dict[tuple[str, str], list[dict]] = {}
    for road, by_no in houses.items():
        items = sorted((no, a.grid) for no, a in by_no.items())
        both = _runs(items)
        par = _runs([x for x in items if x[0] % 2]) + _runs([x for x in items if not x[0] % 2])
        chosen = both if len(both) < len(par) else par
        for grid, nos in chosen:
            odd = {n % 2 for n in nos}
            side = "both" if len(odd) == 2 else ("odd" if odd == {1} else "even")
            pts = [(n, by_no[n].point) for n in nos if by_no[n].point]
            seg = {"name": road, "aliases": by_no[nos[0]].aliases,
                   "numbers": {"from": nos[0], "to": nos[-1], "side": side},
                   "line": _line([list(p) for _, p in pts])}
            if pts:
                seg["houses"] = {str(n): list(p) for n, p in pts}
            segments.setdefault((grid, road), []).append(seg)
    for a in named_roads:
        if (a.grid, a.name) not in segments:
            segments[(a.grid, a.name)] = [{"name": a.name, "aliases": a.aliases,
                                           "line": [list(a.point)] if a.point else []}]
    for (grid, _road), _ in sorted(order.items(), key=lambda kv: kv[1]):
        grid_rows[grid]["roads"] += segments.get((grid, _road), [])
    for c in compounds.values():
        if c["point"] is None:
            del c["point"]
        for b in c["buildings"]:
            if b["point"] is None:
                del b["point"]


# ---------------------------------------------------------------- POIs
def _read_pois(path: Path, locating: _Locating, grid_rows: dict, problems: _Problems):
    f, reader = _open_csv(path, POI_COLUMNS, ("name", "kind"), problems)
    if reader is None:
        return
    seen: dict[tuple[str, str], int] = {}
    checks = []
    with f:
        try:
            for row in reader:
                where = f"{path} line {reader.line_num}"
                name = unicodedata.normalize("NFKC", (row.get("name") or "").strip())
                kind = (row.get("kind") or "").strip()
                if not name or not kind:
                    problems.add(where, "name and kind are required")
                    continue
                pt, ok = _point(row, where, problems)
                if not ok:
                    continue
                grid = _grid_of(row, pt, where, locating, problems)
                if not grid:
                    continue
                if (grid, name) in seen:
                    problems.add(where, f"POI {name} is listed twice in grid {grid} "
                                 f"(also line {seen[grid, name]})")
                    continue
                seen[grid, name] = reader.line_num
                mark = {"name": name, "kind": kind, "aliases": _aliases(row.get("aliases"))}
                if pt:
                    mark["point"] = list(pt)
                    checks.append((reader.line_num, grid, pt, name))
                grid_rows[grid]["landmarks"].append(mark)
        except (csv.Error, UnicodeDecodeError) as exc:
            problems.add(f"{path} line {reader.line_num + 1}", _unreadable(exc))
    _report_outside(checks, locating, problems, path, "the POI")
