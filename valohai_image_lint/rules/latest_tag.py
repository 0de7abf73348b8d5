"""VIL103 latest-tag

## What it does
Reports an image tagged `latest` or a moving variant of it: `latest-gpu`, `latest-py3`,
`gpu-latest`. An image pinned by digest is not reported.

## Why is this bad?
`latest` moves with every release: a pipeline that passed last week can break today with no
change in the repository, and an old execution cannot be reproduced.

## Example
```yaml
- step:
    name: train
    image: tensorflow/tensorflow:latest-gpu
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: tensorflow/tensorflow:2.16.1-gpu
    command: python train.py
```

## Options
None.

## Fix safety
Offline, no fix: choosing a version is the author's decision; the message suggests one for
well-known images. Online (`--online`), an unsafe fix pins the digest the image points at now,
written after the reference (`python:latest@sha256:…`): for a multi-platform image the index's digest, never
one platform's. Unsafe because the pin freezes today's build, which a rebuild of the same tag
would have replaced; Renovate (see the README) keeps such pins fresh.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import digest_pin
from ..model import Finding, ParsedSite, Severity
from ..rule import Rule, RuleOptions
from ..tags import is_latest, suggest_exact_tag


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref = parsed.ref
    if ref is None or ref.tag is None or ref.digest is not None or not is_latest(ref.tag):
        return
    exact = suggest_exact_tag(ref.name, ref.tag)
    advice = f"pin a version such as {exact}" if exact else "pin a version tag or a digest"
    fix = digest_pin(parsed, options.facts_for(parsed))
    yield Finding(
        f'image "{parsed.site.value}" uses a moving "latest" tag; {advice}',
        parsed.site.span,
        fix,
    )


RULE = Rule(
    code="VIL103",
    name="latest-tag",
    severity=Severity.ERROR,
    summary="The image uses the moving latest tag or a variant of it",
    doc=__doc__ or "",
    check=check,
)
