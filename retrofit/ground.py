"""Long-term fluid temperatures of a borehole field by g-functions (pure; uses pygfunction).

The planning size of a GSHP field (:func:`retrofit.gshp.borefield`) comes from
rates per metre of borehole. That is blind to the years: a field in Hubei rejects
more heat in summer than it takes back in winter, and the ground around it warms
year after year. This check computes the mean fluid temperature in the field's
design hours of year 1 and of year N with the three-pulse method of the ASHRAE
sizing procedure, using the g-function of the actual rectangular field
(pygfunction, finite line sources) instead of the cylindrical-source
approximation:

.. math::

   T_f = T_g - \\frac{q_y\\,g(t_N) + (q_m - q_y)\\,g(t_m) + (q_h - q_m)\\,g(t_h)}{2 \\pi k L}
         - \\frac{q_h R_b}{L}

with the heat taken from the ground ``q`` positive [W]: ``q_y`` the mean of the
year, ``q_m`` the mean of the design month (largest extraction for the heating
case, largest rejection for the cooling case), ``q_h`` the peak over
``t_h`` = 6 h, ``t_m`` = 1 month, ``t_N`` = N years; ``L`` the total borehole
length, ``k`` the ground conductivity, ``R_b`` the effective borehole resistance
and ``T_g`` the undisturbed ground temperature. ``T_f`` below the minimum
(heating) or above the maximum (cooling) fluid temperature means the field is too
short or too unbalanced for the years asked.

References
----------
.. [1] Bernier, M. (2006). Closed-loop ground-coupled heat pump systems. ASHRAE
   Journal 48(9), 12-19 (the three-pulse sizing equation).
.. [2] Ahmadfard, M., Bernier, M. (2019). A review of vertical ground heat
   exchanger sizing tools including an inter-model comparison. Renewable and
   Sustainable Energy Reviews 110, 247-265 (the ASHRAE method with g-functions).
.. [3] Cimmino, M., Cook, J. C. (2022). pygfunction 2.2: new features and
   improvements in accuracy and computational efficiency. IGSHPA Research Track
   2022 (g-functions of borehole fields, uniform borehole wall temperature).
.. [4] GB 50366-2005 (2009 ed.) Technical code for ground-source heat pump
   system, §4.3 (spacing of vertical boreholes 3-6 m; annual heat balance) and
   §4.3.5 (thermal response test for fields of 5000 m² and more).
.. [5] Kavanaugh, S., Rafferty, K. (2014). Geothermal Heating and Cooling:
   Design of Ground-Source Heat Pump Systems, ASHRAE (ground properties,
   borehole resistances of grouted single and double U-tubes, fluid limits).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pygfunction as gt

from .climate import MONTH_HOURS

from solarplan.core.errors import InputError

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class GroundParams:
    """Ground, borehole and limit assumptions of the long-term check.

    Attributes
    ----------
    conductivity_w_mk : float
        Ground thermal conductivity [W/(m K)]; 2.0, mid-range of clay, sandstone and limestone [5]
        (estimate: a thermal response test per GB 50366 [4] gives the site's value).
    heat_capacity_mj_m3k : float
        Volumetric heat capacity of the ground [MJ/(m3 K)]; 2.2 (estimate, [5]).
    spacing_m : float
        Borehole spacing [m]; 5, within GB 50366's 3-6 m [4].
    borehole_radius_m : float
        [m]; 0.075 (150 mm drilling, estimate).
    buried_depth_m : float
        Depth of the borehole tops [m]; 2 (estimate).
    borehole_resistance_mk_w : float
        Effective borehole thermal resistance [m K/W]; 0.12, a grouted double U-tube [5] (estimate).
    ground_offset_k : float
        Undisturbed ground temperature above the annual mean air temperature [K]; 1.5 (estimate; the
        usual 1-2 K at 50-100 m depth).
    min_fluid_c, max_fluid_c : float
        Limits of the mean fluid temperature [C]: 2 (water without antifreeze, with margin) and 35
        (heat pumps' cooling-mode source limit; estimates after [5]).
    years : float
        Years of operation checked [yr]; 20, the GSHP life in :class:`retrofit.gshp.GshpParams`.
    peak_hours : float
        Duration of the peak pulse [h]; 6 [1].
    """

    conductivity_w_mk: float = 2.0
    heat_capacity_mj_m3k: float = 2.2
    spacing_m: float = 5.0
    borehole_radius_m: float = 0.075
    buried_depth_m: float = 2.0
    borehole_resistance_mk_w: float = 0.12
    ground_offset_k: float = 1.5
    min_fluid_c: float = 2.0
    max_fluid_c: float = 35.0
    years: float = 20.0
    peak_hours: float = 6.0


def layout(count: int) -> tuple[int, int]:
    """A nearly square rectangle (rows, columns) holding at least ``count`` boreholes."""
    count = max(int(np.ceil(count)), 1)
    rows = int(np.ceil(np.sqrt(count)))
    return rows, int(np.ceil(count / rows))


@lru_cache(maxsize=512)
def _gfunction(rows: int, cols: int, depth_m: float, spacing_m: float, radius_m: float, buried_m: float,
               alpha_m2_s: float, times_s: tuple) -> tuple:
    field = gt.borefield.Borefield.rectangle_field(N_1=rows, N_2=cols, B_1=spacing_m, B_2=spacing_m, H=depth_m,
                                                   D=buried_m, r_b=radius_m)
    g = gt.gfunction.gFunction(field, alpha_m2_s, time=np.asarray(times_s, float), method="equivalent",
                               boundary_condition="UBWT", options={"disp": False})
    return tuple(float(x) for x in np.atleast_1d(g.gFunc))


#: Fields of up to this many boreholes get their exact g-function (each takes < 0.05 s).
EXACT_MAX = 100
#: Sides of the square fields whose g-functions are computed exactly for larger fields; other
#: layouts are interpolated between them in ln(boreholes), and fields beyond the last are
#: extrapolated from the last two (which overestimates g, i.e. errs towards a warmer field).
LADDER = (10, 13, 16, 20, 25, 32)


def gfunction_exact(rows: int, cols: int, depth_m: float, times_h, params: GroundParams = GroundParams()) -> np.ndarray:
    """g-function of a rectangular field at the given times [h] (dimensionless), by pygfunction [3]_."""
    alpha = params.conductivity_w_mk / (params.heat_capacity_mj_m3k * 1e6)
    times_h = np.atleast_1d(np.asarray(times_h, float))
    order = np.argsort(times_h)  # pygfunction wants increasing times
    g = _gfunction(int(rows), int(cols), float(depth_m), params.spacing_m, params.borehole_radius_m,
                   params.buried_depth_m, alpha, tuple(float(t) * 3600.0 for t in times_h[order]))
    out = np.empty(len(times_h))
    out[order] = g
    return out


def gfunction(rows: int, cols: int, depth_m: float, times_h, params: GroundParams = GroundParams()) -> np.ndarray:
    """g-function of a nearly square field at the given times [h] (dimensionless).

    Exact up to :data:`EXACT_MAX` boreholes; above, linear in ln(rows x cols) between the two
    nearest squares of :data:`LADDER` (within 1 % of :func:`gfunction_exact` on the layouts of
    :func:`layout`, and 2 % high at 2000 boreholes; tested). Large city buildings need fields of
    1000+ boreholes, whose exact g-functions take seconds each.
    """
    n = int(rows) * int(cols)
    if n <= EXACT_MAX or (int(np.sqrt(n)) ** 2 == n and int(np.sqrt(n)) in LADDER):
        return gfunction_exact(int(rows), int(cols), depth_m, times_h, params)
    sides = np.array(LADDER)
    hi = int(np.searchsorted(sides ** 2, n))
    hi = min(max(hi, 1), len(sides) - 1)
    a, b = int(sides[hi - 1]), int(sides[hi])
    ga, gb = (gfunction_exact(s, s, depth_m, times_h, params) for s in (a, b))
    w = (np.log(n) - np.log(a * a)) / (np.log(b * b) - np.log(a * a))
    return ga + w * (gb - ga)


def three_pulse(q_year_w: float, q_month_w: float, q_peak_w: float, g_year: float, g_month: float, g_peak: float,
                length_m: float, ground_c: float, params: GroundParams = GroundParams()) -> float:
    """Mean fluid temperature [C] after the three load pulses (heat taken from the ground positive) [1]_ [2]_."""
    k = params.conductivity_w_mk
    ground = (q_year_w * g_year + (q_month_w - q_year_w) * g_month + (q_peak_w - q_month_w) * g_peak) \
        / (2 * np.pi * k * length_m)
    return float(ground_c - ground - q_peak_w * params.borehole_resistance_mk_w / length_m)


@dataclass(frozen=True)
class FieldCheck:
    """Result of :func:`check_field`.

    Attributes
    ----------
    rows, cols : int
        Layout used (rows x columns at the spacing of :class:`GroundParams`).
    ground_c : float
        Undisturbed ground temperature [C].
    fluid_min_c, fluid_max_c : float
        Mean fluid temperature in the heating and cooling design hours of the last year [C].
    fluid_min_year1_c, fluid_max_year1_c : float
        The same in year 1 [C].
    flag : str
        '' when both lie within the limits, else what is wrong and the way out.
    """

    rows: int
    cols: int
    ground_c: float
    fluid_min_c: float
    fluid_max_c: float
    fluid_min_year1_c: float
    fluid_max_year1_c: float
    flag: str


def check_field(count: int, depth_m: float, monthly_extracted_kwh, monthly_rejected_kwh, peak_extracted_kw: float,
                peak_rejected_kw: float, mean_air_c: float, params: GroundParams = GroundParams()) -> FieldCheck:
    """Fluid temperatures of a field in year 1 and year N, and a flag past the limits.

    Parameters
    ----------
    count : int
        Boreholes.
    depth_m : float
        Active length of each borehole [m].
    monthly_extracted_kwh, monthly_rejected_kwh : array of 12
        Heat taken from / put into the ground each month [kWh].
    peak_extracted_kw, peak_rejected_kw : float
        Ground load at the heating / cooling design hour [kW].
    mean_air_c : float
        Annual mean outdoor temperature [C]; the ground is ``ground_offset_k`` warmer.
    params : GroundParams
    """
    ext = np.asarray(monthly_extracted_kwh, float)
    rej = np.asarray(monthly_rejected_kwh, float)
    if ext.shape != (12,) or rej.shape != (12,):
        raise InputError("monthly ground loads need 12 values each")
    if count < 1 or depth_m <= 0:
        raise InputError(f"a field needs at least one borehole of positive depth, got {count} x {depth_m} m")
    rows, cols = layout(count)
    length = rows * cols * depth_m
    net_month_w = (ext - rej) * 1000.0 / MONTH_HOURS
    q_year = float((ext.sum() - rej.sum()) * 1000.0 / HOURS_PER_YEAR)
    ground = mean_air_c + params.ground_offset_k
    g_n, g_1, g_m, g_h = gfunction(rows, cols, depth_m, [params.years * HOURS_PER_YEAR, HOURS_PER_YEAR,
                                                         HOURS_PER_YEAR / 12, params.peak_hours], params)
    heat_m, cool_m = max(float(net_month_w.max()), 0.0), min(float(net_month_w.min()), 0.0)
    heat_h, cool_h = max(float(peak_extracted_kw) * 1000.0, heat_m), min(-float(peak_rejected_kw) * 1000.0, cool_m)
    t = {}
    for name, g_y in (("n", g_n), ("1", g_1)):
        t["min", name] = three_pulse(q_year, heat_m, heat_h, g_y, g_m, g_h, length, ground, params)
        t["max", name] = three_pulse(q_year, cool_m, cool_h, g_y, g_m, g_h, length, ground, params)
    flags = []
    years = f"{params.years:g}"
    if heat_h > 0 and t["min", "n"] < params.min_fluid_c:
        flags.append(f"fluid falls to {t['min', 'n']:.1f} C in year {years} (limit {params.min_fluid_c:g} C): "
                     "lengthen the field or use antifreeze")
    if cool_h < 0 and t["max", "n"] > params.max_fluid_c:
        drift = t["max", "n"] - t["max", "1"]
        flags.append(f"fluid reaches {t['max', 'n']:.1f} C in year {years} (limit {params.max_fluid_c:g} C; "
                     f"{drift:+.1f} K since year 1): add a cooling tower (hybrid) or lengthen the field")
    return FieldCheck(rows, cols, ground, t["min", "n"], t["max", "n"], t["min", "1"], t["max", "1"], "; ".join(flags))
