"""The language catalogue: package names, coded values, units per language, headers."""
from __future__ import annotations

import re

import pytest

from solarplan.core.defaults import CATEGORIES, SURFACE_TYPES
from solarplan.core.errors import ConfigError
from solarplan.core.i18n import COLUMNS, KINDS, TEXT, VALUES, energy, header, money, package_label, value_label


@pytest.mark.parametrize("pid, zh, en", [
    ("hospital/茅箭区-01", "医院包·茅箭区·01", "Hospitals · 茅箭区 · 01"),
    ("soe/张湾区-12", "国企包·张湾区·12", "State firms · 张湾区 · 12"),
    ("school/-01", "学校包·01", "Schools · 01"),            # a register without districts
    ("custom-name", "custom-name", "custom-name"),           # not an id of make_packages: unchanged
])
def test_package_label(pid, zh, en):
    assert package_label(pid, "zh") == zh
    assert package_label(pid, "en") == en


def test_every_category_and_surface_type_has_both_words_and_zh_has_no_latin_letters():
    for col, codes in (("category", CATEGORIES), ("surface_type", SURFACE_TYPES)):
        for c in codes:
            zh, en = VALUES[col][c]
            assert zh and en and not re.search(r"[A-Za-z]", zh), (col, c, zh)


def test_measures_joined_by_plus_are_translated_one_by_one():
    assert value_label("measure", "gshp+led", "zh") == "地源热泵、LED照明改造"
    assert value_label("measure", "lift", "en") == "Lift upgrade"
    assert value_label("category", "unknown-word", "zh") == "unknown-word"


@pytest.mark.parametrize("kwh, cny, zh, en", [(42_719_000, 144_000_000, ("4,271.9", "万kWh"), ("42,719", "MWh"))])
def test_units_per_language(kwh, cny, zh, en):
    assert energy(kwh, "zh") == zh and energy(kwh, "en") == en
    assert money(cny, "zh") == ("14,400", "万元") and money(cny, "en") == ("144.0", "CNY million")


def test_no_wan_in_english_words_and_units():
    assert not any("万" in v for v in TEXT["en"].values())
    for name in COLUMNS:
        assert "万" not in header(name, "en") or name.endswith("wan_kwh") or "wan" in name, name


def test_headers_carry_units_and_every_kind_has_a_format():
    assert header("annual_ac_kwh", "zh") == "年发电量[kWh]"
    assert header("irr", "en") == "IRR"
    assert header("simple_payback_yr", "en") == "Simple payback [yr]"
    assert header("not_a_column", "zh") == "not_a_column"
    assert {c["kind"] for c in COLUMNS.values()} <= set(KINDS)


def test_unknown_language_is_a_config_error():
    with pytest.raises(ConfigError, match="zh or en"):
        package_label("hospital/x-01", "fr")
