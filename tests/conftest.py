"""Shared fixtures. Tests needing ../shared/weather skip elsewhere with a message; CI always has it."""
from __future__ import annotations

from pathlib import Path

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
    from solarplan.pipeline import demo_inventory_path
    return demo_inventory_path()
