"""Maps and briefing in a real headless chromium with the network cut; GCJ-02 against an independent port."""
from __future__ import annotations

import eviltransform
import numpy as np
import pandas as pd
import pytest

from solarplan.report.briefing import headline, write_briefing
from solarplan.core.geodatum import gcj02_to_wgs84, wgs84_to_gcj02
from solarplan.report.maps import MAX_LEGEND_ROWS, build_map, render, write_map

XSS = ["<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>"]
# reference points: Shiyan city hall area, Wuhan, Jincheng, Beijing Tiananmen, Dazhou
POINTS = [(32.6290, 110.7980), (30.5928, 114.3055), (35.4906, 112.8515), (39.908692, 116.397477), (31.2096, 107.4680)]


@pytest.fixture(scope="module")
def demo_dir(demo_run):
    return demo_run.folder  # the suite's one demo run (tests/conftest.py)


def haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(a))


@pytest.mark.parametrize("lat, lon", POINTS)
def test_gcj02_matches_an_independent_port_and_round_trips(lat, lon):
    glat, glon = wgs84_to_gcj02(lat, lon)
    elat, elon = eviltransform.wgs2gcj(lat, lon)   # googollee/eviltransform, a separate implementation
    assert haversine_m(glat[0], glon[0], elat, elon) < 0.5
    shift = haversine_m(lat, lon, glat[0], glon[0])
    assert 100 < shift < 700                        # the offset in China is 100-700 m
    blat, blon = gcj02_to_wgs84(glat, glon)
    assert haversine_m(lat, lon, blat[0], blon[0]) < 1.0   # inverse round-trips within a metre


def test_gcj02_leaves_points_outside_china():
    lat, lon = wgs84_to_gcj02(36.0726, -79.7920)   # Greensboro
    assert lat[0] == 36.0726 and lon[0] == -79.7920


def test_offline_demo_map_opens_with_no_request_and_every_marker(demo_dir, page_log, tmp_path):
    path = write_map(demo_dir, tmp_path / "map.html", tiles="none", offline=True)
    log = page_log()
    page = log.open(path)
    assert log.failed == [] and log.remote == [] and log.errors == [] and log.dialogs == []
    n_sites = len(pd.read_csv(demo_dir / "sites.csv"))
    assert page.evaluate("window.solarplan.markerCount") == n_sites
    # not clustered at this size: every site is one clickable SVG circle in the DOM (outlines of compact
    # packages and the boundaries are drawn but not interactive)
    assert page.locator("path.leaflet-interactive").count() == n_sites
    assert page.locator(".leaflet-control-layers").count() == 1 and page.locator(".sp-legend").count() == 1
    shot = page.screenshot()
    blank = page_log().page
    blank.set_content("<html><body style='background:#ddd'></body></html>")
    empty = blank.screenshot()
    blank.close()
    assert len(shot) > 5 * len(empty)   # a drawn map compresses far worse than an empty page


def test_clustered_map_holds_every_site(demo_dir, page_log, tmp_path):
    from solarplan.report.maps import load_results
    sites, packages, outlines = load_results(demo_dir)
    f = tmp_path / "cluster.html"
    f.write_text(render(build_map(sites, packages, outlines, tiles="none", cluster_above=10), offline=True),
                 encoding="utf-8")
    log = page_log()
    page = log.open(f)
    assert log.errors == [] and log.failed == [] and log.remote == []
    assert page.evaluate("window.solarplan.clustered") is True
    # every site is in the cluster layers' data, though few are drawn one by one
    n = page.evaluate("Object.values(window.solarplan.packageLayers).reduce((a, g) => a + g.getLayers().length, 0)")
    assert n == len(sites) == page.evaluate("window.solarplan.markerCount")
    assert page.locator(".marker-cluster").count() > 0


def test_hostile_site_names_stay_text(page_log, tmp_path):
    sites = pd.DataFrame({"site_id": ["X1", "X2", "X3"], "name": XSS + ["普通学校"], "lat": [32.60, 32.61, 32.62],
                          "lon": [110.80, 110.81, 110.82], "capacity_kwp": [100.0, 200.0, 300.0],
                          "annual_ac_kwh": [1e5, 2e5, 3e5], "package_id": ["<b>p</b>", "<b>p</b>", ""]})
    packages = pd.DataFrame({"package_id": ["<b>p</b>"], "rank": [1]})
    f = tmp_path / "xss.html"
    f.write_text(render(build_map(sites, packages, None, tiles="none"), offline=True), encoding="utf-8")
    log = page_log()
    page = log.open(f)
    # open every popup so the names reach the DOM
    texts = page.evaluate("""() => { const out = [];
        Object.values(window.solarplan.packageLayers).forEach(g => g.eachLayer(m => {
            m.openPopup(); out.push(m.getPopup().getElement().textContent); m.closePopup(); }));
        return out; }""")
    page.wait_for_timeout(300)
    assert log.dialogs == [] and log.errors == []
    assert any(XSS[0] in t for t in texts) and any(XSS[1] in t for t in texts)
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.locator(".sp-legend").inner_text().count("<b>p</b>") == 1   # package id shown as text
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0


def marker_positions(page):
    return page.evaluate("""() => { const out = [];
        Object.values(window.solarplan.packageLayers).forEach(g => g.eachLayer(m => {
            const p = m.getLatLng(); out.push([p.lat, p.lng]); })); return out; }""")


@pytest.mark.parametrize("tiles, shifted", [("gaode", True), ("osm", False), ("tianditu", False)])
def test_markers_shift_on_gaode_only(page_log, tmp_path, tiles, shifted):
    lat, lon = np.array(POINTS[:3]).T
    sites = pd.DataFrame({"site_id": ["A", "B", "C"], "lat": lat, "lon": lon, "capacity_kwp": 100.0,
                          "package_id": "p"})
    f = tmp_path / f"{tiles}.html"
    f.write_text(render(build_map(sites, tiles=tiles, tianditu_key="TESTKEY"), offline=True), encoding="utf-8")
    log = page_log()
    got = np.array(marker_positions(log.open(f, wait_ms=300)))
    for (la, lo), (gla, glo) in zip(zip(lat, lon), got):
        if shifted:
            ela, elo = eviltransform.wgs2gcj(la, lo)
            assert haversine_m(gla, glo, ela, elo) < 1.0          # on the Gaode datum, within a metre
            assert haversine_m(gla, glo, la, lo) > 100
        else:
            assert haversine_m(gla, glo, la, lo) < 0.2            # 6-decimal rounding only
    assert [e for e in log.errors if "Failed to load resource" not in e] == []   # tile loads fail: no network
    # tiles were asked for from their host (and cut off here), never from anywhere else
    assert all(h in u for u in log.remote for h in [{"gaode": "autonavi.com", "osm": "openstreetmap.org",
                                                      "tianditu": "tianditu.gov.cn"}[tiles]])


def test_briefing_offline_figures_and_chinese(demo_dir, page_log, tmp_path):
    path = write_briefing(demo_dir, tmp_path / "b.html", lang="zh", offline=True)
    log = page_log(width=1200, height=1600)
    page = log.open(path, wait_ms=1200)
    assert log.failed == [] and log.remote == [] and log.errors == [] and log.dialogs == []
    text = page.inner_text("body")
    assert "装机容量" in text and "项目包" in text and "年减排二氧化碳" in text
    sites = pd.read_csv(demo_dir / "sites.csv", keep_default_na=False, na_values=[""])
    packages = pd.read_csv(demo_dir / "packages.csv")
    h = headline(sites, packages)
    # the figures shown equal the results tables: capacity from packages.csv, the rest from packaged sites
    # (both CSVs carry kWp to 0.1: half a unit per row apart at most)
    assert h["capacity_mw"] == pytest.approx(packages["capacity_kwp"].sum() / 1000, abs=0.05e-3 * len(sites))
    shown = [page.locator(f'.card[data-key="{k}"] .v').inner_text()
             for k in ("pv_mw", "pv_yield", "pv_tce", "pv_co2", "pv_capex")]
    assert shown[0] == f"{packages['capacity_kwp'].sum() / 1000:,.2f}"
    # the other cards sum the packaged sites of sites.csv; packages.csv holds the same totals to the CSVs'
    # precision (each row rounded by kind: kWh and CNY to integers, tce and t CO2 to 0.1)
    ps = sites[sites["package_id"].fillna("") != ""]
    assert shown[1] == f"{ps['annual_ac_kwh'].sum() / 1e4:,.0f}"
    assert shown[2] == f"{ps['annual_tce'].sum():,.0f}"
    assert shown[3] == f"{ps['annual_co2_t'].sum():,.0f}"
    assert shown[4] == f"{ps['capex_cny'].sum() / 1e4:,.0f}"
    n = len(ps) + len(packages)
    for col, half in (("annual_ac_kwh", 0.5), ("annual_tce", 0.05), ("annual_co2_t", 0.05), ("capex_cny", 0.5)):
        assert abs(packages[col].sum() - ps[col].sum()) <= half * n, col
    assert page.locator("#packages tr").count() == len(packages) + 1
    # the embedded map drew every packaged and excluded site
    frame = page.frame_locator("#map")
    assert frame.locator("path.leaflet-interactive").count() >= len(sites)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and 1 <= pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") <= 3


def test_briefing_english_and_hostile_district(page_log, tmp_path):
    sites = pd.DataFrame({"site_id": ["A"], "name": [XSS[1]], "lat": [32.6], "lon": [110.8], "capacity_kwp": [500.0],
                          "annual_ac_kwh": [5e5], "capex_cny": [1.6e6], "package_id": ["school/<script>alert(3)</script>"]})
    packages = pd.DataFrame({"package_id": ["school/<script>alert(3)</script>"], "rank": [1], "n_sites": [1],
                             "capacity_kwp": [500.0], "annual_ac_kwh": [5e5], "capex_cny": [1.6e6], "score": [50.0]})
    from solarplan.report.briefing import build_briefing
    f = tmp_path / "b.html"
    f.write_text(build_briefing(sites, packages, None, lang="en", offline=True), encoding="utf-8")
    log = page_log()
    page = log.open(f)
    assert log.dialogs == [] and log.errors == []
    assert "Capacity" in page.inner_text("body") and "<script>alert(3)</script>" in page.inner_text("#packages")


def test_province_map_opens_offline_and_holds_every_site(page_log, tmp_path):
    """20,000 sites (above big_above): one canvas, every site held and, with the whole province in view,
    counted in the drawn clusters; a hostile name opened in a popup stays text; no request leaves the page."""
    from tests.planning.test_packages import random_sites
    n = 20_000
    sites = random_sites(n, seed=3, spread_deg=0.5)
    cell = np.floor(sites["lat"] / 0.1).astype(int).astype(str) + "_" + np.floor(sites["lon"] / 0.1).astype(int).astype(str)
    sites["package_id"] = sites["category"] + "/-" + cell
    sites.loc[::50, "package_id"] = ""
    sites["name"] = [XSS[i % 2] if i < 4 else f"单位{i}" for i in range(n)]
    ids = sorted(set(sites["package_id"]) - {""})
    packages = pd.DataFrame({"package_id": ids, "rank": np.arange(1, len(ids) + 1)})
    assert len(packages) > 200      # more packages than the legend and labels list
    f = tmp_path / "province.html"
    f.write_text(render(build_map(sites, packages, None, tiles="none"), offline=True), encoding="utf-8")
    log = page_log()
    page = log.page
    page.goto(f.resolve().as_uri())
    page.wait_for_function(f"window.solarplan && window.solarplan.markerCount === {n}", timeout=45_000)
    assert page.evaluate("window.solarplan.big") is True
    assert page.evaluate("window.solarplan.drawnSites") == n
    assert 0 < page.evaluate("window.solarplan.drawnItems") < n / 10    # clustered, not 20,000 circles
    assert page.locator("path.leaflet-interactive").count() == 0 and page.locator("canvas").count() >= 1
    # the legend lists the top MAX_LEGEND_ROWS packages and the excluded sites' entry, then "... +N"
    assert page.locator(".sp-legend-row").count() == MAX_LEGEND_ROWS + 2
    assert page.locator(".sp-legend-row").last.inner_text() == f"\u2026 +{len(packages) - MAX_LEGEND_ROWS}"
    assert page.locator(".sp-rank").count() <= 200
    texts = page.evaluate("""() => [0, 1].map(i => {
        const p = window.solarplan.openSite(i); return p.getElement().textContent; })""")
    assert XSS[0] in texts[0] and XSS[1] in texts[1]
    page.wait_for_timeout(200)
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    assert log.failed == [] and log.remote == [] and log.errors == [] and log.dialogs == []
