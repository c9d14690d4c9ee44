"""Read an inventory of roofs and carports from the files planners keep.

Formats: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16 with BOM; comma, tab
or semicolon), XLSX, GeoJSON, GeoPackage and Shapefile. CSV and XLSX may carry
polygons as WKT in a ``geometry`` (``wkt``) column, or points as ``lat``/``lon``
with ``area_m2``. The result is validated by :func:`solarplan.io.validate.validate`.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from solarplan.io.config import PlanConfig, load_config
from solarplan.core.errors import InputError
from solarplan.io.validate import ValidationResult, validate
from solarplan.io.vocab import HEADER_ALIASES, canonical_header

TABLE_EXT = {".csv", ".txt", ".tsv"}
EXCEL_EXT = {".xlsx", ".xlsm"}
GEO_EXT = {".geojson", ".json", ".gpkg", ".shp", ".zip"}


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data:
        raise InputError(f"{path}: wrong encoding: the file contains NUL bytes (UTF-16 without a byte-order mark, "
                         "or not a text file); save it as CSV UTF-8 or GBK")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path}: wrong encoding: neither UTF-8 nor GBK/GB18030; save it as CSV UTF-8")


def _read_csv(path: Path) -> tuple[pd.DataFrame, str]:
    data = path.read_bytes()
    text, enc = _decode(data, path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty; an inventory needs a header row and one row per surface")
    first = text.splitlines()[0]
    sep = max(",\t;", key=first.count) if any(c in first for c in ",\t;") else ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=True)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputError(f"{path}: cannot be read as CSV ({exc})") from None
    return df, enc


def _canonicalise(df: pd.DataFrame, path: Path, config: PlanConfig) -> pd.DataFrame:
    user = {str(k).strip(): v for k, v in config.inventory.column_map.items()}
    valid = set(HEADER_ALIASES)
    bad = sorted(v for v in user.values() if v not in valid)
    if bad:
        raise InputError(f"column_map maps to unknown column(s) {bad}; valid: {', '.join(sorted(valid))}")
    rename, taken = {}, {}
    for c in df.columns:
        canon = user.get(str(c).strip()) or canonical_header(str(c))
        if canon is None:
            continue
        if canon in taken:
            raise InputError(f"{path}: columns {taken[canon]!r} and {c!r} both mean {canon!r}; keep one "
                             "(or map one elsewhere in [inventory] column_map)")
        taken[canon] = c
        rename[c] = canon
    return df.rename(columns=rename)


def _wkt(values: pd.Series) -> pd.Series:
    out = []
    for v in values:
        t = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
        if not t:
            out.append(None)
            continue
        try:
            out.append(shapely.from_wkt(t))
        except shapely.errors.ShapelyError:
            out.append(t)  # validate() rejects text it was handed instead of a geometry
    return pd.Series(out, index=values.index, dtype=object)


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes)")


def read_rows(path: str | Path):
    """Read a CSV (UTF-8, GBK, UTF-16 with BOM) or XLSX table as text cells.

    Returns (table, row numbers as the user sees them, row label, note). Used for
    inventories and for the retrofit buildings table.
    """
    path = Path(path)
    _check_exists(path)
    ext = path.suffix.lower()
    note = ""
    if ext in TABLE_EXT:
        df, enc = _read_csv(path)
        rows, label, note = pd.Series(np.arange(len(df)) + 2), "line", f"encoding {enc}"
    elif ext in EXCEL_EXT:
        try:
            df = pd.read_excel(path, dtype=object, sheet_name=0)
        except Exception as exc:  # openpyxl raises many types for corrupt files
            raise InputError(f"{path}: cannot be read as XLSX ({exc})") from None
        df = df.dropna(how="all")
        rows, label = pd.Series(df.index.to_numpy() + 2), "row"
    elif ext == ".xls":
        raise InputError(f"{path}: old .xls files are not read; save it as .xlsx or CSV UTF-8")
    else:
        raise InputError(f"{path}: unknown file type {ext!r}; accepted: CSV or XLSX")
    if len(df) == 0:
        raise InputError(f"{path}: has a header but no data rows")
    return df.reset_index(drop=True), rows.reset_index(drop=True), label, note


def read_table(path: str | Path, config: PlanConfig | None = None):
    """Read a file into (canonical table, WGS84 geometries or None, row numbers, row label, crs note).

    Raises
    ------
    InputError
        For files that cannot be read at all: missing, 0 bytes, wrong
        encoding, header only, no usable columns, unknown CRS.
    """
    config = config or load_config(None)
    path = Path(path)
    ext = path.suffix.lower()
    geoms, note = None, ""
    if ext in GEO_EXT:
        _check_exists(path)
        try:
            gdf = pyogrio.read_dataframe(path)
        except Exception as exc:
            raise InputError(f"{path}: cannot be read as {ext[1:].upper()} ({exc})") from None
        gdf, note = _to_wgs84(gdf, path)
        df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        geoms = pd.Series(list(gdf.geometry), dtype=object)
        rows, label = pd.Series(np.arange(len(df)) + 1), "feature"
    elif ext in TABLE_EXT | EXCEL_EXT | {".xls"}:
        df, rows, label, note = read_rows(path)
    else:
        raise InputError(f"{path}: unknown file type {ext!r}; accepted: CSV, XLSX, GeoJSON, GPKG, Shapefile")
    if len(df) == 0:
        raise InputError(f"{path}: has a header but no data rows")
    df = _canonicalise(df.reset_index(drop=True), path, config)
    if geoms is None and "geometry" in df.columns:
        geoms = _wkt(df.pop("geometry"))
        if all(g is None for g in geoms):
            geoms = None
    if "site_id" not in df.columns:
        raise InputError(f"{path}: required column site_id is missing; accepted headers: "
                         f"{', '.join(HEADER_ALIASES['site_id'])} (or map yours in [inventory] column_map). "
                         f"Found: {', '.join(map(str, df.columns))}")
    if geoms is None and not {"lat", "lon", "area_m2"} <= set(df.columns):
        missing = sorted({"lat", "lon", "area_m2"} - set(df.columns))
        raise InputError(f"{path}: no geometry, and column(s) {', '.join(missing)} missing; give polygons "
                         "(GeoJSON/GPKG/Shapefile or a WKT 'geometry' column) or lat, lon and area_m2")
    return df, geoms, rows, label, note


def _to_wgs84(gdf: gpd.GeoDataFrame, path: Path) -> tuple[gpd.GeoDataFrame, str]:
    if gdf.crs is None:
        b = gdf.total_bounds
        if np.all(np.isfinite(b)) and -180 <= b[0] and b[2] <= 180 and -90 <= b[1] and b[3] <= 90:
            return gdf.set_crs(4326), "no CRS in file: coordinates fit degrees, WGS84 assumed"
        raise InputError(f"{path}: the file has no CRS and its coordinates ({b[0]:.0f}, {b[1]:.0f}) are not "
                         "degrees; add the .prj file or re-export with a CRS (e.g. EPSG:4490 CGCS2000)")
    if gdf.crs.to_epsg() == 4326:
        return gdf, "CRS EPSG:4326"
    return gdf.to_crs(4326), f"reprojected from {gdf.crs.to_string()}"


def read_inventory(path: str | Path, config: PlanConfig | None = None,
                   require_china: bool | None = None) -> ValidationResult:
    """Read and validate an inventory file.

    Parameters
    ----------
    path : path to CSV, XLSX, GeoJSON, GPKG or Shapefile
    config : PlanConfig, optional
    require_china : bool, optional
        Reject locations outside China; defaults to the config's value or
        True (no weather file given).

    Returns
    -------
    ValidationResult
    """
    config = config or load_config(None)
    df, geoms, rows, label, _ = read_table(path, config)
    if require_china is None:
        require_china = True if config.inventory.require_china is None else bool(config.inventory.require_china)
    return validate(df, geoms, rows, str(path), config, require_china=require_china, row_label=label)
