"""Excel templates for the registers: Chinese headers, an instructions sheet, an example row, drop-downs.

``solarplan template --out 模板.xlsx`` writes the inventory template; ``--table buildings`` the
buildings table's. A register filled in on either validates with 0 rejects: the headers are the
readers' own spellings and the drop-down lists hold only accepted words.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from solarplan.core.errors import InputError

# (header, example, note) per column
INVENTORY_COLUMNS = [
    ("序号", 1, "行号，可留空"),
    ("单位编号", "ZS001", "单位的编号；留空时按单位名称和地址所在区县生成（同名同县为同一单位）"),
    ("单位名称", "竹山县人民政府", "必填（无编号时）"),
    ("单位类型", "党政机关", "下拉选择"),
    ("屋顶类型", "平屋面", "下拉选择；留空按平屋面"),
    ("地址", "湖北省十堰市竹山县城关镇人民路18号", "无经纬度时按地址定位到区县"),
    ("经度", 110.2287, "WGS84，十进制度或度分秒（110°13'30\"）"),
    ("纬度", 32.2248, "WGS84；高德/百度坐标请用 --coords gcj02 / bd09"),
    ("屋顶可利用面积（㎡）", 1500, "可写 约1500、1,500、0.15万"),
    ("车棚面积（㎡）", 300, "可空；有值时另计一个车棚面"),
    ("年用电量（万千瓦时）", 12.5, "可空"),
    ("电价（元/kWh）", 0.65, "可空；可写 0.65、0.65元、0.65元/度；空或无法识别时按默认电价"),
    ("备注", "", "可空"),
]
BUILDING_COLUMNS = [
    ("序号", 1, "行号，可留空"),
    ("单位编号", "ZS001", "必填：建筑所属单位"),
    ("建筑编号", "ZS001-B1", "可空：按单位自动编号"),
    ("建筑名称", "办公楼", ""),
    ("单位类型", "党政机关", "下拉选择"),
    ("建筑面积（㎡）", 8600, "必填"),
    ("经度", 110.2287, "WGS84"),
    ("纬度", 32.2248, "WGS84"),
    ("年用电量（万千瓦时）", 95, "可空"),
    ("年用气量", 12000, "立方米，可空"),
    ("供暖方式", "燃气锅炉", "下拉选择，可空"),
    ("制冷方式", "分体空调", "下拉选择，可空"),
    ("电梯台数", 2, "可空"),
]
CATEGORY_CHOICES = ["党政机关", "学校", "医院", "场馆", "国企", "其他"]
SURFACE_CHOICES = ["平屋面", "坡屋面", "彩钢瓦屋面", "车棚"]
HEATING_CHOICES = ["燃气锅炉", "燃煤锅炉", "空气源热泵", "分体空调", "电采暖", "无"]
COOLING_CHOICES = ["分体空调", "冷水机组", "空气源热泵", "无"]

_HELP = {
    "inventory": [
        "公共机构屋顶光伏资源登记表 填表说明",
        "1. 在「登记表」中每个单位（或每个屋面）填一行；同一单位的多个屋面可填多行，单位编号相同。",
        "2. 屋顶和车棚面积分别填在两列；车棚面积有值时另计一个车棚面。",
        "3. 有经纬度的填经纬度（WGS84）；没有的填详细地址，程序按地址定位到区县中心（大致位置）。",
        "4. 数值可写为 1500、约1500、1,500、4200㎡、0.6万；表头括号中的单位（㎡、万千瓦时）会自动换算。",
        "5. 单位类型、屋顶类型请从下拉列表选择。合计行、空行会被识别并单独计数，不会被当作单位。",
        "6. 检查：solarplan inventory validate 登记表.xlsx --out 检查结果/",
    ],
    "buildings": [
        "公共机构建筑能耗登记表 填表说明",
        "1. 每栋建筑填一行；单位编号与屋顶登记表一致。",
        "2. 建筑面积必填；能耗可空（空时按面积和气候估算，并在结果中注明）。",
        "3. 表头括号中的单位（㎡、万千瓦时）会自动换算；数值可写 约8600、8,600、0.86万。",
        "4. 检查并测算：solarplan retrofit 建筑登记表.xlsx --out 改造测算.xlsx",
    ],
}


def write_template(path: str | Path, table: str = "inventory") -> Path:
    """Write the Excel template of ``table`` (``inventory`` or ``buildings``) to ``path``."""
    if table not in _HELP:
        raise InputError(f"unknown table {table!r}; valid: {', '.join(_HELP)}")
    cols = INVENTORY_COLUMNS if table == "inventory" else BUILDING_COLUMNS
    wb = openpyxl.Workbook()
    ins = wb.active
    ins.title = "填表说明"
    for line in _HELP[table]:
        ins.append([line])
    ins["A1"].font = Font(bold=True, size=14)
    ins.append([])
    ins.append(["列", "说明"])
    for h, _, note in cols:
        ins.append([h, note])
    ins.column_dimensions["A"].width = 24
    ins.column_dimensions["B"].width = 60
    ws = wb.create_sheet("登记表" if table == "inventory" else "建筑")
    ws.append([h for h, _, _ in cols])
    ws.append([ex for _, ex, _ in cols])
    head = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), head
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for j, (h, _, _) in enumerate(cols, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width = max(10, min(36, 2 * len(h) + 2))
    ws.freeze_panes = "A2"
    lists = {"单位类型": CATEGORY_CHOICES, "屋顶类型": SURFACE_CHOICES, "供暖方式": HEATING_CHOICES,
             "制冷方式": COOLING_CHOICES}
    for j, (h, _, _) in enumerate(cols, start=1):
        if h in lists:
            letter = openpyxl.utils.get_column_letter(j)
            dv = DataValidation(type="list", formula1='"' + ",".join(lists[h]) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle=h, error=f"请从列表中选择：{'、'.join(lists[h])}")
            dv.add(f"{letter}2:{letter}5000")
            ws.add_data_validation(dv)
    wb.active = 1
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
