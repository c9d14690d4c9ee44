"""Quality control of a weather year: timing, closure, night radiation, gaps.

Typical-year files from the China Standard Weather Data (CSWD) carry radiation
about 0.5 h later than the EPW convention implies, a few (Houma, Ankang)
0.85-1.5 h later. Evaluating the sun at the wrong time misplaces the beam on
tilted planes by several percent. The timing offset is estimated as the
GHI-weighted mean time of day minus the solar noon of each day; a correct file
gives about 0 (pvlib's Greensboro TMY3: -0.00 h).

References
----------
.. [1] shared/weather/SOURCES.md, "Data-quality caveats" (the offsets, closure
   and sun-below-horizon counts of the CSWD files).
.. [2] Spencer, J. W. (1971). Fourier series representation of the position of
   the sun. Search 2(5), 172 (equation of time, pvlib
   ``equation_of_time_spencer71``).
.. [3] Long, C. N., Shi, Y. (2008). An automated quality assessment and control
   algorithm for surface radiation measurements. The Open Atmospheric Science
   Journal 2, 23-37 (closure and physical-limit tests).
.. [4] Ineichen, P., Perez, R. (2002). A new airmass independent formulation
   for the Linke turbidity coefficient. Solar Energy 73(3), 151-157 (clear-sky
   model; pvlib ``clearsky.ineichen`` and ``lookup_linke_turbidity``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from types import MappingProxyType

import numpy as np
import pandas as pd
import pvlib

from solarplan.core.errors import ConfigError
from solarplan.weather.core import WeatherYear

#: Offset [h] from which ``--weather-shift auto`` corrects the timing (issue 3).
SHIFT_THRESHOLD_H = 0.25
#: Closure deviation from 1 past which a file is read by one of :data:`CLOSURE_READINGS`
#: (estimate: a typical-year file whose beam and diffuse miss GHI by > 2 % over the
#: year is inconsistent, not noisy; Long & Shi [3] allow 8 % per single record).
CLOSURE_TOLERANCE = 0.02
#: How a file that fails closure is read (``[weather] closure``):
#:
#: * ``auto`` (default): the conservative reading -- ``components`` where the beam and diffuse
#:   fall short of GHI (every failing CSWD file), ``ghi`` where they exceed it;
#: * ``components``: trust the file's DNI and DHI (DNI bounded by clear-sky DNI), GHI recomputed
#:   from them (:func:`closure_from_components`; what PVWatts and SAM read);
#: * ``ghi``: trust GHI and DHI, rebuild DNI from them, bounded (:func:`closure_from_ghi`);
#: * ``none``: read the file as it is.
CLOSURE_READINGS = ("auto", "components", "ghi", "none")


@dataclass(frozen=True)
class QCReport:
    """Quality indicators of a weather year.

    Attributes
    ----------
    timing_offset_h : float
        GHI-weighted mean time minus solar noon, with values placed where the
        file says they belong (``WeatherYear.value_time_h``; the interval
        centre for interval means) [h]; positive = radiation recorded late.
    closure : float
        sum(DNI cos z + DHI) / sum(GHI) for GHI > 50 W/m2 and z < 80 deg [-].
    sun_down_hours : int
        Hours with GHI > 0 while the apparent zenith exceeds 90 deg (sun below
        the horizon, refraction included).
    closure_corrected, sun_down_hours_corrected : float, int
        The same, with the sun evaluated after the timing shift.
    missing_values : int
        NaN values in the required columns.
    impossible_values : int
        Values outside physical limits (negative irradiance, GHI > 1500 W/m2,
        DHI > GHI + 50 W/m2, temp_air outside -60..60 C, wind outside 0..75 m/s).
    n_hours : int
    annual_ghi_kwh_m2 : float
    """

    timing_offset_h: float
    closure: float
    sun_down_hours: int
    closure_corrected: float
    sun_down_hours_corrected: int
    missing_values: int
    impossible_values: int
    n_hours: int
    annual_ghi_kwh_m2: float

    def as_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        """Human-readable report lines."""
        late = "late" if self.timing_offset_h > 0 else "early"
        return [
            f"hours: {self.n_hours}; annual GHI {self.annual_ghi_kwh_m2:.1f} kWh/m2",
            f"timing offset: {self.timing_offset_h:+.2f} h (radiation recorded {late}"
            f"{'; correct it' if abs(self.timing_offset_h) >= SHIFT_THRESHOLD_H else '; within tolerance'})",
            f"closure (DNI cos z + DHI)/GHI: {self.closure:.3f} as stamped, {self.closure_corrected:.3f} after shift",
            f"hours with GHI > 0 and sun below horizon: {self.sun_down_hours} as stamped, "
            f"{self.sun_down_hours_corrected} after shift",
            f"missing values: {self.missing_values}; impossible values: {self.impossible_values}",
        ]


def solar_position(weather: WeatherYear, offset_h: float | None = None) -> pd.DataFrame:
    """pvlib solar position at ``index + offset_h`` (default: the year's own offset)."""
    offset = weather.solar_offset_h if offset_h is None else offset_h
    times = weather.data.index + pd.to_timedelta(np.asarray(offset, float) * 3600.0, unit="s")
    sp = pvlib.solarposition.get_solarposition(times, weather.latitude, weather.longitude,
                                               altitude=weather.elevation, temperature=12.0)
    sp.index = weather.data.index
    return sp


def timing_offset_h(ghi: pd.Series, longitude: float, value_time_h: float = 0.5) -> float:
    """GHI-weighted mean time of day minus solar noon [h] [2]_.

    Each value is placed ``value_time_h`` after its interval start (0.5: the
    centre, for interval means).
    """
    idx = ghi.index
    tz_h = idx[0].utcoffset().total_seconds() / 3600.0
    t = idx.hour + idx.minute / 60.0 + value_time_h
    eot_min = pvlib.solarposition.equation_of_time_spencer71(idx.day_of_year)
    noon = 12.0 - (longitude - 15.0 * tz_h) / 15.0 - np.asarray(eot_min) / 60.0
    g = np.clip(ghi.to_numpy(float), 0, None)
    g = np.where(np.isfinite(g), g, 0.0)
    return float(np.sum(g * (t - noon)) / np.sum(g)) if g.sum() > 0 else float("nan")


def eot_hours(index: pd.DatetimeIndex) -> np.ndarray:
    """Equation of time [h] for each timestamp (Spencer 1971 [2]_)."""
    return np.asarray(pvlib.solarposition.equation_of_time_spencer71(index.day_of_year)) / 60.0


def monthly_offsets_h(ghi: pd.Series, longitude: float, value_time_h: float = 0.5) -> np.ndarray:
    """Timing offset of each month [h] (NaN for a month without sun)."""
    return np.array([timing_offset_h(ghi[ghi.index.month == m], longitude, value_time_h) for m in range(1, 13)])


def fit_timing(ghi: pd.Series, longitude: float, value_time_h: float = 0.5) -> tuple[str, float]:
    """Which timing error fits the file: a constant offset, or one that follows the equation of time.

    CSWD hours appear to have been placed in local mean solar time: their
    monthly offsets run ~0.25 h in February and ~0.8 h in November, i.e. a
    constant plus the equation of time (-14 min mid-February, +16 min early
    November). When the months' offsets minus the equation of time scatter
    less than half as much as the offsets themselves (and the offsets do vary,
    by > 0.08 h), the equation-of-time model is chosen.

    Returns
    -------
    (model, constant)
        ``("constant", offset)`` or ``("eot", a)`` where the shift of each hour
        is ``a + EoT`` [h].
    """
    monthly = monthly_offsets_h(ghi, longitude, value_time_h)
    weights = ghi.groupby(ghi.index.month).sum().reindex(range(1, 13)).to_numpy(float)
    mid = pd.DatetimeIndex([pd.Timestamp(ghi.index[0].year, m, 15) for m in range(1, 13)])
    eot = eot_hours(mid)
    ok = np.isfinite(monthly) & (weights > 0)
    if ok.sum() < 6:
        return "constant", timing_offset_h(ghi, longitude, value_time_h)
    w = weights[ok] / weights[ok].sum()
    spread = np.sqrt(np.sum(w * (monthly[ok] - np.sum(w * monthly[ok])) ** 2))
    resid = monthly[ok] - eot[ok]
    a = float(np.sum(w * resid))
    spread_eot = np.sqrt(np.sum(w * (resid - a) ** 2))
    if spread > 0.08 and spread_eot < 0.5 * spread:
        return "eot", a
    return "constant", timing_offset_h(ghi, longitude, value_time_h)


def _closure_and_night(data: pd.DataFrame, zenith: np.ndarray) -> tuple[float, int]:
    ghi, dni, dhi = (data[c].to_numpy(float) for c in ("ghi", "dni", "dhi"))
    ok = (ghi > 50) & (zenith < 80)
    cosz = np.cos(np.radians(zenith))
    closure = float(np.nansum(dni[ok] * cosz[ok] + dhi[ok]) / np.nansum(ghi[ok])) if ok.any() else float("nan")
    night = int(np.sum((ghi > 0) & (zenith > 90)))
    return closure, night


def quality_check(weather: WeatherYear, shift_h: float | None = None) -> QCReport:
    """Compute the QC indicators of a weather year.

    Parameters
    ----------
    weather : WeatherYear
    shift_h : float, optional
        Shift for the "corrected" indicators; default the estimated offset.
    """
    data = weather.data
    at = weather.value_time_h
    offset = timing_offset_h(data["ghi"], weather.longitude, at)
    shift = offset if shift_h is None else shift_h
    z_nominal = solar_position(weather, at)["apparent_zenith"].to_numpy()
    z_shift = solar_position(weather, at - shift)["apparent_zenith"].to_numpy()
    closure, night = _closure_and_night(data, z_nominal)
    closure_c, night_c = _closure_and_night(data, z_shift)
    req = data[["ghi", "dni", "dhi", "temp_air", "wind_speed"]]
    bad = ((data[["ghi", "dni", "dhi"]] < 0).sum().sum() + (data["ghi"] > 1500).sum()
           + (data["dhi"] > data["ghi"] + 50).sum() + ((data["temp_air"] < -60) | (data["temp_air"] > 60)).sum()
           + ((data["wind_speed"] < 0) | (data["wind_speed"] > 75)).sum())
    return QCReport(offset, closure, night, closure_c, night_c, int(req.isna().sum().sum()), int(bad),
                    len(data), float(data["ghi"].sum() / 1e3))


def clear_sky(weather: WeatherYear, solar_position: pd.DataFrame | None = None) -> pd.DataFrame:
    """Clear-sky GHI, DNI, DHI [W/m2] at the year's solar times: Ineichen-Perez [4]_ with the Linke
    turbidity climatology that ships with pvlib (``Location.get_clearsky``, ``model='ineichen'``).

    ``solar_position`` (pvlib columns, at the year's solar times) is computed when not given.
    """
    times = weather.solar_times
    loc = pvlib.location.Location(weather.latitude, weather.longitude, altitude=weather.elevation)
    sp = solar_position if solar_position is not None else loc.get_solarposition(times)
    sp = sp.set_axis(times) if not sp.index.equals(times) else sp
    cs = loc.get_clearsky(times, model="ineichen", solar_position=sp)
    cs.index = weather.data.index
    return cs


def _beam_bound(weather: WeatherYear, z: np.ndarray) -> np.ndarray:
    """min(clear-sky DNI, extraterrestrial DNI) [W/m2] at apparent zenith ``z`` (year's solar times)."""
    sp = solar_position(weather).assign(apparent_zenith=z)
    dni_clear = clear_sky(weather, sp.set_axis(weather.solar_times))["dni"].to_numpy(float)
    dni_extra = pvlib.irradiance.get_extra_radiation(weather.solar_times).to_numpy(float)
    return np.minimum(np.nan_to_num(dni_clear), dni_extra)


def closure_from_components(weather: WeatherYear, zenith: np.ndarray | None = None) -> WeatherYear:
    """Trust the file's beam and diffuse: DNI bounded by the clear-sky beam, GHI recomputed.

    Where the apparent zenith is below 87 deg::

        DNI = min(DNI_file, DNI_clear, DNI_extra)
        GHI = DNI cos z + DHI

    DNI = 0 and GHI = DHI where the zenith is 87 deg or more; DHI is kept.
    These are the components the plane-of-array models use (Perez reads DNI
    and DHI; only the ground-reflected term reads GHI), and the reading
    PVWatts and SAM make of a file. For a file whose DNI cos z + DHI falls
    short of its GHI it is the conservative reading: it adds no energy the
    file's components do not carry. ``meta`` records ``closure_reading``
    (``'components'``), ``closure_bounded_hours`` (hours where the file's
    DNI exceeded the bound) and ``closure_ghi_removed_kwh_m2`` (GHI lost by
    recomputing it from the components; negative if GHI rose).
    """
    z = solar_position(weather)["apparent_zenith"].to_numpy() if zenith is None else np.asarray(zenith)
    ghi, dni_file, dhi = (weather.data[c].to_numpy(float) for c in ("ghi", "dni", "dhi"))
    cosz = np.cos(np.radians(z))
    up = z < 87.0
    bound = _beam_bound(weather, z)
    dni_file = np.clip(np.nan_to_num(dni_file), 0, None)
    dni = np.where(up, np.minimum(dni_file, bound), 0.0)
    hit = up & (dni_file > bound)
    new_ghi = np.where(up, dni * cosz, 0.0) + np.clip(np.nan_to_num(dhi), 0, None)
    data = weather.data.copy()
    data["dni"] = dni
    data["ghi"] = new_ghi
    meta = dict(weather.meta)
    meta.update(closure_fixed=True, closure_reading="components", closure_bounded_hours=int(hit.sum()),
                closure_ghi_removed_kwh_m2=float(np.nansum(ghi - new_ghi) / 1e3))
    return replace(weather, data=data, meta=MappingProxyType(meta))


def closure_from_ghi(weather: WeatherYear, zenith: np.ndarray | None = None) -> WeatherYear:
    """Trust GHI and DHI: rebuild DNI from them, bounded by the clear-sky beam.

    Where the apparent zenith is below 87 deg::

        DNI = min((GHI - DHI) / cos z, DNI_clear, DNI_extra)
        GHI = DNI cos z + DHI     (only in hours where the bound acts)

    DHI is kept; DNI = 0 where the zenith is 87 deg or more. DNI_clear is the
    Ineichen-Perez clear-sky beam [4]_ with pvlib's Linke turbidity
    climatology (:func:`clear_sky`), DNI_extra the extraterrestrial beam.

    Where GHI - DHI asks for a beam stronger than the clear sky can give, the
    three components cannot be reconciled: the beam is set to its physical
    limit and GHI lowered to the sum of the components, so no hour has DNI
    above the clear-sky DNI, closure holds in every hour, and no energy is
    created that neither the file's beam nor its diffuse can carry. (The
    alternative, keeping GHI and moving the excess into DHI, gives a bright
    diffuse sky under a clear-sky beam and raised annual POA by up to 4 % more
    on Wuhan, where 479 hours have GHI more than 10 % above clear sky.)
    ``zenith`` (apparent, at the year's solar times) is computed when not
    given. ``meta`` records ``closure_reading`` (``'ghi'``),
    ``closure_bounded_hours`` and ``closure_ghi_removed_kwh_m2``.

    On a file whose components fall short of GHI this reading adds light the
    file's beam and diffuse do not carry (8-12 % of annual POA on the CSWD
    files of Ankang and Houma) and cannot be verified without the station's
    measured components; it is an explicit choice (``closure = "ghi"``).
    """
    z = solar_position(weather)["apparent_zenith"].to_numpy() if zenith is None else np.asarray(zenith)
    ghi, dhi = weather.data["ghi"].to_numpy(float), weather.data["dhi"].to_numpy(float)
    cosz = np.cos(np.radians(z))
    up = z < 87.0
    bound = _beam_bound(weather, z)
    raw = np.clip(ghi - dhi, 0, None) / np.maximum(cosz, 1e-3)
    dni = np.where(up, np.minimum(raw, bound), 0.0)
    hit = up & (raw > bound)
    new_ghi = np.where(hit, dni * cosz + np.clip(dhi, 0, None), ghi)
    data = weather.data.copy()
    data["dni"] = dni
    data["ghi"] = new_ghi
    meta = dict(weather.meta)
    meta.update(closure_fixed=True, closure_reading="ghi", closure_bounded_hours=int(hit.sum()),
                closure_ghi_removed_kwh_m2=float(np.nansum(ghi - new_ghi) / 1e3))
    return replace(weather, data=data, meta=MappingProxyType(meta))


#: The GHI-trusting reading under its former name.
enforce_closure = closure_from_ghi
#: Closure readings by name (``auto`` chooses between them in :func:`resolve_shift`).
CLOSURE_MODELS = MappingProxyType({"components": closure_from_components, "ghi": closure_from_ghi})


def closure_reading(closure: str, closure_ratio: float) -> str | None:
    """Which reading ``closure`` gives a file whose (DNI cos z + DHI)/GHI is ``closure_ratio``.

    Returns ``'components'``, ``'ghi'`` or None (file read as it is: closure within
    :data:`CLOSURE_TOLERANCE`, not finite, or ``closure='none'``).
    """
    if closure not in CLOSURE_READINGS:
        raise ConfigError(f"closure {closure!r}: use {', '.join(CLOSURE_READINGS)}")
    if closure == "none" or not np.isfinite(closure_ratio) or abs(closure_ratio - 1) <= CLOSURE_TOLERANCE:
        return None
    if closure == "auto":  # the conservative reading: the smaller of the two
        return "components" if closure_ratio < 1 else "ghi"
    return closure


def correction_effects(weather: WeatherYear, corrected: WeatherYear, surface_tilt: float = 25.0,
                       surface_azimuth: float = 180.0) -> dict:
    """Annual plane-of-array irradiation [kWh/m2] of a south plane as read, after the timing
    correction, under each closure reading, and as used (Perez, albedo 0.2), so a user can judge
    each correction.

    Parameters
    ----------
    weather : WeatherYear
        As read (no correction).
    corrected : WeatherYear
        The result of :func:`resolve_shift`.

    Returns
    -------
    dict
        ``poa_as_read_kwh_m2``, ``poa_timing_kwh_m2`` (timing corrected, components as in the
        file), ``poa_closure_components_kwh_m2`` and ``poa_closure_ghi_kwh_m2`` (timing corrected,
        then each reading of :data:`CLOSURE_MODELS`), ``poa_used_kwh_m2`` (``corrected``),
        ``closure_used`` (the reading applied, or None).
    """
    def poa(w):
        sp = solar_position(w)
        d = w.data
        z = sp["apparent_zenith"].to_numpy()
        irr = pvlib.irradiance.get_total_irradiance(
            surface_tilt, surface_azimuth, z, sp["azimuth"].to_numpy(), d["dni"].to_numpy(float),
            d["ghi"].to_numpy(float), d["dhi"].to_numpy(float),
            dni_extra=pvlib.irradiance.get_extra_radiation(w.solar_times).to_numpy(),
            airmass=pvlib.atmosphere.get_relative_airmass(z), albedo=0.2, model="perez")
        return float(np.nansum(irr["poa_global"]) / 1e3)

    timed = replace(weather, solar_offset_h=corrected.solar_offset_h, shift_applied_h=corrected.shift_applied_h)
    z = solar_position(timed)["apparent_zenith"].to_numpy()
    out = {"poa_as_read_kwh_m2": poa(weather.with_shift(0.0)), "poa_timing_kwh_m2": poa(timed)}
    for name, model in CLOSURE_MODELS.items():
        out[f"poa_closure_{name}_kwh_m2"] = poa(model(timed, z))
    out["poa_used_kwh_m2"] = poa(corrected)
    out["closure_used"] = corrected.meta.get("closure_reading") if corrected.meta.get("closure_fixed") else None
    return out


def effect_lines(effects: dict, closure_ratio: float) -> list[str]:
    """Text of :func:`correction_effects` for ``solarplan weather info``."""
    a, t = effects["poa_as_read_kwh_m2"], effects["poa_timing_kwh_m2"]
    used = effects["closure_used"]
    lines = [f"annual POA of a 25 deg south plane: as read {a:.0f} kWh/m2; timing correction {t - a:+.0f} "
             f"kWh/m2 ({t / a - 1:+.1%})"]
    fails = np.isfinite(closure_ratio) and abs(closure_ratio - 1) > CLOSURE_TOLERANCE
    for name, what in (("components", "beam and diffuse trusted, GHI recomputed"),
                       ("ghi", "GHI trusted, DNI rebuilt from GHI - DHI")):
        c = effects[f"poa_closure_{name}_kwh_m2"]
        mark = " <- used" if used == name else ""
        lines.append(f"  closure = \"{name}\" ({what}): {c:.0f} kWh/m2 ({c / t - 1:+.1%} on the timing-corrected "
                     f"file){mark}")
    if not fails:
        lines.append(f"  closure {closure_ratio:.3f} is within {CLOSURE_TOLERANCE:.0%}: the file is read as it is")
    elif used is None:
        lines.append("  closure = \"none\": the file is read as it is")
    lines.append(f"  used: {effects['poa_used_kwh_m2']:.0f} kWh/m2")
    return lines


def resolve_shift(weather: WeatherYear, mode: str | float = "auto",
                  closure: str = "auto") -> tuple[WeatherYear, QCReport, list[str]]:
    """Apply the timing policy ``--weather-shift auto|none|HOURS``.

    Parameters
    ----------
    weather : WeatherYear
    mode : 'auto', 'none' or hours
        Timing: correct offsets of :data:`SHIFT_THRESHOLD_H` or more, never,
        or by a given number of hours.
    closure : {'auto', 'components', 'ghi', 'none'}
        How to read a file whose closure after the timing shift is off by
        more than :data:`CLOSURE_TOLERANCE` (:data:`CLOSURE_READINGS`,
        :func:`closure_reading`). Default ``auto``: trust the beam and
        diffuse where they fall short of GHI (conservative).

    Returns
    -------
    (WeatherYear, QCReport, warnings)
        The year with ``solar_offset_h`` set (and DNI rebuilt if needed), its
        QC report, and warnings to show for what was corrected.
    """
    if closure not in CLOSURE_READINGS:
        raise ConfigError(f"closure {closure!r}: use {', '.join(CLOSURE_READINGS)}")
    if isinstance(mode, str) and mode not in ("auto", "none"):
        try:
            mode = float(mode)
        except ValueError:
            raise ConfigError(f"weather shift {mode!r}: use auto, none or a number of hours") from None
    report = quality_check(weather)
    warnings = []
    shift = 0.0
    if mode == "auto":
        model, const = fit_timing(weather.data["ghi"], weather.longitude, weather.value_time_h)
        if model == "eot":
            shift = round(const, 2) + eot_hours(weather.data.index)
            warnings.append(f"{weather.source}: radiation follows local mean solar time: {const:+.2f} h late plus "
                            "the equation of time (-0.24 h in February to +0.27 h in November); solar geometry "
                            "shifted hour by hour")
        elif np.isfinite(report.timing_offset_h) and abs(report.timing_offset_h) >= SHIFT_THRESHOLD_H:
            shift = round(report.timing_offset_h, 2)
    elif mode != "none":
        shift = float(mode)
    if np.ndim(shift) == 0 and shift:
        warnings.append(f"{weather.source}: radiation is {shift:+.2f} h off the file's time stamps "
                        f"(GHI centroid vs solar noon); solar geometry shifted by {shift:+.2f} h")
    out = weather.with_shift(shift)
    if closure != "none":
        zenith = solar_position(out)["apparent_zenith"].to_numpy()
        c = _closure_and_night(weather.data, zenith)[0]
        reading = closure_reading(closure, c)
        if reading == "components":
            out = closure_from_components(out, zenith)
            warnings.append(f"{weather.source}: (DNI cos z + DHI)/GHI = {c:.3f} after the timing shift; the file's "
                            f"beam and diffuse are used (DNI bounded by clear-sky DNI in "
                            f"{out.meta['closure_bounded_hours']} h) and GHI recomputed from them, "
                            f"{out.meta['closure_ghi_removed_kwh_m2']:.0f} kWh/m2 lower "
                            "(closure = \"ghi\" would trust GHI instead)")
        elif reading == "ghi":
            out = closure_from_ghi(out, zenith)
            warnings.append(f"{weather.source}: (DNI cos z + DHI)/GHI = {c:.3f} after the timing shift; DNI "
                            f"rebuilt from GHI and DHI (bounded by clear-sky DNI in "
                            f"{out.meta['closure_bounded_hours']} h)")
    return out, report, warnings
