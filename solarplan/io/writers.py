"""Write result tables: CSV (UTF-8 with BOM, opens in Chinese Excel), XLSX, GeoJSON, GeoPackage.

Every file is written to a temporary name and renamed when complete
(:mod:`solarplan.core.atomic`), and the same table gives the same bytes.

User text is never live in a spreadsheet:

* **XLSX**: every text cell is stored as a string, never as a formula, even when it begins with
  ``=`` (openpyxl would otherwise store ``=HYPERLINK(...)`` as a formula);
* **CSV**: a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading apostrophe (``'=HYPERLINK(...)``), as OWASP advises, so Excel and WPS show it
  as text instead of running it. Numeric columns are left alone (``-3.5`` stays a number).

Sheet names are made valid for Excel (no ``[ ] : * ? / \\``, at most 31 characters, not blank,
no leading or trailing apostrophe) and unique (case-insensitively, as Excel compares them): a
clash gets ``~2``, ``~3`` ... so no sheet is dropped.

Reproducible bytes: XLSX zip entries and document properties (created, modified) and
GeoPackage ``last_change`` carry a fixed time, ``SOURCE_DATE_EPOCH`` if set, else
2000-01-01T00:00:00Z (they never say when the file was written).

References
----------
.. [1] OWASP, "CSV Injection" (owasp.org/www-community/attacks/CSV_Injection): prefix cells
   beginning with ``= + - @``, tab (0x09) or carriage return (0x0D) with a single quote.
.. [2] Microsoft, "Rename a worksheet": names of at most 31 characters, none of ``/ \\ ? * : [ ]``,
   not beginning or ending with an apostrophe, "History" reserved.
.. [3] reproducible-builds.org, SOURCE_DATE_EPOCH specification.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from solarplan.core.atomic import atomic_path, check_file_target
from solarplan.core.errors import InputError

#: characters that make spreadsheet software read a cell as a formula (OWASP [1])
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_MAX = 31
_SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def fixed_time() -> dt.datetime:
    """The time stamped into file metadata: ``SOURCE_DATE_EPOCH`` if set, else 2000-01-01 UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise InputError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}") from None
    return dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


def neutralise(value):
    """A CSV cell made inert: text beginning with ``= + - @ TAB CR`` gets a leading apostrophe [1]."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def restore(value):
    """Undo :func:`neutralise` on a cell read back from a CSV solarplan wrote (for display, not for Excel)."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def neutralise_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with every text cell (and header) passed through :func:`neutralise`."""
    out = pd.DataFrame(table).copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    return out


def sheet_title(name, used: set | None = None) -> str:
    """A valid, unique Excel sheet name for ``name`` [2]; adds it (lower-cased) to ``used``."""
    used = set() if used is None else used
    base = _SHEET_BAD.sub("_", str(name)).strip().strip("'") or "sheet"
    if base.lower() == "history":
        base = "history_"
    title, n = base[:SHEET_MAX], 1
    while title.lower() in used:
        n += 1
        tail = f"~{n}"
        title = base[:SHEET_MAX - len(tail)] + tail
    used.add(title.lower())
    return title


def _text_cells_not_formulas(ws) -> None:
    """Store every cell openpyxl took for a formula as the string it was given (we never write formulas)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def normalise_xlsx(path: Path) -> None:
    """Rewrite an XLSX (a zip) with fixed entry times and fixed created/modified properties."""
    stamp = fixed_time()
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    zt = max(stamp, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)).timetuple()[:6]
    with zipfile.ZipFile(path) as zin:
        entries = [(i, zin.read(i.filename)) for i in zin.infolist()]
    tmp = path.with_name(path.name + ".zip")
    with zipfile.ZipFile(tmp, "w") as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              lambda m: m.group(1) + iso.encode() + m.group(2), data)
            zi = zipfile.ZipInfo(info.filename, date_time=zt)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, data)
    os.replace(tmp, path)


def _write_xlsx(tables: dict, tmp: Path, widths: bool) -> None:
    used: set = set()
    with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        for name, t in _items(tables):
            t = pd.DataFrame(t)
            title = sheet_title(name, used)
            t.to_excel(xw, index=False, sheet_name=title)
            ws = xw.sheets[title]
            _text_cells_not_formulas(ws)
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
            if widths:
                for j, col in enumerate(t.columns, start=1):
                    vals = [str(col)] + [str(v) for v in t[col].head(200)]
                    ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, max(len(v) for v in vals) + 2))
        fixed = fixed_time().replace(tzinfo=None)
        xw.book.properties.created = fixed
        xw.book.properties.modified = fixed
    normalise_xlsx(tmp)


@contextmanager
def _gdal_fixed_date():
    """GDAL stamps GeoPackage ``last_change`` with the clock unless OGR_CURRENT_DATE is set."""
    old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": fixed_time().strftime("%Y-%m-%dT%H:%M:%S.000Z")})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})


def write_layers(layers: dict, path: str | Path) -> Path:
    """Write GeoDataFrames as the layers of one GeoPackage (atomically, fixed timestamps)."""
    path = Path(path)
    with atomic_path(path) as tmp, _gdal_fixed_date():
        for name, g in layers.items():
            g.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
    return path


def write_table(table: pd.DataFrame, path: str | Path, sheet: str = "results") -> Path:
    """Write a table by extension: CSV (UTF-8 with BOM, opens in Chinese Excel), XLSX, GeoJSON or GPKG."""
    path = check_file_target(path)
    ext = path.suffix.lower()
    if ext not in (".csv", ".xlsx", ".geojson", ".gpkg"):
        raise InputError(f"{path}: unknown output type {ext!r}; use .csv, .xlsx, .geojson or .gpkg")
    if ext in (".geojson", ".gpkg"):
        if not isinstance(table, gpd.GeoDataFrame):
            raise InputError(f"{path}: a {ext} output needs geometries; use .csv or .xlsx")
        if ext == ".gpkg":
            return write_layers({path.stem: table}, path)
        with atomic_path(path) as tmp:
            table.to_file(tmp, layer=path.stem, driver="GeoJSON", engine="pyogrio")
        return path
    flat = pd.DataFrame(table)
    if isinstance(table, gpd.GeoDataFrame):
        flat[table.geometry.name] = table.geometry.to_wkt(rounding_precision=9)
    with atomic_path(path) as tmp:
        if ext == ".csv":
            # CRLF as RFC 4180 says: the csv module then quotes any cell holding a CR or LF, which it does
            # not do for a lone CR with "\n" line ends (a CR in a name would split the row in Excel)
            neutralise_frame(flat).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        else:
            _write_xlsx({sheet: flat}, tmp, widths=False)
    return path


def _items(tables):
    return list(tables.items()) if isinstance(tables, dict) else list(tables)


def write_sheets(tables, path: str | Path, widths: bool = True) -> list[Path]:
    """Write several tables (a dict, or (name, table) pairs when names may repeat): one XLSX with a
    sheet per table (header bold and frozen, columns sized; names made valid and unique by
    :func:`sheet_title`), or for any other extension one CSV per table named ``<stem>_<sheet>.csv``
    (the first as ``path``)."""
    path = check_file_target(path)
    if path.suffix.lower() != ".xlsx":
        out = []
        for i, (name, t) in enumerate(_items(tables)):
            out.append(write_table(t, path if i == 0 else path.with_name(f"{path.stem}_{name}.csv")))
        return out
    with atomic_path(path) as tmp:
        _write_xlsx(tables, tmp, widths)
    return [path]
