"""--fix, --unsafe-fixes, --diff and --fix-only through the command line: fixes edit only the
image values; every other byte stays; what cannot be written is said and nothing is clobbered."""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path

import pytest

from valohai_image_lint.cli import main

HOSTS = (
    "# the project's steps\r\n"
    "- step:\r\n"
    "    name: train  # the trainer\r\n"
    '    image: "index.docker.io/library/python:3.12.4-slim"\r\n'
    "    command: python train.py\r\n"
    "- step:\r\n"
    "    name: serve\r\n"
    "    image: acme/server:1.0.3   # ours\r\n"
    "    command: python serve.py"  # no final line break
)
FIXED = HOSTS.replace("index.docker.io/library/python", "docker.io/library/python").replace(
    "acme/server", "docker.io/acme/server"
)
CONFIG = 'private-registries = ["docker.io/acme/*"]\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "valohai-image-lint.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "valohai.yaml").write_bytes(("\ufeff" + HOSTS).encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_fix_edits_only_the_image_values(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--fix", "valohai.yaml")
    assert (code, out) == (0, "")
    assert err.endswith("Fixed 2 problems (0 remaining).\n")
    assert (project / "valohai.yaml").read_bytes() == ("\ufeff" + FIXED).encode("utf-8")
    assert _run(capsys, "--fix", "valohai.yaml") == (0, "", "Fixed 0 problems (0 remaining).\n")


def test_diff_prints_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (project / "valohai.yaml").read_bytes()
    code, out, err = _run(capsys, "--diff", "valohai.yaml")
    assert code == 1
    assert (project / "valohai.yaml").read_bytes() == before
    assert out == (
        "--- a/valohai.yaml\n"
        "+++ b/valohai.yaml\n"
        "@@ -1,9 +1,9 @@\n"
        " \ufeff# the project's steps\r\n"
        " - step:\r\n"
        "     name: train  # the trainer\r\n"
        '-    image: "index.docker.io/library/python:3.12.4-slim"\r\n'
        '+    image: "docker.io/library/python:3.12.4-slim"\r\n'
        "     command: python train.py\r\n"
        " - step:\r\n"
        "     name: serve\r\n"
        "-    image: acme/server:1.0.3   # ours\r\n"
        "+    image: docker.io/acme/server:1.0.3   # ours\r\n"
        "     command: python serve.py\n"
        "\\ No newline at end of file\n"
    )
    assert err == "Would fix 2 problems.\n"
    (project / "valohai.yaml").write_bytes(("\ufeff" + FIXED).encode("utf-8"))
    assert _run(capsys, "--diff", "valohai.yaml") == (0, "", "")


def test_unsafe_fixes_apply_only_when_asked(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "- step:\n    name: train\n    image: pytorch/pytorch:2.2.0-cuda12.1-cudnn8-devel\n"
    (project / "valohai.yaml").write_text(text, encoding="utf-8")
    code, out, err = _run(capsys, "--fix", "--select", "VIL301", "valohai.yaml")
    assert (code, err.splitlines()[-1]) == (0, "Fixed 0 problems (1 remaining).")
    assert "VIL301" in out
    code, out, err = _run(capsys, "--fix", "--unsafe-fixes", "--select", "VIL301", "valohai.yaml")
    assert (code, out, err) == (0, "", "Fixed 1 problem (0 remaining).\n")
    assert "2.2.0-cuda12.1-cudnn8-runtime" in (project / "valohai.yaml").read_text(encoding="utf-8")


def test_fixable_and_unfixable(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "valohai-image-lint.toml").write_text(CONFIG + 'unfixable = ["VIL205"]\n', encoding="utf-8")
    code, out, err = _run(capsys, "--fix-only", "valohai.yaml")
    assert (code, out, err) == (0, "", "Fixed 1 problem (1 remaining).\n")
    text = (project / "valohai.yaml").read_text(encoding="utf-8-sig")
    assert "index.docker.io/library/python" in text and "docker.io/acme/server" in text
    (project / "valohai-image-lint.toml").write_text(
        CONFIG + 'fixable = ["legacy-docker-hub-host"]\n', encoding="utf-8"
    )
    assert _run(capsys, "--fix-only", "valohai.yaml")[2] == "Fixed 1 problem (0 remaining).\n"
    assert (project / "valohai.yaml").read_bytes() == ("\ufeff" + FIXED).encode("utf-8")


def test_an_anchor_is_fixed_once(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "- step:\n    name: a\n    image: &img acme/server:1.0.3\n- step:\n    name: b\n    image: *img\n"
    (project / "valohai.yaml").write_text(text, encoding="utf-8")
    assert _run(capsys, "--fix", "valohai.yaml")[0] == 0
    assert (project / "valohai.yaml").read_text(encoding="utf-8") == text.replace(
        "&img acme/server", "&img docker.io/acme/server"
    )


def test_a_python_string_keeps_its_quote(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "valohai.yaml").write_text(
        "- step:\n    name: train\n    image: python:3.12.4\n", encoding="utf-8"
    )
    source = "import valohai\n\nvalohai.prepare(step='train', image='acme/server:1.0.3')  # ours\n"
    (project / "train.py").write_text(source, encoding="utf-8")
    assert _run(capsys, "--fix", "--select", "VIL202", "train.py")[0] == 0
    assert (project / "train.py").read_text(encoding="utf-8") == source.replace(
        "'acme/server", "'docker.io/acme/server"
    )


def test_standard_input_round_trip(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(("\ufeff" + HOSTS).encode("utf-8")), encoding="utf-8", newline="")
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, err = _run(capsys, "--fix", "--stdin-filename", "valohai.yaml", "-")
    assert (code, err) == (0, "")
    assert out == "\ufeff" + FIXED
    assert (project / "valohai.yaml").read_bytes() == ("\ufeff" + HOSTS).encode("utf-8")  # untouched


@pytest.mark.skipif(
    os.geteuid() == 0 if hasattr(os, "geteuid") else False, reason="root writes read-only files"
)
def test_a_read_only_file_is_an_error_and_left_alone(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "valohai.yaml"
    path.chmod(stat.S_IRUSR)
    code, _, err = _run(capsys, "--fix", "valohai.yaml")
    assert code == 2
    assert "valohai.yaml: the file is read-only; not written" in err


def test_a_read_only_file_is_refused_even_for_root(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "valohai.yaml"
    before = path.read_bytes()
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    code, _, err = _run(capsys, "--fix", "valohai.yaml")
    assert code == 2 and "the file is read-only; not written" in err
    assert path.read_bytes() == before


def test_a_symlink_stays_a_link(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = project / "real.yaml"
    (project / "valohai.yaml").rename(real)
    (project / "valohai.yaml").symlink_to(real.name)
    assert _run(capsys, "--fix", "valohai.yaml")[0] == 0
    assert (project / "valohai.yaml").is_symlink()
    assert real.read_bytes() == ("\ufeff" + FIXED).encode("utf-8")


def test_a_file_changed_while_fixing_is_not_clobbered(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from valohai_image_lint import fixing

    real_fix_text = fixing.fix_text

    def meddling(*args, **kwargs):  # type: ignore[no-untyped-def]
        outcome = real_fix_text(*args, **kwargs)
        (project / "valohai.yaml").write_text("# edited meanwhile\n", encoding="utf-8")
        return outcome

    monkeypatch.setattr(fixing, "fix_text", meddling)
    code, _, err = _run(capsys, "--fix", "valohai.yaml")
    assert code == 2
    assert "valohai.yaml: the file changed while it was being fixed; not written" in err
    assert (project / "valohai.yaml").read_text(encoding="utf-8") == "# edited meanwhile\n"


def test_usage_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--unsafe-fixes", "valohai.yaml"]) == 2
    assert "--unsafe-fixes goes with --fix" in capsys.readouterr().err
    assert main(["--diff", "-"]) == 2
    assert "--diff compares files" in capsys.readouterr().err


def test_a_file_that_does_not_read_back_as_written_is_restored(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from valohai_image_lint import writing

    real_replace = writing.replace_text
    calls: list[bytes] = []

    def lossy(path: str, data: bytes) -> None:  # a file system that loses the last byte, once
        calls.append(data)
        real_replace(path, data[:-1] if len(calls) == 1 else data)

    monkeypatch.setattr(writing, "replace_text", lossy)
    before = (project / "valohai.yaml").read_bytes()
    code, _, err = _run(capsys, "--fix", "valohai.yaml")
    assert code == 2
    assert "valohai.yaml: the fixed file did not read back as written; the original is restored" in err
    assert (project / "valohai.yaml").read_bytes() == before
    assert len(calls) == 2
