"""Build ``demo_shiyan_buildings.csv``: one main building per institution of the demo city.

Run ``python data/generate_demo_buildings.py`` after ``generate_demo_city.py``; the seed
is fixed, so the file rebuilds byte-identical. Everything in it is **synthetic**:
plant types, fixtures, chillers and lifts are drawn from the shares below, which are
engineering estimates for Hubei public buildings, not survey data. Electricity bills
for 2022-2024 scatter ±5 % around the inventory's ``annual_load_kwh``.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

SEED = 20261120
HERE = Path(__file__).parent
# category -> (heating plants and shares, cooling plants and shares); estimates
PLANTS = {
    "agency": ({"split_ac": 0.7, "ashp": 0.2, "gas_boiler": 0.1}, {"split_ac": 0.8, "ashp": 0.2}),
    "soe": ({"split_ac": 0.6, "gas_boiler": 0.4}, {"split_ac": 0.7, "chiller": 0.3}),
    "school": ({"split_ac": 0.6, "none": 0.3, "electric": 0.1}, {"split_ac": 0.9, "none": 0.1}),
    "hospital": ({"gas_boiler": 0.8, "coal_boiler": 0.2}, {"chiller": 1.0}),
    "venue": ({"gas_boiler": 1.0}, {"chiller": 1.0}),
    "other": ({"split_ac": 1.0}, {"split_ac": 1.0}),
}
GAS_M3_PER_M2 = 9.0     # boiler-heated buildings (estimate)
COAL_KG_PER_M2 = 18.0


def generate(seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    inv = gpd.read_file(HERE / "demo_shiyan_inventory.geojson")
    inv = inv.set_geometry(inv.geometry.to_crs(inv.estimate_utm_crs()).centroid.to_crs(4326))
    rows = []
    for sid, g in inv.groupby("site_id", sort=True):
        first = g.iloc[0]
        cat, area = first["category"], float(first["floor_area_m2"])
        heat_p, cool_p = PLANTS[cat]
        heat = rng.choice(list(heat_p), p=list(heat_p.values()))
        cool = rng.choice(list(cool_p), p=list(cool_p.values()))
        load = float(first["annual_load_kwh"])
        r = dict(building_id=f"{sid}-B1", site_id=sid, name=first["name"], category=cat, floor_area_m2=area,
                 lat=round(float(g.geometry.y.mean()), 5), lon=round(float(g.geometry.x.mean()), 5))
        for year in (2022, 2023, 2024):
            r[f"electricity_kwh_{year}"] = round(load * rng.uniform(0.95, 1.05), -2)
        r["gas_m3"] = round(area * GAS_M3_PER_M2 * rng.uniform(0.8, 1.2), -1) if heat == "gas_boiler" else 0.0
        r["coal_kg"] = round(area * COAL_KG_PER_M2 * rng.uniform(0.8, 1.2), -1) if heat == "coal_boiler" else 0.0
        r.update(heating_plant=heat, cooling_plant=cool)
        u = rng.random()
        if u < 0.9:
            r["fixture_type"] = "t8_36w_magnetic" if u < 0.6 else "t8_36w_electronic"
            r["fixture_count"] = int(area / rng.uniform(4.0, 6.0))
        r["occupancy_sensors"] = "yes" if rng.random() < 0.5 else "no"
        r["daylight_dimming"] = "yes" if cat == "school" and rng.random() < 0.5 else "no"
        if cool == "chiller":
            r.update(chiller_kw=round(area * 0.1 * rng.uniform(0.8, 1.0), -1), chiller_kind="water",
                     chiller_cop=round(rng.uniform(4.0, 5.2), 2), chiller_age_years=int(rng.integers(8, 22)))
        if area >= 3000:
            r.update(lift_count=int(np.ceil(area / 5000)), lift_load_kg=1000 if cat != "hospital" else 1600,
                     lift_travel_m=round(area / 1500 * 3.5, 1) if area < 30000 else 60.0,
                     lift_stops=max(3, int(area / 1500)) if area < 30000 else 18,
                     lift_usage_category=4 if cat == "hospital" else 3, lift_kind="traction")
        rows.append(r)
    df = pd.DataFrame(rows)
    for c in ("fixture_count", "lift_count", "lift_load_kg", "lift_stops", "lift_usage_category", "chiller_age_years"):
        df[c] = df[c].astype("Int64")
    return df


if __name__ == "__main__":
    df = generate()
    df.to_csv(HERE / "demo_shiyan_buildings.csv", index=False, lineterminator="\n")
    print(f"{len(df)} buildings, {df['floor_area_m2'].sum():,.0f} m2")
