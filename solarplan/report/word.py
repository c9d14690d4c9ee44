"""The briefing as a Word document (python-docx), for staff who edit in WPS or Word.

A 公文-like A4 layout after GB/T 9704-2012 (党政机关公文格式): margins 37 mm top, 35 mm bottom, 28 mm left,
26 mm right; the title in 黑体 二号 (22 pt) centred, headings in 黑体 三号 (16 pt), body in 仿宋 三号
(16 pt) with 28 pt line spacing, and tables in 仿宋 小四 (12 pt). (GB/T 9704 sets the title in 小标宋;
黑体 is used here because every Chinese Windows and WPS install has it.) English documents use the same
layout with Arial / Times New Roman.

The content (cards, tables, the recommendation) is :class:`solarplan.report.content.Briefing`, the same
object the HTML briefing is drawn from, so both carry the same numbers and list the same top packages (the
whole package table goes to the appendix when one is asked for). Every text is added as a run's
text, never parsed as markup.
"""
from __future__ import annotations

import copy
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from solarplan.core.atomic import atomic_path
from solarplan.core.i18n import TEXT, energy, money
from solarplan.io.writers import normalise_xlsx
from solarplan.report.content import TOP_PACKAGES, Briefing, briefing_content, more_packages

FONTS = {"zh": {"heading": "黑体", "body": "仿宋", "latin": "Times New Roman"},
         "en": {"heading": "Arial", "body": "Times New Roman", "latin": "Times New Roman"}}


def _font(run, name: str, size: float, bold: bool = False, latin: str | None = None):
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = latin or name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), latin or name)
    fonts.set(qn("w:hAnsi"), latin or name)


def _para(doc, text: str, f: dict, size=16.0, heading=False, align=None, bold=False, space_after=0):
    p = doc.add_paragraph()
    p.paragraph_format.line_spacing = Pt(28 if size >= 14 else size * 1.5)
    p.paragraph_format.space_after = Pt(space_after)
    if align is not None:
        p.alignment = align
    if not heading and align is None:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), f["heading"] if heading else f["body"], size, bold, f["latin"])
    return p


def _fill(cells, values, f: dict, size: float, head: bool):
    for j, (cell, v) in enumerate(zip(cells, values)):
        cell.text = ""   # an empty first run, as earlier versions wrote: the same document, the same bytes
        par = cell.paragraphs[0]
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER if head or j > 0 else WD_ALIGN_PARAGRAPH.LEFT
        _font(par.add_run(str(v)), f["heading"] if head else f["body"], size, head, f["latin"])


def _table(doc, header: list[str], rows: list[list[str]], f: dict, size=12.0):
    """A grid table with a bold header row.

    Linear in the rows: the header and the first row are formatted through python-docx, every further row
    is a copy of the first row's XML with its texts replaced (``Table.cell(r, c)`` walks the whole table on
    every call, so filling cell by cell was quadratic: 315 package rows took 95 s; formatting every run
    through python-docx is linear but took 8 s for 2,205 rows; see benchmarks/bench_briefing.py).
    """
    t = doc.add_table(rows=0, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fill(t.add_row().cells, header, f, size, True)
    if rows:
        first = t.add_row()
        _fill(first.cells, rows[0], f, size, False)
        for values in rows[1:]:
            tr = copy.deepcopy(first._tr)
            for tc, v in zip(tr.tc_lst, values):
                tc.p_lst[0].r_lst[-1].text = str(v)   # the formatted run; CT_R.text keeps tabs and spaces
            t._tbl.append(tr)
    doc.add_paragraph()
    return t


def build_docx(b: Briefing, appendix: bool = False) -> Document:
    """A python-docx Document of the briefing."""
    lang, t, f = b.lang, TEXT[b.lang], FONTS[b.lang]
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Mm(297), Mm(210)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    _para(doc, b.title, f, 22, heading=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    n = "一二三四五六七" if lang == "zh" else "1234567"

    def head(i, text):
        _para(doc, f"{n[i]}、{text}" if lang == "zh" else f"{n[i]}. {text}", f, 16, heading=True)

    head(0, t["recommendation"])
    _para(doc, b.recommendation, f, 16)
    head(1, t["pv"] + (" · " if lang == "en" else "、") + t["retrofit"] + (" · " if lang == "en" else "、")
         + t["trusteeship"])
    rows = [[t["pv"], c.label, c.value, c.unit] for c in b.pv]
    rows += [[t["retrofit"], c.label, c.value, c.unit] for c in b.retrofit]
    rows += [[t["trusteeship"], c.label, c.value, c.unit] for c in b.trusteeship]
    _table(doc, ["", "指标" if lang == "zh" else "Figure", "数值" if lang == "zh" else "Value",
                 "单位" if lang == "zh" else "Unit"], rows, f)
    head(2, t["indicators"])
    if len(b.indicators):
        _table(doc, ["指标" if lang == "zh" else "Indicator", "单位" if lang == "zh" else "Unit", t["before"],
                     t["after"]], [[r.indicator, r.unit, f"{r.before:,.1f}", f"{r.after:,.1f}"]
                                   for r in b.indicators.itertuples()], f)
    else:
        _para(doc, t["no_indicators"], f, 16)
    head(3, t["top_sites"])
    e_unit, m_unit = energy(0, lang)[1], money(0, lang)[1]
    _table(doc, [t["rank"], "单位名称" if lang == "zh" else "Name", t["package"], "MW", e_unit,
                 f"{t['payback']}[{t['year_unit']}]"],
           [[str(r.rank), r.name, r.package, r.capacity, r.yield_, r.payback]
            for r in b.top_sites.rename(columns={"yield": "yield_"}).itertuples()], f, 10.5)
    more = more_packages(b, in_appendix=appendix)
    head(4, t["top_packages"].format(n=TOP_PACKAGES, total=f"{len(b.packages):,}") if more else t["packages"])

    def packages(rows):
        _table(doc, [t["rank"], t["package"], t["n_sites"], "MW", e_unit, m_unit, t["irr"], t["score"]],
               [[str(r.rank), r.package, str(r.n_sites), r.mw, r.yield_, r.capex, r.irr, r.score]
                for r in rows.rename(columns={"yield": "yield_"}).itertuples()], f, 10.5)

    packages(b.packages.head(TOP_PACKAGES))
    if more:
        _para(doc, more, f, 12, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=6)
    k = 5
    if appendix and len(b.measures):
        head(k, t["measures"])
        k += 1
        _table(doc, [t["measures"], t["sites"], m_unit, f"{t['investment']}[{m_unit}]",
                     f"{t['payback']}[{t['year_unit']}]"],
               [[r.label, str(r.buildings), money(r.saved_cny, lang)[0], money(r.capex_cny, lang)[0],
                 f"{r.payback_yr:.1f}"] for r in b.measures.itertuples()], f, 10.5)
    if appendix and more:   # the body lists the top packages only: the whole list here
        head(k, t["packages"])
        packages(b.packages)
    _para(doc, t["note"], f, 10.5, align=WD_ALIGN_PARAGRAPH.LEFT)
    return doc


def write_docx(results: str | Path, out: str | Path, *, lang: str = "zh", appendix: bool = False,
               title: str | None = None) -> Path:
    """Read a results folder and write the briefing as .docx (atomically: a temporary file, then renamed)."""
    doc = build_docx(briefing_content(results, lang, title), appendix=appendix)
    out = Path(out)
    with atomic_path(out) as tmp:   # whole or not at all; fixed zip times and properties: same content, same bytes
        doc.save(str(tmp))
        normalise_xlsx(tmp)         # a .docx is the same OPC zip with the same docProps/core.xml
    return out
