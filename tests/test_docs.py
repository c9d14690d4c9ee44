"""docs/defaults.md is current: every default and factor that reaches an output is listed with a source."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_md_is_generated_from_the_code():
    spec = importlib.util.spec_from_file_location("make_defaults", ROOT / "docs" / "make_defaults.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    table = mod.table()
    assert (table["source"].str.len() > 3).all()
    assert (ROOT / "docs" / "defaults.md").read_text(encoding="utf-8") == mod.markdown(table), \
        "docs/defaults.md is stale: run python docs/make_defaults.py"


def test_every_method_note_exists_and_is_linked():
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    for name in ("weather", "yield", "uncertainty", "economics", "factors", "claims", "retrofit", "contracts",
                 "packages", "maps", "defaults"):
        assert (ROOT / "docs" / f"{name}.md").exists() and f"({name}.md)" in index
