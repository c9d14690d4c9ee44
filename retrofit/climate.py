"""Heating and cooling demand from the weather year: design temperatures, degree days and
equivalent full-load hours by a temperature-bin (hour-by-hour) method (pure).

The same hourly ``temp_air`` the PV side uses (a real file or the synthetic year)
drives the retrofit side, so a site's PV and its heat pump see one climate.

Method
------
Design temperatures follow the definitions of GB 50736-2012 §4.1.2 applied to
the one typical year: the summer air-conditioning dry bulb is the temperature
exceeded in 50 hours of the year; the winter heating temperature is the daily
mean not reached on 5 days of the year.

The load of each occupied hour is linear in outdoor temperature between a
balance point and the design temperature (the ASHRAE bin method):

.. math::

   f_h = \\mathrm{clip}\\left(\\frac{T_{bal,h} - T}{T_{bal,h} - T_{d,h}}, 0, 1\\right), \\quad
   f_c = \\mathrm{clip}\\left(\\frac{T - T_{bal,c}}{T_{d,c} - T_{bal,c}}, 0, 1\\right)

and the equivalent full-load hours are the sums of ``f`` over occupied hours.
Balance points 15 °C (heating) and 22 °C (cooling) are estimates for public
buildings with internal and solar gains; the occupied hours are those of
:func:`solarplan.core.loadprofile.occupancy`.

References
----------
.. [1] GB 50736-2012 Design code for heating ventilation and air conditioning of
   civil buildings, §4.1.2 (outdoor design conditions).
.. [2] ASHRAE Handbook - Fundamentals (2017), ch. 19 "Energy estimating and
   modeling methods", bin and degree-day methods.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solarplan.core.loadprofile import occupancy

#: Balance temperatures [C] (estimates, see the module docstring).
HEATING_BALANCE_C = 15.0
COOLING_BALANCE_C = 22.0
#: Hours in each month of the 365-day typical year.
MONTH_HOURS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]) * 24.0


@dataclass(frozen=True)
class HvacClimate:
    """Climate figures of one weather year for one building category.

    Attributes
    ----------
    heating_design_c, cooling_design_c : float
        Design outdoor temperatures [C] (GB 50736-2012 definitions on the typical year).
    hdd18, cdd26 : float
        Heating degree days base 18 C and cooling degree days base 26 C [K·d] from daily means
        (the bases of GB 50176-2016's climate zoning).
    heating_eflh, cooling_eflh : float
        Equivalent full-load hours of heating and cooling [h/yr] for the category's occupied hours.
    """

    heating_design_c: float
    cooling_design_c: float
    hdd18: float
    cdd26: float
    heating_eflh: float
    cooling_eflh: float
    design_source: str = "weather year (GB 50736-2012 §4.1.2 definitions)"


def design_temperatures(temp_air) -> tuple[float, float]:
    """(winter heating, summer cooling) design temperatures [C] of an hourly year [1]_."""
    t = np.asarray(temp_air, float)[:8760]
    daily = t[: len(t) // 24 * 24].reshape(-1, 24).mean(axis=1)
    heating = float(np.sort(daily)[5])          # not reached on 5 days
    cooling = float(np.sort(t)[::-1][50])       # exceeded in 50 hours
    return heating, cooling


def degree_days(temp_air, base_c: float, heating: bool = True) -> float:
    """Degree days [K·d] from the daily means of an hourly year."""
    t = np.asarray(temp_air, float)[:8760]
    daily = t[: len(t) // 24 * 24].reshape(-1, 24).mean(axis=1)
    d = base_c - daily if heating else daily - base_c
    return float(np.clip(d, 0, None).sum())


def _load_fractions(temp_air, occupied, heating_design_c, cooling_design_c, heating_balance_c,
                    cooling_balance_c) -> tuple[np.ndarray, np.ndarray]:
    """Hourly part-load fractions (heating, cooling) of the bin method, 0 in unoccupied hours."""
    t = np.asarray(temp_air, float)[:8760]
    occ = np.asarray(occupied, bool)[: len(t)]
    fh = np.clip((heating_balance_c - t) / max(heating_balance_c - heating_design_c, 1e-6), 0, 1)
    fc = np.clip((t - cooling_balance_c) / max(cooling_design_c - cooling_balance_c, 1e-6), 0, 1)
    return fh * occ, fc * occ


def full_load_hours(temp_air, occupied, heating_design_c: float, cooling_design_c: float,
                    heating_balance_c: float = HEATING_BALANCE_C,
                    cooling_balance_c: float = COOLING_BALANCE_C) -> tuple[float, float]:
    """Equivalent full-load hours (heating, cooling) [h/yr] by the hourly bin method [2]_."""
    fh, fc = _load_fractions(temp_air, occupied, heating_design_c, cooling_design_c, heating_balance_c,
                             cooling_balance_c)
    return float(fh.sum()), float(fc.sum())


def monthly_shares(temp_air, occupied, heating_design_c: float, cooling_design_c: float,
                   heating_balance_c: float = HEATING_BALANCE_C,
                   cooling_balance_c: float = COOLING_BALANCE_C) -> tuple[np.ndarray, np.ndarray]:
    """Share of the year's heating and cooling demand in each month [-] (12 values each, summing to 1,
    or all 0 without demand), from the same hourly bin fractions as :func:`full_load_hours`."""
    fh, fc = _load_fractions(temp_air, occupied, heating_design_c, cooling_design_c, heating_balance_c,
                             cooling_balance_c)
    month = np.repeat(np.arange(12), MONTH_HOURS.astype(int))
    out = []
    for f in (fh, fc):
        m = np.bincount(month[: len(f)], weights=f, minlength=12)
        out.append(m / m.sum() if m.sum() > 0 else m)
    return out[0], out[1]


def hvac_climate(temp_air, category: str, design=None) -> HvacClimate:
    """All climate figures of a weather year for a building category.

    ``design`` (a :class:`retrofit.design.DesignConditions`) sets the design temperatures, e.g. from
    GB 50736-2012 Appendix A; the weather year then supplies only the hourly shape. Without it the
    §4.1.2 definitions are applied to the weather year itself.
    """
    if design is None:
        hd, cd = design_temperatures(temp_air)
        source = HvacClimate.__dataclass_fields__["design_source"].default
    else:
        hd, cd, source = design.heating_c, design.cooling_c, design.source
    eh, ec = full_load_hours(temp_air, occupancy(category), hd, cd)
    return HvacClimate(hd, cd, degree_days(temp_air, 18.0, True), degree_days(temp_air, 26.0, False), eh, ec,
                       source)
