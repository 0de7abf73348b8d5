"""The image-reference grammar: the one module that knows it.

``parse_image`` follows Go's ``distribution/reference`` ``ParseNormalizedNamed`` and
``FamiliarString``. The grammar (regular expressions and digest validation) comes from
docker-image-py; the control flow is written here, because docker-image-py 0.2.0 departs from
Go in a few places:

- its patterns end in ``$``, which also matches before a final newline, so ``"python\\n"``
  would be accepted: we match with ``fullmatch``;
- its ``try_validate`` pre-check rejects names such as ``foo_bar.com/x`` that Go accepts as a
  name with no domain: we do not call it;
- ``domain()`` gives ``None`` where Go gives ``""``, and ``familiar_name()`` fails on a name with
  a digest and no tag: we compute both ourselves;
- digest errors do not derive from its ``InvalidReference``: we catch both families and raise
  our own ``InvalidImageReference``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

# docker-image-py compiles its whole grammar when imported (tens of milliseconds): it is
# imported on the first parse, so a run whose references all come from the cache skips it.
_Re: Any = None
_digest: Any = None


def _grammar() -> None:
    global _Re, _digest
    if _Re is None:
        from docker_image import digest
        from docker_image.regexp import ImageRegexps

        _Re, _digest = ImageRegexps, digest


NAME_TOTAL_LENGTH_MAX = 255
DEFAULT_DOMAIN = "docker.io"
LEGACY_DEFAULT_DOMAIN = "index.docker.io"
OFFICIAL_REPO_PREFIX = "library/"
LOCALHOST = "localhost"


class InvalidImageReference(ValueError):
    """Raised by :func:`parse_image` for text that is not a valid image reference.

    ``reason`` is a short human explanation, without the offending text.
    """

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"invalid image reference {text!r}: {reason}")
        self.text = text
        self.reason = reason


class ImageRef(NamedTuple):
    """A normalized image reference.

    ``domain`` and ``path`` are Go's ``Domain()`` and ``Path()`` after normalization
    (``python`` -> ``docker.io`` and ``library/python``); ``name`` is the canonical name without
    tag or digest; ``canonical`` is Go's ``String()`` and ``familiar`` its ``FamiliarString()``.
    """

    raw: str
    domain: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        return f"{self.domain}/{self.path}" if self.domain else self.path

    @property
    def familiar_name(self) -> str:
        if self.domain != DEFAULT_DOMAIN:
            return self.name
        parts = self.path.split("/")
        if len(parts) == 2 and parts[0] == "library":
            return parts[1]
        return self.path

    @property
    def canonical(self) -> str:
        return self.name + self._suffix

    @property
    def familiar(self) -> str:
        return self.familiar_name + self._suffix

    @property
    def _suffix(self) -> str:
        tag = f":{self.tag}" if self.tag is not None else ""
        digest = f"@{self.digest}" if self.digest is not None else ""
        return tag + digest


def split_docker_domain(name: str) -> tuple[str, str]:
    """Docker's rule for where a name's registry ends, as ``(domain, remote)``: the first
    component is the domain when it has a ``.`` or ``:``, is ``localhost`` or has an uppercase
    letter; otherwise the domain is ``docker.io`` and a lone component gets ``library/``
    (``python`` -> ``("docker.io", "library/python")``). ``index.docker.io`` becomes ``docker.io``.
    ``name`` (without tag or digest) is not validated, so the rule also serves image patterns.
    Go's ``splitDockerDomain`` (distribution/reference, normalize.go)."""
    maybe_domain, sep, maybe_remote = name.partition("/")
    if not sep:
        return DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name
    if maybe_domain == LOCALHOST:
        domain, remote = maybe_domain, maybe_remote
    elif maybe_domain == LEGACY_DEFAULT_DOMAIN:
        domain, remote = DEFAULT_DOMAIN, maybe_remote
    elif "." in maybe_domain or ":" in maybe_domain or maybe_domain.lower() != maybe_domain:
        domain, remote = maybe_domain, maybe_remote
    else:
        domain, remote = DEFAULT_DOMAIN, name
    if domain == DEFAULT_DOMAIN and "/" not in remote:
        remote = OFFICIAL_REPO_PREFIX + remote
    return domain, remote


def split_name(text: str) -> tuple[str, str]:
    """Written reference text split into its name and the rest exactly as written: ``":tag"``,
    ``"@digest"``, ``":tag@digest"`` or ``""``. The tag is what follows a ``:`` in the last path
    component (``localhost:5000/x`` has none). Nothing is validated or normalized."""
    name, at, digest = text.partition("@")
    slash = name.rfind("/") + 1
    colon = name.find(":", slash)
    if colon == -1:
        return name, at + digest
    return name[:colon], name[colon:] + at + digest


def split_host_port(domain: str) -> tuple[str, str | None]:
    """A reference's domain split into its host and port (``None`` without one); an IPv6 host
    loses its brackets: ``[fc00::1]:5000`` -> ``("fc00::1", "5000")``."""
    if domain.startswith("["):
        host, bracket, rest = domain[1:].partition("]")
        if bracket:
            return host, rest[1:] if rest.startswith(":") else None
    host, colon, port = domain.partition(":")
    return host, port if colon else None


def _explain_format_error(text: str) -> str:
    """A more precise reason than Go's "invalid reference format", for people."""
    if not text:
        return "it is empty"
    if text != text.strip():
        return "it has leading or trailing whitespace"
    for ch in text:
        if ch.isspace():
            return "it contains whitespace"
        if not ch.isascii() or not ch.isprintable():
            return f"it contains the character {ch!r}"
    if "://" in text:
        return "it looks like a URL; write the image without a scheme"
    name, _, digest = text.partition("@")
    if digest and "@" in digest:
        return "it has more than one '@'"
    if digest and not _Re.ANCHORED_DIGEST_REGEXP.fullmatch(digest):
        return f"the digest {digest!r} is not valid (expected sha256: and 64 hexadecimal digits)"
    last = name.rsplit("/", 1)[-1]
    if last.count(":") > 1:
        return "it has more than one ':' in the last path component"
    _, colon, tag = last.partition(":")
    if colon and not _Re.ANCHORED_TAG_REGEXP.fullmatch(tag):
        if not tag:
            return "the tag after ':' is empty"
        return (
            f"the tag {tag!r} is not valid (up to 128 letters, digits, '_', '.' and '-', "
            "not starting with '.' or '-')"
        )
    if name.endswith("/") or "//" in name or name.startswith("/"):
        return "it has an empty path component"
    for ch in "?[]{}~!#$%^&*()+|<>,'\"\\=;":
        if ch in text:
            return f"it contains the character {ch!r}"
    return "it does not match the reference grammar [registry/]path[:tag][@digest]"


def _parse(text: str, original: str) -> tuple[str, str, str | None, str | None]:
    """Go's ``Parse`` of ``text``: (domain, path, tag, digest), or ``InvalidImageReference``
    naming ``original`` (what the user wrote, before normalization)."""
    match = _Re.REFERENCE_REGEXP.fullmatch(text)
    if match is None:
        if not text:
            raise InvalidImageReference(original, "repository name must have at least one component")
        if _Re.REFERENCE_REGEXP.fullmatch(text.lower()):
            raise InvalidImageReference(original, "repository name must be lowercase")
        raise InvalidImageReference(original, "invalid reference format: " + _explain_format_error(original))
    name, tag, digest = match.group(1), match.group(2), match.group(3)
    name_match = _Re.ANCHORED_NAME_REGEXP.fullmatch(name)
    if name_match is not None:
        domain, path = name_match.group(1) or "", name_match.group(2)
    else:  # pragma: no cover - the reference grammar implies the name grammar
        domain, path = "", name
    if len(path) > NAME_TOTAL_LENGTH_MAX:
        raise InvalidImageReference(
            original, f"repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters"
        )
    if digest:
        try:
            _digest.validate_digest(digest)
        except _digest.InvalidDigest as exc:
            raise InvalidImageReference(original, f"{exc} ({digest!r})") from None
    return domain, path, tag or None, digest or None


@lru_cache(maxsize=4096)
def parse_image(text: str) -> ImageRef:
    """Parse and normalize an image reference as Docker does (``ParseNormalizedNamed``).

    Raises :class:`InvalidImageReference` with a reason when ``text`` is not a valid reference.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_image expects a str, not {type(text).__name__}")
    _grammar()
    if _Re.ANCHORED_IDENTIFIER_REGEXP.fullmatch(text):
        raise InvalidImageReference(
            text, "a 64-character hexadecimal string is an image ID, not a repository name"
        )
    domain, remainder = split_docker_domain(text)
    remote = remainder.split(":", 1)[0]
    if remote.lower() != remote:
        raise InvalidImageReference(text, f"repository name ({remote}) must be lowercase")
    canonical_domain, path, tag, digest = _parse(f"{domain}/{remainder}", text)
    return ImageRef(raw=text, domain=canonical_domain, path=path, tag=tag, digest=digest)
