"""The local engine's work on a Dask cluster (dask.distributed), with the same answers.

The in-process path stays the default; this is for inventories that outgrow one machine, or a
province's cluster. Dask is an optional dependency (``pip install "solarplan[dask]"``).

How a run is split (:func:`simulate_groups`):

1. For each weather year, the sites are cut on the client into partitions of whole sites
   (:func:`plan_partitions`): one per worker by default, ordered by each site's main configuration so that
   sites sharing configurations sit together.
2. Each partition runs :func:`solarplan.pv.sitesim.simulate_with_flows`, the local engine's own chunk
   function, with the same yield engine (``params.engine``: the fused numba kernel, loaded from numba's
   on-disk cache, or the pvlib reference), on the worker: yield, self-consumption, time-of-use value and
   grid rules. Only the per-surface yields and the per-site flows come back. Parity with the local engine
   holds by construction (the same code on the same sites), up to floating-point summation order.
3. A configuration used by sites of two partitions is computed in both (``Plan.repeated`` counts them): with
   the fused kernel a configuration costs about 20 microseconds, less than shipping its hourly profile
   between workers, and cutting one partition per worker along sorted sites keeps them few.

The weather year and its solar geometry are scattered once per weather group. One client serves the whole
run (:func:`dask_client`); a ``LocalCluster`` it starts is closed at the end with its processes,
has no dashboard unless asked, and its workers keep glibc's malloc defaults
(:func:`local_cluster_settings`). The workers' solarplan version is checked before any work.
"""
from __future__ import annotations

import logging
import math
import os
from concurrent.futures import CancelledError
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import pandas as pd
import pvlib

import solarplan
from solarplan.core.errors import ClusterError, ConfigError
from solarplan.pv.siteflows import SITE_INPUT_COLUMNS
from solarplan.pv.sitesim import FlowTerms, simulate_with_flows
from solarplan.pv.yieldsim import SURFACE_COLUMNS, SolarGeometry, SystemParams, solar_geometry, unique_configs
from solarplan.weather.core import WeatherYear

log = logging.getLogger(__name__)

#: The surface columns :func:`~solarplan.pv.sitesim.simulate_with_flows` reads (the yield engines' and
#: :func:`~solarplan.pv.siteflows.site_inputs`'), the only ones sent to the workers.
WORKER_COLUMNS = frozenset(("site_id", *SURFACE_COLUMNS, "annual_load_kwh", "category", "tariff_cny_per_kwh",
                            *SITE_INPUT_COLUMNS))

#: The message when the optional dependency is missing.
MISSING_DASK = ("the dask engine needs the optional dependency dask.distributed; install it with "
                "pip install \"solarplan[dask]\" (or run with --engine local)")
#: Most surfaces in one partition when the caller gives no count (an engineering choice: a partition's memory is
#: bounded by the chunk function anyway; this keeps a task under a few seconds so that a large cluster's workers
#: share the work).
SURFACES_PER_PARTITION = 20_000
#: Fewest surfaces per partition (an engineering choice: below this a task costs less than Dask's scheduling
#: and the extra weather and table transfers, so a small weather group is one task).
MIN_SURFACES_PER_PARTITION = 500


def _distributed():
    try:
        import distributed  # lazy: optional (the dask extra), ~0.4 s to import; only the Dask path needs it
    except ImportError:
        raise ConfigError(MISSING_DASK) from None
    return distributed


def _worker_versions() -> dict:
    return {"solarplan": solarplan.__version__, "pvlib": pvlib.__version__,
            "malloc_trim": os.environ.get("MALLOC_TRIM_THRESHOLD_")}


def check_workers(client, warn: Callable[[str], None] | None = None) -> int:
    """Number of workers; ConfigError when there are none, or when a worker runs another solarplan or
    pvlib version than this process (or cannot import solarplan).

    ``warn`` (default: this module's logger) is told when workers run with ``MALLOC_TRIM_THRESHOLD_`` set
    (distributed's nanny sets it by default; see :func:`local_cluster_settings`), with the fix."""
    mine = {"solarplan": solarplan.__version__, "pvlib": pvlib.__version__}
    try:
        theirs = client.run(_worker_versions)
    except ImportError as exc:
        raise ConfigError(f"a Dask worker cannot import solarplan ({exc}); install solarplan {mine['solarplan']} "
                          "in the workers' environment") from None
    except (OSError, TimeoutError) as exc:  # distributed's CommClosedError is an OSError
        raise ClusterError(f"a Dask worker was lost while solarplan asked the workers for their versions "
                           f"({type(exc).__name__}: {exc}); check the workers and run again") from None
    if not theirs:
        raise ConfigError(f"the Dask scheduler at {client.scheduler.address} has no workers; start some with "
                          "`dask worker <scheduler address>`")
    trimmed = {w: v.pop("malloc_trim") for w, v in theirs.items()}
    trimmed = {w: t for w, t in trimmed.items() if t is not None}
    bad = {w: v for w, v in theirs.items() if v != mine}
    if bad:
        w, v = next(iter(bad.items()))
        raise ConfigError(f"{len(bad)} Dask worker(s) run other versions than this machine (solarplan "
                          f"{mine['solarplan']}, pvlib {mine['pvlib']}); e.g. {w} runs solarplan {v['solarplan']}, "
                          f"pvlib {v['pvlib']}. Install the same versions on the workers so both give the same answers")
    if trimmed:
        (warn or log.warning)(
            f"{len(trimmed)} of {len(theirs)} Dask worker(s) run with MALLOC_TRIM_THRESHOLD_="
            f"{next(iter(trimmed.values()))} (set by Dask's nanny by default): it turns off glibc's adaptive mmap "
            "threshold and made the simulation take about 2.5x the CPU time (docs/cluster.md). Start the workers "
            "with the Dask setting distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_: null (or "
            "`dask worker --no-nanny`)")
    return len(theirs)


#: The key of Dask's configuration that sets glibc's ``MALLOC_TRIM_THRESHOLD_`` in the worker processes a
#: nanny starts, and the value distributed ships (its ``distributed.yaml``).
TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
DASK_TRIM_DEFAULT = 65536


@contextmanager
def local_cluster_settings(dashboard: bool = False) -> Iterator[None]:
    """Dask settings while solarplan starts a ``LocalCluster`` itself (never for a cluster it is given).

    * distributed's nanny starts each worker with ``MALLOC_TRIM_THRESHOLD_=65536`` to hand freed memory
      back to the operating system. Setting that variable switches off glibc's adaptive mmap threshold, so
      every array over 128 kB (the engine's and the site flows' arrays are 1-20 MB) is mapped from and
      returned to the kernel at each use: the partitions then took 2.5x the CPU seconds, most of it system
      time (measured on the demo x 12, docs/cluster.md). The workers are started without it, glibc's default,
      unless the user chose it: a value in Dask's configuration other than distributed's default, or another
      value in the environment. (The variable with Dask's value in this process's environment was put there
      by an earlier nanny, which sets it in the process that starts workers; it is left out while the workers
      start, then restored.)
    * Without a dashboard nobody reads the workers' statistical profiler, which samples every thread every
      10 ms: it is switched off.
    """
    import dask  # lazy: optional (the dask extra), ~0.4 s to import; only the Dask path needs it
    settings = {} if dashboard else {"distributed.worker.profile.enabled": False}
    env = os.environ.get("MALLOC_TRIM_THRESHOLD_")
    ours = dask.config.get(TRIM_KEY, None) == DASK_TRIM_DEFAULT and env in (None, str(DASK_TRIM_DEFAULT))
    if ours:
        settings[TRIM_KEY] = None  # None removes the variable (distributed.nanny._get_env_variables)
    with dask.config.set(settings):
        if ours and env is not None:
            del os.environ["MALLOC_TRIM_THRESHOLD_"]
        try:
            yield
        finally:
            if ours and env is not None:
                os.environ["MALLOC_TRIM_THRESHOLD_"] = env


@contextmanager
def dask_client(*, client=None, scheduler: str | None = None, scheduler_file: str | Path | None = None,
                dashboard: bool = False, n_workers: int | None = None, processes: bool = False,
                warn: Callable[[str], None] | None = None) -> Iterator:
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
        Workers of that ``LocalCluster`` (default one single-threaded worker per core).
    processes : bool
        Run the workers of that ``LocalCluster`` as separate processes. Default False: in-process
        workers (threads), because on one machine the work releases the GIL (the numba kernels run with
        ``nogil``, numpy's loops and the compiled site flows too) and each worker process costs a fixed
        ~2.5-3 CPU seconds (imports, the kernels' first load, exit), which made a self-started cluster
        1.9-2.3x the local CPU at 10,000-20,000 surfaces against 0.9-1.0x in threads (docs/cluster.md).
        Workers started apart (``dask worker``) are processes whatever this says.
    warn : callable(str), optional
        Told of worker settings that slow the run (:func:`check_workers`).

    Without any of the first three, Dask's own configuration decides: its ``scheduler-address`` key
    (``DASK_SCHEDULER_ADDRESS``) if set, else a ``LocalCluster`` on this machine, closed with its worker
    processes when the block ends. Every other Dask setting (timeouts, worker memory limits,
    ``temporary-directory``) is read by Dask itself. Yields the client after checking the workers'
    versions (:func:`check_workers`).
    """
    if client is not None:
        check_workers(client, warn)
        yield client
        return
    distributed = _distributed()
    import dask  # lazy: optional (the dask extra), ~0.4 s to import; only the Dask path needs it

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
            with local_cluster_settings(dashboard):
                cluster = distributed.LocalCluster(
                    n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1, processes=processes,
                    dashboard_address=":8787" if dashboard else None,
                    scheduler_kwargs=None if dashboard else {"dashboard": False, "dashboard_address": "127.0.0.1:0"})
            cl = distributed.Client(cluster, set_as_default=False)
    except BaseException:
        if cluster is not None:
            cluster.close()
        raise
    try:
        check_workers(cl, warn)
        yield cl
    finally:
        cl.close()
        if cluster is not None:
            cluster.close()


# --- tasks (run on the workers) ---------------------------------------------------------------------------

def _partition_task(surfaces: pd.DataFrame, weather: WeatherYear, geometry: SolarGeometry, params: SystemParams,
                    terms: FlowTerms) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The local engine's chunk function on one partition of whole sites, on one thread (one worker thread
    per core: numba threads on top would oversubscribe the cores)."""
    return simulate_with_flows(surfaces, weather, params, terms, threads=1, yield_engine=params.engine,
                               geometry=geometry)


def _same(value):
    """The task that hands a weather year or its geometry to the cluster (see :func:`simulate_groups`)."""
    return value


# --- the client side --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """How one weather group's surfaces are cut into partitions of whole sites.

    Attributes
    ----------
    parts : list of int arrays
        Positions (``iloc``) of each partition's surfaces.
    configs : int
        Distinct configurations of the group (:func:`~solarplan.pv.yieldsim.unique_configs`).
    part_configs : list of int
        Distinct configurations of each partition: their sum less ``configs`` is the work repeated because
        a configuration is used by sites of several partitions.
    """

    parts: list
    configs: int
    part_configs: list

    @property
    def repeated(self) -> int:
        """Configurations computed more than once (once per extra partition that uses them)."""
        return sum(self.part_configs) - self.configs


def plan_partitions(surfaces: pd.DataFrame, params: SystemParams, n_parts: int) -> Plan:
    """Cut ``surfaces`` into ``n_parts`` partitions of whole sites, of about equal numbers of surfaces.

    Sites are ordered by their most used configuration (then their first), so that sites sharing a
    configuration sit side by side and a configuration rarely spans two partitions: each partition then
    computes its configurations once, and only the few configurations at a cut are computed twice
    (``Plan.repeated``; with the fused kernel a configuration costs about 20 microseconds, less than
    sending its hourly profile from one worker to another).
    """
    _, codes = unique_configs(surfaces, params.orientation_resolution_deg)
    site_code, site_key = pd.factorize(surfaces["site_id"], sort=False)
    n_sites = len(site_key)
    # each site's most used configuration (capacity-blind: by surfaces), ties to the smallest code
    pair = pd.DataFrame({"s": site_code, "c": codes}).value_counts().reset_index()
    pair = pair.sort_values(["s", "count", "c"], ascending=[True, False, True], kind="stable")
    main_cfg = np.empty(n_sites, np.int64)
    main_cfg[pair.drop_duplicates("s")["s"].to_numpy()] = pair.drop_duplicates("s")["c"].to_numpy()
    n_surf = np.bincount(site_code, minlength=n_sites)
    order = np.argsort(main_cfg, kind="stable")
    cum = np.cumsum(n_surf[order])
    n_parts = max(1, min(n_parts, n_sites))
    cut = np.searchsorted(cum, np.arange(1, n_parts) * cum[-1] / n_parts, side="left") + 1
    part_of_site = np.empty(n_sites, np.int64)
    for p, chunk in enumerate(np.split(order, cut)):
        part_of_site[chunk] = p
    part = part_of_site[site_code]
    parts = [np.flatnonzero(part == p) for p in range(n_parts)]
    parts = [p for p in parts if len(p)]
    return Plan(parts, int(codes.max()) + 1 if len(codes) else 0, [len(np.unique(codes[p])) for p in parts])


def default_partitions(n_surfaces: int, n_workers: int) -> int:
    """Partitions of a weather group: one per worker (the fewest that keep every worker busy, so the fewest
    configurations computed twice), more when a partition would exceed :data:`SURFACES_PER_PARTITION`
    surfaces, and one for groups under :data:`MIN_SURFACES_PER_PARTITION` surfaces per worker."""
    by_size = math.ceil(n_surfaces / SURFACES_PER_PARTITION)
    by_workers = min(n_workers, max(1, n_surfaces // MIN_SURFACES_PER_PARTITION))
    return max(1, by_size, by_workers)


def simulate_groups(client, groups: Sequence[tuple[pd.DataFrame, WeatherYear]], params: SystemParams,
                    terms: FlowTerms, *, n_partitions: int | None = None,
                    progress: Callable[[int, int], None] | None = None) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """What :func:`solarplan.pv.sitesim.simulate_with_flows` returns for each group, computed on the cluster.

    Each partition of whole sites runs :func:`~solarplan.pv.sitesim.simulate_with_flows` itself, with the
    yield engine of ``params`` (``params.engine``), so the cluster and the local engine run the same code
    on the same sites' surfaces.

    Parameters
    ----------
    client : distributed.Client
        From :func:`dask_client`.
    groups : sequence of (surfaces, WeatherYear)
        Surfaces sharing one weather year (whole sites).
    n_partitions : int, optional
        Site partitions per group; default :func:`default_partitions`.
    progress : callable(done, total), optional
        Configurations done and total, over all groups (a configuration computed by two partitions
        counts twice).

    Returns
    -------
    list of (yields, flows), one per group, equal to the local engine's within floating-point
    summation order.
    """
    distributed = _distributed()
    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    futures, size, pending = {}, {}, []
    for gi, (surf, weather) in enumerate(groups):
        plan = plan_partitions(surf, params, n_partitions or default_partitions(len(surf), n_workers))
        # the workers need the columns the chunk function reads, not the shapes (no geopandas to import there)
        # nor the register's other columns (a quarter of the bytes on the demo)
        tabular = pd.DataFrame(surf[[c for c in surf.columns if c in WORKER_COLUMNS]])
        # the weather year and its solar geometry go to the cluster once, as tasks that return them rather
        # than scattered data: a worker holding them may be lost, and the scheduler can run a task again
        # but cannot recover scattered data
        weather_f = client.submit(_same, weather, pure=False)
        geom_f = client.submit(_same, solar_geometry(weather, params), pure=False)
        pending += [weather_f, geom_f]
        for pos, n_cfg in zip(plan.parts, plan.part_configs):
            f = client.submit(_partition_task, tabular.iloc[pos], weather_f, geom_f, params, terms, pure=False)
            futures[f.key], size[f.key] = gi, n_cfg
            pending.append(f)
    total, done = sum(size.values()), 0
    yields = [[] for _ in groups]
    flows = [[] for _ in groups]
    try:
        for fut, result in _completed(distributed, client, pending):
            if fut.key not in futures:
                continue  # a weather year or geometry task
            y, fl = result
            gi = futures[fut.key]
            yields[gi].append(y)
            flows[gi].append(fl)
            done += size[fut.key]
            if progress:
                progress(done, total)
    finally:
        for f in pending:
            f.release()
    return [(pd.concat(yields[gi]).loc[surf.index], pd.concat(flows[gi]).sort_index())
            for gi, (surf, _) in enumerate(groups)]


def _completed(distributed, client, pending):
    """(future, result) of each of ``pending`` as it completes; :class:`ClusterError` when the cluster loses
    the work (a worker killed more often than Dask's ``allowed-failures``, futures cancelled because the
    scheduler or the connection went away). An exception raised by the task itself propagates unchanged."""
    lost = (distributed.KilledWorker, CancelledError, OSError, TimeoutError)
    try:
        for fut, result in distributed.as_completed(pending, loop=client.loop, with_results=True):
            if isinstance(result, BaseException):   # as_completed hands cancellations over as values
                raise result
            yield fut, result
    except lost as exc:
        raise ClusterError(f"the Dask cluster lost part of the work ({type(exc).__name__}: {exc}); a worker or "
                           "the scheduler was lost or restarted. Nothing was written: check the workers "
                           "(`dask worker` logs) and run again") from None
