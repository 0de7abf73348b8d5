"""VIL201 registry-not-allowed

## What it does
Reports an image whose canonical name matches none of the team's `allowed-images` patterns.
The rule runs only when `allowed-images` is set. Patterns are globs over canonical names:
`docker.io/library/*`, `123456789012.dkr.ecr.eu-west-1.amazonaws.com/*`, `ghcr.io/acme/**`
(`*` stays within one path component, `**` crosses them); a pattern written in familiar form
(`python`, `acme/*`) means its canonical name, and a tag part (`python:3.12*`) also constrains
the tag. The message lists the allowed patterns and names the closest one.

## Why is this bad?
Images from anywhere else may be unreviewed, unscanned or gone tomorrow; teams that mirror
what they run into their own registry want every config to use the mirror.

## Example
```yaml
- step:
    name: train
    image: pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: ghcr.io/acme/pytorch:2.3.1-cuda12.1-cudnn8-runtime
    command: python train.py
```

## Options
`allowed-images`: the patterns an image must match. For the examples above:

```toml
[tool.valohai-image-lint]
allowed-images = ["docker.io/library/*", "ghcr.io/acme/**"]
```

## Fix safety
No fix: which allowed image replaces another is the author's decision.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..config.option import image_patterns
from ..model import Finding, ParsedSite, Severity
from ..rule import Rule, RuleOptions

MAX_LISTED = 5
ALLOWED_IMAGES = image_patterns(
    "allowed-images", if_empty="which would refuse every image; list patterns or remove it"
)


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref = parsed.ref
    patterns = options.get(ALLOWED_IMAGES)
    if ref is None or not patterns or any(pattern.matches(ref) for pattern in patterns):
        return
    listed = ", ".join(pattern.text for pattern in patterns[:MAX_LISTED])
    if len(patterns) > MAX_LISTED:
        listed += f" and {len(patterns) - MAX_LISTED} more"
    closest = ""
    if len(patterns) > 1:
        import difflib

        best = max(patterns, key=lambda p: difflib.SequenceMatcher(None, ref.name, p.name_glob).ratio())
        closest = f'; the closest is "{best.text}"'
    yield Finding(
        f'image "{parsed.site.value}" matches none of allowed-images ({listed}){closest}; '
        f"use an allowed image or allow {ref.name}",
        parsed.site.span,
    )


RULE = Rule(
    code="VIL201",
    name="registry-not-allowed",
    severity=Severity.ERROR,
    summary="The image matches none of the allowed-images patterns",
    doc=__doc__ or "",
    check=check,
    options=(ALLOWED_IMAGES,),
)
