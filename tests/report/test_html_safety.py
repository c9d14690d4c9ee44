"""Map and briefing HTML: user text never reaches Jinja, never runs, and the page allows only its own scripts."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from solarplan.report.briefing import build_briefing
from solarplan.report.html import add_csp, csp_sources, safe_json
from solarplan.report.maps import build_map, render

SSTI = ["{{7*7}}", "{{ 7*'7' }}", "{% for x in [1,2] %}{{x}}{% endfor %}", "${7*7}"]


def hostile_sites(marker=None):
    names = SSTI + ["<img src=x onerror=alert(1)>"]
    if marker:
        names.append("{{ self.__init__.__globals__.__builtins__.__import__('os').open('%s', 65) }}" % marker)
    n = len(names)
    return pd.DataFrame({"site_id": [f"S{i}" for i in range(n)], "name": names,
                         "lat": [32.6 + i / 100 for i in range(n)], "lon": [110.8 + i / 100 for i in range(n)],
                         "capacity_kwp": 100.0, "annual_ac_kwh": 1e5, "capex_cny": 4e5,
                         "package_id": ["{{7*7}}/<img src=x onerror=alert(2)>-01"] * (n - 1) + [""]})


def data_block(html):
    return json.loads(html.split('id="solarplan-data">')[1].split("</script>")[0])


def test_template_syntax_in_names_stays_literal(tmp_path):
    marker = tmp_path / "PWNED"
    html = render(build_map(hostile_sites(marker), tiles="none"), offline=True)
    assert not marker.exists()
    names = [s["name"] for s in data_block(html)["sites"]]
    assert names[:4] == SSTI
    # nothing evaluated anywhere on the page: no 49, 7777777 or "12" where the expressions were
    assert "7777777" not in html and '"name": "49"' not in html


def test_briefing_keeps_template_syntax_literal(tmp_path):
    marker = tmp_path / "PWNED"
    sites = hostile_sites(marker)
    packages = pd.DataFrame({"package_id": [sites["package_id"].iat[0]], "rank": [1], "n_sites": [5],
                             "capacity_kwp": [500.0], "annual_ac_kwh": [5e5], "capex_cny": [2e6], "score": [50.0]})
    html = build_briefing(sites, packages, None, lang="en", date_text="2025-03-31")
    assert not marker.exists()
    assert "{{7*7}}" in html and "&lt;img src=x onerror=alert(2)&gt;" in html   # shown, escaped
    assert "<img src=x" not in html and "7777777" not in html
    assert "2025-03-31" in html


def test_same_map_same_bytes():
    a = render(build_map(hostile_sites(), tiles="osm"), offline=True)
    b = render(build_map(hostile_sites(), tiles="osm"), offline=True)
    assert a == b
    assert not re.search(r"[0-9a-f]{32}", a.split("<body>")[1].split("solarplan-data")[0])   # no random ids


def test_safe_json_cannot_close_a_script_or_open_a_template():
    s = safe_json({"a": "</script><!--{{x}}-->\u2028", "b": [1, None]})
    assert "<" not in s and ">" not in s and "{{" not in s and "\u2028" not in s
    assert json.loads(s) == {"a": "</script><!--{{x}}-->\u2028", "b": [1, None]}


def test_csp_hashes_every_inline_script_and_ignores_data_blocks():
    page = ("<html><head><style>p{}</style></head><body><script>var a=1;</script>"
            '<script type="application/json" id="d">{"x": 1}</script></body></html>')
    src = csp_sources(page)
    assert len(src["script"]) == 1 and len(src["style"]) == 1
    policy = add_csp(page).split('content="')[1].split('"')[0]
    assert "unsafe-inline" not in policy and "default-src &#x27;none&#x27;" in policy


def test_layer_control_shows_hostile_package_as_text(page_log, tmp_path):
    f = tmp_path / "m.html"
    f.write_text(render(build_map(hostile_sites(), tiles="none"), offline=True), encoding="utf-8")
    log = page_log()
    page = log.open(f)
    assert "<img src=x onerror=alert(2)>" in page.inner_text(".leaflet-control-layers-overlays")
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    assert log.dialogs == [] and log.errors == []


def test_csp_blocks_a_script_the_page_did_not_bring(page_log, tmp_path):
    """The policy is live in Chromium: an injected inline handler and script do not run."""
    html = render(build_map(hostile_sites(), tiles="none"), offline=True)
    html = html.replace("</body>", "<script>alert('injected')</script><img src=x onerror=alert(3)></body>")
    f = tmp_path / "m.html"
    f.write_text(html, encoding="utf-8")
    log = page_log()
    page = log.open(f)
    assert log.dialogs == []
    assert any("Content Security Policy" in e for e in log.errors)
    assert page.evaluate("window.solarplan.markerCount") == len(hostile_sites())   # own scripts ran


@pytest.mark.parametrize("key", ["abc{{7*7}}", "k'; alert(1); '", "a" * 200])
def test_tianditu_key_must_be_letters_and_digits(key):
    from solarplan.core.errors import ConfigError
    with pytest.raises(ConfigError, match="tianditu key"):
        build_map(hostile_sites(), tiles="tianditu", tianditu_key=key)


@pytest.mark.parametrize("text", ["</script>", "<!--{{x}}-->", "a'b&c", "\u2028\u2029", '{"k": "}"}', "\\\"{", "普通", ""])
def test_safe_json_round_trips_and_hides_every_dangerous_sign(text):
    obj = {text: [text, {"n": 1, text + "x": None}], "plain": {"a": text}}
    out = safe_json(obj)
    assert json.loads(out) == obj
    assert not set("<>&'\u2028\u2029") & set(out)
    assert out.count("{") == out.count("}") == 3      # only the three objects' own braces are left
