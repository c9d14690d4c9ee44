"""Energy and carbon factors: the one table solarplan and retrofit take factors from.

Every factor has a value, a unit, a source and a year. Conversions take the
basis, region and year as explicit choices; the defaults are stated here and
are written into every output's metadata (:func:`factor_sheet`).

References
----------
.. [1] GB/T 2589-2020 "General rules for calculation of the comprehensive energy
   consumption", Appendix A (calorific equivalents: electricity 0.1229 kgce/kWh;
   raw coal 0.7143 kgce/kg; natural gas 1.2143 kgce/m3; diesel 1.4571 kgce/kg;
   heat 0.03412 kgce/MJ) and the net calorific values behind them (raw coal
   20,908 kJ/kg, diesel 42,652 kJ/kg; natural gas 1.2143 kgce/m3 x 29,307.6 kJ/kgce
   = 35,588 kJ/m3).
.. [2] Ministry of Ecology and Environment (MEE) and National Bureau of Statistics
   (NBS): announcements of the electricity CO2 emission factors (consumption side)
   for 2021, 2022 and 2023 (national 0.5568 / 0.5366 / 0.5306 kg CO2/kWh; Central
   China grid 0.5395 for 2022 and 0.5271 for 2023).
.. [3] IPCC (2006). Guidelines for National Greenhouse Gas Inventories, Vol. 2,
   Table 2.2 default CO2 emission factors: natural gas 56,100, diesel (gas/diesel
   oil) 74,100, other bituminous coal 94,600 kg CO2/TJ.
.. [4] Supply coal consumption of thermal power (~0.30 kgce/kWh), the
   "generation coal" basis named in shared/context/DOMAIN.md; national
   statistics put it near 300 gce/kWh in the early 2020s (estimate, rounded).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from solarplan.core.errors import ConfigError


@dataclass(frozen=True)
class Factor:
    """A conversion factor with its provenance."""

    key: str
    value: float
    unit: str
    source: str
    year: int


#: Net calorific values [MJ per kg or m3], GB/T 2589-2020 Appendix A [1]: the one home of these figures
#: (the fuel CO2 factors below and the boiler fuel of retrofit.gshp take them from here). Natural gas is
#: 1.2143 kgce/m3 x 29.3076 MJ/kgce = 35.588 MJ/m3.
NET_CALORIFIC_MJ: dict[str, float] = {"natural_gas": 35.588, "raw_coal": 20.908, "diesel": 42.652}

_F = [
    Factor("electricity_tce_calorific", 0.1229, "kgce/kWh", "GB/T 2589-2020 Appendix A (calorific equivalent)", 2020),
    Factor("electricity_tce_generation", 0.300, "kgce/kWh",
           "supply coal consumption of thermal power, ~300 gce/kWh (estimate, see DOMAIN.md)", 2022),
    Factor("raw_coal_tce", 0.7143, "kgce/kg", "GB/T 2589-2020 Appendix A", 2020),
    Factor("natural_gas_tce", 1.2143, "kgce/m3", "GB/T 2589-2020 Appendix A", 2020),
    Factor("diesel_tce", 1.4571, "kgce/kg", "GB/T 2589-2020 Appendix A", 2020),
    Factor("heat_tce", 0.03412, "kgce/MJ", "GB/T 2589-2020 Appendix A", 2020),
    # fuel CO2 = net calorific value (GB/T 2589) x IPCC default emission factor
    Factor("natural_gas_co2", NET_CALORIFIC_MJ["natural_gas"] * 1e-3 * 56.1, "kg CO2/m3",
           "calorific value 35,588 kJ/m3 (= 1.2143 kgce/m3 x 29,307.6 kJ/kgce, GB/T 2589-2020) "
           "x IPCC 2006 56,100 kg CO2/TJ", 2006),
    Factor("raw_coal_co2", NET_CALORIFIC_MJ["raw_coal"] * 1e-3 * 94.6, "kg CO2/kg",
           "GB/T 2589-2020 calorific value 20,908 kJ/kg x IPCC 2006 94,600 kg CO2/TJ", 2006),
    Factor("diesel_co2", NET_CALORIFIC_MJ["diesel"] * 1e-3 * 74.1, "kg CO2/kg",
           "GB/T 2589-2020 calorific value 42,652 kJ/kg x IPCC 2006 74,100 kg CO2/TJ", 2006),
]
FACTORS: dict[str, Factor] = {f.key: f for f in _F}

#: Grid CO2 factors, consumption side, MEE/NBS series [2]: (region, year) -> kg CO2/kWh.
#: The 0.5703 "key emitter reporting" factor is a different series and is not mixed in.
GRID_CO2: dict[tuple[str, int], float] = {
    ("national", 2021): 0.5568, ("national", 2022): 0.5366, ("national", 2023): 0.5306,
    ("central", 2022): 0.5395, ("central", 2023): 0.5271,
}
GRID_SOURCE = "MEE & NBS electricity CO2 emission factors (consumption side), announcement for {year}"
DEFAULT_GRID = ("national", 2023)
GRID_REGIONS = tuple(dict.fromkeys(r for r, _ in GRID_CO2))
GRID_YEARS = tuple(sorted({y for _, y in GRID_CO2}))
TCE_BASES = {"calorific": "electricity_tce_calorific", "generation": "electricity_tce_generation"}
FUELS = {"raw_coal": ("raw_coal_tce", "raw_coal_co2", "kg"), "natural_gas": ("natural_gas_tce", "natural_gas_co2", "m3"),
         "diesel": ("diesel_tce", "diesel_co2", "kg"), "heat": ("heat_tce", None, "MJ")}


def grid_factor(region: str = DEFAULT_GRID[0], year: int = DEFAULT_GRID[1]) -> Factor:
    """Grid CO2 factor [kg CO2/kWh] for a region (``national``, ``central``) and year."""
    key = (str(region).lower(), int(year))
    if key not in GRID_CO2:
        valid = ", ".join(f"{r} {y}" for r, y in GRID_CO2)
        raise ConfigError(f"no grid CO2 factor for {region} {year}; valid: {valid}")
    return Factor(f"grid_co2_{key[0]}_{key[1]}", GRID_CO2[key], "kg CO2/kWh", GRID_SOURCE.format(year=key[1]),
                  key[1])


def tce_factor(basis: str = "calorific") -> Factor:
    """Electricity to coal equivalent: ``calorific`` (default, public-institution statistics) or ``generation``."""
    if basis not in TCE_BASES:
        raise ConfigError(f"unknown coal-equivalent basis {basis!r}; valid: {', '.join(TCE_BASES)}")
    return FACTORS[TCE_BASES[basis]]


def kwh_to_tce(kwh, basis: str = "calorific"):
    """Electricity [kWh] to tonnes of coal equivalent [tce]."""
    return np.asarray(kwh, float) * tce_factor(basis).value / 1000.0


def kwh_to_co2_t(kwh, region: str = DEFAULT_GRID[0], year: int = DEFAULT_GRID[1]):
    """Electricity [kWh] to tonnes of CO2 with the grid factor of a region and year."""
    return np.asarray(kwh, float) * grid_factor(region, year).value / 1000.0


def fuel_to_tce(amount, fuel: str):
    """A fuel amount (kg coal or diesel, m3 gas, MJ heat) to tce."""
    if fuel not in FUELS:
        raise ConfigError(f"unknown fuel {fuel!r}; valid: {', '.join(FUELS)}")
    return np.asarray(amount, float) * FACTORS[FUELS[fuel][0]].value / 1000.0


def fuel_to_co2_t(amount, fuel: str):
    """A fuel amount to tonnes of CO2 (combustion; heat has no fixed factor and raises)."""
    if fuel not in FUELS or FUELS[fuel][1] is None:
        raise ConfigError(f"no CO2 factor for fuel {fuel!r}; valid: "
                         f"{', '.join(k for k, v in FUELS.items() if v[1])}")
    return np.asarray(amount, float) * FACTORS[FUELS[fuel][1]].value / 1000.0


def net_calorific_mj(fuel: str) -> float:
    """Net calorific value of a fuel [MJ/kg, MJ/m3 for natural gas] (GB/T 2589-2020 [1])."""
    if fuel not in NET_CALORIFIC_MJ:
        raise ConfigError(f"no calorific value for fuel {fuel!r}; valid: {', '.join(NET_CALORIFIC_MJ)}")
    return NET_CALORIFIC_MJ[fuel]


def factor_sheet(used: list[Factor] | None = None) -> pd.DataFrame:
    """The factors (all, or those used) as a table for an output's companion sheet."""
    rows = used if used is not None else [*_F, *(grid_factor(r, y) for r, y in GRID_CO2)]
    return pd.DataFrame([asdict(f) for f in rows])
