"""VIL003 non-string-image: an image that YAML types as a number, boolean, null, date, list or mapping."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import Severity, lint_text

CODE = "VIL003"

# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "float",
        "- step: {name: train, image: 3.9}",
        1,
        30,
        CODE,
        'the image 3.9 of step "train" is a float, not a string',
    ),
    ("float-3.10-is-3.1", "- step: {name: train, image: 3.10}", 1, 30, CODE, "is a float"),
    ("float-block", "- step:\n    name: train\n    image: 3.9\n", 3, 12, CODE, "is a float"),
    (
        "float-suggests-full-name",
        "- step: {name: train, image: 3.9}",
        1,
        30,
        CODE,
        "write the full image name",
    ),
    ("float-inf", "- step: {name: train, image: .inf}", 1, 30, CODE, "is a float"),
    ("explicit-float-tag", "- step: {name: train, image: !!float 3}", 1, 38, CODE, "is a float"),
    ("integer", "- step: {name: train, image: 3}", 1, 30, CODE, 'the image 3 of step "train" is an integer'),
    ("integer-underscore", "- step: {name: train, image: 1_000}", 1, 30, CODE, "is an integer"),
    ("integer-hex", "- step: {name: train, image: 0x1F}", 1, 30, CODE, "is an integer"),
    ("integer-sexagesimal", "- step: {name: train, image: 12:30}", 1, 30, CODE, "is an integer"),
    (
        "bool-yes",
        "- step: {name: train, image: yes}",
        1,
        30,
        CODE,
        'the image yes of step "train" is a boolean, not a string',
    ),
    ("bool-no", "- step: {name: train, image: no}", 1, 30, CODE, "is a boolean"),
    ("bool-on", "- step: {name: train, image: on}", 1, 30, CODE, "is a boolean"),
    ("bool-Off", "- step: {name: train, image: Off}", 1, 30, CODE, "is a boolean"),
    ("bool-true", "- step: {name: train, image: true}", 1, 30, CODE, "is a boolean"),
    ("null-word", "- step: {name: train, image: null}", 1, 30, CODE, "is null, not a string"),
    ("null-tilde", "- step: {name: train, image: ~}", 1, 30, CODE, "is null"),
    ("date", "- step: {name: train, image: 2024-01-01}", 1, 30, CODE, "is a date"),
    ("timestamp", "- step: {name: train, image: 2024-01-01 10:00:00}", 1, 30, CODE, "is a date"),
    (
        "flow-list",
        "- step: {name: train, image: [python]}",
        1,
        30,
        CODE,
        'the image of step "train" is a list, not a string',
    ),
    ("empty-list", "- step: {name: train, image: []}", 1, 30, CODE, "is a list"),
    ("block-list", "- step:\n    name: train\n    image:\n      - python:3.9.18\n", 4, 7, CODE, "is a list"),
    (
        "flow-mapping",
        "- step: {name: train, image: {name: python}}",
        1,
        30,
        CODE,
        "is a mapping, not a string",
    ),
    (
        "block-mapping",
        "- step:\n    name: train\n    image:\n      name: python\n",
        4,
        7,
        CODE,
        "is a mapping",
    ),
    ("custom-tag", "- step: {name: train, image: !custom python}", 1, 38, CODE, "is tagged !custom"),
    ("endpoint", "- endpoint: {name: serve, image: 3.9}", 1, 34, CODE, 'of endpoint "serve" is a float'),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: 3.9}}]}",
        1,
        59,
        CODE,
        'of pipeline "p" node "n" is a float',
    ),
    ("unknown-item", "- foo: {image: yes}", 1, 16, CODE, "of foo[0] is a boolean"),
    (
        "nested-steps-list",
        "- version: 1\n  steps:\n    - name: a\n      image: 3.9\n",
        4,
        14,
        CODE,
        "is a float",
    ),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("single-quoted-float", "- step: {name: train, image: '3.9'}"),
    ("double-quoted-bool", '- step: {name: train, image: "yes"}'),
    ("str-tag-float", "- step: {name: train, image: !!str 3.9}"),
    ("str-tag-null", "- step: {name: train, image: !!str null}"),
    ("three-part-version-is-a-string", "- step: {name: train, image: 3.9.18}"),
    ("exponent-without-dot-is-a-string", "- step: {name: train, image: 1e3}"),
    ("y-is-a-string-for-pyyaml", "- step: {name: train, image: y}"),
    ("image", "- step: {name: train, image: python:3.9.18}"),
    ("block-scalar", "- step:\n    name: train\n    image: >-\n      python:3.9.18\n"),
    ("empty-is-vil002", "- step: {name: train, image: }"),
    ("missing-is-vil002", "- step: {name: train}"),
    ("non-string-elsewhere-in-step", "- step: {name: train, image: python:3.9.18, command: 3.9}"),
    ("non-string-other-key-in-unknown-item", "- foo: {images: 3.9}"),
]


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    assert_fires(
        only(lint_text(text), CODE),
        line,
        column,
        code,
        fragment,
        severity=Severity.ERROR,
        image_on_line_of=text,
    )


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text), CODE, "VIL001"))


def test_verbatim_str_tag_is_a_string() -> None:
    text = "- step: {name: train, image: !<tag:yaml.org,2002:str> python:3.9.18}"
    assert_silent(only(lint_text(text), CODE))
