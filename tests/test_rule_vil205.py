"""VIL205 legacy-docker-hub-host: Docker Hub written as index.docker.io and the like."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, apply_edit, assert_fires, assert_safe_fix, assert_silent, cases, texts

from valohai_image_lint import LintConfig, Severity, Span, lint_text
from valohai_image_lint.model import Applicability

CODE = "VIL205"
HEX64 = "0123456789abcdef" * 4


def _step(image: str) -> str:
    return f"- step: {{name: train, image: {image}}}"


# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "index",
        _step("index.docker.io/library/python:3.12.4"),
        1,
        30,
        CODE,
        'image "index.docker.io/library/python:3.12.4" uses the legacy Docker Hub host index.docker.io; '
        'write "docker.io/library/python:3.12.4"',
    ),
    (
        "index-familiar",
        _step("index.docker.io/python:3.12.4"),
        1,
        30,
        CODE,
        'write "docker.io/python:3.12.4"',
    ),
    (
        "registry-1",
        _step("registry-1.docker.io/acme/trainer:1.0"),
        1,
        30,
        CODE,
        'uses the legacy Docker Hub host registry-1.docker.io; write "docker.io/acme/trainer:1.0"',
    ),
    (
        "hub",
        _step("registry.hub.docker.com/acme/trainer:1.0"),
        1,
        30,
        CODE,
        'uses the legacy Docker Hub host registry.hub.docker.com; write "docker.io/acme/trainer:1.0"',
    ),
    (
        "uppercase",
        _step("Index.Docker.io/acme/trainer:1.0"),
        1,
        30,
        CODE,
        'host Index.Docker.io; write "docker.io/acme/trainer:1.0"',
    ),
    ("untagged", _step("index.docker.io/acme/trainer"), 1, 30, CODE, 'write "docker.io/acme/trainer"'),
    (
        "digest",
        _step("index.docker.io/acme/trainer@sha256:" + HEX64),
        1,
        30,
        CODE,
        f'write "docker.io/acme/trainer@sha256:{HEX64}"',
    ),
    ("quoted", _step("'index.docker.io/acme/trainer:1.0'"), 1, 31, CODE, "legacy Docker Hub host"),
    (
        "block",
        "- step:\n    name: train\n    image: index.docker.io/acme/trainer:1.0\n",
        3,
        12,
        CODE,
        "legacy Docker Hub host",
    ),
    (
        "endpoint",
        "- endpoint: {name: serve, image: index.docker.io/acme/trainer:1.0}",
        1,
        34,
        CODE,
        "legacy Docker Hub host",
    ),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: index.docker.io/acme/trainer:1}}]}",
        1,
        59,
        CODE,
        "legacy Docker Hub host",
    ),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("docker-io", _step("docker.io/library/python:3.12.4")),
    ("familiar", _step("python:3.12.4")),
    ("other-registry", _step("ghcr.io/acme/trainer:1.0")),
    ("with-port", _step("index.docker.io:443/acme/trainer:1.0")),
    ("host-as-path", _step("ghcr.io/index.docker.io/x:1")),
    ("similar-host", _step("index.docker.io.example.com/acme/trainer:1.0")),
    ("invalid-is-vil101", _step("index.docker.io/Acme/trainer:1.0")),
    ("placeholder", _step("'index.docker.io/{{image}}'")),
]

# (id, yaml, span of the edit)
FIXES = [
    ("index", _step("index.docker.io/library/python:3.12.4"), Span(1, 30, 1, 45)),
    ("registry-1", _step("registry-1.docker.io/acme/trainer:1.0"), Span(1, 30, 1, 50)),
    ("hub", _step("registry.hub.docker.com/acme/trainer:1.0"), Span(1, 30, 1, 53)),
    ("single-quoted", _step("'index.docker.io/acme/trainer:1.0'"), Span(1, 31, 1, 46)),
    ("double-quoted", _step('"index.docker.io/acme/trainer:1.0"'), Span(1, 31, 1, 46)),
    (
        "block",
        "- step:\n    name: train\n    image: registry.hub.docker.com/acme/trainer:1.0\n",
        Span(3, 12, 3, 35),
    ),
]

# (id, yaml): the file does not hold the value verbatim, so no fix
NO_FIX = [
    ("double-quoted-escape", _step('"index.docker.io/acme/\\x74rainer:1.0"')),
    (
        "double-quoted-line-continuation",
        '- step:\n    name: train\n    image: "index.docker.io/acme/\\\n      trainer:1.0"\n',
    ),
]


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    assert_fires(
        lint_text(text, config=LintConfig(select=(CODE,))),
        line,
        column,
        code,
        fragment,
        severity=Severity.WARNING,
        names_image=True,
    )


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(lint_text(text, config=LintConfig(select=(CODE,))))


@pytest.mark.parametrize(("text", "span"), cases(FIXES))
def test_fix(text: str, span: Span) -> None:
    (d,) = lint_text(text, config=LintConfig(select=(CODE,)))
    assert_safe_fix(d, span, "docker.io")
    assert_silent(lint_text(apply_edit(text, span, "docker.io"), config=LintConfig(select=(CODE,))))


@pytest.mark.parametrize("text", texts(NO_FIX))
def test_no_fix_when_the_file_does_not_hold_the_value_verbatim(text: str) -> None:
    (d,) = lint_text(text, config=LintConfig(select=(CODE,)))
    assert d.fix is None
    assert 'write "docker.io/acme/trainer:1.0"' in d.message


# (id, yaml): the fix changes which image is pulled, so it is unsafe
UNSAFE_FIXES = [
    # Docker adds library/ only after docker.io (and the exact, lowercase index.docker.io).
    ("registry-1-official", _step("registry-1.docker.io/python:3.12.1")),
    ("hub-official", _step("registry.hub.docker.com/python:3.12.1")),
    ("uppercase-index-official", _step("INDEX.DOCKER.IO/python:3.12.1")),
]


@pytest.mark.parametrize("text", texts(UNSAFE_FIXES))
def test_unsafe_fix_for_a_one_component_path(text: str) -> None:
    (d,) = lint_text(text, config=LintConfig(select=(CODE,)))
    assert d.fix is not None
    assert d.fix.applicability is Applicability.UNSAFE


def test_index_docker_io_official_image_is_a_safe_fix() -> None:
    (d,) = lint_text(_step("index.docker.io/python:3.12.1"), config=LintConfig(select=(CODE,)))
    assert d.fix is not None and d.fix.applicability is Applicability.SAFE
