"""Packaging at province scale (issue 21): no recursion without progress, bounds kept, demo unchanged."""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from solarplan.planning.packages import LINKAGE_MAX_SITES, PackageRules, _cluster, _diameter_km, _xy, make_packages
from tests.planning.test_packages import check_accounting, random_sites

DATA = Path(__file__).resolve().parents[1] / "data"


def test_a_dense_cell_above_the_linkage_limit_is_packaged_within_the_bounds(caplog):
    # 4,000 schools of one district within about 1 km: one grid cell above LINKAGE_MAX_SITES (before
    # issue 21 this recursed until a TypeError at depth ~995)
    sites = random_sites(LINKAGE_MAX_SITES + 1000, seed=3, spread_deg=0.004)
    sites["category"], sites["district"] = "school", "茅箭区"
    caplog.set_level(logging.INFO, logger="solarplan")
    res = make_packages(sites)
    check_accounting(sites, res)
    rules = PackageRules()
    p = res.packages
    assert (p["n_sites"] <= rules.max_sites).all()
    assert ((p["capacity_kwp"] <= rules.max_package_mw * 1000 + 1e-6) | (p["n_sites"] == 1)).all()
    assert (p["spread_km"] <= rules.max_spread_km).all()
    steps = [(r.done, r.total) for r in caplog.records if getattr(r, "step", "") == "packaging"]
    assert steps[0] == (0, 1) and steps[-1] == (1, 1)


def test_grid_cells_keep_the_diameter_bound():
    # two dense clusters 40 km apart and a scatter: every cluster's diameter stays within the bound
    rng = np.random.default_rng(5)
    lat = np.concatenate([32.6 + rng.normal(0, 0.003, 3500), 32.6 + rng.normal(0, 0.003, 500),
                          32.6 + rng.uniform(-0.5, 0.5, 1000)])
    lon = np.concatenate([110.8 + rng.normal(0, 0.003, 3500), 111.2 + rng.normal(0, 0.003, 500),
                          110.8 + rng.uniform(-0.5, 0.5, 1000)])
    xy = _xy(lat, lon)
    labels = _cluster(xy, 15.0)
    for lab in np.unique(labels):
        assert _diameter_km(xy[labels == lab]) <= 15.0 + 1e-9


def test_the_demo_keeps_its_packages():
    ref = pd.read_csv(DATA / "demo_packages_b973b3a.csv", keep_default_na=False)
    sites = ref.drop(columns="package_id")
    res = make_packages(sites)
    got = pd.concat([res.sites[["site_id", "package_id"]], res.excluded[["site_id"]].assign(package_id="")])
    got = got.set_index("site_id")["package_id"].reindex(ref["site_id"])
    assert got.tolist() == ref["package_id"].tolist()
    assert ref["package_id"].nunique() > 5
