"""Safe HTML for generated pages: escaping, data blocks, raw (non-template) elements, stable ids and CSP.

User text (site names, categories, districts, package ids, config labels) must never reach a
template engine or live HTML. The rules every page in :mod:`solarplan.report` follows:

* user text travels only as JSON inside ``<script type="application/json">`` (:func:`data_block`),
  read in the page with ``JSON.parse(el.textContent)`` and shown with ``textContent``;
* that block is added to folium/branca as a :class:`RawElement`, whose ``render`` returns the string
  as is: branca compiles the output of ``Element(template)`` as a Jinja template, so any user text in
  an ordinary Element would be *executed* (``{{7*7}}`` -> ``49``);
* text put into HTML directly is :func:`escape` d;
* the page carries a Content-Security-Policy (:func:`add_csp`) that allows only the page's own
  scripts (by SHA-256 hash) and styles, no plugins, no forms, no base URL, and images only from the
  basemap host, so even a missed escape cannot run script.

References
----------
.. [1] OWASP Cross Site Scripting Prevention Cheat Sheet, rule #3.1 ("HTML-encode JSON values in an
   HTML context and read the data with JSON.parse").
.. [2] W3C Content Security Policy Level 3, hash-source and the ``<meta http-equiv>`` delivery.
"""
from __future__ import annotations

import base64
import hashlib
import html as _html
import json
import re
from itertools import count

from branca.element import Element

# scripts that run (no type, or a JavaScript type) and carry their code inline
_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_STYLE = re.compile(r"<style(?P<attrs>[^>]*)>(?P<body>.*?)</style>", re.S | re.I)
_SRC = re.compile(r"""\bsrc\s*=\s*["']([^"']+)["']""", re.I)
_HREF_CSS = re.compile(r"""<link[^>]+rel=["']stylesheet["'][^>]*href=["']([^"']+)["']""", re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']([^"']+)["']""", re.I)


def escape(text) -> str:
    """HTML-escape any value as text (``& < > " '``)."""
    return _html.escape("" if text is None else str(text), quote=True)


def safe_json(obj) -> str:
    """JSON that cannot end a ``<script>`` element, open a comment or be read as a template.

    ``<``, ``>``, ``&``, ``{``, ``}`` and the JavaScript line separators are written as ``\\uXXXX``
    escapes inside strings (JSON structure keeps its braces).
    """
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, sort_keys=False)
    # outside strings json.dumps writes only []{},: numbers, true/false/null and spaces, so these signs
    # are inside strings wherever they are; braces are escaped string by string (linear, C-speed scans)
    for ch in "<>&'\u2028\u2029":     # str.replace, not translate: translate is 10x slower on 20 MB of JSON
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    n_braces = text.count("{") + text.count("}")
    bare = _JSON_STR.sub('""', text)    # strings emptied: if no brace went with them, none is in a string
    if bare.count("{") + bare.count("}") == n_braces:
        return text
    return _JSON_STR.sub(lambda m: m.group().translate(_BRACES) if "{" in m.group() or "}" in m.group()
                         else m.group(), text)


_BRACES = {ord(c): f"\\u{ord(c):04x}" for c in "{}"}
_JSON_STR = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)


def data_block(element_id: str, obj) -> str:
    """A ``<script type="application/json">`` block holding ``obj`` (read it with ``JSON.parse(textContent)``)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", element_id):
        raise ValueError(f"bad element id {element_id!r}")
    return f'<script type="application/json" id="{element_id}">{safe_json(obj)}</script>'


class RawElement(Element):
    """A branca element rendered verbatim: its text never goes through Jinja."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "RawElement"
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def stable_ids(root: Element, prefix: str = "sp") -> None:
    """Replace branca's random element ids with ids numbered in tree order, so the same map gives the
    same bytes (branca draws 16 random bytes per element)."""
    n = count()
    seen = set()

    def walk(el):
        if id(el) in seen:
            return
        seen.add(id(el))
        el._id = f"{prefix}{next(n):04d}"
        for child in list(getattr(el, "_children", {}).values()):
            walk(child)
        for part in ("header", "html", "script"):
            sub = getattr(el, part, None)
            if isinstance(sub, Element):
                walk(sub)
    walk(root)


def _hash(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"


def csp_sources(page: str) -> dict:
    """The hash and host sources a page's own scripts and styles need."""
    scripts, styles, hosts_js, hosts_css = [], [], [], []
    for m in _SCRIPT.finditer(page):
        attrs = m.group("attrs")
        src = _SRC.search(attrs)
        t = _TYPE.search(attrs)
        if t and t.group(1).lower() not in ("text/javascript", "application/javascript", "module"):
            continue   # data blocks do not run
        if src:
            hosts_js.append(src.group(1))
        else:
            scripts.append(_hash(m.group("body")))
    for m in _STYLE.finditer(page):
        styles.append(_hash(m.group("body")))
    hosts_css += _HREF_CSS.findall(page)
    return {"script": scripts, "style": styles, "script_url": hosts_js, "style_url": hosts_css}


def csp_policy(sources: dict, img_hosts=(), frames: bool = False) -> str:
    """A strict policy from :func:`csp_sources`: nothing runs or loads that the page did not bring."""
    uniq = lambda xs: list(dict.fromkeys(xs))  # noqa: E731
    script = uniq(sources["script"] + sources["script_url"]) or ["'none'"]
    # Leaflet positions its panes with element.style (CSSOM, allowed); style attributes in markup are not
    style = uniq(sources["style"] + sources["style_url"]) or ["'none'"]
    img = uniq(["data:", *img_hosts])
    parts = ["default-src 'none'", "script-src " + " ".join(script), "style-src " + " ".join(style),
             "img-src " + " ".join(img), "font-src data:", "connect-src 'none'", "object-src 'none'",
             "base-uri 'none'", "form-action 'none'", "frame-src " + ("'self'" if frames else "'none'")]
    return "; ".join(parts)


def csp_meta(policy: str) -> str:
    return f'<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">'


def add_csp(page: str, img_hosts=(), extra: dict | None = None, frames: bool = False) -> str:
    """Insert a Content-Security-Policy ``<meta>`` as the first element of ``<head>``.

    ``extra`` adds the sources of an embedded page (an ``iframe srcdoc`` inherits its parent's policy,
    so the parent must allow the child's scripts too).
    """
    src = csp_sources(page)
    if extra:
        src = {k: src[k] + extra.get(k, []) for k in src}
    meta = csp_meta(csp_policy(src, img_hosts, frames))
    m = re.search(r"<head[^>]*>", page, re.I)
    if not m:
        raise RuntimeError("page has no <head>")  # a bug, not a user mistake
    return page[:m.end()] + "\n" + meta + page[m.end():]
