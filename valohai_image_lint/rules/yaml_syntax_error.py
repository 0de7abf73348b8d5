"""VIL001 yaml-syntax-error

## What it does
Reports a file that is not valid YAML, with the parser's message and the position of the problem.

## Why is this bad?
Valohai cannot read the config at all: no step, endpoint or pipeline in it can run, and no other
rule can check its images.

## Example
```yaml
- step:
    name: train
    image: python:3.12.1
   command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: python:3.12.1
    command: python train.py
```

## Options
None.

## Fix safety
No fix: the right structure depends on what was meant.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, Severity, Span
from ..rule import Rule, SyntaxProblem


def check_syntax(problem: SyntaxProblem) -> Iterator[Finding]:
    if problem.language == "yaml":
        yield finding(problem.message, problem.line, problem.column, problem.line_length)


def finding(message: str, line: int, column: int, line_length: int | None = None) -> Finding:
    """The finding at ``line``:``column``: one character wide, or empty where the parser points
    past the end of the line (``line_length``, when known), as at the end of the text."""
    width = 0 if line_length is not None and column > line_length else 1
    return Finding(f"invalid YAML: {message}", Span(line, column, line, column + width))


RULE = Rule(
    code="VIL001",
    name="yaml-syntax-error",
    severity=Severity.ERROR,
    summary="The file is not valid YAML",
    doc=__doc__ or "",
    check_syntax=check_syntax,
)
