"""VIL101 invalid-reference

## What it does
Reports an image that is not a valid Docker image reference, saying why: an uppercase
repository, a character that is not allowed, surrounding whitespace inside quotes, a malformed
digest, a name longer than 255 characters. References are parsed exactly as Docker parses them
(Go's `distribution/reference`). It also reports a first component with uppercase letters and
no dot (`MyOrg/app`), which Docker accepts only as the name of a registry host.

## Why is this bad?
Docker refuses the reference, so the execution fails when it starts, after the machine was
allocated.

## Example
```yaml
- step:
    name: train
    image: Python:3.9.18
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
No fix is applied; when lowercasing or trimming the value makes it valid, the message says so.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, ParsedSite, Severity
from ..reference import InvalidImageReference, parse_image
from ..rule import Rule, RuleOptions


def _is_uppercase_namespace(domain: str) -> bool:
    """Docker reads ``MyOrg/app`` as host ``MyOrg``: almost always a miscased Docker Hub namespace."""
    return domain != domain.lower() and "." not in domain and ":" not in domain


def _lower_name(text: str) -> str:
    """Lowercase the repository name, not the tag or digest (tags are case-sensitive)."""
    slash = text.rfind("/")
    cut = min((i for i in (text.find(":", slash + 1), text.find("@")) if i != -1), default=len(text))
    return text[:cut].lower() + text[cut:]


def _repair(value: str) -> str | None:
    for candidate in (value.strip(), _lower_name(value.strip())):
        if candidate and candidate != value:
            try:
                return parse_image(candidate).raw
            except InvalidImageReference:
                continue
    return None


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref = parsed.ref
    if ref is not None and _is_uppercase_namespace(ref.domain):
        yield Finding(
            f'image "{ref.raw}" names a registry host "{ref.domain}" (Docker reads an uppercase first '
            f'component as a host); did you mean "{_lower_name(ref.raw)}"?',
            parsed.site.span,
        )
        return
    if parsed.error is None or parsed.placeholder is not None or parsed.site.value is None:
        return
    value = parsed.site.value
    repaired = _repair(value)
    hint = f'; did you mean "{repaired}"?' if repaired else ""
    yield Finding(f'image "{value}" is not a valid reference: {parsed.error}{hint}', parsed.site.span)


RULE = Rule(
    code="VIL101",
    name="invalid-reference",
    severity=Severity.ERROR,
    summary="The image is not a valid Docker image reference",
    doc=__doc__ or "",
    check=check,
)
