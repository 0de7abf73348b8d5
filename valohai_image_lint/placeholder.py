"""Template leftovers in an image value: ``${IMAGE}``, ``{{ image }}``, ``<your-image>``..."""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("<<...>>", re.compile(r"<<[^<>]*>>")),
    ("${...}", re.compile(r"\$\{[^}]*\}?")),
    ("{{ ... }}", re.compile(r"\{\{.*?(\}\}|$)")),
    ("{% ... %}", re.compile(r"\{%.*?(%\}|$)")),
    ("$VARIABLE", re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")),
    ("<...>", re.compile(r"<[^<>]+>")),
)


def find_placeholder(value: str) -> str | None:
    """The placeholder text found in ``value`` (``"${IMAGE}"``), or None."""
    for _, pattern in _PATTERNS:
        match = pattern.search(value)
        if match:
            return match.group(0)
    return None
