"""The settings page's plan.toml: the form's fields, reading them, checking them, writing TOML.

Values are checked by the same code as ``--config plan.toml`` on the command line
(:func:`solarplan.io.config.config_from_dict` and the pipeline's section schemas), so the page shows
the same messages.
"""
from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any

from solarplan.app.pipeline import schemas
from solarplan.core.errors import ConfigError
from solarplan.io.config import PlanConfig, config_from_dict
from solarplan.pv.tariffs import DEFAULT_SCHEDULE


@dataclass(frozen=True)
class Field:
    """One form field: the plan.toml section and key, its kind and labels."""

    section: str
    key: str
    kind: str  # float, int, bool, choice, text
    zh: str
    en: str
    choices: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"


SCHEDULES = ("hubei_2024", "henan_2024", "shanxi_2021", "sichuan_2025", "flat")

FIELDS = (
    Field("weather", "station_method", "choice", "气象站选取", "Climatology station", ("nearest", "blend")),
    Field("economics", "default_tariff_cny_per_kwh", "float", "默认电价（元/kWh）", "Default tariff (CNY/kWh)"),
    Field("economics", "export_price_cny_per_kwh", "float", "上网电价（元/kWh）", "Export price (CNY/kWh)"),
    Field("economics", "discount_rate", "float", "折现率（如 6%）", "Discount rate (e.g. 6%)"),
    Field("economics", "commissioning_date", "text", "投运日期（YYYY-MM-DD）", "Commissioning date (YYYY-MM-DD)"),
    Field("tariffs", "schedule", "choice", "分时电价表", "Time-of-use schedule", SCHEDULES),
    Field("packages", "min_package_mw", "float", "项目包下限（MW）", "Smallest package (MW)"),
    Field("packages", "max_package_mw", "float", "项目包上限（MW）", "Largest package (MW)"),
    Field("packages", "max_sites", "int", "每包最多站点数", "Most sites per package"),
    Field("packages", "max_spread_km", "float", "每包最大跨度（km）", "Largest spread of a package (km)"),
    Field("packages", "min_site_kwp", "float", "站点最小容量（kWp）", "Smallest site (kWp)"),
    Field("packages", "by_district", "bool", "按区县分包", "Packages by district"),
)

#: The weather source is the command line's --weather option, not a plan.toml key.
WEATHER_SOURCES = ("auto", "pvgis")


def _value(f: Field, text: str):
    """Form text -> a TOML value (text the checker will refuse is passed through for its message)."""
    t = text.strip()
    if f.kind == "bool":
        return t.lower() in ("1", "true", "on", "yes")
    if f.kind in ("float", "int"):
        if t.endswith("%"):
            return t
        try:
            x = float(t.replace(",", ""))
        except ValueError:
            return t
        return int(x) if f.kind == "int" and math.isfinite(x) and x == int(x) else x
    return t


def from_form(form: Mapping[str, str], base: Mapping[str, Any]) -> dict:
    """The raw plan.toml document after the form's changes (empty boxes remove the key)."""
    raw = {k: dict(v) for k, v in base.items()}
    for f in FIELDS:
        if f.kind == "bool":
            raw.setdefault(f.section, {})[f.key] = _value(f, form.get(f.name, ""))
            continue
        text = str(form.get(f.name, "") or "")
        if text.strip():
            raw.setdefault(f.section, {})[f.key] = _value(f, text)
        else:
            raw.get(f.section, {}).pop(f.key, None)
    return {k: v for k, v in raw.items() if v}


def check(raw: Mapping[str, Any], source: str = "plan.toml") -> PlanConfig:
    """The checked configuration (raises ConfigError as ``--config`` would)."""
    return config_from_dict(raw, source).check(schemas())


def parse_toml(text: str, source: str = "plan.toml") -> dict:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from None
    check(raw, source)
    return raw


def current(raw: Mapping[str, Any]) -> dict[str, str]:
    """Form values (text) for the fields, from the raw document."""
    out = {}
    for f in FIELDS:
        v = raw.get(f.section, {}).get(f.key)
        if f.kind == "bool":
            out[f.name] = "on" if (v if v is not None else f.key == "by_district") else ""
        else:
            out[f.name] = "" if v is None else str(v)
    return out


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)  # a TOML basic string


def _toml_key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() else json.dumps(k, ensure_ascii=False)


def to_toml(raw: Mapping[str, Any], weather_source: str = "auto") -> str:
    """The document as TOML text (nested tables as [section.key])."""
    lines = ["# plan.toml written by `solarplan serve` (use with: solarplan ... --config plan.toml)",
             f"# weather source of the web runs: --weather {weather_source}", ""]

    def table(prefix: str, d: Mapping[str, Any]):
        flat = {k: v for k, v in d.items() if not isinstance(v, Mapping)}
        nested = {k: v for k, v in d.items() if isinstance(v, Mapping)}
        if flat or not nested:
            lines.append(f"[{prefix}]")
            lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in flat.items())
            lines.append("")
        for k, v in nested.items():
            table(f"{prefix}.{_toml_key(k)}", v)

    for name, d in raw.items():
        if isinstance(d, Mapping):
            table(_toml_key(name), d)
    return "\n".join(lines)


def default_schedule() -> str:
    return DEFAULT_SCHEDULE
