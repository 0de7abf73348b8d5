"""VIL304 code-image-mismatch

## What it does
Reports a `valohai.prepare(step="train", image="...")` call in a Python file (or a notebook's
code cell) whose image differs from the `image` of step `train` in the nearest `valohai.yaml`:
the one in the file's folder or the closest folder above it, up to the repository's root.

- Images compare as references: `python:3.12.1` and `docker.io/library/python:3.12.1` are the
  same image and are not reported. A value that is not a valid reference compares as written.
- Nothing is reported when the call's `step=` is not a string literal, when no `valohai.yaml`
  is found, when it has no step of that name (`vh yaml step` would add one), or when that
  step's image is not a string (VIL002/VIL003 report that in the YAML).
- With several steps of one name, the first one written counts.

## Why is this bad?
valohai-utils generates the step from the call: `vh yaml step train.py` overwrites the step's
`image` in `valohai.yaml` with the code's value. Until someone runs it, the YAML (what Valohai
runs) and the code (what its author reads) disagree; after, a reviewed image change is silently
undone by whichever file was edited last.

## Example
```yaml
- step:
    name: train
    image: python:3.12.1
    command: python train.py
```

```python
import valohai

valohai.prepare(step="train", image="python:3.11.9")
```

## Use instead
```yaml
- step:
    name: train
    image: python:3.12.1
    command: python train.py
```

```python
import valohai

valohai.prepare(step="train", image="python:3.12.1")
```

## Options
None.

## Fix safety
An unsafe fix writes the YAML's image into the call, when the YAML's image is a valid reference
and the code's string holds the value verbatim on one line. Unsafe because which of the two is
right is the author's call: the YAML may be the stale one.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Applicability, Edit, Finding, Fix, ParsedSite, Severity, ValueKind
from ..rule import Rule, RuleOptions


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    site = parsed.site
    if options.steps is None or site.step is None or site.kind is not ValueKind.STRING or site.value is None:
        return
    step = options.steps.get(site.step)
    if step is None:
        return
    code = parsed.ref.canonical if parsed.ref is not None else site.value
    yaml = step.canonical if step.canonical is not None else step.value
    if code == yaml:
        return
    fix = None
    span = site.value_span(0, len(site.value))
    if step.canonical is not None and span is not None:
        fix = Fix(f'Use "{step.value}"', (Edit(span, step.value),), Applicability.UNSAFE)
    yield Finding(
        f'image "{site.value}" differs from step "{site.step}" in {step.path}:{step.line}:{step.column}'
        f' ("{step.value}"); `vh yaml step` would overwrite the YAML with this one: make them match',
        site.span,
        fix,
    )


RULE = Rule(
    code="VIL304",
    name="code-image-mismatch",
    severity=Severity.WARNING,
    summary="valohai.prepare() names another image than the step's image in valohai.yaml",
    doc=__doc__ or "",
    check=check,
)
