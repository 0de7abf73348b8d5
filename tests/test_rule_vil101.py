"""VIL101 invalid-reference: a value Docker does not accept as an image reference, with the reason."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import Severity, lint_text

CODE = "VIL101"
HEX64 = "0123456789abcdef" * 4

# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "uppercase-repository",
        "- step: {name: train, image: Python:3.9.18}",
        1,
        30,
        CODE,
        'image "Python:3.9.18" is not a valid reference: repository name (library/Python) must be lowercase',
    ),
    (
        "uppercase-suggests-lowercase",
        "- step: {name: train, image: Python:3.9.18}",
        1,
        30,
        CODE,
        'did you mean "python:3.9.18"?',
    ),
    (
        "uppercase-path",
        "- step: {name: train, image: tensorflow/TensorFlow:2.16.1}",
        1,
        30,
        CODE,
        "must be lowercase",
    ),
    (
        "uppercase-path-after-registry",
        "- step: {name: train, image: ghcr.io/Acme/app:1.0.0}",
        1,
        30,
        CODE,
        "repository name (Acme/app) must be lowercase",
    ),
    (
        "uppercase-namespace-read-as-host",
        "- step: {name: train, image: MyOrg/app:1.0.0}",
        1,
        30,
        CODE,
        'names a registry host "MyOrg"',
    ),
    (
        "trailing-space-in-quotes",
        "- step: {name: train, image: 'python:3.9.18 '}",
        1,
        31,
        CODE,
        "it has leading or trailing whitespace",
    ),
    (
        "leading-space-in-quotes",
        '- step: {name: train, image: " python:3.9.18"}',
        1,
        31,
        CODE,
        'leading or trailing whitespace; did you mean "python:3.9.18"?',
    ),
    (
        "trailing-tab-in-quotes",
        '- step: {name: train, image: "python:3.9.18\t"}',
        1,
        31,
        CODE,
        "leading or trailing whitespace",
    ),
    ("inner-space", "- step: {name: train, image: 'py thon:3.9.18'}", 1, 31, CODE, "it contains whitespace"),
    ("star", "- step: {name: train, image: pyth*n:1.0.0}", 1, 30, CODE, "it contains the character '*'"),
    ("non-ascii", "- step: {name: train, image: pythön:1.0.0}", 1, 30, CODE, "it contains the character 'ö'"),
    (
        "bad-tag-character",
        "- step: {name: train, image: python:3.9!}",
        1,
        30,
        CODE,
        "the tag '3.9!' is not valid",
    ),
    (
        "tag-starting-with-dot",
        "- step: {name: train, image: python:.1}",
        1,
        30,
        CODE,
        "the tag '.1' is not valid",
    ),
    ("empty-tag", "- step: {name: train, image: 'python:'}", 1, 31, CODE, "the tag after ':' is empty"),
    ("two-colons", "- step: {name: train, image: python:3.9:1}", 1, 30, CODE, "more than one ':'"),
    ("url", "- step: {name: train, image: https://python:3.9.18}", 1, 30, CODE, "looks like a URL"),
    (
        "empty-path-component",
        "- step: {name: train, image: ghcr.io//app:1.0.0}",
        1,
        30,
        CODE,
        "empty path component",
    ),
    ("leading-dash", "- step: {name: train, image: '-python:1.0.0'}", 1, 31, CODE, "reference grammar"),
    (
        "short-digest",
        "- step: {name: train, image: python@sha256:abc}",
        1,
        30,
        CODE,
        "the digest 'sha256:abc' is not valid",
    ),
    (
        "short-digest-with-tag",
        "- step: {name: train, image: python:3.9.18@sha256:abc}",
        1,
        30,
        CODE,
        "is not valid",
    ),
    (
        "uppercase-digest",
        "- step: {name: train, image: python@sha256:" + HEX64.upper() + "}",
        1,
        30,
        CODE,
        "invalid digest",
    ),
    (
        "unsupported-digest-algorithm",
        "- step: {name: train, image: python@md5:" + "a" * 32 + "}",
        1,
        30,
        CODE,
        "unsupported digest algorithm",
    ),
    (
        "two-digests",
        "- step: {name: train, image: python@sha256:abc@sha256:def}",
        1,
        30,
        CODE,
        "more than one '@'",
    ),
    (
        "name-too-long",
        "- step: {name: train, image: " + "a" * 300 + ":1.0.0}",
        1,
        30,
        CODE,
        "repository name must not be more than 255 characters",
    ),
    (
        "path-too-long",
        "- step: {name: train, image: acme/" + "b" * 260 + "}",
        1,
        30,
        CODE,
        "must not be more than 255 characters",
    ),
    ("image-id", "- step: {name: train, image: " + HEX64 + "}", 1, 30, CODE, "is an image ID"),
    ("block", "- step:\n    name: train\n    image: Python:3.9.18\n", 3, 12, CODE, "must be lowercase"),
    ("endpoint", "- endpoint: {name: serve, image: Python:3.9.18}", 1, 34, CODE, "must be lowercase"),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: Python:3.9.18}}]}",
        1,
        59,
        CODE,
        "must be lowercase",
    ),
    ("unknown-item", "- foo: {image: Python:3.9.18}", 1, 16, CODE, "must be lowercase"),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("official", "- step: {name: train, image: python:3.9.18}"),
    ("namespaced", "- step: {name: train, image: tensorflow/tensorflow:2.16.1-gpu}"),
    ("registry", "- step: {name: train, image: ghcr.io/acme/trainer:1.4.2}"),
    ("registry-port", "- step: {name: train, image: localhost:5000/trainer:1.4.2}"),
    ("uppercase-registry-host", "- step: {name: train, image: GHCR.IO/acme/trainer:1.4.2}"),
    ("underscore-domain-like", "- step: {name: train, image: foo_bar.com/x:1.0.0}"),
    ("digest", "- step: {name: train, image: python@sha256:" + HEX64 + "}"),
    ("tag-and-digest", "- step: {name: train, image: python:3.9.18@sha256:" + HEX64 + "}"),
    (
        "full-reference",
        "- step: {name: train, image: registry.example.com:5000/team/app:1.2.3@sha256:" + HEX64 + "}",
    ),
    ("plain-trailing-spaces-are-yaml", "- step: {name: train, image: python:3.9.18   }"),
    ("plain-trailing-comment", "- step:\n    name: train\n    image: python:3.9.18  # pinned\n"),
    ("no-tag-is-vil102", "- step: {name: train, image: python}"),
    ("placeholder-is-vil004", "- step: {name: train, image: '${IMAGE}'}"),
    ("angle-placeholder-is-vil004", "- step: {name: train, image: <your-image>}"),
    ("non-string-is-vil003", "- step: {name: train, image: 3.9}"),
    ("empty-is-vil002", "- step: {name: train, image: ''}"),
]


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    d = assert_fires(
        only(lint_text(text), CODE),
        line,
        column,
        code,
        fragment,
        severity=Severity.ERROR,
        image_on_line_of=text,
    )
    assert d.image is not None
    # Messages stay on one line: control characters in the value are shown escaped.
    shown = d.image.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    assert f'image "{shown}"' in d.message


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text), CODE, "VIL001"))
