"""What the linter knows about well-known image families: data, not logic.

Two kinds of facts live here, each with its source in a comment:

- ``RUNTIMES``: releases of a runtime or OS (Python, Ubuntu, Debian, TensorFlow) with the date
  their support ended, for VIL302 end-of-life;
- ``FAMILIES``: image families (by canonical name glob), what their own tag's leading version
  names, and their lighter variants as rewrite rules, for VIL301 non-minimal-image.

Adding a family is adding a ``Family`` entry; adding a release is adding a ``Release``. Only facts
we are sure of are here: where a fact is left out, a comment says so. Nothing here decides
anything by itself; the rules read it.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import NamedTuple


class Release(NamedTuple):
    """One release line of a runtime or OS.

    ``version`` is how a tag writes it (``3.9``, ``18.04``, ``10``, ``1``); ``aliases`` are other
    spellings (``2`` for Python 2.7; Debian and Ubuntu codenames). ``ended`` is the day support
    ended (None: not ended, or not known to us), ``said`` how messages say it (``2025-10-31``,
    ``May 2023`` when the source gives only a month: ``ended`` is then that month's last day).
    """

    version: str
    ended: str | None = None  # YYYY-MM-DD: ISO dates compare in date order as strings
    said: str = ""
    aliases: tuple[str, ...] = ()
    codename: str | None = None
    label: str | None = None  # how messages name it, when not its version ("1.x")


class Runtime(NamedTuple):
    """A runtime or OS: its name in messages, what its end means, its releases oldest first."""

    label: str
    ending: str  # "end of life", "standard support ended", ...
    releases: tuple[Release, ...]


PYTHON = Runtime(
    "Python",
    "end of life",
    (
        # https://devguide.python.org/versions/ (status of Python versions) and the release PEPs
        # (373, 478, 494, 537, 569, 596, 619, 664, 693, 719). 3.4 and older are left out on purpose.
        Release("2.7", "2020-01-01", "2020-01-01", aliases=("2",)),
        Release("3.5", "2020-09-30", "2020-09-30"),
        Release("3.6", "2021-12-23", "2021-12-23"),
        Release("3.7", "2023-06-27", "2023-06-27"),
        Release("3.8", "2024-10-07", "2024-10-07"),
        Release("3.9", "2025-10-31", "2025-10-31"),
        Release("3.10", "2026-10-31", "2026-10-31"),  # scheduled (PEP 619: 2026-10)
        Release("3.11", "2027-10-31", "October 2027"),  # scheduled (PEP 664: 2027-10)
        Release("3.12", "2028-10-31", "October 2028"),  # scheduled (PEP 693: 2028-10)
        Release("3.13", "2029-10-31", "October 2029"),  # scheduled (PEP 719: 2029-10)
        Release("3.14"),
    ),
)

UBUNTU = Runtime(
    "Ubuntu",
    "standard support ended",
    (
        # https://ubuntu.com/about/release-cycle (end of standard support; Canonical gives the month).
        # 22.04 and newer: their end dates are left out (not yet reached; not needed to judge).
        Release("14.04", "2019-04-30", "April 2019", codename="trusty"),
        Release("16.04", "2021-04-30", "April 2021", codename="xenial"),
        Release("18.04", "2023-05-31", "May 2023", codename="bionic"),
        Release("20.04", "2025-05-31", "May 2025", codename="focal"),
        Release("22.04", codename="jammy"),
        Release("24.04", codename="noble"),
    ),
)

DEBIAN = Runtime(
    "Debian",
    "LTS ended",
    (
        # https://wiki.debian.org/LTS (end of Debian LTS; paid ELTS after it is not counted).
        Release("8", "2020-06-30", "June 2020", codename="jessie"),
        Release("9", "2022-06-30", "June 2022", codename="stretch"),
        Release("10", "2024-06-30", "June 2024", codename="buster"),
        Release("11", "2026-08-31", "August 2026", codename="bullseye"),
        Release("12", "2028-06-30", "June 2028", codename="bookworm"),
        Release("13", codename="trixie"),
    ),
)

TENSORFLOW = Runtime(
    "TensorFlow",
    "end of life",
    (
        # https://github.com/tensorflow/tensorflow/releases/tag/v1.15.5 : the last 1.x release
        # (January 2021); 1.x gets no fixes since. 2.x end dates are left out (not sure of them).
        Release("1", "2021-01-31", "January 2021", label="1.x"),
        Release("2"),
    ),
)

# CUDA: NVIDIA deletes the nvidia/cuda tags of CUDA versions past their support, but we are not
# sure which versions are gone and since when, so CUDA versions are left out of end-of-life.

RUNTIMES: dict[str, Runtime] = {
    "python": PYTHON,
    "ubuntu": UBUNTU,
    "debian": DEBIAN,
    "tensorflow": TENSORFLOW,
}


class Lighter(NamedTuple):
    """A lighter variant of a family's image, as a rewrite of its tag (and maybe its name).

    ``tag`` is a regular expression searched in the tag (an untagged image has the tag ``""``);
    ``replacement`` rewrites the first match (``re.sub`` syntax), or is None when the lighter
    image has no tag of the same version (the message then names the image without one).
    ``repository`` is the last path component of the lighter image when it is another image
    (``miniconda3`` for ``anaconda3``). ``names`` limits the rewrite to some names of the family
    (a glob over the canonical name). ``steps_only``: not for endpoints.
    """

    tag: str
    replacement: str | None
    why: str
    repository: str | None = None
    names: str = "*"
    steps_only: bool = False
    advice: str | None = None  # what to say when there is no suggested reference


class Family(NamedTuple):
    """An image family: canonical name globs, what the tag's leading version names (a key of
    ``RUNTIMES``), its lighter variants, and how end-of-life suggestions are written.

    ``kept_words``: the tag words a suggestion keeps (None: all of them). ``suggest_name``: the
    name suggestions use, when the written one is a location the family has left.
    """

    key: str
    names: tuple[str, ...]
    tag_runtime: str | None = None
    lighter: tuple[Lighter, ...] = ()
    kept_words: frozenset[str] | None = None
    suggest_name: str | None = None


_SLIM = "the -slim variant leaves out compilers and headers"
_MINICONDA = "Miniconda is conda without hundreds of preinstalled packages"
_DEBIAN_WORDS = "bookworm|bullseye|buster|stretch|jessie|trixie"

FAMILIES: tuple[Family, ...] = (
    # https://hub.docker.com/_/python (tags: 3.11.9, 3.11.9-slim, 3.11-slim-bookworm, ...)
    Family(
        "python",
        ("docker.io/library/python",),
        tag_runtime="python",
        lighter=(
            Lighter(r"^([0-9]+(?:\.[0-9]+){0,2})$", r"\1-slim", _SLIM),
            Lighter(rf"^([0-9]+(?:\.[0-9]+){{0,2}})-({_DEBIAN_WORDS})$", r"\1-slim-\2", _SLIM),
        ),
    ),
    # https://hub.docker.com/r/nvidia/cuda/tags and https://catalog.ngc.nvidia.com/orgs/nvidia/containers/cuda
    # (every CUDA version is published as base, runtime and devel, with and without cudnn)
    Family(
        "nvidia/cuda",
        ("docker.io/nvidia/cuda", "nvcr.io/nvidia/cuda"),
        lighter=(
            Lighter(
                # only as a word after a version (11.8.0-cudnn8-devel-ubuntu22.04): a bare "devel" is no tag
                r"(?<=-)devel(?![^-])",
                "runtime",
                "-runtime has the CUDA libraries without the compilers",
            ),
        ),
    ),
    # https://hub.docker.com/r/pytorch/pytorch/tags (each release as -runtime and -devel)
    Family(
        "pytorch/pytorch",
        ("docker.io/pytorch/pytorch",),
        lighter=(Lighter(r"-devel$", "-runtime", "-runtime has PyTorch without the CUDA compiler toolkit"),),
    ),
    # https://hub.docker.com/r/tensorflow/tensorflow/tags and https://www.tensorflow.org/install/docker
    # (-jupyter adds a Jupyter server on top of the same image). The -devel tags are left out: we are
    # not sure every -devel tag has a plain twin.
    Family(
        "tensorflow/tensorflow",
        ("docker.io/tensorflow/tensorflow", "gcr.io/tensorflow/tensorflow"),
        tag_runtime="tensorflow",
        lighter=(
            Lighter(r"-jupyter$", "", "the -jupyter variant only adds a Jupyter server"),
            Lighter(r"^jupyter$", "latest", "the -jupyter variant only adds a Jupyter server"),
        ),
        kept_words=frozenset({"gpu", "jupyter"}),
        suggest_name="tensorflow/tensorflow",
    ),
    # https://hub.docker.com/r/continuumio/anaconda3 and https://hub.docker.com/r/continuumio/miniconda3
    # (Miniconda is conda without the preinstalled Anaconda distribution; their versions differ).
    Family(
        "continuumio/anaconda3",
        ("docker.io/continuumio/anaconda3",),
        lighter=(
            Lighter(r"^(?:latest)?$", r"\g<0>", _MINICONDA, repository="miniconda3"),
            Lighter(
                r".+",
                None,
                _MINICONDA,
                repository="miniconda3",
                advice="use continuumio/miniconda3 at a version you choose (its versions are numbered "
                "differently) and install what the job needs",
            ),
        ),
    ),
    Family("continuumio/miniconda3", ("docker.io/continuumio/miniconda3",)),
    # https://hub.docker.com/_/r-base and https://rocker-project.org/images/ : no lighter variant or
    # end-of-life facts we are sure of.
    Family("r-base", ("docker.io/library/r-base", "docker.io/rocker/*")),
    # https://hub.docker.com/_/julia : Julia's support policy is not recorded here (not sure of it).
    Family("julia", ("docker.io/library/julia",)),
    # https://hub.docker.com/_/ubuntu and https://ubuntu.com/about/release-cycle
    Family("ubuntu", ("docker.io/library/ubuntu",), tag_runtime="ubuntu"),
    # https://hub.docker.com/_/debian and https://wiki.debian.org/LTS
    Family("debian", ("docker.io/library/debian",), tag_runtime="debian"),
    # https://jupyter-docker-stacks.readthedocs.io/en/latest/using/selecting.html : the *-notebook
    # images run a notebook server; a batch step needs none of it.
    Family(
        "jupyter",
        ("docker.io/jupyter/*", "quay.io/jupyter/*"),
        lighter=(
            Lighter(
                r".*",
                None,
                "it is built to run a notebook server",
                names="*/jupyter/*-notebook",
                steps_only=True,
                advice="use a plain Python image with the packages the step needs, "
                "such as python:3.12.1-slim",
            ),
        ),
    ),
    # https://hub.docker.com/r/ufoym/deepo/tags : tags name the Python version (py36); no lighter facts.
    Family("ufoym/deepo", ("docker.io/ufoym/deepo",)),
    # https://hub.docker.com/u/valohai : Valohai's own images; no lighter or end-of-life facts.
    Family("valohai", ("docker.io/valohai/*",)),
    # https://hub.docker.com/r/pytorchlightning/pytorch_lightning/tags : tags name py3.X; no lighter facts.
    Family("pytorchlightning/pytorch_lightning", ("docker.io/pytorchlightning/pytorch_lightning",)),
    # https://catalog.ngc.nvidia.com/containers : NGC images are monthly YY.MM releases; their
    # support windows are not recorded here.
    Family("nvcr.io/nvidia", ("nvcr.io/nvidia/*",)),
)


def name_matches(name: str, glob: str) -> bool:
    """Whether a canonical image name matches a glob of this table; a glob without wildcards is
    compared as text, so that most look-ups compile no pattern."""
    if "*" in glob or "?" in glob or "[" in glob:
        return fnmatchcase(name, glob)
    return name == glob


def family_of(name: str) -> Family | None:
    """The first family whose globs match the canonical ``name`` (``docker.io/library/python``)."""
    return next((f for f in FAMILIES if any(name_matches(name, glob) for glob in f.names)), None)
