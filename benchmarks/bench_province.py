"""Province-scale end to end (issue 21, item 3, third target): a register of 100,000 sites (about 250,000
surfaces) through ``packages``, ``map`` and ``briefing``, each step a separate ``python -m solarplan`` process
measured by the operating system (``/usr/bin/time -v``: wall time, user + system CPU, peak RSS).

Run by hand (it takes minutes): ``python benchmarks/bench_province.py [n_sites] [workdir]``; default
100,000 sites in a temporary folder. Target: all three steps in <= 5 minutes and <= 4 GB peak RSS each.

The register is SYNTHETIC, written as a CSV of surfaces (points with ``lat``, ``lon`` and ``area_m2``, the
form most registers take; polygons are not needed at this scale):

* sites spread over Hubei's 103 county-level units (label points of ``data/basemap_cn.geojson``), a county's
  share drawn from a lognormal (estimate: urban districts hold many more institutions than rural counties),
  each site within a few km of its county point (normal, 6 km standard deviation; estimate);
* categories, buildings per site, roof sizes, roof types, carport chance, loads and tariffs as in the Shiyan
  demo city (``data/generate_demo_city.py``, whose shares are the demo's estimates): about 2.5 surfaces per site.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "data"))
from generate_demo_city import CATEGORY_SHARE, LOAD_KWH_M2, M2_PER_PERSON, NAMES, PROFILE, TARIFF  # noqa: E402

SEED = 21


def hubei_counties() -> pd.DataFrame:
    g = json.loads((ROOT / "data" / "basemap_cn.geojson").read_text(encoding="utf-8"))
    rows = [f["properties"] for f in g["features"]
            if f["properties"].get("level") == "county" and str(f["properties"].get("adcode", "")).startswith("42")]
    return pd.DataFrame(rows)[["name", "adcode", "label_lat", "label_lon"]]


def province_register(n_sites: int, seed: int = SEED) -> pd.DataFrame:
    """One row per surface (see the module docstring)."""
    rng = np.random.default_rng(seed)
    counties = hubei_counties()
    w = rng.lognormal(0.0, 0.8, len(counties))
    county = rng.choice(len(counties), n_sites, p=w / w.sum())
    cats = list(CATEGORY_SHARE)
    cat = rng.choice(cats, n_sites, p=np.array(list(CATEGORY_SHARE.values())) / sum(CATEGORY_SHARE.values()))
    km = 6.0
    lat = counties["label_lat"].to_numpy()[county] + rng.normal(0, km / 111.0, n_sites)
    lon = counties["label_lon"].to_numpy()[county] + rng.normal(0, km / 94.0, n_sites)   # 1 deg lon ~ 94 km at 31 N
    rows = []
    for i in range(n_sites):
        c = cat[i]
        (b_lo, b_hi), med_roof, types, carport = PROFILE[c]
        nb = int(rng.integers(b_lo, b_hi + 1))
        roofs = med_roof * rng.lognormal(0.0, 0.5, nb)
        floor = float(roofs.sum() * rng.uniform(2.0, 6.0))
        load = floor * LOAD_KWH_M2[c] * rng.uniform(0.7, 1.3)
        name = counties["name"].iat[county[i]] + rng.choice(NAMES[c]).replace("{n}", str(rng.integers(1, 30)))
        kinds = list(rng.choice(list(types), nb, p=np.array(list(types.values())) / sum(types.values())))
        areas = list(roofs)
        if rng.random() < carport:
            kinds.append("carport")
            areas.append(float(rng.uniform(300, 2000)))
        for j, (k, a) in enumerate(zip(kinds, areas)):
            rows.append((f"HB{i:06d}", f"HB{i:06d}-R{j + 1}", name, c, k, counties["name"].iat[county[i]],
                         round(lat[i] + rng.normal(0, 2e-4), 6), round(lon[i] + rng.normal(0, 2e-4), 6),
                         round(float(a), 1), round(floor), int(floor / M2_PER_PERSON[c]), round(load / len(kinds)),
                         TARIFF[c]))
    return pd.DataFrame(rows, columns=["site_id", "surface_id", "name", "category", "surface_type", "district",
                                       "lat", "lon", "area_m2", "floor_area_m2", "occupants", "annual_load_kwh",
                                       "tariff_cny_per_kwh"])


def timed(args: list[str], log: Path) -> dict:
    """Run ``python -m solarplan ARGS`` under /usr/bin/time -v; wall s, CPU s, peak RSS GB."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "solarplan", *args]
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    log.write_text(r.stdout + "\n" + r.stderr, encoding="utf-8")
    def field(name):
        m = re.search(rf"{name}: ([\d.:]+)", r.stderr)
        return float(m.group(1)) if m else float("nan")
    return {"step": args[0], "rc": r.returncode, "wall_s": wall, "cpu_s": field("User time \\(seconds\\)") +
            field("System time \\(seconds\\)"), "peak_rss_gb": field("Maximum resident set size \\(kbytes\\)") / 1e6}


def main(n_sites: int = 100_000, work: str | None = None):
    work = Path(work or tempfile.mkdtemp(prefix="province-"))
    work.mkdir(parents=True, exist_ok=True)
    reg = work / "hubei_register.csv"
    if not reg.exists():
        t = time.perf_counter()
        province_register(n_sites).to_csv(reg, index=False, encoding="utf-8-sig")
        print(f"register {reg}: written in {time.perf_counter() - t:.0f} s", flush=True)
    n_surf = sum(1 for _ in reg.open(encoding="utf-8-sig")) - 1
    out = work / "results"
    steps = [["packages", str(reg), "--out", str(out)],
             ["map", str(out), "--out", str(work / "map.html"), "--offline", "--tiles", "none"],
             ["briefing", str(out), "--out", str(work / "briefing.html"), "--offline"]]
    res = []
    for s in steps:
        r = timed(s, work / f"{s[0]}.log")
        res.append(r)
        print(f"{r['step']:9s} rc {r['rc']}  wall {r['wall_s']:7.1f} s  CPU {r['cpu_s']:7.1f} s  "
              f"peak RSS {r['peak_rss_gb']:.2f} GB", flush=True)
        if r["rc"]:
            print((work / f"{s[0]}.log").read_text(encoding="utf-8")[-3000:])
            break
    print(f"{n_sites} sites, {n_surf} surfaces: total wall {sum(r['wall_s'] for r in res):.0f} s, CPU "
          f"{sum(r['cpu_s'] for r in res):.0f} s, largest peak RSS {max(r['peak_rss_gb'] for r in res):.2f} GB "
          f"(targets: 300 s, 4 GB); {os.cpu_count()} CPUs shared with other engineers, load average (1 min) "
          f"{os.getloadavg()[0]:.1f}; work folder {work}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, sys.argv[2] if len(sys.argv) > 2 else None)
