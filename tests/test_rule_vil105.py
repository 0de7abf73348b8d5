"""VIL105 missing-digest (opt-in): every image not pinned by `@sha256:`."""

from __future__ import annotations

import pytest

from valohai_image_lint import Diagnostic, LintConfig, Severity, lint_text

CODE = "VIL105"
HEX64 = "0123456789abcdef" * 4
SELECTED = LintConfig(extend_select=(CODE,))

# (id, yaml, line, column, code, message fragment)
FIRES = [
    ("exact-tag", "- step: {name: train, image: python:3.9.18}", 1, 30, CODE,
     'image "python:3.9.18" is not pinned by digest; add @sha256:'),
    ("no-tag", "- step: {name: train, image: python}", 1, 30, CODE, "is not pinned by digest"),
    ("latest", "- step: {name: train, image: python:latest}", 1, 30, CODE, "is not pinned by digest"),
    ("floating", "- step: {name: train, image: python:3.9}", 1, 30, CODE, "is not pinned by digest"),
    ("registry", "- step: {name: train, image: ghcr.io/acme/trainer:1.4.2}", 1, 30, CODE,
     "is not pinned by digest"),
    ("quoted", "- step: {name: train, image: 'python:3.9.18'}", 1, 31, CODE, "is not pinned by digest"),
    ("block", "- step:\n    name: train\n    image: python:3.9.18\n", 3, 12, CODE, "is not pinned by digest"),
    ("endpoint", "- endpoint: {name: serve, image: python:3.9.18}", 1, 34, CODE, "is not pinned by digest"),
    ("pipeline-override", "- pipeline: {name: p, nodes: [{name: n, override: {image: python:3.9.18}}]}",
     1, 59, CODE, "is not pinned by digest"),
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


def _lines(text: str) -> list[str]:
    return text.removeprefix("\ufeff").splitlines()


def _only(diagnostics: list[Diagnostic], *codes: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code in codes]


@pytest.mark.parametrize(
    ("text", "line", "column", "code", "fragment"), [c[1:] for c in FIRES], ids=[c[0] for c in FIRES]
)
def test_fires_when_selected(text: str, line: int, column: int, code: str, fragment: str) -> None:
    found = _only(lint_text(text, config=SELECTED), CODE)
    assert len(found) == 1, found
    d = found[0]
    assert d.code == code
    assert (d.span.line, d.span.column) == (line, column), d
    assert fragment in d.message
    assert d.image is not None
    assert f'image "{d.image}"' in d.message
    assert d.severity is Severity.WARNING
    assert d.image in _lines(text)[d.span.line - 1]


@pytest.mark.parametrize("text", [c[1] for c in FIRES], ids=[c[0] for c in FIRES])
def test_off_by_default(text: str) -> None:
    assert _only(lint_text(text), CODE) == []


@pytest.mark.parametrize("text", [c[1] for c in FIRES], ids=[c[0] for c in FIRES])
def test_selected_alone(text: str) -> None:
    assert [d.code for d in lint_text(text, config=LintConfig(select=(CODE,)))] == [CODE]


@pytest.mark.parametrize("text", [c[1] for c in DOES_NOT_FIRE], ids=[c[0] for c in DOES_NOT_FIRE])
def test_does_not_fire(text: str) -> None:
    assert _only(lint_text(text, config=SELECTED), CODE, "VIL001") == []
