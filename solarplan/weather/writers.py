"""Write a WeatherYear as EPW or as solarplan's plain CSV, so other tools can use it.

References
----------
.. [1] EnergyPlus Auxiliary Programs, "Weather Converter Program", EPW data
   dictionary: 35 fields per hourly record; missing-value codes used here for
   fields solarplan does not model (e.g. 99.9 dew point, 999999 pressure).
"""
from __future__ import annotations

from pathlib import Path


from solarplan.core.atomic import write_text
from solarplan.core.errors import WeatherError
from solarplan.weather.core import WeatherYear

# EPW fields after wind speed and before/after the radiation block, as missing codes [1]
_MISSING_TAIL = "99,99,9999,99999,9,999999999,999,0.999,999,99,999,999,99"


def write_epw(weather: WeatherYear, path) -> Path:
    """Write an EPW file. Hour N of the file covers the row starting at N-1."""
    path = Path(path)
    tz = weather.meta.get("tz_hours", weather.data.index[0].utcoffset().total_seconds() / 3600)
    name = str(weather.meta.get("station", "solarplan")).replace(",", " ") or "solarplan"
    header = [
        f"LOCATION,{name},-,CHN,solarplan synthetic,{weather.meta.get('wmo', '000000') or '000000'},"
        f"{weather.latitude:.2f},{weather.longitude:.2f},{tz:.1f},{weather.elevation:.1f}",
        "DESIGN CONDITIONS,0", "TYPICAL/EXTREME PERIODS,0", "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
        f"COMMENTS 1,{weather.source.replace(',', ';')}",
        "COMMENTS 2,written by solarplan; radiation hour N covers N-1..N local standard time",
        "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
    ]
    d = weather.data
    idx = d.index
    lines = []
    for i in range(len(d)):
        t = idx[i]
        lines.append(
            f"{t.year},{t.month},{t.day},{t.hour + 1},60,solarplan,{d['temp_air'].iat[i]:.1f},99.9,999,999999,"
            f"9999,9999,9999,{d['ghi'].iat[i]:.0f},{d['dni'].iat[i]:.0f},{d['dhi'].iat[i]:.0f},"
            f"999999,999999,999999,9999,999,{d['wind_speed'].iat[i]:.1f},{_MISSING_TAIL}")
    return write_text(path, "\n".join(header + lines) + "\n")   # atomically: temporary name, then renamed


def write_csv(weather: WeatherYear, path) -> Path:
    """Write solarplan's plain weather CSV (see :mod:`solarplan.weather.readers`)."""
    path = Path(path)
    d = weather.data.copy()
    d.insert(0, "time", [t.isoformat() for t in d.index])
    head = (f"# latitude={weather.latitude}\n# longitude={weather.longitude}\n# elevation={weather.elevation}\n"
            f"# timestamp=start\n# value_time_h={weather.value_time_h}\n# source={weather.source}\n")
    return write_text(path, head + d.to_csv(index=False, float_format="%.3f"))


def write_weather(weather: WeatherYear, path) -> Path:
    """Write by extension: ``.epw`` or ``.csv``."""
    ext = Path(path).suffix.lower()
    if ext == ".epw":
        return write_epw(weather, path)
    if ext == ".csv":
        return write_csv(weather, path)
    raise WeatherError(f"{path}: write .epw or .csv")
