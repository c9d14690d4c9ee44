"""Shared fixtures. Tests needing ../shared/weather skip elsewhere with a message; CI always has it."""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
SHARED_WEATHER = ROOT.parent / "shared" / "weather"


#: The test files that take longest (``pytest --durations``), longest first. They are collected first so
#: that pytest-xdist (``--dist loadfile``) hands them out at the start and no long file starts last and
#: keeps one core busy alone at the end. Order only: no test depends on it.
SLOW_FILES = ("test_readme.py", "app/test_hostile_text.py", "pv/test_distributed.py", "test_notebooks.py",
              "app/test_outputs.py", "app/test_web.py", "app/test_cli_lang.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(SLOW_FILES)}

    def slow_first(item):
        path = Path(item.path)
        rel = path.relative_to(ROOT / "tests").as_posix() if path.is_relative_to(ROOT / "tests") else ""
        return rank.get(rel, len(rank))
    items.sort(key=slow_first)   # stable: every other test keeps its place


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


def once_per_run(tmp_path_factory, name: str, make) -> tuple[Path, str]:
    """Run ``make(folder) -> text`` ONCE for the whole test run, even across pytest-xdist workers
    (pyproject's addopts run the suite on every core): the first worker to need it runs it under a
    file lock in the run's common temporary folder, the others wait for it and read what it left
    (the pytest-xdist documentation's recipe for session fixtures). Returns (folder, text)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp(name)
        return folder, make(folder)
    shared = tmp_path_factory.getbasetemp().parent   # common to the workers of this run
    folder, done = shared / name, shared / f"{name}.txt"
    with FileLock(str(shared / f"{name}.lock")):
        if not done.is_file():
            if folder.exists():
                shutil.rmtree(folder)   # left by a worker whose attempt failed
            folder.mkdir()
            text = make(folder)
            done.write_text(text, encoding="utf-8")   # written last: its presence means a whole run
            return folder, text
    return folder, done.read_text(encoding="utf-8")


def _demo_in_process(cwd: Path) -> str:
    from solarplan.app.cli import main
    before, buf = os.getcwd(), io.StringIO()
    epoch = os.environ.pop("SOURCE_DATE_EPOCH", None)   # as on a user's machine
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(buf):
            code = main(["demo"])
    finally:
        os.chdir(before)
        if epoch is not None:
            os.environ["SOURCE_DATE_EPOCH"] = epoch
    assert code == 0, buf.getvalue()[-2000:]
    return buf.getvalue()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """`solarplan demo` run ONCE for the whole suite, as the README's first command does (no --out:
    the outputs go to maps/ under the working folder), in this process. Tests read these outputs and
    must not change them; a test that writes copies the folder first."""
    cwd, stdout = once_per_run(tmp_path_factory, "demo_run", _demo_in_process)
    return DemoRun(cwd / "maps", stdout)


#: The environment of a command run as its user runs it: no SOURCE_DATE_EPOCH, no COLUMNS, a plain PATH.
USER_ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "LANG": "C.UTF-8"}


@pytest.fixture(scope="session")
def demo_cli(tmp_path_factory, demo_run) -> DemoRun:
    """A second whole demo, ``python -m solarplan demo --out FOLDER`` in a subprocess, ONCE for the suite:
    the zh summary a user sees (tests/app/test_cli_lang.py) and the other half of the byte-identity
    check (tests/app/test_outputs.py). Started after :func:`demo_run` has finished and the clock has
    moved on, so the two runs never share a second."""
    def make(folder: Path) -> str:
        time.sleep(1.1)
        r = subprocess.run([sys.executable, "-m", "solarplan", "demo", "--out", str(folder)], capture_output=True,
                           text=True, env=USER_ENV, cwd=folder, timeout=900)
        assert r.returncode == 0, r.stderr[-3000:]
        return r.stdout
    folder, stdout = once_per_run(tmp_path_factory, "demo_cli", make)
    return DemoRun(folder, stdout)


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
