"""Quantities in the users' words: parse, format back, and refuse ambiguity."""
from __future__ import annotations

import pytest

from solarplan.core.quantity import QuantityError, format_quantity, parse_quantity

# (text, value in base unit, dimension) - values worked by hand from the unit definitions
CASES = [
    ("6000万kWh", 6.0e7, "energy"), ("6000万千瓦时", 6.0e7, "energy"), ("670万度", 6.7e6, "energy"),
    ("60GWh", 6.0e7, "energy"), ("60 GWh", 6.0e7, "energy"), ("2.5MWh", 2.5e3, "energy"),
    ("1.5亿kWh", 1.5e8, "energy"), ("12 million kWh", 1.2e7, "energy"), ("800 kWh", 800.0, "energy"),
    ("36万平方米", 3.6e5, "area"), ("36万m2", 3.6e5, "area"), ("36万 m²", 3.6e5, "area"),
    ("360,000 m2", 3.6e5, "area"), ("12亩", 8000.0, "area"), ("3公顷", 3.0e4, "area"), ("5千平方米", 5.0e3, "area"),
    ("5.16MW", 5160.0, "power"), ("5.16兆瓦", 5160.0, "power"), ("500kWp", 500.0, "power"),
    ("500万千瓦", 5.0e6, "power"), ("300 W", 0.3, "power"), ("1.2GW", 1.2e6, "power"),
    ("440t", 440.0, "mass"), ("440吨", 440.0, "mass"), ("238吨标准煤", 238.0, "coal"), ("238tce", 238.0, "coal"),
    ("1.2万吨标准煤", 1.2e4, "coal"), ("593吨CO2", 593.0, "co2"), ("593 tCO2", 593.0, "co2"),
    ("593吨二氧化碳", 593.0, "co2"), ("1.2亿元", 1.2e8, "money"), ("2270万元", 2.27e7, "money"),
    ("1,760万元", 1.76e7, "money"), ("0.5306 kg/kWh", 0.5306, "intensity"), ("６０００万ｋＷｈ", 6.0e7, "energy"),
]


@pytest.mark.parametrize("text,value,dim", CASES)
def test_parse_and_round_trip(text, value, dim):
    q = parse_quantity(text)
    assert q.dimension == dim
    assert q.value == pytest.approx(value, rel=1e-12)
    for lang in ("zh", "en"):
        again = parse_quantity(format_quantity(q.value, dim, lang))
        assert again.dimension == dim and again.value == pytest.approx(value, rel=1e-3)


def test_at_least_thirty_quantities():
    assert len(CASES) >= 30


def test_format_in_the_users_style():
    assert format_quantity(6.0e7, "energy") == "6,000万kWh"
    assert format_quantity(3.6e5, "area") == "36万m²"
    assert format_quantity(1.2e8, "money") == "1.2亿元"
    assert format_quantity(5160, "power") == "5.16MW"
    assert format_quantity(6.0e7, "energy", "en") == "60 GWh"


@pytest.mark.parametrize("text,match", [
    ("5.16M", "mega or million"), ("6000万", "unit is needed"), ("1.2B", "billion"), ("about a lot", "not a quantity"),
    ("12 parsecs", "unknown unit"), ("3 thousand", "unit is needed"), ("", "not a quantity"),
])
def test_ambiguous_or_broken_text_is_refused(text, match):
    with pytest.raises(QuantityError, match=match):
        parse_quantity(text)


def test_expected_dimension():
    assert parse_quantity("440t", ("co2",)).dimension == "co2"
    with pytest.raises(QuantityError, match="expected energy"):
        parse_quantity("36万m2", "energy")
