"""VIL002 missing-image

## What it does
Reports a step or endpoint that names no Docker image, and any `image` that is empty or only
whitespace (also in pipeline node overrides).

## Why is this bad?
Valohai runs every step and endpoint in a Docker image and rejects a config without one, late:
when the execution is created, not when the file is committed.

## Example
```yaml
- step:
    name: train
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: python:3.12.1-slim
    command: python train.py
```

## Options
None.

## Fix safety
No fix: only the author knows which image the step needs.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, ParsedSite, Severity, ValueKind
from ..rule import Rule, RuleOptions


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    site = parsed.site
    if site.kind is ValueKind.MISSING:
        yield Finding(f"{site.context} has no image; name the Docker image it runs in", site.span)
    elif site.kind is ValueKind.EMPTY:
        what = "only whitespace" if site.value else "empty"
        yield Finding(f"the image of {site.context} is {what}; name a Docker image", site.span)


RULE = Rule(
    code="VIL002",
    name="missing-image",
    severity=Severity.ERROR,
    summary="A step or endpoint has no image, or the image is empty",
    doc=__doc__ or "",
    check=check,
)
