"""Site ids for register rows that have none, and a check that such a site is one place (pure).

A register row names its institution by ``site_id`` (单位编号). Where that cell is blank, or the
column is absent, the id is made from what identifies the unit in the row: its name (单位名称) and
where it is (the 区县 column, else the county found in the address by the shipped gazetteer).
Rows of one unit (the roof row and the carport row of 竹山县城关镇中心卫生院) get one id; the
same name in another county (房县城关镇中心卫生院) gets another. Ids the user gave are kept as
they are.

A generated id can still join rows that are far apart (a register with names and coordinates but
no county); :func:`far_apart` finds them, so the reader can warn.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solarplan.core.geometry import haversine_km
from solarplan.io import gazetteer

#: Rows under one generated id farther apart than this [km] are reported. A single institution's roofs
#: and carports lie on one campus: a county hospital or school is a few hundred metres across, the
#: largest university campuses about 3 km; the seats of neighbouring townships (where two 城关镇中心卫生院
#: or two 实验小学 stand) are usually 10 km or more apart. 5 km lies between (estimate from these sizes);
#: a GCJ-02/WGS84 mix-up (~0.5 km) stays well below it.
FAR_APART_KM = 5.0


def site_id_from_name(name: str, place: str = "") -> str:
    """A stable id made from an institution's name and, where known, its county (the same text gives the
    same id on every run).

    ``N`` + 12 hex digits of the SHA-1 of ``name`` (no place: the ids of earlier versions) or of
    ``place|name`` (48 bits: two of 100,000 distinct units share an id with a probability of about 2e-5;
    :func:`unit_ids` checks and lengthens colliding ids anyway).
    """
    return _digest_id(_key(name, place))


def _key(name: str, place: str) -> str:
    return f"{place}|{name}" if place else name


def _digest_id(key: str, full: bool = False) -> str:
    """``N`` + the SHA-1 of ``key`` in upper-case hex: its first 12 digits, or all 40 with ``full``."""
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest().upper()
    return "N" + (digest if full else digest[:12])


@dataclass(frozen=True)
class UnitIds:
    """Site id of each row and how it came.

    Attributes
    ----------
    site : ndarray of str
        The id ('' where the row has neither id nor name).
    source : ndarray of str
        ``input`` (the user's id), ``same_unit`` (blank cell: the id another row of the same name and
        county carries), ``generated`` (made from name and place) or '' (none).
    place : ndarray of str
        The place part of the key: a gazetteer adcode, else the 区县 text, else ''.
    """

    site: np.ndarray
    source: np.ndarray
    place: np.ndarray


def places(district: pd.Series, address: pd.Series) -> np.ndarray:
    """Where each row's unit is, as text for its id: the adcode of the county (else prefecture, province)
    the gazetteer finds in the 区县 cell (else in the address); the 区县 text itself when the gazetteer
    does not know it (开发区, 城区); '' when the row says nothing about its place."""
    d = np.asarray(district, dtype=object)
    a = np.asarray(address, dtype=object)
    where = np.where(d != "", d, a)
    out = np.full(len(where), "", dtype=object)
    todo = np.flatnonzero(where != "")
    if len(todo):
        uniq, inv = np.unique(where[todo].astype(str), return_inverse=True)
        codes = gazetteer.locate(list(uniq))["adcode"].to_numpy(object)
        got = np.array(["" if c is None or (isinstance(c, float) and np.isnan(c)) else str(c) for c in codes],
                       dtype=object)
        out[todo] = got[inv]
    unknown = (out == "") & (d != "")
    out[unknown] = np.array([str(x).replace(" ", "") for x in d[unknown]], dtype=object)
    return out


def unit_ids(site_in: pd.Series, name: pd.Series, district: pd.Series, address: pd.Series) -> UnitIds:
    """Ids for every row: the user's where given; else one made from name and place.

    Parameters
    ----------
    site_in : Series of str
        The 单位编号 cells as text ('' where blank or the column is absent).
    name, district, address : Series of str
        单位名称, 区县 and 地址 as text ('' where blank or absent).
    """
    sid = np.asarray(site_in, dtype=object)
    nm = np.asarray(name, dtype=object)
    n = len(sid)
    place = places(district, address)
    site = sid.copy()
    source = np.where(sid != "", "input", "").astype(object)
    need = (sid == "") & (nm != "")
    # a blank cell in a unit whose other rows carry one id: that id (同一单位…单位编号相同)
    given: dict[str, set] = {}
    for k, s in zip((_key(a, b) for a, b in zip(nm, place)), sid):
        if s:
            given.setdefault(k, set()).add(s)
    keys = np.array([_key(a, b) for a, b in zip(nm, place)], dtype=object) if n else np.array([], object)
    for i in np.flatnonzero(need):
        ids = given.get(keys[i], ())
        if len(ids) == 1:
            site[i], source[i] = next(iter(ids)), "same_unit"
    gen = need & (source == "")
    made = {k: _digest_id(k) for k in set(keys[gen])}
    if len(set(made.values())) < len(made):  # a hash collision: use the full digest for every key
        made = {k: _digest_id(k, full=True) for k in made}
    for i in np.flatnonzero(gen):
        site[i], source[i] = made[keys[i]], "generated"
    return UnitIds(site, source, place)


def far_apart(site, lat, lon, precision_km, use, threshold_km: float = FAR_APART_KM) -> pd.DataFrame:
    """Generated sites whose rows lie more than ``threshold_km`` apart.

    Two rows count as apart when their distance exceeds the threshold plus both rows' location
    precision (a row placed at a county centre, ±20 km, is not evidence of two places).

    Parameters
    ----------
    site : array of str
    lat, lon : array of float [degrees WGS84]
    precision_km : array of float
        0 for coordinates and polygons, the gazetteer's estimate for county centres.
    use : array of bool
        The rows to check (generated ids, located, not rejected).

    Returns
    -------
    DataFrame
        ``site_id``, ``distance_km`` (largest distance between two of its rows, great circle),
        ``row_a``, ``row_b`` (their positions in the input arrays), largest distance first.
    """
    cols = ["site_id", "distance_km", "row_a", "row_b"]
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    prec = np.nan_to_num(np.asarray(precision_km, float), nan=0.0)
    ok = np.asarray(use, bool) & np.isfinite(lat) & np.isfinite(lon)
    if ok.sum() < 2:
        return pd.DataFrame(columns=cols)
    idx = np.flatnonzero(ok)
    df = pd.DataFrame({"site": np.asarray(site, dtype=object)[idx], "lat": lat[idx], "lon": lon[idx],
                       "p": prec[idx], "i": idx})
    # a cheap first pass: the diagonal of each site's box bounds every distance within it
    box = df.groupby("site", sort=False).agg(n=("i", "size"), la0=("lat", "min"), la1=("lat", "max"),
                                             lo0=("lon", "min"), lo1=("lon", "max"))
    box = box[box["n"] > 1]
    diag = haversine_km(box["la0"], box["lo0"], box["la1"], box["lo1"])
    out = []
    wide = set(box.index[np.asarray(diag > threshold_km)])
    members = df[df["site"].isin(wide)].groupby("site", sort=False).indices  # one pass, not one scan per site
    cols_np = {c: df[c].to_numpy() for c in ("lat", "lon", "p", "i")}
    for s, at in members.items():
        la, lo, p, i = (cols_np[c][at] for c in ("lat", "lon", "p", "i"))
        if len(at) > 2000:  # pairs of a huge group would not fit: distances from its first row
            d = haversine_km(la[0], lo[0], la, lo)
            excess = d - p[0] - p
            k = int(np.argmax(excess))
            if excess[k] > threshold_km:
                out.append((s, float(d[k]), int(i[0]), int(i[k])))
            continue
        d = haversine_km(la[:, None], lo[:, None], la[None, :], lo[None, :])
        excess = d - p[:, None] - p[None, :]
        a, b = np.unravel_index(int(np.argmax(excess)), excess.shape)
        if excess[a, b] > threshold_km:
            out.append((s, float(d[a, b]), int(min(i[a], i[b])), int(max(i[a], i[b]))))
    res = pd.DataFrame(out, columns=cols)
    return res.sort_values("distance_km", ascending=False, kind="stable").reset_index(drop=True)
