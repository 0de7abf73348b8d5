"""Applying edits (``model.Edit``: a span of the original text and its replacement) to a text.

Positions are the linter's: 1-based lines split as ``sources.lines`` splits them, columns in
characters, counted from after a UTF-8 BOM on the first line (as ``yaml_document.load`` and
``sources.comments`` count them). Every byte outside the edited spans is kept as it was: line
breaks (``\\r\\n``, ``\\r``, ``\\n``), the BOM, a missing final line break. ``--add-suppressions``
applies its edits with ``apply_edits``; ``--fix`` will apply a fix's.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Edit
from .sources.lines import LineIndex

BOM = "\ufeff"


class OverlappingEdits(ValueError):
    """Two edits change the same characters; which one wins cannot be said."""


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with each edit's span replaced by its text. Insertions at the same position keep
    the order given; edits that overlap raise ``OverlappingEdits``."""
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom) :]
    index = LineIndex(body)
    ranges = []
    for order, edit in enumerate(edits):
        span = edit.span
        start = index.offset(span.line, span.column)
        end = index.offset(span.end_line, span.end_column)
        ranges.append((start, end, order, edit.replacement))
    ranges.sort()
    pieces: list[str] = []
    position = 0
    for start, end, _, replacement in ranges:
        if start < position:
            raise OverlappingEdits(f"an edit at offset {start} overlaps the one before it")
        pieces.append(body[position:start])
        pieces.append(replacement)
        position = max(end, start)
    pieces.append(body[position:])
    return bom + "".join(pieces)
