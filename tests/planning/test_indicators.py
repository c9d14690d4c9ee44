"""Indicators: per person and per m², before and after, by hand; headers follow --lang wherever written."""
from __future__ import annotations

import pandas as pd
import pytest

from solarplan.app.cli import main
from solarplan.core.errors import ConfigError
from solarplan.planning.indicators import headers, indicators, register

#: GB/T 2589-2020 calorific equivalents, written out here: electricity 0.1229 kgce/kWh, gas 1.2143 kgce/m3
KGCE_KWH, KGCE_M3 = 0.1229, 1.2143


def small():
    inst = pd.DataFrame({"site_id": ["A", "A", "B"], "name": ["甲", "甲", "乙"], "category": ["agency"] * 3,
                         "floor_area_m2": [4000.0, 1000.0, 2000.0], "electricity_kwh": [300000.0, 100000.0, 150000.0],
                         "gas_m3": [10000.0, 0.0, 0.0], "occupants": [200.0, None, 100.0],
                         "water_t": [6000.0, None, 2500.0]})
    retro = pd.DataFrame({"site_id": ["A", "A", "B"], "counted": [True, False, True],
                          "saved_electricity_kwh": [40000.0, 99999.0, 15000.0], "saved_gas_m3": [2000.0, 0, 0],
                          "saved_coal_kg": [0.0, 0, 0]})
    pv = pd.DataFrame({"site_id": ["A", "B"], "self_consumed_kwh": [60000.0, 20000.0]})
    return indicators(inst, retro, pv)


def test_indicators_by_hand():
    t = small().set_index("site_id")
    # site A: 400,000 kWh and 10,000 m3 before; the counted measure saves 40,000 kWh and 2,000 m3 (the
    # uncounted 99,999 kWh is not applied); PV self-consumption 60,000 kWh; 5,000 m2, 200 people
    before = 400000 * KGCE_KWH + 10000 * KGCE_M3
    after = 360000 * KGCE_KWH + 8000 * KGCE_M3
    after_pv = 300000 * KGCE_KWH + 8000 * KGCE_M3
    assert t.loc["A", "kgce_per_person_before"] == pytest.approx(before / 200, rel=1e-12)
    assert t.loc["A", "kgce_per_m2_retrofit"] == pytest.approx(after / 5000, rel=1e-12)
    assert t.loc["A", "kgce_per_m2_retrofit_pv"] == pytest.approx(after_pv / 5000, rel=1e-12)
    assert t.loc["A", "kwh_per_m2_retrofit_pv"] == pytest.approx(300000 / 5000, rel=1e-12)
    # the register: sums over institutions, then the ratios (not a mean of ratios)
    all_before = before + 150000 * KGCE_KWH
    assert t.loc["ALL", "kgce_per_person_before"] == pytest.approx(all_before / 300, rel=1e-12)
    assert t.loc["ALL", "water_t_per_person"] == pytest.approx(8500 / 300, rel=1e-12)
    assert t.loc["A", "retrofit_measures_counted"] == 1 and t.loc["A", "retrofit_measures_left_out"] == 1


@pytest.mark.parametrize("lang,person,stage", [("zh", "人均综合能耗[kgce/人](现状)", "改造+光伏后"),
                                               ("en", "Energy per person [kgce/person], before",
                                                "after retrofit and PV")])
def test_headers_and_register_follow_the_language(lang, person, stage):
    t = small()
    h = headers(t, lang)
    assert person in h.columns
    assert h[person].iloc[-1] == pytest.approx(t["kgce_per_person_before"].iloc[-1])
    reg = register(t, lang)
    assert stage in reg.columns and len(reg) == 5
    assert reg.iloc[0, 2] == pytest.approx(t["kgce_per_person_before"].iloc[-1])
    assert reg.iloc[1, 4] == pytest.approx(t["kgce_per_m2_retrofit_pv"].iloc[-1])
    with pytest.raises(ConfigError, match="zh or en"):
        headers(t, "fr")


@pytest.mark.parametrize("lang,col,sheet", [("zh", "单位建筑面积能耗[kgce/m²](改造后)", "全部汇总"),
                                            ("en", "Energy per m² [kgce/m²], after retrofit", "register")])
def test_retrofit_command_writes_indicators_in_its_language(tmp_path, lang, col, sheet):
    f = tmp_path / "b.csv"
    f.write_text("site_id,name,category,floor_area_m2,lat,lon,electricity_kwh,occupants,fixture_type,fixture_count,"
                 "measures\nA,某局,机关,5000,32.6,110.8,400000,250,t8_36w_magnetic,800,led\n", encoding="utf-8")
    args = ["retrofit", str(f), "--out", str(tmp_path / "r.csv")] + ([] if lang == "zh" else ["--lang", "en"])
    assert main(args) == 0
    xl = pd.ExcelFile(tmp_path / "r_indicators.xlsx")
    assert sheet in xl.sheet_names and len(xl.sheet_names) == 2
    t = pd.read_excel(tmp_path / "r_indicators.xlsx", sheet_name=0)  # the workbook speaks the language; the CSV keeps the field names
    assert col in t.columns
    # the LED retrofit lowers the register's energy per m2
    assert t[col].iloc[-1] < t[col.replace("改造后", "现状").replace("after retrofit", "before")].iloc[-1]
    csv = pd.read_csv(tmp_path / "r_indicators.csv", encoding="utf-8-sig")
    assert csv["kgce_per_m2_retrofit"].iloc[-1] < csv["kgce_per_m2_before"].iloc[-1]
    assert len(pd.read_csv(tmp_path / "r_indicators_register.csv", encoding="utf-8-sig")) == 5
