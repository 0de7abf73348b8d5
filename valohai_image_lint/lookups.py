"""The online stage: what the registries say about every image of a run, each lookup once.

The workspace collects the references of every file first, then ``Lookups.resolve`` asks for
each distinct one (``facts.LookupKey``) in parallel (a bounded pool, ``registry-workers``) and
returns ``ImageFacts``, which the rules receive with their options. Lookups never raise: a
registry that cannot be asked is a ``FAILED`` fact, with the reason (VIL404).

One lookup of a tag is a ``HEAD`` of the tag (its digest), then the manifest by digest (from the
facts cache when it is there: a digest's manifest never changes), then, for a single image, its
config blob (its platform), and for an index, the manifest of the child for the first wanted
platform (its compressed size). A digest is read the same way. What a tag points at is cached
for ``registry-cache-ttl`` seconds; a warm run makes no request. ``requests`` is imported here
only when a lookup has to be made (``registry_client``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, NamedTuple

from .facts import (
    ImageFacts,
    LookupKey,
    Manifest,
    ManifestError,
    Platform,
    RegistryError,
    Status,
    config_digest,
    read_manifest,
    with_config,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import TextIO

    from .cache.facts import FactsCache
    from .config.settings import RegistrySettings
    from .credentials import DockerCredentials
    from .registry_client import RegistryClient

MAX_LINE_TAGS = 20
"""The most tags under a version line kept in the facts (the newest)."""
SAME_DIGEST_TRIES = 3
"""How many of the newest tags under a line are asked whether they point where the line does."""
PROGRESS_AFTER = 1.0
"""Seconds of lookups after which progress is shown (on a terminal only)."""


class Wanted(NamedTuple):
    """How one lookup is to be made: the registry settings of the first file that names it, and
    the platforms Valohai's workers run (the first one's image is measured)."""

    registry: RegistrySettings
    platforms: tuple[Platform, ...]


class Lookups:
    """The online stage of a workspace: the facts learned in its runs (``known``), the facts cache
    (``cache_directory``; None: none), the Docker credentials, and one client per distinct
    registry settings. ``progress``, when a terminal, shows how far lookups are once they take
    over a second. ``warnings`` collects one-line problems (an unreadable Docker config)."""

    def __init__(self, cache_directory: str | None, progress: TextIO | None = None) -> None:
        self.cache_directory = cache_directory
        self.progress = progress
        self.known: dict[LookupKey, ImageFacts] = {}
        self.warnings: list[str] = []
        self._cache: FactsCache | None = None
        self._credentials: DockerCredentials | None = None
        self._clients: dict[tuple[tuple[str, ...], float, float], RegistryClient] = {}
        self._learned: dict[LookupKey, float] = {}  # when each fact in ``known`` was learned
        self._tag_lists = _TagLists()

    def resolve(self, wanted: Mapping[LookupKey, Wanted]) -> Mapping[LookupKey, ImageFacts]:
        """The facts of every key in ``wanted`` (and of those learned before). A fact learned more
        than its ``registry-cache-ttl`` ago is asked again (a long-lived workspace: an editor's)."""
        now = time.monotonic()
        for key in wanted:
            if key in self.known and now - self._learned.get(key, now) >= wanted[key].registry.cache_ttl:
                del self.known[key]
        todo = [key for key in wanted if key not in self.known]
        if not todo:
            return self.known
        for key in todo:
            self._learned[key] = now
        self._tag_lists = _TagLists()  # each repository's tags listed at most once a resolve
        cache = self._facts_cache()
        for key in todo:  # what the facts cache answers, without the network (nor importing it)
            cached = self._from_cache(cache, key, wanted[key])
            if cached is not None:
                self.known[key] = cached
        todo = [key for key in todo if key not in self.known]
        if not todo:
            return self.known
        from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

        for key in todo:
            self._client(wanted[key].registry)  # made here, so the pool's threads only read them
        workers = max(wanted[key].registry.workers for key in todo)
        start = time.monotonic()
        shown = False
        with ThreadPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            futures = {pool.submit(self._one, cache, key, wanted[key]): key for key in todo}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                for future in done:
                    self.known[futures[future]] = future.result()
                if self._show_progress(start):
                    finished = len(todo) - len(pending)
                    assert self.progress is not None
                    self.progress.write(f"\rchecking images with their registries: {finished}/{len(todo)}")
                    self.progress.flush()
                    shown = True
        if shown and self.progress is not None:
            self.progress.write("\r\033[K")
            self.progress.flush()
        if self._credentials is not None:
            self.warnings.extend(self._credentials.warnings)
            self._credentials.warnings.clear()
        return self.known

    def _show_progress(self, start: float) -> bool:
        if self.progress is None or time.monotonic() - start < PROGRESS_AFTER:
            return False
        try:
            return self.progress.isatty()
        except (AttributeError, ValueError, OSError):
            return False

    def save(self) -> None:
        """Write what the facts cache learned; close the clients."""
        if self._cache is not None:
            self._cache.save()
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def _facts_cache(self) -> FactsCache:
        if self._cache is None:
            from .cache.facts import FactsCache

            self._cache = FactsCache(self.cache_directory)
        return self._cache

    def _client(self, settings: RegistrySettings) -> RegistryClient:
        """The client for ``settings`` (one per distinct plain-HTTP hosts and timeouts)."""
        key = _client_key(settings)
        if key not in self._clients:
            from .credentials import DockerCredentials
            from .registry_client import RegistryClient

            if self._credentials is None:
                self._credentials = DockerCredentials()
            self._clients[key] = RegistryClient(
                self._credentials.for_registry,
                connect_timeout=settings.connect_timeout,
                read_timeout=settings.read_timeout,
                insecure=settings.insecure,
            )
        return self._clients[key]

    def _from_cache(self, cache: FactsCache, key: LookupKey, wanted: Wanted) -> ImageFacts | None:
        """The facts of ``key`` as the facts cache alone gives them (a tag fresh there, a digest's
        manifests), or None when a request is needed."""
        try:
            cached = cache.tag(key, wanted.registry.cache_ttl) if key.tag is not None else None
            if cached is not None or key.tag is not None:
                return cached
            return _Lookup(_needs_network, cache, key, wanted.platforms, self._tag_lists).run()
        except Exception:  # _NeedsNetwork, or anything else: the full lookup says what it is
            return None

    def _one(self, cache: FactsCache, key: LookupKey, wanted: Wanted) -> ImageFacts:
        """One lookup that the cache could not answer (``_from_cache``); never raises."""
        try:
            client = self._clients[_client_key(wanted.registry)]
            facts = _Lookup(lambda: client, cache, key, wanted.platforms, self._tag_lists).run()
            if key.tag is not None and facts.found:
                # Found images only: a tag pushed after a run said it was missing is found by the next.
                cache.put_tag(facts)
        except RegistryError as exc:
            facts = ImageFacts(key, Status.FAILED, reason=exc.message)
        except Exception as exc:  # a bug of ours must not stop the other lookups, nor the run
            facts = ImageFacts(key, Status.FAILED, reason=f"an unexpected error ({exc.__class__.__name__})")
        return facts


def _client_key(settings: RegistrySettings) -> tuple[tuple[str, ...], float, float]:
    return settings.insecure, settings.connect_timeout, settings.read_timeout


class _TagLists:
    """Each repository's tag list, asked once however many lookups need it (thread-safe)."""

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._lists: dict[tuple[str, str], list[str] | RegistryError] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}

    def get(self, client: RegistryClient, registry: str, repository: str) -> list[str]:
        """The tags of ``repository``; ``RegistryError`` as the registry answered it."""
        import threading

        key = (registry, repository)
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._lists:
                try:
                    self._lists[key] = client.list_tags(registry, repository)
                except RegistryError as exc:
                    self._lists[key] = exc
        found = self._lists[key]
        if isinstance(found, RegistryError):
            raise found
        return found


class _NeedsNetwork(Exception):
    """A lookup the facts cache alone cannot answer."""


def _needs_network() -> RegistryClient:
    raise _NeedsNetwork


class _Lookup:
    """One lookup's requests: see the module's docstring. ``client_source`` gives the client
    when a request is to be made (``_needs_network``: none may be)."""

    def __init__(
        self,
        client_source: Callable[[], RegistryClient],
        cache: FactsCache,
        key: LookupKey,
        platforms: tuple[Platform, ...],
        tag_lists: _TagLists,
    ) -> None:
        self.client_source = client_source
        self.tag_lists = tag_lists
        self.asked = False  # whether a request was made: what ``private`` can say
        self.cache = cache
        self.key = key
        self.platforms = platforms
        self.authenticated = False

    @property
    def client(self) -> RegistryClient:
        client = self.client_source()
        self.asked = True
        return client

    def run(self) -> ImageFacts:
        """The facts of the key: a registry that refuses access is a ``DENIED`` fact; a failure
        raises ``RegistryError`` (the caller's ``FAILED``)."""
        try:
            return self._found_or_missing()
        except RegistryError as exc:
            if exc.kind == "denied":
                return ImageFacts(self.key, Status.DENIED, reason=exc.message)
            raise

    def _found_or_missing(self) -> ImageFacts:
        key = self.key
        tag_manifest: Manifest | None = None
        if key.tag is not None:
            try:
                answer = self.client.head_manifest(key.registry, key.repository, key.tag)
                self.authenticated |= answer.authenticated
                tag_manifest = self._manifest(answer.digest)
            except RegistryError as exc:
                if exc.kind != "not-found":
                    raise
                if key.digest is None:
                    return ImageFacts(key, self._missing(key.tag, exc))
        manifest = tag_manifest
        if key.digest is not None:
            try:
                manifest = self._manifest(key.digest)
            except RegistryError as exc:
                if exc.kind != "not-found":
                    raise
                return ImageFacts(key, Status.MISSING_DIGEST)
        assert manifest is not None
        tag_digest = tag_manifest.digest if tag_manifest is not None else None
        under, same = self._line(tag_digest) if key.digest is None else (None, None)
        return ImageFacts(
            key,
            Status.FOUND,
            manifest=manifest,
            tag_manifest=tag_manifest,
            tag_digest=tag_digest,
            private=self.authenticated if self.asked else None,  # no request: not known
            tags=under,
            platform_sizes=self._sizes(manifest),
            same_digest_tag=same,
        )

    def _line(self, digest: str | None) -> tuple[tuple[str, ...] | None, str | None]:
        """For a tag that names a version line (``1.3``): the repository's tags under it, newest
        first (at most ``MAX_LINE_TAGS``), and the newest of them (of the first ``SAME_DIGEST_TRIES``)
        that points at ``digest`` too. (None, None) when the tag names no line or the tag list
        cannot be read: the line is then judged offline."""
        from .tags import more_specific_tags, version_line

        tag = self.key.tag
        if tag is None or digest is None or version_line(tag) is None:
            return None, None
        try:
            every = self.tag_lists.get(self.client, self.key.registry, self.key.repository)
        except RegistryError:
            return None, None
        under = more_specific_tags(tag, every)[:MAX_LINE_TAGS]
        for candidate in under[:SAME_DIGEST_TRIES]:
            try:
                answer = self.client.head_manifest(self.key.registry, self.key.repository, candidate)
            except RegistryError:
                break
            if answer.digest == digest:
                return tuple(under), candidate
        return tuple(under), None

    def _missing(self, tag: str, exc: RegistryError) -> Status:
        """Whether a tag is missing or its whole repository is. A ``HEAD`` answer has no body to
        say which, and registries answer ``MANIFEST_UNKNOWN`` for both (distribution 2.8 does);
        the tag list says ``NAME_UNKNOWN`` for a repository that does not exist."""
        if exc.code == "NAME_UNKNOWN":
            return Status.MISSING_REPOSITORY
        try:
            self.client.list_tags(self.key.registry, self.key.repository, max_tags=1, page_size=1)
        except RegistryError as again:
            return Status.MISSING_REPOSITORY if again.kind == "not-found" else Status.MISSING_TAG
        return Status.MISSING_TAG

    def _manifest(self, digest: str, platform: Platform | None = None) -> Manifest:
        """The manifest of ``digest`` (cached forever), with its platform for a single image
        (``platform`` when an index already said it, else from its config blob)."""
        key = self.key
        cached = self.cache.manifest(key.registry, key.repository, digest)
        if cached is not None:
            return cached
        answer = self.client.get_manifest(key.registry, key.repository, digest)
        self.authenticated |= answer.authenticated
        body = answer.body or b""
        try:
            manifest = read_manifest(answer.digest, answer.media_type, body)
        except ManifestError as exc:
            raise RegistryError("failed", f"{key.registry} answered a malformed manifest: {exc}") from None
        if not manifest.is_index:
            if platform is not None:
                manifest = manifest._replace(platform=platform)
            else:
                blob = config_digest(body)
                if blob is not None:
                    manifest = with_config(manifest, self.client.get_blob(key.registry, key.repository, blob))
        self.cache.put_manifest(key.registry, key.repository, manifest)
        return manifest

    def _sizes(self, manifest: Manifest) -> tuple[tuple[str, int], ...]:
        """The compressed size of the image for the first wanted platform, when it has one."""
        if not self.platforms:
            return ()
        wanted = self.platforms[0]
        if manifest.is_index:
            child = manifest.child_for(wanted)
            if child is None:
                return ()
            platform = next(p for p, digest in manifest.children if digest == child)
            image = self._manifest(child, platform)
        elif manifest.platform is not None and manifest.platform.runs(wanted):
            image = manifest
        else:
            return ()
        return ((str(wanted), image.size),) if image.size is not None else ()
