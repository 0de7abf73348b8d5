"""VIL102 missing-tag: no tag and no digest, so Docker pulls `latest`."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import Severity, lint_text

CODE = "VIL102"
HEX64 = "0123456789abcdef" * 4

# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "official",
        "- step: {name: train, image: python}",
        1,
        30,
        CODE,
        'image "python" has no tag, so Docker pulls "latest"',
    ),
    (
        "official-suggests-version",
        "- step: {name: train, image: python}",
        1,
        30,
        CODE,
        "pin a version such as python:3.14.4",
    ),
    (
        "namespaced",
        "- step: {name: train, image: ultralytics/yolov5}",
        1,
        30,
        CODE,
        'image "ultralytics/yolov5" has no tag',
    ),
    (
        "unknown-image-advice",
        "- step: {name: train, image: ultralytics/yolov5}",
        1,
        30,
        CODE,
        "pin a version tag or a digest",
    ),
    ("registry", "- step: {name: train, image: ghcr.io/acme/trainer}", 1, 30, CODE, "has no tag"),
    (
        "registry-port-is-not-a-tag",
        "- step: {name: train, image: localhost:5000/trainer}",
        1,
        30,
        CODE,
        'image "localhost:5000/trainer" has no tag',
    ),
    ("single-quoted", "- step: {name: train, image: 'python'}", 1, 31, CODE, "has no tag"),
    ("double-quoted", '- step: {name: train, image: "python"}', 1, 31, CODE, "has no tag"),
    ("block", "- step:\n    name: train\n    image: python\n", 3, 12, CODE, "has no tag"),
    (
        "folded-block-scalar",
        "- step:\n    name: train\n    image: >-\n      python\n",
        4,
        7,
        CODE,
        "has no tag",
    ),
    ("endpoint", "- endpoint: {name: serve, image: python}", 1, 34, CODE, "has no tag"),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: python}}]}",
        1,
        59,
        CODE,
        "has no tag",
    ),
    (
        "blueprint-override",
        "- blueprint: {name: b, nodes: [{name: n, override: {image: python}}]}",
        1,
        60,
        CODE,
        "has no tag",
    ),
    ("nested-steps-list", "- version: 1\n  steps:\n    - image: python\n", 3, 14, CODE, "has no tag"),
    ("uppercase-namespace", "- step: {name: train, image: MyOrg/app}", 1, 30, CODE, "has no tag"),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("tag", "- step: {name: train, image: python:3.9.18}"),
    ("registry-port-and-tag", "- step: {name: train, image: localhost:5000/trainer:1.4.2}"),
    ("digest", "- step: {name: train, image: python@sha256:" + HEX64 + "}"),
    ("registry-digest", "- step: {name: train, image: ghcr.io/acme/trainer@sha256:" + HEX64 + "}"),
    ("latest-is-vil103", "- step: {name: train, image: python:latest}"),
    ("floating-is-vil104", "- step: {name: train, image: python:3.9}"),
    ("invalid-is-vil101", "- step: {name: train, image: Python}"),
    ("placeholder-is-vil004", "- step: {name: train, image: $IMAGE}"),
    ("non-string-is-vil003", "- step: {name: train, image: 3.9}"),
    ("missing-is-vil002", "- step: {name: train}"),
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
        names_image=True,
        image_on_line_of=text,
    )


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text), CODE, "VIL001"))
