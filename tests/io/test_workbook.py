"""Workbook formatting and CSV rounding, read back with openpyxl."""
from __future__ import annotations

import openpyxl
import pandas as pd

from solarplan.io.workbook import round_for_csv, text_width, write_workbook


def test_cjk_characters_count_double():
    assert text_width("abc") == 3 and text_width("十堰市") == 6 and text_width("年发电量[kWh]") == 13


def test_round_for_csv_by_kind():
    t = pd.DataFrame({"annual_ac_kwh": [4919.615415813367, float("nan")], "irr": [0.16123456, 0.2],
                      "lat": [32.123456789, 1.0], "gross_area_m2": [4919.615415813367, 1.0],
                      "mystery": [1.123456789, 2.0], "name": ["a", "b"]})
    r = round_for_csv(t)
    assert r["annual_ac_kwh"].iloc[0] == 4920 and pd.isna(r["annual_ac_kwh"].iloc[1])
    assert r["irr"].iloc[0] == 0.161 and r["lat"].iloc[0] == 32.123457
    assert r["gross_area_m2"].iloc[0] == 4920 and r["mystery"].iloc[0] == 1.1235
    assert "4919.6154158" not in r.to_csv()


def test_zh_workbook_has_formats_frozen_header_filter_glossary_and_no_formula(tmp_path):
    t = pd.DataFrame({"package_id": ["hospital/茅箭区-01"], "category": ["hospital"], "name": ["=HYPERLINK(1)"],
                      "irr": [0.161], "annual_ac_kwh": [1234567.8], "capex_wan_cny": [14400.04]})
    path = write_workbook({"项目包": t}, tmp_path / "x.xlsx", lang="zh")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["项目包", "说明"]
    ws = wb["项目包"]
    assert [c.value for c in ws[1]] == ["项目包", "类型", "单位名称", "内部收益率", "年发电量[kWh]", "投资[万元]"]
    row = {h.value: c for h, c in zip(ws[1], ws[2])}
    assert row["项目包"].value == "医院包·茅箭区·01" and row["类型"].value == "医院"
    assert row["内部收益率"].number_format == "0.0%" and row["年发电量[kWh]"].number_format == "#,##0"
    assert row["投资[万元]"].number_format == "#,##0.0"
    assert row["单位名称"].data_type == "s"              # text, never a formula
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:F2"
    # CJK-aware width: the Chinese name column is wider than its character count
    assert ws.column_dimensions["A"].width >= len("医院包·茅箭区·01") * 1.5
    g = wb["说明"]
    assert [c.value for c in g[1]] == ["表头", "字段名", "单位", "含义"]
    assert {c.value for c in g["B"]} >= {"irr", "annual_ac_kwh", "package_id"}


def test_en_workbook_keeps_codes_in_english_words(tmp_path):
    t = pd.DataFrame({"category": ["soe"], "irr": [0.1]})
    wb = openpyxl.load_workbook(write_workbook({"packages": t}, tmp_path / "x.xlsx", lang="en"))
    assert [c.value for c in wb["packages"][2]][0] == "State-owned enterprise"
    assert wb.sheetnames[-1] == "Glossary"
