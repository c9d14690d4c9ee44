"""The shortlist workbook's layout: a packages sheet and one sheet per package, with display headers.

Pure: builds the tables (columns renamed to zh or en display headers with units); writing them is
:func:`solarplan.io.writers.write_sheets`.
"""
from __future__ import annotations

import pandas as pd

from solarplan.core.errors import ConfigError

#: Shortlist headers: column -> (English, Chinese) with display units.
SHORTLIST_COLUMNS = {
    "package_rank": ("Package rank", "包排名"), "site_rank": ("Site rank", "场址排名"),
    "package_id": ("Package", "项目包"), "site_id": ("Site id", "编号"), "name": ("Name", "单位名称"),
    "category": ("Category", "类型"), "district": ("District", "区县"), "n_sites": ("Sites", "场址数"),
    "capacity_mw": ("Capacity [MW]", "装机容量[MW]"), "annual_wan_kwh": ("Yield [万kWh/yr]", "年发电量[万kWh]"),
    "specific_yield_kwh_per_kwp": ("Specific yield [kWh/kWp]", "等效利用小时[kWh/kWp]"),
    "annual_tce": ("Coal saved [tce/yr]", "节约标煤[tce/年]"), "annual_co2_t": ("CO2 avoided [t/yr]", "减排CO2[t/年]"),
    "capex_wan_cny": ("Investment [万元]", "投资[万元]"), "irr": ("IRR", "内部收益率"),
    "simple_payback_yr": ("Payback [yr]", "回收期[年]"), "spread_km": ("Spread [km]", "分布范围[km]"),
    "roof_score": ("Roof type score [0-1]", "屋面条件评分[0-1]"),
    "score": ("Score", "评分"), "bound_violation": ("Bound violated", "超限说明"),
}
PACKAGE_COLUMNS = ["package_rank", "package_id", "category", "district", "n_sites", "capacity_mw", "annual_wan_kwh",
                   "specific_yield_kwh_per_kwp", "annual_tce", "annual_co2_t", "capex_wan_cny", "irr", "spread_km",
                   "roof_score", "score", "bound_violation"]
SITE_COLUMNS = ["site_rank", "site_id", "name", "category", "district", "capacity_mw", "annual_wan_kwh",
                "specific_yield_kwh_per_kwp", "annual_tce", "annual_co2_t", "capex_wan_cny", "irr",
                "simple_payback_yr", "roof_score", "score"]


def check_lang(lang: str) -> str:
    """``zh`` or ``en``; anything else is a user error."""
    if lang not in ("zh", "en"):
        raise ConfigError(f"--lang must be zh or en, not {lang!r}")
    return lang


def shortlist_frame(df: pd.DataFrame, cols: list[str], lang: str) -> pd.DataFrame:
    """The given columns in display units (MW, 万kWh, 万元), rounded, with display headers."""
    d = df.copy()
    d["capacity_mw"] = d["capacity_kwp"] / 1000
    d["annual_wan_kwh"] = d["annual_ac_kwh"] / 1e4
    if "capex_cny" in d:
        d["capex_wan_cny"] = d["capex_cny"] / 1e4
    cols = [c for c in cols if c in d]
    d = d[cols].round(3)
    i = 1 if check_lang(lang) == "zh" else 0
    return d.rename(columns={c: SHORTLIST_COLUMNS[c][i] for c in cols})


def shortlist_sheets(packaged_sites: pd.DataFrame, packages: pd.DataFrame, lang: str = "zh") -> list:
    """(sheet name, table) pairs: the packages summary, then one sheet per package (sites by rank).

    Names are the package ids as they are; the writer makes them valid and unique for Excel
    (:func:`solarplan.io.writers.sheet_title`), so two ids alike in 31 characters keep two sheets."""
    sheets = [("packages" if check_lang(lang) == "en" else "项目包汇总", shortlist_frame(
        packages.rename(columns={"rank": "package_rank"}), PACKAGE_COLUMNS, lang))]
    for pid, g in packaged_sites.groupby("package_id", sort=False):
        sheets.append((str(pid), shortlist_frame(g.sort_values("site_rank"), SITE_COLUMNS, lang)))
    return sheets
