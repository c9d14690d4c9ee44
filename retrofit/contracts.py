"""Energy performance contracts and energy-cost trusteeship for packages of buildings (pure).

Three contract types named by GB/T 24915-2020 are modelled year by year from the
agreed baseline bill B, the savings S the retrofit achieves (money, year 1), the
ESCO's investment I (year 0) and its yearly O&M cost M:

* **trusteeship** (能源费用托管): the institution pays a fee F = B (1 - d) and the ESCO
  pays the real bill B - S. ESCO: F - (B - S) - M = S - d B - M. Institution: d B.
  The ESCO carries price and weather risk unless the fee is indexed to price.
* **shared savings** (节能效益分享型): the institution pays its own bill and gives the
  ESCO a share s of the savings. ESCO: s S - M. Institution: (1 - s) S.
* **guaranteed savings** (节能量保证型): the institution pays the ESCO a fixed yearly
  amount P (the investment repaid over the term at the guarantee rate) and the
  ESCO pays any shortfall of the guaranteed savings G. ESCO: P - max(G - S, 0) - M.
  Institution: S - P + max(G - S, 0).

After the term the assets transfer: the institution keeps all savings and pays
the O&M. Prices escalate at ``price_escalation`` a year (bills and savings alike).
NPV, IRR and payback come from :mod:`solarplan.core.finance`.

Baseline (GB/T 24915-2020 asks for a jointly agreed baseline): the mean of 1-3
years of bills, the weather-sensitive share scaled by degree days of the
reference year over those of the billing years, scaled by floor area change,
priced at the current tariff (:func:`adjusted_baseline`).

References
----------
.. [1] GB/T 24915-2020 Energy performance contracting - Technical specification.
.. [2] IPMVP Core Concepts (EVO, 2022), Option C whole-facility baseline adjustment.
.. [3] shared/context/DOMAIN.md and seeds/003: trusteeship discounts 5-15 % over 8-10 years;
   shared-savings EPCs give the ESCO 70-90 % of verified savings for 5-8 years; a package of
   138 institutions at CNY 22.7 m/yr, 5 %, CNY 17.6 m invested.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from solarplan.core.errors import ConfigError, InputError
from solarplan.core.finance import annuity_factor, irr, npv, payback_years

CONTRACT_TYPES = ("trusteeship", "shared-savings", "guaranteed")


def adjusted_baseline(energy_by_year, price, weather_share: float = 0.0, dd_years=None, dd_reference=None,
                      area_ratio: float = 1.0) -> float:
    """Agreed baseline bill [CNY/yr] from 1-3 years of energy use [2]_.

    Parameters
    ----------
    energy_by_year : array-like
        Energy of each billing year (NaN years are skipped).
    price : float
        Current unit price [CNY per unit].
    weather_share : float
        Share of use that follows degree days (heating and cooling), 0-1.
    dd_years, dd_reference : array-like, float
        Degree days of each billing year and of the reference (typical) year.
    area_ratio : float
        Floor area now / floor area in the billing years.
    """
    e = np.asarray(energy_by_year, float)
    ok = np.isfinite(e)
    if not ok.any():
        raise InputError("no billing year has a value")
    if weather_share and dd_years is not None and dd_reference is not None:
        dd = np.asarray(dd_years, float)
        e = e * (1 - weather_share + weather_share * dd_reference / dd)
    return float(np.mean(e[ok]) * area_ratio * price)


@dataclass(frozen=True)
class ContractTerms:
    """Terms of one contract.

    Attributes
    ----------
    kind : str
        'trusteeship', 'shared-savings' or 'guaranteed'.
    term_years : int
        Contract term; 10 for trusteeship (8-10 usual [3]), 8 for shared savings (5-8 [3]).
    discount : float
        Trusteeship: the institution's discount on its baseline bill, 0.05 [3].
    esco_share : float
        Shared savings: the ESCO's share of savings, 0.8 (70-90 % [3]).
    guaranteed_share : float
        Guaranteed savings: guaranteed savings as a share of the expected savings, 0.9 (estimate).
    guarantee_rate : float
        Guaranteed savings: the rate at which the institution repays the investment, 0.06 (estimate).
    om_share : float
        Yearly O&M and monitoring as a share of the investment, 0.02 (estimate).
    price_escalation : float
        Yearly change of energy prices, 0 (real terms).
    savings_achieved : float
        Achieved / expected savings, 1.0 (the sensitivity varies it).
    price_level : float
        Energy prices relative to the baseline's, 1.0 (the sensitivity varies it); a fixed trusteeship
        fee does not follow it.
    fee_indexed_to_price : bool
        Trusteeship: the fee follows energy prices (institution bears price risk); False.
    after_term_years : int
        Years after handover shown for the institution (assets transferred), 5.
    """

    kind: str = "trusteeship"
    term_years: int = 10
    discount: float = 0.05
    esco_share: float = 0.8
    guaranteed_share: float = 0.9
    guarantee_rate: float = 0.06
    om_share: float = 0.02
    price_escalation: float = 0.0
    savings_achieved: float = 1.0
    price_level: float = 1.0
    fee_indexed_to_price: bool = False
    after_term_years: int = 5

    def __post_init__(self):
        if self.kind not in CONTRACT_TYPES:
            raise ConfigError(f"unknown contract type {self.kind!r}; valid: {', '.join(CONTRACT_TYPES)}")
        if not (isinstance(self.term_years, (int, np.integer)) and 1 <= self.term_years <= 40):
            raise ConfigError(f"term_years must be a whole number 1-40, got {self.term_years!r}")


def cash_flows(baseline_cny: float, savings_cny: float, investment_cny: float, terms: ContractTerms) -> pd.DataFrame:
    """Yearly cash flows of a contract (year 0 = investment; see the module docstring).

    Columns: year, in_term, baseline_bill_cny, savings_cny, institution_pays_cny (fee, or bill plus
    the ESCO's share, or bill plus payment less shortfall), institution_saving_cny (vs the baseline),
    esco_net_cny.
    """
    T, n = terms.term_years, terms.term_years + terms.after_term_years
    years = np.arange(n + 1)
    esc = terms.price_level * (1 + terms.price_escalation) ** np.maximum(years - 1, 0)
    B = np.where(years > 0, baseline_cny * esc, 0.0)
    S = np.where(years > 0, savings_cny * terms.savings_achieved * esc, 0.0)
    M = np.where(years > 0, investment_cny * terms.om_share, 0.0)
    in_term = (years >= 1) & (years <= T)
    after = years > T
    esco = np.zeros(n + 1)
    esco[0] = -investment_cny
    if terms.kind == "trusteeship":
        fee = baseline_cny * (1 - terms.discount) * (esc if terms.fee_indexed_to_price else 1.0)
        pays = np.where(in_term, fee, B - S + M * after)
        esco += np.where(in_term, fee - (B - S) - M, 0.0)
    elif terms.kind == "shared-savings":
        pays = np.where(in_term, B - S + terms.esco_share * S, B - S + M * after)
        esco += np.where(in_term, terms.esco_share * S - M, 0.0)
    else:
        payment = investment_cny * annuity_factor(terms.guarantee_rate, T)
        guaranteed = savings_cny * terms.guaranteed_share * esc
        shortfall = np.maximum(guaranteed - S, 0.0)
        pays = np.where(in_term, B - S + payment - shortfall, B - S + M * after)
        esco += np.where(in_term, payment - shortfall - M, 0.0)
    pays = np.where(years > 0, pays, 0.0)
    return pd.DataFrame({"year": years, "in_term": in_term, "baseline_bill_cny": B, "savings_cny": S,
                         "institution_pays_cny": pays, "institution_saving_cny": B - pays,
                         "esco_net_cny": esco})


@dataclass(frozen=True)
class DealResult:
    """Headline figures of a deal.

    Attributes
    ----------
    viable : bool
        True when the ESCO recovers its investment with IRR >= the target and the institution saves.
    reason : str
        Why not, in words ('' when viable).
    esco_npv_cny, esco_irr, esco_payback_years
        At the discount rate given; IRR NaN when undefined (never recovered).
    institution_saving_term_cny, institution_saving_year1_cny
        Sum over the term, and in year 1 [CNY].
    institution_npv_cny
        NPV of the institution's savings over the term and after handover.
    """

    viable: bool
    reason: str
    esco_npv_cny: float
    esco_irr: float
    esco_payback_years: float
    institution_saving_term_cny: float
    institution_saving_year1_cny: float
    institution_npv_cny: float


def assess(flows: pd.DataFrame, discount_rate: float = 0.06, target_irr: float | None = None,
           savings_cny: float | None = None) -> DealResult:
    """NPV, IRR and payback of the ESCO; the institution's savings; viability with the reason."""
    e = flows["esco_net_cny"].to_numpy()
    in_term = flows["in_term"].to_numpy()
    term_e = e[: int(in_term.sum()) + 1]
    r_irr = float(irr(term_e))
    r_npv = float(npv(discount_rate, term_e))
    pb = float(payback_years(term_e))
    inst = flows["institution_saving_cny"].to_numpy()
    inst_term = float(inst[in_term].sum())
    reasons = []
    if savings_cny is not None and savings_cny <= 0:
        reasons.append("no measure saves money: the package has nothing to finance")
    elif np.isnan(r_irr) or not np.isfinite(pb):
        reasons.append("the ESCO never recovers its investment within the term")
    elif target_irr is not None and r_irr < target_irr - 1e-9:
        reasons.append(f"ESCO IRR {r_irr:.1%} is below the target {target_irr:.1%}")
    if inst_term < 0:
        reasons.append("the institution pays more than its baseline")
    return DealResult(not reasons, "; ".join(reasons), r_npv, r_irr, pb, inst_term, float(inst[1]) if len(inst) > 1
                      else 0.0, float(npv(discount_rate, np.r_[0.0, inst[1:]])))


#: The contract parameter solved for a target IRR, by type.
SOLVED_PARAMETER = MappingProxyType({"trusteeship": "discount", "shared-savings": "esco_share",
                                     "guaranteed": "guarantee_rate"})


def solve_for_irr(baseline_cny: float, savings_cny: float, investment_cny: float, terms: ContractTerms,
                  target_irr: float) -> tuple[float, str]:
    """The discount (trusteeship), ESCO share (shared savings) or repayment rate (guaranteed) at which
    the ESCO's IRR equals ``target_irr``. Returns (value, '') or (NaN, reason)."""
    name = SOLVED_PARAMETER[terms.kind]

    def gap(x):
        f = cash_flows(baseline_cny, savings_cny, investment_cny, replace(terms, **{name: x}))
        r = float(irr(f["esco_net_cny"].to_numpy()[: terms.term_years + 1]))
        return (r if np.isfinite(r) else -1.0) - target_irr

    lo, hi = {"discount": (-0.5, 1.0), "esco_share": (0.0, 1.0), "guarantee_rate": (-0.5, 1.0)}[name]
    # the ESCO's IRR falls as the discount rises and rises with the share or the repayment rate
    g_lo, g_hi = gap(lo), gap(hi)
    if np.sign(g_lo) == np.sign(g_hi):
        best = max(g_lo, g_hi) + target_irr
        return float("nan"), (f"no {name} in [{lo:g}, {hi:g}] reaches an ESCO IRR of {target_irr:.1%} "
                              f"(best {best:.1%})")
    return float(brentq(gap, lo, hi, xtol=1e-12)), ""


def sensitivity(baseline_cny: float, savings_cny: float, investment_cny: float, terms: ContractTerms,
                discount_rate: float = 0.06, swing: float = 0.2, rate_swing: float = 0.02) -> pd.DataFrame:
    """ESCO NPV and IRR when energy price, achieved savings and the discount rate move (a tornado table).

    Columns: factor, low_value, high_value, npv_low_cny, npv_high_cny, irr_low, irr_high, npv_range_cny;
    sorted by the NPV range, widest first.
    """
    def run(t, rate):
        d = assess(cash_flows(baseline_cny, savings_cny, investment_cny, t), rate)
        return d.esco_npv_cny, d.esco_irr

    cases = {
        "energy price": (1 - swing, 1 + swing, lambda v: run(replace(terms, price_level=v), discount_rate)),
        "achieved savings": (terms.savings_achieved * (1 - swing), terms.savings_achieved * (1 + swing),
                             lambda v: run(replace(terms, savings_achieved=v), discount_rate)),
        "discount rate": (discount_rate - rate_swing, discount_rate + rate_swing, lambda v: run(terms, v)),
    }
    rows = []
    for factor, (lo, hi, fn) in cases.items():
        (nl, il), (nh, ih) = fn(lo), fn(hi)
        rows.append(dict(factor=factor, low_value=lo, high_value=hi, npv_low_cny=nl, npv_high_cny=nh,
                         irr_low=il, irr_high=ih, npv_range_cny=abs(nh - nl)))
    return pd.DataFrame(rows).sort_values("npv_range_cny", ascending=False, kind="stable").reset_index(drop=True)


#: Where a contract's PV value comes from (``pv_value_source``).
PV_VALUE_SOURCES = MappingProxyType({
    "sites": "PV sites table: self_consumed_value_cny (hour-by-hour time-of-use value) + export_revenue_cny",
    "flat": "self_consumed_kwh x the site's electricity price + surplus x the export price (no hourly value "
            "in the sites table)",
})


def _num(df: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(df[col], errors="coerce") if col in df else pd.Series(np.nan, index=df.index)


def electricity_prices(buildings: pd.DataFrame, retrofit_table: pd.DataFrame | None, prices,
                       pv: pd.DataFrame | None = None) -> pd.Series:
    """The electricity price of each building [CNY/kWh], indexed by building_id: one price per site.

    In order: the building's own ``electricity_price_cny_per_kwh``; its PV site's ``tariff_cny_per_kwh``
    (the price the PV side valued the site's kWh from); the price its retrofit rows were valued at
    (column ``electricity_price_cny_per_kwh`` of :mod:`retrofit.evaluate`); ``prices.electricity_cny_per_kwh``.
    """
    b = buildings.set_index("building_id")
    price = _num(b, "electricity_price_cny_per_kwh")
    if pv is not None and len(pv) and "tariff_cny_per_kwh" in pv:
        tariff = pd.to_numeric(pv["tariff_cny_per_kwh"], errors="coerce").groupby(pv["site_id"]).first()
        price = price.fillna(pd.Series(b["site_id"].map(tariff).to_numpy(), index=b.index))
    if retrofit_table is not None and len(retrofit_table) and "electricity_price_cny_per_kwh" in retrofit_table:
        rp = pd.to_numeric(retrofit_table["electricity_price_cny_per_kwh"], errors="coerce")
        price = price.fillna(rp.groupby(retrofit_table["building_id"]).first().reindex(price.index))
    return price.fillna(prices.electricity_cny_per_kwh).astype(float)


def reprice(retrofit_table: pd.DataFrame, price: pd.Series, prices) -> pd.DataFrame:
    """The retrofit rows with their electricity money at the building's price (``price`` by building_id).

    A table valued at another price (e.g. computed without the PV sites) has ``saved_cny`` and
    ``baseline_cny`` moved by the saved / baseline kWh times the price difference, and
    ``simple_payback_years`` scaled by the old over the new saving (payback = cost / saving).
    Gas and coal keep their prices. Rows already at the price are unchanged.
    """
    t = retrofit_table.copy()
    if "saved_electricity_kwh" not in t or not len(t):
        return t
    old = _num(t, "electricity_price_cny_per_kwh").fillna(prices.electricity_cny_per_kwh)
    new = t["building_id"].map(price).fillna(old)
    delta = (new - old).to_numpy()
    if not np.any(delta != 0):
        return t
    saved_old = t["saved_cny"].to_numpy(float)
    t["saved_cny"] = saved_old + _num(t, "saved_electricity_kwh").fillna(0.0).to_numpy() * delta
    if "baseline_electricity_kwh" in t:
        t["baseline_cny"] = t["baseline_cny"].to_numpy(float) + _num(t, "baseline_electricity_kwh").fillna(0.0) \
            .to_numpy() * delta
    with np.errstate(divide="ignore", invalid="ignore"):
        t["simple_payback_years"] = np.where((saved_old > 0) & (t["saved_cny"] > 0),
                                             t["simple_payback_years"].to_numpy(float) * saved_old / t["saved_cny"],
                                             np.nan)
    t["electricity_price_cny_per_kwh"] = new.to_numpy()
    return t


def pv_value(pv: pd.DataFrame, electricity_price, export_price: float) -> pd.DataFrame:
    """Year-1 value of each PV site's energy to the institution [CNY/yr], the PV side's own where given.

    With the hourly columns of :func:`solarplan.pv.siteflows.site_flows` the value is
    ``self_consumed_value_cny`` (each self-consumed kWh at its time-of-use price, from the site's tariff)
    plus ``export_revenue_cny``: the figure the sites table shows. Without them (a sites table from the
    Dask engine or an older run) it is self-consumed kWh x ``electricity_price`` (the site's price) plus
    the surplus x ``export_price``.

    Returns a DataFrame indexed like ``pv`` with ``pv_savings_cny`` and ``pv_value_source``.
    """
    annual = _num(pv, "annual_ac_kwh").fillna(0.0)
    selfc = _num(pv, "self_consumed_kwh").fillna(0.0)
    flat = selfc * np.asarray(electricity_price, float) + (annual - selfc).clip(lower=0.0) * export_price
    sc_value = _num(pv, "self_consumed_value_cny")
    exp_rev = _num(pv, "export_revenue_cny")
    if exp_rev.isna().all() and "export_kwh" in pv:
        exp_rev = _num(pv, "export_kwh") * _num(pv, "export_price_cny_per_kwh").fillna(export_price)
    hourly = sc_value.notna()
    value = np.where(hourly, sc_value.fillna(0.0) + exp_rev.fillna(0.0), flat)
    return pd.DataFrame({"pv_savings_cny": value,
                         "pv_value_source": np.where(hourly, PV_VALUE_SOURCES["sites"], PV_VALUE_SOURCES["flat"])},
                        index=pv.index)


def building_inputs(retrofit_table: pd.DataFrame, buildings: pd.DataFrame, prices, pv: pd.DataFrame | None = None,
                    export_price: float = 0.4161, max_payback_years: float | None = None) -> pd.DataFrame:
    """Per building: agreed baseline bill, the savings and investment of the measures worth doing, PV.

    Only counted measures that save money, and (with ``max_payback_years``, usually the term) pay back
    within that many years, are financed. The baseline is the bills (electricity at the building's price,
    :func:`electricity_prices`; gas and coal at the given prices) where given, else the counted measures'
    own baselines (flagged in ``baseline_source``). PV (a ``sites`` table from ``solarplan simulate``,
    joined on site_id, given to the first building of a site) adds the PV side's own value of the site's
    energy (:func:`pv_value`: the time-of-use value of the self-consumed kWh plus the export revenue, as in
    the sites table) and its capex. One site has one electricity price (:func:`electricity_prices`): its
    bill, its PV and its retrofit savings (re-valued by :func:`reprice` where the retrofit table was valued
    at another price) all come from the site's tariff.

    Columns: building_id, site_id, name, package, electricity_price_cny_per_kwh, baseline_bill_cny,
    baseline_source, measures, savings_cny, investment_cny, pv_kwh, pv_savings_cny, pv_value_source,
    pv_capex_cny, saving_share.
    """
    price = electricity_prices(buildings, retrofit_table, prices, pv)
    retrofit_table = reprice(retrofit_table, price, prices)
    keep = retrofit_table["counted"].astype(bool) & (retrofit_table["saved_cny"] > 0)
    if max_payback_years is not None:
        keep &= retrofit_table["simple_payback_years"] <= max_payback_years
    t = retrofit_table[keep]
    agg = t.groupby("building_id").agg(savings_cny=("saved_cny", "sum"), investment_cny=("capex_cny", "sum"),
                                       measure_baseline_cny=("baseline_cny", "sum"),
                                       measures=("measure", lambda m: "+".join(m)))
    b = buildings.set_index("building_id")
    out = pd.DataFrame({"site_id": b["site_id"], "name": b["name"] if "name" in b else b["site_id"],
                        "package": b["package"].replace("", "all").fillna("all") if "package" in b else "all"})
    out["electricity_price_cny_per_kwh"] = price
    unit = {"electricity_kwh": out["electricity_price_cny_per_kwh"], "gas_m3": prices.gas_cny_per_m3,
            "coal_kg": prices.coal_cny_per_kg}
    bills = sum(_num(b, c).fillna(0) * unit[c] for c in unit if c in b.columns)
    has_bill = sum(_num(b, c).notna() for c in unit if c in b.columns) > 0
    agg = agg.reindex(out.index)
    out["baseline_bill_cny"] = np.where(has_bill, bills, agg["measure_baseline_cny"].fillna(0.0))
    out["baseline_source"] = np.where(has_bill, "bills", "measure estimates (no bills given)")
    out["measures"] = agg["measures"].fillna("")
    out["savings_cny"] = agg["savings_cny"].fillna(0.0)
    out["investment_cny"] = agg["investment_cny"].fillna(0.0)
    out["pv_kwh"] = out["pv_savings_cny"] = out["pv_capex_cny"] = 0.0
    out["pv_value_source"] = ""
    if pv is not None and len(pv):
        first = ~out["site_id"].duplicated()
        p = pv.drop_duplicates("site_id").set_index("site_id")
        sid = out.loc[first, "site_id"]
        has = sid.isin(p.index)
        idx = sid[has].index
        s = p.loc[sid[has]]
        val = pv_value(s.reset_index(), out.loc[idx, "electricity_price_cny_per_kwh"].to_numpy(), export_price)
        out.loc[idx, "pv_kwh"] = _num(s, "annual_ac_kwh").fillna(0.0).to_numpy()
        out.loc[idx, "pv_savings_cny"] = val["pv_savings_cny"].to_numpy()
        out.loc[idx, "pv_value_source"] = val["pv_value_source"].to_numpy()
        out.loc[idx, "pv_capex_cny"] = _num(s, "capex_cny").fillna(0.0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["saving_share"] = np.where(out["baseline_bill_cny"] > 0,
                                       (out["savings_cny"] + out["pv_savings_cny"]) / out["baseline_bill_cny"], 0.0)
    return out.reset_index()


def package_deals(per_building: pd.DataFrame, terms: ContractTerms, discount_rate: float = 0.06,
                  target_irr: float | None = None):
    """Deal of each package: (packages table, cash flows, sensitivity).

    packages columns: package, buildings, baseline_bill_cny, savings_cny, investment_cny, saving_share,
    kind, term_years, <the contract parameter>, esco_npv_cny, esco_irr, esco_payback_years,
    institution_saving_year1_cny, institution_saving_term_cny, viable, reason, solved_<parameter>,
    solved_note.
    """
    param = SOLVED_PARAMETER[terms.kind]
    rows, flows, sens = [], [], []
    for name, g in per_building.groupby("package", sort=True):
        B = float(g["baseline_bill_cny"].sum())
        S = float((g["savings_cny"] + g["pv_savings_cny"]).sum())
        I = float((g["investment_cny"] + g["pv_capex_cny"]).sum())
        f = cash_flows(B, S, I, terms)
        d = assess(f, discount_rate, target_irr, S)
        row = dict(package=name, buildings=len(g), baseline_bill_cny=B, savings_cny=S, investment_cny=I,
                   saving_share=S / B if B > 0 else 0.0, kind=terms.kind, term_years=terms.term_years,
                   **{param: getattr(terms, param)}, esco_npv_cny=d.esco_npv_cny, esco_irr=d.esco_irr,
                   esco_payback_years=d.esco_payback_years,
                   institution_saving_year1_cny=d.institution_saving_year1_cny,
                   institution_saving_term_cny=d.institution_saving_term_cny, viable=d.viable, reason=d.reason)
        if target_irr is not None:
            if S <= 0:
                x, why = float("nan"), "nothing to solve: no measure saves money"
            else:
                x, why = solve_for_irr(B, S, I, terms, target_irr)
            row[f"solved_{param}"], row["solved_note"] = x, why
        rows.append(row)
        flows.append(f.assign(package=name))
        if S > 0:
            sens.append(sensitivity(B, S, I, terms, discount_rate).assign(package=name))
    packages = pd.DataFrame(rows)
    cf = pd.concat(flows, ignore_index=True) if flows else pd.DataFrame()
    st = pd.concat(sens, ignore_index=True) if sens else pd.DataFrame(
        columns=["factor", "low_value", "high_value", "npv_low_cny", "npv_high_cny", "irr_low", "irr_high",
                 "npv_range_cny", "package"])
    return packages, cf, st
