"""The line-oriented text formats: json-lines, pylint, grouped and editor.

Golden files hold the shipped example; regenerate them with
``VIL_UPDATE_GOLDEN=1 pytest tests/test_format_text.py`` and review the diff.
"""

from __future__ import annotations

import json

import pytest
from format_fixtures import GOLDEN_DIR, ROOT, assert_matches_golden, example_report, render_report

from valohai_image_lint.model import Diagnostic, Severity, Span
from valohai_image_lint.reporters import Report, Reporter, editor, grouped, json_lines, pylint
from valohai_image_lint.reporters.json import as_dict

REPORTERS: dict[str, Reporter] = {
    "json-lines": json_lines.REPORTER,
    "pylint": pylint.REPORTER,
    "grouped": grouped.REPORTER,
    "editor": editor.REPORTER,
}


def diagnostic(path: str, line: int, column: int, code: str = "VIL103", message: str = "m") -> Diagnostic:
    return Diagnostic(path, Span(line, column, line, column + 1), code, "latest-tag", Severity.ERROR, message)


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_example_matches_the_golden_file(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert_matches_golden(
        GOLDEN_DIR / f"example.{name}.txt", render_report(REPORTERS[name], example_report())
    )


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_nothing_is_written_when_clean(name: str) -> None:
    assert (
        render_report(
            REPORTERS[name], Report([], files=["valohai.yaml"], sources={"valohai.yaml": "- step: {}\n"})
        )
        == ""
    )


# json-lines


def test_json_lines_has_one_object_per_diagnostic_with_the_json_fields(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    report = example_report()
    lines = render_report(json_lines.REPORTER, report).splitlines()
    assert [json.loads(line) for line in lines] == [as_dict(d) for d in report.diagnostics]


def test_json_lines_escapes_characters_that_some_readers_end_a_line_at() -> None:
    message = "a\x85b\u2028c\u2029d \u955c\u50cf"
    out = render_report(json_lines.REPORTER, Report([diagnostic("valohai.yaml", 1, 1, message=message)]))
    assert out.splitlines() == [out.rstrip("\n")]
    assert "\\u0085" in out and "\\u2028" in out and "\\u2029" in out and "\u955c\u50cf" in out
    assert json.loads(out)["message"] == message


# pylint


def test_pylint_is_path_line_code_message() -> None:
    out = render_report(
        pylint.REPORTER, Report([diagnostic("a/valohai.yaml", 12, 7, "VIL104", 'image "python:3.9" floats')])
    )
    assert out == 'a/valohai.yaml:12: [VIL104] image "python:3.9" floats\n'


# editor


def test_editor_is_the_concise_line_with_the_severity_word() -> None:
    found = [
        diagnostic("a/valohai.yaml", 12, 7, "VIL104", 'image "python:3.9" floats'),
        diagnostic("b.yaml", 1, 2)._replace(severity=Severity.INFO),
        diagnostic("c.yaml", 3, 4)._replace(severity=Severity.WARNING),
    ]
    out = render_report(editor.REPORTER, Report(found))
    assert out.splitlines() == [
        'a/valohai.yaml:12:7: error: VIL104 image "python:3.9" floats',
        "b.yaml:1:2: info: VIL103 m",
        "c.yaml:3:4: warning: VIL103 m",
    ]


# grouped


def test_grouped_lists_each_file_once_with_aligned_positions() -> None:
    diagnostics = [
        diagnostic("a.yaml", 5, 12, "VIL102", "first"),
        diagnostic("a.yaml", 123, 3, "VIL002", "second"),
        diagnostic("b/valohai.yaml", 1, 1, "VIL001", "third"),
        diagnostic("a.yaml", 200, 1, "VIL103", "late"),  # the order given is kept within a file
    ]
    assert render_report(grouped.REPORTER, Report(diagnostics)) == (
        "a.yaml\n"
        "    5:12  VIL102  first\n"
        "  123:3   VIL002  second\n"
        "  200:1   VIL103  late\n"
        "\n"
        "b/valohai.yaml\n"
        "  1:1  VIL001  third\n"
    )


def test_grouped_leaves_out_clean_files() -> None:
    report = Report([diagnostic("b.yaml", 2, 3)], files=["a.yaml", "b.yaml", "c.yaml"])
    assert render_report(grouped.REPORTER, report) == "b.yaml\n  2:3  VIL103  m\n"
