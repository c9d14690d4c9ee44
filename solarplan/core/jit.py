"""Compiling a kernel with numba, cached on disk where possible (the one place this is decided).

numba is a core dependency; the modules that use it still guard its import, so the pvlib engine and the
numpy forms run on a platform without it.
"""
from __future__ import annotations

from typing import Callable

try:  # a core dependency; guarded for platforms without a numba build
    import numba
except ImportError:  # pragma: no cover - exercised only without numba
    numba = None


def compile_cached(py_func: Callable, **options) -> Callable:
    """``py_func`` compiled by ``numba.njit(**options)`` (lazily, at its first call), its machine code cached
    on disk where numba finds a writable cache folder; without one (a read-only install and no writable
    ``NUMBA_CACHE_DIR`` or home), uncached: the run recompiles at each start instead of failing."""
    try:
        return numba.njit(cache=True, **options)(py_func)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available for file ..."
        return numba.njit(cache=False, **options)(py_func)
