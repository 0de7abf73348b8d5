"""Image sites in Python sources: ``valohai.prepare(image=...)`` in ``.py`` files and notebooks.

valohai-utils generates a step from a script's call to ``valohai.prepare(step=..., image=...)``;
the image named there is an image site like one in ``valohai.yaml``. This module finds those
calls with ``ast`` (the code is never run) and turns text into values: it reads no files.

What counts as a call to ``prepare``
    ``valohai.prepare(...)``, ``prepare(...)`` after ``from valohai import prepare``, and aliases
    of either (``import valohai as vh; vh.prepare(...)``, ``from valohai import prepare as p;
    p(...)``), also ``prepare(...)`` after ``from valohai import *`` (valohai's ``__all__`` exports
    ``prepare``). The name ``valohai`` means the module unless the file imports something else
    under that name (valohai-utils' own generator matches ``valohai.prepare`` without looking
    for the import). Imports are collected from the whole file, in any scope, and a name may be
    bound to more than one thing: a call matches if any import binds its name to valohai's
    ``prepare``. ``from other import prepare`` does not match; neither does ``p = valohai.prepare``
    (assignments are not followed), nor ``__import__``/``importlib``.

What is a site
    ``image=`` given as one plain (``"..."``, ``u"..."``) or raw (``r"..."``) string literal, in
    any quotes. An empty string is no site: valohai-utils then uses its default image
    (``image or DEFAULT_DOCKER_IMAGE``), as it does for no ``image=`` or ``image=None``; nothing is
    reported there. A blank one (only whitespace) is an ``EMPTY`` site, anything else a
    ``STRING`` site. Any other value (a name, a call, an f-string, an implicit concatenation
    ``"a" "b"``, bytes, ``**kwargs``) is skipped silently: we cannot know what it names. A call
    that repeats ``image=`` (which Python rejects only when compiling) gives a site for each.

Positions
    1-based lines and character columns of the file, as everywhere in the linter: the span starts
    at the first character of the string's content (after any prefix and the one or three opening
    quotes, also for a triple-quoted string spread over lines) and ends, exclusively, at the
    closing quote. A byte-order mark is not part of line 1. ``key_line`` is the line of the
    ``image`` keyword when the string starts further down.

Syntax errors
    A source that ``ast.parse`` (the running Python's grammar) rejects raises
    ``PythonSyntaxError`` with Python's message and position; null bytes, lone surrogates and
    nesting too deep for the parser are reported the same way. A source that never mentions
    ``valohai`` cannot call ``prepare`` and is not parsed at all, so its syntax errors are not
    reported: this linter checks images, a Python linter checks Python.

Notebooks (``.ipynb``, nbformat 4)
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
    not Python, and it is skipped. A notebook that is not valid JSON raises ``PythonSyntaxError``
    with the JSON parser's message and position; a syntax error in a cell raises it with the
    message prefixed by the cell (``cell 2: invalid syntax``); either way no site of the file is
    returned. JSON that is not an nbformat 4 notebook has no sites.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from .model import ImageSite, Span, ValueKind

if TYPE_CHECKING:
    import ast

PREPARE = "valohai.prepare"
"""The function whose ``image=`` names an image, by its qualified name."""

PYTHON_CELL_MAGICS = ("time", "timeit", "capture")
"""Cell magics whose body is Python, run in the notebook's namespace."""


class PythonSyntaxError(Exception):
    """A Python source (or notebook) that cannot be parsed: the message and its 1-based position."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column


# Lines as Python, editors and the rest of the linter count them.
_LINE_BREAK = re.compile(r"\r\n|[\r\n]")
# The start of a str literal: an optional prefix, then one or three quotes.
_OPENING = re.compile(r"""[rRuU]?('''|\"\"\"|'|")""")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Text:
    """A text and where its lines start: character offsets to and from 1-based positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of a position, brought onto the text: a line past the end is the last line,
        a column past the end of its line is the end of the line."""
        line = min(max(line, 1), len(self.starts))
        column = min(max(column, 1), len(self.line_text(line)) + 1)
        return self.starts[line - 1] + column - 1

    def ast_offset(self, line: int, col_offset: int) -> int:
        """The offset of an ``ast`` position: a 1-based line and a 0-based UTF-8 byte offset."""
        text = self.line_text(line)
        if not text.isascii():
            col_offset = len(text.encode("utf-8")[:col_offset].decode("utf-8"))
        return self.starts[line - 1] + col_offset


# Maps an offset in the parsed text to a (line, column) of the file.
_Place = Callable[[int], tuple[int, int]]


def _may_name_valohai(text: str) -> bool:
    """False when no identifier in ``text`` can be ``valohai`` (Python folds identifiers NFKC)."""
    if "valohai" in text:
        return True
    if text.isascii():
        return False
    import unicodedata

    return "valohai" in unicodedata.normalize("NFKC", text)


def _parse(text: str) -> ast.Module:
    """``ast.parse``, with each way it refuses a text turned into a ``PythonSyntaxError``."""
    import ast

    try:
        return ast.parse(text)
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if exc.lineno is None and "\x00" in text:  # Python 3.12+: "cannot contain null bytes"
            line, column = _Text(text).position(text.index("\x00"))
        else:
            line, column = max(exc.lineno or 1, 1), max(exc.offset or 1, 1)
        raise PythonSyntaxError(message, line, column) from None
    except ValueError as exc:  # Python < 3.12 for null bytes; a lone surrogate (UnicodeEncodeError)
        bad = _SURROGATE.search(text) if isinstance(exc, UnicodeEncodeError) else None
        if bad is not None:
            line, column = _Text(text).position(bad.start())
            raise PythonSyntaxError("a lone surrogate is not valid UTF-8", line, column) from None
        offset = text.find("\x00")
        line, column = _Text(text).position(offset) if offset != -1 else (1, 1)
        raise PythonSyntaxError(str(exc), line, column) from None
    except (RecursionError, MemoryError):  # the parser's stack overflowed, not the machine's memory
        raise PythonSyntaxError("too deeply nested to parse", 1, 1) from None


class _Names:
    """What the imports of a module (or of all a notebook's cells) bind each name to."""

    def __init__(self, trees: Iterable[ast.Module]) -> None:
        import ast

        self.bound: dict[str, set[str]] = {}
        self.star: set[str] = set()  # modules imported with `*`
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.asname:
                            self._bind(alias.asname, alias.name)
                        else:  # `import valohai.inputs` binds `valohai`
                            top = alias.name.partition(".")[0]
                            self._bind(top, top)
                elif isinstance(node, ast.ImportFrom):
                    module = "." * node.level + (node.module or "")
                    for alias in node.names:
                        if alias.name == "*":
                            self.star.add(module)
                        else:
                            self._bind(alias.asname or alias.name, f"{module}.{alias.name}")

    def _bind(self, name: str, qualified: str) -> None:
        self.bound.setdefault(name, set()).add(qualified)

    def is_prepare(self, func: ast.expr) -> bool:
        import ast

        attributes: list[str] = []
        while isinstance(func, ast.Attribute):
            attributes.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            return False
        name = func.id
        candidates = set(self.bound.get(name, ()))
        if name == "valohai" and name not in self.bound:
            candidates.add("valohai")
        candidates.update(f"{module}.{name}" for module in self.star)
        rest = "".join(f".{attribute}" for attribute in reversed(attributes))
        return any(candidate + rest == PREPARE for candidate in candidates)


def _str_constant(node: ast.expr) -> str | None:
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _context(call: ast.Call, step: str | None, where: str) -> str:
    if step is not None:
        return f'valohai.prepare(step="{step}"){where}'
    has_step = any(keyword.arg == "step" for keyword in call.keywords)
    return f"valohai.prepare(step=...){where}" if has_step else f"valohai.prepare(){where}"


def _image_site(keyword: ast.keyword, parsed: _Text, place: _Place, context: str) -> ImageSite | None:
    """The site of an ``image=`` keyword whose value is one plain or raw string literal."""
    node = keyword.value
    value = _str_constant(node)
    if not value or node.end_lineno is None or node.end_col_offset is None:
        return None  # not a str, or "" (the default image applies)
    start = parsed.ast_offset(node.lineno, node.col_offset)
    end = parsed.ast_offset(node.end_lineno, node.end_col_offset)
    opening = _OPENING.match(parsed.text, start)
    if opening is None:
        return None
    close = _closing_quote(parsed.text, opening.end(), opening.group(1))
    if close + len(opening.group(1)) != end:
        return None  # an implicit concatenation: "a" "b" is one constant, written as two literals
    line, column = place(opening.end())
    end_line, end_column = place(close)
    key_line = place(parsed.ast_offset(keyword.lineno, keyword.col_offset))[0]
    return ImageSite(
        ValueKind.STRING if value.strip() else ValueKind.EMPTY,
        Span(line, column, end_line, end_column),
        (context,),
        value=value,
        quoted=True,
        required=False,
        key_line=key_line if key_line != line else None,
    )


def _closing_quote(text: str, index: int, quote: str) -> int:
    """The offset of the quote that ends a literal whose content starts at ``index``. A
    backslash takes the next character with it, in raw strings too (``r"\\""`` is one literal)."""
    end = len(text)
    while index < end:
        if text[index] == "\\":
            index += 2
        elif text.startswith(quote, index):
            return index
        else:
            index += 1
    return -1


def _prepare_sites(
    tree: ast.Module, parsed: _Text, names: _Names, place: _Place, where: str = ""
) -> Iterator[ImageSite]:
    import ast

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not names.is_prepare(node.func):
            continue
        step = next((_str_constant(k.value) for k in reversed(node.keywords) if k.arg == "step"), None)
        context = _context(node, step, where)
        for keyword in node.keywords:
            if keyword.arg == "image":
                site = _image_site(keyword, parsed, place, context)
                if site is not None:
                    yield site._replace(step=step)


def _in_order(sites: Iterable[ImageSite]) -> list[ImageSite]:
    return sorted(sites, key=lambda site: (site.span.line, site.span.column))


def find_python_image_sites(text: str) -> list[ImageSite]:
    """Every image named by ``valohai.prepare(image="...")`` in a Python source, in the order
    written; raises ``PythonSyntaxError`` where the source is not Python."""
    text = text.removeprefix("\ufeff")
    if not _may_name_valohai(text):
        return []
    tree = _parse(text)
    parsed = _Text(text)
    return _in_order(_prepare_sites(tree, parsed, _Names([tree]), parsed.position))


# -- notebooks ---------------------------------------------------------------------------------

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


def _parse_cell(cell: _Cell) -> tuple[ast.Module, _Text] | None:
    """The cell's syntax tree and the text parsed (IPython lines read as ``pass``), or None for a
    cell that is not Python; raises ``PythonSyntaxError`` with a position in the cell."""
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
            return _parse(text), _Text(text)
        except PythonSyntaxError as exc:
            index = exc.line - 1
            if not 0 <= index < len(lines) or not _IPYTHON_LINE.match(lines[index].rstrip("\r\n")):
                raise
            lines[index] = _as_pass(lines[index])  # no longer matches: each line is replaced once


def _line_spans(text: str) -> list[tuple[int, int]]:
    starts = _Text(text).starts
    return list(zip(starts, [*starts[1:], len(text)], strict=True))


def _as_pass(line: str) -> str:
    """The line as a ``pass`` statement, keeping its indentation and its line break."""
    body = line.rstrip("\r\n")
    return body[: len(body) - len(body.lstrip())] + "pass" + line[len(body) :]


def _cell_place(cell: _Cell, parsed: _Text, notebook: _Text) -> _Place:
    """Where an offset in the cell's parsed text is in the notebook file."""
    original = _Text(cell.code)

    def place(offset: int) -> tuple[int, int]:
        line, column = parsed.position(offset)
        return notebook.position(cell.file_offsets[original.offset(line, column)])

    return place


def find_notebook_image_sites(text: str) -> list[ImageSite]:
    """Every image named by ``valohai.prepare(image="...")`` in a notebook's code cells, with
    positions in the notebook file (see the module's docstring); raises ``PythonSyntaxError``
    for a file that is not JSON or a cell that is not Python."""
    import json

    text = text.removeprefix("\ufeff")
    notebook_text = _Text(text)
    try:
        notebook = json.loads(text, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as exc:
        line, column = notebook_text.position(exc.pos)
        raise PythonSyntaxError(f"invalid notebook JSON: {exc.msg}", line, column) from None
    except RecursionError:
        raise PythonSyntaxError("invalid notebook JSON: too deeply nested", 1, 1) from None
    except ValueError as exc:  # such as a number too long to convert
        raise PythonSyntaxError(f"invalid notebook JSON: {exc}", 1, 1) from None
    cells = _notebook_cells(notebook, text)
    if not _may_name_valohai("".join(cell.code for cell in cells)):
        return []
    parsed_cells: list[tuple[_Cell, ast.Module, _Text]] = []
    for cell in cells:
        try:
            parsed = _parse_cell(cell)
        except PythonSyntaxError as exc:
            cell_text = _Text(cell.code)
            offset = cell.file_offsets[cell_text.offset(exc.line, exc.column)]
            line, column = notebook_text.position(offset)
            raise PythonSyntaxError(f"cell {cell.number}: {exc.message}", line, column) from None
        if parsed is not None:
            parsed_cells.append((cell, *parsed))
    names = _Names(tree for _, tree, _ in parsed_cells)
    return _in_order(
        found
        for cell, tree, parsed_text in parsed_cells
        for found in _prepare_sites(
            tree, parsed_text, names, _cell_place(cell, parsed_text, notebook_text), f" in cell {cell.number}"
        )
    )
