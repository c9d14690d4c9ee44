"""The embedded station climatology and how a location picks its station(s).

``data/china_station_climatology.csv`` holds monthly GHI and DHI sums
[kWh/m2], mean air temperature [C] and wind [m/s] of 270 CSWD stations,
computed from the full CSWD set (see data/README.md; figures, not raw files).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from solarplan.core.errors import ConfigError, WeatherError
from solarplan.core.geometry import haversine_km, in_china
from solarplan.core.resources import data_path
from solarplan.weather.places import find_place

CLIMATOLOGY_FILE = "china_station_climatology.csv"
#: Distance [km] and elevation difference [m] past which the station is flagged (issue 3).
WARN_DISTANCE_KM = 150.0
WARN_ELEVATION_M = 500.0
#: Farther than this the embedded data is not used at all [km] (estimate: beyond it the
#: nearest station says little about the site's climate).
MAX_DISTANCE_KM = 500.0
MONTHS = [f"m{m:02d}" for m in range(1, 13)]


@lru_cache(maxsize=1)
def climatology() -> pd.DataFrame:
    """The station table, one row per station."""
    return pd.read_csv(data_path(CLIMATOLOGY_FILE), dtype={"wmo_id": str})


@dataclass(frozen=True)
class MonthlyClimate:
    """Monthly climate of a location (one station or a blend).

    Attributes
    ----------
    ghi_kwh_m2, dhi_kwh_m2 : ndarray (12,)
        Monthly sums [kWh/m2].
    temp_air, wind_speed : ndarray (12,)
        Monthly means [C], [m/s].
    latitude, longitude, elevation : float
        Of the site the climate is for [degrees], [m].
    stations : tuple of (name, wmo_id, distance_km, weight)
    warnings : tuple of str
    tz_hours : float
    station_elevation : float
        Elevation of the station(s), weighted like the values [m].
    """

    ghi_kwh_m2: np.ndarray
    dhi_kwh_m2: np.ndarray
    temp_air: np.ndarray
    wind_speed: np.ndarray
    latitude: float
    longitude: float
    elevation: float
    stations: tuple
    warnings: tuple
    tz_hours: float = 8.0
    station_elevation: float = float("nan")


def resolve_location(location: str) -> tuple[float, float, str]:
    """Turn 'lat,lon', a station name or WMO id, or a city name into (lat, lon, label)."""
    text = str(location).strip()
    parts = text.replace("，", ",").split(",")
    if len(parts) == 2:
        try:
            lat, lon = float(parts[0]), float(parts[1])
            return lat, lon, f"{lat:.4f},{lon:.4f}"
        except ValueError:
            pass
    place = find_place(text)
    if place:
        return place[1], place[2], place[0]
    clim = climatology()
    hit = clim[(clim["wmo_id"] == text) | (clim["station_name"].str.lower() == text.lower())]
    if len(hit):
        r = hit.iloc[0]
        return float(r["lat"]), float(r["lon"]), f"{r['station_name']} ({r['wmo_id']})"
    raise WeatherError(f"unknown location {location!r}: give 'lat,lon' (WGS84), a CSWD station name or WMO id, "
                       "or a city/county of Hubei, Shanxi, Henan, Sichuan (e.g. 十堰, Shiyan, 渠县)")


def monthly_climate(lat: float, lon: float, elevation: float | None = None, method: str = "nearest",
                    n_blend: int = 3) -> MonthlyClimate:
    """Monthly climate for a location from the station table.

    Parameters
    ----------
    lat, lon : float
        [degrees, WGS84]
    elevation : float, optional
        Site elevation [m]; default: the station's.
    method : {'nearest', 'blend'}
        The nearest station, or an inverse-distance-squared blend of the
        ``n_blend`` nearest (Shepard 1968).

    Raises
    ------
    WeatherError
        Outside China, or farther than :data:`MAX_DISTANCE_KM` from any station.
    """
    if method not in ("nearest", "blend"):
        raise ConfigError(f"unknown station method {method!r}; valid: nearest, blend")
    if not in_china(lon, lat):
        raise WeatherError(f"location ({lat:.4f}, {lon:.4f}) is outside China (lon 73-135, lat 18-54): the embedded "
                           "climatology covers Chinese stations only; give a weather file (--weather FILE.epw)")
    clim = climatology()
    dist = haversine_km(lat, lon, clim["lat"].to_numpy(), clim["lon"].to_numpy())
    order = np.argsort(dist, kind="stable")
    take = order[:1] if method == "nearest" else order[:n_blend]
    if dist[take[0]] > MAX_DISTANCE_KM:
        raise WeatherError(f"nearest station is {dist[take[0]]:.0f} km from ({lat:.4f}, {lon:.4f}); give a weather file")
    d = np.maximum(dist[take], 1e-3)
    w = np.ones(1) if method == "nearest" else (1 / d ** 2) / np.sum(1 / d ** 2)
    rows = clim.iloc[take]
    pick = lambda prefix: (rows[[f"{prefix}_{m}" for m in MONTHS]].to_numpy(float) * w[:, None]).sum(0)  # noqa
    st_elev = float((rows["elevation_m"].to_numpy(float) * w).sum())
    warnings = []
    if dist[take[0]] > WARN_DISTANCE_KM:
        warnings.append(f"nearest station {rows.iloc[0]['station_name']} is {dist[take[0]]:.0f} km away "
                        f"(> {WARN_DISTANCE_KM:.0f} km): the embedded climate may not represent the site")
    if elevation is not None and abs(elevation - st_elev) > WARN_ELEVATION_M:
        warnings.append(f"site elevation {elevation:.0f} m differs from the station's {st_elev:.0f} m by more "
                        f"than {WARN_ELEVATION_M:.0f} m")
    stations = tuple((str(r["station_name"]), str(r["wmo_id"]), float(dd), float(ww))
                     for (_, r), dd, ww in zip(rows.iterrows(), dist[take], w))
    return MonthlyClimate(pick("ghi_kwh_m2"), pick("dhi_kwh_m2"), pick("tair_c"), pick("wind_ms"), float(lat),
                          float(lon), st_elev if elevation is None else float(elevation), stations,
                          tuple(warnings), float(rows.iloc[0]["timezone_h"]), st_elev)
