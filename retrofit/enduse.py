"""End-use baselines calibrated to the meters (pure).

A measure saves energy from one end use (lighting, lifts, HVAC electricity,
space-heating fuel). Its baseline must be part of what the building really
uses, so where bills are given the bottom-up estimates of the end uses are
reconciled with them, carrier by carrier:

1. each modelled end use is expressed as a share of the meter;
2. the share is held inside the range the end-use split allows for the
   category (``share_low``-``share_high`` of ``data/enduse_split.csv``);
   an end use the building does not have (no lifts) stays 0;
3. the rest of the meter is "other" (plug loads, IT, kitchen, pumps); if it
   falls outside its own range the modelled end uses are scaled together so
   that it comes back inside; so the end uses always sum to the meter;
4. a building whose estimate had to move by more than a factor
   :data:`IRRECONCILABLE_FACTOR` (or whose meter shows no fuel where the
   plant burns fuel) is flagged in ``calibration_flag``: its bills and its
   description disagree, and its figures need a site visit.

Each measure's baseline and retrofit energy are then multiplied by the
factor calibrated/modelled of its end use, so its saving ratio is kept and
its saving can never exceed the calibrated baseline.

Source of the split: the lift share of about 4 % of tertiary-building
electricity is from the E4 project [1]_; the other ranges are engineering
estimates for Chinese public buildings (HVAC the largest electric end use,
lighting second, hospitals with large process loads), wide on purpose. A
national sub-metered statistic (the 分项计量 data of the public-building
energy monitoring platforms) should replace them when available: the table
is data, not code.

References
----------
.. [1] Patrao, C., de Almeida, A., Fong, J., Rivet, L. (2009). Energy efficient elevators
   and escalators. ECEEE Summer Study 2009, panel 4 (E4 project, IEE EIE/07/111):
   "Elevators use about 4 % of the electricity in tertiary sector buildings".
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from solarplan.core.resources import data_path

TABLE = "enduse_split.csv"
ELECTRIC_USES = ("hvac", "lighting", "lifts")
#: Moving an estimate by more than this factor to reach the meter flags the building (estimate).
IRRECONCILABLE_FACTOR = 2.0


@lru_cache(maxsize=1)
def split_table() -> pd.DataFrame:
    """The shipped end-use split (category, carrier, end_use, share_low/typical/high, basis)."""
    return pd.read_csv(data_path(TABLE))


def shares(category: str, carrier: str) -> dict:
    """end_use -> (low, typical, high) for a category and carrier ('electricity' or 'fuel')."""
    t = split_table()
    g = t[(t["category"] == category) & (t["carrier"] == carrier)]
    if not len(g):
        g = t[(t["category"] == "other") & (t["carrier"] == carrier)]
    return {r.end_use: (r.share_low, r.share_typical, r.share_high) for r in g.itertuples()}


def _moved(model, cal) -> bool:
    if model <= 0:
        return False
    r = cal / model
    return r > IRRECONCILABLE_FACTOR or r < 1 / IRRECONCILABLE_FACTOR


def calibrate_electricity(meter_kwh: float, modelled: dict, category: str) -> tuple[dict, str]:
    """Calibrated electricity end uses [kWh/yr] (keys of ``modelled`` plus 'other') and a flag.

    Without a meter (NaN or <= 0) the modelled values are returned unchanged and the flag says so.
    """
    if not (np.isfinite(meter_kwh) and meter_kwh > 0):
        return dict(modelled), "no metered electricity: end uses are model estimates"
    sp = shares(category, "electricity")
    uses = [u for u in modelled if modelled[u] > 0]
    s = {u: float(np.clip(modelled[u] / meter_kwh, sp[u][0], sp[u][2])) if u in uses else 0.0 for u in modelled}
    lo_o, _, hi_o = sp["other"]
    for _ in range(3):  # bring 'other' inside its range by scaling the modelled end uses together
        tot = sum(s.values())
        if tot <= 0:
            break
        if 1 - tot < lo_o:
            k = (1 - lo_o) / tot
        elif 1 - tot > hi_o:
            k = (1 - hi_o) / tot
        else:
            break
        s = {u: float(np.clip(v * k, sp[u][0], sp[u][2])) if u in uses else 0.0 for u, v in s.items()}
    if sum(s.values()) > 1:  # ranges cannot close: scale to the meter, leaving nothing for 'other'
        k = 1 / sum(s.values())
        s = {u: v * k for u, v in s.items()}
    cal = {u: v * meter_kwh for u, v in s.items()}
    cal["other"] = meter_kwh - sum(cal.values())
    moved = [f"{u} {modelled[u]:,.0f} -> {cal[u]:,.0f} kWh" for u in uses if _moved(modelled[u], cal[u])]
    flag = ("bills and estimates disagree by more than x%g (%s): check the inputs on site"
            % (IRRECONCILABLE_FACTOR, "; ".join(moved))) if moved else ""
    return cal, flag


def calibrate_fuel(meter: float, modelled: float, category: str, unit: str) -> tuple[float, str]:
    """Calibrated space-heating fuel [m3 or kg/yr] from a fuel meter, and a flag."""
    if modelled <= 0:
        return 0.0, ""
    if not np.isfinite(meter):
        return modelled, f"no metered {unit}: heating fuel is a model estimate"
    if meter <= 0:
        return 0.0, (f"the plant burns {unit} but the bills show none: no fuel saving is counted; "
                     "check the heating plant")
    lo, _, hi = shares(category, "fuel")["space_heating"]
    cal = float(np.clip(modelled / meter, lo, hi)) * meter
    flag = ("heating fuel estimate %s -> %s %s to match the bills: check the inputs on site"
            % (f"{modelled:,.0f}", f"{cal:,.0f}", unit)) if _moved(modelled, cal) else ""
    return cal, flag
