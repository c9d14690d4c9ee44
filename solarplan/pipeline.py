"""Orchestration: the steps `solarplan demo` and friends run, in order.

No state is kept here; each function takes paths and a config and returns
what it wrote.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .config import PlanConfig
from .inventory import read_inventory, write_table
from .resources import data_path

DEMO_INVENTORY = "demo_shiyan_inventory.geojson"


def demo_inventory_path() -> Path:
    """Path of the shipped synthetic Shiyan inventory."""
    return data_path(DEMO_INVENTORY)


@dataclass(frozen=True)
class StepResult:
    """What one pipeline step wrote and a one-line summary."""

    name: str
    files: tuple[Path, ...]
    summary: str


def validate_step(inventory: Path, out_dir: Path, config: PlanConfig, require_china: bool | None = None):
    """Read and validate an inventory; write ``surfaces_clean.csv`` and ``rejects.csv``."""
    res = read_inventory(inventory, config, require_china=require_china)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = (write_table(res.clean, out_dir / "surfaces_clean.csv"), write_table(res.rejects, out_dir / "rejects.csv"))
    return res, StepResult("inventory", files, res.summary())


def run_demo(out_dir: Path, config: PlanConfig, report: Callable[[str], None] = lambda s: None) -> list[StepResult]:
    """Run every pipeline step that exists on the shipped demo city."""
    steps = []
    res, step = validate_step(demo_inventory_path(), out_dir, config)
    steps.append(step)
    report(step.summary)
    return steps
