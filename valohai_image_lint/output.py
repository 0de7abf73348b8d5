"""What a run prints: its findings in the chosen output format on stdout (GitHub annotations beside
them on Actions), and on stderr the problems, the warnings, the closing summary and the note for
folders that held nothing to lint. The reporters format; this module picks them and writes."""

from __future__ import annotations

from .command import PROG, silence
from .command import error as _error

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, TextIO

    from .workspace import RunResult


def only_folders(paths: Sequence[str]) -> bool:
    import os

    return all(os.path.isdir(path) for path in paths)  # none given: the current folder


def note_nothing_found(paths: Sequence[str], err: TextIO) -> None:
    """One line on stderr when the folders searched held nothing to lint (exit 0 all the same)."""
    from .escape import shown_path

    where = ", ".join(shown_path(path) for path in paths) or "."
    err.write(
        f"{PROG}: note: nothing to lint in {where}: no valohai.yaml or valohai.yml, "
        "and no Python file that mentions valohai\n"
    )


def report(
    result: RunResult, args: Any, output_format: str, annotate: bool, out: TextIO, err: TextIO
) -> None:
    """The findings in the chosen format on ``out``; the problems, warnings and summary on ``err``."""
    from .reporters import Report, get_reporter

    diagnostics = result.diagnostics
    try:
        if args.statistics:
            from .reporters.statistics import write_statistics

            write_statistics(diagnostics, output_format, out)
        else:
            color = _use_color(args.color, out)
            problems = tuple(result.problems)
            made = Report(
                diagnostics, result.linted, result.sources, _report_root(), color, problems, result.facts
            )
            get_reporter(output_format).write(made, out)
            if annotate:
                get_reporter("github").write(made, out)
        out.flush()
    except BrokenPipeError:
        silence(out)  # the reader left (`| head`); the exit code still tells the truth
    for problem in dict.fromkeys(result.problems):
        _error(err, problem)
    err.writelines(f"{PROG}: warning: {warning}\n" for warning in result.warnings)
    if diagnostics and output_format in ("concise", "full") and not args.statistics:
        from .plain_text import summary

        err.write(summary((d.severity for d in diagnostics), len({d.path for d in diagnostics})))


def choose_format(chosen: str | None, settings_for: Any) -> tuple[str, bool]:
    """The format (the command line's, else the config's found from the current folder, else
    concise) and whether to add GitHub annotations: on GitHub Actions when no format was chosen."""
    import os

    if chosen is not None:
        return chosen, False
    configured = settings_for(os.path.join(os.getcwd(), "valohai.yaml")).values.get("output-format")
    if configured is not None:
        return str(configured), False
    return "concise", os.environ.get("GITHUB_ACTIONS") == "true"


def _report_root() -> str:
    """Where machine formats (SARIF, GitLab, JUnit) make paths relative to: the repository root
    above the current folder, so that fingerprints do not depend on where the tool was run."""
    import os

    from .reading import repository_root

    return repository_root(os.getcwd()) or "."


def _use_color(choice: str, out: TextIO) -> bool:
    import os

    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and hasattr(out, "isatty") and out.isatty()
