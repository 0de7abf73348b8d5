"""Suppression comments: ``# valohai-image-lint: ignore[VIL103] reason`` and ``ignore-file[...]``.

``parse_suppressions`` reads the comments out of a YAML file's text, ``parse_python_suppressions``
out of a Python source's; both are pure functions. ``suppressions.apply_suppressions`` applies
what they find.

Grammar, after a YAML comment's ``#`` (or after any later ``#`` inside that comment, so that
``# note  # valohai-image-lint: ignore[VIL103]`` works)::

    # valohai-image-lint: ignore[CODE, ...] reason text
    # valohai-image-lint: ignore-file[CODE, ...] reason text

The marker ``valohai-image-lint:`` and the keywords are case-sensitive; spaces and tabs around
``:``, ``[``, ``,`` and ``]`` are tolerated. A CODE is a rule code (``VIL103``) or name
(``latest-tag``), kept as written; the engine's ``resolve`` decides what it means. A keyword
without a bracketed list (``ignore``, ``ignore[]``, ``ignore: VIL103``, an unclosed ``[``) is a
blanket suppression: it suppresses nothing and is reported as VIL902. Other words after the
marker (``disable``...) are not suppressions at all.

Where a suppression applies: a comment after YAML content applies to its own line; a comment
alone on its line applies to the next line that is neither blank nor only a comment (``None``
when no such line follows); ``ignore-file`` applies to the whole file wherever it is.

What counts as a comment is decided by a per-line scan, not by the YAML parser (so that
suppressions are found even in a file the parser rejects):

- ``#`` at the start of a line or after a space or tab, outside quoted scalars, starts a comment;
  ``a#b`` does not.
- A quote opens a quoted scalar only where a scalar can start: at the start of the line, or
  after whitespace or ``[ { ,`` that follows an indicator (``:``, ``-``, ``?``, ``[``, ``{``,
  ``,``) or a property (``&anchor``, ``!tag``). So ``it's`` in a plain scalar is not a quote.
  ``''`` inside single quotes and backslash escapes inside double quotes are understood.
- Lines inside a block scalar (``key: |``, ``- >-``) are content, never comments: after a header
  line ending in ``|`` or ``>``, every line more indented than the header line (counting its
  leading spaces), or blank, is skipped.

Known limits: quote state does not carry over line ends, so a continuation line of a
multi-line quoted scalar is scanned as if it were a new line (``#`` after a space there is taken
for a comment); a plain multi-line scalar whose continuation line starts with a quote is taken
for a quoted scalar up to the end of that line; JSON-style ``"a":"b"`` (no space after ``:``)
is not seen as quoted after the colon. Each of these needs the marker text inside a string to
matter.

A UTF-8 BOM at the start of the text is ignored (columns count from after it, as in
``yaml_document.load``); lines are split as ``lines.split_lines`` splits them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from ..model import Span
from .lines import split_lines


class Suppression(NamedTuple):
    """One suppression comment.

    ``span`` covers the comment from its marker's ``#`` to the end of the comment text (trailing
    whitespace excluded). ``codes`` are as written, in order (empty for a blanket suppression).
    ``target_line`` is the line a line suppression applies to: ``None`` for ``ignore-file``, and
    for a comment alone on its line with no content after it. ``reason`` is the text after
    ``]`` (or after the keyword when there is no bracketed list), stripped. ``unbracketed`` are
    the codes a blanket suppression writes without brackets (``ignore VIL103``, ``ignore:
    VIL103, VIL104``, ``ignore[VIL103`` unclosed), so that VIL902 can say what is wrong.
    """

    span: Span
    codes: tuple[str, ...]
    file_level: bool
    target_line: int | None
    reason: str
    unbracketed: tuple[str, ...] = ()


_MARKER = re.compile(r"#[ \t]*valohai-image-lint[ \t]*:[ \t]*(?P<keyword>ignore-file|ignore)(?![\w-])")
_HEADER_INDICATOR = re.compile(r"[|>][-+1-9]*")  # |, >-, |2+ ...
_INDICATORS = frozenset(":-?[{,")
_SPACE = " \t"
_UNBRACKETED = re.compile(r"[:\[ \t]*(?P<codes>[A-Z]{2,}[0-9]+(?:[ \t]*,?[ \t]*[A-Z]{2,}[0-9]+)*)(?![\w-])")
"""Rule codes written after the keyword without a closed bracketed list: ``: VIL103, VIL104``."""


def _comment_start(line: str) -> int | None:
    """The index of the ``#`` that starts the line's YAML comment, if it has one."""
    quote = ""
    previous = ""  # the last non-blank character outside quotes
    token_first = ""  # the first character of the last blank-separated token outside quotes
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if quote == "'":
            if ch == "'":
                if line.startswith("''", i):
                    i += 2
                    continue
                quote, previous = "", ch
        elif quote == '"':
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                quote, previous = "", ch
        elif ch == "#" and (i == 0 or line[i - 1] in _SPACE):
            return i
        elif ch not in _SPACE:
            after_blank = i == 0 or line[i - 1] in _SPACE
            if (
                ch in "'\""
                and (after_blank or line[i - 1] in "[{,")
                and (previous == "" or previous in _INDICATORS or token_first in ("&", "!"))
            ):
                quote = ch
            if after_blank:
                token_first = ch
            previous = ch
        i += 1
    return None


def _is_block_header(content: str) -> bool:
    """Whether a line's content (comment removed) ends in a block scalar header: ``key: |``,
    ``- >-``, ``key: !!str |2``, ``--- |``."""
    tokens = content.split()
    if not tokens or not _HEADER_INDICATOR.fullmatch(tokens[-1]):
        return False
    before = len(tokens) - 2
    while before >= 0 and tokens[before][0] in "!&":  # a tag or an anchor
        before -= 1
    return before < 0 or tokens[before].endswith(":") or tokens[before] in ("-", "?", "---")


def _directive(line: str, comment: int, number: int, target: int | None) -> Suppression | None:
    match = _MARKER.search(line, comment)
    if match is None:
        return None
    file_level = match.group("keyword") == "ignore-file"
    rest = match.end()
    while rest < len(line) and line[rest] in _SPACE:
        rest += 1
    codes: tuple[str, ...] = ()
    unbracketed: tuple[str, ...] = ()
    reason = line[rest:]
    close = line.find("]", rest) if line.startswith("[", rest) else -1
    if close != -1:
        written = (code.strip(_SPACE) for code in re.split(r"[,\s]+", line[rest + 1 : close]))
        codes = tuple(code for code in written if code)
        reason = line[close + 1 :]
    elif (loose := _UNBRACKETED.match(line, rest)) is not None:
        unbracketed = tuple(re.findall(r"[A-Z]{2,}[0-9]+", loose.group("codes")))
    end_column = len(line.rstrip(_SPACE)) + 1
    return Suppression(
        span=Span(number, match.start() + 1, number, end_column),
        codes=codes,
        file_level=file_level,
        target_line=None if file_level else target,
        reason=reason.strip(_SPACE),
        unbracketed=unbracketed,
    )


def parse_suppressions(text: str) -> list[Suppression]:
    """Every suppression comment in ``text``, in the order they are written."""
    found: list[Suppression] = []
    pending: list[tuple[int, str, int]] = []  # own-line comments waiting for their line
    block_indent: int | None = None  # the header's indentation while inside a block scalar

    def settle(target: int | None) -> None:
        for comment, line, number in pending:
            suppression = _directive(line, comment, number, target)
            if suppression is not None:
                found.append(suppression)
        pending.clear()

    for number, line in enumerate(split_lines(text.removeprefix("\ufeff")), start=1):
        first = len(line) - len(line.lstrip(_SPACE))
        if first == len(line):
            continue  # blank, also inside a block scalar
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if indent > block_indent:
                settle(number)  # block scalar content: a line of content, never a comment
                continue
            block_indent = None
        comment = _comment_start(line)
        if comment == first:
            pending.append((comment, line, number))
            continue
        settle(number)
        content = line if comment is None else line[:comment]
        if comment is not None:
            suppression = _directive(line, comment, number, number)
            if suppression is not None:
                found.append(suppression)
        if _is_block_header(content):
            block_indent = indent
    settle(None)
    return found


def parse_python_suppressions(text: str) -> list[Suppression]:
    """Every suppression comment of a Python source, in the order written. Comments are what
    Python's tokenizer says they are (a ``#`` in a string is not one); a comment after code
    applies to its line, one alone on its line to the next line holding code. A source the
    tokenizer rejects has none (the syntax error is reported instead)."""
    import io
    import tokenize

    text = text.removeprefix("\ufeff")
    lines = split_lines(text)
    found: list[Suppression] = []
    pending: list[tuple[int, str, int]] = []
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if token.type == tokenize.COMMENT:
                number, column = token.start
                line = lines[number - 1] if number <= len(lines) else token.string
                if line[:column].strip(_SPACE):
                    found.extend(_directives([(column, line, number)], number))
                else:
                    pending.append((column, line, number))
            elif token.type not in skip and pending:
                target = None if token.type == tokenize.ENDMARKER else token.start[0]
                found.extend(_directives(pending, target))
                pending.clear()
    except (tokenize.TokenError, SyntaxError):
        return []
    found.extend(_directives(pending, None))
    return sorted(found, key=lambda suppression: suppression.span)


def _directives(comments: list[tuple[int, str, int]], target: int | None) -> Iterator[Suppression]:
    for column, line, number in comments:
        suppression = _directive(line, column, number, target)
        if suppression is not None:
            yield suppression
