"""Outdoor design temperatures: GB 50736-2012 Appendix A where the city is listed (pure).

The design temperatures set the denominators of the bin method
(:mod:`retrofit.climate`). A synthetic typical year compresses the extremes
(e.g. 1.9 / 32.4 C against -0.2 / 34.8 C in the real Yunxi file), so it must not
set them. The order of preference, and the ``design_source`` the output names:

1. ``GB 50736-2012 Appendix A: <city> (<station>)`` - the city of the building
   (``city`` column, or the listed city whose seat lies within :data:`MATCH_KM`)
   is in the shipped table ``data/gb50736_design_conditions.csv``;
2. ``weather file <source>`` - a real weather year (CSWD/PVGIS/EPW): the §4.1.2
   definitions applied to it (:func:`retrofit.climate.design_temperatures`);
3. ``synthetic year (estimate)`` - the only remaining choice; flagged.

In every case the hourly *shape* of the weather year still spreads the load
over the year.

Table columns (one row per station of Appendix A Table A.0.1 in Hubei, Henan,
Shanxi, Shaanxi, Sichuan and Chongqing): station_id, province, city, station,
lat_as_transcribed, lon_as_transcribed, elevation_m, period, heating_c
(供暖室外计算温度: daily mean not reached on 5 days a year), winter_ventilation_c,
winter_ac_c (冬季空调室外计算温度), summer_ac_dry_bulb_c (夏季空调室外计算干球温度:
exceeded 50 h a year), summer_ac_wet_bulb_c, summer_ac_daily_mean_c [C].

References
----------
.. [1] GB 50736-2012 Design code for heating ventilation and air conditioning of civil
   buildings, §4.1.2 and Appendix A Table A.0.1 (statistics 1971-2000). Values transcribed
   from the public transcription in github.com/xuewei896/HVACIDA
   (src/HVACIDA.Core/Resources/weather-db.csv, commit 3083380); the winter AC and summer AC
   dry-bulb values of the six provincial capitals agree with a second, independent
   transcription. Not checked against the printed standard: do so before a design relies on them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from retrofit.climate import design_temperatures
from solarplan.core.resources import data_path
from solarplan.weather.places import find_place
from solarplan.weather.stations import haversine_km

TABLE = "gb50736_design_conditions.csv"
#: Distance from a listed city's seat within which a building takes that city's values [km]
#: (estimate: the extent of a prefecture city's built-up districts; counties further out differ).
MATCH_KM = 50.0
#: Cities renamed since the table's period: table name -> current name.
RENAMED = {"襄樊": "襄阳"}


@lru_cache(maxsize=1)
def design_table() -> pd.DataFrame:
    """The shipped Appendix A table, with ``lat``/``lon`` of the city seat where
    :mod:`solarplan.weather.places` knows it (else the station as transcribed)."""
    t = pd.read_csv(data_path(TABLE), dtype={"station_id": str})
    lat, lon = [], []
    for city, a, b in zip(t["city"], t["lat_as_transcribed"], t["lon_as_transcribed"]):
        p = find_place(RENAMED.get(city, city))
        lat.append(p[1] if p else a)
        lon.append(p[2] if p else b)
    return t.assign(lat=lat, lon=lon)


@dataclass(frozen=True)
class DesignConditions:
    """Winter heating and summer air-conditioning design temperatures [C] and where they come from."""

    heating_c: float
    cooling_c: float
    source: str


def lookup(city: str | None = None, lat: float | None = None, lon: float | None = None):
    """The Appendix A row for a city name, or for the listed city within :data:`MATCH_KM` of a point.

    Returns the row (a Series) or None.
    """
    t = design_table()
    if city:
        name = str(city).strip()
        for suffix in ("市", "地区"):
            name = name[: -len(suffix)] if name.endswith(suffix) and len(name) > len(suffix) else name
        inv = {v: k for k, v in RENAMED.items()}
        hit = t[(t["city"] == name) | (t["city"] == inv.get(name, name)) | (t["station"] == name)]
        if len(hit):
            return hit.iloc[0]
    if lat is None or lon is None or not (np.isfinite(lat) and np.isfinite(lon)):
        return None
    d = haversine_km(float(lat), float(lon), t["lat"].to_numpy(), t["lon"].to_numpy())
    i = int(np.argmin(d))
    return t.iloc[i] if d[i] <= MATCH_KM else None


def design_conditions(temp_air, city=None, lat=None, lon=None, weather_source: str = "",
                      synthetic: bool = True) -> DesignConditions:
    """Design temperatures for a building by the order of preference in the module docstring."""
    row = lookup(city, lat, lon)
    if row is not None:
        return DesignConditions(float(row["heating_c"]), float(row["summer_ac_dry_bulb_c"]),
                                f"GB 50736-2012 Appendix A: {row['city']} ({row['station']})")
    h, c = design_temperatures(temp_air)
    if not synthetic:
        return DesignConditions(h, c, f"weather file {weather_source}".strip())
    return DesignConditions(h, c, "synthetic year (estimate: compresses the extremes)")
