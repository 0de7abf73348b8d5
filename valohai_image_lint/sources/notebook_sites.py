"""Image sites in Jupyter notebooks (``.ipynb``, nbformat 4): ``valohai.prepare(image=...)`` in
code cells, found as ``python_sites`` finds them in a ``.py`` file, placed in the notebook file.

Code cells are scanned; markdown and raw cells are not, nor notebooks whose kernel language
is not Python. Cells share one namespace, so an import in one cell applies to calls in all.
Positions point into the notebook file itself, not "cell N, line L": each line of a cell is
written by Jupyter as a JSON string on its own line, and a span or error is placed on that
string, the column counting the characters of the JSON text (escapes such as ``\\"`` count
as written). That works for a cell source written as one string too. If the JSON text of a
cell cannot be matched to its source (which does not happen with valid JSON), the cell's
positions fall back to the start of its first line. Contexts and error messages name the
cell: ``cell 3``, counting every cell from 1, markdown included. IPython syntax is skipped:
a line magic, shell escape or help line (``%matplotlib inline``, ``!pip install x``,
``files = !ls``, ``df?``) that Python rejects reads as ``pass``; a cell magic other than
``%%time``, ``%%timeit`` and ``%%capture`` (``%%bash``, ``%%writefile``) makes the cell
not Python, and it is skipped. A notebook that is not valid JSON raises ``SourceSyntaxError``
with the JSON parser's message and position; a syntax error in a cell raises it with the
message prefixed by the cell (``cell 2: invalid syntax``); either way no site of the file is
returned. JSON that is not an nbformat 4 notebook has no sites.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from ..model import ImageSite
from . import SourceSyntaxError
from .lines import LineIndex
from .python_sites import (
    ImportBindings,
    Place,
    in_written_order,
    may_name_valohai,
    parse_python,
    prepare_call_sites,
)

if TYPE_CHECKING:
    import ast

PYTHON_CELL_MAGICS = ("time", "timeit", "capture")
"""Cell magics whose body is Python, run in the notebook's namespace."""

# A JSON string token: in valid JSON, every `"` outside a string starts one.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# A line Python rejects that IPython reads: a line magic, a shell escape, `x = !cmd`, help `obj?`.
_IPYTHON_LINE = re.compile(r"[ \t]*(?:[%!?]|[\w.]+[ \t]*=[ \t]*[%!]|[\w.]+\?{1,2}[ \t]*$)")


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its pairs, in the order written (so strings can be counted in order)."""


class _Cell(NamedTuple):
    number: int  # 1-based, counting every cell
    code: str
    file_offsets: list[int]  # the notebook-file offset of each character of `code`, and of its end


def _count_strings(value: Any) -> int:
    """How many JSON string tokens (keys included) ``value`` was written with."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            count += 1
        elif isinstance(item, _Pairs):
            count += len(item)
            stack.extend(member for _, member in item)
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _json_char_offsets(raw: str) -> list[int]:
    """For each character a JSON string's text (between its quotes) decodes to, where it is written."""
    if "\\" not in raw:
        return list(range(len(raw)))
    offsets: list[int] = []
    index = 0
    while index < len(raw):
        offsets.append(index)
        if raw[index] != "\\":
            index += 1
        elif raw[index + 1] != "u":
            index += 2
        elif (
            0xD800 <= int(raw[index + 2 : index + 6], 16) <= 0xDBFF
            and raw[index + 6 : index + 8] == "\\u"
            and 0xDC00 <= int(raw[index + 8 : index + 12], 16) <= 0xDFFF
        ):
            index += 12  # a surrogate pair decodes to one character
        else:
            index += 6
    return offsets


def _language(metadata: Any) -> str | None:
    if not isinstance(metadata, _Pairs):
        return None
    fields = dict(metadata)
    for key, name in (("kernelspec", "language"), ("language_info", "name")):
        section = fields.get(key)
        if isinstance(section, _Pairs):
            language = dict(section).get(name)
            if isinstance(language, str):
                return language
    return None


def _notebook_cells(notebook: Any, text: str) -> list[_Cell]:
    """The code cells of an nbformat 4 notebook (none unless its language is Python), each with
    where its characters are in the notebook's ``text``."""
    if not isinstance(notebook, _Pairs):
        return []
    consumed = 0  # the string tokens written before the value at hand
    cells: list[tuple[int, dict[str, tuple[int, Any]]]] = []
    metadata: Any = None
    for key, value in notebook:
        consumed += 1
        if key == "cells" and isinstance(value, list) and not isinstance(value, _Pairs):
            cells = []
            for number, cell in enumerate(value, start=1):
                if not isinstance(cell, _Pairs):
                    consumed += _count_strings(cell)
                    continue
                fields: dict[str, tuple[int, Any]] = {}  # key: (its value's first token, value); last wins
                for cell_key, cell_value in cell:
                    consumed += 1
                    fields[cell_key] = (consumed, cell_value)
                    consumed += _count_strings(cell_value)
                cells.append((number, fields))
            continue
        if key == "metadata":
            metadata = value
        consumed += _count_strings(value)
    language = _language(metadata)
    if language is not None and language.lower() != "python":
        return []
    tokens: list[tuple[int, int]] | None = None
    found: list[_Cell] = []
    for number, fields in cells:
        first, source = fields.get("source", (0, None))
        parts = [source] if isinstance(source, str) else source
        if fields.get("cell_type", (0, None))[1] != "code" or not isinstance(parts, list) or not parts:
            continue
        if not all(isinstance(part, str) for part in parts):
            continue
        if tokens is None:
            tokens = [match.span() for match in _JSON_STRING.finditer(text)]
        spans = tokens[first : first + len(parts)]
        offsets: list[int] = []
        for (start, end), part in zip(spans, parts, strict=True):
            chars = _json_char_offsets(text[start + 1 : end - 1])
            if len(chars) != len(part):
                offsets = [spans[0][0] + 1] * len("".join(parts))  # never for valid JSON
                break
            offsets.extend(start + 1 + char for char in chars)
        found.append(_Cell(number, "".join(parts), [*offsets, spans[-1][1] - 1]))
    return found


def _parse_cell(cell: _Cell) -> tuple[ast.Module, LineIndex] | None:
    """The cell's syntax tree and the text parsed (IPython lines read as ``pass``), or None for a
    cell that is not Python; raises ``SourceSyntaxError`` with a position in the cell."""
    lines = [cell.code[start:end] for start, end in _line_spans(cell.code)]
    magic = lines[0].lstrip()
    if magic.startswith("%%"):
        name = magic[2:].split(maxsplit=1)
        if not name or name[0] not in PYTHON_CELL_MAGICS:
            return None
        lines[0] = _as_pass(lines[0])
    while True:
        text = "".join(lines)
        try:
            return parse_python(text), LineIndex(text)
        except SourceSyntaxError as exc:
            index = exc.line - 1
            if not 0 <= index < len(lines) or not _IPYTHON_LINE.match(lines[index].rstrip("\r\n")):
                raise
            lines[index] = _as_pass(lines[index])  # no longer matches: each line is replaced once


def _line_spans(text: str) -> list[tuple[int, int]]:
    starts = LineIndex(text).starts
    return list(zip(starts, [*starts[1:], len(text)], strict=True))


def _as_pass(line: str) -> str:
    """The line as a ``pass`` statement, keeping its indentation and its line break."""
    body = line.rstrip("\r\n")
    return body[: len(body) - len(body.lstrip())] + "pass" + line[len(body) :]


def _cell_place(cell: _Cell, parsed: LineIndex, notebook: LineIndex) -> Place:
    """Where an offset in the cell's parsed text is in the notebook file."""
    original = LineIndex(cell.code)

    def place(offset: int) -> tuple[int, int]:
        line, column = parsed.position(offset)
        return notebook.position(cell.file_offsets[original.offset(line, column)])

    return place


def find_notebook_image_sites(text: str) -> list[ImageSite]:
    """Every image named by ``valohai.prepare(image="...")`` in a notebook's code cells, with
    positions in the notebook file (see the module's docstring); raises ``SourceSyntaxError``
    for a file that is not JSON or a cell that is not Python."""
    import json

    text = text.removeprefix("\ufeff")
    notebook_text = LineIndex(text)
    try:
        notebook = json.loads(text, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as exc:
        line, column = notebook_text.position(exc.pos)
        raise SourceSyntaxError(f"invalid notebook JSON: {exc.msg}", line, column) from None
    except RecursionError:
        raise SourceSyntaxError("invalid notebook JSON: too deeply nested", 1, 1) from None
    except ValueError as exc:  # such as a number too long to convert
        raise SourceSyntaxError(f"invalid notebook JSON: {exc}", 1, 1) from None
    cells = _notebook_cells(notebook, text)
    if not may_name_valohai("".join(cell.code for cell in cells)):
        return []
    parsed_cells: list[tuple[_Cell, ast.Module, LineIndex]] = []
    for cell in cells:
        try:
            parsed = _parse_cell(cell)
        except SourceSyntaxError as exc:
            cell_text = LineIndex(cell.code)
            offset = cell.file_offsets[cell_text.offset(exc.line, exc.column)]
            line, column = notebook_text.position(offset)
            raise SourceSyntaxError(f"cell {cell.number}: {exc.message}", line, column) from None
        if parsed is not None:
            parsed_cells.append((cell, *parsed))
    names = ImportBindings(tree for _, tree, _ in parsed_cells)
    return in_written_order(
        found
        for cell, tree, parsed_text in parsed_cells
        for found in prepare_call_sites(
            tree, parsed_text, names, _cell_place(cell, parsed_text, notebook_text), f" in cell {cell.number}"
        )
    )
