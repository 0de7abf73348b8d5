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


# The data's one way through, lowest first (docs/architecture.md): a module imports only from its
# own layer or those before it, at the top of the module or inside a function alike.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("reference", "escape", "plain_text", "command", "knowledge", "tag_schemes", "official_images"),  # leaves
    (
        "model",
        "tags",
        "placeholder",
        "patterns",
        "globs",
        "facts",
        "lighter",
    ),  # the values that flow; image knowledge
    (
        "reading",
        "writing",
        "edits",
        "discovery",
        "option_reader",
        "sources",
        "config.location",
        "cache.files",
        "cache.records",
        "credentials",
        "registry_client",
    ),
    ("rule", "config.option", "config.values", "config.errors"),  # what a rule is, what it may read
    ("rules",),
    ("config", "selection", "rule_pages", "image_ignores"),  # settings, built from the rule list
    (
        "linter",
        "suppressions",
        "suppression_writer",
        "cache",
        "lookups",
    ),  # the engine, and the caches in front of it
    ("reporters",),
    ("workspace", "adoption", "watch", "fixing"),
    ("cli", "argument_parser", "output", "__main__", "server"),
)


def _layer(module: str) -> int:
    """The layer of a module named relative to the package (``sources.yaml_sites``)."""
    best = (-1, -1)
    for index, names in enumerate(LAYERS):
        for name in names:
            if module == name or module.startswith(name + "."):
                best = max(best, (len(name), index))
    assert best[1] >= 0, f"{module} is in no layer: add it to LAYERS (and docs/architecture.md)"
    return best[1]


def _imports(path: Path, module: str) -> set[str]:
    """The package's modules that ``module`` (at ``path``) imports, relative to the package."""
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = [*base, *(node.module.split(".") if node.module else [])]
            if not node.level and target[:1] != ["valohai_image_lint"]:
                continue
            names = [".".join([*target, alias.name]) for alias in node.names]
            for name in [".".join(target), *names]:
                found.add(name)
    return {
        name.removeprefix("valohai_image_lint.")
        for name in found
        if name.startswith("valohai_image_lint.") and name.removeprefix("valohai_image_lint.") in KNOWN
    }


KNOWN = {name.removeprefix("valohai_image_lint.") for name in MODULES} | {
    info.name.removeprefix("valohai_image_lint.")
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="valohai_image_lint.")
}


@pytest.mark.parametrize("module", sorted(KNOWN - {"__init__"}))
def test_no_module_imports_one_above_it_in_the_datas_flow(module: str) -> None:
    path = PACKAGE / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = PACKAGE / module.replace(".", "/") / "__init__.py"
    full = f"valohai_image_lint.{module}"
    above = sorted(name for name in _imports(path, full) if _layer(name) > _layer(module))
    assert above == [], f"{module} (layer {_layer(module)}) imports {above}"


def test_the_worked_addition_is_one_module_a_registry_line_and_a_test(tmp_path: Path) -> None:
    """docs/architecture.md's diff, applied as printed to a copy of the package: it touches the new
    rule's module, the registry and the new test only, and the test it adds passes."""
    import os
    import re
    import shutil

    document = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    match = re.search(r"^```diff\n(.*?)^```$", document, re.DOTALL | re.MULTILINE)
    assert match is not None
    diff = match.group(1)
    touched = re.findall(r"^\+\+\+ b/(\S+)$", diff, re.MULTILINE)
    assert sorted(touched) == [
        "tests/test_rule_vil199.py",
        "valohai_image_lint/rules/__init__.py",
        "valohai_image_lint/rules/long_tag.py",
    ]
    if shutil.which("git") is None:
        message = (
            "git is not installed: the diff is applied with git apply (tests/run installs it with apt-get)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    shutil.copytree(PACKAGE, tmp_path / "valohai_image_lint", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "tests").mkdir()
    (tmp_path / "change.diff").write_text(diff, encoding="utf-8")
    subprocess.run(["git", "apply", "change.diff"], cwd=tmp_path, check=True, timeout=60)
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": str(tmp_path), "VALOHAI_IMAGE_LINT_NO_CACHE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_rule_vil199.py"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "valohai_image_lint", "--list-rules"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "VIL199  long-tag" in listed.stdout


ONE_OWNER = {
    "requests": "registry_client",
    "urllib3": "registry_client",
    "ruamel": "sources.yaml_document",
    # the language server's libraries, an optional extra: nothing else may need them
    "pygls": "server",
    "lsprotocol": "server",
}


@pytest.mark.parametrize("library", sorted(ONE_OWNER))
def test_one_module_knows_each_outside_library(library: str) -> None:
    """HTTP is registry_client's alone (an offline run never imports it), ruamel.yaml is
    sources.yaml_document's alone, pygls and lsprotocol (the server extra) are server's alone."""
    owners = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            if any(name == library or name.startswith(library + ".") for name in names):
                relative = path.relative_to(PACKAGE).with_suffix("")
                owners.add(".".join(relative.parts))
    assert owners == {ONE_OWNER[library]}
