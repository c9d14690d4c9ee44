"""A one-page leadership briefing: headline figures, the package table, two charts and the map.

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
import os
from pathlib import Path

import numpy as np
import pandas as pd

from solarplan.core.errors import ConfigError, InputError
from solarplan.core.atomic import write_text
from solarplan.report.html import add_csp, csp_sources, escape
from solarplan.report.maps import TILE_HOSTS, build_map, load_results, render

TEXT = {
    "zh": {"title": "公共机构屋顶光伏项目简报", "mw": "装机容量", "wkwh": "年发电量", "tce": "年节约标煤",
           "co2": "年减排二氧化碳", "capex": "总投资", "payback": "静态回收期", "packages": "项目包",
           "rank": "排名", "sites": "场址数", "irr": "内部收益率", "score": "评分", "monthly": "逐月发电量（万kWh）",
           "ranking": "项目包评分", "map": "项目分布图", "year": "年", "unit_wan_yuan": "万元",
           "note": "数据来源：solarplan 逐时模拟（pvlib）；折标系数与排放因子见 sites_assumptions.csv。"},
    "en": {"title": "Public-institution rooftop PV: briefing", "mw": "Capacity", "wkwh": "Yearly yield",
           "tce": "Coal saved", "co2": "CO2 avoided", "capex": "Investment", "payback": "Simple payback",
           "packages": "Packages", "rank": "Rank", "sites": "Sites", "irr": "IRR", "score": "Score",
           "monthly": "Monthly yield (万kWh)", "ranking": "Package scores", "map": "Map of sites",
           "year": "yr", "unit_wan_yuan": "万元",
           "note": "Source: solarplan hourly simulation (pvlib); factors and defaults in sites_assumptions.csv."},
}
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
    e = escape
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
                   date: dt.date | str | None = None) -> str:
    """The briefing HTML; ``date`` (a date or YYYY-MM-DD) is printed under the title, none if omitted."""
    if lang not in TEXT:
        raise ConfigError(f"--lang must be zh or en, not {lang!r}")
    t, e = TEXT[lang], escape
    day = parse_date(date) if date is not None else None
    h = headline(sites, packages)
    cards = [(t["mw"], f"{h['capacity_mw']:,.2f}", "MW"), (t["wkwh"], f"{h['annual_wan_kwh']:,.0f}", "万kWh"),
             (t["tce"], f"{h['annual_tce']:,.0f}", "tce"), (t["co2"], f"{h['annual_co2_t']:,.0f}", "t CO2"),
             (t["capex"], f"{h['capex_wan_cny']:,.0f}", t["unit_wan_yuan"]),
             (t["payback"], "-" if not np.isfinite(h["payback_years"]) else f"{h['payback_years']:.1f}", t["year"])]
    card_html = "".join(f'<div class="card"><div class="k">{e(k)}</div><div class="v" data-key="{i}">{e(v)}</div>'
                        f'<div class="u">{e(u)}</div></div>' for i, (k, v, u) in enumerate(cards))
    rows = []
    pk = packages.sort_values("rank") if len(packages) else packages
    for p in pk.itertuples():
        irr = getattr(p, "irr", np.nan)
        rows.append(f"<tr><td>{int(p.rank)}</td><td>{e(str(p.package_id))}</td><td>{int(p.n_sites)}</td>"
                    f"<td>{p.capacity_kwp / 1000:,.2f}</td><td>{p.annual_ac_kwh / 1e4:,.1f}</td>"
                    f"<td>{getattr(p, 'annual_tce', np.nan):,.0f}</td><td>{getattr(p, 'annual_co2_t', np.nan):,.0f}</td>"
                    f"<td>{getattr(p, 'capex_cny', np.nan) / 1e4:,.0f}</td>"
                    f"<td>{'-' if not np.isfinite(irr) else f'{irr:.1%}'}</td><td>{p.score:.1f}</td></tr>")
    head = (f"<tr><th>{e(t['rank'])}</th><th>{e(t['packages'])}</th><th>{e(t['sites'])}</th><th>MW</th>"
            f"<th>万kWh</th><th>tce</th><th>t CO2</th><th>{e(t['unit_wan_yuan'])}</th><th>{e(t['irr'])}</th>"
            f"<th>{e(t['score'])}</th></tr>")
    s = sites[sites["package_id"].fillna("").astype(str) != ""] if "package_id" in sites else sites
    monthly = [float(s[c].sum()) / 1e4 if c in s else 0.0 for c in MONTHS]
    month_svg = _bars_svg([str(m) for m in range(1, 13)], monthly)
    rank_svg = _bars_svg([f"#{int(r)} {pid}" for r, pid in zip(pk.get("rank", []), pk.get("package_id", []))],
                         list(pk.get("score", [])), height=max(120, 18 * len(pk) + 10), horizontal=True,
                         color="#2ca02c")
    map_html = render(build_map(sites, packages, outlines, tiles=tiles, lang=lang), offline=offline)
    doc_title = title or t["title"]
    page = f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<title>{e(doc_title)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 16px; color: #222; }}
h1 {{ font-size: 20px; margin: 0 0 8px; }} h2 {{ font-size: 15px; margin: 14px 0 6px; }}
.cards {{ display: grid; grid-template-columns: repeat(6, 1fr); gap: 8px; }}
.card {{ border: 1px solid #ccc; border-radius: 6px; padding: 6px; text-align: center; }}
.card .k {{ font-size: 12px; color: #555; }} .card .v {{ font-size: 20px; font-weight: bold; }}
.card .u {{ font-size: 11px; color: #555; }}
table {{ border-collapse: collapse; width: 100%; font-size: 12px; }}
th, td {{ border: 1px solid #ccc; padding: 2px 5px; text-align: right; }} td:nth-child(2), th:nth-child(2) {{ text-align: left; }}
.charts {{ display: flex; gap: 12px; flex-wrap: wrap; }}
iframe {{ width: 100%; height: 420px; border: 1px solid #ccc; }}
.note {{ font-size: 11px; color: #666; }}
@page {{ size: A4; margin: 12mm; }}
@media print {{ body {{ margin: 0; }} iframe {{ height: 100mm; }} .cards {{ grid-template-columns: repeat(3, 1fr); }}
  h2 {{ break-after: avoid; }} table, .charts {{ break-inside: avoid; }} }}
</style></head><body>
<h1>{e(doc_title)}</h1>
<p class="note">{e(day.isoformat()) + ' · ' if day else ''}{h['n_packages']} {e(t['packages'])} · {h['n_sites']} {e(t['sites'])}</p>
<div class="cards">{card_html}</div>
<h2>{e(t['packages'])}</h2><table id="packages">{head}{''.join(rows)}</table>
<div class="charts"><div><h2>{e(t['monthly'])}</h2>{month_svg}</div><div><h2>{e(t['ranking'])}</h2>{rank_svg}</div></div>
<h2>{e(t['map'])}</h2><iframe id="map" title="map" srcdoc="{e(map_html)}"></iframe>
<p class="note">{e(t['note'])}</p>
</body></html>"""
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
                   tiles: str = "none", date: dt.date | str | None = None) -> Path:
    """Read a results folder and write the briefing (dated ``date``, else :func:`results_date`)."""
    results = Path(results)
    if not results.is_dir():
        raise InputError(f"{results}: the briefing needs the results folder (sites.csv, packages.csv)")
    sites, packages, outlines = load_results(results)
    if not len(packages):
        raise InputError(f"{results}: no packages.csv; run `solarplan packages` or `solarplan demo` first")
    day = parse_date(date) if date is not None else results_date(results)
    return write_text(out, build_briefing(sites, packages, outlines, lang=lang, offline=offline, tiles=tiles,
                                          date=day))
