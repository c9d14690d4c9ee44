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

One mechanism checks every section: :func:`parse_section` reads the fields of
the frozen dataclass that owns the section (``SystemParams`` for ``[yield]``,
``EconomicParams`` for ``[economics]`` ...), their types and the
:class:`~solarplan.core.limits.Range` in each field's metadata, and refuses
wrong types (``usable_fraction = "0.6"``, ``pvgis_refresh = "no"``),
out-of-range values (``discount_rate = 6``) and unknown keys with a message that
names the key, the value and what is accepted. The app layer maps sections to
their dataclasses (``solarplan.app.pipeline.SCHEMAS``) and checks them all when
the file is loaded; calculation modules only declare their fields.

To add a parameter: add a field to the dataclass with a default, a numpydoc
line with its unit and source, and ``metadata=accepts(lo, hi, unit=...)``.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import json
import math
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from solarplan.core.defaults import SURFACE_DEFAULTS, SURFACE_TYPES, SurfaceDefaults
from solarplan.core.errors import ConfigError
from solarplan.core.limits import Range, accepts, range_of

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
        "export_price_cny_per_kwh": "projects from 2025-06-01 (market, 发改价格〔2025〕136号), default 0.30 (estimate)",
        "export_price_existing_cny_per_kwh": "projects before 2025-06-01, default 0.4161 (Hubei coal benchmark)",
        "commissioning_date": "ISO date the projects start, default 2026-06-30 (estimate)",
        "export_price_sensitivity": "export prices of the sensitivity rows, default [0.20, 0.30, 0.4161]",
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
    "tariffs": {
        "schedule": "time-of-use schedule: hubei_2024 (default), henan_2024, shanxi_2021, sichuan_2025, flat",
        "schedule_file": "CSV of your schedule (columns months, period, hours, ratio)",
        "floating_share": "share of the flat price the ratios apply to (default: the schedule's; Hubei 0.556)",
        "periods": "your schedule inline: [{ months = \"1-12\", period = \"flat\", hours = \"0-24\", ratio = 1 }]",
    },
    "grid": {
        "province": "province of sites without a province column, default 湖北",
        "mode": "grid mode of every site: surplus_export (default) or self_use_only; full_export is refused",
        "spot_market": "a spot market runs (大型工商业 may sell surplus), default false",
        "zero_export": "every site is zero-export (防逆流) unless its zero_export column says otherwise",
        "size_to_load": "size zero-export sites to max_curtailment_share (also --size-to-load)",
        "max_curtailment_share": "target curtailment of sized sites, default 0.05",
        "min_share_table": "CSV of provincial minimum self-consumption shares (default shipped table)",
        "min_self_consumption_share": "one minimum for every site, overriding the table",
        "transformer_cap_share": "PV kWp allowed per transformer kVA, default 0.8 (estimate)",
        "hosting_table": "CSV of open hosting capacity: grid_area, open_capacity_kw[, zone]",
        "load_profile_dir": "folder of relative load_profile_file paths",
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
        "closure": "reading of a file whose closure is off by > 2 %: auto (default; beam and diffuse trusted, GHI "
                   "recomputed, where they fall short of GHI), components, ghi (GHI trusted, DNI rebuilt) or none",
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

    column_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}),
                                          metadata={"open_keys": True})
    azimuth_convention: str = field(default="pvlib", metadata=accepts(choices=("pvlib", "pvsyst")))
    require_china: bool | None = None
    sheet: str | None = None
    header_row: int | None = field(default=None, metadata=accepts(1, None))
    layer: str | None = None
    coords: str = field(default="wgs84", metadata=accepts(choices=("wgs84", "cgcs2000", "gcj02", "bd09")))
    geocoder: str = field(default="none", metadata=accepts(choices=("none", "tianditu", "gaode")))
    geocoder_key: str | None = None


@dataclass(frozen=True)
class MapOptions:
    """Options of the map (section ``[maps]``)."""

    tianditu_key: str | None = None


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

    def typed(self, name: str, cls):
        """Section ``name`` checked and built into ``cls`` by :func:`parse_section`."""
        return parse_section(cls, self.section(name), f"{self.source}: [{name}]")

    def check(self, schemas: Mapping[str, type]) -> "PlanConfig":
        """Check every section that has a schema (section -> dataclass); return self."""
        for name, cls in schemas.items():
            self.typed(name, cls)
        return self


def register_section(name: str, keys: Mapping[str, str]) -> None:
    """Declare the keys of a section owned by another module."""
    CONFIG_KEYS[name] = dict(keys)


# ---------------------------------------------------------------------------------------------
# One mechanism for every section: the owning dataclass's field types and ranges.

def _show(v) -> str:
    """A value as it would be written in TOML."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (int, float)):
        return f"{v:.6g}" if isinstance(v, float) else str(v)
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{k} = {_show(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    return repr(v)


class _Bad(Exception):
    """Internal: a value of the wrong kind; message says what is accepted."""


def _type_words(tp) -> str:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_words(a) for a in args if a is not type(None))
    return {bool: "true or false (a TOML boolean, without quotes)", int: "a whole number", float: "a number",
            str: "text in quotes", Path: "a path in quotes", tuple: "an array of numbers, e.g. [0.8, 1.25]"}.get(
        tp, "a table { key = value }" if origin in (dict, collections.abc.Mapping) or dataclasses.is_dataclass(tp)
        else str(tp))


def _scalar(v, tp, rng: Range | None):
    if tp is Any or tp is object:
        return v
    if tp is bool:
        if isinstance(v, bool):
            return v
        raise _Bad(_type_words(bool))
    if tp is int:
        if isinstance(v, bool):
            raise _Bad(_type_words(int))
        if isinstance(v, int):
            return v
        if isinstance(v, float) and math.isfinite(v) and v == int(v):
            return int(v)
        raise _Bad(_type_words(int) + (" without quotes" if isinstance(v, str) else ""))
    if tp is float:
        if isinstance(v, bool):
            raise _Bad(_type_words(float))
        if isinstance(v, (int, float)):
            if not math.isfinite(float(v)):
                raise _Bad("a finite number")
            return float(v)
        if isinstance(v, str) and rng is not None and rng.fraction and v.strip().endswith("%"):
            try:
                return float(v.strip()[:-1]) / 100.0
            except ValueError:
                pass
        raise _Bad("a number" + (" without quotes" if isinstance(v, str) else "") +
                   (' (or a percentage as text, "6%")' if rng is not None and rng.fraction else ""))
    if tp is str:
        if isinstance(v, str):
            return v
        raise _Bad(_type_words(str))
    if tp is Path:
        if isinstance(v, str) and v.strip():
            return Path(v)
        raise _Bad(_type_words(Path))
    raise _Bad(_type_words(tp))


def _coerce(v, tp, rng: Range | None, default, open_keys: bool, where: str, key: str):
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if v is None and len(options) < len(args):
            return None
        errors = []
        for a in options:
            try:
                return _coerce(v, a, rng, default, open_keys, where, key)
            except _Bad as exc:
                errors.append(str(exc))
        raise _Bad(" or ".join(dict.fromkeys(errors)))
    if dataclasses.is_dataclass(tp):
        if not isinstance(v, Mapping):
            raise _Bad(f"a table of {tp.__name__} fields")
        sub = f"{where[:-1]}.{key}]" if where.endswith("]") else f"{where}.{key}"
        return parse_section(tp, v, sub, base=default if dataclasses.is_dataclass(default) else None)
    if origin in (dict, collections.abc.Mapping) or tp in (dict, Mapping):
        if not isinstance(v, Mapping):
            raise _Bad("a table { key = value }")
        vt = args[1] if len(args) == 2 else Any
        base = dict(default) if isinstance(default, Mapping) else {}
        if base and not open_keys:
            unknown = sorted(set(map(str, v)) - set(base))
            if unknown:
                raise _Bad(f"a table whose keys are among {', '.join(base)} (unknown: {', '.join(unknown)})")
        out = {}
        for k, x in v.items():
            out[str(k)] = _checked(x, vt, rng, None, False, where, f"{key}.{k}")
        return MappingProxyType(out if open_keys else {**base, **out})
    if tp is tuple or origin is tuple:
        if not isinstance(v, (list, tuple)):
            raise _Bad(_type_words(tuple))
        et = args[0] if args else float
        return tuple(_checked(x, et, rng, None, False, where, f"{key}[{i}]") for i, x in enumerate(v))
    return _scalar(v, tp, rng)


def _checked(v, tp, rng, default, open_keys, where, key):
    """Coerce one value and check its range; raise ConfigError naming key, value and what is accepted."""
    try:
        out = _coerce(v, tp, rng, default, open_keys, where, key)
    except _Bad as exc:
        raise ConfigError(f"{where} {key} = {_show(v)} is not accepted; give {exc}") from None
    scalar = isinstance(out, (int, float, str)) and not isinstance(out, bool)
    if rng is not None and scalar and not rng.contains(out):
        what = "is not accepted" if rng.choices is not None else "is out of range"
        hint = rng.hint(v) if isinstance(v, (int, float)) else ""
        raise ConfigError(f"{where} {key} = {_show(v)} {what}; accepted: {rng.describe()}{hint}")
    return out


def parse_section(cls, mapping, where: str, base=None):
    """Check a config table against dataclass ``cls`` and build it.

    Parameters
    ----------
    cls : dataclass type
        The section's owner; its fields are the valid keys, their annotations the
        accepted types, ``field(metadata=accepts(...))`` the accepted ranges and
        ``metadata={"open_keys": True}`` marks a table whose keys are free (a
        table field with a non-empty default otherwise takes only the default's
        keys and is merged over it).
    mapping : Mapping
        The parsed TOML table (may be empty).
    where : str
        Label for messages, e.g. ``"plan.toml: [economics]"``.
    base : instance of cls, optional
        Values for keys not given (default: the dataclass defaults).

    Raises
    ------
    ConfigError
        Unknown key, wrong type or out-of-range value, naming the key, the value
        and what is accepted; or the dataclass's own consistency check failing.
    """
    if not isinstance(mapping, Mapping):
        raise ConfigError(f"{where} must be a table of key = value lines, not {_show(mapping)} "
                          "(an array of tables [[...]] is not accepted)")
    flds = {f.name: f for f in fields(cls) if f.init}
    hints = typing.get_type_hints(cls)
    # a field marked {"flatten": True} takes its own fields' keys from this table
    flat = {f.name: hints[f.name] for f in flds.values() if f.metadata and f.metadata.get("flatten")}
    flat_keys = {k: name for name, tp in flat.items() for k in (g.name for g in fields(tp) if g.init)}
    valid = (set(flds) - set(flat)) | set(flat_keys)
    unknown = sorted(set(map(str, mapping)) - valid)
    if unknown:
        raise ConfigError(f"{where} unknown key(s) {', '.join(unknown)}; valid: {', '.join(sorted(valid))}")
    kwargs = {}
    for name, tp in flat.items():
        given = {k: v for k, v in mapping.items() if flat_keys.get(k) == name}
        kwargs[name] = parse_section(tp, given, where, base=getattr(base, name) if base is not None else None)
    for key, v in mapping.items():
        if key in flat_keys:
            continue
        f = flds[key]
        if base is not None:
            default = getattr(base, key)
        elif f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        kwargs[key] = _checked(v, hints.get(key, Any), range_of(f), default,
                               bool(f.metadata.get("open_keys")) if f.metadata else False, where, key)
    try:
        return dataclasses.replace(base, **kwargs) if base is not None else cls(**kwargs)
    except ConfigError as exc:
        raise ConfigError(f"{where} {exc}") from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where} {exc}") from None


def load_config(path: str | Path | None = None, schemas: Mapping[str, type] | None = None) -> PlanConfig:
    """Read and validate a plan.toml (or return the defaults for ``None``).

    ``schemas`` (section -> dataclass) checks those sections now, so a bad value
    is reported before any work starts (the app passes its ``SCHEMAS``).
    """
    if path is None:
        return PlanConfig()
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a folder; give a plan.toml file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    cfg = config_from_dict(raw, str(path))
    return cfg.check(schemas) if schemas else cfg


def config_from_dict(raw: Mapping[str, Any], source: str = "<dict>") -> PlanConfig:
    """Validate a parsed TOML document into a :class:`PlanConfig`."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: the document must be a set of [sections], not {_show(raw)}")
    known = {k for k in CONFIG_KEYS if "." not in k} | {"surfaces"}
    for name, value in raw.items():
        if not isinstance(value, Mapping):
            hint = (f"; put it under its section, e.g. [{_owner(name)}]" if _owner(name) else "")
            what = "an array of tables [[...]]" if isinstance(value, list) and value and \
                isinstance(value[0], Mapping) else f"the value {_show(value)}"
            raise ConfigError(f"{source}: {name} is {what} outside any [section]{hint}; "
                              f"valid sections: {', '.join(sorted(known))}")
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown section(s) {', '.join(unknown)}; valid: {', '.join(sorted(known))}")
    surfaces = dict(SURFACE_DEFAULTS)
    for stype, over in dict(raw.get("surfaces", {})).items():
        if stype not in SURFACE_TYPES:
            raise ConfigError(f"{source}: unknown surface type [surfaces.{stype}]; valid: {', '.join(SURFACE_TYPES)}")
        over = dict(over) if isinstance(over, Mapping) else over
        if isinstance(over, dict) and "source" in over:
            raise ConfigError(f"{source}: [surfaces.{stype}] source cannot be set; valid: "
                              f"{', '.join(k for k in CONFIG_KEYS['surfaces.<type>'])}")
        surfaces[stype] = parse_section(SurfaceDefaults, over, f"{source}: [surfaces.{stype}]", base=surfaces[stype])
    options = parse_section(InventoryOptions, raw.get("inventory", {}), f"{source}: [inventory]")
    sections = {}
    for name, keys in raw.items():
        if name in ("surfaces", "inventory"):
            continue
        unknown = sorted(set(keys) - set(CONFIG_KEYS[name]))
        if unknown and name not in _TYPED_ELSEWHERE:
            raise ConfigError(f"{source}: [{name}] unknown key(s) {', '.join(unknown)}; "
                              f"valid: {', '.join(sorted(CONFIG_KEYS[name]))}")
        sections[name] = MappingProxyType(dict(keys))
    cfg = PlanConfig(MappingProxyType(surfaces), options, MappingProxyType(sections), source)
    cfg.typed("maps", MapOptions)
    return cfg


#: Sections whose keys are checked by their dataclass (SCHEMAS of the app) rather than CONFIG_KEYS.
_TYPED_ELSEWHERE = ("yield", "economics", "packages", "retrofit", "weather", "tariffs", "grid")


def _owner(key: str) -> str | None:
    for sec, keys in CONFIG_KEYS.items():
        if key in keys and "." not in sec:
            return sec
    return None
