"""VIL302 end-of-life: a tag pinning a runtime or OS past its end of life, as of a pinned today."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import LintConfig, Severity, lint_text

CODE = "VIL302"
HEX64 = "0123456789abcdef" * 4
CONFIG = LintConfig(today="2026-11-30", select=(CODE,))


# (id, yaml, line, column, code, message fragment), as of 2026-11-30
FIRES = [
    (
        "python-3.9",
        "- step: {name: train, image: python:3.9}",
        1,
        30,
        CODE,
        'image "python:3.9" pins Python 3.9 (end of life on 2025-10-31); move to a supported tag such as '
        '"python:3.11.15"',
    ),
    (
        "python-3.10-after-its-end",
        "- step: {name: train, image: python:3.10.13-slim}",
        1,
        30,
        CODE,
        'pins Python 3.10 (end of life on 2026-10-31); move to a supported tag such as "python:3.11.15-slim"',
    ),
    (
        "python-2",
        "- step: {name: train, image: python:2}",
        1,
        30,
        CODE,
        "Python 2.7 (end of life on 2020-01-01)",
    ),
    (
        "python-2.7",
        "- step: {name: train, image: python:2.7.18-slim}",
        1,
        30,
        CODE,
        'such as "python:3.11.15-slim"',
    ),
    (
        "python-3.5",
        "- step: {name: train, image: python:3.5}",
        1,
        30,
        CODE,
        "Python 3.5 (end of life on 2020-09-30)",
    ),
    (
        "python-3.6",
        "- step: {name: train, image: python:3.6}",
        1,
        30,
        CODE,
        "Python 3.6 (end of life on 2021-12-23)",
    ),
    (
        "python-3.7",
        "- step: {name: train, image: python:3.7.17}",
        1,
        30,
        CODE,
        'Python 3.7 (end of life on 2023-06-27); move to a supported tag such as "python:3.11.15"',
    ),
    (
        "python-3.8",
        "- step: {name: train, image: docker.io/python:3.8}",
        1,
        30,
        CODE,
        'Python 3.8 (end of life on 2024-10-07); move to a supported tag such as "python:3.11.15"',
    ),
    (
        "python-and-debian",
        "- step: {name: train, image: python:3.9.18-slim-buster}",
        1,
        30,
        CODE,
        "pins Python 3.9 (end of life on 2025-10-31) and Debian 10 buster (LTS ended in June 2024); "
        'move to a supported tag such as "python:3.11.15-slim-bookworm"',
    ),
    (
        "bullseye-after-lts",
        "- step: {name: train, image: python:3.11.2-bullseye}",
        1,
        30,
        CODE,
        'Debian 11 bullseye (LTS ended in August 2026); move to a supported tag such as "python:3.11.15-bookworm"',
    ),
    (
        "jessie",
        "- step: {name: train, image: acme/trainer:1.0-jessie}",
        1,
        30,
        CODE,
        "Debian 8 jessie (LTS ended in June 2020); move to a tag with Debian 12 bookworm or newer",
    ),
    ("stretch", "- step: {name: train, image: node:18.20.0-stretch}", 1, 30, CODE, "Debian 9 stretch"),
    (
        "debian-number",
        "- step: {name: train, image: debian:10}",
        1,
        30,
        CODE,
        "a tag with Debian 12 bookworm or newer",
    ),
    (
        "debian-codename",
        "- step: {name: train, image: debian:buster-slim}",
        1,
        30,
        CODE,
        "a tag with Debian 12 bookworm or newer",
    ),
    (
        "ubuntu",
        "- step: {name: train, image: ubuntu:18.04}",
        1,
        30,
        CODE,
        "Ubuntu 18.04 (standard support ended in May 2023); move to a tag with Ubuntu 22.04 or newer",
    ),
    ("ubuntu-14.04", "- step: {name: train, image: ubuntu:14.04}", 1, 30, CODE, "ended in April 2019"),
    ("ubuntu-16.04", "- step: {name: train, image: ubuntu:16.04}", 1, 30, CODE, "ended in April 2021"),
    ("ubuntu-20.04", "- step: {name: train, image: ubuntu:20.04}", 1, 30, CODE, "ended in May 2025"),
    (
        "ubuntu-codename",
        "- step: {name: train, image: ubuntu:bionic}",
        1,
        30,
        CODE,
        "a tag with Ubuntu 22.04 or newer",
    ),
    (
        "cuda-ubuntu",
        "- step: {name: train, image: nvidia/cuda:11.8.0-runtime-ubuntu18.04}",
        1,
        30,
        CODE,
        "pins Ubuntu 18.04 (standard support ended in May 2023); move to a tag with Ubuntu 22.04 or newer",
    ),
    (
        "python-in-tag",
        "- step: {name: train, image: tiangolo/uvicorn-gunicorn-fastapi:python3.7}",
        1,
        30,
        CODE,
        "pins Python 3.7 (end of life on 2023-06-27); move to a tag with Python 3.11 or newer",
    ),
    ("py-xy", "- step: {name: train, image: ufoym/deepo:all-py36-cpu}", 1, 30, CODE, "Python 3.6"),
    (
        "py-x.y",
        "- step: {name: train, image: pytorchlightning/pytorch_lightning:base-cuda-py3.8-torch1.13}",
        1,
        30,
        CODE,
        "Python 3.8",
    ),
    (
        "two-parts",
        "- step: {name: t, image: valohai/keras:2.0.0-python3.6-cuda8.0-cudnn5-devel-ubuntu16.04}",
        1,
        26,
        CODE,
        "pins Python 3.6 (end of life on 2021-12-23) and Ubuntu 16.04",
    ),
    (
        "tensorflow-1",
        "- step: {name: train, image: tensorflow/tensorflow:1.13.1-gpu-py3}",
        1,
        30,
        CODE,
        "TensorFlow 1.x (end of life in January 2021); move to a supported tag such as "
        '"tensorflow/tensorflow:2.16.1-gpu"',
    ),
    (
        "tensorflow-gcr",
        "- step: {name: train, image: gcr.io/tensorflow/tensorflow:1.3.0-devel-gpu}",
        1,
        30,
        CODE,
        '"tensorflow/tensorflow:2.16.1-gpu"',
    ),
    # releases older than the ones the first table knew (issue 13)
    (
        "python-3.4",
        "- step: {name: train, image: python:3.4.10}",
        1,
        30,
        CODE,
        "Python 3.4 (end of life on 2019-03-18)",
    ),
    (
        "python-2.6",
        "- step: {name: train, image: python:2.6}",
        1,
        30,
        CODE,
        "Python 2.6 (end of life on 2013-10-29)",
    ),
    (
        "ubuntu-12.04",
        "- step: {name: train, image: ubuntu:12.04}",
        1,
        30,
        CODE,
        "Ubuntu 12.04 (standard support ended in April 2017)",
    ),
    (
        "ubuntu-interim",
        "- step: {name: train, image: ubuntu:23.10}",
        1,
        30,
        CODE,
        "Ubuntu 23.10 (standard support ended in July 2024); move to a tag with Ubuntu 24.04 or newer",
    ),
    (
        "debian-wheezy",
        "- step: {name: train, image: debian:wheezy}",
        1,
        30,
        CODE,
        "Debian 7 wheezy (LTS ended in May 2018)",
    ),
    ("debian-lenny-own-family", "- step: {name: train, image: debian:lenny}", 1, 30, CODE, "Debian 5 lenny"),
    (
        "tensorflow-0",
        "- step: {name: train, image: gcr.io/tensorflow/tensorflow:0.12.1-devel-gpu}",
        1,
        30,
        CODE,
        'TensorFlow 0.x (end of life in February 2017); move to a supported tag such as "tensorflow/tensorflow:2.16.1-gpu"',
    ),
    (
        "tf-part",
        "- step: {name: train, image: nvcr.io/nvidia/tao/tao-toolkit:5.0.0-tf1.15.5}",
        1,
        30,
        CODE,
        "pins TensorFlow 1.x (end of life in January 2021); move to a tag with TensorFlow 2 or newer",
    ),
    (
        "centos",
        "- step: {name: train, image: centos:7}",
        1,
        30,
        CODE,
        "CentOS 7 (end of life on 2024-06-30); move to a supported release",
    ),
    ("centos-part", "- step: {name: train, image: nvidia/cuda:10.0-base-centos7}", 1, 30, CODE, "CentOS 7"),
    (
        "alpine",
        "- step: {name: train, image: alpine:3.12}",
        1,
        30,
        CODE,
        'Alpine 3.12 (end of support on 2022-05-01); move to a supported tag such as "alpine:3.22.3"',
    ),
    (
        "node",
        "- step: {name: train, image: node:16.20.2}",
        1,
        30,
        CODE,
        "Node.js 16 (end of life on 2023-09-11)",
    ),
    ("alpine-part", "- step: {name: train, image: python:3.12.13-alpine3.12}", 1, 30, CODE, "Alpine 3.12"),
    # CUDA images (issue 13): NVIDIA's EOL chart dates 11.0 to 11.3 (July 2023)
    (
        "nvidia-cuda",
        "- step: {name: train, image: nvidia/cuda:11.3.1-cudnn8-runtime-ubi8}",
        1,
        30,
        CODE,
        'image "nvidia/cuda:11.3.1-cudnn8-runtime-ubi8" pins CUDA 11.3 (end of life in July 2023); '
        "move to a tag with CUDA 12.x or newer",
    ),
    (
        "nvidia-cuda-ngc",
        "- step: {name: train, image: nvcr.io/nvidia/cuda:11.0.3-base-ubuntu20.04}",
        1,
        30,
        CODE,
        "pins CUDA 11.0 (end of life in July 2023) and Ubuntu 20.04 (standard support ended in May 2025); "
        "move to a tag with CUDA 12.x and Ubuntu 22.04 or newer",
    ),
    (
        "cuda-part",
        "- step: {name: train, image: pytorch/pytorch:1.8.1-cuda11.1-cudnn8-runtime}",
        1,
        30,
        CODE,
        'image "pytorch/pytorch:1.8.1-cuda11.1-cudnn8-runtime" pins CUDA 11.1 (end of life in July 2023); '
        "move to a tag with CUDA 12.x or newer",
    ),
    (
        "cuda-part-full-version",
        "- step: {name: train, image: acme/trainer:2.0-cuda-11.2.2}",
        1,
        30,
        CODE,
        "pins CUDA 11.2 (end of life in July 2023)",
    ),
    (
        "cuda-part-names-no-tag",
        "- step: {name: train, image: python:3.9-cuda11.2}",
        1,
        30,
        CODE,
        "pins Python 3.9 (end of life on 2025-10-31) and CUDA 11.2 (end of life in July 2023); "
        "move to a tag with Python 3.11 and CUDA 12.x or newer",
    ),
    ("digest", f"- step: {{name: train, image: python:3.8.18@sha256:{HEX64}}}", 1, 30, CODE, "Python 3.8"),
    ("endpoint", "- endpoint: {name: serve, image: python:3.9}", 1, 34, CODE, "Python 3.9"),
    ("block", "- step:\n    name: train\n    image: python:3.9\n", 3, 12, CODE, "Python 3.9"),
]

# (id, yaml), as of 2026-11-30
DOES_NOT_FIRE = [
    ("python-3.11", "- step: {name: train, image: python:3.11.7}"),
    ("python-3", "- step: {name: train, image: python:3}"),
    ("python-untagged", "- step: {name: train, image: python}"),
    ("bookworm", "- step: {name: train, image: python:3.12.1-slim-bookworm}"),
    ("ubuntu-22.04", "- step: {name: train, image: ubuntu:22.04}"),
    ("cuda-22.04", "- step: {name: train, image: nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04}"),
    ("tensorflow-2", "- step: {name: train, image: tensorflow/tensorflow:2.6.0}"),
    ("tensorflow-py3-word", "- step: {name: train, image: tensorflow/tensorflow:2.1.0-py3}"),
    ("other-image-leading-version", "- step: {name: train, image: acme/trainer:3.9}"),
    ("other-image-1.x", "- step: {name: train, image: acme/trainer:1.15.0}"),
    ("pypy", "- step: {name: train, image: pypy:3.9}"),
    ("pypy-part", "- step: {name: train, image: acme/trainer:pypy3.9}"),
    ("py3-word", "- step: {name: train, image: nvcr.io/nvidia/pytorch:23.10-py3}"),
    ("codename-inside-word", "- step: {name: train, image: acme/trainer:stretchy-1.0}"),
    ("ubuntu-codename-elsewhere", "- step: {name: train, image: acme/trainer:focal-loss-1.0}"),
    ("old-debian-word-elsewhere", "- step: {name: train, image: acme/trainer:1.0-etch}"),
    ("ubuntu-lts-supported", "- step: {name: train, image: ubuntu:24.04}"),
    ("alpine-supported", "- step: {name: train, image: alpine:3.22.3}"),
    ("node-22", "- step: {name: train, image: node:22.11.0}"),
    ("julia", "- step: {name: train, image: julia:1.6.7}"),
    # CUDA versions with no verified end date: 11.4 to 11.8, 10.2 and older; 12.x is supported
    ("cuda-11.8", "- step: {name: train, image: nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04}"),
    ("cuda-11.7.1-part", "- step: {name: train, image: acme/trainer:1.0-cuda11.7.1}"),
    ("cuda-10.1-part", "- step: {name: train, image: pytorch/pytorch:1.3-cuda10.1-cudnn7-runtime}"),
    ("cuda-12", "- step: {name: train, image: nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04}"),
    ("cuda-12-part", "- step: {name: train, image: pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime}"),
    ("cuda-word-inside", "- step: {name: train, image: acme/trainer:nocuda11.0}"),
    ("r-base", "- step: {name: train, image: r-base:3.4.2}"),
]


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    assert_fires(
        only(lint_text(text, config=CONFIG), CODE),
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
    assert_silent(only(lint_text(text, config=CONFIG), CODE))


@pytest.mark.parametrize(
    ("image", "today"),
    [
        ("python:3.9", "2025-10-30"),
        ("python:3.9", "2025-10-31"),  # its last day is not yet past
        ("python:3.10", "2026-10-31"),
        ("python:3.11.2-bullseye", "2026-08-31"),
        ("ubuntu:20.04", "2025-05-31"),
        ("nvidia/cuda:11.0.3-base-ubi8", "2023-07-31"),  # the chart gives the month: its last day
    ],
)
def test_not_before_the_end(image: str, today: str) -> None:
    text = f"- step: {{name: train, image: {image}}}"
    assert_silent(only(lint_text(text, config=LintConfig(today=today, select=(CODE,))), CODE))


def test_the_day_after_the_end() -> None:
    text = "- step: {name: train, image: python:3.9}"
    (d,) = only(lint_text(text, config=LintConfig(today="2025-11-01", select=(CODE,))), CODE)
    assert 'move to a supported tag such as "python:3.10.20"' in d.message  # 3.10 is still supported then


def test_without_today_judges_by_the_real_date() -> None:
    """The API finds what the command line finds: no date given is today's (issue 14)."""
    text = "- step: {name: train, image: python:2.7}\n- step: {name: t, image: ubuntu:14.04}"
    found = only(lint_text(text, config=LintConfig(select=(CODE,))), CODE)
    assert [d.span.line for d in found] == [1, 2]
    assert only(lint_text(text), CODE) == found


def test_the_fix_edits_the_tag_in_a_flow_mapping_too() -> None:
    text = "- step: {name: train, image: python:3.6}"
    (d,) = only(lint_text(text, config=CONFIG), CODE)
    assert d.fix is not None
    (edit,) = d.fix.edits
    assert text[edit.span.column - 1 : edit.span.end_column - 1] == "3.6"


def test_an_older_python_is_its_own_release_not_2_7() -> None:
    (d,) = lint_text(
        "- step: {name: a, image: 'python:2.6'}\n", config=LintConfig(select=("VIL302",), today="2026-11-30")
    )
    assert "pins Python 2.6 (end of life on 2013-10-29)" in d.message


def test_only_debian_ended_keeps_the_python_version() -> None:
    (d,) = lint_text(
        "- step: {name: a, image: 'python:3.11.9-buster'}\n",
        config=LintConfig(select=("VIL302",), today="2026-11-30"),
    )
    assert d.message.endswith('move to a supported tag such as "python:3.11.15-bookworm"')


@pytest.mark.parametrize("image", ["myorg/app:stretch-goal", "myorg/app:buster"])
def test_a_codename_word_without_a_version_is_just_a_word(image: str) -> None:
    assert (
        lint_text(
            f"- step: {{name: a, image: '{image}'}}\n",
            config=LintConfig(select=("VIL302",), today="2026-11-30"),
        )
        == []
    )


def test_a_codename_in_a_known_family_counts_without_a_version() -> None:
    (d,) = lint_text(
        "- step: {name: a, image: 'python:buster'}\n",
        config=LintConfig(select=("VIL302",), today="2026-11-30"),
    )
    assert "Debian 10 buster" in d.message


@pytest.mark.parametrize(
    ("image", "replacement"),
    [
        ("python:3.7.17", "3.11.15"),
        ("python:3.8.10-slim-buster", "3.11.15-slim-bookworm"),
        ("tensorflow/tensorflow:1.15.5-gpu", "2.16.1-gpu"),
        ("gcr.io/tensorflow/tensorflow:1.15.5-gpu", None),  # the suggestion names another image
        ("ubuntu:18.04", None),  # the message suggests no tag
        ("python:3.7.17@sha256:" + "a" * 64, None),  # the digest is the old release's
        ('"python:3.7\\x2e17"', None),  # not verbatim in the file
    ],
)
def test_the_unsafe_fix_writes_the_suggested_tag(image: str, replacement: str | None) -> None:
    from valohai_image_lint.model import Applicability

    text = f"- step:\n    name: x\n    image: {image}\n"
    (found,) = lint_text(text, config=LintConfig(select=("VIL302",), today="2026-12-07"))
    if replacement is None:
        assert found.fix is None
        return
    assert found.fix is not None and found.fix.applicability is Applicability.UNSAFE
    (edit,) = found.fix.edits
    assert edit.replacement == replacement
    line = text.splitlines()[2]
    assert line[edit.span.column - 1 : edit.span.end_column - 1] == image.split(":", 1)[1]
