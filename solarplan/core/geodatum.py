"""WGS84 <-> GCJ-02 (the datum Gaode/AutoNavi tiles are drawn in), vectorised over arrays (pure).

Uses the ``prcoords`` library (Artoria2e5/PRCoords), which implements the published
GCJ-02 obfuscation (Krasovsky 1940 ellipsoid) and an iterative inverse that
round-trips to well under a metre. Points outside China are returned unchanged
(GCJ-02 is only applied inside the country), as prcoords does.

References
----------
.. [1] PRCoords, https://github.com/Artoria2e5/PRCoords (the reference used by several
   open-source map tools for GCJ-02).
"""
from __future__ import annotations

import warnings

import numpy as np
import prcoords


def _convert(func, lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """Apply a prcoords conversion to arrays of latitude and longitude [degrees].

    prcoords warns for each point outside China and returns it unchanged, as documented above; only that
    message is silenced, every other warning still shows.
    """
    lat, lon = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Non-Chinese coords found", category=UserWarning)
        out = [func(prcoords.Coords(a, b), True) for a, b in zip(lat, lon)]
    return np.array([c.lat for c in out]), np.array([c.lon for c in out])


def wgs84_to_gcj02(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """Shift WGS84 coordinates [degrees] into GCJ-02."""
    return _convert(prcoords.wgs_gcj, lat, lon)


def gcj02_to_wgs84(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`wgs84_to_gcj02` (iterative, sub-metre)."""
    return _convert(prcoords.gcj_wgs_bored, lat, lon)


def bd09_to_wgs84(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 (Baidu's offset of GCJ-02) [degrees] to WGS84, by prcoords' iterative inverse (sub-metre)."""
    return _convert(prcoords.bd_wgs_bored, lat, lon)


def wgs84_to_bd09(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 [degrees] to BD-09 (GCJ-02 then Baidu's offset)."""
    return _convert(prcoords.wgs_bd, lat, lon)
