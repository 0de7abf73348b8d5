"""scripts/refresh_knowledge.py against recorded endoflife.date answers served on 127.0.0.1."""

from __future__ import annotations

import http.server
import importlib.util
import json
import threading
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


class _Recorded(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        product = self.path.removeprefix("/api/").removesuffix(".json")
        body = json.dumps(RECORDED[product]).encode() if product in RECORDED else b"{}"
        self.send_response(200 if product in RECORDED else 404)
        self.send_header("Content-Type", "application/json")
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
    assert script.main(["--base-url", base_url, "--timeout", "5"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == ["python: newest 3.13 patch 3.13.13 -> 3.13.99", "node: add release 26 (ended 2029-04-30)"]


def test_a_broken_answer_is_an_error(
    script: ModuleType, base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    RECORDED_BACKUP = RECORDED.pop("centos")
    try:
        assert script.main(["--base-url", base_url, "--timeout", "5"]) == 2
    finally:
        RECORDED["centos"] = RECORDED_BACKUP
    assert "centos: could not read centos" in capsys.readouterr().err
