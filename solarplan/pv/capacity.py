"""Usable area, PV capacity and default orientation of each surface.

Pure functions over the validated inventory table. The defaults per surface
type and their sources live in :mod:`solarplan.core.defaults`.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from solarplan.core.defaults import SurfaceDefaults
from solarplan.core.geometry import area_inside_setback, facing_azimuth
from solarplan.io.validate import CLEAN_COLUMNS, ValidationResult

#: Columns this module adds to the clean inventory, each placed after the column named.
ADDED_AFTER = {"usable_area_m2": "usable_fraction", "power_density_w_m2": "usable_area_m2",
               "capacity_source": "capacity_kwp", "mounting": "capacity_source",
               "orientation_source": "surface_azimuth", "gcr": "orientation_source", "defaulted": "gcr"}


def usable_area_and_capacity(table: pd.DataFrame, surfaces: Mapping[str, SurfaceDefaults]) -> pd.DataFrame:
    """Attach usable area, capacity and orientation columns.

    Parameters
    ----------
    table : DataFrame
        Needs ``surface_type``, ``gross_area_m2``, ``long_side_m``,
        ``short_side_m``, ``long_axis_bearing`` and the optional inputs
        ``usable_fraction``, ``capacity_kwp``, ``surface_tilt``,
        ``surface_azimuth`` (NaN where not given).
    surfaces : mapping of surface type to :class:`SurfaceDefaults`

    Returns
    -------
    DataFrame
        A copy with ``usable_fraction`` [-], ``usable_area_m2`` [m2],
        ``power_density_w_m2`` [W/m2], ``capacity_kwp`` [kWp],
        ``capacity_source`` (``input`` or ``density``), ``surface_tilt`` and
        ``surface_azimuth`` [degrees, pvlib convention],
        ``orientation_source`` (``input``, ``default`` or ``long_axis``),
        ``mounting``, ``gcr`` [-] and ``defaulted``: the optional inputs a blank cell left to the surface
        type's default (``usable_fraction``, ``capacity_kwp``, ``surface_tilt``, ``surface_azimuth``),
        joined by ``;`` (the same for a blank CSV cell and a blank XLSX cell), after what the table's own
        ``defaulted`` names (the reader's: ``site_id`` made from the name, unreadable optional cells).
    """
    out = table.copy()
    st = out["surface_type"]
    pick = lambda attr: st.map({k: getattr(v, attr) for k, v in surfaces.items()})  # noqa: E731
    uf_given = out["usable_fraction"].notna()
    out["usable_fraction"] = out["usable_fraction"].where(uf_given, pick("usable_fraction")).astype(float)
    inner = area_inside_setback(out["gross_area_m2"], out["long_side_m"].fillna(0), out["short_side_m"].fillna(0),
                                pick("setback_m").astype(float))
    # an explicit usable_fraction is a share of the gross area (the user has already
    # accounted for edges); the default applies inside the setback
    out["usable_area_m2"] = np.where(uf_given, out["gross_area_m2"] * out["usable_fraction"],
                                     inner * out["usable_fraction"])
    out["power_density_w_m2"] = pick("power_density_w_m2").astype(float)
    cap_given = out["capacity_kwp"].notna()
    out["capacity_source"] = np.where(cap_given, "input", "density")
    out["capacity_kwp"] = out["capacity_kwp"].where(cap_given, out["usable_area_m2"] * out["power_density_w_m2"] / 1e3)
    tilt_given = out["surface_tilt"].notna()
    out["surface_tilt"] = out["surface_tilt"].where(tilt_given, pick("surface_tilt")).astype(float)
    az_default = pick("surface_azimuth").astype(float)
    from_axis = pd.Series(facing_azimuth(out["long_axis_bearing"].to_numpy(float)), index=out.index)
    az_given = out["surface_azimuth"].notna()
    use_axis = ~az_given & az_default.isna() & from_axis.notna()
    az = out["surface_azimuth"].where(az_given, az_default)
    az = az.where(~use_axis, from_axis).fillna(180.0)  # no geometry and no default: south (estimate)
    out["surface_azimuth"] = az.astype(float)
    out["orientation_source"] = np.select([az_given, use_axis], ["input", "long_axis"], "default")
    out["mounting"] = pick("mounting")
    out["gcr"] = pick("gcr").astype(float)
    named = [("usable_fraction", ~uf_given), ("capacity_kwp", ~cap_given), ("surface_tilt", ~tilt_given),
             ("surface_azimuth", ~az_given)]
    # each row's defaulted names as a bit pattern, then the pattern's text (no per-row Python loop)
    code = sum(m.to_numpy(bool).astype(np.int64) << j for j, (_, m) in enumerate(named))
    labels = np.array([";".join(n for j, (n, _) in enumerate(named) if c >> j & 1) for c in range(1 << len(named))],
                      dtype=object)
    mine = labels[np.asarray(code, np.int64)] if len(out) else np.array([], dtype=object)
    if "defaulted" in table.columns:  # what the reader defaulted (site_id, unreadable cells) comes first
        read = table["defaulted"].fillna("").astype(str).to_numpy(object)
        both = read != ""
        mine = mine.copy()
        mine[both] = [";".join(dict.fromkeys(t for t in f"{r};{m}".split(";") if t))
                      for r, m in zip(read[both], mine[both])]
    out["defaulted"] = mine
    return out


def with_capacity(result: ValidationResult, surfaces: Mapping[str, SurfaceDefaults]) -> ValidationResult:
    """The validated inventory with usable area, capacity and orientation attached (see
    :func:`usable_area_and_capacity`), columns in the documented order."""
    out = usable_area_and_capacity(result.clean, surfaces)
    order = [c for c in CLEAN_COLUMNS if c not in ADDED_AFTER]
    for col, after in ADDED_AFTER.items():
        order.insert(order.index(after) + 1, col)
    extra = [c for c in out.columns if c not in order and c != out.geometry.name]
    out = out[order + extra + [out.geometry.name]]
    return ValidationResult(out, result.rejects, result.n_input, result.skipped, result.messages)
