"""Words planners use, mapped to solarplan's canonical values.

Pure functions and tables: header aliases (Chinese and English), category and
surface-type words, and azimuth words. Nothing here reads files.
"""
from __future__ import annotations

import math
import re
import unicodedata

from solarplan.core.errors import ConfigError, InputError
from solarplan.core.defaults import CATEGORIES, SURFACE_TYPES

#: Canonical inventory columns and the header spellings accepted for them.
#: Matching ignores case, spaces, underscores, hyphens and brackets.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "site_id": ("site_id", "site", "编号", "单位编号", "机构编号", "site code", "institution_id"),
    "surface_id": ("surface_id", "surface", "屋顶编号", "面编号", "roof_id", "子项编号"),
    "name": ("name", "site_name", "名称", "单位名称", "机构名称", "项目名称"),
    "category": ("category", "类型", "单位类型", "机构类型", "类别", "institution_type"),
    "surface_type": ("surface_type", "屋顶类型", "表面类型", "安装类型", "roof_type"),
    "lat": ("lat", "latitude", "纬度", "y_wgs84"),
    "lon": ("lon", "lng", "long", "longitude", "经度", "x_wgs84"),
    "area_m2": ("area_m2", "area", "屋顶面积", "面积", "屋顶面积m2", "面积m2", "roof_area_m2", "gross_area_m2"),
    "surface_tilt": ("surface_tilt", "tilt", "倾角", "安装倾角", "坡度"),
    "surface_azimuth": ("surface_azimuth", "azimuth", "方位角", "朝向"),
    "usable_fraction": ("usable_fraction", "可用比例", "可利用率"),
    "capacity_kwp": ("capacity_kwp", "装机容量kwp", "装机容量", "容量kwp"),
    "annual_load_kwh": ("annual_load_kwh", "年用电量kwh", "年用电量", "用电量"),
    "tariff_cny_per_kwh": ("tariff_cny_per_kwh", "电价", "电价元kwh", "tariff"),
    "district": ("district", "区县", "所在区", "行政区"),
    "floor_area_m2": ("floor_area_m2", "建筑面积", "建筑面积m2", "floor_area"),
    "occupants": ("occupants", "用能人数", "人数", "在编人数"),
    "geometry": ("geometry", "wkt", "geom", "几何"),
}

CATEGORY_WORDS: dict[str, str] = {
    "agency": "agency", "government": "agency", "党政机关": "agency", "机关": "agency", "政府": "agency",
    "行政机关": "agency", "事业单位": "agency",
    "school": "school", "学校": "school", "中学": "school", "小学": "school", "大学": "school",
    "高校": "school", "幼儿园": "school", "教育": "school",
    "hospital": "hospital", "医院": "hospital", "卫生院": "hospital", "医疗": "hospital",
    "venue": "venue", "场馆": "venue", "体育馆": "venue", "文化馆": "venue", "图书馆": "venue", "博物馆": "venue",
    "soe": "soe", "state_firm": "soe", "国有企业": "soe", "国企": "soe", "央企": "soe",
    "other": "other", "其他": "other", "其它": "other",
}

SURFACE_WORDS: dict[str, str] = {
    "flat_roof": "flat_roof", "flat": "flat_roof", "平屋顶": "flat_roof", "平顶": "flat_roof",
    "混凝土屋顶": "flat_roof", "平屋面": "flat_roof",
    "pitched_roof": "pitched_roof", "pitched": "pitched_roof", "坡屋顶": "pitched_roof", "坡屋面": "pitched_roof",
    "瓦屋顶": "pitched_roof",
    "metal_roof": "metal_roof", "metal": "metal_roof", "彩钢瓦": "metal_roof", "彩钢": "metal_roof",
    "彩钢板": "metal_roof", "金属屋面": "metal_roof", "钢结构屋面": "metal_roof",
    "carport": "carport", "车棚": "carport", "停车场": "carport", "车库顶": "carport", "光伏车棚": "carport",
    "parking": "carport",
}

# compass words -> azimuth, pvlib convention (degrees clockwise from north, 180 = south)
_COMPASS: dict[str, float] = {
    "北": 0.0, "东北": 45.0, "东": 90.0, "东南": 135.0, "南": 180.0, "西南": 225.0, "西": 270.0, "西北": 315.0,
    "n": 0.0, "ne": 45.0, "e": 90.0, "se": 135.0, "s": 180.0, "sw": 225.0, "w": 270.0, "nw": 315.0,
    "north": 0.0, "northeast": 45.0, "east": 90.0, "southeast": 135.0, "south": 180.0,
    "southwest": 225.0, "west": 270.0, "northwest": 315.0,
}
_DEVIATION = re.compile(r"^([东南西北])偏([东南西北])(\d+(?:\.\d+)?)°?度?$")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s_\-()（）\[\]【】/²]", "", text)


_HEADER_LOOKUP = {_key(alias): canon for canon, aliases in HEADER_ALIASES.items() for alias in aliases}


def canonical_header(header: str) -> str | None:
    """Return the canonical column for a header spelling, or None if unknown."""
    return _HEADER_LOOKUP.get(_key(header))


def _lookup(value, table: dict[str, str], valid: tuple[str, ...], what: str) -> str:
    key = _key(value)
    norm = {_key(w): canon for w, canon in table.items()}
    if key in norm:
        return norm[key]
    # longest word contained in the text (e.g. "十堰市第一中学" -> 中学 -> school)
    hits = [w for w in norm if w and not w.isascii() and w in key]
    if hits:
        return norm[max(hits, key=len)]
    raise InputError(f"unknown {what} {value!r}; accepted: {', '.join(valid)} or Chinese words such as "
                     + ", ".join(w for w in table if not w.isascii())[:120])


def parse_category(value) -> str:
    """Map a category word (English or Chinese) to one of :data:`CATEGORIES`."""
    return _lookup(value, CATEGORY_WORDS, CATEGORIES, "category")


def parse_surface_type(value) -> str:
    """Map a surface-type word (English or Chinese) to one of :data:`SURFACE_TYPES`."""
    return _lookup(value, SURFACE_WORDS, SURFACE_TYPES, "surface_type")


def parse_azimuth(value, convention: str = "pvlib") -> float:
    """Parse an azimuth given as a number or a compass word.

    Parameters
    ----------
    value : float or str
        Degrees, or words: ``南``, ``正南``, ``东南``, ``south``, ``SE``,
        ``南偏东15`` (15 deg from south towards east = 165).
    convention : {'pvlib', 'pvsyst'}
        How *numbers* are read: pvlib measures clockwise from north
        (180 = south); PVsyst measures from south, positive towards west
        (0 = south, -90 = east). Words are unambiguous and ignore this.

    Returns
    -------
    float
        Azimuth [degrees] in the pvlib convention, in [0, 360).
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().lower().replace("正", "")
        text = text.replace("°", "").replace("度", "")
        if text in _COMPASS:
            return _COMPASS[text]
        match = _DEVIATION.match(text)
        if match:
            base, toward, deg = match.group(1), match.group(2), float(match.group(3))
            start, target = _COMPASS[base], _COMPASS[toward]
            diff = (target - start + 540.0) % 360.0 - 180.0
            if abs(abs(diff) - 90.0) > 1e-9 or deg > 90:
                raise InputError(f"azimuth {value!r}: deviation must be towards a neighbouring direction, <= 90 deg")
            return (start + math.copysign(deg, diff)) % 360.0
        try:
            number = float(text)
        except ValueError:
            raise InputError(f"azimuth {value!r} is neither a number of degrees nor a direction word "
                             "(南, 东南, south, SE, 南偏东15 ...)") from None
    if not math.isfinite(number):
        raise InputError(f"azimuth {value!r} is not a finite number")
    if convention == "pvsyst":
        if not -180.0 <= number <= 180.0:
            raise InputError(f"azimuth {value!r} out of range for the PVsyst convention (-180..180, 0 = south)")
        return (number + 180.0) % 360.0
    if convention != "pvlib":
        raise ConfigError(f"unknown azimuth convention {convention!r}; valid: pvlib, pvsyst")
    if not 0.0 <= number <= 360.0:
        raise InputError(f"azimuth {value!r} out of range 0..360 (pvlib convention, 180 = south)")
    return number % 360.0
