"""The patterns the editor recipes in docs/editors.md rely on, read from the doc itself and
translated to Python regexes, must parse the linter's real output into the right fields."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
TEXT = (
    "- step:\n    name: train\n    image: tensorflow/tensorflow:latest-gpu\n"
    "- step: {name: b, image: 'python:3.9'}\n- endpoint: {name: c, image: 'a: b, c'}\n"
)


def _block(language: str, contains: str) -> str:
    for match in re.finditer(rf"^```{language}\n(.*?)^```$", DOC, re.DOTALL | re.MULTILINE):
        if contains in match.group(1):
            return match.group(1)
    raise AssertionError(f"no ```{language} block with {contains!r} in docs/editors.md")


def _run(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "valohai_image_lint", "--no-cache", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("project")
    (folder / "valohai.yaml").write_text(TEXT, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def expected(project: Path) -> list[dict[str, object]]:
    """What the linter reports, field by field (the JSON format), for the file the recipes lint."""
    items: list[dict[str, object]] = json.loads(_run("--output-format", "json", "valohai.yaml", cwd=project))
    assert len(items) >= 3
    return items


def _check(regex: str, output: str, expected: list[dict[str, object]], fields: dict[str, int]) -> None:
    pattern = re.compile(regex)
    lines = output.splitlines()
    assert len(lines) == len(expected)
    for line, item in zip(lines, expected, strict=True):
        match = pattern.search(line)
        assert match is not None, (regex, line)
        for field, group in fields.items():
            value = match.group(group)
            assert value == str(item[field]), (field, value, item[field])


def test_vscode_problem_matcher(expected: list[dict[str, object]], project: Path) -> None:
    tasks = json.loads(_block("json", "problemMatcher"))
    matcher = tasks["tasks"][0]["problemMatcher"]
    pattern = matcher["pattern"]
    command = tasks["tasks"][0]["command"]
    assert command.startswith("valohai-image-lint ") and command.endswith(" .")
    output = _run(*command.split()[1:], cwd=project)
    fields = {
        "path": pattern["file"],
        "line": pattern["line"],
        "column": pattern["column"],
        "severity": pattern["severity"],
        "code": pattern["code"],
        "message": pattern["message"],
    }
    assert "severity" not in matcher  # the line's own severity, not one for all
    _check(pattern["regexp"], output, expected, fields)


def _lua_to_python(lua: str) -> str:
    out = lua.replace("%d", r"\d").replace("%s", r"\s").replace("%a", "[A-Za-z]").replace("%%", "%")
    assert "%" not in out, out
    return out


def _recipe_args(block: str) -> list[str]:
    """The literal arguments before ``--stdin-filename`` in a recipe's argument list."""
    head = block[block.index('"--output-format"') : block.index('"--stdin-filename"')]
    return re.findall(r'"([^"]+)"', head)


def test_nvim_lint_pattern(expected: list[dict[str, object]], tmp_path: Path) -> None:
    block = _block("lua", "from_pattern")
    lua = re.search(r'from_pattern\(\s*"([^"]+)",\s*(\{[^}]*\})', block)
    assert lua is not None
    assert '"--stdin-filename"' in block and '"-"' in block
    output = _run(*_recipe_args(block), "--stdin-filename", "valohai.yaml", "-", stdin=TEXT)
    groups = re.findall(r'"(\w+)"', lua.group(2))
    assert groups == ["lnum", "col", "severity", "code", "message"]
    _check(
        _lua_to_python(lua.group(1)),
        output,
        expected,
        {"line": 1, "column": 2, "severity": 3, "code": 4, "message": 5},
    )
    severity_map = dict(re.findall(r"(\w+) = vim\.diagnostic\.severity\.(\w+)", block))
    assert severity_map == {"error": "ERROR", "warning": "WARN", "info": "INFO"}
    assert {str(item["severity"]) for item in expected} <= set(severity_map)
    autocmd = re.search(r"pattern = \{([^}]*)\}", block)
    assert autocmd is not None and re.findall(r'"([^"]+)"', autocmd.group(1)) == [
        "valohai.yaml",
        "valohai.yml",
        "*.py",
    ]


def _efm_regex(fmt: str) -> str:
    """An efm (Vim errorformat) line as a Python regex: %t is the type's letter, the rest as named."""
    return (
        "^"
        + re.escape(fmt)
        .replace("%f", r"(?P<path>.+?)")
        .replace("%l", r"(?P<line>\d+)")
        .replace("%c", r"(?P<column>\d+)")
        .replace("%t", r"(?P<type>[a-zA-Z])")
        .replace("%m", r"(?P<message>.*)")
        + "$"
    )


def _efm_command(block: str, input_path: str) -> str:
    """The recipe's lint-command as efm-langserver runs it: ``${INPUT}`` replaced, for ``sh -c``."""
    command = re.search(r"lint-command: '(.*)'$", block, re.MULTILINE)
    assert command is not None
    return command.group(1).replace("${INPUT}", input_path)


def _run_efm_command(block: str, input_path: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The recipe calls `valohai-image-lint` from PATH: the one installed beside this Python.
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(
        ["sh", "-c", _efm_command(block, input_path)],
        input=TEXT,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=dict(env, VALOHAI_IMAGE_LINT_NO_CACHE="1"),
        check=False,
    )


def test_efm_lint_format(expected: list[dict[str, object]], project: Path) -> None:
    block = _block("yaml", "lint-formats")
    formats = re.findall(r'- "([^"]+)"', block)
    assert len(formats) == 3
    result = _run_efm_command(block, str(project / "valohai.yaml"), project)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(expected)
    for line, item in zip(lines, expected, strict=True):
        # efm tries each format in order; the first that matches gives the diagnostic
        match = next(m for fmt in formats if (m := re.match(_efm_regex(fmt), line)) is not None)
        assert match["path"] == str(project / "valohai.yaml")
        assert (match["line"], match["column"]) == (str(item["line"]), str(item["column"]))
        assert match["type"] == str(item["severity"])[0]  # efm: e error, w warning, i information
        assert match["message"] == f"{item['code']} {item['message']}"


@pytest.mark.parametrize(
    "name", ["docker-compose.yml", ".pre-commit-config.yaml", ".github/workflows/ci.yml", "not-valohai.yaml"]
)
def test_efm_command_lints_no_other_yaml_file(name: str, project: Path) -> None:
    result = _run_efm_command(_block("yaml", "lint-formats"), str(project / name), project)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_efm_command_lints_python_and_yml(project: Path) -> None:
    block = _block("yaml", "lint-formats")
    assert _run_efm_command(block, str(project / "valohai.yml"), project).returncode == 1
    result = _run_efm_command(block, str(project / "train.py"), project)
    assert result.returncode == 0 and result.stderr == ""  # linted as Python: TEXT has no prepare() call


RX = {
    "line-start": "^",
    "line-end": "$",
    "(file-name)": "(?P<path>.+?)",
    '(id "VIL" (= 3 digit))': r"(?P<code>VIL\d{3})",
    "(message)": "(?P<message>.*)",
    "line": r"(?P<line>\d+)",
    "column": r"(?P<column>\d+)",
}


def _rx_to_python(rx: str) -> str:
    tokens = re.findall(r'"[^"]*"|\(id "VIL" \(= 3 digit\)\)|\([a-z-]+\)|[a-z-]+', rx)
    parts = []
    for token in tokens:
        if token.startswith('"'):
            parts.append(re.escape(token[1:-1]))
        else:
            assert token in RX, token
            parts.append(RX[token])
    return "".join(parts)


def test_flycheck_error_pattern(expected: list[dict[str, object]]) -> None:
    block = _block("elisp", "flycheck-define-checker")
    patterns = dict(re.findall(r"\((error|warning|info) (line-start .*? line-end)\)", block))
    assert set(patterns) == {"error", "warning", "info"}
    head = block[block.index(":command") : block.index('"--stdin-filename"')]
    output = _run(*re.findall(r'"([^"]+)"', head)[1:], "--stdin-filename", "valohai.yaml", "-", stdin=TEXT)
    lines = output.splitlines()
    assert len(lines) == len(expected)
    for line, item in zip(lines, expected, strict=True):
        levels = [level for level, rx in patterns.items() if re.search(_rx_to_python(rx), line)]
        assert levels == [item["severity"]], (line, levels)
        match = re.search(_rx_to_python(patterns[levels[0]]), line)
        assert match is not None
        for field in ("path", "line", "column", "code", "message"):
            assert match[field] == str(item[field]), field


def test_jetbrains_output_filter(expected: list[dict[str, object]], tmp_path: Path) -> None:
    row = re.search(r"^\| Output filters \| `([^`]+)` \|$", DOC, re.MULTILINE)
    assert row is not None
    macros = {"$FILE_PATH$": r"(.+?)", "$LINE$": r"(\d+)", "$COLUMN$": r"(\d+)", "$MESSAGE$": r"(.*)"}
    regex = re.escape(row.group(1))
    for macro, group in macros.items():
        regex = regex.replace(re.escape(macro), group)
    arguments = re.search(
        r"^\| Arguments \| `([^`]+) \$FilePathRelativeToProjectRoot\$` \|$", DOC, re.MULTILINE
    )
    assert arguments is not None
    output = _run(*arguments.group(1).split(), "--stdin-filename", "valohai.yaml", "-", stdin=TEXT)
    _check("^" + regex + "$", output, expected, {"path": 1, "line": 2, "column": 3})
    for line, item in zip(output.splitlines(), expected, strict=True):
        assert line.endswith(f": {item['severity']}: {item['code']} {item['message']}")
