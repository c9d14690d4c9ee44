"""Size and load time of the offline map at province scale (run by hand: python benchmarks/bench_maps.py 10000 100000).

Builds a random result around Shiyan (sites normally spread over about 0.4 degrees, i.e. one prefecture; four
categories; packages formed as category x 0.1-degree grid cell, about 1,500 packages at 100,000 sites, the order of the 2,539
``make_packages`` gave on the issue-21 province run), writes the offline map (tiles none; above 5,000 sites the
canvas mode of :func:`solarplan.report.maps.build_map`), opens it in Debian's headless chromium with the network cut,
and reports the HTML size, the build time and the time until every site is held (``markerCount``) and drawn
(``drawnSites``), median of 3 loads, with the JavaScript heap and the machine's load average before and after:
the machine is shared, so the figure depends on what else runs.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.planning.test_packages import random_sites  # noqa: E402
from solarplan.report.maps import build_map, render  # noqa: E402


def province_result(n: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random sites with grid packages (ranked by capacity) and about 2% excluded."""
    s = random_sites(n, seed=seed, spread_deg=0.4)
    rng = np.random.default_rng(seed)
    cell = (np.floor(s["lat"] / 0.1).astype(int).astype(str) + "_" + np.floor(s["lon"] / 0.1).astype(int).astype(str))
    s["package_id"] = s["category"] + "/-" + cell
    s.loc[rng.random(n) < 0.02, "package_id"] = ""
    s["simple_payback_yr"] = rng.uniform(4, 12, n)
    s["score"] = rng.uniform(0, 100, n)
    s["name"] = [f"单位{i}" for i in range(n)]
    cap = s[s["package_id"] != ""].groupby("package_id")["capacity_kwp"].sum().sort_values(ascending=False)
    packages = pd.DataFrame({"package_id": cap.index, "rank": np.arange(1, len(cap) + 1)})
    return s, packages


def main(sizes=(10_000,)):
    from playwright.sync_api import sync_playwright
    for n in sizes:
        sites, packages = province_result(n)
        t = time.perf_counter()
        html = render(build_map(sites, packages, None, tiles="none"), offline=True)
        build_s = time.perf_counter() - t
        path = Path(tempfile.mkdtemp()) / f"map{n}.html"
        path.write_text(html, encoding="utf-8")
        loads, heaps = [], []
        load_before = os.getloadavg()
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            for _ in range(3):
                page = b.new_page(viewport={"width": 1200, "height": 900})
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                           else r.abort())
                t = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_function(f"window.solarplan && window.solarplan.markerCount === {len(sites)}",
                                       timeout=600_000)
                loads.append(time.perf_counter() - t)
                drawn = page.evaluate("window.solarplan.drawnSites")
                heaps.append(page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0") / 1e6)
                page.close()
            b.close()
        load_after = os.getloadavg()
        print(f"{len(sites)} sites, {len(packages)} packages: HTML {path.stat().st_size / 1e6:.1f} MB, built in "
              f"{build_s:.2f} s, opened in {statistics.median(loads):.2f} s (median of 3, headless chromium; loads "
              f"{', '.join(f'{x:.2f}' for x in loads)} s; drawn {drawn}; JS heap {statistics.median(heaps):.0f} MB); "
              f"{os.cpu_count()} CPUs shared with other engineers, load average (1 min) {load_before[0]:.1f} before "
              f"and {load_after[0]:.1f} after", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000])
