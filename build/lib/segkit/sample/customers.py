"""Customers of the sample ledger: firmographics and the hidden traits behind their activity.

:func:`draw_customers` draws, in a fixed order from one random generator, each customer's
GB/T 4754-2017 industry class, size-class indicators (employees, operating revenue, total assets)
inside the bands of 统计上大中小微型企业划分办法（2017）, province (GB/T 2260) or foreign
country, company name, creation and churn dates, hidden risk, purchase rate, invoice value,
payment terms and default date, group parent and credit limit. The tables of industries,
provinces, name parts and size bands it draws from live here too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["draw_customers"]

_SIZE_MIX = (0.05, 0.20, 0.45, 0.30)
_TERMS = np.array([30, 45, 60, 90])

# Lower bounds (large, medium, small) of each indicator per row of 统计上大中小微型企业划分办法
# （2017）附表; employees in persons, revenue and total assets in 万元 (10,000 CNY).
# "hospitality" stands for the 住宿业 and 餐饮业 rows, whose bounds are the same.
_SIZE_BANDS = {
    "industry": {"employees": (1000, 300, 20), "revenue": (40000, 2000, 300)},
    "construction": {"revenue": (80000, 6000, 300), "total_assets": (80000, 5000, 300)},
    "wholesale": {"employees": (200, 20, 5), "revenue": (40000, 5000, 1000)},
    "retail": {"employees": (300, 50, 10), "revenue": (20000, 500, 100)},
    "transport": {"employees": (1000, 300, 20), "revenue": (30000, 3000, 200)},
    "hospitality": {"employees": (300, 100, 10), "revenue": (10000, 2000, 100)},
    "information": {"employees": (2000, 100, 10), "revenue": (100000, 1000, 100)},
    "software": {"employees": (300, 100, 10), "revenue": (10000, 1000, 50)},
    "leasing": {"employees": (300, 100, 10), "total_assets": (120000, 8000, 100)},
    "other": {"employees": (300, 100, 10)},
}
_BAND_MARGIN = 1.25  # generated values stay this factor away from every band edge

# GB/T 4754-2017 class, draw weight (a distributor's mix, manufacturing first), name word.
_INDUSTRIES = """
1353 1.0 食品 1419 1.0 食品 1462 0.5 调味品 1512 0.5 酒业 1711 1.0 纺织 1819 1.0 服饰
1952 0.5 鞋业 2110 1.0 家具 2231 1.0 包装 2319 0.5 印务 2452 0.5 玩具 2641 1.0 涂料
2669 1.5 化工 2720 1.0 医药 2770 0.5 医疗用品 2922 1.0 塑胶 2929 1.5 塑胶 3021 0.5 建材
3071 0.5 陶瓷 3130 1.0 钢铁 3252 1.0 铝业 3311 1.0 钢结构 3351 1.0 五金 3399 1.0 金属制品
3443 1.0 阀门 3451 0.5 轴承 3484 2.0 机械 3562 0.5 半导体设备 3581 0.5 医疗器械
3670 2.0 汽车零部件 3812 1.0 电机 3823 1.5 电气 3831 1.0 电缆 3841 1.0 新能源 3854 1.0 电器
3872 1.0 照明 3912 1.0 电脑 3922 1.0 通讯 3973 1.0 微电子 3976 1.0 光电 3981 2.0 电子
3982 2.0 电路 3983 1.0 传感 4011 1.5 自动化 4014 0.5 仪器 4210 0.5 再生资源 4320 0.5 机电
4416 0.5 光伏电力
4790 1.5 建设 4812 1.0 路桥 4813 1.0 市政工程 4852 0.5 管道工程 4910 1.5 机电安装
4920 1.0 安装工程 5011 1.5 装饰工程 5012 1.0 装饰
5127 0.5 酒业 5138 0.5 家电 5164 1.5 金属材料 5165 1.0 建材 5169 1.0 化工 5174 1.5 汽配
5176 1.5 五金 5177 1.5 电气 5178 1.0 电脑 5193 0.5 电子商务 5199 1.0 贸易
5212 1.0 超市 5241 1.0 五金 5263 1.0 汽配 5273 1.0 数码 5292 1.0 电子商务
5431 1.5 物流 5437 1.0 配送 5522 0.5 航运 5821 1.5 货运代理
6110 0.3 酒店 6210 0.3 餐饮 6410 0.5 网络 6513 2.0 软件 6520 0.5 芯片设计 6531 1.5 系统集成
6532 0.5 物联网 6560 0.5 信息咨询 7113 0.8 设备租赁 7320 0.4 技术研究 7491 0.4 工业设计
""".split()

# Official name (GB/T 2260), draw weight (about 2023 GDP in 千亿元, coastal hubs weighted up),
# cities used as name prefixes.
_PROVINCES = """
广东省 200 深圳市/广州市/东莞市/佛山市 江苏省 190 苏州市/南京市/无锡市/常州市
浙江省 125 杭州市/宁波市/温州市/绍兴市 山东省 110 青岛市/济南市/烟台市/潍坊市
上海市 95 上海市 北京市 88 北京市 四川省 60 成都市/绵阳市 河南省 59 郑州市/洛阳市
湖北省 56 武汉市/宜昌市 福建省 54 厦门市/福州市/泉州市 湖南省 50 长沙市/株洲市
安徽省 47 合肥市/芜湖市 河北省 44 石家庄市/唐山市 陕西省 34 西安市/宝鸡市
江西省 32 南昌市/赣州市 重庆市 30 重庆市 辽宁省 30 沈阳市/大连市 云南省 30 昆明市
广西壮族自治区 27 南宁市/柳州市 山西省 26 太原市 内蒙古自治区 25 呼和浩特市/包头市
贵州省 21 贵阳市 新疆维吾尔自治区 19 乌鲁木齐市 天津市 17 天津市 黑龙江省 16 哈尔滨市
吉林省 14 长春市 甘肃省 12 兰州市 海南省 8 海口市 宁夏回族自治区 5 银川市 青海省 4 西宁市
西藏自治区 2 拉萨市
""".split()
_FOREIGN = {"HK": "", "SG": "Pte. Ltd.", "DE": "GmbH", "US": "Inc."}
_FOREIGN_SHARE = 0.02
_BRAND = ("华兴恒宏瑞嘉鑫盛永信中天金新立博联创德海", "达丰源通泰昌利发成安晟科辉业诚远和隆峰鹏")
_BRAND_PINYIN = (
    "Hua Xing Heng Hong Rui Jia Xin Sheng Yong Xin Zhong Tian Jin Xin Li Bo Lian Chuang De Hai",
    "da feng yuan tong tai chang li fa cheng an sheng ke hui ye cheng yuan he long feng peng",
)
_ENGLISH = ("Industries", "Construction", "Trading", "Logistics", "Services")


def _size_row(division: np.ndarray) -> np.ndarray:
    """Row of the 2017 size standard for the GB/T 4754-2017 divisions drawn here.

    Sections B-D are 工业, E 建筑业, 54-58 交通运输业 (railway 53, warehousing 59 and postal 60
    are never drawn), 61-62 住宿和餐饮业, 63-64 信息传输业, 65 软件和信息技术服务业,
    L 租赁和商务服务业 and M falls under 其他未列明行业.
    """
    first = np.array([6, 47, 51, 52, 53, 61, 63, 65, 66, 71, 73])
    rows = "industry construction wholesale retail transport hospitality information software"
    rows = np.array((rows + " other leasing other").split())
    return rows[np.searchsorted(first, division, side="right") - 1]


def draw_customers(rng, n: int, first: int, last: int) -> pd.DataFrame:
    """One row per customer: the published columns plus the hidden traits.

    Dates (``created``, ``begin``, ``churn``, ``default``) are day numbers, ``first`` and
    ``last`` those of the ledger's first and last day; ``churn`` and ``default`` are ``inf``
    when they fall after the ledger.
    """
    cust = pd.DataFrame({"customer_id": [f"C{i:05d}" for i in range(1, n + 1)]})
    codes, weights = np.array(_INDUSTRIES[0::3]), np.array(_INDUSTRIES[1::3], dtype=float)
    pick = rng.choice(len(codes), n, p=weights / weights.sum())
    cust["industry_code"] = codes[pick]
    cust["word"] = np.array(_INDUSTRIES[2::3])[pick]
    cust["division"] = cust["industry_code"].str[:2].astype(int)
    cust["size_class"] = rng.choice(4, n, p=_SIZE_MIX)
    cust = cust.join(_draw_size(rng, cust["size_class"].to_numpy(), _size_row(cust["division"])))
    cust = cust.join(_draw_place(rng, n))
    cust["name"] = _draw_names(rng, cust)
    cust = cust.join(_draw_lifecycle(rng, n, first, last))
    behaviour = _draw_behaviour(rng, cust, first, last)
    cust = cust.drop(columns="churn").join(behaviour)
    cust["parent_id"] = _draw_groups(rng, cust)
    cust["credit_limit"] = _credit_limit(rng, cust)
    for col in ("employees", "revenue", "total_assets"):
        cust.loc[rng.random(n) < 0.03, col] = np.nan
    return cust


def _band(size: np.ndarray, bounds: tuple[int, int, int], floor: float) -> tuple:
    """Lower and upper limits strictly inside each class's band (large, medium, small, micro)."""
    edges = np.array([bounds[0] * 15, *bounds, max(bounds[2] / 25, floor)], dtype=float)
    lo = edges[size + 1] * np.where(size == 3, 1.0, _BAND_MARGIN)
    return lo, edges[size] / _BAND_MARGIN


def _draw_size(rng, size: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
    """Indicators inside the class's band, positioned alike within it (they correlate)."""
    n, pos = len(size), rng.normal(0, 1.2, len(size))
    out = {k: np.full(n, np.nan) for k in ("employees", "revenue", "total_assets")}
    for row, bands in _SIZE_BANDS.items():
        mask = rows == row
        for col, bounds in bands.items():
            unit = 1.0 if col == "employees" else 1e4
            lo, hi = _band(size[mask], bounds, floor=1.0 if col == "employees" else 5.0)
            p = 1 / (1 + np.exp(-pos[mask] - rng.normal(0, 0.4, mask.sum())))
            out[col][mask] = unit * np.exp(np.log(lo) + p * (np.log(hi) - np.log(lo)))
    _fill_unlisted(rng, out)
    return pd.DataFrame(
        {
            "employees": np.round(out["employees"]),
            "revenue": np.round(out["revenue"], -2),
            "total_assets": np.round(out["total_assets"], -2),
        }
    )


def _fill_unlisted(rng, out: dict) -> None:
    """Derive the indicators a row of the standard does not use from those it does."""
    n = len(out["employees"])
    per_head = np.exp(rng.normal(np.log(6e5), 0.5, n))  # revenue per employee, CNY
    turnover = np.exp(rng.normal(np.log(0.35), 0.3, n))  # revenue / total assets
    leverage = np.exp(rng.normal(np.log(0.9), 0.4, n))  # total assets / revenue
    emp, assets = out["employees"], out["total_assets"]
    guess = np.where(np.isnan(assets), emp * per_head, assets * turnover)
    out["revenue"] = np.where(np.isnan(out["revenue"]), guess, out["revenue"])
    out["employees"] = np.where(np.isnan(emp), np.maximum(out["revenue"] / per_head, 1), emp)
    out["total_assets"] = np.where(np.isnan(assets), out["revenue"] * leverage, assets)


def _draw_place(rng, n: int) -> pd.DataFrame:
    names = np.array(_PROVINCES[0::3], dtype=object)
    weights = np.array(_PROVINCES[1::3], dtype=float)
    cities = [c.split("/") for c in _PROVINCES[2::3]]
    pick, k = rng.choice(len(names), n, p=weights / weights.sum()), rng.integers(0, 12, n)
    city = [cities[p][j % len(cities[p])] for p, j in zip(pick, k, strict=True)]
    foreign = rng.random(n) < _FOREIGN_SHARE
    country = np.where(foreign, rng.choice(list(_FOREIGN), n), "CN")
    province = np.where(foreign, None, names[pick])
    return pd.DataFrame({"province": province, "country": country, "city": city})


def _draw_names(rng, cust: pd.DataFrame) -> np.ndarray:
    """Mainland and Hong Kong: city + brand + trade + 有限公司; elsewhere an English name."""
    picks = [rng.integers(0, len(chars), len(cust)) for chars in _BRAND]
    brand = np.char.add(*(np.array(list(c))[i] for c, i in zip(_BRAND, picks, strict=True)))
    pinyin = np.char.add(
        *(np.array(p.split())[i] for p, i in zip(_BRAND_PINYIN, picks, strict=True))
    )
    prefix = np.where(cust["country"] == "HK", "香港", cust["city"])
    chinese = prefix + brand + cust["word"].to_numpy() + "有限公司"
    trade = np.array(_ENGLISH)[np.searchsorted([47, 51, 53, 61], cust["division"], side="right")]
    suffix = cust["country"].map(_FOREIGN).fillna("").to_numpy()
    english = pinyin + " " + trade + " " + suffix
    return np.where(cust["country"].isin(["CN", "HK"]), chinese, english)


def _draw_lifecycle(rng, n: int, first: int, last: int) -> pd.DataFrame:
    existing = rng.random(n) < 0.6
    created = np.where(
        existing, first - rng.integers(30, 3650, n), rng.integers(first, last - 60, n)
    )
    begin = np.maximum(created, first)
    churn = begin + np.round(rng.exponential(365 * 10, n))
    return pd.DataFrame(
        {"created": created, "begin": begin, "churn": np.where(churn > last, np.inf, churn)}
    )


def _draw_behaviour(rng, cust: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Hidden risk, purchase rate, invoice value, terms and default date of each customer."""
    n, size = len(cust), cust["size_class"].to_numpy()
    risky_industry = np.select(
        [cust["division"].between(47, 50), cust["division"] == 52], [0.9, 0.6], 0.0
    )
    logit = -2.2 + risky_industry + np.array([-0.6, 0.0, 0.4, 0.9])[size] + rng.normal(0, 0.9, n)
    risk = 1 / (1 + np.exp(-logit))
    rate = np.array([2.2, 1.2, 0.6, 0.35])[size] * rng.gamma(1.5, 1 / 1.5, n)
    log_mean = np.log(np.array([3e5, 8e4, 2.5e4, 8e3])[size]) + rng.normal(0, 0.7, n)
    long_terms = np.where(size <= 1, 0.3, 0.1)
    terms = _TERMS[np.where(rng.random(n) < long_terms, 3, rng.choice(3, n, p=[0.45, 0.25, 0.30]))]
    lo, hi = cust["begin"].to_numpy() + 120, last - 200
    default = lo + rng.random(n) * (hi - lo)
    defaults = (rng.random(n) < risk**1.5) & (lo < hi) & (default < cust["churn"])
    default = np.where(defaults, np.round(default), np.inf)
    churn = np.minimum(cust["churn"], default + rng.integers(30, 120, n))
    return pd.DataFrame(
        {"risk": risk, "rate": rate, "log_mean": log_mean, "terms": terms, "default": default}
    ).assign(churn=churn)


def _draw_groups(rng, cust: pd.DataFrame) -> np.ndarray:
    """About 5 % of small and micro customers belong to a group headed by a larger customer."""
    heads = np.flatnonzero(cust["size_class"] <= 1)
    members = np.flatnonzero((cust["size_class"] >= 2) & (rng.random(len(cust)) < 0.05 / 0.75))
    parent = np.full(len(cust), None, dtype=object)
    if len(heads):
        parent[members] = cust["customer_id"].to_numpy()[rng.choice(heads, len(members))]
    return parent


def _credit_limit(rng, cust: pd.DataFrame) -> np.ndarray:
    """Limit ~ expected purchases over the terms plus a month, rounded to 10,000 CNY."""
    monthly = cust["rate"] * np.exp(cust["log_mean"] + 0.8**2 / 2)
    limit = monthly * (cust["terms"] / 30 + 1) * np.exp(rng.normal(0, 0.3, len(cust)))
    limit = np.maximum(np.round(limit, -4), 1e4)
    return np.where(rng.random(len(cust)) < 0.08, np.nan, limit)
