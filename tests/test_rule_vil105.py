"""VIL105 missing-digest (opt-in): every image not pinned by `@sha256:`."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import LintConfig, Severity, lint_text

CODE = "VIL105"
HEX64 = "0123456789abcdef" * 4
SELECTED = LintConfig(extend_select=(CODE,))

# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "exact-tag",
        "- step: {name: train, image: python:3.9.18}",
        1,
        30,
        CODE,
        'image "python:3.9.18" is not pinned by digest; add @sha256:',
    ),
    ("no-tag", "- step: {name: train, image: python}", 1, 30, CODE, "is not pinned by digest"),
    ("latest", "- step: {name: train, image: python:latest}", 1, 30, CODE, "is not pinned by digest"),
    ("floating", "- step: {name: train, image: python:3.9}", 1, 30, CODE, "is not pinned by digest"),
    (
        "registry",
        "- step: {name: train, image: ghcr.io/acme/trainer:1.4.2}",
        1,
        30,
        CODE,
        "is not pinned by digest",
    ),
    ("quoted", "- step: {name: train, image: 'python:3.9.18'}", 1, 31, CODE, "is not pinned by digest"),
    ("block", "- step:\n    name: train\n    image: python:3.9.18\n", 3, 12, CODE, "is not pinned by digest"),
    ("endpoint", "- endpoint: {name: serve, image: python:3.9.18}", 1, 34, CODE, "is not pinned by digest"),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: python:3.9.18}}]}",
        1,
        59,
        CODE,
        "is not pinned by digest",
    ),
    ("unknown-item", "- foo: {image: python:3.9.18}", 1, 16, CODE, "is not pinned by digest"),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("digest", "- step: {name: train, image: python@sha256:" + HEX64 + "}"),
    ("tag-and-digest", "- step: {name: train, image: python:3.9.18@sha256:" + HEX64 + "}"),
    ("latest-and-digest", "- step: {name: train, image: python:latest@sha256:" + HEX64 + "}"),
    ("registry-digest", "- step: {name: train, image: ghcr.io/acme/trainer:1.4.2@sha256:" + HEX64 + "}"),
    ("missing-is-vil002", "- step: {name: train}"),
    ("non-string-is-vil003", "- step: {name: train, image: 3.9}"),
    ("empty-file", ""),
]


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires_when_selected(text: str, line: int, column: int, code: str, fragment: str) -> None:
    assert_fires(
        only(lint_text(text, config=SELECTED), CODE),
        line,
        column,
        code,
        fragment,
        severity=Severity.WARNING,
        names_image=True,
        image_on_line_of=text,
    )


@pytest.mark.parametrize("text", texts(FIRES))
def test_off_by_default(text: str) -> None:
    assert_silent(only(lint_text(text), CODE))


@pytest.mark.parametrize("text", texts(FIRES))
def test_selected_alone(text: str) -> None:
    assert [d.code for d in lint_text(text, config=LintConfig(select=(CODE,)))] == [CODE]


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text, config=SELECTED), CODE, "VIL001"))
