"""The facts cache: what registries said about images, kept between runs, so that a repeat run
asks the network only for what it has not asked lately. The one module that knows its layout.

Two kinds of entries, in one file (``FILE_NAME``) of ``cache.files``' records, in the folder the
run passes (``cache.files.default_directory()``; None: no file, the entries live as long as the
object):

- a tag lookup's ``ImageFacts``, keyed by its ``LookupKey`` (registry, repository, tag and
  digest), served while younger than the ``ttl``: a tag moves. Only answers that say something
  about the image are kept (``FOUND`` and the ``MISSING_*``); ``DENIED`` and ``FAILED`` depend on
  the credentials and the network of the moment, and are asked again;
- a ``Manifest``, keyed by registry, repository and digest, served for ever: a digest names its
  content. A digest read from one registry says nothing of another's, so both are in the key.

A record is ``[seconds since the epoch when stored, entry]``, the entry of plain tuples, text,
numbers and None (``_encode_facts``, ``_encode_manifest``). Decoding checks every field's type,
every digest's form, every platform name, media type and size as ``facts.read_manifest`` checks a
registry's answer, and that the entry is the one its key names; anything else (a damaged,
truncated or hostile file, or one from another version) is a miss, never an error. A record
stored in the future is stale. No credential is stored: ``ImageFacts`` holds none, and its
``reason`` is stored as the caller gave it.

``save`` merges with what other processes wrote since this one read the file (the newer of two
entries under one key wins), keeps the newest ``MAX_ENTRIES``, and replaces the file atomically
(``cache.files`` writes it ``0600`` in a ``0700`` folder of the user's own); it never raises.
"""

from __future__ import annotations

import os
import threading
import time

from ..facts import (
    MANIFEST_TYPES,
    MAX_INDEX_MANIFESTS,
    ImageFacts,
    LookupKey,
    Manifest,
    Platform,
    Status,
    is_digest,
    valid_platform,
    valid_size,
)
from .files import MAX_RECORD_BYTES, dump_value, load_value, read_records, write_records

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

FILE_NAME = "facts-v1"
MAX_ENTRIES = 5_000
STORED_STATUSES = frozenset(
    {Status.FOUND, Status.MISSING_REPOSITORY, Status.MISSING_TAG, Status.MISSING_DIGEST}
)
"""``sha256:`` and 64 hex digits, or another algorithm's ``algorithm:encoded`` (the OCI form)."""
_TAG_KIND = "tag"
_MANIFEST_KIND = "manifest"


def _is_digest(value: object) -> bool:
    return is_digest(value)


def _optional(value: object, kind: type) -> bool:
    return value is None or isinstance(value, kind)


# -- the entries as plain values ---------------------------------------------------------------------

PlatformValue = tuple[str, str, str]
ManifestValue = tuple[str, str, tuple[tuple[str, str, str, str], ...], PlatformValue | None, int | None]


def _encode_platform(platform: Platform) -> PlatformValue:
    return (platform.os, platform.architecture, platform.variant)


def _encode_manifest(manifest: Manifest) -> ManifestValue:
    children = tuple((*_encode_platform(platform), child) for platform, child in manifest.children)
    platform = _encode_platform(manifest.platform) if manifest.platform is not None else None
    return (manifest.digest, manifest.media_type, children, platform, manifest.size)


def _decode_platform(value: object) -> Platform | None:
    """A platform whose names are such as a registry's answer could give (``facts.read_manifest``
    checks them the same way): none with an escape or a newline comes out of the cache."""
    if isinstance(value, tuple) and len(value) == 3 and all(isinstance(part, str) for part in value):
        platform = Platform(*value)
        return platform if valid_platform(platform) else None
    return None


def _decode_manifest(value: object) -> Manifest | None:
    if not (isinstance(value, tuple) and len(value) == 5):
        return None
    digest, media_type, children, platform_value, size = value
    if not (_is_digest(digest) and media_type in MANIFEST_TYPES and isinstance(children, tuple)):
        return None
    if len(children) > MAX_INDEX_MANIFESTS or not (size is None or valid_size(size)):
        return None
    platform = _decode_platform(platform_value)
    if platform_value is not None and platform is None:
        return None
    decoded: list[tuple[Platform, str]] = []
    for child in children:
        if not (isinstance(child, tuple) and len(child) == 4 and _is_digest(child[3])):
            return None
        child_platform = _decode_platform(child[:3])
        if child_platform is None:
            return None
        decoded.append((child_platform, child[3]))
    return Manifest(digest, media_type, tuple(decoded), platform, size)


def _encode_facts(facts: ImageFacts) -> tuple[object, ...]:
    key = facts.key
    return (
        (key.registry, key.repository, key.tag, key.digest),
        facts.status.value,
        facts.reason,
        _encode_manifest(facts.manifest) if facts.manifest is not None else None,
        _encode_manifest(facts.tag_manifest) if facts.tag_manifest is not None else None,
        facts.tag_digest,
        facts.private,
        tuple(facts.tags) if facts.tags is not None else None,
        tuple((str(platform), size) for platform, size in facts.platform_sizes),
        facts.same_digest_tag,
    )


def _decode_facts(value: object) -> ImageFacts | None:
    if not (isinstance(value, tuple) and len(value) == 10):
        return None
    key_value, status_value, reason, manifest_value, tag_manifest_value, tag_digest, private, tags, sizes = (
        value[:9]
    )
    same_digest_tag = value[9]
    if not _optional(same_digest_tag, str):
        return None
    if not (isinstance(key_value, tuple) and len(key_value) == 4):
        return None
    registry, repository, tag, digest = key_value
    if not (isinstance(registry, str) and isinstance(repository, str) and isinstance(tag, str)):
        return None
    if not (digest is None or _is_digest(digest)) or not (tag_digest is None or _is_digest(tag_digest)):
        return None
    if not (isinstance(reason, str) and _optional(private, bool)):
        return None
    try:
        status = Status(status_value)
    except ValueError:
        return None
    if status not in STORED_STATUSES:
        return None
    manifest = _decode_manifest(manifest_value)
    tag_manifest = _decode_manifest(tag_manifest_value)
    if (manifest_value is not None and manifest is None) or (
        tag_manifest_value is not None and tag_manifest is None
    ):
        return None
    if tags is not None and not (isinstance(tags, tuple) and all(isinstance(item, str) for item in tags)):
        return None
    if not isinstance(sizes, tuple):
        return None
    platform_sizes: list[tuple[str, int]] = []
    for item in sizes:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
            return None
        try:
            platform = Platform.parse(item[0])
        except ValueError:
            return None
        size = item[1]
        if not (valid_platform(platform) and str(platform) == item[0] and valid_size(size)):
            return None
        platform_sizes.append((item[0], size))
    return ImageFacts(
        LookupKey(registry, repository, tag, digest),
        status,
        reason,
        manifest,
        tag_manifest,
        tag_digest,
        private,
        tags,
        tuple(platform_sizes),
        same_digest_tag,
    )


def _tag_key(key: LookupKey) -> str:
    return "\0".join((_TAG_KIND, key.registry, key.repository, key.tag or "", key.digest or ""))


def _manifest_key(registry: str, repository: str, digest: str) -> str:
    return "\0".join((_MANIFEST_KIND, registry, repository, digest))


def _stored_at(record: bytes) -> float | None:
    value = load_value(record)
    if not (isinstance(value, tuple) and len(value) == 2):
        return None
    stored = value[0]
    return float(stored) if isinstance(stored, (int, float)) and not isinstance(stored, bool) else None


# -- the cache --------------------------------------------------------------------------------------------


class FactsCache:
    """Registry facts kept between runs (see the module's docstring). ``now`` is the clock (seconds
    since the epoch); tests pass their own. Safe to use from several threads."""

    def __init__(
        self, directory: str | None, ttl: float = 3600.0, now: Callable[[], float] = time.time
    ) -> None:
        self.path = os.path.join(directory, FILE_NAME) if directory else None
        self.ttl = ttl
        self.now = now
        self._lock = threading.Lock()
        self._loaded: dict[str, bytes] | None = None  # read on first use
        self._new: dict[str, bytes] = {}

    def _records(self) -> dict[str, bytes]:
        if self._loaded is None:
            self._loaded = self._read()
        return self._loaded

    def _read(self) -> dict[str, bytes]:
        if self.path is None:
            return {}
        try:
            return read_records(self.path) or {}
        except Exception:  # cache.files returns None for what it cannot read; this is belt and braces
            return {}

    def _entry(self, key: str) -> tuple[float, object] | None:
        with self._lock:
            record = self._new.get(key)
            if record is None:
                record = self._records().get(key)
        value = load_value(record) if record is not None else None
        if not (isinstance(value, tuple) and len(value) == 2):
            return None
        stored, entry = value
        if not isinstance(stored, (int, float)) or isinstance(stored, bool):
            return None
        return float(stored), entry

    def _put(self, key: str, entry: object) -> None:
        record = dump_value((float(self.now()), entry))
        if record is None or len(key.encode("utf-8", "surrogatepass")) + len(record) + 8 > MAX_RECORD_BYTES:
            return
        with self._lock:
            self._new.pop(key, None)
            self._new[key] = record
            while len(self._new) > MAX_ENTRIES:
                del self._new[next(iter(self._new))]

    def tag(self, key: LookupKey, ttl: float | None = None) -> ImageFacts | None:
        """The facts stored for a tag lookup (``key.tag`` set, with or without a digest) less than
        ``ttl`` seconds ago (the cache's own ``ttl`` when not given); else None."""
        if key.tag is None:
            return None
        found = self._entry(_tag_key(key))
        if found is None:
            return None
        stored, entry = found
        if not 0 <= self.now() - stored < (self.ttl if ttl is None else ttl):
            return None
        facts = _decode_facts(entry)
        return facts if facts is not None and facts.key == key else None

    def put_tag(self, facts: ImageFacts) -> None:
        """Keep a tag lookup's facts: only ``FOUND`` and ``MISSING_*`` ones, of a key with a tag."""
        if facts.status in STORED_STATUSES and facts.key.tag is not None:
            self._put(_tag_key(facts.key), _encode_facts(facts))

    def manifest(self, registry: str, repository: str, digest: str) -> Manifest | None:
        """The manifest stored for ``digest`` in that registry's repository, however old."""
        found = self._entry(_manifest_key(registry, repository, digest))
        manifest = _decode_manifest(found[1]) if found is not None else None
        return manifest if manifest is not None and manifest.digest == digest else None

    def put_manifest(self, registry: str, repository: str, manifest: Manifest) -> None:
        self._put(_manifest_key(registry, repository, manifest.digest), _encode_manifest(manifest))

    def save(self) -> None:
        """Merge the new entries into the file as it is now (the newer entry under a key wins),
        keep the newest ``MAX_ENTRIES`` and replace the file atomically. Never raises: a cache
        that cannot be written is no cache."""
        try:
            self._save()
        except Exception:  # a cache that cannot be saved is no cache
            return

    def _save(self) -> None:
        with self._lock:
            if self.path is None or not self._new:
                return
            records = self._read()
            for key, record in self._new.items():
                theirs = records.get(key)
                if theirs is not None:
                    ours, other = _stored_at(record), _stored_at(theirs)
                    if ours is None or (other is not None and other > ours):
                        continue  # another process stored a newer answer meanwhile
                records.pop(key, None)  # to the end: the newest stay when the oldest are dropped
                records[key] = record
            if len(records) > MAX_ENTRIES:
                records = dict(list(records.items())[-MAX_ENTRIES:])
            if write_records(self.path, records):
                self._loaded = records
                self._new.clear()
