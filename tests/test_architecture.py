"""The shape of the code, as docs/architecture.md describes it: every rule holds its own check of
one kind, the engine loops over kinds and never names a rule, and every module imports alone
(no import cycles)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import valohai_image_lint
from valohai_image_lint.rule import KINDS
from valohai_image_lint.rules import ALL_RULES

PACKAGE = Path(valohai_image_lint.__file__).parent
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="valohai_image_lint.")
    if not info.name.endswith("__main__")  # runs the command line when imported
)
RULE_MODULES = {path.stem for path in (PACKAGE / "rules").glob("*.py")} - {"__init__"}


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_every_rule_holds_exactly_one_check(rule: object) -> None:
    filled = [kind for kind in KINDS if getattr(rule, kind) is not None]
    assert len(filled) == 1, filled


def test_every_kind_has_a_rule() -> None:
    assert {rule.kind for rule in ALL_RULES} == set(KINDS)


def _imported_rule_modules(path: Path) -> list[str]:
    """The rule modules a module imports (``from .rules import latest_tag``, ``from .rules.x import``)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            parts = node.module.split(".")
            if parts[-1] == "rules":
                names.extend(alias.name for alias in node.names if alias.name in RULE_MODULES)
            elif "rules" in parts:
                names.append(node.module)
    return names


@pytest.mark.parametrize("module", ["linter.py", "workspace.py", "cli.py"])
def test_the_engine_names_no_rule(module: str) -> None:
    """The engine and the run loop over kinds of rule, never over named rules."""
    assert _imported_rule_modules(PACKAGE / module) == []


def test_every_module_imports_alone() -> None:
    """Each module imported first, in a fresh interpreter: an import cycle fails here."""
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m.startswith('valohai_image_lint')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{name}: {type(exc).__name__}: {exc}')\n"
        "print('\\n'.join(failed))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *MODULES], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""
    assert len(MODULES) > 40
