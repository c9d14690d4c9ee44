"""Writers: no formula from user text (XLSX, CSV per OWASP), valid unique sheet names, same bytes, atomic."""
from __future__ import annotations

import time
import zipfile

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from solarplan.core.errors import OutputError
from solarplan.io.writers import neutralise, restore, sheet_title, write_layers, write_sheets, write_table

FORMULAS = ['=HYPERLINK("http://x","click")', "=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def table():
    return pd.DataFrame({"name": FORMULAS + ["普通", "a=b"], "value": [-1.5, 2, 3, 4, 5, 6, 7, 8, 9]})


def test_xlsx_text_is_never_a_formula(tmp_path):
    f = write_table(table(), tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(f).active
    cells = [c for row in ws.iter_rows(min_row=2) for c in row[:1]]
    assert [c.value for c in cells] == table()["name"].tolist()
    assert all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(f) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("value, expected", [(v, "'" + v) for v in FORMULAS] + [("a=b", "a=b"), ("普通", "普通"),
                                                                                 (-1.5, -1.5), (None, None)])
def test_csv_cells_neutralised_per_owasp(value, expected):
    assert neutralise(value) == expected
    assert restore(neutralise(value)) == value


def test_csv_file_keeps_numbers_and_quotes_text(tmp_path):
    import csv
    f = write_table(table(), tmp_path / "t.csv")
    with open(f, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [r[0] for r in rows[1:8]] == ["'" + v for v in FORMULAS]
    assert rows[1][1] == "-1.5"                     # a number stays a number


def test_sheet_names_valid_and_unique():
    used = set()
    names = ["A:B?*", "a_b__", "x" * 32, "x" * 31 + "y", "[q]/\\", "'quoted'", "", "History"]
    titles = [sheet_title(n, used) for n in names]
    assert len({t.lower() for t in titles}) == len(names)
    for t in titles:
        assert 1 <= len(t) <= 31 and not set(t) & set("[]:*?/\\") and not t.startswith("'")


def test_workbook_keeps_every_sheet(tmp_path):
    t = table()
    pairs = [("A:B?*", t), ("x" * 32, t), ("x" * 31 + "y", t), ("a:b?*", t)]
    f = write_sheets(pairs, tmp_path / "w.xlsx")[0]
    assert len(openpyxl.load_workbook(f).sheetnames) == 4


def test_same_tables_same_bytes(tmp_path):
    g = gpd.GeoDataFrame({"n": ["a", "b"]}, geometry=gpd.points_from_xy([110, 111], [32, 33]), crs=4326)
    for i in (1, 2):
        d = tmp_path / str(i)
        write_sheets({"a": table(), "b": table()}, d / "w.xlsx")
        write_layers({"sites": g, "packages": g}, d / "g.gpkg")
        write_table(g, d / "g.geojson")
        time.sleep(1.1)   # the clock moves on between the two writes
    for name in ("w.xlsx", "g.gpkg", "g.geojson"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name
    props = openpyxl.load_workbook(tmp_path / "1" / "w.xlsx").properties
    assert props.created.year == 2000 and props.modified.year == 2000


def test_output_on_a_folder_or_under_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        write_table(table(), tmp_path / "d.csv")
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        write_table(table(), tmp_path / "f" / "t.csv")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    f = write_table(table(), tmp_path / "t.csv")
    before = f.read_bytes()

    def boom(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(KeyboardInterrupt):
        write_table(table().head(2), f)
    assert f.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]
