"""VIL202 private-image-short-name

## What it does
Reports an image in one of the team's `private-registries` that is not written with its full
name: `acme/trainer:1.0` where the registry credentials are for `docker.io/acme/*`. Offline,
the rule runs only when `private-registries` is set. In an online run (`--online`) it also
reports a Docker Hub image written in short form that anonymous access cannot read but your
Docker credentials can: that image is private, whatever `private-registries` says.

Patterns are written as Valohai's registry credentials are (`docker.io/acme/*`,
`ghcr.io/acme/**`, `123456789012.dkr.ecr.eu-west-1.amazonaws.com/*`); a pattern in familiar
form (`acme/*`) means its canonical name.

## Why is this bad?
Valohai picks registry credentials by matching the image name as written, not as Docker
normalizes it. `acme/trainer:1.0` does not match `docker.io/acme/*`, so the worker pulls
without credentials: the pull fails, or, worse, a public image of the same name is run.

## Example
```yaml
- step:
    name: train
    image: acme/trainer:1.0.3
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: docker.io/acme/trainer:1.0.3
    command: python train.py
```

## Options
`private-registries`: the patterns of images that need registry credentials. For the
examples above:

```toml
[tool.valohai-image-lint]
private-registries = ["docker.io/acme/*"]
```

## Fix safety
Safe: the fix writes the image's full name (`docker.io/acme/trainer`) and keeps the tag and
digest as written. Docker pulls the same image, and Valohai now finds its credentials. No fix
is offered when the value in the file is not the image text itself (a quoted value with
escapes, or one spread over lines).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..config.option import image_patterns
from ..model import Applicability, Edit, Finding, Fix, ParsedSite, Severity
from ..reference import DEFAULT_DOMAIN, split_name
from ..rule import Rule, RuleOptions

PRIVATE_REGISTRIES = image_patterns("private-registries")


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref, private = parsed.ref, options.get(PRIVATE_REGISTRIES)
    if ref is None:
        return
    written, suffix = split_name(ref.raw)
    if written == ref.name:
        return  # written in full
    matching = [pattern for pattern in private if pattern.matches(ref)]
    if matching:
        if any(p.matches_written(ref.raw) for p in matching):
            return
        why = f"is in the private registry {matching[0].glob}"
    else:
        facts = options.facts_for(parsed)
        if facts is None or not facts.found or not facts.private or ref.domain != DEFAULT_DOMAIN:
            return
        why = "is private on Docker Hub (only your Docker credentials could read it)"
    full = ref.name + suffix
    site = parsed.site
    fix = None
    span = site.value_span(0, len(written))
    if span is not None:
        fix = Fix(f'Write the full name "{full}"', (Edit(span, ref.name),), Applicability.SAFE)
    yield Finding(
        f'image "{site.value}" {why} but is not written with its full name; write "{full}" so '
        "Valohai matches its registry credentials",
        site.span,
        fix,
    )


RULE = Rule(
    code="VIL202",
    name="private-image-short-name",
    severity=Severity.ERROR,
    summary="A private-registry image is not written with its full name",
    doc=__doc__ or "",
    check=check,
    options=(PRIVATE_REGISTRIES,),
)
