"""Site packages (分类打包) and a transparent ranking (pure).

Grouping: sites are grouped by category (after an optional mapping, e.g. venues
with agencies) and, by default, district; each group is split into geographic
packages in a projected CRS (UTM, :func:`solarplan.core.geometry`) by complete-linkage
clustering, so no two sites of a package lie further apart than ``max_spread_km``.
Packages above ``max_package_mw`` or ``max_sites`` are bisected along their longer
axis; packages below ``min_package_mw`` are merged into the nearest package of the
same group when the merged package keeps within every bound; what still falls
short is excluded with the reason. Sites are excluded first when data are missing,
their capacity is below ``min_site_kwp`` or their specific yield below
``min_specific_yield``. Every site ends in exactly one package or in the excluded list.

Ranking: each criterion is scaled to 0-1 across the candidates (min-max; reversed
where lower is better) and the score is ``100 × Σ w_i x_i / Σ w_i``; the
contribution of each criterion (``score_<criterion>``) is reported and they add
up to the score. Ties are broken by id. Default weights are estimates to be set
by the office: specific yield 3, IRR 3, capacity 2, self-consumption 1, LCOE 1,
roof type 1, retrofit tce saved 1 (when buildings are given).

Roof type: the capacity-weighted mean of a score per surface type
(:data:`ROOF_SCORES`, ``[packages] roof_scores``), for how simply and safely a
contractor can build and keep a plant there for 25 years.

References
----------
.. [1] Müllner, D. (2011). Modern hierarchical, agglomerative clustering algorithms.
   arXiv:1109.2378 (complete linkage as in scipy.cluster.hierarchy).
.. [2] Package sizes: the source documents bundle 17 and 138 institutions into one
   contract (shared/context/seeds/000, 003); the default bounds (1-20 MW, at most 60
   sites, 15 km) are estimates of what one contractor can build and run.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd
import geopandas as gpd
from pyproj import CRS, Transformer
from scipy.cluster.hierarchy import fcluster, linkage

from solarplan.core.errors import ConfigError, InputError
from solarplan.core.geometry import utm_epsg
from solarplan.pv import gridrules as gr
from solarplan.core.limits import accepts
from solarplan.core.progress import step_progress

#: criterion -> (site column, higher is better)
CRITERIA = MappingProxyType({
    "specific_yield": ("specific_yield_kwh_per_kwp", True), "irr": ("irr", True),
    "capacity": ("capacity_kwp", True), "self_consumption": ("self_consumption_share", True),
    "lcoe": ("lcoe_cny_per_kwh", False), "roof_type": ("roof_score", True),
    "retrofit_tce": ("retrofit_saved_tce", True),
})
DEFAULT_WEIGHTS = MappingProxyType({"specific_yield": 3.0, "irr": 3.0, "capacity": 2.0, "self_consumption": 1.0,
                                    "lcoe": 1.0, "roof_type": 1.0, "retrofit_tce": 1.0})
#: Ease of building on each surface type, 0-1 (estimates): a flat concrete roof takes ballasted
#: rows without touching the waterproofing much (1.0); a carport is a new steel structure but no
#: roof risk (0.8); a colour-steel roof needs a load check and often outlives its sheets by less than
#: the plant's 25 years (0.6); a pitched tile roof needs hooks through the tiles and scaffolding (0.4).
ROOF_SCORES = MappingProxyType({"flat_roof": 1.0, "carport": 0.8, "metal_roof": 0.6, "pitched_roof": 0.4})
SUM_COLUMNS = ("capacity_kwp", "annual_ac_kwh", "p90_ac_kwh", "capex_cny", "annual_tce", "annual_co2_t",
               "self_consumed_kwh", "export_kwh", "curtailed_kwh", "self_consumed_value_cny", "export_revenue_cny",
               "retrofit_saved_tce", "retrofit_saved_co2_t", "retrofit_saved_cny")


@dataclass(frozen=True)
class PackageRules:
    """Bounds and weights (section ``[packages]`` of plan.toml). Defaults are estimates [2]_."""

    category_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({"venue": "agency"}),
                                            metadata={"open_keys": True})
    by_district: bool = True
    min_package_mw: float = field(default=1.0, metadata=accepts(0, 1e4, unit="MW"))
    max_package_mw: float = field(default=20.0, metadata=accepts(0, 1e4, open=(True, False), unit="MW"))
    max_sites: int = field(default=60, metadata=accepts(1, 1e6, unit="sites"))
    max_spread_km: float = field(default=15.0, metadata=accepts(0, 2000, open=(True, False), unit="km"))
    min_site_kwp: float = field(default=5.0, metadata=accepts(0, 1e5, unit="kWp"))
    min_specific_yield: float = field(default=700.0, metadata=accepts(0, 3000, unit="kWh/kWp"))
    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS, metadata=accepts(0, 1e3))
    roof_scores: Mapping[str, float] = field(default_factory=lambda: ROOF_SCORES, metadata=accepts(0, 1))

    def __post_init__(self):
        if not self.min_package_mw <= self.max_package_mw:
            raise ConfigError(f"min_package_mw ({self.min_package_mw}) must not exceed max_package_mw "
                              f"({self.max_package_mw})")
        unknown = set(self.weights) - set(CRITERIA)
        if unknown:
            raise ConfigError(f"unknown weight(s) {sorted(unknown)}; valid: {', '.join(CRITERIA)}")
        if not sum(self.weights.values()) > 0:
            raise ConfigError("at least one ranking weight must be above 0")


@dataclass(frozen=True)
class Packaging:
    """Result: sites with package_id (packaged sites only), package table, excluded sites with ``excluded_reason``."""

    sites: pd.DataFrame
    packages: pd.DataFrame
    excluded: pd.DataFrame


def _xy(lat, lon) -> np.ndarray:
    """Projected metres in the UTM zone of the group's centre (never degrees)."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    crs = CRS.from_epsg(int(utm_epsg(np.mean(lon), np.mean(lat))))
    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat)
    return np.column_stack([x, y])


def _diameter_km(xy: np.ndarray) -> float:
    if len(xy) < 2:
        return 0.0
    if len(xy) > 2000:  # bounding-box diagonal bounds the diameter from above
        return float(np.hypot(*(xy.max(0) - xy.min(0)))) / 1000
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    return float(d.max()) / 1000


#: Largest group clustered by complete linkage in one piece: its condensed distance matrix is
#: n(n-1)/2 float64 (36 MB at 3,000 sites); larger groups are first cut into grid cells.
LINKAGE_MAX_SITES = 3000


def _cluster(xy: np.ndarray, spread_km: float) -> np.ndarray:
    """Complete-linkage labels with a diameter bound; large groups are first cut into grid cells.

    A group above :data:`LINKAGE_MAX_SITES` is cut into square cells of side ``spread_km / sqrt 2`` (so
    that a cell's diagonal is the bound) and each cell is clustered on its own. A cell still above the
    limit (a dense city centre) already keeps within the bound as a whole, so it becomes one cluster,
    which :func:`_bisect` then splits by capacity and site count: no step repeats without progress, and
    memory stays below the limit's distance matrix whatever the number of sites.
    """
    n = len(xy)
    if n == 1:
        return np.zeros(1, int)
    if n <= LINKAGE_MAX_SITES:
        z = linkage(xy, method="complete")
        return fcluster(z, t=spread_km * 1000, criterion="distance") - 1
    cell = spread_km * 1000 / np.sqrt(2)
    keys = np.floor((xy - xy.min(0)) / cell).astype(np.int64)
    _, cells = np.unique(keys, axis=0, return_inverse=True)
    cells = np.asarray(cells).ravel()
    labels = np.zeros(n, int)
    nxt = 0
    order = np.argsort(cells, kind="stable")
    bounds = np.flatnonzero(np.diff(cells[order])) + 1
    for idx in np.split(order, bounds):
        sub = _cluster(xy[idx], spread_km) if len(idx) <= LINKAGE_MAX_SITES else np.zeros(len(idx), int)
        labels[idx] = sub + nxt
        nxt += sub.max() + 1
    return labels


def _bisect(idx: np.ndarray, xy: np.ndarray, cap: np.ndarray, rules: PackageRules) -> list[np.ndarray]:
    """Split a package above the capacity or site bound along its longer axis at the capacity median."""
    if len(idx) <= 1 or (cap[idx].sum() <= rules.max_package_mw * 1000 and len(idx) <= rules.max_sites):
        return [idx]
    p = xy[idx]
    axis = int(np.argmax(p.max(0) - p.min(0)))
    order = idx[np.argsort(p[:, axis], kind="stable")]
    c = np.cumsum(cap[order])
    k = int(np.clip(np.searchsorted(c, c[-1] / 2), 1, len(order) - 1))
    return _bisect(order[:k], xy, cap, rules) + _bisect(order[k:], xy, cap, rules)


def _merge_small(groups: list[np.ndarray], xy, cap, rules: PackageRules) -> list[np.ndarray]:
    """Merge packages under the minimum into the nearest neighbour while every bound holds.

    Passes over the small packages, smallest first, until a pass merges nothing; only neighbours whose
    centroid lies within the spread bound are tried (a necessary condition for the merged diameter).
    """
    groups = list(groups)
    min_kw, max_kw = rules.min_package_mw * 1000, rules.max_package_mw * 1000
    while True:
        cent = np.array([xy[g].mean(0) for g in groups])
        caps = np.array([cap[g].sum() for g in groups])
        alive = np.ones(len(groups), bool)
        merged_any = False
        for i in np.argsort(caps, kind="stable"):
            if not alive[i] or caps[i] >= min_kw:
                continue
            d = np.hypot(*(cent - cent[i]).T)
            d[i] = np.inf
            d[~alive] = np.inf
            for j in np.argsort(d, kind="stable"):
                if d[j] > rules.max_spread_km * 1000:
                    break
                m = np.concatenate([groups[i], groups[j]])
                if caps[i] + caps[j] <= max_kw and len(m) <= rules.max_sites \
                        and _diameter_km(xy[m]) <= rules.max_spread_km:
                    groups[j] = m
                    caps[j] += caps[i]
                    cent[j] = xy[m].mean(0)
                    alive[i] = False
                    merged_any = True
                    break
        groups = [g for g, a in zip(groups, alive) if a]
        if not merged_any:
            return groups


def _mw_below(kw: float, limit_mw: float) -> str:
    """A capacity below ``limit_mw`` in MW, with two decimals unless these print it equal to the limit: then
    as many more as it takes (999.6 kW under 1 MW is "0.9996", not "1.00"); rounded down at six."""
    for digits in range(2, 7):
        text = f"{kw / 1000:.{digits}f}"
        if float(text) < float(f"{limit_mw:g}"):
            return text
    return f"{math.floor(kw) / 1000:.6f}"


def _exclusions(sites: pd.DataFrame, rules: PackageRules) -> pd.Series:
    reason = pd.Series("", index=sites.index, dtype=object)
    need = ["lat", "lon", "capacity_kwp", "annual_ac_kwh", "specific_yield_kwh_per_kwp"]
    for c in need:
        miss = sites[c].isna() if c in sites else pd.Series(True, index=sites.index)
        reason[(reason == "") & miss] = f"missing data: {c}"
    cap = sites["capacity_kwp"].fillna(0)
    reason[(reason == "") & (cap < rules.min_site_kwp)] = f"capacity below {rules.min_site_kwp:g} kWp"
    sy = sites["specific_yield_kwh_per_kwp"].fillna(0)
    reason[(reason == "") & (sy < rules.min_specific_yield)] = \
        f"poor specific yield (< {rules.min_specific_yield:g} kWh/kWp)"
    return reason


def roof_score(table: pd.DataFrame, scores: Mapping[str, float] = ROOF_SCORES) -> pd.Series:
    """Capacity-weighted roof-type score of each row from its ``kwp_<surface type>`` columns (NaN without them)."""
    cols = [c for c in table.columns if c.startswith("kwp_") and c[4:] in scores]
    if not cols:
        return pd.Series(np.nan, index=table.index)
    kwp = table[cols].fillna(0.0).to_numpy(float)
    weights = np.array([scores[c[4:]] for c in cols])
    total = kwp.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(np.where(total > 0, kwp @ weights / total, np.nan), index=table.index)


def score(table: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Score 0-100 and the contribution of each criterion (columns score, score_<criterion>)."""
    used = {k: w for k, w in weights.items() if w > 0 and CRITERIA[k][0] in table and
            table[CRITERIA[k][0]].notna().any()}
    total_w = sum(used.values())
    out = pd.DataFrame(index=table.index)
    out["score"] = 0.0
    for k, w in used.items():
        col, higher = CRITERIA[k]
        v = pd.to_numeric(table[col], errors="coerce").astype(float)
        lo, hi = v.min(), v.max()
        x = (v - lo) / (hi - lo) if hi > lo else pd.Series(1.0, index=v.index)
        x = (x if higher else 1 - x).fillna(0.0)  # a missing value earns nothing
        out[f"score_{k}"] = 100 * w / total_w * x
        out["score"] += out[f"score_{k}"]
    return out


def _rank(df: pd.DataFrame, key: str) -> pd.Series:
    order = df.sort_values(["score", key], ascending=[False, True], kind="stable").index
    return pd.Series(np.arange(1, len(df) + 1), index=order).reindex(df.index)


def make_packages(sites: pd.DataFrame, rules: PackageRules = PackageRules()) -> Packaging:
    """Group sites into packages, rank sites and packages (see the module docstring).

    Reports progress (step ``packaging``, groups done of total) through :mod:`solarplan.core.progress`.
    """
    s = sites.reset_index(drop=True).copy()
    s["roof_score"] = roof_score(s, rules.roof_scores)
    reason = _exclusions(s, rules)
    s["group"] = s["category"].map(lambda c: rules.category_map.get(c, c))
    if rules.by_district and "district" in s:
        s["group"] = s["group"] + "/" + s["district"].fillna("").astype(str)
    s["package_id"] = ""
    pk_rows = []
    ok = s.index[reason == ""]
    group_items = list(s.loc[ok].groupby("group", sort=True).groups.items())
    step_progress("packaging", 0, len(group_items))
    xy = np.zeros((len(s), 2))
    cap = s["capacity_kwp"].to_numpy(float)
    for gi, (gname, gidx) in enumerate(group_items, start=1):
        gidx = np.asarray(sorted(gidx))
        xy_g = _xy(s.loc[gidx, "lat"], s.loc[gidx, "lon"])
        xy[gidx] = xy_g  # each group's rows in its own UTM zone; only they are read below
        labels = _cluster(xy_g, rules.max_spread_km)
        groups = []
        for lab in np.unique(labels):
            groups += _bisect(gidx[labels == lab], xy, cap, rules)
        groups = _merge_small(groups, xy, cap, rules)
        groups.sort(key=lambda g: (-cap[g].sum(), str(s.loc[g[0], "site_id"])))
        k = 0
        for g in groups:
            if cap[g].sum() < rules.min_package_mw * 1000:
                reason[g] = (f"package below minimum capacity ({_mw_below(cap[g].sum(), rules.min_package_mw)} MW < "
                             f"{rules.min_package_mw:g} MW, no neighbour it can join within {rules.max_spread_km:g} km and the bounds)")
                continue
            k += 1
            pid = f"{gname}-{k:02d}"
            s.loc[g, "package_id"] = pid
            spread = _diameter_km(xy[g])
            viol = []
            if cap[g].sum() > rules.max_package_mw * 1000 + 1e-6:
                viol.append(f"{pid}: {cap[g].sum() / 1000:.2f} MW exceeds {rules.max_package_mw:g} MW (one site)")
            if spread > rules.max_spread_km + 1e-9:
                viol.append(f"{pid}: spread {spread:.1f} km exceeds {rules.max_spread_km:g} km")
            pk_rows.append(dict(package_id=pid, group=gname, category=gname.split("/")[0],
                                district=gname.split("/")[1] if "/" in gname else "", n_sites=len(g),
                                spread_km=spread, bound_violation="; ".join(viol)))
        step_progress("packaging", gi, len(group_items))
    packaged = s[s["package_id"] != ""].copy()
    excluded = s[s["package_id"] == ""].assign(excluded_reason=reason[s["package_id"] == ""]).drop(columns=["package_id"])
    sc = score(packaged, rules.weights)
    packaged = packaged.join(sc)
    packaged["site_rank"] = _rank(packaged, "site_id")
    pk = pd.DataFrame(pk_rows, columns=["package_id", "group", "category", "district", "n_sites", "spread_km",
                                        "bound_violation"])
    if not len(pk):
        pk = pk.assign(**{c: pd.Series(dtype=float) for c in SUM_COLUMNS if c in s}, score=pd.Series(dtype=float),
                       rank=pd.Series(dtype=int))
    else:
        kwp_cols = [c for c in packaged.columns if c.startswith("kwp_")]
        sums = packaged.groupby("package_id")[[c for c in SUM_COLUMNS if c in packaged] + kwp_cols].sum()
        pk = pk.join(sums, on="package_id")
        pk["roof_score"] = roof_score(pk, rules.roof_scores)
        pk["specific_yield_kwh_per_kwp"] = pk["annual_ac_kwh"] / pk["capacity_kwp"]
        w = packaged["capacity_kwp"]
        for col in ("irr", "lcoe_cny_per_kwh"):
            if col in packaged:
                num = (packaged[col] * w).groupby(packaged["package_id"]).sum(min_count=1)
                pk[col] = pk["package_id"].map(num / w.groupby(packaged["package_id"]).sum())
        if "self_consumed_kwh" in pk:
            pk["self_consumption_share"] = pk["self_consumed_kwh"] / pk["annual_ac_kwh"]
        if "capex_cny" in pk:
            pk["capex_cny_per_w"] = pk["capex_cny"] / (pk["capacity_kwp"] * 1000)
        pk = pk.join(grid_summary(packaged), on="package_id")
        pk = pk.join(score(pk, rules.weights))
        pk["rank"] = _rank(pk, "package_id")
        pk = pk.sort_values("rank").reset_index(drop=True)
        packaged["package_rank"] = packaged["package_id"].map(pk.set_index("package_id")["rank"])
    return Packaging(packaged.drop(columns=["group"]).sort_values(["package_rank", "site_rank"]).reset_index(drop=True)
                     if len(pk) else packaged.drop(columns=["group"]), pk,
                     excluded.drop(columns=["group"]).reset_index(drop=True))


def grid_summary(packaged: pd.DataFrame) -> pd.DataFrame:
    """Grid-connection class of each package and how many of its sites carry grid-rule flags.

    A package is a procurement bundle of sites that each connect to the grid on their own, so the rules of
    国能发新能规〔2025〕7号 apply per site (:mod:`solarplan.pv.gridrules`); a package's ``grid_class`` is the
    most demanding class among its sites (大型工商业 before 一般工商业), so that a package holding one large
    site is not presented as wholly 一般工商业.
    """
    if "grid_class" not in packaged:
        return pd.DataFrame(index=pd.Index([], name="package_id"))
    order = {c: i for i, c in enumerate((gr.NOT_DISTRIBUTED, gr.LARGE_CI, gr.GENERAL_CI))}
    g = packaged.groupby("package_id")
    cls = g["grid_class"].agg(lambda s: min(s.dropna(), key=lambda c: order.get(c, len(order)), default=""))
    flagged = packaged["grid_flags"].fillna("").astype(str).ne("") if "grid_flags" in packaged else \
        pd.Series(False, index=packaged.index)
    return pd.DataFrame({"grid_class": cls, "n_grid_flagged": flagged.groupby(packaged["package_id"]).sum()})


#: Buffer [m] around a package's convex hull so that a one- or two-site package still has an outline
#: (estimate: about a campus's half-width).
OUTLINE_BUFFER_M = 150.0


def package_outlines(packaged_sites: pd.DataFrame, packages: pd.DataFrame) -> gpd.GeoDataFrame:
    """Outline of each package: convex hull of its sites buffered by :data:`OUTLINE_BUFFER_M`.

    Computed in a UTM projection (metres) and returned in WGS84 (EPSG:4326) with the package columns.
    """
    if not len(packaged_sites):
        return gpd.GeoDataFrame(packages.copy(), geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    pts = gpd.GeoDataFrame(packaged_sites[["package_id"]],
                           geometry=gpd.points_from_xy(packaged_sites["lon"], packaged_sites["lat"]), crs=4326)
    utm = pts.estimate_utm_crs()
    hulls = pts.to_crs(utm).dissolve("package_id").geometry.convex_hull.buffer(OUTLINE_BUFFER_M)
    out = gpd.GeoDataFrame(packages.set_index("package_id").join(hulls.rename("geometry")), geometry="geometry",
                           crs=utm).to_crs(4326)
    return out.reset_index()
