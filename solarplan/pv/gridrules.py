"""Grid-connection rules for distributed PV in China since 2025 (pure, vectorised over sites).

* **Project class** (项目类型) from capacity and connection voltage, and the
  grid-connection **modes** (上网模式) each class may choose [1]_:

  - 一般工商业 (``general_ci``): connected at 10 kV (20 kV) or below, up to 6 MW;
    may choose 全部自发自用 or 自发自用余电上网; 全额上网 is not allowed.
  - 大型工商业 (``large_ci``): 35 kV up to 20 MW, or 110 kV (66 kV) up to 50 MW;
    must consume all its output on site (全部自发自用), except where a spot
    market is running ([grid] ``spot_market = true``), where surplus may be sold.
  - beyond these: not a distributed project (``not_distributed``), flagged.

* **Minimum self-consumption share** set by provinces for 一般工商业 projects
  choosing 自发自用余电上网 (``data/min_self_consumption.csv``; every figure
  there is reported, not read in the provincial notice, and labelled an
  estimate). A site below its minimum is flagged with the largest capacity that
  meets it (:func:`largest_capacity_for_share`).

* **Zero export** (防逆流, GB/T 29319-2012 [3]_): PV above the site's load in
  an hour is curtailed; :func:`largest_capacity_for_share` with ``1 - target``
  sizes a zero-export site to a target curtailment share.

* **Hosting capacity** (可开放容量): an optional transformer rating per site
  capped at ``transformer_cap_share`` of its kVA (0.8, the Henan rule reported in
  issue 18; an estimate until checked against the Henan notice), and an optional
  table of open capacity by county or substation giving red / yellow / green.

Capacities are compared in kWp (DC): conservative where a rule counts AC kW.

References
----------
.. [1] 国家能源局, 国能发新能规〔2025〕7号 关于印发《分布式光伏发电开发建设管理办法》的通知
   (17 January 2025; https://www.gov.cn/zhengce/202502/content_7004211.htm). The classes and modes
   here follow the issue's summary and the October 2024 draft as reported by the NEA; the notice's
   text was not read here. Issue 18 writes the number 国能发新能源规; published copies read 国能发新能规.
.. [2] 国家发展改革委 国家能源局, 发改价格〔2025〕136号 关于深化新能源上网电价市场化改革 促进新能源
   高质量发展的通知 (2025-01-27, published 2025-02-09;
   https://www.ndrc.gov.cn/xxgk/zcfb/tz/202502/t20250209_1396066.html): projects commissioned from
   1 June 2025 sell at market prices, with a provincial mechanism price for an auctioned volume.
.. [3] GB/T 29319-2012 光伏发电系统接入配电网技术规定 (anti-reverse-power protection, 防逆流).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

try:  # a core dependency; without it the vectorised numpy form runs
    import numba
    from numba import prange
except ImportError:  # pragma: no cover - exercised only without numba
    numba = None
    prange = range

from solarplan.core.errors import InputError
from solarplan.core.jit import compiled
from solarplan.core.resources import data_path

GENERAL_CI, LARGE_CI, NOT_DISTRIBUTED = "一般工商业", "大型工商业", "非分布式"
CLASS_KEYS = {GENERAL_CI: "general_ci", LARGE_CI: "large_ci", NOT_DISTRIBUTED: "not_distributed"}

SURPLUS_EXPORT, SELF_USE_ONLY, FULL_EXPORT = "自发自用余电上网", "全部自发自用", "全额上网"
#: Mode names accepted in inputs (English or Chinese) -> the Chinese name used in outputs.
MODE_ALIASES = {"surplus_export": SURPLUS_EXPORT, "self_consumption_surplus_export": SURPLUS_EXPORT,
                SURPLUS_EXPORT: SURPLUS_EXPORT, "余电上网": SURPLUS_EXPORT,
                "self_use_only": SELF_USE_ONLY, "full_self_consumption": SELF_USE_ONLY, SELF_USE_ONLY: SELF_USE_ONLY,
                "full_export": FULL_EXPORT, FULL_EXPORT: FULL_EXPORT}

#: (class, highest connection voltage [kV], largest capacity [kW]) in order of checking [1]_.
CLASS_LIMITS = ((GENERAL_CI, 20.0, 6_000.0), (LARGE_CI, 35.0, 20_000.0), (LARGE_CI, 110.0, 50_000.0))

RULE_MODES = ("国能发新能规〔2025〕7号《分布式光伏发电开发建设管理办法》: 一般工商业 projects choose "
              "全部自发自用 or 自发自用余电上网; 全额上网 is not allowed")
RULE_LARGE = ("国能发新能规〔2025〕7号: 大型工商业 projects (35 kV up to 20 MW, 110 kV up to 50 MW) consume all "
              "their output on site (全部自发自用), except where a spot market runs")


class GridRuleError(InputError):
    """A grid-connection choice the rules do not allow (the message cites the rule)."""


def canonical_mode(mode) -> str | None:
    """Chinese mode name for an input word (None for empty); GridRuleError for an unknown word."""
    if mode is None or (isinstance(mode, float) and np.isnan(mode)) or str(mode).strip() == "":
        return None
    key = str(mode).strip()
    if key not in MODE_ALIASES:
        raise GridRuleError(f"unknown grid mode {mode!r}; valid: surplus_export ({SURPLUS_EXPORT}), "
                            f"self_use_only ({SELF_USE_ONLY}), full_export ({FULL_EXPORT})")
    return MODE_ALIASES[key]


def default_voltage_kv(capacity_kw) -> np.ndarray:
    """Connection voltage where a site gives none [kV]: 0.4 up to 400 kW, 10 up to 6 MW, 35 up to 20 MW, else
    110.

    Estimate: the usual grid-company practice for distributed PV (380 V for small systems, 10 kV for
    most commercial roofs); give ``connection_voltage_kv`` where known.
    """
    c = np.asarray(capacity_kw, float)
    return np.select([c <= 400, c <= 6_000, c <= 20_000], [0.4, 10.0, 35.0], 110.0)


def classify(capacity_kw, voltage_kv, spot_market: bool = False) -> pd.DataFrame:
    """Project class, allowed modes and a flag for each site [1]_.

    Parameters
    ----------
    capacity_kw : array [kW]
    voltage_kv : array [kV]; NaN = :func:`default_voltage_kv`.
    spot_market : bool
        A spot market runs in the province: 大型工商业 may then sell surplus.

    Returns
    -------
    DataFrame
        ``grid_class`` (一般工商业 / 大型工商业 / 非分布式), ``connection_voltage_kv``,
        ``allowed_modes`` (joined by ``/``), ``class_flag`` (empty when the
        capacity fits the class at that voltage).
    """
    cap = np.asarray(capacity_kw, float)
    v = np.asarray(voltage_kv, float) if voltage_kv is not None else np.full(len(cap), np.nan)
    v = np.where(np.isnan(v), default_voltage_kv(cap), v)
    cls, flags = [], []
    for c, kv in zip(cap, v):
        if c <= 6_000:
            cls.append(GENERAL_CI)
            flags.append("" if kv <= 20 else f"{c / 1e3:.2f} MW at {kv:g} kV: a 一般工商业 project connects at "
                                              "10 (20) kV or below")
        elif c <= 50_000:
            cls.append(LARGE_CI)
            need = 35.0 if c <= 20_000 else 110.0
            flags.append("" if kv >= need else
                         f"{c / 1e3:.2f} MW exceeds the 6 MW of a 一般工商业 project; as 大型工商业 it needs a "
                         f"{need:g} kV connection, not {kv:g} kV: split the site or raise the voltage "
                         "(国能发新能规〔2025〕7号)")
        else:
            cls.append(NOT_DISTRIBUTED)
            flags.append(f"{c / 1e3:.2f} MW exceeds 50 MW: not a distributed project under 国能发新能规〔2025〕7号")
    modes = {GENERAL_CI: f"{SURPLUS_EXPORT}/{SELF_USE_ONLY}",
             LARGE_CI: f"{SELF_USE_ONLY}/{SURPLUS_EXPORT}" if spot_market else SELF_USE_ONLY,
             NOT_DISTRIBUTED: ""}
    return pd.DataFrame({"grid_class": cls, "connection_voltage_kv": v, "allowed_modes": [modes[c] for c in cls],
                         "class_flag": flags})


def resolve_mode(grid_class: str, requested=None, spot_market: bool = False) -> tuple[str, str]:
    """The mode a site runs in and a flag: the default is 自发自用余电上网 (一般工商业) or 全部自发自用
    (大型工商业); a mode the class may not choose is refused -- the default is used and the flag cites the rule.
    """
    req = canonical_mode(requested)
    if grid_class == LARGE_CI and not spot_market:
        allowed, default, rule = (SELF_USE_ONLY,), SELF_USE_ONLY, RULE_LARGE
    else:
        allowed, default, rule = (SURPLUS_EXPORT, SELF_USE_ONLY), SURPLUS_EXPORT, RULE_MODES
    if req is None or req in allowed:
        return (req or default), ""
    return default, f"{req} refused ({rule}); evaluated as {default}"


def check_mode(grid_class: str, mode, spot_market: bool = False) -> str:
    """Like :func:`resolve_mode` but raises GridRuleError (citing the rule) for a mode the class may not choose."""
    chosen, flag = resolve_mode(grid_class, mode, spot_market)
    if flag:
        raise GridRuleError(flag)
    return chosen


@lru_cache(maxsize=4)
def min_share_table(path: str | None = None) -> pd.DataFrame:
    """Provincial minimum self-consumption shares: ``province, grid_class, min_self_consumption_share, source,
    status`` (default ``data/min_self_consumption.csv``)."""
    p = Path(path) if path else data_path("min_self_consumption.csv")
    try:
        t = pd.read_csv(p, dtype={"province": str, "grid_class": str}, encoding="utf-8-sig")
    except FileNotFoundError:
        raise GridRuleError(f"minimum self-consumption table {p} does not exist") from None
    need = {"province", "grid_class", "min_self_consumption_share"}
    if not need <= set(t.columns):
        raise GridRuleError(f"{p}: needs columns {', '.join(sorted(need))}")
    bad = ~t["min_self_consumption_share"].between(0, 1)
    if bad.any():
        raise GridRuleError(f"{p} row {int(np.flatnonzero(bad)[0]) + 1}: min_self_consumption_share must be in [0, 1]")
    return t


def min_share(province: str, grid_class: str, table: pd.DataFrame | None = None) -> tuple[float, str]:
    """(minimum share, source) for a province and class; (NaN, "") where the table has none."""
    t = min_share_table() if table is None else table
    hit = t[(t["province"] == province) & (t["grid_class"] == grid_class)]
    if not len(hit):
        return float("nan"), ""
    r = hit.iloc[0]
    return float(r["min_self_consumption_share"]), f"{r.get('source', '')} ({r.get('status', '')})"


@dataclass(frozen=True)
class Flows:
    """Year-1 energy flows of a chunk of sites [kWh], each an array (sites,); ``self_consumed_hourly`` is
    (sites, 8760), or None where only the yearly sums were computed (:func:`flow_sums`)."""

    generated_kwh: np.ndarray
    self_consumed_kwh: np.ndarray
    export_kwh: np.ndarray
    curtailed_kwh: np.ndarray
    self_consumed_hourly: np.ndarray


def energy_flows(pv_hourly_kwh: np.ndarray, load_hourly_kwh: np.ndarray, export_allowed) -> Flows:
    """Split hourly PV into self-consumed min(PV, load) and surplus; surplus is exported where allowed,
    curtailed where not (zero export or 全部自发自用)."""
    pv = np.atleast_2d(np.asarray(pv_hourly_kwh, float))
    sc = np.minimum(pv, np.atleast_2d(load_hourly_kwh))
    surplus = (pv - sc).sum(axis=-1)
    ok = np.broadcast_to(np.asarray(export_allowed, bool), surplus.shape)
    return Flows(pv.sum(axis=-1), sc.sum(axis=-1), np.where(ok, surplus, 0.0), np.where(ok, 0.0, surplus), sc)


def flow_sums(pv_hourly_kwh: np.ndarray, load_hourly_kwh: np.ndarray, period_index: np.ndarray,
              multiplier: np.ndarray, n_periods: int):
    """Yearly sums of :func:`energy_flows` without its hourly array: generated and self-consumed energy
    [kWh] (sites,) and the self-consumed energy by time-of-use period weighted by the hour's price
    multiplier (sites, ``n_periods``) [kWh] (``x flat tariff`` = :func:`~solarplan.pv.tariffs.value_by_period`).
    One compiled pass per site where numba is present; the same sums with numpy otherwise."""
    pv = np.ascontiguousarray(np.atleast_2d(np.asarray(pv_hourly_kwh, float)))
    load = np.ascontiguousarray(np.atleast_2d(np.asarray(load_hourly_kwh, float)))
    idx = np.ascontiguousarray(period_index, np.int64)
    mult = np.ascontiguousarray(multiplier, float)
    if numba is not None:
        return compiled(_flow_sums_rows, parallel=True, nogil=True)(pv, load, idx, mult, int(n_periods))
    sc = np.minimum(pv, load)
    m = np.zeros((pv.shape[1], n_periods))
    m[np.arange(pv.shape[1]), idx] = mult
    return pv.sum(axis=1), sc.sum(axis=1), sc @ m


def _pv_hours(pv: np.ndarray) -> np.ndarray:
    """The hours (columns) in which any site of ``pv`` produces: the compiled loops skip the others."""
    return np.flatnonzero((pv != 0).any(axis=0)).astype(np.int64)


def _flow_sums_rows(pv, load, period_index, multiplier, n_periods):
    n, n_h = pv.shape
    generated = np.zeros(n)
    self_used = np.zeros(n)
    by_period = np.zeros((n, n_periods))
    stride = 1 if load.shape[0] > 1 else 0
    for i in prange(n):
        row = i * stride
        g = 0.0
        s = 0.0
        for h in range(n_h):
            p = pv[i, h]
            ld = load[row, h]
            sc = p if p < ld else ld
            g += p
            s += sc
            by_period[i, period_index[h]] += sc * multiplier[h]
        generated[i] = g
        self_used[i] = s
    return generated, self_used, by_period



def largest_capacity_for_share(pv_hourly_kwh: np.ndarray, load_hourly_kwh: np.ndarray, min_share) -> np.ndarray:
    """Largest scale k in [0, 1] of each site's PV whose self-consumption share is at least ``min_share``.

    The share s(k) = sum_h min(k PV_h, L_h) / (k sum_h PV_h) does not increase with k; k = 1 where the
    proposed capacity already meets the share, k = 0 where no capacity does (s(0+) = share of PV falling in
    hours with load). Between, the answer is the root of g(k) = sum_h min(k PV_h, L_h) - t k P, which is
    concave and piecewise linear: g(k) = k A(k) + B(k) - t P k with A the PV of the hours where
    k PV_h <= L_h and B the load of the others. Newton's step from k = 1, k <- B(k) / (t P - A(k)), stays
    at or above the root (the tangent of a concave function lies above it) and lands on it exactly once
    it reaches the root's linear piece: a few passes over the hours instead of the 40 of the bisection it
    replaces (which was within 2^-40 of this answer; tests/pv/test_tariffs_gridrules.py). Multiply by the
    proposed capacity for kWp. With ``min_share = 1 - target`` this sizes a zero-export site to a target
    curtailment.
    """
    pv = np.atleast_2d(np.asarray(pv_hourly_kwh, float))
    load = np.atleast_2d(np.asarray(load_hourly_kwh, float))
    target = np.array(np.broadcast_to(np.asarray(min_share, float), (pv.shape[0],)))  # a writable copy: one signature
    if numba is not None:
        pv = np.ascontiguousarray(pv)  # hours without PV change none of the sums below (loads >= 0): skipped
        scale = compiled(_scale_rows, parallel=True, nogil=True)
        return scale(pv, np.ascontiguousarray(load), target, 200, _pv_hours(pv))
    total = pv.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        at_one = np.where(total > 0, np.minimum(pv, load).sum(axis=-1) / total, 1.0)
        floor = np.where(total > 0, (pv * (load > 0)).sum(axis=-1) / total, 1.0)
    done = at_one >= target - 1e-12
    out = np.where(done | np.isnan(target), 1.0, np.where(floor < target, 0.0, np.nan))
    act = np.flatnonzero(np.isnan(out))  # the sites whose answer is neither 1 nor 0
    if len(act):
        out[act] = _newton_scale(pv[act], load[act] if load.shape[0] > 1 else load, total[act], target[act])
    return out


def _scale_rows(pv, load, target, max_steps, hours):
    """:func:`largest_capacity_for_share` one site at a time (compiled by numba: no temporaries; the same
    tests and Newton steps as :func:`_newton_scale`)."""
    n = pv.shape[0]
    out = np.empty(n)
    stride = 1 if load.shape[0] > 1 else 0  # one load row for every site, or one each
    for i in prange(n):
        row = i * stride
        t = target[i]
        total = 0.0
        at_one = 0.0
        floor = 0.0
        for h in hours:
            p = pv[i, h]
            ld = load[row, h]
            total += p
            at_one += p if p < ld else ld
            floor += p if ld > 0.0 else 0.0
        if t != t or total <= 0.0 or at_one / total >= t - 1e-12:
            out[i] = 1.0
            continue
        if floor / total < t:
            out[i] = 0.0
            continue
        tp = t * total
        k = 1.0
        for step in range(max_steps):
            a = 0.0
            b = 0.0
            for h in hours:
                p = pv[i, h]
                ld = load[row, h]
                if k * p <= ld:
                    a += p
                else:
                    b += ld
            new = b / (tp - a)
            moved = new < k * (1.0 - 1e-15)
            k = new if new < k else k
            if not moved:
                break
        out[i] = 0.0 if k < 0.0 else (1.0 if k > 1.0 else k)
    return out



def _newton_scale(pv: np.ndarray, load: np.ndarray, total: np.ndarray, target: np.ndarray,
                  max_steps: int = 200) -> np.ndarray:
    """The k of :func:`largest_capacity_for_share` for sites with s(1) < t <= s(0+) (so 0 < k < 1)."""
    load = np.broadcast_to(load, pv.shape)
    tp = target * total
    k = np.ones(len(pv))
    live = np.arange(len(pv))
    for _ in range(max_steps):
        p, l_ = pv[live], load[live]
        under = k[live, None] * p <= l_  # hours whose PV is all self-consumed at this k
        a = np.where(under, p, 0.0).sum(axis=1)
        b = np.where(under, 0.0, l_).sum(axis=1)
        new = np.minimum(b / (tp[live] - a), k[live])  # t P > A wherever g(k) < 0
        moved = new < k[live] * (1.0 - 1e-15)
        k[live] = new
        live = live[moved]
        if not len(live):
            break
    return np.clip(k, 0.0, 1.0)


def transformer_cap_kwp(transformer_kva, cap_share: float = 0.8) -> np.ndarray:
    """PV capacity a site's transformer allows [kWp] = cap_share x rating [kVA] (power factor 1); NaN where no
    rating is given. 0.8 is the Henan rule reported in issue 18 (estimate until read in the notice)."""
    return np.asarray(transformer_kva, float) * float(cap_share)


def hosting_zones(sites: pd.DataFrame, table: pd.DataFrame, area_column: str = "grid_area") -> pd.DataFrame:
    """Red / yellow / green and a capped capacity from a table of open capacity (可开放容量).

    Parameters
    ----------
    sites : DataFrame
        ``capacity_kwp`` and ``grid_area`` (county or substation name matching the table).
    table : DataFrame
        ``grid_area``, ``open_capacity_kw`` and optionally ``zone`` (red / yellow / green as published).

    Returns
    -------
    DataFrame (index of ``sites``)
        ``hosting_zone`` (published zone, else red when no capacity is open, yellow when the sites of the
        area ask for more than is open, green otherwise; empty where the area is not in the table) and
        ``hosting_capped_kwp`` (capacity x min(1, open / asked in the area), pro rata; 0 in a red zone).
    """
    need = {area_column, "open_capacity_kw"}
    if not need <= set(table.columns):
        raise GridRuleError(f"hosting capacity table needs columns {', '.join(sorted(need))}")
    t = table.drop_duplicates(area_column).set_index(area_column)
    area = sites[area_column].astype(str) if area_column in sites else pd.Series("", index=sites.index)
    cap = sites["capacity_kwp"].astype(float)
    asked = cap.groupby(area).transform("sum")
    open_kw = area.map(t["open_capacity_kw"].astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.clip(open_kw / asked, 0.0, 1.0)
    zone = np.where(open_kw.isna(), "", np.where(open_kw <= 0, "red", np.where(open_kw < asked, "yellow", "green")))
    if "zone" in t.columns:
        given = area.map(t["zone"].astype(str).str.strip().str.lower()).fillna("")
        zone = np.where(given.isin(["red", "yellow", "green"]), given, zone)
    capped = np.where(zone == "red", 0.0, cap * ratio.fillna(1.0))
    return pd.DataFrame({"hosting_zone": zone, "hosting_capped_kwp": np.where(open_kw.isna(), np.nan, capped)},
                        index=sites.index)
