"""Write marion_diffuse_iam.csv: Marion's diffuse IAM integrals per tilt, for the yield engine's lookup.

    python data/make_marion_iam.py

For each tilt 0.0, 0.1, ... 90.0 deg (the engine's default orientation resolution) and each beam IAM model
of solarplan.pv.yieldsim (pvlib ``iam.physical`` and ``iam.ashrae`` with pvlib's default parameters), the sky
and ground-reflected integrals of ``pvlib.iam.marion_integrate`` (Marion 2017, Solar Energy 147, 344-348),
written with 17 significant digits so that reading the file gives the same floats. The engine reads a tilt
on this grid from the table and computes any other tilt with ``marion_integrate`` (tests/pv/test_yieldsim.py
recomputes a sample of rows).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pvlib

OUT = Path(__file__).with_name("marion_diffuse_iam.csv")
MODELS = {"physical": pvlib.iam.physical, "ashrae": pvlib.iam.ashrae}


def table(step: float = 0.1, block: int = 25) -> pd.DataFrame:
    tilt = np.round(np.arange(0.0, 90.0 + step / 2, step), 1)
    out = pd.DataFrame({"surface_tilt": tilt})
    for name, f in MODELS.items():
        for region in ("sky", "ground"):
            out[f"{name}_{region}"] = np.concatenate(
                [np.atleast_1d(pvlib.iam.marion_integrate(f, tilt[i:i + block], region))
                 for i in range(0, len(tilt), block)])
    return out


if __name__ == "__main__":
    t = table()
    t.to_csv(OUT, index=False, float_format="%.17g")
    print(f"wrote {OUT} ({len(t)} tilts, pvlib {pvlib.__version__})")
