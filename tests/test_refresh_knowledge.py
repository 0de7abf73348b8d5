"""scripts/refresh_knowledge.py against recorded endoflife.date answers and a registry's tag lists,
served on 127.0.0.1: the registry answers as the distribution API does (a 401 with a Bearer
challenge, a token from its realm, tag lists paginated with ``Link``)."""

from __future__ import annotations

import http.server
import importlib.util
import json
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).parent.parent / "scripts" / "refresh_knowledge.py"

# Recorded from https://endoflife.date/api/<product>.json (trimmed to a few cycles), with two
# changes planted: Python 3.13's newest patch and a new Node.js release.
RECORDED: dict[str, list[dict[str, object]]] = {
    "python": [
        {"cycle": "3.13", "eol": "2029-10-31", "latest": "3.13.99"},
        {"cycle": "3.9", "eol": "2025-10-31", "latest": "3.9.25"},
    ],
    "ubuntu": [{"cycle": "18.04", "eol": "2023-05-31"}, {"cycle": "23.10", "eol": "2024-07-12"}],
    "debian": [{"cycle": "10", "eol": "2022-09-10", "eoes": "2024-06-30"}],
    "centos": [{"cycle": "7", "eol": "2024-06-30"}],
    "alpine-linux": [{"cycle": "3.22", "eol": "2027-05-01", "latest": "3.22.3"}],
    "nodejs": [{"cycle": "16", "eol": "2023-09-11"}, {"cycle": "26", "eol": "2029-04-30"}],
}


def _published() -> dict[str, list[str]]:
    """Each repository's tags, as its registry lists them: every tag the tables suggest, less one
    planted gap (python 3.14.4 not published), and older tags besides."""
    from valohai_image_lint.tags import EXACT_VERSIONS

    published = {}
    for repository, versions in EXACT_VERSIONS.items():
        path = repository.partition("/")[2]
        published[path] = sorted({*versions.values(), "1.0", "latest"} - {"3.14.4"})
    return published


PUBLISHED = _published()
TOKEN = "recorded-token"
PAGE = 3  # tags per page, so that the lists are paginated


class _Recorded(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/token":
            query = urllib.parse.parse_qs(url.query)
            assert query["service"] == ["recorded-registry"] and query["scope"][0].endswith(":pull")
            return self._json(200, {"token": TOKEN})
        if url.path.startswith("/v2/") and url.path.endswith("/tags/list"):
            return self._tags(url.path.removeprefix("/v2/").removesuffix("/tags/list"), url.query)
        product = self.path.removeprefix("/api/").removesuffix(".json")
        body = json.dumps(RECORDED[product]).encode() if product in RECORDED else b"{}"
        self.send_response(200 if product in RECORDED else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def _tags(self, path: str, query: str) -> None:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.send_response(401)
            realm = f"http://127.0.0.1:{self.server.server_address[1]}/token"
            scope = f"repository:{path}:pull"
            challenge = f'Bearer realm="{realm}",service="recorded-registry",scope="{scope}"'
            self.send_header("WWW-Authenticate", challenge)
            self.end_headers()
            return
        if path not in PUBLISHED:
            return self._json(404, {"errors": [{"code": "NAME_UNKNOWN"}]})
        start = int(urllib.parse.parse_qs(query).get("last", ["0"])[0])
        tags = PUBLISHED[path][start : start + PAGE]
        extra = {}
        if start + PAGE < len(PUBLISHED[path]):
            extra["Link"] = f'</v2/{path}/tags/list?n={PAGE}&last={start + PAGE}>; rel="next"'
        self._json(200, {"name": path, "tags": tags}, extra)

    def _json(self, status: int, value: object, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, text in (headers or {}).items():
            self.send_header(name, text)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def base_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("refresh_knowledge", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_prints_what_would_change(
    script: ModuleType, base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert script.main(["--base-url", base_url, "--registry-url", base_url, "--timeout", "5"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "python: newest 3.13 patch 3.13.13 -> 3.13.99",
        "node: add release 26 (ended 2029-04-30)",
        "docker.io/library/python: suggested tag 3.14.4 is not published",
    ]


def test_reads_every_page_of_a_tag_list(script: ModuleType, base_url: str) -> None:
    import requests

    with requests.Session() as session:
        tags = script.published_tags(session, base_url, "library/python", 5)
    assert tags == set(PUBLISHED["library/python"]) and len(tags) > PAGE


def test_registry_hosts(script: ModuleType) -> None:
    assert script.registry_base("docker.io/library/python", None) == (
        "https://registry-1.docker.io",
        "library/python",
    )
    assert script.registry_base("nvcr.io/nvidia/pytorch", None) == ("https://nvcr.io", "nvidia/pytorch")
    assert script.registry_base("docker.io/library/python", "http://127.0.0.1:1/") == (
        "http://127.0.0.1:1",
        "library/python",
    )


def test_a_broken_answer_is_an_error(
    script: ModuleType, base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    RECORDED_BACKUP = RECORDED.pop("centos")
    try:
        assert script.main(["--base-url", base_url, "--registry-url", base_url, "--timeout", "5"]) == 2
    finally:
        RECORDED["centos"] = RECORDED_BACKUP
    assert "centos: could not read centos" in capsys.readouterr().err
