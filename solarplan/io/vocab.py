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
    "site_id": ("site_id", "site", "编号", "单位编号", "机构编号", "site code", "institution_id", "单位代码",
                "统一社会信用代码", "机构代码"),
    "surface_id": ("surface_id", "surface", "屋顶编号", "面编号", "roof_id", "子项编号"),
    "row_no": ("序号", "no.", "no", "row_no", "序"),
    "name": ("name", "site_name", "名称", "单位名称", "机构名称", "项目名称", "公共机构名称", "单位全称"),
    "category": ("category", "类型", "单位类型", "机构类型", "类别", "institution_type", "单位性质", "单位类别"),
    "surface_type": ("surface_type", "屋顶类型", "表面类型", "安装类型", "roof_type", "屋面类型", "屋顶形式",
                     "屋面形式", "屋顶结构"),
    "lat": ("lat", "latitude", "纬度", "y_wgs84", "北纬"),
    "lon": ("lon", "lng", "long", "longitude", "经度", "x_wgs84", "东经"),
    "address": ("address", "地址", "详细地址", "单位地址", "所在地址", "所在地", "地点", "坐落", "坐落位置",
                "建设地点", "项目地址"),
    "area_m2": ("area_m2", "area", "屋顶面积", "面积", "屋顶面积m2", "面积m2", "roof_area_m2", "gross_area_m2",
                "屋顶可利用面积", "可利用面积", "屋面面积", "屋面可利用面积", "可安装面积", "屋顶可用面积",
                "可用面积", "屋顶可安装面积"),
    "area_m2@carport": ("车棚面积", "车棚可利用面积", "停车场面积", "停车场可利用面积", "可建车棚面积",
                        "车棚可安装面积", "停车位面积", "carport_area_m2"),
    "area_m2@metal_roof": ("彩钢瓦面积", "彩钢瓦屋面面积", "金属屋面面积", "metal_roof_area_m2"),
    "area_m2@pitched_roof": ("坡屋面面积", "坡屋顶面积", "pitched_roof_area_m2"),
    "area_m2@flat_roof": ("平屋面面积", "平屋顶面积", "flat_roof_area_m2"),
    "surface_tilt": ("surface_tilt", "tilt", "倾角", "安装倾角", "坡度", "屋面坡度"),
    "surface_azimuth": ("surface_azimuth", "azimuth", "方位角", "朝向"),
    "usable_fraction": ("usable_fraction", "可用比例", "可利用率", "可利用比例"),
    "capacity_kwp": ("capacity_kwp", "装机容量kwp", "装机容量", "容量kwp", "拟装机容量", "可装机容量", "装机规模"),
    "annual_load_kwh": ("annual_load_kwh", "年用电量kwh", "年用电量", "用电量", "年耗电量", "全年用电量"),
    "tariff_cny_per_kwh": ("tariff_cny_per_kwh", "电价", "电价元kwh", "tariff", "平均电价"),
    "investment_cny": ("investment_cny", "投资", "估算投资", "投资估算", "总投资"),
    "district": ("district", "区县", "所在区", "行政区", "所属区县", "县市区", "所在区县"),
    "floor_area_m2": ("floor_area_m2", "建筑面积", "建筑面积m2", "floor_area", "总建筑面积"),
    "occupants": ("occupants", "用能人数", "人数", "在编人数"),
    "geometry": ("geometry", "wkt", "geom", "几何"),
}

CATEGORY_WORDS: dict[str, str] = {
    "agency": "agency", "government": "agency", "党政机关": "agency", "机关": "agency", "政府": "agency",
    "行政机关": "agency", "事业单位": "agency", "人大": "agency", "政协": "agency", "法院": "agency",
    "检察院": "agency", "公安": "agency", "派出所": "agency", "办公楼": "agency", "委员会": "agency", "教育局": "agency", "政务服务中心": "agency", "政务中心": "agency",
    "卫生健康局": "agency", "卫健局": "agency", "文化和旅游局": "agency", "体育局": "agency",
    "school": "school", "学校": "school", "中学": "school", "小学": "school", "大学": "school",
    "高校": "school", "幼儿园": "school", "教育": "school", "职业技术学校": "school", "职业学校": "school",
    "职校": "school", "技校": "school", "学院": "school", "中专": "school", "高中": "school", "初中": "school",
    "hospital": "hospital", "医院": "hospital", "卫生院": "hospital", "医疗": "hospital", "疾控中心": "hospital",
    "疾病预防控制中心": "hospital", "妇幼保健院": "hospital", "保健院": "hospital", "卫生服务中心": "hospital",
    "卫生室": "hospital",
    "venue": "venue", "场馆": "venue", "体育馆": "venue", "文化馆": "venue", "图书馆": "venue", "博物馆": "venue",
    "文化场馆": "venue", "体育场馆": "venue", "科技馆": "venue", "展览馆": "venue", "美术馆": "venue",
    "文体": "venue", "体育中心": "venue",
    "soe": "soe", "state_firm": "soe", "国有企业": "soe", "国企": "soe", "央企": "soe",
    "other": "other", "其他": "other", "其它": "other",
}

SURFACE_WORDS: dict[str, str] = {
    "flat_roof": "flat_roof", "flat": "flat_roof", "平屋顶": "flat_roof", "平顶": "flat_roof",
    "混凝土屋顶": "flat_roof", "平屋面": "flat_roof", "混凝土屋面": "flat_roof", "钢筋混凝土": "flat_roof",
    "混凝土": "flat_roof", "现浇屋面": "flat_roof", "平台": "flat_roof",
    "pitched_roof": "pitched_roof", "pitched": "pitched_roof", "坡屋顶": "pitched_roof", "坡屋面": "pitched_roof",
    "瓦屋顶": "pitched_roof", "瓦屋面": "pitched_roof", "琉璃瓦": "pitched_roof", "斜屋面": "pitched_roof",
    "metal_roof": "metal_roof", "metal": "metal_roof", "彩钢瓦": "metal_roof", "彩钢": "metal_roof",
    "彩钢板": "metal_roof", "金属屋面": "metal_roof", "钢结构屋面": "metal_roof", "彩钢瓦屋面": "metal_roof",
    "金属": "metal_roof", "钢结构": "metal_roof",
    "carport": "carport", "车棚": "carport", "停车场": "carport", "车库顶": "carport", "光伏车棚": "carport",
    "parking": "carport", "停车棚": "carport",
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


_NORM_CACHE: dict[int, dict[str, str]] = {}


def _lookup(value, table: dict[str, str], valid: tuple[str, ...], what: str) -> str:
    key = _key(value)
    norm = _NORM_CACHE.get(id(table))
    if norm is None:  # built once per table, not per lookup
        norm = _NORM_CACHE[id(table)] = {_key(w): canon for w, canon in table.items()}
    if key in norm:
        return norm[key]
    # longest word contained in the text (e.g. "十堰市第一中学" -> 中学 -> school)
    hits = [w for w in norm if w and not w.isascii() and w in key]
    if hits:
        return norm[max(hits, key=len)]
    raise InputError(f"unknown {what} {value!r}; accepted: {', '.join(valid)} or Chinese words such as "
                     + ", ".join(w for w in table if not w.isascii()))


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
