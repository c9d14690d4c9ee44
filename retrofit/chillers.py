"""Chiller replacement: IPLV weighting, age derating, grade tables, annual energy (pure).

Annual chiller electricity = rated capacity × equivalent full-load hours / IPLV,
plus chilled- and cooling-water pumps and cooling towers as a share of it (or
explicit powers × hours). The saving of a replacement is the difference between
the old machine (rated IPLV derated for age) and the new one (measured, or the
IPLV of the GB 19577-2015 grade bought).

.. math::

   IPLV_{GB} = 0.012 A + 0.328 B + 0.397 C + 0.263 D, \\quad
   IPLV_{AHRI} = 0.01 A + 0.42 B + 0.45 C + 0.12 D

where A, B, C, D are the COPs at 100, 75, 50 and 25 % load.

References
----------
.. [1] GB 50189-2015 Design standard for energy efficiency of public buildings,
   §4.2.13 (IPLV weighting 1.2/32.8/39.7/26.3 %) and Tables 4.2.10-4.2.11 (minimum COP
   and IPLV of water-chilling units).
.. [2] GB 19577-2015 Minimum allowable values of energy efficiency and energy
   efficiency grades for water chillers, Table 1 (grades 1-3).
.. [3] AHRI Standard 550/590 (I-P)-2020 (IPLV weights 1/42/45/12 %).
.. [4] GB 55015-2021 General code for energy efficiency and renewable energy
   application in buildings, §3.2 (minimum chiller efficiencies restated).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from solarplan.core.errors import ConfigError, InputError
from solarplan.core.limits import accepts

IPLV_WEIGHTS = MappingProxyType({"gb": (0.012, 0.328, 0.397, 0.263), "ahri": (0.01, 0.42, 0.45, 0.12)})

#: GB 19577-2015 Table 1 [2] as transcribed: (kind, capacity band) -> {grade: (COP, IPLV)}.
#: Capacity bands [kW]: air-cooled <=50 / >50; water-cooled <=528 / 528-1163 / >1163.
GRADES = MappingProxyType({
    ("air", 0): {1: (3.20, 3.80), 2: (3.00, 3.60), 3: (2.50, 2.80)},
    ("air", 1): {1: (3.40, 4.00), 2: (3.20, 3.70), 3: (2.70, 2.90)},
    ("water", 0): {1: (5.60, 7.20), 2: (5.30, 6.30), 3: (4.20, 5.00)},
    ("water", 1): {1: (6.00, 7.50), 2: (5.60, 7.00), 3: (4.70, 5.50)},
    ("water", 2): {1: (6.30, 8.10), 2: (5.80, 7.60), 3: (5.20, 5.90)},
})
#: GB 50189-2015 Table 4.2.10 minimum COP in the hot-summer/cold-winter zone [1]_ (as transcribed;
#: GB 55015-2021 [4] restates them): (kind, capacity band as above) -> COP. Water-cooled values are
#: those of screw machines, the common type in public buildings.
MINIMUM_COP = MappingProxyType({("air", 0): 2.70, ("air", 1): 2.90, ("water", 0): 4.90, ("water", 1): 5.20,
                                ("water", 2): 5.50})

#: Typical COP / IPLV of machines in service by kind when nothing is known (estimates:
#: a 2000s screw or centrifugal machine near the then GB 19577-2004 grade 4-5).
OLD_DEFAULT = MappingProxyType({"air": (2.6, 2.9), "water": (4.4, 5.0)})


def capacity_band(kind: str, capacity_kw) -> np.ndarray:
    """Index of the GB 19577-2015 capacity band."""
    c = np.asarray(capacity_kw, float)
    if kind == "air":
        return (c > 50).astype(int)
    if kind == "water":
        return np.digitize(c, [528.0, 1163.0], right=True)
    raise InputError(f"unknown chiller kind {kind!r}; valid: air, water")


def grade_efficiency(kind: str, capacity_kw: float, grade: int) -> tuple[float, float]:
    """(COP, IPLV) of a GB 19577-2015 grade (1 best, 3 the minimum allowed) [2]_."""
    band = int(capacity_band(kind, capacity_kw))
    table = GRADES[(kind, band)]
    if grade not in table:
        raise ConfigError(f"unknown grade {grade!r}; valid: 1, 2, 3")
    return table[grade]


def minimum_cop(kind: str, capacity_kw: float) -> float:
    """Minimum COP a new chiller of this kind and size must reach (GB 50189-2015) [1]_."""
    return MINIMUM_COP[(kind, int(capacity_band(kind, capacity_kw)))]


def iplv(a, b, c, d, method: str = "gb"):
    """Integrated part-load value from COPs at 100/75/50/25 % load [1]_ [3]_."""
    if method not in IPLV_WEIGHTS:
        raise ConfigError(f"unknown IPLV method {method!r}; valid: {', '.join(IPLV_WEIGHTS)}")
    w = IPLV_WEIGHTS[method]
    return w[0] * np.asarray(a, float) + w[1] * np.asarray(b, float) + w[2] * np.asarray(c, float) \
        + w[3] * np.asarray(d, float)


def aged(value, age_years, derate_per_year: float = 0.0, floor: float = 0.7):
    """Efficiency after ``age_years`` of service: value × max(1 - derate × age, floor).

    The rate is the caller's explicit choice (:class:`ChillerParams` ``derate_per_year``, default 0:
    the nameplate); the 70 % floor is an estimate.
    """
    age = np.asarray(age_years, float)
    if np.any(age < 0):
        raise InputError("chiller age must be >= 0")
    return np.asarray(value, float) * np.maximum(1 - derate_per_year * age, floor)


@dataclass(frozen=True)
class ChillerParams:
    """Auxiliaries, costs and life.

    Attributes
    ----------
    aux_share : float
        Pumps and cooling towers as a share of chiller electricity, 0.35 for water-cooled and
        0.10 (condenser fans are in the COP) for air-cooled plant: estimates.
    new_grade : int
        Grade bought, 1 (GB 19577-2015).
    capex_cny_per_kw : float
        1,000 CNY per kW of cooling installed (estimate from public tenders).
    life_years : float
        20 (ASHRAE service-life tables: centrifugal and screw chillers 20-23 years).
    derate_per_year : float
        Loss of efficiency per year of service applied to the old machine's rated IPLV, 0 by default
        (the nameplate: conservative). Fouling and refrigerant loss do degrade machines in service, but
        no published rate is adopted here; measure the old machine (``chiller_cop``/``chiller_iplv``)
        or set a rate you can source (``[retrofit.chiller] derate_per_year``; :func:`aged` floors it at 70 %).
    """

    aux_share_water: float = 0.35
    aux_share_air: float = 0.10
    new_grade: int = 1
    capex_cny_per_kw: float = 1000.0
    life_years: float = 20.0
    derate_per_year: float = field(default=0.0, metadata=accepts(0, 0.05, unit="1/yr", fraction=True))


def chiller_energy(capacity_kw, eflh, iplv_value, aux_share=0.0):
    """Annual electricity [kWh] = capacity × EFLH / IPLV × (1 + aux_share)."""
    v = np.asarray(iplv_value, float)
    if np.any(v <= 0):
        raise InputError("IPLV/COP must be > 0")
    return np.asarray(capacity_kw, float) * np.asarray(eflh, float) / v * (1 + np.asarray(aux_share, float))
