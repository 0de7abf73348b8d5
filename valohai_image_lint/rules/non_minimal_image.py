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

import re
from collections.abc import Iterator

from ..knowledge import family_of, name_matches
from ..model import Applicability, Edit, Finding, Fix, ParsedSite, Severity
from ..reference import split_name
from ..rule import Rule, RuleOptions


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref, site = parsed.ref, parsed.site
    if ref is None or site.value is None:
        return
    family = family_of(ref.name)
    if family is None:
        return
    # Endpoint-only: every place that uses the value (an anchor may be written under an endpoint
    # and used by steps through aliases) is an endpoint.
    endpoint = all(context.startswith('endpoint "') for context in site.contexts)
    tag = ref.tag or ""
    for lighter in family.lighter:
        if (lighter.steps_only and endpoint) or not name_matches(ref.name, lighter.names):
            continue
        match = re.search(lighter.tag, tag)
        if match is None:
            continue
        written, _ = split_name(site.value)
        if lighter.repository is not None:
            written = written.rsplit("/", 1)[0] + "/" + lighter.repository
        needs = "an endpoint serving requests needs" if endpoint else "a batch job needs"
        if lighter.replacement is None:
            yield Finding(
                f'image "{site.value}" is heavier than {needs} ({lighter.why}); {lighter.advice}',
                site.span,
            )
            return
        new_tag = tag[: match.start()] + match.expand(lighter.replacement) + tag[match.end() :]
        if new_tag == tag and lighter.repository is None:
            continue
        suggested = written + (f":{new_tag}" if new_tag else "")
        fix = None
        if ref.digest is None:
            span = site.value_span(0, len(site.value))
            if span is not None:
                fix = Fix(f'Use the lighter "{suggested}"', (Edit(span, suggested),), Applicability.UNSAFE)
        pin = "; then pin its own digest" if ref.digest is not None else ""
        yield Finding(
            f'image "{site.value}" is heavier than {needs} ({lighter.why}); consider "{suggested}"{pin}',
            site.span,
            fix,
        )
        return


RULE = Rule(
    code="VIL301",
    name="non-minimal-image",
    severity=Severity.INFO,
    summary="A heavier image variant where a lighter one of the same version would do",
    doc=__doc__ or "",
    check=check,
)
