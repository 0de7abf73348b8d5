"""VIL901 unused-suppression

## What it does
Reports a suppression comment (`# valohai-image-lint: ignore[...]` or `ignore-file[...]`) that
names a code which suppressed nothing on its line (or in the file), or a code or rule name that
no rule has. Each such code is reported on its own, at the comment.

## Why is this bad?
A suppression outlives the problem it hid: once the image is fixed, the comment stays and
will silently hide the problem when it comes back. A mistyped code hides nothing while
looking as if it did.

## Example
```yaml
- step:
    name: train
    image: python:3.12.1  # valohai-image-lint: ignore[VIL103] pinned on purpose
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: python:3.12.1
    command: python train.py
```

## Options
None. A suppression of a rule that is not enabled suppresses nothing, so it is reported too.
`# valohai-image-lint: ignore-file[VIL901]` silences this rule for a file, except for its own
entry when that suppresses nothing.

## Fix safety
No fix yet: remove the code, or the whole comment when no code is left.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, Severity, Span
from ..rule import Rule, SuppressionOutcome


def check_suppressions(outcome: SuppressionOutcome) -> Iterator[Finding]:
    for entry in outcome.unused:
        yield finding(entry.span, entry.written, entry.code, file_level=entry.file_level)


def finding(span: Span, written: str, code: str | None, *, file_level: bool = False) -> Finding:
    """The finding for one code of the suppression comment at ``span``: ``written`` as in the
    comment, ``code`` the rule code it names (``None`` when it names no rule)."""
    if code is None:
        return Finding(
            f'suppression on line {span.line} names unknown code "{written}"; use a rule code or name, '
            "or remove it",
            span,
        )
    shown = code if written == code else f"{written} ({code})"
    kind = "file-level suppression" if file_level else "suppression"
    return Finding(f"{kind} of {shown} on line {span.line} matched nothing; remove it", span)


RULE = Rule(
    code="VIL901",
    name="unused-suppression",
    severity=Severity.WARNING,
    summary="A suppression comment names a code that suppressed nothing, or an unknown code",
    doc=__doc__ or "",
    check_suppressions=check_suppressions,
)
