"""Write result tables: CSV (UTF-8 with BOM, opens in Chinese Excel), XLSX, GeoJSON, GeoPackage."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from solarplan.core.errors import InputError


def write_table(table: pd.DataFrame, path: str | Path, sheet: str = "results") -> Path:
    """Write a table by extension: CSV (UTF-8 with BOM, opens in Chinese Excel), XLSX, GeoJSON or GPKG."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ext = path.suffix.lower()
    if ext in (".geojson", ".gpkg"):
        if not isinstance(table, gpd.GeoDataFrame):
            raise InputError(f"{path}: a {ext} output needs geometries; use .csv or .xlsx")
        if path.exists():
            path.unlink()
        table.to_file(path, driver="GeoJSON" if ext == ".geojson" else "GPKG")
        return path
    flat = pd.DataFrame(table)
    if isinstance(table, gpd.GeoDataFrame):
        flat[table.geometry.name] = table.geometry.to_wkt(rounding_precision=9)
    if ext == ".csv":
        flat.to_csv(path, index=False, encoding="utf-8-sig")
    elif ext == ".xlsx":
        flat.to_excel(path, index=False, sheet_name=sheet)
    else:
        raise InputError(f"{path}: unknown output type {ext!r}; use .csv, .xlsx, .geojson or .gpkg")
    return path


def write_sheets(tables: dict, path: str | Path, widths: bool = True) -> list[Path]:
    """Write several tables: one XLSX with a sheet per table (header bold and frozen, columns sized),
    or for any other extension one CSV per table named ``<stem>_<sheet>.csv`` (the first as ``path``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() != ".xlsx":
        out = []
        for i, (name, t) in enumerate(tables.items()):
            out.append(write_table(t, path if i == 0 else path.with_name(f"{path.stem}_{name}.csv")))
        return out
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, t in tables.items():
            pd.DataFrame(t).to_excel(xw, index=False, sheet_name=name[:31])
            ws = xw.sheets[name[:31]]
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
            if widths:
                for j, col in enumerate(pd.DataFrame(t).columns, start=1):
                    vals = [str(col)] + [str(v) for v in pd.DataFrame(t)[col].head(200)]
                    ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, max(len(v) for v in vals) + 2))
    return [path]
