"""simulate and demo end to end, the Dask path, and config errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from solarplan.app.cli import main
from solarplan.io.config import config_from_dict, load_config
from solarplan.core.errors import ConfigError
from solarplan.app.pipeline import read_inventory
from solarplan.app.pipeline import yield_for_inventory
from solarplan.weather import get_weather
from solarplan.pv.yieldsim import SystemParams, simulate
from solarplan.io.tables import read_results


def test_demo_writes_outputs_under_maps(demo_run):
    tmp_path = demo_run.folder.parent  # the demo ran once for the suite, in this folder, without --out
    sites = pd.read_csv(tmp_path / "maps" / "sites.csv")
    surfaces = pd.read_csv(tmp_path / "maps" / "surfaces.csv")
    assert len(surfaces) == 845 and sites["site_id"].is_unique
    # site totals are the sums of their surfaces
    # (the CSVs carry kWh as integers and kWp to 0.1, so each row may be off by half a unit)
    n = len(sites) + len(surfaces)
    assert sites["annual_ac_kwh"].sum() == pytest.approx(surfaces["annual_ac_kwh"].sum(), abs=0.5 * n)
    assert sites["capacity_kwp"].sum() == pytest.approx(surfaces["capacity_kwp"].sum(), abs=0.05 * n)
    # Hubei rooftop PV: roughly 950-1,150 kWh/kWp in year 1 (DOMAIN.md); flush carports and
    # shaded rows sit a little lower, so the city mean must fall inside 900-1,150
    mean_yield = sites["annual_ac_kwh"].sum() / sites["capacity_kwp"].sum()
    assert 900 < mean_yield < 1150
    assert (sites["p90_ac_kwh"] < sites["p50_ac_kwh"]).all()
    assert "万kWh（P50）" in demo_run.stdout
    # economics and carbon columns (issue 5), and every default with a source beside them
    for col in ("capex_cny", "lcoe_cny_per_kwh", "npv_cny", "irr", "simple_payback_yr", "self_consumption_share",
                "annual_tce", "annual_co2_t", "lifetime_co2_t"):
        assert col in sites.columns and sites[col].notna().all(), col
    # sites.csv carries tce and t CO2 to 0.1 (and kWh as integers)
    assert np.allclose(sites["annual_tce"], sites["annual_ac_kwh"] * 0.1229 / 1000, rtol=0, atol=0.0501)
    assert np.allclose(sites["annual_co2_t"], sites["annual_ac_kwh"] * 0.5306 / 1000, rtol=0, atol=0.0501)
    # 2025 rules (issue 18): class, mode, time-of-use value, export and flags per site, Hubei schedule
    for col in ("grid_class", "grid_mode", "self_consumption_share", "curtailed_kwh", "self_consumed_value_valley_cny",
                "self_consumed_value_cny_per_kwh", "export_revenue_cny", "export_price_cny_per_kwh", "grid_flags"):
        assert col in sites.columns, col
    assert (sites["tou_schedule"] == "hubei_2024").all() and (sites["grid_mode"] == "自发自用余电上网").all()
    assert (sites["self_consumed_value_cny_per_kwh"] < sites["tariff_cny_per_kwh"].fillna(0.65) * 1.2).all()
    assert (tmp_path / "maps" / "sites_sensitivity.csv").exists()
    assumptions = pd.read_csv(tmp_path / "maps" / "sites_assumptions.csv")
    assert assumptions["source"].notna().all() and (assumptions["source"].str.len() > 3).all()
    assert {"economics", "yield", "factors", "uncertainty"} <= set(assumptions["group"])
    retro = pd.read_csv(tmp_path / "maps" / "retrofit.csv")
    assert retro["building_id"].nunique() == 320 and {"gshp", "led", "chiller", "lift"} <= set(retro["measure"])


def test_simulate_cli_with_a_weather_file_and_all_outputs(tmp_path, weather_dir, demo_inventory):
    epw = weather_dir / "CHN_Hubei.Yunxi.572510_CSWD.epw"
    code = main(["simulate", str(demo_inventory), "--out", str(tmp_path / "sites.gpkg"), "--weather", str(epw),
                 "--surfaces-out", str(tmp_path / "surf.xlsx"), "--rejects", str(tmp_path / "rej.csv")])
    assert code == 0
    import geopandas as gpd
    sites = gpd.read_file(tmp_path / "sites.gpkg")
    surf = read_results(tmp_path / "surf.xlsx", "surfaces")   # zh headers, read back by field name
    assert len(sites) == 320 and len(surf) == 845
    assert set(surf["weather_shift_h"].round(2)) == {0.49}  # the mean of the EoT-following correction
    assert (tmp_path / "rej.csv").exists()


def test_simulate_anywhere_with_a_file_but_not_without(tmp_path, capsys):
    import pvlib
    p = tmp_path / "nc.csv"
    p.write_text("site_id,lat,lon,area_m2\nGSO,36.1,-79.95,1000\n")
    tmy = pvlib.__path__[0] + "/data/723170TYA.CSV"
    assert main(["simulate", str(p), "--out", str(tmp_path / "s.csv"), "--weather", tmy]) == 0
    assert pd.read_csv(tmp_path / "s.csv")["annual_ac_kwh"].iloc[0] > 0
    assert main(["simulate", str(p), "--out", str(tmp_path / "t.csv")]) == 0
    rej = pd.read_csv(tmp_path / "t_rejects.csv")
    assert "outside China" in rej["reason"].iloc[0]


@pytest.mark.parametrize("doc,match", [
    ({"yeild": {}}, "unknown section"),
    ({"surfaces": {"glass_roof": {}}}, "unknown surface type"),
    ({"surfaces": {"flat_roof": {"usable_fraction": 1.5}}}, "usable_fraction"),
    ({"surfaces": {"flat_roof": {"density": 100}}}, "unknown key"),
    ({"inventory": {"azimuth_convention": "compass"}}, "pvlib"),
])
def test_config_errors_name_the_problem(doc, match):
    with pytest.raises(ConfigError, match=match):
        config_from_dict(doc, "plan.toml")


def test_yield_config_reaches_the_engine(tmp_path, demo_inventory):
    (tmp_path / "plan.toml").write_text('[yield]\ntransposition = "haydavies"\nlosses = { soiling = 5 }\n'
                                        '[surfaces.flat_roof]\npower_density_w_m2 = 120\n')
    cfg = load_config(tmp_path / "plan.toml")
    clean = read_inventory(demo_inventory, cfg).clean.head(30)
    base = read_inventory(demo_inventory).clean.head(30)
    s1, _ = yield_for_inventory(clean, cfg)
    s0, _ = yield_for_inventory(base, load_config(None))
    flat = clean["surface_type"] == "flat_roof"
    assert np.allclose(clean.loc[flat, "capacity_kwp"] / base.loc[flat, "capacity_kwp"], 120 / 110)
    assert (s1["specific_yield_kwh_per_kwp"] < s0["specific_yield_kwh_per_kwp"]).all()  # more soiling
    (tmp_path / "bad.toml").write_text('[yield]\ntransposition = "klucher-ish"\n')
    with pytest.raises(ConfigError, match="transposition = .*one of 'perez', 'haydavies'"):
        yield_for_inventory(clean, load_config(tmp_path / "bad.toml"))


def test_local_progress_is_one_count_over_every_weather_group(demo_inventory):
    """The local engine simulates weather group after weather group; its progress is one count over the
    whole run (a tester's log showed seventeen times `simulation 4/4`): the total never changes, the count
    never goes back, and it ends at the total, which is the number of distinct configurations of all groups."""
    from solarplan.app.pipeline import load_plan, simulate_sites
    from solarplan.pv.yieldsim import unique_configs
    from solarplan.weather.grouping import site_weather_groups
    cfg = load_plan(None)
    clean = read_inventory(demo_inventory, cfg).clean
    # half the sites moved 4 degrees north: two climatology stations, so at least two weather groups
    moved = clean["site_id"].isin(clean["site_id"].unique()[::2])
    clean = clean.assign(lat=clean["lat"].where(~moved, clean["lat"] + 4.0))
    groups = list(site_weather_groups(clean[["site_id", "lat", "lon"]], None))
    assert len(groups) >= 2
    seen = []
    simulate_sites(clean, cfg, progress=lambda d, t: seen.append((d, t)))
    res = SystemParams().orientation_resolution_deg
    expected = sum(len(unique_configs(clean[clean["site_id"].isin(g.site_ids)], res)[0]) for g in groups)
    assert {t for _, t in seen} == {expected}
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1][0] == expected


def test_a_weather_warning_names_the_sites_it_concerns(demo_inventory):
    """A climatology warning is said of a place; the user needs to know which sites (a tester saw 'site
    elevation 950 m differs from the station's 249 m' with no site named)."""
    from solarplan.app.pipeline import load_plan, simulate_sites
    cfg = load_plan(None)
    clean = read_inventory(demo_inventory, cfg).clean
    one = clean[clean["site_id"] == clean["site_id"].iloc[0]].assign(lat=31.0, lon=88.0)  # western Tibet
    said = []
    simulate_sites(one, cfg, warn=said.append)
    far = [w for w in said if "km away" in w]
    assert len(far) == 1 and one["site_id"].iloc[0] in far[0] and "(at 31.000, 88.000)" in far[0], said
