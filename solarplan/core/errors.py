"""Error types of solarplan.

Every error a user can cause derives from :class:`SolarplanError`; the CLI prints
its message (no traceback) and exits with status 2.
"""
from __future__ import annotations


class SolarplanError(Exception):
    """Base class of every error solarplan raises on purpose."""


class InputError(SolarplanError):
    """A file or value given by the user cannot be used.

    The message names the file, row and column where known, and what would be
    accepted.
    """


class ConfigError(SolarplanError):
    """A configuration file or option is invalid (unknown key, bad value)."""


class WeatherError(InputError):
    """Weather data cannot be found, read or synthesised for a location."""


class OutputError(SolarplanError):
    """An output cannot be written: the path is a folder (or a file where a folder is needed), the folder
    cannot be written, the disk is full, or the folder holds an earlier run's outputs."""
