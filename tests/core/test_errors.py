"""Every error raised on purpose derives from SolarplanError (and the old ValueError contract holds)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from solarplan.core.errors import ConfigError, InputError, SolarplanError, WeatherError
from solarplan.core.quantity import QuantityError, parse_quantity

ROOT = Path(__file__).resolve().parents[2]
BUILTINS = {"ValueError", "TypeError", "KeyError", "IndexError", "Exception", "OSError", "FileNotFoundError"}
#: raises that signal a bug in solarplan itself, not a user mistake (a traceback is right for those)
BUG_RAISES = {("solarplan/report/maps.py", "RuntimeError"), ("retrofit/lifts.py", "KeyError"),
              ("solarplan/report/html.py", "ValueError"), ("solarplan/report/html.py", "RuntimeError")}
# (html.py: element ids and the page head are made by the code, never by a user)


def _raised_builtins():
    for folder in ("solarplan", "retrofit"):
        for f in (ROOT / folder).rglob("*.py"):
            rel = f.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and \
                        isinstance(node.exc.func, ast.Name) and node.exc.func.id in BUILTINS | {"RuntimeError"}:
                    if (rel, node.exc.func.id) not in BUG_RAISES:
                        yield f"{rel}:{node.lineno} raises {node.exc.func.id}"


def test_no_bare_builtin_errors_in_the_package():
    assert list(_raised_builtins()) == []


@pytest.mark.parametrize("cls", [InputError, ConfigError, WeatherError, QuantityError])
def test_hierarchy(cls):
    assert issubclass(cls, SolarplanError) and issubclass(cls, ValueError)


def test_quantity_error_is_caught_as_input_error():
    with pytest.raises(InputError, match="unit"):
        parse_quantity("6000万")
