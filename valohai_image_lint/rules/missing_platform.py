"""VIL402 missing-platform

## What it does
In an online run, reports an image that has no build for the platform Valohai's workers run
(`linux/amd64`, or what `platforms` lists), and says which platforms it has: an image built on
an arm64 laptop (an Apple silicon Mac) and pushed as it is. Also reports a digest that pins one
platform's image of a multi-platform index, not the index, when that image is not for a
platform the workers run: the classic "pinned the arm64 digest" mistake. The message names the
index's digest to pin instead.

## Why is this bad?
The worker pulls the image, then fails to start it (`exec format error`), on a paid machine,
after the pull.

## Example
`acme/trainer:1.0.4` was built and pushed from an arm64 laptop:

```yaml
- step:
    name: train
    image: docker.io/acme/trainer:1.0.4
    command: python train.py
```

## Use instead
A tag built for `linux/amd64` (`docker buildx build --platform linux/amd64,linux/arm64`):

```yaml
- step:
    name: train
    image: docker.io/acme/trainer:1.0.5
    command: python train.py
```

## Options
`platforms`: the platforms the workers run, as `os/architecture[/variant]`; an image must have
a build for one of them. The default is `["linux/amd64"]`:

```toml
[tool.valohai-image-lint]
platforms = ["linux/amd64"]
```

## Fix safety
Unsafe, for a digest that pins one platform's image: the fix pins the index's digest, which
pulls a different image (the one for the worker's platform). No fix for an image with no
build for the platform.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..config.errors import ConfigError
from ..config.option import Option
from ..config.values import string_list
from ..facts import Platform, short_digest
from ..model import Applicability, Edit, Finding, Fix, ParsedSite, Severity
from ..rule import Rule, RuleOptions


def _check_platforms(key: str, value: list[str], where: str) -> None:
    if not value:
        raise ConfigError(f'{where}"{key}" is empty; name at least one platform, such as linux/amd64')
    for text in value:
        try:
            Platform.parse(text)
        except ValueError as exc:
            raise ConfigError(f'{where}"{key}": {exc}') from None


def _read(value: Any) -> tuple[Platform, ...]:
    return tuple(Platform.parse(text) for text in value)


PLATFORMS: Option[tuple[Platform, ...]] = Option(
    "platforms",
    "a list of platforms such as linux/amd64",
    string_list,
    check=_check_platforms,
    convert=tuple,
    default=("linux/amd64",),
    read=_read,
    show=list,
)


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    facts = options.facts_for(parsed)
    if facts is None or not facts.found or facts.manifest is None or parsed.site.value is None:
        return
    wanted = options.get(PLATFORMS)
    named = ", ".join(str(platform) for platform in wanted)
    image, site, key = parsed.site.value, parsed.site, facts.key
    index = facts.tag_manifest
    if key.digest is not None and index is not None and index.is_index:
        pinned = [platform for platform, digest in index.children if digest == key.digest]
        if pinned and not any(p.runs(w) for p in pinned for w in wanted):
            fix = None
            span = parsed.digest_span()
            if span is not None:
                fix = Fix(
                    f"Pin the index {short_digest(index.digest)}",
                    (Edit(span, index.digest),),
                    Applicability.UNSAFE,
                )
            yield Finding(
                f'image "{image}" pins the {pinned[0]} image of the multi-platform tag "{key.tag}", which '
                f"Valohai's workers ({named}) cannot run; pin the index digest {index.digest} instead",
                site.span,
                fix,
            )
            return
    platforms = facts.manifest.platforms
    if not platforms or any(have.runs(want) for have in platforms for want in wanted):
        return
    has = ", ".join(str(platform) for platform in platforms)
    yield Finding(
        f'image "{image}" has no {named} build, which Valohai\'s workers run; it has {has}',
        site.span,
    )


RULE = Rule(
    code="VIL402",
    name="missing-platform",
    severity=Severity.ERROR,
    summary="The image has no build for the platform Valohai's workers run",
    doc=__doc__ or "",
    check=check,
    options=(PLATFORMS,),
)
