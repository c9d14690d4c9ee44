"""Small data files shipped with solarplan (installed as ``solarplan.data``).

See README.md in this folder for the provenance of every file.
"""
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """Return the path of a shipped data file by name."""
    return DATA_DIR / name
