"""The canonical weather year every part of solarplan consumes.

A :class:`WeatherYear` holds hourly ``ghi``, ``dni``, ``dhi`` [W/m2],
``temp_air`` [C], ``wind_speed`` [m/s] and optionally ``albedo`` [-], as
interval means. **The index labels the start of each hourly interval** and is
time-zone aware (fixed offset of the station's standard time). Solar geometry
for an interval is evaluated at ``index + solar_offset_h`` hours: 0.5 h (the
interval centre) for a correct file of interval means, the stated instant for
files of instantaneous values (PVGIS), less where quality control found the
radiation recorded late (see :mod:`solarplan.weather.qc`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from solarplan.core.calendar import TYPICAL_YEAR
from solarplan.core.errors import WeatherError

REQUIRED = ("ghi", "dni", "dhi", "temp_air", "wind_speed")
OPTIONAL = ("albedo",)


@dataclass(frozen=True)
class WeatherYear:
    """An hourly weather year in solarplan's canonical form.

    Attributes
    ----------
    data : DataFrame
        Columns ``ghi``, ``dni``, ``dhi`` [W/m2], ``temp_air`` [C],
        ``wind_speed`` [m/s], optional ``albedo`` [-]; index = interval start,
        tz-aware.
    latitude, longitude : float
        [degrees, WGS84]
    elevation : float
        [m]
    source : str
        File path or description of the synthesis.
    timestamp : str
        What the index labels: always ``"interval start"`` here; the original
        file's convention is kept in ``meta['file_timestamp']``.
    solar_offset_h : float or ndarray
        Hours added to the index to evaluate solar geometry [h]; an array (one
        value per row) where the correction follows the equation of time.
    shift_applied_h : float
        Mean timing correction applied by QC (value_time_h - solar_offset_h) [h].
    value_time_h : float
        Where in each interval the file says its irradiance belongs [h after
        the interval start]: 0.5 for interval means (EPW, TMY3, CSWD), the
        stated instant for instantaneous values (PVGIS ``irradiance_time_offset``).
    meta : Mapping
        Station name, WMO id, QC results, notes.
    """

    data: pd.DataFrame
    latitude: float
    longitude: float
    elevation: float
    source: str
    timestamp: str = "interval start"
    solar_offset_h: float | np.ndarray = 0.5
    shift_applied_h: float = 0.0
    value_time_h: float = 0.5
    meta: Mapping = field(default_factory=lambda: MappingProxyType({}))

    @property
    def tz(self):
        return self.data.index.tz

    @property
    def solar_times(self) -> pd.DatetimeIndex:
        """Times at which solar geometry is evaluated."""
        return self.data.index + pd.to_timedelta(np.asarray(self.solar_offset_h) * 3600.0, unit="s")

    def with_shift(self, shift_h) -> "WeatherYear":
        """Copy with the solar geometry moved earlier by ``shift_h`` hours (radiation recorded late).

        ``shift_h`` is a number or an array with one value per row.
        """
        shift = np.asarray(shift_h, float)
        offset = self.value_time_h - shift if shift.ndim else self.value_time_h - float(shift)
        return replace(self, solar_offset_h=offset, shift_applied_h=round(float(np.mean(shift)), 3))

    def annual_kwh_m2(self, column: str = "ghi") -> float:
        """Annual sum of an irradiance column [kWh/m2] (hourly means x 1 h)."""
        return float(self.data[column].sum()) / 1e3


def standardise(df: pd.DataFrame, *, source: str, start_labels: bool = True) -> pd.DataFrame:
    """Return the canonical columns with a typical-year, interval-start index.

    Parameters
    ----------
    df : DataFrame
        Hourly data with at least :data:`REQUIRED` columns and a tz-aware index.
    source : str
        Used in error messages.
    start_labels : bool
        True if the index already labels interval starts; False if it labels
        interval ends (TMY3), in which case it is moved back one hour.
    """
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise WeatherError(f"{source}: weather data lacks column(s) {', '.join(missing)}; "
                           f"needed: {', '.join(REQUIRED)}")
    if df.index.tz is None:
        raise WeatherError(f"{source}: the time index has no time zone")
    labels = df.index if start_labels else df.index - pd.Timedelta(hours=1)
    if len(df) == 8760 and (np.diff(labels.month) >= 0).all():
        # a typical year in file order: its rows are the hours of a 365-day year whatever
        # source years (or leap-year artefacts at month ends) the labels carry
        new = pd.date_range(f"{TYPICAL_YEAR}-01-01", periods=8760, freq="h", tz=df.index.tz)
    else:
        idx = df.index if start_labels else df.index - pd.Timedelta(hours=1)
        leap = (idx.month == 2) & (idx.day == 29)  # the typical year has no 29 February
        df, idx = df[~leap], idx[~leap]
        new = pd.to_datetime(dict(year=np.full(len(idx), TYPICAL_YEAR), month=idx.month, day=idx.day,
                                  hour=idx.hour, minute=idx.minute)).dt.tz_localize(idx.tz)
    out = df[[c for c in REQUIRED + OPTIONAL if c in df.columns]].astype(float).copy()
    out.index = pd.DatetimeIndex(new, name="time")
    if "albedo" in out:
        # EPW writes 999 for a missing albedo: anything outside [0, 1] is missing
        out["albedo"] = out["albedo"].where((out["albedo"] >= 0) & (out["albedo"] <= 1))
        if out["albedo"].isna().all():
            out = out.drop(columns="albedo")
    if not out.index.is_monotonic_increasing or out.index.has_duplicates:
        out = out[~out.index.duplicated()].sort_index()
    return out
