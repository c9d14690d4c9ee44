"""The briefing of a register with hundreds of packages (the tester's Hubei run had 943 to 1,683): still one A4
page in Chromium's PDF, the headline totals those of ALL packages (summed here from packages.csv), the top
packages listed and a line saying how many more there are and where they are listed; the whole list only in
the appendix, when asked, in the HTML and the .docx alike.

The results folder is made from the suite's demo run: every packaged site becomes its own package (315
packages), ranked by score, so packages.csv and sites.csv agree exactly and the totals are known; every
package is put in 长阳土家族自治县 (long names made the page two sheets before they were cut)."""
from __future__ import annotations

import io
import re
import shutil
import warnings
from pathlib import Path

import docx
import numpy as np
import pandas as pd
import pytest

from solarplan.report.briefing import write_briefing
from solarplan.report.content import TOP_PACKAGES, briefing_content, more_packages
from solarplan.report.maps import load_results
from solarplan.report.word import write_docx

pypdf = pytest.importorskip("pypdf", reason="pypdf is a test dependency: pip install '.[test]'")


def one_package_per_site(demo: Path, out: Path, copies: int = 1, long_district: str = "") -> Path:
    """A results folder whose every packaged site is a package of its own, the demo's sites ``copies`` times
    (ids suffixed, each copy 0.02 degrees further north); packages.csv is built from those sites and ranked by
    score. About 315 packages per copy. ``long_district``: the district of every package id (Hubei's county
    names run to eight characters: 长阳土家族自治县). Used by benchmarks/bench_briefing.py too."""
    out.mkdir(parents=True, exist_ok=True)
    for f in ("retrofit.csv", "deal.xlsx", "indicators_register.csv"):
        if (demo / f).exists():
            shutil.copy(demo / f, out / f)
    s0 = pd.read_csv(demo / "sites.csv", encoding="utf-8-sig", dtype={"site_id": str, "package_id": str,
                                                                       "name": str})
    parts = []
    for c in range(copies):
        s = s0.copy()
        s["site_id"] = s["site_id"] + (f"-{c}" if c else "")
        s["lat"] = s["lat"] + 0.02 * c
        packaged = s["package_id"].fillna("") != ""
        group = s["package_id"].str.rsplit("-", n=1).str[0]     # hospital/茅箭区-01 -> hospital/茅箭区
        number = pd.Series(np.arange(packaged.sum()) + 1000 * c + 1, index=s.index[packaged]).astype(str)
        s.loc[packaged, "package_id"] = group[packaged] + "-" + number
        if long_district:
            s["package_id"] = s["package_id"].str.replace(r"/[^/]*-(?=\d+$)", f"/{long_district}-", regex=True)
        parts.append(s)
    s = pd.concat(parts, ignore_index=True)
    p = s[s["package_id"].fillna("") != ""]
    pk = pd.DataFrame({"package_id": p["package_id"], "n_sites": 1, "capacity_kwp": p["capacity_kwp"],
                       "annual_ac_kwh": p["annual_ac_kwh"], "capex_cny": p["capex_cny"], "irr": p["irr"],
                       "score": p["score"]}).sort_values(["score", "package_id"], ascending=[False, True])
    pk["rank"] = np.arange(1, len(pk) + 1)
    s.to_csv(out / "sites.csv", index=False, encoding="utf-8-sig")
    pk.to_csv(out / "packages.csv", index=False, encoding="utf-8-sig")
    return out


@pytest.fixture(scope="module")
def many(demo_run, tmp_path_factory):
    return one_package_per_site(demo_run.folder, tmp_path_factory.mktemp("many") / "results",
                                long_district="长阳土家族自治县")


def _pdf_pages(page) -> int:
    return len(pypdf.PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True,
                                                   print_background=True))).pages)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hundreds_of_packages_print_on_one_a4_page_with_all_totals(many, page_log, tmp_path, lang):
    pk = pd.read_csv(many / "packages.csv", encoding="utf-8-sig")
    n = len(pk)
    assert n > 300 and n > TOP_PACKAGES
    path = write_briefing(many, tmp_path / "b.html", lang=lang, offline=True)
    log = page_log(width=1100, height=1400)    # the window of tests/report/test_briefing_print.py
    page = log.open(path, wait_ms=1500)
    assert log.remote == [] and log.errors == []
    assert _pdf_pages(page) == 1
    # the totals: the capacity card is the sum over ALL packages (packages.csv, summed here), not the listed ones
    mw = page.locator('#card-pv [data-key="pv_mw"] .v').inner_text()
    assert mw == f"{pk['capacity_kwp'].sum() / 1000:,.2f}"
    assert mw != f"{pk['capacity_kwp'].head(TOP_PACKAGES).sum() / 1000:,.2f}"
    assert f"{n} " in page.locator(".sub").inner_text()              # "315 项目包" / "315 Packages"
    # the top packages by rank, then the line saying how many more and where
    rows = page.locator("#packages tr")
    assert rows.count() == TOP_PACKAGES + 1
    assert [rows.nth(i).locator("td").first.inner_text() for i in (1, TOP_PACKAGES)] == ["1", str(TOP_PACKAGES)]
    more = page.locator("#more-packages").inner_text()
    assert f"{n - TOP_PACKAGES:,}" in more and f"{n:,}" in more
    assert "shortlist.xlsx" in more and "packages.csv" in more
    assert ("附录" not in more) if lang == "zh" else ("appendix" not in more)
    assert page.locator("#all-packages").count() == 0
    # the map beside the table lists as many packages in its legend as the page does, then "... +N" (a
    # 315-row legend covered the printed map)
    legend = page.frame_locator("#map").locator(".sp-legend-row")
    assert legend.last.inner_text() == f"\u2026 +{n - TOP_PACKAGES}"
    assert legend.count() - 1 - (legend.filter(has_text=re.compile("未入包|[Ee]xcluded")).count()) == TOP_PACKAGES
    # long county names: the top-sites names are cut on the page, whole in the cell's title
    cell = page.locator("#top-sites td.t").nth(1)
    assert "长阳土家族自治县" in cell.get_attribute("title")
    assert any("长阳土家族自治县" in page.locator("#packages td.t").nth(i).inner_text() for i in range(TOP_PACKAGES))


def test_appendix_lists_every_package_and_the_page_says_so(many, page_log, tmp_path):
    path = write_briefing(many, tmp_path / "b.html", lang="zh", offline=True, appendix=True)
    page = page_log(width=1100, height=1400).open(path, wait_ms=1500)
    n = len(pd.read_csv(many / "packages.csv"))
    assert "及附录" in page.locator("#more-packages").inner_text()
    assert page.locator("#all-packages tr").count() == n + 1
    assert page.locator("#packages tr").count() == TOP_PACKAGES + 1   # the first page is unchanged
    page.emulate_media(media="print")
    first_page = page.evaluate("document.querySelector('.onepage').getBoundingClientRect().height")
    assert first_page < 277 / 25.4 * 96                                # within A4's 277 mm of print height


@pytest.mark.parametrize("appendix", [False, True])
def test_docx_lists_the_top_packages_and_the_whole_list_only_in_the_appendix(many, tmp_path, appendix):
    pk = pd.read_csv(many / "packages.csv", encoding="utf-8-sig")
    path = write_docx(many, tmp_path / "b.docx", lang="zh", appendix=appendix)
    d = docx.Document(str(path))
    b = briefing_content(many, "zh")
    assert next(c for c in b.pv if c.key == "pv_mw").value == f"{pk['capacity_kwp'].sum() / 1000:,.2f}"
    # tables: cards, indicators, top sites, top packages[, measures][, every package]
    top = d.tables[3]
    assert len(top.rows) == TOP_PACKAGES + 1
    assert [top.rows[i].cells[0].text for i in (1, TOP_PACKAGES)] == ["1", str(TOP_PACKAGES)]
    text = "\n".join(p.text for p in d.paragraphs)
    assert more_packages(b, in_appendix=appendix) in text
    assert f"另有{len(pk) - TOP_PACKAGES}个项目包未列出" in text
    full = [t for t in d.tables if len(t.rows) == len(pk) + 1]
    if appendix:
        assert len(full) == 1 and "及附录" in text
        labels = [r.cells[1].text for r in full[0].rows[1:]]
        assert labels == list(b.packages["package"]) and len(set(labels)) == len(pk)   # every package, in rank order
    else:
        assert full == [] and "及附录" not in text


def test_the_demo_lists_all_its_packages_and_no_more_line(demo_run):
    b = briefing_content(demo_run.folder, "zh")
    assert len(b.packages) <= TOP_PACKAGES and more_packages(b, in_appendix=True) == ""


def test_province_sites_table_reads_without_mixed_type_warning(many, tmp_path):
    """A sites.csv large enough to be parsed in chunks, with excluded_reason empty in the first rows and text at
    the end (as in a province's table): read with one type per column and no DtypeWarning (the tester saw
    'Columns (91: excluded_reason) have mixed types' from `map` and `briefing`)."""
    s = pd.read_csv(many / "sites.csv", encoding="utf-8-sig", dtype={"site_id": str})
    big = pd.concat([s] * 60, ignore_index=True).assign(excluded_reason=pd.Series(dtype=object))
    big["site_id"] = [f"S{i}" for i in range(len(big))]
    big.loc[big.index[-20:], "excluded_reason"] = "package below minimum capacity (0.12 MW < 1 MW)"
    f = tmp_path / "sites.csv"
    big.to_csv(f, index=False, encoding="utf-8-sig")
    with pytest.warns(pd.errors.DtypeWarning):          # the file does trip pandas' chunked type guessing
        pd.read_csv(f, encoding="utf-8-sig")
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.DtypeWarning)
        sites, _, _ = load_results(f)
    assert sites["excluded_reason"].notna().sum() == 20
