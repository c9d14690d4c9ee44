"""Which sites share one weather year: the single rule used by the PV and the retrofit paths.

With one weather file every site uses it. With the embedded climatology (``auto``, the default) the
sites whose positions are nearest the same climatology station share that station's synthetic year;
with ``pvgis`` the sites in one 0.1° cell share the cell's PVGIS year. Grouping is by *site*: a site's
surfaces, and its buildings, always see one year.

:func:`site_weather_groups` decides the groups; :func:`weather_for_group` resolves the year of a group
with every ``[weather]`` option (shift, closure, station method, PVGIS settings), so that a site's PV
and its heat pump cannot see different years.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from solarplan.weather import ResolvedWeather, get_weather
from solarplan.core.geometry import haversine_km
from solarplan.weather.stations import climatology

#: Grid [degrees] on which sites share one PVGIS year with ``--weather pvgis`` (estimate:
#: 0.1 deg, about 11 km, is finer than the 0.25 deg ERA5 grid PVGIS uses over China).
PVGIS_GRID_DEG = 0.1


def is_embedded(spec) -> bool:
    """True for the embedded climatology (``--weather auto``, the default), which covers China only."""
    return spec is None or str(spec) == "auto"


def per_location(spec) -> bool:
    """True when the weather year depends on where the sites are (embedded climatology, PVGIS)."""
    return is_embedded(spec) or str(spec) == "pvgis"


def nearest_station(lat, lon) -> np.ndarray:
    """Row of the climatology station nearest each point (great-circle distance)."""
    clim = climatology()
    slat, slon = clim["lat"].to_numpy(), clim["lon"].to_numpy()
    lat, lon = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
    out = np.empty(len(lat), dtype=int)
    for lo in range(0, len(lat), 4096):  # bounded memory: 4096 x 270 distances at a time
        d = haversine_km(lat[lo:lo + 4096, None], lon[lo:lo + 4096, None], slat[None, :], slon[None, :])
        out[lo:lo + 4096] = np.argmin(d, axis=1)
    return out


def _pvgis_cells(lat, lon) -> np.ndarray:
    """PVGIS grid cell of each point as (row, column) integers."""
    return np.column_stack([np.round(np.asarray(lat, float) / PVGIS_GRID_DEG),
                            np.round(np.asarray(lon, float) / PVGIS_GRID_DEG)]).astype(int)


def location_keys(lat, lon, spec) -> np.ndarray:
    """Weather group of each point, as an int: nearest station (auto) or PVGIS grid cell; 0 for a file."""
    lat, lon = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
    if not per_location(spec):
        return np.zeros(len(lat), dtype=int)
    if str(spec) == "pvgis":
        return np.unique(_pvgis_cells(lat, lon), axis=0, return_inverse=True)[1].ravel()
    return nearest_station(lat, lon)


def group_position(spec, lat, lon) -> tuple[float, float]:
    """Where to ask for a group's weather: its PVGIS cell centre, or the mean of its points [degrees]."""
    if str(spec) == "pvgis":
        row, col = _pvgis_cells(lat, lon)[0]
        return round(row * PVGIS_GRID_DEG, 6), round(col * PVGIS_GRID_DEG, 6)
    return float(np.mean(lat)), float(np.mean(lon))


@dataclass(frozen=True)
class WeatherGroup:
    """Sites that share one weather year, and where the year is asked for."""

    key: int
    site_ids: tuple
    lat: float
    lon: float


def site_weather_groups(sites: pd.DataFrame, spec) -> list[WeatherGroup]:
    """Group sites by weather year.

    Parameters
    ----------
    sites : DataFrame
        ``site_id``, ``lat``, ``lon`` [degrees, WGS84]; several rows may share a site (surfaces,
        buildings): a site's position is the mean of its rows, and a group's position the mean of all
        its rows.
    spec : 'auto', 'pvgis', None or a weather file path

    Returns
    -------
    list of WeatherGroup, in order of first appearance of their key.
    """
    if not len(sites):
        return []
    pos = sites.groupby("site_id", sort=False)[["lat", "lon"]].mean()
    keys = location_keys(pos["lat"].to_numpy(), pos["lon"].to_numpy(), spec)
    groups = []
    row_keys = sites["site_id"].map(pd.Series(keys, index=pos.index)).to_numpy()
    for k in pd.unique(keys):
        rows = sites[row_keys == k]
        lat, lon = group_position(spec, rows["lat"].to_numpy(), rows["lon"].to_numpy())
        groups.append(WeatherGroup(int(k), tuple(pos.index[keys == k]), lat, lon))
    return groups


def weather_for_group(spec, group: WeatherGroup, options: Mapping | None = None) -> ResolvedWeather:
    """The weather year of a group, with every ``[weather]`` option applied."""
    o = dict(options or {})
    return get_weather(spec, group.lat, group.lon, shift=o.get("shift", "auto"), closure=o.get("closure", "auto"),
                       station_method=o.get("station_method", "nearest"), pvgis=o)
