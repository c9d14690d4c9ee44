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


def discount_factors(rate: float, n_years: int) -> np.ndarray:
    """(1 + r)^-t for t = 0..n_years."""
    return (1.0 + rate) ** -np.arange(n_years + 1)


def npv(rate: float, cashflows) -> np.ndarray:
    """Net present value of cash flows (last axis = years from 0) [1]_."""
    cf = np.asarray(cashflows, float)
    return cf @ discount_factors(rate, cf.shape[-1] - 1)


#: Rates [-] at which :func:`irr` looks for the first sign change of the NPV, lowest first.
IRR_GRID = np.array([-0.99, -0.9, -0.5, -0.2, 0.0, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0, 1e3, 1e5, 1e8])


def _npv_x(cf: np.ndarray, x: np.ndarray) -> np.ndarray:
    """sum_t cf_t x^t per row by Horner's rule, x = 1 / (1 + r) (one value per row)."""
    out = cf[:, -1].copy()
    for t in range(cf.shape[1] - 2, -1, -1):
        out *= x
        out += cf[:, t]
    return out


def irr(cashflows) -> np.ndarray:
    """Internal rate of return per row; NaN where the cash flows never change sign (undefined).

    Where several roots exist (more than one sign change) the lowest above -99 % is returned: the NPV is
    evaluated on :data:`IRR_GRID`, the first grid interval where it changes sign brackets the root, and
    bisection on x = 1/(1 + r) (the NPV is a polynomial in x) narrows it to the last bit. All rows at once.
    """
    cf = np.atleast_2d(np.asarray(cashflows, float))
    n, n_t = cf.shape
    out = np.full(n, np.nan)
    change = (cf > 0).any(axis=1) & (cf < 0).any(axis=1)
    if n_t and change.any():
        rows = np.flatnonzero(change)
        c = cf[rows]
        sign = np.sign(c @ ((1.0 + IRR_GRID)[None, :] ** -np.arange(n_t)[:, None]))
        zero = sign[:, :-1] == 0
        hit = zero | (sign[:, :-1] != sign[:, 1:])
        found = hit.any(axis=1)
        i = hit.argmax(axis=1)
        r_lo, r_hi = IRR_GRID[i], IRR_GRID[i + 1]
        at_lo = zero[np.arange(len(rows)), i]
        at_hi = ~at_lo & (sign[np.arange(len(rows)), i + 1] == 0)
        # bisection in x (decreasing in r): keep the NPV's sign at the low-rate end of the bracket
        x_a, x_b = 1.0 / (1.0 + r_lo), 1.0 / (1.0 + r_hi)
        s_a = sign[np.arange(len(rows)), i]
        for _ in range(80):
            mid = 0.5 * (x_a + x_b)
            s_m = np.sign(_npv_x(c, mid))
            same = s_m == s_a
            x_a = np.where(same, mid, x_a)
            x_b = np.where(same, x_b, mid)
            x_b = np.where(s_m == 0, mid, x_b)
            x_a = np.where(s_m == 0, mid, x_a)
        root = 1.0 / (0.5 * (x_a + x_b)) - 1.0
        root = np.where(at_lo, r_lo, np.where(at_hi, r_hi, root))
        out[rows] = np.where(found, root, np.nan)
    return out if np.ndim(cashflows) > 1 else out[0]


def payback_years(cashflows, rate: float | None = None) -> np.ndarray:
    """Years until the cumulative (discounted when ``rate`` is given) cash flow turns non-negative.

    Linear within the year it turns; NaN if it never does.
    """
    cf = np.atleast_2d(np.asarray(cashflows, float))
    if rate is not None:
        cf = cf * discount_factors(rate, cf.shape[-1] - 1)
    cum = np.cumsum(cf, axis=-1)
    ok = cum >= 0
    rows = np.arange(cf.shape[0])
    t = ok.argmax(axis=-1) if cf.shape[-1] else np.zeros(cf.shape[0], int)
    prev = cum[rows, np.maximum(t - 1, 0)] if cf.shape[-1] else np.zeros(cf.shape[0])
    with np.errstate(invalid="ignore", divide="ignore"):
        turn = (t - 1) + (-prev) / cf[rows, t] if cf.shape[-1] else prev
    out = np.where(ok.any(axis=-1), np.where(t == 0, 0.0, turn), np.nan)
    return out if np.ndim(cashflows) > 1 else out[0]


def levelised_cost(rate: float, costs, energy) -> np.ndarray:
    """Present value of costs / present value of energy (same year axis) [1]_."""
    return npv(rate, costs) / npv(rate, energy)


def annuity_factor(rate: float, n_years: int) -> float:
    """Capital recovery factor r / (1 - (1 + r)^-n); 1/n at r = 0."""
    return 1.0 / n_years if rate == 0 else rate / (1.0 - (1.0 + rate) ** -n_years)
