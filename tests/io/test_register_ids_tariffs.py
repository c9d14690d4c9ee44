"""Province registers as testers ran them: blank 单位编号 cells, one name in several counties, tariffs
written with their unit (0.6元/度), and 待定 in optional columns.

Expected ids are computed here from their definition (``N`` + 12 hex of the SHA-1 of ``adcode|name``,
or of ``name`` where the row says nothing of its place) with hashlib and the county codes of GB/T 2260
(竹山县 420323, 房县 420325), not read back from the code; distances are pyproj's geodesic on WGS84.
"""
from __future__ import annotations

import hashlib
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pyproj import Geod

from solarplan.app.cli import main
from solarplan.app.pipeline import read_inventory
from solarplan.core.quantity import parse_value
from solarplan.io.siteids import FAR_APART_KM
from solarplan.io.template import write_template

ZHUSHAN, FANGXIAN = "420323", "420325"  # GB/T 2260 county codes
HEADER = ["序号", "单位编号", "单位名称", "单位类型", "区县", "经度", "纬度", "屋顶可利用面积（㎡）", "车棚面积（㎡）",
          "电价（元/kWh）"]


def nid(name, place=""):
    key = f"{place}|{name}" if place else name
    return "N" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12].upper()


def gb_csv(path, header, rows):
    """A register as WPS/Excel save 'CSV' on a Chinese Windows: GB18030, CRLF."""
    lines = [",".join("" if v is None else str(v) for v in r) for r in [header, *rows]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def template_with_rows(path, rows):
    write_template(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["登记表"]
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


# rows as the template's columns: 序号 单位编号 单位名称 单位类型 屋顶类型 地址 经度 纬度 屋顶面积 车棚面积 年用电量 电价 备注
SCHOOL = [2, None, "竹山县第一中学", "学校", "平屋面", "湖北省十堰市竹山县城关镇", 110.2351, 32.2210, 4200, 600, 30, 0.6, ""]


def test_blank_id_cell_in_the_template_is_made_from_name_and_county(tmp_path):
    p = template_with_rows(tmp_path / "tpl_filled.xlsx", [SCHOOL])
    res = read_inventory(p)
    assert len(res.rejects) == 0, res.rejects["reason"].tolist()
    school = res.clean[res.clean["name"] == "竹山县第一中学"]
    assert set(school["site_id"]) == {nid("竹山县第一中学", ZHUSHAN)}
    assert len(school) == 2  # roof and carport: one site
    assert all(d.split(";")[0] == "site_id" for d in school["defaulted"])
    # the template's own example row keeps its id, and nothing of it is said to be defaulted for the id
    example = res.clean[res.clean["name"] == "竹山县人民政府"]
    assert set(example["site_id"]) == {"ZS001"} and not any("site_id" in d for d in example["defaulted"])


def test_blank_id_cell_gives_the_id_the_absent_column_gives(tmp_path):
    rows = [[1, None, "竹山县人民医院", "医院", "竹山县", 110.2402, 32.2301, 2600, None, 0.65],
            [2, None, "房县实验小学", "学校", "房县", 110.7419, 32.0556, 3100, 400, 0.62]]
    with_col = read_inventory(gb_csv(tmp_path / "a.csv", HEADER, rows))
    no_col = read_inventory(gb_csv(tmp_path / "b.csv", [h for h in HEADER if h != "单位编号"],
                                   [[v for j, v in enumerate(r) if j != 1] for r in rows]))
    assert len(with_col.rejects) == len(no_col.rejects) == 0
    assert with_col.clean["site_id"].tolist() == no_col.clean["site_id"].tolist() == \
        [nid("竹山县人民医院", ZHUSHAN), nid("房县实验小学", FANGXIAN), nid("房县实验小学", FANGXIAN)]
    assert with_col.clean["defaulted"].str.startswith("site_id").all()


def test_half_blank_ids_keep_given_ids_and_reject_rows_with_neither(tmp_path):
    rows = [[1, "FX-007", "房县人民医院", "医院", "房县", 110.7419, 32.0556, 5000, None, None],
            [2, None, "房县人民医院", "医院", "房县", 110.7425, 32.0560, None, 800, None],  # carport row, id left out
            [3, None, "房县实验小学", "学校", "房县", 110.7500, 32.0600, 3000, None, None],
            [4, None, None, "学校", "房县", 110.7500, 32.0600, 1000, None, None]]
    res = read_inventory(gb_csv(tmp_path / "half.csv", HEADER, rows))
    assert res.rejects["source_row"].tolist() == [5]  # line 5: row 4, neither id nor name
    assert "单位名称" in res.rejects["reason"].iat[0] and "单位编号" in res.rejects["reason"].iat[0]
    by_row = res.clean.groupby("source_row")["site_id"].first()
    assert by_row[2] == "FX-007"
    assert by_row[3] == "FX-007"  # the same unit's other row carries FX-007: it joins it
    assert by_row[4] == nid("房县实验小学", FANGXIAN)
    assert res.n_clean_rows + len(res.rejects) + len(res.skipped) == res.n_input == 4


def test_all_blank_id_column_rejects_nothing(tmp_path):
    rows = [[k, "", f"单位{k}", "党政机关", "竹山县", 110.2 + k / 100, 32.2, 1000, None, None] for k in range(1, 6)]
    res = read_inventory(gb_csv(tmp_path / "blank.csv", HEADER, rows))
    assert len(res.rejects) == 0 and res.clean["site_id"].nunique() == 5


def test_same_name_in_two_counties_is_two_sites_and_roof_plus_carport_one(tmp_path):
    """城关镇中心卫生院 in 竹山县 and in 房县 (about 50 km apart); each has a roof row and a carport row."""
    rows = [[1, None, "城关镇中心卫生院", "医院", "竹山县", 110.2287, 32.2248, 1200, None, None],
            [2, None, "城关镇中心卫生院", "医院", "竹山县", 110.2290, 32.2251, None, 300, None],
            [3, None, "城关镇中心卫生院", "医院", "房县", 110.7419, 32.0556, 900, None, None],
            [4, None, "城关镇中心卫生院", "医院", "十堰市房县", 110.7421, 32.0559, None, 250, None]]
    res = read_inventory(gb_csv(tmp_path / "hubei.csv", HEADER, rows))
    assert len(res.rejects) == 0
    sites = res.clean.groupby("site_id")["source_row"].apply(lambda s: sorted(set(s)))
    assert dict(sites) == {nid("城关镇中心卫生院", ZHUSHAN): [2, 3], nid("城关镇中心卫生院", FANGXIAN): [4, 5]}
    assert not any("WARNING" in m for m in res.messages)


def test_explicit_ids_are_never_changed(tmp_path):
    rows = [[1, "HB-1", "实验小学", "学校", "竹山县", 110.2287, 32.2248, 1200, None, None],
            [2, "HB-1", "实验小学", "学校", "房县", 110.7419, 32.0556, 900, None, None]]
    res = read_inventory(gb_csv(tmp_path / "given.csv", HEADER, rows))
    assert set(res.clean["site_id"]) == {"HB-1"}
    assert not any("site_id" in d for d in res.clean["defaulted"])


def _distance_km(a, b):
    return Geod(ellps="WGS84").inv(a[0], a[1], b[0], b[1])[2] / 1000


def test_generated_id_over_rows_far_apart_warns_with_id_name_and_distance(tmp_path):
    """No id, no county, no address: only names and coordinates. The two 城关镇中心卫生院 stay one site (the
    reader cannot tell them apart), with a warning naming the id, the name and the distance."""
    zs, fx = (110.2287, 32.2248), (110.7419, 32.0556)
    head = ["单位名称", "单位类型", "经度", "纬度", "屋顶可利用面积（㎡）"]
    rows = [["城关镇中心卫生院", "医院", *zs, 1200], ["城关镇中心卫生院", "医院", *fx, 900],
            ["竹山县第一中学", "学校", 110.2351, 32.2210, 4200],
            ["竹山县第一中学", "学校", 110.2390, 32.2240, 600]]  # second building of the school, ~0.5 km away
    res = read_inventory(gb_csv(tmp_path / "names.csv", head, rows))
    sid = nid("城关镇中心卫生院")  # no place in the row: the id of earlier versions, from the name only
    assert set(res.clean["site_id"]) == {sid, nid("竹山县第一中学")}
    warn = [m for m in res.messages if m.startswith("WARNING")]
    assert len(warn) == 1 and sid in warn[0] and "城关镇中心卫生院" in warn[0]
    km = _distance_km(zs, fx)  # ~51.8 km; the reader's great circle differs from the geodesic by < 0.5 %
    m = re.search(rf"{sid} '城关镇中心卫生院' lines 2 and 3 (\d+) km apart", warn[0])
    assert m, warn[0]
    shown = float(m.group(1))
    assert shown == pytest.approx(km, abs=1.0)
    notes = res.clean.loc[res.clean["site_id"] == sid, "notes"]
    assert notes.str.contains(f"{round(km)} km apart").all()
    assert not res.clean.loc[res.clean["name"] == "竹山县第一中学", "notes"].fillna("").str.contains("apart").any()
    assert _distance_km((110.2351, 32.2210), (110.2390, 32.2240)) < FAR_APART_KM


def test_rows_placed_at_a_county_centre_are_not_called_far_apart(tmp_path):
    """One unit, one row with coordinates at its site, one placed at the county seat from the address:
    their distance is within the gazetteer's stated precision, so no warning."""
    head = ["单位名称", "单位类型", "地址", "经度", "纬度", "屋顶可利用面积（㎡）"]
    rows = [["竹山县宝丰镇中心学校", "学校", "湖北省十堰市竹山县宝丰镇", 110.0400, 32.1100, 2000],
            ["竹山县宝丰镇中心学校", "学校", "湖北省十堰市竹山县", None, None, 500]]
    res = read_inventory(gb_csv(tmp_path / "centroid.csv", head, rows))
    assert res.clean["site_id"].nunique() == 1 and len(res.rejects) == 0
    assert not any(m.startswith("WARNING") for m in res.messages)


@pytest.mark.parametrize("cell", ["0.6", "0.6元", "0.6元/kWh", "0.6元/度", "0.60 元/千瓦时", "0.6 元/kW·h",
                                  "60分/千瓦时", "０.６元／度", "0.6元每度"])
def test_tariff_written_with_its_unit(cell):
    assert parse_value(cell, "tariff").value == pytest.approx(0.6, rel=1e-12)


@pytest.mark.parametrize("cell", ["0.6万元", "0.6kWh", "0.6m2"])
def test_tariff_with_a_unit_of_another_kind_is_not_read(cell):
    with pytest.raises(Exception, match="CNY/kWh"):
        parse_value(cell, "tariff")


def test_tariff_column_as_people_fill_it(tmp_path):
    rows = [[1, "A1", "竹山县人民政府", "党政机关", "竹山县", 110.2287, 32.2248, 1500, None, "0.6元"],
            [2, "A2", "竹山县第一中学", "学校", "竹山县", 110.2351, 32.2210, 4200, None, "0.60 元/千瓦时"],
            [3, "A3", "竹山县人民医院", "医院", "竹山县", 110.2402, 32.2301, 2600, None, "0.58元/度"],
            [4, "A4", "竹山县图书馆", "场馆", "竹山县", 110.2250, 32.2222, 800, None, "待定"],
            [5, "A5", "竹山县疾控中心", "医院", "竹山县", 110.2190, 32.2265, 600, None, "65"]]
    res = read_inventory(gb_csv(tmp_path / "tariffs.csv", HEADER, rows))
    t = res.clean.groupby("site_id")["tariff_cny_per_kwh"].first()
    assert t["A1"] == pytest.approx(0.6) and t["A2"] == pytest.approx(0.6) and t["A3"] == pytest.approx(0.58)
    # 待定: the row is kept, the tariff left to the default, and both notes and defaulted say so
    a4 = res.clean[res.clean["site_id"] == "A4"].iloc[0]
    assert np.isnan(a4["tariff_cny_per_kwh"]) and "tariff_cny_per_kwh" in a4["defaulted"].split(";")
    assert "待定" in a4["notes"]
    assert any("tariff_cny_per_kwh 1" in m for m in res.messages)
    # 65 is a number outside (0, 10] 元/kWh (written in 分?): a statement that is wrong, still rejected
    assert res.rejects["site_id"].tolist() == ["A5"] and res.rejects["column"].tolist() == ["tariff_cny_per_kwh"]


@pytest.mark.parametrize("header,cell,expected", [("电价（元/度）", 0.61, 0.61), ("电价（分/kWh）", 61, 0.61),
                                                  ("电价（元）", "0.61", 0.61), ("平均电价（元/千瓦时）", "0.61元", 0.61)])
def test_tariff_unit_in_the_header(tmp_path, header, cell, expected):
    head = ["单位编号", "单位名称", "经度", "纬度", "面积", header]
    res = read_inventory(gb_csv(tmp_path / "h.csv", head, [["B1", "房县人民政府", 110.74, 32.06, 1000, cell]]))
    assert len(res.rejects) == 0
    assert res.clean["tariff_cny_per_kwh"].iat[0] == pytest.approx(expected, rel=1e-12)


def test_unreadable_optional_cells_are_defaulted_but_not_required_ones(tmp_path):
    head = ["单位编号", "单位名称", "经度", "纬度", "屋顶可利用面积（㎡）", "安装倾角", "方位角"]
    rows = [["C1", "竹山县人民政府", 110.2287, 32.2248, 1500, "不详", "待定"],
            ["C2", "竹山县第一中学", 110.2351, 32.2210, "很大", 10, 180]]
    res = read_inventory(gb_csv(tmp_path / "opt.csv", head, rows))
    c1 = res.clean[res.clean["site_id"] == "C1"].iloc[0]
    assert {"surface_tilt", "surface_azimuth"} <= set(c1["defaulted"].split(";"))
    assert c1["orientation_source"] == "default"
    assert res.rejects["site_id"].tolist() == ["C2"] and res.rejects["column"].iat[0] == "area_m2"


def test_cli_validate_on_the_filled_template(tmp_path, capsys):
    p = template_with_rows(tmp_path / "tpl_filled.xlsx", [SCHOOL, [3, "", None, "学校", "平屋面", "", 110.3, 32.2,
                                                                  100, None, None, "0.6元", ""]])
    assert main(["inventory", "validate", str(p), "--out", str(tmp_path / "chk"), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "3 rows read: 2 clean + 1 rejected" in text
    assert "site_id is empty" not in text
    rej = pd.read_csv(tmp_path / "chk" / "rejects.csv", encoding="utf-8-sig")
    assert rej["source_row"].tolist() == [4]
