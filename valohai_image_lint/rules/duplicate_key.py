"""VIL007 duplicate-key

## What it does
Reports a key written twice in one mapping, such as two `image` keys in one step, at the second
(and any later) one, naming the line of the first. Merge keys (`<<`) are not counted.

## Why is this bad?
YAML forbids repeated keys, but the loader Valohai uses keeps the last value without a word:
the earlier value is silently ignored. A second `image:` pasted into a step wins over the one
the author keeps editing, and a second `step:` in one item replaces the first step whole.

## Example
```yaml
- step:
    name: train
    image: python:3.12.1
    command: python train.py
    image: python:3.9.18
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
No fix: which of the two values was meant is the author's call.
"""

from __future__ import annotations

from ..model import Finding, Severity, Span
from ..rule import Rule

RULE = Rule(
    code="VIL007",
    name="duplicate-key",
    severity=Severity.WARNING,
    summary="A key is written twice in one mapping; the last value silently wins",
    doc=__doc__ or "",
)


def finding(key: str, first_line: int, span: Span) -> Finding:
    shown = key if len(key) <= 40 else key[:37] + "..."
    return Finding(
        f'key "{shown}" repeats the one on line {first_line}; the last value wins and line '
        f"{first_line}'s is ignored: remove one",
        span,
    )
