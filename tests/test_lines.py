"""``LineIndex`` and ``split_lines``: the one way the readers count lines and columns."""

from __future__ import annotations

import pytest

from valohai_image_lint.model import Span
from valohai_image_lint.sources.lines import LineIndex, split_lines

# (id, text, [lines as split_lines gives them])
TEXTS = [
    ("lf", "a: 1\nbb: 2\n", ["a: 1", "bb: 2", ""]),
    ("crlf", "a: 1\r\nbb: 2", ["a: 1", "bb: 2"]),
    ("cr", "a\rb\r\rc", ["a", "b", "", "c"]),
    ("cr-crlf", "a\r\r\nb", ["a", "", "b"]),
    ("nel-ls-ps-are-not-breaks", "a\x85b\u2028c\u2029d\ne", ["a\x85b\u2028c\u2029d", "e"]),
    ("empty", "", [""]),
]


@pytest.mark.parametrize(("text", "lines"), [case[1:] for case in TEXTS], ids=[case[0] for case in TEXTS])
def test_every_offset_maps_to_its_line_and_back(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines
    index = LineIndex(text)
    assert [index.line_text(number) for number in range(1, len(lines) + 1)] == lines
    for offset, character in enumerate(text):
        line, column = index.position(offset)
        if character not in "\r\n":
            assert lines[line - 1][column - 1] == character
        assert index.offset(line, column) == offset or character in "\r\n"


def test_a_position_off_the_text_is_brought_onto_it() -> None:
    index = LineIndex("ab\ncd\n")
    assert index.offset(2, 99) == 5  # the end of line 2
    assert index.offset(99, 1) == 6  # the last line, which is empty
    assert index.offset(0, 0) == 0


def test_a_span_never_ends_before_it_starts() -> None:
    index = LineIndex("ab\ncd")
    assert index.span(1, 4) == Span(1, 2, 2, 2)
    assert index.span(4, 1) == Span(2, 2, 2, 2)
