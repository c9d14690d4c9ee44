"""The Word export opens with python-docx, uses 黑体/仿宋 on A4, and carries the briefing's headline numbers."""
from __future__ import annotations

import docx
import pytest
from docx.shared import Mm

from solarplan.core.resources import data_path
from solarplan.report.content import briefing_content
from solarplan.report.word import write_docx


@pytest.fixture(scope="module")
def results(tmp_path_factory, demo_run):
    import shutil

    from solarplan.app.cli import main
    d = tmp_path_factory.mktemp("demo") / "maps"
    shutil.copytree(demo_run.folder, d)  # the suite's one demo run, copied: this fixture may add deal.xlsx
    if not (d / "deal.xlsx").exists():
        assert main(["contract", str(data_path("demo_shiyan_buildings.csv")), "--out", str(d / "deal.xlsx")]) == 0
    return d


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_docx_carries_the_same_headline_numbers(results, tmp_path, lang):
    path = write_docx(results, tmp_path / f"b_{lang}.docx", lang=lang)
    d = docx.Document(str(path))
    sec = d.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(1) and abs(sec.page_height - Mm(297)) < Mm(1)
    text = "\n".join(p.text for p in d.paragraphs)
    cells = {c.text for t in d.tables for row in t.rows for c in row.cells}
    b = briefing_content(results, lang)
    for card in b.pv + b.retrofit + b.trusteeship:
        assert card.value in cells, (card.key, card.value)
    assert b.recommendation in text
    for name in b.top_sites["name"]:
        assert name in cells
    if lang == "zh":
        fonts = {r._element.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia")) for p in d.paragraphs for r in p.runs}
        assert {"黑体", "仿宋"} <= fonts
        assert "MWh" not in text
    else:
        assert "万" not in text and "万" not in "".join(cells)


def test_docx_numbers_match_the_results_tables(results):
    """The capacity card is the sum of the packaged sites' capacity (computed independently here)."""
    import pandas as pd
    s = pd.read_csv(results / "sites.csv", dtype={"package_id": str})
    mw = s.loc[s["package_id"].fillna("") != "", "capacity_kwp"].sum() / 1000
    b = briefing_content(results, "zh")
    card = next(c for c in b.pv if c.key == "pv_mw")
    assert card.value == f"{mw:,.2f}"



def test_briefing_retrofit_card_is_the_counted_measures(results):
    """The briefing's retrofit saving and investment are the retrofit table's counted (recommended) rows, on
    the incremental cost basis the command-line summary uses: one definition of 'recommended'."""
    import pandas as pd
    r = pd.read_csv(results / "retrofit.csv")
    c = r[r["counted"].astype(str).str.lower().isin(["true", "1"])]
    b = briefing_content(results, "zh")
    card = {k.key: k for k in b.retrofit}
    assert card["rf_saving"].raw == pytest.approx(c["saved_cny"].sum(), abs=0.5 * len(c))  # CSV rounds to 1 yuan
    assert card["rf_capex"].raw == pytest.approx(c["incremental_capex_cny"].sum(), abs=0.5 * len(c))

def test_shortlist_xlsx_has_number_formats_and_zh_headers(results):
    """Acceptance (issue 19): the shortlist opens with formats, Chinese headers, package names and a glossary;
    one sites sheet with a package column (linear to write), not one sheet per package."""
    import openpyxl
    import pandas as pd
    wb = openpyxl.load_workbook(results / "shortlist.xlsx")
    assert wb.sheetnames == ["项目包汇总", "场址清单", "说明"]
    ws = wb["项目包汇总"]
    head = [c.value for c in ws[1]]
    assert {"包排名", "项目包", "类型", "内部收益率", "年发电量[万kWh]", "投资[万元]"} <= set(head)
    row = dict(zip(head, ws[2]))
    assert row["内部收益率"].number_format == "0.0%" and 0 < row["内部收益率"].value < 1
    assert row["年发电量[万kWh]"].number_format == "#,##0.0" and row["投资[万元]"].number_format == "#,##0.0"
    assert row["场址数"].number_format == "#,##0"
    assert row["项目包"].value == "医院包·茅箭区·01" and row["类型"].value == "医院"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    sites = wb["场址清单"]
    n = len(pd.read_csv(results / "sites.csv", dtype={"package_id": str}).query("package_id == package_id"))
    assert sites.max_row == n + 1
    text = " ".join(str(c.value) for r in ws.iter_rows() for c in r if isinstance(c.value, str))
    assert "hospital" not in text and "school" not in text
