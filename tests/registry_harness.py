"""A real container registry on 127.0.0.1 for the online-check tests.

``start_registry`` runs Debian's ``docker-registry`` (CNCF distribution 2.8.2) on a free loopback
port with its storage, config and log in a fresh folder under ``tmp_path``; auth is none, Basic
(htpasswd: user ``testuser``, password ``testpass``) or Bearer tokens from a ``TokenServer`` (the
test's own, RS256 JWTs signed by a self-signed certificate). ``Registry.push`` uploads a small
image (one platform: a manifest; several: an index over per-platform manifests) and says what it
pushed. ``FrontProxy`` sits in front of a registry to count, delay and fail requests.

Without the ``docker-registry`` program the tests that use it skip (fail under CI=true);
``tests/install-system-packages`` installs it. Nothing here talks to anything but 127.0.0.1, and
the HTTP sessions ignore proxy settings from the environment.

The fixtures (``registry``, ``basic_registry``, ``token_registry`` and their ``*_module``
variants) are imported into a test module: ``from registry_harness import registry``.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
import warnings
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

import pytest
import requests

PROGRAM = "docker-registry"
USER = "testuser"
PASSWORD = "testpass"
ADMIN = "harness-admin"
"""The subject of the tokens ``push`` makes for itself (never recorded in ``TokenServer.issued``)."""

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
ACCEPT = ", ".join((OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST))
"""The ``Accept`` header to read manifests with (without it 2.8.2 answers 404 or converts)."""

_MEDIA = {
    "oci": (OCI_MANIFEST, OCI_INDEX, OCI_CONFIG, OCI_LAYER),
    "docker": (DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_CONFIG, DOCKER_LAYER),
}
_START_TIMEOUT = 10.0


def _missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def registry_program() -> str:
    """The ``docker-registry`` program (skips without it, fails under CI=true)."""
    found = shutil.which(PROGRAM)
    if found is None:
        _missing(f"{PROGRAM} is not installed: tests/run installs it with apt-get (package docker-registry)")
    assert found is not None
    return found


def local_session() -> requests.Session:
    """A ``requests`` session that ignores HTTP(S)_PROXY and .netrc: loopback only."""
    session = requests.Session()
    session.trust_env = False
    return session


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _content(seed: str, size: int) -> bytes:
    """``size`` random-looking bytes, the same for the same seed."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def _platform(text: str) -> dict[str, str]:
    parts = text.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise ValueError(f"{text!r} is not a platform such as linux/amd64")
    platform = {"architecture": parts[1], "os": parts[0]}
    if len(parts) == 3:
        platform["variant"] = parts[2]
    return platform


def _bcrypt_line(user: str, password: str) -> str:
    """An htpasswd line with a bcrypt hash (the only kind the registry accepts): from the ``bcrypt``
    package when installed, else from the C library's crypt(3) through Python's ``crypt`` module."""
    try:
        import bcrypt  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        pass
    else:
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
        return f"{user}:{hashed}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt  # type: ignore[import-not-found,unused-ignore]

            hashed = crypt.crypt(password, "$2b$04$" + _bcrypt_salt())
    except (ImportError, OSError):
        hashed = None
    if not hashed or not hashed.startswith("$2b$"):
        _missing(
            "no bcrypt for the registry's htpasswd file: install the bcrypt package (pip install bcrypt)"
        )
    return f"{user}:{hashed}"


def _bcrypt_salt() -> str:
    alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    # 22 characters; the last carries only 4 bits of the 128-bit salt.
    return "".join(secrets.choice(alphabet) for _ in range(21)) + secrets.choice(".Oeu")


class PushedImage(NamedTuple):
    digest: str
    """What the tag points at (the index's digest for a multi-platform image)."""
    children: dict[str, str]
    """Platform text (``linux/amd64``) -> child manifest digest; ``{}`` for a single image."""
    size: int
    """Compressed size (config + layers) of the single image, or of an index's linux/amd64 child
    (0 when it has none)."""


# --- token server ---------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _libtrust_key_id(public_der: bytes) -> str:
    """The key ID libtrust (the registry's JWT library) gives a public key: SHA-256 of the DER
    SubjectPublicKeyInfo, 240 bits in base32, in groups of four joined by colons."""
    encoded = base64.b32encode(hashlib.sha256(public_der).digest()[:30]).decode().rstrip("=")
    return ":".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


class TokenServer:
    """The Bearer token endpoint a ``token`` registry sends clients to, on 127.0.0.1.

    ``GET /token?service=..&scope=repository:<name>:pull[,push]`` (scope may repeat): with valid
    Basic credentials, a token granting the actions asked for; anonymous, a token granting
    ``pull`` on repositories in ``public`` only (others get a token with no access, as Docker Hub
    does); wrong credentials, 401. Each token issued over HTTP is recorded in ``issued`` as
    (username or None, scope text; several scopes joined by a space)."""

    def __init__(
        self,
        tmp_path: Path,
        users: dict[str, str] | None = None,
        public: set[str] | frozenset[str] = frozenset(),
        service: str = "harness-registry",
    ) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self.users = dict({USER: PASSWORD} if users is None else users)
        self.public = set(public)
        self.service = service
        self.issuer = "harness-token-issuer"
        self.issued: list[tuple[str | None, str]] = []
        self._lock = threading.Lock()
        folder = Path(tempfile.mkdtemp(prefix="token-server-", dir=tmp_path))

        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "harness token signer")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self._key, hashes.SHA256())
        )
        self.cert_path = folder / "cert.pem"
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        public_der = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self._header = {
            "typ": "JWT",
            "alg": "RS256",
            "kid": _libtrust_key_id(public_der),
            "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()],
        }

        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._answer(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.realm = f"{self.url}/token"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def token(self, subject: str, access: Sequence[tuple[str, Sequence[str]]]) -> str:
        """A signed JWT for ``subject`` granting ``access`` (repository name, actions)."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.service,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": [
                {"type": "repository", "name": name, "actions": list(actions)} for name, actions in access
            ],
        }
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (self._header, claims)
        )
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        url = urllib.parse.urlsplit(handler.path)
        if url.path != "/token":
            _send(handler, 404, {"error": "not found"})
            return
        query = urllib.parse.parse_qs(url.query)
        scopes = [scope for value in query.get("scope", []) for scope in value.split()]
        username: str | None = None
        authorization = handler.headers.get("Authorization", "")
        if authorization:
            kind, _, value = authorization.partition(" ")
            try:
                username, _, password = base64.b64decode(value).decode().partition(":")
            except ValueError:
                username = password = None  # type: ignore[assignment]
            if kind.lower() != "basic" or username is None or self.users.get(username) != password:
                _send(
                    handler,
                    401,
                    {"details": "wrong credentials"},
                    {"WWW-Authenticate": 'Basic realm="token"'},
                )
                return
        access: list[tuple[str, list[str]]] = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind != "repository" or not name:
                continue
            if username is not None:
                granted = [action for action in actions.split(",") if action]
            else:
                granted = ["pull"] if name in self.public and "pull" in actions.split(",") else []
            if granted:
                access.append((name, granted))
        token = self.token(username or "", access)
        with self._lock:
            self.issued.append((username, " ".join(scopes)))
        issued_at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {"token": token, "access_token": token, "expires_in": 300, "issued_at": issued_at}
        _send(handler, 200, body)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> TokenServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _send(
    handler: BaseHTTPRequestHandler, status: int, body: object, headers: dict[str, str] | None = None
) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(data)


# --- registry -------------------------------------------------------------------------------


def _config(folder: Path, port: int, auth: str, token_server: TokenServer | None) -> str:
    lines = [
        "version: 0.1",
        "log:",
        "  level: info",
        "storage:",
        "  filesystem:",
        f"    rootdirectory: {json.dumps(str(folder / 'storage'))}",
        "  delete:",
        "    enabled: true",
        "http:",
        f"  addr: 127.0.0.1:{port}",
        f"  secret: {secrets.token_hex(16)}",
    ]
    if auth == "htpasswd":
        htpasswd = folder / "htpasswd"
        htpasswd.write_text(_bcrypt_line(USER, PASSWORD) + "\n", encoding="utf-8")
        lines += [
            "auth:",
            "  htpasswd:",
            "    realm: harness-basic",
            f"    path: {json.dumps(str(htpasswd))}",
        ]
    elif auth == "token":
        assert token_server is not None
        lines += [
            "auth:",
            "  token:",
            f"    realm: {token_server.realm}",
            f"    service: {token_server.service}",
            f"    issuer: {token_server.issuer}",
            f"    rootcertbundle: {json.dumps(str(token_server.cert_path))}",
        ]
    return "\n".join(lines) + "\n"


class Registry:
    """A running ``docker-registry``; ``stop`` it (or use it as a context manager)."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        port: int,
        folder: Path,
        auth: str,
        token_server: TokenServer | None,
        owns_token_server: bool,
    ) -> None:
        self.process = process
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.url = f"http://{self.host}"
        self.folder = folder
        self.log_path = folder / "registry.log"
        self.auth = auth
        self.token_server = token_server
        self._owns_token_server = owns_token_server
        self._session = local_session()

    def __repr__(self) -> str:
        return f"<Registry {self.url} auth={self.auth}>"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    # pushing

    def _headers(self, repository: str) -> dict[str, str]:
        if self.auth == "htpasswd":
            return {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}
        if self.auth == "token":
            assert self.token_server is not None
            return {
                "Authorization": "Bearer " + self.token_server.token(ADMIN, [(repository, ["pull", "push"])])
            }
        return {}

    def _blob(self, repository: str, headers: dict[str, str], data: bytes) -> str:
        digest = _digest(data)
        started = self._session.post(
            f"{self.url}/v2/{repository}/blobs/uploads/", headers=headers, timeout=30
        )
        if started.status_code != 202:
            raise AssertionError(f"blob upload start: {started.status_code} {started.text}")
        location = urllib.parse.urljoin(self.url + "/", started.headers["Location"])
        separator = "&" if urllib.parse.urlsplit(location).query else "?"
        finished = self._session.put(
            f"{location}{separator}digest={digest}",
            data=data,
            headers={**headers, "Content-Type": "application/octet-stream"},
            timeout=30,
        )
        if finished.status_code != 201:
            raise AssertionError(f"blob upload: {finished.status_code} {finished.text}")
        return digest

    def _manifest(
        self, repository: str, headers: dict[str, str], reference: str | None, body: dict[str, Any]
    ) -> str:
        data = json.dumps(body, indent=3).encode()
        digest = _digest(data)
        answer = self._session.put(
            f"{self.url}/v2/{repository}/manifests/{reference or digest}",
            data=data,
            headers={**headers, "Content-Type": body["mediaType"]},
            timeout=30,
        )
        if answer.status_code != 201:
            raise AssertionError(f"manifest push: {answer.status_code} {answer.text}")
        assert answer.headers.get("Docker-Content-Digest") == digest, answer.headers
        return digest

    def _image(
        self, repository: str, headers: dict[str, str], platform: str, media: str, layer_bytes: int, seed: str
    ) -> tuple[dict[str, Any], int]:
        manifest_type, _, config_type, layer_type = _MEDIA[media]
        layer = _content(f"{repository}|{seed}|{platform}|{media}", layer_bytes)
        layer_digest = self._blob(repository, headers, layer)
        config = {
            **_platform(platform),
            "config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin"]},
            "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
            "history": [{"created_by": f"registry_harness {seed}".strip()}],
        }
        config_data = json.dumps(config).encode()
        config_digest = self._blob(repository, headers, config_data)
        manifest = {
            "schemaVersion": 2,
            "mediaType": manifest_type,
            "config": {"mediaType": config_type, "size": len(config_data), "digest": config_digest},
            "layers": [{"mediaType": layer_type, "size": len(layer), "digest": layer_digest}],
        }
        return manifest, len(config_data) + len(layer)

    def push(
        self,
        repository: str,
        tag: str | None = None,
        *,
        platforms: Sequence[str] = ("linux/amd64",),
        media: str = "oci",
        layer_bytes: int = 1000,
        seed: str = "",
    ) -> PushedImage:
        """Push an image: one platform makes a single manifest (its config names the platform),
        several an index (OCI) or manifest list (Docker) over per-platform manifests. ``tag`` None
        pushes by digest only. The content is derived from repository, ``seed``, platform and
        ``media``: change ``seed`` for a different image under the same name."""
        if media not in _MEDIA:
            raise ValueError(f"media is 'oci' or 'docker', not {media!r}")
        if not platforms:
            raise ValueError("at least one platform")
        headers = self._headers(repository)
        if len(platforms) == 1:
            manifest, size = self._image(repository, headers, platforms[0], media, layer_bytes, seed)
            return PushedImage(self._manifest(repository, headers, tag, manifest), {}, size)
        children: dict[str, str] = {}
        entries = []
        amd64_size = 0
        for platform in platforms:
            manifest, size = self._image(repository, headers, platform, media, layer_bytes, seed)
            data_digest = self._manifest(repository, headers, None, manifest)
            children[platform] = data_digest
            if platform == "linux/amd64":
                amd64_size = size
            entries.append(
                {
                    "mediaType": manifest["mediaType"],
                    "size": len(json.dumps(manifest, indent=3).encode()),
                    "digest": data_digest,
                    "platform": _platform(platform),
                }
            )
        index = {"schemaVersion": 2, "mediaType": _MEDIA[media][1], "manifests": entries}
        return PushedImage(self._manifest(repository, headers, tag, index), children, amd64_size)

    # lifetime

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._session.close()
        if self._owns_token_server and self.token_server is not None:
            self.token_server.stop()
            self._owns_token_server = False

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/v2/")
        return connection.getresponse().status in (200, 401)
    except OSError:
        return False
    finally:
        connection.close()


def start_registry(tmp_path: Path, auth: str = "none", token_server: TokenServer | None = None) -> Registry:
    """Start ``docker-registry`` on a free 127.0.0.1 port; storage, config and log (``registry.log``)
    in a new folder under ``tmp_path``. ``auth``: "none", "htpasswd" (testuser/testpass) or "token"
    (through ``token_server``; one is made, and stopped with the registry, when none is given).
    Skips without the program (fails under CI=true)."""
    if auth not in ("none", "htpasswd", "token"):
        raise ValueError(f"auth is 'none', 'htpasswd' or 'token', not {auth!r}")
    program = registry_program()
    owns_token_server = auth == "token" and token_server is None
    if owns_token_server:
        token_server = TokenServer(tmp_path)
    folder = Path(tempfile.mkdtemp(prefix="registry-", dir=tmp_path))
    env = {key: value for key, value in os.environ.items() if not key.startswith("REGISTRY_")}
    for attempt in range(3):
        port = _free_port()
        config = folder / "config.yml"
        config.write_text(_config(folder, port, auth, token_server), encoding="utf-8")
        with (folder / "registry.log").open("ab") as log:
            process = subprocess.Popen(
                [program, "serve", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=folder,
            )
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            if _answers(port):
                return Registry(process, port, folder, auth, token_server, owns_token_server)
            time.sleep(0.02)
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        # Exited early: most likely another process took the port between probe and bind; retry.
        if attempt == 2 or "address already in use" not in (folder / "registry.log").read_text(
            errors="replace"
        ):
            break
    if owns_token_server and token_server is not None:
        token_server.stop()
    log_text = (folder / "registry.log").read_text(errors="replace")[-3000:]
    raise AssertionError(f"{PROGRAM} did not answer GET /v2/ within {_START_TIMEOUT} s; its log:\n{log_text}")


# --- front proxy ----------------------------------------------------------------------------

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


class FrontProxy:
    """An HTTP server on 127.0.0.1 that forwards every request to ``target`` unchanged (method,
    path, query, headers including Host and Authorization, body) and returns status, headers and
    body unchanged (so the registry's ``Location`` URLs point back at the proxy and its
    ``WWW-Authenticate`` realms stay as they are). ``requests`` records (method, path without
    query) of each request received; ``delay`` seconds are slept before each answer;
    ``fail_next`` answers the next requests itself. 502 when the registry does not answer."""

    def __init__(self, target: Registry) -> None:
        self.target = target
        self.requests: list[tuple[str, str]] = []
        self.delay = 0.0
        self._lock = threading.Lock()
        self._failures: list[tuple[int, str | None]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _any(self) -> None:
                proxy._forward(self)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _any

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        self.host = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.host}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def fail_next(self, count: int, status: int = 429, retry_after: str | None = "1") -> None:
        """Answer the next ``count`` requests with ``status`` (and ``Retry-After`` when given)
        without forwarding them."""
        with self._lock:
            self._failures.extend([(status, retry_after)] * count)

    def _read_body(self, handler: BaseHTTPRequestHandler) -> bytes:
        if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(body)
                body += handler.rfile.read(size)
                handler.rfile.readline()
        length = int(handler.headers.get("Content-Length") or 0)
        return handler.rfile.read(length) if length else b""

    def _forward(self, handler: BaseHTTPRequestHandler) -> None:
        body = self._read_body(handler)
        with self._lock:
            self.requests.append((handler.command, urllib.parse.urlsplit(handler.path).path))
            failure = self._failures.pop(0) if self._failures else None
        if self.delay > 0:
            time.sleep(self.delay)
        if failure is not None:
            status, retry_after = failure
            error = {"errors": [{"code": "TOOMANYREQUESTS", "message": "harness: failing on purpose"}]}
            _send(handler, status, error, {"Retry-After": retry_after} if retry_after is not None else None)
            return
        # A list, not a dict: a header sent several times (skopeo sends one Accept per media type)
        # is forwarded as many times.
        headers = [
            (key, value)
            for key, value in handler.headers.items()
            if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length"
        ]
        if body or handler.command in ("POST", "PUT", "PATCH"):
            headers.append(("Content-Length", str(len(body))))
        connection = http.client.HTTPConnection("127.0.0.1", self.target.port, timeout=30)
        try:
            connection.putrequest(handler.command, handler.path, skip_host=True, skip_accept_encoding=True)
            for key, value in headers:
                connection.putheader(key, value)
            connection.endheaders(body or None)
            answer = connection.getresponse()
            data = answer.read()
            answer_headers = answer.getheaders()
            status = answer.status
        except OSError as error:
            _send(handler, 502, {"errors": [{"code": "BAD_GATEWAY", "message": str(error)}]})
            return
        finally:
            connection.close()
        handler.send_response_only(status)
        length_sent = False
        for key, value in answer_headers:
            if key.lower() in _HOP_BY_HOP:
                continue
            if key.lower() == "content-length":
                if handler.command != "HEAD":
                    value = str(len(data))
                length_sent = True
            handler.send_header(key, value)
        if not length_sent and handler.command != "HEAD":
            handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(data)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FrontProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- credentials ----------------------------------------------------------------------------


def docker_config(tmp_path: Path, auths: dict[str, tuple[str, str]] | None = None, **extra: object) -> Path:
    """Write ``<tmp_path>/docker/config.json`` (``auths``: host -> (user, password), stored as
    ``{"auth": base64(user:password)}``; ``extra`` keys such as ``credsStore`` added as given) and
    return the folder, for ``DOCKER_CONFIG``."""
    folder = tmp_path / "docker"
    folder.mkdir(parents=True, exist_ok=True)
    content: dict[str, object] = {
        "auths": {
            host: {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}
            for host, (user, password) in (auths or {}).items()
        }
    }
    content.update(extra)
    (folder / "config.json").write_text(json.dumps(content, indent=2), encoding="utf-8")
    return folder


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    """A registry without auth, stopped afterwards."""
    with start_registry(tmp_path) as started:
        yield started


@pytest.fixture
def basic_registry(tmp_path: Path) -> Iterator[Registry]:
    """A registry with Basic auth (testuser / testpass)."""
    with start_registry(tmp_path, auth="htpasswd") as started:
        yield started


@pytest.fixture
def token_registry(tmp_path: Path) -> Iterator[tuple[Registry, TokenServer]]:
    """A registry with Bearer token auth; its token server serves "public/app" anonymously."""
    registry_program()  # skip before making a key
    with (
        TokenServer(tmp_path, public={"public/app"}) as tokens,
        start_registry(tmp_path, "token", tokens) as started,
    ):
        yield started, tokens


@pytest.fixture(scope="module")
def registry_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """``registry`` shared by a module's tests (use distinct repository names)."""
    with start_registry(tmp_path_factory.mktemp("registry")) as started:
        yield started


@pytest.fixture(scope="module")
def basic_registry_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """``basic_registry`` shared by a module's tests."""
    with start_registry(tmp_path_factory.mktemp("registry"), auth="htpasswd") as started:
        yield started


@pytest.fixture(scope="module")
def token_registry_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Registry, TokenServer]]:
    """``token_registry`` shared by a module's tests (``issued`` accumulates across them)."""
    registry_program()
    folder = tmp_path_factory.mktemp("registry")
    with (
        TokenServer(folder, public={"public/app"}) as tokens,
        start_registry(folder, "token", tokens) as started,
    ):
        yield started, tokens
