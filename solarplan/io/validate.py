"""Row-by-row validation of an inventory that loses nothing.

Pure: takes the table as read (canonical column names, values as text or
numbers, geometries already in WGS84) and returns the clean table and the
rejects. Every input row ends in exactly one of them.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from solarplan.core import geometry as geo
from solarplan.pv.capacity import usable_area_and_capacity
from solarplan.io.config import PlanConfig
from solarplan.io.vocab import parse_azimuth, parse_category, parse_surface_type

NUMERIC = {
    # column: (min, max, inclusive_min) accepted range
    # lat/lon ranges are checked after the swap test, which gives the better message
    "lat": (-np.inf, np.inf, True), "lon": (-np.inf, np.inf, True),
    "area_m2": (0.0, 1e6, False), "surface_tilt": (0.0, 90.0, True),
    "usable_fraction": (0.0, 1.0, False), "capacity_kwp": (0.0, 1e6, False),
    "annual_load_kwh": (0.0, 1e10, True), "tariff_cny_per_kwh": (0.0, 10.0, False),
    "floor_area_m2": (0.0, 1e7, False), "occupants": (0.0, 1e6, True),
}
REJECT_COLUMNS = ["source_file", "source_row", "site_id", "surface_id", "column", "value", "reason"]

#: Columns of the clean inventory, in order (user columns follow).
CLEAN_COLUMNS = [
    "site_id", "surface_id", "name", "category", "surface_type", "district", "lon", "lat",
    "gross_area_m2", "usable_fraction", "usable_area_m2", "power_density_w_m2", "capacity_kwp", "capacity_source",
    "mounting", "surface_tilt", "surface_azimuth", "orientation_source", "gcr", "long_axis_bearing",
    "annual_load_kwh", "tariff_cny_per_kwh", "floor_area_m2", "occupants", "notes", "source_row",
]


@dataclass(frozen=True)
class ValidationResult:
    """Clean surfaces, rejected rows and the input count.

    Attributes
    ----------
    clean : GeoDataFrame
        One row per accepted surface, columns :data:`CLEAN_COLUMNS` plus user
        columns, geometry in WGS84 (the polygon, or the point for rows given
        as lat/lon + area).
    rejects : DataFrame
        Columns :data:`REJECT_COLUMNS`; one row per rejected input row.
    n_input : int
    """

    clean: gpd.GeoDataFrame
    rejects: pd.DataFrame
    n_input: int

    def summary(self) -> str:
        n_ok, n_bad = len(self.clean), len(self.rejects)
        cap = self.clean["capacity_kwp"].sum() / 1e3 if n_ok else 0.0
        area = self.clean["gross_area_m2"].sum() if n_ok else 0.0
        return (f"{self.n_input} rows read: {n_ok} clean + {n_bad} rejected = {n_ok + n_bad}"
                f"{'' if n_ok + n_bad == self.n_input else ' (MISMATCH)'}; "
                f"{self.clean['site_id'].nunique() if n_ok else 0} sites, {area:,.0f} m2 gross, {cap:,.2f} MWp")


def _text(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return unicodedata.normalize("NFKC", str(v)).strip()


def _number(v):
    """Parse a number as planners type it: '1,234.5', '６０', '60%'. Returns (value, ok)."""
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return float(v), bool(np.isfinite(v))
    t = _text(v).replace(",", "").replace(" ", "")
    if t == "":
        return np.nan, True
    scale = 1.0
    if t.endswith("%"):
        t, scale = t[:-1], 0.01
    try:
        x = float(t) * scale
    except ValueError:
        return np.nan, False
    return x, bool(np.isfinite(x))


def validate(raw: pd.DataFrame, geoms: pd.Series | None, source_rows: pd.Series, source_file: str,
             config: PlanConfig, require_china: bool = True, row_label: str = "row") -> ValidationResult:
    """Validate an inventory table.

    Parameters
    ----------
    raw : DataFrame
        Canonical column names (see :data:`solarplan.io.vocab.HEADER_ALIASES`);
        other columns are carried through.
    geoms : Series of shapely geometries in WGS84, or None
    source_rows : Series of int
        The row number of each record in its file (shown in messages).
    source_file : str
    config : PlanConfig
    require_china : bool
        Reject rows outside China's bounding box (the embedded weather covers
        China only). False when the user gives a weather file.
    row_label : str
        How the file counts rows (``line``, ``row`` or ``feature``).
    """
    n = len(raw)
    raw = raw.reset_index(drop=True)
    source_rows = pd.Series(np.asarray(source_rows), index=raw.index)
    geoms = pd.Series([None] * n, dtype=object) if geoms is None else pd.Series(np.asarray(geoms, dtype=object))
    reason: dict[int, tuple[str, str, str]] = {}  # row -> (column, value, reason)
    notes = [[] for _ in range(n)]

    def reject(i, column, value, why):
        if i not in reason:
            reason[i] = (column, _text(value), f"{row_label} {source_rows[i]}: {why}")

    col = lambda c: raw[c] if c in raw.columns else pd.Series([""] * n, index=raw.index)  # noqa: E731
    site = col("site_id").map(_text)
    for i in np.flatnonzero(site == ""):
        reject(i, "site_id", "", "site_id is empty; every surface needs the id of its institution")

    nums = {}
    for c, (lo, hi, incl) in NUMERIC.items():
        vals = np.full(n, np.nan)
        for i, v in enumerate(col(c)):
            x, ok = _number(v)
            if not ok:
                reject(i, c, v, f"{c} is {_text(v)!r}, not a number")
                continue
            if not np.isnan(x) and not ((x >= lo if incl else x > lo) and x <= hi):
                if c == "usable_fraction" and 1 < x <= 100:
                    x /= 100.0
                    notes[i].append("usable_fraction read as a percentage")
                else:
                    reject(i, c, v, f"{c} = {x:g} is outside the accepted range "
                                    f"{'[' if incl else '('}{lo:g}, {hi:g}]")
                    continue
            vals[i] = x
        nums[c] = vals

    categories, stypes, azimuths = [], [], np.full(n, np.nan)
    for i in range(n):
        v = _text(col("category")[i])
        try:
            categories.append(parse_category(v) if v else "other")
            if not v:
                notes[i].append("category missing: other")
        except ValueError as exc:
            categories.append(None)
            reject(i, "category", v, str(exc))
        v = _text(col("surface_type")[i])
        try:
            stypes.append(parse_surface_type(v) if v else "flat_roof")
            if not v:
                notes[i].append("surface_type missing: flat_roof assumed")
        except ValueError as exc:
            stypes.append(None)
            reject(i, "surface_type", v, str(exc))
        v = col("surface_azimuth")[i]
        if _text(v):
            x, is_number = _number(v)
            try:
                azimuths[i] = parse_azimuth(x if is_number else v, config.inventory.azimuth_convention)
            except ValueError as exc:
                reject(i, "surface_azimuth", v, str(exc))

    # geometry or point + area
    metrics = pd.DataFrame(np.nan, index=raw.index, columns=["area_m2", "long_axis_bearing", "long_side_m",
                                                            "short_side_m", "lon", "lat"])
    fixed = pd.Series([None] * n, dtype=object)
    has_geom = geoms.map(lambda g: g is not None)
    for i in np.flatnonzero(has_geom):
        if isinstance(geoms[i], str):
            reject(i, "geometry", geoms[i][:60], "geometry is not valid WKT (e.g. POLYGON ((lon lat, ...)))")
            continue
        g, note = geo.repair(geoms[i])
        if g is None:
            reject(i, "geometry", "", note)
            continue
        if note:
            notes[i].append(note)
        b = g.bounds
        if not (-180 <= b[0] and b[2] <= 180 and -90 <= b[1] and b[3] <= 90):
            reject(i, "geometry", f"{b[0]:.0f},{b[1]:.0f}", "coordinates are not longitude/latitude degrees "
                   "(projected metres without a CRS, or a CRS mix-up); give WGS84 or a file with its CRS")
            continue
        fixed[i] = g
    ok_geom = fixed.map(lambda g: g is not None)
    if ok_geom.any():
        m = geo.projected_metrics(fixed[ok_geom])
        metrics.loc[m.index, m.columns.intersection(metrics.columns)] = m[m.columns.intersection(metrics.columns)]
    lon = np.where(ok_geom, metrics["lon"], nums["lon"])
    lat = np.where(ok_geom, metrics["lat"], nums["lat"])
    area = np.where(ok_geom, metrics["area_m2"], nums["area_m2"])
    for i in range(n):
        if has_geom[i]:
            if ok_geom[i] and metrics["area_m2"][i] <= 0:
                reject(i, "geometry", "", "polygon has zero area")
            elif ok_geom[i] and not np.isnan(nums["area_m2"][i]) and \
                    abs(nums["area_m2"][i] / metrics["area_m2"][i] - 1) > 0.1:
                notes[i].append(f"area_m2 {nums['area_m2'][i]:.0f} differs from polygon area "
                                f"{metrics['area_m2'][i]:.0f} by >10 %; polygon used")
            continue
        if np.isnan(nums["lat"][i]) or np.isnan(nums["lon"][i]):
            reject(i, "lat" if np.isnan(nums["lat"][i]) else "lon", "",
                   "no geometry and no lat/lon; give a polygon or lat, lon (WGS84) and area_m2")
        elif np.isnan(nums["area_m2"][i]):
            reject(i, "area_m2", "", "area_m2 is missing (needed when no polygon is given)")
    swapped = geo.looks_swapped(lon, lat)
    for i in np.flatnonzero(swapped):
        reject(i, "lat", f"{lat[i]:.4f}", f"lat/lon look swapped (lat={lat[i]:.4f}, lon={lon[i]:.4f}); "
               "China spans lon 73-135, lat 18-54: exchange the two columns")
    bad_range = ~swapped & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    for i in np.flatnonzero(bad_range):
        reject(i, "lat" if abs(lat[i]) > 90 else "lon", f"{lat[i]:g},{lon[i]:g}",
               "lat must be in [-90, 90] and lon in [-180, 180] degrees (WGS84)")
    if require_china:
        outside = ~geo.in_china(lon, lat) & ~np.isnan(lon) & ~np.isnan(lat)
        for i in np.flatnonzero(outside & ~swapped):
            reject(i, "lon", f"{lon[i]:.4f}", f"location ({lon[i]:.4f}, {lat[i]:.4f}) is outside China "
                   "(lon 73-135, lat 18-54); the embedded weather covers China only: give a weather file")

    # surface ids: explicit ones first, then generated site_id-n skipping taken ids
    sid = col("surface_id").map(_text)
    seen: dict[str, int] = {}
    for i in range(n):
        if i in reason or not sid[i]:
            continue
        if sid[i] in seen:
            reject(i, "surface_id", sid[i], f"duplicate surface_id {sid[i]!r}, first used at "
                   f"{row_label} {source_rows[seen[sid[i]]]}")
        else:
            seen[sid[i]] = i
    counter: dict[str, int] = {}
    sid = sid.copy()
    for i in range(n):
        if i in reason or sid[i]:
            continue
        k = counter.get(site[i], 0)
        while True:
            k += 1
            cand = f"{site[i]}-{k}"
            if cand not in seen:
                break
        counter[site[i]] = k
        sid[i], seen[cand] = cand, i

    keep = np.array([i not in reason for i in range(n)], dtype=bool)
    table = pd.DataFrame({
        "site_id": site, "surface_id": sid, "name": col("name").map(_text),
        "category": categories, "surface_type": stypes, "district": col("district").map(_text),
        "lon": lon, "lat": lat, "gross_area_m2": area,
        "usable_fraction": nums["usable_fraction"], "capacity_kwp": nums["capacity_kwp"],
        "surface_tilt": nums["surface_tilt"], "surface_azimuth": azimuths,
        "long_axis_bearing": metrics["long_axis_bearing"], "long_side_m": metrics["long_side_m"],
        "short_side_m": metrics["short_side_m"],
        "annual_load_kwh": nums["annual_load_kwh"], "tariff_cny_per_kwh": nums["tariff_cny_per_kwh"],
        "floor_area_m2": nums["floor_area_m2"], "occupants": nums["occupants"],
        "notes": ["; ".join(x) for x in notes], "source_row": source_rows.to_numpy(),
    })[keep]
    geom_out = [fixed[i] if ok_geom[i] else shapely.Point(lon[i], lat[i]) for i in np.flatnonzero(keep)]
    table = usable_area_and_capacity(table, config.surfaces) if len(table) else \
        table.assign(usable_area_m2=[], power_density_w_m2=[], capacity_source=[], orientation_source=[],
                     mounting=[], gcr=[])
    extra = [c for c in raw.columns if c not in table.columns and c not in NUMERIC and c not in
             ("geometry", "surface_azimuth", "category", "surface_type", "site_id", "surface_id", "name", "district")]
    for c in extra:
        table[c] = raw[c][keep].to_numpy()
    clean = gpd.GeoDataFrame(table[CLEAN_COLUMNS + extra].reset_index(drop=True),
                             geometry=geom_out, crs="EPSG:4326")
    rej = pd.DataFrame([(source_file, int(source_rows[i]), site[i], _text(col("surface_id")[i]), *reason[i])
                        for i in sorted(reason)], columns=REJECT_COLUMNS)
    return ValidationResult(clean, rej, n)
