"""Time-of-use value, grid classes and modes, minimum shares, zero export, hosting: against hand-computed values.

The synthetic site: PV gives P kWh in each hour 08-16 of every day (8 h, nothing else), the load is a constant
L kWh every hour. Then, with L < P, each day self-consumes 8 L and has 8 (P - L) surplus; under Hubei's 2024
schedule hours 08-12 and 14-16 are flat (6 h) and 12-14 valley (2 h); the valley ratio is 0.45 on the 124 days
of January, July, August and December and 0.48 on the other 241 days.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from solarplan.core.loadprofile import MONTHLY_LOAD_COLUMNS, load_shape, measured_load, scale_to_months
from solarplan.pv import gridrules as gr
from solarplan.pv import tariffs as tf
from solarplan.pv.economics import EconomicParams, export_price_sensitivity, site_economics
from solarplan.pv.siteflows import GridParams, TariffParams, site_flows

P, L, TARIFF = 100.0, 50.0, 0.70
F = 0.556  # Hubei floating share shipped in data/tou_schedule_sources.csv


def pv_profile(p=P):
    day = np.zeros(24)
    day[8:16] = p
    return np.tile(day, 365)


def hubei_value(l_kwh):
    """Closed form: value of L kWh self-consumed in each hour 08-16 for a year at Hubei 2024 prices [CNY]."""
    valley = 124 * (1 - F + F * 0.45) + 241 * (1 - F + F * 0.48)
    return TARIFF * l_kwh * (6 * 365 + 2 * valley)


def test_hubei_schedule_hours_and_multiplier():
    s = tf.get_schedule("hubei_2024")
    assert s.hours_by_period() == {"critical": 730, "peak": 2190, "flat": 2920, "valley": 2920}
    jan_noon, jul_21, may_19 = 12, (181 + 9) * 24 + 21, (120 + 9) * 24 + 19  # hour indices (2005 calendar)
    assert s.multiplier[jan_noon] == pytest.approx(1 - F + F * 0.45)
    assert s.multiplier[jul_21] == pytest.approx(1 - F + F * 2.0)   # July critical peak 20-22
    assert s.multiplier[may_19] == pytest.approx(1 - F + F * 1.8)   # May critical peak 18-20
    assert tf.get_schedule("flat").multiplier == pytest.approx(np.ones(8760))


@pytest.mark.parametrize("name", ["hubei_2024", "henan_2024", "shanxi_2021", "sichuan_2025"])
def test_shipped_schedules_cover_every_hour_and_name_a_document(name):
    s = tf.get_schedule(name)
    assert sum(s.hours_by_period().values()) == 8760
    assert s.meta["document"] and s.meta["status"] in ("secondary", "estimate")


@pytest.mark.parametrize("rows, message", [
    ([("1-12", "flat", "0-23", 1.0)], "have no period"),
    ([("1-12", "flat", "0-24", 1.0), ("1", "peak", "18-19", 1.5)], "row 2: month 1 hour 18-19 is already given"),
    ([("1-12", "shoulder", "0-24", 1.0)], "unknown period 'shoulder'"),
    ([("1-13", "flat", "0-24", 1.0)], "outside 1-12"),
])
def test_bad_schedules_are_refused_with_the_row(rows, message):
    with pytest.raises(tf.ScheduleError, match=message):
        tf.schedule_from_rows([dict(months=m, period=p, hours=h, ratio=r) for m, p, h, r in rows])


def _inputs(tmp_path, load_kwh=L, quarter=False, **cols):
    f = tmp_path / ("load15.csv" if quarter else "load.csv")
    n = 35040 if quarter else 8760
    pd.DataFrame({"kwh": np.full(n, load_kwh / (4 if quarter else 1))}).to_csv(f, index=False)
    d = dict(capacity_kwp=[1000.0], annual_load_kwh=[np.nan], category=["agency"], tariff_cny_per_kwh=[TARIFF],
             load_profile_file=[str(f)], **{k: [v] for k, v in cols.items()})
    return pd.DataFrame(d, index=["S1"])


@pytest.mark.parametrize("quarter", [False, True])
def test_zero_export_curtailment_and_tou_value_closed_form(tmp_path, quarter):
    out = site_flows(pv_profile()[None, :], _inputs(tmp_path, quarter=quarter, zero_export="是"),
                     tf.get_schedule("hubei_2024"), GridParams(), 0.30, 0.65).iloc[0]
    assert out["curtailed_kwh"] == pytest.approx(365 * 8 * (P - L))
    assert out["curtailed_value_cny"] == pytest.approx(365 * 8 * (P - L) * 0.30)
    assert out["export_kwh"] == 0.0
    assert out["self_consumed_kwh"] == pytest.approx(365 * 8 * L)
    assert out["self_consumed_value_cny"] == pytest.approx(hubei_value(L), rel=1e-12)
    valley = TARIFF * L * 2 * (124 * (1 - F + F * 0.45) + 241 * (1 - F + F * 0.48))
    assert out["self_consumed_value_valley_cny"] == pytest.approx(valley, rel=1e-12)
    assert out["self_consumed_value_flat_cny"] == pytest.approx(TARIFF * L * 6 * 365, rel=1e-12)
    assert out["self_consumed_value_peak_cny"] == 0.0
    # the flat tariff would have said 0.70 per kWh; the midday valley makes it less
    assert out["self_consumed_value_cny_per_kwh"] == pytest.approx(hubei_value(L) / (365 * 8 * L))
    assert out["self_consumed_value_cny_per_kwh"] < TARIFF
    assert "zero export curtails 50%" in out["grid_flags"]
    # the size that keeps curtailment at 5 %: s(k) = L / (k P) = 0.95
    assert out["size_to_load_kwp"] == pytest.approx(1000.0 * L / (0.95 * P), rel=1e-9)


def test_surplus_export_pays_the_export_price(tmp_path):
    out = site_flows(pv_profile()[None, :], _inputs(tmp_path), tf.get_schedule("hubei_2024"), GridParams(),
                     0.30, 0.65).iloc[0]
    assert out["grid_mode"] == gr.SURPLUS_EXPORT and out["curtailed_kwh"] == 0.0
    assert out["export_kwh"] == pytest.approx(365 * 8 * (P - L))
    assert out["export_revenue_cny"] == pytest.approx(365 * 8 * (P - L) * 0.30)


def test_size_to_load_scales_zero_export_sites(tmp_path):
    out = site_flows(pv_profile()[None, :], _inputs(tmp_path, zero_export=1), tf.get_schedule("flat"),
                     GridParams(size_to_load=True), 0.30, 0.65).iloc[0]
    k = L / (0.95 * P)
    assert out["capacity_scale"] == pytest.approx(k, rel=1e-9)
    assert out["curtailed_kwh"] / out["generated_kwh"] == pytest.approx(0.05, rel=1e-6)


def test_7_mw_at_10_kv_is_classified_and_flagged():
    c = gr.classify([7000.0], [10.0]).iloc[0]
    assert c["grid_class"] == gr.LARGE_CI
    assert c["allowed_modes"] == gr.SELF_USE_ONLY
    assert "35 kV" in c["class_flag"] and "国能发新能规〔2025〕7号" in c["class_flag"]
    assert gr.classify([7000.0], [35.0]).iloc[0]["class_flag"] == ""
    small = gr.classify([5000.0, 300.0], [np.nan, np.nan])
    assert list(small["grid_class"]) == [gr.GENERAL_CI, gr.GENERAL_CI]
    assert list(small["connection_voltage_kv"]) == [10.0, 0.4]
    # a 7 MW site at 10 kV runs self-use only: its surplus is curtailed, not exported
    mode, flag = gr.resolve_mode(gr.LARGE_CI, "surplus_export")
    assert mode == gr.SELF_USE_ONLY and "大型工商业" in flag


def test_full_export_is_refused_with_the_rule_cited(tmp_path):
    mode, flag = gr.resolve_mode(gr.GENERAL_CI, "全额上网")
    assert mode == gr.SURPLUS_EXPORT
    assert "全额上网 refused" in flag and "国能发新能规〔2025〕7号" in flag
    with pytest.raises(gr.GridRuleError, match="国能发新能规〔2025〕7号"):
        gr.check_mode(gr.GENERAL_CI, "full_export")
    with pytest.raises(gr.GridRuleError, match="refused"):
        GridParams(mode="全额上网")
    from solarplan.core.errors import ConfigError
    from solarplan.io.config import parse_section
    with pytest.raises(ConfigError, match="国能发新能规〔2025〕7号"):
        parse_section(GridParams, {"mode": "全额上网"}, "plan.toml: [grid]")
    out = site_flows(pv_profile()[None, :], _inputs(tmp_path, grid_mode="full_export"), tf.get_schedule("flat"),
                     GridParams(), 0.30, 0.65).iloc[0]
    assert out["grid_mode"] == gr.SURPLUS_EXPORT and "全额上网 refused" in out["grid_flags"]


def test_site_below_the_provincial_minimum_is_flagged_with_its_largest_compliant_capacity(tmp_path):
    # Shanxi minimum 50 % (data/min_self_consumption.csv); L = P / 4: share 25 %; s(k) = L / (k P) = 0.5 -> k = 0.5
    out = site_flows(pv_profile()[None, :], _inputs(tmp_path, load_kwh=P / 4, province="山西"),
                     tf.get_schedule("shanxi_2021"), GridParams(), 0.30, 0.65).iloc[0]
    assert out["min_self_consumption_share"] == 0.5
    assert out["max_compliant_kwp"] == pytest.approx(500.0, rel=1e-9)
    assert "below the 山西 minimum 50%" in out["grid_flags"] and "500 kWp" in out["grid_flags"]
    # Hubei has no minimum on record: no flag, no figure
    hb = site_flows(pv_profile()[None, :], _inputs(tmp_path, load_kwh=P / 4), tf.get_schedule("hubei_2024"),
                    GridParams(), 0.30, 0.65).iloc[0]
    assert np.isnan(hb["min_self_consumption_share"]) and "minimum" not in hb["grid_flags"]


def test_largest_capacity_when_no_capacity_complies():
    pv = pv_profile()[None, :]
    load = np.zeros((1, 8760))
    load[0, 8:10] = 1.0  # load only two hours of one day: s(0+) = 2 / 2920
    assert gr.largest_capacity_for_share(pv, load, 0.5)[0] == 0.0
    assert gr.largest_capacity_for_share(pv, np.full((1, 8760), 1e6), 0.5)[0] == 1.0



@pytest.mark.parametrize("target, expected", [(0.6, 1.0), (0.75, 0.5), (0.9, 0.3125)])
def test_largest_capacity_hand_computed(target, expected):
    """Two hours of PV 1 and 1 kWh against loads 1 and 0.25 kWh: r = L/PV = 1 and 0.25. For 0.25 < k <= 1
    the share is (k + 0.25) / (2 k) = 0.5 + 0.125 / k, so s >= t up to k = 0.125 / (t - 0.5): 0.5 at
    t = 0.75 and 0.3125 at t = 0.9; s(1) = 0.625 already meets t = 0.6."""
    pv, load = np.zeros((1, 8760)), np.zeros((1, 8760))
    pv[0, 10:12], load[0, 10:12] = 1.0, (1.0, 0.25)
    assert gr.largest_capacity_for_share(pv, load, target)[0] == pytest.approx(expected, rel=1e-14)
    # a third hour of 2 kWh PV without load: s(0+) = 2/4, s = 0.25 + 0.0625 / k on (0.25, 1]
    pv[0, 12] = 2.0
    assert gr.largest_capacity_for_share(pv, load, 0.4)[0] == pytest.approx(0.0625 / 0.15, rel=1e-14)
    assert gr.largest_capacity_for_share(pv, load, 0.55)[0] == 0.0  # above s(0+) = 0.5


def _bisection(pv, load, target, iterations=40):
    """The 40-pass bisection largest_capacity_for_share used before (kept here as the reference)."""
    total = pv.sum(axis=-1)

    def share(k):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, np.minimum(k[:, None] * pv, load).sum(axis=-1) / (k * total), 1.0)
    done = share(np.ones(len(pv))) >= target - 1e-12
    with np.errstate(invalid="ignore", divide="ignore"):
        floor = np.where(total > 0, (pv * (load > 0)).sum(axis=-1) / total, 1.0)
    lo, hi = np.zeros(len(pv)), np.ones(len(pv))
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        ok = share(np.maximum(mid, 1e-300)) >= target
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    return np.where(done | np.isnan(target), 1.0, np.where(floor < target, 0.0, lo))


def test_largest_capacity_equals_the_bisection():
    """Random sites (daytime PV, noisy loads with zero hours, targets 0.3-0.99, some NaN, some sites without
    PV): the one-pass-per-step answer is within the bisection's 2^-40 (plus one rounding) of it, and its
    share meets the target."""
    rng = np.random.default_rng(5)
    n = 300
    hour = np.arange(8760) % 24
    pv = rng.uniform(10, 800, (n, 1)) * np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None) * rng.uniform(0.3, 1, (n, 8760))
    pv[:3] = 0.0
    load = rng.uniform(1e4, 2e6, (n, 1)) / 8760 * rng.uniform(0.2, 1.8, (n, 8760)) * (rng.random((n, 8760)) > 0.05)
    target = rng.uniform(0.3, 0.99, n)
    target[5:8] = np.nan
    got = gr.largest_capacity_for_share(pv, load, target)
    ref = _bisection(pv, load, target)
    interior = (ref > 0) & (ref < 1)
    assert interior.sum() > 100 and (ref == 1).sum() > 10 and (ref == 0).sum() > 10
    np.testing.assert_allclose(got, ref, rtol=0, atol=2.0 ** -40 + 1e-15)
    k = got[interior]
    share = np.minimum(k[:, None] * pv[interior], load[interior]).sum(axis=1) / (k * pv[interior].sum(axis=1))
    assert (share >= target[interior] - 1e-12).all()
    # one load row for every site gives the same as that row repeated
    np.testing.assert_array_equal(gr.largest_capacity_for_share(pv[:20], load[:1], 0.8),
                                  gr.largest_capacity_for_share(pv[:20], np.repeat(load[:1], 20, axis=0), 0.8))

def test_monthly_bills_scale_the_shape():
    bills = np.arange(1, 13) * 1000.0
    h = scale_to_months(load_shape("school"), bills)
    month = pd.date_range("2005-01-01", periods=8760, freq="h").month
    np.testing.assert_allclose(pd.Series(h).groupby(month).sum().to_numpy(), bills, rtol=1e-12)


def test_measured_load_reads_kw_and_leap_years(tmp_path):
    f = tmp_path / "kw.csv"
    pd.DataFrame({"time": range(35136), "power_kw": np.full(35136, 8.0)}).to_csv(f, index=False)
    np.testing.assert_allclose(measured_load(f), np.full(8760, 8.0))  # 8 kW for 1 h = 8 kWh
    bad = tmp_path / "short.csv"
    pd.DataFrame({"kwh": np.ones(100)}).to_csv(bad, index=False)
    with pytest.raises(ValueError, match="100 rows"):
        measured_load(bad)


def test_hosting_zones_by_hand():
    sites = pd.DataFrame({"capacity_kwp": [600.0, 400.0, 300.0, 100.0],
                          "grid_area": ["郧阳区", "郧阳区", "张湾区", "茅箭区"]})
    table = pd.DataFrame({"grid_area": ["郧阳区", "张湾区", "茅箭区"], "open_capacity_kw": [500.0, 1000.0, 0.0]})
    z = gr.hosting_zones(sites, table)
    assert list(z["hosting_zone"]) == ["yellow", "yellow", "green", "red"]
    np.testing.assert_allclose(z["hosting_capped_kwp"], [300.0, 200.0, 300.0, 0.0])
    assert gr.transformer_cap_kwp([630.0])[0] == pytest.approx(504.0)


def test_economics_use_the_hourly_value_and_export_sensitivity_by_hand():
    p = EconomicParams(horizon_years=2, degradation_per_yr=0.0, inverter_replacement_year=99, discount_rate=0.1)
    sites = pd.DataFrame({"annual_ac_kwh": [1000.0], "self_consumed_kwh": [600.0], "tariff_cny_per_kwh": [0.7],
                          "self_consumed_value_cny": [350.0], "export_kwh": [300.0], "curtailed_kwh": [100.0],
                          "capacity_kwp": [1.0], "gross_area_m2": [10.0], "capex_cny": [1000.0]})
    e = site_economics(sites, p).iloc[0]
    om = 0.04 * 1000
    assert e["year1_revenue_cny"] == pytest.approx(350.0 + 300.0 * 0.30)  # commissioned 2026: market price
    assert e["npv_cny"] == pytest.approx(-1000 + (440 - om) / 1.1 + (440 - om) / 1.21)
    assert e["lifetime_kwh"] == pytest.approx(1800.0)  # curtailed energy is not delivered
    sens = export_price_sensitivity(sites, p, prices=[0.2, 0.4])
    npv = dict(zip(sens["value"], sens["npv_cny"]))
    assert npv[0.4] - npv[0.2] == pytest.approx(0.2 * 300 * (1 / 1.1 + 1 / 1.21))
    old = EconomicParams(commissioning_date="2025-01-01")
    assert old.export_price() == 0.4161 and p.export_price() == 0.30


def test_plan_toml_schedule_and_csv(tmp_path):
    from solarplan.core.errors import ConfigError
    from solarplan.io.config import parse_section
    t = parse_section(TariffParams, {"periods": [{"months": "1-12", "period": "valley", "hours": "0-8", "ratio": 0.5},
                                                 {"months": "1-12", "period": "flat", "hours": "8-24", "ratio": 1.0}],
                                     "floating_share": 1.0}, "plan.toml: [tariffs]").build()
    assert t.hours_by_period() == {"flat": 5840, "valley": 2920}
    f = tmp_path / "my.csv"
    pd.DataFrame({"months": ["1-12"], "period": ["flat"], "hours": ["0-24"], "ratio": [1.0]}).to_csv(f, index=False)
    assert TariffParams(schedule_file=str(f)).build().hours_by_period() == {"flat": 8760}
    with pytest.raises(ConfigError, match="unknown key"):
        parse_section(TariffParams, {"shedule": "x"}, "plan.toml: [tariffs]")


def test_largest_capacity_numpy_form_equals_the_compiled_one(monkeypatch):
    """Without numba the vectorised Newton steps run: the same answers but for the order of the hourly sums
    (numpy sums pairwise, the compiled loop in sequence; about 5e-14 observed)."""
    rng = np.random.default_rng(9)
    hour = np.arange(8760) % 24
    pv = rng.uniform(10, 800, (50, 1)) * np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None)
    load = rng.uniform(1e4, 2e6, (50, 1)) / 8760 * rng.uniform(0.2, 1.8, (50, 8760))
    target = rng.uniform(0.5, 0.99, 50)
    compiled = gr.largest_capacity_for_share(pv, load, target)
    monkeypatch.setattr(gr, "numba", None)
    np.testing.assert_allclose(gr.largest_capacity_for_share(pv, load, target), compiled, rtol=0, atol=1e-12)
    assert ((compiled > 0) & (compiled < 1)).sum() > 10


def test_flow_sums_equal_the_hourly_flows():
    """gridrules.flow_sums (one compiled pass, no hourly array) against energy_flows and value_by_period on
    the same sites: the same yearly sums to summation order (1e-12 relative)."""
    rng = np.random.default_rng(11)
    pv = np.clip(rng.normal(50, 40, (40, 8760)), 0, None)
    load = rng.uniform(0, 80, (40, 8760))
    schedule = tf.get_schedule("hubei_2024")
    flows = gr.energy_flows(pv, load, np.ones(40, bool))
    gen, used, weighted = gr.flow_sums(pv, load, schedule.period_index, schedule.multiplier, len(tf.PERIODS))
    np.testing.assert_allclose(gen, flows.generated_kwh, rtol=1e-12)
    np.testing.assert_allclose(used, flows.self_consumed_kwh, rtol=1e-12)
    tariff = rng.uniform(0.5, 0.9, 40)
    np.testing.assert_allclose(weighted * tariff[:, None], tf.value_by_period(flows.self_consumed_hourly, tariff,
                                                                              schedule), rtol=1e-12, atol=1e-9)
