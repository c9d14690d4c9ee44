"""Self-consumption: each site's hourly PV against its hourly load, reduced per site as soon as computed.

The engine returns one per-kWp hourly profile per distinct configuration; a site's hourly PV is the
capacity-weighted sum of its surfaces' profiles (a sparse sites x configurations matrix times the
profiles), compared hour by hour with the site's load (its category's shape
scaled to its annual load, :mod:`solarplan.core.loadprofile`). Sites are processed in chunks, so no
sites x 8760 array is held for more than ``chunk`` sites.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from solarplan.core.loadprofile import load_shape
from solarplan.pv.economics import self_consumption


def site_self_consumption(surfaces: pd.DataFrame, config_ids: np.ndarray, hourly_per_kwp: np.ndarray,
                          chunk: int = 256) -> pd.Series:
    """Self-consumed energy per site [kWh/yr].

    Parameters
    ----------
    surfaces : DataFrame
        One row per surface: ``site_id``, ``capacity_kwp`` [kWp], ``annual_load_kwh`` [kWh/yr] (per site;
        the largest value of a site's rows is used, empty = 0), ``category``.
    config_ids : ndarray of int, (surfaces,)
        Row of ``hourly_per_kwp`` that each surface's configuration uses.
    hourly_per_kwp : ndarray, (8760, configurations)
        AC energy per kWp in each hour [kWh/kWp] (``SimulationResult.hourly_per_kwp``).
    chunk : int
        Sites per block.

    Returns
    -------
    Series indexed by site_id, sorted.
    """
    sites, site_idx = np.unique(surfaces["site_id"].to_numpy(), return_inverse=True)
    a = sparse.csr_matrix((surfaces["capacity_kwp"].to_numpy(float), (site_idx, np.asarray(config_ids))),
                          shape=(len(sites), hourly_per_kwp.shape[1]))
    g = surfaces.groupby("site_id")
    load = g["annual_load_kwh"].max().reindex(sites).fillna(0.0).to_numpy()
    cats = g["category"].first().reindex(sites).to_numpy()
    out = np.zeros(len(sites))
    for lo in range(0, len(sites), chunk):
        sl = slice(lo, lo + chunk)
        pv = a[sl] @ hourly_per_kwp.T
        shapes = np.stack([load_shape(c) for c in cats[sl]])
        out[sl] = self_consumption(pv, load[sl, None] * shapes)
    return pd.Series(out, index=sites)
