"""VIL006 invalid-top-level

## What it does
Reports a file that Valohai cannot read as a config although it is valid YAML: an empty file
(or one holding only comments), a top level that is a mapping or a scalar instead of a list,
and list items that are not mappings. Valohai reads `valohai.yaml` as a list of items, each a
mapping such as `- step: {...}`, `- endpoint: {...}` or `- pipeline: {...}`.

Image keys in a top-level mapping are still checked by the other rules, so that a fragment
being written is linted as far as it goes.

## Why is this bad?
Valohai rejects the file ("is not of type 'array'"), so no step in it can run; the mistake
usually means a lost `- ` in front of `step:`, or a file saved empty.

## Example
```yaml
step:
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
No fix: re-indenting a file under `- ` is easy to get wrong for the whole file at once.
"""

from __future__ import annotations

from ..model import Finding, Severity, Span
from ..rule import Rule

RULE = Rule(
    code="VIL006",
    name="invalid-top-level",
    severity=Severity.ERROR,
    summary="The file is not a list of Valohai items (empty, a mapping, a scalar)",
    doc=__doc__ or "",
)


def finding(message: str, span: Span) -> Finding:
    return Finding(message, span)
