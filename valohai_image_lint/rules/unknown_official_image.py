"""VIL106 unknown-official-image

## What it does
Reports an image written without an owner (`pyhton:3.12.1`, `tensorflow:2.16.1`), which Docker
reads as an official image (`docker.io/library/<name>`), when Docker Hub has no official image of
that name. It says what was probably meant: the closest official name (`python`), or the
well-known image the name is short for (`tensorflow/tensorflow`, `pytorch/pytorch`,
`nvidia/cuda`, `continuumio/miniconda3`).

The official names are data shipped with the linter (`official_images.py`: the `library/` folder
of github.com/docker-library/official-images, deprecated images included); the rule reads
nothing else and works offline. A value that holds a placeholder (VIL004) is left to VIL004.

## Why is this bad?
The pull fails when the execution starts, on a machine you pay for: `pull access denied for
pyhton, repository does not exist`. A typo in a name, or a framework's name without its owner,
is easy to miss in a review.

## Example
```yaml
- step:
    name: train
    image: tensorflow:2.16.1
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: tensorflow/tensorflow:2.16.1
    command: python train.py
```

## Options
None.

## Fix safety
No fix: the suggestion is a guess, and the tag may not exist under the suggested name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..model import Finding, ParsedSite, Severity
from ..official_images import OFFICIAL, WELL_KNOWN
from ..rule import Rule, RuleOptions

OFFICIAL_PREFIX = "docker.io/library/"
_CANDIDATES = sorted(OFFICIAL)


def suggestion(name: str) -> str | None:
    """What ``name`` (a bare name that is not official) was probably meant to be: the well-known
    image it is short for, else the closest official name, else None."""
    well_known = WELL_KNOWN.get(name)
    if well_known is not None:
        return well_known
    close = difflib.get_close_matches(name, _CANDIDATES, n=1, cutoff=0.8)
    return close[0] if close else None


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref = parsed.ref
    if ref is None or parsed.placeholder is not None or not ref.name.startswith(OFFICIAL_PREFIX):
        return
    name = ref.name.removeprefix(OFFICIAL_PREFIX)
    if "/" in name or name in OFFICIAL:
        return
    meant = suggestion(name)
    hint = f'did you mean "{meant}"?' if meant else "write the image with its owner (owner/name) or registry"
    yield Finding(
        f'image "{parsed.site.value}": Docker Hub has no official image "{name}", so the pull fails; {hint}',
        parsed.site.span,
    )


RULE = Rule(
    code="VIL106",
    name="unknown-official-image",
    severity=Severity.ERROR,
    summary="An image without an owner that is not one of Docker Hub's official images",
    doc=__doc__ or "",
    check=check,
)
