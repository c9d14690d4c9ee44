"""PV economics against independent computations (numpy-financial and a hand-built table)."""
from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from solarplan.core import finance
from solarplan.core.errors import ConfigError
from solarplan.io.config import parse_section
from solarplan.pv.economics import EconomicParams, capex_by_surface, cash_flows, site_economics
from solarplan.core.loadprofile import CATEGORY_SHAPES, load_shape


@settings(max_examples=40, deadline=None)
@given(capex=st.floats(1e3, 1e7), income=st.floats(10, 1e6), rate=st.floats(0.0, 0.15), n=st.integers(5, 30))
def test_npv_irr_agree_with_numpy_financial(capex, income, rate, n):
    cf = np.array([-capex] + [income] * n)
    assert finance.npv(rate, cf) == pytest.approx(npf.npv(rate, cf), rel=1e-4, abs=1e-6)
    ours, ref = finance.irr(cf), npf.irr(cf)
    if np.isnan(ref):
        assert np.isnan(ours) or ours < -0.9
    else:
        assert ours == pytest.approx(ref, rel=1e-4, abs=1e-9)


def test_irr_undefined_when_cash_flows_never_change_sign():
    assert np.isnan(finance.irr(np.array([100.0, 50.0, 50.0])))
    assert np.isnan(finance.irr(np.array([-100.0, -5.0, -5.0])))



def test_irr_and_payback_of_many_rows_at_once():
    """Every row at once (a province's sites): each IRR equals numpy-financial's for that row, and each payback
    the year-by-year hand rule, on 300 random 25-year cash flows (one sign change, so one root by Descartes'
    rule and numpy-financial's root is the same one; IRRs from below 0 to above +50 %)."""
    rng = np.random.default_rng(4)
    cf = np.column_stack([-rng.uniform(1e4, 1e6, 300), rng.uniform(1e3, 2e5, (300, 25)) * rng.uniform(0.01, 1, (300, 1))])
    got = finance.irr(cf)
    ref = np.array([npf.irr(row) for row in cf])
    assert not np.isnan(ref).any() and ref.min() < 0 and ref.max() > 0.5
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12)
    cf[:, 13] -= 1.5e5  # an inverter replacement: some cumulative flows turn late or never
    for rate in (None, 0.05):
        flows = cf if rate is None else cf / 1.05 ** np.arange(26)
        hand = []
        for row in flows:
            cum = np.cumsum(row)
            t = int(np.argmax(cum >= 0))
            hand.append(np.nan if not (cum >= 0).any() else 0.0 if t == 0 else t - 1 + -cum[t - 1] / row[t])
        np.testing.assert_allclose(finance.payback_years(cf, rate), hand, rtol=1e-12)
    # two roots (10 % and 20 %): the lowest; exact roots found exactly
    assert finance.irr(np.array([-100.0, 230.0, -132.0])) == pytest.approx(0.1, abs=1e-12)
    assert finance.irr(np.array([-100.0, 100.0])) == 0.0
    assert finance.irr(np.array([-100.0, 110.0])) == pytest.approx(0.1, abs=1e-14)

def test_site_cash_flow_table_by_hand():
    # one 100 kWp flat-roof site: 100,000 kWh/yr, 80 % self-consumed at 0.65, exported at 0.4161
    p = EconomicParams(horizon_years=3, degradation_per_yr=0.01, inverter_replacement_year=2, discount_rate=0.05,
                       export_price_cny_per_kwh=0.4161)
    capex = capex_by_surface(pd.Series(["flat_roof"]), pd.Series([100.0]), p).iloc[0]
    assert capex == pytest.approx(320_000.0)  # 100 kWp x 3.2 CNY/W
    price = 0.8 * 0.65 + 0.2 * 0.4161  # 0.60322 CNY/kWh
    om, inv = 0.04 * 100_000, 0.15 * 100_000
    hand = [-320_000.0, 100_000 * price - om, 99_000 * price - om - inv, 98_010 * price - om]
    cf, energy, costs = cash_flows([100_000.0], [0.8], [0.65], [100.0], [1000.0], [capex], p)
    np.testing.assert_allclose(cf[0], hand, rtol=1e-12)
    sites = pd.DataFrame({"annual_ac_kwh": [100_000.0], "self_consumed_kwh": [80_000.0],
                          "tariff_cny_per_kwh": [0.65], "capacity_kwp": [100.0], "gross_area_m2": [1000.0],
                          "capex_cny": [capex]})
    e = site_economics(sites, p).iloc[0]
    assert e["npv_cny"] == pytest.approx(npf.npv(0.05, hand), rel=1e-4)
    assert np.isnan(e["irr"]) == np.isnan(npf.irr(hand))
    pv_costs = 320_000 + om / 1.05 + (om + inv) / 1.05 ** 2 + om / 1.05 ** 3
    pv_energy = 100_000 / 1.05 + 99_000 / 1.05 ** 2 + 98_010 / 1.05 ** 3
    assert e["lcoe_cny_per_kwh"] == pytest.approx(pv_costs / pv_energy, rel=1e-4)
    assert e["lifetime_kwh"] == pytest.approx(297_010.0)
    assert e["annual_tce"] == pytest.approx(100_000 * 0.1229 / 1000)


def test_long_horizon_irr_and_payback_by_hand():
    p = EconomicParams(export_price_cny_per_kwh=0.4161)  # the hand table below exports at 0.4161
    sites = pd.DataFrame({"annual_ac_kwh": [1.0e6], "self_consumed_kwh": [6.0e5], "tariff_cny_per_kwh": [np.nan],
                          "capacity_kwp": [1000.0], "gross_area_m2": [8000.0], "capex_cny": [3.2e6]})
    e = site_economics(sites, p).iloc[0]
    years = np.arange(1, 26)
    energy = 1.0e6 * 0.996 ** (years - 1)
    flows = energy * (0.6 * 0.65 + 0.4 * 0.4161) - 40_000 - np.where(years == 13, 150_000, 0)
    hand = np.concatenate([[-3.2e6], flows])
    assert e["irr"] == pytest.approx(npf.irr(hand), rel=1e-4)
    cum = np.cumsum(hand)
    t = int(np.argmax(cum >= 0))
    assert e["simple_payback_yr"] == pytest.approx(t - 1 + -cum[t - 1] / hand[t], rel=1e-9)


@pytest.mark.parametrize("category", CATEGORY_SHAPES)
def test_load_shapes_sum_to_one(category):
    w = load_shape(category)
    assert len(w) == 8760 and w.sum() == pytest.approx(1.0) and (w > 0).all()


def test_school_holidays_and_hospital_nights():
    school, hospital = load_shape("school"), load_shape("hospital")
    t = pd.date_range("2005-01-01", periods=8760, freq="h")
    noon_weekday = (t.hour == 11) & (t.day_of_week < 5)
    assert school[noon_weekday & (t.month == 8)].mean() < 0.3 * school[noon_weekday & (t.month == 5)].mean()
    assert hospital[t.hour == 3].mean() > 0.6 * hospital[t.hour == 11].mean()


def test_unknown_economics_key():
    with pytest.raises(ConfigError, match="discount; valid: .*discount_rate"):
        parse_section(EconomicParams, {"discount": 0.05}, "[economics]")
