"""The one module that speaks HTTP: a small client for the registry API (Docker Registry HTTP API v2 /
OCI distribution) that reads manifests, blobs and tag lists.

It knows hosts, schemes, the token dance, retries and byte bounds; it does not know Docker's config
files (credentials come from a callable) nor what the answers mean (``facts`` reads them).

Security, in one place:

- https with certificate verification, always; plain http only for loopback hosts and for the hosts
  the user lists as insecure. Verification is never turned off.
- A credential goes only to the registry it belongs to and to the token service its challenge names,
  and to that service only over https (or to a loopback host). Redirects are followed here, not by
  ``requests``: an ``Authorization`` header never follows a redirect to another origin (blob
  downloads redirect to storage hosts), nor does a form (a refresh token). Every URL a registry
  names (realm, redirect, next page) must read the same to ``urllib.parse`` and to urllib3.
- Headers a registry sends are parsed in linear time, and a ``WWW-Authenticate`` or ``Link``
  longer than 16 KiB is not parsed at all.
- Messages are built here from parts that hold no secret: never from an exception's text, which may
  hold a URL.
- ``requests``' environment trust is off (a ``.netrc`` entry would replace the Bearer header); the
  proxy variables and ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` are still honoured.
"""

from __future__ import annotations

import email.utils
import hashlib
import http
import ipaddress
import json
import os
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol

import requests
import requests.adapters
import requests.utils
import urllib3.exceptions

from . import __version__
from .facts import DOCKER_HUB_HOSTS, MANIFEST_TYPES, is_digest, sha256_digest
from .facts import RegistryError as RegistryError  # raised here; the lookups catch it from facts

if TYPE_CHECKING:
    from types import TracebackType

USER_AGENT = f"valohai-image-lint/{__version__}"
DOCKER_HUB_API = "registry-1.docker.io"
_DOCKER_HUB_NAMES = frozenset(DOCKER_HUB_HOSTS)
_MAX_REDIRECTS = 5
_ERROR_BODY_BYTES = 64 * 2**10
_TOKEN_BODY_BYTES = 1 * 2**20
_TAGS_PAGE_BYTES = 16 * 2**20
_CHUNK = 64 * 2**10
_HEADER_TEXT = 16 * 2**10  # the longest WWW-Authenticate or Link value parsed (real ones: < 1 KiB)
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Credential(Protocol):
    """What ``credentials.Credential`` offers (a protocol, so this module needs not import it): a
    user name and a password or token; ``identity_token`` marks an OAuth refresh token (Docker's
    ``identitytoken``)."""

    @property
    def username(self) -> str: ...

    @property
    def secret(self) -> str: ...

    @property
    def identity_token(self) -> bool: ...


CredentialSource = Callable[[str], "Credential | None"]
"""The registry as written (``docker.io``, ``127.0.0.1:5000``) -> its credential, or None."""


class ManifestAnswer(NamedTuple):
    """A manifest as the registry served it. ``digest`` is its ``Docker-Content-Digest`` (else the
    sha256 of the body); ``body`` is None for HEAD; ``authenticated`` is True when anonymous access
    was refused and the user's credentials were needed."""

    digest: str
    media_type: str
    body: bytes | None
    authenticated: bool


class _Answer(NamedTuple):
    """One HTTP answer, read (a bounded body) and closed."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    note: str = ""  # for a refusal: why credentials did not help (our own words)


class _Grant(NamedTuple):
    """How to get into a repository: the ``Authorization`` value (None: anonymous) and whether it
    carries the user's credential."""

    authorization: str | None
    authenticated: bool


class _Challenge(NamedTuple):
    scheme: str  # lower case: "bearer", "basic"
    params: dict[str, str]  # names in lower case


class RegistryClient:
    """Reads from registries. Thread-safe: one ``requests.Session`` per host, tokens cached per
    (registry, scope) for the client's life. ``sleep`` waits between retries (tests record it)."""

    def __init__(
        self,
        credentials: CredentialSource | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        retries: int = 3,
        insecure: Collection[str] = (),
        max_manifest_bytes: int = 4 * 2**20,
        sleep: Callable[[float], None] = time.sleep,
        max_retry_after: float = 30.0,
        pool_size: int = 8,
    ) -> None:
        self._credential_source = credentials
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.retries = max(1, retries)
        self.insecure = frozenset(host.lower() for host in insecure)
        self.max_manifest_bytes = max_manifest_bytes
        self.max_retry_after = max_retry_after
        self.pool_size = pool_size
        self._sleep = sleep
        self._lock = threading.Lock()
        self._sessions: dict[tuple[str, str], requests.Session] = {}
        self._grants: dict[tuple[str, str], _Grant] = {}
        self._grant_locks: dict[tuple[str, str], threading.Lock] = {}
        self._credentials: dict[str, Credential | None] = {}
        self._requests_made = 0
        self._verify: str | bool = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )

    # -- the API ------------------------------------------------------------------------------

    @property
    def requests_made(self) -> int:
        """How many HTTP requests this client has sent (every try and every redirect counts)."""
        with self._lock:
            return self._requests_made

    def head_manifest(self, registry: str, repository: str, reference: str) -> ManifestAnswer:
        """The manifest's digest and media type without its body (a GET when the registry sends
        no digest)."""
        answer, authenticated = self._repository_request(
            registry,
            repository,
            "HEAD",
            self._url(registry, repository, f"manifests/{reference}"),
            _manifest_headers(),
            0,
        )
        what = _manifest_text(repository, reference)
        self._check(answer, registry, what)
        digest = _valid_digest(answer.headers.get("Docker-Content-Digest"))
        if digest is None:
            return self.get_manifest(registry, repository, reference)
        if _is_digest(reference) and digest != reference:
            raise RegistryError("failed", f"{registry} answered a different manifest for {what}")
        return ManifestAnswer(digest, _media_type(answer.headers), None, authenticated)

    def get_manifest(self, registry: str, repository: str, reference: str) -> ManifestAnswer:
        """The manifest's bytes as served, with its digest; a digest reference is verified."""
        answer, authenticated = self._repository_request(
            registry,
            repository,
            "GET",
            self._url(registry, repository, f"manifests/{reference}"),
            _manifest_headers(),
            self.max_manifest_bytes,
        )
        what = _manifest_text(repository, reference)
        self._check(answer, registry, what)
        if _is_digest(reference):
            if _digest_of(reference, answer.body) != reference:
                raise RegistryError("failed", f"{registry} answered a different manifest for {what}")
            digest = reference
        else:
            digest = _valid_digest(answer.headers.get("Docker-Content-Digest")) or sha256_digest(answer.body)
        return ManifestAnswer(digest, _media_type(answer.headers), answer.body, authenticated)

    def get_blob(self, registry: str, repository: str, digest: str, max_bytes: int = 2**20) -> bytes:
        """A blob's bytes (a config, say), at most ``max_bytes``, verified against ``digest``."""
        answer, _ = self._repository_request(
            registry, repository, "GET", self._url(registry, repository, f"blobs/{digest}"), {}, max_bytes
        )
        what = f"blob {digest} in {repository}"
        self._check(answer, registry, what)
        if _digest_of(digest, answer.body) != digest:
            raise RegistryError("failed", f"{registry} answered a different blob for {what}")
        return answer.body

    def list_tags(
        self, registry: str, repository: str, max_tags: int = 100_000, *, page_size: int = 1000
    ) -> list[str]:
        """Every tag of ``repository``, following the ``Link`` header from page to page (on the
        registry's own host only). More than ``max_tags`` is an error, not a silent cut."""
        base = self._base_url(registry)
        url: str | None = self._url(registry, repository, f"tags/list?n={page_size}")
        tags: list[str] = []
        seen: set[str] = set()
        what = f"repository {repository}"
        while url is not None:
            if url in seen:
                raise RegistryError("failed", f"{registry} sent a tag list whose pages go round in a circle")
            seen.add(url)
            answer, _ = self._repository_request(registry, repository, "GET", url, {}, _TAGS_PAGE_BYTES)
            self._check(answer, registry, what)
            document = _json_object(
                answer.body, f"{registry} answered malformed JSON for the tags of {repository}"
            )
            page = document.get("tags")
            if page is None:
                page = []
            if not isinstance(page, list) or not all(isinstance(tag, str) for tag in page):
                raise RegistryError("failed", f"{registry} answered a malformed tag list for {repository}")
            tags.extend(page)
            if len(tags) > max_tags:
                raise RegistryError("failed", f"answer too large: {repository} has more than {max_tags} tags")
            link = answer.headers.get("Link")
            url = _next_link(link, answer.url) if link is None or len(link) <= _HEADER_TEXT else ""
            if url is not None and not _well_formed_url(url):
                raise RegistryError(
                    "failed", f"{registry} sent a malformed link to the next page of the tags of {repository}"
                )
            if url is not None and _origin(url) != _origin(base):
                raise RegistryError(
                    "failed", f"{registry} sent the next page of the tags of {repository} to another host"
                )
        return tags

    def close(self) -> None:
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for session in sessions:
            session.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    # -- hosts and schemes -----------------------------------------------------------------

    def _base_url(self, registry: str) -> str:
        """``https://registry-1.docker.io`` for ``docker.io``; ``http://`` only for loopback and
        insecure hosts."""
        host = api_host(registry)
        plain = self._plain_http_allowed(host) or registry.lower() in self.insecure
        return f"{'http' if plain else 'https'}://{host}"

    def _plain_http_allowed(self, netloc: str) -> bool:
        """Loopback hosts and those the user named insecure (host[:port], exactly)."""
        return _is_loopback(netloc) or netloc.lower() in self.insecure

    def _url(self, registry: str, repository: str, tail: str) -> str:
        return f"{self._base_url(registry)}/v2/{repository}/{tail}"

    # -- auth ---------------------------------------------------------------------------------

    def _credential(self, registry: str) -> Credential | None:
        """The user's credential for ``registry``, asked for once (a helper may be a program)."""
        if self._credential_source is None:
            return None
        with self._lock:
            if registry in self._credentials:
                return self._credentials[registry]
        credential = self._credential_source(registry)
        with self._lock:
            self._credentials.setdefault(registry, credential)
            return self._credentials[registry]

    def _repository_request(
        self,
        registry: str,
        repository: str,
        method: str,
        url: str,
        headers: Mapping[str, str],
        max_bytes: int,
    ) -> tuple[_Answer, bool]:
        """A request into ``repository`` with whatever authorization the registry asks for.
        Returns the final answer (perhaps a 401/403: the caller says "denied") and whether the
        user's credentials were used."""
        scope = f"repository:{repository}:pull"
        key = (registry, scope)
        with self._lock:
            grant = self._grants.get(key)
            key_lock = self._grant_locks.setdefault(key, threading.Lock())
        if grant is not None:
            answer = self._send(method, url, headers, max_bytes, grant.authorization)
            if answer.status != 401:
                return answer, grant.authenticated
            with self._lock:  # the token expired: negotiate again
                if self._grants.get(key) == grant:
                    del self._grants[key]
        with key_lock:
            with self._lock:
                grant = self._grants.get(key)
            if grant is not None:
                return self._send(method, url, headers, max_bytes, grant.authorization), grant.authenticated
            answer, grant = self._negotiate(registry, scope, method, url, headers, max_bytes)
            if grant is not None:
                with self._lock:
                    self._grants[key] = grant
            return answer, bool(grant and grant.authenticated)

    def _negotiate(
        self,
        registry: str,
        scope: str,
        method: str,
        url: str,
        headers: Mapping[str, str],
        max_bytes: int,
    ) -> tuple[_Answer, _Grant | None]:
        """Anonymous first; then whatever the challenge asks for, anonymous before credentials.
        Returns the last answer and the grant that worked (None when none did)."""
        answer = self._send(method, url, headers, max_bytes, None)
        if answer.status != 401:
            return answer, (None if answer.status == 403 else _Grant(None, False))
        challenges = parse_challenges(answer.headers.get("WWW-Authenticate", ""))
        bearer = next((c for c in challenges if c.scheme == "bearer"), None)
        basic = next((c for c in challenges if c.scheme == "basic"), None)
        if bearer is not None:
            return self._bearer(registry, scope, bearer, method, url, headers, max_bytes, answer)
        if basic is not None:
            credential = self._credential(registry)
            if credential is None:
                return _with_note(answer, _no_credentials(registry)), None
            grant = _Grant(_basic(credential), True)
            answer = self._send(method, url, headers, max_bytes, grant.authorization)
            if answer.status in (401, 403):
                return _with_note(answer, "it refused the credentials configured for it"), None
            return answer, grant
        return answer, None

    def _bearer(
        self,
        registry: str,
        scope: str,
        challenge: _Challenge,
        method: str,
        url: str,
        headers: Mapping[str, str],
        max_bytes: int,
        refused: _Answer,
    ) -> tuple[_Answer, _Grant | None]:
        realm = challenge.params.get("realm", "")
        parsed = urllib.parse.urlsplit(realm)
        if not _well_formed_url(realm):
            raise RegistryError("failed", f"{registry} named a token service that is not an http(s) URL")
        service = challenge.params.get("service")
        token = self._token(realm, service, scope, None)
        if token is not None:
            grant = _Grant(f"Bearer {token}", False)
            answer = self._send(method, url, headers, max_bytes, grant.authorization)
            if answer.status not in (401, 403):
                return answer, grant
            refused = answer
        credential = self._credential(registry)
        if credential is None:
            return _with_note(refused, _no_credentials(registry)), None
        if parsed.scheme != "https" and not self._plain_http_allowed(parsed.netloc):
            note = f"credentials were not sent to the token service at {parsed.netloc} over plain http"
            return _with_note(refused, note), None
        token = self._token(realm, service, scope, credential)
        if token is None:
            return _with_note(refused, "its token service refused the credentials configured for it"), None
        grant = _Grant(f"Bearer {token}", True)
        answer = self._send(method, url, headers, max_bytes, grant.authorization)
        if answer.status in (401, 403):
            return _with_note(answer, "it refused the credentials configured for it"), None
        return answer, grant

    def _token(
        self, realm: str, service: str | None, scope: str, credential: Credential | None
    ) -> str | None:
        """A Bearer token from the token service (None when it refuses: 401/403)."""
        params = {"scope": scope, **({"service": service} if service else {})}
        host = _host_text(realm)
        if credential is not None and credential.identity_token:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": credential.secret,
                "client_id": "valohai-image-lint",
            }
            answer = self._send("POST", realm, {}, _TOKEN_BODY_BYTES, None, data={**form, **params})
            if answer.status not in (404, 405):  # a service without OAuth takes the token as a password
                return self._token_from(answer, host)
        query = urllib.parse.urlencode(params)
        url = f"{realm}{'&' if urllib.parse.urlsplit(realm).query else '?'}{query}"
        authorization = _basic(credential) if credential is not None else None
        return self._token_from(self._send("GET", url, {}, _TOKEN_BODY_BYTES, authorization), host)

    def _token_from(self, answer: _Answer, host: str) -> str | None:
        if answer.status in (401, 403):
            return None
        if answer.status != 200:
            raise RegistryError(
                "failed", f"the token service at {host} answered {_status_text(answer.status)}"
            )
        document = _json_object(answer.body, f"the token service at {host} answered malformed JSON")
        token = document.get("token") or document.get("access_token")
        if not isinstance(token, str) or not re.fullmatch(r"[\x21-\x7e]+", token):
            raise RegistryError("failed", f"the token service at {host} answered no usable token")
        return token

    # -- HTTP ---------------------------------------------------------------------------------

    def _check(self, answer: _Answer, registry: str, what: str) -> None:
        """Raise the error a non-2xx final answer means."""
        if 200 <= answer.status < 300:
            return
        code = _error_code(answer.body)
        suffix = f" ({code})" if code else ""
        if answer.status == 404:
            raise RegistryError("not-found", f"{registry} has no {what}{suffix}", code)
        if answer.status in (401, 403):
            reason = f": {answer.note}" if answer.note else ""
            raise RegistryError("denied", f"{registry} denied access to {what}{suffix}{reason}", code)
        raise RegistryError(
            "failed", f"{_host_text(answer.url)} answered {_status_text(answer.status)}{suffix}", code
        )

    def _session(self, origin: tuple[str, str]) -> requests.Session:
        with self._lock:
            session = self._sessions.get(origin)
            if session is None:
                session = requests.Session()
                session.trust_env = False  # no .netrc (it would replace our Authorization header)
                session.verify = self._verify
                session.headers["User-Agent"] = USER_AGENT
                adapter = requests.adapters.HTTPAdapter(
                    pool_connections=1, pool_maxsize=self.pool_size, max_retries=0
                )
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                self._sessions[origin] = session
            return session

    def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        max_bytes: int,
        authorization: str | None,
        data: Mapping[str, str] | None = None,
    ) -> _Answer:
        """One request, following redirects here: ``authorization`` goes only to ``url``'s own
        origin, and so does ``data`` (a form may hold a refresh token); a redirect never leads from
        https down to plain http (but from loopback to loopback, or to an insecure host); every
        URL is one that the checks here and urllib3 read alike (``_well_formed_url``)."""
        if not _well_formed_url(url):
            raise RegistryError("failed", "a registry named a malformed URL")
        origin = _origin(url)
        for _ in range(_MAX_REDIRECTS + 1):
            sent = dict(headers)
            if authorization is not None and _origin(url) == origin:
                sent["Authorization"] = authorization
            answer = self._exchange(method, url, sent, max_bytes, data)
            location = answer.headers.get("Location")
            if answer.status not in _REDIRECTS or not location:
                return answer
            target = urllib.parse.urljoin(url, location)
            scheme = urllib.parse.urlsplit(target).scheme
            if scheme not in ("http", "https"):
                raise RegistryError("failed", f"{_host_text(url)} redirected to a URL that is not http(s)")
            if not _well_formed_url(target):
                raise RegistryError("failed", f"{_host_text(url)} redirected to a malformed URL")
            target_netloc = _netloc(target)
            if (
                url.startswith("https:")
                and scheme == "http"
                and target_netloc.lower() not in self.insecure
                and not (_is_loopback(_netloc(url)) and _is_loopback(target_netloc))
            ):
                raise RegistryError("failed", f"{_host_text(url)} redirected from https to plain http")
            if answer.status == 303 or (answer.status in (301, 302) and method == "POST"):
                method, data = "GET", None
            if data is not None and _origin(target) != origin:
                raise RegistryError("failed", f"{_host_text(url)} redirected a token request to another host")
            url = target
        raise RegistryError("failed", f"{_host_text(url)} redirected more than {_MAX_REDIRECTS} times")

    def _exchange(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        max_bytes: int,
        data: Mapping[str, str] | None,
    ) -> _Answer:
        """One request with retries: on 429, 5xx, timeouts and lost connections, up to ``retries``
        tries, waiting 0.5 s, 1 s, 2 s, ... or what ``Retry-After`` asks; a ``Retry-After`` longer
        than ``max_retry_after`` ends the tries at once."""
        host = _host_text(url)
        for attempt in range(1, self.retries + 1):
            last = attempt == self.retries
            try:
                answer = self._once(method, url, headers, max_bytes, data)
            except _Retryable as error:
                if last:
                    tries = f" ({self.retries} tries)" if self.retries > 1 else ""
                    raise RegistryError("failed", f"{error.message}{tries}") from None
                self._sleep(self._backoff(attempt))
                continue
            if answer.status == 429 or answer.status >= 500:
                if last:
                    tries = f" after {self.retries} tries" if self.retries > 1 else ""
                    code = _error_code(answer.body)
                    raise RegistryError(
                        "failed", f"{host} answered {_status_text(answer.status)}{tries}", code
                    )
                wait = _retry_after(answer.headers.get("Retry-After"))
                if wait is not None and wait > self.max_retry_after:
                    # Asking again sooner than the registry says would not be polite; waiting that
                    # long would hold the run: the check is not done, and the message says why.
                    raise RegistryError(
                        "failed",
                        f"{host} answered {_status_text(answer.status)} and asked to wait {wait:.0f} s "
                        f"(more than {self.max_retry_after:.0f} s)",
                        _error_code(answer.body),
                    )
                self._sleep(wait if wait is not None else self._backoff(attempt))
                continue
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return min(0.5 * 2.0 ** (attempt - 1), self.max_retry_after)

    def _once(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        max_bytes: int,
        data: Mapping[str, str] | None,
    ) -> _Answer:
        """One HTTP exchange, its body read up to ``max_bytes`` (error bodies up to 64 KiB)."""
        netloc = _netloc(url)
        host = _host_text(url)
        session = self._session(_origin(url))
        proxies = {} if _is_loopback(netloc) else requests.utils.get_environ_proxies(url)
        with self._lock:
            self._requests_made += 1
        try:
            with session.request(
                method,
                url,
                headers=dict(headers),
                data=data,
                timeout=(self.connect_timeout, self.read_timeout),
                allow_redirects=False,
                stream=True,
                proxies=proxies,
            ) as response:
                status = response.status_code
                bound = max_bytes if 200 <= status < 300 else _ERROR_BODY_BYTES
                body = b"" if method == "HEAD" else self._read(response, bound, host)
                return _Answer(status, response.headers, body, url)
        except RegistryError:
            raise
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as error:
            raise self._network_error(error, host) from None

    def _read(self, response: requests.Response, max_bytes: int, host: str) -> bytes:
        length = response.headers.get("Content-Length", "")
        if _ascii_digits(length) and int(length) > max_bytes:
            raise RegistryError("failed", f"answer too large: {host} sent more than {_size(max_bytes)}")
        chunks: list[bytes] = []
        total = 0
        deadline = time.monotonic() + self.read_timeout  # a slow drip of bytes is a timeout too
        for chunk in _chunks(response):
            total += len(chunk)
            if total > max_bytes:
                raise RegistryError("failed", f"answer too large: {host} sent more than {_size(max_bytes)}")
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _Retryable(f"timed out after {self.read_timeout:g} s reading the answer from {host}")
        return b"".join(chunks)

    def _network_error(
        self, error: requests.exceptions.RequestException | urllib3.exceptions.HTTPError, host: str
    ) -> Exception:
        """Our own words for what ``requests`` raised (its text may hold URLs: never used)."""
        causes = list(_causes(error))
        if isinstance(error, requests.exceptions.SSLError) or any(
            isinstance(c, ssl.SSLError) for c in causes
        ):
            verify = next((c for c in causes if isinstance(c, ssl.SSLCertVerificationError)), None)
            if verify is not None:
                detail = verify.verify_message or "certificate verify failed"
                return RegistryError("failed", f"TLS verification failed for {host}: {_clean(detail)}")
            reason = next((c.reason for c in causes if isinstance(c, ssl.SSLError) and c.reason), None)
            return RegistryError(
                "failed", f"TLS failed for {host}" + (f": {_clean(reason)}" if reason else "")
            )
        if isinstance(error, requests.exceptions.ConnectTimeout):
            return _Retryable(f"timed out after {self.connect_timeout:g} s connecting to {host}")
        if isinstance(error, requests.exceptions.ReadTimeout) or any(
            isinstance(c, (urllib3.exceptions.ReadTimeoutError, TimeoutError, socket.timeout)) for c in causes
        ):
            return _Retryable(f"timed out after {self.read_timeout:g} s waiting for {host} to answer")
        if any(isinstance(c, (urllib3.exceptions.NameResolutionError, socket.gaierror)) for c in causes):
            return RegistryError("failed", f"could not resolve {host}")
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return _Retryable(f"could not connect to {host}: connection refused")
        if isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
            return RegistryError("failed", f"{host} is not a host name a URL can hold")
        if isinstance(
            error,
            (
                requests.exceptions.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                urllib3.exceptions.ProtocolError,
            ),
        ):
            if any(isinstance(c, ConnectionResetError) for c in causes):
                return _Retryable(f"the connection to {host} was reset")
            return _Retryable(f"{host} closed the connection without a complete answer")
        return RegistryError("failed", f"the request to {host} failed ({type(error).__name__})")


class _Retryable(Exception):
    """A failure worth another try (a timeout, a lost connection); ``message`` holds no secret."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- pure helpers ---------------------------------------------------------------------------------


def api_host(registry: str) -> str:
    """The host that serves ``registry``'s API: ``registry-1.docker.io`` for Docker Hub."""
    return DOCKER_HUB_API if registry.lower() in _DOCKER_HUB_NAMES else registry


def _netloc(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc.rpartition("@")[2]


def _host_text(url: str) -> str:
    """A URL's host[:port], for messages (never its path, query or user info)."""
    return _netloc(url) or "the registry"


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, f"{(parts.hostname or '').lower()}:{port}"


def _is_loopback(netloc: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` and ``::1``, with or without a port (``[::1]:5000``)."""
    host = urllib.parse.urlsplit(f"//{netloc}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _manifest_headers() -> dict[str, str]:
    return {"Accept": ", ".join(MANIFEST_TYPES)}


def _manifest_text(repository: str, reference: str) -> str:
    separator = "@" if _is_digest(reference) else ":"
    return f"manifest {repository}{separator}{reference}"


def _is_digest(reference: str) -> bool:
    return is_digest(reference)


def _valid_digest(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if is_digest(value) else None


def _digest_of(digest: str, body: bytes) -> str | None:
    """``body``'s digest in ``digest``'s algorithm (None for an algorithm hashlib lacks)."""
    algorithm = digest.partition(":")[0]
    if algorithm not in ("sha256", "sha384", "sha512"):
        return None
    return f"{algorithm}:{hashlib.new(algorithm, body).hexdigest()}"


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("Content-Type", "").split(";")[0].strip()


def _status_text(status: int) -> str:
    try:
        return f"{status} ({http.HTTPStatus(status).phrase.lower()})"
    except ValueError:
        return str(status)


def _size(count: int) -> str:
    return f"{count // 2**20} MiB" if count >= 2**20 and count % 2**20 == 0 else f"{count} bytes"


def _clean(text: object) -> str:
    """An error detail fit for one line of a message."""
    return re.sub(r"\s+", " ", str(text)).strip()[:200]


def _json_object(body: bytes, message: str) -> dict[str, object]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # deep nesting is a RecursionError
        raise RegistryError("failed", message) from None
    if not isinstance(document, dict):
        raise RegistryError("failed", message)
    return document


def _error_code(body: bytes) -> str | None:
    """The first error code of a registry's ``{"errors": [{"code": ...}]}`` body, if any."""
    try:
        document = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    errors = document.get("errors") if isinstance(document, dict) else None
    if isinstance(errors, list):
        for error in errors:
            code = error.get("code") if isinstance(error, dict) else None
            if isinstance(code, str) and _CODE.fullmatch(code):
                return code
    return None


def _with_note(answer: _Answer, note: str) -> _Answer:
    return answer._replace(note=note)


def _no_credentials(registry: str) -> str:
    return f"anonymous access was refused and no credentials are configured for {registry}"


def _basic(credential: Credential) -> str:
    import base64

    pair = f"{credential.username}:{credential.secret}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives: ``read1`` returns what is there (``iter_content`` waits for a
    whole chunk, so a slow drip would dodge the deadline); urllib3 1.x has no ``read1``."""
    read1: Callable[..., bytes] | None = getattr(response.raw, "read1", None)
    if read1 is None:
        yield from response.iter_content(_CHUNK)
        return
    while chunk := read1(_CHUNK, decode_content=True):
        yield chunk


def _causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and everything it wraps: causes, contexts, urllib3's ``reason``, exception args."""
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for linked in (
            current.__cause__,
            current.__context__,
            getattr(current, "reason", None),
            *current.args,
        ):
            if isinstance(linked, BaseException):
                pending.append(linked)


def _ascii_digits(text: str) -> bool:
    """``0``-``9`` only (``str.isdigit`` takes ``²``, a header's Latin-1 byte 0xB2, which ``int``
    refuses)."""
    return text.isascii() and text.isdigit()


def _well_formed_url(url: str) -> bool:
    """Whether ``url`` (from a registry's answer: a realm, a redirect, a next page) is an http(s)
    URL that ``urllib.parse``, which this module's checks use, and urllib3, which sends it, read
    as the same host and port: without user info, backslashes, spaces or control characters
    (``http://a\\@b/``: ``urlsplit`` reads host ``b``, urllib3 connects to ``a``)."""
    if any(ord(c) <= 0x20 or c in "\\\x7f" for c in url):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
        sent = urllib3.util.parse_url(url)
        port = parts.port
    except (ValueError, urllib3.exceptions.LocationParseError):
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return False
    return (sent.scheme, (sent.host or "").lower().strip("[]"), sent.port) == (
        parts.scheme,
        parts.hostname,
        port,
    )


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds from now: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if _ascii_digits(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _next_link(value: str | None, url: str) -> str | None:
    """The ``rel="next"`` target of a ``Link`` header, resolved against ``url``. One pass over the
    text (no regular expression: a hostile header must not cost quadratic time): each ``<target>``
    with the parameters up to the next ``<``."""
    if not value:
        return None
    position = 0
    while (start := value.find("<", position)) >= 0:
        end = value.find(">", start + 1)
        if end < 0:
            return None
        following = value.find("<", end + 1)
        params = value[end + 1 : following if following >= 0 else len(value)]
        for param in params.split(";")[1:]:
            name, _, text = param.partition("=")
            words = text.strip().rstrip(",").strip().strip('"').lower().split()
            if name.strip().lower() == "rel" and "next" in words:
                return urllib.parse.urljoin(url, value[start + 1 : end].strip())
        if following < 0:
            return None
        position = following
    return None


_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_SCHEME = re.compile(rf"\s*({_TOKEN})(?=\s|,|$)")
_PARAM = re.compile(rf"\s*({_TOKEN})\s*=\s*(?:\"((?:[^\"\\]|\\.)*)\"|([^\s,\"=][^\s,\"]*))")
_COMMA = re.compile(r"\s*,")
_TOKEN68 = re.compile(r"\s*[A-Za-z0-9._~+/-]+=*\s*(?=,|$)")


def parse_challenges(header: str) -> list[_Challenge]:
    """The challenges of a ``WWW-Authenticate`` value (RFC 9110): ``Bearer realm="…",
    service="…"``, several of them separated by commas, quoted values holding commas and escapes."""
    challenges: list[_Challenge] = []
    if len(header) > _HEADER_TEXT:
        return challenges  # no challenge is that long: a flood, not worth the time
    position = 0
    while position < len(header):
        if header[position] in " \t,":
            position += 1
            continue
        scheme = _SCHEME.match(header, position)
        if scheme is None:
            break  # not a challenge: give up on the rest
        params: dict[str, str] = {}
        position = scheme.end()
        token68 = _TOKEN68.match(header, position)
        if token68 is not None and not _PARAM.match(header, position):
            position = token68.end()
        while True:
            param = _PARAM.match(header, position)
            if param is None:
                break
            quoted, plain = param.group(2), param.group(3)
            value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else plain
            params.setdefault(param.group(1).lower(), value)
            position = param.end()
            following = _COMMA.match(header, position)
            if following is None:
                break
            after = following.end()
            if _PARAM.match(header, after) is None:
                position = after
                break
            position = after
        challenges.append(_Challenge(scheme.group(1).lower(), params))
    return challenges
