"""Vectorised PV yield engine: every surface of an inventory in one pass of pvlib.

Each model is the named pvlib function, called on an array of shape
(daytime hours x unique configurations) so that numpy broadcasting replaces a
Python loop of ``ModelChain`` runs:

============================  =================================================
step                          pvlib call
============================  =================================================
solar position (once a year)  ``Location.get_solarposition`` (as ModelChain)
air mass, extraterrestrial    ``atmosphere.get_relative_airmass``,
                              ``irradiance.get_extra_radiation``
plane of array                ``irradiance.get_total_irradiance`` (Perez or
                              Hay-Davies)
row shading (flat roofs)      ``shading.shaded_fraction1d``,
                              ``shading.masking_angle_passias``,
                              ``shading.sky_diffuse_passias``
incidence angle modifier      ``iam.physical`` or ``iam.ashrae``
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
(see tests/test_yieldsim.py).

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
   photovoltaic array performance. Solar Energy 80(1) (physical IAM).
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
from solarplan.weather.core import WeatherYear

#: PVWatts loss components [%] and their defaults from PVWatts v5 [1]_ (pvlib defaults).
DEFAULT_LOSSES: Mapping[str, float] = MappingProxyType(dict(
    soiling=2.0, shading=3.0, snow=0.0, mismatch=2.0, wiring=2.0, connections=0.5, lid=1.5,
    nameplate_rating=1.0, age=0.0, availability=3.0))

#: SAPM cell temperature parameters by mounting [3]_ (pvlib TEMPERATURE_MODEL_PARAMETERS).
SAPM_BY_MOUNTING = MappingProxyType({
    "rows": "open_rack_glass_polymer", "canopy": "open_rack_glass_polymer", "flush": "close_mount_glass_glass"})
#: Faiman U0 [W/m2/K], U1 [W/m2/K/(m/s)] by mounting: pvlib's defaults (open rack, [4]) for
#: rows and canopies; for flush mounting U0 = 15, U1 = 0 after PVsyst's "integrated" U = 15 (estimate).
FAIMAN_BY_MOUNTING = MappingProxyType({"rows": (25.0, 6.84), "canopy": (25.0, 6.84), "flush": (15.0, 0.0)})


def _iam_physical(aoi):
    return pvlib.iam.physical(aoi)


def _iam_ashrae(aoi):
    return pvlib.iam.ashrae(aoi)


IAM_MODELS: Mapping[str, Callable] = MappingProxyType({"physical": _iam_physical, "ashrae": _iam_ashrae})
TRANSPOSITION_MODELS = ("perez", "haydavies")
TEMPERATURE_MODELS = ("sapm", "faiman")


def _choose(name: str, valid, what: str) -> str:
    if name not in valid:
        raise ConfigError(f"unknown {what} {name!r}; valid: {', '.join(valid)}")
    return name


@dataclass(frozen=True)
class SystemParams:
    """Engine-wide model choices and system defaults.

    Attributes
    ----------
    transposition : {'perez', 'haydavies'}
        Sky-diffuse transposition model [2]_. Default Perez.
    iam_model : {'physical', 'ashrae'}
        Incidence angle modifier on the beam component, as ModelChain applies it.
    temperature_model : {'sapm', 'faiman'}
        Cell temperature model; parameters by mounting from
        :data:`SAPM_BY_MOUNTING` / :data:`FAIMAN_BY_MOUNTING`.
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
        Model row-to-row shading and sky masking for ``rows`` mounting; the
        generic 3 % shading loss is then not applied to those rows.
    wind_floor : float
        Lowest wind speed fed to the temperature model [m/s]. CSWD wind is in
        whole m/s with many calm hours (SOURCES.md); 0.5 m/s is an estimate of
        the free convection still present.
    orientation_resolution_deg : float or None
        Tilt and azimuth are rounded to this step before identical
        configurations are merged [degrees]; None merges only exact matches.
        The default 0.1 deg moves a surface's annual energy by at most 0.15 %
        (median 0.01 %) over random tilts 0-60 deg and all azimuths (tested).
    """

    transposition: str = field(default="perez", metadata=accepts(choices=TRANSPOSITION_MODELS))
    iam_model: str = field(default="physical", metadata=accepts(choices=tuple(IAM_MODELS)))
    temperature_model: str = field(default="sapm", metadata=accepts(choices=TEMPERATURE_MODELS))
    gamma_pdc: float = field(default=-0.0035, metadata=accepts(-0.01, 0, unit="1/C"))
    dc_ac_ratio: float = field(default=1.2, metadata=accepts(0.5, 2.5, unit="-"))
    eta_inv_nom: float = field(default=0.96, metadata=accepts(0.5, 1, unit="-", fraction=True))
    losses: Mapping[str, float] = field(default_factory=lambda: DEFAULT_LOSSES, metadata=accepts(0, 100, unit="%"))
    albedo: float = field(default=0.2, metadata=accepts(0, 1, unit="-"))
    row_shading: bool = True
    wind_floor: float = field(default=0.5, metadata=accepts(0, 5, unit="m/s"))
    orientation_resolution_deg: float | None = field(default=0.1, metadata=accepts(0, 5, unit="degrees"))

    def __post_init__(self):
        _choose(self.transposition, TRANSPOSITION_MODELS, "transposition model")
        _choose(self.iam_model, tuple(IAM_MODELS), "IAM model")
        _choose(self.temperature_model, TEMPERATURE_MODELS, "temperature model")
        unknown = set(self.losses) - set(DEFAULT_LOSSES)
        if unknown:
            raise ConfigError(f"unknown loss component(s) {sorted(unknown)}; valid: {', '.join(DEFAULT_LOSSES)}")
        bad = {k: v for k, v in self.losses.items() if not 0 <= float(v) <= 100}
        if bad:
            raise ConfigError(f"loss components are percentages in [0, 100]; got {bad}")

    def loss_fraction(self, mounting: str) -> float:
        """Total PVWatts loss [-] for a mounting (no generic shading for modelled rows)."""
        comps = dict(self.losses)
        if mounting == "rows" and self.row_shading:
            comps["shading"] = 0.0
        return float(pvlib.pvsystem.pvwatts_losses(**comps)) / 100.0


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
    ghi: np.ndarray
    dni: np.ndarray
    dhi: np.ndarray
    temp_air: np.ndarray
    wind_speed: np.ndarray
    albedo: np.ndarray
    month: np.ndarray


def solar_geometry(weather: WeatherYear, params: SystemParams) -> SolarGeometry:
    """Solar position, air mass and extraterrestrial irradiance at the weather's solar times."""
    times = weather.solar_times
    data = weather.data
    loc = pvlib.location.Location(weather.latitude, weather.longitude, altitude=weather.elevation)
    sp = loc.get_solarposition(times, temperature=data["temp_air"].to_numpy())
    am = pvlib.atmosphere.get_relative_airmass(sp["apparent_zenith"]).to_numpy()
    dni_extra = pvlib.irradiance.get_extra_radiation(times).to_numpy()
    ghi, dni, dhi = (data[c].to_numpy(float) for c in ("ghi", "dni", "dhi"))
    # hours where anything can be produced; the rest give exactly 0 AC (pvwatts inverter floors at 0)
    day = (ghi > 0) | (dni > 0) | (dhi > 0)
    albedo = data["albedo"].to_numpy(float) if "albedo" in data else np.full(len(data), params.albedo)
    albedo = np.where(np.isfinite(albedo), albedo, params.albedo)
    sel = lambda a: np.asarray(a)[day]  # noqa: E731
    return SolarGeometry(times, day, sel(sp["zenith"]), sel(sp["apparent_zenith"]), sel(sp["azimuth"]),
                         sel(dni_extra), sel(am), sel(ghi), sel(dni), sel(dhi), sel(data["temp_air"]),
                         sel(np.maximum(data["wind_speed"].to_numpy(float), params.wind_floor)), sel(albedo),
                         np.asarray(data.index.month))


def _cell_temperature(poa_global, geom: SolarGeometry, mounting: str, params: SystemParams):
    t, w = geom.temp_air[:, None], geom.wind_speed[:, None]
    if params.temperature_model == "sapm":
        p = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][SAPM_BY_MOUNTING[mounting]]
        return pvlib.temperature.sapm_cell(poa_global, t, w, p["a"], p["b"], p["deltaT"])
    u0, u1 = FAIMAN_BY_MOUNTING[mounting]
    return pvlib.temperature.faiman(poa_global, t, w, u0, u1)


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
    tilt = np.asarray(surface_tilt, float)[None, :]
    az = np.asarray(surface_azimuth, float)[None, :]
    col = lambda a: a[:, None]  # noqa: E731
    zen, saz = col(geom.apparent_zenith), col(geom.azimuth)
    # the steps of irradiance.get_total_irradiance, with the angle of incidence computed once
    aoi = pvlib.irradiance.aoi(tilt, az, zen, saz)
    if params.transposition == "perez":
        sky = pvlib.irradiance.perez(tilt, az, col(geom.dhi), col(geom.dni), col(geom.dni_extra), zen, saz,
                                     col(geom.airmass))
    else:
        sky = pvlib.irradiance.haydavies(tilt, az, col(geom.dhi), col(geom.dni), col(geom.dni_extra), zen, saz)
    ground = pvlib.irradiance.get_ground_diffuse(tilt, col(geom.ghi), albedo=col(geom.albedo))
    irr = pvlib.irradiance.poa_components(aoi, col(geom.dni), sky, ground)
    poa_reference = irr["poa_global"]  # unshaded plane-of-array irradiance, the PR reference
    poa_direct, poa_sky, poa_ground = irr["poa_direct"], irr["poa_sky_diffuse"], irr["poa_ground_diffuse"]
    if mounting == "rows" and params.row_shading:
        g = np.asarray(gcr, float)[None, :]
        fs = pvlib.shading.shaded_fraction1d(zen, saz, az - 90.0, tilt, collector_width=1.0, pitch=1.0 / g)
        poa_direct = poa_direct * (1.0 - fs)
        masking = pvlib.shading.masking_angle_passias(tilt, g)
        poa_sky = poa_sky * (1.0 - pvlib.shading.sky_diffuse_passias(masking))
    iam = IAM_MODELS[params.iam_model](aoi)
    poa_diffuse = poa_sky + poa_ground
    poa_global = poa_direct + poa_diffuse
    effective = poa_direct * iam + poa_diffuse
    temp_cell = _cell_temperature(poa_global, geom, mounting, params)
    dc = pvlib.pvsystem.pvwatts_dc(effective, temp_cell, 1.0, params.gamma_pdc)
    dc = dc * (1.0 - params.loss_fraction(mounting))
    pdc0_inv = 1.0 / params.dc_ac_ratio / params.eta_inv_nom
    ac = pvlib.inverter.pvwatts(dc, pdc0_inv, params.eta_inv_nom)
    # Perez is undefined where DHI = 0 with the sun up (some CSWD hours); like ModelChain,
    # which fills NaN AC and DC with 0, such hours produce nothing
    ac = np.where(np.isnan(ac), 0.0, ac)
    dc = np.where(np.isnan(dc), 0.0, dc)
    poa_reference = np.where(np.isnan(poa_reference), 0.0, poa_reference)
    poa_global = np.where(np.isnan(poa_global), 0.0, poa_global)
    return {"ac": ac, "poa_global": poa_global, "poa_reference": poa_reference, "dc": dc}


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


def unique_configs(surfaces: pd.DataFrame, resolution: float | None) -> tuple[pd.DataFrame, np.ndarray]:
    """Group surfaces by (tilt, azimuth, mounting, gcr); return configs and each surface's config index."""
    tilt = surfaces["surface_tilt"].to_numpy(float)
    az = np.mod(surfaces["surface_azimuth"].to_numpy(float), 360.0)
    if resolution:
        tilt = np.round(tilt / resolution) * resolution
        az = np.mod(np.round(az / resolution) * resolution, 360.0)
    mounting = surfaces["mounting"].astype(str).to_numpy()
    gcr = np.where(mounting == "rows", np.round(surfaces["gcr"].to_numpy(float), 3), 1.0)
    keys = pd.DataFrame({"surface_tilt": tilt, "surface_azimuth": az, "mounting": mounting, "gcr": gcr})
    codes, uniq = pd.MultiIndex.from_frame(keys).factorize()
    configs = uniq.to_frame(index=False)
    configs.columns = list(keys.columns)
    return configs, np.asarray(codes)


def simulate(surfaces: pd.DataFrame, weather: WeatherYear, params: SystemParams | None = None, *,
             chunk_size: int = 256, hourly: bool = False, threads: int | None = None,
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
        ``chunk_size`` x daytime hours x 8 bytes x 25 temporaries (about 200 MB
        for 256).
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
    missing = [c for c in ("surface_tilt", "surface_azimuth", "mounting", "gcr", "capacity_kwp")
               if c not in surfaces.columns]
    if missing:
        raise InputError(f"surfaces lack column(s) {', '.join(missing)}")
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
    configs = configs.assign(annual_ac_kwh_per_kwp=annual, poa_kwh_m2=poa)
    cap = surfaces["capacity_kwp"].to_numpy(float)
    res = pd.DataFrame(index=surfaces.index)
    res["capacity_kwp"] = cap
    res["annual_ac_kwh"] = cap * annual[codes]
    res["specific_yield_kwh_per_kwp"] = annual[codes]
    res["poa_kwh_m2"] = poa[codes]
    with np.errstate(invalid="ignore", divide="ignore"):
        res["performance_ratio"] = np.where(poa[codes] > 0, annual[codes] / poa[codes], np.nan)
    for m, c in enumerate(MONTH_COLUMNS):
        res[c] = cap * monthly[codes, m]
    res["config_id"] = codes
    hourly_df = None
    if hourly:
        hourly_df = pd.DataFrame(hourly_arr, index=weather.data.index, columns=pd.RangeIndex(n_cfg, name="config_id"))
    return YieldResult(res, configs, hourly_df, weather.source, weather.shift_applied_h)
