"""The web app (Starlette + Jinja2, served by uvicorn).

Pages: upload a register or run the demo -> validation (summary, rejects, column mapping) -> run with
progress and cancel -> results (headline cards, packages, map, briefing, downloads); claim check;
retrofit and trusteeship; settings (plan.toml). Every number comes from the pipeline functions the
command line uses (:mod:`solarplan.app.pipeline`, :func:`solarplan.check_claim`).

Safety: request bodies are limited; each job has its own folder under a private temporary root and
the user's file is saved under a fixed name; downloads are looked up in a fixed list; every page is
rendered by Jinja2 with autoescape and sent with a strict Content-Security-Policy (no inline script);
the pipeline's self-contained map and briefing are served sandboxed (an opaque origin); the Host
header must be loopback unless remote access was asked for, and then a token is required.
"""
from __future__ import annotations

import contextlib
import math
import secrets
import tempfile
import threading
import webbrowser
import zipfile
from dataclasses import dataclass, field, replace
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pyogrio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from solarplan.app.pipeline import DEMO_BUILDINGS, demo_inventory_path, read_inventory, rows_summary
from solarplan.app.web import settings as cfgform
from solarplan.app.web.jobs import (BUILDINGS_EXT, REGISTER_EXT, JobManager, display_name, read_json,
                                    upload_suffix)
from solarplan.app.web.text import LANGS, texts
from solarplan.app.web.worker import DOWNLOADS, ZIP_NAME
from solarplan.core import i18n
from solarplan.core.errors import SolarplanError
from solarplan.core.resources import data_path
from solarplan.io.inventory import GEO_EXT, read_rows
from solarplan.io.vocab import HEADER_ALIASES, canonical_header
from solarplan.planning.claims import check_claim

HERE = Path(__file__).parent
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")

#: The app's own pages: scripts, styles and images only from this server; no inline script or style.
CSP_APP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
           "form-action 'self'; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'")
#: The pipeline's self-contained map and briefing (inline Leaflet): sandboxed into an opaque origin, so a
#: script in them can reach neither this app nor its cookies; no network but map tiles.
CSP_OUTPUT = ("sandbox allow-scripts allow-popups; default-src 'none'; script-src 'unsafe-inline'; "
              "style-src 'unsafe-inline'; img-src data: blob: https:; font-src data:; frame-src data: blob:; "
              "frame-ancestors 'self'")


@dataclass(frozen=True)
class ServeOptions:
    """Options of ``solarplan serve``.

    Attributes
    ----------
    max_upload_mb : float
        Largest request body [MB] (an upload and its form).
    ttl_h : float
        Jobs and their folders are deleted this long after they were made [h].
    max_running : int
        Worker processes at once (one per job); further jobs queue.
    token : str or None
        Required on every request when set (remote access).
    allow_remote : bool
        Accept any Host header (needed when bound to another address than loopback).
    root : Path or None
        Folder for the job folders (a new temporary folder by default).
    """

    max_upload_mb: float = 50.0
    ttl_h: float = 4.0
    max_running: int = 2
    token: str | None = None
    allow_remote: bool = False
    root: Path | None = None
    plan: dict = field(default_factory=dict)


class TooLarge(Exception):
    """The request body is over the limit."""


# ------------------------------------------------------------------------------------------------
# Helpers for the pages
def _num(v, nd: int = 1, scale: float = 1.0) -> str:
    if v is None or isinstance(v, str):
        return "" if v is None else v
    try:
        x = float(v) / scale
    except (TypeError, ValueError):
        return str(v)
    return "" if not math.isfinite(x) else f"{x:,.{nd}f}"


def _pct(v, nd: int = 1) -> str:
    return "" if v is None or not isinstance(v, (int, float)) or not math.isfinite(v) else f"{v * 100:.{nd}f}%"


def _header(col: str, lang: str) -> str:
    try:
        return i18n.header(col, lang)
    except (KeyError, ValueError):
        return col


def _coded(col: str, value, lang: str) -> str:
    if value is None:
        return ""
    try:
        if col == "package_id":
            return i18n.package_label(value, lang)
        if col in i18n.CODED:
            return i18n.value_label(col, value, lang)
    except (KeyError, ValueError):
        pass
    return str(value)


def _safe_next(path: str | None) -> str:
    """A local path to go back to (never another site)."""
    p = str(path or "/")
    return p if p.startswith("/") and not p.startswith("//") and "\\" not in p and "\n" not in p else "/"


def _parse_fraction(text: str | None, name: str) -> float | None:
    """A number or a percentage such as 8% (the command line's rule for --target-irr/--parameter)."""
    if text is None or not str(text).strip():
        return None
    t = str(text).strip()
    try:
        return float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        raise SolarplanError(f"{name} must be a number or a percentage such as 8%, got {text!r}") from None


def raw_headers(path: Path) -> list[str]:
    """The header row of a register as the user wrote it."""
    if path.suffix.lower() in GEO_EXT:
        return [str(c) for c in pyogrio.read_info(path)["fields"]]
    return [str(c) for c in read_rows(path)[0].columns]


def validate_register(path: Path, raw_plan: dict, lang: str = "zh") -> dict:
    """The validation page's content: the same reader and rules as ``solarplan inventory validate``."""
    config = cfgform.check(raw_plan, "settings")
    out = {"summary": "", "error": "", "rejects": [], "n_rejects": 0, "n_clean": 0, "unknown": []}
    mapped = {str(k).strip() for k in config.inventory.column_map}
    try:
        out["unknown"] = [h for h in raw_headers(path) if canonical_header(h) is None and h.strip() not in mapped
                          and h.lower() not in ("geometry", "fid")]
    except (SolarplanError, OSError, ValueError, pyogrio.errors.DataSourceError):
        out["unknown"] = []
    try:
        res = read_inventory(path, config)
    except SolarplanError as exc:
        out["error"] = str(exc).replace(str(path), "")
        return out
    rej = res.rejects
    out.update(summary=rows_summary(res, lang), n_rejects=len(rej), n_clean=len(res.clean),
               rejects=[{k: ("" if pd.isna(v) else str(v)) for k, v in r.items()}
                        for r in rej[["source_row", "site_id", "column", "value", "reason"]].head(500).to_dict("records")])
    for r in out["rejects"]:
        r["reason"] = r["reason"].replace(str(path), "")
    return out


# ------------------------------------------------------------------------------------------------
class Guard:
    """ASGI middleware: Host check, token, body limit and security headers on every response."""

    def __init__(self, app, opts: ServeOptions):
        self.app, self.opts = app, opts
        self.limit = int(opts.max_upload_mb * 1024 * 1024)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        hostname = urlsplit(f"//{host}").hostname or ""
        if not self.opts.allow_remote and hostname not in LOOPBACK:
            return await _plain(send, 403, "Forbidden: this app answers only on 127.0.0.1 (localhost).")
        origin = headers.get("origin")
        if scope["method"] not in ("GET", "HEAD") and origin and urlsplit(origin).netloc != host:
            return await _plain(send, 403, "Forbidden: a form from another site cannot post here.")
        if self.opts.token:
            jar = SimpleCookie(headers.get("cookie", ""))
            have = jar["solarplan_token"].value if "solarplan_token" in jar else ""
            query = dict(p.split("=", 1) for p in scope.get("query_string", b"").decode().split("&") if "=" in p)
            if query.get("token") and secrets.compare_digest(query["token"], self.opts.token):
                return await send_redirect(send, scope["path"], cookie=f"solarplan_token={self.opts.token}; "
                                                                       "HttpOnly; SameSite=Strict; Path=/")
            if not secrets.compare_digest(have, self.opts.token):
                return await _plain(send, 403, "Forbidden: an access token is needed; use the full address "
                                               "printed when the server started.")
        length = headers.get("content-length")
        if length and length.isdigit() and int(length) > self.limit:
            return await _plain(send, 413, f"The upload is too large: the limit is {self.opts.max_upload_mb:g} MB.")
        seen = 0

        async def limited():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise TooLarge()
            return msg

        async def secured(msg):
            if msg["type"] == "http.response.start":
                hs = list(msg.get("headers", []))
                names = {k.lower() for k, _ in hs}
                extra = {b"content-security-policy": CSP_APP.encode(), b"x-content-type-options": b"nosniff",
                         b"referrer-policy": b"same-origin", b"cross-origin-opener-policy": b"same-origin",
                         b"cache-control": b"no-store"}
                hs += [(k, v) for k, v in extra.items() if k not in names]
                msg = {**msg, "headers": hs}
            await send(msg)

        await self.app(scope, limited, secured)


async def _plain(send, status: int, text: str):
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"content-security-policy", b"default-src 'none'"), (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body})


async def send_redirect(send, path: str, cookie: str):
    await send({"type": "http.response.start", "status": 303, "headers": [
        (b"location", _safe_next(path).encode("utf-8")), (b"set-cookie", cookie.encode()),
        (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


# ------------------------------------------------------------------------------------------------
def create_app(opts: ServeOptions = ServeOptions()):
    """The ASGI app (the Starlette app inside :class:`Guard`); ``app.state.jobs`` is its JobManager."""
    root = opts.root or Path(tempfile.mkdtemp(prefix="solarplan-serve-"))
    jobs = JobManager(root, opts.max_running, opts.ttl_h * 3600)
    plan = {"raw": dict(opts.plan), "weather": "auto"}
    plan_lock = threading.Lock()
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=_num, pct=_pct)
    limit_mb = opts.max_upload_mb

    def lang_of(request: Request) -> str:
        lang = request.cookies.get("lang", "zh")
        return lang if lang in LANGS else "zh"

    def page(request: Request, name: str, code: int = 200, **ctx) -> HTMLResponse:
        lang = lang_of(request)
        html = env.get_template(name).render(
            t=texts(lang), lang=lang, path=request.url.path, max_upload_mb=limit_mb, ttl_h=opts.ttl_h,
            header=lambda c: _header(c, lang), coded=lambda c, v: _coded(c, v, lang), **ctx)
        return HTMLResponse(html, status_code=code)

    def error(request: Request, message: str, status: int = 400) -> HTMLResponse:
        return page(request, "error.html", code=status, message=message)

    def redirect(url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

    def snapshot() -> tuple[dict, str]:
        with plan_lock:
            return {k: dict(v) for k, v in plan["raw"].items()}, plan["weather"]

    async def form_of(request: Request):
        try:
            return await request.form(max_files=2, max_fields=100)
        except TooLarge:
            return None

    async def save_upload(upload: UploadFile, dest: Path) -> None:
        with open(dest, "wb") as f:
            while chunk := await upload.read(1 << 20):
                f.write(chunk)

    def too_large(request):
        return error(request, texts(lang_of(request))["too_large"].format(mb=f"{limit_mb:g}"), 413)

    # -- pages ------------------------------------------------------------------------------------
    async def index(request: Request):
        return page(request, "index.html", accept=", ".join(REGISTER_EXT))

    async def set_lang(request: Request):
        to = request.query_params.get("to", "zh")
        resp = redirect(_safe_next(request.query_params.get("next")))
        resp.set_cookie("lang", to if to in LANGS else "zh", samesite="strict", httponly=True)
        return resp

    async def upload(request: Request):
        form = await form_of(request)
        if form is None:
            return too_large(request)
        f = form.get("register")
        t = texts(lang_of(request))
        if not isinstance(f, UploadFile) or not f.filename:
            return error(request, t["no_file"])
        ext = upload_suffix(f.filename, REGISTER_EXT)
        if ext is None:
            return error(request, t["bad_type"].format(ext=", ".join(REGISTER_EXT)))
        job = jobs.create("plan", {"input": f"input/register{ext}", "name": display_name(f.filename),
                                   "lang": lang_of(request)})
        dest = job.folder / "input" / f"register{ext}"
        await save_upload(f, dest)
        if ext == ".zip":
            try:
                with zipfile.ZipFile(dest) as z:
                    if sum(i.file_size for i in z.infolist()) > 20 * limit_mb * 1024 * 1024:
                        return too_large(request)
            except zipfile.BadZipFile:
                return error(request, "zip: " + t["cannot_read"])
        return redirect(f"/job/{job.id}")

    async def demo(request: Request):
        raw, weather = snapshot()
        job = jobs.create("demo", {"input": "", "name": demo_inventory_path().name, "lang": lang_of(request),
                                   "weather": "auto"})
        (job.folder / "plan.toml").write_text(cfgform.to_toml(raw, weather), encoding="utf-8")
        jobs.start(job)
        return redirect(f"/job/{job.id}/progress")

    def job_or_404(request: Request):
        return jobs.get(request.path_params["jid"])

    async def validation(request: Request):
        job = job_or_404(request)
        if job is None:
            return error(request, texts(lang_of(request))["not_found"], 404)
        if job.kind != "plan":
            return redirect(f"/job/{job.id}/progress")
        raw, weather = snapshot()
        try:
            v = await run_in_threadpool(validate_register, job.folder / job.spec["input"], raw, lang_of(request))
        except SolarplanError as exc:
            v = {"summary": "", "error": str(exc), "rejects": [], "n_rejects": 0, "n_clean": 0, "unknown": []}
        choices = sorted(k for k in HEADER_ALIASES)
        return page(request, "validate.html", job=job, spec=job.spec, v=v, choices=choices, weather=weather,
                    state=job.state)

    async def mapping(request: Request):
        job = job_or_404(request)
        if job is None:
            return error(request, texts(lang_of(request))["not_found"], 404)
        form = await form_of(request)
        if form is None:
            return too_large(request)
        pairs = {}
        for i in range(int(form.get("n", "0") or 0) if str(form.get("n", "0")).isdigit() else 0):
            head, canon = form.get(f"h{i}"), form.get(f"m{i}")
            if isinstance(head, str) and isinstance(canon, str) and canon in HEADER_ALIASES and head.strip():
                pairs[head.strip()] = canon
        if pairs:
            with plan_lock:
                inv = dict(plan["raw"].get("inventory", {}))
                inv["column_map"] = {**dict(inv.get("column_map", {})), **pairs}
                plan["raw"]["inventory"] = inv
        return redirect(f"/job/{job.id}")

    async def run(request: Request):
        job = job_or_404(request)
        if job is None:
            return error(request, texts(lang_of(request))["not_found"], 404)
        form = await form_of(request)
        if form is None:
            return too_large(request)
        raw, weather = snapshot()
        w = form.get("weather", weather)
        jobs.update_spec(job, weather=w if w in cfgform.WEATHER_SOURCES else "auto", lang=lang_of(request))
        (job.folder / "plan.toml").write_text(cfgform.to_toml(raw, weather), encoding="utf-8")
        jobs.start(job)
        return redirect(f"/job/{job.id}/progress")

    async def progress(request: Request):
        job = job_or_404(request)
        if job is None:
            return error(request, texts(lang_of(request))["not_found"], 404)
        if job.state == "done":
            return redirect(f"/job/{job.id}/results")
        return page(request, "progress.html", job=job, spec=job.spec, status=job.status())

    async def status(request: Request):
        job = job_or_404(request)
        if job is None:
            return JSONResponse({"state": "missing"}, status_code=404)
        st = job.status()
        t = texts(lang_of(request))
        st["stage_label"] = t.get(f"stage_{st['stage']}", st["stage"])
        return JSONResponse(st)

    async def cancel(request: Request):
        job = job_or_404(request)
        if job is None:
            return error(request, texts(lang_of(request))["not_found"], 404)
        jobs.cancel(job)
        return redirect(f"/job/{job.id}/progress")

    async def results(request: Request):
        job = job_or_404(request)
        if job is None:
            return error(request, texts(lang_of(request))["not_found"], 404)
        if job.state != "done":
            return redirect(f"/job/{job.id}/progress")
        res = read_json(job.folder / "result.json", {})
        name = "retrofit_results.html" if job.kind == "retrofit" else "results.html"
        return page(request, name, job=job, spec=job.spec, r=res, zip_name=ZIP_NAME)

    async def output(request: Request):
        job = job_or_404(request)
        name = request.path_params["name"]
        if job is None or name not in DOWNLOADS:  # a fixed list: no user path reaches the filesystem
            return Response("not found", status_code=404, media_type="text/plain")
        path = job.out / name
        if not path.is_file():
            return Response("not found", status_code=404, media_type="text/plain")
        attach = request.query_params.get("download") == "1" or not name.endswith(".html")
        headers = {"content-security-policy": CSP_OUTPUT} if name.endswith(".html") else {}
        media = {".csv": "text/csv; charset=utf-8", ".html": "text/html; charset=utf-8",
                 ".geojson": "application/geo+json"}.get(path.suffix)
        return FileResponse(path, headers=headers, media_type=media,
                            filename=name if attach else None,
                            content_disposition_type="attachment" if attach else "inline")

    async def zipped(request: Request):
        job = job_or_404(request)
        if job is None or job.state != "done" or not (job.folder / ZIP_NAME).is_file():
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(job.folder / ZIP_NAME, filename=ZIP_NAME, media_type="application/zip")

    # -- claim check -----------------------------------------------------------------------------
    async def claim(request: Request):
        form, result, err = {}, None, ""
        if request.method == "POST":
            f = await form_of(request)
            if f is None:
                return too_large(request)
            form = {k: str(f.get(k, "") or "").strip()[:200] for k in
                    ("area", "capacity", "claim", "location", "co2", "tce", "surface_type")}
            try:
                res = await run_in_threadpool(lambda: check_claim(
                    claim=form["claim"] or None, area=form["area"] or None, capacity=form["capacity"] or None,
                    co2=form["co2"] or None, tce=form["tce"] or None, location=form["location"] or None,
                    surface_type=form["surface_type"] or None, weather="auto"))
                result = res.as_dict()
            except SolarplanError as exc:
                err = str(exc)
        return page(request, "claim.html", form=form, result=result, err=err,
                    surface_types=("flat_roof", "pitched_roof", "metal_roof", "carport"))

    # -- retrofit and trusteeship -----------------------------------------------------------------
    async def retrofit_form(request: Request):
        return page(request, "retrofit.html", form={}, err="", accept=", ".join(BUILDINGS_EXT))

    async def retrofit_post(request: Request):
        f = await form_of(request)
        if f is None:
            return too_large(request)
        t = texts(lang_of(request))
        form = {k: str(f.get(k, "") or "").strip()[:100] for k in
                ("contract", "term", "parameter", "target_irr", "location", "use_demo")}

        def again(msg):
            return page(request, "retrofit.html", code=400, form=form, err=msg,
                        accept=", ".join(BUILDINGS_EXT))

        kind = form["contract"] if form["contract"] in ("trusteeship", "shared-savings", "guaranteed") \
            else "trusteeship"
        try:
            term = int(form["term"]) if form["term"] else None
            parameter = _parse_fraction(form["parameter"], t["parameter"])
            target = _parse_fraction(form["target_irr"], t["target_irr"])
        except ValueError:
            return again(f"{t['term']}: {form['term']!r}")
        except SolarplanError as exc:
            return again(str(exc))
        upload_file = f.get("buildings")
        use_demo = form["use_demo"] == "on" or not (isinstance(upload_file, UploadFile) and upload_file.filename)
        if use_demo and form["use_demo"] != "on":
            return again(t["no_file"])
        ext = ".csv" if use_demo else upload_suffix(upload_file.filename, BUILDINGS_EXT)
        if ext is None:
            return again(t["bad_type"].format(ext=", ".join(BUILDINGS_EXT)))
        raw, weather = snapshot()
        job = jobs.create("retrofit", {
            "input": f"input/buildings{ext}", "name": DEMO_BUILDINGS if use_demo else display_name(upload_file.filename),
            "lang": lang_of(request), "weather": weather, "contract": kind, "term": term, "parameter": parameter,
            "target_irr": target, "location": form["location"] or None})
        dest = job.folder / "input" / f"buildings{ext}"
        if use_demo:
            dest.write_bytes(data_path(DEMO_BUILDINGS).read_bytes())
        else:
            await save_upload(upload_file, dest)
        (job.folder / "plan.toml").write_text(cfgform.to_toml(raw, weather), encoding="utf-8")
        jobs.start(job)
        return redirect(f"/job/{job.id}/progress")

    # -- settings ---------------------------------------------------------------------------------
    async def settings_page(request: Request):
        err, saved = "", False
        raw, weather = snapshot()
        if request.method == "POST":
            f = await form_of(request)
            if f is None:
                return too_large(request)
            action = f.get("action", "save")
            try:
                if action == "reset":
                    new, new_w = {}, "auto"
                elif action == "upload":
                    up = f.get("plan")
                    if not isinstance(up, UploadFile) or not up.filename:
                        raise SolarplanError(texts(lang_of(request))["no_file"])
                    text = (await up.read(1 << 20)).decode("utf-8-sig", errors="replace")
                    new, new_w = cfgform.parse_toml(text, display_name(up.filename)), weather
                else:
                    new = cfgform.from_form({k: str(v) for k, v in f.items() if isinstance(v, str)}, raw)
                    w = f.get("weather_source", "auto")
                    new_w = w if w in cfgform.WEATHER_SOURCES else "auto"
                    cfgform.check(new, "settings")
                with plan_lock:
                    plan["raw"], plan["weather"] = new, new_w
                raw, weather, saved = new, new_w, True
            except SolarplanError as exc:
                err = str(exc)
        return page(request, "settings.html", fields=cfgform.FIELDS, values=cfgform.current(raw), err=err,
                    saved=saved, weather=weather, sources=cfgform.WEATHER_SOURCES,
                    column_map=dict(raw.get("inventory", {}).get("column_map", {})))

    async def settings_toml(request: Request):
        raw, weather = snapshot()
        return Response(cfgform.to_toml(raw, weather), media_type="application/toml; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="plan.toml"'})

    async def too_large_handler(request: Request, exc: Exception):
        return too_large(request)

    routes = [
        Route("/", index), Route("/lang", set_lang), Route("/upload", upload, methods=["POST"]),
        Route("/demo", demo, methods=["POST"]),
        Route("/job/{jid}", validation), Route("/job/{jid}/mapping", mapping, methods=["POST"]),
        Route("/job/{jid}/run", run, methods=["POST"]), Route("/job/{jid}/progress", progress),
        Route("/job/{jid}/status", status), Route("/job/{jid}/cancel", cancel, methods=["POST"]),
        Route("/job/{jid}/results", results), Route("/job/{jid}/file/{name}", output),
        Route("/job/{jid}/zip", zipped),
        Route("/claim", claim, methods=["GET", "POST"]),
        Route("/retrofit", retrofit_form), Route("/retrofit", retrofit_post, methods=["POST"]),
        Route("/settings", settings_page, methods=["GET", "POST"]), Route("/settings/plan.toml", settings_toml),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        jobs.close()

    app = Starlette(routes=routes, exception_handlers={TooLarge: too_large_handler}, lifespan=lifespan)
    app.state.jobs = jobs
    guarded = Guard(app, opts)
    guarded.state = app.state
    return guarded


def serve(host: str = "127.0.0.1", port: int = 8765, *, allow_remote: bool = False, open_browser: bool = True,
          opts: ServeOptions = ServeOptions(), echo=print) -> None:
    """Run the app with uvicorn until interrupted (Ctrl+C).

    Binding to an address other than loopback needs ``allow_remote``; a random token is then required.
    """
    import uvicorn  # lazy: only `solarplan serve` runs a server (create_app, which the tests use, needs none)

    remote = host not in LOOPBACK
    if remote and not allow_remote:
        raise SolarplanError(f"--host {host} would let other computers reach the app; add --allow-remote to "
                             "mean it (a random access token is then required), or leave --host at 127.0.0.1")
    token = secrets.token_urlsafe(24) if remote else opts.token
    opts = replace(opts, token=token, allow_remote=remote)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    echo(f"solarplan is running at {url}  (Ctrl+C to stop)")
    if open_browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    uvicorn.run(create_app(opts), host=host, port=port, log_level="warning")


def read_plan_file(path: Path) -> dict:
    """The raw document of a plan.toml given to ``solarplan serve --config`` (checked as the CLI checks it)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SolarplanError(f"config file {path} does not exist") from None
    return cfgform.parse_toml(text, str(path))
