"""VIL005 python-syntax-error

## What it does
Reports a Python file or Jupyter notebook that mentions `valohai` but cannot be parsed, so the
images its `valohai.prepare(...)` calls name cannot be checked. The message is Python's (or, for
a notebook that is not valid JSON, the JSON parser's), at the position of the problem; in a
notebook it names the cell (`cell 2: invalid syntax`).

A file that never mentions `valohai` is not parsed at all, so its syntax errors are left to a
Python linter: this one checks images.

## Why is this bad?
`vh yaml step` imports nothing but reads the script to generate the step; a script Python cannot
parse fails there and in the execution. And none of this linter's image rules can look at it.

## Example
```python
import valohai

valohai.prepare(step="train", image="python:3.12.1"
```

## Use instead
```python
import valohai

valohai.prepare(step="train", image="python:3.12.1")
```

## Options
None.

## Fix safety
No fix: the right code depends on what was meant.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, Severity, Span
from ..rule import Rule, SyntaxProblem


def check_syntax(problem: SyntaxProblem) -> Iterator[Finding]:
    if problem.language in ("python", "notebook"):
        yield finding(problem.message, problem.line, problem.column, problem.language == "notebook")


def finding(message: str, line: int, column: int, notebook: bool) -> Finding:
    what = "notebook" if notebook else "Python"
    return Finding(f"invalid {what}: {message}", Span(line, column, line, column + 1))


RULE = Rule(
    code="VIL005",
    name="python-syntax-error",
    severity=Severity.ERROR,
    summary="A Python file or notebook that names images cannot be parsed",
    doc=__doc__ or "",
    check_syntax=check_syntax,
)
