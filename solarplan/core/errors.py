"""Error types of solarplan.

Every error solarplan raises on purpose derives from :class:`SolarplanError`;
the CLI prints its message (no traceback) and exits with status 2.

``InputError`` and ``ConfigError`` also derive from :class:`ValueError`, so code
written against the older bare ``ValueError`` of the calculation modules keeps
working (``except ValueError`` still catches them).

Hierarchy::

    SolarplanError
    ├── InputError (ValueError)       a file, row, option or argument value
    │   ├── WeatherError              weather cannot be found, read or trusted
    │   └── QuantityError             text that is not a quantity (solarplan.core.quantity)
    ├── ConfigError (ValueError)      plan.toml or a parameter object (unknown key, bad type, out of range)
    ├── OutputError                   an output path that cannot be written
    └── ClusterError                  a Dask cluster lost a worker or the scheduler during a run
"""
from __future__ import annotations


class SolarplanError(Exception):
    """Base class of every error solarplan raises on purpose."""


class InputError(SolarplanError, ValueError):
    """A file or value given by the user cannot be used.

    The message names the file, row and column where known, and what would be
    accepted.
    """


class ConfigError(SolarplanError, ValueError):
    """A configuration file, option or parameter is invalid (unknown key, wrong type, out of range)."""


class WeatherError(InputError):
    """Weather data cannot be found, read or synthesised for a location, or fail a sanity check."""


class OutputError(SolarplanError):
    """An output cannot be written: the path is a folder (or a file where a folder is needed), the folder
    cannot be written, the disk is full, or the folder holds an earlier run's outputs."""


class ClusterError(SolarplanError):
    """The Dask cluster failed during a run: a worker or the scheduler was lost (or restarted) and the work
    could not be finished. Nothing is written; the message says what was lost and to run again."""
