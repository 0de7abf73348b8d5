"""The patterns the editor recipes in docs/editors.md rely on, read from the doc itself and
translated to Python regexes, must parse the linter's real output into the right fields."""

from __future__ import annotations

import json
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
    output = _run("--output-format", "concise", ".", cwd=project)
    fields = {
        "path": pattern["file"],
        "line": pattern["line"],
        "column": pattern["column"],
        "code": pattern["code"],
        "message": pattern["message"],
    }
    _check(pattern["regexp"], output, expected, fields)
    assert tasks["tasks"][0]["command"].startswith("valohai-image-lint --output-format concise")


def _lua_to_python(lua: str) -> str:
    out = lua.replace("%d", r"\d").replace("%s", r"\s").replace("%a", "[A-Za-z]").replace("%%", "%")
    assert "%" not in out, out
    return out


def test_nvim_lint_pattern(expected: list[dict[str, object]], tmp_path: Path) -> None:
    block = _block("lua", "from_pattern")
    lua = re.search(r'from_pattern\(\s*"([^"]+)"', block)
    assert lua is not None
    assert '"--stdin-filename"' in block and '"-"' in block
    output = _run("--output-format", "concise", "--stdin-filename", "valohai.yaml", "-", stdin=TEXT)
    _check(_lua_to_python(lua.group(1)), output, expected, {"line": 1, "column": 2, "code": 3, "message": 4})


def test_efm_lint_format(expected: list[dict[str, object]]) -> None:
    block = _block("yaml", "lint-formats")
    fmt = re.search(r'- "([^"]+)"', block)
    assert fmt is not None
    regex = (
        "^"
        + re.escape(fmt.group(1))
        .replace("%f", r"(.+?)")
        .replace("%l", r"(\d+)")
        .replace("%c", r"(\d+)")
        .replace("%m", r"(.*)")
        + "$"
    )
    output = _run("--output-format", "concise", "--stdin-filename", "valohai.yaml", "-", stdin=TEXT)
    _check(regex, output, expected, {"path": 1, "line": 2, "column": 3})
    for line, item in zip(output.splitlines(), expected, strict=True):
        message = re.match(regex, line)
        assert message is not None and message.group(4) == f"{item['code']} {item['message']}"


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
    rx = re.search(r"\(warning (line-start .* line-end)\)\)", block)
    assert rx is not None
    output = _run("--output-format", "concise", "--stdin-filename", "valohai.yaml", "-", stdin=TEXT)
    _check(
        _rx_to_python(rx.group(1)),
        output,
        expected,
        {"path": "path", "line": "line", "column": "column", "code": "code", "message": "message"},
    )  # type: ignore[dict-item]


def test_jetbrains_output_filter(expected: list[dict[str, object]], tmp_path: Path) -> None:
    row = re.search(r"^\| Output filters \| `([^`]+)` \|$", DOC, re.MULTILINE)
    assert row is not None
    macros = {"$FILE_PATH$": r"(.+?)", "$LINE$": r"(\d+)", "$COLUMN$": r"(\d+)", "$MESSAGE$": r"(.*)"}
    regex = re.escape(row.group(1))
    for macro, group in macros.items():
        regex = regex.replace(re.escape(macro), group)
    output = _run("--output-format", "concise", "--stdin-filename", "valohai.yaml", "-", stdin=TEXT)
    _check("^" + regex + "$", output, expected, {"path": 1, "line": 2, "column": 3})
