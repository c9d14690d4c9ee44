"""Weather readers and quality control on the real CSWD files and pvlib's Greensboro TMY3."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pvlib
import pytest

from solarplan.app.cli import main
from solarplan.core.errors import WeatherError
from solarplan.weather import get_weather
from solarplan.weather.qc import quality_check, resolve_shift, solar_position
from solarplan.weather.readers import read_weather
from solarplan.weather.writers import write_weather

GREENSBORO = Path(pvlib.__path__[0]) / "data" / "723170TYA.CSV"
# (file, offset in SOURCES.md [h])
STATIONS = [
    ("CHN_Hubei.Wuhan.574940_CSWD.epw", 0.48), ("CHN_Hubei.Yichang.574610_CSWD.epw", 0.46),
    ("CHN_Hubei.Yunxi.572510_CSWD.epw", 0.48), ("CHN_Hubei.Laohekou.572650_CSWD.epw", 0.54),
    ("CHN_Shaanxi.Ankangan.572450_CSWD.epw", 1.39), ("CHN_Shanxi.Houma.539630_CSWD.epw", 1.47),
    ("CHN_Shanxi.Yushe.537870_CSWD.epw", 0.49), ("CHN_Henan.Zhengzhou.570830_CSWD.epw", 0.58),
    ("CHN_Sichuan.Nanchong.574110_CSWD.epw", 0.50), ("CHN_Sichuan.Wanyuan.572370_CSWD.epw", 0.47),
    ("CHN_Chongqing.Chongqing.Shapingba.575160_CSWD.epw", 0.52),
]


def _epw_ghi_sum_kwh(path: Path) -> float:
    """Independent of pvlib: sum field 14 (GHI, Wh/m2) of the EPW data lines."""
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))[8:]
    return sum(float(r[13]) for r in rows) / 1e3


@pytest.mark.parametrize("name,offset", STATIONS, ids=[s[0].split(".")[1] for s in STATIONS])
def test_epw_reads_8760_rows_in_station_time(weather_dir, name, offset):
    w = read_weather(weather_dir / name)
    assert len(w.data) == 8760
    assert w.data.index[0].utcoffset().total_seconds() == 8 * 3600
    assert not w.data[["ghi", "dni", "dhi", "temp_air", "wind_speed"]].isna().any().any()
    assert w.annual_kwh_m2("ghi") == pytest.approx(_epw_ghi_sum_kwh(weather_dir / name), abs=1e-9)
    assert "albedo" not in w.data  # EPW 999 = missing, never used as a reflectance


def test_tmy3_greensboro_reads_right():
    w = read_weather(GREENSBORO)
    assert len(w.data) == 8760 and w.data.index[0].utcoffset().total_seconds() == -5 * 3600
    ref, _ = pvlib.iotools.read_tmy3(str(GREENSBORO), map_variables=True)
    assert w.annual_kwh_m2() == pytest.approx(ref["ghi"].sum() / 1e3, abs=1e-9)
    # TMY3 stamps interval ends: the first row (01:00 in the file) becomes the interval starting 00:00
    assert w.data["ghi"].iloc[0] == ref["ghi"].iloc[0]
    assert w.data.index[0].hour == 0


@pytest.mark.parametrize("name,offset", STATIONS, ids=[s[0].split(".")[1] for s in STATIONS])
def test_qc_finds_the_cswd_timing_offset(weather_dir, name, offset):
    report = quality_check(read_weather(weather_dir / name))
    # SOURCES.md gives the offsets to 0.01 h with the same definition
    assert report.timing_offset_h == pytest.approx(offset, abs=0.02)


def test_qc_finds_no_offset_in_greensboro():
    report = quality_check(read_weather(GREENSBORO))
    assert abs(report.timing_offset_h) < 0.05
    w, _, warnings = resolve_shift(read_weather(GREENSBORO))
    assert w.shift_applied_h == 0.0 and not warnings


@pytest.mark.parametrize("name,before,after_max", [("CHN_Hubei.Wuhan.574940_CSWD.epw", 185, 25),
                                                   ("CHN_Shanxi.Yushe.537870_CSWD.epw", 159, 20)])
def test_correction_removes_radiation_with_the_sun_down(weather_dir, name, before, after_max):
    raw = read_weather(weather_dir / name)
    report = quality_check(raw)
    # SOURCES.md: Wuhan 185 -> 18 h, Yushe 159 -> 11 h (apparent zenith > 90 deg); its refraction
    # settings are not stated, which moves a few hours at the horizon: +-5 h
    assert report.sun_down_hours == pytest.approx(before, abs=5)
    fixed, _, warnings = resolve_shift(raw)
    z = solar_position(fixed)["apparent_zenith"].to_numpy()
    assert int(((raw.data["ghi"].to_numpy() > 0) & (z > 90)).sum()) <= after_max
    assert warnings and "shifted" in warnings[0]


@pytest.mark.parametrize("name", ["CHN_Shanxi.Houma.539630_CSWD.epw", "CHN_Shaanxi.Ankangan.572450_CSWD.epw"])
def test_large_offsets_and_poor_closure_are_flagged_and_repaired(weather_dir, name):
    raw = read_weather(weather_dir / name)
    report = quality_check(raw)
    assert report.timing_offset_h > 1.2 and report.closure < 0.93
    for closure, words in (("auto", "beam and diffuse are used"), ("ghi", "DNI rebuilt")):
        fixed, _, warnings = resolve_shift(raw, closure=closure)
        assert fixed.shift_applied_h > 1.2
        assert fixed.meta.get("closure_fixed") and any(words in w for w in warnings)
        z = solar_position(fixed)["apparent_zenith"].to_numpy()
        ok = (fixed.data["ghi"] > 50).to_numpy() & (z < 80)
        closure = (fixed.data["dni"].to_numpy()[ok] * np.cos(np.radians(z[ok]))
                   + fixed.data["dhi"].to_numpy()[ok]).sum() / fixed.data["ghi"].to_numpy()[ok].sum()
        assert closure == pytest.approx(1.0, abs=0.01)


def test_manual_shift_and_none(weather_dir):
    raw = read_weather(weather_dir / STATIONS[0][0])
    assert resolve_shift(raw, "none", "none")[0].shift_applied_h == 0.0
    assert resolve_shift(raw, "0.5", "none")[0].solar_offset_h == pytest.approx(0.0)
    with pytest.raises(ValueError, match="auto, none or a number"):
        resolve_shift(raw, "later")


def test_outside_china_without_file_asks_for_one():
    with pytest.raises(WeatherError, match="give a weather file"):
        get_weather("auto", 48.85, 2.35)


@pytest.mark.parametrize("suffix", [".epw", ".csv"])
def test_written_weather_reads_back(tmp_path, suffix):
    w = get_weather("auto", 32.63, 110.80).weather
    back = read_weather(write_weather(w, tmp_path / f"year{suffix}"))
    assert len(back.data) == 8760
    # EPW stores whole W/m2; the CSV three decimals
    tol = 0.5 if suffix == ".epw" else 5e-4
    np.testing.assert_allclose(back.data["ghi"], w.data["ghi"], atol=tol + 1e-9)
    assert back.latitude == pytest.approx(32.63)


def test_weather_info_prints_each_closure_reading(weather_dir, capsys):
    """`solarplan weather info` shows what each reading does to the 25 deg south POA (issue 16)."""
    path = weather_dir / "CHN_Shanxi.Houma.539630_CSWD.epw"
    assert main(["weather", "info", str(path)]) == 0
    text = capsys.readouterr().out
    poa = {name: float(re.search(rf'closure = "{name}" .*?: (\d+) kWh/m2', text).group(1))
           for name in ("components", "ghi")}
    used = float(re.search(r"used: (\d+) kWh/m2", text).group(1))
    assert re.search(r'closure = "components" .*<- used', text)
    assert used == poa["components"]
    # Houma's components fall short of GHI (closure 0.93): trusting GHI adds 5-12 % to the POA
    assert 1.05 < poa["ghi"] / poa["components"] < 1.12
    assert main(["weather", "info", str(path), "--closure", "ghi"]) == 0
    assert re.search(r'closure = "ghi" .*<- used', capsys.readouterr().out)
    assert main(["weather", "info", str(path), "--closure", "gh"]) == 2
