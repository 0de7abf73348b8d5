"""How well-known repositories tag their images: which tags name a moving line, which a release.

In the spirit of Renovate's per-datasource "versioning": ``python:3.9`` is a line because the
python image publishes ``3.9.18`` under it, while ``postgres:16.2`` is a release because
PostgreSQL numbers its releases major.minor. VIL104 floating-tag reads this table; a repository
the table does not know is judged only by words every repository shares (channels such as
``nightly``, bare variants such as ``slim``, Debian and Ubuntu codenames), never by how many
numbers its version has.

Data, not logic. Each scheme has its source; where a family's scheme is not known to us for sure,
it is left out and a comment says so. Codenames are kept here (not shared with ``knowledge.py``'s
end-of-life table yet; a later clean-up can make them one list).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import NamedTuple

from .knowledge import DEBIAN, UBUNTU

AS_OF = "2026-12-07"  # the day this table was last checked against its sources


class TagScheme(NamedTuple):
    """How one family of repositories tags a release.

    ``names`` are canonical repository globs (``docker.io/library/python``, ``docker.io/jupyter/*``).
    ``release_parts`` says how many version numbers make a release, as (from major, parts) pairs in
    ascending order of major: ``((0, 3), (10, 2))`` is PostgreSQL (``9.6.24``, then ``16.2``). A
    version with fewer numbers is a line. Parts 1 means every version tag is one release (a
    team's ``0.1``); parts 0 means no version tag is (the tags are rebuilt; only dates and commit
    hashes pin). ``said`` is how the rule page describes the scheme.
    """

    family: str
    names: tuple[str, ...]
    release_parts: tuple[tuple[int, int], ...]
    said: str
    source: str

    def parts_for(self, major: int) -> int:
        """How many numbers a release of this major version has."""
        parts = self.release_parts[0][1]
        for since, count in self.release_parts:
            if major >= since:
                parts = count
        return parts


def _library(*names: str) -> tuple[str, ...]:
    return tuple(f"docker.io/library/{name}" for name in names)


SEMVER_RELEASE = "a release is X.Y.Z; X.Y and X are lines"

# First match wins: put a specific repository before a glob that also matches it.
TAG_SCHEMES: tuple[TagScheme, ...] = (
    # Docker official images maintained by docker-library: each page's "Supported tags" lists
    # the full version with its shorter aliases (3.12.1, 3.12, 3) on one line.
    TagScheme("python", _library("python"), ((0, 3),), SEMVER_RELEASE, "https://hub.docker.com/_/python"),
    TagScheme("node", _library("node"), ((0, 3),), SEMVER_RELEASE, "https://hub.docker.com/_/node"),
    TagScheme("golang", _library("golang"), ((0, 3),), SEMVER_RELEASE, "https://hub.docker.com/_/golang"),
    TagScheme("mysql", _library("mysql"), ((0, 3),), SEMVER_RELEASE, "https://hub.docker.com/_/mysql"),
    TagScheme("redis", _library("redis"), ((0, 3),), SEMVER_RELEASE, "https://hub.docker.com/_/redis"),
    TagScheme("r-base", _library("r-base"), ((0, 3),), SEMVER_RELEASE, "https://hub.docker.com/_/r-base"),
    TagScheme("julia", _library("julia"), ((0, 3),), SEMVER_RELEASE, "https://hub.docker.com/_/julia"),
    TagScheme("alpine", _library("alpine"), ((0, 3),), SEMVER_RELEASE, "https://hub.docker.com/_/alpine"),
    # PostgreSQL numbers releases major.minor from 10 on (10.0 -> 10.1), major.major.minor
    # before (9.5.3 -> 9.5.4): https://www.postgresql.org/support/versioning/
    TagScheme(
        "postgres",
        _library("postgres"),
        ((0, 3), (10, 2)),
        "a release is X.Y from 10 on (16.2; 16 is the line), X.Y.Z before (9.6.24; 9.6 is the line)",
        "https://www.postgresql.org/support/versioning/",
    ),
    # Debian numbers point releases major.minor from 7 on (12.5), 6.0.x before; the image also
    # has codename tags (bookworm: the line) and dated snapshots (bookworm-20240110: a release).
    TagScheme(
        "debian",
        _library("debian"),
        ((0, 3), (7, 2)),
        "a release is X.Y (12.5) or a dated snapshot (bookworm-20240110); 12 and bookworm are lines",
        "https://hub.docker.com/_/debian",
    ),
    # Ubuntu versions are YY.MM with point releases YY.MM.N; the image tags YY.MM, the codename,
    # and dated snapshots (jammy-20240111).
    TagScheme(
        "ubuntu",
        _library("ubuntu"),
        ((0, 3),),
        "a release is a dated snapshot (jammy-20240111); 22.04 and jammy are lines",
        "https://hub.docker.com/_/ubuntu",
    ),
    TagScheme(
        "tensorflow/tensorflow",
        ("docker.io/tensorflow/tensorflow",),
        ((0, 3),),
        "a release is X.Y.Z with variants (2.16.1-gpu)",
        "https://hub.docker.com/r/tensorflow/tensorflow/tags",
    ),
    # PyTorch publishes one tag per release build, variants included; up to 1.5 the releases were
    # tagged with two numbers (1.3-cuda10.1-cudnn7-runtime) and no 1.3.x-cuda10.1 tag exists.
    TagScheme(
        "pytorch/pytorch",
        ("docker.io/pytorch/pytorch",),
        ((0, 1),),
        "every version tag is one release build (1.3-cuda10.1-cudnn7-runtime, 2.2.0-cuda12.1-cudnn8-runtime)",
        "https://hub.docker.com/r/pytorch/pytorch/tags",
    ),
    # CUDA up to 10.2 was versioned X.Y (10.0-base-ubuntu18.04 is a release); from 11 on the tags
    # carry X.Y.Z and the X.Y tags were dropped (11.1-base became 11.1.1-base).
    TagScheme(
        "nvidia/cuda",
        ("docker.io/nvidia/cuda", "nvcr.io/nvidia/cuda"),
        ((0, 2), (11, 3)),
        "a release is X.Y up to CUDA 10.2 (10.0-base-ubuntu18.04), X.Y.Z from 11 (11.8.0-runtime)",
        "https://gitlab.com/nvidia/container-images/cuda/blob/master/doc/supported-tags.md",
    ),
    # NGC framework containers are released monthly as YY.MM (pytorch:23.10-py3) and not rebuilt.
    TagScheme(
        "NGC (nvcr.io/nvidia)",
        ("nvcr.io/nvidia/*",),
        ((0, 2),),
        "a release is YY.MM, the monthly release (pytorch:23.10-py3)",
        "https://docs.nvidia.com/deeplearning/frameworks/support-matrix/index.html",
    ),
    # Jupyter Docker Stacks: "image tags like python-3.9.6 will be updated just like the latest
    # tag ... If you want to avoid a changing reference to an image, you should use a date tag";
    # git SHA tags "remain pinned to a particular build forever".
    TagScheme(
        "Jupyter Docker Stacks",
        ("docker.io/jupyter/*", "quay.io/jupyter/*"),
        ((0, 0),),
        "only dates (2024-01-15) and commit hashes are releases; version tags (python-3.11.6) move",
        "https://github.com/jupyter/docker-stacks/wiki",
    ),
    # "There are tags for each build date. If you need to pin the Docker image version you use,
    # you can select one of those tags", e.g. python3.7-2019-10-15; python3.7 moves.
    TagScheme(
        "tiangolo/uvicorn-gunicorn-fastapi",
        ("docker.io/tiangolo/uvicorn-gunicorn-fastapi", "docker.io/tiangolo/uvicorn-gunicorn"),
        ((0, 0),),
        "only build dates are releases (python3.8-2020-12-19); python3.8 moves",
        "https://github.com/tiangolo/uvicorn-gunicorn-fastapi-docker",
    ),
    # uv's images: 0.5.1 and 0.5.1-python3.12-bookworm-slim are releases; 0.5 is the latest patch
    # of 0.5, and python3.12-bookworm-slim the latest uv.
    TagScheme(
        "astral-sh/uv",
        ("ghcr.io/astral-sh/uv",),
        ((0, 3),),
        "a release is uv's X.Y.Z (0.5.1-python3.12-bookworm-slim); 0.5 and python3.12-bookworm-slim move",
        "https://docs.astral.sh/uv/guides/integration/docker/",
    ),
    # rocker-versioned2: "Installs a fixed version of R itself"; R releases are X.Y.Z.
    TagScheme(
        "rocker",
        ("docker.io/rocker/*",),
        ((0, 3),),
        "a release is the R version X.Y.Z (4.3.2); 4.3 and 4 are lines",
        "https://github.com/rocker-org/rocker-versioned2",
    ),
    # Valohai's own images: a version tag names one build (valohai/sklearn:1.0 beside 0.24.2).
    TagScheme(
        "valohai",
        ("docker.io/valohai/*",),
        ((0, 1),),
        "every version tag is one build (sklearn:1.0, llm-toolkit:0.2-gpu)",
        "https://hub.docker.com/u/valohai",
    ),
    # Left out, not known to us for sure: continuumio/* (conda's own versions, X.Y.Z and calendar
    # YYYY.MM, both look pinned; whether X.Y aliases exist is not checked); huggingface/* (no
    # published tagging policy found); node's LTS codenames (iron, jod) as line words.
)


def scheme_for(repository: str) -> TagScheme | None:
    """The scheme of a canonical repository name, or None when the table does not know it."""
    for scheme in TAG_SCHEMES:
        if any(fnmatchcase(repository, name) for name in scheme.names):
            return scheme
    return None


# Debian and Ubuntu codenames by version: the release tables of ``knowledge`` (every release, with
# their sources), which VIL302 judges by too.
DEBIAN_CODENAMES: dict[str, str] = {r.codename: r.version for r in DEBIAN.releases if r.codename}
UBUNTU_CODENAMES: dict[str, str] = {r.codename: r.version for r in UBUNTU.releases if r.codename}


def codename_release(word: str) -> str | None:
    """``Debian 12`` for ``bookworm``, ``Ubuntu 22.04`` for ``jammy``; None for other words."""
    lowered = word.lower()
    if lowered in DEBIAN_CODENAMES:
        return f"Debian {DEBIAN_CODENAMES[lowered]}"
    if lowered in UBUNTU_CODENAMES:
        return f"Ubuntu {UBUNTU_CODENAMES[lowered]}"
    return None


# Suites that are channels, not releases: Debian's sid/unstable, testing, experimental and the
# stable aliases (https://www.debian.org/releases/); Ubuntu's devel and rolling image tags
# (https://hub.docker.com/_/ubuntu).
DISTRIBUTION_CHANNELS = frozenset(
    {
        "sid",
        "unstable",
        "testing",
        "experimental",
        "stable",
        "oldstable",
        "oldoldstable",
        "rc-buggy",
        "devel",
        "rolling",
    }
)
