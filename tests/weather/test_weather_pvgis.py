"""PVGIS: the three file flavours, and the download with its cache and timeout.

The download is tested against a local HTTP server that plays back a recorded PVGIS
answer (tests/data/README.md); nothing here touches the network.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from solarplan.core.errors import WeatherError
from solarplan.weather import get_weather, quality_check
from solarplan.weather.pvgis import PvgisOptions, cache_path, fetch_tmy, pvgis_year
from solarplan.weather.readers import read_weather

DATA = Path(__file__).parents[1] / "data"
STEM = "pvgis_tmy_45.000_8.000_2005_2023"
HASHES = {"json": "809a8fcd1ce73caf28913cd86bd98e8acff2f0c908d426ed11c7f0454a15a778",
          "csv": "3a57aa99d29d77429361fb795583720b56797f9466375ea0fcf0d5a1d891b926",
          "epw": "e0c70bc1dc2dee57ccc52a0fea6be5f9ab022368e9d5dbc1f992ecb0c69cf67a"}


def recorded(ext: str) -> bytes:
    return gzip.open(DATA / f"{STEM}.{ext}.gz").read()


@pytest.fixture(scope="module")
def flavours(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("pvgis")
    out = {}
    for ext in HASHES:
        path = folder / f"{STEM}.{ext}"
        path.write_bytes(recorded(ext))
        out[ext] = path
    return out


@pytest.mark.parametrize("ext", sorted(HASHES))
def test_recorded_answers_are_the_documented_bytes(ext):
    assert hashlib.sha256(recorded(ext)).hexdigest() == HASHES[ext]


@pytest.mark.parametrize("ext", sorted(HASHES))
def test_each_flavour_reads_to_the_same_year(flavours, ext):
    reference = read_weather(flavours["json"], "pvgis")
    year = read_weather(flavours[ext], "pvgis")
    assert len(year.data) == 8760 and not year.data.isna().any().any()
    assert year.data.index[0].utcoffset().total_seconds() == 3600  # 8 E, outside China: UTC+1
    # the file's own annual GHI (sum of hourly G(h)), independent of the reader
    own = sum(r["G(h)"] for r in json.loads(recorded("json"))["outputs"]["tmy_hourly"]) / 1e3
    assert year.annual_kwh_m2() == pytest.approx(own, rel=1e-9)
    assert year.value_time_h == pytest.approx(0.1761)
    # the EPW flavour writes UTC hours under TZ=1; the CSV nests its metadata differently
    np.testing.assert_array_equal(year.data[["ghi", "dni", "dhi"]].to_numpy(),
                                  reference.data[["ghi", "dni", "dhi"]].to_numpy())


def test_pvgis_timing_is_read_right(flavours):
    """With the irradiance instant from the file, a satellite-based year needs no correction: the GHI
    centroid sits on solar noon (|offset| < 0.1 h, well under the 0.25 h threshold), no radiation falls
    with the sun down, and beam + diffuse close on global within 1 %."""
    report = quality_check(read_weather(flavours["json"], "pvgis"))
    assert abs(report.timing_offset_h) < 0.1
    assert report.sun_down_hours == 0
    assert report.closure == pytest.approx(1.0, abs=0.01)


class _Server:
    def __init__(self):
        self.mode = "ok"
        self.requests: list[dict] = []
        self.body = recorded("json")
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlparse(self.path)
                server.requests.append({"path": url.path, **{k: v[0] for k, v in parse_qs(url.query).items()}})
                if server.mode == "slow":
                    time.sleep(2.0)
                if server.mode == "sea":
                    # PVGIS's refusal format: HTTP 400 with a JSON "message" (constructed, not recorded)
                    self._send(400, b'{"message": "Location over the sea. Please, select another location"}')
                elif server.mode == "html":
                    self._send(200, b"<html><body>maintenance</body></html>", "text/html")
                else:
                    self._send(200, server.body)

            def _send(self, code, body, ctype="application/json"):
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/v5_3/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


def test_download_then_cache_then_offline(server, tmp_path, flavours):
    options = PvgisOptions(url=server.url, timeout_s=10, cache_dir=tmp_path)
    path, downloaded = fetch_tmy(45.0, 8.0, options)
    assert downloaded and path == cache_path(45.0, 8.0, options) and path.is_relative_to(tmp_path)
    assert server.requests == [{"path": "/api/v5_3/tmy", "lat": "45.000", "lon": "8.000", "usehorizon": "1",
                                "outputformat": "json"}]
    assert path.read_bytes() == recorded("json")
    # a second run is answered from the cache, also with the service gone
    server.close()
    year = pvgis_year(45.0004, 7.9996, options)  # same location to 3 decimals
    assert len(server.requests) == 1 and year.meta["pvgis_downloaded"] is False
    same = read_weather(flavours["json"], "pvgis")
    np.testing.assert_array_equal(year.data.to_numpy(), same.data.to_numpy())
    assert year.meta["radiation_db"] == "PVGIS-SARAH3"


def test_refresh_asks_again(server, tmp_path):
    options = PvgisOptions(url=server.url, cache_dir=tmp_path)
    fetch_tmy(45, 8, options)
    fetch_tmy(45, 8, PvgisOptions(url=server.url, cache_dir=tmp_path, refresh=True))
    assert len(server.requests) == 2


@pytest.mark.parametrize("mode,message", [("slow", "did not answer within 0.5 s"),
                                          ("sea", "Location over the sea"),
                                          ("html", "not a PVGIS TMY")])
def test_failures_are_clear_and_leave_no_cache(server, tmp_path, mode, message):
    server.mode = mode
    options = PvgisOptions(url=server.url, timeout_s=0.5, cache_dir=tmp_path)
    start = time.perf_counter()
    with pytest.raises(WeatherError, match=message):
        fetch_tmy(45, 8, options)
    assert time.perf_counter() - start < 1.9  # the timeout, not the server's 2 s, ended the wait
    assert not list(tmp_path.rglob("*.json")) and not list(tmp_path.rglob(".part-*"))


def test_no_service_is_a_clear_error(tmp_path):
    # a port nobody listens on: connection refused
    s = _Server()
    url = s.url
    s.close()
    with pytest.raises(WeatherError, match="cannot be reached"):
        fetch_tmy(45, 8, PvgisOptions(url=url, timeout_s=2, cache_dir=tmp_path))


def test_answer_for_another_place_is_refused(server, tmp_path):
    with pytest.raises(WeatherError, match="instead of 30.0, 114.0"):
        fetch_tmy(30.0, 114.0, PvgisOptions(url=server.url, cache_dir=tmp_path))


def test_get_weather_pvgis_applies_qc(server, tmp_path):
    resolved = get_weather("pvgis", 45.0, 8.0, pvgis={"pvgis_url": server.url, "cache_dir": str(tmp_path)})
    assert not resolved.synthetic and resolved.weather.shift_applied_h == 0.0
    assert resolved.weather.solar_offset_h == pytest.approx(0.1761)


def test_bad_timeout_in_config():
    with pytest.raises(WeatherError, match="pvgis_timeout_s"):
        PvgisOptions.from_mapping({"pvgis_timeout_s": "soon"})


def _cli(args, env, cwd):
    return subprocess.run([sys.executable, "-m", "solarplan", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, cwd=cwd, timeout=300)


def test_cli_with_pvgis(server, tmp_path):
    env = {"SOLARPLAN_PVGIS_URL": server.url, "SOLARPLAN_CACHE_DIR": str(tmp_path / "cache")}
    got = _cli(["weather", "fetch", "--location", "45,8", "--out", str(tmp_path / "y.csv")], env, tmp_path)
    assert got.returncode == 0, got.stderr
    assert "downloaded to" in got.stdout and "timing offset: +0.05 h" in got.stdout
    assert (tmp_path / "y.csv").exists()
    # the written CSV keeps the irradiance instant
    assert read_weather(tmp_path / "y.csv").value_time_h == pytest.approx(0.1761)
    inv = tmp_path / "roofs.csv"
    inv.write_text("site_id,site_name,category,surface_type,lat,lon,area_m2\n"
                   "s1,Scuola A,school,flat_roof,45.01,8.02,1200\n"
                   "s2,Ospedale B,hospital,carport,44.98,7.97,800\n", encoding="utf-8")
    got = _cli(["simulate", str(inv), "--weather", "pvgis", "--out", str(tmp_path / "sites.csv")], env, tmp_path)
    assert got.returncode == 0, got.stdout + got.stderr
    assert len(server.requests) == 1  # both sites fall in the cached 45.0 N 8.0 E cell
    import pandas as pd
    sites = pd.read_csv(tmp_path / "sites.csv")
    assert len(sites) == 2 and (sites["specific_yield_kwh_per_kwp"] > 900).all()
    server.close()
    got = _cli(["check", "--area", "1000m2", "--claim", "150000kWh", "--lat", "45", "--lon", "8",
                "--weather", "pvgis"], env, tmp_path)
    assert got.returncode == 0, got.stdout + got.stderr
    assert "verdict" in got.stdout
