"""``python -m solarplan``: the same command line as ``solarplan``."""
from solarplan.app.launch import run

run()
