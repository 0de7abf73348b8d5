"""VIL007 duplicate-key

## What it does
Reports a key written twice in one mapping, such as two `image` keys in one step, at the second
(and any later) one, naming the line of the first. Merge keys (`<<`) are not counted.

## Why is this bad?
YAML forbids repeated keys, but the loader Valohai uses keeps the last value without a word:
the earlier value is silently ignored. A second `image:` pasted into a step wins over the one
the author keeps editing, and a second `step:` in one item replaces the first step whole.

## Example
```yaml
- step:
    name: train
    image: python:3.12.1
    command: python train.py
    image: python:3.9.18
```

## Use instead
```yaml
- step:
    name: train
    image: python:3.12.1
    command: python train.py
```

## Options
None.

## Fix safety
No fix: which of the two values was meant is the author's call.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, Severity, Span
from ..rule import Rule
from ..sources.yaml_document import Document, Mapping, Node, Scalar, Sequence
from ..sources.yaml_sites import is_merge_key


def check_document(document: Document) -> Iterator[Finding]:
    """Every repeated scalar key of every mapping (each mapping visited once, however many
    aliases reach it), at the repeat, in the order written. Merge keys are left out."""
    found: list[tuple[str, int, Span]] = []  # the key, the line of its first occurrence, the repeat
    seen: set[int] = set()
    stack: list[Node] = [root for root in document.roots if root is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Mapping):
            first: dict[str, int] = {}  # key text -> offset of its first occurrence
            for key, value in node.pairs:
                if not isinstance(value, Scalar):
                    stack.append(value)
                if not isinstance(key, Scalar):
                    stack.append(key)
                elif key.value not in first:
                    first[key.value] = key.start
                elif not is_merge_key(key):
                    span = document.span(key.start, key.start + max(len(key.value), 1))
                    found.append((key.value, document.position(first[key.value])[0], span))
        elif isinstance(node, Sequence):
            stack.extend(item for item in node.items if not isinstance(item, Scalar))
    for key_text, first_line, span in sorted(found, key=lambda item: (item[2].line, item[2].column)):
        yield _finding(key_text, first_line, span)


def _finding(key: str, first_line: int, span: Span) -> Finding:
    shown = key if len(key) <= 40 else key[:37] + "..."
    return Finding(
        f'key "{shown}" repeats the one on line {first_line}; the last value wins and line '
        f"{first_line}'s is ignored: remove one",
        span,
    )


RULE = Rule(
    code="VIL007",
    name="duplicate-key",
    severity=Severity.WARNING,
    summary="A key is written twice in one mapping; the last value silently wins",
    doc=__doc__ or "",
    check_document=check_document,
)
