"""Where shipped data files are, installed or in a source checkout."""
from __future__ import annotations

from pathlib import Path


def data_path(name: str) -> Path:
    """Path of a file shipped in ``data/`` (installed as the ``solarplan.data`` package)."""
    try:
        from solarplan.data import path  # installed wheel or editable install
        return path(name)
    except ImportError:  # running from a source tree that is not installed
        return Path(__file__).resolve().parents[1] / "data" / name
