"""Long-term borefield check (retrofit.ground): g-functions, the three-pulse temperatures, and the
flag that reaches the retrofit table."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import exp1

from retrofit import ground
from retrofit.climate import design_temperatures, monthly_shares
from retrofit.evaluate import RetrofitParams, evaluate
from solarplan.core.loadprofile import occupancy
from solarplan.weather import get_weather

P = ground.GroundParams()
ALPHA = P.conductivity_w_mk / (P.heat_capacity_mj_m3k * 1e6)


def line_source_g(t_h: float) -> float:
    """Infinite line source at the borehole wall, 0.5 E1(r_b^2 / 4 alpha t) (Ingersoll & Plass 1948)."""
    return 0.5 * exp1(P.borehole_radius_m ** 2 / (4 * ALPHA * t_h * 3600.0))


@pytest.mark.parametrize("t_h", [6.0, 24.0, 24.0 * 7])
def test_single_borehole_matches_the_line_source_at_short_times(t_h):
    # long before H^2/(9 alpha) (~18 years here) the ends of a 100 m borehole do not matter:
    # the finite line source of pygfunction must agree with the analytic infinite one within 1 %
    g = ground.gfunction(1, 1, 100.0, [t_h])[0]
    assert g == pytest.approx(line_source_g(t_h), rel=0.01)


def test_field_interaction_grows_with_time_and_size():
    t = [6.0, 730.0, 20 * 8760.0]
    one, small, big = (ground.gfunction(r, c, 100.0, t) for r, c in ((1, 1), (3, 3), (10, 10)))
    # at 6 h each borehole is alone; after 20 years neighbours add to each other's temperature change
    assert one[0] == pytest.approx(big[0], rel=1e-3)
    assert one[2] < small[2] < big[2]
    assert np.all(np.diff(big) > 0)


def test_three_pulse_constant_load_is_the_line_source():
    # one borehole under a constant 40 W/m extraction for a week: the three pulses collapse to one, and
    # T_f = T_g - q' g / (2 pi k) - q' R_b with the line source g (independent closed form)
    q, length, t_h = 4000.0, 100.0, 24.0 * 7
    g = ground.gfunction(1, 1, length, [t_h])[0]
    tf = ground.three_pulse(q, q, q, g, g, g, length, 15.0, P)
    expected = 15.0 - 40.0 * line_source_g(t_h) / (2 * np.pi * P.conductivity_w_mk) - 40.0 * P.borehole_resistance_mk_w
    # the finite and infinite line sources differ by < 1 % at a week (see above): 1 % of the 13 K drop
    assert tf == pytest.approx(expected, abs=0.01 * (15.0 - expected))


@pytest.mark.parametrize("count", [1, 2, 7, 36, 37, 217, 238])
def test_layout_holds_the_boreholes(count):
    rows, cols = ground.layout(count)
    assert rows * cols >= count and rows * cols - count < rows and abs(rows - cols) <= 1


def _month_loads(extracted, rejected):
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    winter = np.isin(np.arange(12), [0, 1, 11])
    summer = np.isin(np.arange(12), [5, 6, 7])
    return (extracted * winter * days / days[winter].sum(), rejected * summer * days / days[summer].sum())


def test_balanced_field_holds_and_unbalanced_field_warms():
    ext, rej = _month_loads(150_000.0, 150_000.0)
    balanced = ground.check_field(36, 100.0, ext, rej, 120.0, 180.0, 16.0)
    # equal heat in and out over the year: the field's temperatures barely move from year 1 to year 20
    assert abs(balanced.fluid_max_c - balanced.fluid_max_year1_c) < 0.3
    assert balanced.fluid_min_c < balanced.ground_c < balanced.fluid_max_c
    ext, rej = _month_loads(50_000.0, 400_000.0)
    hot = ground.check_field(36, 100.0, ext, rej, 40.0, 180.0, 16.0)
    # 350 MWh a year more heat in than out: the ground warms year by year and the cooling fluid with it
    assert hot.fluid_max_c - hot.fluid_max_year1_c > 3.0
    assert "cooling tower" in hot.flag and hot.fluid_max_c > P.max_fluid_c


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="12 values"):
        ground.check_field(10, 100.0, [1.0] * 11, [1.0] * 12, 1.0, 1.0, 15.0)
    with pytest.raises(ValueError, match="at least one borehole"):
        ground.check_field(0, 100.0, [1.0] * 12, [1.0] * 12, 1.0, 1.0, 15.0)


def test_monthly_shares_follow_the_seasons():
    t = get_weather("auto", 30.6, 114.3).weather.data["temp_air"].to_numpy()
    hd, cd = design_temperatures(t)
    h, c = monthly_shares(t, occupancy("agency"), hd, cd)
    assert h.sum() == pytest.approx(1.0) and c.sum() == pytest.approx(1.0)
    assert h[[0, 1, 11]].sum() > 0.7 and c[[5, 6, 7]].sum() > 0.7  # Wuhan: heating in Dec-Feb, cooling Jun-Aug


def test_the_check_reaches_the_retrofit_table():
    w = get_weather("auto", 30.6, 114.3).weather.data["temp_air"].to_numpy()
    b = pd.DataFrame([{"building_id": "B1", "site_id": "S1", "name": "武汉某机关办公楼", "category": "agency",
                       "floor_area_m2": 10000.0, "measures": "gshp,led"}])
    table = evaluate(b, {"B1": w}, RetrofitParams())
    gs = table[table["measure"] == "gshp"].iloc[0]
    led = table[table["measure"] == "led"].iloc[0]
    assert np.isfinite(gs["fluid_min_c"]) and np.isfinite(gs["fluid_max_c"])
    assert np.isnan(led["fluid_max_c"])
    # a Wuhan office rejects about four times the heat it extracts: the planning field overheats by year 20
    assert gs["fluid_max_c"] > 35.0 and "year 20" in gs["notes"]
    longer = evaluate(b, {"B1": w}, RetrofitParams(ground=ground.GroundParams(conductivity_w_mk=3.0)))
    assert longer[longer["measure"] == "gshp"]["fluid_max_c"].iloc[0] < gs["fluid_max_c"]


@pytest.mark.parametrize("count", [120, 238, 450, 600, 800])
def test_large_fields_are_interpolated_within_one_percent(count):
    # exact g-functions of 1000+ boreholes take seconds: larger fields interpolate between squares
    rows, cols = ground.layout(count)
    t = [6.0, 730.0, 8760.0, 20 * 8760.0]
    np.testing.assert_allclose(ground.gfunction(rows, cols, 100.0, t), ground.gfunction_exact(rows, cols, 100.0, t),
                               rtol=0.01)


def test_fields_beyond_the_ladder_err_warm():
    rows, cols = ground.layout(1500)
    t = [20 * 8760.0]
    approx, exact = ground.gfunction(rows, cols, 100.0, t)[0], ground.gfunction_exact(rows, cols, 100.0, t)[0]
    assert exact <= approx <= 1.03 * exact  # extrapolated: a little high, i.e. a slightly warmer field
