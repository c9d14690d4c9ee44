"""Every workbook the commands write is formatted (number formats, frozen header, autofilter, zh headers and
words, a glossary sheet), and every CSV is rounded by column kind with its machine column names (issue 19)."""
from __future__ import annotations

import re

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from solarplan.app.cli import main
from solarplan.core.resources import data_path


@pytest.fixture(scope="module")
def buildings(tmp_path_factory):
    d = tmp_path_factory.mktemp("wb")
    src = pd.read_csv(data_path("demo_shiyan_buildings.csv"))
    f = d / "buildings.csv"
    src[src["category"].isin(["school", "hospital"])].head(16).to_csv(f, index=False)
    return f


def rows(ws):
    head = [c.value for c in ws[1]]
    return head, [dict(zip(head, r)) for r in ws.iter_rows(min_row=2)]


def check_layout(ws, n_cols):
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:" + openpyxl.utils.get_column_letter(n_cols))


def test_retrofit_xlsx_in_zh(buildings, tmp_path):
    assert main(["retrofit", str(buildings), "--out", str(tmp_path / "retrofit.xlsx"), "--location", "十堰"]) == 0
    wb = openpyxl.load_workbook(tmp_path / "retrofit.xlsx")
    assert wb.sheetnames == ["节能改造", "说明"]
    ws = wb["节能改造"]
    head, body = rows(ws)
    check_layout(ws, len(head))
    assert {"建筑编号", "改造措施", "节电量[kWh]", "节约费用[元/年]", "静态回收期[年]", "计入合计"} <= set(head)
    assert not any(re.fullmatch(r"[a-z_0-9]+", str(h)) for h in head), head   # no snake_case header left
    r = body[0]
    assert r["节电量[kWh]"].number_format == "#,##0" and r["静态回收期[年]"].number_format == "#,##0.0"
    assert {x["改造措施"].value for x in body} <= {"地源热泵", "LED照明改造", "冷水机组更换", "电梯节能改造"}
    # the glossary names the field behind each header
    g = {r[0].value: r[1].value for r in wb["说明"].iter_rows(min_row=2)}
    assert g["节电量[kWh]"] == "saved_electricity_kwh"


def test_deal_xlsx_in_zh_and_en(buildings, tmp_path):
    assert main(["contract", str(buildings), "--out", str(tmp_path / "deal.xlsx"), "--location", "十堰"]) == 0
    wb = openpyxl.load_workbook(tmp_path / "deal.xlsx")
    assert wb.sheetnames[:5] == ["项目包", "建筑", "现金流", "敏感性分析", "拒收行"] and wb.sheetnames[-1] == "说明"
    ws = wb["项目包"]
    head, body = rows(ws)
    check_layout(ws, len(head))
    r = body[0]
    assert r["服务商收益率"].number_format == "0.0%" and 0 < r["服务商收益率"].value < 1
    assert r["节约比例"].number_format == "0.0%"
    assert r["投资[元]"].number_format == "#,##0" and r["合同期[年]"].value == 10
    assert r["合同类型"].value == "能源费用托管" and r["项目包"].value == "全部建筑"
    head_cf, _ = rows(wb["现金流"])
    assert "年份" in head_cf and "服务商净现金流[元]" in head_cf
    assert main(["contract", str(buildings), "--out", str(tmp_path / "deal_en.xlsx"), "--location", "十堰",
                 "--lang", "en"]) == 0
    wb = openpyxl.load_workbook(tmp_path / "deal_en.xlsx")
    assert wb.sheetnames[0] == "packages" and wb.sheetnames[-1] == "Glossary"
    head, body = rows(wb["packages"])
    assert "ESCO IRR" in head and body[0]["ESCO IRR"].number_format == "0.0%"
    assert not any("万" in str(h) for h in head)


def test_simulate_xlsx_and_rounded_csvs(demo_inventory, tmp_path):
    inv = gpd.read_file(demo_inventory)
    small = tmp_path / "roofs.geojson"
    inv[inv["site_id"].isin(inv["site_id"].unique()[:6])].to_file(small, driver="GeoJSON")
    assert main(["simulate", str(small), "--out", str(tmp_path / "sites.xlsx"),
                 "--surfaces-out", str(tmp_path / "surfaces.csv")]) == 0
    wb = openpyxl.load_workbook(tmp_path / "sites.xlsx")
    assert wb.sheetnames == ["场址", "说明"]
    ws = wb["场址"]
    head, body = rows(ws)
    check_layout(ws, len(head))
    r = body[0]
    assert r["年发电量[kWh]"].number_format == "#,##0" and r["内部收益率"].number_format == "0.0%"
    assert r["纬度[°]"].number_format == "0.000000" and r["类型"].value in {"机关", "学校", "医院", "场馆", "国有企业"}
    # a CSV keeps the machine names and sensible precision
    text = (tmp_path / "surfaces.csv").read_text(encoding="utf-8-sig")
    surf = pd.read_csv(tmp_path / "surfaces.csv")
    assert {"site_id", "annual_ac_kwh", "lat", "lon", "performance_ratio"} <= set(surf.columns)
    assert (surf["annual_ac_kwh"] == surf["annual_ac_kwh"].round()).all()
    assert (surf["performance_ratio"] == surf["performance_ratio"].round(3)).all()
    assert (surf["lat"] == surf["lat"].round(6)).all()
    assert not re.search(r"\d\.\d{7,}", text), re.search(r"\d\.\d{7,}", text)
    for f in ("sites_assumptions.csv", "sites_sensitivity.csv"):
        assert not re.search(r"\d\.\d{7,}", (tmp_path / f).read_text(encoding="utf-8-sig")), f
