"""A run answered wholly from the result cache (the workspace's first stage): it prints exactly what the full
run prints and exits the same, it answers only when every input is what a full run stored, and
it imports none of the heavy modules."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from valohai_image_lint import cli
from valohai_image_lint.option_reader import read_options
from valohai_image_lint.plain_text import SEVERITY_WORDS

ROOT = Path(__file__).resolve().parent.parent
BAD = "- step:\n    name: train\n    image: tensorflow/tensorflow:latest-gpu\n"
MIXED = "- step: {name: a, image: python:3.9}\n- step: {name: b, image: python}\n- step: {name: c, image: python:3.9}\n"
CLEAN = "- step:\n    name: train\n    image: python:3.12.1-slim\n"
TRAIN_PY = 'import valohai\nvalohai.prepare(step="a", image="python:3.12.1-slim")\n'
OURS = '[tool.valohai-image-lint]\nfailure-threshold = "error"\nignore = ["VIL102", "VIL302"]\n'


def _answer(argv: list[str]) -> tuple[int | None, str, str]:
    """What the first stage answers, as the command line runs it (None: the full run's turn)."""
    out, err = io.StringIO(), io.StringIO()
    options = read_options(argv)
    if options is None or argv[:1] == ["rule"]:
        return None, "", ""  # argparse's to read, or a rule's page: the first stage does not run
    from valohai_image_lint.workspace import Workspace

    code = Workspace.for_options(options, cli.clock_today()).answer_from_cache(out, err)
    return code, out.getvalue(), err.getvalue()


def _full(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.run(argv, sys.stdout, sys.stderr)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    os.mkdir(".git")
    Path("valohai.yaml").write_text(MIXED, encoding="utf-8")
    Path("sub").mkdir()
    Path("sub/valohai.yaml").write_text(BAD, encoding="utf-8")
    Path("clean").mkdir()
    Path("clean/valohai.yaml").write_text(CLEAN, encoding="utf-8")
    Path("train.py").write_text(TRAIN_PY, encoding="utf-8")
    return tmp_path


ANSWERED = [
    ["valohai.yaml"],
    ["clean/valohai.yaml"],
    ["sub/valohai.yaml", "valohai.yaml", "./valohai.yaml", "clean/valohai.yaml"],  # sorted, each once
    ["train.py", "valohai.yaml"],
    ["valohai.yaml", "--select", "VIL104,VIL102", "--select=VIL3"],
    ["valohai.yaml", "--ignore", "VIL301", "--extend-select", "VIL105"],
    ["valohai.yaml", "--failure-threshold", "error"],
    ["sub/valohai.yaml", "--failure-threshold=info", "--exit-zero"],
    ["valohai.yaml", "--today", "2020-01-01"],
    ["valohai.yaml", "--no-suppressions", "--isolated", "--color", "never"],
    ["valohai.yaml", "--output-format", "concise", "--max-file-size", "100000"],
]


@pytest.mark.parametrize("argv", ANSWERED, ids=" ".join)
def test_the_answer_is_the_full_runs_output_and_exit_code(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert _answer(argv)[0] is None  # nothing cached yet
    full = _full(argv, capsys)
    assert _answer(argv) == full


def test_a_config_file_is_read_as_the_full_run_reads_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("pyproject.toml").write_text(OURS, encoding="utf-8")
    full = _full(["valohai.yaml"], capsys)
    assert full[0] == 0  # the config's failure-threshold: what is left is warnings and info
    assert full[1]
    assert _answer(["valohai.yaml"]) == full
    Path("pyproject.toml").write_text(OURS.replace('"error"', '"info"'), encoding="utf-8")
    assert _answer(["valohai.yaml"])[0] is None  # a changed config is a miss
    assert _full(["valohai.yaml"], capsys)[0] == 1
    Path("sub/valohai-image-lint.toml").write_text('ignore = ["VIL103"]\n', encoding="utf-8")
    assert _answer(["valohai.yaml", "sub/valohai.yaml"])[0] is None  # a nearer config appeared
    full = _full(["valohai.yaml", "sub/valohai.yaml"], capsys)
    assert _answer(["valohai.yaml", "sub/valohai.yaml"]) == full


@pytest.mark.parametrize(
    ("edit", "argv"),
    [
        (lambda: Path("valohai.yaml").write_text(BAD, encoding="utf-8"), ["valohai.yaml"]),
        (lambda: Path("valohai.yaml").write_text(CLEAN.replace("a", "b"), encoding="utf-8"), ["train.py"]),
        (
            lambda: Path("valohai.yml").write_text(CLEAN, encoding="utf-8") and os.remove("valohai.yaml"),
            ["train.py"],
        ),
        (lambda: Path("valohai-image-lint.toml").write_text("", encoding="utf-8"), ["valohai.yaml"]),
    ],
    ids=["text", "nearest-valohai-yaml", "another-valohai-yml", "new-config"],
)
def test_any_change_of_an_input_is_a_miss(
    project: Path, capsys: pytest.CaptureFixture[str], edit: object, argv: list[str]
) -> None:
    _full(argv, capsys)
    assert _answer(argv)[0] is not None
    edit()  # type: ignore[operator]
    assert _answer(argv)[0] is None


def test_another_day_is_a_miss(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _full(["valohai.yaml"], capsys)
    monkeypatch.setattr(cli, "clock_today", lambda: "2999-01-01")
    assert _answer(["valohai.yaml"])[0] is None


LEFT_TO_THE_FULL_RUN = [
    [],  # the current folder: discovery's
    ["."],
    ["-"],
    ["valohai.yaml", "--no-cache"],
    ["valohai.yaml", "--output-format", "json"],
    ["valohai.yaml", "--output-format=full"],
    ["valohai.yaml", "--statistics"],
    ["valohai.yaml", "--list-rules"],
    ["--stdin-filename", "valohai.yaml", "-"],
    ["valohai.yaml", "--select"],
    ["valohai.yaml", "--select", "--isolated"],
    ["valohai.yaml", "--select="],
    ["valohai.yaml", "--sel", "VIL1"],  # an abbreviation argparse may accept
    ["valohai.yaml", "--isolated=yes"],
    ["valohai.yaml", "--failure-threshold", "fatal"],
    ["valohai.yaml", "--today", "30.11.2026"],
    ["valohai.yaml", "--max-file-size", "10MB"],
    ["valohai.yaml", "--config", "x.toml", "--isolated"],
    ["valohai.yaml", "--help"],
    ["valohai.yaml", "missing.yaml"],
    ["valohai.yaml/"],  # no file to the system, though it normalizes to one
    ["missing/../valohai.yaml"],
    ["valohai.yaml/../valohai.yaml"],
    ["rule", "VIL103"],
]


@pytest.mark.parametrize("argv", LEFT_TO_THE_FULL_RUN, ids=" ".join)
def test_what_it_does_not_understand_is_left_to_the_full_run(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    _full(["valohai.yaml"], capsys)
    assert _answer(["valohai.yaml"])[0] is not None
    assert _answer(argv) == (None, "", "")


def test_github_actions_annotations_are_left_to_the_full_run(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _full(["valohai.yaml"], capsys)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert _answer(["valohai.yaml"])[0] is None
    assert _answer(["valohai.yaml", "--output-format", "concise"])[0] is not None


def test_a_config_for_the_current_folder_that_no_file_uses_is_left_to_the_full_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("sub/valohai-image-lint.toml").write_text("", encoding="utf-8")
    _full(["sub/valohai.yaml"], capsys)
    assert _answer(["sub/valohai.yaml"])[0] is not None
    Path("valohai-image-lint.toml").write_text('output-format = "json"\n', encoding="utf-8")
    assert _answer(["sub/valohai.yaml"])[0] is None  # the full run prints JSON now


def test_a_config_output_format_other_than_concise_is_left_to_the_full_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("valohai-image-lint.toml").write_text('output-format = "pylint"\n', encoding="utf-8")
    _full(["valohai.yaml"], capsys)
    assert _answer(["valohai.yaml"])[0] is None
    Path("valohai-image-lint.toml").write_text('output-format = "concise"\n', encoding="utf-8")
    full = _full(["valohai.yaml"], capsys)
    assert _answer(["valohai.yaml"]) == full


def test_a_file_that_became_unreadable_is_left_to_the_full_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _full(["valohai.yaml"], capsys)
    os.remove("valohai.yaml")
    os.mkdir("valohai.yaml")
    assert _answer(["valohai.yaml"])[0] is None


def test_main_uses_it_and_still_reports_a_broken_pipe_quietly(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["valohai.yaml"]) == 1
    first = capsys.readouterr()
    assert cli.main(["valohai.yaml"]) == 1
    assert capsys.readouterr() == first


def test_the_severity_words_are_the_models() -> None:
    from valohai_image_lint.model import Severity

    assert {int(severity): severity.label for severity in sorted(Severity, reverse=True)} == SEVERITY_WORDS


HEAVY = (
    "argparse",
    "typing",
    "re",
    "enum",
    "json",
    "tomllib",
    "ruamel",
    "valohai_image_lint.model",
    "valohai_image_lint.linter",
    "valohai_image_lint.config.files",
    "valohai_image_lint.config.keys",
    "valohai_image_lint.discovery",
)


def test_a_warm_run_imports_nothing_heavy(tmp_path: Path) -> None:
    probe = (
        "import sys; before = set(sys.modules)\n"
        "from valohai_image_lint.cli import main\n"
        "code = main(sys.argv[1:])\n"
        f"heavy = [name for name in {HEAVY!r} if name in sys.modules and name not in before]\n"
        "print('imported:', ' '.join(heavy)); sys.exit(code)\n"
    )
    env = dict(os.environ, VALOHAI_IMAGE_LINT_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("GITHUB_ACTIONS", None)
    command = [sys.executable, "-c", probe, "examples/valohai.yaml"]
    runs = [
        subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
        for _ in range(2)
    ]
    assert [run.returncode for run in runs] == [1, 1]
    assert "ruamel" in runs[0].stdout.splitlines()[-1]  # the first run lints
    assert runs[1].stdout.splitlines()[-1] == "imported: "
    assert runs[0].stdout == runs[1].stdout.replace("imported: \n", runs[0].stdout.splitlines()[-1] + "\n")
    assert runs[0].stderr == runs[1].stderr


def test_a_valohai_yaml_only_a_config_lets_it_read_is_left_to_the_full_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The config raises max-file-size; an 11 MB valohai.yaml appears beside a Python file whose
    result was stored without one: the cached run cannot read it under the default limit."""
    Path("valohai-image-lint.toml").write_text('max-file-size = "20MB"\n', encoding="utf-8")
    os.remove("valohai.yaml")
    _full(["train.py"], capsys)
    assert _answer(["train.py"])[0] is not None
    step = "- step: {name: a, image: python:latest}\n"
    Path("valohai.yaml").write_text(step + "# padding\n" * (11 * 2**20 // 10), encoding="utf-8")
    assert _answer(["train.py"])[0] is None
    full = _full(["train.py"], capsys)
    assert "VIL304" in full[1]


def test_a_python_files_result_does_not_depend_on_the_other_files_of_the_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two Python files under one valohai.yaml, one of them under a config whose limit is too
    small to read it: each file's result is the same alone and together, cached or not."""
    Path("valohai.yaml").write_text("- step: {name: a, image: python:3.11.9-slim}  # " + "x" * 200 + "\n")
    Path("sub/train.py").write_text(TRAIN_PY, encoding="utf-8")
    Path("sub/valohai.yaml").unlink()
    Path("sub/valohai-image-lint.toml").write_text("max-file-size = 150\n", encoding="utf-8")
    together = _full(["train.py", "sub/train.py"], capsys)
    alone = {path: _full([path], capsys) for path in ("train.py", "sub/train.py")}
    assert "VIL304" in alone["train.py"][1]
    assert "VIL304" not in alone["sub/train.py"][1]  # its config cannot read the valohai.yaml
    assert together[1] == alone["sub/train.py"][1] + alone["train.py"][1]
    assert _answer(["train.py"]) == alone["train.py"]
    assert _answer(["sub/train.py"])[0] is None  # it reads the valohai.yaml, which that run could not: a miss
