"""action.yml's steps in order, as the runner runs them, for a few sets of inputs.

Each ``run:`` step is written to a file and run with ``bash --noprofile --norc -eo pipefail`` (the
runner's ``shell: bash``) with the env the step declares, ``RUNNER_TEMP`` and ``GITHUB_OUTPUT``;
the ``${{ }}`` expressions the action uses are evaluated by ``_evaluate`` (an expression it does
not know fails the test). Steps follow GitHub's rules: a step without ``if`` runs only while every
earlier step succeeded; ``continue-on-error`` keeps a failure from failing the job; the job's exit
code is that of its first failing step. The ``uses:`` step (codeql-action's upload) cannot run
here: it is simulated, succeeding or failing, after checking the SARIF file it is handed.
pip installs from .wheelhouse or a source archive served on 127.0.0.1, never from an index.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from offline_install import WHEELHOUSE, pip_env, serve_source_archive
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
ACTION = YAML(typ="safe", pure=True).load((ROOT / "action.yml").read_text(encoding="utf-8"))
BAD = "- step:\n    name: train\n    image: tensorflow/tensorflow:latest-gpu\n"
ANNOTATION = "::error file=valohai.yaml,line=3,col=12,endLine=3,endColumn=44,title=VIL103 latest-tag::"


@dataclass
class Job:
    inputs: dict[str, str]
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    logs: dict[str, str] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    exit_code: int = 0


def _evaluate(expression: str, job: Job) -> Any:
    if match := re.fullmatch(r"inputs\.([\w-]+)", expression):
        return job.inputs[match.group(1)]
    if match := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression):
        return job.outputs.get(match.group(1), {}).get(match.group(2), "")
    if expression == "github.action_path":
        return str(ROOT)
    if match := re.fullmatch(r"!cancelled\(\) && (.+) != ''", expression):
        return _evaluate(match.group(1), job) != ""  # the job is never cancelled here
    raise AssertionError(f"action.yml uses an expression this test does not evaluate: {expression}")


def _substitute(text: str, job: Job) -> str:
    return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", lambda m: str(_evaluate(m.group(1), job)), text)


def _condition(step: dict[str, Any], job: Job, failed: bool) -> bool:
    if "if" not in step:
        return not failed  # an implicit success()
    expression = re.fullmatch(r"\$\{\{\s*(.*?)\s*\}\}", step["if"].strip())
    return bool(_evaluate(expression.group(1) if expression else step["if"].strip(), job))


Upload = Callable[[dict[str, str], Path], int]


def run_action(workspace: Path, inputs: dict[str, str], upload: Upload, env: dict[str, str]) -> Job:
    declared = ACTION["inputs"]
    assert set(inputs) <= set(declared)
    job = Job({name: inputs.get(name, spec.get("default", "")) for name, spec in declared.items()})
    runner_temp = workspace.parent / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    failed = False
    for index, step in enumerate(ACTION["runs"]["steps"]):
        name = step["name"]
        if not _condition(step, job, failed):
            continue
        job.ran.append(name)
        if "run" in step:
            assert step["shell"] == "bash"
            output_file = runner_temp / f"output-{index}"
            output_file.touch()
            script = runner_temp / f"step-{index}.sh"
            script.write_text(step["run"], encoding="utf-8")
            step_env = dict(
                env, RUNNER_TEMP=str(runner_temp), GITHUB_OUTPUT=str(output_file), GITHUB_ACTIONS="true"
            )
            step_env.update({key: _substitute(str(value), job) for key, value in step.get("env", {}).items()})
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=workspace,
                env=step_env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            code, job.logs[name] = result.returncode, result.stdout + result.stderr
            lines = output_file.read_text(encoding="utf-8").splitlines()
            if "id" in step:
                job.outputs[step["id"]] = dict(line.split("=", 1) for line in lines)
        else:
            assert step["uses"].startswith("github/codeql-action/upload-sarif@")
            code = upload(
                {key: _substitute(str(value), job) for key, value in step["with"].items()}, workspace
            )
        job.codes[name] = code
        if code != 0 and not step.get("continue-on-error", False):
            failed = True
            job.exit_code = job.exit_code or code
    return job


def _uploader(uploads: list[dict[str, Any]], code: int) -> Upload:
    """codeql-action/upload-sarif, simulated: it reads the SARIF file, then succeeds or fails (as
    it fails on a fork's pull request or without code scanning)."""

    def upload(with_: dict[str, str], workspace: Path) -> int:
        uploads.append(
            {**with_, "sarif": json.loads((workspace / with_["sarif_file"]).read_text(encoding="utf-8"))}
        )
        return code

    return upload


@pytest.fixture
def runner_env() -> dict[str, str]:
    env = pip_env()
    # The runner's python3 (setup-python's); the action makes its own venv from it.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {key: value for key, value in env.items() if not key.startswith(("GITHUB_", "RUNNER_", "VIL_"))}


def _workspace(tmp_path: Path, text: str = BAD) -> Path:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "valohai.yaml").write_text(text, encoding="utf-8")
    return workspace


def _wheel() -> str:
    return str(next(WHEELHOUSE.glob("valohai_image_lint-*.whl")))


def test_the_steps_and_inputs() -> None:
    steps = ACTION["runs"]["steps"]
    assert [step["name"] for step in steps] == ["Install valohai-image-lint", "Lint", "Upload SARIF"]
    assert steps[2]["uses"] == "github/codeql-action/upload-sarif@v4"
    assert steps[2]["continue-on-error"] is True
    assert set(ACTION["inputs"]) == {"paths", "args", "version", "sarif"}
    version = ACTION["inputs"]["version"]["description"]
    assert "==" not in version  # no release is on PyPI
    assert "no release is on PyPI yet" in version
    # pip only inside the action's own venv: PEP 668 refuses the runner's system Python.
    commands = [
        line.strip()
        for step in steps
        for line in step.get("run", "").splitlines()
        if not line.strip().startswith("#")
    ]
    installs = [line for line in commands if "pip install" in line]
    assert installs == [
        '"$RUNNER_TEMP/valohai-image-lint/bin/python" -m pip install --quiet --disable-pip-version-check \\'
    ]


def test_a_failed_upload_leaves_the_annotations_and_the_verdict(
    tmp_path: Path, runner_env: dict[str, str]
) -> None:
    """The default install (the action's own checkout), SARIF on, and the upload failing."""
    uploads: list[dict[str, Any]] = []
    job = run_action(_workspace(tmp_path), {"sarif": "true"}, _uploader(uploads, code=1), runner_env)
    assert job.ran == ["Install valohai-image-lint", "Lint", "Upload SARIF"], job.logs
    assert job.logs["Lint"].startswith(ANNOTATION), job.logs
    assert job.codes == {"Install valohai-image-lint": 0, "Lint": 1, "Upload SARIF": 1}
    assert job.exit_code == 1  # Lint's
    (upload,) = uploads
    assert upload["sarif_file"] == "valohai-image-lint.sarif"
    assert upload["category"] == "valohai-image-lint"
    assert [result["ruleId"] for result in upload["sarif"]["runs"][0]["results"]] == ["VIL103"]


def test_without_sarif_nothing_is_uploaded(tmp_path: Path, runner_env: dict[str, str]) -> None:
    """`version` as a path (a wheel), `args` passed through."""
    uploads: list[dict[str, Any]] = []
    inputs = {"version": _wheel(), "args": "--failure-threshold error"}
    job = run_action(_workspace(tmp_path), inputs, _uploader(uploads, code=0), runner_env)
    assert job.ran == ["Install valohai-image-lint", "Lint"], job.logs
    assert job.logs["Lint"].startswith(ANNOTATION)
    assert job.exit_code == 1
    assert uploads == []


def test_a_clean_run_with_a_sarif_path_and_a_source_archive(
    tmp_path: Path, runner_env: dict[str, str]
) -> None:
    """`version` in the form its description gives (a commit's source archive, served here on
    127.0.0.1), a SARIF path in a folder, the upload succeeding: the job passes."""
    uploads: list[dict[str, Any]] = []
    workspace = _workspace(tmp_path, BAD.replace("latest-gpu", "2.16.1-gpu"))
    with serve_source_archive(tmp_path / "served") as (base, sha):
        inputs = {
            "version": f"valohai-image-lint @ {base}/archive/{sha}.tar.gz",
            "sarif": "reports/valohai.sarif",
            "paths": "valohai.yaml",
        }
        job = run_action(workspace, inputs, _uploader(uploads, code=0), runner_env)
    assert job.ran == ["Install valohai-image-lint", "Lint", "Upload SARIF"], job.logs
    assert job.exit_code == 0, job.logs
    assert "::" not in job.logs["Lint"]
    (upload,) = uploads
    assert upload["sarif_file"] == "reports/valohai.sarif"
    assert upload["sarif"]["runs"][0]["results"] == []


def test_an_unreadable_file_is_exit_2_and_still_uploaded(tmp_path: Path, runner_env: dict[str, str]) -> None:
    uploads: list[dict[str, Any]] = []
    workspace = _workspace(tmp_path)
    (workspace / "valohai.yaml").write_bytes(b"\x00\x01")
    inputs = {"version": _wheel(), "sarif": "true", "paths": "valohai.yaml"}
    job = run_action(workspace, inputs, _uploader(uploads, code=0), runner_env)
    assert job.ran == ["Install valohai-image-lint", "Lint", "Upload SARIF"], job.logs
    assert job.exit_code == 2
    assert "binary file" in job.logs["Lint"]
    invocation = uploads[0]["sarif"]["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "binary file" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_a_failed_install_runs_nothing_else(tmp_path: Path, runner_env: dict[str, str]) -> None:
    uploads: list[dict[str, Any]] = []
    inputs = {"version": str(tmp_path / "no-such.whl"), "sarif": "true"}
    job = run_action(_workspace(tmp_path), inputs, _uploader(uploads, code=0), runner_env)
    assert job.ran == ["Install valohai-image-lint"]
    assert job.exit_code != 0
    assert uploads == []
