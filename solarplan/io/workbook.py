"""Readable workbooks and tidy CSVs from result tables, driven by the column catalogue in
:mod:`solarplan.core.i18n`.

- :func:`round_for_csv` rounds each catalogued column to its kind's precision (kWh and CNY to integers,
  shares to 3 decimals, coordinates to 6; uncatalogued floats to 4 decimals), so a CSV carries no
  15-digit floats; column names are untouched.
- :func:`write_workbook` writes sheets in one streaming pass (openpyxl write-only mode, linear in the
  number of cells) with number formats per column kind (``0.0%``, thousands separators, one decimal for
  万), a frozen header row, an autofilter, column widths that count a CJK character as two, and, in zh,
  Chinese headers, Chinese words for coded values and package names, plus a glossary sheet giving each
  column's field name, unit and meaning.

Text cells are stored with the string data type, so a name beginning with ``=`` is shown as text and
never evaluated as a formula by Excel or WPS.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from solarplan.core.atomic import atomic_path
from solarplan.core.i18n import CODED, COLUMNS, KINDS, check_lang, header, package_label, value_label
from solarplan.io.writers import fixed_time, normalise_xlsx, sheet_title

_UNCATALOGUED_DECIMALS = 4
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def text_width(text) -> int:
    """Display width of a text in a fixed-width grid: East Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def _kind(name: str) -> str | None:
    c = COLUMNS.get(str(name))
    return c["kind"] if c else None


def round_for_csv(table: pd.DataFrame) -> pd.DataFrame:
    """A copy with float columns rounded to their kind's precision (see the module docstring)."""
    out = pd.DataFrame(table).copy()
    for col in out.columns:
        s = out[col]
        if not pd.api.types.is_float_dtype(s):
            continue
        kind = _kind(col)
        nd = KINDS[kind][0] if kind in KINDS else _UNCATALOGUED_DECIMALS
        if nd is None:
            continue
        r = s.round(nd)
        if nd == 0:
            finite = r.dropna()
            if len(finite) == 0 or np.isfinite(finite.to_numpy(float)).all():
                r = r.astype("Int64")   # integers print without ".0"; missing stays missing
        out[col] = r
    return out


def _display(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Coded values and package ids in the reader's language (zh); en keeps the codes' English words."""
    d = pd.DataFrame(table).copy()
    for col in d.columns:
        if col in CODED and d[col].dtype == object or (col in CODED and pd.api.types.is_string_dtype(d[col])):
            d[col] = [value_label("measure" if col == "measures" else col, v, lang) for v in d[col]]
        elif col in ("package_id", "package") and (d[col].dtype == object or pd.api.types.is_string_dtype(d[col])):
            d[col] = [package_label(v, lang) if isinstance(v, str) and ("/" in v or v == "all") else v for v in d[col]]
    return d


def _cell_value(v):
    if v is None:
        return None
    if isinstance(v, (float, np.floating)):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (int, str)):
        return v
    return str(v)


def _write_sheet(wb: Workbook, name: str, table: pd.DataFrame, lang: str, max_width: int = 50,
                 used: set | None = None):
    ws = wb.create_sheet(title=sheet_title(name, used))
    d = _display(table, lang)
    cols = list(d.columns)
    heads = [header(c, lang) for c in cols]
    kinds = [_kind(c) for c in cols]
    fmts = [KINDS[k][1] if k in KINDS else None for k in kinds]
    # widths from the header and the first 200 formatted values
    sample = d.head(200)
    for j, c in enumerate(cols, start=1):
        w = text_width(heads[j - 1]) + 2
        for v in sample[c]:
            v = _cell_value(v)
            if v is None:
                continue
            if isinstance(v, float):
                k = kinds[j - 1]
                txt = f"{v:.1%}" if k == "share" else f"{v:,.{KINDS.get(k, (2,))[0] or 0}f}" if k else f"{v:,.4f}"
            else:
                txt = str(v)
            w = max(w, text_width(txt) + 2)
        ws.column_dimensions[get_column_letter(j)].width = min(max_width, max(6, w))
    ws.freeze_panes = "A2"
    if cols:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(1, len(d)) + 1}"
    head_cells = []
    for h in heads:
        cell = WriteOnlyCell(ws, value=h)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        head_cells.append(cell)
    ws.append(head_cells)
    for row in d.itertuples(index=False, name=None):
        out = []
        for v, f in zip(row, fmts):
            v = _cell_value(v)
            if f and isinstance(v, (int, float)) and not isinstance(v, bool) and f != "@":
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = f
                out.append(cell)
            elif isinstance(v, str):
                cell = WriteOnlyCell(ws, value=v)
                cell.data_type = "s"       # never a formula, whatever the text begins with
                out.append(cell)
            else:
                out.append(v)
        ws.append(out)
    return ws


def glossary_table(columns, lang: str = "zh") -> pd.DataFrame:
    """One row per column: the header shown, the machine field name, the unit and the meaning."""
    rows = []
    for c in dict.fromkeys(map(str, columns)):
        info = COLUMNS.get(c)
        if lang == "zh":
            rows.append({"表头": header(c, lang), "字段名": c, "单位": info["unit"] if info else "",
                         "含义": info["meaning_zh"] if info else "（未编目）"})
        else:
            rows.append({"Header": header(c, lang), "Field": c, "Unit": info["unit"] if info else "",
                         "Meaning": info["meaning_en"] if info else "(not catalogued)"})
    return pd.DataFrame(rows)


def write_workbook(tables: dict, path: str | Path, lang: str = "zh", glossary: bool = True) -> Path:
    """Write ``{sheet name: table}`` as one formatted XLSX (see the module docstring); returns the path.

    Tables keep their machine column names; headers, coded values and package names are shown in
    ``lang``. With ``glossary`` a last sheet (说明 / Glossary) explains every column.
    """
    check_lang(lang)
    path = Path(path)
    wb = Workbook(write_only=True)
    seen, used = [], set()
    for name, t in tables.items():
        t = pd.DataFrame(t)
        _write_sheet(wb, str(name), t, lang, used=used)
        seen += list(t.columns)
    if glossary:
        g = glossary_table(seen, lang)
        ws = wb.create_sheet(title=sheet_title("说明" if lang == "zh" else "Glossary", used))
        widths = [24, 30, 12, 60]
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        ws.freeze_panes = "A2"
        head = []
        for h in g.columns:
            cell = WriteOnlyCell(ws, value=h)
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            head.append(cell)
        ws.append(head)
        for row in g.itertuples(index=False, name=None):
            cells = []
            for v in row:
                cell = WriteOnlyCell(ws, value=str(v))
                cell.data_type = "s"
                cell.alignment = _WRAP
                cells.append(cell)
            ws.append(cells)
    with atomic_path(path) as tmp:   # whole or not at all; fixed metadata, so the same tables give the same bytes
        wb.properties.created = wb.properties.modified = fixed_time().replace(tzinfo=None)
        wb.save(tmp)
        normalise_xlsx(tmp)
    return path
