"""VIL205 legacy-docker-hub-host

## What it does
Reports an image written with one of Docker Hub's old or internal host names:
`index.docker.io/`, `registry-1.docker.io/` or `registry.hub.docker.com/`.

## Why is this bad?
Docker Hub's name is `docker.io`. The other names are the old index, the registry's API
endpoint and the website: tools treat them differently (Docker does not add `library/` after
`registry-1.docker.io/`), and registry credentials set up for `docker.io` do not match them.

## Example
```yaml
- step:
    name: train
    image: index.docker.io/library/python:3.12.4
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: docker.io/library/python:3.12.4
    command: python train.py
```

## Options
None.

## Fix safety
Safe: the fix replaces the host with `docker.io` and leaves the rest as written. Unsafe for a
one-component path after `registry-1.docker.io` or `registry.hub.docker.com`
(`registry-1.docker.io/python`): Docker adds `library/` only after `docker.io`, so the fix changes
which image is pulled (from one that does not exist to the official one). No fix is offered when
the value in the file is not the image text itself (a quoted value with escapes, or one spread
over lines).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Applicability, Edit, Finding, Fix, ParsedSite, Severity
from ..reference import DEFAULT_DOMAIN
from ..rule import Rule, RuleOptions

LEGACY_HOSTS = ("index.docker.io", "registry-1.docker.io", "registry.hub.docker.com")


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref = parsed.ref
    if ref is None:
        return
    written_host = ref.raw.partition("/")[0]
    host = written_host.lower()
    if host not in LEGACY_HOSTS or "/" not in ref.raw:
        return
    replaced = DEFAULT_DOMAIN + ref.raw[len(written_host) :]
    site = parsed.site
    fix = None
    span = site.value_span(0, len(written_host))
    if span is not None:
        # registry-1.docker.io/python names no official image (Docker adds library/ only after
        # docker.io), so rewriting a one-component path changes which image is pulled.
        single = "/" not in ref.raw[len(written_host) + 1 :].split(":")[0].split("@")[0]
        # Docker folds only the exact, lowercase index.docker.io into docker.io/library/...
        applicability = (
            Applicability.UNSAFE if single and written_host != "index.docker.io" else Applicability.SAFE
        )
        title = f"Replace {written_host} with {DEFAULT_DOMAIN}"
        fix = Fix(title, (Edit(span, DEFAULT_DOMAIN),), applicability)
    yield Finding(
        f'image "{site.value}" uses the legacy Docker Hub host {written_host}; write "{replaced}"',
        site.span,
        fix,
    )


RULE = Rule(
    code="VIL205",
    name="legacy-docker-hub-host",
    severity=Severity.WARNING,
    summary="The image names Docker Hub by a legacy host instead of docker.io",
    doc=__doc__ or "",
    check=check,
)
