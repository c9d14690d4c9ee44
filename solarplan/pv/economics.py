"""PV economics per site over a roof concession (pure, vectorised over sites).

Self-consumption first, surplus exported (自发自用、余电上网): year-1 energy is
split hour by hour against the site's load (:mod:`solarplan.core.loadprofile`);
self-consumed kWh are valued at the retail tariff (less the roof owner's
discount under a concession), exported kWh at the export price.

Cash flows of the PV owner, year 0 = construction::

    CF_0 = -capex
    CF_t = E_t (s p_retail (1 - owner_discount) + (1 - s) p_export)
           - O&M - roof rent - inverter replacement (in its year)
    E_t  = E_1 (1 - degradation)^(t - 1)

with s the self-consumption share. LCOE = PV(costs) / PV(energy) [1]_.

References
----------
.. [1] Short, W., Packey, D., Holt, T. (1995). NREL/TP-462-5173 (LCOE, NPV, IRR).
.. [2] shared/context/DOMAIN.md, typical planning figures: capex rooftop
   2.8-3.5 CNY/W, carports 3.5-4.5 CNY/W; O&M 0.03-0.05 CNY/W/yr; degradation
   ~1 % in year 1 (here the PVWatts LID loss already in the simulated yield),
   then ~0.4 %/yr; Hubei coal benchmark price 0.4161 CNY/kWh; commercial
   tariffs 0.6-0.75 CNY/kWh.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

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
        0.4161, Hubei coal benchmark price [2]_. NEEDS the current
        market-based mechanism price for new projects: set it in [economics].
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
    export_price_cny_per_kwh: float = field(default=0.4161, metadata=accepts(0, 10, unit="CNY/kWh"))
    owner_discount: float = field(default=0.0, metadata=accepts(0, 1, unit="-", fraction=True))
    roof_rent_cny_per_m2_yr: float = field(default=0.0, metadata=accepts(0, 1000, unit="CNY/m2/yr"))
    tce_basis: str = field(default="calorific", metadata=accepts(choices=tuple(TCE_BASES)))
    grid_region: str = field(default="national", metadata=accepts(choices=GRID_REGIONS))
    grid_year: int = field(default=2023, metadata=accepts(choices=GRID_YEARS))

    def __post_init__(self):
        grid_factor(self.grid_region, self.grid_year)  # raises ConfigError for a pair without a factor

    def metadata(self) -> pd.DataFrame:
        """Every assumption with its source, for the outputs' companion sheet."""
        src = {"capex_cny_per_w": "DOMAIN.md ranges (estimate within them)", "om_cny_per_w_yr": "DOMAIN.md",
               "inverter_replacement_year": "estimate", "inverter_cny_per_w": "estimate",
               "degradation_per_yr": "DOMAIN.md", "horizon_years": "Shiyan 25-year concession (seeds/001)",
               "discount_rate": "estimate", "default_tariff_cny_per_kwh": "DOMAIN.md (0.6-0.75)",
               "export_price_cny_per_kwh": "Hubei coal benchmark 0.4161 (DOMAIN.md); replace with the current "
                                           "mechanism price", "owner_discount": "input", "roof_rent_cny_per_m2_yr":
                   "input", "tce_basis": tce_factor(self.tce_basis).source,
               "grid_region": grid_factor(self.grid_region, self.grid_year).source,
               "grid_year": grid_factor(self.grid_region, self.grid_year).source}
        return pd.DataFrame([{"parameter": k, "value": str(v if not isinstance(v, Mapping) else dict(v)),
                              "source": src.get(k, "")} for k, v in ((f.name, getattr(self, f.name))
                                                                    for f in fields(self))])


def self_consumption(pv_hourly_kwh: np.ndarray, load_hourly_kwh: np.ndarray) -> np.ndarray:
    """Self-consumed energy per site [kWh]: sum over hours of min(PV, load); arrays (sites, hours)."""
    return np.minimum(pv_hourly_kwh, load_hourly_kwh).sum(axis=-1)


def cash_flows(annual_kwh, self_share, tariff, capacity_kwp, gross_area_m2, capex_cny, p: EconomicParams):
    """Yearly cash flows [CNY], shape (sites, horizon + 1), and energy [kWh], shape (sites, horizon + 1)."""
    n = p.horizon_years
    years = np.arange(n + 1)
    deg = np.where(years >= 1, (1.0 - p.degradation_per_yr) ** np.maximum(years - 1, 0), 0.0)
    energy = np.asarray(annual_kwh, float)[:, None] * deg[None, :]
    s = np.asarray(self_share, float)[:, None]
    price = s * np.asarray(tariff, float)[:, None] * (1.0 - p.owner_discount) + (1.0 - s) * p.export_price_cny_per_kwh
    watts = np.asarray(capacity_kwp, float)[:, None] * 1e3
    costs = np.where(years >= 1, p.om_cny_per_w_yr * watts + p.roof_rent_cny_per_m2_yr *
                     np.asarray(gross_area_m2, float)[:, None], 0.0)
    costs = costs + np.where(years == p.inverter_replacement_year, p.inverter_cny_per_w * watts, 0.0)
    costs[:, 0] = np.asarray(capex_cny, float)
    revenue = energy * price
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
    annual = sites["annual_ac_kwh"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.clip(np.where(annual > 0, sites["self_consumed_kwh"].to_numpy(float) / annual, 0.0), 0, 1)
    tariff = sites["tariff_cny_per_kwh"].fillna(p.default_tariff_cny_per_kwh).to_numpy(float)
    cf, energy, costs = cash_flows(annual, share, tariff, sites["capacity_kwp"], sites["gross_area_m2"],
                                   sites["capex_cny"], p)
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
    out["roof_owner_benefit_cny_per_yr"] = (annual * share * tariff * p.owner_discount
                                            + p.roof_rent_cny_per_m2_yr * sites["gross_area_m2"].to_numpy(float))
    return out


def capex_by_surface(surface_type: pd.Series, capacity_kwp: pd.Series, p: EconomicParams | None = None) -> pd.Series:
    """Capex per surface [CNY] = capacity x CNY/W of its type."""
    p = p or EconomicParams()
    rate = surface_type.map(dict(p.capex_cny_per_w))
    if rate.isna().any():
        bad = sorted(set(surface_type[rate.isna()]))
        raise ValueError(f"no capex for surface type(s) {bad}; valid: {', '.join(p.capex_cny_per_w)}")
    return rate * capacity_kwp * 1e3
