"""Read the registers planners keep: CSV, XLSX, GeoJSON, GeoPackage and Shapefile.

Registers as county offices keep them work as they are: an instructions sheet before the data,
title rows and a 填报单位 line above the header, merged header cells, units in the headers,
totals and sign-off lines below the data. The reader finds the sheet and the header row itself
(the row that names the most known columns); ``sheet`` and ``header_row`` override it.

CSV encodings: UTF-8 (with or without BOM), GBK/GB18030 (as WPS and Excel save "CSV"), UTF-16
with BOM. Big5, Shift-JIS and a UTF-8 BOM followed by GBK text are refused by name rather than
read as mojibake. Separators: comma, tab or semicolon.

CSV and XLSX may carry polygons as WKT in a ``geometry`` (``wkt``) column, or points as
``lat``/``lon`` with ``area_m2``, or only an address (湖北省十堰市竹山县…), placed at its county
by the shipped gazetteer. The result is validated by :func:`solarplan.io.validate.validate`.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import shapely

from solarplan.core.errors import InputError
from solarplan.io.config import PlanConfig, load_config
from solarplan.io.engine import HeaderMap, Schema, find_header, map_headers, text
from solarplan.io.validate import INVENTORY, ValidationResult, validate
from solarplan.io.vocab import HEADER_ALIASES

TABLE_EXT = {".csv", ".txt", ".tsv"}
EXCEL_EXT = {".xlsx", ".xlsm"}
GEO_EXT = {".geojson", ".json", ".gpkg", ".shp", ".zip"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .xls, or an encrypted .xlsx
_READ_ONLY_BYTES = 5_000_000  # larger workbooks are streamed (merged cells are then not filled)


@dataclass(frozen=True)
class Register:
    """A table as read: cells below the header, their row numbers and what the reader did.

    Attributes
    ----------
    frame : DataFrame
        Canonical column names where the schema knows the header, the header text otherwise.
    rows : ndarray of int
        Each record's row (XLSX) or first line (CSV) in the file, as the user sees it.
    label : str
        How messages count rows: ``line``, ``sheet '登记表' row`` or ``feature``.
    headers : HeaderMap
    messages : tuple of str
    """

    frame: pd.DataFrame
    rows: np.ndarray
    label: str
    headers: HeaderMap = field(default_factory=lambda: HeaderMap({}, {}, {}))
    messages: tuple[str, ...] = ()


def _cjk_share_gb2312(t: str) -> float:
    cjk = [c for c in t if ord(c) >= 0x2E80]
    if not cjk:
        return 1.0
    ok = 0
    for c in cjk:
        try:
            c.encode("gb2312")
            ok += 1
        except UnicodeEncodeError:
            pass
    return ok / len(cjk)


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text of a CSV and its encoding; other encodings are refused by name."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data:
        raise InputError(f"{path}: wrong encoding: the file contains NUL bytes (UTF-16 without a byte-order mark, "
                         "or not a text file); save it as CSV UTF-8 or GBK")
    fix = "; save it again as CSV UTF-8 (WPS/Excel: 另存为 → CSV UTF-8)"
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            try:
                data[3:].decode("gbk")
            except UnicodeDecodeError:
                raise InputError(f"{path}: wrong encoding: starts with a UTF-8 byte-order mark but is not UTF-8"
                                 + fix) from None
            raise InputError(f"{path}: mixed encoding: a UTF-8 byte-order mark followed by GBK text (the file was "
                             "re-saved by a tool that added the mark)" + fix) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:200_000]
    try:
        gb = data.decode("gb18030")
    except UnicodeDecodeError:
        gb = None
    if gb is not None and _cjk_share_gb2312(gb[:50_000]) >= 0.9:
        return gb, "gb18030"
    for enc, label in (("cp932", "Shift-JIS (Japanese)"), ("big5", "Big5 (traditional Chinese)")):
        try:
            t = sample.decode(enc, errors="strict") if len(sample) == len(data) else \
                sample[:len(sample) - 4].decode(enc, errors="ignore")
        except UnicodeDecodeError:
            continue
        kana = sum(0x3040 <= ord(c) <= 0x30FF for c in t)
        if enc == "cp932" and kana < 0.05 * max(1, sum(ord(c) >= 0x2E80 for c in t)):
            continue  # decodes, but has no kana: not Japanese text
        raise InputError(f"{path}: the file looks {label}-encoded; solarplan reads UTF-8, GBK/GB18030 and "
                         "UTF-16 with BOM" + fix)
    if gb is not None:
        raise InputError(f"{path}: wrong encoding: the text does not read as GBK (mostly rare characters: Big5 or "
                         "Shift-JIS?)" + fix)
    raise InputError(f"{path}: wrong encoding: neither UTF-8 nor GBK/GB18030" + fix)


def _csv_cells(path: Path) -> tuple[list[tuple[int, list]], str]:
    data = path.read_bytes()
    txt, enc = _decode(data, path)
    if not txt.strip():
        raise InputError(f"{path}: the file is empty; an inventory needs a header row and one row per surface")
    lines = [ln for ln in txt.splitlines()[:30] if ln.strip()]
    sep = max(",\t;", key=lambda c: sum(ln.count(c) for ln in lines))
    reader = csv.reader(io.StringIO(txt, newline=""), delimiter=sep)
    out, last = [], 0
    try:
        for cells in reader:
            out.append((last + 1, cells))  # a quoted cell over several lines: the record starts after the last
            last = reader.line_num
    except csv.Error as exc:
        raise InputError(f"{path}: cannot be read as CSV (line {reader.line_num}: {exc})") from None
    return out, enc


def _sheet_cells(ws, read_only: bool) -> list[tuple[int, list]]:
    rows = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
    if not read_only:
        for rng in ws.merged_cells.ranges:  # a merged cell's value fills the range (headers, names over rows)
            v = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                cells = rows[r - 1][1]
                while len(cells) < rng.max_col:
                    cells.append(None)
                for c in range(rng.min_col, rng.max_col + 1):
                    if isinstance(v, str) or r == rng.min_row:
                        cells[c - 1] = v
    return rows


def _xlsx_cells(path: Path, sheet, schema: Schema | None) -> tuple[list[tuple[int, list]], str, list[str]]:
    head = path.read_bytes()[:8]
    if head == _OLE:
        raise InputError(f"{path}: the workbook is password-protected (encrypted); open it in Excel or WPS, remove "
                         "the password (文件 → 信息 → 保护工作簿 / 文档加密) and save it again as .xlsx")
    read_only = path.stat().st_size > _READ_ONLY_BYTES
    try:
        wb = openpyxl.load_workbook(path, read_only=read_only, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise InputError(f"{path}: cannot be read as XLSX ({type(exc).__name__}: {exc})") from None
    names = list(wb.sheetnames)
    messages = []
    if sheet is not None and str(sheet).strip() != "":
        s = str(sheet).strip()
        if s in names:
            name = s
        elif s.isdigit() and 1 <= int(s) <= len(names):
            name = names[int(s) - 1]
        else:
            raise InputError(f"{path}: no sheet {s!r}; sheets: {', '.join(names)} (or give its number, 1-{len(names)})")
        return _sheet_cells(wb[name], read_only), name, messages
    best = None
    for name in names:
        cells = _sheet_cells(wb[name], read_only)
        if schema is None:
            return cells, name, messages
        _, score = find_header([c for _, c in cells], schema)
        if score >= 3:
            best = (cells, name, score)
            break
        if best is None or score > best[2]:
            best = (cells, name, score)
    cells, name = best[0], best[1]
    if len(names) > 1:
        messages.append(f"read sheet {name!r} of {', '.join(repr(n) for n in names)} (choose with --sheet)")
    return cells, name, messages


def read_register(path: str | Path, schema: Schema | None = None, sheet=None, header_row: int | None = None,
                  column_map: Mapping[str, str] | None = None) -> Register:
    """Read a CSV or XLSX table: find the sheet and the header, map the headers to ``schema``.

    Parameters
    ----------
    path : CSV (UTF-8, GBK, UTF-16 with BOM) or XLSX
    schema : Schema, optional
        The table's columns (:data:`solarplan.io.validate.INVENTORY`, ``retrofit.buildings.BUILDINGS``);
        None: the first row is the header and nothing is renamed.
    sheet : str or int, optional
        Sheet name or 1-based number; default: the first sheet whose rows name at least three columns.
    header_row : int, optional
        1-based row (XLSX) or line (CSV) of the header; default: the row among the first 30 that
        names the most columns. Rows above it are ignored.
    """
    path = Path(path)
    _check_exists(path)
    ext = path.suffix.lower()
    messages: list[str] = []
    if ext in TABLE_EXT:
        cells, enc = _csv_cells(path)
        label, where = "line", f"{path}: "
        if enc not in ("utf-8", "utf-8-sig"):
            messages.append(f"encoding {enc}")
    elif ext in EXCEL_EXT:
        cells, name, msgs = _xlsx_cells(path, sheet, schema)
        messages += msgs
        label, where = f"sheet {name!r} row", f"{path}, sheet {name!r}: "
    elif ext == ".xls":
        raise InputError(f"{path}: old .xls files are not read; save it as .xlsx or CSV UTF-8")
    else:
        raise InputError(f"{path}: unknown file type {ext!r}; accepted: CSV or XLSX")
    cells = [(r, c) for r, c in cells if any(text(v) for v in c)] if schema is None else cells
    if not cells or not any(any(text(v) for v in c) for _, c in cells):
        raise InputError(f"{where}no rows at all; an inventory needs a header row and one row per surface")
    if header_row is not None:
        at = [k for k, (r, _) in enumerate(cells) if r == int(header_row)]
        if not at:
            raise InputError(f"{where}header_row {header_row} is beyond the last row ({cells[-1][0]})")
        h = at[0]
    elif schema is None:
        h = next(k for k, (_, c) in enumerate(cells) if any(text(v) for v in c))
    else:
        h, _ = find_header([c for _, c in cells], schema)
        if h > 0:
            messages.append(f"header found at {label} {cells[h][0]}; {h} row(s) above it ignored "
                            "(choose with --header-row)")
    header = [text(v) for v in cells[h][1]]
    body = cells[h + 1:]
    width = max([len(header)] + [len(c) for _, c in body])
    # cells beyond the header that hold something get a name; blank ones are dropped
    names, seen = [], {}
    for j in range(width):
        base = header[j] if j < len(header) and header[j] else f"column_{j + 1}"
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    rows = np.array([r for r, _ in body], dtype=int)
    grid = [c + [None] * (width - len(c)) if len(c) < width else c for _, c in body]
    frame = pd.DataFrame(grid, columns=names, dtype=object) if grid else pd.DataFrame(columns=names, dtype=object)
    unnamed = [n for j, n in enumerate(names) if n.startswith("column_") and (j >= len(header) or not header[j])]
    drop = [n for n in unnamed if all(text(v) == "" for v in frame[n])]
    frame = frame.drop(columns=drop)
    if len(frame) == 0:
        raise InputError(f"{where}has a header but no data rows")
    headers = HeaderMap({}, {}, {})
    if schema is not None:
        headers = map_headers(frame.columns, schema, column_map, where)
        frame = frame.rename(columns=dict(headers.rename))
        for canon, unit in headers.units.items():
            messages.append(f"{canon}: unit {unit!r} from the header (x{headers.factors[canon]:g})")
    return Register(frame, rows, label, headers, tuple(messages))


def read_rows(path: str | Path, schema: Schema | None = None, sheet=None, header_row: int | None = None):
    """(table, row numbers as the user sees them, row label, note) of a CSV or XLSX (see :func:`read_register`)."""
    reg = read_register(path, schema, sheet, header_row)
    return reg.frame, pd.Series(reg.rows), reg.label, "; ".join(reg.messages)


def _wkt(values: pd.Series) -> pd.Series:
    out = []
    for v in values:
        t = text(v)
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


def _read_gis(path: Path, layer: str | None):
    try:
        layers = [str(x[0]) for x in pyogrio.list_layers(path)]
    except Exception as exc:
        raise InputError(f"{path}: cannot be read as {path.suffix[1:].upper()} ({exc})") from None
    if layer is not None and str(layer) not in layers:
        raise InputError(f"{path}: no layer {layer!r}; layers: {', '.join(layers)}")
    if layer is None and len(layers) > 1:
        raise InputError(f"{path}: the file has {len(layers)} layers ({', '.join(layers)}); choose one with "
                         "--layer NAME (or [inventory] layer in plan.toml)")
    try:
        return pyogrio.read_dataframe(path, layer=layer), layer or (layers[0] if layers else "")
    except Exception as exc:
        raise InputError(f"{path}: cannot be read as {path.suffix[1:].upper()} ({exc})") from None


def read_table(path: str | Path, config: PlanConfig | None = None):
    """Read a file into (canonical table, WGS84 geometries or None, row numbers, row label, notes, header factors).

    Raises
    ------
    InputError
        For files that cannot be read at all: missing, 0 bytes, wrong encoding, encrypted, header
        only, no usable columns, several GIS layers and none chosen, unknown CRS.
    """
    config = config or load_config(None)
    opts = config.inventory
    path = Path(path)
    ext = path.suffix.lower()
    geoms, messages, factors = None, [], {}
    if ext in GEO_EXT:
        _check_exists(path)
        gdf, layer = _read_gis(path, getattr(opts, "layer", None))
        gdf, note = _to_wgs84(gdf, path)
        messages.append(note)
        df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        geoms = pd.Series(list(gdf.geometry), dtype=object)
        rows, label = np.arange(len(df)) + 1, "feature"
        if len(df) == 0:
            raise InputError(f"{path}: has a header but no data rows")
        hm = map_headers(df.columns, INVENTORY, opts.column_map, f"{path}: ")
        df = df.rename(columns=dict(hm.rename))
        factors = dict(hm.factors)
    elif ext in TABLE_EXT | EXCEL_EXT | {".xls"}:
        reg = read_register(path, INVENTORY, getattr(opts, "sheet", None), getattr(opts, "header_row", None),
                            opts.column_map)
        df, rows, label, factors = reg.frame, reg.rows, reg.label, dict(reg.headers.factors)
        messages += reg.messages
    else:
        raise InputError(f"{path}: unknown file type {ext!r}; accepted: CSV, XLSX, GeoJSON, GPKG, Shapefile")
    df = df.reset_index(drop=True)
    if geoms is None and "geometry" in df.columns:
        geoms = _wkt(df.pop("geometry"))
        if all(g is None for g in geoms):
            geoms = None
    if "site_id" not in df.columns and "name" not in df.columns:
        raise InputError(f"{path}: required column site_id is missing (and no unit name 单位名称 to make ids from); "
                         f"accepted headers: {', '.join(HEADER_ALIASES['site_id'])} (or map yours in [inventory] "
                         f"column_map). Found: {', '.join(map(str, df.columns))}")
    areas = {"area_m2"} | {c for c in df.columns if str(c).startswith("area_m2@")}
    has_area = bool(areas & set(df.columns))
    has_place = {"lat", "lon"} <= set(df.columns) or bool({"address", "district"} & set(df.columns))
    if geoms is None and not (has_area and has_place):
        missing = sorted({"lat", "lon", "area_m2"} - set(df.columns))
        raise InputError(f"{path}: no geometry, and column(s) {', '.join(missing)} missing; give polygons "
                         "(GeoJSON/GPKG/Shapefile or a WKT 'geometry' column), or lat, lon (or an address) and "
                         f"area_m2. Found: {', '.join(map(str, df.columns))}")
    return df, geoms, rows, label, messages, factors


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


def read_inventory(path: str | Path, config: PlanConfig | None = None, require_china: bool | None = None,
                   geocode=None) -> ValidationResult:
    """Read and validate an inventory file (no capacity yet: :func:`solarplan.read_inventory` adds it).

    Parameters
    ----------
    path : path to CSV, XLSX, GeoJSON, GPKG or Shapefile
    config : PlanConfig, optional
        ``[inventory]`` options: column_map, sheet, header_row, layer, coords, azimuth_convention.
    require_china : bool, optional
        Reject locations outside China; defaults to the config's value or True.
    geocode : callable, optional
        An online geocoder (:func:`solarplan.io.geocode.geocoder`) for rows with only an address.

    Returns
    -------
    ValidationResult
    """
    config = config or load_config(None)
    df, geoms, rows, label, messages, factors = read_table(path, config)
    if require_china is None:
        require_china = True if config.inventory.require_china is None else bool(config.inventory.require_china)
    res = validate(df, geoms, rows, str(path), config, require_china=require_china, row_label=label,
                   factors=factors, geocode=geocode)
    return ValidationResult(res.clean, res.rejects, res.n_input, res.skipped,
                            tuple(m for m in (*messages, *res.messages) if m))
