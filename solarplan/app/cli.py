"""The ``solarplan`` command line.

User mistakes (bad files, bad options) print one message and exit with
status 2; only bugs show a traceback.
"""
from __future__ import annotations

import json
import logging
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from solarplan import __version__
from solarplan.app.pipeline import (contract_step, load_plan, packages_step, retrofit_step, run_demo, simulate_step,
                                    validate_step)
from solarplan.app.web.server import ServeOptions, read_plan_file
from solarplan.app.web.server import serve as serve_app
from solarplan.core.atomic import check_file_target
from solarplan.core.errors import InputError, SolarplanError
from solarplan.core.i18n import check_lang, say
from solarplan.core.quantity import format_quantity
from solarplan.io.outputs import check_complete, finish_run, start_run
from solarplan.io.template import write_template
from solarplan.io.validate import COORDS
from solarplan.planning.claims import check_claim
from solarplan.report.briefing import write_briefing
from solarplan.report.maps import write_map
from solarplan.report.word import write_docx
from solarplan.weather import monthly_climate, read_weather, resolve_location, resolve_shift, synthesize
from solarplan.weather.pvgis import PvgisOptions, pvgis_year
from solarplan.weather.writers import write_weather
from solarplan.weather.qc import CLOSURE_READINGS, correction_effects, effect_lines

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Plan rooftop and carport PV and building retrofits for public institutions.\n\n"
                       "Example: solarplan demo --out maps/")
inventory_app = typer.Typer(no_args_is_help=True, help="Inventory of roofs and carports: validate a file.")
app.add_typer(inventory_app, name="inventory")
weather_app = typer.Typer(no_args_is_help=True, help="Weather: inspect a file, or synthesise a typical year.")
app.add_typer(weather_app, name="weather")
console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)
log = logging.getLogger("solarplan.cli")


class _ConsoleHandler(logging.Handler):
    """Log records as one ``warning: ...`` line each on the rich stderr console (soft-wrapped, so a
    message stays one line when piped to a file; no markup, so user text is printed as it is)."""

    def emit(self, record):
        try:
            console.print(f"{record.levelname.lower()}: {record.getMessage()}", markup=False, highlight=False,
                          style="yellow" if record.levelno == logging.WARNING else None)
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


def setup_logging(quiet: bool = False, verbose: int = 0) -> None:
    """Send the ``solarplan`` loggers to stderr through rich: warnings by default, errors only with -q,
    info with -v, debug with -vv."""
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    root = logging.getLogger("solarplan")
    for h in [h for h in root.handlers if getattr(h, "_solarplan_cli", False)]:
        root.removeHandler(h)
    handler = _ConsoleHandler()
    handler._solarplan_cli = True
    # the handler keeps the chosen level: the progress display lowers the logger's level to see progress
    # records, and those must not reach the console as lines unless -v asked for them
    handler.setLevel(level)
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    logging.captureWarnings(True)  # Python warnings from our libraries reach the same handler
    logging.getLogger("py.warnings").handlers[:] = [handler]


def _print_version(value: bool):
    if value:
        out.print(f"solarplan {__version__}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Show errors only (no warnings)."),
    verbose: int = typer.Option(0, "-v", "--verbose", count=True, help="Show more: -v progress notes, -vv debug."),
):
    """Plan rooftop and carport PV and building retrofits for public institutions."""
    setup_logging(quiet, verbose)

OverwriteOpt = typer.Option(False, "--overwrite", help="Replace the outputs of an earlier run in --out (only the "
                                                       "files that run wrote); without it such a folder is refused.")
ConfigOpt = typer.Option(None, "--config", help="plan.toml with overrides (see solarplan.io.config for keys).")
# help text is rich markup: "\\[" keeps the bracket of an extra's name
EngineOpt = typer.Option("local", "--engine", help="local (default) or dask (same results on a Dask cluster; "
                                                   "pip install \"solarplan\\[dask]\"; see docs/cluster.md); "
                                                   "fused = local with --yield-engine fused.")
YieldEngineOpt = typer.Option(None, "--yield-engine", help="fused (default: a compiled kernel) or pvlib (the "
                                                           "reference it equals within 1e-6); default \\[yield] "
                                                           "engine of plan.toml.")
SchedulerOpt = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (implies "
                                                      "--engine dask; default with --engine dask: Dask's "
                                                      "scheduler-address setting, else a local cluster).")
SchedulerFileOpt = typer.Option(None, "--scheduler-file", help="Scheduler file written by `dask scheduler "
                                                               "--scheduler-file` (implies --engine dask).")
DashboardOpt = typer.Option(False, "--dashboard", help="Serve the Dask dashboard of the local cluster "
                                                       "(with --engine dask; off by default).")
LangOpt = typer.Option("zh", "--lang", help="Language of the summary and the workbooks: zh (default; 万kWh, 万元) "
                                          "or en (MWh, CNY million).")


@app.command()
def demo(out_dir: Path = typer.Option(Path("maps"), "--out", help="Folder for the outputs."),
         config: Optional[Path] = ConfigOpt, lang: str = LangOpt,
         engine: str = EngineOpt, scheduler: Optional[str] = SchedulerOpt,
         scheduler_file: Optional[Path] = SchedulerFileOpt, dashboard: bool = DashboardOpt,
         overwrite: bool = OverwriteOpt, yield_engine: Optional[str] = YieldEngineOpt):
    """Run the whole pipeline on the embedded synthetic Shiyan (十堰) demo city; writes the tables, map.html,
    briefing.html and briefing.docx.

    Example: solarplan demo --out maps/
    """
    check_lang(lang)
    cfg = load_plan(config)
    run = start_run(out_dir, "demo", overwrite)
    with _progress():
        steps = run_demo(out_dir, cfg, report=lambda s: out.print(s, markup=False, highlight=False), lang=lang,
                         engine=engine, scheduler=scheduler, scheduler_file=scheduler_file, dashboard=dashboard,
                         yield_engine=yield_engine)
    finish_run(run, [f for step in steps for f in step.files])
    for step in steps:
        for f in step.files:
            out.print(say("wrote", lang, path=f), markup=False, highlight=False)


@inventory_app.command("validate")
def inventory_validate(
    file: Path = typer.Argument(..., help="CSV, XLSX, GeoJSON, GPKG or Shapefile of roofs and carports."),
    out_dir: Path = typer.Option(Path("."), "--out", help="Folder for surfaces_clean.csv and rejects.csv."),
    config: Optional[Path] = ConfigOpt,
    anywhere: bool = typer.Option(False, "--anywhere", help="Accept locations outside China (you will need a "
                                                            "weather file to simulate them)."),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="XLSX sheet name or number (default: found)."),
    header_row: Optional[int] = typer.Option(None, "--header-row", help="Row of the header (default: found)."),
    coords: Optional[str] = typer.Option(None, "--coords", help="System of lat/lon: wgs84, cgcs2000, gcj02 "
                                                                "(Gaode), bd09 (Baidu)."),
    layer: Optional[str] = typer.Option(None, "--layer", help="Layer of a GeoPackage with several."),
    lang: str = LangOpt,
):
    """Validate an inventory: print a summary, write the clean table, the rejects and the skipped rows.

    Example: solarplan inventory validate 登记表.xlsx --out checked/
    """
    cfg = with_reader_options(load_plan(config), sheet, header_row, coords, layer)
    res, step = validate_step(file, out_dir, cfg, require_china=False if anywhere else None, lang=check_lang(lang))
    out_console_step(step, lang)
    if len(res.rejects):
        for _, r in res.rejects.head(10).iterrows():
            out.print(f"  rejected: {r['reason']}", markup=False, highlight=False)
        if len(res.rejects) > 10:
            out.print(f"  ... and {len(res.rejects) - 10} more in rejects.csv")


def with_reader_options(cfg, sheet=None, header_row=None, coords=None, layer=None):
    """The config with the reader options given on the command line (they win over plan.toml)."""
    given = {k: v for k, v in dict(sheet=sheet, header_row=header_row, coords=coords, layer=layer).items()
             if v is not None}
    if not given:
        return cfg
    if "coords" in given:
        given["coords"] = given["coords"].lower()
        if given["coords"] not in COORDS:
            raise InputError(f"--coords {coords!r} is not known; valid: {', '.join(COORDS)}")
    if "header_row" in given and given["header_row"] < 1:
        raise InputError(f"--header-row must be a row number >= 1, not {header_row}")
    return replace(cfg, inventory=replace(cfg.inventory, **given))


@app.command("template")
def template_cmd(out_file: Path = typer.Option(Path("登记表模板.xlsx"), "--out", help="The .xlsx to write."),
                 table: str = typer.Option("inventory", "--table", help="inventory (roofs) or buildings.")):
    """Write an Excel template: Chinese headers, instructions, an example row, drop-down lists.

    Example: solarplan template --out 模板.xlsx
    """
    if table not in ("inventory", "buildings"):
        raise InputError(f"--table {table!r} is not known; valid: inventory, buildings")
    if out_file.suffix.lower() != ".xlsx":
        raise InputError(f"--out {out_file}: the template is an Excel workbook; give a name ending in .xlsx")
    out.print(f"  wrote {write_template(out_file, table)}")


WeatherOpt = typer.Option("auto", "--weather", help="auto (embedded climatology, China), pvgis (download the "
                                                   "PVGIS typical year once, then cached) or a weather file "
                                                   "(EPW, TMY3, TMY2, PVGIS csv/json/epw, plain CSV).")
ShiftOpt = typer.Option("auto", "--weather-shift", help="Timing correction: auto, none or hours.")
# the reader's options of `inventory validate`, for the commands that read an inventory
SheetOpt = typer.Option(None, "--sheet", help="XLSX sheet name or number (default: found).")
HeaderRowOpt = typer.Option(None, "--header-row", help="Row of the header (default: found).")
CoordsOpt = typer.Option(None, "--coords", help="System of lat/lon: wgs84, cgcs2000, gcj02 (Gaode), bd09 (Baidu).")
LayerOpt = typer.Option(None, "--layer", help="Layer of a GeoPackage with several.")


class _BarHandler(logging.Handler):
    """Draws the progress records of :mod:`solarplan.core.progress` as one bar per step."""

    def __init__(self, bar: Progress):
        super().__init__(logging.INFO)
        self.bar, self.tasks = bar, {}

    def emit(self, record):
        step = getattr(record, "step", None)
        if step is None:
            return
        if step not in self.tasks:
            self.tasks[step] = self.bar.add_task(step, total=record.total)
        self.bar.update(self.tasks[step], completed=record.done, total=record.total)


@contextmanager
def _progress():
    """A rich progress display fed by the ``solarplan`` logger for the duration of a command (none with -q)."""
    logger = logging.getLogger("solarplan")
    chosen = [h.level for h in logger.handlers if getattr(h, "_solarplan_cli", False)]
    if chosen and min(chosen) >= logging.ERROR:
        yield None
        return
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   TimeRemainingColumn(), console=console, transient=True)
    handler = _BarHandler(bar)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with bar:
            yield bar
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@app.command()
def simulate(
    inventory: Path = typer.Argument(..., help="Inventory file (see `solarplan inventory validate`)."),
    out: Path = typer.Option(..., "--out", help="Site results: .csv, .xlsx, .geojson or .gpkg."),
    weather: str = WeatherOpt,
    config: Optional[Path] = ConfigOpt,
    surfaces_out: Optional[Path] = typer.Option(None, "--surfaces-out", help="Per-surface results file."),
    rejects: Optional[Path] = typer.Option(None, "--rejects", help="Rejected rows (default OUT_rejects.csv)."),
    weather_shift: str = ShiftOpt,
    engine: str = EngineOpt,
    yield_engine: Optional[str] = YieldEngineOpt,
    scheduler: Optional[str] = SchedulerOpt,
    scheduler_file: Optional[Path] = SchedulerFileOpt,
    dashboard: bool = DashboardOpt,
    size_to_load: bool = typer.Option(False, "--size-to-load", help="Size zero-export sites to the target "
                                      "curtailment (\\[grid] max_curtailment_share, default 5 %)."),
    lang: str = LangOpt,
    sheet: Optional[str] = SheetOpt,
    header_row: Optional[int] = HeaderRowOpt,
    coords: Optional[str] = CoordsOpt,
    layer: Optional[str] = LayerOpt,
):
    """Simulate the hourly PV yield of every roof and carport; write per-site results.

    Example: solarplan simulate roofs.geojson --out sites.xlsx --surfaces-out surfaces.csv
    """
    check_lang(lang)
    check_outputs(out, surfaces_out, rejects)
    cfg = with_reader_options(load_plan(config), sheet, header_row, coords, layer)
    sections = dict(cfg.sections)
    sections["weather"] = MappingProxyType({**dict(cfg.section("weather")), "shift": weather_shift})
    cfg = replace(cfg, sections=MappingProxyType(sections))
    with _progress():
        _, _, step = simulate_step(inventory, out, cfg, weather, surfaces_out=surfaces_out, rejects_out=rejects,
                                   engine=engine, scheduler=scheduler, scheduler_file=scheduler_file,
                                   dashboard=dashboard, size_to_load=size_to_load or None, yield_engine=yield_engine,
                                   warn=log.warning,
                                   lang=lang)
    out_console_step(step, lang)


@app.command("retrofit")
def retrofit_cmd(
    buildings: Path = typer.Argument(..., help="CSV or XLSX of buildings (see retrofit.buildings for columns; "
                                               "Chinese headers accepted)."),
    out_file: Path = typer.Option(..., "--out", help="Savings table: .csv or .xlsx (rejects and assumptions "
                                                    "are written beside it)."),
    weather: str = WeatherOpt,
    location: Optional[str] = typer.Option(None, "--location", help="Place for buildings without lat/lon: "
                                                                     "'lat,lon' or a city (十堰)."),
    config: Optional[Path] = ConfigOpt,
    lang: str = LangOpt,
):
    """Savings of ground-source heat pumps, LED lighting, chillers and lifts for every building.

    One row per building and measure: baseline and retrofit energy by carrier, saved kWh, tce,
    t CO2 and CNY, capex, simple payback, life, and which inputs were defaulted.

    Example: solarplan retrofit buildings.xlsx --out retrofit.xlsx --location 十堰
    """
    check_outputs(out_file)
    _, step = retrofit_step(buildings, out_file, load_plan(config), weather, location,
                            warn=log.warning,
                            indicators_out=out_file.with_name(out_file.stem + "_indicators.csv"),
                            lang=check_lang(lang))
    out_console_step(step, lang)


@app.command("contract")
def contract_cmd(
    buildings: Path = typer.Argument(..., help="Buildings table (as for `solarplan retrofit`); a `package` column "
                                               "splits it into packages."),
    out_file: Path = typer.Option(..., "--out", help=".xlsx (a sheet per table) or .csv (a file per table)."),
    kind: str = typer.Option("trusteeship", "--type", help="trusteeship, shared-savings or guaranteed."),
    term: Optional[int] = typer.Option(None, "--term", help="Contract term in years (default 10; 8 for shared "
                                                            "savings)."),
    target_irr: Optional[str] = typer.Option(None, "--target-irr", help="Solve the discount / share / rate that "
                                                                         "gives the ESCO this IRR, e.g. 8%."),
    discount: Optional[str] = typer.Option(None, "--parameter", help="The contract's own figure: trusteeship "
                                           "discount (5%), ESCO share (80%) or guarantee rate (6%)."),
    pv: Optional[Path] = typer.Option(None, "--pv", help="sites.csv from `solarplan simulate`/`demo` to add "
                                                         "rooftop PV to the deal."),
    retrofit: Optional[Path] = typer.Option(None, "--retrofit", help="retrofit.csv/.xlsx from `solarplan "
                                            "retrofit`/`demo` for these buildings: priced as it is, not "
                                            "recomputed."),
    weather: str = WeatherOpt,
    location: Optional[str] = typer.Option(None, "--location", help="Place for buildings without lat/lon."),
    config: Optional[Path] = ConfigOpt,
    lang: str = LangOpt,
):
    """Price an energy-cost trusteeship or performance contract for packages of buildings.

    Shows the ESCO's investment, NPV, IRR and payback, the institution's saving each year, the
    sensitivity to price, achieved savings and discount rate, and (with --target-irr) the discount or
    share that gives the ESCO its target return.

    Example: solarplan contract buildings.xlsx --type trusteeship --term 10 --target-irr 8% --out deal.xlsx

    With the results of `solarplan retrofit` (same buildings): solarplan contract buildings.xlsx
    --retrofit retrofit.csv --pv sites.csv --out deal.xlsx
    """

    def pct(text, name, lo, hi):
        """A rate as 8% or 0.08. A bare number >= 1 (8) is refused rather than read as 800 %: an ESCO
        analyst typing 8 means 8 %, but a silent guess could also turn 0.8 into 80 % elsewhere."""
        if text is None:
            return None
        t = str(text).strip()
        try:
            x = float(t[:-1]) / 100 if t.endswith("%") else float(t)
        except ValueError:
            raise InputError(f"{name} must be a number or a percentage such as 8%, got {text!r}") from None
        if not (lo <= x <= hi) and not t.endswith("%") and abs(x) >= 1 and lo <= x / 100 <= hi:
            raise InputError(f"{name} {t} would be {x:.0%}; write {t}% (or {x / 100:g}) if you mean {t} %")
        if not lo <= x <= hi:
            raise InputError(f"{name} {t} is out of range; accepted: {lo:.0%} to {hi:.0%} (e.g. 8% or 0.08)")
        return x

    check_outputs(out_file)
    _, step = contract_step(buildings, out_file, load_plan(config), kind=kind, term=term,
                            target_irr=pct(target_irr, "--target-irr", -0.5, 1.0), pv_sites=pv,
                            parameter=pct(discount, "--parameter", 0.0, 1.0), weather_spec=weather, location=location,
                            warn=log.warning,
                            retrofit=retrofit, lang=check_lang(lang))
    out_console_step(step, lang)


@app.command("packages")
def packages_cmd(
    inventory: Path = typer.Argument(..., help="Inventory of roofs and carports."),
    out_dir: Path = typer.Option(..., "--out", help="Folder for sites.csv, packages.csv, excluded.csv, "
                                                    "packages.gpkg/.geojson and shortlist.xlsx."),
    buildings: Optional[Path] = typer.Option(None, "--buildings", help="Buildings table: adds retrofit savings "
                                                                      "to the ranking."),
    lang: str = typer.Option("zh", "--lang", help="Summary and shortlist: zh (default; 万kWh, 万元) or en (MWh, "
                                                  "CNY million)."),
    weather: str = WeatherOpt,
    config: Optional[Path] = ConfigOpt,
    engine: str = EngineOpt,
    yield_engine: Optional[str] = YieldEngineOpt,
    scheduler: Optional[str] = SchedulerOpt,
    scheduler_file: Optional[Path] = SchedulerFileOpt,
    dashboard: bool = DashboardOpt,
    overwrite: bool = OverwriteOpt,
    sheet: Optional[str] = SheetOpt,
    header_row: Optional[int] = HeaderRowOpt,
    coords: Optional[str] = CoordsOpt,
    layer: Optional[str] = LayerOpt,
):
    """Group sites into school / hospital / agency packages (分类打包) and rank them.

    Bounds and weights come from \\[packages] in plan.toml; every site ends in one package or in
    excluded.csv with its reason.

    Example: solarplan packages roofs.geojson --buildings buildings.xlsx --out shortlist/ --lang zh
    """
    plan = with_reader_options(load_plan(config), sheet, header_row, coords, layer)
    run = start_run(out_dir, "packages", overwrite)
    with _progress():
        steps = packages_step(inventory, out_dir, plan, buildings, weather, lang,
                              warn=log.warning,
                              engine=engine, scheduler=scheduler, scheduler_file=scheduler_file, dashboard=dashboard,
                         yield_engine=yield_engine)
    finish_run(run, [f for step in steps for f in step.files])
    for step in steps:
        out_console_step(step, lang)


TilesOpt = typer.Option("osm", "--tiles", help="Basemap: osm, gaode (overlays shifted to GCJ-02), tianditu "
                                                 "(needs a key) or none.")


@app.command("map")
def map_cmd(
    results: Path = typer.Argument(..., help="Results folder (sites.csv, packages.csv, packages.geojson) or a "
                                             "sites.csv."),
    out_file: Path = typer.Option(Path("maps/map.html"), "--out", help="HTML file to write."),
    tiles: str = TilesOpt,
    offline: bool = typer.Option(False, "--offline", help="Inline every script and stylesheet: one file that "
                                                          "opens with no internet (tiles aside; --tiles none)."),
    lang: str = typer.Option("zh", "--lang", help="Labels: zh or en."),
    config: Optional[Path] = ConfigOpt,
):
    """Draw sites and packages on a folium map (markers sized by MW, one layer per package).

    Example: solarplan map maps/ --out maps/map.html --tiles gaode --offline
    """
    cfg = load_plan(config)
    check_outputs(out_file)
    if results.is_dir():
        check_complete(results)
    path = write_map(results, out_file, tiles=tiles, offline=offline, lang=lang,
                     tianditu_key=cfg.section("maps").get("tianditu_key"))
    out.print(f"{say('wrote', lang, path=path).strip()} ({path.stat().st_size / 1e6:.1f} MB)", markup=False,
              highlight=False)


@app.command("briefing")
def briefing_cmd(
    results: Path = typer.Argument(..., help="Results folder written by `solarplan packages` or `demo`."),
    out_file: Path = typer.Option(Path("maps/briefing.html"), "--out", help="HTML file to write."),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en."),
    offline: bool = typer.Option(False, "--offline", help="Inline the map's scripts (no internet needed)."),
    tiles: str = typer.Option("none", "--tiles", help="Basemap of the embedded map (default none)."),
    docx: bool = typer.Option(False, "--docx", help="Also write the briefing as Word (.docx, 公文 layout) beside "
                                                    "the HTML, with the same name: briefing.html -> briefing.docx."),
    appendix: bool = typer.Option(False, "--appendix", help="Add an appendix (monthly yield, package scores, "
                                                            "the recommended measures, and every package when the "
                                                            "page lists only the top ones)."),
    date: Optional[str] = typer.Option(None, "--date", help="Date printed on the briefing, YYYY-MM-DD (default: "
                                                            "the day packages.csv was written, or "
                                                            "SOURCE_DATE_EPOCH)."),
):
    """Write a one-page briefing: headline figures (of all packages), indicators, top sites, the recommendation,
    the top packages (a line counts the others: they are in shortlist.xlsx and packages.csv) and the map;
    prints on one A4 page. With --docx also a Word copy to edit in WPS or Word.

    Example: solarplan briefing maps/ --out maps/briefing.html --lang zh --offline --docx
    """
    check_lang(lang)
    out_file = Path(out_file)
    if out_file.suffix.lower() == ".docx":   # asked for the Word file by name: write it, and the HTML beside it
        out_file, docx = out_file.with_suffix(".html"), True
    check_outputs(out_file, out_file.with_suffix(".docx") if docx else None)
    if results.is_dir():
        check_complete(results)
    paths = [write_briefing(results, out_file, lang=lang, offline=offline, tiles=tiles, appendix=appendix,
                            date=date)]
    if docx:
        paths.append(write_docx(results, out_file.with_suffix(".docx"), lang=lang, appendix=appendix))
    for path in paths:
        out.print(say("wrote", lang, path=path).strip(), markup=False, highlight=False)


def check_outputs(*paths):
    """Fail before any work when an output file cannot be written (a folder, under a file, unwritable)."""
    for p in paths:
        if p is not None:
            check_file_target(p)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: this computer only)."),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="Needed to listen on another address than "
                                                                     "127.0.0.1; a random access token is then "
                                                                     "required and printed."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open the browser."),
    max_upload_mb: float = typer.Option(50.0, "--max-upload-mb", help="Largest upload [MB]."),
    job_hours: float = typer.Option(4.0, "--job-hours", help="Jobs and their files are deleted after this many "
                                                              "hours."),
    workers: int = typer.Option(2, "--workers", help="Jobs that run at once (one process each)."),
    config: Optional[Path] = ConfigOpt,
):
    """Start the local web app in the browser: upload a register, check it, run it, download the results.

    Example: solarplan serve
    """
    opts = ServeOptions(max_upload_mb=max_upload_mb, ttl_h=job_hours, max_running=workers,
                        plan=read_plan_file(config) if config else {})
    serve_app(host, port, allow_remote=allow_remote, open_browser=not no_browser, opts=opts,
              echo=lambda s: out.print(s, markup=False, highlight=False))


def out_console_step(step, lang: str = "zh"):
    out.print(step.summary, markup=False, highlight=False)
    for f in step.files:
        out.print(say("wrote", lang, path=f), markup=False, highlight=False)


@app.command()
def check(
    claim: Optional[str] = typer.Option(None, "--claim", help="Claimed yearly energy: 6000万kWh, 670万千瓦时, 60GWh."),
    area: Optional[str] = typer.Option(None, "--area", help="Gross area: 36万m2, 36万平方米."),
    capacity: Optional[str] = typer.Option(None, "--capacity", help="Capacity: 5.16MW, 5.16兆瓦."),
    location: Optional[str] = typer.Option(None, "--location", help="City (十堰, Jincheng), station or 'lat,lon'."),
    lat: Optional[float] = typer.Option(None, "--lat"), lon: Optional[float] = typer.Option(None, "--lon"),
    co2: Optional[str] = typer.Option(None, "--co2", help="Claimed CO2 avoided per year: 440t, 440吨CO2."),
    tce: Optional[str] = typer.Option(None, "--tce", help="Claimed coal saved per year: 238吨标准煤."),
    surface_type: Optional[str] = typer.Option(None, "--surface-type", help="flat_roof, pitched_roof, metal_roof, "
                                                                            "carport (or 平屋顶, 彩钢瓦 ...)."),
    mix: Optional[str] = typer.Option(None, "--mix", help="Roof-type mix of the claim instead of one type: "
                                                          "flat_roof=0.7,carport=0.3 (shares of capacity or area)."),
    weather: str = WeatherOpt,
    config: Optional[Path] = ConfigOpt,
    as_json: bool = typer.Option(False, "--json", help="Print the stable JSON (docs/claims.md)."),
    lang: str = typer.Option("zh", "--lang", help="zh or en, for the figures in the text output."),
):
    """Check a headline claim: implied W/m2 and kWh/kWp, the simulated range here, and a verdict.

    Example: solarplan check --area 36万m2 --claim 6000万kWh --location 十堰
    """
    result = check_claim(claim=claim, area=area, capacity=capacity, co2=co2, tce=tce, location=location, lat=lat,
                         lon=lon, surface_type=surface_type, mix=mix, weather=weather,
                         config=load_plan(config) if config else None)
    if as_json:
        # plain stdout: rich would render differently when it guesses a notebook or a narrow terminal
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=1) + "\n")
        return
    p = lambda s: out.print(s, markup=False, highlight=False)  # noqa: E731
    where = result.inputs["location"]
    p(f"claim at {where['label']}: weather {where['weather']}")
    imp = result.implied
    if "power_density_w_m2" in imp:
        p(f"  implied power density: {imp['power_density_w_m2']:.0f} W/m2")
    if "specific_yield_kwh_per_kwp" in imp:
        p(f"  implied specific yield: {imp['specific_yield_kwh_per_kwp']:.0f} kWh/kWp")
    if "yield_kwh_per_m2" in imp:
        p(f"  implied yield per gross m2: {imp['yield_kwh_per_m2']:.0f} kWh/m2/yr")
    for k, v in result.simulated.items():
        share = result.required_usable_share.get(k)
        p(f"  simulated {k}: P50 {v['p50_kwh_per_kwp']:.0f}, P90 {v['p90_kwh_per_kwp']:.0f} kWh/kWp"
          + (f"; usable share needed at {v['power_density_w_m2']:.0f} W/m2: {share:.0%}" if share else ""))
    m = result.mix
    p(f"  compared with {'the stated' if m['stated'] else 'the assumed'} mix "
      f"{', '.join(f'{k} {v:.0%}' for k, v in m['shares'].items())}: P50 {m['p50_kwh_per_kwp']:.0f}, "
      f"P90-P10 {m['p90_kwh_per_kwp']:.0f}-{m['p10_kwh_per_kwp']:.0f} kWh/kWp (sigma {m['sigma']:.1%})")
    st = result.station
    if st:
        p(f"  weather station: {st['distance_km']:.0f} km away, site {st['elevation_diff_m']:+.0f} m above it; "
          f"adds {st['sigma_distance']:.1%} (distance) and {st['sigma_elevation']:.1%} (elevation) to the "
          f"uncertainty: sigma {st['sigma']:.1%} instead of {st['sigma_without']:.1%}")
    if result.energy_range_kwh:
        lo, hi = result.energy_range_kwh
        p(f"  plausible energy for this area: {format_quantity(lo, 'energy', lang)} - "
          f"{format_quantity(hi, 'energy', lang)} per year")
    p(f"verdict: {result.verdict.upper()} - {result.reason}")
    for part in (result.carbon, result.coal):
        if part:
            p(f"verdict on {'CO2' if part is result.carbon else 'coal'}: {part['verdict'].upper()} - {part['reason']}")
    for n in result.notes:
        p(f"  note: {n}")


@weather_app.command("info")
def weather_info(file: Path = typer.Argument(..., help="Weather file."),
                 closure: str = typer.Option("auto", "--closure", help="Reading of a file that fails closure: "
                                             "auto, components, ghi or none (docs/weather.md).")):
    """Print the quality checks of a weather file: timing offset, closure, night radiation, gaps.

    Example: solarplan weather info CHN_Hubei.Wuhan.574940_CSWD.epw
    """
    w = read_weather(file)
    if closure not in CLOSURE_READINGS:
        raise InputError(f"--closure {closure!r}: use one of {', '.join(CLOSURE_READINGS)}")
    fixed, report, warnings = resolve_shift(w, closure=closure)
    out.print(f"{file}: {w.meta.get('format', '?')} at {w.latitude:.3f}, {w.longitude:.3f}, {w.elevation:.0f} m; "
              f"timestamps: {w.meta.get('file_timestamp', '?')}", markup=False, highlight=False)
    for line in report.lines():
        out.print("  " + line, markup=False, highlight=False)
    for line in warnings:
        out.print("  applied: " + line.split(": ", 1)[-1], markup=False, highlight=False)
    for line in effect_lines(correction_effects(w, fixed), report.closure_corrected):
        out.print("  " + line, markup=False, highlight=False)


@weather_app.command("fetch")
def weather_fetch(location: str = typer.Option(..., "--location", help="'lat,lon' or a city (十堰, Shiyan)."),
                  out_file: Optional[Path] = typer.Option(None, "--out", help="Also write the year as FILE.epw "
                                                                              "or FILE.csv."),
                  config: Optional[Path] = ConfigOpt):
    """Download the PVGIS typical year of a location into the cache (for later offline runs).

    The year is kept in the cache folder ([weather] cache_dir, SOLARPLAN_CACHE_DIR or
    ~/.cache/solarplan); later runs with --weather pvgis use it without the network.

    Example: solarplan weather fetch --location 十堰 --out shiyan_pvgis.epw
    """
    lat, lon, label = resolve_location(location)
    options = PvgisOptions.from_mapping(load_plan(config).section("weather"))
    year, report, warnings = resolve_shift(pvgis_year(lat, lon, options))
    out.print(f"{label}: PVGIS {year.meta.get('radiation_db', '')} {year.meta.get('years', '')}, "
              f"{'downloaded to' if year.meta['pvgis_downloaded'] else 'already cached in'} {year.source}",
              markup=False, highlight=False)
    for line in report.lines():
        out.print("  " + line, markup=False, highlight=False)
    for line in warnings:
        out.print("  applied: " + line.split(": ", 1)[-1], markup=False, highlight=False)
    if out_file:
        write_weather(year, out_file)
        out.print(f"wrote {out_file}", markup=False, highlight=False)


@weather_app.command("synth")
def weather_synth(location: str = typer.Option(..., "--location", help="'lat,lon', a city (十堰, Shiyan), a CSWD "
                                                                     "station name or WMO id."),
                  out_file: Path = typer.Option(..., "--out", help="FILE.epw or FILE.csv"),
                  blend: bool = typer.Option(False, "--blend", help="Blend the 3 nearest stations.")):
    """Write the synthetic typical year of a location (embedded climatology) as EPW or CSV.

    Example: solarplan weather synth --location 十堰 --out shiyan.epw
    """
    lat, lon, label = resolve_location(location)
    climate = monthly_climate(lat, lon, method="blend" if blend else "nearest")
    for w in climate.warnings:
        log.warning(w)
    year = synthesize(climate)
    write_weather(year, out_file)
    out.print(f"{label}: {year.source}; GHI {year.annual_kwh_m2():.1f} kWh/m2/yr; wrote {out_file}",
              markup=False, highlight=False)


#: What Ctrl-C prints (exit status 130). Outputs are written whole or not at all (solarplan.core.atomic) and an
#: output folder's manifest says whether its run finished (solarplan.io.outputs).
INTERRUPTED = ("interrupted: the run stopped before it finished. Every file it wrote is whole; an output folder "
               "is marked unfinished, so map and briefing refuse it and the next run into it needs --overwrite")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning SolarplanError into one clear message.

    The logging set-up of the command (:func:`setup_logging`) is undone on return, so that a program, a
    notebook or a test that calls ``main`` keeps its own logging of the ``solarplan`` loggers.
    """
    root, warn_log = logging.getLogger("solarplan"), logging.getLogger("py.warnings")
    saved = (root.handlers[:], root.level, root.propagate, warn_log.handlers[:])
    try:
        app(args=argv, standalone_mode=True)
    except SolarplanError as exc:
        console.print(f"error: {exc}", style="bold red", markup=False, highlight=False)
        return 2
    except SystemExit as exc:
        if _caused_by_interrupt(exc):   # typer turns Ctrl-C into exit status 130, silently
            console.print(INTERRUPTED, style="bold red", markup=False, highlight=False)
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except Exception as exc:
        if not _caused_by_interrupt(exc):
            raise
        # Ctrl-C that landed inside a C extension (numba loading a cached kernel wraps it in SystemError):
        # the same answer as typer's own interrupt handling (exit status 130), no traceback.
        console.print(INTERRUPTED, style="bold red", markup=False, highlight=False)
        return 130
    finally:
        root.handlers[:], warn_log.handlers[:] = saved[0], saved[3]
        root.setLevel(saved[1])
        root.propagate = saved[2]
        logging.captureWarnings(False)
    return 0


def _caused_by_interrupt(exc: BaseException) -> bool:
    """True when a KeyboardInterrupt is anywhere in the chain of causes and contexts of ``exc``."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
