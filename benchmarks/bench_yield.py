"""Speed and memory of the yield engine against a loop of pvlib ModelChain, in one run.

Run by hand (2-core machine): ``python benchmarks/bench_yield.py`` (about 5 minutes).
Prints the per-surface speed ratio on 10,000 distinct surfaces (acceptance: >= 100x) and the
wall time and peak RSS of 100,000 and 1,000,000 surfaces with a city-like mix of
orientations (acceptance: 1,000,000 within 10 minutes under 4 GB). Each large run
is a fresh subprocess so its peak RSS is its own.

The ratio is per CPU: the ModelChain loop and the engine (one thread) run one after the other in
this process, each timed by the CPU time it used (``time.process_time``) as well as by the wall
clock. On a shared machine the wall clock counts other users' load; CPU time does not (cache
contention from other processes still slows both), so the CPU ratio is the figure to quote, with
the load average printed beside it.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pvlib

TMY3 = pvlib.__path__[0] + "/data/723170TYA.CSV"


def weather():
    from solarplan.weather.qc import resolve_shift
    from solarplan.weather.readers import read_weather
    return resolve_shift(read_weather(TMY3))[0]


def varied(n, seed, integer):
    """Orientations spread over everything a roof can be: tilt 0-40, azimuth 90-270, all mountings."""
    rng = np.random.default_rng(seed)
    tilt, az = rng.uniform(0, 40, n), rng.uniform(90, 270, n)
    if integer:  # surveyed inventories give whole degrees
        tilt, az = np.round(tilt), np.round(az)
    return pd.DataFrame({"surface_tilt": tilt, "surface_azimuth": az,
                         "mounting": rng.choice(["rows", "flush", "canopy"], n),
                         "gcr": 0.5, "capacity_kwp": rng.uniform(10, 500, n)})


def city_mix(n, seed=3):
    """Shares like the demo city: flat roofs in default south rows, others facing their long axis."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(["flat", "pitched", "metal", "carport"], n, p=[0.6, 0.18, 0.11, 0.11])
    tilt = np.select([kind == "flat", kind == "pitched", kind == "metal"], [20.0, 25.0, 5.0], 7.0)
    az = np.where(kind == "flat", 180.0, np.clip(rng.normal(180, 30, n), 90, 270))
    explicit = rng.random(n) < 0.1  # 10 % surveyed: whole-degree tilt and azimuth
    tilt = np.where(explicit, np.round(rng.uniform(0, 35, n)), tilt)
    az = np.where(explicit, np.round(rng.uniform(120, 240, n)), az)
    mounting = np.select([kind == "flat", kind == "carport"], ["rows", "canopy"], "flush")
    return pd.DataFrame({"surface_tilt": tilt, "surface_azimuth": az, "mounting": mounting,
                         "gcr": 0.5, "capacity_kwp": rng.uniform(10, 500, n)})


def modelchain_ms(w, surfaces):
    from solarplan.pv.yieldsim import DESOTO_AM_COEFFICIENTS, SAPM_PARAMS_BY_MOUNTING, SystemParams
    p = SystemParams(row_shading=False)
    data = w.data.copy()
    data.index = w.solar_times
    loc = pvlib.location.Location(w.latitude, w.longitude, altitude=w.elevation)
    start, cpu = time.perf_counter(), time.process_time()
    for s in surfaces.itertuples():
        system = pvlib.pvsystem.PVSystem(
            surface_tilt=s.surface_tilt, surface_azimuth=s.surface_azimuth, albedo=p.albedo,
            module_parameters={"pdc0": s.capacity_kwp, "gamma_pdc": p.gamma_pdc, **DESOTO_AM_COEFFICIENTS},
            inverter_parameters={"pdc0": s.capacity_kwp / 1.2 / 0.96, "eta_inv_nom": 0.96},
            temperature_model_parameters=dict(SAPM_PARAMS_BY_MOUNTING[s.mounting]))
        # ModelChain with the engine's spectral model; its beam-only IAM makes it slightly cheaper than
        # the engine's (which adds Marion's diffuse IAM), so the ratio is conservative
        mc = pvlib.modelchain.ModelChain(system, loc, aoi_model="physical", spectral_model="sapm",
                                         transposition_model="perez", losses_model="pvwatts")
        mc.run_model(data)
    n = len(surfaces)
    return (time.process_time() - cpu) / n * 1e3, (time.perf_counter() - start) / n * 1e3


def engine_s(w, surfaces, threads=None, cpu=False):
    """Seconds for :func:`simulate` (wall, or CPU and wall when ``cpu``) and the configurations computed."""
    from solarplan.pv.yieldsim import simulate
    start, c0 = time.perf_counter(), time.process_time()
    res = simulate(surfaces, w, threads=threads)
    wall = time.perf_counter() - start
    return ((time.process_time() - c0, wall) if cpu else wall), len(res.configs)


def one(n):
    """Child process: a city-like mix of n surfaces; prints JSON with time and peak RSS."""
    w = weather()
    s = city_mix(n)
    dt, n_cfg = engine_s(w, s)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB -> MB on Linux
    print(json.dumps({"n": n, "seconds": dt, "configs": n_cfg, "peak_rss_mb": rss}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--one", type=int)
    ap.add_argument("--mc-sample", type=int, default=40)
    ap.add_argument("--skip-large", action="store_true", help="only the 10,000-surface ratio")
    args = ap.parse_args()
    if args.one:
        return one(args.one)
    w = weather()
    load0 = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load0[0]:.1f} / {load0[1]:.1f} / {load0[2]:.1f} "
          "(1/5/15 min; a shared machine: other users' work runs at the same time)")
    mc_cpu, mc_wall = modelchain_ms(w, varied(args.mc_sample, 1, integer=False))
    print(f"pvlib ModelChain loop: {mc_cpu:.1f} ms CPU per surface ({mc_wall:.1f} ms wall; {args.mc_sample} "
          "surfaces)")
    for label, integer in (("continuous (all distinct)", False), ("whole degrees", True)):
        s = varied(10_000, 2, integer)
        (cpu, wall), n_cfg = engine_s(w, s, threads=1, cpu=True)  # one thread against ModelChain's one thread
        per_cpu, per_wall = cpu / len(s) * 1e3, wall / len(s) * 1e3
        print(f"engine (1 thread), 10,000 varied surfaces, {label}: {n_cfg} unique configurations, "
              f"{per_cpu:.3f} ms CPU per surface ({per_wall:.3f} ms wall); ratio per CPU {mc_cpu / per_cpu:.0f}x "
              f"(wall {mc_wall / per_wall:.0f}x)")
    load1 = os.getloadavg()
    print(f"load average after: {load1[0]:.1f} / {load1[1]:.1f} / {load1[2]:.1f}")
    for n in (() if args.skip_large else (100_000, 1_000_000)):
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"engine, {n:,} surfaces, city-like mix: {r['seconds']:.1f} s wall, {r['configs']} unique "
              f"configurations, peak RSS {r['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
