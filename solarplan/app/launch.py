"""The console entry point (``solarplan`` and ``python -m solarplan``).

Importing the command line loads pandas, pvlib, numba and the rest, which takes a second or two. Ctrl-C in
that time ends with one line and exit status 130, as Ctrl-C later in a run does, instead of a Python
traceback; nothing has been written yet.
"""
from __future__ import annotations

import sys


def run() -> None:
    """Run the command line (:func:`solarplan.app.cli.main`) and exit with its status."""
    try:
        from solarplan.app.cli import main  # lazy: a Ctrl-C while the libraries load must be caught here
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: stopped while starting, before anything was written\n")
        raise SystemExit(130) from None
    sys.exit(main())
