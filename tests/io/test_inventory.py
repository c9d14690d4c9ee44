"""Inventory reading: the same table from every format, and areas in metres."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from solarplan.app.pipeline import read_inventory

COMPARE = ["site_id", "surface_id", "name", "category", "surface_type", "district", "gross_area_m2",
           "usable_area_m2", "capacity_kwp", "surface_tilt", "surface_azimuth", "annual_load_kwh", "lon", "lat"]


@pytest.fixture(scope="module")
def small(demo_inventory):
    return gpd.read_file(demo_inventory).iloc[:40].copy()


def _as_csv(gdf, path, encoding, chinese=False):
    df = pd.DataFrame(gdf.drop(columns="geometry"))
    df["geometry"] = gdf.geometry.to_wkt(rounding_precision=9)
    if chinese:
        df["category"] = df["category"].map({"agency": "党政机关", "school": "学校", "hospital": "医院",
                                             "venue": "场馆", "soe": "国企"})
        df["surface_type"] = df["surface_type"].map({"flat_roof": "平屋顶", "pitched_roof": "坡屋顶",
                                                     "metal_roof": "彩钢瓦", "carport": "车棚"})
        df = df.rename(columns={"site_id": "编号", "name": "单位名称", "category": "类型", "surface_type": "屋顶类型",
                                "district": "区县", "annual_load_kwh": "年用电量", "floor_area_m2": "建筑面积"})
    df.to_csv(path, index=False, encoding=encoding)
    return path


def test_same_clean_table_from_every_format(small, tmp_path):
    paths = {
        "utf8": _as_csv(small, tmp_path / "inv_utf8.csv", "utf-8"),
        "utf8bom": _as_csv(small, tmp_path / "inv_bom.csv", "utf-8-sig"),
        "gbk": _as_csv(small, tmp_path / "inv_gbk.csv", "gbk", chinese=True),
        "geojson": tmp_path / "inv.geojson",
        "gpkg": tmp_path / "inv.gpkg",
        "xlsx": tmp_path / "inv.xlsx",
    }
    small.to_file(paths["geojson"], driver="GeoJSON")
    small.to_file(paths["gpkg"], driver="GPKG")
    xl = pd.DataFrame(small.drop(columns="geometry"))
    xl["geometry"] = small.geometry.to_wkt(rounding_precision=9)
    xl.to_excel(paths["xlsx"], index=False)
    tables = {k: read_inventory(p) for k, p in paths.items()}
    for k, res in tables.items():
        assert len(res.rejects) == 0, (k, res.rejects)
        assert len(res.clean) == 40
    ref = tables["geojson"].clean[COMPARE]
    for k, res in tables.items():
        # WKT round trip and GPKG store coordinates as float64: identical to ~1e-9 relative
        pd.testing.assert_frame_equal(res.clean[COMPARE], ref, check_exact=False, rtol=1e-7, check_dtype=False,
                                      obj=k)


@pytest.mark.parametrize("epsg", [32649, 4547, 4490])
def test_projected_area_matches_hand_computed(tmp_path, epsg):
    # a 100 m x 50 m rectangle laid out in UTM 49N at Shiyan: 5,000 m2 by hand
    utm = pyproj.Transformer.from_crs(4326, 32649, always_xy=True)
    x0, y0 = utm.transform(110.8, 32.6)
    rect_utm = shapely.box(x0, y0, x0 + 100.0, y0 + 50.0)
    # write it in the file's CRS: UTM, CGCS2000 3-degree Gauss-Kruger (CM 111 E) or CGCS2000 lon/lat
    g = gpd.GeoSeries([rect_utm], crs=32649).to_crs(epsg)
    gpd.GeoDataFrame({"site_id": ["A"], "category": ["school"], "surface_type": ["flat_roof"]},
                     geometry=g).to_file(tmp_path / "r.gpkg")
    res = read_inventory(tmp_path / "r.gpkg")
    area = res.clean["gross_area_m2"].iloc[0]
    # UTM scale error near the zone centre is < 0.04 %; the brief asks 0.1 %
    assert area == pytest.approx(5000.0, rel=1e-3)
    # long axis runs east-west on the UTM grid, i.e. bearing 90 deg +- the meridian convergence (<1 deg here)
    assert res.clean["long_axis_bearing"].iloc[0] == pytest.approx(90.0, abs=1.0)


def test_geographic_polygon_area_never_in_degrees(tmp_path):
    # about 0.001 deg x 0.001 deg at 32.6 N: 93.9 m x 111 m ~ 10,400 m2, and 1e-6 "square degrees"
    poly = shapely.box(110.8, 32.6, 110.801, 32.601)
    gpd.GeoDataFrame({"site_id": ["A"]}, geometry=[poly], crs=4326).to_file(tmp_path / "d.geojson")
    res = read_inventory(tmp_path / "d.geojson")
    geod = pyproj.Geod(ellps="WGS84")
    exact = abs(geod.geometry_area_perimeter(poly)[0])
    assert res.clean["gross_area_m2"].iloc[0] == pytest.approx(exact, rel=1e-3)
    assert res.clean["gross_area_m2"].iloc[0] > 1000


def test_surface_ids_generated_unique(tmp_path):
    df = pd.DataFrame({"site_id": ["S1", "S1", "S1", "S2"], "surface_id": ["", "S1-1", "", ""],
                       "lat": [32.6] * 4, "lon": [110.8] * 4, "area_m2": [500, 600, 700, 800]})
    df.to_csv(tmp_path / "ids.csv", index=False)
    res = read_inventory(tmp_path / "ids.csv")
    assert list(res.clean["surface_id"]) == ["S1-2", "S1-1", "S1-3", "S2-1"]


def test_capacity_override_and_orientation_words(tmp_path):
    df = pd.DataFrame({"site_id": ["S1", "S2", "S3"], "lat": [32.6] * 3, "lon": [110.8] * 3,
                       "area_m2": [1000, 1000, 1000], "surface_type": ["坡屋顶", "flat_roof", "carport"],
                       "capacity_kwp": ["", "250", ""], "surface_azimuth": ["东南", "", "南偏西15"],
                       "surface_tilt": ["30", "", ""]})
    df.to_csv(tmp_path / "c.csv", index=False)
    c = read_inventory(tmp_path / "c.csv").clean
    assert c["capacity_kwp"].iloc[1] == 250.0 and c["capacity_source"].iloc[1] == "input"
    assert list(c["surface_azimuth"]) == [135.0, 180.0, 195.0]
    assert list(c["surface_tilt"]) == [30.0, 20.0, 7.0]
    # pitched roof, 1,000 m2 as a square (31.62 m side), 0.5 m setback: 30.62^2 = 937.7 m2,
    # x 0.65 usable x 180 W/m2 = 109.7 kWp (hand computation)
    assert c["capacity_kwp"].iloc[0] == pytest.approx((1000 ** 0.5 - 1) ** 2 * 0.65 * 0.180, rel=1e-9)


def test_demo_city_totals(demo_inventory):
    res = read_inventory(demo_inventory)
    assert len(res.rejects) == 0
    roofs = res.clean[res.clean["surface_type"] != "carport"]
    # the published Shiyan figure the generator is scaled to: about 360,000 m2 of gross roof
    assert roofs["gross_area_m2"].sum() == pytest.approx(360_000, rel=0.01)
    assert 250 <= res.clean["site_id"].nunique() <= 500
    assert set(res.clean["category"]) == {"agency", "school", "hospital", "venue", "soe"}
    assert np.isclose(res.clean["capacity_kwp"].sum(), (res.clean["usable_area_m2"]
                                                        * res.clean["power_density_w_m2"]).sum() / 1e3)
