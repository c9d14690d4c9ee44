"""The ``plan.toml`` configuration: one place that documents every key.

A configuration file is optional; without one every value is the documented
default of the module that owns it. Example::

    [inventory]
    azimuth_convention = "pvsyst"          # numbers read as 0 = south
    column_map = { "楼宇代码" = "site_id", "可装面积" = "area_m2" }

    [surfaces.flat_roof]
    usable_fraction = 0.6
    power_density_w_m2 = 120

Unknown sections or keys are errors that list the valid ones, so a typo never
silently falls back to a default.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from solarplan.core.defaults import MOUNTINGS, SURFACE_DEFAULTS, SURFACE_TYPES, SurfaceDefaults
from solarplan.core.errors import ConfigError

#: Every key of plan.toml: section -> key -> description. Sections owned by
#: later layers (yield, economics, ...) register their keys here too.
CONFIG_KEYS: dict[str, dict[str, str]] = {
    "inventory": {
        "column_map": "table mapping your headers to canonical columns, e.g. {\"楼宇代码\" = \"site_id\"}",
        "azimuth_convention": "how numeric azimuths are read: \"pvlib\" (180 = south, default) or \"pvsyst\" (0 = south)",
        "require_china": "reject rows outside China (true unless a weather file is given)",
        "sheet": "XLSX sheet to read, by name or 1-based number (default: the first that looks like a register)",
        "header_row": "1-based row of the header (default: the row among the first 30 naming the most columns)",
        "layer": "layer of a GeoPackage with several layers",
        "coords": "system of lat/lon columns: wgs84 (default), cgcs2000, gcj02 (Gaode/Tencent pickers) or bd09 "
                  "(Baidu); converted to WGS84",
        "geocoder": "online geocoder for rows with only an address: none (default: the shipped gazetteer places "
                    "them at their county), tianditu (key TIANDITU_KEY) or gaode (key AMAP_KEY)",
        "geocoder_key": "key of the geocoder (or set TIANDITU_KEY / AMAP_KEY)",
    },
    "yield": {
        "transposition": "perez (default) or haydavies",
        "iam_model": "physical (default) or ashrae",
        "temperature_model": "sapm (default) or faiman",
        "gamma_pdc": "power temperature coefficient [1/C], default -0.0035 (PVWatts v5 premium)",
        "dc_ac_ratio": "DC/AC ratio, default 1.2 (PVWatts v5)",
        "eta_inv_nom": "inverter nominal efficiency, default 0.96 (PVWatts v5)",
        "losses": "table of PVWatts loss components [%], e.g. { soiling = 3 }",
        "albedo": "roof reflectance where the weather has none, default 0.2 (estimate)",
        "row_shading": "model row-to-row shading on flat roofs, default true",
        "wind_floor": "lowest wind speed for the temperature model [m/s], default 0.5 (estimate)",
        "orientation_resolution_deg": "rounding of tilt/azimuth before merging configurations, default 0.1",
    },
    "economics": {
        "capex_cny_per_w": "table by surface type [CNY/W], e.g. { carport = 4.2 }",
        "om_cny_per_w_yr": "O&M [CNY/W/yr], default 0.04",
        "inverter_replacement_year": "default 13", "inverter_cny_per_w": "default 0.15",
        "degradation_per_yr": "from year 2, default 0.004", "horizon_years": "default 25",
        "discount_rate": "real, default 0.06 (estimate)",
        "default_tariff_cny_per_kwh": "where a site has none, default 0.65",
        "export_price_cny_per_kwh": "default 0.4161 (Hubei coal benchmark; set the current mechanism price)",
        "owner_discount": "roof owner's discount on self-consumed PV power, default 0",
        "roof_rent_cny_per_m2_yr": "default 0", "tce_basis": "calorific (default) or generation",
        "grid_region": "national (default) or central", "grid_year": "2021, 2022 or 2023 (default)",
    },
    "packages": {
        "category_map": "table mapping categories together, default { venue = \"agency\" }",
        "by_district": "split packages by district first, default true",
        "min_package_mw": "default 1.0 (estimate)", "max_package_mw": "default 20 (estimate)",
        "max_sites": "default 60 (estimate)", "max_spread_km": "largest distance between two sites of a package, "
                                                              "default 15 (estimate)",
        "min_site_kwp": "sites below are excluded, default 5", "min_specific_yield": "kWh/kWp, default 700",
        "weights": "table of ranking weights: specific_yield, irr, capacity, self_consumption, lcoe, roof_type, "
                   "retrofit_tce",
        "roof_scores": "table of 0-1 scores by surface type for the roof_type criterion, e.g. { metal_roof = 0.5 }",
    },
    "maps": {"tianditu_key": "key for --tiles tianditu (or set TIANDITU_KEY)"},
    "retrofit": {
        "electricity_cny_per_kwh": "default 0.68 (Hubei general commercial tariffs 0.6-0.75)",
        "gas_cny_per_m3": "default 3.6 (estimate)", "coal_cny_per_kg": "default 1.0 (estimate)",
        "tce_basis": "calorific (default) or generation", "grid_region": "national (default) or central",
        "grid_year": "2021, 2022 or 2023 (default)",
        "gshp": "table of retrofit.gshp.GshpParams fields, e.g. { scop_heating = 3.5 }",
        "ground": "table of retrofit.ground.GroundParams fields, e.g. { conductivity_w_mk = 2.4 } from a "
                  "thermal response test",
        "lighting": "table of retrofit.lighting.LightingParams fields",
        "chiller": "table of retrofit.chillers.ChillerParams fields, e.g. { new_grade = 2 }",
    },
    "weather": {
        "shift": "timing correction: auto (default), none, or hours",
        "closure": "rebuild DNI from GHI and DHI when closure is off by > 2 %: auto (default) or none",
        "station_method": "embedded climatology: nearest (default) or blend",
        "pvgis_url": "PVGIS API base for --weather pvgis (default https://re.jrc.ec.europa.eu/api/v5_3/; "
                     "or set SOLARPLAN_PVGIS_URL)",
        "pvgis_timeout_s": "seconds to wait for PVGIS, default 60 (estimate)",
        "pvgis_refresh": "download again even if the cache has the year (default false)",
        "cache_dir": "cache folder (default ~/.cache/solarplan; or set SOLARPLAN_CACHE_DIR)",
    },
    "surfaces.<type>": {f.name: f"override of SurfaceDefaults.{f.name}" for f in fields(SurfaceDefaults)
                        if f.name != "source"},
}


@dataclass(frozen=True)
class InventoryOptions:
    """Options of the inventory reader (section ``[inventory]``)."""

    column_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    azimuth_convention: str = "pvlib"
    require_china: bool | None = None
    sheet: str | int | None = None
    header_row: int | None = None
    layer: str | None = None
    coords: str = "wgs84"
    geocoder: str = "none"
    geocoder_key: str | None = None


@dataclass(frozen=True)
class PlanConfig:
    """A validated configuration.

    Attributes
    ----------
    surfaces : Mapping[str, SurfaceDefaults]
        Defaults per surface type after overrides.
    inventory : InventoryOptions
    sections : Mapping[str, Mapping[str, Any]]
        The raw, already key-checked sections of later layers.
    source : str
        The file it came from, or ``"defaults"``.
    """

    surfaces: Mapping[str, SurfaceDefaults] = field(default_factory=lambda: MappingProxyType(dict(SURFACE_DEFAULTS)))
    inventory: InventoryOptions = field(default_factory=InventoryOptions)
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    source: str = "defaults"

    def section(self, name: str) -> Mapping[str, Any]:
        """The raw keys given for a later layer's section (empty if absent)."""
        return self.sections.get(name, MappingProxyType({}))


def register_section(name: str, keys: Mapping[str, str]) -> None:
    """Declare the keys of a section owned by another module."""
    CONFIG_KEYS[name] = dict(keys)


def require_known(cls, given: Mapping[str, Any], where: str) -> None:
    """Raise ValueError naming the unknown keys of a config section and the valid ones (a dataclass's fields)."""
    valid = {f.name for f in fields(cls)}
    unknown = set(given) - valid
    if unknown:
        raise ValueError(f"unknown key(s) {sorted(unknown)} in [{where}]; valid: {', '.join(sorted(valid))}")


def _check_keys(where: str, given: Mapping[str, Any], valid: Mapping[str, str], path: str) -> None:
    unknown = sorted(set(given) - set(valid))
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)} in [{where}]; valid: {', '.join(sorted(valid))}")


def load_config(path: str | Path | None = None) -> PlanConfig:
    """Read and validate a plan.toml (or return the defaults for ``None``)."""
    if path is None:
        return PlanConfig()
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return config_from_dict(raw, str(path))


def config_from_dict(raw: Mapping[str, Any], source: str = "<dict>") -> PlanConfig:
    """Validate a parsed TOML document into a :class:`PlanConfig`."""
    known = {k for k in CONFIG_KEYS if "." not in k} | {"surfaces"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown section(s) {', '.join(unknown)}; valid: {', '.join(sorted(known))}")
    surfaces = dict(SURFACE_DEFAULTS)
    for stype, over in dict(raw.get("surfaces", {})).items():
        if stype not in SURFACE_TYPES:
            raise ConfigError(f"{source}: unknown surface type [surfaces.{stype}]; valid: {', '.join(SURFACE_TYPES)}")
        _check_keys(f"surfaces.{stype}", over, CONFIG_KEYS["surfaces.<type>"], source)
        surfaces[stype] = _checked_surface(surfaces[stype].with_overrides(**over), f"{source} [surfaces.{stype}]")
    inv = dict(raw.get("inventory", {}))
    _check_keys("inventory", inv, CONFIG_KEYS["inventory"], source)
    conv = inv.get("azimuth_convention", "pvlib")
    if conv not in ("pvlib", "pvsyst"):
        raise ConfigError(f"{source}: [inventory] azimuth_convention must be \"pvlib\" or \"pvsyst\", not {conv!r}")
    cmap = inv.get("column_map", {})
    if not isinstance(cmap, Mapping) or not all(isinstance(v, str) for v in cmap.values()):
        raise ConfigError(f"{source}: [inventory] column_map must be a table of header = \"canonical_column\"")
    coords = str(inv.get("coords", "wgs84")).lower()
    if coords not in ("wgs84", "cgcs2000", "gcj02", "bd09"):
        raise ConfigError(f"{source}: [inventory] coords must be wgs84, cgcs2000, gcj02 or bd09, not {coords!r}")
    hrow = inv.get("header_row")
    if hrow is not None and (not isinstance(hrow, int) or isinstance(hrow, bool) or hrow < 1):
        raise ConfigError(f"{source}: [inventory] header_row must be a row number >= 1, not {hrow!r}")
    geocoder = str(inv.get("geocoder", "none")).lower()
    if geocoder not in ("none", "tianditu", "gaode"):
        raise ConfigError(f"{source}: [inventory] geocoder must be none, tianditu or gaode, not {geocoder!r}")
    options = InventoryOptions(MappingProxyType(dict(cmap)), conv, inv.get("require_china"), inv.get("sheet"), hrow,
                               inv.get("layer"), coords, geocoder, inv.get("geocoder_key"))
    sections = {}
    for name, keys in raw.items():
        if name in ("surfaces", "inventory"):
            continue
        _check_keys(name, keys, CONFIG_KEYS[name], source)
        sections[name] = MappingProxyType(dict(keys))
    return PlanConfig(MappingProxyType(surfaces), options, MappingProxyType(sections), source)


def _checked_surface(s: SurfaceDefaults, where: str) -> SurfaceDefaults:
    checks = [
        (0 < s.usable_fraction <= 1, "usable_fraction must be in (0, 1]"),
        (s.setback_m >= 0, "setback_m must be >= 0"),
        (0 < s.power_density_w_m2 <= 300, "power_density_w_m2 must be in (0, 300] W/m2"),
        (s.mounting in MOUNTINGS, f"mounting must be one of {', '.join(MOUNTINGS)}"),
        (0 <= s.surface_tilt <= 90, "surface_tilt must be in [0, 90] degrees"),
        (s.surface_azimuth is None or 0 <= s.surface_azimuth <= 360, "surface_azimuth must be in [0, 360]"),
        (0 < s.gcr <= 1, "gcr must be in (0, 1]"),
    ]
    for ok, msg in checks:
        if not ok:
            raise ConfigError(f"{where}: {msg}")
    return s
