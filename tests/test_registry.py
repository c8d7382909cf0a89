"""The grid registry: the shipped sample loads and is consistent; broken files are refused
with messages naming the file, the entry and the problem."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from classifiers.locate.geometry import distance_m, gcj02_to_wgs84
from classifiers.locate.registry import DEFAULT_REGISTRY, RegistryError, load_registry
from gateway.models import GeoPoint

FIX = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def reg():
    return load_registry()


def test_sample_registry_has_the_documented_shape(reg):
    levels = [a.level for a in reg.admins.values()]
    assert levels.count("district") == 1
    assert levels.count("street") == 4
    assert levels.count("community") == 12
    assert len(reg.grids) == 36
    assert reg.warnings == []
    for g in reg.grids.values():
        assert g.head_name and g.head_phone.isdigit(), g.code
        assert g.roads and g.compounds and g.landmarks, g.code


def test_sample_grids_tile_the_district_without_gaps_or_overlaps(reg):
    total = sum(reg.proj.geom(g.polygon).area for g in reg.grids.values())
    union = reg.proj.geom(reg.extent).area
    assert total == pytest.approx(union, rel=1e-6)  # no overlap
    assert reg.extent.geom_type == "Polygon" and not list(reg.extent.interiors)  # no holes
    assert 7e6 < union < 11e6  # about 3 km × 3 km


def test_every_registered_position_lies_in_its_own_grid(reg):
    for g in reg.grids.values():
        for c in g.compounds:
            assert reg.grid_at(c.point) == g.code, c.name
            for no, p in c.buildings.items():
                assert reg.grid_at(p) == g.code, f"{c.name}{no}号楼"
        for m in g.landmarks:
            assert reg.grid_at(m.point) == g.code, m.name
        for r in g.roads:
            if r.lo is not None:
                assert reg.grid_at(r.point_for(r.lo)) == g.code, r.name


def test_grid_path_and_centroid_by_code(reg):
    path = reg.grid_path("110199002001002")
    assert [lv.level for lv in path] == ["district", "street", "community", "grid"]
    assert [lv.name for lv in path] == ["东安区", "建国门街道", "苏州园社区", "苏州园社区第二网格"]
    assert reg.grid_path("110199002001")[-1].name == "苏州园社区"
    assert reg.grid_path("nope") == []
    c = reg.centroid("110199002001002")
    assert reg.grid_at(c) == "110199002001002"
    assert reg.grids_under("110199002") and len(reg.grids_under("110199002")) == 9
    assert reg.common_ancestor(["110199002001001", "110199002001003"]) == "110199002001"


def test_point_lookup_inside_near_and_far(reg):
    c = reg.centroid("110199004002002")
    assert reg.grid_at(c) == "110199004002002"
    sw = reg.grids["110199001001001"].polygon.bounds  # district's south-west corner grid
    outside = reg.offset(GeoPoint(lat=(sw[1] + sw[3]) / 2, lng=sw[0]), -60, 0)
    assert reg.grid_at(outside) is None
    code, d = reg.nearest_grid(outside, 200)
    assert code == "110199001001001" and 50 < d < 70
    assert reg.nearest_grid(GeoPoint(lat=39.99, lng=116.48), 200) is None
    assert reg.grid_at(GeoPoint(lat=math.nan, lng=116.4)) is None
    assert reg.grid_at(GeoPoint(lat=0.0, lng=0.0)) is None


def test_distance_in_metres():
    a = GeoPoint(lat=39.90, lng=116.40)
    assert distance_m(a, GeoPoint(lat=39.91, lng=116.40)) == pytest.approx(1112, abs=2)
    assert distance_m(a, GeoPoint(lat=39.90, lng=116.41)) == pytest.approx(853, abs=2)
    assert distance_m(a, a) == 0


def test_gcj02_pins_convert_back_to_wgs84():
    # Tiananmen in GCJ-02 (as a WeChat pin) vs WGS-84: the shift is several hundred metres
    gcj = GeoPoint(lat=39.908692, lng=116.397477)
    wgs = gcj02_to_wgs84(gcj)
    assert 400 < distance_m(gcj, wgs) < 700
    assert wgs.lat < gcj.lat and wgs.lng < gcj.lng


def test_house_number_interpolates_along_the_road(reg):
    seg = next(r for r in reg.grids["110199001001001"].roads if r.name == "建国门内大街")
    assert seg.has_number(18) and not seg.has_number(19) and not seg.has_number(42)
    west, east = seg.point_for(seg.lo), seg.point_for(seg.hi)
    mid = seg.point_for(20)
    assert west.lng < mid.lng < east.lng


@pytest.mark.parametrize("fixture, words", [
    ("registry_overlap.json", ["990001001001001", "柳岸社区第一网格", "overlaps", "990001001001002"]),
    ("registry_empty_polygon.json", ["990001001001002", "柳岸社区第二网格", "empty"]),
    ("registry_bowtie_polygon.json", ["990001001001002", "invalid", "Self-intersection"]),
    ("registry_duplicate_code.json", ["duplicate code 990001001001001", "柳岸社区第二网格"]),
    ("registry_unknown_parent.json", ["柳岸社区第二网格", "unknown community '990001001009'"]),
    ("registry_number_overlap.json", ["990001001001002", "柳岸路", "overlap"]),
    ("registry_position_outside.json", ["柳岸社区第二网格", "landmark 柳岸菜市场", "outside"]),
    ("registry_swapped_point.json", ["柳岸菜市场", "[lng, lat]"]),
    ("registry_malformed.json", ["not valid JSON", "line 127"]),
])
def test_broken_registries_are_refused_naming_file_entry_and_problem(fixture, words):
    with pytest.raises(RegistryError) as exc:
        load_registry(FIX / fixture)
    msg = str(exc.value)
    assert fixture in msg
    for w in words:
        assert w in msg, (w, msg)


def test_positions_outside_can_be_downgraded_to_warnings():
    reg = load_registry(FIX / "registry_position_outside.json", strict_positions=False)
    assert len(reg.grids) == 2
    assert len(reg.warnings) == 1 and "柳岸菜市场" in reg.warnings[0]


def test_every_problem_is_listed_not_just_the_first(tmp_path):
    data = json.loads((FIX / "registry_small.json").read_text(encoding="utf-8"))
    data["grids"][0]["community"] = "nope"
    data["grids"][1]["polygon"] = {"type": "Polygon", "coordinates": []}
    data["streets"][0]["district"] = "also-nope"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(RegistryError) as exc:
        load_registry(bad)
    assert len(exc.value.problems) == 3
    assert all(str(bad) in p for p in exc.value.problems)


def test_missing_file_and_wrong_top_level(tmp_path):
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry(tmp_path / "absent.json")
    f = tmp_path / "list.json"
    f.write_text("[]", encoding="utf-8")
    with pytest.raises(RegistryError, match="JSON object"):
        load_registry(f)


def test_shipped_file_is_the_default():
    assert DEFAULT_REGISTRY.name == "grids.json" and DEFAULT_REGISTRY.exists()
