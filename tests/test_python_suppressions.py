"""Suppression comments in Python files: found by Python's tokenizer, applied as in YAML."""

from __future__ import annotations

import pytest

from valohai_image_lint import LintConfig
from valohai_image_lint.linter import lint_python
from valohai_image_lint.sources.comments import parse_python_suppressions

ALL = LintConfig(select=("VIL102", "VIL103", "VIL901", "VIL902"))


def codes(text: str, path: str = "train.py") -> list[tuple[int, str]]:
    return [(d.span.line, d.code) for d in lint_python(text, path, ALL)]


def test_trailing_comment_suppresses_its_line() -> None:
    text = 'import valohai\nvalohai.prepare(step="a", image="python:latest")  # valohai-image-lint: ignore[VIL103]\n'
    assert codes(text) == []


def test_own_line_comment_suppresses_the_next_code_line() -> None:
    text = (
        "import valohai\n"
        "valohai.prepare(\n"
        '    step="a",\n'
        "    # valohai-image-lint: ignore[latest-tag] on purpose\n"
        "\n"
        "    # another comment\n"
        '    image="python:latest",\n'
        ")\n"
    )
    assert codes(text) == []


def test_marker_inside_a_string_is_not_a_comment() -> None:
    text = 'import valohai\nvalohai.prepare(step="a # valohai-image-lint: ignore[VIL103]", image="python:latest")\n'
    assert codes(text) == [(2, "VIL103")]
    assert parse_python_suppressions(text) == []


def test_unused_and_blanket_suppressions_are_reported() -> None:
    text = (
        "import valohai  # valohai-image-lint: ignore[VIL102]\n"
        'valohai.prepare(step="a", image="python:3.12.1")  # valohai-image-lint: ignore\n'
    )
    assert codes(text) == [(1, "VIL901"), (2, "VIL902")]


def test_ignore_file() -> None:
    text = (
        "# valohai-image-lint: ignore-file[VIL102]\n"
        "import valohai\n"
        'valohai.prepare(step="a", image="python")\n'
        'valohai.prepare(step="b", image="ubuntu")\n'
    )
    assert codes(text) == []


def test_comment_at_the_end_of_the_file_targets_nothing() -> None:
    (suppression,) = parse_python_suppressions("x = 1\n# valohai-image-lint: ignore[VIL103]\n")
    assert suppression.target_line is None
    assert suppression.codes == ("VIL103",)


@pytest.mark.parametrize("text", ["x = (\n# valohai-image-lint: ignore[VIL103]\n", "if x:\n  y\n z\n"])
def test_source_the_tokenizer_rejects_has_none(text: str) -> None:
    assert parse_python_suppressions(text) == []


def test_crlf_and_bom_positions() -> None:
    text = '\ufeffimport valohai\r\nvalohai.prepare(step="a", image="python:latest")  # valohai-image-lint: ignore[VIL103]\r\n'
    (suppression,) = parse_python_suppressions(text)
    assert suppression.span.line == 2
    assert codes(text) == []


def test_not_applied_in_notebooks() -> None:
    """A notebook's comments live inside JSON strings; per-file-ignores serve notebooks."""
    import json

    source = [
        "import valohai\n",
        'valohai.prepare(step="a", image="python:latest")  # valohai-image-lint: ignore[VIL103]',
    ]
    text = json.dumps(
        {
            "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": source}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )
    assert [code for _, code in codes(text, "explore.ipynb")] == ["VIL103"]
