"""Suppression comments: ``# valohai-image-lint: ignore[VIL103] reason`` and ``ignore-file[...]``.

Parsing and applying them are pure functions: ``parse_suppressions`` reads the comments out of
a file's text, ``apply_suppressions`` drops the diagnostics they suppress and says which
comments suppressed nothing (``SuppressionOutcome``), which the rules VIL901
(unused-suppression) and VIL902 (blanket-suppression) turn into findings.

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
``document.load``); lines are split as ``document.split_lines`` splits them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import NamedTuple

from .document import split_lines
from .model import Diagnostic, Span
from .rule import Rule
from .rules import blanket_suppression, unused_suppression


class Suppression(NamedTuple):
    """One suppression comment.

    ``span`` covers the comment from its marker's ``#`` to the end of the comment text (trailing
    whitespace excluded). ``codes`` are as written, in order (empty for a blanket suppression).
    ``target_line`` is the line a line suppression applies to: ``None`` for ``ignore-file``, and
    for a comment alone on its line with no content after it. ``reason`` is the text after
    ``]`` (or after the keyword when there is no bracketed list), stripped.
    """

    span: Span
    codes: tuple[str, ...]
    file_level: bool
    target_line: int | None
    reason: str


Resolve = Callable[[str], str | None]

_MARKER = re.compile(r"#[ \t]*valohai-image-lint[ \t]*:[ \t]*(?P<keyword>ignore-file|ignore)(?![\w-])")
_HEADER_INDICATOR = re.compile(r"[|>][-+1-9]*")  # |, >-, |2+ ...
_INDICATORS = frozenset(":-?[{,")
_SPACE = " \t"


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
    reason = line[rest:]
    if line.startswith("[", rest):
        close = line.find("]", rest)
        if close != -1:
            written = (code.strip(_SPACE) for code in re.split(r"[,\s]+", line[rest + 1 : close]))
            codes = tuple(code for code in written if code)
            reason = line[close + 1 :]
    end_column = len(line.rstrip(_SPACE)) + 1
    return Suppression(
        span=Span(number, match.start() + 1, number, end_column),
        codes=codes,
        file_level=file_level,
        target_line=None if file_level else target,
        reason=reason.strip(_SPACE),
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


def rule_resolver(rules: Iterable[Rule]) -> Resolve:
    """A ``resolve`` for ``apply_suppressions``: a rule code (any case) or name -> its code."""
    by_code: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for rule in rules:
        by_code[rule.code.upper()] = rule.code
        by_name[rule.name.lower()] = rule.code

    def resolve(written: str) -> str | None:
        return by_code.get(written.upper()) or by_name.get(written.lower())

    return resolve


class UnusedCode(NamedTuple):
    """One code of a suppression comment that suppressed nothing (or names no rule): the
    comment's span, the code as written, the rule code it names (None: none), and whether the
    comment is ``ignore-file``."""

    span: Span
    written: str
    code: str | None
    file_level: bool


class BlanketComment(NamedTuple):
    """A suppression comment that names no codes: its span, whether it is ``ignore-file``, and
    the codes reported on the line it targets (in the file, for ``ignore-file``), to suggest."""

    span: Span
    file_level: bool
    codes: tuple[str, ...]


class SuppressionOutcome(NamedTuple):
    """What a file's suppression comments did: the diagnostics they left, and the comments (or
    codes in them) to report, in the order of the comments."""

    kept: list[Diagnostic]
    unused: list[UnusedCode]
    blanket: list[BlanketComment]


_FILE = 0  # the target of ``ignore-file`` in a key; lines count from 1
_META = frozenset({unused_suppression.RULE.code, blanket_suppression.RULE.code})
Key = tuple[int, str]  # (target line or _FILE, rule code)


def apply_suppressions(
    diagnostics: Sequence[Diagnostic],
    suppressions: Sequence[Suppression],
    resolve: Resolve,
    enabled: Collection[str] | None = None,
) -> SuppressionOutcome:
    """The diagnostics kept, and the comments VIL901 and VIL902 report.

    A diagnostic is suppressed when a line suppression targets ``diagnostic.span.line`` (or
    ``diagnostic.key_line``, the line of its ``image:`` key when the value starts on a later line)
    and lists its code (or rule name), or an ``ignore-file`` lists it. A code of a rule that is not
    in ``enabled`` (when given) is never reported unused: the comment is right where the rule runs.
    Every suppression that lists it counts as used. What is reported is in the order of the
    comments (and, within a comment, of its codes):

    - VIL901, one per code: a code ``resolve`` does not know, or a known code whose entry
      suppressed nothing (a rule that is not enabled suppresses nothing either);
    - VIL902, one per suppression without codes; its message names the codes reported on the
      target line (or in the file, for ``ignore-file``).

    VIL901 and VIL902 reports are themselves suppressible, by an ``ignore-file[VIL901]`` or by a
    line suppression that targets the comment's line, but never by the suppression they report
    on. A VIL901 or VIL902 entry that suppressed nothing is reported and cannot be suppressed:
    that stops the regress.

    Linear in the diagnostics, suppressions and codes: only dict lookups and counters.
    """
    resolved: list[list[tuple[str, str | None]]] = []
    targets: list[int | None] = []
    held: list[frozenset[Key]] = []
    holders: Counter[Key] = Counter()  # how many suppressions list each key
    for suppression in suppressions:
        target = _FILE if suppression.file_level else suppression.target_line
        entries = [(written, resolve(written)) for written in suppression.codes]
        keys = (
            frozenset((target, code) for _, code in entries if code is not None)
            if target is not None
            else frozenset()
        )
        holders.update(keys)
        resolved.append(entries)
        targets.append(target)
        held.append(keys)

    hits: Counter[Key] = Counter()  # how many diagnostics or findings each key suppressed
    excluded: Counter[tuple[Key, int]] = Counter()  # hits a suppression may not count: its own
    codes_on_line: dict[int, set[str]] = {}
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        codes_on_line.setdefault(diagnostic.span.line, set()).add(diagnostic.code)
        suppressed = False
        lines = {diagnostic.span.line, diagnostic.key_line or diagnostic.span.line}
        for key in (*((line, diagnostic.code) for line in lines), (_FILE, diagnostic.code)):
            if holders[key]:
                hits[key] += 1
                suppressed = True
        if not suppressed:
            kept.append(diagnostic)
    codes_in_file = set().union(*codes_on_line.values()) if codes_on_line else set()

    def not_running(code: str) -> bool:
        return enabled is not None and code not in enabled

    def used(index: int, code: str) -> bool:
        target = targets[index]
        if target is None:
            return False
        key = (target, code)
        return hits[key] - excluded[(key, index)] > 0

    def suppressed_by_another(index: int, code: str) -> bool:
        """Whether a suppression other than ``index`` suppresses a finding on its comment."""
        suppressed = False
        for key in ((suppressions[index].span.line, code), (_FILE, code)):
            if holders[key] - int(key in held[index]) > 0:
                hits[key] += 1
                excluded[(key, index)] += 1
                suppressed = True
        return suppressed

    unused_code = unused_suppression.RULE.code
    blanket_code = blanket_suppression.RULE.code
    blanket: list[BlanketComment] = []
    first_pass: dict[tuple[int, int], UnusedCode] = {}
    for index, suppression in enumerate(suppressions):
        if not suppression.codes:
            target = targets[index]
            if suppression.file_level:
                shown = codes_in_file
            else:
                shown = codes_on_line.get(target, set()) if target is not None else set()
            if not suppressed_by_another(index, blanket_code):
                codes = tuple(sorted(shown - _META))
                blanket.append(BlanketComment(suppression.span, suppression.file_level, codes))
        for position, (written, code) in enumerate(resolved[index]):
            if code in _META or (code is not None and (used(index, code) or not_running(code))):
                continue
            if not suppressed_by_another(index, unused_code):
                entry = UnusedCode(suppression.span, written, code, suppression.file_level)
                first_pass[(index, position)] = entry

    unused: list[UnusedCode] = []
    for index, suppression in enumerate(suppressions):
        for position, (written, code) in enumerate(resolved[index]):
            if code in _META:
                if code is not None and not used(index, code):
                    unused.append(UnusedCode(suppression.span, written, code, suppression.file_level))
            elif (index, position) in first_pass:
                unused.append(first_pass[(index, position)])
    return SuppressionOutcome(kept, unused, blanket)


__all__ = [
    "BlanketComment",
    "Suppression",
    "SuppressionOutcome",
    "UnusedCode",
    "apply_suppressions",
    "parse_suppressions",
    "rule_resolver",
]
