"""Golden ``--diff --unsafe-fixes`` output: tests/golden/fix.diff is what fixing
tests/golden/fix-input.yaml (CRLF line breaks, a BOM, comments, single and double quotes, an
anchor used in a flow mapping, no final line break) would change, byte for byte.

Regenerate after an intended change with ``VIL_UPDATE_GOLDEN=1 pytest tests/test_fix_golden.py``
and review the diff. Both files are ``-text`` in .gitattributes, so git keeps their bytes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from valohai_image_lint.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"
CONFIG = 'private-registries = ["docker.io/acme/*"]\ntoday = "2026-11-30"\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "valohai-image-lint.toml").write_text(CONFIG, encoding="utf-8")
    shutil.copyfile(GOLDEN / "fix-input.yaml", tmp_path / "valohai.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_diff_matches_the_golden_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (project / "valohai.yaml").read_bytes()
    assert before.startswith(b"\xef\xbb\xbf") and b"\r\n" in before and not before.endswith(b"\n")
    assert main(["--diff", "--unsafe-fixes", "--no-cache", "valohai.yaml"]) == 1
    out, err = capsys.readouterr()
    assert err == "Would fix 6 problems.\n"
    assert (project / "valohai.yaml").read_bytes() == before
    golden = GOLDEN / "fix.diff"
    if os.environ.get("VIL_UPDATE_GOLDEN") == "1":
        golden.write_bytes(out.encode("utf-8"))
    assert out.encode("utf-8") == golden.read_bytes()


def test_fix_writes_what_the_golden_diff_says(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Applying the golden diff's + lines to the input gives the file --fix writes."""
    assert main(["--fix", "--unsafe-fixes", "--no-cache", "valohai.yaml"]) == 0
    assert capsys.readouterr() == ("", "Fixed 6 problems (0 remaining).\n")
    written = (project / "valohai.yaml").read_bytes().decode("utf-8")
    lines = (GOLDEN / "fix-input.yaml").read_bytes().decode("utf-8").splitlines(keepends=True)
    diff = (GOLDEN / "fix.diff").read_bytes().decode("utf-8").splitlines(keepends=True)
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    assert len(removed) == len(added) > 0
    for old, new in zip(removed, added, strict=True):
        lines[lines.index(old)] = new
    assert written == "".join(lines)
    assert main(["--diff", "--unsafe-fixes", "--no-cache", "valohai.yaml"]) == 0
    assert capsys.readouterr() == ("", "")
