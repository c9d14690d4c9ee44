"""Regenerate the README screenshots (docs/img/map.png, docs/img/briefing.png) from the demo.

    python docs/make_screenshots.py                    # runs `solarplan demo` into a temporary folder
    python docs/make_screenshots.py --results maps/    # or uses the outputs of an earlier demo run

Opens the demo's map.html and briefing.html in headless Chromium (Debian's /usr/bin/chromium through
Playwright) with every network request blocked, as on an office PC without internet: the map shows the
offline administrative boundaries shipped in the file, not online tiles, so the pictures do not depend on a
tile server. The briefing is shot at A4 width (210 mm = 794 CSS px) with the print stylesheet, i.e. the page
a leader receives.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
A4_WIDTH_PX = 794         # 210 mm at 96 CSS px per inch
A4_HEIGHT_PX = 1123       # 297 mm


def run_demo(out: Path) -> Path:
    """``python -m solarplan demo --out OUT`` with this checkout first on the path."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "LANG": "C.UTF-8"}
    subprocess.run([sys.executable, "-m", "solarplan", "demo", "--out", str(out)], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return out


def _offline(route):
    if route.request.url.startswith(("file:", "data:", "about:")):
        route.continue_()
    else:
        route.abort()


def shoot(results: Path, img: Path = IMG) -> list[Path]:
    """Screenshots of ``results``/map.html and ``results``/briefing.html into ``img``."""
    from playwright.sync_api import sync_playwright
    exe = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not exe:
        raise SystemExit("chromium not found: apt-get install chromium")
    img.mkdir(parents=True, exist_ok=True)
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu",
                                                               "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1200, "height": 800}, device_scale_factor=1)
        page.route("**/*", _offline)
        page.goto((results / "map.html").resolve().as_uri())
        page.wait_for_timeout(2500)       # let Leaflet draw the boundary and site layers
        out.append(img / "map.png")
        page.screenshot(path=str(out[-1]))
        page.close()
        page = browser.new_page(viewport={"width": A4_WIDTH_PX, "height": A4_HEIGHT_PX}, device_scale_factor=1.5)
        page.route("**/*", _offline)
        page.emulate_media(media="print")
        page.goto((results / "briefing.html").resolve().as_uri())
        page.wait_for_timeout(2500)
        out.append(img / "briefing.png")
        page.screenshot(path=str(out[-1]), full_page=True)
        browser.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", type=Path, help="folder of an earlier `solarplan demo` (default: run it now)")
    ap.add_argument("--out", type=Path, default=IMG, help="folder for the PNGs (default docs/img)")
    a = ap.parse_args(argv)
    if a.results:
        paths = shoot(a.results, a.out)
    else:
        with tempfile.TemporaryDirectory(prefix="solarplan-shots-") as tmp:
            paths = shoot(run_demo(Path(tmp)), a.out)
    for path in paths:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
