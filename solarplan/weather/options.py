"""The ``[weather]`` section of plan.toml as a typed record (checked by solarplan.io.config.parse_section)."""
from __future__ import annotations

from dataclasses import dataclass, field

from solarplan.core.errors import ConfigError
from solarplan.core.limits import accepts
from solarplan.weather.qc import CLOSURE_READINGS


@dataclass(frozen=True)
class WeatherOptions:
    """How weather is chosen and corrected.

    Attributes
    ----------
    shift : str or float
        Timing correction of weather files: ``"auto"`` (default), ``"none"`` or hours.
    closure : {'auto', 'components', 'ghi', 'none'}
        How to read a file whose (DNI cos z + DHI)/GHI is off by more than 2 %
        (:data:`solarplan.weather.qc.CLOSURE_READINGS`): ``auto`` (default) trusts the beam and
        diffuse where they fall short of GHI (conservative), ``ghi`` trusts GHI and rebuilds DNI.
    station_method : {'nearest', 'blend'}
        Embedded climatology: nearest station or a blend of the three nearest.
    pvgis_url : str or None
        PVGIS API base (default solarplan.weather.pvgis.PVGIS_URL, or env SOLARPLAN_PVGIS_URL).
    pvgis_timeout_s : float
        Seconds to wait for PVGIS (default 60, estimate).
    pvgis_refresh : bool
        Download again even when the cache has the year.
    cache_dir : str or None
        Cache folder (default ~/.cache/solarplan, or env SOLARPLAN_CACHE_DIR).
    """

    shift: str | float = "auto"
    closure: str = field(default="auto", metadata=accepts(choices=("auto", "components", "ghi", "none")))
    station_method: str = field(default="nearest", metadata=accepts(choices=("nearest", "blend")))
    pvgis_url: str | None = None
    pvgis_timeout_s: float = field(default=60.0, metadata=accepts(0, 3600, open=(True, False), unit="s"))
    pvgis_refresh: bool = False
    cache_dir: str | None = None

    def __post_init__(self):
        if isinstance(self.shift, str) and self.shift not in ("auto", "none"):
            try:
                hours = float(self.shift)
            except ValueError:
                raise ConfigError(f"shift = {self.shift!r} is not accepted; give \"auto\", \"none\" or a number "
                                  "of hours between -12 and 12") from None
        else:
            hours = 0.0 if isinstance(self.shift, str) else float(self.shift)
        if not -12 <= hours <= 12:
            raise ConfigError(f"shift = {self.shift} is out of range; give \"auto\", \"none\" or hours in [-12, 12]")
