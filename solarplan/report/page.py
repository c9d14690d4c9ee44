"""The one-page A4 briefing as HTML, drawn from :class:`solarplan.report.content.Briefing`.

Layout (print, A4 portrait, 10 mm margins): title and date; three headline boxes (rooftop PV, the
recommended retrofit measures, energy-cost trusteeship); the recommendation paragraph and the per-person
and per-m² indicators before and after beside the top-10 sites; the map (its zoom and layer controls
hidden in print, the whole legend shown) beside the package table: the first
:data:`~solarplan.report.content.TOP_PACKAGES` packages by rank, and when there are more, a line saying how
many more there are and where they are listed (shortlist.xlsx, packages.csv, the appendix when asked); the
headline figures are always those of all packages. Everything is sized so that the page
prints on exactly one A4 sheet in Chromium (tests/report/test_briefing_print.py checks the PDF). With
``appendix=True`` a second page carries the charts, the recommended measures in detail and, when the page
lists only the top packages, the whole package table.

Every text is HTML-escaped; no ``style`` attribute appears in the markup (the page's stylesheet is one
``<style>`` element, allowed by hash in the Content-Security-Policy).
"""
from __future__ import annotations

import html as _html

from solarplan.core.i18n import TEXT, energy, money
from solarplan.report.content import TOP_PACKAGES, Briefing, more_packages


def _e(x) -> str:
    return _html.escape("" if x is None else str(x), quote=True)


CSS = """
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 14px; color: #222; font-size: 13px; }
h1 { font-size: 21px; margin: 0 0 2px; } h2 { font-size: 14px; margin: 8px 0 4px; color: #1f3864; }
.sub { font-size: 11px; color: #666; margin: 0 0 6px; }
.boxes { display: grid; grid-template-columns: 1.25fr 1fr 1fr; gap: 8px; }
.box { border: 1px solid #b4c6e7; border-radius: 5px; padding: 4px 7px; }
.box h2 { margin: 0 0 3px; }
.cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 3px 8px; }
.box.narrow .cards { grid-template-columns: repeat(2, 1fr); }
.card .k { font-size: 10.5px; color: #555; } .card .v { font-size: 16px; font-weight: bold; }
.card .u { font-size: 10px; color: #555; margin-left: 2px; }
.card.wide { grid-column: 1 / -1; } .card.wide .v { font-size: 13px; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin-top: 4px; }
.row.map { grid-template-columns: 1.45fr 1fr; }
#packages td.t { white-space: nowrap; }
p.rec { margin: 0 0 4px; line-height: 1.5; text-align: justify; }
table { border-collapse: collapse; width: 100%; font-size: 11px; }
th, td { border: 1px solid #c8c8c8; padding: 1px 4px; text-align: right; white-space: nowrap; }
th { background: #ddebf7; }
td.t, th.t { text-align: left; white-space: normal; }
iframe { width: 100%; height: 430px; border: 1px solid #bbb; display: block; }
.note { font-size: 10px; color: #666; margin: 4px 0 0; }
.appendix { break-before: page; }
.charts { display: flex; gap: 12px; flex-wrap: wrap; }
@page { size: A4 portrait; margin: 10mm; }
@media print {
  body { margin: 0; font-size: 11.5px; }
  h1 { font-size: 18px; } h2 { font-size: 12.5px; margin: 5px 0 3px; }
  .card .v { font-size: 14px; } table { font-size: 9.5px; }
  iframe { height: 118mm; }
  #packages { font-size: 8.5px; } #packages td, #packages th { padding: 1px 2px; }
  .onepage { break-after: avoid; }
  .box, table, .row { break-inside: avoid; }
}
"""

#: Added when the page lists only the top packages (a province's register, where district and unit names run
#: long): the name and package columns of the top-sites table stay on one line, cut with an ellipsis (the
#: whole name is the cell's title), so long names cannot push the page onto a second sheet (the package
#: table's names were already kept on one line). A page that lists every
#: package (the demo) is drawn as before.
CSS_LONG = """
#top-sites td.t { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 0; width: 38%; }
"""


def _cards(cards, narrow=False) -> str:
    out = []
    for c in cards:
        wide = " wide" if (not c.unit and len(c.value) > 8) else ""
        out.append(f'<div class="card{wide}" data-key="{_e(c.key)}"><div class="k">{_e(c.label)}</div>'
                   f'<span class="v">{_e(c.value)}</span><span class="u">{_e(c.unit)}</span></div>')
    return f'<div class="cards">{"".join(out)}</div>'


def _table(head: list[str], rows: list[list], text_cols=(1,), table_id: str = "", titles: bool = False) -> str:
    """A table; ``titles``: text cells carry their text as a title too (shown when cut by :data:`CSS_LONG`)."""
    th = "".join(f'<th class="{"t" if j in text_cols else ""}">{_e(h)}</th>' for j, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td class="t" title="{_e(v)}">{_e(v)}</td>' if titles and j in text_cols
                                    else f'<td class="{"t" if j in text_cols else ""}">{_e(v)}</td>'
                                    for j, v in enumerate(r)) + "</tr>" for r in rows)
    ident = f' id="{_e(table_id)}"' if table_id else ""
    return f"<table{ident}><tr>{th}</tr>{body}</table>"


def _package_table(b: Briefing, rows, table_id: str = "", titles: bool = False) -> str:
    t, lang = TEXT[b.lang], b.lang
    return _table([t["rank"], t["package"], t["n_sites"], "MW", energy(0, lang)[1], money(0, lang)[1], t["irr"],
                   t["score"]], [[r.rank, r.package, r.n_sites, r.mw, r.yield_, r.capex, r.irr, r.score]
                                 for r in rows.rename(columns={"yield": "yield_"}).itertuples()], table_id=table_id,
                  titles=titles)


def briefing_html(b: Briefing, map_html: str, *, date_text: str = "", appendix_html: str = "") -> str:
    """The page (without its Content-Security-Policy, which the caller adds)."""
    t, lang = TEXT[b.lang], b.lang
    e_unit = energy(0, lang)[1]
    n_pk, n_sites = len(b.packages), int(b.packages["n_sites"].sum()) if len(b.packages) else 0
    sub = " · ".join(x for x in (date_text, f"{n_pk} {t['packages']}", f"{n_sites} {t['sites']}") if x)
    ind = (_table(["" if lang == "zh" else "", t["before"], t["after"], ""],
                  [[r.indicator, f"{r.before:,.0f}", f"{r.after:,.0f}", r.unit] for r in b.indicators.itertuples()],
                  text_cols=(0, 3), table_id="indicators")
           if len(b.indicators) else f'<p class="note">{_e(t["no_indicators"])}</p>')
    more = more_packages(b, in_appendix=bool(appendix_html))
    top = _table(["#", "单位名称" if lang == "zh" else "Name", t["package"], "MW", e_unit],
                 [[r.rank, r.name, r.package, r.capacity, r.yield_] for r in
                  b.top_sites.rename(columns={"yield": "yield_"}).itertuples()], text_cols=(1, 2), table_id="top-sites",
                 titles=bool(more))
    pk = _package_table(b, b.packages.head(TOP_PACKAGES), "packages")
    pk_head = t["top_packages"].format(n=TOP_PACKAGES, total=f"{n_pk:,}") if more else t["packages"]
    if more:
        pk += f'<p class="note" id="more-packages">{_e(more)}</p>'
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<title>{_e(b.title)}</title>
<style>{CSS}{CSS_LONG if more else ""}</style></head><body>
<div class="onepage">
<h1>{_e(b.title)}</h1><p class="sub">{_e(sub)}</p>
<div class="boxes">
<div class="box" id="card-pv"><h2>{_e(t['pv'])}</h2>{_cards(b.pv)}</div>
<div class="box narrow" id="card-retrofit"><h2>{_e(t['retrofit'])}</h2>{_cards(b.retrofit)}</div>
<div class="box narrow" id="card-trusteeship"><h2>{_e(t['trusteeship'])}</h2>{_cards(b.trusteeship)}</div>
</div>
<div class="row">
<div><h2>{_e(t['recommendation'])}</h2><p class="rec" id="recommendation">{_e(b.recommendation)}</p>
<h2>{_e(t['indicators'])}</h2>{ind}</div>
<div><h2>{_e(t['top_sites'])}</h2>{top}</div>
</div>
<div class="row map">
<div><h2>{_e(t['map'])}</h2><iframe id="map" title="map" srcdoc="{_e(map_html)}"></iframe></div>
<div><h2>{_e(pk_head)}</h2>{pk}</div>
</div>
<p class="note">{_e(t['note'])}</p>
</div>
{appendix_html}
</body></html>"""


def appendix_html(b: Briefing, charts: list[tuple[str, str]]) -> str:
    """The appendix page: charts (title, inline SVG already escaped by its maker) and the measures."""
    t, lang = TEXT[b.lang], b.lang
    m_unit = money(0, lang)[1]
    parts = [f'<section class="appendix"><h1>{_e(t["appendix"])}</h1><div class="charts">']
    parts += [f"<div><h2>{_e(title)}</h2>{svg}</div>" for title, svg in charts]
    parts.append("</div>")
    if len(b.measures):
        parts.append(f"<h2>{_e(t['measures'])}</h2>")
        parts.append(_table([t["measures"], t["sites"], f"{t['saving']} [{m_unit}]",
                             f"{t['investment']} [{m_unit}]", f"{t['payback']} [{t['year_unit']}]"],
                            [[r.label, r.buildings, money(r.saved_cny, lang)[0], money(r.capex_cny, lang)[0],
                              f"{r.payback_yr:.1f}"] for r in b.measures.itertuples()], text_cols=(0,)))
    if len(b.packages) > TOP_PACKAGES:   # the page lists the top ones only: the whole list here
        parts.append(f"<h2>{_e(t['packages'])}</h2>" + _package_table(b, b.packages, "all-packages"))
    parts.append("</section>")
    return "".join(parts)
