"""What a briefing says, computed once from a results folder, for the HTML page and the Word export alike.

:func:`briefing_content` reads ``sites.csv`` and ``packages.csv`` (required) and, when present,
``retrofit.csv`` (measures), ``deal.xlsx`` / ``deal.csv`` (a contract priced by ``solarplan contract``) and
``indicators.csv`` (per-person and per-m² indicators, see :func:`indicators`), and returns a
:class:`Briefing`: headline cards for PV, recommended retrofit measures and trusteeship, the indicator
table before and after, the top-10 sites, the package table and a recommendation paragraph generated
from those numbers. Every number in the HTML and the .docx comes from here, so both carry the same
figures. All words come from :mod:`solarplan.core.i18n`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from solarplan.core.errors import InputError
from solarplan.io.tables import read_results
from solarplan.core.i18n import TEXT, check_lang, energy, money, package_label, value_label

TOP_SITES = 10
#: Packages listed on the one-page briefing (HTML and the .docx's body); the rest are counted in a line that
#: says where they are listed, and listed in the appendix when one is asked for. The headline figures are
#: always those of all packages. 25 rows and that line stay within the height of the map beside them, so the
#: page is no taller than the demo's and prints on one A4 sheet in Chromium (measured on 315 packages: zh fits
#: up to about 33 rows, en up to 27; tests/report/test_briefing_scale.py checks one page). The demo's 12
#: packages are all shown. An estimate of what fits, not a rule from a standard.
TOP_PACKAGES = 25


@dataclass(frozen=True)
class Card:
    """One headline figure: label, number as shown, unit, and the raw value for tests and the docx."""

    key: str
    label: str
    value: str
    unit: str
    raw: float = float("nan")


@dataclass(frozen=True)
class Briefing:
    lang: str
    title: str
    pv: tuple[Card, ...]
    retrofit: tuple[Card, ...]
    trusteeship: tuple[Card, ...]
    measures: pd.DataFrame          # recommended measures: label, buildings, saving, investment, payback
    indicators: pd.DataFrame        # indicator, unit, before, after
    top_sites: pd.DataFrame         # rank, name, package, capacity, yield, payback
    packages: pd.DataFrame          # display table of the packages
    recommendation: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def _f(x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return v if math.isfinite(v) else float("nan")


def _num(x, fmt=",.1f") -> str:
    return "-" if not math.isfinite(_f(x)) else format(_f(x), fmt)


def _packaged(sites: pd.DataFrame) -> pd.DataFrame:
    return sites[sites["package_id"].fillna("").astype(str) != ""] if "package_id" in sites else sites


def pv_cards(sites: pd.DataFrame, packages: pd.DataFrame, lang: str) -> tuple[Card, ...]:
    t, s = TEXT[lang], _packaged(sites)
    cap = float(s["capacity_kwp"].sum())
    kwh = float(s["annual_ac_kwh"].sum())
    capex = float(s["capex_cny"].sum()) if "capex_cny" in s else float("nan")
    net = (float(s["year1_revenue_cny"].sum()) - float(s.get("om_cny_per_yr", pd.Series(0.0)).sum())
           if "year1_revenue_cny" in s else float("nan"))
    pb = capex / net if net > 0 else float("nan")
    e, m = energy(kwh, lang, 0), money(capex, lang)
    return (Card("pv_mw", t["mw"], _num(cap / 1000, ",.2f"), "MW", cap / 1000),
            Card("pv_yield", t["wkwh"], e[0], e[1] + ("/年" if lang == "zh" else "/yr"), kwh),
            Card("pv_tce", t["tce"], _num(s.get("annual_tce", pd.Series(dtype=float)).sum(), ",.0f"), "tce",
                 _f(s.get("annual_tce", pd.Series(dtype=float)).sum())),
            Card("pv_co2", t["co2"], _num(s.get("annual_co2_t", pd.Series(dtype=float)).sum(), ",.0f"), "t CO₂",
                 _f(s.get("annual_co2_t", pd.Series(dtype=float)).sum())),
            Card("pv_capex", t["capex"], m[0], m[1], capex),
            Card("pv_payback", t["payback"], _num(pb), t["year_unit"], pb))


def recommended_measures(retrofit: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    """The recommended measures, summed per measure: exactly the rows the retrofit table counts
    (``counted``: pays back within its life, GSHP checks passed, no double count; ``retrofit.evaluate``),
    with the investment on the cost basis the retrofit summary uses (``incremental_capex_cny``: the full cost,
    or the cost above a like-for-like renewal that is due), so the briefing and the command line agree."""
    cols = ["measure", "label", "buildings", "saved_cny", "capex_cny", "saved_tce", "saved_electricity_kwh",
            "payback_yr"]
    if retrofit is None or not len(retrofit):
        return pd.DataFrame(columns=cols)
    r = retrofit[retrofit["counted"].astype(bool)] if "counted" in retrofit else retrofit
    if not len(r):
        return pd.DataFrame(columns=cols)
    capex = "incremental_capex_cny" if "incremental_capex_cny" in r else "capex_cny"
    g = r.groupby("measure").agg(buildings=("building_id", "nunique"), saved_cny=("saved_cny", "sum"),
                                 capex_cny=(capex, "sum"), saved_tce=("saved_tce", "sum"),
                                 saved_electricity_kwh=("saved_electricity_kwh", "sum")).reset_index()
    g["payback_yr"] = g["capex_cny"] / g["saved_cny"].where(g["saved_cny"] > 0)
    g["label"] = [value_label("measure", m, lang) for m in g["measure"]]
    return g.sort_values("saved_cny", ascending=False)[cols].reset_index(drop=True)


def retrofit_cards(measures: pd.DataFrame, lang: str) -> tuple[Card, ...]:
    t = TEXT[lang]
    if not len(measures):
        return (Card("rf_measures", t["measures"], t["not_evaluated"], ""),)
    saved, capex = float(measures["saved_cny"].sum()), float(measures["capex_cny"].sum())
    sep = "、" if lang == "zh" else ", "
    e = energy(measures["saved_electricity_kwh"].sum(), lang, 0)
    return (Card("rf_measures", t["measures"], sep.join(measures["label"]), ""),
            Card("rf_saving", t["saving"], *money(saved, lang), saved),
            Card("rf_kwh", t["saved_kwh"], e[0], e[1], float(measures["saved_electricity_kwh"].sum())),
            Card("rf_capex", t["investment"], *money(capex, lang), capex),
            Card("rf_payback", t["payback"], _num(capex / saved if saved > 0 else float("nan")), t["year_unit"],
                 capex / saved if saved > 0 else float("nan")))


def read_deal(folder: Path) -> pd.DataFrame | None:
    """The packages table of a priced contract in the results folder (deal.xlsx sheet packages or deal.csv)."""
    if (folder / "deal.xlsx").exists():
        try:   # zh or en sheet and headers, mapped back to the field names through the glossary sheet
            return read_results(folder / "deal.xlsx", "packages")
        except (InputError, ValueError):
            return None
    if (folder / "deal.csv").exists():
        return pd.read_csv(folder / "deal.csv", encoding="utf-8-sig")
    return None


def trusteeship_cards(deal: pd.DataFrame | None, lang: str) -> tuple[Card, ...]:
    t = TEXT[lang]
    if deal is None or not len(deal) or "savings_cny" not in deal:
        return (Card("ts_none", t["trusteeship"], t["not_evaluated"], ""),)
    inv, inst = float(deal["investment_cny"].sum()), float(deal["institution_saving_year1_cny"].sum())
    irr = _f(deal["esco_irr"].iloc[0]) if len(deal) == 1 else float("nan")
    if len(deal) > 1:   # investment-weighted ESCO IRR across packages
        w = deal["investment_cny"].astype(float)
        irr = float((deal["esco_irr"].astype(float) * w).sum() / w.sum()) if w.sum() > 0 else float("nan")
    term = int(deal["term_years"].iloc[0]) if "term_years" in deal else 0
    return (Card("ts_investment", t["investment"], *money(inv, lang), inv),
            Card("ts_inst_saving", t["inst_saving"], *money(inst, lang), inst),
            Card("ts_irr", t["esco_irr"], "-" if not math.isfinite(irr) else f"{irr:.1%}", "", irr),
            Card("ts_term", t["term"], str(term), t["year_unit"], term))


def indicators(folder: Path, sites: pd.DataFrame, retrofit: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    """Per-person and per-m² electricity before and after PV and the recommended measures.

    An ``indicators_register.csv`` in the results folder (the register's indicators from
    :func:`solarplan.planning.indicators.register_fields`) is shown with ``after`` = after the recommended
    measures and PV. Otherwise the table is computed here from the
    sites' ``annual_load_kwh``, ``occupants`` and ``floor_area_m2``: grid electricity before; after = before
    minus self-consumed PV minus the electricity the recommended measures save.
    """
    t = TEXT[lang]
    f = folder / "indicators_register.csv"
    if f.exists():  # the register's indicators (solarplan.planning.indicators.register_fields)
        d = pd.read_csv(f, encoding="utf-8-sig")
        if {"indicator", f"label_{lang}", f"unit_{lang}", "before", "retrofit_pv"} <= set(d.columns):
            d = d[d["retrofit_pv"].notna()]
            return pd.DataFrame({"indicator": d[f"label_{lang}"], "unit": d[f"unit_{lang}"],
                                 "before": d["before"], "after": d["retrofit_pv"]}).reset_index(drop=True)
    need = {"annual_load_kwh", "occupants", "floor_area_m2"}
    if not need <= set(sites.columns):
        return pd.DataFrame(columns=["indicator", "unit", "before", "after"])
    s = sites.drop_duplicates("site_id")
    load = float(pd.to_numeric(s["annual_load_kwh"], errors="coerce").sum())
    people = float(pd.to_numeric(s["occupants"], errors="coerce").sum())
    area = float(pd.to_numeric(s["floor_area_m2"], errors="coerce").sum())
    pv = float(_packaged(s).get("self_consumed_kwh", pd.Series(dtype=float)).sum())
    rec = recommended_measures(retrofit, lang)
    saved = float(rec["saved_electricity_kwh"].sum()) if len(rec) else 0.0
    after = max(load - pv - saved, 0.0)
    label = "电网购电" if lang == "zh" else "grid electricity"
    rows = []
    if people > 0:
        rows.append({"indicator": f"{t['per_person']}{label}" if lang == "zh" else f"{label} {t['per_person']}",
                     "unit": "kWh/人" if lang == "zh" else "kWh/person", "before": load / people,
                     "after": after / people})
    if area > 0:
        rows.append({"indicator": f"{t['per_m2']}{label}" if lang == "zh" else f"{label} {t['per_m2']}",
                     "unit": "kWh/m²", "before": load / area, "after": after / area})
    return pd.DataFrame(rows, columns=["indicator", "unit", "before", "after"])


def top_sites(sites: pd.DataFrame, lang: str, n: int = TOP_SITES) -> pd.DataFrame:
    """The n packaged sites with the highest score (ties: larger yield first), named."""
    s = _packaged(sites).copy()
    if not len(s):
        return pd.DataFrame(columns=["rank", "name", "package", "capacity", "yield", "payback"])
    key = [c for c in ("score", "annual_ac_kwh") if c in s]
    s = s.sort_values(key, ascending=False).head(n)
    e_unit = energy(0, lang)[1]
    return pd.DataFrame({
        "rank": range(1, len(s) + 1),
        "name": s.get("name", s["site_id"]).fillna(s["site_id"]).astype(str).to_numpy(),
        "package": [package_label(p, lang) for p in s["package_id"]],
        "capacity": [f"{v / 1000:,.2f}" for v in s["capacity_kwp"]],
        "yield": [energy(v, lang)[0] for v in s["annual_ac_kwh"]],
        "payback": [_num(v) for v in s.get("simple_payback_yr", pd.Series(np.nan, index=s.index))],
    }).rename_axis(None).assign(yield_unit=e_unit)


def package_table(packages: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Display rows of the packages, by rank."""
    pk = packages.sort_values("rank") if "rank" in packages else packages
    return pd.DataFrame({
        "rank": pk["rank"].astype(int).to_numpy() if "rank" in pk else range(1, len(pk) + 1),
        "package": [package_label(p, lang) for p in pk["package_id"]],
        "n_sites": pk["n_sites"].astype(int).to_numpy(),
        "mw": [f"{v / 1000:,.2f}" for v in pk["capacity_kwp"]],
        "yield": [energy(v, lang)[0] for v in pk["annual_ac_kwh"]],
        "capex": [money(v, lang)[0] for v in pk.get("capex_cny", pd.Series(np.nan, index=pk.index))],
        "irr": ["-" if not math.isfinite(_f(v)) else f"{_f(v):.1%}" for v in pk.get("irr", pd.Series(np.nan,
                                                                                                    index=pk.index))],
        "score": [_num(v) for v in pk["score"]],
    })


def more_packages(b: "Briefing", in_appendix: bool) -> str:
    """The line under a truncated package table: how many packages are not listed and where they are;
    empty when every package is listed."""
    n = len(b.packages) - TOP_PACKAGES
    if n <= 0:
        return ""
    t = TEXT[b.lang]
    return t["more_packages"].format(n=f"{n:,}", total=f"{len(b.packages):,}",
                                     where=t["in_appendix"] if in_appendix else "")


def recommendation(pv: tuple[Card, ...], measures: pd.DataFrame, ts: tuple[Card, ...], pk: pd.DataFrame,
                   ind: pd.DataFrame, lang: str) -> str:
    """A short paragraph generated from the numbers (no free text from the inputs except package names)."""
    c = {k.key: k for k in pv + ts}
    first = ", ".join(pk["package"].head(3)) if lang == "en" else "、".join(pk["package"].head(3))
    if lang == "zh":
        out = (f"建议优先实施排名前三的项目包（{first}），全部{len(pk)}个项目包合计装机{c['pv_mw'].value}MW，"
               f"年发电{c['pv_yield'].value}{energy(0, 'zh')[1]}，总投资{c['pv_capex'].value}万元，"
               f"静态回收期约{c['pv_payback'].value}年。")
        if len(measures):
            best = measures.iloc[0]
            out += (f"同步推进{'、'.join(measures['label'])}，其中{best['label']}年节约{money(best['saved_cny'], 'zh')[0]}万元，"
                    f"回收期约{_num(best['payback_yr'])}年。")
        if "ts_investment" in c:
            out += (f"采用能源费用托管，服务商投资{c['ts_investment'].value}万元、收益率{c['ts_irr'].value}，"
                    f"单位首年即节约{c['ts_inst_saving'].value}万元，无需财政资金先期投入。")
        if len(ind):
            r = ind.iloc[0]
            out += f"实施后{r['indicator']}由{_num(r['before'], ',.0f')}降至{_num(r['after'], ',.0f')}{r['unit']}。"
        return out
    out = (f"Start with the three top-ranked packages ({first}). All {len(pk)} packages together: "
           f"{c['pv_mw'].value} MW, {c['pv_yield'].value} {c['pv_yield'].unit}, investment CNY "
           f"{c['pv_capex'].value} million, simple payback about {c['pv_payback'].value} years.")
    if len(measures):
        best = measures.iloc[0]
        out += (f" Add {', '.join(measures['label'])}; {best['label']} alone saves CNY "
                f"{money(best['saved_cny'], 'en')[0]} million a year and pays back in about "
                f"{_num(best['payback_yr'])} years.")
    if "ts_investment" in c:
        out += (f" Under energy-cost trusteeship the ESCO invests CNY {c['ts_investment'].value} million at an IRR "
                f"of {c['ts_irr'].value} and the institutions save CNY {c['ts_inst_saving'].value} million in year 1, "
                "with no up-front public money.")
    if len(ind):
        r = ind.iloc[0]
        out += f" {r['indicator'][:1].upper() + r['indicator'][1:]} falls from {_num(r['before'], ',.0f')} to {_num(r['after'], ',.0f')} {r['unit']}."
    return out


def briefing_content(folder: str | Path, lang: str = "zh", title: str | None = None) -> Briefing:
    """Read a results folder and compute everything a briefing shows (see the module docstring)."""
    check_lang(lang)
    folder = Path(folder)
    if not (folder / "sites.csv").exists() or not (folder / "packages.csv").exists():
        raise InputError(f"{folder}: a briefing needs sites.csv and packages.csv; run `solarplan packages` or "
                         "`solarplan demo` first")
    sites = pd.read_csv(folder / "sites.csv", encoding="utf-8-sig", dtype={"site_id": str, "package_id": str,
                                                                             "name": str},
                        low_memory=False)   # types from the whole file (see solarplan.report.maps.load_results)
    packages = pd.read_csv(folder / "packages.csv", encoding="utf-8-sig")
    retro = (pd.read_csv(folder / "retrofit.csv", encoding="utf-8-sig", low_memory=False)
             if (folder / "retrofit.csv").exists() else None)
    return content_from_tables(sites, packages, retro, read_deal(folder), folder, lang, title)


def content_from_tables(sites, packages, retro, deal, folder: Path | None, lang: str = "zh",
                        title: str | None = None) -> Briefing:
    """:func:`briefing_content` on tables already read (``folder`` only for an optional indicators.csv)."""
    check_lang(lang)
    pv = pv_cards(sites, packages, lang)
    measures = recommended_measures(retro, lang)
    ts = trusteeship_cards(deal, lang)
    ind = indicators(folder or Path("/nonexistent"), sites, retro, lang)
    pk = package_table(packages, lang)
    return Briefing(lang=lang, title=title or TEXT[lang]["title"], pv=pv, retrofit=retrofit_cards(measures, lang),
                    trusteeship=ts, measures=measures, indicators=ind, top_sites=top_sites(sites, lang), packages=pk,
                    recommendation=recommendation(pv, measures, ts, pk, ind, lang))
