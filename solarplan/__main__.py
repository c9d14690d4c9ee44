"""``python -m solarplan``: the same command line as ``solarplan``."""
from solarplan.app.cli import _entry

_entry()
