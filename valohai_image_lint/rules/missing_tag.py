"""VIL102 missing-tag

## What it does
Reports an image with neither a tag nor a digest, such as `python` or `ultralytics/yolov5`.

## Why is this bad?
Docker pulls `latest` when no tag is given: the image changes whenever its maintainers publish,
so the same commit runs different code next month, and nothing records which image ran.

## Example
```yaml
- step:
    name: train
    image: python
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
Offline, no fix: choosing a version is the author's decision; the message suggests one for
well-known images. Online (`--online`), an unsafe fix pins the digest the image points at now,
written after the reference (`python@sha256:…`): for a multi-platform image the index's digest, never
one platform's. Unsafe because the pin freezes today's build, which a rebuild of the same tag
would have replaced; Renovate (see the README) keeps such pins fresh.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import digest_pin
from ..model import Finding, ParsedSite, Severity
from ..rule import Rule, RuleOptions
from ..tags import suggest_exact_tag


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref = parsed.ref
    if ref is None or ref.tag is not None or ref.digest is not None:
        return
    exact = suggest_exact_tag(ref.name, None)
    advice = f"pin a version such as {ref.raw}:{exact}" if exact else "pin a version tag or a digest"
    fix = digest_pin(parsed, options.facts_for(parsed))
    yield Finding(
        f'image "{parsed.site.value}" has no tag, so Docker pulls "latest", which moves; {advice}',
        parsed.site.span,
        fix,
    )


RULE = Rule(
    code="VIL102",
    name="missing-tag",
    severity=Severity.ERROR,
    summary="The image has no tag and no digest, so Docker pulls latest",
    doc=__doc__ or "",
    check=check,
)
