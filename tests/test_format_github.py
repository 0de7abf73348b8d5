"""The github format: one GitHub Actions workflow command per diagnostic, escaped as the toolkit does.

The golden file holds the shipped example; regenerate it with
``VIL_UPDATE_GOLDEN=1 pytest tests/test_format_github.py`` and review the diff.
"""

from __future__ import annotations

import re

import pytest
from format_fixtures import GOLDEN_DIR, ROOT, assert_matches_golden, example_report, render_report

from valohai_image_lint.model import Diagnostic, Severity, Span
from valohai_image_lint.reporters import Report
from valohai_image_lint.reporters.github import REPORTER, escape_data, escape_property, format_command

GOLDEN = GOLDEN_DIR / "example.github.txt"


def render(report: Report) -> str:
    return render_report(REPORTER, report)


ONE_LINE = Span(3, 12, 3, 25)


def diagnostic(
    path: str = "valohai.yaml",
    message: str = "m",
    span: Span = ONE_LINE,
    severity: Severity = Severity.ERROR,
    name: str = "latest-tag",
) -> Diagnostic:
    return Diagnostic(path, span, "VIL103", name, severity, message)


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Read a command back as the runner does (``ActionCommand.TryParseV2``), unescaping values."""
    match = re.fullmatch(r"::(\w+) (.*?)::(.*)", line)
    assert match, line

    def unescape(text: str) -> str:
        for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            text = text.replace(escaped, char)
        return text

    properties = dict(item.split("=", 1) for item in match.group(2).split(","))
    return (
        match.group(1),
        {key: unescape(value) for key, value in properties.items()},
        unescape(match.group(3)),
    )


def test_example_matches_the_golden_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = render(example_report())
    assert_matches_golden(GOLDEN, out)
    lines = out.splitlines()
    assert len(lines) == 7
    assert all(line.startswith("::") for line in lines)


def test_a_command_names_file_range_and_rule() -> None:
    assert format_command(diagnostic(message="image uses latest")) == (
        "::error file=valohai.yaml,line=3,col=12,endLine=3,endColumn=25,title=VIL103 latest-tag::image uses latest"
    )


@pytest.mark.parametrize(
    ("severity", "command"),
    [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice")],
)
def test_the_command_follows_the_severity(severity: Severity, command: str) -> None:
    assert format_command(diagnostic(severity=severity)).startswith(f"::{command} file=")


@pytest.mark.parametrize(
    ("text", "data", "property_value"),
    [
        ("100%", "100%25", "100%25"),
        ("a\rb", "a%0Db", "a%0Db"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("a:b", "a:b", "a%3Ab"),
        ("a,b", "a,b", "a%2Cb"),
        ("%0A", "%250A", "%250A"),  # already looks escaped: the % is escaped first
        ("a::b=c", "a::b=c", "a%3A%3Ab=c"),
        ("plain text", "plain text", "plain text"),
    ],
)
def test_escaping_rules(text: str, data: str, property_value: str) -> None:
    assert escape_data(text) == data
    assert escape_property(text) == property_value


@pytest.mark.parametrize(
    "path",
    [
        "dir,with,commas/valohai.yaml",
        "c:/work/valohai.yaml",
        "100%/valohai.yaml",
        "odd\nname.yaml",
        "a=b/valohai.yaml",
    ],
)
def test_a_path_with_special_characters_survives_the_round_trip(path: str) -> None:
    line = format_command(diagnostic(path=path))
    assert "\n" not in line
    assert parse_command(line)[1]["file"] == path


def test_special_characters_in_message_and_title_are_escaped() -> None:
    d = diagnostic(message='image "a:b,c" 100% wrong\nsecond line\r', name="odd:name,here")
    line = format_command(d)
    assert line.endswith('::image "a:b,c" 100%25 wrong%0Asecond line%0D')
    assert "title=VIL103 odd%3Aname%2Chere::" in line
    command, properties, message = parse_command(line)
    assert command == "error"
    assert properties["title"] == "VIL103 odd:name,here"
    assert message == d.message


def test_a_span_over_several_lines_gives_lines_only() -> None:
    # The runner drops col/endColumn when line and endLine differ (and logs a warning).
    line = format_command(diagnostic(span=Span(3, 12, 5, 4)))
    assert line == "::error file=valohai.yaml,line=3,endLine=5,title=VIL103 latest-tag::m"


def test_every_line_is_a_command() -> None:
    diagnostics = [diagnostic(message="one\ntwo"), diagnostic(path="a\r\nb", severity=Severity.INFO)]
    out = render(Report(diagnostics))
    assert out.count("\n") == 2
    assert all(line.startswith("::") for line in out.split("\n")[:-1])


def test_nothing_is_written_when_clean() -> None:
    assert render(Report([], files=["valohai.yaml"])) == ""
