"""VIL002 missing-image: a step or endpoint without an image; an empty or blank image anywhere."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import Severity, lint_text

CODE = "VIL002"

# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "step-without-image",
        "- step: {name: train, command: python train.py}",
        1,
        3,
        CODE,
        'step "train" has no image',
    ),
    (
        "endpoint-without-image",
        "- endpoint: {name: serve, server-command: python serve.py}",
        1,
        3,
        CODE,
        'endpoint "serve" has no image',
    ),
    (
        "block-step-without-image",
        "- step:\n    name: train\n    command: python train.py\n",
        1,
        3,
        CODE,
        'step "train" has no image',
    ),
    (
        "unnamed-step-without-image",
        "- step: {command: python train.py}",
        1,
        3,
        CODE,
        "step (item 1) has no image",
    ),
    ("null-step", "- step:\n", 1, 3, CODE, "step (item 1) has no image"),
    (
        "second-item-without-image",
        "- step: {name: a, image: python:3.9.18}\n- step: {name: b}\n",
        2,
        3,
        CODE,
        'step "b" has no image',
    ),
    ("empty-plain", "- step: {name: train, image: }", 1, 23, CODE, 'the image of step "train" is empty'),
    (
        "empty-block",
        "- step:\n    name: train\n    image:\n",
        3,
        5,
        CODE,
        'the image of step "train" is empty',
    ),
    ("empty-single-quoted", "- step: {name: train, image: ''}", 1, 23, CODE, "is empty"),
    ("empty-double-quoted", '- step: {name: train, image: ""}', 1, 23, CODE, "is empty"),
    ("empty-str-tag", "- step:\n    name: train\n    image: !!str\n", 3, 5, CODE, "is empty"),
    ("empty-block-scalar", "- step:\n    name: train\n    image: >-\n", 3, 5, CODE, "is empty"),
    ("spaces-only", "- step: {name: train, image: '   '}", 1, 23, CODE, "is only whitespace"),
    ("tab-only", '- step: {name: train, image: "\t"}', 1, 23, CODE, "is only whitespace"),
    (
        "endpoint-empty",
        "- endpoint: {name: serve, image: ''}",
        1,
        27,
        CODE,
        'the image of endpoint "serve" is empty',
    ),
    (
        "pipeline-override-empty",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: ''}}]}",
        1,
        52,
        CODE,
        'the image of pipeline "p" node "n" is empty',
    ),
    ("unknown-item-empty", "- foo: {image: ''}", 1, 9, CODE, "the image of foo[0] is empty"),
    (
        "nested-steps-list-empty",
        "- version: 1\n  steps:\n    - name: a\n      image: ' '\n",
        4,
        7,
        CODE,
        "is only whitespace",
    ),
    (
        "duplicate-key-last-is-empty",
        "- step:\n    name: a\n    image: python:3.9.18\n    image: ''\n",
        4,
        5,
        CODE,
        "is empty",
    ),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("step-with-image", "- step: {name: train, image: python:3.12.1}"),
    ("endpoint-with-image", "- endpoint: {name: serve, image: python:3.12.1}"),
    (
        "pipeline-node-without-override",
        "- pipeline: {name: p, nodes: [{name: n, type: execution, step: train}]}",
    ),
    ("pipeline-override-without-image", "- pipeline: {name: p, nodes: [{name: n, override: {command: x}}]}"),
    ("unknown-item-without-image", "- foo: {name: x}"),
    ("version-item", "- version: 1"),
    ("image-from-merge-key", "- step: &s {name: a, image: python:3.9.18}\n- step: {<<: *s, name: b}"),
    ("image-from-alias", "- step: {name: a, image: &i python:3.9.18}\n- endpoint: {name: b, image: *i}"),
    ("float-image-is-vil003", "- step: {name: train, image: 3.9}"),
    ("null-image-is-vil003", "- step: {name: train, image: null}"),
    ("list-image-is-vil003", "- step: {name: train, image: []}"),
    ("empty-file", ""),
    ("empty-list", "[]"),
    ("scalar-items", "- 3\n- foo\n"),
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
    assert "Docker image" in d.message  # says what to do


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text), CODE, "VIL001"))
