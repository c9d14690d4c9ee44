"""Accepted ranges of parameters and plausible magnitudes of inputs: one table, one check.

Two uses, one vocabulary:

* **Parameter fields.** A frozen parameter dataclass declares what each field
  accepts in its metadata, ``field(default=0.06, metadata=accepts(-1, 1,
  open=True, unit="-", fraction=True))``. :func:`solarplan.io.config.parse_section`
  reads the field's type and this :class:`Range` to check a ``plan.toml``
  section, so every section is checked by the same code.
* **Magnitudes of inputs.** :data:`PLAUSIBLE` holds the range outside which an
  input (a roof area, a claimed capacity, a floor area) is taken as a typing or
  unit slip rather than a real value; readers call :func:`check_plausible` or use
  :func:`implausible` on a column.

The plausible magnitudes are estimates, chosen wide: they catch slips of a
factor of 1,000 or more (m² typed as mm², MW as W) without refusing any real
public building or plant in China. Sources and reasoning are given per entry.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

from solarplan.core.errors import InputError


@dataclass(frozen=True)
class Range:
    """What a number may be.

    Attributes
    ----------
    lo, hi : float or None
        Bounds (None: unbounded).
    lo_open, hi_open : bool
        Exclude the bound itself.
    unit : str
        Unit shown in messages ("-" for a dimensionless fraction).
    fraction : bool
        A share or rate stored as a fraction (0.06): the text ``"6%"`` is accepted,
        and a value such as 6 for a field in (-1, 1) gets the hint "did you mean 6 %?".
    choices : tuple or None
        Allowed values of a text field.
    """

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    unit: str = ""
    fraction: bool = False
    choices: tuple | None = None

    def contains(self, x) -> bool:
        """Whether a value lies in the range (and is one of the choices, if any)."""
        if self.choices is not None:
            return x in self.choices
        if isinstance(x, (int, float)) and not math.isfinite(float(x)):
            return False
        if self.lo is not None and (x <= self.lo if self.lo_open else x < self.lo):
            return False
        if self.hi is not None and (x >= self.hi if self.hi_open else x > self.hi):
            return False
        return True

    def describe(self) -> str:
        """The range in words, for messages: ``"a number in (-1, 1) [-], e.g. 0.06 or \\"6%\\""``."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) if isinstance(c, str) else str(c) for c in self.choices)
        lo = "-inf" if self.lo is None else _num(self.lo)
        hi = "inf" if self.hi is None else _num(self.hi)
        text = f"{'(' if self.lo_open or self.lo is None else '['}{lo}, {hi}{')' if self.hi_open or self.hi is None else ']'}"
        unit = f" [{self.unit}]" if self.unit else ""
        tail = ' (a fraction: 0.06, or the text "6%")' if self.fraction else ""
        return f"a number in {text}{unit}{tail}"

    def hint(self, x) -> str:
        """A guess at the slip behind an out-of-range value (percent given as a whole number)."""
        if self.fraction and isinstance(x, (int, float)) and abs(x) >= 1 and self.contains(x / 100.0):
            return f"; did you mean {_num(x)}% = {_num(x / 100.0)}?"
        return ""


def _num(x: float) -> str:
    return f"{x:.6g}"


def accepts(lo: float | None = None, hi: float | None = None, *, open: bool | tuple = False, unit: str = "",
            fraction: bool = False, choices: tuple | None = None) -> Mapping[str, Range]:
    """Field metadata declaring what a parameter accepts (``field(metadata=accepts(0, 1, unit="-"))``).

    ``open`` is True for an open interval or a (lo_open, hi_open) pair.
    """
    lo_open, hi_open = (open, open) if isinstance(open, bool) else open
    return MappingProxyType({"range": Range(lo, hi, lo_open, hi_open, unit, fraction, choices)})


def range_of(f) -> Range | None:
    """The :class:`Range` declared on a dataclass field, or None."""
    return f.metadata.get("range") if f.metadata else None


#: Plausible magnitudes of inputs (estimates; see each comment). Values outside are refused with
#: the range in the message.
PLAUSIBLE: Mapping[str, Range] = MappingProxyType({
    # One roof or carport surface: 1 m2 (a tiny shed roof) to 2 km2. The largest single roofs in
    # China (logistics halls, airport terminals) are 0.2-0.5 km2; 2 km2 leaves a factor of 4.
    "surface_area_m2": Range(1.0, 2e6, unit="m2"),
    # A whole programme's gross roof area in a claim: up to 1,000 km2 (a province's public roofs
    # are tens of km2).
    "claim_area_m2": Range(1.0, 1e9, unit="m2"),
    # A claimed capacity: 1 kW to 100 GW (China's whole distributed PV fleet is ~300 GW; one
    # claim beyond 100 GW is a unit slip).
    "claim_capacity_kw": Range(1.0, 1e8, unit="kW"),
    # A claimed yearly energy: 1 kWh to 200 TWh (~ the Three Gorges plant's 100 TWh, doubled).
    "claim_energy_kwh": Range(1.0, 2e11, unit="kWh"),
    "claim_co2_t": Range(1e-3, 2e8, unit="t"),
    "claim_tce_t": Range(1e-3, 1e8, unit="tce"),
    # Floor area of one building: 1 m2 (a guard hut) to 2 km2 (the largest buildings in the world
    # have 1.5-1.8 km2 of floor, e.g. the New Century Global Center in Chengdu).
    "floor_area_m2": Range(1.0, 2e6, unit="m2"),
    # Coordinates [degrees, WGS84].
    "lat": Range(-90.0, 90.0, unit="degrees"),
    "lon": Range(-180.0, 180.0, unit="degrees"),
    # Power density implied by a claim or an inventory row: above 300 W/m2 of gross area no module
    # made can deliver (a 24 % module is 240 W/m2 of its own area).
    "power_density_w_m2": Range(0.0, 300.0, lo_open=True, unit="W/m2"),
})


def check_plausible(name: str, value: float, where: str) -> float:
    """Return ``value`` or raise :class:`InputError` naming it and its plausible range."""
    r = PLAUSIBLE[name]
    if not r.contains(value):
        raise InputError(f"{where}: {_num(value)} {r.unit} is implausible; accepted: {r.describe()} "
                         "(check the unit and the number of digits)")
    return value


def implausible(name: str, values) -> np.ndarray:
    """Boolean mask of finite values outside the plausible range (NaN is not flagged)."""
    r = PLAUSIBLE[name]
    v = np.asarray(values, dtype=float)
    bad = np.zeros(v.shape, dtype=bool)
    finite = np.isfinite(v)
    if r.lo is not None:
        bad |= finite & ((v <= r.lo) if r.lo_open else (v < r.lo))
    if r.hi is not None:
        bad |= finite & ((v >= r.hi) if r.hi_open else (v > r.hi))
    bad |= np.isinf(v)
    return bad
