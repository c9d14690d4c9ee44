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

from .aggregate import sites_from_surfaces
from .config import PlanConfig
from .errors import ConfigError
from .uncertainty import for_weather
from .weather import get_weather
from .weather.stations import climatology, haversine_km
from .yieldsim import SystemParams, simulate
from .inventory import read_inventory, write_table
from .resources import data_path

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
    files = (write_table(res.clean, out_dir / "surfaces_clean.csv"), write_table(res.rejects, out_dir / "rejects.csv"))
    return res, StepResult("inventory", files, res.summary())


def system_params(config: PlanConfig) -> SystemParams:
    """The engine parameters from the ``[yield]`` section."""
    try:
        return SystemParams.from_mapping(config.section("yield"))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{config.source}: [yield] {exc}") from None


def _weather_groups(clean: pd.DataFrame, spec) -> dict:
    """Which surfaces share a weather year: one file for all, or the nearest station of each."""
    if spec not in (None, "auto"):
        return {str(spec): clean.index}
    clim = climatology()
    lat, lon = clean["lat"].to_numpy(), clean["lon"].to_numpy()
    slat, slon = clim["lat"].to_numpy(), clim["lon"].to_numpy()
    nearest = np.array([int(np.argmin(haversine_km(a, b, slat, slon))) for a, b in zip(lat, lon)]) \
        if len(clean) else np.array([], int)
    return {int(k): clean.index[nearest == k] for k in np.unique(nearest)}


def yield_for_inventory(clean: gpd.GeoDataFrame, config: PlanConfig, weather_spec=None, *, engine: str = "local",
                        scheduler: str | None = None, progress=None, warn=lambda s: None):
    """Simulate every clean surface; return (surfaces with yield columns, sites).

    With ``weather_spec`` auto/None each surface uses the synthetic year of its
    nearest station (surfaces sharing a station share one year); with a file,
    all surfaces use it.
    """
    params = system_params(config)
    wopts = dict(config.section("weather"))
    parts = []
    for key, idx in _weather_groups(clean, weather_spec).items():
        group = clean.loc[idx]
        lat, lon = float(group["lat"].mean()), float(group["lon"].mean())
        resolved = get_weather(weather_spec, lat, lon, shift=wopts.get("shift", "auto"),
                               closure=wopts.get("closure", "auto"),
                               station_method=wopts.get("station_method", "nearest"))
        for w in resolved.warnings:
            warn(w)
        wy = resolved.weather
        if weather_spec not in (None, "auto"):
            far = haversine_km(wy.latitude, wy.longitude, group["lat"].to_numpy(), group["lon"].to_numpy()) > 150
            if far.any():
                warn(f"{int(far.sum())} surface(s) lie more than 150 km from the weather file's location")
        if engine == "dask":
            from .distributed import simulate_dask
            res = simulate_dask(group, wy, params, scheduler=scheduler)
        elif engine == "local":
            res = simulate(group, wy, params, progress=progress).surfaces.drop(columns="config_id")
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
        from .yieldsim import MONTH_COLUMNS
        cols = ["annual_ac_kwh", "specific_yield_kwh_per_kwp", "poa_kwh_m2", "performance_ratio", *MONTH_COLUMNS,
                "p50_ac_kwh", "p90_ac_kwh", "uncertainty_sigma_pct", "weather_source", "weather_shift_h"]
        parts = [pd.DataFrame({c: pd.Series(dtype=object if c == "weather_source" else float) for c in cols},
                              index=clean.index)]
    yields = pd.concat(parts).loc[clean.index]
    surfaces = clean.join(yields.drop(columns=["capacity_kwp"], errors="ignore"))
    return surfaces, sites_from_surfaces(surfaces)


def simulate_step(inventory: Path, out: Path, config: PlanConfig, weather_spec=None, *,
                  surfaces_out: Path | None = None, rejects_out: Path | None = None, engine="local",
                  scheduler=None, progress=None, warn=lambda s: None):
    """Read, validate and simulate an inventory; write site results (and surfaces, rejects)."""
    require_china = weather_spec in (None, "auto")
    res = read_inventory(inventory, config, require_china=require_china)
    surfaces, sites = yield_for_inventory(res.clean, config, weather_spec, engine=engine, scheduler=scheduler,
                                          progress=progress, warn=warn)
    files = [write_table(sites, out)]
    if surfaces_out:
        files.append(write_table(surfaces, surfaces_out))
    rej = rejects_out or out.with_name(out.stem + "_rejects.csv")
    files.append(write_table(res.rejects, rej))
    total = sites["annual_ac_kwh"].sum() if len(sites) else 0.0
    cap = sites["capacity_kwp"].sum() if len(sites) else 0.0
    summary = (f"{res.summary()}\nsimulated {len(surfaces)} surfaces in {len(sites)} sites: "
               f"{cap / 1e3:,.2f} MWp, {total / 1e4:,.1f} 万kWh/yr (P50), "
               f"{sites['p90_ac_kwh'].sum() / 1e4 if len(sites) else 0:,.1f} 万kWh/yr (P90), "
               f"{total / cap if cap else float('nan'):,.0f} kWh/kWp")
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
    return steps
