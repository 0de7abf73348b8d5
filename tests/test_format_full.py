"""The full format: the concise line, the source line with the span underlined, the rule, the fix.

Golden files (plain and coloured) hold the shipped example; regenerate them with
``VIL_UPDATE_GOLDEN=1 pytest tests/test_format_full.py`` and review the diff.
"""

from __future__ import annotations

import pytest
from format_fixtures import GOLDEN_DIR, ROOT, assert_matches_golden, example_report, render_report

from valohai_image_lint.model import Applicability, Diagnostic, Edit, Fix, Severity, Span
from valohai_image_lint.reporters import Report
from valohai_image_lint.reporters.concise import format_line
from valohai_image_lint.reporters.full import REPORTER, render_line, underline


def render(report: Report) -> str:
    return render_report(REPORTER, report)


def diagnostic(
    span: Span, path: str = "valohai.yaml", fix: Fix | None = None, severity: Severity = Severity.ERROR
) -> Diagnostic:
    return Diagnostic(
        path, span, "VIL103", "latest-tag", severity, 'image "python:latest" uses a moving tag', fix=fix
    )


@pytest.mark.parametrize(
    ("color", "golden_name"), [(False, "example.full.txt"), (True, "example.full-color.txt")]
)
def test_example_matches_the_golden_file(
    color: bool, golden_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert_matches_golden(GOLDEN_DIR / golden_name, render(example_report(color=color)))


def test_without_color_there_are_no_ansi_codes_and_each_finding_starts_with_its_concise_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    report = example_report(color=False)
    out = render(report)
    assert "\x1b" not in out
    blocks = out.split("\n\n")
    assert len(blocks) == len(report.diagnostics)
    assert [block.splitlines()[0] for block in blocks] == [format_line(d) for d in report.diagnostics]


def test_color_marks_location_code_by_severity_and_underline(monkeypatch: pytest.MonkeyPatch) -> None:
    source = "image: a\nimage: b\nimage: c\n"
    report = Report(
        [
            diagnostic(Span(1, 8, 1, 9), severity=Severity.ERROR),
            diagnostic(Span(2, 8, 2, 9), severity=Severity.WARNING),
            diagnostic(Span(3, 8, 3, 9), severity=Severity.INFO),
        ],
        sources={"valohai.yaml": source},
        color=True,
    )
    headers = [block.splitlines()[0] for block in render(report).split("\n\n")]
    assert headers[0].startswith("\x1b[1mvalohai.yaml:1:8:\x1b[0m \x1b[1;31mVIL103\x1b[0m ")
    assert "\x1b[1;33mVIL103\x1b[0m" in headers[1]
    assert "\x1b[1;34mVIL103\x1b[0m" in headers[2]
    assert "       \x1b[1;31m^\x1b[0m" in render(report)


def test_the_underline_covers_exactly_the_span() -> None:
    source = "- step:\n    image: python:latest  # comment\n"
    out = render(Report([diagnostic(Span(2, 12, 2, 25))], sources={"valohai.yaml": source}))
    assert out == (
        'valohai.yaml:2:12: VIL103 image "python:latest" uses a moving tag\n'
        "  |\n"
        "2 |     image: python:latest  # comment\n"
        "  |            ^~~~~~~~~~~~~\n"
        "  |\n"
        "  = rule: latest-tag\n"
    )


def test_a_span_over_several_lines_is_underlined_to_the_end_of_its_first_line() -> None:
    source = "image: >-\n  python:\n  latest\n"
    out = render(Report([diagnostic(Span(2, 3, 3, 9))], sources={"valohai.yaml": source}))
    assert out.splitlines()[2:4] == ["2 |   python:", "  |   ^~~~~~~"]


def test_without_the_source_only_the_concise_line_and_the_rule_are_written() -> None:
    d = diagnostic(Span(12, 3, 12, 9))
    assert render(Report([d])) == format_line(d) + "\n   = rule: latest-tag\n"
    # A line the text does not have (a stale source) is treated the same.
    assert (
        render(Report([d], sources={"valohai.yaml": "a: 1\n"}))
        == format_line(d) + "\n   = rule: latest-tag\n"
    )


def test_a_tab_is_expanded_to_the_next_stop_of_four_and_the_underline_follows() -> None:
    # "a\t" puts "image:" at cell 4, the tabs after it stop at 12 and 16; the span is "python".
    source = "a\timage:\t\tpython # x\n"
    out = render(Report([diagnostic(Span(1, 11, 1, 17))], sources={"valohai.yaml": source}))
    source_line, marks = out.splitlines()[2:4]
    assert "\t" not in out
    assert source_line == "1 | a   image:      python # x"
    assert marks == "  | " + " " * 16 + "^~~~~~"
    assert marks.index("^") == source_line.index("python")


@pytest.mark.parametrize(
    ("line", "span", "shown", "marks"),
    [
        (
            "x: \u955c\u50cf python",
            Span(1, 7, 1, 13),
            "x: \u955c\u50cf python",
            "        ^~~~~~",
        ),  # wide: 2 cells each
        (
            "x: e\u0301 python",
            Span(1, 7, 1, 13),
            "x: e\u0301 python",
            "     ^~~~~~",
        ),  # a combining accent: 0 cells
        ("x: \x1b[31m y", Span(1, 4, 1, 9), "x: \u241b[31m y", "   ^~~~~"),  # ESC shown as ␛, not sent
        ("x: \u202eab y", Span(1, 4, 1, 7), "x: \ufffdab y", "   ^~~"),  # a bidi override is not applied
        ("x: \x85\u2028 y", Span(1, 4, 1, 6), "x: \ufffd\ufffd y", "   ^~"),
        ("image:", Span(1, 7, 1, 7), "image:", "      ^"),  # an empty span at the end of the line
        ("image:", Span(1, 30, 1, 31), "image:", "      ^"),  # past the end of the line
        ("", Span(1, 1, 1, 2), "", "^"),
    ],
)
def test_the_line_is_shown_as_a_terminal_shows_it(line: str, span: Span, shown: str, marks: str) -> None:
    assert underline(line, span) == (shown, marks)


def test_render_line_gives_each_characters_cell() -> None:
    assert render_line("\tab\u955c") == ("    ab\u955c", [0, 4, 5, 6, 8])


def test_crlf_and_a_byte_order_mark_do_not_shift_the_positions() -> None:
    source = "\ufeff- step:\r\n    image: python:latest\r\n"
    out = render(Report([diagnostic(Span(2, 12, 2, 25))], sources={"valohai.yaml": source}))
    assert out.splitlines()[2:4] == ["2 |     image: python:latest", "  |            ^~~~~~~~~~~~~"]
    first = render(Report([diagnostic(Span(1, 3, 1, 7))], sources={"valohai.yaml": source}))
    assert first.splitlines()[2:4] == ["1 | - step:", "  |   ^~~~"]


@pytest.mark.parametrize(
    ("applicability", "label"), [(Applicability.SAFE, "safe"), (Applicability.UNSAFE, "unsafe")]
)
def test_a_fix_is_named_with_its_safety(applicability: Applicability, label: str) -> None:
    fix = Fix(
        'Write the full name "docker.io/library/python:latest"',
        (Edit(Span(1, 8, 1, 14), "x"),),
        applicability,
    )
    out = render(
        Report([diagnostic(Span(1, 8, 1, 14), fix=fix)], sources={"valohai.yaml": "image: python\n"})
    )
    assert out.splitlines()[-2:] == [
        "  = rule: latest-tag",
        f'  = help: Write the full name "docker.io/library/python:latest" ({label} fix)',
    ]


def test_a_blank_line_separates_findings_and_none_trails() -> None:
    source = "image: a\nimage: b\n"
    out = render(
        Report([diagnostic(Span(1, 8, 1, 9)), diagnostic(Span(2, 8, 2, 9))], sources={"valohai.yaml": source})
    )
    assert out.count("\n\n") == 1
    assert not out.endswith("\n\n")


@pytest.mark.parametrize("color", [False, True])
def test_nothing_is_written_when_clean(color: bool) -> None:
    assert render(Report([], files=["valohai.yaml"], sources={}, color=color)) == ""
