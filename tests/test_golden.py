"""Golden files: every output format on the shipped example, byte for byte.

Regenerate after an intended change with ``VIL_UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from valohai_image_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
FORMATS = {"concise": "example.concise.txt", "json": "example.json"}


@pytest.mark.parametrize("output_format", sorted(FORMATS))
def test_example_output_matches_the_golden_file(
    output_format: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["examples/valohai.yaml", "--output-format", output_format, "--today", "2026-11-30"]) == 1
    out = capsys.readouterr().out
    golden = GOLDEN / FORMATS[output_format]
    if os.environ.get("VIL_UPDATE_GOLDEN") == "1":
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


def test_readme_rules_table_matches_the_rules() -> None:
    from valohai_image_lint.rules import ALL_RULES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1:4] for line in readme.splitlines() if line.startswith("| VIL")]
    table = [(code.strip(), name.strip(), default.strip()) for code, name, default in rows]
    expected = [
        (rule.code, rule.name, rule.severity.label if rule.enabled_by_default else "off")
        for rule in ALL_RULES
    ]
    assert table == expected
