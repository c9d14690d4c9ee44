"""Jobs of the web app: one temporary folder and one worker process each.

A job is created with a random id and a folder under the app's private root; the user's upload is
saved there under a fixed name (``input/register.<ext>``) whose extension comes from a whitelist, so
no name or path from the user ever reaches the filesystem. Running a job starts
``python -m solarplan.app.web.worker <folder>`` (a process, not a thread: pvlib and numpy release
the GIL only in part, so a process keeps the page responsive and lets a cancel stop the work at
once). The worker reports through ``status.json``/``result.json``/``error.json`` in the folder.
Jobs older than ``ttl_s`` are stopped and their folders deleted.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from solarplan.core.errors import InputError

#: Upload extensions accepted for a register (zipped Shapefile as .zip) and for a buildings table.
REGISTER_EXT = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv", ".geojson", ".json", ".gpkg", ".zip")
BUILDINGS_EXT = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
KINDS = ("plan", "demo", "retrofit")
STATES = ("new", "queued", "running", "done", "failed", "cancelled")


def display_name(name: str | None, limit: int = 80) -> str:
    """The user's file name for display only: the last path part, no control characters, bounded length."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    return base.strip()[:limit] or "upload"


def upload_suffix(name: str | None, allowed: tuple[str, ...]) -> str | None:
    """The whitelisted, lower-case extension of an uploaded name, or None."""
    m = re.search(r"(\.[A-Za-z0-9]{1,8})$", display_name(name))
    ext = m.group(1).lower() if m else ""
    return ext if ext in allowed else None


def write_json(path: Path, data) -> None:
    """Write JSON atomically (a temporary file, then renamed), so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path, default=None):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return default


@dataclass
class Job:
    """One job: its folder and worker process (mutable; guarded by the manager's lock)."""

    id: str
    kind: str
    folder: Path
    created: float
    state: str = "new"
    proc: subprocess.Popen | None = field(default=None, repr=False)
    started: float | None = None
    ended: float | None = None

    @property
    def out(self) -> Path:
        return self.folder / "out"

    @property
    def spec(self) -> dict:
        return read_json(self.folder / "job.json", {})

    def status(self) -> dict:
        """State, progress fraction and the worker's last message."""
        st = read_json(self.folder / "status.json", {}) or {}
        err = read_json(self.folder / "error.json")
        return {"state": self.state, "fraction": 1.0 if self.state == "done" else float(st.get("fraction", 0.0)),
                "stage": st.get("stage", ""), "message": st.get("message", ""),
                "error": (err or {}).get("message", "") if self.state == "failed" else ""}


class JobManager:
    """Creates, runs, cancels and expires jobs.

    Parameters
    ----------
    root : Path
        Private folder for the job folders (created; removed by :meth:`close`).
    max_running : int
        Worker processes at once; further jobs wait in a queue.
    ttl_s : float
        Age after which a job is stopped and deleted [s].
    """

    def __init__(self, root: Path, max_running: int = 2, ttl_s: float = 4 * 3600, tick_s: float = 0.5):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.max_running, self.ttl_s = max(1, int(max_running)), float(ttl_s)
        self._jobs: dict[str, Job] = {}
        self._queue: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(tick_s,), name="solarplan-jobs", daemon=True)
        self._thread.start()

    # -- creation and lookup -------------------------------------------------------------------
    def create(self, kind: str, spec: dict) -> Job:
        if kind not in KINDS:
            raise InputError(f"unknown job kind {kind!r}; valid: {', '.join(KINDS)}")
        jid = secrets.token_hex(16)
        folder = self.root / jid
        (folder / "input").mkdir(parents=True, mode=0o700)
        (folder / "out").mkdir(mode=0o700)
        write_json(folder / "job.json", {**spec, "kind": kind, "id": jid})
        job = Job(jid, kind, folder, time.time())
        with self._lock:
            self._jobs[jid] = job
        return job

    def get(self, jid: str) -> Job | None:
        """The job with this id, or None (ids are checked against their pattern first)."""
        if not isinstance(jid, str) or not JOB_ID.match(jid):
            return None
        with self._lock:
            return self._jobs.get(jid)

    def update_spec(self, job: Job, **changes) -> dict:
        spec = {**job.spec, **changes}
        write_json(job.folder / "job.json", spec)
        return spec

    # -- running ------------------------------------------------------------------------------
    def start(self, job: Job) -> None:
        """Queue the job; it starts as soon as fewer than ``max_running`` workers run."""
        with self._lock:
            if job.state in ("queued", "running"):
                return
            for name in ("status.json", "result.json", "error.json"):
                (job.folder / name).unlink(missing_ok=True)
            job.state = "queued"
            self._queue.append(job.id)
        self._schedule()

    def cancel(self, job: Job) -> None:
        with self._lock:
            if job.id in self._queue:
                self._queue.remove(job.id)
            proc = job.proc
            if job.state in ("queued", "running"):
                job.state, job.ended = "cancelled", time.time()
        if proc is not None and proc.poll() is None:
            _stop(proc)
        self._schedule()

    def _schedule(self) -> None:
        with self._lock:
            running = sum(1 for j in self._jobs.values() if j.state == "running")
            while self._queue and running < self.max_running:
                job = self._jobs.get(self._queue.pop(0))
                if job is None or job.state != "queued":
                    continue
                log = open(job.folder / "worker.log", "wb")
                try:
                    job.proc = subprocess.Popen([sys.executable, "-m", "solarplan.app.web.worker", str(job.folder)],
                                                cwd=job.folder, stdin=subprocess.DEVNULL, stdout=log,
                                                stderr=subprocess.STDOUT, env=_worker_env())
                finally:
                    log.close()
                job.state, job.started = "running", time.time()
                running += 1

    def _poll(self) -> None:
        with self._lock:
            for job in self._jobs.values():
                if job.state == "running" and job.proc is not None and job.proc.poll() is not None:
                    ok = job.proc.returncode == 0 and (job.folder / "result.json").exists()
                    job.state, job.ended = ("done" if ok else "failed"), time.time()
                    if not ok and not (job.folder / "error.json").exists():
                        write_json(job.folder / "error.json",
                                   {"message": f"the worker stopped (exit status {job.proc.returncode}); "
                                               "see worker.log in the job folder"})

    def expire(self, now: float | None = None) -> list[str]:
        """Stop and delete jobs older than the time to live; return their ids."""
        now = time.time() if now is None else now
        with self._lock:
            old = [j for j in self._jobs.values() if now - j.created > self.ttl_s]
            for j in old:
                self._jobs.pop(j.id, None)
                if j.id in self._queue:
                    self._queue.remove(j.id)
        for j in old:
            if j.proc is not None and j.proc.poll() is None:
                _stop(j.proc)
            shutil.rmtree(j.folder, ignore_errors=True)
        return [j.id for j in old]

    def _loop(self, tick_s: float) -> None:
        while not self._stop.wait(tick_s):
            try:
                self._poll()
                self._schedule()
                self.expire()
            except Exception:  # noqa: BLE001 - keep the monitor alive; the job shows as failed
                pass

    def close(self) -> None:
        """Stop every worker and delete the root folder."""
        self._stop.set()
        with self._lock:
            jobs = list(self._jobs.values())
            self._jobs.clear()
        for j in jobs:
            if j.proc is not None and j.proc.poll() is None:
                _stop(j.proc)
        shutil.rmtree(self.root, ignore_errors=True)


def _stop(proc: subprocess.Popen, grace_s: float = 3.0) -> None:
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(grace_s)


def _worker_env() -> dict:
    """The server's environment, with this copy of solarplan first on the path."""
    env = dict(os.environ)
    here = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = os.pathsep.join([here] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env
