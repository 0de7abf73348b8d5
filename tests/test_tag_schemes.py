"""The tag-scheme table: sourced, consistent, and named on VIL104's page."""

from __future__ import annotations

import re

import pytest

from valohai_image_lint.rules import floating_tag
from valohai_image_lint.tag_schemes import (
    AS_OF,
    DEBIAN_CODENAMES,
    TAG_SCHEMES,
    UBUNTU_CODENAMES,
    codename_release,
    scheme_for,
)


def test_every_scheme_has_a_source_and_a_description() -> None:
    for scheme in TAG_SCHEMES:
        assert scheme.source.startswith("https://"), scheme.family
        assert scheme.said and scheme.names, scheme.family
        majors = [since for since, _ in scheme.release_parts]
        assert majors == sorted(majors) and majors[0] == 0, scheme.family


def test_the_rule_page_says_what_is_known_and_when() -> None:
    page = floating_tag.__doc__ or ""
    flat = " ".join(page.split())
    assert f"as of {AS_OF}" in flat
    for scheme in TAG_SCHEMES:
        assert scheme.family.split(" (")[0] in flat, scheme.family
    assert "registry's tag list" in flat


@pytest.mark.parametrize(
    ("repository", "family"),
    [
        ("docker.io/library/python", "python"),
        ("docker.io/library/postgres", "postgres"),
        ("docker.io/nvidia/cuda", "nvidia/cuda"),
        ("nvcr.io/nvidia/cuda", "nvidia/cuda"),  # before the NGC glob that also matches it
        ("nvcr.io/nvidia/pytorch", "NGC (nvcr.io/nvidia)"),
        ("quay.io/jupyter/scipy-notebook", "Jupyter Docker Stacks"),
        ("docker.io/valohai/sklearn", "valohai"),
        ("docker.io/acme/app", None),
        ("docker.io/continuumio/miniconda3", None),
    ],
)
def test_scheme_for(repository: str, family: str | None) -> None:
    scheme = scheme_for(repository)
    assert (scheme.family if scheme else None) == family


def test_parts_by_major() -> None:
    postgres = scheme_for("docker.io/library/postgres")
    cuda = scheme_for("docker.io/nvidia/cuda")
    assert postgres is not None and cuda is not None
    assert (postgres.parts_for(9), postgres.parts_for(10), postgres.parts_for(16)) == (3, 2, 2)
    assert (cuda.parts_for(10), cuda.parts_for(11), cuda.parts_for(12)) == (2, 3, 3)


def test_codenames_are_whole_and_distinct() -> None:
    debian = list(DEBIAN_CODENAMES)
    ubuntu = list(UBUNTU_CODENAMES)
    assert (debian[0], debian[-3:]) == ("buzz", ["trixie", "forky", "duke"])
    assert (ubuntu[0], ubuntu[-4:]) == ("warty", ["oracular", "plucky", "questing", "resolute"])
    assert not set(debian) & set(ubuntu)
    assert all(re.fullmatch(r"[a-z]+", name) for name in debian + ubuntu)
    # Ubuntu versions are YY.MM, in release order
    versions = [tuple(map(int, v.split("."))) for v in UBUNTU_CODENAMES.values()]
    assert versions == sorted(versions)
    assert codename_release("Bookworm") == "Debian 12"
    assert codename_release("jammy") == "Ubuntu 22.04"
    assert codename_release("slim") is None
