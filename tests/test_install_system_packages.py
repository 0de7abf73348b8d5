"""tests/install-system-packages on a machine without apt-get: it says what it could not install
and which tests skip, exits 0, and never prints "apt-get: command not found"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "install-system-packages"


def _path_without(tmp_path: Path, *programs: str) -> str:
    """A PATH holding only the tools the script uses, none of ``programs``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("ls", "grep", "id"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    assert all(shutil.which(program, path=str(bin_dir)) is None for program in programs)
    return str(bin_dir)


def test_without_apt_get_it_says_what_skips(tmp_path: Path) -> None:
    path = _path_without(
        tmp_path, "apt-get", "sudo", "git", "efm-langserver", "emacs", "nvim", "docker-registry"
    )
    bash = shutil.which("bash")
    assert bash is not None
    result = subprocess.run(
        [bash, str(SCRIPT)], env={"PATH": path}, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert result.stdout == ""
    assert "command not found" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        "tests/install-system-packages: could not install git efm-langserver emacs-nox"
    )
    assert lines[0].endswith(": there is no apt-get on this machine.")
    assert "until then these tests skip:" in lines[1]
    assert (
        "  git: tests/test_precommit.py (the pre-commit runs), tests/test_architecture.py (the worked addition)"
        in lines
    )
    assert "  efm-langserver: tests/test_editors_real.py (the efm recipe)" in lines
    assert (
        "  emacs-nox: tests/test_editors_real.py (the flycheck recipe), tests/test_editors_lsp.py (the eglot recipe)"
        in lines
    )
    assert "  neovim: tests/test_editors_lsp.py (the Neovim recipes)" in lines
    assert lines[0].split(": there is")[0].endswith(" docker-registry")
    assert (
        "  docker-registry: tests/test_registry_harness.py and every test using tests/registry_harness.py"
        " (a real registry)" in lines
    )


def test_the_git_tests_skip_without_git(tmp_path: Path) -> None:
    """The tests the message names as skipping without git do skip, with a reason naming git."""
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env["PATH"] = _path_without(tmp_path, "git")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "tests/test_precommit.py::test_pre_commit_try_repo_fails_then_passes",
            "tests/test_architecture.py::test_the_worked_addition_is_one_module_a_registry_line_and_a_test",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 skipped" in result.stdout, result.stdout
    assert result.stdout.count("git is not installed") == 2, result.stdout


def test_the_registry_tests_skip_without_docker_registry(tmp_path: Path) -> None:
    """The registry harness's tests skip without docker-registry, with a reason naming it."""
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env["PATH"] = _path_without(tmp_path, "docker-registry")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "tests/test_registry_harness.py::test_the_function_scoped_fixtures",
            "tests/test_registry_harness.py::test_the_token_flow_end_to_end",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 skipped" in result.stdout, result.stdout
    assert result.stdout.count("docker-registry is not installed") == 2, result.stdout
