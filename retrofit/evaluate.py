"""Every applicable measure for every clean building: evaluated, and recommended or not (pure).

Takes the clean buildings (:mod:`retrofit.buildings`) and each building's hourly
outdoor temperature (the weather year the PV side uses for the same site), and
returns one row per building and measure with the columns of
:mod:`retrofit.common` plus:

building_id, site_id, name, category, measure
    Identity and the measure (gshp, led, chiller, lift).
recommended
    True when the measure pays back within its life (on the incremental cost where the
    user marked it as due for renewal) and, for a GSHP, when its borefield passes the
    long-term check (:mod:`retrofit.ground`) and it is not less efficient than the plant
    it replaces. Only recommended measures enter totals, package scores and contracts.
excluded_reason
    Why a measure is not recommended ('' when it is), in words.
counted
    Recommended and kept: a GSHP and a new chiller both replace the cooling plant, so of
    two recommended alternatives only the one saving more is counted.
electricity_price_cny_per_kwh
    The electricity price the row's money is valued at [CNY/kWh]: the building's own
    ``electricity_price_cny_per_kwh`` (the pipeline fills it with its PV site's tariff, so a
    site has one price) or ``[retrofit] electricity_cny_per_kwh``.
cost_basis, incremental_capex_cny
    'full' or 'incremental (renewal due)': a measure listed in the building's ``renewal_due``
    (age or safety, e.g. a lift at the end of its life) is judged on its cost above a
    like-for-like replacement (:data:`LIKE_FOR_LIKE_SHARE`); ``simple_payback_years`` uses it.
baseline_basis, calibration_flag
    'metered (end-use split)' or 'model (no bills)'; the building's flag when its bills and
    its description cannot be reconciled (:mod:`retrofit.enduse`), '' otherwise.
design_source, heating_design_c, cooling_design_c
    Where the design temperatures come from (:mod:`retrofit.design`) and their values [C].
interaction_kwh
    Side effect not included in the saving (LED: less heat to remove in summer) [kWh/yr].
fluid_min_c, fluid_max_c
    GSHP only: mean fluid temperature of the borehole field in the heating / cooling design
    hours after ``GroundParams.years`` of operation (:mod:`retrofit.ground`) [C]; NaN otherwise.
defaulted
    The inputs that fell back to a documented default (semicolon-separated).
notes
    What was assumed, and flags.

Saving and baseline columns are calibrated to the meters (:mod:`retrofit.enduse`):
a measure's saving never exceeds the calibrated baseline of its end use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from solarplan.core.loadprofile import occupancy

from . import chillers, enduse, ground, gshp, lifts, lighting
from .climate import hvac_climate, monthly_shares
from .common import Prices, savings_table
from .design import design_conditions

#: Plant replaced when the table does not say: category -> (heating, cooling). Estimates for Hubei
#: public buildings: offices and schools on split or multi-split air conditioners, hospitals and
#: venues on gas boilers and water-cooled chillers.
DEFAULT_PLANT = {"agency": ("split_ac", "split_ac"), "soe": ("split_ac", "split_ac"),
                 "school": ("split_ac", "split_ac"), "hospital": ("gas_boiler", "chiller"),
                 "venue": ("gas_boiler", "chiller"), "other": ("split_ac", "split_ac")}
#: Lift measures tried, cheapest first; a measure joins the lift retrofit when its own marginal saving
#: pays back within its life. The machine replacement (vvvf_pm) is tried only when the lift is due for
#: renewal. Costs and lives: ``data/lift_measures.csv``.
LIFT_ORDER = ("led", "sleep", "regen", "vvvf_pm")
#: Lifts per m² of floor where a lift retrofit is asked for without a count (1 per 5,000 m²; estimate).
LIFT_AREA_M2 = 5000.0
#: Share of a measure's cost that a like-for-like renewal would cost anyway (estimates): a standard
#: geared/VVVF lift machine 80 % of a PM gearless one; a GB 19577 grade-3 chiller 85 % of grade 1;
#: new split units or a boiler 45 % of a GSHP; a fluorescent relamp 30 % of an LED retrofit.
LIKE_FOR_LIKE_SHARE = {"lift": 0.8, "chiller": 0.85, "gshp": 0.45, "led": 0.3}

COLUMNS_ID = ["building_id", "site_id", "name", "category", "measure"]


@dataclass(frozen=True)
class RetrofitParams:
    """All measure parameters (each dataclass documents its defaults and sources).

    Config section ``[retrofit]``: the price keys of :class:`Prices` at the top level
    (``prices`` is flattened), and tables ``gshp``, ``ground``, ``lighting``, ``chiller``
    whose keys are the fields of those dataclasses (checked by
    :func:`solarplan.io.config.parse_section`).
    """

    prices: Prices = field(default_factory=Prices, metadata={"flatten": True})
    gshp: gshp.GshpParams = field(default_factory=gshp.GshpParams)
    ground: ground.GroundParams = field(default_factory=ground.GroundParams)
    lighting: lighting.LightingParams = field(default_factory=lighting.LightingParams)
    chiller: chillers.ChillerParams = field(default_factory=chillers.ChillerParams)


def _given(row, col) -> bool:
    v = row.get(col, np.nan)
    return not (v is None or (isinstance(v, float) and np.isnan(v)) or v == "")


def _measures(row) -> tuple[str, ...]:
    chosen = tuple(m for m in str(row.get("measures", "") or "").split(",") if m)
    if chosen:
        return chosen
    out = ["gshp", "led"]
    if _has_chiller(row):
        out.append("chiller")
    if _given(row, "lift_count") and row["lift_count"] > 0:
        out.append("lift")
    return tuple(out)


def _has_chiller(row) -> bool:
    return (_given(row, "chiller_kw") and row["chiller_kw"] > 0) or row.get("cooling_plant") == "chiller"


def _renewal(row) -> set:
    return {m.strip() for m in str(row.get("renewal_due", "") or "").split(",") if m.strip()}


def _plant(row) -> tuple[str, str, list]:
    dflt = []
    heat, cool = DEFAULT_PLANT[row["category"]]
    if _given(row, "heating_plant"):
        heat = row["heating_plant"]
    else:
        dflt.append("heating_plant")
    if _given(row, "cooling_plant"):
        cool = row["cooling_plant"]
    elif _has_chiller(row):
        cool = "chiller"
    else:
        dflt.append("cooling_plant")
    return heat, cool, dflt


def _f(d: dict) -> dict:
    return {k: float(np.ravel(v)[0]) for k, v in d.items()}


def _hvac_model(row, clim) -> dict:
    """Loads and the replaced plant's energy, heating and cooling apart (uncalibrated)."""
    heat, cool, dflt = _plant(row)
    loads = gshp.annual_loads(row["floor_area_m2"], row["category"], clim.heating_eflh, clim.cooling_eflh)
    for kind in ("heating", "cooling"):  # metered loads win over the estimate from floor area and climate
        if _given(row, f"{kind}_load_kwh"):
            loads[f"{kind}_kwh"] = np.asarray(float(row[f"{kind}_load_kwh"]))
        else:
            dflt.append(f"{kind}_load_kwh")
    hk = float(np.ravel(loads["heating_kwh"])[0]) * (heat != "none")
    ck = float(np.ravel(loads["cooling_kwh"])[0]) * (cool != "none")
    return dict(heat=heat, cool=cool, loads=loads, hk=hk, ck=ck, dflt=dflt,
                heat_energy=_f(gshp.plant_energy(hk, 0.0, heat, "none")),
                cool_energy=_f(gshp.plant_energy(0.0, ck, "none", cool)))


def _lighting_model(row, p: RetrofitParams) -> dict:
    dflt = []
    cat = row["category"]
    if _given(row, "lighting_hours"):
        hours = row["lighting_hours"]
    else:
        hours = lighting.HOURS[cat]
        dflt.append("lighting_hours")
    if _given(row, "fixture_type") and _given(row, "fixture_count"):
        w = row["fixture_w"] if _given(row, "fixture_w") else None
        if w is None:
            dflt.append("fixture_w")
        base_kw, led_kw = lighting.fixture_power_kw(row["fixture_type"], row["fixture_count"], w)
        base_kw, led_kw = float(base_kw[0]), float(led_kw[0])
        capex = row["fixture_count"] * p.lighting.capex_cny_per_fixture
        how = f"{row['fixture_count']:,.0f} x {row['fixture_type']}"
    else:
        dflt.append("fixture inventory (lighting power density used)")
        base_kw = lighting.LPD_OLD_W_M2[cat] * row["floor_area_m2"] / 1000
        led_kw = lighting.LPD_LED_W_M2[cat] * row["floor_area_m2"] / 1000
        capex = row["floor_area_m2"] * p.lighting.capex_cny_per_m2
        how = f"{lighting.LPD_OLD_W_M2[cat]:g} -> {lighting.LPD_LED_W_M2[cat]:g} W/m2"
    return dict(base_kw=base_kw, led_kw=led_kw, hours=hours, capex=capex, how=how, dflt=dflt,
                kwh=base_kw * hours)


def _lift_spec(row) -> tuple[lifts.LiftSpec, float, list]:
    dflt, over = [], {}
    for col, fld in (("lift_load_kg", "rated_load_kg"), ("lift_travel_m", "travel_m"), ("lift_stops", "stops"),
                     ("lift_usage_category", "usage_category"), ("lift_kind", "kind")):
        if _given(row, col):
            v = row[col]
            over[fld] = int(v) if fld in ("stops", "usage_category") else v
        else:
            dflt.append(col)
    if _given(row, "lift_standby_w"):
        w = row["lift_standby_w"]
        over.update(p_idle_w=w, p_st5_w=w, p_st30_w=w)
    else:
        dflt.append("lift_standby_w")
    spec = replace(lifts.LiftSpec(), **over)
    if spec.kind == "hydraulic":
        spec = replace(spec, e_spr=5.0)
    if _given(row, "lift_e_rc_wh"):  # measured cycle energies: back out E_spr and E_sc
        sc = row["lift_e_sc_wh"] if _given(row, "lift_e_sc_wh") else spec.e_sc_wh
        spec = replace(spec, e_sc_wh=sc, e_spr=(row["lift_e_rc_wh"] - sc) * 1000 / (2 * spec.rated_load_kg
                                                                                    * spec.travel_m))
    else:
        dflt.append("lift_e_rc_wh")
    if _given(row, "lift_count"):
        count = float(row["lift_count"])
    else:
        count = float(np.ceil(row["floor_area_m2"] / LIFT_AREA_M2))
        dflt.append("lift_count")
    return spec, count, dflt


def _energy(base: dict, new: dict, k: dict) -> tuple[dict, dict]:
    """Scale baseline and retrofit energy by carrier with the calibration factors."""
    return ({c: v * k.get(c, 1.0) for c, v in base.items()}, {c: v * k.get(c, 1.0) for c, v in new.items()})


def _gshp(row, clim, temp_air, hv, kh, kc, kfuel, p: RetrofitParams, prices: Prices):
    heat, cool, loads = hv["heat"], hv["cool"], hv["loads"]
    he, ce = hv["heat_energy"], hv["cool_energy"]
    base = {"electricity_kwh": he["electricity_kwh"] * kh + ce["electricity_kwh"] * kc,
            "gas_m3": he["gas_m3"] * kfuel, "coal_kg": he["coal_kg"] * kfuel}
    hk, ck = hv["hk"] * kh if gshp.HEATING_PLANTS[heat][0] == "electricity_kwh" else hv["hk"] * kfuel, hv["ck"] * kc
    new = gshp.gshp_energy(hk, ck, p.gshp)
    field_ = gshp.borefield(np.ravel(loads["heating_peak_kw"])[0] * (heat != "none"),
                            np.ravel(loads["cooling_peak_kw"])[0] * (cool != "none"), hk, ck, p.gshp).iloc[0]
    capex = row["floor_area_m2"] * p.gshp.capex_cny_per_m2
    sav = savings_table(base, new, capex, p.gshp.life_years, prices)
    count = int(field_["borehole_count"])
    notes = [f"replaces {heat} heating and {cool} cooling; {hk:,.0f} kWh heat and {ck:,.0f} kWh cooling a "
             f"year (calibrated); {count} boreholes of {p.gshp.borehole_depth_m:g} m", field_["ground_flag"]]
    fail = []
    sav = sav.assign(fluid_min_c=np.nan, fluid_max_c=np.nan)
    if count > 0:
        share_h, share_c = monthly_shares(temp_air, occupancy(row["category"]), clim.heating_design_c,
                                          clim.cooling_design_c)
        check = ground.check_field(count, p.gshp.borehole_depth_m, float(field_["ground_extracted_kwh"]) * share_h,
                                   float(field_["ground_rejected_kwh"]) * share_c,
                                   float(field_["ground_extract_peak_kw"]), float(field_["ground_reject_peak_kw"]),
                                   float(np.mean(temp_air)), p.ground)
        sav = sav.assign(fluid_min_c=check.fluid_min_c, fluid_max_c=check.fluid_max_c)
        notes.append(check.flag)
        if check.flag:
            fail.append(f"borefield fails the {p.ground.years:g}-year check (fluid {check.fluid_min_c:.1f} to "
                        f"{check.fluid_max_c:.1f} C, limits {p.ground.min_fluid_c:g}-{p.ground.max_fluid_c:g} C)")
    cool_eff = gshp.COOLING_PLANTS[cool][1]
    if cool != "none" and p.gshp.seer_cooling < cool_eff:
        fail.append(f"GSHP cooling EER {p.gshp.seer_cooling:g} (field average) is below the replaced {cool} "
                    f"plant's {cool_eff:g}")
    carrier, heat_eff = gshp.HEATING_PLANTS[heat]
    if carrier == "electricity_kwh" and p.gshp.scop_heating < heat_eff:
        fail.append(f"GSHP heating COP {p.gshp.scop_heating:g} is below the replaced {heat}'s {heat_eff:g}")
    return sav, notes, fail, 0.0


def _led(row, lm, k, p: RetrofitParams, prices: Prices):
    occ, day = bool(row.get("occupancy_sensors", False)), bool(row.get("daylight_dimming", False))
    capex = lm["capex"] + row["floor_area_m2"] * p.lighting.controls_cny_per_m2 * (int(occ) + int(day))
    e = lighting.lighting_energy(lm["base_kw"], lm["led_kw"], lm["hours"], occ, day, p.lighting)
    sav = savings_table({"electricity_kwh": float(e["baseline_kwh"]) * k},
                        {"electricity_kwh": float(e["retrofit_kwh"]) * k}, capex, p.lighting.life_years, prices)
    controls = "+".join(n for n, on in (("occupancy", occ), ("daylight", day)) if on) or "no controls"
    return sav, [f"{lm['how']}, {lm['hours']:,.0f} h/yr, {controls}; cooling interaction reported separately"], \
        [], float(e["interaction_kwh"]) * k


def _chiller(row, clim, cal_cooling_kwh, p: RetrofitParams, prices: Prices, dflt: list):
    notes = []
    kind = row["chiller_kind"] if _given(row, "chiller_kind") else "water"
    if not _given(row, "chiller_kind"):
        dflt.append("chiller_kind")
    if _given(row, "chiller_kw") and row["chiller_kw"] > 0:
        cap = row["chiller_kw"]
    else:
        cap = float(np.ravel(gshp.annual_loads(row["floor_area_m2"], row["category"], 0, 0)["cooling_peak_kw"])[0])
        dflt.append("chiller_kw")
    if _given(row, "chiller_iplv"):
        old = row["chiller_iplv"]
    elif _given(row, "chiller_cop"):
        old = row["chiller_cop"] * chillers.OLD_DEFAULT[kind][1] / chillers.OLD_DEFAULT[kind][0]
        notes.append("IPLV scaled from the rated COP")
    else:
        old = chillers.OLD_DEFAULT[kind][1]
        dflt.append("chiller_iplv")
    age = row["chiller_age_years"] if _given(row, "chiller_age_years") else 15.0
    if not _given(row, "chiller_age_years"):
        dflt.append("chiller_age_years")
    rate = p.chiller.derate_per_year
    old_eff = float(chillers.aged(old, age, rate))
    new_cop, new_iplv = chillers.grade_efficiency(kind, cap, p.chiller.new_grade)
    aux = p.chiller.aux_share_water if kind == "water" else p.chiller.aux_share_air
    eflh = clim.cooling_eflh
    old_compressor = float(chillers.chiller_energy(cap, eflh, old_eff))
    base = old_compressor * (1 + aux)
    # the pumps and towers stay: only the compressor energy changes
    new = min(float(chillers.chiller_energy(cap, eflh, new_iplv)) + old_compressor * aux, base)
    k = cal_cooling_kwh / base if base > 1e-3 and cal_cooling_kwh > 0 else 1.0
    sav = savings_table({"electricity_kwh": base * k}, {"electricity_kwh": new * k}, cap * p.chiller.capex_cny_per_kw,
                        p.chiller.life_years, prices)
    rated_cop = row["chiller_cop"] if _given(row, "chiller_cop") else chillers.OLD_DEFAULT[kind][0]
    if rated_cop < chillers.minimum_cop(kind, cap):
        notes.append(f"old COP {rated_cop:g} is below the GB 50189-2015 minimum {chillers.minimum_cop(kind, cap):g}")
    ageing = (f"aged {age:g} yr at {rate:.1%}/yr -> {old_eff:.2f}" if rate > 0 else
              "nameplate IPLV (no ageing assumed; [retrofit.chiller] derate_per_year sets one)")
    notes.insert(0, f"{cap:,.0f} kW {kind}-cooled, IPLV {old:g} {ageing}; new grade {p.chiller.new_grade} IPLV "
                    f"{new_iplv:g}; {eflh:,.0f} full-load h; scaled x{k:.2f} to the calibrated cooling electricity")
    return sav, notes, [], 0.0


def _lift(row, spec, count, k, renewal: bool, prices: Prices):
    price = prices.electricity_cny_per_kwh
    chosen, left = [], []
    for m in LIFT_ORDER:
        if (m == "vvvf_pm" and not renewal) or (m in ("regen", "vvvf_pm") and spec.kind != "traction"):
            continue
        _, a0 = lifts.lift_annual_kwh(spec, chosen)
        _, a1 = lifts.lift_annual_kwh(spec, chosen + [m])
        cost, life = lifts.measure_cost(m)
        if m == "vvvf_pm" and renewal:
            cost *= 1 - LIKE_FOR_LIKE_SHARE["lift"]
        saved = (a0 - a1) * k * price
        if saved > 0 and cost / saved <= life:
            chosen.append(m)
        else:
            left.append(f"{m} ({'never' if saved <= 0 else f'{cost / saved:.0f} yr'} payback > {life:g} yr life)")
    if not chosen:  # nothing pays back on its own: report the whole package, which will not be recommended
        chosen = [m for m in LIFT_ORDER if not ((m == "vvvf_pm" and not renewal)
                                                or (m in ("regen", "vvvf_pm") and spec.kind != "traction"))]
        left = []
    b, a = lifts.lift_annual_kwh(spec, chosen)
    d = lifts.lift_daily(spec)
    costs = {m: lifts.measure_cost(m) for m in chosen}
    capex = count * sum(c for c, _ in costs.values())
    life = sum(c * lf for c, lf in costs.values()) / max(sum(c for c, _ in costs.values()), 1)
    sav = savings_table({"electricity_kwh": b * count * k}, {"electricity_kwh": a * count * k}, capex, life, prices)
    note = (f"{count:g} lift(s), usage category {spec.usage_category}, running class {d['running_class']}, "
            f"standby class {d['standby_class']}, {float(d['standby_wh']) / float(d['total_wh']):.0%} standby; "
            f"measures {'+'.join(chosen)}" + (f"; left out: {', '.join(left)}" if left else ""))
    like = count * costs["vvvf_pm"][0] * LIKE_FOR_LIKE_SHARE["lift"] if "vvvf_pm" in costs else 0.0
    return sav, [note], [], 0.0, like


def _row(ident, sav: pd.DataFrame, defaulted, notes, interaction=0.0):
    d = dict(ident)
    d.update(sav.iloc[0].to_dict())
    d["interaction_kwh"] = float(interaction)
    d["defaulted"] = ";".join(dict.fromkeys(defaulted))
    d["notes"] = "; ".join(n for n in notes if n)
    return d


def _building_rows(row, temp_air, meta, params: RetrofitParams) -> list[dict]:
    prices = params.prices
    if _given(row, "electricity_price_cny_per_kwh"):
        prices = replace(prices, electricity_cny_per_kwh=float(row["electricity_price_cny_per_kwh"]))
    src, synthetic = meta if meta is not None else ("", None)
    design = design_conditions(temp_air, row.get("city") or None, row.get("lat"), row.get("lon"), src,
                               synthetic=True if synthetic is None else synthetic)
    clim = hvac_climate(temp_air, row["category"], design)
    measures = _measures(row)
    renewal = _renewal(row)
    hv = _hvac_model(row, clim)
    lm = _lighting_model(row, params)
    spec = count = None
    lift_dflt = []
    if "lift" in measures or (_given(row, "lift_count") and row["lift_count"] > 0):
        spec, count, lift_dflt = _lift_spec(row)
    lift_kwh = lifts.lift_annual_kwh(spec)[0] * count if spec is not None else 0.0
    hvac_kwh = hv["heat_energy"]["electricity_kwh"] + hv["cool_energy"]["electricity_kwh"]
    meter = float(row.get("electricity_kwh", np.nan))
    cal, flag = enduse.calibrate_electricity(meter, {"hvac": hvac_kwh, "lighting": lm["kwh"], "lifts": lift_kwh},
                                             row["category"])
    basis = "model (no bills)" if flag.startswith("no metered") else "metered (end-use split)"
    flags = [] if basis.startswith("model") else [flag]
    k = {u: (cal[u] / v if v > 0 else 1.0) for u, v in (("hvac", hvac_kwh), ("lighting", lm["kwh"]),
                                                         ("lifts", lift_kwh))}
    kfuel = 1.0
    carrier = gshp.HEATING_PLANTS[hv["heat"]][0]
    if carrier in ("gas_m3", "coal_kg"):
        modelled = hv["heat_energy"][carrier]
        calf, fflag = enduse.calibrate_fuel(float(row.get(carrier, np.nan)), modelled, row["category"],
                                            "gas (m3)" if carrier == "gas_m3" else "coal (kg)")
        kfuel = calf / modelled if modelled > 0 else 1.0
        if not fflag.startswith("no metered"):
            flags.append(fflag)
    flag = "; ".join(f for f in flags if f)
    ident = {c: row[c] for c in COLUMNS_ID[:-1]}
    extra = dict(baseline_basis=basis, calibration_flag=flag, design_source=design.source,
                 heating_design_c=clim.heating_design_c, cooling_design_c=clim.cooling_design_c)
    out = []
    for m in measures:
        like = None
        if m == "gshp":
            sav, notes, fail, inter = _gshp(row, clim, temp_air, hv, k["hvac"], k["hvac"], kfuel, params, prices)
            dflt = list(hv["dflt"])
        elif m == "led":
            sav, notes, fail, inter = _led(row, lm, k["lighting"], params, prices)
            dflt = list(lm["dflt"])
        elif m == "chiller":
            dflt = []
            cal_cool = hv["cool_energy"]["electricity_kwh"] * k["hvac"]
            sav, notes, fail, inter = _chiller(row, clim, cal_cool, params, prices, dflt)
        else:
            if spec is None:
                spec, count, lift_dflt = _lift_spec(row)
            sav, notes, fail, inter, like = _lift(row, spec, count, k["lifts"], "lift" in renewal, prices)
            dflt = list(lift_dflt)
        r = _row({**ident, "measure": m}, sav, dflt, notes, inter)
        capex = r["capex_cny"]
        r["electricity_price_cny_per_kwh"] = prices.electricity_cny_per_kwh
        if m in renewal:
            like = capex * LIKE_FOR_LIKE_SHARE[m] if like is None else like
            r["cost_basis"] = "incremental (renewal due)"
        else:
            like = 0.0
            r["cost_basis"] = "full"
        r["incremental_capex_cny"] = capex - like
        r["simple_payback_years"] = (r["incremental_capex_cny"] / r["saved_cny"] if r["saved_cny"] > 0 else np.nan)
        reasons = []
        if not r["saved_cny"] > 0:
            reasons.append("saves no money")
        elif r["simple_payback_years"] > r["life_years"]:
            reasons.append(f"pays back in {r['simple_payback_years']:.0f} yr, beyond its {r['life_years']:.0f}-yr life")
        reasons += fail
        r["recommended"] = not reasons
        r["excluded_reason"] = "; ".join(reasons)
        r.update(extra)
        out.append(r)
    return out


def evaluate(buildings: pd.DataFrame, temp_air: dict, params: RetrofitParams = RetrofitParams(),
             weather_meta: dict | None = None) -> pd.DataFrame:
    """Evaluate every applicable measure of every building (see the module docstring for the columns).

    Parameters
    ----------
    buildings : DataFrame
        Clean buildings (:func:`retrofit.buildings.validate_buildings`).
    temp_air : dict
        building_id -> 8760 hourly outdoor temperatures [C] (the weather year of the building's site).
    params : RetrofitParams
    weather_meta : dict, optional
        building_id -> (weather source text, synthetic?) for the design-temperature choice
        (:mod:`retrofit.design`); without it a year is treated as synthetic.
    """
    rows = []
    for _, row in buildings.iterrows():
        row = row.to_dict()
        meta = (weather_meta or {}).get(row["building_id"])
        rows.extend(_building_rows(row, temp_air[row["building_id"]], meta, params))
    cols = COLUMNS_ID + ["recommended", "excluded_reason"] + \
        list(savings_table({}, {}, 0.0, 0.0, params.prices).columns) + \
        ["electricity_price_cny_per_kwh", "cost_basis", "incremental_capex_cny", "interaction_kwh", "fluid_min_c",
         "fluid_max_c", "baseline_basis",
         "calibration_flag", "design_source", "heating_design_c", "cooling_design_c", "defaulted", "notes"]
    out = pd.DataFrame(rows, columns=cols)
    out["recommended"] = out["recommended"].astype(bool)
    out["counted"] = out["recommended"]
    hvac = out[out["measure"].isin(["gshp", "chiller"]) & out["recommended"]]
    for _, g in hvac.groupby("building_id"):
        if len(g) > 1:
            keep = g["saved_cny"].idxmax()
            for i in g.index:
                if i != keep:
                    out.loc[i, "counted"] = False
                    out.loc[i, "excluded_reason"] = (f"the {out.loc[keep, 'measure']} replacing the same plant "
                                                     "saves more")
    return out


def left_out(table: pd.DataFrame) -> pd.DataFrame:
    """Evaluated measures not counted, by measure and reason: columns measure, reason, measures, saved_cny.

    The reason is the first clause of ``excluded_reason`` with its numbers removed, so that like
    reasons group together.
    """
    t = table[~table["counted"]]
    if not len(t):
        return pd.DataFrame(columns=["measure", "reason", "measures", "saved_cny"])
    reason = t["excluded_reason"].str.split(";").str[0].map(
        lambda s: re.sub(r"\d[\d.,]*", "N", s).strip())
    return (t.assign(reason=reason).groupby(["measure", "reason"])
            .agg(measures=("building_id", "size"), saved_cny=("saved_cny", "sum")).reset_index()
            .sort_values("measures", ascending=False, kind="stable").reset_index(drop=True))


#: End use of each measure's baseline: a GSHP and a chiller both carry the cooling plant's energy (the
#: GSHP also the heating), so their baselines are one end use, counted once.
END_USE = {"gshp": "hvac", "chiller": "hvac", "led": "lighting", "lift": "lifts"}


def building_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Per building and end use: the baseline counted once and the counted measures' saving.

    Each end use's baseline is the largest of its measures' rows (a GSHP's baseline holds the heating and
    the cooling a chiller replacement's holds), whether or not a measure is counted; the saving is the sum
    of the counted rows. Columns: building_id, site_id, end_use, baseline_electricity_kwh,
    saved_electricity_kwh, baseline_tce, saved_tce, measures_counted.
    """
    t = table.assign(end_use=table["measure"].map(END_USE).fillna(table["measure"]))
    keys = ["building_id", "site_id", "end_use"]
    base = t.groupby(keys)[["baseline_electricity_kwh", "baseline_tce"]].max()
    c = t[t["counted"].astype(bool)]
    saved = c.groupby(keys)[["saved_electricity_kwh", "saved_tce"]].sum()
    n = c.groupby(keys).size().rename("measures_counted")
    out = base.join(saved).join(n).fillna({"saved_electricity_kwh": 0.0, "saved_tce": 0.0, "measures_counted": 0})
    out["measures_counted"] = out["measures_counted"].astype(int)
    return out.reset_index()[["building_id", "site_id", "end_use", "baseline_electricity_kwh", "saved_electricity_kwh",
                              "baseline_tce", "saved_tce", "measures_counted"]]
