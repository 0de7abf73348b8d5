"""knowledge.py: its tables are consistent, and the families are found by canonical name."""

from __future__ import annotations

import re

import pytest

from valohai_image_lint.knowledge import FAMILIES, RUNTIMES, family_of


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("docker.io/library/python", "python"),
        ("docker.io/nvidia/cuda", "nvidia/cuda"),
        ("nvcr.io/nvidia/cuda", "nvidia/cuda"),
        ("nvcr.io/nvidia/pytorch", "nvcr.io/nvidia"),
        ("docker.io/pytorch/pytorch", "pytorch/pytorch"),
        ("docker.io/tensorflow/tensorflow", "tensorflow/tensorflow"),
        ("docker.io/continuumio/anaconda3", "continuumio/anaconda3"),
        ("docker.io/continuumio/miniconda3", "continuumio/miniconda3"),
        ("docker.io/rocker/tidyverse", "r-base"),
        ("docker.io/library/julia", "julia"),
        ("docker.io/library/ubuntu", "ubuntu"),
        ("docker.io/library/debian", "debian"),
        ("docker.io/jupyter/scipy-notebook", "jupyter"),
        ("docker.io/ufoym/deepo", "ufoym/deepo"),
        ("docker.io/valohai/keras", "valohai"),
        ("docker.io/pytorchlightning/pytorch_lightning", "pytorchlightning/pytorch_lightning"),
    ],
)
def test_family_of(name: str, key: str) -> None:
    family = family_of(name)
    assert family is not None
    assert family.key == key


@pytest.mark.parametrize("name", ["docker.io/acme/python", "docker.io/library/pypy", "ghcr.io/nvidia/cuda"])
def test_no_family(name: str) -> None:
    assert family_of(name) is None


def test_family_keys_are_unique() -> None:
    assert len({f.key for f in FAMILIES}) == len(FAMILIES)


def test_tag_runtimes_are_known() -> None:
    assert {f.tag_runtime for f in FAMILIES if f.tag_runtime} <= set(RUNTIMES)


@pytest.mark.parametrize("runtime", RUNTIMES.values(), ids=list(RUNTIMES))
def test_releases_end_in_order(runtime: object) -> None:
    from valohai_image_lint.knowledge import Runtime

    assert isinstance(runtime, Runtime)
    ended = [r.ended for r in runtime.releases if r.ended is not None]
    assert ended == sorted(ended)
    assert all(r.said for r in runtime.releases if r.ended is not None)
    assert all(r.ended is not None for r in runtime.releases[: len(ended)])  # ended ones come first


def test_lighter_rewrites_compile() -> None:
    for family in FAMILIES:
        for lighter in family.lighter:
            re.compile(lighter.tag)
            assert lighter.replacement is not None or lighter.advice
