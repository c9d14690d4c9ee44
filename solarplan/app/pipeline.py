"""Orchestration: the steps `solarplan demo` and friends run, in order.

No state is kept here; each function takes paths and a config and returns
what it wrote.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from solarplan.pv.aggregate import sites_from_surfaces
from solarplan.io.config import PlanConfig
from solarplan.pv.economics import EconomicParams, capex_by_surface, site_economics
from solarplan.core.errors import ConfigError
from solarplan.pv.uncertainty import for_weather
from solarplan.weather import get_weather
from solarplan.weather.stations import climatology, haversine_km
from solarplan.pv.yieldsim import SystemParams, simulate
from solarplan.pv.capacity import read_inventory
from solarplan.io.writers import write_table
from solarplan.core.resources import data_path

DEMO_INVENTORY = "demo_shiyan_inventory.geojson"


def demo_inventory_path() -> Path:
    """Path of the shipped synthetic Shiyan inventory."""
    return data_path(DEMO_INVENTORY)


@dataclass(frozen=True)
class StepResult:
    """What one pipeline step wrote and a one-line summary."""

    name: str
    files: tuple[Path, ...]
    summary: str


def validate_step(inventory: Path, out_dir: Path, config: PlanConfig, require_china: bool | None = None):
    """Read and validate an inventory; write ``surfaces_clean.csv`` and ``rejects.csv``."""
    res = read_inventory(inventory, config, require_china=require_china)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = (write_table(res.clean, out_dir / "surfaces_clean.csv"), write_table(res.rejects, out_dir / "rejects.csv"),
             write_table(res.skipped, out_dir / "skipped.csv"))
    return res, StepResult("inventory", files, "\n".join([res.summary(), *(f"  note: {m}" for m in res.messages)]))


def system_params(config: PlanConfig) -> SystemParams:
    """The engine parameters from the ``[yield]`` section."""
    try:
        return SystemParams.from_mapping(config.section("yield"))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{config.source}: [yield] {exc}") from None


def _nearest_station(lat, lon) -> np.ndarray:
    """Row of the climatology station nearest each point (great-circle distance)."""
    clim = climatology()
    slat, slon = clim["lat"].to_numpy(), clim["lon"].to_numpy()
    return np.array([int(np.argmin(haversine_km(a, b, slat, slon))) for a, b in zip(lat, lon)], dtype=int)


#: Grid [degrees] on which sites share one PVGIS year with ``--weather pvgis`` (estimate:
#: 0.1 deg, about 11 km, is finer than the 0.25 deg ERA5 grid PVGIS uses over China).
PVGIS_GRID_DEG = 0.1


def _embedded(spec) -> bool:
    """True for the embedded climatology (``--weather auto``, the default), which covers China only."""
    return spec is None or str(spec) == "auto"


def _per_location(spec) -> bool:
    """True when the weather year depends on where the sites are (embedded climatology, PVGIS)."""
    return _embedded(spec) or str(spec) == "pvgis"


def _pvgis_cells(lat, lon) -> np.ndarray:
    """PVGIS grid cell of each point as (row, column) integers."""
    return np.column_stack([np.round(np.asarray(lat, float) / PVGIS_GRID_DEG),
                            np.round(np.asarray(lon, float) / PVGIS_GRID_DEG)]).astype(int)


def _location_keys(lat, lon, spec) -> np.ndarray:
    """Weather group of each point, as an int: nearest station (auto) or PVGIS grid cell."""
    if str(spec) == "pvgis":
        return np.unique(_pvgis_cells(lat, lon), axis=0, return_inverse=True)[1].ravel()
    return _nearest_station(np.asarray(lat, float), np.asarray(lon, float))


def _weather_position(spec, lat, lon) -> tuple[float, float]:
    """Where to ask for a group's weather: its PVGIS cell centre, or the mean of its points."""
    if str(spec) == "pvgis":
        row, col = _pvgis_cells(lat, lon)[0]
        return round(row * PVGIS_GRID_DEG, 6), round(col * PVGIS_GRID_DEG, 6)
    return float(np.mean(lat)), float(np.mean(lon))


def _weather_groups(clean: pd.DataFrame, spec) -> dict:
    """Which surfaces share a weather year: one file for all, or one per station / PVGIS cell
    nearest each *site* (so a site's surfaces always share one year)."""
    if not _per_location(spec):
        return {str(spec): clean.index}
    if not len(clean):
        return {}
    site_pos = clean.groupby("site_id", sort=False)[["lat", "lon"]].mean()
    nearest = pd.Series(_location_keys(site_pos["lat"], site_pos["lon"], spec), index=site_pos.index)
    per_surface = clean["site_id"].map(nearest).to_numpy()
    return {int(k): clean.index[per_surface == k] for k in np.unique(per_surface)}


def _site_self_consumption(group: pd.DataFrame, codes: np.ndarray, hourly_per_kwp: np.ndarray,
                           chunk: int = 256) -> pd.Series:
    """Self-consumed kWh per site: hourly PV (capacity x per-kWp profile) against the category load."""
    from scipy import sparse

    from solarplan.pv.economics import self_consumption
    from solarplan.core.loadprofile import load_shape
    sites, site_idx = np.unique(group["site_id"].to_numpy(), return_inverse=True)
    a = sparse.csr_matrix((group["capacity_kwp"].to_numpy(float), (site_idx, codes)),
                          shape=(len(sites), hourly_per_kwp.shape[1]))
    g = group.groupby("site_id")
    load = g["annual_load_kwh"].max().reindex(sites).fillna(0.0).to_numpy()
    cats = g["category"].first().reindex(sites).to_numpy()
    out = np.zeros(len(sites))
    for lo in range(0, len(sites), chunk):
        sl = slice(lo, lo + chunk)
        pv = (a[sl] @ hourly_per_kwp.T)
        shapes = np.stack([load_shape(c) for c in cats[sl]])
        out[sl] = self_consumption(pv, load[sl, None] * shapes)
    return pd.Series(out, index=sites)


def yield_for_inventory(clean: gpd.GeoDataFrame, config: PlanConfig, weather_spec=None, *, engine: str = "local",
                        scheduler: str | None = None, progress=None, warn=lambda s: None):
    """Simulate every clean surface; return (surfaces with yield columns, sites).

    With ``weather_spec`` auto/None each surface uses the synthetic year of its
    nearest station (surfaces sharing a station share one year); with a file,
    all surfaces use it.
    """
    params = system_params(config)
    wopts = dict(config.section("weather"))
    parts, self_used = [], []
    for key, idx in _weather_groups(clean, weather_spec).items():
        group = clean.loc[idx]
        lat, lon = _weather_position(weather_spec, group["lat"], group["lon"])
        resolved = get_weather(weather_spec, lat, lon, shift=wopts.get("shift", "auto"),
                               closure=wopts.get("closure", "auto"),
                               station_method=wopts.get("station_method", "nearest"), pvgis=wopts)
        for w in resolved.warnings:
            warn(w)
        wy = resolved.weather
        if not _per_location(weather_spec):
            far = haversine_km(wy.latitude, wy.longitude, group["lat"].to_numpy(), group["lon"].to_numpy()) > 150
            if far.any():
                warn(f"{int(far.sum())} surface(s) lie more than 150 km from the weather file's location")
        if engine == "dask":
            from solarplan.pv.distributed import simulate_dask
            res = simulate_dask(group, wy, params, scheduler=scheduler)
        elif engine == "local":
            full = simulate(group, wy, params, progress=progress, hourly=True)
            res = full.surfaces.drop(columns="config_id")
            self_used.append(_site_self_consumption(group, full.surfaces["config_id"].to_numpy(),
                                                    full.hourly_per_kwp.to_numpy()))
        else:
            raise ConfigError(f"unknown engine {engine!r}; valid: local, dask")
        dist = resolved.distance_km if resolved.synthetic else float(
            haversine_km(wy.latitude, wy.longitude, lat, lon))
        unc = for_weather(resolved.synthetic, dist, resolved.elevation_diff_m)
        res["p50_ac_kwh"] = res["annual_ac_kwh"]
        res["p90_ac_kwh"] = unc.exceedance(res["annual_ac_kwh"], 0.90)
        res["uncertainty_sigma_pct"] = unc.sigma * 100
        res["weather_source"] = wy.source
        res["weather_shift_h"] = wy.shift_applied_h
        parts.append(res)
    if not parts:  # nothing clean to simulate: the same columns, no rows
        from solarplan.pv.yieldsim import MONTH_COLUMNS
        cols = ["annual_ac_kwh", "specific_yield_kwh_per_kwp", "poa_kwh_m2", "performance_ratio", *MONTH_COLUMNS,
                "p50_ac_kwh", "p90_ac_kwh", "uncertainty_sigma_pct", "weather_source", "weather_shift_h"]
        parts = [pd.DataFrame({c: pd.Series(dtype=object if c == "weather_source" else float) for c in cols},
                              index=clean.index)]
    yields = pd.concat(parts).loc[clean.index]
    surfaces = clean.join(yields.drop(columns=["capacity_kwp"], errors="ignore"))
    econ = economic_params(config)
    surfaces["capex_cny"] = capex_by_surface(surfaces["surface_type"], surfaces["capacity_kwp"], econ) \
        if len(surfaces) else pd.Series(dtype=float)
    sites = sites_from_surfaces(surfaces)
    sites["capex_cny"] = surfaces.groupby("site_id", sort=False)["capex_cny"].sum().reindex(sites["site_id"]).to_numpy()
    if self_used:
        sc = pd.concat(self_used)
        sites["self_consumed_kwh"] = sc.reindex(sites["site_id"]).to_numpy()
    else:  # the Dask path returns no hourly profiles: self-consumption is not computed
        warn("self-consumption needs hourly profiles, which the dask engine does not return: "
             "economics assume all energy is exported")
        sites["self_consumed_kwh"] = 0.0
    econ_cols = site_economics(sites, econ)
    sites = sites.drop(columns=["capex_cny"]).join(econ_cols)
    return surfaces, sites


def economic_params(config: PlanConfig) -> EconomicParams:
    """The economic assumptions from the ``[economics]`` section."""
    try:
        return EconomicParams.from_mapping(config.section("economics"))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{config.source}: [economics] {exc}") from None


def assumptions_table(config: PlanConfig) -> pd.DataFrame:
    """Every factor and default that reaches the outputs, with its source (companion sheet)."""
    from dataclasses import fields

    def asdict(obj):  # shallow: the read-only mappings inside cannot be deep-copied
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    from solarplan.core.factors import factor_sheet, grid_factor, tce_factor
    from solarplan.pv.uncertainty import SIGMA, SIGMA_PER_KM, SIGMA_PER_M
    econ = economic_params(config)
    rows = [dict(group="economics", **r) for r in econ.metadata().to_dict("records")]
    for k, v in asdict(system_params(config)).items():
        rows.append(dict(group="yield", parameter=k, value=str(v if not hasattr(v, "items") else dict(v)),
                         source="solarplan.pv.yieldsim.SystemParams docstring (PVWatts v5 TP-6A20-62641, pvlib)"))
    for k, v in {**SIGMA, "per_km": SIGMA_PER_KM, "per_m": SIGMA_PER_M}.items():
        rows.append(dict(group="uncertainty", parameter=k, value=str(v),
                         source="estimate in the range of Thevenard & Pelland 2013 (solarplan.pv.uncertainty)"))
    for stype, d in config.surfaces.items():
        for k, v in asdict(d).items():
            if k != "source":
                rows.append(dict(group=f"surfaces.{stype}", parameter=k, value=str(v), source=d.source))
    used = [tce_factor(econ.tce_basis), grid_factor(econ.grid_region, econ.grid_year)]
    for f in factor_sheet(used).to_dict("records"):
        rows.append(dict(group="factors", parameter=f["key"], value=f"{f['value']} {f['unit']}",
                         source=f"{f['source']} ({f['year']})"))
    return pd.DataFrame(rows)


def simulate_step(inventory: Path, out: Path, config: PlanConfig, weather_spec=None, *,
                  surfaces_out: Path | None = None, rejects_out: Path | None = None, engine="local",
                  scheduler=None, progress=None, warn=lambda s: None):
    """Read, validate and simulate an inventory; write site results (and surfaces, rejects)."""
    res = read_inventory(inventory, config, require_china=_embedded(weather_spec))
    surfaces, sites = yield_for_inventory(res.clean, config, weather_spec, engine=engine, scheduler=scheduler,
                                          progress=progress, warn=warn)
    files = [write_table(sites, out), write_table(assumptions_table(config), out.with_name(out.stem + "_assumptions.csv"))]
    if surfaces_out:
        files.append(write_table(surfaces, surfaces_out))
    rej = rejects_out or out.with_name(out.stem + "_rejects.csv")
    files.append(write_table(res.rejects, rej))
    total = sites["annual_ac_kwh"].sum() if len(sites) else 0.0
    cap = sites["capacity_kwp"].sum() if len(sites) else 0.0
    summary = (f"{res.summary()}\nsimulated {len(surfaces)} surfaces in {len(sites)} sites: "
               f"{cap / 1e3:,.2f} MWp, {total / 1e4:,.1f} 万kWh/yr (P50), "
               f"{sites['p90_ac_kwh'].sum() / 1e4 if len(sites) else 0:,.1f} 万kWh/yr (P90), "
               f"{total / cap if cap else float('nan'):,.0f} kWh/kWp; "
               f"capex {sites['capex_cny'].sum() / 1e4 if len(sites) else 0:,.0f}万元, "
               f"{sites['annual_tce'].sum() if len(sites) else 0:,.0f} tce/yr, "
               f"{sites['annual_co2_t'].sum() if len(sites) else 0:,.0f} t CO2/yr avoided, "
               f"self-consumption {sites['self_consumed_kwh'].sum() / total if total else 0:.0%}")
    return surfaces, sites, StepResult("simulate", tuple(files), summary)


def run_demo(out_dir: Path, config: PlanConfig, report: Callable[[str], None] = lambda s: None) -> list[StepResult]:
    """Run every pipeline step that exists on the shipped demo city."""
    steps = []
    res, step = validate_step(demo_inventory_path(), out_dir, config)
    steps.append(step)
    report(step.summary)
    surfaces, sites, step = simulate_step(demo_inventory_path(), out_dir / "sites.csv", config, None,
                                          surfaces_out=out_dir / "surfaces.csv",
                                          rejects_out=out_dir / "rejects.csv", warn=report)
    steps.append(StepResult(step.name, step.files, step.summary.splitlines()[-1]))
    report(steps[-1].summary)
    retro, step = retrofit_step(data_path(DEMO_BUILDINGS), out_dir / "retrofit.csv", config, warn=report)
    steps.append(step)
    report(step.summary)
    steps.append(package_outputs(sites, out_dir, config, retro))
    report(steps[-1].summary)
    from solarplan.report.briefing import write_briefing
    from solarplan.report.maps import write_map
    html = (write_map(out_dir, out_dir / "map.html", tiles="osm", offline=True),
            write_briefing(out_dir, out_dir / "briefing.html", lang="zh", offline=True))
    steps.append(StepResult("maps", html, "map.html (OpenStreetMap tiles when online, works without) and "
                                          "briefing.html, both self-contained"))
    report(steps[-1].summary)
    return steps


DEMO_BUILDINGS = "demo_shiyan_buildings.csv"


def retrofit_params(config: PlanConfig):
    """The retrofit assumptions from the ``[retrofit]`` section."""
    from retrofit.evaluate import RetrofitParams
    try:
        return RetrofitParams.from_mapping(config.section("retrofit"))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{config.source}: [retrofit] {exc}") from None


def retrofit_for_buildings(buildings: Path, config: PlanConfig, weather_spec=None, location: str | None = None,
                           warn=lambda s: None):
    """Read, validate and evaluate a buildings table; return (savings table, rejects, BuildingsResult)."""
    from retrofit.buildings import REJECT_COLUMNS, BuildingsResult, read_buildings
    from retrofit.evaluate import evaluate

    from solarplan.weather.stations import resolve_location
    params = retrofit_params(config)
    res = read_buildings(buildings)
    label = res.row_label
    clean, rejects = res.clean.copy(), res.rejects
    missing = clean["lat"].isna() | clean["lon"].isna()
    if missing.any():
        if location:
            lat, lon, _ = resolve_location(location)
            clean.loc[missing, "lat"], clean.loc[missing, "lon"] = lat, lon
        else:
            extra = pd.DataFrame([{"source_file": str(buildings), "source_row": r.source_row,
                                   "building_id": r.building_id, "site_id": r.site_id, "column": "lat",
                                   "value": "", "reason": f"{label} {r.source_row}: lat/lon are empty; give them "
                                                          "or --location for the weather year"}
                                  for r in clean[missing].itertuples()], columns=REJECT_COLUMNS)
            rejects = pd.concat([rejects, extra], ignore_index=True)
            clean = clean[~missing].reset_index(drop=True)
    temps = {}
    if len(clean):
        wopts = dict(config.section("weather"))
        if not _per_location(weather_spec):
            groups = {"file": clean.index}
        else:
            st = _location_keys(clean["lat"].to_numpy(), clean["lon"].to_numpy(), weather_spec)
            groups = {k: clean.index[st == k] for k in np.unique(st)}
        for idx in groups.values():
            g = clean.loc[idx]
            lat, lon = _weather_position(weather_spec, g["lat"], g["lon"])
            w = get_weather(weather_spec, lat, lon, shift=wopts.get("shift", "auto"),
                            closure=wopts.get("closure", "auto"), pvgis=wopts)
            for msg in w.warnings:
                warn(msg)
            t = w.weather.data["temp_air"].to_numpy()
            temps.update({b: t for b in g["building_id"]})
    table = evaluate(clean, temps, params)
    return table, rejects, BuildingsResult(clean, rejects, res.n_input, res.skipped, res.messages, label)


def retrofit_assumptions(config: PlanConfig) -> pd.DataFrame:
    """Prices, measure parameters and factors behind a retrofit table, with their sources."""
    from dataclasses import fields

    from solarplan.core.factors import factor_sheet, grid_factor, tce_factor
    p = retrofit_params(config)
    rows = []
    for group in ("prices", "gshp", "ground", "lighting", "chiller"):
        obj = getattr(p, group)
        for f in fields(obj):
            rows.append(dict(group=group, parameter=f.name, value=str(getattr(obj, f.name)),
                             source=f"{type(obj).__module__}.{type(obj).__name__} docstring"))
    used = [tce_factor(p.prices.tce_basis), grid_factor(p.prices.grid_region, p.prices.grid_year)]
    for f in factor_sheet(used).to_dict("records"):
        rows.append(dict(group="factors", parameter=f["key"], value=f"{f['value']} {f['unit']}",
                         source=f"{f['source']} ({f['year']})"))
    return pd.DataFrame(rows)


def retrofit_summary(table: pd.DataFrame, res) -> str:
    """One line: buildings, measures and the counted totals."""
    c = table[table["counted"]] if len(table) else table
    s = lambda col: float(c[col].sum()) if len(c) else 0.0  # noqa: E731
    return (f"{res.summary()}\nretrofit: {len(table)} measure rows for {table['building_id'].nunique() if len(table) else 0}"
            f" buildings; saves {s('saved_electricity_kwh') / 1e4:,.1f} 万kWh electricity, {s('saved_tce'):,.0f} tce, "
            f"{s('saved_co2_t'):,.0f} t CO2, {s('saved_cny') / 1e4:,.0f} 万元 a year for {s('capex_cny') / 1e4:,.0f} 万元")


def retrofit_step(buildings: Path, out: Path, config: PlanConfig, weather_spec=None, location=None,
                  warn=lambda s: None):
    """Evaluate a buildings table; write the savings table, its rejects and its assumptions."""
    table, rejects, res = retrofit_for_buildings(buildings, config, weather_spec, location, warn)
    files = (write_table(table, out, sheet="retrofit"),
             write_table(rejects, out.with_name(out.stem + "_rejects.csv")),
             write_table(retrofit_assumptions(config), out.with_name(out.stem + "_assumptions.csv")))
    return table, StepResult("retrofit", files, retrofit_summary(table, res))


def contract_step(buildings: Path, out: Path, config: PlanConfig, *, kind: str = "trusteeship",
                  term: int | None = None, target_irr: float | None = None, pv_sites: Path | None = None,
                  parameter: float | None = None, weather_spec=None, location=None, warn=lambda s: None):
    """Price a contract for each package of a buildings table (optionally with rooftop PV).

    Writes (XLSX: one sheet each; CSV: one file each) packages, buildings, cashflows, sensitivity.
    """
    from dataclasses import replace as dc_replace

    from retrofit.contracts import SOLVED_PARAMETER, ContractTerms, building_inputs, package_deals

    from solarplan.io.inventory import read_rows
    from solarplan.io.writers import write_sheets
    try:
        terms = ContractTerms(kind=kind)
        if term is not None:
            terms = dc_replace(terms, term_years=int(term))
        elif kind == "shared-savings":
            terms = dc_replace(terms, term_years=8)
        if parameter is not None:
            terms = dc_replace(terms, **{SOLVED_PARAMETER[kind]: float(parameter)})
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    table, rejects, res = retrofit_for_buildings(buildings, config, weather_spec, location, warn)
    pv = None
    if pv_sites is not None:
        df, *_ = read_rows(pv_sites)
        need = {"site_id", "annual_ac_kwh", "capex_cny"}
        if not need <= set(df.columns):
            from solarplan.core.errors import InputError
            raise InputError(f"{pv_sites}: a PV sites table (from solarplan simulate or demo) needs columns "
                             f"{', '.join(sorted(need))}; found {', '.join(map(str, df.columns))}")
        pv = df.assign(**{c: pd.to_numeric(df[c], errors="coerce").fillna(0.0)
                          for c in ("annual_ac_kwh", "capex_cny", "self_consumed_kwh") if c in df.columns})
    econ = economic_params(config)
    per_b = building_inputs(table, res.clean, retrofit_params(config).prices, pv, econ.export_price_cny_per_kwh,
                            max_payback_years=terms.term_years)
    packages, flows, sens = package_deals(per_b, terms, econ.discount_rate, target_irr)
    files = write_sheets({"packages": packages, "buildings": per_b, "cashflows": flows, "sensitivity": sens,
                          "rejects": rejects}, out)
    lines = [res.summary()]
    for p in packages.itertuples():
        lines.append(f"package {p.package}: {p.buildings} buildings, baseline {p.baseline_bill_cny / 1e4:,.0f}万元/yr, "
                     f"savings {p.savings_cny / 1e4:,.0f}万元/yr ({p.saving_share:.0%}), investment "
                     f"{p.investment_cny / 1e4:,.0f}万元; ESCO IRR "
                     f"{'n/a' if np.isnan(p.esco_irr) else f'{p.esco_irr:.1%}'}, payback "
                     f"{'never' if np.isnan(p.esco_payback_years) else f'{p.esco_payback_years:.1f} yr'}; "
                     f"{'viable' if p.viable else 'NOT viable: ' + p.reason}")
        if target_irr is not None:
            val = getattr(p, f"solved_{SOLVED_PARAMETER[kind]}")
            lines.append(f"  {SOLVED_PARAMETER[kind]} for an ESCO IRR of {target_irr:.1%}: "
                         + (f"{val:.2%}" if np.isfinite(val) else p.solved_note))
    return packages, StepResult("contract", tuple(files), "\n".join(lines))


#: Shortlist headers: column -> (English, Chinese) with display units.
SHORTLIST_COLUMNS = {
    "package_rank": ("Package rank", "包排名"), "site_rank": ("Site rank", "场址排名"),
    "package_id": ("Package", "项目包"), "site_id": ("Site id", "编号"), "name": ("Name", "单位名称"),
    "category": ("Category", "类型"), "district": ("District", "区县"), "n_sites": ("Sites", "场址数"),
    "capacity_mw": ("Capacity [MW]", "装机容量[MW]"), "annual_wan_kwh": ("Yield [万kWh/yr]", "年发电量[万kWh]"),
    "specific_yield_kwh_per_kwp": ("Specific yield [kWh/kWp]", "等效利用小时[kWh/kWp]"),
    "annual_tce": ("Coal saved [tce/yr]", "节约标煤[tce/年]"), "annual_co2_t": ("CO2 avoided [t/yr]", "减排CO2[t/年]"),
    "capex_wan_cny": ("Investment [万元]", "投资[万元]"), "irr": ("IRR", "内部收益率"),
    "simple_payback_yr": ("Payback [yr]", "回收期[年]"), "spread_km": ("Spread [km]", "分布范围[km]"),
    "roof_score": ("Roof type score [0-1]", "屋面条件评分[0-1]"),
    "score": ("Score", "评分"), "bound_violation": ("Bound violated", "超限说明"),
}


def package_rules(config: PlanConfig):
    """The packaging rules from the ``[packages]`` section."""
    from solarplan.planning.packages import PackageRules
    try:
        return PackageRules.from_mapping(config.section("packages"))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{config.source}: [packages] {exc}") from None


def _shortlist_frame(df: pd.DataFrame, cols: list[str], lang: str) -> pd.DataFrame:
    d = df.copy()
    d["capacity_mw"] = d["capacity_kwp"] / 1000
    d["annual_wan_kwh"] = d["annual_ac_kwh"] / 1e4
    if "capex_cny" in d:
        d["capex_wan_cny"] = d["capex_cny"] / 1e4
    cols = [c for c in cols if c in d]
    d = d[cols].round(3)
    i = 1 if lang == "zh" else 0
    return d.rename(columns={c: SHORTLIST_COLUMNS[c][i] for c in cols})


def package_outputs(sites: pd.DataFrame, out_dir: Path, config: PlanConfig, retrofit_table=None,
                    lang: str = "zh") -> StepResult:
    """Package and rank simulated sites; write sites.csv, packages.csv, excluded.csv, packages.gpkg and
    shortlist.xlsx into ``out_dir``."""
    import geopandas as gpd

    from solarplan.io.writers import write_sheets
    from solarplan.planning.packages import make_packages
    if lang not in ("zh", "en"):
        raise ConfigError(f"--lang must be zh or en, not {lang!r}")
    s = pd.DataFrame(sites).drop(columns=["geometry"], errors="ignore")
    if retrofit_table is not None and len(retrofit_table):
        c = retrofit_table[retrofit_table["counted"]].groupby("site_id")[["saved_tce", "saved_co2_t", "saved_cny"]].sum()
        s = s.join(c.add_prefix("retrofit_"), on="site_id")
    res = make_packages(s, package_rules(config))
    out_dir.mkdir(parents=True, exist_ok=True)
    all_sites = pd.concat([res.sites, res.excluded.rename(columns={"reason": "excluded_reason"})], ignore_index=True)
    all_sites["package_id"] = all_sites["package_id"].fillna("")
    files = [write_table(all_sites, out_dir / "sites.csv"), write_table(res.packages, out_dir / "packages.csv"),
             write_table(res.excluded, out_dir / "excluded.csv")]
    gpkg = out_dir / "packages.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    pts = gpd.GeoDataFrame(res.sites, geometry=gpd.points_from_xy(res.sites["lon"], res.sites["lat"]), crs=4326)
    pts.to_file(gpkg, layer="sites", driver="GPKG")
    if len(pts):
        utm = pts.estimate_utm_crs()
        hulls = pts.to_crs(utm).dissolve("package_id").geometry.convex_hull.buffer(150)
        outl = gpd.GeoDataFrame(res.packages.set_index("package_id").join(hulls.rename("geometry")),
                                geometry="geometry", crs=utm).to_crs(4326).reset_index()
        outl.to_file(gpkg, layer="packages", driver="GPKG")
        files.append(write_table(outl, out_dir / "packages.geojson"))
    files.append(gpkg)
    pk_cols = ["package_rank", "package_id", "category", "district", "n_sites", "capacity_mw", "annual_wan_kwh",
               "specific_yield_kwh_per_kwp", "annual_tce", "annual_co2_t", "capex_wan_cny", "irr", "spread_km",
               "roof_score", "score", "bound_violation"]
    site_cols = ["site_rank", "site_id", "name", "category", "district", "capacity_mw", "annual_wan_kwh",
                 "specific_yield_kwh_per_kwp", "annual_tce", "annual_co2_t", "capex_wan_cny", "irr",
                 "simple_payback_yr", "roof_score", "score"]
    sheets = {"packages" if lang == "en" else "项目包汇总": _shortlist_frame(
        res.packages.rename(columns={"rank": "package_rank"}), pk_cols, lang)}
    for pid, g in res.sites.groupby("package_id", sort=False):
        sheets[str(pid).replace("/", "_")[:31]] = _shortlist_frame(g.sort_values("site_rank"), site_cols, lang)
    files += write_sheets(sheets, out_dir / "shortlist.xlsx")
    p = res.packages
    summary = (f"packages: {len(p)} packages of {len(res.sites)} sites "
               f"({p['capacity_kwp'].sum() / 1e3 if len(p) else 0:,.2f} MW, "
               f"{p['annual_ac_kwh'].sum() / 1e4 if len(p) else 0:,.0f} 万kWh/yr); {len(res.excluded)} sites excluded"
               + (f"; bound violations: {'; '.join(v for v in p['bound_violation'] if v)}"
                  if len(p) and (p['bound_violation'] != '').any() else ""))
    return StepResult("packages", tuple(files), summary)


def packages_step(inventory: Path, out_dir: Path, config: PlanConfig, buildings: Path | None = None,
                  weather_spec=None, lang: str = "zh", progress=None, warn=lambda s: None) -> list[StepResult]:
    """Validate and simulate an inventory (and evaluate buildings), then package and rank the sites."""
    res = read_inventory(inventory, config, require_china=_embedded(weather_spec))
    write_table(res.rejects, out_dir / "rejects.csv")
    _, sites = yield_for_inventory(res.clean, config, weather_spec, progress=progress, warn=warn)
    retro = None
    steps = [StepResult("inventory", (out_dir / "rejects.csv",), res.summary())]
    if buildings is not None:
        retro, step = retrofit_step(buildings, out_dir / "retrofit.csv", config, weather_spec, warn=warn)
        steps.append(step)
    steps.append(package_outputs(sites, out_dir, config, retro, lang))
    return steps
