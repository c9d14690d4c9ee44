"""No way in through user text: a hostile register run through the real CLI (issue 22, item 1).

The register is the shipped demo city with names, districts and (through ``[packages] category_map``
in plan.toml) package labels rewritten to template expressions, script and spreadsheet formulas.
Checks: the template expressions stay literal and run nothing (SSTI), a real Chromium opening the map
and the briefing shows no dialog and no live element (script execution), every XLSX holds no formula
and every CSV text cell is neutralised (formula injection), and odd district names never cost a sheet.
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from solarplan.app.pipeline import demo_inventory_path
from solarplan.core.resources import data_path

ROOT = Path(__file__).resolve().parents[2]
SSTI = "{{7*7}}"
XSS = ["<img src=x onerror=alert(7)>", "</script><script>alert(8)</script>", "<svg onload=alert(9)>",
       '"><img src=x onerror=alert(10)>']
FORMULAS = ['=HYPERLINK("http://x","click")', "=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(A1)", "\t=1+1"]
LONG = "十堰市经济技术开发区第一产业园区管理委员会办公楼群东区"   # 28 characters: package ids clash at 31
DISTRICTS = [XSS[0], "A:B?*", "=1+2", LONG + "甲", LONG + "乙", SSTI]
CATEGORY_MAP = {"school": XSS[2], "hospital": FORMULAS[0], "soe": SSTI}


def ssti_os(marker: Path) -> str:
    """A name that, if rendered by Jinja, would create ``marker`` through os.open."""
    return ("{{ self.__init__.__globals__.__builtins__.__import__('os').open('%s', 65) }}" % marker)


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "solarplan", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=900)


def hostile_inventory(path: Path, marker: Path) -> dict:
    """Copy the demo inventory, rewriting names and districts site by site; return site_id -> name."""
    g = json.loads(demo_inventory_path().read_text(encoding="utf-8"))
    names = [SSTI, ssti_os(marker), *XSS, *FORMULAS]
    sites = sorted({f["properties"]["site_id"] for f in g["features"]})
    new = {sid: names[i % len(names)] + f" #{i}" if i < 3 * len(names) else None for i, sid in enumerate(sites)}
    dist = {sid: DISTRICTS[i % len(DISTRICTS)] for i, sid in enumerate(sites)}
    for f in g["features"]:
        p = f["properties"]
        if new[p["site_id"]]:
            p["name"] = new[p["site_id"]]
        p["district"] = dist[p["site_id"]]
    path.write_text(json.dumps(g, ensure_ascii=False), encoding="utf-8")
    return {k: v for k, v in new.items() if v}


def hostile_buildings(path: Path) -> None:
    b = pd.read_csv(data_path("demo_shiyan_buildings.csv"), dtype=str, keep_default_na=False)
    names = [*FORMULAS, *XSS, SSTI]
    b["name"] = [names[i % len(names)] for i in range(len(b))]
    b["package"] = [FORMULAS[i % 2] if i % 3 else "A:B?*" for i in range(len(b))]
    b.to_csv(path, index=False, encoding="utf-8")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    marker = d / "PWNED"
    names = hostile_inventory(d / "roofs.geojson", marker)
    hostile_buildings(d / "buildings.csv")
    toml = "[packages]\ncategory_map = { " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in CATEGORY_MAP.items())
    (d / "plan.toml").write_text(toml + " }\nmin_package_mw = 0.2\n", encoding="utf-8")
    out = d / "out"
    p = cli("packages", d / "roofs.geojson", "--out", out, "--buildings", d / "buildings.csv",
            "--config", d / "plan.toml")
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-3000:]
    for cmd in (["map", out, "--out", out / "map.html", "--offline", "--tiles", "none"],
                ["briefing", out, "--out", out / "briefing.html", "--offline"],
                ["retrofit", d / "buildings.csv", "--out", d / "retrofit.xlsx"],
                ["contract", d / "buildings.csv", "--out", d / "deal.xlsx", "--target-irr", "8%"],
                ["contract", d / "buildings.csv", "--out", d / "deal.csv"]):
        p = cli(*cmd)
        assert p.returncode == 0, (cmd, p.stdout[-2000:] + p.stderr[-3000:])
    return {"dir": d, "out": out, "marker": marker, "names": names}


def test_template_expressions_stay_literal_and_run_nothing(run):
    out = run["out"]
    assert not run["marker"].exists(), "a site name was executed as a template"
    for page in ("map.html", "briefing.html"):
        assert not run["marker"].exists()
    # the map's data block holds the names exactly as given
    html = (out / "map.html").read_text(encoding="utf-8")
    block = html.split('<script type="application/json" id="solarplan-data">')[1].split("</script>")[0]
    shown = {s["id"]: s["name"] for s in json.loads(block)["sites"]}
    for sid, name in run["names"].items():
        if sid in shown:
            assert shown[sid] == name.strip()   # the reader trims surrounding blanks
    assert any(SSTI in n for n in shown.values())
    assert any(SSTI in p["id"] for p in json.loads(block)["packages"])   # config label and district too


@pytest.mark.parametrize("page_name", ["map.html", "briefing.html"])
def test_no_script_runs_in_chromium(run, page_log, page_name):
    log = page_log(width=1200, height=1400)
    page = log.open(run["out"] / page_name, wait_ms=1200)
    doc = page if page_name == "map.html" else page.frame_locator("#map")
    if page_name == "map.html":
        texts = page.evaluate("""() => { const out = [];
            Object.values(window.solarplan.packageLayers).forEach(g => g.eachLayer(m => {
                m.openPopup(); out.push(m.getPopup().getElement().textContent); m.closePopup(); }));
            return out; }""")
        assert any(SSTI in t for t in texts) and any(XSS[0] in t for t in texts)
        overlays = page.inner_text(".leaflet-control-layers-overlays")
        assert XSS[0] in overlays and XSS[2] in overlays and SSTI in overlays   # district, config label
        assert page.inner_text(".sp-legend").count(XSS[0]) >= 1
    else:
        body = page.inner_text("body")
        assert XSS[2] in body and SSTI in body and "49" not in page.inner_text("#packages").split("\n")[0]
    page.wait_for_timeout(300)
    assert log.dialogs == []
    assert [e for e in log.errors if "Content Security Policy" in e] == []
    assert log.errors == [] and log.remote == []
    for frame in page.frames:
        assert frame.evaluate("document.querySelectorAll('img[src=x], svg[onload], [onerror]').length") == 0
    assert doc.locator("path.leaflet-interactive").count() > 0


def test_hand_edited_sites_csv_given_to_map(run, page_log, tmp_path):
    sites = pd.read_csv(run["out"] / "sites.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    sites["name"] = [(XSS + [SSTI])[i % 5] for i in range(len(sites))]
    sites["package_id"] = [(XSS + [SSTI, ""])[i % 6] for i in range(len(sites))]
    sites.to_csv(tmp_path / "edited.csv", index=False, encoding="utf-8")
    p = cli("map", tmp_path / "edited.csv", "--out", tmp_path / "m.html", "--offline", "--tiles", "none")
    assert p.returncode == 0, p.stderr[-2000:]
    log = page_log()
    page = log.open(tmp_path / "m.html", wait_ms=1000)
    page.evaluate("""() => Object.values(window.solarplan.packageLayers).forEach(g => g.eachLayer(m => {
                     m.openPopup(); m.closePopup(); }))""")
    page.wait_for_timeout(300)
    assert log.dialogs == [] and log.errors == []
    assert XSS[1] in page.inner_text(".leaflet-control-layers-overlays")
    assert page.evaluate("document.querySelectorAll('img[src=x], svg[onload], [onerror]').length") == 0
    assert page.evaluate("window.solarplan.markerCount") == len(sites)


def test_pages_carry_a_strict_content_security_policy(run):
    for page in ("map.html", "briefing.html"):
        html = (run["out"] / page).read_text(encoding="utf-8")
        head = html[:html.index("</head>")]
        assert 'http-equiv="Content-Security-Policy"' in head
        policy = head.split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "default-src &#x27;none&#x27;" in policy and "object-src &#x27;none&#x27;" in policy


def xlsx_files(run):
    return [run["out"] / "shortlist.xlsx", run["dir"] / "retrofit.xlsx", run["dir"] / "deal.xlsx"]


def test_no_formula_in_any_workbook(run):
    seen = 0
    for f in xlsx_files(run):
        wb = openpyxl.load_workbook(f)
        for ws in wb:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", f"{f.name}!{ws.title}!{c.coordinate} = {c.value!r} is a formula"
                    if isinstance(c.value, str) and c.value.startswith(("=", "+", "@")):
                        seen += 1
    assert seen >= 10   # the hostile text is there, as text


def test_csv_cells_are_neutralised(run):
    files = list(run["out"].glob("*.csv")) + list(run["dir"].glob("*.csv"))
    files = [f for f in files if f.name != "buildings.csv"]
    quoted = 0
    for f in files:
        with open(f, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        numeric = set()
        for j, h in enumerate(rows[0]):
            vals = [r[j] for r in rows[1:] if j < len(r) and r[j] != ""]
            if vals and all(_is_number(v) for v in vals):
                numeric.add(j)
        for r in rows:
            for j, v in enumerate(r):
                if j not in numeric:
                    assert not v.startswith(("=", "+", "-", "@", "\t", "\r")), f"{f.name}: live cell {v!r}"
                quoted += v.startswith(("'=", "'+", "'@", "'\t"))
    assert quoted >= 10


def _is_number(v):
    try:
        float(v)
        return True
    except ValueError:
        return False


def test_shortlist_keeps_every_package_and_site(run):
    packages = pd.read_csv(run["out"] / "packages.csv", encoding="utf-8-sig")
    sites = pd.read_csv(run["out"] / "sites.csv", encoding="utf-8-sig", keep_default_na=False)
    wb = openpyxl.load_workbook(run["out"] / "shortlist.xlsx")
    assert len({s.lower() for s in wb.sheetnames}) == len(wb.sheetnames)
    summary, site_sheet = wb.worksheets[0], wb.worksheets[1]
    assert summary.max_row - 1 == len(packages)
    assert site_sheet.max_row - 1 == int((sites["package_id"] != "").sum())
    # two district names alike in their first 28 characters still make two packages
    assert sum(LONG[:10] in pid for pid in packages["package_id"]) >= 2
