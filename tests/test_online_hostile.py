"""The online code against hostile input: small ``http.server`` registries on 127.0.0.1 that lie,
loop, flood and try to steer the client or the terminal; crafted cache files; hostile Docker
configs. ``127.1`` is numeric (no DNS asked, inet_aton reads it as 127.0.0.1) and stands for a
non-loopback host, since the client does not count it as loopback. Nothing leaves 127.0.0.1."""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest

from valohai_image_lint.cache.facts import FILE_NAME, FactsCache
from valohai_image_lint.cache.files import dump_value, write_records
from valohai_image_lint.credentials import DockerCredentials
from valohai_image_lint.facts import (
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    ImageFacts,
    LookupKey,
    Manifest,
    ManifestError,
    Platform,
    Status,
    config_digest,
    facts_record,
    read_manifest,
    sha256_digest,
    with_config,
)
from valohai_image_lint.registry_client import RegistryClient, RegistryError

SENTINEL = "s3ntinel-HOSTILE-never-shown"
USER = "user"
BASIC = "Basic " + base64.b64encode(f"{USER}:{SENTINEL}".encode()).decode()
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": {}, "layers": []}).encode()
MANIFEST_DIGEST = sha256_digest(MANIFEST)
OK = [("Content-Type", OCI_MANIFEST), ("Docker-Content-Digest", MANIFEST_DIGEST)]


class Login(NamedTuple):
    username: str
    secret: str
    identity_token: bool = False


class Seen(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Headers = list[tuple[str, str]]  # a list: a header may come many times
Script = Callable[[Seen], tuple[int, Headers, bytes]]


class Hostile:
    """A ThreadingHTTPServer on 127.0.0.1 answering with ``script``; records what it saw."""

    def __init__(self, script: Script) -> None:
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
                for key, value in headers:
                    self.send_header(key, value)
                if not any(key.lower() == "content-length" for key, _ in headers):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if self.command != "HEAD":
                        self.wfile.write(body)
                except OSError:
                    pass

            do_GET = do_HEAD = do_POST = do_CONNECT = _any

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self.port = int(self._httpd.server_address[1])
        self.host = f"127.0.0.1:{self.port}"
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Script], Hostile]]:
    servers: list[Hostile] = []

    def start(script: Script) -> Hostile:
        servers.append(Hostile(script))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def error_of(call: Callable[[], object]) -> RegistryError:
    """The RegistryError ``call`` raises (never another exception), one line, with no secret."""
    with pytest.raises(RegistryError) as caught:
        call()
    error = caught.value
    assert SENTINEL not in repr(error) and "\n" not in error.message and "\x1b" not in error.message
    return error


def no_secret(server: Hostile) -> None:
    for seen in server.seen:
        assert "Authorization" not in seen.headers, f"a credential went to {server.host}"
        assert SENTINEL.encode() not in seen.body and SENTINEL not in seen.path


def client_for(host: str, **options: object) -> RegistryClient:
    table = {host: Login(USER, SENTINEL)}
    return RegistryClient(table.get, sleep=lambda seconds: None, **options)  # type: ignore[arg-type]


# -- where a credential may go ---------------------------------------------------------------------


def _backslash(other: Hostile, registry_host: str, path: str) -> str:
    """A URL Python's ``urlsplit`` reads as ``registry_host`` but urllib3 (which sends it) as ``other``."""
    return f"http://127.1:{other.port}\\@{registry_host}{path}"


def test_a_redirect_that_parses_two_ways_gets_no_credential(serve: Callable[[Script], Hostile]) -> None:
    thief = serve(lambda seen: (200, [], b"{}"))

    def registry(seen: Seen) -> tuple[int, Headers, bytes]:
        if "Authorization" not in seen.headers:
            return 401, [("WWW-Authenticate", 'Basic realm="r"')], b""
        return 307, [("Location", _backslash(thief, server.host, "/v2/a/blobs/x"))], b""

    server = serve(registry)
    error_of(lambda: client_for(server.host).get_blob(server.host, "a", "sha256:" + "0" * 64))
    no_secret(thief)
    assert thief.seen == []


def test_a_realm_that_parses_two_ways_gets_no_credential(serve: Callable[[Script], Hostile]) -> None:
    thief = serve(lambda seen: (401, [], b""))

    def registry(seen: Seen) -> tuple[int, Headers, bytes]:
        realm = _backslash(thief, "127.0.0.1:1", "/token")  # loopback to urlsplit, 127.1 to urllib3
        quoted = realm.replace("\\", "\\\\")  # a quoted-string escapes its backslashes
        return 401, [("WWW-Authenticate", f'Bearer realm="{quoted}",service="s"')], b""

    server = serve(registry)
    error = error_of(lambda: client_for(server.host).get_manifest(server.host, "a", "1"))
    assert error.kind in ("failed", "denied")
    no_secret(thief)


def test_a_next_page_that_parses_two_ways_gets_no_token(serve: Callable[[Script], Hostile]) -> None:
    thief = serve(lambda seen: (200, [], b'{"tags": ["stolen"]}'))

    def registry(seen: Seen) -> tuple[int, Headers, bytes]:
        if "Authorization" not in seen.headers:
            return 401, [("WWW-Authenticate", 'Basic realm="r"')], b""
        link = f'<{_backslash(thief, server.host, "/v2/a/tags/list?last=1")}>; rel="next"'
        return 200, [("Link", link)], b'{"tags": ["1"]}'

    server = serve(registry)
    error_of(lambda: client_for(server.host).list_tags(server.host, "a"))
    no_secret(thief)


def test_a_refresh_token_post_never_follows_a_redirect_elsewhere(
    serve: Callable[[Script], Hostile],
) -> None:
    thief = serve(lambda seen: (200, [], b'{"access_token": "stolen"}'))

    def token(seen: Seen) -> tuple[int, Headers, bytes]:
        if seen.method == "GET":
            return 200, [], b'{"token": "anonymous"}'
        return 307, [("Location", f"http://127.1:{thief.port}/steal")], b""

    tokens = serve(token)

    def registry(seen: Seen) -> tuple[int, Headers, bytes]:
        return 401, [("WWW-Authenticate", f'Bearer realm="http://{tokens.host}/token",service="s"')], b""

    server = serve(registry)
    client = RegistryClient({server.host: Login("<token>", SENTINEL, True)}.get, sleep=lambda s: None)
    error_of(lambda: client.get_manifest(server.host, "a", "1"))
    assert [seen.method for seen in tokens.seen] == ["GET", "POST"]
    no_secret(thief)
    assert thief.seen == []


def test_a_realm_elsewhere_over_plain_http_gets_no_credential(serve: Callable[[Script], Hostile]) -> None:
    thief = serve(lambda seen: (200, [], b'{"token": "anonymous"}'))

    def registry(seen: Seen) -> tuple[int, Headers, bytes]:
        realm = f"http://127.1:{thief.port}/token"
        return 401, [("WWW-Authenticate", f'Bearer realm="{realm}",service="s"')], b""

    server = serve(registry)
    assert error_of(lambda: client_for(server.host).get_manifest(server.host, "a", "1")).kind == "denied"
    no_secret(thief)


def test_the_proxy_variables_are_not_used_for_a_loopback_registry(
    serve: Callable[[Script], Hostile], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = serve(lambda seen: (200, OK, MANIFEST))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, f"http://127.1:{proxy.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    def registry(seen: Seen) -> tuple[int, Headers, bytes]:
        if seen.headers.get("Authorization") != BASIC:
            return 401, [("WWW-Authenticate", 'Basic realm="r"')], b""
        return 200, OK, MANIFEST

    server = serve(registry)
    for host in (server.host, f"localhost:{server.port}"):
        table = {host: Login(USER, SENTINEL)}
        assert RegistryClient(table.get).get_manifest(host, "a", "1").digest == MANIFEST_DIGEST
    assert proxy.seen == []


# -- answers that lie, loop or flood ---------------------------------------------------------------


def test_a_lying_docker_content_digest_is_caught(serve: Callable[[Script], Hostile]) -> None:
    lie = "sha256:" + "e" * 64
    server = serve(
        lambda seen: (200, [("Content-Type", OCI_MANIFEST), ("Docker-Content-Digest", lie)], MANIFEST)
    )
    client = RegistryClient()
    # a tag's GET takes the header as what the tag points at (tests/test_registry_client.py says so);
    # the lookup then reads the manifest by that digest, which is verified
    assert client.get_manifest(server.host, "a", "1").digest == lie
    assert "different manifest" in error_of(lambda: client.get_manifest(server.host, "a", lie)).message
    head = error_of(lambda: client.head_manifest(server.host, "a", MANIFEST_DIGEST))
    assert "different manifest" in head.message


def test_a_redirect_loop_ends(serve: Callable[[Script], Hostile]) -> None:
    server = serve(lambda seen: (302, [("Location", seen.path)], b""))
    client = RegistryClient()
    error = error_of(lambda: client.get_manifest(server.host, "a", "1"))
    assert error.message == f"{server.host} redirected more than 5 times"
    assert client.requests_made == 6


@pytest.mark.parametrize("value", ["1000000000", "\u00b2", "9" * 400, "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_retry_after_is_bounded_and_never_crashes(serve: Callable[[Script], Hostile], value: str) -> None:
    server = serve(lambda seen: (429, [("Retry-After", value)], b""))
    sleeps: list[float] = []
    client = RegistryClient(sleep=sleeps.append)
    error = error_of(lambda: client.get_manifest(server.host, "a", "1"))
    assert error.kind == "failed" and "429" in error.message
    assert sum(sleeps) <= 2 * client.max_retry_after


def test_a_content_length_of_other_digits_is_no_crash(serve: Callable[[Script], Hostile]) -> None:
    server = serve(lambda seen: (404, [("Content-Length", "\u00b2")], b""))
    assert error_of(lambda: RegistryClient(retries=1).get_manifest(server.host, "a", "1")).kind in (
        "failed",
        "not-found",
    )


def test_deeply_nested_json_is_malformed_not_a_crash(serve: Callable[[Script], Hostile]) -> None:
    nested = b"[" * 200_000
    tokens = serve(lambda seen: (200, [], nested))

    def registry(seen: Seen) -> tuple[int, Headers, bytes]:
        if seen.path.startswith("/v2/a/"):
            return 401, [("WWW-Authenticate", f'Bearer realm="http://{tokens.host}/t"')], b""
        return 404, [], b'{"errors": ' + b"[" * 60_000  # an error body within its 64 KiB

    server = serve(registry)
    client = RegistryClient()
    assert "malformed JSON" in error_of(lambda: client.get_manifest(server.host, "a", "1")).message
    assert error_of(lambda: client.get_manifest(server.host, "b", "1")).kind == "not-found"
    with pytest.raises(ManifestError):
        read_manifest(MANIFEST_DIGEST, OCI_INDEX, nested)
    assert config_digest(nested) is None
    image = Manifest(MANIFEST_DIGEST, OCI_MANIFEST)
    assert with_config(image, nested) == image


def test_a_huge_or_garbled_token_answer(serve: Callable[[Script], Hostile]) -> None:
    answers = {"/huge": b'{"token": "' + b"a" * (3 * 2**20) + b'"}', "/garbled": b"\xff\xfe<html>"}
    tokens = serve(lambda seen: (200, [], answers[urllib.parse.urlsplit(seen.path).path]))

    def registry(seen: Seen) -> tuple[int, Headers, bytes]:
        realm = "/huge" if seen.path.startswith("/v2/a/") else "/garbled"
        return 401, [("WWW-Authenticate", f'Bearer realm="http://{tokens.host}{realm}"')], b""

    server = serve(registry)
    client = RegistryClient()
    assert "answer too large" in error_of(lambda: client.get_manifest(server.host, "a", "1")).message
    assert "malformed JSON" in error_of(lambda: client.get_manifest(server.host, "b", "1")).message


def test_a_gzip_bomb_is_cut_short(serve: Callable[[Script], Hostile]) -> None:
    bomb = gzip.compress(b"\0" * (256 * 2**20), compresslevel=9)  # 256 MiB in about 256 KiB
    server = serve(lambda seen: (200, [*OK, ("Content-Encoding", "gzip")], bomb))
    started = time.monotonic()
    error = error_of(lambda: RegistryClient().get_manifest(server.host, "a", "1"))
    assert error.message.startswith("answer too large")
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "challenge",
    [
        "Bearer " + "a=b, " * 12_000,
        'Bearer realm="' + "\\a" * 30_000,
        "Basic " + "x" * 60_000 + '"',
        "Bearer " + ", " * 30_000 + "a",
    ],
)
def test_a_www_authenticate_flood_is_parsed_quickly(
    serve: Callable[[Script], Hostile], challenge: str
) -> None:
    server = serve(lambda seen: (401, [("WWW-Authenticate", challenge)] * 60, b""))
    started = time.monotonic()
    error_of(lambda: RegistryClient().get_manifest(server.host, "a", "1"))
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("link", ["<" * 60_000, "<x>; " + "rel=" * 15_000, "<x>;" + " " * 60_000 + "x"])
def test_a_link_flood_is_parsed_quickly(serve: Callable[[Script], Hostile], link: str) -> None:
    server = serve(lambda seen: (200, [("Link", link)] * 60, b'{"tags": ["1"]}'))
    started = time.monotonic()
    with contextlib.suppress(RegistryError):
        RegistryClient().list_tags(server.host, "a")
    assert time.monotonic() - started < 2


# -- manifests -------------------------------------------------------------------------------------


def test_an_index_of_a_million_children_is_read_quickly() -> None:
    body = b'{"mediaType": "' + OCI_INDEX.encode() + b'", "manifests": [' + b",".join([b"{}"] * 10**6) + b"]}"
    assert len(body) < 4 * 2**20  # what get_manifest lets through
    started = time.monotonic()
    try:
        manifest = read_manifest(MANIFEST_DIGEST, OCI_INDEX, body)
        assert manifest.children == ()
    except ManifestError:
        pass
    assert time.monotonic() - started < 2


def _child(os_name: str, architecture: str, digest: str, variant: str | None = None) -> dict[str, object]:
    platform = {"os": os_name, "architecture": architecture}
    if variant is not None:
        platform["variant"] = variant
    return {"mediaType": OCI_MANIFEST, "digest": digest, "size": 1, "platform": platform}


def test_an_index_of_many_real_children_is_refused() -> None:
    children = [_child("linux", f"arch{n}", "sha256:" + f"{n:064x}") for n in range(50_000)]
    body = json.dumps({"mediaType": OCI_INDEX, "manifests": children}).encode()
    with pytest.raises(ManifestError):
        read_manifest(MANIFEST_DIGEST, OCI_INDEX, body)


def test_hostile_platforms_and_child_digests_are_left_out() -> None:
    good = "sha256:" + "a" * 64
    body = json.dumps(
        {
            "mediaType": OCI_INDEX,
            "manifests": [
                _child("linux\x1b[31m\n::error::pwned", "amd64", "sha256:" + "b" * 64),
                _child("linux", "amd64/../x", "sha256:" + "c" * 64),
                _child("linux", "amd64", "../../../v2/other/manifests/latest"),
                _child("linux", "amd64", "sha256:" + "d" * 64, variant="v1\u202e"),
                _child("linux", "arm64", good, variant="v8"),
            ],
        }
    ).encode()
    manifest = read_manifest(MANIFEST_DIGEST, OCI_INDEX, body)
    assert manifest.children == ((Platform("linux", "arm64", "v8"), good),)
    config = json.dumps({"os": "linux\x1b]0;title\x07", "architecture": "amd64"}).encode()
    assert with_config(Manifest(good, OCI_MANIFEST), config).platform is None


@pytest.mark.parametrize(
    "size", [10**4000, -(10**9), True, 2**80], ids=["10**4000", "negative", "true", "2**80"]
)
def test_absurd_sizes_are_no_size(size: object) -> None:
    config = {"mediaType": "x", "digest": "sha256:" + "a" * 64, "size": 10}
    layer = {"mediaType": "x", "digest": "sha256:" + "b" * 64, "size": size}
    body = json.dumps({"mediaType": DOCKER_MANIFEST, "config": config, "layers": [layer, layer]}).encode()
    manifest = read_manifest(MANIFEST_DIGEST, DOCKER_MANIFEST, body)
    assert manifest.size is None
    json.dumps(facts_record(ImageFacts(KEY, Status.FOUND, manifest=manifest)))


# -- the facts cache -------------------------------------------------------------------------------

D1 = "sha256:" + "1" * 64
KEY = LookupKey("127.0.0.1:5000", "team/app", "1", None)


def _store(tmp_path: Path, key: str, entry: object) -> FactsCache:
    value = dump_value((1_000_000.0, entry))
    assert value is not None and write_records(str(tmp_path / FILE_NAME), {key: value})
    return FactsCache(str(tmp_path), now=lambda: 1_000_001.0)


@pytest.mark.parametrize(
    "manifest",
    [
        (D1, DOCKER_MANIFEST, (), ("linux", "amd64", ""), 10**5000),
        (D1, DOCKER_MANIFEST, (), ("linux\x1b[2J", "amd64", ""), 1),
        (D1, "text/html\x1b[2J", (), None, 1),
        (D1, OCI_INDEX, (("linux", "amd64", "", "../x"),), None, None),
    ],
)
def test_a_crafted_cached_manifest_is_a_miss(tmp_path: Path, manifest: tuple[object, ...]) -> None:
    cache = _store(tmp_path, f"manifest\0{KEY.registry}\0{KEY.repository}\0{D1}", manifest)
    assert cache.manifest(KEY.registry, KEY.repository, D1) is None


def test_crafted_cached_sizes_are_a_miss_and_never_crash_a_reporter(tmp_path: Path) -> None:
    entry = (
        (KEY.registry, KEY.repository, KEY.tag, None),
        "found",
        "",
        (D1, DOCKER_MANIFEST, (), ("linux", "amd64", ""), 10**5000),
        None,
        D1,
        False,
        None,
        (("linux/amd64", 10**5000),),
    )
    cache = _store(tmp_path, f"tag\0{KEY.registry}\0{KEY.repository}\0{KEY.tag}\0", entry)
    facts = cache.tag(KEY)
    if facts is not None:
        json.dumps(facts_record(facts))  # the JSON and SARIF reporters write this
    assert facts is None


# -- Docker's config and its helpers ---------------------------------------------------------------


def _run_with_deadline(call: Callable[[], object], seconds: float = 5) -> list[object]:
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "it hung"
    return result


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs")
def test_docker_config_naming_a_fifo_never_hangs(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    credentials = DockerCredentials({"DOCKER_CONFIG": str(fifo), "PATH": ""})
    assert _run_with_deadline(lambda: credentials.for_registry("ghcr.io")) == [None]
    folder = tmp_path / "config"
    folder.mkdir()
    os.mkfifo(folder / "config.json")
    credentials = DockerCredentials({"DOCKER_CONFIG": str(folder), "PATH": ""})
    assert _run_with_deadline(lambda: credentials.for_registry("ghcr.io")) == [None]
    assert credentials.warnings and all("\n" not in warning for warning in credentials.warnings)


def _planted(folder: Path, name: str, log: Path) -> None:
    helper = folder / f"docker-credential-{name}"
    helper.write_text(f'#!/bin/sh\necho ran >> "{log}"\necho \'{{"Username": "u", "Secret": "s"}}\'\n')
    helper.chmod(0o755)


@pytest.mark.skipif(sys.platform == "win32", reason="the helpers are sh scripts")
@pytest.mark.parametrize("name", ["../../bin/sh", "x/../../sh", "a b", "sh\n"])
def test_a_helper_name_never_leaves_its_prefix(tmp_path: Path, name: str) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"credHelpers": {"ghcr.io": name}}))
    log = tmp_path / "ran.log"
    _planted(tmp_path, name.replace("/", "_"), log)
    credentials = DockerCredentials({"DOCKER_CONFIG": str(tmp_path), "PATH": str(tmp_path)})
    assert credentials.for_registry("ghcr.io") is None
    assert not log.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="the helpers are sh scripts")
@pytest.mark.parametrize("path", ["", ".", "/usr/bin:", ":/usr/bin", "bin", "/usr/bin::/bin"])
def test_a_helper_in_the_linted_folder_is_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """A relative ``PATH`` entry (an empty one is the current folder) would run a program the
    repository being linted ships; Go's ``exec.LookPath``, which the Docker CLI uses, refuses it."""
    repository = tmp_path / "repository"
    (repository / "bin").mkdir(parents=True)
    log = tmp_path / "ran.log"
    _planted(repository, "desktop", log)
    _planted(repository / "bin", "desktop", log)
    config = tmp_path / "docker"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"credsStore": "desktop"}))
    monkeypatch.chdir(repository)
    credentials = DockerCredentials({"DOCKER_CONFIG": str(config), "PATH": path})
    assert credentials.for_registry("ghcr.io") is None
    assert not log.exists()
    assert credentials.warnings == [
        "Docker credentials: credential helper docker-credential-desktop not found on PATH"
    ]
