"""The GitLab Code Quality reporter: the golden file, the report's structure, severities, fingerprints.

Regenerate the golden file after an intended change with
``VIL_UPDATE_GOLDEN=1 pytest tests/test_format_gitlab.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from format_fixtures import (
    EXAMPLE,
    FORMAT_RULES,
    GOLDEN_DIR,
    ROOT,
    assert_fingerprints_survive_lines_inserted_above,
    assert_matches_golden,
    example_report,
    render_report,
    report_of,
)

from valohai_image_lint import LintConfig, Severity, Span, lint_text
from valohai_image_lint.model import Diagnostic
from valohai_image_lint.reporters import Report
from valohai_image_lint.reporters.fingerprints import fingerprint, fingerprints
from valohai_image_lint.reporters.gitlab import REPORTER

GOLDEN = GOLDEN_DIR / "example.gitlab.json"


def gitlab_text(report: Report) -> str:
    return render_report(REPORTER, report)


def issues(report: Report) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(gitlab_text(report))
    return found


def test_example_output_matches_the_golden_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert_matches_golden(GOLDEN, gitlab_text(example_report(with_clean=True)))


def assert_code_quality_issue(issue: Any) -> None:
    """The fields GitLab reads, each of the type it expects, and nothing else."""
    assert isinstance(issue, dict)
    assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert isinstance(issue["description"], str) and issue["description"]
    assert isinstance(issue["check_name"], str) and re.fullmatch(r"VIL\d{3}", issue["check_name"])
    assert isinstance(issue["fingerprint"], str) and re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
    assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
    location = issue["location"]
    assert isinstance(location, dict) and set(location) == {"path", "lines"}
    path = location["path"]
    assert isinstance(path, str) and path and "\\" not in path and not path.startswith(("/", "./"))
    lines = location["lines"]
    assert isinstance(lines, dict) and set(lines) == {"begin", "end"}
    assert all(type(lines[key]) is int for key in lines)
    assert 1 <= lines["begin"] <= lines["end"]


def test_the_example_output_is_a_code_quality_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    report = example_report(with_clean=True)
    found = issues(report)
    assert isinstance(found, list) and len(found) == len(report.diagnostics) == 7
    for issue, diagnostic in zip(found, report.diagnostics, strict=True):
        assert_code_quality_issue(issue)
        assert issue["description"] == diagnostic.message
        assert issue["check_name"] == diagnostic.code
        assert issue["location"] == {
            "path": EXAMPLE,
            "lines": {"begin": diagnostic.span.line, "end": diagnostic.span.end_line},
        }
    assert len({issue["fingerprint"] for issue in found}) == len(found)


def test_the_golden_file_is_a_code_quality_report() -> None:
    found = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert isinstance(found, list) and found
    for issue in found:
        assert_code_quality_issue(issue)


def test_no_findings_is_an_empty_array() -> None:
    assert gitlab_text(Report([], ["valohai.yaml"])) == "[]\n"


SEVERITY_TABLE = [
    (Severity.INFO, "info"),
    (Severity.WARNING, "minor"),
    (Severity.ERROR, "major"),
]


@pytest.mark.parametrize(("severity", "expected"), SEVERITY_TABLE, ids=[s.label for s, _ in SEVERITY_TABLE])
def test_severity_mapping(severity: Severity, expected: str) -> None:
    diagnostic = Diagnostic(
        "valohai.yaml",
        Span(3, 12, 3, 22),
        "VIL104",
        "floating-tag",
        severity,
        'image "python:3.9" uses a floating tag',
        image="python:3.9",
    )
    (issue,) = issues(Report([diagnostic]))
    assert issue["severity"] == expected


def test_the_table_covers_every_severity() -> None:
    assert {severity for severity, _ in SEVERITY_TABLE} == set(Severity)


def test_a_severity_set_in_the_config_is_the_issue_severity() -> None:
    config = LintConfig(severity={"VIL104": Severity.INFO})
    (issue,) = issues(report_of(("valohai.yaml", "- step: {name: t, image: python:3.9}\n"), config=config))
    assert issue["severity"] == "info"


def test_paths_are_relative_to_the_root_with_posix_separators(tmp_path: Path) -> None:
    path = os.path.join(str(tmp_path), "sub dir", "valohai.yaml")
    diagnostics = lint_text("- step: {name: t, image: python}\n", path)
    (issue,) = issues(Report(diagnostics, root=str(tmp_path)))
    assert issue["location"]["path"] == "sub dir/valohai.yaml"


def _fingerprints_by_finding(text: str) -> dict[tuple[str, str], tuple[int, str]]:
    return {
        (issue["check_name"], issue["description"]): (
            issue["location"]["lines"]["begin"],
            issue["fingerprint"],
        )
        for issue in issues(report_of(("valohai.yaml", text)))
    }


def test_fingerprints_survive_unrelated_lines_inserted_above() -> None:
    assert_fingerprints_survive_lines_inserted_above(_fingerprints_by_finding)


def test_identical_findings_get_different_fingerprints() -> None:
    text = "- step: {name: a, image: python:3.9}\n- step: {name: b, image: python:3.9}\n"
    found = issues(report_of(("valohai.yaml", text)))
    assert [issue["check_name"] for issue in found] == ["VIL104", "VIL104"]
    assert found[0]["fingerprint"] != found[1]["fingerprint"]


def test_a_message_fingerprint_ignores_line_numbers_in_the_message() -> None:
    # VIL901's message names its line ("... on line 1 ..."); the fingerprint must not.
    text = "- step: {name: a, image: python:3.12.1}  # valohai-image-lint: ignore[VIL103]\n"
    (first,) = issues(report_of(("valohai.yaml", text)))
    (moved,) = issues(report_of(("valohai.yaml", "# a comment\n" + text)))
    assert first["check_name"] == moved["check_name"] == "VIL901"
    assert first["description"] != moved["description"]
    assert first["fingerprint"] == moved["fingerprint"]


def test_occurrences_count_in_file_order_whatever_the_input_order() -> None:
    text = "- step: {name: a, image: python:3.9}\n- step: {name: b, image: python:3.9}\n"
    diagnostics = lint_text(text, "valohai.yaml", FORMAT_RULES)
    in_order = fingerprints(diagnostics)
    assert fingerprints(list(reversed(diagnostics))) == list(reversed(in_order))
    assert in_order == [fingerprint(diagnostics[0], 0), fingerprint(diagnostics[1], 1)]


def test_the_fingerprint_ignores_how_the_path_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    diagnostic = lint_text("- step: {name: a, image: python:3.9}\n", "valohai.yaml", FORMAT_RULES)[0]
    spelled = [
        diagnostic._replace(path=path)
        for path in ("valohai.yaml", "./valohai.yaml", str(tmp_path / "valohai.yaml"))
    ]
    assert len({fingerprint(d, 0) for d in spelled}) == 1
