"""A one-page leadership briefing: PV, retrofit and trusteeship headlines, indicators, top sites, the
recommendation, the map and the top packages (layout in :mod:`solarplan.report.page`, numbers in
:mod:`solarplan.report.content`); the two charts go to an appendix page when asked.

Self-contained HTML: charts are inline SVG (text drawn by the browser, so Chinese renders with
the reader's fonts), the map is embedded with ``srcdoc`` (offline: its scripts inlined too),
and a print stylesheet lays it out on A4. Every figure is computed from the results tables
(packages.csv and sites.csv) and every user-supplied string is HTML-escaped. The page carries a
strict Content-Security-Policy that also covers the embedded map (an ``iframe srcdoc`` inherits
its parent's policy). The date shown is given (``date=``, ``--date``), or ``SOURCE_DATE_EPOCH``,
or the day packages.csv was written, never the clock at rendering, so the same results give the
same bytes.
"""
from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path

import numpy as np
import pandas as pd

from solarplan.core.atomic import write_text
from solarplan.core.errors import InputError
from solarplan.core.i18n import TEXT, check_lang, package_label
from solarplan.report.content import TOP_PACKAGES, content_from_tables, read_deal
from solarplan.report.html import add_csp, csp_sources
from solarplan.report.maps import TILE_HOSTS, build_map, load_results, render
from solarplan.report.page import appendix_html, briefing_html

MONTHS = [f"monthly_ac_kwh_{m:02d}" for m in range(1, 13)]


def headline(sites: pd.DataFrame, packages: pd.DataFrame) -> dict:
    """Headline totals of the packaged sites (the figures the page shows, unrounded)."""
    s = sites[sites["package_id"].fillna("").astype(str) != ""] if "package_id" in sites else sites
    cap = float(s["capacity_kwp"].sum())
    capex = float(s["capex_cny"].sum()) if "capex_cny" in s else float("nan")
    rev = float(s["year1_revenue_cny"].sum()) if "year1_revenue_cny" in s else float("nan")
    om = float(s["om_cny_per_yr"].sum()) if "om_cny_per_yr" in s else 0.0
    return {"capacity_mw": cap / 1000, "annual_wan_kwh": float(s["annual_ac_kwh"].sum()) / 1e4,
            "annual_tce": float(s.get("annual_tce", pd.Series(dtype=float)).sum()),
            "annual_co2_t": float(s.get("annual_co2_t", pd.Series(dtype=float)).sum()),
            "capex_wan_cny": capex / 1e4,
            "payback_years": capex / (rev - om) if rev - om > 0 else float("nan"),
            "n_sites": len(s), "n_packages": len(packages)}


def _bars_svg(labels, values, width=520, height=200, horizontal=False, color="#1f77b4") -> str:
    """A small bar chart as inline SVG; labels are escaped."""
    v = np.nan_to_num(np.asarray(values, float))
    vmax = float(v.max()) if len(v) and v.max() > 0 else 1.0
    e = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">']
    if horizontal:
        n = max(len(v), 1)
        bh = (height - 10) / n
        for i, (lab, x) in enumerate(zip(labels, v)):
            w = (width - 230) * x / vmax
            y = 5 + i * bh
            parts.append(f'<text x="0" y="{y + bh * 0.7:.1f}" font-size="{min(12, bh * 0.8):.1f}">{e(str(lab))}</text>'
                         f'<rect x="180" y="{y + 1:.1f}" width="{w:.1f}" height="{bh * 0.8:.1f}" fill="{color}"/>'
                         f'<text x="{184 + w:.1f}" y="{y + bh * 0.7:.1f}" font-size="{min(11, bh * 0.8):.1f}">'
                         f'{x:,.1f}</text>')
    else:
        n = max(len(v), 1)
        bw = (width - 20) / n
        for i, (lab, x) in enumerate(zip(labels, v)):
            h = (height - 40) * x / vmax
            xx = 10 + i * bw
            parts.append(f'<rect x="{xx + 2:.1f}" y="{height - 20 - h:.1f}" width="{bw - 4:.1f}" height="{h:.1f}" '
                         f'fill="{color}"/><text x="{xx + bw / 2:.1f}" y="{height - 5}" font-size="11" '
                         f'text-anchor="middle">{e(str(lab))}</text><text x="{xx + bw / 2:.1f}" '
                         f'y="{height - 24 - h:.1f}" font-size="10" text-anchor="middle">{x:,.0f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def build_briefing(sites: pd.DataFrame, packages: pd.DataFrame, outlines, *, lang: str = "zh",
                   offline: bool = False, tiles: str = "none", title: str | None = None,
                   results: str | Path | None = None, appendix: bool = False, date_text: str = "") -> str:
    """The briefing HTML: one A4 page (see :mod:`solarplan.report.page`), plus an appendix page if asked.

    ``results`` is the results folder, from which retrofit.csv, deal.xlsx and indicators.csv are read
    when present (see :mod:`solarplan.report.content`).
    """
    check_lang(lang)
    folder = Path(results) if results is not None else None
    retro = deal = None
    if folder is not None and (folder / "retrofit.csv").exists():
        retro = pd.read_csv(folder / "retrofit.csv", encoding="utf-8-sig", low_memory=False)   # one type per column
    if folder is not None:
        deal = read_deal(folder)
    b = content_from_tables(sites, packages, retro, deal, folder, lang, title)
    map_html = render(build_map(sites, packages, outlines, tiles=tiles, lang=lang), offline=offline)
    extra = ""
    if appendix:
        t = TEXT[lang]
        s = sites[sites["package_id"].fillna("").astype(str) != ""] if "package_id" in sites else sites
        monthly = [float(s[c].sum()) / (1e4 if lang == "zh" else 1e3) if c in s else 0.0 for c in MONTHS]
        pk = packages.sort_values("rank") if len(packages) else packages
        ranking = t["ranking"] if len(pk) <= TOP_PACKAGES else t["ranking_top"].format(n=TOP_PACKAGES)
        pk = pk.head(TOP_PACKAGES)   # a bar per package: the top ones (the whole list is the appendix's table)
        charts = [(t["monthly"], _bars_svg([str(m) for m in range(1, 13)], monthly)),
                  (ranking, _bars_svg([f"#{int(r)} {package_label(pid, lang)}" for r, pid in
                                            zip(pk.get("rank", []), pk.get("package_id", []))],
                                           list(pk.get("score", [])), height=max(120, 18 * len(pk) + 10),
                                           horizontal=True, color="#2ca02c"))]
        extra = appendix_html(b, charts)
    page = briefing_html(b, map_html, date_text=date_text, appendix_html=extra)
    return add_csp(page, TILE_HOSTS.get(tiles, ()), extra=csp_sources(map_html))


def parse_date(value) -> dt.date:
    """A date from a ``datetime.date`` or a ``YYYY-MM-DD`` string (InputError otherwise)."""
    if isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"--date must be a day as YYYY-MM-DD, such as 2025-03-31; got {value!r}") from None


def results_date(results: Path) -> dt.date:
    """The day of a results folder: ``SOURCE_DATE_EPOCH`` (reproducible builds) if set, else the day
    packages.csv was last written (local time)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            raise InputError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}") from None
    return dt.date.fromtimestamp((Path(results) / "packages.csv").stat().st_mtime)


def write_briefing(results: str | Path, out: str | Path, *, lang: str = "zh", offline: bool = False,
                   tiles: str = "none", appendix: bool = False, date: dt.date | str | None = None) -> Path:
    """Read a results folder and write the briefing (dated ``date``, else :func:`results_date`)."""
    results = Path(results)
    if not results.is_dir():
        raise InputError(f"{results}: the briefing needs the results folder (sites.csv, packages.csv)")
    sites, packages, outlines = load_results(results)
    if not len(packages):
        raise InputError(f"{results}: no packages.csv; run `solarplan packages` or `solarplan demo` first")
    day = parse_date(date) if date is not None else results_date(results)
    return write_text(out, build_briefing(sites, packages, outlines, lang=lang, offline=offline, tiles=tiles,
                                          results=results, appendix=appendix, date_text=day.isoformat()))
