"""Progress of long steps, reported through the ``solarplan`` logger.

Every long step (validation, weather, simulation, packaging, map) calls :func:`step_progress` as it
advances. A record carries ``step``, ``done`` and ``total`` as attributes (and a readable message),
so an application can follow a run with an ordinary :mod:`logging` handler; the command line draws
them as a rich progress bar. Nothing is printed unless a handler is installed (Python's default).
"""
from __future__ import annotations

import logging

logger = logging.getLogger("solarplan")

#: Names of the steps that report progress.
STEPS = ("validation", "weather", "simulation", "packaging", "map")


def step_progress(step: str, done: int, total: int | None) -> None:
    """Report that ``done`` of ``total`` units of ``step`` are finished (``total`` None when unknown)."""
    logger.info("%s %s/%s", step, done, "?" if total is None else total,
                extra={"step": step, "done": int(done), "total": None if total is None else int(total)})
