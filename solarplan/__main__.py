"""``python -m solarplan``: the same command line as ``solarplan``."""
from .cli import _entry

_entry()
