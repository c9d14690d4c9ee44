"""Place names planners type, mapped to coordinates.

Prefecture-level cities of Hubei, Shanxi, Henan and Sichuan, Chongqing, and
the counties and districts named in the source documents. Coordinates are the
approximate seat of each city's government, rounded to 0.01 deg, compiled
from public gazetteers (GeoNames and the cities' encyclopaedia entries);
accuracy about +-3 km (estimate). That is far below the spacing of weather
stations (typically 50-150 km), which is what they are used for.
"""
from __future__ import annotations

import unicodedata

#: name_zh: (pinyin, province, lat, lon)
PLACES: dict[str, tuple[str, str, float, float]] = {
    # Hubei 湖北
    "武汉": ("Wuhan", "Hubei", 30.59, 114.31), "黄石": ("Huangshi", "Hubei", 30.20, 115.04),
    "十堰": ("Shiyan", "Hubei", 32.63, 110.80), "宜昌": ("Yichang", "Hubei", 30.69, 111.29),
    "襄阳": ("Xiangyang", "Hubei", 32.01, 112.12), "鄂州": ("Ezhou", "Hubei", 30.39, 114.89),
    "荆门": ("Jingmen", "Hubei", 31.04, 112.20), "孝感": ("Xiaogan", "Hubei", 30.92, 113.92),
    "荆州": ("Jingzhou", "Hubei", 30.33, 112.24), "黄冈": ("Huanggang", "Hubei", 30.45, 114.87),
    "咸宁": ("Xianning", "Hubei", 29.84, 114.32), "随州": ("Suizhou", "Hubei", 31.69, 113.38),
    "恩施": ("Enshi", "Hubei", 30.27, 109.49), "仙桃": ("Xiantao", "Hubei", 30.36, 113.45),
    "潜江": ("Qianjiang", "Hubei", 30.40, 112.90), "天门": ("Tianmen", "Hubei", 30.66, 113.17),
    "神农架": ("Shennongjia", "Hubei", 31.74, 110.68),
    "郧阳": ("Yunyang", "Hubei", 32.83, 110.81), "房县": ("Fangxian", "Hubei", 32.06, 110.74),
    "丹江口": ("Danjiangkou", "Hubei", 32.54, 111.51), "郧西": ("Yunxi", "Hubei", 33.00, 110.42),
    "竹山": ("Zhushan", "Hubei", 32.23, 110.23), "茅箭": ("Maojian", "Hubei", 32.59, 110.81),
    "张湾": ("Zhangwan", "Hubei", 32.65, 110.77),
    # Shanxi 山西
    "太原": ("Taiyuan", "Shanxi", 37.87, 112.55), "大同": ("Datong", "Shanxi", 40.08, 113.30),
    "阳泉": ("Yangquan", "Shanxi", 37.86, 113.58), "长治": ("Changzhi", "Shanxi", 36.20, 113.12),
    "晋城": ("Jincheng", "Shanxi", 35.49, 112.85), "朔州": ("Shuozhou", "Shanxi", 39.33, 112.43),
    "晋中": ("Jinzhong", "Shanxi", 37.69, 112.75), "运城": ("Yuncheng", "Shanxi", 35.03, 111.01),
    "忻州": ("Xinzhou", "Shanxi", 38.42, 112.73), "临汾": ("Linfen", "Shanxi", 36.09, 111.52),
    "吕梁": ("Lvliang", "Shanxi", 37.52, 111.14),
    "泽州": ("Zezhou", "Shanxi", 35.62, 112.84), "阳城": ("Yangcheng", "Shanxi", 35.49, 112.42),
    "侯马": ("Houma", "Shanxi", 35.62, 111.37),
    # Henan 河南
    "郑州": ("Zhengzhou", "Henan", 34.75, 113.63), "开封": ("Kaifeng", "Henan", 34.80, 114.31),
    "洛阳": ("Luoyang", "Henan", 34.62, 112.45), "平顶山": ("Pingdingshan", "Henan", 33.77, 113.19),
    "安阳": ("Anyang", "Henan", 36.10, 114.39), "鹤壁": ("Hebi", "Henan", 35.75, 114.30),
    "新乡": ("Xinxiang", "Henan", 35.30, 113.93), "焦作": ("Jiaozuo", "Henan", 35.22, 113.24),
    "濮阳": ("Puyang", "Henan", 35.76, 115.03), "许昌": ("Xuchang", "Henan", 34.04, 113.85),
    "漯河": ("Luohe", "Henan", 33.58, 114.02), "三门峡": ("Sanmenxia", "Henan", 34.77, 111.20),
    "南阳": ("Nanyang", "Henan", 33.00, 112.53), "商丘": ("Shangqiu", "Henan", 34.41, 115.66),
    "信阳": ("Xinyang", "Henan", 32.15, 114.09), "周口": ("Zhoukou", "Henan", 33.63, 114.70),
    "驻马店": ("Zhumadian", "Henan", 32.98, 114.02), "济源": ("Jiyuan", "Henan", 35.07, 112.60),
    # Sichuan 四川
    "成都": ("Chengdu", "Sichuan", 30.66, 104.07), "自贡": ("Zigong", "Sichuan", 29.34, 104.78),
    "攀枝花": ("Panzhihua", "Sichuan", 26.58, 101.72), "泸州": ("Luzhou", "Sichuan", 28.87, 105.44),
    "德阳": ("Deyang", "Sichuan", 31.13, 104.40), "绵阳": ("Mianyang", "Sichuan", 31.47, 104.68),
    "广元": ("Guangyuan", "Sichuan", 32.44, 105.84), "遂宁": ("Suining", "Sichuan", 30.53, 105.59),
    "内江": ("Neijiang", "Sichuan", 29.58, 105.06), "乐山": ("Leshan", "Sichuan", 29.55, 103.77),
    "南充": ("Nanchong", "Sichuan", 30.84, 106.11), "眉山": ("Meishan", "Sichuan", 30.08, 103.85),
    "宜宾": ("Yibin", "Sichuan", 28.77, 104.63), "广安": ("Guang'an", "Sichuan", 30.46, 106.63),
    "达州": ("Dazhou", "Sichuan", 31.21, 107.47), "雅安": ("Ya'an", "Sichuan", 29.98, 103.01),
    "巴中": ("Bazhong", "Sichuan", 31.87, 106.75), "资阳": ("Ziyang", "Sichuan", 30.13, 104.63),
    "马尔康": ("Barkam", "Sichuan", 31.90, 102.22), "康定": ("Kangding", "Sichuan", 30.05, 101.96),
    "西昌": ("Xichang", "Sichuan", 27.89, 102.26), "渠县": ("Qu County", "Sichuan", 30.84, 106.97),
    "达川": ("Dachuan", "Sichuan", 31.20, 107.51),
    # Chongqing 重庆
    "重庆": ("Chongqing", "Chongqing", 29.56, 106.55),
}
_SUFFIXES = ("市", "县", "区", "自治州", "州", "city", "county", "district")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "").replace("'", "").replace("-", "")


_INDEX: dict[str, str] = {}
for _zh, (_py, _prov, _lat, _lon) in PLACES.items():
    _INDEX[_norm(_zh)] = _zh
    _INDEX[_norm(_py)] = _zh


def find_place(name: str) -> tuple[str, float, float] | None:
    """Look up a place by Chinese or pinyin name ('十堰', '十堰市', 'Shiyan', 'qu county').

    Returns
    -------
    (name_zh, lat, lon) or None
    """
    key = _norm(name)
    if key not in _INDEX:
        stems = [key[: -len(suf)] for suf in _SUFFIXES if key.endswith(suf) and key[: -len(suf)] in _INDEX]
        if not stems:
            return None
        key = stems[0]
    zh = _INDEX[key]
    return zh, PLACES[zh][2], PLACES[zh][3]
