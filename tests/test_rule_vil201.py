"""VIL201 registry-not-allowed: an image that matches none of allowed-images."""

from __future__ import annotations

import pytest
from rule_table import assert_fires, assert_silent, cases

from valohai_image_lint import Diagnostic, LintConfig, Severity, lint_text

CODE = "VIL201"
HEX64 = "0123456789abcdef" * 4
ALLOWED = ("docker.io/library/*", "ghcr.io/acme/**", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/*")


# (id, yaml, allowed-images, line, column, code, message fragment)
FIRES = [
    (
        "hub-user-image",
        "- step: {name: train, image: pytorch/pytorch:2.3.1}",
        ALLOWED,
        1,
        30,
        CODE,
        'image "pytorch/pytorch:2.3.1" matches none of allowed-images (docker.io/library/*, ghcr.io/acme/**, '
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/*); "  # no pattern is plausibly what was meant
        "use an allowed image or allow docker.io/pytorch/pytorch",
    ),
    (
        "unrelated-image-same-registry-no-closest",
        "- step: {name: train, image: sofiiavalohai/valohai-llms:1}",
        ("docker.io/tensorflow/tensorflow", "docker.io/library/*"),
        1,
        30,
        CODE,
        "(docker.io/tensorflow/tensorflow, docker.io/library/*); use an allowed image",
    ),
    (
        "same-owner",
        "- step: {name: train, image: ghcr.io/acme/x:1}",
        ("docker.io/library/*", "ghcr.io/acme/mirrors/**"),
        1,
        30,
        CODE,
        'the closest is "ghcr.io/acme/mirrors/**"',
    ),
    (
        "other-owner",
        "- step: {name: train, image: ghcr.io/acne/trainer:1.0.3}",
        ALLOWED,
        1,
        30,
        CODE,
        'the closest is "ghcr.io/acme/**"',
    ),
    (
        "other-account",
        "- step: {name: train, image: 210987654321.dkr.ecr.eu-west-1.amazonaws.com/trainer:1}",
        ALLOWED,
        1,
        30,
        CODE,
        'the closest is "123456789012.dkr.ecr.eu-west-1.amazonaws.com/*"',
    ),
    (
        "one-pattern-no-closest",
        "- step: {name: train, image: quay.io/acme/x:1}",
        ("ghcr.io/acme/**",),
        1,
        30,
        CODE,
        'image "quay.io/acme/x:1" matches none of allowed-images (ghcr.io/acme/**); use an allowed image'
        " or allow quay.io/acme/x",
    ),
    (
        "familiar-pattern",
        "- step: {name: train, image: ghcr.io/library/python:3.12.4}",
        ("python",),
        1,
        30,
        CODE,
        "allow ghcr.io/library/python",
    ),
    (
        "tag-constraint",
        "- step: {name: train, image: python:3.10.14}",
        ("python:3.11*", "python:3.12*"),
        1,
        30,
        CODE,
        '(python:3.11*, python:3.12*); the closest is "python:3.11*"',
    ),
    (
        "untagged-is-latest",
        "- step: {name: train, image: python}",
        ("python:3*",),
        1,
        30,
        CODE,
        'image "python" matches none',
    ),
    (
        "digest-only-vs-tag-pattern",
        "- step: {name: train, image: python@sha256:" + HEX64 + "}",
        ("python:*",),
        1,
        30,
        CODE,
        "matches none",
    ),
    (
        "many-patterns",
        "- step: {name: train, image: quay.io/x/y:1}",
        ("a/*", "b/*", "c/*", "d/*", "e/*", "f/*", "g/*"),
        1,
        30,
        CODE,
        "(a/*, b/*, c/*, d/*, e/* and 2 more)",
    ),
    (
        "star-is-library-only",
        "- step: {name: train, image: acme/trainer:1.0}",
        ("*",),
        1,
        30,
        CODE,
        "allow docker.io/acme/trainer",
    ),
    (
        "block",
        "- step:\n    name: train\n    image: quay.io/acme/x:1\n",
        ALLOWED,
        3,
        12,
        CODE,
        "matches none",
    ),
    ("quoted", "- step: {name: train, image: 'quay.io/acme/x:1'}", ALLOWED, 1, 31, CODE, "matches none"),
    ("endpoint", "- endpoint: {name: serve, image: quay.io/acme/x:1}", ALLOWED, 1, 34, CODE, "matches none"),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: quay.io/acme/x:1}}]}",
        ALLOWED,
        1,
        59,
        CODE,
        "matches none",
    ),
]

# (id, yaml, allowed-images)
DOES_NOT_FIRE = [
    ("not-configured", "- step: {name: train, image: quay.io/acme/x:1}", ()),
    ("official", "- step: {name: train, image: python:3.12.4}", ALLOWED),
    ("official-full-name", "- step: {name: train, image: docker.io/library/python:3.12.4}", ALLOWED),
    ("legacy-host", "- step: {name: train, image: index.docker.io/library/python:3.12.4}", ALLOWED),
    ("nested", "- step: {name: train, image: ghcr.io/acme/ml/trainer:1.0.3}", ALLOWED),
    ("ecr", "- step: {name: train, image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/trainer:1}", ALLOWED),
    ("tag-constraint", "- step: {name: train, image: python:3.12.4}", ("python:3.11*", "python:3.12*")),
    ("untagged-is-latest", "- step: {name: train, image: python}", ("python:latest",)),
    ("digest-only", "- step: {name: train, image: python@sha256:" + HEX64 + "}", ("python",)),
    ("familiar-pattern", "- step: {name: train, image: docker.io/acme/trainer:1}", ("acme/*",)),
    ("invalid-is-vil101", "- step: {name: train, image: Quay.io/Acme/x:1}", ALLOWED),
    ("placeholder", "- step: {name: train, image: '{{image}}'}", ALLOWED),
    ("non-string", "- step: {name: train, image: 3.12}", ALLOWED),
    ("missing", "- step: {name: train}", ALLOWED),
]


def _lint(text: str, allowed: tuple[str, ...]) -> list[Diagnostic]:
    return lint_text(text, config=LintConfig(select=(CODE,), options={"allowed-images": allowed}))


@pytest.mark.parametrize(("text", "allowed", "line", "column", "code", "fragment"), cases(FIRES))
def test_fires(text: str, allowed: tuple[str, ...], line: int, column: int, code: str, fragment: str) -> None:
    d = assert_fires(
        _lint(text, allowed),
        line,
        column,
        code,
        fragment,
        severity=Severity.ERROR,
        names_image=True,
        image_on_line_of=text,
    )
    assert d.fix is None


@pytest.mark.parametrize(("text", "allowed"), cases(DOES_NOT_FIRE))
def test_does_not_fire(text: str, allowed: tuple[str, ...]) -> None:
    assert_silent(_lint(text, allowed))
