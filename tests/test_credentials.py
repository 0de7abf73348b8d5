"""Docker credentials: real config files in temporary folders and real credential helper
programs (small ``sh`` scripts on a ``PATH`` of their own); no mocks."""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from valohai_image_lint.credentials import Credential, DockerCredentials, hostname, server_address

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the helpers are sh scripts")

SENTINEL = "s3cr3t-SENTINEL-do-not-show"


def _auth(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


class Home:
    """A Docker config folder and a folder of helper programs, and the environment naming them."""

    def __init__(self, root: Path) -> None:
        self.config = root / "docker"
        self.config.mkdir()
        self.bin = root / "bin"
        self.bin.mkdir()
        self.log = root / "helper.log"

    def environ(self, **extra: str) -> dict[str, str]:
        return {"DOCKER_CONFIG": str(self.config), "PATH": f"{self.bin}:/usr/bin:/bin", **extra}

    def write(self, document: object) -> None:
        (self.config / "config.json").write_text(json.dumps(document), encoding="utf-8")

    def helper(self, name: str, body: str) -> None:
        """``docker-credential-<name>``: ``body`` runs after it logged the server it was asked for."""
        path = self.bin / f"docker-credential-{name}"
        path.write_text(f'#!/bin/sh\nread server\necho "{name} $1 $server" >> "{self.log}"\n{body}\n')
        path.chmod(0o755)

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)


def _answer(user: str, secret: str) -> str:
    document = json.dumps({"ServerURL": "x", "Username": user, "Secret": secret})
    return f"echo '{document}'"


def _no_secret_shown(credentials: DockerCredentials, *found: Credential | None) -> None:
    for credential in found:
        assert SENTINEL not in repr(credential) and SENTINEL not in str(credential)
    assert not any(SENTINEL in warning for warning in credentials.warnings)


def test_names_normalize_as_docker_does() -> None:
    assert hostname("https://index.docker.io/v1/") == "index.docker.io"
    assert hostname("http://127.0.0.1:5000/v2/") == "127.0.0.1:5000"
    assert hostname("ghcr.io/owner") == "ghcr.io"
    assert server_address("docker.io") == "https://index.docker.io/v1/"
    assert server_address("registry-1.docker.io") == "https://index.docker.io/v1/"
    assert server_address("GHCR.io") == "ghcr.io"


def test_repr_hides_the_secret() -> None:
    credential = Credential("bob", SENTINEL)
    assert repr(credential) == "Credential(username='bob', secret=<hidden>)"
    assert str(credential) == repr(credential)
    assert SENTINEL not in repr(Credential("<token>", SENTINEL, identity_token=True))
    assert not hasattr(credential, "__dict__")


@pytest.mark.parametrize(
    "key",
    [
        "https://index.docker.io/v1/",
        "index.docker.io",
        "docker.io",
        "registry-1.docker.io",
        "https://docker.io",
    ],
)
def test_docker_hub_under_any_of_its_names(home: Home, key: str) -> None:
    home.write({"auths": {key: {"auth": _auth("bob", SENTINEL)}}})
    credentials = DockerCredentials(home.environ())
    for registry in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        assert credentials.for_registry(registry) == Credential("bob", SENTINEL)
    assert credentials.for_registry("ghcr.io") is None
    assert credentials.warnings == []


def test_auths_keys_are_normalized(home: Home) -> None:
    home.write(
        {
            "auths": {
                "https://ghcr.io/v2/": {"auth": _auth("gh", "pw:with:colons")},
                "127.0.0.1:5000": {"username": "local", "password": SENTINEL},
                "quay.io": {"identitytoken": SENTINEL, "auth": _auth("q", "ignored")},
                "empty.example": {},
            }
        }
    )
    credentials = DockerCredentials(home.environ())
    assert credentials.for_registry("ghcr.io") == Credential("gh", "pw:with:colons")
    assert credentials.for_registry("127.0.0.1:5000") == Credential("local", SENTINEL)
    token = credentials.for_registry("quay.io")
    assert token == Credential("q", SENTINEL, identity_token=True)
    assert credentials.for_registry("empty.example") is None
    assert credentials.for_registry("docker.io") is None
    _no_secret_shown(credentials, token)
    assert credentials.warnings == []


def test_config_in_home_when_docker_config_is_unset(tmp_path: Path) -> None:
    (tmp_path / ".docker").mkdir()
    (tmp_path / ".docker" / "config.json").write_text(
        json.dumps({"auths": {"ghcr.io": {"auth": _auth("a", "b")}}})
    )
    credentials = DockerCredentials({"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert credentials.for_registry("ghcr.io") == Credential("a", "b")


def test_no_config_is_no_credentials_and_no_warning(home: Home) -> None:
    credentials = DockerCredentials(home.environ())
    assert credentials.for_registry("docker.io") is None
    assert credentials.warnings == []


def test_cred_helper_answers_with_docker_hub_server(home: Home) -> None:
    home.helper("testhelper", _answer("helper-user", SENTINEL))
    home.write(
        {"credHelpers": {"docker.io": "testhelper"}, "auths": {"docker.io": {"auth": _auth("file", "x")}}}
    )
    credentials = DockerCredentials(home.environ())
    found = credentials.for_registry("docker.io")
    assert found == Credential("helper-user", SENTINEL)
    assert credentials.for_registry("index.docker.io") == found  # the same server: not run again
    assert home.calls() == ["testhelper get https://index.docker.io/v1/"]
    _no_secret_shown(credentials, found)


def test_helper_token_username_is_an_identity_token(home: Home) -> None:
    home.helper("testhelper", _answer("<token>", SENTINEL))
    home.write({"credHelpers": {"ghcr.io": "testhelper"}})
    credentials = DockerCredentials(home.environ())
    found = credentials.for_registry("ghcr.io")
    assert found == Credential("<token>", SENTINEL, identity_token=True)
    assert home.calls() == ["testhelper get ghcr.io"]


def test_cred_helpers_before_creds_store_before_auths(home: Home) -> None:
    home.helper("perhost", _answer("per-host", "1"))
    home.helper("store", _answer("store", "2"))
    home.write(
        {
            "credHelpers": {"ghcr.io": "perhost"},
            "credsStore": "store",
            "auths": {"ghcr.io": {"auth": _auth("f", "3")}, "quay.io": {"auth": _auth("f", "4")}},
        }
    )
    credentials = DockerCredentials(home.environ())
    assert credentials.for_registry("ghcr.io") == Credential("per-host", "1")
    assert credentials.for_registry("quay.io") == Credential("store", "2")


def test_store_without_an_answer_does_not_fall_back_to_auths(home: Home) -> None:
    """As the Docker CLI's ``nativeStore.Get``: "credentials not found" from the store is no
    credentials, even when ``auths`` has an entry (which a store-backed login leaves empty)."""
    home.helper("store", 'echo "credentials not found in native keychain"; exit 1')
    home.write({"credsStore": "store", "auths": {"ghcr.io": {"auth": _auth("file", "x")}}})
    credentials = DockerCredentials(home.environ())
    assert credentials.for_registry("ghcr.io") is None
    assert credentials.for_registry("ghcr.io") is None
    assert home.calls() == ["store get ghcr.io"]  # asked once
    assert credentials.warnings == []


def test_docker_auth_config_comes_first(home: Home) -> None:
    home.helper("store", _answer("store", "2"))
    home.write({"credsStore": "store"})
    environment = json.dumps({"auths": {"https://index.docker.io/v1/": {"auth": _auth("env", SENTINEL)}}})
    credentials = DockerCredentials(home.environ(DOCKER_AUTH_CONFIG=environment))
    assert credentials.for_registry("docker.io") == Credential("env", SENTINEL)
    assert credentials.for_registry("ghcr.io") == Credential("store", "2")  # the fallback


def test_failing_helper_is_a_warning_without_its_output(home: Home) -> None:
    home.helper("testhelper", f'echo "{SENTINEL}"; exit 3')
    home.write({"credsStore": "testhelper"})
    credentials = DockerCredentials(home.environ())
    assert credentials.for_registry("ghcr.io") is None
    assert credentials.warnings == [
        "Docker credentials: credential helper docker-credential-testhelper exited with status 3"
    ]
    _no_secret_shown(credentials)


def test_malformed_helper_answer(home: Home) -> None:
    home.helper("testhelper", f'echo "{{not json {SENTINEL}"')
    home.write({"credsStore": "testhelper"})
    credentials = DockerCredentials(home.environ())
    assert credentials.for_registry("ghcr.io") is None
    assert credentials.warnings == [
        "Docker credentials: credential helper docker-credential-testhelper gave a malformed answer"
    ]
    _no_secret_shown(credentials)


def test_helper_past_its_timeout_is_stopped(home: Home) -> None:
    home.helper("testhelper", "sleep 30")
    home.write({"credsStore": "testhelper"})
    credentials = DockerCredentials(home.environ(), helper_timeout=0.5)
    start = time.monotonic()
    assert credentials.for_registry("ghcr.io") is None
    assert time.monotonic() - start < 5
    assert credentials.warnings == [
        "Docker credentials: credential helper docker-credential-testhelper timed out after 0.5 s"
    ]


def test_helper_printing_without_end_is_stopped(home: Home) -> None:
    home.helper("testhelper", "exec cat /dev/zero")
    home.write({"credsStore": "testhelper"})
    credentials = DockerCredentials(home.environ(), helper_timeout=5)
    start = time.monotonic()
    assert credentials.for_registry("ghcr.io") is None
    assert time.monotonic() - start < 5
    assert credentials.warnings == [
        "Docker credentials: credential helper docker-credential-testhelper printed more than 65536 bytes"
    ]


def test_helper_not_on_path(home: Home) -> None:
    home.write({"credHelpers": {"ghcr.io": "absent"}, "auths": {"ghcr.io": {"auth": _auth("f", "x")}}})
    credentials = DockerCredentials(home.environ())
    assert credentials.for_registry("ghcr.io") is None
    assert credentials.warnings == [
        "Docker credentials: credential helper docker-credential-absent not found on PATH"
    ]


@pytest.mark.parametrize("name", ["../../tmp/evil", "/bin/sh", "a b", "x;rm", "", "caf\u00e9", 7])
def test_invalid_helper_name_is_never_run(home: Home, tmp_path: Path, name: object) -> None:
    marker = tmp_path / "ran"
    evil = tmp_path / "evil"
    evil.write_text(f"#!/bin/sh\ntouch {marker}\n")
    evil.chmod(0o755)
    home.write({"credHelpers": {"ghcr.io": name}})
    credentials = DockerCredentials(home.environ())
    assert credentials.for_registry("ghcr.io") is None
    assert not marker.exists()
    (warning,) = credentials.warnings
    assert "is not valid; not run" in warning


def test_bad_auth_entries(home: Home) -> None:
    home.write(
        {
            "auths": {
                "ghcr.io": {"auth": "%%%not-base64" + SENTINEL},
                "quay.io": {"auth": base64.b64encode(SENTINEL.encode()).decode()},  # no colon
                "gcr.io": "a string",
                "docker.io": {"auth": _auth("ok", "fine")},
            }
        }
    )
    credentials = DockerCredentials(home.environ())
    assert credentials.for_registry("ghcr.io") is None
    assert credentials.for_registry("quay.io") is None
    assert credentials.for_registry("gcr.io") is None
    assert credentials.for_registry("docker.io") == Credential("ok", "fine")
    assert credentials.warnings == [
        'Docker credentials: the config.json entry for "ghcr.io" has an invalid "auth"; ignored',
        'Docker credentials: the config.json entry for "quay.io" has an invalid "auth"; ignored',
        'Docker credentials: the config.json entry for "gcr.io" is not an object; ignored',
    ]
    _no_secret_shown(credentials)


@pytest.mark.parametrize(
    ("content", "warning"),
    [
        ('{"auths": {"ghcr.io": ', "is not JSON"),
        ("[1, 2]", "is not a JSON object"),
        (b"\xff\xfe{}", "is not JSON"),
    ],
)
def test_corrupt_config(home: Home, content: str | bytes, warning: str) -> None:
    path = home.config / "config.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    credentials = DockerCredentials(home.environ())
    assert credentials.for_registry("ghcr.io") is None
    assert credentials.warnings == [f"Docker credentials not read: {path} {warning}"]


def _unreadable(home: Home, kind: str) -> None:
    path = home.config / "config.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "huge":
        with path.open("wb") as stream:
            stream.truncate(64 * 2**20)  # sparse: costs no disk
    elif kind == "folder":
        path.mkdir()


@pytest.mark.parametrize("kind", ["fifo", "zero", "huge", "folder"])
def test_unreadable_config_is_a_warning_never_a_hang(home: Home, kind: str) -> None:
    _unreadable(home, kind)
    credentials = DockerCredentials(home.environ())
    result: list[Credential | None] = []
    worker = threading.Thread(
        target=lambda: result.append(credentials.for_registry("docker.io")), daemon=True
    )
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "reading the config hung"
    assert result == [None]
    (warning,) = credentials.warnings
    assert warning.startswith(f"Docker credentials not read: {home.config / 'config.json'}: ")


def test_threads_share_one_helper_run(home: Home) -> None:
    home.helper("testhelper", "sleep 0.3; " + _answer("u", SENTINEL))
    home.write({"credsStore": "testhelper"})
    credentials = DockerCredentials(home.environ())
    results: list[Credential | None] = []
    lock = threading.Lock()

    def look_up(registry: str) -> None:
        found = credentials.for_registry(registry)
        with lock:
            results.append(found)

    workers = [threading.Thread(target=look_up, args=(r,)) for r in ["ghcr.io", "quay.io"] * 4]
    start = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    assert results == [Credential("u", SENTINEL)] * 8
    assert sorted(home.calls()) == ["testhelper get ghcr.io", "testhelper get quay.io"]
    assert time.monotonic() - start < 2  # the two hosts' helpers ran side by side, once each
