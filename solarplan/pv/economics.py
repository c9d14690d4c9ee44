"""PV economics per site over a roof concession (pure, vectorised over sites).

Self-consumption first, surplus exported (自发自用、余电上网): year-1 energy is
split hour by hour against the site's load (:mod:`solarplan.pv.siteflows`);
self-consumed kWh are valued hour by hour at the time-of-use price
(:mod:`solarplan.pv.tariffs`, less the roof owner's discount under a
concession), exported kWh at the export price, curtailed kWh (zero export,
全部自发自用) at nothing.

Cash flows of the PV owner, year 0 = construction::

    CF_0 = -capex
    CF_t = d_t (V_sc (1 - owner_discount) + E_exp p_export)
           - O&M - roof rent - inverter replacement (in its year)
    d_t  = (1 - degradation)^(t - 1)

with V_sc the year-1 value of self-consumed energy [CNY] and E_exp the year-1
export [kWh]; without hourly flows V_sc = s E_1 p_retail and E_exp = (1 - s) E_1
(flat tariff, s the self-consumption share). Degradation scales both alike
(an approximation: a smaller array self-consumes a larger share).
LCOE = PV(costs) / PV(delivered energy) [1]_.

The export price of a project commissioned from 1 June 2025 is market-based
(发改价格〔2025〕136号 [3]_); the default is an estimate, and
:func:`export_price_sensitivity` shows what other prices do.

References
----------
.. [1] Short, W., Packey, D., Holt, T. (1995). NREL/TP-462-5173 (LCOE, NPV, IRR).
.. [2] shared/context/DOMAIN.md, typical planning figures: capex rooftop
   2.8-3.5 CNY/W, carports 3.5-4.5 CNY/W; O&M 0.03-0.05 CNY/W/yr; degradation
   ~1 % in year 1 (here the PVWatts LID loss already in the simulated yield),
   then ~0.4 %/yr; Hubei coal benchmark price 0.4161 CNY/kWh; commercial
   tariffs 0.6-0.75 CNY/kWh.
.. [3] 国家发展改革委 国家能源局, 发改价格〔2025〕136号 关于深化新能源上网电价市场化改革 促进新能源高质量
   发展的通知 (2025; https://www.ndrc.gov.cn/xxgk/zcfb/tz/202502/t20250209_1396066.html).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from solarplan.core.errors import ConfigError, InputError
from solarplan.core import finance
from solarplan.core.factors import GRID_REGIONS, GRID_YEARS, TCE_BASES, grid_factor, kwh_to_co2_t, kwh_to_tce, tce_factor
from solarplan.core.limits import accepts


@dataclass(frozen=True)
class EconomicParams:
    """Economic assumptions; every default from [2]_ or marked as an estimate.

    Attributes
    ----------
    capex_cny_per_w : Mapping[str, float]
        By surface type [CNY/W DC]: flat 3.2, pitched 3.0, metal 2.9 (rooftop
        range 2.8-3.5 [2]_; metal roofs need the least structure, estimate),
        carport 4.0 (3.5-4.5 [2]_).
    om_cny_per_w_yr : float
        O&M [CNY/W/yr], 0.04 (0.03-0.05 [2]_).
    inverter_replacement_year, inverter_cny_per_w : int, float
        One replacement in year 13 at 0.15 CNY/W (estimate: string-inverter
        life 10-15 years at current prices).
    degradation_per_yr : float
        From year 2 [-/yr], 0.004 [2]_.
    horizon_years : int
        25, the roof concession of the Shiyan scheme (seeds/001).
    discount_rate : float
        Real [-], 0.06 (estimate for public-sector PV finance).
    default_tariff_cny_per_kwh : float
        Where a site gives none, 0.65 (general commercial 0.6-0.75 [2]_).
    export_price_cny_per_kwh : float
        Export price of a project commissioned from 1 June 2025 [CNY/kWh]: market-based [3]_.
        0.30 is an **estimate**: exports fall at midday, in Hubei's valley hours, when the market
        price is lowest; below the Hubei coal benchmark 0.4161 [2]_ and the all-hours State Grid Hubei
        agent-purchase price of January 2026 (0.3845, third-party transcription). Set the province's
        mechanism or expected market price in [economics].
    export_price_existing_cny_per_kwh : float
        Export price of a project commissioned before 1 June 2025 [CNY/kWh]: 0.4161, the Hubei coal
        benchmark [2]_ (existing projects keep a mechanism price not above it [3]_).
    commissioning_date : str
        ISO date the projects start [-], "2026-06-30" (estimate: a plan made in 2026).
    export_price_sensitivity : tuple of float
        Export prices of the sensitivity rows [CNY/kWh], (0.20, 0.30, 0.4161) (estimates around the
        default, up to the coal benchmark).
    owner_discount : float
        Share of the retail tariff the PV investor gives the roof owner on
        self-consumed power under a concession [-], 0 (self-owned).
    roof_rent_cny_per_m2_yr : float
        Rent paid to the roof owner per m2 of gross area [CNY/m2/yr], 0.
    tce_basis, grid_region, grid_year : str, str, int
        Factor choices (solarplan.core.factors).
    """

    capex_cny_per_w: Mapping[str, float] = field(default_factory=lambda: MappingProxyType(
        {"flat_roof": 3.2, "pitched_roof": 3.0, "metal_roof": 2.9, "carport": 4.0}),
        metadata=accepts(0, 20, open=(True, False), unit="CNY/W"))
    om_cny_per_w_yr: float = field(default=0.04, metadata=accepts(0, 1, unit="CNY/W/yr"))
    inverter_replacement_year: int = field(default=13, metadata=accepts(0, 60, unit="year"))
    inverter_cny_per_w: float = field(default=0.15, metadata=accepts(0, 5, unit="CNY/W"))
    degradation_per_yr: float = field(default=0.004, metadata=accepts(0, 0.1, unit="-/yr", fraction=True))
    horizon_years: int = field(default=25, metadata=accepts(1, 60, unit="years"))
    discount_rate: float = field(default=0.06, metadata=accepts(-1, 1, open=True, unit="-", fraction=True))
    default_tariff_cny_per_kwh: float = field(default=0.65, metadata=accepts(0, 10, unit="CNY/kWh"))
    export_price_cny_per_kwh: float = field(default=0.30, metadata=accepts(0, 10, unit="CNY/kWh"))
    export_price_existing_cny_per_kwh: float = field(default=0.4161, metadata=accepts(0, 10, unit="CNY/kWh"))
    commissioning_date: str = "2026-06-30"
    export_price_sensitivity: tuple[float, ...] = field(default=(0.20, 0.30, 0.4161),
                                                        metadata=accepts(0, 10, unit="CNY/kWh"))
    owner_discount: float = field(default=0.0, metadata=accepts(0, 1, unit="-", fraction=True))
    roof_rent_cny_per_m2_yr: float = field(default=0.0, metadata=accepts(0, 1000, unit="CNY/m2/yr"))
    tce_basis: str = field(default="calorific", metadata=accepts(choices=tuple(TCE_BASES)))
    grid_region: str = field(default="national", metadata=accepts(choices=GRID_REGIONS))
    grid_year: int = field(default=2023, metadata=accepts(choices=GRID_YEARS))

    def __post_init__(self):
        grid_factor(self.grid_region, self.grid_year)  # raises ConfigError for a pair without a factor
        try:
            date.fromisoformat(str(self.commissioning_date))
        except ValueError:
            raise ConfigError(f"commissioning_date {self.commissioning_date!r} is not a date like \"2026-06-30\"") \
                from None

    def metadata(self) -> pd.DataFrame:
        """Every assumption with its source, for the outputs' companion sheet."""
        src = {"capex_cny_per_w": "DOMAIN.md ranges (estimate within them)", "om_cny_per_w_yr": "DOMAIN.md",
               "inverter_replacement_year": "estimate", "inverter_cny_per_w": "estimate",
               "degradation_per_yr": "DOMAIN.md", "horizon_years": "Shiyan 25-year concession (seeds/001)",
               "discount_rate": "estimate", "default_tariff_cny_per_kwh": "DOMAIN.md (0.6-0.75)",
               "export_price_cny_per_kwh": "estimate: market price of midday exports for projects from "
                                           "2025-06-01 (发改价格〔2025〕136号); set the province's price",
               "export_price_existing_cny_per_kwh": "Hubei coal benchmark 0.4161 (DOMAIN.md; 发改价格〔2025〕136号)",
               "commissioning_date": "estimate (a plan made in 2026)",
               "export_price_sensitivity": "estimates around the default", "owner_discount": "input", "roof_rent_cny_per_m2_yr":
                   "input", "tce_basis": tce_factor(self.tce_basis).source,
               "grid_region": grid_factor(self.grid_region, self.grid_year).source,
               "grid_year": grid_factor(self.grid_region, self.grid_year).source}
        return pd.DataFrame([{"parameter": k, "value": str(v if not isinstance(v, Mapping) else dict(v)),
                              "source": src.get(k, "")} for k, v in ((f.name, getattr(self, f.name))
                                                                    for f in fields(self))])

    def export_price(self) -> float:
        """The export price of projects commissioned on ``commissioning_date`` [CNY/kWh] (发改价格〔2025〕136号:
        market-based from 1 June 2025)."""
        new = date.fromisoformat(self.commissioning_date) >= date(2025, 6, 1)
        return self.export_price_cny_per_kwh if new else self.export_price_existing_cny_per_kwh


def self_consumption(pv_hourly_kwh: np.ndarray, load_hourly_kwh: np.ndarray) -> np.ndarray:
    """Self-consumed energy per site [kWh]: sum over hours of min(PV, load); arrays (sites, hours)."""
    return np.minimum(pv_hourly_kwh, load_hourly_kwh).sum(axis=-1)


def cash_flows(annual_kwh, self_share, tariff, capacity_kwp, gross_area_m2, capex_cny, p: EconomicParams,
               year1_revenue=None, export_price=None):
    """Yearly cash flows [CNY], shape (sites, horizon + 1), and energy [kWh], shape (sites, horizon + 1).

    ``year1_revenue`` [CNY] (sites,), when given, replaces the flat-tariff revenue
    ``E_1 (s p_retail (1 - owner_discount) + (1 - s) p_export)``; ``annual_kwh`` is then the delivered energy.
    """
    n = p.horizon_years
    years = np.arange(n + 1)
    deg = np.where(years >= 1, (1.0 - p.degradation_per_yr) ** np.maximum(years - 1, 0), 0.0)
    energy = np.asarray(annual_kwh, float)[:, None] * deg[None, :]
    s = np.asarray(self_share, float)[:, None]
    pexp = p.export_price() if export_price is None else export_price
    price = s * np.asarray(tariff, float)[:, None] * (1.0 - p.owner_discount) + (1.0 - s) * pexp
    watts = np.asarray(capacity_kwp, float)[:, None] * 1e3
    costs = np.where(years >= 1, p.om_cny_per_w_yr * watts + p.roof_rent_cny_per_m2_yr *
                     np.asarray(gross_area_m2, float)[:, None], 0.0)
    costs = costs + np.where(years == p.inverter_replacement_year, p.inverter_cny_per_w * watts, 0.0)
    costs[:, 0] = np.asarray(capex_cny, float)
    if year1_revenue is None:
        revenue = energy * price
    else:
        revenue = np.asarray(year1_revenue, float)[:, None] * deg[None, :]
    return revenue - costs, energy, costs


def site_economics(sites: pd.DataFrame, p: EconomicParams | None = None) -> pd.DataFrame:
    """Economics and carbon columns for each site.

    Parameters
    ----------
    sites : DataFrame
        ``capacity_kwp``, ``annual_ac_kwh``, ``self_consumed_kwh``,
        ``tariff_cny_per_kwh`` (NaN = default), ``gross_area_m2`` and
        ``capex_cny`` (from :func:`capex_by_surface`, summed per site).

    Returns
    -------
    DataFrame
        ``self_consumption_share`` [-], ``year1_revenue_cny``, ``om_cny_per_yr``,
        ``lcoe_cny_per_kwh``, ``npv_cny``, ``irr`` (NaN = undefined),
        ``irr_status``, ``simple_payback_yr``, ``discounted_payback_yr``,
        ``lifetime_kwh``, ``annual_tce``, ``annual_co2_t``, ``lifetime_tce``,
        ``lifetime_co2_t``, ``roof_owner_benefit_cny_per_yr``.
    """
    p = p or EconomicParams()
    cf, energy, costs, share, sc_value = _flows(sites, p)
    annual = energy[:, 1] if energy.shape[1] > 1 else np.zeros(len(sites))
    out = pd.DataFrame(index=sites.index)
    out["self_consumption_share"] = share
    out["capex_cny"] = sites["capex_cny"].to_numpy(float)
    out["year1_revenue_cny"] = cf[:, 1] + costs[:, 1]
    out["om_cny_per_yr"] = costs[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["lcoe_cny_per_kwh"] = finance.levelised_cost(p.discount_rate, costs, energy)
    out["npv_cny"] = finance.npv(p.discount_rate, cf)
    irr = finance.irr(cf) if len(cf) else np.array([])
    out["irr"] = irr
    out["irr_status"] = np.where(np.isnan(irr), "undefined: cash flows never change sign", "ok")
    out["simple_payback_yr"] = finance.payback_years(cf) if len(cf) else []
    out["discounted_payback_yr"] = finance.payback_years(cf, p.discount_rate) if len(cf) else []
    lifetime = energy.sum(axis=1)
    out["lifetime_kwh"] = lifetime
    out["annual_tce"] = kwh_to_tce(annual, p.tce_basis)
    out["annual_co2_t"] = kwh_to_co2_t(annual, p.grid_region, p.grid_year)
    out["lifetime_tce"] = kwh_to_tce(lifetime, p.tce_basis)
    out["lifetime_co2_t"] = kwh_to_co2_t(lifetime, p.grid_region, p.grid_year)
    out["roof_owner_benefit_cny_per_yr"] = (sc_value * p.owner_discount
                                            + p.roof_rent_cny_per_m2_yr * sites["gross_area_m2"].to_numpy(float))
    return out


def _flows(sites: pd.DataFrame, p: EconomicParams, export_price: float | None = None):
    """Cash flows, delivered energy, costs, self-consumption share and year-1 self-consumed value of each site.

    With the hourly columns of :func:`solarplan.pv.siteflows.site_flows` (``self_consumed_value_cny``,
    ``export_kwh``, ``curtailed_kwh``) the revenue is theirs; without them, the flat tariff.
    """
    pexp = p.export_price() if export_price is None else export_price
    annual = sites["annual_ac_kwh"].to_numpy(float)
    sc = sites["self_consumed_kwh"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.clip(np.where(annual > 0, sc / annual, 0.0), 0, 1)
    tariff = sites["tariff_cny_per_kwh"].fillna(p.default_tariff_cny_per_kwh).to_numpy(float)
    if "self_consumed_value_cny" in sites:
        sc_value = sites["self_consumed_value_cny"].fillna(0.0).to_numpy(float)
        curtailed = sites["curtailed_kwh"].fillna(0.0).to_numpy(float) if "curtailed_kwh" in sites else 0.0
        export = (sites["export_kwh"].fillna(0.0).to_numpy(float) if "export_kwh" in sites
                  else np.maximum(annual - sc - curtailed, 0.0))
        delivered = np.maximum(annual - curtailed, 0.0)
        revenue = sc_value * (1.0 - p.owner_discount) + export * pexp
        cf, energy, costs = cash_flows(delivered, share, tariff, sites["capacity_kwp"], sites["gross_area_m2"],
                                       sites["capex_cny"], p, year1_revenue=revenue)
    else:
        sc_value = annual * share * tariff
        cf, energy, costs = cash_flows(annual, share, tariff, sites["capacity_kwp"], sites["gross_area_m2"],
                                       sites["capex_cny"], p, export_price=pexp)
    return cf, energy, costs, share, sc_value


def export_price_sensitivity(sites: pd.DataFrame, p: EconomicParams | None = None, prices=None) -> pd.DataFrame:
    """Portfolio NPV and IRR at several export prices (the sensitivity rows of issue 18).

    Returns
    -------
    DataFrame
        ``parameter`` ("export_price_cny_per_kwh"), ``value`` [CNY/kWh], ``npv_cny`` (sum over sites),
        ``irr`` (of the summed cash flows), ``export_revenue_cny_yr1``, ``is_default``.
    """
    p = p or EconomicParams()
    prices = tuple(prices) if prices is not None else tuple(p.export_price_sensitivity)
    if p.export_price() not in prices:
        prices = tuple(sorted(prices + (p.export_price(),)))
    rows = []
    for price in prices:
        cf, *_ = _flows(sites, p, export_price=price)
        total = cf.sum(axis=0) if len(cf) else np.zeros(p.horizon_years + 1)
        exp = (sites["export_kwh"].fillna(0.0).sum() if "export_kwh" in sites else
               (sites["annual_ac_kwh"] - sites["self_consumed_kwh"]).sum())
        rows.append({"parameter": "export_price_cny_per_kwh", "value": price,
                     "npv_cny": float(finance.npv(p.discount_rate, total)),
                     "irr": float(finance.irr(total)) if len(cf) else float("nan"),
                     "export_revenue_cny_yr1": float(exp * price), "is_default": price == p.export_price()})
    return pd.DataFrame(rows)


def capex_by_surface(surface_type: pd.Series, capacity_kwp: pd.Series, p: EconomicParams | None = None) -> pd.Series:
    """Capex per surface [CNY] = capacity x CNY/W of its type."""
    p = p or EconomicParams()
    rate = surface_type.map(dict(p.capex_cny_per_w))
    if rate.isna().any():
        bad = sorted(set(surface_type[rate.isna()]))
        raise InputError(f"no capex for surface type(s) {bad}; valid: {', '.join(p.capex_cny_per_w)}")
    return rate * capacity_kwp * 1e3
