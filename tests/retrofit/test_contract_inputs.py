"""A contract prices the retrofit results it is given (file or DataFrame) instead of recomputing them,
and one site has one electricity price: its retrofit savings, its bill and its PV value all come from
the site's tariff, and the PV value is the PV side's own (the sites table's)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retrofit.contracts import PV_VALUE_SOURCES, building_inputs
from retrofit.common import Prices
from solarplan.app.cli import main
from solarplan.app.pipeline import (DEMO_BUILDINGS, evaluate_buildings, load_plan, price_contracts,
                                    read_buildings, read_retrofit_table, contract_terms)
from solarplan.core.errors import InputError
from solarplan.core.resources import data_path
from solarplan.io.tables import read_results


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Twelve demo buildings (schools and hospitals, two packages) in a CSV, and their retrofit table."""
    d = tmp_path_factory.mktemp("contract")
    src = pd.read_csv(data_path(DEMO_BUILDINGS))
    sub = src[src["category"].isin(["school", "hospital"])].head(12).copy()
    sub["package"] = sub["category"].map({"school": "学校包", "hospital": "医院包"})
    f = d / "b.csv"
    sub.to_csv(f, index=False, encoding="utf-8-sig")
    assert main(["retrofit", str(f), "--out", str(d / "retrofit.csv")]) == 0
    return d, f


def test_contract_from_the_retrofit_file_equals_the_recomputed_one(small, capsys):
    d, f = small
    assert main(["contract", str(f), "--out", str(d / "a.xlsx")]) == 0
    assert main(["contract", str(f), "--retrofit", str(d / "retrofit.csv"), "--out", str(d / "b.xlsx")]) == 0
    a = read_results(d / "a.xlsx", "packages")
    b = read_results(d / "b.xlsx", "packages")
    n = len(pd.read_csv(d / "retrofit.csv"))
    for col in ("baseline_bill_cny", "savings_cny", "investment_cny"):
        # the file holds the same numbers as the table computed again, to the CSV's precision (CNY as
        # integers: half a yuan per row at most)
        assert b[col].to_numpy() == pytest.approx(a[col].to_numpy(), abs=0.5 * n), col
    # the NPV sums the yearly figures over the term (10 years, discounted): 10 times that bound
    assert b["esco_npv_cny"].to_numpy() == pytest.approx(a["esco_npv_cny"].to_numpy(), abs=5 * n)


def test_contract_prices_the_file_as_it_is(small):
    # the contract takes the file's figures, not its own: double one counted measure's saving in the
    # file and the package's savings rise by exactly that amount
    d, f = small
    t = pd.read_csv(d / "retrofit.csv", encoding="utf-8-sig")
    i = t.index[t["counted"] & (t["saved_cny"] > 0) & (t["simple_payback_years"] <= 5)][0]
    extra = float(t.loc[i, "saved_cny"])
    t.loc[i, "saved_cny"] *= 2
    t.to_csv(d / "edited.csv", index=False, encoding="utf-8-sig")
    assert main(["contract", str(f), "--out", str(d / "c.xlsx")]) == 0
    assert main(["contract", str(f), "--retrofit", str(d / "edited.csv"), "--out", str(d / "e.xlsx")]) == 0
    c = read_results(d / "c.xlsx", "packages").set_index("package")
    e = read_results(d / "e.xlsx", "packages").set_index("package")
    pkg = {"school": "学校包", "hospital": "医院包"}[t.loc[i, "category"]]
    # c is computed afresh, e from the CSV (CNY as integers): half a yuan per row apart at most
    assert e.loc[pkg, "savings_cny"] - c.loc[pkg, "savings_cny"] == pytest.approx(extra, abs=0.5 * len(t))


def test_python_api_takes_the_same_dataframe(small):
    # solarplan.price_contracts on the DataFrame read from the file gives the CLI's packages
    d, f = small
    import solarplan
    cfg = load_plan(None)
    res = read_buildings(f)
    table = read_retrofit_table(d / "retrofit.csv", res.clean)
    packages, per_b, _, _ = solarplan.price_contracts(table, res.clean, cfg, contract_terms("trusteeship"))
    cli = read_results(d / "b.xlsx", "packages") if (d / "b.xlsx").exists() else None
    if cli is None:
        assert main(["contract", str(f), "--retrofit", str(d / "retrofit.csv"), "--out", str(d / "b.xlsx")]) == 0
        cli = read_results(d / "b.xlsx", "packages")
    assert packages["savings_cny"].to_numpy() == pytest.approx(cli["savings_cny"].to_numpy(), rel=1e-9)
    assert set(per_b["building_id"]) == set(res.clean["building_id"])


def test_retrofit_file_of_other_buildings_is_refused(small, tmp_path, capsys):
    d, f = small
    t = pd.read_csv(d / "retrofit.csv", encoding="utf-8-sig")
    t.loc[3, "building_id"] = "NOT-HERE"
    t.to_csv(tmp_path / "r.csv", index=False, encoding="utf-8-sig")
    assert main(["contract", str(f), "--retrofit", str(tmp_path / "r.csv"), "--out", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr()
    assert "NOT-HERE" in err.out + err.err and "line 5" in err.out + err.err
    t.drop(columns=["counted"]).to_csv(tmp_path / "s.csv", index=False, encoding="utf-8-sig")
    with pytest.raises(InputError, match="counted"):
        read_retrofit_table(tmp_path / "s.csv")


def _pv_sites(site_ids, tariff):
    """A sites table with the hourly-flow columns simulate_sites writes (values made up, consistent)."""
    n = len(site_ids)
    sc = np.linspace(50_000, 90_000, n)
    exp = np.linspace(5_000, 30_000, n)
    return pd.DataFrame({"site_id": site_ids, "annual_ac_kwh": sc + exp, "self_consumed_kwh": sc,
                         "export_kwh": exp, "capex_cny": 300_000.0, "tariff_cny_per_kwh": tariff,
                         # time-of-use value of the self-consumed kWh: 0.62 CNY/kWh of midday hours
                         "self_consumed_value_cny": sc * 0.62, "export_price_cny_per_kwh": 0.30,
                         "export_revenue_cny": exp * 0.30})


def test_contract_pv_value_is_the_sites_tables_value(small):
    d, f = small
    res = read_buildings(f)
    sites = _pv_sites(res.clean["site_id"].unique(), 0.70)
    table = read_retrofit_table(d / "retrofit.csv", res.clean)
    per_b = building_inputs(table, res.clean, Prices(), sites, export_price=0.25)
    got = per_b.drop_duplicates("site_id").set_index("site_id")["pv_savings_cny"]
    want = (sites["self_consumed_value_cny"] + sites["export_revenue_cny"]).to_numpy()
    assert got.reindex(sites["site_id"]).to_numpy() == pytest.approx(want, rel=1e-12)
    assert set(per_b.drop_duplicates("site_id")["pv_value_source"]) == {PV_VALUE_SOURCES["sites"]}
    # without the hourly columns: self-consumed kWh at the site's tariff (0.70), surplus at the export price
    flat = sites.drop(columns=["self_consumed_value_cny", "export_revenue_cny", "export_kwh"])
    per_f = building_inputs(table, res.clean, Prices(), flat, export_price=0.25)
    got = per_f.drop_duplicates("site_id").set_index("site_id")["pv_savings_cny"].reindex(sites["site_id"])
    assert got.to_numpy() == pytest.approx((sites["self_consumed_kwh"] * 0.70
                                            + (sites["annual_ac_kwh"] - sites["self_consumed_kwh"]) * 0.25)
                                           .to_numpy(), rel=1e-12)


def test_one_site_one_electricity_price(small):
    # the retrofit savings of a site's buildings are valued at the tariff the PV side used for that site:
    # its tariff_cny_per_kwh where given, else [economics] default_tariff_cny_per_kwh (0.65); a building
    # whose site has no PV keeps [retrofit] electricity_cny_per_kwh (0.68)
    d, f = small
    cfg = load_plan(None)
    res = read_buildings(f)
    ids = list(res.clean["site_id"].unique())
    sites = _pv_sites(ids[:8], [0.72] * 4 + [np.nan] * 4)
    table = evaluate_buildings(res.clean, cfg, sites=sites)
    price = table.groupby("site_id")["electricity_price_cny_per_kwh"].first()
    assert (price[ids[:4]] == 0.72).all()
    assert (price[ids[4:8]] == 0.65).all()
    assert (price[ids[8:]] == 0.68).all()
    # a measure's money is its saved kWh at that price (gas and coal at theirs)
    r = table[table["measure"] == "led"].set_index("site_id")
    assert r.loc[ids[0], "saved_cny"] == pytest.approx(r.loc[ids[0], "saved_electricity_kwh"] * 0.72, rel=1e-12)
    # and the contract's bill uses it too: building bill = mean metered kWh x the same price
    packages, per_b, _, _ = price_contracts(table, res.clean, cfg, contract_terms(), pv_sites=sites)
    pb = per_b.set_index("site_id")
    row = res.clean.set_index("site_id").loc[ids[0]]
    assert pb.loc[ids[0], "electricity_price_cny_per_kwh"] == 0.72
    assert pb.loc[ids[0], "baseline_bill_cny"] == pytest.approx(
        row["electricity_kwh"] * 0.72 + (row.get("gas_m3") or 0) * 3.6 + (row.get("coal_kg") or 0) * 1.0, rel=1e-9)
