"""Optional online geocoding of register addresses (Tianditu or Gaode), with an on-disk cache.

Without it, rows with only an address are placed offline at their county by
:mod:`solarplan.io.gazetteer`; a geocoder places them at the street address. It is used only
when asked (``[inventory] geocoder = "tianditu"`` or ``"gaode"``) and needs the user's key
(``geocoder_key``, or ``TIANDITU_KEY`` / ``AMAP_KEY`` in the environment). Each address is asked
once: answers are cached on disk (``$SOLARPLAN_CACHE_DIR`` or ``~/.cache/solarplan``, folder
``geocode``). A timeout, a refused key or no network stops the run with a message that says
how to go on (fix the key, or drop the geocoder and use the county centroids).

Gaode answers in GCJ-02 and is converted to WGS84 (:func:`solarplan.core.geodatum.gcj02_to_wgs84`);
Tianditu answers in CGCS2000, which agrees with WGS84 to centimetres.

References
----------
.. [1] 天地图 Web服务API, 地理编码 (``/geocoder?ds={"keyWord": ...}&tk=KEY``; answer ``status`` "0"
   and ``location.lon/lat/level``).
.. [2] 高德开放平台 Web服务 API, 地理/逆地理编码 (``/v3/geocode/geo?address=...&key=KEY``; answer
   ``status`` "1", ``geocodes[0].location`` "lon,lat" in GCJ-02, ``level``; errors ``info``/``infocode``).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import requests

from solarplan.core.errors import InputError
from solarplan.core.geodatum import gcj02_to_wgs84
from solarplan.io.config import PlanConfig

#: Service -> (default address, environment variable of the key).
SERVICES = {"tianditu": ("https://api.tianditu.gov.cn/geocoder", "TIANDITU_KEY"),
            "gaode": ("https://restapi.amap.com/v3/geocode/geo", "AMAP_KEY")}
#: Seconds to wait for an answer (estimate: both services answer in well under a second).
TIMEOUT_S = 10.0
#: Precision [km] by the level of the match the services report (estimates: a door number is
#: within a site, a road within a town, a district within its extent).
LEVEL_KM = {"门址": 0.1, "门牌号": 0.1, "兴趣点": 0.1, "单元号": 0.1, "楼栋号": 0.1, "道路": 1.0,
            "道路交叉路口": 1.0, "村庄": 2.0, "热点商圈": 2.0, "乡镇": 5.0, "开发区": 5.0, "区县": 20.0,
            "市": 50.0, "省": 200.0}


class GeocodeError(InputError):
    """The geocoder cannot be used (no key, refused, timeout, offline)."""


@dataclass(frozen=True)
class Geocoder:
    """One geocoding service with its key, address, timeout and cache folder."""

    service: str
    key: str
    url: str
    timeout_s: float = TIMEOUT_S
    cache_dir: Path | None = None

    def _cache_file(self, address: str) -> Path | None:
        if self.cache_dir is None:
            return None
        h = hashlib.sha1(f"{self.service}|{self.url}|{address}".encode("utf-8")).hexdigest()[:20]
        return self.cache_dir / f"{self.service}-{h}.json"

    def _ask(self, address: str) -> dict:
        if self.service == "tianditu":
            params = {"ds": json.dumps({"keyWord": address}, ensure_ascii=False), "tk": self.key}
        else:
            params = {"address": address, "key": self.key, "output": "JSON"}
        try:
            r = requests.get(self.url, params=params, timeout=self.timeout_s)
        except requests.Timeout:
            raise GeocodeError(f"{self.service} geocoder did not answer within {self.timeout_s:g} s; try again later, "
                               "or set [inventory] geocoder = \"none\" to place sites at their county centroid") from None
        except requests.RequestException as exc:
            raise GeocodeError(f"{self.service} geocoder cannot be reached ({type(exc).__name__}): offline? Set "
                               "[inventory] geocoder = \"none\" to place sites at their county centroid") from None
        if r.status_code in (401, 403):
            raise GeocodeError(f"{self.service} refused the key (HTTP {r.status_code}); check geocoder_key / "
                               f"{SERVICES[self.service][1]}")
        if r.status_code != 200:
            raise GeocodeError(f"{self.service} geocoder answered HTTP {r.status_code}; try again later")
        try:
            return r.json()
        except ValueError:
            raise GeocodeError(f"{self.service} geocoder answered something that is not JSON "
                               f"({r.text[:80]!r})") from None

    def _parse(self, answer: dict) -> tuple[float, float, float]:
        """(lon, lat) in WGS84 and precision [km]; NaN where the address was not found."""
        if self.service == "tianditu":
            if str(answer.get("status")) != "0":
                msg = str(answer.get("msg", ""))
                if any(w in msg for w in ("权限", "key", "tk", "授权")):
                    raise GeocodeError(f"tianditu refused the key: {msg}; check geocoder_key / TIANDITU_KEY")
                return np.nan, np.nan, np.nan
            loc = answer.get("location") or {}
            return float(loc["lon"]), float(loc["lat"]), LEVEL_KM.get(str(loc.get("level", "")), 5.0)
        if str(answer.get("status")) != "1":
            info = str(answer.get("info", ""))
            if "KEY" in info.upper() or str(answer.get("infocode", "")).startswith("1000"):
                raise GeocodeError(f"gaode refused the key: {info} (infocode {answer.get('infocode')}); check "
                                   "geocoder_key / AMAP_KEY")
            raise GeocodeError(f"gaode geocoder refused the request: {info} (infocode {answer.get('infocode')})")
        codes = answer.get("geocodes") or []
        if not codes:
            return np.nan, np.nan, np.nan
        lon, lat = (float(x) for x in str(codes[0]["location"]).split(","))
        la, lo = gcj02_to_wgs84(lat, lon)
        return float(lo[0]), float(la[0]), LEVEL_KM.get(str(codes[0].get("level", "")), 5.0)

    def __call__(self, addresses: list[str]) -> pd.DataFrame:
        """``lon``, ``lat`` [degrees WGS84] and ``precision_km`` for each address (NaN: not found)."""
        out, memo = [], {}
        for a in addresses:
            if a not in memo:
                f = self._cache_file(a)
                if f is not None and f.is_file():
                    answer = json.loads(f.read_text(encoding="utf-8"))
                else:
                    answer = self._ask(a)
                    memo[a] = self._parse(answer)  # checked before it is cached
                    if f is not None:
                        f.parent.mkdir(parents=True, exist_ok=True)
                        f.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
                memo.setdefault(a, self._parse(answer))
            out.append(memo[a])
        return pd.DataFrame(out, columns=["lon", "lat", "precision_km"])


def _cache_root() -> Path:
    env = os.environ.get("SOLARPLAN_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "solarplan"


def geocoder(service: str, key: str | None = None, url: str | None = None, timeout_s: float = TIMEOUT_S,
             cache_dir: Path | None = None) -> Geocoder:
    """A geocoder for ``tianditu`` or ``gaode``; the key from the argument or the environment.

    ``SOLARPLAN_GEOCODER_URL`` overrides the service address (tests use a local server).

    Raises
    ------
    GeocodeError
        Unknown service, or no key.
    """
    if service not in SERVICES:
        raise GeocodeError(f"unknown geocoder {service!r}; valid: none, {', '.join(SERVICES)}")
    default_url, env = SERVICES[service]
    key = key or os.environ.get(env)
    if not key:
        raise GeocodeError(f"the {service} geocoder needs a key: set {env} or [inventory] geocoder_key; or set "
                           "[inventory] geocoder = \"none\" to place address-only rows at their county centroid")
    return Geocoder(service, key, url or os.environ.get("SOLARPLAN_GEOCODER_URL") or default_url, timeout_s,
                    cache_dir if cache_dir is not None else _cache_root() / "geocode")


def geocoder_from_config(config: PlanConfig) -> Geocoder | None:
    """The geocoder ``[inventory] geocoder`` names, or None for ``none`` (the default)."""
    opts = config.inventory
    service = getattr(opts, "geocoder", "none") or "none"
    if service == "none":
        return None
    return geocoder(service, getattr(opts, "geocoder_key", None))
