"""tests/registry_harness.py against the real docker-registry: what it pushes reads back as pushed,
the three kinds of auth behave as registries do, and the front proxy counts, delays and fails."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path

import pytest
import requests
from registry_harness import (
    ACCEPT,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    OCI_INDEX,
    OCI_MANIFEST,
    FrontProxy,
    Registry,
    TokenServer,
    basic_registry,
    basic_registry_module,
    docker_config,
    local_session,
    registry,
    registry_module,
    start_registry,
    token_registry,
    token_registry_module,
)

# The fixtures are used by name; importing them is what makes them available here.
_FIXTURES = (
    registry,
    basic_registry,
    token_registry,
    registry_module,
    basic_registry_module,
    token_registry_module,
)


@pytest.fixture(scope="module")
def http() -> requests.Session:
    return local_session()


def _manifest(
    http: requests.Session, base: str, repository: str, reference: str, **headers: str
) -> requests.Response:
    return http.get(
        f"{base}/v2/{repository}/manifests/{reference}", headers={"Accept": ACCEPT, **headers}, timeout=10
    )


def _blob(http: requests.Session, base: str, repository: str, digest: str) -> bytes:
    answer = http.get(f"{base}/v2/{repository}/blobs/{digest}", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.content


@pytest.mark.parametrize(("media", "media_type"), [("oci", OCI_MANIFEST), ("docker", DOCKER_MANIFEST)])
def test_a_single_image_reads_back_as_pushed(
    registry_module: Registry, http: requests.Session, media: str, media_type: str
) -> None:
    pushed = registry_module.push(f"single/{media}", "1.0", media=media, layer_bytes=2000)
    assert pushed.children == {}
    head = http.head(
        f"{registry_module.url}/v2/single/{media}/manifests/1.0", headers={"Accept": ACCEPT}, timeout=10
    )
    assert head.status_code == 200
    assert head.headers["Docker-Content-Digest"] == pushed.digest
    assert head.headers["Content-Type"] == media_type
    got = _manifest(http, registry_module.url, f"single/{media}", "1.0")
    assert got.status_code == 200
    assert "sha256:" + hashlib.sha256(got.content).hexdigest() == pushed.digest
    manifest = got.json()
    assert manifest["mediaType"] == media_type
    config = json.loads(_blob(http, registry_module.url, f"single/{media}", manifest["config"]["digest"]))
    assert (config["os"], config["architecture"]) == ("linux", "amd64")
    assert "variant" not in config
    assert manifest["layers"][0]["size"] == 2000
    assert pushed.size == manifest["config"]["size"] + sum(layer["size"] for layer in manifest["layers"])
    # By digest too; an unknown tag is a 404 with an empty body on HEAD.
    assert _manifest(http, registry_module.url, f"single/{media}", pushed.digest).status_code == 200
    missing = http.head(
        f"{registry_module.url}/v2/single/{media}/manifests/nope", headers={"Accept": ACCEPT}, timeout=10
    )
    assert (missing.status_code, missing.content) == (404, b"")


@pytest.mark.parametrize(("media", "index_type"), [("oci", OCI_INDEX), ("docker", DOCKER_MANIFEST_LIST)])
def test_an_index_lists_one_child_per_platform(
    registry_module: Registry, http: requests.Session, media: str, index_type: str
) -> None:
    repository = f"multi/{media}"
    pushed = registry_module.push(
        repository, "latest", platforms=("linux/amd64", "linux/arm64/v8"), media=media
    )
    assert set(pushed.children) == {"linux/amd64", "linux/arm64/v8"}
    assert len(set(pushed.children.values())) == 2
    got = _manifest(http, registry_module.url, repository, "latest")
    assert got.status_code == 200
    assert got.headers["Content-Type"] == index_type
    assert got.headers["Docker-Content-Digest"] == pushed.digest
    entries = got.json()["manifests"]
    assert [(entry["platform"], entry["digest"]) for entry in entries] == [
        ({"architecture": "amd64", "os": "linux"}, pushed.children["linux/amd64"]),
        ({"architecture": "arm64", "os": "linux", "variant": "v8"}, pushed.children["linux/arm64/v8"]),
    ]
    child = _manifest(http, registry_module.url, repository, pushed.children["linux/arm64/v8"]).json()
    config = json.loads(_blob(http, registry_module.url, repository, child["config"]["digest"]))
    assert (config["os"], config["architecture"], config["variant"]) == ("linux", "arm64", "v8")
    amd64 = _manifest(http, registry_module.url, repository, pushed.children["linux/amd64"]).json()
    assert pushed.size == amd64["config"]["size"] + sum(layer["size"] for layer in amd64["layers"])


def test_an_index_without_amd64_has_size_0_and_tagless_pushes_list_no_tag(
    registry_module: Registry, http: requests.Session
) -> None:
    pushed = registry_module.push("untagged/app", None, platforms=("linux/arm64", "linux/s390x"))
    assert pushed.size == 0
    assert _manifest(http, registry_module.url, "untagged/app", pushed.digest).status_code == 200
    tags = http.get(f"{registry_module.url}/v2/untagged/app/tags/list", timeout=10).json()
    assert not tags.get("tags")


def test_the_same_push_is_the_same_image_and_a_seed_changes_it(registry_module: Registry) -> None:
    first = registry_module.push("seeded/app", "a")
    assert registry_module.push("seeded/app", "b") == first
    assert registry_module.push("seeded/app", "c", seed="rebuilt").digest != first.digest


def test_basic_auth_wants_the_password(basic_registry_module: Registry, http: requests.Session) -> None:
    pushed = basic_registry_module.push("private/app", "1")
    anonymous = _manifest(http, basic_registry_module.url, "private/app", "1")
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic realm=")
    wrong = http.get(
        f"{basic_registry_module.url}/v2/private/app/manifests/1",
        headers={"Accept": ACCEPT},
        auth=("testuser", "wrong"),
        timeout=10,
    )
    assert wrong.status_code == 401
    right = http.get(
        f"{basic_registry_module.url}/v2/private/app/manifests/1",
        headers={"Accept": ACCEPT},
        auth=("testuser", "testpass"),
        timeout=10,
    )
    assert right.status_code == 200
    assert right.headers["Docker-Content-Digest"] == pushed.digest


def _token(http: requests.Session, tokens: TokenServer, scope: str, auth: tuple[str, str] | None) -> str:
    answer = http.get(tokens.realm, params={"service": tokens.service, "scope": scope}, auth=auth, timeout=10)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token"] == body["access_token"]
    return str(body["token"])


def test_the_token_flow_end_to_end(
    token_registry_module: tuple[Registry, TokenServer], http: requests.Session
) -> None:
    registry, tokens = token_registry_module
    private = registry.push("private/app", "1")
    public = registry.push("public/app", "1")
    issued_before = len(tokens.issued)

    challenge = _manifest(http, registry.url, "private/app", "1")
    assert challenge.status_code == 401
    assert challenge.headers["WWW-Authenticate"] == (
        f'Bearer realm="{tokens.realm}",service="{tokens.service}",scope="repository:private/app:pull"'
    )

    anonymous = _token(http, tokens, "repository:private/app:pull", None)
    claims = json.loads(base64.urlsafe_b64decode(anonymous.split(".")[1] + "=="))
    assert claims["access"] == []
    denied = _manifest(http, registry.url, "private/app", "1", Authorization=f"Bearer {anonymous}")
    assert denied.status_code == 401

    granted = _token(http, tokens, "repository:private/app:pull", ("testuser", "testpass"))
    allowed = _manifest(http, registry.url, "private/app", "1", Authorization=f"Bearer {granted}")
    assert allowed.status_code == 200
    assert allowed.headers["Docker-Content-Digest"] == private.digest

    open_token = _token(http, tokens, "repository:public/app:pull", None)
    readable = _manifest(http, registry.url, "public/app", "1", Authorization=f"Bearer {open_token}")
    assert readable.status_code == 200
    assert readable.headers["Docker-Content-Digest"] == public.digest

    wrong = http.get(
        tokens.realm,
        params={"service": tokens.service, "scope": "repository:private/app:pull"},
        auth=("testuser", "nope"),
        timeout=10,
    )
    assert wrong.status_code == 401
    assert tokens.issued[issued_before:] == [
        (None, "repository:private/app:pull"),
        ("testuser", "repository:private/app:pull"),
        (None, "repository:public/app:pull"),
    ]


def test_the_front_proxy_forwards_counts_delays_and_fails(
    basic_registry_module: Registry, http: requests.Session
) -> None:
    pushed = basic_registry_module.push("proxied/app", "1")
    proxy = FrontProxy(basic_registry_module)
    try:
        assert proxy.host == proxy.url.removeprefix("http://")
        challenge = _manifest(http, proxy.url, "proxied/app", "1")
        assert challenge.status_code == 401
        assert challenge.headers["WWW-Authenticate"].startswith("Basic realm=")
        url = f"{proxy.url}/v2/proxied/app/manifests/1"
        head = http.head(url, headers={"Accept": ACCEPT}, auth=("testuser", "testpass"), timeout=10)
        assert head.status_code == 200
        assert head.headers["Docker-Content-Digest"] == pushed.digest
        assert int(head.headers["Content-Length"]) > 0
        got = http.get(url, headers={"Accept": ACCEPT}, auth=("testuser", "testpass"), timeout=10)
        assert got.headers["Docker-Content-Digest"] == pushed.digest
        assert len(got.content) == int(got.headers["Content-Length"])
        assert proxy.requests == [
            ("GET", "/v2/proxied/app/manifests/1"),
            ("HEAD", "/v2/proxied/app/manifests/1"),
            ("GET", "/v2/proxied/app/manifests/1"),
        ]

        proxy.fail_next(2)
        proxy.fail_next(1, status=503, retry_after=None)
        answers = [http.get(f"{proxy.url}/v2/", auth=("testuser", "testpass"), timeout=10) for _ in range(4)]
        assert [(answer.status_code, answer.headers.get("Retry-After")) for answer in answers] == [
            (429, "1"),
            (429, "1"),
            (503, None),
            (200, None),
        ]
        assert len(proxy.requests) == 7

        proxy.delay = 0.3
        started = time.monotonic()
        assert http.get(f"{proxy.url}/v2/", auth=("testuser", "testpass"), timeout=10).status_code == 200
        assert time.monotonic() - started >= 0.3
    finally:
        proxy.stop()


def test_the_front_proxy_forwards_a_repeated_header_each_time(registry_module: Registry) -> None:
    """skopeo (containers/image) sends one Accept header per media type; the registry must see all."""
    import http.client

    pushed = registry_module.push("proxied/repeated", "1")
    with FrontProxy(registry_module) as proxy:
        connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        try:
            connection.putrequest("GET", f"/v2/proxied/repeated/manifests/{pushed.digest}")
            for media_type in (OCI_MANIFEST, DOCKER_MANIFEST):  # a dict would keep only the last
                connection.putheader("Accept", media_type)
            connection.endheaders()
            answer = connection.getresponse()
            answer.read()
        finally:
            connection.close()
    assert answer.status == 200
    assert answer.getheader("Content-Type") == OCI_MANIFEST


def test_pushing_through_the_proxy_and_a_registry_stopped_mid_run(
    tmp_path: Path, http: requests.Session
) -> None:
    with start_registry(tmp_path) as started, FrontProxy(started) as proxy:
        # Upload locations the registry hands out point back at the proxy (it keeps the Host header).
        upload = http.post(f"{proxy.url}/v2/via/proxy/blobs/uploads/", timeout=10)
        assert upload.status_code == 202
        assert upload.headers["Location"].startswith(proxy.url)
        pushed = started.push("via/proxy", "1")
        assert _manifest(http, proxy.url, "via/proxy", "1").headers["Docker-Content-Digest"] == pushed.digest
        started.stop()
        assert _manifest(http, proxy.url, "via/proxy", "1").status_code == 502
        with pytest.raises(requests.ConnectionError):
            http.get(f"{started.url}/v2/", timeout=2)


def test_the_function_scoped_fixtures(
    registry: Registry,
    basic_registry: Registry,
    token_registry: tuple[Registry, TokenServer],
    http: requests.Session,
) -> None:
    assert registry.url == f"http://{registry.host}"
    assert http.get(f"{registry.url}/v2/", timeout=10).status_code == 200
    assert http.get(f"{basic_registry.url}/v2/", timeout=10).status_code == 401
    token, tokens = token_registry
    assert tokens.public == {"public/app"}
    assert http.get(f"{token.url}/v2/", timeout=10).status_code == 401
    assert len({registry.url, basic_registry.url, token.url}) == 3


def test_a_token_registry_without_a_token_server_makes_and_stops_its_own(tmp_path: Path) -> None:
    with start_registry(tmp_path, auth="token") as started:
        assert started.token_server is not None
        started.push("own/app", "1")
        realm = started.token_server.realm
    with pytest.raises(requests.ConnectionError):
        local_session().get(realm, timeout=2)


def test_without_the_program_it_skips_and_fails_under_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="docker-registry is not installed"):
        start_registry(tmp_path)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="docker-registry is not installed"):
        start_registry(tmp_path)


def test_docker_config_writes_auths_and_extra_keys(tmp_path: Path) -> None:
    folder = docker_config(tmp_path, {"127.0.0.1:5000": ("testuser", "testpass")}, credsStore="harness")
    assert folder == tmp_path / "docker"
    content = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert content == {
        "auths": {"127.0.0.1:5000": {"auth": base64.b64encode(b"testuser:testpass").decode()}},
        "credsStore": "harness",
    }
    assert json.loads((docker_config(tmp_path / "empty") / "config.json").read_text()) == {"auths": {}}
