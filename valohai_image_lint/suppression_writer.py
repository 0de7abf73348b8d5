"""``--add-suppressions``: the edits that suppress each finding of a file where it stands, so that a
team can adopt the linter on a repository with findings today and work the list down.

``suppression_edits`` is a pure function of a file's text and its diagnostics (those left after the
file's suppressions). For each line with findings it either adds the codes to the brackets of a
suppression comment that already applies to that line, or writes
``# valohai-image-lint: ignore[VIL103, VIL301] reason: TODO``:

- at the end of the finding's line, after two spaces (the key's line, ``image:``, counts for a value
  that starts further down, as suppressions honour it);
- where the end of that line cannot take a comment (it lies inside a quoted scalar, a block
  scalar or a Python string), on a line of its own above the ``image:`` key (or the finding's
  line), with that line's indentation: a comment alone on its line applies to the next line.

Each placement is checked by reading the new text's comments back (``sources.comments``): a
line whose comment would not apply to it is tried as a comment line above, and one that still
would not is left out (``Planned.unplaced``). The edits are ``model.Edit`` values of the original
text (``edits.apply_edits``), so every other byte stays: line breaks, a BOM, indentation, a
missing last line break.

Not suppressed this way: VIL0xx (the file's syntax and structure; fix those) and VIL9xx
(suppression comments and internal errors). Notebooks have no suppression comments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from .edits import BOM, apply_edits
from .model import Diagnostic, Edit, Span
from .sources.comments import Suppression, parse_python_suppressions, parse_suppressions
from .sources.lines import LINE_BREAK, split_lines

MARKER = "# valohai-image-lint: ignore"
REASON = "reason: TODO"
_SPACE = " \t"


def can_add(diagnostic: Diagnostic) -> bool:
    """Whether ``--add-suppressions`` suppresses this finding (not VIL0xx nor VIL9xx)."""
    return not diagnostic.code.startswith(("VIL0", "VIL9"))


def comment(codes: Iterable[str]) -> str:
    """The comment written for ``codes``: ``# valohai-image-lint: ignore[VIL103] reason: TODO``."""
    return f"{MARKER}[{', '.join(codes)}] {REASON}"


class _Group(NamedTuple):
    line: int  # where the findings are
    key_line: int | None  # the image key's line, when the value starts further down
    codes: tuple[str, ...]


class Planned(NamedTuple):
    """The edits for one file, the number of codes they add, and the findings left unsuppressed
    because no comment could be placed for them."""

    edits: tuple[Edit, ...]
    added: int
    unplaced: tuple[Diagnostic, ...]


def suppression_edits(text: str, diagnostics: Sequence[Diagnostic], python: bool = False) -> Planned:
    """The edits that suppress every ``can_add`` diagnostic of ``text`` (a YAML file's, or a Python
    source's when ``python``)."""
    parse: Callable[[str], list[Suppression]] = parse_python_suppressions if python else parse_suppressions
    chosen = [d for d in diagnostics if can_add(d)]
    by_line: dict[tuple[int, int | None], dict[str, None]] = {}
    for diagnostic in chosen:
        key_line = diagnostic.key_line if diagnostic.key_line != diagnostic.span.line else None
        by_line.setdefault((diagnostic.span.line, key_line), {})[diagnostic.code] = None
    groups = [_Group(line, key, tuple(sorted(codes))) for (line, key), codes in sorted(by_line.items())]
    existing = parse(text)
    stages = [0] * len(groups)  # 0: the end of the finding's line, 1: of the key's, 2: a line above
    failed: set[int] = set()
    while True:
        edits = _edits(text, groups, existing, stages)
        failed = _not_applied(parse(apply_edits(text, edits)), groups, edits)
        movable = [index for index in failed if stages[index] < _LAST]
        if not movable:
            break
        for index in movable:
            stages[index] += 1 if stages[index] or groups[index].key_line else 2
    placed = [(group, stages[index]) for index, group in enumerate(groups) if index not in failed]
    if failed:  # leave those out, and keep what did apply
        edits = _edits(text, [group for group, _ in placed], existing, [stage for _, stage in placed])
    codes = {(group.line, code) for group, _ in placed for code in group.codes}
    unplaced = tuple(d for d in chosen if (d.span.line, d.code) not in codes)
    return Planned(tuple(edits), len(codes), unplaced)


_LAST = 2


def _edits(
    text: str, groups: Sequence[_Group], existing: Sequence[Suppression], stages: Sequence[int]
) -> list[Edit]:
    body = text.removeprefix(BOM)
    lines = split_lines(body)
    breaks = [match.group() for match in LINE_BREAK.finditer(body)]
    merged: dict[int, list[str]] = {}  # index in ``existing`` -> codes added to its brackets
    edits: list[Edit] = []
    for index, group in enumerate(groups):
        targets = {group.line, group.key_line}
        holder = next(
            (
                position
                for position, suppression in enumerate(existing)
                if suppression.target_line in targets and suppression.codes and not suppression.file_level
            ),
            None,
        )
        if holder is not None and _closing_bracket(lines, existing[holder]) is not None:
            merged.setdefault(holder, []).extend(group.codes)
        elif stages[index] == _LAST:
            above = group.key_line or group.line
            line = lines[above - 1]
            indent = line[: len(line) - len(line.lstrip(_SPACE))]
            end = breaks[above - 1] if above - 1 < len(breaks) else (breaks[0] if breaks else "\n")
            edits.append(Edit(Span(above, 1, above, 1), f"{indent}{comment(group.codes)}{end}"))
        else:
            at = group.key_line if stages[index] == 1 and group.key_line else group.line
            line = lines[at - 1]
            column = len(line.rstrip(_SPACE)) + 1
            edits.append(Edit(Span(at, column, at, column), f"  {comment(group.codes)}"))
    for holder, codes in merged.items():
        suppression = existing[holder]
        close = _closing_bracket(lines, suppression)
        assert close is not None
        number = suppression.span.line
        before = lines[number - 1][: close - 1].rstrip(_SPACE)
        separator = ", " if not before.endswith(("[", ",")) else ""
        new = [code for code in dict.fromkeys(codes) if code not in suppression.codes]
        edits.append(Edit(Span(number, close, number, close), separator + ", ".join(new)))
    return edits


def _closing_bracket(lines: Sequence[str], suppression: Suppression) -> int | None:
    """The 1-based column of the ``]`` that closes the suppression's list of codes."""
    line = lines[suppression.span.line - 1]
    start = line.find("[", suppression.span.column - 1)
    if start == -1:
        return None
    close = line.find("]", start)
    return close + 1 if close != -1 else None


def _not_applied(found: Sequence[Suppression], groups: Sequence[_Group], edits: Sequence[Edit]) -> set[int]:
    """The groups whose codes no suppression of the new text (``found``) applies to."""
    inserted = sorted(edit.span.line for edit in edits if edit.replacement.endswith(("\n", "\r")))

    def moved(line: int) -> int:  # a line of the old text in the new one
        return line + sum(1 for at in inserted if at <= line)

    held: set[tuple[int, str]] = set()
    for suppression in found:
        if suppression.target_line is not None and not suppression.file_level:
            held.update((suppression.target_line, code) for code in suppression.codes)
    failed = set()
    for index, group in enumerate(groups):
        lines = {moved(group.line)} | ({moved(group.key_line)} if group.key_line else set())
        if not all(any((line, code) in held for line in lines) for code in group.codes):
            failed.add(index)
    return failed
