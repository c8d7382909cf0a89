"""Geometry on WGS-84 positions: distances, the GCJ-02 shift of Chinese map apps, and
what counts as a usable position. The one owner of these formulas."""
from __future__ import annotations

import math
from typing import Any

from gateway.models import GeoPoint

EARTH_RADIUS_M = 6_371_008.8


def distance_m(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance in metres between two WGS-84 points (haversine)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lng - a.lng)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def near_distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Distance in metres between two nearby points (equirectangular: within 0.1 % of
    `distance_m` over a few kilometres, and cheaper: the duplicate check runs it often)."""
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return EARTH_RADIUS_M * math.hypot(x, y)


def valid_point(point: Any) -> bool:
    """A finite WGS-84 position that is not the (0, 0) placeholder."""
    try:
        lat, lng = float(point.lat), float(point.lng)
    except (AttributeError, TypeError, ValueError):
        return False
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return False
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return False
    return not (lat == 0 and lng == 0)


_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def _gcj_delta(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3)
    dlng = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3)
    rad = lat / 180.0 * math.pi
    magic = 1 - _GCJ_EE * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * sq) * math.pi)
    dlng = (dlng * 180.0) / (_GCJ_A / sq * math.cos(rad) * math.pi)
    return dlat, dlng


def gcj02_to_wgs84(point: GeoPoint) -> GeoPoint:
    """Convert a GCJ-02 position (WeChat location messages, Amap/Tencent maps) to WGS-84.

    Chinese map apps shift coordinates by several hundred metres; the registry is WGS-84,
    so channels that receive GCJ-02 pins must convert before locating. Accuracy ~1 m.
    """
    lat, lng = point.lat, point.lng
    wlat, wlng = lat, lng
    for _ in range(3):  # invert the forward transform by fixed-point iteration
        dlat, dlng = _gcj_delta(wlat, wlng)
        wlat, wlng = lat - dlat, lng - dlng
    return GeoPoint(lat=wlat, lng=wlng)
