"""Output folders that never mix two runs: a manifest of what a run wrote, and ``--overwrite``.

A command that fills a folder (``solarplan demo``, ``solarplan packages``) writes
``.solarplan-run.json`` there: first ``{"complete": false}`` when it starts, then the list of files
it wrote and ``"complete": true`` when it ends. The next run into that folder:

* refuses (exit 2, :class:`~solarplan.core.errors.OutputError`) when the folder holds an earlier
  run's outputs (the files in its manifest, or files with solarplan's output names), naming them
  and the way out; so a run that writes fewer files (0 packages: no packages.geojson) can never be
  read together with an earlier run's leftovers;
* with ``overwrite=True`` (``--overwrite``) first deletes exactly those files, nothing else.

Readers of a results folder call :func:`check_complete`: a folder whose manifest says the run did
not finish (interrupted, disk full, error) is refused instead of being drawn or summarised.
Temporary ``.NAME.<pid>.part.EXT`` files left by a killed process are removed at the next run.
The manifest holds no time or path, so identical runs stay byte-identical.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from solarplan.core.atomic import PART, ensure_folder, write_text
from solarplan.core.errors import InputError, OutputError

MANIFEST = ".solarplan-run.json"

_PACKAGES = ("sites.csv", "packages.csv", "excluded.csv", "packages.gpkg", "packages.geojson", "shortlist.xlsx",
             "rejects.csv", "retrofit.csv", "retrofit_rejects.csv", "retrofit_assumptions.csv", "indicators.csv",
             # drawn from the results, so stale once they are replaced
             "map.html", "briefing.html", "briefing.docx")
#: Names each folder-filling command can write (so a folder from before manifests is recognised too).
#: Other files (an inventory, ``solarplan simulate`` results beside them) are never touched.
OUTPUTS = {"packages": _PACKAGES,
           "demo": _PACKAGES + ("surfaces_clean.csv", "surfaces.csv", "sites_assumptions.csv", "sites_rejects.csv",
                                "sites_sensitivity.csv", "deal.xlsx")}
_PART = re.compile(r"^\..+\.\d+" + re.escape(PART) + r"(\.[A-Za-z0-9]+)?$")


@dataclass(frozen=True)
class Run:
    """A run under way in ``folder`` (from :func:`start_run`)."""

    folder: Path
    command: str
    before: frozenset = frozenset()   # files that were there before (not ours: never listed, never removed)


def read_manifest(folder: str | Path) -> dict | None:
    """The manifest of ``folder``, or None if it has none (or it cannot be read)."""
    f = Path(folder) / MANIFEST
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def previous_outputs(folder: str | Path, command: str) -> list[Path]:
    """Files in ``folder`` that an earlier run wrote: those in its manifest, and files with the names
    ``command`` writes."""
    folder = Path(folder)
    names = set(OUTPUTS.get(command, ()))
    m = read_manifest(folder)
    if m:
        names |= {str(n) for n in m.get("files", []) if isinstance(n, str) and "/" not in n and "\\" not in n}
    found = [folder / n for n in sorted(names) if (folder / n).is_file()]
    if (folder / MANIFEST).is_file():
        found.append(folder / MANIFEST)
    return found


def start_run(folder: str | Path, command: str, overwrite: bool = False) -> Run:
    """Prepare ``folder`` for a run (see the module docstring): refuse, or clear under ``overwrite``."""
    folder = ensure_folder(folder)
    for p in folder.iterdir():   # temporary files of a killed run are never complete
        if p.is_file() and _PART.match(p.name):
            p.unlink(missing_ok=True)
    old = previous_outputs(folder, command)
    if old and not overwrite:
        shown = ", ".join(p.name for p in old[:6] if p.name != MANIFEST) + (" ..." if len(old) > 7 else "")
        raise OutputError(f"{folder}: holds the outputs of an earlier run ({shown}); give --overwrite to replace "
                          "them, or choose an empty folder with --out")
    for p in old:
        try:
            p.unlink()
        except OSError as exc:
            raise OutputError(f"{p}: cannot remove the earlier run's file ({exc.strerror}); remove it by hand "
                              "or choose another --out") from None
    _write(folder, {"command": command, "complete": False, "files": []})
    return Run(folder, command, frozenset(p.name for p in folder.iterdir()))


def finish_run(run: Run, files: Iterable[str | Path]) -> Path:
    """Record the files a run wrote (those it reports, and any new file in the folder) and mark it complete."""
    names = {Path(f).name for f in files if Path(f).parent.resolve() == run.folder.resolve()}
    names |= {p.name for p in run.folder.iterdir() if p.is_file() and p.name not in run.before}
    names = sorted(names - {MANIFEST})
    return _write(run.folder, {"command": run.command, "complete": True, "files": names})


def check_complete(folder: str | Path) -> None:
    """Raise InputError if ``folder`` holds a run that did not finish."""
    m = read_manifest(folder)
    if m is not None and not m.get("complete", False):
        raise InputError(f"{folder}: the run that wrote these results did not finish (interrupted or failed); "
                         f"run `solarplan {m.get('command', 'demo')}` again with --overwrite")


def _write(folder: Path, data: dict) -> Path:
    return write_text(folder / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
