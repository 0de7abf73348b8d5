"""The concise line, then the source line with the image span underlined, the rule, and any fix.

::

    examples/valohai.yaml:10:12: VIL103 image "tensorflow/tensorflow:latest-gpu" uses a moving ...
       |
    10 |     image: tensorflow/tensorflow:latest-gpu
       |            ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
       |
       = rule: latest-tag
       = help: Write the full name "..." (safe fix)

The underline starts with ``^`` at the span's column and runs ``~`` up to its end column
(exclusive); a span that goes on to later lines is underlined to the end of its first line.

The source line is shown as a terminal would show it, so that the underline lines up:

- a tab moves to the next tab stop, every ``TAB_SIZE`` (4) cells, and is shown as spaces;
- a wide character (East Asian wide or fullwidth) takes two cells, a combining mark or a
  zero-width format character none;
- control characters are shown as visible symbols (``␛`` for ESC, ``�`` for C1 controls, line
  and paragraph separators and bidirectional overrides), so a file cannot move the cursor,
  recolour the terminal or reorder the line on screen.

The first line is the concise line, its path and message escaped as there (``escape.shown_path``,
``escape.one_line``), in colour too; so is the fix's title.

Without the file's text (not in ``Report.sources``, or the line is not in it) a diagnostic is
the concise line and the rule line. Colour (``Report.color``) makes ``path:line:col`` bold, the
code red, yellow or blue by severity and the underline red; without it there are no ANSI codes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import TextIO

from ..escape import one_line, shown_path
from ..model import Applicability, Diagnostic, Severity, Span
from ..sources.lines import split_lines
from . import Report
from .concise import format_line

TAB_SIZE = 4

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_UNDERLINE_COLOR = "\x1b[1;31m"
_SEVERITY_COLOR = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.INFO: "\x1b[1;34m",
}
# Characters that would reorder the line on screen (Unicode bidirectional controls).
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_REPLACEMENT = "\ufffd"


def _cell(char: str, at: int) -> tuple[str, int]:
    """How ``char`` is shown when it starts at display cell ``at``: its text and its width."""
    if char == "\t":
        width = TAB_SIZE - at % TAB_SIZE
        return " " * width, width
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code), 1  # a control picture: ␀ ... ␟
    if code == 0x7F:
        return "\u2421", 1  # ␡
    if 0x80 <= code < 0xA0 or char in "\u2028\u2029" or char in _BIDI_CONTROLS:
        return _REPLACEMENT, 1
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):  # combining marks, zero-width joiners
        return char, 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return char, 2
    return char, 1


def render_line(line: str) -> tuple[str, list[int]]:
    """The line as shown, and the display cell where each character starts (one entry more than
    the line has characters: the last is the shown width)."""
    shown: list[str] = []
    starts = [0]
    for char in line:
        text, width = _cell(char, starts[-1])
        shown.append(text)
        starts.append(starts[-1] + width)
    return "".join(shown), starts


def underline(line: str, span: Span) -> tuple[str, str]:
    """``line`` (the text of ``span.line``) as shown, and the underline (``^~~~``) from the span's
    column up to its end column (exclusive), or to the end of the line when the span ends on a
    later line. An empty span, or one past the end of the line, gets a single ``^``."""
    shown, starts = render_line(line)
    first = min(max(span.column, 1), len(line) + 1) - 1
    if span.end_line > span.line:
        last = len(line)
    else:
        last = min(max(span.end_column, span.column), len(line) + 1) - 1
    start = starts[first]
    width = max(starts[max(last, first)] - start, 1)
    return shown, " " * start + "^" + "~" * (width - 1)


class FullReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        lines_by_path: dict[str, list[str]] = {}
        for index, diagnostic in enumerate(report.diagnostics):
            if index:
                stream.write("\n")
            source = report.sources.get(diagnostic.path)
            lines = None
            if source is not None:
                lines = lines_by_path.get(diagnostic.path)
                if lines is None:
                    # Positions count from after a byte order mark (``document.load`` drops it).
                    lines = lines_by_path[diagnostic.path] = split_lines(source.removeprefix("\ufeff"))
            for text in _diagnostic_lines(diagnostic, lines, report.color):
                stream.write(text + "\n")


def _diagnostic_lines(diagnostic: Diagnostic, lines: list[str] | None, color: bool) -> Iterator[str]:
    span = diagnostic.span
    yield _header(diagnostic, color)
    gutter = " " * len(str(span.line))
    if lines is not None and 1 <= span.line <= len(lines):
        shown, marks = underline(lines[span.line - 1], span)
        if color:
            marks = marks.replace("^", _UNDERLINE_COLOR + "^", 1) + _RESET
        yield f"{gutter} |"
        yield f"{span.line} | {shown}".rstrip()
        yield f"{gutter} | {marks}"
        yield f"{gutter} |"
    yield f"{gutter} = rule: {diagnostic.name}"
    if diagnostic.fix is not None:
        safety = "safe" if diagnostic.fix.applicability is Applicability.SAFE else "unsafe"
        yield f"{gutter} = help: {one_line(diagnostic.fix.title)} ({safety} fix)"


def _header(diagnostic: Diagnostic, color: bool) -> str:
    if not color:
        return format_line(diagnostic)
    span = diagnostic.span
    code = f"{_SEVERITY_COLOR[diagnostic.severity]}{diagnostic.code}{_RESET}"
    where = f"{shown_path(diagnostic.path)}:{span.line}:{span.column}:"
    return f"{_BOLD}{where}{_RESET} {code} {one_line(diagnostic.message)}"


REPORTER = FullReporter()
