"""The concise line of a diagnostic and the closing summary, built from plain values: shared by
the concise reporter, the CLI and a run answered from the result cache (which has no
``Diagnostic`` objects and imports no model). It imports nothing."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

SEVERITY_WORDS = {3: "error", 2: "warning", 1: "info"}
"""``Severity`` values (model.py) and their words, most serious first."""


def concise_line(path: str, line: int, column: int, code: str, message: str) -> str:
    """``path:line:col: CODE message``, on one line (``escape.one_line``), the path as
    ``escape.shown_path`` shows it (never starting with ``::``)."""
    from .escape import one_line, shown_path

    return f"{shown_path(path)}:{line}:{column}: {code} {one_line(message)}"


def summary(severities: Iterable[int], files: int) -> str:
    """``Found 3 problems (1 error, 2 warnings) in 1 file.``, from each finding's severity value."""
    counts = dict.fromkeys(SEVERITY_WORDS, 0)
    total = 0
    for severity in severities:
        counts[severity] += 1
        total += 1
    parts = [
        f"{count} {word}{'s' if count != 1 and word != 'info' else ''}"
        for severity, word in SEVERITY_WORDS.items()
        if (count := counts[severity])
    ]
    problems = "problem" if total == 1 else "problems"
    return f"Found {total} {problems} ({', '.join(parts)}) in {files} file{'s' if files != 1 else ''}.\n"
