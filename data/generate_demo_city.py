"""Generate the synthetic Shiyan (十堰) demo inventory: ``demo_shiyan_inventory.geojson``.

Run ``python data/generate_demo_city.py`` to rebuild it; the seed is fixed,
so the output is identical each time. Everything here is SYNTHETIC: the
institutions, names, shapes and loads are invented; only the scale (about
360,000 m2 of gross roof, the figure Shiyan published for the roofs of city
agencies and state firms) and the district centres are modelled on the city.

District centres (approximate, read off public maps; estimates):
茅箭区 Maojian 32.59 N 110.81 E, 张湾区 Zhangwan 32.65 N 110.76 E,
郧阳区 Yunyang 32.83 N 110.81 E.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.affinity import rotate, translate

SEED = 20240611
TARGET_ROOF_M2 = 360_000.0
N_SITES = 320
UTM = "EPSG:32649"  # UTM zone 49N covers 108-114 E

DISTRICTS = {  # name: (lon, lat, spread_m, street-grid bearing of building long axes [deg])
    "茅箭区": (110.81, 32.59, 2500.0, 80.0),
    "张湾区": (110.76, 32.65, 3000.0, 100.0),
    "郧阳区": (110.81, 32.83, 2000.0, 90.0),
}
CATEGORY_SHARE = {"agency": 0.30, "school": 0.34, "hospital": 0.10, "venue": 0.07, "soe": 0.19}
# per category: buildings per site (min, max), median roof m2, roof types and shares, carport chance
PROFILE = {
    "agency": ((1, 2), 900.0, {"flat_roof": 0.8, "pitched_roof": 0.2}, 0.35),
    "school": ((2, 5), 900.0, {"flat_roof": 0.75, "pitched_roof": 0.25}, 0.10),
    "hospital": ((1, 3), 1800.0, {"flat_roof": 0.9, "metal_roof": 0.1}, 0.70),
    "venue": ((1, 1), 3500.0, {"metal_roof": 0.6, "flat_roof": 0.4}, 0.50),
    "soe": ((1, 3), 1600.0, {"metal_roof": 0.6, "flat_roof": 0.4}, 0.30),
}
# electricity intensity [kWh per m2 of floor per year]: estimates for Hubei public buildings
LOAD_KWH_M2 = {"agency": 70.0, "school": 35.0, "hospital": 130.0, "venue": 60.0, "soe": 80.0}
M2_PER_PERSON = {"agency": 25.0, "school": 10.0, "hospital": 20.0, "venue": 40.0, "soe": 30.0}
TARIFF = {"agency": 0.65, "school": 0.58, "hospital": 0.65, "venue": 0.68, "soe": 0.70}  # CNY/kWh, estimates
NAMES = {
    "agency": ["财政局", "教育局", "自然资源和规划局", "住房和城乡建设局", "人力资源和社会保障局", "市场监督管理局",
               "税务局", "公安分局", "民政局", "卫生健康局", "交通运输局", "水利和湖泊局", "生态环境分局", "统计局",
               "审计局", "司法局", "农业农村局", "文化和旅游局", "应急管理局", "机关事务服务中心", "政务服务中心",
               "档案馆", "发展和改革局", "科技局", "退役军人事务局", "林业局", "医疗保障局", "城市管理执法局"],
    "school": ["第{n}中学", "第{n}小学", "实验小学", "实验中学", "职业技术学校", "外国语学校", "第{n}幼儿园"],
    "hospital": ["人民医院", "中医医院", "妇幼保健院", "社区卫生服务中心", "第{n}人民医院", "疾病预防控制中心"],
    "venue": ["体育中心", "图书馆", "博物馆", "文化馆", "会展中心", "青少年活动中心", "全民健身中心"],
    "soe": ["城投集团", "水务公司", "燃气公司", "公交集团", "国有资本投资公司", "产业投资集团", "物流集团"],
}


def _rect(rng, area, bearing, aspect):
    long_side = np.sqrt(area * aspect)
    short_side = area / long_side
    box = shapely.box(-long_side / 2, -short_side / 2, long_side / 2, short_side / 2)
    # shapely rotates counter-clockwise from +x; a long axis along +x has bearing 90
    return rotate(box, 90.0 - bearing, origin=(0, 0))


def generate(seed: int = SEED) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    cats = rng.choice(list(CATEGORY_SHARE), size=N_SITES, p=list(CATEGORY_SHARE.values()))
    dnames = list(DISTRICTS)
    centres = gpd.GeoSeries(gpd.points_from_xy([DISTRICTS[d][0] for d in dnames], [DISTRICTS[d][1] for d in dnames]),
                            crs=4326).to_crs(UTM)
    rows, counters = [], {}
    for k, cat in enumerate(cats):
        d = int(rng.choice(3, p=[0.45, 0.35, 0.20]))
        cx, cy = centres.iloc[d].x, centres.iloc[d].y
        spread, grid = DISTRICTS[dnames[d]][2], DISTRICTS[dnames[d]][3]
        sx, sy = cx + rng.normal(0, spread), cy + rng.normal(0, spread * 0.6)
        (bmin, bmax), median, types, carport_p = PROFILE[cat]
        pool = NAMES[cat]
        stem = pool[int(rng.integers(len(pool)))]
        counters[stem] = counters.get(stem, 0) + 1
        name = f"十堰市{dnames[d]}" + stem.format(n=counters[stem] + 1)
        if "{n}" not in stem and counters[stem] > 1:
            name += f"({counters[stem]})"
        site_id = f"SY{k + 1:04d}"
        floors = int(rng.integers(3, 9)) if cat != "venue" else 2
        site_rows = []
        for b in range(int(rng.integers(bmin, bmax + 1))):
            stype = rng.choice(list(types), p=list(types.values()))
            area = float(np.clip(rng.lognormal(np.log(median), 0.5), 150, 12000))
            bearing = (grid + rng.normal(0, 12) + (90 if rng.random() < 0.15 else 0)) % 180
            poly = translate(_rect(rng, area, bearing, rng.uniform(1.5, 4.0)),
                             sx + rng.uniform(-120, 120), sy + rng.uniform(-120, 120))
            site_rows.append(dict(site_id=site_id, surface_id=f"{site_id}-R{b + 1}", surface_type=str(stype),
                                  geometry=poly))
        if rng.random() < carport_p:
            area = float(rng.uniform(300, 2000))
            poly = translate(_rect(rng, area, grid % 180, rng.uniform(2.0, 5.0)),
                             sx + rng.uniform(-150, 150), sy - rng.uniform(80, 200))
            site_rows.append(dict(site_id=site_id, surface_id=f"{site_id}-C1", surface_type="carport", geometry=poly))
        roof_area = sum(r["geometry"].area for r in site_rows if r["surface_type"] != "carport")
        floor_area = round(roof_area * floors, -1)
        for r in site_rows:
            r.update(name=name, category=str(cat), district=dnames[d], floor_area_m2=floor_area,
                     occupants=int(floor_area / M2_PER_PERSON[cat]),
                     annual_load_kwh=round(floor_area * LOAD_KWH_M2[cat] * rng.uniform(0.8, 1.2), -2),
                     tariff_cny_per_kwh=TARIFF[cat])
        rows.extend(site_rows)
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=UTM)
    # scale roof footprints (about their centroids) so the gross roof area is the published figure
    roofs = gdf["surface_type"] != "carport"
    factor = np.sqrt(TARGET_ROOF_M2 / gdf.loc[roofs].area.sum())
    gdf.loc[roofs, "geometry"] = [shapely.affinity.scale(g, factor, factor) for g in gdf.loc[roofs, "geometry"]]
    gdf["geometry"] = shapely.set_precision(gdf.geometry.to_crs(4326).values, 1e-7)
    gdf = gdf.set_crs(4326, allow_override=True)
    cols = ["site_id", "surface_id", "name", "category", "surface_type", "district", "floor_area_m2", "occupants",
            "annual_load_kwh", "tariff_cny_per_kwh", "geometry"]
    return gdf[cols]


if __name__ == "__main__":
    out = Path(__file__).resolve().parent / "demo_shiyan_inventory.geojson"
    g = generate()
    if out.exists():
        out.unlink()
    g.to_file(out, driver="GeoJSON", COORDINATE_PRECISION=7)
    roofs = g[g.surface_type != "carport"].to_crs(UTM).area.sum()
    print(f"wrote {out}: {g.site_id.nunique()} sites, {len(g)} surfaces, {roofs:,.0f} m2 gross roof")
