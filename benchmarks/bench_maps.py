"""Size and load time of the offline map for 10,000 sites (run by hand: python benchmarks/bench_maps.py).

Builds a random 10,000-site result around Shiyan, writes the offline map (tiles none, clustered
above 1,000 sites), opens it in Debian's headless chromium with the network cut, and reports the
HTML size and the time until every marker is in the cluster layers (median of 3 loads), with each
load time and the machine's load average before and after, since on a shared machine the figure
depends on what else runs. It also reports the CPU seconds the browser's processes spent per load
(user + system, summed over chromium's processes), which other work on the machine does not inflate:
on an idle machine the wall-clock load time approaches it.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.planning.test_packages import random_sites  # noqa: E402
from solarplan.report.maps import build_map, render  # noqa: E402
from solarplan.planning.packages import make_packages  # noqa: E402


def _cpu_seconds() -> float:
    """User + system CPU time of every child process of this one (the Playwright driver and chromium)."""
    import psutil
    total = 0.0
    for c in psutil.Process().children(recursive=True):
        try:
            ct = c.cpu_times()
            total += ct.user + ct.system
        except psutil.Error:
            pass
    return total


def main(n: int = 10_000):
    from playwright.sync_api import sync_playwright
    res = make_packages(random_sites(n, seed=1, spread_deg=0.4))
    sites = __import__("pandas").concat([res.sites, res.excluded], ignore_index=True)
    t = time.perf_counter()
    html = render(build_map(sites, res.packages, None, tiles="none"), offline=True)
    build_s = time.perf_counter() - t
    path = Path(tempfile.mkdtemp()) / "map10k.html"
    path.write_text(html, encoding="utf-8")
    loads, cpu = [], []
    load_before = os.getloadavg()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for _ in range(3):
            page = b.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
            t, c = time.perf_counter(), _cpu_seconds()
            page.goto(path.as_uri())
            page.wait_for_function(f"window.solarplan && window.solarplan.markerCount === {len(sites)}")
            loads.append(time.perf_counter() - t)
            cpu.append(_cpu_seconds() - c)   # before closing: the page's renderer process is still alive
            page.close()
        b.close()
    load_after = os.getloadavg()
    print(f"{len(sites)} sites: HTML {path.stat().st_size / 1e6:.2f} MB, built in {build_s:.2f} s, "
          f"loaded in {statistics.median(loads):.2f} s (median of 3, headless chromium; loads "
          f"{', '.join(f'{x:.2f}' for x in loads)} s), browser CPU time {statistics.median(cpu):.2f} s per load "
          f"(median); {os.cpu_count()} CPUs, load average (1 min) "
          f"{load_before[0]:.1f} before and {load_after[0]:.1f} after")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
