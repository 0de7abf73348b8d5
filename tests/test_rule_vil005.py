"""VIL005 python-syntax-error: a Python file or notebook that mentions valohai but does not parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rule_table import assert_fires, assert_silent, only

from valohai_image_lint import LintConfig, Severity
from valohai_image_lint.cli import main
from valohai_image_lint.linter import lint_python

CODE = "VIL005"
ON = LintConfig(select=(CODE,))


def notebook(*cells: list[str]) -> str:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "metadata": {},
                    "outputs": [],
                    "execution_count": None,
                    "source": source,
                }
                for source in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


# (id, path, text, line, column, message fragment)
FIRES = [
    (
        "unclosed-call",
        "train.py",
        'import valohai\nvalohai.prepare(step="x", image="py"\n',
        2,
        16,
        "invalid Python: '(' was never closed",
    ),
    ("bad-indent", "train.py", "import valohai\n  x = 1\n", 2, 2, "invalid Python: unexpected indent"),
    (
        "null-byte",
        "train.py",
        "import valohai\nx = 1\0\n",
        2,
        6,
        "invalid Python: source code string cannot contain null bytes",
    ),
    (
        "notebook-json",
        "explore.ipynb",
        '{"cells": [ valohai',
        1,
        13,
        "invalid notebook: invalid notebook JSON",
    ),
    (
        "notebook-cell",
        "explore.ipynb",
        notebook(["import valohai\n"], ["valohai.prepare(\n"]),
        18,
        21,
        "invalid notebook: cell 2: '(' was never closed",
    ),
]

DOES_NOT_FIRE = [
    ("valid", "train.py", 'import valohai\nvalohai.prepare(step="train", image="python:3.12.1")\n'),
    ("never-mentions-valohai", "train.py", "def (:\n"),
    ("notebook-never-mentions-valohai", "explore.ipynb", notebook(["def (:\n"])),
    ("ipython-magic", "explore.ipynb", notebook(["%matplotlib inline\n", "import valohai\n"])),
    ("json-not-a-notebook", "explore.ipynb", '{"valohai": 1}'),
]


@pytest.mark.parametrize(
    ("path", "text", "line", "column", "fragment"), [pytest.param(*row[1:], id=row[0]) for row in FIRES]
)
def test_fires(path: str, text: str, line: int, column: int, fragment: str) -> None:
    found = only(lint_python(text, path, ON), CODE)
    assert_fires(found, line, column, CODE, fragment, severity=Severity.ERROR)


@pytest.mark.parametrize(("path", "text"), [pytest.param(*row[1:], id=row[0]) for row in DOES_NOT_FIRE])
def test_does_not_fire(path: str, text: str) -> None:
    assert_silent(only(lint_python(text, path, ON), CODE))


def test_other_rules_do_not_run_on_a_file_that_does_not_parse() -> None:
    text = 'import valohai\nvalohai.prepare(step="x", image="python")\nvalohai.prepare(\n'
    assert [d.code for d in lint_python(text, config=LintConfig(select=("ALL",)))] == [CODE]


def test_cli_reports_it_and_lints_the_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bad.py").write_text("import valohai\nvalohai.prepare(\n", encoding="utf-8")
    Path("good.py").write_text(
        'import valohai\nvalohai.prepare(step="a", image="python")\n', encoding="utf-8"
    )
    assert main(["--isolated", "bad.py", "good.py"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "bad.py:2:16: VIL005 invalid Python: '(' was never closed"
    assert out[1].startswith('good.py:2:34: VIL102 image "python"')
