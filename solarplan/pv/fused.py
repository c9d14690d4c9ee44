"""Fused yield engine: one compiled loop over configurations x hours (numba).

The same models as the pvlib reference path (:mod:`solarplan.pv.yieldsim`), split by what they depend on:

* **once per weather year, with pvlib** (:func:`hour_terms`): the sun vector (cos z, sin z cos/sin of the
  solar azimuth, from ``Location.get_solarposition`` in :func:`yieldsim.solar_geometry`), the Perez F1/F2
  coefficients (the hour-only half of ``irradiance.perez``, :func:`yieldsim.perez_coefficients`) or the
  Hay-Davies anisotropy index, the
  spectral modifier (``spectrum.spectral_factor_sapm``) with the PVWatts losses and the W to kW scale
  folded in, and the temperature factor of ``pvsystem.pvwatts_dc``, 1 + gamma (T_cell - 25), written as
  a + b poa_global per mounting (``temperature.sapm_cell`` / ``faiman`` are linear in ``poa_global``, so
  b is gamma times the model evaluated at 1 W/m2);
* **once per configuration, with pvlib** (:func:`config_terms`): cos/sin of tilt and azimuth, Marion's
  diffuse IAM of the tilt (:func:`yieldsim.diffuse_iam`, the reference's own values), and for rows the
  view factors ``bifacial.utils.vf_row_sky_2d_integ`` / ``vf_row_ground_2d_integ``
  (:func:`yieldsim.row_view_factors`);
* **per configuration and hour, in the kernel** (:func:`_kernel`): the angle of incidence (once), the
  sky components, beam, ground light, the row shaded fraction (``shading.shaded_fraction1d`` for a fixed
  row reduces to 1 - pitch cos z / abs(cos aoi)), the beam IAM (``iam.ashrae`` written on cos aoi;
  ``iam.physical`` by a rational function of cos aoi, :func:`iam_physical_rational`, within 1e-8 of pvlib),
  ``pvsystem.pvwatts_dc`` with cell temperature and losses, and ``inverter.pvwatts``.

Nothing of size configurations x hours is stored unless hourly output is asked for: annual, monthly and
plane-of-array sums are accumulated inside the loop. NaN handling follows the reference: Perez's undefined
hours (DHI = DNI = 0 with the sun up) give 0 AC, as ModelChain does. The arithmetic is grouped differently
from pvlib's (constants folded per hour and per run), so results agree with the reference to rounding,
not bit for bit. The equality with the reference is
tested hour by hour for every model choice (tests/pv/test_fused.py).

numba is a core dependency; should it fail to import (a platform without a numba wheel), the fused engine
raises a :class:`ConfigError` saying so and the pvlib engine (``engine = "pvlib"``) still runs.

The compiled kernels are cached (``cache=True``): next to this file when its ``__pycache__`` is writable,
else in numba's user cache folder (``NUMBA_CACHE_DIR`` or ``~/.cache``-like locations); where no folder is
writable numba compiles in memory at each start (about 10 s) and the run goes on.

References
----------
.. [1] Lam, S. K., Pitrou, A., Seibert, S. (2015). Numba: a LLVM-based Python JIT compiler. LLVM-HPC '15.
.. [2] Perez, R. et al. (1990). Modeling daylight availability and irradiance components from direct
   and global irradiance. Solar Energy 44(5), 271-289.
.. [3] Dobos, A. P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641.
.. [4] Sanathanan, C. K., Koerner, J. (1963). Transfer function synthesis as a ratio of two complex
   polynomials. IEEE Transactions on Automatic Control 8(1), 56-58.
"""
from __future__ import annotations

import inspect
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import pandas as pd
import pvlib

from solarplan.core.errors import ConfigError, InputError
from solarplan.core.jit import compiled
from solarplan.weather.core import WeatherYear
from solarplan.pv import yieldsim
from solarplan.pv.yieldsim import (FAIMAN_BY_MOUNTING, SAPM_PARAMS_BY_MOUNTING, SPECTRAL_MODELS, SolarGeometry,
                                   SystemParams, YieldResult, check_surface_columns, solar_geometry, surface_yields,
                                   unique_configs, yield_result)

try:  # a core dependency; guarded so the pvlib engine runs on a platform without it
    import numba
    from numba import prange
except ImportError:  # pragma: no cover - exercised only without numba
    numba = None
    prange = range

#: Model choices the fused kernel implements; any other raises ConfigError naming it.
SUPPORTED = {
    "transposition": ("perez", "haydavies"),
    "iam_model": ("physical", "ashrae"),
    "spectral_model": ("desoto", "no_loss"),
    "temperature_model": ("sapm", "faiman"),
}
_TRANSPOSITION_CODE = {"perez": 0, "haydavies": 1}
_IAM_CODE = {"physical": 0, "ashrae": 1}
MOUNTINGS = ("rows", "flush", "canopy")
#: pvlib.iam.physical defaults (glass n, extinction K [1/m], thickness L [m]) and pvlib.iam.ashrae's b.
IAM_PHYSICAL = (1.526, 4.0, 0.002)
IAM_ASHRAE_B = 0.05


def check_supported(params: SystemParams) -> None:
    """Raise ConfigError if a model choice of ``params`` has no fused implementation."""
    for key, valid in SUPPORTED.items():
        value = getattr(params, key)
        if value not in valid:
            raise ConfigError(f"the fused engine does not implement {key} = {value!r} (it implements "
                              f"{', '.join(valid)}); use engine='pvlib' for this model")


def _require_numba():
    if numba is None:
        raise ConfigError("the fused engine needs numba, which is not installed: "
                          "pip install numba, or use the reference engine ([yield] engine = \"pvlib\", "
                          "--yield-engine pvlib, engine='pvlib')")


@dataclass(frozen=True)
class HourTerms:
    """Per-hour inputs of the kernel (daytime hours of :class:`SolarGeometry`), all 1-D float arrays.

    ``sky_a``, ``sky_b``, ``sky_c``: Perez: DHI (1 - F1)/2, DHI F1 / max(cos z, cos 85 deg), DHI F2 (0
    where the air mass is undefined, as pvlib); Hay-Davies: DHI (1 - AI)/2, DHI AI / max(cos z, 0.01745),
    0. ``dc_scale``: spectral modifier x (1 - losses) / 1000 [kW/kWp per W/m2]. ``temp_base``:
    1 + gamma_pdc (T_air - 25) [-]; ``temp_slope``: gamma_pdc x the cell-temperature rise per W/m2
    [m2/W], shape (3, hours), by :data:`MOUNTINGS`; DC per kWp is dc_scale x effective irradiance x
    (temp_base + temp_slope x poa_global). ``valid``: 1.0, or 0.0 where an hour term is NaN (the
    reference gives 0 AC there): every term of such an hour is 0, so the kernel's AC and POA are 0 there
    with no test. ``month_start``: 13 offsets of each month's hours (hours are in time order).
    """

    cos_zenith: np.ndarray
    sz_cos_az: np.ndarray
    sz_sin_az: np.ndarray
    dni: np.ndarray
    ground: np.ndarray
    sky_a: np.ndarray
    sky_b: np.ndarray
    sky_c: np.ndarray
    dc_scale: np.ndarray
    temp_base: np.ndarray
    temp_slope: np.ndarray
    valid: np.ndarray
    month_start: np.ndarray


def _temp_rise_sapm(wind_speed, mounting):
    p = SAPM_PARAMS_BY_MOUNTING[mounting]
    return pvlib.temperature.sapm_cell(1.0, 0.0, wind_speed, p["a"], p["b"], p["deltaT"])


def _temp_rise_faiman(wind_speed, mounting):
    u0, u1 = FAIMAN_BY_MOUNTING[mounting]
    return pvlib.temperature.faiman(1.0, 0.0, wind_speed, u0, u1)


#: Cell temperature rise per W/m2 of plane-of-array irradiance by model; both models are
#: T_cell = T_air + poa_global x f(wind), so f is the model evaluated at 1 W/m2 and 0 C.
TEMPERATURE_RISE: dict[str, Callable] = {"sapm": _temp_rise_sapm, "faiman": _temp_rise_faiman}


def hour_terms(geom: SolarGeometry, params: SystemParams) -> HourTerms:
    """Everything that depends only on the hour, once per weather year (see the module docstring)."""
    zen = np.radians(geom.apparent_zenith)
    saz = np.radians(geom.azimuth)
    cz, sz = np.cos(zen), np.sin(zen)
    dhi, dni = geom.dhi.astype(float), geom.dni.astype(float)
    if params.transposition == "perez":
        f1, f2 = geom.perez_f1, geom.perez_f2  # yieldsim.perez_coefficients, once per year
        b = np.maximum(cz, np.cos(np.radians(85.0)))
        ok = ~np.isnan(geom.airmass)
        sky_a = np.where(ok, dhi * 0.5 * (1.0 - f1), 0.0)
        sky_b = np.where(ok, dhi * f1 / b, 0.0)
        sky_c = np.where(ok, dhi * f2, 0.0)
    else:
        ai = dni / geom.dni_extra
        sky_a = dhi * 0.5 * (1.0 - ai)
        sky_b = dhi * ai / np.maximum(cz, 0.01745)
        sky_c = np.zeros_like(dhi)
    spectral = np.asarray(SPECTRAL_MODELS[params.spectral_model](geom.airmass_absolute), float)
    rise = TEMPERATURE_RISE[params.temperature_model]
    temp_rise = np.vstack([np.broadcast_to(np.asarray(rise(geom.wind_speed, m), float), dhi.shape)
                           for m in MOUNTINGS])
    month = geom.month[geom.day].astype(np.int64)
    if np.any(np.diff(month) < 0):
        raise InputError("weather hours are not in time order (the fused engine sums them by month)")
    month_start = np.searchsorted(month, np.arange(1, 14)).astype(np.int64)
    gamma = params.gamma_pdc
    terms = [cz, sz * np.cos(saz), sz * np.sin(saz), dni, geom.ghi * geom.albedo, sky_a, sky_b, sky_c,
             spectral * (1.0 - params.loss_fraction()) * 1e-3, 1.0 + gamma * (geom.temp_air.astype(float) - 25.0)]
    temp_slope = gamma * temp_rise
    valid = np.logical_and.reduce([np.isfinite(t) for t in terms] + [np.isfinite(temp_slope).all(axis=0)])
    # an hour with a NaN term: every term 0 (AC and POA then come out 0 in the kernel, as in the reference)
    c = lambda a: np.ascontiguousarray(np.where(valid, a, 0.0), dtype=float)  # noqa: E731
    return HourTerms(*(c(t) for t in terms), c(temp_slope), valid.astype(float), month_start)


def config_terms(configs: pd.DataFrame, params: SystemParams) -> dict[str, np.ndarray]:
    """Per-configuration inputs of the kernel (1-D arrays over configurations)."""
    tilt = configs["surface_tilt"].to_numpy(float)
    az = np.radians(configs["surface_azimuth"].to_numpy(float))
    gcr = configs["gcr"].to_numpy(float)
    mounting = configs["mounting"].astype(str).to_numpy()
    unknown = sorted(set(mounting) - set(MOUNTINGS))
    if unknown:
        raise InputError(f"unknown mounting(s) {unknown}; valid: {', '.join(MOUNTINGS)}")
    t = np.radians(tilt)
    ct, st = np.cos(t), np.sin(t)
    rows = (mounting == "rows") & params.row_shading
    vf_sky = np.ones_like(tilt)
    vf_ground = np.ones_like(tilt)
    if rows.any():
        # the reference's own pvlib view factors
        vf_sky[rows], vf_ground[rows] = yieldsim.row_view_factors(tilt[rows], gcr[rows])
    if params.diffuse_iam:
        iam_sky, iam_ground = yieldsim.diffuse_iam(params.iam_model, tilt)
    else:
        iam_sky, iam_ground = np.ones_like(tilt), np.ones_like(tilt)
    c = lambda a: np.ascontiguousarray(a, dtype=float)  # noqa: E731
    return dict(cos_tilt=c(ct), st_cos_az=c(st * np.cos(az)), st_sin_az=c(st * np.sin(az)), sin_tilt=c(st),
                pitch=c(1.0 / gcr), rows=np.ascontiguousarray(rows), vf_sky=c(vf_sky), vf_ground=c(vf_ground),
                iam_sky=c(iam_sky), iam_ground=c(iam_ground),
                mounting=np.array([MOUNTINGS.index(m) for m in mounting], dtype=np.int64))


#: Degrees of numerator and denominator of the rational function of cos(aoi) that stands for
#: ``pvlib.iam.physical`` in the kernels.
IAM_RATIONAL_DEGREE = 5
#: Largest absolute difference from ``pvlib.iam.physical`` the rational function may have on [0, 1] [-].
IAM_RATIONAL_TOLERANCE = 1e-8


@lru_cache(maxsize=None)
def iam_physical_rational(n: float = IAM_PHYSICAL[0], K: float = IAM_PHYSICAL[1], L: float = IAM_PHYSICAL[2]
                          ) -> tuple:
    """``pvlib.iam.physical`` as a rational function of x = cos(aoi) on [0, 1], P(x) / Q(x), both of degree
    :data:`IAM_RATIONAL_DEGREE`: the coefficients (p0 .. p5, q1 .. q5), Q's constant term being 1.

    Fitted to pvlib's own function at 4,000 Chebyshev points of [0, 1] by the Sanathanan-Koerner iteration
    [4]_ (least squares of P - f Q, reweighted by 1/|Q| of the previous pass, 30 passes). The Fresnel terms
    have branch points at x = +-i sqrt(n^2 - 1), close to [0, 1], so polynomials converge slowly (degree 16
    was needed for 5e-9); the rational function reaches about 1e-9 with 10 multiply-adds and one division,
    where the closed form needs a square root, two divisions and an exponential. Checked here on 20,001
    points against :data:`IAM_RATIONAL_TOLERANCE`, with Q > 0 on [0, 1] (no pole). The kernel ran 13% faster
    than with the degree-16 power series (benchmarks/README.md).
    """
    def iam(x):
        return pvlib.iam.physical(np.degrees(np.arccos(np.clip(x, 0.0, 1.0))), n=n, K=K, L=L)

    m = IAM_RATIONAL_DEGREE
    xs = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, 4000))
    fs = iam(xs)
    design = np.hstack([xs[:, None] ** np.arange(m + 1), -fs[:, None] * xs[:, None] ** np.arange(1, m + 1)])
    weight = np.ones_like(xs)
    for _ in range(30):
        coef = np.linalg.lstsq(design * weight[:, None], fs * weight, rcond=None)[0]
        weight = 1.0 / np.abs(np.polynomial.polynomial.polyval(xs, np.r_[1.0, coef[m + 1:]]))
    x = np.linspace(0.0, 1.0, 20_001)
    num = np.polynomial.polynomial.polyval(x, coef[:m + 1])
    den = np.polynomial.polynomial.polyval(x, np.r_[1.0, coef[m + 1:]])
    err = float(np.max(np.abs(num / den - iam(x))))
    if not (err <= IAM_RATIONAL_TOLERANCE and den.min() > 0.0):
        raise ConfigError(f"the fused engine's rational form of pvlib.iam.physical(n={n}, K={K}, L={L}) is "
                          f"{err:.1e} from it (allowed {IAM_RATIONAL_TOLERANCE:.0e}); use engine='pvlib'")
    return tuple(float(c) for c in coef)


def _constants(iam_rational, b_ashrae, eta_nom, eta_ref, pdc0_inv):
    """The run's constants as one tuple for :func:`_hour_ac` (a call of over 30 arguments compiles to a
    ``*args`` call, which numba cannot inline), flat (a parallel loop takes tuples of floats only): the 11
    coefficients of :func:`iam_physical_rational`, b of iam.ashrae, then ``inverter.pvwatts`` per kWp of DC
    written as AC = a1 dc - a2 dc^2 - a3 (a3 only where dc != 0), and pac0 [kW/kWp]: with
    k = eta_inv_nom / eta_inv_ref, a1 = 0.9858 k, a2 = 0.0162 k / pdc0, a3 = 0.0059 k pdc0; pac0 =
    eta_inv_nom pdc0."""
    k = eta_nom / eta_ref
    return iam_rational + (b_ashrae, 0.9858 * k, 0.0162 * k / pdc0_inv, 0.0059 * k * pdc0_inv, eta_nom * pdc0_inv)


def _hour_ac(cz, szc, szs, dni, ground, sky_a, sky_b, sky_c, dc_scale, temp_base, temp_slope,
             ct, ay, ax, st, is_rows, pitch, vf_sky, vf_ground, iam_sky, iam_ground, transposition, iam_code,
             const):
    """The physics of one configuration in one hour: (AC per kWp [kW/kWp], unshaded POA [W/m2]).

    The one place the per-hour models live; every kernel calls it (inlined by numba). Arguments are
    scalars: the hour's terms (:class:`HourTerms`, ``temp_slope`` of the configuration's mounting), the
    configuration's (:func:`config_terms`: cos tilt, sin tilt cos/sin azimuth, sin tilt, rows flag,
    pitch, view factors, diffuse IAMs), the model codes and the run's constants (:func:`_constants`).
    The hour terms are finite (:func:`hour_terms` sets every term of an hour with a NaN to 0, where the
    reference gives 0 AC, and so does this), so nothing here is NaN but the row shading's 0/0, which is
    taken as unshaded, as the reference does.
    """
    p = const  # p[0] .. p[10]: the iam.physical rational function
    b_ashrae, a1, a2, a3, pac0 = const[11], const[12], const[13], const[14], const[15]
    # angle of incidence: irradiance.aoi_projection, clipped to [-1, 1]
    ca = ct * cz + ay * szc + ax * szs
    ca = 1.0 if ca > 1.0 else ca
    ca = -1.0 if ca < -1.0 else ca
    cpos = ca if ca > 0.0 else 0.0
    iso = sky_a * (1.0 + ct)
    circ = sky_b * cpos
    if transposition == 0:  # Perez: total clamped at 0, components zeroed with it
        hor = sky_c * st
        sky = iso + circ + hor
        sky = 0.0 if sky < 0.0 else sky
        iso = 0.0 if sky == 0.0 else iso
        circ = 0.0 if sky == 0.0 else circ
    else:  # Hay-Davies: each component clamped at 0
        iso = 0.0 if iso < 0.0 else iso
        circ = 0.0 if circ < 0.0 else circ
        sky = iso + circ
    gnd = ground * ((1.0 - ct) * 0.5)
    direct = dni * ca
    direct = 0.0 if direct < 0.0 else direct
    poa_ref = direct + sky + gnd
    # rows: shading.shaded_fraction1d of a fixed row is 1 - pitch cos z / |cos aoi| in [0, 1]
    unshaded = pitch * cz / abs(ca)
    # 0/0 (sun on the horizon in the plane) is NaN: unshaded 1 there, as the reference's fs = 0
    unshaded = unshaded if unshaded < 1.0 else 1.0
    unshaded = 0.0 if unshaded < 0.0 else unshaded
    direct = direct * unshaded if is_rows else direct
    sky = iso * vf_sky + circ * unshaded if is_rows else sky
    gnd = gnd * vf_ground if is_rows else gnd
    # beam IAM on cos aoi: iam.physical (Fresnel + absorption) or iam.ashrae
    if iam_code == 0:
        # iam.physical as P(x)/Q(x) (iam_physical_rational; Horner, constant indices so that it unrolls and
        # vectorises; the two chains are independent)
        num = p[0] + cpos * (p[1] + cpos * (p[2] + cpos * (p[3] + cpos * (p[4] + cpos * p[5]))))
        den = 1.0 + cpos * (p[6] + cpos * (p[7] + cpos * (p[8] + cpos * (p[9] + cpos * p[10]))))
        iam = num / den
    else:
        iam = 1.0 - b_ashrae * (1.0 / ca - 1.0)
        iam = 0.0 if iam < 0.0 else iam
        iam = 0.0 if ca <= 0.0 else iam
    poa = direct + sky + gnd
    # pvsystem.pvwatts_dc per kWp with the losses: eff/1000 (1 + gamma (T_cell - 25)) (1 - losses), with
    # T_cell = T_air + rise poa (sapm_cell, faiman); dc_scale, temp_base and temp_slope fold the constants
    dc = dc_scale * (direct * iam + sky * iam_sky + gnd * iam_ground) * (temp_base + temp_slope * poa)
    # inverter.pvwatts: eta(zeta) dc with zeta = dc/pdc0; the 0.0059/zeta term times dc is 0.0059 pdc0 (0
    # when dc = 0); clipped to [0, pac0]
    ac = dc * (a1 - a2 * dc) - (a3 if dc != 0.0 else 0.0)
    ac = pac0 if ac > pac0 else ac
    ac = 0.0 if ac < 0.0 else ac
    return ac, poa_ref


def _config_hours(cz, szc, szs, dni, ground_h, sky_a, sky_b, sky_c, dc_scale, temp_base, temp_slope,
                  ct, ay, ax, st, is_rows, pitch, vf_sky, vf_ground, iam_sky, iam_ground, transposition, iam_code,
                  const, buf, buf_poa):
    """AC per kWp [kW/kWp] and unshaded POA [W/m2] of one configuration in every daytime hour, into ``buf``
    and ``buf_poa``.

    One plain loop over all hours with no sum in it: LLVM vectorises it (8 hours per AVX-512 instruction
    here) without being allowed to reorder additions. The sums are taken afterwards by :func:`_sum8`. A loop
    nested in a month loop, with the sums in it, ran 2.4 times slower (measured 2026-11-21, 10,000
    configurations: 0.42 s against 0.17 s of CPU). ``temp_slope`` is the configuration's mounting row of
    :attr:`HourTerms.temp_slope`.
    """
    for h in range(cz.shape[0]):
        ac, poa_ref = _hour_ac(cz[h], szc[h], szs[h], dni[h], ground_h[h], sky_a[h], sky_b[h], sky_c[h],
                               dc_scale[h], temp_base[h], temp_slope[h], ct, ay, ax, st, is_rows, pitch,
                               vf_sky, vf_ground, iam_sky, iam_ground, transposition, iam_code, const)
        buf[h] = ac
        buf_poa[h] = poa_ref


def _sum8(a, lo, hi):
    """Sum of ``a[lo:hi]`` in a fixed order: eight running sums over interleaved elements, the tail into the
    first, combined pairwise. Written out so that the compiler may vectorise it (the eight sums are
    independent) but never reorder it: with LLVM's ``reassoc`` flag the kernels' sums came out different
    in the last bits between a freshly compiled kernel and the same kernel loaded from numba's cache, and
    two runs of the demo were not byte-identical (found by CI on a fresh clone, 2026-11-21)."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    seg = a[lo:hi]  # indices from 0: no negative-index handling in the loop
    n8 = (seg.shape[0] // 8) * 8
    for h in range(0, n8, 8):
        s0 += seg[h]
        s1 += seg[h + 1]
        s2 += seg[h + 2]
        s3 += seg[h + 3]
        s4 += seg[h + 4]
        s5 += seg[h + 5]
        s6 += seg[h + 6]
        s7 += seg[h + 7]
    for h in range(n8, seg.shape[0]):
        s0 += seg[h]
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


def _month_sums(buf, month_start, monthly):
    """Each month's sum of ``buf`` into ``monthly`` (12, by :func:`_sum8`); returns the year's sum (the
    months added in order)."""
    acc = 0.0
    for mo in range(12):
        acc_m = _sum8(buf, month_start[mo], month_start[mo + 1])
        monthly[mo] = acc_m
        acc += acc_m
    return acc


def _kernel_py(cz, szc, szs, dni, ground_h, sky_a, sky_b, sky_c, dc_scale, temp_base, temp_slope, month_start,
               cos_tilt, st_cos_az, st_sin_az, sin_tilt, pitch, rows, vf_sky, vf_ground, iam_sky, iam_ground,
               mounting, transposition, iam_code, iam_rational, b_ashrae, pdc0_inv, eta_nom, eta_ref, keep_hourly,
               annual, poa_sum, monthly, hourly):
    """One pass over configurations x hours; fills annual, poa_sum, monthly (and hourly) in place.

    Hours are contiguous by month (``month_start``, 13 offsets); the physics of each hour is
    :func:`_hour_ac`.
    """
    n_cfg = cos_tilt.shape[0]
    const = _constants(iam_rational, b_ashrae, eta_nom, eta_ref, pdc0_inv)
    n_h = cz.shape[0]
    for c in prange(n_cfg):
        m = mounting[c]
        tr = temp_slope[m]
        buf = np.empty(n_h)
        buf_poa = np.empty(n_h)
        _config_hours(cz, szc, szs, dni, ground_h, sky_a, sky_b, sky_c, dc_scale, temp_base, tr, cos_tilt[c],
                      st_cos_az[c], st_sin_az[c], sin_tilt[c], rows[c], pitch[c], vf_sky[c], vf_ground[c],
                      iam_sky[c], iam_ground[c], transposition, iam_code, const, buf, buf_poa)
        acc = _month_sums(buf, month_start, monthly[c])
        if keep_hourly:
            for h in range(n_h):
                hourly[c, h] = buf[h]
        annual[c] = acc
        poa_sum[c] = _sum8(buf_poa, 0, n_h)


def _site_kernel_py(cz, szc, szs, dni, ground_h, sky_a, sky_b, sky_c, dc_scale, temp_base, temp_slope,
                    month_start, cos_tilt, st_cos_az, st_sin_az, sin_tilt, pitch, rows, vf_sky, vf_ground, iam_sky,
                    iam_ground, mounting, site_start, pair_cfg, pair_cap, transposition, iam_code, iam_rational,
                    b_ashrae, pdc0_inv, eta_nom, eta_ref, site_hourly, pair_annual, pair_poa, pair_monthly):
    """Site x hour sums: one pass over each site's (configuration, capacity) pairs x hours.

    ``site_start`` (sites + 1 offsets) delimits each site's pairs; pair q adds ``pair_cap[q]`` x the AC per
    kWp of configuration ``pair_cfg[q]`` to ``site_hourly[site]`` (sites, hours) and writes that
    configuration's annual, POA and monthly sums per kWp to ``pair_*[q]``. Threads split the sites, so
    no two threads write one row; the physics of each hour is :func:`_hour_ac`.
    """
    const = _constants(iam_rational, b_ashrae, eta_nom, eta_ref, pdc0_inv)
    n_sites = site_start.shape[0] - 1
    n_h = cz.shape[0]
    for s in prange(n_sites):
        out = site_hourly[s]
        buf = np.empty(n_h)
        buf_poa = np.empty(n_h)
        for q in range(site_start[s], site_start[s + 1]):
            c = pair_cfg[q]
            k = pair_cap[q]
            _config_hours(cz, szc, szs, dni, ground_h, sky_a, sky_b, sky_c, dc_scale, temp_base,
                          temp_slope[mounting[c]], cos_tilt[c], st_cos_az[c], st_sin_az[c], sin_tilt[c],
                          rows[c], pitch[c], vf_sky[c], vf_ground[c], iam_sky[c], iam_ground[c], transposition,
                          iam_code, const, buf, buf_poa)
            for h in range(n_h):
                out[h] += k * buf[h]
            pair_annual[q] = _month_sums(buf, month_start, pair_monthly[q])
            pair_poa[q] = _sum8(buf_poa, 0, n_h)


#: LLVM fast-math flags of the kernels: contraction (FMA), reciprocal division, no signed zeros. Not
#: 'reassoc': with it the sums came out different in the last bits between a freshly compiled kernel and the
#: same kernel loaded from numba's cache (so two runs were not byte-identical); :func:`_sum8` vectorises the
#: sums without it. Not 'nnan'/'ninf', which would drop the NaN handling of the reference.
FASTMATH = {"contract", "arcp", "nsz"}

if numba is not None:
    _constants = numba.njit(inline="always")(_constants)
    _hour_ac = numba.njit(inline="always", fastmath=FASTMATH, error_model="numpy")(_hour_ac)
    _config_hours = numba.njit(inline="always", fastmath=FASTMATH, error_model="numpy")(_config_hours)
    _sum8 = numba.njit(inline="always", fastmath=FASTMATH)(_sum8)
    _month_sums = numba.njit(inline="always", fastmath=FASTMATH)(_month_sums)

def _compile(py_func):
    """``py_func`` compiled as every kernel here is, once per process (:func:`solarplan.core.jit.compiled`)."""
    _require_numba()
    # error_model numpy: x/0 is inf, as numpy, never an exception in a worker thread
    return compiled(py_func, parallel=True, nogil=True, fastmath=FASTMATH, error_model="numpy")


def _scalar_args(params: SystemParams) -> tuple:
    """The model codes and constants both kernels take after the configuration arrays."""
    # the reference calls inverter.pvwatts with its default eta_inv_ref
    eta_ref = inspect.signature(pvlib.inverter.pvwatts).parameters["eta_inv_ref"].default
    rational = (iam_physical_rational() if params.iam_model == "physical"
                else (0.0,) * (2 * IAM_RATIONAL_DEGREE + 1))
    return (_TRANSPOSITION_CODE[params.transposition], _IAM_CODE[params.iam_model], rational, IAM_ASHRAE_B,
            1.0 / params.dc_ac_ratio / params.eta_inv_nom, params.eta_inv_nom, eta_ref)


def _array_args(hours: HourTerms, cfg: dict) -> tuple:
    """The hour and configuration arrays both kernels take first."""
    return (hours.cos_zenith, hours.sz_cos_az, hours.sz_sin_az, hours.dni, hours.ground, hours.sky_a,
            hours.sky_b, hours.sky_c, hours.dc_scale, hours.temp_base, hours.temp_slope, hours.month_start,
            cfg["cos_tilt"], cfg["st_cos_az"], cfg["st_sin_az"], cfg["sin_tilt"], cfg["pitch"], cfg["rows"],
            cfg["vf_sky"], cfg["vf_ground"], cfg["iam_sky"], cfg["iam_ground"], cfg["mounting"])


def site_sums(hours: HourTerms, configs: pd.DataFrame, params: SystemParams, site_start: np.ndarray,
              pair_cfg: np.ndarray, pair_cap: np.ndarray):
    """Hourly AC of a chunk of sites summed inside the kernel (no configurations x hours array).

    Parameters
    ----------
    hours : HourTerms
    configs : DataFrame
        Distinct configurations (:func:`~solarplan.pv.yieldsim.unique_configs`); ``pair_cfg`` indexes its rows.
    params : SystemParams
    site_start : int array (sites + 1,)
        Offsets of each site's pairs (pairs sorted by site).
    pair_cfg, pair_cap : arrays (pairs,)
        Configuration (row of ``configs``) and capacity [kWp] of each (site, configuration) pair.

    Returns
    -------
    (site_hourly, pair_annual, pair_poa, pair_monthly)
        AC of each site in each daytime hour [kWh] (sites, daytime hours); per pair, its configuration's
        annual AC [kWh/kWp], unshaded POA [Wh/m2] and monthly AC (pairs, 12) [kWh/kWp].
    """
    _require_numba()
    pair_cfg = np.asarray(pair_cfg, np.int64)
    local, pair_local = np.unique(pair_cfg, return_inverse=True)
    cfg = config_terms(configs.iloc[local], params)
    n_sites, n_pairs = len(site_start) - 1, len(pair_cfg)
    site_hourly = np.zeros((n_sites, len(hours.cos_zenith)))
    annual, poa, monthly = np.zeros(n_pairs), np.zeros(n_pairs), np.zeros((n_pairs, 12))
    _compile(_site_kernel_py)(*_array_args(hours, cfg), np.ascontiguousarray(site_start, np.int64),
                   np.ascontiguousarray(pair_local.ravel(), np.int64), np.ascontiguousarray(pair_cap, float),
                   *_scalar_args(params), site_hourly, annual, poa, monthly)
    return site_hourly, annual, poa, monthly


@contextmanager
def numba_threads(threads: int | None):
    """Run the kernels on ``threads`` numba threads (None: numba's default, one per core)."""
    _require_numba()
    old = numba.get_num_threads()
    if threads:
        numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(old)


def ac_totals(hours: HourTerms, cfg: dict, params: SystemParams, hourly: bool = False):
    """Run the kernel: annual AC [kWh/kWp], unshaded POA [Wh/m2], monthly AC (configs, 12) and optionally
    hourly AC per kWp (configs, daytime hours) [kW/kWp]."""
    n_cfg, n_h = len(cfg["cos_tilt"]), len(hours.cos_zenith)
    annual, poa = np.zeros(n_cfg), np.zeros(n_cfg)
    monthly = np.zeros((n_cfg, 12))
    hourly_arr = np.zeros((n_cfg, n_h) if hourly else (1, 1))
    _compile(_kernel_py)(*_array_args(hours, cfg), *_scalar_args(params), hourly, annual, poa, monthly, hourly_arr)
    return annual, poa, monthly, (hourly_arr if hourly else None)


def config_yields(hours: HourTerms, configs: pd.DataFrame, params: SystemParams, *, hourly: bool = False,
                  chunk_size: int = 4096, progress: Callable[[int, int], None] | None = None):
    """Per kWp, every distinct configuration through the kernel, ``chunk_size`` at a time: annual AC [kWh/kWp],
    unshaded POA [kWh/m2], monthly AC (configurations, 12) [kWh/kWp] and, with ``hourly``, AC in each
    daytime hour (configurations, daytime hours) [kWh/kWp] (else None). Threads as the caller set them
    (:func:`numba_threads`)."""
    n = len(configs)
    annual, poa, monthly = np.zeros(n), np.zeros(n), np.zeros((n, 12))
    hourly_arr = np.zeros((n, len(hours.cos_zenith))) if hourly else None
    for lo in range(0, n, chunk_size):
        block = slice(lo, min(lo + chunk_size, n))
        a, p, m, h = ac_totals(hours, config_terms(configs.iloc[block], params), params, hourly)
        annual[block], poa[block], monthly[block] = a, p / 1e3, m
        if hourly:
            hourly_arr[block] = h
        if progress:
            progress(block.stop, n)
    return annual, poa, monthly, hourly_arr


def simulate(surfaces: pd.DataFrame, weather: WeatherYear, params: SystemParams | None = None, *,
             chunk_size: int = 4096, hourly: bool = False, threads: int | None = None,
             progress: Callable[[int, int], None] | None = None, geometry: SolarGeometry | None = None
             ) -> YieldResult:
    """Simulate the yield of every surface with the fused kernel; same inputs and result as
    :func:`solarplan.pv.yieldsim.simulate` (which stays the reference).

    Parameters
    ----------
    chunk_size : int
        Configurations per kernel call (bounds the hourly array when ``hourly``; progress granularity).
    threads : int, optional
        numba threads (default numba's, one per core; ``NUMBA_NUM_THREADS`` caps it). Results do not
        depend on it.

    Other parameters and the result as :func:`solarplan.pv.yieldsim.simulate`.

    Raises
    ------
    ConfigError
        numba missing, or a model choice the kernel does not implement (:data:`SUPPORTED`).
    """
    params = params or SystemParams()
    _require_numba()
    check_supported(params)
    check_surface_columns(surfaces)
    geom = geometry or solar_geometry(weather, params)
    configs, codes = unique_configs(surfaces, params.orientation_resolution_deg)
    with numba_threads(threads):
        annual, poa, monthly, hourly_day = config_yields(hour_terms(geom, params), configs, params, hourly=hourly,
                                                         chunk_size=chunk_size, progress=progress)
    hourly_arr = None
    if hourly:
        hourly_arr = np.zeros((len(geom.day), len(configs)))
        hourly_arr[geom.day] = hourly_day.T
    return yield_result(surfaces, weather, configs, codes, annual, poa, monthly, hourly_arr)
