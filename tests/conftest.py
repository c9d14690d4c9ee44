"""Shared fixtures. Tests needing ../shared/weather skip elsewhere with a message; CI always has it."""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_WEATHER = ROOT.parent / "shared" / "weather"


def shared_weather_dir() -> Path:
    if not SHARED_WEATHER.is_dir():
        pytest.skip(f"../shared/weather not found at {SHARED_WEATHER}: the real CSWD EPW files are needed "
                    "(CI always has them beside the clone)")
    return SHARED_WEATHER


@pytest.fixture
def weather_dir() -> Path:
    return shared_weather_dir()


@pytest.fixture(scope="session")
def demo_inventory() -> Path:
    from solarplan.app.pipeline import demo_inventory_path
    return demo_inventory_path()


class DemoRun(NamedTuple):
    folder: Path  # the outputs (maps/ under a temporary working folder)
    stdout: str  # what `solarplan demo` printed


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """`solarplan demo` run ONCE for the whole suite, as the README's first command does (no --out:
    the outputs go to maps/ under the working folder). Tests read these outputs and must not change
    them; a test that writes copies the folder first."""
    import contextlib
    import io
    import os

    from solarplan.app.cli import main
    cwd = tmp_path_factory.mktemp("demo_run")
    before, buf = os.getcwd(), io.StringIO()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(buf):
            code = main(["demo"])
    finally:
        os.chdir(before)
    assert code == 0, buf.getvalue()[-2000:]
    return DemoRun(cwd / "maps", buf.getvalue())


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's headless chromium through Playwright (CI installs it; elsewhere the test skips)."""
    import shutil
    exe = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not exe:
        pytest.skip("chromium not found: install Debian's chromium (apt-get install chromium) for the map tests; "
                    ".ci/run does this in CI")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                                         "--disable-background-networking"])
        yield b
        b.close()


class PageLog:
    """A page whose network is cut: any request to a host fails and is recorded, as are console errors
    and dialogs (alert, confirm)."""

    def __init__(self, browser, width=1200, height=900):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.failed, self.errors, self.dialogs, self.remote = [], [], [], []
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)

    def _dialog(self, d):
        self.dialogs.append(d.message)
        d.dismiss()

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            self.remote.append(url)
            route.abort()

    def open(self, path, wait_ms=800):
        self.page.goto(Path(path).resolve().as_uri())
        self.page.wait_for_timeout(wait_ms)
        return self.page


@pytest.fixture
def page_log(browser):
    logs = []

    def make(**kw):
        logs.append(PageLog(browser, **kw))
        return logs[-1]
    yield make
    for log in logs:
        log.page.close()
