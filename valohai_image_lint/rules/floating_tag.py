"""VIL104 floating-tag

## What it does
Reports a tag that names a version line rather than a release, so it moves when a new release
comes out, judged by how the image's repository tags (its *tag scheme*):

- in a repository whose scheme is known, a version with fewer numbers than a release has:
  `python:3`, `python:3.9`, `python:3.11-slim`, `node:20`, `postgres:16` (PostgreSQL releases are
  `16.2`), `debian:12` (releases are `12.5`), `ubuntu:22.04`, `julia:1.9`,
  `uv:python3.13-bookworm-slim`; and any version tag of a repository that rebuilds its version
  tags in place (`jupyter/scipy-notebook:python-3.11.6`, `tiangolo/uvicorn-gunicorn-fastapi:python3.7`);
- in any repository: release channels (`stable`, `lts`, `edge`, `nightly`, `rolling`, `main`,
  `master`, `dev`, `devel`, `sid`, `testing`, `unstable`, `oldstable`, `experimental`), bare
  variants (`slim`, `gpu`) and Debian or Ubuntu codenames, which get point releases
  (`debian:bookworm` like `debian:12`, `debian:stretch-slim`, `ubuntu:focal`, `ubuntu:trusty`).

It does not report full versions (`python:3.9.18`, `postgres:16.2`, `debian:12.5`,
`tensorflow/tensorflow:2.6.0-gpu`, `nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04`), releases a
scheme writes with fewer numbers (`nvidia/cuda:10.0-base-ubuntu18.04`: CUDA 10.0 tags only ever
had two; `pytorch/pytorch:1.3-cuda10.1-cudnn7-runtime`: no `1.3.x-cuda10.1` tag exists; NGC's
monthly `YY.MM`; `valohai/sklearn:1.0`), dated snapshots (`ubuntu:jammy-20240111`), commit
hashes, build numbers, or anything pinned by digest.

What is known: the tag schemes (as of 2026-12-07, each with its source in
`valohai_image_lint/tag_schemes.py`) of python, node, golang, mysql, redis, r-base, julia,
alpine, postgres, debian, ubuntu, tensorflow/tensorflow, pytorch/pytorch, nvidia/cuda, NGC
(nvcr.io/nvidia), Jupyter Docker Stacks (jupyter/*, quay.io/jupyter/*),
tiangolo/uvicorn-gunicorn-fastapi, astral-sh/uv, rocker/* and valohai/*; every Debian codename
from buzz to duke and every Ubuntu codename from warty to resolute.

What is not: any other repository's scheme. Offline, a short version there (`acme/app:0.1`,
`acme/app:v1.5`, `acme/app:v2`, `llm-toolkit:0.2-gpu`) is not reported, since a team's own image
tagged `0.1` is normally one immutable build.

Online (`--online`), a tag with a one- or two-number version, in any repository, is judged by
the registry's tag list instead: it is a moving line exactly when the repository has a release
under it (`0.1.3` under `0.1`, `v1.5.2-gpu` under `v1.5-gpu`), and the message suggests the
release it points at now (the newest tag under the line with the same digest), else the newest
release under it. When the tag list cannot be read, the tag is judged offline.

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
Offline, no fix: choosing a release is the author's decision; the message suggests one for
well-known images, and never a tag that this rule would itself report, nor a release of a line
that has reached its end of life by the date the run judges by (VIL302 then says where to move).

Online (`--online`), two unsafe fixes: the first (the one `--fix --unsafe-fixes` applies) pins
the digest the tag points at now, after the tag (`python:3.11@sha256:…`; for a multi-platform
image the index's digest, never one platform's); the second, where the registry shows the
release the line points at now, names that release (`python:3.11` -> `python:3.11.9`), which an
editor offers as another quick fix. Unsafe because either freezes today's build.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import ImageFacts, digest_pin
from ..model import Applicability, Edit, Finding, Fix, ParsedSite, Severity
from ..rule import Rule, RuleOptions
from ..tags import floating_version, is_latest, suggest_exact_tag
from .end_of_life import has_ended


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref = parsed.ref
    if ref is None or ref.tag is None or ref.digest is not None or is_latest(ref.tag):
        return
    facts = options.facts_for(parsed)
    if facts is not None and facts.found and facts.tags is not None:
        yield from _judged_by_the_tag_list(parsed, ref.tag, facts, options)
        return
    reason = floating_version(ref.tag, ref.name)
    if reason is None:
        return
    exact = suggest_exact_tag(ref.name, ref.tag)
    if exact is not None and floating_version(exact, ref.name) is not None:
        exact = None  # never suggest a tag this rule would report
    if exact is not None and options.today is not None and has_ended(ref.name, exact, options.today):
        exact = None  # nor one VIL302 would: pinning an ended line is no advice to follow
    advice = f"pin a full version such as {exact}" if exact else "pin an exact version or a digest"
    yield Finding(
        f'image "{parsed.site.value}" uses a floating tag ({reason}); {advice}',
        parsed.site.span,
        digest_pin(parsed, facts),
    )


def _judged_by_the_tag_list(
    parsed: ParsedSite, tag: str, facts: ImageFacts, options: RuleOptions
) -> Iterator[Finding]:
    """Online, for a tag that names a version line: it moves exactly when the repository has a
    release under it; the release it points at now (same digest) is the pin to suggest."""
    assert parsed.ref is not None and facts.tags is not None
    if not facts.tags:
        return  # no release under the line: the tag is one build
    name, newest, same = parsed.ref.name, facts.tags[0], facts.same_digest_tag
    reason = f'"{tag}" is a version line: {parsed.ref.familiar_name} has {newest} under it'
    if same is not None:
        advice = f"pin {same}, the release it points at now"
    else:
        advice = f"pin a full version such as {newest}"
    pinned = same or newest
    if options.today is not None and has_ended(name, pinned, options.today):
        advice = "pin an exact version or a digest"
    release = _release_fix(parsed, same)
    yield Finding(
        f'image "{parsed.site.value}" uses a floating tag ({reason}); {advice}',
        parsed.site.span,
        digest_pin(parsed, facts),
        (release,) if release is not None else (),
    )


def _release_fix(parsed: ParsedSite, release: str | None) -> Fix | None:
    """The unsafe fix that names ``release`` (the release the line points at now) as the tag."""
    span = parsed.tag_span()
    if release is None or span is None:
        return None
    return Fix(f'Name the release "{release}"', (Edit(span, release),), Applicability.UNSAFE)


RULE = Rule(
    code="VIL104",
    name="floating-tag",
    severity=Severity.WARNING,
    summary="The tag names a version line or channel that moves",
    doc=__doc__ or "",
    check=check,
)
