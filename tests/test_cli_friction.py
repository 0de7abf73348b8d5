"""What a new user trips on at the command line (issue 14): `rule --help`, `--list-rules`'
columns, a bare `-`, a folder with nothing to lint, a project with only `valohai.prepare()` calls.
Each runs the documented command as written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from valohai_image_lint.cli import main
from valohai_image_lint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BAD = "- step:\n    name: train\n    image: tensorflow/tensorflow:latest-gpu\n"
PREPARE = 'import valohai\n\nvalohai.prepare(step="train", image="tensorflow/tensorflow:latest-gpu")\n'


def _shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``command`` run by sh as a user types it, with ``valohai-image-lint`` the one beside this Python."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env["VALOHAI_IMAGE_LINT_NO_CACHE"] = "1"
    return subprocess.run(
        ["sh", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_rule_help_prints_the_usage(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", flag]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: valohai-image-lint rule CODE (or rule --all)\n") and err == ""


def test_list_rules_columns_fit_the_longest_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(ALL_RULES)
    # the state column starts at the same place on every line, after at least one space
    starts = {re.match(r"VIL\d{3}  \S+ +", line).end() for line in lines}  # type: ignore[union-attr]
    assert len(starts) == 1
    longest = max(len(rule.name) for rule in ALL_RULES)
    assert starts == {len("VIL000  ") + longest + 1}


def test_bare_dash_reads_stdin_as_valohai_yaml(tmp_path: Path) -> None:
    (tmp_path / "valohai.yaml").write_text(BAD, encoding="utf-8")
    assert "`cat valohai.yaml | valohai-image-lint -`" in README
    result = _shell("cat valohai.yaml | valohai-image-lint -", tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("valohai.yaml:3:12: VIL103 ")


def test_help_says_what_dash_defaults_to() -> None:
    result = _shell("valohai-image-lint --help", ROOT)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "'-' reads standard input" in text
    assert "default: valohai.yaml in the current directory" in text


@pytest.mark.parametrize("command", ["valohai-image-lint", "valohai-image-lint ."])
def test_a_folder_with_nothing_to_lint_is_a_note_and_exit_0(command: str, tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services: {}\n", encoding="utf-8")
    (tmp_path / "tool.py").write_text("import numpy\n", encoding="utf-8")
    result = _shell(command, tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == (
        "valohai-image-lint: note: nothing to lint in .: no valohai.yaml or valohai.yml, "
        "and no Python file that mentions valohai\n"
    )


def test_a_folder_named_like_a_config_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "valohai.yaml").mkdir()
    assert main(["--no-cache", str(tmp_path / "valohai.yaml")]) == 0
    assert "nothing to lint in" in capsys.readouterr().err


def test_a_missing_file_stays_exit_2(tmp_path: Path) -> None:
    result = _shell("valohai-image-lint valohai.yaml", tmp_path)
    assert result.returncode == 2
    assert result.stderr == "valohai-image-lint: error: valohai.yaml: no such file or directory\n"


@pytest.mark.parametrize("command", ["valohai-image-lint", "valohai-image-lint ."])
def test_a_project_with_only_prepare_calls_is_linted(command: str, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(PREPARE, encoding="utf-8")
    (tmp_path / "src" / "other.py").write_text("import numpy\n", encoding="utf-8")
    result = _shell(command, tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("src/train.py:3:38: VIL103 ")
    assert "other.py" not in result.stdout


def test_unbracketed_suppression_says_to_write_brackets(tmp_path: Path) -> None:
    (tmp_path / "valohai.yaml").write_text(
        "- step:\n    name: train\n    image: python:latest  # valohai-image-lint: ignore VIL103\n",
        encoding="utf-8",
    )
    result = _shell("valohai-image-lint", tmp_path)
    assert result.returncode == 1
    assert (
        'valohai.yaml:3:27: VIL902 suppression "ignore" on line 3 writes its codes without brackets and '
        "suppresses nothing; write the codes in brackets: ignore[VIL103]\n"
    ) in result.stdout


def test_show_settings_shows_the_output_format(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the repository root: no config above it counts
    lines = _shell("valohai-image-lint --show-settings", tmp_path).stdout.splitlines()
    assert 'output-format       = "concise"    # default' in lines
    (tmp_path / "valohai-image-lint.toml").write_text('output-format = "json"\n', encoding="utf-8")
    lines = _shell("valohai-image-lint --show-settings", tmp_path).stdout.splitlines()
    assert f'output-format       = "json"    # {tmp_path / "valohai-image-lint.toml"}' in lines
    lines = _shell("valohai-image-lint --show-settings --output-format editor", tmp_path).stdout.splitlines()
    assert 'output-format       = "editor"    # command line' in lines


def _readme_block(heading: str) -> str:
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"^```python\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)
    assert match is not None, f"no python block under ## {heading}"
    return match.group(1)


def test_readme_python_api_finds_what_the_cli_finds(tmp_path: Path) -> None:
    """The README's Python API example, run as printed beside the shipped example, prints one
    line per finding of `valohai-image-lint valohai.yaml` there: the same codes and lines (the
    API judges end of life by the real date too)."""
    (tmp_path / ".git").mkdir()  # the repository root: the CLI finds no config above it
    (tmp_path / "valohai.yaml").write_text(
        (ROOT / "examples" / "valohai.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "example.py").write_text(_readme_block("Python API"), encoding="utf-8")
    api = _shell(f'"{sys.executable}" example.py', tmp_path)
    assert api.returncode == 0, api.stderr
    cli = _shell("valohai-image-lint --output-format json valohai.yaml", tmp_path)
    assert cli.returncode == 1, cli.stderr
    expected = [f"{item['code']} {item['line']} {item['message']}" for item in json.loads(cli.stdout)]
    assert any(line.startswith("VIL302 ") for line in expected)
    assert api.stdout.splitlines() == expected
