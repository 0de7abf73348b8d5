"""registry_client against real servers on 127.0.0.1: Debian's docker-registry (no auth, Basic,
Bearer tokens from the harness's token server), the harness's front proxy (failures, delays), and,
for what a real registry will not do (a 503 with an HTTP-date Retry-After, a hostile 10 MB
manifest, a slow drip of bytes, tricky challenge quoting, a redirect to a storage host, a
self-signed certificate), small scripted HTTP servers of this file's own. Nothing leaves 127.0.0.1:
names such as ``127.1`` are numeric (inet_aton reads them as 127.0.0.1, no DNS asked), and they
stand for a non-loopback host, since the client does not count them as loopback."""

from __future__ import annotations

import base64
import datetime
import email.utils
import functools
import json
import socket
import ssl
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest
from registry_harness import (
    PASSWORD,
    USER,
    FrontProxy,
    Registry,
    TokenServer,
    basic_registry_module,
    registry_module,
    start_registry,
    token_registry_module,
)

from valohai_image_lint.facts import (
    DOCKER_MANIFEST_LIST,
    MANIFEST_TYPES,
    OCI_INDEX,
    OCI_MANIFEST,
    config_digest,
    sha256_digest,
)
from valohai_image_lint.registry_client import (
    USER_AGENT,
    RegistryClient,
    RegistryError,
    api_host,
    parse_challenges,
)

_FIXTURES = (registry_module, basic_registry_module, token_registry_module)  # used by name

SENTINEL = "s3ntinel-PASSWORD-never-shown"


class Login(NamedTuple):
    username: str
    secret: str
    identity_token: bool = False


def logins(table: dict[str, Login]) -> Callable[[str], Login | None]:
    return table.get


class Sleeps(list[float]):
    """An injected ``sleep``: records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def error_of(call: Callable[[], object], *secrets: str) -> RegistryError:
    """The RegistryError ``call`` raises, checked to show no secret anywhere a user could see it."""
    with pytest.raises(RegistryError) as caught:
        call()
    error = caught.value
    shown = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    for secret in (SENTINEL, base64.b64encode(f"{USER}:{SENTINEL}".encode()).decode(), *secrets):
        assert secret not in str(error) and secret not in repr(error) and secret not in shown
    assert str(error) == error.message and "\n" not in error.message
    return error


# --- the real registry -------------------------------------------------------------------------


def test_reads_a_manifest_its_digest_and_a_blob(registry_module: Registry) -> None:
    pushed = registry_module.push("team/app", "1.0")
    client = RegistryClient()
    head = client.head_manifest(registry_module.host, "team/app", "1.0")
    assert head == (pushed.digest, OCI_MANIFEST, None, False)
    got = client.get_manifest(registry_module.host, "team/app", "1.0")
    assert got.digest == pushed.digest == sha256_digest(got.body or b"")
    by_digest = client.get_manifest(registry_module.host, "team/app", pushed.digest)
    assert by_digest == got
    config = config_digest(got.body or b"")
    assert config is not None
    assert json.loads(client.get_blob(registry_module.host, "team/app", config))["architecture"] == "amd64"
    client.close()


def test_reads_a_docker_manifest_list(registry_module: Registry) -> None:
    pushed = registry_module.push("team/multi", "2", platforms=("linux/amd64", "linux/arm64"), media="docker")
    with RegistryClient() as client:
        got = client.get_manifest(registry_module.host, "team/multi", "2")
    assert (got.digest, got.media_type) == (pushed.digest, DOCKER_MANIFEST_LIST)
    assert {entry["digest"] for entry in json.loads(got.body or b"")["manifests"]} == set(
        pushed.children.values()
    )


def test_not_found_says_which_thing_is_missing(registry_module: Registry) -> None:
    registry_module.push("team/known", "1")
    client = RegistryClient()
    tag = error_of(lambda: client.get_manifest(registry_module.host, "team/known", "nope"))
    assert (tag.kind, tag.code) == ("not-found", "MANIFEST_UNKNOWN")
    assert tag.message == f"{registry_module.host} has no manifest team/known:nope (MANIFEST_UNKNOWN)"
    # distribution 2.8.2 says MANIFEST_UNKNOWN for a manifest of an unknown repository; its tag list
    # says NAME_UNKNOWN
    unknown = error_of(lambda: client.get_manifest(registry_module.host, "team/unknown", "1"))
    assert (unknown.kind, unknown.code) == ("not-found", "MANIFEST_UNKNOWN")
    name = error_of(lambda: client.list_tags(registry_module.host, "team/unknown"))
    assert (name.kind, name.code) == ("not-found", "NAME_UNKNOWN")
    assert name.message == f"{registry_module.host} has no repository team/unknown (NAME_UNKNOWN)"
    head = error_of(lambda: client.head_manifest(registry_module.host, "team/known", "nope"))
    assert (head.kind, head.code) == ("not-found", None)
    blob = error_of(lambda: client.get_blob(registry_module.host, "team/known", "sha256:" + "0" * 64))
    assert (blob.kind, blob.code) == ("not-found", "BLOB_UNKNOWN")


def test_tags_of_the_real_registry(registry_module: Registry) -> None:
    for tag in ("a", "b", "c", "d", "e"):
        registry_module.push("team/tags", tag)
    with FrontProxy(registry_module) as proxy, RegistryClient() as client:
        tags = client.list_tags(proxy.host, "team/tags", page_size=2)
        assert sorted(tags) == ["a", "b", "c", "d", "e"] and len(tags) == 5
        # distribution 2.8.2 ignores n= and sends no Link (tag pages came in 3.0): the scripted
        # server below pages
        assert proxy.requests == [("GET", "/v2/team/tags/tags/list")]
        too_many = error_of(lambda: client.list_tags(proxy.host, "team/tags", max_tags=3, page_size=2))
        assert too_many.message == "answer too large: team/tags has more than 3 tags"


def test_basic_auth(basic_registry_module: Registry) -> None:
    host = basic_registry_module.host
    pushed = basic_registry_module.push("team/private", "1")
    anonymous = error_of(lambda: RegistryClient().get_manifest(host, "team/private", "1"))
    assert (anonymous.kind, anonymous.code) == ("denied", "UNAUTHORIZED")
    assert "no credentials are configured" in anonymous.message
    client = RegistryClient(logins({host: Login(USER, PASSWORD)}))
    assert client.head_manifest(host, "team/private", "1") == (pushed.digest, OCI_MANIFEST, None, True)
    assert client.list_tags(host, "team/private") == ["1"]
    wrong = RegistryClient(logins({host: Login(USER, SENTINEL)}))
    refused = error_of(lambda: wrong.get_manifest(host, "team/private", "1"))
    assert (refused.kind, refused.code) == ("denied", "UNAUTHORIZED")
    assert refused.message.endswith("it refused the credentials configured for it")


def test_bearer_public_anonymous_and_private_with_credentials(
    token_registry_module: tuple[Registry, TokenServer],
) -> None:
    registry, tokens = token_registry_module
    public = registry.push("public/app", "1")
    private = registry.push("team/secret", "1")
    asked: list[str] = []

    def source(name: str) -> Login | None:
        asked.append(name)
        return Login(USER, PASSWORD) if name == registry.host else None

    client = RegistryClient(source)
    before = len(tokens.issued)
    assert client.get_manifest(registry.host, "public/app", "1").authenticated is False
    assert asked == []  # a public image never asks for credentials (a helper may be a program)
    assert client.get_manifest(registry.host, "team/secret", "1").authenticated is True
    assert client.head_manifest(registry.host, "team/secret", "1").digest == private.digest
    assert client.head_manifest(registry.host, "public/app", "1").digest == public.digest
    assert tokens.issued[before:] == [
        (None, "repository:public/app:pull"),
        (None, "repository:team/secret:pull"),  # Docker Hub's way: a token without access first
        (USER, "repository:team/secret:pull"),
    ]  # and then each token served from the cache
    assert asked == [registry.host]


def test_bearer_denied_without_or_with_wrong_credentials(
    token_registry_module: tuple[Registry, TokenServer],
) -> None:
    registry, _ = token_registry_module
    registry.push("team/closed", "1")
    anonymous = error_of(lambda: RegistryClient().get_manifest(registry.host, "team/closed", "1"))
    assert (anonymous.kind, anonymous.code) == ("denied", "UNAUTHORIZED")
    wrong = RegistryClient(logins({registry.host: Login(USER, SENTINEL)}))
    refused = error_of(lambda: wrong.head_manifest(registry.host, "team/closed", "1"))
    assert refused.kind == "denied"
    assert "token service refused the credentials" in refused.message


def test_one_token_for_eight_threads(token_registry_module: tuple[Registry, TokenServer]) -> None:
    registry, tokens = token_registry_module
    pushed = registry.push("public/app", "threads")
    client = RegistryClient(pool_size=8)
    before = len(tokens.issued)
    digests: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: digests.append(client.head_manifest(registry.host, "public/app", "threads").digest)
        )
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert digests == [pushed.digest] * 8
    assert len(tokens.issued) - before == 1
    assert client.requests_made == 1 + 1 + 1 + 7  # refused, token, retried, then seven with the token


def test_retries_429_as_retry_after_says(registry_module: Registry) -> None:
    pushed = registry_module.push("team/busy", "1")
    sleeps = Sleeps()
    with FrontProxy(registry_module) as proxy, RegistryClient(sleep=sleeps) as client:
        proxy.fail_next(2, 429, "1")
        assert client.head_manifest(proxy.host, "team/busy", "1").digest == pushed.digest
        assert sleeps == [1.0, 1.0] and client.requests_made == 3
        proxy.fail_next(3, 429, "1")
        error = error_of(lambda: client.head_manifest(proxy.host, "team/busy", "1"))
        assert error.message == f"{proxy.host} answered 429 (too many requests) after 3 tries"
        assert error.kind == "failed"
        assert sleeps[2:] == [1.0, 1.0]
        proxy.fail_next(1, 429, "3600")
        error = error_of(lambda: client.head_manifest(proxy.host, "team/busy", "1"))
        assert error.message == (
            f"{proxy.host} answered 429 (too many requests) and asked to wait 3600 s (more than 30 s)"
        )
        assert sleeps[4:] == []  # no wait past max_retry_after, and no second try
        proxy.fail_next(3, 502, None)
        bad = error_of(lambda: client.get_manifest(proxy.host, "team/busy", "1"))
        assert bad.message == f"{proxy.host} answered 502 (bad gateway) after 3 tries"
        assert sleeps[4:] == [0.5, 1.0]  # exponential backoff without Retry-After


def test_read_timeout_is_honoured(registry_module: Registry) -> None:
    registry_module.push("team/slow", "1")
    with (
        FrontProxy(registry_module) as proxy,
        RegistryClient(read_timeout=0.3, retries=2, sleep=Sleeps()) as c,
    ):
        proxy.delay = 2.0
        started = time.monotonic()
        error = error_of(lambda: c.head_manifest(proxy.host, "team/slow", "1"))
        assert time.monotonic() - started < 1.5
        assert error.message == f"timed out after 0.3 s waiting for {proxy.host} to answer (2 tries)"


def test_a_stopped_registry_is_connection_refused(tmp_path: Path) -> None:
    registry = start_registry(tmp_path)
    registry.push("team/gone", "1")
    sleeps = Sleeps()
    client = RegistryClient(sleep=sleeps)
    client.head_manifest(registry.host, "team/gone", "1")
    registry.stop()
    error = error_of(lambda: client.head_manifest(registry.host, "team/gone", "1"))
    assert error.message == f"could not connect to {registry.host}: connection refused (3 tries)"
    assert (error.kind, sleeps) == ("failed", [0.5, 1.0])


# --- scripted servers for what a real registry will not do ----------------------------------------


class Seen(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Body = bytes | Iterable[bytes]  # an iterable is streamed without Content-Length, then the connection closes
Script = Callable[[Seen], tuple[int, dict[str, str], Body]]


class Scripted:
    """A ThreadingHTTPServer on 127.0.0.1 that answers with ``script`` and records what it saw."""

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None) -> None:
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, dict(self.headers), self.rfile.read(length))
                outer.seen.append(seen)
                status, headers, body = script(seen)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if isinstance(body, bytes):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for chunk in [body] if isinstance(body, bytes) else body:
                        if self.command != "HEAD":
                            self.wfile.write(chunk)
                            self.wfile.flush()
                except OSError:
                    pass  # the client stopped reading

            do_GET = do_HEAD = do_POST = _any

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass

        self._httpd = Server(("127.0.0.1", 0), Handler)
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port = int(self._httpd.server_address[1])
        self.host = f"127.0.0.1:{self.port}"
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Scripted]]:
    servers: list[Scripted] = []

    def start(script: Script, tls: ssl.SSLContext | None = None) -> Scripted:
        servers.append(Scripted(script, tls))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": {}, "layers": []}).encode()
MANIFEST_DIGEST = sha256_digest(MANIFEST)
OK = {"Content-Type": OCI_MANIFEST, "Docker-Content-Digest": MANIFEST_DIGEST}


def test_sends_accept_and_user_agent(serve: Callable[..., Scripted]) -> None:
    server = serve(lambda seen: (200, OK, MANIFEST))
    RegistryClient().get_manifest(server.host, "team/app", "1")
    (seen,) = server.seen
    assert (seen.method, seen.path) == ("GET", "/v2/team/app/manifests/1")
    assert seen.headers["Accept"] == ", ".join(MANIFEST_TYPES) and {OCI_INDEX, OCI_MANIFEST} <= set(
        MANIFEST_TYPES
    )
    assert seen.headers["User-Agent"] == USER_AGENT == "valohai-image-lint/0.1.0"
    assert "Authorization" not in seen.headers


def test_head_without_a_digest_reads_the_body(serve: Callable[..., Scripted]) -> None:
    server = serve(lambda seen: (200, {"Content-Type": OCI_MANIFEST}, MANIFEST))
    answer = RegistryClient().head_manifest(server.host, "team/app", "1")
    assert answer.digest == MANIFEST_DIGEST and [seen.method for seen in server.seen] == ["HEAD", "GET"]


def test_a_digest_is_verified(serve: Callable[..., Scripted]) -> None:
    other = "sha256:" + "1" * 64
    server = serve(lambda seen: (200, {**OK, "Docker-Content-Digest": other}, MANIFEST))
    client = RegistryClient()
    for call in (client.get_manifest, client.head_manifest):
        error = error_of(functools.partial(call, server.host, "team/app", "sha256:" + "2" * 64))
        assert error.kind == "failed" and "answered a different manifest" in error.message
    assert client.get_manifest(server.host, "team/app", "1").digest == other  # a tag: as the registry says
    blob = error_of(lambda: client.get_blob(server.host, "team/app", other))
    assert "answered a different blob" in blob.message


def test_503_with_an_http_date_retry_after(serve: Callable[..., Scripted]) -> None:
    later = email.utils.format_datetime(
        datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=10), usegmt=True
    )
    answers = iter([(503, {"Retry-After": later}, b""), (200, OK, MANIFEST)])
    server = serve(lambda seen: next(answers))
    sleeps = Sleeps()
    assert RegistryClient(sleep=sleeps).get_manifest(server.host, "a", "1").digest == MANIFEST_DIGEST
    assert len(sleeps) == 1 and 7 < sleeps[0] <= 10


def test_a_hostile_manifest_is_cut_short(serve: Callable[..., Scripted]) -> None:
    huge = b"x" * (10 * 2**20)
    declared = serve(lambda seen: (200, OK, huge))
    streamed = serve(lambda seen: (200, OK, (huge[i : i + 2**16] for i in range(0, len(huge), 2**16))))
    client = RegistryClient()
    for server in (declared, streamed):
        started = time.monotonic()
        error = error_of(functools.partial(client.get_manifest, server.host, "a", "1"))
        assert error.message == f"answer too large: {server.host} sent more than 4 MiB"
        assert time.monotonic() - started < 2


def test_a_slow_drip_times_out(serve: Callable[..., Scripted]) -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(100):
            time.sleep(0.05)
            yield b" "

    server = serve(lambda seen: (200, OK, drip()))
    started = time.monotonic()
    error = error_of(lambda: RegistryClient(read_timeout=0.3, retries=1).get_manifest(server.host, "a", "1"))
    assert time.monotonic() - started < 1.5
    assert error.message == f"timed out after 0.3 s reading the answer from {server.host}"


def test_malformed_json_fails(serve: Callable[..., Scripted]) -> None:
    server = serve(lambda seen: (200, {"Content-Type": "application/json"}, b"{not json"))
    error = error_of(lambda: RegistryClient().list_tags(server.host, "a"))
    assert (error.kind, error.message) == (
        "failed",
        f"{server.host} answered malformed JSON for the tags of a",
    )


def _paged(last_link: str) -> Script:
    """Tags 1, 2, 3 on three pages: an absolute next link, a relative one with more parameters,
    then ``last_link``."""

    def pages(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        host = seen.headers["Host"]
        page = urllib.parse.parse_qs(urllib.parse.urlsplit(seen.path).query).get("last", ["0"])[0]
        link = {
            "0": f'<http://{host}/v2/a/tags/list?n=1&last=1>; rel="next"',
            "1": '</v2/a/tags/list?n=1&last=2>; type="x"; rel="next"',
            "2": last_link,
        }[page]
        return (
            200,
            {"Link": link} if link else {},
            json.dumps({"name": "a", "tags": [str(int(page) + 1)]}).encode(),
        )

    return pages


def test_link_pages_are_followed_on_the_registry_only(serve: Callable[..., Scripted]) -> None:
    server = serve(_paged(""))
    assert RegistryClient().list_tags(server.host, "a") == ["1", "2", "3"]
    assert [seen.path for seen in server.seen] == [
        "/v2/a/tags/list?n=1000",
        "/v2/a/tags/list?n=1&last=1",
        "/v2/a/tags/list?n=1&last=2",
    ]
    elsewhere = serve(_paged('<http://127.0.0.2:9/v2/a/tags/list?last=3>; rel="next"'))
    error = error_of(lambda: RegistryClient().list_tags(elsewhere.host, "a"))
    assert error.message == f"{elsewhere.host} sent the next page of the tags of a to another host"
    assert len(elsewhere.seen) == 3
    circle = serve(_paged('</v2/a/tags/list?n=1&last=1>; rel="next"'))
    assert "go round in a circle" in error_of(lambda: RegistryClient().list_tags(circle.host, "a")).message


def test_tricky_challenge_quoting(serve: Callable[..., Scripted]) -> None:
    def registry(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.headers.get("Authorization") == "Bearer t0ken":
            return 200, OK, MANIFEST
        challenge = (
            f'Bearer realm="http://{tokens.host}/token?a=1,b=2", error="insufficient_scope",'
            r'service="svc \"quoted\", with comma",scope="repository:a:pull,push"'
        )
        return 401, {"WWW-Authenticate": challenge}, b""

    def token(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(seen.path).query)
        assert query == {
            "a": ["1,b=2"],
            "service": ['svc "quoted", with comma'],
            "scope": ["repository:a:pull"],
        }
        return 200, {}, b'{"token": "t0ken"}'

    tokens = serve(token)
    server = serve(registry)
    assert RegistryClient().get_manifest(server.host, "a", "1").authenticated is False
    assert len(tokens.seen) == 1


def test_parse_challenges() -> None:
    header = (
        'Basic realm="a, b", Bearer realm="https://auth.example/token",service=registry.example ,'
        r' scope="repository:x:pull", Negotiate abc123==, Other'
    )
    assert parse_challenges(header) == [
        ("basic", {"realm": "a, b"}),
        (
            "bearer",
            {
                "realm": "https://auth.example/token",
                "service": "registry.example",
                "scope": "repository:x:pull",
            },
        ),
        ("negotiate", {}),
        ("other", {}),
    ]
    assert parse_challenges('BEARER Realm="x\\\\y"') == [("bearer", {"realm": "x\\y"})]
    assert parse_challenges("") == [] and parse_challenges("=garbage") == []


def test_no_credentials_to_a_plain_http_realm_elsewhere(serve: Callable[..., Scripted]) -> None:
    def registry(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        realm = f"http://127.1:{tokens.port}/token"  # 127.1 is not loopback to the client
        return 401, {"WWW-Authenticate": f'Bearer realm="{realm}",service="s"'}, b""

    tokens = serve(lambda seen: (200, {}, b'{"token": "anonymous"}'))
    server = serve(registry)
    client = RegistryClient(logins({server.host: Login(USER, SENTINEL)}))
    error = error_of(lambda: client.get_manifest(server.host, "a", "1"))
    assert error.kind == "denied"
    assert error.message.endswith(
        f"credentials were not sent to the token service at 127.1:{tokens.port} over plain http"
    )
    assert [seen.headers.get("Authorization") for seen in tokens.seen] == [None]


def test_identity_token_is_an_oauth_refresh_token(serve: Callable[..., Scripted]) -> None:
    def registry(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.headers.get("Authorization") == "Bearer granted":
            return 200, OK, MANIFEST
        return 401, {"WWW-Authenticate": f'Bearer realm="http://{tokens.host}/token",service="s"'}, b""

    def token(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.method == "GET":
            return 200, {}, b'{"token": "no-access"}'
        form = urllib.parse.parse_qs(seen.body.decode())
        assert form["grant_type"] == ["refresh_token"] and form["refresh_token"] == [SENTINEL]
        assert form["scope"] == ["repository:a:pull"] and form["service"] == ["s"]
        return 200, {}, b'{"access_token": "granted"}'

    tokens = serve(token)
    server = serve(registry)
    client = RegistryClient(logins({server.host: Login("<token>", SENTINEL, identity_token=True)}))
    assert client.get_manifest(server.host, "a", "1").authenticated is True
    assert [seen.method for seen in tokens.seen] == ["GET", "POST"]
    assert all(SENTINEL not in seen.path for seen in tokens.seen)


def test_authorization_never_follows_a_redirect_to_storage(serve: Callable[..., Scripted]) -> None:
    blob = b'{"architecture": "amd64", "os": "linux"}'
    digest = sha256_digest(blob)
    storage = serve(lambda seen: (200, {}, blob))

    def registry(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if "Authorization" not in seen.headers:
            return 401, {"WWW-Authenticate": 'Basic realm="r"'}, b""
        return 307, {"Location": f"http://{storage.host}/blobs/x?signature=1"}, b""

    server = serve(registry)
    client = RegistryClient(logins({server.host: Login(USER, SENTINEL)}))
    assert client.get_blob(server.host, "a", digest) == blob
    assert [seen.headers.get("Authorization") for seen in storage.seen] == [None]
    assert (
        server.seen[-1].headers["Authorization"]
        == "Basic " + base64.b64encode(f"{USER}:{SENTINEL}".encode()).decode()
    )


def _self_signed(tmp_path: Path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


def test_https_everywhere_but_loopback_and_insecure_hosts(
    serve: Callable[..., Scripted], tmp_path: Path
) -> None:
    secure = serve(lambda seen: (200, OK, MANIFEST), tls=_self_signed(tmp_path))
    error = error_of(lambda: RegistryClient(retries=1).get_manifest(f"127.1:{secure.port}", "a", "1"))
    assert error.message == f"TLS verification failed for 127.1:{secure.port}: self-signed certificate"
    plain = serve(lambda seen: (200, OK, MANIFEST))
    not_tls = error_of(lambda: RegistryClient(retries=1).get_manifest(f"127.1:{plain.port}", "a", "1"))
    assert not_tls.message.startswith(f"TLS failed for 127.1:{plain.port}")
    insecure = RegistryClient(insecure={f"127.1:{plain.port}"})
    assert insecure.get_manifest(f"127.1:{plain.port}", "a", "1").digest == MANIFEST_DIGEST


def test_connect_timeout_is_honoured() -> None:
    """A listening socket whose backlog is full: the kernel drops further SYNs, so connecting hangs."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(0)
        port = listening.getsockname()[1]
        queued = [socket.socket() for _ in range(3)]
        for waiting in queued:
            waiting.setblocking(False)
            waiting.connect_ex(("127.0.0.1", port))
        time.sleep(0.05)
        started = time.monotonic()
        client = RegistryClient(connect_timeout=0.2, retries=2, sleep=Sleeps())
        error = error_of(lambda: client.head_manifest(f"127.0.0.1:{port}", "a", "1"))
        assert time.monotonic() - started < 1.5
        for waiting in queued:
            waiting.close()
    assert error.message == f"timed out after 0.2 s connecting to 127.0.0.1:{port} (2 tries)"


def test_an_expired_token_is_fetched_again(serve: Callable[..., Scripted]) -> None:
    valid = ["Bearer t1"]

    def registry(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.headers.get("Authorization") in valid:
            return 200, OK, MANIFEST
        return 401, {"WWW-Authenticate": f'Bearer realm="http://{tokens.host}/token"'}, b""

    issued = iter(["t1", "t2"])
    tokens = serve(lambda seen: (200, {}, json.dumps({"token": next(issued)}).encode()))
    server = serve(registry)
    client = RegistryClient()
    client.head_manifest(server.host, "a", "1")
    client.head_manifest(server.host, "a", "2")
    valid[0] = "Bearer t2"  # t1 expired
    assert client.head_manifest(server.host, "a", "3").digest == MANIFEST_DIGEST
    assert len(tokens.seen) == 2
    assert [seen.headers.get("Authorization") for seen in server.seen] == [
        None,
        "Bearer t1",
        "Bearer t1",
        "Bearer t1",
        None,
        "Bearer t2",
    ]


def test_connection_refused_on_a_closed_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    error = error_of(
        lambda: RegistryClient(sleep=sleeps, retries=2).get_blob(f"127.0.0.1:{port}", "a", MANIFEST_DIGEST)
    )
    assert error.message == f"could not connect to 127.0.0.1:{port}: connection refused (2 tries)"
    assert sleeps == [0.5]


def test_docker_hub_is_served_by_registry_1() -> None:
    assert api_host("docker.io") == api_host("index.docker.io") == "registry-1.docker.io"
    assert api_host("ghcr.io") == "ghcr.io" and api_host("127.0.0.1:5000") == "127.0.0.1:5000"
    client = RegistryClient()
    assert client._base_url("docker.io") == "https://registry-1.docker.io"
    assert client._base_url("localhost:5000") == "http://localhost:5000"
    assert client._base_url("[::1]:5000") == "http://[::1]:5000"
    assert client._base_url("127.0.0.9") == "http://127.0.0.9"
    assert client._base_url("registry.example:5000") == "https://registry.example:5000"
    assert (
        RegistryClient(insecure={"registry.example:5000"})
        ._base_url("registry.example:5000")
        .startswith("http:")
    )
