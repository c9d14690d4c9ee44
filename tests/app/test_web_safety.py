"""`solarplan serve` safety rules, in process (Starlette's test client; no browser, no worker run)."""
from __future__ import annotations

import re
import time
import tomllib
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from solarplan.app.cli import main
from solarplan.app.pipeline import load_plan
from solarplan.app.web import settings as cfgform
from solarplan.app.web.jobs import REGISTER_EXT, display_name, upload_suffix
from solarplan.app.web.server import CSP_APP, ServeOptions, create_app
from solarplan.core.errors import ConfigError

TEMPLATES = Path(__file__).resolve().parents[2] / "solarplan" / "app" / "web" / "templates"
CSV = "site_id,name,category,surface_type,lat,lon,area_m2\nA,一中,school,flat_roof,32.6,110.8,1000\n"


@pytest.fixture
def app(tmp_path):
    a = create_app(ServeOptions(max_upload_mb=0.05, root=tmp_path / "jobs"))
    yield a
    a.state.jobs.close()


@pytest.fixture
def client(app):
    return TestClient(app, base_url="http://127.0.0.1:8765")


def _upload(client, name="r.csv", body=CSV.encode()):
    return client.post("/upload", files={"register": (name, body, "text/csv")}, follow_redirects=False)


def test_every_page_has_the_strict_csp_and_no_inline_script(client):
    for path in ("/", "/claim", "/retrofit", "/settings"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-security-policy"] == CSP_APP
        assert "'unsafe-inline'" not in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
    for t in TEMPLATES.glob("*.html"):
        text = t.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), t.name  # only <script src=...>
        assert not re.search(r"\son[a-z]+\s*=", text), t.name  # no inline event handlers
        assert "style=" not in text and "<style" not in text, t.name


def test_upload_over_the_limit_is_refused(client, app):
    r = _upload(client, body=b"x" * 80_000)
    assert r.status_code == 413
    assert not any((app.state.jobs.root).iterdir())  # nothing was kept


def test_upload_names_are_sanitised_and_never_used_as_paths(client, app):
    r = _upload(client, name="../../etc/<img src=x onerror=alert(1)>.CSV")
    assert r.status_code == 303
    jid = r.headers["location"].rsplit("/", 1)[-1]
    job = app.state.jobs.get(jid)
    assert [p.name for p in (job.folder / "input").iterdir()] == ["register.csv"]
    assert job.spec["name"] == "<img src=x onerror=alert(1)>.CSV"
    page = client.get(f"/job/{jid}").text
    assert "&lt;img src=x onerror=alert(1)&gt;.CSV" in page and "<img src=x" not in page
    assert _upload(client, name="roofs.exe").status_code == 400
    assert upload_suffix("a.tar.gz", REGISTER_EXT) is None and upload_suffix("屋顶.XLSX", REGISTER_EXT) == ".xlsx"
    assert display_name("C:\\Users\\x\\清单\x00.csv") == "清单.csv"


@pytest.mark.parametrize("path", ["/job/../../etc/passwd", "/job/abc/file/sites.csv", "/job/%2e%2e/zip",
                                  "/job/0123456789abcdef0123456789abcdef/file/..%2fjob.json"])
def test_no_user_path_reaches_the_filesystem(client, path):
    assert client.get(path).status_code == 404


def test_only_listed_outputs_are_served(client, app):
    jid = _upload(client).headers["location"].rsplit("/", 1)[-1]
    for name in ("job.json", "plan.toml", "..%2Fjob.json", "input%2Fregister.csv"):
        assert client.get(f"/job/{jid}/file/{name}").status_code == 404


def test_foreign_host_and_cross_site_post_are_refused(client):
    assert client.get("/", headers={"host": "evil.example"}).status_code == 403  # DNS rebinding
    r = client.post("/demo", headers={"origin": "http://evil.example"}, follow_redirects=False)
    assert r.status_code == 403


def test_remote_needs_the_flag_and_then_a_token(tmp_path):
    assert main(["serve", "--host", "0.0.0.0", "--no-browser"]) == 2
    a = create_app(ServeOptions(token="s3cret", allow_remote=True, root=tmp_path / "j"))
    c = TestClient(a, base_url="http://192.0.2.7:8765")
    try:
        assert c.get("/").status_code == 403
        r = c.get("/?token=wrong", follow_redirects=False)
        assert r.status_code == 403
        r = c.get("/?token=s3cret", follow_redirects=False)
        assert r.status_code == 303 and "solarplan_token=s3cret" in r.headers["set-cookie"]
        assert "HttpOnly" in r.headers["set-cookie"]
        assert c.get("/").status_code == 200  # the cookie is kept by the client
    finally:
        a.state.jobs.close()


def test_jobs_expire_with_their_folders(client, app):
    jid = _upload(client).headers["location"].rsplit("/", 1)[-1]
    job = app.state.jobs.get(jid)
    assert job.folder.is_dir()
    assert app.state.jobs.expire(now=time.time() + 5 * 3600) == [jid]
    assert not job.folder.exists() and app.state.jobs.get(jid) is None
    assert client.get(f"/job/{jid}").status_code == 404


def test_settings_are_checked_as_the_cli_checks_plan_toml(client, tmp_path):
    r = client.post("/settings", data={"action": "save", "packages.min_package_mw": "abc",
                                       "packages.by_district": "on"})
    bad = tmp_path / "bad.toml"
    bad.write_text('[packages]\nmin_package_mw = "abc"\nby_district = true\n', encoding="utf-8")
    with pytest.raises(ConfigError) as cli_error:
        load_plan(bad)
    message = str(cli_error.value).split("[packages]", 1)[1]
    assert message.replace('"', "&#34;") in r.text or message in r.text.replace("&#34;", '"')
    r = client.post("/settings", data={"action": "save", "packages.min_package_mw": "2.5",
                                       "economics.discount_rate": "6%", "tariffs.schedule": "henan_2024",
                                       "packages.by_district": "on"})
    assert 'id="settings-saved"' in r.text
    toml = client.get("/settings/plan.toml").text
    raw = tomllib.loads(toml)
    assert raw["packages"] == {"min_package_mw": 2.5, "by_district": True}
    assert raw["economics"] == {"discount_rate": "6%"} and raw["tariffs"] == {"schedule": "henan_2024"}
    good = tmp_path / "plan.toml"
    good.write_text(toml, encoding="utf-8")
    cfg = load_plan(good)  # the downloaded file works with --config
    assert cfg.typed("economics", __import__("solarplan.pv.economics", fromlist=["x"]).EconomicParams
                     ).discount_rate == pytest.approx(0.06)


def test_toml_writer_round_trips_hostile_keys():
    raw = {"inventory": {"column_map": {'档案"号\n': "site_id", "x]y": "name"}}, "packages": {"max_sites": 5}}
    assert tomllib.loads(cfgform.to_toml(raw)) == raw


def test_chinese_by_default_english_on_request_and_only_local_redirects(client):
    assert "上传屋顶/车棚清单" in client.get("/").text
    r = client.get("/lang?to=en&next=/claim", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/claim" and "lang=en" in r.headers["set-cookie"]
    assert "Check a headline claim" in client.get("/claim").text
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        r = client.get("/lang", params={"to": "zh", "next": evil}, follow_redirects=False)
        assert r.headers["location"] == "/"
