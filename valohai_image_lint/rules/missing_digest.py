"""VIL105 missing-digest

## What it does
Reports every image that is not pinned by digest (`@sha256:...`). Off unless selected
(`--extend-select VIL105`), for teams that require byte-for-byte reproducible executions.

## Why is this bad?
Even an exact tag such as `python:3.9.18` can be pushed again: maintainers rebuild images for
security fixes. Only a digest names exactly one image.

## Example
```yaml
- step:
    name: train
    image: python:3.9.18
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: python:3.9.18@sha256:7a5b6a8e1b4b2c6b0f4b6d4bb2b7b6f56d3f9b1e2c4d5e6f708192a3b4c5d6e7
    command: python train.py
```

## Options
None.

## Fix safety
No fix yet: the digest must be looked up in the registry.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, ParsedSite, Severity
from ..rule import Rule, RuleOptions


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref = parsed.ref
    if ref is None or ref.digest is not None:
        return
    yield Finding(
        f'image "{parsed.site.value}" is not pinned by digest; add @sha256:<digest> so every run '
        "pulls the same image",
        parsed.site.span,
    )


RULE = Rule(
    code="VIL105",
    name="missing-digest",
    severity=Severity.WARNING,
    summary="The image is not pinned by digest (opt-in)",
    doc=__doc__ or "",
    check=check,
    enabled_by_default=False,
)
