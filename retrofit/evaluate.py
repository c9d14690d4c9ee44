"""Every applicable measure for every clean building: the savings table (pure).

Takes the clean buildings (:mod:`retrofit.buildings`) and each building's hourly
outdoor temperature (the weather year the PV side uses), and returns one row per
building and measure with the columns of :mod:`retrofit.common` plus:

building_id, site_id, name, category, measure
    Identity and the measure (gshp, led, chiller, lift).
counted
    False for the heating/cooling alternative that is not kept: a GSHP and a new chiller
    both replace the cooling plant, so only the one saving more is counted in totals.
interaction_kwh
    Side effect not included in the saving (LED: less heat to remove in summer) [kWh/yr].
fluid_min_c, fluid_max_c
    GSHP only: mean fluid temperature of the borehole field in the heating / cooling design
    hours after ``GroundParams.years`` of operation (:mod:`retrofit.ground`) [C]; NaN otherwise.
defaulted
    The inputs that fell back to a documented default (semicolon-separated).
notes
    Flags (unbalanced ground load, a measure larger than the building's bill, ...).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from solarplan.core.loadprofile import occupancy

from . import chillers, ground, gshp, lifts, lighting
from .climate import hvac_climate, monthly_shares
from .common import Prices, savings_table

#: Plant replaced when the table does not say: category -> (heating, cooling). Estimates for Hubei
#: public buildings: offices and schools on split or multi-split air conditioners, hospitals and
#: venues on gas boilers and water-cooled chillers.
DEFAULT_PLANT = {"agency": ("split_ac", "split_ac"), "soe": ("split_ac", "split_ac"),
                 "school": ("split_ac", "split_ac"), "hospital": ("gas_boiler", "chiller"),
                 "venue": ("gas_boiler", "chiller"), "other": ("split_ac", "split_ac")}
#: Lift measures applied in the lift retrofit and their cost [CNY per lift] and life [yr] (estimates
#: from public tenders; ASHRAE service life for drives).
LIFT_PACKAGE = ("vvvf_pm", "regen", "sleep", "led")
LIFT_COST = {"vvvf_pm": (150000.0, 20.0), "regen": (30000.0, 15.0), "sleep": (2000.0, 10.0), "led": (800.0, 10.0)}
#: Lifts per m² of floor where a lift retrofit is asked for without a count (1 per 5,000 m²; estimate).
LIFT_AREA_M2 = 5000.0

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
    if (_given(row, "chiller_kw") and row["chiller_kw"] > 0) or row.get("cooling_plant") == "chiller":
        out.append("chiller")
    if _given(row, "lift_count") and row["lift_count"] > 0:
        out.append("lift")
    return tuple(out)


def _row(ident, sav: pd.DataFrame, defaulted, notes, interaction=0.0):
    d = dict(ident)
    d.update(sav.iloc[0].to_dict())
    d["interaction_kwh"] = float(interaction)
    d["defaulted"] = ";".join(defaulted)
    d["notes"] = "; ".join(n for n in notes if n)
    return d


def _gshp(row, clim, temp_air, p: RetrofitParams):
    dflt = []
    heat, cool = DEFAULT_PLANT[row["category"]]
    if _given(row, "heating_plant"):
        heat = row["heating_plant"]
    else:
        dflt.append("heating_plant")
    if _given(row, "cooling_plant"):
        cool = row["cooling_plant"]
    else:
        dflt.append("cooling_plant")
    loads = gshp.annual_loads(row["floor_area_m2"], row["category"], clim.heating_eflh, clim.cooling_eflh)
    for kind in ("heating", "cooling"):  # metered loads win over the estimate from floor area and climate
        if _given(row, f"{kind}_load_kwh"):
            loads[f"{kind}_kwh"] = np.asarray(float(row[f"{kind}_load_kwh"]))
        else:
            dflt.append(f"{kind}_load_kwh")
    base = gshp.plant_energy(loads["heating_kwh"], loads["cooling_kwh"], heat, cool)
    # the GSHP serves only what the old plant served
    hk = loads["heating_kwh"] * (heat != "none")
    ck = loads["cooling_kwh"] * (cool != "none")
    new = gshp.gshp_energy(hk, ck, p.gshp)
    field_ = gshp.borefield(loads["heating_peak_kw"] * (heat != "none"), loads["cooling_peak_kw"] * (cool != "none"),
                            hk, ck, p.gshp).iloc[0]
    capex = row["floor_area_m2"] * p.gshp.capex_cny_per_m2
    sav = savings_table(base, new, capex, p.gshp.life_years, p.prices)
    count = int(field_["borehole_count"])
    notes = [f"replaces {heat} heating and {cool} cooling; {loads['heating_kwh'][()]:,.0f} kWh heat and "
             f"{loads['cooling_kwh'][()]:,.0f} kWh cooling a year; {count} boreholes of "
             f"{p.gshp.borehole_depth_m:g} m", field_["ground_flag"]]
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
    return sav, dflt, notes, 0.0


def _led(row, p: RetrofitParams):
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
    occ, day = bool(row.get("occupancy_sensors", False)), bool(row.get("daylight_dimming", False))
    capex += row["floor_area_m2"] * p.lighting.controls_cny_per_m2 * (int(occ) + int(day))
    e = lighting.lighting_energy(base_kw, led_kw, hours, occ, day, p.lighting)
    sav = savings_table({"electricity_kwh": e["baseline_kwh"]}, {"electricity_kwh": e["retrofit_kwh"]}, capex,
                        p.lighting.life_years, p.prices)
    controls = "+".join(k for k, on in (("occupancy", occ), ("daylight", day)) if on) or "no controls"
    return sav, dflt, [f"{how}, {hours:,.0f} h/yr, {controls}; cooling interaction reported separately"], \
        float(e["interaction_kwh"])


def _chiller(row, clim, p: RetrofitParams):
    dflt, notes = [], []
    kind = row["chiller_kind"] if _given(row, "chiller_kind") else "water"
    if not _given(row, "chiller_kind"):
        dflt.append("chiller_kind")
    if _given(row, "chiller_kw") and row["chiller_kw"] > 0:
        cap = row["chiller_kw"]
    else:
        cap = float(gshp.annual_loads(row["floor_area_m2"], row["category"], 0, 0)["cooling_peak_kw"])
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
    old_eff = float(chillers.aged(old, age))
    new_cop, new_iplv = chillers.grade_efficiency(kind, cap, p.chiller.new_grade)
    aux = p.chiller.aux_share_water if kind == "water" else p.chiller.aux_share_air
    eflh = clim.cooling_eflh
    old_compressor = chillers.chiller_energy(cap, eflh, old_eff)
    base = old_compressor * (1 + aux)
    # the pumps and towers stay: only the compressor energy changes
    new = np.minimum(chillers.chiller_energy(cap, eflh, new_iplv) + old_compressor * aux, base)
    sav = savings_table({"electricity_kwh": base}, {"electricity_kwh": new}, cap * p.chiller.capex_cny_per_kw,
                        p.chiller.life_years, p.prices)
    rated_cop = row["chiller_cop"] if _given(row, "chiller_cop") else chillers.OLD_DEFAULT[kind][0]
    if rated_cop < chillers.minimum_cop(kind, cap):
        notes.append(f"old COP {rated_cop:g} is below the GB 50189-2015 minimum {chillers.minimum_cop(kind, cap):g}")
    notes.insert(0, f"{cap:,.0f} kW {kind}-cooled, IPLV {old:g} aged {age:g} yr -> {old_eff:.2f}; new grade "
                    f"{p.chiller.new_grade} IPLV {new_iplv:g}; {eflh:,.0f} full-load h")
    return sav, dflt, notes, 0.0


def _lift(row, p: RetrofitParams):
    dflt = []
    base_spec = lifts.LiftSpec()
    over = {}
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
    spec = replace(base_spec, **over)
    if spec.kind == "hydraulic":
        spec = replace(spec, e_spr=5.0)
    if _given(row, "lift_e_rc_wh"):  # measured cycle energies: back out E_spr and E_sc
        sc = row["lift_e_sc_wh"] if _given(row, "lift_e_sc_wh") else spec.e_sc_wh
        spec = replace(spec, e_sc_wh=sc, e_spr=(row["lift_e_rc_wh"] - sc) * 1000 / (2 * spec.rated_load_kg
                                                                                    * spec.travel_m))
    else:
        dflt.append("lift_e_rc_wh")
    if _given(row, "lift_count"):
        count = row["lift_count"]
    else:
        count = float(np.ceil(row["floor_area_m2"] / LIFT_AREA_M2))
        dflt.append("lift_count")
    chosen = tuple(m for m in LIFT_PACKAGE if spec.kind == "traction" or m not in ("vvvf_pm", "regen"))
    b, a = lifts.lift_annual_kwh(spec, chosen)
    d = lifts.lift_daily(spec)
    capex = count * sum(LIFT_COST[m][0] for m in chosen)
    life = sum(LIFT_COST[m][0] * LIFT_COST[m][1] for m in chosen) / max(sum(LIFT_COST[m][0] for m in chosen), 1)
    sav = savings_table({"electricity_kwh": b * count}, {"electricity_kwh": a * count}, capex, life, p.prices)
    note = (f"{count:g} lift(s), usage category {spec.usage_category}, running class {d['running_class']}, "
            f"standby class {d['standby_class']}, {float(d['standby_wh']) / float(d['total_wh']):.0%} standby; "
            f"measures {'+'.join(chosen)}")
    return sav, dflt, [note], 0.0


def evaluate(buildings: pd.DataFrame, temp_air: dict, params: RetrofitParams = RetrofitParams()) -> pd.DataFrame:
    """The savings table of every applicable measure of every building.

    Parameters
    ----------
    buildings : DataFrame
        Clean buildings (:func:`retrofit.buildings.validate_buildings`).
    temp_air : dict
        building_id -> 8760 hourly outdoor temperatures [C].
    params : RetrofitParams
    """
    rows = []
    for _, row in buildings.iterrows():
        row = row.to_dict()
        clim = hvac_climate(temp_air[row["building_id"]], row["category"])
        ident = {k: row[k] for k in COLUMNS_ID[:-1]}
        for m in _measures(row):
            if m == "gshp":
                res = _gshp(row, clim, temp_air[row["building_id"]], params)
            elif m == "led":
                res = _led(row, params)
            elif m == "chiller":
                res = _chiller(row, clim, params)
            else:
                res = _lift(row, params)
            sav, dflt, notes, inter = res
            bill = row.get("electricity_kwh", np.nan)
            if np.isfinite(bill) and sav["baseline_electricity_kwh"].iloc[0] > bill > 0:
                notes.append(f"this measure's baseline electricity ({sav['baseline_electricity_kwh'].iloc[0]:,.0f} "
                             f"kWh) exceeds the building's bill ({bill:,.0f} kWh): check the inputs")
            rows.append(_row({**ident, "measure": m}, sav, dflt, notes, inter))
    cols = COLUMNS_ID + list(savings_table({}, {}, 0.0, 0.0, params.prices).columns) + \
        ["interaction_kwh", "fluid_min_c", "fluid_max_c", "defaulted", "notes"]
    out = pd.DataFrame(rows, columns=cols)
    out["counted"] = True
    hvac = out[out["measure"].isin(["gshp", "chiller"])]
    for _, g in hvac.groupby("building_id"):
        if len(g) > 1:
            keep = g["saved_cny"].idxmax()
            out.loc[[i for i in g.index if i != keep], "counted"] = False
    return out
