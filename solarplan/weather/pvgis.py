"""Download a PVGIS typical meteorological year, with an on-disk cache.

This is the one module of solarplan that talks to the network. A request for a
location is answered from the cache when the same year (same rounded
location, same API address) was fetched before; otherwise the PVGIS TMY API is
asked once, with a timeout, and the answer is checked (parsed into a weather
year) before it is written to the cache, so a broken answer is never cached.

PVGIS covers China with its ERA5-based radiation (0.25 deg grid); its
SARAH satellite databases cover Europe, Africa and parts of Asia only.

References
----------
.. [1] European Commission JRC, "PVGIS 5.3 user manual", section
   "Non-interactive service": ``https://re.jrc.ec.europa.eu/api/v5_3/tmy``,
   parameters ``lat``, ``lon``, ``usehorizon``, ``outputformat=json``; errors
   come back as HTTP 400 with a JSON ``message``.
.. [2] pvlib.iotools.read_pvgis_tmy (parsing of the JSON answer).
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

import pvlib
import requests

from solarplan.core.errors import WeatherError
from solarplan.weather.core import WeatherYear
from solarplan.weather.readers import pvgis_to_year

#: PVGIS non-interactive API, version 5.3 [1]_.
PVGIS_URL = "https://re.jrc.ec.europa.eu/api/v5_3/"
#: Seconds to wait for PVGIS to connect and to answer (estimate: a TMY request
#: usually takes 2-10 s; beyond 60 s the service is treated as unavailable).
TIMEOUT_S = 60.0
#: Decimal places of the location sent to PVGIS and used in the cache key
#: (3 places = about 100 m, far below the 0.25 deg ERA5 grid).
DECIMALS = 3


@dataclass(frozen=True)
class PvgisOptions:
    """Where and how to ask PVGIS (config section ``[weather]``).

    Attributes
    ----------
    url : str
        Base address of the API (``pvgis_url``; env ``SOLARPLAN_PVGIS_URL``).
    timeout_s : float
        Connect and read timeout [s] (``pvgis_timeout_s``).
    cache_dir : Path or None
        Cache folder (``cache_dir``; env ``SOLARPLAN_CACHE_DIR``); default
        ``$XDG_CACHE_HOME/solarplan`` or ``~/.cache/solarplan``, with a
        ``pvgis`` folder inside.
    refresh : bool
        Ask PVGIS again even when the cache has the year.
    """

    url: str = PVGIS_URL
    timeout_s: float = TIMEOUT_S
    cache_dir: Path | None = None
    refresh: bool = False

    @classmethod
    def from_mapping(cls, section) -> "PvgisOptions":
        """Options from a ``[weather]`` config section, then the environment."""
        section = dict(section or {})
        url = str(section.get("pvgis_url") or os.environ.get("SOLARPLAN_PVGIS_URL") or PVGIS_URL)
        cache = section.get("cache_dir") or os.environ.get("SOLARPLAN_CACHE_DIR")
        try:
            timeout = float(section.get("pvgis_timeout_s", TIMEOUT_S))
        except (TypeError, ValueError):
            raise WeatherError(f"[weather] pvgis_timeout_s must be a number of seconds, "
                               f"not {section.get('pvgis_timeout_s')!r}") from None
        if not timeout > 0:
            raise WeatherError(f"[weather] pvgis_timeout_s must be positive, not {timeout}")
        refresh = section.get("pvgis_refresh", False)
        if not isinstance(refresh, bool):
            raise WeatherError(f"[weather] pvgis_refresh must be true or false (a TOML boolean, without quotes), "
                               f"not {refresh!r}")
        return cls(url=url if url.endswith("/") else url + "/", timeout_s=timeout,
                   cache_dir=Path(cache) if cache else None, refresh=refresh)

    def folder(self) -> Path:
        """The cache folder for PVGIS answers."""
        if self.cache_dir is not None:
            root = Path(self.cache_dir)
        else:
            root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "solarplan"
        return root / "pvgis"


def cache_path(lat: float, lon: float, options: PvgisOptions) -> Path:
    """The cache file of a location's year (location rounded to :data:`DECIMALS`)."""
    tag = hashlib.sha256(options.url.encode()).hexdigest()[:8]
    return options.folder() / f"tmy_{lat:.{DECIMALS}f}_{lon:.{DECIMALS}f}_{tag}.json"


def _parse(text: str, source: str, tz_hours: float | None = None) -> WeatherYear:
    try:
        df, meta = pvlib.iotools.read_pvgis_tmy(io.StringIO(text), pvgis_format="json", map_variables=True)[:2]
    except Exception as exc:
        raise WeatherError(f"{source}: the answer is not a PVGIS TMY ({type(exc).__name__}: {exc})") from None
    return pvgis_to_year(df, meta, source, tz_hours)


def _refusal(response) -> str:
    try:
        message = response.json().get("message")
    except ValueError:
        message = None
    return str(message or response.text[:200].strip() or response.reason)


def fetch_tmy(lat: float, lon: float, options: PvgisOptions | None = None) -> tuple[Path, bool]:
    """Make sure the cache holds the PVGIS TMY of a location; download it if not.

    Parameters
    ----------
    lat, lon : float
        [degrees, WGS84]; rounded to :data:`DECIMALS` places.
    options : PvgisOptions, optional

    Returns
    -------
    (path, downloaded)
        The cached JSON file, and whether it was fetched just now.

    Raises
    ------
    WeatherError
        Timeout, no connection, a refusal by PVGIS (e.g. a location at sea), or
        an answer that is not a TMY. Nothing is cached in those cases.
    """
    options = options or PvgisOptions()
    lat, lon = round(float(lat), DECIMALS), round(float(lon), DECIMALS)
    path = cache_path(lat, lon, options)
    if path.exists() and not options.refresh:
        return path, False
    where = f"PVGIS ({options.url})"
    params = {"lat": f"{lat:.{DECIMALS}f}", "lon": f"{lon:.{DECIMALS}f}", "usehorizon": 1, "outputformat": "json"}
    hint = "use --weather auto (embedded climatology, China) or download a TMY file by hand and pass its path"
    try:
        response = requests.get(options.url + "tmy", params=params, timeout=options.timeout_s)
    except requests.Timeout:
        raise WeatherError(f"{where} did not answer within {options.timeout_s:g} s for {lat}, {lon}; try again, "
                           f"raise [weather] pvgis_timeout_s, or {hint}") from None
    except requests.RequestException as exc:
        raise WeatherError(f"{where} cannot be reached ({type(exc).__name__}); this machine may be offline: "
                           f"{hint}") from None
    if response.status_code != 200:
        raise WeatherError(f"{where} refused {lat}, {lon} (HTTP {response.status_code}): {_refusal(response)}")
    text = response.text
    year = _parse(text, f"{where} answer for {lat}, {lon}")  # check before caching
    if abs(year.latitude - lat) > 0.01 or abs(year.longitude - lon) > 0.01:
        raise WeatherError(f"{where} answered for {year.latitude}, {year.longitude} instead of {lat}, {lon}; "
                           "check [weather] pvgis_url")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path, True


def pvgis_year(lat: float, lon: float, options: PvgisOptions | None = None,
               tz_hours: float | None = None) -> WeatherYear:
    """The PVGIS typical year of a location, from the cache or the API.

    The result is read like any PVGIS file (:func:`solarplan.weather.readers.read_pvgis`):
    UTC hours converted to local standard time, irradiance instants from the
    answer's ``irradiance_time_offset``. Its ``source`` names the cache file.
    """
    path, downloaded = fetch_tmy(lat, lon, options)
    try:
        year = _parse(path.read_text(encoding="utf-8"), str(path), tz_hours)
    except WeatherError as exc:
        raise WeatherError(f"{exc}; the cached PVGIS answer is damaged: delete it or set pvgis_refresh") from None
    return replace(year, meta=MappingProxyType({**dict(year.meta), "pvgis_downloaded": downloaded}))
