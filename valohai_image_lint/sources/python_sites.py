"""Image sites in Python sources: ``valohai.prepare(image=...)`` in ``.py`` files.

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
    ``SourceSyntaxError`` with Python's message and position; null bytes, lone surrogates and
    nesting too deep for the parser are reported the same way. A source that never mentions
    ``valohai`` cannot call ``prepare`` and is not parsed at all, so its syntax errors are not
    reported: this linter checks images, a Python linter checks Python.

Notebooks are read by ``notebook_sites``, with the parts here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from ..model import ImageSite, Span, ValueKind
from . import SourceSyntaxError
from .lines import LineIndex

if TYPE_CHECKING:
    import ast

PREPARE = "valohai.prepare"
"""The function whose ``image=`` names an image, by its qualified name."""


# The start of a str literal: an optional prefix, then one or three quotes.
_OPENING = re.compile(r"""[rRuU]?('''|\"\"\"|'|")""")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _ast_offset(lines: LineIndex, line: int, col_offset: int) -> int:
    """The offset of an ``ast`` position: a 1-based line and a 0-based UTF-8 byte offset."""
    text = lines.line_text(line)
    if not text.isascii():
        col_offset = len(text.encode("utf-8")[:col_offset].decode("utf-8"))
    return lines.starts[line - 1] + col_offset


Place = Callable[[int], tuple[int, int]]
"""Maps an offset in the parsed text to a 1-based (line, column) of the file."""


def may_name_valohai(text: str) -> bool:
    """False when no identifier in ``text`` can be ``valohai`` (Python folds identifiers NFKC)."""
    if "valohai" in text:
        return True
    if text.isascii():
        return False
    import unicodedata

    return "valohai" in unicodedata.normalize("NFKC", text)


def parse_python(text: str) -> ast.Module:
    """``ast.parse``, with each way it refuses a text turned into a ``SourceSyntaxError``."""
    import ast

    try:
        return ast.parse(text)
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if exc.lineno is None and "\x00" in text:  # Python 3.12+: "cannot contain null bytes"
            line, column = LineIndex(text).position(text.index("\x00"))
        else:
            line, column = max(exc.lineno or 1, 1), max(exc.offset or 1, 1)
        raise SourceSyntaxError(message, line, column) from None
    except ValueError as exc:  # Python < 3.12 for null bytes; a lone surrogate (UnicodeEncodeError)
        bad = _SURROGATE.search(text) if isinstance(exc, UnicodeEncodeError) else None
        if bad is not None:
            line, column = LineIndex(text).position(bad.start())
            raise SourceSyntaxError("a lone surrogate is not valid UTF-8", line, column) from None
        offset = text.find("\x00")
        line, column = LineIndex(text).position(offset) if offset != -1 else (1, 1)
        raise SourceSyntaxError(str(exc), line, column) from None
    except (RecursionError, MemoryError):  # the parser's stack overflowed, not the machine's memory
        raise SourceSyntaxError("too deeply nested to parse", 1, 1) from None


class ImportBindings:
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


def _image_site(keyword: ast.keyword, parsed: LineIndex, place: Place, context: str) -> ImageSite | None:
    """The site of an ``image=`` keyword whose value is one plain or raw string literal."""
    node = keyword.value
    value = _str_constant(node)
    if not value or node.end_lineno is None or node.end_col_offset is None:
        return None  # not a str, or "" (the default image applies)
    start = _ast_offset(parsed, node.lineno, node.col_offset)
    end = _ast_offset(parsed, node.end_lineno, node.end_col_offset)
    opening = _OPENING.match(parsed.text, start)
    if opening is None:
        return None
    close = _closing_quote(parsed.text, opening.end(), opening.group(1))
    if close + len(opening.group(1)) != end:
        return None  # an implicit concatenation: "a" "b" is one constant, written as two literals
    line, column = place(opening.end())
    end_line, end_column = place(close)
    key_line = place(_ast_offset(parsed, keyword.lineno, keyword.col_offset))[0]
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


def prepare_call_sites(
    tree: ast.Module, parsed: LineIndex, names: ImportBindings, place: Place, where: str = ""
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


def in_written_order(sites: Iterable[ImageSite]) -> list[ImageSite]:
    return sorted(sites, key=lambda site: (site.span.line, site.span.column))


def find_python_image_sites(text: str) -> list[ImageSite]:
    """Every image named by ``valohai.prepare(image="...")`` in a Python source, in the order
    written; raises ``SourceSyntaxError`` where the source is not Python."""
    text = text.removeprefix("\ufeff")
    if not may_name_valohai(text):
        return []
    tree = parse_python(text)
    parsed = LineIndex(text)
    return in_written_order(prepare_call_sites(tree, parsed, ImportBindings([tree]), parsed.position))
