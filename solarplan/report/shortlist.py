"""The shortlist workbook's layout, written in linear time: one packages summary sheet and one sites sheet
with a package column (sites by package rank, then site rank), instead of one sheet per package.

Pure: builds tables with machine column names in display units (zh: MW, 万kWh, 万元; en: MW, MWh, CNY
million); :func:`solarplan.io.workbook.write_workbook` writes them with the headers, number formats,
package names and glossary of the chosen language.
"""
from __future__ import annotations

import pandas as pd

from solarplan.core.i18n import check_lang

PACKAGE_COLUMNS = ["package_rank", "package_id", "category", "district", "n_sites", "capacity_mw", "annual_energy",
                   "specific_yield_kwh_per_kwp", "annual_tce", "annual_co2_t", "capex", "irr", "spread_km",
                   "roof_score", "grid_class", "n_grid_flagged", "score", "bound_violation"]
SITE_COLUMNS = ["package_rank", "package_id", "site_rank", "site_id", "name", "category", "district", "capacity_mw",
                "annual_energy", "specific_yield_kwh_per_kwp", "annual_tce", "annual_co2_t", "capex", "irr",
                "simple_payback_yr", "self_consumption_share", "self_consumed_value_cny_per_kwh", "grid_class",
                "grid_mode", "roof_score", "score", "grid_flags"]
#: Display-unit columns per language: energy and money (万 only in zh).
UNITS = {"zh": ("annual_wan_kwh", 1e4, "capex_wan_cny", 1e4), "en": ("annual_mwh", 1e3, "capex_million_cny", 1e6)}


def shortlist_frame(df: pd.DataFrame, cols: list[str], lang: str) -> pd.DataFrame:
    """The given columns in display units, machine names kept (the writer shows the headers)."""
    e_col, e_div, m_col, m_div = UNITS[check_lang(lang)]
    d = df.copy()
    d["capacity_mw"] = d["capacity_kwp"] / 1000
    d[e_col] = d["annual_ac_kwh"] / e_div
    if "capex_cny" in d:
        d[m_col] = d["capex_cny"] / m_div
    cols = [{"annual_energy": e_col, "capex": m_col}.get(c, c) for c in cols]
    return d[[c for c in cols if c in d]].reset_index(drop=True)


def shortlist_sheets(packaged_sites: pd.DataFrame, packages: pd.DataFrame, lang: str = "zh") -> dict:
    """Sheet name -> table: the packages summary and all packaged sites (one sort, linear to write)."""
    check_lang(lang)
    pk = packages.rename(columns={"rank": "package_rank"})
    sites = packaged_sites.sort_values(["package_rank", "site_rank"], kind="stable") \
        if {"package_rank", "site_rank"} <= set(packaged_sites.columns) else packaged_sites
    names = ("项目包汇总", "场址清单") if lang == "zh" else ("packages", "sites")
    return {names[0]: shortlist_frame(pk, PACKAGE_COLUMNS, lang), names[1]: shortlist_frame(sites, SITE_COLUMNS, lang)}
