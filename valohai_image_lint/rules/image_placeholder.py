"""VIL004 image-placeholder

## What it does
Reports an image that still holds a template placeholder: `<<registry/image:tag>>`, `${IMAGE}`,
`$IMAGE`, `{{ image }}`, `<your-image>`; or a name copied from an example and never filled in:

- a path component that stands for yours: `your-registry/your-image:1.0.0`,
  `docker.io/yourdocker/titanic-ml`, `my-registry.example.com/trainer:1`, `myusername/trainer`;
- `image` as the whole name or `tag` as the whole tag: `image:tag`, `acme/trainer:tag`;
- a marker left for later: `TODO`, `FIXME`, `CHANGEME`, `xxx`, `x.y.z`.

Real names that merely contain such a word are not placeholders: `acme/image-tools:1.0`,
`imagemagick`, `yourls`, `myapp`, `acme/todo-api` (only a capital `TODO` is a marker).

## Why is this bad?
Valohai does not expand variables or templates in `image`: the placeholder is sent to Docker as
written and the pull fails when the execution starts, on a machine you pay for. An example's
name fails the same way: no registry serves `your-registry/your-image`.

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
from ..placeholder import find_template_syntax
from ..rule import Rule, RuleOptions


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    if parsed.placeholder is None:
        return
    site = parsed.site
    part = "" if parsed.placeholder == site.value else f" ({parsed.placeholder})"
    if find_template_syntax(parsed.placeholder) is not None:
        message = (
            f'image "{site.value}" is a template placeholder{part} that Valohai does not expand; '
            "replace it with a real image"
        )
    else:  # a name copied from an example
        message = (
            f'image "{site.value}" is a placeholder{part}, not an image name; replace it with a real image'
        )
    yield Finding(message, site.span)


RULE = Rule(
    code="VIL004",
    name="image-placeholder",
    severity=Severity.ERROR,
    summary="The image is a template placeholder left unfilled",
    doc=__doc__ or "",
    check=check,
)
