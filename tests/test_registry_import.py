"""`run.py import-registry`: a city's grid polygons (GeoJSON), addresses and POIs (CSV)
become the registry the locator reads; each kind of bad file is refused with the file, the
feature or line, and the problem named, and nothing is written."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import run
from classifiers.locate.locator import GridLocator
from classifiers.locate.registry import DEFAULT_REGISTRY, RegistryError, load_registry
from classifiers.locate.registry_import import DEMO_SOURCES, import_registry, parse_address, write_registry

LNG0, LAT0, D = 116.50, 39.90, 0.004  # 2 × 2 grids of about 340 m × 440 m


def cell(c: int, r: int, d: float = D) -> dict:
    x, y = LNG0 + c * D, LAT0 + r * D
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {"type": "Polygon", "coordinates": [[[round(a, 6), round(b, 6)] for a, b in ring]]}


def at(c: float, r: float) -> tuple[str, str]:
    """lat, lng of a point given in cell units."""
    return f"{LAT0 + r * D:.6f}", f"{LNG0 + c * D:.6f}"


def features() -> list[dict]:
    admin = [("district", "990001", "柳岸区", "", ["柳岸"]),
             ("street", "990001001", "柳岸街道", "990001", []),
             ("community", "990001001001", "柳岸社区", "990001001", []),
             ("community", "990001001002", "桃园社区", "990001001", [])]
    out = [{"type": "Feature", "geometry": None,
            "properties": {"level": lv, "code": code, "name": name, "parent": parent,
                           "aliases": aliases}} for lv, code, name, parent, aliases in admin]
    grids = [("990001001001001", "柳岸社区第一网格", "990001001001", 0, 0),
             ("990001001001002", "柳岸社区第二网格", "990001001001", 1, 0),
             ("990001001002001", "桃园社区第一网格", "990001001002", 0, 1),
             ("990001001002002", "桃园社区第二网格", "990001001002", 1, 1)]
    for k, (code, name, parent, c, r) in enumerate(grids):
        out.append({"type": "Feature", "geometry": cell(c, r), "properties": {
            "level": "grid", "code": code, "name": name, "parent": parent,
            "aliases": "", "head_name": f"网格员{k}", "head_phone": f"1380000000{k}"}})
    return out


def address_rows() -> list[list[str]]:
    rows = [["address", "grid", "lat", "lng", "aliases"]]
    # 柳岸路 runs east–west through the lower grids: odd numbers 1–19 in the first, 21–39 in
    # the second; 桃园路 along the upper grids, both sides, 1–20 then 21–40
    for n in range(1, 40, 2):
        g = "990001001001001" if n < 20 else "990001001001002"
        rows.append([f"柳岸区柳岸路{n}号", g, *at(0.05 + n / 40 * 1.9, 0.5), "柳岸大道" if n == 1 else ""])
    for n in range(1, 41):
        g = "990001001002001" if n <= 20 else "990001001002002"
        rows.append([f"桃园路{n}号", g, *at(0.05 + n / 41 * 1.9, 1.5), ""])
    rows.append(["翠苑小区", "990001001002002", *at(1.5, 1.7), "翠苑"])
    for b in range(1, 6):
        rows.append([f"翠苑小区{b}号楼", "990001001002002", *at(1.2 + b * 0.1, 1.8), ""])
    rows.append(["桃园路7号院2号楼3单元", "990001001002001", *at(0.3, 1.3), ""])
    return rows


def poi_rows() -> list[list[str]]:
    return [["name", "kind", "grid", "lat", "lng", "aliases"],
            ["柳岸菜市场", "market", "990001001001002", *at(1.5, 0.3), "柳岸市场"],
            ["桃园小学", "school", "", *at(0.4, 1.4), ""]]


def write(tmp: Path, feats=None, addrs=None, pois=None) -> Path:
    src = tmp / "city"
    src.mkdir(exist_ok=True)
    (src / "grids.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "name": "柳岸区网格", "version": "t1",
         "features": features() if feats is None else feats}, ensure_ascii=False), encoding="utf-8")
    for name, rows in (("addresses.csv", addrs or address_rows()), ("pois.csv", pois or poi_rows())):
        with (src / name).open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(rows)
    return src


def test_the_shipped_demo_registry_is_the_import_of_its_source_files(tmp_path):
    out = tmp_path / "grids.json"
    assert run.main(["import-registry", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(
        DEFAULT_REGISTRY.read_text(encoding="utf-8"))
    assert (DEMO_SOURCES / "grids.geojson").exists()


def test_a_city_imports_and_the_locator_finds_its_addresses_and_pois(tmp_path, capsys):
    src = write(tmp_path)
    out = tmp_path / "registry.json"
    assert run.main(["import-registry", "--source", str(src), "--out", str(out)]) == 0
    assert "4 grids" in capsys.readouterr().out
    reg = load_registry(out)
    assert reg.name == "柳岸区网格" and reg.version == "t1"
    assert [lv.name for lv in reg.grid_path("990001001002002")] == [
        "柳岸区", "柳岸街道", "桃园社区", "桃园社区第二网格"]
    assert reg.grids["990001001001001"].head_name == "网格员0"
    loc = GridLocator(reg)
    cases = {"柳岸路7号门口路灯不亮": "990001001001001",
             "柳岸路27号井盖丢了": "990001001001002",
             "柳岸大道33号有人占道": "990001001001002",  # the road's alias
             "桃园路30号垃圾没人清": "990001001002002",
             "翠苑小区3号楼楼道灯坏了": "990001001002002",
             "翠苑4号楼漏水": "990001001002002",
             "桃园路7号院2号楼电梯坏了": "990001001002001",
             "柳岸菜市场门口污水横流": "990001001001002",
             "桃园小学旁边噪音扰民": "990001001002001"}  # POI without a grid code: by position
    for text, code in cases.items():
        assert loc.locate(text).grid_code == code, text
    # the surveyed position of the house, not an interpolation
    lat, lng = at(0.05 + 7 / 40 * 1.9, 0.5)
    pos = loc.locate("柳岸路7号").point
    assert (round(pos.lat, 6), round(pos.lng, 6)) == (float(lat), float(lng))
    # odd numbers only were listed: 8 is not a registered house, the road is still known
    seg = reg.grids["990001001001001"].roads[0]
    assert (seg.name, seg.lo, seg.hi, seg.side) == ("柳岸路", 1, 19, "odd")


def test_the_gateway_locates_with_an_imported_registry_named_in_its_settings(tmp_path):
    from gateway import settings as settings_module
    from gateway.stages.build import build_locator

    src = write(tmp_path)
    out = tmp_path / "registry.json"
    write_registry(import_registry(src / "grids.geojson", src / "addresses.csv", src / "pois.csv"), out)
    settings = settings_module.load(None, {"location.registry": str(out)})
    where = build_locator(settings).locate("翠苑小区3号楼楼道灯坏了")
    assert where.grid_code == "990001001002002"
    assert [lv.name for lv in where.grid_path][-2:] == ["桃园社区", "桃园社区第二网格"]


def test_standard_address_forms_are_read():
    assert parse_address("北京市柳岸区柳岸街道柳岸路18号", ["柳岸区", "柳岸街道"]) == [
        ("house", "柳岸路", "18")]
    assert parse_address("柳岸路甲18-2号") == [("house", "柳岸路", "18")]
    assert parse_address("翠苑小区５号楼２单元301室") == [("building", "翠苑小区", "5")]
    assert parse_address("翠苑小区十二号楼") == [("building", "翠苑小区", "12")]
    assert parse_address("柳岸路二十三号院五栋") == [("building", "柳岸路23号院", "5"),
                                                ("house", "柳岸路", "23")]
    assert parse_address("东四十条宿舍") == [("compound", "东四十条宿舍", "")]
    assert parse_address("翠苑小区几号楼") is None
    assert parse_address("柳岸路18号院3号楼") == [("building", "柳岸路18号院", "3"),
                                              ("house", "柳岸路", "18")]
    assert parse_address("东安花园", ["东安区"]) == [("compound", "东安花园", "")]
    assert parse_address("柳岸北街") == [("road", "柳岸北街", "")]
    assert parse_address("3号楼") is None and parse_address("12345") is None


def _mutate_feature(i, **props):
    feats = features()
    geometry = props.pop("geometry", "keep")
    feats[i]["properties"].update(props)
    if geometry != "keep":
        feats[i]["geometry"] = geometry
    return feats


def _hole_feats():
    """The four grids' shared corner cut off each: a hole in the middle of the tiling."""
    feats = features()
    x, y, e = LNG0 + D, LAT0 + D, 0.0003
    for f in feats[4:]:
        corners = f["geometry"]["coordinates"][0][:-1]
        ring = []
        for k, (px, py) in enumerate(corners):
            if abs(px - x) < 1e-9 and abs(py - y) < 1e-9:
                for qx, qy in (corners[k - 1], corners[(k + 1) % 4]):  # towards prev, next
                    ring.append([round(px + e * ((qx > px) - (qx < px)), 6),
                                 round(py + e * ((qy > py) - (qy < py)), 6)])
            else:
                ring.append([px, py])
        f["geometry"]["coordinates"][0] = ring + ring[:1]
    return feats


def _rows_with(extra):
    rows = address_rows()
    rows.append(extra)
    return rows


BAD = [
    # (what, files, file that must be named, words in the message)
    ("duplicate code", dict(feats=_mutate_feature(5, code="990001001001001")),
     "grids.geojson", ["feature 5", "duplicate code 990001001001001", "feature 4"]),
    ("unknown parent", dict(feats=_mutate_feature(6, parent="990001001009")),
     "grids.geojson", ["feature 6", "桃园社区第一网格", "unknown parent community '990001001009'"]),
    ("overlap", dict(feats=_mutate_feature(5, geometry=cell(0.5, 0))),
     "grids.geojson", ["feature 4", "overlaps grid 990001001001002", "m²"]),
    ("gap between grids", dict(feats=_hole_feats()),
     "grids.geojson", ["gap of", "m² no grid covers", "990001001001001", "990001001002002"]),
    ("gap inside the district's polygon",
     dict(feats=_mutate_feature(0, geometry={"type": "Polygon", "coordinates": [[
         [LNG0, LAT0], [LNG0 + 3 * D, LAT0], [LNG0 + 3 * D, LAT0 + 2 * D],
         [LNG0, LAT0 + 2 * D], [LNG0, LAT0]]]})),
     "grids.geojson", ["feature 0", "district 990001", "gap of", "not covered by any of its grids"]),
    ("grid without polygon", dict(feats=_mutate_feature(7, geometry=None)),
     "grids.geojson", ["feature 7", "needs a Polygon"]),
    ("self-intersecting polygon", dict(feats=_mutate_feature(7, geometry={"type": "Polygon", "coordinates": [[
        [LNG0 + D, LAT0 + D], [LNG0 + 2 * D, LAT0 + 2 * D], [LNG0 + 2 * D, LAT0 + D],
        [LNG0 + D, LAT0 + 2 * D], [LNG0 + D, LAT0 + D]]]})),
     "grids.geojson", ["feature 7", "invalid", "Self-intersection"]),
    ("address outside its grid", dict(addrs=_rows_with(["柳岸路41号", "990001001001001", *at(1.9, 0.5), ""])),
     "addresses.csv", ["line 69", "the address 柳岸路41号 lies", "m outside its grid 990001001001001"]),
    ("address in two grids", dict(addrs=_rows_with(["柳岸路3号", "990001001001002", *at(1.2, 0.5), ""])),
     "addresses.csv", ["line 69", "'柳岸路3号' is given to grid 990001001001002", "990001001001001 on line 3"]),
    ("unknown grid code", dict(addrs=_rows_with(["柳岸路41号", "990001001001009", *at(1.9, 0.5), ""])),
     "addresses.csv", ["line 69", "unknown grid code '990001001001009'"]),
    ("unreadable address", dict(addrs=_rows_with(["3号楼", "990001001001001", "", "", ""])),
     "addresses.csv", ["line 69", "cannot read the address '3号楼'"]),
    ("swapped coordinates", dict(addrs=_rows_with(["柳岸路41号", "990001001001002", "116.5", "39.9", ""])),
     "addresses.csv", ["line 69", "out of range", "swapped"]),
    ("missing column", dict(addrs=[["addr", "grid"], ["柳岸路1号", "990001001001001"]]),
     "addresses.csv", ["line 1", "missing column(s) address", "unknown column(s) addr"]),
    ("POI outside its grid", dict(pois=[*poi_rows(), ["柳岸公园", "park", "990001001001001", *at(1.8, 1.8), ""]]),
     "pois.csv", ["line 4", "the POI 柳岸公园 lies", "outside its grid 990001001001001"]),
    ("POI in no grid", dict(pois=[*poi_rows(), ["远郊公园", "park", "", *at(5, 5), ""]]),
     "pois.csv", ["line 4", "is in no grid"]),
]


@pytest.mark.parametrize("what, files, name, words", BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_refused_naming_file_place_and_problem(tmp_path, capsys, what, files, name, words):
    src = write(tmp_path, **files)
    out = tmp_path / "registry.json"
    out.write_text("previous", encoding="utf-8")
    assert run.main(["import-registry", "--source", str(src), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(src / name) in err, err
    for w in words:
        assert w in err, (w, err)
    assert "unchanged" in err and out.read_text(encoding="utf-8") == "previous"


def test_gis_exports_with_heights_multipolygons_and_gbk_text(tmp_path):
    feats = features()
    g = feats[7]["geometry"]["coordinates"][0]
    feats[7]["geometry"] = {"type": "MultiPolygon", "coordinates": [[[[x, y, 42.0] for x, y in g]]]}
    src = write(tmp_path, feats=feats)
    data = import_registry(src / "grids.geojson", src / "addresses.csv", src / "pois.csv")
    assert data["grids"][3]["polygon"]["type"] == "MultiPolygon"
    (src / "addresses.csv").write_bytes("address,grid\n柳岸路1号,990001001001001\n".encode("gbk"))
    with pytest.raises(RegistryError) as exc:
        import_registry(src / "grids.geojson", src / "addresses.csv")
    assert "addresses.csv: not UTF-8 text (GBK? save the file as UTF-8)" in str(exc.value)


def test_a_grid_reaching_outside_its_community_is_refused(tmp_path):
    feats = features()
    feats[2]["geometry"] = cell(0, 0, d=2 * D)  # 柳岸社区 drawn over all four grids
    feats[2]["geometry"]["coordinates"][0] = [[x, y] for x, y in feats[2]["geometry"]["coordinates"][0]]
    feats[3]["geometry"] = cell(0, 1)  # 桃园社区 over one of its two grids
    src = write(tmp_path, feats=feats)
    with pytest.raises(RegistryError) as exc:
        import_registry(src / "grids.geojson")
    msg = "\n".join(exc.value.problems)
    assert "feature 2 (community 990001001001 柳岸社区): gap of" in msg
    assert "feature 7 (grid 990001001002002 桃园社区第二网格): reaches" in msg
    assert "outside its community 990001001002 桃园社区" in msg


def test_every_problem_is_listed_at_once(tmp_path):
    rows = address_rows()
    rows += [["3号楼", "990001001001001", "", "", ""],
             ["柳岸路41号", "990001001001009", "", "", ""],
             ["柳岸路43号", "990001001001001", *at(1.9, 1.9), ""]]
    src = write(tmp_path, addrs=rows)
    with pytest.raises(RegistryError) as exc:
        import_registry(src / "grids.geojson", src / "addresses.csv", src / "pois.csv")
    assert [p.split(": ")[0].rsplit(" ", 1)[-1] for p in exc.value.problems] == ["69", "70", "71"]
