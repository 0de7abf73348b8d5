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
def test_releases_are_in_version_order_and_dated(runtime: object) -> None:
    """Releases are in version order (an interim one may end before an older long-term one); a
    release with an end says it; an unended one is never followed by an ended long-term one."""
    from valohai_image_lint.knowledge import Runtime

    assert isinstance(runtime, Runtime)
    keys = [tuple(int(p) for p in r.version.split(".")) for r in runtime.releases]
    assert keys == sorted(keys)
    assert all(r.said for r in runtime.releases if r.ended is not None)
    assert all(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", r.ended) for r in runtime.releases if r.ended)
    undated = [i for i, r in enumerate(runtime.releases) if r.ended is None]
    assert all(runtime.releases[i].ended is None for i in range(undated[0], len(keys))) if undated else True


@pytest.mark.parametrize(
    ("month", "ended", "said"),
    [
        ("2024-07", "2024-07-31", "July 2024"),
        ("2024-02", "2024-02-29", "February 2024"),
        ("2100-02", "2100-02-28", "February 2100"),
    ],
)
def test_month_is_its_last_day(month: str, ended: str, said: str) -> None:
    from valohai_image_lint.knowledge import _month

    assert _month(month) == (ended, said)


def test_lighter_rewrites_compile() -> None:
    for family in FAMILIES:
        for lighter in family.lighter:
            re.compile(lighter.tag)
            assert lighter.replacement is not None or lighter.advice


def test_cuda_dates_are_the_eol_charts() -> None:
    """CUDA 11.0 to 11.3 are "Marked EOL on Jul-2023" on NVIDIA's container EOL chart; no other
    CUDA version has an end recorded (not verified)."""
    from valohai_image_lint.knowledge import CUDA

    assert RUNTIMES["cuda"] is CUDA
    ended = {r.version: (r.ended, r.said) for r in CUDA.releases if r.ended is not None}
    assert ended == {v: ("2023-07-31", "July 2023") for v in ("11.0", "11.1", "11.2", "11.3")}
    assert [r.label for r in CUDA.releases if r.ended is None] == ["12.x", "13.x"]
