"""Folium maps of sites and packages that open offline (folium is imported only here and in briefing).

Sites are circle markers sized by capacity and coloured by package, one layer per
package in a layer control, package outlines with rank labels, a legend, popups
with the key figures, and clustering above ``cluster_above`` sites. The site data
travel as one JSON data block (``<script type="application/json">``, added verbatim so
no user text ever passes through branca's Jinja templates) read with ``textContent``;
popups, labels and the legend are built with ``textContent`` and layer-control names are
HTML-escaped, so a site name is always shown as text, never run. The page carries a strict
Content-Security-Policy (script and style hashes, images from the basemap host only) and
numbered element ids, so the same inputs give the same bytes (see :mod:`solarplan.report.html`).

Basemaps: ``osm``, ``gaode`` (AutoNavi; every overlay is shifted WGS84 -> GCJ-02 so it
lands on its building), ``tianditu`` (key from ``[maps] tianditu_key`` or the
``TIANDITU_KEY`` environment variable; CGCS2000 ~ WGS84, no shift) and ``none``.
``offline=True`` inlines Leaflet and Leaflet.markercluster from ``solarplan/assets``
(pinned, see its MANIFEST.json), so the file makes no request to any other host
apart from basemap tiles (``none`` makes none).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from solarplan.core.errors import ConfigError, InputError
from solarplan.core.atomic import write_text
from solarplan.core.geodatum import wgs84_to_gcj02
from solarplan.io.writers import restore
from solarplan.report.html import RawElement, add_csp, data_block, stable_ids

ASSETS = Path(__file__).parent / "assets"
LEAFLET_CDN = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/"
CLUSTER_CDN = "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist/"
JS = [("leaflet", LEAFLET_CDN + "leaflet.js", "leaflet.js"),
      ("markercluster", CLUSTER_CDN + "leaflet.markercluster.js", "leaflet.markercluster.js")]
CSS = [("leaflet_css", LEAFLET_CDN + "leaflet.css", "leaflet.css"),
       ("cluster_css", CLUSTER_CDN + "MarkerCluster.css", "MarkerCluster.css"),
       ("cluster_default_css", CLUSTER_CDN + "MarkerCluster.Default.css", "MarkerCluster.Default.css")]
#: image hosts each basemap loads tiles from (the Content-Security-Policy allows only these)
TILE_HOSTS = {"osm": ("https://tile.openstreetmap.org",), "gaode": ("https://*.is.autonavi.com",),
              "tianditu": ("https://*.tianditu.gov.cn",), "none": ()}
DATA_ID = "solarplan-data"
TILES = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors", None),
    "gaode": ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
              "© 高德地图 AutoNavi", "1234"),
    "tianditu": ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
                 "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
                 "© 天地图 Tianditu", "01234567"),
    "none": (None, None, None),
}
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd", "#e6550d"]
LABELS = {
    "en": {"excluded": "excluded", "capacity": "Capacity", "yield": "Yield", "payback": "Payback", "score": "Score",
           "package": "Package", "rank": "Rank", "legend": "Packages (rank)"},
    "zh": {"excluded": "未入包", "capacity": "装机", "yield": "年发电量", "payback": "回收期", "score": "评分",
           "package": "项目包", "rank": "排名", "legend": "项目包（排名）"},
}


def load_results(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict | None]:
    """Read a results folder (sites.csv, packages.csv, packages.geojson) or one sites file.

    Returns (sites, packages or empty, package outlines as GeoJSON dict or None).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; give the folder `solarplan demo`/`packages` wrote, "
                         "or a sites.csv")
    folder = path if path.is_dir() else path.parent
    sites_file = path / "sites.csv" if path.is_dir() else path
    if not sites_file.exists():
        raise InputError(f"{folder}: no sites.csv here; run `solarplan packages` or `solarplan demo` first")
    sites = pd.read_csv(sites_file, encoding="utf-8-sig", dtype={"site_id": str, "package_id": str,
                                                                 "name": str})
    for col in ("site_id", "name", "package_id", "category", "district"):   # undo the CSV formula guard
        if col in sites:
            sites[col] = sites[col].map(restore)
    need = {"site_id", "lat", "lon", "capacity_kwp"}
    if not need <= set(sites.columns):
        raise InputError(f"{sites_file}: a sites table needs columns {', '.join(sorted(need))}")
    pk_file, geo = folder / "packages.csv", folder / "packages.geojson"
    packages = pd.read_csv(pk_file, encoding="utf-8-sig") if path.is_dir() and pk_file.exists() else pd.DataFrame()
    if "package_id" in packages:
        packages["package_id"] = packages["package_id"].map(restore)
    outlines = json.loads(geo.read_text(encoding="utf-8")) if path.is_dir() and geo.exists() else None
    return sites, packages, outlines


def _num(v, nd=1):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if not np.isfinite(x) else round(x, nd)


def _shift_geojson(geojson: dict) -> dict:
    """Shift every coordinate of a GeoJSON dict WGS84 -> GCJ-02."""
    def walk(c):
        if isinstance(c[0], (int, float)):
            la, lo = wgs84_to_gcj02(c[1], c[0])
            return [float(lo[0]), float(la[0])]
        return [walk(x) for x in c]
    g = json.loads(json.dumps(geojson))
    for f in g.get("features", []):
        if f.get("geometry"):
            f["geometry"]["coordinates"] = walk(f["geometry"]["coordinates"])
    return g


_SCRIPT = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var D = JSON.parse(document.getElementById('solarplan-data').textContent);
  if (!isFinite(map.getMaxZoom())) { map.setMaxZoom(18); }  // clustering needs it; 'none' tiles set none
  var T = D.labels;
  function esc(t) { return String(t).replace(/[&<>"']/g, function (c) {
    return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]; }); }
  function el(tag, text, style) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text;
    if (style) e.style.cssText = style; return e; }
  function popup(s) {
    var box = el('div'); box.appendChild(el('b', s.name || s.id));
    var rows = [[T.package, s.pkg || T.excluded], [T.capacity, s.mw === null ? '-' : s.mw + ' MW'],
                [T.yield, s.wkwh === null ? '-' : s.wkwh + ' 万kWh'], [T.payback, s.pb === null ? '-' : s.pb + ' yr'],
                [T.score, s.score === null ? '-' : s.score]];
    rows.forEach(function (r) { box.appendChild(el('div', r[0] + ': ' + r[1])); });
    return box;
  }
  var overlays = {}, count = 0, groups = {};
  D.packages.forEach(function (p) {
    groups[p.id] = D.cluster ? L.markerClusterGroup({chunkedLoading: true}) : L.featureGroup();
    overlays[esc((p.rank ? '#' + p.rank + ' ' : '') + p.id)] = groups[p.id];  // Leaflet sets names as HTML
  });
  D.sites.forEach(function (s) {
    var p = D.packages[s.p];
    var m = L.circleMarker([s.lat, s.lon], {radius: s.r, color: p.color, weight: 1, fillOpacity: 0.75});
    m.bindPopup(function () { return popup(s); });
    groups[p.id].addLayer(m); count += 1;
  });
  var all = L.featureGroup();
  D.packages.forEach(function (p) { groups[p.id].addTo(map); all.addLayer(groups[p.id]); });
  if (D.outlines) {
    var ol = L.geoJSON(D.outlines, {style: function (f) { return {color: '#333', weight: 1.5, fill: false, dashArray: '4'}; },
      onEachFeature: function (f, layer) {
        var t = el('span', (f.properties.rank ? '#' + f.properties.rank + ' ' : '') + (f.properties.package_id || ''));
        layer.bindTooltip(t, {permanent: true, direction: 'center', className: 'sp-rank'});
      }});
    ol.addTo(map); overlays[esc(T.package + ' outlines')] = ol;
  }
  L.control.layers(null, overlays, {collapsed: D.packages.length > 12}).addTo(map);
  var legend = L.control({position: 'bottomright'});
  legend.onAdd = function () {
    var box = el('div', undefined, 'background:#fff;padding:6px 8px;font:12px sans-serif;max-height:40vh;overflow:auto');
    box.className = 'sp-legend'; box.appendChild(el('b', T.legend));
    D.packages.forEach(function (p) {
      var row = el('div'); row.appendChild(el('span', '\u25CF ', 'color:' + p.color));
      row.appendChild(document.createTextNode((p.rank ? '#' + p.rank + ' ' : '') + p.id)); box.appendChild(row);
    });
    return box;
  };
  legend.addTo(map);
  if (D.sites.length === 1) { map.setView([D.sites[0].lat, D.sites[0].lon], 15); }
  else if (D.sites.length) {
    map.fitBounds(L.latLngBounds(D.sites.map(function (s) { return [s.lat, s.lon]; })).pad(0.05), {maxZoom: 16});
  }
  window.solarplan = {markerCount: count, packageLayers: groups, clustered: D.cluster};
})();
{% endmacro %}
""")


class _SiteLayer(JSCSSMixin, MacroElement):
    """The site layer's script: fixed code only; the data are in the JSON block ``DATA_ID``."""

    def __init__(self):
        super().__init__()
        self._name = "SolarplanSites"
        self._template = _SCRIPT


def build_map(sites: pd.DataFrame, packages: pd.DataFrame | None = None, outlines: dict | None = None, *,
              tiles: str = "osm", lang: str = "zh", cluster_above: int = 1000,
              tianditu_key: str | None = None) -> folium.Map:
    """A folium map of the sites (see the module docstring)."""
    if tiles not in TILES:
        raise ConfigError(f"unknown tiles {tiles!r}; valid: {', '.join(TILES)}")
    if lang not in LABELS:
        raise ConfigError(f"--lang must be zh or en, not {lang!r}")
    s = sites.copy()
    lat, lon = s["lat"].to_numpy(float), s["lon"].to_numpy(float)
    if tiles == "gaode":
        lat, lon = wgs84_to_gcj02(lat, lon)
        outlines = _shift_geojson(outlines) if outlines else None
    pk_ids = s["package_id"].fillna("").astype(str) if "package_id" in s else pd.Series("", index=s.index)
    rank = {}
    if packages is not None and len(packages) and "rank" in packages:
        rank = dict(zip(packages["package_id"].astype(str), packages["rank"].astype(int)))
    order = sorted({p for p in pk_ids if p}, key=lambda p: (rank.get(p, 10**9), p))
    if (pk_ids == "").any():
        order.append("")
    pk_list = [{"id": p or LABELS[lang]["excluded"], "rank": rank.get(p), "color": PALETTE[i % len(PALETTE)] if p
                else "#888888"} for i, p in enumerate(order)]
    index = {p: i for i, p in enumerate(order)}
    cap = s["capacity_kwp"].to_numpy(float)
    radius = np.clip(3 + 2.5 * np.sqrt(np.nan_to_num(cap) / 100), 3, 18)
    rows = []
    pb = s["simple_payback_yr"] if "simple_payback_yr" in s else pd.Series(np.nan, index=s.index)
    sc = s["score"] if "score" in s else pd.Series(np.nan, index=s.index)
    ac = s["annual_ac_kwh"] if "annual_ac_kwh" in s else pd.Series(np.nan, index=s.index)
    names = s["name"].fillna("").astype(str) if "name" in s else s["site_id"].astype(str)
    for i in range(len(s)):
        rows.append({"id": str(s["site_id"].iat[i]), "name": names.iat[i], "lat": round(float(lat[i]), 6),
                     "lon": round(float(lon[i]), 6), "r": round(float(radius[i]), 1), "p": index[pk_ids.iat[i]],
                     "pkg": pk_ids.iat[i], "mw": _num(cap[i] / 1000, 3), "wkwh": _num(ac.iat[i] / 1e4, 1),
                     "pb": _num(pb.iat[i], 1), "score": _num(sc.iat[i], 1)})
    payload = data_block(DATA_ID, {"sites": rows, "packages": pk_list, "outlines": outlines, "cluster": len(s) > cluster_above,
                          "labels": LABELS[lang]})
    center = [float(np.nanmean(lat)), float(np.nanmean(lon))] if len(s) else [32.6, 110.8]
    url, attr, subs = TILES[tiles]
    if tiles == "tianditu":
        key = tianditu_key or os.environ.get("TIANDITU_KEY")
        if not key:
            raise ConfigError("tianditu tiles need a key: set [maps] tianditu_key in plan.toml or the TIANDITU_KEY "
                              "environment variable (free from console.tianditu.gov.cn), or use --tiles osm|gaode|none")
        if not re.fullmatch(r"[A-Za-z0-9]{1,128}", str(key)):
            raise ConfigError("the tianditu key must be the 32 letters and digits from console.tianditu.gov.cn "
                              f"(got {len(str(key))} characters including other signs)")
        url = url.replace("{key}", key)
    m = folium.Map(location=center, zoom_start=11, tiles=None, control_scale=True, prefer_canvas=False)
    m.default_js = [(n, u) for n, u, _ in JS[:1]]
    m.default_css = [(n, u) for n, u, _ in CSS[:1]]
    if url:
        kw = {"subdomains": subs} if subs else {}
        folium.TileLayer(url, attr=attr, name=tiles, max_zoom=18, **kw).add_to(m)
    m.get_root().html.add_child(RawElement(payload), name=DATA_ID)
    layer = _SiteLayer()
    layer.default_js = [(n, u) for n, u, _ in JS[1:]]
    layer.default_css = [(n, u) for n, u, _ in CSS[1:]]
    layer.add_to(m)
    m.get_root().header.add_child(RawElement(
        "<style>.sp-rank{background:rgba(255,255,255,.85);border:0;font:bold 12px sans-serif;box-shadow:none}</style>"),
        name="solarplan-style")
    m.solarplan_img_hosts = TILE_HOSTS[tiles]
    return m


def render(m: folium.Map, offline: bool = False) -> str:
    """The map's HTML with its Content-Security-Policy; with ``offline`` every script and stylesheet
    inlined (no other host contacted)."""
    stable_ids(m.get_root())
    html = m.get_root().render()
    if offline:
        html = _inline_assets(html)
    return add_csp(html, getattr(m, "solarplan_img_hosts", ()))


def _inline_assets(html: str) -> str:
    for _, url, fname in JS:
        code = (ASSETS / fname).read_text(encoding="utf-8").replace("</script", "<\\/script")
        html = html.replace(f'<script src="{url}"></script>', f"<script>/* {fname} (inlined) */\n{code}\n</script>")
    for _, url, fname in CSS:
        css = (ASSETS / fname).read_text(encoding="utf-8")
        html = re.sub(rf'<link rel="stylesheet" href="{re.escape(url)}"\s*/?>', lambda _m, c=css: f"<style>{c}</style>",
                      html)
    left = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
    if left:
        raise RuntimeError(f"offline map still references {left}")  # a bug, not a user mistake
    return html


def write_map(results: str | Path, out: str | Path, *, tiles: str = "osm", offline: bool = False, lang: str = "zh",
              tianditu_key: str | None = None) -> Path:
    """Read results and write the map HTML."""
    sites, packages, outlines = load_results(results)
    m = build_map(sites, packages, outlines, tiles=tiles, lang=lang, tianditu_key=tianditu_key)
    return write_text(out, render(m, offline))
