"""What the linter knows about well-known image families: data, not logic.

Two kinds of facts live here, each with its source in a comment:

- ``RUNTIMES``: releases of a runtime or OS (Python, Ubuntu, Debian, TensorFlow, CUDA) with the date
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
    ``interim``: a short-lived release (Ubuntu's 9-month ones, Node.js's odd ones) that is never
    suggested in place of another. ``tag_word``: whether its codename counts as a word in any
    image's tag (``3.11.2-bullseye``), not only in its own family's (``debian:lenny``).
    """

    version: str
    ended: str | None = None  # YYYY-MM-DD: ISO dates compare in date order as strings
    said: str = ""
    aliases: tuple[str, ...] = ()
    codename: str | None = None
    label: str | None = None  # how messages name it, when not its version ("1.x")
    interim: bool = False
    tag_word: bool = True


class Runtime(NamedTuple):
    """A runtime or OS: its name in messages, what its end means, its releases oldest first
    (in version order: an interim release may end before an older long-term one)."""

    label: str
    ending: str  # "end of life", "standard support ended", ...
    releases: tuple[Release, ...]


_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


def _month(date: str) -> tuple[str, str]:
    """``(ended, said)`` for a source that gives only a month (``2024-07``): its last day, and
    ``July 2024``."""
    year, month = (int(part) for part in date.split("-")[:2])
    days = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30]
    days += [31, 31, 30, 31, 30, 31]
    return f"{year:04d}-{month:02d}-{days[month - 1]:02d}", f"{_MONTHS[month - 1]} {year}"


PYTHON = Runtime(
    "Python",
    "end of life",
    (
        # https://devguide.python.org/versions/ (its data: github.com/python/devguide
        # include/release-cycle.json), as of 2026-04: every 2.x and 3.x line it lists, 2.6 and
        # newer. 2.5 and older are left out: the devguide and endoflife.date list no end for them
        # (and the python image was never published for them). Scheduled ends the devguide gives
        # as a month (3.10 on: "2026-10") are read as that month's last day; 3.10's end is past
        # and given as 2026-10-31 by https://endoflife.date/api/python.json (as of 2026-04-07).
        Release("2.6", "2013-10-29", "2013-10-29"),
        Release("2.7", "2020-01-01", "2020-01-01", aliases=("2",)),
        Release("3.0", "2009-06-27", "2009-06-27"),
        Release("3.1", "2012-04-09", "2012-04-09"),
        Release("3.2", "2016-02-20", "2016-02-20"),
        Release("3.3", "2017-09-29", "2017-09-29"),
        Release("3.4", "2019-03-18", "2019-03-18"),
        Release("3.5", "2020-09-30", "2020-09-30"),
        Release("3.6", "2021-12-23", "2021-12-23"),
        Release("3.7", "2023-06-27", "2023-06-27"),
        Release("3.8", "2024-10-07", "2024-10-07"),
        Release("3.9", "2025-10-31", "2025-10-31"),
        Release("3.10", "2026-10-31", "2026-10-31"),
        Release("3.11", "2027-10-31", "October 2027"),  # scheduled (PEP 664: 2027-10)
        Release("3.12", "2028-10-31", "October 2028"),  # scheduled (PEP 693: 2028-10)
        Release("3.13", "2029-10-31", "October 2029"),  # scheduled (PEP 719: 2029-10)
        Release("3.14", "2030-10-31", "October 2030"),  # scheduled (PEP 745: 2030-10)
    ),
)


def _ubuntu(version: str, month: str, codename: str, *, interim: bool = False) -> Release:
    ended, said = _month(month)
    return Release(version, ended, said, codename=codename, interim=interim)


UBUNTU = Runtime(
    "Ubuntu",
    "standard support ended",
    (
        # https://ubuntu.com/about/release-cycle and https://wiki.ubuntu.com/Releases, as gathered by
        # https://endoflife.date/ubuntu (its "eol": end of standard support), as of 2026-04. Canonical
        # gives months (endoflife.date fills in a day by the release's own), so the month is what
        # is kept. Every release from 4.10 on; interims (9 months since 13.04, 18 before) are marked.
        _ubuntu("4.10", "2006-04", "warty", interim=True),
        _ubuntu("5.04", "2006-10", "hoary", interim=True),
        _ubuntu("5.10", "2007-04", "breezy", interim=True),
        _ubuntu("6.06", "2011-06", "dapper"),
        _ubuntu("6.10", "2008-04", "edgy", interim=True),
        _ubuntu("7.04", "2008-10", "feisty", interim=True),
        _ubuntu("7.10", "2009-04", "gutsy", interim=True),
        _ubuntu("8.04", "2013-05", "hardy"),
        _ubuntu("8.10", "2010-04", "intrepid", interim=True),
        _ubuntu("9.04", "2010-10", "jaunty", interim=True),
        _ubuntu("9.10", "2011-04", "karmic", interim=True),
        _ubuntu("10.04", "2013-05", "lucid"),
        _ubuntu("10.10", "2012-04", "maverick", interim=True),
        _ubuntu("11.04", "2012-10", "natty", interim=True),
        _ubuntu("11.10", "2013-05", "oneiric", interim=True),
        _ubuntu("12.04", "2017-04", "precise"),
        _ubuntu("12.10", "2014-05", "quantal", interim=True),
        _ubuntu("13.04", "2014-01", "raring", interim=True),
        _ubuntu("13.10", "2014-07", "saucy", interim=True),
        _ubuntu("14.04", "2019-04", "trusty"),
        _ubuntu("14.10", "2015-07", "utopic", interim=True),
        _ubuntu("15.04", "2016-02", "vivid", interim=True),
        _ubuntu("15.10", "2016-07", "wily", interim=True),
        _ubuntu("16.04", "2021-04", "xenial"),
        _ubuntu("16.10", "2017-07", "yakkety", interim=True),
        _ubuntu("17.04", "2018-01", "zesty", interim=True),
        _ubuntu("17.10", "2018-07", "artful", interim=True),
        _ubuntu("18.04", "2023-05", "bionic"),
        _ubuntu("18.10", "2019-07", "cosmic", interim=True),
        _ubuntu("19.04", "2020-01", "disco", interim=True),
        _ubuntu("19.10", "2020-07", "eoan", interim=True),
        _ubuntu("20.04", "2025-05", "focal"),
        _ubuntu("20.10", "2021-07", "groovy", interim=True),
        _ubuntu("21.04", "2022-01", "hirsute", interim=True),
        _ubuntu("21.10", "2022-07", "impish", interim=True),
        _ubuntu("22.04", "2027-04", "jammy"),
        _ubuntu("22.10", "2023-07", "kinetic", interim=True),
        _ubuntu("23.04", "2024-01", "lunar", interim=True),
        _ubuntu("23.10", "2024-07", "mantic", interim=True),
        _ubuntu("24.04", "2029-05", "noble"),
        _ubuntu("24.10", "2025-07", "oracular", interim=True),
        _ubuntu("25.04", "2026-01", "plucky", interim=True),
        _ubuntu("25.10", "2026-07", "questing", interim=True),
        _ubuntu("26.04", "2031-04", "resolute"),
    ),
)


def _debian(version: str, month: str, codename: str, *, tag_word: bool = True) -> Release:
    ended, said = _month(month)
    return Release(version, ended, said, codename=codename, tag_word=tag_word)


DEBIAN = Runtime(
    "Debian",
    "LTS ended",
    (
        # https://wiki.debian.org/LTS and https://wiki.debian.org/DebianReleases, as gathered by
        # https://endoflife.date/debian ("eoes": end of Debian LTS, or of security support for the
        # releases before LTS existed), as of 2026-04; paid ELTS after it is not counted. Months
        # are kept, as the LTS page says them. 1.1 to 5: their codenames are ordinary words
        # (bo, rex, woody, etch...), so they count only in the debian image's own tag.
        _debian("1.1", "1996-12", "buzz", tag_word=False),
        _debian("1.2", "1997-10", "rex", tag_word=False),
        _debian("1.3", "1998-12", "bo", tag_word=False),
        _debian("2.0", "1999-02", "hamm", tag_word=False),
        _debian("2.1", "2000-10", "slink", tag_word=False),
        _debian("2.2", "2003-06", "potato", tag_word=False),
        _debian("3.0", "2006-06", "woody", tag_word=False),
        _debian("3.1", "2008-03", "sarge", tag_word=False),
        _debian("4", "2010-02", "etch", tag_word=False),
        _debian("5", "2012-02", "lenny", tag_word=False),
        _debian("6", "2016-02", "squeeze"),
        _debian("7", "2018-05", "wheezy"),
        _debian("8", "2020-06", "jessie"),
        _debian("9", "2022-06", "stretch"),
        _debian("10", "2024-06", "buster"),
        _debian("11", "2026-08", "bullseye"),
        _debian("12", "2028-06", "bookworm"),
        Release("13", codename="trixie"),  # LTS to June 2030 (announced, not yet on the LTS page)
        # Not yet released: forky is Debian 14 (Debian's distro-info-data, as in
        # https://github.com/renovatebot/renovate/blob/main/data/debian-distro-info.json); duke is
        # Debian 15, announced by the release team (https://ostechnix.com/debian-15-codename-is-duke/).
        Release("14", codename="forky"),
        Release("15", codename="duke"),
    ),
)

TENSORFLOW = Runtime(
    "TensorFlow",
    "end of life",
    (
        # https://github.com/tensorflow/tensorflow/releases/tag/v1.0.0 (February 2017) replaced
        # the 0.x line, which got no release after it.
        # https://github.com/tensorflow/tensorflow/releases/tag/v1.15.5 : the last 1.x release
        # (January 2021); 1.x gets no fixes since. 2.x end dates are left
        # out (not sure of them). As of 2026-04.
        Release("0", "2017-02-28", "February 2017", label="0.x"),
        Release("1", "2021-01-31", "January 2021", label="1.x"),
        Release("2"),
    ),
)

CENTOS = Runtime(
    "CentOS",
    "end of life",
    (
        # https://endoflife.date/centos (CentOS Linux; from https://wiki.centos.org/About/Product),
        # as of 2026-04. CentOS Stream is another product and is not read here.
        Release("5", "2017-03-31", "2017-03-31"),
        Release("6", "2020-11-30", "2020-11-30"),
        Release("7", "2024-06-30", "2024-06-30"),
        Release("8", "2021-12-31", "2021-12-31"),
    ),
)

ALPINE = Runtime(
    "Alpine",
    "end of support",
    (
        # https://alpinelinux.org/releases/ as gathered by https://endoflife.date/alpine-linux,
        # as of 2026-01-27 (every branch from 2.1 on).
        *(
            Release(version, ended, ended)
            for version, ended in (
                ("2.1", "2012-11-01"),
                ("2.2", "2013-05-01"),
                ("2.3", "2013-11-01"),
                ("2.4", "2014-05-01"),
                ("2.5", "2014-11-01"),
                ("2.6", "2015-05-01"),
                ("2.7", "2015-11-01"),
                ("3.0", "2016-05-01"),
                ("3.1", "2016-11-01"),
                ("3.2", "2017-05-01"),
                ("3.3", "2017-11-01"),
                ("3.4", "2018-05-01"),
                ("3.5", "2018-11-01"),
                ("3.6", "2019-05-01"),
                ("3.7", "2019-11-01"),
                ("3.8", "2020-05-01"),
                ("3.9", "2020-11-01"),
                ("3.10", "2021-05-01"),
                ("3.11", "2021-11-01"),
                ("3.12", "2022-05-01"),
                ("3.13", "2022-11-01"),
                ("3.14", "2023-05-01"),
                ("3.15", "2023-11-01"),
                ("3.16", "2024-05-23"),
                ("3.17", "2024-11-22"),
                ("3.18", "2025-05-09"),
                ("3.19", "2025-11-01"),
                ("3.20", "2026-04-01"),
                ("3.21", "2026-11-01"),
                ("3.22", "2027-05-01"),
                ("3.23", "2027-11-01"),
            )
        ),
    ),
)

NODE = Runtime(
    "Node.js",
    "end of life",
    (
        # https://nodejs.org/en/about/previous-releases as gathered by https://endoflife.date/nodejs,
        # as of 2024-01 (4 to 21). io.js 1 to 3 are left out (no end date given); 22 and newer
        # have no end recorded here (not verified). Odd majors are short-lived (interim).
        Release("4", "2018-04-30", "2018-04-30"),
        Release("5", "2016-06-30", "2016-06-30", interim=True),
        Release("6", "2019-04-30", "2019-04-30"),
        Release("7", "2017-06-30", "2017-06-30", interim=True),
        Release("8", "2019-12-31", "2019-12-31"),
        Release("9", "2018-06-30", "2018-06-30", interim=True),
        Release("10", "2021-04-30", "2021-04-30"),
        Release("11", "2019-06-30", "2019-06-30", interim=True),
        Release("12", "2022-04-30", "2022-04-30"),
        Release("13", "2020-06-01", "2020-06-01", interim=True),
        Release("14", "2023-04-30", "2023-04-30"),
        Release("15", "2021-06-01", "2021-06-01", interim=True),
        Release("16", "2023-09-11", "2023-09-11"),
        Release("17", "2022-06-01", "2022-06-01", interim=True),
        Release("18", "2025-04-30", "2025-04-30"),
        Release("19", "2023-06-01", "2023-06-01", interim=True),
        Release("20", "2026-04-30", "2026-04-30"),
        Release("21", "2024-06-01", "2024-06-01", interim=True),
        Release("22"),
        Release("24"),
    ),
)


def _cuda(version: str, month: str) -> Release:
    ended, said = _month(month)
    return Release(version, ended, said)


CUDA = Runtime(
    "CUDA",
    "end of life",
    (
        # The CUDA container images (nvidia/cuda, and the CUDA version other images' tags name).
        # Policy: https://gitlab.com/nvidia/container-images/cuda/-/blob/master/doc/support-policy.md
        # (announced in https://gitlab.com/nvidia/container-images/cuda/-/issues/177): "Cuda Toolkit
        # images will End-of-Life (EOL) when the driver it shipped with goes EOL", only "the latest
        # point release" of each version is supported, and "2 major CUDA versions at any given time
        # (e.g. 11 & 12 or 12 & 13). i.e. 11 will be marked EOL, after 13 is released".
        # Dates: NVIDIA's "CUDA Container Tag Support EOL Chart",
        # https://gitlab.com/nvidia/container-images/cuda/-/blob/master/doc/container_tags.pdf (and
        # container_tags.xlsx beside it), as of its 2024-12-03 version ("CUDA 12.6.3 Update"; read in
        # the GitHub mirror pranavmishra90/nvidia-container-images-cuda). Its "End of Life (EOL)"
        # table says "Marked EOL on Jul-2023" for 11.0.3, 11.1.1, 11.2.2 and 11.3.1, the last point
        # release of each of those versions (none of 11.0 to 11.3 is in its "Active" list): those are
        # the versions dated here, by the month the chart gives.
        # Left out (no date we could verify): 11.4 to 11.8 (11.4.3, 11.5.2, 11.6.2, 11.7.1, 11.8.0
        # are "Active" on that chart, kept by the two-major-versions rule until after CUDA 13's
        # release; the day they were marked EOL is not on it); 10.2 and older (the policy's table
        # lists them among the image sets "that would be sunsetted", with the driver "EOL" or
        # "Prehistoric" or r418, but gives no date, and which driver each "shipped with" is not
        # said there); the other tags on the chart are earlier point releases (12.1.0 ended when
        # 12.1.1 came), not the end of their version. 12.x and 13.x: not ended, as far as we know.
        *(_cuda(version, "2023-07") for version in ("11.0", "11.1", "11.2", "11.3")),
        Release("12", label="12.x"),
        Release("13", label="13.x"),
    ),
)

RUNTIMES: dict[str, Runtime] = {
    "python": PYTHON,
    "ubuntu": UBUNTU,
    "debian": DEBIAN,
    "tensorflow": TENSORFLOW,
    "centos": CENTOS,
    "alpine": ALPINE,
    "node": NODE,
    "cuda": CUDA,
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


# Newest tags suggested where a family's lighter variant is another image or a channel (as of 2026-04):
# continuumio/miniconda3:24.1.2-0 is published on Docker Hub (https://hub.docker.com/r/continuumio/miniconda3/tags;
# pinned by, e.g., github.com/facebookresearch/AnimatedDrawings torchserve/Dockerfile); tensorflow 2.16.1
# (https://hub.docker.com/r/tensorflow/tensorflow/tags) is the version tags.EXACT_VERSIONS suggests.
MINICONDA_TAG = "24.1.2-0"
TENSORFLOW_TAG = "2.16.1"
# A plain Python image suggested in place of a notebook server: the newest patch tags.EXACT_VERSIONS knows.
PYTHON_SLIM_IMAGE = "python:3.14.4-slim"

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
            # the lighter twin of "jupyter" is "latest", which moves: name a version instead
            Lighter(r"^jupyter$", TENSORFLOW_TAG, "the -jupyter variant only adds a Jupyter server"),
        ),
        kept_words=frozenset({"gpu", "jupyter"}),
        suggest_name="tensorflow/tensorflow",
    ),
    # https://hub.docker.com/r/continuumio/anaconda3 and https://hub.docker.com/r/continuumio/miniconda3
    # (Miniconda is conda without the preinstalled Anaconda distribution; their versions differ, so
    # the suggestion names a published Miniconda version rather than the Anaconda tag).
    Family(
        "continuumio/anaconda3",
        ("docker.io/continuumio/anaconda3",),
        lighter=(Lighter(r"^.*$", MINICONDA_TAG, _MINICONDA, repository="miniconda3"),),
    ),
    Family("continuumio/miniconda3", ("docker.io/continuumio/miniconda3",)),
    # https://hub.docker.com/_/r-base and https://rocker-project.org/images/ : no lighter variant or
    # end-of-life facts we are sure of.
    Family("r-base", ("docker.io/library/r-base", "docker.io/rocker/*")),
    # https://hub.docker.com/_/julia : Julia's support policy is not recorded here (not sure of it).
    Family("julia", ("docker.io/library/julia",)),
    # https://hub.docker.com/_/ubuntu and https://ubuntu.com/about/release-cycle
    Family("ubuntu", ("docker.io/library/ubuntu",), tag_runtime="ubuntu"),
    # https://hub.docker.com/_/centos (CentOS Linux 5 to 8), https://hub.docker.com/_/alpine and
    # https://hub.docker.com/_/node: their tags lead with the release (centos7, 3.19.1, 20.11.0-bookworm).
    Family("centos", ("docker.io/library/centos",), tag_runtime="centos"),
    Family("alpine", ("docker.io/library/alpine",), tag_runtime="alpine"),
    Family("node", ("docker.io/library/node",), tag_runtime="node"),
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
                f"such as {PYTHON_SLIM_IMAGE}",
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
