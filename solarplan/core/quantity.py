"""Quantities as planners write them: 6000万kWh, 36万平方米, 5.16兆瓦, 440t, 238吨标准煤, 1.2亿元.

:func:`parse_quantity` returns a value in the base unit of its dimension;
:func:`format_quantity` writes one back in the users' style (``lang='zh'`` uses
万 and 亿; ``'en'`` uses SI prefixes). Text whose unit or multiplier could mean
two things (``5.16M``, ``6000万`` with no unit, ``1.2B``) is rejected with a
message, never guessed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from solarplan.core.errors import ConfigError, InputError

#: base unit of each dimension
BASE = {"energy": "kWh", "power": "kW", "area": "m2", "mass": "t", "coal": "tce", "co2": "t CO2",
        "money": "CNY", "intensity": "kg/kWh"}

# unit spelling (normalised: lower case, no spaces) -> (dimension, factor to base)
UNITS: dict[str, tuple[str, float]] = {
    "kwh": ("energy", 1.0), "千瓦时": ("energy", 1.0), "度": ("energy", 1.0), "kw·h": ("energy", 1.0),
    "kw.h": ("energy", 1.0), "wh": ("energy", 1e-3), "mwh": ("energy", 1e3), "兆瓦时": ("energy", 1e3),
    "gwh": ("energy", 1e6), "吉瓦时": ("energy", 1e6), "twh": ("energy", 1e9),
    "w": ("power", 1e-3), "wp": ("power", 1e-3), "kw": ("power", 1.0), "kwp": ("power", 1.0), "千瓦": ("power", 1.0),
    "mw": ("power", 1e3), "mwp": ("power", 1e3), "兆瓦": ("power", 1e3), "gw": ("power", 1e6), "吉瓦": ("power", 1e6),
    "m2": ("area", 1.0), "m²": ("area", 1.0), "平方米": ("area", 1.0), "平米": ("area", 1.0), "㎡": ("area", 1.0),
    "sqm": ("area", 1.0), "km2": ("area", 1e6), "km²": ("area", 1e6), "平方公里": ("area", 1e6),
    "公顷": ("area", 1e4), "ha": ("area", 1e4), "亩": ("area", 10000.0 / 15.0),
    "t": ("mass", 1.0), "吨": ("mass", 1.0), "kg": ("mass", 1e-3), "千克": ("mass", 1e-3), "公斤": ("mass", 1e-3),
    "tce": ("coal", 1.0), "吨标准煤": ("coal", 1.0), "吨标煤": ("coal", 1.0), "tec": ("coal", 1.0),
    "kgce": ("coal", 1e-3), "千克标准煤": ("coal", 1e-3), "标准煤": ("coal", 1.0),
    "tco2": ("co2", 1.0), "tco₂": ("co2", 1.0), "吨co2": ("co2", 1.0), "吨二氧化碳": ("co2", 1.0),
    "kgco2": ("co2", 1e-3), "tco2e": ("co2", 1.0), "吨二氧化碳当量": ("co2", 1.0),
    "元": ("money", 1.0), "cny": ("money", 1.0), "rmb": ("money", 1.0), "yuan": ("money", 1.0),
    "kg/kwh": ("intensity", 1.0), "kgco2/kwh": ("intensity", 1.0), "g/kwh": ("intensity", 1e-3),
}
MULTIPLIERS = {"": 1.0, "万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6, "十万": 1e5, "千万": 1e7, "万亿": 1e12,
               "thousand": 1e3, "million": 1e6, "billion": 1e9}
AMBIGUOUS_UNITS = {"m": "M could be mega or million: write MW, MWh or 万", "b": "B could mean billion or byte: write 亿",
                   "mm": "MM is ambiguous: write 百万 or million", "": "a unit is needed (kWh, MW, m2, t, tce, 元 ...)"}

_NUMBER = re.compile(r"^\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?)\s*(.*?)\s*$", re.I)


class QuantityError(InputError):
    """Text that is not a quantity, or an ambiguous one."""


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity: ``value`` in ``BASE[dimension]`` units."""

    value: float
    dimension: str
    text: str

    @property
    def unit(self) -> str:
        return BASE[self.dimension]


def _norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", str(text))
    return t.replace(" ", "").replace("\u3000", "").replace("⋅", "·").lower()


def parse_quantity(text: str, expect: str | tuple[str, ...] | None = None) -> Quantity:
    """Parse a written quantity.

    Parameters
    ----------
    text : str
        e.g. ``"6000万kWh"``, ``"6000万千瓦时"``, ``"36万平方米"``, ``"5.16MW"``,
        ``"5.16兆瓦"``, ``"440t"``, ``"238吨标准煤"``, ``"1.2亿元"``, ``"360,000 m2"``.
    expect : str or tuple of str, optional
        Dimension(s) the caller accepts (``energy``, ``power``, ``area``,
        ``mass``, ``coal``, ``co2``, ``money``, ``intensity``). A plain
        ``mass`` (440t) is accepted where ``co2`` or ``coal`` is expected.

    Raises
    ------
    QuantityError
        With a message saying what is wrong and what would be accepted.
    """
    raw = str(text)
    t = _norm(raw)
    m = _NUMBER.match(t)
    if not m:
        raise QuantityError(f"{raw!r} is not a quantity: write a number and a unit, e.g. 6000万kWh, 5.16MW, 36万m2")
    number = float(m.group(1).replace(",", ""))
    rest = m.group(2)
    mult_word = ""
    # the longest multiplier after which a known unit (or nothing) remains: 万千瓦 = 万 + 千瓦,
    # 5千瓦 = 千瓦 (千 + 瓦 is no unit), 12millionkwh = million + kwh
    for word in sorted((w for w in MULTIPLIERS if w), key=len, reverse=True):
        if rest.startswith(word) and (rest[len(word):] in UNITS or rest[len(word):] in AMBIGUOUS_UNITS):
            mult_word, rest = word, rest[len(word):]
            break
    if rest in AMBIGUOUS_UNITS:
        raise QuantityError(f"{raw!r}: {AMBIGUOUS_UNITS[rest]}")
    if rest not in UNITS:
        raise QuantityError(f"{raw!r}: unknown unit {rest!r}; accepted: kWh/千瓦时/度, MW/兆瓦, m2/平方米, "
                            "t/吨, tce/吨标准煤, tCO2/吨二氧化碳, 元/万元/亿元, kg/kWh")
    dim, factor = UNITS[rest]
    q = Quantity(number * MULTIPLIERS[mult_word] * factor, dim, raw)
    if expect is not None:
        allowed = (expect,) if isinstance(expect, str) else tuple(expect)
        if q.dimension == "mass" and ({"co2", "coal"} & set(allowed)):
            q = Quantity(q.value, next(d for d in allowed if d in ("co2", "coal")), raw)
        if q.dimension not in allowed:
            raise QuantityError(f"{raw!r} is {q.dimension} ({BASE[q.dimension]}); expected "
                                f"{' or '.join(allowed)}")
    return q


_EN_PREFIX = {"energy": [(1e9, "TWh"), (1e6, "GWh"), (1e3, "MWh"), (1, "kWh")],
              "power": [(1e6, "GW"), (1e3, "MW"), (1, "kW")]}
_ZH_UNIT = {"energy": "kWh", "power": "kW", "area": "m²", "mass": "t", "coal": "tce", "co2": "t CO2", "money": "元",
            "intensity": "kg/kWh"}


def format_quantity(value: float, dimension: str, lang: str = "zh", digits: int = 4) -> str:
    """Write a base-unit value in the users' style.

    ``zh``: 万/亿 for energy, area, mass, coal, CO2 and money (6000万kWh,
    36万m², 1.2亿元), MW for power (5.16MW). ``en``: SI prefixes (60 GWh,
    5.16 MW) and plain numbers with thousands separators.
    """
    if dimension not in BASE:
        raise ConfigError(f"unknown dimension {dimension!r}; valid: {', '.join(BASE)}")
    v = float(value)

    def num(x):
        return f"{x:,.{digits}g}" if abs(x) < 10 ** digits else f"{x:,.0f}"

    if dimension == "power":
        for scale, unit in _EN_PREFIX["power"]:
            if abs(v) >= scale or scale == 1:
                return f"{num(v / scale)}{'' if lang == 'zh' else ' '}{unit}"
    if lang == "en":
        if dimension == "energy":
            for scale, unit in _EN_PREFIX["energy"]:
                if abs(v) >= scale or scale == 1:
                    return f"{num(v / scale)} {unit}"
        return f"{num(v)} {BASE[dimension]}"
    if lang != "zh":
        raise ConfigError(f"unknown language {lang!r}; valid: zh, en")
    unit = _ZH_UNIT[dimension]
    for scale, word in ((1e8, "亿"), (1e4, "万")):
        if abs(v) >= scale and dimension != "intensity":
            return f"{num(v / scale)}{word}{unit}"
    return f"{num(v)}{unit}"
