"""Hostile inputs through the real command line: no traceback, exit 2, a message naming the key, file or row.

Each case builds its inputs in a temporary folder (from the shipped demo data or a real CSWD EPW
mutated the way the hostile corpus of issue 22 did) and runs ``python -m solarplan``.
Cases needing ../shared/weather skip without it.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from solarplan.core.resources import data_path
from tests.conftest import shared_weather_dir

ROOT = Path(__file__).resolve().parents[2]


def run(args, cwd):
    return subprocess.run([sys.executable, "-m", "solarplan", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})


def buildings(tmp: Path, change=None, name="b.csv") -> Path:
    b = pd.read_csv(data_path("demo_shiyan_buildings.csv")).head(3)
    if change:
        change(b)
    b.to_csv(tmp / name, index=False)
    return tmp / name


def epw(tmp: Path, name: str, rows=None, location=None) -> Path:
    src = shared_weather_dir() / "CHN_Hubei.Yunxi.572510_CSWD.epw"
    lines = src.read_text(encoding="latin-1").splitlines()
    head, data = lines[:8], lines[8:]
    if location:
        loc = head[0].split(",")
        loc[6], loc[7] = location
        head[0] = ",".join(loc)
    data = rows(data) if rows else data
    (tmp / name).write_text("\n".join(head + data) + "\n", encoding="latin-1")
    return tmp / name


def fields(data, f):
    out = []
    for i, r in enumerate(data):
        p = r.split(",")
        f(i, p)
        out.append(",".join(p))
    return out


def _zero(i, p):
    p[13] = p[14] = p[15] = "0"


def _x1000(i, p):
    p[13] = str(float(p[13]) * 1000)


def _gap(i, p):
    if 3000 <= i < 5001:
        p[13] = p[14] = p[15] = "9999"


def plain_csv(tmp: Path, name: str, change=None) -> Path:
    t = pd.date_range("2023-01-01", periods=8760, freq="h", tz="Asia/Shanghai")
    import numpy as np
    df = pd.DataFrame({"time": t.strftime("%Y-%m-%dT%H:%M%z"), "ghi": np.clip(800 * np.sin((t.hour - 6) / 12 * np.pi),
                                                                               0, None),
                       "dni": 0.0, "dhi": 100.0, "temp_air": 20.0, "wind_speed": 1.0})
    if change:
        df = change(df)
    (tmp / name).write_text("# latitude=32.6\n# longitude=110.8\n" + df.to_csv(index=False), encoding="utf-8")
    return tmp / name


def inventory(tmp: Path) -> Path:
    import geopandas as gpd
    gpd.read_file(data_path("demo_shiyan_inventory.geojson")).head(3).to_file(tmp / "inv.geojson")
    return tmp / "inv.geojson"


def toml(tmp: Path, text: str) -> Path:
    (tmp / "plan.toml").write_text(text, encoding="utf-8")
    return tmp / "plan.toml"


def _text_value(df):
    df = df.astype({"ghi": object})
    df.loc[100, "ghi"] = "abc"
    return df


def _dup_time(df):
    df.loc[101, "time"] = df.loc[100, "time"]
    return df


# (id, builder of the argument list from tmp, regex the message must match)
CASES = [
    # configuration (item 2)
    ("discount-6", lambda t: ["demo", "--out", t / "o", "--config", toml(t, "[economics]\ndiscount_rate = 6\n")],
     r"discount_rate = 6 is out of range.*did you mean 6% = 0.06"),
    ("discount-minus-1", lambda t: ["demo", "--out", t / "o", "--config", toml(t, "[economics]\ndiscount_rate = -1\n")],
     r"discount_rate = -1 is out of range"),
    ("discount-text", lambda t: ["demo", "--out", t / "o", "--config",
                                 toml(t, '[economics]\ndiscount_rate = "6 percent"\n')], r"discount_rate = \"6 percent\""),
    ("losses-300", lambda t: ["demo", "--out", t / "o", "--config", toml(t, "[yield]\nlosses = { soiling = 300 }\n")],
     r"losses.soiling = 300 is out of range; accepted: a number in \[0, 100\]"),
    ("dc-ac-high", lambda t: ["simulate", inventory(t), "--out", t / "s.csv", "--config",
                              toml(t, '[yield]\ndc_ac_ratio = "high"\n')], r"dc_ac_ratio = \"high\" is not accepted"),
    ("usable-text", lambda t: ["inventory", "validate", inventory(t), "--out", t, "--config",
                               toml(t, '[surfaces.flat_roof]\nusable_fraction = "0.6"\n')],
     r"usable_fraction = \"0.6\" is not accepted; give a number without quotes"),
    ("refresh-no", lambda t: ["weather", "fetch", "--location", "十堰", "--config",
                              toml(t, '[weather]\npvgis_refresh = "no"\n')], r"pvgis_refresh = \"no\" is not accepted"),
    ("toml-array", lambda t: ["demo", "--out", t / "o", "--config", toml(t, "[[economics]]\ndiscount_rate = 0.05\n")],
     r"economics is an array of tables"),
    ("horizon-0", lambda t: ["demo", "--out", t / "o", "--config", toml(t, "[economics]\nhorizon_years = 0\n")],
     r"horizon_years = 0 is out of range"),
    ("horizon-huge", lambda t: ["demo", "--out", t / "o", "--config", toml(t, "[economics]\nhorizon_years = 99999\n")],
     r"horizon_years = 99999 is out of range"),
    ("config-folder", lambda t: ["demo", "--out", t / "o", "--config", t], r"is a folder"),
    # magnitudes (item 4)
    ("capacity-1e400", lambda t: ["check", "--capacity", "1e400MW", "--claim", "100万kWh", "--location", "十堰"],
     r"--capacity 1e400MW: inf kW is implausible; accepted: a number in \[1, 1e\+08\]"),
    ("100MW-on-10m2", lambda t: ["check", "--capacity", "100MW", "--area", "10m2", "--location", "十堰"],
     r"W/m2 is implausible; accepted: a number in \(0, 300\]"),
    ("target-irr-8", lambda t: ["contract", buildings(t), "--target-irr", "8", "--out", t / "d.xlsx"],
     r"--target-irr 8 would be 800%; write 8%"),
    ("parameter-200", lambda t: ["contract", buildings(t), "--parameter", "200%", "--out", t / "d.xlsx"],
     r"--parameter 200% is out of range"),
    ("retrofit-no-clean-row", lambda t: ["retrofit", buildings(t, lambda b: b.__setitem__("floor_area_m2", -5)),
                                         "--out", t / "r.xlsx"], r"b.csv: no building can be evaluated: all 3 rows"),
    # map inputs
    ("map-inventory", lambda t: ["map", inventory(t), "--out", t / "m.html"], r"draws results, not an inventory"),
    ("map-text-coordinates", lambda t: ["map", _sites(t, ["32.6", "abc"], ["110.8", ""]), "--out", t / "m.html"],
     r"sites.csv: 2 value\(s\) cannot be drawn: line 3: lat 'abc'.*line 3: lon blank"),
    ("map-blank-coordinates", lambda t: ["map", _sites(t, ["", ""], ["", ""]), "--out", t / "m.html"],
     r"line 2: lat blank"),
    # weather (item 4)
    ("weather-all-zero", lambda t: ["simulate", inventory(t), "--out", t / "s.csv", "--weather",
                                    epw(t, "z.epw", lambda d: fields(d, _zero))], r"z.epw: annual GHI 0 kWh/m2"),
    ("weather-ghi-x1000", lambda t: ["simulate", inventory(t), "--out", t / "s.csv", "--weather",
                                     epw(t, "k.epw", lambda d: fields(d, _x1000))], r"k.epw: annual GHI .* implausible"),
    ("weather-2001-missing", lambda t: ["simulate", inventory(t), "--out", t / "s.csv", "--weather",
                                        epw(t, "g.epw", lambda d: fields(d, _gap))],
     r"g.epw: 2001 hours of ghi are missing"),
    ("weather-at-0-0", lambda t: ["simulate", inventory(t), "--out", t / "s.csv", "--weather",
                                  epw(t, "o.epw", location=("0", "0"))], r"o.epw: the file is located at 0, 0"),
    ("weather-truncated", lambda t: ["simulate", inventory(t), "--out", t / "s.csv", "--weather",
                                     epw(t, "t.epw", lambda d: d[:500] + [d[500][:20]])], r"t.epw: 501 hourly rows"),
    ("weather-header-only", lambda t: ["simulate", inventory(t), "--out", t / "s.csv", "--weather",
                                       epw(t, "h.epw", lambda d: [])], r"h.epw: 0 hourly rows"),
    ("weather-csv-text", lambda t: ["simulate", inventory(t), "--out", t / "s.csv", "--weather",
                                    plain_csv(t, "w.csv", _text_value)], r"w.csv: column ghi holds text, e.g. 'abc'"),
    ("weather-csv-duplicate-times", lambda t: ["simulate", inventory(t), "--out", t / "s.csv", "--weather",
                                               plain_csv(t, "w.csv", _dup_time)], r"w.csv: 2 rows share a time stamp"),
    ("weather-csv-header-only", lambda t: ["simulate", inventory(t), "--out", t / "s.csv", "--weather",
                                           plain_csv(t, "w.csv", lambda df: df.head(0))],
     r"w.csv: the file has a header but no hourly rows"),
]


def _sites(tmp: Path, lat, lon) -> Path:
    pd.DataFrame({"site_id": ["A", "B"], "name": ["a", "b"], "lat": lat, "lon": lon,
                  "capacity_kwp": [100, 200]}).to_csv(tmp / "sites.csv", index=False)
    return tmp / "sites.csv"


#: One case per kind also goes through a fresh ``python -m solarplan`` process (the others call the same
#: entry point, solarplan.app.cli.main, in this process: a bug would raise here instead of returning 2).
SUBPROCESS = {"discount-6", "capacity-1e400", "map-text-coordinates", "weather-all-zero", "retrofit-no-clean-row"}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_case_exits_2_with_a_message(tmp_path, case, capsys, monkeypatch):
    name, build, match = case
    args = build(tmp_path)
    if name in SUBPROCESS:
        r = run(args, tmp_path)
        code, err = r.returncode, r.stderr
    else:
        from solarplan.app.cli import main
        monkeypatch.chdir(tmp_path)
        code = main([str(a) for a in args])
        err = capsys.readouterr().err
    assert "Traceback" not in err, err[-3000:]
    assert code == 2, (code, err[-1000:])
    import re
    assert re.search(match, " ".join(err.split())), err


@pytest.mark.parametrize("change,column,match", [
    (lambda b: b.__setitem__("lat", [95.0, 32.6, 32.6]), "lat", r"lat =? ?95 is (implausible|outside the accepted range) .*90"),
    (lambda b: b.__setitem__("floor_area_m2", [1e15, 4000.0, 4000.0]), "floor_area_m2", "floor_area_m2 1e\\+15 is "
                                                                                        "implausible"),
])
def test_buildings_out_of_range_are_rejected_not_evaluated(tmp_path, change, column, match):
    r = run(["retrofit", buildings(tmp_path, change), "--out", tmp_path / "r.csv"], tmp_path)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    rej = pd.read_csv(tmp_path / "r_rejects.csv", encoding="utf-8-sig")
    assert rej["column"].tolist() == [column]
    assert rej["reason"].str.contains(match).all()
    saved = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig")
    assert len(saved) and saved["building_id"].nunique() == 2  # the two good buildings only
