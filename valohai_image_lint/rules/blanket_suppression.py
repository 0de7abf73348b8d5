"""VIL902 blanket-suppression

## What it does
Reports a suppression comment that names no codes: `# valohai-image-lint: ignore`,
`ignore[]`, `ignore-file`, or a list that is not in brackets (`ignore VIL103`, `ignore: VIL103`).
Such a comment suppresses nothing; the message says to write the codes it names in brackets
(`ignore[VIL103]`), or, when it names none, names the codes reported on its line (or in the
file).

## Why is this bad?
A blanket suppression would hide every problem on the line, including ones that appear later
and were never looked at. Naming the codes keeps the suppression to what was decided.

## Example
```yaml
- step:
    name: train
    image: python:latest  # valohai-image-lint: ignore
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: python:latest  # valohai-image-lint: ignore[VIL103] smoke test of the newest release
    command: python train.py
```

## Options
None.

## Fix safety
No fix: which problems to suppress is the author's decision; the message lists the codes
reported on the line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..model import Finding, Severity, Span
from ..rule import Rule, SuppressionOutcome


def check_suppressions(outcome: SuppressionOutcome) -> Iterator[Finding]:
    for comment in outcome.blanket:
        yield finding(
            comment.span, file_level=comment.file_level, codes=comment.codes, unbracketed=comment.unbracketed
        )


def finding(
    span: Span, *, file_level: bool, codes: Sequence[str] = (), unbracketed: Sequence[str] = ()
) -> Finding:
    """The finding for the suppression comment at ``span``; ``codes`` are those reported on the
    line it targets (in the file, for ``ignore-file``), to suggest; ``unbracketed`` the codes the
    comment wrote without brackets, which it names instead."""
    keyword = "ignore-file" if file_level else "ignore"
    if unbracketed:
        written = f"{keyword}[{', '.join(unbracketed)}]"
        return Finding(
            f'suppression "{keyword}" on line {span.line} writes its codes without brackets and '
            f"suppresses nothing; write the codes in brackets: {written}",
            span,
        )
    if codes:
        advice = f"name the codes, as in {keyword}[{', '.join(codes)}]"
    else:
        advice = f"name the codes to suppress, as in {keyword}[CODE], or remove it"
    return Finding(
        f'suppression "{keyword}" on line {span.line} names no codes and suppresses nothing; {advice}', span
    )


RULE = Rule(
    code="VIL902",
    name="blanket-suppression",
    severity=Severity.WARNING,
    summary="A suppression comment names no codes, so it suppresses nothing",
    doc=__doc__ or "",
    check_suppressions=check_suppressions,
)
