"""Write result tables as office staff read them, and read them back as the code reads them.

:func:`write_results` chooses by the file's extension:

- ``.xlsx``: one formatted workbook (:func:`solarplan.io.workbook.write_workbook`): a sheet per table named
  in the reader's language (:data:`solarplan.core.i18n.SHEETS`), headers, coded values and package names in
  that language, number formats by column kind (``0.0%``, thousands separators, one decimal for 万), a
  frozen header, an autofilter, CJK-aware widths, and a glossary sheet (说明 / Glossary) giving each
  column's field name, unit and meaning;
- ``.csv``: the machine column names (stable in every language), values rounded by column kind
  (:func:`solarplan.io.workbook.round_for_csv`: kWh and CNY to integers, shares to 3 decimals, coordinates to
  6), written by :func:`solarplan.io.writers.write_table` (UTF-8 with BOM; its safety rules apply);
  several tables give ``<stem>_<sheet>.csv`` files beside the first;
- ``.geojson`` / ``.gpkg``: as :func:`solarplan.io.writers.write_table` writes them.

:func:`read_results` reads a table back with its machine column names and codes, from a CSV or from a
workbook written here (headers mapped back through the glossary sheet, coded values through the
catalogue), so ``solarplan contract --retrofit retrofit.xlsx`` and the briefing read what the other
commands wrote in either language.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from solarplan.core.errors import InputError
from solarplan.core.i18n import CODED, LANGS, VALUES, check_lang, sheet_name
from solarplan.io.workbook import round_for_csv, write_workbook
from solarplan.io.writers import write_table

GLOSSARY_SHEETS = {"说明": ("表头", "字段名"), "Glossary": ("Header", "Field")}


#: Decimals of WKT coordinates in a CSV [degrees]: 1e-6 deg is about 0.1 m, as for the lat/lon columns.
WKT_DECIMALS = 6


def _rounded(table):
    """round_for_csv; a GeoDataFrame's geometry becomes WKT with :data:`WKT_DECIMALS` decimals."""
    if isinstance(table, gpd.GeoDataFrame):
        name = table.geometry.name
        flat = round_for_csv(pd.DataFrame(table).drop(columns=[name]))
        flat[name] = table.geometry.to_wkt(rounding_precision=WKT_DECIMALS).to_numpy()
        return flat
    return round_for_csv(table)


def write_results(tables, path: str | Path, lang: str = "zh", sheet: str = "results",
                  glossary: bool = True) -> list[Path]:
    """Write one table (a DataFrame, sheet ``sheet``) or ``{sheet key: table}`` by extension (module
    docstring); returns the paths written. ``glossary=False`` leaves out the glossary sheet (for tables
    whose headers are already words, not field names)."""
    check_lang(lang)
    path = Path(path)
    if isinstance(tables, pd.DataFrame):
        tables = {sheet: tables}
    ext = path.suffix.lower()
    if ext == ".xlsx":
        return [write_workbook({sheet_name(k, lang): t for k, t in tables.items()}, path, lang=lang,
                               glossary=glossary)]
    if ext in (".geojson", ".gpkg"):
        if len(tables) != 1:
            raise InputError(f"{path}: {len(tables)} tables need .xlsx or .csv, not {ext}")
        return [write_table(next(iter(tables.values())), path)]
    out = []
    for i, (key, t) in enumerate(tables.items()):
        target = path if i == 0 else path.with_name(f"{path.stem}_{key}{path.suffix}")
        out.append(write_table(_rounded(t) if ext == ".csv" else t, target))
    return out


def _decode(df: pd.DataFrame) -> pd.DataFrame:
    """Coded columns shown in words (医院, Hospital) back to their codes (hospital)."""
    for col in df.columns:
        if col in CODED and (df[col].dtype == object or pd.api.types.is_string_dtype(df[col])):
            table = VALUES.get("measure" if col == "measures" else col, {})
            back = {w: code for code, words in table.items() for w in words}
            sep = ("、", ", ")

            def one(v):
                if not isinstance(v, str):
                    return v
                if v in back:
                    return back[v]
                for s in sep:
                    if s in v and all(p in back for p in v.split(s)):
                        return "+".join(back[p] for p in v.split(s))
                return v
            df[col] = df[col].map(one)
    return df


def read_results(path: str | Path, sheet: str = "results") -> pd.DataFrame:
    """A table written by :func:`write_results`, with machine column names and codes.

    For a workbook, ``sheet`` is the sheet key (``packages``, ``retrofit`` ...), found under its zh or en
    title; headers are mapped back through the glossary sheet. A workbook without a glossary sheet is read
    as it is. A CSV is read as it is (its names are the machine names).
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        return pd.read_csv(path, encoding="utf-8-sig")
    try:
        book = pd.ExcelFile(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot be read as a workbook ({exc})") from None
    with book:
        titles = [sheet_name(sheet, lang) for lang in LANGS] + [sheet]
        title = next((t for t in titles if t in book.sheet_names), None)
        if title is None:
            raise InputError(f"{path}: no sheet {' or '.join(dict.fromkeys(titles))}; sheets: "
                             f"{', '.join(book.sheet_names)}")
        df = pd.read_excel(book, sheet_name=title)
        gname = next((g for g in GLOSSARY_SHEETS if g in book.sheet_names), None)
        if gname is None:
            return df
        head, field = GLOSSARY_SHEETS[gname]
        g = pd.read_excel(book, sheet_name=gname, dtype=str)
    back = dict(zip(g[head], g[field]))
    df = df.rename(columns={c: back.get(str(c), c) for c in df.columns})
    return _decode(df)


def write_result(table: pd.DataFrame, path: str | Path, lang: str = "zh", sheet: str = "results") -> Path:
    """:func:`write_results` of one table; returns its path."""
    return write_results({sheet: table}, path, lang)[0]
