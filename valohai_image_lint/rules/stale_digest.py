"""VIL403 stale-digest

## What it does
In an online run, reports an image written with both a tag and a digest
(`python:3.11.9@sha256:…`) whose tag now points at another manifest than the digest.

## Why is this bad?
Docker pulls the digest and ignores the tag, so the tag in the file no longer says what runs:
a reader, a tool or a teammate who trusts `3.11.9` sees another image than the one the workers
pull (the image was rebuilt, for security fixes, since it was pinned). Either the pin is
deliberate and the tag misleads, or the pin is old and misses the rebuild.

## Example
`python:3.11.9` was rebuilt after the digest was pinned:

```yaml
- step:
    name: train
    image: python:3.11.9@sha256:0000000000000000000000000000000000000000000000000000000000000001
    command: python train.py
```

## Use instead
The digest the tag points at now:

```yaml
- step:
    name: train
    image: python:3.11.9@sha256:0000000000000000000000000000000000000000000000000000000000000002
    command: python train.py
```

## Options
None; the run must be online. How long what a tag points at is trusted from the cache is
`registry-cache-ttl` (seconds, default 3600).

## Fix safety
Safe: the fix writes the digest the tag points at now, which is what the file says it runs. No
fix is offered when the value in the file is not the image text itself (a quoted value with
escapes, or one spread over lines).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import short_digest
from ..model import Applicability, Edit, Finding, Fix, ParsedSite, Severity
from ..rule import Rule, RuleOptions


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    facts = options.facts_for(parsed)
    if facts is None or not facts.found or parsed.ref is None or parsed.site.value is None:
        return
    key, current, tag_manifest = facts.key, facts.tag_digest, facts.tag_manifest
    if key.tag is None or key.digest is None or current is None or current == key.digest:
        return
    if tag_manifest is not None and any(digest == key.digest for _, digest in tag_manifest.children):
        return  # one platform's image of the tag's index: VIL402's, when it matters
    site, span = parsed.site, parsed.digest_span()
    fix = None
    if span is not None:
        fix = Fix(
            f"Pin the current digest {short_digest(current)}", (Edit(span, current),), Applicability.SAFE
        )
    yield Finding(
        f'image "{site.value}": tag "{key.tag}" now points at {current}, not at the pinned '
        f"{short_digest(key.digest)}; pin the current digest",
        site.span,
        fix,
    )


RULE = Rule(
    code="VIL403",
    name="stale-digest",
    severity=Severity.WARNING,
    summary="The image's tag now points at another digest than the one pinned",
    doc=__doc__ or "",
    check=check,
)
