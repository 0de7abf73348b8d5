"""VIL103 latest-tag: the tag `latest` or a moving variant of it."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import Severity, lint_text

CODE = "VIL103"
HEX64 = "0123456789abcdef" * 4

# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "latest",
        "- step: {name: train, image: python:latest}",
        1,
        30,
        CODE,
        'image "python:latest" uses a moving "latest" tag; pin a version such as 3.14.4',
    ),
    (
        "latest-gpu-issue-example",
        "- step: {name: train, image: tensorflow/tensorflow:latest-gpu}",
        1,
        30,
        CODE,
        'image "tensorflow/tensorflow:latest-gpu" uses a moving "latest" tag; pin a version such as 2.16.1-gpu',
    ),
    (
        "latest-py3",
        "- step: {name: train, image: acme/trainer:latest-py3}",
        1,
        30,
        CODE,
        'image "acme/trainer:latest-py3" uses a moving "latest" tag; pin a version tag or a digest',
    ),
    (
        "gpu-latest",
        "- step: {name: train, image: acme/trainer:gpu-latest}",
        1,
        30,
        CODE,
        'uses a moving "latest" tag',
    ),
    (
        "latest-underscore",
        "- step: {name: train, image: acme/trainer:latest_py3}",
        1,
        30,
        CODE,
        'uses a moving "latest" tag',
    ),
    (
        "uppercase-tag",
        "- step: {name: train, image: acme/trainer:LATEST}",
        1,
        30,
        CODE,
        'uses a moving "latest" tag',
    ),
    (
        "mixed-case-variant",
        "- step: {name: train, image: acme/trainer:Latest-GPU}",
        1,
        30,
        CODE,
        'uses a moving "latest" tag',
    ),
    ("registry", "- step: {name: train, image: ghcr.io/acme/trainer:latest}", 1, 30, CODE, '"latest" tag'),
    (
        "registry-port",
        "- step: {name: train, image: localhost:5000/trainer:latest}",
        1,
        30,
        CODE,
        '"latest" tag',
    ),
    ("quoted", "- step: {name: train, image: 'python:latest'}", 1, 31, CODE, '"latest" tag'),
    ("block", "- step:\n    name: train\n    image: python:latest\n", 3, 12, CODE, '"latest" tag'),
    ("endpoint", "- endpoint: {name: serve, image: python:latest}", 1, 34, CODE, '"latest" tag'),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: python:latest}}]}",
        1,
        59,
        CODE,
        '"latest" tag',
    ),
    ("unknown-item", "- foo: {image: python:latest}", 1, 16, CODE, '"latest" tag'),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("pinned", "- step: {name: train, image: python:3.9.18}"),
    ("pinned-gpu", "- step: {name: train, image: tensorflow/tensorflow:2.16.1-gpu}"),
    ("latest-with-digest", "- step: {name: train, image: python:latest@sha256:" + HEX64 + "}"),
    (
        "latest-gpu-with-digest",
        "- step: {name: train, image: tensorflow/tensorflow:latest-gpu@sha256:" + HEX64 + "}",
    ),
    ("digest-only", "- step: {name: train, image: python@sha256:" + HEX64 + "}"),
    ("no-tag-is-vil102", "- step: {name: train, image: python}"),
    ("repository-named-latest", "- step: {name: train, image: acme/latest:1.0.0}"),
    ("floating-is-vil104", "- step: {name: train, image: python:3.9}"),
    ("channel-is-vil104", "- step: {name: train, image: acme/trainer:stable}"),
    ("invalid-is-vil101", "- step: {name: train, image: Python:latest}"),
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


@pytest.mark.parametrize("text", texts(FIRES))
def test_latest_is_not_also_a_floating_tag(text: str) -> None:
    assert_silent(only(lint_text(text), "VIL104"))


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text), CODE, "VIL001"))
