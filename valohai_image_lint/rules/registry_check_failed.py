"""VIL404 registry-check-failed

## What it does
In an online run, reports an image whose registry could not be asked: a timeout, a name that
does not resolve, a TLS certificate that does not verify, a server error that lasted through the
retries, or an answer that is not what the registry API defines. The message says why. The
other rules still run on the image.

## Why is this bad?
Nothing is known about the image: whether it exists, which platforms it has, whether its digest
is current. The check is not done, and a clean run would hide that.

## Example
The registry did not answer in time:

```yaml
- step:
    name: train
    image: registry.acme.dev/trainer:1.0.4
    command: python train.py
```

## Use instead
Once the registry answers, the image's other checks run; a run made offline
(`--offline`) does not ask:

```yaml
- step:
    name: train
    image: registry.acme.dev/trainer:1.0.4
    command: python train.py
```

## Options
`connect-timeout` and `read-timeout` (seconds; 5 and 20 by default), and
`insecure-registries`, the registries (`host:port`) to reach over plain HTTP; loopback ones
always are.

## Fix safety
No fix.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import Status
from ..model import Finding, ParsedSite, Severity
from ..rule import Rule, RuleOptions


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    facts = options.facts_for(parsed)
    if facts is None or facts.status is not Status.FAILED or parsed.site.value is None:
        return
    yield Finding(
        f'image "{parsed.site.value}" could not be checked with {facts.key.registry}: {facts.reason}',
        parsed.site.span,
    )


RULE = Rule(
    code="VIL404",
    name="registry-check-failed",
    severity=Severity.WARNING,
    summary="The image's registry could not be asked (timeout, DNS, TLS, server error)",
    doc=__doc__ or "",
    check=check,
)
