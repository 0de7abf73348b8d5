"""VIL006 invalid-top-level

## What it does
Reports a file that Valohai cannot read as a config although it is valid YAML: an empty file
(or one holding only comments), a top level that is a mapping or a scalar instead of a list,
and list items that are not mappings. Valohai reads `valohai.yaml` as a list of items, each a
mapping such as `- step: {...}`, `- endpoint: {...}` or `- pipeline: {...}`.

Image keys in a top-level mapping are still checked by the other rules, so that a fragment
being written is linted as far as it goes.

## Why is this bad?
Valohai rejects the file ("is not of type 'array'"), so no step in it can run; the mistake
usually means a lost `- ` in front of `step:`, or a file saved empty.

## Example
```yaml
step:
  name: train
  image: python:3.12.1
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
None.

## Fix safety
No fix: re-indenting a file under `- ` is easy to get wrong for the whole file at once.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, Severity, Span
from ..rule import Rule
from ..sources.yaml_document import Document, Mapping, Node, Scalar, Sequence

_EXAMPLE = "such as - step: {name: train, image: ...}"
_NULLS = ("", "~", "null", "Null", "NULL")


def check_document(document: Document) -> Iterator[Finding]:
    """Why Valohai cannot read the document as a config, where: no document at all, a top level
    that is not a list, list items that are not mappings. Nothing when its shape is right."""
    top = Span(1, 1, 1, 2 if document.line_text(1) else 1)  # an empty first line: an empty span
    roots = [root for root in document.roots if root is not None and not _is_null(root)]
    if not roots:
        yield Finding(f"the file holds no config: a valohai.yaml is a list of items, {_EXAMPLE}", top)
        return
    for root in roots:
        if not isinstance(root, Sequence):
            message = f"the top level is {_shape(root)}, not a list: Valohai reads a list of items {_EXAMPLE}"
            yield Finding(message, _node_span(document, root))
            continue
        for position, item in enumerate(root.items, start=1):
            if not isinstance(item, Mapping):
                span = _node_span(document, item)
                yield Finding(f"item {position} is {_shape(item)}, not a mapping {_EXAMPLE}", span)


def _shape(node: Node) -> str:
    if _is_null(node):
        return "empty (null)"
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return f'a scalar ("{text}")'


def _is_null(node: Node) -> bool:
    return isinstance(node, Scalar) and node.style == "plain" and node.tag is None and node.value in _NULLS


def _node_span(document: Document, node: Node) -> Span:
    """One character where ``node`` starts; for an empty value (``- `` with nothing after it),
    the indicator before it; at the very end of the text, an empty span."""
    start = node.start
    if isinstance(node, Scalar) and node.value == "" and node.style == "plain":
        before = document.text[:start].rstrip(" \t\r\n")
        start = max(len(before) - 1, 0) if before else start
    end = min(start + 1, len(document.text))
    if end > start and document.text[start] in "\r\n":
        end = start  # a line break is no character to underline
    return document.span(start, end)


RULE = Rule(
    code="VIL006",
    name="invalid-top-level",
    severity=Severity.ERROR,
    summary="The file is not a list of Valohai items (empty, a mapping, a scalar)",
    doc=__doc__ or "",
    check_document=check_document,
)
