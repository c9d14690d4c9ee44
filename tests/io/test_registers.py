"""Registers as county offices keep them, written here from code in the layouts they come in.

Each register has expected clean / rejected / skipped counts and total area, worked out by hand
from the rows below (not from the code), and every input row is accounted for.
"""
from __future__ import annotations

import csv
import io

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from solarplan.core.defaults import SURFACE_DEFAULTS
from solarplan.core.errors import InputError
from solarplan.io.config import InventoryOptions, PlanConfig
from solarplan.app.pipeline import read_inventory

TITLE = "竹山县公共机构屋顶光伏资源登记表"
HEADER = ["序号", "单位名称", "单位类型", "屋顶类型", "经度", "纬度", "屋顶可利用面积（㎡）", "车棚面积（平方米）",
          "年用电量（万千瓦时）", "备注"]
ROWS = [
    [1, "竹山县人民政府", "党政机关", "混凝土屋面", 110.2287, 32.2248, "约1500", None, 12.5, None],
    [2, "竹山县第一中学", "中学", "瓦屋面", 110.2351, 32.2210, "4,200", 600, 30, "南侧有树"],
    [3, "竹山县人民医院", "医院", "彩钢瓦屋面", 110.2402, 32.2301, "2600㎡", "0.1万", 85, None],
    [4, "竹山县疾控中心", "疾控中心", None, 110.2190, 32.2265, "0.6万", None, None, None],
    [5, "竹山县图书馆", "图书馆", "金属屋面", "110°13'30\"", "32°13'20\"", 800, "", 3.2, None],
    [6, "竹山县城关镇卫生院", "卫生院", "平屋顶", 110.2301, 32.2199, "很大", None, 5, None],
]
# by hand: 1500 + (4200 + 600) + (2600 + 1000) + 6000 + 800; row 6 rejected (area 很大)
AREA = 1500 + 4200 + 600 + 2600 + 1000 + 6000 + 800
COMPARE = ["site_id", "surface_id", "name", "category", "surface_type", "lon", "lat", "gross_area_m2",
           "annual_load_kwh", "capacity_kwp", "source_row", "approximate"]


def county_xlsx(path):
    wb = openpyxl.Workbook()
    ins = wb.active
    ins.title = "填表说明"
    ins.append(["填表说明"])
    ins.append(["1. 每个单位填一行；屋顶和车棚面积分别填写。"])
    ins.append(["2. 面积单位为平方米，用电量单位为万千瓦时。"])
    ws = wb.create_sheet("登记表")
    ws.append([TITLE])
    ws.merge_cells("A1:J1")
    ws.append(["填报单位：竹山县机关事务服务中心", None, None, None, None, None, None, "填报日期：2024年5月"])
    ws.merge_cells("A2:G2")
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r)
    ws.append([None] * 10)  # a blank row
    ws.append([None, "合计", None, None, None, None, 15700, 1600, 135.7, None])
    ws.append(["填报人：张三    联系电话：0719-3222222"])
    wb.save(path)
    return path


def county_csv_gbk(path):
    """The same register as WPS saves it as CSV: GBK, CRLF, the title in the first cell, merged cells split."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([TITLE] + [""] * 9)
    w.writerow(["填报单位：竹山县机关事务服务中心", "", "", "", "", "", "", "填报日期：2024年5月", "", ""])
    w.writerow(HEADER)
    for r in ROWS:
        w.writerow(["" if v is None else v for v in r])
    w.writerow([""] * 10)
    w.writerow(["", "合计", "", "", "", "", 15700, 1600, 135.7, ""])
    w.writerow(["填报人：张三    联系电话：0719-3222222"] + [""] * 9)
    path.write_bytes(buf.getvalue().encode("gbk"))
    return path


def _accounted(res, n_input, clean_rows, rejected, skipped):
    assert res.n_input == n_input
    assert res.n_clean_rows == clean_rows
    assert len(res.rejects) == rejected
    assert len(res.skipped) == skipped
    assert res.n_clean_rows + len(res.rejects) + len(res.skipped) == res.n_input
    assert f"{n_input} rows read: {clean_rows} clean + {rejected} rejected + {skipped} skipped" in res.summary()


def test_county_xlsx_with_instructions_title_units_totals(tmp_path):
    res = read_inventory(county_xlsx(tmp_path / "竹山县登记表.xlsx"))
    # 6 records + blank + 合计 + 填报人 below the header
    _accounted(res, 9, 5, 1, 3)
    assert sorted(res.skipped["kind"]) == ["blank", "footer", "total"]
    c = res.clean
    assert len(c) == 7  # two rows have a carport too
    assert c["gross_area_m2"].sum() == pytest.approx(AREA)
    rej = res.rejects.iloc[0]
    assert rej["column"] == "area_m2" and "很大" in rej["reason"] and "sheet '登记表' row 9" in rej["reason"]
    gov = c[c["name"] == "竹山县人民政府"].iloc[0]
    assert gov["approximate"] and "approximate" in gov["notes"]
    assert gov["annual_load_kwh"] == pytest.approx(12.5e4)  # 万千瓦时 in the header
    assert gov["surface_type"] == "flat_roof" and gov["category"] == "agency"
    school = c[c["name"] == "竹山县第一中学"].sort_values("surface_type")
    assert list(school["surface_type"]) == ["carport", "pitched_roof"]
    assert list(school["gross_area_m2"]) == [600, 4200]
    assert school["site_id"].nunique() == 1  # one site, two surfaces
    assert set(c[c["name"] == "竹山县人民医院"]["gross_area_m2"]) == {2600, 1000}
    cdc = c[c["name"] == "竹山县疾控中心"].iloc[0]
    assert cdc["category"] == "hospital" and cdc["surface_type"] == "flat_roof" and cdc["gross_area_m2"] == 6000
    assert np.isnan(cdc["annual_load_kwh"])
    lib = c[c["name"] == "竹山县图书馆"].iloc[0]
    assert lib["lon"] == pytest.approx(110 + 13 / 60 + 30 / 3600) and lib["lat"] == pytest.approx(32 + 13 / 60 + 20 / 3600)
    assert lib["category"] == "venue" and lib["surface_type"] == "metal_roof"
    # ids made from the unit name: stable across runs, and said so
    assert any("site ids made from the unit names" in m for m in res.messages)
    assert any("header found" in m for m in res.messages) and any("登记表" in m for m in res.messages)
    again = read_inventory(tmp_path / "竹山县登记表.xlsx")
    assert list(again.clean["site_id"]) == list(c["site_id"])
    assert "序号" in c.columns or "row_no" in c.columns


def test_same_register_as_wps_gbk_csv_gives_the_same_clean_table(tmp_path):
    x = read_inventory(county_xlsx(tmp_path / "r.xlsx"))
    c = read_inventory(county_csv_gbk(tmp_path / "r.csv"))
    _accounted(c, 9, 5, 1, 3)
    assert any("gb18030" in m for m in c.messages)
    pd.testing.assert_frame_equal(c.clean[COMPARE].reset_index(drop=True), x.clean[COMPARE].reset_index(drop=True),
                                  check_dtype=False)


# county -> (official adcode, approximate extent lon_min, lon_max, lat_min, lat_max): the extents are the
# counties' published 经纬度范围 rounded outwards to 0.1 deg (an independent check of the gazetteer's points)
COUNTIES = {
    "竹山县": ("420323", 109.5, 110.5, 31.5, 32.7), "竹溪县": ("420324", 109.4, 110.2, 31.5, 32.7),
    "房县": ("420325", 110.0, 111.3, 31.5, 32.7), "丹江口市": ("420381", 110.7, 111.6, 32.2, 33.0),
    "郧阳区": ("420304", 110.2, 111.3, 32.4, 33.3), "张湾区": ("420303", 110.4, 111.0, 32.3, 32.8),
}
ADDRESSES = [
    ("竹山县人民政府", "湖北省十堰市竹山县城关镇人民路18号", "竹山县", "2,000"),
    ("竹溪县实验小学", "湖北省十堰市竹溪县城关镇南门路6号", "竹溪县", "1500"),
    ("房县人民医院", "十堰市房县城关镇西关路25号", "房县", "约3000"),
    ("丹江口市文化馆", "湖北省丹江口市大坝办事处环城路", "丹江口市", "1200平方米"),
    ("郧阳区疾控中心", "十堰市郧阳区城关镇沿江大道", "郧阳区", "900"),
    ("张湾区政务服务中心", "湖北省十堰市张湾区车城路街道", "张湾区", "0.25万"),
]


def address_csv(path):
    lines = ["序号,单位名称,单位类型,地址,屋顶类型,屋顶面积（平方米）,年用电量（万千瓦时）"]
    for k, (name, addr, _, area) in enumerate(ADDRESSES, 1):
        a = f'"{area}"' if "," in area else area
        lines.append(f"{k},{name},{name},{addr},平屋面,{a},20")
    lines.append("7,某单位,机关,人民路5号,平屋面,500,3")  # no county named: rejected
    lines.append(",合计,,,,,")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def test_address_only_register_places_every_site_in_its_county(tmp_path):
    res = read_inventory(address_csv(tmp_path / "addr.csv"))
    _accounted(res, 8, 6, 1, 1)
    assert res.rejects.iloc[0]["column"] == "address" and "line 8" in res.rejects.iloc[0]["reason"]
    c = res.clean.set_index("name")
    assert c["gross_area_m2"].sum() == pytest.approx(2000 + 1500 + 3000 + 1200 + 900 + 2500)
    for name, _, county, _ in ADDRESSES:
        row = c.loc[name]
        code, x0, x1, y0, y1 = COUNTIES[county]
        assert row["location_source"] == "district_centroid"
        assert row["district"] == county
        assert f"adcode {code}" in row["notes"], row["notes"]
        assert x0 <= row["lon"] <= x1 and y0 <= row["lat"] <= y1, (name, row["lon"], row["lat"])
        assert 1 <= row["location_precision_km"] <= 100
        assert row["geometry"].equals(shapely.Point(row["lon"], row["lat"]))
    assert any("district_centroid" in m for m in res.messages)


def test_wide_register_one_surface_per_area_column(tmp_path):
    df = pd.DataFrame({
        "site_id": ["A", "B", "C", "D", "E"],
        "单位名称": ["甲", "乙", "丙", "丁", "戊"],
        "lat": [32.6, 32.61, 32.62, 32.63, 32.64], "lon": [110.8] * 5,
        "屋顶面积（万平方米）": [0.12, None, 0.3, None, "x"],
        "车棚面积(平方米)": [400, 250, None, None, 100],
        "彩钢瓦面积": [None, 800, 1000, None, None],
        "装机容量（MW）": [None, None, 0.5, None, None],
    })
    p = tmp_path / "wide.xlsx"
    df.to_excel(p, index=False)
    res = read_inventory(p)
    # A: roof + carport; B: carport + metal; C: roof + metal; D: no area -> rejected; E: bad roof text -> rejected
    _accounted(res, 5, 3, 2, 0)
    c = res.clean
    assert len(c) == 6
    assert c["gross_area_m2"].sum() == pytest.approx(1200 + 400 + 250 + 800 + 3000 + 1000)
    assert dict(c.groupby("site_id").size()) == {"A": 2, "B": 2, "C": 2}
    croof = c[(c["site_id"] == "C") & (c["surface_type"] == "flat_roof")].iloc[0]
    assert croof["capacity_kwp"] == pytest.approx(500) and croof["capacity_source"] == "input"
    cmetal = c[(c["site_id"] == "C") & (c["surface_type"] == "metal_roof")].iloc[0]
    assert cmetal["capacity_source"] == "density"  # the row's capacity belongs to its own roof
    assert set(res.rejects["column"]) == {"area_m2"}
    assert len(set(c["surface_id"])) == 6


def test_blank_optional_cell_same_in_xlsx_and_csv(tmp_path):
    df = pd.DataFrame({"site_id": ["S1", "S2"], "lat": [32.6, 32.61], "lon": [110.8, 110.8],
                       "area_m2": [1000, 500], "surface_tilt": [None, 10]})
    df.to_excel(tmp_path / "t.xlsx", index=False)
    df.to_csv(tmp_path / "t.csv", index=False)
    for p in ("t.xlsx", "t.csv"):
        res = read_inventory(tmp_path / p)
        assert len(res.rejects) == 0 and len(res.clean) == 2, p
        s1 = res.clean.set_index("site_id").loc["S1"]
        assert s1["orientation_source"] == "default"
        assert s1["surface_tilt"] == SURFACE_DEFAULTS["flat_roof"].surface_tilt
        # the default is named, for the blank XLSX cell exactly as for the blank CSV cell (issue 15 item 7)
        assert "surface_tilt" in s1["defaulted"].split(";"), (p, s1["defaulted"])
        s2 = res.clean.set_index("site_id").loc["S2"]
        assert "surface_tilt" not in s2["defaulted"].split(";") and s2["surface_tilt"] == 10


@pytest.mark.parametrize("system, lat, lon", [
    # Gaode/Baidu picker coordinates of one point; WGS84 (32.6, 110.8) shifted by prcoords' forward functions
    ("gcj02", None, None), ("bd09", None, None), ("cgcs2000", 32.6, 110.8), ("wgs84", 32.6, 110.8)])
def test_picker_coordinates_converted(tmp_path, system, lat, lon):
    from solarplan.core.geodatum import wgs84_to_bd09, wgs84_to_gcj02
    if system == "gcj02":
        (lat,), (lon,) = wgs84_to_gcj02(32.6, 110.8)
    elif system == "bd09":
        (lat,), (lon,) = wgs84_to_bd09(32.6, 110.8)
    (tmp_path / "p.csv").write_text(f"site_id,lat,lon,area_m2\nS1,{lat:.7f},{lon:.7f},100\n", encoding="utf-8")
    cfg = PlanConfig(inventory=InventoryOptions(coords=system))
    c = read_inventory(tmp_path / "p.csv", cfg).clean.iloc[0]
    # the inverse is iterative (sub-metre); 1e-5 deg is about 1 m
    assert c["lat"] == pytest.approx(32.6, abs=1e-5) and c["lon"] == pytest.approx(110.8, abs=1e-5)
    if system in ("gcj02", "bd09"):
        assert abs(lat - 32.6) + abs(lon - 110.8) > 1e-3  # the input really was shifted (100-700 m)


def test_sheet_and_header_row_override(tmp_path):
    p = county_xlsx(tmp_path / "r.xlsx")
    res = read_inventory(p, PlanConfig(inventory=InventoryOptions(sheet="登记表", header_row=3)))
    assert res.n_clean_rows == 5
    with pytest.raises(InputError, match="no sheet 'Sheet9'.*填表说明, 登记表"):
        read_inventory(p, PlanConfig(inventory=InventoryOptions(sheet="Sheet9")))


def test_multiline_quoted_name_keeps_line_numbers(tmp_path):
    (tmp_path / "m.csv").write_text('site_id,name,lat,lon,area_m2\nS1,"竹山县\n人民\n政府",32.6,110.8,100\n'
                                    'S2,ok,32.6,110.8,big\n', encoding="utf-8")
    res = read_inventory(tmp_path / "m.csv")
    assert res.rejects.iloc[0]["reason"].startswith("line 5:")  # S2 starts on the file's 5th line
    assert res.clean.iloc[0]["source_row"] == 2


@pytest.mark.parametrize("encoding, word", [("big5", "Big5"), ("shift_jis", "Shift-JIS")])
def test_big5_and_shift_jis_refused_by_name(tmp_path, encoding, word):
    text = ("site_id,name,lat,lon,area_m2\n" + "".join(
        f"S{i},{'臺北市立圖書館總館' if encoding == 'big5' else 'さいたま市立図書館のやね'},32.6,110.8,100\n"
        for i in range(5)))
    (tmp_path / "e.csv").write_bytes(text.encode(encoding))
    with pytest.raises(InputError, match=word):
        read_inventory(tmp_path / "e.csv")


def test_bom_followed_by_gbk_is_named(tmp_path):
    (tmp_path / "b.csv").write_bytes(b"\xef\xbb\xbf" + "编号,纬度,经度,面积\nS1,32.6,110.8,100\n".encode("gbk"))
    with pytest.raises(InputError, match="byte-order mark followed by GBK"):
        read_inventory(tmp_path / "b.csv")


def test_encrypted_xlsx_named(tmp_path):
    # an encrypted OOXML workbook is an OLE compound file (MS-OFFCRYPTO 2.3.4): same signature as below
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(InputError, match="password-protected"):
        read_inventory(tmp_path / "locked.xlsx")


def test_gpkg_with_two_layers_needs_a_choice(tmp_path):
    p = tmp_path / "two.gpkg"
    sq = shapely.box(110.8, 32.6, 110.801, 32.601)
    gpd.GeoDataFrame({"site_id": ["A"]}, geometry=[sq], crs=4326).to_file(p, layer="roofs")
    gpd.GeoDataFrame({"site_id": ["B", "C"]}, geometry=[sq, sq], crs=4326).to_file(p, layer="carports")
    with pytest.raises(InputError, match="2 layers.*roofs.*carports|2 layers.*carports.*roofs"):
        read_inventory(p)
    res = read_inventory(p, PlanConfig(inventory=InventoryOptions(layer="carports")))
    assert list(res.clean["site_id"]) == ["B", "C"]


def test_excel_messages_name_the_sheet(tmp_path):
    p = tmp_path / "s.xlsx"
    pd.DataFrame({"site_id": ["S1"], "lat": [32.6], "lon": [110.8], "area_m2": ["lots"]}).to_excel(
        p, index=False, sheet_name="屋顶")
    res = read_inventory(p)
    assert res.rejects.iloc[0]["reason"].startswith("sheet '屋顶' row 2:")


def test_one_row_with_ten_thousand_columns(tmp_path):
    head = ["site_id", "lat", "lon", "area_m2"] + [f"x{i}" for i in range(9996)]
    row = ["S1", "32.6", "110.8", "100"] + ["1"] * 9996
    (tmp_path / "w.csv").write_text(",".join(head) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    res = read_inventory(tmp_path / "w.csv")  # before the rewrite this took 138-219 s (issue 22); timed in
    assert len(res.clean) == 1 and res.clean.shape[1] > 10000  # benchmarks/bench_validate.py, not here


def test_buildings_table_same_rules(tmp_path):
    from retrofit.buildings import read_buildings_table
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "建筑"
    ws.append(["竹山县公共机构建筑能耗登记表"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "单位编号", "单位类型", "建筑面积（万平方米）", "年用电量（万千瓦时）", "供暖方式"])
    ws.append([1, "ZS01", "疾控中心", 0.52, "约30", "燃气锅炉"])
    ws.append([2, "ZS02", "职业技术学校", "1.2万㎡", 45, None])
    ws.append([3, "ZS03", "文化场馆", "", 10, None])  # no floor area: rejected
    ws.append([None, "合计", None, 1.72, 85, None])
    wb.save(tmp_path / "b.xlsx")
    res = read_buildings_table(tmp_path / "b.xlsx")
    assert "4 buildings read: 2 clean + 1 rejected + 1 skipped (1 totals) = 4" in res.summary()
    c = res.clean.set_index("site_id")
    assert c.loc["ZS01", "floor_area_m2"] == pytest.approx(5200)  # 0.52 万平方米
    assert c.loc["ZS02", "floor_area_m2"] == pytest.approx(12000)  # value's own unit wins
    assert c.loc["ZS01", "electricity_kwh"] == pytest.approx(3e5)
    assert c.loc["ZS01", "category"] == "hospital" and c.loc["ZS02", "category"] == "school"
    assert c.loc["ZS01", "heating_plant"] == "gas_boiler"
    assert "approximate" in c.loc["ZS01", "notes"]
    assert res.rejects.iloc[0]["reason"].startswith("sheet '建筑' row 5: floor_area_m2 is empty")


@pytest.mark.parametrize("table", ["inventory", "buildings"])
def test_template_validates_with_no_rejects_and_has_dropdowns(tmp_path, table):
    from retrofit.buildings import read_buildings_table
    from solarplan.app.cli import main
    p = tmp_path / "模板.xlsx"
    assert main(["template", "--table", table, "--out", str(p)]) == 0
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames[0] == "填表说明"
    ws = wb.worksheets[1]
    lists = {str(dv.sqref).rstrip("0123456789:").split(":")[0].rstrip("0123456789"): dv.formula1
             for dv in ws.data_validations.dataValidation}
    heads = {c.value: c.column_letter for c in ws[1]}
    assert "党政机关" in lists[heads["单位类型"]]
    if table == "inventory":
        assert "彩钢瓦屋面" in lists[heads["屋顶类型"]]
        # every drop-down word is accepted by the reader: fill one row per choice
        for k, (cat, roof) in enumerate(zip(["党政机关", "学校", "医院", "场馆", "国企", "其他"],
                                            ["平屋面", "坡屋面", "彩钢瓦屋面", "车棚", "平屋面", "平屋面"])):
            ws.append([k + 2, f"T{k}", f"单位{k}", cat, roof, "", 110.8, 32.6 + k / 100, 1000, None, 5, 0.6, ""])
        wb.save(p)
        res = read_inventory(p)
        _accounted(res, 7, 7, 0, 0)
    else:
        res = read_buildings_table(p)
        assert len(res.rejects) == 0 and len(res.clean) == 1
        assert res.clean.iloc[0]["heating_plant"] == "gas_boiler"


def test_cli_reader_options(tmp_path, capsys):
    from solarplan.app.cli import main
    p = county_xlsx(tmp_path / "r.xlsx")
    assert main(["inventory", "validate", str(p), "--lang", "en", "--sheet", "登记表", "--header-row", "3", "--out",
                 str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "9 rows read: 5 clean + 1 rejected + 3 skipped (1 totals, 1 blank, 1 footer) = 9" in out
    assert (tmp_path / "o" / "skipped.csv").is_file()
    assert main(["inventory", "validate", str(p), "--coords", "mars", "--out", str(tmp_path / "o")]) == 2
    assert "valid: wgs84, cgcs2000, gcj02, bd09" in capsys.readouterr().err
