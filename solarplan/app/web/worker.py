"""The worker process of one web job: ``python -m solarplan.app.web.worker <job folder>``.

It runs the same pipeline functions as the command line (``solarplan packages`` + ``map`` +
``briefing``; ``solarplan demo``; ``solarplan retrofit`` + ``contract``) on the files the server put in
the folder, and reports through ``status.json`` (progress), ``result.json`` (figures for the
results page) and ``error.json`` (a user mistake, in one sentence).
"""
from __future__ import annotations

import math
import os
import sys
import time
import traceback
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from solarplan.app.pipeline import (contract_terms, evaluate_buildings, load_plan, packages_step, price_contracts,
                                    read_buildings, retrofit_assumptions, retrofit_summary, run_demo)
from solarplan.app.web.jobs import read_json, write_json
from solarplan.core.errors import SolarplanError
from solarplan.io.writers import write_sheets
from solarplan.report.briefing import headline, write_briefing
from solarplan.report.maps import load_results, write_map
from solarplan.report.word import write_docx

#: Files of a results folder offered for download, in the order shown.
DOWNLOADS = ("shortlist.xlsx", "sites.csv", "packages.csv", "excluded.csv", "rejects.csv", "map.html",
             "briefing.html", "briefing.docx", "packages.geojson", "packages.gpkg", "surfaces.csv",
             "surfaces_clean.csv", "sites_assumptions.csv", "sites_sensitivity.csv", "retrofit.csv",
             "retrofit_rejects.csv", "retrofit_assumptions.csv", "indicators.csv", "deal.xlsx", "retrofit.xlsx",
             "contract.xlsx")
ZIP_NAME = "solarplan-results.zip"

PACKAGE_COLUMNS = ("package_id", "category", "district", "n_sites", "capacity_kwp", "annual_ac_kwh", "capex_cny",
                   "irr", "lcoe_cny_per_kwh", "self_consumption_share", "score", "rank", "bound_violation")


class Reporter:
    """Writes status.json: stage, overall fraction (stages weighted) and the last message."""

    def __init__(self, folder: Path, stages: dict[str, float]):
        self.folder, self.stages = folder, stages
        self.order = list(stages)
        self.stage, self.inner, self.message, self._last = self.order[0], 0.0, "", 0.0

    def fraction(self) -> float:
        total = sum(self.stages.values())
        done = sum(self.stages[s] for s in self.order[:self.order.index(self.stage)])
        return min(1.0, (done + self.stages[self.stage] * self.inner) / total)

    def write(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last > 0.3:
            self._last = now
            write_json(self.folder / "status.json", {"stage": self.stage, "fraction": round(self.fraction(), 4),
                                                     "message": self.message})

    def enter(self, stage: str, message: str = "") -> None:
        self.stage, self.inner, self.message = stage, 0.0, message or self.message
        self.write(force=True)

    def progress(self, done, total) -> None:
        self.inner = float(done) / float(total) if total else 0.0
        self.write()

    def say(self, message: str) -> None:
        self.message = str(message).splitlines()[-1] if message else ""
        self.write()


def _clean(v):
    """A JSON-safe scalar (NaN and infinities become None)."""
    if isinstance(v, (np.floating, float)):
        return None if not math.isfinite(float(v)) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def _records(df: pd.DataFrame, columns) -> list[dict]:
    cols = [c for c in columns if c in df.columns]
    return [{c: _clean(v) for c, v in zip(cols, row)} for row in df[cols].itertuples(index=False)]


def _zip(out: Path) -> Path:
    target = out.parent / ZIP_NAME
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(out.iterdir()):
            if f.is_file() and not f.name.startswith("."):
                z.write(f, f"solarplan/{f.name}")
    tmp.replace(target)
    return target


def _reports(out: Path, lang: str, rep: Reporter, notes: list[str]) -> None:
    """map.html, briefing.html (both self-contained, as `solarplan map/briefing --offline`) and .docx."""
    rep.enter("map")
    write_map(out, out / "map.html", tiles="osm", offline=True, lang=lang)
    rep.enter("briefing")
    if not len(load_results(out)[1]):
        notes.append("no package was formed (every site is in excluded.csv with its reason), so there is no "
                     "briefing; lower [packages] min_package_mw in the settings to package small registers")
        return
    write_briefing(out, out / "briefing.html", lang=lang, offline=True)
    _docx(out, lang, notes)


def _docx(out: Path, lang: str, notes: list[str]) -> None:
    try:
        write_docx(out, out / "briefing.docx", lang=lang)
    except (SolarplanError, OSError, ValueError) as exc:
        notes.append(f"briefing.docx not written: {exc}")


def run_plan(folder: Path, spec: dict, rep: Reporter) -> dict:
    """A register (or the demo): validate, simulate, package; map, briefing, Word; zip."""
    out, lang = folder / "out", spec.get("lang", "zh")
    config = load_plan(folder / "plan.toml")
    notes: list[str] = []
    if spec["kind"] == "demo":
        rep.enter("simulate")
        steps = run_demo(out, config, report=rep.say, lang=lang)  # writes map, briefing and .docx too
    else:
        rep.enter("simulate")
        steps = packages_step(folder / spec["input"], out, config, None, spec.get("weather", "auto"), lang,
                              progress=rep.progress, warn=lambda s: (notes.append(s), rep.say(s)))
        rep.enter("packages")
        _reports(out, lang, rep, notes)
    rep.enter("zip")
    sites, packages, _ = load_results(out)
    _zip(out)
    rejects = pd.read_csv(out / "rejects.csv", encoding="utf-8-sig") if (out / "rejects.csv").exists() else None
    return {"kind": spec["kind"], "summaries": [s.summary for s in steps], "headline": {
        k: _clean(v) for k, v in headline(sites, packages).items()},
        "packages": _records(packages, PACKAGE_COLUMNS), "n_rejects": 0 if rejects is None else len(rejects),
        "notes": notes, "files": [f for f in DOWNLOADS if (out / f).exists()]}


def run_retrofit(folder: Path, spec: dict, rep: Reporter) -> dict:
    """A buildings table: the measures of each building and the deal of each package
    (as `solarplan retrofit` and `solarplan contract`)."""
    out = folder / "out"
    config = load_plan(folder / "plan.toml")
    notes: list[str] = []
    rep.enter("simulate", "reading the buildings")
    res = read_buildings(folder / spec["input"], spec.get("location") or None)
    warn = lambda s: (notes.append(s), rep.say(s))  # noqa: E731
    table = evaluate_buildings(res.clean, config, spec.get("weather", "auto"), warn=warn)
    rep.enter("packages", "pricing the contracts")
    terms = contract_terms(spec.get("contract", "trusteeship"), spec.get("term"), spec.get("parameter"))
    packages, per_b, flows, sens = price_contracts(table, res.clean, config, terms,
                                                   target_irr=spec.get("target_irr"))
    write_sheets({"retrofit": table, "rejects": res.rejects, "assumptions": retrofit_assumptions(config)},
                 out / "retrofit.xlsx")
    write_sheets({"packages": packages, "buildings": per_b, "cashflows": flows, "sensitivity": sens,
                  "rejects": res.rejects}, out / "contract.xlsx")
    rep.enter("zip")
    _zip(out)
    counted = table[table["counted"]] if len(table) else table
    by_measure = (counted.groupby("measure")[["saved_electricity_kwh", "saved_tce", "saved_co2_t", "saved_cny",
                                                "capex_cny"]].sum().reset_index() if len(counted) else
                  pd.DataFrame(columns=["measure"]))
    by_measure["buildings"] = counted.groupby("measure")["building_id"].nunique().reindex(
        by_measure["measure"]).to_numpy() if len(counted) else []
    measure_cols = ("building_id", "name", "measure", "saved_electricity_kwh", "saved_cny", "capex_cny",
                    "simple_payback_years", "payback_years", "counted", "notes")
    deal_cols = [c for c in packages.columns if c not in ("solved_note",)]
    return {"kind": "retrofit", "summaries": [retrofit_summary(table, res)],
            "n_buildings": int(res.n_input), "n_rejects": len(res.rejects),
            "rejects": _records(res.rejects.head(200), ("source_row", "building_id", "column", "value", "reason")),
            "by_measure": _records(by_measure, ("measure", "buildings", "saved_electricity_kwh", "saved_tce",
                                                "saved_co2_t", "saved_cny", "capex_cny")),
            "measures": _records(table.head(500), measure_cols),
            "deals": _records(packages, deal_cols), "contract": terms.kind,
            "notes": notes, "files": [f for f in DOWNLOADS if (out / f).exists()]}


def main(argv: list[str]) -> int:
    folder = Path(argv[0]).resolve()
    spec = read_json(folder / "job.json", {})
    run = run_retrofit if spec.get("kind") == "retrofit" else run_plan
    rep = Reporter(folder, {"simulate": 75, "packages": 5, "map": 8, "briefing": 8, "zip": 4})
    rep.write(force=True)
    try:
        result = run(folder, spec, rep)
    except SolarplanError as exc:  # a user mistake: one message, no traceback, no server path
        msg = str(exc).replace(f"{folder / 'out'}{os.sep}", "").replace(f"{folder / 'input'}{os.sep}", "")
        write_json(folder / "error.json", {"message": msg.replace(str(folder), "")})
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: the log keeps the traceback
        traceback.print_exc()
        write_json(folder / "error.json", {"message": f"internal error ({type(exc).__name__}); see worker.log"})
        return 1
    write_json(folder / "result.json", result)
    rep.stage, rep.inner = rep.order[-1], 1.0
    rep.write(force=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
