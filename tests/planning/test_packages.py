"""Packages and ranking: nothing lost, totals add up, bounds hold or are reported, weights act as they say."""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solarplan.core.errors import ConfigError
from solarplan.io.config import parse_section
from solarplan.planning.packages import CRITERIA, PackageRules, make_packages, score


def random_sites(n, seed=0, spread_deg=0.3):
    rng = np.random.default_rng(seed)
    cap = rng.lognormal(4.5, 1.0, n)
    sy = rng.normal(1000, 120, n)
    return pd.DataFrame({
        "site_id": [f"S{i:05d}" for i in range(n)], "category": rng.choice(["agency", "school", "hospital", "venue"], n),
        "district": rng.choice(["茅箭区", "张湾区"], n), "lat": 32.6 + rng.normal(0, spread_deg, n),
        "lon": 110.8 + rng.normal(0, spread_deg, n), "capacity_kwp": cap, "annual_ac_kwh": cap * sy,
        "specific_yield_kwh_per_kwp": sy, "irr": rng.normal(0.12, 0.04, n), "lcoe_cny_per_kwh": rng.normal(0.3, 0.05, n),
        "self_consumption_share": rng.uniform(0.3, 1.0, n), "capex_cny": cap * 3200,
        "annual_tce": cap * sy * 0.1229e-3, "annual_co2_t": cap * sy * 0.5306e-3})


def check_accounting(sites: pd.DataFrame, res):
    ids = list(res.sites["site_id"]) + list(res.excluded["site_id"])
    assert sorted(ids) == sorted(sites["site_id"])  # each input site exactly once
    assert (res.excluded["excluded_reason"].str.len() > 0).all()
    for col in ("capacity_kwp", "annual_ac_kwh", "capex_cny", "annual_tce", "annual_co2_t"):
        s = res.sites.groupby("package_id")[col].sum()
        assert np.allclose(res.packages.set_index("package_id")[col].reindex(s.index), s, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 300), seed=st.integers(0, 10_000), spread=st.floats(0.01, 1.0),
       min_mw=st.floats(0.0, 3.0), max_mw=st.floats(3.0, 30.0), max_sites=st.integers(1, 80),
       max_km=st.floats(1.0, 60.0))
def test_every_site_once_and_totals_add_up(n, seed, spread, min_mw, max_mw, max_sites, max_km):
    sites = random_sites(n, seed, spread)
    if n > 3:
        sites.loc[sites.index[:2], "capacity_kwp"] = [np.nan, 1.0]  # missing data and a tiny site
    rules = PackageRules(min_package_mw=min_mw, max_package_mw=max_mw, max_sites=max_sites, max_spread_km=max_km)
    res = make_packages(sites, rules)
    check_accounting(sites, res)
    for p in res.packages.itertuples():
        # every bound holds, or the violation names the package (one site above the maximum capacity)
        assert p.n_sites <= max_sites
        assert p.capacity_kwp >= min_mw * 1000 - 1e-6
        assert p.spread_km <= max_km + 1e-6 or p.package_id in p.bound_violation
        if p.capacity_kwp > max_mw * 1000 + 1e-6:
            assert p.n_sites == 1 and p.package_id in p.bound_violation
    # the breakdown adds up to the score, for sites and packages
    for t in (res.sites, res.packages):
        parts = [c for c in t.columns if c.startswith("score_")]
        assert np.allclose(t[parts].sum(axis=1), t["score"])


def test_exclusion_reasons_are_named():
    sites = random_sites(50, 3)
    sites.loc[0, "capacity_kwp"] = np.nan
    sites.loc[1, "capacity_kwp"] = 2.0
    sites.loc[2, "specific_yield_kwh_per_kwp"] = 500.0
    res = make_packages(sites, PackageRules(min_package_mw=0.0))
    r = res.excluded.set_index("site_id")["excluded_reason"]
    assert r["S00000"] == "missing data: capacity_kwp"
    assert r["S00001"].startswith("capacity below 5 kWp")
    assert r["S00002"].startswith("poor specific yield")


@pytest.mark.parametrize("criterion", ["capacity", "specific_yield", "irr", "lcoe"])
def test_raising_a_weight_moves_the_ranking_its_way(criterion):
    sites = random_sites(200, 7)
    col, higher = CRITERIA[criterion]
    best = sites[col].idxmax() if higher else sites[col].idxmin()
    low = score(sites, {**PackageRules().weights, criterion: 0.5})
    high = score(sites, {**PackageRules().weights, criterion: 50.0})
    rank = lambda sc: sc["score"].rank(ascending=False)  # noqa: E731
    assert rank(high)[best] <= rank(low)[best]
    assert rank(high)[best] <= 3  # with the weight dominating, the best site on it leads
    # correlation of score with the criterion rises with its weight
    sign = 1 if higher else -1
    assert sign * np.corrcoef(high["score"], sites[col])[0, 1] > sign * np.corrcoef(low["score"], sites[col])[0, 1]


def test_demo_outputs(demo_run):
    tmp_path = demo_run.folder
    sites = pd.read_csv(tmp_path / "sites.csv", keep_default_na=False, na_values=[""])
    packages = pd.read_csv(tmp_path / "packages.csv")
    excluded = pd.read_csv(tmp_path / "excluded.csv")
    assert sites["site_id"].is_unique and len(sites) == 320
    packaged = sites[sites["package_id"].notna()]
    assert len(packaged) + len(excluded) == 320
    assert set(excluded["site_id"]) == set(sites.loc[sites["package_id"].isna(), "site_id"])
    # one name for the exclusion column in every file
    assert "excluded_reason" in excluded.columns and "reason" not in excluded.columns
    assert "reason" not in sites.columns
    assert (excluded.set_index("site_id")["excluded_reason"]
            == sites.set_index("site_id").loc[excluded["site_id"], "excluded_reason"]).all()
    tot = packaged.groupby("package_id")["capacity_kwp"].sum()
    # packages.csv and sites.csv carry kWp to 0.1: a package total may differ by half a unit per site
    n = packaged.groupby("package_id").size()
    assert (abs(packages.set_index("package_id").loc[tot.index, "capacity_kwp"] - tot) <= 0.05 * (n + 1)).all()
    # the shortlist holds the same numbers as the CSV (MW and 万kWh per package; values unrounded, the
    # cell format rounds the display) in one summary sheet and one sites sheet with a package column
    from solarplan.core.i18n import package_label
    wb = openpyxl.load_workbook(tmp_path / "shortlist.xlsx")
    assert wb.sheetnames == ["项目包汇总", "场址清单", "说明"]
    summary = pd.read_excel(tmp_path / "shortlist.xlsx", sheet_name="项目包汇总")
    m = summary.set_index("项目包")
    p = packages.set_index("package_id")
    labels = [package_label(i) for i in p.index]
    assert np.allclose(m.loc[labels, "装机容量[MW]"], p["capacity_kwp"] / 1000, atol=0.05e-3)  # CSV: kWp to 0.1
    assert np.allclose(m.loc[labels, "年发电量[万kWh]"], p["annual_ac_kwh"] / 1e4)
    first = packages.sort_values("rank")["package_id"].iloc[0]
    sheet = pd.read_excel(tmp_path / "shortlist.xlsx", sheet_name="场址清单")
    assert (sheet["项目包"] == package_label(first)).sum() == (packaged["package_id"] == first).sum()
    import geopandas as gpd
    outl = gpd.read_file(tmp_path / "packages.gpkg", layer="packages")
    assert len(outl) == len(packages) and outl.crs.to_epsg() == 4326
    assert (tmp_path / "packages.geojson").exists()
    # retrofit savings reached the ranking
    assert "retrofit_saved_tce" in packages.columns and "score_retrofit_tce" in packages.columns
    # every column of the CSV outputs is in the catalogue that docs/glossary.md and the workbooks' headers
    # come from (issue 19: a glossary of every output column)
    from solarplan.core.i18n import COLUMNS
    for name in ("sites.csv", "packages.csv", "excluded.csv", "surfaces.csv", "retrofit.csv"):
        cols = pd.read_csv(tmp_path / name, nrows=1).columns
        missing = [c for c in cols if c not in COLUMNS]
        assert not missing, f"{name}: columns missing from solarplan.core.i18n.COLUMNS: {missing}"
    # the 2025 grid rules reach the package table and the shortlist
    assert set(packages["grid_class"]) <= {"一般工商业", "大型工商业", "非分布式"}
    assert "项目类型" in summary.columns and "上网模式" in sheet.columns


def test_roof_type_is_a_capacity_weighted_criterion():
    from solarplan.pv.aggregate import sites_from_surfaces
    from solarplan.planning.packages import roof_score
    surfaces = pd.DataFrame({
        "site_id": ["A", "A", "B", "C"], "surface_type": ["flat_roof", "pitched_roof", "metal_roof", "carport"],
        "capacity_kwp": [300.0, 100.0, 400.0, 400.0], "gross_area_m2": [3000.0, 1000.0, 4000.0, 4000.0],
        "annual_ac_kwh": [300e3, 90e3, 400e3, 400e3], "poa_kwh_m2": [1200.0] * 4,
        "lat": [32.6, 32.6, 32.61, 32.62], "lon": [110.8, 110.8, 110.81, 110.82]})
    sites = sites_from_surfaces(surfaces).set_index("site_id")
    assert sites.filter(like="kwp_").sum(axis=1).tolist() == sites["capacity_kwp"].tolist()
    # by hand: A = (300 x 1.0 + 100 x 0.4) / 400 = 0.85; B all colour steel 0.6; C all carport 0.8
    np.testing.assert_allclose(roof_score(sites), [0.85, 0.6, 0.8])
    custom = roof_score(sites, {**PackageRules().roof_scores, "metal_roof": 0.2})
    assert custom["B"] == pytest.approx(0.2)


def test_roof_type_weight_moves_the_ranking():
    sites = random_sites(2, seed=3, spread_deg=0.001)
    for col in ("specific_yield_kwh_per_kwp", "irr", "lcoe_cny_per_kwh", "self_consumption_share", "capacity_kwp"):
        sites[col] = sites[col].iloc[0]  # identical sites but for the roof
    sites["category"] = "school"
    sites["kwp_flat_roof"] = [0.0, sites["capacity_kwp"].iloc[1]]
    sites["kwp_pitched_roof"] = [sites["capacity_kwp"].iloc[0], 0.0]
    res = make_packages(sites, PackageRules(min_package_mw=0.0))
    ranked = res.sites.sort_values("site_rank")["site_id"].tolist()
    assert ranked == ["S00001", "S00000"]  # the flat roof first
    assert res.sites.set_index("site_id").loc["S00001", "score_roof_type"] > 0
    off = make_packages(sites, PackageRules(min_package_mw=0.0, weights={**PackageRules().weights, "roof_type": 0.0}))
    assert "score_roof_type" not in off.sites and off.sites["score"].nunique() == 1  # a tie, broken by id


@pytest.mark.parametrize("raw,message", [({"roof_scores": {"glass_roof": 0.5}}, "among flat_roof"),
                                         ({"roof_scores": {"metal_roof": 1.5}}, r"in \[0, 1\]")])
def test_bad_roof_scores(raw, message):
    with pytest.raises(ConfigError, match=message):
        parse_section(PackageRules, raw, "[packages]")


def test_a_small_piece_of_a_split_cluster_joins_a_neighbour():
    """_merge_small at work. Five sites of one group within 1 km, 12-12-3-12-12 MW west to east, bounds
    5-20 MW: the 51 MW cluster is bisected at its capacity median into 12 | 12 | 3 | 12 | 12 (worked by hand
    from the rule in _bisect); the 3 MW piece is below 5 MW and joins its nearest neighbour (15 MW, within
    every bound), so nothing is excluded and one package holds two sites."""
    sites = random_sites(5, seed=1)
    sites["category"], sites["district"] = "school", "茅箭区"
    sites["lat"] = 32.6
    sites["lon"] = 110.8 + np.arange(5) * 0.002  # ~190 m apart
    sites["capacity_kwp"] = [12000.0, 12000.0, 3000.0, 12000.0, 12000.0]
    sites["annual_ac_kwh"] = sites["capacity_kwp"] * 1000
    res = make_packages(sites, PackageRules(min_package_mw=5.0, max_package_mw=20.0, max_spread_km=15.0))
    check_accounting(sites, res)
    assert len(res.excluded) == 0
    assert sorted(res.packages["capacity_kwp"].round()) == [12000, 12000, 12000, 15000]
    pair = res.sites.groupby("package_id")["site_id"].apply(sorted)
    assert ["S00002"] not in pair.tolist() and any("S00002" in p and len(p) == 2 for p in pair)
    # without room to merge (max 14 MW) the 3 MW piece is excluded with the reason named
    res2 = make_packages(sites, PackageRules(min_package_mw=5.0, max_package_mw=14.0, max_spread_km=15.0))
    assert res2.excluded["site_id"].tolist() == ["S00002"]
    assert "below minimum capacity" in res2.excluded["excluded_reason"].iloc[0]


def test_package_grid_class_is_its_most_demanding_site():
    from solarplan.planning.packages import grid_summary
    packaged = pd.DataFrame({"package_id": ["a", "a", "b", "b", "b"],
                             "grid_class": ["一般工商业", "大型工商业", "一般工商业", "一般工商业", "一般工商业"],
                             "grid_flags": ["", "7000 kWp at 10 kV: needs 35 kV", "", "below minimum share", ""]})
    g = grid_summary(packaged)
    assert g.loc["a", "grid_class"] == "大型工商业" and g.loc["b", "grid_class"] == "一般工商业"
    assert g.loc["a", "n_grid_flagged"] == 1 and g.loc["b", "n_grid_flagged"] == 1


@pytest.mark.parametrize("kw, min_mw, shown", [(999.996, 1.0, "0.999996 MW < 1 MW"), (999.6, 1.0, "0.9996 MW < 1 MW"),
                                               (994.9, 0.995, "0.99 MW < 0.995 MW"),
                                               (1234.0, 1.5, "1.23 MW < 1.5 MW"), (705.4, 1.0, "0.71 MW < 1 MW")])
def test_below_minimum_capacity_never_prints_equal_to_the_minimum(kw, min_mw, shown):
    """A lone site under the minimum package size: two decimals as before unless they would print the capacity
    equal to the minimum, then as many as it takes (the tester saw '1.00 MW < 1 MW' for a capacity just under
    1 MW)."""
    sites = random_sites(1, seed=3)
    sites["capacity_kwp"], sites["specific_yield_kwh_per_kwp"], sites["annual_ac_kwh"] = kw, 1000.0, kw * 1000
    res = make_packages(sites, PackageRules(min_package_mw=min_mw))
    assert res.excluded["site_id"].tolist() == ["S00000"]
    assert f"({shown}," in res.excluded["excluded_reason"].iloc[0]
