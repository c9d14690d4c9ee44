"""solarplan: rooftop and carport PV and retrofit planning for Chinese public institutions.

The public Python API is listed in ``__all__``. Functions are imported on first use (PEP 562), so
``import solarplan`` stays cheap and the foundations (``solarplan.core``) can be imported by the
``retrofit`` package without pulling in the orchestration layer.

Layers (imports flow one way, checked by import-linter in CI)::

    solarplan.core      errors, quantities, factors, finance, geometry, datums, load shapes
    solarplan.io        reading and validating tables, plan.toml, writing outputs
    solarplan.weather   weather years: readers, QC, synthesis, PVGIS
    solarplan.pv        capacity, yield engine, uncertainty, aggregation, PV economics
    retrofit            retrofit measures and contract economics (top-level package)
    solarplan.planning  packages and ranking, claim checks
    solarplan.report    map and briefing
    solarplan.app       pipeline steps and the command line
"""
from __future__ import annotations

from importlib import import_module

from solarplan.core.errors import ConfigError, InputError, SolarplanError, WeatherError

__version__ = "0.1.0"

#: Public name -> module that defines it.
_API = {
    "load_config": "solarplan.io.config",
    "load_plan": "solarplan.app.pipeline",
    "read_inventory": "solarplan.app.pipeline",
    "get_weather": "solarplan.weather",
    "simulate": "solarplan.pv.yieldsim",
    "site_economics": "solarplan.pv.economics",
    "make_packages": "solarplan.planning.packages",
    "check_claim": "solarplan.planning.claims",
    "build_map": "solarplan.report.maps",
    "build_briefing": "solarplan.report.briefing",
    # DataFrame steps of the pipeline: read -> compute -> write, without the files
    "simulate_sites": "solarplan.app.pipeline",
    "read_buildings": "solarplan.app.pipeline",
    "evaluate_buildings": "solarplan.app.pipeline",
    "contract_terms": "solarplan.app.pipeline",
    "price_contracts": "solarplan.app.pipeline",
    "package_sites": "solarplan.app.pipeline",
    "run_demo": "solarplan.app.pipeline",
}

__all__ = ["SolarplanError", "InputError", "ConfigError", "WeatherError", "__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        value = getattr(import_module(_API[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'solarplan' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_API))
