"""Acceptance of the briefing and map in a real headless chromium with the network cut (issue 19):
the zh demo briefing prints on exactly one A4 page (Chromium's own PDF, pages counted with pypdf) with
no English codes in its text, and the offline map draws the administrative boundaries."""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from solarplan.core.defaults import CATEGORIES, SURFACE_TYPES
from solarplan.core.i18n import VALUES
from solarplan.report.briefing import write_briefing
from solarplan.report.maps import write_map

pypdf = pytest.importorskip("pypdf", reason="pypdf is a test dependency: pip install '.[test]'")
CODES = sorted(set(CATEGORIES) | set(SURFACE_TYPES) | set(VALUES["measure"]) | set(VALUES["kind"]))


@pytest.fixture(scope="module")
def demo_dir(demo_run):
    return demo_run.folder  # the suite's one demo run (tests/conftest.py); read only


def _all_text(page) -> str:
    """Visible text of the page and of the map inside its iframe."""
    text = page.inner_text("body")
    for frame in page.frames[1:]:
        text += "\n" + frame.inner_text("body")
    return text


def test_zh_briefing_prints_on_one_a4_page_without_english_codes(demo_dir, page_log, tmp_path):
    path = write_briefing(demo_dir, tmp_path / "briefing.html", lang="zh", offline=True)
    log = page_log(width=1100, height=1400)
    page = log.open(path, wait_ms=1500)
    assert log.remote == [] and log.errors == []
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    w, h = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2          # A4 in points
    text = _all_text(page)
    found = [c for c in CODES if re.search(rf"(?<![A-Za-z_]){re.escape(c)}(?![A-Za-z_])", text)]
    assert found == [], f"English codes in the zh briefing: {found}"
    assert "hospital/" not in text and " yr" not in text and "outlines" not in text
    for key in ("card-pv", "card-retrofit", "card-trusteeship", "recommendation", "top-sites", "indicators"):
        assert page.locator(f"#{key}").count() == 1, key
    assert page.locator("#top-sites tr").count() == 11          # header + 10 named sites
    # print CSS: the map's zoom and layer controls are hidden, the whole legend is shown
    page.emulate_media(media="print")
    frame = page.frames[1]
    assert frame.locator(".leaflet-control-zoom").is_hidden()
    assert frame.locator(".leaflet-control-layers").is_hidden()
    legend = frame.locator(".sp-legend")
    n_packages = len(pd.read_csv(demo_dir / "packages.csv"))
    assert legend.evaluate("e => e.scrollHeight <= e.clientHeight + 1")
    assert legend.locator(".sp-legend-row").count() >= n_packages


def test_en_briefing_speaks_mwh_and_cny_million_and_appendix_only_when_asked(demo_dir, page_log, tmp_path):
    one = write_briefing(demo_dir, tmp_path / "b1.html", lang="en", offline=True)
    two = write_briefing(demo_dir, tmp_path / "b2.html", lang="en", offline=True, appendix=True)
    log = page_log(width=1100, height=1400)
    page = log.open(one, wait_ms=1200)
    text = _all_text(page)
    assert "万" not in text and "MWh" in text and "CNY million" in text
    assert len(pypdf.PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True))).pages) == 1
    page2 = log.open(two, wait_ms=1200)
    assert len(pypdf.PdfReader(io.BytesIO(page2.pdf(format="A4", prefer_css_page_size=True))).pages) == 2


def test_offline_map_draws_boundaries_with_the_network_blocked(demo_dir, page_log, tmp_path):
    path = write_map(demo_dir, tmp_path / "map.html", tiles="osm", offline=True)
    log = page_log()
    page = log.open(path, wait_ms=1200)
    # the refused tile requests are the only console errors
    assert [e for e in log.errors if "Failed to load resource" not in e] == [] and log.dialogs == []
    assert all("tile.openstreetmap.org" in u for u in log.remote)   # only tiles were asked for, and refused
    n_bnd = page.locator("path.sp-bnd").count()
    assert n_bnd >= 10 and page.evaluate("window.solarplan.boundaryCount") == n_bnd
    assert page.locator("path.sp-bnd-county").count() >= 3          # the demo's districts at least
    assert page.locator(".sp-place-county").count() >= 1             # with names
    assert "茅箭区" in page.inner_text("body")
    # de-conflicted labels: no two visible labels overlap
    boxes = page.evaluate("""Array.from(document.querySelectorAll('.sp-rank span, .sp-place span'))
        .filter(e => getComputedStyle(e.parentElement).visibility !== 'hidden')
        .map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })""")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] - 1 and a[2] > b[0] + 1 and a[1] < b[3] - 1 and a[3] > b[1] + 1), (a, b)


def test_sites_at_a_district_centre_are_drawn_apart_and_named_approximate(demo_dir, page_log, tmp_path):
    from solarplan.report.maps import build_map, load_results, render
    sites, packages, outlines = load_results(demo_dir)
    sites = sites.assign(location_source="coordinates", location_precision_km=float("nan"))
    sites.loc[sites.index[:3], ["location_source", "location_precision_km"]] = ["district_centroid", 4.2]
    path = tmp_path / "approx.html"
    path.write_text(render(build_map(sites, packages, outlines, tiles="none"), offline=True), encoding="utf-8")
    log = page_log()
    page = log.open(path)
    assert log.errors == []
    assert page.evaluate("window.solarplan.approxCount") == 3
    assert page.locator("path.sp-approx").count() == 3
    page.evaluate("""Object.values(window.solarplan.packageLayers).some(g => {
        let hit = null; g.eachLayer(l => { if (!hit && l.options.className === 'sp-approx') hit = l; });
        if (hit) { hit.openPopup(); } return !!hit; })""")
    page.wait_for_timeout(300)
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "近似位置" in popup and "4.2 km" in popup
