"""Every command in the README works as written (the set-up commands' `solarplan demo`, then the tour)."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from solarplan.app.cli import main

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


def solarplan_cmd(cmd: str) -> list[str]:
    """A README line `solarplan ...` as `python -m solarplan ...` of the tree under test (never whichever
    `solarplan` happens to be first on PATH)."""
    words = shlex.split(cmd)
    assert words[0] == "solarplan"
    return [sys.executable, "-m", "solarplan", *words[1:]]


ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_tour_commands_run_as_written(tmp_path, demo_run):
    (tmp_path / "data").symlink_to(ROOT / "data")
    tour = README.split("## Five-minute tour", 1)[1].split("\n## ", 1)[0]
    lines = [ln.strip() for b in bash_blocks(tour) for ln in b.splitlines() if ln.strip().startswith("solarplan ")]
    assert len(lines) >= 10
    # the first set-up command ends with `solarplan demo`, which the tour builds on (maps/sites.csv): the
    # suite's one demo run did exactly that (tests/conftest.py demo_run); the tour works on a copy
    shutil.copytree(demo_run.folder, tmp_path / "maps")
    for cmd in lines:
        r = subprocess.run(solarplan_cmd(cmd), cwd=tmp_path, capture_output=True, text=True, timeout=600, env=ENV)
        assert r.returncode == 0, f"{cmd}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    for f in ("maps/briefing.html", "results/deal.xlsx", "results/map.html", "results/shortlist.xlsx",
              "results/shiyan.epw"):
        assert (tmp_path / f).stat().st_size > 0, f


@pytest.mark.parametrize("cmd", ["demo", "check", "inventory", "simulate", "retrofit", "contract", "packages",
                                 "map", "briefing", "weather", "serve"])
def test_every_command_has_help_with_an_example(cmd, capsys):
    """In this process, through the CLI's main() as ``python -m solarplan`` calls it (the tour above runs
    the commands themselves as separate processes)."""
    assert main([cmd, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage" in out
    if cmd not in ("inventory", "weather"):
        assert "Example:" in out, cmd


def _commands(group, prefix=()):
    import click
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name), cmd


def test_plan_toml_sections_named_in_help_are_printed(capsys):
    """Help text is rich markup, where an unescaped "[yield]" is a style tag and vanishes ("default  engine of
    plan.toml", found by a tester). Every "[word]" written in a command's or option's help must appear in
    the printed help."""
    import typer
    from solarplan.app.cli import app
    checked = 0
    for path, cmd in _commands(typer.main.get_command(app)):
        texts = [cmd.help or ""] + [getattr(p, "help", None) or "" for p in cmd.params]
        wanted = {m for t in texts for m in re.findall(r"\\?\[([a-z_]+)\]", t)}
        if not wanted:
            continue
        assert main([*path, "--help"]) == 0
        shown = capsys.readouterr().out
        for word in wanted:
            assert f"[{word}]" in shown, f"{' '.join(path)} --help lost [{word}]"
            checked += 1
    assert checked >= 4   # [dask], [yield], [grid], [packages] at least


def test_python_api_example_runs(tmp_path, monkeypatch):
    """The README's Python API example runs as written, on the demo register in place of 登记表.xlsx."""
    block = re.findall(r"```python\n(.*?)```", README, flags=re.S)[0]
    demo = str(ROOT / "data" / "demo_shiyan_inventory.geojson")
    code = block.replace('"登记表.xlsx"', repr(demo))
    assert code != block, "the example's register path changed: update this test"
    monkeypatch.chdir(tmp_path)
    env: dict = {}
    exec(compile(code, "README.md", "exec"), env)  # noqa: S102 (our own README)
    assert len(env["packaging"].packages) > 0 and env["claim"].verdict
