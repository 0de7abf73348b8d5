"""VIL008 unknown-top-level-item

## What it does
Reports a top-level item that is none of the kinds Valohai reads (`step`, `task`, `endpoint`,
`pipeline`, `blueprint`, `deployment`): `- version: 1` with `steps:` under it, `- steps: [...]`,
`- stpe: {...}`. It is reported at the item's first key, with the kind it was probably meant to
be when one is close (`steps` -> `step`).

Left alone: an item that defines anchors (`- defaults: &d {image: ...}`, used by steps through
`<<: *d`), a YAML idiom; an item whose keys all start with `x-` (an extension item, ignored on
purpose as in Compose files); an item with a merge key (its kind may come from what it merges).

The images inside such an item are still checked by the other rules; their context is their
path from the item (`version[0].steps[0]`), since they belong to no step Valohai knows.

## Why is this bad?
Valohai ignores the item: none of its steps appear in the project, so an execution of that
step cannot start, and whatever the item meant to say (often a config written for another tool,
or a list of steps under one `steps:` key) never reaches Valohai.

## Example
```yaml
- version: 1
  steps:
    - name: train
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
No fix: turning the item into steps is re-indenting it, which is the author's to check.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..model import Finding, Severity
from ..rule import Rule
from ..sources.yaml_document import Document, Mapping, Scalar, Sequence

KINDS = ("step", "task", "endpoint", "pipeline", "blueprint", "deployment")
MERGE_KEY = "<<"
EXTENSION_PREFIX = "x-"


def check_document(document: Document) -> Iterator[Finding]:
    """Each mapping item of a top-level list whose keys name no kind Valohai reads. Items with a
    merge key are left alone (their kind may come from what they merge), and so are items that
    define anchors (``- defaults: &d {...}``), written for other items to use (a ``&`` anywhere
    in the item's text counts: a rare false silence, never a false finding)."""
    for root in document.roots:
        if not isinstance(root, Sequence):
            continue  # VIL006 reports a top level that is not a list
        for position, item in enumerate(root.items, start=1):
            if not isinstance(item, Mapping) or not item.pairs:
                continue
            keys = [key.value if isinstance(key, Scalar) else None for key, _ in item.pairs]
            if MERGE_KEY in keys or any(key in KINDS for key in keys):
                continue
            if all(key is not None and key.startswith(EXTENSION_PREFIX) for key in keys):
                continue  # `x-...`: an extension item, ignored on purpose (as in Compose files)
            after = root.items[position].start if position < len(root.items) else len(document.text)
            if "&" in document.text[item.start : after]:
                continue  # it holds anchors for other items to use: a YAML idiom, meant to be ignored
            first_key = item.pairs[0][0]
            named = ", ".join(f'"{key}"' for key in keys if key is not None) or "keys that are not text"
            close = [match for key in keys if key for match in difflib.get_close_matches(key, KINDS, 1, 0.75)]
            hint = f'; did you mean "{close[0]}"?' if close else "; write items such as - step: {...}"
            message = (
                f"item {position} ({named}) is none of the items Valohai reads ({', '.join(KINDS)}): "
                f"Valohai ignores it{hint}"
            )
            start = first_key.start
            end = first_key.end if isinstance(first_key, Scalar) and first_key.end > start else start + 1
            line_end = document.text.find("\n", start)
            if line_end != -1:
                end = min(end, line_end)
            yield Finding(message, document.span(start, end))


RULE = Rule(
    code="VIL008",
    name="unknown-top-level-item",
    severity=Severity.WARNING,
    summary="A top-level item that is none of the kinds Valohai reads",
    doc=__doc__ or "",
    check_document=check_document,
)
