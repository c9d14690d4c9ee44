"""Contracts: cash flows against an independent hand-built table, the source documents' trusteeship
deal, solving for a target IRR, and packages that cannot work."""
from __future__ import annotations

import numpy as np
import numpy_financial as npf
import openpyxl
import pandas as pd
import pytest

from retrofit.contracts import (ContractTerms, adjusted_baseline, assess, cash_flows, package_deals,
                                solve_for_irr)
from solarplan.app.cli import main
from solarplan.io.tables import read_results

B, S, I = 1_000_000.0, 250_000.0, 1_200_000.0


def hand_table(kind):
    """The ESCO's and the institution's yearly cash flows written out the long way (no solarplan code)."""
    term, after, om = 10, 5, 0.02 * I
    esco, inst = [-I], [0.0]
    for year in range(1, term + after + 1):
        if year > term:                      # assets handed over: the institution keeps all savings, pays O&M
            esco.append(0.0)
            inst.append(S - om)
        elif kind == "trusteeship":          # fee = 95 % of baseline; ESCO pays the real bill
            fee = B * 0.95
            esco.append(fee - (B - S) - om)
            inst.append(B - fee)
        elif kind == "shared-savings":       # ESCO takes 80 % of savings
            esco.append(0.8 * S - om)
            inst.append(0.2 * S)
        else:                                # guaranteed: annuity of I at 6 % over 10 years, 90 % guaranteed
            pay = I * 0.06 / (1 - 1.06 ** -10)
            shortfall = max(0.9 * S - S, 0.0)
            esco.append(pay - shortfall - om)
            inst.append(S - pay + shortfall)
    return np.array(esco), np.array(inst)


@pytest.mark.parametrize("kind", ["trusteeship", "shared-savings", "guaranteed"])
def test_cash_flows_match_a_hand_built_table(kind):
    f = cash_flows(B, S, I, ContractTerms(kind=kind, term_years=10))
    esco, inst = hand_table(kind)
    assert np.allclose(f["esco_net_cny"], esco, rtol=1e-12, atol=1e-6)
    assert np.allclose(f["institution_saving_cny"], inst, rtol=1e-12, atol=1e-6)
    d = assess(f, 0.06)
    # NPV and IRR within 0.01 % of numpy-financial on the hand-built flows (acceptance tolerance)
    assert d.esco_npv_cny == pytest.approx(npf.npv(0.06, esco[:11]), rel=1e-4)
    assert d.esco_irr == pytest.approx(npf.irr(esco[:11]), rel=1e-4)


def test_trusteeship_deal_of_the_source_documents():
    # seeds/003: 138 institutions, CNY 22.7 m a year under trusteeship, 5 % saving for the institutions,
    # CNY 17.6 m of private capital invested. The achieved saving is not published; assumed here: 17 %,
    # the Xiaogan figure for a CNY 12 m retrofit (seeds/002). Term 10 years (DOMAIN.md: 8-10).
    rng = np.random.default_rng(138)
    w = rng.lognormal(0, 0.8, 138)
    bills = 22.7e6 * w / w.sum()
    per_b = pd.DataFrame({"building_id": [f"B{i}" for i in range(138)], "package": "trusteeship-138",
                          "baseline_bill_cny": bills, "savings_cny": 0.17 * bills,
                          "investment_cny": 17.6e6 * w / w.sum(), "pv_savings_cny": 0.0, "pv_capex_cny": 0.0})
    terms = ContractTerms(kind="trusteeship", term_years=10, discount=0.05)
    packages, flows, sens = package_deals(per_b, terms, 0.06, target_irr=0.08)
    p = packages.iloc[0]
    assert p["buildings"] == 138 and p["baseline_bill_cny"] == pytest.approx(22.7e6)
    assert p["investment_cny"] == pytest.approx(17.6e6)
    # by hand: ESCO yearly = 0.17*22.7 - 0.05*22.7 - 0.02*17.6 = 2.372 m; 17.6 / 2.372 = 7.42 years
    assert p["esco_payback_years"] == pytest.approx(17.6 / 2.372, rel=1e-9)
    assert p["esco_irr"] == pytest.approx(npf.irr([-17.6e6] + [2.372e6] * 10), rel=1e-4)
    assert 0.05 < p["esco_irr"] < 0.07                         # ~5.8 %: below an 8 % target
    assert not p["viable"] and "below the target" in p["reason"]
    assert p["institution_saving_year1_cny"] == pytest.approx(0.05 * 22.7e6)
    # the discount that gives the ESCO 8 % is smaller than 5 %
    assert 0 < p["solved_discount"] < 0.05
    assert set(sens["factor"]) == {"energy price", "achieved savings", "discount rate"}


@pytest.mark.parametrize("kind, lo, hi", [("trusteeship", 0.0, 0.3), ("shared-savings", 0.3, 1.0),
                                          ("guaranteed", 0.0, 0.5)])
@pytest.mark.parametrize("target", [0.06, 0.08, 0.12])
def test_solved_parameter_gives_back_the_target_irr(kind, lo, hi, target):
    terms = ContractTerms(kind=kind, term_years=10, guaranteed_share=1.0)
    x, why = solve_for_irr(B, S, I, terms, target)
    assert why == "" and lo <= x <= hi
    name = {"trusteeship": "discount", "shared-savings": "esco_share", "guaranteed": "guarantee_rate"}[kind]
    from dataclasses import replace
    f = cash_flows(B, S, I, replace(terms, **{name: x}))
    assert assess(f).esco_irr == pytest.approx(target, abs=1e-9)


def test_unreachable_target_is_explained_not_nan_silently():
    x, why = solve_for_irr(B, 10_000.0, I, ContractTerms(kind="shared-savings"), 0.08)
    assert np.isnan(x) and "reaches an ESCO IRR of 8.0%" in why


def test_package_without_positive_savings_is_not_viable(tmp_path, capsys):
    f = tmp_path / "b.csv"
    # measure gshp only, on buildings with no heating or cooling plant: nothing to save
    f.write_text("site_id,category,floor_area_m2,lat,lon,heating_plant,cooling_plant,measures,electricity_kwh\n"
                 "A,机关,2000,32.6,110.8,none,none,gshp,150000\nB,学校,3000,32.6,110.8,无,无,gshp,200000\n",
                 encoding="utf-8")
    assert main(["contract", str(f), "--out", str(tmp_path / "deal.xlsx"), "--target-irr", "8%", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "NOT viable: no measure saves money" in out
    assert main(["contract", str(f), "--out", str(tmp_path / "deal_zh.xlsx"), "--target-irr", "8%"]) == 0
    assert "不可行：没有措施能节约费用" in capsys.readouterr().out
    wb = openpyxl.load_workbook(tmp_path / "deal.xlsx")
    assert {"packages", "buildings", "cashflows", "sensitivity", "rejects"} <= set(wb.sheetnames)
    pk = read_results(tmp_path / "deal.xlsx", "packages")
    assert not pk["viable"][0] and "no measure saves money" in pk["reason"][0]


def test_contract_cli_with_packages_and_pv(tmp_path, capsys):
    from solarplan.app.pipeline import DEMO_BUILDINGS
    from solarplan.core.resources import data_path
    src = pd.read_csv(data_path(DEMO_BUILDINGS))
    sub = src[src["category"].isin(["school", "hospital"])].head(30).copy()
    sub["package"] = sub["category"].map({"school": "学校包", "hospital": "医院包"})
    f = tmp_path / "b.xlsx"
    sub.to_excel(f, index=False)
    pv = pd.DataFrame({"site_id": sub["site_id"], "annual_ac_kwh": 100000.0, "self_consumed_kwh": 80000.0,
                       "capex_cny": 350000.0})
    pv.to_csv(tmp_path / "sites.csv", index=False)
    assert main(["contract", str(f), "--out", str(tmp_path / "deal.xlsx"), "--type", "shared-savings",
                 "--pv", str(tmp_path / "sites.csv"), "--target-irr", "8%"]) == 0
    pk = read_results(tmp_path / "deal.xlsx", "packages")
    bl = read_results(tmp_path / "deal.xlsx", "buildings")
    assert set(pk["package"]) == {"学校包", "医院包"}
    # package totals are the sums of their buildings, PV included
    for p in pk.itertuples():
        g = bl[bl["package"] == p.package]
        assert p.savings_cny == pytest.approx((g["savings_cny"] + g["pv_savings_cny"]).sum())
        assert p.investment_cny == pytest.approx((g["investment_cny"] + g["pv_capex_cny"]).sum())
    # PV without hourly values or a tariff: 80,000 kWh at the PV side's default tariff ([economics]
    # default_tariff_cny_per_kwh 0.65, the price sites.csv values them at) + 20,000 kWh at the default
    # export price (0.30 for projects from June 2025)
    assert bl["pv_savings_cny"].max() == pytest.approx(80000 * 0.65 + 20000 * 0.30)


def test_adjusted_baseline_by_hand():
    # bills 100, 110, 90 kWh-equivalents; 40 % weather-sensitive; degree days 2000, 2200, 1800 vs 2000:
    # 100 * 1 = 100; 110 * (0.6 + 0.4 * 2000/2200) = 105.999..; 90 * (0.6 + 0.4 * 2000/1800) = 94;
    # mean 100.0 x price 2 = 200
    v = adjusted_baseline([100, 110, 90], 2.0, 0.4, [2000, 2200, 1800], 2000)
    expected = np.mean([100, 110 * (0.6 + 0.4 * 2000 / 2200), 90 * (0.6 + 0.4 * 2000 / 1800)]) * 2
    assert v == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="no billing year"):
        adjusted_baseline([np.nan], 1.0)
