"""The README's section "Online checks", as printed, against Debian's real docker-registry on
127.0.0.1 (tests/registry_harness.py): the example (its ``valohai.yaml`` and the console run, with
the registry's real port written for the README's ``5000``), the settings block (every value but
``online`` the default, and loaded as a project's config it makes the run online), the GitLab job's
lines, and the action's step run as the runner runs it. Nothing reaches past 127.0.0.1."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from registry_harness import Registry, basic_registry, docker_config, registry
from ruamel.yaml import YAML
from test_action import _uploader, run_action, runner_env

from valohai_image_lint.cli import main

_FIXTURES = (registry, basic_registry, runner_env)  # used by name

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib
ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("\n## Online checks\n", 1)[1].split("\n## ", 1)[0]
PRINTED_HOST = "127.0.0.1:5000"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"^```{kind}\n(.*?)^```$", SECTION, flags=re.DOTALL | re.MULTILINE)


@pytest.fixture(autouse=True)
def _own_docker_config_and_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never the user's Docker credentials nor cache: an empty config folder, a fresh cache."""
    empty = tmp_path / "no-docker-config"
    empty.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(empty))
    monkeypatch.setenv("VALOHAI_IMAGE_LINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("VALOHAI_IMAGE_LINT_NO_CACHE", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)  # the repository root: no config above it counts
    return project


def test_the_example_runs_as_printed(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (yaml_block,) = [block for block in _blocks("yaml") if block.startswith("# valohai.yaml\n")]
    (console,) = _blocks("console")
    assert PRINTED_HOST in yaml_block and PRINTED_HOST in console
    registry.push("acme/trainer", "1.0.4", platforms=("linux/arm64",))
    project = _project(tmp_path)
    (project / "valohai.yaml").write_text(yaml_block.replace(PRINTED_HOST, registry.host), encoding="utf-8")
    monkeypatch.chdir(project)
    commands = re.findall(r"^\$ (.*)\n((?:(?!\$ ).*\n)*)", console, flags=re.MULTILINE)
    assert len(commands) == 1
    for command, expected in commands:
        argv = shlex.split(command)
        assert argv[0] == "valohai-image-lint"
        code = main(argv[1:])
        captured = capsys.readouterr()
        assert captured.out + captured.err == expected.replace(PRINTED_HOST, registry.host), command
        assert code == 1


def _show_settings(project: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["--show-settings", str(project / "valohai.yaml")]) == 0
    shown: dict[str, Any] = {}
    for line in capsys.readouterr().out.splitlines():
        match = re.fullmatch(r"([a-z-]+) += (.*?)    # (.*)", line)
        if match:
            shown[match.group(1)] = (tomllib.loads(f"v = {match.group(2)}")["v"], match.group(3))
    return shown


def test_the_settings_block_holds_the_defaults_and_turns_online_on(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (block,) = _blocks("toml")
    printed = tomllib.loads(block)["tool"]["valohai-image-lint"]
    project = _project(tmp_path)
    (project / "valohai.yaml").write_text(
        f"- step:\n    name: train\n    image: {registry.host}/acme/gone:1.0.0\n", encoding="utf-8"
    )
    defaults = _show_settings(project, capsys)
    assert set(printed) == {
        "online",
        "platforms",
        "insecure-registries",
        "connect-timeout",
        "read-timeout",
        "registry-cache-ttl",
        "registry-workers",
    }
    for key, value in printed.items():
        default, origin = defaults[key]
        assert origin == "default"
        assert value == (True if key == "online" else default), key
    assert defaults["online"][0] is False  # offline is the default

    (project / "pyproject.toml").write_text(block, encoding="utf-8")
    loaded = _show_settings(project, capsys)
    assert {key: value for key, (value, _) in loaded.items() if key in printed} == printed
    monkeypatch.chdir(project)
    assert main(["--select", "VIL4", "valohai.yaml"]) == 1  # online: no --online needed
    out = capsys.readouterr().out
    assert f'VIL401 image "{registry.host}/acme/gone:1.0.0" does not exist' in out
    assert main(["--offline", "--select", "VIL4", "valohai.yaml"]) == 0
    assert capsys.readouterr().out == ""


def _gitlab_jobs() -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] = {}
    for match in re.finditer(r"^```yaml\n(.*?)^```$", README, re.DOTALL | re.MULTILINE):
        document = YAML(typ="safe", pure=True).load(match.group(1))
        if isinstance(document, dict):
            jobs.update(
                {name: job for name, job in document.items() if isinstance(job, dict) and "script" in job}
            )
    return jobs


def test_the_gitlab_job_lines_run_as_printed(basic_registry: Registry, tmp_path: Path) -> None:
    """The online job installs as the README's other GitLab job does (tests/test_readme_ci.py runs
    that line), then lints online: here with the linter beside this Python, a HOME of its own and a
    private image on a Basic-auth registry, refused without DOCKER_AUTH_CONFIG and found with it."""
    jobs = _gitlab_jobs()
    online, offline = jobs["valohai-images-online"], jobs["valohai-images"]
    assert online["image"] == offline["image"]
    install, lint = online["script"]
    assert install == offline["script"][0]
    assert lint == "valohai-image-lint --online"
    basic_registry.push("acme/private", "1.0.0")
    project = _project(tmp_path)
    (project / "valohai.yaml").write_text(
        f"- step:\n    name: train\n    image: {basic_registry.host}/acme/private:1.0.0\n", encoding="utf-8"
    )
    (project / "valohai-image-lint.toml").write_text('ignore = ["VIL204"]\n', encoding="utf-8")
    (tmp_path / "home").mkdir()
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path / "home"),
        "VALOHAI_IMAGE_LINT_CACHE_DIR": str(tmp_path / "cache"),
    }
    auth = docker_config(tmp_path / "auth", {basic_registry.host: ("testuser", "testpass")})
    variable = (auth / "config.json").read_text(encoding="utf-8")
    for extra, expected in (({}, 1), ({"DOCKER_AUTH_CONFIG": variable}, 0)):
        done = subprocess.run(
            ["/bin/bash", "-c", lint],
            cwd=project,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )
        output = done.stdout + done.stderr
        assert done.returncode == expected, output
        assert ("refused access" in output) is (expected == 1), output


def test_the_action_step_runs_as_printed(
    registry: Registry, tmp_path: Path, runner_env: dict[str, str]
) -> None:
    """The README's action step, its inputs as printed, run through action.yml as the runner runs
    it (tests/test_action.py): a missing tag fails the job with its annotation."""
    steps = [
        YAML(typ="safe", pure=True).load(block)
        for block in _blocks("yaml")
        if "uses: <owner>/valohai-image-lint@" in block
    ]
    ((step,),) = steps
    inputs = {key: str(value) for key, value in step["with"].items()}
    assert inputs["args"] == "--online"
    registry.push("acme/trainer", "1.0.4")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "valohai.yaml").write_text(
        f"- step:\n    name: train\n    image: {registry.host}/acme/trainer:1.0.5\n", encoding="utf-8"
    )
    (workspace / "valohai-image-lint.toml").write_text('ignore = ["VIL204"]\n', encoding="utf-8")
    env = dict(runner_env)
    env.update(
        DOCKER_CONFIG=os.environ["DOCKER_CONFIG"], VALOHAI_IMAGE_LINT_CACHE_DIR=str(tmp_path / "cache")
    )
    job = run_action(workspace, inputs, _uploader([], code=0), env)
    assert job.exit_code == 1, job.logs
    assert (
        f'title=VIL401 image-not-found::image "{registry.host}/acme/trainer:1.0.5" does not exist'
        in job.logs["Lint"]
    )
