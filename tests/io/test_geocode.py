"""The optional online geocoder, against recorded answers played back from a local HTTP server."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from solarplan.core.geodatum import gcj02_to_wgs84
from solarplan.io.geocode import GeocodeError, geocoder
from solarplan.io.inventory import read_inventory

DATA = Path(__file__).resolve().parents[1] / "data" / "geocode"
ADDRESS = "湖北省十堰市竹山县人民路18号"


class _Server:
    def __init__(self):
        self.answer, self.status, self.delay, self.requests = "gaode_ok.json", 200, 0.0, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append({k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()})
                time.sleep(server.delay)
                body = (DATA / server.answer).read_bytes() if server.answer else b"Forbidden"
                try:
                    self.send_response(server.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/geo"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


def test_gaode_answer_converted_from_gcj02_and_cached(server, tmp_path):
    g = geocoder("gaode", "KEY1", server.url, cache_dir=tmp_path)
    out = g([ADDRESS, ADDRESS])
    assert len(server.requests) == 1 and server.requests[0]["address"] == ADDRESS and server.requests[0]["key"] == "KEY1"
    la, lo = gcj02_to_wgs84(32.225031, 110.229124)  # the recorded GCJ-02 point, converted independently
    assert out["lat"][0] == pytest.approx(la[0], abs=1e-9) and out["lon"][0] == pytest.approx(lo[0], abs=1e-9)
    assert abs(out["lon"][0] - 110.229124) > 1e-3  # the datum shift was applied (~500 m here)
    assert out["precision_km"][0] == 0.1  # 门牌号
    server.close()  # offline now: the cache answers
    again = geocoder("gaode", "KEY1", server.url, cache_dir=tmp_path)([ADDRESS])
    assert again["lon"][0] == out["lon"][0]


def test_tianditu_answer(server, tmp_path):
    server.answer = "tianditu_ok.json"
    out = geocoder("tianditu", "TK", server.url, cache_dir=tmp_path)([ADDRESS])
    assert json.loads(server.requests[0]["ds"]) == {"keyWord": ADDRESS} and server.requests[0]["tk"] == "TK"
    assert out["lon"][0] == pytest.approx(110.223711) and out["lat"][0] == pytest.approx(32.227368)


@pytest.mark.parametrize("service, answer", [("gaode", "gaode_not_found.json"), ("tianditu", "tianditu_not_found.json")])
def test_not_found_is_nan(server, tmp_path, service, answer):
    server.answer = answer
    out = geocoder(service, "K", server.url, cache_dir=tmp_path)(["无此地址"])
    assert out["lat"].isna().all()


@pytest.mark.parametrize("service, answer, status, words", [
    ("gaode", "gaode_invalid_key.json", 200, "refused the key: INVALID_USER_KEY"),
    ("tianditu", None, 403, "refused the key (HTTP 403)"),
])
def test_refusal_is_clear_and_not_cached(server, tmp_path, service, answer, status, words):
    server.answer, server.status = answer, status
    with pytest.raises(GeocodeError, match=words.replace("(", r"\(").replace(")", r"\)")):
        geocoder(service, "BAD", server.url, cache_dir=tmp_path)([ADDRESS])
    assert not list(tmp_path.glob("*.json"))


def test_timeout(server, tmp_path):
    server.delay = 2.0
    with pytest.raises(GeocodeError, match="did not answer within 0.3 s"):
        geocoder("gaode", "K", server.url, timeout_s=0.3, cache_dir=tmp_path)([ADDRESS])


def test_offline(tmp_path):
    with pytest.raises(GeocodeError, match="cannot be reached.*offline"):
        geocoder("gaode", "K", "http://127.0.0.1:9/geo", cache_dir=tmp_path)([ADDRESS])


@pytest.mark.parametrize("service, env", [("gaode", "AMAP_KEY"), ("tianditu", "TIANDITU_KEY")])
def test_no_key(monkeypatch, service, env):
    monkeypatch.delenv(env, raising=False)
    with pytest.raises(GeocodeError, match=f"needs a key: set {env}"):
        geocoder(service)


def test_register_geocoded_before_the_gazetteer(server, tmp_path):
    p = tmp_path / "a.csv"
    p.write_text(f"单位名称,地址,屋顶面积\n竹山县人民政府,{ADDRESS},1000\n", encoding="utf-8")
    g = geocoder("gaode", "K", server.url, cache_dir=tmp_path / "cache")
    c = read_inventory(p, geocode=g).clean.iloc[0]
    assert c["location_source"] == "geocoder" and c["location_precision_km"] == 0.1
    server.answer = "gaode_not_found.json"  # not found online: the gazetteer still places it
    g2 = geocoder("gaode", "K", server.url, cache_dir=tmp_path / "cache2")
    c2 = read_inventory(p, geocode=g2).clean.iloc[0]
    assert c2["location_source"] == "district_centroid" and c2["district"] == "竹山县"
    assert isinstance(c2["notes"], str) and pd.notna(c2["lat"])
