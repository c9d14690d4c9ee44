"""Ground-source heat pump replacing a building's heating and cooling plant (pure, vectorised).

Annual demand = design load intensity × floor area × equivalent full-load hours
(:mod:`retrofit.climate`), or given loads. Baseline energy by carrier follows from
the seasonal efficiency of the plant replaced; the GSHP's electricity from its
seasonal COP (heating) and EER (cooling), ground-loop pumps included.

Borefield: total borehole length is the larger of the heat rejected at peak
cooling, Q_c (1 + 1/EER), over the rejection rate per metre, and the heat
extracted at peak heating, Q_h (1 - 1/COP), over the extraction rate per metre;
the count follows from the borehole depth. The annual ground-load balance
(heat rejected / heat extracted) is flagged outside 0.8-1.25: a strongly
cooling-dominated field (as in Hubei) warms year by year and needs a hybrid
cooling tower or a larger field (GB 50366-2005 §4.3.2 requires the annual
balance to be checked).

References
----------
.. [1] GB 50366-2005 (2009 ed.) Technical code for ground-source heat pump system,
   §4.3 (borehole heat exchangers; annual heat balance).
.. [2] 陆耀庆 (ed.), 实用供热空调设计手册, 2nd ed., China Architecture & Building
   Press, 2008: design load indices per m² of floor area (office cooling
   95-115 W/m², heating 60-80 W/m²; the defaults here sit in those ranges).
.. [3] shared/context/DOMAIN.md: GSHP seasonal COP 3.0-3.5 heating, EER 3.3-4.0
   cooling, Wuhan field averages 3.25 / 3.37; baseline efficiencies.
.. [4] Kavanaugh, S., Rafferty, K. (2014). Geothermal Heating and Cooling: Design of
   Ground-Source Heat Pump Systems, ASHRAE (rule-of-thumb 35-70 W/m of borehole).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from solarplan.core.errors import InputError
from solarplan.core.factors import net_calorific_mj

#: Design load intensities [W/m² floor]: category -> (heating, cooling). Estimates within [2].
DESIGN_LOAD_W_M2 = MappingProxyType({
    "agency": (60.0, 100.0), "soe": (60.0, 100.0), "school": (55.0, 100.0),
    "hospital": (70.0, 110.0), "venue": (90.0, 160.0), "other": (60.0, 100.0),
})

#: Baseline plants: name -> (carrier, seasonal efficiency, kind). Efficiencies are
#: [3] or estimates: gas boiler 0.88 (0.85-0.92), coal boiler 0.65 (small
#: chain-grate boilers, estimate), air-source heat pump seasonal COP 2.5 heating /
#: EER 2.8 cooling, old split air conditioners 2.0 heating (winter defrost) / 2.8
#: cooling (estimates below the ~3 nameplate of DOMAIN.md for units in service),
#: electric resistance 0.98, water-cooled chiller plant 3.8 incl. pumps and towers (estimate).
HEATING_PLANTS = MappingProxyType({
    "gas_boiler": ("gas_m3", 0.88), "coal_boiler": ("coal_kg", 0.65), "ashp": ("electricity_kwh", 2.5),
    "split_ac": ("electricity_kwh", 2.0), "electric": ("electricity_kwh", 0.98), "none": (None, 1.0),
})
COOLING_PLANTS = MappingProxyType({
    "split_ac": ("electricity_kwh", 2.8), "ashp": ("electricity_kwh", 2.8),
    "chiller": ("electricity_kwh", 3.8), "none": (None, 1.0),
})
#: Lower heating values to turn heat into fuel [MJ/m3, MJ/kg]: GB/T 2589-2020, from the one table in
#: :data:`solarplan.core.factors.NET_CALORIFIC_MJ`.
FUEL_MJ = MappingProxyType({"gas_m3": net_calorific_mj("natural_gas"), "coal_kg": net_calorific_mj("raw_coal")})


@dataclass(frozen=True)
class GshpParams:
    """GSHP and borefield assumptions.

    Attributes
    ----------
    scop_heating, seer_cooling : float
        Seasonal COP / EER of the whole GSHP system [-]; 3.25 / 3.37, the Wuhan field averages [3].
    reject_w_per_m, extract_w_per_m : float
        Heat exchange per metre of borehole in cooling / heating [W/m]; 60 / 40, mid-range of [4]
        for wet clay and rock (a thermal response test per GB 50366 replaces them).
    borehole_depth_m : float
        100 m (typical double-U boreholes in Hubei; estimate).
    capex_cny_per_m2 : float
        350 CNY per m² of conditioned floor, borefield and plant room (estimate from public tenders).
    life_years : float
        20 (ASHRAE service-life tables put ground loops beyond 50 and heat pumps near 20).
    balance_range : tuple
        (0.8, 1.25): annual rejected/extracted heat outside it is flagged (estimate; [1] asks for balance).
    """

    scop_heating: float = 3.25
    seer_cooling: float = 3.37
    reject_w_per_m: float = 60.0
    extract_w_per_m: float = 40.0
    borehole_depth_m: float = 100.0
    capex_cny_per_m2: float = 350.0
    life_years: float = 20.0
    balance_range: tuple = (0.8, 1.25)


def annual_loads(floor_area_m2, category, heating_eflh, cooling_eflh):
    """Design loads [kW] and annual heating / cooling demand [kWh thermal] from floor area.

    Returns
    -------
    dict with heating_peak_kw, cooling_peak_kw, heating_kwh, cooling_kwh (arrays).
    """
    area = np.asarray(floor_area_m2, float)
    cats = np.broadcast_to(np.asarray(category, object), area.shape)
    unknown = sorted({c for c in cats.ravel() if c not in DESIGN_LOAD_W_M2})
    if unknown:
        raise InputError(f"unknown category {unknown[0]!r}; valid: {', '.join(DESIGN_LOAD_W_M2)}")
    qh = np.array([DESIGN_LOAD_W_M2[c][0] for c in cats.ravel()]).reshape(area.shape)
    qc = np.array([DESIGN_LOAD_W_M2[c][1] for c in cats.ravel()]).reshape(area.shape)
    hp, cp = qh * area / 1000.0, qc * area / 1000.0
    return dict(heating_peak_kw=hp, cooling_peak_kw=cp, heating_kwh=hp * np.asarray(heating_eflh, float),
                cooling_kwh=cp * np.asarray(cooling_eflh, float))


def plant_energy(heating_kwh, cooling_kwh, heating_plant, cooling_plant) -> dict:
    """Baseline energy by carrier of the plant replaced (see :data:`HEATING_PLANTS`)."""
    h, c = np.atleast_1d(np.asarray(heating_kwh, float)), np.atleast_1d(np.asarray(cooling_kwh, float))
    n = max(len(h), len(c))
    h, c = np.broadcast_to(h, (n,)), np.broadcast_to(c, (n,))
    hp = np.broadcast_to(np.asarray(heating_plant, object), (n,))
    cp = np.broadcast_to(np.asarray(cooling_plant, object), (n,))
    out = {k: np.zeros(n) for k in ("electricity_kwh", "gas_m3", "coal_kg")}
    for i in range(n):
        for plant, table, q in ((hp[i], HEATING_PLANTS, h[i]), (cp[i], COOLING_PLANTS, c[i])):
            if plant not in table:
                raise InputError(f"unknown plant {plant!r}; valid: {', '.join(table)}")
            carrier, eff = table[plant]
            if carrier is None or q == 0:
                continue
            if carrier == "electricity_kwh":
                out[carrier][i] += q / eff
            else:
                out[carrier][i] += q * 3.6 / eff / FUEL_MJ[carrier]
    return out


def gshp_energy(heating_kwh, cooling_kwh, params: GshpParams = GshpParams()) -> dict:
    """GSHP electricity [kWh] for the same demand."""
    if params.scop_heating <= 0 or params.seer_cooling <= 0:
        raise InputError("GSHP COP and EER must be > 0")
    e = np.asarray(heating_kwh, float) / params.scop_heating + np.asarray(cooling_kwh, float) / params.seer_cooling
    return {"electricity_kwh": e}


def borefield(heating_peak_kw, cooling_peak_kw, heating_kwh, cooling_kwh,
              params: GshpParams = GshpParams()) -> pd.DataFrame:
    """Borehole length and count, and the annual ground-load balance [1]_ [4]_.

    Columns: borehole_length_m, borehole_count, ground_rejected_kwh, ground_extracted_kwh,
    ground_reject_peak_kw, ground_extract_peak_kw (ground loads at the design hours),
    ground_balance (rejected / extracted; inf with no heating), ground_flag (text, '' when balanced).
    """
    cop, eer = params.scop_heating, params.seer_cooling
    heating_peak_kw, cooling_peak_kw, heating_kwh, cooling_kwh = (
        np.atleast_1d(np.asarray(x, float)) for x in (heating_peak_kw, cooling_peak_kw, heating_kwh, cooling_kwh))
    rej_peak_kw = np.asarray(cooling_peak_kw, float) * (1 + 1 / eer)
    ext_peak_kw = np.asarray(heating_peak_kw, float) * (1 - 1 / cop)
    length = np.maximum(rej_peak_kw * 1000 / params.reject_w_per_m, ext_peak_kw * 1000 / params.extract_w_per_m)
    rejected = np.asarray(cooling_kwh, float) * (1 + 1 / eer)
    extracted = np.asarray(heating_kwh, float) * (1 - 1 / cop)
    with np.errstate(divide="ignore", invalid="ignore"):
        balance = np.where(extracted > 0, rejected / extracted, np.where(rejected > 0, np.inf, 1.0))
    lo, hi = params.balance_range
    flag = np.where(balance > hi, "cooling-dominated ground load: plan a hybrid cooling tower or a larger field",
                    np.where(balance < lo, "heating-dominated ground load: the field cools year by year", ""))
    return pd.DataFrame({"borehole_length_m": length, "borehole_count": np.ceil(length / params.borehole_depth_m),
                         "ground_rejected_kwh": rejected, "ground_extracted_kwh": extracted,
                         "ground_reject_peak_kw": rej_peak_kw, "ground_extract_peak_kw": ext_peak_kw,
                         "ground_balance": balance, "ground_flag": flag})

