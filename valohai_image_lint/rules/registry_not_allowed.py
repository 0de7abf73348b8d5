"""VIL201 registry-not-allowed

## What it does
Reports an image whose canonical name matches none of the team's `allowed-images` patterns.
The rule runs only when `allowed-images` is set. Patterns are globs over canonical names:
`docker.io/library/*`, `123456789012.dkr.ecr.eu-west-1.amazonaws.com/*`, `ghcr.io/acme/**`
(`*` stays within one path component, `**` crosses them); a pattern written in familiar form
(`python`, `acme/*`) means its canonical name, and a tag part (`python:3.12*`) also constrains
the tag. The message lists the allowed patterns and names the closest one when it is plausibly
what was meant: a pattern for the same owner (`ghcr.io/acme/**` for `ghcr.io/acme/trainer`) or
one whose name is close to the image's (a typo, another account of the same registry); an
unrelated image gets no suggestion.

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
from ..patterns import ImagePattern
from ..rule import Rule, RuleOptions

MAX_LISTED = 5
ALLOWED_IMAGES = image_patterns(
    "allowed-images", if_empty="which would refuse every image; list patterns or remove it"
)


SIMILARITY_CUTOFF = 0.6
"""How alike (difflib's ratio, as ``difflib.get_close_matches`` uses it) an image's name and a
pattern's must be for the pattern to be named as the closest: ``ghcr.io/acne/x`` and
``ghcr.io/acme/**`` are (0.69); ``docker.io/sofiiavalohai/valohai-llms`` and
``docker.io/tensorflow/tensorflow`` are not (0.54), though they share the registry."""


def _closest(name: str, patterns: tuple[ImagePattern, ...]) -> ImagePattern | None:
    """The pattern the author plausibly meant: one of the same owner (registry and first path
    component), else the most alike if alike enough; None when no pattern is."""
    import difflib

    owner = name.rsplit("/", 1)[0] + "/"
    for pattern in patterns:
        if pattern.name_glob.startswith(owner):
            return pattern
    ratio, best = max(
        ((difflib.SequenceMatcher(None, name, p.name_glob).ratio(), i) for i, p in enumerate(patterns)),
        key=lambda scored: (scored[0], -scored[1]),
    )
    return patterns[best] if ratio >= SIMILARITY_CUTOFF else None


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref = parsed.ref
    patterns = options.get(ALLOWED_IMAGES)
    if ref is None or not patterns or any(pattern.matches(ref) for pattern in patterns):
        return
    listed = ", ".join(pattern.text for pattern in patterns[:MAX_LISTED])
    if len(patterns) > MAX_LISTED:
        listed += f" and {len(patterns) - MAX_LISTED} more"
    best = _closest(ref.name, patterns) if len(patterns) > 1 else None
    closest = f'; the closest is "{best.text}"' if best is not None else ""
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
