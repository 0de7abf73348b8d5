"""VIL104 floating-tag

## What it does
Reports a tag that names a version line rather than a release, so it moves when a new release
comes out: `python:3`, `python:3.9`, `python:3.11-slim`, `ubuntu:22.04`, `julia:1.9`,
`uv:python3.13-bookworm-slim`; release channels such as `stable`, `lts`, `edge`, `nightly`,
`rolling`, `main`, `master`, `dev`; and bare variants such as `slim` or `gpu`.

It does not report full versions (`python:3.9.18`, `tensorflow/tensorflow:2.6.0-gpu`,
`nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04`), commit hashes, dates, build numbers, NGC's
monthly `YY.MM` releases, or anything pinned by digest.

## Why is this bad?
`python:3.9` was 3.9.7 last year and is 3.9.18 today, rebuilt on a newer Debian: the same
config silently runs different software, and results stop being reproducible.

## Example
```yaml
- step:
    name: train
    image: python:3.9
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: python:3.9.18
    command: python train.py
```

## Options
None.

## Fix safety
No fix: choosing a release is the author's decision; the message suggests one for well-known
images.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, ParsedSite, Severity
from ..rule import Rule, RuleOptions
from ..tags import floating_version, is_latest, suggest_exact_tag


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref = parsed.ref
    if ref is None or ref.tag is None or ref.digest is not None or is_latest(ref.tag):
        return
    reason = floating_version(ref.tag, ref.domain)
    if reason is None:
        return
    exact = suggest_exact_tag(ref.name, ref.tag)
    advice = f"pin a full version such as {exact}" if exact else "pin an exact version or a digest"
    yield Finding(f'image "{parsed.site.value}" uses a floating tag ({reason}); {advice}', parsed.site.span)


RULE = Rule(
    code="VIL104",
    name="floating-tag",
    severity=Severity.WARNING,
    summary="The tag names a version line or channel that moves",
    doc=__doc__ or "",
    check=check,
)
