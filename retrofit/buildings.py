"""The buildings table: columns, Chinese headers, and row-by-row validation (pure).

One row per building. Every input row ends in the clean table or in the
rejects, with its row number, the column and the reason. Blank cells are
allowed (a measure falls back to documented defaults and says so); text where
a number belongs, negative areas, COP <= 0 and unknown categories are not.

Columns
-------
building_id, site_id, name, category, floor_area_m2 (required > 0), lat, lon
    Identity, use and place (lat/lon pick the weather year; blank falls back to the site's).
electricity_kwh, gas_m3, coal_kg
    Annual energy bills by carrier; ``electricity_kwh_<year>`` etc. (1-3 years) are averaged.
heating_load_kwh, cooling_load_kwh
    Annual heat and cooling delivered [kWh thermal], when known (metered); otherwise from floor area and climate.
heating_plant, cooling_plant
    Plant a GSHP would replace (see :data:`retrofit.gshp.HEATING_PLANTS`, ``COOLING_PLANTS``).
fixture_type, fixture_count, fixture_w, occupancy_sensors, daylight_dimming, lighting_hours
    Lighting inventory and controls to add (yes/no).
chiller_kw, chiller_kind, chiller_cop, chiller_iplv, chiller_age_years
    Existing chiller (capacity of cooling [kW], ``air``/``water``).
lift_count, lift_load_kg, lift_travel_m, lift_stops, lift_usage_category, lift_kind,
lift_e_rc_wh, lift_e_sc_wh, lift_standby_w
    Lifts: count and the ISO 25745-2 inputs (measured cycle energies where known).
city
    City the building is in (e.g. 十堰), for the GB 50736-2012 design temperatures (blank: the
    listed city within 50 km of lat/lon, see :mod:`retrofit.design`).
occupants, water_t
    People served and annual water use [t], for the indicators (:mod:`solarplan.planning.indicators`).
electricity_price_cny_per_kwh
    The site's electricity price (blank: ``[retrofit] electricity_cny_per_kwh``); the pipeline fills it
    from the PV sites' tariff so PV and retrofit value a kWh alike.
renewal_due
    Comma-separated measures due anyway for age or safety (e.g. ``lift``): judged on their cost above a
    like-for-like renewal.
package
    Contract package the building belongs to (blank: one package for the whole table).
measures
    Comma-separated subset of gshp, led, chiller, lift (blank: every measure the row supports).
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from solarplan.core.limits import PLAUSIBLE, implausible
from solarplan.io.inventory import read_register
from solarplan.io.engine import (SKIP_COLUMNS, Field, Rejects, Schema, map_headers, numbers, skip_kinds,
                                 skipped_frame, summary_line, text, texts, words)
from solarplan.io.vocab import parse_category

from .chillers import GRADES
from .gshp import COOLING_PLANTS, HEATING_PLANTS
from .lighting import FIXTURES

MEASURES = ("gshp", "led", "chiller", "lift")

ALIASES: dict[str, tuple[str, ...]] = {
    "building_id": ("building_id", "建筑编号", "楼栋编号", "building"),
    "site_id": ("site_id", "编号", "单位编号", "机构编号", "site"),
    "name": ("name", "名称", "单位名称", "建筑名称", "机构名称"),
    "category": ("category", "类型", "单位类型", "机构类型", "类别"),
    "floor_area_m2": ("floor_area_m2", "建筑面积", "建筑面积m2", "floor_area", "面积", "总建筑面积", "建筑面积平方米"),
    "row_no": ("序号", "no.", "row_no"),
    "address": ("address", "地址", "详细地址", "建筑地址"),
    "lat": ("lat", "latitude", "纬度"), "lon": ("lon", "lng", "longitude", "经度"),
    "electricity_kwh": ("electricity_kwh", "年用电量", "年用电量kwh", "用电量", "年耗电量"),
    "gas_m3": ("gas_m3", "年用气量", "天然气m3", "用气量"),
    "coal_kg": ("coal_kg", "年用煤量kg", "用煤量"),
    "heating_load_kwh": ("heating_load_kwh", "年供热量kwh", "年热负荷"),
    "cooling_load_kwh": ("cooling_load_kwh", "年供冷量kwh", "年冷负荷"),
    "heating_plant": ("heating_plant", "供暖方式", "采暖方式", "热源"),
    "cooling_plant": ("cooling_plant", "制冷方式", "空调方式", "冷源"),
    "fixture_type": ("fixture_type", "灯具类型"), "fixture_count": ("fixture_count", "灯具数量"),
    "fixture_w": ("fixture_w", "灯具功率", "灯具功率w"),
    "occupancy_sensors": ("occupancy_sensors", "人体感应"), "daylight_dimming": ("daylight_dimming", "日光调光"),
    "lighting_hours": ("lighting_hours", "照明小时数", "照明时间"),
    "chiller_kw": ("chiller_kw", "冷机制冷量", "冷机制冷量kw"), "chiller_kind": ("chiller_kind", "冷机类型"),
    "chiller_cop": ("chiller_cop", "冷机cop"), "chiller_iplv": ("chiller_iplv", "冷机iplv"),
    "chiller_age_years": ("chiller_age_years", "冷机年限", "冷机使用年限"),
    "lift_count": ("lift_count", "电梯数量", "电梯台数"), "lift_load_kg": ("lift_load_kg", "电梯载重", "额定载重"),
    "lift_travel_m": ("lift_travel_m", "提升高度"), "lift_stops": ("lift_stops", "层站数"),
    "lift_usage_category": ("lift_usage_category", "使用类别"), "lift_kind": ("lift_kind", "电梯类型"),
    "lift_e_rc_wh": ("lift_e_rc_wh",), "lift_e_sc_wh": ("lift_e_sc_wh",),
    "lift_standby_w": ("lift_standby_w", "待机功率"),
    "measures": ("measures", "措施", "改造措施"),
    "city": ("city", "城市", "所在城市", "市"), "occupants": ("occupants", "用能人数", "人数", "在编人数"),
    "water_t": ("water_t", "年用水量", "用水量", "用水量t"),
    "electricity_price_cny_per_kwh": ("electricity_price_cny_per_kwh", "电价", "tariff_cny_per_kwh"),
    "renewal_due": ("renewal_due", "到期更新", "更新改造"),
    "package": ("package", "包号", "打包", "项目包"),
}
#: Numeric columns: (lowest accepted, inclusive?). Zero area and COP <= 0 are errors.
NUMERIC = {
    "floor_area_m2": (0.0, False), "lat": (-90.0, True), "lon": (-180.0, True),
    "electricity_kwh": (0.0, True), "gas_m3": (0.0, True), "coal_kg": (0.0, True),
    "heating_load_kwh": (0.0, True), "cooling_load_kwh": (0.0, True),
    "fixture_count": (0.0, True), "fixture_w": (0.0, False), "lighting_hours": (0.0, True),
    "chiller_kw": (0.0, True), "chiller_cop": (0.0, False), "chiller_iplv": (0.0, False),
    "chiller_age_years": (0.0, True), "lift_count": (0.0, True), "lift_load_kg": (0.0, False),
    "lift_travel_m": (0.0, False), "lift_stops": (2.0, True), "lift_usage_category": (1.0, True),
    "lift_e_rc_wh": (0.0, False), "lift_e_sc_wh": (0.0, True), "lift_standby_w": (0.0, True),
    "occupants": (0.0, True), "water_t": (0.0, True), "electricity_price_cny_per_kwh": (0.0, True),
}
#: Columns checked against solarplan.core.limits.PLAUSIBLE (column -> table entry).
PLAUSIBLE_COLUMNS = {"floor_area_m2": "floor_area_m2", "lat": "lat", "lon": "lon"}
CHOICES = {
    "heating_plant": tuple(HEATING_PLANTS), "cooling_plant": tuple(COOLING_PLANTS),
    "fixture_type": tuple(FIXTURES), "chiller_kind": tuple(sorted({k for k, _ in GRADES})),
    "lift_kind": ("traction", "hydraulic"),
}
WORDS = {  # Chinese words for the choices
    "燃气锅炉": "gas_boiler", "燃煤锅炉": "coal_boiler", "空气源热泵": "ashp", "分体空调": "split_ac",
    "电暖": "electric", "电采暖": "electric", "冷水机组": "chiller", "无": "none",
    "风冷": "air", "水冷": "water", "曳引": "traction", "液压": "hydraulic",
}
YES = {"yes", "y", "true", "1", "是", "有"}
NO = {"no", "n", "false", "0", "否", "无", ""}
REJECT_COLUMNS = ["source_file", "source_row", "building_id", "site_id", "column", "value", "reason"]
_YEARLY = re.compile(r"^(electricity_kwh|gas_m3|coal_kg)_(\d{4})$")


#: Dimension of the numeric columns whose header may carry a unit (建筑面积（万平方米）, 年用电量（万千瓦时）).
DIMENSIONS = {"floor_area_m2": "area", "electricity_kwh": "energy", "heating_load_kwh": "energy",
              "cooling_load_kwh": "energy", "chiller_kw": "power"}
#: The buildings schema of the one validation engine (:mod:`solarplan.io.engine`).
BUILDINGS = Schema("buildings", {
    c: (Field(c, "coord" if c in ("lat", "lon") else "number", a, DIMENSIONS.get(c), NUMERIC[c][0],
              {"lat": 90.0, "lon": 180.0}.get(c, np.inf), NUMERIC[c][1]) if c in NUMERIC
        else Field(c, "text", a)) for c, a in ALIASES.items()},
    patterns=((re.compile(r"^(electricity_kwh|gas_m3|coal_kg)_(\d{4})$"), Field("yearly", "number", lo=0.0)),))


@dataclass(frozen=True)
class BuildingsResult:
    """Clean buildings (canonical columns, numbers as floats), rejects, skipped rows and the input count."""

    clean: pd.DataFrame
    rejects: pd.DataFrame
    n_input: int
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SKIP_COLUMNS))
    messages: tuple[str, ...] = ()
    row_label: str = "row"

    def summary(self) -> str:
        n_ok, n_bad = len(self.clean), len(self.rejects)
        area = self.clean["floor_area_m2"].sum() if n_ok else 0.0
        return (f"{summary_line(self.n_input, n_ok, n_bad, self.skipped, 'buildings')}; "
                f"{area:,.0f} m2 of floor")


def canonical_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Rename known headers (Chinese or English, units in brackets) to canonical names; keep the others."""
    return df.rename(columns=dict(map_headers(df.columns, BUILDINGS).rename))


def read_buildings_table(path, sheet=None, header_row: int | None = None) -> BuildingsResult:
    """Read and validate a buildings table (CSV or XLSX, header and sheet found as for inventories)."""
    reg = read_register(path, BUILDINGS, sheet, header_row)
    res = validate_buildings(reg.frame, reg.rows, str(path), reg.label, factors=reg.headers.factors)
    return BuildingsResult(res.clean, res.rejects, res.n_input, res.skipped, reg.messages, reg.label)


def validate_buildings(raw: pd.DataFrame, source_rows, source_file: str = "<table>",
                       row_label: str = "row", factors=None) -> BuildingsResult:
    """Validate a buildings table (headers mapped by :func:`canonical_columns` if not yet canonical)."""
    hm = map_headers(raw.columns, BUILDINGS)
    raw = raw.reset_index(drop=True).rename(columns=dict(hm.rename))
    factors = {**hm.factors, **(factors or {})}
    all_rows = np.asarray(source_rows)
    kinds = skip_kinds(raw, ("name", "building_id", "site_id", "row_no"))
    skipped = skipped_frame(kinds, raw, all_rows, source_file)
    n_input = len(raw)
    raw, rows = raw[kinds == ""].reset_index(drop=True), all_rows[kinds == ""]
    n = len(raw)
    blank = pd.Series([""] * n, dtype=object)
    col = lambda c: raw[c] if c in raw.columns else blank  # noqa: E731
    site = texts(col("site_id"))
    bid = texts(col("building_id"))
    seen: dict[str, int] = {}
    ids = []
    for b, s in zip(bid, site):  # blank ids become <site_id>-B<n>, n counting within the site
        seen[s] = seen.get(s, 0) + 1
        ids.append(b or (f"{s}-B{seen[s]}" if s else f"row{len(ids) + 1}"))
    bid = pd.Series(ids, dtype=object)
    rej = Rejects(rows, row_label)
    notes: list[list[str]] = [[] for _ in range(n)]
    for i in np.flatnonzero(site == ""):
        rej.add(i, "site_id", "", "site_id is empty; every building needs the id of its institution")
    out = pd.DataFrame({"building_id": bid, "site_id": site, "name": texts(col("name")),
                        "package": texts(col("package")), "city": texts(col("city"))})
    dup = bid.duplicated(keep="first") & (bid != "")
    for i in np.flatnonzero(dup):
        rej.add(i, "building_id", bid[i], f"building_id {bid[i]!r} repeats an earlier row; ids must be unique")
    out["category"] = [c or "" for c in words(col("category"), parse_category, "category", rej, notes, "other")]
    yearly = {c: [k for k in raw.columns if (m := _YEARLY.match(str(k))) and m.group(1) == c]
              for c in ("electricity_kwh", "gas_m3", "coal_kg")}
    for c in NUMERIC:
        vals = numbers(col(c), BUILDINGS.fields[c], rej, notes, factors.get(c, 1.0))
        if c == "lift_usage_category":
            for i in np.flatnonzero(np.isfinite(vals) & ((vals != np.round(vals)) | (vals > 6))):
                rej.add(i, c, col(c)[i], f"{c} must be an ISO 25745-2 usage category 1-6, got {vals[i]:g}")
        out[c] = vals
    for c, limit in PLAUSIBLE_COLUMNS.items():  # magnitudes (solarplan.core.limits): slips of units or digits
        for i in np.flatnonzero(implausible(limit, out[c].to_numpy(float))):
            rej.add(i, c, col(c)[i], f"{c} {out[c].iloc[i]:g} is implausible; accepted: "
                                     f"{PLAUSIBLE[limit].describe()} (check the unit and the digits)")
    for c, cols in yearly.items():  # average 1-3 years of bills where the single column is blank
        if cols:
            years = np.column_stack([numbers(raw[k], Field(k, "number", lo=0.0), rej, notes) for k in cols])
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all years blank -> NaN, which is intended
                mean = np.nanmean(years, axis=1)
            out[c] = np.where(np.isnan(out[c]), mean, out[c])
            out[f"{c}_years"] = np.sum(np.isfinite(years), axis=1)
    for i in np.flatnonzero(np.isnan(out["floor_area_m2"].to_numpy())):
        rej.add(i, "floor_area_m2", "", "floor_area_m2 is empty; every building needs its floor area [m2]")
    for c, valid in CHOICES.items():
        t = texts(col(c))
        vals = [WORDS.get(x, x.lower()) for x in t]
        for i, v in enumerate(vals):
            if v and v not in valid:
                rej.add(i, c, t[i], f"{c} {v!r} is not known; valid: {', '.join(valid)} (or 燃气锅炉, 空气源热泵, "
                        "分体空调, 风冷, 水冷, 曳引, 液压 ...)")
        out[c] = vals
    for c in ("occupancy_sensors", "daylight_dimming"):
        t = texts(col(c)).str.lower()
        for i in np.flatnonzero(~t.isin(YES | NO).to_numpy()):
            rej.add(i, c, t[i], f"{c} must be yes or no, got {t[i]!r}")
        out[c] = t.isin(YES).to_numpy()
    meas = []
    for i, v in enumerate(col("measures")):
        items = tuple(m.strip().lower() for m in re.split(r"[,;，、\s]+", text(v)) if m.strip())
        bad = [m for m in items if m not in MEASURES]
        if bad:
            rej.add(i, "measures", v, f"unknown measure {bad[0]!r}; valid: {', '.join(MEASURES)}")
        meas.append(",".join(items))
    out["measures"] = meas
    due = []
    for i, v in enumerate(col("renewal_due")):
        items = tuple(m.strip().lower() for m in re.split(r"[,;，、\s]+", text(v)) if m.strip())
        bad = [m for m in items if m not in MEASURES]
        if bad:
            rej.add(i, "renewal_due", v, f"unknown measure {bad[0]!r}; valid: {', '.join(MEASURES)}")
        due.append(",".join(items))
    out["renewal_due"] = due
    out["notes"] = ["; ".join(x) for x in notes]
    out["source_row"] = rows
    bad = np.array(sorted(rej.reason), dtype=int)
    rejects = pd.DataFrame([{"source_file": source_file, "source_row": rows[i], "building_id": bid[i],
                             "site_id": site[i], "column": rej.reason[i][0], "value": rej.reason[i][1],
                             "reason": rej.reason[i][2]} for i in bad], columns=REJECT_COLUMNS)
    clean = out.drop(index=bad).reset_index(drop=True)
    return BuildingsResult(clean, rejects, n_input, skipped, (), row_label)
