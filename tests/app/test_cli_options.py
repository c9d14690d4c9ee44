"""--version, -q/-v, and warnings through logging.getLogger("solarplan") for CLI and Python users."""
from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

import solarplan
from solarplan.app.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_version_through_python_m():
    r = subprocess.run([sys.executable, "-m", "solarplan", "--version"], capture_output=True, text=True,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == f"solarplan {solarplan.__version__}"


def _synth(tmp_path, *flags):
    # western Tibet: the nearest station (Lhasa) is 335 km away, which gives a warning
    return main([*flags, "weather", "synth", "--location", "31.0,88.0", "--out", str(tmp_path / "w.csv")])


def test_warnings_reach_the_cli_and_quiet_hides_them(tmp_path, capsys):
    from solarplan.weather import monthly_climate
    warned = monthly_climate(31.0, 88.0).warnings
    assert warned, "the test place must give a climatology warning"
    assert _synth(tmp_path) == 0
    err = capsys.readouterr().err
    assert "warning: " in err and warned[0][:40] in " ".join(err.split())
    assert _synth(tmp_path, "-q") == 0
    assert "warning" not in capsys.readouterr().err


def test_python_users_get_warnings_through_logging(caplog, tmp_path, demo_inventory):
    """A pipeline step called from Python without warn= logs its warnings on the solarplan logger."""
    from solarplan.app.pipeline import load_plan, retrofit_step
    from solarplan.core.resources import data_path
    import pandas as pd
    b = pd.read_csv(data_path("demo_shiyan_buildings.csv")).head(2)
    b["lat"], b["lon"] = 31.0, 88.0  # western Tibet: 335 km from Lhasa, the nearest station -> a warning
    b.to_csv(tmp_path / "b.csv", index=False)
    logging.getLogger("solarplan").propagate = True  # the CLI tests may have set its own handler
    with caplog.at_level(logging.WARNING, logger="solarplan"):
        retrofit_step(tmp_path / "b.csv", tmp_path / "r.csv", load_plan(None))
    assert any(r.name.startswith("solarplan") and r.levelno == logging.WARNING for r in caplog.records)


def _wrapped_interrupt(**_):
    # what numba does when Ctrl-C lands while it unpickles a cached kernel (seen in CI): the interrupt
    # arrives as the cause of a SystemError
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as exc:
        raise SystemError("returned a result with an exception set") from exc


def test_an_interrupt_wrapped_by_a_c_extension_is_still_an_interrupt(monkeypatch, capsys):
    monkeypatch.setattr("solarplan.app.cli.check_claim", _wrapped_interrupt)
    assert main(["check", "--area", "1000", "--location", "十堰"]) == 130
    captured = capsys.readouterr()
    assert "interrupted: the run stopped before it finished" in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err


def test_other_errors_are_not_taken_for_interrupts(monkeypatch):
    def broken(**_):
        raise SystemError("a real bug")
    monkeypatch.setattr("solarplan.app.cli.check_claim", broken)
    with pytest.raises(SystemError, match="a real bug"):
        main(["check", "--area", "1000", "--location", "十堰"])


class _InterruptedImport:
    """A meta-path finder that raises KeyboardInterrupt when the command line module is imported: Ctrl-C
    while the libraries load (the first second or two of every run)."""

    def find_spec(self, name, path=None, target=None):
        if name == "solarplan.app.cli":
            raise KeyboardInterrupt
        return None


def test_ctrl_c_while_the_libraries_load_is_one_line_not_a_traceback(monkeypatch, capsys):
    from solarplan.app.launch import run
    monkeypatch.delitem(sys.modules, "solarplan.app.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_InterruptedImport(), *sys.meta_path])
    with pytest.raises(SystemExit) as exc:
        run()
    assert exc.value.code == 130
    assert capsys.readouterr().err == "interrupted: stopped while starting, before anything was written\n"


@pytest.mark.parametrize("flags, info_lines", [([], False), (["-v"], True), (["-q"], False)])
def test_progress_lines_only_with_v(tmp_path, capsys, demo_inventory, flags, info_lines):
    """The progress display needs the logger at info level; that must not print every progress record as an
    `info:` line (a tester saw 428 of them from `packages`) unless -v asks (-q: errors only; warnings are
    checked by test_warnings_reach_the_cli_and_quiet_hides_them)."""
    assert main([*flags, "simulate", str(demo_inventory), "--out", str(tmp_path / "sites.csv")]) == 0
    err = capsys.readouterr().err
    assert ("info: simulation" in err) is info_lines
    assert ("info: validation" in err) is info_lines
