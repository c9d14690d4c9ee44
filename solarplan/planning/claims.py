"""Check a headline PV claim against physics: implied figures, simulated range, verdict.

Pure: takes the claim, the simulated specific yields of each surface type at
the place (see :func:`reference_yields`) and the roof-type mix, and returns a
:class:`ClaimCheck`.

The claim is compared with the **same roof-type mix** it describes: one type
(``surface_type``), a stated mix (``mix``: shares of the claimed capacity, or
of the claimed area), or, when it states none, :data:`DEFAULT_CLAIM_MIX`
(flat roofs with tilted rows); the verdict says which. The mix's P50 is the
share-weighted P50 of its types; its P90 and P10 follow from the same
uncertainty (one weather year: the types' errors move together).

Verdict rules (documented thresholds, engineering judgement):

* **energy from a capacity** (``capacity`` + ``claim``): the implied kWh/kWp
  is placed on the mix's yield distribution (normal, P50 and sigma of
  :mod:`solarplan.pv.uncertainty`); ``p`` is the probability that a year
  exceeds it. *conservative* if below the mix's P90 (p > 0.9); *consistent*
  for p >= :data:`HIGH_EXCEEDANCE` (0.25: at most the upper quartile);
  *high but possible* for :data:`POSSIBLE_EXCEEDANCE` (0.01) <= p < 0.25,
  i.e. at the P10 edge of the mix (from the upper quartile to one year in a
  hundred), with its reasons (how often a year reaches it, the station's
  distance and elevation and the uncertainty they add, the losses it would
  need); *optimistic* beyond that up to 1.3 x the mix's P50; *implausible*
  beyond.
* **energy from an area** (``area`` + ``claim``): the claim is *consistent* if
  the mix reaches it within the usual usable share (50-70 %) and density
  range of its types at P50; *optimistic* if it needs more than that but a
  flush array at the highest flush density (200 W/m2) could still reach it on
  the whole area; *implausible* if even that cannot.
* **carbon or coal** (``co2``/``tce`` with an energy): the implied factor
  is compared with every factor of :mod:`solarplan.core.factors`; within +-15 % of
  one it is consistent; a whole power of ten off it (within a factor 1.26) it is
  flagged as a likely dropped (or extra) digit; otherwise as inconsistent.

Orientation, mounting, row spacing and power density of each type are those of
:data:`solarplan.core.defaults.SURFACE_DEFAULTS`, or of a plan.toml's
``[surfaces.<type>]`` when a config is given, so the check sees the same
arrays as the planning run.

References
----------
.. [1] shared/context/DOMAIN.md, typical planning figures (usable share 50-70 %;
   densities: rows 100-130, flush 150-200, carports 150-180 W/m2); see
   :mod:`solarplan.core.defaults`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Mapping

import numpy as np
import pandas as pd
import pvlib
from scipy.stats import norm

from solarplan.core.defaults import (DEFAULT_CLAIM_MIX, POWER_DENSITY_RANGE_W_M2, SURFACE_DEFAULTS, SURFACE_TYPES,
                                     USABLE_SHARE_RANGE, SurfaceDefaults)
from solarplan.core.errors import InputError
from solarplan.core.factors import GRID_CO2, grid_factor, tce_factor
from solarplan.core.limits import check_plausible
from solarplan.core.quantity import QuantityError, parse_quantity
from solarplan.io.vocab import parse_surface_type
from solarplan.pv.uncertainty import SIGMA_PER_KM, SIGMA_PER_M, Uncertainty, for_weather
from solarplan.pv.yieldsim import SystemParams, simulate
from solarplan.weather import get_weather, resolve_location
from solarplan.weather.options import WeatherOptions
from solarplan.core.geometry import haversine_km

if TYPE_CHECKING:  # the config layer is only named, never imported at run time
    from solarplan.io.config import PlanConfig

#: Usual usable share of a gross area [-] (from :mod:`solarplan.core.defaults`).
USABLE_SHARE = USABLE_SHARE_RANGE
FACTOR_TOLERANCE = 0.15
DIGIT_SLIP_LOG10 = 0.1
OPTIMISTIC_LIMIT = 1.3
#: Exceedance probability below which a capacity claim is "high but possible" (upper quartile; judgement).
HIGH_EXCEEDANCE = 0.25
#: Exceedance probability below which it is "optimistic" (one year in a hundred; judgement).
POSSIBLE_EXCEEDANCE = 0.01
#: Highest flush density [W/m2] of the area ceiling: the top of the flush range of [1]_.
FLUSH_CEILING_W_M2 = max(POWER_DENSITY_RANGE_W_M2["pitched_roof"][1], POWER_DENSITY_RANGE_W_M2["metal_roof"][1])


def reference_arrays(surface_defaults: Mapping[str, SurfaceDefaults] | None = None) -> pd.DataFrame:
    """One 1-kWp reference array per surface type: tilt, mounting and GCR of the defaults, facing south.

    Parameters
    ----------
    surface_defaults : Mapping[str, SurfaceDefaults], optional
        Default :data:`SURFACE_DEFAULTS`; a config's ``surfaces`` to see its overrides.
    """
    d = surface_defaults or SURFACE_DEFAULTS
    rows = {k: {"surface_tilt": float(d[k].surface_tilt),
                "surface_azimuth": float(d[k].surface_azimuth) if d[k].surface_azimuth is not None else 180.0,
                "mounting": d[k].mounting, "gcr": float(d[k].gcr), "capacity_kwp": 1.0} for k in SURFACE_TYPES}
    return pd.DataFrame.from_dict(rows, orient="index")


#: Reference orientation per surface type (of the shipped defaults).
REFERENCE = reference_arrays()


def density_ranges(surface_defaults: Mapping[str, SurfaceDefaults] | None = None) -> dict[str, tuple[float, float]]:
    """Usual power density range [W/m2] of each type, widened to include its configured density."""
    d = surface_defaults or SURFACE_DEFAULTS
    return {k: (min(lo, d[k].power_density_w_m2), max(hi, d[k].power_density_w_m2))
            for k, (lo, hi) in POWER_DENSITY_RANGE_W_M2.items()}


#: Density ranges of the shipped defaults [W/m2].
DENSITY_W_M2 = density_ranges()


def reference_yields(weather, params=None, surface_defaults=None) -> pd.Series:
    """P50 specific yield [kWh/kWp] of each surface type's reference array at a weather year."""
    return simulate(reference_arrays(surface_defaults), weather, params).surfaces["specific_yield_kwh_per_kwp"]


def parse_mix(mix) -> dict[str, float]:
    """A roof-type mix: ``"flat_roof=0.7,carport=0.3"`` (or 平屋顶=70%, or a mapping) -> shares summing to 1.

    Shares are normalised (``flat_roof=7,carport=3`` is 70/30). Raises InputError naming the bad part.
    """
    if isinstance(mix, Mapping):
        items = list(mix.items())
    else:
        items = []
        for part in str(mix).replace("，", ",").replace("；", ",").replace(";", ",").split(","):
            if not part.strip():
                continue
            if "=" not in part and ":" not in part:
                raise InputError(f"--mix {mix!r}: {part.strip()!r} needs a share, e.g. flat_roof=0.7,carport=0.3")
            k, v = part.replace(":", "=").split("=", 1)
            items.append((k.strip(), v.strip()))
    shares: dict[str, float] = {}
    for k, v in items:
        try:
            stype = parse_surface_type(k)
        except ValueError as exc:
            raise InputError(f"--mix: {exc}") from None
        text = str(v).strip()
        try:
            x = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
        except ValueError:
            raise InputError(f"--mix: share {v!r} of {k} is not a number (e.g. 0.7 or 70%)") from None
        if not np.isfinite(x) or x < 0:
            raise InputError(f"--mix: share {v!r} of {k} must be a number >= 0")
        shares[stype] = shares.get(stype, 0.0) + x
    total = sum(shares.values())
    if not shares or total <= 0:
        raise InputError(f"--mix {mix!r}: give at least one positive share, e.g. flat_roof=0.7,carport=0.3")
    return {k: v / total for k, v in shares.items() if v > 0}


@dataclass(frozen=True)
class ClaimCheck:
    """Result of a claim check; :meth:`as_dict` is the stable JSON (documented in docs/claims.md)."""

    inputs: dict
    implied: dict
    simulated: dict
    verdict: str
    reason: str
    required_usable_share: dict = field(default_factory=dict)
    energy_range_kwh: list | None = None
    carbon: dict | None = None
    coal: dict | None = None
    notes: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    mix: dict = field(default_factory=dict)
    station: dict | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def station_term(uncertainty: Uncertainty, distance_km: float, elevation_diff_m: float) -> dict:
    """What the weather station's distance and elevation difference add to the uncertainty.

    Parameters
    ----------
    uncertainty : Uncertainty
        With the station term included.
    distance_km : float
        Site to station [km].
    elevation_diff_m : float
        Site elevation minus station elevation [m] (positive: the station is lower).

    Returns
    -------
    dict
        ``distance_km``, ``elevation_diff_m``, ``sigma_distance``, ``sigma_elevation`` (the two terms
        [-]), ``sigma_without`` and ``sigma`` (the total relative standard deviation without and with
        them [-]).
    """
    s_d, s_z = SIGMA_PER_KM * distance_km, SIGMA_PER_M * abs(elevation_diff_m)
    base = float(np.sqrt(max(uncertainty.dataset ** 2 - s_d ** 2 - s_z ** 2, 0.0)))
    without = Uncertainty(uncertainty.interannual, base, uncertainty.model).sigma
    return {"distance_km": float(distance_km), "elevation_diff_m": float(elevation_diff_m),
            "sigma_distance": float(s_d), "sigma_elevation": float(s_z), "sigma_without": float(without),
            "sigma": float(uncertainty.sigma)}


def _station_text(st: dict) -> str:
    dz = st["elevation_diff_m"]
    where = f"{abs(dz):.0f} m {'lower' if dz > 0 else 'higher'}" if abs(dz) >= 1 else "at the same elevation"
    return (f"the weather station is {st['distance_km']:.0f} km away and {where} than the site, which adds "
            f"{st['sigma_distance']:.1%} (distance) and {st['sigma_elevation']:.1%} (elevation) in quadrature: "
            f"sigma {st['sigma']:.1%} instead of {st['sigma_without']:.1%}")


def _factor_check(implied: float, references: dict[str, float], what: str) -> dict:
    best = min(references.items(), key=lambda kv: abs(implied / kv[1] - 1))
    ratio = implied / best[1]
    out = {"implied_kg_per_kwh": implied, "nearest_factor": best[0], "nearest_value": best[1], "ratio": ratio}
    if abs(ratio - 1) <= FACTOR_TOLERANCE:
        out.update(verdict="consistent", reason=f"implied {implied:.4f} kg/kWh matches {best[0]} ({best[1]:.4f})")
        return out
    # an order of magnitude off (within a factor 10^0.1 = 1.26 of a power of ten): a digit slip
    exponent = int(np.round(np.log10(ratio)))
    if exponent != 0 and abs(np.log10(ratio) - exponent) <= DIGIT_SLIP_LOG10:
        scale = 10.0 ** exponent
        word = "dropped" if exponent < 0 else "extra"
        out.update(verdict="inconsistent",
                   reason=f"implied {implied:.4f} kg/kWh is about {scale:g}x {best[0]} ({best[1]:.4f}): likely a "
                          f"{word} digit or a unit slip in the {what} figure (x{1 / scale:g} would give "
                          f"{implied / scale:.3f})")
        return out
    out.update(verdict="inconsistent", reason=f"implied {implied:.4f} kg/kWh fits no factor in the table "
                                              f"(nearest {best[0]} {best[1]:.4f})")
    return out


def _mix_text(mix: dict) -> str:
    return ", ".join(f"{k} {v:.0%}" for k, v in mix.items()) if len(mix) > 1 else next(iter(mix))


def assess(yields: pd.Series, uncertainty: Uncertainty, *, area_m2: float | None = None,
           capacity_kw: float | None = None, claim_kwh: float | None = None, co2_t: float | None = None,
           tce_t: float | None = None, surface_type: str | None = None, mix: Mapping[str, float] | None = None,
           location: dict | None = None, station: dict | None = None,
           surface_defaults: Mapping[str, SurfaceDefaults] | None = None, loss_fraction: float | None = None
           ) -> ClaimCheck:
    """Assess a claim.

    Parameters
    ----------
    yields : Series
        P50 specific yield [kWh/kWp] by surface type (:func:`reference_yields`).
    uncertainty : Uncertainty
        For P90 and P10.
    area_m2, capacity_kw, claim_kwh, co2_t, tce_t : float, optional
        The claim's figures [m2], [kW], [kWh/yr], [t CO2/yr], [tce/yr].
    surface_type : str, optional
        flat_roof, pitched_roof, metal_roof or carport.
    mix : Mapping[str, float], optional
        Shares of surface types (of the capacity, or of the area), summing to 1. ``surface_type`` is the
        mix of one type; neither: :data:`DEFAULT_CLAIM_MIX`, and the result says so.
    location : dict, optional
        Label, coordinates and weather source, echoed in ``inputs``.
    station : dict, optional
        :func:`station_term` of the weather used; shown in the reasons.
    surface_defaults : Mapping[str, SurfaceDefaults], optional
        Densities per type (default :data:`SURFACE_DEFAULTS`).
    loss_fraction : float, optional
        Total system loss of the simulation [-], to state the losses a high claim would need.
    """
    d = surface_defaults or SURFACE_DEFAULTS
    dens = density_ranges(d)
    if surface_type is not None and surface_type not in dens:
        raise InputError(f"unknown surface_type {surface_type!r}; valid: {', '.join(dens)}")
    if surface_type is not None and mix:
        raise InputError("give a surface type or a mix, not both")
    if claim_kwh is None and capacity_kw is None:
        raise InputError("a claim needs an energy (--claim) or a capacity (--capacity)")
    stated = bool(surface_type or mix)
    shares = {surface_type: 1.0} if surface_type else dict(mix or DEFAULT_CLAIM_MIX)
    unknown = set(shares) - set(dens)
    if unknown:
        raise InputError(f"unknown surface type(s) {sorted(unknown)} in the mix; valid: {', '.join(dens)}")
    p90 = {k: float(uncertainty.exceedance(v, 0.90)) for k, v in yields.items()}
    p10 = {k: float(uncertainty.exceedance(v, 0.10)) for k, v in yields.items()}
    simulated = {k: {"p50_kwh_per_kwp": float(v), "p90_kwh_per_kwp": p90[k], "p10_kwh_per_kwp": p10[k],
                     "density_w_m2": list(dens[k]), "power_density_w_m2": float(d[k].power_density_w_m2)}
                 for k, v in yields.items()}
    p50_mix = float(sum(w * float(yields[k]) for k, w in shares.items()))
    mix_out = {"shares": shares, "stated": stated, "p50_kwh_per_kwp": p50_mix,
               "p90_kwh_per_kwp": float(uncertainty.exceedance(p50_mix, 0.90)),
               "p10_kwh_per_kwp": float(uncertainty.exceedance(p50_mix, 0.10)), "sigma": uncertainty.sigma}
    label = _mix_text(shares)
    implied: dict = {}
    inputs = {"area_m2": area_m2, "capacity_kw": capacity_kw, "claim_kwh": claim_kwh, "co2_t": co2_t,
              "tce_t": tce_t, "surface_type": surface_type, "mix": dict(mix) if mix else None, "location": location}
    if area_m2 and capacity_kw:
        implied["power_density_w_m2"] = capacity_kw * 1e3 / area_m2
    if claim_kwh and capacity_kw:
        implied["specific_yield_kwh_per_kwp"] = claim_kwh / capacity_kw
    if claim_kwh and area_m2:
        implied["yield_kwh_per_m2"] = claim_kwh / area_m2
    verdict, reason, share, erange, notes = "not checked", "", {}, None, []
    if not stated:
        notes.append(f"no surface type or mix given: the claim is compared with {label} (the usual public-building "
                     "roof); give --surface-type or --mix (e.g. flat_roof=0.7,carport=0.3) to compare like with "
                     "like; every type's own range is listed")
    where = "" if station is None else "; " + _station_text(station)
    if claim_kwh and capacity_kw:
        y = implied["specific_yield_kwh_per_kwp"]
        lo, hi = mix_out["p90_kwh_per_kwp"], mix_out["p10_kwh_per_kwp"]
        sigma = uncertainty.sigma
        p = float(norm.sf((y / p50_mix - 1.0) / sigma)) if sigma > 0 else float(y <= p50_mix)
        implied["exceedance_probability"] = p
        rng = f"P90-P10 of {label} here {lo:.0f}-{hi:.0f} kWh/kWp, P50 {p50_mix:.0f}"
        if y < lo:
            verdict, reason = "conservative", f"{y:.0f} kWh/kWp is below the P90 ({rng}){where}"
        elif p >= HIGH_EXCEEDANCE:
            verdict, reason = "consistent", f"{y:.0f} kWh/kWp lies within the range ({rng}){where}"
        elif p >= POSSIBLE_EXCEEDANCE and y <= OPTIMISTIC_LIMIT * p50_mix:
            verdict = "high but possible"
            edge = "just below" if y <= hi else "above"
            parts = [f"{y:.0f} kWh/kWp is {edge} the P10 edge ({rng}): a year reaches it with probability "
                     f"{p:.0%}"]
            more = f"it needs {y / p50_mix - 1:.0%} more than the P50: a sunnier site than the weather year"
            if loss_fraction is not None and 0 < loss_fraction < 1:
                need = 1.0 - y / (p50_mix / (1.0 - loss_fraction))
                more += (f", or total losses of {need:.0%} instead of the {loss_fraction:.0%} simulated" if need > 0
                         else f" (even with no losses instead of the {loss_fraction:.0%} simulated the P50 would be "
                              f"{p50_mix / (1.0 - loss_fraction):.0f})")
            parts.append(more)
            if station is not None:
                parts.append(_station_text(station) + (" (a higher site usually sees more sun)"
                                                       if station["elevation_diff_m"] > 200 else ""))
            parts.append("a better tilt or azimuth than the reference arrays, or a DC or first-year figure, "
                         "would also explain it")
            reason = "; ".join(parts)
        elif y <= OPTIMISTIC_LIMIT * p50_mix:
            verdict, reason = "optimistic", (f"{y:.0f} kWh/kWp is above the P10 ({rng}): a year reaches it with "
                                             f"probability {p:.1%}{where}")
        else:
            verdict, reason = "implausible", (f"{y:.0f} kWh/kWp exceeds 1.3x the P50 of {label} here "
                                              f"({p50_mix:.0f}){where}")
    elif claim_kwh and area_m2:
        for k in dens:
            share[k] = claim_kwh / (area_m2 * d[k].power_density_w_m2 / 1e3 * float(yields[k]))
        mid = sum(w * d[k].power_density_w_m2 / 1e3 * float(yields[k]) for k, w in shares.items())
        share_mix = claim_kwh / (area_m2 * mid)
        erange = [area_m2 * USABLE_SHARE[0] * sum(w * dens[k][0] / 1e3 * p90[k] for k, w in shares.items()),
                  area_m2 * USABLE_SHARE[1] * sum(w * dens[k][1] / 1e3 * float(yields[k]) for k, w in shares.items())]
        mix_out["required_usable_share"] = share_mix
        flush = [k for k in dens if d[k].mounting == "flush"] or list(dens)
        flush_best = max(float(yields[k]) for k in flush)
        ceiling = area_m2 * 1.0 * FLUSH_CEILING_W_M2 / 1e3 * flush_best
        flush_share = min(share[k] for k in flush)
        if claim_kwh <= erange[1]:
            verdict = "consistent"
            reason = (f"{label} reaches it with {share_mix:.0%} of the area at the default densities, "
                      f"within the usual {USABLE_SHARE[0]:.0%}-{USABLE_SHARE[1]:.0%}")
        elif claim_kwh <= ceiling:
            verdict = "optimistic"
            reason = (f"it needs {flush_share:.0%} of the gross area at flush-mount density "
                      f"({d[flush[0]].power_density_w_m2:.0f} W/m2) and {share_mix:.0%} as {label}; usable "
                      f"shares are usually {USABLE_SHARE[0]:.0%}-{USABLE_SHARE[1]:.0%}")
        else:
            verdict = "implausible"
            reason = (f"even covering 100 % of the area at {FLUSH_CEILING_W_M2:.0f} W/m2 gives "
                      f"{ceiling / 1e4:,.0f}万kWh, less than the {claim_kwh / 1e4:,.0f}万kWh claimed")
        reason += where
    elif capacity_kw and area_m2:
        dd = implied["power_density_w_m2"]
        verdict = "consistent" if 80 <= dd <= 230 else "implausible"
        reason = f"{dd:.0f} W/m2 of gross area" + ("" if verdict == "consistent" else
                                                   " is outside 80-230 W/m2 (module efficiency limits)")
    carbon = coal = None
    if co2_t is not None and claim_kwh:
        refs = {f"grid {r} {y}": grid_factor(r, y).value for r, y in GRID_CO2}
        carbon = _factor_check(co2_t * 1e3 / claim_kwh, refs, "CO2")
        implied["co2_kg_per_kwh"] = carbon["implied_kg_per_kwh"]
    if tce_t is not None and claim_kwh:
        refs = {f"coal equivalent, {b} basis": tce_factor(b).value for b in ("calorific", "generation")}
        coal = _factor_check(tce_t * 1e3 / claim_kwh, refs, "coal")
        implied["tce_kg_per_kwh"] = coal["implied_kg_per_kwh"]
    sources = [{"item": "usable share and densities", "value": {"usable_share": list(USABLE_SHARE),
                                                                "density_w_m2": {k: list(v) for k, v in dens.items()}},
                "source": "DOMAIN.md typical planning figures (engineering estimates), solarplan.core.defaults",
                "year": 2026},
               {"item": "reference arrays", "value": {k: {"surface_tilt": d[k].surface_tilt, "mounting": d[k].mounting,
                                                          "gcr": d[k].gcr, "power_density_w_m2": d[k].power_density_w_m2}
                                                      for k in dens},
                "source": "solarplan.core.defaults.SURFACE_DEFAULTS (or the config's [surfaces.<type>])", "year": 2026},
               {"item": "uncertainty sigma", "value": uncertainty.sigma,
                "source": "solarplan.pv.uncertainty (estimates after Thevenard & Pelland 2013; SAM P50/P90 method, "
                          "NREL/CP-6A20-54488)", "year": 2013}]
    if carbon:
        sources += [{"item": f"grid {r} {y}", "value": v, "source": grid_factor(r, y).source, "year": y}
                    for (r, y), v in GRID_CO2.items()]
    if coal:
        sources += [{"item": f"coal equivalent {b}", "value": tce_factor(b).value, "source": tce_factor(b).source,
                     "year": tce_factor(b).year} for b in ("calorific", "generation")]
    return ClaimCheck(inputs, implied, simulated, verdict, reason, share, erange, carbon, coal, notes, sources,
                      mix_out, station)


def _quantity(value, dims: str, name: str, limit: str) -> float | None:
    """A claim figure given as a number (in the base unit) or as text such as ``36万m2``, within its
    plausible magnitude (:data:`solarplan.core.limits.PLAUSIBLE`)."""
    if value is None:
        return None
    if isinstance(value, (int, float, np.number)):
        x = float(value)
    else:
        try:
            x = parse_quantity(str(value), dims).value
        except QuantityError as exc:
            raise InputError(f"--{name}: {exc}") from None
    return check_plausible(limit, x, f"--{name} {value}")


def check_claim(*, claim=None, area=None, capacity=None, co2=None, tce=None, location: str | None = None,
                lat: float | None = None, lon: float | None = None, surface_type: str | None = None, mix=None,
                weather="auto", params=None, config: PlanConfig | None = None) -> ClaimCheck:
    """Check a headline claim at a place: parse the figures, simulate the place, give the verdict.

    The same function serves ``solarplan check``, the notebooks and the web app.

    Parameters
    ----------
    claim, area, capacity, co2, tce : str or float, optional
        Claimed yearly energy (``6000万kWh``; a number is [kWh/yr]), gross area (``36万m2``; [m2]),
        capacity (``5.16MW``; [kW]), CO2 avoided (``440t``; [t/yr]) and coal saved (``238吨标准煤``;
        [tce/yr]). Text is read by :func:`solarplan.core.quantity.parse_quantity`.
    location : str, optional
        A city (十堰, Jincheng), a station or ``'lat,lon'``; or give ``lat`` and ``lon`` [degrees].
    surface_type : str, optional
        flat_roof, pitched_roof, metal_roof, carport (or 平屋顶, 彩钢瓦 ...).
    mix : str or Mapping, optional
        Roof-type mix instead of one type: ``"flat_roof=0.7,carport=0.3"`` (:func:`parse_mix`).
    weather : 'auto', 'pvgis' or a weather file
    params : SystemParams, optional
        Default: the config's ``[yield]``, else the defaults.
    config : PlanConfig, optional
        Its ``[surfaces.<type>]`` (orientation, mounting, GCR, density), ``[yield]`` and ``[weather]``
        (shift, closure, station method) are used; default the shipped defaults.

    Returns
    -------
    ClaimCheck
        ``inputs['location']`` carries the place's label, coordinates and weather source; ``mix`` the
        mix compared with; ``station`` the weather station's distance, elevation difference and the
        uncertainty they add; weather notes are appended to ``notes``.
    """
    if location is None and (lat is None or lon is None):
        raise InputError("give --location (e.g. 十堰) or both --lat and --lon")
    if location is not None:
        lat, lon, label = resolve_location(location)
    else:
        label = f"{lat:.4f},{lon:.4f}"
    try:
        stype = parse_surface_type(surface_type) if surface_type else None
    except ValueError as exc:
        raise InputError(f"--surface-type: {exc}") from None
    shares = parse_mix(mix) if mix is not None else None
    if stype and shares:
        raise InputError("give --surface-type or --mix, not both")
    figures = dict(area_m2=_quantity(area, "area", "area", "claim_area_m2"),
                   capacity_kw=_quantity(capacity, "power", "capacity", "claim_capacity_kw"),
                   claim_kwh=_quantity(claim, "energy", "claim", "claim_energy_kwh"),
                   co2_t=_quantity(co2, "co2", "co2", "claim_co2_t"), tce_t=_quantity(tce, "coal", "tce", "claim_tce_t"))
    if figures["area_m2"] and figures["capacity_kw"]:
        check_plausible("power_density_w_m2", figures["capacity_kw"] * 1e3 / figures["area_m2"],
                        f"--capacity {capacity} on --area {area}")
    surfaces = config.surfaces if config is not None else SURFACE_DEFAULTS
    if params is None:
        params = config.typed("yield", SystemParams) if config is not None else SystemParams()
    wopt = config.typed("weather", WeatherOptions) if config is not None else WeatherOptions()
    resolved = get_weather(weather, lat, lon, shift=wopt.shift, closure=wopt.closure,
                           station_method=wopt.station_method)
    yields = reference_yields(resolved.weather, params, surfaces)
    w = resolved.weather
    # site elevation from pvlib's shipped map; station = the weather year's location (the synthetic year is
    # built at its station's elevation)
    site_elev = float(pvlib.location.lookup_altitude(lat, lon))
    dist = resolved.distance_km if resolved.synthetic else float(haversine_km(lat, lon, w.latitude, w.longitude))
    dz = site_elev - float(w.elevation)
    unc = for_weather(resolved.synthetic, dist, abs(dz))
    try:
        result = assess(yields, unc, surface_type=stype, mix=shares,
                        location={"label": label, "lat": lat, "lon": lon, "weather": w.source},
                        station=station_term(unc, dist, dz), surface_defaults=surfaces,
                        loss_fraction=params.loss_fraction(), **figures)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    result.notes.extend(f"weather: {x}" for x in resolved.warnings)
    return result
