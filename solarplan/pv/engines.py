"""Yield engines by name: the pvlib reference path and the fused numba kernel.

Both take the same arguments and return the same :class:`~solarplan.pv.yieldsim.YieldResult`; the fused
engine equals the reference hour by hour within 1e-6 relative for every model choice it implements
(tests/pv/test_fused.py).
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Mapping

from solarplan.core.errors import ConfigError
from solarplan.pv import fused, yieldsim

#: Engine name -> simulate function (names: :data:`solarplan.pv.yieldsim.YIELD_ENGINES`). 'fused', the numba
#: kernel, is the default; 'pvlib' (vectorised pvlib calls) stays the reference it is tested against.
ENGINES: Mapping[str, Callable] = MappingProxyType({"fused": fused.simulate, "pvlib": yieldsim.simulate})
DEFAULT_ENGINE = "fused"
assert tuple(ENGINES) == yieldsim.YIELD_ENGINES


def get_engine(name: str) -> Callable:
    """The simulate function of engine ``name``; ConfigError listing the valid names otherwise."""
    try:
        return ENGINES[name]
    except (KeyError, TypeError):
        raise ConfigError(f"unknown yield engine {name!r}; valid: {', '.join(ENGINES)}") from None


def simulate(surfaces, weather, params=None, *, engine: str = DEFAULT_ENGINE, **kwargs) -> yieldsim.YieldResult:
    """:func:`solarplan.pv.yieldsim.simulate` with the engine chosen by name (see :data:`ENGINES`)."""
    return get_engine(engine)(surfaces, weather, params, **kwargs)
