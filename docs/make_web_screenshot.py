"""Take the README's screenshots of `solarplan serve` (docs/img/web-*.png).

Starts the app on a free loopback port in this process, runs the demo city through the browser as a
user would (Debian's chromium through Playwright; no network but the local server) and saves the
upload page and the results page.

    PYTHONPATH=$PWD python docs/make_web_screenshot.py
"""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from solarplan.app.web.server import ServeOptions, create_app

OUT = Path(__file__).resolve().parent / "img"


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(ServeOptions()), host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.1)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            ctx = b.new_context(viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
            ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
            page = ctx.new_page()
            page.goto(base + "/")
            page.screenshot(path=str(OUT / "web-upload.png"))
            page.click("#demo-button")
            page.wait_for_selector("#headline", timeout=600_000)
            page.frame_locator("#map-frame").locator(".leaflet-container").wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / "web-results.png"), full_page=False)
            b.close()
    finally:
        server.should_exit = True
    print(f"wrote {OUT / 'web-upload.png'} and {OUT / 'web-results.png'}")


if __name__ == "__main__":
    main()
