"""Quantities as planners write them: 6000万kWh, 36万平方米, 5.16兆瓦, 440t, 238吨标准煤, 1.2亿元.

:func:`parse_quantity` returns a value in the base unit of its dimension;
:func:`parse_value` reads one cell of a register (约1500, 1,500, 4200㎡, 0.6万,
1.2万㎡, full-width digits) given the unit its column header states;
:func:`parse_unit` reads such a header unit (㎡, 万平方米, 万千瓦时, MW, 万元);
:func:`parse_coordinate` reads decimal or degrees-minutes-seconds coordinates;
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
        "money": "CNY", "intensity": "kg/kWh", "tariff": "CNY/kWh"}

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
# electricity prices: 元 or 分 per kWh, 千瓦时 or 度 (分 = 0.01 元)
UNITS.update({f"{num}{sep}{per}": ("tariff", f) for num, f in (("元", 1.0), ("cny", 1.0), ("rmb", 1.0),
                                                                 ("分", 0.01))
              for sep in ("/", "每") for per in ("kwh", "千瓦时", "度", "度电", "kw·h", "kw.h")})
#: A cell's unit that names only the numerator of its column's unit, read in that column's unit:
#: ``0.6元`` in an 电价（元/kWh） column is 0.6 元/kWh (people leave out the "per kWh" the header states).
NUMERATOR_UNITS = {"tariff": {"元": 1.0, "cny": 1.0, "rmb": 1.0, "yuan": 1.0}}
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
            "intensity": "kg/kWh", "tariff": "元/kWh"}


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
        if abs(v) >= scale and dimension not in ("intensity", "tariff"):
            return f"{num(v / scale)}{word}{unit}"
    return f"{num(v)}{unit}"


#: Words that mark a value as approximate (kept, and flagged by the caller).
APPROX_PREFIXES = ("大约", "大概", "约合", "约", "近", "~", "≈", "about", "approx.", "approx", "ca.")
APPROX_SUFFIXES = ("左右", "上下", "余", "多", "以上")


@dataclass(frozen=True)
class Value:
    """A parsed register cell: ``value`` in the column's base unit; ``approximate`` if written as 约/左右."""

    value: float
    approximate: bool


def parse_unit(text: str, dimension: str) -> float:
    """Factor from a unit written in a header (``㎡``, ``万平方米``, ``万千瓦时``, ``MW``, ``万元``) to the base unit.

    Raises
    ------
    QuantityError
        When the unit is unknown or of another dimension (``kWh`` in an area header).
    """
    t = _norm(text)
    if t in MULTIPLIERS:  # a bare multiplier: (万) means "in units of 10,000"
        return MULTIPLIERS[t]
    if t in NUMERATOR_UNITS.get(dimension, {}):  # 电价（元）: 元 per kWh
        return NUMERATOR_UNITS[dimension][t]
    return parse_quantity("1" + t, expect=dimension).value


def parse_value(text, dimension: str | None = None, unit_factor: float = 1.0) -> Value:
    """Parse one cell as people write it.

    Parameters
    ----------
    text : str or number
        ``1500``, ``约1500``, ``1500左右``, ``1,500``, ``4200㎡``, ``1200平方米``, ``0.6万``, ``1.2万㎡``,
        ``６０``, ``60%``; in a tariff column ``0.6元``, ``0.6元/kWh``, ``0.6元/度``, ``60分/千瓦时``
        (:data:`NUMERATOR_UNITS`). A number with its own unit is converted to the base unit of ``dimension``
        and ``unit_factor`` is not applied; a bare number (or one with only 万/亿) is multiplied by it.
    dimension : str, optional
        The column's dimension (``area``, ``energy``, ``power``, ``money`` ...); a unit of another
        dimension is an error. None: the value may carry no unit.
    unit_factor : float
        Base units per unit stated in the column header (1e4 for ``年用电量（万千瓦时）``).

    Raises
    ------
    QuantityError
        Text that is not such a value; the message quotes it.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return Value(float(text) * unit_factor, False)
    raw = str(text)
    t = _norm(raw)
    approx = False
    for word in APPROX_PREFIXES:
        if t.startswith(word):
            t, approx = t[len(word):], True
            break
    for word in APPROX_SUFFIXES:
        if t.endswith(word) and len(t) > len(word):
            t, approx = t[:-len(word)], True
            break
    scale = 1.0
    if t.endswith("%"):
        t, scale = t[:-1], 0.01
    m = _NUMBER.match(t)
    if not m:
        raise QuantityError(f"{raw!r} is not a number")
    number = float(m.group(1).replace(",", "")) * scale
    rest = m.group(2)
    if rest == "":
        return Value(number * unit_factor, approx)
    if rest in MULTIPLIERS:
        return Value(number * MULTIPLIERS[rest] * unit_factor, approx)
    if rest in NUMERATOR_UNITS.get(dimension, {}):
        return Value(number * NUMERATOR_UNITS[dimension][rest], approx)
    if dimension is None:
        raise QuantityError(f"{raw!r} is not a number (unexpected unit {rest!r})")
    try:
        q = parse_quantity(m.group(1) + rest, expect=dimension)
    except QuantityError as exc:
        raise QuantityError(f"{raw!r} is not a number of {BASE[dimension]}: {exc}") from None
    return Value(q.value * scale, approx)


_DMS = re.compile(r"^([nsew东西南北]?)(?:东经|西经|北纬|南纬)?\s*(\d+(?:\.\d+)?)\s*(?:°|度|d)\s*"
                  r"(?:(\d+(?:\.\d+)?)\s*(?:'|′|分|m)\s*)?(?:(\d+(?:\.\d+)?)\s*(?:\"|″|''|秒|s)?\s*)?([nsew东西南北]?)$")


def parse_coordinate(text) -> float:
    """Degrees from ``110.4258``, ``110°25'33"``, ``110度25分33秒``, ``E110°25′33″``, ``北纬32°36′``.

    South and west (``S``, ``W``, 南纬, 西经) give negative values.

    Raises
    ------
    QuantityError
        Text that is neither decimal degrees nor degrees-minutes-seconds, or minutes/seconds >= 60.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    raw = str(text)
    t = _norm(raw)
    try:
        return float(t)
    except ValueError:
        pass
    sign = -1.0 if any(w in t for w in ("南纬", "西经")) else 1.0
    t = t.replace("东经", "").replace("北纬", "").replace("南纬", "").replace("西经", "")
    t = t.replace("′′", '"').replace("″", '"').replace("′", "'").replace("''", '"').replace("º", "°")
    m = _DMS.match(t)
    if not m:
        raise QuantityError(f"{raw!r} is not a coordinate: write decimal degrees (110.4258) or "
                            "degrees-minutes-seconds (110°25'33\\\")")
    hemi = (m.group(1) or m.group(5) or "")
    if hemi in ("s", "w", "南", "西"):
        sign = -1.0
    deg, mins, secs = float(m.group(2)), float(m.group(3) or 0), float(m.group(4) or 0)
    if mins >= 60 or secs >= 60:
        raise QuantityError(f"{raw!r}: minutes and seconds must be below 60")
    return sign * (deg + mins / 60.0 + secs / 3600.0)
