"""The README's CI examples, as printed: the GitLab job's script and the install lines.

The job's ``image`` (a slim Python image) has no git, so its install line must not need git: the
script runs here in a shell whose PATH has a fresh virtual environment and nothing else (no git),
with the one URL it names pointed at the same archive served on 127.0.0.1 (GitHub is out of reach
from the tests) and ``<commit-sha>`` replaced by HEAD's sha.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from offline_install import pip_env, serve_source_archive
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
UPSTREAM = "https://github.com/<owner>/valohai-image-lint"
ARCHIVE = f"{UPSTREAM}/archive/<commit-sha>.tar.gz"
BAD = "- step:\n    name: train\n    image: tensorflow/tensorflow:latest-gpu\n    command: python train.py\n"


def _gitlab_job() -> dict[str, object]:
    for match in re.finditer(r"^```yaml\n(.*?)^```$", README, re.DOTALL | re.MULTILINE):
        document = YAML(typ="safe", pure=True).load(match.group(1))
        if (
            isinstance(document, dict)
            and "valohai-images" in document
            and "script" in document["valohai-images"]
        ):
            job: dict[str, object] = document["valohai-images"]
            return job
    raise AssertionError("no GitLab job in the README")


def test_every_install_line_takes_a_source_archive() -> None:
    """No line of the README installs with git+ (git is missing from slim images) or names a
    release that is not published; each takes the archive the GitLab test below installs."""
    installs = re.findall(r'pip install "valohai-image-lint @ ([^"]+)"', README)
    assert len(installs) == 4  # the plain step, the GitLab jobs (offline and online), any shell job
    assert set(installs) == {ARCHIVE}
    assert "git+" not in README
    assert "valohai-image-lint==" not in README


def test_the_gitlab_job_runs_in_its_image_without_git(tmp_path: Path) -> None:
    job = _gitlab_job()
    assert job["image"] == "python:3.12.7-slim"  # Debian slim: Python and pip, no git
    script = job["script"]
    assert isinstance(script, list)
    assert ARCHIVE in script[0]

    venv = tmp_path / "image-python"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = pip_env()
    env["PATH"] = str(venv / "bin")  # the image's Python and pip; no git
    assert shutil.which("git", path=env["PATH"]) is None
    project = tmp_path / "project"
    project.mkdir()
    (project / "valohai.yaml").write_text(BAD, encoding="utf-8")

    with serve_source_archive(tmp_path / "served") as (base, sha):
        codes = []
        for line in script:
            command = line.replace(UPSTREAM, base).replace("<commit-sha>", sha)
            # GitLab runs each line in one shell; /bin/bash by its path, as PATH holds only the venv.
            result = subprocess.run(
                ["/bin/bash", "-c", command],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            codes.append(result.returncode)
            if len(codes) == 1:
                assert result.returncode == 0, result.stdout + result.stderr
    assert codes == [0, 0, 1]  # installed; the report never fails the job; the findings do
    report = json.loads((project / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert [issue["check_name"] for issue in report] == ["VIL103"]
    assert job["artifacts"] == {"when": "always", "reports": {"codequality": "gl-code-quality-report.json"}}
