"""VIL008 unknown-top-level-item: a top-level item of no kind Valohai reads."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import Severity, lint_text

CODE = "VIL008"
VERSION_STEPS = "- version: 1\n  steps:\n    - name: train\n      image: python:3.12.1\n"

# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "version-with-steps",
        VERSION_STEPS,
        1,
        3,
        CODE,
        'item 1 ("version", "steps") is none of the items Valohai reads (step, task, endpoint, pipeline, '
        'blueprint, deployment): Valohai ignores it; did you mean "step"?',
    ),
    ("typo", "- stpe: {name: train, image: python:3.12.1}\n", 1, 3, CODE, 'did you mean "step"?'),
    (
        "endpoints",
        "- endpoints: {name: serve, image: python:3.12.1}\n",
        1,
        3,
        CODE,
        'did you mean "endpoint"?',
    ),
    (
        "second-item",
        "- step: {name: a, image: python:3.12.1}\n- defaults: {image: python:3.12.1}\n",
        2,
        3,
        CODE,
        'item 2 ("defaults") is none of the items Valohai reads',
    ),
    ("nothing-close", "- foo: 1\n", 1, 3, CODE, "Valohai ignores it; write items such as - step: {...}"),
    ("flow", "[{version: 1}]\n", 1, 3, CODE, 'item 1 ("version")'),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("step", "- step: {name: a, image: python:3.12.1}\n"),
    (
        "every-kind",
        "".join(f"- {kind}: {{name: a}}\n" for kind in ("task", "endpoint", "pipeline", "blueprint")),
    ),
    ("deployment", "- deployment: {name: d}\n"),
    ("kind-with-extra-key", "- step: {name: a, image: python:3.12.1}\n  extra: 1\n"),
    ("anchors-only", "- defaults: &d {image: python:3.12.1}\n- step: {<<: *d, name: a}\n"),
    ("anchors-only-block", "- defaults: &d\n    image: python:3.12.1\n- step:\n    <<: *d\n    name: a\n"),
    ("extension-item", "- x-defaults: {a: 1}\n"),
    ("merge-key", "- <<: {step: {name: a, image: python:3.12.1}}\n"),
    ("top-level-mapping-is-vil006", "version: 1\nsteps: []\n"),
    ("scalar-item-is-vil006", "- step\n"),
]


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    assert_fires(only(lint_text(text), CODE), line, column, code, fragment, severity=Severity.WARNING)


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text), CODE, "VIL001"))


def test_images_inside_are_still_linted_and_named_by_their_path() -> None:
    found = [d for d in lint_text(VERSION_STEPS.replace("python:3.12.1", "python:3.9")) if d.code == "VIL104"]
    assert [(d.span.line, d.context) for d in found] == [(4, 'version[0].steps[0] "train"')]
