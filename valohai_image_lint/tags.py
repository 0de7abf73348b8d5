"""What a tag says about how an image moves: ``latest``, a floating version, a channel.

Pure functions of a tag string, plus a small table of known exact versions used to suggest a
pin in messages ("pin a full version such as 3.9.25"). Each suggested tag was published on
Docker Hub by the image's maintainers; the table only makes suggestions, it never decides
whether a rule fires.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .knowledge import MINICONDA_TAG, TENSORFLOW_TAG
from .tag_schemes import DISTRIBUTION_CHANNELS, codename_release, scheme_for

CHANNEL_TAGS = (
    frozenset(
        {
            "stable",
            "lts",
            "edge",
            "nightly",
            "rolling",
            "main",
            "master",
            "dev",
            "develop",
            "devel-nightly",
            "beta",
            "canary",
            "current",
            "next",
            "testing",
            "unstable",
        }
    )
    | DISTRIBUTION_CHANNELS
)
# Words that name a variant of an image without naming any version (python:slim is the newest slim).
VARIANT_WORDS = frozenset(
    {
        "slim",
        "alpine",
        "bookworm",
        "bullseye",
        "buster",
        "trixie",
        "jammy",
        "focal",
        "noble",
        "bionic",
        "xenial",
        "windowsservercore",
        "nanoserver",
        "gpu",
        "cpu",
        "jupyter",
        "devel",
        "runtime",
        "base",
        "py3",
        "py2",
        "cuda",
    }
)

_SEPARATORS = re.compile(r"[-_.]")
_COMMIT = re.compile(r"(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,64}")
_DATE = re.compile(r"(?<![0-9])(?:(?:19|20)[0-9]{2}(?:[-_.]?[01][0-9][-_.]?[0-3][0-9]))(?![0-9])")
_VERSION = re.compile(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)*)")
# A version where a tag's word starts (``3.9``, ``v2``), or glued to a word when it has a dot
# (``python3.7``, ``py3.9``); ``gpu6`` or ``py36`` are names, not versions.
_WORD_VERSION = re.compile(r"(?<![A-Za-z0-9.])v?([0-9]+(?:\.[0-9]+)*)")
_GLUED_VERSION = re.compile(r"(?<=[A-Za-z])([0-9]+(?:\.[0-9]+)+)")
_BUILD_COUNTER = re.compile(
    r"(?:^|[-_.])(?:pr|build|ci|run|job|pipeline|rev|revision|b)[-_.]?$", re.IGNORECASE
)
_PRERELEASE = re.compile(r"(?:rc|a|b|alpha|beta|pre|dev|post)[0-9]", re.IGNORECASE)

# canonical repository -> {floating version line -> an exact published version}: the newest patch of
# each line that the tables know, so that a suggestion is a full version (x.y.z) the linter accepts.
EXACT_VERSIONS: dict[str, dict[str, str]] = {
    # https://hub.docker.com/_/python (the official image publishes every patch release); the newest
    # patches from https://endoflife.date/api/python.json ("latest"), as of 2026-04-07.
    "docker.io/library/python": {
        "2": "2.7.18",
        "2.7": "2.7.18",
        "3.4": "3.4.10",
        "3.5": "3.5.10",
        "3.6": "3.6.15",
        "3.7": "3.7.17",
        "3.8": "3.8.20",
        "3.9": "3.9.25",
        "3.10": "3.10.20",
        "3.11": "3.11.15",
        "3.12": "3.12.13",
        "3.13": "3.13.13",
        "3.14": "3.14.4",
        "3": "3.14.4",
        "": "3.14.4",
    },
    # https://hub.docker.com/_/julia
    "docker.io/library/julia": {"1.6": "1.6.7", "1.8": "1.8.5", "1.9": "1.9.4", "1": "1.9.4", "": "1.9.4"},
    # https://hub.docker.com/_/r-base
    "docker.io/library/r-base": {"4": "4.3.2", "4.3": "4.3.2", "": "4.3.2"},
    # https://hub.docker.com/r/tensorflow/tensorflow/tags
    "docker.io/tensorflow/tensorflow": {
        "2": TENSORFLOW_TAG,
        "2.16": TENSORFLOW_TAG,
        "2.15": "2.15.0",
        "": TENSORFLOW_TAG,
    },
    # https://hub.docker.com/r/pytorch/pytorch/tags
    "docker.io/pytorch/pytorch": {"": "2.2.0-cuda12.1-cudnn8-runtime"},
    # https://hub.docker.com/r/continuumio/miniconda3/tags (see knowledge.MINICONDA_TAG)
    "docker.io/continuumio/miniconda3": {"": MINICONDA_TAG},
    # https://hub.docker.com/_/alpine (every patch is published); the newest patches from
    # https://endoflife.date/alpine-linux ("latest"), as of 2026-01-27.
    "docker.io/library/alpine": {
        "3.21": "3.21.6",
        "3.22": "3.22.3",
        "3.23": "3.23.3",
        "3": "3.23.3",
        "": "3.23.3",
    },
}
# Variant words that the repositories above also publish on the exact versions they suggest
# (python:3.11.15-slim). Not bullseye or buster: the newest patches are not built on them, and
# those Debian releases have ended (a suggestion must not draw VIL302).
SUFFIX_WORDS: dict[str, frozenset[str]] = {
    "docker.io/library/python": frozenset({"slim", "alpine", "bookworm", "trixie"}),
    "docker.io/library/julia": frozenset({"bookworm"}),
    "docker.io/tensorflow/tensorflow": frozenset({"gpu", "jupyter"}),
}


def is_latest(tag: str) -> bool:
    """``latest`` or a variant of it: ``latest-gpu``, ``gpu-latest``, ``latest_py3``."""
    return "latest" in _SEPARATORS.split(tag.lower())


def _first_version(tag: str) -> re.Match[str] | None:
    """The version that names the image's release: one that starts a word (``3.9``, ``v2``,
    ``1.2.3`` in ``py3.9-1.2.3``) wins over one glued to a word (``python3.7``)."""
    return _WORD_VERSION.search(tag) or _GLUED_VERSION.search(tag)


def floating_version(tag: str, repository: str = "") -> str | None:
    """Why ``tag`` moves, or None when it looks pinned (or cannot be judged offline).

    Fires, for any repository, on channel names (``stable``, ``nightly-gpu``, ``sid``), bare
    variant words (``slim``, ``gpu``) and Debian/Ubuntu codenames (``bookworm``, ``focal-slim``).
    A version with too few numbers (``3.9``, ``12``, ``python3.7``) fires only in a repository
    whose tag scheme is known (``tag_schemes``) and says it is a line: ``postgres:16`` fires,
    ``postgres:16.2`` and ``acme/app:0.1`` do not. Never fires on full versions, pre-releases
    (``3.9rc1``), commit hashes (``main-3f2a9c1``), dates (``dev-20240101``) or build numbers.
    ``repository`` is the canonical name (``docker.io/library/postgres``).
    """
    lowered = tag.lower()
    tokens = _SEPARATORS.split(lowered)
    if any(_COMMIT.fullmatch(token) for token in tokens) or _DATE.search(tag):
        return None
    match = _first_version(tag)
    if lowered in CHANNEL_TAGS or tokens[0] in CHANNEL_TAGS:
        if match is not None and len(match.group(1).split(".")) >= 3:
            return None  # stable-1.2.3: the channel word only labels an exact release
        return f'"{tag}" is a release channel'
    if match is None:
        words = [token for token in tokens if token]
        if all(token in VARIANT_WORDS or codename_release(token) for token in words):
            release = codename_release(words[0]) if words else None
            if release is not None:
                return f'"{tag}" names {release}, which moves with each point release'
            return f'"{tag}" names no version'
        return None
    version = match.group(1)
    parts = version.split(".")
    if _BUILD_COUNTER.search(tag[: match.start(1)]):
        return None  # pr-42, build-17: a CI counter, one image per number
    if _PRERELEASE.match(tag, match.end()):
        return None  # 3.9rc1 is one exact pre-release
    scheme = scheme_for(repository)
    if scheme is None:
        return None  # how this repository tags is not known offline: 0.1 may well be one build
    needed = scheme.parts_for(int(parts[0]))
    if needed == 0:
        return f'"{tag}" is rebuilt in place; only a date or commit tag names one build'
    if len(parts) >= needed:
        return None
    if len(parts) == 1 and len(parts[0]) >= 3:
        return None  # a build number
    if re.fullmatch(r"(?:19|20)[0-9]{2}", parts[0]):
        return None  # a calendar release such as anaconda3:2019.10
    return f"{version} moves with each release"


def suggest_exact_tag(repository: str, tag: str | None) -> str | None:
    """An exact tag to suggest instead of ``tag`` (None or ``latest`` variants included), keeping
    the variant words the repository publishes (``latest-gpu`` -> ``2.16.1-gpu``)."""
    versions = EXACT_VERSIONS.get(repository)
    if versions is None:
        return None
    allowed = SUFFIX_WORDS.get(repository, frozenset())
    if tag is None:
        return versions.get("")
    if is_latest(tag):
        base, rest = versions.get(""), [w for w in re.split(r"[-_]", tag.lower()) if w != "latest"]
    else:
        match = _VERSION.match(tag)
        if match is None:
            return None
        base, rest = versions.get(match.group(1)), [w for w in re.split(r"[-_]", tag[match.end() :]) if w]
    if base is None:
        return None
    kept = [word for word in rest if word in allowed]
    return "-".join([base, *kept])


def version_line(tag: str) -> tuple[str, str, str] | None:
    """A tag that may name a version line, split into the text before its version, the version
    (one or two numbers) and the text after: ``1.3`` -> ``("", "1.3", "")``, ``v2-gpu`` ->
    ``("v", "2", "-gpu")``, ``python3.11-slim`` -> ``("python", "3.11", "-slim")``. None for a
    full version (three numbers or more), a pre-release, a build counter, a date, a commit, or a
    tag without a version. Online, the repository's tag list says whether the line moves."""
    lowered = tag.lower()
    if _DATE.search(tag) or any(_COMMIT.fullmatch(token) for token in _SEPARATORS.split(lowered)):
        return None
    match = _first_version(tag)
    if match is None or len(match.group(1).split(".")) > 2:
        return None
    if _BUILD_COUNTER.search(tag[: match.start(1)]) or _PRERELEASE.match(tag, match.end()):
        return None
    return tag[: match.start(1)], match.group(1), tag[match.end() :]


def more_specific_tags(tag: str, tags: Iterable[str]) -> list[str]:
    """The tags of ``tags`` that name a release under ``tag``'s version line (``version_line``):
    the same text around a version that extends it (``1.3`` -> ``1.3.1``, ``1.3.10``; ``v2-gpu``
    -> ``v2.0.1-gpu``), newest first. Empty when ``tag`` names no version line."""
    line = version_line(tag)
    if line is None:
        return []
    before, version, after = line
    found: list[tuple[tuple[int, ...], str]] = []
    head = before + version + "."
    for other in tags:
        if not (other.startswith(head) and other.endswith(after)) or len(other) <= len(head) + len(after):
            continue
        rest = other[len(head) : len(other) - len(after)]
        numbers = rest.split(".")
        if all(number.isascii() and number.isdigit() for number in numbers):
            found.append(((*map(int, version.split(".")), *map(int, numbers)), other))
    found.sort(key=lambda item: item[0], reverse=True)
    return [name for _, name in found]
