"""Installing this project as users do, without leaving the machine.

``pip_env`` points pip at the local wheel folder that ``tests/run`` fills (``.wheelhouse``) and
forbids any index. ``serve_source_archive`` serves a commit's source archive on 127.0.0.1 at the
path GitHub serves it (``/archive/<sha>.tar.gz``, one top-level folder ``<name>-<sha>/``), made
with ``git archive`` from this repository's HEAD: the README's install lines take such an archive.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WHEELHOUSE = ROOT / ".wheelhouse"


def _missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def pip_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment with pip confined to .wheelhouse (skips without it, fails under CI=true)."""
    if not any(WHEELHOUSE.glob("valohai_image_lint-*.whl")):
        _missing(
            f"{WHEELHOUSE} has no wheels: tests/run builds it (pip wheel -w .wheelhouse . setuptools wheel)"
        )
    env = {key: value for key, value in (base or os.environ).items() if not key.startswith("PIP_")}
    env.update(
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(WHEELHOUSE),
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def head_sha() -> str:
    if shutil.which("git") is None:
        _missing("git is not installed: the source archive is made with git archive (tests/run installs it)")
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True, text=True, timeout=60
    ).stdout.strip()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_source_archive(folder: Path) -> Iterator[tuple[str, str]]:
    """Serve HEAD's source archive from ``folder``; yields (base URL, sha). Only committed files
    are in it, as in the archive GitHub serves."""
    sha = head_sha()
    (folder / "archive").mkdir(parents=True)
    subprocess.run(
        [
            "git",
            "archive",
            "--format=tar.gz",
            f"--prefix=valohai-image-lint-{sha}/",
            "-o",
            str(folder / "archive" / f"{sha}.tar.gz"),
            "HEAD",
        ],
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", sha
    finally:
        server.shutdown()
        server.server_close()
