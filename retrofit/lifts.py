"""Lift energy by ISO 25745-2 and the effect of lift retrofits (pure, vectorised).

Daily energy is running plus non-running (standby) energy:

.. math::

   E_d = E_{rd} + E_{nr}

   E_{rd} = \\frac{k_L \\, n_d \\, E_{rav}}{2}, \\qquad
   E_{rav} = E_{sc} + (E_{rc} - E_{sc}) \\frac{s_{av}}{s_{rc}}

   E_{nr} = t_{nr} \\, (P_{id} R_{id} + P_{st5} R_{st5} + P_{st30} R_{st30}), \\qquad
   t_{nr} = 24\\,\\mathrm{h} - t_{rd}

with E_rc the energy of the reference cycle (empty car, full travel up and
down, doors operating), E_sc that of the short cycle (the travel-independent
part), s_rc the full travel, s_av the average travel (a share of s_rc by number
of stops), k_L the load factor, n_d trips a day and t_rd running hours a day
(both by usage category 1-6), and R the shares of non-running time spent idle,
in standby after 5 min and after 30 min. The specific running energy that sets
the running class is

.. math::

   E_{spr} = \\frac{k_L (E_{rc} - E_{sc})}{2 \\, Q \\, s_{rc}}  \\quad [\\mathrm{mWh/(kg\\cdot m)}]

.. note::
   The tables below (trips, running hours, average travel, time shares, load
   factors and class limits) are transcribed from secondary descriptions of
   ISO 25745-2:2015 (Tables 2-6), not from the purchased standard; check them
   against it before a contract relies on a class.

References
----------
.. [1] ISO 25745-2:2015 Energy performance of lifts, escalators and moving walks -
   Part 2: Energy calculation and classification for lifts (elevators).
.. [2] shared/context/DOMAIN.md: usage categories 1-6 of about 50/125/300/750/1500/2500
   trips a day; regenerative drives and modern VVVF save roughly 20-40 %; standby is
   often 40-70 % of a lift's energy.
.. [3] VDI 4707 Part 1 (2009) Lifts - Energy efficiency (the demand classes ISO 25745-2 adopted).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType

import numpy as np
import pandas as pd

from solarplan.core.errors import ConfigError, InputError
from solarplan.core.resources import data_path

#: Usage category -> (trips a day n_d, running hours a day t_rd) [1]_ [2]_.
USAGE = MappingProxyType({1: (50, 0.2), 2: (125, 0.5), 3: (300, 1.5), 4: (750, 3.0), 5: (1500, 6.0),
                          6: (2500, 12.0)})
#: Usage category -> (R_id, R_st5, R_st30): shares of non-running time [1]_.
TIME_SHARES = MappingProxyType({1: (0.13, 0.23, 0.64), 2: (0.20, 0.17, 0.63), 3: (0.36, 0.35, 0.29),
                                4: (0.41, 0.37, 0.22), 5: (0.50, 0.35, 0.15), 6: (0.70, 0.25, 0.05)})
#: Running-class upper limits of E_spr [mWh/(kg·m)], classes A..G [1]_.
RUNNING_CLASSES = (0.72, 1.08, 1.62, 2.43, 3.65, 5.47)
#: Standby-class upper limits of the idle/standby power [W], classes A..G [1]_.
STANDBY_CLASSES = (50.0, 100.0, 200.0, 400.0, 800.0, 1600.0)
CLASS_LETTERS = "ABCDEFG"


def average_travel_share(stops) -> np.ndarray:
    """s_av / s_rc by number of stops: 2 stops 1.0, 3 stops 0.67, more 0.49 [1]_."""
    s = np.asarray(stops, float)
    return np.where(s <= 2, 1.0, np.where(s == 3, 0.67, 0.49))


def load_factor(rated_load_kg, kind: str = "traction") -> np.ndarray:
    """k_L: traction lifts with ~50 % counterbalance 0.7 up to 800 kg, 0.8 above (a larger share
    of trips runs unbalanced); hydraulic lifts without counterweight 1.0 [1]_ (as transcribed)."""
    q = np.asarray(rated_load_kg, float)
    if kind == "hydraulic":
        return np.ones_like(q)
    return np.where(q <= 800, 0.7, 0.8)


def daily_energy(e_rc_wh, e_sc_wh, travel_share, k_l, trips, running_h, p_idle_w, p_st5_w, p_st30_w,
                 time_shares) -> dict:
    """ISO 25745-2 daily running, non-running and total energy [Wh/day] (see the module docstring)."""
    e_rc, e_sc = np.asarray(e_rc_wh, float), np.asarray(e_sc_wh, float)
    if np.any(e_rc < e_sc):
        raise InputError("the reference-cycle energy must be >= the short-cycle energy")
    r = np.asarray(time_shares, float)
    e_rav = e_sc + (e_rc - e_sc) * np.asarray(travel_share, float)
    e_rd = np.asarray(k_l, float) * np.asarray(trips, float) * e_rav / 2.0
    t_nr = 24.0 - np.asarray(running_h, float)
    e_nr = t_nr * (np.asarray(p_idle_w, float) * r[..., 0] + np.asarray(p_st5_w, float) * r[..., 1]
                   + np.asarray(p_st30_w, float) * r[..., 2])
    return dict(running_wh=e_rd, standby_wh=e_nr, total_wh=e_rd + e_nr)


def specific_running_energy(e_rc_wh, e_sc_wh, k_l, rated_load_kg, travel_m) -> np.ndarray:
    """E_spr [mWh/(kg·m)] [1]_."""
    return np.asarray(k_l, float) * (np.asarray(e_rc_wh, float) - np.asarray(e_sc_wh, float)) * 1000.0 / (
        2.0 * np.asarray(rated_load_kg, float) * np.asarray(travel_m, float))


def energy_class(value, limits) -> np.ndarray:
    """Class letter A-G of a value against the upper limits of A..F."""
    idx = np.searchsorted(np.asarray(limits), np.asarray(value, float), side="left")
    return np.asarray(list(CLASS_LETTERS), object)[idx]


@dataclass(frozen=True)
class LiftSpec:
    """One lift, with defaults by type where nothing was measured.

    Attributes
    ----------
    rated_load_kg, travel_m, stops, usage_category
        Q, s_rc, number of stops, ISO usage category 1-6.
    kind : str
        'traction' or 'hydraulic'.
    e_spr : float
        Specific running energy without k_L [mWh/(kg·m)] used when cycle energies are not
        measured: 3.0 for an old geared AC-2 or early VVVF traction lift, 1.2 for a PM gearless
        VVVF lift, 5.0 for hydraulic (estimates in the VDI 4707 / ISO class ranges [3]).
    e_sc_wh : float
        Short-cycle energy, 15 Wh (doors and start/stop; estimate).
    p_idle_w, p_st5_w, p_st30_w : float
        Idle and standby powers; 350 W each for an old lift that never sleeps (fluorescent car
        light ~60 W, controller, ventilation, display; estimate).
    car_light_w : float
        Car lighting in those powers, 60 W fluorescent (estimate).
    """

    rated_load_kg: float = 1000.0
    travel_m: float = 30.0
    stops: int = 10
    usage_category: int = 3
    kind: str = "traction"
    e_spr: float = 3.0
    e_sc_wh: float = 15.0
    p_idle_w: float = 350.0
    p_st5_w: float = 350.0
    p_st30_w: float = 350.0
    car_light_w: float = 60.0

    def cycle_energies(self) -> tuple[float, float]:
        """(E_rc, E_sc) [Wh] from the specific running energy (before k_L)."""
        return self.e_sc_wh + self.e_spr * 2 * self.rated_load_kg * self.travel_m / 1000.0, self.e_sc_wh


def lift_daily(spec: LiftSpec, e_rc_wh: float | None = None, e_sc_wh: float | None = None) -> dict:
    """Daily energy of one lift [Wh/day], its E_spr and its classes; measured cycle energies win."""
    if spec.usage_category not in USAGE:
        raise InputError(f"unknown usage category {spec.usage_category!r}; valid: 1-6")
    rc, sc = spec.cycle_energies()
    rc = rc if e_rc_wh is None else e_rc_wh
    sc = sc if e_sc_wh is None else e_sc_wh
    trips, hours = USAGE[spec.usage_category]
    kl = load_factor(spec.rated_load_kg, spec.kind)
    d = daily_energy(rc, sc, average_travel_share(spec.stops), kl, trips, hours, spec.p_idle_w, spec.p_st5_w,
                     spec.p_st30_w, TIME_SHARES[spec.usage_category])
    d["e_spr"] = specific_running_energy(rc, sc, kl, spec.rated_load_kg, spec.travel_m)
    d["running_class"] = energy_class(d["e_spr"], RUNNING_CLASSES)
    d["standby_class"] = energy_class(spec.p_st30_w, STANDBY_CLASSES)
    return d


MEASURES_TABLE = "lift_measures.csv"


@lru_cache(maxsize=1)
def measures_table() -> pd.DataFrame:
    """The shipped lift-measure table: measure, parameter, value, low, high (published range),
    capex_cny, life_years, source. Each effect's value lies inside its published range
    (tests/retrofit/test_retrofit_sources.py)."""
    return pd.read_csv(data_path(MEASURES_TABLE))


def measure_value(measure: str, parameter: str) -> float:
    """The value of one lift-measure parameter from :func:`measures_table`."""
    t = measures_table()
    hit = t[(t["measure"] == measure) & (t["parameter"] == parameter)]
    if not len(hit):
        raise KeyError(f"{MEASURES_TABLE} has no {measure}/{parameter}")
    return float(hit["value"].iloc[0])


def measure_cost(measure: str) -> tuple[float, float]:
    """(capex per lift [CNY], life [yr]) of a lift measure."""
    t = measures_table()
    r = t[t["measure"] == measure].iloc[0]
    return float(r["capex_cny"]), float(r["life_years"])


#: Lift measures: name -> description (effects in ``data/lift_measures.csv``).
LIFT_MEASURES = MappingProxyType({
    "regen": "regenerative drive (share of traction running energy returned)",
    "vvvf_pm": "permanent-magnet gearless VVVF machine (E_spr of ISO running class C)",
    "sleep": "standby sleep mode (car light, fan and display off after 5 and 30 min)",
    "led": "LED car lighting",
})


def retrofitted(spec: LiftSpec, measures) -> tuple[LiftSpec, float]:
    """(new spec, running-energy multiplier) after a set of measures."""
    unknown = [m for m in measures if m not in LIFT_MEASURES]
    if unknown:
        raise ConfigError(f"unknown lift measure {unknown[0]!r}; valid: {', '.join(LIFT_MEASURES)}")
    new, mult = spec, 1.0
    if "vvvf_pm" in measures and spec.kind == "traction":
        new = replace(new, e_spr=min(new.e_spr, measure_value("vvvf_pm", "e_spr_mwh_per_kg_m")))
    if "regen" in measures and spec.kind == "traction":
        mult *= 1 - measure_value("regen", "running_energy_saving")
    if "led" in measures:
        cut = max(new.car_light_w - measure_value("led", "car_light_w"), 0.0)
        new = replace(new, p_idle_w=new.p_idle_w - cut, p_st5_w=new.p_st5_w - cut, p_st30_w=new.p_st30_w - cut,
                      car_light_w=new.car_light_w - cut)
    if "sleep" in measures:
        new = replace(new, p_st5_w=min(new.p_st5_w, measure_value("sleep", "standby_after_5min_w")),
                      p_st30_w=min(new.p_st30_w, measure_value("sleep", "standby_after_30min_w")))
    return new, mult


def lift_annual_kwh(spec: LiftSpec, measures=(), days: float = 365.0) -> tuple[float, float]:
    """(baseline, retrofit) annual kWh of one lift under a set of measures."""
    base = lift_daily(spec)
    new, mult = retrofitted(spec, tuple(measures))
    after = lift_daily(new)
    after_total = after["running_wh"] * mult + after["standby_wh"]
    return float(base["total_wh"]) * days / 1000.0, float(after_total) * days / 1000.0
