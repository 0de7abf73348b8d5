"""Standard input for editors, colour, the output format from config, GitHub annotations (action.yml: test_action.py)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from valohai_image_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
BAD = "- step:\n    name: train\n    image: tensorflow/tensorflow:latest-gpu\n"


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_stdin_is_linted_as_the_named_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "valohai-image-lint.toml").write_text(
        '[per-file-ignores]\n"ml/*" = ["VIL104"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    text = BAD + "- step: {name: b, image: 'python:3.9'}\n"
    monkeypatch.setattr(sys, "stdin", _Stdin(text.encode()))
    assert main(["--stdin-filename", "ml/valohai.yaml", "-"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("ml/valohai.yaml:3:12: VIL103 ")
    assert "VIL104" not in out  # the per-file ignore for ml/* applied to the stdin name
    assert not (tmp_path / "ml").exists()  # nothing was written


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-", "x.yaml", "--stdin-filename", "a.yaml"], "'-' reads standard input"),
        (["--stdin-filename", "a.yaml", "x.yaml"], "--stdin-filename goes with '-' as the path"),
    ],
)
def test_stdin_usage_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_stdin_that_is_not_utf8(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(b"- step:\n  name: caf\xe9\n"))
    assert main(["--stdin-filename", "valohai.yaml", "-"]) == 2
    assert "valohai.yaml:2:12: not valid UTF-8 (byte 0xe9)" in capsys.readouterr().err


def test_stdin_through_a_real_pipe() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "valohai_image_lint", "--stdin-filename", "x/valohai.yaml", "-"],
        input=BAD,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.startswith("x/valohai.yaml:3:12: VIL103")


def test_output_format_from_config_and_the_command_line_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "valohai.yaml").write_text(BAD, encoding="utf-8")
    (tmp_path / "valohai-image-lint.toml").write_text('output-format = "json"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main([]) == 1
    assert json.loads(capsys.readouterr().out)[0]["code"] == "VIL103"
    assert main(["--output-format", "concise"]) == 1
    assert capsys.readouterr().out.startswith("valohai.yaml:3:12: VIL103")
    (tmp_path / "valohai-image-lint.toml").write_text('output-format = "xml"\n', encoding="utf-8")
    assert main([]) == 2
    assert '"output-format" must be one of concise, full, json' in capsys.readouterr().err


@pytest.mark.parametrize(
    ("choice", "isatty", "no_color", "expected"),
    [
        ("always", False, True, True),
        ("never", True, False, False),
        ("auto", True, False, True),
        ("auto", False, False, False),
        ("auto", True, True, False),
    ],
)
def test_colour_choice(
    monkeypatch: pytest.MonkeyPatch, choice: str, isatty: bool, no_color: bool, expected: bool
) -> None:
    from valohai_image_lint.output import _use_color

    class Out(io.StringIO):
        def isatty(self) -> bool:
            return isatty

    monkeypatch.delenv("NO_COLOR", raising=False)
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    assert _use_color(choice, Out()) is expected


def test_github_actions_adds_annotations_unless_a_format_is_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "valohai.yaml").write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["--isolated"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        'valohai.yaml:3:12: VIL103 image "tensorflow/tensorflow:latest-gpu" uses a moving "latest" tag; '
        "pin a version such as 2.16.1-gpu",
        "::error file=valohai.yaml,line=3,col=12,endLine=3,endColumn=44,title=VIL103 latest-tag::"
        'image "tensorflow/tensorflow:latest-gpu" uses a moving "latest" tag; pin a version such as 2.16.1-gpu',
    ]
    assert main(["--isolated", "--output-format", "concise"]) == 1
    assert "::error" not in capsys.readouterr().out
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert main(["--isolated"]) == 1
    assert "::error" not in capsys.readouterr().out


@pytest.mark.parametrize("output_format", ["sarif", "gitlab", "junit", "github"])
def test_statistics_only_in_formats_that_can_hold_them(
    output_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--statistics", "--output-format", output_format, str(ROOT / "examples")]) == 2
    expected = f"--statistics prints concise, full, pylint, grouped, json, json-lines; not {output_format}"
    assert expected in capsys.readouterr().err


def test_statistics_as_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--statistics", "--output-format", "json-lines", "--isolated", str(ROOT / "examples")]) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sum(row["count"] for row in rows) == 11  # 7 from the rules of issues 2-3, 4 from VIL3xx


def test_values_cannot_break_lines_or_steer_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "valohai.yaml"
    path.write_text('- step:\n    name: "a\\x9b31mb\\x85c\\u202ed\\u2028e"\n', encoding="utf-8")
    assert main(["--isolated", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert 'step "a\\x9b31mb\\x85c\\u202ed\\u2028e" has no image' in out


def test_a_console_that_cannot_encode_the_output(tmp_path: Path) -> None:
    path = tmp_path / "valohai.yaml"
    path.write_text("- step: {name: \u03b1, image: \uff50ython}\n", encoding="utf-8")
    for output_format in ("concise", "sarif", "json"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "valohai_image_lint",
                "--isolated",
                "--output-format",
                output_format,
                str(path),
            ],
            capture_output=True,
            timeout=60,
            check=False,
            env=dict(os.environ, PYTHONIOENCODING="cp1252"),
        )
        assert result.returncode == 1, result.stderr
        assert b"Traceback" not in result.stderr
        if output_format != "concise":
            json.loads(result.stdout.decode("cp1252"))  # the escapes are valid JSON


def test_machine_formats_are_relative_to_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ml").mkdir()
    (tmp_path / "ml" / "valohai.yaml").write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "ml")
    main(["--isolated", "--output-format", "gitlab", "valohai.yaml"])
    from_subfolder = json.loads(capsys.readouterr().out)
    monkeypatch.chdir(tmp_path)
    main(["--isolated", "--output-format", "gitlab", "ml"])
    from_root = json.loads(capsys.readouterr().out)
    assert from_subfolder == from_root
    assert from_root[0]["location"]["path"] == "ml/valohai.yaml"


def test_junit_records_files_that_could_not_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import xml.etree.ElementTree as ET

    (tmp_path / "valohai.yaml").write_bytes(b"\x00")
    assert (
        main(["--isolated", "--output-format", "junit", "--exit-zero", str(tmp_path / "valohai.yaml")]) == 2
    )
    suite = ET.fromstring(capsys.readouterr().out).find("testsuite")
    assert suite is not None and suite.get("errors") == "1"
    assert suite.find("testcase/error") is not None
