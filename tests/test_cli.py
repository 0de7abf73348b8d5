"""The command line, in-process through main([...]) and as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from valohai_image_lint.cli import main
from valohai_image_lint.reporters import FORMATS

ROOT = Path(__file__).resolve().parent.parent
BAD = "- step:\n    name: train\n    image: tensorflow/tensorflow:latest-gpu\n"
FLOATING = "- step:\n    name: train\n    image: python:3.9\n"
CLEAN = "- step:\n    name: train\n    image: python:3.12.1-slim\n"


def _write(folder: Path, text: str, name: str = "valohai.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_concise_line_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, BAD)
    assert main([str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == (
        f'{path}:3:12: VIL103 image "tensorflow/tensorflow:latest-gpu" uses a moving "latest" tag; '
        "pin a version such as 2.16.1-gpu\n"
    )
    assert err == "Found 1 problem (1 error) in 1 file.\n"


def test_clean_is_silent_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_write(tmp_path, CLEAN))]) == 0
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("threshold", "text", "expected"),
    [
        ("warning", FLOATING, 1),
        ("error", FLOATING, 0),
        ("info", FLOATING, 1),
        ("error", BAD, 1),
    ],
)
def test_failure_threshold(tmp_path: Path, threshold: str, text: str, expected: int) -> None:
    assert main([str(_write(tmp_path, text)), "--failure-threshold", threshold]) == expected


@pytest.mark.parametrize("output_format", sorted(FORMATS))
def test_exit_codes_are_the_same_in_every_format(tmp_path: Path, output_format: str) -> None:
    bad, clean = _write(tmp_path / "a", BAD), _write(tmp_path / "b", CLEAN)
    assert main([str(bad), "--output-format", output_format]) == 1
    assert main([str(clean), "--output-format", output_format]) == 0
    assert main([str(bad), "--output-format", output_format, "--exit-zero"]) == 0
    assert main([str(tmp_path / "missing.yaml"), "--output-format", output_format]) == 2
    assert (
        main([str(bad), str(tmp_path / "missing.yaml"), "--output-format", output_format, "--exit-zero"]) == 2
    )


def test_json_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, BAD)
    main([str(path), "--output-format", "json"])
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == [
        {
            "code": "VIL103",
            "name": "latest-tag",
            "severity": "error",
            "message": 'image "tensorflow/tensorflow:latest-gpu" uses a moving "latest" tag; '
            "pin a version such as 2.16.1-gpu",
            "path": str(path),
            "line": 3,
            "column": 12,
            "end_line": 3,
            "end_column": 44,
            "image": "tensorflow/tensorflow:latest-gpu",
            "canonical": "docker.io/tensorflow/tensorflow:latest-gpu",
            "context": 'step "train"',
            "fix": None,
        }
    ]


def test_json_is_an_empty_array_when_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_write(tmp_path, CLEAN)), "--output-format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize(
    ("args", "codes"),
    [
        ([], {"VIL102", "VIL104", "VIL301", "VIL302", "VIL303"}),
        (["--select", "VIL104"], {"VIL104"}),
        (["--select", "floating-tag"], {"VIL104"}),
        (["--select", "VIL1"], {"VIL102", "VIL104", "VIL105"}),  # an explicit prefix includes opt-in rules
        (["--ignore", "VIL102"], {"VIL104", "VIL301", "VIL302", "VIL303"}),
        (["--ignore", "missing-tag,floating-tag"], {"VIL301", "VIL302", "VIL303"}),
        (["--ignore", "missing-tag,floating-tag,VIL3"], set()),
        (["--extend-select", "VIL105"], {"VIL102", "VIL104", "VIL105", "VIL301", "VIL302", "VIL303"}),
        (["--select", "ALL"], {"VIL102", "VIL104", "VIL105", "VIL301", "VIL302", "VIL303"}),
        (["--select", "VIL102", "--select", "VIL104"], {"VIL102", "VIL104"}),
        (["--select", "ALL", "--ignore", "VIL10,VIL3"], set()),
    ],
)
def test_selection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], codes: set[str]
) -> None:
    path = _write(tmp_path, "- step: {name: a, image: python}\n- step: {name: b, image: 'python:3.9'}\n")
    main([str(path), "--output-format", "json", *args])
    assert {item["code"] for item in json.loads(capsys.readouterr().out)} == codes


@pytest.mark.parametrize("selector", ["VIL998", "VIL8", "latest", "no-latest", "E501"])
def test_unknown_selector_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], selector: str
) -> None:
    assert main([str(_write(tmp_path, BAD)), "--select", selector]) == 2
    err = capsys.readouterr().err
    assert f'unknown rule selector "{selector}"' in err
    assert err.count("\n") == 1


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--output-format", "xml"]) == 2
    assert main(["--no-such-option"]) == 2
    assert main(["rule"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("valohai-image-lint: error:") == 3


def test_rule_page_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "VIL103"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("# VIL103 latest-tag\n")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in page
    assert main(["rule", "latest-tag"]) == 0
    assert capsys.readouterr().out == page
    assert main(["rule", "VIL000"]) == 2
    assert main(["--list-rules"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listing] == [
        "VIL001",
        "VIL002",
        "VIL003",
        "VIL004",
        "VIL005",
        "VIL006",
        "VIL007",
        "VIL008",
        "VIL101",
        "VIL102",
        "VIL103",
        "VIL104",
        "VIL105",
        "VIL106",
        "VIL201",
        "VIL202",
        "VIL203",
        "VIL204",
        "VIL205",
        "VIL301",
        "VIL302",
        "VIL303",
        "VIL304",
        "VIL401",
        "VIL402",
        "VIL403",
        "VIL404",
        "VIL901",
        "VIL902",
        "VIL999",
    ]
    assert "off" in next(line for line in listing if line.startswith("VIL105"))


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("valohai-image-lint 0.")


def test_unreadable_files_do_not_stop_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path / "ok", BAD)
    binary = tmp_path / "bin" / "valohai.yaml"
    binary.parent.mkdir()
    binary.write_bytes(b"- step:\x00\x01\x02")
    latin = tmp_path / "latin" / "valohai.yaml"
    latin.parent.mkdir()
    latin.write_bytes(b"- step:\n    name: caf\xe9\n")
    utf16 = tmp_path / "utf16" / "valohai.yaml"
    utf16.parent.mkdir()
    utf16.write_bytes("- step: {}\n".encode("utf-16"))
    assert main([str(good), str(binary), str(latin), str(utf16), str(tmp_path / "nope.yaml")]) == 2
    out, err = capsys.readouterr()
    assert "VIL103" in out
    lines = err.splitlines()
    assert f"valohai-image-lint: error: {binary}:1:8: binary file (NUL byte); not a YAML config" in lines
    assert (
        f"valohai-image-lint: error: {latin}:2:14: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
        in lines
    )
    assert (
        f"valohai-image-lint: error: {utf16}:1:1: file is UTF-16 or UTF-32 encoded; save it as UTF-8" in lines
    )
    assert f"valohai-image-lint: error: {tmp_path / 'nope.yaml'}: no such file or directory" in lines
    assert "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_permission_denied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, BAD)
    path.chmod(0)
    assert main([str(path)]) == 2
    assert "permission denied" in capsys.readouterr().err


def test_fifo_is_refused_without_blocking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "valohai.yaml"
    os.mkfifo(fifo)
    assert main([str(fifo)]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_directory_without_configs_is_a_note_when_explicit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path)]) == 0
    assert "nothing to lint in" in capsys.readouterr().err


def test_no_arguments_lints_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path / "project", BAD)
    monkeypatch.chdir(tmp_path)
    assert main([]) == 1
    assert capsys.readouterr().out.startswith("project/valohai.yaml:3:12: VIL103")


def test_paths_with_spaces_and_non_ascii(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "my prøject", BAD)
    assert main([str(path)]) == 1
    assert capsys.readouterr().out.startswith(f"{path}:3:12: VIL103")


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def test_python_dash_m_on_the_example() -> None:
    result = _run(sys.executable, "-m", "valohai_image_lint", "examples/valohai.yaml")
    assert result.returncode == 1
    assert "examples/valohai.yaml:10:12: VIL103" in result.stdout
    assert result.stderr.startswith("Found ")


def test_console_script_is_installed(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "valohai-image-lint"
    if not script.exists():
        pytest.fail(f"{script} missing: install the project (pip install -e '.[test]')")
    result = _run(str(script), str(_write(tmp_path, CLEAN)))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize("value", ["", " ", ",", " , "])
def test_an_empty_selector_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    assert main([str(_write(tmp_path, BAD)), f"--select={value}"]) == 2
    assert "empty rule selector" in capsys.readouterr().err


def test_a_closed_pipe_keeps_the_exit_code(tmp_path: Path) -> None:
    many = "".join(f"- step: {{name: s{i}, image: python}}\n" for i in range(3000))
    path = _write(tmp_path, many)
    script = Path(sys.executable).parent / "valohai-image-lint"
    result = subprocess.run(
        ["bash", "-c", f'set -o pipefail; "{script}" --no-cache "{path}" | head -n 1'],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.count("\n") == 1
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
