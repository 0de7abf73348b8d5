"""The JUnit XML reporter: the golden file, counts, passing files and escaping.

Regenerate the golden file after an intended change with
``VIL_UPDATE_GOLDEN=1 pytest tests/test_format_junit.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from format_fixtures import (
    CLEAN,
    EXAMPLE,
    FORMAT_RULES,
    GOLDEN_DIR,
    ROOT,
    assert_matches_golden,
    example_report,
    render_report,
    report_of,
)

from valohai_image_lint import Severity, Span, lint_text
from valohai_image_lint.model import Diagnostic
from valohai_image_lint.reporters import Report
from valohai_image_lint.reporters.junit import REPORTER

GOLDEN = GOLDEN_DIR / "example.junit.xml"


def junit_text(report: Report) -> str:
    return render_report(REPORTER, report)


def junit(report: Report) -> ET.Element:
    return ET.fromstring(junit_text(report).encode("utf-8"))


def suite_of(root: ET.Element) -> ET.Element:
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.tag == "testsuite"
    return suite


def test_example_output_matches_the_golden_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert_matches_golden(GOLDEN, junit_text(example_report(with_clean=True)))


def test_the_golden_file_parses() -> None:
    root = ET.parse(GOLDEN).getroot()
    assert len(suite_of(root).findall("testcase")) == 2


def test_one_suite_one_case_per_file_one_failure_per_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    report = example_report(with_clean=True)
    root = junit(report)
    suite = suite_of(root)
    expected = {"name": "valohai-image-lint", "tests": "2", "failures": "1", "errors": "0", "skipped": "0"}
    assert suite.attrib == expected
    assert {key: root.attrib[key] for key in ("tests", "failures", "errors")} == {
        "tests": "2",
        "failures": "1",
        "errors": "0",
    }
    failing, passing = suite.findall("testcase")
    assert failing.attrib == {"classname": "valohai-image-lint", "name": EXAMPLE, "file": EXAMPLE}
    failures = failing.findall("failure")
    assert len(failures) == len(report.diagnostics) == 7
    for failure, diagnostic in zip(failures, report.diagnostics, strict=True):
        span = diagnostic.span
        line = f"{EXAMPLE}:{span.line}:{span.column}: {diagnostic.code} {diagnostic.message}"
        assert failure.attrib == {"type": diagnostic.code, "message": line}
        assert failure.text == line
    assert passing.attrib == {"classname": "valohai-image-lint", "name": CLEAN[0], "file": CLEAN[0]}
    assert list(passing) == [] and not (passing.text or "").strip()


def test_the_failure_text_is_the_concise_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same report in the concise format gives, line by line, the failures' text."""
    from valohai_image_lint.reporters import get_reporter

    monkeypatch.chdir(ROOT)
    report = example_report(with_clean=True)
    concise = render_report(get_reporter("concise"), report).splitlines()
    assert len(concise) == 7
    assert [failure.text for failure in junit(report).iter("failure")] == concise


def test_only_clean_files_is_all_passing() -> None:
    suite = suite_of(junit(report_of(CLEAN, ("b/valohai.yaml", CLEAN[1]))))
    assert (suite.attrib["tests"], suite.attrib["failures"]) == ("2", "0")
    assert [case.attrib["name"] for case in suite] == [CLEAN[0], "b/valohai.yaml"]
    assert all(len(case) == 0 for case in suite)


def test_no_files_is_an_empty_suite() -> None:
    suite = suite_of(junit(Report([])))
    assert (suite.attrib["tests"], suite.attrib["failures"], len(suite)) == ("0", "0", 0)


def test_a_finding_in_a_file_not_listed_still_gets_a_test_case() -> None:
    diagnostics = lint_text("- step: {name: a, image: python:3.9}\n", "valohai.yaml", FORMAT_RULES)
    suite = suite_of(junit(Report(diagnostics)))
    (case,) = suite
    assert (case.attrib["name"], len(case), suite.attrib["failures"]) == ("valohai.yaml", 1, "1")


def test_counts_with_several_failing_files() -> None:
    floating = "- step: {name: a, image: python:3.9}\n- step: {name: b, image: python:3.8}\n"
    suite = suite_of(junit(report_of(("a.yaml", floating), CLEAN, ("c.yaml", floating))))
    assert (suite.attrib["tests"], suite.attrib["failures"]) == ("3", "2")
    assert [len(case) for case in suite] == [2, 0, 2]


def test_special_characters_are_escaped() -> None:
    message = 'image "a<b>&c" isn\'t valid; use \'x\' & "y" <here>'
    path = 'dir & "co"/<valohai>.yaml'
    diagnostic = Diagnostic(path, Span(2, 3, 2, 9), "VIL101", "invalid-reference", Severity.ERROR, message)
    text = junit_text(Report([diagnostic], [path], root="."))
    assert "&lt;" in text and "&amp;" in text and "&quot;" in text
    assert message not in text  # never written raw
    (case,) = suite_of(ET.fromstring(text))
    assert case.attrib["name"] == case.attrib["file"] == path
    (failure,) = case
    line = f"{path}:2:3: VIL101 {message}"
    assert failure.attrib["message"] == failure.text == line


def test_characters_xml_cannot_hold_are_written_as_escapes() -> None:
    diagnostic = Diagnostic(
        "valohai.yaml",
        Span(1, 1, 1, 2),
        "VIL101",
        "invalid-reference",
        Severity.ERROR,
        "bad \x00\x1b\ufffe byte",
    )
    (case,) = suite_of(junit(Report([diagnostic], ["valohai.yaml"])))
    (failure,) = case
    assert failure.attrib["message"].endswith("VIL101 bad \\x00\\x1b\\ufffe byte")


def test_paths_are_relative_to_the_root_with_posix_separators(tmp_path: Path) -> None:
    path = os.path.join(str(tmp_path), "sub dir", "valohai.yaml")
    diagnostics = lint_text("- step: {name: t, image: python}\n", path)
    (case,) = suite_of(junit(Report(diagnostics, [path], root=str(tmp_path))))
    assert case.attrib["name"] == "sub dir/valohai.yaml"
    (failure,) = case
    assert failure.attrib["message"].startswith("sub dir/valohai.yaml:1:26: VIL102 ")


def test_the_output_declares_utf8_and_keeps_non_ascii_text() -> None:
    text = "- step: {name: träin, image: python:3.9}\n"
    out = junit_text(report_of(("tëst/valohai.yaml", text)))
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    (case,) = suite_of(ET.fromstring(out.encode("utf-8")))
    assert case.attrib["name"] == "tëst/valohai.yaml"
