"""The synthetic year from the embedded climatology against the 11 real CSWD years."""
from __future__ import annotations

import hashlib
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from solarplan.weather import get_weather, monthly_climate, resolve_location, synthesize
from solarplan.weather.qc import resolve_shift
from solarplan.weather.readers import read_weather
from solarplan.pv.yieldsim import MONTH_COLUMNS, simulate

from .test_weather import STATIONS

ARRAYS = pd.DataFrame({"surface_tilt": [20.0, 0.0], "surface_azimuth": [180.0, 180.0], "mounting": "canopy",
                       "gcr": 1.0, "capacity_kwp": 1.0}, index=["tilt20_south", "horizontal"])


@pytest.mark.parametrize("name", [s[0] for s in STATIONS], ids=[s[0].split(".")[1] for s in STATIONS])
def test_synthetic_year_yield_matches_real_year(weather_dir, name):
    """Acceptance of issue 3: the synthetic year within +-4 % a year and +-12 % every month of the real year.

    The reference is the real year read with the GHI-trusting closure reading (``closure="ghi"``), chosen
    explicitly: the synthetic year is built from monthly GHI and DHI, so it is compared with the real
    file's GHI and DHI. The default reading of the four files that fail closure (Ankang, Houma, Yushe,
    Wuhan) trusts their DNI and recomputes GHI, 4-10 % lower; that is a choice about the file's defects,
    not a test of the synthesis.

    The synthetic year is built from the station's climatology with its monthly GHI and DHI taken from
    the reference year. For the seven files that pass closure these equal the climatology (asserted);
    on the four that fail it, even the GHI-trusting reading lowers GHI where the rebuilt beam would
    exceed clear-sky DNI (Wuhan 46 kWh/m2), so the climatology's unrepaired totals are not the
    reference's, and the synthesis is judged on the same monthly totals.
    """
    real = resolve_shift(read_weather(weather_dir / name), closure="ghi")[0]  # timing corrected, GHI trusted
    climate = monthly_climate(real.latitude, real.longitude)
    month = real.data.groupby(real.data.index.month)[["ghi", "dhi"]].sum() / 1e3
    if not real.meta.get("closure_fixed"):
        np.testing.assert_allclose(climate.ghi_kwh_m2, month["ghi"], rtol=0.005)
        np.testing.assert_allclose(climate.dhi_kwh_m2, month["dhi"], rtol=0.005)
    synthetic = synthesize(replace(climate, ghi_kwh_m2=month["ghi"].to_numpy(), dhi_kwh_m2=month["dhi"].to_numpy()))
    a = simulate(ARRAYS, real).surfaces
    b = simulate(ARRAYS, synthetic).surfaces
    annual = b["annual_ac_kwh"] / a["annual_ac_kwh"] - 1
    monthly = b[list(MONTH_COLUMNS)].to_numpy(float) / a[list(MONTH_COLUMNS)].to_numpy(float) - 1
    # acceptance of issue 3: +-4 % a year, +-12 % every month, for both arrays
    assert np.all(np.abs(annual) <= 0.04), annual
    assert np.all(np.abs(monthly) <= 0.12), monthly


def test_monthly_totals_equal_the_station():
    c = monthly_climate(32.63, 110.80)
    w = synthesize(c).data
    m = w.groupby(w.index.month).sum() / 1e3
    np.testing.assert_allclose(m["ghi"], c.ghi_kwh_m2, rtol=1e-9)
    np.testing.assert_allclose(m["dhi"], c.dhi_kwh_m2, rtol=1e-9)
    np.testing.assert_allclose(w.groupby(w.index.month)["temp_air"].mean(), c.temp_air, atol=1e-9)
    assert (w["dhi"] <= w["ghi"] + 1e-9).all() and (w[["ghi", "dni", "dhi"]] >= 0).all().all()


def test_synthesis_is_deterministic_and_fast():
    def digest():
        return hashlib.sha256(get_weather("auto", 32.63, 110.80).weather.data.to_numpy().tobytes()).hexdigest()
    get_weather("auto", 30.6, 114.1)  # warm the climatology and turbidity caches
    start = time.perf_counter()
    first = digest()
    elapsed = time.perf_counter() - start
    assert first == digest()
    assert elapsed < 1.0


@pytest.mark.parametrize("text,lat,lon", [("十堰", 32.63, 110.80), ("Shiyan", 32.63, 110.80), ("十堰市", 32.63, 110.80),
                                          ("渠县", 30.84, 106.97), ("Jincheng", 35.49, 112.85),
                                          ("32.5, 110.7", 32.5, 110.7), ("57494", 30.62, 114.13)])
def test_locations_by_name(text, lat, lon):
    got = resolve_location(text)
    assert got[0] == pytest.approx(lat) and got[1] == pytest.approx(lon)


def test_far_station_warns():
    # Lhasa region to the nearest CSWD station is close; a spot in the Taklamakan is far from any
    c = monthly_climate(38.5, 83.0)
    assert any("km away" in w for w in c.warnings)
