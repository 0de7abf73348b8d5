"""VIL007 duplicate-key: a key written twice in one mapping."""

from __future__ import annotations

import pytest
from rule_table import assert_fires, assert_silent, only

from valohai_image_lint import LintConfig, Severity, lint_text

CODE = "VIL007"
ON = LintConfig(select=(CODE,))

# (id, yaml, line, column, message fragment)
FIRES = [
    (
        "image-twice",
        "- step:\n    name: a\n    image: python:3.12.1\n    image: python:3.9\n",
        4,
        5,
        'key "image" repeats the one on line 3; the last value wins and line 3\'s is ignored: remove one',
    ),
    ("flow", "- step: {name: a, image: x, name: b}\n", 1, 29, 'key "name" repeats the one on line 1'),
    ("step-twice-in-one-item", "- step: {name: a}\n  step: {name: b}\n", 2, 3, 'key "step" repeats'),
    (
        "nested",
        "- pipeline:\n    nodes:\n      - {name: n, override: {image: a, image: b}}\n",
        3,
        40,
        'key "image" repeats',
    ),
    ("quoted-key", "- step: {name: a, 'name': b}\n", 1, 20, 'key "name" repeats'),
    ("top-level-mapping", "a: 1\na: 2\n", 2, 1, 'key "a" repeats'),
]

DOES_NOT_FIRE = [
    ("distinct", "- step: {name: a, image: python:3.12.1}\n"),
    ("same-key-in-two-mappings", "- step: {name: a}\n- step: {name: b}\n"),
    ("merge-keys", "- x: &a {image: p}\n- y: &b {name: n}\n- step: {<<: *a, <<: *b}\n"),
    ("alias-of-one-mapping-used-twice", "- &s {step: {name: a}}\n- *s\n"),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"), [pytest.param(*r[1:], id=r[0]) for r in FIRES]
)
def test_fires(text: str, line: int, column: int, fragment: str) -> None:
    assert_fires(
        only(lint_text(text, config=ON), CODE), line, column, CODE, fragment, severity=Severity.WARNING
    )


@pytest.mark.parametrize("text", [pytest.param(r[1], id=r[0]) for r in DOES_NOT_FIRE])
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text, config=ON), CODE))


def test_each_repeat_is_reported_once() -> None:
    text = "- step: {name: a, name: b, name: c}\n"
    found = only(lint_text(text, config=ON), CODE)
    assert [(d.span.column, d.message.split(";")[0]) for d in found] == [
        (19, 'key "name" repeats the one on line 1'),
        (28, 'key "name" repeats the one on line 1'),
    ]
