"""The editor recipes of docs/editors.md in the real programs: efm-langserver spoken to over LSP,
and Emacs flycheck in batch mode. Both take their configuration from the doc itself."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
TEXT = "- step:\n    name: train\n    image: tensorflow/tensorflow:latest-gpu\n- step: {name: b, image: 'python:3.9'}\n"


def _block(language: str, contains: str) -> str:
    for match in re.finditer(rf"^```{language}\n(.*?)^```$", DOC, re.DOTALL | re.MULTILINE):
        if contains in match.group(1):
            return match.group(1)
    raise AssertionError(f"no ```{language} block with {contains!r}")


def _need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        message = f"{program} is not installed: tests/run installs it with apt-get"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _env() -> dict[str, str]:
    # The recipes call `valohai-image-lint` from PATH: the one installed beside this Python.
    return dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        VALOHAI_IMAGE_LINT_NO_CACHE="1",
    )


class _LanguageClient:
    """Just enough of an LSP client: framed JSON-RPC over the server's stdin and stdout."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
        )

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def receive(self, deadline: float) -> dict[str, Any] | None:
        assert self.process.stdout is not None
        headers = b""
        while not headers.endswith(b"\r\n\r\n"):
            ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                return None
            headers += self.process.stdout.read(1)
        length = next(
            int(line.split(b":")[1])
            for line in headers.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        body = b""
        while len(body) < length:
            body += self.process.stdout.read(length - len(body))
        message: dict[str, Any] = json.loads(body)
        return message

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


def _efm_diagnostics(tmp_path: Path, name: str, text: str) -> list[dict[str, Any]]:
    """What efm-langserver, configured by the doc's recipe, publishes for one file opened (by name,
    relative to ``tmp_path``). One server per file: efm-langserver 0.0.44 debounces lint requests
    with a timer that can re-send the previous file's request, so a second file may never be linted."""
    server = _need("efm-langserver")
    (tmp_path / "config.yaml").write_text(_block("yaml", "lint-formats"), encoding="utf-8")
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    client = _LanguageClient([server, "-c", str(tmp_path / "config.yaml")], tmp_path)
    try:
        deadline = time.monotonic() + 30
        client.send(
            {
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}},
            }
        )
        reply = client.receive(deadline)
        assert reply is not None and reply.get("id") == 1
        client.send({"method": "initialized", "params": {}})
        language = "python" if name.endswith(".py") else "yaml"
        document = {"uri": path.as_uri(), "languageId": language, "version": 1, "text": text}
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
        while True:
            message = client.receive(deadline)
            assert message is not None, f"no diagnostics for {name} from efm-langserver within 30 s"
            if message.get("method") == "textDocument/publishDiagnostics":
                diagnostics: list[dict[str, Any]] = message["params"]["diagnostics"]
                return diagnostics
    finally:
        client.close()


def test_efm_langserver_recipe(tmp_path: Path) -> None:
    diagnostics = _efm_diagnostics(tmp_path, "valohai.yaml", TEXT)
    found = sorted(
        (
            d["range"]["start"]["line"],
            d["range"]["start"]["character"],
            d["message"].split()[0],
            d["severity"],
        )
        for d in diagnostics
    )
    # LSP positions are 0-based; python:3.9 is also a heavier variant (VIL301) and past end of life
    # (VIL302). LSP severities: 1 error, 2 warning, 3 information.
    assert found == [(2, 11, "VIL103", 1), (3, 26, "VIL104", 2), (3, 26, "VIL301", 3), (3, 26, "VIL302", 2)]


@pytest.mark.parametrize(
    "name", ["docker-compose.yml", ".github/workflows/ci.yml", ".pre-commit-config.yaml"]
)
def test_efm_langserver_recipe_leaves_other_yaml_alone(name: str, tmp_path: Path) -> None:
    # Another YAML file is no Valohai config: no diagnostics, not VIL006/VIL102 errors.
    assert _efm_diagnostics(tmp_path, name, "services:\n  web:\n    image: nginx\n") == []


def test_flycheck_recipe(tmp_path: Path) -> None:
    emacs = _need("emacs")
    checker = tmp_path / "checker.el"
    checker.write_text(_block("elisp", "flycheck-define-checker"), encoding="utf-8")
    config = tmp_path / "valohai.yaml"
    config.write_text(TEXT, encoding="utf-8")
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx\n", encoding="utf-8")
    script = tmp_path / "run.el"
    script.write_text(
        f"""
(require 'flycheck)
(require 'yaml-mode)
(load-file {json.dumps(str(checker))})
(find-file {json.dumps(str(config))})
(flycheck-mode 1)
(princ (format "compose: %s\\n"
               (with-current-buffer (find-file-noselect {json.dumps(str(compose))})
                 (yaml-mode)
                 (flycheck-may-use-checker 'valohai-image-lint))))
(flycheck-buffer)
(let ((deadline (+ (float-time) 30)))
  (while (and (flycheck-running-p) (< (float-time) deadline))
    (accept-process-output nil 0.1)))
(princ (format "checker: %s status: %s\\n" flycheck-checker flycheck-last-status-change))
(dolist (e flycheck-current-errors)
  (princ (format "error: %s:%s:%s:%s\\n" (flycheck-error-line e) (flycheck-error-column e)
                 (flycheck-error-level e) (flycheck-error-id e))))
""",
        encoding="utf-8",
    )
    result = subprocess.run(
        [emacs, "--batch", "-l", str(script)],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    if "Cannot open load file" in output:
        message = "flycheck or yaml-mode missing: tests/run installs elpa-flycheck and elpa-yaml-mode"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert "status: finished" in output, output
    assert "compose: nil" in output, output  # the predicate keeps the checker off other YAML files
    errors = [line.removeprefix("error: ") for line in output.splitlines() if line.startswith("error: ")]
    assert errors == [
        "3:12:error:VIL103",
        "4:27:warning:VIL104",
        "4:27:info:VIL301",
        "4:27:warning:VIL302",
    ], output
