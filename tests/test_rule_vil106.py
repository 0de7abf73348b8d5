"""VIL106 unknown-official-image: a bare name that is not one of Docker Hub's official images."""

from __future__ import annotations

import re

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import Severity, lint_text
from valohai_image_lint.official_images import CURRENT, OFFICIAL, REMOVED, WELL_KNOWN
from valohai_image_lint.reference import parse_image as parse

CODE = "VIL106"


def step(image: str) -> str:
    return f"- step:\n    name: train\n    image: {image}\n"


# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "typo",
        step("pyhton:3.12.1"),
        3,
        12,
        CODE,
        'image "pyhton:3.12.1": Docker Hub has no official image "pyhton", so the pull fails; '
        'did you mean "python"?',
    ),
    ("typo-postgres", step("postgress:16.2"), 3, 12, CODE, 'did you mean "postgres"?'),
    ("typo-ubuntu", step("ubunt:22.04"), 3, 12, CODE, 'did you mean "ubuntu"?'),
    ("tensorflow", step("tensorflow:2.16.1"), 3, 12, CODE, 'did you mean "tensorflow/tensorflow"?'),
    ("pytorch", step("pytorch:2.1.0"), 3, 12, CODE, 'did you mean "pytorch/pytorch"?'),
    ("cuda", step("cuda:12.1.0-runtime-ubuntu22.04"), 3, 12, CODE, 'did you mean "nvidia/cuda"?'),
    ("miniconda3", step("miniconda3:24.1.2-0"), 3, 12, CODE, 'did you mean "continuumio/miniconda3"?'),
    ("untagged", step("pytorch"), 3, 12, CODE, 'image "pytorch": Docker Hub has no official image'),
    ("library-prefix", step("library/pyhton:3.12.1"), 3, 12, CODE, 'no official image "pyhton"'),
    ("docker-io", step("docker.io/library/pyhton:3.12.1"), 3, 12, CODE, 'did you mean "python"?'),
    (
        "nothing-close",
        step("titanic-trainer:1.0"),
        3,
        12,
        CODE,
        'no official image "titanic-trainer", so the pull fails; write the image with its owner '
        "(owner/name) or registry",
    ),
    ("digest", step("pyhton@sha256:" + "a" * 64), 3, 12, CODE, 'did you mean "python"?'),
    ("endpoint", "- endpoint: {name: serve, image: 'tensorflow:2.16.1'}", 1, 35, CODE, "tensorflow/"),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: pytorch}}]}",
        1,
        59,
        CODE,
        "pytorch/pytorch",
    ),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("official", step("python:3.12.1")),
    ("official-untagged", step("ubuntu")),
    ("official-with-dot", step("rocket.chat:6.6.0")),
    ("library-prefix", step("library/python:3.12.1")),
    ("docker-io", step("docker.io/library/python:3.12.1")),
    ("deprecated-still-listed", step("clefos:7")),
    ("deprecated-removed", step("centos:7")),
    ("deprecated-removed-java", step("java:8")),
    ("owner", step("tensorflow/tensorflow:2.16.1")),
    ("owner-typo-is-not-ours", step("acme/pyhton:1.0")),
    ("other-registry", step("ghcr.io/acme/pyhton:1.0")),
    ("other-registry-one-part", step("localhost:5000/pyhton:1.0")),
    ("placeholder", step("'${IMAGE}'")),
    ("placeholder-word", step("TODO")),
    ("placeholder-name", step("image:tag")),
    ("placeholder-owner", step("your-image:1.0")),
    ("invalid", step("Pyhton:3.12")),
    ("non-string", step("3.9")),
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


def test_the_shipped_names() -> None:
    """The list is the repository's: well-known names in, the removed ones apart, each a valid
    one-part name that Docker reads as docker.io/library/<name>."""
    assert {"python", "ubuntu", "debian", "alpine", "postgres", "nginx", "r-base", "pypy"} <= CURRENT
    assert {"centos", "java", "django", "jenkins"} <= REMOVED
    assert not CURRENT & REMOVED
    assert OFFICIAL == CURRENT | REMOVED
    assert not {"tensorflow", "pytorch", "cuda", "miniconda3", "todo", "image"} & OFFICIAL
    for name in OFFICIAL:
        assert re.fullmatch(r"[a-z0-9]+(?:[._-][a-z0-9]+)*", name), name
        assert parse(name).name == f"docker.io/library/{name}"


def test_well_known_suggestions_are_owned_and_not_official() -> None:
    for bare, meant in WELL_KNOWN.items():
        assert bare not in OFFICIAL, bare
        assert parse(meant).name.count("/") == 2, meant  # docker.io/<owner>/<name>
        assert not parse(meant).name.startswith("docker.io/library/"), meant
