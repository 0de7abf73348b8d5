"""VIL301 non-minimal-image

## What it does
Reports a heavier variant of a well-known image where a lighter one of the same version serves a
batch job, and names it: `python:3.11.9` -> `python:3.11.9-slim`, `nvidia/cuda:*-devel-*` ->
`*-runtime-*`, `pytorch/pytorch:*-devel` -> `*-runtime`, `tensorflow/tensorflow:*-jupyter` ->
the same tag without `-jupyter`, `continuumio/anaconda3` -> `continuumio/miniconda3`, and the
`jupyter/*-notebook` images in a step. The families and their lighter variants are data in
`knowledge.py`.

Endpoints get the same hints (a smaller image also deploys faster), except the `jupyter/*-notebook`
one, which is for steps only; their message speaks of an endpoint serving requests, not of a batch
job. An image pinned by digest is reported too, but the suggestion names the lighter tag without a
digest: pin the lighter image's own digest after switching.

Online (`--online`), the message also gives the compressed sizes of both images for the
workers' platform (the first of `platforms`, `linux/amd64` by default), as the registry
reports them: `(linux/amd64, compressed: 9.6 GB against 3.4 GB)`.

## Why is this bad?
A `-devel` CUDA image or a full Anaconda is several gigabytes more than its lighter twin; every
execution on a fresh worker pulls it, which costs minutes before the job starts. Compilers,
headers and notebook servers are rarely used by a training or batch step.

## Example
```yaml
- step:
    name: train
    image: pytorch/pytorch:2.2.0-cuda12.1-cudnn8-devel
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime
    command: python train.py
```

## Options
None.

## Fix safety
Unsafe: the fix writes the lighter image in place of the whole value, and the job may need what
only the heavier one has (a compiler to build a package, conda packages Anaconda preinstalls).
No fix is offered for a digest-pinned image (the digest belongs to the heavier image), when the
lighter image has no tag of the same version, or when the value in the file is not the image
text itself (a quoted value with escapes, or one spread over lines).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import human_size, lookup_key
from ..lighter import lighter_image
from ..model import Applicability, Edit, Finding, Fix, ParsedSite, Severity
from ..reference import InvalidImageReference, parse_image
from ..rule import Rule, RuleOptions


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref, site = parsed.ref, parsed.site
    if ref is None or site.value is None:
        return
    # Endpoint-only: every place that uses the value (an anchor may be written under an endpoint
    # and used by steps through aliases) is an endpoint.
    endpoint = all(context.startswith('endpoint "') for context in site.contexts)
    suggestion = lighter_image(ref, site.value, endpoint)
    if suggestion is None:
        return
    lighter, suggested = suggestion
    needs = "an endpoint serving requests needs" if endpoint else "a batch job needs"
    if suggested is None:
        yield Finding(
            f'image "{site.value}" is heavier than {needs} ({lighter.why}); {lighter.advice}',
            site.span,
        )
        return
    fix = None
    if ref.digest is None:
        span = site.value_span(0, len(site.value))
        if span is not None:
            fix = Fix(f'Use the lighter "{suggested}"', (Edit(span, suggested),), Applicability.UNSAFE)
    pin = "; then pin its own digest" if ref.digest is not None else ""
    sizes = _sizes(parsed, suggested, options)
    yield Finding(
        f'image "{site.value}" is heavier than {needs} ({lighter.why}); consider "{suggested}"{sizes}{pin}',
        site.span,
        fix,
    )


def _sizes(parsed: ParsedSite, suggested: str, options: RuleOptions) -> str:
    """Online: " (linux/amd64, compressed: 4.3 GB against 2.1 GB)", when the registry gave
    both images' sizes for the same platform."""
    facts = options.facts_for(parsed)
    if facts is None or options.facts is None or not facts.platform_sizes:
        return ""
    try:
        other = options.facts.get(lookup_key(parse_image(suggested)))
    except InvalidImageReference:
        return ""
    if other is None:
        return ""
    platform, size = facts.platform_sizes[0]
    lighter_size = dict(other.platform_sizes).get(platform)
    if lighter_size is None:
        return ""
    return f" ({platform}, compressed: {human_size(size)} against {human_size(lighter_size)})"


RULE = Rule(
    code="VIL301",
    name="non-minimal-image",
    severity=Severity.INFO,
    summary="A heavier image variant where a lighter one of the same version would do",
    doc=__doc__ or "",
    check=check,
)
