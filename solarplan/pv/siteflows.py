"""Each site's hourly PV against its load under the 2025 rules: class, mode, flows, time-of-use value (pure).

:func:`site_flows` is the one function both engines can call for a chunk of
sites (never all sites x 8760 at once): it classifies the project
(:mod:`solarplan.pv.gridrules`), resolves its grid-connection mode, splits the
hourly PV into self-consumed, exported and curtailed energy, values the
self-consumed energy hour by hour at the time-of-use price
(:mod:`solarplan.pv.tariffs`), checks the provincial minimum self-consumption
share and, for zero-export sites with ``size_to_load``, scales the capacity to
the target curtailment.

Site inputs (optional columns of the inventory, first value of a site's rows):
``connection_voltage_kv``, ``grid_mode`` (surplus_export / self_use_only /
full_export or the Chinese names), ``zero_export`` (true/1/是), ``transformer_kva``,
``grid_area`` (for the hosting-capacity table), ``province``,
``load_kwh_m01`` ... ``load_kwh_m12`` (monthly bills), ``load_profile_file``
(measured hourly or 15-minute load CSV).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from solarplan.core.errors import ConfigError
from solarplan.core.limits import accepts
from solarplan.core.loadprofile import MONTHLY_LOAD_COLUMNS, load_shape, measured_load, scale_to_months
from solarplan.pv import gridrules as gr
from solarplan.pv import tariffs as tf
from solarplan.pv.yieldsim import MONTH_COLUMNS

SITE_INPUT_COLUMNS = ("connection_voltage_kv", "grid_mode", "zero_export", "transformer_kva", "grid_area", "province",
                      "load_profile_file", *MONTHLY_LOAD_COLUMNS)
_TRUE = {"1", "true", "yes", "y", "是", "t", "防逆流"}
_SHAPED = ("agency", "school", "hospital", "venue", "soe", "other")  # categories with a load shape


@dataclass(frozen=True)
class TariffParams:
    """The time-of-use schedule (section ``[tariffs]``).

    Attributes
    ----------
    schedule : str
        A shipped schedule (``hubei_2024`` default: the demo city is in Hubei; ``henan_2024``,
        ``shanxi_2021``, ``sichuan_2025``, ``flat``) or the name of one in ``schedule_file``.
    schedule_file : str
        A CSV with columns months, period, hours, ratio (and optionally schedule).
    floating_share : float or None
        Share of the flat price the ratios apply to; None = the shipped schedule's (Hubei 0.556,
        from State Grid Hubei's January 2026 table) or 1 for a user schedule.
    periods : sequence of tables
        A schedule written in plan.toml: ``[{ months = "1-12", period = "flat", hours = "0-24", ratio = 1 }]``.
    """

    schedule: str = tf.DEFAULT_SCHEDULE
    schedule_file: str = ""
    floating_share: float | None = field(default=None, metadata=accepts(0, 1, unit="-", fraction=True))
    periods: tuple[Any, ...] = ()

    def __post_init__(self):
        for i, r in enumerate(self.periods, start=1):
            if not isinstance(r, Mapping):
                raise ConfigError(f"periods[{i}] must be a table {{ months = \"1-12\", period = \"flat\", "
                                 "hours = \"0-24\", ratio = 1 }")

    def build(self) -> tf.TouSchedule:
        """The schedule these parameters name (ScheduleError on a bad one)."""
        if self.periods:
            return tf.schedule_from_rows(self.periods, 1.0 if self.floating_share is None else self.floating_share)
        if self.schedule_file:
            return tf.read_schedule_csv(self.schedule_file, 1.0 if self.floating_share is None else
                                        self.floating_share, self.schedule if self.schedule != tf.DEFAULT_SCHEDULE
                                        else None)
        return tf.get_schedule(self.schedule, self.floating_share)


@dataclass(frozen=True)
class GridParams:
    """Grid-connection rules and options (section ``[grid]``).

    Attributes
    ----------
    province : str
        Where the sites are when they give no ``province`` column (for the minimum share), default 湖北.
    mode : str
        Grid mode for every site without a ``grid_mode``; empty = the class default. 全额上网 is refused
        (国能发新能规〔2025〕7号).
    spot_market : bool
        A spot market runs, so 大型工商业 projects may sell surplus (国能发新能规〔2025〕7号), default false.
    zero_export : bool
        Every site is zero-export (防逆流) unless its ``zero_export`` column says otherwise, default false.
    size_to_load : bool
        Scale each zero-export site's capacity down to ``max_curtailment_share`` (``--size-to-load``).
    max_curtailment_share : float
        Target curtailment of a sized site [-], default 0.05 (issue 18; an engineering choice).
    min_share_table : str
        CSV of provincial minimum self-consumption shares (default ``data/min_self_consumption.csv``).
    min_self_consumption_share : float or None
        One minimum for every site, overriding the table.
    transformer_cap_share : float
        PV capacity allowed per kVA of a site's transformer, default 0.8 (Henan rule as reported in
        issue 18; estimate until read in the notice).
    hosting_table : str
        CSV of open hosting capacity by ``grid_area`` (``open_capacity_kw``, optional ``zone``).
    load_profile_dir : str
        Folder that relative ``load_profile_file`` paths are read from (default: the working folder).
    """

    province: str = "湖北"
    mode: str = ""
    spot_market: bool = False
    zero_export: bool = False
    size_to_load: bool = False
    max_curtailment_share: float = field(default=0.05, metadata=accepts(0, 1, open=(False, True), unit="-",
                                                                         fraction=True))
    min_share_table: str = ""
    min_self_consumption_share: float | None = field(default=None, metadata=accepts(0, 1, unit="-", fraction=True))
    transformer_cap_share: float = field(default=0.8, metadata=accepts(0, 2, open=(True, False), unit="kWp/kVA"))
    hosting_table: str = ""
    load_profile_dir: str = ""

    def __post_init__(self):
        if self.mode and gr.canonical_mode(self.mode) == gr.FULL_EXPORT:
            raise gr.GridRuleError(f"mode = {self.mode!r} is refused: {gr.RULE_MODES}")


def export_price(commissioned: str, market_cny_per_kwh: float, existing_cny_per_kwh: float) -> float:
    """Export price of a project by its commissioning date (发改价格〔2025〕136号): from 1 June 2025 the market
    price (an input; default an estimate), before it the existing projects' price (coal benchmark)."""
    d = date.fromisoformat(str(commissioned))
    return float(market_cny_per_kwh if d >= date(2025, 6, 1) else existing_cny_per_kwh)


def _first(g, col):
    return g[col].first() if col in g.obj.columns else None


def site_inputs(surfaces: pd.DataFrame) -> pd.DataFrame:
    """One row per site (index site_id, sorted) of what :func:`site_flows` needs from the surfaces:
    ``capacity_kwp`` (sum), ``annual_load_kwh`` (max), ``category``, ``tariff_cny_per_kwh`` and the
    :data:`SITE_INPUT_COLUMNS` given (first non-empty value)."""
    g = surfaces.groupby("site_id", sort=True)
    out = pd.DataFrame({"capacity_kwp": g["capacity_kwp"].sum()})
    out["annual_load_kwh"] = g["annual_load_kwh"].max() if "annual_load_kwh" in surfaces else np.nan
    out["category"] = g["category"].first() if "category" in surfaces else "other"
    out["tariff_cny_per_kwh"] = g["tariff_cny_per_kwh"].first() if "tariff_cny_per_kwh" in surfaces else np.nan
    for c in SITE_INPUT_COLUMNS:
        if c in surfaces:
            s = surfaces[c].where(surfaces[c].astype(str).str.strip().ne("") & surfaces[c].notna())
            out[c] = s.groupby(surfaces["site_id"]).first()
    return out


def _num(df: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(df[col], errors="coerce").to_numpy(float) if col in df else np.full(len(df), np.nan)


def site_loads(inputs: pd.DataFrame, load_dir: str = "") -> tuple[np.ndarray, list[str], list[str]]:
    """Hourly load [kWh] (sites, 8760), its source per site, and a flag per site.

    A measured profile (``load_profile_file``) replaces the category shape; monthly bills scale the shape
    month by month; otherwise ``annual_load_kwh`` scales it. No load at all gives zeros (flagged).
    """
    n = len(inputs)
    loads = np.zeros((n, 8760))
    source, flags = [], []
    monthly = np.column_stack([_num(inputs, c) for c in MONTHLY_LOAD_COLUMNS])
    annual = _num(inputs, "annual_load_kwh")
    files = inputs["load_profile_file"] if "load_profile_file" in inputs else pd.Series([None] * n)
    cats = np.array([c if c in _SHAPED else "other" for c in inputs["category"]], dtype=object)
    has_file = np.array([isinstance(f, str) and bool(f.strip()) for f in files], bool)
    has_bills = ~np.isnan(monthly).all(axis=1)
    # the common case, the category shape scaled to annual_load_kwh, for a whole category at once
    plain = ~has_file & ~has_bills & (annual > 0)
    for cat in set(cats[plain]):
        rows = np.flatnonzero(plain & (cats == cat))
        loads[rows] = annual[rows, None] * load_shape(cat)[None, :]
    for i, (cat, f) in enumerate(zip(cats, files)):
        if plain[i]:
            source.append("category shape scaled to annual_load_kwh")
            flags.append("")
            continue
        shape = load_shape(cat)
        flag = ""
        if has_file[i]:
            p = Path(f.strip())
            p = p if p.is_absolute() or not load_dir else Path(load_dir) / p
            try:
                loads[i] = measured_load(p)
                source.append(f"measured ({p.name})")
                flags.append("")
                continue
            except ValueError as exc:
                flag = f"load_profile_file not used: {exc}; "
        if not np.isnan(monthly[i]).all():
            loads[i] = scale_to_months(shape, monthly[i])
            source.append("category shape scaled to monthly bills")
        elif annual[i] > 0:
            loads[i] = annual[i] * shape
            source.append("category shape scaled to annual_load_kwh")
        else:
            source.append("none")
            flag += "no load given (annual_load_kwh, monthly bills or a profile): nothing is self-consumed; "
        flags.append(flag)
    return loads, source, flags


def site_flows(pv_hourly_kwh: np.ndarray, inputs: pd.DataFrame, schedule: tf.TouSchedule, grid: GridParams,
               export_price_cny_per_kwh: float, default_tariff_cny_per_kwh: float,
               min_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Class, mode, energy flows and time-of-use value for a chunk of sites.

    Parameters
    ----------
    pv_hourly_kwh : array (sites, 8760)
        Hourly AC of each site at its proposed capacity [kWh], rows in the order of ``inputs``.
    inputs : DataFrame
        From :func:`site_inputs` (index site_id).
    schedule : TouSchedule
    grid : GridParams
    export_price_cny_per_kwh, default_tariff_cny_per_kwh : float

    Returns
    -------
    DataFrame (index of ``inputs``)
        ``grid_class``, ``connection_voltage_kv``, ``allowed_modes``, ``grid_mode``, ``zero_export``,
        ``load_source``, ``capacity_scale`` (1, or the size-to-load factor), ``generated_kwh`` (at the
        scaled capacity), ``self_consumed_kwh``, ``export_kwh``, ``curtailed_kwh``, ``curtailed_value_cny``
        (at the export price), ``self_consumed_value_cny`` and ``self_consumed_value_<period>_cny`` for each
        period in :data:`~solarplan.pv.tariffs.PERIODS`, ``self_consumed_value_cny_per_kwh``,
        ``export_price_cny_per_kwh``, ``export_revenue_cny``, ``tou_schedule``,
        ``min_self_consumption_share``, ``max_compliant_kwp``, ``size_to_load_kwp``,
        ``transformer_cap_kwp``, ``grid_flags``.
    """
    n = len(inputs)
    pv = np.asarray(pv_hourly_kwh, float).reshape(n, 8760)
    cap = inputs["capacity_kwp"].to_numpy(float)
    cls = gr.classify(cap, _num(inputs, "connection_voltage_kv"), grid.spot_market)
    loads, load_src, load_flags = site_loads(inputs, grid.load_profile_dir)
    modes, flags = [], []
    requested = inputs["grid_mode"] if "grid_mode" in inputs else pd.Series([None] * n)
    for c, req, cf, lf in zip(cls["grid_class"], requested, cls["class_flag"], load_flags):
        f = [x for x in (cf, lf.rstrip("; ")) if x]
        try:
            mode, mf = gr.resolve_mode(c, req if gr.canonical_mode(req) else (grid.mode or None), grid.spot_market)
        except gr.GridRuleError as exc:
            mode, mf = gr.resolve_mode(c, grid.mode or None, grid.spot_market)
            f.append(f"grid_mode ignored: {exc}")
        if mf:
            f.append(mf)
        modes.append(mode)
        flags.append(f)
    ze_col = inputs["zero_export"] if "zero_export" in inputs else pd.Series([None] * n)
    zero = np.array([grid.zero_export if (v is None or (isinstance(v, float) and np.isnan(v)))
                     else str(v).strip().lower() in _TRUE for v in ze_col], bool)
    export_ok = np.array([m == gr.SURPLUS_EXPORT for m in modes]) & ~zero
    # size to load: zero-export (or self-use-only) sites scaled to the target curtailment
    scale = np.ones(n)
    size_k = gr.largest_capacity_for_share(pv, loads, 1.0 - grid.max_curtailment_share)
    if grid.size_to_load:
        scale = np.where(~export_ok, size_k, 1.0)
    pv_s = pv if (scale == 1.0).all() else pv * scale[:, None]
    # the yearly sums of gridrules.energy_flows and tariffs.value_by_period in one pass, no hourly array
    generated, self_used, weighted = gr.flow_sums(pv_s, loads, schedule.period_index, schedule.multiplier,
                                                  len(tf.PERIODS))
    surplus = np.maximum(generated - self_used, 0.0)
    flows = gr.Flows(generated, self_used, np.where(export_ok, surplus, 0.0), np.where(export_ok, 0.0, surplus),
                     None)
    tariff = inputs["tariff_cny_per_kwh"].astype(float).fillna(default_tariff_cny_per_kwh).to_numpy()
    by_period = weighted * tariff[:, None]
    out = pd.DataFrame(index=inputs.index)
    out["grid_class"] = cls["grid_class"].to_numpy()
    out["connection_voltage_kv"] = cls["connection_voltage_kv"].to_numpy()
    out["allowed_modes"] = cls["allowed_modes"].to_numpy()
    out["grid_mode"] = modes
    out["zero_export"] = zero
    out["load_source"] = load_src
    out["capacity_scale"] = scale
    out["generated_kwh"] = flows.generated_kwh
    out["self_consumed_kwh"] = flows.self_consumed_kwh
    out["export_kwh"] = flows.export_kwh
    out["curtailed_kwh"] = flows.curtailed_kwh
    out["curtailed_value_cny"] = flows.curtailed_kwh * export_price_cny_per_kwh
    out["self_consumed_value_cny"] = by_period.sum(axis=1)
    for j, p in enumerate(tf.PERIODS):
        out[f"self_consumed_value_{p}_cny"] = by_period[:, j]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["self_consumed_value_cny_per_kwh"] = np.where(flows.self_consumed_kwh > 0, by_period.sum(axis=1) /
                                                          flows.self_consumed_kwh, np.nan)
        share = np.where(flows.generated_kwh > 0, flows.self_consumed_kwh / flows.generated_kwh, np.nan)
    out["export_price_cny_per_kwh"] = export_price_cny_per_kwh
    out["export_revenue_cny"] = flows.export_kwh * export_price_cny_per_kwh
    out["tou_schedule"] = schedule.name
    # provincial minimum self-consumption share (一般工商业, 自发自用余电上网)
    prov = inputs["province"].fillna(grid.province) if "province" in inputs else pd.Series(grid.province, index=inputs.index)
    table = min_table if min_table is not None else gr.min_share_table(grid.min_share_table or None)
    pairs = list(zip(prov, out["grid_class"]))
    looked_up = {} if grid.min_self_consumption_share is not None else \
        {pc: gr.min_share(*pc, table)[0] for pc in set(pairs)}  # once per province and class, not per site
    mins = np.array([grid.min_self_consumption_share if grid.min_self_consumption_share is not None
                     else looked_up[pc] for pc in pairs], float)
    mins = np.where(np.array(modes) == gr.SURPLUS_EXPORT, mins, np.nan)
    out["min_self_consumption_share"] = mins
    k_min = gr.largest_capacity_for_share(pv_s, loads, mins)
    out["max_compliant_kwp"] = np.where(np.isnan(mins), np.nan, k_min * cap * scale)
    out["size_to_load_kwp"] = size_k * cap
    tcap = gr.transformer_cap_kwp(_num(inputs, "transformer_kva"), grid.transformer_cap_share)
    out["transformer_cap_kwp"] = tcap
    for i in range(n):
        if not np.isnan(mins[i]) and share[i] < mins[i] - 1e-9:
            flags[i].append(f"self-consumption {share[i]:.0%} below the {prov.iloc[i]} minimum {mins[i]:.0%}: "
                            f"largest compliant capacity {out['max_compliant_kwp'].iloc[i]:,.0f} kWp")
        if tcap[i] < cap[i] * scale[i] - 1e-9:
            flags[i].append(f"{cap[i] * scale[i]:,.0f} kWp exceeds {grid.transformer_cap_share:.0%} of the "
                            f"{tcap[i] / grid.transformer_cap_share:,.0f} kVA transformer ({tcap[i]:,.0f} kWp)")
        if zero[i] and flows.generated_kwh[i] > 0 and flows.curtailed_kwh[i] / flows.generated_kwh[i] > \
                grid.max_curtailment_share + 1e-9 and not grid.size_to_load:
            flags[i].append(f"zero export curtails {flows.curtailed_kwh[i] / flows.generated_kwh[i]:.0%}; "
                            f"{size_k[i] * cap[i]:,.0f} kWp keeps it to {grid.max_curtailment_share:.0%} "
                            "(--size-to-load)")
    out["grid_flags"] = ["; ".join(f) for f in flags]
    return out


def params_metadata(tariffs: TariffParams, grid: GridParams, schedule: tf.TouSchedule) -> pd.DataFrame:
    """The tariff and grid assumptions with their sources, for the assumptions sheet."""
    rows = [dict(group="tariffs", parameter="schedule", value=schedule.name,
                 source=f"{schedule.meta.get('document', '')}; periods: {schedule.meta.get('periods_source', '')} "
                        f"({schedule.meta.get('status', '')})"),
            dict(group="tariffs", parameter="ratios", value=str(sorted(set(np.round(schedule.ratio, 3)))),
                 source=schedule.meta.get("ratios_source", "")),
            dict(group="tariffs", parameter="floating_share", value=str(schedule.floating_share),
                 source=schedule.meta.get("floating_share_source", "input"))]
    src = {"province": "input", "mode": "国能发新能规〔2025〕7号 (class default when empty)",
           "spot_market": "国能发新能规〔2025〕7号", "zero_export": "GB/T 29319-2012 (input)",
           "size_to_load": "input", "max_curtailment_share": "issue 18 (engineering choice)",
           "min_share_table": "data/min_self_consumption.csv (reported figures, estimates)",
           "min_self_consumption_share": "input", "transformer_cap_share":
               "Henan 80 % rule as reported in issue 18 (estimate)", "hosting_table": "input",
           "load_profile_dir": "input"}
    rows += [dict(group="grid", parameter=f.name, value=str(getattr(grid, f.name)), source=src.get(f.name, ""))
             for f in fields(grid)]
    return pd.DataFrame(rows)


def apply_site_flows(sites: pd.DataFrame, flows: pd.DataFrame, grid: GridParams,
                     hosting: pd.DataFrame | None = None) -> pd.DataFrame:
    """Join the per-site flows to the sites; scale sized sites; add hosting-capacity columns and flags.

    Parameters
    ----------
    sites : DataFrame
        One row per site (``site_id``, ``capacity_kwp``, energies, ``capex_cny``, ``kwp_<type>``).
    flows : DataFrame
        :func:`site_flows` of every site (``solarplan.pv.sitesim.simulate_with_flows``), indexed by site_id; ``capacity_scale`` is the factor a site's
        capacity was sized by (``size_to_load``, minimum self-consumption), 1 otherwise.
    grid : GridParams
    hosting : DataFrame, optional
        County/substation open-capacity table (:func:`solarplan.pv.gridrules.hosting_zones`).

    Returns
    -------
    DataFrame: ``proposed_kwp`` keeps the capacity before sizing; capacity, energies, capex and the
    per-type capacities are scaled; with a hosting table, ``hosting_zone`` and ``hosting_capped_kwp``
    and a flag where the open capacity is below the site's.
    """
    sites = sites.join(flows, on="site_id")
    k = sites["capacity_scale"].fillna(1.0).to_numpy()
    sites["proposed_kwp"] = sites["capacity_kwp"]
    for c in ["capacity_kwp", "annual_ac_kwh", "p50_ac_kwh", "p90_ac_kwh", "capex_cny", *MONTH_COLUMNS,
              *[c for c in sites.columns if c.startswith("kwp_")]]:
        if c in sites:
            sites[c] = sites[c] * k
    if hosting is not None:
        sites = sites.join(gr.hosting_zones(sites, hosting))
        over = sites["hosting_capped_kwp"] < sites["capacity_kwp"] - 1e-9
        sites.loc[over, "grid_flags"] = sites.loc[over].apply(
            lambda r: "; ".join(x for x in (r["grid_flags"], f"hosting capacity {r['hosting_zone']}: "
                                            f"{r['hosting_capped_kwp']:,.0f} kWp open to this site") if x), axis=1)
    return sites
