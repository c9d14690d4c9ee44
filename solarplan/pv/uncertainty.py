"""Yield uncertainty: P50 and P90 from independent, documented components.

The P50 is the simulated yield; the exceedance value P(x) assumes a normal
distribution whose relative standard deviation combines the components in
quadrature (the SAM/PVWatts practice [1]_):

    sigma = sqrt(sigma_interannual^2 + sigma_dataset^2 + sigma_model^2)
    P90 = P50 x (1 - 1.2816 sigma)   (one-year P90)

References
----------
.. [1] Dobos, A. P., Gilman, P., Kasberg, M. (2012). P50/P90 Analysis for Solar
   Energy Systems Using the System Advisor Model. NREL/CP-6A20-54488.
.. [2] Thevenard, D., Pelland, S. (2013). Estimating the uncertainty in
   long-term photovoltaic yield predictions. Solar Energy 91, 432-445
   (model-chain uncertainty of about 3 %, dataset uncertainty of 4-8 %).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

#: Relative standard deviations [-]. All are estimates in the ranges of [2]_:
#: year-to-year GHI variability in central China ~4 %; CSWD radiation is mostly
#: modelled from sunshine duration (SOURCES.md) ~5 %; the synthetic year adds its
#: validated +-4 % error to that, ~7 %; the PVWatts-type model chain ~3 %.
SIGMA = {
    "interannual": 0.04,
    "dataset_file": 0.05,
    "dataset_synthetic": 0.07,
    "model": 0.03,
}
#: Added to the dataset term for a station away from the site [-/km] and [-/m] (estimates:
#: 3 % per 100 km and 2 % per 500 m of elevation difference, in quadrature).
SIGMA_PER_KM = 0.03 / 100.0
SIGMA_PER_M = 0.02 / 500.0


@dataclass(frozen=True)
class Uncertainty:
    """Combined relative standard deviation and its parts [-]."""

    interannual: float
    dataset: float
    model: float

    @property
    def sigma(self) -> float:
        return float(np.sqrt(self.interannual ** 2 + self.dataset ** 2 + self.model ** 2))

    def exceedance(self, p50, probability: float = 0.90):
        """Yield exceeded with the given probability (P90 for 0.90)."""
        # never below zero: a yield cannot be negative (the normal model fails for very large sigma)
        return np.asarray(p50, float) * max(0.0, 1.0 - norm.ppf(probability) * self.sigma)


def for_weather(synthetic: bool, distance_km: float = 0.0, elevation_diff_m: float = 0.0) -> Uncertainty:
    """The components for a run on a weather file or on the synthetic year.

    Parameters
    ----------
    synthetic : bool
    distance_km, elevation_diff_m : float
        How far the station is from the site [km] and how much higher or lower [m].
    """
    base = SIGMA["dataset_synthetic" if synthetic else "dataset_file"]
    dataset = float(np.sqrt(base ** 2 + (SIGMA_PER_KM * distance_km) ** 2 + (SIGMA_PER_M * elevation_diff_m) ** 2))
    return Uncertainty(SIGMA["interannual"], dataset, SIGMA["model"])
