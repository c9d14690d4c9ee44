"""Documented planning defaults for roof and carport surfaces.

Every number here is either taken from a named source or marked as an
engineering estimate. All can be overridden in ``plan.toml`` (see
:mod:`solarplan.io.config`, section ``[surfaces.<type>]``).

References
----------
.. [1] solarplan domain brief, "Typical planning figures" (shared/context/DOMAIN.md):
   module efficiency 21-22.5 % (210-225 W/m2 of module); per m2 of usable roof:
   tilted rows on flat roofs 100-130 W/m2, flush on pitched or metal roofs
   150-200 W/m2, carport canopies 150-180 W/m2; usable share of a gross roof 50-70 %.
.. [2] GB 50797-2012 "Code for design of photovoltaic power station", 6.6:
   row spacing so that arrays are unshaded 09:00-15:00 solar time on the winter
   solstice; for 30-34 N and 20 deg tilt this gives a ground coverage ratio
   near 0.5.
.. [3] GB 51368-2019 "Technical standard for building-integrated PV": access
   and maintenance clearance at roof edges (estimate of 1 m used here).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from solarplan.core.limits import accepts

#: Module power per m2 of module area [W/m2]; 22 % efficiency at STC [1].
MODULE_POWER_DENSITY_W_M2 = 220.0

SURFACE_TYPES = ("flat_roof", "pitched_roof", "metal_roof", "carport")
CATEGORIES = ("agency", "school", "hospital", "venue", "soe", "other")
MOUNTINGS = ("rows", "flush", "canopy")


@dataclass(frozen=True)
class SurfaceDefaults:
    """Planning defaults of one surface type.

    Attributes
    ----------
    usable_fraction : float
        Share of the area inside the setback that carries modules [-]
        (obstructions, skylights, access ways).
    setback_m : float
        Clearance kept free along the edges [m].
    power_density_w_m2 : float
        DC nameplate per m2 of usable area [W/m2].
    mounting : str
        ``rows`` (tilted rows on a flat roof), ``flush`` (parallel to the roof)
        or ``canopy`` (carport structure).
    surface_tilt : float
        Default tilt when the inventory gives none [degrees].
    surface_azimuth : float or None
        Default azimuth [degrees, pvlib convention, 180 = south]; ``None``
        means: face the normal of the polygon's long side nearest to south.
    gcr : float
        Ground coverage ratio of rows (module area / roof area under rows) [-];
        used for row-to-row shading. Only meaningful for ``rows``.
    source : str
        Where these numbers come from.
    """

    usable_fraction: float = field(metadata=accepts(0, 1, open=(True, False), unit="-", fraction=True))
    setback_m: float = field(metadata=accepts(0, 50, unit="m"))
    power_density_w_m2: float = field(metadata=accepts(0, 300, open=(True, False), unit="W/m2"))
    mounting: str = field(metadata=accepts(choices=MOUNTINGS))
    surface_tilt: float = field(metadata=accepts(0, 90, unit="degrees"))
    surface_azimuth: float | None = field(metadata=accepts(0, 360, unit="degrees"))
    gcr: float = field(metadata=accepts(0, 1, open=(True, False), unit="-"))
    source: str

    def with_overrides(self, **kwargs) -> "SurfaceDefaults":
        """Return a copy with some fields replaced."""
        return replace(self, **kwargs)


#: Defaults per surface type. The effective share of a gross flat roof is
#: (area inside a 1 m setback) x 0.70, i.e. about 60 % for a 1,000 m2 roof,
#: in the 50-70 % range of [1].
SURFACE_DEFAULTS: dict[str, SurfaceDefaults] = {
    "flat_roof": SurfaceDefaults(
        usable_fraction=0.70, setback_m=1.0,
        # rows at GCR 0.5 of 220 W/m2 modules -> 110 W/m2, inside 100-130 of [1]
        power_density_w_m2=110.0, mounting="rows",
        surface_tilt=20.0, surface_azimuth=180.0, gcr=0.5,
        source="DOMAIN.md typical figures [1]; GCR from GB 50797-2012 winter-solstice rule [2]; "
               "setback 1 m and tilt 20 deg are estimates (Hubei optimum tilt ~20-25 deg)",
    ),
    "pitched_roof": SurfaceDefaults(
        usable_fraction=0.65, setback_m=0.5,
        power_density_w_m2=180.0, mounting="flush",
        surface_tilt=25.0, surface_azimuth=None, gcr=1.0,
        source="density 150-200 W/m2 flush [1]; usable share, setback and 25 deg tilt are estimates",
    ),
    "metal_roof": SurfaceDefaults(
        usable_fraction=0.75, setback_m=0.5,
        power_density_w_m2=180.0, mounting="flush",
        surface_tilt=5.0, surface_azimuth=None, gcr=1.0,
        source="density 150-200 W/m2 flush [1]; colour-steel roofs ~5 deg slope and usable share are estimates",
    ),
    "carport": SurfaceDefaults(
        usable_fraction=0.85, setback_m=0.0,
        power_density_w_m2=165.0, mounting="canopy",
        surface_tilt=7.0, surface_azimuth=None, gcr=1.0,
        source="canopy density 150-180 W/m2 [1]; 85 % cover of the parking area and 7 deg tilt are estimates",
    ),
}

#: Share of a gross roof or parking area that carries modules [-]: the 50-70 % of [1]. Used by the claim
#: check (solarplan.planning.claims) as the usual range.
USABLE_SHARE_RANGE = (0.5, 0.7)
#: DC nameplate per m2 of usable area, the usual range of each surface type [W/m2] from [1]: tilted rows on
#: flat roofs 100-130, flush on pitched or metal roofs 150-200, carport canopies 150-180. A configured
#: ``power_density_w_m2`` outside its range widens it.
POWER_DENSITY_RANGE_W_M2: dict[str, tuple[float, float]] = {
    "flat_roof": (100.0, 130.0), "pitched_roof": (150.0, 200.0), "metal_roof": (150.0, 200.0),
    "carport": (150.0, 180.0)}
#: Roof-type mix assumed by the claim check when a claim states none: flat roofs with tilted rows, the
#: usual roof of public-institution buildings (estimate; the check says it used this mix and lists every
#: type's own range).
DEFAULT_CLAIM_MIX: dict[str, float] = {"flat_roof": 1.0}
