"""VIL004 image-placeholder

## What it does
Reports an image that still holds a template placeholder: `<<registry/image:tag>>`, `${IMAGE}`,
`$IMAGE`, `{{ image }}`, `<your-image>`.

## Why is this bad?
Valohai does not expand variables or templates in `image`: the placeholder is sent to Docker as
written and the pull fails when the execution starts, on a machine you pay for.

## Example
```yaml
- step:
    name: train
    image: <<registry/image:tag>>
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: ghcr.io/acme/trainer:1.4.2
    command: python train.py
```

## Options
None.

## Fix safety
No fix: the real image is not known to the linter.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, ParsedSite, Severity
from ..rule import Rule, RuleOptions


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    if parsed.placeholder is None:
        return
    site = parsed.site
    part = "" if parsed.placeholder == site.value else f" ({parsed.placeholder})"
    yield Finding(
        f'image "{site.value}" is a template placeholder{part} that Valohai does not expand; '
        "replace it with a real image",
        site.span,
    )


RULE = Rule(
    code="VIL004",
    name="image-placeholder",
    severity=Severity.ERROR,
    summary="The image is a template placeholder left unfilled",
    doc=__doc__ or "",
    check=check,
)
