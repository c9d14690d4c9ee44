"""The TMY2 reader, on the TMY2 file pvlib ships (NREL, Miami WBAN 12839; public domain).

Expected values are independent of solarplan: the header gives 25.80 N, 80.27 W, 2 m, UTC-5; the file's
own hourly columns average GHI 204.6 W/m2 (1,793 kWh/m2/yr), dry bulb 243.1 tenths of C and wind 43.4
tenths of m/s (computed from the raw integers by pvlib's plain fixed-width parser). Miami's climate
normal is 25 C and about 4 m/s, so a reader that forgot the tenths would give 243 C.
"""
from __future__ import annotations

import os

import pytest

pvlib = pytest.importorskip("pvlib")

from solarplan.weather import read_weather  # noqa: E402

TM2 = os.path.join(os.path.dirname(pvlib.__file__), "data", "12839.tm2")


@pytest.fixture(scope="module")
def year():
    if not os.path.exists(TM2):
        pytest.skip("pvlib no longer ships data/12839.tm2")
    return read_weather(TM2)


def test_tmy2_location_and_units(year):
    assert (year.latitude, year.longitude, year.elevation) == pytest.approx((25.8, -80.2667, 2.0), abs=1e-3)
    assert year.meta["format"] == "tmy2" and year.meta["tz_hours"] == -5
    assert len(year.data) == 8760
    assert year.annual_kwh_m2() == pytest.approx(204.636758 * 8.76, rel=1e-6)
    assert year.data["temp_air"].mean() == pytest.approx(24.314, abs=1e-3)  # tenths of C converted
    assert year.data["wind_speed"].mean() == pytest.approx(4.337, abs=1e-3)  # tenths of m/s converted
