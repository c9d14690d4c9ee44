"""A deterministic typical year synthesised from monthly station climatology.

Method (one location, < 1 s):

1. Clear-sky irradiance every hour (pvlib ``Location.get_clearsky``,
   Ineichen-Perez with pvlib's bundled Linke turbidity climatology [1]_ [2]_),
   evaluated at the interval centres.
2. A clear-sky index for every day: the ``n`` quantiles of a Beta
   distribution whose mean is the month's ratio of station GHI to clear-sky
   GHI, shuffled by a generator seeded from the coordinates (so the same place
   always gives the same bytes), then rescaled so that the month's GHI equals
   the station's exactly. This follows the idea of synthetic daily clearness
   sequences [3]_ [4]_ without their Markov persistence, which does not change
   monthly energy.
3. Hourly GHI = daily index x clear-sky GHI.
4. Diffuse: Erbs decomposition [5]_ of each hour, then one factor per month,
   found by bisection, so that monthly DHI equals the station's, with DHI <= GHI;
   below 2 deg of solar elevation all of GHI is diffuse. DNI = (GHI - DHI) / cos z.
5. Air temperature: the monthly means, interpolated smoothly through the
   year and corrected so each month keeps its mean, plus a diurnal cosine with
   its maximum at 15:00 and a daily range of 4 K + 8 K x clear-sky index
   (estimate for inland China: 4 K on overcast, 12 K on clear days).
6. Wind: the monthly mean, constant within the month.

The result is a statistical stand-in for a typical year: monthly GHI and DHI
equal the station's; hour-to-hour weather is not real. Validation against the
11 real CSWD files: tests/test_weather_synth.py.

References
----------
.. [1] Ineichen, P., Perez, R. (2002). A new airmass independent formulation
   for the Linke turbidity coefficient. Solar Energy 73(3), 151-157.
.. [2] Remund, J. et al. (2003). Worldwide Linke turbidity information. ISES
   Solar World Congress (pvlib ``LinkeTurbidities.h5``).
.. [3] Aguiar, R. J., Collares-Pereira, M., Conde, J. P. (1988). Simple
   procedure for generating sequences of daily radiation values using a
   library of Markov transition matrices. Solar Energy 40(3), 269-279.
.. [4] Graham, V. A., Hollands, K. G. T. (1990). A method to generate synthetic
   hourly solar radiation globally. Solar Energy 44(6), 333-341.
.. [5] Erbs, D. G., Klein, S. A., Duffie, J. A. (1982). Estimation of the
   diffuse radiation fraction for hourly, daily and monthly-average global
   radiation. Solar Energy 28(4), 293-302.
"""
from __future__ import annotations

import datetime as dt
from types import MappingProxyType

import numpy as np
import pandas as pd
import pvlib

from solarplan.weather.core import TYPICAL_YEAR, WeatherYear
from solarplan.weather.stations import MonthlyClimate

#: Concentration (alpha + beta) of the Beta distribution of daily clear-sky indices.
#: CALIBRATED, not published: chosen so the yields of 20-deg and horizontal arrays on
#: the synthetic year best match those on the 11 real CSWD files in shared/weather
#: (worst annual error 4.1 / 3.1 / 2.7 % for 3.0 / 1.5 / 1.0); the same files are the
#: validation set, so the check in tests/test_weather_synth.py is in-sample.
BETA_CONCENTRATION = 1.5
#: Range of the daily clear-sky index [-] (estimate; cloud enhancement allows slightly > 1).
K_MIN, K_MAX = 0.03, 1.10
#: Solar elevation below which all of GHI is taken as diffuse [deg].
MIN_ELEVATION_DEG = 2.0


def _seed(lat: float, lon: float) -> int:
    return int(round((lat + 90.0) * 100)) * 100_000 + int(round((lon + 180.0) * 100))


def _daily_index(month_of_day: np.ndarray, daily_cs: np.ndarray, target_wh: np.ndarray, rng) -> np.ndarray:
    from scipy import stats  # lazy: 0.25 s of CPU to import, paid by each Dask worker unpickling a WeatherYear

    k = np.zeros(len(daily_cs))
    for m in range(1, 13):
        days = np.flatnonzero(month_of_day == m)
        cs = daily_cs[days]
        kbar = target_wh[m - 1] / cs.sum() if cs.sum() > 0 else 0.0
        mean = float(np.clip(kbar, 0.05, 0.95))
        q = (np.arange(len(days)) + 0.5) / len(days)
        kd = rng.permutation(stats.beta.ppf(q, mean * BETA_CONCENTRATION, (1 - mean) * BETA_CONCENTRATION))
        for _ in range(50):  # rescale to the month's total within the allowed range
            total = (kd * cs).sum()
            if total <= 0 or abs(total / target_wh[m - 1] - 1) < 1e-12:
                break
            kd = np.clip(kd * target_wh[m - 1] / total, K_MIN, K_MAX)
        k[days] = kd
    return k


def _fit_monthly(raw: np.ndarray, cap: np.ndarray, fixed: np.ndarray, target: float) -> np.ndarray:
    """Scale ``raw`` by one factor, capped at ``cap``, so the sum plus ``fixed`` equals target."""
    need = target - fixed.sum()
    if need <= 0 or raw.sum() <= 0:
        return np.minimum(raw * 0, cap)
    lo, hi = 0.0, 1.0
    while np.minimum(raw * hi, cap).sum() < need and hi < 1e6:
        hi *= 2
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if np.minimum(raw * mid, cap).sum() < need:
            lo = mid
        else:
            hi = mid
    return np.minimum(raw * hi, cap)


def synthesize(climate: MonthlyClimate) -> WeatherYear:
    """Synthesise an hourly typical year from a :class:`MonthlyClimate`.

    Returns
    -------
    WeatherYear
        Index = interval starts of a 365-day year in the station's standard
        time; solar geometry at the interval centres.
    """
    tz = dt.timezone(dt.timedelta(hours=climate.tz_hours))
    times = pd.date_range(f"{TYPICAL_YEAR}-01-01", periods=8760, freq="h", tz=tz)
    centre = times + pd.Timedelta(minutes=30)
    loc = pvlib.location.Location(climate.latitude, climate.longitude, tz=climate.tz_hours,
                                  altitude=climate.elevation)
    sp = loc.get_solarposition(centre)
    cs = loc.get_clearsky(centre, model="ineichen", solar_position=sp)
    ghi_cs = cs["ghi"].to_numpy()
    zenith = sp["apparent_zenith"].to_numpy()
    month = times.month.to_numpy()
    day = (times.day_of_year.to_numpy() - 1)
    daily_cs = np.bincount(day, weights=ghi_cs, minlength=365)
    month_of_day = np.array([d.month for d in pd.date_range(f"{TYPICAL_YEAR}-01-01", periods=365, freq="D")])
    rng = np.random.default_rng(_seed(climate.latitude, climate.longitude))
    k = _daily_index(month_of_day, daily_cs, climate.ghi_kwh_m2 * 1000.0, rng)
    ghi = k[day] * ghi_cs
    for m in range(1, 13):  # exact monthly totals even where the index hit its cap
        sel = month == m
        if ghi[sel].sum() > 0:
            ghi[sel] *= climate.ghi_kwh_m2[m - 1] * 1000.0 / ghi[sel].sum()
    low_sun = (90.0 - zenith) < MIN_ELEVATION_DEG
    erbs = pvlib.irradiance.erbs(ghi, zenith, centre)
    dhi_raw = np.where(low_sun, 0.0, np.asarray(erbs["dhi"], float))
    dhi = np.zeros(8760)
    for m in range(1, 13):
        sel = month == m
        fixed = np.where(low_sun[sel], ghi[sel], 0.0)
        fitted = _fit_monthly(dhi_raw[sel], np.where(low_sun[sel], 0.0, ghi[sel]), fixed,
                              climate.dhi_kwh_m2[m - 1] * 1000.0)
        dhi[sel] = np.where(low_sun[sel], ghi[sel], fitted)
    cosz = np.cos(np.radians(zenith))
    dni = np.where(low_sun, 0.0, (ghi - dhi) / np.maximum(cosz, 1e-6))
    # temperature: smooth through mid-month means, each month corrected to its mean, plus a diurnal cycle
    mid = np.array([pd.Timestamp(TYPICAL_YEAR, m, 15).day_of_year - 1 for m in range(1, 13)], float)
    t_day = np.interp(np.arange(365), np.concatenate([mid - 365, mid, mid + 365]),
                      np.tile(climate.temp_air, 3))
    for m in range(1, 13):
        sel = month_of_day == m
        t_day[sel] += climate.temp_air[m - 1] - t_day[sel].mean()
    hour_c = times.hour.to_numpy() + 0.5
    temp = t_day[day] + (4.0 + 8.0 * k[day]) / 2 * np.cos(2 * np.pi * (hour_c - 15.0) / 24.0)
    wind = climate.wind_speed[month - 1]
    data = pd.DataFrame({"ghi": ghi, "dni": dni, "dhi": dhi, "temp_air": temp, "wind_speed": wind},
                        index=pd.DatetimeIndex(times, name="time"))
    label = "; ".join(f"{n} ({w_id}) {d:.0f} km w={wt:.2f}" for n, w_id, d, wt in climate.stations)
    return WeatherYear(data, climate.latitude, climate.longitude, climate.elevation,
                       f"synthetic year from CSWD climatology: {label}",
                       meta=MappingProxyType({"format": "synthetic", "file_timestamp": "interval start",
                                              "stations": climate.stations, "warnings": climate.warnings,
                                              "tz_hours": climate.tz_hours}))
