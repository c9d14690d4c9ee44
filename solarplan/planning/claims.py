"""Check a headline PV claim against physics: implied figures, simulated range, verdict.

Pure: takes the claim and the simulated specific yields of each surface type at
the place (see :func:`reference_yields`) and returns a :class:`ClaimCheck`.

Verdict rules (documented thresholds, engineering judgement):

* **energy from an area** (``area`` + ``claim``): the claim is *consistent* if
  the stated (or, when none is stated, the flat-roof) surface type reaches it
  within the typical usable share (50-70 %) and density range of that type at
  P50; *optimistic* if it needs more than that but a flush array at the highest
  density (200 W/m2) could still reach it on the whole area; *implausible* if
  even that cannot.
* **energy from a capacity** (``capacity`` + ``claim``): the implied kWh/kWp
  is *consistent* between the lowest P90 and the highest P10 of the surface
  types at the place, *conservative* below, *optimistic* up to 1.3 x the
  highest P50, *implausible* beyond.
* **carbon or coal** (``co2``/``tce`` with an energy): the implied factor
  is compared with every factor of :mod:`solarplan.core.factors`; within +-15 % of
  one it is consistent; a whole power of ten off it (within a factor 1.26) it is
  flagged as a likely dropped (or extra) digit; otherwise as inconsistent.

References
----------
.. [1] shared/context/DOMAIN.md, typical planning figures (usable share 50-70 %;
   densities: rows 100-130, flush 150-200, carports 150-180 W/m2).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from solarplan.core.limits import check_plausible
from solarplan.core.errors import InputError
from solarplan.core.factors import GRID_CO2, grid_factor, tce_factor
from solarplan.core.quantity import QuantityError, parse_quantity
from solarplan.io.vocab import parse_surface_type
from solarplan.pv.uncertainty import Uncertainty, for_weather
from solarplan.pv.yieldsim import simulate
from solarplan.weather import get_weather, resolve_location

#: Usable share of a gross area [-] and densities per usable m2 [W/m2] from DOMAIN.md [1]_.
USABLE_SHARE = (0.5, 0.7)
DENSITY_W_M2 = {"flat_roof": (100.0, 130.0), "pitched_roof": (150.0, 200.0), "metal_roof": (150.0, 200.0),
                "carport": (150.0, 180.0)}
#: Reference orientation per surface type: defaults of solarplan.core.defaults, facing south.
REFERENCE = pd.DataFrame({
    "surface_tilt": [20.0, 25.0, 5.0, 7.0], "surface_azimuth": 180.0,
    "mounting": ["rows", "flush", "flush", "canopy"], "gcr": 0.5, "capacity_kwp": 1.0},
    index=["flat_roof", "pitched_roof", "metal_roof", "carport"])
FACTOR_TOLERANCE = 0.15
DIGIT_SLIP_LOG10 = 0.1
OPTIMISTIC_LIMIT = 1.3


def reference_yields(weather, params=None) -> pd.Series:
    """P50 specific yield [kWh/kWp] of each surface type's reference array at a weather year."""
    return simulate(REFERENCE, weather, params).surfaces["specific_yield_kwh_per_kwp"]


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

    def as_dict(self) -> dict:
        return asdict(self)


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


def assess(yields: pd.Series, uncertainty: Uncertainty, *, area_m2: float | None = None,
           capacity_kw: float | None = None, claim_kwh: float | None = None, co2_t: float | None = None,
           tce_t: float | None = None, surface_type: str | None = None, location: dict | None = None) -> ClaimCheck:
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
        flat_roof, pitched_roof, metal_roof or carport; None = not stated.
    """
    if surface_type is not None and surface_type not in DENSITY_W_M2:
        raise ValueError(f"unknown surface_type {surface_type!r}; valid: {', '.join(DENSITY_W_M2)}")
    if claim_kwh is None and capacity_kw is None:
        raise ValueError("a claim needs an energy (--claim) or a capacity (--capacity)")
    p90 = {k: float(uncertainty.exceedance(v, 0.90)) for k, v in yields.items()}
    p10 = {k: float(uncertainty.exceedance(v, 0.10)) for k, v in yields.items()}
    simulated = {k: {"p50_kwh_per_kwp": float(v), "p90_kwh_per_kwp": p90[k], "p10_kwh_per_kwp": p10[k],
                     "density_w_m2": list(DENSITY_W_M2[k])} for k, v in yields.items()}
    implied: dict = {}
    inputs = {"area_m2": area_m2, "capacity_kw": capacity_kw, "claim_kwh": claim_kwh, "co2_t": co2_t,
              "tce_t": tce_t, "surface_type": surface_type, "location": location}
    if area_m2 and capacity_kw:
        implied["power_density_w_m2"] = capacity_kw * 1e3 / area_m2
    if claim_kwh and capacity_kw:
        implied["specific_yield_kwh_per_kwp"] = claim_kwh / capacity_kw
    if claim_kwh and area_m2:
        implied["yield_kwh_per_m2"] = claim_kwh / area_m2
    verdict, reason, share, erange, notes = "not checked", "", {}, None, []
    if claim_kwh and capacity_kw:
        y = implied["specific_yield_kwh_per_kwp"]
        lo, hi, top = min(p90.values()), max(p10.values()), float(yields.max())
        if y < lo:
            verdict, reason = "conservative", f"{y:.0f} kWh/kWp is below every P90 here ({lo:.0f})"
        elif y <= hi:
            verdict, reason = "consistent", f"{y:.0f} kWh/kWp lies within the simulated P90-P10 range here " \
                                            f"({lo:.0f}-{hi:.0f} kWh/kWp)"
        elif y <= OPTIMISTIC_LIMIT * top:
            verdict, reason = "optimistic", f"{y:.0f} kWh/kWp is above the best P10 here ({hi:.0f})"
        else:
            verdict, reason = "implausible", f"{y:.0f} kWh/kWp exceeds 1.3x the best P50 here ({top:.0f})"
    elif claim_kwh and area_m2:
        types = [surface_type] if surface_type else ["flat_roof"]
        for k in DENSITY_W_M2:
            mid = float(np.mean(DENSITY_W_M2[k]))
            share[k] = claim_kwh / (area_m2 * mid / 1e3 * float(yields[k]))
        t = types[0]
        d_lo, d_hi = DENSITY_W_M2[t]
        erange = [area_m2 * USABLE_SHARE[0] * d_lo / 1e3 * p90[t], area_m2 * USABLE_SHARE[1] * d_hi / 1e3 * float(yields[t])]
        flush_best = max(float(yields[k]) for k in ("pitched_roof", "metal_roof"))
        ceiling = area_m2 * 1.0 * 200.0 / 1e3 * flush_best
        flush_share = min(share["pitched_roof"], share["metal_roof"])
        if claim_kwh <= erange[1]:
            verdict = "consistent"
            reason = (f"{t} reaches it with {share[t]:.0%} of the area at {np.mean(DENSITY_W_M2[t]):.0f} W/m2, "
                      f"within the usual {USABLE_SHARE[0]:.0%}-{USABLE_SHARE[1]:.0%}")
        elif claim_kwh <= ceiling:
            verdict = "optimistic"
            reason = (f"it needs {flush_share:.0%} of the gross area at flush-mount density "
                      f"({np.mean(DENSITY_W_M2['pitched_roof']):.0f} W/m2) and {share['flat_roof']:.0%} with tilted "
                      f"rows; usable shares are usually {USABLE_SHARE[0]:.0%}-{USABLE_SHARE[1]:.0%}")
        else:
            verdict = "implausible"
            reason = (f"even covering 100 % of the area at 200 W/m2 gives {ceiling / 1e4:,.0f}万kWh, "
                      f"less than the {claim_kwh / 1e4:,.0f}万kWh claimed")
        if not surface_type:
            notes.append("no surface type given: the verdict is for flat roofs with tilted rows; "
                         "the shares for every type are listed")
    elif capacity_kw and area_m2:
        d = implied["power_density_w_m2"]
        verdict = "consistent" if 80 <= d <= 230 else "implausible"
        reason = f"{d:.0f} W/m2 of gross area" + ("" if verdict == "consistent" else
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
                                                                "density_w_m2": {k: list(v) for k, v in
                                                                                 DENSITY_W_M2.items()}},
                "source": "DOMAIN.md typical planning figures (engineering estimates)", "year": 2026},
               {"item": "uncertainty sigma", "value": uncertainty.sigma,
                "source": "solarplan.pv.uncertainty (estimates after Thevenard & Pelland 2013; SAM P50/P90 method, "
                          "NREL/CP-6A20-54488)", "year": 2013}]
    if carbon:
        sources += [{"item": f"grid {r} {y}", "value": v, "source": grid_factor(r, y).source, "year": y}
                    for (r, y), v in GRID_CO2.items()]
    if coal:
        sources += [{"item": f"coal equivalent {b}", "value": tce_factor(b).value, "source": tce_factor(b).source,
                     "year": tce_factor(b).year} for b in ("calorific", "generation")]
    return ClaimCheck(inputs, implied, simulated, verdict, reason, share, erange, carbon, coal, notes, sources)


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
                lat: float | None = None, lon: float | None = None, surface_type: str | None = None,
                weather="auto", params=None) -> ClaimCheck:
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
    weather : 'auto', 'pvgis' or a weather file
    params : SystemParams, optional

    Returns
    -------
    ClaimCheck
        ``inputs['location']`` carries the place's label, coordinates and weather source;
        weather notes are appended to ``notes``.
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
    figures = dict(area_m2=_quantity(area, "area", "area", "claim_area_m2"),
                   capacity_kw=_quantity(capacity, "power", "capacity", "claim_capacity_kw"),
                   claim_kwh=_quantity(claim, "energy", "claim", "claim_energy_kwh"),
                   co2_t=_quantity(co2, "co2", "co2", "claim_co2_t"), tce_t=_quantity(tce, "coal", "tce", "claim_tce_t"))
    if figures["area_m2"] and figures["capacity_kw"]:
        check_plausible("power_density_w_m2", figures["capacity_kw"] * 1e3 / figures["area_m2"],
                        f"--capacity {capacity} on --area {area}")
    resolved = get_weather(weather, lat, lon)
    yields = reference_yields(resolved.weather, params)
    unc = for_weather(resolved.synthetic, resolved.distance_km, resolved.elevation_diff_m)
    try:
        result = assess(yields, unc, surface_type=stype,
                        location={"label": label, "lat": lat, "lon": lon, "weather": resolved.weather.source},
                        **figures)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    result.notes.extend(f"weather: {w}" for w in resolved.warnings)
    return result
