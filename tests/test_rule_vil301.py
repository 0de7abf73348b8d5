"""VIL301 non-minimal-image: a heavier variant where a lighter one of the same version would do."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, apply_edit, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import LintConfig, Severity, Span, lint_text
from valohai_image_lint.model import Applicability

CODE = "VIL301"
HEX64 = "0123456789abcdef" * 4
CONFIG = LintConfig(select=(CODE,))


# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "python",
        "- step: {name: train, image: python:3.11.9}",
        1,
        30,
        CODE,
        'image "python:3.11.9" is heavier than a batch job needs (the -slim variant leaves out compilers and '
        'headers); consider "python:3.11.9-slim"',
    ),
    ("python-minor", "- step: {name: train, image: python:3.11}", 1, 30, CODE, 'consider "python:3.11-slim"'),
    (
        "python-codename",
        "- step: {name: train, image: python:3.11.2-bookworm}",
        1,
        30,
        CODE,
        'consider "python:3.11.2-slim-bookworm"',
    ),
    (
        "python-canonical",
        "- step: {name: train, image: docker.io/library/python:3.12.1}",
        1,
        30,
        CODE,
        'consider "docker.io/library/python:3.12.1-slim"',
    ),
    (
        "cuda-devel",
        "- step: {name: train, image: nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04}",
        1,
        30,
        CODE,
        'consider "nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04"',
    ),
    (
        "ngc-cuda-devel",
        "- step: {name: train, image: nvcr.io/nvidia/cuda:12.2.0-devel-ubuntu22.04}",
        1,
        30,
        CODE,
        'consider "nvcr.io/nvidia/cuda:12.2.0-runtime-ubuntu22.04"',
    ),
    (
        "pytorch-devel",
        "- step: {name: train, image: pytorch/pytorch:2.2.0-cuda12.1-cudnn8-devel}",
        1,
        30,
        CODE,
        'consider "pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime"',
    ),
    (
        "anaconda",
        "- step: {name: train, image: continuumio/anaconda3}",
        1,
        30,
        CODE,
        'consider "continuumio/miniconda3:24.1.2-0"',
    ),
    (
        "anaconda-latest",
        "- step: {name: train, image: continuumio/anaconda3:latest}",
        1,
        30,
        CODE,
        'consider "continuumio/miniconda3:24.1.2-0"',
    ),
    (
        "anaconda-versioned",
        "- step: {name: train, image: continuumio/anaconda3:2023.09-0}",
        1,
        30,
        CODE,
        'consider "continuumio/miniconda3:24.1.2-0"',  # a published version, not the tag dropped
    ),
    (
        "tf-jupyter",
        "- step: {name: train, image: tensorflow/tensorflow:2.15.0-gpu-jupyter}",
        1,
        30,
        CODE,
        'consider "tensorflow/tensorflow:2.15.0-gpu"',
    ),
    (
        "tf-bare-jupyter",
        "- step: {name: train, image: tensorflow/tensorflow:jupyter}",
        1,
        30,
        CODE,
        'consider "tensorflow/tensorflow:2.16.1"',
    ),
    (
        "jupyter-notebook",
        "- step: {name: train, image: jupyter/scipy-notebook:2023-10-20}",
        1,
        30,
        CODE,
        "it is built to run a notebook server); use a plain Python image",
    ),
    (
        "digest",
        f"- step: {{name: train, image: python:3.11.9@sha256:{HEX64}}}",
        1,
        30,
        CODE,
        'consider "python:3.11.9-slim"; then pin its own digest',
    ),
    ("block", "- step:\n    name: train\n    image: python:3.11.9\n", 3, 12, CODE, "python:3.11.9-slim"),
    ("endpoint", "- endpoint: {name: serve, image: python:3.11.9}", 1, 34, CODE, "python:3.11.9-slim"),
    (
        "endpoint-says-endpoint",
        "- endpoint: {name: serve, image: python:3.11.9}",
        1,
        34,
        CODE,
        'image "python:3.11.9" is heavier than an endpoint serving requests needs',
    ),
    (
        "step-says-batch-job",
        "- step: {name: train, image: python:3.11.9}",
        1,
        30,
        CODE,
        'image "python:3.11.9" is heavier than a batch job needs',
    ),
    (
        "anchor-shared-by-step-and-endpoint-says-batch-job",
        "- step: {name: train, image: &py python:3.11.9}\n- endpoint: {name: serve, image: *py}\n",
        1,
        34,
        CODE,
        "heavier than a batch job needs",
    ),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: python:3.11.9}}]}",
        1,
        59,
        CODE,
        "python:3.11.9-slim",
    ),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("slim", "- step: {name: train, image: python:3.11.9-slim}"),
    ("slim-codename", "- step: {name: train, image: python:3.11.9-slim-bookworm}"),
    ("alpine", "- step: {name: train, image: python:3.11.9-alpine}"),
    ("python-untagged", "- step: {name: train, image: python}"),
    ("cuda-runtime", "- step: {name: train, image: nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04}"),
    ("pytorch-runtime", "- step: {name: train, image: pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime}"),
    ("miniconda", "- step: {name: train, image: continuumio/miniconda3:23.10.0-1}"),
    ("tf-plain", "- step: {name: train, image: tensorflow/tensorflow:2.15.0-gpu}"),
    ("other-devel", "- step: {name: train, image: acme/trainer:1.0-devel}"),
    ("ngc-pytorch", "- step: {name: train, image: nvcr.io/nvidia/pytorch:23.10-py3}"),
    ("jupyter-notebook-endpoint", "- endpoint: {name: serve, image: jupyter/scipy-notebook:2023-10-20}"),
    ("jupyter-not-notebook", "- step: {name: train, image: jupyter/docker-stacks-foundation:2023-10-20}"),
    ("placeholder", "- step: {name: train, image: '{parameter:image}'}"),
]


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    assert_fires(
        only(lint_text(text, config=CONFIG), CODE),
        line,
        column,
        code,
        fragment,
        severity=Severity.INFO,
        names_image=True,
        image_on_line_of=text,
    )


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text, config=CONFIG), CODE))


def test_fix_replaces_the_whole_value_and_is_unsafe() -> None:
    text = "- step:\n    name: train\n    image: nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04\n"
    (d,) = only(lint_text(text, config=CONFIG), CODE)
    assert d.fix is not None
    assert d.fix.applicability is Applicability.UNSAFE
    suggested = "nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04"
    assert [(e.span, e.replacement) for e in d.fix.edits] == [(Span(3, 12, 3, 55), suggested)]
    fixed = apply_edit(text, Span(3, 12, 3, 55), suggested)
    assert fixed == f"- step:\n    name: train\n    image: {suggested}\n"
    assert only(lint_text(fixed, config=CONFIG), CODE) == []


def test_fix_in_quotes_keeps_the_quotes() -> None:
    text = "- step: {name: train, image: 'continuumio/anaconda3'}\n"
    (d,) = only(lint_text(text, config=CONFIG), CODE)
    assert d.fix is not None
    (edit,) = d.fix.edits
    assert (
        apply_edit(text, edit.span, edit.replacement)
        == "- step: {name: train, image: 'continuumio/miniconda3:24.1.2-0'}\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"- step: {{name: train, image: python:3.11.9@sha256:{HEX64}}}", id="digest"),
        pytest.param(r'- step: {name: train, image: "python:3.11\u002E9"}', id="escaped"),
    ],
)
def test_no_fix(text: str) -> None:
    (d,) = only(lint_text(text, config=CONFIG), CODE)
    assert d.fix is None


def test_the_notebook_hint_reaches_steps_that_use_an_endpoint_anchor() -> None:
    text = (
        "- endpoint: {name: ep, image: &nb jupyter/scipy-notebook:2023-10-20, server-command: x}\n"
        "- step: {name: train, image: *nb}\n"
    )
    assert [d.code for d in lint_text(text, config=CONFIG) if d.code == CODE] == [CODE]


def test_a_bare_devel_tag_gets_no_suggestion() -> None:
    assert [d for d in lint_text("- step: {name: a, image: 'nvidia/cuda:devel'}\n", config=CONFIG)] == []


def test_online_the_message_gives_both_compressed_sizes() -> None:
    """The sizes are what the online stage measured (tests/test_online.py measures them against a
    real registry); here the rule is handed them."""
    from valohai_image_lint.facts import ImageFacts, LookupKey, Status

    def facts(tag: str, size: int) -> ImageFacts:
        key = LookupKey("docker.io", "pytorch/pytorch", tag, None)
        return ImageFacts(key, Status.FOUND, platform_sizes=(("linux/amd64", size),))

    heavy, light = "2.2.0-cuda12.1-cudnn8-devel", "2.2.0-cuda12.1-cudnn8-runtime"
    text = f"- step:\n    name: train\n    image: pytorch/pytorch:{heavy}\n    command: python train.py\n"
    known = {f.key: f for f in (facts(heavy, 9_613_000_000), facts(light, 3_420_000_000))}
    (found,) = lint_text(text, config=LintConfig(select=("VIL301",)), facts=known)
    assert found.message == (
        f'image "pytorch/pytorch:{heavy}" is heavier than a batch job needs (-runtime has PyTorch without '
        f'the CUDA compiler toolkit); consider "pytorch/pytorch:{light}" (linux/amd64, compressed: '
        "9.6 GB against 3.4 GB)"
    )
    del known[LookupKey("docker.io", "pytorch/pytorch", light, None)]  # the lighter one not measured
    (found,) = lint_text(text, config=LintConfig(select=("VIL301",)), facts=known)
    assert found.message.endswith(f'consider "pytorch/pytorch:{light}"')
