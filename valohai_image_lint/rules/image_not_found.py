"""VIL401 image-not-found

## What it does
In an online run (`--online`, or `online = true` in the config), reports an image its registry
says does not exist: no such repository, no such tag, or no manifest with the pinned digest. It
also reports an image the registry refuses to show, with the credentials Docker has for that
registry or without any: such an image does not exist, or it is private and out of reach. The
message says which, and for a refused image, which registry credentials Valohai needs.

## Why is this bad?
A Valohai worker pulls the image when the execution starts, on a machine the team pays for. A
typo in the name (`pyhton`), a tag that was never pushed or was deleted, or a private image
without registry credentials fails there, minutes later, instead of at commit time.

## Example
The registry has no tag `3.12.99` of `python`:

```yaml
- step:
    name: train
    image: python:3.12.99
    command: python train.py
```

## Use instead
A tag the registry has:

```yaml
- step:
    name: train
    image: python:3.12.4
    command: python train.py
```

## Options
None; the run must be online (`--online`, or `online = true`). For a private image, Docker's
credentials for its registry are used as `docker login` stored them (`~/.docker/config.json`,
`$DOCKER_CONFIG`, credential helpers).

## Fix safety
No fix: only the author knows which image was meant.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import Status, short_digest
from ..model import Finding, ParsedSite, Severity
from ..rule import Rule, RuleOptions


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    facts = options.facts_for(parsed)
    if facts is None or parsed.site.value is None:
        return
    key, image = facts.key, parsed.site.value
    repository = f"{key.registry}/{key.repository}"
    if facts.status is Status.MISSING_REPOSITORY:
        problem = f"there is no repository {repository}"
    elif facts.status is Status.MISSING_TAG:
        problem = f'{repository} has no tag "{key.tag}"'
    elif facts.status is Status.MISSING_DIGEST:
        problem = f"{repository} has no manifest {short_digest(key.digest or '')}"
    elif facts.status is Status.DENIED:
        reason = f" ({facts.reason})" if facts.reason else ""
        yield Finding(
            f'image "{image}" could not be read: {key.registry} refused access{reason}; it does not '
            f"exist, or it is private and your Docker credentials for {key.registry} cannot pull it. "
            "If it exists, Valohai pulls it only with registry credentials whose image pattern "
            f'matches "{repository}"',
            parsed.site.span,
        )
        return
    else:
        return
    yield Finding(f'image "{image}" does not exist: {problem}', parsed.site.span)


RULE = Rule(
    code="VIL401",
    name="image-not-found",
    severity=Severity.ERROR,
    summary="The registry says the image does not exist, or refuses access to it",
    doc=__doc__ or "",
    check=check,
)
