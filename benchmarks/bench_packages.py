"""Packaging and ranking speed on a 10,000-site inventory (run by hand: python benchmarks/bench_packages.py).

Sites are random around Shiyan (4 categories, 3 districts); the figure is the wall time of
solarplan.planning.packages.make_packages, median of 3 runs, and the peak memory of one run.
"""
from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_packages import random_sites  # noqa: E402
from solarplan.planning.packages import make_packages  # noqa: E402


def main(n: int = 10_000):
    sites = random_sites(n, seed=42, spread_deg=0.4)
    sites["district"] = sites["district"].where(sites.index % 3 != 0, "郧阳区")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        res = make_packages(sites)
        times.append(time.perf_counter() - t)
    tracemalloc.start()
    make_packages(sites)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{n} sites -> {len(res.packages)} packages, {len(res.excluded)} excluded; "
          f"median {statistics.median(times):.2f} s, peak traced memory {peak:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
