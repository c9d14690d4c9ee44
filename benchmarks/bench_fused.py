"""CPU cost of the fused numba engine against the pvlib reference path and two pvlib loops, one thread each.

Run by hand: ``python benchmarks/bench_fused.py`` (about 3 minutes on a 2-core machine; ``--large``
adds 1,000,000 surfaces with every orientation distinct in a fresh process, with its peak RSS).

Everything runs in one process with one thread (NUMBA_NUM_THREADS, OMP/OPENBLAS/MKL threads set to 1
before numpy is imported), and every cost is CPU seconds from ``time.process_time``, so a shared
machine's load changes the figures less than wall time would (it still costs cache and memory
bandwidth: the load average is printed with the results). Compared, per distinct configuration:

* ``fused``: :func:`solarplan.pv.fused.simulate` on 10,000 surfaces of distinct orientation (after one
  warm-up call that compiles the kernel; compilation is cached on disk);
* ``pvlib path``: :func:`solarplan.pv.yieldsim.simulate` (threads=1) on the same surfaces;
* ``ModelChain loop``: one ``pvlib.modelchain.ModelChain.run_model`` per surface (it recomputes the
  solar position every time, as a user of ModelChain would);
* ``plain pvlib loop``: solar position, air mass and extraterrestrial irradiance once, then per surface
  the pvlib calls of the engine's own models (:func:`plain_loop`; its annual yields are checked equal to
  the engine's), over the year and over the daytime hours only.

The Marion diffuse-IAM integrals (one per distinct tilt, shared by both engines through
``yieldsim.diffuse_iam``'s per-process cache) are computed before the timed runs and reported apart.
"""
from __future__ import annotations

import os

for _v in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pvlib  # noqa: E402

TMY3 = pvlib.__path__[0] + "/data/723170TYA.CSV"


def weather():
    from solarplan.weather.qc import resolve_shift
    from solarplan.weather.readers import read_weather
    return resolve_shift(read_weather(TMY3), "auto")[0]


def distinct(n, seed=2):
    """Continuous tilt 0-40 deg, azimuth 90-270 deg, all mountings: (almost) every configuration distinct."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"surface_tilt": rng.uniform(0, 40, n), "surface_azimuth": rng.uniform(90, 270, n),
                         "mounting": rng.choice(["rows", "flush", "canopy"], n), "gcr": 0.5,
                         "capacity_kwp": rng.uniform(10, 500, n)})


def cpu(f, *a, **k):
    t = time.process_time()
    out = f(*a, **k)
    return time.process_time() - t, out


def modelchain_loop(w, surfaces):
    from solarplan.pv.yieldsim import DESOTO_AM_COEFFICIENTS, SAPM_PARAMS_BY_MOUNTING, SystemParams
    p = SystemParams()
    data = w.data.copy()
    data.index = w.solar_times
    loc = pvlib.location.Location(w.latitude, w.longitude, altitude=w.elevation)
    t = time.process_time()
    for s in surfaces.itertuples():
        system = pvlib.pvsystem.PVSystem(
            surface_tilt=s.surface_tilt, surface_azimuth=s.surface_azimuth, albedo=p.albedo,
            module_parameters={"pdc0": 1.0, "gamma_pdc": p.gamma_pdc, **DESOTO_AM_COEFFICIENTS},
            inverter_parameters={"pdc0": 1.0 / p.dc_ac_ratio / p.eta_inv_nom, "eta_inv_nom": p.eta_inv_nom},
            temperature_model_parameters=dict(SAPM_PARAMS_BY_MOUNTING[s.mounting]))
        # beam-only IAM and no row shading: cheaper than either engine, so the ratios are conservative
        mc = pvlib.modelchain.ModelChain(system, loc, aoi_model="physical", spectral_model="sapm",
                                         transposition_model="perez", losses_model="pvwatts")
        mc.run_model(data)
    return (time.process_time() - t) / len(surfaces)


def plain_loop(w, surfaces, daytime_only: bool = False):
    """A plain pvlib loop with the engine's own models, solar position once: per surface, the pvlib calls a
    pvlib user would make for the same physics (aoi, Perez with components, ground diffuse, poa_components,
    for rows ``shading.shaded_fraction1d`` and the ``bifacial.utils`` row view factors, ``iam.physical``,
    Marion's diffuse IAM, ``spectral_factor_sapm``, ``sapm_cell``, ``pvwatts_dc``, the PVWatts losses,
    ``inverter.pvwatts``). The Marion integrals are taken from the engines' per-process cache (computed
    before the timed runs for both, as the engines get them). Over the whole year (8,760 hours, as a pvlib
    user runs it), or with ``daytime_only`` over the engine's own daytime hours (its first saving, handed
    to the loop too).

    Returns (CPU seconds of the once-per-year part, CPU seconds per surface, annual AC per kWp of each
    surface): a loop over N surfaces costs once + N x per surface; the annual values are compared with the
    fused engine's, so the two compute the same thing.
    """
    from solarplan.pv.yieldsim import DESOTO_AM_COEFFICIENTS, SAPM_PARAMS_BY_MOUNTING, SystemParams, diffuse_iam
    p = SystemParams()
    iam_sky, iam_ground = diffuse_iam(p.iam_model, surfaces["surface_tilt"].to_numpy(float))  # cached, untimed
    t = time.process_time()
    d = w.data
    loc = pvlib.location.Location(w.latitude, w.longitude, altitude=w.elevation)
    sp = loc.get_solarposition(w.solar_times, temperature=d["temp_air"].to_numpy())
    ghi, dni, dhi = (d[c].to_numpy(float) for c in ("ghi", "dni", "dhi"))
    keep = ((ghi > 0) | (dni > 0) | (dhi > 0)) if daytime_only else np.ones(len(d), bool)
    zen, saz = sp["apparent_zenith"].to_numpy()[keep], sp["azimuth"].to_numpy()[keep]
    ghi, dni, dhi = ghi[keep], dni[keep], dhi[keep]
    am = pvlib.atmosphere.get_relative_airmass(zen)
    am_abs = pvlib.atmosphere.get_absolute_airmass(am, pvlib.atmosphere.alt2pres(w.elevation))
    extra = pvlib.irradiance.get_extra_radiation(w.solar_times).to_numpy()[keep]
    albedo = d["albedo"].to_numpy(float)[keep] if "albedo" in d else np.full(keep.sum(), p.albedo)
    albedo = np.where(np.isfinite(albedo), albedo, p.albedo)
    ta = d["temp_air"].to_numpy(float)[keep]
    ws = np.maximum(d["wind_speed"].to_numpy(float), p.wind_floor)[keep]
    spectral = pvlib.spectrum.spectral_factor_sapm(am_abs, DESOTO_AM_COEFFICIENTS)
    pdc0 = 1.0 / p.dc_ac_ratio / p.eta_inv_nom
    once = time.process_time() - t
    t = time.process_time()
    annual = []
    for s, i_sky, i_gnd in zip(surfaces.itertuples(), iam_sky, iam_ground):
        tilt, az = s.surface_tilt, s.surface_azimuth
        aoi = pvlib.irradiance.aoi(tilt, az, zen, saz)
        rows = s.mounting == "rows"
        sky = pvlib.irradiance.perez(tilt, az, dhi, dni, extra, zen, saz, am, return_components=rows)
        ground = pvlib.irradiance.get_ground_diffuse(tilt, ghi, albedo)
        poa = pvlib.irradiance.poa_components(aoi, dni, sky["poa_sky_diffuse"] if rows else sky, ground)
        direct, diffuse = poa["poa_direct"], poa["poa_sky_diffuse"]
        if rows:  # the components only where they are needed, as a user would
            fs = pvlib.shading.shaded_fraction1d(zen, saz, az - 90.0, tilt, collector_width=1.0, pitch=1.0 / s.gcr)
            ct = np.cos(np.radians(tilt))
            vf_sky = pvlib.bifacial.utils.vf_row_sky_2d_integ(tilt, s.gcr) / ((1 + ct) / 2)
            vf_gnd = pvlib.bifacial.utils.vf_row_ground_2d_integ(tilt, s.gcr) / ((1 - ct) / 2) if ct < 1 - 1e-9 else 0.0
            direct = direct * (1 - fs)
            diffuse = sky["poa_isotropic"] * vf_sky + sky["poa_circumsolar"] * (1 - fs)
            ground = ground * vf_gnd
        eff = spectral * (direct * pvlib.iam.physical(aoi) + diffuse * i_sky + ground * i_gnd)
        sp_ = SAPM_PARAMS_BY_MOUNTING[s.mounting]
        tc = pvlib.temperature.sapm_cell(direct + diffuse + ground, ta, ws, sp_["a"], sp_["b"], sp_["deltaT"])
        dc = pvlib.pvsystem.pvwatts_dc(eff, tc, 1.0, p.gamma_pdc) * (1 - p.loss_fraction(s.mounting))
        annual.append(np.nansum(pvlib.inverter.pvwatts(dc, pdc0, p.eta_inv_nom)))
    return once, (time.process_time() - t) / len(surfaces), np.array(annual)


def one_large(n):
    """Child process: n distinct surfaces through the fused engine; prints JSON."""
    from solarplan.pv import fused
    w = weather()
    s = distinct(n, seed=5)
    fused.simulate(s.head(10), w)  # compile (or load the cached kernel)
    t0 = time.perf_counter()
    dt, res = cpu(fused.simulate, s, w)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"n": n, "cpu_s": dt, "wall_s": time.perf_counter() - t0, "configs": len(res.configs),
                      "peak_rss_mb": rss}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--mc-sample", type=int, default=30)
    ap.add_argument("--plain-sample", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--large", action="store_true", help="also 1,000,000 distinct surfaces (fresh process)")
    ap.add_argument("--one", type=int)
    args = ap.parse_args()
    if args.one:
        return one_large(args.one)
    from solarplan.pv import fused, yieldsim
    import numba
    load0 = os.getloadavg()
    print(f"CPUs {os.cpu_count()}, numba threads {numba.get_num_threads()}, load average at start "
          f"{load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f} (machine shared with other engineers' jobs)")
    w = weather()
    s = distinct(args.n)
    p = yieldsim.SystemParams()
    configs, _ = yieldsim.unique_configs(s, p.orientation_resolution_deg)
    t_marion, _ = cpu(yieldsim.diffuse_iam, p.iam_model, configs["surface_tilt"].to_numpy())
    t_compile, _ = cpu(fused.simulate, s.head(10), w)
    print(f"{len(s):,} surfaces, {len(configs):,} distinct configurations; Marion integrals for "
          f"{configs['surface_tilt'].nunique()} tilts: {t_marion:.1f} s CPU (once per process, both engines); "
          f"kernel compile/load: {t_compile:.1f} s CPU (once)")
    fz = sorted(cpu(fused.simulate, s, w)[0] for _ in range(args.repeat))
    geom = yieldsim.solar_geometry(w, p)
    hours = fused.hour_terms(geom, p)
    cfg = fused.config_terms(configs, p)
    kern = sorted(cpu(fused.ac_totals, hours, cfg, p)[0] for _ in range(args.repeat))
    pv = sorted(cpu(yieldsim.simulate, s, w, threads=1)[0] for _ in range(max(1, args.repeat - 1)))
    t_fused, t_kernel, t_pvlib = fz[len(fz) // 2], kern[len(kern) // 2], pv[len(pv) // 2]
    n_cfg = len(configs)
    sample = configs.head(args.plain_sample)
    once, per, plain_annual = plain_loop(w, sample)
    once_day, per_day, _ = plain_loop(w, sample, daytime_only=True)
    plain, plain_day = once + n_cfg * per, once_day + n_cfg * per_day  # the loop over all n_cfg surfaces
    fused_annual = fused.simulate(sample.assign(capacity_kwp=1.0), w).surfaces["annual_ac_kwh"].to_numpy()
    agree = np.max(np.abs(plain_annual / fused_annual - 1))
    mc = modelchain_loop(w, s.head(args.mc_sample))
    flop_h = len(hours.cos_zenith) * n_cfg
    print(f"fused engine (simulate, 1 thread): {t_fused:.3f} s CPU for {n_cfg:,} configurations "
          f"({t_fused / n_cfg * 1e6:.1f} us each; runs {', '.join(f'{x:.3f}' for x in fz)})")
    print(f"  of which the kernel alone: {t_kernel:.3f} s ({flop_h / t_kernel / 1e6:.0f} M configuration-hours/s)")
    print(f"pvlib path (yieldsim.simulate, 1 thread): {t_pvlib:.2f} s CPU ({t_pvlib / n_cfg * 1e3:.3f} ms each); "
          f"fused is {t_pvlib / t_fused:.0f}x")
    print(f"plain pvlib loop, same models, solar position once ({args.plain_sample} surfaces; its annual yields "
          f"equal the fused engine's within {agree:.1e}):")
    print(f"  over the year (8,760 h): {once:.3f} s once + {per * 1e3:.2f} ms per surface = {plain:.1f} s for "
          f"{n_cfg:,}; fused is {plain / t_fused:.0f}x (target >= 100x: {'met' if plain / t_fused >= 100 else 'NOT met'})")
    print(f"  over the engine's daytime hours only: {once_day:.3f} s once + {per_day * 1e3:.2f} ms per surface = "
          f"{plain_day:.1f} s; fused is {plain_day / t_fused:.0f}x")
    print(f"ModelChain loop ({args.mc_sample} surfaces): {mc * 1e3:.1f} ms each; fused is {mc * n_cfg / t_fused:.0f}x")
    print(f"target: 10,000 distinct configurations <= 1 s CPU: "
          f"{'met' if t_fused * 10_000 / n_cfg <= 1.0 else 'NOT met'} ({t_fused * 10_000 / n_cfg:.2f} s)")
    if args.large:
        out = subprocess.run([sys.executable, __file__, "--one", "1000000"], capture_output=True, text=True,
                             check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"fused, 1,000,000 distinct surfaces ({r['configs']:,} configurations): {r['cpu_s']:.1f} s CPU, "
              f"{r['wall_s']:.1f} s wall, peak RSS {r['peak_rss_mb']:.0f} MB")
    load1 = os.getloadavg()
    print(f"load average at end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")


if __name__ == "__main__":
    main()
