"""Yield and per-site flows of a set of surfaces under one weather year: the unit of work both engines run.

The local engine calls :func:`simulate_with_flows` once per weather group; the Dask engine
(:mod:`solarplan.pv.distributed`) runs the same two functions, :func:`solarplan.pv.yieldsim.simulate`
and :func:`solarplan.pv.siteflows.flows_for_surfaces`, on partitions of sites, so both give the same
sites table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from solarplan.pv import tariffs as tf
from solarplan.pv.engines import DEFAULT_ENGINE, get_engine
from solarplan.pv.siteflows import GridParams, flows_for_surfaces
from solarplan.pv.yieldsim import MONTH_COLUMNS, SolarGeometry, SystemParams, simulate
from solarplan.weather.core import WeatherYear


@dataclass(frozen=True)
class FlowTerms:
    """What :func:`solarplan.pv.siteflows.flows_for_surfaces` needs besides the profiles.

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

    def flows(self, surfaces: pd.DataFrame, config_id: np.ndarray, hourly_per_kwp: np.ndarray) -> pd.DataFrame:
        """:func:`~solarplan.pv.siteflows.flows_for_surfaces` with these terms."""
        return flows_for_surfaces(surfaces, config_id, hourly_per_kwp, self.schedule, self.grid,
                                  self.export_price_cny_per_kwh, self.default_tariff_cny_per_kwh)


def simulate_with_flows(surfaces: pd.DataFrame, weather: WeatherYear, params: SystemParams, terms: FlowTerms, *,
                        progress: Callable[[int, int], None] | None = None, threads: int | None = None,
                        yield_engine: str = DEFAULT_ENGINE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Yield of every surface and the flows of every site, for surfaces sharing one weather year.

    ``yield_engine`` names the yield engine (:data:`solarplan.pv.engines.ENGINES`: 'pvlib', the reference,
    or 'fused', the numba kernel equal to it within 1e-6).

    Returns
    -------
    (yields, flows)
        ``yields``: :func:`solarplan.pv.yieldsim.simulate` ``.surfaces`` without ``config_id``;
        ``flows``: :func:`solarplan.pv.siteflows.flows_for_surfaces` (index site_id).
    """
    full = get_engine(yield_engine)(surfaces, weather, params, progress=progress, hourly=True, threads=threads)
    flows = terms.flows(surfaces, full.surfaces["config_id"].to_numpy(), full.hourly_per_kwp.to_numpy().T)
    return full.surfaces.drop(columns="config_id"), flows


def config_results(configs: pd.DataFrame, weather: WeatherYear, params: SystemParams,
                   geometry: SolarGeometry | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Per-kWp results of distinct configurations, in their order.

    Parameters
    ----------
    configs : DataFrame
        ``surface_tilt``, ``surface_azimuth``, ``mounting``, ``gcr`` as
        :func:`solarplan.pv.yieldsim.unique_configs` returns them (already rounded and distinct).

    Returns
    -------
    (summary, hourly)
        ``summary``: ``annual`` [kWh/kWp], ``poa`` [kWh/m2] and ``monthly_ac_kwh_01`` .. ``_12``
        [kWh/kWp] per configuration (index of ``configs``); ``hourly``: array (configurations, 8760)
        of AC per kWp [kWh/kWp].
    """
    one = configs.assign(capacity_kwp=1.0)
    res = simulate(one, weather, params, hourly=True, threads=1, geometry=geometry)
    cid = res.surfaces["config_id"].to_numpy()
    summary = pd.DataFrame({"annual": res.surfaces["specific_yield_kwh_per_kwp"].to_numpy(),
                            "poa": res.surfaces["poa_kwh_m2"].to_numpy()}, index=configs.index)
    for c in MONTH_COLUMNS:  # capacity 1: the monthly energy per kWp itself
        summary[c] = res.surfaces[c].to_numpy()
    hourly = np.ascontiguousarray(res.hourly_per_kwp.to_numpy().T[cid])
    return summary, hourly
