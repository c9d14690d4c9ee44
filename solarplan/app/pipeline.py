"""Orchestration: the steps `solarplan demo` and friends run, as read -> compute -> write.

Compute functions take and return DataFrames and are part of the public API
(:func:`simulate_sites`, :func:`evaluate_buildings`, :func:`price_contracts`, :func:`package_sites`);
the ``*_step`` functions read files, call them and write the results. Model logic lives in the layers
below (weather grouping in :mod:`solarplan.weather.grouping`, self-consumption, tariffs and grid rules per
site in :mod:`solarplan.pv.siteflows`, outlines in :mod:`solarplan.planning.packages`, the shortlist
layout in :mod:`solarplan.report.shortlist`). No state is kept here.
"""
from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from retrofit.buildings import REJECT_COLUMNS, BuildingsResult, read_buildings_table
from retrofit.contracts import SOLVED_PARAMETER, ContractTerms, building_inputs, package_deals
from retrofit.evaluate import RetrofitParams, evaluate, left_out
from solarplan.core.atomic import ensure_folder
from solarplan.core.errors import ConfigError, InputError
from solarplan.core.factors import factor_sheet, grid_factor, tce_factor
from solarplan.core.geometry import haversine_km
from solarplan.core.progress import step_progress
from solarplan.core.resources import data_path
from solarplan.io.config import PlanConfig, load_config
from solarplan.io.geocode import geocoder_from_config
from solarplan.io.inventory import read_inventory as read_validated, read_rows
from solarplan.io.tables import read_results, write_result, write_results
from solarplan.io.validate import ValidationResult
from solarplan.io.writers import write_layers
from solarplan.planning.indicators import headers, indicators, register, register_fields
from solarplan.planning.packages import PackageRules, Packaging, make_packages, package_outlines
from solarplan.pv.capacity import with_capacity
from solarplan.pv.aggregate import sites_from_surfaces
from solarplan.pv.distributed import dask_client, simulate_groups
from solarplan.pv.economics import EconomicParams, capex_by_surface, export_price_sensitivity, site_economics
from solarplan.pv.siteflows import GridParams, TariffParams, apply_site_flows, params_metadata
from solarplan.pv.sitesim import FlowTerms, simulate_with_flows
from solarplan.pv.uncertainty import SIGMA, SIGMA_PER_KM, SIGMA_PER_M, for_weather
from solarplan.pv.yieldsim import MONTH_COLUMNS, SystemParams, unique_configs
from solarplan.report.briefing import write_briefing
from solarplan.report.maps import write_map
from solarplan.report.word import write_docx
from solarplan.core.i18n import PARAMETER_WORDS, check_lang, energy, money, package_label, reason_text, say, value_label
from solarplan.io.workbook import write_workbook
from solarplan.report.shortlist import shortlist_sheets
from solarplan.weather.options import WeatherOptions
from solarplan.weather.grouping import is_embedded, per_location, site_weather_groups, weather_for_group
from solarplan.weather.stations import resolve_location

#: Warnings of the steps go to the "solarplan.app.pipeline" logger unless a caller passes its own ``warn``.
log = logging.getLogger(__name__)
_warn = log.warning

DEMO_INVENTORY = "demo_shiyan_inventory.geojson"


def schemas() -> dict[str, type]:
    """plan.toml section -> the dataclass whose fields, types and ranges check it (solarplan.io.config)."""
    return {"yield": SystemParams, "economics": EconomicParams, "packages": PackageRules,
            "retrofit": RetrofitParams, "weather": WeatherOptions, "tariffs": TariffParams, "grid": GridParams}


def load_plan(path: Path | str | None) -> PlanConfig:
    """Read a plan.toml and check every section now, before any work starts."""
    return load_config(path, schemas())


def demo_inventory_path() -> Path:
    """Path of the shipped synthetic Shiyan inventory."""
    return data_path(DEMO_INVENTORY)


@dataclass(frozen=True)
class StepResult:
    """What one pipeline step wrote and a one-line summary."""

    name: str
    files: tuple[Path, ...]
    summary: str


def read_inventory(path, config: PlanConfig | None = None, require_china: bool | None = None) -> ValidationResult:
    """Read, validate and size an inventory: the reader and validation of :mod:`solarplan.io.inventory`
    (with the ``[inventory] geocoder`` where configured), then usable area and capacity
    (:func:`solarplan.pv.capacity.with_capacity`). ``clean`` has ``usable_area_m2`` [m2] and ``capacity_kwp`` [kWp]."""
    config = config or load_config(None)
    res = read_validated(path, config, require_china=require_china, geocode=geocoder_from_config(config))
    return with_capacity(res, config.surfaces)


def _skip_kinds(skipped, lang: str) -> str:
    kinds = skipped["kind"].value_counts() if len(skipped) else {}
    parts = [say(f"skip_{k}", lang, n=int(kinds[k])) for k in ("total", "blank", "footer") if k in kinds]
    return say("skip_kinds", lang, parts=say("list_sep", lang).join(parts)) if parts else ""


def validated_inventory(inventory: Path, config: PlanConfig, require_china: bool | None = None):
    """:func:`read_inventory`, reported as the ``validation`` step."""
    step_progress("validation", 0, None)
    res = read_inventory(inventory, config, require_china=require_china)
    step_progress("validation", res.n_input, res.n_input)
    return res


def rows_summary(res, lang: str = "zh") -> str:
    """The count line of a validated inventory (every row clean, rejected or skipped) in ``lang``."""
    n_ok, n_bad, n_skip = res.n_clean_rows, len(res.rejects), len(res.skipped)
    n_sum = n_ok + n_bad + n_skip
    return say("rows", lang, n_input=res.n_input, n_ok=n_ok, n_bad=n_bad, n_skip=n_skip, n_sum=n_sum,
               skip_kinds=_skip_kinds(res.skipped, lang), n_surfaces=len(res.clean),
               mismatch="" if n_sum == res.n_input else say("mismatch", lang),
               n_sites=res.clean["site_id"].nunique() if len(res.clean) else 0,
               area=f"{res.clean['gross_area_m2'].sum() if len(res.clean) else 0:,.0f}",
               mwp=f"{res.clean['capacity_kwp'].sum() / 1e3 if len(res.clean) else 0:,.2f}")


def buildings_summary(res: BuildingsResult, lang: str = "zh") -> str:
    """The count line of a validated buildings table in ``lang``."""
    n_ok, n_bad, n_skip = len(res.clean), len(res.rejects), len(res.skipped)
    return say("buildings", lang, n_input=res.n_input, n_ok=n_ok, n_bad=n_bad, n_skip=n_skip,
               skip_kinds=_skip_kinds(res.skipped, lang), n_sum=n_ok + n_bad + n_skip,
               area=f"{res.clean['floor_area_m2'].sum() if n_ok else 0:,.0f}")


def validate_step(inventory: Path, out_dir: Path, config: PlanConfig, require_china: bool | None = None,
                  lang: str = "zh"):
    """Read and validate an inventory; write ``surfaces_clean.csv`` and ``rejects.csv``."""
    res = validated_inventory(inventory, config, require_china=require_china)
    ensure_folder(out_dir)
    files = (write_result(res.clean, out_dir / "surfaces_clean.csv"), write_result(res.rejects, out_dir / "rejects.csv"),
             write_result(res.skipped, out_dir / "skipped.csv"))
    return res, StepResult("inventory", files, "\n".join([rows_summary(res, lang),
                                                          *(say("note", lang, text=m) for m in res.messages)]))


def system_params(config: PlanConfig) -> SystemParams:
    """The engine parameters from the ``[yield]`` section."""
    return config.typed("yield", SystemParams)


def tariff_schedule(config: PlanConfig):
    """The time-of-use schedule from the ``[tariffs]`` section."""
    params = config.typed("tariffs", TariffParams)
    try:
        return params.build()
    except ValueError as exc:
        raise ConfigError(f"{config.source}: [tariffs] {exc}") from None


def grid_params(config: PlanConfig, size_to_load: bool | None = None) -> GridParams:
    """The grid-connection rules from the ``[grid]`` section (``size_to_load`` overrides its key)."""
    g = config.typed("grid", GridParams)
    return g if size_to_load is None else replace(g, size_to_load=bool(size_to_load))


def read_hosting_table(grid: GridParams) -> pd.DataFrame | None:
    """The county/substation open-capacity table named by ``[grid] hosting_table``, if any."""
    if not grid.hosting_table:
        return None
    try:
        return pd.read_csv(grid.hosting_table, encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"[grid] hosting_table {grid.hosting_table} does not exist") from None


def simulate_sites(clean: pd.DataFrame, config: PlanConfig, weather_spec=None, *, engine: str = "local",
                   scheduler: str | None = None, scheduler_file: str | None = None, client=None,
                   dashboard: bool = False, progress=None, warn=_warn,
                   size_to_load: bool | None = None, yield_engine: str | None = None):
    """Simulate every clean surface; return (surfaces with yield columns, sites with economics).

    Parameters
    ----------
    clean : DataFrame
        Validated surfaces (:func:`solarplan.read_inventory` ``.clean``).
    config : PlanConfig
    weather_spec : 'auto', 'pvgis', None or a weather file
        auto/None: each site uses the synthetic year of its nearest climatology station (sites sharing
        a station share one year, :mod:`solarplan.weather.grouping`); a file: every site uses it.
    engine : {'local', 'fused', 'dask'}
        Where: 'local' (this process, site chunks of bounded memory, :mod:`solarplan.pv.sitesim`) or 'dask'
        (the same tables computed on a Dask cluster, :mod:`solarplan.pv.distributed`). 'fused' is kept from
        before the yield engine was a separate choice: 'local' with ``yield_engine='fused'``.
    scheduler, scheduler_file, client, dashboard
        Which Dask cluster (:func:`solarplan.pv.distributed.dask_client`); a ``client``, ``scheduler`` or
        ``scheduler_file`` implies 'dask'.
    yield_engine : {'fused', 'pvlib'}, optional
        The yield engine (:data:`solarplan.pv.engines.ENGINES`); default ``[yield] engine`` ('fused', the
        numba kernel; 'pvlib' is the reference it equals within 1e-6).
    progress : callable(done, total), optional
        Configurations simulated and their total, one count over every weather group.
    """
    if engine not in ("local", "fused", "dask"):
        raise ConfigError(f"unknown engine {engine!r}; valid: local, fused, dask")
    if client is not None or scheduler or scheduler_file:
        if engine == "fused":
            raise ConfigError("a Dask scheduler or client was given with engine 'fused', which runs in this process; "
                              "use engine 'dask' (--engine dask) with --yield-engine fused")
        engine = "dask"  # naming a cluster is asking for it (a tester's run with --scheduler-file ran locally)
    params = system_params(config)
    if engine == "fused" or yield_engine is not None:
        params = replace(params, engine="fused" if engine == "fused" and yield_engine is None else yield_engine)
    econ = economic_params(config)
    schedule, grid = tariff_schedule(config), grid_params(config, size_to_load)
    hosting = read_hosting_table(grid)
    terms = FlowTerms(schedule, grid, econ.export_price(), econ.default_tariff_cny_per_kwh)
    wopts = dict(config.section("weather"))
    site_of = clean["site_id"].to_numpy()
    groups = []
    weather_groups = list(site_weather_groups(clean[["site_id", "lat", "lon"]], weather_spec))
    step_progress("weather", 0, len(weather_groups))
    for g in weather_groups:
        group = clean[pd.Series(site_of).isin(g.site_ids).to_numpy()]   # hashed: np.isin on strings is n x k
        resolved = weather_for_group(weather_spec, g, wopts)
        for w in resolved.warnings:   # said of the group's place: name the sites it concerns
            more = len(g.site_ids) - 3
            ids = ", ".join(map(str, g.site_ids[:3])) + (f" and {more} more" if more > 0 else "")
            warn(f"weather for site(s) {ids} (at {g.lat:.3f}, {g.lon:.3f}): {w}")
        wy = resolved.weather
        if not per_location(weather_spec):
            far = haversine_km(wy.latitude, wy.longitude, group["lat"].to_numpy(), group["lon"].to_numpy()) > 150
            if far.any():
                warn(f"{int(far.sum())} surface(s) lie more than 150 km from the weather file's location")
        groups.append((g, group, resolved))
        step_progress("weather", len(groups), len(weather_groups))

    def simulated(done, total):
        step_progress("simulation", done, total)
        if progress:
            progress(done, total)
    parts, self_used = [], []
    with ExitStack() as stack:
        if engine == "dask" and groups:
            cl = stack.enter_context(dask_client(client=client, scheduler=scheduler, scheduler_file=scheduler_file,
                                                 dashboard=dashboard, warn=warn))
            computed = simulate_groups(cl, [(grp, r.weather) for _, grp, r in groups], params, terms,
                                       progress=simulated)
        else:
            # one count over the whole run, as the Dask path reports it, not one per weather group
            sizes = [len(unique_configs(grp, params.orientation_resolution_deg)[0]) for _, grp, _ in groups]
            offsets, grand = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int), int(sum(sizes))
            computed = (simulate_with_flows(grp, r.weather, params, terms, yield_engine=params.engine,
                                            progress=lambda done, _n, o=int(o): simulated(o + done, grand))
                        for (_, grp, r), o in zip(groups, offsets))
        for (g, group, resolved), (res, flows) in zip(groups, computed):
            self_used.append(flows)
            wy = resolved.weather
            dist = resolved.distance_km if resolved.synthetic else float(
                haversine_km(wy.latitude, wy.longitude, g.lat, g.lon))
            unc = for_weather(resolved.synthetic, dist, resolved.elevation_diff_m)
            res["p50_ac_kwh"] = res["annual_ac_kwh"]
            res["p90_ac_kwh"] = unc.exceedance(res["annual_ac_kwh"], 0.90)
            res["uncertainty_sigma_pct"] = unc.sigma * 100
            res["weather_source"] = wy.source
            res["weather_shift_h"] = wy.shift_applied_h
            parts.append(res)
    if not parts:  # nothing clean to simulate: the same columns, no rows
        cols = ["annual_ac_kwh", "specific_yield_kwh_per_kwp", "poa_kwh_m2", "performance_ratio", *MONTH_COLUMNS,
                "p50_ac_kwh", "p90_ac_kwh", "uncertainty_sigma_pct", "weather_source", "weather_shift_h"]
        parts = [pd.DataFrame({c: pd.Series(dtype=object if c == "weather_source" else float) for c in cols},
                              index=clean.index)]
    yields = pd.concat(parts).loc[clean.index]
    surfaces = clean.join(yields.drop(columns=["capacity_kwp"], errors="ignore"))
    surfaces["capex_cny"] = capex_by_surface(surfaces["surface_type"], surfaces["capacity_kwp"], econ) \
        if len(surfaces) else pd.Series(dtype=float)
    sites = sites_from_surfaces(surfaces)
    sites["capex_cny"] = surfaces.groupby("site_id", sort=False)["capex_cny"].sum().reindex(sites["site_id"]).to_numpy()
    if self_used:
        try:
            sites = apply_site_flows(sites, pd.concat(self_used), grid, hosting)
        except ValueError as exc:
            raise ConfigError(f"[grid] hosting_table {grid.hosting_table}: {exc}") from None
        n_flag = int((sites["grid_flags"].fillna("") != "").sum())
        if n_flag:
            warn(f"{n_flag} site(s) carry grid-rule flags (see the grid_flags column of the sites table)")
    else:  # no surfaces: nothing is self-consumed
        sites["self_consumed_kwh"] = 0.0
    econ_cols = site_economics(sites, econ)
    sites = sites.drop(columns=["capex_cny"]).join(econ_cols)
    return surfaces, sites


#: Former name of :func:`simulate_sites`.
yield_for_inventory = simulate_sites


def economic_params(config: PlanConfig) -> EconomicParams:
    """The economic assumptions from the ``[economics]`` section."""
    return config.typed("economics", EconomicParams)


def assumptions_table(config: PlanConfig) -> pd.DataFrame:
    """Every factor and default that reaches the outputs, with its source (companion sheet)."""
    def asdict(obj):  # shallow: the read-only mappings inside cannot be deep-copied
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    econ = economic_params(config)
    rows = [dict(group="economics", **r) for r in econ.metadata().to_dict("records")]
    rows += params_metadata(config.typed("tariffs", TariffParams), grid_params(config),
                            tariff_schedule(config)).to_dict("records")
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


def sensitivity_table(sites: pd.DataFrame, config: PlanConfig) -> pd.DataFrame:
    """Portfolio NPV and IRR at other export prices (:func:`solarplan.pv.economics.export_price_sensitivity`)."""
    return export_price_sensitivity(sites, economic_params(config)) if len(sites) else pd.DataFrame()


def simulation_summary(surfaces: pd.DataFrame, sites: pd.DataFrame, lang: str = "zh") -> str:
    """One line: surfaces, sites, MWp, P50/P90 energy, specific yield, capex, tce, CO2, self-consumption
    (zh in 万kWh and 万元, en in MWh and CNY million)."""
    tot = lambda c: float(sites[c].sum()) if len(sites) and c in sites else 0.0  # noqa: E731
    total, cap = tot("annual_ac_kwh"), tot("capacity_kwp")
    return say("simulate", lang, n_surfaces=len(surfaces), n_sites=len(sites), mwp=f"{cap / 1e3:,.2f}",
               p50=energy(total, lang, 1)[0], p90=energy(tot("p90_ac_kwh"), lang, 1)[0], e_unit=energy(0, lang)[1],
               sy=f"{total / cap:,.0f}" if cap else "-", capex=money(tot("capex_cny"), lang)[0],
               m_unit=money(0, lang)[1], tce=f"{tot('annual_tce'):,.0f}", co2=f"{tot('annual_co2_t'):,.0f}",
               self_share=f"{tot('self_consumed_kwh') / total if total else 0:.0%}")


def simulate_step(inventory: Path, out: Path, config: PlanConfig, weather_spec=None, *,
                  surfaces_out: Path | None = None, rejects_out: Path | None = None, engine="local",
                  scheduler=None, scheduler_file=None, dashboard=False, progress=None, warn=_warn,
                  size_to_load: bool | None = None, lang: str = "zh", yield_engine: str | None = None):
    """Read, validate and simulate an inventory; write site results (and surfaces, rejects, skipped rows,
    assumptions and the export-price sensitivity: ``OUT_rejects.csv``, ``OUT_skipped.csv`` ... beside ``out``)."""
    res = validated_inventory(inventory, config, require_china=is_embedded(weather_spec))
    surfaces, sites = simulate_sites(res.clean, config, weather_spec, engine=engine, scheduler=scheduler,
                                     scheduler_file=scheduler_file, dashboard=dashboard,
                                     progress=progress, warn=warn, size_to_load=size_to_load,
                                     yield_engine=yield_engine)
    files = [write_result(sites, out, lang, "sites"), write_result(assumptions_table(config), out.with_name(out.stem + "_assumptions.csv")),
             write_result(sensitivity_table(sites, config), out.with_name(out.stem + "_sensitivity.csv"))]
    if surfaces_out:
        files.append(write_result(surfaces, surfaces_out, lang, "surfaces"))
    rej = rejects_out or out.with_name(out.stem + "_rejects.csv")
    files.append(write_result(res.rejects, rej, lang, "rejects"))
    files.append(write_result(res.skipped, out.with_name(out.stem + "_skipped.csv")))
    summary = "\n".join([rows_summary(res, lang), *(say("note", lang, text=m) for m in res.messages),
                         simulation_summary(surfaces, sites, lang)])
    return surfaces, sites, StepResult("simulate", tuple(files), summary)


def run_demo(out_dir: Path, config: PlanConfig, report: Callable[[str], None] = lambda s: None,
             lang: str = "zh", *, progress=None, **engine) -> list[StepResult]:
    """Run every pipeline step on the shipped demo city: the inventory is read once, and sites.csv is
    written once (by the packaging step, with the package columns). ``lang``: headers of the indicators
    and the shortlist, and the briefing's language (zh default, en). ``engine`` takes the engine options
    of :func:`simulate_sites` (``engine``, ``scheduler``, ``scheduler_file``, ``client``, ``dashboard``)."""
    check_lang(lang)
    steps = []
    check_lang(lang)
    res, step = validate_step(demo_inventory_path(), out_dir, config, lang=lang)  # the one read of the inventory
    steps.append(step)
    report(step.summary)
    surfaces, sites = simulate_sites(res.clean, config, None, warn=report, progress=progress, **engine)
    files = (write_result(surfaces, out_dir / "surfaces.csv"),
             write_result(assumptions_table(config), out_dir / "sites_assumptions.csv"),
             write_result(sensitivity_table(sites, config), out_dir / "sites_sensitivity.csv"))
    steps.append(StepResult("simulate", files, simulation_summary(surfaces, sites, lang)))
    report(steps[-1].summary)
    retro, step = retrofit_step(data_path(DEMO_BUILDINGS), out_dir / "retrofit.csv", config, warn=report,
                                surfaces=res.clean, sites=sites, indicators_out=out_dir / "indicators.csv",
                                lang=lang)
    steps.append(step)
    report(step.summary)
    steps.append(package_outputs(sites, out_dir, config, retro, lang))
    report(steps[-1].summary)
    _, step = contract_step(data_path(DEMO_BUILDINGS), out_dir / "deal.xlsx", config, pv_sites=out_dir / "sites.csv",
                            warn=report, retrofit=retro, lang=lang)   # the trusteeship headline of the briefing
    steps.append(step)
    report(step.summary.splitlines()[-1])
    step_progress("map", 0, 3)
    html = (write_map(out_dir, out_dir / "map.html", tiles="osm", offline=True, lang=lang),)
    step_progress("map", 1, 3)
    html += (write_briefing(out_dir, out_dir / "briefing.html", lang=lang, offline=True),)
    step_progress("map", 2, 3)
    html += (write_docx(out_dir, out_dir / "briefing.docx", lang=lang),)
    step_progress("map", 3, 3)
    steps.append(StepResult("maps", html, "map.html（联网时显示 OpenStreetMap 底图，断网亦可用）、briefing.html"
                                          "（均为单文件）与 briefing.docx（可在 WPS 或 Word 中编辑）" if lang == "zh" else
                                          "map.html (OpenStreetMap tiles when online, works without), briefing.html "
                                          "(both self-contained) and briefing.docx (to edit in WPS or Word)"))
    report(steps[-1].summary)
    return steps


DEMO_BUILDINGS = "demo_shiyan_buildings.csv"


def retrofit_params(config: PlanConfig) -> RetrofitParams:
    """The retrofit assumptions from the ``[retrofit]`` section."""
    return config.typed("retrofit", RetrofitParams)


def read_buildings(buildings: Path, location: str | None = None) -> BuildingsResult:
    """Read and validate a buildings table; buildings without lat/lon take ``location`` or are rejected."""
    res = read_buildings_table(buildings)
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
    return BuildingsResult(clean, rejects, res.n_input, res.skipped, res.messages, label)


def evaluate_buildings(clean: pd.DataFrame, config: PlanConfig, weather_spec=None, *,
                       warn=_warn, sites: pd.DataFrame | None = None,
                       surfaces: pd.DataFrame | None = None) -> pd.DataFrame:
    """Savings of every applicable measure for every clean building (one row per building and measure).

    Each building sees the weather year of its site, grouped by the same rule as the PV path
    (:func:`solarplan.weather.grouping.site_weather_groups`) with the same ``[weather]`` options.
    """
    params = retrofit_params(config)
    if sites is not None and len(sites):  # one electricity price per site: the tariff the PV side used
        given = pd.to_numeric(sites["tariff_cny_per_kwh"], errors="coerce") if "tariff_cny_per_kwh" in sites \
            else pd.Series(np.nan, index=sites.index)
        tariff = pd.Series(given.fillna(economic_params(config).default_tariff_cny_per_kwh).to_numpy(),
                           index=sites["site_id"]).groupby(level=0).first()
        clean = clean.copy()
        price = clean["site_id"].map(tariff)
        clean["electricity_price_cny_per_kwh"] = clean["electricity_price_cny_per_kwh"].fillna(price) \
            if "electricity_price_cny_per_kwh" in clean else price
    temps, meta = {}, {}
    wopts = dict(config.section("weather"))
    site_of = clean["site_id"].to_numpy() if len(clean) else np.array([])
    # with the PV surfaces, group over exactly the PV side's points, so each group's position (the mean of
    # its rows) and hence its weather year is the PV one; buildings of other sites are grouped on their own
    points = clean[["site_id", "lat", "lon"]]
    groups = []
    if surfaces is not None and len(surfaces):
        pv_points = pd.DataFrame(surfaces)[["site_id", "lat", "lon"]]
        groups = [g for g in site_weather_groups(pv_points, weather_spec) if set(g.site_ids) & set(site_of)]
        points = points[~points["site_id"].isin(set(pv_points["site_id"]))]
    groups += site_weather_groups(points, weather_spec) if len(points) else []
    for g in groups:
        w = weather_for_group(weather_spec, g, wopts)
        for msg in w.warnings:
            warn(msg)
        t = w.weather.data["temp_air"].to_numpy()
        for b in clean.loc[pd.Series(site_of).isin(g.site_ids).to_numpy(), "building_id"]:
            temps[b], meta[b] = t, (w.weather.source, bool(w.synthetic))
    table = evaluate(clean, temps, params, meta)
    table["weather_source"] = table["building_id"].map({b: m[0] for b, m in meta.items()})
    return table


def retrofit_for_buildings(buildings: Path, config: PlanConfig, weather_spec=None, location: str | None = None,
                           warn=_warn):
    """Read, validate and evaluate a buildings table; return (savings table, rejects, BuildingsResult)."""
    res = read_buildings(buildings, location)
    return evaluate_buildings(res.clean, config, weather_spec, warn=warn), res.rejects, res


def retrofit_assumptions(config: PlanConfig) -> pd.DataFrame:
    """Prices, measure parameters and factors behind a retrofit table, with their sources."""
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


def retrofit_summary(table: pd.DataFrame, res, lang: str = "zh") -> str:
    """Buildings, measures, the totals of the counted (recommended) measures, and what was left out and why
    (zh: counts per measure, the reasons being in the table's ``excluded_reason`` column)."""
    c = table[table["counted"]] if len(table) else table
    s = lambda col: float(c[col].sum()) if len(c) else 0.0  # noqa: E731
    lines = [buildings_summary(res, lang),
             say("retrofit", lang, n_measures=f"{len(table):,}", n_counted=f"{len(c):,}",
                 n_buildings=table["building_id"].nunique() if len(table) else 0,
                 kwh=energy(s("saved_electricity_kwh"), lang, 1)[0], e_unit=energy(0, lang)[1],
                 tce=f"{s('saved_tce'):,.0f}", co2=f"{s('saved_co2_t'):,.0f}", saved=money(s("saved_cny"), lang)[0],
                 capex=money(s("incremental_capex_cny"), lang)[0], m_unit=money(0, lang)[1])]
    if len(table) and (~table["counted"]).any():
        lo = left_out(table)
        if lang == "zh":
            per = lo.groupby("measure", sort=False)["measures"].sum()
            parts = "、".join(say("left_out_part", lang, measure=value_label("measure", m, lang), n=int(n))
                             for m, n in per.items())
        else:
            parts = "; ".join(say("left_out_part", lang, n=r.measures, measure=r.measure, reason=r.reason)
                              for r in lo.head(6).itertuples())
        lines.append(say("left_out", lang, n=int(lo["measures"].sum()), parts=parts))
    return "\n".join(lines)


def _require_buildings(buildings: Path, table: pd.DataFrame, rejects: pd.DataFrame, rejects_out: Path) -> None:
    """Refuse to write an empty result: with no usable building, write the rejects and raise InputError."""
    if len(table):
        return
    if len(rejects):
        write_result(rejects, rejects_out, sheet="rejects")
        first = str(rejects["reason"].iloc[0])
        first = first if len(first) <= 160 else first[:157] + "..."
        raise InputError(f"{buildings}: no building can be evaluated: all {len(rejects)} rows were rejected "
                         f"(first: {first}); every reason is in {rejects_out}")
    raise InputError(f"{buildings}: the table has no building rows")


def retrofit_step(buildings: Path, out: Path, config: PlanConfig, weather_spec=None, location=None,
                  warn=_warn, surfaces=None, sites=None, indicators_out: Path | None = None,
                  lang: str = "zh"):
    """Evaluate a buildings table; write the savings table, its rejects and its assumptions (and, with
    ``indicators_out``, the indicators table with PV from ``sites``)."""
    res = read_buildings(buildings, location)
    _require_buildings(buildings, res.clean, res.rejects, out.with_name(out.stem + "_rejects.csv"))
    table, rejects = evaluate_buildings(res.clean, config, weather_spec, warn=warn, sites=sites,
                                        surfaces=surfaces), res.rejects
    ind = write_indicators(res.clean, table, sites, indicators_out, retrofit_params(config).prices, lang) \
        if indicators_out is not None else []
    files = (write_result(table, out, lang, "retrofit"),
             write_result(rejects, out.with_name(out.stem + "_rejects.csv")),
             write_result(retrofit_assumptions(config), out.with_name(out.stem + "_assumptions.csv")), *ind)
    return table, StepResult("retrofit", files, retrofit_summary(table, res, lang))


def write_indicators(buildings: pd.DataFrame, table: pd.DataFrame, sites, out: Path, prices, lang: str = "zh"):
    """The indicators: ``out`` (CSV, per institution and an ALL row) and ``<stem>_register.csv`` (the whole
    register, one row per indicator), both with machine field names in every language (as every CSV), and
    ``<stem>.xlsx`` with both tables under the headers of ``lang`` (zh default, en)."""
    b = buildings.copy()
    if sites is not None and len(sites) and "occupants" in sites:
        occ = pd.Series(pd.to_numeric(sites["occupants"], errors="coerce").to_numpy(), index=sites["site_id"])
        first = ~b["site_id"].duplicated()
        fill = b["site_id"].map(occ.groupby(level=0).first()).where(first)
        b["occupants"] = b["occupants"].fillna(fill) if "occupants" in b else fill
    check_lang(lang)
    t = indicators(b, table, sites, prices.tce_basis, prices.grid_region, prices.grid_year)
    # the workbook: headers already words in ``lang`` (planning.indicators), so no glossary sheet
    shown = t.assign(category=[value_label("category", v, lang) for v in t["category"]]) if "category" in t else t
    sheets = {"institutions": headers(shown, lang), "register": register(t, lang)}
    return [write_result(t, out), write_result(register_fields(t), out.with_name(out.stem + "_register.csv")),
            *write_results(sheets, out.with_suffix(".xlsx"), lang, glossary=False)]


def contract_terms(kind: str = "trusteeship", term: int | None = None, parameter: float | None = None) -> ContractTerms:
    """Contract terms from the command's options (shared savings default to 8 years)."""
    try:
        terms = ContractTerms(kind=kind)
        if term is not None:
            terms = replace(terms, term_years=int(term))
        elif kind == "shared-savings":
            terms = replace(terms, term_years=8)
        if parameter is not None:
            terms = replace(terms, **{SOLVED_PARAMETER[kind]: float(parameter)})
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return terms


def _machine_names(path: Path, df: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """A workbook written by solarplan (zh or en headers, glossary sheet) read back with the machine column
    names and codes (:func:`solarplan.io.tables.read_results`); any other table as read."""
    if Path(path).suffix.lower() != ".xlsx":
        return df
    try:
        back = read_results(path, sheet)
    except InputError:
        return df
    return back.astype(object).where(back.notna(), None) if len(back) == len(df) else df


def read_pv_sites(path: Path) -> pd.DataFrame:
    """A PV sites table (from ``solarplan simulate`` or ``demo``) for a contract."""
    df, *_ = read_rows(path)
    df = _machine_names(path, df, "sites")
    need = {"site_id", "annual_ac_kwh", "capex_cny"}
    if not need <= set(df.columns):
        raise InputError(f"{path}: a PV sites table (from solarplan simulate or demo) needs columns "
                         f"{', '.join(sorted(need))}; found {', '.join(map(str, df.columns))}")
    num = {c: pd.to_numeric(df[c], errors="coerce") for c in ("tariff_cny_per_kwh", "self_consumed_value_cny",
                                                             "export_revenue_cny", "export_kwh",
                                                             "export_price_cny_per_kwh") if c in df.columns}
    return df.assign(**{c: pd.to_numeric(df[c], errors="coerce").fillna(0.0)
                        for c in ("annual_ac_kwh", "capex_cny", "self_consumed_kwh") if c in df.columns}, **num)


#: Columns a retrofit table needs to be priced in a contract (written by ``solarplan retrofit`` or ``demo``).
RETROFIT_TABLE_COLUMNS = ("building_id", "site_id", "measure", "counted", "saved_cny", "capex_cny",
                          "simple_payback_years", "baseline_cny")
_TRUE_WORDS = {"true", "1", "yes", "y", "是", "t"}
_FALSE_WORDS = {"false", "0", "no", "n", "否", "f", ""}


def read_retrofit_table(path: Path, buildings: pd.DataFrame | None = None) -> pd.DataFrame:
    """A retrofit savings table written by ``solarplan retrofit`` or ``demo`` (CSV or XLSX), for a contract.

    Checks its columns, turns ``counted`` into booleans and the money columns into numbers, and (with
    ``buildings``) that every row names a building of the buildings table, so a contract never prices
    measures of buildings it does not hold.
    """
    df, rows, label, _ = read_rows(path)
    df = _machine_names(path, df, "retrofit")
    missing = [c for c in RETROFIT_TABLE_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: a retrofit table (from solarplan retrofit or demo) needs the columns "
                         f"{', '.join(missing)}; found {', '.join(map(str, df.columns))}")
    word = df["counted"].astype(str).str.strip().str.lower()
    bad = ~word.isin(_TRUE_WORDS | _FALSE_WORDS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{path} {label} {rows.iloc[i]}: column counted must be true or false, got "
                         f"{df['counted'].iloc[i]!r}")
    df = df.assign(counted=word.isin(_TRUE_WORDS).to_numpy())
    for c in ("saved_cny", "capex_cny", "simple_payback_years", "baseline_cny", "incremental_capex_cny",
              "electricity_price_cny_per_kwh", "saved_electricity_kwh", "saved_tce", "saved_co2_t"):
        if c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="coerce")
    for c in ("saved_cny", "capex_cny", "baseline_cny"):
        if df[c].isna().any():
            i = int(np.flatnonzero(df[c].isna().to_numpy())[0])
            raise InputError(f"{path} {label} {rows.iloc[i]}: column {c} must be a number, got {df[c].iloc[i]!r}")
    df["building_id"] = df["building_id"].astype(str).str.strip()
    if buildings is not None:
        known = set(buildings["building_id"].astype(str))
        unknown = ~df["building_id"].isin(known)
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise InputError(f"{path} {label} {rows.iloc[i]}: building_id {df['building_id'].iloc[i]!r} is not in "
                             f"the buildings table ({int(unknown.sum())} row(s) like it); give the buildings table "
                             "the retrofit table was computed from")
    return df


def price_contracts(table: pd.DataFrame, buildings: pd.DataFrame, config: PlanConfig, terms: ContractTerms,
                    *, pv_sites: pd.DataFrame | None = None, target_irr: float | None = None):
    """Price a contract for each package of buildings (optionally with rooftop PV).

    Parameters
    ----------
    table : DataFrame
        Retrofit savings table (:func:`evaluate_buildings`, or :func:`read_retrofit_table` of the file
        ``solarplan retrofit``/``demo`` wrote): it is used as it is, not recomputed.
    buildings : DataFrame
        The clean buildings it was computed from.
    terms : ContractTerms
        :func:`contract_terms`.
    pv_sites : DataFrame, optional
        PV sites (``site_id``, ``annual_ac_kwh``, ``capex_cny``; the ``self_consumed_value_cny`` and
        ``export_revenue_cny`` of :func:`simulate_sites` are the PV value used, else ``self_consumed_kwh``
        at the site's price, :func:`retrofit.contracts.pv_value`).
    target_irr : float, optional
        Solve the contract's own figure for this ESCO IRR [-].

    Returns
    -------
    (packages, per_building, cashflows, sensitivity) DataFrames.
    """
    econ = economic_params(config)
    if pv_sites is not None and len(pv_sites):  # the tariff the PV side valued each site at
        given = pd.to_numeric(pv_sites["tariff_cny_per_kwh"], errors="coerce") if "tariff_cny_per_kwh" in pv_sites \
            else pd.Series(np.nan, index=pv_sites.index)
        pv_sites = pv_sites.assign(tariff_cny_per_kwh=given.fillna(econ.default_tariff_cny_per_kwh))
    per_b = building_inputs(table, buildings, retrofit_params(config).prices, pv_sites,
                            econ.export_price(), max_payback_years=terms.term_years)
    packages, flows, sens = package_deals(per_b, terms, econ.discount_rate, target_irr)
    return packages, per_b, flows, sens


def contract_summary(packages: pd.DataFrame, res: BuildingsResult, kind: str, target_irr: float | None,
                     lang: str = "zh") -> str:
    """Summary lines: one per package, with the solved figure when a target IRR was given."""
    lines = [buildings_summary(res, lang)]
    m_unit = money(0, lang)[1]
    for p in packages.itertuples():
        lines.append(say(
            "deal", lang, package=package_label(p.package, lang), buildings=p.buildings, m_unit=m_unit,
            baseline=money(p.baseline_bill_cny, lang)[0], savings=money(p.savings_cny, lang)[0],
            share=f"{p.saving_share:.0%}", investment=money(p.investment_cny, lang)[0],
            irr=say("na", lang) if np.isnan(p.esco_irr) else f"{p.esco_irr:.1%}",
            payback=say("never", lang) if np.isnan(p.esco_payback_years) else say("years", lang, v=p.esco_payback_years),
            verdict=say("viable", lang) if p.viable else say("not_viable", lang, reason=reason_text(p.reason, lang))))
        if target_irr is not None:
            par = SOLVED_PARAMETER[kind]
            val = getattr(p, f"solved_{par}")
            lines.append(say("solved", lang, target=f"{target_irr:.1%}", value=f"{val:.2%}" if np.isfinite(val)
                             else reason_text(p.solved_note, lang),
                             parameter=PARAMETER_WORDS.get(par, (par, par))[0 if lang == "zh" else 1]))
    return "\n".join(lines)


def contract_step(buildings: Path, out: Path, config: PlanConfig, *, kind: str = "trusteeship",
                  term: int | None = None, target_irr: float | None = None, pv_sites: Path | None = None,
                  parameter: float | None = None, weather_spec=None, location=None, warn=_warn,
                  retrofit: Path | pd.DataFrame | None = None, lang: str = "zh"):
    """Price a contract for each package of a buildings table (optionally with rooftop PV).

    ``retrofit``: the retrofit results (the file ``solarplan retrofit``/``demo`` wrote, or the same
    DataFrame) are priced as they are; without it the buildings are evaluated here.
    Writes (XLSX: one sheet each; CSV: one file each) packages, buildings, cashflows, sensitivity.
    """
    terms = contract_terms(kind, term, parameter)
    if retrofit is None:
        table, rejects, res = retrofit_for_buildings(buildings, config, weather_spec, location, warn)
    else:
        res = read_buildings(buildings, location)
        rejects = res.rejects
        table = retrofit if isinstance(retrofit, pd.DataFrame) else read_retrofit_table(retrofit, res.clean)
    _require_buildings(buildings, res.clean if retrofit is not None else table, rejects,
                       out.with_name(out.stem + "_rejects.csv"))
    pv = read_pv_sites(pv_sites) if pv_sites is not None else None
    packages, per_b, flows, sens = price_contracts(table, res.clean, config, terms, pv_sites=pv,
                                                   target_irr=target_irr)
    files = write_results({"packages": packages, "buildings": per_b, "cashflows": flows, "sensitivity": sens,
                           "rejects": rejects}, out, lang)
    return packages, StepResult("contract", tuple(files), contract_summary(packages, res, kind, target_irr, lang))


def package_rules(config: PlanConfig) -> PackageRules:
    """The packaging rules from the ``[packages]`` section."""
    return config.typed("packages", PackageRules)


def package_sites(sites: pd.DataFrame, config: PlanConfig, retrofit_table: pd.DataFrame | None = None) -> Packaging:
    """Package and rank simulated sites; the counted retrofit savings of a site join its ranking."""
    s = pd.DataFrame(sites).drop(columns=["geometry"], errors="ignore")
    if retrofit_table is not None and len(retrofit_table):
        c = retrofit_table[retrofit_table["counted"]].groupby("site_id")[["saved_tce", "saved_co2_t", "saved_cny"]].sum()
        s = s.join(c.add_prefix("retrofit_"), on="site_id")
    return make_packages(s, package_rules(config))


def package_outputs(sites: pd.DataFrame, out_dir: Path, config: PlanConfig, retrofit_table=None,
                    lang: str = "zh") -> StepResult:
    """Package and rank simulated sites; write sites.csv, packages.csv, excluded.csv, packages.gpkg and
    shortlist.xlsx into ``out_dir``."""
    check_lang(lang)
    res = package_sites(sites, config, retrofit_table)
    ensure_folder(out_dir)
    all_sites = pd.concat([res.sites, res.excluded], ignore_index=True)
    all_sites["package_id"] = all_sites["package_id"].fillna("")
    files = [write_result(all_sites, out_dir / "sites.csv"), write_result(res.packages, out_dir / "packages.csv"),
             write_result(res.excluded, out_dir / "excluded.csv")]
    gpkg = out_dir / "packages.gpkg"
    pts = gpd.GeoDataFrame(res.sites, geometry=gpd.points_from_xy(res.sites["lon"], res.sites["lat"]), crs=4326)
    layers = {"sites": pts}
    if len(pts):
        layers["packages"] = outl = package_outlines(res.sites, res.packages)
        files.append(write_result(outl, out_dir / "packages.geojson"))
    files.append(write_layers(layers, gpkg))
    files.append(write_workbook(shortlist_sheets(res.sites, res.packages, lang), out_dir / "shortlist.xlsx", lang=lang))
    p = res.packages
    summary = say("packages", lang, n_packages=len(p), n_sites=len(res.sites), n_excluded=len(res.excluded),
                  mw=f"{p['capacity_kwp'].sum() / 1e3 if len(p) else 0:,.2f}", e_unit=energy(0, lang)[1],
                  kwh=energy(p["annual_ac_kwh"].sum() if len(p) else 0, lang, 0)[0])
    if len(p) and (p["bound_violation"] != "").any():
        summary += say("bounds", lang, text="; ".join(reason_text(v, lang) for v in p["bound_violation"] if v))
    return StepResult("packages", tuple(files), summary)


def packages_step(inventory: Path, out_dir: Path, config: PlanConfig, buildings: Path | None = None,
                  weather_spec=None, lang: str = "zh", progress=None, warn=_warn,
                  **engine) -> list[StepResult]:
    """Validate and simulate an inventory (and evaluate buildings), then package and rank the sites.
    ``engine`` takes the engine options of :func:`simulate_sites`."""
    res = validated_inventory(inventory, config, require_china=is_embedded(weather_spec))
    read_files = (write_result(res.rejects, out_dir / "rejects.csv"), write_result(res.skipped, out_dir / "skipped.csv"))
    _, sites = simulate_sites(res.clean, config, weather_spec, progress=progress, warn=warn, **engine)
    retro = None
    steps = [StepResult("inventory", read_files, "\n".join([rows_summary(res, lang),
                                                          *(say("note", lang, text=m) for m in res.messages)]))]
    if buildings is not None:
        retro, step = retrofit_step(buildings, out_dir / "retrofit.csv", config, weather_spec, warn=warn,
                                    sites=sites, indicators_out=out_dir / "indicators.csv", lang=lang)
        steps.append(step)
    steps.append(package_outputs(sites, out_dir, config, retro, lang))
    return steps
