"""The hook as users run it: the real ``pre-commit try-repo`` against this repository.

pre-commit installs this project into an environment of its own with pip. The test points pip
at the local wheel folder that ``tests/run`` fills (``.wheelhouse``) and forbids any index, so
nothing leaves the machine.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from registry_harness import Registry, registry
from ruamel.yaml import YAML

_FIXTURES = (registry,)  # used by name
ROOT = Path(__file__).resolve().parent.parent
WHEELHOUSE = ROOT / ".wheelhouse"
BAD = "- step:\n    name: train\n    image: tensorflow/tensorflow:latest-gpu\n    command: python train.py\n"
FIXED = (
    "- step:\n    name: train\n    image: tensorflow/tensorflow:2.16.1-gpu\n    command: python train.py\n"
)


def _hooks() -> list[dict[str, Any]]:
    hooks: list[dict[str, Any]] = YAML(typ="safe", pure=True).load(
        (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    )
    return hooks


def test_the_yaml_hooks_share_one_files_pattern_and_the_online_one_adds_online() -> None:
    """The online hook is the first one with --online: the same files, the same language."""
    by_id = {hook["id"]: hook for hook in _hooks()}
    plain, online = by_id["valohai-image-lint"], by_id["valohai-image-lint-online"]
    assert online["files"] == plain["files"]
    assert online["language"] == plain["language"] == "python"
    assert online["entry"] == plain["entry"] + " --online"
    assert [hook["id"] for hook in _hooks() if "files" in hook] == [
        "valohai-image-lint",
        "valohai-image-lint-online",
    ]


def test_hook_ids() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert re.findall(r"^- id: (\S+)$", text, re.MULTILINE) == [
        "valohai-image-lint",
        "valohai-image-lint-python",
        "valohai-image-lint-online",
    ]


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("valohai.yaml", True),
        ("valohai.yml", True),
        ("sub/dir/valohai.yaml", True),
        ("my-valohai.yaml", False),
        ("valohai.yaml.bak", False),
        ("valohai.json", False),
        ("notvalohai/other.yaml", False),
    ],
)
@pytest.mark.parametrize("hook", ["valohai-image-lint", "valohai-image-lint-online"])
def test_hook_files_pattern(hook: str, path: str, matches: bool) -> None:
    (pattern,) = [found["files"] for found in _hooks() if found["id"] == hook]
    assert bool(re.search(pattern, path)) is matches


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _try_repo(
    project: Path, env: dict[str, str], hook: str = "valohai-image-lint"
) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo`` of one of this repository's hooks, on every file of ``project``."""
    pre_commit = Path(sys.executable).parent / "pre-commit"
    command = [
        str(pre_commit) if pre_commit.exists() else "pre-commit",
        "try-repo",
        str(ROOT),
        hook,
        "--all-files",
        "--color",
        "never",
    ]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture
def hook_env(tmp_path: Path) -> dict[str, str]:
    if shutil.which("git") is None:
        message = "git is not installed: pre-commit clones the hook's repository with it (tests/run installs it with apt-get)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if shutil.which("pre-commit") is None and not (Path(sys.executable).parent / "pre-commit").exists():
        pytest.fail("pre-commit is not installed: run tests/run (pip install -e '.[test]')")
    if not any(WHEELHOUSE.glob("valohai_image_lint-*.whl")):
        message = (
            f"{WHEELHOUSE} has no wheels: tests/run builds it (pip wheel -w .wheelhouse . setuptools wheel)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PIP_", "PRE_COMMIT"))}
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(WHEELHOUSE),
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
    )
    return env


def test_pre_commit_try_repo_fails_then_passes(tmp_path: Path, hook_env: dict[str, str]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    _git(project, "init", "-q")
    config = project / "valohai.yaml"
    config.write_text(BAD, encoding="utf-8")
    (project / "unrelated.yaml").write_text("image: python\n", encoding="utf-8")
    _git(project, "add", ".")
    failed = _try_repo(project, hook_env)
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert (
        'valohai.yaml:3:12: VIL103 image "tensorflow/tensorflow:latest-gpu" uses a moving "latest" tag'
        in output
    )
    assert "unrelated.yaml" not in output

    config.write_text(FIXED, encoding="utf-8")
    _git(project, "add", ".")
    passed = _try_repo(project, hook_env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


POLICY = """\
[tool.valohai-image-lint]
allowed-images = ["python", "ghcr.io/acme/**"]
ignore = ["floating-tag"]
severity = { VIL203 = "off" }
"""
POLICY_BAD = """\
- step:
    name: train
    image: tensorflow/tensorflow:2.16.1
- step:
    name: evaluate
    image: python:3.12
- step:
    name: smoke
    # valohai-image-lint: ignore[VIL103] the smoke test follows the newest release on purpose
    image: ghcr.io/acme/smoke:latest
"""


def test_pre_commit_applies_the_pyproject_policy(tmp_path: Path, hook_env: dict[str, str]) -> None:
    project = tmp_path / "project"
    (project / "ml").mkdir(parents=True)
    _git(project, "init", "-q")
    (project / "pyproject.toml").write_text(POLICY, encoding="utf-8")
    config = project / "ml" / "valohai.yaml"
    config.write_text(POLICY_BAD, encoding="utf-8")
    _git(project, "add", ".")
    failed = _try_repo(project, hook_env)
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert (
        'ml/valohai.yaml:3:12: VIL201 image "tensorflow/tensorflow:2.16.1" matches none of allowed-images'
        in output
    )
    assert "VIL104" not in output  # ignored by the policy
    assert "VIL103" not in output  # suppressed on the line above the image
    assert "VIL901" not in output  # the suppression was used

    config.write_text(
        POLICY_BAD.replace("tensorflow/tensorflow:2.16.1", "ghcr.io/acme/trainer:1.4.2"), encoding="utf-8"
    )
    _git(project, "add", ".")
    passed = _try_repo(project, hook_env)
    assert passed.returncode == 0, passed.stdout + passed.stderr


PREPARE_BAD = """\
import valohai

valohai.prepare(
    step="train",
    image="python:3.11.9",
)
"""
NOTEBOOK = """\
{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "import valohai\\n",
    "valohai.prepare(step=\\"explore\\", image=\\"python:latest\\")"
   ]
  }
 ],
 "metadata": {"language_info": {"name": "python"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"""


def test_pre_commit_python_hook(tmp_path: Path, hook_env: dict[str, str]) -> None:
    """The second hook lints Python files and notebooks, comparing each call with the nearest
    valohai.yaml; it leaves the YAML to the first hook."""
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    _git(project, "init", "-q")
    (project / "valohai.yaml").write_text(
        FIXED.replace("tensorflow/tensorflow:2.16.1-gpu", "python:3.12.1-slim"), encoding="utf-8"
    )
    script = project / "src" / "train.py"
    script.write_text(PREPARE_BAD, encoding="utf-8")
    (project / "explore.ipynb").write_text(NOTEBOOK, encoding="utf-8")
    (project / "unrelated.py").write_text("print('valohai')\n", encoding="utf-8")
    _git(project, "add", ".")
    failed = _try_repo(project, hook_env, "valohai-image-lint-python")
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert (
        'src/train.py:5:12: VIL304 image "python:3.11.9" differs from step "train" in valohai.yaml:3:12'
        in output
    )
    assert 'explore.ipynb:10:48: VIL103 image "python:latest"' in output
    assert "valohai.yaml:3" not in output.replace("in valohai.yaml:3:12", "")
    assert "unrelated.py" not in output

    script.write_text(PREPARE_BAD.replace("3.11.9", "3.12.1-slim"), encoding="utf-8")
    (project / "explore.ipynb").write_text(
        NOTEBOOK.replace("python:latest", "python:3.12.1-slim"), encoding="utf-8"
    )
    _git(project, "add", ".")
    passed = _try_repo(project, hook_env, "valohai-image-lint-python")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


README = (ROOT / "README.md").read_text(encoding="utf-8")
UPSTREAM = "https://github.com/<owner>/valohai-image-lint"


def _readme_block(contains: str) -> str:
    for match in re.finditer(r"^```yaml\n(.*?)^```$", README, re.DOTALL | re.MULTILINE):
        if contains in match.group(1):
            return match.group(1)
    raise AssertionError(f"no ```yaml block in the README with {contains!r}")


def _git_out(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=60
    ).stdout.strip()


def test_the_readme_snippet_as_printed(tmp_path: Path, hook_env: dict[str, str]) -> None:
    """The README's .pre-commit-config.yaml, with its second hook appended as the README says,
    run by the real pre-commit against a local clone of this repository (its committed HEAD).
    Only the repository URL is replaced (GitHub is out of reach from the tests); the rev is what
    the README says to run, `pre-commit autoupdate --freeze`, writes: HEAD's sha."""
    snippet = _readme_block("repos:")
    assert "rev: <commit-sha>" in snippet  # no tag: none is published yet
    assert re.search(r"`pre-commit autoupdate --freeze` replaces\s+`<commit-sha>`", README)
    second = _readme_block("id: valohai-image-lint-python")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(ROOT), str(clone))
    head = _git_out(clone, "rev-parse", "HEAD")

    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    _git(project, "init", "-q")
    config = project / ".pre-commit-config.yaml"
    config.write_text(snippet.replace(UPSTREAM, str(clone)) + second, encoding="utf-8")
    pre_commit = Path(sys.executable).parent / "pre-commit"
    command = str(pre_commit) if pre_commit.exists() else "pre-commit"
    update = subprocess.run(
        [command, "autoupdate", "--freeze"],
        cwd=project,
        env=hook_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert update.returncode == 0, update.stdout + update.stderr
    assert f"rev: {head}  # no release is tagged yet: pin a commit" in config.read_text(encoding="utf-8")

    (project / "valohai.yaml").write_text(BAD, encoding="utf-8")
    (project / "src" / "train.py").write_text(PREPARE_BAD, encoding="utf-8")
    _git(project, "add", ".")
    run = [command, "run", "--all-files", "--color", "never"]
    failed = subprocess.run(run, cwd=project, env=hook_env, capture_output=True, text=True, timeout=600)
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert 'valohai.yaml:3:12: VIL103 image "tensorflow/tensorflow:latest-gpu"' in output
    assert 'src/train.py:5:12: VIL304 image "python:3.11.9" differs from step "train"' in output

    (project / "valohai.yaml").write_text(FIXED, encoding="utf-8")
    (project / "src" / "train.py").write_text(
        PREPARE_BAD.replace("3.11.9", "2.16.1-gpu").replace("python:", "tensorflow/tensorflow:"),
        encoding="utf-8",
    )
    _git(project, "add", ".")
    passed = subprocess.run(run, cwd=project, env=hook_env, capture_output=True, text=True, timeout=600)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def _readme_command(contains: str) -> list[str]:
    for match in re.finditer(r"^```sh\n(.*?)^```$", README, re.DOTALL | re.MULTILINE):
        for line in match.group(1).splitlines():
            if contains in line:
                return shlex.split(line, comments=True)
    raise AssertionError(f"no ```sh line in the README with {contains!r}")


def test_the_readme_online_hook_as_printed(
    tmp_path: Path, hook_env: dict[str, str], registry: Registry
) -> None:
    """The README's online hook, added to its .pre-commit-config.yaml as printed, in the manual
    stage: a commit's run (the default stage) does not ask the registry; the README's command
    does, against a real registry on 127.0.0.1 (tests/registry_harness.py): a tag it does not
    have fails with VIL401, one it has passes. The project's own config ignores VIL204 (the
    test's registry is on loopback, which Valohai's workers cannot reach)."""
    snippet = _readme_block("repos:")
    online = _readme_block("id: valohai-image-lint-online")
    assert "stages: [manual]" in online
    command = _readme_command("pre-commit run valohai-image-lint-online")
    assert command[:3] == ["pre-commit", "run", "valohai-image-lint-online"]
    registry.push("acme/trainer", "1.0.4")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(ROOT), str(clone))

    project = tmp_path / "project"
    project.mkdir()
    _git(project, "init", "-q")
    head = _git_out(clone, "rev-parse", "HEAD")
    config = snippet.replace(UPSTREAM, str(clone)).replace("<commit-sha>", head) + online
    (project / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    (project / "valohai-image-lint.toml").write_text('ignore = ["VIL204"]\n', encoding="utf-8")
    steps = "- step:\n    name: train\n    image: {}\n    command: python train.py\n"
    (project / "valohai.yaml").write_text(
        steps.format(f"{registry.host}/acme/trainer:1.0.5"), encoding="utf-8"
    )
    _git(project, "add", ".")
    empty = tmp_path / "no-docker-config"
    empty.mkdir()
    env = dict(hook_env, DOCKER_CONFIG=str(empty), VALOHAI_IMAGE_LINT_CACHE_DIR=str(tmp_path / "cache"))
    pre_commit = Path(sys.executable).parent / "pre-commit"
    executable = str(pre_commit) if pre_commit.exists() else "pre-commit"

    def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [executable, *argv, "--color", "never"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    commit = run(["run", "--all-files"])  # what a commit runs: the offline hook only
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert "(online)" not in commit.stdout

    failed = run(command[1:])
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert (
        f'valohai.yaml:3:12: VIL401 image "{registry.host}/acme/trainer:1.0.5" does not exist: '
        f'{registry.host}/acme/trainer has no tag "1.0.5"'
    ) in output

    (project / "valohai.yaml").write_text(
        steps.format(f"{registry.host}/acme/trainer:1.0.4"), encoding="utf-8"
    )
    _git(project, "add", ".")
    passed = run(command[1:])
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "valohai-image-lint (online)" in passed.stdout and "Passed" in passed.stdout
