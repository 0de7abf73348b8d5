"""What a registry says about an image reference: the facts the online rules judge by.

The online stage (``lookups``) asks each image's registry once per distinct reference and hands
the answers to the rules as ``ImageFacts``, keyed by the reference's ``LookupKey``. Everything
here is a plain value: no HTTP, no files, no clock. ``read_manifest`` turns a manifest's bytes
(as the registry served them) into a ``Manifest``.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .model import Fix, ParsedSite
    from .reference import ImageRef

DOCKER_HUB = "docker.io"
DOCKER_HUB_HOSTS = (DOCKER_HUB, "index.docker.io", "registry-1.docker.io")
"""The names of Docker Hub's registry, in the order Docker's credential keys are tried."""

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_TYPES = (OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST)
"""What a client asks for (``Accept``): without them registries answer 404 or convert."""
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})
MAX_INDEX_MANIFESTS = 1024
"""The most entries an index may list (real ones list a few dozen, attestations included)."""
MAX_SIZE = 2**53
"""The largest size believed (a JSON number every reader holds exactly); a bigger one is no size."""
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
_HEX = frozenset("0123456789abcdef")


class Platform(NamedTuple):
    """An OS and CPU architecture (and variant) an image is built for: ``linux/amd64``."""

    os: str
    architecture: str
    variant: str = ""

    def __str__(self) -> str:
        return "/".join(part for part in self if part)

    @classmethod
    def parse(cls, text: str) -> Platform:
        """``linux/amd64`` or ``linux/arm64/v8``; ``ValueError`` for anything else."""
        parts = text.strip().split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f'"{text}" is not a platform such as linux/amd64')
        return cls(*parts)

    def runs(self, wanted: Platform) -> bool:
        """Whether an image built for this platform serves ``wanted`` (a variant asked for must
        match; an image without a variant serves any)."""
        if (self.os, self.architecture) != (wanted.os, wanted.architecture):
            return False
        return not wanted.variant or not self.variant or self.variant == wanted.variant


class Manifest(NamedTuple):
    """One manifest: its digest and media type; for an index (a multi-platform image), each
    child's platform and digest; for one image, the platform its config names (when read) and
    its compressed size (config and layers, as pulled)."""

    digest: str
    media_type: str
    children: tuple[tuple[Platform, str], ...] = ()
    platform: Platform | None = None
    size: int | None = None

    @property
    def is_index(self) -> bool:
        return self.media_type in INDEX_TYPES

    @property
    def platforms(self) -> tuple[Platform, ...]:
        """What the image runs on: an index's children (attestations left out), or the one
        platform of a single image (none when its config was not read)."""
        if self.is_index:
            return tuple(platform for platform, _ in self.children if platform.os != "unknown")
        return (self.platform,) if self.platform is not None else ()

    def child_for(self, wanted: Platform) -> str | None:
        """The digest of the child that serves ``wanted`` (an index), else None."""
        return next((digest for platform, digest in self.children if platform.runs(wanted)), None)


class Status(enum.Enum):
    """How a lookup ended."""

    FOUND = "found"
    MISSING_REPOSITORY = "missing-repository"
    MISSING_TAG = "missing-tag"
    MISSING_DIGEST = "missing-digest"
    DENIED = "denied"  # the registry refused the credentials available (or the lack of them)
    FAILED = "failed"  # no answer: timeout, DNS, TLS, 5xx after retries, a malformed answer


class LookupKey(NamedTuple):
    """What one lookup asks: a registry (as written in the reference: ``docker.io``,
    ``ghcr.io``, ``127.0.0.1:5000``), a repository in it, and the tag and/or digest. An untagged
    reference without a digest asks for ``latest``, as Docker pulls it."""

    registry: str
    repository: str
    tag: str | None
    digest: str | None

    def __str__(self) -> str:
        tag = f":{self.tag}" if self.tag is not None else ""
        digest = f"@{self.digest}" if self.digest is not None else ""
        return f"{self.registry}/{self.repository}{tag}{digest}"


def lookup_key(ref: ImageRef) -> LookupKey:
    """The lookup a parsed reference needs."""
    tag = ref.tag if ref.tag is not None or ref.digest is not None else "latest"
    return LookupKey(ref.domain or DOCKER_HUB, ref.path, tag, ref.digest)


class ImageFacts(NamedTuple):
    """What the registry said about one ``LookupKey``.

    ``manifest`` is what the reference pulls: the digest's manifest when it pins one, else the
    tag's. ``tag_manifest`` is what the tag points at now, when the reference has both a tag and
    a digest (``tag_digest`` its digest; for a tag alone, the same as ``manifest.digest``).
    ``private`` is True when anonymous access was refused and the user's credentials were
    needed; False when anonymous access read it; None when unknown. ``tags`` is, for a tag that
    names a version line (``tags.version_line``: ``1.3``, ``v2-gpu``), the repository's tags under
    that line, newest first (``1.3.1``, ``1.3.0``; empty: the line has no release under it), and
    None when not asked; ``same_digest_tag`` is the one of them that points at the same digest as
    the tag now (the release the line is at), when one of the newest does. ``reason`` says, in
    one line, why a lookup did not find the image (for ``DENIED`` and ``FAILED``: what the
    registry or the network said).
    ``platform_sizes`` is the compressed size, by platform text, of each platform's image that
    was read (the wanted platforms').
    """

    key: LookupKey
    status: Status
    reason: str = ""
    manifest: Manifest | None = None
    tag_manifest: Manifest | None = None
    tag_digest: str | None = None
    private: bool | None = None
    tags: tuple[str, ...] | None = None
    platform_sizes: tuple[tuple[str, int], ...] = ()
    same_digest_tag: str | None = None

    @property
    def found(self) -> bool:
        return self.status is Status.FOUND


class RegistryError(Exception):
    """A lookup that did not get its answer. ``kind`` is ``not-found``, ``denied`` or ``failed``;
    ``code`` the registry's error code when it sent one (``MANIFEST_UNKNOWN``, ``NAME_UNKNOWN``,
    ``BLOB_UNKNOWN``, ``UNAUTHORIZED``, ``DENIED``, ...); ``message`` one line for users, which
    never holds a credential or a token."""

    def __init__(self, kind: str, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"RegistryError({self.kind!r}, {self.message!r}, code={self.code!r})"


class ManifestError(ValueError):
    """A manifest that is not JSON of a known shape."""


def platform_name(text: object) -> bool:
    """Whether ``text`` can be an OS, architecture or variant name (``linux``, ``arm64``, ``v8``):
    a registry's answer is untrusted, and a name goes into messages and decides which image runs."""
    return isinstance(text, str) and 0 < len(text) <= 64 and set(text) <= _NAME_CHARACTERS


def valid_platform(platform: Platform) -> bool:
    return (
        platform_name(platform.os)
        and platform_name(platform.architecture)
        and (platform.variant == "" or platform_name(platform.variant))
    )


def is_digest(text: object) -> bool:
    """``sha256:`` and 64 lower-case hex digits, or another algorithm's ``algorithm:encoded`` (the
    OCI form, at least 32 characters encoded)."""
    if not isinstance(text, str) or len(text) > 256:
        return False
    algorithm, colon, encoded = text.partition(":")
    if algorithm == "sha256":
        return len(encoded) == 64 and set(encoded) <= _HEX
    parts = algorithm.replace("+", ".").replace("_", ".").replace("-", ".").split(".")
    return (
        bool(colon)
        and len(encoded) >= 32
        and all(
            part and set(part) <= _NAME_CHARACTERS - set("._-") and part.lower() == part for part in parts
        )
        and set(encoded) <= _NAME_CHARACTERS - {"."} | {"="}
    )


def valid_size(value: object) -> bool:
    """A size in bytes a registry could mean: an integer (not a boolean) from 0 to ``MAX_SIZE``."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SIZE


def _json(body: bytes) -> object:
    """``body`` as JSON; ``ValueError`` for anything else, deep nesting included."""
    import json

    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(exc.__class__.__name__) from None


def read_manifest(digest: str, media_type: str, body: bytes) -> Manifest:
    """The ``Manifest`` a registry served (``body`` as served, ``media_type`` from its
    ``Content-Type`` or, failing that, its ``mediaType`` field); ``ManifestError`` when it is not
    a manifest or an index. A single image's platform needs its config blob (``with_config``).
    An index's entry with a malformed digest or platform name is left out (it runs nowhere Docker
    would pick it); an index of more than ``MAX_INDEX_MANIFESTS`` entries is an error. A size out
    of range makes the image's size unknown."""
    try:
        document = _json(body)
    except ValueError as exc:
        raise ManifestError(f"the manifest is not JSON ({exc})") from None
    if not isinstance(document, dict):
        raise ManifestError("the manifest is not a JSON object")
    declared = document.get("mediaType")
    kind = media_type.split(";")[0].strip()
    if kind not in MANIFEST_TYPES and isinstance(declared, str):
        kind = declared
    if kind not in MANIFEST_TYPES:
        kind = OCI_INDEX if isinstance(document.get("manifests"), list) else OCI_MANIFEST
    if kind in INDEX_TYPES:
        entries = document.get("manifests")
        if isinstance(entries, list) and len(entries) > MAX_INDEX_MANIFESTS:
            raise ManifestError(f"the index lists more than {MAX_INDEX_MANIFESTS} manifests")
        children = []
        for entry in _objects(entries, "manifests"):
            child = entry.get("digest")
            platform = entry.get("platform")
            if not is_digest(child) or not isinstance(platform, dict):
                continue  # an entry without a platform runs nowhere Docker would pick it
            assert isinstance(child, str)
            found = Platform(
                _text(platform.get("os")), _text(platform.get("architecture")), _text(platform.get("variant"))
            )
            if valid_platform(found):
                children.append((found, child))
        return Manifest(digest, kind, tuple(children))
    config = document.get("config")
    layers = list(_objects(document.get("layers"), "layers"))
    if not isinstance(config, dict):
        raise ManifestError("the manifest has no config")
    sizes = [
        size for item in [config, *layers] if valid_size(size := item.get("size")) and isinstance(size, int)
    ]
    total = sum(sizes) if len(sizes) == 1 + len(layers) else None
    return Manifest(digest, kind, size=total if valid_size(total) else None)


def config_digest(body: bytes) -> str | None:
    """The digest of a single image manifest's config blob (to read its platform)."""
    try:
        document = _json(body)
    except ValueError:
        return None
    config = document.get("config") if isinstance(document, dict) else None
    digest = config.get("digest") if isinstance(config, dict) else None
    return digest if is_digest(digest) else None


def with_config(manifest: Manifest, config: bytes) -> Manifest:
    """``manifest`` with the platform its config blob names (unchanged when the blob names none, or
    a malformed one)."""
    try:
        document = _json(config)
    except ValueError:
        return manifest
    if not isinstance(document, dict):
        return manifest
    found = Platform(
        _text(document.get("os")), _text(document.get("architecture")), _text(document.get("variant"))
    )
    return manifest._replace(platform=found) if valid_platform(found) else manifest


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _objects(value: object, field: str) -> list[dict[str, object]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ManifestError(f'the manifest\'s "{field}" is not a list')
    return [item for item in value if isinstance(item, dict)]


def sha256_digest(body: bytes) -> str:
    """The content digest of ``body`` (when a registry sends no ``Docker-Content-Digest``)."""
    import hashlib

    return "sha256:" + hashlib.sha256(body).hexdigest()


def human_size(size: int) -> str:
    """A compressed size for a message: ``312 MB``, ``48.2 MB``, ``900 kB`` (decimal units, as
    registries' web pages show them)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{size} B"


def short_digest(digest: str) -> str:
    """A digest as messages show it: its algorithm and first 12 hex digits (``sha256:0123456789ab…``)."""
    algorithm, _, hex_part = digest.partition(":")
    return f"{algorithm}:{hex_part[:12]}…" if len(hex_part) > 12 else digest


def facts_record(facts: ImageFacts) -> dict[str, object]:
    """The facts of one image as machine formats (JSON, SARIF) carry them: the lookup, how it
    ended, the digest it pulls, what the tag points at, its platforms and compressed sizes."""
    manifest = facts.manifest
    return {
        "reference": str(facts.key),
        "status": facts.status.value,
        "reason": facts.reason or None,
        "digest": manifest.digest if manifest is not None else None,
        "tag_digest": facts.tag_digest,
        "media_type": manifest.media_type if manifest is not None else None,
        "platforms": [str(platform) for platform in manifest.platforms] if manifest is not None else [],
        "compressed_size": dict(facts.platform_sizes),
        "private": facts.private,
    }


def digest_pin(parsed: ParsedSite, facts: ImageFacts | None) -> Fix | None:
    """The unsafe fix that pins what the image's tag points at now, its digest written after the
    reference as it stands (``python:3.11`` -> ``python:3.11@sha256:…``; the tag stays for people
    and Renovate to read): for a multi-platform image, the index's digest, never one platform's.
    None offline, for an image not found, already pinned, or not written verbatim in the file."""
    from .model import Applicability, Edit, Fix

    site = parsed.site
    if facts is None or not facts.found or facts.manifest is None or facts.key.digest is not None:
        return None
    if parsed.ref is None or site.value is None or parsed.ref.raw != site.value:
        return None
    span = site.value_span(len(site.value), 0)
    if span is None:
        return None
    digest = facts.manifest.digest
    title = f"Pin the current digest {short_digest(digest)}"
    return Fix(title, (Edit(span, "@" + digest),), Applicability.UNSAFE)
