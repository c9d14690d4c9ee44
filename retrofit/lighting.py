"""LED lighting retrofit: fixtures or lighting power density, hours, and controls (pure, vectorised).

Baseline power comes from a fixture inventory (type, count, wattage including
ballast) or, without one, from a lighting power density × floor area. The LED
replacement keeps the light output; controls are separate, documented factors
applied to the LED energy; the reduced heat to remove in summer is reported as
an interaction, not added to the saving.

.. math::

   E_{base} = P_{base} \\cdot h, \\quad
   E_{LED} = P_{LED} \\cdot h \\cdot (1 - s_{ctrl}), \\quad
   s_{ctrl} = \\min(1 - \\prod_i (1 - s_i),\\ s_{max})

References
----------
.. [1] shared/context/DOMAIN.md: a T8 36 W tube on a magnetic ballast draws 44-46 W, an
   LED tube 16-18 W; controls save a further ~24-38 %.
.. [2] Williams, A., Atkinson, B., Garbesi, K., Page, E., Rubinstein, F. (2012).
   Lighting controls in commercial buildings. LEUKOS 8(3), 161-180: mean savings
   occupancy 24 %, daylighting 28 %, multiple strategies 38 %.
.. [3] GB 50034-2013 Standard for lighting design of buildings, §6.3: lighting power
   density limits (office 9 W/m² current, 8 target; classroom 9 / 8; hospital ward 5 / 4.5).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from solarplan.core.errors import InputError

#: Fixture types: name -> (baseline W incl. ballast, LED replacement W). T8 from [1];
#: the others are catalogue figures for equal light output (estimates).
FIXTURES = MappingProxyType({
    "t8_36w_magnetic": (45.0, 17.0), "t8_36w_electronic": (39.0, 17.0), "t5_28w": (32.0, 16.0),
    "cfl_18w": (20.0, 9.0), "halogen_50w": (50.0, 7.0), "metal_halide_250w": (275.0, 120.0),
    "t8_18w_magnetic": (26.0, 9.0),
})
#: Annual lighting hours by category [h/yr] (estimates: office 250 days x 10 h; schools
#: shorter terms; hospitals mostly 24 h corridors and wards; venues evenings).
HOURS = MappingProxyType({"agency": 2500.0, "soe": 2500.0, "school": 2000.0, "hospital": 4500.0,
                          "venue": 3000.0, "other": 2500.0})
#: Lighting power density of old fluorescent installations [W/m²] (estimate: ~1.5 x the
#: GB 50034-2013 current values [3]) and of the LED retrofit (the target values of [3]).
LPD_OLD_W_M2 = MappingProxyType({"agency": 13.0, "soe": 13.0, "school": 13.0, "hospital": 9.0,
                                 "venue": 14.0, "other": 13.0})
LPD_LED_W_M2 = MappingProxyType({"agency": 8.0, "soe": 8.0, "school": 8.0, "hospital": 6.0,
                                 "venue": 9.0, "other": 8.0})
#: Control savings [2]: occupancy and daylight separately; combined capped at "multiple strategies".
CONTROL_SAVINGS = MappingProxyType({"occupancy": 0.24, "daylight": 0.28})
CONTROL_CAP = 0.38


@dataclass(frozen=True)
class LightingParams:
    """Costs, life and interaction assumptions.

    Attributes
    ----------
    capex_cny_per_fixture : float
        80 CNY per fixture swapped, tube and labour (estimate from public tenders).
    capex_cny_per_m2 : float
        25 CNY per m² where only an LPD is known (estimate).
    controls_cny_per_m2 : float
        15 CNY per m² per control strategy (estimate).
    life_years : float
        10: a 30,000 h L70 LED at 2,500-3,000 h a year (estimate).
    cooling_share, cooling_eer : float
        Share of lighting hours in the cooling season (0.35) and the cooling plant's EER (3.0),
        used only for the reported interaction (estimates).
    """

    capex_cny_per_fixture: float = 80.0
    capex_cny_per_m2: float = 25.0
    controls_cny_per_m2: float = 15.0
    life_years: float = 10.0
    cooling_share: float = 0.35
    cooling_eer: float = 3.0


def control_factor(occupancy_sensors, daylight_dimming) -> np.ndarray:
    """Share of LED energy the controls save [-] [2]_."""
    o = np.asarray(occupancy_sensors, bool)
    d = np.asarray(daylight_dimming, bool)
    keep = (1 - CONTROL_SAVINGS["occupancy"] * o) * (1 - CONTROL_SAVINGS["daylight"] * d)
    return np.minimum(1 - keep, CONTROL_CAP)


def fixture_power_kw(fixture_type, count, watts=None):
    """(baseline kW, LED kW) of a fixture inventory; ``watts`` overrides the baseline W per fixture."""
    types = np.atleast_1d(np.asarray(fixture_type, object))
    cnt = np.broadcast_to(np.asarray(count, float), types.shape)
    unknown = sorted({t for t in types if t not in FIXTURES})
    if unknown:
        raise InputError(f"unknown fixture type {unknown[0]!r}; valid: {', '.join(FIXTURES)}")
    base_w = np.array([FIXTURES[t][0] for t in types])
    if watts is not None:
        w = np.broadcast_to(np.asarray(watts, float), types.shape)
        base_w = np.where(np.isfinite(w), w, base_w)
    led_w = np.array([FIXTURES[t][1] for t in types])
    return cnt * base_w / 1000.0, cnt * led_w / 1000.0


def lighting_energy(base_kw, led_kw, hours, occupancy_sensors=False, daylight_dimming=False,
                    params: LightingParams = LightingParams()) -> dict:
    """Annual kWh before and after, and the cooling interaction [kWh] (positive = extra saving).

    Returns dict with baseline_kwh, retrofit_kwh, interaction_kwh.
    """
    h = np.asarray(hours, float)
    if np.any(h < 0):
        raise InputError("lighting hours must be >= 0")
    base = np.asarray(base_kw, float) * h
    led = np.asarray(led_kw, float) * h * (1 - control_factor(occupancy_sensors, daylight_dimming))
    led = np.minimum(led, base)  # a 'retrofit' never uses more than the old lamps
    interaction = (base - led) * params.cooling_share / params.cooling_eer
    return dict(baseline_kwh=base, retrofit_kwh=led, interaction_kwh=interaction)
