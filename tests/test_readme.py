"""Every command in the README works as written (the set-up commands' `solarplan demo`, then the tour)."""
from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_exactly_two_setup_commands():
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    blocks = bash_blocks(setup)
    assert len(blocks) == 2
    assert blocks[0].strip() == "python -m pip install . && solarplan demo"
    assert blocks[1].strip().startswith('python -m pip install ".[test]" && python -m pytest')
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in README and "test-command" in ci


def test_tour_commands_run_as_written(tmp_path):
    (tmp_path / "data").symlink_to(ROOT / "data")
    tour = README.split("## Five-minute tour", 1)[1].split("\n## ", 1)[0]
    lines = [ln.strip() for b in bash_blocks(tour) for ln in b.splitlines() if ln.strip().startswith("solarplan ")]
    assert len(lines) >= 10
    # the first set-up command ends with `solarplan demo`, which the tour builds on (maps/sites.csv)
    for cmd in ["solarplan demo", *lines]:
        r = subprocess.run(shlex.split(cmd), cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f"{cmd}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    for f in ("maps/briefing.html", "results/deal.xlsx", "results/map.html", "results/shortlist.xlsx",
              "results/shiyan.epw"):
        assert (tmp_path / f).stat().st_size > 0, f


@pytest.mark.parametrize("cmd", ["demo", "check", "inventory", "simulate", "retrofit", "contract", "packages",
                                 "map", "briefing", "weather", "serve"])
def test_every_command_has_help_with_an_example(cmd):
    r = subprocess.run(["solarplan", cmd, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "Usage" in r.stdout
    if cmd not in ("inventory", "weather"):
        assert "Example:" in r.stdout, cmd
