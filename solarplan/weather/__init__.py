"""Weather for PV simulation: readers, quality control, and an embedded typical year for China.

Use :func:`get_weather` to turn a user's ``--weather`` choice into a
:class:`WeatherYear` with its timing decided.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pvlib

from solarplan.weather.core import WeatherYear
from solarplan.weather.pvgis import PvgisOptions, pvgis_year
from solarplan.weather.qc import QCReport, quality_check, resolve_shift
from solarplan.weather.readers import read_weather
from solarplan.weather.stations import monthly_climate, resolve_location
from solarplan.weather.synth import synthesize

__all__ = ["WeatherYear", "QCReport", "read_weather", "quality_check", "resolve_shift", "synthesize",
           "monthly_climate", "resolve_location", "get_weather", "ResolvedWeather"]


@dataclass(frozen=True)
class ResolvedWeather:
    """A weather year ready for the engine, with what was done to it."""

    weather: WeatherYear
    qc: QCReport | None
    warnings: tuple[str, ...]
    distance_km: float = 0.0
    elevation_diff_m: float = 0.0

    @property
    def synthetic(self) -> bool:
        return self.qc is None


def get_weather(spec: str | Path | None, lat: float, lon: float, *, shift: str | float = "auto",
                closure: str = "auto", station_method: str = "nearest", pvgis=None) -> ResolvedWeather:
    """Weather for a location.

    Parameters
    ----------
    spec : 'auto', 'pvgis', None or a file path
        ``auto``/None: synthesise from the embedded climatology (China only);
        ``pvgis``: the PVGIS typical year of the location (downloaded once,
        then cached, :mod:`solarplan.weather.pvgis`); otherwise a weather file
        in any supported format.
    lat, lon : float
        Location of the sites [degrees, WGS84].
    shift : 'auto', 'none' or hours
        Timing policy for files (:func:`solarplan.weather.qc.resolve_shift`).
    closure : {'auto', 'components', 'ghi', 'none'}
        Reading of a file that fails closure (:func:`solarplan.weather.qc.closure_reading`).
    station_method : {'nearest', 'blend'}
    pvgis : PvgisOptions or Mapping, optional
        Address, timeout and cache of PVGIS (default: from the environment).
    """
    if spec is None or str(spec) == "auto":
        site_elev = float(pvlib.location.lookup_altitude(lat, lon))
        climate = monthly_climate(lat, lon, elevation=site_elev, method=station_method)
        # the year is synthesised at the station's elevation; the difference feeds the uncertainty
        dist = float(sum(d * w for _, _, d, w in climate.stations))
        year = synthesize(replace(climate, elevation=climate.station_elevation))
        return ResolvedWeather(year, None, climate.warnings, dist, abs(site_elev - climate.station_elevation))
    if str(spec) == "pvgis":
        options = pvgis if isinstance(pvgis, PvgisOptions) else PvgisOptions.from_mapping(pvgis)
        year = pvgis_year(lat, lon, options)
    else:
        year = read_weather(spec)
    resolved, report, warnings = resolve_shift(year, shift, closure)
    return ResolvedWeather(resolved, report, tuple(warnings))
