"""Where shipped data files are, in a source checkout or installed."""
from __future__ import annotations

from pathlib import Path

try:
    from solarplan.data import path as installed_path   # the installed wheel's (or editable install's) data
except ImportError:   # a source checkout that is not installed: data/ beside solarplan/ is read directly
    installed_path = None

#: The repository root when running from a source checkout (it holds pyproject.toml and data/).
_SOURCE_ROOT = Path(__file__).resolve().parents[2]


def data_path(name: str) -> Path:
    """Path of a file shipped in ``data/`` (installed as the ``solarplan.data`` package).

    A source checkout's own ``data/`` wins over an installed copy, so that a work tree's new data files
    are seen even where another checkout is installed in editable mode.
    """
    if (_SOURCE_ROOT / "pyproject.toml").is_file() and (_SOURCE_ROOT / "data" / name).exists():
        return _SOURCE_ROOT / "data" / name
    if installed_path is None:   # not installed: the checkout's path, which its reader will find missing
        return _SOURCE_ROOT / "data" / name
    return installed_path(name)
