"""``--fix``, ``--unsafe-fixes``, ``--diff`` and ``--fix-only``: apply the fixes the rules offer.

A fix is a list of edits of the original text at exact spans (``model.Fix``); applying it never
re-dumps the YAML, so every byte outside the edited spans stays as it was. Per file:

1. the fixes that may apply are chosen: safe ones, and unsafe ones with ``--unsafe-fixes``, of the
   rules ``fixable`` selects and ``unfixable`` does not (config keys, as ruff has them);
2. the fixes whose edits overlap none chosen before them (in the order of the text) are applied
   at once; an identical fix offered twice (an image used through an anchor) is applied once;
3. the new text is linted again, and 1-2 repeat on it, up to ``MAX_ROUNDS`` times, until nothing
   more applies;
4. the text is refused, and the file left as it was, when linting it reports a problem the
   original did not have that says the file no longer reads (a syntax error, a missing or
   non-string image, a bug of ours); else it is written (``writing.replace_text``: a temporary file
   renamed over the old one, mode kept, a symlink's target rewritten), unless the file changed
   since it was read.

``--diff`` prints the unified diff ``--fix`` would make and writes nothing (exit 1 when there is
something to fix). With standard input (``-``), the fixed text goes to standard output and
nothing else does (an editor's format-on-save). Otherwise the report is what remains after the
fixes, followed on stderr by ``Fixed N problems (M remaining).``; ``--fix-only`` prints only
that line.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple, TextIO

from .command import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, STDIN_NAME, UsageError
from .command import error as _error
from .escape import shown_path

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from .config.settings import LintConfig
    from .model import Diagnostic, Fix
    from .workspace import RunResult, Workspace

Range = tuple[tuple[int, int], tuple[int, int]]  # an edit's start and end, (line, column) each

MAX_ROUNDS = 10
"""How many times a file is fixed and linted again, at most."""

BREAKING_CODES = frozenset(
    {"VIL001", "VIL002", "VIL003", "VIL004", "VIL005", "VIL006", "VIL007", "VIL101", "VIL999"}
)
"""Codes that, newly reported after fixing, mean the fixed text no longer reads as the original
did: it is not written."""


class FixPolicy(NamedTuple):
    """Which fixes apply: unsafe ones too (``--unsafe-fixes``)."""

    unsafe: bool = False


class FixedText(NamedTuple):
    """What fixing one text gave: the new text, how many problems the fixes removed, the
    diagnostics that remain, and the problem that stopped it (None: none)."""

    text: str
    fixed: int
    remaining: list[Diagnostic]
    problem: str | None = None


def fixing_requested(args: Any) -> bool:
    return any(getattr(args, name, False) for name in ("fix", "diff", "fix_only", "unsafe_fixes"))


def check_fix_usage(args: Any) -> None:
    """``UsageError`` for flags that make no sense together."""
    if getattr(args, "unsafe_fixes", False) and not any(
        getattr(args, name, False) for name in ("fix", "diff", "fix_only")
    ):
        raise UsageError("--unsafe-fixes goes with --fix, --fix-only or --diff")
    if getattr(args, "diff", False) and "-" in args.paths:
        raise UsageError("--diff compares files; with standard input, --fix prints the fixed text")
    if getattr(args, "add_suppressions", False) or getattr(args, "watch", False):
        raise UsageError("--fix does not go with --add-suppressions or --watch; run them one after the other")


def can_fix(diagnostic: Diagnostic, config: LintConfig, policy: FixPolicy) -> bool:
    """Whether ``diagnostic``'s fix applies under ``config``'s ``fixable``/``unfixable`` and ``policy``."""
    from .model import Applicability

    fix = diagnostic.fix
    if fix is None or (fix.applicability is not Applicability.SAFE and not policy.unsafe):
        return False
    return diagnostic.code in _fixable_codes(config.fixable, config.unfixable)


@lru_cache(maxsize=64)
def _fixable_codes(fixable: tuple[str, ...] | None, unfixable: tuple[str, ...]) -> frozenset[str]:
    from .rules import ALL_RULES
    from .selection import resolve

    return frozenset(resolve(ALL_RULES, fixable if fixable is not None else ("ALL",), (), unfixable))


def fix_text(
    text: str,
    found: Sequence[Diagnostic],
    config: LintConfig,
    policy: FixPolicy,
    relint: Callable[[str], list[Diagnostic]],
    shape: Callable[[str], object] | None = None,
) -> FixedText:
    """``text`` with the fixes of ``found`` (its diagnostics) applied, round after round;
    ``relint`` lints a new text as the same file. ``shape`` gives what must not change (the image
    sites' kinds and places, ``linter.site_shape``). When a round would break the text, nothing
    is fixed: the original text comes back with the problem."""
    from .edits import apply_edits

    current, diagnostics, fixed = text, list(found), 0
    expected = shape(text) if shape is not None else None
    for _ in range(MAX_ROUNDS):
        offered = [d.fix for d in diagnostics if d.fix is not None and can_fix(d, config, policy)]
        chosen = _non_overlapping(offered)
        if not chosen:
            break
        candidate = apply_edits(current, [edit for fix in chosen for edit in fix.edits])
        if candidate == current:
            break
        after = relint(candidate)
        broken = _breaks(diagnostics, after)
        if broken is None and shape is not None and shape(candidate) != expected:
            broken = "move, add or remove an image"
        if broken is not None:
            return FixedText(text, 0, list(found), f"the fixes would make the file {broken}; not fixed")
        fixed += len(chosen)  # each fix applied is one problem fixed, as ruff counts them
        current, diagnostics = candidate, after
    return FixedText(current, fixed, diagnostics)


def _non_overlapping(fixes: Sequence[Fix]) -> list[Fix]:
    """The fixes to apply together: each whose edits overlap none of those taken before it, in
    the order of the text; a fix identical to one taken is taken once."""
    taken: list[Fix] = []
    spans: list[Range] = []
    seen: set[Fix] = set()
    for fix in sorted(fixes, key=lambda f: min((e.span.line, e.span.column) for e in f.edits)):
        if fix in seen or not fix.edits:
            continue
        ranges = [((e.span.line, e.span.column), (e.span.end_line, e.span.end_column)) for e in fix.edits]
        if any(_overlap(edit, other) for edit in ranges for other in spans):
            continue
        seen.add(fix)
        taken.append(fix)
        spans.extend(ranges)
    return taken


def _overlap(one: Range, other: Range) -> bool:
    """Whether two edits touch the same text: their ranges share a character, or one is an
    insertion inside or at either end of the other (an insertion after a replaced value, such as a
    digest after an image another fix rewrites, belongs to the old value: it waits for the next
    round, which computes it for the new one)."""
    (start, end), (other_start, other_end) = one, other
    if start == end:
        return other_start <= start <= other_end
    if other_start == other_end:
        return start <= other_start <= end
    return start < other_end and other_start < end


def _breaks(before: Sequence[Diagnostic], after: Sequence[Diagnostic]) -> str | None:
    """What the fixed text would break, as a message fragment; None when nothing: a code of
    ``BREAKING_CODES`` reported more often than before."""
    from collections import Counter

    had = Counter(d.code for d in before if d.code in BREAKING_CODES)
    has = Counter(d.code for d in after if d.code in BREAKING_CODES)
    for diagnostic in after:
        if has[diagnostic.code] > had[diagnostic.code]:
            return f"report {diagnostic.code} ({diagnostic.name}) at line {diagnostic.span.line}"
    return None


def unified_diff(path: str, old: str, new: str) -> str:
    """The unified diff of one file, as ``git diff`` heads it (``a/`` and ``b/``)."""
    import difflib

    shown = shown_path(path)
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{shown}", f"b/{shown}"
    )
    return "".join(
        line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines
    )


def run_fix(
    args: Any, workspace: Workspace, report: Callable[[RunResult], None], out: TextIO, err: TextIO
) -> int:
    """The whole ``--fix`` / ``--diff`` / ``--fix-only`` run; its exit code."""
    check_fix_usage(args)
    policy = FixPolicy(unsafe=bool(getattr(args, "unsafe_fixes", False)))
    if "-" in args.paths:
        return _fix_stream(args, workspace, policy, out, err)
    diff_only = bool(getattr(args, "diff", False))
    result = workspace.lint_paths(args.paths)
    fixed_total = 0
    changed = False
    problems = list(result.problems)
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in result.diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    remaining: list[Diagnostic] = []
    for path, found in by_path.items():
        outcome = _fix_file(workspace, path, result.sources[path], found, policy)
        if outcome.problem is not None:
            problems.append(f"{shown_path(path)}: {outcome.problem}")
            remaining.extend(found)
            continue
        if outcome.text == result.sources[path]:
            remaining.extend(outcome.remaining)
            continue
        changed = True
        if diff_only:
            out.write(unified_diff(path, result.sources[path], outcome.text))
        else:
            problem = _write(path, result.sources[path], outcome.text)
            if problem is not None:
                problems.append(problem)
                remaining.extend(found)  # nothing written: what was found remains
                continue
            result.sources[path] = outcome.text
        remaining.extend(outcome.remaining)
        fixed_total += outcome.fixed
    workspace.save()
    if diff_only:
        _problems(problems, err)
        if changed:
            err.write(f"Would fix {_problems_text(fixed_total)}.\n")
        return EXIT_ERROR if problems else EXIT_FINDINGS if changed else EXIT_CLEAN
    remaining.sort(key=lambda d: d.sort_key)
    result.diagnostics = remaining
    result.problems = []
    if not getattr(args, "fix_only", False):
        report(result)
    _problems(problems, err)
    err.write(f"Fixed {_problems_text(fixed_total)} ({len(remaining)} remaining).\n")
    if problems:
        return EXIT_ERROR
    if getattr(args, "fix_only", False) or args.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if _fails(workspace, remaining) else EXIT_CLEAN


def _fails(workspace: Workspace, remaining: Sequence[Diagnostic]) -> bool:
    """Whether a remaining diagnostic reaches its file's failure threshold."""
    for diagnostic in remaining:
        config = workspace.config_for(diagnostic.path)[0]
        if config is not None and diagnostic.severity >= config.failure_threshold:
            return True
    return False


def _problems(problems: Sequence[str], err: TextIO) -> None:
    for problem in dict.fromkeys(problems):
        _error(err, problem)


def _problems_text(count: int) -> str:
    return f"{count} problem{'s' if count != 1 else ''}"


def _fix_file(
    workspace: Workspace, path: str, text: str, found: Sequence[Diagnostic], policy: FixPolicy
) -> FixedText:
    config = workspace.config_for(path)[0]
    if config is None or not any(can_fix(d, config, policy) for d in found):
        return FixedText(text, 0, list(found))
    return fix_source(workspace, path, text, found, config, policy)


def fix_source(
    workspace: Workspace,
    path: str,
    text: str,
    found: Sequence[Diagnostic],
    config: LintConfig,
    policy: FixPolicy,
    key: str | None = None,
) -> FixedText:
    """``fix_text`` for the file at ``path`` in ``workspace``: each new text linted again as that
    file under ``config`` (and its result-cache ``key``), and checked to keep its image sites where
    they were. ``--fix``, standard input and the language server's "fix all" all come here."""
    from .linter import site_shape

    def relint(new: str) -> list[Diagnostic]:
        return workspace.lint_source(path, new, config, key)

    return fix_text(text, found, config, policy, relint, lambda new: site_shape(new, path))


def _write(path: str, old: str, new: str) -> str | None:
    """Write ``new`` over ``path`` unless the file no longer holds ``old``; the problem, or None."""
    from .reading import PathError, read_config
    from .writing import WriteError, replace_text

    try:
        current = read_config(path, len(old.encode("utf-8")) * 2 + 4096)
    except PathError as exc:
        return str(exc)
    if current != old:
        return f"{shown_path(path)}: the file changed while it was being fixed; not written"
    try:
        replace_text(path, new.encode("utf-8"))
        written = read_config(path, len(new.encode("utf-8")) * 2 + 4096)
    except WriteError as exc:
        return str(exc)
    except PathError as exc:
        written = str(exc)
    if written != new:  # read back as something else: put the original back
        try:
            replace_text(path, old.encode("utf-8"))
        except WriteError as exc:
            return f"{exc}; the fixed file did not read back as written"
        return f"{shown_path(path)}: the fixed file did not read back as written; the original is restored"
    return None


def _fix_stream(args: Any, workspace: Workspace, policy: FixPolicy, out: TextIO, err: TextIO) -> int:
    """Standard input fixed as the file ``--stdin-filename`` names, to standard output alone."""
    import sys

    from .config.errors import ConfigError
    from .reading import PathError, read_stream

    path = args.stdin_filename or STDIN_NAME
    try:
        config = workspace.config_for(path)[0]
        text = read_stream(path, sys.stdin.buffer, config.max_file_size if config else 10 * 2**20)
    except (ConfigError, PathError) as exc:
        _error(err, str(exc))
        return EXIT_ERROR
    if config is None:
        out.write(text)
        return EXIT_CLEAN
    found = workspace.lint_source(path, text, config)
    outcome = fix_source(workspace, path, text, found, config, policy)
    workspace.save()
    out.write(outcome.text)
    out.flush()
    if outcome.problem is not None:
        _error(err, f"{shown_path(path)}: {outcome.problem}")
        return EXIT_ERROR
    return EXIT_CLEAN
