"""What the output-format tests share (tests/test_format_*.py).

The shipped example and a clean second config to lint, a report built from (path, text) pairs,
rendering a report with a reporter, and the golden-file check: with ``VIL_UPDATE_GOLDEN=1`` the
golden file is rewritten from the output first (review the diff), otherwise it is only compared.
"""

from __future__ import annotations

import difflib
import io
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from valohai_image_lint import LintConfig, lint_text
from valohai_image_lint.reporters import Report, Reporter

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
# The shipped example, relative to ROOT (the tests that render it chdir there first).
EXAMPLE = "examples/valohai.yaml"
# A second, clean config given as text (the reporters never read files): it has no findings.
CLEAN = (
    "examples/clean/valohai.yaml",
    "- step:\n    name: train\n    image: python:3.12.1-slim\n    command: python train.py\n",
)
# Lines put above a config to move its findings down; nothing in them is reported.
INSERTED = (
    "# Inserted above: a comment and another step.\n"
    "- step:\n    name: setup\n    image: alpine:3.19.1\n    command: ./setup.sh\n\n"
)


def example_text() -> str:
    return (ROOT / EXAMPLE).read_text(encoding="utf-8")


# The formats are tested on the rule set they were written against (VIL0xx-VIL2xx and VIL9xx);
# the image-knowledge rules (VIL3xx) have their own tests, and the CLI goldens show them. The date
# is pinned (lint_text defaults to the real one): the goldens must not move with the clock.
FORMAT_RULES = LintConfig(ignore=("VIL3",), today="2025-01-01")


def report_of(*files: tuple[str, str], config: LintConfig | None = None, color: bool = False) -> Report:
    """Lint each (path, text) pair; every path is listed and its text kept as its source."""
    rules = (
        FORMAT_RULES
        if config is None
        else config._replace(
            ignore=(*config.ignore, *FORMAT_RULES.ignore), today=config.today or FORMAT_RULES.today
        )
    )
    diagnostics = [d for path, text in files for d in lint_text(text, path, rules)]
    return Report(diagnostics, [path for path, _ in files], dict(files), color=color)


def example_report(*, with_clean: bool = False, color: bool = False) -> Report:
    """The shipped example (seven findings); with_clean adds CLEAN after it, a file with none."""
    files = [(EXAMPLE, example_text())]
    if with_clean:
        files.append(CLEAN)
    return report_of(*files, color=color)


def render_report(reporter: Reporter, report: Report) -> str:
    stream = io.StringIO()
    reporter.write(report, stream)
    return stream.getvalue()


def assert_matches_golden(path: Path, text: str) -> None:
    """``text`` is the golden file at ``path``; under VIL_UPDATE_GOLDEN=1 it is written there first."""
    if os.environ.get("VIL_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, _golden_diff(path, expected, text)


def _golden_diff(path: Path, expected: str, text: str) -> str:
    """The failure message: this module's asserts are not rewritten by pytest, so it carries the diff."""
    diff = difflib.unified_diff(
        expected.splitlines(keepends=True), text.splitlines(keepends=True), str(path), "output"
    )
    return f"the output differs from {path.name} (VIL_UPDATE_GOLDEN=1 rewrites it):\n" + "".join(diff)


def assert_fingerprints_survive_lines_inserted_above(
    by_finding: Callable[[str], Mapping[tuple[str, str], tuple[int, str]]],
) -> None:
    """``by_finding`` maps a config's text to {(code, message): (line, fingerprint)}. Over the example,
    INSERTED above it moves each of the seven findings down by its lines and keeps each fingerprint."""
    text = example_text()
    before = by_finding(text)
    after = by_finding(INSERTED + text)
    assert len(before) == 7
    for finding, (line, print_) in before.items():
        assert after[finding] == (line + INSERTED.count("\n"), print_)
