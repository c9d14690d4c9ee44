"""The indicators public institutions report, before and after the recommended measures and PV (pure).

Public-institution energy statistics (公共机构能源资源消费统计) and the yearly
targets in the documents (shared/context/seeds/000, 004) track energy per
person, energy per m² of floor, water per person and carbon per m². This module
computes them per institution (site) and for the whole register, at three
stages: ``before`` (the bills), ``retrofit`` (after the *counted* retrofit
measures) and ``retrofit_pv`` (also after the PV electricity the institution
uses itself).

Columns of the indicators table (one row per institution, then one row
``site_id == "ALL"`` for the whole register)
---------------------------------------------------------------------------
site_id, name, category
    Institution.
floor_area_m2, occupants
    Floor area [m²] and people served (用能人数); occupants blank -> per-person figures NaN.
electricity_kwh_<stage>, gas_m3_<stage>, coal_kg_<stage>
    Purchased energy by carrier [kWh, m³, kg per year].
energy_kgce_<stage>
    Comprehensive energy (综合能耗) [kgce/yr] on the calorific basis of GB/T 2589-2020
    (electricity 0.1229 kgce/kWh; :mod:`solarplan.core.factors`).
kgce_per_person_<stage>, kgce_per_m2_<stage>, kwh_per_m2_<stage>, kgco2_per_m2_<stage>
    The indicators [kgce/人, kgce/m², kWh/m², kg CO2/m²].
water_t_per_person
    Water [t/人] where given (no measure here changes it).
quota_kwh_per_m2, quota_guide_kwh_per_m2, quota_source, quota_status, within_quota_<stage>
    The category's energy-use quota where one covers it (``data/energy_quotas.csv``: office
    buildings, GB/T 51161-2016 non-heating electricity; the values are marked as not verified
    against the printed standard), and whether kWh/m² is at or below the constraint value.
retrofit_measures_counted, retrofit_measures_left_out
    How many evaluated measures entered ``retrofit`` and how many did not.

Stages: PV counts only the self-consumed kWh (it replaces purchased electricity); the export is
not subtracted. It is capped at the electricity left after the retrofit.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from solarplan.core.i18n import check_lang
from solarplan.core.factors import fuel_to_co2_t, fuel_to_tce, kwh_to_co2_t, kwh_to_tce
from solarplan.core.resources import data_path

STAGES = ("before", "retrofit", "retrofit_pv")
CARRIERS = ("electricity_kwh", "gas_m3", "coal_kg")
_FUEL = {"gas_m3": "natural_gas", "coal_kg": "raw_coal"}
#: Chinese headers for zh output: column stem -> header.
ZH = {"site_id": "编号", "name": "单位名称", "category": "类型", "floor_area_m2": "建筑面积[m²]",
      "occupants": "用能人数", "water_t_per_person": "人均用水量[t/人]",
      "quota_kwh_per_m2": "能耗指标约束值[kWh/m²]", "quota_guide_kwh_per_m2": "能耗指标引导值[kWh/m²]",
      "quota_source": "定额来源", "quota_status": "定额核实状态",
      "retrofit_measures_counted": "计入改造措施数", "retrofit_measures_left_out": "未计入改造措施数"}
_ZH_STEM = {"electricity_kwh": "用电量[kWh]", "gas_m3": "用气量[m³]", "coal_kg": "用煤量[kg]",
            "energy_kgce": "综合能耗[kgce]", "kgce_per_person": "人均综合能耗[kgce/人]",
            "kgce_per_m2": "单位建筑面积能耗[kgce/m²]", "kwh_per_m2": "单位建筑面积电耗[kWh/m²]",
            "kgco2_per_m2": "单位建筑面积碳排放[kgCO2/m²]", "within_quota": "是否满足约束值"}
_ZH_STAGE = {"before": "现状", "retrofit": "改造后", "retrofit_pv": "改造+光伏后"}


def quotas() -> pd.DataFrame:
    """The shipped quota table (category, building_class, indicator, constraint/guide values, source, status)."""
    return pd.read_csv(data_path("energy_quotas.csv"))


def _ratio(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / b, np.nan)


def _stage_columns(df: pd.DataFrame, stage: str, tce_basis: str, grid_region: str, grid_year: int) -> None:
    e, g, c = (df[f"{k}_{stage}"].to_numpy(float) for k in CARRIERS)
    kgce = (kwh_to_tce(e, tce_basis) + fuel_to_tce(g, "natural_gas") + fuel_to_tce(c, "raw_coal")) * 1000
    co2 = (kwh_to_co2_t(e, grid_region, grid_year) + fuel_to_co2_t(g, "natural_gas")
           + fuel_to_co2_t(c, "raw_coal")) * 1000
    df[f"energy_kgce_{stage}"] = kgce
    df[f"kgce_per_person_{stage}"] = _ratio(kgce, df["occupants"])
    df[f"kgce_per_m2_{stage}"] = _ratio(kgce, df["floor_area_m2"])
    df[f"kwh_per_m2_{stage}"] = _ratio(e, df["floor_area_m2"])
    df[f"kgco2_per_m2_{stage}"] = _ratio(co2, df["floor_area_m2"])


def indicators(institutions: pd.DataFrame, retrofit: pd.DataFrame | None = None, pv: pd.DataFrame | None = None,
               tce_basis: str = "calorific", grid_region: str = "national", grid_year: int = 2023,
               quota_class: str = "A (split AC / natural ventilation)") -> pd.DataFrame:
    """The indicators table (see the module docstring for its columns).

    Parameters
    ----------
    institutions : DataFrame
        One row per building or institution with site_id, floor_area_m2 and the bills
        electricity_kwh (gas_m3, coal_kg, occupants, water_t, name, category optional);
        rows of one site_id are summed.
    retrofit : DataFrame, optional
        The retrofit table (:func:`retrofit.evaluate.evaluate`); its ``counted`` rows are applied.
    pv : DataFrame, optional
        PV sites with site_id and self_consumed_kwh.
    quota_class : str
        GB/T 51161-2016 office class of the quota compared with.
    """
    inst = institutions.copy()
    for c in (*CARRIERS, "occupants", "water_t"):
        if c not in inst:
            inst[c] = np.nan
    agg = {c: (c, lambda s: s.sum(min_count=1)) for c in (*CARRIERS, "occupants", "water_t", "floor_area_m2")}
    first = {c: (c, "first") for c in ("name", "category") if c in inst}
    df = inst.groupby("site_id", sort=False).agg(**agg, **first).reset_index()
    for c in CARRIERS:
        df[f"{c}_before"] = df[c].fillna(0.0)
    n_counted = pd.Series(0, index=df["site_id"])
    n_left = pd.Series(0, index=df["site_id"])
    saved = pd.DataFrame(0.0, index=df["site_id"], columns=list(CARRIERS))
    if retrofit is not None and len(retrofit):
        cnt = retrofit[retrofit["counted"]]
        s = cnt.groupby("site_id")[[f"saved_{c}" for c in CARRIERS]].sum()
        s.columns = list(CARRIERS)
        saved = saved.add(s.reindex(saved.index).fillna(0.0), fill_value=0.0).reindex(df["site_id"])
        n_counted = cnt.groupby("site_id").size().reindex(df["site_id"]).fillna(0).astype(int)
        n_left = retrofit[~retrofit["counted"]].groupby("site_id").size().reindex(df["site_id"]).fillna(0).astype(int)
    for c in CARRIERS:
        df[f"{c}_retrofit"] = np.maximum(df[f"{c}_before"].to_numpy() - saved[c].to_numpy(), 0.0)
        df[f"{c}_retrofit_pv"] = df[f"{c}_retrofit"]
    if pv is not None and len(pv) and "self_consumed_kwh" in pv:
        sc = pv.groupby("site_id")["self_consumed_kwh"].sum().reindex(df["site_id"]).fillna(0.0).to_numpy()
        df["electricity_kwh_retrofit_pv"] = np.maximum(df["electricity_kwh_retrofit"].to_numpy() - sc, 0.0)
    df = df.drop(columns=list(CARRIERS))
    total = {"site_id": "ALL", "name": "全部 / whole register", "category": ""}
    for c in df.columns:
        if c not in total and c not in ("name", "category", "site_id"):
            total[c] = df[c].sum(min_count=1)
    df = pd.concat([df, pd.DataFrame([total])], ignore_index=True)
    for stage in STAGES:
        _stage_columns(df, stage, tce_basis, grid_region, grid_year)
    df["water_t_per_person"] = _ratio(df["water_t"], df["occupants"])
    df = df.drop(columns=["water_t"])
    q = quotas()
    q = q[(q["indicator"] == "electricity_kwh_per_m2") & (q["building_class"] == quota_class)].set_index("category")
    cat = df["category"].fillna("")
    df["quota_kwh_per_m2"] = cat.map(q["constraint_value"]).astype(float)
    df["quota_guide_kwh_per_m2"] = cat.map(q["guide_value"]).astype(float)
    df["quota_source"] = cat.map(q["source"]).fillna("no quota covers this category")
    df["quota_status"] = cat.map(q["status"]).fillna("")
    for stage in STAGES:
        df[f"within_quota_{stage}"] = np.where(df["quota_kwh_per_m2"].notna(),
                                               (df[f"kwh_per_m2_{stage}"] <= df["quota_kwh_per_m2"]).astype(object),
                                               None)
    counted = pd.concat([n_counted.reset_index(drop=True), pd.Series([int(n_counted.sum())])], ignore_index=True)
    left = pd.concat([n_left.reset_index(drop=True), pd.Series([int(n_left.sum())])], ignore_index=True)
    df["retrofit_measures_counted"] = counted.to_numpy()
    df["retrofit_measures_left_out"] = left.to_numpy()
    return df


#: English headers for en output: column stem -> header.
EN = {"site_id": "Site", "name": "Institution", "category": "Category", "floor_area_m2": "Floor area [m²]",
      "occupants": "Occupants", "water_t_per_person": "Water per person [t/person]",
      "quota_kwh_per_m2": "Quota, constraint [kWh/m²]", "quota_guide_kwh_per_m2": "Quota, guide [kWh/m²]",
      "quota_source": "Quota source", "quota_status": "Quota status",
      "retrofit_measures_counted": "Retrofit measures counted", "retrofit_measures_left_out": "Retrofit measures left out"}
_EN_STEM = {"electricity_kwh": "Electricity [kWh]", "gas_m3": "Gas [m³]", "coal_kg": "Coal [kg]",
            "energy_kgce": "Energy [kgce]", "kgce_per_person": "Energy per person [kgce/person]",
            "kgce_per_m2": "Energy per m² [kgce/m²]", "kwh_per_m2": "Electricity per m² [kWh/m²]",
            "kgco2_per_m2": "CO2 per m² [kg CO2/m²]", "within_quota": "Within quota"}
_EN_STAGE = {"before": "before", "retrofit": "after retrofit", "retrofit_pv": "after retrofit and PV"}
#: The register's indicators, in the order the documents report them: column stem, zh name, unit (zh, en).
REGISTER = (("kgce_per_person", "人均综合能耗", "kgce/人", "Energy per person", "kgce/person"),
            ("kgce_per_m2", "单位建筑面积能耗", "kgce/m²", "Energy per m² of floor", "kgce/m²"),
            ("kwh_per_m2", "单位建筑面积电耗", "kWh/m²", "Electricity per m² of floor", "kWh/m²"),
            ("kgco2_per_m2", "单位建筑面积碳排放", "kgCO2/m²", "CO2 per m² of floor", "kg CO2/m²"),
            ("water_t_per_person", "人均用水量", "t/人", "Water per person", "t/person"))


def headers(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The per-institution table with the headers of ``lang`` (``zh``: Chinese, default; ``en``: English)."""
    check_lang(lang)
    if lang == "zh":
        return zh_headers(df)
    def name(c):
        if c in EN:
            return EN[c]
        for stage in sorted(STAGES, key=len, reverse=True):
            if c.endswith("_" + stage) and c[: -len(stage) - 1] in _EN_STEM:
                return f"{_EN_STEM[c[: -len(stage) - 1]]}, {_EN_STAGE[stage]}"
        return c
    return df.rename(columns={c: name(c) for c in df.columns})


def register(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The whole register's indicators (the ``ALL`` row of :func:`indicators`), one row per indicator.

    Columns (en): indicator, unit, before, after retrofit, after retrofit and PV; (zh) 指标, 单位, 现状,
    改造后, 改造+光伏后. Water has no after-values (no measure here changes it).
    """
    check_lang(lang)
    row = df[df["site_id"] == "ALL"].iloc[0]
    rows = []
    for stem, zh, zh_unit, en, en_unit in REGISTER:
        vals = [row[stem], np.nan, np.nan] if stem == "water_t_per_person" else \
            [row[f"{stem}_{st}"] for st in STAGES]
        rows.append([zh if lang == "zh" else en, zh_unit if lang == "zh" else en_unit, *vals])
    cols = (["指标", "单位"] + [_ZH_STAGE[s] for s in STAGES]) if lang == "zh" else \
        (["indicator", "unit"] + [_EN_STAGE[s] for s in STAGES])
    return pd.DataFrame(rows, columns=cols)


def register_fields(df: pd.DataFrame) -> pd.DataFrame:
    """The whole register's indicators with machine field names, for CSV (stable in every language).

    Columns: ``indicator`` (the column stem, e.g. ``kgce_per_person``), ``label_zh``, ``label_en``,
    ``unit_zh``, ``unit_en``, and one column per stage: ``before``, ``retrofit``, ``retrofit_pv``.
    """
    row = df[df["site_id"] == "ALL"].iloc[0]
    rows = []
    for stem, zh, zh_unit, en, en_unit in REGISTER:
        vals = [row[stem], np.nan, np.nan] if stem == "water_t_per_person" else \
            [row[f"{stem}_{st}"] for st in STAGES]
        rows.append([stem, zh, en, zh_unit, en_unit, *vals])
    return pd.DataFrame(rows, columns=["indicator", "label_zh", "label_en", "unit_zh", "unit_en", *STAGES])


def zh_headers(df: pd.DataFrame) -> pd.DataFrame:
    """The table with Chinese headers (for ``--lang zh`` and the briefing)."""
    def name(c):
        if c in ZH:
            return ZH[c]
        for stage in sorted(STAGES, key=len, reverse=True):
            if c.endswith("_" + stage):
                stem = c[: -len(stage) - 1]
                if stem in _ZH_STEM:
                    return f"{_ZH_STEM[stem]}({_ZH_STAGE[stage]})"
        return c
    return df.rename(columns={c: name(c) for c in df.columns})
