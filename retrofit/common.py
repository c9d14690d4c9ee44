"""What every retrofit measure returns: energy by carrier before and after, and its value.

A measure computes baseline and retrofit energy by carrier; :func:`savings_table`
turns them into the documented savings columns, with tce and CO2 from
:mod:`solarplan.core.factors` and money at the :class:`Prices` given.

Carriers and their units: ``electricity_kwh``, ``gas_m3`` (natural gas),
``coal_kg`` (raw coal).

Columns of a savings table (one row per building)
-------------------------------------------------
baseline_<carrier>, retrofit_<carrier>, saved_<carrier>
    Annual energy [kWh, m3, kg].
baseline_tce, saved_tce
    Coal equivalent [tce/yr] (calorific basis unless chosen otherwise).
saved_co2_t
    Avoided CO2 [t/yr]: grid factor for electricity, IPCC factors for fuels.
baseline_cny, saved_cny
    Annual energy cost and its saving [CNY/yr] at the given prices.
saving_share
    saved / baseline on the tce basis [-] (0 where the baseline is 0).
capex_cny, life_years, simple_payback_years
    Investment [CNY], measure life [yr], capex / saved_cny [yr] (NaN where nothing is saved).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from solarplan.core.factors import (GRID_REGIONS, GRID_YEARS, TCE_BASES, fuel_to_co2_t, fuel_to_tce, grid_factor,
                                    kwh_to_co2_t, kwh_to_tce)
from solarplan.core.limits import accepts

CARRIERS = ("electricity_kwh", "gas_m3", "coal_kg")
_FUEL = {"gas_m3": "natural_gas", "coal_kg": "raw_coal"}


@dataclass(frozen=True)
class Prices:
    """Energy prices and the factor choices used to value savings.

    Attributes
    ----------
    electricity_cny_per_kwh : float
        Default 0.68, the middle of the 0.6-0.75 CNY/kWh general commercial
        tariffs in Hubei (shared/context/DOMAIN.md; estimate, set your own).
    gas_cny_per_m3 : float
        Default 3.6, non-residential natural gas in Hubei cities 2023-2024
        (estimate from published municipal price notices).
    coal_cny_per_kg : float
        Default 1.0, delivered raw coal for small boilers (estimate).
    tce_basis, grid_region, grid_year
        As in :mod:`solarplan.core.factors` (calorific, national, 2023).
    """

    electricity_cny_per_kwh: float = field(default=0.68, metadata=accepts(0, 10, unit="CNY/kWh"))
    gas_cny_per_m3: float = field(default=3.6, metadata=accepts(0, 50, unit="CNY/m3"))
    coal_cny_per_kg: float = field(default=1.0, metadata=accepts(0, 20, unit="CNY/kg"))
    tce_basis: str = field(default="calorific", metadata=accepts(choices=tuple(TCE_BASES)))
    grid_region: str = field(default="national", metadata=accepts(choices=GRID_REGIONS))
    grid_year: int = field(default=2023, metadata=accepts(choices=GRID_YEARS))

    def __post_init__(self):
        grid_factor(self.grid_region, self.grid_year)  # raises ConfigError for a pair without a factor

    def unit_price(self, carrier: str) -> float:
        """CNY per unit of a carrier."""
        return {"electricity_kwh": self.electricity_cny_per_kwh, "gas_m3": self.gas_cny_per_m3,
                "coal_kg": self.coal_cny_per_kg}[carrier]


def to_tce(carrier: str, amount, prices: Prices):
    """Coal equivalent [tce] of an amount of a carrier."""
    if carrier == "electricity_kwh":
        return kwh_to_tce(amount, prices.tce_basis)
    return fuel_to_tce(amount, _FUEL[carrier])


def to_co2_t(carrier: str, amount, prices: Prices):
    """CO2 [t] of an amount of a carrier."""
    if carrier == "electricity_kwh":
        return kwh_to_co2_t(amount, prices.grid_region, prices.grid_year)
    return fuel_to_co2_t(amount, _FUEL[carrier])


def _full(d: dict, n: int) -> dict:
    return {c: np.broadcast_to(np.asarray(d.get(c, 0.0), float), (n,)).astype(float) for c in CARRIERS}


def savings_table(baseline: dict, retrofit: dict, capex_cny, life_years, prices: Prices,
                  n: int | None = None) -> pd.DataFrame:
    """Savings columns from baseline and retrofit energy by carrier (see the module docstring).

    Parameters
    ----------
    baseline, retrofit : dict
        carrier -> annual amount (scalar or array of length n); missing carriers are 0.
    capex_cny, life_years : array-like
    prices : Prices
    """
    if n is None:
        n = max([np.size(v) for v in (*baseline.values(), *retrofit.values(), capex_cny)] + [1])
    b, r = _full(baseline, n), _full(retrofit, n)
    out = {}
    for c in CARRIERS:
        out[f"baseline_{c}"] = b[c]
        out[f"retrofit_{c}"] = r[c]
        out[f"saved_{c}"] = b[c] - r[c]
    out["baseline_tce"] = sum(to_tce(c, b[c], prices) for c in CARRIERS)
    out["saved_tce"] = sum(to_tce(c, b[c] - r[c], prices) for c in CARRIERS)
    out["saved_co2_t"] = sum(to_co2_t(c, b[c] - r[c], prices) for c in CARRIERS)
    out["baseline_cny"] = sum(b[c] * prices.unit_price(c) for c in CARRIERS)
    out["saved_cny"] = sum((b[c] - r[c]) * prices.unit_price(c) for c in CARRIERS)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["saving_share"] = np.where(out["baseline_tce"] > 0, out["saved_tce"] / out["baseline_tce"], 0.0)
        capex = np.broadcast_to(np.asarray(capex_cny, float), (n,))
        out["capex_cny"] = capex
        out["life_years"] = np.broadcast_to(np.asarray(life_years, float), (n,))
        out["simple_payback_years"] = np.where(out["saved_cny"] > 0, capex / out["saved_cny"], np.nan)
    return pd.DataFrame(out)
