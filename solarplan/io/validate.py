"""Validation of an inventory of roofs and carports that loses nothing (pure).

Takes the table as read (canonical column names, values as text or numbers, geometries already
in WGS84) and returns the clean surfaces, the rejected rows and the skipped rows (blank, totals,
sign-off lines). Every input row ends in exactly one of them. It uses the engine of
:mod:`solarplan.io.engine` with the inventory schema :data:`INVENTORY`, in time linear in the rows.

Validation only validates: usable area and capacity are added in the PV layer
(:func:`solarplan.pv.capacity.usable_area_and_capacity`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from solarplan.core import geodatum
from solarplan.core import geometry as geo
from solarplan.core.errors import InputError
from solarplan.core.defaults import SURFACE_TYPES
from solarplan.io import gazetteer, siteids
from solarplan.io.config import PlanConfig
from solarplan.io.engine import (SKIP_COLUMNS, Field, Rejects, Schema, numbers, skip_kinds, skipped_frame,
                                 summary_line, texts, words)
from solarplan.io.siteids import site_id_from_name  # noqa: F401  (public name, kept here)
from solarplan.io.vocab import HEADER_ALIASES, parse_azimuth, parse_category, parse_surface_type

_KINDS = {  # column: (kind, dimension, lo, hi, lo_inclusive); lat/lon ranges are checked after the swap test
    "lat": ("coord", None, -np.inf, np.inf, True), "lon": ("coord", None, -np.inf, np.inf, True),
    "area_m2": ("number", "area", 0.0, 1e6, False), "surface_tilt": ("number", None, 0.0, 90.0, True),
    "usable_fraction": ("number", None, 0.0, 1.0, False), "capacity_kwp": ("number", "power", 0.0, 1e6, False),
    "annual_load_kwh": ("number", "energy", 0.0, 1e10, True),
    "tariff_cny_per_kwh": ("number", "tariff", 0.0, 10.0, False),
    "floor_area_m2": ("number", "area", 0.0, 1e7, False), "occupants": ("number", None, 0.0, 1e6, True),
    "investment_cny": ("number", "money", 0.0, 1e11, True),
}
for _c in HEADER_ALIASES:
    if _c.startswith("area_m2@"):
        _KINDS[_c] = _KINDS["area_m2"]

#: Optional columns with a default: what a blank cell, or one that is not a value (待定), falls back to.
_FALLBACK = {
    "tariff_cny_per_kwh": "the [economics] default_tariff_cny_per_kwh",
    "usable_fraction": "the surface type's default", "surface_tilt": "the surface type's default",
    "surface_azimuth": "the surface type's default", "capacity_kwp": "usable area x the surface type's power density",
}
#: The inventory schema: canonical columns, header spellings, kinds and accepted ranges.
INVENTORY = Schema("inventory", {
    c: Field(c, *(_KINDS[c][:1]), aliases=a, dimension=_KINDS[c][1], lo=_KINDS[c][2], hi=_KINDS[c][3],
             lo_inclusive=_KINDS[c][4], fallback=_FALLBACK.get(c, "")) if c in _KINDS else Field(c, "text", aliases=a)
    for c, a in HEADER_ALIASES.items()})
NUMERIC = {c: _KINDS[c][2:] for c in _KINDS}
#: Area columns by surface type (a wide register: one surface per non-empty column).
TYPED_AREAS = {c: c.split("@", 1)[1] for c in HEADER_ALIASES if c.startswith("area_m2@")}
REJECT_COLUMNS = ["source_file", "source_row", "site_id", "surface_id", "column", "value", "reason"]
#: Coordinate systems accepted for lat/lon columns (``--coords``): name -> converter to WGS84.
COORDS = {
    "wgs84": None,
    # CGCS2000 and WGS84 agree to a few centimetres (ITRF-based realisations), far below what a
    # register's coordinates resolve; no conversion is applied.
    "cgcs2000": None,
    "gcj02": geodatum.gcj02_to_wgs84,
    "bd09": geodatum.bd09_to_wgs84,
}

#: Columns of the clean inventory, in order (user columns follow). ``defaulted``: what the reader left to a
#: default (``site_id`` made from the name; an optional cell that is not a value), ``;``-joined. The PV layer
#: adds usable_area_m2, power_density_w_m2, capacity_source, mounting, orientation_source and gcr, and
#: its own defaults to ``defaulted`` (moved after gcr).
CLEAN_COLUMNS = [
    "site_id", "surface_id", "name", "category", "surface_type", "district", "address", "lon", "lat",
    "location_source", "location_precision_km", "gross_area_m2", "usable_fraction", "capacity_kwp",
    "surface_tilt", "surface_azimuth", "long_axis_bearing", "long_side_m", "short_side_m",
    "annual_load_kwh", "tariff_cny_per_kwh", "floor_area_m2", "occupants", "approximate", "notes", "source_row",
    "defaulted",
]


@dataclass(frozen=True)
class ValidationResult:
    """Clean surfaces, rejected rows, skipped rows and the input count.

    Attributes
    ----------
    clean : GeoDataFrame
        One row per accepted surface, columns :data:`CLEAN_COLUMNS` plus user columns, geometry
        in WGS84 (the polygon, or the point for rows given as lat/lon + area). A wide register row
        (roof and carport areas) gives one surface per non-empty area column, all with the row's
        ``source_row``.
    rejects : DataFrame
        Columns :data:`REJECT_COLUMNS`; one row per rejected input row.
    n_input : int
        Rows read below the header.
    skipped : DataFrame
        Columns :data:`solarplan.io.engine.SKIP_COLUMNS`: blank rows, totals and sign-off lines.
    messages : tuple of str
        What the reader did that the user should know (sheet and header row found, ids made from
        names, coordinates converted, sites placed at district centroids).
    """

    clean: gpd.GeoDataFrame
    rejects: pd.DataFrame
    n_input: int
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SKIP_COLUMNS))
    messages: tuple[str, ...] = ()

    @property
    def n_clean_rows(self) -> int:
        """Input rows that gave at least one clean surface."""
        return int(self.clean["source_row"].nunique()) if len(self.clean) else 0

    def summary(self) -> str:
        n_ok = len(self.clean)
        area = self.clean["gross_area_m2"].sum() if n_ok else 0.0
        cap = ""
        if n_ok and "capacity_source" in self.clean.columns:
            cap = f", {self.clean['capacity_kwp'].sum() / 1e3:,.2f} MWp"
        return (f"{summary_line(self.n_input, self.n_clean_rows, len(self.rejects), self.skipped)}; "
                f"{n_ok} surfaces in {self.clean['site_id'].nunique() if n_ok else 0} sites, "
                f"{area:,.0f} m2 gross{cap}")


def validate(raw: pd.DataFrame, geoms: pd.Series | None, source_rows: pd.Series, source_file: str,
             config: PlanConfig, require_china: bool = True, row_label: str = "row",
             factors: Mapping[str, float] | None = None,
             geocode: Callable[[list[str]], pd.DataFrame] | None = None) -> ValidationResult:
    """Validate an inventory table.

    Parameters
    ----------
    raw : DataFrame
        Canonical column names (see :data:`INVENTORY`); other columns are carried through.
    geoms : Series of shapely geometries in WGS84, or None
    source_rows : Series of int
        The row number of each record in its file (shown in messages).
    source_file : str
    config : PlanConfig
        ``config.inventory.coords`` names the system of lat/lon columns (:data:`COORDS`).
    require_china : bool
        Reject rows outside China's bounding box (the embedded weather covers China only).
    row_label : str
        How the file counts rows (``line``, ``row``, ``sheet '登记表' row`` or ``feature``).
    factors : mapping, optional
        Base units per unit written in a column's header (``年用电量（万千瓦时）`` -> 1e4).
    geocode : callable, optional
        Online geocoder (:mod:`solarplan.io.geocode`) tried before the shipped gazetteer for rows
        with an address and no coordinates; returns ``lon, lat`` (WGS84, NaN where not found).
    """
    raw = raw.reset_index(drop=True)
    source_rows = np.asarray(source_rows)
    geoms_all = np.full(len(raw), None, dtype=object) if geoms is None else np.asarray(geoms, dtype=object)
    kinds = skip_kinds(raw.drop(columns=[c for c in ("geometry",) if c in raw.columns]),
                       ("name", "site_id", "row_no", "district"))
    skipped = skipped_frame(kinds, raw, source_rows, source_file)
    keep_rows = kinds == ""
    if geoms is not None:  # a GIS feature with a geometry is a record even when its attributes are blank
        has = np.array([g is not None for g in geoms_all])
        keep_rows |= has & (kinds == "blank")
        skipped = skipped[~np.isin(skipped["source_row"], source_rows[has & (kinds == "blank")])]
    raw, rows, geoms_in = raw[keep_rows].reset_index(drop=True), source_rows[keep_rows], geoms_all[keep_rows]
    n = len(raw)
    rej = Rejects(rows, row_label)
    notes: list[list[str]] = [[] for _ in range(n)]
    messages: list[str] = []
    factors = dict(factors or {})
    blank = pd.Series([""] * n, dtype=object)
    col = {c: raw[c] for c in raw.columns if c in INVENTORY.fields}
    get = lambda c: col.get(c, blank)  # noqa: E731

    name = texts(get("name"))
    if "site_id" not in col and "name" not in col:
        raise InputError(f"{source_file}: required column site_id is missing, and there is no unit name "
                         f"(单位名称) to make ids from; accepted headers: {', '.join(HEADER_ALIASES['site_id'])}")
    defaulted: list[list[str]] = [[] for _ in range(n)]
    address, district = texts(get("address")), texts(get("district"))
    ids = siteids.unit_ids(texts(get("site_id")), name, district, address)
    site = pd.Series(ids.site, dtype=object)
    for i in np.flatnonzero(ids.source == ""):
        rej.add(i, "site_id", "", "site_id (单位编号) and the unit name (单位名称) are both empty; give either "
                "(an id is made from the name and 区县 when the 编号 cell is blank)")
    made, linked = ids.source == "generated", ids.source == "same_unit"
    for i in np.flatnonzero(made | linked):
        defaulted[i].append("site_id")
    for i in np.flatnonzero(linked):
        notes[i].append(f"site_id blank: {site[i]}, the id the other rows of this unit (same name and county) carry")
    if made.any():
        what = "no site_id column" if "site_id" not in col else f"{int(made.sum())} rows with a blank site_id"
        by = " and their county (区县 column, else the address)" if (ids.place[made] != "").any() else ""
        messages.append(f"{what}: site ids made from the unit names{by} (N + 12 hex of SHA-1, stable across "
                        "runs; one name in two counties gives two sites); add an 编号 column to choose your own")
    if linked.any():
        messages.append(f"{int(linked.sum())} rows with a blank site_id took the id the other rows of their "
                        "unit (same name and county) carry")

    nums = {}
    for c in _KINDS:
        if c in col:
            nums[c] = numbers(col[c], INVENTORY.fields[c], rej, notes, factors.get(c, 1.0),
                              percent_ok=(c == "usable_fraction"), defaulted=defaulted)
        else:
            nums[c] = np.full(n, np.nan)
    categories = words(get("category"), parse_category, "category", rej, notes, "other", "category missing: other")
    stypes = words(get("surface_type"), parse_surface_type, "surface_type", rej, notes, "flat_roof",
                   "surface_type missing: flat_roof assumed")
    conv = config.inventory.azimuth_convention
    azimuths = np.array(words(get("surface_azimuth"), lambda w: parse_azimuth(_maybe_number(w), conv),
                              "surface_azimuth", rej, notes, np.nan, fallback=_FALLBACK["surface_azimuth"],
                              defaulted=defaulted), dtype=float)
    unread = pd.Series([d for x in defaulted for d in x if d != "site_id"]).value_counts()
    if len(unread):
        messages.append("cells that are not values in optional columns (待定, 不详 ...) read as blank, the default "
                        "used (named in notes and defaulted): " + ", ".join(f"{c} {k}" for c, k in unread.items()))

    # coordinates as given: convert picker datums to WGS84
    lat_in, lon_in = nums["lat"], nums["lon"]
    system = getattr(config.inventory, "coords", "wgs84") or "wgs84"
    if system not in COORDS:
        raise InputError(f"unknown coordinate system {system!r}; valid: {', '.join(COORDS)}")
    given = np.isfinite(lat_in) & np.isfinite(lon_in)
    if COORDS[system] is not None and given.any():
        la, lo = COORDS[system](lat_in[given], lon_in[given])
        lat_in, lon_in = lat_in.copy(), lon_in.copy()
        lat_in[given], lon_in[given] = la, lo
        messages.append(f"lat/lon read as {system.upper()} and converted to WGS84")

    # geometry, or point + area
    metrics = pd.DataFrame(np.nan, index=raw.index, columns=["area_m2", "long_axis_bearing", "long_side_m",
                                                            "short_side_m", "lon", "lat"])
    fixed = np.full(n, None, dtype=object)
    has_geom = np.array([g is not None for g in geoms_in], dtype=bool)
    for i in np.flatnonzero(has_geom):
        g0 = geoms_in[i]
        if isinstance(g0, str):
            rej.add(i, "geometry", g0[:60], "geometry is not valid WKT (e.g. POLYGON ((lon lat, ...)))")
            continue
        g, note = geo.repair(g0)
        if g is None:
            rej.add(i, "geometry", "", note)
            continue
        if note:
            notes[i].append(note)
        b = g.bounds
        if not (-180 <= b[0] and b[2] <= 180 and -90 <= b[1] and b[3] <= 90):
            rej.add(i, "geometry", f"{b[0]:.0f},{b[1]:.0f}", "coordinates are not longitude/latitude degrees "
                    "(projected metres without a CRS, or a CRS mix-up); give WGS84 or a file with its CRS")
            continue
        fixed[i] = g
    ok_geom = np.array([g is not None for g in fixed], dtype=bool)
    if ok_geom.any():
        m = geo.projected_metrics(pd.Series(fixed[ok_geom], index=np.flatnonzero(ok_geom)))
        cols = m.columns.intersection(metrics.columns)
        metrics.loc[m.index, cols] = m[cols]
    lon = np.where(ok_geom, metrics["lon"], lon_in)
    lat = np.where(ok_geom, metrics["lat"], lat_in)
    loc_source = np.where(ok_geom, "geometry", np.where(np.isfinite(lat) & np.isfinite(lon), "coordinates", "")).astype(object)
    precision = np.where(ok_geom | (loc_source == "coordinates"), 0.0, np.nan)

    # rows with neither: an address or a district places them (online geocoder, then the gazetteer)
    need = ~has_geom & ~(np.isfinite(lat_in) & np.isfinite(lon_in)) & ~rej.mask(n)
    where_text = np.array([" ".join(t for t in (a, d) if t) for a, d in zip(address, district)], dtype=object)
    todo = np.flatnonzero(need & (where_text != ""))
    if len(todo):
        found = np.zeros(len(todo), bool)
        if geocode is not None:
            g = geocode(list(address[todo].where(address[todo] != "", where_text[todo])))
            hit = np.isfinite(g["lat"].to_numpy(float))
            lon[todo[hit]], lat[todo[hit]] = g["lon"].to_numpy(float)[hit], g["lat"].to_numpy(float)[hit]
            loc_source[todo[hit]], precision[todo[hit]] = "geocoder", g["precision_km"].to_numpy(float)[hit]
            found |= hit
        rest = todo[~found]
        if len(rest):
            gz = gazetteer.locate(list(where_text[rest]))
            hit = gz["adcode"].notna().to_numpy()
            lon[rest[hit]], lat[rest[hit]] = gz["lon"].to_numpy(float)[hit], gz["lat"].to_numpy(float)[hit]
            loc_source[rest[hit]] = "district_centroid"
            precision[rest[hit]] = gz["precision_km"].to_numpy(float)[hit]
            for k in np.flatnonzero(hit):
                i = rest[k]
                notes[i].append(f"placed at the centre of {gz['place'].iat[k]} (adcode {gz['adcode'].iat[k]}), "
                                f"about ±{gz['precision_km'].iat[k]:.0f} km")
                if not district[i]:
                    district[i] = gz["district"].iat[k]
            for k in np.flatnonzero(~hit):
                rej.add(rest[k], "address", where_text[rest[k]], "no coordinates, and the address names no "
                        "province, city or county of the gazetteer; give lat/lon or a fuller address "
                        "(湖北省十堰市竹山县…)")
        n_gz = int((loc_source == "district_centroid").sum())
        if n_gz:
            messages.append(f"{n_gz} rows had no coordinates: placed at their county/district centroid "
                            "(location_source = district_centroid); good for weather, approximate on maps")

    # surfaces: the row's own area (or polygon) and one per non-empty typed area column
    typed = [c for c in TYPED_AREAS if c in col]
    any_area = np.isfinite(nums["area_m2"]) | ok_geom
    for c in typed:
        any_area |= np.isfinite(nums[c])
    for i in range(n):
        if i in rej:
            continue
        if has_geom[i]:
            if ok_geom[i] and metrics["area_m2"].iat[i] <= 0:
                rej.add(i, "geometry", "", "polygon has zero area")
            elif ok_geom[i] and np.isfinite(nums["area_m2"][i]) and \
                    abs(nums["area_m2"][i] / metrics["area_m2"].iat[i] - 1) > 0.1:
                notes[i].append(f"area_m2 {nums['area_m2'][i]:.0f} differs from polygon area "
                                f"{metrics['area_m2'].iat[i]:.0f} by >10 %; polygon used")
            continue
        if not (np.isfinite(lat[i]) and np.isfinite(lon[i])):
            rej.add(i, "lat" if not np.isfinite(lat[i]) else "lon", "",
                    "no geometry and no lat/lon; give a polygon, lat and lon (WGS84), or an address")
        elif not any_area[i]:
            rej.add(i, "area_m2", "", "area_m2 is missing (needed when no polygon is given)")
    swapped = geo.looks_swapped(lon, lat)
    for i in np.flatnonzero(swapped):
        rej.add(i, "lat", f"{lat[i]:.4f}", f"lat/lon look swapped (lat={lat[i]:.4f}, lon={lon[i]:.4f}); "
                "China spans lon 73-135, lat 18-54: exchange the two columns")
    with np.errstate(invalid="ignore"):
        bad_range = ~swapped & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    for i in np.flatnonzero(bad_range):
        rej.add(i, "lat" if abs(lat[i]) > 90 else "lon", f"{lat[i]:g},{lon[i]:g}",
                "lat must be in [-90, 90] and lon in [-180, 180] degrees (WGS84)")
    if require_china:
        with np.errstate(invalid="ignore"):
            outside = ~geo.in_china(lon, lat) & np.isfinite(lon) & np.isfinite(lat)
        for i in np.flatnonzero(outside & ~swapped):
            rej.add(i, "lon", f"{lon[i]:.4f}", f"location ({lon[i]:.4f}, {lat[i]:.4f}) is outside China "
                    "(lon 73-135, lat 18-54); the embedded weather covers China only: give a weather file")

    # rows under one generated id that lie far apart: the same name in two places?
    far = siteids.far_apart(site, lat, lon, precision, made & ~rej.mask(n))
    far_note = {s_id: f"site {s_id}: {row_label}s {rows[a]} and {rows[b]} of {name[a]!r} lie {km:.0f} km apart; "
                      "two units of one name? give them 单位编号 or a 区县 column"
                for s_id, km, a, b in far.itertuples(index=False)}
    if far_note:
        for i in np.flatnonzero(made):
            if site[i] in far_note:
                notes[i].append(far_note[site[i]])
    if len(far):
        shown = "; ".join(f"{s_id} {name[a]!r} {row_label}s {rows[a]} and {rows[b]} {km:.0f} km apart"
                          for s_id, km, a, b in far.head(5).itertuples(index=False))
        messages.append(f"WARNING: {len(far)} generated site id(s) join rows more than {siteids.FAR_APART_KM:g} km "
                        f"apart (one name in two places?): {shown}{' ...' if len(far) > 5 else ''}; kept as one "
                        "site each: give those rows a 单位编号 or a 区县 column to separate them")

    # expand to surfaces: (row, surface type override or None, area)
    surf_row, surf_type, surf_area, surf_suffix = [], [], [], []
    base_area = np.where(ok_geom, metrics["area_m2"].to_numpy(float), nums["area_m2"])
    for i in range(n):
        if i in rej:
            continue
        if ok_geom[i] or np.isfinite(base_area[i]):
            surf_row.append(i), surf_type.append(stypes[i]), surf_area.append(base_area[i]), surf_suffix.append("")
        for c in typed:
            if np.isfinite(nums[c][i]):
                t = TYPED_AREAS[c]
                surf_row.append(i), surf_type.append(t), surf_area.append(nums[c][i]), surf_suffix.append(t)
    surf_row = np.asarray(surf_row, dtype=int)

    # surface ids: explicit ones first, then generated site_id-n skipping taken ids
    sid_in = texts(get("surface_id"))
    seen: dict[str, int] = {}
    sids = [""] * len(surf_row)
    for k, i in enumerate(surf_row):
        if sid_in[i]:
            s = sid_in[i] + (f"-{surf_suffix[k]}" if surf_suffix[k] else "")
            if s in seen and surf_row[seen[s]] != i:
                rej.add(i, "surface_id", sid_in[i], f"duplicate surface_id {sid_in[i]!r}, first used at "
                        f"{row_label} {rows[surf_row[seen[s]]]}")
            else:
                seen[s] = k
                sids[k] = s
    counter: dict[str, int] = {}
    for k, i in enumerate(surf_row):
        if sids[k] or i in rej:
            continue
        j = counter.get(site[i], 0)
        while True:
            j += 1
            cand = f"{site[i]}-{j}"
            if cand not in seen:
                break
        counter[site[i]] = j
        sids[k], seen[cand] = cand, k
    alive = np.array([i not in rej for i in surf_row], dtype=bool)
    surf_row, sids = surf_row[alive], [s for s, a in zip(sids, alive) if a]
    surf_type = [t for t, a in zip(surf_type, alive) if a]
    surf_area = np.asarray(surf_area, float)[alive] if len(alive) else np.array([], float)
    own = np.array([sfx == "" for sfx, a in zip(surf_suffix, alive) if a], dtype=bool)

    pick = lambda a: np.asarray(a)[surf_row] if len(surf_row) else np.asarray(a)[:0]  # noqa: E731
    own_only = lambda a: np.where(own, pick(a), np.nan)  # noqa: E731  (capacity/tilt/azimuth of the row's own surface)
    approx = np.array([any("approximate" in t for t in x) for x in notes], dtype=bool)
    table = pd.DataFrame({
        "site_id": pick(site), "surface_id": sids, "name": pick(name), "category": pick(np.array(categories, object)),
        "surface_type": surf_type, "district": pick(district), "address": pick(address),
        "lon": pick(lon), "lat": pick(lat), "location_source": pick(loc_source),
        "location_precision_km": pick(precision), "gross_area_m2": surf_area,
        "usable_fraction": pick(nums["usable_fraction"]), "capacity_kwp": own_only(nums["capacity_kwp"]),
        "surface_tilt": own_only(nums["surface_tilt"]), "surface_azimuth": own_only(azimuths),
        "long_axis_bearing": own_only(metrics["long_axis_bearing"]), "long_side_m": own_only(metrics["long_side_m"]),
        "short_side_m": own_only(metrics["short_side_m"]),
        "annual_load_kwh": np.where(own, pick(nums["annual_load_kwh"]), np.nan),
        "tariff_cny_per_kwh": pick(nums["tariff_cny_per_kwh"]), "floor_area_m2": own_only(nums["floor_area_m2"]),
        "occupants": own_only(nums["occupants"]), "approximate": pick(approx),
        "notes": pick(np.array(["; ".join(x) for x in notes], dtype=object)), "source_row": pick(rows),
        "defaulted": pick(np.array([";".join(dict.fromkeys(x)) for x in defaulted], dtype=object)),
    })
    bad_types = sorted(set(surf_type) - set(SURFACE_TYPES) - {None})
    assert not bad_types, bad_types
    geom_out = [fixed[i] if (ok_geom[i] and o) else shapely.Point(lon[i], lat[i]) for i, o in zip(surf_row, own)]
    extra = [c for c in raw.columns if c not in table.columns and c not in _KINDS and c not in
             ("geometry", "surface_azimuth", "category", "surface_type", "site_id", "surface_id", "name",
              "district", "address")]
    # user columns carried through in one block (one insertion per column is quadratic in columns)
    carried = pd.DataFrame(raw[extra].to_numpy(dtype=object)[surf_row] if len(surf_row) else
                           np.empty((0, len(extra)), dtype=object), columns=extra)
    table = pd.concat([table[CLEAN_COLUMNS].reset_index(drop=True), carried], axis=1)
    clean = gpd.GeoDataFrame(table, geometry=geom_out, crs="EPSG:4326")
    rej_rows = sorted(rej.reason)
    rejects = pd.DataFrame([(source_file, int(rows[i]), site[i], sid_in[i], *rej.reason[i]) for i in rej_rows],
                           columns=REJECT_COLUMNS)
    return ValidationResult(clean, rejects, len(source_rows), skipped, tuple(messages))


def _maybe_number(w: str):
    try:
        return float(w)
    except ValueError:
        return w
