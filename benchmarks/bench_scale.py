"""Province scale (issue 21): the Dask engine against the local engine, and packaging 100,000 sites.

Run by hand from the repository root (each case runs in a fresh subprocess, so the peak resident set size
is the operating system's figure, ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``, which for the Dask
case is the largest single process of the run, the client or a worker; each case is measured by a fresh
interpreter of its own, so no figure carries over from another case)::

    python benchmarks/bench_scale.py dask 12        # demo inventory x 12 (10,140 surfaces), local vs dask
    python benchmarks/bench_scale.py packages 100000

``dask``: wall time and CPU seconds of :func:`solarplan.simulate_sites` on the same inventory, locally (numba
threads, one per core) and on a ``LocalCluster`` of one single-threaded worker per core, twice each, each case in
a fresh process; issue 21 bounds the ratio dask / local by 1.2. Four cases: ``local``; ``dask`` (cold:
solarplan starts and stops its cluster inside ``simulate_sites``: in-process workers, the default);
``dask-proc`` (cold with worker processes: ``dask_client(processes=True)`` started, run and closed, CPU of the
process and every worker process); ``dask-warm`` (a cluster of worker processes is started first, as a
cluster started for a job is, and the CPU seconds of the client process and of the workers are read before
and after). ``local`` and ``dask-warm`` also time a second
run in the same processes. The load average of the machine is printed with the ratios.
Sites are copies of the demo city's sites
moved by up to 20 km, with azimuths jittered so that about half the configurations are distinct.

``packages``: :func:`solarplan.planning.packages.make_packages` on N random sites over a province
(about 100 km across, 4 categories, 12 districts) plus 4,000 sites of one category and district in one
grid cell (the case that recursed until a TypeError before issue 21).
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _measure(kind: str, arg: str):
    """In a fresh interpreter of its own (so that the OS's peak RSS of its children covers this case only): run
    the case in a subprocess and add the wall time, the CPU seconds and the peak RSS of it and its children."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "_run", kind, arg], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - t
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res.update(process_wall_s=wall, cpu_s=ru.ru_utime + ru.ru_stime, peak_rss_mib=ru.ru_maxrss / 1024)
    print(json.dumps(res))


def _child(kind: str, arg: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "_measure", kind, arg], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _inventory(copies: int):
    import numpy as np
    import pandas as pd

    from solarplan.app.pipeline import demo_inventory_path, load_plan, read_inventory
    cfg = load_plan(None)
    clean = read_inventory(demo_inventory_path(), cfg).clean
    rng = np.random.default_rng(21)
    parts = []
    for k in range(copies):
        c = clean.copy()
        c["site_id"] = c["site_id"].astype(str) + f"-{k}"
        sites = c["site_id"].unique()
        dlat = pd.Series(rng.uniform(-0.15, 0.15, len(sites)), index=sites)
        dlon = pd.Series(rng.uniform(-0.15, 0.15, len(sites)), index=sites)
        c["lat"] = c["lat"] + c["site_id"].map(dlat).to_numpy()
        c["lon"] = c["lon"] + c["site_id"].map(dlon).to_numpy()
        if k:
            jitter = rng.random(len(c)) < 0.5
            c.loc[jitter, "surface_azimuth"] = c.loc[jitter, "surface_azimuth"] + rng.uniform(-8, 8, jitter.sum())
        parts.append(c)
    return pd.concat(parts, ignore_index=True), cfg


def _cpu(who) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def _worker_cpu() -> float:
    return _cpu(resource.RUSAGE_SELF)


def _run(kind: str, arg: str):
    if kind == "dask-proc":
        # cold, worker processes: start a LocalCluster of processes, run, close it, all timed (the default
        # before threads; kept to show what the processes cost)
        from solarplan.app.pipeline import simulate_sites
        from solarplan.pv.distributed import dask_client
        clean, cfg = _inventory(int(arg))
        c0, k0, t = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
        with dask_client(processes=True) as client:
            _, sites = simulate_sites(clean, cfg, client=client)
        wall = time.perf_counter() - t
        time.sleep(0.5)  # the worker processes reaped
        cpu = _cpu(resource.RUSAGE_SELF) - c0 + _cpu(resource.RUSAGE_CHILDREN) - k0
        sites.drop(columns="geometry").to_parquet(f"/tmp/bench_scale_{kind}.parquet")
        print(json.dumps(dict(case=kind, surfaces=len(clean), sites=len(sites), simulate_wall_s=wall,
                              simulate_cpu_s=cpu, again_wall_s=wall, again_cpu_s=cpu)))
    elif kind in ("local", "dask", "dask-warm"):
        from contextlib import nullcontext

        from solarplan.app.pipeline import simulate_sites
        from solarplan.pv.distributed import dask_client
        from solarplan.pv.yieldsim import unique_configs, SystemParams
        clean, cfg = _inventory(int(arg))
        # warm: a cluster of worker processes already running, as one started for a job (dask worker) is
        with (dask_client(processes=True) if kind == "dask-warm" else nullcontext()) as client:
            # warm: the cluster already runs (as a cluster started for the job does); its start and stop are
            # outside the figures, and the workers' CPU seconds are read from them before and after
            # local and warm: a second run in the same processes (numba's kernel already loaded from its cache,
            # about 0.85 s of CPU per process on the first call, every lazy import done)
            runs = []
            for _ in range(1 if kind == "dask" else 2):
                w0 = sum(client.run(_worker_cpu).values()) if client else 0.0
                c0, k0, t = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
                _, sites = simulate_sites(clean, cfg, engine="local" if kind == "local" else "dask", client=client)
                wall = time.perf_counter() - t
                # cold: the workers are this process's children, reaped when simulate_sites closes the cluster
                cpu = _cpu(resource.RUSAGE_SELF) - c0 + _cpu(resource.RUSAGE_CHILDREN) - k0
                if client:
                    cpu += sum(client.run(_worker_cpu).values()) - w0
                runs.append((wall, cpu))
        n_cfg = len(unique_configs(clean, SystemParams().orientation_resolution_deg)[0])
        sites.drop(columns="geometry").to_parquet(f"/tmp/bench_scale_{kind}.parquet")
        print(json.dumps(dict(case=kind, surfaces=len(clean), sites=len(sites), configs=n_cfg,
                              simulate_wall_s=runs[0][0], simulate_cpu_s=runs[0][1],
                              again_wall_s=runs[-1][0], again_cpu_s=runs[-1][1])))
    elif kind == "packages":
        import numpy as np
        from solarplan.planning.packages import make_packages
        sys.path.insert(0, str(ROOT))
        from tests.planning.test_packages import random_sites
        n = int(arg)
        s = random_sites(n, seed=7, spread_deg=0.35)
        s["district"] = np.random.default_rng(7).choice([f"D{i:02d}" for i in range(12)], n)
        dense = random_sites(4000, seed=8, spread_deg=0.004)
        dense["site_id"] = "C" + dense["site_id"]
        dense["category"], dense["district"] = "school", "D00"
        import pandas as pd
        s = pd.concat([s, dense], ignore_index=True)
        t = time.perf_counter()
        res = make_packages(s)
        wall = time.perf_counter() - t
        print(json.dumps(dict(case="packages", sites=len(s), packages=len(res.packages), excluded=len(res.excluded),
                              make_packages_wall_s=wall)))


def main(argv):
    if argv[0] == "_run":
        return _run(argv[1], argv[2])
    if argv[0] == "_measure":
        return _measure(argv[1], argv[2])
    if argv[0] == "dask":
        copies = argv[1] if len(argv) > 1 else "12"
        load = os.getloadavg()
        kinds = ("local", "dask", "dask-proc", "dask-warm")
        rows = [_child(k, copies) for _ in range(2) for k in kinds]
        for r in rows:
            print(json.dumps(r))
        import numpy as np
        import pandas as pd
        a = pd.read_parquet("/tmp/bench_scale_local.parquet")
        rel = 0.0
        for other in ("dask", "dask-proc", "dask-warm"):
            b = pd.read_parquet(f"/tmp/bench_scale_{other}.parquet")
            num = [c for c in a.columns if pd.api.types.is_numeric_dtype(a[c])]
            x, y = a[num].to_numpy(float), b[num].to_numpy(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                rel = max(rel, np.nanmax(np.where(np.abs(x) > 1e-9, np.abs(x - y) / np.abs(x), np.abs(x - y))))
        by = {k: [r for r in rows if r["case"] == k] for k in kinds}
        for r in by["local"]:  # the whole process of one local run: without its second run
            r["process_wall_s"] -= r["again_wall_s"]
            r["cpu_s"] -= r["again_cpu_s"]
        med = lambda k, f: float(np.median([r[f] for r in by[k]]))  # noqa: E731
        ratio = lambda k, f: med(k, f) / med("local", f)  # noqa: E731
        loc = by["local"][0]
        print(f"{loc['surfaces']} surfaces, {loc['sites']} sites, {loc['configs']} configurations; "
              f"load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after")
        print(f"  cold (solarplan starts and stops its LocalCluster, one single-threaded in-process worker per core, "
              f"the default; whole process): wall dask/local {ratio('dask', 'process_wall_s'):.2f}, CPU {ratio('dask', 'cpu_s'):.2f} "
              f"({med('dask', 'cpu_s'):.1f} / {med('local', 'cpu_s'):.1f} s); simulate_sites only: wall "
              f"{ratio('dask', 'simulate_wall_s'):.2f}, CPU {ratio('dask', 'simulate_cpu_s'):.2f}")
        print(f"  cold with worker processes (dask_client(processes=True) started, run and closed; whole process): "
              f"wall {ratio('dask-proc', 'process_wall_s'):.2f}, CPU {ratio('dask-proc', 'cpu_s'):.2f} "
              f"({med('dask-proc', 'cpu_s'):.1f} / {med('local', 'cpu_s'):.1f} s)")
        print(f"  warm (a cluster of worker processes already runs; simulate_sites only): first run wall dask/local "
              f"{ratio('dask-warm', 'simulate_wall_s'):.2f}, CPU {ratio('dask-warm', 'simulate_cpu_s'):.2f} "
              f"({med('dask-warm', 'simulate_cpu_s'):.1f} / {med('local', 'simulate_cpu_s'):.1f} s); second run in "
              f"the same processes wall {ratio('dask-warm', 'again_wall_s'):.2f}, CPU "
              f"{ratio('dask-warm', 'again_cpu_s'):.2f} ({med('dask-warm', 'again_cpu_s'):.1f} / "
              f"{med('local', 'again_cpu_s'):.1f} s)")
        print(f"  peak RSS local {med('local', 'peak_rss_mib'):.0f} MiB, dask largest process "
              f"{med('dask', 'peak_rss_mib'):.0f} MiB; largest relative difference over {len(num)} numeric site "
              f"columns {rel:.1e}")
    elif argv[0] == "packages":
        r = _child("packages", argv[1] if len(argv) > 1 else "100000")
        print(json.dumps(r))


if __name__ == "__main__":
    main(sys.argv[1:])
