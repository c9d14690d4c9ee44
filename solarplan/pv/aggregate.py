"""Sum surfaces into sites (pure)."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from solarplan.core.defaults import SURFACE_TYPES
from solarplan.pv.yieldsim import MONTH_COLUMNS

SUM_COLUMNS = ["gross_area_m2", "usable_area_m2", "capacity_kwp", "annual_ac_kwh", "p50_ac_kwh", "p90_ac_kwh",
               *MONTH_COLUMNS]
#: per-site attributes: repeated on each surface row of a site, so the first value is taken
FIRST_COLUMNS = ["name", "category", "district", "tariff_cny_per_kwh", "weather_source"]
#: per-site quantities given on one or more rows: the largest is taken (a repeated value counts once)
MAX_COLUMNS = ["annual_load_kwh", "floor_area_m2", "occupants"]


def sites_from_surfaces(surfaces: pd.DataFrame) -> gpd.GeoDataFrame:
    """One row per ``site_id``: sums of areas, capacity and energy; site attributes; a centroid point.

    Returns
    -------
    GeoDataFrame
        ``site_id``, ``n_surfaces``, :data:`SUM_COLUMNS`, :data:`FIRST_COLUMNS`,
        :data:`MAX_COLUMNS`, ``kwp_<surface type>`` (capacity on each surface type
        [kWp]), ``specific_yield_kwh_per_kwp`` [kWh/kWp],
        ``performance_ratio`` [-], ``lon``, ``lat`` (area-weighted) and a
        point geometry (WGS84).
    """
    g = surfaces.groupby("site_id", sort=False)
    out = g[[c for c in SUM_COLUMNS if c in surfaces]].sum()
    out.insert(0, "n_surfaces", g.size())
    for c in FIRST_COLUMNS:
        if c in surfaces:
            out[c] = g[c].first()
    for c in MAX_COLUMNS:
        if c in surfaces:
            out[c] = g[c].max()
    if "surface_type" in surfaces:
        for t in SURFACE_TYPES:
            out[f"kwp_{t}"] = surfaces["capacity_kwp"].where(surfaces["surface_type"] == t, 0.0) \
                .groupby(surfaces["site_id"], sort=False).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["specific_yield_kwh_per_kwp"] = out["annual_ac_kwh"] / out["capacity_kwp"]
        ref = (surfaces["capacity_kwp"] * surfaces["poa_kwh_m2"]).groupby(surfaces["site_id"], sort=False).sum()
        out["performance_ratio"] = out["annual_ac_kwh"] / ref
    w = surfaces["gross_area_m2"]
    out["lon"] = (surfaces["lon"] * w).groupby(surfaces["site_id"], sort=False).sum() / g["gross_area_m2"].sum()
    out["lat"] = (surfaces["lat"] * w).groupby(surfaces["site_id"], sort=False).sum() / g["gross_area_m2"].sum()
    out = out.reset_index()
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs="EPSG:4326")
