"""The package's shape: the import-linter layers contract in pyproject.toml holds."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_layers_contract_holds():
    proc = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                           "lint_imports_command()"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "Contracts: 1 kept, 0 broken." in proc.stdout


def test_public_api_names_resolve():
    import solarplan
    for name in solarplan.__all__:
        assert getattr(solarplan, name) is not None, name


def function_level_imports() -> list[tuple[str, int, str]]:
    """Every ``import`` inside a function of solarplan/ and retrofit/: (file, line, source line)."""
    found = []
    for top in ("solarplan", "retrofit"):
        for path in sorted((ROOT / top).rglob("*.py")):
            lines = path.read_text(encoding="utf-8").splitlines()
            tree = ast.parse("\n".join(lines), filename=str(path))
            for fn in ast.walk(tree):
                if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for node in ast.walk(fn):
                        if isinstance(node, (ast.Import, ast.ImportFrom)):
                            found.append((str(path.relative_to(ROOT)), node.lineno, lines[node.lineno - 1]))
    return sorted(set(found))


def test_function_level_imports_are_deliberate_lazy_loads():
    """Imports sit at module top; the few made inside a function are lazy loads of slow or optional
    packages and say so on the same line (``# lazy: <why>``)."""
    found = function_level_imports()
    assert found, "the walk found no function-level import at all: it no longer looks where they are"
    unmarked = [f"{f}:{n}: {src.strip()}" for f, n, src in found if "# lazy: " not in src]
    assert unmarked == [], "move these imports to module top, or mark a deliberate lazy load:\n" + "\n".join(unmarked)
