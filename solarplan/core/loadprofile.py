"""Hourly electricity load shapes of public institutions by category (pure).

A shape is 8760 weights summing to 1 over the typical year (2005 calendar:
1 January is a Saturday); the site's ``annual_load_kwh`` scales it. Chinese
public holidays are not modelled. All shapes are engineering estimates
(documented here, overridable by giving hourly loads):

* agency / soe: office hours 08-18 on weekdays at full load, nights 25 %
  (soe 40 %), weekends 30 %;
* school: weekdays 07-18; winter holiday 15 Jan-20 Feb and summer holiday
  10 Jul-31 Aug at 20 %, nights and weekends 15 %;
* hospital: round the clock, 70 % at night, 100 % 07-20;
* venue: 09-22 every day, weekends 130 %, nights 20 %;
* other: 08-18 every day, nights 30 %.

Every category is scaled by month for cooling and heating: x1.3 in July and
August, x1.15 in June and September, x1.15 December to February (estimate
for Hubei's hot-summer, cold-winter climate; GB 50176-2016 zone).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from solarplan.core.errors import InputError
from solarplan.core.calendar import TYPICAL_YEAR

CATEGORY_SHAPES = ("agency", "school", "hospital", "venue", "soe", "other")
_SEASON = {1: 1.15, 2: 1.15, 6: 1.15, 7: 1.3, 8: 1.3, 9: 1.15, 12: 1.15}


@lru_cache(maxsize=None)
def load_shape(category: str) -> np.ndarray:
    """8760 hourly weights (sum 1) of a category."""
    if category not in CATEGORY_SHAPES:
        raise InputError(f"unknown category {category!r}; valid: {', '.join(CATEGORY_SHAPES)}")
    t = pd.date_range(f"{TYPICAL_YEAR}-01-01", periods=8760, freq="h")
    h, wd, m = t.hour.to_numpy(), t.day_of_week.to_numpy() < 5, t.month.to_numpy()
    doy = t.day_of_year.to_numpy()
    if category in ("agency", "soe"):
        night = 0.25 if category == "agency" else 0.40
        w = np.where(wd & (h >= 8) & (h < 18), 1.0, np.where(wd, night, 0.30))
    elif category == "school":
        w = np.where(wd & (h >= 7) & (h < 18), 1.0, 0.15)
        holiday = ((doy >= 15) & (doy <= 51)) | ((doy >= 191) & (doy <= 243))
        w = np.where(holiday, np.minimum(w, 0.20), w)
    elif category == "hospital":
        w = np.where((h >= 7) & (h < 20), 1.0, 0.70)
    elif category == "venue":
        w = np.where((h >= 9) & (h < 22), np.where(wd, 1.0, 1.3), 0.20)
    else:
        w = np.where((h >= 8) & (h < 18), 1.0, 0.30)
    w = w * np.vectorize(lambda mm: _SEASON.get(mm, 1.0))(m)
    w = w / w.sum()
    w.setflags(write=False)
    return w


@lru_cache(maxsize=None)
def occupancy(category: str) -> np.ndarray:
    """8760 booleans: the hours a category's building is occupied and conditioned.

    The same hours as :func:`load_shape` uses for full load (agency/soe weekdays
    08-18; school weekdays 07-18 outside the holidays; hospital 24 h; venue 09-22
    every day; other 08-18 every day). Engineering estimates, as above.
    """
    if category not in CATEGORY_SHAPES:
        raise InputError(f"unknown category {category!r}; valid: {', '.join(CATEGORY_SHAPES)}")
    t = pd.date_range(f"{TYPICAL_YEAR}-01-01", periods=8760, freq="h")
    h, wd, doy = t.hour.to_numpy(), t.day_of_week.to_numpy() < 5, t.day_of_year.to_numpy()
    if category in ("agency", "soe"):
        occ = wd & (h >= 8) & (h < 18)
    elif category == "school":
        holiday = ((doy >= 15) & (doy <= 51)) | ((doy >= 191) & (doy <= 243))
        occ = wd & (h >= 7) & (h < 18) & ~holiday
    elif category == "hospital":
        occ = np.ones(8760, bool)
    elif category == "venue":
        occ = (h >= 9) & (h < 22)
    else:
        occ = (h >= 8) & (h < 18)
    occ.setflags(write=False)
    return occ


#: Monthly electricity columns a site may give instead of (or as well as) ``annual_load_kwh`` [kWh].
MONTHLY_LOAD_COLUMNS = tuple(f"load_kwh_m{m:02d}" for m in range(1, 13))


@lru_cache(maxsize=1)
def _month_of_hour() -> np.ndarray:
    return pd.date_range(f"{TYPICAL_YEAR}-01-01", periods=8760, freq="h").month.to_numpy()


def scale_to_months(shape: np.ndarray, monthly_kwh) -> np.ndarray:
    """Hourly load [kWh] whose monthly sums equal the bills: each month of ``shape`` scaled to its bill.

    A NaN month keeps the shape's share of the known months' total (scaled by the mean ratio of the
    known months). Raises ValueError when no month is given.
    """
    m = np.asarray(monthly_kwh, float)
    month = _month_of_hour()
    shape_month = np.bincount(month - 1, weights=shape, minlength=12)
    known = ~np.isnan(m)
    if not known.any():
        raise InputError("no monthly load given")
    ratio = np.where(known, m / np.where(shape_month > 0, shape_month, np.nan), np.nan)
    mean_ratio = m[known].sum() / shape_month[known].sum()
    ratio = np.where(np.isnan(ratio), mean_ratio, ratio)
    return shape * ratio[month - 1]


def measured_load(path) -> np.ndarray:
    """A measured load as 8760 hourly kWh from a CSV of 8760 hourly or 35040 quarter-hourly values.

    The CSV's last numeric column is read: kWh per interval, or kW (mean power) when its header ends in
    ``kw``. A leap year's 8784 / 35136 rows lose 29 February. The first row is 1 January 00:00-01:00
    (00:00-00:15), local time.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"load profile {path} does not exist") from None
    num = df.select_dtypes("number")
    if num.shape[1] == 0:
        raise InputError(f"{path}: no numeric column of load values")
    col = num.columns[-1]
    v = num[col].to_numpy(float)
    per_hour = {8760: 1, 8784: 1, 35040: 4, 35136: 4}.get(len(v))
    if per_hour is None:
        raise InputError(f"{path}: {len(v)} rows; a load profile has 8760 hourly or 35040 quarter-hourly values "
                         "(8784 / 35136 in a leap year)")
    if np.isnan(v).any() or (v < 0).any():
        bad = int(np.flatnonzero(np.isnan(v) | (v < 0))[0]) + 2
        raise InputError(f"{path} row {bad}: load values must be numbers >= 0")
    if len(v) in (8784, 35136):
        v = np.delete(v, np.s_[59 * 24 * per_hour:60 * 24 * per_hour])
    if str(col).strip().lower().endswith("kw"):
        v = v / per_hour  # mean kW over the interval -> kWh
    return v.reshape(8760, per_hour).sum(axis=1)
