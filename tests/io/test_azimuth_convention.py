"""Azimuth conventions: pvlib (0 = north, 90 = east, 180 = south) and PVsyst (0 = south, -90 = east, 90 = west).

Expected values follow from the two conventions' definitions (pvlib docs "surface_azimuth"; PVsyst help
"Plane orientation": azimuth 0 = south, negative towards east), not from solarplan.
"""
from __future__ import annotations

import pytest

from solarplan.core.errors import ConfigError, InputError
from solarplan.io.vocab import parse_azimuth


@pytest.mark.parametrize("pvsyst,pvlib_deg", [(0, 180.0), (-90, 90.0), (90, 270.0), (180, 0.0), (-180, 0.0),
                                              (-45, 135.0), (30, 210.0), ("S", 180.0), ("东", 90.0)])
def test_pvsyst_numbers_become_pvlib_degrees(pvsyst, pvlib_deg):
    assert parse_azimuth(pvsyst, "pvsyst") == pytest.approx(pvlib_deg)


def test_pvlib_numbers_stay():
    assert parse_azimuth(135, "pvlib") == 135.0 and parse_azimuth("SE", "pvlib") == 135.0


@pytest.mark.parametrize("value,convention,error", [(200, "pvsyst", InputError), (400, "pvlib", InputError),
                                                    (180, "compass", ConfigError)])
def test_out_of_range_and_unknown_convention(value, convention, error):
    with pytest.raises(error):
        parse_azimuth(value, convention)
