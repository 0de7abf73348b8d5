"""Image patterns: globs over canonical image names, as ``allowed-images`` and
``private-registries`` write them.

A pattern is a glob over the canonical name (``docker.io/library/*``, ``ghcr.io/acme/**``):

- ``*`` matches within one path component, ``?`` one character other than ``/``, ``[...]`` one
  character of a class (``[!...]`` or ``[^...]`` negates it);
- ``**`` crosses components (but never leaves the registry host): a trailing ``/**`` matches
  one or more further components, and ``/**/`` zero or more (``ghcr.io/acme/**/trainer``
  matches ``ghcr.io/acme/trainer``).

A pattern written in familiar form is normalized first with Docker's domain rule, the one
image references follow: ``python`` -> ``docker.io/library/python``, ``acme/*`` ->
``docker.io/acme/*``, ``*`` -> ``docker.io/library/*``, ``index.docker.io/x/*`` ->
``docker.io/x/*``. A lone component with ``**`` gets no ``library/``: ``docker.io/**`` is all of
Docker Hub. The registry host is compared without regard to case, as DNS does.

A tag part (``python:3.11*``, the ``:`` after the last ``/``) also constrains the tag; an image
without a tag is compared as ``latest``, and one pinned by digest without a tag only matches
patterns without a tag part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from .globs import InvalidGlob, image_name_glob, image_tag_glob
from .reference import DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX, split_docker_domain, split_name

if TYPE_CHECKING:
    from .reference import ImageRef

_GLOB = frozenset("*?[]")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# What a name can hold (letters are lowercase but in the registry host) and what a tag can.
_NAME_CHARS = _LOWER | _UPPER | frozenset("._-/:")
_TAG_CHARS = _LOWER | _UPPER | frozenset("._-")


class InvalidPattern(ValueError):
    """Raised by :meth:`ImagePattern.parse`; ``reason`` explains it without the pattern text."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"invalid image pattern {text!r}: {reason}")
        self.text = text
        self.reason = reason


class ImagePattern(NamedTuple):
    """A parsed pattern: ``text`` as written, ``name_glob`` the normalized glob over canonical
    names (registry host in lowercase) and ``tag_glob`` the glob over tags, if any."""

    text: str
    name_glob: str
    tag_glob: str | None = None

    @classmethod
    def parse(cls, text: str) -> ImagePattern:
        """Parse and normalize ``text``; :class:`InvalidPattern` says why it cannot be a pattern."""
        name, tag = _split(text)
        name_glob = _normalize(text, name)
        try:  # reports classes that do not close, before any use
            image_name_glob(name_glob)
            if tag is not None:
                image_tag_glob(tag)
        except InvalidGlob as exc:
            raise InvalidPattern(text, exc.reason) from None
        return cls(text=text, name_glob=name_glob, tag_glob=tag)

    @property
    def glob(self) -> str:
        """The normalized pattern: the name glob and, if any, the tag glob."""
        return self.name_glob if self.tag_glob is None else f"{self.name_glob}:{self.tag_glob}"

    def matches(self, ref: ImageRef) -> bool:
        """Whether the image's canonical name (and tag, when the pattern has a tag part) match."""
        if not image_name_glob(self.name_glob).matches(f"{ref.domain.lower()}/{ref.path}"):
            return False
        if self.tag_glob is None:
            return True
        if ref.tag is None and ref.digest is not None:
            return False
        return image_tag_glob(self.tag_glob).matches(ref.tag or "latest")

    def matches_written(self, text: str) -> bool:
        """Whether the normalized name glob matches the image name exactly as written in
        ``text`` (its tag and digest left out, nothing normalized): Valohai matches registry
        credentials against the name as written, so ``acme/x`` is not ``docker.io/acme/x``."""
        name, _ = split_name(text)
        return image_name_glob(self.name_glob).matches(name)

    def __str__(self) -> str:
        return self.text


def _split(text: str) -> tuple[str, str | None]:
    """Check the characters of ``text``; its name part and its tag part (``None`` without)."""
    if not text:
        raise InvalidPattern(text, "it is empty")
    if any(ch.isspace() for ch in text):
        raise InvalidPattern(text, "it contains whitespace")
    if "@" in text:
        raise InvalidPattern(text, "it has a digest part; a pattern matches names and tags, not digests")
    name, rest = split_name(text)
    _check_characters(text, name, _NAME_CHARS, "it contains")
    if not name or name.startswith("/") or name.endswith("/") or "//" in name:
        raise InvalidPattern(text, "it has an empty path component")
    if not rest:
        return name, None
    tag = rest[1:]
    if not tag:
        raise InvalidPattern(text, "the tag after ':' is empty")
    if ":" in tag:
        raise InvalidPattern(text, "it has more than one ':' in the last path component")
    _check_characters(text, tag, _TAG_CHARS, "the tag contains")
    return name, tag


def _check_characters(text: str, part: str, allowed: frozenset[str], what: str) -> None:
    """Every character of ``part`` can occur in a reference, or is glob syntax (``[!`` and
    ``[^`` negate a class)."""
    for i, ch in enumerate(part):
        if ch in allowed or ch in _GLOB or (ch in "!^" and part[i - 1 : i] == "["):
            continue
        raise InvalidPattern(text, f"{what} the character {ch!r}")


def _normalize(text: str, name: str) -> str:
    """The canonical-name glob of ``name``, by Docker's domain rule."""
    domain, remote = split_docker_domain(name)
    # Docker adds library/ to a lone component, but a lone component with ** crosses components.
    added_library = domain == DEFAULT_DOMAIN and not name.endswith(remote)
    if added_library and "**" in remote:
        remote = remote.removeprefix(OFFICIAL_REPO_PREFIX)
    if remote.lower() != remote:
        reason = "the repository path must be lowercase (capitals are allowed only in the host and tag)"
        raise InvalidPattern(text, reason)
    if ":" in remote:
        raise InvalidPattern(text, "':' may only follow the registry host (a port) or start the tag")
    return f"{domain.lower()}/{remote}"
