"""The workspace owns a run: a miss of the result cache reuses what the first stage read, one
workspace lints texts from an editor as the command line lints files, and its results match."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from valohai_image_lint import cli, workspace
from valohai_image_lint.cli import main
from valohai_image_lint.option_reader import read_options
from valohai_image_lint.workspace import Workspace

BAD = "- step:\n    name: train\n    image: tensorflow/tensorflow:latest-gpu\n"
CLEAN = "- step:\n    name: train\n    image: python:3.12.1-slim\n"
TRAIN_PY = 'import valohai\nvalohai.prepare(step="train", image="python:3.11.9")\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    os.mkdir(".git")
    Path("valohai.yaml").write_text(BAD, encoding="utf-8")
    Path("clean").mkdir()
    Path("clean/valohai.yaml").write_text(CLEAN, encoding="utf-8")
    Path("train.py").write_text(TRAIN_PY, encoding="utf-8")
    return tmp_path


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    real = workspace.read_config

    def counting(path: str, max_bytes: int) -> str:
        reads.append(os.path.normpath(path))
        return real(path, max_bytes)

    monkeypatch.setattr(workspace, "read_config", counting)
    return reads


def test_a_miss_reads_each_file_once(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first stage reads the files, misses (one file is new to the cache), and the full run
    lints with the texts it read: every file and the nearest valohai.yaml read once."""
    assert main(["clean/valohai.yaml"]) == 0  # in the cache now; valohai.yaml and train.py are not
    capsys.readouterr()
    reads = _count_reads(monkeypatch)
    assert main(["clean/valohai.yaml", "train.py", "valohai.yaml"]) == 1
    assert sorted(reads) == ["clean/valohai.yaml", "train.py", "valohai.yaml"]
    assert "VIL103" in capsys.readouterr().out


def test_the_first_stage_and_the_full_run_share_one_workspace(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Workspace] = []
    real = Workspace.for_options

    def recording(options: object, today: str) -> Workspace:
        made.append(real(options, today))
        return made[-1]

    monkeypatch.setattr(Workspace, "for_options", staticmethod(recording))
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(["valohai.yaml"], out, err) == 1  # a miss: the full run goes on
    assert len(made) == 1


def test_lint_source_lints_an_editors_text_as_the_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A long-running client keeps one workspace and lints texts that are not on disk yet."""
    options = read_options(["--no-cache"])
    assert options is not None
    space = Workspace.for_options(options, cli.clock_today())
    edited = BAD.replace("latest-gpu", "2.16.1-gpu")
    assert space.lint_source("valohai.yaml", edited) == []
    (found,) = space.lint_source("valohai.yaml", BAD)
    assert (found.code, found.span.line, found.span.column) == ("VIL103", 3, 12)
    assert main(["--no-cache", "valohai.yaml"]) == 1
    assert capsys.readouterr().out.startswith(f"valohai.yaml:3:12: VIL103 {found.message}")
    same = space.lint_source(
        "train.py", TRAIN_PY.replace("python:3.11.9", "tensorflow/tensorflow:latest-gpu")
    )
    assert [d.code for d in same] == ["VIL103"]  # the step's image: no VIL304 (valohai.yaml on disk)
    assert "VIL304" in [d.code for d in space.lint_source("train.py", TRAIN_PY)]


def test_lint_source_honours_exclude(project: Path) -> None:
    Path("valohai-image-lint.toml").write_text('exclude = ["valohai.yaml"]\n', encoding="utf-8")
    options = read_options(["--no-cache"])
    assert options is not None
    assert Workspace.for_options(options, cli.clock_today()).lint_source("valohai.yaml", BAD) == []
