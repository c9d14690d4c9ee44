"""`simulate` and `packages` read a register as `inventory validate` does: --sheet, --header-row, --coords,
--layer; and they write the skipped rows (totals, sign-off lines) beside the rejects."""
from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest

from solarplan.app.cli import main

HEADER = ["序号", "单位编号", "单位名称", "单位类型", "经度", "纬度", "屋顶可利用面积（㎡）"]
# coordinates as read off Gaode (GCJ-02) in 竹山县
Y2024 = [[1, "ZS01", "竹山县人民政府", "党政机关", 110.2345, 32.2226, 1500],
         [2, "ZS02", "竹山县第一中学", "学校", 110.2409, 32.2188, 4200],
         [3, "ZS03", "竹山县人民医院", "医院", 110.2460, 32.2279, 2600]]


def register(path):
    """An instructions sheet, last year's sheet, then this year's: title and 填报单位 above the header
    (row 3), a 合计 row and a 填报人 line below the data."""
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["每个单位填一行；坐标取自高德地图。"])
    old = wb.create_sheet("2023年")
    old.append(HEADER)
    old.append([1, "ZS09", "竹山县档案馆", "党政机关", 110.2300, 32.2200, 500])
    ws = wb.create_sheet("2024年")
    ws.append(["竹山县公共机构屋顶光伏资源登记表（2024年）"])
    ws.append(["填报单位：竹山县机关事务服务中心"])
    ws.append(HEADER)
    for r in Y2024:
        ws.append(r)
    ws.append([None, None, "合计", None, None, None, 8300])
    ws.append(["填报人：张三"])
    wb.save(path)
    return path


READER = ["--sheet", "2024年", "--header-row", "3", "--coords", "gcj02"]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    d = tmp_path_factory.mktemp("reader")
    p = register(d / "登记表.xlsx")
    assert main(["inventory", "validate", str(p), "--out", str(d / "chk"), *READER]) == 0
    return p, d, pd.read_csv(d / "chk" / "surfaces_clean.csv", encoding="utf-8-sig")


def _offset_m(lon1, lat1, lon2, lat2):
    dy = (lat2 - lat1) * 111_320
    dx = (lon2 - lon1) * 111_320 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


def test_simulate_reads_with_the_options_of_validate_and_writes_skipped(checked):
    p, d, clean = checked
    out = d / "sim" / "sites.csv"
    assert main(["simulate", str(p), "--out", str(out), "--surfaces-out", str(d / "sim" / "surfaces.csv"),
                 *READER]) == 0
    surf = pd.read_csv(d / "sim" / "surfaces.csv", encoding="utf-8-sig")
    assert surf["site_id"].tolist() == ["ZS01", "ZS02", "ZS03"]  # the 2024 sheet, not 2023's ZS09
    assert surf["lon"].tolist() == pytest.approx(clean["lon"].tolist(), abs=1e-9)
    assert surf["lat"].tolist() == pytest.approx(clean["lat"].tolist(), abs=1e-9)
    # GCJ-02 is offset from WGS84 by a few hundred metres in inland China: the points moved by that much
    for (_, r), given in zip(surf.iterrows(), Y2024):
        assert 100 < _offset_m(given[4], given[5], r["lon"], r["lat"]) < 1000
    skipped = pd.read_csv(d / "sim" / "sites_skipped.csv", encoding="utf-8-sig")
    assert sorted(skipped["kind"]) == ["footer", "total"] and sorted(skipped["source_row"]) == [7, 8]


def test_packages_reads_with_the_options_of_validate_and_writes_skipped(checked):
    p, d, clean = checked
    out = d / "pk"
    assert main(["packages", str(p), "--out", str(out), *READER]) == 0
    sites = pd.read_csv(out / "sites.csv", encoding="utf-8-sig")
    assert sorted(sites["site_id"]) == ["ZS01", "ZS02", "ZS03"]
    skipped = pd.read_csv(out / "skipped.csv", encoding="utf-8-sig")
    assert sorted(skipped["kind"]) == ["footer", "total"]


@pytest.mark.parametrize("cmd", ["simulate", "packages"])
def test_unknown_coords_is_one_message(checked, cmd, capsys):
    p, d, _ = checked
    out = d / f"bad_{cmd}" / ("sites.csv" if cmd == "simulate" else "")
    assert main([cmd, str(p), "--out", str(out), "--coords", "wgs-84"]) != 0
    err = capsys.readouterr()
    assert "--coords 'wgs-84' is not known" in err.out + err.err and "Traceback" not in err.out + err.err
