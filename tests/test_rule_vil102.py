"""VIL102 missing-tag: no tag and no digest, so Docker pulls `latest`."""

from __future__ import annotations

import pytest

from valohai_image_lint import Diagnostic, Severity, lint_text

CODE = "VIL102"
HEX64 = "0123456789abcdef" * 4

# (id, yaml, line, column, code, message fragment)
FIRES = [
    ("official", "- step: {name: train, image: python}", 1, 30, CODE,
     'image "python" has no tag, so Docker pulls "latest"'),
    ("official-suggests-version", "- step: {name: train, image: python}", 1, 30, CODE,
     "pin a version such as python:3.12.1"),
    ("namespaced", "- step: {name: train, image: ultralytics/yolov5}", 1, 30, CODE,
     'image "ultralytics/yolov5" has no tag'),
    ("unknown-image-advice", "- step: {name: train, image: ultralytics/yolov5}", 1, 30, CODE,
     "pin a version tag or a digest"),
    ("registry", "- step: {name: train, image: ghcr.io/acme/trainer}", 1, 30, CODE, "has no tag"),
    ("registry-port-is-not-a-tag", "- step: {name: train, image: localhost:5000/trainer}", 1, 30, CODE,
     'image "localhost:5000/trainer" has no tag'),
    ("single-quoted", "- step: {name: train, image: 'python'}", 1, 31, CODE, "has no tag"),
    ("double-quoted", '- step: {name: train, image: "python"}', 1, 31, CODE, "has no tag"),
    ("block", "- step:\n    name: train\n    image: python\n", 3, 12, CODE, "has no tag"),
    ("folded-block-scalar", "- step:\n    name: train\n    image: >-\n      python\n", 4, 7, CODE, "has no tag"),
    ("endpoint", "- endpoint: {name: serve, image: python}", 1, 34, CODE, "has no tag"),
    ("pipeline-override", "- pipeline: {name: p, nodes: [{name: n, override: {image: python}}]}", 1, 59, CODE,
     "has no tag"),
    ("blueprint-override", "- blueprint: {name: b, nodes: [{name: n, override: {image: python}}]}", 1, 60, CODE,
     "has no tag"),
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


def _lines(text: str) -> list[str]:
    return text.removeprefix("\ufeff").splitlines()


def _only(diagnostics: list[Diagnostic], *codes: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code in codes]


@pytest.mark.parametrize(
    ("text", "line", "column", "code", "fragment"), [c[1:] for c in FIRES], ids=[c[0] for c in FIRES]
)
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    found = _only(lint_text(text), CODE)
    assert len(found) == 1, found
    d = found[0]
    assert d.code == code
    assert (d.span.line, d.span.column) == (line, column), d
    assert fragment in d.message
    assert d.image is not None
    assert f'image "{d.image}"' in d.message
    assert d.severity is Severity.ERROR
    assert d.image in _lines(text)[d.span.line - 1]


@pytest.mark.parametrize("text", [c[1] for c in DOES_NOT_FIRE], ids=[c[0] for c in DOES_NOT_FIRE])
def test_does_not_fire(text: str) -> None:
    assert _only(lint_text(text), CODE, "VIL001") == []
