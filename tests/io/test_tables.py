"""Result tables: CSVs rounded by column kind with stable machine names; workbooks formatted, in zh with
Chinese sheet names, headers and words, and read back to the machine table."""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from solarplan.io.tables import read_results, write_results


@pytest.fixture
def sites():
    return pd.DataFrame({
        "site_id": ["S1", "S2"], "name": ["十堰市第一中学", "=HYPERLINK(\"http://x\")"], "category": ["school", "hospital"],
        "lat": [32.629876543219, 32.6], "lon": [110.7987654321, 110.8],
        "gross_area_m2": [4919.615415813367, 1200.0], "capacity_kwp": [412.3456789, 99.96],
        "annual_ac_kwh": [456789.56789, 100000.4], "self_consumption_share": [0.912345678, 1.0],
        "irr": [0.16123456, np.nan], "capex_cny": [1234567.891, 350000.0], "uncatalogued_x": [1.234567891, 2.0]})


def test_csv_rounded_by_kind_with_machine_names(sites, tmp_path):
    [p] = write_results(sites, tmp_path / "sites.csv")
    text = p.read_text(encoding="utf-8-sig")
    head = text.splitlines()[0].split(",")
    assert head == list(sites.columns)                       # names stable, whatever the language
    back = pd.read_csv(p)
    assert back["annual_ac_kwh"].tolist() == [456790, 100000]      # kWh to integers
    assert back["capex_cny"].tolist() == [1234568, 350000]         # CNY to integers
    assert back["self_consumption_share"].tolist() == [0.912, 1.0]  # shares to 3 decimals
    assert back["lat"][0] == 32.629877 and back["lon"][0] == 110.798765   # coordinates to 6
    assert back["gross_area_m2"][0] == 4920                        # m² to integers
    assert back["capacity_kwp"][0] == 412.3                        # kWp to 0.1
    assert back["uncatalogued_x"][0] == 1.2346                     # anything else to 4 decimals
    assert "4919.615415813367" not in text and "0.912345678" not in text
    assert np.isnan(back["irr"][1])                               # missing stays missing


def test_several_tables_as_csv_files_beside_the_first(sites, tmp_path):
    paths = write_results({"packages": sites, "buildings": sites.head(1)}, tmp_path / "deal.csv")
    assert [p.name for p in paths] == ["deal.csv", "deal_buildings.csv"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_workbook_formats_headers_and_read_back(sites, tmp_path, lang):
    [p] = write_results({"sites": sites, "packages": sites}, tmp_path / "x.xlsx", lang=lang)
    wb = openpyxl.load_workbook(p)
    title = "场址" if lang == "zh" else "sites"
    assert wb.sheetnames == ([title, "项目包", "说明"] if lang == "zh" else [title, "packages", "Glossary"])
    ws = wb[title]
    head = [c.value for c in ws[1]]
    row = dict(zip(head, ws[2]))
    if lang == "zh":
        assert {"场址编号", "单位名称", "类型", "内部收益率", "年发电量[kWh]", "投资[元]"} <= set(head)
        assert row["类型"].value == "学校"
        irr, kwh = row["内部收益率"], row["年发电量[kWh]"]
    else:
        irr, kwh = row["IRR"], row["Yearly yield [kWh]"]
        assert row["Category"].value == "School"
    assert irr.number_format == "0.0%" and kwh.number_format == "#,##0"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(head))}3"
    # a name beginning with = is text, never a formula
    assert dict(zip(head, ws[3]))[head[1]].data_type == "s"
    back = read_results(p, "packages")
    assert list(back.columns) == list(sites.columns)
    assert back["category"].tolist() == ["school", "hospital"]
    assert back["annual_ac_kwh"].tolist() == pytest.approx(sites["annual_ac_kwh"].tolist())   # unrounded in XLSX


def test_missing_sheet_is_one_clear_message(sites, tmp_path):
    from solarplan.core.errors import InputError
    [p] = write_results(sites, tmp_path / "x.xlsx", sheet="sites")
    with pytest.raises(InputError, match="no sheet 项目包 or packages"):
        read_results(p, "packages")
