"""Outputs that cannot mislead (issue 22, item 3), through the real CLI: byte-identical repeat runs of the
demo, a repeat run into one folder (refused, or cleared with --overwrite, never mixed), an interrupted run,
and clear messages (exit 2, no traceback) for an output path that is a file, a folder, unwritable or full."""
from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from solarplan.app.pipeline import demo_inventory_path
from solarplan.io.outputs import MANIFEST

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, timeout=900):
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.run([sys.executable, "-m", "solarplan", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout, env=env)


def files(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def two_demos(demo_run, demo_cli):
    """Two whole runs of the demo on the same inputs: the suite's in-process run into maps/ under its working
    folder (tests/conftest.py ``demo_run``) and ``python -m solarplan demo --out FOLDER`` in a subprocess
    (``demo_cli``), started after the first has finished and a second later. Different processes,
    folders, invocations and clock readings: nothing of that may reach the bytes. Read only."""
    return demo_run.folder, demo_cli.folder


def test_demo_twice_gives_identical_bytes(two_demos):
    a, b = map(files, two_demos)
    assert set(a) == set(b) and len(a) >= 10
    differ = [n for n in a if a[n] != b[n]]
    assert differ == [], f"files differ between two identical runs: {differ}"
    for kind in (".xlsx", ".gpkg", ".html", ".csv", ".geojson"):
        assert any(n.endswith(kind) for n in a), kind


def test_manifest_lists_exactly_what_the_run_wrote(two_demos):
    a = two_demos[0]
    m = json.loads((a / MANIFEST).read_text(encoding="utf-8"))
    assert m["complete"] is True and m["command"] == "demo"
    assert sorted(m["files"]) == sorted(n for n in files(a) if n != MANIFEST)


def test_repeat_run_is_refused_then_replaced_without_mixing(two_demos, tmp_path):
    a = shutil.copytree(two_demos[0], tmp_path / "a")
    before = files(a)
    p = cli("demo", "--out", a)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "--overwrite" in p.stderr and "earlier run" in p.stderr
    assert files(a) == before                       # nothing touched
    # a run with no package at all into the same folder, with --overwrite
    small = tmp_path / "three.geojson"
    g = json.loads(demo_inventory_path().read_text(encoding="utf-8"))
    g["features"] = g["features"][:3]
    small.write_text(json.dumps(g, ensure_ascii=False), encoding="utf-8")
    plan = tmp_path / "plan.toml"
    plan.write_text("[packages]\nmin_package_mw = 500\nmax_package_mw = 1000\n", encoding="utf-8")
    p = cli("packages", small, "--out", a, "--config", plan, "--overwrite")
    assert p.returncode == 0, p.stderr[-3000:]
    now = files(a)
    m = json.loads(now[MANIFEST])
    assert m["complete"] and m["command"] == "packages"
    assert sorted(m["files"]) == sorted(n for n in now if n != MANIFEST)   # nothing left from the demo
    assert "packages.geojson" not in now and "map.html" not in now and "surfaces.csv" not in now
    assert now["sites.csv"].count(b"\n") == 1 + len({f["properties"]["site_id"] for f in g["features"]})


def test_interrupted_run_leaves_only_whole_files(two_demos, tmp_path):
    ref = files(two_demos[1])
    out = tmp_path / "c"
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    proc = subprocess.Popen([sys.executable, "-m", "solarplan", "demo", "--out", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 600
    while time.time() < deadline and not (out / "surfaces_clean.csv").exists():
        time.sleep(0.05)
    assert (out / "surfaces_clean.csv").exists(), "the demo never started writing"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    stdout, err = proc.communicate(timeout=300)
    assert proc.returncode != 0 and "Traceback" not in err, err[-2000:]
    if proc.returncode == 130:   # interrupted through Python's own handling (the usual case): it says so
        # (once in a whole-suite run the process ended otherwise, with nothing on stderr; it never did in 16
        # interrupts run alone, so only the usual path's message is checked)
        assert "interrupted: the run stopped before it finished" in " ".join(err.split()), (stdout[-1500:], err)
    left = files(out)
    assert not [n for n in left if ".part" in n]                              # no temporary file
    assert json.loads(left.pop(MANIFEST))["complete"] is False
    assert "briefing.html" not in left and len(left) < len(ref) - 1          # it was cut short
    for name, data in left.items():
        assert data == ref[name], f"{name} is not the complete file"          # what is there is whole
    p = cli("map", out, "--out", tmp_path / "m.html")
    assert p.returncode == 2 and "did not finish" in p.stderr and "Traceback" not in p.stderr
    p = cli("demo", "--out", out)
    assert p.returncode == 2 and "--overwrite" in p.stderr


@pytest.fixture
def unwritable(tmp_path):
    if os.geteuid() == 0:           # root ignores folder permissions; sysfs refuses new files even to root
        yield Path("/sys/fs/solarplan-out")
        return
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    yield d / "out"
    d.chmod(0o700)


@pytest.mark.parametrize("case", ["file_as_folder", "folder_as_file", "unwritable"])
def test_bad_output_paths_give_a_message(case, tmp_path, unwritable):
    inv = demo_inventory_path()
    if case == "file_as_folder":
        target = tmp_path / "existing.csv"
        target.write_text("x")
        commands = [["demo", "--out", target], ["packages", inv, "--out", target],
                    ["inventory", "validate", inv, "--out", target]]
        expect = "is a file"
    elif case == "folder_as_file":
        target = tmp_path / "sites.csv"
        target.mkdir()
        commands = [["simulate", inv, "--out", target], ["weather", "synth", "--location", "十堰", "--out", target],
                    ["map", ROOT / "data", "--out", target]]
        expect = "is a folder"
    else:
        commands = [["demo", "--out", unwritable], ["weather", "synth", "--location", "十堰", "--out",
                                                    unwritable / "x.epw"]]
        expect = "cannot write here"
    for cmd in commands:
        p = cli(*cmd, timeout=300)
        assert p.returncode == 2, (cmd, p.stderr[-2000:])
        assert "Traceback" not in p.stderr and expect in p.stderr, (cmd, p.stderr[-2000:])


def test_full_disk_is_a_message_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    """A full disk (ENOSPC from the write) is reported with exit 2 and no half-written file."""
    from solarplan.app.cli import main
    real_open = open

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, k):
            return getattr(self.fh, k)

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.fh.close()

    def full_open(file, mode="r", *a, **k):
        fh = real_open(file, mode, *a, **k)
        return Full(fh) if "w" in mode and ".part" in str(file) else fh
    import solarplan.core.atomic as atomic
    monkeypatch.setattr(atomic, "open", full_open, raising=False)
    out = tmp_path / "w.epw"
    assert main(["weather", "synth", "--location", "十堰", "--out", str(out)]) == 2
    assert "disk is full" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
