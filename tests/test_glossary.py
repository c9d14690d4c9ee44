"""docs/glossary.md is generated from the column catalogue and current."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_glossary_md_is_current():
    spec = importlib.util.spec_from_file_location("make_glossary", ROOT / "docs" / "make_glossary.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8") == mod.markdown(), \
        "docs/glossary.md is stale: run python docs/make_glossary.py"
