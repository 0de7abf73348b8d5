"""Lines as editors, grep, git and Python count them: ``\\r\\n``, ``\\r`` and ``\\n`` end a line;
NEL, LS and PS do not. Every position the linter reports is a 1-based line and column of these."""

from __future__ import annotations

import bisect
import re

from ..model import Span

LINE_BREAK = re.compile(r"\r\n|[\r\n]")
"""One line break: ``\\r\\n``, ``\\r`` or ``\\n``."""


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, without their line breaks: the lines positions refer to."""
    return LINE_BREAK.split(text)


class LineIndex:
    """A text and where its lines start: character offsets to and from 1-based positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in LINE_BREAK.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        """The span of the characters from offset ``start`` up to ``end`` (never before ``start``)."""
        line, column = self.position(start)
        end_line, end_column = self.position(max(end, start))
        return Span(line, column, end_line, end_column)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def offset(self, line: int, column: int) -> int:
        """The offset of a position, brought onto the text: a line past the end is the last line,
        a column past the end of its line is the end of the line."""
        line = min(max(line, 1), len(self.starts))
        column = min(max(column, 1), len(self.line_text(line)) + 1)
        return self.starts[line - 1] + column - 1
