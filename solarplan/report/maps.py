"""Folium maps of sites and packages that open offline (folium is imported only here and in briefing).

Sites are circle markers sized by capacity and coloured by package, one layer per
package in a layer control, package outlines with rank labels, a legend, popups
with the key figures, and clustering above ``cluster_above`` sites. The site data
travel as one JSON data block (``<script type="application/json">``, put in after branca
has rendered, so no user text ever passes through its Jinja templates) read with
``textContent``; popups, labels and the legend are built with ``textContent`` and
layer-control names are HTML-escaped, so a site name is always shown as text, never run.
The page carries a strict Content-Security-Policy (script and style hashes, images from the
basemap host only) and numbered element ids, so the same inputs give the same bytes (see
:mod:`solarplan.report.html`).

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
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from solarplan.core.errors import ConfigError, InputError
from solarplan.core.atomic import write_text
from solarplan.core.geodatum import wgs84_to_gcj02
from solarplan.io.writers import restore
from solarplan.report.html import add_csp, safe_json, stable_ids
from solarplan.core.i18n import TEXT, check_lang, energy, package_label, value_label
from solarplan.report.basemap import ATTRIBUTION, basemap_for

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
TILES = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors", None),
    "gaode": ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
              "© 高德地图 AutoNavi", "1234"),
    "tianditu": ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
                 "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
                 "© 天地图 Tianditu", "01234567"),
    "none": (None, None, None),
}
#: Kelly's 22 colours of maximum contrast (Kelly 1965, "Twenty-two colors of maximum contrast", Color
#: Engineering 3(6)), without white, black and the grey kept for excluded sites; the first twelve are of
#: twelve different hues, so a city's usual dozen packages never share one.
PALETTE = ["#F3C300", "#875692", "#F38400", "#A1CAF1", "#BE0032", "#C2B280", "#008856", "#E68FAC", "#0067A5",
           "#882D17", "#8DB600", "#2B3D26", "#F99379", "#604E97", "#F6A600", "#B3446C", "#DCD300", "#654522",
           "#E25822"]
EXCLUDED_COLOR = "#888888"
#: A package gets a drawn outline only when at most this share of its hull's area overlaps other packages'
#: hulls (estimate: overlapping outlines are what made the old maps unreadable).
HULL_MAX_OVERLAP = 0.15
#: Above ``big_above`` sites, rank labels and legend rows are drawn for this many packages (in rank order);
#: the rest are counted in the legend (estimate: more labels than this cover a province's map).
MAX_LISTED = 200
#: Legend rows at most (in rank order; the rest counted as "... +N"): the briefing lists its top 25 packages
#: (report.content.TOP_PACKAGES), and a longer legend covers the map printed beside it (a tester's 315-package
#: briefing); the layer control and the popups still reach every package.
MAX_LEGEND_ROWS = 25
MAP_TEXT_KEYS = ("excluded", "capacity", "yield", "payback", "score", "package", "legend", "outlines",
                 "boundaries", "approx", "approx_note", "roofs", "year_unit")
STYLE = """<style>
.sp-rank span{display:inline-block;background:rgba(255,255,255,.92);border:1.5px solid #333;border-radius:9px;
  padding:0 4px;font:bold 11px sans-serif;white-space:nowrap;transform:translate(-50%,-50%)}
.sp-place span{display:inline-block;font:11px "Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#555;
  white-space:nowrap;transform:translate(-50%,-50%);text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff}
.sp-place-province span{font-size:14px;font-weight:bold;color:#444;letter-spacing:2px}
.sp-place-prefecture span{font-size:12.5px;color:#444}
.sp-rank,.sp-place{background:none;border:0}
.sp-legend{background:#fff;padding:5px 8px;font:12px sans-serif;max-height:45vh;overflow:auto;line-height:1.35}
.sp-legend-note{color:#666;font-size:10.5px;margin-top:3px}
.sp-approx-note{color:#a33;font-size:11px}
@media print{.leaflet-control-zoom,.leaflet-control-layers,.leaflet-control-attribution a{display:none}
  .sp-legend{max-height:none;overflow:visible;font-size:9px;line-height:1.2;column-count:2;column-gap:8px}
  .sp-legend b,.sp-legend-note{column-span:all}}
</style>"""


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
    if sites_file.suffix.lower() != ".csv":
        raise InputError(f"{sites_file}: `map` draws results, not an inventory; give the folder `solarplan "
                         "packages`/`demo` wrote, or its sites.csv")
    try:
        # low_memory=False: types from the whole file, not chunk by chunk (a text column such as excluded_reason,
        # empty in the first rows of a province's sites.csv, otherwise comes out of mixed type with a warning)
        sites = pd.read_csv(sites_file, encoding="utf-8-sig", dtype={"site_id": str, "package_id": str,
                                                                     "name": str}, low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{sites_file}: not a sites table written by solarplan ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0][:200]})") from None
    for col in ("site_id", "name", "package_id", "category", "district"):   # undo the CSV formula guard
        if col in sites:
            sites[col] = sites[col].map(restore)
    need = {"site_id", "lat", "lon", "capacity_kwp"}
    if not need <= set(sites.columns):
        raise InputError(f"{sites_file}: a sites table needs columns {', '.join(sorted(need))}")
    sites = _checked_coordinates(sites, sites_file)
    pk_file, geo = folder / "packages.csv", folder / "packages.geojson"
    packages = pd.read_csv(pk_file, encoding="utf-8-sig") if path.is_dir() and pk_file.exists() else pd.DataFrame()
    if "package_id" in packages:
        packages["package_id"] = packages["package_id"].map(restore)
    outlines = json.loads(geo.read_text(encoding="utf-8")) if path.is_dir() and geo.exists() else None
    return sites, packages, outlines


def _checked_coordinates(sites: pd.DataFrame, source: Path) -> pd.DataFrame:
    """lat, lon and capacity_kwp as numbers in range; otherwise InputError naming the rows (line = row + 2)."""
    sites = sites.copy()
    bad = []
    for col, lo, hi in (("lat", -90.0, 90.0), ("lon", -180.0, 180.0), ("capacity_kwp", 0.0, 1e8)):
        raw = sites[col]
        num = pd.to_numeric(raw, errors="coerce").astype(float)
        wrong = ~np.isfinite(num) | (num < lo) | (num > hi)
        for i in np.flatnonzero(wrong.to_numpy()):
            v = raw.iat[i]
            shown = "blank" if pd.isna(v) or str(v).strip() == "" else repr(str(v))
            bad.append(f"line {i + 2}: {col} {shown} (accepted: a number in [{lo:g}, {hi:g}])")
        sites[col] = num
    if bad:
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise InputError(f"{source}: {len(bad)} value(s) cannot be drawn: {'; '.join(bad[:5])}{more}. Fix them or "
                         "draw the folder solarplan wrote")
    return sites


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
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls; return e; }
  function rankText(p) { return (p.rank ? '#' + p.rank + ' ' : '') + p.label; }
  function popup(s) {
    var p = D.packages[s.p], box = el('div'); box.appendChild(el('b', s.name || s.id));
    if (s.ap !== null) box.appendChild(el('div', T.approx_note + ' ' + s.ap + ' km', 'sp-approx-note'));
    var rows = [[T.package, p.label], [T.category, s.cat || '-'], [T.capacity, s.mw === null ? '-' : s.mw + ' MW'],
                [T.yield, s.y === null ? '-' : s.y + ' ' + T.yield_unit],
                [T.payback, s.pb === null ? '-' : s.pb + ' ' + T.year_unit], [T.score, s.score === null ? '-' : s.score]];
    rows.forEach(function (r) { box.appendChild(el('div', r[0] + ': ' + r[1])); });
    return box;
  }
  // offline basemap: boundaries under everything, names as de-conflicted labels
  var labels = [], nBoundaries = 0;
  var bpane = map.createPane('sp-boundaries'); bpane.style.zIndex = 350;
  var lpane = map.createPane('sp-labels'); lpane.style.zIndex = 640; lpane.style.pointerEvents = 'none';
  var STY = {country: [2.2, '#444', null], maritime: [2, '#444', '8 5'], province: [1.6, '#555', '10 3 2 3'],
             prefecture: [1.1, '#777', '6 3'], county: [0.7, '#999', '2 3']};
  var MINZ = {province: 5, prefecture: 8, county: 10};
  var boundaries = null;
  if (D.boundaries && D.boundaries.features.length) {
    boundaries = L.geoJSON(D.boundaries, {pane: 'sp-boundaries', interactive: false, style: function (f) {
      var s = STY[f.properties.level] || STY.county;
      return {weight: s[0], color: s[1], dashArray: s[2], fill: false, className: 'sp-bnd sp-bnd-' + f.properties.level};
    }});
    boundaries.addTo(map); nBoundaries = D.boundaries.features.length;
    D.boundaries.features.forEach(function (f) {
      var q = f.properties;
      if (q.label_lat === undefined || !(q.level in MINZ)) return;
      var icon = L.divIcon({className: 'sp-place sp-place-' + q.level, html: el('span', q.name), iconSize: null});
      labels.push({m: L.marker([q.label_lat, q.label_lon], {icon: icon, interactive: false, keyboard: false,
                                                            pane: 'sp-labels'}),
                   minz: MINZ[q.level], maxz: q.level === 'province' ? 9 : 99, layer: boundaries, prio: 2});
    });
  }
  var overlays = {}, count = 0, nApprox = 0, groups = {}, big = null;
  function siteCanvas() {   // a province: one canvas, sites binned on a pixel grid at every redraw, popups on click
    var pane = map.createPane('sp-sites'); pane.style.zIndex = 450; pane.style.pointerEvents = 'none';
    var cv = document.createElement('canvas'), ctx = cv.getContext('2d'); pane.appendChild(cv);
    var n = D.sites.length, px = new Float64Array(n), py = new Float64Array(n), held = 0, drawn = [];
    var CELL = 44, UNCLUSTER = 16;
    for (var i = 0; i < n; i++) {
      var q = map.project([D.sites[i].lat, D.sites[i].lon], 0); px[i] = q.x; py[i] = q.y; held += 1;
      if (D.sites[i].ap !== null) { nApprox += 1; }
    }
    function draw() {
      var size = map.getSize(), tl = map.containerPointToLayerPoint([0, 0]), org = map.getPixelOrigin();
      L.DomUtil.setPosition(cv, tl); cv.width = size.x; cv.height = size.y; cv.style.visibility = 'visible';
      var z = map.getZoom(), k = Math.pow(2, z), ox = org.x + tl.x, oy = org.y + tl.y, cells = new Map();
      var single = z >= UNCLUSTER, total = 0;
      drawn = [];
      for (var i = 0; i < n; i++) {
        var x = px[i] * k - ox, y = py[i] * k - oy;
        if (x < -CELL || y < -CELL || x > size.x + CELL || y > size.y + CELL) continue;
        if (single) { drawn.push({x: x, y: y, n: 1, i: i}); continue; }
        var key = (Math.floor(x / CELL) + 8) * 65536 + Math.floor(y / CELL) + 8, c = cells.get(key);
        if (!c) { c = {x: 0, y: 0, n: 0, i: i}; cells.set(key, c); }
        c.x += x; c.y += y; c.n += 1;
      }
      cells.forEach(function (c) { drawn.push(c.n === 1 ? c : {x: c.x / c.n, y: c.y / c.n, n: c.n, i: c.i}); });
      ctx.textAlign = 'center'; ctx.textBaseline = 'middle'; ctx.font = 'bold 11px sans-serif';
      drawn.forEach(function (d) {
        ctx.beginPath(); total += d.n;
        if (d.n === 1) {
          var s = D.sites[d.i], p = D.packages[s.p];
          d.rad = s.r; ctx.arc(d.x, d.y, s.r, 0, 2 * Math.PI);
          ctx.strokeStyle = p.color; ctx.fillStyle = p.color;
          if (s.ap !== null) { ctx.setLineDash([3, 3]); ctx.globalAlpha = 0.1; ctx.fill(); ctx.globalAlpha = 1;
                               ctx.lineWidth = 1.5; ctx.stroke(); ctx.setLineDash([]); }
          else { ctx.globalAlpha = 0.75; ctx.fill(); ctx.globalAlpha = 1; ctx.lineWidth = 1; ctx.stroke(); }
        } else {   // markercluster's colours: green under 10, yellow under 100, orange above
          d.rad = Math.min(12 + 4 * Math.log10(d.n), 26); ctx.arc(d.x, d.y, d.rad, 0, 2 * Math.PI);
          ctx.fillStyle = d.n < 10 ? 'rgba(110,204,57,.8)' : d.n < 100 ? 'rgba(240,194,12,.8)' : 'rgba(241,128,23,.8)';
          ctx.fill(); ctx.fillStyle = '#222'; ctx.fillText(String(d.n), d.x, d.y);
        }
      });
      if (window.solarplan) { window.solarplan.drawnSites = total; window.solarplan.drawnItems = drawn.length; }
      return total;
    }
    function openSite(i) {
      var s = D.sites[i];
      return L.popup().setLatLng([s.lat, s.lon]).setContent(popup(s)).openOn(map);
    }
    map.on('zoomstart', function () { cv.style.visibility = 'hidden'; });
    map.on('zoomend moveend resize viewreset', draw);
    map.on('click', function (e) {
      var pt = e.containerPoint, best = null;
      drawn.forEach(function (d) {
        var dx = d.x - pt.x, dy = d.y - pt.y;
        if (dx * dx + dy * dy <= (d.rad + 3) * (d.rad + 3)) { best = d; } });
      if (!best) return;
      if (best.n === 1) { openSite(best.i); }
      else { map.setView(map.containerPointToLatLng([best.x, best.y]), Math.min(map.getZoom() + 2, map.getMaxZoom())); }
    });
    return {held: held, draw: draw, openSite: openSite};
  }
  if (D.big) { big = siteCanvas(); count = big.held; }
  else D.packages.forEach(function (p) {
    groups[p.id] = D.cluster ? L.markerClusterGroup({chunkedLoading: true}) : L.featureGroup();
    overlays[esc(rankText(p))] = groups[p.id];  // Leaflet sets names as HTML
  });
  if (!D.big) D.sites.forEach(function (s) {
    var p = D.packages[s.p], m;
    if (s.ap !== null) {   // located only to a district centre: hollow, dashed
      m = L.circleMarker([s.lat, s.lon], {radius: s.r, color: p.color, weight: 1.5, dashArray: '3 3',
                                          fillOpacity: 0.1, className: 'sp-approx'});
      nApprox += 1;
    } else {
      m = L.circleMarker([s.lat, s.lon], {radius: s.r, color: p.color, weight: 1, fillOpacity: 0.75});
    }
    m.bindPopup(function () { return popup(s); });
    groups[p.id].addLayer(m); count += 1;
  });
  if (!D.big) D.packages.forEach(function (p) { groups[p.id].addTo(map); });
  if (D.outlines && D.outlines.features.length) {   // only spatially compact packages have one
    var ol = L.geoJSON(D.outlines, {interactive: false, renderer: D.big ? L.canvas() : undefined, style: function (f) {
      var c = D.packages[f.properties.p].color;
      return {color: c, weight: 1, opacity: 0.8, fillColor: c, fillOpacity: 0.07, className: 'sp-hull'}; }});
    ol.addTo(map); overlays[esc(T.outlines)] = ol;
  }
  D.packages.forEach(function (p) {   // rank labels at each package's centre, above the place names
    if (!p.rank || p.lat === null || (D.big && p.rank > D.max_listed)) return;
    var span = el('span', '#' + p.rank); span.style.borderColor = p.color; span.style.color = p.color;
    var icon = L.divIcon({className: 'sp-rank', html: span, iconSize: null});
    labels.push({m: L.marker([p.lat, p.lon], {icon: icon, interactive: false, keyboard: false, pane: 'sp-labels'}),
                 minz: 0, maxz: 99, layer: D.big ? null : groups[p.id], prio: 1});
  });
  if (D.roofs && D.roofs.features.length) {   // roof outlines where the register has them, at high zoom
    var roofs = L.geoJSON(D.roofs, {interactive: false, style: function (f) {
      var c = D.packages[f.properties.p].color;
      return {color: c, weight: 1, fillColor: c, fillOpacity: 0.35, className: 'sp-roof'}; }});
    var roofZoom = function () { if (map.getZoom() >= 16) { roofs.addTo(map); } else { map.removeLayer(roofs); } };
    map.on('zoomend', roofZoom); overlays[esc(T.roofs)] = roofs;
  }
  if (boundaries) { overlays[esc(T.boundaries)] = boundaries; }
  L.control.layers(null, overlays, {collapsed: D.packages.length > 12}).addTo(map);
  labels.sort(function (a, b) { return a.prio - b.prio; });
  function declutter() {   // greedy: rank labels first, then provinces, prefectures, counties; no overlap
    var z = map.getZoom(), placed = [], shown = 0;
    labels.forEach(function (o) {
      var want = z >= o.minz && z <= o.maxz && (!o.layer || map.hasLayer(o.layer));
      if (!want) { if (map.hasLayer(o.m)) { map.removeLayer(o.m); } return; }
      if (!map.hasLayer(o.m)) { o.m.addTo(map); }
      var e = o.m.getElement(); e.style.visibility = 'visible';
      var r = e.getBoundingClientRect();
      var hit = placed.some(function (q) {
        return r.left < q.right + 2 && r.right + 2 > q.left && r.top < q.bottom + 1 && r.bottom + 1 > q.top; });
      if (hit) { e.style.visibility = 'hidden'; } else { placed.push(r); shown += 1; }
    });
    if (window.solarplan) { window.solarplan.labelsShown = shown; }
  }
  map.on('zoomend moveend overlayadd overlayremove', declutter);
  var legend = L.control({position: 'bottomright'});
  legend.onAdd = function () {
    var box = el('div', undefined, 'sp-legend'); box.appendChild(el('b', T.legend));
    // the top legend_rows packages in their order, and the excluded sites' entry wherever it stands
    var shown = 0, hidden = 0, listed = D.packages.filter(function (p) {
      if (p.excluded) { return true; }
      if (shown < D.legend_rows) { shown += 1; return true; }
      hidden += 1; return false;
    });
    listed.forEach(function (p) {
      var row = el('div', undefined, 'sp-legend-row'), dot = el('span', '\u25CF ');
      dot.style.color = p.color; row.appendChild(dot);
      row.appendChild(document.createTextNode(rankText(p))); box.appendChild(row);
    });
    if (hidden) { box.appendChild(el('div', '\u2026 +' + hidden, 'sp-legend-row')); }
    if (nApprox) {
      var row = el('div', undefined, 'sp-legend-row'); row.appendChild(el('span', '\u25CC '));
      row.appendChild(document.createTextNode(T.approx)); box.appendChild(row);
    }
    if (nBoundaries) { box.appendChild(el('div', T.boundary_note, 'sp-legend-note')); }
    return box;
  };
  legend.addTo(map);
  if (D.sites.length === 1) { map.setView([D.sites[0].lat, D.sites[0].lon], 15); }
  else if (D.sites.length) {
    var lg = legend.getContainer();   // keep the sites clear of the legend in the bottom-right corner
    var b0 = [90, 180], b1 = [-90, -180];
    D.sites.forEach(function (s) { b0 = [Math.min(b0[0], s.lat), Math.min(b0[1], s.lon)];
                                   b1 = [Math.max(b1[0], s.lat), Math.max(b1[1], s.lon)]; });
    map.fitBounds(L.latLngBounds([b0, b1]).pad(0.05),
                  {maxZoom: 16, animate: !D.big, paddingBottomRight: [0, Math.min(lg.offsetHeight, map.getSize().y / 2)]});
  } else { map.setView([32.6, 110.8], 6); }
  window.solarplan = {markerCount: count, packageLayers: groups, clustered: D.cluster || D.big, big: D.big,
                      boundaryCount: nBoundaries, approxCount: nApprox, labelsShown: 0,
                      openSite: big ? big.openSite : null, drawnSites: 0};
  if (big) { big.draw(); }
  declutter();
})();
{% endmacro %}
""")


class _SiteLayer(JSCSSMixin, MacroElement):
    """The site layer's script: fixed code only; the data are in the JSON block ``DATA_ID``."""

    def __init__(self):
        super().__init__()
        self._name = "SolarplanSites"
        self._template = _SCRIPT


DATA_ID = "solarplan-data"


def compact_outlines(outlines: dict | None, max_overlap: float = HULL_MAX_OVERLAP) -> list[dict]:
    """The outline features worth drawing: those whose area overlaps other packages' outlines by at most
    ``max_overlap`` of their own area (computed in the local UTM zone, not in degrees)."""
    if not outlines or not outlines.get("features"):
        return []
    g = gpd.GeoDataFrame.from_features(outlines["features"], crs=4326)
    g = g[g.geometry.notna() & ~g.geometry.is_empty]
    if not len(g):
        return []
    u = g.to_crs(g.estimate_utm_crs())
    geoms = u.geometry.to_numpy()
    tree = shapely.STRtree(geoms)     # only the outlines that touch this one can overlap it (linear, not n^2)
    keep = []
    for i in range(len(u)):
        own = geoms[i]
        near = [j for j in tree.query(own, predicate="intersects") if j != i]
        others = shapely.union_all(geoms[near]) if near else None
        share = own.intersection(others).area / own.area if others is not None and own.area > 0 else 0.0
        if share <= max_overlap:
            keep.append(outlines["features"][int(g.index[i])])
    return keep


def load_roofs(folder: str | Path) -> pd.DataFrame | None:
    """Roof polygons (site_id, WKT geometry) from a results folder's surfaces.csv, if it has them."""
    f = Path(folder) / "surfaces.csv"
    if not Path(folder).is_dir() or not f.exists():
        return None
    head = pd.read_csv(f, encoding="utf-8-sig", nrows=0).columns
    if not {"site_id", "geometry"} <= set(head):
        return None
    return pd.read_csv(f, encoding="utf-8-sig", usecols=["site_id", "geometry"], dtype={"site_id": str})


def _roof_features(roofs: pd.DataFrame | None, site_pkg: dict, gaode: bool) -> list[dict]:
    if roofs is None or not len(roofs):
        return []
    geoms = shapely.from_wkt(roofs["geometry"].fillna("").where(roofs["geometry"].fillna("") != "", None),
                             on_invalid="ignore")
    feats = []
    for sid, gm in zip(roofs["site_id"], geoms):
        if gm is None or gm.is_empty or gm.geom_type not in ("Polygon", "MultiPolygon") or sid not in site_pkg:
            continue
        if gaode:
            xy = shapely.get_coordinates(gm)
            la, lo = wgs84_to_gcj02(xy[:, 1], xy[:, 0])
            gm = shapely.set_coordinates(gm, np.column_stack([lo, la]))
        gm = shapely.set_precision(gm, 1e-6)
        feats.append({"type": "Feature", "properties": {"p": site_pkg[sid]}, "geometry": shapely.geometry.mapping(gm)})
    return feats


def build_map(sites: pd.DataFrame, packages: pd.DataFrame | None = None, outlines: dict | None = None, *,
              tiles: str = "osm", lang: str = "zh", cluster_above: int = 1000,
              tianditu_key: str | None = None, roofs: pd.DataFrame | None = None,
              boundaries: bool = True, big_above: int = 5000) -> folium.Map:
    """A folium map of the sites (see the module docstring).

    ``roofs`` (site_id, WKT geometry; see :func:`load_roofs`) are drawn from zoom 16; ``boundaries`` draws
    the offline administrative basemap (:mod:`solarplan.report.basemap`).

    Above ``big_above`` sites (a province) the sites are drawn on one canvas instead: binned on a
    44-pixel grid at each redraw (one circle with the count per cell, every site itself from zoom 16),
    a popup built on click from the data block, no per-package layers, and rank labels and legend rows
    for the first ``MAX_LISTED`` packages only. Leaflet layers for 100,000 sites took about 2 minutes
    and 624 MB of JavaScript heap to open (issue 21); the canvas opens in seconds (benchmarks/bench_maps.py).
    """
    if tiles not in TILES:
        raise ConfigError(f"unknown tiles {tiles!r}; valid: {', '.join(TILES)}")
    check_lang(lang)
    T = TEXT[lang]
    s = sites.copy()
    lat, lon = s["lat"].to_numpy(float), s["lon"].to_numpy(float)
    wlat, wlon = lat, lon
    pk_ids = s["package_id"].fillna("").astype(str) if "package_id" in s else pd.Series("", index=s.index)
    rank = {}
    if packages is not None and len(packages) and "rank" in packages:
        rank = dict(zip(packages["package_id"].astype(str), packages["rank"].astype(int)))
    order = sorted({p for p in pk_ids if p}, key=lambda p: (rank.get(p, 10**9), p))
    if (pk_ids == "").any():
        order.append("")
    index = {p: i for i, p in enumerate(order)}
    basemap = basemap_for(wlat, wlon) if boundaries else None
    if tiles == "gaode":
        lat, lon = wgs84_to_gcj02(lat, lon)
        outlines = _shift_geojson(outlines) if outlines else None
        basemap = _shift_geojson(basemap) if basemap else None
    # package centres (rank labels) in the drawn datum, one pass over the sites (not one per package)
    code = pk_ids.map(index).to_numpy(int)
    ok_lat, ok_lon = np.isfinite(lat), np.isfinite(lon)
    n_lat = np.bincount(code, weights=ok_lat, minlength=len(order))
    n_lon = np.bincount(code, weights=ok_lon, minlength=len(order))
    c_lats = np.bincount(code, weights=np.where(ok_lat, lat, 0.0), minlength=len(order))
    c_lons = np.bincount(code, weights=np.where(ok_lon, lon, 0.0), minlength=len(order))
    pk_list = []
    for i, p in enumerate(order):
        pk_list.append({"id": p or T["excluded"], **({} if p else {"excluded": True}),
                        "label": package_label(p, lang), "rank": rank.get(p),
                        "color": PALETTE[i % len(PALETTE)] if p else EXCLUDED_COLOR,
                        "lat": round(float(c_lats[i] / n_lat[i]), 6) if n_lat[i] else None,
                        "lon": round(float(c_lons[i] / n_lon[i]), 6) if n_lon[i] else None})
    hulls = []
    for f in compact_outlines(outlines):
        pid = str(f.get("properties", {}).get("package_id", ""))
        if pid in index:
            hulls.append({"type": "Feature", "properties": {"p": index[pid]}, "geometry": f["geometry"]})
    cap = s["capacity_kwp"].to_numpy(float)
    radius = np.clip(3 + 2.5 * np.sqrt(np.nan_to_num(cap) / 100), 3, 18)
    nan = pd.Series(np.nan, index=s.index)
    pb = s["simple_payback_yr"] if "simple_payback_yr" in s else nan
    sc = s["score"] if "score" in s else nan
    ac = s["annual_ac_kwh"] if "annual_ac_kwh" in s else nan
    cats = s["category"] if "category" in s else pd.Series("", index=s.index)
    approx = (s["location_source"].astype(str) == "district_centroid") if "location_source" in s else \
        pd.Series(False, index=s.index)
    prec = pd.to_numeric(s["location_precision_km"], errors="coerce") if "location_precision_km" in s else nan
    names = s["name"].fillna("").astype(str) if "name" in s else s["site_id"].astype(str)
    # column by column (a province has 100,000 sites): the same values the per-row formatting gave
    cats = cats.astype(object).where(cats.notna(), None)
    cat_words = {v: value_label("category", v, lang) for v in pd.unique(cats)}
    ac_f = pd.to_numeric(ac, errors="coerce").to_numpy(float)
    prec_f = prec.to_numpy(float) if hasattr(prec, "to_numpy") else np.full(len(s), np.nan)
    suffix = f" ({T['approx']})"
    rows = [{"id": sid, "name": nm + suffix if a else nm, "lat": round(la, 6), "lon": round(lo, 6), "r": round(r, 1),
             "p": c, "cat": cat_words[ct], "mw": _num(cp / 1000, 3),
             "y": energy(y, lang)[0] if np.isfinite(y) else None, "pb": _num(b, 1), "score": _num(scv, 1),
             "ap": ((_num(pr, 1) if np.isfinite(pr) else "?") if a else None)}
            for sid, nm, a, la, lo, r, c, ct, cp, y, b, scv, pr in zip(
                s["site_id"].astype(str), names, approx.to_numpy(bool), lat.tolist(), lon.tolist(), radius.tolist(),
                code.tolist(), cats, cap.tolist(), ac_f.tolist(), pb.tolist(), sc.tolist(), prec_f.tolist())]
    site_pkg = dict(zip(s["site_id"].astype(str), code.tolist()))
    labels = {k: T[k] for k in MAP_TEXT_KEYS}
    labels.update(category="类型" if lang == "zh" else "Category", yield_unit=energy(0, lang)[1],
                  boundary_note=ATTRIBUTION)
    data = {"sites": rows, "packages": pk_list, "outlines": {"type": "FeatureCollection", "features": hulls},
            "cluster": len(s) > cluster_above, "big": len(s) > big_above, "max_listed": MAX_LISTED, "legend_rows": MAX_LEGEND_ROWS,
            "labels": labels, "boundaries": basemap,
            "roofs": {"type": "FeatureCollection", "features": _roof_features(roofs, site_pkg, tiles == "gaode")}}
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
    m.solarplan_data = safe_json(data)
    m.solarplan_img_hosts = TILE_HOSTS[tiles]
    layer = _SiteLayer()
    layer.default_js = [(n, u) for n, u, _ in JS[1:]]
    layer.default_css = [(n, u) for n, u, _ in CSS[1:]]
    layer.add_to(m)
    m.get_root().header.add_child(Element(STYLE))
    return m


def _f(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def render(m: folium.Map, offline: bool = False) -> str:
    """The map's HTML with its Content-Security-Policy; with ``offline`` every script and stylesheet
    inlined (no other host contacted)."""
    stable_ids(m.get_root())
    html = m.get_root().render()
    html = re.sub(r"<body>", lambda _m: f'<body>\n<script type="application/json" id="{DATA_ID}">{m.solarplan_data}</script>',
                  html, count=1)
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
    m = build_map(sites, packages, outlines, tiles=tiles, lang=lang, tianditu_key=tianditu_key,
                  roofs=load_roofs(results))
    return write_text(out, render(m, offline))
