"""The runner the per-rule tests share (tests/test_rule_vil*.py).

Each rule's test file keeps its own tables and its own rule-specific assertions; this module holds
what they all check the same way. A table row starts with the case's id:

- FIRES: ``(id, yaml, [setting,] line, column, code, message fragment)``, one diagnostic expected;
- DOES_NOT_FIRE: ``(id, yaml[, setting])``, no diagnostic expected.

The optional setting is a rule's own configuration (allowed-images, private-registries).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest

from valohai_image_lint import Diagnostic, Severity, Span
from valohai_image_lint.model import Applicability

# The arguments of a FIRES row without a setting, after its id.
FIRES_ARGS = ("text", "line", "column", "code", "fragment")


def cases(table: Iterable[Sequence[object]]) -> list[pytest.ParameterSet]:
    """One test case a row: the row's id, then all its other items as the arguments."""
    return [pytest.param(*row[1:], id=str(row[0])) for row in table]


def texts(table: Iterable[Sequence[object]]) -> list[pytest.ParameterSet]:
    """One test case a row: the row's id, then its yaml alone as the argument."""
    return [pytest.param(row[1], id=str(row[0])) for row in table]


def lines(text: str) -> list[str]:
    """The lines of ``text`` as diagnostics number them (a byte-order mark is not part of line 1)."""
    return text.removeprefix("\ufeff").splitlines()


def only(diagnostics: Iterable[Diagnostic], *codes: str) -> list[Diagnostic]:
    """The diagnostics of the rules ``codes``, in their order."""
    return [d for d in diagnostics if d.code in codes]


def assert_fires(
    found: Sequence[Diagnostic],
    line: int,
    column: int,
    code: str,
    fragment: str,
    *,
    severity: Severity,
    names_image: bool = False,
    image_on_line_of: str | None = None,
) -> Diagnostic:
    """``found`` is one diagnostic of ``code`` at ``line``:``column``, with ``fragment`` in its message.

    ``names_image``: the diagnostic has an image, and its message says ``image "<image>"``.
    ``image_on_line_of``: the diagnostic's image, if it has one, stands on its line of this text.
    Returns the diagnostic, for the rule's own assertions.
    """
    assert len(found) == 1, found
    d = found[0]
    assert d.code == code
    assert (d.span.line, d.span.column) == (line, column), d
    assert fragment in d.message
    if names_image:
        assert d.image is not None
        assert f'image "{d.image}"' in d.message
    assert d.severity is severity
    if image_on_line_of is not None and d.image is not None:
        assert d.image in lines(image_on_line_of)[d.span.line - 1]
    return d


def assert_silent(found: list[Diagnostic]) -> None:
    """No diagnostic."""
    assert found == [], found


def assert_safe_fix(d: Diagnostic, span: Span, replacement: str) -> None:
    """``d`` carries a safe fix: the one edit that writes ``replacement`` over ``span``."""
    assert d.fix is not None
    assert d.fix.applicability is Applicability.SAFE
    assert [(e.span, e.replacement) for e in d.fix.edits] == [(span, replacement)]


def apply_edit(text: str, span: Span, replacement: str) -> str:
    """``text`` with the one-line ``span`` replaced by ``replacement``."""
    text_lines = text.splitlines(keepends=True)
    line = text_lines[span.line - 1]
    text_lines[span.line - 1] = line[: span.column - 1] + replacement + line[span.end_column - 1 :]
    return "".join(text_lines)


def lint_online(
    text: str, code: str, facts: object, settings: dict[str, object] | None = None
) -> list[Diagnostic]:
    """``text`` linted by rule ``code`` alone as an online run in which the registry said ``facts``
    (a function of each image's ``LookupKey`` to its ``ImageFacts``) about every image."""
    from valohai_image_lint import LintConfig, lint_text
    from valohai_image_lint.facts import lookup_key
    from valohai_image_lint.linter import image_refs

    assert callable(facts)
    known = {lookup_key(ref): facts(lookup_key(ref)) for ref in image_refs(text, "valohai.yaml")}
    config = LintConfig(select=(code,), options=dict(settings or {}), today="2026-12-07")
    return lint_text(text, config=config, facts=known)


def step(image: str) -> str:
    """A one-step valohai.yaml whose image is ``image`` (on line 3, column 12)."""
    return f"- step:\n    name: train\n    image: {image}\n    command: python train.py\n"
