"""``--add-suppressions``: lint, then write a suppression comment for each finding into the files
(``suppression_writer`` says where, ``writing`` writes), so that the next run is clean.

Each file is re-read as bytes before it is written: a file that changed since it was linted is
left alone. The new text is linted again before it is written, and written only when that run
reports none of the findings the comments were for and nothing new (so a second
``--add-suppressions`` adds nothing). Notebooks have no suppression comments: their findings are
counted and left. Prints one line a file changed, and the problems on ``err``; the exit code is 0,
or 2 when a file could not be read or written.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, TextIO

from .command import EXIT_CLEAN, EXIT_ERROR, UsageError
from .command import error as _error
from .escape import shown_path

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from .model import Diagnostic
    from .workspace import RunResult, Workspace


def run_mode(
    args: Any, workspace: Workspace, report: Callable[[RunResult], None], out: TextIO, err: TextIO
) -> int | None:
    """The exit code of ``--fix`` (and its kin), ``--add-suppressions`` or ``--watch``, or None when
    none was given."""
    adding, watching = getattr(args, "add_suppressions", False), getattr(args, "watch", False)
    from .fixing import fixing_requested

    if fixing_requested(args):
        from .fixing import run_fix

        return run_fix(args, workspace, report, out, err)
    if not (adding or watching):
        return None
    if adding and watching:
        raise UsageError("--add-suppressions and --watch contradict each other; choose one")
    if "-" in args.paths:
        raise UsageError(f"--{'add-suppressions' if adding else 'watch'} lints files; not standard input")
    if adding:
        if args.no_suppressions:
            raise UsageError("--add-suppressions needs the suppressions there are; drop --no-suppressions")
        return add_suppressions(workspace, args.paths, out, err)
    from .command import clock_today
    from .watch import watch

    return watch(args, lambda: type(workspace).for_options(args, clock_today()), report, out, err)


def add_suppressions(workspace: Workspace, paths: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Suppress every finding under ``paths`` where it stands; the exit code."""
    from .suppression_writer import can_add

    result = workspace.lint_paths(paths)
    by_path: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in result.diagnostics:
        by_path[diagnostic.path].append(diagnostic)
    problems = list(dict.fromkeys(result.problems))
    total = 0
    for path, found in by_path.items():
        if not any(can_add(d) for d in found):
            continue
        if path.lower().endswith(".ipynb"):
            count = sum(can_add(d) for d in found)
            _error(err, f"{shown_path(path)}: notebooks take no suppression comments; {count} findings left")
            continue
        added, problem = _add_to_file(workspace, path, result.sources[path], found, err)
        if problem is not None:
            problems.append(problem)
        if added:
            total += added
            out.write(f"Added {added} suppression{'s' if added != 1 else ''} to {shown_path(path)}.\n")
    if not total:
        out.write("No suppressions added.\n")
    workspace.save()
    for problem in problems:
        _error(err, problem)
    return EXIT_ERROR if problems else EXIT_CLEAN


def _add_to_file(
    workspace: Workspace, path: str, text: str, found: Sequence[Diagnostic], err: TextIO
) -> tuple[int, str | None]:
    """How many codes were added to the file, and the problem that stopped it (None)."""
    from .edits import apply_edits
    from .reading import PathError, is_python_source, read_config
    from .suppression_writer import can_add, suppression_edits
    from .writing import WriteError, replace_text

    planned = suppression_edits(text, found, python=is_python_source(path))
    shown = shown_path(path)
    if not planned.edits:
        return 0, f"{shown}: found no place for a suppression comment; nothing written"
    new_text = apply_edits(text, planned.edits)
    relinted = workspace.lint_source(path, new_text)
    kept = {(d.code, d.message) for d in found}
    left = [d for d in relinted if can_add(d)]
    if len(left) != len(planned.unplaced) or any((d.code, d.message) not in kept for d in relinted):
        return 0, f"{shown}: the suppression comments would change what the file says; nothing written"
    try:
        current = read_config(path, len(text.encode("utf-8")) * 2 + 4096)
    except PathError as exc:
        return 0, str(exc)
    if current != text:
        return 0, f"{shown}: the file changed while it was linted; nothing written"
    try:
        replace_text(path, new_text.encode("utf-8"))
    except WriteError as exc:
        return 0, str(exc)
    if planned.unplaced:
        count = len(planned.unplaced)
        _error(err, f"{shown}: {count} findings are on lines that cannot take a comment; left as they are")
    return planned.added, None
