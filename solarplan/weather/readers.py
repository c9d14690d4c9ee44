"""Readers for weather files: EPW, TMY3, TMY2, PVGIS TMY and a plain CSV.

Each returns a :class:`~solarplan.weather.core.WeatherYear` through pvlib's
``iotools`` readers, with the index moved to interval starts.

Plain CSV format (documented here and in the README): a ``time`` column
(ISO 8601 with offset, e.g. ``2005-01-01T00:00+08:00``, labelling the *start*
of each hour), columns ``ghi``, ``dni``, ``dhi`` [W/m2], ``temp_air`` [C],
``wind_speed`` [m/s], optional ``albedo``; and comment lines at the top giving
``# latitude=32.6``, ``# longitude=110.8``, ``# elevation=250`` and optionally
``# timestamp=start|end|center`` and ``# value_time_h=0.18`` (where in the hour
instantaneous irradiance was taken, hours after the start; default 0.5, the
centre, for hourly means).

References
----------
.. [1] EnergyPlus Auxiliary Programs, "Weather Converter Program": EPW field
   definitions; hour N covers (N-1):00 to N:00.
.. [2] Wilcox, S., Marion, W. (2008). Users Manual for TMY3 Data Sets.
   NREL/TP-581-43156: values are for the 60 minutes *ending* at the timestamp.
.. [3] pvlib.iotools documentation: read_epw and read_tmy2 label interval
   starts, read_tmy3 interval ends.
.. [4] European Commission JRC, "PVGIS 5.3 user manual", TMY tool and
   non-interactive API: times in UTC; hourly irradiance values are
   instantaneous at the ``irradiance_time_offset`` within the hour.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import pvlib

from solarplan.core.errors import WeatherError
from solarplan.core.geometry import in_china
from solarplan.weather.sanity import check_raw, check_year
from solarplan.weather.core import REQUIRED, WeatherYear, standardise


def _fixed_tz(hours: float) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=float(hours)))


def read_epw(path) -> WeatherYear:
    """Read an EnergyPlus EPW file (CSWD, IWEC, TMYx, PVGIS-EPW) [1]_."""
    try:
        df, meta = pvlib.iotools.read_epw(str(path))
    except Exception as exc:
        raise WeatherError(f"{path}: cannot be read as EPW ({exc})") from None
    return WeatherYear(standardise(df, source=str(path)), float(meta["latitude"]), float(meta["longitude"]),
                       float(meta["altitude"]), str(path),
                       meta=MappingProxyType({"format": "epw", "file_timestamp": "interval start (hour N covers N-1..N)",
                                              "station": f"{meta.get('city', '')}", "wmo": str(meta.get("WMO_code", "")),
                                              "data_type": str(meta.get("data_type", "")),
                                              "tz_hours": float(meta["TZ"])}))


def read_tmy3(path) -> WeatherYear:
    """Read an NREL TMY3 CSV [2]_ (timestamps mark interval ends; moved to starts)."""
    try:
        df, meta = pvlib.iotools.read_tmy3(str(path), map_variables=True)
    except Exception as exc:
        raise WeatherError(f"{path}: cannot be read as TMY3 ({exc})") from None
    return WeatherYear(standardise(df, source=str(path), start_labels=False), float(meta["latitude"]),
                       float(meta["longitude"]), float(meta["altitude"]), str(path),
                       meta=MappingProxyType({"format": "tmy3", "file_timestamp": "interval end",
                                              "station": str(meta.get("Name", "")).strip('"'),
                                              "wmo": str(meta.get("USAF", "")), "tz_hours": float(meta["TZ"])}))


def read_tmy2(path) -> WeatherYear:
    """Read an NREL TMY2 file (pvlib labels interval starts)."""
    try:
        df, meta = pvlib.iotools.read_tmy2(str(path))
    except Exception as exc:
        raise WeatherError(f"{path}: cannot be read as TMY2 ({exc})") from None
    df = df.rename(columns={"GHI": "ghi", "DNI": "dni", "DHI": "dhi", "DryBulb": "temp_air", "Wspd": "wind_speed"})
    # TMY2 stores dry bulb in tenths of C and wind in tenths of m/s, and pvlib returns them as stored
    # (its read_tmy2 documents "in tenths of degree C"): convert here
    df = df.assign(temp_air=df["temp_air"] / 10.0, wind_speed=df["wind_speed"] / 10.0)
    return WeatherYear(standardise(df, source=str(path)), float(meta["latitude"]), float(meta["longitude"]),
                       float(meta["altitude"]), str(path),
                       meta=MappingProxyType({"format": "tmy2", "file_timestamp": "interval start",
                                              "station": str(meta.get("City", "")), "tz_hours": float(meta["TZ"])}))


def read_pvgis(path, tz_hours: float | None = None) -> WeatherYear:
    """Read a PVGIS TMY file (csv, json or epw) from the PVGIS tool or API [4]_.

    PVGIS stamps hours in UTC. Its irradiance values are instantaneous, at
    ``irradiance_time_offset`` hours after each stamp (the satellite scan time,
    e.g. 0.18 h for SARAH-3 at 45 N 8 E); that instant becomes the year's
    ``value_time_h``, so the sun is evaluated when the values were taken.

    Parameters
    ----------
    path : path-like
    tz_hours : float, optional
        Time zone of the result [h east of UTC]. Default: Beijing time (+8)
        inside China's bounding box, else the whole hour nearest longitude / 15.
    """
    path = Path(path)
    fmt = {".json": "json", ".csv": "csv", ".epw": "epw"}.get(path.suffix.lower())
    if fmt is None:
        raise WeatherError(f"{path}: PVGIS files are .csv, .json or .epw")
    try:
        df, meta = pvlib.iotools.read_pvgis_tmy(str(path), pvgis_format=fmt, map_variables=True)[:2]
    except Exception as exc:
        raise WeatherError(f"{path}: cannot be read as PVGIS TMY ({exc})") from None
    if fmt == "epw":
        df, meta = _pvgis_epw_timing(path, df, meta)
    return pvgis_to_year(df, meta, str(path), tz_hours)


def _pvgis_epw_timing(path: Path, df: pd.DataFrame, meta: dict) -> tuple[pd.DataFrame, dict]:
    """PVGIS's EPW writes UTC hours under a local TZ field, and gives the irradiance
    instant relative to the EPW hour label (the interval end) in COMMENTS 2."""
    offset_end = None
    with open(path, encoding="utf-8", errors="replace") as fh:
        for _ in range(8):
            line = fh.readline()
            if "Irradiance Time Offset" in line:
                try:
                    offset_end = float(line.rsplit(":", 1)[1].strip().rstrip(","))
                except ValueError:
                    pass
    df = df.copy()
    df.index = df.index.tz_localize(None).tz_localize("UTC")
    loc = {"latitude": meta["latitude"], "longitude": meta["longitude"], "elevation": meta.get("altitude", 0.0),
           "irradiance_time_offset": None if offset_end is None else 1.0 + offset_end}
    return df, {"inputs": {"location": loc}}


def pvgis_to_year(df: pd.DataFrame, meta: dict, source: str, tz_hours: float | None = None) -> WeatherYear:
    """Turn pvlib's parsed PVGIS TMY (``map_variables=True``) into a :class:`WeatherYear`."""
    inputs = meta.get("inputs", meta) if isinstance(meta, dict) else {}
    loc = inputs.get("location", inputs)
    try:
        lat, lon = float(loc["latitude"]), float(loc["longitude"])
    except (KeyError, TypeError, ValueError):
        raise WeatherError(f"{source}: PVGIS metadata has no latitude/longitude") from None
    elev = float(loc.get("elevation", 0.0) or 0.0)
    value_time = loc.get("irradiance_time_offset", loc.get("irradiance time offset"))
    value_time = 0.5 if value_time is None else float(value_time)
    if tz_hours is None:
        tz_hours = 8.0 if bool(in_china(lon, lat)) else float(round(lon / 15.0))
    if df.index.tz is None:  # the EPW flavour: pvlib keeps the file's UTC hours without a zone
        df = df.tz_localize("UTC")
    df = df.copy()
    df.index = df.index.tz_convert(_fixed_tz(tz_hours))
    meteo = inputs.get("meteo_data", {}) if isinstance(inputs, dict) else {}
    data = standardise(df, source=source)
    check_year(data, lat, lon, source)
    return WeatherYear(data, lat, lon, elev, source, value_time_h=value_time,
                       solar_offset_h=value_time,
                       meta=MappingProxyType({"format": "pvgis", "tz_hours": tz_hours,
                                              "file_timestamp": f"UTC hour; irradiance at +{value_time:.3f} h",
                                              "radiation_db": str(meteo.get("radiation_db", "")),
                                              "years": f"{meteo.get('year_min', '')}-{meteo.get('year_max', '')}"}))


def read_csv(path) -> WeatherYear:
    """Read the plain CSV format described in the module docstring."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WeatherError(f"{path}: cannot be read ({exc})") from None
    header = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition("=")
        header[key.strip().lower()] = value.strip()
    try:
        lat, lon = float(header["latitude"]), float(header["longitude"])
    except (KeyError, ValueError):
        raise WeatherError(f"{path}: plain weather CSV needs '# latitude=..' and '# longitude=..' lines at the top")
    elev = float(header.get("elevation", 0) or 0)
    stamp = header.get("timestamp", "start")
    if stamp not in ("start", "end", "center"):
        raise WeatherError(f"{path}: '# timestamp=' must be start, end or center, not {stamp!r}")
    df = pd.read_csv(io.StringIO(text), comment="#")
    if len(df) == 0:
        raise WeatherError(f"{path}: the file has a header but no hourly rows; a typical year has 8760")
    if "time" not in df.columns:
        raise WeatherError(f"{path}: needs a 'time' column (ISO 8601 with UTC offset) and {', '.join(REQUIRED)}")
    try:
        idx = pd.DatetimeIndex(pd.to_datetime(df.pop("time"), format="ISO8601"))
    except (ValueError, TypeError) as exc:
        raise WeatherError(f"{path}: time column cannot be parsed ({exc})") from None
    if idx.tz is None:
        raise WeatherError(f"{path}: times need a UTC offset, e.g. 2005-01-01T00:00+08:00")
    try:
        value_time = float(header.get("value_time_h", 0.5))
    except ValueError:
        raise WeatherError(f"{path}: '# value_time_h=' must be hours within the interval (0-1), "
                           f"not {header['value_time_h']!r}") from None
    if not 0.0 <= value_time <= 1.0:
        raise WeatherError(f"{path}: '# value_time_h=' must lie between 0 and 1 h, not {value_time}")
    shift = {"start": 0.0, "end": -1.0, "center": -0.5}[stamp]
    df.index = idx + pd.Timedelta(hours=shift)
    df = check_raw(df, str(path))
    return WeatherYear(standardise(df, source=str(path)), lat, lon, elev, str(path), value_time_h=value_time,
                       solar_offset_h=value_time,
                       meta=MappingProxyType({"format": "csv", "file_timestamp": f"interval {stamp}"}))


READERS = {"epw": read_epw, "tmy3": read_tmy3, "tmy2": read_tmy2, "pvgis": read_pvgis, "csv": read_csv}


def sniff_format(path) -> str:
    """Guess the weather format from the extension and first line."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".epw":
        with open(path, "rb") as fh:
            first = fh.readline()
        return "epw" if first.startswith(b"LOCATION") else "pvgis"
    if ext == ".tm2":
        return "tmy2"
    if ext == ".json":
        return "pvgis"
    if ext == ".csv":
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
        first = head.splitlines()[0] if head else ""
        if first.count(",") >= 6 and "time" not in first.lower() and not first.startswith("#"):
            return "tmy3"
        if first.lower().startswith("latitude"):
            return "pvgis"
        return "csv"
    raise WeatherError(f"{path}: unknown weather file type {ext!r}; accepted: .epw, TMY3 .csv, .tm2, "
                       "PVGIS .csv/.json/.epw, or the plain CSV format")


def read_weather(path, fmt: str | None = None) -> WeatherYear:
    """Read any supported weather file.

    Parameters
    ----------
    path : path-like
    fmt : {'epw', 'tmy3', 'tmy2', 'pvgis', 'csv'}, optional
        Guessed from the file when omitted.
    """
    path = Path(path)
    if not path.exists():
        raise WeatherError(f"{path}: no such weather file")
    if path.is_dir():
        raise WeatherError(f"{path}: is a folder; give a weather file")
    fmt = fmt or sniff_format(path)
    if fmt not in READERS:
        raise WeatherError(f"unknown weather format {fmt!r}; valid: {', '.join(READERS)}")
    try:
        year = READERS[fmt](path)
    except WeatherError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError) as exc:
        raise WeatherError(f"{path}: cannot be read as {fmt} ({type(exc).__name__}: "
                           f"{str(exc).splitlines()[0][:200] if str(exc) else ''})") from None
    check_year(year.data, year.latitude, year.longitude, str(path))
    return year
