"""VIL003 non-string-image

## What it does
Reports an `image` whose YAML value is not a string: a number (`image: 3.9` is the float 3.9),
a boolean (`image: yes`), `null`, a date, a list or a mapping.

## Why is this bad?
YAML types plain scalars before Valohai sees them: `3.9` becomes a float and `yes` a boolean, so
the config names no image, or the wrong one. Valohai's tooling reads YAML 1.1, where `yes`, `no`,
`on` and `off` are booleans too.

## Example
```yaml
- step:
    name: train
    image: 3.9
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: python:3.9.18
    command: python train.py
```

## Options
None.

## Fix safety
No fix: `3.9` was most likely meant as `python:3.9`, but that is a guess.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, ParsedSite, Severity, ValueKind
from ..rule import Rule, RuleOptions


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    site = parsed.site
    if site.kind is not ValueKind.NON_STRING:
        return
    shown = f" {site.value}" if site.value else ""
    if site.type_name in ("a float", "an integer"):
        hint = "; write the full image name, such as python:3.9.18"
    else:
        hint = "; name a Docker image as a string"
    yield Finding(f"the image{shown} of {site.context} is {site.type_name}, not a string{hint}", site.span)


RULE = Rule(
    code="VIL003",
    name="non-string-image",
    severity=Severity.ERROR,
    summary="The image value is a number, boolean, null, list or mapping",
    doc=__doc__ or "",
    check=check,
)
