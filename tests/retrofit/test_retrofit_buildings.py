"""The buildings table: bad input gives clear messages and nothing is lost; the CLI and the demo."""
from __future__ import annotations

import pandas as pd
import pytest

from retrofit.buildings import validate_buildings
from solarplan.app.cli import main
from solarplan.io.tables import read_results

GOOD = "site_id,category,floor_area_m2,lat,lon\nOK,机关,1000,32.6,110.8\n"


@pytest.mark.parametrize("line, column, words", [
    ("A,学校,-5,32.6,110.8", "floor_area_m2", "must be > 0"),
    ("B,警察局,100,32.6,110.8", "category", "unknown category"),
    ("C,机关,abc,32.6,110.8", "floor_area_m2", "must be a number"),
    ("D,机关,,32.6,110.8", "floor_area_m2", "floor_area_m2 is empty"),
    (",机关,100,32.6,110.8", "site_id", "site_id is empty"),
])
def test_bad_rows_named_by_building_and_column(tmp_path, line, column, words):
    f = tmp_path / "b.csv"
    f.write_text(GOOD + line + "\n", encoding="utf-8")
    assert main(["retrofit", str(f), "--out", str(tmp_path / "r.csv")]) == 0
    rej = pd.read_csv(tmp_path / "r_rejects.csv", dtype=str, keep_default_na=False)
    out = pd.read_csv(tmp_path / "r.csv", dtype=str)
    assert len(rej) == 1 and rej["column"][0] == column and words in rej["reason"][0]
    assert rej["reason"][0].startswith("line 3:")
    assert set(out["site_id"]) == {"OK"}


@pytest.mark.parametrize("extra, value, column, words", [
    ("chiller_cop", "0", "chiller_cop", "must be > 0"),
    ("chiller_cop", "-3", "chiller_cop", "must be > 0"),
    ("chiller_iplv", "五", "chiller_iplv", "must be a number"),
    ("lift_usage_category", "7", "lift_usage_category", "usage category 1-6"),
    ("heating_plant", "geothermal", "heating_plant", "valid: gas_boiler"),
    ("fixture_type", "t12", "fixture_type", "valid: t8_36w_magnetic"),
    ("measures", "solar", "measures", "valid: gshp, led, chiller, lift"),
    ("occupancy_sensors", "maybe", "occupancy_sensors", "yes or no"),
    ("electricity_kwh_2023", "-1", "electricity_kwh_2023", ">= 0"),
])
def test_bad_equipment_values(extra, value, column, words):
    raw = pd.DataFrame([{"site_id": "X", "building_id": "X-main", "category": "agency", "floor_area_m2": "500",
                         extra: value}])
    res = validate_buildings(raw, [2], "b.csv", "line")
    assert res.clean.empty and len(res.rejects) == 1
    r = res.rejects.iloc[0]
    assert r["building_id"] == "X-main" and r["column"] == column and words in r["reason"]


def test_chinese_headers_and_bills_averaged():
    raw = pd.DataFrame({"单位编号": ["S1"], "单位类型": ["医院"], "建筑面积": ["8,000"], "供暖方式": ["燃气锅炉"],
                        "制冷方式": ["冷水机组"], "electricity_kwh_2022": ["900000"],
                        "electricity_kwh_2023": ["1100000"], "灯具类型": ["t8_36w_magnetic"], "灯具数量": ["1200"]})
    res = validate_buildings(raw, [2])
    r = res.clean.iloc[0]
    assert (r["category"], r["floor_area_m2"], r["heating_plant"], r["cooling_plant"]) == \
        ("hospital", 8000.0, "gas_boiler", "chiller")
    assert r["electricity_kwh"] == 1_000_000 and r["electricity_kwh_years"] == 2
    assert r["fixture_count"] == 1200


def test_building_ids_count_within_a_site():
    raw = pd.DataFrame({"site_id": ["A", "A", "B"], "floor_area_m2": [1, 2, 3]})
    assert list(validate_buildings(raw, [2, 3, 4]).clean["building_id"]) == ["A-B1", "A-B2", "B-B1"]


def test_missing_file_is_one_clear_message(tmp_path, capsys):
    assert main(["retrofit", str(tmp_path / "none.csv"), "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err


def test_buildings_without_a_place_are_rejected_or_placed(tmp_path):
    f = tmp_path / "b.xlsx"
    pd.DataFrame({"site_id": ["A", "B"], "category": ["school", "agency"], "floor_area_m2": [1000, 2000],
                  "lat": [32.6, None], "lon": [110.8, None]}).to_excel(f, index=False)
    assert main(["retrofit", str(f), "--out", str(tmp_path / "r.xlsx")]) == 0
    rej = pd.read_csv(tmp_path / "r_rejects.csv")
    assert list(rej["site_id"]) == ["B"] and "--location" in rej["reason"][0]
    assert main(["retrofit", str(f), "--out", str(tmp_path / "r2.xlsx"), "--location", "十堰"]) == 0
    out = read_results(tmp_path / "r2.xlsx", "retrofit")
    assert set(out["site_id"]) == {"A", "B"}


def test_demo_buildings_every_row_accounted_and_defaults_named(tmp_path):
    from solarplan.io.config import load_config
    from solarplan.app.pipeline import DEMO_BUILDINGS, retrofit_step
    from solarplan.core.resources import data_path
    table, step = retrofit_step(data_path(DEMO_BUILDINGS), tmp_path / "retrofit.csv", load_config(None))
    src = pd.read_csv(data_path(DEMO_BUILDINGS))
    assert set(table["building_id"]) == set(src["building_id"])
    assert {"gshp", "led", "chiller", "lift"} <= set(table["measure"])
    # buildings without a fixture inventory say the lighting power density was used
    no_fix = set(src.loc[src["fixture_type"].isna(), "building_id"])
    led = table[table["measure"] == "led"].set_index("building_id")
    assert led.loc[sorted(no_fix), "defaulted"].str.contains("lighting power density").all()
    # a GSHP and a new chiller both replace the chiller: only one of them is counted
    hv = table[table["measure"].isin(["gshp", "chiller"])]
    assert (hv.groupby("building_id")["counted"].sum() <= 1).all()
    assumptions = pd.read_csv(tmp_path / "retrofit_assumptions.csv")
    assert {"prices", "gshp", "lighting", "chiller", "factors"} <= set(assumptions["group"])
    assert "节约标煤" in step.summary and "万kWh" in step.summary   # zh by default
