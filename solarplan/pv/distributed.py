"""The same engine over partitions of an inventory on a Dask cluster (dask.distributed).

The in-process path stays the default; this is for inventories that outgrow
one machine. Each partition runs :func:`solarplan.pv.yieldsim.simulate` on a
worker with the weather year scattered once; results are concatenated in the
input order.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from solarplan.weather.core import WeatherYear
from solarplan.pv.yieldsim import SystemParams, simulate


def _run_partition(part: pd.DataFrame, weather: WeatherYear, params: SystemParams) -> pd.DataFrame:
    return simulate(part, weather, params, threads=1).surfaces.drop(columns="config_id")


def simulate_dask(surfaces: pd.DataFrame, weather: WeatherYear, params: SystemParams | None = None, *,
                  scheduler: str | None = None, n_partitions: int | None = None, client=None) -> pd.DataFrame:
    """Simulate on a Dask cluster; returns the per-surface table of :func:`simulate` (without config_id).

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); default: a
        ``LocalCluster`` with one single-threaded worker per core.
    n_partitions : int, optional
        Default: 4 x the number of workers.
    client : distributed.Client, optional
        An existing client (tests pass one).
    """
    from dask.distributed import Client, LocalCluster

    params = params or SystemParams()
    own_cluster = None
    if client is None:
        if scheduler:
            client = Client(scheduler)
        else:
            own_cluster = LocalCluster(threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(own_cluster)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        n_parts = n_partitions or 4 * n_workers
        bounds = np.linspace(0, len(surfaces), min(n_parts, max(len(surfaces), 1)) + 1).astype(int)
        weather_f = client.scatter(weather, broadcast=True)
        futures = [client.submit(_run_partition, surfaces.iloc[a:b], weather_f, params, pure=False)
                   for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
        parts = client.gather(futures)
        return pd.concat(parts).loc[surfaces.index]
    finally:
        if own_cluster is not None:
            client.close()
            own_cluster.close()
