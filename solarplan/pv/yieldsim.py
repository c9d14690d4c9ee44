"""Vectorised PV yield engine: every surface of an inventory in one pass of pvlib.

Each model is the named pvlib function, or the same equations written on the
shared cosine of the angle of incidence (marked *), called on an array of
shape (daytime hours x unique configurations) so that numpy broadcasting
replaces a Python loop of ``ModelChain`` runs. Each * function is small, named
and tested equal to its pvlib function (tests/pv/test_yieldsim.py):

============================  =================================================
step                          pvlib call
============================  =================================================
solar position (once a year)  ``Location.get_solarposition`` (as ModelChain)
air mass, extraterrestrial    ``atmosphere.get_relative_airmass``,
                              ``atmosphere.get_absolute_airmass``,
                              ``irradiance.get_extra_radiation``
angle of incidence            ``irradiance.aoi_projection`` (*
                              :func:`aoi_cosine`, once per block, shared)
plane of array                ``irradiance.perez`` (* :func:`perez_components`
                              with F1, F2 once a year,
                              :func:`perez_coefficients`; ``haydavies`` as
                              pvlib), ``irradiance.get_ground_diffuse``,
                              ``irradiance.poa_components``
row shading (flat roofs)      2-D view factors of infinite rows (the front
                              side of ``bifacial.infinite_sheds``):
                              ``shading.shaded_fraction1d`` (*
                              :func:`shaded_fraction_rows`) on beam and
                              circumsolar, ``bifacial.utils.vf_row_sky_2d_integ``
                              on isotropic sky diffuse,
                              ``bifacial.utils.vf_row_ground_2d_integ`` on
                              ground-reflected light; horizon band blocked
incidence angle modifier      ``iam.physical`` (or ``ashrae``) on beam (*
                              :func:`iam_physical_cos`); ``iam.marion_integrate``
                              on sky and ground light (read per 0.1-deg tilt
                              from data/marion_diffuse_iam.csv)
spectral modifier             ``spectrum.spectral_factor_sapm`` with the
                              De Soto (2006) air-mass coefficients (as
                              PVWatts v8)
cell temperature              ``temperature.sapm_cell`` or ``temperature.faiman``
DC power                      ``pvsystem.pvwatts_dc``
losses                        ``pvsystem.pvwatts_losses``
inverter                      ``inverter.pvwatts``
============================  =================================================

Surfaces with the same (tilt, azimuth, mounting, gcr) after rounding to
``orientation_resolution_deg`` are computed once per kWp and scaled by
capacity; energy is linear in capacity because the inverter is sized by the
DC/AC ratio. Without row shading and with ``orientation_resolution_deg=None``
the engine reproduces ``pvlib.modelchain.ModelChain`` with the same models
(tests/pv/test_yieldsim.py; ModelChain has no diffuse IAM, which the test adds
through ModelChain's callable ``aoi_model`` hook).

References
----------
.. [1] Dobos, A. P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641
   (DC model, loss components and their defaults, inverter model, DC/AC 1.2).
.. [2] Perez, R. et al. (1990). Modeling daylight availability and irradiance
   components from direct and global irradiance. Solar Energy 44(5), 271-289.
.. [3] King, D. L., Boyson, W. E., Kratochvil, J. A. (2004). Photovoltaic Array
   Performance Model. SAND2004-3535 (SAPM cell temperature, Table 1 mounts).
.. [4] Faiman, D. (2008). Assessing the outdoor operating temperature of
   photovoltaic modules. Prog. Photovolt. 16(4), 307-315.
.. [5] Passias, D., Kallback, B. (1984). Shading effects in rows of solar cell
   panels. Solar Cells 11, 281-291.
.. [6] Anderson, K., Jensen, A. (2024). Shaded fraction and backtracking in
   single-axis trackers on rolling terrain. J. Renewable Sustainable Energy 16
   (pvlib ``shaded_fraction1d``).
.. [7] De Soto, W. et al. (2006). Improvement and validation of a model for
   photovoltaic array performance. Solar Energy 80(1), 78-88 (physical IAM;
   air-mass modifier, eq. 22, with the c-Si coefficients of King et al.).
.. [8] Marion, B. (2017). Numerical method for angle-of-incidence correction
   factors for diffuse radiation incident photovoltaic modules. Solar Energy
   147, 344-348.
.. [9] Mikofski, M. et al. (2019). Bifacial performance modeling in large
   arrays. IEEE PVSC 46 (infinite sheds; pvlib ``bifacial.infinite_sheds``).
.. [10] NREL SAM ``ssc/cmod_pvwattsv8.cpp`` (PVWatts v8: De Soto air-mass
   modifier ``air_mass_modifier``, INOCT 49 C roof mount, self-shading).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pvlib

from solarplan.core.errors import ConfigError, InputError
from solarplan.core.limits import accepts
from solarplan.core.resources import data_path
from solarplan.weather.core import WeatherYear

#: PVWatts loss components [%] and their defaults from PVWatts v5 [1]_ (pvlib defaults).
DEFAULT_LOSSES: Mapping[str, float] = MappingProxyType(dict(
    soiling=2.0, shading=3.0, snow=0.0, mismatch=2.0, wiring=2.0, connections=0.5, lid=1.5,
    nameplate_rating=1.0, age=0.0, availability=3.0))

#: Cell temperature parameters by mounting for :func:`pvlib.temperature.sapm_cell`. Rows and canopies:
#: SAPM "open rack glass/polymer" (King et al. [3]_ Table 1; 43.5 C at NOCT conditions, against
#: PVWatts' open-rack INOCT of 45 C [1]_). Flush (on rails a few cm above a roof): the same glass/polymer
#: form with ``a`` raised from -3.56 to -3.33 so the cell reaches PVWatts' roof-mount INOCT of 49 C [1]_
#: at NOCT conditions (800 W/m2, 20 C, 1 m/s) -- a fit to that published figure (estimate). SAPM's
#: "close mount glass/glass" (59.6 C at NOCT) is for modules without an air gap and ran 3.7 % low
#: against PVWatts' roof mount on Greensboro (issue 16).
SAPM_PARAMS_BY_MOUNTING: Mapping[str, Mapping[str, float]] = MappingProxyType({
    "rows": MappingProxyType(dict(a=-3.56, b=-0.075, deltaT=3.0)),
    "canopy": MappingProxyType(dict(a=-3.56, b=-0.075, deltaT=3.0)),
    "flush": MappingProxyType(dict(a=-3.33, b=-0.075, deltaT=3.0))})
#: Faiman U0 [W/m2/K], U1 [W/m2/K/(m/s)] by mounting: pvlib's defaults (open rack, [4]_; 45.1 C at NOCT
#: conditions) for rows and canopies; for flush mounting U0 lowered to 20.75 so that U0 + U1 = 800/29
#: gives the roof-mount INOCT of 49 C [1]_ (estimate, as for SAPM above).
FAIMAN_BY_MOUNTING = MappingProxyType({"rows": (25.0, 6.84), "canopy": (25.0, 6.84), "flush": (20.75, 6.84)})
#: Air-mass modifier coefficients a0..a4 of De Soto et al. [7]_ (eq. 22, for crystalline silicon after
#: King et al.), the polynomial PVWatts v8 applies as ``air_mass_modifier`` [10]_.
DESOTO_AM_COEFFICIENTS = MappingProxyType(dict(A0=0.918093, A1=0.086257, A2=-0.024459, A3=0.002816,
                                               A4=-0.000126))


def _spectral_desoto(airmass_absolute):
    return pvlib.spectrum.spectral_factor_sapm(airmass_absolute, DESOTO_AM_COEFFICIENTS)


def _spectral_none(airmass_absolute):
    return np.ones_like(np.asarray(airmass_absolute, float))


SPECTRAL_MODELS: Mapping[str, Callable] = MappingProxyType({"desoto": _spectral_desoto, "no_loss": _spectral_none})


def _iam_physical(aoi):
    return pvlib.iam.physical(aoi)


def _iam_ashrae(aoi):
    return pvlib.iam.ashrae(aoi)


IAM_MODELS: Mapping[str, Callable] = MappingProxyType({"physical": _iam_physical, "ashrae": _iam_ashrae})


def iam_physical_cos(cos_aoi, n: float = 1.526, K: float = 4.0, L: float = 0.002):
    """``pvlib.iam.physical`` (pvlib's defaults, no AR coating) from the cosine of the angle of incidence.

    Fresnel reflection of s- and p-polarised light at the air-glass interface after Snell refraction, and
    absorption exp(-K L / cos theta_r) in the glass, relative to normal incidence (De Soto et al. [7]_).
    The same equations as pvlib's, written on cos(aoi) so the engine skips arccos and cos on
    (hours x planes) arrays; equal to pvlib within 1e-12 (tests/pv/test_yieldsim.py).
    """
    c = np.maximum(cos_aoi, 0.0)
    c2 = np.sqrt(1.0 - (1.0 - c * c) / (n * n))  # cosine of the refraction angle
    nc2, nc = n * c2, n * c
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = 2.0 - ((c - nc2) / (c + nc2)) ** 2 - ((c2 - nc) / (c2 + nc)) ** 2
        tau *= np.exp(-K * L / c2)
    tau0 = (1.0 - ((1.0 - n) / (1.0 + n)) ** 2) * np.exp(-K * L)
    return tau / (2.0 * tau0)


def iam_ashrae_cos(cos_aoi, b: float = 0.05):
    """``pvlib.iam.ashrae`` (b = 0.05) from the cosine of the angle of incidence: 1 - b (1/cos - 1), >= 0,
    and 0 from 90 deg."""
    c = np.asarray(cos_aoi, float)
    with np.errstate(divide="ignore"):
        iam = 1.0 - b * (1.0 / c - 1.0)
    return np.where(c <= 0, 0.0, np.maximum(iam, 0.0))


#: Beam IAM by model on cos(aoi), the engine's form of :data:`IAM_MODELS`.
IAM_COS_MODELS: Mapping[str, Callable] = MappingProxyType({"physical": iam_physical_cos, "ashrae": iam_ashrae_cos})
TRANSPOSITION_MODELS = ("perez", "haydavies")
TEMPERATURE_MODELS = ("sapm", "faiman")


def _choose(name: str, valid, what: str) -> str:
    if name not in valid:
        raise ConfigError(f"unknown {what} {name!r}; valid: {', '.join(valid)}")
    return name


#: Names of the yield engines (:data:`solarplan.pv.engines.ENGINES` maps them to functions).
YIELD_ENGINES = ("fused", "pvlib")

@dataclass(frozen=True)
class SystemParams:
    """Engine-wide model choices and system defaults.

    Attributes
    ----------
    transposition : {'perez', 'haydavies'}
        Sky-diffuse transposition model [2]_. Default Perez.
    iam_model : {'physical', 'ashrae'}
        Incidence angle modifier on the beam component, as ModelChain applies
        it (physical: De Soto et al. [7]_, glass n = 1.526, pvlib's defaults).
    diffuse_iam : bool
        Apply the same IAM to sky and ground-reflected light, integrated over
        their solid angles by Marion's method [8]_ (``iam.marion_integrate``,
        regions 'sky' and 'ground').
        Default True: PVWatts v8 and SAM apply a cover loss to diffuse light
        too [10]_; without it yield runs 1.9-3.6 % high (issue 16).
    spectral_model : {'desoto', 'no_loss'}
        Spectral modifier on effective irradiance. Default 'desoto': the
        air-mass polynomial of De Soto et al. [7]_
        (:data:`DESOTO_AM_COEFFICIENTS`) on the pressure-corrected Kasten-Young
        air mass, the same modifier PVWatts v8 uses [10]_. It removes 1-3 % of
        the year in China's hazy, low-sun winters. Air mass is the only input
        a typical-year file gives reliably (CSWD has no precipitable water), so
        the First Solar/precipitable-water models are not offered.
    temperature_model : {'sapm', 'faiman'}
        Cell temperature model; parameters by mounting from
        :data:`SAPM_PARAMS_BY_MOUNTING` / :data:`FAIMAN_BY_MOUNTING`.
    gamma_pdc : float
        Power temperature coefficient [1/C]. Default -0.0035: PVWatts v5
        "premium" module [1]_, typical of current mono-PERC/TOPCon modules.
    dc_ac_ratio : float
        DC nameplate / inverter AC rating [-]. Default 1.2 (PVWatts v5 [1]_).
    eta_inv_nom : float
        Nominal inverter efficiency [-]. Default 0.96 (PVWatts v5 [1]_).
    losses : Mapping[str, float]
        PVWatts loss components [%]; default :data:`DEFAULT_LOSSES` (14.08 % in total).
    albedo : float
        Ground (roof) reflectance used where the weather has none [-]. Default
        0.2, the customary value for concrete and grass (estimate).
    row_shading : bool
        Model row-to-row shading of ``rows`` mounting by 2-D view factors of
        infinite rows (the front side of pvlib's infinite sheds [9]_): beam and
        circumsolar light on the shaded fraction, isotropic sky diffuse by the
        row's sky view factor, the horizon band blocked, ground-reflected light
        by the row's view factor to the roof. The generic ``shading`` loss
        (parapets, plant, trees: obstructions other than the rows) still
        applies to every mounting, so shaded rows never out-yield an unshaded
        canopy of the same tilt.
    wind_floor : float
        Lowest wind speed fed to the temperature model [m/s]. CSWD wind is in
        whole m/s with many calm hours (SOURCES.md); 0.5 m/s is an estimate of
        the free convection still present.
    orientation_resolution_deg : float or None
        Tilt and azimuth are rounded to this step before identical
        configurations are merged [degrees]; None merges only exact matches.
        The default 0.1 deg moves a surface's annual energy by at most 0.15 %
        (median 0.01 %) over random tilts 0-60 deg and all azimuths (tested).
    engine : {'fused', 'pvlib'}
        Yield engine of the pipeline (:data:`solarplan.pv.engines.ENGINES`). Default 'fused', the numba
        kernel (:mod:`solarplan.pv.fused`), equal to 'pvlib', this module's reference path, within 1e-6
        hour by hour for every model choice (tests/pv/test_fused.py; about 1e-13 observed).
    """

    transposition: str = field(default="perez", metadata=accepts(choices=TRANSPOSITION_MODELS))
    iam_model: str = field(default="physical", metadata=accepts(choices=tuple(IAM_MODELS)))
    diffuse_iam: bool = True
    spectral_model: str = field(default="desoto", metadata=accepts(choices=tuple(SPECTRAL_MODELS)))
    temperature_model: str = field(default="sapm", metadata=accepts(choices=TEMPERATURE_MODELS))
    gamma_pdc: float = field(default=-0.0035, metadata=accepts(-0.01, 0, unit="1/C"))
    dc_ac_ratio: float = field(default=1.2, metadata=accepts(0.5, 2.5, unit="-"))
    eta_inv_nom: float = field(default=0.96, metadata=accepts(0.5, 1, unit="-", fraction=True))
    losses: Mapping[str, float] = field(default_factory=lambda: DEFAULT_LOSSES, metadata=accepts(0, 100, unit="%"))
    albedo: float = field(default=0.2, metadata=accepts(0, 1, unit="-"))
    row_shading: bool = True
    wind_floor: float = field(default=0.5, metadata=accepts(0, 5, unit="m/s"))
    orientation_resolution_deg: float | None = field(default=0.1, metadata=accepts(0, 5, unit="degrees"))
    engine: str = field(default="fused", metadata=accepts(choices=YIELD_ENGINES))

    def __post_init__(self):
        _choose(self.transposition, TRANSPOSITION_MODELS, "transposition model")
        _choose(self.iam_model, tuple(IAM_MODELS), "IAM model")
        _choose(self.spectral_model, tuple(SPECTRAL_MODELS), "spectral model")
        _choose(self.temperature_model, TEMPERATURE_MODELS, "temperature model")
        _choose(self.engine, YIELD_ENGINES, "yield engine")
        unknown = set(self.losses) - set(DEFAULT_LOSSES)
        if unknown:
            raise ConfigError(f"unknown loss component(s) {sorted(unknown)}; valid: {', '.join(DEFAULT_LOSSES)}")
        bad = {k: v for k, v in self.losses.items() if not 0 <= float(v) <= 100}
        if bad:
            raise ConfigError(f"loss components are percentages in [0, 100]; got {bad}")

    def loss_fraction(self, mounting: str | None = None) -> float:
        """Total PVWatts loss [-]; the same for every mounting (row shading is modelled on top)."""
        return float(pvlib.pvsystem.pvwatts_losses(**dict(self.losses))) / 100.0


@dataclass(frozen=True)
class SolarGeometry:
    """What depends only on the weather year: computed once, shared by all chunks."""

    times: pd.DatetimeIndex
    day: np.ndarray
    zenith: np.ndarray
    apparent_zenith: np.ndarray
    azimuth: np.ndarray
    dni_extra: np.ndarray
    airmass: np.ndarray
    airmass_absolute: np.ndarray
    ghi: np.ndarray
    dni: np.ndarray
    dhi: np.ndarray
    temp_air: np.ndarray
    wind_speed: np.ndarray
    albedo: np.ndarray
    month: np.ndarray
    #: cos(apparent zenith) and sin(zenith) x cos/sin(solar azimuth): the hour factors of the angle of
    #: incidence (:func:`aoi_cosine`) [-]
    cos_zenith: np.ndarray | None = None
    sin_zenith_cos_azimuth: np.ndarray | None = None
    sin_zenith_sin_azimuth: np.ndarray | None = None
    #: Perez circumsolar and horizon brightening coefficients F1, F2 of each hour [-] (:func:`perez_coefficients`)
    perez_f1: np.ndarray | None = None
    perez_f2: np.ndarray | None = None


def perez_coefficients(dhi, dni, dni_extra, solar_zenith, airmass, model: str = "allsitescomposite1990"):
    """Perez (1990) brightening coefficients F1 (circumsolar) and F2 (horizon) of each hour [2]_.

    The hour-only part of ``pvlib.irradiance.perez``: sky clearness epsilon (binned by Perez's eight
    limits), brightness delta = DHI x air mass / DNI_extra, and F_i = f_i1 + f_i2 delta + f_i3 z (z in
    radians, F1 >= 0), with pvlib's table of the published coefficients. Computed once per weather
    year; :func:`perez_components` combines them with each plane. An undefined clearness (DHI = DNI = 0)
    gives NaN, as in pvlib.

    Parameters
    ----------
    dhi, dni, dni_extra : 1-D arrays [W/m2]
    solar_zenith : 1-D array [degrees]
    airmass : 1-D array, relative [-]

    Returns
    -------
    (F1, F2) : 1-D arrays [-]
    """
    kappa = 1.041
    z = np.radians(solar_zenith)
    delta = dhi * airmass / dni_extra
    with np.errstate(invalid="ignore", divide="ignore"):
        eps = (np.divide(dhi + dni, dhi) + kappa * z ** 3) / (1 + kappa * z ** 3)
    ebin = np.digitize(eps, (0.0, 1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2)) - 1
    ebin[np.isnan(eps)] = -1
    f1c, f2c = pvlib.irradiance._get_perez_coefficients(model)
    nan_row = np.full((1, 3), np.nan)
    f1c, f2c = np.vstack((f1c, nan_row)), np.vstack((f2c, nan_row))
    f1 = np.maximum(f1c[ebin, 0] + f1c[ebin, 1] * delta + f1c[ebin, 2] * z, 0)
    f2 = f2c[ebin, 0] + f2c[ebin, 1] * delta + f2c[ebin, 2] * z
    return f1, f2


def solar_geometry(weather: WeatherYear, params: SystemParams) -> SolarGeometry:
    """Solar position, air mass and extraterrestrial irradiance at the weather's solar times."""
    times = weather.solar_times
    data = weather.data
    loc = pvlib.location.Location(weather.latitude, weather.longitude, altitude=weather.elevation)
    sp = loc.get_solarposition(times, temperature=data["temp_air"].to_numpy())
    am = pvlib.atmosphere.get_relative_airmass(sp["apparent_zenith"]).to_numpy()
    am_abs = pvlib.atmosphere.get_absolute_airmass(am, pvlib.atmosphere.alt2pres(weather.elevation))
    dni_extra = pvlib.irradiance.get_extra_radiation(times).to_numpy()
    ghi, dni, dhi = (data[c].to_numpy(float) for c in ("ghi", "dni", "dhi"))
    # hours where anything can be produced; the rest give exactly 0 AC (pvwatts inverter floors at 0)
    day = (ghi > 0) | (dni > 0) | (dhi > 0)
    albedo = data["albedo"].to_numpy(float) if "albedo" in data else np.full(len(data), params.albedo)
    albedo = np.where(np.isfinite(albedo), albedo, params.albedo)
    sel = lambda a: np.asarray(a, float)[day]  # noqa: E731
    zen, saz = sel(sp["apparent_zenith"]), sel(sp["azimuth"])
    sz = np.sin(np.radians(zen))
    f1, f2 = perez_coefficients(sel(dhi), sel(dni), sel(dni_extra), zen, sel(am))
    return SolarGeometry(times, day, sel(sp["zenith"]), zen, saz,
                         sel(dni_extra), sel(am), sel(am_abs), sel(ghi), sel(dni), sel(dhi), sel(data["temp_air"]),
                         sel(np.maximum(data["wind_speed"].to_numpy(float), params.wind_floor)), sel(albedo),
                         np.asarray(data.index.month), np.cos(np.radians(zen)), sz * np.cos(np.radians(saz)),
                         sz * np.sin(np.radians(saz)), f1, f2)


def _cell_temperature(poa_global, geom: SolarGeometry, mounting: str, params: SystemParams):
    t, w = geom.temp_air[:, None], geom.wind_speed[:, None]
    if params.temperature_model == "sapm":
        p = SAPM_PARAMS_BY_MOUNTING[mounting]
        return pvlib.temperature.sapm_cell(poa_global, t, w, p["a"], p["b"], p["deltaT"])
    u0, u1 = FAIMAN_BY_MOUNTING[mounting]
    return pvlib.temperature.faiman(poa_global, t, w, u0, u1)


_DIFFUSE_IAM_CACHE: dict = {}
#: Step of the shipped table of Marion integrals [degrees] (data/marion_diffuse_iam.csv).
MARION_TABLE_STEP_DEG = 0.1
_MARION_TABLE: dict = {}


def _marion_table(iam_model: str):
    if iam_model not in _MARION_TABLE:
        t = pd.read_csv(data_path("marion_diffuse_iam.csv"))
        for name in IAM_MODELS:
            _MARION_TABLE[name] = (t[f"{name}_sky"].to_numpy(float), t[f"{name}_ground"].to_numpy(float))
    return _MARION_TABLE[iam_model]


def diffuse_iam(iam_model: str, surface_tilt) -> tuple[np.ndarray, np.ndarray]:
    """IAM of sky and ground-reflected light by Marion's integrals [8]_ (``iam.marion_integrate``).

    A tilt on the 0.1-degree grid (every tilt after the default ``orientation_resolution_deg``) is
    looked up in ``data/marion_diffuse_iam.csv``, the integrals computed by ``marion_integrate`` for
    0.0-90.0 deg (``data/make_marion_iam.py``; exact values, no interpolation); any other tilt is
    integrated once per process and remembered. The integral costs ~65,000 IAM evaluations
    (~50 ms) per tilt, which dominated the engine on inventories of varied tilts.

    Parameters
    ----------
    iam_model : {'physical', 'ashrae'}
    surface_tilt : 1-D array [degrees]

    Returns
    -------
    (iam_sky, iam_ground) : 1-D arrays [-]
    """
    tilt = np.atleast_1d(np.asarray(surface_tilt, float))
    steps = tilt / MARION_TABLE_STEP_DEG
    on_grid = (np.abs(steps - np.round(steps)) < 1e-6) & (tilt >= 0) & (tilt <= 90.0)
    if on_grid.all():
        sky, gnd = _marion_table(iam_model)
        i = np.round(steps).astype(int)
        return sky[i], gnd[i]
    missing = np.unique([t for t in tilt if (iam_model, t) not in _DIFFUSE_IAM_CACHE])
    if len(missing):
        f = IAM_MODELS[iam_model]
        sky = np.atleast_1d(pvlib.iam.marion_integrate(f, missing, "sky"))
        gnd = np.atleast_1d(pvlib.iam.marion_integrate(f, missing, "ground"))
        for t, a, b in zip(missing, sky, gnd):
            _DIFFUSE_IAM_CACHE[(iam_model, float(t))] = (float(a), float(b))
    pairs = np.array([_DIFFUSE_IAM_CACHE[(iam_model, float(t))] for t in tilt]).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


def aoi_cosine(geom: SolarGeometry, surface_tilt, surface_azimuth):
    """Cosine of the angle of incidence [-], shape (hours, planes): ``pvlib.irradiance.aoi_projection``.

    cos(aoi) = cos z cos t + sin z sin t cos(azimuth_sun - azimuth_plane), with the last cosine expanded
    so that only products of hour factors (:class:`SolarGeometry`) and plane factors remain: no
    trigonometry on (hours x planes) arrays. Computed once and shared by the beam, Perez, row shading
    and the IAM. Clipped to [-1, 1] as pvlib does.
    """
    t = np.radians(np.asarray(surface_tilt, float))
    a = np.radians(np.asarray(surface_azimuth, float))
    st = np.sin(t)
    proj = (geom.cos_zenith[:, None] * np.cos(t)[None, :]
            + geom.sin_zenith_cos_azimuth[:, None] * (st * np.cos(a))[None, :])
    proj += geom.sin_zenith_sin_azimuth[:, None] * (st * np.sin(a))[None, :]
    return np.clip(proj, -1.0, 1.0, out=proj)


def perez_components(geom: SolarGeometry, cos_aoi, surface_tilt, components: bool = False):
    """Sky diffuse on planes by Perez [2]_: ``pvlib.irradiance.perez`` on the shared cos(aoi).

    sky = max(DHI [(1 - F1)(1 + cos t)/2 + F1 max(cos aoi, 0)/max(cos z, cos 85) + F2 sin t], 0), 0 where
    the air mass is undefined; F1, F2 from :func:`perez_coefficients` (once per year).

    Parameters
    ----------
    geom : SolarGeometry
    cos_aoi : 2-D array (hours, planes), from :func:`aoi_cosine`
    surface_tilt : 1-D array [degrees]
    components : bool
        Also return the isotropic, circumsolar and horizon parts (each 0 where the total is 0, as pvlib).

    Returns
    -------
    poa_sky_diffuse, or dict with ``poa_sky_diffuse``, ``poa_isotropic``, ``poa_circumsolar``,
    ``poa_horizon`` [W/m2]
    """
    t = np.radians(np.asarray(surface_tilt, float))
    ok = ~np.isnan(geom.airmass)
    b = np.maximum(geom.cos_zenith, np.cos(np.radians(85.0)))
    iso_h = np.where(ok, geom.dhi * 0.5 * (1.0 - geom.perez_f1), 0.0)[:, None]
    circ_h = np.where(ok, geom.dhi * geom.perez_f1 / b, 0.0)[:, None]
    hor_h = np.where(ok, geom.dhi * geom.perez_f2, 0.0)[:, None]
    iso = iso_h * (1.0 + np.cos(t))[None, :]
    circ = circ_h * np.maximum(cos_aoi, 0.0)
    hor = hor_h * np.sin(t)[None, :]
    total = iso + circ
    total += hor
    np.maximum(total, 0.0, out=total)
    if not components:
        return total
    zero = total == 0
    return {"poa_sky_diffuse": total, "poa_isotropic": np.where(zero, 0.0, iso),
            "poa_circumsolar": np.where(zero, 0.0, circ), "poa_horizon": np.where(zero, 0.0, hor)}


def shaded_fraction_rows(geom: SolarGeometry, cos_aoi, gcr):
    """Shaded fraction of the slant height of a row in infinite rows on level ground [-] [5]_ [6]_.

    ``pvlib.shading.shaded_fraction1d`` for a fixed row (axis along the row, rotation = tilt, rows of
    unit width at pitch 1/gcr): 1 - pitch cos(psi)/|cos(tilt - psi)| with psi the projected solar
    zenith, which for a row facing its azimuth equals 1 - pitch cos z / |cos aoi|; clipped to [0, 1].
    Where the sun is behind the plane the beam is 0 and the value does not matter.
    """
    pitch = 1.0 / np.asarray(gcr, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        fs = 1.0 - (geom.cos_zenith[:, None] * pitch[None, :]) / np.abs(cos_aoi)
    # 0/0 (sun on the horizon in the plane) gives NaN: no beam there, 0 like -inf
    return np.where(fs > 0.0, np.minimum(fs, 1.0), 0.0)


def row_view_factors(surface_tilt, gcr) -> tuple[np.ndarray, np.ndarray]:
    """View factors of a row to the sky and to the roof between rows, relative to an open plane [-].

    ``bifacial.utils.vf_row_sky_2d_integ`` / ((1 + cos t)/2) and ``vf_row_ground_2d_integ`` /
    ((1 - cos t)/2) (0 for a horizontal plane) [9]_.
    """
    tilt, g = np.broadcast_arrays(np.atleast_1d(np.asarray(surface_tilt, float)), np.asarray(gcr, float))
    pairs, back = np.unique(np.column_stack([tilt, g]), axis=0, return_inverse=True)
    back = back.ravel()
    if len(pairs) < len(tilt):  # the same (tilt, gcr) twice: computed once (pvlib's integrals are ~10 us each)
        sky, gnd = row_view_factors(pairs[:, 0], pairs[:, 1])
        return sky[back], gnd[back]
    cos_t = np.cos(np.radians(tilt))
    vf_sky = np.atleast_1d(pvlib.bifacial.utils.vf_row_sky_2d_integ(tilt, g)) / ((1.0 + cos_t) / 2.0)
    open_ground = (1.0 - cos_t) / 2.0
    vf_ground = np.where(open_ground > 1e-9, np.atleast_1d(pvlib.bifacial.utils.vf_row_ground_2d_integ(tilt, g))
                         / np.maximum(open_ground, 1e-9), 0.0)
    return vf_sky, vf_ground


def row_shading(poa_direct, sky_components, poa_ground, fs, vf_sky, vf_ground):
    """Front-side irradiance of a row inside an array of infinite rows (2-D view factors).

    The front-side terms of pvlib's infinite-sheds model [9]_, applied to the
    components of the transposition model:

    * beam and circumsolar light reach only the unshaded part of the slant
      height (``fs`` from :func:`shaded_fraction_rows`);
    * isotropic sky diffuse is scaled by the row's average view factor to the
      sky over the unobstructed plane's (:func:`row_view_factors`);
    * the horizon band (Perez) is dropped: the row in front hides the horizon
      from every point of the face but its top edge;
    * ground-reflected light is scaled by the row's view factor to the roof
      between the rows over the unobstructed one, with the roof taken as evenly
      lit (its shadows are not modelled: at albedo 0.2 and tilt 20 deg the whole
      ground term is < 1 % of the plane-of-array irradiance).

    Parameters
    ----------
    poa_direct, poa_ground, fs : 2-D arrays (hours, configs) [W/m2], [W/m2], [-]
    sky_components : dict
        ``poa_isotropic``, ``poa_circumsolar`` (Perez or Hay-Davies components).
    vf_sky, vf_ground : 1-D arrays (configs) [-]

    Returns
    -------
    (poa_direct, poa_sky_diffuse, poa_ground_diffuse) : 2-D arrays [W/m2]
    """
    unshaded = 1.0 - fs
    sky = sky_components["poa_isotropic"] * vf_sky[None, :] + sky_components["poa_circumsolar"] * unshaded
    return poa_direct * unshaded, sky, poa_ground * vf_ground[None, :]


def plane_of_array(geom: SolarGeometry, surface_tilt, surface_azimuth, mounting: str, gcr, params: SystemParams):
    """Beam, sky and ground irradiance on the planes, after row shading, and cos(aoi).

    Returns
    -------
    dict of 2-D arrays (hours, configs)
        ``cos_aoi`` [-]; ``poa_direct``, ``poa_sky_diffuse``, ``poa_ground_diffuse`` (after row
        shading) and ``poa_reference`` (unshaded global) [W/m2].
    """
    tilt = np.asarray(surface_tilt, float)
    rows = mounting == "rows" and params.row_shading
    cos_aoi = aoi_cosine(geom, tilt, surface_azimuth)
    if params.transposition == "perez":
        sky = perez_components(geom, cos_aoi, tilt, components=rows)
    else:
        col = lambda a: a[:, None]  # noqa: E731
        sky = pvlib.irradiance.haydavies(tilt[None, :], np.asarray(surface_azimuth, float)[None, :], col(geom.dhi),
                                         col(geom.dni), col(geom.dni_extra), col(geom.apparent_zenith),
                                         col(geom.azimuth), return_components=rows)
    sky_total = sky["poa_sky_diffuse"] if rows else sky
    # irradiance.get_ground_diffuse and the beam of irradiance.poa_components
    ground = (geom.ghi * geom.albedo)[:, None] * ((1.0 - np.cos(np.radians(tilt))) * 0.5)[None, :]
    direct = np.maximum(geom.dni[:, None] * cos_aoi, 0.0)
    reference = direct + sky_total
    reference += ground
    if rows:
        fs = shaded_fraction_rows(geom, cos_aoi, gcr)
        direct, sky_total, ground = row_shading(direct, sky, ground, fs, *row_view_factors(tilt, gcr))
    return {"cos_aoi": cos_aoi, "poa_direct": direct, "poa_sky_diffuse": sky_total, "poa_ground_diffuse": ground,
            "poa_reference": reference}


def ac_per_kwp(geom: SolarGeometry, surface_tilt, surface_azimuth, mounting: str, gcr, params: SystemParams):
    """AC power per kWp of DC for a block of configurations sharing one mounting.

    Parameters
    ----------
    geom : SolarGeometry
    surface_tilt, surface_azimuth, gcr : 1-D arrays [degrees], [degrees], [-]
    mounting : {'rows', 'flush', 'canopy'}
    params : SystemParams

    Returns
    -------
    dict of 2-D arrays, shape (daytime hours, configurations)
        ``ac`` [kW/kWp], ``poa_global`` (after row shading) and ``poa_reference``
        (unshaded) [W/m2], and ``dc`` [kW/kWp] after losses.
    """
    tilt1 = np.asarray(surface_tilt, float)
    poa = plane_of_array(geom, tilt1, surface_azimuth, mounting, gcr, params)
    direct, poa_sky, poa_ground = poa["poa_direct"], poa["poa_sky_diffuse"], poa["poa_ground_diffuse"]
    effective = IAM_COS_MODELS[params.iam_model](poa["cos_aoi"])
    effective *= direct
    if params.diffuse_iam:
        iam_sky, iam_ground = diffuse_iam(params.iam_model, tilt1)
        effective += poa_sky * iam_sky[None, :]
        effective += poa_ground * iam_ground[None, :]
    else:
        effective += poa_sky
        effective += poa_ground
    effective *= SPECTRAL_MODELS[params.spectral_model](geom.airmass_absolute)[:, None]
    poa_global = direct + poa_sky
    poa_global += poa_ground
    temp_cell = _cell_temperature(poa_global, geom, mounting, params)
    dc = pvlib.pvsystem.pvwatts_dc(effective, temp_cell, 1.0, params.gamma_pdc)
    dc *= 1.0 - params.loss_fraction(mounting)
    pdc0_inv = 1.0 / params.dc_ac_ratio / params.eta_inv_nom
    ac = pvlib.inverter.pvwatts(dc, pdc0_inv, params.eta_inv_nom)
    # Perez is undefined where DHI = DNI = 0 with the sun up (some CSWD hours); like ModelChain,
    # which fills NaN AC and DC with 0, such hours produce nothing
    for a in (ac, dc, poa["poa_reference"], poa_global):
        np.copyto(a, 0.0, where=np.isnan(a))
    return {"ac": ac, "poa_global": poa_global, "poa_reference": poa["poa_reference"], "dc": dc}


MONTH_COLUMNS = tuple(f"monthly_ac_kwh_{m:02d}" for m in range(1, 13))


@dataclass(frozen=True)
class YieldResult:
    """Simulated yield of every surface.

    Attributes
    ----------
    surfaces : DataFrame
        Index of the input; columns ``capacity_kwp`` [kWp], ``annual_ac_kwh``
        [kWh], ``specific_yield_kwh_per_kwp`` [kWh/kWp], ``poa_kwh_m2``
        (unshaded plane-of-array irradiation [kWh/m2]),
        ``performance_ratio`` [-] (IEC 61724-1: final yield / reference yield),
        ``monthly_ac_kwh_01`` .. ``_12`` [kWh] and ``config_id``.
    configs : DataFrame
        One row per unique configuration: ``surface_tilt``, ``surface_azimuth``,
        ``mounting``, ``gcr``, ``annual_ac_kwh_per_kwp``, ``poa_kwh_m2``.
    hourly_per_kwp : DataFrame or None
        AC power per kWp [kW/kWp], 8760 rows (interval-start index) x configs,
        when requested.
    weather_source : str
    shift_applied_h : float
    """

    surfaces: pd.DataFrame
    configs: pd.DataFrame
    hourly_per_kwp: pd.DataFrame | None
    weather_source: str
    shift_applied_h: float


#: Columns every engine needs in its surfaces table.
SURFACE_COLUMNS = ("surface_tilt", "surface_azimuth", "mounting", "gcr", "capacity_kwp")


def check_surface_columns(surfaces: pd.DataFrame) -> None:
    """Raise InputError naming the columns an engine needs that the surfaces table lacks."""
    missing = [c for c in SURFACE_COLUMNS if c not in surfaces.columns]
    if missing:
        raise InputError(f"surfaces lack column(s) {', '.join(missing)}")


def unique_configs(surfaces: pd.DataFrame, resolution: float | None) -> tuple[pd.DataFrame, np.ndarray]:
    """Group surfaces by (tilt, azimuth, mounting, gcr); return configs and each surface's config index."""
    tilt = surfaces["surface_tilt"].to_numpy(float)
    az = np.mod(surfaces["surface_azimuth"].to_numpy(float), 360.0)
    if resolution:
        tilt = np.round(tilt / resolution) * resolution
        az = np.mod(np.round(az / resolution) * resolution, 360.0)
    mounting = surfaces["mounting"].astype(str).to_numpy()
    gcr = np.where(mounting == "rows", np.round(surfaces["gcr"].to_numpy(float), 3), 1.0)
    # one integer key per surface, built column by column (each step re-factorised, so it stays below the
    # number of surfaces); factorize keeps the order of first appearance, as MultiIndex.factorize does,
    # at a twentieth of its cost
    key = np.zeros(len(tilt), np.int64)
    for col in (tilt, az, mounting, gcr):
        c, u = pd.factorize(col, use_na_sentinel=False)
        key = pd.factorize(key * len(u) + c)[0] if len(u) > 1 else key
    codes = pd.factorize(key)[0]
    first = np.unique(codes, return_index=True)[1]
    configs = pd.DataFrame({"surface_tilt": tilt[first], "surface_azimuth": az[first], "mounting": mounting[first],
                            "gcr": gcr[first]})
    return configs, np.asarray(codes, np.int64)


def surface_yields(capacity_kwp, codes, annual, poa, monthly, index=None) -> pd.DataFrame:
    """The per-surface table of :func:`simulate` from per-configuration results.

    Parameters
    ----------
    capacity_kwp : array (surfaces,)
        [kWp]
    codes : array of int (surfaces,)
        Configuration of each surface (row of the next three arrays).
    annual, poa : arrays (configurations,)
        AC energy per kWp [kWh/kWp] and unshaded plane-of-array irradiation [kWh/m2].
    monthly : array (configurations, 12)
        AC energy per kWp of each month [kWh/kWp].
    index : Index, optional
        Index of the result (default a RangeIndex).

    Returns
    -------
    DataFrame
        ``capacity_kwp``, ``annual_ac_kwh``, ``specific_yield_kwh_per_kwp``, ``poa_kwh_m2``,
        ``performance_ratio``, ``monthly_ac_kwh_01`` .. ``_12`` and ``config_id``.
    """
    cap = np.asarray(capacity_kwp, float)
    codes = np.asarray(codes, int)
    annual, poa, monthly = np.asarray(annual, float), np.asarray(poa, float), np.asarray(monthly, float)
    res = pd.DataFrame(index=index if index is not None else pd.RangeIndex(len(cap)))
    res["capacity_kwp"] = cap
    res["annual_ac_kwh"] = cap * annual[codes]
    res["specific_yield_kwh_per_kwp"] = annual[codes]
    res["poa_kwh_m2"] = poa[codes]
    with np.errstate(invalid="ignore", divide="ignore"):
        res["performance_ratio"] = np.where(poa[codes] > 0, annual[codes] / poa[codes], np.nan)
    for m, c in enumerate(MONTH_COLUMNS):
        res[c] = cap * monthly[codes, m]
    res["config_id"] = codes
    return res


def yield_result(surfaces: pd.DataFrame, weather: WeatherYear, configs: pd.DataFrame, codes, annual, poa, monthly,
                 hourly_arr=None) -> YieldResult:
    """The :class:`YieldResult` of an engine from its per-configuration results (both engines end here).

    ``annual`` [kWh/kWp], ``poa`` [kWh/m2], ``monthly`` (configurations, 12) [kWh/kWp]; ``hourly_arr``
    (8760, configurations) [kW/kWp] or None.
    """
    configs = configs.assign(annual_ac_kwh_per_kwp=annual, poa_kwh_m2=poa)
    res = surface_yields(surfaces["capacity_kwp"].to_numpy(float), codes, annual, poa, monthly, surfaces.index)
    hourly_df = None
    if hourly_arr is not None:
        hourly_df = pd.DataFrame(hourly_arr, index=weather.data.index,
                                 columns=pd.RangeIndex(len(configs), name="config_id"))
    return YieldResult(res, configs, hourly_df, weather.source, weather.shift_applied_h)


def simulate(surfaces: pd.DataFrame, weather: WeatherYear, params: SystemParams | None = None, *,
             chunk_size: int = 32, hourly: bool = False, threads: int | None = None,
             progress: Callable[[int, int], None] | None = None, geometry: SolarGeometry | None = None
             ) -> YieldResult:
    """Simulate the yield of every surface.

    Parameters
    ----------
    surfaces : DataFrame
        Columns ``surface_tilt``, ``surface_azimuth`` [degrees, pvlib
        convention], ``mounting`` (rows, flush, canopy), ``gcr`` [-] and
        ``capacity_kwp`` [kWp].
    weather : WeatherYear
        With its timing correction already decided (``solar_offset_h``).
    params : SystemParams, optional
    chunk_size : int
        Unique configurations computed at once; bounds memory at roughly
        ``chunk_size`` x daytime hours x 8 bytes x 20 temporaries (about 25 MB
        per thread for 32). The default 32 keeps each (hours x configs) array
        near 1 MB, inside the CPU caches: 64 ran 1.1x and 256 1.7x slower per
        configuration on the 2-core benchmark machine (benchmarks/bench_yield.py).
    hourly : bool
        Keep the hourly AC per kWp of each configuration.
    threads : int, optional
        Chunks computed in parallel (default: one per core). Results do not
        depend on it.
    progress : callable(done, total), optional
        Called after each chunk with configurations done and total.
    geometry : SolarGeometry, optional
        Precomputed for this weather and params (saves 0.1 s per call).

    Returns
    -------
    YieldResult
    """
    params = params or SystemParams()
    check_surface_columns(surfaces)
    geom = geometry or solar_geometry(weather, params)
    configs, codes = unique_configs(surfaces, params.orientation_resolution_deg)
    n_cfg = len(configs)
    months_day = geom.month[geom.day]
    starts = np.searchsorted(months_day, np.arange(1, 13))
    present = starts < len(months_day)
    annual = np.zeros(n_cfg)
    poa = np.zeros(n_cfg)
    monthly = np.zeros((n_cfg, 12))
    hourly_arr = np.zeros((len(geom.day), n_cfg)) if hourly else None
    blocks = [(mounting, idx[lo:lo + chunk_size])
              for mounting, idx in configs.groupby("mounting", sort=True).indices.items()
              for lo in range(0, len(idx), chunk_size)]
    day_rows = np.flatnonzero(geom.day)

    def run(item):
        mounting, block = item
        cfg = configs.iloc[block]
        out = ac_per_kwp(geom, cfg["surface_tilt"].to_numpy(), cfg["surface_azimuth"].to_numpy(), mounting,
                         cfg["gcr"].to_numpy(), params)
        ac = out["ac"]
        annual[block] = ac.sum(axis=0)
        poa[block] = out["poa_reference"].sum(axis=0) / 1e3
        if len(months_day):
            monthly[np.ix_(block, np.flatnonzero(present))] = np.add.reduceat(ac, starts[present], axis=0).T
        if hourly:
            hourly_arr[day_rows[:, None], block[None, :]] = ac
        return len(block)

    # numpy releases the GIL inside array operations, so threads share the cores
    workers = max(1, min(threads or os.cpu_count() or 1, len(blocks)))
    done = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for n in pool.map(run, blocks):
            done += n
            if progress:
                progress(done, n_cfg)
    return yield_result(surfaces, weather, configs, codes, annual, poa, monthly, hourly_arr)
