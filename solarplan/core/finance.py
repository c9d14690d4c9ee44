"""Finance helpers shared by PV economics and retrofit contracts (pure, vectorised).

Cash flows are arrays whose last axis is the year, index 0 = today
(undiscounted), index t = end of year t.

References
----------
.. [1] Short, W., Packey, D., Holt, T. (1995). A Manual for the Economic
   Evaluation of Energy Efficiency and Renewable Energy Technologies.
   NREL/TP-462-5173 (NPV, IRR, discounted payback, levelised cost).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import brentq


def discount_factors(rate: float, n_years: int) -> np.ndarray:
    """(1 + r)^-t for t = 0..n_years."""
    return (1.0 + rate) ** -np.arange(n_years + 1)


def npv(rate: float, cashflows) -> np.ndarray:
    """Net present value of cash flows (last axis = years from 0) [1]_."""
    cf = np.asarray(cashflows, float)
    return cf @ discount_factors(rate, cf.shape[-1] - 1)


def _irr_one(cf: np.ndarray) -> float:
    signs = np.sign(cf[cf != 0])
    if len(signs) == 0 or np.all(signs == signs[0]):
        return float("nan")  # never changes sign: IRR undefined
    f = lambda r: float(np.sum(cf * (1.0 + r) ** -np.arange(len(cf))))  # noqa: E731
    grid = np.array([-0.99, -0.9, -0.5, -0.2, 0.0, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0, 1e3, 1e5, 1e8])
    vals = np.array([f(r) for r in grid])
    for i in range(len(grid) - 1):
        if np.sign(vals[i]) == 0:
            return float(grid[i])
        if np.sign(vals[i]) != np.sign(vals[i + 1]):
            return float(brentq(f, grid[i], grid[i + 1], xtol=1e-14, rtol=1e-14, maxiter=500))
    return float("nan")


def irr(cashflows) -> np.ndarray:
    """Internal rate of return per row; NaN where the cash flows never change sign (undefined).

    Where several roots exist (more than one sign change) the lowest above -99 % is returned.
    """
    cf = np.atleast_2d(np.asarray(cashflows, float))
    out = np.array([_irr_one(row) for row in cf])
    return out if np.ndim(cashflows) > 1 else out[0]


def payback_years(cashflows, rate: float | None = None) -> np.ndarray:
    """Years until the cumulative (discounted when ``rate`` is given) cash flow turns non-negative.

    Linear within the year it turns; NaN if it never does.
    """
    cf = np.atleast_2d(np.asarray(cashflows, float))
    if rate is not None:
        cf = cf * discount_factors(rate, cf.shape[-1] - 1)
    cum = np.cumsum(cf, axis=-1)
    out = np.full(cf.shape[0], np.nan)
    for i, c in enumerate(cum):
        idx = np.flatnonzero(c >= 0)
        if len(idx) == 0:
            continue
        t = idx[0]
        out[i] = 0.0 if t == 0 else (t - 1) + (-c[t - 1]) / cf[i, t]
    return out if np.ndim(cashflows) > 1 else out[0]


def levelised_cost(rate: float, costs, energy) -> np.ndarray:
    """Present value of costs / present value of energy (same year axis) [1]_."""
    return npv(rate, costs) / npv(rate, energy)


def annuity_factor(rate: float, n_years: int) -> float:
    """Capital recovery factor r / (1 - (1 + r)^-n); 1/n at r = 0."""
    return 1.0 / n_years if rate == 0 else rate / (1.0 - (1.0 + rate) ** -n_years)
