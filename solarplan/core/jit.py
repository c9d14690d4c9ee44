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


#: Every kernel :func:`compiled` has made in this process, by its Python function.
_COMPILED: dict = {}


def compiled(py_func: Callable, **options) -> Callable:
    """``py_func`` through :func:`compile_cached`, once per process (the dispatcher is kept, so its machine code
    is compiled or loaded from the disk cache at most once); ``options`` are those of the first call."""
    kernel = _COMPILED.get(py_func)
    if kernel is None:
        kernel = _COMPILED[py_func] = compile_cached(py_func, **options)
    return kernel


def compiled_kernels() -> list:
    """The dispatchers :func:`compiled` has made in this process (their ``stats`` show cache hits and misses)."""
    return list(_COMPILED.values())
