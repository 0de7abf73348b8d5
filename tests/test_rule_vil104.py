"""VIL104 floating-tag: a version line or a release channel that moves."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import LintConfig, Severity, lint_text
from valohai_image_lint.tags import EXACT_VERSIONS, floating_version

CODE = "VIL104"
HEX64 = "0123456789abcdef" * 4
COMMIT = "0123456789abcdef0123456789abcdef01234567"

# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "major",
        "- step: {name: train, image: python:3}",
        1,
        30,
        CODE,
        'image "python:3" uses a floating tag (3 moves with each release)',
    ),
    (
        "minor",
        "- step: {name: train, image: python:3.9}",
        1,
        30,
        CODE,
        'image "python:3.9" uses a floating tag (3.9 moves with each release); pin a full version such as 3.9.25',
    ),
    (
        "minor-slim",
        "- step: {name: train, image: python:3.11-slim}",
        1,
        30,
        CODE,
        "pin a full version such as 3.11.15-slim",
    ),
    (
        "ubuntu",
        "- step: {name: train, image: ubuntu:22.04}",
        1,
        30,
        CODE,
        "(22.04 moves with each release); pin an exact version or a digest",
    ),
    ("julia", "- step: {name: train, image: julia:1.9}", 1, 30, CODE, "pin a full version such as 1.9.4"),
    (
        "version-in-word",
        "- step: {name: train, image: ghcr.io/astral-sh/uv:python3.13-bookworm-slim}",
        1,
        30,
        CODE,
        "3.13 moves with each release",
    ),
    ("v-prefix-known-scheme", "- step: {name: train, image: node:v20}", 1, 30, CODE, "20 moves"),
    (
        "stable",
        "- step: {name: train, image: acme/trainer:stable}",
        1,
        30,
        CODE,
        'uses a floating tag ("stable" is a release channel)',
    ),
    ("lts", "- step: {name: train, image: acme/trainer:lts}", 1, 30, CODE, '"lts" is a release channel'),
    ("edge", "- step: {name: train, image: acme/trainer:edge}", 1, 30, CODE, '"edge" is a release channel'),
    (
        "nightly",
        "- step: {name: train, image: acme/trainer:nightly}",
        1,
        30,
        CODE,
        '"nightly" is a release channel',
    ),
    (
        "rolling",
        "- step: {name: train, image: acme/trainer:rolling}",
        1,
        30,
        CODE,
        '"rolling" is a release channel',
    ),
    ("main", "- step: {name: train, image: acme/trainer:main}", 1, 30, CODE, '"main" is a release channel'),
    (
        "master",
        "- step: {name: train, image: acme/trainer:master}",
        1,
        30,
        CODE,
        '"master" is a release channel',
    ),
    ("dev", "- step: {name: train, image: acme/trainer:dev}", 1, 30, CODE, '"dev" is a release channel'),
    (
        "channel-uppercase",
        "- step: {name: train, image: acme/trainer:STABLE}",
        1,
        30,
        CODE,
        "is a release channel",
    ),
    (
        "channel-variant",
        "- step: {name: train, image: acme/trainer:nightly-gpu}",
        1,
        30,
        CODE,
        "is a release channel",
    ),
    ("bare-variant", "- step: {name: train, image: python:slim}", 1, 30, CODE, '"slim" names no version'),
    # Known tag schemes: fewer numbers than a release has is a line.
    ("postgres-line", "- step: {name: train, image: postgres:16}", 1, 30, CODE, "16 moves with each release"),
    ("postgres-before-10", "- step: {name: train, image: postgres:9.6}", 1, 30, CODE, "9.6 moves"),
    (
        "debian-number-line",
        "- step: {name: train, image: debian:12}",
        1,
        30,
        CODE,
        "12 moves with each release",
    ),
    (
        "cuda-11-needs-three",
        "- step: {name: train, image: nvidia/cuda:11.8-base-ubuntu22.04}",
        1,
        30,
        CODE,
        "11.8 moves",
    ),
    (
        "jupyter-version-tags-move",
        "- step: {name: train, image: quay.io/jupyter/scipy-notebook:python-3.11.6}",
        1,
        30,
        CODE,
        '"python-3.11.6" is rebuilt in place; only a date or commit tag names one build',
    ),
    (
        "tiangolo-python-line",
        "- step: {name: train, image: tiangolo/uvicorn-gunicorn-fastapi:python3.7}",
        1,
        30,
        CODE,
        "is rebuilt in place",
    ),
    # Debian and Ubuntu codenames are lines, like their numbers, in every spelling.
    (
        "debian-codename",
        "- step: {name: train, image: debian:bookworm}",
        1,
        30,
        CODE,
        '"bookworm" names Debian 12, which moves with each point release',
    ),
    ("debian-old-codename", "- step: {name: train, image: debian:wheezy}", 1, 30, CODE, "names Debian 7"),
    (
        "debian-codename-variant",
        "- step: {name: train, image: debian:stretch-slim}",
        1,
        30,
        CODE,
        "names Debian 9",
    ),
    ("debian-next-codename", "- step: {name: train, image: debian:duke}", 1, 30, CODE, "names Debian 15"),
    ("ubuntu-codename", "- step: {name: train, image: ubuntu:focal}", 1, 30, CODE, "names Ubuntu 20.04"),
    ("ubuntu-old-codename", "- step: {name: train, image: ubuntu:trusty}", 1, 30, CODE, "names Ubuntu 14.04"),
    (
        "ubuntu-new-codename",
        "- step: {name: train, image: ubuntu:questing}",
        1,
        30,
        CODE,
        "names Ubuntu 25.10",
    ),
    ("codename-elsewhere", "- step: {name: train, image: python:bookworm}", 1, 30, CODE, "names Debian 12"),
    ("debian-sid", "- step: {name: train, image: debian:sid}", 1, 30, CODE, '"sid" is a release channel'),
    ("debian-testing", "- step: {name: train, image: debian:testing}", 1, 30, CODE, "is a release channel"),
    (
        "ubuntu-devel",
        "- step: {name: train, image: ubuntu:devel}",
        1,
        30,
        CODE,
        '"devel" is a release channel',
    ),
    ("ubuntu-rolling", "- step: {name: train, image: ubuntu:rolling}", 1, 30, CODE, "is a release channel"),
    # Channels and bare variants fire in repositories the table does not know.
    (
        "unknown-channel",
        "- step: {name: train, image: acme/app:nightly}",
        1,
        30,
        CODE,
        "is a release channel",
    ),
    (
        "unknown-bare-variant",
        "- step: {name: train, image: acme/app:gpu}",
        1,
        30,
        CODE,
        '"gpu" names no version',
    ),
    (
        "valohai-bare-variant",
        "- step: {name: train, image: valohai/yolov3-tf2:cpu}",
        1,
        30,
        CODE,
        "names no version",
    ),
    ("quoted", "- step: {name: train, image: 'python:3.9'}", 1, 31, CODE, "floating tag"),
    ("block", "- step:\n    name: train\n    image: python:3.9\n", 3, 12, CODE, "floating tag"),
    ("endpoint", "- endpoint: {name: serve, image: python:3.9}", 1, 34, CODE, "floating tag"),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: python:3.9}}]}",
        1,
        59,
        CODE,
        "floating tag",
    ),
    ("unknown-item", "- foo: {image: python:3.9}", 1, 16, CODE, "floating tag"),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("full-version", "- step: {name: train, image: python:3.9.18}"),
    ("full-version-slim", "- step: {name: train, image: python:3.11.7-slim}"),
    ("full-version-gpu", "- step: {name: train, image: tensorflow/tensorflow:2.6.0-gpu}"),
    ("cuda", "- step: {name: train, image: nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04}"),
    ("pytorch", "- step: {name: train, image: pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime}"),
    ("commit-tag", f"- step: {{name: train, image: acme/trainer:{COMMIT}}}"),
    ("short-commit-tag", "- step: {name: train, image: acme/trainer:0a1b2c3}"),
    ("channel-with-commit", "- step: {name: train, image: acme/trainer:main-3f2a9c1}"),
    ("channel-with-date", "- step: {name: train, image: acme/trainer:dev-20240101}"),
    ("channel-with-version", "- step: {name: train, image: acme/trainer:stable-1.2.3}"),
    ("pre-release", "- step: {name: train, image: python:3.9rc1}"),
    ("word-version-wins", "- step: {name: train, image: acme/trainer:py3.9-1.2.3}"),
    ("calendar-release", "- step: {name: train, image: continuumio/anaconda3:2019.10}"),
    ("ngc-monthly", "- step: {name: train, image: nvcr.io/nvidia/pytorch:23.10-py3}"),
    # Releases a known scheme writes with fewer than three numbers (issue 13).
    ("pytorch-two-part-release", "- step: {name: train, image: pytorch/pytorch:1.3-cuda10.1-cudnn7-runtime}"),
    ("cuda-10-two-part-release", "- step: {name: train, image: nvidia/cuda:10.0-base-ubuntu18.04}"),
    ("valohai-release", "- step: {name: train, image: valohai/sklearn:1.0}"),
    ("valohai-release-variant", "- step: {name: train, image: valohai/llm-toolkit:0.2-gpu}"),
    ("postgres-release", "- step: {name: train, image: postgres:16.2}"),
    ("postgres-release-before-10", "- step: {name: train, image: postgres:9.6.24}"),
    ("debian-point-release", "- step: {name: train, image: debian:12.5}"),
    ("debian-point-release-slim", "- step: {name: train, image: debian:12.5-slim}"),
    ("debian-snapshot", "- step: {name: train, image: debian:bookworm-20240110-slim}"),
    ("jupyter-date", "- step: {name: train, image: quay.io/jupyter/scipy-notebook:2024-01-15}"),
    ("jupyter-commit", "- step: {name: train, image: jupyter/scipy-notebook:666416b385e8}"),
    ("tiangolo-date", "- step: {name: train, image: tiangolo/uvicorn-gunicorn-fastapi:python3.8-2020-12-19}"),
    ("uv-release", "- step: {name: train, image: ghcr.io/astral-sh/uv:0.5.1-python3.12-bookworm-slim}"),
    # Repositories the table does not know: a short version is not judged offline (issue 13;
    # the row "v-prefix", acme/trainer:v1.2, used to fire and is one of these now).
    ("unknown-v-prefix", "- step: {name: train, image: acme/trainer:v1.2}"),
    ("unknown-team-minor", "- step: {name: train, image: acme/app:v1.5}"),
    ("unknown-team-zero", "- step: {name: train, image: acme/app:0.1}"),
    ("unknown-team-major", "- step: {name: train, image: acme/app:v2}"),
    ("unknown-variant", "- step: {name: train, image: llm-toolkit:0.2-gpu}"),
    ("unknown-ngc", "- step: {name: train, image: nvcr.io/partner/app:2.4}"),
    ("name-with-digit", "- step: {name: train, image: acme/workshop:gpu6}"),
    ("pull-request-build", "- step: {name: train, image: acme/trainer:pr-42}"),
    ("ci-build-number", "- step: {name: train, image: acme/trainer:build-17}"),
    ("date-tag", "- step: {name: train, image: ubuntu:jammy-20240111}"),
    ("build-number", "- step: {name: train, image: acme/trainer:1234}"),
    ("channel-suffix-after-full-version", "- step: {name: train, image: acme/trainer:1.2.3-stable}"),
    ("floating-with-digest", "- step: {name: train, image: python:3.9@sha256:" + HEX64 + "}"),
    ("channel-with-digest", "- step: {name: train, image: acme/trainer:nightly@sha256:" + HEX64 + "}"),
    ("digest-only", "- step: {name: train, image: python@sha256:" + HEX64 + "}"),
    ("latest-is-vil103", "- step: {name: train, image: python:latest}"),
    ("latest-variant-is-vil103", "- step: {name: train, image: tensorflow/tensorflow:latest-gpu}"),
    ("no-tag-is-vil102", "- step: {name: train, image: python}"),
    ("registry-port-is-not-a-tag", "- step: {name: train, image: localhost:5000/trainer}"),
    ("invalid-is-vil101", "- step: {name: train, image: Python:3.9}"),
    ("float-is-vil003", "- step: {name: train, image: 3.9}"),
]


BEFORE_3_9_ENDED = LintConfig(today="2025-01-01")  # lint_text judges by the real date unless pinned


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    assert_fires(
        only(lint_text(text, config=BEFORE_3_9_ENDED), CODE),
        line,
        column,
        code,
        fragment,
        severity=Severity.WARNING,
        names_image=True,
        image_on_line_of=text,
    )


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text), CODE, "VIL001"))


def test_a_suggestion_is_never_itself_reported() -> None:
    """Every exact tag VIL104 may suggest passes VIL104 in its own repository."""
    for repository, lines in EXACT_VERSIONS.items():
        for line, exact in lines.items():
            assert floating_version(exact, repository) is None, (repository, line, exact)
            familiar = repository.removeprefix("docker.io/").removeprefix("library/")
            text = f"- step: {{name: train, image: '{familiar}:{exact}'}}"
            assert only(lint_text(text), CODE) == [], text


# -- online: the tag list decides whether a short version moves ------------------------------------


@pytest.mark.parametrize(
    ("tag", "line"),
    [
        ("1.3", ("", "1.3", "")),
        ("v2-gpu", ("v", "2", "-gpu")),
        ("python3.11-slim", ("python", "3.11", "-slim")),
        ("0.1", ("", "0.1", "")),
        ("3.9.18", None),  # a full version
        ("3.9rc1", None),  # a pre-release
        ("pr-42", None),  # a build counter
        ("dev-20240101", None),  # a date
        ("main-3f2a9c1", None),  # a commit
        ("gpu", None),  # no version
    ],
)
def test_version_line(tag: str, line: tuple[str, str, str] | None) -> None:
    from valohai_image_lint.tags import version_line

    assert version_line(tag) == line


def test_more_specific_tags_are_the_releases_under_the_line_newest_first() -> None:
    from valohai_image_lint.tags import more_specific_tags

    tags = ["1.3", "1.3.1", "1.3.10", "1.3.2", "1.30.0", "1.3.1-gpu", "1.3.x", "1.4.0", "v1.3.5", "1.3."]
    assert more_specific_tags("1.3", tags) == ["1.3.10", "1.3.2", "1.3.1"]
    assert more_specific_tags("1.3-gpu", tags) == ["1.3.1-gpu"]
    assert more_specific_tags("v1.3", tags) == ["v1.3.5"]
    assert more_specific_tags("1.3.1", tags) == []  # names no line
    assert more_specific_tags("2.0", tags) == []


def _online(text: str, under: tuple[str, ...] | None, same: str | None = None) -> list[str]:
    from valohai_image_lint.facts import ImageFacts, Manifest, Status, lookup_key
    from valohai_image_lint.linter import image_refs

    manifest = Manifest("sha256:" + "1" * 64, "application/vnd.oci.image.manifest.v1+json")
    facts = {
        lookup_key(ref): ImageFacts(
            lookup_key(ref), Status.FOUND, manifest=manifest, tags=under, same_digest_tag=same
        )
        for ref in image_refs(text, "valohai.yaml")
    }
    config = LintConfig(select=("VIL104",), today="2026-12-07")
    return [d.message for d in lint_text(text, config=config, facts=facts)]


def _step(image: str) -> str:
    return f"- step:\n    name: train\n    image: {image}\n    command: python train.py\n"


def test_online_a_short_version_with_releases_under_it_moves() -> None:
    assert _online(_step("acme/app:1.3"), ("1.3.2", "1.3.1"), same="1.3.2") == [
        'image "acme/app:1.3" uses a floating tag ("1.3" is a version line: acme/app has 1.3.2 under it); '
        "pin 1.3.2, the release it points at now"
    ]
    assert _online(_step("acme/app:1.3"), ("1.3.2",)) == [
        'image "acme/app:1.3" uses a floating tag ("1.3" is a version line: acme/app has 1.3.2 under it); '
        "pin a full version such as 1.3.2"
    ]


def test_online_a_short_version_with_nothing_under_it_is_one_build() -> None:
    # offline, python:3.9 is a line by python's scheme; online, the tag list is the authority
    assert _online(_step("python:3.9"), ()) == []
    assert _online(_step("acme/app:0.1"), ()) == []


def test_online_without_a_tag_list_the_tag_is_judged_offline() -> None:
    assert len(_online(_step("python:3.9"), None)) == 1
    assert _online(_step("acme/app:0.1"), None) == []


def test_online_an_ended_line_gets_no_pin_suggested() -> None:
    (message,) = _online(_step("python:3.7"), ("3.7.17",), same="3.7.17")
    assert message.endswith("; pin an exact version or a digest")
