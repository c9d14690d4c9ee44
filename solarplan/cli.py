"""The ``solarplan`` command line.

User mistakes (bad files, bad options) print one message and exit with
status 2; only bugs show a traceback.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .config import load_config
from .errors import SolarplanError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Plan rooftop and carport PV and building retrofits for public institutions.\n\n"
                       "Example: solarplan demo --out maps/")
inventory_app = typer.Typer(no_args_is_help=True, help="Inventory of roofs and carports: validate a file.")
app.add_typer(inventory_app, name="inventory")
console = Console(stderr=True)
out = Console()

ConfigOpt = typer.Option(None, "--config", help="plan.toml with overrides (see solarplan.config for keys).")


@app.command()
def demo(out_dir: Path = typer.Option(Path("maps"), "--out", help="Folder for the outputs."),
         config: Optional[Path] = ConfigOpt):
    """Run the whole pipeline on the embedded synthetic Shiyan (十堰) demo city.

    Example: solarplan demo --out maps/
    """
    from .pipeline import run_demo
    steps = run_demo(out_dir, load_config(config), report=lambda s: out.print(s))
    for step in steps:
        for f in step.files:
            out.print(f"  wrote {f}")


@inventory_app.command("validate")
def inventory_validate(
    file: Path = typer.Argument(..., help="CSV, XLSX, GeoJSON, GPKG or Shapefile of roofs and carports."),
    out_dir: Path = typer.Option(Path("."), "--out", help="Folder for surfaces_clean.csv and rejects.csv."),
    config: Optional[Path] = ConfigOpt,
    anywhere: bool = typer.Option(False, "--anywhere", help="Accept locations outside China (you will need a "
                                                            "weather file to simulate them)."),
):
    """Validate an inventory: print a summary, write the clean table and the rejects.

    Example: solarplan inventory validate roofs.xlsx --out checked/
    """
    from .pipeline import validate_step
    res, step = validate_step(file, out_dir, load_config(config), require_china=False if anywhere else None)
    out.print(step.summary)
    for f in step.files:
        out.print(f"  wrote {f}")
    if len(res.rejects):
        for _, r in res.rejects.head(10).iterrows():
            out.print(f"  rejected: {r['reason']}", markup=False, highlight=False)
        if len(res.rejects) > 10:
            out.print(f"  ... and {len(res.rejects) - 10} more in rejects.csv")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning SolarplanError into one clear message."""
    try:
        app(args=argv, standalone_mode=True)
    except SolarplanError as exc:
        console.print(f"error: {exc}", style="bold red", markup=False, highlight=False)
        return 2
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


def _entry():  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
