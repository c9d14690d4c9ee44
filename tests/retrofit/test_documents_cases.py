"""The documents' retrofit cases (shared/context/seeds/001 and 002), run with the documented method
through the public functions (solarplan.evaluate_buildings on the real CSWD year, GB 50736-2012 design
temperatures), each against its published figure with a stated tolerance. docs/retrofit.md explains the
residuals.

* Yunyang 郧阳 (seeds/002): 聚鑫大厦, ~10,000 m² of offices on shallow geothermal heating and cooling,
  "相较传统空调系统可实现年节约用电40%"; seeds/001: the same project with smart terminal control,
  "每年可节约标煤238吨，减少碳排放593吨".
* Hubei Academy of Agricultural Sciences 湖北省农业科学院 (seeds/002): the administration building's central
  air conditioning on groundwater-source heat pumps "通过智能分时、分段控制，每年可节电20%至30%"; the
  administration building and canteen relit with LED, "实现节能30%以上".
"""
from __future__ import annotations

import pandas as pd
import pytest

import solarplan
from retrofit.buildings import validate_buildings
from solarplan.core.factors import grid_factor, kwh_to_co2_t, tce_factor
from solarplan.planning.indicators import quotas

SEEDS_YUNYANG = dict(area_m2=10000.0, electricity_share=0.40, tce=238.0, co2_t=593.0)
SEEDS_HAAS = dict(heat_pump=(0.20, 0.30), led_min=0.30)
#: The Chinese convention "1 tce saved = 2.493 t CO2 avoided" (coal burnt; e.g. the statistics bulletins'
#: 节约1吨标准煤减排2.493吨二氧化碳), written out here to test where 593 comes from.
CO2_PER_TCE_CONVENTION = 2.493


def _evaluate(rows, epw):
    raw = pd.DataFrame(rows)
    res = validate_buildings(raw, list(range(2, 2 + len(raw))))
    assert len(res.clean) == len(raw), res.rejects
    return solarplan.evaluate_buildings(res.clean, solarplan.load_config(None), str(epw)).set_index("site_id")


@pytest.fixture(scope="module")
def yunyang(tmp_path_factory):
    from tests.conftest import shared_weather_dir
    epw = shared_weather_dir() / "CHN_Hubei.Yunxi.572510_CSWD.epw"   # 郧西, the CSWD station of Shiyan nearest Yunyang
    rows = [dict(site_id=f"YY-{h}", name="聚鑫大厦", category="agency", floor_area_m2=SEEDS_YUNYANG["area_m2"],
                 lat=32.83, lon=110.81, city="十堰", heating_plant=h, cooling_plant=c, measures="gshp")
            for h, c in (("split_ac", "split_ac"), ("ashp", "ashp"))]
    return _evaluate(rows, epw)


def test_yunyang_gshp_electricity_share(yunyang):
    # "traditional air conditioning" read as old split units (seasonal COP 2.0 heating, EER 2.8 cooling).
    # Published 40 %; the heat pump alone gives 27 %. Tolerance: 15 percentage points below the published
    # figure and never above it, because the published saving also includes the smart terminal control
    # (scheduled on/off, thermostats) of seeds/001, which this method does not model: 40 % needs it to save
    # a further (1 - 0.60 / 0.73) = 18 % of the heat pump's electricity.
    r = yunyang.loc["YY-split_ac"]
    share = r["saved_electricity_kwh"] / r["baseline_electricity_kwh"]
    assert SEEDS_YUNYANG["electricity_share"] - 0.15 <= share < SEEDS_YUNYANG["electricity_share"], share
    assert r["design_source"].startswith("GB 50736-2012 Appendix A: 十堰")
    # a central air-source heat pump (2.5 / 2.8) as the "traditional" plant is further still from 40 %
    a = yunyang.loc["YY-ashp"]
    assert a["saved_electricity_kwh"] / a["baseline_electricity_kwh"] < share


def test_yunyang_238_tce_and_593_t_co2_disagree(yunyang):
    tce, co2 = SEEDS_YUNYANG["tce"], SEEDS_YUNYANG["co2_t"]
    # 238 tce of electricity on the calorific basis the statistics use is 1.94 GWh, which at the grid factor
    # (national 2023, 0.5306) is 1,028 t CO2, not 593: the pair is off by 42 % (tolerance: none, a mismatch)
    kwh = tce * 1000 / tce_factor("calorific").value
    assert kwh == pytest.approx(1.9365e6, rel=1e-3)
    assert float(kwh_to_co2_t(kwh)) == pytest.approx(1027.5, rel=1e-3)
    assert abs(float(kwh_to_co2_t(kwh)) / co2 - 1) > 0.4
    # on the generation basis (0.30 kgce/kWh) it is 0.79 GWh and 421 t: off the other way
    kwh_gen = tce * 1000 / tce_factor("generation").value
    assert float(kwh_to_co2_t(kwh_gen)) == pytest.approx(421.0, rel=2e-3)
    # 593 is 238 x 2.493, the coal-burnt convention, within the rounding of the published figures (0.1 %)
    assert co2 / tce == pytest.approx(CO2_PER_TCE_CONVENTION, rel=1e-3)
    # and neither is this building's: 40 % of HVAC electricity worth 238 tce means 4.84 GWh of HVAC, 484
    # kWh/m2, about seven times the whole-building office quota; the method gives about 11 tce and 46 t
    q = quotas()
    office = float(q[(q["category"] == "agency") & (q["indicator"] == "electricity_kwh_per_m2")]
                   ["constraint_value"].max())
    assert kwh / SEEDS_YUNYANG["electricity_share"] / SEEDS_YUNYANG["area_m2"] > 5 * office
    r = yunyang.loc["YY-split_ac"]
    assert r["saved_tce"] == pytest.approx(10.7, rel=0.05) and r["saved_co2_t"] == pytest.approx(46.1, rel=0.05)
    assert r["saved_co2_t"] == pytest.approx(r["saved_electricity_kwh"] * grid_factor().value / 1000, rel=1e-9)


@pytest.fixture(scope="module")
def haas():
    from tests.conftest import shared_weather_dir
    epw = shared_weather_dir() / "CHN_Hubei.Wuhan.574940_CSWD.epw"
    base = dict(name="湖北省农业科学院行政楼", category="agency", floor_area_m2=10000.0, lat=30.48, lon=114.32,
                city="武汉")
    rows = [dict(base, site_id=f"HP-{h}", heating_plant=h, cooling_plant=c, measures="gshp")
            for h, c in (("ashp", "ashp"), ("split_ac", "split_ac"))]
    rows += [dict(base, site_id=f"LED-{f}", fixture_type=f, fixture_count=1000, measures="led")
             for f in ("t8_36w_magnetic", "t8_36w_electronic", "t5_28w", "cfl_18w")]
    rows += [dict(base, site_id="LED-lpd", measures="led"), dict(base, site_id="LED-canteen", category="other",
                                                                 measures="led")]
    return _evaluate(rows, epw)


@pytest.mark.parametrize("plant", ["ashp", "split_ac"])
def test_haas_water_source_heat_pump_20_to_30_percent(haas, plant):
    # Published 20-30 % with time-of-day and zone control. The replaced central plant is not stated:
    # an air-source heat pump (the usual central system of a Wuhan office) gives 19.2 %, old split units
    # 26.2 %. Tolerance: the published range widened by 1 point at its lower end, the share the
    # unmodelled time control must at least add.
    lo, hi = SEEDS_HAAS["heat_pump"]
    r = haas.loc[f"HP-{plant}"]
    share = r["saved_electricity_kwh"] / r["baseline_electricity_kwh"]
    assert lo - 0.01 <= share <= hi, share
    assert r["design_source"].startswith("GB 50736-2012 Appendix A: 武汉")


@pytest.mark.parametrize("site", ["LED-t8_36w_magnetic", "LED-t8_36w_electronic", "LED-t5_28w", "LED-cfl_18w",
                                  "LED-lpd", "LED-canteen"])
def test_haas_led_over_30_percent(haas, site):
    # Published "over 30 %" is a floor; the method gives 38 % (lighting power density 13 -> 8 W/m2) to
    # 62 % (T8 on magnetic ballasts), all above it. Tolerance: none, the published figure is a bound.
    r = haas.loc[site]
    assert r["saved_electricity_kwh"] / r["baseline_electricity_kwh"] > SEEDS_HAAS["led_min"]
