"""plan.toml: one mechanism (solarplan.io.config.parse_section) checks every section.

Each bad value must be refused with a message naming the key, the value as written and what is
accepted; good values (including percentages written as text) must reach the dataclasses.
"""
from __future__ import annotations

import pytest

from solarplan.app.pipeline import load_plan
from solarplan.core.errors import ConfigError
from solarplan.io.config import parse_section
from solarplan.pv.economics import EconomicParams


@pytest.mark.parametrize("text,match", [
    ('[economics]\ndiscount_rate = 6\n', r'discount_rate = 6 is out of range; accepted: a number in \(-1, 1\).*'
                                         r'did you mean 6% = 0.06'),
    ('[economics]\ndiscount_rate = -1\n', r'discount_rate = -1 is out of range'),
    ('[economics]\ndiscount_rate = "100%"\n', r'discount_rate = "100%" is out of range'),
    ('[economics]\ndiscount_rate = "six"\n', r'discount_rate = "six" is not accepted; give a number'),
    ('[economics]\nhorizon_years = 0\n', r'horizon_years = 0 is out of range; accepted: a number in \[1, 60\]'),
    ('[economics]\nhorizon_years = 1000000\n', r'horizon_years = 1000000 is out of range'),
    ('[economics]\nhorizon_years = 25.5\n', r'horizon_years = 25.5 is not accepted; give a whole number'),
    ('[economics]\ncapex_cny_per_w = { glass = 3 }\n', r'capex_cny_per_w = .*unknown: glass'),
    ('[economics]\ngrid_year = 2019\n', r'grid_year = 2019 is not accepted; accepted: one of 2021, 2022, 2023'),
    ('[yield]\nlosses = { soiling = 300 }\n', r'losses.soiling = 300 is out of range; accepted: a number in \[0, 100\]'),
    ('[yield]\ndc_ac_ratio = "high"\n', r'\[yield\] dc_ac_ratio = "high" is not accepted; give a number'),
    ('[yield]\nrow_shading = "yes"\n', r'row_shading = "yes" is not accepted; give true or false'),
    ('[surfaces.flat_roof]\nusable_fraction = "0.6"\n', r'\[surfaces.flat_roof\] usable_fraction = "0.6" is not '
                                                        r'accepted; give a number without quotes'),
    ('[surfaces.carport]\nmounting = "roof"\n', r"mounting = \"roof\" is not accepted; accepted: one of 'rows'"),
    ('[weather]\npvgis_refresh = "no"\n', r'pvgis_refresh = "no" is not accepted; give true or false'),
    ('[weather]\npvgis_timeout_s = 0\n', r'pvgis_timeout_s = 0 is out of range'),
    ('[[economics]]\ndiscount_rate = 0.05\n', r'economics is an array of tables'),
    ('discount_rate = 0.05\n', r'discount_rate is the value 0.05 outside any \[section\]; put it under its section, '
                               r'e.g. \[economics\]'),
    ('[retrofit]\nelectricity_cny_per_kwh = -0.1\n', r'\[retrofit\] electricity_cny_per_kwh = -0.1 is out of range'),
    ('[retrofit]\ngshp = 3\n', r'\[retrofit\] gshp = 3 is not accepted; give a table of GshpParams fields'),
    ('[retrofit.gshp]\nscop_heating = "3.2"\n', r'\[retrofit.gshp\] scop_heating = "3.2" is not accepted'),
    ('[retrofit.gshp]\nscop = 3.2\n', r'\[retrofit.gshp\] unknown key\(s\) scop; valid: '),
    ('[packages]\nweights = { irr = -1 }\n', r'weights.irr = -1 is out of range'),
    ('[packages]\nmin_package_mw = 30\n', r'min_package_mw \(30.0\) must not exceed max_package_mw'),
    ('[packages]\nby_district = 1\n', r'by_district = 1 is not accepted; give true or false'),
    ('[inventory]\nrequire_china = "false"\n', r'require_china = "false" is not accepted; give true or false'),
    ('[maps]\ntianditu_key = 5\n', r'tianditu_key = 5 is not accepted; give text'),
])
def test_bad_values_name_key_value_and_range(tmp_path, text, match):
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=match) as info:
        load_plan(path)
    assert str(path) in str(info.value)  # the file is named too


def test_good_values_reach_the_dataclasses(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text('[economics]\ndiscount_rate = "5%"\nhorizon_years = 20\ncapex_cny_per_w = { carport = 4.2 }\n'
                    '[retrofit]\ngas_cny_per_m3 = 3\n[retrofit.gshp]\nscop_heating = 3.5\n'
                    '[surfaces.carport]\nusable_fraction = 0.8\n[weather]\npvgis_refresh = true\n', encoding="utf-8")
    cfg = load_plan(path)
    eco = cfg.typed("economics", EconomicParams)
    assert eco.discount_rate == pytest.approx(0.05) and eco.horizon_years == 20
    assert eco.capex_cny_per_w["carport"] == 4.2 and eco.capex_cny_per_w["flat_roof"] == 3.2  # merged over defaults
    from solarplan.app.pipeline import retrofit_params
    r = retrofit_params(cfg)
    assert r.prices.gas_cny_per_m3 == 3.0 and isinstance(r.prices.gas_cny_per_m3, float)
    assert r.gshp.scop_heating == 3.5 and r.prices.electricity_cny_per_kwh == 0.68
    assert cfg.surfaces["carport"].usable_fraction == 0.8
    assert cfg.surfaces["carport"].power_density_w_m2 == 165.0  # untouched fields keep the defaults


def test_a_document_that_is_not_a_table():
    with pytest.raises(ConfigError, match="must be a table"):
        parse_section(EconomicParams, [1, 2], "[economics]")


def test_calculation_modules_do_not_import_the_config_layer():
    import ast
    import pathlib
    root = pathlib.Path(__file__).resolve().parents[2]
    for folder in ("solarplan/pv", "solarplan/planning", "retrofit", "solarplan/weather", "solarplan/core"):
        for f in (root / folder).glob("*.py"):
            tree = ast.parse(f.read_text(encoding="utf-8"))
            typing_only = {id(n) for b in ast.walk(tree) if isinstance(b, ast.If) and
                           getattr(b.test, "id", "") == "TYPE_CHECKING" for n in ast.walk(b)}
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and id(node) not in typing_only:
                    assert node.module != "solarplan.io.config", f"{f} imports the config layer"
