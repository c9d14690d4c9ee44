"""The energy and carbon factors: one home, and consistent with the GB/T 2589-2020 figures they cite."""
import pytest

from retrofit import gshp
from solarplan.core.errors import ConfigError
from solarplan.core.factors import FACTORS, NET_CALORIFIC_MJ, fuel_to_co2_t, net_calorific_mj

#: 1 kgce = 29,307.6 kJ (GB/T 2589-2020 §3.7 definition of coal equivalent)
MJ_PER_KGCE = 29.3076


@pytest.mark.parametrize("fuel,tce_key", [("natural_gas", "natural_gas_tce"), ("raw_coal", "raw_coal_tce"),
                                          ("diesel", "diesel_tce")])
def test_calorific_value_matches_the_coal_equivalent(fuel, tce_key):
    # the published kgce factors are the calorific values over 29.3076 MJ/kgce, rounded to 4 decimals
    # (raw coal 20.908 / 29.3076 = 0.7134 against the tabled 0.7143: the table rounds the 5,000 kcal/kg
    # it was set from), so 0.2 % covers the published rounding
    assert net_calorific_mj(fuel) / MJ_PER_KGCE == pytest.approx(FACTORS[tce_key].value, rel=2e-3)


def test_boiler_fuel_uses_the_one_table():
    # retrofit.gshp turns boiler heat into fuel with the values of solarplan.core.factors, not its own copy
    assert gshp.FUEL_MJ["gas_m3"] == NET_CALORIFIC_MJ["natural_gas"]
    assert gshp.FUEL_MJ["coal_kg"] == NET_CALORIFIC_MJ["raw_coal"]


@pytest.mark.parametrize("fuel,ef_kg_per_gj", [("natural_gas", 56.1), ("raw_coal", 94.6), ("diesel", 74.1)])
def test_fuel_co2_is_calorific_value_times_ipcc_factor(fuel, ef_kg_per_gj):
    # IPCC 2006 Vol. 2 Table 2.2 default factors [kg CO2/GJ]; 1,000 units of fuel
    assert float(fuel_to_co2_t(1000.0, fuel)) == pytest.approx(NET_CALORIFIC_MJ[fuel] * ef_kg_per_gj / 1000, rel=1e-12)


def test_unknown_fuel_names_the_valid_ones():
    with pytest.raises(ConfigError, match="natural_gas"):
        net_calorific_mj("peat")
