"""The local engine's work on a Dask cluster (dask.distributed), with the same answers.

The in-process path stays the default; this is for inventories that outgrow one machine, or a
province's cluster. Dask is an optional dependency (``pip install "solarplan[dask]"``).

How a run is split (:func:`simulate_groups`):

1. For each weather year, the distinct configurations of all its surfaces are found on the client
   (:func:`solarplan.pv.yieldsim.unique_configs`), and the sites are cut into partitions of whole
   sites, ordered by their first configuration so that sites sharing configurations sit together.
2. A configuration used by one partition only is computed inside that partition. A configuration
   used by several partitions is computed once, in a task of its own, and its hourly profile is
   handed to the partitions that need it: duplicates are merged across partitions.
3. Each partition computes the hourly PV of its sites and their self-consumption, time-of-use value
   and grid rules with :func:`solarplan.pv.siteflows.flows_for_surfaces`, the function the local
   engine calls, on the worker; only per-site and per-configuration results come back.
4. The per-surface table is built on the client from the per-configuration results by
   :func:`solarplan.pv.yieldsim.surface_yields`, as the local engine builds it.

The weather year and its solar geometry are scattered once per run. One client serves the whole
run (:func:`dask_client`); a ``LocalCluster`` it starts is closed at the end with its processes,
and has no dashboard unless asked. The workers' solarplan version is checked before any work.
"""
from __future__ import annotations

import math
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from solarplan.core.errors import ConfigError
from solarplan.pv.sitesim import FlowTerms, config_results
from solarplan.pv.yieldsim import MONTH_COLUMNS, SystemParams, solar_geometry, surface_yields, unique_configs
from solarplan.weather.core import WeatherYear

#: The message when the optional dependency is missing.
MISSING_DASK = ("the dask engine needs the optional dependency dask.distributed; install it with "
                "pip install \"solarplan[dask]\" (or run with --engine local)")
#: Surfaces per partition aimed at when the caller gives no count (estimate: a partition then holds
#: a few hundred MB of hourly profiles at most, and there are enough partitions to balance the workers).
SURFACES_PER_PARTITION = 20_000


def _distributed():
    try:
        import distributed
    except ImportError:
        raise ConfigError(MISSING_DASK) from None
    return distributed


def _worker_versions() -> dict:
    import pvlib

    import solarplan
    return {"solarplan": solarplan.__version__, "pvlib": pvlib.__version__}


def check_workers(client) -> int:
    """Number of workers; ConfigError when there are none, or when a worker runs another solarplan or
    pvlib version than this process (or cannot import solarplan)."""
    import pvlib

    import solarplan
    mine = {"solarplan": solarplan.__version__, "pvlib": pvlib.__version__}
    try:
        theirs = client.run(_worker_versions)
    except ImportError as exc:
        raise ConfigError(f"a Dask worker cannot import solarplan ({exc}); install solarplan {mine['solarplan']} "
                          "in the workers' environment") from None
    if not theirs:
        raise ConfigError(f"the Dask scheduler at {client.scheduler.address} has no workers; start some with "
                          "`dask worker <scheduler address>`")
    bad = {w: v for w, v in theirs.items() if v != mine}
    if bad:
        w, v = next(iter(bad.items()))
        raise ConfigError(f"{len(bad)} Dask worker(s) run other versions than this machine (solarplan "
                          f"{mine['solarplan']}, pvlib {mine['pvlib']}); e.g. {w} runs solarplan {v['solarplan']}, "
                          f"pvlib {v['pvlib']}. Install the same versions on the workers so both give the same answers")
    return len(theirs)


#: The key of Dask's configuration that sets glibc's ``MALLOC_TRIM_THRESHOLD_`` in the worker processes a
#: nanny starts, and the value distributed ships (its ``distributed.yaml``).
TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
DASK_TRIM_DEFAULT = 65536


def local_cluster_settings() -> dict:
    """Dask settings for a ``LocalCluster`` solarplan starts itself (not for a cluster it is given).

    distributed's nanny starts each worker with ``MALLOC_TRIM_THRESHOLD_=65536`` to hand freed memory
    back to the operating system. Setting that variable switches off glibc's dynamic mmap threshold,
    so every array over 128 kB (each engine chunk is about 1 MB) is mapped and unmapped from the
    kernel on every use: the engine's tasks then took 2.6x the CPU seconds, most of it system time
    (benchmarks/bench_scale.py, measured; docs/cluster.md). The variable is left unset, glibc's
    default, unless the user set it themselves (in the environment or to a value other than Dask's
    default in Dask's configuration).
    """
    import dask
    if "MALLOC_TRIM_THRESHOLD_" in os.environ or dask.config.get(TRIM_KEY, None) != DASK_TRIM_DEFAULT:
        return {}
    return {TRIM_KEY: None, "distributed.worker.profile.enabled": False}  # None removes the variable (distributed.nanny._get_env_variables)


@contextmanager
def dask_client(*, client=None, scheduler: str | None = None, scheduler_file: str | Path | None = None,
                dashboard: bool = False, n_workers: int | None = None) -> Iterator:
    """The one Dask client of a run.

    Parameters
    ----------
    client : distributed.Client, optional
        Used as given and left open (the caller owns it).
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``).
    scheduler_file : path, optional
        The JSON file ``dask scheduler --scheduler-file`` wrote (the usual way on SLURM).
    dashboard : bool
        Serve the dashboard of a ``LocalCluster`` this function starts (default off).
    n_workers : int, optional
        Worker processes of that ``LocalCluster`` (default one single-threaded worker per core).

    Without any of the first three, Dask's own configuration decides: its ``scheduler-address`` key
    (``DASK_SCHEDULER_ADDRESS``) if set, else a ``LocalCluster`` on this machine, closed with its worker
    processes when the block ends. Every other Dask setting (timeouts, worker memory limits,
    ``temporary-directory``) is read by Dask itself. Yields the client after checking the workers'
    versions (:func:`check_workers`).
    """
    if client is not None:
        check_workers(client)
        yield client
        return
    distributed = _distributed()
    import dask

    if scheduler and scheduler_file:
        raise ConfigError("give a Dask scheduler address or a scheduler file, not both")
    if scheduler_file is not None and not Path(scheduler_file).exists():
        raise ConfigError(f"scheduler file {scheduler_file} does not exist; start the scheduler with "
                          f"`dask scheduler --scheduler-file {scheduler_file}` first")
    address = scheduler or (None if scheduler_file else dask.config.get("scheduler-address", None))
    cluster = None
    try:
        if address or scheduler_file:
            try:
                cl = distributed.Client(address, scheduler_file=str(scheduler_file) if scheduler_file else None,
                                        set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ConfigError(f"cannot reach the Dask scheduler at {address or scheduler_file}: {exc}") from None
        else:
            # without a dashboard the scheduler still serves health checks: on loopback, on a free port
            with dask.config.set(local_cluster_settings()):
                cluster = distributed.LocalCluster(
                    n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                    dashboard_address=":8787" if dashboard else None,
                    scheduler_kwargs=None if dashboard else {"dashboard": False, "dashboard_address": "127.0.0.1:0"})
            cl = distributed.Client(cluster, set_as_default=False)
    except BaseException:
        if cluster is not None:
            cluster.close()
        raise
    try:
        check_workers(cl)
        yield cl
    finally:
        cl.close()
        if cluster is not None:
            cluster.close()


# --- tasks (run on the workers) ---------------------------------------------------------------------------

def _shared_task(configs: pd.DataFrame, weather: WeatherYear, geometry, params: SystemParams):
    return config_results(configs, weather, params, geometry)


def _partition_task(surfaces: pd.DataFrame, codes: np.ndarray, owned: pd.DataFrame, shared: Sequence,
                    shared_ids: Sequence[np.ndarray], weather: WeatherYear, geometry, params: SystemParams,
                    terms: FlowTerms):
    """Owned configurations computed here; shared ones taken from their tasks; flows of the partition's sites."""
    summary, hourly = config_results(owned, weather, params, geometry) if len(owned) else \
        (pd.DataFrame(columns=["annual", "poa", *MONTH_COLUMNS], dtype=float), np.zeros((0, 8760)))
    ids = [owned.index.to_numpy()]
    blocks = [hourly]
    for (_, h), gid in zip(shared, shared_ids):
        keep = np.isin(gid, codes)
        ids.append(gid[keep])
        blocks.append(h[keep])
    ids = np.concatenate(ids)
    local = pd.Index(ids).get_indexer(codes)  # every code is owned or shared, so none is -1
    flows = terms.flows(surfaces, local, np.concatenate(blocks))
    return summary, flows


# --- the client side --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Plan:
    configs: pd.DataFrame
    codes: np.ndarray
    parts: list[np.ndarray]        # surface positions of each partition
    owner: np.ndarray              # partition of each configuration, -1 when shared


def _plan(surfaces: pd.DataFrame, params: SystemParams, n_parts: int) -> _Plan:
    configs, codes = unique_configs(surfaces, params.orientation_resolution_deg)
    site_code, site_key = pd.factorize(surfaces["site_id"], sort=False)
    first_cfg = np.full(len(site_key), np.iinfo(np.int64).max)
    np.minimum.at(first_cfg, site_code, codes)
    n_surf = np.bincount(site_code, minlength=len(site_key))
    order = np.argsort(first_cfg, kind="stable")  # sites sharing configurations side by side
    cum = np.cumsum(n_surf[order])
    n_parts = max(1, min(n_parts, len(site_key)))
    cut = np.searchsorted(cum, np.arange(1, n_parts) * cum[-1] / n_parts, side="left") + 1
    part_of_site = np.empty(len(site_key), int)
    for p, chunk in enumerate(np.split(order, cut)):
        part_of_site[chunk] = p
    part = part_of_site[site_code]
    parts = [np.flatnonzero(part == p) for p in range(n_parts)]
    parts = [p for p in parts if len(p)]
    part = np.empty(len(surfaces), int)
    for p, pos in enumerate(parts):
        part[pos] = p
    pairs = np.unique(np.column_stack([codes, part]), axis=0)
    users = np.bincount(pairs[:, 0], minlength=len(configs))
    owner = np.full(len(configs), -1)
    single = users[pairs[:, 0]] == 1
    owner[pairs[single, 0]] = pairs[single, 1]
    return _Plan(configs, codes, parts, owner)


def simulate_groups(client, groups: Sequence[tuple[pd.DataFrame, WeatherYear]], params: SystemParams,
                    terms: FlowTerms, *, n_partitions: int | None = None,
                    progress: Callable[[int, int], None] | None = None) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """What :func:`solarplan.pv.sitesim.simulate_with_flows` returns for each group, computed on the cluster.

    Parameters
    ----------
    client : distributed.Client
        From :func:`dask_client`.
    groups : sequence of (surfaces, WeatherYear)
        Surfaces sharing one weather year (whole sites).
    n_partitions : int, optional
        Site partitions per group; default 2 x workers, or more for groups over
        :data:`SURFACES_PER_PARTITION` surfaces per partition.
    progress : callable(done, total), optional
        Configurations done and total, over all groups.

    Returns
    -------
    list of (yields, flows), one per group, equal to the local engine's within floating-point
    summation order.
    """
    distributed = _distributed()
    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    futures, size, plans, pending = {}, {}, [], []
    for gi, (surf, weather) in enumerate(groups):
        n_parts = n_partitions or max(2 * n_workers, math.ceil(len(surf) / SURFACES_PER_PARTITION))
        plan = _plan(surf, params, n_parts)
        # the workers need the table, not the shapes: no geometry to pickle, no geopandas to import there
        tabular = pd.DataFrame(surf.drop(columns=[c for c in ("geometry",) if c in surf.columns]))
        plans.append(plan)
        weather_f, geom_f = client.scatter([weather, solar_geometry(weather, params)], broadcast=True)
        shared_ids = np.flatnonzero(plan.owner < 0)
        n_chunks = math.ceil(len(shared_ids) / 1024) if len(shared_ids) else 0
        n_chunks = min(max(n_chunks, 2 * n_workers), len(shared_ids))
        chunks = [c for c in np.array_split(shared_ids, n_chunks)] if n_chunks else []
        shared_f = []
        for c in chunks:
            f = client.submit(_shared_task, plan.configs.iloc[c], weather_f, geom_f, params, pure=False)
            futures[f.key], size[f.key] = (gi, "shared", c), len(c)
            shared_f.append(f)
            pending.append(f)
        for p, pos in enumerate(plan.parts):
            codes = plan.codes[pos]
            own = np.flatnonzero(plan.owner == p)
            need = [k for k, c in enumerate(chunks) if np.isin(c, codes).any()]
            f = client.submit(_partition_task, tabular.iloc[pos], codes, plan.configs.iloc[own],
                              [shared_f[k] for k in need], [chunks[k] for k in need], weather_f, geom_f, params,
                              terms, pure=False)
            futures[f.key], size[f.key] = (gi, "part", own), len(own)
            pending.append(f)
    total, done = sum(len(p.configs) for p in plans), 0
    summaries = [[] for _ in groups]
    flows = [[] for _ in groups]
    try:
        for fut, result in distributed.as_completed(pending, loop=client.loop, with_results=True):
            gi, kind, _ = futures[fut.key]
            summaries[gi].append(result[0])  # indexed by configuration id
            if kind == "part":
                flows[gi].append(result[1])
            done += size[fut.key]
            if progress:
                progress(done, total)
    finally:
        for f in pending:
            f.release()
    out = []
    for gi, ((surf, _), plan) in enumerate(zip(groups, plans)):
        s = pd.concat(summaries[gi]).sort_index()
        yields = surface_yields(surf["capacity_kwp"].to_numpy(float), plan.codes, s["annual"].to_numpy(),
                                s["poa"].to_numpy(), s[list(MONTH_COLUMNS)].to_numpy(), surf.index)
        out.append((yields.drop(columns="config_id"), pd.concat(flows[gi]).sort_index()))
    return out
