"""Geometry in projected coordinates: areas, long axes, setbacks.

Areas and lengths are always computed in a UTM zone chosen per feature
(pvlib/geopandas' ``estimate_utm_crs`` logic applied zone by zone, so a
province spanning two zones stays accurate), never in degrees.

References
----------
.. [1] Snyder, J. P. (1987). Map Projections - A Working Manual. USGS
   Professional Paper 1395 (UTM scale error < 0.1 % within a zone).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

#: Bounding box of China used for sanity checks [degrees] (DOMAIN.md).
CHINA_LON = (73.0, 135.0)
CHINA_LAT = (18.0, 54.0)


def in_china(lon, lat) -> np.ndarray:
    """True where (lon, lat) lies inside China's bounding box."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    return (lon >= CHINA_LON[0]) & (lon <= CHINA_LON[1]) & (lat >= CHINA_LAT[0]) & (lat <= CHINA_LAT[1])


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance [km] on a sphere of radius 6371.0 km (haversine formula; the earth's mean radius,
    within 0.3 % of the WGS84 ellipsoid's distances: enough for station, county and campus distances)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def looks_swapped(lon, lat) -> np.ndarray:
    """True where the pair only makes sense in China with lat and lon exchanged."""
    return ~in_china(lon, lat) & in_china(lat, lon)


def utm_epsg(lon, lat) -> np.ndarray:
    """EPSG code of the WGS84 UTM zone containing each point."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    zone = np.clip(np.floor((lon + 180.0) / 6.0).astype(int) + 1, 1, 60)
    return np.where(lat >= 0, 32600, 32700) + zone


def projected_metrics(geoms_wgs84: pd.Series) -> pd.DataFrame:
    """Area, long-axis bearing and centroid of WGS84 polygons, measured in UTM.

    Parameters
    ----------
    geoms_wgs84 : Series of shapely geometries
        Polygons in WGS84 longitude/latitude [degrees].

    Returns
    -------
    DataFrame
        Same index; columns ``area_m2`` [m2], ``long_axis_bearing`` [degrees
        from true north, 0-180], ``long_side_m`` and ``short_side_m`` [m] of
        the minimum rotated rectangle, ``lon``, ``lat`` of the centroid
        [degrees] and ``utm_epsg``.
    """
    geoms = np.asarray(geoms_wgs84, dtype=object)
    out = pd.DataFrame(index=geoms_wgs84.index, columns=["area_m2", "long_axis_bearing", "long_side_m",
                                                         "short_side_m", "lon", "lat", "utm_epsg"], dtype=float)
    if len(geoms) == 0:
        return out
    rough = shapely.centroid(geoms)
    lon0, lat0 = shapely.get_x(rough), shapely.get_y(rough)
    epsg = utm_epsg(lon0, lat0)
    for code in np.unique(epsg):
        sel = epsg == code
        fwd = pyproj.Transformer.from_crs(4326, int(code), always_xy=True)
        inv = pyproj.Transformer.from_crs(int(code), 4326, always_xy=True)
        proj = shapely.transform(geoms[sel], lambda xy, f=fwd: np.column_stack(f.transform(xy[:, 0], xy[:, 1])))
        cen = shapely.centroid(proj)
        clon, clat = inv.transform(shapely.get_x(cen), shapely.get_y(cen))
        bearing, long_side, short_side = _long_axis(proj)
        conv = pyproj.Proj(int(code)).get_factors(clon, clat).meridian_convergence
        idx = geoms_wgs84.index[sel]
        out.loc[idx, "area_m2"] = shapely.area(proj)
        # grid bearing -> true bearing: add the meridian convergence
        out.loc[idx, "long_axis_bearing"] = np.mod(bearing + np.asarray(conv), 180.0)
        out.loc[idx, "long_side_m"] = long_side
        out.loc[idx, "short_side_m"] = short_side
        out.loc[idx, "lon"] = clon
        out.loc[idx, "lat"] = clat
        out.loc[idx, "utm_epsg"] = float(code)
    return out


def _long_axis(projected: np.ndarray):
    """Bearing [deg, 0-180 from grid north] and sides of the minimum rotated rectangles."""
    rects = shapely.minimum_rotated_rectangle(projected)
    bearing = np.full(len(rects), np.nan)
    long_side = np.zeros(len(rects))
    short_side = np.zeros(len(rects))
    for i, rect in enumerate(rects):
        if rect is None or rect.is_empty or rect.geom_type != "Polygon":
            continue
        xy = np.asarray(rect.exterior.coords)[:3]
        d1, d2 = xy[1] - xy[0], xy[2] - xy[1]
        l1, l2 = np.hypot(*d1), np.hypot(*d2)
        d = d1 if l1 >= l2 else d2
        long_side[i], short_side[i] = max(l1, l2), min(l1, l2)
        bearing[i] = np.degrees(np.arctan2(d[0], d[1])) % 180.0
    return bearing, long_side, short_side


def facing_azimuth(long_axis_bearing) -> np.ndarray:
    """Azimuth of the long side's normal that faces closest to south.

    A pitched roof, metal roof or carport canopy slopes across its long axis;
    of the two normals, the one nearer to 180 deg (south) is taken.

    Parameters
    ----------
    long_axis_bearing : array-like
        Bearing of the long axis [degrees from north, 0-180].

    Returns
    -------
    ndarray
        Azimuth [degrees, pvlib convention] in (90, 270].
    """
    # the two normals are b + 90 and b + 270; for b in [0, 180) the first lies
    # between east and west through south
    return np.mod(np.asarray(long_axis_bearing, float), 180.0) + 90.0


def area_inside_setback(area_m2, long_side_m, short_side_m, setback_m) -> np.ndarray:
    """Area left after keeping a clearance along every edge [m2].

    The surface is treated as its minimum rotated rectangle scaled to the true
    area, so the result is exact for rectangles and a close estimate for
    compact shapes; where no geometry is known (``long_side_m`` = 0) a square
    of the same area is assumed (estimate).
    """
    area = np.asarray(area_m2, float)
    long_side = np.asarray(long_side_m, float)
    short_side = np.asarray(short_side_m, float)
    setback = np.asarray(setback_m, float)
    square = np.sqrt(np.maximum(area, 0.0))
    has_rect = long_side > 0
    ls = np.where(has_rect, long_side, square)
    ss = np.where(has_rect, short_side, square)
    rect_area = ls * ss
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(rect_area > 0, area / rect_area, 1.0)
    inner = np.maximum(ls - 2 * setback, 0.0) * np.maximum(ss - 2 * setback, 0.0)
    return inner * fill


def repair(geom: BaseGeometry) -> tuple[BaseGeometry | None, str]:
    """Make a polygon valid where that is safe.

    Returns
    -------
    (geometry or None, note)
        The repaired polygonal geometry and a note saying what was done, or
        ``None`` with the reason when the result is not a usable polygon.
    """
    if geom is None or geom.is_empty:
        return None, "empty geometry"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None, f"geometry is a {geom.geom_type}; a Polygon or MultiPolygon of the roof or parking area is needed"
    if geom.is_valid:
        return geom, ""
    reason = shapely.is_valid_reason(geom)
    fixed = shapely.make_valid(geom)
    if fixed.geom_type == "GeometryCollection":
        polys = [g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        fixed = shapely.union_all(polys) if polys else None
    if fixed is None or fixed.is_empty or fixed.area <= 0:
        return None, f"invalid polygon ({reason}) could not be repaired"
    return fixed, f"repaired invalid polygon ({reason})"
