"""The README's "Fixing" section, run as printed: its valohai.yaml, the diff `--diff` prints, the
line `--fix` ends with, and the standard-input command for editors."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Fixing\n")
    return text[start : text.index("\n## ", start + 1)]


def _block(language: str) -> str:
    match = re.search(rf"^```{language}\n(.*?)^```$", _section(), re.DOTALL | re.MULTILINE)
    assert match is not None, language
    return match.group(1)


def _command(pattern: str) -> list[str]:
    match = re.search(pattern, _section())
    assert match is not None, pattern
    return shlex.split(match.group(1))


def _run(argv: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    assert argv[0] == "valohai-image-lint"
    return subprocess.run(
        [sys.executable, "-m", "valohai_image_lint", *argv[1:]],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "valohai.yaml").write_text(_block("yaml"), encoding="utf-8")
    return tmp_path


def test_diff_prints_the_diff_as_printed(project: Path) -> None:
    done = _run(_command(r"`(valohai-image-lint --diff valohai\.yaml)` prints"), project)
    assert done.returncode == 1
    assert done.stdout.decode() == _block("diff")
    assert (project / "valohai.yaml").read_text(encoding="utf-8") == _block("yaml")


def test_fix_writes_and_says_so(project: Path) -> None:
    done = _run(_command(r"and `(valohai-image-lint --fix valohai\.yaml)` writes it"), project)
    said = re.search(r"ends with `(Fixed 1 problem \(0\s+remaining\)\.)`", _section())
    assert said is not None
    assert done.returncode == 0
    assert done.stderr.decode().strip() == " ".join(said.group(1).split())
    fixed = "".join(line[1:] for line in _block("diff").splitlines(keepends=True)[3:] if line[0] in " +")
    assert (project / "valohai.yaml").read_text(encoding="utf-8") == fixed


def test_the_editor_command_prints_the_fixed_text_only(project: Path) -> None:
    argv = _command(r"format-on-save: `(valohai-image-lint --fix --stdin-filename valohai\.yaml -) <")
    done = _run(argv, project, stdin=(project / "valohai.yaml").read_bytes())
    assert (done.returncode, done.stderr) == (0, b"")
    assert b"image: docker.io/library/python:3.12.4-slim  # the trainer\n" in done.stdout
    assert (project / "valohai.yaml").read_text(encoding="utf-8") == _block("yaml")
