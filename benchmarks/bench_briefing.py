"""Briefing time at province scale (run by hand: python benchmarks/bench_briefing.py DEMO_FOLDER [COPIES]).

Makes a results folder of about 2,200 packages from a demo run's outputs (``solarplan demo --out DEMO_FOLDER``
first; every packaged site its own package, the demo's sites 7 times: tests/report/test_briefing_scale.py's
``one_package_per_site``), then times, median of 3, the HTML briefing (offline map included), the .docx without
and with the appendix's whole package table, and side by side the .docx package table filled the old way
(``Table.cell(r, c)`` for every cell, quadratic) against :func:`solarplan.report.word._table`, on the same
300 rows (the old way is not run on 2,200 rows: about 95 s at 315 rows already).
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.report.test_briefing_scale import one_package_per_site  # noqa: E402
from solarplan.report.briefing import write_briefing  # noqa: E402
from solarplan.report.content import briefing_content  # noqa: E402
from solarplan.report.word import FONTS, _font, _table, write_docx  # noqa: E402


def timed(fn, repeat=3) -> float:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def cell_by_cell(doc, header, rows, f, size=10.5):
    """The package table as solarplan 0.x filled it: every cell through ``Table.cell(i, j)``."""
    t = doc.add_table(rows=1 + len(rows), cols=len(header))
    for i, row in enumerate([header] + rows):
        for j, v in enumerate(row):
            cell = t.cell(i, j)
            cell.text = ""
            par = cell.paragraphs[0]
            par.alignment = WD_ALIGN_PARAGRAPH.CENTER if i == 0 or j > 0 else WD_ALIGN_PARAGRAPH.LEFT
            _font(par.add_run(str(v)), f["heading"] if i == 0 else f["body"], size, i == 0, f["latin"])


def main(demo: Path, copies: int = 7):
    work = Path(tempfile.mkdtemp(prefix="bench_briefing_"))
    folder = one_package_per_site(demo, work / "results", copies)
    b = briefing_content(folder, "zh")
    print(f"{len(b.packages):,} packages, {copies * 320:,} sites")
    print(f"briefing.html (offline):          {timed(lambda: write_briefing(folder, work / 'b.html', offline=True)):.2f} s")
    print(f"briefing.docx:                    {timed(lambda: write_docx(folder, work / 'b.docx')):.2f} s")
    print(f"briefing.docx with the appendix:  "
          f"{timed(lambda: write_docx(folder, work / 'a.docx', appendix=True)):.2f} s")
    rows = [[str(r.rank), r.package, str(r.n_sites), r.mw, r.yield_, r.capex, r.irr, r.score]
            for r in b.packages.head(300).rename(columns={"yield": "yield_"}).itertuples()]
    header = ["排名", "项目包", "场址数", "MW", "万kWh", "万元", "内部收益率", "评分"]
    old = timed(lambda: cell_by_cell(Document(), header, rows, FONTS["zh"]), repeat=1)
    new = timed(lambda: _table(Document(), header, rows, FONTS["zh"], 10.5))
    print(f"300-row package table: cell by cell {old:.2f} s, row copies {new:.3f} s ({old / new:,.0f}x)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), *(int(a) for a in sys.argv[2:3]))
