"""Sanity limits of a weather year: refuse data that cannot be a typical year at a real place.

The timing and closure checks of :mod:`solarplan.weather.qc` correct good data; these
limits catch data that no correction can save, before a simulation turns them into a
plausible-looking but wrong yield (all-zero irradiance giving 0 kWh/kWp, GHI in the
wrong unit giving 177 kWh/kWp, thousands of missing hours, a file located at 0, 0).

Limits (each an estimate with its reasoning):

* **Hours**: a typical year has 8760 hourly rows (8784 in a leap year); fewer than
  :data:`MIN_HOURS` is a truncated file.
* **Missing hours**: at most :data:`MAX_MISSING_HOURS` (2 days) of missing irradiance or
  temperature. Missing hours simulate as no sun; two days move an annual yield by about
  0.5 %, which the P90 margin covers; beyond that the year is not complete.
* **Annual GHI** in [:data:`GHI_ANNUAL_KWH_M2`]: the lowest long-term annual GHI of any
  inhabited place is about 600 kWh/m2 (Faroe Islands, Sichuan basin towns ~900) and the
  highest about 2,600 kWh/m2 (Atacama) [1]_; outside 300-3,000 the file holds no sun, or
  W/m2 written as kW/m2 (or the reverse).
* **Hourly GHI** at most :data:`GHI_MAX_W_M2`: the solar constant is 1,361 W/m2; cloud
  enhancement gives minutes above it, never an hourly mean above 1,500.
* **Air temperature** in [-70, 60] C (records: -67.8 C Verkhoyansk, 56.7 C Death Valley).
* **Location**: latitude in [-90, 90], longitude in [-180, 180], and not exactly 0, 0 (the
  value of an empty location line).

References
----------
.. [1] Global Solar Atlas 2.0 (World Bank / Solargis, 2019), long-term average GHI map.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from solarplan.core.errors import WeatherError

MIN_HOURS = 8000
MAX_MISSING_HOURS = 48
GHI_ANNUAL_KWH_M2 = (300.0, 3000.0)
GHI_MAX_W_M2 = 1500.0
TEMP_RANGE_C = (-70.0, 60.0)
CHECKED = ("ghi", "dni", "dhi", "temp_air")
#: Missing-value codes of irradiance in EPW (9999) and TMY files (9999, 99999, 999999).
MISSING_CODES = (9999.0, 99999.0, 999999.0)


def _first_rows(mask: np.ndarray, index, n: int = 3) -> str:
    rows = np.flatnonzero(mask)[:n]
    return ", ".join(str(index[i]) for i in rows)


def check_raw(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Checks on the table as read, before it becomes a typical year: numbers and unique times.

    Returns the table with the weather columns as floats.
    """
    if len(df) == 0:
        raise WeatherError(f"{source}: the file has a header but no hourly rows; a typical year has 8760")
    if df.index.has_duplicates:
        dup = df.index.duplicated(keep=False)
        raise WeatherError(f"{source}: {int(dup.sum())} rows share a time stamp (first: {_first_rows(dup, df.index)}); "
                           "each hour must appear once")
    out = df.copy()
    for col in [c for c in CHECKED + ("wind_speed", "albedo") if c in out.columns]:
        num = pd.to_numeric(out[col], errors="coerce")
        text = num.isna().to_numpy() & out[col].notna().to_numpy()
        if text.any():
            i = int(np.flatnonzero(text)[0])
            raise WeatherError(f"{source}: column {col} holds text, e.g. {str(out[col].iloc[i])!r} at "
                               f"{df.index[i]} ({int(text.sum())} value(s)); give numbers (leave missing hours blank)")
        out[col] = num.astype(float)
    return out


def check_year(data: pd.DataFrame, latitude: float, longitude: float, source: str) -> None:
    """Refuse a weather year outside the limits of the module docstring (raises WeatherError)."""
    n = len(data)
    if n < MIN_HOURS:
        raise WeatherError(f"{source}: {n} hourly rows; a typical year needs 8760 (the file is truncated or "
                           "not hourly)")
    if not (np.isfinite(latitude) and np.isfinite(longitude) and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise WeatherError(f"{source}: location {latitude}, {longitude} is not on Earth; accepted: latitude in "
                           "[-90, 90], longitude in [-180, 180]")
    if latitude == 0 and longitude == 0:
        raise WeatherError(f"{source}: the file is located at 0, 0 (the value of a blank location line); give "
                           "the station's latitude and longitude in the file")
    for col in CHECKED:
        if col not in data:
            continue
        v = data[col].to_numpy(float)
        # EPW/TMY missing-value codes (9999 for radiation, 99.9 for temperature) count as missing
        miss = np.isnan(v) | np.isin(v, (99.9,) if col == "temp_air" else MISSING_CODES)
        if miss.sum() > MAX_MISSING_HOURS:
            raise WeatherError(f"{source}: {int(miss.sum())} hours of {col} are missing (first: "
                               f"{_first_rows(miss, data.index)}); at most {MAX_MISSING_HOURS} are accepted; "
                               "fill the gaps or use another year")
    ghi = data["ghi"].to_numpy(float)
    ghi = np.where(np.isin(ghi, MISSING_CODES), np.nan, ghi)
    annual = float(np.nansum(ghi)) / 1000.0 * 8760.0 / n
    lo, hi = GHI_ANNUAL_KWH_M2
    if not lo <= annual <= hi:
        hint = (" (no sun at all: irradiance columns empty or zero?)" if annual < 1 else
                " (irradiance in kW/m2 instead of W/m2?)" if annual < lo else " (irradiance in the wrong unit, "
                "e.g. W/m2 x 1000 or Wh/m2 per day?)")
        raise WeatherError(f"{source}: annual GHI {annual:,.0f} kWh/m2 is implausible; accepted: "
                           f"{lo:,.0f}-{hi:,.0f} kWh/m2{hint}")
    peak = float(np.nanmax(ghi))
    if peak > GHI_MAX_W_M2:
        over = ghi > GHI_MAX_W_M2
        raise WeatherError(f"{source}: GHI reaches {peak:,.0f} W/m2 ({int(over.sum())} hours above "
                           f"{GHI_MAX_W_M2:,.0f}; first: {_first_rows(over, data.index)}); an hourly mean cannot "
                           "exceed ~1,400 W/m2")
    if "temp_air" in data:
        t = data["temp_air"].to_numpy(float)
        t = np.where(t == 99.9, np.nan, t)
        tlo, thi = TEMP_RANGE_C
        bad = np.isfinite(t) & ((t < tlo) | (t > thi))
        if bad.any():
            raise WeatherError(f"{source}: air temperature {t[bad][0]:g} C at {data.index[np.flatnonzero(bad)[0]]} "
                               f"is outside [{tlo:g}, {thi:g}] C ({int(bad.sum())} hours); wrong unit or column?")
