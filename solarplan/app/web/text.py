"""The web app's own words, in Chinese (default) and English.

Column headers and coded values come from :mod:`solarplan.core.i18n`, shared with the workbooks
and the briefing; only the page furniture is here.
"""
from __future__ import annotations

LANGS = ("zh", "en")

_T = {
    "app": ("光伏与节能改造规划", "PV and retrofit planning"),
    "nav_plan": ("屋顶清单", "Register"), "nav_claim": ("核查宣传数字", "Check a claim"),
    "nav_retrofit": ("节能改造与托管", "Retrofit & trusteeship"), "nav_settings": ("设置", "Settings"),
    "switch_lang": ("English", "中文"),
    "upload_title": ("上传屋顶/车棚清单", "Upload a register of roofs and carports"),
    "upload_help": ("支持 Excel (.xlsx)、CSV、GeoJSON、GeoPackage (.gpkg) 和压缩的 Shapefile (.zip)。文件只保存在本机的临时文件夹中。",
                    "Excel (.xlsx), CSV, GeoJSON, GeoPackage (.gpkg) and zipped Shapefile (.zip). The file stays in a "
                    "temporary folder on this computer."),
    "file": ("文件", "File"), "upload": ("上传并检查", "Upload and check"),
    "or_demo": ("没有数据？运行十堰示例城市", "No data at hand? Run the Shiyan demo city"),
    "run_demo": ("运行示例", "Run the demo"),
    "max_upload": ("文件大小上限", "Largest file"),
    "validation": ("数据检查", "Validation"), "summary": ("结果", "Summary"),
    "rejects": ("未通过的行", "Rejected rows"), "no_rejects": ("所有行均通过检查。", "Every row passed."),
    "row": ("行号", "Row"), "site": ("单位编号", "Site"), "column": ("列", "Column"), "value": ("值", "Value"), "reason": ("原因", "Reason"),
    "shown_of": ("显示前 {n} 行，共 {total} 行；完整列表见 rejects.csv。", "First {n} of {total}; all are in rejects.csv."),
    "mapping": ("列名对应", "Column mapping"),
    "mapping_help": ("以下列名未被识别。如果某一列就是所需的数据，请选择它的含义，然后重新检查。对应关系会保存在设置中（plan.toml 的 [inventory] column_map）。",
                     "These headers were not recognised. If one holds data solarplan needs, choose what it means and "
                     "check again. The mapping is kept in the settings ([inventory] column_map of plan.toml)."),
    "ignore": ("（忽略）", "(ignore)"), "recheck": ("保存对应并重新检查", "Save mapping and check again"),
    "cannot_read": ("无法读取该文件", "The file cannot be read"),
    "weather": ("气象数据", "Weather"),
    "weather_auto": ("内置气候数据（离线）", "Embedded climatology (offline)"),
    "weather_pvgis": ("PVGIS（需联网，首次下载后缓存）", "PVGIS (needs the internet once, then cached)"),
    "run": ("开始计算", "Run"), "nothing_clean": ("没有可计算的行。", "No row can be simulated."),
    "progress": ("计算中", "Running"), "cancel": ("取消", "Cancel"), "cancelled": ("已取消。", "Cancelled."),
    "failed": ("计算失败", "The run failed"), "queued": ("排队中…", "Waiting for a free worker…"),
    "noscript": ("页面每几秒自动刷新。", "This page refreshes every few seconds."),
    "open_results": ("查看结果", "Open the results"), "back": ("返回", "Back"), "start_over": ("重新开始", "Start again"),
    "results": ("结果", "Results"),
    "capacity": ("装机容量", "Capacity"), "energy": ("年发电量", "Yearly energy"), "capex": ("投资", "Investment"),
    "payback": ("静态回收期", "Simple payback"), "coal": ("年节约标煤", "Coal saved"),
    "co2": ("年减排二氧化碳", "CO2 avoided"), "sites": ("站点", "Sites"), "packages": ("项目包", "Packages"),
    "years": ("年", "yr"), "per_year": ("/年", "/yr"),
    "downloads": ("下载", "Downloads"), "zip_all": ("全部文件（zip）", "Everything (zip)"),
    "map": ("地图", "Map"), "briefing": ("简报", "Briefing"), "open_new": ("在新窗口打开", "Open in a new window"),
    "notes": ("提示", "Notes"), "rejected_n": ("{n} 行未通过检查（见 rejects.csv）", "{n} rows rejected (see rejects.csv)"),
    "claim_title": ("核查宣传数字", "Check a headline claim"),
    "claim_help": ("填写面积或装机容量、宣传的年发电量和地点；可选填减排量。系统按当地气象模拟，并给出结论和理由。",
                   "Give the area or the capacity, the claimed yearly energy and the place; optionally the CO2 or coal "
                   "figure. solarplan simulates the place and gives a verdict with its reasons."),
    "area": ("屋顶面积", "Gross area"), "claim": ("宣传年发电量", "Claimed yearly energy"),
    "location": ("地点（城市或 纬度,经度）", "Place (city or lat,lon)"), "surface_type": ("屋顶类型", "Roof type"),
    "claim_co2": ("宣传年减排 CO2", "Claimed CO2 avoided"), "claim_tce": ("宣传年节约标煤", "Claimed coal saved"),
    "any": ("（不限）", "(any)"), "check": ("核查", "Check"), "verdict": ("结论", "Verdict"),
    "implied": ("隐含指标", "Implied figures"), "simulated": ("本地模拟", "Simulated here"),
    "plausible": ("该面积的合理年发电量", "Plausible energy for this area"),
    "retrofit_title": ("节能改造与能源费用托管", "Retrofit and energy-cost trusteeship"),
    "retrofit_help": ("上传建筑清单（Excel 或 CSV，中文表头可用），得到每栋建筑的推荐改造措施（地源热泵、LED、冷水机组、电梯）和每个项目包的合同测算。",
                      "Upload a buildings table (Excel or CSV; Chinese headers work) to get the recommended measures "
                      "of each building (ground-source heat pumps, LED, chillers, lifts) and the deal of each package."),
    "buildings_file": ("建筑清单", "Buildings table"), "contract": ("合同类型", "Contract"),
    "trusteeship": ("能源费用托管", "Energy-cost trusteeship"), "shared-savings": ("节能效益分享", "Shared savings"),
    "guaranteed": ("节能量保证", "Guaranteed savings"), "term": ("合同期（年）", "Term (years)"),
    "parameter": ("合同参数（托管折让/分享比例/保证率，如 5%）", "Contract figure (discount / share / rate, e.g. 5%)"),
    "target_irr": ("目标 ESCO 内部收益率（如 8%，可空）", "Target ESCO IRR (e.g. 8%, optional)"),
    "demo_buildings": ("或使用示例建筑清单", "or use the demo buildings"),
    "location_buildings": ("无坐标建筑的地点（可空）", "Place for buildings without lat/lon (optional)"),
    "measures": ("推荐措施", "Recommended measures"), "deal": ("合同测算", "The deal"),
    "by_measure": ("按措施汇总（计入的措施）", "By measure (counted measures)"),
    "settings_title": ("设置（plan.toml）", "Settings (plan.toml)"),
    "settings_help": ("这些设置用于此后开始的计算，也可以下载为 plan.toml，供命令行 --config 使用。留空表示使用默认值。",
                      "These settings apply to runs started from now on, and download as a plan.toml for the "
                      "command line (--config). Leave a box empty for the default."),
    "save": ("保存", "Save"), "download_toml": ("下载 plan.toml", "Download plan.toml"),
    "upload_toml": ("上传 plan.toml", "Upload a plan.toml"), "reset": ("恢复默认", "Reset to defaults"),
    "saved": ("已保存。", "Saved."), "default": ("默认", "default"),
    "error": ("出错了", "Something is wrong"), "not_found": ("找不到该任务（可能已过期）。", "No such job (it may have expired)."),
    "too_large": ("文件太大：上限为 {mb} MB。", "The file is too large: the limit is {mb} MB."),
    "bad_type": ("不支持的文件类型。可用：{ext}", "This file type is not accepted. Accepted: {ext}"),
    "no_file": ("请选择一个文件。", "Choose a file first."),
    "expires": ("任务及其文件将在 {h} 小时后自动删除。", "The job and its files are deleted after {h} hours."),
    "token_needed": ("需要访问令牌：请使用启动时显示的完整网址。", "An access token is needed: use the full address printed at start."),
}

STAGES = {"simulate": ("逐时模拟", "simulating"), "packages": ("打包排序", "packaging"), "map": ("绘制地图", "map"),
          "briefing": ("生成简报", "briefing"), "zip": ("打包文件", "zipping")}


def texts(lang: str) -> dict[str, str]:
    """Every page string in ``lang`` (zh or en)."""
    i = 1 if lang == "en" else 0
    out = {k: v[i] for k, v in _T.items()}
    out.update({f"stage_{k}": v[i] for k, v in STAGES.items()})
    return out
