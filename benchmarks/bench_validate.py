"""Validation time against rows: linear, 100,000 rows well under 60 s (run by hand: python benchmarks/bench_validate.py).

Writes a register of N rows as a county office keeps it (CSV, Chinese headers with units in brackets,
values such as 约1500 / 1,500 / 0.6万 on one row in ten, Chinese category and roof words, roof and
carport columns, a 合计 row every 500 rows) and times, in CPU seconds of this process:

* ``validate``: :func:`solarplan.io.validate.validate` on the table as read (the engine alone);
* ``read``: the whole public path, :func:`solarplan.read_inventory` (CSV parse, header detection,
  validation, capacity).

for N and 4 N, and prints the ratio (linear: about 4; the issue asks for at most 5). Median of 3
runs of the engine, one run of the full read.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import solarplan  # noqa: E402
from solarplan.io.config import load_config  # noqa: E402
from solarplan.io.inventory import read_table  # noqa: E402
from solarplan.io.validate import validate  # noqa: E402

CATS = ["党政机关", "中学", "卫生院", "图书馆", "疾控中心", "小学"]
ROOFS = ["混凝土屋面", "瓦屋面", "彩钢瓦屋面", "平屋顶"]


def register(n: int, path: Path) -> Path:
    rng = np.random.default_rng(1)
    area = rng.uniform(200, 5000, n).round(0)
    text = area.astype(int).astype(str).astype(object)
    k = np.arange(n)
    text[k % 10 == 3] = ["约" + t for t in text[k % 10 == 3]]
    text[k % 10 == 5] = [f"{int(t):,}" for t in text[k % 10 == 5]]
    text[k % 10 == 7] = [f"{int(t) / 1e4:g}万" for t in text[k % 10 == 7]]
    df = pd.DataFrame({
        "序号": k + 1, "单位名称": [f"单位{i}" for i in k], "单位类型": np.array(CATS)[k % len(CATS)],
        "屋顶类型": np.array(ROOFS)[k % len(ROOFS)],
        "经度": (110.0 + rng.uniform(0, 1.5, n)).round(5), "纬度": (32.0 + rng.uniform(0, 1.0, n)).round(5),
        "屋顶可利用面积（㎡）": text, "车棚面积（㎡）": np.where(k % 4 == 0, "300", ""),
        "年用电量（万千瓦时）": rng.uniform(1, 100, n).round(1),
    }).astype(object)
    df.loc[k % 500 == 499, ["单位名称", "单位类型", "屋顶类型", "经度", "纬度"]] = ["合计", "", "", "", ""]
    df.to_csv(path, index=False, encoding="gbk")
    return path


def cpu(f):
    t = time.process_time()
    out = f()
    return time.process_time() - t, out


def main(n: int = 25_000):
    cfg = load_config(None)
    tmp = Path(tempfile.mkdtemp())
    rows = []
    for size in (n, 4 * n):
        p = register(size, tmp / f"reg{size}.csv")
        df, geoms, src, label, _, factors = read_table(p, cfg)
        runs = [cpu(lambda: validate(df, geoms, src, str(p), cfg, row_label=label, factors=factors)) for _ in range(3)]
        t_val = statistics.median(r[0] for r in runs)
        t_read, res = cpu(lambda: solarplan.read_inventory(p, cfg))
        rows.append((size, t_val, t_read, res.summary()))
        print(f"{size:>7} rows: validate {t_val:6.2f} s CPU, read_inventory {t_read:6.2f} s CPU; {res.summary()}")
    (a, va, ra, _), (b, vb, rb, _) = rows
    print(f"4x rows -> validate x{vb / va:.2f}, read_inventory x{rb / ra:.2f} (linear: 4; target <= 5)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 25_000)
