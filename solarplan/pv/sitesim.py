"""Yield and per-site flows of a set of surfaces under one weather year: the unit of work both engines run.

:func:`simulate_with_flows` is the chunk function: the local engine calls it once per weather group, and a
Dask partition (whole sites) can call it on its own surfaces with the scattered weather and geometry
(:mod:`solarplan.pv.distributed`). Its memory is bounded whatever the number of surfaces:

* **compute once, then sum** (route ``'once'``): every distinct configuration's hourly AC per kWp is
  computed once and kept (configurations x hours), then summed to sites with a sparse matrix
  :data:`SITES_PER_CHUNK` sites at a time. Best where many surfaces share few configurations (a city's
  register: 1,000,000 surfaces merge to about 17,000 configurations).
* **stream** (route ``'stream'``): sites are taken :data:`SITES_PER_CHUNK` at a time; the fused kernel sums
  each site's hourly AC inside its loop (:func:`solarplan.pv.fused.site_sums`), so no configurations x hours
  array exists; the pvlib reference engine simulates each chunk's configurations and sums them. Best where
  configurations are nearly as many as surfaces (a province with measured orientations).

``route='auto'`` keeps the first where the configurations x hours array fits :data:`HOURLY_BUDGET_BYTES`.
Per chunk, :func:`solarplan.pv.siteflows.site_flows` turns the sites' hourly PV into flows and only
per-site results are kept. Both routes give the same tables within floating-point summation order
(tests/pv/test_sitesim.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import sparse

from solarplan.core.errors import ConfigError
from solarplan.pv import fused
from solarplan.pv import gridrules as gr
from solarplan.pv import tariffs as tf
from solarplan.pv.engines import DEFAULT_ENGINE, get_engine
from solarplan.pv.siteflows import GridParams, site_flows, site_inputs
from solarplan.pv.yieldsim import (SolarGeometry, SystemParams, check_surface_columns, solar_geometry,
                                   surface_yields, unique_configs)
from solarplan.weather.core import WeatherYear

#: Largest configurations x hours float64 array the compute-once route keeps [bytes]: 1 GiB, about 30,000
#: configurations of 4,400 daytime hours (fused) or 15,000 of 8,760 hours (pvlib). An engineering choice:
#: it keeps a city's register (about 17,000 configurations) on the faster compute-once route and leaves
#: about 3 GB of a 4 GB budget for the tables; larger sets stream.
HOURLY_BUDGET_BYTES = 1 << 30
#: Sites per chunk of the site flows and of the streamed kernel: (sites, 8,760) float64 arrays of 16 MB,
#: a dozen of them alive in :func:`~solarplan.pv.siteflows.site_flows` (an engineering choice).
SITES_PER_CHUNK = 256
ROUTES = ("auto", "once", "stream")


@dataclass(frozen=True)
class FlowTerms:
    """What :func:`solarplan.pv.siteflows.site_flows` needs besides the profiles and the sites.

    Attributes
    ----------
    schedule : TouSchedule
        Time-of-use schedule (``[tariffs]``).
    grid : GridParams
        Grid-connection rules (``[grid]``).
    export_price_cny_per_kwh : float
        [CNY/kWh]
    default_tariff_cny_per_kwh : float
        Tariff of sites without ``tariff_cny_per_kwh`` [CNY/kWh].
    """

    schedule: tf.TouSchedule
    grid: GridParams
    export_price_cny_per_kwh: float
    default_tariff_cny_per_kwh: float

    def site_flows(self, pv_hourly_kwh: np.ndarray, inputs: pd.DataFrame, min_table=None) -> pd.DataFrame:
        """:func:`~solarplan.pv.siteflows.site_flows` with these terms."""
        return site_flows(pv_hourly_kwh, inputs, self.schedule, self.grid, self.export_price_cny_per_kwh,
                          self.default_tariff_cny_per_kwh, min_table)


def choose_route(n_configs: int, n_hours: int, route: str = "auto",
                 budget_bytes: int = HOURLY_BUDGET_BYTES) -> str:
    """'once' or 'stream' for ``n_configs`` configurations of ``n_hours`` kept hours (see the module)."""
    if route not in ROUTES:
        raise ConfigError(f"unknown simulation route {route!r}; valid: {', '.join(ROUTES)}")
    if route != "auto":
        return route
    return "once" if n_configs * n_hours * 8 <= budget_bytes else "stream"


def simulate_with_flows(surfaces: pd.DataFrame, weather: WeatherYear, params: SystemParams, terms: FlowTerms, *,
                        progress: Callable[[int, int], None] | None = None, threads: int | None = None,
                        yield_engine: str = DEFAULT_ENGINE, geometry: SolarGeometry | None = None,
                        route: str = "auto", sites_per_chunk: int = SITES_PER_CHUNK,
                        budget_bytes: int = HOURLY_BUDGET_BYTES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Yield of every surface and the flows of every site, for whole sites sharing one weather year.

    Parameters
    ----------
    surfaces : DataFrame
        The surfaces of whole sites (``site_id``, the columns of :data:`~solarplan.pv.yieldsim.SURFACE_COLUMNS`
        and the site input columns).
    weather : WeatherYear
    params : SystemParams
    terms : FlowTerms
    progress : callable(done, total), optional
        Distinct configurations done and their total.
    threads : int, optional
        Threads of the yield engine.
    yield_engine : str
        :data:`solarplan.pv.engines.ENGINES`: 'fused' (the numba kernel) or 'pvlib' (the reference).
    geometry : SolarGeometry, optional
        :func:`~solarplan.pv.yieldsim.solar_geometry` of ``weather`` and ``params``, if already computed.
    route : {'auto', 'once', 'stream'}
        See the module docstring; the results do not depend on it beyond summation order.
    sites_per_chunk : int
        Sites per chunk (bounds memory).
    budget_bytes : int
        The compute-once route's largest configurations x hours array (``route='auto'``).

    Returns
    -------
    (yields, flows)
        ``yields``: :func:`solarplan.pv.yieldsim.simulate` ``.surfaces`` without ``config_id`` (index of
        ``surfaces``); ``flows``: :func:`solarplan.pv.siteflows.site_flows` of every site (index site_id,
        sorted).
    """
    engine = get_engine(yield_engine)  # ConfigError for an unknown name
    check_surface_columns(surfaces)
    geom = geometry or solar_geometry(weather, params)
    configs, codes = unique_configs(surfaces, params.orientation_resolution_deg)
    n_hours = int(geom.day.sum()) if yield_engine == "fused" else 8760
    chosen = choose_route(len(configs), n_hours, route, budget_bytes)
    inputs = site_inputs(surfaces)
    site_idx = inputs.index.get_indexer(surfaces["site_id"])
    cap = surfaces["capacity_kwp"].to_numpy(float)
    table = gr.min_share_table(terms.grid.min_share_table or None)
    chunk = max(1, int(sites_per_chunk))
    if len(inputs) == 0:
        empty = engine(surfaces, weather, params, geometry=geom)
        return empty.surfaces.drop(columns="config_id"), terms.site_flows(np.zeros((0, 8760)), inputs, table)
    if chosen == "once":
        # every configuration once: its hourly AC per kWp (configurations, hours), then summed to sites
        if yield_engine == "fused":
            fused.check_supported(params)
            with fused.numba_threads(threads):
                annual, poa, monthly, hourly = fused.config_yields(fused.hour_terms(geom, params), configs, params,
                                                                   hourly=True, progress=progress)
            cols = np.flatnonzero(geom.day)
        else:
            full = engine(surfaces, weather, params, geometry=geom, hourly=True, threads=threads, progress=progress)
            hourly = full.hourly_per_kwp.to_numpy().T  # (configurations, 8760), a view
            codes, cols = full.surfaces["config_id"].to_numpy(), None
        a = sparse.csr_matrix((cap, (site_idx, codes)), shape=(len(inputs), len(configs)))
        parts = []
        for lo in range(0, len(inputs), chunk):
            sl = slice(lo, lo + chunk)
            parts.append(terms.site_flows(_full_year(np.asarray(a[sl] @ hourly), cols), inputs.iloc[sl], table))
        if yield_engine != "fused":
            return full.surfaces.drop(columns="config_id"), pd.concat(parts)
        yields = surface_yields(cap, codes, annual, poa, monthly, surfaces.index)
        return yields.drop(columns="config_id"), pd.concat(parts)
    yields, parts = _streamed(surfaces, weather, geom, params, terms, engine, yield_engine, configs, codes, inputs,
                              site_idx, cap, table, chunk, threads, progress)
    return yields, pd.concat(parts)


def _full_year(pv: np.ndarray, cols: np.ndarray | None) -> np.ndarray:
    """(sites, 8760) from the kept hours (``cols``: the daytime hours' positions; None: already 8760)."""
    if cols is None:
        return pv
    out = np.zeros((pv.shape[0], 8760))
    out[:, cols] = pv
    return out


def _streamed(surfaces, weather, geom, params, terms, engine, yield_engine, configs, codes, inputs, site_idx, cap,
              table, chunk, threads, progress):
    """The streamed route: per chunk of sites, their hourly PV (summed in the fused kernel, or from the
    pvlib engine on the chunk's configurations), then their flows. Returns (yields, flow parts)."""
    n_cfg, n_sites = len(configs), len(inputs)
    seen = np.zeros(n_cfg, bool)
    parts, yield_parts = [], []
    starts = list(range(0, n_sites, chunk))
    if yield_engine == "fused":
        fused.check_supported(params)
        hours_t = fused.hour_terms(geom, params)
        cols = np.flatnonzero(geom.day)
        annual, poa, monthly = np.zeros(n_cfg), np.zeros(n_cfg), np.zeros((n_cfg, 12))
        # (site, configuration) pairs with their summed capacity, sorted by site then configuration
        pair_key, inv = np.unique(site_idx.astype(np.int64) * n_cfg + codes, return_inverse=True)
        pair_cap = np.bincount(inv.ravel(), weights=cap, minlength=len(pair_key))
        pair_site, pair_cfg = pair_key // n_cfg, pair_key % n_cfg
        site_start = np.searchsorted(pair_site, np.arange(n_sites + 1))
        with fused.numba_threads(threads):
            for lo in starts:
                hi = min(lo + chunk, n_sites)
                q0, q1 = site_start[lo], site_start[hi]
                pv_day, a, p, m = fused.site_sums(hours_t, configs, params, site_start[lo:hi + 1] - q0,
                                                  pair_cfg[q0:q1], pair_cap[q0:q1])
                c = pair_cfg[q0:q1]
                annual[c], poa[c], monthly[c] = a, p / 1e3, m
                seen[c] = True
                parts.append(terms.site_flows(_full_year(pv_day, cols), inputs.iloc[lo:hi], table))
                if progress:
                    progress(int(seen.sum()), n_cfg)
        yields = surface_yields(cap, codes, annual, poa, monthly, surfaces.index)
        return yields.drop(columns="config_id"), parts
    # the reference engine on each chunk's surfaces (their configurations only)
    order = np.argsort(site_idx, kind="stable")
    bounds = np.append(np.searchsorted(site_idx[order], starts), len(order))
    for ci, lo in enumerate(starts):
        hi = min(lo + chunk, n_sites)
        pos = order[bounds[ci]:bounds[ci + 1]]
        res = engine(surfaces.iloc[pos], weather, params, geometry=geom, hourly=True, threads=threads)
        a_m = sparse.csr_matrix((cap[pos], (site_idx[pos] - lo, res.surfaces["config_id"].to_numpy())),
                                shape=(hi - lo, len(res.configs)))
        parts.append(terms.site_flows(np.asarray(a_m @ res.hourly_per_kwp.to_numpy().T), inputs.iloc[lo:hi], table))
        yield_parts.append(res.surfaces.drop(columns="config_id"))
        seen[codes[pos]] = True
        if progress:
            progress(int(seen.sum()), n_cfg)
    yields = pd.concat(yield_parts).iloc[np.argsort(order, kind="stable")]
    return yields, parts
