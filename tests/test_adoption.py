"""Adopting the linter on a repository with findings: --add-suppressions, per-image-ignores,
--watch, and the README's section "Adopting it on an existing repository" run as printed."""

from __future__ import annotations

import os
import re
import select
import shlex
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from valohai_image_lint import lint_text
from valohai_image_lint.cli import main
from valohai_image_lint.config.settings import LintConfig
from valohai_image_lint.edits import apply_edits
from valohai_image_lint.linter import lint_python
from valohai_image_lint.suppression_writer import suppression_edits
from valohai_image_lint.writing import WriteError, replace_text

ROOT = Path(__file__).resolve().parent.parent


def _added(text: str, python: bool = False) -> str:
    lint = lint_python if python else lint_text
    found = lint(text)
    new = apply_edits(text, suppression_edits(text, found, python=python).edits)
    assert [d.code for d in lint(new) if not d.code.startswith(("VIL0", "VIL9"))] == []
    assert suppression_edits(new, lint(new), python=python).edits == ()  # idempotent
    return new


# -- where the comments go ---------------------------------------------------------------------------


def test_end_of_line_keeps_crlf_bom_and_no_final_newline() -> None:
    text = "\ufeff- step:\r\n    name: a\r\n    image: python:latest\r\n    command: x"
    assert _added(text) == (
        "\ufeff- step:\r\n    name: a\r\n"
        "    image: python:latest  # valohai-image-lint: ignore[VIL103] reason: TODO\r\n    command: x"
    )


def test_a_block_scalar_takes_the_comment_on_its_key_line() -> None:
    text = "- step:\n    name: a\n    image: >-\n      python:latest\n"
    assert _added(text).splitlines()[2] == "    image: >-  # valohai-image-lint: ignore[VIL103] reason: TODO"


def test_a_quoted_value_over_two_lines_takes_a_comment_line_above() -> None:
    text = '- step:\n    name: a\n    image: "python:\n      latest"\n'
    assert _added(text).splitlines()[2:4] == [
        "    # valohai-image-lint: ignore[VIL101] reason: TODO",
        '    image: "python:',
    ]


def test_codes_on_one_line_share_a_comment_and_an_existing_one_grows() -> None:
    config = LintConfig(select=("VIL103", "VIL105"))
    text = "- step:\n    name: a\n    image: python:latest\n"
    found = lint_text(text, config=config)
    new = apply_edits(text, suppression_edits(text, found).edits)
    assert new.splitlines()[2].endswith("# valohai-image-lint: ignore[VIL103, VIL105] reason: TODO")
    text = "- step:\n    name: a\n    image: python:latest  # valohai-image-lint: ignore[VIL105] ok\n"
    found = lint_text(text, config=config)
    new = apply_edits(text, suppression_edits(text, found).edits)
    assert new.splitlines()[2] == "    image: python:latest  # valohai-image-lint: ignore[VIL105, VIL103] ok"
    assert lint_text(new, config=config) == []


def test_python_gets_the_comment_after_the_code() -> None:
    text = 'import valohai\nvalohai.prepare(step="t", image="python:latest")\n'
    assert _added(text, python=True).splitlines()[1] == (
        'valohai.prepare(step="t", image="python:latest")  # valohai-image-lint: ignore[VIL103] reason: TODO'
    )


def test_syntax_errors_are_not_suppressed() -> None:
    text = "- step: [\n"
    assert suppression_edits(text, lint_text(text)).edits == ()


# -- writing a file back ----------------------------------------------------------------------------


def test_replace_text_keeps_the_mode_and_the_symlink(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_bytes(b"old")
    target.chmod(0o640)
    link = tmp_path / "valohai.yaml"
    link.symlink_to(target)
    replace_text(str(link), b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.yaml", "valohai.yaml"]  # no temp file left


def test_a_read_only_file_or_a_folder_is_an_error_and_nothing_changes(tmp_path: Path) -> None:
    target = tmp_path / "valohai.yaml"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(WriteError, match="read-only; not written"):
        replace_text(str(target), b"new")
    assert target.read_bytes() == b"old" and len(list(tmp_path.iterdir())) == 1
    with pytest.raises(WriteError, match="not a regular file"):
        replace_text(str(tmp_path), b"new")


def test_add_suppressions_on_a_read_only_file_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "valohai.yaml"
    target.write_text("- step:\n    name: a\n    image: python:latest\n", encoding="utf-8")
    target.chmod(0o444)
    assert main(["--add-suppressions", "valohai.yaml"]) == 2
    assert "valohai.yaml: the file is read-only; not written" in capsys.readouterr().err
    assert "ignore" not in target.read_text(encoding="utf-8")


def test_notebooks_are_named_and_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    cell = 'import valohai\\nvalohai.prepare(step=\\"t\\", image=\\"python:latest\\")\\n'
    notebook = '{"cells": [{"cell_type": "code", "source": ["' + cell + '"]}], "nbformat": 4}'
    (tmp_path / "a.ipynb").write_text(notebook, encoding="utf-8")
    assert main(["--add-suppressions", "a.ipynb"]) == 0
    captured = capsys.readouterr()
    assert "a.ipynb: notebooks take no suppression comments; 1 findings left" in captured.err
    assert (tmp_path / "a.ipynb").read_text(encoding="utf-8") == notebook


# -- per-image-ignores ------------------------------------------------------------------------------


def test_per_image_ignores_is_validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "valohai.yaml").write_text(
        "- step:\n    name: a\n    image: python:3.12.1\n", encoding="utf-8"
    )
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.valohai-image-lint.per-image-ignores]\n"acme/x@sha256" = ["VIL104"]\n', encoding="utf-8"
    )
    assert main(["valohai.yaml"]) == 2
    assert 'per-image-ignores": invalid image pattern' in capsys.readouterr().err
    config.write_text(
        '[tool.valohai-image-lint.per-image-ignores]\n"acme/*" = ["VIL777"]\n', encoding="utf-8"
    )
    assert main(["valohai.yaml"]) == 2
    assert 'unknown rule selector "VIL777"' in capsys.readouterr().err
    config.write_text(
        '[tool.valohai-image-lint.per-image-ignores]\n"acme/*" = ["floating-tag"]\n', encoding="utf-8"
    )
    assert main(["--show-settings", "."]) == 0
    assert 'per-image-ignores   = {"acme/*" = ["floating-tag"]}' in capsys.readouterr().out


def test_per_image_ignores_apply_to_the_matching_images_only() -> None:
    text = (
        "- step:\n    name: a\n    image: acme/x:nightly\n- step:\n    name: b\n    image: other/y:nightly\n"
    )
    config = LintConfig(per_image_ignores=(("docker.io/acme/**", ("VIL104",)),))
    assert [(d.span.line, d.code) for d in lint_text(text)] == [(3, "VIL104"), (6, "VIL104")]
    matched: set[str] = set()
    assert [(d.span.line, d.code) for d in lint_text(text, config=config, matched=matched)] == [(6, "VIL104")]
    assert matched == {"docker.io/acme/**"}


# -- the README, as printed -------------------------------------------------------------------------


def _section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Adopting it on an existing repository")
    return readme[start : readme.index("\n## ", start + 1)]


def _blocks(section: str) -> list[tuple[str, str]]:
    return re.findall(r"```(\w+)\n(.*?)```", section, flags=re.DOTALL)


def test_the_readme_section_runs_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    blocks = _blocks(_section())
    assert [kind for kind, _ in blocks] == ["yaml", "console", "toml", "yaml", "console", "console"]
    for kind, body in blocks:
        if kind in ("yaml", "toml"):
            name = body.splitlines()[0].removeprefix("# ")
            (tmp_path / name).write_text(body, encoding="utf-8")
            continue
        for command, expected in re.findall(r"^\$ (.*)\n((?:(?!\$ ).*\n)*)", body, flags=re.MULTILINE):
            argv = shlex.split(command)
            if argv[0] == "cat":
                assert (tmp_path / argv[1]).read_text(encoding="utf-8") == expected
            elif "--watch" in argv:
                _watch_until_interrupted(argv[1:], tmp_path)
            else:
                assert argv[0] == "valohai-image-lint"
                main(argv[1:])
                captured = capsys.readouterr()
                assert captured.out + captured.err == expected, command


# -- --watch ----------------------------------------------------------------------------------------


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _read_until(process: subprocess.Popen[str], needle: str, deadline: float) -> str:
    """What the process writes on stderr, up to ``needle``. Read from the pipe's descriptor with
    a timeout (never through the text wrapper, whose buffer ``select`` cannot see): a process that
    never prints fails the test instead of hanging it."""
    seen = ""
    assert process.stderr is not None
    descriptor = process.stderr.fileno()
    while needle not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {needle!r} in {seen!r}"
        ready, _, _ = select.select([descriptor], [], [], left)
        assert ready, f"no {needle!r} in {seen!r} after the deadline"
        chunk = os.read(descriptor, 65536)
        assert chunk, f"the process ended: {seen!r}"
        seen += chunk.decode("utf-8", "replace")
    return seen


def _watch_until_interrupted(arguments: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "valohai_image_lint", *arguments],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # Ctrl-C must reach it even when this test runs in a background job, whose shell set
        # SIGINT to "ignored" (which a child inherits, and Python then installs no handler)
        preexec_fn=_default_sigint,
    )
    try:
        _read_until(process, "Watching", time.monotonic() + 30)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0 and "Traceback" not in err, err
    return subprocess.CompletedProcess(process.args, 0, out, err)


def test_watch_lints_again_after_a_change_and_stops_quietly_on_ctrl_c(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    config = tmp_path / "valohai.yaml"
    config.write_text("- step:\n    name: a\n    image: python:3.12.1\n", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "valohai_image_lint", "--watch", "valohai.yaml"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # Ctrl-C must reach it even when this test runs in a background job, whose shell set
        # SIGINT to "ignored" (which a child inherits, and Python then installs no handler)
        preexec_fn=_default_sigint,
    )
    try:
        deadline = time.monotonic() + 60
        _read_until(process, "Watching", deadline)
        config.write_text("- step:\n    name: a\n    image: python:latest\n", encoding="utf-8")
        _read_until(process, "Watching", deadline)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "valohai.yaml:3:12: VIL103" in out
