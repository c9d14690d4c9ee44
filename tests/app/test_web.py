"""`solarplan serve` in real headless Chromium with the network cut except for the local server.

The server is started as its user starts it (``python -m solarplan serve --no-browser --port N``) in a
subprocess; expected figures come from the command line (``solarplan packages``) and the Python API
(:func:`solarplan.check_claim`, :func:`solarplan.read_inventory`) run in this process, not from the app.
"""
from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pandas as pd
import pytest

from solarplan import check_claim, read_inventory
from solarplan.app.cli import main
from solarplan.app.pipeline import demo_inventory_path, load_plan, packages_step, rows_summary
from solarplan.report.briefing import headline

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 420  # the demo takes ~20 s alone; the shared 2-core CI box can be ten times slower


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a free loopback port, as `solarplan serve --no-browser` starts it."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "solarplan", "serve", "--no-browser", "--port", str(port),
                                 "--max-upload-mb", "20"], cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            pytest.fail(f"solarplan serve exited: {log.read_text(errors='replace')}")
        time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


class Page:
    """A browser page that may reach only the local server; other requests, dialogs and errors are kept."""

    def __init__(self, browser, base: str):
        self.context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.base = base
        self.remote, self.dialogs, self.errors = [], [], []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.route("**/*", self._route)

    def _dialog(self, d):
        self.dialogs.append(d.message)
        d.dismiss()

    def _route(self, route):
        url = route.request.url
        if url.startswith((self.base + "/", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.remote.append(url)
            route.abort()

    def goto(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture
def web(browser, server):
    pages = []

    def make():
        pages.append(Page(browser, server))
        return pages[-1]
    yield make
    for p in pages:
        p.close()


def _upload_and_run(p: Page, path: Path):
    page = p.goto("/")
    page.set_input_files("#register", str(path))
    page.click("#upload-button")
    page.wait_for_selector("#summary")
    page.click("#run-button")
    return _wait_results(page)


def _wait_results(page):
    """Wait for the results page (or fail with the job's message)."""
    page.wait_for_selector("#headline, #error:visible", timeout=RUN_TIMEOUT_S * 1000)
    if page.locator("#error:visible").count():
        pytest.fail(f"the job failed: {page.inner_text('#error')}")
    return page


def _kpis(page) -> dict[str, str]:
    return {k: page.inner_text(f"#kpi-{k}") for k in ("capacity", "energy", "capex", "tce", "co2", "sites",
                                                       "packages")}


def _expected_kpis(results: Path) -> dict[str, str]:
    sites, packages = pd.read_csv(results / "sites.csv"), pd.read_csv(results / "packages.csv")
    h = headline(sites, packages)
    return {"capacity": f"{h['capacity_mw']:,.2f}", "energy": f"{h['annual_wan_kwh']:,.0f}",
            "capex": f"{h['capex_wan_cny']:,.0f}", "tce": f"{h['annual_tce']:,.0f}", "co2": f"{h['annual_co2_t']:,.0f}",
            "sites": str(h["n_sites"]), "packages": str(h["n_packages"])}


@pytest.fixture(scope="module")
def cli_demo_packages(tmp_path_factory):
    """`solarplan packages <demo register> --out DIR`: the numbers the app must show."""
    out = tmp_path_factory.mktemp("cli")
    assert main(["packages", str(demo_inventory_path()), "--out", str(out)]) == 0
    return out


def test_demo_register_results_match_the_cli_map_opens_zip_downloads(web, cli_demo_packages, tmp_path):
    p = web()
    page = _upload_and_run(p, demo_inventory_path())
    assert _kpis(page) == _expected_kpis(cli_demo_packages)
    # packages table: one row per package of the CLI's packages.csv
    assert page.locator("#packages tbody tr").count() == len(pd.read_csv(cli_demo_packages / "packages.csv"))
    # the map: Leaflet draws inside the sandboxed frame, with every packaged site as a marker
    frame = page.frame_locator("#map-frame")
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    # the zip holds every output, and its sites.csv carries the CLI's numbers
    with page.expect_download() as dl:
        page.click("#download-zip")
    target = tmp_path / "all.zip"
    dl.value.save_as(target)
    with zipfile.ZipFile(target) as z:
        names = {Path(n).name for n in z.namelist()}
        assert {"shortlist.xlsx", "sites.csv", "packages.csv", "map.html", "briefing.html", "rejects.csv"} <= names
        app_sites = pd.read_csv(io.BytesIO(z.read("solarplan/sites.csv")), encoding="utf-8-sig")
    cli_sites = pd.read_csv(cli_demo_packages / "sites.csv", encoding="utf-8-sig")
    assert app_sites["annual_ac_kwh"].sum() == pytest.approx(cli_sites["annual_ac_kwh"].sum(), rel=1e-12)
    assert app_sites["npv_cny"].sum() == pytest.approx(cli_sites["npv_cny"].sum(), rel=1e-12)
    # the map opened on its own, with no request leaving this computer other than basemap tiles
    page.click("#open-map")
    assert not p.dialogs
    assert all("tile" in u for u in p.remote), p.remote
    assert not p.errors, p.errors


BROKEN = """编号,名称,类型,屋顶类型,纬度,经度,屋顶面积,备注说明
A1,第一中学,学校,平屋顶,32.63,110.79,1200,
A2,人民医院,医院,平屋顶,132.6,110.8,900,纬度写错
A3,区政府,机关,彩钢瓦,32.61,110.77,-50,面积为负
A4,第二小学,学校,平屋顶,,,800,没有坐标
A5,市图书馆,机关,平屋顶,32.65,110.81,1500,
"""


def test_broken_register_shows_its_rejects_and_a_mapping_form(web, tmp_path):
    path = tmp_path / "破损清单.csv"
    path.write_text(BROKEN, encoding="utf-8")
    expected = read_inventory(path)  # the CLI's reader and rules
    p = web()
    page = p.goto("/")
    page.set_input_files("#register", str(path))
    page.click("#upload-button")
    page.wait_for_selector("#summary")
    assert page.inner_text("#summary") == rows_summary(expected, "zh")
    rows = page.locator("#rejects tbody tr")
    assert rows.count() == len(expected.rejects) == 3
    shown = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    assert [(r[0], r[1], r[2]) for r in shown] == [(str(a), str(b), str(c)) for a, b, c in zip(
        expected.rejects["source_row"], expected.rejects["site_id"], expected.rejects["column"])]
    assert all(r[4] for r in shown)  # every reject has its reason
    # the unrecognised header is offered for mapping
    assert "备注说明" in page.inner_text("#mapping-form")


def test_unknown_id_header_is_mapped_in_the_form_and_the_register_then_reads(web, tmp_path):
    path = tmp_path / "roofs.csv"
    path.write_text(BROKEN.replace("编号", "档案号"), encoding="utf-8")
    p = web()
    page = p.goto("/")
    page.set_input_files("#register", str(path))
    page.click("#upload-button")
    # with no id column the register still reads (ids made from the unit names, issue 15), and the
    # unrecognised 档案号 header is offered for mapping
    page.wait_for_selector("#summary")
    row = page.locator("#mapping-form tr", has_text="档案号")
    row.locator("select").select_option("site_id")
    with page.expect_navigation():
        page.click("#mapping-button")
    page.wait_for_selector("#summary")
    # the mapping is kept in the settings, and downloads as plan.toml for the CLI
    toml = httpx.get(p.base + "/settings/plan.toml").text
    assert '"档案号" = "site_id"' in toml
    cfg_path = tmp_path / "plan.toml"
    cfg_path.write_text(toml, encoding="utf-8")
    mapped = read_inventory(path, load_plan(cfg_path))
    assert (len(mapped.clean), len(mapped.rejects)) == (2, 3)
    assert set(mapped.clean["site_id"]) == {"A1", "A5"}  # the register's own ids, through the mapping
    assert rows_summary(mapped, "zh") == page.inner_text("#summary")
    # reset for the other tests
    page = p.goto("/settings")
    page.click("text=" + page.locator("button[value=reset]").inner_text())


def test_claim_check_gives_the_api_verdict(web):
    expected = check_claim(area="36万m2", claim="6000万kWh", location="十堰")
    p = web()
    page = p.goto("/claim")
    page.fill("#area", "36万m2")
    page.fill("#claim", "6000万kWh")
    page.fill("#location", "十堰")
    page.click("#check-button")
    page.wait_for_selector("#claim-result", timeout=120_000)
    assert page.inner_text("#verdict") == expected.verdict
    assert page.inner_text("#reason") == expected.reason
    assert page.inner_text("#implied-per-m2").startswith(f"{expected.implied['yield_kwh_per_m2']:,.0f} kWh")
    lo, hi = expected.energy_range_kwh
    assert page.inner_text("#energy-range") == f"{lo / 1e4:,.0f} – {hi / 1e4:,.0f}"


def test_claim_check_mistake_is_one_message(web):
    p = web()
    page = p.goto("/claim")
    page.fill("#area", "很多")
    page.fill("#claim", "6000万kWh")
    page.fill("#location", "十堰")
    page.click("#check-button")
    page.wait_for_selector("#claim-error")
    assert "area" in page.inner_text("#claim-error")


HOSTILE = """site_id,name,category,surface_type,lat,lon,area_m2
X1,<script>alert('name')</script>,school,flat_roof,32.63,110.79,12000
X2,<img src=x onerror=alert('img')>,hospital,flat_roof,32.64,110.80,12000
X3,"<svg onload=alert('svg')>",agency,flat_roof,32.62,110.78,12000
<img src=x onerror=alert('id')>,"<b>x</b>",agency,flat_roof,232.6,110.78,4000
"""


def test_hostile_names_fire_no_dialog(web, tmp_path):
    path = tmp_path / "<img src=x onerror=alert(1)>.csv"
    path.write_text(HOSTILE, encoding="utf-8")
    p = web()
    page = p.goto("/")
    page.set_input_files("#register", str(path))
    page.click("#upload-button")
    page.wait_for_selector("#summary")
    assert "onerror" in page.inner_text(".filename")  # shown as text
    assert "<img src=x onerror=alert('id')>" in page.inner_text("#rejects")
    page.click("#run-button")
    _wait_results(page)
    page.frame_locator("#map-frame").locator(".leaflet-container").wait_for(timeout=60_000)
    page.frame_locator("#map-frame").locator(".leaflet-marker-icon, path.leaflet-interactive").first.click()
    page.wait_for_timeout(500)
    for name in ("map.html", "briefing.html"):
        p.goto(f"/job/{page.url.split('/')[-2]}/file/{name}")
        page.wait_for_timeout(1500)
    assert p.dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=x], svg[onload]').length") == 0


def _run_job(client: httpx.Client, path: Path) -> str:
    with open(path, "rb") as fh:
        r = client.post("/upload", files={"register": (path.name, fh, "text/csv")})
    jid = r.headers["location"].split("/")[-1]
    assert client.post(f"/job/{jid}/run", data={"weather": "auto"}).status_code == 303
    return jid


def test_two_jobs_at_once_keep_their_own_numbers_and_the_ui_answers(server, tmp_path):
    demo = read_inventory(demo_inventory_path()).clean
    cols = ["site_id", "name", "category", "surface_type", "lat", "lon", "gross_area_m2", "district"]
    paths = {}
    for key, sel in {"a": demo["category"] == "school", "b": demo["category"] == "hospital"}.items():
        df = demo.loc[sel, cols].rename(columns={"gross_area_m2": "area_m2"})
        paths[key] = tmp_path / f"{key}.csv"
        df.to_csv(paths[key], index=False)
    client = httpx.Client(base_url=server, timeout=30)
    jobs = {k: _run_job(client, p) for k, p in paths.items()}
    both_running, slowest = False, 0.0
    deadline = time.time() + RUN_TIMEOUT_S
    while time.time() < deadline:
        states = {k: client.get(f"/job/{j}/status").json()["state"] for k, j in jobs.items()}
        both_running |= all(s == "running" for s in states.values())
        t0 = time.perf_counter()
        assert client.get("/claim").status_code == 200
        slowest = max(slowest, time.perf_counter() - t0)
        if all(s not in ("queued", "running") for s in states.values()):
            break
        time.sleep(0.5)
    assert states == {"a": "done", "b": "done"}
    assert both_running, "the two jobs never ran at the same time"
    assert slowest < 5.0, f"a page took {slowest:.1f} s while two jobs ran"
    for key, jid in jobs.items():
        expected = tmp_path / f"cli-{key}"
        packages_step(paths[key], expected, load_plan(None))  # what `solarplan packages` computes
        got = pd.read_csv(io.BytesIO(client.get(f"/job/{jid}/file/sites.csv").content), encoding="utf-8-sig")
        want = pd.read_csv(expected / "sites.csv", encoding="utf-8-sig")
        assert sorted(got["site_id"]) == sorted(want["site_id"])
        assert got["annual_ac_kwh"].sum() == pytest.approx(want["annual_ac_kwh"].sum(), rel=1e-12)


def test_cancel_stops_the_worker(server):
    client = httpx.Client(base_url=server, timeout=30)
    jid = _run_job(client, demo_inventory_path())
    time.sleep(1.0)
    assert client.post(f"/job/{jid}/cancel").status_code == 303
    assert client.get(f"/job/{jid}/status").json()["state"] == "cancelled"
    assert client.get(f"/job/{jid}/results").headers["location"].endswith("/progress")


def test_retrofit_page_gives_the_api_deal(web, tmp_path):
    from solarplan import contract_terms, evaluate_buildings, price_contracts, read_buildings
    from solarplan.app.pipeline import DEMO_BUILDINGS
    from solarplan.core.resources import data_path
    path = tmp_path / "楼宇.csv"
    lines = data_path(DEMO_BUILDINGS).read_text(encoding="utf-8").splitlines()[:9]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = load_plan(None)
    res = read_buildings(path)
    table = evaluate_buildings(res.clean, config)
    deals, *_ = price_contracts(table, res.clean, config, contract_terms("trusteeship", 10, 0.05))
    p = web()
    page = p.goto("/retrofit")
    page.set_input_files("#buildings", str(path))
    page.fill("#term", "10")
    page.fill("#parameter", "5%")
    page.click("#retrofit-button")
    page.wait_for_selector("#deals, #error:visible", timeout=RUN_TIMEOUT_S * 1000)
    if page.locator("#error:visible").count():
        pytest.fail(page.inner_text("#error"))
    cells = page.locator("#deals tbody tr").first.locator("td").all_inner_texts()
    d = deals.iloc[0]
    assert cells[1] == str(d["buildings"])
    assert cells[3] == f"{d['savings_cny']:,.0f}" and cells[4] == f"{d['investment_cny']:,.0f}"
    assert cells[7] == f"{d['esco_irr'] * 100:.1f}%"
    assert page.locator("#measures tbody tr").count() == len(table)
