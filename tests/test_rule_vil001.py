"""VIL001 yaml-syntax-error: a file that is not YAML, with the parser's message and position."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import Severity, lint_text

CODE = "VIL001"

# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "bad-indent",
        "- step:\n    name: train\n    image: python:3.12.1\n   command: python train.py\n",
        4,
        4,
        CODE,
        "expected <block end>",
    ),
    (
        "bad-indent-crlf",
        "- step:\r\n    name: train\r\n    image: python:3.12.1\r\n   command: x\r\n",
        4,
        4,
        CODE,
        "expected <block end>",
    ),
    (
        "bad-indent-bom",
        "\ufeff- step:\n    name: train\n    image: python:3.12.1\n   command: x\n",
        4,
        4,
        CODE,
        "expected <block end>",
    ),
    # Pointed at where the quote opens, not at the end of the file.
    ("unclosed-quote", "- step:\n    name: 'train\n", 2, 11, CODE, "while scanning a quoted scalar"),
    (
        "tab-indent",
        "- step:\n\tname: train\n",
        2,
        1,
        CODE,
        "found character '\\t' that cannot start any token",
    ),
    ("unclosed-flow-mapping", "- step: {name: train, image: python\n", 1, 9, CODE, "expected ',' or '}'"),
    ("unclosed-flow-sequence", "- step: [\n", 2, 1, CODE, "expected the node content"),
    ("mapping-then-sequence", "key: value\n- item\n", 2, 1, CODE, "expected <block end>, but found '-'"),
    ("nested-mapping-value", "a: b: c\n", 1, 5, CODE, "mapping values are not allowed here"),
    (
        "undefined-alias",
        "- step:\n    name: train\n    image: *img\n",
        3,
        12,
        CODE,
        "found undefined alias 'img'",
    ),
    ("at-sign-starts-value", "- step: {name: a, image: @x}\n", 1, 26, CODE, "found character '@'"),
    ("control-character", '- step:\n    name: a\n    image: "\x07"\n', 3, 13, CODE, "unacceptable character"),
    (
        "duplicate-directive",
        "%YAML 1.1\n%YAML 1.1\n---\na: b\n",
        2,
        1,
        CODE,
        "found duplicate YAML directive",
    ),
    (
        "error-in-second-document",
        "- step: {name: a, image: python:3.9.18}\n---\n- step: [\n",
        4,
        1,
        CODE,
        "expected the node content",
    ),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("valid-step", "- step:\n    name: train\n    image: python:3.12.1\n    command: python train.py\n"),
    ("valid-flow", "- step: {name: train, image: python:3.12.1}\n"),
    ("empty-file", ""),
    ("comment-only", "# nothing here\n"),
    ("document-marker-only", "---\n"),
    (
        "multi-document",
        "- step: {name: a, image: python:3.9.18}\n---\n- step: {name: b, image: python:3.9.18}\n",
    ),
    ("crlf", "- step:\r\n    name: train\r\n    image: python:3.12.1\r\n"),
    ("bom", "\ufeff- step:\n    name: train\n    image: python:3.12.1\n"),
    ("not-valohai", "foo: [1, 2, {bar: baz}]\n"),
    ("tab-inside-quotes", '- step: {name: train, image: "python:3.12.1\t"}\n'),
    ("anchors-and-merge", "- step: &s {name: a, image: python:3.9.18}\n- step: {<<: *s, name: b}\n"),
]


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    d = assert_fires(
        only(lint_text(text), CODE),
        line,
        column,
        code,
        fragment,
        severity=Severity.ERROR,
        image_on_line_of=text,
    )
    assert d.message.startswith("invalid YAML: ")


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text), CODE))


@pytest.mark.parametrize("text", texts(FIRES))
def test_no_other_rule_runs_on_invalid_yaml(text: str) -> None:
    assert [d.code for d in lint_text(text)] == [CODE]
